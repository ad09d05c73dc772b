import numpy as np
import pytest

from hrsnn import Network, build_network
from hrsnn.pruning import (keep_probabilities, lyapunov_matrix, neighbourhood_harmonic_means,
                           noise_prune, rate_matrix, relative_covariance_error, sparsify,
                           stationary_covariance)


def five_neurons():
    # 0 -> 1, 1 -> 2, 2 -> 0, 3 -> 4 (two components); neuron 4 inhibitory
    return Network.from_arrays(tau_m=[10.0, 20.0, 30.0, 40.0, 50.0], v_th=[1.0] * 5,
                               is_exc=[True, True, True, True, False],
                               pre=[0, 1, 2, 3, 4], post=[1, 2, 0, 4, 3],
                               weight=[0.1, 0.2, 0.3, 0.4, -0.5], in_channel=[0],
                               in_post=[0], in_weight=[1.0])


def test_lyapunov_matrix_by_hand_on_five_neurons():
    net = five_neurons()
    lam = np.array([0.5, -1.0, 0.0, 2.0, -0.25])
    eps = 0.1
    magnitude = np.abs(lam) + eps               # 0.6, 1.1, 0.1, 2.1, 0.35

    def harmonic(members):
        return len(members) / sum(1.0 / magnitude[k] for k in members)

    # closed neighbourhoods: 0: {0,1,2}, 1: {0,1,2}, 2: {0,1,2}, 3: {3,4}, 4: {3,4}
    expected_h = [harmonic([0, 1, 2])] * 3 + [harmonic([3, 4])] * 2
    h = neighbourhood_harmonic_means(net, lam, eps=eps)
    np.testing.assert_allclose(h, expected_h, rtol=1e-12)
    np.testing.assert_allclose(h[0], 3 / (1 / 0.6 + 1 / 1.1 + 1 / 0.1), rtol=1e-12)
    lyap = lyapunov_matrix(net, lam, eps=eps)
    np.testing.assert_allclose(lyap, net.weight * h / np.mean(h), rtol=1e-12)
    assert np.all(np.sign(lyap) == np.sign(net.weight))
    with pytest.raises(ValueError, match="'exponents' must be 5 finite numbers"):
        lyapunov_matrix(net, lam[:4])


def test_a_near_zero_exponent_lowers_the_entry_without_blowing_up():
    net = five_neurons()
    h = neighbourhood_harmonic_means(net, [1.0, 1.0, 0.0, 1.0, 1.0], eps=1e-3)
    assert np.isfinite(h).all() and h[0] < 0.01 and h[3] == pytest.approx(1.001)


def test_keep_probabilities_hit_the_density_and_follow_the_scores():
    a = np.array([1.0, -2.0, 0.5, 4.0, 0.0, -1.0])
    c_pre = np.array([1.0, 1.0, 2.0, 1.0, 1.0, 1.0])
    c_post = np.array([1.0, 2.0, 1.0, 1.0, 1.0, 3.0])
    c_cross = np.array([0.5, -0.5, 0.0, 0.2, 0.0, 1.0])
    score = np.abs(a) * (c_pre + c_post - 2 * np.sign(a) * c_cross)
    p = keep_probabilities(a, c_pre, c_post, c_cross, 0.5)
    assert p.sum() == pytest.approx(3.0, rel=1e-9)
    assert p.max() <= 1.0 and p[4] == 0.0
    unclipped = (p < 1) & (score > 0)
    ratio = p[unclipped] / score[unclipped]
    np.testing.assert_allclose(ratio, ratio[0], rtol=1e-9)
    assert keep_probabilities(a, c_pre, c_post, c_cross, 1.0).tolist() == [1, 1, 1, 1, 0, 1]


def test_stationary_covariance_solves_the_lyapunov_equation():
    np.testing.assert_allclose(stationary_covariance(-0.5 * np.eye(3), sigma=2.0),
                               4.0 * np.eye(3), rtol=1e-12)     # sigma^2 / (2 a)
    rng = np.random.default_rng(0)
    a = rng.standard_normal((8, 8)) / 4 - 2 * np.eye(8)
    c = stationary_covariance(a)
    np.testing.assert_allclose(a @ c + c @ a.T + np.eye(8), 0.0, atol=1e-12)
    with pytest.raises(ValueError, match="unstable"):
        stationary_covariance(np.eye(2))


