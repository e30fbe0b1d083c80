"""Imports from the open-data registries (RNA, SIRENE, commune centres), and the duplicates
they may create with organisations entered by hand.

One importer core, two row readers (alliances.lib.opendata.rna / .sirene): the file is
streamed with the csv module, rows are filtered and mapped one by one and written by
batches of N rows, each batch in one transaction that also moves the run's checkpoint
(RegistryImport.lines_done). A run interrupted after batch k is resumed by running the
same command on the same file (same SHA-256) with the same filters: it reads past the
first lines_done records and goes on.

Upserts are keyed on the registry's number (RNA number, SIRET). A row whose number is
already on an organisation entered by hand is merged into it (its empty fields and
identifiers are filled; it stays "entered by hand"). Otherwise a new organisation whose
folded name is close to one entered by hand in the same commune (rapidfuzz
token_set_ratio ≥ FUZZY_THRESHOLD) is created AND proposed as a possible duplicate, for a
person to merge (duplicate_merge) or to keep apart (duplicate_reject).
"""

from __future__ import annotations

import multiprocessing
import operator
import os
import traceback
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import rules
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from rapidfuzz import fuzz, process

from alliances.accounts.models import User
from alliances.core.pagecache import pages_changed
from alliances.lib.opendata import centres as centres_reader
from alliances.lib.opendata.folding import fold_name
from alliances.lib.opendata.reading import (
    SNIFF_BYTES,
    Fields,
    Progress,
    file_fingerprint,
    open_text,
    read_header,
    records,
)
from alliances.lib.opendata.records import Malformed, MissingColumns, Record, Skip
from alliances.lib.opendata.rna import RnaReader
from alliances.lib.opendata.sirene import SireneReader
from alliances.territories.models import Commune, CommuneSubdivision, Departement

from .models import (
    DuplicateProposal,
    DuplicateStatus,
    Organisation,
    OrganisationSource,
    RegistryImport,
    RegistryImportStatus,
)

DEFAULT_BATCH = 5000
FUZZY_THRESHOLD = 90.0
PROBLEMS_SHOWN = 10
# The municipal arrondissements of Paris, Lyon and Marseille, for a database whose COG
# import left out the subdivisions: (first code, last code, commune).
ARRONDISSEMENT_RANGES = (
    (75101, 75120, "75056"),
    (69381, 69389, "69123"),
    (13201, 13216, "13055"),
)
# Fields of an organisation an import writes (on one it created) or fills (on one entered
# by hand, when empty there).
IMPORTED_FIELDS = ("name", "search_name", "rna", "siret", "siren", "commune_id",
                   "departement_id", "region_id", "address", "website", "description", "naf")
FILLED_FIELDS = ("rna", "siret", "siren", "address", "website", "description", "naf")


class RegistryFileError(ValueError):
    """The file cannot be imported at all (missing columns, unknown filter): nothing written."""


# --- geography -------------------------------------------------------------------------


class Geography:
    """Commune codes as the registries publish them → the commune (département, région)."""

    def __init__(self) -> None:
        self.communes: dict[str, tuple[str, str]] = {
            code: (departement, region)
            for code, departement, region in Commune.objects.values_list(
                "code", "departement_id", "departement__region_id"
            )
        }
        self.arrondissements = dict(
            CommuneSubdivision.objects.filter(
                kind=CommuneSubdivision.Kind.ARRONDISSEMENT
            ).values_list("code", "parent_id")
        )
        self.memo: dict[str, str | None] = {}

    def resolve(self, code: str) -> str | None:
        try:
            return self.memo[code]
        except KeyError:
            pass
        resolved: str | None = None
        if code in self.communes:
            resolved = code
        else:
            parent = self.arrondissements.get(code) or _known_arrondissement(code)
            if parent in self.communes:
                resolved = parent
        self.memo[code] = resolved
        return resolved


def _known_arrondissement(code: str) -> str | None:
    if not (code.isascii() and code.isdigit()):  # "²" is a digit to isdigit, not to int
        return None
    number = int(code)
    for first, last, commune in ARRONDISSEMENT_RANGES:
        if first <= number <= last:
            return commune
    return None


# --- reports ---------------------------------------------------------------------------


