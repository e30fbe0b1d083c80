"""The round page, its live poller, notes, controls, action plan, learnings and my plans."""

import datetime
import re

import pytest
import time_machine

from alliances.codev import services
from alliances.codev.models import ActionItem, Learning, Note, Round
from alliances.journeys.models import CohortRole
from alliances.journeys.services import cohort_member_add

pytestmark = pytest.mark.django_db


def url(round_, tail: str = "") -> str:
    return f"/parcours/codev/tours/{round_.pk}/{tail}"


def at_step(round_, index: int) -> Round:
    round_ = services.round_start(round=round_)
    for _ in range(index):
        round_ = services.round_next_step(round=round_)
    return round_


def test_the_page_shows_roles_step_instructions_and_countdown(
    client, round_, participant, consultant, animateur
):
    client.force_login(participant)
    response = client.get(url(round_))
    assert response.status_code == 200
    html = response.content.decode()
    assert str(participant) in html and str(consultant) in html and str(animateur) in html
    assert 'role="timer"' in html and ">10:00<" in html
    assert 'aria-live="polite"' in html
    assert 'hx-trigger="every 2s"' in html
    assert 'aria-current="step"' in html
    # The participant does not run the round.
    assert "pilotage/start/" not in html
    assert 'id="codev-note-text"' in html