def default_rate_matrix(n=200, seed=0):
    net = build_network(n, 1, seed)
    return rate_matrix(net.tau_m, net.weights, n)


def test_sparsify_is_unbiased_and_compensates_the_diagonal():
    a = default_rate_matrix(80)
    rows, cols = np.nonzero(a - np.diag(np.diag(a)))
    draws = [sparsify(a, 0.4, random_state=s) for s in range(300)]
    mean = np.mean([d[0][rows, cols] for d in draws], axis=0)
    p = draws[0][1]
    std = np.abs(a[rows, cols]) * np.sqrt((1 - p) / p / len(draws))
    assert np.all(np.abs(mean - a[rows, cols]) <= 5 * std + 1e-15)
    pruned, _, kept = draws[0]
    off = pruned - np.diag(np.diag(pruned))
    lost = np.abs(a - np.diag(np.diag(a))).sum(axis=1) - np.abs(off).sum(axis=1)
    np.testing.assert_allclose(np.diag(pruned), np.diag(a) + lost, rtol=1e-12, atol=1e-15)
    assert np.count_nonzero(off) == kept.sum()


def test_noise_pruning_keeps_the_covariance_closer_than_random_pruning():
    a = default_rate_matrix(200)
    n_entries = np.count_nonzero(a - np.diag(np.diag(a)))
    errors = {}
    for density in (0.2, 0.5, 0.8):
        noise = [relative_covariance_error(a, sparsify(a, density, random_state=s)[0])
                 for s in range(3)]
        uniform = np.full(n_entries, density)
        random = [relative_covariance_error(
            a, sparsify(a, density, probabilities=uniform, random_state=s)[0])
            for s in range(3)]
        errors[density] = np.mean(noise)
        assert np.mean(noise) < np.mean(random), (density, noise, random)
    assert errors[0.2] > errors[0.5] > errors[0.8]


def test_noise_prune_maps_back_to_the_network():
    net = build_network(150, 1, 2)
    result = noise_prune(net, 0.3, random_state=1)
    pruned = result.network
    assert pruned.n_synapses == result.kept.sum()
    assert abs(result.kept.mean() - 0.3) < 0.05
    back = net.synapse_index(pruned.synapse_id)
    np.testing.assert_array_equal(back, np.flatnonzero(result.kept))
    np.testing.assert_array_equal(np.sign(pruned.weight), np.sign(net.weight[back]))
    expected = net.weight[back] / result.keep_probability[back]
    plastic = pruned.plastic
    np.testing.assert_allclose(pruned.weight, np.where(
        plastic & (expected > net.w_max), net.w_max, expected), rtol=1e-12)
    assert result.clipped == int((plastic & (expected > net.w_max)).sum())
    # the compensated diagonal is the new leak: -1 / tau
    a = rate_matrix(net.tau_m, net.weights, net.n_neurons)
    rows, cols = net.post, net.pre
    scale = np.zeros(net.n_synapses)
    scale[back] = 1 / result.keep_probability[back]
    lost = np.bincount(rows, np.abs(a[rows, cols]), 150) - np.bincount(
        rows, np.abs(a[rows, cols] * scale), 150)
    diagonal = np.diag(a) + lost
    leak = np.where(diagonal < 0, -1 / np.minimum(diagonal, -1e-300), np.inf)
    np.testing.assert_allclose(pruned.tau_m, np.clip(leak, 1.0, 1000.0), rtol=1e-12)
    assert net.n_synapses == build_network(150, 1, 2).n_synapses     # input untouched
    with pytest.raises(ValueError, match="'coupling' must be"):
        noise_prune(net, 0.3, coupling=np.ones(3))


