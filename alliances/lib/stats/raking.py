"""Raking (iterative proportional fitting) of survey weights to population margins.

The algorithm and stopping rule are R's `survey::rake` (survey 4.x): a sweep post-stratifies
the weights on each margin in turn; after each sweep the weighted cross-table of all the
raking variables is compared with the one before it, and raking stops when no cell moved
by `tolerance` or more. R compares against `epsilon * sum(initial weights)` when
`epsilon < 1`; here the table is compared in shares of the total, which is the same rule
when the population margins total the initial weights, and makes the result invariant to
the scale of the initial weights. R's own defaults (`maxit=10, epsilon=1`) stop on an
absolute change of one unit of weight, too loose for weights summing to n; the defaults
here are a relative 1e-10 and 100 sweeps, and the tests check against R run with those.

Respondents are collapsed into cells (the combinations of the raking variables that
occur), the cells' weight totals are raked, then each respondent's weight is multiplied by
its cell's factor: the work per sweep is a few hundred cells, not a million rows.
The raked weights are scaled to sum to the number of respondents.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.integer]

DEFAULT_TOLERANCE = 1e-10
DEFAULT_MAX_ITERATIONS = 100
# Margins given as shares must sum to 1 within this; margins given as totals must agree.
MARGIN_SUM_TOLERANCE = 1e-6
# Above this many possible combinations of categories, occupied cells are found by sorting
# (np.unique) rather than by counting into a dense table.
DENSE_CELLS_LIMIT = 1 << 22


@dataclass(frozen=True)
class RakeResult:
    weights: FloatArray  # one per respondent, summing to the number of respondents
    iterations: int  # sweeps over all the margins
    converged: bool
    max_margin_error: float  # largest |weighted share - target share| over all categories
    tolerance: float
    max_iterations: int


@dataclass(frozen=True)
class WeightDiagnostics:
    n: int
    min: float
    max: float
    mean: float
    kish_n_eff: float  # (Σw)² / Σw²
    efficiency: float  # kish_n_eff / n
    ratio: float  # max / min


def rake(
    variables: Mapping[str, IntArray],
    margins: Mapping[str, npt.ArrayLike],
    weights: npt.ArrayLike | None = None,
    *,
    totals: bool = False,
    tolerance: float = DEFAULT_TOLERANCE,
    max_iterations: int = DEFAULT_MAX_ITERATIONS,
) -> RakeResult:
    """Rake `weights` so that each variable's weighted distribution matches its margin.

    `variables[name]` holds each respondent's category code (0 … K-1); `margins[name]`
    holds the target of each code, indexed by code: shares summing to 1, or with
    `totals=True` population totals (every margin then has the same total). A category with
    respondents but no (or a zero) target, or a positive target but no respondents, is an
    error, as in R's postStratify; so are margins that the sample's occupied cells cannot
    reach together (raking settles with a margin still off by more than 1e-6). Reaching
    `max_iterations` first is not an error: the result says `converged=False`.
    """
    names = list(margins)
    if not names:
        raise ValueError("no margins to rake to")
    if set(names) != set(variables):
        raise ValueError(
            f"margins ({', '.join(sorted(margins))}) and variables "
            f"({', '.join(sorted(variables))}) do not name the same variables"
        )
    if not tolerance > 0:
        raise ValueError("tolerance must be positive")
    if max_iterations < 1:
        raise ValueError("max_iterations must be at least 1")

    codes = [np.asarray(variables[name]) for name in names]
    n = len(codes[0])
    if n == 0:
        raise ValueError("no respondents to rake")
    for name, column in zip(names, codes, strict=True):
        if column.ndim != 1 or len(column) != n:
            raise ValueError(f"variable {name!r} does not have one code per respondent")
        if not np.issubdtype(column.dtype, np.integer):
            raise ValueError(f"variable {name!r} must hold integer category codes")
    targets = _target_shares(names, margins, totals=totals)

    for name, column, target in zip(names, codes, targets, strict=True):
        low, high = int(column.min()), int(column.max())
        if low < 0 or high >= len(target):
            bad = low if low < 0 else high
            raise ValueError(
                f"category {bad} of {name!r} has respondents but is absent from the margins"
            )

    base = _initial_weights(weights, n)
    radices = [len(target) for target in targets]
    cell_of_respondent, cell_categories, cell_totals, expand = _cells(codes, radices, base)

    for name, categories, target in zip(names, cell_categories, targets, strict=True):
        present = np.bincount(categories, minlength=len(target)) > 0
        if np.any(present & (target == 0)):
            bad = int(np.flatnonzero(present & (target == 0))[0])
            raise ValueError(f"category {bad} of {name!r} has respondents but a zero target")
        if np.any(~present & (target > 0)):
            bad = int(np.flatnonzero(~present & (target > 0))[0])
            raise ValueError(
                f"category {bad} of {name!r} has a target of {target[bad]:g} but no "
                "respondents: the margin cannot be reached"
            )

    shares = cell_totals / cell_totals.sum()
    iterations = 0
    converged = False
    while iterations < max_iterations:
        new = shares
        for categories, target in zip(cell_categories, targets, strict=True):
            current = np.bincount(categories, weights=new, minlength=len(target))
            with np.errstate(divide="ignore", invalid="ignore"):
                factor = np.where(current > 0, target / current, 0.0)
            new = new * factor[categories]
        iterations += 1
        delta = float(np.max(np.abs(new - shares)))
        shares = new
        if delta < tolerance:
            converged = True
            break

    max_error, worst = 0.0, (names[0], 0)
    for name, categories, target in zip(names, cell_categories, targets, strict=True):
        reached = np.bincount(categories, weights=shares, minlength=len(target))
        gap = np.abs(reached - target)
        if float(gap.max()) > max_error:
            max_error, worst = float(gap.max()), (name, int(gap.argmax()))
    if converged and max_error > MARGIN_SUM_TOLERANCE:
        # The sweeps settled but a margin is still off: no weights on the occupied cells
        # meet all the margins at once (e.g. a category whose respondents all fall in
        # another margin's category with a smaller target).
        raise ValueError(
            f"the margins cannot all be reached with the sample's combinations of categories: "
            f"category {worst[1]} of {worst[0]!r} stays {max_error:.2g} away from its target"
        )
    # Each respondent's raked weight is its initial weight times its cell's factor; the
    # factors are scaled so that the weights sum to n.
    factor_of_cell = shares / cell_totals * n
    raked = base * expand(factor_of_cell)[cell_of_respondent]
    return RakeResult(
        weights=raked,
        iterations=iterations,
        converged=converged,
        max_margin_error=max_error,
        tolerance=tolerance,
        max_iterations=max_iterations,
    )


def weight_diagnostics(weights: npt.ArrayLike) -> WeightDiagnostics:
    """Spread of the weights and Kish's effective sample size, (Σw)² / Σw²."""
    w = np.asarray(weights, dtype=np.float64)
    if w.ndim != 1 or len(w) == 0:
        raise ValueError("weights must be a non-empty one-dimensional array")
    total = float(w.sum())
    n_eff = total * total / float(np.dot(w, w))
    low, high = float(w.min()), float(w.max())
    return WeightDiagnostics(
        n=len(w),
        min=low,
        max=high,
        mean=total / len(w),
        kish_n_eff=n_eff,
        efficiency=n_eff / len(w),
        ratio=high / low if low > 0 else float("inf"),
    )


