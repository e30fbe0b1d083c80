"""Readers for INSEE's territorial files: COG communes, populations légales, EPCI.

Framework-free: each reader streams rows out of the file, checks what can be checked
without a database (columns, row shape, code formats) and raises ImportFileError with the
file, line and column of the first problem. Checks against existing territories (is this
département known?) belong to the services that write them.
"""

import codecs
import csv
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import openpyxl

COMMUNE_CODE_RE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
EPCI_CODE_RE = re.compile(r"^\d{9}$")
# INSEE's placeholder EPCI for the few island communes that belong to none.
NO_EPCI = "ZZZZZZZZZ"

COMMUNE = "COM"
SUBDIVISION_KINDS = frozenset({"ARM", "COMD", "COMA"})

COG_COLUMNS = ("TYPECOM", "COM", "REG", "DEP", "LIBELLE", "COMPARENT")
POPULATION_CODE_COLUMNS = ("COM", "CODGEO", "DEPCOM", "CODE_COMMUNE", "CODE_INSEE")
POPULATION_COUNT_RE = re.compile(r"^(?:PMUN(?:\d{2}|\d{4})?|POPULATION MUNICIPALE)$")
COMPOSITION_COLUMNS = ("CODGEO", "EPCI", "LIBEPCI")
EPCI_COLUMNS = ("EPCI", "LIBEPCI")
# Title rows above the header in INSEE's spreadsheets (and CSV exports of them).
HEADER_SEARCH_ROWS = 12


class ImportFileError(ValueError):
    """A located problem in an input file: 'communes.csv, line 12, column DEP: reason'."""

    def __init__(
        self, reason: str, *, file: str, line: int | None = None, column: str | None = None
    ) -> None:
        self.reason = reason
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = [self.file]
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.column:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.reason}"


@dataclass(frozen=True, slots=True)
class CogRow:
    """One row of the COG communes file; `parent` is set on subdivisions only."""

    line: int
    kind: str
    code: str
    region: str
    departement: str
    name: str
    parent: str


@dataclass(frozen=True, slots=True)
class PopulationRow:
    line: int
    code: str
    population: int


@dataclass(frozen=True, slots=True)
class EpciRow:
    line: int
    code: str
    name: str
    nature: str


@dataclass(frozen=True, slots=True)
class MembershipRow:
    """A commune's EPCI, from the Composition_communale sheet; epci is '' for none."""

    line: int
    commune: str
    epci: str
    departement: str


@dataclass(slots=True)
class EpciFile:
    file: str
    epcis: list[EpciRow]
    memberships: list[MembershipRow]


# --- low level: decoded lines, CSV rows, XLSX rows -------------------------------------


def check_encoding(encoding: str | None, *, file: str) -> str:
    """The codec's canonical name; UTF-8 unless told otherwise."""
    try:
        return codecs.lookup(encoding or "utf-8").name
    except LookupError:
        raise ImportFileError(
            f"unknown encoding '{encoding}' (use utf-8, latin-1 or cp1252)", file=file
        ) from None


def _decoded_lines(path: Path, encoding: str | None) -> Iterator[str]:
    """Lines of text, decoded one by one so that a bad byte is reported with its line.

    Windows-1252 is not guessed: most byte sequences decode under it, so a wrong guess
    would silently import mojibake. The user names the encoding instead.
    """
    file = path.name
    codec = check_encoding(encoding, file=file)
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            if number == 1 and raw.startswith(codecs.BOM_UTF8):
                if codec != "utf-8":
                    raise ImportFileError(
                        f"the file starts with a UTF-8 byte-order mark but the encoding "
                        f"{encoding} was given; leave the encoding out",
                        file=file,
                        line=1,
                    )
                raw = raw[len(codecs.BOM_UTF8) :]
            try:
                yield raw.decode(codec)
            except UnicodeDecodeError as exc:
                if codec == "utf-8":
                    reason = (
                        f"the file is not UTF-8 (byte 0x{raw[exc.start]:02x} at position "
                        f"{exc.start + 1}); convert it to UTF-8, or give its encoding with "
                        f"--encoding latin-1 or --encoding cp1252"
                    )
                else:
                    reason = f"the file cannot be decoded as {encoding}: {exc.reason}"
                raise ImportFileError(reason, file=file, line=number) from None


