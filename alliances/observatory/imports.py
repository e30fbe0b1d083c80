"""Importing a wave's responses from a CSV or XLSX file (one row per respondent).

`responses_import` keeps the file as a ResponseBatch waiting to run and enqueues the
background task (`tasks.import_responses`) once the transaction commits; `batch_run` does the
work, in the worker or synchronously for `alliances observatory import`.

The file
--------
The first row names the columns by question code (the XLSForm `name`). Then one row per
respondent; entirely empty rows are skipped. A row's "line" in messages is its row number in
the file with the header as line 1 (a cell holding a line break does not shift it: the number
is the row's, as a spreadsheet shows it). Cells:

- single choice, scale, attribute: one option code of the wave (`oui`); empty = not answered.
- multiple choice, either one column `q14` of space-separated option codes (ODK/Kobo style),
  or one 0/1 column per option named `q14/asso` (Kobo's "separate columns" export; `1`/`0`,
  `True`/`False`). Empty = not answered: outside that question's base, not "chose nothing".
  The 0/1 columns must cover every option of the wave. Kobo's "single and separate columns"
  export gives both: the single column is read then, and the 0/1 columns are only checked to
  be options of the question.
- number: `3`, `3.5` or `3,5`, within the wave's minimum and maximum if it has them.
- free text: kept as it is.
- the weight column, if one is named: a finite number > 0 on every row.

Other columns: Kobo/ODK metadata (`_id`, `_uuid`, `_submission_time`, `start`, `end`,
`today`, `deviceid`, `meta/instanceID`, `__version__`, any name starting with `_`…) are
ignored. A Kobo group prefix is accepted: `groupe/q4` is read as `q4` and `groupe/q14/asso` as
the option column `q14/asso`, when `q4`/`q14` is a code of the wave (ODK Central's `-`
separator is not, since XLSForm names may contain hyphens: export without group names).
Any other column is an error at the header: a misspelt code must not be silently dropped.

CSV files are read as UTF-8 (with or without BOM), else Windows-1252; the delimiter (`,`, `;`
or tab) is the one the header line uses most. XLSX files: the first sheet, values as shown
(with Kobo's "XML values and headers").

Errors and atomicity
--------------------
Every bad cell is reported as {"line", "column", "message"}. By default one bad row fails
the whole batch: nothing is imported, the first 1,000 errors are kept in `errors` (when there
are more, a last entry {"line": None, "column": "", "message": "… N more", "more": N} says how
many) and `rows_rejected` counts the bad rows. With `skip_bad_rows`, the good rows are
imported and the bad ones written to `rejected_file`: their original cells and an `erreurs`
column.

Speed and memory: the rows are read in chunks of 50,000 by the csv module, each column of a
chunk is mapped to its codes through a dict per column (C-level `map`, misses resolved once
and remembered), and written into preallocated NumPy arrays; no per-row objects are kept.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path
from typing import IO, Any

import numpy as np
from django.core.files.base import File
from django.db import connection, transaction
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from alliances.accounts.models import User

from . import dataset, services
from .dataset import SINGLE_KINDS, QuestionDef
from .models import ResponseBatch, Wave, WaveQuestion

CHUNK_ROWS = 50_000
MAX_ERRORS = 1_000
# Options named in a message before "…".
SHOWN_OPTIONS = 12

# Columns that Kobo or ODK (Collect, Central) add to an export: not answers.
METADATA_COLUMNS = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber",
    "username", "audit", "instanceid", "instancename", "key", "submissiondate",
    "submitterid", "submittername", "attachmentspresent", "attachmentsexpected", "status",
    "reviewstate", "edits", "formversion", "formhub/uuid",
})

Progress = Callable[[int, int | None], None]


class ImportFailed(Exception):
    """The batch cannot be imported: `errors` are located ({line, column, message})."""

    def __init__(self, errors: list[dict[str, Any]]):
        self.errors = errors
        super().__init__("; ".join(e["message"] for e in errors))


def _error(line: int | None, column: str, message: str) -> dict[str, Any]:
    return {"line": line, "column": column, "message": message}


# -- the service -------------------------------------------------------------------------


@transaction.atomic
def responses_import(
    *,
    wave: Wave,
    file: IO[bytes] | File,
    filename: str,
    created_by: User,
    weight_column: str = "",
    skip_bad_rows: bool = False,
    enqueue: bool = True,
) -> ResponseBatch:
    """Keep `file` as a new batch of `wave`'s responses, waiting, and enqueue its import once
    the transaction commits (`enqueue=False`: the caller runs `batch_run` itself, as the
    command does). Every problem of the file itself shows later in the batch's errors; only
    a wave that cannot take responses is refused here (WaveStateError)."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    _check_wave(locked)
    batch = ResponseBatch(
        wave=locked, status=ResponseBatch.Status.PENDING, filename=Path(filename).name[:255],
        weight_column=weight_column.strip(), skip_bad_rows=skip_bad_rows, created_by=created_by,
    )
    batch.source.save(Path(filename).name or "responses.csv",
                      file if isinstance(file, File) else File(file), save=False)
    batch.save()
    if enqueue:
        from .tasks import import_responses

        transaction.on_commit(partial(import_responses.enqueue, batch_id=batch.pk))
    return batch


