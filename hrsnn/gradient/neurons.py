"""Spiking nonlinearities: DPAP's LIF and the heterogeneous LIF, with surrogate-gradient BPTT.

Both follow the DPAP paper (Eq. 1-2; the STBP neuron of Wu et al. 2018)::

    u[t] = decay * u[t-1] * (1 - o[t-1]) + I[t],     u[-1] = o[-1] = 0
    o[t] = H(u[t] - v_th)                            (spike when u >= v_th)

where ``I`` is the layer's input (the current from the layer before) and the
factor ``1 - o`` resets a neuron that spiked to zero. ``H`` has no useful
derivative; backpropagation through time replaces ``dH/du`` by the rectangle
surrogate of width ``a`` (DPAP Eq. 4)::

    dH/du ~ 1[|u - v_th| < a / 2] / a

Reset: by default (``detach_reset=True``) the reset factor ``1 - o[t-1]`` is
treated as a constant in the backward pass, as in BrainCog, the official
DPAP code (``mem * (1 - spike.detach())``), snnTorch and Zenke & Vogels
(2021); ``detach_reset=False`` also backpropagates through it
(``du[t+1]/do[t] = -decay * u[t]``), as the original STBP code does.

``spike_fn="ramp"`` replaces the step by the integral of the surrogate,
``clip((u - v_th) / a + 1/2, 0, 1)``, whose derivative is exactly the
rectangle: the backward pass is then the exact gradient of the forward pass,
which is how the tests check BPTT against finite differences (the hard
threshold has none to compare with).

Gradients of the decay (HeteroLIF's time constants) use ``du[t]/d decay =
u[t-1] (1 - o[t-1])`` under the same reset convention.
"""

import numbers

import numpy as np

from .._validation import check_choice, check_number
from ._base import Layer, check_input, time_major

SPIKE_FNS = ("heaviside", "ramp")


def spike(u, v_th, a, spike_fn):
    """The output of neurons at membrane potential ``u`` (0/1, or the ramp)."""
    if spike_fn == "heaviside":
        return (u >= v_th).astype(np.float64)
    return np.clip((u - v_th) / a + 0.5, 0.0, 1.0)


def surrogate(u, v_th, a):
    """The rectangle surrogate ``1[|u - v_th| < a / 2] / a`` of ``dH/du``."""
    return (np.abs(u - v_th) < 0.5 * a) / a


def lif_forward(current, decay, v_th, a, spike_fn):
    """Run the neurons over time.

    Parameters
    ----------
    current : ndarray of shape (T, batch, ...)
        Input ``I``.
    decay : float or ndarray broadcasting to ``current.shape[2:]``
    v_th : float or ndarray broadcasting likewise
    a : float
    spike_fn : {"heaviside", "ramp"}

    Returns
    -------
    u, o : ndarray of the shape of ``current``
        Membrane potentials and spikes (or ramp outputs).
    """
    u, o = np.empty_like(current), np.empty_like(current)
    carried = np.zeros(current.shape[1:])
    for t in range(current.shape[0]):
        u[t] = decay * carried + current[t]
        o[t] = spike(u[t], v_th, a, spike_fn)
        carried = u[t] * (1.0 - o[t])
    return u, o


def lif_backward(grad_o, u, o, decay, v_th, a, detach_reset):
    """BPTT through :func:`lif_forward`.

    Parameters
    ----------
    grad_o : ndarray of the shape of ``u``
        Gradient of the loss w.r.t. the outputs ``o``.
    u, o : ndarray
        From :func:`lif_forward`.
    decay, v_th, a, detach_reset
        As in the forward pass.

    Returns
    -------
    grad_current : ndarray of the shape of ``u``
        Gradient w.r.t. the input ``I`` (equal to that w.r.t. ``u``).
    grad_decay_terms : ndarray of the shape of ``u``
        ``grad_u[t] * u[t-1] * (1 - o[t-1])``; summing it over the axes that
        ``decay`` broadcasts along gives the gradient w.r.t. ``decay``.
    """
    grad_u = np.empty_like(u)
    grad_next = np.zeros(u.shape[1:])
    for t in range(u.shape[0] - 1, -1, -1):
        carry = decay * grad_next                # dL/du[t+1] * du[t+1]/d(u[t] (1 - o[t]))
        g_o = grad_o[t] if detach_reset else grad_o[t] - carry * u[t]
        grad_u[t] = g_o * surrogate(u[t], v_th, a) + carry * (1.0 - o[t])
        grad_next = grad_u[t]
    carried = np.zeros_like(u)
    carried[1:] = u[:-1] * (1.0 - o[:-1])
    return grad_u, grad_u * carried


