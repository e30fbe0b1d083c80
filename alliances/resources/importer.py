"""Bulk import of resources from a CSV or XLSX file, to migrate an existing centre.

Columns (first row): `title, kind, summary, body, tags, referentiel` are required;
`authors, date, licence, links, files, departement, region` are optional; other columns
(`id`, `url`, `contributor`… of the open-data export) are ignored, so an export imports
back. Lists in a cell are `;`-separated.

The import is all or nothing, in two passes: every row is read and checked first (kinds,
tags, référentiel numbers or titles, dates, links, each file's name, size and content), and
every problem is reported by line and column; only a file without any problem is written,
in one transaction, the search index filled in batches. A row whose title and kind are
already in the centre (or earlier in the file) is skipped and reported, so importing the
same file twice creates nothing the second time.
"""

import csv
import datetime
import io
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.core.uploads import DOCUMENTS_AND_IMAGES, validate_upload
from alliances.lib.text import fold
from alliances.territories.models import Departement, Region

from . import services
from .models import Licence, Resource, ResourceFile, ResourceKind, ResourceStatus
from .selectors import referentiel_flat

REQUIRED = ("title", "kind", "summary", "body", "tags", "referentiel")
OPTIONAL = ("authors", "date", "licence", "links", "files", "departement", "region")
FILE_MAX_BYTES = 20 * 1024 * 1024
BATCH_SIZE = 500
# Characters a spreadsheet reads as the start of a formula: the export quotes such a cell
# with an apostrophe (see opendata.py), the import takes the apostrophe off again.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Model limits, checked while reading so that a dry run finds them too.
MAX_LENGTHS = {"title": 250, "summary": 1000, "authors": 300}


class ImportFileError(Exception):
    """The file as a whole cannot be read (kind, encoding, columns): nothing was imported."""


class ImportRejected(Exception):
    """Some rows are wrong: `errors` lists them all, located; nothing was imported."""

    def __init__(self, errors: list[str]):
        super().__init__("\n".join(errors))
        self.errors = errors


@dataclass
class Row:
    line: int
    fields: dict[str, Any]
    files: list[Path] = field(default_factory=list)


@dataclass
class ImportReport:
    imported: int = 0
    files: int = 0
    skipped: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    dry_run: bool = False
    seconds: float = 0.0
    ids: list[int] = field(default_factory=list)


# -- reading the table --------------------------------------------------------------------


def _unquote(value: str) -> str:
    if value[:1] == "'" and value[1:2] in FORMULA_STARTS:
        return value[1:]
    return value


def _cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return _unquote(value.strip())
    return str(value)


