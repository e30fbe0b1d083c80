"""Metrics of a network of actors and alliances, computed with igraph on NumPy arrays.

Framework-free: callers give node ids and types, and the edges (or the alliances'
partner lists, expanded into cliques by `clique_edges`). Distances are hops: the weight
of an edge (how many alliances two actors share) is reported, never used as a length.

Betweenness ("acteurs passerelles") is exact up to `EXACT_BETWEENNESS_MAX_NODES` nodes.
Above, it is estimated from `k` source vertices drawn uniformly without replacement with a
seeded generator (deterministic): igraph's `Graph.betweenness(sources=S)` sums, over the
sources s in S and every target t, the share of the shortest s–t paths through v; each
source's term is an unbiased sample of the full sum over all n sources, so

    b̂(v) = n / k · Σ_{s ∈ S} Σ_t σ_st(v) / σ_st     (halved for an undirected graph, as
                                                         the exact value is)

is an unbiased estimate of the exact betweenness (Brandes & Pich, 2007, "Centrality
estimation in large networks"). With k = n it is the exact value. The estimate's error
shrinks as 1/√k; the largest bridges, which sit on a large share of all paths, are ranked
first already with a few dozen sources (a test checks this on a barbell graph). The sources
stay in one process: shared between two worker processes on the 2-CPU machines we measure
on, 100,000 actors took 17 s instead of 14 (each worker rebuilds the graph, and the two
traversals share the memory bandwidth).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import igraph as ig
import numpy as np

EXACT_BETWEENNESS_MAX_NODES = 600
DEFAULT_SOURCES = 100
SEED = 2018
# Fruchterman–Reingold's iterations above 1,000 nodes. On the bench's territory (4,161
# drawn actors, 23,000 links), the mean length of a link over the mean distance of random
# pairs, lower for a layout that keeps partners together: 0.430 after 15 iterations,
# 0.408 after 30, and 0.408 still after 60 and 150 (twice and five times the time).
LARGE_LAYOUT_ITERATIONS = 30


@dataclass
class NetworkMetrics:
    node_ids: np.ndarray  # as given, the order of every per-node array below
    degree: np.ndarray  # distinct partners
    strength: np.ndarray  # Σ edge weights: alliance links counted with their multiplicity
    betweenness: np.ndarray
    betweenness_exact: bool
    betweenness_sources: int  # k (= n when exact)
    component: np.ndarray  # component number of each node, 0 = the largest
    component_sizes: np.ndarray  # sizes, largest first
    isolated: np.ndarray  # indices of the nodes without any edge
    n_edges: int  # distinct pairs of actors linked
    # (type a, type b) with a <= b → (edges between them, possible pairs, density)
    density: dict[tuple[int, int], tuple[int, int, float]] = field(default_factory=dict)

    @property
    def n_components(self) -> int:
        return int(len(self.component_sizes))

    def betweenness_rank(self) -> np.ndarray:
        """1 for the largest betweenness; ties share the best rank; 0 for a node on no path."""
        values = self.betweenness
        order = np.argsort(-values, kind="stable")
        ranks = np.empty(len(values), dtype=np.int64)
        sorted_values = values[order]
        # the first position of each distinct value, so ties share a rank
        first = np.r_[0, np.flatnonzero(np.diff(sorted_values)) + 1]
        starts = np.repeat(first, np.diff(np.r_[first, len(values)]))
        ranks[order] = starts + 1
        ranks[values <= 0] = 0
        return ranks

    def top_bridges(self, count: int = 10) -> np.ndarray:
        """Indices of the `count` nodes with the largest betweenness (> 0), largest first."""
        order = np.argsort(-self.betweenness, kind="stable")[:count]
        return order[self.betweenness[order] > 0]


def clique_edges(
    group_ids: np.ndarray, member_index: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Expand groups (alliances) into the pairs of their members (a clique of k(k-1)/2
    edges per group of k).

    `group_ids[i]` is the group of row i, `member_index[i]` its member (a node index).
    Returns (src, dst, group, pair_key): one row per pair and group, src < dst; the same
    member twice in one group makes no pair. Vectorised over the groups: one pass per
    offset inside the largest group, not one per group.
    """
    group_ids = np.asarray(group_ids, dtype=np.int64)
    member_index = np.asarray(member_index, dtype=np.int64)
    if len(group_ids) == 0:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, empty
    order = np.argsort(group_ids, kind="stable")  # members' order inside a group: any
    groups, members = group_ids[order], member_index[order]
    starts = np.r_[0, np.flatnonzero(np.diff(groups)) + 1]
    sizes = np.diff(np.r_[starts, len(groups)])
    end = np.repeat(starts + sizes, sizes)  # one past each row's group's last row
    src_parts, dst_parts, group_parts = [], [], []
    for offset in range(1, int(sizes.max())):
        rows = np.flatnonzero(np.arange(len(groups)) + offset < end)
        if len(rows) == 0:
            break
        src_parts.append(members[rows])
        dst_parts.append(members[rows + offset])
        group_parts.append(groups[rows])
    if not src_parts:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty, empty
    src, dst, grp = np.concatenate(src_parts), np.concatenate(dst_parts), np.concatenate(
        group_parts
    )
    keep = src != dst
    src, dst, grp = src[keep], dst[keep], grp[keep]
    low, high = np.minimum(src, dst), np.maximum(src, dst)
    return low, high, grp, low * (int(member_index.max()) + 1) + high


