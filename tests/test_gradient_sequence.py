"""Sequence regression by BPTT (HeNB / HoNB): the trace filter, the readout gradient, training."""

import numpy as np
import pytest

from hrsnn.gradient.sequence import SpikeTrace, fit_sequences, predict_sequence, sequence_snn


def test_spike_trace_forward_by_hand_and_backward_by_finite_differences():
    layer = SpikeTrace(0.5)
    x = np.array([1.0, 0.0, 2.0])[:, None, None]
    np.testing.assert_allclose(layer.forward(x)[:, 0, 0], [1.0, 0.5, 2.25])
    rng = np.random.default_rng(0)
    x, g = rng.normal(size=(6, 2, 3)), rng.normal(size=(6, 2, 3))
    layer.forward(x)
    analytic = layer.backward(g)
    numeric = np.zeros_like(x)
    for index in np.ndindex(x.shape):
        step = np.zeros_like(x)
        step[index] = 1e-6
        numeric[index] = ((layer.forward(x + step, cache=False) * g).sum()
                          - (layer.forward(x - step, cache=False) * g).sum()) / 2e-6
    np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-9)
    with pytest.raises(ValueError, match="'decay'"):
        SpikeTrace(1.0)


def test_readout_gradient_matches_finite_differences():
    """The readout does not change the spikes, so its gradient is exact."""
    model = sequence_snn(2, 15, 1, tau_shape=3.0, random_state=1)
    u = np.random.default_rng(2).normal(size=(30, 3, 2)) * 2
    target = np.random.default_rng(3).normal(size=(30, 3, 1))

    def loss():
        return float(np.sum((model.forward(u, cache=False) - target) ** 2))
    model.zero_grad()
    model.backward(2 * (model.forward(u) - target))
    readout = model.layers[-1]
    for name in ("W", "b"):
        p, analytic = readout.params[name], readout.grads[name].copy()
        numeric = np.zeros_like(p)
        for index in np.ndindex(p.shape):
            p[index] += 1e-6
            up = loss()
            p[index] -= 2e-6
            numeric[index] = (up - loss()) / 2e-6
            p[index] += 1e-6
        np.testing.assert_allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_fit_learns_a_delayed_copy_better_than_the_mean_and_is_reproducible():
    rng = np.random.default_rng(4)
    u = np.convolve(rng.normal(size=700), np.ones(5) / 5, mode="same")[:, None] * 3
    y = np.roll(u, 1, axis=0)                               # y(t) = u(t - 1)
    runs = []
    for _ in range(2):
        model = sequence_snn(1, 40, 1, random_state=5)
        losses = fit_sequences(model, u[:500], y[:500], epochs=15, window=60, washout=10,
                               progress=False, random_state=6)
        runs.append((losses, predict_sequence(model, u[500:])))
    losses, prediction = runs[0]
    assert runs[0][0] == runs[1][0]
    np.testing.assert_array_equal(runs[0][1], runs[1][1])
    assert losses[-1] < 0.5 * losses[0]
    error = np.mean((prediction[10:] - y[510:]) ** 2)
    assert error < 0.5 * np.var(y[510:])                    # far better than the mean
    with pytest.raises(ValueError, match="as many steps"):
        fit_sequences(model, u[:10], y[:9])
    with pytest.raises(ValueError, match="'washout'"):
        fit_sequences(model, u, y, window=10, washout=10)


def test_homogeneous_and_heterogeneous_time_constants():
    hom = sequence_snn(3, 50, 3, random_state=0).layers[0]
    het = sequence_snn(3, 50, 3, tau_shape=3.0, random_state=0).layers[0]
    tau_hom, tau_het = np.broadcast_to(hom.tau_m, (50,)), het.tau_m
    assert np.all(tau_hom == 20.0)
    assert tau_het.std() > 3.0 and 10.0 < tau_het.mean() < 30.0
