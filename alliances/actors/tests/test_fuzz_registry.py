"""Hostile input to the RNA and SIRENE imports (issue 8).

The registry imports are resumable (alliances.actors.registry's module doc): they write
by batches, each committed with the run's checkpoint, and skip a row they cannot read with
a problem located by its line. So whatever the file, an import either
- refuses it whole with RegistryFileError naming the file (missing columns), having
  written nothing, not even a run;
- or reads it, every problem it reports starting with its line;
- and, stopped after its k-th batch, has written exactly the rows of the batches it
  committed; run again on the same file it resumes and ends with the same table as an
  import that was never stopped.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from alliances.actors import registry
from alliances.actors.models import Organisation, RegistryImport, RegistryImportStatus
from alliances.actors.registry import (
    RegistryFileError,
    commune_centres_import,
    rna_import,
    sirene_import,
)
from alliances.lib.cog import ImportFileError
from alliances.lib.opendata.rna import HEADER as RNA_HEADER
from alliances.territories.models import Commune
from alliances.territories.tests.test_fuzz_cog import FUZZ, assert_located, csv_bytes

from .test_import_rna import paris, places, rna_row  # noqa: F401  (fixtures)
from .test_import_sirene import HEADER as SIRENE_HEADER
from .test_import_sirene import sirene_row

pytestmark = pytest.mark.usefixtures("places")  # the communes the rows are in

LOCATED = re.compile(r"^(line|ligne) \d+")
COMMUNES = ["94080", "94028", "69123", "75101", "99999", ""]


class Interrupted(Exception):
    """The import killed after a batch."""


def _file(header: list[str], rows: list[dict[str, str]], delimiter: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, quoting=csv.QUOTE_ALL, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([row[column] for column in header] for row in rows)
    return out.getvalue().encode()


def _valid(make, header: list[str]) -> list[list[str]]:
    return [[make(n, commune=COMMUNES[n % len(COMMUNES)])[c] for c in header] for n in range(6)]


RNA_ROWS = _valid(rna_row, RNA_HEADER)
SIRENE_ROWS = _valid(sirene_row, SIRENE_HEADER)
RNA_FILES = csv_bytes(RNA_HEADER, RNA_ROWS, [
    _file(RNA_HEADER, [rna_row(n) for n in range(1, 5)], ";"),
], separators=(";", ","))
SIRENE_FILES = csv_bytes(SIRENE_HEADER, SIRENE_ROWS, [
    _file(SIRENE_HEADER, [sirene_row(n) for n in range(1, 5)], ","),
], separators=(",", ";"))


def table() -> list[tuple]:
    return sorted(Organisation.objects.values_list(
        "rna", "siret", "name", "commune_id", "address", "website", "description", "naf",
        "source",
    ))


def _fresh() -> None:
    """Each example starts from no organisation and no run (the fixtures' places stay)."""
    Organisation.objects.all().delete()
    RegistryImport.objects.all().delete()


def check(importer, name: str, tmp_path, data: bytes, batch_size: int, stop_after: int):
    _fresh()
    path = tmp_path / name
    path.write_bytes(data)
    try:
        report = importer(path, batch_size=batch_size)
    except RegistryFileError as error:
        event("refused")
        assert name in str(error)
        assert not Organisation.objects.exists() and not RegistryImport.objects.exists()
        return
    event("read, with problems" if report.problem_count else "read")
    for problem in report.problems:
        assert LOCATED.match(problem), problem
    straight = table()

    _fresh()

    def stop(batch: int) -> None:
        if batch == stop_after:
            raise Interrupted

    try:
        importer(path, batch_size=batch_size, after_batch=stop)
    except Interrupted:
        event("stopped, then resumed")
        stopped = RegistryImport.objects.get()
        assert stopped.status == RegistryImportStatus.FAILED
        # Only whole batches: what the checkpoint counts is what is in the table.
        assert Organisation.objects.count() == stopped.created
        resumed = importer(path, batch_size=batch_size)
        assert resumed.resumed_after == stopped.lines_done
    assert table() == straight


@FUZZ
@given(data=RNA_FILES, batch_size=st.integers(1, 4), stop_after=st.integers(1, 3))
def test_rna_import_refuses_reads_or_resumes(tmp_path, data, batch_size, stop_after):
    check(rna_import, "rna.csv", tmp_path, data, batch_size, stop_after)


@FUZZ
@given(data=SIRENE_FILES, batch_size=st.integers(1, 4), stop_after=st.integers(1, 3))
def test_sirene_import_refuses_reads_or_resumes(tmp_path, data, batch_size, stop_after):
    check(sirene_import, "sirene.csv", tmp_path, data, batch_size, stop_after)


CENTRES = Path(__file__).resolve().parents[2] / "territories" / "demo" / "centres.csv"
with CENTRES.open(encoding="utf-8", newline="") as centres:
    CENTRE_COLUMNS, *CENTRE_ROWS = list(csv.reader(centres))
CENTRE_FILES = csv_bytes(CENTRE_COLUMNS, CENTRE_ROWS[:6], [CENTRES.read_bytes()[:2000]])


def centres() -> list[tuple]:
    return sorted(Commune.objects.values_list("code", "latitude", "longitude"))


@FUZZ
@given(data=CENTRE_FILES)
def test_commune_centres_import_sets_or_refuses_with_a_located_error(tmp_path, data):
    """All or nothing (its docstring): a located ImportFileError leaves every centre."""
    path = tmp_path / "centres.csv"
    path.write_bytes(data)
    before = centres()
    try:
        commune_centres_import(path)
    except ImportFileError as error:
        event("refused")
        assert_located(error, path.name)
        assert centres() == before
    else:
        event("imported")


def test_a_centre_field_over_the_csv_limit_is_a_located_error(tmp_path):
    """Regression (found by the fuzz): a field over the csv module's limit (a quote left
    open swallows the rest of the file) ended the import with _csv.Error."""
    path = tmp_path / "centres.csv"
    huge = "x" * (csv.field_size_limit() + 1)
    path.write_text(f'code_insee,nom,latitude,longitude\n94080,Vincennes,48.8,2.4\n94028,"{huge}')
    before = centres()
    with pytest.raises(ImportFileError, match=r"^centres\.csv, line 3: malformed CSV"):
        commune_centres_import(path)
    assert centres() == before


@FUZZ
@given(data=RNA_FILES, batch_size=st.integers(1, 4), stop_after=st.integers(1, 3))
def test_a_large_file_import_refuses_reads_or_resumes(monkeypatch, tmp_path, data, batch_size,
                                                      stop_after):
    """The same, the way a first national import goes: the file read in a child process
    and, on SQLite, the organisation indexes dropped and built again at the end."""
    monkeypatch.setattr(registry, "DEFER_INDEXES_MIN_ROWS", 0)
    monkeypatch.setattr(registry, "READ_IN_CHILD_MIN_ROWS", 0)
    check(rna_import, "rna.csv", tmp_path, data, batch_size, stop_after)


def test_a_commune_code_of_unicode_digits_is_an_unknown_commune(tmp_path):
    """Regression (found by the fuzz): "¹" is a digit to str.isdigit but not to int(), and
    the arrondissement lookup of such a commune code ended the import with ValueError."""
    path = tmp_path / "rna.csv"
    path.write_bytes(_file(RNA_HEADER, [rna_row(1, commune="¹"), rna_row(2)], ";"))
    report = rna_import(path)
    assert report.skipped["unknown_commune"] == 1 and report.created == 1
    assert LOCATED.match(report.problems[0])
