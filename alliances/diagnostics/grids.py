"""The maturity grid's services: versions (a draft, then published and frozen), and the
grid exchange format in JSON and XLSX (export, and an atomic import).

A published version never changes: bilans made on it keep its texts. To change a grid,
make a new draft version (a copy of the latest, same codes), edit it, publish it.

The exchange format, version 1
------------------------------
JSON, one object::

    {"format": "alliances-grid", "format_version": 1,
     "grid": {"slug": "…", "name": "…", "description": "…"},
     "version": {"number": 1, "note": "…"},
     "levels": [{"rank": 1, "name": "Émergence", "description": "…"}, …],
     "axes": [{"code": "…", "name": "…", "description": "…",
               "criteria": [{"code": "…", "name": "…", "question": "…",
                             "levels": [{"rank": 1, "description": "…"}, …]}]}]}

Positions are the order of the lists; level ranks run from 1 (the lowest) with no gap;
every criterion describes every level. XLSX, one sheet each, a header row then one row
per item (sheet and column names are in French, for the people who edit them):

- ``grille``: slug | nom | description | version | note (one row);
- ``niveaux``: rang | nom | description;
- ``axes``: code | nom | description;
- ``criteres``: axe (the axis code) | code | nom | question | niveau 1 | niveau 2 | …
  (one column per level, by rank).

An import creates the grid when its slug is new, or a new draft version of the existing
grid (whose name and description stay as they are: edit them in the back-office); it
never touches a published version, and the version number in the file is not used. A
bad file is refused whole, with every error located (JSON path, or sheet, row and column).
"""

import io
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from .models import (
    Axis,
    Criterion,
    CriterionLevel,
    Grid,
    GridVersion,
    GridVersionStatus,
    Level,
)
from .selectors import version_structure

FORMAT = "alliances-grid"
FORMAT_VERSION = 1
SLUG = re.compile(r"^[-a-zA-Z0-9_]+$")
MAX_ROWS = 2000  # per sheet: a grid is a few dozen criteria, not a data set

# XLSX sheets and their columns (the level columns of `criteres` follow `LEVEL_COLUMN`).
SHEET_GRID = "grille"
SHEET_LEVELS = "niveaux"
SHEET_AXES = "axes"
SHEET_CRITERIA = "criteres"
GRID_COLUMNS = ["slug", "nom", "description", "version", "note"]
LEVEL_COLUMNS = ["rang", "nom", "description"]
AXIS_COLUMNS = ["code", "nom", "description"]
CRITERION_COLUMNS = ["axe", "code", "nom", "question"]
LEVEL_COLUMN = "niveau {rank}"

# -- versions -------------------------------------------------------------------------------


def grid_version_ensure_draft(version: GridVersion) -> None:
    """Refuse any change to a published version: it is frozen."""
    if version.is_published:
        raise ValidationError(
            _(
                "Version %(number)s of “%(grid)s” is published and frozen: bilans are made "
                "on it. Make a new draft version to change the grid."
            )
            % {"number": version.number, "grid": version.grid.name},
            code="frozen",
        )


def _copy_structure(source: GridVersion, target: GridVersion) -> None:
    Level.objects.bulk_create(
        Level(version=target, rank=level.rank, name=level.name, description=level.description)
        for level in source.levels.order_by("rank")
    )
    for axis in version_structure(source):
        new_axis = Axis.objects.create(
            version=target,
            position=axis.position,
            code=axis.code,
            name=axis.name,
            description=axis.description,
        )
        criteria = list(axis.criteria.all())
        new_criteria = Criterion.objects.bulk_create(
            Criterion(
                axis=new_axis,
                version=target,
                position=criterion.position,
                code=criterion.code,
                name=criterion.name,
                description=criterion.description,
            )
            for criterion in criteria
        )
        CriterionLevel.objects.bulk_create(
            CriterionLevel(criterion=new, rank=level.rank, description=level.description)
            for old, new in zip(criteria, new_criteria, strict=True)
            for level in old.levels.all()
        )


def _refuse_second_draft(grid: Grid) -> None:
    draft = grid.versions.filter(status=GridVersionStatus.DRAFT).order_by("number").first()
    if draft is not None:
        raise ValidationError(
            _(
                "“%(grid)s” already has a draft version (version %(number)s): publish or "
                "delete it first."
            )
            % {"grid": grid.name, "number": draft.number},
            code="draft_exists",
        )


