"""Weighted means of a number, domain estimates and their standard errors, against R's
`survey` package.

The respondents are those of `reference/estimates_data.csv` (regions, size bands, weights);
`reference/means_data.csv`, written by `write_reference_data` below, adds a number `x` to each
of them (empty when not answered, and never answered in région 94, so that a group has
nobody). `reference/means.R` reads both and writes `reference/means_reference.json` with
`svymean` and `svyby` results. To regenerate (R with `r-cran-survey` and `jsonlite`):

    .venv/bin/python -m alliances.lib.tests.test_stats_means
    Rscript alliances/lib/tests/reference/means.R alliances/lib/tests/reference
"""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliances.lib.stats.estimates import Z_95, MeanEstimate, cross_groups, mean_by_groups

REFERENCE = Path(__file__).parent / "reference"
REGIONS = ["11", "24", "27", "28", "32", "44", "52", "53", "75", "76", "84", "93", "94"]
TAILLES = ["moins_1000", "1000_3500", "3500_10000", "plus_10000"]
SILENT_REGION = "94"  # nobody there answered x: an empty group in every breakdown by region


def write_reference_data(path: Path, seed: int = 20261127) -> None:
    """`x` for each respondent of estimates_data.csv: a skewed amount (thousands of euros,
    one decimal) growing with the commune's size band, empty for 12% of the respondents and
    for everyone in région 94."""
    with (REFERENCE / "estimates_data.csv").open(newline="") as f:
        respondents = list(csv.DictReader(f))
    rng = np.random.default_rng(seed)
    rows = len(respondents)
    taille = np.array([TAILLES.index(r["taille"]) for r in respondents])
    x = np.round(rng.lognormal(1.5 + 0.6 * taille, 0.9), 1)
    missing = rng.random(rows) < 0.12
    with path.open("w", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(["id", "x"])
        for i, respondent in enumerate(respondents):
            silent = missing[i] or respondent["region"] == SILENT_REGION
            writer.writerow([respondent["id"], "" if silent else repr(float(x[i]))])


class Data:
    """The reference CSVs as arrays: x is NaN where not answered."""

    def __init__(self) -> None:
        with (REFERENCE / "estimates_data.csv").open(newline="") as f:
            rows = list(csv.DictReader(f))
        with (REFERENCE / "means_data.csv").open(newline="") as f:
            numbers = {r["id"]: r["x"] for r in csv.DictReader(f)}
        self.region = np.array([REGIONS.index(r["region"]) for r in rows])
        self.taille = np.array([TAILLES.index(r["taille"]) for r in rows])
        self.w = np.array([float(r["w"]) for r in rows])
        self.x = np.array([float(numbers[r["id"]]) if numbers[r["id"]] else math.nan
                           for r in rows])


@pytest.fixture(scope="module")
def data() -> Data:
    return Data()


@pytest.fixture(scope="module")
def reference() -> dict:
    return json.loads((REFERENCE / "means_reference.json").read_text())


def assert_matches(est: MeanEstimate, group: int, ref: dict) -> None:
    """Means and SEs to 1e-9 relative, the unweighted n exactly."""
    np.testing.assert_allclose(est.mean[group], ref["mean"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(est.se[group], ref["se"], rtol=1e-9, atol=0)
    assert est.n[group] == ref["n"]


def check_by(est: MeanEstimate, table: list[dict], key) -> set[int]:
    """Each of R's groups matches; returns the groups R left out (nobody in them)."""
    seen = set()
    for row in table:
        group = key(row)
        seen.add(group)
        assert_matches(est, group, row)
    # svyby leaves out groups with nobody in the domain; here they are empty, not zero.
    missing = set(range(est.n.shape[0])) - seen
    for group in missing:
        assert est.n[group] == 0
        assert np.isnan(est.mean[group]) and np.isnan(est.se[group])
        assert est.weighted_n[group] == 0 and est.n_eff[group] == 0
    return missing


def region_key(row: dict) -> int:
    return REGIONS.index(row["region"])


def test_the_reference_was_computed_on_this_data(data, reference):
    assert reference["sample_size"] == len(data.w)
    assert reference["overall"]["n"] == int((~np.isnan(data.x)).sum())


def test_mean_matches_svymean(data, reference):
    est = mean_by_groups(data.x, data.w)
    ref = reference["overall"]
    assert_matches(est, 0, ref)
    np.testing.assert_allclose(est.ci_low[0], ref["ci_low"], rtol=1e-9)
    np.testing.assert_allclose(est.ci_high[0], ref["ci_high"], rtol=1e-9)
    answered = ~np.isnan(data.x)
    np.testing.assert_allclose(est.weighted_n[0], data.w[answered].sum(), rtol=1e-12)


def test_mean_in_a_domain_matches_svymean_on_subset(data, reference):
    small = data.taille == TAILLES.index("moins_1000")
    est = mean_by_groups(data.x, data.w, domain=small)
    ref = reference["overall_moins_1000"]
    assert_matches(est, 0, ref)
    np.testing.assert_allclose(est.ci_low[0], ref["ci_low"], rtol=1e-9)
    np.testing.assert_allclose(est.ci_high[0], ref["ci_high"], rtol=1e-9)


def test_mean_by_region_matches_svyby_with_an_empty_group(data, reference):
    est = mean_by_groups(data.x, data.w, data.region, len(REGIONS))
    missing = check_by(est, reference["by_region"], region_key)
    assert missing == {REGIONS.index(SILENT_REGION)}  # nobody answered there
    assert est.too_small()[REGIONS.index(SILENT_REGION)]


def test_mean_by_region_and_size_matches_svyby(data, reference):
    crossed, n_crossed = cross_groups(data.region, len(REGIONS), data.taille, len(TAILLES))
    est = mean_by_groups(data.x, data.w, crossed, n_crossed)
    missing = check_by(
        est,
        reference["by_region_taille"],
        lambda row: REGIONS.index(row["region"]) * len(TAILLES) + TAILLES.index(row["taille"]),
    )
    assert len(reference["by_region_taille"]) > 30 and missing


def test_mean_by_region_in_a_domain_matches_svyby_on_subset(data, reference):
    small = data.taille == TAILLES.index("moins_1000")
    est = mean_by_groups(data.x, data.w, data.region, len(REGIONS), domain=small)
    check_by(est, reference["by_region_moins_1000"], region_key)


def test_precomputed_squares_and_small_integer_groups_give_the_same_results(data):
    small = data.taille == TAILLES.index("moins_1000")
    plain = mean_by_groups(data.x, data.w, data.region, len(REGIONS), domain=small)
    fast = mean_by_groups(
        data.x, data.w, data.region.astype(np.int8), len(REGIONS), domain=small,
        weights_squared=data.w**2,
    )
    np.testing.assert_array_equal(fast.mean, plain.mean)
    np.testing.assert_array_equal(fast.se, plain.se)


def test_the_callers_arrays_are_left_alone(data):
    x, small = data.x.copy(), data.taille == 0
    domain = small.copy()
    mean_by_groups(x, data.w, data.region, len(REGIONS), domain=domain)
    np.testing.assert_array_equal(x, data.x)
    assert (domain == small).all()


def test_hand_computed_example():
    """y = 1, 2, 4 with weights 1, 1, 2, a fourth respondent not answering (NaN):
    m = (1 + 2 + 8) / 4 = 2.75; z = w (y - m) / W over the full sample of 4."""
    est = mean_by_groups([1.0, 2.0, 4.0, math.nan], [1.0, 1.0, 2.0, 5.0])
    assert est.mean[0] == 2.75
    z = np.array([1 * (1 - 2.75), 1 * (2 - 2.75), 2 * (4 - 2.75), 0.0]) / 4
    se = math.sqrt(4 / 3 * ((z - z.mean()) ** 2).sum())
    np.testing.assert_allclose(est.se[0], se, rtol=1e-12)
    assert est.n[0] == 3 and est.weighted_n[0] == 4.0
    np.testing.assert_allclose(est.n_eff[0], 16 / 6)
    np.testing.assert_allclose(est.ci_high[0], 2.75 + Z_95 * se)


def test_ungrouped_rows_and_empty_groups():
    est = mean_by_groups([1.0, 5.0, 3.0], [1.0, 1.0, 1.0], [0, -1, 0], 2)
    assert est.n.tolist() == [2, 0]
    assert est.mean[0] == 2.0
    assert np.isnan(est.mean[1]) and np.isnan(est.se[1])


def test_nobody_answered():
    est = mean_by_groups([math.nan, math.nan], [1.0, 2.0])
    assert est.n.tolist() == [0] and np.isnan(est.mean[0]) and np.isnan(est.se[0])


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="expected 2 weights"):
        mean_by_groups([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match="groups must lie in -1..1"):
        mean_by_groups([1.0, 2.0], [1.0, 1.0], [0, 2], 2)


# Property tests: random numbers (some not answered) with random weights and groups.

numbers = st.integers(min_value=2, max_value=300).flatmap(
    lambda n: st.tuples(
        st.lists(
            st.one_of(st.just(math.nan), st.floats(-1e4, 1e4, allow_nan=False)),
            min_size=n, max_size=n,
        ),
        st.lists(st.floats(0.01, 100.0), min_size=n, max_size=n),
        st.lists(st.integers(-1, 2), min_size=n, max_size=n),
    )
)


@given(numbers, st.floats(1e-3, 1e3))
@settings(max_examples=150, deadline=None)
def test_invariant_to_the_scale_of_the_weights(sample, c):
    x, w, groups = (np.array(v) for v in sample)
    est = mean_by_groups(x, w, groups, 3)
    scaled = mean_by_groups(x, w * c, groups, 3)
    spread = np.nanmax(np.abs(x)) if (~np.isnan(x)).any() else 1.0
    np.testing.assert_allclose(scaled.mean, est.mean, rtol=1e-9, atol=1e-9 * spread)
    np.testing.assert_allclose(scaled.se, est.se, rtol=1e-7, atol=1e-9 * spread)
    np.testing.assert_allclose(scaled.n_eff, est.n_eff, rtol=1e-9)
    np.testing.assert_allclose(scaled.weighted_n, est.weighted_n * c, rtol=1e-9)


@given(numbers)
@settings(max_examples=150, deadline=None)
def test_se_is_not_negative_and_the_mean_lies_within_the_base(sample):
    x, w, groups = (np.array(v) for v in sample)
    est = mean_by_groups(x, w, groups, 3)
    for g in range(3):
        base = x[(groups == g) & ~np.isnan(x)]
        assert est.n[g] == base.size
        if base.size == 0:
            assert np.isnan(est.mean[g]) and np.isnan(est.se[g])
            continue
        slack = 1e-12 * max(1.0, np.abs(base).max())
        assert base.min() - slack <= est.mean[g] <= base.max() + slack
        assert est.se[g] >= 0
        assert est.n_eff[g] <= est.n[g] * (1 + 1e-12)


@given(numbers)
@settings(max_examples=100, deadline=None)
def test_a_domain_equals_the_group_of_a_breakdown(sample):
    x, w, groups = (np.array(v) for v in sample)
    by = mean_by_groups(x, w, groups, 3)
    filtered = mean_by_groups(x, w, domain=groups == 1)
    np.testing.assert_allclose(filtered.mean[0], by.mean[1], rtol=1e-12)
    np.testing.assert_allclose(filtered.se[0], by.se[1], rtol=1e-9, atol=1e-15)


@given(numbers)
@settings(max_examples=100, deadline=None)
def test_se_matches_the_linearised_scores_computed_directly(sample):
    """n/(n-1) Σ (z_i - z̄)² over the full sample, z zero outside the base."""
    x, w, _ = (np.array(v) for v in sample)
    est = mean_by_groups(x, w)
    inside = ~np.isnan(x)
    if not inside.any():
        return
    total = w[inside].sum()
    m = (w * np.where(inside, x, 0.0)).sum() / total
    z = np.where(inside, w * (np.where(inside, x, 0.0) - m) / total, 0.0)
    n = len(w)
    se = math.sqrt(n / (n - 1) * ((z - z.mean()) ** 2).sum())
    np.testing.assert_allclose(est.mean[0], m, rtol=1e-12, atol=1e-12 * np.abs(x[inside]).max())
    np.testing.assert_allclose(est.se[0], se, rtol=1e-9, atol=1e-12)


if __name__ == "__main__":
    write_reference_data(REFERENCE / "means_data.csv")
