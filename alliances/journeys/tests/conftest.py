"""A cohort with one person per role, and another cohort, made through the services."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.journeys.models import Cohort, CohortRole, CohortVisibility, Programme
from alliances.journeys.services import (
    cohort_create_from_programme,
    cohort_member_add,
    pilot_territory_add,
)

# A Monday in the future of the suite's real clock: registrations stay open without
# freezing time; tests about the past freeze it.
START = datetime.date(2027, 1, 4)


@pytest.fixture
def programme(db) -> Programme:
    return Programme.objects.get(slug="parcours-co-construction")


@pytest.fixture
def intervenant(db, password) -> User:
    return user_create(email="intervenant@example.org", password=password,
                       display_name="Inès Intervenante")


@pytest.fixture
def other_participant(db, password) -> User:
    return user_create(email="other@example.org", password=password,
                       display_name="Oscar d'une autre promotion")


@pytest.fixture
def cohort(programme, animateur, participant, intervenant) -> Cohort:
    cohort = cohort_create_from_programme(
        programme=programme, name="Promotion test", start=START, created_by=animateur
    )
    territory = pilot_territory_add(cohort=cohort, name="Val-de-Marne")
    cohort_member_add(cohort=cohort, user=participant, role=CohortRole.PARTICIPANT,
                      pilot_territory=territory)
    cohort_member_add(cohort=cohort, user=intervenant, role=CohortRole.INTERVENANT)
    return cohort


@pytest.fixture
def other_cohort(programme, admin, other_participant) -> Cohort:
    other = cohort_create_from_programme(
        programme=programme, name="Autre promotion", start=START, created_by=None
    )
    cohort_member_add(cohort=other, user=other_participant, role=CohortRole.PARTICIPANT)
    return other


@pytest.fixture
def public_cohort(programme, animateur) -> Cohort:
    return cohort_create_from_programme(
        programme=programme, name="Promotion publique", start=START, created_by=animateur,
        visibility=CohortVisibility.PUBLIC,
    )


@pytest.fixture
def later(cohort) -> datetime.datetime:
    """Five months into the cohort: several sessions held, work due, more to come."""
    return datetime.datetime.combine(
        cohort.start + datetime.timedelta(days=150), datetime.time(12),
        tzinfo=ZoneInfo("Europe/Paris"),
    )


@pytest.fixture
def frozen(later):
    with time_machine.travel(later, tick=False):
        yield later
