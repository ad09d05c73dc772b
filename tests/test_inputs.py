"""Inputs a user can give: a result or a clear error naming the argument (issue 12,
items 8, 10 and 12).

Finite in, finite out (``MAX_MAGNITUDE``, :mod:`hrsnn._validation`); errors
that name the argument, say what was expected and come before any state
changes; threads that share a reservoir take turns.
"""

import threading
import warnings
from fractions import Fraction

import numpy as np
import pytest

from hrsnn import Network, Reservoir, build_network
from hrsnn.readout import Forecaster, SequenceRegressor
from hrsnn.simulator import Simulator

X = np.random.default_rng(0).uniform(-1, 1, size=(3, 12, 2))
SERIES = np.sin(np.arange(400) / 6.0)[:, None] + 0.01 * np.random.default_rng(1).normal(
    size=(400, 1))


def small(**params):
    return Reservoir(**{"n_neurons": 30, "random_state": 0, "steps_per_input": 2, **params})


@pytest.fixture(scope="module")
def fitted():
    return small().fit(X)


def forecaster(**params):
    return Forecaster(small(), washout=20, validation_horizon=20, validation_starts=2,
                      **params)


def tiny_network(**changes):
    arrays = dict(tau_m=[10.0, 10.0, 10.0], v_th=1.0, is_exc=[True, True, False],
                  pre=[0, 1, 2], post=[1, 2, 0], weight=[0.1, 0.2, -0.1], in_channel=[0],
                  in_post=[1], in_weight=1.0)
    return Network.from_arrays(**{**arrays, **changes})


# ------------------------------------------------------------- parameters
@pytest.mark.parametrize("params, exc, match", [
    ({"n_neurons": 2 ** 64}, ValueError, r"'n_neurons' parameter of Reservoir must be an "
     r"integer in the range \[1, 2147483647\]"),
    ({"steps_per_input": 2 ** 64}, ValueError, r"'steps_per_input' .* 9223372036854775807"),
    ({"dt": 2 ** 1100}, ValueError, "'dt' parameter of Reservoir .* Got an integer of 332 "
     "digits"),
    ({"dt": Fraction(1, 2)}, TypeError, r"'dt' parameter .* Pass an int or a float"),
    ({"w_in": Fraction(3)}, TypeError, "'w_in' parameter"),
    ({"grid_shape": (4.0, 4.0, 2.0)}, ValueError, "'grid_shape'"),
    ({"grid_shape": "444"}, ValueError, "'grid_shape'"),
    ({"grid_shape": (1000, 1000, 1000)}, ValueError, "'grid_shape' parameter of Reservoir "
     "must have at most 67,108,864 points"),
    ({"grid_shape": (2 ** 64, 2 ** 64, 3)}, ValueError, "more than 10..30 points"),
    ({"stdp_w_max": -1.0}, ValueError, "'stdp_w_min' and 'stdp_w_max' parameters of "
     "Reservoir"),
    ({"stdp_w_min": 1.0}, ValueError, r"stdp_w_max=None, which means 2 \* w_scale \* w_ee "
     "= 0.04"),
    ({"w_in": -3.0}, ValueError, "'w_in' parameter of Reservoir must be >= 0 with "
     "w_in_dist='uniform'"),
    ({"random_state": "a"}, TypeError, "'random_state' parameter of Reservoir must be None, "
     "an integer >= 0, a numpy.random.RandomState or a numpy.random.Generator"),
    ({"random_state": -1}, ValueError, "'random_state'"),
    ({"v_rest": 1e200}, ValueError, r"'v_rest' parameter of Reservoir .* \[-1e\+100, "
     r"1e\+100\]"),
    ({"w_scale": 1e300}, ValueError, "'w_scale'"),
    ({"tau_min": 1e-300}, ValueError, "'tau_min' parameter of Reservoir must be a real "
     "number >= 1e-100"),
])
def test_bad_parameters_are_named_before_anything_is_built(params, exc, match):
    reservoir = small(**params)
    with pytest.raises(exc, match=match):
        reservoir.fit(X)
    assert not hasattr(reservoir, "network_")


