"""Wave definitions from XLSForms, the form standard of ODK and KoboToolbox.

pyxform reads the workbook and parses its headers (aliases, `label::French (fr)` columns,
the `begin group`/`select_one list` syntax); its whole conversion to an XForm (what ODK and
Kobo would load) is run too, as the validator of everything this module does not check
itself, and its first error is reported with the sheet and row it names. This module then
walks the `survey` rows itself, because the questionnaire and the analysis support a subset
of XLSForm and every construct outside it must be reported at its row, all at once, not just
the first one:

- questions: select_one, select_multiple, integer, decimal, text, range (a scale), and
  select_one with the `likert` appearance (a scale); `begin group`/`end group` (nested
  groups are flattened into one label); notes and metadata (start, end, deviceid…) are
  skipped, they hold no answer;
- warnings (the wave is created, the construct is not applied): `relevant` (skip logic),
  `constraint` other than simple bounds of a number, conditional `required`, `calculate`
  and `hidden` rows (nothing is asked);
- errors (nothing is created): repeats, types without an analysis (geopoint, image, date…),
  `choice_filter` and cascading selects, selects from files or external lists, `or_other`,
  a select whose list is not in `choices`, names that cannot be bank codes.
"""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import IO, Any

from django.core.files.base import File
from django.db import transaction
from django.utils.translation import gettext as _
from pyxform import aliases, constants
from pyxform.builder import create_survey_element_from_dict
from pyxform.errors import PyXFormError, PyXFormReadError
from pyxform.parsing import parameters as pyxform_parameters
from pyxform.parsing.sheet_headers import dealias_and_group_headers
from pyxform.question import MultipleChoiceQuestion
from pyxform.question import Option as PyxformOption
from pyxform.question_type_dictionary import QUESTION_TYPE_DICT
from pyxform.xls2json import (
    RE_BEGIN_CONTROL,
    RE_END_CONTROL,
    RE_SELECT,
    dealias_types,
    workbook_to_json,
)
from pyxform.xls2json_backends import DefinitionData, SupportedFileTypes

from alliances.accounts.models import User

from .models import Question, Survey, Wave
from .services import DefinitionError, LocatedError, QuestionSpec, WaveDefinition, wave_create

MAX_BYTES = 5 * 1024 * 1024
EXTENSIONS = {".xlsx": ".xlsx", ".xlsm": ".xlsx", ".xls": ".xls"}
CODE_MAX = 64  # Question.code and Option.code
OPTION_LABEL_MAX = 300  # Option.label
GROUP_MAX = 200  # WaveQuestion.group
RANGE_MAX_OPTIONS = 101  # 0 to 100 step 1: beyond, a number question is what is meant

# Bank codes are slugs (URLs, API, CSV headers): stricter than XML names, which pyxform checks.
CODE_RE = re.compile(r"^[A-Za-z0-9_-]+\Z")
ROW_RE = re.compile(r"^\s*\[row\s*:\s*(\d+)\]\s*")
SHEET_RE = re.compile(r"'(survey|choices|settings)' sheet|sheet:? '(survey|choices|settings)'")
# pyxform's warnings about languages concern ODK's language switch, not a reader of the
# French texts only: that every language has every column, that each has an ISO code.
LANGUAGE_WARNING_RE = re.compile(
    r"^(Language '[^']*' is missing the |The following language declarations do not "
    r"contain valid machine-readable codes)")
FRENCH_RE = re.compile(r"(^|[^a-z])(fr|french|fran[cç]ais)([^a-z]|$)", re.IGNORECASE)

TEXT_TYPES = {"text", "string", "q string", "add text prompt"}
NOTE_TYPES = {"note", "q note", "add note prompt"}
# Computed, not asked: no answer to store, and this questionnaire does not compute them.
COMPUTED_TYPES = {"calculate", "q calculate", "add calculate prompt", "hidden"}
# Recorded by the device or the server, not asked (ODK's preloads and background actions).
METADATA_TYPES = {
    name for name, definition in QUESTION_TYPE_DICT.items()
    if definition.get("bind", {}).get("jr:preload")
} | {"audit", "start-geopoint", "background-audio", "xml-external", "csv-external"}
CASCADING = set(aliases.cascading)


