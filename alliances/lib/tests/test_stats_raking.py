"""Raking against R's survey::rake, its properties, its errors, and the weight diagnostics.

The reference data set is made by `reference_data()`; `python -m
alliances.lib.tests.test_stats_raking` writes it to reference/raking_data.csv and
raking_margins.csv, and reference/raking.R computes raking_reference.json from them.
"""

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from alliances.lib.stats.raking import rake, weight_diagnostics

REFERENCE = Path(__file__).parent / "reference"
VARIABLES = ("region", "taille", "type")
CATEGORIES = {"region": 13, "taille": 4, "type": 4}
TARGETS = {
    "region": np.array([18, 9, 4, 5, 9, 8, 6, 4, 9, 8, 7, 9, 4]) / 100,
    "taille": np.array([0.25, 0.35, 0.28, 0.12]),
    "type": np.array([0.40, 0.30, 0.20, 0.10]),
}


def reference_data(n: int = 500, seed: int = 20261126) -> dict[str, np.ndarray]:
    """A seeded sample whose variables are correlated, so that raking takes several sweeps.

    The first rows go through every category, so none is empty.
    """
    rng = np.random.default_rng(seed)
    region = rng.choice(13, size=n, p=rng.dirichlet(np.full(13, 4.0)))
    region[:13] = np.arange(13)
    # Size band leans on the region, actor type on the size band.
    taille = (region % 4 + rng.integers(0, 3, size=n)) % 4
    taille[:4] = np.arange(4)
    kind = np.where(rng.random(n) < 0.6, taille, rng.integers(0, 4, size=n))
    kind[:4] = np.arange(4)[::-1]
    return {
        "region": region.astype(np.int64),
        "taille": taille.astype(np.int64),
        "type": kind.astype(np.int64),
        "w_unit": np.ones(n),
        "w_lognormal": rng.lognormal(0.0, 0.6, size=n),
    }


def write_reference_inputs(directory: Path = REFERENCE) -> None:
    data = reference_data()
    columns = [*VARIABLES, "w_unit", "w_lognormal"]
    with open(directory / "raking_data.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in zip(*(data[c] for c in columns), strict=True):
            writer.writerow([int(v) for v in row[:3]] + [repr(float(v)) for v in row[3:]])
    with open(directory / "raking_margins.csv", "w", newline="") as out:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["variable", "category", "share"])
        for name in VARIABLES:
            for category, share in enumerate(TARGETS[name]):
                writer.writerow([name, category, repr(float(share))])


def read_reference_data() -> dict[str, np.ndarray]:
    with open(REFERENCE / "raking_data.csv", newline="") as source:
        rows = list(csv.DictReader(source))
    return {
        column: np.array([float(row[column]) for row in rows])
        if column.startswith("w_")
        else np.array([int(row[column]) for row in rows])
        for column in rows[0]
    }


def weighted_shares(codes: np.ndarray, weights: np.ndarray, size: int) -> np.ndarray:
    return np.bincount(codes, weights=weights, minlength=size) / weights.sum()


def test_committed_data_is_the_seeded_data():
    committed, generated = read_reference_data(), reference_data()
    assert committed.keys() == generated.keys()
    for column in committed:
        np.testing.assert_array_equal(committed[column], generated[column])
    with open(REFERENCE / "raking_margins.csv", newline="") as source:
        for row in csv.DictReader(source):
            assert float(row["share"]) == TARGETS[row["variable"]][int(row["category"])]


@pytest.mark.parametrize(
    "case",
    [
        "region+taille/unit",
        "region+taille/lognormal",
        "region+taille+type/unit",
        "region+taille+type/lognormal",
    ],
)
def test_it_matches_r_survey_rake(case):
    reference = json.loads((REFERENCE / "raking_reference.json").read_text())
    assert reference["control"]["epsilon"] == 1e-10
    expected = np.array(reference["weights"][case])
    names, weight_column = case.split("/")
    data = read_reference_data()
    result = rake(
        {name: data[name] for name in names.split("+")},
        {name: TARGETS[name] for name in names.split("+")},
        data[f"w_{weight_column}"],
    )
    assert result.converged
    assert result.iterations > 2  # the correlated variables need several sweeps
    np.testing.assert_allclose(result.weights, expected, rtol=0, atol=1e-6)
    np.testing.assert_allclose(result.weights, expected, rtol=1e-9)
    assert result.weights.sum() == pytest.approx(len(expected), rel=1e-12)