def _check_wave(wave: Wave) -> None:
    if wave.status == Wave.Status.PUBLIEE:
        raise services.WaveStateError(
            _("A published wave cannot take new responses: withdraw its publication first.")
        )
    if not wave.questions.exists():
        raise services.WaveStateError(
            _("The wave has no questions yet: create it from its definition first.")
        )


def batch_run(*, batch_id: int, progress: Progress | None = None,
              resume: bool = False) -> ResponseBatch:
    """Import a waiting batch: parse, validate, then store its columns and refresh the wave.

    Only a batch still waiting is run (the task and a second call do nothing to it), so a
    batch is never imported twice. Progress (`rows_done`) is saved after each chunk, outside
    any transaction, for a console to poll; the columns, the counters, the status `terminee`
    and the wave's new data_version (with its raking redone) are written in one short
    transaction at the end. A process that dies before that leaves the batch `en_cours` with
    no `data`; the wave's data set only reads `terminee` batches, so a crash imports nothing.
    If the wave's raking margins no longer fit the data with the new rows, the batch fails
    with that message and nothing is kept.

    `resume`: the caller knows the run that left the batch `en_cours` is dead (the task's
    second attempt after its worker was killed); the batch is taken back and run again.
    """
    claimable = [ResponseBatch.Status.PENDING]
    if resume:
        claimable.append(ResponseBatch.Status.RUNNING)
    claimed = ResponseBatch.objects.filter(
        pk=batch_id, status__in=claimable
    ).update(status=ResponseBatch.Status.RUNNING, rows_done=0)
    batch = ResponseBatch.objects.select_related("wave").get(pk=batch_id)
    if not claimed:
        return batch
    try:
        _check_wave(batch.wave)
        with _local_path(batch) as path:
            result = _Reader(batch, path, progress).run()
        _finish(batch, result)
    except ImportFailed as failure:
        _fail(batch, failure.errors)
    except services.WaveStateError as error:
        _fail(batch, [_error(None, "", str(error))])
    except Exception:
        _fail(batch, [_error(None, "", _("The import stopped on an unexpected error."))])
        raise
    batch.refresh_from_db()
    return batch


def _fail(batch: ResponseBatch, errors: list[dict[str, Any]], **fields: Any) -> None:
    ResponseBatch.objects.filter(pk=batch.pk).update(
        status=ResponseBatch.Status.FAILED, errors=errors, rows_imported=0, data=None,
        finished_at=timezone.now(), **fields,
    )


@dataclass
class _Result:
    columns: dataset.Columns
    rows: int  # data rows read (blank rows not counted)
    rejected: int
    errors: list[dict[str, Any]]
    rejected_file: IO[bytes] | None


def _finish(batch: ResponseBatch, result: _Result) -> None:
    counters: dict[str, Any] = {"rows_total": result.rows, "rows_done": result.rows,
                "rows_rejected": result.rejected}
    if result.rejected_file is not None:
        stem = Path(batch.filename).stem or "responses"
        batch.rejected_file.save(f"{stem}.rejected.csv", File(result.rejected_file), save=False)
        result.rejected_file.close()
        counters["rejected_file"] = batch.rejected_file.name
    if result.errors and not batch.skip_bad_rows:
        _fail(batch, result.errors, **counters)
        return
    if result.columns.n == 0:
        errors = result.errors or [_error(None, "", _("The file has no response rows."))]
        _fail(batch, errors, **counters)
        return
    packed = dataset.pack_columns(result.columns)
    try:
        with transaction.atomic():
            wave = Wave.objects.select_for_update().get(pk=batch.wave_id)
            _check_wave(wave)
            _fast_compression()
            ResponseBatch.objects.filter(pk=batch.pk).update(
                status=ResponseBatch.Status.DONE, data=packed, errors=result.errors,
                rows_imported=result.columns.n, finished_at=timezone.now(), **counters,
            )
            services.wave_data_changed(wave)
    except services.DefinitionError as error:
        message = _("With these rows the wave's raking margins no longer fit: %(error)s") % {
            "error": str(error)}
        _fail(batch, [_error(None, "", message)], **counters)


