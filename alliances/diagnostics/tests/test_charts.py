"""lib.charts: SVG charts well-formed, labelled, escaped, with the right geometry. No database."""

import math
import xml.etree.ElementTree as ET
from datetime import date

import pytest

from alliances.lib.charts import (
    GanttRow,
    Panel,
    Series,
    bars_svg,
    gantt_svg,
    month_starts,
    radar_svg,
    small_multiples_svg,
    swatch_svg,
)

NS = {"s": "http://www.w3.org/2000/svg"}
HOSTILE = '<script>alert("x")</script> & "Axe" \'1\''


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own markup)


def points(element: ET.Element) -> list[tuple[float, float]]:
    return [tuple(map(float, pair.split(","))) for pair in element.get("points", "").split()]


def ring_vertices(root: ET.Element, level: int) -> list[tuple[float, float]]:
    ring = root.find(f".//s:polygon[@class='chart-ring chart-ring-{level}']", NS)
    assert ring is not None
    return points(ring)


def series_points(root: ET.Element, css: str) -> list[tuple[float, float]]:
    group = root.find(f".//s:g[@class='chart-series {css}']", NS)
    assert group is not None
    return [(float(c.get("cx")), float(c.get("cy"))) for c in group.findall("s:circle", NS)]


def close(a: tuple[float, float], b: tuple[float, float]) -> bool:
    return math.dist(a, b) < 0.05


def test_radar_is_a_labelled_image():
    svg = radar_svg(
        labels=["Dialogue", "Partenariats", "Gouvernance"],
        series=[Series("Bilan", [1, 2, 3], "series-bilan")],
        max_level=4,
        title="Bilan du Val-de-Marne",
        description="Trois axes.",
    )
    root = parse(svg)
    assert root.get("role") == "img"
    title_id, desc_id = root.get("aria-labelledby").split()
    assert root.find(f"s:title[@id='{title_id}']", NS).text == "Bilan du Val-de-Marne"
    assert root.find(f"s:desc[@id='{desc_id}']", NS).text == "Trois axes."
    assert "style=" not in svg  # the CSP forbids inline styles


def test_radar_level_four_lies_on_the_outer_ring_and_level_two_halfway():
    labels = ["A", "B", "C", "D", "E"]
    svg = radar_svg(
        labels=labels,
        series=[
            Series("Cible", [4, 4, 4, 4, 4], "series-cible"),
            Series("Bilan", [2, 2, 2, 2, 2], "series-bilan"),
        ],
        max_level=4,
        title="t",
    )
    root = parse(svg)
    outer = ring_vertices(root, 4)
    assert len(outer) == 5
    cible = series_points(root, "series-cible")
    assert all(close(p, q) for p, q in zip(cible, outer, strict=True))
    bilan = series_points(root, "series-bilan")
    assert all(close(p, q) for p, q in zip(bilan, ring_vertices(root, 2), strict=True))
    # The first spoke points straight up from the centre.
    width, height = (float(v) for v in root.get("viewBox").split()[2:])
    cx, cy = width / 2, height / 2
    assert outer[0][0] == pytest.approx(cx)
    assert outer[0][1] < cy
    # Level 2 of 4 is half the outer radius on every spoke.
    for p, q in zip(bilan, outer, strict=True):
        assert math.dist(p, (cx, cy)) == pytest.approx(math.dist(q, (cx, cy)) / 2, abs=0.05)


def test_radar_skips_missing_values():
    root = parse(
        radar_svg(
            labels=["A", "B", "C", "D"],
            series=[Series("Bilan", [3, None, 1, 2], "series-bilan")],
            max_level=4,
            title="t",
        )
    )
    group = root.find(".//s:g[@class='chart-series series-bilan']", NS)
    assert [c.get("data-value") for c in group.findall("s:circle", NS)] == ["3", "1", "2"]
    assert len(points(group.find("s:polygon", NS))) == 3
    # Two values left: a line, not a polygon; none: no line at all.
    two = parse(
        radar_svg(
            labels=["A", "B", "C"],
            series=[Series("x", [None, 2, 3], "s")],
            max_level=4,
            title="t",
        )
    )
    assert two.find(".//s:g[@class='chart-series s']/s:polyline", NS) is not None
    none = parse(
        radar_svg(
            labels=["A", "B", "C"],
            series=[Series("x", [None, None, None], "s")],
            max_level=4,
            title="t",
        )
    )
    group = none.find(".//s:g[@class='chart-series s']", NS)
    assert group.find("s:polygon", NS) is None and group.find("s:circle", NS) is None