# ------------------------------------------------------------ neuron pruning
def _networkx_betweenness(net):
    import networkx as nx
    graph = nx.DiGraph()
    graph.add_nodes_from(range(net.n_neurons))
    graph.add_edges_from((int(j), int(i), {"d": 1 / abs(w)})
                         for j, i, w in zip(net.pre, net.post, net.weight) if w != 0)
    centrality = nx.betweenness_centrality(graph, weight="d")
    return np.array([centrality[i] for i in range(net.n_neurons)])


def test_prune_neurons_removes_the_least_central_ones_networkx():
    from hrsnn.pruning import prune_neurons
    net = build_network(60, 1, 3, p_in=0.2)
    expected = _networkx_betweenness(net)
    protect = [5, 7]
    result = prune_neurons(net, fraction=0.25, protect=protect)
    np.testing.assert_allclose(result.centrality, expected, rtol=1e-12)
    removable = np.setdiff1d(np.arange(60), np.r_[protect, net.in_post])
    n_removed = round(0.25 * removable.size)
    lowest = removable[np.argsort(expected[removable], kind="stable")[:n_removed]]
    np.testing.assert_array_equal(result.removed, np.sort(lowest))
    assert not np.isin(result.removed, np.r_[protect, net.in_post]).any()
    pruned = result.network
    assert pruned.n_neurons == 60 - n_removed
    np.testing.assert_array_equal(pruned.neuron_id, np.setdiff1d(net.neuron_id, lowest))
    assert pruned.n_inputs == net.n_inputs


def test_prune_neurons_by_threshold_and_errors():
    from hrsnn.pruning import prune_neurons
    net = build_network(50, 1, 4, p_in=0.1)
    centrality = _networkx_betweenness(net)
    result = prune_neurons(net, threshold=0.0, keep_inputs=False)
    np.testing.assert_array_equal(result.removed, np.flatnonzero(centrality <= 0.0))
    with pytest.raises(ValueError, match="exactly one of 'fraction' and 'threshold'"):
        prune_neurons(net)
    with pytest.raises(ValueError, match="'protect' must hold neuron indices"):
        prune_neurons(net, fraction=0.1, protect=[50])
    with pytest.raises(ValueError, match="every neuron"):
        prune_neurons(net, fraction=1.0, keep_inputs=False)


# ------------------------------------------------------- delocalising edges
def path_network(n):
    return Network.from_arrays(tau_m=np.full(n, 10.0), v_th=np.ones(n), is_exc=np.ones(n, bool),
                               pre=np.arange(n - 1), post=np.arange(1, n),
                               weight=np.full(n - 1, 0.01), in_channel=[0], in_post=[0],
                               in_weight=[1.0])


def test_laplacian_ipr_of_a_path_by_hand():
    from hrsnn.pruning import laplacian_ipr
    # path P_n: eigenvectors cos(pi k (i + 1/2) / n); sum cos^4 / (sum cos^2)^2 =
    # (3n/8) / (n/2)^2 = 3 / (2n) for 0 < k (n odd), 1/n for the constant mode
    ipr = laplacian_ipr(path_network(9))
    np.testing.assert_allclose(ipr, [1 / 9] + [1 / 6] * 8, rtol=1e-9)


def test_delocalising_edges_are_local_new_and_greedy():
    from hrsnn.pruning import add_delocalising_edges
    net = build_network(80, 1, 5)
    result = add_delocalising_edges(net, 12, random_state=0)
    existing = set(zip(net.pre.tolist(), net.post.tolist()))
    undirected = existing | {(b, a) for a, b in existing}
    neighbours = {i: {b for a, b in undirected if a == i} for i in range(80)}
    degree = np.array([len(neighbours[i]) for i in range(80)])
    added = list(zip(result.pre.tolist(), result.post.tolist()))
    assert len(set(map(frozenset, added))) == 12
    for a, b in added:
        assert (a, b) not in undirected and a != b
        assert neighbours[a] & neighbours[b]                         # two hops apart
    # the first edge is the best local pair by brute force: largest d_a + d_b
    pairs = [(a, b) for a in range(80) for b in range(a + 1, 80)
             if (a, b) not in undirected and neighbours[a] & neighbours[b]]
    best = max(degree[a] + degree[b] for a, b in pairs)
    a, b = added[0]
    assert degree[a] + degree[b] == best
    grown = result.network
    new = grown.synapse_index(net.next_synapse_id + np.arange(12))
    np.testing.assert_array_equal(grown.pre[new], result.pre)
    assert np.all((grown.weight[new] > 0) == net.is_exc[result.pre])           # Dale
    plastic = grown.plastic[new]
    assert np.all(plastic == (net.is_exc[result.pre] & net.is_exc[result.post]))
    assert np.all(grown.weight[new][plastic] <= net.w_max)
    assert result.ipr_before.shape == result.ipr_after.shape == (80,)


