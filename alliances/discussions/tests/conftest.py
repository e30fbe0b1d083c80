"""The cohort of the journeys' tests, plus an observer and a second pilot territory."""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.journeys.models import Cohort, CohortRole, PilotTerritory
from alliances.journeys.services import cohort_member_add, pilot_territory_add
from alliances.journeys.tests.conftest import *  # noqa: F403, F401


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def territory(cohort) -> PilotTerritory:
    return cohort.pilot_territories.get(name="Val-de-Marne")


@pytest.fixture
def other_territory(cohort) -> PilotTerritory:
    return pilot_territory_add(cohort=cohort, name="Nord")


@pytest.fixture
def neighbour(cohort, other_territory, password) -> User:
    """A participant of the same cohort, in another pilot territory."""
    user = user_create(
        email="neighbour@example.org", password=password, display_name="Nadia Voisine"
    )
    cohort_member_add(
        cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=other_territory
    )
    return user


@pytest.fixture
def observer(cohort, password) -> User:
    user = user_create(
        email="observer@example.org", password=password, display_name="Odile Observatrice"
    )
    cohort_member_add(cohort=cohort, user=user, role=CohortRole.OBSERVATEUR)
    return user


@pytest.fixture
def everyone(
    cohort: Cohort,
    other_cohort,
    admin,
    animateur,
    participant,
    intervenant,
    outsider,
    other_participant,
    neighbour,
    observer,
) -> dict[str, User | None]:
    return {
        "anonymous": None,
        "outsider": outsider,
        "other_cohort": other_participant,
        "participant": participant,
        "other_territory": neighbour,
        "observer": observer,
        "intervenant": intervenant,
        "animateur": animateur,
        "admin": admin,
    }