def _fast_compression() -> None:
    """On PostgreSQL, compress the columns with lz4 rather than the default pglz, for this
    transaction: a million rows' 25 MB take pglz seconds of the server's time (measured 2.8
    to 4.3 s against 0.8 to 1.9 s on this machine), during which the wave is locked."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_settings WHERE name = 'default_toast_compression' "
                       "AND 'lz4' = ANY(enumvals)")
        if cursor.fetchone():
            cursor.execute("SET LOCAL default_toast_compression = 'lz4'")


@contextmanager
def _local_path(batch: ResponseBatch) -> Iterator[str]:
    """The stored file as a local path (a copy if the storage is not the file system)."""
    storage, name = batch.source.storage, batch.source.name or ""
    try:
        local = storage.path(name)
    except NotImplementedError:
        local = ""
    if local:
        yield local
        return
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix) as copy:
        with storage.open(name, "rb") as source:
            shutil.copyfileobj(source, copy, 1 << 20)
        copy.flush()
        yield copy.name


# -- reading the file --------------------------------------------------------------------


@dataclass
class _Source:
    header: list[str]
    chunks: Iterator[list[list[str]]]
    estimate: int | None  # rows, for progress: a guess (CSV: lines but the header)
    capacity: int | None  # rows to allocate for: an upper bound if known
    delimiter: str
    close: Callable[[], None]


def _open_source(path: str) -> _Source:
    with open(path, "rb") as f:
        magic = f.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return _open_xlsx(path)
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFailed([_error(None, "", _(
            "This is an old Excel (.xls) file: save it as .xlsx or CSV."))])
    return _open_csv(path)


def _open_csv(path: str) -> _Source:
    # One pass over the bytes (C speed) to pick the encoding before reading and to count
    # the lines: every row ends a line, so the count bounds the rows (fixed at the end).
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, newlines = True, 0
    with open(path, "rb") as f:
        while block := f.read(1 << 22):
            newlines += block.count(b"\n")
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False
    text = open(path, encoding="utf-8-sig" if utf8 else "cp1252", newline="")  # noqa: SIM115
    try:
        first = text.readline()
        text.seek(0)
        delimiter = max((",", ";", "\t"), key=first.count) if first else ","
        reader = csv.reader(text, delimiter=delimiter)
        header = next(reader, None)
    except (UnicodeDecodeError, csv.Error) as error:
        text.close()
        raise _unreadable(error, 1) from None
    if header is None:
        text.close()
        raise ImportFailed([_error(None, "", _("The file is empty."))])

    def chunks() -> Iterator[list[list[str]]]:
        while True:
            try:
                chunk = list(islice(reader, CHUNK_ROWS))
            except (UnicodeDecodeError, csv.Error) as error:
                raise _unreadable(error, reader.line_num + 1) from None
            if not chunk:
                return
            yield chunk

    return _Source(header, chunks(), max(newlines - 1, 1), max(newlines, 1), delimiter,
                   text.close)


def _unreadable(error: Exception, line: int) -> ImportFailed:
    if isinstance(error, UnicodeDecodeError):
        message = _("The file is neither UTF-8 nor Windows-1252 text.")
    else:
        message = _("The CSV cannot be read: %(error)s") % {"error": error}
    return ImportFailed([_error(line, "", message)])


def _open_xlsx(path: str) -> _Source:
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        sheet = book.worksheets[0]
        rows = sheet.iter_rows(values_only=True)
        header = [_cell_text(v) for v in next(rows, ())]
    except Exception as error:  # openpyxl raises many kinds on a file that is not XLSX
        raise ImportFailed([_error(None, "", _("The file is not a readable XLSX workbook "
                                                "(%(error)s).") % {"error": error})]) from None
    if not any(header):
        book.close()
        raise ImportFailed([_error(None, "", _("The file is empty."))])
    estimate = sheet.max_row - 1 if sheet.max_row else None

    def chunks() -> Iterator[list[list[str]]]:
        texts = ([v if type(v) is str else _cell_text(v) for v in row] for row in rows)
        while chunk := list(islice(texts, CHUNK_ROWS)):
            yield chunk

    return _Source(header, chunks(), estimate, estimate, ",", book.close)


def _cell_text(value: Any) -> str:
    """A spreadsheet cell as the text a CSV would hold."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# -- the header --------------------------------------------------------------------------