@dataclass
class _Reader:
    """One pass over a form's rows; errors and warnings accumulate, located."""

    default_language: str
    lists: dict[str, list[tuple[str, str, int]]]  # list name → (code, label, choices row)
    errors: list[LocatedError] = field(default_factory=list)
    warnings: list[LocatedError] = field(default_factory=list)
    questions: list[QuestionSpec] = field(default_factory=list)

    def error(self, message: str, row: int | None, sheet: str = "survey",
              column: str = "") -> None:
        self.errors.append(LocatedError(message, sheet, row, column))

    def warn(self, message: str, row: int | None, sheet: str = "survey",
             column: str = "") -> None:
        self.warnings.append(LocatedError(message, sheet, row, column))


def read_xlsform(file: bytes | str | Path | IO[bytes], *, filename: str) -> WaveDefinition:
    """The questions of an XLSForm (.xlsx, or the older .xls) as a WaveDefinition.

    Raises DefinitionError listing every problem, each located by sheet and row (the
    spreadsheet's row number: the header is row 1). Warnings (constructs read but not
    applied) are in the definition's `warnings`."""
    data = _read_bytes(file, filename=filename)
    file_type = EXTENSIONS.get(Path(filename).suffix.lower())
    if file_type is None:
        raise DefinitionError([LocatedError(
            _("%(file)s is not an XLSForm: expected an .xlsx file (or .xls)")
            % {"file": filename})])
    unreadable = DefinitionError([LocatedError(
        _("%(file)s cannot be read as an Excel workbook (damaged, or another format)")
        % {"file": filename})])
    read = SupportedFileTypes.get_processors()[SupportedFileTypes(file_type)]
    try:
        workbook = DefinitionData(fallback_form_name=None, **read(io.BytesIO(data)))
    except PyXFormReadError:
        raise unreadable from None
    except PyXFormError as error:  # a readable workbook that pyxform refuses (its headers)
        raise DefinitionError([_pyxform_located(error)]) from None
    except Exception:  # any other failure to read untrusted bytes is a bad file
        raise unreadable from None
    if not workbook.survey and not workbook.survey_header:
        raise DefinitionError([LocatedError(
            _("the workbook has no « survey » sheet: an XLSForm lists its questions there"),
            "survey")])
    headers = {str(h).strip().lower() for h in (workbook.survey_header or [{}])[0]}
    if not headers & {constants.TYPE, "command"}:
        raise DefinitionError([LocatedError(
            _("the « survey » sheet has no « type » column: is it the sheet of the questions, "
              "with the column names on its first row?"), "survey", 1)])

    validation_error, pyxform_warnings = _pyxform_validate(workbook)
    settings = _settings(workbook)
    default_language = settings.get("default_language") or constants.DEFAULT_LANGUAGE_VALUE
    reader = _Reader(default_language=default_language, lists={})
    try:
        survey_rows = _dealias(workbook, constants.SURVEY, default_language)
        choice_rows = _dealias(workbook, constants.CHOICES, default_language)
    except PyXFormError as error:
        raise DefinitionError([_pyxform_located(error)]) from None
    reader.lists = _read_choices(reader, choice_rows)
    _read_survey(reader, survey_rows)

    if validation_error is not None:
        located = _pyxform_located(validation_error)
        # pyxform stops at its first error: keep it unless it repeats one found here.
        already = {(e.sheet, e.row) for e in reader.errors}
        if not reader.errors or (located.row is not None
                                 and (located.sheet, located.row) not in already):
            reader.errors.append(located)
    if not reader.questions and not reader.errors:
        reader.error(_("the form has no question"), None)
    if reader.errors:
        raise DefinitionError(reader.errors)
    warnings = reader.warnings + [_pyxform_located(w) for w in pyxform_warnings
                                  if not LANGUAGE_WARNING_RE.match(w)]
    return WaveDefinition(questions=reader.questions, title=settings.get("form_title", ""),
                          warnings=warnings)