def test_huge_integers_that_are_valid_values_work():
    a = small(random_state=2 ** 64).fit(X)
    b = small(random_state=2 ** 64).fit(X)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    assert np.all(np.isfinite(small(tau_m_exc_mean=2 ** 64).fit(X).transform(X)))
    slow = small(dt=2 ** 70, tau_readout=2 ** 70, features="mean").fit(X)
    assert np.all(np.isfinite(slow.transform(X)))
    assert np.all(np.isfinite(small(w_in=-0.0).fit(X).transform(X)))


def test_generators_are_accepted_as_random_state():
    reservoir = small(random_state=np.random.default_rng(3)).fit(X)
    assert reservoir.seed_ >= 0


def test_a_network_drawn_beyond_the_bounds_names_the_parameters():
    # each parameter within its bound, their product (the weights) beyond it
    with pytest.raises(ValueError, match=r"parameters 'w_scale', 'w_ee', .* 'w_shape' is "
                                         r"invalid: 'weight' must be at most 1e\+100"):
        small(w_scale=1e60, w_ee=1e60, w_ei=1e60, stdp_w_max=1.0).fit(X)
    with pytest.raises(ValueError, match="'w_scale'"):
        build_network(30, 2, 0, w_scale=1e60, w_ee=1e60, w_ei=1e60, stdp_w_max=1.0)


def test_huge_length_scales_connect_everything_without_overflow():
    wide = small(conn_lambda=1e300, conn_cutoff=1e300).fit(X)
    every = small(conn_lambda=1e3).fit(X)
    np.testing.assert_array_equal(wide.network_.pre, every.network_.pre)
    np.testing.assert_array_equal(wide.network_.post, every.network_.post)


def test_refractory_periods_beyond_any_run_mean_one_spike_per_neuron():
    for t_ref, dt in ((1e300, 1.0), (1.0, 1e-310), (1e300, 1e-10)):
        reservoir = small(t_ref=t_ref, dt=dt, w_in=30.0, stdp=False).fit(X)
        result = reservoir.run(np.ones((40, 2)) * 5)
        assert result.counts.max() <= 1
    net = tiny_network(t_ref=1e308)
    assert Simulator(net, dt=1e-300).run(20, current=np.ones((20, 1)) * 50).counts.max() <= 1


def test_fast_membranes_with_synaptic_currents_stay_finite():
    # tau_m << dt with current synapses: exp(x) of the exact current gain overflowed
    reservoir = small(tau_min=1e-3, tau_m_exc_mean=1e-3, tau_m_inh_mean=1e-3,
                      tau_syn_exc_mean=3.0, tau_syn_inh_mean=3.0, w_in=30.0).fit(X)
    result = reservoir.run(X[0], record_v=True, record_currents=True)
    for values in (result.v, result.ge, result.gi, result.states):
        assert np.all(np.isfinite(values))


# ------------------------------------------------------ inputs of Reservoir
@pytest.mark.parametrize("bad, exc, match", [
    (np.ones(10), ValueError, r"'X' of Reservoir must be a batch of sequences: an array of "
     r"shape \(n_samples, n_steps, n_inputs\), or \(n_samples, n_steps\) for one input "
     r"channel. Got an array of 1 dimension, shape \(10,\)."
     r" Reshape your data: X.reshape\(1, -1\) is one sequence of one channel"),
    (np.zeros((3, 0, 2)), ValueError, "'X' of Reservoir holds sequences of 0 time steps"),
    (X + 1j, ValueError, "Complex data not supported: 'X' of Reservoir must hold real"),
    (np.array([[["a", "b"]] * 4] * 2, dtype=object), ValueError,
     "'X' of Reservoir must hold real numbers; it holds strings"),
    (np.array([[[{"a": 1}, 1.0]] * 4] * 2, dtype=object), TypeError,
     "'X' of Reservoir must hold real numbers: float"),
    (np.full((3, 12, 2), 1e308), ValueError, "'X' of Reservoir.fit would drive a neuron "
     r"with an input current of inf .* beyond 1e\+100"),
])
def test_bad_training_data_is_explained(bad, exc, match):
    reservoir = small()
    with pytest.raises(exc, match=match):
        reservoir.fit(bad)
    assert not hasattr(reservoir, "network_")


def test_object_arrays_of_numbers_are_numbers(fitted):
    np.testing.assert_array_equal(fitted.transform(X.astype(object)), fitted.transform(X))


