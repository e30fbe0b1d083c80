"""Properties of the analysis engine, on wave data sets generated in memory.

`analysis.question_results` is what the API, the dashboards and the exports read; these
properties hold for any answers and weights hypothesis makes up: a single choice's shares sum
to 1 in each group, SEs are not negative, each CI contains its share, nothing moves when every
weight is multiplied by the same constant, a filter is the same domain as a breakdown's group,
and a multiple choice's shares lie in [0, 1].
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliances.observatory import analysis
from alliances.observatory.dataset import Columns, QuestionDef, WaveData

REGIONS = (("11", "Île-de-France"), ("53", "Bretagne"), ("84", "Auvergne-Rhône-Alpes"))
SIZES = (("moins_1000", "Moins de 1 000 habitants"), ("1000_plus", "1 000 habitants et plus"))
DYNAMIQUE = (("oui_tout", "Oui, tout à fait"), ("oui_plutot", "Oui, plutôt"),
             ("non_plutot", "Non, plutôt pas"), ("non_pas", "Non, pas du tout"))
PARTNERS = (("asso", "Des associations"), ("entreprises", "Des entreprises"),
            ("ecoles", "Des établissements scolaires"), ("etat", "Les services de l'État"),
            ("fondations", "Des fondations"))

QUESTIONS = {
    q.code: q
    for q in (
        QuestionDef("region", "single", "Région", REGIONS, is_attribute=True),
        QuestionDef("taille_commune", "single", "Taille de la commune", SIZES,
                    is_attribute=True),
        QuestionDef("q4", "single", "Dynamique de co-construction", DYNAMIQUE),
        QuestionDef("q5", "scale", "Note de 1 à 5", tuple((str(i), str(i)) for i in range(1, 6))),
        QuestionDef("q14", "multiple", "Partenaires", PARTNERS),
        QuestionDef("q20", "number", "Nombre de partenariats"),
    )
}


def wave_data(columns: Columns, weights: np.ndarray) -> WaveData:
    return WaveData(
        wave_id=1, version=1, questions=QUESTIONS, columns=columns,
        weights=weights, weights_squared=weights * weights, weight_source="importees",
    )


@st.composite
def waves(draw, min_size: int = 2, max_size: int = 250) -> WaveData:
    """A data set of n respondents: attributes and answers, some not answered (-1, NaN, or
    outside a multiple choice's base), positive weights spanning four orders of magnitude."""
    n = draw(st.integers(min_size, max_size))
    seed = draw(st.integers(0, 2**32 - 1))
    # A few shapes hypothesis can shrink toward: how often each question goes unanswered.
    missing = draw(st.sampled_from([0.0, 0.1, 0.5, 0.95]))
    rng = np.random.default_rng(seed)

    def single(k: int) -> np.ndarray:
        codes = rng.integers(0, k, size=n).astype(np.int16)
        codes[rng.random(n) < missing] = -1
        return codes

    chosen = rng.random((n, len(PARTNERS))) < rng.uniform(0, 1, size=len(PARTNERS))
    answered = rng.random(n) >= missing
    numbers = np.round(rng.lognormal(1.0, 1.0, size=n), 1)
    numbers[rng.random(n) < missing] = np.nan
    columns = Columns(
        n=n,
        single={"region": single(len(REGIONS)), "taille_commune": single(len(SIZES)),
                "q4": single(len(DYNAMIQUE)), "q5": single(5)},
        multiple={"q14": (chosen, answered)},
        numbers={"q20": numbers},
    )
    weights = np.exp(rng.uniform(np.log(0.05), np.log(500.0), size=n))
    return wave_data(columns, weights)


BREAKDOWNS = st.sampled_from([(), ("region",), ("taille_commune",), ("region", "taille_commune")])
OPTION_QUESTIONS = st.sampled_from(["q4", "q5", "q14"])


def shares(group: analysis.GroupResult) -> list[float | None]:
    return [o.share for o in group.options]


@given(waves(), BREAKDOWNS, st.sampled_from(["q4", "q5"]))
@settings(max_examples=120, deadline=None)
def test_single_choice_shares_of_a_group_sum_to_one(data, by, code):
    results = analysis.question_results(data, code, by=by)
    assert len(results.groups) == math.prod(len(QUESTIONS[b].options) for b in by)
    for group in results.groups:
        if group.n == 0:
            assert all(s is None for s in shares(group))
            continue
        assert math.fsum(shares(group)) == pytest.approx(1.0, abs=1e-12)
        assert sum(o.n for o in group.options) == group.n


@given(waves(), BREAKDOWNS, OPTION_QUESTIONS)
@settings(max_examples=120, deadline=None)
def test_se_is_not_negative_and_the_ci_contains_the_share(data, by, code):
    for group in analysis.question_results(data, code, by=by).groups:
        for option in group.options:
            if group.n == 0:
                assert option.share is option.se is option.ci_low is None
                continue
            assert option.se >= 0
            assert option.ci_low <= option.share <= option.ci_high
            assert option.ci_high - option.ci_low == pytest.approx(2 * 1.959963984540054
                                                                   * option.se, abs=1e-12)
        assert 0 <= group.n_eff <= group.n * (1 + 1e-12)


@given(waves(), BREAKDOWNS)
@settings(max_examples=120, deadline=None)
def test_a_mean_lies_within_its_base_and_its_ci_contains_it(data, by):
    results = analysis.question_results(data, "q20", by=by)
    values = data.columns.numbers["q20"]
    for group in results.groups:
        if group.n == 0:
            assert group.mean.value is None
            continue
        inside = ~np.isnan(values)
        for b in by:
            inside &= data.columns.single[b] == QUESTIONS[b].option_index[group.key[b]]
        assert values[inside].min() - 1e-9 <= group.mean.value <= values[inside].max() + 1e-9
        assert group.mean.se >= 0
        assert group.mean.ci_low <= group.mean.value <= group.mean.ci_high


@given(waves(), BREAKDOWNS, OPTION_QUESTIONS, st.floats(1e-3, 1e3))
@settings(max_examples=120, deadline=None)
def test_invariant_to_the_scale_of_the_weights(data, by, code, c):
    scaled_data = wave_data(data.columns, data.weights * c)
    plain = analysis.question_results(data, code, by=by)
    scaled = analysis.question_results(scaled_data, code, by=by)
    for a, b in zip(plain.groups, scaled.groups, strict=True):
        assert (a.key, a.n, a.too_small) == (b.key, b.n, b.too_small)
        assert b.weighted_n == pytest.approx(a.weighted_n * c, rel=1e-9)
        assert b.n_eff == pytest.approx(a.n_eff, rel=1e-9)
        for oa, ob in zip(a.options, b.options, strict=True):
            if oa.share is None:
                assert ob.share is None
                continue
            assert ob.share == pytest.approx(oa.share, rel=1e-9, abs=1e-12)
            assert ob.se == pytest.approx(oa.se, rel=1e-7, abs=1e-12)


@given(waves(), OPTION_QUESTIONS, st.sampled_from(REGIONS), st.sampled_from(SIZES))
@settings(max_examples=120, deadline=None)
def test_a_filter_gives_the_same_figures_as_the_group_of_a_breakdown(data, code, region, size):
    """Filters are domains of the full sample, like breakdowns: `filter=region:r` is group r
    of `by=region`, and `by=region&filter=taille:t` is groups (r, t) of `by=region,taille`."""
    region_code, size_code = region[0], size[0]
    filtered = analysis.question_results(data, code, filters={"region": [region_code]})
    by_region = analysis.question_results(data, code, by=["region"])
    [group] = [g for g in by_region.groups if g.key == {"region": region_code}]
    assert_same_figures(filtered.groups[0], group)

    crossed = analysis.question_results(data, code, by=["region", "taille_commune"])
    within = analysis.question_results(data, code, by=["region"],
                                       filters={"taille_commune": [size_code]})
    for group in within.groups:
        [twin] = [g for g in crossed.groups
                  if g.key == {**group.key, "taille_commune": size_code}]
        assert_same_figures(group, twin)


@given(waves(), st.sampled_from(REGIONS))
@settings(max_examples=80, deadline=None)
def test_a_filter_on_several_options_is_their_union(data, region):
    """`filter=region:a,b` is the domain "region is a or b": the same as filtering on the
    complement of the third region's code when everyone has a region."""
    others = [code for code, _ in REGIONS if code != region[0]]
    columns = data.columns
    everyone = Columns(n=columns.n, single={**columns.single,
                                            "region": np.abs(columns.single["region"])},
                       multiple=columns.multiple, numbers=columns.numbers)
    full = wave_data(everyone, data.weights)
    union = analysis.question_results(full, "q4", filters={"region": others})
    # The same domain, spelt through the estimators' other door: a breakdown by an attribute
    # that is 1 inside it and 0 outside.
    inside = np.isin(everyone.single["region"],
                     [QUESTIONS["region"].option_index[o] for o in others])
    flag = QuestionDef("dans", "single", "Dans le domaine", (("non", "Non"), ("oui", "Oui")),
                       is_attribute=True)
    flagged = WaveData(
        wave_id=1, version=1, questions={**QUESTIONS, "dans": flag},
        columns=Columns(n=columns.n, single={**everyone.single, "dans": inside.astype(np.int16)},
                        multiple=columns.multiple, numbers=columns.numbers),
        weights=data.weights, weights_squared=data.weights_squared, weight_source="importees",
    )
    by_flag = analysis.question_results(flagged, "q4", by=["dans"])
    assert_same_figures(union.groups[0], by_flag.groups[1])


@given(waves(), BREAKDOWNS)
@settings(max_examples=120, deadline=None)
def test_multiple_choice_shares_lie_between_zero_and_one(data, by):
    results = analysis.question_results(data, "q14", by=by)
    chosen, answered = data.columns.multiple["q14"]
    assert sum(g.n for g in results.groups) <= int(answered.sum())
    for group in results.groups:
        for option in group.options:
            if group.n == 0:
                assert option.share is None
                continue
            # A share of everybody may land one rounding step above 1: the option's weight
            # and the base's are summed in different orders.
            assert 0.0 <= option.share <= 1.0 + 1e-12
            assert 0 <= option.n <= group.n
            # An option nobody chose, or everybody chose, is known exactly.
            if option.n in (0, group.n):
                assert option.se == pytest.approx(0.0, abs=1e-12)


@given(waves(), BREAKDOWNS, OPTION_QUESTIONS, st.integers(0, 60))
@settings(max_examples=80, deadline=None)
def test_public_results_hide_exactly_the_small_cells(data, by, code, min_n):
    results = analysis.question_results(data, code, by=by, min_n=min_n)
    public = results.public()
    for group, shown in zip(results.groups, public.groups, strict=True):
        assert group.too_small == (group.n < min_n)
        if group.too_small:
            assert all(o.share is None and o.se is None for o in shown.options)
            assert [o.n for o in shown.options] == [o.n for o in group.options]
        else:
            assert shown == group


def test_one_respondent_has_shares_but_no_standard_error():
    """n / (n - 1) is undefined for one respondent (R's svydesign refuses a single PSU):
    the share is given, its SE and CI are not (None, as the API shows them)."""
    columns = Columns(n=1, single={"region": np.array([0], dtype=np.int16),
                                   "taille_commune": np.array([1], dtype=np.int16),
                                   "q4": np.array([2], dtype=np.int16),
                                   "q5": np.array([-1], dtype=np.int16)},
                      multiple={"q14": (np.ones((1, 5), dtype=bool), np.array([True]))},
                      numbers={"q20": np.array([4.5])})
    data = wave_data(columns, np.array([3.0]))
    [group] = analysis.question_results(data, "q4").groups
    assert shares(group) == [0.0, 0.0, 1.0, 0.0]
    assert all(o.se is None and o.ci_low is None for o in group.options)
    assert analysis.question_results(data, "q5").groups[0].n == 0
    mean = analysis.question_results(data, "q20").groups[0].mean
    assert mean.value == 4.5 and mean.se is None


def assert_same_figures(a: analysis.GroupResult, b: analysis.GroupResult) -> None:
    assert a.n == b.n
    assert a.weighted_n == pytest.approx(b.weighted_n, rel=1e-12)
    for oa, ob in zip(a.options, b.options, strict=True):
        assert oa.n == ob.n
        if oa.share is None:
            assert ob.share is None
            continue
        assert oa.share == pytest.approx(ob.share, rel=1e-12, abs=1e-15)
        assert oa.se == pytest.approx(ob.se, rel=1e-9, abs=1e-15)