def _target_shares(
    names: list[str], margins: Mapping[str, npt.ArrayLike], *, totals: bool
) -> list[FloatArray]:
    targets = [np.asarray(margins[name], dtype=np.float64) for name in names]
    for name, target in zip(names, targets, strict=True):
        if target.ndim != 1 or len(target) == 0:
            raise ValueError(f"margin {name!r} must be a non-empty list of targets by code")
        if not np.all(np.isfinite(target)) or np.any(target < 0):
            raise ValueError(f"margin {name!r} has a negative or missing target")
    sums = [float(target.sum()) for target in targets]
    described = ", ".join(f"{name} {total:g}" for name, total in zip(names, sums, strict=True))
    if not totals and any(abs(total - 1) > MARGIN_SUM_TOLERANCE for total in sums):
        raise ValueError(
            f"margins sum to {described}: shares must sum to 1 (within {MARGIN_SUM_TOLERANCE:g})"
        )
    if totals and not (
        sums[0] > 0
        and all(abs(total - sums[0]) <= MARGIN_SUM_TOLERANCE * sums[0] for total in sums)
    ):
        raise ValueError(f"margins sum to {described}: totals must all be the same")
    return [target / total for target, total in zip(targets, sums, strict=True)]


def _initial_weights(weights: npt.ArrayLike | None, n: int) -> FloatArray:
    if weights is None:
        return np.ones(n, dtype=np.float64)
    base = np.asarray(weights, dtype=np.float64)
    if base.ndim != 1 or len(base) != n:
        raise ValueError("weights must hold one weight per respondent")
    if not np.all(base > 0) or not np.all(np.isfinite(base)):
        raise ValueError("initial weights must be positive and finite")
    return base


def _cells(
    codes: list[np.ndarray], radices: list[int], base: FloatArray
) -> tuple[IntArray, list[IntArray], FloatArray, Callable[[FloatArray], FloatArray]]:
    """Collapse respondents into the occupied combinations of their categories.

    Returns each respondent's cell (in a numbering `expand` maps cell factors into), each
    occupied cell's category for every variable, the cells' initial weight totals, and
    `expand`, which turns a vector over occupied cells into one indexable by that cell.
    """
    combinations = 1
    for radix in radices:
        combinations *= radix
    if combinations >= 1 << 62:
        raise ValueError("too many combinations of categories to rake")
    # Mixed-radix code of each respondent's combination, in the smallest integer type.
    code: IntArray = np.zeros(len(base), dtype=np.int32 if combinations < 1 << 31 else np.int64)
    for column, radix in zip(codes, radices, strict=True):
        code *= radix
        code += column.astype(code.dtype, copy=False)

    if combinations <= DENSE_CELLS_LIMIT:
        dense = np.bincount(code, weights=base, minlength=combinations)
        occupied = np.flatnonzero(dense > 0)
        totals = dense[occupied]

        def expand(values: FloatArray) -> FloatArray:
            full = np.zeros(combinations, dtype=np.float64)
            full[occupied] = values
            return full

        cell: IntArray = code
    else:
        occupied, cell = np.unique(code, return_inverse=True)
        totals = np.bincount(cell, weights=base, minlength=len(occupied))

        def expand(values: FloatArray) -> FloatArray:
            return values

    categories: list[IntArray] = []
    remainder = occupied.astype(np.int64)
    for radix in reversed(radices):
        categories.append(remainder % radix)
        remainder //= radix
    categories.reverse()
    return cell, categories, totals, expand