def test_delocalising_edges_stop_when_no_local_pair_is_left():
    from hrsnn.pruning import add_delocalising_edges
    # path of 4: the local unconnected pairs are (0, 2) and (1, 3)
    result = add_delocalising_edges(path_network(4), 10)
    assert add_delocalising_edges(path_network(4), 1, ipr=False).ipr_after is None
    with pytest.raises(ValueError, match="'ipr' of add_delocalising_edges"):
        add_delocalising_edges(path_network(4), 1, ipr="yes")
    assert sorted(map(sorted, zip(result.pre.tolist(), result.post.tolist()))) == [[0, 2],
                                                                                  [1, 3]]


# ------------------------------------------------------------------ LNP loop
@pytest.fixture(scope="module")
def lnp_run():
    from hrsnn.pruning import lnp
    net = build_network(120, 1, 7)
    return net, lnp(net, n_iter=2, density=0.5, neuron_fraction=0.1, protect=[3, 4],
                    n_steps=300, transient=50, k=10, random_state=0)


def test_lnp_shrinks_the_network_and_maps_back(lnp_run):
    net, result = lnp_run
    sizes = [(row["n_neurons"], row["n_synapses"]) for row in result.history]
    assert [row["iteration"] for row in result.history] == [0, 1, 2]
    assert sizes[0] == (120, net.n_synapses)
    assert sizes[2][0] < sizes[1][0] < 120 and sizes[2][1] < sizes[1][1] < net.n_synapses
    pruned = result.network
    assert (pruned.n_neurons, pruned.n_synapses) == sizes[2]
    assert np.isin([3, 4], net.neuron_index(pruned.neuron_id)).all()        # protected
    assert np.isin(net.in_post, net.neuron_index(pruned.neuron_id)).all()   # input neurons
    old = pruned.synapse_id < net.next_synapse_id
    back = net.synapse_index(pruned.synapse_id[old])
    np.testing.assert_array_equal(np.sign(pruned.weight[old]), np.sign(net.weight[back]))
    assert net.n_synapses == build_network(120, 1, 7).n_synapses           # input untouched
    assert len(result.networks) == 3 and result.networks[0] is net
    assert result.networks[-1] is pruned
    assert [(m.n_neurons, m.n_synapses) for m in result.networks] == sizes


def test_lnp_history_sops_match_a_direct_run(lnp_run):
    from hrsnn import Reservoir
    from hrsnn.metrics import synaptic_operations_from_counts
    net, result = lnp_run
    u = np.random.default_rng(0).uniform(-1.0, 1.0, (500, 1))   # the documented default
    spiking = Reservoir(network=result.network, stdp=False, random_state=0).fit(u[None])
    counts = spiking.run(u, record_spikes=False).counts
    expected = synaptic_operations_from_counts(counts, result.network.out_degree()) / 2500
    assert result.history[-1]["sops_per_step"] == pytest.approx(expected, rel=1e-12)


