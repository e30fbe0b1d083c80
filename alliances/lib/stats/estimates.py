"""Weighted shares of a survey question, their standard errors and confidence intervals.

The design is the weights-only one of R's `svydesign(ids=~1, weights=~w, data=d)`: one stage,
sampled with replacement, no strata. A share is the ratio estimator Σ w·y / Σ w over the
question's base; its variance is the Taylor-linearised one `survey::svymean` computes.

Domains (respondents outside the question's base, a filter, a breakdown group) are estimated on
the full sample, as R's `svyby(~x, ~g, subset(design, ...), svymean)` does: the linearised
scores z_i = w_i (y_i - p) / Σ_D w are zero outside the domain D, and the variance is

    n / (n - 1) · Σ_i (z_i - z̄)²        over all n respondents of the sample,

n being the full sample size (R's `onestrat` pads the domain's scores with zeros up to the
design's number of PSUs). Removing respondents outside a domain therefore changes its standard
error; naive subsetting would use n_D / (n_D - 1) instead.

Everything is computed from per-cell sums (count, Σw, Σw² per group and option) made in
one compiled pass over the respondents (`cells`), never a Python loop over them. Codes are
integers 0..k-1 and -1 means "not answered" (outside the base); group codes are
0..n_groups-1 and -1 means "in no group".
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

# qnorm(0.975), the multiplier of R's confint() for svymean.
Z_95 = 1.959963984540054
MIN_N = 30


@dataclass(frozen=True)
class Estimate:
    """Shares of k options in each of G groups.

    `share`, `se` and `chosen_n` have shape (G, k); `n`, `weighted_n` and `n_eff` have shape
    (G,). A group with nobody in its base has n == 0 and NaN shares and standard errors.
    """

    share: FloatArray
    se: FloatArray
    n: IntArray  # unweighted respondents in the base (per group)
    weighted_n: FloatArray  # Σ w over the base
    n_eff: FloatArray  # Kish's effective sample size (Σ w)² / Σ w² over the base
    chosen_n: IntArray  # unweighted respondents choosing each option

    @property
    def ci_low(self) -> FloatArray:
        return self.share - Z_95 * self.se

    @property
    def ci_high(self) -> FloatArray:
        return self.share + Z_95 * self.se

    def too_small(self, min_n: int = MIN_N) -> BoolArray:
        """Groups whose unweighted base is under `min_n`: flagged, hidden in public views."""
        return below_min_n(self.n, min_n)

    def group(self, index: int) -> Estimate:
        """One group's estimate, still shaped (1, k)."""
        part = slice(index, index + 1)
        return Estimate(
            share=self.share[part],
            se=self.se[part],
            n=self.n[part],
            weighted_n=self.weighted_n[part],
            n_eff=self.n_eff[part],
            chosen_n=self.chosen_n[part],
        )


@dataclass(frozen=True)
class Difference:
    """Difference b - a between two independent waves' shares, with its normal test."""

    diff: FloatArray
    se: FloatArray
    z: FloatArray
    p_value: FloatArray


def below_min_n(n: npt.ArrayLike, min_n: int = MIN_N) -> BoolArray:
    """Cells with an unweighted n under `min_n`."""
    return np.asarray(n) < min_n


def cross_groups(
    groups_a: npt.ArrayLike, n_a: int, groups_b: npt.ArrayLike, n_b: int
) -> tuple[IntArray, int]:
    """Codes of the crossed breakdown a × b (code a·n_b + b), -1 where either is -1."""
    a = np.asarray(groups_a, dtype=np.int64)
    b = np.asarray(groups_b, dtype=np.int64)
    crossed = np.where((a >= 0) & (b >= 0), a * n_b + b, -1)
    return crossed, n_a * n_b


def single_choice(
    codes: npt.ArrayLike,
    weights: npt.ArrayLike,
    k: int,
    *,
    domain: npt.ArrayLike | None = None,
    weights_squared: npt.ArrayLike | None = None,
) -> Estimate:
    """Shares of a single-choice question over its base (codes >= 0), optionally in a domain.

    Equal to R `svymean(~factor(x), subset(design, domain & !is.na(x)))`. Returns one group.
    """
    n = np.asarray(codes).shape[0]
    return by_groups(
        codes,
        weights,
        k,
        np.zeros(n, dtype=np.int8),
        1,
        domain=domain,
        weights_squared=weights_squared,
    )