def _next_number(grid: Grid) -> int:
    return (grid.versions.aggregate(top=Max("number"))["top"] or 0) + 1


@transaction.atomic
def grid_version_draft(*, grid: Grid, note: str = "") -> GridVersion:
    """A new draft version of `grid`: a copy of its latest version (same codes, so bilans
    on both compare), or an empty version 1. A grid has at most one draft at a time."""
    grid = Grid.objects.select_for_update().get(pk=grid.pk)
    _refuse_second_draft(grid)
    latest = grid.versions.order_by("-number").first()
    version = GridVersion.objects.create(
        grid=grid, number=_next_number(grid), status=GridVersionStatus.DRAFT, note=note
    )
    if latest is not None:
        _copy_structure(latest, version)
    return version


def grid_version_problems(version: GridVersion) -> list[str]:
    """What stops `version` from being published (empty when it may be)."""
    problems: list[str] = []
    ranks = list(version.levels.order_by("rank").values_list("rank", flat=True))
    if not ranks:
        problems.append(_("The version has no level."))
    elif ranks != list(range(1, len(ranks) + 1)):
        problems.append(
            _("Level ranks must run from 1 with no gap (found %(ranks)s).")
            % {"ranks": ", ".join(map(str, ranks))}
        )
    axes = version_structure(version)
    if not axes:
        problems.append(_("The version has no axis."))
    criterion_codes: set[str] = set()
    axis_codes: set[str] = set()
    for axis in axes:
        if axis.code in axis_codes:
            problems.append(_("Axis code “%(code)s” is used twice.") % {"code": axis.code})
        axis_codes.add(axis.code)
        criteria = list(axis.criteria.all())
        if not criteria:
            problems.append(_("Axis “%(axis)s” has no criterion.") % {"axis": axis.name})
        for criterion in criteria:
            if criterion.axis_id != axis.pk or criterion.version_id != version.pk:
                problems.append(
                    _("Criterion “%(criterion)s” belongs to another version.")
                    % {"criterion": criterion.name}
                )
            if criterion.code in criterion_codes:
                problems.append(
                    _("Criterion code “%(code)s” is used twice.") % {"code": criterion.code}
                )
            criterion_codes.add(criterion.code)
            described = {lv.rank for lv in criterion.levels.all() if lv.description.strip()}
            missing = [rank for rank in ranks if rank not in described]
            if missing:
                problems.append(
                    _("Criterion “%(criterion)s” has no description for level(s) %(ranks)s.")
                    % {"criterion": criterion.name, "ranks": ", ".join(map(str, missing))}
                )
            extra = sorted({lv.rank for lv in criterion.levels.all()} - set(ranks))
            if extra:
                problems.append(
                    _(
                        "Criterion “%(criterion)s” describes level(s) %(ranks)s, which the "
                        "version does not have."
                    )
                    % {"criterion": criterion.name, "ranks": ", ".join(map(str, extra))}
                )
    return problems


@transaction.atomic
def grid_version_publish(*, version: GridVersion) -> GridVersion:
    """Publish a complete draft: from now on bilans are made on it and it is frozen."""
    version = GridVersion.objects.select_for_update().select_related("grid").get(pk=version.pk)
    grid_version_ensure_draft(version)
    problems = grid_version_problems(version)
    if problems:
        raise ValidationError(problems, code="incomplete")
    version.status = GridVersionStatus.PUBLISHED
    version.published_at = timezone.now()
    version.save(update_fields=["status", "published_at"])
    return version


@transaction.atomic
def grid_version_update(*, version: GridVersion, note: str) -> GridVersion:
    version = GridVersion.objects.select_for_update().select_related("grid").get(pk=version.pk)
    grid_version_ensure_draft(version)
    version.note = note
    version.save(update_fields=["note"])
    return version


@transaction.atomic
def grid_version_delete(*, version: GridVersion) -> None:
    """Delete a draft (a published version stays: bilans refer to it)."""
    version = GridVersion.objects.select_for_update().select_related("grid").get(pk=version.pk)
    grid_version_ensure_draft(version)
    version.delete()


