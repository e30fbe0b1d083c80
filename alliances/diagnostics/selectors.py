"""Reads shared by the diagnostics pages, pictures and the cohort view.

Levels are compared by criterion *code*, so bilans made on different versions of a grid
line up; a criterion absent from a version is simply missing from that bilan's levels.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Prefetch, QuerySet

from .models import Axis, Bilan, Criterion, Entry, GridVersion, Plan, Target


def latest_version(grid_id: int) -> GridVersion | None:
    """The grid's newest published version: the one a new bilan is made on."""
    return GridVersion.objects.filter(grid_id=grid_id, status="publiee").order_by("-number").first()


def version_structure(version: GridVersion) -> list[Axis]:
    """The version's axes in order, each with `criteria` in order, each with `levels`
    (CriterionLevel in rank order): three queries."""
    return list(
        version.axes.order_by("position").prefetch_related(
            Prefetch(
                "criteria",
                queryset=Criterion.objects.order_by("position").prefetch_related("levels"),
            )
        )
    )


def bilan_levels(bilan: Bilan) -> dict[str, int]:
    """criterion code → level, for the criteria the bilan has a level for."""
    return dict(
        Entry.objects.filter(bilan=bilan, level__isnull=False).values_list(
            "criterion__code", "level"
        )
    )


def target_levels(plan: Plan, horizon: str) -> dict[str, int]:
    """criterion code → target level of the plan's cible at `horizon`."""
    return dict(
        Target.objects.filter(plan=plan, horizon=horizon).values_list("criterion__code", "level")
    )


def latest_bilans(plans: QuerySet[Plan] | list[int]) -> dict[int, Bilan]:
    """plan id → its latest bilan (by date, then creation), validated or not: one query."""
    latest: dict[int, Bilan] = {}
    for bilan in Bilan.objects.filter(plan__in=plans).order_by("plan_id", "-date", "-pk"):
        latest.setdefault(bilan.plan_id, bilan)
    return latest


@dataclass
class CohortLevels:
    """The latest bilan levels of every plan of a cohort, and their median per criterion."""

    by_plan: dict[int, dict[str, int]] = field(default_factory=dict)
    medians: dict[str, float] = field(default_factory=dict)


def cohort_levels(cohort_id: int, grid_id: int) -> CohortLevels:
    """For the cohort's plans on `grid_id`: each plan's latest bilan levels (by criterion
    code) and the cohort median per criterion code. Two queries whatever the cohort size."""
    plan_ids = list(
        Plan.objects.filter(pilot_territory__cohort_id=cohort_id, grid_id=grid_id).values_list(
            "pk", flat=True
        )
    )
    latest = latest_bilans(plan_ids)
    by_plan: dict[int, dict[str, int]] = {pk: {} for pk in latest}
    bilan_to_plan = {bilan.pk: plan_id for plan_id, bilan in latest.items()}
    rows = Entry.objects.filter(bilan_id__in=bilan_to_plan, level__isnull=False).values_list(
        "bilan_id", "criterion__code", "level"
    )
    values: dict[str, list[int]] = defaultdict(list)
    for bilan_id, code, level in rows:
        by_plan[bilan_to_plan[bilan_id]][code] = level
        values[code].append(level)
    medians = {code: float(statistics.median(levels)) for code, levels in values.items()}
    return CohortLevels(by_plan=by_plan, medians=medians)


def axis_means(axes: list[Axis], levels: dict[str, float]) -> dict[str, float | None]:
    """axis code → mean of the levels of its criteria present in `levels` (None if none)."""
    means: dict[str, float | None] = {}
    for axis in axes:
        present = [levels[c.code] for c in axis.criteria.all() if c.code in levels]
        means[axis.code] = round(statistics.fmean(present), 2) if present else None
    return means
