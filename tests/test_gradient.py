"""hrsnn.gradient: BPTT against finite differences, forwards against independent code.

Gradients are checked by central differences (float64, eps = 1e-6) of a
random linear functional ``sum(R * forward(x))`` or of a loss. A spike's step
function has no derivative to compare with, so spiking layers are checked
against slow scalar re-implementations written here (one neuron and one step
at a time) in which

* the spike is ``ramp(u) + c`` with ``c = H(u0) - ramp(u0)`` frozen at the
  unperturbed run: equal to ``H`` there, with the rectangle surrogate as its
  exact derivative, i.e. the function whose true gradient the surrogate BPTT
  computes; ``c = 0`` is the smooth ``spike_fn="ramp"`` itself;
* with ``detach_reset`` the reset factor ``1 - o[t-1]`` is frozen at the
  unperturbed run too.

The ramp has kinks at ``|u - v_th| = a / 2``; every check asserts that no
membrane potential lies near one, so the differences are exact to rounding.
"""

import numpy as np
import pytest
from scipy import signal, special

from hrsnn.gradient import (
    LIF,
    Adam,
    AvgPool2d,
    Callback,
    Conv2d,
    Dense,
    Flatten,
    HeteroLIF,
    RecurrentLIF,
    ReLU,
    Reshape,
    Sequential,
    conv_relu,
    conv_snn,
    cross_entropy_loss,
    encode,
    fc_relu,
    fc_snn,
    fit,
    mse_loss,
    predict,
    predict_scores,
    recurrent_snn,
    score,
)

EPS = 1e-6
TOL = 1e-6


# ----------------------------------------------------------------------------- helpers
def numeric_grad(f, arr, eps=EPS):
    """Central differences of the scalar ``f()`` w.r.t. every entry of ``arr`` (in place)."""
    grad = np.zeros_like(arr)
    for i in np.ndindex(arr.shape):
        orig = arr[i]
        arr[i] = orig + eps
        up = f()
        arr[i] = orig - eps
        down = f()
        arr[i] = orig
        grad[i] = (up - down) / (2 * eps)
    return grad


def assert_close_grad(analytic, numeric, tol=TOL):
    scale = max(np.abs(numeric).max(), np.abs(analytic).max())
    assert scale > 0, "degenerate check: every gradient is zero"
    assert np.abs(analytic - numeric).max() <= tol * scale


def ramp(u, v_th, a):
    return min(max((u - v_th) / a + 0.5, 0.0), 1.0)


def far_from_kinks(u, v_th=0.5, a=1.0, margin=1e-4):
    d = np.abs(np.abs(np.asarray(u) - v_th) - a / 2)
    return d.min() > margin


def naive_lif(current, decay, v_th, a, hard=False, offset=None, reset=None):
    """One neuron at a time: u = decay u (1 - o_prev) + I, o = H(u) or ramp(u) + offset.

    ``reset`` (the o of an earlier run) freezes the reset factor; returns (u, o).
    """
    steps = current.shape[0]
    flat = current.reshape(steps, -1)
    decay = np.broadcast_to(np.asarray(decay, dtype=float), current.shape[1:]).reshape(-1)
    v_th = np.broadcast_to(np.asarray(v_th, dtype=float), current.shape[1:]).reshape(-1)
    off = np.zeros_like(flat) if offset is None else offset.reshape(steps, -1)
    u_all, o_all = np.zeros_like(flat), np.zeros_like(flat)
    for j in range(flat.shape[1]):
        u = o = 0.0
        for t in range(steps):
            spiked = o if reset is None or t == 0 else reset.reshape(steps, -1)[t - 1, j]
            u = decay[j] * u * (1.0 - spiked) + flat[t, j]
            o = float(u >= v_th[j]) if hard else ramp(u, v_th[j], a) + off[t, j]
            u_all[t, j], o_all[t, j] = u, o
    return u_all.reshape(current.shape), o_all.reshape(current.shape)


