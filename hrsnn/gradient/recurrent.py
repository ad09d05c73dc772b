"""A recurrent layer of (heterogeneous) LIF neurons trained by BPTT (HeNB / HoNB).

::

    I[t] = x[t] @ W_in + o[t-1] @ W_rec + b
    u[t] = exp(-dt / tau_m) * u[t-1] * (1 - o[t-1]) + I[t]
    o[t] = H(u[t] - v_th)

with the surrogate, reset convention and ``spike_fn`` of
:mod:`hrsnn.gradient.neurons`. One ``tau_m`` for all neurons gives the
homogeneous network (HoNB), one per neuron the heterogeneous one (HeNB).
"""

import numpy as np

from .._validation import check_number
from ._base import ParamLayer, check_input, uniform_init
from .neurons import (PerNeuronTau, check_neuron_options, check_tau, check_threshold, spike,
                      surrogate)


class RecurrentLIF(PerNeuronTau, ParamLayer):
    """Recurrently connected LIF neurons with trainable input and recurrent weights.

    Parameters
    ----------
    n_in, n : int
        Input features and neurons.
    tau_m : float or array_like of shape (n,), default=20.0
        Membrane time constants, ms (one number: homogeneous).
    v_th : float or array_like of shape (n,), default=0.5
        Thresholds (> 0).
    dt : float, default=1.0
        Time step, ms.
    train_tau : bool, default=False
        Learn ``log_tau = log(tau_m)`` too.
    self_connections : bool, default=False
        Whether ``W_rec`` has a trainable diagonal (autapses); masked out if not.
    rec_scale : float, default=1.0
        Initial ``W_rec`` uniform in ``±rec_scale / sqrt(n)`` (``W_in``, ``b``:
        ``±1 / sqrt(n_in)``).
    surrogate_width, detach_reset, spike_fn
        As in :class:`~hrsnn.gradient.LIF`.
    random_state : None, int, SeedSequence or Generator, default=None

    Attributes
    ----------
    params : dict
        ``W_in`` (n_in, n), ``W_rec`` (n, n) in ``[pre, post]`` orientation,
        ``b`` (n,), and ``log_tau`` (n,) when ``train_tau``.
    masks : dict
        ``W_in``, ``W_rec``: bool masks; ``neuron_mask`` (n,) masks every
        incoming weight and the bias of a neuron.
    spikes_ : ndarray of shape (T, batch, n)
        Spikes of the last forward pass.
    inputs_ : ndarray of shape (T, batch, n_in)
        The input of the last ``forward(x, cache=True)``.
    """

    records_spikes = True

    _neuron_axes = (("W_in", -1), ("W_rec", -1), ("b", 0))

    def __init__(self, n_in, n, tau_m=20.0, v_th=0.5, dt=1.0, train_tau=False,
                 self_connections=False, rec_scale=1.0, surrogate_width=1.0,
                 detach_reset=True, spike_fn="heaviside", random_state=None):
        super().__init__()
        owner = "RecurrentLIF"
        check_number(owner, "n_in", n_in, "int", 1)
        check_number(owner, "n", n, "int", 1)
        tau = check_tau(owner, tau_m, n)
        self.v_th = check_threshold(owner, v_th, n)
        check_number(owner, "dt", dt, "float", 0.0, low_open=True)
        check_number(owner, "train_tau", train_tau, "bool")
        check_number(owner, "self_connections", self_connections, "bool")
        check_number(owner, "rec_scale", rec_scale, "float", 0.0)
        check_neuron_options(owner, surrogate_width, detach_reset, spike_fn)
        self.n_in, self.n, self.dt, self.train_tau = n_in, n, float(dt), train_tau
        self.surrogate_width, self.detach_reset = float(surrogate_width), detach_reset
        self.spike_fn = spike_fn
        rng = np.random.default_rng(random_state)
        self.params = {"W_in": uniform_init(rng, n_in, (n_in, n)),
                       "W_rec": rec_scale * uniform_init(rng, n, (n, n)),
                       "b": uniform_init(rng, n_in, n)}
        self._tau = tau
        if train_tau:
            self.params["log_tau"] = np.log(tau)
        self._init_masks(n)
        if not self_connections:
            np.fill_diagonal(self.masks["W_rec"], False)
            self.apply_masks()

    def __repr__(self):
        return f"RecurrentLIF({self.n_in} -> {self.n})"

    def forward(self, x, cache=True):
        """Input (T, batch, n_in) -> spikes (T, batch, n)."""
        x = check_input(self, x, (self.n_in,), f"build the layer with n_in={np.shape(x)[-1]}")
        w_in, w_rec, b = self.masked("W_in"), self.masked("W_rec"), self.masked("b")
        decay, a = self.decay, self.surrogate_width
        drive = x @ w_in + b
        u, o = np.empty_like(drive), np.empty_like(drive)
        carried, prev = np.zeros(drive.shape[1:]), np.zeros(drive.shape[1:])
        for t in range(drive.shape[0]):
            u[t] = decay * carried + drive[t] + prev @ w_rec
            o[t] = spike(u[t], self.v_th, a, self.spike_fn)
            carried, prev = u[t] * (1.0 - o[t]), o[t]
        self._cache = {"x": x, "u": u, "o": o, "W_in": w_in, "W_rec": w_rec} if cache else None
        self.inputs_ = x if cache else None
        self.spikes_ = o
        return o

    def backward(self, grad_out):
        """BPTT: gradient w.r.t. the input; adds those of every parameter to ``grads``."""
        x, u, o, w_in, w_rec = self._cached("x", "u", "o", "W_in", "W_rec")
        decay, v_th, a = self.decay, self.v_th, self.surrogate_width
        grad_u = np.empty_like(u)
        grad_next = np.zeros(u.shape[1:])
        for t in range(u.shape[0] - 1, -1, -1):
            carry = decay * grad_next
            g_o = grad_out[t] + grad_next @ w_rec.T          # o[t] drives I[t+1]
            if not self.detach_reset:
                g_o = g_o - carry * u[t]
            grad_u[t] = g_o * surrogate(u[t], v_th, a) + carry * (1.0 - o[t])
            grad_next = grad_u[t]
        flat = grad_u.reshape(-1, self.n)
        self._add_grad("W_in", x.reshape(-1, self.n_in).T @ flat)
        self._add_grad("W_rec", o[:-1].reshape(-1, self.n).T @ grad_u[1:].reshape(-1, self.n))
        self._add_grad("b", flat.sum(axis=0))
        if self.train_tau:
            carried = u[:-1] * (1.0 - o[:-1])
            terms = (grad_u[1:] * carried).sum(axis=(0, 1))
            self.grads["log_tau"] += terms * decay * self.dt / self.tau_m
        return grad_u @ w_in.T
