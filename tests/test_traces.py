"""Filtered spike trains at several time constants ("traces"): simulator, Reservoir, readouts."""

import json
import pickle

import numpy as np
import pytest
from sklearn.base import clone

from data_loaders import lorenz63
from hrsnn import (
    Forecaster,
    Reservoir,
    Simulator,
    build_network,
    forecasting_reservoir,
    model,
)
from hrsnn.metrics import nrmse
from hrsnn.readout import STEP_FEATURES, SequenceRegressor
from hrsnn.readout._common import _recording
from hrsnn.readout.sequence import _neuron_columns

TAUS = (5.0, 20.0, 100.0)
SPI = 3                                  # simulation steps per input step


def naive_traces(spike_steps, spike_neurons, n_rows, n_neurons, taus, dt, step0=0):
    """``traces[t, k * N + i]``: sum over neuron ``i``'s spikes up to the end of input
    step ``t`` of ``exp(-(end - s) dt / tau_k)``, written straight from the spikes."""
    out = np.zeros((n_rows, len(taus) * n_neurons))
    for t in range(n_rows):
        end = step0 + (t + 1) * SPI - 1
        for step, neuron in zip(spike_steps, spike_neurons):
            if step <= end:
                for k, tau in enumerate(taus):
                    out[t, k * n_neurons + neuron] += np.exp(-(end - step) * dt / tau)
    return out


@pytest.fixture(scope="module")
def net():
    return build_network(100, 1, 0)


@pytest.fixture(scope="module")
def current():
    return np.random.default_rng(0).uniform(0.0, 3.0, (60, 1))


def simulator(net, taus=TAUS):
    return Simulator(net, dt=1.0, trace_taus=taus)


# ------------------------------------------------------------- simulator
def test_simulator_traces_are_the_filtered_spikes(net, current):
    result = simulator(net).run(current=current, steps_per_input=SPI, record_traces=True)
    assert result.traces.shape == (60, 3 * 100) and result.counts.sum() > 100
    expected = naive_traces(result.spike_steps, result.spike_neurons, 60, 100, TAUS, 1.0)
    np.testing.assert_allclose(result.traces, expected, rtol=1e-10, atol=1e-10)


def test_one_trace_at_tau_readout_is_states(net, current):
    result = simulator(net, (20.0,)).run(current=current, steps_per_input=SPI,
                                         record_states=True, record_traces=True,
                                         tau_readout=20.0)
    np.testing.assert_allclose(result.traces, result.states, rtol=0, atol=1e-12)


def test_traces_change_nothing_else(net, current):
    plain = Simulator(net, dt=1.0).run(current=current, steps_per_input=SPI,
                                       record_states=True, record_v=True)
    traced = simulator(net).run(current=current, steps_per_input=SPI, record_states=True,
                                record_v=True, record_traces=True)
    np.testing.assert_array_equal(plain.spike_steps, traced.spike_steps)
    np.testing.assert_array_equal(plain.spike_neurons, traced.spike_neurons)
    np.testing.assert_array_equal(plain.states, traced.states)
    np.testing.assert_array_equal(plain.v, traced.v)


@pytest.mark.parametrize("record_first", [True, False])
def test_a_continued_run_carries_the_traces_on(net, current, record_first):
    whole = simulator(net).run(current=current, steps_per_input=SPI, record_traces=True)
    sim = simulator(net)
    sim.run(current=current[:25], steps_per_input=SPI, record_traces=record_first)
    second = sim.run(current=current[25:], steps_per_input=SPI, record_traces=True)
    if record_first:           # the same arithmetic as one long run
        np.testing.assert_array_equal(second.traces, whole.traces[25:])
    else:                      # lazily decayed first: the same to rounding
        np.testing.assert_allclose(second.traces, whole.traces[25:], rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sim.traces.ravel(), whole.traces[-1], rtol=1e-12, atol=1e-12)