# -- export ---------------------------------------------------------------------------------


def grid_version_data(version: GridVersion) -> dict[str, Any]:
    """The version in the exchange format (a dict ready for JSON): five queries."""
    grid = version.grid
    levels = list(version.levels.order_by("rank"))
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "grid": {"slug": grid.slug, "name": grid.name, "description": grid.description},
        "version": {"number": version.number, "note": version.note},
        "levels": [
            {"rank": lv.rank, "name": lv.name, "description": lv.description} for lv in levels
        ],
        "axes": [
            {
                "code": axis.code,
                "name": axis.name,
                "description": axis.description,
                "criteria": [
                    {
                        "code": criterion.code,
                        "name": criterion.name,
                        "question": criterion.description,
                        "levels": [
                            {"rank": lv.rank, "description": lv.description}
                            for lv in criterion.levels.all()
                        ],
                    }
                    for criterion in axis.criteria.all()
                ],
            }
            for axis in version_structure(version)
        ],
    }


def grid_version_json(version: GridVersion) -> bytes:
    return json.dumps(grid_version_data(version), ensure_ascii=False, indent=2).encode()


def _sheet(workbook: Workbook, title: str, header: list[str], rows: list[list[Any]]) -> None:
    sheet = workbook.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for index, name in enumerate(header, start=1):
        wide = name in {"description", "question", "note"} or name.startswith("niveau ")
        sheet.column_dimensions[get_column_letter(index)].width = 60 if wide else 28
        if wide:
            for (cell,) in sheet.iter_rows(min_row=2, min_col=index, max_col=index):
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


def grid_version_xlsx(version: GridVersion) -> bytes:
    data = grid_version_data(version)
    workbook = Workbook()
    workbook.remove(workbook.active)
    grid = data["grid"]
    _sheet(
        workbook,
        SHEET_GRID,
        GRID_COLUMNS,
        [
            [
                grid["slug"],
                grid["name"],
                grid["description"],
                data["version"]["number"],
                data["version"]["note"],
            ]
        ],
    )
    _sheet(
        workbook,
        SHEET_LEVELS,
        LEVEL_COLUMNS,
        [[lv["rank"], lv["name"], lv["description"]] for lv in data["levels"]],
    )
    _sheet(
        workbook,
        SHEET_AXES,
        AXIS_COLUMNS,
        [[axis["code"], axis["name"], axis["description"]] for axis in data["axes"]],
    )
    ranks = [lv["rank"] for lv in data["levels"]]
    rows = []
    for axis in data["axes"]:
        for criterion in axis["criteria"]:
            texts = {lv["rank"]: lv["description"] for lv in criterion["levels"]}
            rows.append(
                [axis["code"], criterion["code"], criterion["name"], criterion["question"]]
                + [texts.get(rank, "") for rank in ranks]
            )
    _sheet(
        workbook,
        SHEET_CRITERIA,
        CRITERION_COLUMNS + [LEVEL_COLUMN.format(rank=rank) for rank in ranks],
        rows,
    )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# -- import: checking -----------------------------------------------------------------------

Path = tuple[str | int, ...]


