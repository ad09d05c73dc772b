"""Network from explicit arrays: checks, sorting, masking, removal, round trips."""

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
