"""A given Network goes through Reservoir and Forecaster: fit, transform, save/load, clone."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone

from hrsnn import Forecaster, Network, Reservoir, Simulator, build_network


def data(n=5, steps=30, channels=2, seed=0):
    return np.random.default_rng(seed).uniform(0.0, 1.0, (n, steps, channels))


def pruned_and_grown(seed=0, n=150, channels=2):
    """Two rounds of pruning with growth in between, from a built network."""
    rng = np.random.default_rng(seed)
    net = build_network(n, channels, seed, w_scale=0.15)
    net = net.keep_neurons(rng.random(n) < 0.85)
    net = net.keep_synapses(rng.random(net.n_synapses) < 0.8)
    exc = np.flatnonzero(net.is_exc)
    dense = net.weights.toarray() != 0
    pairs = np.array([(j, i) for j in exc[:30] for i in exc[:30]
                      if j != i and not dense[j, i]][:40])
    net = net.add_synapses(pairs[:, 0], pairs[:, 1], 0.01, random_state=seed)
    net = net.keep_neurons(rng.random(net.n_neurons) < 0.9)
    return net.keep_synapses(rng.random(net.n_synapses) < 0.9)


def counts_by_hand(network, X, dt=1.0, steps_per_input=5):
    """Spike counts of each sequence, simulated directly (current encoding)."""
    sim = Simulator(network, dt)
    rows = []
    for u in X:
        sim.reset()
        rows.append(sim.run(current=u, steps_per_input=steps_per_input).counts)
    return np.array(rows, dtype=float)


def test_a_given_network_is_the_one_simulated():
    net = pruned_and_grown()
    X = data()
    reservoir = Reservoir(network=net, stdp=False, random_state=0).fit(X)
    assert reservoir.network_ is net
    assert reservoir.transform(X).shape == (5, net.n_neurons)
    np.testing.assert_array_equal(reservoir.transform(X), counts_by_hand(net, X))


def test_stdp_runs_on_a_given_network_and_keeps_its_ids():
    net = pruned_and_grown(1)
    X = data()
    reservoir = Reservoir(network=net, random_state=0).fit(X)
    learned = reservoir.network_
    np.testing.assert_array_equal(learned.synapse_id, net.synapse_id)
    np.testing.assert_array_equal(learned.neuron_id, net.neuron_id)
    changed = learned.weight != net.weight
    assert changed.any() and not changed[~net.plastic].any()
    # the same STDP pass by hand
    sim = Simulator(net, 1.0)
    for u in X:
        sim.reset(weights=False)
        sim.run(current=u, steps_per_input=5, learn=True, record_spikes=False)
    np.testing.assert_array_equal(learned.weight, sim.weight)
    assert net.weight.flags.writeable is False          # the given network is untouched


def test_ids_map_back_to_the_original_after_fit():
    original = build_network(150, 2, 0, w_scale=0.15)
    net = pruned_and_grown()
    reservoir = Reservoir(network=net, stdp=False).fit(data())
    old = np.isin(reservoir.network_.synapse_id, original.synapse_id)
    assert (~old).sum() > 0                              # grown synapses are new ids
    idx = original.synapse_index(reservoir.network_.synapse_id[old])
    np.testing.assert_array_equal(original.weight[idx], reservoir.network_.weight[old])
    np.testing.assert_array_equal(
        original.neuron_id[original.pre[idx]],
        reservoir.network_.neuron_id[reservoir.network_.pre[old]])


def test_replacing_network_after_fit_is_what_transform_simulates():
    X = data()
    reservoir = Reservoir(n_neurons=120, random_state=0, stdp=False).fit(X)
    before = reservoir.transform(X)
    silent = reservoir.network_.with_weights(np.zeros(reservoir.network_.n_synapses))
    reservoir.network_ = silent
    after = reservoir.transform(X)
    np.testing.assert_array_equal(after, counts_by_hand(silent, X))
    assert not np.array_equal(before, after)
    assert reservoir.run(X[0]).counts.sum() == after[0].sum()


def test_save_load_clone_and_pickle_with_a_given_network(tmp_path):
    net = pruned_and_grown(2)
    X = data()
    reservoir = Reservoir(network=net, random_state=3).fit(X)
    reservoir.save(tmp_path / "r.npz")
    loaded = Reservoir.load(tmp_path / "r.npz")
    np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))
    np.testing.assert_array_equal(loaded.network.synapse_id, net.synapse_id)
    np.testing.assert_array_equal(loaded.network.weight, net.weight)
    np.testing.assert_array_equal(loaded.network_.neuron_id, reservoir.network_.neuron_id)
    assert loaded.network_.next_synapse_id == reservoir.network_.next_synapse_id
    twin = clone(reservoir)
    assert twin.network is net and not hasattr(twin, "network_")
    np.testing.assert_array_equal(twin.fit(X).transform(X), reservoir.transform(X))
    restored = pickle.loads(pickle.dumps(reservoir))
    np.testing.assert_array_equal(restored.transform(X), reservoir.transform(X))


def test_forecaster_through_a_reservoir_with_a_given_network():
    t = np.arange(700) * 0.1
    series = np.column_stack([np.sin(t), np.cos(1.3 * t)])
    net = build_network(120, 2, 4, w_scale=0.02, w_in=3.0, w_in_dist="uniform")
    net = net.keep_synapses(np.random.default_rng(0).random(net.n_synapses) < 0.5)
    model = Forecaster(Reservoir(network=net, stdp=False), washout=50,
                       validation_horizon=40, random_state=0).fit(series[:600])
    assert model.reservoir_.network_ is net
    forecast = model.forecast(20, warmup=series[500:600])
    assert forecast.shape == (20, 2) and np.all(np.isfinite(forecast))


def test_bad_network_parameter():
    X = data()
    with pytest.raises(ValueError, match="3 input channels but X has 2"):
        Reservoir(network=build_network(50, 3, 0)).fit(X)
    with pytest.raises(TypeError, match="must be an hrsnn.Network"):
        Reservoir(network="net.npz").fit(X)
    assert isinstance(pruned_and_grown(), Network)


def test_a_given_network_without_stdp_is_saved_once(tmp_path):
    net = pruned_and_grown(3)
    X = data()
    reservoir = Reservoir(network=net, stdp=False, random_state=0).fit(X)
    reservoir.save(tmp_path / "r.npz")
    with np.load(tmp_path / "r.npz") as archive:
        assert not any(key.startswith("param_network_") for key in archive.files)
    loaded = Reservoir.load(tmp_path / "r.npz")
    assert loaded.network is loaded.network_
    np.testing.assert_array_equal(loaded.network.synapse_id, net.synapse_id)
    np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))


def test_a_model_file_of_the_previous_format_still_loads(tmp_path):
    # the layout before stable ids and optional ingredients: no id arrays, no
    # ingredient arrays, no next_synapse_id / stdp_distributions in the scalars
    import json

    X = data()
    reservoir = Reservoir(n_neurons=90, random_state=1).fit(X)
    reservoir.save(tmp_path / "new.npz")
    new_only = ("neuron_id", "synapse_id", "tau_syn_exc", "tau_syn_inh", "tau_adapt",
                "adapt_beta", "bias", "noise_sigma")
    with np.load(tmp_path / "new.npz") as archive:
        old = {key: archive[key] for key in archive.files
               if key.removeprefix("network_") not in new_only and key != "format_version"}
    scalars = json.loads(str(old["network_scalars_json"]))
    del scalars["next_synapse_id"], scalars["stdp_distributions"]
    old["network_scalars_json"] = np.array(json.dumps(scalars))
    np.savez(tmp_path / "old.npz", **old)
    loaded = Reservoir.load(tmp_path / "old.npz")
    np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))
    np.testing.assert_array_equal(loaded.network_.synapse_id,
                                  np.arange(reservoir.network_.n_synapses))
    assert loaded.network_.next_synapse_id == reservoir.network_.n_synapses
