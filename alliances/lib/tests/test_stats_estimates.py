"""Weighted shares, domain estimates and their standard errors, against R's `survey` package.

The reference data set `reference/estimates_data.csv` was written by `write_reference_data`
below; `reference/estimates.R` reads it and writes `reference/estimates_reference.json` with
`svymean` and `svyby` results. To regenerate both (R with `r-cran-survey` and `jsonlite`):

    .venv/bin/python -m alliances.lib.tests.test_stats_estimates
    Rscript alliances/lib/tests/reference/estimates.R alliances/lib/tests/reference
"""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliances.lib.stats.estimates import (
    Z_95,
    Estimate,
    by_groups,
    cross_groups,
    difference,
    multiple_choice,
    single_choice,
)

REFERENCE = Path(__file__).parent / "reference"
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
TAILLES = ["moins_1000", "1000_3500", "3500_10000", "plus_10000"]
ACTEURS = ["association", "entreprise", "collectivite", "citoyen"]
K_SINGLE = 5
K_MULTI = 8


def write_reference_data(path: Path, rows: int = 500, seed: int = 20261126) -> None:
    """The fixed data set: 13 regions, 4 size bands, 4 actor types, a 5-option single choice
    `q1` (codes 0..4, empty when not answered) and an 8-option multiple choice as 0/1 columns
    `q2_1`..`q2_8` (all empty when not answered), lognormal weights `w`."""
    rng = np.random.default_rng(seed)
    region = rng.choice(13, size=rows, p=np.linspace(2, 0.5, 13) / np.linspace(2, 0.5, 13).sum())
    taille = rng.choice(4, size=rows, p=[0.4, 0.3, 0.2, 0.1])
    acteur = rng.choice(4, size=rows)
    probs = np.array(
        [
            [0.35, 0.25, 0.2, 0.15, 0.05],
            [0.2, 0.3, 0.25, 0.15, 0.1],
            [0.1, 0.2, 0.3, 0.25, 0.15],
            [0.05, 0.15, 0.3, 0.3, 0.2],
        ]
    )
    q1 = np.array([rng.choice(K_SINGLE, p=probs[t]) for t in taille])
    q1_missing = rng.random(rows) < 0.1
    p_multi = np.array([0.6, 0.45, 0.3, 0.25, 0.15, 0.1, 0.05, 0.5])
    q2 = rng.random((rows, K_MULTI)) < (p_multi + 0.05 * taille[:, None])
    q2_missing = rng.random(rows) < 0.15
    w = rng.lognormal(0.0, 0.5, size=rows)
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        header = ["id", "region", "taille", "acteur", "q1"]
        writer.writerow(header + [f"q2_{j + 1}" for j in range(K_MULTI)] + ["w"])
        for i in range(rows):
            single = "" if q1_missing[i] else str(q1[i])
            multi = ["" if q2_missing[i] else str(int(v)) for v in q2[i]]
            writer.writerow(
                [i + 1, REGIONS[region[i]], TAILLES[taille[i]], ACTEURS[acteur[i]], single]
                + multi
                + [repr(float(w[i]))]
            )


class Data:
    """The reference CSV as arrays of codes."""

    def __init__(self, path: Path) -> None:
        with path.open(newline="") as f:
            rows = list(csv.DictReader(f))
        self.region = np.array([REGIONS.index(r["region"]) for r in rows])
        self.taille = np.array([TAILLES.index(r["taille"]) for r in rows])
        self.q1 = np.array([int(r["q1"]) if r["q1"] else -1 for r in rows])
        self.answered = np.array([r["q2_1"] != "" for r in rows])
        self.q2 = np.array(
            [[r[f"q2_{j + 1}"] == "1" for j in range(K_MULTI)] for r in rows], dtype=bool
        )
        self.w = np.array([float(r["w"]) for r in rows])


@pytest.fixture(scope="module")
def data() -> Data:
    return Data(REFERENCE / "estimates_data.csv")


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REFERENCE / "estimates_reference.json").read_text())