def test_lnp_is_reproducible_and_takes_a_reservoir():
    from hrsnn import Reservoir
    from hrsnn.pruning import lnp
    u = np.random.default_rng(1).uniform(-1, 1, (1, 50, 1))
    reservoir = Reservoir(80, random_state=2).fit(u)
    kwargs = dict(n_iter=1, n_steps=200, transient=20, k=5, random_state=3)
    first, second = lnp(reservoir, **kwargs), lnp(reservoir, **kwargs)
    assert first.history == second.history
    np.testing.assert_array_equal(first.network.weight, second.network.weight)
    assert first.reservoir.network is first.network and "network_" not in vars(first.reservoir)
    assert reservoir.network_.n_synapses == first.history[0]["n_synapses"]
    with pytest.raises(ValueError, match="'reference_input' must have shape"):
        lnp(reservoir, n_iter=1, reference_input=np.zeros((10, 2)))


# ------------------------------------------------------------------ baselines
def test_activity_pruning_removes_the_least_active_neurons():
    from hrsnn import Reservoir
    from hrsnn.pruning import activity_prune
    net = build_network(100, 1, 8, p_in=0.3)
    u = np.random.default_rng(0).uniform(-1, 1, (300, 1))
    result = activity_prune(net, n_iter=1, fraction=0.2, reference_input=u)
    counts = Reservoir(network=net, stdp=False, random_state=0).fit(u[None]).run(
        u, record_spikes=False).counts
    removable = np.setdiff1d(np.arange(100), net.in_post)
    lowest = removable[np.argsort(counts[removable], kind="stable")[:round(0.2 * removable.size)]]
    kept = net.neuron_index(result.network.neuron_id)
    np.testing.assert_array_equal(kept, np.setdiff1d(np.arange(100), lowest))
    assert [row["n_neurons"] for row in result.history] == [100, 100 - lowest.size]
    assert [m.n_neurons for m in result.networks] == [100, 100 - lowest.size]


def test_random_like_has_the_counts_dale_and_no_duplicates():
    from hrsnn.pruning import random_like
    template = build_network(90, 1, 9)
    small = template.keep_synapses(np.random.default_rng(0).random(template.n_synapses) < 0.3)
    rand = random_like(small, template=template, random_state=1)
    assert rand.n_neurons == small.n_neurons and rand.n_synapses == small.n_synapses
    pairs = set(zip(rand.pre.tolist(), rand.post.tolist()))
    assert len(pairs) == rand.n_synapses and all(a != b for a, b in pairs)
    assert np.all((rand.weight > 0) == rand.is_exc[rand.pre])
    np.testing.assert_array_equal(rand.plastic, rand.is_exc[rand.pre] & rand.is_exc[rand.post])
    np.testing.assert_array_equal(rand.in_post, small.in_post)
    # uniform placement: E->E share of synapses ~ the E->E share of ordered pairs
    n_exc = rand.is_exc.sum()
    share = n_exc * (n_exc - 1) / (90 * 89)
    observed = np.mean(rand.is_exc[rand.pre] & rand.is_exc[rand.post])
    assert abs(observed - share) < 4 * np.sqrt(share * (1 - share) / rand.n_synapses)
    assert set(rand.weight[rand.plastic]) <= set(template.weight[template.plastic])


def test_sampled_covariance_entries_agree_with_the_exact_solution():
    from hrsnn.pruning import sampled_covariance_entries
    net = build_network(120, 1, 0)
    c = stationary_covariance(rate_matrix(net.tau_m, net.weights, 120))
    pre, post = net.pre, net.post
    c_pre, c_post, c_cross = sampled_covariance_entries(net.tau_m, net.weight, pre, post,
                                                        duration_ms=1e5, random_state=0)
    np.testing.assert_allclose(c_pre, c[pre, pre], rtol=0.15)
    np.testing.assert_allclose(c_post, c[post, post], rtol=0.15)
    a_entries = net.weight / net.tau_m[post]
    exact = keep_probabilities(a_entries, c[pre, pre], c[post, post], c[post, pre], 0.3)
    sampled = keep_probabilities(a_entries, c_pre, c_post, c_cross, 0.3)
    assert np.corrcoef(exact, sampled)[0, 1] > 0.99 and np.abs(exact - sampled).max() < 0.1
    # the network-level route: same kept count in expectation, the documented choice
    result = noise_prune(net, 0.3, covariance="sampled", sampled_ms=2e4, random_state=1)
    assert result.keep_probability.sum() == pytest.approx(0.3 * net.n_synapses, rel=1e-6)
    with pytest.raises(ValueError, match="diverged"):
        sampled_covariance_entries(np.full(2, 10.0), np.array([30.0, 30.0]), np.array([0, 1]),
                                   np.array([1, 0]), duration_ms=5000)
    with pytest.raises(ValueError, match="'covariance' parameter of noise_prune"):
        noise_prune(net, 0.3, covariance="dense")