def test_radar_names_its_rings():
    root = parse(
        radar_svg(
            labels=["A", "B", "C"],
            series=[],
            max_level=4,
            title="t",
            level_names=["Émergence", "Structuration", "Consolidation", "Essaimage"],
        )
    )
    names = [t.text for t in root.findall(".//s:text[@class='chart-ring-label']", NS)]
    assert names == ["1. Émergence", "2. Structuration", "3. Consolidation", "4. Essaimage"]


def test_radar_escapes_hostile_labels_and_names():
    svg = radar_svg(
        labels=[HOSTILE, "B", "C"],
        series=[Series(HOSTILE, [1, 2, 3], 'x" onload="alert(1)', color='red" onclick="x')],
        max_level=4,
        title=HOSTILE,
    )
    root = parse(svg)  # still well-formed
    assert "<script>" not in svg
    assert root.find("s:title", NS).text == HOSTILE
    label = root.find(".//s:text[@class='chart-label']/s:title", NS)
    assert label.text == HOSTILE
    for element in root.iter():
        assert not any(name.startswith("on") for name in element.attrib)


def test_radar_refuses_series_of_the_wrong_length():
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        radar_svg(labels=["A", "B", "C"], series=[Series("x", [1, 2], "s")], max_level=4, title="t")


def test_radar_with_two_axes_draws_circles():
    root = parse(
        radar_svg(labels=["A", "B"], series=[Series("x", [4, 4], "s")], max_level=4, title="t")
    )
    outer = root.find(".//s:circle[@class='chart-ring chart-ring-4']", NS)
    cx, cy, r = (float(outer.get(k)) for k in ("cx", "cy", "r"))
    for p in series_points(root, "s"):
        assert math.dist(p, (cx, cy)) == pytest.approx(r, abs=0.05)


def test_swatch_is_hidden_from_screen_readers():
    root = parse(swatch_svg(Series("Cible", [], "series-cible", color="#b5503c", dash="5 3")))
    assert root.get("aria-hidden") == "true"
    assert root.find("s:line", NS).get("stroke-dasharray") == "5 3"


def test_small_multiples_one_panel_per_axis_same_scale():
    svg = small_multiples_svg(
        panels=[
            Panel("Dialogue", [1, 2, 4], target=3),
            Panel("Partenariats", [2, None, 3]),
            Panel(HOSTILE, [None, None, 1]),
            Panel("Gouvernance", [4, 4, 4]),
        ],
        moments=["T0", "M9", "M36"],
        max_level=4,
        title="Évolution",
        columns=2,
    )
    root = parse(svg)
    assert root.get("role") == "img"
    panels = root.findall("s:g[@class='chart-panel']", NS)
    assert [p.find("s:title", NS).text for p in panels][:2] == ["Dialogue", "Partenariats"]
    assert panels[2].find("s:title", NS).text == HOSTILE
    assert root.get("viewBox") == "0 0 400 260"  # two columns, two rows
    first = panels[0]
    circles = first.findall("s:circle", NS)
    ys = [float(c.get("cy")) for c in circles]
    assert ys[0] > ys[1] > ys[2]  # higher levels are higher up
    # Level 4 sits on the top gridline, level 1 on the bottom one.
    gridlines = sorted(
        float(g.get("y1")) for g in first.findall("s:line[@class='chart-gridline']", NS)
    )
    assert ys[2] == pytest.approx(gridlines[0]) and ys[0] == pytest.approx(gridlines[-1])
    target = first.find("s:line[@class='chart-target']", NS)
    assert target.get("data-value") == "3"
    # A gap breaks the line: the second panel has two points and no line between them.
    second = panels[1]
    assert len(second.findall("s:circle", NS)) == 2
    assert second.find("s:polyline", NS) is None
    # Same level in two panels: same height within the panel.
    fourth = panels[3]
    assert float(fourth.find("s:circle", NS).get("cy")) - 130 == pytest.approx(ys[2])


def test_small_multiples_refuses_values_not_matching_moments():
    with pytest.raises(ValueError, match="2 values for 3 moments"):
        small_multiples_svg(
            panels=[Panel("A", [1, 2])], moments=["T0", "M9", "M36"], max_level=4, title="t"
        )


def test_month_starts():
    assert month_starts(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1),
        date(2026, 12, 1),
        date(2027, 1, 1),
        date(2027, 2, 1),
    ]


