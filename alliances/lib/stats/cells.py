"""The per-cell sums every estimate is made of, in one pass over the respondents.

For each (group, option) cell: the number of respondents, Σw and Σw² — for a single choice
over the cells of its options, for a multiple choice over those who chose each option and
those who did not. NumPy needs one `bincount` per sum (three passes over a million rows,
plus building the cell index); a loop compiled by Numba reads each respondent once and adds
to all three, which is what keeps a cross-tab with its standard errors within twice the
time of NumPy's shares alone.

Callers check the codes' ranges first (`estimates._codes`): the loops do not.
Compiled on first use and cached on disk (`cache=True`), so a new process loads them.
"""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(cache=True, nogil=True)
def single_cells(codes, groups, domain, has_domain, weights, weights_squared, k, n_groups):
    """(count, Σw, Σw²), each (n_groups, k), over respondents with a code, a group and in
    the domain."""
    count = np.zeros((n_groups, k), dtype=np.int64)
    sum_w = np.zeros((n_groups, k))
    sum_w2 = np.zeros((n_groups, k))
    for i in range(codes.shape[0]):
        g = groups[i]
        c = codes[i]
        if g < 0 or c < 0 or (has_domain and not domain[i]):
            continue
        count[g, c] += 1
        sum_w[g, c] += weights[i]
        sum_w2[g, c] += weights_squared[i]
    return count, sum_w, sum_w2


@njit(cache=True, nogil=True)
def multiple_cells(chosen, groups, inside, weights, weights_squared, n_groups):
    """(count, Σw, Σw²), each (bytes, n_groups, 256): the options are read eight to a byte
    and each respondent in the base adds to the cell of its group and byte value, without a
    branch per option (a branch on random 0/1 answers is mispredicted half the time). The
    caller spreads each byte value's sums over the options whose bit it has."""
    n, k = chosen.shape
    n_bytes = (k + 7) // 8
    count = np.zeros((n_bytes, n_groups, 256), dtype=np.int64)
    sum_w = np.zeros((n_bytes, n_groups, 256))
    sum_w2 = np.zeros((n_bytes, n_groups, 256))
    for i in range(n):
        g = groups[i]
        if g < 0 or not inside[i]:
            continue
        w = weights[i]
        w2 = weights_squared[i]
        for b in range(n_bytes):
            value = np.uint8(0)
            for bit in range(8):  # a fixed count: the compiler unrolls it
                if 8 * b + bit < k:
                    value |= np.uint8(chosen[i, 8 * b + bit]) << np.uint8(bit)
            count[b, g, value] += 1
            sum_w[b, g, value] += w
            sum_w2[b, g, value] += w2
    return count, sum_w, sum_w2
