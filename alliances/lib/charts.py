"""Charts as SVG markup: a radar, small multiples and a Gantt-like roadmap.

Pure functions from plain data to an SVG string, no framework: the same markup goes into
the web pages and into the PDFs WeasyPrint draws. Two constraints shape it:

- the Content-Security-Policy forbids inline styles, so there is no `style` attribute;
  classes let the page's stylesheet restyle the picture on screen;
- WeasyPrint draws an inline SVG without the document's stylesheets, so everything the
  picture needs to be read (colours, dashes, font sizes) is a presentation attribute
  (`fill`, `stroke`, `stroke-dasharray`, `font-size`), which any CSS rule overrides.

Every picture is `role="img"` with a `<title>` (and a `<desc>` when given) it is labelled
by; the pages put a data table beside it. Every text is escaped: labels are user data.
Numbers are written with a dot whatever the locale.
"""

import hashlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from html import escape

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#1d2a36"
MUTED = "#5b6670"
GRID = "#c9d1d8"


@dataclass(frozen=True)
class Series:
    """One line of a radar: a value per label, None where it is missing.

    `color` and `dash` draw it in a PDF or a page without our stylesheet; two series
    should differ by dash as well as by colour, so that colour is never the only cue."""

    name: str
    values: list[float | None]
    css_class: str
    color: str = INK
    dash: str = ""


@dataclass(frozen=True)
class Panel:
    """One small chart of the small multiples: a value per moment (None: missing) and,
    when set, the target drawn as a dashed line."""

    name: str
    values: list[float | None]
    target: float | None = None


@dataclass(frozen=True)
class GanttRow:
    """An action (`end` set: a bar from `start` to `end`, both days included) or a
    milestone (`end` None: a diamond on `start`). `status` becomes a class and picks the
    colour; `status_label` is what the tooltip says."""

    label: str
    start: date
    end: date | None
    status: str
    status_label: str = ""


# Status → (fill, stroke, dash) of the bars: dropped actions are hollow and dashed, done
# ones solid, so the status reads without colour too.
GANTT_STATUS = {
    "a_faire": ("#ffffff", "#2f6690", ""),
    "en_cours": ("#7fb3d5", "#2f6690", ""),
    "fait": ("#2f6690", "#2f6690", ""),
    "abandonne": ("#ffffff", "#8a8f94", "4 3"),
}


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _id(prefix: str, *parts: object) -> str:
    digest = hashlib.sha1(repr(parts).encode(), usedforsecurity=False).hexdigest()[:10]
    return f"{prefix}-{digest}"


def _open(
    *, width: float, height: float, css: str, chart_id: str, title: str, description: str
) -> list[str]:
    labelled = f"{chart_id}-title" + (f" {chart_id}-desc" if description else "")
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart {css}" id="{chart_id}" '
        f'viewBox="0 0 {_num(width)} {_num(height)}" width="{_num(width)}" '
        f'height="{_num(height)}" role="img" aria-labelledby="{labelled}" '
        f'font-family="{FONT}" font-size="11" fill="{INK}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
    ]
    if description:
        out.append(f'<desc id="{chart_id}-desc">{escape(description)}</desc>')
    return out


