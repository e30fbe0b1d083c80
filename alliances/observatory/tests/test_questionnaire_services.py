"""The questionnaire's services: invitations, answers checked and saved page by page,
submission (once), and a closed wave refusing everything.

The helpers at the top (a collecting wave in three pages, a full set of answers) are used by
the other questionnaire tests too.
"""

import csv
import io
import threading
from dataclasses import replace

import numpy as np
import pytest
from django.db import connection, connections

from alliances.observatory import collection, dataset, services
from alliances.observatory.models import Invitation, Wave, WebResponse
from alliances.observatory.testing import make_wave, sample_definition


def grouped_definition() -> services.WaveDefinition:
    """The sample definition in pages: the commune (region required, size), the
    partnerships (q4 required, q14 several answers, q20 a number from 0 to 500), then q30
    outside any group."""
    specs = {spec.code: spec for spec in sample_definition().questions}
    commune, partners = "Votre commune", "Vos partenariats"
    return services.WaveDefinition(questions=[
        replace(specs["region"], group=commune, required=True),
        replace(specs["taille_commune"], group=commune),
        replace(specs["q4"], group=partners, hint="Une seule réponse."),
        replace(specs["q14"], group=partners),
        replace(specs["q20"], group=partners, minimum=0, maximum=500),
        specs["q30"],
    ])


def collecting_wave(owner, *, slug="maires", label="2025", status=Wave.Status.COLLECTE,
                    open_link=False) -> Wave:
    """A wave of `grouped_definition` moved to `status` through the services."""
    survey = services.survey_create(slug=slug, title="Baromètre des maires",
                                    population="maires", owner=owner)
    wave = services.wave_create(survey=survey, label=label, definition=grouped_definition(),
                                created_by=owner, attributes=["region", "taille_commune"])
    if status != Wave.Status.BROUILLON:
        wave = services.wave_set_status(wave=wave, status=Wave.Status.COLLECTE, by=owner)
    if status == Wave.Status.CLOSE:
        wave = services.wave_set_status(wave=wave, status=status, by=owner)
    if open_link:
        # The console's switch (console_services.wave_set_open_link) is another module's.
        Wave.objects.filter(pk=wave.pk).update(open_link=True)
        wave.refresh_from_db()
    return wave


# A full set of answers, page by page, as a browser posts them.
PAGES = [
    {"region": "84", "taille_commune": "moins_1000"},
    {"q4": "oui", "q14": ["entreprises", "asso"], "q20": "12"},
    {"q30": "Un territoire qui bouge."},
]


def answer_all(response: WebResponse) -> WebResponse:
    for number, answers in enumerate(PAGES, start=1):
        collection.response_save(response=response, answers=answers, page=number)
    return response


@pytest.fixture
def wave(analyste):
    return collecting_wave(analyste)


def invited(wave) -> WebResponse:
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    return collection.response_for_invitation(invitation=invitation)


# -- the questionnaire's pages ----------------------------------------------------------------


def test_pages_follow_the_groups_and_ungrouped_questions_share_one(wave):
    questionnaire = collection.questionnaire_of(wave)
    assert [(p.number, p.title, [i.code for i in p.items]) for p in questionnaire.pages] == [
        (1, "Votre commune", ["region", "taille_commune"]),
        (2, "Vos partenariats", ["q4", "q14", "q20"]),
        (3, "", ["q30"]),
    ]
    q4 = questionnaire.items["q4"]
    assert q4.required and q4.hint == "Une seule réponse."
    assert q4.options == (("oui", "Oui"), ("non", "Non"), ("nsp", "Ne sait pas"))
    assert questionnaire.page_of("q20") == 2


# -- invitations ------------------------------------------------------------------------------


