"""Betweenness selection against hand computation and networkx; the classification MLP."""

import networkx as nx
import numpy as np
import pytest

from hrsnn import Reservoir, build_network
from hrsnn.readout import CentralNeuronSelector, central_neuron_classifier, central_neurons


def path_graph(weights=(1.0, 1.0, 1.0, 1.0)):
    graph = nx.DiGraph()
    graph.add_nodes_from(range(5))
    graph.add_weighted_edges_from((i, i + 1, w) for i, w in enumerate(weights))
    return graph


def test_directed_path_by_hand():
    """0 -> 1 -> 2 -> 3 -> 4: node 2 lies on 4 shortest paths, nodes 1 and 3 on 3."""
    graph = path_graph()
    assert central_neurons(graph, 0.2).tolist() == [2]
    assert central_neurons(graph, 0.6).tolist() == [2, 1, 3]       # tie: node listed first
    assert central_neurons(graph, 1.0).tolist() == [2, 1, 3, 0, 4]


def test_star_centre_by_hand():
    """Centre 0 joined both ways to 4 leaves: all 12 leaf-to-leaf paths pass through it."""
    graph = nx.DiGraph()
    graph.add_weighted_edges_from([(0, leaf, 0.5) for leaf in range(1, 5)]
                                  + [(leaf, 0, -0.5) for leaf in range(1, 5)])
    assert central_neurons(graph, 0.2).tolist() == [0]


def test_length_is_one_over_absolute_weight():
    """0 -> 2 directly (weight 0.1, length 10) or via 1 (weights 1 and -1, length 2)."""
    graph = nx.DiGraph()
    graph.add_weighted_edges_from([(0, 2, 0.1), (0, 1, 1.0), (1, 2, -1.0)])
    assert central_neurons(graph, 0.3).tolist() == [1]   # hop counts would give 1 nothing
    graph[0][2]["weight"] = 2.0                            # length 0.5: the direct edge wins
    graph.add_edge(3, 0, weight=1.0)
    assert central_neurons(graph, 0.25).tolist() == [0]
    graph.remove_edge(3, 0)
    graph[0][2]["weight"] = 0.0                            # a zero weight is no synapse
    assert central_neurons(graph, 0.25).tolist() == [1]


def test_network_against_networkx():
    net = build_network(60, 1, seed=3)
    graph = net.to_networkx()
    for a, b, data in graph.edges(data=True):
        data["length"] = 1.0 / abs(data["weight"])
    centrality = nx.betweenness_centrality(graph, weight="length")
    values = np.array([centrality[i] for i in range(60)])
    chosen = central_neurons(net, 0.1)
    assert len(chosen) == 6
    np.testing.assert_allclose(values[chosen], np.sort(values)[::-1][:6])


def test_sampled_betweenness_is_seeded():
    net = build_network(60, 1, seed=3)
    a = central_neurons(net, 0.1, k=20, random_state=1)
    np.testing.assert_array_equal(a, central_neurons(net, 0.1, k=20, random_state=1))
    np.testing.assert_array_equal(central_neurons(net, 0.1, k=60), central_neurons(net, 0.1))


@pytest.mark.parametrize("kwargs, error, match", [
    (dict(fraction=0.0), ValueError, "'fraction' parameter"),
    (dict(fraction=1.5), ValueError, "'fraction' parameter"),
    (dict(k=6), ValueError, "'k' parameter"),
    (dict(k=2.5), TypeError, "'k' parameter"),
])
def test_invalid_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        central_neurons(path_graph(), **kwargs)
    with pytest.raises(TypeError, match="Network or a networkx graph"):
        central_neurons(np.eye(3))


@pytest.fixture(scope="module")
def sequences():
    """Two classes: the driven input channel."""
    rng = np.random.default_rng(0)
    y = rng.integers(2, size=40)
    X = 0.2 * rng.uniform(size=(40, 15, 2))
    X[np.arange(40), :, y] += 1.0
    return X, y


def test_selector_keeps_the_central_columns(sequences):
    X, _ = sequences
    selector = CentralNeuronSelector(Reservoir(n_neurons=80, random_state=0),
                                     fraction=0.25).fit(X)
    assert selector.central_neurons_.tolist() == central_neurons(
        selector.reservoir_.network_, 0.25).tolist()
    full = selector.reservoir_.transform(X)
    np.testing.assert_array_equal(selector.transform(X), full[:, selector.central_neurons_])
    assert selector.transform(X).shape == (40, 20)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_central_neuron_classifier_runs(sequences):
    X, y = sequences
    # 300 neurons: with signed input weights, the 8 most central of 80 neurons
    # happen to receive no net excitation from the two channels and stay silent
    model = central_neuron_classifier(Reservoir(n_neurons=300, random_state=0),
                                      random_state=0).fit(X, y)
    assert model[-1].hidden_layer_sizes == (20, 20) and model[-1].n_features_in_ == 30
    assert model.predict(X).shape == (40,)
    assert model.score(X, y) > 0.8                      # it learns the training set
    with pytest.raises(ValueError, match="'hidden_layer_sizes' parameter"):
        central_neuron_classifier(hidden_layer_sizes=())
