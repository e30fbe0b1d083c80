"""The pictures of a plan: radar, evolution, roadmap (and the gaps of the feuille de route).

Each tag reads through `diagnostics.selectors` (a fixed number of queries, locked in the
tests), draws with `alliances.lib.charts` and renders a template holding the picture and
its table or list alternative. A page that has already read the figures passes them in
(`{% plan_radar plan radar %}`) and the tag reads nothing.
"""

from datetime import date
from typing import Any

from django import template
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from alliances.lib.charts import (
    GanttRow,
    Panel,
    Series,
    bars_svg,
    gantt_svg,
    radar_svg,
    small_multiples_svg,
    swatch_svg,
)

from .. import selectors
from ..models import Bilan, BilanMoment, Horizon, Plan
from ..selectors import (
    PlanEvolution,
    PlanFigures,
    PlanRadar,
    PlanRoadmap,
    plan_evolution,
    plan_radar,
    plan_roadmap,
)

register = template.Library()

BILAN_COLOR, CIBLE_COLOR, MEDIAN_COLOR = "#2f6690", "#b5503c", "#4d5a64"

SHORT_MOMENTS: dict[str, str] = {
    BilanMoment.T0: "T0",
    BilanMoment.END: "M9",
    BilanMoment.M36: "M36",
}


def moment_label(bilan: Bilan) -> str:
    """T0, M9, M36, or the date for another moment."""
    return SHORT_MOMENTS.get(bilan.moment) or date_format(bilan.date, "SHORT_DATE_FORMAT")


def _n(value: float) -> str:
    """2 → "2", 2.5 → "2,5" in French, 2.333 → "2,33": as precise as the figure is."""
    value = round(value, 2)
    return number_format(int(value) if float(value).is_integer() else value)


def radar_series(radar: PlanRadar) -> list[Series]:
    series = []
    if radar.bilan is not None:
        series.append(
            Series(
                _("Bilan (%(date)s)") % {"date": date_format(radar.bilan.date)},
                [axis.bilan for axis in radar.axes],
                "series-bilan",
                color=BILAN_COLOR,
            )
        )
    if radar.horizon is not None:
        series.append(
            Series(
                _("Cible (%(horizon)s)") % {"horizon": Horizon(radar.horizon).label},
                [axis.target for axis in radar.axes],
                "series-cible",
                color=CIBLE_COLOR,
                dash="7 4",
            )
        )
    if radar.has_median:
        series.append(
            Series(
                _("Promotion median"),
                [axis.median for axis in radar.axes],
                "series-median",
                color=MEDIAN_COLOR,
                dash="2 3",
            )
        )
    return series


@register.simple_tag
def plan_figures(plan: Plan) -> PlanFigures:
    """The radar's and the evolution's figures from one read, for a page showing both:
    `{% plan_figures plan as figures %}{% plan_radar plan figures.radar %}`."""
    return selectors.plan_figures(plan)


@register.inclusion_tag("diagnostics/_radar.html", name="plan_radar")
def plan_radar_picture(
    plan: Plan, radar: PlanRadar | None = None, with_criteria: bool = True
) -> dict[str, Any]:
    """The radar of the latest bilan, the cible and the promotion median by axis, with the
    figures as a table beside it and, unless `with_criteria` is False (the feuille de route
    shows them in a section of their own), by criterion in a <details>."""
    radar = radar if radar is not None else plan_radar(plan)
    series = radar_series(radar)
    svg = ""
    if radar.axes and series:
        svg = radar_svg(
            labels=[axis.name for axis in radar.axes],
            series=series,
            max_level=radar.max_level or 1,
            title=_("Radar of %(plan)s: mean level of each axis") % {"plan": plan.name},
            description=", ".join(s.name for s in series)
            + ". "
            + _("The same figures are in the table beside the picture."),
            level_names=radar.level_names,
            chart_id=f"radar-{plan.pk}",
        )
    return {
        "plan": plan,
        "radar": radar,
        "svg": mark_safe(svg),  # noqa: S308 (lib.charts escapes every text)
        "legend": [(mark_safe(swatch_svg(s)), s.name) for s in series],  # noqa: S308
        "with_criteria": with_criteria,
    }


@register.inclusion_tag("diagnostics/_criteria.html", name="plan_criteria")
def plan_criteria_table(plan: Plan, radar: PlanRadar | None = None) -> dict[str, Any]:
    """The level of each criterion: bilan, cible, promotion median and gap."""
    return {"plan": plan, "radar": radar if radar is not None else plan_radar(plan)}