def hard_offset(u, v_th=0.5, a=1.0):
    return (u >= v_th) - np.clip((u - v_th) / a + 0.5, 0.0, 1.0)


def layer_grads(layer, x, r):
    layer.zero_grad()
    layer.forward(x, cache=True)
    gx = layer.backward(r)
    return gx, {k: v.copy() for k, v in layer.grads.items()}


def check_layer_fd(layer, x, seed=0):
    """FD of sum(R * layer.forward(x)) w.r.t. x and every parameter."""
    rng = np.random.default_rng(seed)
    r = rng.normal(size=layer.forward(x).shape)
    gx, grads = layer_grads(layer, x, r)

    def f():
        return float(np.sum(r * layer.forward(x, cache=False)))

    assert_close_grad(gx, numeric_grad(f, x))
    for name, p in layer.params.items():
        assert_close_grad(grads[name], numeric_grad(f, p))


# ----------------------------------------------------------------------------- plain layers
def test_dense_gradients_by_finite_differences():
    rng = np.random.default_rng(1)
    check_layer_fd(Dense(5, 4, random_state=0), rng.normal(size=(3, 2, 5)))


def test_dense_forward_is_x_w_plus_b():
    layer = Dense(3, 2, random_state=0)
    x = np.arange(12.0).reshape(2, 2, 3)
    w, b = layer.params["W"], layer.params["b"]
    expected = [[[sum(x[t, n, i] * w[i, o] for i in range(3)) + b[o] for o in range(2)]
                 for n in range(2)] for t in range(2)]
    np.testing.assert_allclose(layer.forward(x), expected, rtol=1e-13)


@pytest.mark.parametrize("padding", [0, 1, 2])
def test_conv2d_forward_matches_scipy_correlate2d(padding):
    rng = np.random.default_rng(2)
    layer = Conv2d(2, 3, kernel_size=3, padding=padding, random_state=0)
    x = rng.normal(size=(2, 2, 2, 6, 5))
    y = layer.forward(x)
    mode = {0: "valid", 1: "same", 2: "full"}[padding]
    w, b = layer.params["W"], layer.params["b"]
    for t in range(2):
        for n in range(2):
            for o in range(3):
                ref = sum(signal.correlate2d(x[t, n, c], w[o, c], mode=mode)
                          for c in range(2)) + b[o]
                np.testing.assert_allclose(y[t, n, o], ref, rtol=1e-12, atol=1e-12)


def test_conv2d_gradients_by_finite_differences():
    rng = np.random.default_rng(3)
    check_layer_fd(Conv2d(2, 3, kernel_size=3, padding=1, random_state=0),
                   rng.normal(size=(2, 2, 2, 4, 5)))


def test_avgpool_forward_by_loops_and_gradients():
    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 2, 3, 5, 4))                  # odd height: last row dropped
    pool = AvgPool2d(2)
    y = pool.forward(x)
    assert y.shape == (2, 2, 3, 2, 2)
    for i in range(2):
        for j in range(2):
            np.testing.assert_allclose(y[..., i, j],
                                       x[..., 2 * i:2 * i + 2, 2 * j:2 * j + 2].mean(axis=(-2, -1)))
    check_layer_fd(pool, x)


def test_reshape_flatten_relu_gradients():
    rng = np.random.default_rng(5)
    check_layer_fd(Reshape((2, 3)), rng.normal(size=(2, 3, 6)))
    check_layer_fd(Flatten(), rng.normal(size=(2, 3, 2, 2, 2)))
    check_layer_fd(ReLU(), rng.normal(size=(2, 3, 7)))