def assert_matches(est: Estimate, group: int, ref: dict) -> None:
    """Shares to 1e-12 absolute, SEs to 1e-9 relative."""
    np.testing.assert_allclose(est.share[group], ref["mean"], rtol=0, atol=1e-12)
    np.testing.assert_allclose(est.se[group], ref["se"], rtol=1e-9, atol=1e-15)
    assert est.n[group] == ref["n"]


def check_by(est: Estimate, table: list[dict], key) -> None:
    seen = set()
    for row in table:
        group = key(row)
        seen.add(group)
        assert_matches(est, group, row)
    # svyby leaves out groups with nobody in the domain; they are empty here.
    for group in set(range(est.n.shape[0])) - seen:
        assert est.n[group] == 0 and np.isnan(est.share[group]).all()


def region_key(row: dict) -> int:
    return REGIONS.index(row["region"])


def test_single_choice_matches_svymean(data, reference):
    est = single_choice(data.q1, data.w, K_SINGLE)
    ref = reference["single"]["overall"]
    assert_matches(est, 0, ref)
    np.testing.assert_allclose(est.ci_low[0], ref["ci_low"], rtol=1e-9)
    np.testing.assert_allclose(est.ci_high[0], ref["ci_high"], rtol=1e-9)


def test_single_choice_by_region_matches_svyby(data, reference):
    est = by_groups(data.q1, data.w, K_SINGLE, data.region, len(REGIONS))
    check_by(est, reference["single"]["by_region"], region_key)


def test_single_choice_by_region_and_size_matches_svyby(data, reference):
    crossed, n_crossed = cross_groups(data.region, len(REGIONS), data.taille, len(TAILLES))
    est = by_groups(data.q1, data.w, K_SINGLE, crossed, n_crossed)
    check_by(
        est,
        reference["single"]["by_region_taille"],
        lambda row: REGIONS.index(row["region"]) * len(TAILLES) + TAILLES.index(row["taille"]),
    )


def test_single_choice_filtered_by_region_matches_svyby_on_subset(data, reference):
    small = data.taille == TAILLES.index("moins_1000")
    est = by_groups(data.q1, data.w, K_SINGLE, data.region, len(REGIONS), domain=small)
    check_by(est, reference["single"]["by_region_moins_1000"], region_key)


def test_single_choice_filtered_matches_svymean_on_subset(data, reference):
    small = data.taille == TAILLES.index("moins_1000")
    est = single_choice(data.q1, data.w, K_SINGLE, domain=small)
    assert_matches(est, 0, reference["single"]["overall_moins_1000"])


def test_multiple_choice_matches_svymean(data, reference):
    est = multiple_choice(data.q2, data.answered, data.w)
    assert_matches(est, 0, reference["multiple"]["overall"])
    assert est.share[0].sum() > 1  # shares of a multiple choice may add up above 100%


def test_multiple_choice_by_region_matches_svyby(data, reference):
    est = multiple_choice(data.q2, data.answered, data.w, groups=data.region, n_groups=len(REGIONS))
    check_by(est, reference["multiple"]["by_region"], region_key)


def test_multiple_choice_filtered_by_region_matches_svyby_on_subset(data, reference):
    small = data.taille == TAILLES.index("moins_1000")
    est = multiple_choice(
        data.q2,
        data.answered,
        data.w,
        groups=data.region,
        n_groups=len(REGIONS),
        domain=small,
    )
    check_by(est, reference["multiple"]["by_region_moins_1000"], region_key)


def test_domain_se_uses_the_full_sample_not_naive_subsetting(data):
    """Dropping the rows outside a domain changes its SE: R pads the scores to n."""
    small = data.taille == TAILLES.index("moins_1000")
    on_full = single_choice(data.q1, data.w, K_SINGLE, domain=small)
    naive = single_choice(data.q1[small], data.w[small], K_SINGLE)
    np.testing.assert_allclose(on_full.share, naive.share, rtol=1e-12)
    n, n_d = len(data.w), int(small.sum())
    ratio = math.sqrt((n / (n - 1)) / (n_d / (n_d - 1)))
    np.testing.assert_allclose(on_full.se, naive.se * ratio, rtol=1e-9)


