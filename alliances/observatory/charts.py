"""Server-side SVG charts of results: horizontal bars with 95% confidence-interval whiskers.

Drawn on the server so that a chart needs no JavaScript, downloads as the very SVG shown,
and carries its own accessible name (`role="img"`, `<title>`, `<desc>`); the dashboard puts
the data table beside every chart. Only presentation attributes, no `style` (the CSP allows
no inline styles). Colours: dark blue bars (7:1 on white), near-black whiskers and text.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils.formats import number_format
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from . import analysis

BAR = "#1d4f91"
BAR_EMPTY = "#6b6b6b"
INK = "#1a1a1a"
GRID = "#767676"

WIDTH = 760
LABEL_WIDTH = 280
VALUE_WIDTH = 150
ROW = 30
BAR_HEIGHT = 18
TOP = 12
AXIS = 28

LEVEL = "95\u00a0%"

_ids = itertools.count(1)


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: nothing to draw (a hidden small cell, no answer)
    low: float | None = None
    high: float | None = None
    note: str = ""  # said instead of the value when there is none


def number(value: float, places: int) -> str:
    """In the active language's format, rounded (Django's number_format truncates)."""
    return number_format(round(value, places), places)


def percent(value: float | None) -> str:
    if value is None:
        return "–"
    return f"{number(value * 100, 1)}\u00a0%"


def plain(value: float | None) -> str:
    if value is None:
        return "–"
    return number(value, 2)


def bar_chart(
    bars: Sequence[Bar],
    *,
    title: str,
    desc: str,
    shares: bool = True,
    standalone: bool = False,
) -> SafeString:
    """Horizontal bars, one a row, with their CI whisker and value written beside them.
    Shares scale 0–100 %; other values scale from 0 to the largest high end."""
    uid = f"chart{next(_ids)}"
    if shares:
        top, fmt = 1.0, percent
    else:
        ends = [b.high if b.high is not None else b.value for b in bars]
        top, fmt = max([abs(e) for e in ends if e is not None] or [1.0]) or 1.0, plain
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + ROW * max(len(bars), 1) + AXIS

    def x(value: float) -> float:
        return LABEL_WIDTH + plot * max(0.0, min(value, top)) / top

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{uid}-t {uid}-d" font-family="sans-serif" font-size="13">',
        f'<title id="{uid}-t">{escape(title)}</title>',
        f'<desc id="{uid}-d">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{height}" fill="#ffffff"/>',
    ]
    for i, bar in enumerate(bars):
        y = TOP + i * ROW
        middle = y + ROW / 2
        label = bar.label if len(bar.label) <= 40 else bar.label[:39] + "…"
        parts.append(f'<g class="bar"><title>{escape(bar.label)}</title>')
        parts.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{middle + 4:.1f}" text-anchor="end" '
            f'fill="{INK}">{escape(label)}</text>'
        )
        if bar.value is None:
            parts.append(
                f'<text x="{LABEL_WIDTH + 4}" y="{middle + 4:.1f}" fill="{BAR_EMPTY}" '
                f'font-style="italic">{escape(bar.note or "–")}</text></g>'
            )
            continue
        left, right = x(0.0), x(bar.value)
        parts.append(
            f'<rect x="{left:.1f}" y="{middle - BAR_HEIGHT / 2:.1f}" '
            f'width="{max(right - left, 1.0):.1f}" height="{BAR_HEIGHT}" fill="{BAR}"/>'
        )
        end = right
        if bar.low is not None and bar.high is not None:
            lo, hi = x(bar.low), x(bar.high)
            end = max(end, hi)
            parts.append(
                f'<path d="M{lo:.1f} {middle:.1f}H{hi:.1f}M{lo:.1f} {middle - 6:.1f}'
                f'V{middle + 6:.1f}M{hi:.1f} {middle - 6:.1f}V{middle + 6:.1f}" '
                f'stroke="{INK}" stroke-width="1.5" fill="none"/>'
            )
        text = fmt(bar.value)
        if bar.low is not None and bar.high is not None:
            text += f" [{fmt(bar.low)} ; {fmt(bar.high)}]"
        parts.append(
            f'<text x="{end + 6:.1f}" y="{middle + 4:.1f}" fill="{INK}">{escape(text)}</text></g>'
        )
    axis_y = TOP + ROW * max(len(bars), 1)
    parts.append(
        f'<path d="M{LABEL_WIDTH} {TOP}V{axis_y}H{LABEL_WIDTH + plot}" stroke="{GRID}" '
        f'fill="none"/>'
    )
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        tx = LABEL_WIDTH + plot * tick
        parts.append(
            f'<text x="{tx:.1f}" y="{axis_y + 18}" text-anchor="middle" fill="{INK}" '
            f'font-size="11">{escape(fmt(top * tick))}</text>'
        )
    parts.append("</svg>")
    svg = "".join(parts)
    if standalone:
        svg = '<?xml version="1.0" encoding="UTF-8"?>\n' + svg + "\n"
    return mark_safe(svg)  # noqa: S308 — every text above is escaped


def small_note(min_n: int) -> str:
    return _("too few respondents (n < %(min_n)s)") % {"min_n": min_n}


def group_label(group: analysis.GroupResult) -> str:
    return " · ".join(group.key_labels.values()) or _("All respondents")


def results_bars(results: analysis.Results, focus: str | None = None) -> list[Bar]:
    """The bars of a result: a question's options for the whole base; with a breakdown, one
    bar per group for the `focus` option (or the mean), largest first, hidden cells last."""
    note = small_note(results.min_n)
    number = results.question.kind == "number"
    if not results.by:
        group = results.groups[0]
        if number:
            m = group.mean
            return [Bar(_("Mean"), m.value if m else None, m.ci_low if m else None,
                        m.ci_high if m else None, note if group.too_small else "")]
        return [
            Bar(o.label, o.share, o.ci_low, o.ci_high, note if group.too_small else "")
            for o in group.options
        ]
    bars = []
    for group in results.groups:
        if number:
            value = group.mean
        else:
            value = next((o for o in group.options if o.code == focus), None) or (
                group.options[0] if group.options else None)
        if value is None:
            bars.append(Bar(group_label(group), None, note=note if group.too_small else ""))
            continue
        share = value.value if number else value.share  # type: ignore[union-attr]
        # An analyst sees a small cell's figures, flagged.
        label = group_label(group) + (" ⚠" if group.too_small else "")
        bars.append(Bar(label, share, value.ci_low, value.ci_high,
                        note if group.too_small else _("no respondent")))
    return sorted(bars, key=lambda b: (b.value is None, -(b.value or 0.0)))


def results_chart(results: analysis.Results, *, focus: str | None = None, title: str = "",
                  by_labels: Sequence[str] = (), standalone: bool = False) -> SafeString:
    bars = results_bars(results, focus)
    number = results.question.kind == "number"
    if results.by and not number:
        option = dict(results.question.options).get(focus or "", "")
        desc = _("Share answering « %(option)s » by %(by)s, largest first, with %(level)s "
                 "confidence intervals. The table below gives every figure.") % {
            "option": option, "by": ", ".join(by_labels or results.by), "level": LEVEL}
    elif number:
        desc = _("Weighted mean with its %(level)s confidence interval. The table below "
                 "gives every figure.") % {"level": LEVEL}
    else:
        desc = _("Weighted share of each answer with its %(level)s confidence interval. The "
                 "table below gives every figure.") % {"level": LEVEL}
    return bar_chart(bars, title=title or results.question.label, desc=desc,
                     shares=not number, standalone=standalone)
