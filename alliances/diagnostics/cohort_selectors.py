"""The animateur's cohort view: every pilot territory's bilan side by side.

What is compared is each territory's latest *validated* bilan: a draft may be half-filled,
so a territory with only drafts counts among those who have not done a bilan yet. Levels
are read by criterion code, so bilans made on an older version of the grid line up with
the version shown (a criterion the older version lacked is simply missing).

The figures, for each axis of the grid's newest published version:

- a territory's level on the axis: the mean of its levels on the axis's criteria;
- the cohort median: the median of those means over the territories that have one;
- a territory's gap: the mean of (cible − bilan) over the axis's criteria that have both;
  the cohort's mean gap: the mean of those gaps over the territories that have one.

The weakest axes are those with the lowest median, and those with the biggest mean gap.
Everything is read in seven queries whatever the cohort's size, then computed in one pass.
"""

import statistics
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import NamedTuple

from django.core.exceptions import ObjectDoesNotExist
from django.db.models import Subquery

from alliances.accounts.models import User
from alliances.journeys.models import Cohort, CohortMember, CohortRole, PilotTerritory

from .models import (
    Bilan,
    BilanMoment,
    BilanStatus,
    Criterion,
    Entry,
    Grid,
    GridVersion,
    GridVersionStatus,
    Horizon,
    Level,
    Plan,
    Target,
)

# How many axes the "weakest" lists name.
WEAKEST = 3


@dataclass(frozen=True)
class AxisInfo:
    code: str
    name: str
    criteria: tuple[str, ...]  # criterion codes, in order


class LevelInfo(NamedTuple):
    rank: int
    name: str


@dataclass(frozen=True)
class BilanSummary:
    pk: int
    plan_id: int
    date: date
    moment: str
    status: str
    grid_id: int

    @property
    def moment_label(self) -> str:
        return str(BilanMoment(self.moment).label)

    @property
    def status_label(self) -> str:
        return str(BilanStatus(self.status).label)

    @property
    def is_validated(self) -> bool:
        return self.status == BilanStatus.VALIDATED


@dataclass
class TerritoryRow:
    territory: PilotTerritory
    plan: Plan | None
    members: list[User] = field(default_factory=list)
    latest: BilanSummary | None = None  # of any status
    compared: BilanSummary | None = None  # the latest validated, on the grid shown
    levels: dict[str, int] = field(default_factory=dict)  # criterion code → level
    axis_levels: list[float | None] = field(default_factory=list)  # in axis order
    axis_gaps: list[float | None] = field(default_factory=list)
    grid_id: int = 0  # the grid the page shows
    has_validated_bilan: bool = False  # on any grid: the territory has done a bilan

    @property
    def on_other_grid(self) -> bool:
        return self.plan is not None and self.plan.grid_id != self.grid_id


@dataclass(frozen=True)
class AxisSummary:
    axis: AxisInfo
    median: float | None
    mean_gap: float | None
    counted: int  # territories with a level on the axis


@dataclass
class CohortComparison:
    cohort: Cohort
    grid: Grid | None
    version_id: int | None  # the grid's newest published version
    version_number: int | None
    grids: list[Grid]  # every grid the cohort's plans use, the one shown included
    horizon: str
    levels: list["LevelInfo"]
    axes: list[AxisInfo]
    rows: list[TerritoryRow]
    summaries: list[AxisSummary]  # in axis order

    @property
    def compared(self) -> list[TerritoryRow]:
        return [row for row in self.rows if row.compared is not None]

    @property
    def not_done(self) -> list[TerritoryRow]:
        return [row for row in self.rows if not row.has_validated_bilan]

    @property
    def medians(self) -> list[float | None]:
        return [summary.median for summary in self.summaries]

    @property
    def lowest_medians(self) -> list[AxisSummary]:
        ranked = [s for s in self.summaries if s.median is not None]
        # Stable sort: among equal medians, the grid's order.
        return sorted(ranked, key=lambda s: s.median or 0.0)[:WEAKEST]

    @property
    def biggest_gaps(self) -> list[AxisSummary]:
        ranked = [s for s in self.summaries if s.mean_gap is not None and s.mean_gap > 0]
        return sorted(ranked, key=lambda s: -(s.mean_gap or 0.0))[:WEAKEST]

    @property
    def max_level(self) -> int:
        return len(self.levels)


