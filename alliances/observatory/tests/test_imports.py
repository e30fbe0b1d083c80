"""Importing response files: what each cell becomes, located errors, all-or-nothing,
skip-bad-rows, appending, weights, raking, the task path and chunking."""

from __future__ import annotations

import csv
import io
from types import SimpleNamespace

import numpy as np
import pytest
from django.core.files.base import ContentFile
from django.utils import translation
from openpyxl import Workbook

from alliances.observatory import analysis, dataset, imports
from alliances.observatory.models import ResponseBatch, Wave, WaveQuestion
from alliances.observatory.services import (
    WaveStateError,
    margins_read,
    survey_create,
    wave_create,
    wave_publish,
    wave_rake,
)
from alliances.observatory.testing import make_wave, sample_definition

HEADER = "region,taille_commune,q4,q14,q20,q30,poids"


@pytest.fixture(autouse=True)
def _media_and_language(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    dataset.clear_cache()
    # The messages are asserted in English (their msgids); test_messages_are_french checks
    # the French catalogue.
    with translation.override("en"):
        yield


@pytest.fixture
def wave(analyste) -> Wave:
    survey = survey_create(slug="maires", title="Baromètre des maires", population="maires",
                           owner=analyste)
    return wave_create(survey=survey, label="2024", definition=sample_definition(),
                       created_by=analyste, attributes=["region", "taille_commune"])


def run(wave, content: str | bytes, *, filename="reponses.csv", weight="", skip=False,
        progress=None) -> ResponseBatch:
    data = content.encode() if isinstance(content, str) else content
    batch = imports.responses_import(
        wave=wave, file=ContentFile(data, name=filename), filename=filename,
        created_by=wave.created_by, weight_column=weight, skip_bad_rows=skip, enqueue=False,
    )
    assert batch.status == ResponseBatch.Status.PENDING
    return imports.batch_run(batch_id=batch.pk, progress=progress)


def columns_of(wave) -> dataset.Columns:
    batches = list(wave.batches.filter(status="terminee").values_list("data", flat=True))
    assert len(batches) == 1
    return dataset.unpack_columns(bytes(batches[0]), texts=True)


def located(batch) -> list[tuple[int | None, str, str]]:
    return [(e["line"], e["column"], e["message"]) for e in batch.errors]


def assert_same_columns(a: dataset.Columns, b: dataset.Columns) -> None:
    assert a.n == b.n
    assert a.single.keys() == b.single.keys() and a.multiple.keys() == b.multiple.keys()
    for code in a.single:
        np.testing.assert_array_equal(a.single[code], b.single[code], err_msg=code)
    for code in a.multiple:
        np.testing.assert_array_equal(a.multiple[code][0], b.multiple[code][0], err_msg=code)
        np.testing.assert_array_equal(a.multiple[code][1], b.multiple[code][1], err_msg=code)
    for code in a.numbers:
        np.testing.assert_array_equal(a.numbers[code], b.numbers[code], err_msg=code)
    assert a.texts == b.texts
    if a.weights is None:
        assert b.weights is None
    else:
        np.testing.assert_array_equal(a.weights, b.weights)


GOOD = (
    f"{HEADER},_uuid,start\n"
    "11,moins_1000,oui,asso ecoles,3,Très bien,1.5,u1,2024-01-01\n"
    "84,1000_plus,non,,\"3,5\",,2,u2,\n"
    "53,moins_1000,,entreprises,,\"deux\nlignes\",0.5,u3,\n"
    "11,1000_plus,nsp,ecoles asso ecoles,0,,1,u4,\n"
)


@pytest.mark.django_db
def test_a_csv_becomes_the_wave_columns(wave):
    version = wave.data_version
    batch = run(wave, GOOD, weight="poids")
    assert batch.status == ResponseBatch.Status.DONE, batch.errors
    assert (batch.rows_total, batch.rows_done, batch.rows_imported, batch.rows_rejected) == (
        4, 4, 4, 0)
    assert batch.errors == [] and batch.finished_at is not None and not batch.rejected_file
    assert batch.source.read() == GOOD.encode()  # the original file is kept
    wave.refresh_from_db()
    assert wave.data_version == version + 1
    c = columns_of(wave)
    assert c.n == 4
    assert c.single["region"].tolist() == [0, 1, 2, 0]
    assert c.single["q4"].tolist() == [0, 1, -1, 2]
    chosen, answered = c.multiple["q14"]
    assert chosen.tolist() == [[True, False, True], [False, False, False],
                               [False, True, False], [True, False, True]]
    assert answered.tolist() == [True, False, True, True]
    np.testing.assert_array_equal(c.numbers["q20"], [3.0, 3.5, np.nan, 0.0])
    assert c.texts["q30"] == ["Très bien", "", "deux\nlignes", ""]
    assert c.weights.tolist() == [1.5, 2.0, 0.5, 1.0]
    assert dataset.wave_data(wave).weight_source == Wave.WeightSource.IMPORTED


@pytest.mark.django_db
def test_without_a_weight_column_rows_weigh_one(wave):
    content = "region,q4\n11,oui\n84,non\n"
    batch = run(wave, content)
    assert batch.status == ResponseBatch.Status.DONE
    assert columns_of(wave).weights is None
    data = dataset.wave_data(wave)
    assert data.weight_source == Wave.WeightSource.NONE and data.weights.tolist() == [1, 1]
    # Questions absent from the file are unanswered.
    assert columns_of(wave).multiple["q14"][1].tolist() == [False, False]


def xlsx_bytes(rows: list[list[object]]) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.django_db
def test_an_xlsx_gives_the_same_columns_as_the_csv(wave, analyste):
    run(wave, GOOD, weight="poids")
    rows = [
        HEADER.split(",") + ["_uuid", "start"],
        [11, "moins_1000", "oui", "asso ecoles", 3, "Très bien", 1.5, "u1", None],
        [84, "1000_plus", "non", None, 3.5, None, 2, "u2", None],
        [53, "moins_1000", None, "entreprises", None, "deux\nlignes", 0.5, "u3", None],
        [None, None, None, None, None, None, None, None, None],  # an empty row: skipped
        ["11", "1000_plus", "nsp", "ecoles asso ecoles", 0.0, None, 1, "u4", None],
    ]
    other = make_wave(analyste, label="2025", n=0)
    batch = run(other, xlsx_bytes(rows), filename="reponses.xlsx", weight="poids")
    assert batch.status == ResponseBatch.Status.DONE, batch.errors
    assert batch.rows_imported == 4
    parts = [dataset.unpack_columns(bytes(d), texts=True) for d in
             other.batches.filter(status="terminee").order_by("id").values_list("data",
                                                                                flat=True)]
    assert parts[0].n == 0  # make_wave's empty batch
    assert_same_columns(columns_of(wave), parts[1])


@pytest.mark.django_db
def test_an_xlsx_bad_cell_is_located_by_its_row(wave):
    rows = [["region", "q4"], ["11", "oui"], ["84", "peut-être"]]
    batch = run(wave, xlsx_bytes(rows), filename="r.xlsx")
    assert located(batch) == [(3, "q4", "« peut-être » is not an option of q4 (expected one "
                                        "of: oui, non, nsp).")]


@pytest.mark.django_db
def test_both_multiple_choice_styles_give_the_same_columns(wave, analyste):
    joined = "region,q14\n11,asso ecoles\n84,\n53,entreprises\n11,ecoles\n"
    split = ("region,q14/asso,q14/entreprises,q14/ecoles\n"
             "11,1,0,1\n84,,,\n53,False,True,False\n11,0,0,1\n")
    both = ("region,q14,q14/asso,q14/entreprises,q14/ecoles\n"
            "11,asso ecoles,1,0,1\n84,,,,\n53,entreprises,0,1,0\n11,ecoles,0,0,1\n")
    grouped = ("region,groupe/q14/asso,groupe/q14/entreprises,groupe/q14/ecoles\n"
               "11,True,False,TRUE\n84,,,\n53, 0 ,1,0\n11,0,false,1\n")
    results = []
    for i, content in enumerate([joined, split, both, grouped]):
        target = wave if i == 0 else make_wave(analyste, label=f"v{i}", n=0)
        target.batches.all().delete()
        batch = run(target, content)
        assert batch.status == ResponseBatch.Status.DONE, batch.errors
        results.append(columns_of(target))
    for other in results[1:]:
        assert_same_columns(results[0], other)
    assert results[0].multiple["q14"][1].tolist() == [True, False, True, True]


@pytest.mark.django_db
def test_an_empty_multiple_choice_cell_is_outside_the_base(wave):
    content = "region,q14\n11,asso\n84,\n53,asso entreprises\n11,\n84,ecoles\n"
    run(wave, content)
    data = dataset.wave_data(wave)
    results = analysis.question_results(data, "q14", min_n=1)
    group = results.groups[0]
    assert group.n == 3  # the two empty cells are not "chose nothing"
    shares = {o.code: o.share for o in group.options}
    assert shares == pytest.approx({"asso": 2 / 3, "entreprises": 1 / 3, "ecoles": 1 / 3})


@pytest.mark.django_db
@pytest.mark.parametrize(("header", "weight", "column", "message"), [
    ("region,q4,q99", "", "q99", "« q99 » is not a question of the wave (its codes: region, "
     "taille_commune, q4, q14, q20, q30), nor the weight column, nor a Kobo/ODK metadata "
     "column."),
    ("region,q14/asso,q14/entreprises,q14/ecoles,q14/autre", "", "q14/autre",
     "« autre » is not an option of q14 (expected one of: asso, entreprises, ecoles)."),
    ("region,q14/asso,q14/ecoles", "", "q14/entreprises",
     "q14 is given as 0/1 columns, but the columns of these options are missing: "
     "entreprises."),
    ("region,q4", "poids", "poids", "The weight column « poids » is not in the file."),
    ("region,q4,q4", "", "q4", "The column « q4 » appears twice."),
    ("region,q4,page1/q4", "", "page1/q4", "q4 is already given by the column « q4 »."),
    ("region,,q4", "", "", "Column 2 has no name."),
    ("_id,start,end,meta/instanceID", "", "", "No column of the file is a question of the "
                                              "wave."),
])
def test_a_bad_header_is_located_at_line_1(wave, header, weight, column, message):
    version = wave.data_version
    batch = run(wave, f"{header}\n" + ",".join(["11"] * len(header.split(","))) + "\n",
                weight=weight)
    assert batch.status == ResponseBatch.Status.FAILED
    assert located(batch) == [(1, column, message)]
    assert batch.data is None and batch.rows_imported == 0
    wave.refresh_from_db()
    assert wave.data_version == version


@pytest.mark.django_db
def test_metadata_group_prefixes_and_trailing_unnamed_columns_are_accepted(wave):
    content = ("_id,_uuid,start,end,today,deviceid,__version__,meta/instanceID,"
               "identification/region,q4,_index,,\n"
               "1,u,2024,2024,2024,d,v1,uuid:1,84,oui,1,,\n")
    batch = run(wave, content)
    assert batch.status == ResponseBatch.Status.DONE, batch.errors
    assert columns_of(wave).single["region"].tolist() == [1]


BAD = (
    f"{HEADER}\n"
    "11,moins_1000,oui,asso,3,,1\n"                   # 2: good
    "11,moins_1000,peut-être,asso,3,,1\n"             # 3: not an option
    "84,moins_1000,oui,asso cinema,3,,1\n"            # 4: not an option of the MC
    "84,moins_1000,oui,,trois,,1\n"                   # 5: not a number
    "84,moins_1000,oui,,-2,,1\n"                      # 6: below the minimum (0)
    "53,moins_1000,oui,,1,,\n"                        # 7: weight missing
    "53,moins_1000,oui,,1,,0\n"                       # 8: weight 0
    "53,moins_1000,oui,,1,,-1.5\n"                    # 9: negative weight
    "53,moins_1000,oui,,1,,lourd\n"                   # 10: weight not a number
    "75,grande,oui,,1,,1,extra\n"                     # 11: two bad cells, one cell too many
    "53,moins_1000,oui,,1,,inf\n"                     # 12: weight not finite
    "11,1000_plus, non ,ecoles,2,,2\n"                # 13: good (spaces forgiven)
)
BAD_ERRORS = [
    (3, "q4", "« peut-être » is not an option of q4 (expected one of: oui, non, nsp)."),
    (4, "q14", "« cinema » is not an option of q14 (expected option codes separated by spaces, "
               "among: asso, entreprises, ecoles)."),
    (5, "q20", "« trois » is not a number."),
    (6, "q20", "-2 is below the minimum of q20 (0)."),
    (7, "poids", "The weight is missing."),
    (8, "poids", "The weight must be greater than 0 (it is 0)."),
    (9, "poids", "The weight must be greater than 0 (it is -1.5)."),
    (10, "poids", "« lourd » is not a number (expected a weight greater than 0)."),
    (11, "", "The row has 8 cells, the header 7."),
    (11, "region", "« 75 » is not an option of region (expected one of: 11, 84, 53)."),
    (11, "taille_commune", "« grande » is not an option of taille_commune (expected one of: "
                           "moins_1000, 1000_plus)."),
    (12, "poids", "« inf » is not a number (expected a weight greater than 0)."),
]


@pytest.mark.django_db
def test_every_bad_cell_is_located_and_nothing_is_imported(analyste):
    wave = make_wave(analyste, n=50)
    version = wave.data_version
    batch = run(wave, BAD, weight="poids")
    assert batch.status == ResponseBatch.Status.FAILED
    assert located(batch) == BAD_ERRORS
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (12, 0, 10)
    assert batch.data is None and not batch.rejected_file
    wave.refresh_from_db()
    assert wave.data_version == version
    assert dataset.wave_data(wave).n == 50


@pytest.mark.django_db
def test_a_number_above_the_wave_maximum_is_refused(wave):
    WaveQuestion.objects.filter(wave=wave, question__code="q20").update(maximum=10)
    batch = run(wave, "q20\n10\n10.5\n")
    assert located(batch) == [(3, "q20", "10.5 is above the maximum of q20 (10).")]


@pytest.mark.django_db
def test_skip_bad_rows_imports_the_good_ones_and_writes_the_rejected_ones(wave):
    batch = run(wave, BAD, weight="poids", skip=True)
    assert batch.status == ResponseBatch.Status.DONE
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (12, 2, 10)
    assert located(batch) == BAD_ERRORS
    c = columns_of(wave)
    assert c.n == 2 and c.single["q4"].tolist() == [0, 1] and c.weights.tolist() == [1, 2]
    assert batch.rejected_file.name.endswith(".csv")
    with batch.rejected_file.open("rb") as f:
        rejected = list(csv.reader(io.StringIO(f.read().decode("utf-8-sig"))))
    assert rejected[0] == [*HEADER.split(","), "erreurs"]
    assert len(rejected) == 11
    assert rejected[1][:7] == "11,moins_1000,peut-être,asso,3,,1".split(",")
    assert rejected[1][7] == ("line 3: q4: « peut-être » is not an option of q4 (expected one "
                              "of: oui, non, nsp).")
    assert rejected[9][:7] == "75,grande,oui,,1,,1".split(",")
    assert rejected[9][7].startswith("line 11: The row has 8 cells, the header 7. ; region: ")


@pytest.mark.django_db
def test_skip_bad_rows_with_no_good_row_imports_nothing(wave):
    batch = run(wave, "region,q4\n99,oui\n11,zz\n", skip=True)
    assert batch.status == ResponseBatch.Status.FAILED
    assert batch.rows_rejected == 2 and batch.rejected_file
    assert not wave.batches.filter(status="terminee").exists()


@pytest.mark.django_db
def test_only_the_first_thousand_errors_are_kept_with_the_count(wave):
    content = "region,q4\n" + "11,zz\n" * 1500 + "99,zz\n" * 10
    batch = run(wave, content)
    assert batch.status == ResponseBatch.Status.FAILED
    assert len(batch.errors) == 1001
    assert batch.errors[0] == {"line": 2, "column": "q4", "message": batch.errors[0]["message"]}
    assert batch.errors[999]["line"] == 1001
    assert batch.errors[-1]["more"] == 520
    assert batch.errors[-1]["message"] == "… and 520 more errors."
    assert batch.rows_rejected == 1510


@pytest.mark.django_db
def test_a_second_import_appends(analyste):
    wave = make_wave(analyste, n=400)
    before = dataset.wave_data(wave)
    batch = run(wave, f"{HEADER}\n11,moins_1000,non,ecoles,7,,2\n53,1000_plus,oui,,1,,3\n",
                weight="poids")
    assert batch.status == ResponseBatch.Status.DONE
    wave.refresh_from_db()  # its new data_version: the cached data set is stale
    after = dataset.wave_data(wave)
    assert after.n == 402
    np.testing.assert_array_equal(after.columns.single["q4"][:400], before.columns.single["q4"])
    assert after.columns.single["q4"][400:].tolist() == [1, 0]
    assert after.columns.weights[400:].tolist() == [2, 3]


@pytest.mark.django_db
def test_weights_are_used(wave):
    rows = ["11,oui,3", "11,non,1", "84,oui,1", "84,non,1", "84,nsp,2"]
    run(wave, "region,q4,poids\n" + "\n".join(rows) + "\n", weight="poids")
    results = analysis.question_results(dataset.wave_data(wave), "q4", min_n=1)
    group = results.groups[0]
    assert group.n == 5 and group.weighted_n == pytest.approx(8)
    assert [o.share for o in group.options] == pytest.approx([4 / 8, 2 / 8, 2 / 8])


@pytest.mark.django_db
def test_an_import_rakes_the_wave_again(analyste):
    wave = make_wave(analyste, n=300)
    margins = margins_read("variable,category,share\nregion,11,30\nregion,84,50\nregion,53,20\n")
    wave_rake(wave=wave, margins=margins)
    wave.refresh_from_db()
    first = wave.rake_report["at"]
    batch = run(wave, "region,q4\n11,oui\n53,non\n")
    assert batch.status == ResponseBatch.Status.DONE
    wave.refresh_from_db()
    assert wave.rake_report["at"] != first and wave.rake_report["before"]["n"] == 302
    data = dataset.wave_data(wave)
    shares = np.bincount(data.columns.single["region"], weights=data.weights) / data.weights.sum()
    assert shares == pytest.approx([0.3, 0.5, 0.2], abs=1e-6)


@pytest.mark.django_db
def test_rows_that_break_the_raking_margins_import_nothing(analyste):
    wave = make_wave(analyste, n=300)
    wave_rake(wave=wave, margins=margins_read(
        "variable,category,share\nregion,11,30\nregion,84,50\nregion,53,20\n"))
    wave.refresh_from_db()
    version = wave.data_version
    batch = run(wave, "region,q4\n11,oui\n,non\n")  # a respondent without a region
    assert batch.status == ResponseBatch.Status.FAILED
    assert len(batch.errors) == 1
    assert batch.errors[0]["message"].startswith("With these rows the wave's raking margins no "
                                                 "longer fit: ")
    assert "1 respondents have no answer" in batch.errors[0]["message"]
    wave.refresh_from_db()
    assert wave.data_version == version and batch.data is None
    assert dataset.wave_data(wave).n == 300


@pytest.mark.django_db
def test_encodings_and_delimiters(wave):
    cp1252 = "region;q4;q30\r\n11;oui;Très « bien »\r\n".encode("cp1252")
    bom = "\ufeffregion\tq4\tq30\n84\tnon\tçà\n".encode()
    for content in (cp1252, bom):
        batch = run(wave, content)
        assert batch.status == ResponseBatch.Status.DONE, batch.errors
    data = dataset.build_wave_data(wave)
    texts = dataset.concat_columns(list(data.questions.values()), [
        dataset.unpack_columns(bytes(d), texts=True)
        for d in wave.batches.order_by("id").values_list("data", flat=True)]).texts["q30"]
    assert texts == ["Très « bien »", "çà"]
    assert data.columns.single["region"].tolist() == [0, 1]


@pytest.mark.django_db
@pytest.mark.parametrize(("content", "filename", "message"), [
    (b"", "r.csv", "The file is empty."),
    (b"region,q4\n", "r.csv", "The file has no response rows."),
    (b"region,q4\n\n,\n", "r.csv", "The file has no response rows."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1rest", "r.xls",
     "This is an old Excel (.xls) file: save it as .xlsx or CSV."),
    (b"region,q4\n11,\x81\x8d\n", "r.csv", "The file is neither UTF-8 nor Windows-1252 text."),
])
def test_unreadable_files_fail_with_a_message(wave, content, filename, message):
    batch = run(wave, content, filename=filename)
    assert batch.status == ResponseBatch.Status.FAILED
    assert [e["message"] for e in batch.errors] == [message]


@pytest.mark.django_db
def test_a_zip_that_is_not_a_workbook_fails(wave):
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("hello.txt", "hi")
    batch = run(wave, out.getvalue(), filename="r.xlsx")
    assert batch.status == ResponseBatch.Status.FAILED
    assert batch.errors[0]["message"].startswith("The file is not a readable XLSX workbook")


@pytest.mark.django_db
def test_a_published_wave_or_a_wave_without_questions_is_refused(analyste):
    wave = make_wave(analyste, n=40)
    wave_publish(wave=wave, by=analyste)
    with pytest.raises(WaveStateError, match="A published wave cannot take new responses"):
        run(wave, "region\n11\n")
    assert not wave.batches.exclude(filename="sample.csv").exists()
    empty = make_wave(analyste, label="vide", n=0)
    empty.questions.all().delete()
    with pytest.raises(WaveStateError, match="The wave has no questions yet"):
        run(empty, "region\n11\n")


@pytest.mark.django_db
def test_a_wave_published_before_the_task_runs_fails_the_batch(analyste):
    wave = make_wave(analyste, n=40)
    batch = imports.responses_import(wave=wave, file=ContentFile(b"region\n11\n"),
                                     filename="r.csv", created_by=analyste, enqueue=False)
    wave_publish(wave=wave, by=analyste)
    batch = imports.batch_run(batch_id=batch.pk)
    assert batch.status == ResponseBatch.Status.FAILED
    assert batch.errors[0]["message"].startswith("A published wave cannot take new responses")
    assert dataset.wave_data(wave).n == 40


@pytest.mark.django_db
def test_the_task_path_sets_progress_and_status(wave, settings, monkeypatch,
                                                django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    monkeypatch.setattr(imports, "CHUNK_ROWS", 10)
    seen = []
    real = imports._Reader._chunk

    def watch(self, rows, first_line):
        real(self, rows, first_line)
        seen.append(ResponseBatch.objects.values_list("status", "rows_done", "rows_total")
                    .get(pk=self.batch.pk))

    monkeypatch.setattr(imports._Reader, "_chunk", watch)
    content = "region,q4\n" + "11,oui\n" * 25
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        batch = imports.responses_import(wave=wave, file=ContentFile(content.encode()),
                                         filename="r.csv", created_by=wave.created_by)
        assert batch.status == ResponseBatch.Status.PENDING
    assert len(callbacks) == 1
    # The progress is saved after each chunk, while the batch is running (rows_total is
    # estimated from the file's line count, then fixed).
    assert seen == [("en_cours", 0, 25), ("en_cours", 10, 25), ("en_cours", 20, 25)]
    batch.refresh_from_db()
    assert batch.status == ResponseBatch.Status.DONE
    assert (batch.rows_total, batch.rows_done, batch.rows_imported) == (25, 25, 25)
    assert dataset.wave_data(wave).n == 25


@pytest.mark.django_db
def test_the_task_function_runs_a_waiting_batch_once(wave):
    from alliances.observatory.tasks import import_responses

    batch = imports.responses_import(wave=wave, file=ContentFile(b"region\n11\n84\n"),
                                     filename="r.csv", created_by=wave.created_by,
                                     enqueue=False)
    first_attempt = SimpleNamespace(attempt=1)  # the TaskContext the worker passes
    assert import_responses.call(first_attempt, batch_id=batch.pk) == 2
    version = Wave.objects.get(pk=wave.pk).data_version
    # A second run (a task delivered twice) leaves the done batch alone.
    again = imports.batch_run(batch_id=batch.pk)
    assert again.status == ResponseBatch.Status.DONE and again.rows_imported == 2
    assert Wave.objects.get(pk=wave.pk).data_version == version
    assert dataset.wave_data(wave).n == 2


@pytest.mark.django_db
def test_chunks_across_boundaries(wave, monkeypatch):
    """20,000 rows read 7,000 at a time, with bad rows around the boundaries, a blank line,
    and old-Mac line endings (no \\n, so the arrays grow from a wrong estimate)."""
    monkeypatch.setattr(imports, "CHUNK_ROWS", 7_000)
    rng = np.random.default_rng(3)
    regions, sizes, answers = ["11", "84", "53"], ["moins_1000", "1000_plus"], ["oui", "non",
                                                                                 "nsp", ""]
    partners = ["asso", "entreprises", "ecoles"]
    lines, expected, weights = [HEADER], [], []
    bad_lines = {7001, 7002, 14001, 20001}
    for i in range(20_000):
        line_number = len(lines) + 1
        if i == 100:
            lines.append("")  # a blank line: skipped, but still counted as a line
            line_number += 1
        row = {"region": regions[rng.integers(3)], "taille_commune": sizes[rng.integers(2)],
               "q4": answers[rng.integers(4)], "q20": int(rng.integers(0, 30))}
        if rng.random() < 0.8:
            row["q14"] = [p for p in partners if rng.random() < 0.4]
        q14 = " ".join(row.get("q14", []))
        if line_number in bad_lines:
            row["q4"] = "oui?"
        weight = float(rng.integers(1, 5))
        lines.append(f"{row['region']},{row['taille_commune']},{row['q4']},{q14},{row['q20']},"
                     f"r{i},{weight}")
        if line_number not in bad_lines:
            row["q30"] = f"r{i}"
            expected.append(row)
            weights.append(weight)
    content = "\r".join(lines) + "\r"
    batch = run(wave, content, weight="poids", skip=True)
    assert batch.status == ResponseBatch.Status.DONE, batch.errors[:3]
    assert [e["line"] for e in batch.errors] == sorted(bad_lines)
    assert (batch.rows_total, batch.rows_imported, batch.rows_rejected) == (20_000, 19_996, 4)
    defs = list(dataset.wave_questions(wave).values())
    reference = dataset.encode_answers(defs, expected)
    reference.weights = np.array(weights)
    assert_same_columns(columns_of(wave), reference)


@pytest.mark.django_db
def test_responses_import_enqueues_on_commit_only(wave, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        batch = imports.responses_import(wave=wave, file=ContentFile(b"region\n11\n"),
                                         filename="../../etc/r.csv",
                                         created_by=wave.created_by)
    assert len(callbacks) == 1
    assert batch.filename == "r.csv"
    assert batch.source.name.startswith("observatory/imports/r")


def _catalogue_has(message: str) -> bool:
    with translation.override("fr"):
        return translation.gettext(message) != message


@pytest.mark.django_db
@pytest.mark.skipif(not _catalogue_has("The weight is missing."),
                    reason="the lead merges /tmp/lead/imports.po into the French catalogue")
def test_messages_are_french(wave):
    with translation.override("fr"):
        batch = run(wave, "region,q4,poids\n11,peut-être,\n", weight="poids")
    assert [e["message"] for e in batch.errors] == [
        "« peut-être » n'est pas une option de q4 (attendu : l'une de oui, non, nsp).",
        "Le poids manque.",
    ]
