"""The Numba simulator against the pure-Python reference, and hand-computed cases."""

import math

import numpy as np
import pytest

from hrsnn import Network, Simulator, build_network

from . import naive


def small_network(seed, rule="soft", strict=False, v_rest=0.0, n=30, n_inputs=3):
    net = build_network(n, n_inputs, seed, grid_shape=(4, 4, 2), w_scale=0.5, c_ee=0.6,
                        c_ei=0.5, c_ie=0.6, c_ii=0.3, p_in=0.5, w_in=0.7, w_in_dist="constant",
                        stdp_rule=rule,
                        eta_plus_mean=0.2, eta_minus_mean=0.2, v_rest=v_rest, v_reset=v_rest)
    if strict:
        net = Network.from_arrays(**{**_fields(net), "strict_threshold": True})
    return net


def _fields(net):
    names = ("positions", "is_exc", "tau_m", "v_th", "v_init", "pre", "post", "weight",
             "plastic", "tau_plus", "tau_minus", "eta_plus", "eta_minus", "in_channel",
             "in_post", "in_weight", "n_inputs", "v_rest", "v_reset", "t_ref",
             "strict_threshold", "stdp_rule", "w_min", "w_max")
    return {k: getattr(net, k) for k in names}


def raster_of(result):
    return list(zip(result.spike_steps.tolist(), result.spike_neurons.tolist()))


@pytest.mark.parametrize("event_driven", [None, True, False])
@pytest.mark.parametrize("rule", ["soft", "additive"])
@pytest.mark.parametrize("strict", [False, True])
def test_poisson_driven_matches_reference(rule, strict, event_driven):
    net = small_network(1, rule, strict)
    rng = np.random.default_rng(5)
    counts = (rng.random((300, net.n_inputs)) < 0.08).astype(int)
    counts[rng.random(counts.shape) < 0.01] += 1          # a few double spikes
    sim = Simulator(net, dt=0.5)
    result = sim.run(300, input_spikes=counts, learn=True, event_driven=event_driven)
    assert (result.event_steps == 299) == (event_driven is True)
    raster, weights, v = naive.simulate(net, 0.5, 300, input_counts=counts, learn=True)
    assert len(raster) > 50, "the test network should be active"
    assert raster_of(result) == raster
    np.testing.assert_allclose(sim.weight, weights, rtol=1e-12, atol=1e-14)
    # weights differ by rounding (eager vs lazy trace decay), and so may v
    np.testing.assert_allclose(sim.v, v, rtol=1e-12, atol=1e-14)
    assert not np.array_equal(sim.weight, net.weight), "STDP should have changed weights"


@pytest.mark.parametrize("v_rest", [0.0, -0.2])
def test_current_driven_matches_reference(v_rest):
    net = small_network(2, "soft", v_rest=v_rest)
    current = np.random.default_rng(3).uniform(0.0, 2.0, (40, net.n_inputs))
    sim = Simulator(net, dt=1.0)
    result = sim.run(current=current, steps_per_input=5, learn=True)
    raster, weights, v = naive.simulate(net, 1.0, 200, current=current, steps_per_input=5,
                                        learn=True)
    assert len(raster) > 50
    assert raster_of(result) == raster
    np.testing.assert_allclose(sim.weight, weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sim.v, v, rtol=1e-12, atol=1e-14)


def test_frozen_weights_without_learning():
    net = small_network(3)
    counts = (np.random.default_rng(0).random((200, net.n_inputs)) < 0.1).astype(int)
    sim = Simulator(net, dt=0.5)
    result = sim.run(200, input_spikes=counts, learn=False)
    raster, weights, v = naive.simulate(net, 0.5, 200, input_counts=counts, learn=False)
    assert raster_of(result) == raster
    np.testing.assert_array_equal(sim.weight, net.weight)
    np.testing.assert_array_equal(sim.v, v)          # same operations, same bits
    current = np.random.default_rng(1).uniform(0.0, 2.0, (40, net.n_inputs))
    sim.reset()
    result = sim.run(current=current, steps_per_input=5)
    raster, _, v = naive.simulate(net, 0.5, 200, current=current, steps_per_input=5)
    assert raster_of(result) == raster
    np.testing.assert_array_equal(sim.v, v)