def _wrap(text: str, width: int) -> list[str]:
    """Words into lines of about `width` characters (a long word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [""]


def _shorten(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


# -- radar ---------------------------------------------------------------------------------


def radar_point(
    *, index: int, count: int, value: float, max_level: int, cx: float, cy: float, radius: float
) -> tuple[float, float]:
    """Where `value` lies on spoke `index` of `count` (the first spoke points up, the
    others clockwise): the centre is 0, the outer ring `max_level`."""
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = radius * value / max_level
    return round(cx + r * math.cos(angle), 2), round(cy + r * math.sin(angle), 2)


def radar_svg(
    *,
    labels: list[str],
    series: list[Series],
    max_level: int,
    size: int = 360,
    title: str,
    description: str = "",
    level_names: Sequence[str] | None = None,
    chart_id: str | None = None,
) -> str:
    """A radar: one spoke per label, one ring per level (named by `level_names` when
    given, else by number), one polygon per series. A missing value (None) has no point:
    the polygon joins the points that are there."""
    if max_level < 1:
        raise ValueError("max_level must be at least 1")
    for one in series:
        if len(one.values) != len(labels):
            raise ValueError(
                f"series {one.name!r} has {len(one.values)} values for {len(labels)} labels"
            )
    chart_id = chart_id or _id("radar", title, labels, series)
    pad_x, pad_y = 96, 58
    width, height = size + 2 * pad_x, size + 2 * pad_y
    cx, cy = width / 2, height / 2
    radius = size / 2 - 6
    count = len(labels)
    out = _open(
        width=width,
        height=height,
        css="chart-radar",
        chart_id=chart_id,
        title=title,
        description=description,
    )

    def point(index: int, value: float) -> tuple[float, float]:
        return radar_point(
            index=index, count=count, value=value, max_level=max_level, cx=cx, cy=cy, radius=radius
        )

    out.append('<g class="chart-rings">')
    for level in range(1, max_level + 1):
        if count >= 3:
            points = " ".join(
                f"{_num(x)},{_num(y)}" for x, y in (point(i, level) for i in range(count))
            )
            out.append(
                f'<polygon class="chart-ring chart-ring-{level}" points="{points}" '
                f'fill="none" stroke="{GRID}" stroke-width="1"/>'
            )
        else:
            r = radius * level / max_level
            out.append(
                f'<circle class="chart-ring chart-ring-{level}" cx="{_num(cx)}" cy="{_num(cy)}" '
                f'r="{_num(r)}" fill="none" stroke="{GRID}" stroke-width="1"/>'
            )
    for i in range(count):
        x, y = point(i, max_level)
        out.append(
            f'<line class="chart-spoke" x1="{_num(cx)}" y1="{_num(cy)}" x2="{_num(x)}" '
            f'y2="{_num(y)}" stroke="{GRID}" stroke-width="1"/>'
        )
    for level in range(1, max_level + 1):
        name = level_names[level - 1] if level_names and level <= len(level_names) else ""
        text = f"{level}. {name}" if name else str(level)
        y = cy - radius * level / max_level
        out.append(
            f'<text class="chart-ring-label" x="{_num(cx + 4)}" y="{_num(y - 3)}" '
            f'font-size="11" fill="{MUTED}">{escape(text)}</text>'
        )
    out.append("</g>")

    out.append('<g class="chart-labels">')
    for i, label in enumerate(labels):
        x, y = point(i, max_level * (radius + 16) / radius)
        dx = x - cx
        anchor = "middle" if abs(dx) < 1 else "start" if dx > 0 else "end"
        lines = _wrap(label, 16)[:3]
        # Labels above the centre grow upwards, the others downwards.
        first_y = y - (len(lines) - 1) * 15 if y < cy - 1 else y + (10 if abs(dx) < 1 else 5)
        tspans = "".join(
            f'<tspan x="{_num(x)}" y="{_num(first_y + 15 * n)}">{escape(line)}</tspan>'
            for n, line in enumerate(lines)
        )
        out.append(
            f'<text class="chart-label" text-anchor="{anchor}" font-size="13">'
            f"<title>{escape(label)}</title>{tspans}</text>"
        )
    out.append("</g>")

    for one in series:
        present = [(i, value) for i, value in enumerate(one.values) if value is not None]
        dash = f' stroke-dasharray="{escape(one.dash)}"' if one.dash else ""
        out.append(f'<g class="chart-series {escape(one.css_class)}">')
        out.append(f"<title>{escape(one.name)}</title>")
        coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in (point(i, v) for i, v in present))
        if len(present) >= 3:
            out.append(
                f'<polygon class="chart-area" points="{coords}" fill="{escape(one.color)}" '
                f'fill-opacity="0.12" stroke="{escape(one.color)}" stroke-width="2"{dash}/>'
            )
        elif len(present) == 2:
            out.append(
                f'<polyline class="chart-area" points="{coords}" fill="none" '
                f'stroke="{escape(one.color)}" stroke-width="2"{dash}/>'
            )
        for i, value in present:
            x, y = point(i, value)
            out.append(
                f'<circle class="chart-point" cx="{_num(x)}" cy="{_num(y)}" r="4" '
                f'fill="{escape(one.color)}" data-value="{_num(value)}">'
                f"<title>{escape(one.name)} · {escape(labels[i])}: {_num(value)}</title></circle>"
            )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


def swatch_svg(series: Series) -> str:
    """A small line in the series' colour and dash, for a legend (hidden from screen
    readers: the legend's text says the name)."""
    dash = f' stroke-dasharray="{escape(series.dash)}"' if series.dash else ""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart-swatch {escape(series.css_class)}" '
        f'viewBox="0 0 28 10" width="28" height="10" aria-hidden="true" focusable="false">'
        f'<line x1="1" y1="5" x2="27" y2="5" stroke="{escape(series.color)}" '
        f'stroke-width="2.5"{dash}/><circle cx="14" cy="5" r="3" fill="{escape(series.color)}"/>'
        "</svg>"
    )