def aggregate_edges(
    src: np.ndarray, dst: np.ndarray, weights: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One edge per unordered pair, its weight the sum of the repeated pairs' weights
    (1 each when not given). Self-loops are dropped."""
    src = np.asarray(src, dtype=np.int64)
    dst = np.asarray(dst, dtype=np.int64)
    w = np.ones(len(src), dtype=np.int64) if weights is None else np.asarray(weights)
    keep = src != dst
    src, dst, w = src[keep], dst[keep], w[keep]
    if len(src) == 0:
        return src, dst, w
    low, high = np.minimum(src, dst), np.maximum(src, dst)
    width = int(high.max()) + 1
    keys, inverse = np.unique(low * width + high, return_inverse=True)
    return keys // width, keys % width, np.bincount(inverse, weights=w).astype(w.dtype)


def network_metrics(
    node_ids: np.ndarray,
    node_types: np.ndarray,
    src: np.ndarray,
    dst: np.ndarray,
    weights: np.ndarray | None = None,
    *,
    sources: int = DEFAULT_SOURCES,
    exact_max_nodes: int = EXACT_BETWEENNESS_MAX_NODES,
    seed: int = SEED,
    n_types: int | None = None,
) -> NetworkMetrics:
    """Degree, betweenness, components, isolated nodes and density per pair of types.

    `src`/`dst` are node ids (values of `node_ids`), repeated pairs are summed into one
    weighted edge; `node_types` are small integers (type codes), `n_types` their count.
    """
    node_ids = np.asarray(node_ids, dtype=np.int64)
    node_types = np.asarray(node_types, dtype=np.int64)
    n = len(node_ids)
    order = np.argsort(node_ids, kind="stable")
    sorted_ids = node_ids[order]

    def to_index(ids: np.ndarray) -> np.ndarray:
        ids = np.asarray(ids, dtype=np.int64)
        position = np.searchsorted(sorted_ids, ids)
        if len(ids) and (
            position.max(initial=0) >= n or not np.array_equal(sorted_ids[position], ids)
        ):
            raise ValueError("an edge names a node id that is not among the nodes")
        return order[position]

    s, d, w = aggregate_edges(to_index(src), to_index(dst), weights)
    graph = ig.Graph(n=n, edges=np.column_stack((s, d)).tolist() if len(s) else [])
    degree = np.asarray(graph.degree(), dtype=np.int64)
    strength = np.bincount(s, weights=w, minlength=n) + np.bincount(d, weights=w, minlength=n)

    if n <= exact_max_nodes or sources >= n:
        betweenness = np.asarray(graph.betweenness(directed=False), dtype=float)
        exact, k = True, n
    else:
        rng = np.random.default_rng(seed)
        chosen = np.sort(rng.choice(n, size=sources, replace=False))
        partial = graph.betweenness(directed=False, sources=chosen.tolist())
        betweenness = np.asarray(partial, dtype=float) * (n / sources)
        exact, k = False, sources

    membership = np.asarray(graph.connected_components().membership, dtype=np.int64)
    sizes = np.bincount(membership, minlength=1) if n else np.empty(0, dtype=np.int64)
    # Renumber the components, largest first (ties by first node), so 0 is the giant one.
    by_size = np.lexsort((np.arange(len(sizes)), -sizes))
    renumber = np.empty(len(sizes), dtype=np.int64)
    renumber[by_size] = np.arange(len(sizes))
    component = renumber[membership] if n else membership

    n_types = int(node_types.max()) + 1 if n_types is None and n else (n_types or 0)
    density = type_pair_density(node_types, s, d, n_types)
    return NetworkMetrics(
        node_ids=node_ids,
        degree=degree,
        strength=strength.astype(np.int64),
        betweenness=betweenness,
        betweenness_exact=exact,
        betweenness_sources=k,
        component=component,
        component_sizes=sizes[by_size] if n else sizes,
        isolated=np.flatnonzero(degree == 0),
        n_edges=len(s),
        density=density,
    )


def type_pair_density(
    node_types: np.ndarray, src: np.ndarray, dst: np.ndarray, n_types: int
) -> dict[tuple[int, int], tuple[int, int, float]]:
    """Edges (distinct pairs, given by node index) between types a ≤ b over the possible
    pairs: nA·nB for a ≠ b, nA(nA−1)/2 within one type. Pairs with no possible edge are
    left out."""
    counts = np.bincount(node_types, minlength=n_types) if len(node_types) else np.zeros(
        n_types, dtype=np.int64
    )
    edges = np.zeros((n_types, n_types), dtype=np.int64)
    if len(src):
        ta, tb = node_types[src], node_types[dst]
        low, high = np.minimum(ta, tb), np.maximum(ta, tb)
        np.add.at(edges, (low, high), 1)
    result: dict[tuple[int, int], tuple[int, int, float]] = {}
    for a in range(n_types):
        for b in range(a, n_types):
            possible = (
                int(counts[a]) * (int(counts[a]) - 1) // 2 if a == b
                else int(counts[a]) * int(counts[b])
            )
            if possible:
                result[(a, b)] = (int(edges[a, b]), possible, edges[a, b] / possible)
    return result


def spring_layout(
    n: int, src: np.ndarray, dst: np.ndarray, *, seed: int = SEED, iterations: int = 150
) -> np.ndarray:
    """Positions (n × 2) for drawing a large network in the browser without running a
    force layout there: igraph's Fruchterman–Reingold, with its grid approximation and
    fewer iterations above 1,000 nodes (4,161 nodes and 23,000 edges: 42 ms with 30
    iterations, 93 ms with 60, 232 ms with 150; DrL took 36 s; starting from the previous
    layout was slower still, its dense start filling the grid's cells),
    seeded so the picture does not move between two loads of the same data."""
    if n == 0:
        return np.empty((0, 2))
    graph = ig.Graph(n=n, edges=np.column_stack((src, dst)).tolist() if len(src) else [])
    large = n > 1000
    # igraph draws its start and its random moves from Python's `random` module unless
    # told otherwise: a generator of our own, seeded, and the global one given back after.
    # (A start given as positions spread over a wide square made the grid variant 30×
    # slower: 26 s instead of 0.8 s for 5,000 nodes.)
    ig.set_random_number_generator(random.Random(seed))
    try:
        layout = graph.layout_fruchterman_reingold(
            niter=min(iterations, LARGE_LAYOUT_ITERATIONS) if large else iterations, grid=large
        )
    finally:
        ig.set_random_number_generator(random)
    return np.asarray(layout.coords, dtype=float)
