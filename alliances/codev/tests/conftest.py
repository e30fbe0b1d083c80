"""The journeys' cohort fixtures, an observer, and a co-development round in its session."""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.codev.models import Round
from alliances.codev.services import round_create
from alliances.journeys.models import CohortRole, Session
from alliances.journeys.services import cohort_member_add
from alliances.journeys.tests.conftest import *  # noqa: F403, F401


@pytest.fixture
def observer(cohort, password) -> User:
    user = user_create(
        email="observer@example.org", password=password, display_name="Odile Observatrice"
    )
    cohort_member_add(cohort=cohort, user=user, role=CohortRole.OBSERVATEUR)
    return user


@pytest.fixture
def consultant(cohort, password) -> User:
    user = user_create(
        email="consultant@example.org", password=password, display_name="Claire Consultante"
    )
    cohort_member_add(cohort=cohort, user=user, role=CohortRole.PARTICIPANT)
    return user


@pytest.fixture
def codev_session(cohort) -> Session:
    return cohort.sessions.filter(kind_id="codeveloppement").order_by("start").first()


@pytest.fixture
def round_(codev_session, participant, animateur, consultant) -> Round:
    return round_create(
        session=codev_session,
        client=participant,
        facilitator=animateur,
        problem="Mobiliser les entreprises du territoire",
    )
