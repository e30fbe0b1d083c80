"""Query counts at scale: the animateur's cohort view stays at ≤ 15 SQL queries, rendered or
from the page cache, and its count does not grow with the cohort.

A big cohort (30 pilot territories × 3 bilans on a 30-criterion grid, with a cible each,
two participants a territory) and a small one (one territory, one bilan).
"""

import datetime
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliances.accounts.services import user_create
from alliances.diagnostics.models import (
    Bilan,
    BilanMoment,
    BilanStatus,
    Criterion,
    Entry,
    Horizon,
    Target,
)
from alliances.diagnostics.testing import make_grid, make_plan
from alliances.journeys.models import CohortRole
from alliances.journeys.pagecache import cohort_pages_changed
from alliances.journeys.services import (
    cohort_create_from_programme,
    cohort_member_add,
    pilot_territory_add,
)
from alliances.journeys.tests.conftest import START

MAX_QUERIES = 15
TERRITORIES, BILANS = 30, 3
MOMENTS = [BilanMoment.T0, BilanMoment.END, BilanMoment.M36]


def _grow(cohort, grid_version, *, territories: int, bilans: int, password: str) -> None:
    """Territories with a binôme each, a plan, `bilans` bilans (the last one a draft for
    one territory in five) and a cible; rows in bulk, as the services would make them."""
    rng = random.Random(4)
    criteria = list(Criterion.objects.filter(version=grid_version).values_list("pk", flat=True))
    for t in range(territories):
        territory = pilot_territory_add(cohort=cohort, name=f"Territoire {t:02d}")
        for n in range(2):
            person = user_create(
                email=f"t{t}-{n}-{cohort.pk}@example.org",
                password=password,
                display_name=f"Personne {t}-{n}",
            )
            cohort_member_add(
                cohort=cohort,
                user=person,
                role=CohortRole.PARTICIPANT,
                pilot_territory=territory,
            )
        plan = make_plan(grid=grid_version.grid, pilot_territory=territory)
        for b in range(bilans):
            draft = 0 < b == bilans - 1 and t % 5 == 0
            bilan = Bilan.objects.create(
                plan=plan,
                grid_version=grid_version,
                moment=MOMENTS[b % len(MOMENTS)],
                date=START + datetime.timedelta(days=120 * b + t),
                status=BilanStatus.DRAFT if draft else BilanStatus.VALIDATED,
                validated_at=None if draft else timezone.now(),
            )
            Entry.objects.bulk_create(
                Entry(bilan=bilan, criterion_id=pk, level=rng.randint(1, 4)) for pk in criteria
            )
        Target.objects.bulk_create(
            Target(plan=plan, criterion_id=pk, horizon=Horizon.M36, level=4) for pk in criteria
        )


@pytest.fixture
def grid_30(db):
    return make_grid(slug="grille-30", axes=6, criteria=5)


@pytest.fixture
def big(cohort, grid_30, password):
    _grow(cohort, grid_30, territories=TERRITORIES, bilans=BILANS, password=password)
    return cohort


@pytest.fixture
def small(programme, animateur, grid_30, password):
    small = cohort_create_from_programme(
        programme=programme, name="Petite promotion", start=START, created_by=animateur
    )
    _grow(small, grid_30, territories=1, bilans=1, password=password)
    return small


def _rendered(client, url: str) -> int:
    """The view's own queries: without a CSRF cookie the page cache stands aside."""
    client.get(url)  # a first request may fill caches (content types, permissions)
    client.cookies.pop("csrftoken", None)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


def _cached(client, url: str) -> int:
    client.get(url)
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(captured.captured_queries)


@pytest.mark.django_db
def test_big_cohort_made_as_asked(big, grid_30):
    assert big.pilot_territories.count() == TERRITORIES + 1  # and the fixture's Val-de-Marne
    assert Bilan.objects.filter(plan__pilot_territory__cohort=big).count() == TERRITORIES * BILANS
    assert Entry.objects.filter(bilan__plan__pilot_territory__cohort=big).count() == (
        TERRITORIES * BILANS * 30
    )


@pytest.mark.parametrize("who", ["animateur", "admin"])
def test_the_cohort_view_queries_do_not_grow(
    client, big, small, request, who, django_assert_max_num_queries
):
    client.force_login(request.getfixturevalue(who))
    big_url = reverse("diagnostics:cohort", args=[big.slug])
    small_url = reverse("diagnostics:cohort", args=[small.slug])
    big_count = _rendered(client, big_url)
    assert big_count == _rendered(client, small_url)
    assert big_count <= MAX_QUERIES
    with django_assert_max_num_queries(MAX_QUERIES):
        response = client.get(big_url)
    page = response.content.decode()
    assert page.count('class="chart chart-radar') == TERRITORIES
    # From the per-person cache: the session, the user and the cohort's state.
    assert _cached(client, big_url) <= 3
    # The first view after a write: the cache's state query, then the whole render.
    cohort_pages_changed(big.pk)
    with django_assert_max_num_queries(MAX_QUERIES):
        assert client.get(big_url).status_code == 200