def test_a_sequence_of_the_wrong_length_is_said_in_time_steps(fitted):
    with pytest.raises(ValueError, match="X has sequences of 15 time steps, but Reservoir was "
                                         "fitted on sequences of 12"):
        fitted.transform(np.zeros((2, 15, 2)))


@pytest.mark.parametrize("u, match", [
    (np.ones((5, 2)) * (1 + 1j), "Complex data not supported: 'u' of Reservoir.run"),
    (np.array([[1, "a"]] * 5, dtype=object), "'u' of Reservoir.run must hold real numbers"),
    ("abc", "'u' of Reservoir.run must hold real numbers"),
    (np.full((5, 2), 1e308), r"'u' of Reservoir.run would drive a neuron with an input "
     r"current of inf"),
    (np.full((5, 2), 1e200), r"input current of .*e\+200"),
    (np.ones((5, 3)), r"'u' of Reservoir.run must have shape \(n_steps, 2\)"),
])
def test_bad_run_input_is_refused_before_the_state_changes(fitted, u, match):
    fitted.run(X[0][:4])
    state = fitted.get_state()
    with pytest.raises(ValueError, match=match):
        fitted.run(u, reset=False)
    after = fitted.get_state()
    for key, value in state.items():
        np.testing.assert_array_equal(after[key], value)


def test_inputs_within_the_bound_give_finite_potentials(fitted):
    limit = fitted._input_limit()
    result = fitted.run(np.full((5, 2), 0.99 * limit), record_v=True)
    assert np.all(np.isfinite(result.v))