def check_neuron_options(owner, a, detach_reset, spike_fn):
    """Check the surrogate width, the reset convention and the spike function."""
    check_number(owner, "surrogate_width", a, "float", 0.0, low_open=True)
    check_number(owner, "detach_reset", detach_reset, "bool")
    check_choice(owner, "spike_fn", spike_fn, SPIKE_FNS)


class LIF(Layer):
    """DPAP's LIF neurons with one decay and threshold for all (any feature shape).

    Parameters
    ----------
    decay : float, default=0.2
        Membrane decay per step ``lambda``, in [0, 1].
    v_th : float, default=0.5
        Threshold (> 0), in units of the input current.
    surrogate_width : float, default=1.0
        Width ``a`` of the rectangle surrogate (its height is ``1 / a``).
    detach_reset : bool, default=True
        Treat the reset ``1 - o`` as a constant in backward (see the module notes).
    spike_fn : {"heaviside", "ramp"}, default="heaviside"
        ``"ramp"``: the smooth variant whose exact gradient BPTT computes (for tests).

    Attributes
    ----------
    spikes_ : ndarray of shape (T, batch, ...)
        Spikes (0/1) of the last forward pass; per channel and pixel after a Conv2d.
    """

    records_spikes = True

    def __init__(self, decay=0.2, v_th=0.5, surrogate_width=1.0, detach_reset=True,
                 spike_fn="heaviside"):
        super().__init__()
        check_number("LIF", "decay", decay, "float", 0.0, 1.0)
        check_number("LIF", "v_th", v_th, "float", 0.0, low_open=True)
        check_neuron_options("LIF", surrogate_width, detach_reset, spike_fn)
        self.decay, self.v_th, self.surrogate_width = float(decay), float(v_th), \
            float(surrogate_width)
        self.detach_reset, self.spike_fn = detach_reset, spike_fn

    def __repr__(self):
        return f"LIF(decay={self.decay:g}, v_th={self.v_th:g})"

    def forward(self, x, cache=True):
        """Input current (T, batch, ...) -> spikes of the same shape."""
        x = time_major(self, x)
        return _fire(self, x, cache)

    def backward(self, grad_out):
        """Surrogate-gradient BPTT: gradient w.r.t. the input current."""
        u, o = self._cached("u", "o")
        grad, _ = lif_backward(grad_out, u, o, self.decay, self.v_th, self.surrogate_width,
                               self.detach_reset)
        return grad


def _fire(layer, x, cache):
    """Spikes of a LIF ``layer`` for the input current ``x``; records ``spikes_`` and the cache."""
    u, o = lif_forward(x, layer.decay, layer.v_th, layer.surrogate_width, layer.spike_fn)
    layer._cache = {"u": u, "o": o} if cache else None
    layer.spikes_ = o
    return o


def check_tau(owner, tau_m, n=None):
    """``tau_m`` as a float64 array of shape (n,) of finite values > 0 (ms)."""
    if isinstance(tau_m, numbers.Real) and n is not None:
        tau_m = np.full(n, float(tau_m))
    tau = np.asarray(tau_m, dtype=np.float64)
    if tau.ndim != 1 or tau.size == 0 or (n is not None and tau.size != n):
        want = f"({n},)" if n is not None else "(n_neurons,)"
        raise ValueError(f"The 'tau_m' parameter of {owner} must be a number or an array of "
                         f"shape {want} (ms). Got shape {tau.shape} instead.")
    if not np.all(np.isfinite(tau) & (tau > 0)):
        raise ValueError(f"The 'tau_m' parameter of {owner} must hold finite time constants "
                         f"> 0 ms. Got min {tau.min()!r} instead.")
    return tau