def by_groups(
    codes: npt.ArrayLike,
    weights: npt.ArrayLike,
    k: int,
    groups: npt.ArrayLike,
    n_groups: int,
    *,
    domain: npt.ArrayLike | None = None,
    weights_squared: npt.ArrayLike | None = None,
) -> Estimate:
    """Single-choice shares in each group, as R `svyby(~factor(x), ~g, subset(design,
    domain & !is.na(x)), svymean)`.

    Codes and group codes may come in any integer type (int8 saves memory traffic).
    `weights_squared`, if given, must be `weights ** 2`, kept by the caller across calls.
    """
    c = _codes(codes, k, "codes")
    w = _weights(weights, c.shape[0])
    w2 = _squares(w, weights_squared)
    g = _codes(groups, n_groups, "groups")
    if g.shape != c.shape:
        raise ValueError(f"expected {c.shape[0]} group codes, got shape {g.shape}")
    n_sample = c.shape[0]
    inside = _domain(domain, n_sample)
    from .cells import single_cells  # compiled on first use: not at import time

    count, sum_w, sum_w2 = single_cells(
        _narrow_codes(c, k), _narrow_codes(g, n_groups), inside, domain is not None, w, w2,
        k, n_groups,
    )
    return _estimate(
        n_sample=n_sample,
        n=count.sum(axis=1),
        base_w=sum_w.sum(axis=1),
        base_w2=sum_w2.sum(axis=1),
        chosen_n=count,
        chosen_w=sum_w,
        chosen_w2=sum_w2,
        other_w=_others(sum_w),
        other_w2=_others(sum_w2),
    )


def multiple_choice(
    chosen: npt.ArrayLike,
    answered: npt.ArrayLike,
    weights: npt.ArrayLike,
    *,
    groups: npt.ArrayLike | None = None,
    n_groups: int = 1,
    domain: npt.ArrayLike | None = None,
    weights_squared: npt.ArrayLike | None = None,
) -> Estimate:
    """Share of the respondents who answered choosing each option (shares may sum above 1).

    `chosen` is an n × k boolean matrix. Each option is the mean of a 0/1 variable over the
    base (answered, in the domain), as R `svymean(~o1 + ... + ok, subset(design, answered))`;
    with `groups`, as `svyby` over them.
    """
    x = np.asarray(chosen, dtype=np.bool_)
    n_sample, k = x.shape
    w = _weights(weights, n_sample)
    g = np.zeros(n_sample, dtype=np.int8) if groups is None else _codes(groups, n_groups, "groups")
    inside = np.asarray(answered, dtype=np.bool_)
    if g.shape != (n_sample,) or inside.shape != (n_sample,):
        raise ValueError(f"expected {n_sample} group codes and answered flags")
    if domain is not None:
        inside = inside & _domain(domain, n_sample)  # not &=: it may be the caller's
    w2 = _squares(w, weights_squared)
    from .cells import multiple_cells

    counts, sums_w, sums_w2 = multiple_cells(x, _narrow_codes(g, n_groups), inside, w, w2,
                                             n_groups)
    # Every byte's cells hold the whole base: read it from the first. Each option then sums
    # the byte values that have its bit set (chosen) and those that have not (the others).
    base_n = counts[0].sum(axis=1)
    base_w = sums_w[0].sum(axis=1)
    base_w2 = sums_w2[0].sum(axis=1)
    bits = (np.arange(256)[:, None] >> np.arange(8)[None, :]) & 1  # 256 × 8
    chosen_n = np.zeros((n_groups, k), dtype=np.int64)
    chosen_w = np.zeros((n_groups, k))
    chosen_w2 = np.zeros((n_groups, k))
    other_w = np.zeros((n_groups, k))
    other_w2 = np.zeros((n_groups, k))
    for byte in range(counts.shape[0]):
        options = slice(8 * byte, min(8 * byte + 8, k))
        has_bit = bits[:, : options.stop - options.start]
        chosen_n[:, options] = counts[byte] @ has_bit
        chosen_w[:, options] = sums_w[byte] @ has_bit
        chosen_w2[:, options] = sums_w2[byte] @ has_bit
        other_w[:, options] = sums_w[byte] @ (1 - has_bit)
        other_w2[:, options] = sums_w2[byte] @ (1 - has_bit)
    return _estimate(
        n_sample=n_sample,
        n=base_n,
        base_w=base_w,
        base_w2=base_w2,
        chosen_n=chosen_n,
        chosen_w=chosen_w,
        chosen_w2=chosen_w2,
        other_w=other_w,
        other_w2=other_w2,
    )


