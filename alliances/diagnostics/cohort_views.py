"""The animateur's cohort view: every pilot territory's bilan side by side (views).

Like the animateur's console, it answers 404 to those who may not see the cohort (a private
cohort does not leak) and 403 to members who do not animate it. The page is kept in the
per-person cohort page cache (journeys.pagecache): the diagnostics write services bump the
cohort's pages version, so an animateur never sees a page older than the last write.
"""

from dataclasses import replace

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import URLPattern, path
from django.utils.formats import get_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from alliances.journeys.models import Cohort
from alliances.journeys.pagecache import cached_cohort_page, page_valid_until
from alliances.lib.charts import Series, radar_svg, swatch_svg

from .cohort_selectors import CohortComparison, TerritoryRow, cohort_comparison
from .models import Horizon

# The territory's line and the promotion's median differ by dash as well as by colour.
TERRITORY_COLOR, MEDIAN_COLOR, MEDIAN_DASH = "#2f6690", "#b5503c", "5 4"
RADAR_SIZE = 180
TERRITORY_SERIES = Series("", [], "cohort-radar-territory", color=TERRITORY_COLOR)


def _figure(value: float | None, separator: str) -> str:
    """A level or a gap as the tables show it: up to two decimals, the language's
    separator (what floatformat:"-2" does, at a fraction of its cost: ~150 cells a page)."""
    if value is None:
        return "—"
    return f"{value:.2f}".rstrip("0").rstrip(".").replace(".", separator)


def _tables(comparison: CohortComparison) -> dict[str, list]:
    separator = get_format("DECIMAL_SEPARATOR")

    def figure(value: float | None) -> str:
        return _figure(value, separator)

    return {
        "lowest": [(s, figure(s.median)) for s in comparison.lowest_medians],
        "biggest": [(s, figure(s.mean_gap)) for s in comparison.biggest_gaps],
        "summaries": [(s, figure(s.median), figure(s.mean_gap)) for s in comparison.summaries],
        "levels": [(row, [figure(v) for v in row.axis_levels]) for row in comparison.compared],
        "medians": [figure(v) for v in comparison.medians],
    }


def _swatch(series: Series) -> SafeString:
    return mark_safe(swatch_svg(series))  # noqa: S308 (swatch_svg escapes what it writes)


def _median_series(comparison: CohortComparison) -> Series:
    return Series(
        _("Promotion median"),
        comparison.medians,
        "cohort-radar-median",
        color=MEDIAN_COLOR,
        dash=MEDIAN_DASH,
    )


def _radars(comparison: CohortComparison) -> list[tuple[TerritoryRow, SafeString]]:
    """One radar per territory with a validated bilan: its axes against the median."""
    labels = [axis.name for axis in comparison.axes]
    median = _median_series(comparison)
    radars = []
    for row in comparison.compared:
        name = row.territory.name
        svg = radar_svg(
            labels=labels,
            series=[
                replace(TERRITORY_SERIES, name=name, values=row.axis_levels),
                median,
            ],
            max_level=comparison.max_level,
            size=RADAR_SIZE,
            title=_("%(territory)s: mean level of each axis, against the promotion's median")
            % {"territory": name},
            chart_id=f"cohort-radar-{row.territory.pk}",
        )
        # radar_svg escapes every text it writes (labels and names are user data).
        radars.append((row, mark_safe(svg)))  # noqa: S308
    return radars


def _check(request: HttpRequest, cohort: Cohort) -> None:
    # Who may manage, first: one query for an animateur, the page's usual reader.
    if request.user.has_perm("journeys.manage_cohort", cohort):
        return
    # A private cohort is not found for those outside it: its existence does not leak.
    if not request.user.has_perm("journeys.view_cohort", cohort):
        raise Http404
    raise PermissionDenied


@login_required
@require_GET
@cached_cohort_page("bilans")
def cohort_bilans(request: HttpRequest, slug: str) -> HttpResponse:
    cohort = get_object_or_404(Cohort, slug=slug)
    _check(request, cohort)
    horizon = request.GET.get("horizon", Horizon.M36)
    if horizon not in Horizon.values:
        horizon = Horizon.M36
    comparison = cohort_comparison(cohort, grid_slug=request.GET.get("grille"), horizon=horizon)
    median = _median_series(comparison)
    context = {
        "cohort": cohort,
        "comparison": comparison,
        "horizons": Horizon.choices,
        "radars": _radars(comparison) if comparison.max_level else [],
        "tables": _tables(comparison),
        "legend": [
            (_("The territory's bilan"), _swatch(TERRITORY_SERIES)),
            (median.name, _swatch(median)),
        ],
    }
    response = render(request, "diagnostics/cohort.html", context)
    # Nothing on the page changes with time alone: valid until the next write.
    page_valid_until(response, [])
    return response


urlpatterns: list[URLPattern] = [
    path("promotion/<slug:slug>/", cohort_bilans, name="cohort"),
]