def test_hand_computed_example():
    """Three answers, weights 1, 1, 2 (and one not answered): p = (2/4, 2/4)."""
    est = single_choice([0, 1, 1, -1], [1.0, 1.0, 2.0, 5.0], 2)
    np.testing.assert_allclose(est.share[0], [0.25, 0.75])
    # z = w (y - p) / W for option 0: (0.75, -0.25, -0.5) / 4, then 0 for the fourth.
    sum_z2 = (0.75**2 + 0.25**2 + 0.5**2) / 16
    se = math.sqrt(4 / 3 * sum_z2)
    np.testing.assert_allclose(est.se[0], [se, se])
    assert est.n[0] == 3 and est.weighted_n[0] == 4.0
    np.testing.assert_allclose(est.n_eff[0], 16 / 6)
    np.testing.assert_allclose(est.ci_low[0], est.share[0] - Z_95 * se)
    assert est.chosen_n[0].tolist() == [1, 2]


def test_empty_groups_and_ungrouped_rows():
    est = by_groups([0, 1, 0], [1.0, 1.0, 1.0], 2, [0, -1, 0], 2)
    assert est.n.tolist() == [2, 0]
    assert est.share[0].tolist() == [1.0, 0.0]
    assert np.isnan(est.share[1]).all() and np.isnan(est.se[1]).all()
    assert est.too_small().tolist() == [True, True]
    assert est.too_small(min_n=2).tolist() == [False, True]


def test_multiple_choice_over_eight_options_packs_several_bytes():
    rng = np.random.default_rng(1)
    chosen = rng.random((200, 19)) < 0.3
    answered = rng.random(200) < 0.9
    w = rng.lognormal(size=200)
    groups = rng.integers(0, 3, size=200)
    est = multiple_choice(chosen, answered, w, groups=groups, n_groups=3)
    for j in range(19):  # each option as its own single choice: chose (1) or not (0)
        codes = np.where(answered, chosen[:, j].astype(int), -1)
        one = by_groups(codes, w, 2, groups, 3)
        np.testing.assert_allclose(est.share[:, j], one.share[:, 1], rtol=1e-12)
        np.testing.assert_allclose(est.se[:, j], one.se[:, 1], rtol=1e-9)
        assert (est.chosen_n[:, j] == one.chosen_n[:, 1]).all()
    assert (est.n == one.n).all()


def test_precomputed_squares_and_small_integer_codes_give_the_same_results(data):
    small = data.taille == TAILLES.index("moins_1000")
    plain = by_groups(data.q1, data.w, K_SINGLE, data.region, len(REGIONS), domain=small)
    fast = by_groups(
        data.q1.astype(np.int8),
        data.w,
        K_SINGLE,
        data.region.astype(np.int8),
        len(REGIONS),
        domain=small,
        weights_squared=data.w**2,
    )
    np.testing.assert_array_equal(fast.share, plain.share)
    np.testing.assert_array_equal(fast.se, plain.se)
    multi = multiple_choice(data.q2, data.answered, data.w, weights_squared=data.w**2)
    np.testing.assert_array_equal(multi.se, multiple_choice(data.q2, data.answered, data.w).se)


def test_the_callers_arrays_are_left_alone(data):
    answered = data.answered.copy()
    codes = data.q1.copy()
    small = data.taille == 0
    multiple_choice(data.q2, answered, data.w, domain=small)
    by_groups(codes, data.w, K_SINGLE, data.region, len(REGIONS), domain=small)
    assert (answered == data.answered).all() and (codes == data.q1).all()


def test_codes_out_of_range_are_refused():
    with pytest.raises(ValueError, match="codes must lie in -1..1"):
        single_choice([0, 2], [1.0, 1.0], 2)
    with pytest.raises(ValueError, match="groups must lie in -1..0"):
        by_groups([0, 1], [1.0, 1.0], 2, [0, 1], 1)
    with pytest.raises(ValueError, match="expected 2 weights"):
        single_choice([0, 1], [1.0], 2)
    with pytest.raises(ValueError, match="must be integers"):
        single_choice([0.5, 1.0], [1.0, 1.0], 2)


