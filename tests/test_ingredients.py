"""Synaptic currents, adaptation, bias and membrane noise against the naive reference."""

import math

import numpy as np
import pytest

from hrsnn import Network, Simulator, build_network
from hrsnn._kernels import standard_normal

from . import naive
from .test_kernels import raster_of, small_network

INGREDIENTS = {
    "currents": dict(tau_syn_exc=np.linspace(2.0, 8.0, 30), tau_syn_inh=6.0),
    "adaptation": dict(adapt_beta=np.linspace(0.5, 3.0, 30), tau_adapt=40.0),
    "bias": dict(bias=np.linspace(0.0, 0.6, 30)),
    "noise": dict(noise_sigma=0.3),
    "everything": dict(tau_syn_exc=4.0, tau_syn_inh=np.linspace(3.0, 12.0, 30),
                       adapt_beta=1.0, tau_adapt=np.linspace(20.0, 80.0, 30),
                       bias=0.2, noise_sigma=np.linspace(0.0, 0.3, 30)),
}


def with_ingredients(name, seed=1, rule="soft"):
    net = small_network(seed, rule)
    values = dict(INGREDIENTS[name])
    return net.with_neuron_params(**values)


@pytest.mark.parametrize("name", sorted(INGREDIENTS))
@pytest.mark.parametrize("rule", ["soft", "additive"])
def test_spike_driven_ingredients_match_reference(name, rule):
    net = with_ingredients(name, rule=rule)
    rng = np.random.default_rng(5)
    counts = (rng.random((300, net.n_inputs)) < 0.1).astype(int)
    sim = Simulator(net, dt=0.5)
    result = sim.run(300, input_spikes=counts, learn=True, noise_seed=11)
    raster, weights, v = naive.simulate(net, 0.5, 300, input_counts=counts, learn=True,
                                        noise_seed=11)
    assert len(raster) > 50, "the test network should be active"
    assert raster_of(result) == raster
    np.testing.assert_allclose(sim.weight, weights, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(sim.v, v, rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", sorted(INGREDIENTS))
def test_current_driven_ingredients_match_reference(name):
    net = with_ingredients(name, seed=2)
    current = np.random.default_rng(3).uniform(0.0, 2.0, (40, net.n_inputs))
    sim = Simulator(net, dt=1.0)
    result = sim.run(current=current, steps_per_input=5, learn=True, noise_seed=3)
    raster, _, v = naive.simulate(net, 1.0, 200, current=current, steps_per_input=5,
                                  learn=True, noise_seed=3)
    assert len(raster) > 50
    assert raster_of(result) == raster
    np.testing.assert_allclose(sim.v, v, rtol=1e-10, atol=1e-12)


def one_neuron(**ingredients):
    return Network.from_arrays(tau_m=[10.0], v_th=[1e9], is_exc=[True], pre=[], post=[],
                               weight=[], in_channel=[0, 1], in_post=[0, 0],
                               in_weight=[0.5, -0.25], t_ref=0.0, **ingredients)


def test_current_synapse_psp_by_hand():
    # a spike through an exponential current synapse: v(t) = w/(tau_s - tau_m) *
    # tau_m * (exp(-t/tau_s) - exp(-t/tau_m)) after arrival, total charge w
    tau_m, tau_s, dt = 10.0, 4.0, 0.5
    net = one_neuron(tau_syn_exc=tau_s, tau_syn_inh=tau_s)
    spikes = np.zeros((200, 2), dtype=int)
    spikes[0, 0] = 1
    sim = Simulator(net, dt=dt)
    result = sim.run(200, input_spikes=spikes, record_v=True)
    t = np.arange(1, 200) * dt                     # the spike arrives in step 0
    expected = 0.5 * tau_m / (tau_s - tau_m) * (np.exp(-t / tau_s) - np.exp(-t / tau_m))
    np.testing.assert_allclose(result.v[1:, 0], expected, rtol=1e-12, atol=1e-15)
    # the same charge as a delta synapse of weight w: the PSP's integral is w * tau_m
    # (the sum times dt approximates the integral to O(dt^2))
    assert abs(result.v[:, 0].sum() * dt - 0.5 * tau_m) < 2e-3 * 0.5 * tau_m


def test_inhibitory_input_weights_feed_the_inhibitory_current():
    net = one_neuron(tau_syn_exc=2.0, tau_syn_inh=8.0)
    spikes = np.zeros((5, 2), dtype=int)
    spikes[0, 1] = 1                                  # channel 1 has weight -0.25
    sim = Simulator(net, dt=1.0)
    sim.run(5, input_spikes=spikes)
    np.testing.assert_allclose(sim.gi, [-0.25 / 8.0 * math.exp(-4 / 8.0)], rtol=1e-12)
    assert sim.ge[0] == 0.0


def test_adaptation_raises_the_threshold_by_hand():
    # one neuron driven above threshold: after each spike a jumps by 1/tau_a,
    # and the next spike needs v >= v_th + beta * a
    net = Network.from_arrays(tau_m=[10.0], v_th=[0.5], is_exc=[True], pre=[], post=[],
                              weight=[], in_channel=[0], in_post=[0], in_weight=[1.0],
                              t_ref=0.0, adapt_beta=[5.0], tau_adapt=[50.0])
    sim = Simulator(net, dt=1.0)
    adapted = sim.run(current=np.full((1, 1), 2.0), steps_per_input=300)
    plain = Simulator(net.with_neuron_params(adapt_beta=0.0), 1.0).run(
        current=np.full((1, 1), 2.0), steps_per_input=300)
    assert 0 < adapted.counts[0] < plain.counts[0]
    a = 0.0
    for gap, step in zip(np.diff(np.r_[-1, adapted.spike_steps]), adapted.spike_steps):
        a *= math.exp(-gap / 50.0)               # decay since the last spike
        a += 1 / 50.0
    np.testing.assert_allclose(sim.a, [a * math.exp(-(299 - adapted.spike_steps[-1]) / 50.0)],
                               rtol=1e-10)


def test_noise_is_seeded_stationary_and_continues_exactly():
    net = Network.from_arrays(tau_m=[10.0] * 400, v_th=1e9, is_exc=[True] * 400, pre=[],
                              post=[], weight=[], t_ref=0.0, noise_sigma=0.2)
    sim = Simulator(net, dt=1.0)
    run = sim.run(2000, record_v=True, noise_seed=4)
    stationary = run.v[200:]
    assert abs(stationary.std() - 0.2) < 0.01                 # the OU's stationary std
    assert abs(stationary.mean()) < 0.01
    lag1 = np.corrcoef(stationary[1:].ravel(), stationary[:-1].ravel())[0, 1]
    assert abs(lag1 - math.exp(-0.1)) < 0.01                 # OU autocorrelation
    again = Simulator(net, 1.0).run(2000, record_v=True, noise_seed=4)
    np.testing.assert_array_equal(again.v, run.v)
    other = Simulator(net, 1.0).run(50, record_v=True, noise_seed=5)
    assert not np.array_equal(other.v, run.v[:50])
    parts = Simulator(net, 1.0)
    parts.run(700, noise_seed=4)
    second = parts.run(1300, record_v=True, noise_seed=4)
    np.testing.assert_array_equal(second.v, run.v[700:])


def test_counter_based_normals():
    from scipy import stats

    from hrsnn._kernels import noise_table

    draws = np.empty((400, 400))
    noise_table(9, 0, np.ones(400), draws)
    assert stats.kstest(draws.ravel(), "norm").pvalue > 1e-3
    tail = np.mean(np.abs(draws) > 3.0)                       # the ziggurat's tail path
    assert abs(tail - 2 * stats.norm.sf(3.0)) < 4 * np.sqrt(2 * stats.norm.sf(3.0) / draws.size)
    beyond = np.abs(draws[np.abs(draws) > 3.442620])          # the tail's own sampler
    assert stats.kstest(beyond, stats.truncnorm(3.442620, np.inf).cdf).pvalue > 1e-3
    # the Python implementation of the same generator, on every path (fast, wedge, tail)
    picks = [(s, i) for s in range(400) for i in range(400)
             if abs(draws[s, i]) > 2.5 or (s * 400 + i) % 997 == 0]
    assert len(picks) > 500
    assert all(standard_normal(9, s, i) == naive.normal(9, s, i) == draws[s, i]
               for s, i in picks)


def test_ingredients_round_trip_and_validation():
    net = build_network(60, 2, 0, tau_syn_exc_mean=5.0, tau_syn_inh_mean=8.0,
                        adapt_beta_mean=1.0, bias_mean=0.1, noise_sigma=0.05)
    back = Network.from_dict(net.to_dict())
    for name in ("tau_syn_exc", "tau_syn_inh", "tau_adapt", "adapt_beta", "bias", "noise_sigma"):
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name))
    with pytest.raises(ValueError, match="all 0 .* or all > 0"):
        net.with_neuron_params(tau_syn_exc=np.r_[0.0, np.ones(59)])
    with pytest.raises(ValueError, match="'noise_sigma' must be >= 0"):
        net.with_neuron_params(noise_sigma=-1.0)
    with pytest.raises(ValueError, match="both be 0"):
        build_network(20, 1, 0, tau_syn_exc_mean=5.0)
    with pytest.raises(TypeError, match="unknown names"):
        net.with_neuron_params(tau_sin=1.0)