def _read_csv(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFileError(
            _("The file is not UTF-8 text (byte %(position)d); save it as “CSV UTF-8”.")
            % {"position": error.start}
        ) from error
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") > header.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    start = 1
    try:
        for record in reader:
            # A quoted cell may hold line breaks: a row is located by the line it starts on.
            yield start, [_cell(v) for v in record]
            start = reader.line_num + 1
    except csv.Error as error:  # a cell over the csv module's limit (a quote left open?)
        raise ImportFileError(
            _("line %(line)d: the CSV cannot be read (%(error)s).")
            % {"line": start, "error": error}
        ) from error


def _read_xlsx(content: bytes) -> Iterator[tuple[int, list[Any]]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds on a file that is not a workbook
        raise ImportFileError(_("The file is not a readable XLSX workbook.")) from error
    sheets = {fold(name): name for name in workbook.sheetnames}
    sheet = workbook[sheets.get("ressources", workbook.sheetnames[0])]
    try:
        for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
            yield number, [_cell(v) for v in values]
    finally:
        workbook.close()


def read_table(path: Path) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """The column names and the non-empty rows, each with its line (the header is line 1).
    Raises ImportFileError when the file cannot be read or lacks a required column."""
    extension = path.suffix.lower()
    if extension not in (".csv", ".xlsx"):
        raise ImportFileError(_("Unsupported kind of file: give a .csv or .xlsx file."))
    content = path.read_bytes()
    if extension == ".xlsx" and not content.startswith(b"PK"):
        raise ImportFileError(_("The file is not a readable XLSX workbook."))
    lines = _read_csv(content) if extension == ".csv" else _read_xlsx(content)
    header_line = next(lines, None)
    if header_line is None:
        raise ImportFileError(_("The file is empty."))
    columns = [str(c).strip().lower() for c in header_line[1]]
    while columns and not columns[-1]:
        columns.pop()
    twice = sorted({c for c in columns if c and columns.count(c) > 1})
    if twice:
        raise ImportFileError(
            _("Columns appear twice: %(columns)s.") % {"columns": ", ".join(twice)}
        )
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ImportFileError(
            _("Missing columns: %(missing)s (the first line must name the columns "
              "%(required)s).")
            % {"missing": ", ".join(missing), "required": ", ".join(REQUIRED)}
        )
    rows = []
    for line, values in lines:
        if not any(v != "" for v in values):
            continue
        values = values + [""] * (len(columns) - len(values))
        rows.append((line, {c: values[i] for i, c in enumerate(columns) if c}))
    return columns, rows


# -- checking the rows --------------------------------------------------------------------


def _split(value: Any) -> list[str]:
    return [part.strip() for part in str(value).split(";") if part.strip()]


class _Checker:
    """Reads and checks the rows' values against the référentiel, the vocabularies and the
    territories, loaded once."""

    def __init__(self, files_dir: Path | None):
        self.files_dir = files_dir
        self.kinds = {fold(code): code for code in ResourceKind.values}
        self.nodes_by_number: dict[str, Any] = {}
        self.nodes_by_title: dict[str, list[Any]] = {}
        for item in referentiel_flat():
            self.nodes_by_number[item.number] = item
            self.nodes_by_title.setdefault(fold(item.title), []).append(item)
        self.licences: dict[str, str] = {}
        for code, label in Licence.choices:
            self.licences[fold(code)] = code
            self.licences[fold(str(label))] = code
        self.regions: dict[str, Region] = {}
        for region in Region.objects.all():
            self.regions[fold(region.code)] = region
            self.regions[fold(region.name)] = region
        self.departements: dict[str, Departement] = {}
        for departement in Departement.objects.all():
            self.departements[fold(departement.code)] = departement
            self.departements[fold(departement.name)] = departement
        self.tags: dict[str, tuple[str, str] | str] = {}
        self.url = URLValidator(schemes=["http", "https"])

    def tag(self, value: str) -> tuple[str, str] | str:
        """The tag, or the message saying why it is not one (each value read once)."""
        if value not in self.tags:
            try:
                self.tags[value] = services.tags_parse([value])[0]
            except ValidationError as error:
                self.tags[value] = error.messages[0]
        return self.tags[value]

    def row(self, line: int, data: dict[str, Any]) -> tuple[Row, list[str]]:
        errors: list[str] = []

        def fail(column: str, problem: str) -> None:
            errors.append(
                _("line %(line)d, column %(column)s: %(problem)s")
                % {"line": line, "column": column, "problem": problem}
            )

        fields: dict[str, Any] = {}
        for name, limit in MAX_LENGTHS.items():
            value = str(data.get(name, "")).strip()
            if len(value) > limit:
                fail(name, _("%(count)d characters, at most %(limit)d")
                     % {"count": len(value), "limit": limit})
            fields[name] = value
        if not fields["title"]:
            fail("title", _("a title is required"))
        fields["body"] = str(data.get("body", ""))

        kind = str(data.get("kind", "")).strip()
        fields["kind"] = self.kinds.get(fold(kind))
        if fields["kind"] is None:
            fail("kind", _("unknown kind “%(value)s” (expected: %(choices)s)")
                 % {"value": kind, "choices": ", ".join(ResourceKind.values)})

        tags = []
        for value in _split(data.get("tags", "")):
            tag = self.tag(value)
            if isinstance(tag, str):
                fail("tags", tag)
            else:
                tags.append(tag)
        fields["tags"] = tags

        nodes = []
        for value in _split(data.get("referentiel", "")):
            number = value.rstrip(".")
            found = self.nodes_by_number.get(number)
            if found is None:
                by_title = self.nodes_by_title.get(fold(value), [])
                if len(by_title) > 1:
                    fail("referentiel",
                         _("ambiguous title “%(value)s”: write its number (%(choices)s)")
                         % {"value": value, "choices": ", ".join(n.number for n in by_title)})
                    continue
                found = by_title[0] if by_title else None
            if found is None:
                fail("referentiel",
                     _("unknown référentiel entry “%(value)s” (expected a number such as "
                       "2.1 or an exact title)") % {"value": value})
            else:
                nodes.append(found.node)
        fields["nodes"] = list(dict.fromkeys(nodes))

        fields["issued_on"] = None
        date = data.get("date", "")
        if isinstance(date, datetime.date):
            fields["issued_on"] = date
        elif str(date).strip():
            fields["issued_on"] = _date(str(date).strip())
            if fields["issued_on"] is None:
                fail("date", _("date “%(value)s” not understood (expected YYYY-MM-DD or "
                               "DD/MM/YYYY)") % {"value": date})

        licence = str(data.get("licence", "")).strip()
        fields["licence"] = self.licences.get(fold(licence)) if licence else Licence.CC_BY_SA
        if fields["licence"] is None:
            fail("licence", _("unknown licence “%(value)s” (expected: %(choices)s)")
                 % {"value": licence, "choices": ", ".join(Licence.values)})

        links = []
        for value in _split(data.get("links", "")):
            title, sep, url = value.rpartition("|")
            url, title = url.strip(), title.strip()
            try:
                self.url(url)
            except ValidationError:
                fail("links", _("not a web address: “%(value)s”") % {"value": url})
                continue
            if len(url) > 500 or len(title) > 200:
                fail("links", _("link too long: “%(value)s”") % {"value": value[:80]})
                continue
            links.append((url, title))
        fields["links"] = links

        fields["region"] = fields["departement"] = None
        unknown = {
            "region": _("unknown region “%(value)s” (expected its INSEE code or its name)"),
            "departement": _("unknown département “%(value)s” (expected its INSEE code or "
                             "its name)"),
        }
        for column, table in (("region", self.regions), ("departement", self.departements)):
            value = str(data.get(column, "")).strip()
            if value:
                fields[column] = table.get(fold(value))
                if fields[column] is None:
                    fail(column, unknown[column] % {"value": value})
        region, departement = fields["region"], fields["departement"]
        if region and departement and departement.region_id != region.pk:
            fail("departement", _("%(departement)s is not in %(region)s")
                 % {"departement": departement.name, "region": region.name})

        made = Row(line=line, fields=fields)
        for name in _split(data.get("files", "")):
            problem = self.file_problem(name)
            if problem:
                fail("files", problem)
            else:
                assert self.files_dir is not None
                made.files.append(self.files_dir / name)
        return made, errors

    def file_problem(self, name: str) -> str | None:
        if self.files_dir is None:
            return _("“%(name)s”: give the folder of the files with --files") % {"name": name}
        if "/" in name or "\\" in name or ".." in name or PurePath(name).is_absolute():
            return _("“%(name)s”: a file name is expected, without any folder (no / nor ..)"
                     ) % {"name": name}
        path = self.files_dir / name
        try:
            found = path.is_file()
        except OSError:  # a name the system refuses (too long): no such file either
            found = False
        if not found:
            return _("“%(name)s” is not in the folder %(folder)s") % {
                "name": name, "folder": self.files_dir}
        with path.open("rb") as handle:
            try:
                validate_upload(UploadedFile(handle, name=name, size=path.stat().st_size),
                                allowed=DOCUMENTS_AND_IMAGES, max_bytes=FILE_MAX_BYTES)
            except ValidationError as error:
                return error.messages[0]
        return None


def _date(value: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.datetime.strptime(value, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _existing(keys: set[tuple[str, str]]) -> set[tuple[str, str]]:
    """The (title, kind) pairs among `keys` that the centre already has."""
    titles = sorted({title for title, _kind in keys})
    found: set[tuple[str, str]] = set()
    for start in range(0, len(titles), 500):
        found.update(
            Resource.objects.filter(title__in=titles[start:start + 500])
            .values_list("title", "kind")
        )
    return found & keys


# -- the import ---------------------------------------------------------------------------


def resources_import(
    *,
    path: Path | str,
    files_dir: Path | str | None = None,
    status: str = ResourceStatus.PUBLISHED,
    contributor: User | None = None,
    dry_run: bool = False,
    batch_size: int = BATCH_SIZE,
) -> ImportReport:
    """Import the file's resources (credited to `contributor`, with `status`), all or
    nothing. Raises ImportFileError for a file that cannot be read, ImportRejected with
    every located error for bad rows; a dry run checks everything and writes nothing."""
    started = time.perf_counter()
    if status not in (ResourceStatus.PUBLISHED, ResourceStatus.DRAFT):
        raise ValueError(f"an import brings published or draft resources, not {status}")
    path = Path(path)
    folder = Path(files_dir) if files_dir is not None else None
    if folder is not None and not folder.is_dir():
        raise ImportFileError(_("%(folder)s is not a folder.") % {"folder": folder})
    columns, table = read_table(path)
    report = ImportReport(
        dry_run=dry_run,
        ignored_columns=[c for c in columns if c and c not in REQUIRED + OPTIONAL],
    )
    checker = _Checker(folder)
    rows: list[Row] = []
    errors: list[str] = []
    for line, data in table:
        row, row_errors = checker.row(line, data)
        errors.extend(row_errors)
        rows.append(row)
    if errors:
        raise ImportRejected(errors)

    keys = {(r.fields["title"], r.fields["kind"]) for r in rows}
    existing = _existing(keys)
    first_seen: dict[tuple[str, str], int] = {}
    kept: list[Row] = []
    for row in rows:
        key = (row.fields["title"], row.fields["kind"])
        if key in existing:
            report.skipped.append(
                _("line %(line)d: “%(title)s” (%(kind)s) is already in the centre, skipped")
                % {"line": row.line, "title": key[0], "kind": key[1]}
            )
        elif key in first_seen:
            report.skipped.append(
                _("line %(line)d: same title and kind as line %(first)d, skipped")
                % {"line": row.line, "first": first_seen[key]}
            )
        else:
            first_seen[key] = row.line
            kept.append(row)

    report.imported = len(kept)
    report.files = sum(len(r.files) for r in kept)
    if not dry_run:
        report.ids = _write(kept, status=status, contributor=contributor,
                            batch_size=batch_size)
    report.seconds = time.perf_counter() - started
    return report


def _write(rows: list[Row], *, status: str, contributor: User | None,
           batch_size: int) -> list[int]:
    """Create the checked rows in one transaction. A row the model still refuses (a rule
    the first pass does not know) rolls everything back, its stored files deleted."""
    ids: list[int] = []
    errors: list[str] = []
    try:
        with transaction.atomic():
            batch: list[Resource] = []
            for row in rows:
                handles = [path.open("rb") for path in row.files]
                try:
                    resource = services.resource_create(
                        by=contributor, status=status, index=False,
                        files=[File(h, name=p.name) for h, p in zip(handles, row.files,
                                                                     strict=True)],
                        **row.fields,
                    )
                except ValidationError as error:
                    for column, messages in error.message_dict.items():
                        for message in messages:
                            errors.append(
                                _("line %(line)d, column %(column)s: %(problem)s")
                                % {"line": row.line, "column": column, "problem": message}
                            )
                    continue
                finally:
                    for handle in handles:
                        handle.close()
                ids.append(resource.pk)
                batch.append(resource)
                if len(batch) >= batch_size:
                    _index(batch)
                    batch = []
            if errors:
                raise ImportRejected(errors)
            _index(batch)
    except BaseException:
        _delete_stored_files(ids)
        raise
    return ids


def _index(batch: list[Resource]) -> None:
    if batch:
        services.resources_index(
            Resource.objects.filter(pk__in=[r.pk for r in batch])
            .prefetch_related("tags", "organisations", "files")
        )


def _delete_stored_files(ids: list[int]) -> None:
    """After a rollback the rows are gone but the files written to storage are not."""
    if not ids:
        return
    storage = ResourceFile._meta.get_field("file").storage
    for pk in ids:
        folder = f"resources/{pk}"
        try:
            _dirs, names = storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError):
            continue
        for name in names:
            storage.delete(f"{folder}/{name}")
