"""The observatory's personal data: a signed-in respondent's responses in their export, and
what deleting the account does to them (drafts deleted, sent responses kept, unlinked)."""

import pytest

from alliances.accounts.gdpr import user_export
from alliances.accounts.services import user_delete
from alliances.observatory import collection, dataset
from alliances.observatory.models import WebResponse

from .test_questionnaire_services import PAGES, answer_all, collecting_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def responses(analyste, participant, outsider):
    """The participant's sent response to one wave and draft to another; the outsider's."""
    first = collecting_wave(analyste, open_link=True)
    second = collecting_wave(analyste, slug="associations", label="2025", open_link=True)
    sent = answer_all(collection.response_start_open(wave=first, user=participant))
    collection.response_submit(response=sent)
    draft = collection.response_start_open(wave=second, user=participant)
    collection.response_save(response=draft, answers=PAGES[0], page=1)
    other = answer_all(collection.response_start_open(wave=first, user=outsider))
    return sent, draft, other


def test_the_export_holds_my_responses_only(responses, participant):
    sent, draft, other = responses
    data = user_export(participant)["observatory"]["survey_responses"]
    assert [(r["wave"], r["status"]) for r in data] == [("2025", "envoyee"),
                                                         ("2025", "brouillon")]
    first = data[0]
    assert first["survey"] == "Baromètre des maires" and first["submitted_at"]
    answers = {a["question"]: a for a in first["answers"]}
    assert answers["q14"]["answer"] == ["asso", "entreprises"]
    assert answers["q20"] == {"question": "q20", "label": "Combien de partenariats ?",
                              "answer": 12}


def test_the_export_reads_in_a_fixed_number_of_queries(responses, participant,
                                                       django_assert_max_num_queries):
    from alliances.observatory.gdpr import gdpr_export

    with django_assert_max_num_queries(2):
        gdpr_export(participant)


def test_deleting_the_account_deletes_drafts_and_unlinks_sent_responses(
    responses, participant
):
    sent, draft, other = responses
    wave = sent.wave
    wave.refresh_from_db()
    before = dataset.wave_data(wave)
    version = before.version
    user_delete(user=participant)
    assert not WebResponse.objects.filter(pk=draft.pk).exists()
    sent.refresh_from_db()
    assert sent.user is None and sent.status == "envoyee"
    assert sent.answers["q4"] == "oui"
    # The wave's statistics do not move.
    wave.refresh_from_db()
    assert wave.data_version == version and dataset.wave_data(wave).n == before.n == 1
    # Others' responses are untouched.
    other.refresh_from_db()
    assert other.user is not None
    assert user_export(participant)["observatory"] == {"survey_responses": []}
