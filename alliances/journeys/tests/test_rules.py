"""The permission matrix: every persona × every rule, on a private and a public cohort."""

import pytest
from django.contrib.auth.models import AnonymousUser

from alliances.journeys.models import Cohort, CohortVisibility
from alliances.journeys.services import submission_save

PERSONAS = [
    "anonymous", "outsider", "other_participant", "participant", "intervenant", "animateur",
    "admin",
]
# persona: (view, change, manage, take attendance, register) on a private cohort
PRIVATE = {
    "anonymous": (False, False, False, False, False),
    "outsider": (False, False, False, False, False),
    "other_participant": (False, False, False, False, False),
    "participant": (True, False, False, False, True),
    "intervenant": (True, False, False, False, True),
    "animateur": (True, True, True, True, True),
    # Platform admins are superusers: Django grants them every permission.
    "admin": (True, True, True, True, True),
}


@pytest.fixture
def people(request, other_cohort) -> dict:
    found = {"anonymous": AnonymousUser()}
    for name in PERSONAS[1:]:
        found[name] = request.getfixturevalue(name)
    return found


def _matrix(user, cohort: Cohort) -> tuple[bool, ...]:
    session = cohort.sessions.first()
    return (
        user.has_perm("journeys.view_cohort", cohort),
        user.has_perm("journeys.change_cohort", cohort),
        user.has_perm("journeys.manage_cohort", cohort),
        user.has_perm("journeys.take_attendance", session),
        user.has_perm("journeys.register_session", session),
    )


@pytest.mark.parametrize("persona", PERSONAS)
def test_private_cohort(persona, people, cohort):
    assert _matrix(people[persona], cohort) == PRIVATE[persona]


@pytest.mark.parametrize("persona", PERSONAS)
def test_public_cohort_is_seen_by_all_and_changed_by_the_same(persona, people, cohort):
    cohort.visibility = CohortVisibility.PUBLIC
    cohort.save()
    expected = (True, *PRIVATE[persona][1:])
    assert _matrix(people[persona], cohort) == expected


def test_an_inactive_member_loses_every_right(cohort, animateur):
    animateur.is_active = False
    animateur.save()
    assert _matrix(animateur, cohort) == (False,) * 5


@pytest.mark.parametrize("persona", PERSONAS)
def test_view_submission(persona, people, cohort, participant):
    submission = submission_save(
        assignment=cohort.assignments.first(), user=participant, text="x", submit=False
    )
    allowed = persona in {"participant", "animateur", "admin"}
    assert people[persona].has_perm("journeys.view_submission", submission) is allowed


@pytest.mark.parametrize("persona", PERSONAS)
def test_visible_to(persona, people, cohort, other_cohort, public_cohort):
    visible = set(Cohort.objects.visible_to(people[persona]).values_list("name", flat=True))
    expected = {
        "anonymous": {"Promotion publique"},
        "outsider": {"Promotion publique"},
        "other_participant": {"Promotion publique", "Autre promotion"},
        "participant": {"Promotion publique", "Promotion test"},
        "intervenant": {"Promotion publique", "Promotion test"},
        "animateur": {"Promotion publique", "Promotion test"},
        "admin": {"Promotion publique", "Promotion test", "Autre promotion"},
    }[persona]
    assert visible == expected