def test_unrecorded_traces_follow_the_spikes(net, current):
    """Not sampled, the traces still run on (lazily) and are exact when read."""
    sim = simulator(net)
    result = sim.run(current=current, steps_per_input=SPI)
    assert result.traces is None
    expected = naive_traces(result.spike_steps, result.spike_neurons, 60, 100, TAUS, 1.0)
    np.testing.assert_allclose(sim.traces.ravel(), expected[-1], rtol=1e-10, atol=1e-10)
    assert sim.get_state()["traces"].shape == (3, 100)


def test_state_snapshot_includes_the_traces(net, current):
    sim = simulator(net)
    sim.run(current=current[:30], steps_per_input=SPI)
    snapshot = sim.get_state()
    straight = sim.run(current=current[30:], steps_per_input=SPI, record_traces=True)
    sim.reset()
    sim.run(current=current[:7], steps_per_input=SPI, record_traces=True)
    sim.set_state(snapshot)
    resumed = sim.run(current=current[30:], steps_per_input=SPI, record_traces=True)
    np.testing.assert_array_equal(straight.traces, resumed.traces)
    with pytest.raises(ValueError, match="traces"):
        simulator(net, (5.0,)).set_state(snapshot)


def test_reset_clears_the_traces(net, current):
    sim = simulator(net)
    first = sim.run(current=current, steps_per_input=SPI, record_traces=True)
    sim.reset()
    assert not sim.traces.any()
    np.testing.assert_array_equal(sim.run(current=current, steps_per_input=SPI,
                                          record_traces=True).traces, first.traces)


def test_simulator_trace_errors(net):
    with pytest.raises(ValueError, match="record_traces"):
        Simulator(net).run(10, record_traces=True)
    for bad in [(0.0,), (-1.0,), (np.nan,), "abc", 5.0, np.ones((2, 2)), (5.0, 5.0)]:
        with pytest.raises(ValueError, match="'trace_taus'"):
            Simulator(net, trace_taus=bad)


# ------------------------------------------------------------- Reservoir
def series(n=40, seed=0):
    return np.random.default_rng(seed).uniform(0.0, 1.0, (n, 1))


def small(**kw):
    return Reservoir(**{"n_neurons": 100, "random_state": 0, "steps_per_input": SPI,
                        "w_in": 4.0, "w_in_dist": "constant", **kw})


@pytest.fixture(scope="module")
def fitted():
    return small().fit(series()[None])


def test_reservoir_run_records_the_traces(fitted):
    result = fitted.run(series(seed=1), record_traces=True)
    assert result.traces.shape == (40, 3 * 100) and result.counts.sum() > 50
    expected = naive_traces(result.spike_steps, result.spike_neurons, 40, 100,
                            fitted.trace_taus, fitted.dt)
    np.testing.assert_allclose(result.traces, expected, rtol=1e-10, atol=1e-10)
    assert fitted.run(series(seed=1)).traces is None


def test_reservoir_traces_at_tau_readout_are_states():
    reservoir = small(trace_taus=(7.5,), tau_readout=7.5).fit(series()[None])
    result = reservoir.run(series(seed=2), record_traces=True)
    np.testing.assert_allclose(result.traces, result.states, rtol=0, atol=1e-12)


def test_reservoir_run_continues_the_traces(fitted):
    u = series(seed=3)
    whole = fitted.run(np.vstack([u, u]), record_traces=True)
    fitted.run(u, record_traces=True)
    np.testing.assert_array_equal(fitted.run(u, reset=False, record_traces=True).traces,
                                  whole.traces[40:])
    fitted.run(u)                                    # not recorded: carried on all the same
    np.testing.assert_allclose(fitted.run(u, reset=False, record_traces=True).traces,
                               whole.traces[40:], rtol=1e-12, atol=1e-12)


def test_reservoir_state_snapshot_restores_the_traces(fitted):
    u = series(seed=4)
    fitted.run(u[:20])
    snapshot = fitted.get_state()
    straight = fitted.run(u[20:], reset=False, record_traces=True).traces
    fitted.run(u[:9])
    fitted.set_state(snapshot)
    np.testing.assert_array_equal(fitted.run(u[20:], reset=False, record_traces=True).traces,
                                  straight)