def _mean(values: list[float] | list[int]) -> float | None:
    return statistics.fmean(values) if values else None


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def axis_figures(
    axes: list[AxisInfo],
    levels: dict[str, int],
    targets: dict[str, int],
) -> tuple[list[float | None], list[float | None]]:
    """One territory's level and gap (cible − bilan) on each axis, unrounded."""
    means: list[float | None] = []
    gaps: list[float | None] = []
    for axis in axes:
        present = [levels[code] for code in axis.criteria if code in levels]
        means.append(_mean(present))
        gaps.append(
            _mean(
                [
                    targets[code] - levels[code]
                    for code in axis.criteria
                    if code in levels and code in targets
                ]
            )
        )
    return means, gaps


def _present(values: list[float | None]) -> list[float]:
    return [value for value in values if value is not None]


def summarise(
    axes: list[AxisInfo],
    territories: list[tuple[list[float | None], list[float | None]]],
) -> list[AxisSummary]:
    """The cohort's median level and mean gap on each axis, from each territory's
    (levels, gaps) by axis; rounded to two decimals."""
    summaries = []
    for i, axis in enumerate(axes):
        levels = _present([means[i] for means, _ in territories])
        gaps = _present([gaps_of[i] for _, gaps_of in territories])
        summaries.append(
            AxisSummary(
                axis=axis,
                median=_round(statistics.median(levels)) if levels else None,
                mean_gap=_round(_mean(gaps)),
                counted=len(levels),
            )
        )
    return summaries


def _plan_of(territory: PilotTerritory) -> Plan | None:
    try:
        return territory.plan
    except ObjectDoesNotExist:
        return None


def _grid_structure(grid: Grid) -> tuple[int | None, int | None, list[AxisInfo], list[LevelInfo]]:
    """The grid's newest published version (id and number), its axes with their criteria
    codes, and its levels: two queries, read as plain values (this page renders often)."""
    newest = (
        GridVersion.objects.filter(grid=grid, status=GridVersionStatus.PUBLISHED)
        .order_by("-number")
        .values("pk")[:1]
    )
    criteria = list(
        Criterion.objects.filter(version=Subquery(newest))
        .order_by("axis__position", "position")
        .values_list("version_id", "version__number", "axis_id", "axis__code", "axis__name", "code")
    )
    if not criteria:
        return None, None, [], []
    version_id, number = criteria[0][:2]
    axes: dict[int, tuple[str, str, list[str]]] = {}
    for _, _, axis_id, axis_code, axis_name, code in criteria:
        axes.setdefault(axis_id, (axis_code, axis_name, []))[2].append(code)
    levels = [
        LevelInfo(*row)
        for row in Level.objects.filter(version_id=version_id)
        .order_by("rank")
        .values_list("rank", "name")
    ]
    return (
        version_id,
        number,
        [AxisInfo(code, name, tuple(codes)) for code, name, codes in axes.values()],
        levels,
    )


def _choose_grid(plans: list[Plan], grid_slug: str | None) -> tuple[Grid | None, list[Grid]]:
    """The grid asked for, else the one most of the cohort's plans use (the default grid
    when no plan exists yet)."""
    grids = {plan.grid_id: plan.grid for plan in plans}
    if grid_slug:
        for grid in grids.values():
            if grid.slug == grid_slug:
                break
        else:
            grid = None
        if grid is not None:
            return grid, sorted(grids.values(), key=lambda g: g.name)
    if grids:
        counts = Counter(plan.grid_id for plan in plans)
        # Most plans first; between equals, the grid's name.
        grid_id = min(counts, key=lambda pk: (-counts[pk], grids[pk].name))
        return grids[grid_id], sorted(grids.values(), key=lambda g: g.name)
    default = Grid.objects.filter(is_default=True).first()
    return default, [default] if default else []