# ----------------------------------------------------------------------------- LIF
def test_lif_forward_three_steps_by_hand():
    current = np.array([[0.3, 0.4, 0.5],        # step 0, three neurons
                        [0.45, 0.4, 0.0],       # step 1
                        [0.6, 0.4, 0.1]])       # step 2
    lif = LIF()                                 # decay 0.2, v_th 0.5
    spikes = lif.forward(current[:, None, :])[:, 0]
    # neuron 0: u = 0.3; 0.06 + 0.45 = 0.51 (spike); 0 (reset) + 0.6 = 0.6 (spike)
    # neuron 1: u = 0.4; 0.08 + 0.4 = 0.48; 0.096 + 0.4 = 0.496 (never reaches 0.5)
    # neuron 2: u = 0.5 (spike: u >= v_th); 0 (reset) + 0.0 = 0; 0 + 0.1 = 0.1
    np.testing.assert_array_equal(spikes, [[0, 0, 1], [1, 0, 0], [1, 0, 0]])
    np.testing.assert_allclose(lif._cache["u"][:, 0], [[0.3, 0.4, 0.5], [0.51, 0.48, 0.0],
                                                       [0.6, 0.496, 0.1]], rtol=1e-13)
    np.testing.assert_array_equal(lif.spikes_[:, 0], spikes)


@pytest.mark.parametrize("shape", [(5, 3, 4), (4, 2, 2, 3, 3)])
def test_lif_forward_matches_scalar_loop(shape):
    rng = np.random.default_rng(6)
    current = rng.uniform(-0.2, 0.9, size=shape)
    _, o_ref = naive_lif(current, 0.2, 0.5, 1.0, hard=True)
    np.testing.assert_array_equal(LIF().forward(current), o_ref)


def _lif_reference(current, decay, v_th, hard, detach, a=1.0):
    """(u, o) of the unperturbed run and the scalar reference function of ``current``."""
    u0, o0 = naive_lif(current, decay, v_th, a, hard=hard)
    offset = hard_offset(u0, v_th, a) if hard else None
    reset = o0 if detach else None
    np.testing.assert_allclose(naive_lif(current, decay, v_th, a, False, offset, reset)[1], o0,
                               atol=1e-15)
    return u0, o0, lambda cur, dec: naive_lif(cur, dec, v_th, a, False, offset, reset)[1]


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("detach", [False, True])
@pytest.mark.parametrize(("decay", "v_th", "a"), [(0.2, 0.5, 1.0), (0.6, 0.4, 0.7)])
def test_lif_bptt_by_finite_differences(hard, detach, decay, v_th, a):
    rng = np.random.default_rng(7)
    current = rng.uniform(0.0, 0.9, size=(5, 2, 4))
    lif = LIF(decay, v_th, a, detach_reset=detach, spike_fn="heaviside" if hard else "ramp")
    u0, o0, ref = _lif_reference(current, decay, v_th, hard, detach, a)
    np.testing.assert_allclose(lif.forward(current), o0, rtol=1e-12, atol=1e-15)
    assert far_from_kinks(u0, v_th, a)
    r = rng.normal(size=current.shape)
    analytic, _ = layer_grads(lif, current, r)
    numeric = numeric_grad(lambda: float(np.sum(r * ref(current, decay))), current)
    assert_close_grad(analytic, numeric)
    if hard:
        assert 0 < o0.mean() < 1                            # some spikes, some not


def test_ramp_lif_without_detach_is_the_exact_gradient_of_its_forward():
    rng = np.random.default_rng(8)
    current = rng.uniform(0.0, 0.9, size=(6, 3, 2, 2, 2))
    lif = LIF(detach_reset=False, spike_fn="ramp")
    lif.forward(current)
    assert far_from_kinks(lif._cache["u"])
    check_layer_fd(lif, current)


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("detach", [False, True])
def test_hetero_lif_bptt_and_tau_gradient(hard, detach):
    rng = np.random.default_rng(9)
    tau = np.array([0.7, 2.0, 5.0, 15.0])
    v_th = np.array([0.5, 0.45, 0.55, 0.6])
    current = rng.uniform(0.0, 0.7, size=(6, 2, 4))
    lif = HeteroLIF(tau, v_th=v_th, dt=1.0, train_tau=True, detach_reset=detach,
                    spike_fn="heaviside" if hard else "ramp")
    decay = np.exp(-1.0 / tau)
    u0, o0, ref = _lif_reference(current, decay, v_th, hard, detach)
    np.testing.assert_allclose(lif.forward(current), o0, rtol=1e-12, atol=1e-15)
    assert far_from_kinks(u0, v_th[None, None, :])
    r = rng.normal(size=current.shape)
    gx, grads = layer_grads(lif, current, r)
    log_tau = np.log(tau)

    def f():
        return float(np.sum(r * ref(current, np.exp(-1.0 / np.exp(log_tau)))))

    assert_close_grad(gx, numeric_grad(f, current))
    assert_close_grad(grads["log_tau"], numeric_grad(f, log_tau))


