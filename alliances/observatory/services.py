"""Writes of the observatory: surveys, waves and their questions, raking, publication.

The XLSForm reader (`xlsform`), the response importer (`imports`) and the public
questionnaire (`collection`) call these; they never write the models by themselves.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import File
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.accounts.models import User
from alliances.core import audit
from alliances.core.models import AuditAction
from alliances.lib.stats.raking import weight_diagnostics

from . import dataset
from .models import Option, Question, Survey, Wave, WaveQuestion


class DefinitionError(ValueError):
    """A wave definition that cannot be used: `errors` lists each problem, located
    (`sheet`, `row` for an XLSForm; `row` is the spreadsheet's row number, or None)."""

    def __init__(self, errors: Sequence[LocatedError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class LocatedError:
    message: str
    sheet: str = ""
    row: int | None = None
    column: str = ""

    def __str__(self) -> str:
        where = [p for p in (self.sheet, _row(self.row), self.column and f"« {self.column} »") if p]
        return f"{', '.join(where)}: {self.message}" if where else self.message


def _row(row: int | None) -> str:
    return "" if row is None else _("row %(row)s") % {"row": row}


@dataclass(frozen=True)
class QuestionSpec:
    """A question as a definition (an XLSForm's `survey` row) gives it."""

    code: str
    kind: str  # Question.Kind value
    label: str
    options: tuple[tuple[str, str], ...] = ()  # (code, French label)
    hint: str = ""
    required: bool = False
    group: str = ""
    minimum: float | None = None
    maximum: float | None = None
    sheet: str = "survey"
    row: int | None = None  # where it was defined, for located errors


@dataclass
class WaveDefinition:
    questions: list[QuestionSpec]
    title: str = ""  # the XLSForm's settings form_title, if any
    warnings: list[LocatedError] = field(default_factory=list)


# -- surveys and waves -------------------------------------------------------------------


@transaction.atomic
def survey_create(
    *,
    slug: str,
    title: str,
    population: str,
    owner: User,
    scope: str = Survey.Scope.NATIONAL,
    region=None,
    departement=None,
    description: str = "",
) -> Survey:
    survey = Survey(
        slug=slug, title=title, population=population, owner=owner, scope=scope,
        region=region, departement=departement, description=description,
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def wave_create(
    *,
    survey: Survey,
    label: str,
    definition: WaveDefinition,
    created_by: User,
    attributes: Iterable[str] = (),
    xlsform: File | None = None,
    field_start=None,
    field_end=None,
) -> Wave:
    """A wave asking `definition`'s questions, each reconciled with the bank: a new code
    enters the bank; a known code must keep its kind, and new options are added to it.
    `attributes` names the respondent attributes (single-choice questions). Every problem is
    reported at once, located, and nothing is written."""
    attributes = list(dict.fromkeys(attributes))
    errors: list[LocatedError] = []
    specs = definition.questions
    codes = [s.code for s in specs]
    seen: set[str] = set()
    for spec in specs:
        if spec.code in seen:
            errors.append(LocatedError(_("the name « %(code)s » is used twice")
                                       % {"code": spec.code}, spec.sheet, spec.row))
        seen.add(spec.code)
        if spec.kind in {Question.Kind.SINGLE, Question.Kind.MULTIPLE, Question.Kind.SCALE} \
                and not spec.options:
            errors.append(LocatedError(_("« %(code)s » has no options") % {"code": spec.code},
                                       spec.sheet, spec.row))
    by_code = {s.code: s for s in specs}
    for name in attributes:
        attribute = by_code.get(name)
        if attribute is None:
            errors.append(LocatedError(_("attribute « %(code)s » is not a question of the form")
                                       % {"code": name}))
        elif attribute.kind not in {Question.Kind.SINGLE, Question.Kind.SCALE}:
            errors.append(LocatedError(
                _("attribute « %(code)s » must be a single-choice question (select_one)")
                % {"code": name}, attribute.sheet, attribute.row))
    bank = {q.code: q for q in Question.objects.filter(code__in=codes)}
    for spec in specs:
        known = bank.get(spec.code)
        if known is not None and known.kind != spec.kind:
            errors.append(LocatedError(
                _("« %(code)s » is already in the question bank as %(kind)s: a code keeps its "
                  "kind so that waves compare") % {"code": spec.code,
                                                   "kind": known.get_kind_display()},
                spec.sheet, spec.row))
    if not specs:
        errors.append(LocatedError(_("the form has no question"), "survey"))
    if Wave.objects.filter(survey=survey, label=label).exists():
        errors.append(LocatedError(_("the survey already has a wave « %(label)s »")
                                   % {"label": label}))
    if errors:
        raise DefinitionError(errors)

    wave = Wave(survey=survey, label=label, created_by=created_by,
                field_start=field_start, field_end=field_end)
    wave.full_clean(exclude=["xlsform"])
    wave.save()
    new = [Question(code=s.code, kind=s.kind, label=s.label) for s in specs
           if s.code not in bank]
    for question in Question.objects.bulk_create(new):
        bank[question.code] = question
    existing = set(
        Option.objects.filter(question__in=bank.values()).values_list("question_id", "code")
    )
    Option.objects.bulk_create([
        Option(question=bank[s.code], code=code, label=label)
        for s in specs for code, label in s.options
        if (bank[s.code].pk, code) not in existing
    ])
    WaveQuestion.objects.bulk_create([
        WaveQuestion(
            wave=wave, question=bank[s.code], position=i, label=s.label, hint=s.hint,
            required=s.required, option_codes=[code for code, _label in s.options],
            is_attribute=s.code in attributes, group=s.group, minimum=s.minimum,
            maximum=s.maximum,
        )
        for i, s in enumerate(specs, start=1)
    ])
    if xlsform is not None:
        # Last, so that no failed database write leaves the stored file behind.
        wave.xlsform.save(xlsform.name or "form.xlsx", xlsform, save=True)
    return wave


STATUS_FLOW = {
    Wave.Status.BROUILLON: {Wave.Status.COLLECTE, Wave.Status.CLOSE},
    Wave.Status.COLLECTE: {Wave.Status.CLOSE},
    Wave.Status.CLOSE: {Wave.Status.COLLECTE, Wave.Status.PUBLIEE},
    Wave.Status.PUBLIEE: {Wave.Status.CLOSE},
}


class WaveStateError(ValueError):
    pass


@transaction.atomic
def wave_set_status(*, wave: Wave, status: str, by: User) -> Wave:
    """Move a wave along brouillon → en collecte → close → publiée (and back from publiée
    to close to withdraw it). Publishing needs respondents."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if status == locked.status:
        return locked
    if status not in STATUS_FLOW[Wave.Status(locked.status)]:
        raise WaveStateError(
            _("A wave cannot go from « %(old)s » to « %(new)s ».")
            % {"old": locked.get_status_display(), "new": Wave.Status(status).label}
        )
    if status == Wave.Status.PUBLIEE:
        if dataset.wave_data(locked).n == 0:
            raise WaveStateError(_("A wave without respondents cannot be published."))
        locked.published_at = timezone.now()
    old = locked.status
    locked.status = status
    locked.save(update_fields=["status", "published_at"])
    if Wave.Status.PUBLIEE in (old, status):
        published = status == Wave.Status.PUBLIEE
        audit.record(AuditAction.WAVE_PUBLISHED if published else AuditAction.WAVE_WITHDRAWN,
                     target=locked, actor=by, changes={"status": [old, status]})
    return locked


@transaction.atomic
def wave_publish(*, wave: Wave, by: User) -> Wave:
    """Publish a wave: from brouillon or en collecte it is closed first (and stays as it
    was if the publication is refused)."""
    if wave.status in {Wave.Status.BROUILLON, Wave.Status.COLLECTE}:
        wave = wave_set_status(wave=wave, status=Wave.Status.CLOSE, by=by)
    return wave_set_status(wave=wave, status=Wave.Status.PUBLIEE, by=by)


def wave_data_changed(wave: Wave, *, strict: bool = True) -> None:
    """Bump the wave's data_version (inside the caller's transaction): every process's
    cached data set is then rebuilt on its next use. Raking margins are applied again.

    If the new data no longer fit the margins, `strict` (an analyst's import) raises
    DefinitionError so that the caller rolls back; otherwise (a respondent's answer, which
    must not be lost) the failure is kept in the raking report for the analyst to see, and
    the data set falls back on the imported weights until the wave is raked again."""
    Wave.objects.filter(pk=wave.pk).update(data_version=models.F("data_version") + 1)
    wave.refresh_from_db(fields=["data_version"])
    if not wave.margins:
        return
    try:
        wave_rake(wave=wave, margins=wave.margins)
    except DefinitionError as error:
        if strict:
            raise
        report = dict(wave.rake_report or {}, error=str(error), at=timezone.now().isoformat())
        Wave.objects.filter(pk=wave.pk).update(rake_report=report)
        wave.refresh_from_db(fields=["rake_report"])


# -- raking -------------------------------------------------------------------------------


def margins_read(text: str) -> dict[str, dict[str, float]]:
    """Margins from CSV text with the columns `variable,category,share` (`;` also read;
    shares may be percentages or proportions, each variable's summing to 100 or 1).
    Raises DefinitionError with the line of every bad row."""
    sample = text[:2048]
    delimiter = ";" if sample.count(";") > sample.count(",") else ","
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    fields = [f.strip().lower() for f in reader.fieldnames or []]
    missing = [c for c in ("variable", "category", "share") if c not in fields]
    if missing:
        raise DefinitionError([LocatedError(
            _("missing column(s): %(columns)s (expected variable, category, share)")
            % {"columns": ", ".join(missing)}, row=1)])
    margins: dict[str, dict[str, float]] = {}
    errors: list[LocatedError] = []
    for line, row in enumerate(reader, start=2):
        # Cells beyond the header (csv's None key, a list) are ignored.
        row = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
        variable, category, share = row["variable"], row["category"], row["share"]
        try:
            value = float(share.replace(",", "."))
        except ValueError:
            errors.append(LocatedError(_("« %(value)s » is not a number") % {"value": share},
                                       row=line, column="share"))
            continue
        if not variable or not category:
            errors.append(LocatedError(_("variable and category are required"), row=line))
        elif value < 0:
            errors.append(LocatedError(_("a share cannot be negative"), row=line,
                                       column="share"))
        elif category in margins.get(variable, {}):
            errors.append(LocatedError(_("« %(variable)s = %(category)s » is given twice")
                                       % {"variable": variable, "category": category},
                                       row=line))
        else:
            margins.setdefault(variable, {})[category] = value
    for variable, shares in margins.items():
        total = sum(shares.values())
        if abs(total - 100) < 0.5:
            margins[variable] = {k: v / 100 for k, v in shares.items()}
        elif abs(total - 1) > 0.005:
            errors.append(LocatedError(
                _("the shares of « %(variable)s » sum to %(total)s, not 1 or 100")
                % {"variable": variable, "total": f"{total:g}"}))
    if not margins and not errors:
        errors.append(LocatedError(_("the file has no margins")))
    if errors:
        raise DefinitionError(errors)
    return margins


@transaction.atomic
def wave_rake(*, wave: Wave, margins: dict[str, dict[str, float]]) -> dict[str, Any]:
    """Rake the wave's weights to `margins` and keep them (and the report) on the wave.
    Raises DefinitionError if the margins do not fit the wave's answers."""
    locked = Wave.objects.select_for_update().get(pk=wave.pk)
    if locked.status == Wave.Status.PUBLIEE:
        raise WaveStateError(_("A published wave cannot be weighted again: withdraw it first."))
    locked.margins = None  # build on the imported weights, the base of the raking
    data = dataset.build_wave_data(locked)
    if data.n == 0:
        raise WaveStateError(_("The wave has no respondents to weight."))
    base = data.weights
    try:
        result = dataset.rake_columns(data.questions, data.columns, margins, base)
    except dataset.MarginError as error:
        raise DefinitionError([LocatedError(str(error))]) from error
    before = weight_diagnostics(base)
    after = weight_diagnostics(result.weights)
    report = {
        "iterations": result.iterations,
        "converged": result.converged,
        "max_margin_error": result.max_margin_error,
        "tolerance": result.tolerance,
        "max_iterations": result.max_iterations,
        "before": _diagnostics(before),
        "after": _diagnostics(after),
        "at": timezone.now().isoformat(),
    }
    Wave.objects.filter(pk=locked.pk).update(
        margins=margins, rake_report=report, data_version=models.F("data_version") + 1
    )
    wave.refresh_from_db(fields=["margins", "rake_report", "data_version"])
    return report


def _diagnostics(d) -> dict[str, float]:
    return {
        "n": d.n, "min": d.min, "max": d.max, "mean": d.mean, "kish_n_eff": d.kish_n_eff,
        "efficiency": d.efficiency, "ratio": d.ratio,
    }


@transaction.atomic
def wave_unrake(*, wave: Wave) -> None:
    """Back to the imported weights."""
    if Wave.objects.select_for_update().get(pk=wave.pk).status == Wave.Status.PUBLIEE:
        raise WaveStateError(_("A published wave cannot be weighted again: withdraw it first."))
    Wave.objects.filter(pk=wave.pk).update(
        margins=None, rake_report=None, data_version=models.F("data_version") + 1
    )
    wave.refresh_from_db(fields=["margins", "rake_report", "data_version"])