def test_reservoir_traces_do_not_depend_on_n_jobs():
    X = np.random.default_rng(5).uniform(size=(4, 30, 1))
    runs = [small(n_jobs=n_jobs).fit(X) for n_jobs in (1, 2, -1)]
    traces = [r.run(X[1], record_traces=True).traces for r in runs]
    features = [r.transform(X) for r in runs]
    for other, other_features in zip(traces[1:], features[1:]):
        np.testing.assert_array_equal(traces[0], other)
        np.testing.assert_array_equal(features[0], other_features)
    assert not np.array_equal(traces[0], small(random_state=1).fit(X).run(
        X[1], record_traces=True).traces)


def test_changing_trace_taus_after_fit_takes_effect(fitted):
    reservoir = clone(fitted).fit(series()[None])
    reservoir.set_params(trace_taus=(10.0,))
    assert reservoir.run(series(), record_traces=True).traces.shape == (40, 100)
    reservoir.set_params(trace_taus="10")
    with pytest.raises(TypeError, match="'trace_taus' parameter of Reservoir"):
        reservoir.run(series())


@pytest.mark.parametrize("value", [(), (0.0,), (-5.0,), (np.nan,), (np.inf,), "5.0",
                                   ("a", "b"), 20.0, np.ones((2, 2)), [[5.0, 20.0]],
                                   (True,), (5.0, 5.0)])
def test_bad_trace_taus_raise_clear_errors(value):
    with pytest.raises((TypeError, ValueError),
                       match="'trace_taus' parameter of Reservoir must be a non-empty "
                             "sequence of distinct positive finite numbers of ms"):
        small(trace_taus=value).fit(series()[None])


@pytest.mark.parametrize("value", [(5.0, 50.0), [5.0, 50.0], np.array([5.0, 50.0]), (3,)])
def test_trace_taus_are_kept_as_given(value):
    reservoir = small(trace_taus=value)
    assert reservoir.get_params()["trace_taus"] is value
    np.testing.assert_array_equal(clone(reservoir).trace_taus, value)     # clone keeps it
    result = reservoir.fit(series()[None]).run(series(), record_traces=True)
    assert result.traces.shape == (40, len(value) * 100)


def test_save_load_round_trips_trace_taus(tmp_path):
    reservoir = small(trace_taus=(2.0, 30.0)).fit(series()[None])
    reservoir.save(tmp_path / "r.npz")
    loaded = Reservoir.load(tmp_path / "r.npz")
    assert loaded.get_params()["trace_taus"] == (2.0, 30.0)
    assert isinstance(loaded.get_params()["trace_taus"], tuple)
    X = np.random.default_rng(6).uniform(size=(3, 40, 1))
    np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))
    np.testing.assert_array_equal(loaded.run(series(), record_traces=True).traces,
                                  reservoir.run(series(), record_traces=True).traces)
    as_array = small(trace_taus=np.array([2.0, 30.0])).fit(series()[None])
    as_array.save(tmp_path / "a.npz")                 # an array is written as a list
    assert Reservoir.load(tmp_path / "a.npz").get_params()["trace_taus"] == (2.0, 30.0)


def test_a_file_without_trace_taus_loads_with_the_default(tmp_path, fitted):
    fitted.save(tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz", allow_pickle=False) as data:
        arrays = dict(data)
    params = json.loads(str(arrays["params_json"]))
    del params["trace_taus"]                          # the layout before trace_taus
    del arrays["format_version"]                      # (format 0: no version entry)
    arrays["params_json"] = np.array(json.dumps(params))
    np.savez(tmp_path / "old.npz", **arrays)
    loaded = Reservoir.load(tmp_path / "old.npz")
    assert loaded.trace_taus == model.PARAMETERS["trace_taus"].default
    np.testing.assert_array_equal(loaded.run(series(), record_traces=True).traces,
                                  fitted.run(series(), record_traces=True).traces)


def test_pickle_keeps_trace_taus(fitted):
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.run(series(), record_traces=True).traces,
                                  fitted.run(series(), record_traces=True).traces)


# ------------------------------------------------------------- readouts
READOUT_TAUS = (5.0, 50.0)


def readout_reservoir(**kw):
    return forecasting_reservoir(n_neurons=100, random_state=0, trace_taus=READOUT_TAUS, **kw)