@transaction.atomic
def wave_create_from_xlsform(
    *,
    survey: Survey,
    label: str,
    file: bytes | str | Path | IO[bytes],
    filename: str,
    created_by: User,
    attributes: Iterable[str] = (),
    field_start=None,
    field_end=None,
) -> Wave:
    """A wave of `survey` asking the form's questions (see `services.wave_create`), the form
    kept on the wave. All or nothing: DefinitionError lists every problem, located."""
    data = _read_bytes(file, filename=filename)
    definition = read_xlsform(data, filename=filename)
    wave = wave_create(
        survey=survey, label=label, definition=definition, created_by=created_by,
        attributes=attributes, xlsform=File(io.BytesIO(data), name=Path(filename).name),
        field_start=field_start, field_end=field_end,
    )
    wave.xlsform_warnings = definition.warnings  # type: ignore[attr-defined]
    return wave


# -- reading ------------------------------------------------------------------------------


def _read_bytes(file: bytes | str | Path | IO[bytes], *, filename: str) -> bytes:
    too_big = DefinitionError([LocatedError(
        _("%(file)s is larger than %(size)s MB: an XLSForm is much smaller, is it the right "
          "file?") % {"file": filename, "size": MAX_BYTES // (1024 * 1024)})])
    if isinstance(file, bytes):
        data = file
    elif isinstance(file, str | Path):
        path = Path(file)
        try:
            if path.stat().st_size > MAX_BYTES:
                raise too_big
            data = path.read_bytes()
        except OSError as error:
            raise DefinitionError([LocatedError(
                _("%(file)s cannot be read: %(error)s")
                % {"file": filename, "error": error.strerror or error})]) from None
    else:
        if hasattr(file, "seek"):
            file.seek(0)
        data = file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise too_big
    return data


def _pyxform_validate(workbook: DefinitionData) -> tuple[PyXFormError | None, list[str]]:
    """pyxform's own conversion to an XForm (what ODK and Kobo would load), for its checks;
    on a copy, as it changes the rows it reads."""
    warnings: list[str] = []
    try:
        form = workbook_to_json(copy.deepcopy(workbook), warnings=warnings)
        create_survey_element_from_dict(form).to_xml(validate=False, warnings=warnings)
    except PyXFormError as error:
        return error, warnings
    except Exception as error:  # pyxform crashing on odd input: refuse it rather than guess
        return PyXFormError(str(error) or type(error).__name__), warnings
    return None, warnings


def _pyxform_located(error: PyXFormError | str) -> LocatedError:
    message = str(error).strip()
    row = None
    match = ROW_RE.match(message)
    if match:
        row = int(match.group(1))
        message = message[match.end():]
    sheet_match = SHEET_RE.search(message)
    if sheet_match:
        sheet = sheet_match.group(1) or sheet_match.group(2)
    else:
        sheet = "survey" if row is not None else ""
    return LocatedError(_("pyxform: %(message)s") % {"message": message}, sheet, row)


def _settings(workbook: DefinitionData) -> dict[str, str]:
    rows = workbook.settings or []
    if not rows:
        return {}
    return {str(k).strip().lower(): str(v).strip() for k, v in rows[0].items() if v is not None}


def _dealias(workbook: DefinitionData, sheet: str, default_language: str) -> list[dict]:
    """A sheet's rows as pyxform reads them: headers de-aliased, `label::lang` columns
    grouped into {lang: text}, each row with its spreadsheet row number in `__row`."""
    rows = getattr(workbook, sheet) or []
    header = getattr(workbook, f"{sheet}_header") or []
    if sheet == constants.SURVEY:
        result = dealias_and_group_headers(
            sheet_name=sheet, sheet_data=rows, sheet_header=header,
            header_aliases=aliases.survey_header,
            header_columns=set(MultipleChoiceQuestion.get_slot_names()),
            default_language=default_language, add_row_number=True,
        )
        # The type as written, for messages ("image", not its alias "photo").
        rows = [{**r, "__type": str(r.get(constants.TYPE) or "").strip()} for r in result.data]
        return list(dealias_types(dict_array=rows))
    result = dealias_and_group_headers(
        sheet_name=sheet, sheet_data=rows, sheet_header=header,
        header_aliases=aliases.list_header, header_columns=set(PyxformOption.get_slot_names()),
        default_language=default_language, add_row_number=True,
    )
    return list(result.data)


def _french(value: Any, default_language: str) -> tuple[str, str]:
    """The French text of a label or hint ({language: text} or text), and the language it
    came from when no French one exists ("" if French or untranslated)."""
    if value is None:
        return "", ""
    if not isinstance(value, dict):
        return str(value).strip(), ""
    texts = {str(k): str(v).strip() for k, v in value.items() if v is not None and str(v).strip()}
    for language, text in texts.items():
        if FRENCH_RE.search(language):
            return text, ""
    for language in (default_language, constants.DEFAULT_LANGUAGE_VALUE):
        if language in texts:
            return texts[language], ""
    for language, text in texts.items():
        return text, language
    return "", ""


def _read_choices(reader: _Reader, rows: list[dict]) -> dict[str, list[tuple[str, str, int]]]:
    lists: dict[str, list[tuple[str, str, int]]] = {}
    for row in rows:
        number = row["__row"]
        list_name = str(row.get(constants.LIST_NAME_S) or "").strip()
        code = str(row.get(constants.NAME) or "").strip()
        if not list_name and not code:
            continue  # an empty row, kept by pyxform so that row numbers stay right
        label, _language = _french(row.get(constants.LABEL), reader.default_language)
        lists.setdefault(list_name, []).append((code, label, number))
    return lists


def _options(reader: _Reader, list_name: str, row: int, *, multiple: bool
             ) -> tuple[tuple[str, str], ...]:
    options = []
    for code, label, number in reader.lists.get(list_name, []):
        if not code:
            continue  # pyxform reports a choice without a name
        if len(code) > CODE_MAX:
            reader.error(_("the option code « %(code)s » is longer than %(max)s characters")
                         % {"code": code, "max": CODE_MAX}, number, "choices", "name")
        if multiple and re.search(r"\s", code):
            reader.error(_("the option code « %(code)s » contains a space: the codes of a "
                           "select_multiple are separated by spaces in response files")
                         % {"code": code}, number, "choices", "name")
        if not label:
            reader.error(_("the option « %(code)s » of the list « %(list)s » has no label")
                         % {"code": code, "list": list_name}, number, "choices", "label")
        elif len(label) > OPTION_LABEL_MAX:
            reader.error(_("the label of the option « %(code)s » is longer than %(max)s "
                           "characters") % {"code": code, "max": OPTION_LABEL_MAX},
                         number, "choices", "label")
        options.append((code, label))
    if not options:
        reader.error(_("the list « %(list)s » has no option") % {"list": list_name}, row)
    return tuple(options)


@dataclass
class _Group:
    label: str
    repeat: bool


def _read_survey(reader: _Reader, rows: list[dict]) -> None:
    stack: list[_Group] = []
    seen: dict[str, int] = {}  # question code → its row
    for row in rows:
        number = row["__row"]
        kind = str(row.get(constants.TYPE) or "").strip()
        if not kind:
            if any(v for k, v in row.items() if k not in {"__row", "__type"}):
                reader.error(_("a row without a type"), number, column="type")
            continue
        if aliases.yes_no.get(str(row.get("disabled", "no")).strip(), False):
            continue
        begin = RE_BEGIN_CONTROL.search(kind)
        if begin:
            control = aliases.control[begin.group("type")]
            label = _french(row.get(constants.LABEL), reader.default_language)[0]
            label = label or str(row.get(constants.NAME) or "")
            if control != constants.GROUP:
                reader.error(_("repeats (« begin repeat ») are not supported: a respondent "
                               "answers each question once"), number, column="type")
            elif _bind(row, "relevant"):
                reader.warn(_("the group's « relevant » condition is not applied: its "
                              "questions are asked of every respondent"), number,
                            column="relevant")
            stack.append(_Group(label=label, repeat=control != constants.GROUP))
            continue
        if RE_END_CONTROL.search(kind):
            if stack:
                stack.pop()
            continue  # an unmatched end is pyxform's error, reported with its row
        if any(group.repeat for group in stack):
            continue  # the repeat itself is the error
        if kind in NOTE_TYPES or kind in METADATA_TYPES or kind in aliases.settings_header:
            continue
        if kind in COMPUTED_TYPES:
            reader.warn(_("« %(type)s » rows are not computed by the questionnaire: the row is "
                          "ignored") % {"type": row["__type"]}, number, column="type")
            continue
        spec = _question(reader, row, number, kind,
                         group=" — ".join(g.label for g in stack if g.label))
        if spec is None:
            continue
        if not CODE_RE.match(spec.code):
            reader.error(_("the name « %(code)s » cannot be a question code: use only "
                           "unaccented letters, digits, « _ » and « - »") % {"code": spec.code},
                         number, column="name")
        elif len(spec.code) > CODE_MAX:
            reader.error(_("the name « %(code)s » is longer than %(max)s characters")
                         % {"code": spec.code, "max": CODE_MAX}, number, column="name")
        if spec.code in seen:
            reader.error(_("the name « %(code)s » is already used at row %(row)s: question "
                           "codes are unique in a form, groups included")
                         % {"code": spec.code, "row": seen[spec.code]}, number, column="name")
        seen.setdefault(spec.code, number)
        reader.questions.append(spec)


def _bind(row: dict, key: str) -> str:
    bind = row.get("bind")
    value = bind.get(key) if isinstance(bind, dict) else None
    return str(value).strip() if value is not None else ""


def _question(reader: _Reader, row: dict, number: int, kind: str, *, group: str
              ) -> QuestionSpec | None:
    """The QuestionSpec of a question row, or None (reported) if it cannot be one."""
    code = str(row.get(constants.NAME) or "").strip()
    if not code:
        reader.error(_("a question without a name (its code)"), number, column="name")
        return None
    label, language = _french(row.get(constants.LABEL), reader.default_language)
    if not label:
        reader.error(_("the question « %(code)s » has no label") % {"code": code}, number,
                     column="label")
    elif language:
        reader.warn(_("no French label: the « %(language)s » one is used")
                    % {"language": language}, number, column="label")
    hint = _french(row.get(constants.HINT), reader.default_language)[0]
    if len(group) > GROUP_MAX:
        group = group[:GROUP_MAX - 1] + "…"
    options: tuple[tuple[str, str], ...] = ()
    minimum = maximum = None
    select = RE_SELECT.search(kind)
    if select:
        command = select.group("select_command")
        list_name = select.group("list_name")
        if command in aliases.select_from_file or command == "select_one_external" \
                or Path(list_name).suffix in constants.EXTERNAL_INSTANCE_EXTENSIONS:
            reader.error(_("options from a file or an external list are not supported: list "
                           "them in the « choices » sheet"), number, column="type")
            return None
        if aliases.select[command] == constants.RANK:
            reader.error(_("« rank » questions are not supported"), number, column="type")
            return None
        if select.group("specify_other"):
            reader.error(_("« or_other » is not supported: add an « other » option to the "
                           "list, and a text question if its details are wanted"),
                         number, column="type")
        if row.get(constants.CHOICE_FILTER):
            reader.error(_("« choice_filter » (cascading selects) is not supported: every "
                           "option would be shown"), number, column="choice_filter")
        if list_name not in reader.lists:
            reader.error(_("the list « %(list)s » is not in the « choices » sheet")
                         % {"list": list_name}, number, column="type")
            return None
        multiple = aliases.select[command] == constants.SELECT_ALL_THAT_APPLY
        options = _options(reader, list_name, number, multiple=multiple)
        appearance = row.get("control", {}).get("appearance", "") \
            if isinstance(row.get("control"), dict) else ""
        if multiple:
            question_kind = Question.Kind.MULTIPLE
        elif "likert" in str(appearance).split():
            question_kind = Question.Kind.SCALE
        else:
            question_kind = Question.Kind.SINGLE
    elif kind in CASCADING:
        reader.error(_("cascading selects are not supported"), number, column="type")
        return None
    elif kind == "range":
        question_kind = Question.Kind.SCALE
        options, minimum, maximum = _range(reader, row, number)
    elif kind in TEXT_TYPES:
        question_kind = Question.Kind.TEXT
    elif QUESTION_TYPE_DICT.get(kind, {}).get("bind", {}).get("type") in {"int", "decimal"}:
        question_kind = Question.Kind.NUMBER
        minimum, maximum = _bounds(reader, row, number, integer=QUESTION_TYPE_DICT[kind][
            "bind"]["type"] == "int")
    elif kind in QUESTION_TYPE_DICT:
        reader.error(_("the type « %(type)s » is not supported: supported are select_one, "
                       "select_multiple, integer, decimal, text and range")
                     % {"type": row["__type"]}, number, column="type")
        return None
    else:
        reader.error(_("unknown type « %(type)s »") % {"type": row["__type"]}, number,
                     column="type")
        return None

    if _bind(row, "relevant"):
        reader.warn(_("the « relevant » condition is not applied: the question is asked of "
                      "every respondent"), number, column="relevant")
    if _bind(row, "constraint") and question_kind != Question.Kind.NUMBER:
        reader.warn(_("the « constraint » is not checked by the questionnaire"), number,
                    column="constraint")
    required_value = _bind(row, "required")
    required = aliases.yes_no.get(required_value, None)
    if required_value and required is None:
        if required_value == "1":
            required = True
        else:
            reader.warn(_("a conditional « required » is not applied: the question is "
                          "optional"), number, column="required")
    return QuestionSpec(
        code=code, kind=question_kind, label=label, options=options, hint=hint,
        required=bool(required), group=group, minimum=minimum, maximum=maximum,
        sheet="survey", row=number,
    )


def _range(reader: _Reader, row: dict, number: int
           ) -> tuple[tuple[tuple[str, str], ...], float | None, float | None]:
    """A range's steps as options (codes "1", "2"… or "0.5"…), and its bounds. pyxform
    checks the parameters; a bad one here is left to its error."""
    raw = row.get(constants.PARAMETERS) or ""
    try:
        parameters = pyxform_parameters.parse(raw_parameters=str(raw), row_number=number)
    except PyXFormError:
        return (), None, None
    defaults = QUESTION_TYPE_DICT["range"][constants.PARAMETERS]
    try:
        start, end, step = (Decimal(str(parameters.get(k, defaults[k])))
                            for k in ("start", "end", "step"))
    except InvalidOperation:
        return (), None, None
    if step == 0 or not start.is_finite() or not end.is_finite() or (end - start) * step < 0:
        return (), None, None
    count = int((end - start) / step) + 1
    if count > RANGE_MAX_OPTIONS:
        reader.error(_("a range of %(count)s steps is too fine for a scale (at most %(max)s): "
                       "use an integer or decimal question") % {"count": count,
                                                                 "max": RANGE_MAX_OPTIONS},
                     number, column="parameters")
        return (), None, None
    codes = [format((start + i * step).normalize(), "f") for i in range(count)]
    return tuple((c, c) for c in codes), float(min(start, end)), float(max(start, end))


BOUND_RE = re.compile(r"^\.\s*(>=|<=|>|<)\s*(-?\d+(?:\.\d+)?)$")


def _bounds(reader: _Reader, row: dict, number: int, *, integer: bool
            ) -> tuple[float | None, float | None]:
    """Bounds of a number from a constraint made only of comparisons of `.` with numbers
    joined by `and` (`. >= 0 and . <= 100`); any other constraint is a warning."""
    constraint = _bind(row, "constraint")
    if not constraint:
        return None, None
    minimum = maximum = None
    for part in re.split(r"\s+and\s+", constraint.strip()):
        match = BOUND_RE.match(part.strip())
        if match is None:
            reader.warn(_("the « constraint » is not checked by the questionnaire (only "
                          "bounds such as « . >= 0 and . <= 100 » are)"), number,
                        column="constraint")
            return None, None
        operator, value = match.group(1), float(match.group(2))
        if operator in {">", "<"}:
            if not (integer and value.is_integer()):
                reader.warn(_("a strict bound of a decimal is not checked by the "
                              "questionnaire"), number, column="constraint")
                return None, None
            value += 1 if operator == ">" else -1
        if operator.startswith(">"):
            minimum = value if minimum is None else max(minimum, value)
        else:
            maximum = value if maximum is None else min(maximum, value)
    return minimum, maximum
