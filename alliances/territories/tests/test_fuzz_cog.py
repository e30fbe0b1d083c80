"""Hostile input to the COG communes and EPCI imports (issue 8).

Whatever the file (random bytes, a valid file cut short, valid columns with hostile cells,
columns missing or added, rows duplicated, another encoding), `communes_import` and
`epcis_import` either succeed or raise ImportFileError naming the file (and the line, and
the column where it has one), and a refused file leaves the database as it was.

The strategies at the top build such files for any importer of tables; the other fuzz
modules use them too. Hypothesis runs derandomized without its example database, so CI
replays the same files every time.
"""

import csv
import io
import os
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from alliances.lib.cog import ImportFileError
from alliances.territories.models import Commune, CommuneSubdivision, Epci
from alliances.territories.services import communes_import, epcis_import

FILES = Path(__file__).parent / "files"
DEMO = Path(__file__).resolve().parent.parent / "demo"

# CI runs a few dozen examples per test; FUZZ_EXAMPLES=2000 hunts longer on a workstation.
FUZZ = settings(
    max_examples=int(os.environ.get("FUZZ_EXAMPLES", 30)),
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# --- strategies shared by the importers' fuzz modules --------------------------------

TRICKY = [
    '"', '""', '"a,b"', ",", ";", "\t", "\n", "\r\n", "\r", "\x00", "\ufeff", "é", "Ã©",
    "\\", "'", "=1+1", " ", "", "0", "-1", "1e309", "NaN", "2A001", "94028", "94", "11",
    "²", "٩٤٠٨٠", "COM", "COMD", "243500139", "ZZZZZZZZZ", "<script>",
    "x" * 140_000, "y" * 1_100_000,  # over the csv module's default limit, and the raised one
]
cells = st.one_of(
    st.sampled_from(TRICKY), st.text(max_size=30), st.text("0123456789AB", max_size=10)
)
ENCODINGS = ["utf-8", "utf-8-sig", "latin-1", "cp1252", "utf-16"]


def _join(rows: list[list[str]], separator: str, quoted: bool) -> str:
    """The rows as CSV text, written properly or naively (separators and quotes left raw)."""
    if not quoted:
        return "".join(separator.join(row) + "\n" for row in rows)
    out = io.StringIO()
    csv.writer(out, delimiter=separator, lineterminator="\n").writerows(rows)
    return out.getvalue()


@st.composite
def tables(draw, columns: list[str], valid_rows: list[list[str]]) -> list[list[str]]:
    """A header of the importer's columns over valid rows, with some of these mutations:
    columns dropped, columns added, columns reordered, rows of hostile cells, a row
    duplicated, a valid row with one hostile cell."""
    header = list(columns)
    if draw(st.integers(0, 3)) == 0:
        for _ in range(draw(st.integers(1, 3))):
            if header:
                header.remove(draw(st.sampled_from(header)))
    if draw(st.integers(0, 3)) == 0:
        header += draw(st.lists(st.sampled_from(["EXTRA", "", "COM", "x\ny"]), min_size=1,
                                max_size=2))
    if draw(st.booleans()):
        header = draw(st.permutations(header))
    by_name = [dict(zip(columns, row, strict=False)) for row in valid_rows]
    valid = [[row.get(name, "") for name in header] for row in by_name]
    rows = draw(st.lists(st.sampled_from(valid), max_size=6)) if valid else []
    if not valid or draw(st.integers(0, 2)) == 0:
        hostile = st.one_of(
            st.lists(cells, min_size=len(header), max_size=len(header)),
            st.lists(cells, max_size=len(header) + 2),
        )
        for row in draw(st.lists(hostile, min_size=1, max_size=4)):
            rows.insert(draw(st.integers(0, len(rows))), row)
    if rows and draw(st.booleans()):
        rows.insert(draw(st.integers(0, len(rows))), draw(st.sampled_from(rows)))
    if valid and draw(st.integers(0, 2)) == 0:  # a valid row with one hostile cell
        damaged = list(draw(st.sampled_from(valid)))
        if damaged:
            damaged[draw(st.integers(0, len(damaged) - 1))] = draw(cells)
        rows.append(damaged)
    return [header, *rows]


@st.composite
def csv_bytes(draw, columns: list[str], valid_rows: list[list[str]], samples: list[bytes],
              separators: tuple[str, ...] = (",", ";", "\t")):
    """Bytes of a would-be CSV file: random, a sample cut short, or a hostile table
    (mostly in UTF-8 and with the first of the `separators`)."""
    kind = draw(st.sampled_from(["random", "truncated", "table", "table", "table"]))
    if kind == "random":
        return draw(st.binary(max_size=300))
    if kind == "truncated":
        sample = draw(st.sampled_from(samples))
        return sample[: draw(st.integers(0, len(sample)))]
    rows = draw(tables(columns, valid_rows))
    separator = separators[0] if draw(st.booleans()) else draw(st.sampled_from(separators))
    text = _join(rows, separator, draw(st.booleans()))
    encoding = "utf-8" if draw(st.booleans()) else draw(st.sampled_from(ENCODINGS))
    return text.encode(encoding, errors="replace")


@st.composite
def xlsx_bytes(draw, sheets: dict[str, tuple[list[str], list[list[str]]]]):
    """A workbook with some of the expected sheets holding hostile tables, or random bytes."""
    if draw(st.integers(0, 4)) == 0:
        return draw(st.binary(max_size=300))
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, (columns, valid_rows) in sheets.items():
        if draw(st.integers(0, 5)) == 0:
            continue
        sheet = book.create_sheet(name if draw(st.integers(0, 5)) else name.upper())
        for row in draw(tables(columns, valid_rows)):
            # openpyxl refuses control characters in cells; the reader never sees them.
            sheet.append([_xlsx_cell(cell) for cell in row])
    if not book.sheetnames:
        book.create_sheet("Feuil1")
    out = io.BytesIO()
    book.save(out)
    data = out.getvalue()
    if draw(st.integers(0, 4)) == 0:
        # Cut at a share of the length: the workbook's bytes hold the time it was saved at,
        # so their length may differ when hypothesis replays the example.
        data = data[: len(data) * draw(st.integers(0, 1000)) // 1000]
    return data


def _xlsx_cell(cell: str) -> str | int:
    cell = "".join(char for char in cell if char >= " " or char in "\t\n\r")[:32_000]
    return int(cell) if cell.isascii() and cell.isdigit() and len(cell) < 15 else cell


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig") as handle:
        first = handle.readline()
        handle.seek(0)
        separator = ";" if first.count(";") > first.count(",") else ","
        header, *rows = csv.reader(handle, delimiter=separator)
    return header, rows


def assert_located(error: ImportFileError, *files: str) -> None:
    """The message starts with the file's name, then where it can: line, column."""
    assert error.file.startswith(files), (error.file, files)
    assert str(error).startswith(error.file)
    assert error.reason
    if error.column:
        assert error.line is not None


# --- the COG communes and EPCI imports -----------------------------------------------


def snapshot() -> tuple:
    return (
        sorted(Commune.objects.values_list(
            "code", "name", "departement_id", "population", "size_band", "epci_id"
        )),
        sorted(CommuneSubdivision.objects.values_list("kind", "code", "name", "parent_id")),
        sorted(Epci.objects.values_list("code", "name", "nature")),
    )


def attempt(importer, path: Path, **options) -> None:
    before = snapshot()
    try:
        importer(path=path, **options)
    except ImportFileError as error:
        event("refused")
        assert_located(error, path.name, Path(options.get("populations_path", path)).name)
        assert snapshot() == before
    else:
        event("imported")


COG_COLUMNS, COG_ROWS = csv_rows(FILES / "communes.csv")
COG_SAMPLES = [(FILES / name).read_bytes() for name in ("communes.csv", "communes_2025.csv")]
POP_COLUMNS, POP_ROWS = csv_rows(FILES / "populations.csv")
POP_SAMPLES = [
    (FILES / name).read_bytes() for name in ("populations.csv", "populations_codgeo.csv")
]
EPCI_COLUMNS, EPCI_ROWS = csv_rows(FILES / "epci.csv")
LIST_COLUMNS, LIST_ROWS = csv_rows(FILES / "epci_list.csv")
EPCI_SAMPLES = [(FILES / name).read_bytes() for name in ("epci.csv", "epci_list.csv")]


@FUZZ
@given(data=csv_bytes(COG_COLUMNS, COG_ROWS, COG_SAMPLES))
def test_communes_import_refuses_or_imports(db, tmp_path, data):
    path = tmp_path / "communes.csv"
    path.write_bytes(data)
    attempt(communes_import, path)


@FUZZ
@given(
    data=csv_bytes(POP_COLUMNS, POP_ROWS, POP_SAMPLES),
    encoding=st.sampled_from([None, "latin-1", "cp1252", "no-such-codec"]),
)
def test_populations_import_refuses_or_imports(db, tmp_path, data, encoding):
    path = tmp_path / "populations.csv"
    path.write_bytes(data)
    attempt(communes_import, FILES / "communes.csv", populations_path=path, encoding=encoding)


@FUZZ
@given(data=st.one_of(
    csv_bytes(EPCI_COLUMNS, EPCI_ROWS, EPCI_SAMPLES),
    csv_bytes(LIST_COLUMNS, LIST_ROWS, EPCI_SAMPLES),
))
def test_epci_csv_import_refuses_or_imports(db, tmp_path, data):
    communes_import(path=FILES / "communes.csv")
    path = tmp_path / "epci.csv"
    path.write_bytes(data)
    attempt(epcis_import, path)


# The EPCI sheet lists every EPCI the composition sheet names (as INSEE's workbook does).
WORKBOOK_LIST_ROWS = [
    [code, name, "METRO", "1"]
    for code, name in dict((row[2], row[3]) for row in EPCI_ROWS if row[2] != "ZZZZZZZZZ").items()
]


@FUZZ
@given(data=xlsx_bytes({
    "EPCI": (LIST_COLUMNS, WORKBOOK_LIST_ROWS),
    "Composition_communale": (EPCI_COLUMNS, EPCI_ROWS),
}))
def test_epci_xlsx_import_refuses_or_imports(db, tmp_path, data):
    communes_import(path=FILES / "communes.csv")
    path = tmp_path / "epci.xlsx"
    path.write_bytes(data)
    attempt(epcis_import, path)


@FUZZ
@given(data=xlsx_bytes({"Communes": (POP_COLUMNS, POP_ROWS), "Feuil2": (POP_COLUMNS, [])}))
def test_populations_xlsx_import_refuses_or_imports(db, tmp_path, data):
    path = tmp_path / "populations.xlsx"
    path.write_bytes(data)
    attempt(communes_import, FILES / "communes.csv", populations_path=path)


def test_a_population_of_unicode_digits_is_a_located_error(db, tmp_path):
    """Regression (found by the fuzz, as the RNA's "¹" commune code): "²" is a digit to
    str.isdigit but not to int(), and the populations file ended in ValueError."""
    path = tmp_path / "populations.csv"
    path.write_text("COM;PMUN\n05118;²\n", encoding="utf-8")
    before = snapshot()
    with pytest.raises(ImportFileError) as error:
        communes_import(path=FILES / "communes.csv", populations_path=path)
    located = (error.value.file, error.value.line, error.value.column)
    assert located == ("populations.csv", 2, "PMUN")
    assert snapshot() == before