def test_invitations_are_made_in_bulk_with_their_labels(wave, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        made = collection.invitations_create(wave=wave, count=3,
                                             labels=["Mairie de Die", " Mairie de Crest "])
    assert len(made) == 5 and len({i.token for i in made}) == 5
    assert [i.label for i in Invitation.objects.filter(wave=wave).order_by("id")] == [
        "", "", "", "Mairie de Die", "Mairie de Crest"]


def test_the_invitations_csv_has_a_label_and_a_link_each(wave):
    made = collection.invitations_create(wave=wave, labels=["Mairie de Die", "=cmd()"])
    text = collection.invitations_csv(wave=wave, base_url="https://alliances.example.org/")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["label", "link"]
    assert rows[1] == ["Mairie de Die",
                       f"https://alliances.example.org/observatoire/repondre/{made[0].token}/"]
    # A label a spreadsheet would read as a formula stays text.
    assert rows[2][0] == "'=cmd()"


@pytest.mark.parametrize("kwargs", [{"count": -1}, {"labels": ["x" * 201]},
                                    {"count": collection.MAX_INVITATIONS + 1}])
def test_bad_invitation_requests_create_nothing(wave, kwargs):
    with pytest.raises(ValueError):
        collection.invitations_create(wave=wave, **kwargs)
    assert not Invitation.objects.exists()


# -- saving answers ---------------------------------------------------------------------------


def test_a_page_is_checked_then_merged_into_the_draft(wave):
    response = invited(wave)
    collection.response_save(response=response, answers=PAGES[0], page=1)
    collection.response_save(response=response, answers=PAGES[1], page=2)
    response.refresh_from_db()
    assert response.status == WebResponse.Status.DRAFT
    assert response.answers == {"region": "84", "taille_commune": "moins_1000", "q4": "oui",
                                # in the wave's order, whatever the order posted
                                "q14": ["asso", "entreprises"], "q20": 12}
    # A question left empty loses its earlier answer; other pages keep theirs.
    collection.response_save(response=response, answers={"region": "11", "taille_commune": ""},
                             page=1)
    response.refresh_from_db()
    assert response.answers["region"] == "11" and "taille_commune" not in response.answers
    assert response.answers["q4"] == "oui"


def test_numbers_are_read_the_french_way_too(wave):
    response = invited(wave)
    for typed, stored in [("3,5", 3.5), ("4\u202f00", 400), (" 7 ", 7), (42, 42), (2.0, 2)]:
        collection.response_save(response=response, answers={"q4": "oui", "q20": typed},
                                 page=2)
        assert response.answers["q20"] == stored


def test_wrong_answers_are_reported_by_question_code_and_nothing_is_saved(wave):
    response = invited(wave)
    collection.response_save(response=response, answers=PAGES[1], page=2)
    bad = {"q4": "peut-etre", "q14": ["asso", "mairies"], "q20": "-3", "intrus": "x"}
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_save(response=response, answers=bad, page=2)
    assert set(raised.value.errors) == {"q4", "q14", "q20", "intrus"}
    assert "q20:" in str(raised.value) and "intrus:" in str(raised.value)
    response.refresh_from_db()
    assert response.answers == {"q4": "oui", "q14": ["asso", "entreprises"], "q20": 12}


@pytest.mark.parametrize("answers, code", [
    ({"q4": ""}, "q4"),  # required
    ({"q4": ["oui", "non"]}, "q4"),  # one answer only
    ({"q4": "oui", "q20": "douze"}, "q20"),
    ({"q4": "oui", "q20": "501"}, "q20"),  # above the maximum
    ({"q4": "oui", "q20": "nan"}, "q20"),
    ({"q4": "oui", "q20": True}, "q20"),
])
def test_each_kind_of_wrong_answer(wave, answers, code):
    response = invited(wave)
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_save(response=response, answers=answers, page=2)
    assert list(raised.value.errors) == [code]


def test_a_too_long_text_is_refused(wave):
    response = invited(wave)
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_save(response=response, answers={"q30": "é" * 5001}, page=3)
    assert list(raised.value.errors) == ["q30"]


def test_save_for_later_skips_the_required_check_only(wave):
    response = invited(wave)
    collection.response_save(response=response, answers={"q20": "5"}, page=2,
                             check_required=False)
    assert response.answers == {"q20": 5}
    with pytest.raises(collection.AnswerError):
        collection.response_save(response=response, answers={"q20": "x"}, page=2,
                                 check_required=False)


def test_a_page_that_does_not_exist_is_refused(wave):
    response = invited(wave)
    with pytest.raises(collection.CollectionError):
        collection.response_save(response=response, answers={}, page=4)


def test_a_signed_in_respondent_is_kept_on_the_response(wave, participant, outsider):
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    response = collection.response_for_invitation(invitation=invitation, user=participant)
    assert response.user == participant
    # The first account stays: another person opening the same link does not take it over.
    collection.response_save(response=response, answers=PAGES[0], page=1, user=outsider)
    response.refresh_from_db()
    assert response.user == participant
    # One invitation, one response.
    again = collection.response_for_invitation(invitation=invitation, user=outsider)
    assert again.pk == response.pk and WebResponse.objects.count() == 1


# -- submitting -------------------------------------------------------------------------------


def test_submit_adds_the_answers_to_the_wave_data_set(wave):
    before = dataset.wave_data(wave)
    assert before.n == 0
    version = wave.data_version
    response = answer_all(invited(wave))
    collection.response_submit(response=response)
    response.refresh_from_db()
    assert response.status == WebResponse.Status.SUBMITTED and response.submitted_at
    wave.refresh_from_db()
    assert wave.data_version == version + 1
    data = dataset.wave_data(wave)
    assert data.n == 1
    q = data.questions
    assert data.columns.single["region"][0] == q["region"].option_index["84"]
    assert data.columns.single["q4"][0] == q["q4"].option_index["oui"]
    chosen, answered = data.columns.multiple["q14"]
    assert answered[0] and [q["q14"].options[i][0] for i in np.flatnonzero(chosen[0])] == [
        "asso", "entreprises"]
    assert data.columns.numbers["q20"][0] == 12.0


def test_submit_needs_every_required_answer(wave):
    response = invited(wave)
    collection.response_save(response=response, answers={"taille_commune": "1000_plus"},
                             page=1, check_required=False)
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_submit(response=response)
    assert set(raised.value.errors) == {"region", "q4"}
    response.refresh_from_db()
    assert response.status == WebResponse.Status.DRAFT
    wave.refresh_from_db()
    assert wave.data_version == 0


def test_a_weighted_wave_needs_the_raking_variables(analyste):
    wave = make_wave(analyste, n=60, weights=False)
    services.wave_rake(wave=wave, margins={"taille_commune": {"moins_1000": .6,
                                                              "1000_plus": .4}})
    wave = services.wave_set_status(wave=wave, status=Wave.Status.COLLECTE, by=analyste)
    response = invited(wave)
    collection.response_save(response=response, answers={"q4": "oui"}, page=1)
    with pytest.raises(collection.AnswerError) as raised:
        collection.response_submit(response=response)
    assert set(raised.value.errors) == {"taille_commune"}
    collection.response_save(response=response, answers={"q4": "oui",
                                                         "taille_commune": "1000_plus"}, page=1)
    collection.response_submit(response=response)
    data = dataset.wave_data(wave)
    assert data.n == 61 and data.weight_source == Wave.WeightSource.RAKED


def test_a_double_submit_changes_nothing(wave):
    response = answer_all(invited(wave))
    collection.response_submit(response=response)
    wave.refresh_from_db()
    first = (wave.data_version, WebResponse.objects.get().submitted_at)
    stale = WebResponse.objects.get(pk=response.pk)
    stale.status = WebResponse.Status.DRAFT  # a second tab's copy, read before the submit
    with pytest.raises(collection.AlreadySubmitted):
        collection.response_submit(response=stale)
    with pytest.raises(collection.AlreadySubmitted):
        collection.response_save(response=stale, answers=PAGES[0], page=1)
    wave.refresh_from_db()
    assert (wave.data_version, WebResponse.objects.get().submitted_at) == first
    assert dataset.wave_data(wave).n == 1


def test_an_answered_invitation_gives_no_second_response(wave):
    response = answer_all(invited(wave))
    collection.response_submit(response=response)
    with pytest.raises(collection.AlreadySubmitted):
        collection.response_for_invitation(invitation=response.invitation)


@pytest.mark.parametrize("status", [Wave.Status.BROUILLON, Wave.Status.CLOSE])
def test_a_wave_not_collecting_refuses_everything(analyste, status):
    wave = collecting_wave(analyste, status=Wave.Status.COLLECTE, open_link=True)
    response = answer_all(invited(wave))
    drafted = dict(response.answers)
    invitation = collection.invitations_create(wave=wave, count=1)[0]
    if status == Wave.Status.CLOSE:
        services.wave_set_status(wave=wave, status=status, by=analyste)
    else:
        Wave.objects.filter(pk=wave.pk).update(status=status)  # no service goes back to draft
    with pytest.raises(collection.WaveNotCollecting):
        collection.response_save(response=response, answers={"q30": "changé"}, page=3)
    with pytest.raises(collection.WaveNotCollecting):
        collection.response_submit(response=response)
    with pytest.raises(collection.WaveNotCollecting):
        collection.response_for_invitation(invitation=invitation)
    with pytest.raises(collection.WaveNotCollecting):
        collection.response_start_open(wave=wave)
    response.refresh_from_db()
    assert response.answers == drafted and response.status == WebResponse.Status.DRAFT
    assert WebResponse.objects.count() == 1


# -- the open link ----------------------------------------------------------------------------


def test_the_open_link_starts_responses_only_when_on(analyste):
    wave = collecting_wave(analyste)
    with pytest.raises(collection.WaveNotCollecting):
        collection.response_start_open(wave=wave)
    Wave.objects.filter(pk=wave.pk).update(open_link=True)
    first = collection.response_start_open(wave=wave)
    second = collection.response_start_open(wave=wave)
    assert first.pk != second.pk and first.user is None and first.invitation is None


def test_a_signed_in_person_gets_their_open_link_draft_back(analyste, participant):
    wave = collecting_wave(analyste, open_link=True)
    draft = collection.response_start_open(wave=wave, user=participant)
    assert collection.response_start_open(wave=wave, user=participant).pk == draft.pk
    collection.response_submit(response=answer_all(draft))
    with pytest.raises(collection.AlreadySubmitted):
        collection.response_start_open(wave=wave, user=participant)


def test_the_rate_limit_counts_per_address_and_window(settings):
    settings.OBSERVATORY_OPEN_LINK_RATE = "2/m"
    start = 1_000_040.0  # 20 s into a minute (1_000_020 is a multiple of 60)
    assert collection.open_link_throttle(client_ip="192.0.2.1", now=start) == 0
    assert collection.open_link_throttle(client_ip="192.0.2.1", now=start + 1) == 0
    assert collection.open_link_throttle(client_ip="192.0.2.1", now=start + 2) == 38
    assert collection.open_link_throttle(client_ip="192.0.2.2", now=start + 2) == 0
    assert collection.open_link_throttle(client_ip="192.0.2.1", now=start + 40) == 0


def test_a_bad_rate_setting_fails_loudly(settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.OBSERVATORY_OPEN_LINK_RATE = "20 per hour"
    with pytest.raises(ImproperlyConfigured):
        collection.open_link_throttle(client_ip="192.0.2.1")


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="SQLite serialises writers by itself")
def test_two_submits_at_once_count_once(analyste):
    """Two requests sending the same response at the same moment: the row lock lets one
    through; the other finds it sent."""
    wave = collecting_wave(analyste)
    response = answer_all(invited(wave))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def send() -> None:
        try:
            barrier.wait()
            collection.response_submit(response=WebResponse.objects.get(pk=response.pk))
            outcomes.append("sent")
        except collection.AlreadySubmitted:
            outcomes.append("already")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=send) for _n in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["already", "sent"]
    wave.refresh_from_db()
    assert wave.data_version == 1 and dataset.wave_data(wave).n == 1
