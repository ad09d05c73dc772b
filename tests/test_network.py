"""Network from explicit arrays: checks, sorting, masking, removal, round trips."""

import copy
import dataclasses
import pickle

import numpy as np
import pytest

from hrsnn import Network, build_network


def tiny(**overrides):
    arrays = dict(is_exc=[True, True, False], tau_m=[10.0, 20.0, 5.0], v_th=1.0,
                  pre=[2, 0, 1, 0], post=[0, 2, 0, 1], weight=[-0.5, 0.3, 0.2, 0.1],
                  in_channel=[1, 0], in_post=[2, 0], in_weight=[0.4, 0.6])
    arrays.update(overrides)
    return Network.from_arrays(**arrays)


def test_synapses_sorted_with_their_parameters():
    net = tiny(tau_plus=[1.0, 2.0, 3.0, 4.0])
    assert net.pre.tolist() == [0, 0, 1, 2]
    assert net.post.tolist() == [1, 2, 0, 0]
    assert net.weight.tolist() == [0.1, 0.3, 0.2, -0.5]
    assert net.tau_plus.tolist() == [4.0, 2.0, 3.0, 1.0]
    assert net.plastic.tolist() == [True, False, True, False]      # E->E only
    assert net.in_channel.tolist() == [0, 1] and net.in_post.tolist() == [0, 2]
    assert net.n_inputs == 2


def test_sparse_views():
    net = tiny()
    dense = np.zeros((3, 3))
    dense[[2, 0, 1, 0], [0, 2, 0, 1]] = [-0.5, 0.3, 0.2, 0.1]
    np.testing.assert_array_equal(net.weights.toarray(), dense)
    assert net.input_weights.toarray().tolist() == [[0.6, 0, 0], [0, 0, 0.4]]
    assert net.out_degree().tolist() == [2, 1, 1]


@pytest.mark.parametrize("overrides,match", [
    (dict(tau_m=[10.0, -1.0, 5.0]), "'tau_m' must be positive"),
    (dict(tau_m=[10.0, 20.0]), "'tau_m' must be a scalar or have length 3"),
    (dict(post=[0, 2, 0, 3]), r"'post' must hold indices in \[0, 3\)"),
    (dict(pre=[2, 0, 1]), "equal lengths"),
    (dict(weight=[0.5, 0.3, 0.2, 0.1]), "Dale's law"),
    (dict(weight=[-0.5, -0.3, 0.2, 0.1]), "Dale's law"),
    (dict(pre=[0, 0, 1, 0], post=[1, 2, 0, 1], weight=[0.5, 0.3, 0.2, 0.1]), "Duplicate synapses"),
    (dict(v_th=np.nan), "'v_th' must be finite"),
    (dict(stdp_rule="hebb"), "'stdp_rule' must be one of"),
    (dict(weight=[-0.5, 0.3, 2.0, 0.1], w_max=1.0), r"Plastic weights must lie in \[w_min, w_max\]"),
    (dict(pre=[2.0, 0.0, 1.0, 0.0]), "integer indices"),
    (dict(t_ref=-1.0), "'t_ref' must be >= 0"),
])
def test_from_arrays_rejects_bad_input(overrides, match):
    with pytest.raises(ValueError, match=match):
        tiny(**overrides)


def test_keep_synapses():
    net = build_network(60, 2, seed=1)
    mask = np.random.default_rng(0).random(net.n_synapses) < 0.5
    pruned = net.keep_synapses(mask)
    assert pruned.n_synapses == mask.sum()
    np.testing.assert_array_equal(pruned.weights.toarray(),
                                  net.weights.toarray() * np.isin(
                                      np.arange(60 * 60),
                                      net.pre[mask].astype(int) * 60 + net.post[mask]
                                  ).reshape(60, 60))
    with pytest.raises(ValueError, match="mask"):
        net.keep_synapses(mask[:-1])


