import pytest
from django.contrib.auth.models import AnonymousUser

from alliances.accounts.models import User
from alliances.accounts.rules import (
    has_role,
    is_analyste,
    is_animateur,
    is_participant,
    is_platform_admin,
)

pytestmark = pytest.mark.django_db


def test_role_predicates(admin, animateur, analyste, participant):
    assert is_platform_admin(admin)
    assert not is_platform_admin(animateur)
    assert is_animateur(animateur) and not is_animateur(analyste)
    assert is_analyste(analyste) and not is_analyste(participant)
    assert is_participant(participant) and not is_participant(admin)


def test_superuser_is_a_platform_admin(participant):
    participant.is_superuser = True
    assert is_platform_admin(participant)


def test_predicates_are_false_for_anonymous_and_inactive(animateur):
    anonymous = AnonymousUser()
    for predicate in (is_platform_admin, is_animateur, is_analyste, is_participant):
        assert not predicate(anonymous)
        assert not predicate(None)
    animateur.is_active = False
    assert not is_animateur(animateur)


def test_predicates_compose(animateur, admin, participant):
    can_run_cohorts = is_animateur | is_platform_admin
    assert can_run_cohorts(animateur) and can_run_cohorts(admin)
    assert not can_run_cohorts(participant)
    assert has_role(User.Role.ANALYSTE).name == "has_role_analyste"


def test_unknown_role_is_refused():
    with pytest.raises(ValueError, match="unknown platform role"):
        has_role("king")