def test_spike_record_grows_beyond_initial_buffer():
    """More spikes than the initial record buffer: the run resumes seamlessly."""
    net = small_network(4)
    current = np.full((1, net.n_inputs), 50.0)          # every neuron fires at max rate
    sim = Simulator(net, dt=0.5)
    result = sim.run(current=current, steps_per_input=2000)
    raster, _, _ = naive.simulate(net, 0.5, 2000, current=current, steps_per_input=2000)
    assert len(raster) > 4096
    assert raster_of(result) == raster
    assert result.counts.sum() == len(raster)


def two_neuron_network(w=0.01, rule="soft", eta_plus=0.1, eta_minus=0.12,
                       tau_plus=15.0, tau_minus=25.0, w_max=1.0):
    """Neuron 0 -> neuron 1 (plastic), each driven by its own input channel."""
    return Network.from_arrays(
        is_exc=[True, True], tau_m=[10.0, 10.0], v_th=[1.0, 1.0], pre=[0], post=[1],
        weight=[w], tau_plus=tau_plus, tau_minus=tau_minus, eta_plus=eta_plus,
        eta_minus=eta_minus, in_channel=[0, 1], in_post=[0, 1], in_weight=[5.0, 5.0],
        t_ref=2.0, stdp_rule=rule, w_min=0.0, w_max=w_max)


def kick(n_steps, events):
    counts = np.zeros((n_steps, 2), dtype=int)
    for step, channel in events:
        counts[step, channel] += 1
    return counts


def test_stdp_potentiation_by_hand():
    """Pre spikes at step 1, post at step 8: w += eta+ (w_max - w) exp(-7 dt / tau+)."""
    net = two_neuron_network()
    sim = Simulator(net, dt=1.0)
    result = sim.run(20, input_spikes=kick(20, [(0, 0), (7, 1)]), learn=True)
    assert raster_of(result) == [(1, 0), (8, 1)]
    w0, dt_spikes = 0.01, 7.0
    expected = w0 + 0.1 * (1.0 - w0) * math.exp(-dt_spikes / 15.0)
    assert sim.weight[0] == pytest.approx(expected, rel=1e-14)


def test_stdp_depression_by_hand():
    """Post at step 1, pre at step 8: w -= eta- (w - w_min) exp(-7 dt / tau-)."""
    net = two_neuron_network(w=0.5)
    sim = Simulator(net, dt=1.0)
    result = sim.run(20, input_spikes=kick(20, [(0, 1), (7, 0)]), learn=True)
    assert raster_of(result) == [(1, 1), (8, 0)]
    expected = 0.5 - 0.12 * 0.5 * math.exp(-7.0 / 25.0)
    assert sim.weight[0] == pytest.approx(expected, rel=1e-14)


def test_additive_stdp_pair_by_hand():
    """Additive rule: LTP adds eta+ exp(-dt/tau+), then LTD subtracts eta- exp(-dt/tau-)."""
    net = two_neuron_network(w=0.3, rule="additive", eta_plus=0.02, eta_minus=0.03)
    sim = Simulator(net, dt=0.5)
    # pre at step 1, post at step 5, pre again at step 13
    result = sim.run(30, input_spikes=kick(30, [(0, 0), (4, 1), (12, 0)]), learn=True)
    assert raster_of(result) == [(1, 0), (5, 1), (13, 0)]
    after_ltp = 0.3 + 0.02 * math.exp(-4 * 0.5 / 15.0)
    after_ltd = after_ltp - 0.03 * math.exp(-8 * 0.5 / 25.0)
    assert sim.weight[0] == pytest.approx(after_ltd, rel=1e-14)


