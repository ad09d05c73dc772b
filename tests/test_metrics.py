"""Metrics against hand loops, closed forms and independent library computations."""

import math

import networkx as nx
import numpy as np
import pytest
from scipy.stats import multivariate_normal, ortho_group
from sklearn.linear_model import Ridge

from hrsnn.metrics import (
    VPT,
    MemoryCapacity,
    average_activation,
    effective_rank,
    heterogeneity,
    memory_capacity,
    memory_capacity_input,
    memory_capacity_test_start,
    nrmse,
    nrmse_per_step,
    spike_count,
    spike_efficiency,
    synaptic_operations,
    synaptic_operations_ratio,
    valid_prediction_time,
)
from hrsnn.simulator import SimulationResult


# ------------------------------------------------------------------ NRMSE
def _nrmse_loop(y, yhat, std):
    total, n = 0.0, 0
    for t in range(y.shape[0]):
        for d in range(y.shape[1]):
            total += ((yhat[t, d] - y[t, d]) / std[d]) ** 2
            n += 1
    return math.sqrt(total / n)


def test_nrmse_matches_hand_loop_with_default_and_given_scale():
    rng = np.random.default_rng(0)
    y = rng.normal(size=(40, 3)) * [1.0, 5.0, 0.2]
    yhat = y + rng.normal(scale=0.3, size=y.shape)
    std = [math.sqrt(sum((v - sum(col) / len(col)) ** 2 for v in col) / len(col))
           for col in y.T.tolist()]
    assert nrmse(y, yhat) == pytest.approx(_nrmse_loop(y, yhat, std), rel=1e-12)
    given = [2.0, 3.0, 4.0]
    assert nrmse(y, yhat, scale=given) == pytest.approx(_nrmse_loop(y, yhat, given), rel=1e-12)


def test_nrmse_per_step_matches_hand_loop_and_1d_input():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(25, 2))
    yhat = y + rng.normal(size=y.shape)
    scale = np.array([0.5, 2.0])
    curve = nrmse_per_step(y, yhat, scale)
    assert curve.shape == (25,)
    for t in range(25):
        expected = math.sqrt(sum(((yhat[t, d] - y[t, d]) / scale[d]) ** 2 for d in (0, 1)) / 2)
        assert curve[t] == pytest.approx(expected, rel=1e-12)
    one = nrmse_per_step(y[:, 0], yhat[:, 0], scale=0.5)
    assert np.allclose(one, np.abs(yhat[:, 0] - y[:, 0]) / 0.5)


