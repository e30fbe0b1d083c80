"""The server-side SVG charts: well-formed, accessible, with the figures they draw."""

import xml.etree.ElementTree as ET

import pytest

from alliances.observatory import analysis, charts, dataset
from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.split("?>", 1)[-1].strip())  # noqa: S314 (our own markup)


def test_bars_carry_their_name_description_and_whiskers():
    bars = [charts.Bar("Oui <&> « x »", 0.52, 0.47, 0.57), charts.Bar("Non", 0.30, 0.26, 0.34),
            charts.Bar("Caché", None, note="too few respondents (n < 30)")]
    root = parse(charts.bar_chart(bars, title="Q4 & co", desc="Parts pondérées"))
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    title, desc = root.find(f"{SVG}title"), root.find(f"{SVG}desc")
    assert title.text == "Q4 & co" and desc.text == "Parts pondérées"
    assert root.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    groups = root.findall(f"{SVG}g")
    assert [g.find(f"{SVG}title").text for g in groups] == ["Oui <&> « x »", "Non", "Caché"]
    drawn = [g.find(f"{SVG}rect") for g in groups]
    assert drawn[2] is None  # a hidden cell has no bar, only its note
    assert float(drawn[0].get("width")) > float(drawn[1].get("width"))
    assert len(groups[0].findall(f"{SVG}path")) == 1  # the whisker
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert any(t.startswith("52") and "[" in t for t in texts)
    assert "too few respondents (n < 30)" in texts
    assert not any(el.get("style") for el in root.iter())  # the CSP forbids inline styles


def test_a_bar_and_its_whisker_are_to_scale():
    root = parse(charts.bar_chart([charts.Bar("a", 0.5, 0.25, 0.75)], title="t", desc="d"))
    rect = root.find(f"{SVG}g/{SVG}rect")
    plot = charts.WIDTH - charts.LABEL_WIDTH - charts.VALUE_WIDTH
    assert float(rect.get("x")) == charts.LABEL_WIDTH
    assert float(rect.get("width")) == pytest.approx(plot / 2, abs=0.1)
    whisker = root.find(f"{SVG}g/{SVG}path").get("d")
    low, high = charts.LABEL_WIDTH + plot / 4, charts.LABEL_WIDTH + 3 * plot / 4
    assert whisker.startswith(f"M{low:.1f} ") and f"H{high:.1f}" in whisker


def test_the_standalone_file_is_an_svg_document():
    svg = charts.bar_chart([charts.Bar("a", 2.5, 2.0, 3.0)], title="t", desc="d",
                           shares=False, standalone=True)
    assert svg.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    assert parse(svg).get("viewBox").startswith("0 0 760 ")


@pytest.mark.django_db
def test_a_breakdown_is_drawn_largest_first_with_hidden_cells_last(analyste):
    wave = wave_publish(wave=make_wave(analyste, n=150), by=analyste)
    data = dataset.wave_data(wave)
    results = analysis.question_results(data, "q4", by=["region", "taille_commune"],
                                        min_n=wave.min_n)
    bars = charts.results_bars(results.public(), "non")
    shown = [b.value for b in bars if b.value is not None]
    assert shown == sorted(shown, reverse=True)
    assert all(b.value is None for b in bars[len(shown):])
    hidden = [g for g in results.groups if g.too_small]
    assert hidden and len(bars) - len(shown) == len(hidden)
    flagged = charts.results_bars(results, "non")  # an analyst's: figures, flagged
    assert sum(b.label.endswith("⚠") for b in flagged) == len(hidden)
    root = parse(charts.results_chart(results.public(), focus="non"))
    assert root.find(f"{SVG}title").text == data.questions["q4"].label
    assert len(root.findall(f"{SVG}g")) == 6
