"""The observatory's results as open data, under /api/v1/observatory.

- `GET /waves`: the waves one may see; `GET /waves/{id}`: a wave's questions;
- `GET /waves/{id}/questions/{code}/results?by=region&filter=taille_commune:moins_1000`:
  weighted shares (or the mean of a number question) with their standard errors and 95%
  confidence intervals, the unweighted n, the weighted base and Kish's effective n, for the
  whole base (one group whose key is `{}`) or by one or two breakdowns (`by` repeated or
  comma-separated); filters (`filter` repeated, `attribute:option[,option…]`) are domains of
  the full sample;
- `GET /surveys/{slug}/questions/{code}/evolution`: the question across the survey's waves,
  each option's change since the previous wave and the p-value of its test.

Published waves are public, and their small cells (unweighted n under the wave's minimum,
30 by default) come with `too_small: true` and no figures. Analysts and admins also see
unpublished waves and small cells' figures (still flagged). An unpublished wave is a 404
to anyone else, so that its existence does not leak. An unknown question, breakdown, filter
or option code is a 400 whose message names it.
"""

from __future__ import annotations

import datetime

from django.http import HttpRequest
from django.utils import translation
from ninja import Field, Query, Router, Schema, Status

from . import analysis, dataset, selectors
from .models import Survey, Wave

router = Router(tags=["observatory"])


class MessageOut(Schema):
    message: str


class TerritoryOut(Schema):
    kind: str = Field(description="region or departement")
    code: str = Field(description="INSEE code")
    name: str


class SurveyOut(Schema):
    slug: str
    title: str
    population: Survey.Population
    scope: Survey.Scope
    territory: TerritoryOut | None = Field(description="a local survey's territory")


class WaveOut(Schema):
    id: int
    survey: SurveyOut
    label: str
    status: Wave.Status
    field_start: datetime.date | None
    field_end: datetime.date | None
    published_at: datetime.datetime | None
    respondents: int
    min_n: int = Field(description="cells with fewer respondents are hidden in public")
    url: str = Field(description="the wave's dashboard")


class OptionDef(Schema):
    code: str
    label: str


class QuestionOut(Schema):
    code: str = Field(description="the question's code in the bank, shared by every wave")
    kind: str
    label: str
    group: str
    is_attribute: bool = Field(description="a respondent attribute: usable in by and filter")
    options: list[OptionDef]


class WaveDetailOut(WaveOut):
    questions: list[QuestionOut]


class OptionOut(Schema):
    code: str
    label: str
    share: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None


class MeanOut(Schema):
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None


class GroupOut(Schema):
    key: dict[str, str] = Field(description="{breakdown code: option code}; {} for all")
    key_labels: dict[str, str]
    n: int = Field(description="unweighted respondents in the question's base")
    weighted_n: float
    n_eff: float = Field(description="Kish's effective sample size")
    too_small: bool = Field(description="n under min_n: figures hidden in public")
    options: list[OptionOut]
    mean: MeanOut | None = Field(description="number questions: the weighted mean")


class ResultsOut(Schema):
    question: str
    label: str
    kind: str
    wave: int
    by: list[str]
    filters: dict[str, list[str]]
    weight_source: Wave.WeightSource
    min_n: int
    groups: list[GroupOut]


class ResultsParams(Schema):
    by: list[str] = Field([], description="one or two breakdowns (single-choice questions)")
    filter: list[str] = Field([], description="attribute:option[,option…], repeatable")


class EvolutionParams(Schema):
    filter: list[str] = Field([], description="attribute:option[,option…], repeatable")


class ChangeOptionOut(OptionOut):
    change: float | None = Field(description="share minus the previous wave's share")
    p_value: float | None = Field(description="two-sided test of that change")


class ChangeMeanOut(MeanOut):
    change: float | None
    p_value: float | None


class EvolutionPointOut(Schema):
    wave: int
    label: str
    n: int
    weighted_n: float
    n_eff: float
    too_small: bool
    options: list[ChangeOptionOut]
    mean: ChangeMeanOut | None


class EvolutionOut(Schema):
    question: str
    survey: str
    filters: dict[str, list[str]]
    waves: list[EvolutionPointOut]


def _territory(survey: Survey) -> dict | None:
    if survey.departement_id:
        return {"kind": "departement", "code": survey.departement.code,
                "name": survey.departement.name}
    if survey.region_id:
        return {"kind": "region", "code": survey.region.code, "name": survey.region.name}
    return None


def _wave(request: HttpRequest, wave: Wave, respondents: int) -> dict:
    survey = wave.survey
    return {
        "id": wave.pk,
        "survey": {"slug": survey.slug, "title": survey.title, "population": survey.population,
                   "scope": survey.scope, "territory": _territory(survey)},
        "label": wave.label,
        "status": wave.status,
        "field_start": wave.field_start,
        "field_end": wave.field_end,
        "published_at": wave.published_at,
        "respondents": respondents,
        "min_n": wave.min_n,
        "url": request.build_absolute_uri(wave.get_absolute_url()),
    }