def test_keep_neurons_matches_dense_submatrix():
    net = build_network(80, 3, seed=2)
    keep = np.sort(np.random.default_rng(1).choice(80, 50, replace=False))
    sub = net.keep_neurons(keep)
    assert sub.n_neurons == 50
    np.testing.assert_array_equal(sub.weights.toarray(), net.weights.toarray()[np.ix_(keep, keep)])
    np.testing.assert_array_equal(sub.input_weights.toarray(),
                                  net.input_weights.toarray()[:, keep])
    np.testing.assert_array_equal(sub.tau_m, net.tau_m[keep])
    np.testing.assert_array_equal(sub.positions, net.positions[keep])
    assert np.array_equal(sub.plastic, sub.is_exc[sub.pre] & sub.is_exc[sub.post])


def test_dict_round_trip(tmp_path):
    net = build_network(50, 2, seed=3, stdp_rule="additive")
    np.savez(tmp_path / "n.npz", **net.to_dict("x_"))
    with np.load(tmp_path / "n.npz", allow_pickle=False) as data:
        back = Network.from_dict(data, prefix="x_")
    for name in ("pre", "post", "weight", "tau_m", "v_th", "tau_plus", "in_post", "positions"):
        np.testing.assert_array_equal(getattr(back, name), getattr(net, name))
    assert back.stdp_rule == "additive" and back.w_max == net.w_max


# ------------------------------------------------------------- read-only, ids
def test_arrays_are_read_only_and_not_aliased():
    weight = np.array([-0.5, 0.3, 0.2, 0.1])
    net = tiny(weight=weight)
    weight[:] = 0.0                              # the caller's array is not the network's
    assert sorted(net.weight.tolist()) == [-0.5, 0.1, 0.2, 0.3]
    for name in ("weight", "pre", "tau_m", "neuron_id", "synapse_id", "in_weight"):
        with pytest.raises(ValueError, match="read-only"):
            getattr(net, name)[0] = 1


def test_read_only_sorted_arrays_are_taken_without_a_copy():
    net = build_network(60, 2, seed=1)
    arrays = {name: getattr(net, name) for name in (
        "is_exc", "tau_m", "v_th", "pre", "post", "weight", "plastic", "tau_plus",
        "synapse_id", "in_channel", "in_post", "in_weight")}
    again = Network.from_arrays(**arrays, w_max=net.w_max)
    for name, given in arrays.items():
        assert np.shares_memory(getattr(again, name), given), name
    # unsorted read-only arrays: sorted copies, the caller's left as they were
    order = np.random.default_rng(0).permutation(net.n_synapses)
    shuffled = {name: arrays[name][order] for name in ("pre", "post", "weight", "plastic",
                                                         "tau_plus", "synapse_id")}
    for arr in shuffled.values():
        arr.flags.writeable = False
    kept = {name: arr.copy() for name, arr in shuffled.items()}
    resorted = Network.from_arrays(**{**arrays, **shuffled}, w_max=net.w_max)
    for name in shuffled:
        np.testing.assert_array_equal(getattr(resorted, name), arrays[name])
        np.testing.assert_array_equal(shuffled[name], kept[name])


@pytest.mark.parametrize("ids,unique", [([0, 1, 2, 3], True), ([3, 0, 2, 1], True),
                                        ([2, 0, 2, 1], False), ([0, 1, 1, 2], False)])
def test_duplicate_ids_are_found_in_any_order(ids, unique):
    if unique:
        assert sorted(tiny(synapse_id=ids).synapse_id.tolist()) == sorted(ids)
    else:
        with pytest.raises(ValueError, match="'synapse_id' must hold unique ids"):
            tiny(synapse_id=ids)


