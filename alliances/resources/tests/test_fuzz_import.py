"""Hostile files to `alliances import-resources` (issue 8), CSV and XLSX: random bytes, the
demo file cut short, its columns over hostile cells, columns missing or added, rows
duplicated, other encodings, with and without the folder of the files they name.

`resources_import` imports the file, or raises ImportFileError (the file as a whole: a
message) or ImportRejected (bad rows, each message starting with its line); refused, the
centre is as it was and no stored file is left behind.
"""

import csv
import re
from pathlib import Path

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from alliances.resources import importer
from alliances.resources.importer import ImportFileError, ImportRejected, resources_import
from alliances.resources.models import Resource, ResourceFile
from alliances.territories.tests.test_fuzz_cog import FUZZ, csv_bytes, xlsx_bytes

DEMO = Path(importer.__file__).parent / "demo"
with (DEMO / "ressources.csv").open(encoding="utf-8", newline="") as demo:
    COLUMNS, *ROWS = list(csv.reader(demo))
ROWS = ROWS[:8]
SAMPLE = (DEMO / "ressources.csv").read_bytes()
LOCATED = re.compile(r"^(line|ligne) \d+")

files = st.one_of(
    st.tuples(csv_bytes(COLUMNS, ROWS, [SAMPLE]), st.just("ressources.csv")),
    st.tuples(xlsx_bytes({"Ressources": (COLUMNS, ROWS)}), st.just("ressources.xlsx")),
)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def snapshot(media: Path) -> tuple:
    return (
        sorted(Resource.objects.values_list("pk", "title", "kind")),
        sorted(ResourceFile.objects.values_list("pk", "file")),
        sorted(str(path) for path in media.rglob("*") if path.is_file()),
    )


@FUZZ
@given(file=files, with_files=st.booleans())
def test_resources_import_imports_or_refuses_with_located_errors(
    db, settings, tmp_path, file, with_files
):
    data, name = file
    path = tmp_path / name
    path.write_bytes(data)
    before = snapshot(Path(settings.MEDIA_ROOT))
    try:
        report = resources_import(path=path, files_dir=DEMO / "fichiers" if with_files else None)
    except ImportFileError as error:
        event("file refused")
        assert str(error).strip()
        assert snapshot(Path(settings.MEDIA_ROOT)) == before
    except ImportRejected as rejected:
        event("rows refused")
        assert rejected.errors
        for message in rejected.errors:
            assert LOCATED.match(message), message
        assert snapshot(Path(settings.MEDIA_ROOT)) == before
    else:
        event("imported" if report.imported else "nothing new")
        for message in report.skipped:
            assert LOCATED.match(message), message


def test_a_cell_over_the_csv_limit_is_a_located_file_error(db, tmp_path):
    """Regression (found by the fuzz): a cell longer than the csv module's field limit
    (128 KiB by default) ended the import with _csv.Error."""
    path = tmp_path / "ressources.csv"
    huge = "x" * (csv.field_size_limit() + 1)
    path.write_text(f'title,kind,summary,body,tags,referentiel\nA,fiche,S,"{huge}",emploi,2.1\n')
    with pytest.raises(ImportFileError, match=r"^(line|ligne) 2\b"):
        resources_import(path=path)
    assert not Resource.objects.exists()


def test_a_file_name_too_long_for_the_system_is_a_located_row_error(db, tmp_path):
    """Regression (found by the fuzz): a `files` name longer than the file system allows
    ended the import with OSError (File name too long)."""
    path = tmp_path / "ressources.csv"
    name = "x" * 300 + ".pdf"
    path.write_text("title,kind,summary,body,tags,referentiel,files\n"
                    f"A,fiche,S,B,emploi,2.1,{name}\n")
    with pytest.raises(ImportRejected) as rejected:
        resources_import(path=path, files_dir=DEMO / "fichiers")
    assert len(rejected.value.errors) == 1
    assert re.match(r"^(line|ligne) 2, (column|colonne) files", rejected.value.errors[0])
    assert not Resource.objects.exists()
