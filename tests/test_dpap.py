"""DPAP's survival machinery against hand computations of the paper's equations."""

import math

import numpy as np
import pytest

from hrsnn.pruning.dpap import (DPAP, minmax_normalise, percentile_normalise, spike_trace,
                                survival_delta)


def naive_trace(spikes, decay):
    trace = np.zeros(spikes.shape[1:])
    for s in spikes:
        trace = decay * trace + s
    return trace


def test_spike_trace_is_the_recursive_trace_and_sums_conv_channels_over_space():
    rng = np.random.default_rng(0)
    spikes = (rng.random((6, 3, 4)) < 0.4).astype(float)
    np.testing.assert_allclose(spike_trace(spikes), naive_trace(spikes, 0.5), rtol=1e-14)
    # by hand: spikes at t = 0 and t = 2 of 3 steps -> 0.25 + 1
    assert spike_trace(np.array([1.0, 0.0, 1.0])[:, None, None])[0, 0] == 1.25
    conv = (rng.random((5, 2, 3, 4, 4)) < 0.3).astype(float)
    np.testing.assert_allclose(spike_trace(conv, 0.7), naive_trace(conv.sum(axis=(3, 4)), 0.7))
    with pytest.raises(ValueError, match="'spikes' must have shape"):
        spike_trace(np.zeros((3, 4)))


def test_normalisations_by_hand():
    x = np.array([1.0, 2.0, 3.0, 5.0, 9.0])        # P75 = 5 (numpy's linear percentile)
    np.testing.assert_allclose(percentile_normalise(x), [0, 0.25, 0.5, 1, 1])
    np.testing.assert_allclose(minmax_normalise(x), [0, 0.125, 0.25, 0.5, 1])
    np.testing.assert_array_equal(percentile_normalise(np.ones(3)), 0.5)
    np.testing.assert_array_equal(minmax_normalise(np.ones(3)), 0.5)
    # P75 == min (most values tied at the minimum): the limit, 0 at the minimum, 1 above
    np.testing.assert_array_equal(percentile_normalise([0, 0, 0, 0, 3]), [0, 0, 0, 0, 1])
    # delta = 2 Norm - eps, + C where >= 0: eps 1.5, C 2
    np.testing.assert_allclose(survival_delta(x, 1.5, 2.0), [-1.5, -1.0, -0.5, 2.5, 2.5])


def test_bcm_theta_and_activity_follow_the_equations():
    rng = np.random.default_rng(1)
    layer = DPAP(3, 2)
    theta, bcm, activity = np.zeros(2), np.zeros((2, 3)), np.zeros(2)
    for b in range(1, 4):
        pre, post = rng.random((4, 3)), rng.random((4, 2))     # (batch, n) traces
        layer.observe_traces(pre, post)
        theta = (theta * (b - 1) + post.mean(axis=0)) / b       # Eq. 8, Num = b
        for i in range(2):
            for j in range(3):
                bcm[i, j] += sum(post[s, i] * (post[s, i] - theta[i]) * pre[s, j]
                                 for s in range(4))
        activity += post.sum(axis=0)
    np.testing.assert_allclose(layer.theta, theta, rtol=1e-13)
    np.testing.assert_allclose(layer.bcm.reshape(2, 3), bcm, rtol=1e-12)
    np.testing.assert_allclose(layer.activity, activity, rtol=1e-13)
    spine = minmax_normalise(bcm.sum(axis=1)) * minmax_normalise(activity)
    np.testing.assert_allclose(layer.spine_measure(), spine)


def test_survival_update_prunes_below_zero_and_never_resurrects():
    layer = DPAP(4, 1, initial_survival=0.5, start_epoch=0, eta_period=2, prune_neurons=False)
    pre = np.array([[0.0, 1.0, 2.0, 3.0]])
    layer.observe_traces(pre, np.array([[2.0]]))   # theta = 2: BCM = 2 * 0 * pre = 0
    assert np.all(layer.bcm == 0)
    layer.bcm[:] = [0.0, 1.0, 2.0, 4.0]            # P75 = 2.5
    delta = survival_delta(np.array([0.0, 1.0, 2.0, 4.0]), 1.5, 2.0)
    layer.end_epoch(0)
    np.testing.assert_allclose(layer.synapse_survival, 0.999 * 0.5 + delta)
    np.testing.assert_array_equal(layer.synapse_alive, [False, False, True, True])
    # later epochs: eta = exp(-floor(e / 2)); a pruned synapse stays pruned whatever it scores
    assert layer.eta(1) == 1.0 and layer.eta(2) == pytest.approx(math.exp(-1))
    layer.observe_traces(pre, np.array([[3.0]]))
    layer.bcm[:] = [9.0, 9.0, 0.0, 0.0]
    layer.end_epoch(1)
    assert not layer.synapse_alive[:2].any()
    np.testing.assert_array_equal(layer.weight_mask(), [layer.synapse_alive])


