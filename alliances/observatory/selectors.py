"""Reads of the observatory for the results API, the dashboards and their downloads.

A results request costs one query (the wave, with its survey) when the wave's data set is
already cached in the process (`dataset.wave_data` compares the wave's data_version it just
read); the estimators do the rest in memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from . import analysis, charts, dataset
from .dataset import SINGLE_KINDS, QuestionDef, WaveData
from .models import ResponseBatch, Survey, Wave, WebResponse


def can_see_unpublished(user) -> bool:
    return bool(user.has_perm("observatory.view_unpublished"))


def wave_get(wave_id: int) -> Wave | None:
    """The wave and its survey (and territory) in one query."""
    return (
        Wave.objects.select_related("survey", "survey__region", "survey__departement")
        .filter(pk=wave_id)
        .first()
    )


def visible_wave(user, wave_id: int) -> Wave | None:
    """The wave if the user may see it; None otherwise (an unpublished wave is not found,
    so that its existence does not leak)."""
    wave = wave_get(wave_id)
    if wave is None or not user.has_perm("observatory.view_wave", wave):
        return None
    return wave


def visible_waves(user) -> QuerySet[Wave]:
    """Published waves, or every wave for analysts, with their survey, territory and
    respondent count (finished imports' rows plus submitted web responses), in one query."""
    waves = Wave.objects.select_related("survey", "survey__region", "survey__departement")
    if not can_see_unpublished(user):
        waves = waves.filter(status=Wave.Status.PUBLIEE)
    imported = (
        ResponseBatch.objects.filter(wave=OuterRef("pk"), status=ResponseBatch.Status.DONE)
        .exclude(data=None)
        .order_by()
        .values("wave")
        .annotate(total=Sum("rows_imported"))
        .values("total")
    )
    answered = (
        WebResponse.objects.filter(wave=OuterRef("pk"), status=WebResponse.Status.SUBMITTED)
        .order_by()
        .values("wave")
        .annotate(total=Count("pk"))
        .values("total")
    )
    return waves.annotate(
        respondents=Coalesce(Subquery(imported, output_field=IntegerField()), Value(0))
        + Coalesce(Subquery(answered, output_field=IntegerField()), Value(0))
    ).order_by("survey__title", "survey_id", "-created_at", "-id")


@dataclass(frozen=True)
class SurveyWaves:
    survey: Survey
    waves: list[Wave]


def waves_by_survey(waves: Iterable[Wave]) -> list[SurveyWaves]:
    grouped: dict[int, SurveyWaves] = {}
    for wave in waves:
        grouped.setdefault(wave.survey_id, SurveyWaves(wave.survey, [])).waves.append(wave)
    return list(grouped.values())


# -- a selection: question, breakdowns, filters -------------------------------------------


@dataclass(frozen=True)
class Selection:
    question: str
    by: list[str]
    filters: dict[str, list[str]]
    focus: str | None = None  # the option that orders a breakdown's bars


def split_values(values: Iterable[str]) -> list[str]:
    """`["region,taille_commune", "", "q4"]` → `["region", "taille_commune", "q4"]`."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def default_question(data: WaveData) -> str | None:
    """The first question with figures that is not a respondent attribute."""
    usable = [q for q in data.questions.values() if q.kind != "text"]
    for q in usable:
        if not q.is_attribute:
            return q.code
    return usable[0].code if usable else None


def selection_read(params: Mapping, data: WaveData, *, question: str | None = None) -> Selection:
    """The selection in a query string (`question`, `by` repeated or comma-separated,
    `filter` repeated as attr:opt1,opt2, `option`). Raises analysis.UnknownCode naming a
    code the wave does not have."""
    getlist = params.getlist if hasattr(params, "getlist") else (
        lambda name: [params[name]] if name in params else []
    )
    code = question or (params.get("question") or "").strip() or default_question(data)
    if code is None:
        raise analysis.UnknownCode("the wave has no question with figures")
    by = list(dict.fromkeys(split_values(getlist("by"))))
    filters = analysis.parse_filters([f for f in getlist("filter") if f.strip()])
    filters = {k: list(dict.fromkeys(v)) for k, v in filters.items()}
    focus = (params.get("option") or "").strip() or None
    q = data.questions.get(code)
    if q is not None and focus not in q.option_index:
        focus = q.options[0][0] if q.options else None
    return Selection(question=code, by=by, filters=filters, focus=focus)


# Results already computed, per process, keyed by the data set's version and the selection:
# a dashboard's visitors ask the same few questions, and one result on a million respondents
# costs some tens of ms of bincounts where a hit costs microseconds. A new import or raking
# changes the data set's stamp, so a stale result is never served; the results are small.
_RESULTS: OrderedDict[tuple, analysis.Results] = OrderedDict()
_RESULTS_SIZE = 512
_RESULTS_LOCK = threading.Lock()


def _results(data: WaveData, selection: Selection, min_n: int) -> analysis.Results:
    key = (
        data.wave_id, data.stamp, selection.question, tuple(selection.by),
        tuple((k, tuple(v)) for k, v in selection.filters.items()), min_n,
    )
    with _RESULTS_LOCK:
        found = _RESULTS.get(key)
        if found is not None:
            _RESULTS.move_to_end(key)
            return found
    results = analysis.question_results(
        data, selection.question, by=selection.by, filters=selection.filters, min_n=min_n
    )
    with _RESULTS_LOCK:
        _RESULTS[key] = results
        while len(_RESULTS) > _RESULTS_SIZE:
            _RESULTS.popitem(last=False)
    return results


def results_clear() -> None:
    with _RESULTS_LOCK:
        _RESULTS.clear()


def results_for(user, wave: Wave, data: WaveData, selection: Selection) -> analysis.Results:
    """The selection's results, small cells hidden unless the user may see them."""
    results = _results(data, selection, wave.min_n)
    if user.has_perm("observatory.view_small_cells", wave):
        return results
    return results.public()


# -- the dashboard's other reads ----------------------------------------------------------


def question_groups(wave: Wave, data: WaveData) -> list[tuple[str, list[QuestionDef]]]:
    """The wave's questions with figures, grouped by their XLSForm group, in order."""
    groups = dict(wave.questions.values_list("question__code", "group"))
    grouped: dict[str, list[QuestionDef]] = {}
    for q in data.questions.values():
        if q.kind != "text":
            grouped.setdefault(groups.get(q.code, ""), []).append(q)
    return list(grouped.items())


def breakdowns(data: WaveData) -> list[QuestionDef]:
    return [q for q in data.attributes if q.kind in SINGLE_KINDS]


def survey_visible(user, survey: Survey) -> bool:
    """Whether the user may see at least one of the survey's waves."""
    waves = Wave.objects.filter(survey=survey)
    if not can_see_unpublished(user):
        waves = waves.filter(status=Wave.Status.PUBLIEE)
    return waves.exists()


def survey_waves(user, survey_id: int, code: str) -> list[Wave]:
    """The survey's waves the user may see that ask `code`, oldest first."""
    waves = Wave.objects.filter(survey_id=survey_id, questions__question__code=code)
    if not can_see_unpublished(user):
        waves = waves.filter(status=Wave.Status.PUBLIEE)
    return list(waves.order_by("created_at", "id"))


def evolution_for(user, waves: list[Wave], selection: Selection) -> list[analysis.WavePoint]:
    """The question across `waves` with the selection's filters (a filter on an attribute a
    wave lacks is left out there), small cells hidden unless the user may see them."""
    points = [(w.pk, w.label, dataset.wave_data(w)) for w in waves]
    min_n = waves[0].min_n if waves else 30
    series = analysis.evolution(points, selection.question, filters=selection.filters,
                                min_n=min_n)
    if waves and user.has_perm("observatory.view_small_cells", waves[0]):
        return series
    return [
        analysis.WavePoint(p.wave_id, p.wave_label, p.results.public(), p.change)
        for p in series
    ]


def national_counterpart(wave: Wave, code: str) -> Wave | None:
    """For a local survey's wave: the latest published wave of a national survey of the
    same population that asks `code`."""
    if wave.survey.scope != Survey.Scope.NATIONAL:
        return (
            Wave.objects.select_related("survey")
            .filter(status=Wave.Status.PUBLIEE, survey__scope=Survey.Scope.NATIONAL,
                    survey__population=wave.survey.population,
                    questions__question__code=code)
            .order_by("-published_at", "-id")
            .first()
        )
    return None


def local_observatories(user, wave: Wave, code: str) -> list[Wave]:
    """For a national wave: each local survey of the same population asking `code`, by its
    latest wave the user may see."""
    if wave.survey.scope != Survey.Scope.NATIONAL:
        return []
    waves = (
        Wave.objects.select_related("survey", "survey__region", "survey__departement")
        .filter(survey__scope=Survey.Scope.LOCAL, survey__population=wave.survey.population)
        .filter(Q(questions__question__code=code))
        .order_by("survey__title", "survey_id", "-created_at", "-id")
    )
    if not can_see_unpublished(user):
        waves = waves.filter(status=Wave.Status.PUBLIEE)
    latest: dict[int, Wave] = {}
    for w in waves:
        latest.setdefault(w.survey_id, w)
    return list(latest.values())


# -- the dashboard ------------------------------------------------------------------------


@dataclass(frozen=True)
class TableRow:
    group: str
    option: str
    value: str  # the share in %, or the mean
    ci: str
    n: int
    weighted_n: str
    n_eff: str
    too_small: bool
    hidden: bool  # figures withheld (a public small cell)


def table_rows(results: analysis.Results) -> list[TableRow]:
    """The data table that stands beside every chart: one row per group × option."""
    number = results.question.kind == "number"
    fmt = charts.plain if number else charts.percent
    table = []
    for group in results.groups:
        label = charts.group_label(group)
        base = (group.n, charts.number(group.weighted_n, 1),
                charts.number(group.n_eff if group.n_eff == group.n_eff else 0.0, 1))
        items: list[tuple[str, float | None, float | None, float | None]]
        if number:
            m = group.mean
            items = [(_("Mean"), m.value if m else None, m.ci_low if m else None,
                      m.ci_high if m else None)]
        else:
            items = [(o.label, o.share, o.ci_low, o.ci_high) for o in group.options]
        for option, value, low, high in items:
            hidden = value is None and group.too_small
            ci = "–" if low is None or high is None else f"[{fmt(low)} ; {fmt(high)}]"
            table.append(TableRow(label, option, fmt(value), ci, *base, group.too_small,
                                  hidden))
    return table


@dataclass(frozen=True)
class ChangeRow:
    wave: str
    option: str
    value: str
    ci: str
    n: int
    change: str
    p_value: str
    significant: bool | None  # None: no test (first wave, hidden cell)


def evolution_rows(series: list[analysis.WavePoint]) -> list[ChangeRow]:
    table = []
    for point in series:
        group = point.results.groups[0]
        number = point.results.question.kind == "number"
        fmt = charts.plain if number else charts.percent
        if number:
            m = group.mean
            items = [("mean", _("Mean"), m.value if m else None, m.ci_low if m else None,
                      m.ci_high if m else None)]
        else:
            items = [(o.code, o.label, o.share, o.ci_low, o.ci_high) for o in group.options]
        for code, label, value, low, high in items:
            diff, p = (point.change or {}).get(code, (None, None))
            if diff is None:
                change = "–"
            elif number:
                change = _signed(diff, 2)
            else:
                change = _("%(points)s pts") % {"points": _signed(diff * 100, 1)}
            table.append(ChangeRow(
                point.wave_label, label, fmt(value),
                "–" if low is None or high is None else f"[{fmt(low)} ; {fmt(high)}]",
                group.n, change, "–" if p is None else charts.number(p, 3),
                None if p is None else p < 0.05,
            ))
    return table


def _signed(value: float, places: int) -> str:
    return ("+" if value > 0 else "") + charts.number(value, places)


def evolution_bars(series: list[analysis.WavePoint], focus: str | None) -> list[charts.Bar]:
    bars = []
    for point in series:
        group = point.results.groups[0]
        note = charts.small_note(point.results.min_n) if group.too_small else ""
        if group.mean is not None:
            m = group.mean
            bars.append(charts.Bar(point.wave_label, m.value, m.ci_low, m.ci_high, note))
            continue
        option = next((o for o in group.options if o.code == focus), None)
        if option is None:
            bars.append(charts.Bar(point.wave_label, None, note=_("not asked")))
        else:
            bars.append(charts.Bar(point.wave_label, option.share, option.ci_low,
                                   option.ci_high, note))
    return bars


def weighting_label(wave: Wave, data: WaveData) -> str:
    if data.weight_source == Wave.WeightSource.RAKED:
        efficiency = ((wave.rake_report or {}).get("after") or {}).get("efficiency")
        if efficiency is not None:
            return _("raked to population margins (efficiency %(efficiency)s)") % {
                "efficiency": charts.percent(efficiency)}
        return _("raked to population margins")
    if data.weight_source == Wave.WeightSource.IMPORTED:
        return _("weights as imported")
    return _("none (every respondent counts once)")


@dataclass
class Comparison:
    """A local wave's overall figures beside the national ones for the same question."""

    national: Wave
    rows: list[tuple[str, str, str]]  # option, local, national
    local_n: int
    national_n: int


def comparison_read(user, wave: Wave, data: WaveData, code: str) -> Comparison | None:
    national = national_counterpart(wave, code)
    if national is None:
        return None
    national_data = dataset.wave_data(national)
    here = results_for(user, wave, data, Selection(code, [], {}))
    there = results_for(user, national, national_data, Selection(code, [], {}))
    local_group, national_group = here.groups[0], there.groups[0]
    if here.question.kind == "number":
        fmt = charts.plain
        pairs = [(_("Mean"), local_group.mean and local_group.mean.value,
                  national_group.mean and national_group.mean.value)]
    else:
        fmt = charts.percent
        theirs = {o.code: o.share for o in national_group.options}
        pairs = [(o.label, o.share, theirs.get(o.code)) for o in local_group.options]
    return Comparison(
        national=national,
        rows=[(label, fmt(a), fmt(b)) for label, a, b in pairs],
        local_n=local_group.n,
        national_n=national_group.n,
    )


def by_labels(data: WaveData, selection: Selection) -> list[str]:
    return [data.questions[b].label for b in selection.by if b in data.questions]


def filters_text(filters: Mapping[str, list[str]], data: WaveData) -> str:
    parts = []
    for code, options in filters.items():
        q = data.questions.get(code)
        labels = dict(q.options) if q else {}
        name = q.label if q else code
        parts.append(f"{name} : {', '.join(labels.get(o, o) for o in options)}")
    return " ; ".join(parts)


def header_lines(wave: Wave, results: analysis.Results) -> list[tuple[str, str]]:
    """What an XLSX download says above its table."""
    data = dataset.wave_data(wave)
    by = [data.questions[b].label for b in results.by if b in data.questions]
    return [
        (_("Survey"), wave.survey.title),
        (_("Wave"), wave.label),
        (_("Question"), f"{results.question.code} — {results.question.label}"),
        (_("Breakdown"), ", ".join(by) or _("none")),
        (_("Filters"), filters_text(results.filters, data) or _("none")),
        (_("Weighting"), weighting_label(wave, data)),
        (_("Small cells"), _("n < %(min_n)s: flagged, figures hidden in public views")
         % {"min_n": wave.min_n}),
        (_("Status"), wave.get_status_display()),
    ]


def dashboard_read(user, wave: Wave, params) -> dict:
    """Everything the dashboard shows for the selection in `params`: the results and their
    chart and table, the evolution across the survey's waves, the national or local
    counterparts. An unknown code leaves the form and an `error` naming it."""
    data = dataset.wave_data(wave)
    context: dict = {
        "wave": wave,
        "survey": wave.survey,
        "data": data,
        "question_groups": question_groups(wave, data),
        "attributes": breakdowns(data),
        "weighting": weighting_label(wave, data),
        "analyst": bool(user.has_perm("observatory.view_small_cells", wave)),
        "error": None,
        "query": params.urlencode() if hasattr(params, "urlencode") else "",
    }
    try:
        selection = selection_read(params, data)
        results = results_for(user, wave, data, selection)
        overall = results if not selection.by else results_for(
            user, wave, data, Selection(selection.question, [], selection.filters))
    except analysis.UnknownCode as error:
        context["error"] = str(error)
        selection = Selection(params.get("question") or "", [], {})
        context.update(selection=selection, checked=set(), by=["", ""])
        return context
    question = data.questions[selection.question]
    by = [*selection.by, "", ""][:2]
    context.update(
        selection=selection,
        question=question,
        by=by,
        checked={f"{code}:{o}" for code, options in selection.filters.items() for o in options},
        results=results,
        overall=overall.groups[0],
        filters_text=filters_text(selection.filters, data),
        by_labels=by_labels(data, selection),
        chart=charts.results_chart(results, focus=selection.focus,
                                   by_labels=by_labels(data, selection)),
        table=table_rows(results),
        small_note=charts.small_note(wave.min_n),
    )
    waves = survey_waves(user, wave.survey_id, selection.question)
    if len(waves) > 1:
        series = evolution_for(user, waves, selection)
        context["evolution"] = evolution_rows(series)
        context["evolution_chart"] = charts.bar_chart(
            evolution_bars(series, selection.focus),
            title=_("%(question)s: evolution across the waves") % {"question": question.label},
            desc=_("One bar per wave, oldest first, with %(level)s confidence intervals. The "
                   "table below gives every figure and the tests of change.")
            % {"level": charts.LEVEL},
            shares=question.kind != "number",
        )
    context["comparison"] = comparison_read(user, wave, data, selection.question)
    context["locals"] = local_observatories(user, wave, selection.question)
    return context
