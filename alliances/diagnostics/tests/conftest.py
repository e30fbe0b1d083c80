"""A cohort whose pilot territory is a binôme, a small published grid and the team's plan.

The cohort fixtures come from the parcours' tests (same personas, made through the
services); the grid is made by `diagnostics.testing`, not the shipped default.
"""

import pytest

from alliances.accounts.models import User
from alliances.accounts.services import user_create
from alliances.diagnostics.models import GridVersion, Plan
from alliances.diagnostics.testing import make_grid, make_plan
from alliances.journeys.models import CohortRole, PilotTerritory
from alliances.journeys.services import cohort_member_add
from alliances.journeys.tests.conftest import (  # noqa: F401 (fixtures)
    START,
    cohort,
    intervenant,
    other_cohort,
    other_participant,
    programme,
    public_cohort,
)


@pytest.fixture
def partner(db, password, cohort) -> User:  # noqa: F811 (the fixture)
    """The participant's binôme: same pilot territory."""
    user = user_create(
        email="binome@example.org", password=password, display_name="Bérénice Binôme"
    )
    territory = PilotTerritory.objects.get(cohort=cohort, name="Val-de-Marne")
    cohort_member_add(
        cohort=cohort, user=user, role=CohortRole.PARTICIPANT, pilot_territory=territory
    )
    return user


@pytest.fixture
def territory(cohort) -> PilotTerritory:  # noqa: F811 (the fixture)
    return PilotTerritory.objects.get(cohort=cohort, name="Val-de-Marne")


@pytest.fixture
def grid_version(db) -> GridVersion:
    return make_grid(axes=3, criteria=3, levels=4)


@pytest.fixture
def plan(grid_version, territory, partner) -> Plan:
    return make_plan(grid=grid_version.grid, pilot_territory=territory)
