"""Network metrics against networkx on small graphs, and by hand."""

import networkx as nx
import numpy as np
import pytest

from alliances.lib.network import (
    aggregate_edges,
    clique_edges,
    network_metrics,
    spring_layout,
    type_pair_density,
)


def random_graph(seed: int, n: int = 40, m: int = 70):
    rng = np.random.default_rng(seed)
    ids = rng.choice(np.arange(1000, 5000), size=n, replace=False)
    types = rng.integers(0, 4, size=n)
    src = ids[rng.integers(0, n, size=m)]
    dst = ids[rng.integers(0, n, size=m)]
    return ids, types, src, dst


def to_networkx(ids, src, dst) -> nx.Graph:
    graph = nx.Graph()
    graph.add_nodes_from(int(i) for i in ids)
    graph.add_edges_from((int(a), int(b)) for a, b in zip(src, dst, strict=True) if a != b)
    return graph


@pytest.mark.parametrize("seed", range(6))
def test_degrees_betweenness_components_equal_networkx(seed):
    ids, types, src, dst = random_graph(seed)
    metrics = network_metrics(ids, types, src, dst)
    graph = to_networkx(ids, src, dst)

    assert metrics.betweenness_exact
    assert [int(d) for d in metrics.degree] == [graph.degree(int(i)) for i in ids]
    expected = nx.betweenness_centrality(graph, normalized=False)
    assert np.allclose(metrics.betweenness, [expected[int(i)] for i in ids])
    components = sorted((len(c) for c in nx.connected_components(graph)), reverse=True)
    assert list(metrics.component_sizes) == components
    for component in nx.connected_components(graph):
        numbers = {int(metrics.component[list(ids).index(node)]) for node in component}
        assert len(numbers) == 1
    isolated = {int(ids[i]) for i in metrics.isolated}
    assert isolated == {node for node in graph if graph.degree(node) == 0}
    assert metrics.n_edges == graph.number_of_edges()


def test_repeated_pairs_are_one_weighted_edge():
    metrics = network_metrics(
        np.array([10, 20, 30]), np.array([0, 0, 1]),
        np.array([10, 20, 10, 30]), np.array([20, 10, 20, 30]),
    )
    assert list(metrics.degree) == [1, 1, 0]
    assert list(metrics.strength) == [3, 3, 0]
    assert metrics.n_edges == 1
    assert list(metrics.isolated) == [2]


def test_unknown_node_in_an_edge_is_refused():
    with pytest.raises(ValueError, match="not among the nodes"):
        network_metrics(np.array([1, 2]), np.array([0, 0]), np.array([1]), np.array([3]))


def test_sampled_betweenness_ranks_the_bridges_of_a_barbell_first():
    # Two cliques of 150 joined by a path of 3 nodes: the path's nodes (and the two
    # clique members it touches) carry every path between the halves.
    graph = nx.barbell_graph(150, 3)
    ids = np.array(sorted(graph.nodes))
    src, dst = np.array(list(graph.edges)).T
    metrics = network_metrics(ids, np.zeros(len(ids), dtype=int), src, dst, sources=30,
                              exact_max_nodes=100)

    assert not metrics.betweenness_exact
    assert metrics.betweenness_sources == 30
    bridges = {149, 150, 151, 152, 153}  # clique end, the 3 path nodes, clique end
    top = {int(ids[i]) for i in metrics.top_bridges(5)}
    assert top == bridges
    ranks = metrics.betweenness_rank()
    assert {int(ranks[list(ids).index(node)]) for node in bridges} <= {1, 2, 3, 4, 5}
    # The estimate is close to the exact value on the middle node.
    exact = nx.betweenness_centrality(graph, normalized=False)[151]
    assert metrics.betweenness[list(ids).index(151)] == pytest.approx(exact, rel=0.25)


def test_sampled_betweenness_is_deterministic():
    graph = nx.barbell_graph(100, 5)
    ids = np.array(sorted(graph.nodes))
    src, dst = np.array(list(graph.edges)).T
    types = np.zeros(len(ids), dtype=int)
    first = network_metrics(ids, types, src, dst, sources=30, exact_max_nodes=50)
    second = network_metrics(ids, types, src, dst, sources=30, exact_max_nodes=50)
    assert not first.betweenness_exact
    assert np.array_equal(first.betweenness, second.betweenness)


def test_density_per_type_pair_by_hand():
    # types: a a a b b (nodes 0..4); edges: a–a (0,1), a–b (0,3), (1,4), b–b (3,4)
    types = np.array([0, 0, 0, 1, 1])
    density = type_pair_density(types, np.array([0, 0, 1, 3]), np.array([1, 3, 4, 4]), 2)
    assert density[(0, 0)] == (1, 3, pytest.approx(1 / 3))  # 3 a's: 3 possible pairs
    assert density[(0, 1)] == (2, 6, pytest.approx(2 / 6))  # 3 × 2
    assert density[(1, 1)] == (1, 1, 1.0)


def test_density_leaves_out_impossible_pairs():
    density = type_pair_density(np.array([0, 1]), np.array([0]), np.array([1]), 3)
    assert (0, 0) not in density  # one node of type 0: no pair within it
    assert density == {(0, 1): (1, 1, 1.0)}


def test_clique_edges_of_alliances():
    # alliance 7: members 0, 1, 2 (3 pairs); alliance 9: members 2, 3 (1 pair)
    src, dst, group, _ = clique_edges(np.array([7, 9, 7, 7, 9]), np.array([0, 2, 1, 2, 3]))
    pairs = sorted(zip(src.tolist(), dst.tolist(), group.tolist(), strict=True))
    assert pairs == [(0, 1, 7), (0, 2, 7), (1, 2, 7), (2, 3, 9)]


def test_clique_edges_count_is_k_choose_2():
    rng = np.random.default_rng(1)
    sizes = rng.integers(2, 6, size=200)
    groups = np.repeat(np.arange(200), sizes)
    members = np.concatenate([rng.choice(1000, size=k, replace=False) for k in sizes])
    src, dst, _, _ = clique_edges(groups, members)
    assert len(src) == int((sizes * (sizes - 1) // 2).sum())
    assert (src < dst).all()


def test_aggregate_edges_sums_weights():
    src, dst, w = aggregate_edges(np.array([1, 2, 1, 3]), np.array([2, 1, 3, 3]))
    assert sorted(zip(src.tolist(), dst.tolist(), w.tolist(), strict=True)) == [
        (1, 2, 2), (1, 3, 1)
    ]


def test_empty_network():
    metrics = network_metrics(np.array([], dtype=int), np.array([], dtype=int),
                              np.array([], dtype=int), np.array([], dtype=int), n_types=2)
    assert metrics.n_edges == 0
    assert metrics.n_components == 0
    assert metrics.density == {}


def test_ranks_share_ties_and_zero_for_no_path():
    ids = np.arange(5)
    # a path 0-1-2 and an isolated pair 3-4
    metrics = network_metrics(ids, np.zeros(5, dtype=int), np.array([0, 1, 3]),
                              np.array([1, 2, 4]))
    assert list(metrics.betweenness_rank()) == [0, 1, 0, 0, 0]


def test_spring_layout_is_seeded():
    src, dst = np.array([0, 1, 2]), np.array([1, 2, 3])
    first = spring_layout(5, src, dst)
    assert first.shape == (5, 2)
    assert np.array_equal(first, spring_layout(5, src, dst))