def test_refractory_period_discards_input_and_freezes_potential():
    """A neuron that spiked at step 1 ignores input for t_ref/dt = 4 steps."""
    net = two_neuron_network()
    sim = Simulator(net, dt=0.5)                 # t_ref 2 ms = 4 steps
    # spike at step 1; inputs at steps 2..4 are discarded; step 5 is accepted
    result = sim.run(12, input_spikes=kick(12, [(0, 1), (2, 1), (4, 1), (5, 1)]),
                     record_v=True)
    assert raster_of(result) == [(1, 1), (6, 1)]
    assert np.all(result.v[1:5, 1] == 0.0)       # held at v_reset while refractory
    # an input in the very step a neuron spikes is discarded too
    sim.reset()
    result = sim.run(12, input_spikes=kick(12, [(0, 1), (1, 1)]))
    assert raster_of(result) == [(1, 1)]


@pytest.mark.parametrize("strict", [False, True])
def test_threshold_equality_depends_on_strictness(strict):
    """A potential landing exactly on v_th spikes only with the non-strict rule."""
    v_exact = 1.3 * math.exp(-1.0 / 10.0)      # the kernel's decay, same bits
    net = Network.from_arrays(is_exc=[True], tau_m=[10.0], v_th=[v_exact], pre=[], post=[],
                              weight=[], v_init=[1.3], t_ref=0.0, strict_threshold=strict)
    result = Simulator(net, dt=1.0).run(1)
    assert result.counts[0] == (0 if strict else 1)


def test_exact_lif_decay_and_current_steady_state():
    net = Network.from_arrays(is_exc=[True], tau_m=[20.0], v_th=[100.0], pre=[], post=[],
                              weight=[], v_init=[0.5], in_channel=[0], in_post=[0],
                              in_weight=[1.0])
    sim = Simulator(net, dt=1.0)
    result = sim.run(current=np.zeros((10, 1)), record_v=True)
    np.testing.assert_allclose(result.v[:, 0], 0.5 * np.exp(-np.arange(1, 11) / 20.0),
                               rtol=1e-14)
    sim.reset()
    result = sim.run(current=np.full((400, 1), 0.8), record_v=True)
    assert result.v[-1, 0] == pytest.approx(0.8 + (0.5 - 0.8) * math.exp(-400 / 20.0))


@pytest.mark.parametrize("event_driven", [None, True, False])
def test_continuing_equals_one_long_run(event_driven):
    net = small_network(6)
    counts = (np.random.default_rng(1).random((200, net.n_inputs)) < 0.08).astype(int)
    whole = Simulator(net, dt=0.5)
    full = whole.run(200, input_spikes=counts, learn=True, event_driven=event_driven)
    parts = Simulator(net, dt=0.5)
    first = parts.run(120, input_spikes=counts[:120], learn=True, event_driven=event_driven)
    second = parts.run(80, input_spikes=counts[120:], learn=True, event_driven=event_driven)
    assert raster_of(full) == raster_of(first) + raster_of(second)
    np.testing.assert_array_equal(whole.weight, parts.weight)


def test_bad_drive_is_rejected():
    sim = Simulator(small_network(7), dt=1.0)
    with pytest.raises(ValueError, match="current"):
        sim.run(current=np.zeros((5, 2)))
    with pytest.raises(ValueError, match="finite"):
        sim.run(current=np.full((5, 3), np.nan))
    with pytest.raises(ValueError, match="input_spikes"):
        sim.run(10, input_spikes=np.zeros((9, 3)))
    with pytest.raises(ValueError, match="steps_per_input"):
        sim.run(10, steps_per_input=0)
    with pytest.raises(ValueError, match="dt"):
        Simulator(small_network(7), dt=0.0)


def test_filtered_traces_decay_while_not_recorded():
    # a run without state recording, then a recorded one, must see the traces a
    # single recorded run has (they used to decay only while being recorded)
    net = small_network(8)
    counts = (np.random.default_rng(2).random((150, net.n_inputs)) < 0.1).astype(int)
    whole = Simulator(net, dt=1.0).run(150, input_spikes=counts, record_states=True,
                                       tau_readout=10.0)
    parts = Simulator(net, dt=1.0)
    parts.run(100, input_spikes=counts[:100], record_states=False, tau_readout=10.0)
    second = parts.run(50, input_spikes=counts[100:], record_states=True, tau_readout=10.0)
    np.testing.assert_allclose(second.states, whole.states[100:], rtol=1e-12, atol=1e-15)


