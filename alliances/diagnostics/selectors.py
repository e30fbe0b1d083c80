"""Reads shared by the diagnostics pages, pictures and the cohort view.

Levels are compared by criterion *code*, so bilans made on different versions of a grid
line up; a criterion absent from a version is simply missing from that bilan's levels.
"""

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from django.db.models import F, OuterRef, Prefetch, Subquery

from alliances.actors.models import Organisation
from alliances.journeys.models import PilotTerritory

from .models import (
    Action,
    Axis,
    Bilan,
    BilanStatus,
    Criterion,
    Entry,
    GridVersion,
    Milestone,
    Plan,
    Target,
)


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
    rows = Entry.objects.filter(bilan=bilan, level__isnull=False).values_list(
        "criterion__code", "level"
    )
    return {code: level for code, level in rows if level is not None}


def target_levels(plan: Plan, horizon: str) -> dict[str, int]:
    """criterion code → target level of the plan's cible at `horizon`."""
    return dict(
        Target.objects.filter(plan=plan, horizon=horizon).values_list("criterion__code", "level")
    )


def axis_means(axes: list[Axis], levels: dict[str, float]) -> dict[str, float | None]:
    """axis code → mean of the levels of its criteria present in `levels` (None if none)."""
    means: dict[str, float | None] = {}
    for axis in axes:
        present = [levels[c.code] for c in axis.criteria.all() if c.code in levels]
        means[axis.code] = round(statistics.fmean(present), 2) if present else None
    return means


# -- pictures of one plan: radar, evolution, roadmap, feuille de route ----------------------
# (the "pictures" part; each function reads a fixed number of queries, locked in its tests)


@dataclass
class CriterionFigures:
    """One criterion on the radar: the bilan's level, the cible's, the cohort median."""

    code: str
    name: str
    bilan: int | None
    target: int | None
    median: float | None

    @property
    def gap(self) -> int | None:
        """cible − bilan, when both are set."""
        if self.bilan is None or self.target is None:
            return None
        return self.target - self.bilan


@dataclass
class AxisFigures:
    """One axis: the mean of its criteria's levels for the bilan, the cible and the
    cohort median (each over the criteria that have one), and the criteria themselves."""

    code: str
    name: str
    bilan: float | None
    target: float | None
    median: float | None
    criteria: list[CriterionFigures]

    @property
    def gap(self) -> float | None:
        """Mean of (cible − bilan) over the axis's criteria that have both."""
        gaps = [c.gap for c in self.criteria if c.gap is not None]
        return round(statistics.fmean(gaps), 2) if gaps else None


@dataclass
class PlanRadar:
    plan: Plan
    bilan: Bilan | None
    version: GridVersion | None
    horizon: str | None  # the cible's horizon shown (M36, else the end of the parcours)
    level_names: list[str]
    axes: list[AxisFigures]
    has_median: bool

    @property
    def max_level(self) -> int:
        return len(self.level_names)


@dataclass
class _AxisCriteria:
    code: str
    name: str
    criteria: list[Criterion]


def _axes_with_criteria(version: GridVersion) -> list[_AxisCriteria]:
    """The version's axes (those with criteria) and their criteria, in order: one query."""
    axes: dict[int, _AxisCriteria] = {}
    for criterion in (
        Criterion.objects.filter(version=version)
        .select_related("axis")
        .order_by("axis__position", "position")
    ):
        axis = criterion.axis
        axes.setdefault(axis.pk, _AxisCriteria(axis.code, axis.name, [])).criteria.append(criterion)
    return list(axes.values())


def _axis_mean(axis: _AxisCriteria, levels: dict[str, int]) -> float | None:
    return _mean([levels[c.code] for c in axis.criteria if c.code in levels])


def _level_names(version: GridVersion) -> list[str]:
    return list(version.levels.order_by("rank").values_list("name", flat=True))