@dataclass
class _Plan:
    """Which file column feeds which question."""

    width: int
    names: list[str]
    single: dict[str, int] = field(default_factory=dict)  # code → column (single, scale)
    joined: dict[str, int] = field(default_factory=dict)  # multiple as one column
    split: dict[str, list[int]] = field(default_factory=dict)  # multiple as 0/1 columns
    numbers: dict[str, int] = field(default_factory=dict)
    texts: dict[str, int] = field(default_factory=dict)
    weight: int | None = None


def _is_metadata(name: str) -> bool:
    lower = name.lower()
    return (name.startswith("_") or lower in METADATA_COLUMNS or lower.startswith("meta/")
            or lower.startswith("meta-"))


def _expected(options: tuple[tuple[str, str], ...]) -> str:
    codes = [code for code, _label in options]
    shown = ", ".join(codes[:SHOWN_OPTIONS])
    return shown + (", …" if len(codes) > SHOWN_OPTIONS else "")


def _plan(header: list[str], questions: dict[str, QuestionDef], weight: str) -> _Plan:
    names = [h.strip() for h in header]
    while names and not names[-1]:  # trailing unnamed columns (a spreadsheet's habit)
        names.pop()
    plan = _Plan(width=len(names), names=names)
    errors: list[dict[str, Any]] = []
    direct: dict[str, str] = {}  # code → the column that gives it
    options: dict[str, dict[str, int]] = {}
    seen: set[str] = set()
    for i, name in enumerate(names):
        if not name:
            errors.append(_error(1, "", _("Column %(number)s has no name.") % {"number": i + 1}))
            continue
        if name in seen:
            errors.append(_error(1, name, _("The column « %(name)s » appears twice.")
                                 % {"name": name}))
            continue
        seen.add(name)
        if weight and name == weight:
            plan.weight = i
            continue
        parts = name.split("/")
        option = None
        if name in questions:
            code = name
        elif len(parts) >= 2 and parts[-2] in questions \
                and questions[parts[-2]].kind == "multiple":
            code, option = parts[-2], parts[-1]
        elif parts[-1] in questions:
            code = parts[-1]  # a Kobo group prefix
        elif _is_metadata(name):
            continue
        else:
            errors.append(_error(1, name, _(
                "« %(name)s » is not a question of the wave (its codes: %(codes)s), nor the "
                "weight column, nor a Kobo/ODK metadata column.")
                % {"name": name, "codes": ", ".join(list(questions)[:30])}))
            continue
        q = questions[code]
        if option is not None:
            if option not in q.option_index:
                errors.append(_error(1, name, _(
                    "« %(option)s » is not an option of %(code)s (expected one of: "
                    "%(options)s).") % {"option": option, "code": code,
                                        "options": _expected(q.options)}))
            else:
                options.setdefault(code, {})[option] = i
            continue
        if code in direct:
            errors.append(_error(1, name, _(
                "%(code)s is already given by the column « %(other)s ».")
                % {"code": code, "other": direct[code]}))
            continue
        direct[code] = name
        if q.kind in SINGLE_KINDS:
            plan.single[code] = i
        elif q.kind == "multiple":
            plan.joined[code] = i
        elif q.kind == "number":
            plan.numbers[code] = i
        else:
            plan.texts[code] = i
    for code, given in options.items():
        if code in plan.joined:
            continue  # Kobo's "single and separate columns": the single one is read
        q = questions[code]
        missing = [o for o, _label in q.options if o not in given]
        if missing:
            errors.append(_error(1, f"{code}/{missing[0]}", _(
                "%(code)s is given as 0/1 columns, but the columns of these options are "
                "missing: %(options)s.") % {"code": code, "options": ", ".join(missing)}))
        else:
            plan.split[code] = [given[o] for o, _label in q.options]
    if weight and plan.weight is None:
        errors.append(_error(1, weight, _("The weight column « %(name)s » is not in the file.")
                             % {"name": weight}))
    if not errors and not (direct or plan.split):
        errors.append(_error(1, "", _("No column of the file is a question of the wave.")))
    if errors:
        raise ImportFailed(errors)
    return plan