def cohort_comparison(
    cohort: Cohort, *, grid_slug: str | None = None, horizon: str = Horizon.M36
) -> CohortComparison:
    """Everything the cohort view shows: seven queries whatever the cohort's size."""
    territories = list(
        PilotTerritory.objects.filter(cohort=cohort)
        .select_related("plan__grid")
        .order_by("name", "pk")
    )
    members: dict[int, list[User]] = defaultdict(list)
    for member in (
        CohortMember.objects.filter(
            cohort=cohort, role=CohortRole.PARTICIPANT, pilot_territory__isnull=False
        )
        .select_related("user")
        .order_by("user__display_name", "user__email", "pk")
    ):
        if member.pilot_territory_id is not None:  # always, by the filter
            members[member.pilot_territory_id].append(member.user)
    plans = [plan for plan in map(_plan_of, territories) if plan is not None]
    grid, grids = _choose_grid(plans, grid_slug)
    version_id, version_number, axes, levels = (
        _grid_structure(grid) if grid else (None, None, [], [])
    )

    # Every bilan of the cohort's plans, newest first within each plan: a handful each.
    latest: dict[int, BilanSummary] = {}
    validated: dict[int, BilanSummary] = {}
    rows_of_bilans = (
        Bilan.objects.filter(plan__pilot_territory__cohort=cohort)
        .order_by("plan_id", "-date", "-pk")
        .values_list("pk", "plan_id", "date", "moment", "status", "grid_version__grid_id")
    )
    for values in rows_of_bilans:
        bilan = BilanSummary(*values)
        latest.setdefault(bilan.plan_id, bilan)
        if bilan.is_validated:
            validated.setdefault(bilan.plan_id, bilan)

    shown = {plan.pk for plan in plans if grid is not None and plan.grid_id == grid.pk}
    compared = {
        plan_id: bilan
        for plan_id, bilan in validated.items()
        if plan_id in shown and grid is not None and bilan.grid_id == grid.pk
    }
    levels_of: dict[int, dict[str, int]] = defaultdict(dict)
    bilan_plan = {bilan.pk: plan_id for plan_id, bilan in compared.items()}
    if bilan_plan:
        for bilan_id, code, level in (
            Entry.objects.filter(bilan_id__in=bilan_plan, level__isnull=False)
            .order_by()  # Meta.ordering would join the axes for nothing
            .values_list("bilan_id", "criterion__code", "level")
        ):
            if level is not None:  # always, by the filter
                levels_of[bilan_plan[bilan_id]][code] = level
    targets_of: dict[int, dict[str, int]] = defaultdict(dict)
    if compared:
        for plan_id, code, level in (
            Target.objects.filter(plan_id__in=compared, horizon=horizon)
            .order_by()
            .values_list("plan_id", "criterion__code", "level")
        ):
            targets_of[plan_id][code] = level

    rows = []
    figures = []
    for territory in territories:
        plan = _plan_of(territory)
        row = TerritoryRow(
            territory=territory,
            plan=plan,
            members=members[territory.pk],
            grid_id=grid.pk if grid else 0,
        )
        rows.append(row)
        if plan is None:
            continue
        row.latest = latest.get(plan.pk)
        row.has_validated_bilan = plan.pk in validated
        row.compared = compared.get(plan.pk)
        if row.compared is not None:
            row.levels = levels_of[plan.pk]
            means, gaps = axis_figures(axes, row.levels, targets_of[plan.pk])
            figures.append((means, gaps))
            row.axis_levels = [_round(v) for v in means]
            row.axis_gaps = [_round(v) for v in gaps]
    return CohortComparison(
        cohort=cohort,
        grid=grid,
        version_id=version_id,
        version_number=version_number,
        grids=grids,
        horizon=horizon,
        levels=levels,
        axes=axes,
        rows=rows,
        summaries=summarise(axes, figures),
    )