@pytest.fixture(scope="module")
def delay_task():
    u = np.random.default_rng(7).uniform(-1, 1, size=(600, 1))
    return u, np.vstack([[0.0], u[:-1]])


def test_traces_are_a_step_feature():
    assert "traces" in STEP_FEATURES
    assert _recording(("traces", "v")) == {"record_v": True, "record_currents": False,
                                           "record_traces": True}


def test_sequence_regressor_reads_the_traces(delay_task):
    u, y = delay_task
    fitted = SequenceRegressor(readout_reservoir(), features=("traces", "v"),
                               washout=20).fit(u[:500], y[:500])
    assert fitted.readout_[-1].coef_.shape[-1] == 3 * 100        # two taus, then v
    z = (u[500:] - fitted.mean_) / fitted.scale_
    result = fitted.reservoir_.run(z, record_spikes=False, record_v=True, record_traces=True)
    by_hand = fitted.readout_.predict(np.hstack([result.traces, result.v]))
    pred = fitted.predict(u[500:])
    np.testing.assert_allclose(pred[:, 0], by_hand, rtol=1e-12)
    assert nrmse(y[520:], pred[20:]) < 0.8                # y(t) = u(t - 1), roughly learnt


def test_mlp_reads_every_trace_block_of_the_central_neurons(delay_task):
    u, y = delay_task
    fitted = SequenceRegressor(readout_reservoir(), features=("traces", "input"), washout=20,
                               readout="mlp", central_fraction=0.1).fit(u[:300], y[:300])
    central = fitted.central_neurons_
    assert fitted.readout_.regressor_[0].n_features_in_ == 2 * len(central) + 1
    z = (u[300:] - fitted.mean_) / fitted.scale_
    traces = fitted.reservoir_.run(z, record_spikes=False, record_traces=True).traces
    features = np.hstack([traces[:, central], traces[:, 100 + central], z])
    np.testing.assert_allclose(fitted.predict(u[300:])[:, 0],
                               fitted.readout_.predict(features), rtol=1e-12)


def test_neuron_columns_follow_the_width_of_every_feature():
    reservoir = readout_reservoir().fit(np.zeros((1, 5, 1)))
    columns = _neuron_columns(("currents", "input", "traces", "v"), reservoir, 2, [3, 7])
    n = 100
    expected = [3, 7, n + 3, n + 7,                      # ge, gi
                2 * n, 2 * n + 1,                        # the two inputs
                2 * n + 2 + 3, 2 * n + 2 + 7, 3 * n + 2 + 3, 3 * n + 2 + 7,   # two taus
                4 * n + 2 + 3, 4 * n + 2 + 7]            # v
    np.testing.assert_array_equal(columns, expected)


def test_forecaster_feeds_predictions_back_through_the_traces():
    """The closed loop with traces against a hand-written loop over run(reset=False)."""
    series = lorenz63(600, random_state=2)
    fitted = Forecaster(readout_reservoir(), features=("traces", "v"), readout="linear",
                        washout=20, validation_horizon=20, validation_starts=2).fit(series[:450])
    assert fitted.readout_.coef_.shape == (3, 3 * 100)
    warmup = series[450:500]
    forecast = fitted.forecast(10, warmup=warmup)
    res = fitted.reservoir_
    z = (warmup - fitted.mean_) / fitted.scale_
    result = res.run(z, record_spikes=False, record_v=True, record_traces=True)
    features, x, expected = np.hstack([result.traces, result.v])[-1], z[-1], []
    for _ in range(10):
        x = x + features @ fitted.readout_.coef_.T + fitted.readout_.intercept_
        expected.append(x)
        result = res.run(x[None], reset=False, record_spikes=False, record_v=True,
                         record_traces=True)
        features = np.hstack([result.traces, result.v])[0]
    np.testing.assert_allclose(forecast, np.array(expected) * fitted.scale_ + fitted.mean_,
                               rtol=1e-10)
    pred = fitted.predict(series[500:560])
    assert pred.shape == (60, 3) and np.all(np.isfinite(pred))