@dataclass
class ImportReport:
    source: str
    file_name: str
    run_id: int | None = None
    resumed_after: int = 0
    lines: int = 0  # records read by this run (past the checkpoint)
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    merged: int = 0
    proposals: int = 0
    withdrawn: int = 0  # imported earlier, now dissolved or closed: no longer listed
    skipped: Counter = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    problem_count: int = 0

    def problem(self, line: int, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < PROBLEMS_SHOWN:
            self.problems.append(_("line %(line)s: %(message)s") % {"line": line,
                                                                     "message": message})

    def summary(self) -> str:
        skipped = sum(self.skipped.values())
        reasons = {
            "dissolved": _("dissolved or deleted"),
            "closed": _("closed"),
            "not_diffusible": _("not diffusible"),
            "out_of_filter": _("outside the filter"),
            "unknown_commune": _("unknown commune"),
            "malformed": _("malformed"),
            "repeated": _("repeated in the file"),
        }
        detail = ", ".join(
            f"{reasons[reason]} {count:,}".replace(",", "\u202f")
            for reason, count in sorted(self.skipped.items())
            if count
        )
        text = _(
            "%(lines)s lines: %(created)s created, %(updated)s updated, %(unchanged)s "
            "unchanged, %(merged)s merged, %(proposals)s possible duplicates, "
            "%(skipped)s skipped"
        ) % {
            key: f"{value:,}".replace(",", "\u202f")
            for key, value in {
                "lines": self.lines, "created": self.created, "updated": self.updated,
                "unchanged": self.unchanged, "merged": self.merged,
                "proposals": self.proposals, "skipped": skipped,
            }.items()
        }
        text = f"{text} ({detail})" if detail else text
        if self.withdrawn:
            text += " · " + ngettext(
                "%(count)s organisation no longer listed (dissolved or closed)",
                "%(count)s organisations no longer listed (dissolved or closed)",
                self.withdrawn,
            ) % {"count": f"{self.withdrawn:,}".replace(",", "\u202f")}
        return text


# --- the importer core -----------------------------------------------------------------


def normalise_departements(codes: Iterable[str]) -> list[str]:
    result = set()
    for code in codes:
        for part in str(code).split(","):
            part = part.strip().upper()
            if part:
                result.add(part.zfill(2) if part.isdigit() and len(part) == 1 else part)
    return sorted(result)


def normalise_communes(codes: Iterable[str]) -> list[str]:
    return sorted({part.strip().upper() for code in codes for part in str(code).split(",")
                   if part.strip()})


def rna_import(path: str | os.PathLike, **options) -> ImportReport:
    """Import the RNA waldec file; see registry_import for the options."""
    return registry_import(path, RnaReader, **options)


def sirene_import(path: str | os.PathLike, **options) -> ImportReport:
    """Import SIRENE's StockEtablissement file; see registry_import for the options."""
    return registry_import(path, SireneReader, **options)


SQLITE_IMPORT_CACHE_KIB = 128 * 1024  # within the 500 MB the import may use


def registry_import(
    path: str | os.PathLike,
    reader_class: type[RnaReader] | type[SireneReader],
    *,
    departements: Iterable[str] = (),
    communes: Iterable[str] = (),
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    notify: Callable[[str], None] | None = None,
    after_batch: Callable[[int], None] | None = None,
) -> ImportReport:
    """Stream `path` through the reader, upserting by batches; resumable (module doc).

    `after_batch(k)` is called after the k-th batch (1-based) is committed.
    RegistryFileError before anything is written when the file or the filters are wrong.
    """
    path = Path(path)
    header, _delimiter = read_header(path, reader_class.delimiter)
    try:
        reader = reader_class(header)
    except MissingColumns as exc:
        raise RegistryFileError(
            ngettext(
                "%(file)s: missing column %(columns)s (expected the header of %(registry)s)",
                "%(file)s: missing columns %(columns)s (expected the header of %(registry)s)",
                len(exc.missing),
            ) % {"file": path.name, "columns": ", ".join(exc.missing),
                 "registry": _registry_label(reader_class.source)}
        ) from exc
    geography = Geography()
    wanted_departements = set(normalise_departements(departements))
    unknown = wanted_departements - set(
        Departement.objects.filter(code__in=wanted_departements).values_list("code", flat=True)
    )
    if unknown:
        raise RegistryFileError(
            _("unknown département: %(codes)s") % {"codes": ", ".join(sorted(unknown))}
        )
    wanted_communes: set[str] = set()
    for code in normalise_communes(communes):
        resolved = geography.resolve(code)
        if resolved is None:
            raise RegistryFileError(_("unknown commune: %(code)s") % {"code": code})
        wanted_communes.add(resolved)
    filters = {
        "departements": sorted(wanted_departements),
        "communes": sorted(wanted_communes),
    }
    digest = file_fingerprint(path)
    run = next(
        (
            earlier
            for earlier in RegistryImport.objects.filter(
                source=reader_class.source, file_sha256=digest,
                status__in=[RegistryImportStatus.RUNNING, RegistryImportStatus.FAILED],
            ).order_by("-started_at", "-pk")
            if earlier.filters == filters
        ),
        None,
    )
    if run is None:
        run = RegistryImport.objects.create(
            source=reader_class.source, file_name=str(path)[-500:], file_sha256=digest,
            filters=filters,
        )
    elif run.status != RegistryImportStatus.RUNNING:
        RegistryImport.objects.filter(pk=run.pk).update(status=RegistryImportStatus.RUNNING)
    report = ImportReport(source=reader_class.source, file_name=path.name, run_id=run.pk,
                          resumed_after=run.lines_done)
    if run.lines_done and notify:
        notify(_("Resuming after line %(line)s (%(records)s records already imported).")
               % {"line": run.lines_done + 1, "records": run.lines_done})
    writer = _BatchWriter(reader_class.source, reader_class.key, report)
    deferred = False
    if connection.vendor == "sqlite":
        # Each new row goes into about ten B-tree indexes at keys spread over the whole
        # table; with SQLite's default 2 MB page cache most of those inserts read pages back
        # from disk. A large cache for this connection (the import's own) keeps them in memory.
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = -{SQLITE_IMPORT_CACHE_KIB}")
        deferred = _many_new_rows(path, run.lines_done)
        if deferred:
            _drop_deferred_indexes()
        else:
            _build_deferred_indexes()  # left missing by an import that was killed
    file = open_text(path)
    try:
        _run(file, reader, geography, wanted_departements, wanted_communes, run, report,
             writer, batch_size, progress, after_batch,
             in_child=_estimated_rows(path) - run.lines_done >= READ_IN_CHILD_MIN_ROWS)
    except BaseException:
        RegistryImport.objects.filter(pk=run.pk).update(status=RegistryImportStatus.FAILED)
        raise
    finally:
        file.close()
        if progress is not None:
            progress.end()
        if deferred:
            if notify:
                notify(_("Building the organisation indexes again…"))
            _build_deferred_indexes()
    RegistryImport.objects.filter(pk=run.pk).update(
        status=RegistryImportStatus.DONE, finished_at=timezone.now()
    )
    pages_changed()
    return report


# SQLite, an import into a table much smaller than the file (the first national import):
# the organisation's non-unique indexes (Meta.indexes: territory × type × name, name) are
# dropped for the import and built again at its end. Built at once, by one sort, they take
# seconds; kept, each new row goes into each of them at a random place, and past a few
# hundred thousand rows those pages no longer fit in the cache (800,000 rows inserted by
# batches of 5,000: 106 s with them, 29 s without, their build included). The unique
# indexes (RNA number, SIRET) stay: the upserts look rows up by them.
# Meanwhile the directory's pages read without them (slower, still right); an import that
# fails builds them again on its way out, and one that was killed, the next import.
DEFER_INDEXES_MIN_ROWS = 100_000
# A file of more rows than this is read in a child process (_chunks_in_child).
READ_IN_CHILD_MIN_ROWS = 50_000


def _estimated_rows(path: str | os.PathLike) -> int:
    """The file's rows, estimated from its first megabyte."""
    size = os.stat(path).st_size
    with open(path, "rb") as stream:
        head = stream.read(SNIFF_BYTES)
    return size * max(head.count(b"\n"), 1) // max(len(head), 1)


def _many_new_rows(path: str | os.PathLike, lines_done: int) -> bool:
    """Whether the file (less the rows a resumed run has done) holds more rows than twice
    the organisations in the table."""
    rows = _estimated_rows(path) - lines_done
    return rows >= DEFER_INDEXES_MIN_ROWS and rows > 2 * Organisation.objects.count()


def _drop_deferred_indexes() -> None:
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for index in Organisation._meta.indexes:
            cursor.execute(f"DROP INDEX IF EXISTS {quote(index.name)}")


def _build_deferred_indexes() -> None:
    """Create those of the organisation's Meta.indexes that are missing, with the SQL of
    the migrations (the schema editor's, run here as plain statements: it may be inside a
    transaction)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = %s",
                       [Organisation._meta.db_table])
        present = {name for (name,) in cursor.fetchall()}
        editor = connection.schema_editor()
        for index in Organisation._meta.indexes:
            if index.name not in present:
                cursor.execute(str(index.create_sql(Organisation, editor)))


def _registry_label(source: str) -> str:
    return {"rna": _("the RNA waldec file"), "sirene": _("SIRENE StockEtablissement")}[source]


def _run(file, reader, geography, departements, communes, run, report, writer, batch_size,
         progress, after_batch, *, in_child: bool = False) -> None:
    """Read the file by chunks (_chunks: in a child process when `in_child`) and write
    each chunk's batch, its counters and its checkpoint."""
    def chunks() -> Iterator[_Chunk]:
        return _chunks(file, reader, geography, departements, communes, run.lines_done,
                       batch_size)

    batches = 0
    for chunk in (_chunks_in_child(chunks) if in_child else chunks()):
        report.lines += chunk.lines
        report.skipped.update(chunk.skipped)
        report.problem_count += chunk.problem_count
        report.problems += chunk.problems[: PROBLEMS_SHOWN - len(report.problems)]
        writer.gone += chunk.gone
        if progress is not None:
            progress(report.lines, chunk.position)
        batches += 1
        # The last batch also records the lines read after it (skipped ones).
        writer.write([(line, Record(*fields), commune) for line, fields, commune in chunk.batch],
                     geography, run, chunk.number)
        if after_batch is not None:
            after_batch(batches)


@dataclass(slots=True)
class _Chunk:
    """What the reading half of an import hands to the writing half: a batch of records
    (as tuples of Record's fields: quicker through a pipe), the checkpoint after it, and
    the counters of the records read since the previous chunk."""

    batch: list[tuple[int, tuple, str]]
    number: int  # data records read so far, header excluded: the checkpoint's unit
    lines: int
    skipped: Counter
    problems: list[str]
    problem_count: int
    gone: list[str]
    position: int
    last: bool = False


# A record → the tuple of its fields, in one call (Record(*fields) makes it again).
record_fields = operator.attrgetter(*Record.__dataclass_fields__)


def _chunks(file, reader, geography, departements, communes, resume: int,
            batch_size: int) -> Iterator[_Chunk]:
    """The records past the checkpoint `resume`, filtered and parsed, by chunks of
    `batch_size` kept records (the last one may be smaller, or empty)."""
    number = 0
    width = reader.width
    counts = ImportReport(source="", file_name="")
    batch: list[tuple[int, tuple, str]] = []
    gone: list[str] = []
    fields = record_fields

    def chunk(last: bool = False) -> _Chunk:
        return _Chunk(batch, number, counts.lines, counts.skipped, counts.problems,
                      counts.problem_count, gone, file.position(), last)

    rows = records(file.text, reader.delimiter)
    next(rows, None)  # the header
    for item in rows:
        number += 1
        if number <= resume:
            continue
        counts.lines += 1
        if not isinstance(item, Fields):
            counts.skipped["malformed"] += 1
            counts.problem_count += 1
            if len(counts.problems) < PROBLEMS_SHOWN:
                counts.problems.append(str(item))
        else:
            values = item.values
            if len(values) != width:
                counts.skipped["malformed"] += 1
                counts.problem(item.line, _("%(count)s fields instead of %(width)s")
                               % {"count": len(values), "width": width})
            else:
                raw_code = reader.commune_of(values)
                commune = geography.resolve(raw_code)
                if (communes and commune not in communes) or (departements and (
                    geography.communes[commune][0] if commune is not None
                    # A commune this database lacks is outside the filter when its code
                    # says another département (97x: three characters).
                    else raw_code[:3] if raw_code.startswith("97") else raw_code[:2]
                ) not in departements):
                    counts.skipped["out_of_filter"] += 1
                else:
                    try:
                        record = reader.parse(values)
                    except Malformed as exc:
                        counts.skipped["malformed"] += 1
                        counts.problem(item.line, str(exc))
                    else:
                        if isinstance(record, Skip):
                            counts.skipped[record.reason] += 1
                            if record.key:
                                gone.append(record.key)
                        elif commune is None:
                            counts.skipped["unknown_commune"] += 1
                            counts.problem(
                                item.line,
                                _("unknown commune code %(code)r (%(number)s)")
                                % {"code": raw_code, "number": record.key},
                            )
                        else:
                            # Folded here, on the reading side (a child process when
                            # the file is large), off the writing side's time.
                            record.search_name = fold_name(record.name)
                            batch.append((item.line, fields(record), commune))
        if len(batch) >= batch_size:
            yield chunk()
            counts = ImportReport(source="", file_name="")
            batch = []
            gone = []
    yield chunk(last=True)


@dataclass(slots=True)
class _ReadingFailed:
    traceback: str


def _chunks_in_child(chunks: Callable[[], Iterator[_Chunk]]) -> Iterator[_Chunk]:
    """chunks() run in a forked child process, its chunks received through a pipe: the
    csv parsing and the mapping of the rows take one core, the writing another. The pipe
    holds about one chunk: the child reads ahead by one batch at most."""
    context = multiprocessing.get_context("fork")  # the child inherits the open file
    receiving, sending = context.Pipe(duplex=False)

    def produce() -> None:
        receiving.close()
        try:
            for chunk in chunks():
                sending.send(chunk)
        except BaseException:
            sending.send(_ReadingFailed(traceback.format_exc()))
        finally:
            sending.close()

    child = context.Process(target=produce, name="registry-import-reader", daemon=True)
    child.start()
    sending.close()
    try:
        while True:
            try:
                chunk = receiving.recv()
            except EOFError:
                raise RuntimeError("the reading process ended without its last chunk") from None
            if isinstance(chunk, _ReadingFailed):
                raise RuntimeError(f"reading the file failed:\n{chunk.traceback}")
            yield chunk
            if chunk.last:
                break
    finally:
        receiving.close()
        if child.is_alive():
            child.terminate()
        child.join()


class _BatchWriter:
    """Writes a batch of records: upserts, merges into hand-entered organisations, and
    proposals of possible duplicates; one transaction, with the run's checkpoint."""

    def __init__(self, source: str, key: str, report: ImportReport) -> None:
        self.source = source
        self.key = key
        self.report = report
        self.tz = ZoneInfo(settings.TIME_ZONE)
        # commune → [(id, folded name)] of the organisations entered by hand there that
        # have no number of this registry yet (those with one are other organisations).
        self.manual_by_commune: dict[str, list[tuple[int, str]]] = {}
        self.skipped_written = 0
        # Numbers of the rows gone from the registry (dissolved, closed) since the last batch.
        self.gone: list[str] = []

    def write(self, batch: list[tuple[int, Record, str]], geography: Geography,
              run: RegistryImport, lines_done: int) -> None:
        report = self.report
        before = (report.created, report.updated, report.merged, report.proposals)
        with transaction.atomic():
            if batch:
                self._upsert(batch, geography)
            if self.gone:
                self._withdraw()
            skipped_total = sum(report.skipped.values())
            delta = {
                "created": report.created - before[0],
                "updated": report.updated - before[1],
                "merged": report.merged - before[2],
                "proposals": report.proposals - before[3],
                "skipped": skipped_total - self.skipped_written,
            }
            RegistryImport.objects.filter(pk=run.pk).update(
                lines_done=lines_done,
                **{name: getattr(run, name) + value for name, value in delta.items()},
            )
        run.lines_done = lines_done
        for name, value in delta.items():
            setattr(run, name, getattr(run, name) + value)
        self.skipped_written = skipped_total

    def _withdraw(self) -> None:
        """An organisation this registry created whose row is now dissolved (RNA position
        D or S) or closed (SIRENE F) stops being listed publicly: it is not deleted (its
        alliances and history stay), and one entered by hand is left as it is."""
        self.report.withdrawn += (
            Organisation.objects.filter(**{f"{self.key}__in": self.gone})
            .exclude(**{self.key: ""})
            .filter(source=self.source, is_public=True)
            .update(is_public=False, updated_at=timezone.now())
        )
        self.gone = []

    def _upsert(self, batch: list[tuple[int, Record, str]], geography: Geography) -> None:
        """Rows go in and out as tuples through executemany: the ORM's per-object work
        (model instances, bulk_create's SQL assembly) cost 10× the csv parsing here, and
        the goal is 2,000,000 rows in 90 s."""
        report = self.report
        key = self.key
        # The file's last row of a number wins (the national files have each once).
        by_key: dict[str, tuple[Record, str]] = {}
        for _line, record, commune in batch:
            if record.key in by_key:
                report.skipped["repeated"] += 1
            by_key[record.key] = (record, commune)
        existing = {row[key]: row for row in _rows_by(key, list(by_key))}
        sirets = list({record.siret for record, _c in by_key.values()
                       if record.siret and record.key not in existing})
        by_siret: dict[str, dict] = {}
        if sirets and key != "siret":
            by_siret = {row["siret"]: row for row in _rows_by("siret", sirets)}
        existing_ids = {row["id"] for row in existing.values()}
        adapt = _moment_adapter()
        now = adapt(timezone.now())
        source = self.source
        communes = geography.communes
        creates: list[tuple] = []
        created_keys: list[str] = []
        created_names: dict[str, str] = {}
        updates: list[tuple] = []
        sections: dict[int, str | None] = {}  # org id → its section, when it changes
        added_sections: list[tuple[int, str]] = []
        taken_sirets: set[str] = set()
        for record, commune in by_key.values():
            moment = record.updated_at.replace(tzinfo=self.tz) if record.updated_at else None
            row = existing.get(record.key)
            if row is None and record.siret in by_siret:
                other = by_siret[record.siret]
                # The same SIRET on an organisation without an RNA number: the same one.
                if not other[key] and other["id"] not in existing_ids:
                    row = other
                else:
                    record.siret = ""  # another association's SIRET: not ours to claim
            if row is not None:
                stamp = row["registry_updated_at"]
                if stamp and moment and stamp >= moment:
                    report.unchanged += 1
                    continue
                if row["source"] == OrganisationSource.MANUAL:
                    if _fill(row, record, commune, geography) or stamp != moment:
                        report.merged += 1
                        if record.section:
                            added_sections.append((row["id"], record.section))
                    else:
                        report.unchanged += 1
                        continue
                else:
                    old_naf = row["naf"]
                    if not _assign(row, record, commune, geography, keep_naf=key != "siret"):
                        report.unchanged += 1
                        continue
                    report.updated += 1
                    if key == "siret" and row["naf"] != old_naf:
                        sections[row["id"]] = record.section
                updates.append((*(row[name] for name in UPDATED_COLUMNS),
                                adapt(moment), now, row["id"]))
                continue
            if record.siret and (record.siret in taken_sirets):
                record.siret = ""
            if record.siret:
                taken_sirets.add(record.siret)
            # What _assign would set on an empty row, as one tuple in UPDATED_COLUMNS order
            # (the hot path of a first import: no dict per row).
            siret = record.siret
            search_name = record.search_name or fold_name(record.name)
            created_names[record.key] = search_name
            departement, region = communes[commune]
            creates.append((record.name, search_name, record.rna, siret, siret[:9], commune,
                            departement, region, record.address, record.website,
                            record.description, record.naf, record.type, source, True,
                            adapt(moment), now, now))
            created_keys.append(record.key)
        with connection.cursor() as cursor:
            if creates:
                cursor.executemany(_insert_sql(), creates)
                report.created += len(creates)
            if updates:
                cursor.executemany(_update_sql(), updates)
        created: list[tuple[int, str, str]] = []
        if created_keys:
            # Only the new rows that get a sector or may duplicate an organisation entered
            # by hand need their id: in most batches of a national import, none (no query).
            self._load_manual({by_key[number][1] for number in created_keys})
            manual = self.manual_by_commune
            wanted = [number for number in created_keys
                      if by_key[number][0].section or manual[by_key[number][1]]]
            created = [(row["id"], row[key], row["commune_id"])
                       for row in _rows_by(key, wanted)]
        through = Organisation.sectors.through
        if sections:
            through.objects.filter(organisation_id__in=list(sections)).delete()
        links = [(org_id, section) for org_id, section in sections.items() if section]
        links += [(org_id, by_key[number][0].section) for org_id, number, _c in created
                  if by_key[number][0].section]
        links += added_sections
        if links:
            through.objects.bulk_create(
                [through(organisation_id=org_id, sector_id=section) for org_id, section in links],
                ignore_conflicts=True,
            )
        if created:
            self._propose([(org_id, commune, created_names[number])
                           for org_id, number, commune in created])

    def _load_manual(self, communes: set[str]) -> None:
        """Load manual_by_commune for the communes not met before."""
        cache = self.manual_by_commune
        missing = communes - cache.keys()
        if missing:
            for commune in missing:
                cache[commune] = []
            for pk, commune, name in Organisation.objects.filter(
                source=OrganisationSource.MANUAL, commune_id__in=missing, **{self.key: ""}
            ).order_by().values_list("id", "commune_id", "search_name"):
                cache[commune].append((pk, name))

    def _propose(self, created: list[tuple[int, str, str]]) -> None:
        """Possible duplicates of the new organisations (id, commune, folded name) among
        those entered by hand in the same commune (loaded per batch, for the communes not
        met before)."""
        cache = self.manual_by_commune
        self._load_manual({commune for _id, commune, _name in created})
        proposals = []
        for org_id, commune, name in created:
            choices = cache.get(commune)
            if not choices:
                continue
            best = process.extractOne(
                name, [choice for _pk, choice in choices], scorer=fuzz.token_set_ratio,
                score_cutoff=FUZZY_THRESHOLD,
            )
            if best is not None:
                _name, score, index = best
                proposals.append(DuplicateProposal(kept_id=choices[index][0],
                                                   candidate_id=org_id, score=round(score, 1)))
        if proposals:
            DuplicateProposal.objects.bulk_create(proposals, ignore_conflicts=True)
            self.report.proposals += len(proposals)


# The columns an import writes, in the order of the tuples of the INSERT and UPDATE.
UPDATED_COLUMNS = ("name", "search_name", "rna", "siret", "siren", "commune_id",
                   "departement_id", "region_id", "address", "website", "description", "naf")
ROW_FIELDS = ("id", "source", "registry_updated_at", *UPDATED_COLUMNS)


def _insert_sql() -> str:
    quote = connection.ops.quote_name
    columns = [*UPDATED_COLUMNS, "type", "source", "is_public", "registry_updated_at",
               "created_at", "updated_at"]
    # Table and column names from the model's meta, quoted: no outside text in the SQL.
    return (f"INSERT INTO {quote(Organisation._meta.db_table)} "  # noqa: S608
            f"({', '.join(quote(c) for c in columns)}) "
            f"VALUES ({', '.join(['%s'] * len(columns))})")


def _update_sql() -> str:
    quote = connection.ops.quote_name
    columns = [*UPDATED_COLUMNS, "registry_updated_at", "updated_at"]
    return (f"UPDATE {quote(Organisation._meta.db_table)} SET "  # noqa: S608
            f"{', '.join(f'{quote(c)} = %s' for c in columns)} WHERE {quote('id')} = %s")


def _rows_by(column: str, numbers: list[str]) -> list[dict]:
    """The organisations whose `column` (rna or siret) is one of `numbers`, as dicts of
    ROW_FIELDS. Plain SQL: the ORM's preparation of a 5,000-value IN cost more than the
    query. The NOT (… = '') repeats the partial unique index's condition, so it serves."""
    if not numbers:
        return []
    quote = connection.ops.quote_name
    sql = (f"SELECT {', '.join(quote(name) for name in ROW_FIELDS)} "  # noqa: S608
           f"FROM {quote(Organisation._meta.db_table)} "
           f"WHERE {quote(column)} IN ({', '.join(['%s'] * len(numbers))}) "
           f"AND NOT ({quote(column)} = '')")
    with connection.cursor() as cursor:
        cursor.execute(sql, numbers)
        rows = [dict(zip(ROW_FIELDS, values, strict=True)) for values in cursor.fetchall()]
    if connection.vendor == "sqlite":  # datetimes come back as text there
        convert = connection.ops.convert_datetimefield_value  # type: ignore[attr-defined]
        for row in rows:
            if row["registry_updated_at"] is not None:
                row["registry_updated_at"] = convert(row["registry_updated_at"], None,
                                                     connection)
    return rows


def _moment_adapter() -> Callable[[datetime | None], object]:
    """connection.ops.adapt_datetimefield_value, without its per-call checks on SQLite
    (aware datetimes, USE_TZ: the database's text in UTC)."""
    if connection.vendor != "sqlite" or not settings.USE_TZ:
        return connection.ops.adapt_datetimefield_value
    database_tz = connection.timezone

    def adapt(moment: datetime | None) -> str | None:
        if moment is None:
            return None
        return str(moment.astimezone(database_tz).replace(tzinfo=None))

    return adapt


def _place(row: dict, commune: str, geography: Geography) -> None:
    row["commune_id"] = commune
    row["departement_id"], row["region_id"] = geography.communes[commune]


def _assign(row: dict, record: Record, commune: str, geography: Geography, *,
            keep_naf: bool) -> bool:
    """Set an imported organisation's fields from the record; True when one changed."""
    siret = record.siret or row["siret"]
    values = {
        "name": record.name,
        "search_name": record.search_name or fold_name(record.name),
        "rna": record.rna or row["rna"],
        "siret": siret,
        "siren": siret[:9] if siret else row["siren"],
        "address": record.address,
        "website": record.website,
        "description": record.description or row["description"],
        "naf": row["naf"] if keep_naf else record.naf,
    }
    changed = False
    for name, value in values.items():
        if row.get(name) != value:
            row[name] = value
            changed = True
    if row["commune_id"] != commune:
        _place(row, commune, geography)
        changed = True
    return changed


def _fill(row: dict, record: Record, commune: str, geography: Geography) -> bool:
    """Fill the empty fields of an organisation entered by hand; True when one was."""
    changed = False
    for name in ("rna", "siret", "address", "website", "description", "naf"):
        value = getattr(record, name)
        if value and not row[name]:
            row[name] = value
            changed = True
    if row["siret"] and not row["siren"]:
        row["siren"] = row["siret"][:9]
    if row["commune_id"] is None:
        _place(row, commune, geography)
        changed = True
    return changed


# --- commune centres -------------------------------------------------------------------


@dataclass
class CentresReport:
    updated: int = 0
    unknown: int = 0
    repeated: int = 0
    no_coordinates: int = 0
    unknown_codes: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return _(
            "%(updated)s commune centres set, %(unknown)s unknown communes, "
            "%(repeated)s repeated, %(empty)s rows without coordinates"
        ) % {"updated": self.updated, "unknown": self.unknown, "repeated": self.repeated,
             "empty": self.no_coordinates}


@transaction.atomic
def commune_centres_import(path: str | os.PathLike) -> CentresReport:
    """Set the centres of the known communes from the file; all or nothing
    (ImportFileError, located, on a bad row)."""
    rows, counters = centres_reader.read_centres(path)
    known = set(Commune.objects.values_list("code", flat=True))
    report = CentresReport()
    seen: dict[str, tuple[float, float]] = {}
    for centre in rows:
        if centre.code in seen:
            report.repeated += 1
            continue
        if centre.code not in known:
            report.unknown += 1
            if len(report.unknown_codes) < PROBLEMS_SHOWN:
                report.unknown_codes.append(f"{centre.line}: {centre.code}")
            continue
        seen[centre.code] = (centre.latitude, centre.longitude)
    report.no_coordinates = counters["no_coordinates"]
    communes = list(Commune.objects.filter(code__in=list(seen)).only("code"))
    for commune in communes:
        commune.latitude, commune.longitude = seen[commune.code]
    Commune.objects.bulk_update(communes, ["latitude", "longitude"], batch_size=2000)
    report.updated = len(communes)
    pages_changed()
    return report


# --- duplicates ------------------------------------------------------------------------


@rules.predicate
def _is_kept_member(user, proposal: DuplicateProposal | None) -> bool:
    if proposal is None or not user.is_authenticated:
        return False
    return proposal.kept.memberships.filter(user=user).exists()


@rules.predicate
def _is_admin(user) -> bool:
    return bool(getattr(user, "is_platform_admin", False))


# Admins decide every proposal; the members of the organisation entered by hand, theirs.
rules.set_perm("actors.decide_duplicateproposal",
               rules.is_authenticated & (_is_admin | _is_kept_member))


def proposals_visible_to(user: User):
    """The pending proposals a user may decide (all for admins), with what the list shows."""
    proposals = DuplicateProposal.objects.filter(status=DuplicateStatus.PENDING)
    if not getattr(user, "is_platform_admin", False):
        proposals = proposals.filter(kept__memberships__user=user)
    return proposals.select_related("kept__commune", "candidate__commune").order_by(
        "-score", "pk"
    )


class MergeError(ValueError):
    pass


@transaction.atomic
def duplicate_merge(proposal: DuplicateProposal, user: User | None) -> Organisation:
    """Merge the imported candidate into the organisation entered by hand and delete it.

    Copies the candidate's identifiers and the fields empty on the kept organisation,
    re-points everything that refers to the candidate (partners of alliances, members,
    needs, contact requests, diagnostics, resources, sectors, fragilities… every relation
    to Organisation, found through the model's meta), then deletes the candidate (its
    other duplicate proposals go with it).
    """
    proposal = DuplicateProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != DuplicateStatus.PENDING:
        raise MergeError(_("This proposal has already been decided."))
    kept = Organisation.objects.select_for_update().get(pk=proposal.kept_id)
    candidate = Organisation.objects.select_for_update().get(pk=proposal.candidate_id)
    for relation in Organisation._meta.get_fields(include_hidden=True):
        if not (relation.auto_created and (relation.one_to_many or relation.one_to_one)):
            continue
        model = relation.related_model
        if model is DuplicateProposal:
            continue
        _repoint(model, relation.field, candidate, kept)
    for name in ("rna", "siret", "siren", "address", "website", "description", "naf",
                 "latitude", "longitude", "registry_updated_at"):
        if not getattr(kept, name) and getattr(candidate, name):
            setattr(kept, name, getattr(candidate, name))
    if kept.commune_id is None and candidate.commune_id is not None:
        kept.commune = candidate.commune
    proposal.status = DuplicateStatus.MERGED
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    # The numbers are unique: the candidate goes before the kept organisation takes them.
    candidate.delete()
    kept.save()
    pages_changed()
    return kept


def _repoint(model, fk, candidate: Organisation, kept: Organisation) -> None:
    """Move model's rows from candidate to kept through the foreign key `fk`; a row that
    would repeat one kept already has (a unique constraint: the same alliance, member,
    sector…) or point twice at kept (a contact request to itself) is deleted instead."""
    rows = model._base_manager.filter(**{fk.name: candidate})
    if not rows.exists():
        return
    together = [tuple(names) for names in model._meta.unique_together if fk.name in names]
    together += [
        tuple(constraint.fields)
        for constraint in model._meta.constraints
        if getattr(constraint, "fields", None) and fk.name in constraint.fields
        and getattr(constraint, "condition", None) is None
    ]
    other_fks = [
        f for f in model._meta.get_fields()
        if getattr(f, "many_to_one", False) and f is not fk and f.related_model is Organisation
    ]
    for row in list(rows):
        if any(getattr(row, f"{f.name}_id") == kept.pk for f in other_fks):
            row.delete()
            continue
        clash = False
        for names in together:
            lookup = {name: getattr(row, _attname(model, name)) for name in names
                      if name != fk.name}
            lookup[fk.name] = kept
            if model._base_manager.filter(**lookup).exists():
                clash = True
                break
        if clash:
            _merge_clash(model, row, fk, kept)
            row.delete()
        else:
            setattr(row, fk.name, kept)
            row.save(update_fields=[fk.name])


def _attname(model, name: str) -> str:
    return model._meta.get_field(name).attname


def _merge_clash(model, row, fk, kept: Organisation) -> None:
    """Where both organisations were partners of the same alliance, the kept partner takes
    the stronger role (porteur over financeur over partenaire); both members of the
    organisation: the manager role wins."""
    label = model._meta.label
    if label == "partnerships.Partner":
        order = ["partenaire", "financeur", "porteur"]
        other = model._base_manager.get(alliance_id=row.alliance_id, **{fk.name: kept})
        if order.index(row.role) > order.index(other.role):
            other.role = row.role
            other.save(update_fields=["role"])
    elif label == "actors.Membership":
        other = model._base_manager.get(user_id=row.user_id, **{fk.name: kept})
        if row.role == "manager" and other.role != "manager":
            other.role = "manager"
            other.save(update_fields=["role"])


@transaction.atomic
def duplicate_reject(proposal: DuplicateProposal, user: User | None) -> DuplicateProposal:
    """Mark the pair as two different organisations: never proposed again (the pair is
    unique, and an import proposes only for the organisations it creates)."""
    proposal = DuplicateProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != DuplicateStatus.PENDING:
        raise MergeError(_("This proposal has already been decided."))
    proposal.status = DuplicateStatus.DISTINCT
    proposal.decided_by = user
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decided_by", "decided_at"])
    return proposal