def check_threshold(owner, v_th, n):
    """``v_th`` as a float64 array of shape (n,) of finite values > 0."""
    v = np.broadcast_to(np.asarray(v_th, dtype=np.float64), (n,)) if np.ndim(v_th) == 0 \
        else np.asarray(v_th, dtype=np.float64)
    if v.shape != (n,) or not np.all(np.isfinite(v) & (v > 0)):
        raise ValueError(f"The 'v_th' parameter of {owner} must be a number or an array of "
                         f"shape ({n},) of finite thresholds > 0. Got {v_th!r} instead.")
    return v.copy()


class PerNeuronTau:
    """``tau_m`` and ``decay`` of a layer with one membrane time constant per neuron.

    The layer holds ``dt``, ``train_tau`` and either its fixed ``_tau`` or,
    when trained, ``params["log_tau"]`` (so that ``tau_m`` stays positive).
    """

    @property
    def tau_m(self):
        """Membrane time constants, ms, ndarray of shape (n,)."""
        return np.exp(self.params["log_tau"]) if self.train_tau else self._tau

    @property
    def decay(self):
        """``exp(-dt / tau_m)``, ndarray of shape (n,)."""
        return np.exp(-self.dt / self.tau_m)


class HeteroLIF(PerNeuronTau, Layer):
    """LIF neurons with a membrane time constant and a threshold per neuron.

    The decay of neuron ``i`` per step of ``dt`` ms is ``exp(-dt / tau_m[i])``
    (the exact decay of ``tau du/dt = -u`` over a step; inputs add to ``u`` at
    each step, as in :class:`LIF`, which is ``tau_m = -dt / log(0.2) ~ 0.62 ms``).

    Parameters
    ----------
    tau_m : array_like of shape (n,)
        Membrane time constants, ms (> 0).
    v_th : float or array_like of shape (n,), default=0.5
        Thresholds (> 0).
    dt : float, default=1.0
        Time step, ms.
    train_tau : bool, default=False
        Learn ``log_tau = log(tau_m)`` (the log keeps ``tau_m`` positive).
    surrogate_width, detach_reset, spike_fn
        As in :class:`LIF`.

    Attributes
    ----------
    params : dict
        ``log_tau`` of shape (n,) when ``train_tau``, else empty.
    spikes_ : ndarray of shape (T, batch, n)
        Spikes of the last forward pass.
    """

    records_spikes = True

    def __init__(self, tau_m, v_th=0.5, dt=1.0, train_tau=False, surrogate_width=1.0,
                 detach_reset=True, spike_fn="heaviside"):
        super().__init__()
        tau = check_tau("HeteroLIF", tau_m)
        self.n = tau.size
        self.v_th = check_threshold("HeteroLIF", v_th, self.n)
        check_number("HeteroLIF", "dt", dt, "float", 0.0, low_open=True)
        check_number("HeteroLIF", "train_tau", train_tau, "bool")
        check_neuron_options("HeteroLIF", surrogate_width, detach_reset, spike_fn)
        self.dt, self.train_tau, self.surrogate_width = float(dt), train_tau, \
            float(surrogate_width)
        self.detach_reset, self.spike_fn = detach_reset, spike_fn
        self._tau = tau
        if train_tau:
            self.params = {"log_tau": np.log(tau)}
            self.grads = {"log_tau": np.zeros(self.n)}

    def __repr__(self):
        return f"HeteroLIF(n={self.n})"

    def forward(self, x, cache=True):
        """Input current (T, batch, n) -> spikes (T, batch, n)."""
        x = check_input(self, x, (self.n,), f"this layer has n={self.n} neurons")
        return _fire(self, x, cache)

    def backward(self, grad_out):
        """Gradient w.r.t. the input current; adds that of ``log_tau`` to ``grads``."""
        u, o = self._cached("u", "o")
        decay = self.decay
        grad, terms = lif_backward(grad_out, u, o, decay, self.v_th, self.surrogate_width,
                                   self.detach_reset)
        if self.train_tau:     # d decay / d log_tau = decay * dt / tau
            self.grads["log_tau"] += terms.sum(axis=(0, 1)) * decay * self.dt / self.tau_m
        return grad