def test_a_hand_checked_two_by_two():
    # v: a = respondents 0 and 1, b = 2 and 3; u: x = respondent 0, y = the others.
    # Targets a 40 %, x 20 % of n = 4: respondent 0 alone makes x, so w0 = 0.8; a then needs
    # w1 = 0.8; b's 2.4 is shared by two respondents in the same cell, 1.2 each (and y is
    # 0.8 + 2.4 = 3.2, its 80 %).
    result = rake(
        {"v": np.array([0, 0, 1, 1]), "u": np.array([0, 1, 1, 1])},
        {"v": np.array([0.4, 0.6]), "u": np.array([0.2, 0.8])},
    )
    assert result.converged
    np.testing.assert_allclose(result.weights, [0.8, 0.8, 1.2, 1.2], atol=1e-9)


def test_margins_as_totals_equal_margins_as_shares():
    data = reference_data()
    variables = {name: data[name] for name in VARIABLES}
    by_share = rake(variables, TARGETS)
    by_total = rake(
        variables, {name: TARGETS[name] * 66_000_000 for name in VARIABLES}, totals=True
    )
    np.testing.assert_allclose(by_total.weights, by_share.weights, rtol=1e-12)


def test_it_reports_the_cap_when_it_does_not_converge():
    data = reference_data()
    result = rake(
        {name: data[name] for name in VARIABLES}, TARGETS, max_iterations=2, tolerance=1e-14
    )
    assert not result.converged
    assert result.iterations == 2
    assert result.max_iterations == 2
    assert result.max_margin_error > 1e-6


def test_sparse_cells_rake_the_same_as_dense_ones(monkeypatch):
    from alliances.lib.stats import raking

    data = reference_data()
    variables = {name: data[name] for name in VARIABLES}
    dense = rake(variables, TARGETS, data["w_lognormal"])
    monkeypatch.setattr(raking, "DENSE_CELLS_LIMIT", 1)
    sparse = rake(variables, TARGETS, data["w_lognormal"])
    np.testing.assert_allclose(sparse.weights, dense.weights, rtol=1e-12)


@pytest.mark.parametrize(
    ("variables", "margins", "weights", "message"),
    [
        ({"v": [0, 1, 2]}, {"v": [0.5, 0.5]}, None, "category 2 of 'v' has respondents but is"),
        ({"v": [0, 1, 1]}, {"v": [0.5, 0.0, 0.5]}, None, "category 1 of 'v' has respondents but"),
        ({"v": [0, 0, 2]}, {"v": [0.5, 0.2, 0.3]}, None, "category 1 of 'v' has a target of 0.2"),
        ({"v": [0, 1]}, {"v": [0.5, 0.4]}, None, "shares must sum to 1"),
        ({"v": [0, 1]}, {"v": [50, 50]}, None, "shares must sum to 1"),
        ({"v": [0, 1]}, {"v": [0.5, 0.5]}, [1.0, 0.0], "positive"),
        ({"v": [0, 1]}, {"v": [0.5, 0.5]}, [1.0, -2.0], "positive"),
        ({"v": [0, 1]}, {"v": [0.5, 0.5]}, [1.0, float("nan")], "positive"),
        ({"v": [0, 1]}, {"v": [0.5, 0.5]}, [1.0], "one weight per respondent"),
        ({"v": [0, 1]}, {"u": [0.5, 0.5]}, None, "do not name the same variables"),
        ({"v": [0.0, 1.0]}, {"v": [0.5, 0.5]}, None, "integer category codes"),
        ({"v": [-1, 1]}, {"v": [0.5, 0.5]}, None, "category -1 of 'v'"),
        ({"v": [0, 1]}, {"v": [0.5, -0.5, 1.0]}, None, "negative or missing target"),
    ],
)
def test_it_rejects_bad_input(variables, margins, weights, message):
    with pytest.raises(ValueError, match=message):
        rake(
            {name: np.array(codes) for name, codes in variables.items()},
            {name: np.array(target) for name, target in margins.items()},
            weights,
        )