def test_the_countdown_is_rendered_server_side_and_over_time(client, round_, animateur):
    start = datetime.datetime(2027, 3, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        services.round_start(round=round_)
        traveller.shift(datetime.timedelta(minutes=3, seconds=25))
        client.force_login(animateur)
        html = client.get(url(round_)).content.decode()
        assert ">06:35<" in html
        assert 'data-deadline="2027-03-01T10:10:00+01:00"' in html
        traveller.shift(datetime.timedelta(minutes=8))
        html = client.get(url(round_)).content.decode()
        assert ">\u221201:25<" in html
        assert "codev-over" in html


def test_the_facilitator_sees_the_controls(client, round_, animateur):
    client.force_login(animateur)
    html = client.get(url(round_)).content.decode()
    assert 'id="codev-start"' in html
    assert "codev-timeboxes" in html


def test_the_poller_answers_204_when_nothing_changed_and_fragments_otherwise(
    client, round_, participant, consultant, django_assert_max_num_queries
):
    client.force_login(participant)
    live = url(round_, "direct/")
    with django_assert_max_num_queries(3):
        response = client.get(live, {"v": round_.version, "step": 0})
    assert response.status_code == 204
    services.note_add(round=round_, author=consultant, text="Une première note")
    # Changed, before step 5: the round and the notes with their authors.
    with django_assert_max_num_queries(4):
        response = client.get(live, {"v": round_.version, "step": 0})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Une première note" in html
    assert 'id="codev-clock"' in html and 'hx-swap-oob="true"' in html
    assert 'id="codev-stage"' not in html  # same step: the forms stay untouched
    assert f"v={round_.version + 1}&amp;step=0" in html
    services.round_start(round=round_)
    services.round_next_step(round=Round.objects.get(pk=round_.pk))
    html = client.get(live, {"v": round_.version + 1, "step": 0}).content.decode()
    assert 'id="codev-stage"' in html


def test_the_page_query_count_is_locked(
    client, round_, participant, consultant, django_assert_max_num_queries
):
    round_ = at_step(round_, 5)
    for n in range(5):
        services.note_add(round=round_, author=consultant, text=f"Note {n}")
    services.learning_save(round=round_, user=consultant, text="Appris")
    client.force_login(participant)
    # Session, user, round with role, consultants, notes, plan, learnings, header count.
    with django_assert_max_num_queries(9):
        assert client.get(url(round_)).status_code == 200
    # The poller at step 6 with a changed step: the round, notes, plan and learnings.
    with django_assert_max_num_queries(6):
        response = client.get(url(round_, "direct/"), {"v": 0, "step": 0})
    assert 'id="codev-learnings"' in response.content.decode()


def test_a_note_posted_with_htmx_returns_the_form_and_the_board(client, round_, consultant):
    client.force_login(consultant)
    response = client.post(
        url(round_, "notes/"), {"text": "Quel est l'enjeu ?"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="codev-note-form"' in html and 'id="codev-board"' in html
    assert "Quel est l&#x27;enjeu ?" in html
    assert Note.objects.get().author == consultant


def test_a_note_without_javascript_redirects_to_the_board(client, round_, consultant):
    client.force_login(consultant)
    response = client.post(url(round_, "notes/"), {"text": "Sans JS"})
    assert response.status_code == 302
    assert response["Location"] == url(round_) + "#codev-board"


@pytest.mark.parametrize("text", ["", "x" * 2001])
def test_a_bad_note_shows_a_located_error_and_saves_nothing(client, round_, consultant, text):
    client.force_login(consultant)
    response = client.post(url(round_, "notes/"), {"text": text})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'aria-invalid="true"' in html and 'id="codev-note-error"' in html
    response = client.post(url(round_, "notes/"), {"text": text}, HTTP_HX_REQUEST="true")
    assert 'id="codev-note-error"' in response.content.decode()
    assert not Note.objects.exists()


def test_controls_move_the_round_once_per_step(client, round_, animateur):
    client.force_login(animateur)
    assert client.post(url(round_, "pilotage/start/"), {"expected_step": 0}).status_code == 302
    response = client.post(
        url(round_, "pilotage/next/"), {"expected_step": 0}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    assert 'id="codev-stage"' in response.content.decode()
    # A second click made on step 1 does not skip step 2.
    response = client.post(
        url(round_, "pilotage/next/"), {"expected_step": 0}, HTTP_HX_REQUEST="true"
    )
    assert 'role="alert"' in response.content.decode()
    assert Round.objects.get(pk=round_.pk).step_index == 1
    assert client.post(url(round_, "pilotage/dance/"), {}).status_code == 404


def test_the_timeboxes_form_refuses_out_of_range_minutes(client, round_, animateur):
    client.force_login(animateur)
    data = dict(round_.timeboxes) | {"consultation": "0", "contrat": "500"}
    response = client.post(url(round_, "durees/"), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html and "aria-invalid" in html
    assert Round.objects.get(pk=round_.pk).timeboxes == round_.timeboxes
    data = dict(round_.timeboxes) | {"consultation": "30"}
    assert client.post(url(round_, "durees/"), data).status_code == 302
    assert Round.objects.get(pk=round_.pk).timeboxes["consultation"] == 30


def plan_data(rows: list[tuple[str, str]]) -> dict[str, str]:
    data = {
        "actions-TOTAL_FORMS": str(len(rows)),
        "actions-INITIAL_FORMS": "0",
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "20",
    }
    for i, (title, due) in enumerate(rows):
        data[f"actions-{i}-title"] = title
        data[f"actions-{i}-due"] = due
    return data


def test_the_client_saves_an_action_plan_seen_in_my_plans(
    client, round_, participant, django_assert_max_num_queries
):
    round_ = at_step(round_, 4)
    client.force_login(participant)
    html = client.get(url(round_)).content.decode()
    assert 'name="actions-TOTAL_FORMS"' in html
    day = services.session_day(round_.session)
    response = client.post(
        url(round_, "plan-d-action/"),
        plan_data(
            [
                ("Rencontrer la CCI", (day + datetime.timedelta(days=7)).isoformat()),
                ("", ""),
                ("Réunir les associations", (day + datetime.timedelta(days=30)).isoformat()),
            ]
        ),
    )
    assert response.status_code == 302
    assert ActionItem.objects.count() == 2
    with django_assert_max_num_queries(4):
        response = client.get("/parcours/codev/mes-plans-d-action/")
    html = response.content.decode()
    assert "Rencontrer la CCI" in html and round_.session.title in html
    item = ActionItem.objects.get(title="Rencontrer la CCI")
    response = client.post(
        f"/parcours/codev/actions/{item.pk}/fait/", {"done": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    item.refresh_from_db()
    assert item.done and item.done_at is not None


def test_a_bad_action_plan_shows_located_errors_and_saves_nothing(client, round_, participant):
    round_ = at_step(round_, 4)
    client.force_login(participant)
    day = services.session_day(round_.session)
    response = client.post(
        url(round_, "plan-d-action/"),
        plan_data(
            [
                ("", (day + datetime.timedelta(days=7)).isoformat()),
                ("Trop tôt", (day - datetime.timedelta(days=1)).isoformat()),
                ("Date illisible", "demain"),
            ]
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="error-summary"' in html
    assert 'href="#id_actions-2-due"' in html
    assert not ActionItem.objects.exists()
    response = client.post(
        url(round_, "plan-d-action/"),
        plan_data(
            [
                ("", (day + datetime.timedelta(days=7)).isoformat()),
                ("Trop tôt", (day - datetime.timedelta(days=1)).isoformat()),
            ]
        ),
    )
    html = response.content.decode()
    assert 'href="#id_actions-0-title"' in html and 'href="#id_actions-1-due"' in html
    assert not ActionItem.objects.exists()


def test_no_one_ticks_someone_else_s_action(client, round_, participant, consultant):
    round_ = at_step(round_, 4)
    services.action_plan_save(
        round=round_, items=[services.ActionInput("A", services.session_day(round_.session))]
    )
    item = ActionItem.objects.get()
    client.force_login(consultant)
    assert client.post(f"/parcours/codev/actions/{item.pk}/fait/", {"done": "1"}).status_code == 404
    item.refresh_from_db()
    assert not item.done


def test_learnings_are_saved_and_shown_at_the_end(client, round_, consultant):
    round_ = at_step(round_, 5)
    client.force_login(consultant)
    assert client.post(url(round_, "apprentissages/"), {"text": " "}).status_code == 200
    assert not Learning.objects.exists()
    assert (
        client.post(
            url(round_, "apprentissages/"), {"text": "Poser des questions ouvertes"}
        ).status_code
        == 302
    )
    services.round_next_step(round=round_)
    html = client.get(url(round_)).content.decode()
    assert "Poser des questions ouvertes" in html
    assert 'id="codev-note-form"' not in html


def test_the_start_round_form_refuses_a_client_who_is_not_a_participant(
    client, codev_session, animateur, intervenant, participant
):
    client.force_login(animateur)
    create = f"/parcours/seances/{codev_session.pk}/codev/nouveau-tour/"
    assert client.get(create).status_code == 200
    response = client.post(create, {"client": str(intervenant.pk)})
    assert response.status_code == 200
    assert 'class="error-summary"' in response.content.decode()
    assert not Round.objects.exists()
    response = client.post(create, {"client": str(participant.pk), "problem": "Mon problème"})
    round_ = Round.objects.get()
    assert response["Location"] == url(round_)
    assert round_.facilitator == animateur


def test_the_session_panel_lists_rounds_and_offers_the_form_to_animateurs(
    rf, round_, codev_session, animateur, participant, django_assert_max_num_queries
):
    from django.template import Context, Template

    template = Template("{% load codev_tags %}{% codev_session_panel session %}")
    with django_assert_max_num_queries(2):
        html = template.render(
            Context({"session": codev_session, "user": animateur, "csrf_token": "t"})
        )
    assert f"/parcours/codev/tours/{round_.pk}/" in html
    assert "nouveau-tour" in html and str(participant) in html
    with django_assert_max_num_queries(2):
        html = template.render(Context({"session": codev_session, "user": participant}))
    assert f"/parcours/codev/tours/{round_.pk}/" in html and "nouveau-tour" not in html
    webinar = codev_session.cohort.sessions.filter(kind_id="webinaire").first()
    with django_assert_max_num_queries(0):
        assert (
            Template("{% load codev_tags %}{% codev_session_panel session %}")
            .render(Context({"session": webinar, "user": animateur}))
            .strip()
            == ""
        )


def test_a_left_member_loses_the_round(client, round_, cohort, password):
    from alliances.accounts.services import user_create

    late = user_create(email="late@example.org", password=password)
    client.force_login(late)
    assert client.get(url(round_)).status_code == 404
    cohort_member_add(cohort=cohort, user=late, role=CohortRole.PARTICIPANT)
    assert client.get(url(round_)).status_code == 200
    assert re.search(r"Round 1|Tour 1", client.get(url(round_)).content.decode())


def test_the_animateur_picks_the_consultants(
    client, codev_session, animateur, participant, consultant, intervenant
):
    client.force_login(animateur)
    create = f"/parcours/seances/{codev_session.pk}/codev/nouveau-tour/"
    html = client.get(create).content.decode()
    assert "<legend>" in html and str(intervenant) in html
    client.post(create, {"client": str(participant.pk), "consultants": [str(intervenant.pk)]})
    assert list(Round.objects.get().consultants.all()) == [intervenant]


def test_the_data_export_holds_notes_plans_and_learnings(round_, participant):
    from alliances.accounts.gdpr import user_export

    round_ = at_step(round_, 5)
    services.note_add(round=round_, author=participant, text="Ma note")
    services.action_plan_save(
        round=round_,
        items=[services.ActionInput("Mon action", services.session_day(round_.session))],
    )
    services.learning_save(round=round_, user=participant, text="Mon apprentissage")
    data = user_export(participant)["codev"]
    assert data["notes"][0]["text"] == "Ma note"
    assert data["action_plan"][0]["action"] == "Mon action"
    assert data["learnings"][0]["text"] == "Mon apprentissage"
    assert data["rounds_as_client"][0]["problem"] == round_.problem


def test_a_signed_out_poller_is_sent_to_the_login_page_not_swapped_into_it(client, round_):
    live = url(round_, "direct/")
    response = client.get(
        live,
        {"v": 0, "step": 0},
        HTTP_HX_REQUEST="true",
        HTTP_HX_CURRENT_URL=f"http://testserver{url(round_)}",
    )
    assert response.status_code == 204
    assert (
        response["HX-Redirect"]
        == f"/compte/login/?next=%2Fparcours%2Fcodev%2Ftours%2F{round_.pk}%2F"
    )
    assert client.get(live).status_code == 302


def test_an_observer_reads_without_forms(client, round_, observer, intervenant):
    round_ = at_step(round_, 5)
    client.force_login(observer)
    html = client.get(url(round_)).content.decode()
    assert 'id="codev-board"' in html
    assert 'id="codev-note-form"' not in html and 'id="codev-learnings"' not in html
    assert 'id="codev-plan"' not in html and "pilotage/" not in html
    client.force_login(intervenant)
    html = client.get(url(round_)).content.decode()
    assert 'id="codev-note-form"' in html and 'id="codev-learnings"' in html
    assert 'id="codev-plan"' not in html