def test_no_update_before_the_start_epoch_and_the_eta_schedule():
    layer = DPAP(2, 2)
    assert [layer.eta(e) for e in (0, 4)] == [0.0, 0.0]
    assert layer.eta(5) == 1.0 and layer.eta(17) == 1.0
    assert layer.eta(18) == pytest.approx(math.exp(-1))
    layer.observe_traces(np.ones((1, 2)), np.array([[0.0, 5.0]]))
    assert layer.end_epoch(4) == {"synapses": 0, "neurons": 0}
    np.testing.assert_array_equal(layer.synapse_survival, 10.0)
    assert np.all(layer.bcm == 0) and np.all(layer.activity == 0)   # reset per epoch


def test_a_pruned_neuron_loses_its_presynaptic_synapses_and_conv_prunes_filters_only():
    layer = DPAP(3, 2, kind="conv", initial_survival=0.1, start_epoch=0)
    assert (layer.epsilon, layer.constant, layer.prune_synapses) == (0.65, 5.0, False)
    layer.observe_traces(np.ones((2, 3)), np.array([[0.0, 4.0], [0.0, 2.0]]))
    pruned = layer.end_epoch(0)
    # neuron 0 never fired: D = 0 -> delta = -0.65 < -0.1 * 0.999; neuron 1 is protected
    assert pruned == {"synapses": 3, "neurons": 1}
    np.testing.assert_array_equal(layer.weight_mask(), [[False] * 3, [True] * 3])
    assert layer.pruned_fraction == pytest.approx(0.5)


def test_sparse_synapses_score_only_the_listed_pairs():
    pre, post = np.array([0, 2, 1]), np.array([1, 0, 1])
    layer = DPAP(3, 2, synapses=(pre, post))
    rng = np.random.default_rng(2)
    a, b = rng.random((5, 3)), rng.random((5, 2))
    dense = DPAP(3, 2)
    layer.observe_traces(a, b)
    dense.observe_traces(a, b)
    np.testing.assert_allclose(layer.bcm, dense.bcm.reshape(2, 3)[post, pre], rtol=1e-13)
    with pytest.raises(ValueError, match="'synapses' indices"):
        DPAP(3, 2, synapses=(np.array([3]), np.array([0])))
    with pytest.raises(ValueError, match="Traces must have shapes"):
        layer.observe_traces(np.ones((2, 2)), np.ones((2, 2)))
    with pytest.raises(ValueError, match="'kind' parameter of DPAP"):
        DPAP(3, 2, kind="lstm")


def test_protected_neurons_are_never_pruned_nor_normalised_with_the_others():
    layer = DPAP(2, 3, initial_survival=0.1, start_epoch=0, prune_synapses=False, protect=[0])
    # neuron 0 silent but protected; neurons 1 (silent) and 2 (active) are the candidates
    layer.observe_traces(np.ones((2, 2)), np.array([[0.0, 0.0, 3.0], [0.0, 0.0, 1.0]]))
    np.testing.assert_allclose(layer.spine_measure(), [0.0, 1.0])
    assert layer.end_epoch(0)["neurons"] == 1
    np.testing.assert_array_equal(layer.neuron_alive, [True, False, True])
    with pytest.raises(ValueError, match="'protect'"):
        DPAP(2, 3, protect=[3])


# ------------------------------------------------------------------ on a reservoir
def test_window_traces_by_hand():
    from hrsnn.pruning.dpap_reservoir import window_traces
    steps, neurons = np.array([0, 2, 3, 4, 6]), np.array([1, 1, 0, 1, 0])
    traces = window_traces(steps, neurons, 7, 2, 3, 0.5)   # windows [0..2], [3..5], [6]
    np.testing.assert_allclose(traces, [[0, 0.25 + 1], [0.25, 0.5], [1, 0]])


def test_dpap_prune_removes_silent_neurons_and_feeds_the_layer_as_documented():
    from hrsnn import Reservoir, build_network
    from hrsnn.pruning import dpap_reservoir
    from hrsnn.pruning.dpap_reservoir import dpap_prune, window_traces
    from hrsnn.simulator import Simulator
    net = build_network(120, 1, 3)
    X = np.random.default_rng(0).uniform(-1, 1, (2, 300, 1))
    seen = []
    original = dpap_reservoir.DPAP.observe_traces
    monkey = pytest.MonkeyPatch()
    monkey.setattr(dpap_reservoir.DPAP, "observe_traces",
                   lambda self, a, b: seen.append(a.copy()) or original(self, a, b))
    try:
        result = dpap_prune(net, X, n_epochs=12, start_epoch=2, random_state=0)
    finally:
        monkey.undo()
    # the first batch is the first sequence's first STDP run, traced by hand
    reservoir = Reservoir(network=net, random_state=0)
    kwargs = reservoir._encode(X[0], X.min(axis=(0, 1)), X.max(axis=(0, 1)), 0)
    run = Simulator(net, reservoir.dt).run(**kwargs, learn=True)
    np.testing.assert_allclose(seen[0], window_traces(run.spike_steps, run.spike_neurons,
                                                      run.n_steps, 120, 20, 0.9))
    assert len(seen) == 12 * 2 and len(result.networks) == 13
    counts = Reservoir(network=net, stdp=False, random_state=0).fit(X).run(X[0]).counts
    pruned = result.network
    kept = net.neuron_index(pruned.neuron_id)
    assert not pruned.is_exc.all() and (~net.is_exc).sum() == (~pruned.is_exc).sum()
    silent_exc = np.flatnonzero(net.is_exc & (counts == 0))
    assert silent_exc.size and not np.isin(silent_exc, kept).any()   # "use it or lose it"
    # structural pruning: survivors keep their initial weights; history per epoch
    back = net.synapse_index(pruned.synapse_id)
    np.testing.assert_array_equal(pruned.weight, net.weight[back])
    assert [r["iteration"] for r in result.history] == list(range(13))
    assert sum(r["pruned_neurons"] for r in result.history) == net.n_neurons - pruned.n_neurons
    with pytest.raises(ValueError, match="'X' must be finite training sequences"):
        dpap_prune(net, np.zeros((1, 10, 2)))