def json_path(path: Path) -> str:
    """("axes", 0, "code") → "axes[0].code"."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text or "(root)"


class _Checker:
    """Checks a grid in the exchange format, collecting every problem with its place."""

    def __init__(self, locate: Callable[[Path], str]) -> None:
        self.locate = locate
        self.errors: list[str] = []

    def error(self, path: Path, problem: str) -> None:
        self.errors.append(
            _("%(where)s: %(problem)s") % {"where": self.locate(path), "problem": problem}
        )

    def text(
        self,
        obj: dict,
        key: str,
        path: Path,
        *,
        max_length: int | None = None,
        required: bool = True,
        slug: bool = False,
    ) -> str:
        value = obj.get(key, "")
        if value is None:
            value = ""
        if not isinstance(value, str):
            self.error((*path, key), _("text expected."))
            return ""
        value = value.strip()
        if required and not value:
            self.error((*path, key), _("this value is required."))
        elif max_length and len(value) > max_length:
            self.error(
                (*path, key),
                _("at most %(max)d characters (this one has %(length)d).")
                % {"max": max_length, "length": len(value)},
            )
        elif slug and value and not SLUG.match(value):
            self.error(
                (*path, key),
                _(
                    "“%(value)s” is not a valid code: use letters, digits, hyphens and "
                    "underscores only."
                )
                % {"value": value},
            )
        return value

    def items(self, obj: dict, key: str, path: Path) -> list[dict]:
        value = obj.get(key)
        if not isinstance(value, list):
            self.error((*path, key), _("a list expected."))
            return []
        good = []
        for index, item in enumerate(value):
            if isinstance(item, dict):
                good.append(item)
            else:
                self.error((*path, key, index), _("an object expected."))
        return good if len(good) == len(value) else []

    def check(self, data: Any) -> dict[str, Any]:
        """The cleaned grid (stripped texts), or errors in `self.errors`."""
        if not isinstance(data, dict):
            self.error((), _("an object expected."))
            return {}
        if data.get("format", FORMAT) != FORMAT:
            self.error(("format",), _("“%(format)s” expected.") % {"format": FORMAT})
        if data.get("format_version", FORMAT_VERSION) != FORMAT_VERSION:
            self.error(
                ("format_version",),
                _("format version %(version)s expected.") % {"version": FORMAT_VERSION},
            )
        grid = data.get("grid")
        if not isinstance(grid, dict):
            self.error(("grid",), _("an object expected."))
            grid = {}
        clean: dict[str, Any] = {
            "grid": {
                "slug": self.text(grid, "slug", ("grid",), max_length=100, slug=True),
                "name": self.text(grid, "name", ("grid",), max_length=200),
                "description": self.text(grid, "description", ("grid",), required=False),
            }
        }
        version = data.get("version") or {}
        if not isinstance(version, dict):
            self.error(("version",), _("an object expected."))
            version = {}
        clean["version"] = {"note": self.text(version, "note", ("version",), required=False)}
        clean["levels"] = self._levels(data)
        clean["axes"] = self._axes(data, [lv["rank"] for lv in clean["levels"]])
        return clean

    def _levels(self, data: dict) -> list[dict]:
        levels = self.items(data, "levels", ())
        if "levels" in data and isinstance(data["levels"], list) and not data["levels"]:
            self.error(("levels",), _("at least one level is required."))
        clean = []
        for index, level in enumerate(levels):
            path: Path = ("levels", index)
            rank = level.get("rank")
            if rank != index + 1 or isinstance(rank, bool):
                self.error(
                    (*path, "rank"),
                    _("rank %(expected)d expected (levels are listed from 1, with no gap).")
                    % {"expected": index + 1},
                )
            clean.append(
                {
                    "rank": index + 1,
                    "name": self.text(level, "name", path, max_length=100),
                    "description": self.text(level, "description", path, required=False),
                }
            )
        return clean

    def _axes(self, data: dict, ranks: list[int]) -> list[dict]:
        axes = self.items(data, "axes", ())
        if "axes" in data and isinstance(data["axes"], list) and not data["axes"]:
            self.error(("axes",), _("at least one axis is required."))
        axis_codes: set[str] = set()
        criterion_codes: set[str] = set()
        clean = []
        for a, axis in enumerate(axes):
            path: Path = ("axes", a)
            code = self.text(axis, "code", path, max_length=50, slug=True)
            if code and code in axis_codes:
                self.error(
                    (*path, "code"), _("axis code “%(code)s” is used twice.") % {"code": code}
                )
            axis_codes.add(code)
            criteria = self.items(axis, "criteria", path)
            if isinstance(axis.get("criteria"), list) and not axis["criteria"]:
                self.error((*path, "criteria"), _("an axis needs at least one criterion."))
            clean_criteria = []
            for c, criterion in enumerate(criteria):
                cpath: Path = (*path, "criteria", c)
                ccode = self.text(criterion, "code", cpath, max_length=80, slug=True)
                if ccode and ccode in criterion_codes:
                    self.error(
                        (*cpath, "code"),
                        _("criterion code “%(code)s” is used twice.") % {"code": ccode},
                    )
                criterion_codes.add(ccode)
                clean_criteria.append(
                    {
                        "code": ccode,
                        "name": self.text(criterion, "name", cpath, max_length=300),
                        "question": self.text(criterion, "question", cpath, required=False),
                        "levels": self._criterion_levels(criterion, cpath, ranks),
                    }
                )
            clean.append(
                {
                    "code": code,
                    "name": self.text(axis, "name", path, max_length=200),
                    "description": self.text(axis, "description", path, required=False),
                    "criteria": clean_criteria,
                }
            )
        return clean

    def _criterion_levels(self, criterion: dict, path: Path, ranks: list[int]) -> list[dict]:
        levels = self.items(criterion, "levels", path)
        by_rank: dict[int, str] = {}
        for index, level in enumerate(levels):
            rank = level.get("rank")
            if isinstance(rank, bool) or rank not in ranks:
                self.error(
                    (*path, "levels", index, "rank"),
                    _("a level rank of the grid expected (1 to %(n)d).") % {"n": len(ranks)},
                )
                continue
            if rank in by_rank:
                self.error(
                    (*path, "levels", index, "rank"),
                    _("level %(rank)d is described twice.") % {"rank": rank},
                )
                continue
            by_rank[rank] = self.text(level, "description", (*path, "levels", index))
        if not isinstance(criterion.get("levels"), list):
            pass  # already said
        elif not levels and ranks:
            self.error((*path, "levels"), _("every level needs a description."))
        else:
            for rank in ranks:
                if rank not in by_rank:
                    self.error(
                        (*path, "levels"),
                        _("no description for level %(rank)d.") % {"rank": rank},
                    )
        return [{"rank": rank, "description": by_rank.get(rank, "")} for rank in ranks]


# -- import: reading files ------------------------------------------------------------------


@dataclass
class GridSource:
    """A grid file read: its data in the exchange format, how to name a place in the file,
    and the errors found while reading (reported with those of the check)."""

    data: Any
    locate: Callable[[Path], str]
    errors: list[str] = field(default_factory=list)


def grid_read_json(content: bytes) -> GridSource:
    """The raw JSON and how to name a place in it; a ValidationError if unreadable."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationError(
            _("The file is not UTF-8 text (byte %(position)d).") % {"position": error.start}
        ) from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise ValidationError(
            _("Invalid JSON at line %(line)d, column %(column)d: %(problem)s.")
            % {"line": error.lineno, "column": error.colno, "problem": error.msg}
        ) from None
    return GridSource(data, lambda path: _("JSON %(path)s") % {"path": json_path(path)})