def test_every_constructor_path_validates():
    net = tiny()
    with pytest.raises(ValueError, match="'tau_m' must be positive"):
        dataclasses.replace(net, tau_m=np.array([1.0, -1.0, 1.0]))
    with pytest.raises(ValueError, match="sorted"):
        dataclasses.replace(net, pre=net.pre[::-1].copy(), post=net.post[::-1].copy())
    with pytest.raises(ValueError, match="Dale"):
        net.with_weights(np.abs(net.weight))
    with pytest.raises(ValueError, match="'tau_m' must be a scalar or have length 3"):
        net.with_neuron_params(tau_m=[1.0, 2.0])
    data = dict(net.to_dict())
    data["post"] = np.array([1, 2, 0, 7])
    with pytest.raises(ValueError, match=r"'post' must hold indices in \[0, 3\)"):
        Network.from_dict(data)
    data = dict(net.to_dict())
    data["synapse_id"] = np.array([0, 0, 1, 2])
    with pytest.raises(ValueError, match="unique"):
        Network.from_dict(data)


def test_pickle_and_copy_keep_a_checked_read_only_network():
    net = build_network(40, 2, seed=4)
    back = pickle.loads(pickle.dumps(net))
    np.testing.assert_array_equal(back.weight, net.weight)
    np.testing.assert_array_equal(back.synapse_id, net.synapse_id)
    assert not back.weight.flags.writeable
    assert copy.deepcopy(net) is net and copy.copy(net) is net


def test_ids_map_back_through_two_rounds_of_pruning():
    orig = build_network(120, 2, seed=5)
    rng = np.random.default_rng(0)
    first = orig.keep_neurons(np.sort(rng.choice(120, 90, replace=False)))
    first = first.keep_synapses(rng.random(first.n_synapses) < 0.7)
    second = first.keep_neurons(rng.random(first.n_neurons) < 0.8)
    second = second.keep_synapses(rng.random(second.n_synapses) < 0.7)
    idx = orig.synapse_index(second.synapse_id)
    np.testing.assert_array_equal(orig.neuron_id[orig.pre[idx]], second.neuron_id[second.pre])
    np.testing.assert_array_equal(orig.neuron_id[orig.post[idx]], second.neuron_id[second.post])
    np.testing.assert_array_equal(orig.weight[idx], second.weight)
    np.testing.assert_array_equal(orig.tau_plus[idx], second.tau_plus)
    neurons = orig.neuron_index(second.neuron_id)
    np.testing.assert_array_equal(orig.tau_m[neurons], second.tau_m)
    np.testing.assert_array_equal(orig.positions[neurons], second.positions)
    dense = orig.weights.toarray()[np.ix_(neurons, neurons)]
    kept = np.zeros_like(dense, dtype=bool)
    kept[second.pre, second.post] = True
    np.testing.assert_array_equal(second.weights.toarray(), dense * kept)
    removed = np.setdiff1d(orig.neuron_id, second.neuron_id)[:1]
    with pytest.raises(KeyError, match="No neuron with id"):
        second.neuron_index(removed)


# ------------------------------------------------------------------ growth
def test_add_synapses_merges_sorted_with_new_ids():
    net = tiny()                                  # synapses (0,1) (0,2) (1,0) (2,0)
    grown = net.add_synapses([1, 2], [2, 1], [0.05, -0.2], tau_plus=5.0, tau_minus=6.0,
                             eta_plus=0.1, eta_minus=0.2)
    assert grown.n_synapses == 6
    assert list(zip(grown.pre.tolist(), grown.post.tolist())) == [
        (0, 1), (0, 2), (1, 0), (1, 2), (2, 0), (2, 1)]
    new = grown.synapse_index([4, 5])
    assert grown.pre[new].tolist() == [1, 2] and grown.weight[new].tolist() == [0.05, -0.2]
    assert grown.plastic[new].tolist() == [False, False]     # 1 -> 2 is E -> I
    assert grown.tau_plus[new].tolist() == [5.0, 5.0]
    assert grown.next_synapse_id == 6
    # removing the newest synapse never frees its id
    again = grown.keep_synapses(grown.synapse_id != 5).add_synapses([2], [1], -0.1)
    assert again.synapse_id.max() == 6