# ---------------------------------------------------- timescale re-tuning
def test_timescale_objective_maps_tau_by_rank_and_scores_by_hand():
    from scipy import stats

    from hrsnn.pruning import TimescaleObjective
    net = build_network(60, 1, 11)
    objective = TimescaleObjective(net, target=-0.005, expansion_penalty=3.0, seed=4,
                                   n_steps=200, transient=20)
    params = {"tau_m_exc_shape": 2.0, "tau_m_exc_mean": 50.0,
              "tau_m_inh_shape": 4.0, "tau_m_inh_mean": 15.0}
    retuned = objective.retuned(params)
    for mask, shape, mean in ((net.is_exc, 2.0, 50.0), (~net.is_exc, 4.0, 15.0)):
        old = net.tau_m[mask]
        order = np.argsort(old, kind="stable")          # slowest-ranked gets the top quantile
        q = (np.arange(old.size) + 0.5) / old.size
        expected = np.clip(stats.gamma.ppf(q, shape, scale=mean / shape), 1.0, 200.0)
        np.testing.assert_allclose(retuned.tau_m[mask][order], expected, rtol=1e-12)
    np.testing.assert_array_equal(retuned.weight, net.weight)
    assert objective.score(-0.002) == pytest.approx(-0.003)
    assert objective.score(0.01) == pytest.approx(-0.015 - 0.03)
    assert objective(params) == objective.score(objective.largest_exponent(retuned))


def test_timescale_objective_matches_several_exponents():
    from hrsnn.dynamics import RateNetwork, lyapunov_spectrum
    from hrsnn.pruning import TimescaleObjective
    net = build_network(50, 1, 13)
    objective = TimescaleObjective(net, target=[-0.01, -0.02, -0.03], expansion_penalty=2.0,
                                   seed=5, n_steps=150, transient=20)
    # mean |lambda - target| over the three, plus the penalty on a positive lambda_1
    assert objective.score([0.01, -0.02, -0.05]) == pytest.approx(
        -(0.02 + 0.0 + 0.02) / 3 - 2.0 * 0.01)
    rate = RateNetwork.from_network(net)
    trajectory = rate.simulate(150, 1.0, noise_sigma=0.5, random_state=5)
    direct = lyapunov_spectrum(rate.tangent_maps(trajectory), 1.0, k=3, transient=20,
                               random_state=5).exponents
    np.testing.assert_allclose(objective.leading_exponents(net), direct, rtol=1e-12)
    for bad in ([], [np.nan], np.zeros(51)):
        with pytest.raises(ValueError, match="'target'"):
            TimescaleObjective(net, target=bad)


def test_retune_towards_a_reference_spectrum():
    from hrsnn.pruning import TimescaleObjective, lnp, retune_timescales
    dense = build_network(120, 1, 14)
    pruned = lnp(dense, n_iter=1, density=0.4, n_steps=200, transient=20, k=10,
                 random_state=0).network
    settings = dict(n_steps=200, transient=20)
    result = retune_timescales(pruned, reference=dense, k=4, n_iter=8, n_initial=4,
                               random_state=0, **settings)
    probe = TimescaleObjective(dense, target=np.zeros(4), seed=0, **settings)
    np.testing.assert_allclose(result.target, probe.leading_exponents(dense), rtol=1e-12)
    objective = TimescaleObjective(pruned, target=result.target, seed=0, **settings)
    space = result.optimizer.space
    initial = objective(space.to_reservoir_params(space.initial_candidate()))
    assert objective.score(result.exponents) == pytest.approx(result.optimizer.best_["value"])
    assert result.optimizer.best_["value"] >= initial
    with pytest.raises(ValueError, match="not both"):
        retune_timescales(pruned, reference=dense, target=0.0)


