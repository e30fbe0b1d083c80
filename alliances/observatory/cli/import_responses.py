"""Import a wave's responses from a CSV or XLSX file (one row per respondent).

The file is kept as a response batch and imported at once, in this process, with a progress
line on stderr. By default one bad row imports nothing; with --skip-bad-rows the good rows are
imported and the bad ones written to --rejected (default: FILE.rejected.csv beside FILE).
"""

from __future__ import annotations

import time
from pathlib import Path

from django.core.management.base import CommandError

from ..imports import batch_run, rejected_copy, responses_import
from ..models import ResponseBatch, Wave
from ..services import WaveStateError

MAX_SHOWN = 50


def add_arguments(parser) -> None:
    parser.add_argument("--wave", type=int, required=True, help="the wave's id")
    parser.add_argument("file", type=Path, metavar="FILE", help="a .csv or .xlsx file")
    parser.add_argument("--weight", default="", metavar="COLUMN",
                        help="the column holding each respondent's weight (> 0)")
    parser.add_argument("--skip-bad-rows", action="store_true",
                        help="import the good rows and write the bad ones to --rejected")
    parser.add_argument("--rejected", type=Path, default=None, metavar="OUT.csv",
                        help="where to write the rejected rows (default FILE.rejected.csv)")


def handle(command, *, wave: int, file: Path, weight: str, skip_bad_rows: bool,
           rejected: Path | None, **options) -> None:
    try:
        target = Wave.objects.select_related("survey__owner").get(pk=wave)
    except Wave.DoesNotExist:
        raise CommandError(f"no wave {wave}") from None
    try:
        handle_file = file.open("rb")
    except OSError as error:
        raise CommandError(f"{file}: {error.strerror or error}") from None
    try:
        with handle_file:
            batch = responses_import(
                wave=target, file=handle_file, filename=file.name,
                created_by=target.survey.owner, weight_column=weight,
                skip_bad_rows=skip_bad_rows, enqueue=False,
            )
    except WaveStateError as error:
        raise CommandError(str(error)) from None
    progress = _Progress(command.stderr)
    batch = batch_run(batch_id=batch.pk, progress=progress)
    progress.end()

    rejected_path = None
    if batch.rejected_file:
        rejected_path = rejected or file.with_name(f"{file.stem}.rejected.csv")
        rejected_copy(batch, rejected_path)
    if batch.status == ResponseBatch.Status.DONE:
        line = (f"wave {target.pk}: {batch.rows_imported:,} rows imported, "
                f"{batch.rows_rejected:,} rejected")
        if rejected_path is not None:
            line += f" → {rejected_path}"
        command.stdout.write(line)
        if batch.errors and batch.rows_rejected:
            _print_errors(command, file, batch.errors, limit=10)
        return
    _print_errors(command, file, batch.errors, limit=MAX_SHOWN)
    why = f": {batch.rows_rejected:,} bad rows" if batch.rows_rejected else ""
    raise CommandError(f"wave {target.pk}: nothing imported{why} (batch {batch.pk})")


def _print_errors(command, file: Path, errors: list[dict], *, limit: int) -> None:
    located = [e for e in errors if "more" not in e]
    more = sum(e.get("more", 0) for e in errors)
    for e in located[:limit]:
        where = [str(file)]
        if e.get("line"):
            where.append(f"line {e['line']}")
        if e.get("column"):
            where.append(f"column {e['column']}")
        command.stderr.write(f"{', '.join(where)}: {e['message']}")
    rest = len(located) - limit + more if len(located) > limit else more
    if rest > 0:
        command.stderr.write(f"… and {rest:,} more")


class _Progress:
    """Rows read, rate and ETA on stderr: one line redrawn on a terminal, a line every few
    seconds otherwise (a log)."""

    def __init__(self, stream):
        self.stream = stream
        self.tty = hasattr(stream, "isatty") and stream.isatty()
        self.start = self.last = time.monotonic()
        self.drawn = False

    def __call__(self, rows: int, total: int | None) -> None:
        now = time.monotonic()
        if not self.tty and now - self.last < 5:
            return
        self.last = now
        elapsed = max(now - self.start, 1e-6)
        rate = rows / elapsed
        text = f"{rows:,} rows read · {rate:,.0f} rows/s"
        if total and total > rows and rate > 0:
            text += f" · {rows / total:.0%} · about {(total - rows) / rate:.0f} s left"
        if self.tty:
            self.stream.write(f"\r\033[K{text}", ending="")
            self.stream.flush()
            self.drawn = True
        else:
            self.stream.write(text)

    def end(self) -> None:
        if self.drawn:
            self.stream.write("")
