"""Grid, connectivity and weights against the formulas, computed independently."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from scipy.stats import norm

from hrsnn import build_network
from hrsnn.model import PARAMETERS
from hrsnn.topology import grid_shape_for

C = {"c_ee": 0.3, "c_ei": 0.2, "c_ie": 0.4, "c_ii": 0.1}


@pytest.fixture(scope="module")
def net():
    return build_network(1500, 4, seed=11, conn_lambda=2.0, **C)


def test_grid_positions_are_distinct_integer_points(net):
    assert net.positions.shape == (1500, 3)
    assert np.array_equal(net.positions, np.round(net.positions))
    assert len(np.unique(net.positions, axis=0)) == 1500
    shape = grid_shape_for(1500)
    assert np.prod(shape) >= 1500 and max(shape) - min(shape) <= 1
    assert np.all(net.positions.max(axis=0) < shape)


def test_excitatory_fraction(net):
    assert net.is_exc.sum() == 1200


def test_no_self_connections_and_sorted(net):
    assert np.all(net.pre != net.post)
    key = net.pre.astype(np.int64) * net.n_neurons + net.post
    assert np.all(np.diff(key) > 0)


def test_dales_law(net):
    assert np.all(net.weight[net.is_exc[net.pre]] > 0)
    assert np.all(net.weight[~net.is_exc[net.pre]] < 0)


@pytest.mark.parametrize("pre_exc,post_exc,c", [(True, True, 0.3), (True, False, 0.2),
                                                (False, True, 0.4), (False, False, 0.1)])
def test_connection_density_per_type_matches_formula(net, pre_exc, post_exc, c):
    """Synapse count per type pair against sum_ij C exp(-(D/lambda)^2) (dense, scipy)."""
    pre_idx = np.flatnonzero(net.is_exc == pre_exc)
    post_idx = np.flatnonzero(net.is_exc == post_exc)
    d = cdist(net.positions[pre_idx], net.positions[post_idx])
    p = c * np.exp(-(d / 2.0) ** 2)
    p[pre_idx[:, None] == post_idx[None, :]] = 0.0
    expected, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
    observed = np.sum((net.is_exc[net.pre] == pre_exc) & (net.is_exc[net.post] == post_exc))
    assert abs(observed - expected) < norm.ppf(1 - 1e-4) * sd, (observed, expected, sd)


def test_connection_probability_by_distance(net):
    """Fraction connected among E->E pairs at each distance follows 0.3 exp(-(d/2)^2)."""
    exc = np.flatnonzero(net.is_exc)
    d = cdist(net.positions[exc], net.positions[exc])
    connected = np.zeros_like(d, dtype=bool)
    ee = net.is_exc[net.pre] & net.is_exc[net.post]
    local = {n: i for i, n in enumerate(exc)}
    connected[[local[j] for j in net.pre[ee]], [local[i] for i in net.post[ee]]] = True
    for d2 in (1, 2, 3, 4, 5):
        pairs = np.isclose(d ** 2, d2)
        p = 0.3 * np.exp(-d2 / 4.0)
        n_pairs = pairs.sum()
        frac = connected[pairs].mean()
        assert abs(frac - p) < 4.5 * np.sqrt(p * (1 - p) / n_pairs), (d2, frac, p)


def test_weight_means_per_type(net):
    """Gamma magnitudes with CV 1, means w_scale * (1, 2, 0.6, 0.6).

    Plastic E->E weights are clipped to [0, w_max = 2 * mean]: for an
    exponential X with mean m, E[min(X, 2m)] = m (1 - exp(-2)).
    """
    pe, qe = net.is_exc[net.pre], net.is_exc[net.post]
    scale = PARAMETERS["w_scale"].default             # the fixture uses the defaults
    ee_mean = scale * (1 - np.exp(-2.0))
    for mask, mean in ((pe & qe, ee_mean), (pe & ~qe, 2 * scale), (~pe & qe, 0.6 * scale),
                       (~pe & ~qe, 0.6 * scale)):
        w = np.abs(net.weight[mask])
        assert abs(w.mean() - mean) < 5 * mean / np.sqrt(mask.sum()), (w.mean(), mean)
    assert net.w_max == pytest.approx(2 * scale)
    w_ee = net.weight[pe & qe]
    assert w_ee.max() == net.w_max
    assert np.mean(w_ee == net.w_max) == pytest.approx(np.exp(-2.0), abs=0.03)
    w_ei = net.weight[pe & ~qe]
    assert 0.85 < w_ei.std() / w_ei.mean() < 1.15


def test_input_connectivity_density(net):
    assert net.n_inputs == 4
    per_channel = np.bincount(net.in_channel, minlength=4)
    sd = np.sqrt(1500 * 0.3 * 0.7)
    assert np.all(np.abs(per_channel - 450) < 4.5 * sd)
    pairs = net.in_channel.astype(np.int64) * 1500 + net.in_post
    assert len(np.unique(pairs)) == len(pairs)


def test_plastic_synapses_are_exactly_e_to_e(net):
    assert np.array_equal(net.plastic, net.is_exc[net.pre] & net.is_exc[net.post])


def test_heterogeneous_and_homogeneous_parameters():
    het = build_network(2000, 1, seed=3)
    hom = build_network(2000, 1, seed=3, heterogeneous_neurons=False,
                        heterogeneous_synapses=False)
    e = het.is_exc
    # gamma(k=3, mean 20 / 10) for E / I tau_m: sample mean and CV 1/sqrt(3)
    assert het.tau_m[e].mean() == pytest.approx(20.0, rel=0.05)
    assert het.tau_m[~e].mean() == pytest.approx(10.0, rel=0.1)
    assert het.tau_m[e].std() / het.tau_m[e].mean() == pytest.approx(1 / np.sqrt(3), rel=0.1)
    assert het.v_th.std() / het.v_th.mean() == pytest.approx(1 / np.sqrt(20), rel=0.1)
    assert het.tau_m.min() >= 1.0 and het.tau_m.max() <= 200.0
    assert np.all(hom.tau_m[e] == 20.0) and np.all(hom.tau_m[~e] == 10.0)
    assert np.all(hom.v_th == 1.0)
    assert np.all(hom.tau_plus[hom.plastic] == 20.0)
    assert np.all(hom.eta_minus[hom.plastic] == 0.0105)
    assert het.tau_plus[het.plastic].std() > 5.0
    # independent streams: the topology and weights do not depend on the preset
    assert np.array_equal(het.pre, hom.pre) and np.array_equal(het.post, hom.post)
    assert np.array_equal(het.weight, hom.weight)
    assert np.array_equal(het.positions, hom.positions)


def test_builds_without_dense_matrix_quickly():
    """20,000 neurons: only neighbours within the cutoff are examined."""
    net = build_network(20_000, 1, seed=0)
    degree = net.n_synapses / net.n_neurons
    assert 7.0 < degree < 11.0
    d = np.linalg.norm(net.positions[net.pre] - net.positions[net.post], axis=1)
    assert d.max() <= 3.5 * 2.0 + 1e-9


def test_neighbour_offsets_are_bounded_by_the_grid():
    from itertools import product

    from hrsnn.topology import _neighbour_offsets
    shape = (4, 3, 2)
    offsets, d2 = _neighbour_offsets(1e6, shape)        # conn_lambda far beyond the grid
    brute = {o for o in product(range(-3, 4), range(-2, 3), range(-1, 2)) if any(o)}
    assert {tuple(o) for o in offsets} == brute and len(offsets) == len(brute)
    np.testing.assert_array_equal(d2, (offsets ** 2).sum(axis=1))
    small, _ = _neighbour_offsets(1.5, (10, 10, 10))    # within the grid: the ball of radius 1.5
    assert len(small) == 18


def test_huge_length_scale_connects_pairs_with_the_type_probability():
    """lambda >> grid: every pair is a candidate; the count matches the naive sum of P."""
    from hrsnn import build_network
    from hrsnn.model import defaults
    DEFAULTS = defaults()
    net = build_network(60, 1, 0, conn_lambda=40.0)
    c = np.array([[DEFAULTS["c_ee"], DEFAULTS["c_ei"]], [DEFAULTS["c_ie"], DEFAULTS["c_ii"]]])
    kind = (~net.is_exc).astype(int)
    d2 = ((net.positions[:, None, :] - net.positions[None, :, :]) ** 2).sum(-1)
    p = c[kind[:, None], kind[None, :]] * np.exp(-d2 / 40.0 ** 2)
    np.fill_diagonal(p, 0.0)
    assert abs(net.n_synapses - p.sum()) < 5 * np.sqrt((p * (1 - p)).sum())


def test_grid_shape_must_hold_integers():
    from hrsnn import build_network
    for bad in [(2.0, 5, 10), (True, 5, 12), "abc", (3, 4)]:
        with pytest.raises(ValueError, match="'grid_shape' parameter of build_network"):
            build_network(60, 1, 0, grid_shape=bad)
    assert build_network(60, 1, 0, grid_shape=(np.int64(3), 4, 5)).n_neurons == 60


# ------------------------------------------------ bit-identity with a naive build
def _naive_synapses(positions, is_exc, conn, lam, cutoff, rng):
    """Pairs ``(pre, post)`` by the rule of hrsnn.topology, one pair at a time.

    Offsets in lexicographic order, within an offset the neurons in index
    order; every neuron whose point at the offset holds a neuron takes one
    uniform draw, connected if it is below ``C[type_pre, type_post] exp(-d2 / lam^2)``.
    """
    from itertools import product

    coords = positions.astype(int)
    coords -= coords.min(axis=0)
    shape = coords.max(axis=0) + 1
    at = {tuple(point): i for i, point in enumerate(coords.tolist())}
    kind = [0 if e else 1 for e in is_exc]
    radius2 = (cutoff * lam) ** 2 + 1e-9
    pairs = []
    for offset in product(*(range(-(size - 1), size) for size in shape)):
        d2 = sum(o * o for o in offset)
        if d2 == 0 or d2 > radius2:
            continue
        gauss = np.exp(-d2 / lam ** 2)
        for i, point in enumerate(coords.tolist()):
            j = at.get(tuple(p + o for p, o in zip(point, offset)))
            if j is not None and rng.random() < conn[kind[i]][kind[j]] * gauss:
                pairs.append((i, j))
    return sorted(pairs)


def _naive_network(n, n_inputs, seed, heterogeneous_synapses=True, **params):
    """The synapses and inputs of build_network, restated plainly (the neuron
    parameters are drawn by code this does not restate)."""
    from hrsnn.model import BUILDER_PARAMETERS, defaults
    v = {**defaults(BUILDER_PARAMETERS), **params}
    rng = dict(zip(("placement", "neurons", "connectivity", "weights", "stdp", "inputs"),
                   (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(7))))
    shape = v["grid_shape"] or grid_shape_for(n)
    points = rng["placement"].permutation(int(np.prod(shape)))[:n]
    positions = np.array([np.unravel_index(p, shape) for p in points], dtype=float)
    is_exc = np.arange(n) < round(v["exc_fraction"] * n)
    conn = [[v["c_ee"], v["c_ei"]], [v["c_ie"], v["c_ii"]]]
    pairs = _naive_synapses(positions, is_exc, conn, v["conn_lambda"], v["conn_cutoff"],
                            rng["connectivity"])
    pre = np.array([i for i, _ in pairs], dtype=np.int32)
    post = np.array([j for _, j in pairs], dtype=np.int32)
    means = [[v["w_ee"], v["w_ei"]], [v["w_ie"], v["w_ii"]]]
    gamma = rng["weights"].gamma(v["w_shape"], 1.0, len(pairs))
    w_max = 2.0 * v["w_scale"] * v["w_ee"] if v["stdp_w_max"] is None else v["stdp_w_max"]
    weight, plastic = np.zeros(len(pairs)), np.zeros(len(pairs), dtype=bool)
    for k, (i, j) in enumerate(pairs):
        mean = means[int(not is_exc[i])][int(not is_exc[j])] * v["w_scale"]
        weight[k] = gamma[k] * (mean / v["w_shape"]) * (1 if is_exc[i] else -1)
        plastic[k] = is_exc[i] and is_exc[j]
        if plastic[k]:
            weight[k] = min(max(weight[k], v["stdp_w_min"]), w_max)
    stdp = {}
    for name in ("tau_plus", "tau_minus", "eta_plus", "eta_minus"):
        shape_k, mean = v[f"{name}_shape"], v[f"{name}_mean"]
        stdp[name] = np.full(len(pairs), mean if name.startswith("tau") else 0.0)
        if heterogeneous_synapses and mean > 0:
            drawn = rng["stdp"].gamma(shape_k, mean / shape_k, int(plastic.sum()))
        else:
            drawn = np.full(int(plastic.sum()), float(mean))
        if name.startswith("tau"):
            drawn = np.clip(drawn, v["tau_min"], v["tau_max"])
        stdp[name][plastic] = drawn
    targets = [np.flatnonzero(rng["inputs"].random(n) < v["p_in"]) for _ in range(n_inputs)]
    in_channel = np.concatenate([[c] * len(t) for c, t in enumerate(targets)] + [[]])
    in_post = np.concatenate(targets + [[]])
    in_weight = (rng["inputs"].uniform(-abs(v["w_in"]), abs(v["w_in"]), len(in_post))
                 if v["w_in_dist"] == "uniform" else np.full(len(in_post), float(v["w_in"])))
    return dict(positions=positions, is_exc=is_exc, pre=pre, post=post, weight=weight,
                plastic=plastic, **stdp, in_channel=in_channel.astype(np.int32),
                in_post=in_post.astype(np.int32), in_weight=in_weight,
                synapse_id=np.arange(len(pairs)))


@pytest.mark.parametrize("n,n_inputs,seed,params", [
    (300, 3, 0, {}),
    (250, 2, 5, dict(conn_lambda=1.5, conn_cutoff=2.5, exc_fraction=0.5, c_ii=0.0)),
    (60, 1, 1, dict(conn_lambda=40.0)),                          # every pair a candidate
    (200, 2, 2, dict(grid_shape=(200, 1, 1), c_ee=1.0)),         # a line
    (200, 4, 3, dict(grid_shape=(9, 8, 5), heterogeneous_synapses=False,
                     w_in_dist="constant", stdp_w_max=0.05)),   # empty points, clipped
])
def test_build_matches_a_naive_restatement_bit_for_bit(n, n_inputs, seed, params):
    expected = _naive_network(n, n_inputs, seed, **params)
    net = build_network(n, n_inputs, seed, **params)
    assert net.n_synapses > 0
    for name, want in expected.items():
        np.testing.assert_array_equal(getattr(net, name), want, err_msg=name, strict=True)
