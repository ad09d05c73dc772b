"""Filtered spike trains at several time constants ("traces"): simulator, Reservoir, readouts."""

import numpy as np
import pytest

from hrsnn import Simulator, build_network

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