def test_it_rejects_totals_that_disagree():
    with pytest.raises(ValueError, match="totals must all be the same"):
        rake(
            {"v": np.array([0, 1]), "u": np.array([0, 1])},
            {"v": np.array([50, 50]), "u": np.array([40, 50])},
            totals=True,
        )


def test_it_rejects_margins_the_cells_cannot_reach_together():
    # v = 1 only occurs with u = 1, so u = 1 gets at least v = 1's 72 %, above its 57 %.
    with pytest.raises(ValueError, match="cannot all be reached.* of 'v' stays"):
        rake(
            {"v": np.array([0, 1, 0, 0]), "u": np.array([0, 1, 1, 0])},
            {"v": np.array([0.28, 0.72]), "u": np.array([0.43, 0.57])},
        )


def test_weight_diagnostics():
    diagnostics = weight_diagnostics(np.array([1.0, 1.0, 2.0, 4.0]))
    assert diagnostics.n == 4
    assert (diagnostics.min, diagnostics.max, diagnostics.mean) == (1.0, 4.0, 2.0)
    assert diagnostics.kish_n_eff == pytest.approx(64 / 22)
    assert diagnostics.efficiency == pytest.approx(16 / 22)
    assert diagnostics.ratio == 4.0
    assert weight_diagnostics(np.ones(7)).kish_n_eff == pytest.approx(7)


# Property tests: random samples over up to three variables, every category occupied;
# targets are the weighted shares under other random positive weights, so they can be met.
@st.composite
def samples(draw):
    sizes = draw(st.lists(st.integers(1, 5), min_size=1, max_size=3))
    n = draw(st.integers(sum(sizes), 60))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    variables = {}
    for index, size in enumerate(sizes):
        codes = rng.integers(0, size, size=n)
        codes[:size] = np.arange(size)
        variables[f"v{index}"] = rng.permutation(codes)
    population = rng.lognormal(0.0, 1.0, size=n)
    margins = {
        name: weighted_shares(codes, population, int(codes.max()) + 1)
        for name, codes in variables.items()
    }
    weights = rng.lognormal(0.0, 0.5, size=n) if draw(st.booleans()) else None
    return variables, margins, weights


@settings(max_examples=200, deadline=None)
@given(samples())
def test_raked_margins_equal_the_targets(sample):
    variables, margins, weights = sample
    result = rake(variables, margins, weights, max_iterations=10_000)
    assert result.converged
    n = len(variables["v0"])
    assert result.weights.sum() == pytest.approx(n, rel=1e-9)
    assert np.all(result.weights > 0)
    for name, codes in variables.items():
        shares = weighted_shares(codes, result.weights, len(margins[name]))
        np.testing.assert_allclose(shares, margins[name], atol=1e-8)
    assert result.max_margin_error < 1e-8


@settings(max_examples=100, deadline=None)
@given(samples(), st.floats(1e-3, 1e3))
def test_raking_is_invariant_to_the_scale_of_the_weights(sample, scale):
    variables, margins, weights = sample
    weights = np.ones(len(variables["v0"])) if weights is None else weights
    once = rake(variables, margins, weights)
    scaled = rake(variables, margins, weights * scale)
    assert scaled.iterations == once.iterations
    np.testing.assert_allclose(scaled.weights, once.weights, rtol=1e-9)


@settings(max_examples=100, deadline=None)
@given(samples())
def test_weights_that_already_match_stay_unchanged(sample):
    variables, _, weights = sample
    weights = np.ones(len(variables["v0"])) if weights is None else weights
    weights = weights / weights.mean()
    margins = {
        name: weighted_shares(codes, weights, int(codes.max()) + 1)
        for name, codes in variables.items()
    }
    result = rake(variables, margins, weights)
    assert result.converged
    np.testing.assert_allclose(result.weights, weights, rtol=1e-9)


if __name__ == "__main__":
    write_reference_inputs()