def test_poisson_inputs_of_any_finite_range_are_rescaled_without_overflow():
    data = np.array([[[-1e308], [1e308], [0.0], [5e307]]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        features = small(encoding="poisson").fit(data).transform(data)
    assert np.all(np.isfinite(features))


def test_absurd_spike_counts_are_refused_before_allocating():
    with pytest.raises(ValueError, match="'X' of Reservoir.fit holds 3e.* input spikes in "
                                         "one sequence"):
        small(encoding="spikes").fit(np.full((1, 3, 1), 1e15))


def test_the_simulator_refuses_overflowing_currents():
    with pytest.raises(ValueError, match="'current' of Simulator.run would drive"):
        Simulator(tiny_network()).run(current=np.full((3, 1), 1e200))


# ------------------------------------------------------ Network.from_arrays
@pytest.mark.parametrize("changes, match", [
    ({"plastic": [True, False, True, True]}, "'plastic' must be a scalar or have length 3"),
    ({"plastic": "abc"}, "'plastic' must hold booleans"),
    ({"is_exc": ["a", "b", "c"]}, "'is_exc' must hold booleans"),
    ({"is_exc": [1.5, 1.0, 0.0]}, "'is_exc' must hold booleans"),
    ({"tau_m": [1 + 1j] * 3}, "Complex data not supported: 'tau_m'"),
    ({"tau_m": "abc"}, "'tau_m' of Network must hold real numbers"),
    ({"v_th": [1.0, "a", 2.0]}, "'v_th' of Network must hold real numbers"),
    ({"weight": [True, True, False]}, "'weight' of Network must hold real numbers"),
    ({"positions": [[1j, 0, 0]] * 3}, "Complex data not supported: 'positions'"),
    ({"v_rest": None}, "'v_rest' must be a finite number; got None"),
    ({"v_rest": [0.0, 1.0]}, "'v_rest' must be a finite number"),
    ({"weight": [1e200, 0.2, -0.1]}, r"'weight' must be at most 1e\+100 in magnitude"),
    ({"v_rest": 1e200, "v_init": 0.0}, "'v_rest' must be at most"),
    ({"tau_m": 1e-200}, r"'tau_m' must be at least 1e-100 ms"),
    ({"pre": [[0, 1], [2]]}, "'pre' must be an array; got a ragged nesting"),
    # fixed before (issue 12, item 1); kept here as the issue lists them
    ({"v_reset": np.inf}, "'v_reset' must be a finite number"),
    ({"strict_threshold": "x"}, "'strict_threshold' must be a bool"),
    ({"positions": [[np.nan, 0, 0]] * 3}, "'positions' must be finite"),
    ({"in_channel": [0.7]}, "'in_channel' must hold integer indices"),
])
def test_bad_network_arrays_name_the_argument(changes, match):
    with pytest.raises(ValueError, match=match):
        tiny_network(**changes)


def test_new_synapses_with_a_wrong_plastic_length_are_named():
    with pytest.raises(ValueError, match="'plastic' must be a scalar or have length 1"):
        tiny_network().add_synapses([0], [2], 0.1, plastic=[True, False])


# ----------------------------------------------------------------- readouts
@pytest.mark.parametrize("make", [forecaster, lambda **kw: SequenceRegressor(
    small(), washout=10, **kw)])
@pytest.mark.parametrize("params, exc, match", [
    ({"features": 3}, TypeError, "'features' parameter of .* must be one of"),
    ({"alphas": ["a"]}, TypeError, "'alphas' parameter"),
    ({"alphas": "abc"}, TypeError, "'alphas' parameter"),
    ({"alphas": [[1.0, 2.0]]}, ValueError, "'alphas' parameter"),
    ({"standardize": "no"}, TypeError, "'standardize' parameter of .* must be a bool"),
    ({"random_state": "a"}, TypeError, "'random_state' parameter"),
])
def test_bad_readout_parameters_are_named_before_fitting(make, params, exc, match):
    model = make(**params)
    with pytest.raises(exc, match=match):
        model.fit(SERIES, SERIES) if isinstance(model, SequenceRegressor) else model.fit(
            SERIES)
    assert not hasattr(model, "reservoir_")


def test_one_alpha_is_one_candidate():
    model = forecaster(alphas=1.0).fit(SERIES)
    assert model.alpha_ == 1.0
    assert forecaster(alphas=2.0, selection="cv").fit(SERIES).alpha_ == 2.0
    assert SequenceRegressor(small(), washout=10, alphas=3.0).fit(SERIES, SERIES).alpha_ == 3.0


def test_an_outlier_beyond_the_bound_is_named_not_a_nan_forecast():
    series = SERIES.copy()
    series[300] = 1e155
    with pytest.raises(ValueError, match=r"'X' of Forecaster must hold values of magnitude "
                                         r"at most 1e\+100; got 1e\+155 at index \(300, 0\)"):
        forecaster().fit(series)
    with pytest.raises(ValueError, match="'u' of SequenceRegressor must hold values"):
        SequenceRegressor(small(), washout=10).fit(series, SERIES)


def test_an_outlier_within_the_bound_gives_finite_forecasts():
    series = SERIES.copy()
    series[300] = 1e90
    model = forecaster().fit(series)
    assert np.all(np.isfinite(model.scale_))
    assert np.all(np.isfinite(model.forecast(20, warmup=SERIES[-50:])))


def test_data_far_outside_the_training_range_is_named():
    model = forecaster().fit(SERIES)
    far = np.clip(SERIES * 1e101, -1e100, 1e100)     # within the bound, not standardised
    with pytest.raises(ValueError, match="'X' of Forecaster lies far outside the training "
                                         "data"):
        model.predict(far)
    with pytest.raises(ValueError, match="'warmup' of Forecaster lies far outside"):
        model.forecast(5, warmup=far)
    regressor = SequenceRegressor(small(), washout=10).fit(SERIES, SERIES)
    with pytest.raises(ValueError, match="'u' of SequenceRegressor lies far outside"):
        regressor.predict(far)


def test_a_diverging_closed_loop_stays_finite():
    model = forecaster().fit(SERIES)
    model.readout_.coef_ = model.readout_.coef_ * 1e6        # an unstable readout
    model.readout_.intercept_ = model.readout_.intercept_ + 1.0
    forecast = model.forecast(300, warmup=SERIES[-50:])
    assert np.all(np.isfinite(forecast))


# ------------------------------------------------------------ data loaders
@pytest.mark.parametrize("loader", ["lorenz63", "rossler", "lorenz96",
                                    "multiscale_lorenz96", "mackey_glass", "narma",
                                    "load_digits_spikes"])
@pytest.mark.parametrize("seed, exc", [("a", TypeError), (-1, ValueError),
                                       (1.5, TypeError), (True, TypeError)])
def test_data_loaders_name_a_bad_random_state(loader, seed, exc):
    import data_loaders

    args = () if loader == "load_digits_spikes" else (50,)
    with pytest.raises(exc, match=f"'random_state' parameter of {loader} must be None, an "
                                  "integer >= 0 or a numpy.random.Generator"):
        getattr(data_loaders, loader)(*args, random_state=seed)


def test_data_loaders_take_generators_and_huge_integers_are_no_crash():
    from data_loaders import lorenz63

    a = lorenz63(20, random_state=np.random.default_rng(4))
    assert np.array_equal(a, lorenz63(20, random_state=np.random.default_rng(4)))
    with pytest.raises(ValueError, match="'dt' parameter of lorenz63"):
        lorenz63(20, dt=2 ** 2000)


# ----------------------------------------------------------------- threads
def _in_threads(work, n_threads=2, repeats=20):
    """Results of ``work(i)`` for ``n_threads`` threads, each calling it ``repeats`` times."""
    results = [[] for _ in range(n_threads)]
    barrier = threading.Barrier(n_threads)

    def worker(k):
        barrier.wait()
        for i in range(repeats):
            results[k].append(work(i))

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(n_threads)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


@pytest.fixture
def slow_simulator(monkeypatch):
    """Simulator.run waits 2 ms before it starts, so that runs of two threads overlap."""
    import time

    run = Simulator.run

    def slow_run(self, *args, **kwargs):
        time.sleep(0.002)
        return run(self, *args, **kwargs)

    monkeypatch.setattr(Simulator, "run", slow_run)


def test_runs_from_two_threads_equal_sequential_runs(slow_simulator):
    reservoir = small(n_neurons=60).fit(X)
    inputs = [np.random.default_rng(i).uniform(-1, 1, size=(200, 2)) for i in range(10)]
    expected = [reservoir.run(u, record_v=True).v for u in inputs]
    for results in _in_threads(lambda i: reservoir.run(inputs[i], record_v=True).v,
                               repeats=10):
        for got, want in zip(results, expected):
            np.testing.assert_array_equal(got, want)


def test_forecasts_from_two_threads_equal_sequential_forecasts(slow_simulator):
    model = forecaster().fit(SERIES)
    warmups = [SERIES[i:i + 40] for i in range(0, 200, 20)]
    expected = [model.forecast(15, warmup=w) for w in warmups]
    predicted = [model.predict(w) for w in warmups]
    for results in _in_threads(lambda i: (model.forecast(15, warmup=warmups[i % 10]),
                                          model.predict(warmups[i % 10])), repeats=10):
        for i, (forecast, prediction) in enumerate(results):
            np.testing.assert_array_equal(forecast, expected[i % 10])
            np.testing.assert_array_equal(prediction, predicted[i % 10])


def test_transform_is_deterministic_across_n_jobs_and_threads(fitted):
    expected = fitted.transform(X)
    parallel = small(n_jobs=2).fit(X)
    np.testing.assert_array_equal(parallel.transform(X), expected)
    for results in _in_threads(lambda i: parallel.transform(X), repeats=5):
        for got in results:
            np.testing.assert_array_equal(got, expected)


def test_a_reservoir_with_its_lock_pickles_and_copies(fitted):
    import copy
    import pickle

    fitted.run(X[0])                      # the lock exists now
    assert "_run_lock" in vars(fitted)
    for twin in (pickle.loads(pickle.dumps(fitted)), copy.deepcopy(fitted)):
        np.testing.assert_array_equal(twin.transform(X), fitted.transform(X))
        twin.run(X[0])


def test_spike_counts_fed_as_currents_are_reported():
    """uint8 / bool input (spike counts) with encoding='current' warns, naming the fix;
    floats, and counts with encoding='spikes', do not."""
    counts = np.random.default_rng(0).poisson(0.2, (3, 15, 4)).astype(np.uint8)
    with pytest.warns(UserWarning, match="encoding='spikes', steps_per_input=1") as record:
        fitted = Reservoir(40, random_state=0).fit(counts)
    assert record[0].filename == __file__                # points at the caller's line
    with pytest.warns(UserWarning, match="spike counts"):
        fitted.transform(counts > 0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Reservoir(40, random_state=0).fit(counts.astype(float))
        Reservoir(40, random_state=0, encoding="spikes", steps_per_input=1).fit(counts)