def test_retune_timescales_moves_the_exponent_towards_the_target():
    from hrsnn.pruning import TimescaleObjective, retune_timescales
    net = build_network(80, 1, 12)
    result = retune_timescales(net, n_iter=8, n_initial=4, random_state=0, n_steps=200,
                               transient=20)
    objective = TimescaleObjective(net, seed=0, n_steps=200, transient=20)
    space = result.optimizer.space
    initial = objective(space.to_reservoir_params(space.initial_candidate()))
    assert result.optimizer.best_["value"] >= initial
    assert objective.score(result.largest_exponent) == pytest.approx(
        result.optimizer.best_["value"], rel=1e-12)
    assert abs(result.largest_exponent) <= abs(result.initial_exponent)
    with pytest.raises(ValueError, match="membrane time constants only"):
        retune_timescales(net, groups=("v_th",))


# ------------------------------------------------------- the large-network paths
def test_auto_switches_to_the_large_network_paths_beyond_their_limits(monkeypatch):
    from hrsnn.pruning import add_delocalising_edges, delocalise, noise, noise_prune
    net = build_network(150, 1, 15)
    monkeypatch.setattr(noise, "EXACT_COVARIANCE_MAX", 149)
    auto = noise_prune(net, 0.4, sampled_ms=5e3, random_state=2)
    sampled = noise_prune(net, 0.4, covariance="sampled", sampled_ms=5e3, random_state=2)
    np.testing.assert_array_equal(auto.keep_probability, sampled.keep_probability)
    monkeypatch.setattr(noise, "EXACT_COVARIANCE_MAX", 150)
    exact = noise_prune(net, 0.4, covariance="exact", random_state=2)
    np.testing.assert_array_equal(noise_prune(net, 0.4, random_state=2).keep_probability,
                                  exact.keep_probability)
    monkeypatch.setattr(delocalise, "IPR_MAX_NEURONS", 149)
    grown = add_delocalising_edges(net, 5, random_state=0)
    assert grown.ipr_before is None and grown.ipr_after is None
    monkeypatch.setattr(delocalise, "IPR_MAX_NEURONS", 150)
    assert add_delocalising_edges(net, 5, random_state=0).ipr_before is not None


@pytest.mark.slow
def test_lnp_on_a_network_beyond_the_exact_limits(monkeypatch):
    """3,200 neurons: sampled covariance, sampled betweenness, no IPR; the result stays a
    valid pruned network of the input's ids, Dale's law and the plastic bounds kept."""
    from hrsnn.pruning import lnp, noise
    net = build_network(3200, 1, 0)
    assert net.n_neurons > noise.EXACT_COVARIANCE_MAX
    calls = []
    sampled = noise.sampled_covariance_entries
    monkeypatch.setattr(noise, "sampled_covariance_entries",
                        lambda *a, **k: calls.append(1) or sampled(*a, **k))
    result = lnp(net, n_iter=1, density=0.5, n_steps=200, transient=50, k=10,
                 betweenness_sources=32, random_state=0)
    assert calls == [1]
    pruned = result.network
    assert net.n_neurons > pruned.n_neurons >= 0.94 * net.n_neurons    # 5 % of removable
    assert 0.4 * net.n_synapses < pruned.n_synapses < 0.6 * net.n_synapses
    exc_pre = pruned.is_exc[pruned.pre]
    assert np.all(pruned.weight[exc_pre] >= 0) and np.all(pruned.weight[~exc_pre] <= 0)
    assert np.all(pruned.weight[pruned.plastic] <= pruned.w_max)
    assert len(set(zip(pruned.pre.tolist(), pruned.post.tolist()))) == pruned.n_synapses
    assert np.isin(pruned.neuron_id, net.neuron_id).all()
    assert np.isfinite(result.history[-1]["largest_exponent"])