def test_difference_between_independent_waves():
    a = single_choice([0, 0, 1, 1, 1, 0, 1, 0], np.ones(8), 2)
    b = single_choice([1, 1, 1, 1, 1, 0, 1, 0], np.ones(8), 2)
    d = difference(a, b)
    np.testing.assert_allclose(d.diff[0], b.share[0] - a.share[0])
    np.testing.assert_allclose(d.se[0], np.hypot(a.se[0], b.se[0]))
    z = d.diff[0, 1] / d.se[0, 1]
    np.testing.assert_allclose(d.z[0, 1], z)
    np.testing.assert_allclose(d.p_value[0, 1], math.erfc(abs(z) / math.sqrt(2)))
    # The textbook value: z = 1.96 has a two-sided p-value of 0.05.
    c = difference(
        Estimate(np.zeros((1, 1)), np.full((1, 1), 0.6), *_one()),
        Estimate(np.full((1, 1), Z_95), np.full((1, 1), 0.8), *_one()),
    )
    np.testing.assert_allclose(c.p_value, 0.05, rtol=1e-12)


def _one():
    return (
        np.array([100]),
        np.array([100.0]),
        np.array([100.0]),
        np.array([[100]]),
    )


# Property tests: random questions with random weights.

answers = st.integers(min_value=2, max_value=400).flatmap(
    lambda n: st.tuples(
        st.lists(st.integers(-1, 4), min_size=n, max_size=n),
        st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n),
        st.lists(st.integers(0, 2), min_size=n, max_size=n),
    )
)


@given(answers)
@settings(max_examples=150, deadline=None)
def test_shares_sum_to_one_and_se_is_not_negative(sample):
    codes, w, groups = (np.array(x) for x in sample)
    est = by_groups(codes, w, 5, groups, 3)
    has_base = est.n > 0
    np.testing.assert_allclose(est.share[has_base].sum(axis=1), 1.0, rtol=1e-12)
    assert (est.se[has_base] >= 0).all()
    assert (est.share[has_base] >= 0).all() and (est.share[has_base] <= 1 + 1e-12).all()
    assert est.n.sum() == (codes >= 0).sum()
    assert (est.n_eff[has_base] <= est.n[has_base] + 1e-9).all()


@given(answers, st.floats(1e-3, 1e3))
@settings(max_examples=150, deadline=None)
def test_invariant_to_the_scale_of_the_weights(sample, c):
    codes, w, groups = (np.array(x) for x in sample)
    est = by_groups(codes, w, 5, groups, 3)
    scaled = by_groups(codes, w * c, 5, groups, 3)
    np.testing.assert_allclose(scaled.share, est.share, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(scaled.se, est.se, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(scaled.n_eff, est.n_eff, rtol=1e-9)
    np.testing.assert_allclose(scaled.weighted_n, est.weighted_n * c, rtol=1e-9)


@given(answers)
@settings(max_examples=100, deadline=None)
def test_domain_equals_the_group_of_a_breakdown(sample):
    """A filter `g == 1` and group 1 of the breakdown by g are the same domain estimate."""
    codes, w, groups = (np.array(x) for x in sample)
    by = by_groups(codes, w, 5, groups, 3)
    filtered = single_choice(codes, w, 5, domain=groups == 1)
    np.testing.assert_allclose(filtered.share[0], by.share[1], rtol=1e-12)
    np.testing.assert_allclose(filtered.se[0], by.se[1], rtol=1e-9, atol=1e-15)


@given(answers)
@settings(max_examples=100, deadline=None)
def test_se_matches_the_linearised_scores_computed_directly(sample):
    """The closed form equals n/(n-1) Σ (z_i - z̄)² with zeros outside the base."""
    codes, w, _ = (np.array(x) for x in sample)
    est = single_choice(codes, w, 5)
    inside = codes >= 0
    if not inside.any():
        return
    total = w[inside].sum()
    n = len(w)
    for j in range(5):
        y = (codes == j).astype(float)
        p = (w * y)[inside].sum() / total
        z = np.where(inside, w * (y - p) / total, 0.0)
        var = n / (n - 1) * ((z - z.mean()) ** 2).sum()
        np.testing.assert_allclose(est.se[0, j], math.sqrt(var), rtol=1e-9, atol=1e-15)


if __name__ == "__main__":
    write_reference_data(REFERENCE / "estimates_data.csv")
