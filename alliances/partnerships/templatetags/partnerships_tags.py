"""Template helpers of the alliances registry: amounts, Markdown, the indicator chart, and
the alliance lists other pages include (an organisation's, a territory's)."""

from decimal import Decimal
from html import escape

from django import template
from django.utils.safestring import SafeString, mark_safe

from alliances.lib.richtext import render_markdown

from ..selectors import IndicatorSeries, number, organisation_alliances, territory_alliances

register = template.Library()


@register.filter
def markdown(text: str) -> SafeString:
    return mark_safe(render_markdown(text))  # noqa: S308 -- sanitised by nh3 in render_markdown


@register.filter
def measure(value: Decimal | None) -> str:
    return "" if value is None else number(Decimal(value))


@register.filter
def euros(value: Decimal | None) -> str:
    """12 500 € (a narrow no-break space between thousands, as in French)."""
    if value is None:
        return ""
    text = number(Decimal(value))
    whole, _, decimals = text.partition(",")
    groups = []
    while len(whole) > 3:
        groups.insert(0, whole[-3:])
        whole = whole[:-3]
    groups.insert(0, whole)
    return "\u202f".join(groups) + (f",{decimals}" if decimals else "") + "\u00a0€"


@register.simple_tag
def series_chart(series: IndicatorSeries, width: int = 320, height: int = 120) -> SafeString:
    """A small line chart of one indicator over time (the table beside it has the data)."""
    points = series.points
    if len(points) < 2:
        return mark_safe("")
    left, right, top, bottom = 8, 8, 10, 10
    first, last = points[0][0], points[-1][0]
    span = max((last - first).days, 1)
    top_value = max(float(v) for _d, v in points) or 1.0
    coords = []
    for day, value in points:
        x = left + (width - left - right) * (day - first).days / span
        y = top + (height - top - bottom) * (1 - float(value) / top_value)
        coords.append(f"{x:.1f},{y:.1f}")
    title = escape(series.name)
    circles = "".join(
        f'<circle cx="{c.split(",")[0]}" cy="{c.split(",")[1]}" r="3" fill="#2f6690"/>'
        for c in coords
    )
    svg = (
        f'<svg class="indicator-chart" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<line x1="{left}" y1="{height - bottom}" x2="{width - right}" y2="{height - bottom}" '
        'stroke="#c9d1d8"/>'
        f'<polyline points="{" ".join(coords)}" fill="none" stroke="#2f6690" '
        f'stroke-width="2"/>{circles}</svg>'
    )
    return mark_safe(svg)  # noqa: S308 -- numbers and an escaped title only


@register.inclusion_tag("partnerships/_organisation_alliances.html", takes_context=True)
def organisation_alliance_list(context, organisation) -> dict:
    user = context["request"].user
    alliances, total = organisation_alliances(organisation, user)
    return {"organisation": organisation, "alliances": alliances, "total": total,
            "request": context["request"]}


@register.inclusion_tag("partnerships/_territory_ecosystem.html", takes_context=True)
def territory_ecosystem(context, territory, level: str) -> dict:
    user = context["request"].user
    alliances, counts = territory_alliances(territory, user)
    return {"territory": territory, "level": level, "alliances": alliances, "counts": counts,
            "request": context["request"]}
