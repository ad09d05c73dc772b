"""Operating-point statistics against hand-built trains, theory and scipy; rate matching."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pytest
from scipy import stats
from sklearn.base import BaseEstimator

from hrsnn import Reservoir, SimulationResult
from hrsnn import activity as act


def _result(steps, neurons, n_neurons, n_steps, dt, record=True):
    """A SimulationResult as a simulator would return it."""
    steps = np.asarray(steps, dtype=np.int64)
    neurons = np.asarray(neurons, dtype=np.int32)
    counts = np.bincount(neurons, minlength=n_neurons).astype(np.int64)
    if not record:
        steps, neurons = steps[:0], neurons[:0]
    return SimulationResult(spike_steps=steps, spike_neurons=neurons, counts=counts,
                            states=None, v=None, n_steps=n_steps, dt=dt)


def _bernoulli(rng, n_neurons, n_steps, p):
    """Independent Bernoulli(p) trains per step: the discrete-time Poisson process."""
    neurons, steps = np.nonzero(rng.random((n_neurons, n_steps)) < p)
    order = np.argsort(steps, kind="stable")
    return steps[order], neurons[order]


def _dense(steps, neurons, n_neurons, n_bins, bin_steps):
    """Counts matrix (n_bins, n_neurons) by a plain loop (drops a partial last bin)."""
    counts = np.zeros((n_bins, n_neurons))
    for step, neuron in zip(steps, neurons):
        if step // bin_steps < n_bins:
            counts[step // bin_steps, neuron] += 1
    return counts


# ------------------------------------------------------------------ rates
def test_firing_rates_by_hand():
    # neuron 0: 10 spikes, neuron 2: 3 spikes, neuron 1 silent; 1000 steps of 0.5 ms = 0.5 s
    steps = [*range(0, 1000, 100), 5, 6, 7]
    neurons = [0] * 10 + [2] * 3
    rates = act.firing_rates(steps, neurons, n_neurons=3, n_steps=1000, dt=0.5)
    np.testing.assert_allclose(rates, [20.0, 0.0, 6.0])
    assert act.mean_rate(steps, neurons, n_neurons=3, n_steps=1000, dt=0.5) == \
        pytest.approx(26.0 / 3)


def test_rates_of_a_result_agree_with_arrays_and_its_mean_rate():
    rng = np.random.default_rng(1)
    steps, neurons = _bernoulli(rng, 7, 300, 0.05)
    result = _result(steps, neurons, 7, 300, 0.25)
    np.testing.assert_array_equal(
        act.firing_rates(result),
        act.firing_rates(steps, neurons, n_neurons=7, n_steps=300, dt=0.25))
    assert act.mean_rate(result) == pytest.approx(result.mean_rate())
    # counts alone suffice for rates
    assert act.mean_rate(_result(steps, neurons, 7, 300, 0.25, record=False)) == \
        pytest.approx(result.mean_rate())


# ------------------------------------------------------------------ ISI CV
def test_regular_train_has_cv_zero_and_few_spikes_give_nan():
    steps = [*range(3, 400, 20), 10, 50, 7, 9, 30]
    neurons = [0] * len(range(3, 400, 20)) + [1, 1, 2, 2, 2]
    cv = act.isi_cv(steps, neurons, n_neurons=4, n_steps=400, dt=1.0)
    assert cv[0] == pytest.approx(0.0, abs=1e-12)
    assert np.isnan(cv[1]) and np.isnan(cv[3])          # 2 spikes, none
    assert cv[2] == pytest.approx(stats.variation([2, 21]))
    assert act.mean_isi_cv(steps, neurons, n_neurons=4, n_steps=400, dt=1.0) == \
        pytest.approx(np.mean([0.0, stats.variation([2, 21])]))


def test_isi_cv_matches_scipy_variation_for_unsorted_spikes():
    rng = np.random.default_rng(2)
    steps, neurons = _bernoulli(rng, 5, 2000, 0.03)
    shuffle = rng.permutation(steps.size)
    cv = act.isi_cv(steps[shuffle], neurons[shuffle], n_neurons=5, n_steps=2000, dt=0.1)
    expected = [stats.variation(np.diff(steps[neurons == i]) * 0.1) for i in range(5)]
    np.testing.assert_allclose(cv, expected, rtol=1e-10)


def test_poisson_trains_have_cv_and_fano_near_one():
    # Bernoulli(p) per 1 ms step, 20 Hz: geometric ISIs (CV sqrt(1 - p)) and
    # binomial window counts (Fano 1 - p), both ~0.98
    p, n_steps = 0.02, 100_000
    steps, neurons = _bernoulli(np.random.default_rng(3), 20, n_steps, p)
    result = _result(steps, neurons, 20, n_steps, 1.0)
    assert act.mean_rate(result) == pytest.approx(20.0, rel=0.03)
    assert act.mean_isi_cv(result) == pytest.approx(np.sqrt(1 - p), abs=0.02)
    assert act.mean_fano_factor(result, window_ms=100.0) == pytest.approx(1 - p, abs=0.04)


def test_missing_spike_record_is_an_error_for_isi():
    result = _result([1, 5, 9], [0, 0, 0], 2, 10, 1.0, record=False)
    with pytest.raises(ValueError, match="record_spikes=True"):
        act.isi_cv(result)


# ------------------------------------------------------------------ Fano factor
def test_fano_factor_matches_scipy_on_window_counts():
    rng = np.random.default_rng(4)
    n_neurons, n_steps, window = 6, 1030, 50        # 20 whole windows, 30 steps dropped
    steps, neurons = _bernoulli(rng, n_neurons, n_steps, 0.08)
    counts = _dense(steps, neurons, n_neurons, n_steps // window, window)
    expected = stats.tvar(counts, axis=0) / counts.mean(axis=0)
    fano = act.fano_factor(steps, neurons, window_ms=window * 0.2, n_neurons=n_neurons,
                           n_steps=n_steps, dt=0.2)
    np.testing.assert_allclose(fano, expected, rtol=1e-10)


def test_fano_factor_of_a_silent_neuron_is_nan_and_regular_counts_give_zero():
    # neuron 0 fires once in every 10-step window: its counts never vary
    steps, neurons = np.arange(0, 100, 10), np.zeros(10, dtype=int)
    fano = act.fano_factor(steps, neurons, window_ms=10.0, n_neurons=2, n_steps=100, dt=1.0)
    assert fano[0] == 0.0 and np.isnan(fano[1])


@pytest.mark.parametrize("window_ms, match", [(0.25, "whole number of steps"),
                                              (60.0, "at least 2"), (-1.0, "window_ms")])
def test_bad_windows_are_explained(window_ms, match):
    with pytest.raises(ValueError, match=match):
        act.fano_factor([1], [0], window_ms=window_ms, n_neurons=1, n_steps=100, dt=0.5)


# ------------------------------------------------------------------ synchrony
def test_identical_trains_are_fully_synchronous():
    rng = np.random.default_rng(5)
    train, _ = _bernoulli(rng, 1, 500, 0.05)
    steps = np.repeat(train, 8)
    neurons = np.tile(np.arange(8), train.size)
    assert act.synchrony(steps, neurons, bin_ms=2.0, n_neurons=10, n_steps=500, dt=1.0) == \
        pytest.approx(1.0)


def test_independent_poisson_trains_are_asynchronous():
    # theory: chi^2 = var(mean of K independent) / var(one) = 1 / K
    n_neurons = 200
    steps, neurons = _bernoulli(np.random.default_rng(6), n_neurons, 5000, 0.02)
    chi = act.synchrony(steps, neurons, bin_ms=5.0, n_neurons=n_neurons, n_steps=5000, dt=1.0)
    assert chi ** 2 == pytest.approx(1.0 / n_neurons, rel=0.3)
    assert chi < 0.1


def test_synchrony_matches_the_formula_on_dense_counts():
    # two groups, each internally synchronous, plus independent noise
    rng = np.random.default_rng(7)
    group, _ = _bernoulli(rng, 1, 1000, 0.03)
    steps = [np.repeat(group, 3)]
    neurons = [np.tile([0, 1, 2], group.size)]
    noise_steps, noise_neurons = _bernoulli(rng, 4, 1000, 0.03)
    steps, neurons = np.concatenate([*steps, noise_steps]), \
        np.concatenate([*neurons, noise_neurons + 3])
    counts = _dense(steps, neurons, 7, 100, 10)
    expected = np.sqrt(np.var(counts.mean(axis=1)) / np.var(counts, axis=0).mean())
    chi = act.synchrony(steps, neurons, bin_ms=10.0, n_neurons=7, n_steps=1000, dt=1.0)
    assert chi == pytest.approx(expected, rel=1e-10)
    assert 0.0 < chi < 1.0


def test_silent_neurons_do_not_change_synchrony_and_one_neuron_gives_nan():
    steps, neurons = _bernoulli(np.random.default_rng(8), 5, 400, 0.05)
    few = act.synchrony(steps, neurons, bin_ms=4.0, n_neurons=5, n_steps=400, dt=1.0)
    many = act.synchrony(steps, neurons, bin_ms=4.0, n_neurons=50, n_steps=400, dt=1.0)
    assert few == pytest.approx(many)
    assert np.isnan(act.synchrony([1, 9], [0, 0], bin_ms=4.0, n_neurons=5, n_steps=400,
                                  dt=1.0))


# ------------------------------------------------------------------ input values
def test_spikes_per_input_value_by_hand():
    # 12 spikes in 20 steps; 4 steps per input value -> 5 values -> 2.4 spikes each
    steps = [0, 1, 2, 3, 5, 8, 8, 9, 13, 14, 18, 19]
    neurons = [0, 1, 2, 0, 1, 0, 2, 1, 0, 0, 1, 2]
    assert act.spikes_per_input_value(steps, neurons, steps_per_input=4, n_neurons=3,
                                      n_steps=20, dt=1.0) == pytest.approx(2.4)
    result = _result(steps, neurons, 3, 20, 1.0, record=False)
    assert act.spikes_per_input_value(result, steps_per_input=2) == pytest.approx(1.2)
    with pytest.raises(ValueError, match="must divide"):
        act.spikes_per_input_value(result, steps_per_input=3)


# ------------------------------------------------------------------ input checks
def test_continued_runs_need_their_start_step():
    steps, neurons = _bernoulli(np.random.default_rng(9), 4, 200, 0.05)
    fresh = _result(steps, neurons, 4, 200, 1.0)
    continued = _result(steps + 1000, neurons, 4, 200, 1.0)
    with pytest.raises(ValueError, match="start_step"):
        act.synchrony(continued, bin_ms=5.0)
    assert act.synchrony(continued, bin_ms=5.0, start_step=1000) == \
        act.synchrony(fresh, bin_ms=5.0)


def test_inconsistent_inputs_are_explained():
    result = _result([1, 2], [0, 1], 2, 10, 1.0)
    with pytest.raises(TypeError, match="either a result"):
        act.firing_rates(result, n_steps=10)
    with pytest.raises(TypeError, match="n_steps, dt"):
        act.firing_rates([1, 2], [0, 1], n_neurons=2)
    with pytest.raises(ValueError, match="same length"):
        act.firing_rates([1, 2], [0], n_neurons=2, n_steps=10, dt=1.0)
    with pytest.raises(ValueError, match=r"\[0, 2\)"):
        act.firing_rates([1, 2], [0, 2], n_neurons=2, n_steps=10, dt=1.0)
    with pytest.raises(ValueError, match="integers"):
        act.firing_rates([1.5], [0], n_neurons=2, n_steps=10, dt=1.0)
    with pytest.raises(ValueError, match="'dt'"):
        act.firing_rates([1], [0], n_neurons=2, n_steps=10, dt=0.0)


# ------------------------------------------------------------------ summary
def test_operating_point_gathers_the_statistics():
    steps, neurons = _bernoulli(np.random.default_rng(10), 30, 2000, 0.02)
    result = _result(steps, neurons, 30, 2000, 0.5)
    point = act.operating_point(result, steps_per_input=4, bin_ms=2.0, window_ms=25.0)
    assert point.mean_rate == act.mean_rate(result)
    assert point.isi_cv == act.mean_isi_cv(result)
    assert point.fano_factor == act.mean_fano_factor(result, window_ms=25.0)
    assert point.synchrony == act.synchrony(result, bin_ms=2.0)
    assert point.spikes_per_input == pytest.approx(steps.size / 500)
    assert point.duration_ms == 1000.0 and point.active_fraction == 1.0
    text = str(point)
    assert "\n" not in text and "Hz" in text and "synchrony" in text
    with pytest.raises(dataclasses.FrozenInstanceError):
        point.mean_rate = 0.0


def test_operating_point_of_a_reservoir_run():
    X = np.random.default_rng(11).uniform(size=(1, 150, 2))
    reservoir = Reservoir(100, random_state=0, steps_per_input=2, w_in=3.0).fit(X)
    result = reservoir.run(X[0])
    point = act.operating_point(result, steps_per_input=2)
    assert point.spikes_per_input == pytest.approx(result.counts.sum() / 150)
    assert point.mean_rate == pytest.approx(result.counts.sum() / 100 / 0.3)
    assert point.active_fraction == pytest.approx(np.mean(result.counts > 0))
    assert 0.0 <= point.synchrony <= 1.0


# ------------------------------------------------------------------ match_rate
def _measured_rate(reservoir, X):
    """Mean rate of a fitted reservoir on X, from spike counts, Hz."""
    spikes = sum(reservoir.run(u).counts.sum() for u in X)
    seconds = X.shape[1] * reservoir.steps_per_input * reservoir.dt / 1000.0
    return spikes / (len(X) * reservoir.network_.n_neurons * seconds)


@pytest.fixture(scope="module")
def inputs():
    return np.random.default_rng(12).uniform(size=(3, 100, 2))


@pytest.mark.parametrize("parameter, target", [("w_in", 10.0), ("w_scale", 15.0)])
def test_match_rate_reaches_the_target(inputs, parameter, target):
    reservoir = Reservoir(100, random_state=0, steps_per_input=2, w_in=2.0,
                          w_in_dist="constant")
    before = reservoir.get_params()[parameter]
    found = act.match_rate(reservoir, inputs, target, parameter=parameter, tol=0.05)
    assert abs(_measured_rate(found.reservoir, inputs) - target) <= 0.05 * target
    assert found.rate == pytest.approx(_measured_rate(found.reservoir, inputs))
    assert found.reservoir.get_params()[parameter] == found.value
    assert found.history[-1] == (found.value, found.rate)
    assert "network_" not in vars(reservoir)                 # the given one is untouched
    assert reservoir.get_params()[parameter] == before


def test_match_rate_is_deterministic_for_a_seed(inputs):
    reservoir = Reservoir(100, random_state=0, steps_per_input=2)
    first = act.match_rate(reservoir, inputs, 8.0)
    second = act.match_rate(reservoir, inputs, 8.0)
    assert first.history == second.history


class _DecreasingReservoir(BaseEstimator):
    """Stands in for a Reservoir whose rate falls as w_in grows: 100 / w_in Hz."""

    def __init__(self, w_in=1.0, w_scale=0.1, random_state=None):
        self.w_in, self.w_scale, self.random_state = w_in, w_scale, random_state

    def fit(self, X):
        self.network_ = "built"
        return self

    def run(self, u, record_spikes=True):
        return SimpleNamespace(mean_rate=lambda: 100.0 / self.w_in)


def test_match_rate_follows_a_decreasing_rate_and_fixes_one_seed():
    found = act.match_rate(_DecreasingReservoir(), np.zeros((1, 5, 1)), 25.0,
                           bounds=(0.5, 40.0), tol=1e-3)
    assert found.value == pytest.approx(4.0, rel=2e-3)
    assert isinstance(found.reservoir.random_state, int)


def test_unreachable_target_reports_the_rates_at_the_bounds(inputs):
    reservoir = Reservoir(100, random_state=0, steps_per_input=2)
    with pytest.raises(ValueError, match=r"not reachable with w_in in \[0.1, 1\]"
                                         r".*fires at .* Hz with w_in=0.1"):
        act.match_rate(reservoir, inputs, 500.0, bounds=(0.1, 1.0))


def test_match_rate_that_cannot_converge_says_how_close_it_came(inputs):
    reservoir = Reservoir(100, random_state=0, steps_per_input=2)
    with pytest.raises(RuntimeError, match="closest was"):
        act.match_rate(reservoir, inputs, 10.0, tol=1e-9, max_iter=2)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"target_rate": -1.0}, ValueError, "'target_rate'"),
    ({"target_rate": float("nan")}, ValueError, "'target_rate'"),
    ({"parameter": "tau_m"}, ValueError, "'parameter'.*'w_in', 'w_scale'"),
    ({"bounds": (0.0, 1.0)}, ValueError, "0 < low < high"),
    ({"bounds": (2.0, 1.0)}, ValueError, "0 < low < high"),
    ({"bounds": 3.0}, ValueError, "pair"),
    ({"tol": 0.0}, ValueError, "'tol'"),
    ({"max_iter": 0}, ValueError, "'max_iter'"),
])
def test_match_rate_explains_bad_arguments(inputs, kwargs, error, match):
    arguments = {"target_rate": 10.0, **kwargs}
    with pytest.raises(error, match=match):
        act.match_rate(Reservoir(100, random_state=0), inputs, **arguments)


def test_match_rate_needs_a_reservoir_and_sequences(inputs):
    with pytest.raises(TypeError, match="'reservoir'"):
        act.match_rate(object(), inputs, 10.0)
    with pytest.raises(ValueError, match="'X'"):
        act.match_rate(Reservoir(100), inputs[0, :, 0], 10.0)