def test_hetero_lif_with_dpap_decay_equals_lif():
    rng = np.random.default_rng(10)
    current = rng.uniform(0.0, 0.9, size=(5, 3, 6))
    tau = np.full(6, -1.0 / np.log(0.2))
    np.testing.assert_allclose(HeteroLIF(tau).forward(current), LIF().forward(current))


# ----------------------------------------------------------------------------- recurrent
def naive_recurrent(x, w_in, w_rec, b, decay, v_th, hard=False, offset=None, reset=None):
    steps, batch, _ = x.shape
    n = w_in.shape[1]
    out = np.zeros((steps, batch, n))
    u_all = np.zeros((steps, batch, n))
    for s in range(batch):
        u, o = np.zeros(n), np.zeros(n)
        for t in range(steps):
            current = np.array([sum(x[t, s, i] * w_in[i, j] for i in range(x.shape[2]))
                                + sum(o[k] * w_rec[k, j] for k in range(n)) + b[j]
                                for j in range(n)])
            spiked = o if reset is None or t == 0 else reset[t - 1, s]
            u = decay * u * (1.0 - spiked) + current
            o = np.array([float(u[j] >= v_th) if hard else ramp(u[j], v_th, 1.0)
                          for j in range(n)])
            if offset is not None:
                o = o + offset[t, s]
            u_all[t, s], out[t, s] = u, o
    return u_all, out


@pytest.mark.parametrize("hard", [False, True])
@pytest.mark.parametrize("detach", [False, True])
def test_recurrent_lif_bptt_by_finite_differences(hard, detach):
    rng = np.random.default_rng(11)
    layer = RecurrentLIF(3, 4, tau_m=np.array([1.0, 3.0, 8.0, 20.0]), train_tau=True,
                         rec_scale=1.5, detach_reset=detach,
                         spike_fn="heaviside" if hard else "ramp", random_state=0)
    p = layer.params
    p["b"] += 0.3                                           # drive near threshold
    x = rng.uniform(0.0, 1.0, size=(5, 2, 3))
    w_rec_mask = layer.full_mask("W_rec")

    def ref_args():
        return x, p["W_in"], p["W_rec"] * w_rec_mask, p["b"], np.exp(-1.0 / np.exp(p["log_tau"]))

    u0, o0 = naive_recurrent(*ref_args(), 0.5, hard)
    offset = hard_offset(u0) if hard else None
    reset = o0 if detach else None
    np.testing.assert_allclose(naive_recurrent(*ref_args(), 0.5, False, offset, reset)[1], o0,
                               atol=1e-15)
    np.testing.assert_allclose(layer.forward(x), o0, rtol=1e-12, atol=1e-14)
    assert far_from_kinks(u0)
    r = rng.normal(size=o0.shape)
    gx, grads = layer_grads(layer, x, r)

    def f():
        return float(np.sum(r * naive_recurrent(*ref_args(), 0.5, False, offset, reset)[1]))

    assert_close_grad(gx, numeric_grad(f, x))
    for name in ("W_in", "b", "log_tau"):
        assert_close_grad(grads[name], numeric_grad(f, p[name]))
    numeric_rec = numeric_grad(f, p["W_rec"]) * w_rec_mask
    assert_close_grad(grads["W_rec"], numeric_rec)
    assert np.all(grads["W_rec"][np.eye(4, dtype=bool)] == 0)      # no autapses