# -- the rows ----------------------------------------------------------------------------


class _Codes(dict):
    """A column's cell → code cache: a miss answers BAD, to be resolved by the caller."""

    def __missing__(self, key: str) -> int:
        return BAD


BAD = -2
NOT_GIVEN = -1
INF = math.inf


def _number(value: str) -> float:
    """NaN for an empty cell; inf for a cell that is not a finite number (the caller flags
    it); `3,5` and `1 000` as a French spreadsheet writes them."""
    if not value:
        return math.nan
    try:
        x = float(value)
    except ValueError:
        text = value.strip().replace("\u202f", "").replace("\xa0", "").replace(" ", "")
        if not text:
            return math.nan
        if "," in text and "." not in text:
            text = text.replace(",", ".")
        try:
            x = float(text)
        except ValueError:
            return INF
    return x if math.isfinite(x) else INF


def _numbers(cells: tuple[str, ...]) -> np.ndarray:
    try:
        # Every cell a plain number: NumPy parses them in C.
        values = np.array(cells, dtype=np.float64)
        values[~np.isfinite(values)] = INF
        return values
    except ValueError:
        return np.fromiter(map(_number, cells), dtype=np.float64, count=len(cells))


_FLAGS = {"1": 1, "0": 0, "true": 1, "false": 0, "vrai": 1, "faux": 0, "": NOT_GIVEN,
          "1.0": 1, "0.0": 0}