def test_gantt_bars_milestones_and_today():
    rows = [
        GanttRow("Cartographier les acteurs", date(2027, 1, 1), date(2027, 1, 31), "fait", "done"),
        GanttRow("Atelier", date(2027, 2, 1), date(2027, 3, 31), "en_cours", "in progress"),
        GanttRow("Comité de pilotage", date(2027, 4, 1), None, "reached"),
        GanttRow(HOSTILE, date(2027, 5, 1), date(2027, 5, 1), "abandonne", "dropped"),
    ]
    svg = gantt_svg(
        rows=rows,
        start=date(2027, 1, 1),
        end=date(2027, 6, 30),
        today=date(2027, 2, 15),
        title="Feuille de route",
        month_label=lambda d: d.strftime("%b"),
    )
    root = parse(svg)
    assert "<script>" not in svg
    row_groups = root.findall("s:g", NS)
    bars = root.findall(".//s:rect[@class='chart-bar']", NS)
    assert len(bars) == 3
    january = bars[0]
    x, w = float(january.get("x")), float(january.get("width"))
    months = root.findall(".//s:g[@class='chart-months']/s:line", NS)
    assert len(months) == 6
    feb_x = float(months[1].get("x1"))
    assert x == pytest.approx(float(months[0].get("x1")))
    assert x + w == pytest.approx(feb_x)  # January, both ends included, ends where February starts
    assert bars[2].get("stroke-dasharray")  # dropped: dashed
    milestone = root.find(".//s:polygon[@class='chart-milestone']", NS)
    xs = [p[0] for p in points(milestone)]
    april = float(months[3].get("x1"))
    assert (min(xs) + max(xs)) / 2 == pytest.approx(april)
    assert milestone.get("fill") != "#ffffff"  # reached: filled
    today = root.find(".//s:g[@class='chart-today']/s:line", NS)
    assert feb_x < float(today.get("x1")) < float(months[2].get("x1"))
    assert [g.get("class") for g in row_groups if "chart-row" in (g.get("class") or "")] == [
        "chart-row gantt-fait",
        "chart-row gantt-en_cours",
        "chart-row gantt-reached",
        "chart-row gantt-abandonne",
    ]
    titles = [t.text for t in root.findall(".//s:rect/s:title", NS)]
    assert titles[0] == "Cartographier les acteurs — done"
    assert titles[2] == f"{HOSTILE} — dropped"


def test_gantt_clamps_outside_rows_and_refuses_a_reversed_span():
    svg = gantt_svg(
        rows=[GanttRow("Avant", date(2020, 1, 1), date(2030, 1, 1), "a_faire")],
        start=date(2027, 1, 1),
        end=date(2027, 12, 31),
        today=date(2031, 1, 1),
        title="t",
    )
    root = parse(svg)
    bar = root.find(".//s:rect[@class='chart-bar']", NS)
    width = float(root.get("width"))
    assert float(bar.get("x")) >= 0 and float(bar.get("x")) + float(bar.get("width")) <= width
    assert root.find(".//s:g[@class='chart-today']", NS) is None  # today is off the chart
    with pytest.raises(ValueError):
        gantt_svg(rows=[], start=date(2027, 2, 1), end=date(2027, 1, 1), today=None, title="t")


def test_bars_from_a_zero_line():
    svg = bars_svg(labels=["A", "B", HOSTILE], values=[2, 1, None], scale=3, title="Écarts")
    root = parse(svg)
    bars = root.findall(".//s:rect[@class='chart-bar']", NS)
    assert [b.get("data-value") for b in bars] == ["2", "1"]
    assert float(bars[0].get("width")) == pytest.approx(2 * float(bars[1].get("width")), abs=0.02)
    zero = float(root.find("s:line[@class='chart-zero']", NS).get("x1"))
    assert float(bars[0].get("x")) == pytest.approx(zero)
    assert "<script>" not in svg


def test_bars_negative_values_go_left_and_big_ones_are_clamped():
    root = parse(bars_svg(labels=["A", "B"], values=[-1, 9], scale=2, title="t"))
    zero = float(root.find("s:line[@class='chart-zero']", NS).get("x1"))
    left, right = root.findall(".//s:rect[@class='chart-bar']", NS)
    assert float(left.get("x")) + float(left.get("width")) == pytest.approx(zero)
    assert float(right.get("x")) == pytest.approx(zero)
    assert float(right.get("width")) == pytest.approx(2 * float(left.get("width")), abs=0.02)
    with pytest.raises(ValueError):
        bars_svg(labels=["A"], values=[1, 2], scale=2, title="t")
