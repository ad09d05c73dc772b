import numpy as np
import pytest
from scipy import stats

from hrsnn import Reservoir, build_network
from hrsnn.clustered import build_clustered_network, cluster_slices


def cluster_of(net, n_clusters):
    labels = np.empty(net.n_neurons, dtype=int)
    for c, block in enumerate(cluster_slices(net.n_neurons, n_clusters)):
        labels[list(block)] = c
    return labels


def clipped_gamma_mean(shape, mean, low=1.0, high=200.0):
    law = stats.gamma(shape, scale=mean / shape)
    x = np.linspace(low, high, 200001)
    inside = np.trapezoid(x * law.pdf(x), x)
    return low * law.cdf(low) + inside + high * law.sf(high)


def test_each_cluster_has_its_own_timescales():
    net = build_clustered_network(1600, 1, 0, n_clusters=4, timescale_spread=4.0)
    labels = cluster_of(net, 4)
    for c in range(4):
        tau = net.tau_m[(labels == c) & net.is_exc]
        expected = clipped_gamma_mean(3.0, 20.0 * 4.0 ** (c / 3 - 0.5))
        assert abs(tau.mean() - expected) < 4 * tau.std() / np.sqrt(tau.size), (c, tau.mean())


def test_clusters_are_the_model_networks_and_link_as_a_ring():
    n, n_clusters, p = 400, 4, 0.02
    net = build_clustered_network(n, 1, 3, n_clusters=n_clusters, p_between=p, rewire=0.0)
    labels = cluster_of(net, n_clusters)
    # cluster 0 is build_network with its own seed stream and the scaled means
    stream = np.random.SeedSequence(3).spawn(n_clusters + 1)[0]
    alone = build_network(100, 1, stream, tau_m_exc_mean=10.0, tau_m_inh_mean=5.0)
    inside = (labels[net.pre] == 0) & (labels[net.post] == 0)
    np.testing.assert_array_equal(net.weight[inside], alone.weight)
    np.testing.assert_array_equal(net.tau_m[:100], alone.tau_m)
    # between clusters: only ring neighbours, each ordered pair with probability p
    between = labels[net.pre] != labels[net.post]
    gaps = (labels[net.post[between]] - labels[net.pre[between]]) % n_clusters
    assert set(gaps.tolist()) == {1, 3}
    n_pairs = 8 * 100 * 100
    assert abs(between.sum() - p * n_pairs) < 4 * np.sqrt(p * (1 - p) * n_pairs)
    assert np.all((net.weight > 0) == net.is_exc[net.pre])
    np.testing.assert_array_equal(net.plastic, net.is_exc[net.pre] & net.is_exc[net.post])
    # denser within than between
    within_density = (~between).sum() / (4 * 100 * 99)
    assert within_density > 2 * p


def test_clustered_networks_run_in_a_reservoir_and_reproduce():
    first = build_clustered_network(200, 2, 5)
    second = build_clustered_network(200, 2, 5)
    np.testing.assert_array_equal(first.weight, second.weight)
    np.testing.assert_array_equal(first.pre, second.pre)
    X = np.random.default_rng(0).uniform(-1, 1, (3, 40, 2))
    features = Reservoir(network=first, random_state=0).fit(X).transform(X)
    assert features.shape == (3, 200)
    with pytest.raises(ValueError, match="'n_clusters'"):
        build_clustered_network(10, 1, 0, n_clusters=11)
    with pytest.raises(ValueError, match="'p_between'"):
        build_clustered_network(100, 1, 0, p_between=2.0)
