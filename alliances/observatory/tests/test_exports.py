"""CSV and XLSX downloads of a dashboard's results: read back, compared with the engine."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from alliances.observatory import analysis, dataset, exports
from alliances.observatory.services import wave_publish
from alliances.observatory.testing import make_wave

pytestmark = pytest.mark.django_db

PARAMS = "question=q4&by=region&filter=taille_commune:moins_1000"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def published(analyste):
    return wave_publish(wave=make_wave(analyste, n=150), by=analyste)


def url(name, wave, params=PARAMS):
    return f"{reverse(f'observatory:{name}', args=[wave.pk])}?{params}"


def expected(wave):
    return analysis.question_results(dataset.wave_data(wave), "q4", by=["region"],
                                     filters={"taille_commune": ["moins_1000"]},
                                     min_n=wave.min_n)


def read_csv(response) -> list[dict]:
    content = response.content
    assert content.startswith("\ufeff".encode())
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_the_csv_has_one_row_per_group_and_option(client, published):
    response = client.get(url("dashboard_csv", published))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="maires-2024-q4.csv"'
    rows = read_csv(response)
    assert list(rows[0]) == ["region", "option", "option_label", "share", "se", "ci_low",
                             "ci_high", "n", "weighted_n", "n_eff", "too_small"]
    results = expected(published)
    assert len(rows) == 3 * 3
    for row, (group, option) in zip(
        rows, [(g, o) for g in results.groups for o in g.options], strict=True
    ):
        assert row["region"] == group.key["region"] and row["option"] == option.code
        assert int(row["n"]) == group.n
        assert float(row["weighted_n"]) == pytest.approx(group.weighted_n, rel=1e-12)
        if group.too_small:  # public: the figures are withheld
            assert row["too_small"] == "true" and row["share"] == row["se"] == ""
        else:
            assert row["too_small"] == "false"
            assert float(row["share"]) == pytest.approx(option.share, rel=1e-12)
            assert float(row["ci_high"]) == pytest.approx(option.ci_high, rel=1e-12)
    assert any(g.too_small for g in results.groups) and not all(
        g.too_small for g in results.groups)


def test_analysts_export_small_cells_flagged(client, analyste, published):
    client.force_login(analyste)
    rows = read_csv(client.get(url("dashboard_csv", published)))
    small = [r for r in rows if r["too_small"] == "true"]
    assert small and all(r["share"] != "" for r in small)


def test_the_xlsx_has_a_header_block_and_the_same_table(client, published):
    response = client.get(url("dashboard_xlsx", published))
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith('maires-2024-q4.xlsx"')
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [list(row) for row in sheet.iter_rows(values_only=True)]
    blank = values.index([None] * len(values[0]))
    header = {row[0]: row[1] for row in values[:blank]}
    assert len(header) == 8
    assert "Baromètre des maires" in header.values() and "2024" in header.values()
    assert any(str(v).startswith("q4 — ") for v in header.values())
    assert any("Taille de la commune : Moins de 1 000 habitants" == v for v in header.values())
    assert values[blank + 1][:3] == ["region", "option", "option_label"]
    table = values[blank + 2:]
    csv_rows = read_csv(client.get(url("dashboard_csv", published)))
    assert len(table) == len(csv_rows) == 9
    for row, line in zip(table, csv_rows, strict=True):
        assert row[0] == line["region"] and row[7] == int(line["n"])
        if line["share"]:
            assert row[3] == pytest.approx(float(line["share"]), rel=1e-14)
        else:
            assert row[3] is None
        assert row[10] is (line["too_small"] == "true")


def test_the_svg_download_is_the_chart_shown(client, published):
    import xml.etree.ElementTree as ET

    response = client.get(url("dashboard_svg", published, PARAMS + "&option=non"))
    assert response["Content-Type"] == "image/svg+xml"
    root = ET.fromstring(response.content.split(b"?>", 1)[1].strip())  # noqa: S314 (ours)
    assert root.get("role") == "img"
    page = client.get(url("dashboard", published, PARAMS + "&option=non"))
    shown = ET.fromstring(str(page.context["chart"]))  # noqa: S314 (our own markup)
    assert [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")] == [
        t.text for t in shown.iter("{http://www.w3.org/2000/svg}text")]


def test_a_number_question_exports_its_mean(client, published):
    rows = read_csv(client.get(url("dashboard_csv", published, "question=q20")))
    assert list(rows[0]) == ["mean", "se", "ci_low", "ci_high", "n", "weighted_n", "n_eff",
                             "too_small"]
    assert 0 < float(rows[0]["mean"]) < 12


def test_a_bad_selection_is_a_400_and_writes_nothing(client, published):
    for name in ("dashboard_csv", "dashboard_xlsx", "dashboard_svg"):
        response = client.get(url(name, published, "question=q4&by=nope"))
        assert response.status_code == 400
        assert "nope" in response.content.decode()
        assert "Content-Disposition" not in response


def test_labels_cannot_run_as_formulas():
    results = analysis.Results(
        question=dataset.QuestionDef("q", "single", "Q", (("a", "=HYPERLINK(1)"),)),
        by=[], filters={},
        groups=[analysis.GroupResult({}, {}, 40, 40.0, 40.0, False, [
            analysis.OptionResult("a", "=HYPERLINK(1)", 1.0, 0.0, 1.0, 1.0, 40)])],
        weight_source="aucune", min_n=30,
    )
    [row] = list(csv.DictReader(io.StringIO(exports.results_csv(results).decode("utf-8-sig"))))
    assert row["option_label"] == "'=HYPERLINK(1)"
    sheet = load_workbook(io.BytesIO(exports.results_xlsx(results, exports.Header([])))).active
    assert sheet.cell(row=3, column=2).value == "'=HYPERLINK(1)"
