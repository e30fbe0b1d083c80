"""Who may see, post on, run a round and edit its action plan: the matrix.

Only members of the session's cohort see a round (others get 404, so a private cohort's
rounds do not leak); animateurs of the cohort, the round's facilitator and admins run it;
participants and intervenants post notes and learnings; observers read only; the action
plan is the client's, and the facilitator's on the client's behalf.
"""

import datetime

import pytest

from alliances.accounts.services import user_create
from alliances.codev import services
from alliances.codev.models import ActionItem, Learning, Note, Round
from alliances.journeys.models import CohortRole
from alliances.journeys.services import cohort_member_add

pytestmark = pytest.mark.django_db

LOGIN = "login"
OK = "ok"
# persona: (see, post note, control, action plan, learning, start a round)
MATRIX = {
    "anonymous": (LOGIN, LOGIN, LOGIN, LOGIN, LOGIN, LOGIN),
    "outsider": (404, 404, 404, 404, 404, 404),
    "other_participant": (404, 404, 404, 404, 404, 404),
    "consultant": (OK, OK, 403, 403, OK, 403),
    "participant": (OK, OK, 403, OK, OK, 403),  # the client
    "intervenant": (OK, OK, 403, 403, OK, 403),
    "observer": (OK, 403, 403, 403, 403, 403),
    "co_animateur": (OK, OK, OK, 403, OK, OK),  # animates the cohort, not this round
    "animateur": (OK, OK, OK, OK, OK, OK),  # the round's facilitator
    "admin": (OK, OK, OK, OK, OK, OK),
}


@pytest.fixture
def co_animateur(cohort, password):
    user = user_create(
        email="co-animateur@example.org", password=password, display_name="Carla Co-animatrice"
    )
    cohort_member_add(cohort=cohort, user=user, role=CohortRole.ANIMATEUR)
    return user


@pytest.fixture
def at_learnings(round_) -> Round:
    round_ = services.round_start(round=round_)
    for _ in range(5):
        round_ = services.round_next_step(round=round_)
    return round_


def login_as(client, request, persona: str) -> None:
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))


def outcome(response, saved: bool):
    if response.status_code == 302 and "/compte/login/" in response["Location"]:
        return LOGIN
    if response.status_code in (403, 404):
        return response.status_code
    assert saved, f"answered {response.status_code} but nothing was saved"
    return OK


@pytest.mark.parametrize("persona", list(MATRIX))
def test_the_permission_matrix(
    client, request, persona, at_learnings, other_cohort, observer, intervenant, consultant
):
    see, note, control, plan, learning, create = MATRIX[persona]
    round_ = at_learnings
    base = f"/parcours/codev/tours/{round_.pk}/"
    login_as(client, request, persona)

    response = client.get(base)
    assert outcome(response, response.status_code == 200) == see
    response = client.get(base + "direct/", {"v": round_.version, "step": round_.step_index})
    assert outcome(response, response.status_code == 204) == see

    response = client.post(base + "notes/", {"text": f"Note de {persona}"})
    assert outcome(response, Note.objects.filter(text=f"Note de {persona}").exists()) == note

    response = client.post(base + "pilotage/pause/", {"expected_step": round_.step_index})
    paused = Round.objects.get(pk=round_.pk).paused_remaining_s is not None
    assert outcome(response, paused) == control

    due = services.session_day(round_.session) + datetime.timedelta(days=7)
    response = client.post(
        base + "plan-d-action/",
        {
            "actions-TOTAL_FORMS": "1",
            "actions-INITIAL_FORMS": "0",
            "actions-0-title": f"Action de {persona}",
            "actions-0-due": due.isoformat(),
        },
    )
    assert outcome(response, ActionItem.objects.filter(round=round_).exists()) == plan

    response = client.post(base + "apprentissages/", {"text": f"Appris par {persona}"})
    assert outcome(response, Learning.objects.filter(round=round_).exists()) == learning

    session = round_.session
    participant = request.getfixturevalue("participant")
    response = client.post(
        f"/parcours/seances/{session.pk}/codev/nouveau-tour/", {"client": str(participant.pk)}
    )
    assert outcome(response, Round.objects.filter(session=session).count() == 2) == create


def test_the_round_stays_hidden_in_a_public_cohort_to_non_members(
    client, public_cohort, animateur, participant, outsider
):
    cohort_member_add(cohort=public_cohort, user=participant, role=CohortRole.PARTICIPANT)
    session = public_cohort.sessions.filter(kind_id="codeveloppement").first()
    round_ = services.round_create(session=session, client=participant, facilitator=animateur)
    client.force_login(outsider)
    assert client.get(f"/parcours/codev/tours/{round_.pk}/").status_code == 404


@pytest.mark.parametrize("persona", ["outsider", "consultant", "participant", "animateur"])
def test_my_action_plans_are_mine_only(client, request, persona, at_learnings, participant):
    services.action_plan_save(
        round=at_learnings,
        items=[
            services.ActionInput("Action du client", services.session_day(at_learnings.session)),
        ],
    )
    login_as(client, request, persona)
    html = client.get("/parcours/codev/mes-plans-d-action/").content.decode()
    assert ("Action du client" in html) == (persona == "participant")


def test_anonymous_visitors_are_sent_to_log_in_for_my_plans(client):
    response = client.get("/parcours/codev/mes-plans-d-action/")
    assert response.status_code == 302 and "/compte/login/" in response["Location"]