def test_dpap_prune_is_reproducible_and_can_keep_learned_weights():
    from hrsnn import build_network
    from hrsnn.pruning.dpap_reservoir import dpap_prune
    net = build_network(150, 1, 4)
    X = np.random.default_rng(1).uniform(-1, 1, (1, 1000, 1))
    first = dpap_prune(net, X, n_epochs=8, start_epoch=1, keep_learned_weights=True)
    second = dpap_prune(net, X, n_epochs=8, start_epoch=1, keep_learned_weights=True)
    np.testing.assert_array_equal(first.network.weight, second.network.weight)
    assert first.history == second.history
    back = net.synapse_index(first.network.synapse_id)
    assert np.any(first.network.weight[first.network.plastic]
                  != net.weight[back][first.network.plastic])          # STDP moved them


# ------------------------------------------------------------------ in gradient training
@pytest.fixture(scope="module")
def digits_small():
    from data_loaders import load_digits_images
    X, y = load_digits_images()
    return X[:300], y[:300], X[300:400], y[300:400]


def test_dpap_callback_feeds_the_layer_and_masks_what_it_prunes(digits_small):
    from hrsnn.gradient import fc_snn, fit
    from hrsnn.pruning import DPAPCallback
    X, y, _, _ = digits_small
    model = fc_snn(n_hidden=40, n_steps=6, random_state=1)
    callback = DPAPCallback(model, start_epoch=0, initial_survival=2.0)
    (weights, post, dpap), = callback.scored                 # the hidden layer only
    assert weights is model.layers[0] and post is model.layers[1]
    first = []
    original = dpap.observe

    def spy(pre, post_spikes):
        if not first:
            first.append((spike_trace(pre), spike_trace(post_spikes)))
        original(pre, post_spikes)
    dpap.observe = spy
    fit(model, X, y, epochs=8, batch_size=50, progress=False, callbacks=[callback])
    assert first[0][0].shape == (50, 64) and first[0][1].shape == (50, 40)
    W, b = weights.params["W"], weights.params["b"]
    keep = dpap.weight_mask().T                              # (n_in, n_out)
    assert 0 < callback.history[-1]["pruned_fraction"][0] < 1
    assert np.all(W[~keep] == 0.0) and np.all(W[keep] != 0.0)
    assert np.all(b[~dpap.neuron_alive] == 0.0)             # a pruned neuron stays silent
    assert callback.history[-1]["pruned_fraction"][0] == pytest.approx(dpap.pruned_fraction)
    fractions = [row["pruned_fraction"][0] for row in callback.history]
    assert fractions == sorted(fractions)                    # masks never resurrect


def test_synaptic_operations_count_events_times_unmasked_fan_out(digits_small):
    from hrsnn.gradient import encode, fc_snn
    from hrsnn.pruning.dpap_layers import synaptic_operations
    _, _, X, _ = digits_small
    model = fc_snn(n_hidden=30, n_steps=5, random_state=2)
    first = model.layers[0]
    mask = np.random.default_rng(0).random(first.params["W"].shape) < 0.5
    first.set_mask(mask)
    total = 0.0
    for i in range(len(X)):                                  # sample by sample, by hand
        x = encode(X[i:i + 1], 5, "poisson", seed=0)
        out = x
        for layer in model.layers:
            if layer is first:
                total += sum(np.count_nonzero(x[t, 0, j]) * mask[j].sum()
                             for t in range(5) for j in range(64))
            elif layer is model.layers[2]:
                total += float((out != 0).sum(axis=(0, 1)) @
                               (layer.full_mask("W")).sum(axis=1))
            out = layer.forward(out)
    assert synaptic_operations(model, X, batch_size=37) == pytest.approx(total / len(X))


def test_convergence_epoch_by_hand():
    from hrsnn.studies.dpap import convergence_epoch
    reference = {"best_accuracy": 0.95}
    record = {"accuracy_per_epoch": [0.5, 0.94, 0.96, 0.97]}
    assert convergence_epoch(record, reference) == 3                  # epochs count from 1
    assert convergence_epoch(record, reference, tolerance=0.011) == 2
    assert convergence_epoch({"accuracy_per_epoch": [0.9]}, reference) is None