@dataclass(frozen=True)
class MeanEstimate:
    """Weighted means of a number in each of G groups; every field has shape (G,)."""

    mean: FloatArray
    se: FloatArray
    n: IntArray
    weighted_n: FloatArray
    n_eff: FloatArray

    @property
    def ci_low(self) -> FloatArray:
        return self.mean - Z_95 * self.se

    @property
    def ci_high(self) -> FloatArray:
        return self.mean + Z_95 * self.se

    def too_small(self, min_n: int = MIN_N) -> BoolArray:
        return below_min_n(self.n, min_n)


def mean_by_groups(
    values: npt.ArrayLike,
    weights: npt.ArrayLike,
    groups: npt.ArrayLike | None = None,
    n_groups: int = 1,
    *,
    domain: npt.ArrayLike | None = None,
    weights_squared: npt.ArrayLike | None = None,
) -> MeanEstimate:
    """Weighted mean of a number over its base (values not NaN), in each group and domain, as
    R `svyby(~x, ~g, subset(design, domain & !is.na(x)), svymean)`.

    The same ratio estimator as a share, with a continuous y: the scores w (y - m) / W are
    zero outside the domain and sum to zero inside it, so the variance is
    n / (n - 1) · Σ_D w² (y - m)² / W², expanded as sums over cells.
    """
    y = np.asarray(values, dtype=np.float64)
    n_sample = y.shape[0]
    w = _weights(weights, n_sample)
    w2 = _squares(w, weights_squared)
    g = np.zeros(n_sample, dtype=np.int8) if groups is None else _codes(groups, n_groups, "groups")
    inside = ~np.isnan(y)
    if domain is not None:
        inside = inside & np.asarray(domain, dtype=np.bool_)
    index = np.where(inside & (g >= 0), g.astype(np.int64), n_groups)
    y0 = np.where(inside, y, 0.0)
    size = n_groups + 1
    n = np.bincount(index, minlength=size)[:n_groups]
    sum_w = np.bincount(index, weights=w, minlength=size)[:n_groups]
    sum_w2 = np.bincount(index, weights=w2, minlength=size)[:n_groups]
    sum_wy = np.bincount(index, weights=w * y0, minlength=size)[:n_groups]
    with np.errstate(divide="ignore", invalid="ignore"):
        mean = sum_wy / sum_w
        # Σ w² (y - m)² per group, from the cells' own deviations (no cancellation).
        centred = y0 - np.append(mean, 0.0)[index]
        squares = np.bincount(index, weights=w2 * centred * centred, minlength=size)[:n_groups]
        scale = n_sample / (n_sample - 1) if n_sample > 1 else math.nan
        se = np.sqrt(scale * squares / sum_w**2)
        n_eff = sum_w**2 / sum_w2
    empty = n == 0
    mean[empty] = np.nan
    se[empty] = np.nan
    n_eff[empty] = 0.0
    return MeanEstimate(
        mean=mean, se=se, n=n.astype(np.int64), weighted_n=sum_w, n_eff=n_eff
    )


def difference(a: Estimate, b: Estimate) -> Difference:
    """Change b - a between two independent waves: se = √(se_a² + se_b²), two-sided normal
    p-value."""
    diff = b.share - a.share
    se = np.sqrt(a.se**2 + b.se**2)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = diff / se
    erfc = np.frompyfunc(math.erfc, 1, 1)
    p_value = np.asarray(erfc(np.abs(z) / math.sqrt(2.0)), dtype=np.float64)
    return Difference(diff=diff, se=se, z=z, p_value=p_value)