class _Reader:
    def __init__(self, batch: ResponseBatch, path: str, progress: Progress | None):
        self.batch = batch
        self.path = path
        self.progress = progress
        wave_questions = dataset.wave_questions(batch.wave)
        self.questions = wave_questions
        self.defs = list(wave_questions.values())
        self.bounds = {
            code: (lo, hi) for code, lo, hi in WaveQuestion.objects.filter(
                wave_id=batch.wave_id, question__kind="number"
            ).values_list("question__code", "minimum", "maximum")
        }
        self.skip = batch.skip_bad_rows
        self.errors: list[dict[str, Any]] = []
        self.errors_total = 0
        self.rejected = 0
        self.rows = 0
        self.n = 0  # rows kept
        self.capacity = 0
        self.columns = dataset.Columns(n=0)
        self.weights: np.ndarray | None = None
        self.texts: dict[str, list[str]] = {}
        self.codes: dict[str, _Codes] = {}
        self.combos: dict[str, tuple[_Codes, list[np.ndarray]]] = {}
        self.rejected_out: IO[bytes] | None = None
        self.rejected_writer: Any = None

    # The shape of things: `run` reads chunk after chunk; `_chunk` turns one chunk into
    # arrays and a bad-row mask, `_store` appends the good rows, `_report` formats errors.

    def run(self) -> _Result:
        source = _open_source(self.path)
        try:
            plan = _plan(source.header, self.questions, self.batch.weight_column)
            self.plan = plan
            self.delimiter = source.delimiter
            self._reserve(source.capacity or CHUNK_ROWS)
            ResponseBatch.objects.filter(pk=self.batch.pk).update(rows_total=source.estimate)
            if plan.weight is not None:
                self.weights = np.full(self.capacity, np.nan)
            line = 2
            for chunk in source.chunks:
                self._chunk(chunk, line)
                line += len(chunk)
                ResponseBatch.objects.filter(pk=self.batch.pk).update(
                    rows_done=self.rows, rows_total=max(self.rows, source.estimate or 0)
                )
                if self.progress is not None:
                    self.progress(self.rows, source.estimate)
        finally:
            source.close()
        errors = self.errors
        if self.errors_total > len(errors):
            more = self.errors_total - len(errors)
            errors = [*errors, {"line": None, "column": "", "more": more, "message": ngettext(
                "… and %(count)s more error.", "… and %(count)s more errors.", more)
                % {"count": number_format(more, force_grouping=True)}}]
        n = self.n
        columns = dataset.Columns(
            n=n,
            single={code: a[:n] for code, a in self.columns.single.items()},
            multiple={code: (c[:n], a[:n]) for code, (c, a) in self.columns.multiple.items()},
            numbers={code: a[:n] for code, a in self.columns.numbers.items()},
            texts={code: self.texts.get(code, [""] * n) for code in self.columns.texts},
            weights=None if self.weights is None else self.weights[:n],
        )
        if self.rejected_out is not None:
            self.rejected_text.flush()
            self.rejected_text.detach()
            self.rejected_out.seek(0)
        return _Result(columns, self.rows, self.rejected, errors, self.rejected_out)

    def _reserve(self, needed: int) -> None:
        if needed <= self.capacity:
            return
        capacity = max(needed, 2 * self.capacity)
        grown = dataset.empty_columns([q for q in self.defs if q.kind != "text"], capacity)
        n = self.n
        for code, codes in self.columns.single.items():
            grown.single[code][:n] = codes[:n]
        for code, (chosen, answered) in self.columns.multiple.items():
            grown.multiple[code][0][:n] = chosen[:n]
            grown.multiple[code][1][:n] = answered[:n]
        for code, values in self.columns.numbers.items():
            grown.numbers[code][:n] = values[:n]
        grown.texts = {q.code: [] for q in self.defs if q.kind == "text"}
        if self.weights is not None:
            weights = np.full(capacity, np.nan)
            weights[:n] = self.weights[:n]
            self.weights = weights
        self.columns = grown
        self.capacity = capacity

    def _chunk(self, rows: list[list[str]], first_line: int) -> None:
        plan = self.plan
        width = plan.width
        lines = np.arange(first_line, first_line + len(rows))
        problems: list[tuple[int, int, str]] = []  # (row, column or -1, message): row-wide
        if set(map(len, rows)) != {width}:
            rows, lines, problems = self._reshape(rows, lines)
        elif not all(map(any, rows)):
            keep = [i for i, row in enumerate(rows) if any(row)]
            rows, lines = [rows[i] for i in keep], lines[keep]
        m = len(rows)
        if m == 0:
            return
        self.rows += m
        cols = list(zip(*rows, strict=True))
        # (column, positions, formatter of one bad cell's message)
        bad: list[tuple[int, np.ndarray, Callable[[str], str]]] = []
        out: dict[str, Any] = {}

        for code, j in plan.single.items():
            codes = self._single(code, cols[j])
            out[code] = codes
            wrong = np.flatnonzero(codes == BAD)
            if wrong.size:
                codes[wrong] = NOT_GIVEN
                bad.append((j, wrong, partial(self._not_option, code)))
        for code, j in plan.joined.items():
            chosen, answered, wrong = self._joined(code, cols[j])
            out[code] = (chosen, answered)
            if wrong.size:
                bad.append((j, wrong, partial(self._not_options, code)))
        for code, js in plan.split.items():
            flags = np.empty((m, len(js)), dtype=np.int8)
            for k, j in enumerate(js):
                flags[:, k] = self._flags(cols[j])
                wrong = np.flatnonzero(flags[:, k] == BAD)
                if wrong.size:
                    bad.append((j, wrong, self._not_flag))
            out[code] = (flags == 1, (flags >= 0).any(axis=1))
        for code, j in plan.numbers.items():
            values = _numbers(cols[j])
            lo, hi = self.bounds.get(code, (None, None))
            wrong = np.isinf(values)
            if lo is not None:
                wrong |= values < lo
            if hi is not None:
                wrong |= values > hi
            wrong_at = np.flatnonzero(wrong)
            if wrong_at.size:
                values[wrong_at] = np.nan
                bad.append((j, wrong_at, partial(self._bad_number, code, lo, hi)))
            out[code] = values
        if plan.weight is not None:
            j = plan.weight
            values = _numbers(cols[j])
            wrong_at = np.flatnonzero(~(values > 0) | np.isinf(values))
            if wrong_at.size:
                bad.append((j, wrong_at, self._bad_weight))
            out["__weight__"] = values

        bad_rows = np.zeros(m, dtype=np.bool_)
        for _j, positions, _f in bad:
            bad_rows[positions] = True
        for row, _j, _message in problems:
            bad_rows[row] = True
        self._report(rows, cols, lines, bad, problems)
        n_bad = int(bad_rows.sum())
        self.rejected += n_bad
        if self.errors_total and not self.skip:
            return  # nothing will be imported: only the errors matter from now on
        good = np.flatnonzero(~bad_rows) if n_bad else slice(None)
        self._store(out, cols, good, m - n_bad)

    def _reshape(self, rows, lines):
        """Rows of another width than the header's: short ones padded with empty cells,
        long ones cut if the extra cells are empty, else flagged; empty rows dropped."""
        width = self.plan.width
        kept: list[list[str]] = []
        kept_lines: list[int] = []
        problems: list[tuple[int, int, str]] = []
        for row, line in zip(rows, lines.tolist(), strict=True):
            if not any(row):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            elif len(row) > width:
                if any(row[width:]):
                    problems.append((len(kept), -1, _(
                        "The row has %(cells)s cells, the header %(width)s.")
                        % {"cells": len(row), "width": width}))
                row = row[:width]
            kept.append(row)
            kept_lines.append(line)
        return kept, np.array(kept_lines, dtype=np.int64), problems

    def _single(self, code: str, cells: tuple[str, ...]) -> np.ndarray:
        cache = self.codes.get(code)
        if cache is None:
            cache = self.codes[code] = _Codes(self.questions[code].option_index)
            cache[""] = NOT_GIVEN
        codes = np.fromiter(map(cache.__getitem__, cells), dtype=np.int16, count=len(cells))
        for i in np.flatnonzero(codes == BAD).tolist():
            # Surrounding spaces are forgiven, and remembered for the next such cell.
            stripped = cache[cells[i].strip()]
            if stripped != BAD:
                cache[cells[i]] = stripped
                codes[i] = stripped
        return codes

    def _joined(self, code: str, cells: tuple[str, ...]):
        """Space-separated option codes: each distinct cell is parsed once into a
        combination of options, and the rows pick their combination's row of flags."""
        q = self.questions[code]
        if code not in self.combos:
            cache = _Codes({"": 0})
            self.combos[code] = (cache, [np.zeros(len(q.options), dtype=np.bool_)])
        cache, table = self.combos[code]
        ids = np.fromiter(map(cache.__getitem__, cells), dtype=np.int32, count=len(cells))
        index = q.option_index
        wrong = []
        for i in np.flatnonzero(ids == BAD).tolist():
            cell = cells[i]
            if cell in cache:
                ids[i] = cache[cell]
                continue
            tokens = cell.replace(",", " ").split()
            if not tokens:
                cache[cell] = ids[i] = 0
            elif all(t in index for t in tokens):
                flags = np.zeros(len(q.options), dtype=np.bool_)
                flags[[index[t] for t in tokens]] = True
                table.append(flags)
                cache[cell] = ids[i] = len(table) - 1
            else:
                ids[i] = 0
                wrong.append(i)
        chosen = np.stack(table)[ids]
        return chosen, ids > 0, np.array(wrong, dtype=np.int64)

    def _flags(self, cells: tuple[str, ...]) -> np.ndarray:
        flags = np.fromiter(map(_Codes(_FLAGS).__getitem__, cells), dtype=np.int8,
                            count=len(cells))
        for i in np.flatnonzero(flags == BAD).tolist():
            flags[i] = _FLAGS.get(cells[i].strip().lower(), BAD)
        return flags

    def _store(self, out: dict[str, Any], cols: list[tuple[str, ...]], good, k: int) -> None:
        self._reserve(self.n + k)
        a, b = self.n, self.n + k
        columns = self.columns
        for code, value in out.items():
            if code == "__weight__":
                assert self.weights is not None
                self.weights[a:b] = value[good]
            elif code in columns.single:
                columns.single[code][a:b] = value[good]
            elif code in columns.multiple:
                columns.multiple[code][0][a:b] = value[0][good]
                columns.multiple[code][1][a:b] = value[1][good]
            else:
                columns.numbers[code][a:b] = value[good]
        for code in self.columns.texts:
            texts = self.texts.get(code)
            if texts is None:
                texts = self.texts[code] = [""] * a
            j = self.plan.texts.get(code)
            if j is None:
                texts.extend([""] * k)
            elif isinstance(good, slice):
                texts.extend(cols[j])
            else:
                cells = cols[j]
                texts.extend([cells[i] for i in good.tolist()])
        self.n = b

    def _report(self, rows, cols, lines, bad, problems) -> None:
        count = sum(len(p) for _j, p, _f in bad) + len(problems)
        if not count:
            return
        first = self.errors_total
        self.errors_total += count
        wanted = count if self.skip else max(0, MAX_ERRORS - first)
        if not wanted:
            return
        # Errors in file order (line, then column), formatted only as many as are kept.
        row_at = np.concatenate([p for _j, p, _f in bad] + [np.array(
            [r for r, _j, _m in problems], dtype=np.int64)])
        col_at = np.concatenate([np.full(len(p), j) for j, p, _f in bad]
                                + [np.full(len(problems), -1)])
        which = np.concatenate([np.full(len(p), k) for k, (_j, p, _f) in enumerate(bad)]
                               + [np.full(len(problems), -1)])
        order = np.lexsort((col_at, row_at))[:wanted]
        row_messages = {r: m for r, _j, m in problems}
        names = self.plan.names
        by_row: dict[int, list[str]] = {}
        for o in order.tolist():
            row, j, k = int(row_at[o]), int(col_at[o]), int(which[o])
            if k < 0:
                column, message = "", row_messages[row]
            else:
                column, message = names[j], bad[k][2](cols[j][row])
            if len(self.errors) < MAX_ERRORS:
                self.errors.append(_error(int(lines[row]), column, message))
            if self.skip:
                by_row.setdefault(row, []).append(f"{column}: {message}" if column else message)
        if self.skip:
            self._write_rejected(rows, lines, by_row)

    def _write_rejected(self, rows, lines, by_row: dict[int, list[str]]) -> None:
        if self.rejected_out is None:
            self.rejected_out = tempfile.TemporaryFile()  # noqa: SIM115
            # A BOM, so that a spreadsheet opens the accents right.
            self.rejected_text = io.TextIOWrapper(self.rejected_out, encoding="utf-8-sig",
                                                  newline="")
            self.rejected_writer = csv.writer(self.rejected_text, delimiter=self.delimiter)
            self.rejected_writer.writerow([*self.plan.names, "erreurs"])
        line_label = _("line %(line)s")
        for row, messages in by_row.items():
            where = line_label % {"line": int(lines[row])}
            self.rejected_writer.writerow(
                [*rows[row][:self.plan.width], f"{where}: " + " ; ".join(messages)]
            )

    # Messages of one bad cell (the value as the file gives it).

    def _not_option(self, code: str, value: str) -> str:
        return _("« %(value)s » is not an option of %(code)s (expected one of: %(options)s).") % {
            "value": value, "code": code, "options": _expected(self.questions[code].options)}

    def _not_options(self, code: str, value: str) -> str:
        index = self.questions[code].option_index
        unknown = [t for t in value.replace(",", " ").split() if t not in index]
        return _("« %(value)s » is not an option of %(code)s (expected option codes separated "
                 "by spaces, among: %(options)s).") % {
            "value": " ".join(unknown) or value, "code": code,
            "options": _expected(self.questions[code].options)}

    def _not_flag(self, value: str) -> str:
        return _("« %(value)s » is not 0 or 1.") % {"value": value}

    def _bad_number(self, code: str, lo: float | None, hi: float | None, value: str) -> str:
        x = _number(value)
        if math.isinf(x):
            return _("« %(value)s » is not a number.") % {"value": value}
        if lo is not None and x < lo:
            return _("%(value)s is below the minimum of %(code)s (%(minimum)s).") % {
                "value": value, "code": code, "minimum": f"{lo:g}"}
        return _("%(value)s is above the maximum of %(code)s (%(maximum)s).") % {
            "value": value, "code": code, "maximum": f"{hi:g}"}

    def _bad_weight(self, value: str) -> str:
        x = _number(value)
        if math.isnan(x):
            return _("The weight is missing.")
        if math.isinf(x):
            return _("« %(value)s » is not a number (expected a weight greater than 0).") % {
                "value": value}
        return _("The weight must be greater than 0 (it is %(value)s).") % {"value": value}


def rejected_copy(batch: ResponseBatch, path: str | os.PathLike[str]) -> None:
    """Copy the batch's rejected rows file to `path` (for the command)."""
    with batch.rejected_file.open("rb") as source, open(path, "wb") as target:
        shutil.copyfileobj(source, target, 1 << 20)