def _cell_text(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return str(value)
    return value if isinstance(value, str) else str(value)


class _Workbook:
    """An XLSX workbook read into the exchange format, remembering each value's cell."""

    def __init__(self, content: bytes) -> None:
        self.places: dict[Path, str] = {}
        self.errors: list[str] = []
        self.columns: dict[str, dict[str, int]] = {}
        try:
            self.book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds on a broken archive
            raise ValidationError(_("The file is not a readable XLSX workbook.")) from None

    def where(
        self, sheet: str, row: int, column: int | None = None, header: str | None = None
    ) -> str:
        if column is None:
            return _("Sheet “%(sheet)s”, row %(row)d") % {"sheet": sheet, "row": row}
        return _("Sheet “%(sheet)s”, row %(row)d, column %(column)s (%(name)s)") % {
            "sheet": sheet,
            "row": row,
            "column": get_column_letter(column),
            "name": header,
        }

    def rows(self, sheet_name: str, columns: list[str]) -> list[tuple[int, dict[str, Any]]]:
        """(row number, {column: value}) for each non-empty row, after checking headers."""
        if sheet_name not in self.book.sheetnames:
            self.errors.append(_("Sheet “%(sheet)s” is missing.") % {"sheet": sheet_name})
            return []
        sheet = self.book[sheet_name]
        iterator = sheet.iter_rows(values_only=True)
        header = [str(v).strip().lower() if v is not None else "" for v in next(iterator, ())]
        index: dict[str, int] = {}
        for name in columns:
            if name in header:
                index[name] = header.index(name)
            else:
                self.errors.append(
                    _("Sheet “%(sheet)s”, row 1: column “%(column)s” is missing.")
                    % {"sheet": sheet_name, "column": name}
                )
        if len(index) < len(columns):
            return []
        self.columns[sheet_name] = index
        found = []
        for number, values in enumerate(iterator, start=2):
            if number > MAX_ROWS + 1:
                self.errors.append(
                    _("Sheet “%(sheet)s”: more than %(max)d rows.")
                    % {"sheet": sheet_name, "max": MAX_ROWS}
                )
                break
            if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            found.append(
                (
                    number,
                    {
                        name: _cell_text(values[i]) if i < len(values) else ""
                        for name, i in index.items()
                    },
                )
            )
        return found

    def place(self, path: Path, sheet: str, row: int, column: str | None = None) -> None:
        if column is None:
            self.places[path] = self.where(sheet, row)
        else:
            self.places[path] = self.where(sheet, row, self.columns[sheet][column] + 1, column)

    def read(self) -> dict[str, Any]:
        data: dict[str, Any] = {"format": FORMAT, "format_version": FORMAT_VERSION}
        grid_rows = self.rows(SHEET_GRID, GRID_COLUMNS)
        level_rows = self.rows(SHEET_LEVELS, LEVEL_COLUMNS)
        axis_rows = self.rows(SHEET_AXES, AXIS_COLUMNS)
        criteria_columns = CRITERION_COLUMNS + [
            LEVEL_COLUMN.format(rank=r) for r in range(1, len(level_rows) + 1)
        ]
        criterion_rows = self.rows(SHEET_CRITERIA, criteria_columns)
        if self.errors:
            raise ValidationError(self.errors)
        if len(grid_rows) != 1:
            raise ValidationError(
                _("Sheet “%(sheet)s”: exactly one row expected under the header (found %(count)d).")
                % {"sheet": SHEET_GRID, "count": len(grid_rows)}
            )
        row, values = grid_rows[0]
        data["grid"] = {
            key: values[column]
            for key, column in [("slug", "slug"), ("name", "nom"), ("description", "description")]
        }
        for key, column in [("slug", "slug"), ("name", "nom"), ("description", "description")]:
            self.place(("grid", key), SHEET_GRID, row, column)
        data["version"] = {"note": values["note"]}
        self.place(("version", "note"), SHEET_GRID, row, "note")

        data["levels"] = []
        for i, (row, values) in enumerate(level_rows):
            rank: Any = values["rang"]
            data["levels"].append(
                {
                    "rank": int(rank) if str(rank).isdigit() else rank,
                    "name": values["nom"],
                    "description": values["description"],
                }
            )
            for key, column in [("rank", "rang"), ("name", "nom"), ("description", "description")]:
                self.place(("levels", i, key), SHEET_LEVELS, row, column)
            self.place(("levels", i), SHEET_LEVELS, row)

        data["axes"] = []
        axis_index: dict[str, int] = {}
        for i, (row, values) in enumerate(axis_rows):
            data["axes"].append(
                {
                    "code": values["code"],
                    "name": values["nom"],
                    "description": values["description"],
                    "criteria": [],
                }
            )
            axis_index.setdefault(values["code"], i)
            for key, column in [("code", "code"), ("name", "nom"), ("description", "description")]:
                self.place(("axes", i, key), SHEET_AXES, row, column)
            self.place(("axes", i, "criteria"), SHEET_AXES, row)
            self.place(("axes", i), SHEET_AXES, row)

        for row, values in criterion_rows:
            axis_code = values["axe"]
            if axis_code not in axis_index:
                self.errors.append(
                    _("%(where)s: no axis with code “%(code)s” in sheet “%(sheet)s”.")
                    % {
                        "where": self.where(
                            SHEET_CRITERIA, row, self.columns[SHEET_CRITERIA]["axe"] + 1, "axe"
                        ),
                        "code": axis_code,
                        "sheet": SHEET_AXES,
                    }
                )
                continue
            a = axis_index[axis_code]
            criteria = data["axes"][a]["criteria"]
            c = len(criteria)
            ranks = range(1, len(level_rows) + 1)
            criteria.append(
                {
                    "code": values["code"],
                    "name": values["nom"],
                    "question": values["question"],
                    "levels": [
                        {"rank": r, "description": values[LEVEL_COLUMN.format(rank=r)]}
                        for r in ranks
                    ],
                }
            )
            path: Path = ("axes", a, "criteria", c)
            for key, column in [("code", "code"), ("name", "nom"), ("question", "question")]:
                self.place((*path, key), SHEET_CRITERIA, row, column)
            self.place((*path, "levels"), SHEET_CRITERIA, row)
            for k, r in enumerate(ranks):
                self.place(
                    (*path, "levels", k, "description"),
                    SHEET_CRITERIA,
                    row,
                    LEVEL_COLUMN.format(rank=r),
                )
        # Rows pointing to an unknown axis are left out; their errors join the others'.
        return data

    def locate(self, path: Path) -> str:
        for end in range(len(path), 0, -1):
            if path[:end] in self.places:
                return self.places[path[:end]]
        sheet = {"levels": SHEET_LEVELS, "axes": SHEET_AXES}.get(str(path[:1] and path[0]))
        return _("Sheet “%(sheet)s”") % {"sheet": sheet or SHEET_GRID}


def grid_read_xlsx(content: bytes) -> GridSource:
    book = _Workbook(content)
    data = book.read()
    return GridSource(data, book.locate, book.errors)


def grid_read_file(*, name: str, content: bytes) -> GridSource:
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "json":
        return grid_read_json(content)
    if extension == "xlsx":
        return grid_read_xlsx(content)
    raise ValidationError(_("“%(name)s”: a .json or .xlsx file is expected.") % {"name": name})


def grid_check_data(
    data: Any, locate: Callable[[Path], str] | None = None, errors: list[str] | None = None
) -> dict[str, Any]:
    """The cleaned grid, or a ValidationError listing every located problem (after the
    `errors` already found while reading the file)."""
    checker = _Checker(locate or (lambda path: _("JSON %(path)s") % {"path": json_path(path)}))
    checker.errors = list(errors or [])
    clean = checker.check(data)
    if checker.errors:
        raise ValidationError(checker.errors, code="invalid")
    return clean


# -- import: writing ------------------------------------------------------------------------


def _write_version(version: GridVersion, data: dict[str, Any]) -> None:
    Level.objects.bulk_create(
        Level(version=version, rank=lv["rank"], name=lv["name"], description=lv["description"])
        for lv in data["levels"]
    )
    axes = Axis.objects.bulk_create(
        Axis(
            version=version,
            position=a,
            code=axis["code"],
            name=axis["name"],
            description=axis["description"],
        )
        for a, axis in enumerate(data["axes"], start=1)
    )
    pairs = [
        (
            criterion,
            Criterion(
                axis=axis,
                version=version,
                position=c,
                code=criterion["code"],
                name=criterion["name"],
                description=criterion["question"],
            ),
        )
        for axis, axis_data in zip(axes, data["axes"], strict=True)
        for c, criterion in enumerate(axis_data["criteria"], start=1)
    ]
    Criterion.objects.bulk_create(new for _data, new in pairs)
    CriterionLevel.objects.bulk_create(
        CriterionLevel(criterion=new, rank=lv["rank"], description=lv["description"])
        for criterion, new in pairs
        for lv in criterion["levels"]
    )


@transaction.atomic
def grid_import_data(
    *,
    data: Any,
    locate: Callable[[Path], str] | None = None,
    errors: list[str] | None = None,
) -> GridVersion:
    """Import a grid in the exchange format: a new grid (version 1, draft) when its slug is
    new, else a new draft version of that grid. Nothing is written unless all is right."""
    clean = grid_check_data(data, locate, errors)
    slug = clean["grid"]["slug"]
    grid = Grid.objects.select_for_update().filter(slug=slug).first()
    if grid is None:
        grid = Grid.objects.create(
            slug=slug, name=clean["grid"]["name"], description=clean["grid"]["description"]
        )
    else:
        _refuse_second_draft(grid)
    version = GridVersion.objects.create(
        grid=grid,
        number=_next_number(grid),
        status=GridVersionStatus.DRAFT,
        note=clean["version"]["note"],
    )
    _write_version(version, clean)
    return version


def grid_import_file(*, name: str, content: bytes) -> GridVersion:
    """Read a .json or .xlsx file and import it (see `grid_import_data`)."""
    source = grid_read_file(name=name, content=content)
    return grid_import_data(data=source.data, locate=source.locate, errors=source.errors)
