"""The rate model of a network, its trajectories and tangent maps.

SPEC §9.1: rates ``r`` with ``tau_i dr_i/dt = -r_i + f(h_i)``, ``h_i = g
sum_j w_ji r_j + b_i + u_i(t) + sigma xi_i(t)``, with the network's own
membrane time constants ``tau_m`` (ms) and weights ``w_ji`` (pre ``j``, post
``i``), a gain ``g`` and ``f = tanh``. Time is stepped by forward Euler with
step ``dt``:

    r(t + dt) = r(t) + dt / tau * (-r(t) + f(h(t)))

and the tangent map of a step, the exact derivative of that map, is

    M_t = I + dt / tau * (-I + diag(f'(h(t))) g W^T)

applied to a frame as a sparse product, never formed densely. Noise
``xi`` is white, drawn once per step and shared by every copy of a
trajectory (twin simulations see the same noise).
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import LinearOperator

from .._validation import check_number


@dataclass(frozen=True)
class RateTrajectory:
    """A simulated rate trajectory.

    Attributes
    ----------
    rates : ndarray of shape (n_steps + 1, n)
        ``r`` at every step, the initial state first.
    drive : ndarray of shape (n_steps, n)
        ``h`` of every step (the argument of ``f``).
    dt : float
        Step, ms.
    """

    rates: np.ndarray
    drive: np.ndarray
    dt: float


class RateNetwork:
    """Rate dynamics ``tau dr/dt = -r + tanh(g W^T r + b + u + sigma xi)``.

    Parameters
    ----------
    tau : array_like of shape (n,)
        Time constants, ms (> 0).
    weights : sparse or dense array of shape (n, n)
        ``W[pre, post]`` (the convention of :attr:`hrsnn.network.Network.weights`).
    gain : float, default=1.0
        ``g``, the factor on every weight (the slope that maps the network's
        potential jumps to rate-model input).
    bias : float or array_like of shape (n,), default=0.0
        ``b``.
    """

    def __init__(self, tau, weights, *, gain=1.0, bias=0.0):
        tau = np.asarray(tau, dtype=np.float64)
        if tau.ndim != 1 or tau.size == 0 or not np.all(np.isfinite(tau) & (tau > 0)):
            raise ValueError("'tau' of RateNetwork must be a non-empty 1-D array of positive "
                             f"finite time constants (ms); got shape {tau.shape}.")
        n = tau.size
        if getattr(weights, "shape", None) != (n, n):
            raise ValueError(f"'weights' of RateNetwork must have shape ({n}, {n}) (W[pre, "
                             f"post]); got {getattr(weights, 'shape', None)}.")
        incoming = sparse.csr_array(weights).T.tocsr()      # W^T: row i = inputs of i
        if not np.all(np.isfinite(incoming.data)):
            raise ValueError("'weights' of RateNetwork contains NaN or inf.")
        check_number("RateNetwork", "gain", gain, "float")
        self.tau = tau
        self.incoming = incoming * float(gain)
        self.bias = np.broadcast_to(np.asarray(bias, dtype=np.float64), (n,)).copy()

    @classmethod
    def from_network(cls, network, *, gain=1.0, bias=0.0):
        """The rate model of a :class:`~hrsnn.network.Network` (its ``tau_m`` and weights)."""
        return cls(network.tau_m, network.weights, gain=gain, bias=bias)

    @property
    def n(self):
        """Number of units."""
        return self.tau.size

    def simulate(self, n_steps, dt=1.0, *, inputs=None, noise_sigma=0.0, r0=None,
                 random_state=0):
        """Euler trajectory from ``r0`` (default 0).

        Parameters
        ----------
        n_steps : int
        dt : float, default=1.0
            Step, ms (smaller than every ``tau`` for a faithful flow).
        inputs : ndarray of shape (n_steps, n) or None
            ``u(t)`` added to ``h``.
        noise_sigma : float, default=0.0
            Standard deviation of the white noise added to ``h`` per step.
        r0 : array_like of shape (n,) or None
        random_state : int, default=0
            Seed of the noise.

        Returns
        -------
        RateTrajectory
        """
        check_number("RateNetwork.simulate", "n_steps", n_steps, "int", 1)
        check_number("RateNetwork.simulate", "dt", dt, "float", 0.0, low_open=True)
        check_number("RateNetwork.simulate", "noise_sigma", noise_sigma, "float", 0.0)
        extra = self._extra_drive(n_steps, inputs, noise_sigma, random_state)
        rates = np.zeros((n_steps + 1, self.n))
        if r0 is not None:
            rates[0] = np.broadcast_to(np.asarray(r0, dtype=np.float64), (self.n,))
        drive = np.empty((n_steps, self.n))
        for t in range(n_steps):
            drive[t] = self.incoming @ rates[t] + self.bias + extra[t]
            rates[t + 1] = self._step(rates[t], drive[t], dt)
        return RateTrajectory(rates, drive, float(dt))

    def tangent_maps(self, trajectory):
        """The tangent map of every step of ``trajectory``, as LinearOperators.

        Parameters
        ----------
        trajectory : RateTrajectory

        Yields
        ------
        LinearOperator of shape (n, n)
            ``M_t = I + dt / tau * (-I + diag(f'(h_t)) g W^T)``.
        """
        rate = trajectory.dt / self.tau
        for h in trajectory.drive:
            slope = 1.0 - np.tanh(h) ** 2

            def apply(frame, slope=slope):
                frame = frame.reshape(self.n, -1)
                pushed = (self.incoming @ frame) * slope[:, None] - frame
                return frame + rate[:, None] * pushed

            yield LinearOperator((self.n, self.n), matvec=apply, matmat=apply,
                                 dtype=np.float64)

    def twin_largest_exponent(self, n_steps, dt=1.0, *, inputs=None, noise_sigma=0.0,
                              epsilon=1e-8, renormalise_every=10, transient=0,
                              random_state=0):
        """Largest exponent from two nearby trajectories, renormalised periodically.

        The twin starts ``epsilon`` away in a random direction and sees the
        same input and noise; every ``renormalise_every`` steps the log of its
        distance growth is accumulated (after ``transient`` steps) and the
        distance reset to ``epsilon`` along the current separation.

        Returns
        -------
        float
            Per ms.
        """
        check_number("RateNetwork.twin_largest_exponent", "epsilon", epsilon, "float", 0.0,
                     low_open=True)
        check_number("RateNetwork.twin_largest_exponent", "renormalise_every",
                     renormalise_every, "int", 1)
        extra = self._extra_drive(n_steps, inputs, noise_sigma, random_state)
        direction = np.random.default_rng(random_state + 1).standard_normal(self.n)
        r = np.zeros(self.n)
        twin = r + epsilon * direction / np.linalg.norm(direction)
        log_growth, time = 0.0, 0.0
        for t in range(n_steps):
            r = self._step(r, self.incoming @ r + self.bias + extra[t], dt)
            twin = self._step(twin, self.incoming @ twin + self.bias + extra[t], dt)
            if (t + 1) % renormalise_every == 0:
                distance = np.linalg.norm(twin - r)
                if t >= transient:
                    log_growth += np.log(distance / epsilon)
                    time += renormalise_every * dt
                twin = r + (twin - r) * (epsilon / distance)
        if time == 0.0:
            raise ValueError("twin_largest_exponent() averaged no renormalisation: give "
                             "n_steps larger than transient + renormalise_every.")
        return log_growth / time

    def _step(self, r, h, dt):
        return r + dt / self.tau * (np.tanh(h) - r)

    def _extra_drive(self, n_steps, inputs, noise_sigma, random_state):
        extra = np.zeros((n_steps, self.n))
        if inputs is not None:
            inputs = np.asarray(inputs, dtype=np.float64)
            if inputs.shape != (n_steps, self.n) or not np.all(np.isfinite(inputs)):
                raise ValueError(f"'inputs' must be a finite array of shape ({n_steps}, "
                                 f"{self.n}); got shape {inputs.shape}.")
            extra += inputs
        if noise_sigma > 0:
            extra += noise_sigma * np.random.default_rng(random_state).standard_normal(
                extra.shape)
        return extra