def test_reservoir_with_every_ingredient_is_deterministic_and_batch_independent():
    from hrsnn import Reservoir

    X = np.random.default_rng(0).uniform(0, 1, (6, 30, 2))
    params = dict(n_neurons=120, random_state=3, steps_per_input=3, tau_syn_exc_mean=5.0,
                  tau_syn_inh_mean=10.0, adapt_beta_mean=0.5, bias_mean=0.05,
                  noise_sigma=0.1, features="mean")
    one = Reservoir(**params).fit(X).transform(X)
    threads = Reservoir(**params, n_jobs=2).fit(X).transform(X)
    np.testing.assert_array_equal(one, threads)
    alone = Reservoir(**params).fit(X).transform(X[2:3])
    np.testing.assert_array_equal(alone[0], one[2])
    quiet = Reservoir(**{**params, "noise_sigma": 0.0}).fit(X).transform(X)
    assert not np.array_equal(quiet, one)
    assert one.sum() > 0


def test_currents_and_adaptation_are_recorded_and_readable_by_name():
    from hrsnn import Reservoir, SequenceRegressor

    net = with_ingredients("everything", seed=3)
    current = np.random.default_rng(3).uniform(0.0, 2.0, (40, net.n_inputs))
    sim = Simulator(net, dt=1.0)
    result = sim.run(current=current, steps_per_input=5, record_currents=True, noise_seed=1)
    np.testing.assert_array_equal(result.ge[-1], sim.ge)          # end of the last input step
    np.testing.assert_array_equal(result.a[-1], sim.a)
    by_parts = Simulator(net, dt=1.0)
    by_parts.run(current=current[:10], steps_per_input=5, noise_seed=1)
    np.testing.assert_array_equal(by_parts.gi, result.gi[9])
    assert result.ge.shape == (40, net.n_neurons) and np.any(result.ge > 0)
    u = np.random.default_rng(0).uniform(-1, 1, 300)
    y = np.roll(u, 1)
    reservoir = Reservoir(80, random_state=0, steps_per_input=2, tau_syn_exc_mean=4.0,
                          tau_syn_inh_mean=8.0, adapt_beta_mean=0.5, w_in_dist="uniform")
    model = SequenceRegressor(reservoir, features=("currents", "adaptation"),
                              washout=20).fit(u, y)
    assert model.predict(u).shape == (300,)
    assert model.readout_[-1].coef_.shape[-1] == 3 * 80            # ge, gi and a per neuron


def test_a_network_file_without_the_ingredients_loads_with_them_off():
    net = build_network(40, 2, 0)
    data = {key: value for key, value in net.to_dict("n_").items()
            if not any(key == "n_" + name for name in
                       ("tau_syn_exc", "tau_syn_inh", "tau_adapt", "adapt_beta", "bias",
                        "noise_sigma"))}
    back = Network.from_dict(data, prefix="n_")
    assert not back.current_synapses and np.all(back.adapt_beta == 0)
    assert np.all(back.tau_adapt == 100.0) and np.all(back.noise_sigma == 0)
    np.testing.assert_array_equal(back.weight, net.weight)
