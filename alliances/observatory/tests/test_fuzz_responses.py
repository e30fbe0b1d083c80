"""Hostile response files (issue 8), CSV and XLSX: random bytes, a good file cut short, the
wave's columns over hostile cells (quotes, separators, line breaks, NULs, huge fields),
columns missing or added, rows duplicated, other encodings.

A batch always ends `terminee` or `echouee`, never with an exception. Failed, it lists its
errors, each with a message and located (a cell's line and column; a file-level problem
has neither), and the wave's data is as it was: no rows kept, no new data version. With
`skip_bad_rows`, the rows it kept are counted and the others located.
"""

import csv
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from hypothesis import event, given
from hypothesis import strategies as st

from alliances.observatory import dataset, imports
from alliances.observatory.models import ResponseBatch, Wave
from alliances.observatory.services import survey_create, wave_create
from alliances.observatory.testing import sample_definition
from alliances.territories.tests.test_fuzz_cog import FUZZ, csv_bytes, xlsx_bytes

COLUMNS = ["region", "taille_commune", "q4", "q14", "q20", "q30", "poids", "_uuid"]
ROWS = [
    ["11", "moins_1000", "oui", "asso ecoles", "3", "Très bien", "1.5", "u1"],
    ["84", "1000_plus", "non", "", "3,5", "", "2", "u2"],
    ["53", "moins_1000", "", "entreprises", "", "deux\nlignes", "0.5", "u3"],
    ["11", "1000_plus", "nsp", "ecoles asso ecoles", "0", "", "1", "u4"],
]


def _good() -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows([COLUMNS, *ROWS])
    return out.getvalue().encode()


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset.clear_cache()
    with translation.override("en"):
        yield


@pytest.fixture
def wave(analyste) -> Wave:
    survey = survey_create(slug="maires", title="Baromètre des maires", population="maires",
                           owner=analyste)
    return wave_create(survey=survey, label="2024", definition=sample_definition(),
                       created_by=analyste, attributes=["region", "taille_commune"])


files = st.one_of(
    st.tuples(csv_bytes(COLUMNS, ROWS, [_good()]), st.just("reponses.csv")),
    st.tuples(xlsx_bytes({"Feuil1": (COLUMNS, ROWS)}), st.just("reponses.xlsx")),
)


@FUZZ
@given(file=files, weight=st.sampled_from(["", "poids", "nowhere"]), skip=st.booleans())
def test_a_batch_is_imported_or_fails_with_located_errors(wave, file, weight, skip):
    data, filename = file
    wave.refresh_from_db()
    version = wave.data_version
    batch = imports.responses_import(
        wave=wave, file=ContentFile(data, name=filename), filename=filename,
        created_by=wave.created_by, weight_column=weight, skip_bad_rows=skip, enqueue=False,
    )
    batch = imports.batch_run(batch_id=batch.pk)
    wave.refresh_from_db()
    for error in batch.errors:
        assert error["message"].strip()
        assert error["line"] is not None or not error["column"], error
    if batch.status == ResponseBatch.Status.FAILED:
        event("failed")
        assert batch.errors
        assert batch.rows_imported == 0 and batch.data is None
        assert wave.data_version == version
    else:
        event("imported, some rows rejected" if batch.rows_rejected else "imported")
        assert batch.status == ResponseBatch.Status.DONE
        assert batch.rows_imported == batch.rows_total - batch.rows_rejected > 0
        assert not batch.rows_rejected or skip
        assert wave.data_version == version + 1