# -- small multiples -----------------------------------------------------------------------


def small_multiples_svg(
    *,
    panels: list[Panel],
    moments: list[str],
    max_level: int,
    title: str,
    description: str = "",
    columns: int = 3,
    panel_width: int = 200,
    panel_height: int = 130,
    color: str = "#2f6690",
    target_color: str = "#b5503c",
    chart_id: str | None = None,
) -> str:
    """One small line chart per panel, on the same scales: x = the moments (successive
    bilans), y = level 1 … `max_level`. A missing value breaks the line."""
    if max_level < 1:
        raise ValueError("max_level must be at least 1")
    for panel in panels:
        if len(panel.values) != len(moments):
            raise ValueError(
                f"panel {panel.name!r} has {len(panel.values)} values for {len(moments)} moments"
            )
    chart_id = chart_id or _id("multiples", title, panels, moments)
    columns = max(1, min(columns, len(panels) or 1))
    rows = math.ceil(len(panels) / columns) if panels else 1
    width, height = columns * panel_width, rows * panel_height
    out = _open(
        width=width,
        height=height,
        css="chart-multiples",
        chart_id=chart_id,
        title=title,
        description=description,
    )
    left, right, top, bottom = 26, 14, 30, 22
    inner_w = panel_width - left - right
    inner_h = panel_height - top - bottom

    for n, panel in enumerate(panels):
        ox = (n % columns) * panel_width
        oy = (n // columns) * panel_height

        def x_of(index: int, ox: float = ox) -> float:
            if len(moments) == 1:
                return ox + left + inner_w / 2
            return ox + left + inner_w * index / (len(moments) - 1)

        def y_of(value: float, oy: float = oy) -> float:
            return oy + top + inner_h * (1 - (value - 1) / max(max_level - 1, 1))

        out.append('<g class="chart-panel">')
        out.append(f"<title>{escape(panel.name)}</title>")
        out.append(
            f'<text class="chart-panel-title" x="{_num(ox + left)}" y="{_num(oy + 14)}" '
            f'font-size="11" font-weight="bold">{escape(_shorten(panel.name, 27))}</text>'
        )
        for level in range(1, max_level + 1):
            y = y_of(level)
            out.append(
                f'<line class="chart-gridline" x1="{_num(ox + left)}" y1="{_num(y)}" '
                f'x2="{_num(ox + left + inner_w)}" y2="{_num(y)}" stroke="{GRID}" '
                'stroke-width="1"/>'
                f'<text class="chart-tick" x="{_num(ox + left - 6)}" y="{_num(y + 3)}" '
                f'text-anchor="end" font-size="10" fill="{MUTED}">{level}</text>'
            )
        for index, moment in enumerate(moments):
            out.append(
                f'<text class="chart-tick" x="{_num(x_of(index))}" '
                f'y="{_num(oy + top + inner_h + 14)}" text-anchor="middle" font-size="10" '
                f'fill="{MUTED}">{escape(_shorten(moment, 12))}</text>'
            )
        if panel.target is not None:
            y = y_of(panel.target)
            out.append(
                f'<line class="chart-target" x1="{_num(ox + left)}" y1="{_num(y)}" '
                f'x2="{_num(ox + left + inner_w)}" y2="{_num(y)}" stroke="{target_color}" '
                f'stroke-width="1.5" stroke-dasharray="5 3" data-value="{_num(panel.target)}"/>'
            )
        # Runs of consecutive present values: a gap breaks the line.
        run: list[tuple[float, float]] = []
        runs = [run]
        for index, value in enumerate(panel.values):
            if value is None:
                run = []
                runs.append(run)
            else:
                run.append((x_of(index), y_of(value)))
        for part in runs:
            if len(part) >= 2:
                coords = " ".join(f"{_num(x)},{_num(y)}" for x, y in part)
                out.append(
                    f'<polyline class="chart-line" points="{coords}" fill="none" '
                    f'stroke="{color}" stroke-width="2"/>'
                )
        for index, value in enumerate(panel.values):
            if value is not None:
                out.append(
                    f'<circle class="chart-point" cx="{_num(x_of(index))}" '
                    f'cy="{_num(y_of(value))}" r="3.5" fill="{color}" data-value="{_num(value)}">'
                    f"<title>{escape(panel.name)} · {escape(moments[index])}: {_num(value)}"
                    "</title></circle>"
                )
        out.append("</g>")
    out.append("</svg>")
    return "\n".join(out)


# -- Gantt ---------------------------------------------------------------------------------


def month_starts(start: date, end: date) -> list[date]:
    """The first day of each month from `start`'s month to `end`'s."""
    months = []
    day = start.replace(day=1)
    while day <= end:
        months.append(day)
        day = (day + timedelta(days=32)).replace(day=1)
    return months


def gantt_svg(
    *,
    rows: list[GanttRow],
    start: date,
    end: date,
    today: date | None,
    title: str,
    description: str = "",
    width: int = 760,
    label_width: int = 190,
    month_label: Callable[[date], str] = lambda day: day.strftime("%m/%Y"),
    today_label: str = "today",
    chart_id: str | None = None,
) -> str:
    """Rows of actions (bars by status) and milestones (diamonds, filled once reached:
    status "reached") on a time axis from `start` to `end` with a tick per month."""
    if end < start:
        raise ValueError("end is before start")
    chart_id = chart_id or _id("gantt", title, rows, start, end, today)
    row_h, top, bottom = 22, 34, 8
    height = top + row_h * max(len(rows), 1) + bottom
    span = (end - start).days + 1
    inner = width - label_width - 56  # room for the last month's label

    def x_of(day: date) -> float:
        days = min(max((day - start).days, 0), span)
        return label_width + inner * days / span

    out = _open(
        width=width,
        height=height,
        css="chart-gantt",
        chart_id=chart_id,
        title=title,
        description=description,
    )
    months = month_starts(start, end)
    # Label every month while they fit, else every other, third… month.
    every = max(1, math.ceil(len(months) * 64 / inner))
    out.append('<g class="chart-months">')
    for n, month in enumerate(months):
        x = x_of(max(month, start))
        out.append(
            f'<line class="chart-gridline" x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" '
            f'y2="{height - bottom}" stroke="{GRID}" stroke-width="1"/>'
        )
        if n % every == 0:
            out.append(
                f'<text class="chart-tick" x="{_num(x + 3)}" y="{top - 12}" font-size="10" '
                f'fill="{MUTED}">{escape(month_label(month))}</text>'
            )
    out.append("</g>")
    for n, row in enumerate(rows):
        y = top + n * row_h
        mid = y + row_h / 2
        css = f"gantt-{escape(row.status)}"
        tooltip = escape(row.label) + (f" — {escape(row.status_label)}" if row.status_label else "")
        out.append(f'<g class="chart-row {css}">')
        out.append(
            f'<text class="chart-row-label" x="{label_width - 8}" y="{_num(mid + 4)}" '
            f'text-anchor="end" font-size="11">{escape(_shorten(row.label, 30))}</text>'
        )
        if row.end is not None:
            x1 = x_of(row.start)
            x2 = max(x_of(row.end + timedelta(days=1)), x1 + 2)
            fill, stroke, dash = GANTT_STATUS.get(row.status, ("#ffffff", INK, ""))
            dashed = f' stroke-dasharray="{dash}"' if dash else ""
            out.append(
                f'<rect class="chart-bar" x="{_num(x1)}" y="{_num(y + 5)}" '
                f'width="{_num(x2 - x1)}" height="{row_h - 10}" rx="3" fill="{fill}" '
                f'stroke="{stroke}" stroke-width="1.5"{dashed}>'
                f"<title>{tooltip}</title></rect>"
            )
        else:
            x = x_of(row.start)
            fill = "#b5503c" if row.status == "reached" else "#ffffff"
            points = " ".join(
                f"{_num(px)},{_num(py)}"
                for px, py in ((x, mid - 7), (x + 7, mid), (x, mid + 7), (x - 7, mid))
            )
            out.append(
                f'<polygon class="chart-milestone" points="{points}" fill="{fill}" '
                f'stroke="#b5503c" stroke-width="1.5"><title>{tooltip}</title></polygon>'
            )
        out.append("</g>")
    if today is not None and start <= today <= end:
        x = x_of(today)
        out.append(
            f'<g class="chart-today"><line x1="{_num(x)}" y1="{top - 6}" x2="{_num(x)}" '
            f'y2="{height - bottom}" stroke="#b5503c" stroke-width="1.5" stroke-dasharray="2 2"/>'
            f'<text x="{_num(x + 3)}" y="{top - 1}" font-size="10" fill="#b5503c">'
            f"{escape(today_label)}</text></g>"
        )
    out.append("</svg>")
    return "\n".join(out)


# -- bars ----------------------------------------------------------------------------------


def bars_svg(
    *,
    labels: list[str],
    values: list[float | None],
    scale: float,
    title: str,
    description: str = "",
    width: int = 560,
    label_width: int = 200,
    color: str = "#b5503c",
    chart_id: str | None = None,
) -> str:
    """Horizontal bars from a zero line, one per label, for values in −scale … scale
    (a value beyond is drawn at the edge; a negative one goes left of the line, so the
    zero line sits in the middle only when some value is negative). None: no bar."""
    if len(values) != len(labels):
        raise ValueError(f"{len(values)} values for {len(labels)} labels")
    if scale <= 0:
        raise ValueError("scale must be positive")
    chart_id = chart_id or _id("bars", title, labels, values, scale)
    row_h, top, bottom = 24, 6, 6
    height = top + row_h * max(len(labels), 1) + bottom
    inner = width - label_width - 40  # room for the value after the bar
    negative = any(v is not None and v < 0 for v in values)
    zero = label_width + (inner / 2 if negative else 0)
    unit = (inner / 2 if negative else inner) / scale
    out = _open(
        width=width,
        height=height,
        css="chart-bars",
        chart_id=chart_id,
        title=title,
        description=description,
    )
    for n, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = top + n * row_h
        out.append('<g class="chart-row">')
        out.append(
            f'<text class="chart-row-label" x="{label_width - 8}" y="{_num(y + 16)}" '
            f'text-anchor="end" font-size="11">{escape(_shorten(label, 32))}</text>'
        )
        if value is not None:
            clamped = max(-scale, min(scale, value))
            x1, x2 = sorted((zero, zero + clamped * unit))
            out.append(
                f'<rect class="chart-bar" x="{_num(x1)}" y="{_num(y + 5)}" '
                f'width="{_num(x2 - x1)}" height="{row_h - 10}" fill="{color}" '
                f'data-value="{_num(value)}"><title>{escape(label)}: {_num(value)}</title></rect>'
                f'<text class="chart-value" x="{_num(x2 + 4)}" y="{_num(y + 16)}" '
                f'font-size="10" fill="{MUTED}">{_num(value)}</text>'
            )
        out.append("</g>")
    out.append(
        f'<line class="chart-zero" x1="{_num(zero)}" y1="{top}" x2="{_num(zero)}" '
        f'y2="{height - bottom}" stroke="{INK}" stroke-width="1"/>'
    )
    out.append("</svg>")
    return "\n".join(out)
