"""Results of a wave's question: the engine behind the API, the dashboards and the exports.

Framework-light: it reads a `WaveData` (see `dataset`) and returns plain dataclasses; the
statistics are `alliances.lib.stats`. Breakdowns (`by`, one or two single-choice questions,
usually respondent attributes) and filters are domains of the full sample, as R's `svyby` on
`subset(design, …)`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product

import numpy as np
from django.utils.translation import gettext as _

from alliances.lib.stats import estimates

from .dataset import SINGLE_KINDS, QuestionDef, WaveData

MAX_BY = 2


class UnknownCode(ValueError):
    """A question, breakdown, filter or option code the wave does not have."""


@dataclass(frozen=True)
class OptionResult:
    code: str
    label: str
    share: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None
    n: int  # unweighted respondents who chose it


@dataclass(frozen=True)
class MeanResult:
    value: float | None
    se: float | None
    ci_low: float | None
    ci_high: float | None


@dataclass(frozen=True)
class GroupResult:
    key: dict[str, str]  # {breakdown code: option code}; {} for the whole base
    key_labels: dict[str, str]
    n: int
    weighted_n: float
    n_eff: float
    too_small: bool
    options: list[OptionResult] = field(default_factory=list)
    mean: MeanResult | None = None

    def hidden(self) -> GroupResult:
        """The group as public views show a small cell: its n, no figures."""
        return GroupResult(
            key=self.key,
            key_labels=self.key_labels,
            n=self.n,
            weighted_n=self.weighted_n,
            n_eff=self.n_eff,
            too_small=True,
            options=[
                OptionResult(o.code, o.label, None, None, None, None, o.n) for o in self.options
            ],
            mean=None if self.mean is None else MeanResult(None, None, None, None),
        )


@dataclass(frozen=True)
class Results:
    question: QuestionDef
    by: list[str]
    filters: dict[str, list[str]]
    groups: list[GroupResult]
    weight_source: str
    min_n: int

    def public(self) -> Results:
        """Small cells hidden, as every public view shows them."""
        return Results(
            question=self.question,
            by=self.by,
            filters=self.filters,
            groups=[g.hidden() if g.too_small else g for g in self.groups],
            weight_source=self.weight_source,
            min_n=self.min_n,
        )


def parse_filters(values: Sequence[str]) -> dict[str, list[str]]:
    """`["taille_commune:moins_1000", "region:11,84"]` → {"taille_commune": [...], ...}."""
    filters: dict[str, list[str]] = {}
    for value in values:
        code, sep, options = value.partition(":")
        if not sep or not code or not options:
            raise UnknownCode(
                _("filter « %(value)s » should read question:option[,option…]")
                % {"value": value}
            )
        filters.setdefault(code.strip(), []).extend(
            o.strip() for o in options.split(",") if o.strip()
        )
    return filters


def question_results(
    data: WaveData,
    code: str,
    *,
    by: Sequence[str] = (),
    filters: Mapping[str, Sequence[str]] | None = None,
    min_n: int = estimates.MIN_N,
) -> Results:
    question = data.questions.get(code)
    if question is None:
        raise UnknownCode(_("the wave has no question « %(code)s »") % {"code": code})
    if question.kind == "text":
        raise UnknownCode(
            _("« %(code)s » is a free-text question: it has no figures") % {"code": code}
        )
    by = list(dict.fromkeys(by))
    if len(by) > MAX_BY:
        raise UnknownCode(
            _("at most %(max)s breakdowns, got %(count)s") % {"max": MAX_BY, "count": len(by)}
        )
    breakdowns = [_breakdown(data, b, _("breakdown")) for b in by]
    filters = {k: list(v) for k, v in (filters or {}).items()}
    domain = _domain(data, filters)
    groups, n_groups = _groups(data, breakdowns)
    weights, squares = data.weights, data.weights_squared
    columns = data.columns

    if question.kind in SINGLE_KINDS:
        estimate = estimates.by_groups(
            columns.single[code], weights, len(question.options), groups, n_groups,
            domain=domain, weights_squared=squares,
        )
    elif question.kind == "multiple":
        chosen, answered = columns.multiple[code]
        estimate = estimates.multiple_choice(
            chosen, answered, weights, groups=groups, n_groups=n_groups,
            domain=domain, weights_squared=squares,
        )
    else:
        mean = estimates.mean_by_groups(
            columns.numbers[code], weights, groups, n_groups,
            domain=domain, weights_squared=squares,
        )
        return Results(
            question=question, by=by, filters=filters,
            groups=[
                _group(breakdowns, g, mean.n[g], mean.weighted_n[g], mean.n_eff[g], min_n,
                       mean=MeanResult(*map(_float, (mean.mean[g], mean.se[g],
                                                     mean.ci_low[g], mean.ci_high[g]))))
                for g in range(n_groups)
            ],
            weight_source=data.weight_source, min_n=min_n,
        )
    low, high = estimate.ci_low, estimate.ci_high
    result_groups = []
    for g in range(n_groups):
        options = [
            OptionResult(
                code=option_code,
                label=label,
                share=_float(estimate.share[g, i]),
                se=_float(estimate.se[g, i]),
                ci_low=_float(low[g, i]),
                ci_high=_float(high[g, i]),
                n=int(estimate.chosen_n[g, i]),
            )
            for i, (option_code, label) in enumerate(question.options)
        ]
        result_groups.append(
            _group(breakdowns, g, estimate.n[g], estimate.weighted_n[g], estimate.n_eff[g],
                   min_n, options=options)
        )
    return Results(
        question=question, by=by, filters=filters, groups=result_groups,
        weight_source=data.weight_source, min_n=min_n,
    )


@dataclass(frozen=True)
class WavePoint:
    wave_id: int
    wave_label: str
    results: Results
    # Against the previous point, per option code: (difference, p-value); None for the first.
    change: dict[str, tuple[float | None, float | None]] | None


def evolution(
    points: Sequence[tuple[int, str, WaveData]],
    code: str,
    *,
    filters: Mapping[str, Sequence[str]] | None = None,
    min_n: int = estimates.MIN_N,
) -> list[WavePoint]:
    """The question's overall results in each wave (oldest first) that asks it, and each
    option's change since the previous wave with the two-sided test of the difference
    (independent samples). Options absent from a wave compare as absent."""
    series: list[WavePoint] = []
    previous: Results | None = None
    for wave_id, label, data in points:
        if code not in data.questions:
            continue
        usable = {k: v for k, v in (filters or {}).items() if k in data.questions}
        results = question_results(data, code, filters=usable, min_n=min_n)
        change = None if previous is None else _changes(previous, results)
        series.append(WavePoint(wave_id, label, results, change))
        previous = results
    return series


def _changes(a: Results, b: Results) -> dict[str, tuple[float | None, float | None]]:
    ga, gb = a.groups[0], b.groups[0]
    if ga.mean is not None and gb.mean is not None:
        pairs = {"mean": (ga.mean.value, ga.mean.se, gb.mean.value, gb.mean.se)}
    else:
        before = {o.code: o for o in ga.options}
        pairs = {
            o.code: (before[o.code].share, before[o.code].se, o.share, o.se)
            for o in gb.options
            if o.code in before
        }
    changes: dict[str, tuple[float | None, float | None]] = {}
    for key, (share_a, se_a, share_b, se_b) in pairs.items():
        if None in (share_a, se_a, share_b, se_b) or ga.too_small or gb.too_small:
            changes[key] = (None, None)
            continue
        left = estimates.Estimate(
            share=np.array([[share_a]]), se=np.array([[se_a]]), n=np.array([ga.n]),
            weighted_n=np.array([ga.weighted_n]), n_eff=np.array([ga.n_eff]),
            chosen_n=np.array([[0]]),
        )
        right = estimates.Estimate(
            share=np.array([[share_b]]), se=np.array([[se_b]]), n=np.array([gb.n]),
            weighted_n=np.array([gb.weighted_n]), n_eff=np.array([gb.n_eff]),
            chosen_n=np.array([[0]]),
        )
        d = estimates.difference(left, right)
        changes[key] = (_float(d.diff[0, 0]), _float(d.p_value[0, 0]))
    return changes


def _breakdown(data: WaveData, code: str, what: str) -> QuestionDef:
    q = data.questions.get(code)
    if q is None:
        raise UnknownCode(
            _("%(what)s « %(code)s »: the wave has no such question") % {"what": what, "code": code}
        )
    if q.kind not in SINGLE_KINDS:
        raise UnknownCode(
            _("%(what)s « %(code)s »: only single-choice questions split respondents")
            % {"what": what, "code": code}
        )
    return q


def _domain(data: WaveData, filters: Mapping[str, Sequence[str]]) -> np.ndarray | None:
    domain = None
    for code, option_codes in filters.items():
        q = _breakdown(data, code, _("filter"))
        index = q.option_index
        unknown = [o for o in option_codes if o not in index]
        if unknown:
            raise UnknownCode(
                _("filter « %(code)s » has no option « %(option)s »")
                % {"code": code, "option": unknown[0]}
            )
        codes = data.columns.single[code]
        chosen = sorted({index[o] for o in option_codes})
        if len(chosen) <= 4:  # a few comparisons beat a gather over a million rows
            inside = codes == chosen[0]
            for option in chosen[1:]:
                inside |= codes == option
        else:
            wanted = np.zeros(len(q.options) + 1, dtype=np.bool_)
            wanted[[i + 1 for i in chosen]] = True
            inside = wanted[codes + np.int16(1)]
        domain = inside if domain is None else domain & inside
    return domain


def _groups(data: WaveData, breakdowns: list[QuestionDef]) -> tuple[np.ndarray, int]:
    if not breakdowns:
        return np.zeros(data.n, dtype=np.int8), 1
    first = breakdowns[0]
    groups, n_groups = data.columns.single[first.code], len(first.options)
    if len(breakdowns) == 2:
        second = breakdowns[1]
        groups, n_groups = estimates.cross_groups(
            groups, n_groups, data.columns.single[second.code], len(second.options)
        )
    return groups, n_groups


def _group(breakdowns, g, n, weighted_n, n_eff, min_n, *, options=(), mean=None) -> GroupResult:
    key: dict[str, str] = {}
    key_labels: dict[str, str] = {}
    if breakdowns:
        combos = list(product(*(b.options for b in breakdowns)))
        for b, (option_code, label) in zip(breakdowns, combos[g], strict=True):
            key[b.code] = option_code
            key_labels[b.code] = label
    return GroupResult(
        key=key,
        key_labels=key_labels,
        n=int(n),
        weighted_n=float(weighted_n),
        n_eff=float(n_eff),
        too_small=bool(n < min_n),
        options=list(options),
        mean=mean,
    )


def _float(value) -> float | None:
    value = float(value)
    return None if math.isnan(value) else value
