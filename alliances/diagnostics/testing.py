"""Small grids and plans for tests and benchmarks, written straight to the models.

The default grid ships with a data migration; these make grids of any shape quickly
(`make_grid(axes=6, criteria=5)` is a 30-criterion grid) so that tests do not depend on
its wording.
"""

from django.db import transaction
from django.utils import timezone

from .models import (
    Axis,
    Criterion,
    CriterionLevel,
    Grid,
    GridVersion,
    GridVersionStatus,
    Level,
    Plan,
)

LEVEL_NAMES = ["Émergence", "Structuration", "Consolidation", "Essaimage"]


@transaction.atomic
def make_grid(
    *,
    slug: str = "grille-test",
    axes: int = 3,
    criteria: int = 3,
    levels: int = 4,
    published: bool = True,
    grid: Grid | None = None,
) -> GridVersion:
    """A grid version of `axes` × `criteria` criteria on `levels` levels; a new version
    of `grid` when given (same codes, so bilans on both compare)."""
    if grid is None:
        grid = Grid.objects.create(slug=slug, name=f"Grille {slug}")
    number = (grid.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    version = GridVersion.objects.create(
        grid=grid,
        number=number,
        status=GridVersionStatus.PUBLISHED if published else GridVersionStatus.DRAFT,
        published_at=timezone.now() if published else None,
    )
    Level.objects.bulk_create(
        Level(version=version, rank=rank, name=LEVEL_NAMES[(rank - 1) % len(LEVEL_NAMES)])
        for rank in range(1, levels + 1)
    )
    for a in range(1, axes + 1):
        axis = Axis.objects.create(version=version, position=a, code=f"axe-{a}", name=f"Axe {a}")
        for c in range(1, criteria + 1):
            criterion = Criterion.objects.create(
                axis=axis,
                version=version,
                position=c,
                code=f"axe-{a}-critere-{c}",
                name=f"Critère {a}.{c}",
            )
            CriterionLevel.objects.bulk_create(
                CriterionLevel(
                    criterion=criterion,
                    rank=rank,
                    description=f"Critère {a}.{c}, niveau {rank} : ce qui s'observe.",
                )
                for rank in range(1, levels + 1)
            )
    return version


def make_plan(*, grid: Grid, pilot_territory=None, owner=None, name: str = "") -> Plan:
    return Plan.objects.create(
        grid=grid,
        pilot_territory=pilot_territory,
        owner=owner,
        name=name or (pilot_territory.name if pilot_territory else str(owner)),
    )