def test_filtered_traces_by_hand():
    # one neuron kicked over threshold at steps 0 and 3: trace = sum of exp(-(t - s)/tau)
    net = Network.from_arrays(tau_m=[10.0], v_th=[0.5], is_exc=[True], pre=[], post=[],
                              weight=[], in_channel=[0], in_post=[0], in_weight=[1.0],
                              t_ref=0.0)
    spikes = np.zeros((6, 1), dtype=int)
    spikes[[0, 3], 0] = 1
    sim = Simulator(net, dt=1.0)
    result = sim.run(6, input_spikes=spikes, record_states=False, tau_readout=4.0)
    np.testing.assert_array_equal(result.spike_steps, [1, 4])
    expected = math.exp(-4 / 4.0) + math.exp(-1 / 4.0)
    np.testing.assert_allclose(sim.readout, [expected], rtol=1e-12)


def test_lazy_traces_survive_a_growing_spike_record():
    # without state recording the traces decay lazily; a full spike record
    # interrupts the kernel, which must leave them exact
    net = small_network(4)
    current = np.full((1, net.n_inputs), 50.0)
    eager = Simulator(net, dt=0.5).run(current=current, steps_per_input=2000,
                                       record_states=True, tau_readout=7.0)
    sim = Simulator(net, dt=0.5)
    result = sim.run(current=current, steps_per_input=2000, tau_readout=7.0)
    assert result.spike_steps.size > 4096
    np.testing.assert_allclose(sim.readout, eager.states[-1], rtol=1e-10)
    # by hand from the recorded spikes
    decay = math.exp(-0.5 / 7.0)
    by_hand = np.zeros(net.n_neurons)
    np.add.at(by_hand, result.spike_neurons, decay ** (1999 - result.spike_steps))
    np.testing.assert_allclose(sim.readout, by_hand, rtol=1e-10)


# ------------------------------------------------------------ event-driven steps
def sparse_network(seed, n=400, v_rest=0.0):
    """A network whose spikes reach few synapses per step (event-driven steps pay)."""
    return build_network(n, 4, seed, grid_shape=(10, 10, 4), w_scale=0.6, p_in=0.05,
                         w_in=1.5, w_in_dist="constant", v_rest=v_rest, v_reset=v_rest,
                         eta_plus_mean=0.05, eta_minus_mean=0.05)


@pytest.mark.parametrize("v_rest", [0.0, -0.4])
def test_event_driven_steps_give_the_clock_driven_spikes(v_rest):
    """Long runs, sparse input: the raster and the weights of all three modes agree
    (weights exactly: STDP does not see the potentials); potentials to rounding."""
    net = sparse_network(3, v_rest=v_rest)
    counts = (np.random.default_rng(2).random((3000, net.n_inputs)) < 0.01).astype(int)
    runs, event_steps = {}, {}
    for mode in (None, True, False):
        sim = Simulator(net, dt=0.05)
        result = sim.run(3000, input_spikes=counts, learn=True, event_driven=mode)
        runs[mode] = (raster_of(result), sim.weight, sim.v)
        event_steps[mode] = result.event_steps
    raster, weight, v = runs[False]
    assert len(raster) > 100
    # never; always but in the first step of each kernel call (a call ends when the
    # spike record is full); automatic: this network's activity comes in bursts,
    # so the run switches between the two kinds of step
    assert event_steps[False] == 0 and 2980 < event_steps[True] < 3000
    assert 0 < event_steps[None] <= 3000 - 64
    for mode in (None, True):
        assert runs[mode][0] == raster
        np.testing.assert_array_equal(runs[mode][1], weight)
        np.testing.assert_allclose(runs[mode][2], v, rtol=1e-12, atol=1e-13)