def _domain(domain: npt.ArrayLike | None, n: int) -> BoolArray:
    """The domain's flags, checked to be one per respondent (a length-1 list would
    broadcast); an empty placeholder when there is no domain."""
    if domain is None:
        return np.zeros(0, dtype=np.bool_)
    inside = np.asarray(domain, dtype=np.bool_)
    if inside.shape != (n,):
        raise ValueError(f"expected {n} domain flags, got shape {inside.shape}")
    return inside


def _narrow_codes(codes: npt.NDArray[np.integer], k: int) -> npt.NDArray[np.integer]:
    """Codes as int16 when they fit (a wave's columns already are: no copy), else int64, so
    that the compiled loops see two integer types, not one per caller's choice."""
    kind = np.int16 if k < np.iinfo(np.int16).max else np.int64
    return codes.astype(kind, copy=False)


def _codes(values: npt.ArrayLike, k: int, name: str) -> npt.NDArray[np.integer]:
    """Integer codes, in their own integer type, checked to lie in -1..k-1 (an out-of-range
    code would land in another cell silently)."""
    c = np.asarray(values)
    if c.dtype.kind not in "iu":
        if c.size and c.dtype.kind != "b":
            raise ValueError(f"{name} must be integers, got {c.dtype}")
        c = c.astype(np.int64)
    if c.size and (c.min() < -1 or c.max() >= k):
        raise ValueError(f"{name} must lie in -1..{k - 1}, got {c.min()}..{c.max()}")
    return c


def _weights(weights: npt.ArrayLike, n: int) -> FloatArray:
    w = np.asarray(weights, dtype=np.float64)
    if w.shape != (n,):
        raise ValueError(f"expected {n} weights, got shape {w.shape}")
    return w


def _squares(w: FloatArray, weights_squared: npt.ArrayLike | None) -> FloatArray:
    """w², or the caller's copy of it: a wave's weights change only when raked, and squaring a
    million of them per call costs a fresh array's page faults (about 4 ms here)."""
    if weights_squared is None:
        return w * w
    return _weights(weights_squared, w.shape[0])


def _others(sums: FloatArray) -> FloatArray:
    """For each option, the sum over the other options of the row, as sums of non-negative
    terms (row total minus the option's own would cancel)."""
    zero = np.zeros((sums.shape[0], 1))
    before = np.cumsum(np.hstack([zero, sums[:, :-1]]), axis=1)
    after = np.cumsum(np.hstack([zero, sums[:, :0:-1]]), axis=1)[:, ::-1]
    result: FloatArray = before + after
    return result


def _estimate(
    *,
    n_sample: int,
    n: IntArray,
    base_w: FloatArray,
    base_w2: FloatArray,
    chosen_n: IntArray,
    chosen_w: FloatArray,
    chosen_w2: FloatArray,
    other_w: FloatArray,
    other_w2: FloatArray,
) -> Estimate:
    """Shares and linearised SEs from per-cell sums of w and w² over the respondents who chose
    each option and over those in the base who did not (see the module docstring).

    For a 0/1 variable y, Σ_D w²(y - p)² = (1 - p)² Σ_{y=1} w² + p² Σ_{y=0} w², with
    1 - p = Σ_{y=0} w / W: no large terms cancel, even for shares near 0 or 1 under very
    unequal weights. Σ_D z = Σ_D w (y - p) / W is zero but for rounding; it is kept, as R
    centres the padded scores on their mean.
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        total = base_w[:, None]
        share = chosen_w / total
        rest = other_w / total
        squares = rest**2 * chosen_w2 + share**2 * other_w2
        sum_z2 = squares / total**2
        sum_z = (chosen_w - share * total) / total
        centred = np.maximum(sum_z2 - sum_z**2 / n_sample, 0.0)
        scale = n_sample / (n_sample - 1) if n_sample > 1 else math.nan
        se = np.sqrt(scale * centred)
        n_eff = base_w**2 / base_w2
    # The option's total and the base are summed in different orders: a share everybody
    # chose may land one rounding step above 1.
    np.clip(share, 0.0, 1.0, out=share)
    empty = n == 0
    share[empty] = np.nan
    se[empty] = np.nan
    n_eff[empty] = 0.0
    return Estimate(
        share=share,
        se=se,
        n=n.astype(np.int64),
        weighted_n=base_w,
        n_eff=n_eff,
        chosen_n=chosen_n.astype(np.int64),
    )