# ----------------------------------------------------------------------------- model and losses
@pytest.mark.parametrize("loss", [mse_loss, cross_entropy_loss])
def test_loss_gradients_by_finite_differences(loss):
    rng = np.random.default_rng(12)
    out = rng.normal(size=(4, 3))
    y = np.array([0, 2, 1, 2])
    value, grad = loss(out, y)
    assert_close_grad(grad, numeric_grad(lambda: loss(out, y)[0], out))
    onehot = np.eye(3)[y]
    if loss is mse_loss:
        assert value == pytest.approx(np.mean((out - onehot) ** 2), rel=1e-14)
    else:
        assert value == pytest.approx(-np.mean(special.log_softmax(out, axis=1)[range(4), y]),
                                      rel=1e-14)
    assert loss(out, onehot)[0] == pytest.approx(value, rel=1e-14)


RAMP = {"spike_fn": "ramp", "detach_reset": False}
NETWORKS = {
    "fc_snn": (lambda: fc_snn(6, 5, 3, n_steps=4, random_state=1, **RAMP), 6, mse_loss),
    "conv_snn": (lambda: conv_snn((1, 4, 4), channels=(2, 3), n_hidden=4, n_out=3, n_steps=3,
                                  random_state=2, **RAMP), 16, mse_loss),
    "conv_relu": (lambda: conv_relu((1, 4, 4), channels=(2, 2), n_hidden=3, n_out=3,
                                    random_state=3), 16, cross_entropy_loss),
    "recurrent_snn": (lambda: recurrent_snn(6, 4, 3, tau_m=5.0, tau_shape=3.0, n_steps=4,
                                            train_tau=True, random_state=4, **RAMP), 6, mse_loss),
}


@pytest.mark.parametrize("network", sorted(NETWORKS))
def test_whole_networks_by_finite_differences(network):
    build, n_in, loss = NETWORKS[network]
    model = build()
    for layer, name in model.parameters():
        if name == "b":
            layer.params[name] += 0.3                       # enough activity to check
    x = np.array(encode(np.random.default_rng(13).uniform(0, 1, size=(2, n_in)), model.n_steps))
    y = np.array([0, 2])
    model.zero_grad()
    out = model.forward(x)
    grad = loss(out.mean(axis=0), y)[1]
    gx = model.backward(np.broadcast_to(grad / out.shape[0], out.shape))
    for layer in model:
        if "u" in (getattr(layer, "_cache", None) or {}):
            assert far_from_kinks(layer._cache["u"])

    def f():
        return loss(model.forward(x, cache=False).mean(axis=0), y)[0]

    assert_close_grad(gx, numeric_grad(f, x))
    for layer, name in model.parameters():
        assert_close_grad(layer.grads[name], numeric_grad(f, layer.params[name]))


def test_connections_pair_weights_with_the_activity_they_drive():
    model = fc_snn(4, 3, 2)
    assert model.connections() == [(model[0], model[1]), (model[2], model[3])]
    relu = conv_relu()
    pairs = relu.connections()
    assert [type(w).__name__ for w, _ in pairs] == ["Conv2d", "Conv2d", "Dense", "Dense"]
    assert pairs[-1][1] is None and isinstance(pairs[0][1], ReLU)
    rec = recurrent_snn(4, 3, 2)
    assert rec.connections()[0] == (rec[0], rec[0])
    x = encode(np.ones((2, 4)), 8)
    rec.forward(x)
    assert rec[0].spikes_.shape == (8, 2, 3) and rec[0].inputs_.shape == (8, 2, 4)