def test_automatic_choice_follows_the_fan_out():
    """Rare input and weak synapses: every window after the first is event-driven,
    nearly all lazy. HRSNN-2000 (about 140 synapses per step for 2,000 neurons:
    above 2,000 / 128, below 2,000 / 8): listed steps, not lazy ones."""
    net = build_network(400, 4, 3, grid_shape=(10, 10, 4), w_scale=0.05, p_in=0.05,
                        w_in=1.5, w_in_dist="constant")
    counts = (np.random.default_rng(2).random((1280, net.n_inputs)) < 0.0005).astype(int)
    result = Simulator(net, dt=0.1).run(1280, input_spikes=counts, record_spikes=False)
    assert result.counts.sum() > 0
    assert result.event_steps == 1280 - 64 - 1      # the switching step is a full one
    assert result.lazy_steps > 1280 - 3 * 64
    from hrsnn.reference import load_hrsnn2000
    net, in_steps, in_idx = load_hrsnn2000()
    keep = in_steps < 2000
    spikes = (in_steps[keep], in_idx[keep])
    listed, clocked = Simulator(net, dt=0.1), Simulator(net, dt=0.1)
    result = listed.run(2000, input_spikes=spikes, learn=True)
    # listed steps, except after each step with an input spike (600 synapses, above
    # 2,000 / 8), after which every neuron is checked
    assert result.lazy_steps <= 2 * 64 and 2000 / 2 < result.event_steps < 2000 - 64
    # listed steps do the clock-driven arithmetic: the same potentials, bit for bit
    reference = clocked.run(2000, input_spikes=spikes, learn=True, event_driven=False)
    if result.lazy_steps == 0:
        np.testing.assert_array_equal(listed.v, clocked.v)
    assert raster_of(result) == raster_of(reference)


def test_lazy_decay_by_hand():
    """One neuron, two inputs 30 steps apart: the potential after the second is
    ``v0 exp(-30 dt / tau) + w`` (refractory steps do not decay, see below)."""
    net = Network.from_arrays(is_exc=[True], tau_m=[10.0], v_th=[1.0], pre=[], post=[],
                              weight=[], in_channel=[0], in_post=[0], in_weight=[0.3])
    sim = Simulator(net, dt=0.5)
    drive = np.zeros((40, 1), dtype=int)
    drive[[0, 30], 0] = 1
    result = sim.run(40, input_spikes=drive, event_driven=True)
    assert result.counts[0] == 0
    w, tau = 0.3, 10.0
    expected = (w * math.exp(-30 * 0.5 / tau) + w) * math.exp(-9 * 0.5 / tau)
    assert sim.v[0] == pytest.approx(expected, rel=1e-13)


def test_event_driven_refractory_neuron_is_held_then_decays():
    """A neuron that spiked keeps v_reset through its refractory period, then decays
    from the step the period ends, as the clock-driven loop does."""
    net = two_neuron_network()
    sim_event, sim_clock = Simulator(net, dt=0.5), Simulator(net, dt=0.5)
    drive = kick(30, [(0, 1), (6, 1), (20, 1)])
    a = sim_event.run(30, input_spikes=drive, event_driven=True)
    b = sim_clock.run(30, input_spikes=drive, event_driven=False)
    assert raster_of(a) == raster_of(b) and len(raster_of(a)) >= 1
    np.testing.assert_allclose(sim_event.v, sim_clock.v, rtol=1e-13)


def test_event_driven_is_not_used_where_it_would_be_inexact():
    """With a bias the neurons can fire without input: event_driven=True falls back to
    clock-driven steps, and the spikes are those of the reference."""
    net = small_network(4)
    net = Network.from_arrays(**{**_fields(net), "bias": 0.08})
    counts = (np.random.default_rng(0).random((200, net.n_inputs)) < 0.05).astype(int)
    result = Simulator(net, dt=0.5).run(200, input_spikes=counts, event_driven=True)
    raster, _, _ = naive.simulate(net, 0.5, 200, input_counts=counts)
    assert raster_of(result) == raster and len(raster) > 20
    assert result.event_steps == 0


def test_event_driven_must_be_a_flag():
    with pytest.raises(ValueError, match="event_driven"):
        Simulator(small_network(5), dt=1.0).run(5, event_driven="yes")