def _plan_cible(plan: Plan) -> tuple[str | None, dict[str, int]]:
    """The cible at 36 months, or at the end of the parcours when the team set none at
    36 months: (horizon, criterion code → level). One query."""
    by_horizon: dict[str, dict[str, int]] = defaultdict(dict)
    for horizon, code, level in Target.objects.filter(plan=plan).values_list(
        "horizon", "criterion__code", "level"
    ):
        by_horizon[horizon][code] = level
    for horizon in ("m36", "fin_parcours"):
        if by_horizon.get(horizon):
            return horizon, by_horizon[horizon]
    return None, {}


def _mean(values: list[float]) -> float | None:
    return round(statistics.fmean(values), 2) if values else None


@dataclass
class AxisEvolution:
    code: str
    name: str
    values: list[float | None]  # the axis mean at each bilan, in date order
    target: float | None


@dataclass
class PlanEvolution:
    plan: Plan
    bilans: list[Bilan]  # in date order
    version: GridVersion | None
    level_names: list[str]
    axes: list[AxisEvolution]

    @property
    def max_level(self) -> int:
        return len(self.level_names)


@dataclass
class _PlanReads:
    """What the radar and the evolution both read: the bilans, the version they are laid
    out on (the latest bilan's; the grid's newest before any bilan), its axes and levels,
    every bilan's levels and the cible."""

    bilans: list[Bilan]  # in date order
    version: GridVersion | None
    axes: list[_AxisCriteria]
    level_names: list[str]
    levels: dict[int, dict[str, int]]  # bilan id → criterion code → level
    horizon: str | None
    targets: dict[str, int]


def _plan_reads(plan: Plan) -> _PlanReads:
    """Five queries (six when the grid has no bilan yet)."""
    bilans = list(
        Bilan.objects.filter(plan=plan).select_related("grid_version").order_by("date", "pk")
    )
    version = bilans[-1].grid_version if bilans else latest_version(plan.grid_id)
    if version is None:
        return _PlanReads(bilans, None, [], [], {}, None, {})
    levels: dict[int, dict[str, int]] = {bilan.pk: {} for bilan in bilans}
    for bilan_id, code, level in Entry.objects.filter(
        bilan__plan=plan, level__isnull=False
    ).values_list("bilan_id", "criterion__code", "level"):
        if level is not None:
            levels[bilan_id][code] = level
    horizon, targets = _plan_cible(plan)
    return _PlanReads(
        bilans,
        version,
        _axes_with_criteria(version),
        _level_names(version),
        levels,
        horizon,
        targets,
    )


def _cohort_levels(plan: Plan) -> dict[int, dict[str, int]]:
    """plan id → criterion code → level, from the latest *validated* bilan of each plan of
    the plan's cohort on the same grid (as the animateur's cohort view counts them: a draft
    may be half-filled). One query: the cohort and each plan's latest bilan are found in SQL."""
    if plan.pilot_territory_id is None:
        return {}
    cohort = PilotTerritory.objects.filter(pk=plan.pilot_territory_id).values("cohort_id")[:1]
    validated = Bilan.objects.filter(status=BilanStatus.VALIDATED)
    newest = validated.filter(plan=OuterRef("plan")).order_by("-date", "-pk").values("pk")[:1]
    latest = (
        validated.filter(plan__grid_id=plan.grid_id, plan__pilot_territory__cohort_id=cohort)
        .annotate(newest=Subquery(newest))
        .filter(pk=F("newest"))
        .values("pk")
    )
    by_plan: dict[int, dict[str, int]] = defaultdict(dict)
    rows = Entry.objects.filter(bilan__in=latest, level__isnull=False).values_list(
        "bilan__plan_id", "criterion__code", "level"
    )
    for plan_id, code, level in rows:
        if level is not None:
            by_plan[plan_id][code] = level
    return by_plan