def test_nrmse_errors_name_the_argument():
    y = np.zeros((10, 2)) + np.arange(10)[:, None]
    with pytest.raises(ValueError, match="same shape"):
        nrmse(y, y[:, :1])
    with pytest.raises(ValueError, match="'scale'"):
        nrmse(y, y, scale=[1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match="'scale'"):
        nrmse(y, y, scale=[1.0, 0.0])
    with pytest.raises(ValueError, match="constant"):
        nrmse(np.ones((5, 2)), np.zeros((5, 2)))
    with pytest.raises(ValueError, match="'y_true'"):
        nrmse(np.zeros((2, 2, 2)), np.zeros((2, 2, 2)))


# ------------------------------------------------------------------ VPT
def _with_error_curve(curve, scale):
    """A target and a forecast whose per-step NRMSE is exactly ``curve``."""
    rng = np.random.default_rng(2)
    y = rng.normal(size=(len(curve), 3))
    return y, y + np.asarray(curve)[:, None] * scale


def test_vpt_first_crossing_in_steps_time_and_lyapunov_times():
    curve = [0.01, 0.02, 0.05, 0.09, 0.12, 0.05, 0.3, 0.01]
    scale = np.array([1.0, 8.0, 0.5])
    y, yhat = _with_error_curve(curve, scale)
    assert np.allclose(nrmse_per_step(y, yhat, scale), curve)
    vpt = valid_prediction_time(y, yhat, scale=scale, dt=0.01, lyapunov_exponent=0.906)
    assert isinstance(vpt, VPT)
    assert vpt.steps == 4  # 0.12 at index 4 is the first value above 0.1
    assert vpt.time == pytest.approx(4 * 0.01)
    assert vpt.lyapunov_times == pytest.approx(4 * 0.01 * 0.906)
    assert valid_prediction_time(y, yhat, threshold=0.2, scale=scale).steps == 6
    plain = valid_prediction_time(y, yhat, scale=scale)
    assert plain.time is None and plain.lyapunov_times is None


def test_vpt_never_crossing_gives_all_steps_and_nan_counts_as_crossing():
    scale = np.ones(3)
    y, yhat = _with_error_curve([0.0, 0.05, 0.1, 0.02], scale)
    assert valid_prediction_time(y, yhat, scale=scale).steps == 4  # 0.1 is not > 0.1
    yhat[2, 1] = np.nan
    assert valid_prediction_time(y, yhat, scale=scale).steps == 2
    yhat[0, 0] = np.inf
    assert valid_prediction_time(y, yhat, scale=scale).steps == 0


def test_vpt_needs_dt_for_lyapunov_times():
    y, yhat = _with_error_curve([0.0, 0.5], np.ones(3))
    with pytest.raises(ValueError, match="'dt'"):
        valid_prediction_time(y, yhat, scale=1.0, lyapunov_exponent=0.9)
    with pytest.raises(ValueError, match="'threshold'"):
        valid_prediction_time(y, yhat, scale=1.0, threshold=-1.0)


# ------------------------------------------------------------------ effective rank
def _with_singular_values(sigma, shape, seed):
    m, n = shape
    u = ortho_group.rvs(m, random_state=seed)[:, :len(sigma)]
    v = ortho_group.rvs(n, random_state=seed + 1)[:, :len(sigma)]
    return u @ np.diag(sigma) @ v.T


@pytest.mark.parametrize("energy, expected", [
    (0.4, 1), (0.41, 2), (0.7, 2), (0.85, 3), (0.9, 3), (0.95, 4), (1.0, 4),
])
def test_effective_rank_of_known_singular_values(energy, expected):
    # sigma = 4, 3, 2, 1: cumulative sums 4, 7, 9, 10 of 10 (0.9 is an exact tie).
    states = _with_singular_values([4.0, 3.0, 2.0, 1.0], (12, 9), seed=3)
    assert np.allclose(np.linalg.svd(states, compute_uv=False)[:5], [4, 3, 2, 1, 0])
    assert effective_rank(states, energy=energy) == expected
    assert effective_rank(states.T, energy=energy) == expected


def test_effective_rank_of_low_rank_matrices_and_zero():
    rng = np.random.default_rng(4)
    for rank in (1, 3, 7):
        low = rng.normal(size=(50, rank)) @ rng.normal(size=(rank, 40))
        assert effective_rank(low, energy=1.0) == rank
        assert 1 <= effective_rank(low) <= rank
    assert effective_rank(np.zeros((6, 5))) == 0
    assert effective_rank(np.eye(30)) == 30  # 30 equal values: 0.99 * 30 needs all 30
    assert effective_rank(np.eye(30), energy=0.5) == 15


def test_effective_rank_errors():
    with pytest.raises(ValueError, match="'states'"):
        effective_rank(np.ones(5))
    with pytest.raises(ValueError, match="'energy'"):
        effective_rank(np.eye(3), energy=1.5)


# ------------------------------------------------------------------ memory capacity
def _delay_line(u, n_delays, start=1):
    """Columns u(t - start), ..., u(t - start - n_delays + 1), zero before the start."""
    states = np.zeros((u.size, n_delays))
    for j in range(n_delays):
        lag = start + j
        states[lag:, j] = u[:u.size - lag]
    return states


def test_memory_capacity_of_a_perfect_delay_line():
    u = memory_capacity_input(3000, random_state=5)
    states = _delay_line(u, 10)
    mc = memory_capacity(states, u, k_max=15, washout=20)
    assert isinstance(mc, MemoryCapacity)
    assert np.array_equal(mc.delays, np.arange(1, 16))
    assert mc.per_delay.shape == (15,)
    assert np.all(mc.per_delay[:10] > 0.999)
    assert np.all(mc.per_delay[10:] < 0.02)
    assert mc.total == pytest.approx(10.0, abs=0.1)
    assert mc.total == pytest.approx(mc.per_delay.sum())


def test_memory_capacity_counts_delays_from_one():
    # States hold u(t) and u(t - 1): only delay 1 is remembered (delay 0 is not counted).
    u = memory_capacity_input(2000, random_state=6)
    states = _delay_line(u, 2, start=0)
    mc = memory_capacity(states, u, k_max=3, alpha=1e-8)
    assert mc.per_delay[0] > 0.999
    assert np.all(mc.per_delay[1:] < 0.02)


def test_memory_capacity_of_noise_is_near_zero():
    rng = np.random.default_rng(7)
    u = memory_capacity_input(3000, random_state=rng)
    mc = memory_capacity(rng.normal(size=(3000, 20)), u, k_max=10)
    assert 0.0 <= mc.total < 0.1


def test_memory_capacity_matches_ridge_and_corrcoef_computed_by_hand():
    rng = np.random.default_rng(8)
    n, k_max, washout, alpha = 1200, 6, 30, 0.5
    u = memory_capacity_input(n, random_state=rng)
    states = np.tanh(_delay_line(u, 8) @ rng.normal(size=(8, 12))
                     + 0.1 * rng.normal(size=(n, 12)))
    mc = memory_capacity(states, u, k_max=k_max, washout=washout, test_fraction=0.25,
                         alpha=alpha)
    rows = list(range(washout, n))
    n_train = math.floor(len(rows) * 0.75)
    for k in range(1, k_max + 1):
        x = np.array([states[t] for t in rows])
        y = np.array([u[t - k] for t in rows])
        pred = Ridge(alpha=alpha).fit(x[:n_train], y[:n_train]).predict(x[n_train:])
        r = np.corrcoef(pred, y[n_train:])[0, 1]
        assert mc.per_delay[k - 1] == pytest.approx(r ** 2, rel=1e-8)


def test_memory_capacity_constant_states_score_zero():
    u = memory_capacity_input(500, random_state=9)
    mc = memory_capacity(np.ones((500, 3)), u, k_max=4, alpha=1.0)
    assert np.array_equal(mc.per_delay, np.zeros(4))


def test_memory_capacity_input_is_uniform_and_seeded():
    u = memory_capacity_input(20000, random_state=10)
    assert u.shape == (20000,)
    assert u.min() >= -0.5 and u.max() < 0.5
    assert abs(u.mean()) < 0.01 and u.var() == pytest.approx(1 / 12, rel=0.03)
    assert np.array_equal(u, memory_capacity_input(20000, random_state=10))


def test_memory_capacity_errors():
    u = memory_capacity_input(100, random_state=0)
    with pytest.raises(ValueError, match="'inputs'"):
        memory_capacity(np.zeros((100, 3)), u[:99])
    with pytest.raises(ValueError, match="'states'"):
        memory_capacity(np.zeros(100), u)
    with pytest.raises(ValueError, match="usable rows"):
        memory_capacity(np.zeros((100, 3)), u, k_max=98)
    with pytest.raises(ValueError, match="'alpha'"):
        memory_capacity(np.zeros((100, 3)), u, k_max=5, alpha=[1.0, -1.0])
    with pytest.raises(ValueError, match="'test_fraction'"):
        memory_capacity(np.zeros((100, 3)), u, test_fraction=1.5)


# ------------------------------------------------------------------ activity and SOPs
def test_spike_count_activation_and_efficiency_by_hand():
    result = SimulationResult(spike_steps=np.array([0, 1, 1]), spike_neurons=np.array([0, 2, 1]),
                              counts=np.array([1, 1, 1]), states=None, v=None, n_steps=2,
                              dt=1.0)
    assert spike_count(result) == 3
    assert spike_count(np.array([[2, 0], [5, 1]])) == 8
    assert average_activation(3000, 100, 500) == pytest.approx(0.06)
    assert spike_efficiency(12.0, 3000, 100) == pytest.approx(0.4)
    mc = MemoryCapacity(6.0, np.array([3.0, 3.0]), np.array([1, 2]))
    assert spike_efficiency(mc, 50, 10) == pytest.approx(1.2)
    assert spike_efficiency(1.0, 0, 10) == math.inf
    assert math.isnan(spike_efficiency(0.0, 0, 10))
    with pytest.raises(ValueError, match="'result_or_counts'"):
        spike_count(np.array([1, -1]))
    with pytest.raises(ValueError, match="'n_neurons'"):
        average_activation(10, 0, 5)


def test_synaptic_operations_hand_example():
    out_degree = np.array([2, 0, 3])
    spikes = np.array([0, 2, 2, 1])
    assert synaptic_operations(spikes, out_degree) == 2 + 3 + 3 + 0
    total = synaptic_operations(spikes, out_degree, input_channels=np.array([1, 0, 0]),
                                input_out_degree=np.array([4, 1]))
    assert total == 8 + 1 + 4 + 4
    assert synaptic_operations(np.array([], dtype=int), out_degree) == 0
    assert synaptic_operations_ratio(1000, 250) == pytest.approx(4.0)


def test_synaptic_operations_against_a_naive_loop_over_a_graph():
    rng = np.random.default_rng(11)
    graph = nx.gnp_random_graph(60, 0.1, seed=12, directed=True)
    pruned = graph.copy()
    pruned.remove_edges_from([e for e in graph.edges if rng.random() < 0.5])
    spikes = rng.integers(0, 60, size=500)
    for g in (graph, pruned):
        out_degree = np.array([g.out_degree(i) for i in range(60)])
        naive = sum(1 for s in spikes for _ in g.successors(int(s)))
        assert synaptic_operations(spikes, out_degree) == naive
    dense = synaptic_operations(spikes, np.array([graph.out_degree(i) for i in range(60)]))
    sparse = synaptic_operations(spikes, np.array([pruned.out_degree(i) for i in range(60)]))
    assert synaptic_operations_ratio(dense, sparse) == pytest.approx(dense / sparse)
    assert synaptic_operations_ratio(dense, sparse) > 1


def test_synaptic_operations_from_counts_by_hand():
    from hrsnn.metrics import synaptic_operations_from_counts

    out_degree = np.array([2, 0, 3])
    # neuron 0 spiked once, neuron 1 once, neuron 2 twice: 2 + 0 + 3 + 3
    assert synaptic_operations_from_counts(np.array([1, 1, 2]), out_degree) == 8
    total = synaptic_operations_from_counts(np.array([1, 1, 2]), out_degree,
                                            input_counts=np.array([2, 1]),
                                            input_out_degree=np.array([4, 1]))
    assert total == 8 + 4 + 4 + 1
    runs = synaptic_operations_from_counts(np.array([[1, 1, 2], [0, 5, 1]]), out_degree)
    np.testing.assert_array_equal(runs, [8, 3])
    with pytest.raises(ValueError, match="'counts'"):
        synaptic_operations_from_counts(np.array([1, 1]), out_degree)
    with pytest.raises(ValueError, match="'counts'"):
        synaptic_operations_from_counts(np.array([1.5, 1, 1]), out_degree)
    with pytest.raises(ValueError, match="together"):
        synaptic_operations_from_counts(np.array([1, 1, 1]), out_degree,
                                        input_counts=np.array([1]))


def test_ridge_grid_is_half_decades_and_every_readout_uses_it():
    from hrsnn import Forecaster
    from hrsnn.classification import default_classifier
    from hrsnn.metrics import RIDGE_ALPHAS
    from hrsnn.readout import FORECAST_ALPHAS, AutoregressiveRidge

    grid = np.array(RIDGE_ALPHAS)
    assert grid[0] == 1e-6 and grid[-1] == 1e5
    np.testing.assert_allclose(grid[1:] / grid[:-1], np.sqrt(10.0), rtol=1e-12)
    assert FORECAST_ALPHAS == (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)
    assert set(FORECAST_ALPHAS) <= set(RIDGE_ALPHAS)
    assert AutoregressiveRidge().alphas == RIDGE_ALPHAS
    assert Forecaster().alphas == FORECAST_ALPHAS
    np.testing.assert_array_equal(default_classifier()[-1].alphas, grid)
    import inspect
    default = inspect.signature(memory_capacity).parameters["alpha"].default
    assert default == RIDGE_ALPHAS


def test_synaptic_operations_errors():
    with pytest.raises(ValueError, match="'spike_neurons'"):
        synaptic_operations(np.array([0, 3]), np.array([1, 1, 1]))
    with pytest.raises(ValueError, match="together"):
        synaptic_operations(np.array([0]), np.array([1]), input_channels=np.array([0]))
    with pytest.raises(ValueError, match="'out_degree'"):
        synaptic_operations(np.array([0]), np.array([-1]))
    with pytest.raises(ValueError, match="'pruned_sops'"):
        synaptic_operations_ratio(10, 0)


# ------------------------------------------------------------------ heterogeneity
def test_heterogeneity_of_an_exactly_diagonal_covariance():
    # Centred +-1 columns orthogonal to each other: cov = diag(a^2, b^2) * 4 / 3.
    a, b = 2.0, 0.3
    samples = np.array([[1, 1], [1, -1], [-1, 1], [-1, -1]]) * [a, b] + [10.0, 5.0]
    expected = math.log(a * a * 4 / 3) + math.log(b * b * 4 / 3)
    assert heterogeneity(samples) == pytest.approx(expected, rel=1e-12)


def test_heterogeneity_matches_gaussian_entropy_and_1d_log_variance():
    rng = np.random.default_rng(13)
    samples = rng.gamma(shape=[2.0, 5.0, 9.0], scale=[1.0, 3.0, 0.5], size=(400, 3))
    cov = np.cov(samples.T)
    entropy = multivariate_normal(mean=np.zeros(3), cov=cov).entropy()
    assert heterogeneity(samples) == pytest.approx(2 * entropy - 3 * (1 + math.log(2 * math.pi)))
    x = samples[:, 1]
    assert heterogeneity(x) == pytest.approx(math.log(np.var(x, ddof=1)))


def test_heterogeneity_of_homogeneous_or_dependent_parameters_is_minus_inf():
    assert heterogeneity(np.full(50, 20.0)) == -math.inf
    x = np.random.default_rng(14).normal(size=50)
    assert heterogeneity(np.column_stack([x, 2 * x])) == -math.inf
    with pytest.raises(ValueError, match="at least 2"):
        heterogeneity(np.ones((1, 3)))
    with pytest.raises(ValueError, match="'samples'"):
        heterogeneity(np.ones((2, 2, 2)))


@pytest.mark.parametrize("n, k_max, washout, fraction", [(3000, 100, 100, 0.3),
                                                         (1000, 10, 50, 0.5), (200, 20, 0, 0.3)])
def test_memory_capacity_test_start_is_where_scoring_begins(n, k_max, washout, fraction):
    first = max(k_max, washout)
    expected = first + math.floor((n - first) * (1 - fraction))  # floor of the float product
    start = memory_capacity_test_start(n, k_max=k_max, washout=washout, test_fraction=fraction)
    assert start == expected
    # memory_capacity scores exactly the rows from `start`: states that are perfect there
    # and noise before give the same result as perfect states everywhere.
    u = memory_capacity_input(n, random_state=1)
    perfect = _delay_line(u, 3)
    spoiled = perfect.copy()
    spoiled[:start] = np.random.default_rng(2).normal(size=spoiled[:start].shape)
    kw = dict(k_max=k_max, washout=washout, test_fraction=fraction, alpha=1e-6)
    assert (memory_capacity(spoiled, u, **kw).per_delay[:3] < 0.99).any()
    tail = perfect.copy()
    tail[start:] = np.random.default_rng(3).normal(size=tail[start:].shape)
    assert memory_capacity(tail, u, **kw).total < 1.0