# ----------------------------------------------------------------------------- Adam
def test_adam_two_steps_by_hand():
    layer = Dense(1, 2, random_state=0)
    layer.params["W"][...] = [[1.0, -2.0]]
    layer.params["b"][...] = [0.5, 0.0]
    opt = Adam([layer], lr=0.1, betas=(0.9, 0.99), eps=1e-8, weight_decay=0.01)
    g1, g2 = np.array([[0.5, -0.1]]), np.array([[0.3, 0.2]])
    w = np.array([[1.0, -2.0]])
    m = v = np.zeros((1, 2))
    for t, g in enumerate((g1, g2), start=1):
        layer.grads["W"][...] = g
        layer.grads["b"][...] = 0.0
        opt.step()
        gg = g + 0.01 * w
        m = 0.9 * m + 0.1 * gg
        v = 0.99 * v + 0.01 * gg ** 2
        w = w - 0.1 * (m / (1 - 0.9 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-8)
        np.testing.assert_allclose(layer.params["W"], w, rtol=1e-14)
    # the first weight by hand: step 1 moves it by lr (m_hat / sqrt(v_hat) = sign(g))
    w1 = 1.0 - 0.1 * 0.51 / (0.51 + 1e-8)           # g = 0.5 + 0.01 * 1.0
    g2 = 0.3 + 0.01 * w1
    m2 = 0.9 * (0.1 * 0.51) + 0.1 * g2
    v2 = 0.99 * (0.01 * 0.51 ** 2) + 0.01 * g2 ** 2
    w2 = w1 - 0.1 * (m2 / (1 - 0.9 ** 2)) / (np.sqrt(v2 / (1 - 0.99 ** 2)) + 1e-8)
    assert layer.params["W"][0, 0] == pytest.approx(w2, rel=1e-14)
    assert opt.t == 2


# ----------------------------------------------------------------------------- training
def digits(n=None):
    from sklearn.model_selection import train_test_split

    from data_loaders import load_digits_images

    X, y = load_digits_images()
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
    return (Xtr[:n], ytr[:n], Xte, yte) if n else (Xtr, ytr, Xte, yte)


def test_fit_is_deterministic_for_a_seed():
    Xtr, ytr, _, _ = digits(150)

    def run(seed):
        model = fc_snn(n_hidden=20, n_steps=4, encoding="poisson", random_state=3)
        fit(model, Xtr, ytr, epochs=2, batch_size=16, random_state=seed, progress=False)
        return [p.copy() for layer in model for p in layer.params.values()]

    a, b, c = run(7), run(7), run(8)
    assert all(np.array_equal(p, q) for p, q in zip(a, b))
    assert not all(np.array_equal(p, q) for p, q in zip(a, c))


def test_masked_weights_stay_exactly_zero():
    Xtr, ytr, _, _ = digits(120)
    rng = np.random.default_rng(14)
    model = fc_snn(n_hidden=24, n_steps=4, random_state=0)
    dense = model[0]
    dense.set_mask(rng.random(dense.mask.shape) < 0.5)
    neurons = np.ones(24, dtype=bool)
    neurons[:5] = False
    dense.set_neuron_mask(neurons)
    dense.params["W"][~dense.mask] = 1.0                # forward must still see zeros
    before = dense.params["W"].copy()
    checked = []

    class Check(Callback):
        def on_backward_end(self, model, epoch, batch):
            keep = dense.full_mask("W")
            assert np.all(dense.grads["W"][~keep] == 0) and np.all(dense.grads["b"][:5] == 0)
            assert np.all(model[1].spikes_[..., :5] == 0)      # masked neurons are silent
            checked.append(batch)

    fit(model, Xtr, ytr, epochs=2, batch_size=20, progress=False, callbacks=[Check()])
    keep = dense.full_mask("W")
    assert np.all(dense.params["W"][~keep] == 0.0) and np.all(dense.params["b"][:5] == 0.0)
    seen = Xtr.any(axis=0)[:, None]                   # pixels that are never on give no gradient
    moved = dense.params["W"][keep & seen] != before[keep & seen]
    assert moved.mean() > 0.5                         # (silent neurons get no gradient)
    assert len(checked) == 12


def test_channel_and_recurrent_masks_hold_through_training():
    Xtr, ytr, _, _ = digits(64)
    conv = conv_snn(channels=(3, 4), n_hidden=8, n_steps=4, random_state=0)
    conv[1].set_neuron_mask(np.array([True, False, True]))         # prune channel 1
    rec = recurrent_snn(n_hidden=12, n_steps=4, train_tau=True, tau_shape=3.0)
    pruned = np.random.default_rng(15).random((12, 12)) < 0.3
    rec[0].set_mask(rec[0].masks["W_rec"] & ~pruned, name="W_rec")
    tau_before = rec[0].tau_m.copy()
    for model in (conv, rec):
        fit(model, Xtr, ytr, epochs=1, batch_size=16, progress=False)
    assert np.all(conv[1].params["W"][1] == 0) and conv[1].params["b"][1] == 0
    assert np.all(conv[2].spikes_[:, :, 1] == 0)                      # its LIF stays silent
    w_rec = rec[0].params["W_rec"]
    assert np.all(w_rec[pruned] == 0) and np.all(np.diag(w_rec) == 0)
    assert np.all(rec[0].tau_m > 0) and not np.allclose(rec[0].tau_m, tau_before)


def test_callback_hooks_run_in_order_with_the_batch_activity():
    Xtr, ytr, Xte, yte = digits(50)
    calls = []

    class Record(Callback):
        def on_epoch_begin(self, model, epoch):
            calls.append(("begin", epoch))

        def on_backward_end(self, model, epoch, batch):
            assert model[0].inputs_.shape[:2] == (4, len(model[1].spikes_[0]))
            assert np.any(model[0].grads["W"] != 0)
            calls.append(("backward", epoch, batch))

        def on_batch_end(self, model, epoch, batch):
            calls.append(("step", epoch, batch))

        def on_epoch_end(self, model, epoch, logs):
            assert set(logs) == {"loss", "accuracy", "val_accuracy"}
            calls.append(("end", epoch))

    model = fc_snn(n_hidden=10, n_steps=4)
    history = fit(model, Xtr, ytr, epochs=2, batch_size=32, progress=False,
                  validation_data=(Xte[:40], yte[:40]), callbacks=[Record()])
    per_epoch = lambda e: [("begin", e), ("backward", e, 0), ("step", e, 0),
                           ("backward", e, 1), ("step", e, 1), ("end", e)]
    assert calls == per_epoch(0) + per_epoch(1)
    assert len(history.loss) == len(history.accuracy) == len(history.val_accuracy) == 2


def test_fc_snn_learns_digits_quickly():
    Xtr, ytr, Xte, yte = digits()
    model = fc_snn(random_state=0)
    history = fit(model, Xtr, ytr, epochs=3, progress=False)
    assert history.loss[-1] < history.loss[0]
    assert score(model, Xte, yte) > 0.9                 # ~96% after 3 epochs (seeds 0-2)


def test_relu_counterpart_learns_digits_quickly():
    Xtr, ytr, Xte, yte = digits()
    model = fc_relu(random_state=0)
    fit(model, Xtr, ytr, epochs=3, loss="cross_entropy", progress=False)
    assert score(model, Xte, yte) > 0.9


def test_poisson_prediction_does_not_depend_on_the_batch():
    _, _, Xte, _ = digits(40)
    model = fc_snn(n_hidden=16, encoding="poisson")
    a = predict_scores(model, Xte[:30], batch_size=7, seed=3)
    b = predict_scores(model, Xte[:30], batch_size=30, seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, predict_scores(model, Xte[:30], seed=4))
    assert predict(model, Xte[:30]).shape == (30,)


def test_time_resolved_inputs_from_load_digits_spikes():
    from data_loaders import load_digits_spikes

    X, y = load_digits_spikes(duration=6.0, silence=0.0, max_rate=300.0, random_state=0)
    x = encode(X[:5], n_steps=99)
    assert x.shape == (6, 5, 64)
    np.testing.assert_array_equal(x[:, 2], X[2])
    model = fc_snn(n_hidden=16, n_steps=6)
    fit(model, X[:64], y[:64], epochs=1, batch_size=32, progress=False)


@pytest.mark.slow
def test_fc_snn_defaults_reach_97_percent_on_digits():
    Xtr, ytr, Xte, yte = digits()
    model = fc_snn()
    fit(model, Xtr, ytr, progress=False)
    assert score(model, Xte, yte) >= 0.97


# ----------------------------------------------------------------------------- errors
def test_clear_errors_for_bad_arguments():
    dense = Dense(4, 3)
    with pytest.raises(ValueError, match=r"expects inputs of shape \(n_steps, batch, 4\)"):
        dense.forward(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="n_steps, batch, 4"):
        dense.forward(np.zeros((3, 4)))
    with pytest.raises(RuntimeError, match="forward"):
        Dense(4, 3).backward(np.zeros((1, 1, 3)))
    with pytest.raises(RuntimeError, match="cache=True"):
        dense.forward(np.zeros((1, 1, 4)), cache=False)
        dense.backward(np.zeros((1, 1, 3)))
    with pytest.raises(ValueError, match="'tau_m' parameter of HeteroLIF.*> 0 ms"):
        HeteroLIF([10.0, -1.0])
    with pytest.raises(ValueError, match="'tau_m' parameter of RecurrentLIF.*shape \\(3,\\)"):
        RecurrentLIF(2, 3, tau_m=[1.0, 2.0])
    with pytest.raises(ValueError, match="'decay' parameter of LIF"):
        LIF(decay=1.5)
    with pytest.raises(ValueError, match="'v_th' parameter of LIF"):
        LIF(v_th=0.0)
    with pytest.raises(ValueError, match="'spike_fn' parameter of LIF"):
        LIF(spike_fn="sigmoid")
    with pytest.raises(ValueError, match="'v_th' parameter of HeteroLIF"):
        HeteroLIF([1.0, 2.0], v_th=[0.5, 0.5, 0.5])
    with pytest.raises(ValueError, match="'mask' parameter of Dense.set_mask.*\\(4, 3\\)"):
        dense.set_mask(np.ones((3, 4), dtype=bool))
    with pytest.raises(ValueError, match="boolean"):
        dense.set_neuron_mask(np.ones(3))
    with pytest.raises(ValueError, match="'name' parameter"):
        dense.set_mask(np.ones((4, 3), dtype=bool), name="W_rec")
    with pytest.raises(ValueError, match="channels, height, width"):
        Conv2d(1, 2).forward(np.zeros((2, 3, 8, 8)))
    with pytest.raises(ValueError, match="smaller than the kernel"):
        Conv2d(1, 2, kernel_size=5).forward(np.zeros((1, 1, 1, 3, 3)))
    with pytest.raises(ValueError, match="integer labels in \\[0, 3\\)"):
        mse_loss(np.zeros((2, 3)), np.array([0, 3]))
    with pytest.raises(ValueError, match="'loss' parameter"):
        fit(fc_snn(4, 3, 2), np.zeros((2, 4)), np.array([0, 1]), loss="hinge", progress=False)
    with pytest.raises(ValueError, match="integer labels y of shape"):
        fit(fc_snn(4, 3, 2), np.zeros((3, 4)), np.array([0, 1]), progress=False)
    with pytest.raises(ValueError, match="'encoding' parameter of Sequential"):
        Sequential([Dense(2, 2)], encoding="rate")
    with pytest.raises(ValueError, match="'betas' parameter of Adam"):
        Adam([dense], betas=(0.9, 1.0))
    with pytest.raises(ValueError, match="flatten images"):
        encode(np.zeros((2, 1, 8, 8)), 4)