def _median(values: list[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def _radar(plan: Plan, reads: _PlanReads) -> PlanRadar:
    bilan = reads.bilans[-1] if reads.bilans else None
    if reads.version is None:
        return PlanRadar(plan, bilan, None, None, [], [], False)
    levels = reads.levels[bilan.pk] if bilan else {}
    # The promotion median, as on the animateur's cohort view: per criterion, the median of
    # the territories' levels; per axis, the median of the territories' axis means.
    cohort = _cohort_levels(plan)
    figures = []
    for axis in reads.axes:
        criteria = [
            CriterionFigures(
                code=c.code,
                name=c.name,
                bilan=levels.get(c.code),
                target=reads.targets.get(c.code),
                median=_median([lv[c.code] for lv in cohort.values() if c.code in lv]),
            )
            for c in axis.criteria
        ]
        axis_means_of_plans = [
            mean
            for lv in cohort.values()
            if (mean := _mean([lv[c.code] for c in axis.criteria if c.code in lv])) is not None
        ]
        figures.append(
            AxisFigures(
                code=axis.code,
                name=axis.name,
                bilan=_mean([c.bilan for c in criteria if c.bilan is not None]),
                target=_mean([c.target for c in criteria if c.target is not None]),
                median=_median(axis_means_of_plans),
                criteria=criteria,
            )
        )
    return PlanRadar(
        plan, bilan, reads.version, reads.horizon, reads.level_names, figures, bool(cohort)
    )


def _evolution(plan: Plan, reads: _PlanReads) -> PlanEvolution:
    if reads.version is None:
        return PlanEvolution(plan, reads.bilans, None, [], [])
    return PlanEvolution(
        plan,
        reads.bilans,
        reads.version,
        reads.level_names,
        [
            AxisEvolution(
                axis.code,
                axis.name,
                [_axis_mean(axis, reads.levels[bilan.pk]) for bilan in reads.bilans],
                _axis_mean(axis, reads.targets),
            )
            for axis in reads.axes
        ],
    )


def plan_radar(plan: Plan) -> PlanRadar:
    """The plan's latest bilan (validated or not) against its cible and the median of its
    cohort's latest bilans, by criterion and by axis mean, on the bilan's grid version.
    Six queries."""
    return _radar(plan, _plan_reads(plan))


def plan_evolution(plan: Plan) -> PlanEvolution:
    """Every bilan of the plan in date order (T0 → M9 → M36…), each axis's mean level at
    each, laid out on the latest bilan's grid version (criteria by code). Five queries."""
    return _evolution(plan, _plan_reads(plan))


@dataclass
class PlanFigures:
    radar: PlanRadar
    evolution: PlanEvolution


def plan_figures(plan: Plan) -> PlanFigures:
    """The radar and the evolution from one read: as many queries as the radar alone."""
    reads = _plan_reads(plan)
    return PlanFigures(_radar(plan, reads), _evolution(plan, reads))


@dataclass
class RoadmapItem:
    """An action or a milestone, for the list that goes with the Gantt picture."""

    kind: str  # "action" or "milestone"
    start: date
    obj: Action | Milestone


@dataclass
class PlanRoadmap:
    plan: Plan
    actions: list[Action]
    milestones: list[Milestone]

    @property
    def items(self) -> list[RoadmapItem]:
        """Actions and milestones together, by start date (milestones first on a tie)."""
        items = [RoadmapItem("action", a.start, a) for a in self.actions]
        items += [RoadmapItem("milestone", m.date, m) for m in self.milestones]
        return sorted(items, key=lambda item: (item.start, item.kind != "milestone"))

    @property
    def span(self) -> tuple[date, date] | None:
        """The first and last day the roadmap covers (None when it is empty)."""
        days = [a.start for a in self.actions] + [a.due for a in self.actions]
        days += [m.date for m in self.milestones]
        return (min(days), max(days)) if days else None


def plan_roadmap(plan: Plan) -> PlanRoadmap:
    """The trajectoire: actions by start (with owner, partners and criteria) and
    milestones by date. Four queries."""
    actions = list(
        Action.objects.filter(plan=plan)
        .select_related("owner")
        .prefetch_related(
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
            Prefetch("criteria", queryset=Criterion.objects.order_by("axis__position", "position")),
        )
        .order_by("start", "due", "pk")
    )
    milestones = list(Milestone.objects.filter(plan=plan).order_by("date", "pk"))
    return PlanRoadmap(plan, actions, milestones)