@pytest.mark.parametrize("pre,post,weight,match", [
    ([0], [1], 0.1, "exists already"),
    ([1, 1], [2, 2], 0.1, "Duplicate synapses"),
    ([2], [1], 0.3, "Dale's law"),
    ([1], [5], 0.1, r"'post' must hold indices in \[0, 3\)"),
    ([1], [2, 0], 0.1, "equal lengths"),
])
def test_add_synapses_rejects_bad_synapses(pre, post, weight, match):
    net = tiny()
    with pytest.raises(ValueError, match=match):
        net.add_synapses(pre, post, weight)


def test_add_synapses_checks_plastic_bounds():
    net = tiny(pre=[0], post=[1], weight=[0.1])
    with pytest.raises(ValueError, match=r"\[w_min, w_max\]"):
        net.add_synapses([1], [0], 1.5)           # E -> E: plastic, w_max = 1


def test_new_plastic_synapses_draw_stdp_parameters_from_the_networks_distributions():
    from scipy import stats

    net = build_network(400, 1, seed=6, tau_plus_mean=30.0, tau_plus_shape=4.0,
                        eta_minus_mean=0.02, eta_minus_shape=2.0, tau_max=1e6)
    exc = np.flatnonzero(net.is_exc)
    dense = net.weights.toarray() != 0
    pairs = [(j, i) for j in exc[:80] for i in exc[:80] if j != i and not dense[j, i]][:3000]
    pre, post = np.array(pairs).T
    grown = net.add_synapses(pre, post, 0.5 * net.w_max, random_state=0)
    new = grown.synapse_index(net.next_synapse_id + np.arange(len(pre)))
    assert grown.plastic[new].all()
    tau_plus = grown.tau_plus[new]
    eta_minus = grown.eta_minus[new]
    assert stats.kstest(tau_plus, stats.gamma(4.0, scale=30.0 / 4.0).cdf).pvalue > 1e-3
    assert stats.kstest(eta_minus, stats.gamma(2.0, scale=0.02 / 2.0).cdf).pvalue > 1e-3
    # the same draws as the public function, for the same seed
    from hrsnn.heterogeneity import draw_stdp_parameters
    drawn = draw_stdp_parameters(net.stdp_distributions, len(pre), np.random.default_rng(0))
    np.testing.assert_array_equal(np.sort(tau_plus), np.sort(drawn["tau_plus"]))
    # a homogeneous network gives every new synapse the means
    homog = build_network(100, 1, seed=6, heterogeneous_synapses=False)
    exc = np.flatnonzero(homog.is_exc)
    missing = [(j, i) for j in exc for i in exc if j != i
               and not homog.weights.toarray()[j, i]][:5]
    pre, post = np.array(missing).T
    grown = homog.add_synapses(pre, post, 0.5 * homog.w_max, random_state=1)
    new = grown.synapse_index(homog.next_synapse_id + np.arange(5))
    assert grown.tau_minus[new].tolist() == [20.0] * 5
    assert grown.eta_plus[new].tolist() == [0.01] * 5


def test_with_neuron_params():
    net = tiny()
    changed = net.with_neuron_params(tau_m=[1.0, 2.0, 3.0], v_th=0.5)
    assert changed.tau_m.tolist() == [1.0, 2.0, 3.0] and changed.v_th.tolist() == [0.5] * 3
    np.testing.assert_array_equal(changed.v_init, net.v_init)
    np.testing.assert_array_equal(changed.weight, net.weight)
    with pytest.raises(ValueError, match="'tau_m' must be positive"):
        net.with_neuron_params(tau_m=0.0)


def test_to_networkx_matches_the_sparse_weights():
    import networkx as nx

    net = build_network(60, 2, seed=7).keep_neurons(np.arange(0, 60, 2))
    graph = net.to_networkx()
    assert graph.number_of_nodes() == net.n_neurons
    assert graph.number_of_edges() == net.n_synapses
    np.testing.assert_array_equal(nx.to_numpy_array(graph, nodelist=range(net.n_neurons)),
                                  net.weights.toarray())
    j, i = int(net.pre[3]), int(net.post[3])
    assert graph.edges[j, i]["synapse_id"] == net.synapse_id[3]
    assert graph.nodes[i]["neuron_id"] == net.neuron_id[i] == 2 * i