@router.get("/waves", response=list[WaveOut])
def waves_list(request: HttpRequest) -> list[dict]:
    """The published waves (every wave for analysts), by survey, newest first."""
    return [_wave(request, w, w.respondents) for w in selectors.visible_waves(request.user)]


@router.get("/waves/{int:wave_id}", response={200: WaveDetailOut, 404: MessageOut})
def wave_detail(request: HttpRequest, wave_id: int):
    """A wave and its questions, with their codes, kinds and options."""
    wave = selectors.visible_waves(request.user).filter(pk=wave_id).first()
    if wave is None:
        return Status(404, {"message": "No such wave."})
    groups = dict(wave.questions.values_list("question__code", "group"))
    questions = [
        {"code": q.code, "kind": q.kind, "label": q.label, "group": groups.get(q.code, ""),
         "is_attribute": q.is_attribute,
         "options": [{"code": c, "label": label} for c, label in q.options]}
        for q in dataset.wave_questions(wave).values()
    ]
    return {**_wave(request, wave, wave.respondents), "questions": questions}


def _group(group: analysis.GroupResult) -> dict:
    return {
        "key": group.key,
        "key_labels": group.key_labels,
        "n": group.n,
        "weighted_n": _finite(group.weighted_n),
        "n_eff": _finite(group.n_eff),
        "too_small": group.too_small,
        "options": [
            {"code": o.code, "label": o.label, "share": o.share, "se": o.se,
             "ci_low": o.ci_low, "ci_high": o.ci_high}
            for o in group.options
        ],
        "mean": None if group.mean is None else vars(group.mean).copy(),
    }


def _finite(value: float) -> float:
    # An empty group's effective n is 0/0; JSON has no NaN.
    return value if value == value else 0.0


def results_dict(wave: Wave, results: analysis.Results) -> dict:
    return {
        "question": results.question.code,
        "label": results.question.label,
        "kind": results.question.kind,
        "wave": wave.pk,
        "by": results.by,
        "filters": results.filters,
        "weight_source": results.weight_source,
        "min_n": results.min_n,
        "groups": [_group(g) for g in results.groups],
    }


@router.get(
    "/waves/{int:wave_id}/questions/{code}/results",
    response={200: ResultsOut, 400: MessageOut, 404: MessageOut},
)
def question_results(request: HttpRequest, wave_id: int, code: str,
                     params: Query[ResultsParams]):
    """A question's weighted results, overall or by one or two breakdowns, filtered."""
    wave = selectors.visible_wave(request.user, wave_id)
    if wave is None:
        return Status(404, {"message": "No such wave."})
    data = dataset.wave_data(wave)
    try:
        with translation.override("en"):  # the API speaks English, as the others do
            selection = selectors.selection_read(request.GET, data, question=code)
            results = selectors.results_for(request.user, wave, data, selection)
    except analysis.UnknownCode as error:
        return Status(400, {"message": str(error)})
    return results_dict(wave, results)


@router.get(
    "/surveys/{slug}/questions/{code}/evolution",
    response={200: EvolutionOut, 400: MessageOut, 404: MessageOut},
)
def question_evolution(request: HttpRequest, slug: str, code: str,
                       params: Query[EvolutionParams]):
    """The question's overall results in each wave of the survey that asks it (published
    ones; all for analysts), oldest first, with each option's change since the previous wave
    and the p-value of the two-sided test of that change (independent samples)."""
    survey = Survey.objects.filter(slug=slug).first()
    if survey is None:
        return Status(404, {"message": "No such survey."})
    if not selectors.survey_visible(request.user, survey):
        return Status(404, {"message": "No such survey."})
    waves = selectors.survey_waves(request.user, survey.pk, code)
    if not waves:
        return Status(400, {"message": f"no wave of the survey asks « {code} »"})
    try:
        with translation.override("en"):
            filters = analysis.parse_filters([f for f in request.GET.getlist("filter") if f])
            series = selectors.evolution_for(
                request.user, waves, selectors.Selection(code, [], filters)
            )
    except analysis.UnknownCode as error:
        return Status(400, {"message": str(error)})
    points = []
    for point in series:
        group = point.results.groups[0]
        change = point.change or {}
        body = _group(group)
        for option in body["options"]:
            option["change"], option["p_value"] = change.get(option["code"], (None, None))
        if body["mean"] is not None:
            body["mean"]["change"], body["mean"]["p_value"] = change.get("mean", (None, None))
        del body["key"], body["key_labels"]
        points.append({"wave": point.wave_id, "label": point.wave_label, **body})
    return {"question": code, "survey": survey.slug, "filters": filters, "waves": points}