def _sniff_delimiter(header: str) -> str:
    """INSEE publishes ',' (COG) and ';' (populations) files; pick the header's separator."""
    counts = {sep: header.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _csv_rows(path: Path, encoding: str | None) -> Iterator[tuple[int, list[str]]]:
    """(first line number, fields) for every non-blank CSV row."""
    lines = _decoded_lines(path, encoding)
    first = next(lines, None)
    if first is None:
        return
    delimiter = _sniff_delimiter(first)

    def chain() -> Iterator[str]:
        yield first
        yield from lines

    reader = csv.reader(chain(), delimiter=delimiter)
    start = 1
    try:
        for fields in reader:
            if any(field.strip() for field in fields):
                yield start, fields
            start = reader.line_num + 1
    except csv.Error as exc:
        raise ImportFileError(f"malformed CSV: {exc}", file=path.name, line=start) from None


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _xlsx_rows(path: Path, sheet: str | None) -> Iterator[tuple[int, list[str]]]:
    """Rows of a sheet; with sheet None, 'Communes' if present, else the first sheet."""
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except OSError:
        raise
    except Exception as exc:  # openpyxl raises zipfile, KeyError, InvalidFileException...
        raise ImportFileError(f"not a readable XLSX file ({exc})", file=path.name) from None
    try:
        if sheet is None:
            sheet = "Communes" if "Communes" in book.sheetnames else book.sheetnames[0]
        if sheet not in book.sheetnames:
            raise ImportFileError(
                f"sheet '{sheet}' not found (sheets: {', '.join(book.sheetnames)})",
                file=path.name,
            )
        for number, values in enumerate(book[sheet].iter_rows(values_only=True), start=1):
            fields = [_cell_text(value) for value in values]
            if any(fields):
                yield number, fields
    finally:
        book.close()


# French headers of INSEE's spreadsheets, mapped to the short names of its CSV files.
HEADER_ALIASES = {
    "CODE DÉPARTEMENT": "DEP",
    "CODE DEPARTEMENT": "DEP",
    "CODE COMMUNE": "CODCOM",
}


def _normalise_header(fields: list[str]) -> list[str]:
    names = [" ".join(field.replace("\ufeff", "").split()).upper() for field in fields]
    return [HEADER_ALIASES.get(name, name) for name in names]


class _Table:
    """Rows of a file with a header, looked up by column name, shape-checked."""

    def __init__(
        self, file: str, header_line: int, header: list[str], *, spreadsheet: bool = False
    ) -> None:
        self.file = file
        self.header_line = header_line
        self.header = header
        self.index = {name: position for position, name in enumerate(header) if name}
        # Spreadsheet rows lose their trailing empty cells: short is not truncated there.
        self.spreadsheet = spreadsheet

    def require(self, *names: str) -> None:
        for name in names:
            if name not in self.index:
                found = ", ".join(filter(None, self.header))
                raise ImportFileError(
                    f"missing column {name} (columns found: {found})",
                    file=self.file,
                    line=self.header_line,
                )

    def check_shape(self, line: int, fields: list[str]) -> None:
        if self.spreadsheet:
            fields.extend([""] * (len(self.header) - len(fields)))
            return
        if len(fields) < len(self.header):
            raise ImportFileError(
                f"truncated row: {len(fields)} fields, {len(self.header)} expected",
                file=self.file,
                line=line,
            )
        if len(fields) > len(self.header) and any(f.strip() for f in fields[len(self.header) :]):
            raise ImportFileError(
                f"too many fields: {len(fields)}, {len(self.header)} expected "
                f"(a name with an unquoted separator?)",
                file=self.file,
                line=line,
            )

    def get(self, fields: list[str], name: str) -> str:
        return fields[self.index[name]].strip()

    def error(self, reason: str, line: int, column: str | None = None) -> ImportFileError:
        return ImportFileError(reason, file=self.file, line=line, column=column)


def _find_header(
    rows: Iterator[tuple[int, list[str]]],
    file: str,
    accept: tuple[str, ...],
    expected: str,
    *,
    spreadsheet: bool = False,
) -> _Table:
    """The first row holding one of the `accept` column names, within the first rows."""
    for _ in range(HEADER_SEARCH_ROWS):
        item = next(rows, None)
        if item is None:
            break
        line, fields = item
        header = _normalise_header(fields)
        if any(name in header for name in accept):
            return _Table(file, line, header, spreadsheet=spreadsheet)
    raise ImportFileError(f"no header row found; expected {expected}", file=file, line=1)


# --- COG communes ---------------------------------------------------------------------


def read_communes(path: Path | str, *, encoding: str | None = None) -> Iterator[CogRow]:
    """Rows of INSEE's communes file (v_commune_20xx.csv), communes and subdivisions.

    TYPECOM COM is a commune; ARM, COMD and COMA are subdivisions of the commune in
    COMPARENT (a commune déléguée may carry its parent's own code).
    """
    path = Path(path)
    rows = _csv_rows(path, encoding)
    first = next(rows, None)
    if first is None:
        raise ImportFileError("the file is empty", file=path.name)
    table = _Table(path.name, first[0], _normalise_header(first[1]))
    table.require(*COG_COLUMNS)
    for line, fields in rows:
        table.check_shape(line, fields)
        kind = table.get(fields, "TYPECOM").upper()
        code = table.get(fields, "COM").upper()
        name = table.get(fields, "LIBELLE")
        if kind != COMMUNE and kind not in SUBDIVISION_KINDS:
            raise table.error(
                f"unknown TYPECOM '{kind}' (expected COM, ARM, COMD or COMA)", line, "TYPECOM"
            )
        if not COMMUNE_CODE_RE.match(code):
            raise table.error(f"invalid commune code '{code}'", line, "COM")
        if not name:
            raise table.error("empty name", line, "LIBELLE")
        if kind == COMMUNE:
            row = CogRow(
                line=line,
                kind=kind,
                code=code,
                region=table.get(fields, "REG"),
                departement=table.get(fields, "DEP").upper(),
                name=name,
                parent="",
            )
            if not row.departement:
                raise table.error("empty département code", line, "DEP")
            if not row.region:
                raise table.error("empty region code", line, "REG")
        else:
            parent = table.get(fields, "COMPARENT").upper()
            if not COMMUNE_CODE_RE.match(parent):
                raise table.error(
                    f"a {kind} row needs its parent commune's code, got '{parent}'",
                    line,
                    "COMPARENT",
                )
            row = CogRow(
                line=line,
                kind=kind,
                code=code,
                region="",
                departement="",
                name=name,
                parent=parent,
            )
        yield row


# --- populations légales --------------------------------------------------------------


def _population_code_reader(table: _Table) -> tuple[str, Callable[[list[str]], str]]:
    """How to get the commune code: one column, or DEP + CODCOM in INSEE's detailed files."""
    if "DEP" in table.index and "CODCOM" in table.index:

        def from_parts(fields: list[str]) -> str:
            dep = table.get(fields, "DEP").upper()
            codcom = table.get(fields, "CODCOM").upper()
            if len(codcom) == 5:
                return codcom
            # Overseas: DEP 971 + CODCOM 101 is commune 97101.
            return (dep[:2] if len(dep) == 3 and len(codcom) == 3 else dep) + codcom.zfill(3)

        return "CODCOM", from_parts
    for name in POPULATION_CODE_COLUMNS:
        if name in table.index:
            return name, lambda fields, name=name: table.get(fields, name).upper().zfill(5)
    raise AssertionError("header accepted without a code column")


def _parse_count(text: str) -> int | None:
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", text)
    if cleaned.endswith(".0"):
        cleaned = cleaned[:-2]
    # ASCII only: "²" is a digit to isdigit, not to int.
    return int(cleaned) if cleaned.isascii() and cleaned.isdigit() else None


def read_populations(path: Path | str, *, encoding: str | None = None) -> Iterator[PopulationRow]:
    """Municipal populations (PMUN) by commune code, from a CSV or an XLSX sheet."""
    path = Path(path)
    expected = (
        f"a commune code column ({' or '.join(POPULATION_CODE_COLUMNS)}, or DEP and CODCOM) "
        f"and a municipal population column (PMUN or PMUN20xx)"
    )
    spreadsheet = path.suffix.lower() in {".xlsx", ".xlsm"}
    rows = _xlsx_rows(path, None) if spreadsheet else _csv_rows(path, encoding)
    table = _find_header(
        rows, path.name, (*POPULATION_CODE_COLUMNS, "CODCOM"), expected, spreadsheet=spreadsheet
    )
    count_column = next((name for name in table.header if POPULATION_COUNT_RE.match(name)), None)
    if count_column is None:
        raise ImportFileError(
            f"no municipal population column; expected PMUN or PMUN20xx "
            f"(columns found: {', '.join(filter(None, table.header))})",
            file=path.name,
            line=table.header_line,
        )
    code_column, code_of = _population_code_reader(table)
    for line, fields in rows:
        table.check_shape(line, fields)
        code = code_of(fields)
        if not COMMUNE_CODE_RE.match(code):
            raise table.error(f"invalid commune code '{code}'", line, code_column)
        population = _parse_count(table.get(fields, count_column))
        if population is None:
            raise table.error(
                f"population '{table.get(fields, count_column)}' is not a whole number",
                line,
                count_column,
            )
        yield PopulationRow(line=line, code=code, population=population)


# --- EPCI -----------------------------------------------------------------------------


def _read_epci_rows(table: _Table, rows: Iterable[tuple[int, list[str]]]) -> Iterator[EpciRow]:
    table.require(*EPCI_COLUMNS)
    for line, fields in rows:
        table.check_shape(line, fields)
        code = table.get(fields, "EPCI")
        if code == NO_EPCI:
            continue
        if not EPCI_CODE_RE.match(code):
            raise table.error(f"invalid EPCI SIREN '{code}' (9 digits expected)", line, "EPCI")
        name = table.get(fields, "LIBEPCI")
        if not name:
            raise table.error("empty EPCI name", line, "LIBEPCI")
        nature = table.get(fields, "NATURE_EPCI") if "NATURE_EPCI" in table.index else ""
        yield EpciRow(line=line, code=code, name=name, nature=nature)


def _read_memberships(
    table: _Table, rows: Iterable[tuple[int, list[str]]]
) -> Iterator[tuple[MembershipRow, EpciRow | None]]:
    table.require(*COMPOSITION_COLUMNS)
    has_dep = "DEP" in table.index
    has_nature = "NATURE_EPCI" in table.index
    for line, fields in rows:
        table.check_shape(line, fields)
        commune = table.get(fields, "CODGEO").upper().zfill(5)
        if not COMMUNE_CODE_RE.match(commune):
            raise table.error(f"invalid commune code '{commune}'", line, "CODGEO")
        code = table.get(fields, "EPCI")
        departement = table.get(fields, "DEP").upper() if has_dep else ""
        if code == NO_EPCI:
            yield MembershipRow(line=line, commune=commune, epci="", departement=departement), None
            continue
        if not EPCI_CODE_RE.match(code):
            raise table.error(f"invalid EPCI SIREN '{code}' (9 digits expected)", line, "EPCI")
        name = table.get(fields, "LIBEPCI")
        if not name:
            raise table.error("empty EPCI name", line, "LIBEPCI")
        nature = table.get(fields, "NATURE_EPCI") if has_nature else ""
        yield (
            MembershipRow(line=line, commune=commune, epci=code, departement=departement),
            EpciRow(line=line, code=code, name=name, nature=nature),
        )


def _merge(epcis: dict[str, EpciRow], row: EpciRow) -> None:
    known = epcis.get(row.code)
    if known is None:
        epcis[row.code] = row
    elif not known.nature and row.nature:
        epcis[row.code] = EpciRow(
            line=known.line, code=known.code, name=known.name, nature=row.nature
        )


def read_epci(path: Path | str, *, encoding: str | None = None) -> EpciFile:
    """INSEE's EPCI file: the XLSX with its two sheets, or one CSV of either sheet.

    A CSV with CODGEO is the commune composition (EPCI names from LIBEPCI, nature from
    NATURE_EPCI when present); a CSV without it is the list of EPCI only.
    """
    path = Path(path)
    epcis: dict[str, EpciRow] = {}
    memberships: list[MembershipRow] = []
    if path.suffix.lower() in {".xlsx", ".xlsm"}:
        label = f"{path.name} [EPCI]"
        rows = _xlsx_rows(path, "EPCI")
        table = _find_header(
            rows, label, ("EPCI",), "columns EPCI, LIBEPCI, NATURE_EPCI", spreadsheet=True
        )
        for row in _read_epci_rows(table, rows):
            _merge(epcis, row)
        label = f"{path.name} [Composition_communale]"
        rows = _xlsx_rows(path, "Composition_communale")
        table = _find_header(
            rows,
            label,
            ("CODGEO",),
            "columns CODGEO, LIBGEO, EPCI, LIBEPCI, DEP, REG",
            spreadsheet=True,
        )
        for membership, epci in _read_memberships(table, rows):
            memberships.append(membership)
            if epci is not None and epci.code not in epcis:
                raise table.error(
                    f"EPCI '{epci.code}' is not in the EPCI sheet", membership.line, "EPCI"
                )
        return EpciFile(file=path.name, epcis=list(epcis.values()), memberships=memberships)

    rows = _csv_rows(path, encoding)
    table = _find_header(
        rows,
        path.name,
        ("CODGEO", "EPCI"),
        "columns CODGEO, LIBGEO, EPCI, LIBEPCI, DEP, REG (composition) "
        "or EPCI, LIBEPCI, NATURE_EPCI (list of EPCI)",
    )
    if "CODGEO" in table.index:
        for membership, epci in _read_memberships(table, rows):
            memberships.append(membership)
            if epci is not None:
                _merge(epcis, epci)
    else:
        for row in _read_epci_rows(table, rows):
            _merge(epcis, row)
    return EpciFile(file=path.name, epcis=list(epcis.values()), memberships=memberships)