@register.inclusion_tag("diagnostics/_gaps.html", name="plan_gaps")
def plan_gaps_picture(plan: Plan, radar: PlanRadar | None = None) -> dict[str, Any]:
    """cible − bilan by axis: a table and bars."""
    radar = radar if radar is not None else plan_radar(plan)
    gaps = [axis.gap for axis in radar.axes]
    svg = ""
    if any(gap is not None for gap in gaps):
        svg = bars_svg(
            labels=[axis.name for axis in radar.axes],
            values=gaps,
            scale=max(radar.max_level - 1, 1),
            title=_("Gap between the cible and the bilan, by axis"),
            description=_("The same figures are in the table before the picture."),
            chart_id=f"gaps-{plan.pk}",
        )
    return {"plan": plan, "radar": radar, "svg": mark_safe(svg)}  # noqa: S308


@register.inclusion_tag("diagnostics/_evolution.html", name="plan_evolution")
def plan_evolution_picture(plan: Plan, evolution: PlanEvolution | None = None) -> dict[str, Any]:
    """Per axis, the mean level at each successive bilan (small multiples), and a table."""
    evolution = evolution if evolution is not None else plan_evolution(plan)
    moments = [moment_label(bilan) for bilan in evolution.bilans]
    svg = ""
    if evolution.bilans and evolution.axes:
        svg = small_multiples_svg(
            panels=[Panel(axis.name, axis.values, axis.target) for axis in evolution.axes],
            moments=moments,
            max_level=evolution.max_level or 1,
            title=_("Evolution of %(plan)s: mean level of each axis at each bilan")
            % {"plan": plan.name},
            description=_(
                "One small chart per axis; the dashed line is the cible. "
                "The same figures are in the table after the picture."
            ),
            color=BILAN_COLOR,
            target_color=CIBLE_COLOR,
            chart_id=f"evolution-{plan.pk}",
        )
    rows = [
        (axis, [(value, bilan) for value, bilan in zip(axis.values, evolution.bilans, strict=True)])
        for axis in evolution.axes
    ]
    return {
        "plan": plan,
        "evolution": evolution,
        "moments": list(zip(evolution.bilans, moments, strict=True)),
        "rows": rows,
        "svg": mark_safe(svg),  # noqa: S308
    }


def roadmap_rows(roadmap: PlanRoadmap) -> list[GanttRow]:
    rows = []
    for item in roadmap.items:
        if item.kind == "action":
            action: Any = item.obj
            rows.append(
                GanttRow(
                    action.title,
                    action.start,
                    action.due,
                    action.status,
                    action.get_status_display(),
                )
            )
        else:
            milestone: Any = item.obj
            rows.append(
                GanttRow(
                    milestone.title,
                    milestone.date,
                    None,
                    "reached" if milestone.done else "upcoming",
                    _("milestone reached") if milestone.done else _("milestone"),
                )
            )
    return rows


@register.inclusion_tag("diagnostics/_roadmap.html", name="plan_roadmap")
def plan_roadmap_picture(
    plan: Plan, roadmap: PlanRoadmap | None = None, today: date | None = None
) -> dict[str, Any]:
    """The trajectoire as a Gantt-like picture, and as a list by start date."""
    roadmap = roadmap if roadmap is not None else plan_roadmap(plan)
    today = today or timezone.localdate()
    span = roadmap.span
    svg = ""
    if span is not None:
        svg = gantt_svg(
            rows=roadmap_rows(roadmap),
            start=span[0],
            end=span[1],
            today=today,
            title=_("Feuille de route of %(plan)s: actions and milestones over time")
            % {"plan": plan.name},
            description=_("The same actions and milestones are listed after the picture."),
            month_label=lambda day: date_format(day, "M Y"),
            today_label=_("today"),
            chart_id=f"roadmap-{plan.pk}",
        )
    return {"plan": plan, "roadmap": roadmap, "svg": mark_safe(svg)}  # noqa: S308


@register.filter
def level(value: float | None) -> str:
    """A level or a mean level as the page's language writes numbers; a dash when none."""
    return "—" if value is None else _n(value)


@register.filter
def named_level(value: int | None, names: list[str]) -> str:
    """A criterion's level with its name (“2 · Structuration”); a dash when none."""
    if value is None:
        return "—"
    return f"{value} · {names[value - 1]}" if 1 <= value <= len(names) else str(value)
