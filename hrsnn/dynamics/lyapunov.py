"""Lyapunov exponents by the QR (Benettin) method.

The tangent dynamics of a trajectory are given as one-step tangent maps
``M_t`` (the Jacobian of the map ``x_t -> x_{t+1}``): dense arrays, sparse
matrices or :class:`scipy.sparse.linalg.LinearOperator` objects, anything
with ``shape`` and ``M @ Q``. An orthonormal frame ``Q`` (``n x k``) is pushed
through them, ``Q <- M_t Q``, and re-orthonormalised by a QR decomposition
every step; the exponents are the time averages of ``log |R_jj|``. ``k < n``
gives the leading ``k`` exponents at the cost of an ``n x k`` QR, which keeps
thousands of dimensions affordable. Steps of the transient rotate the frame
but are not averaged.

Per-neuron exponents. The spectrum belongs to directions, not to neurons;
identifying the ``i``-th exponent with neuron ``i`` (as the LNP paper does)
has no meaning. We attribute the exponents to the coordinates by their
participation in the QR directions (SPEC §9.1): ``P_ij`` is the time average
of ``Q_ij ** 2`` over the averaged steps (each column of ``P`` sums to 1),
and neuron ``i``'s exponent is ``lambda_i = sum_j P_ij lambda_j``, a weighted
mean of the exponents of the directions it takes part in. With ``k < n``
only the leading directions contribute, so the weights of a neuron sum to
less than 1.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import check_number


@dataclass(frozen=True)
class LyapunovSpectrum:
    """The result of :func:`lyapunov_spectrum`.

    Attributes
    ----------
    exponents : ndarray of shape (k,)
        In decreasing order, per unit of ``dt``'s time.
    participation : ndarray of shape (n, k)
        ``P_ij``: time-averaged squared entries of the QR frame, columns in
        the order of ``exponents`` (each sums to 1).
    n_steps : int
        Steps averaged (after the transient).
    dt : float
    """

    exponents: np.ndarray
    participation: np.ndarray
    n_steps: int
    dt: float

    @property
    def per_neuron(self):
        """``lambda_i = sum_j P_ij lambda_j``, shape (n,) (see the module docstring)."""
        return self.participation @ self.exponents

    @property
    def largest(self):
        """The largest exponent."""
        return float(self.exponents[0])


def lyapunov_spectrum(tangent_maps, dt, *, k=None, transient=0, qr_every=1, random_state=0):
    """Lyapunov exponents of a trajectory from its one-step tangent maps.

    Parameters
    ----------
    tangent_maps : iterable
        ``M_t``, the Jacobian of step ``t`` of the map along the trajectory
        (for a flow, of its integrator step; see :func:`rk4_tangent_maps`):
        each an ndarray, a sparse matrix or a LinearOperator of shape (n, n).
    dt : float
        Time per step; exponents are per unit of this time.
    k : int or None, default=None
        Number of leading exponents; None means all ``n``.
    transient : int, default=0
        Initial steps that align the frame but are not averaged.
    qr_every : int, default=1
        Re-orthonormalise every this many steps (and at the last one). The
        growth between QRs is exact; a few steps between them save their
        cost, as long as the frame's columns do not collapse onto the leading
        direction in the meantime (exponent gaps times ``qr_every * dt`` of
        a few units at most). The participation is averaged over the QR steps.
    random_state : int, default=0
        Seed of the random initial frame.

    Returns
    -------
    LyapunovSpectrum
        ``exponents`` (k,), decreasing; ``participation`` (n, k);
        ``per_neuron`` (n,).

    Raises
    ------
    ValueError
        If a map is not square of a consistent size, a pushed frame is not
        finite, ``k`` is out of range, or no step is left after the transient.
    """
    check_number("lyapunov_spectrum", "dt", dt, "float", 0.0, low_open=True)
    check_number("lyapunov_spectrum", "transient", transient, "int", 0)
    check_number("lyapunov_spectrum", "qr_every", qr_every, "int", 1)
    frame = log_growth = participation = None
    n_steps = n_averaged = n_qr = 0
    for step, m in enumerate(tangent_maps):
        _check_shape(m, step, None if frame is None else frame.shape[0])
        if frame is None:
            frame = _initial_frame(m.shape[0], k, random_state)
            log_growth, participation = np.zeros(frame.shape[1]), np.zeros(frame.shape)
        frame = np.asarray(m @ frame, dtype=np.float64)
        n_steps = step + 1
        if n_steps % qr_every and n_steps != transient:   # QR at the transient's end too
            continue
        frame, growth = _orthonormalised(frame, step)
        if step >= transient:
            log_growth += growth
            participation += frame ** 2
            n_qr += 1
    n_averaged = n_steps - transient
    if frame is not None and n_steps % qr_every and n_averaged > 0:
        frame, growth = _orthonormalised(frame, n_steps - 1)
        log_growth += growth
        participation += frame ** 2
        n_qr += 1
    if n_averaged <= 0:
        raise ValueError("lyapunov_spectrum() needs at least one tangent map after the "
                         f"{transient} transient steps; got fewer.")
    exponents = log_growth / (n_averaged * dt)
    order = np.argsort(-exponents, kind="stable")
    return LyapunovSpectrum(exponents[order], participation[:, order] / n_qr,
                            n_averaged, float(dt))


def _orthonormalised(frame, step):
    """QR of a pushed frame: the new frame and the log growth of its directions."""
    if not np.all(np.isfinite(frame)):
        raise ValueError(f"Tangent map {step} of lyapunov_spectrum() gives NaN or inf "
                         "(it contains them, or the trajectory diverged; a smaller qr_every "
                         "helps if the frame overflowed).")
    frame, r = np.linalg.qr(frame)
    return frame, np.log(np.abs(np.diag(r)))


def _check_shape(m, step, n):
    shape = getattr(m, "shape", None)
    if (shape is None or len(shape) != 2 or shape[0] != shape[1]
            or (n is not None and shape[0] != n)):
        expected = "square" if n is None else f"of shape ({n}, {n})"
        raise ValueError(f"Tangent map {step} of lyapunov_spectrum() must be {expected}; "
                         f"got shape {shape}.")


def _initial_frame(n, k, random_state):
    k = n if k is None else k
    check_number("lyapunov_spectrum", "k", k, "int", 1, n)
    gaussian = np.random.default_rng(random_state).standard_normal((n, k))
    return np.linalg.qr(gaussian)[0]


def rk4_tangent_maps(f, jacobian, x0, dt, n_steps):
    """Trajectory of ``dx/dt = f(x)`` by RK4 and the tangent map of every step.

    The tangent map of a step is the derivative of the RK4 step with respect
    to its starting point, computed exactly by the chain rule (so the
    exponents are those of the integrator's map, which converge to the
    flow's as ``dt`` shrinks).

    Parameters
    ----------
    f : callable
        ``f(x) -> ndarray of shape (n,)``.
    jacobian : callable
        ``jacobian(x) -> ndarray of shape (n, n)``, the derivative of ``f``.
    x0 : array_like of shape (n,)
        Initial state.
    dt : float
        Step.
    n_steps : int
        Steps.

    Yields
    ------
    ndarray of shape (n, n)
        The tangent map of each step, in order.
    """
    x = np.asarray(x0, dtype=np.float64).copy()
    identity = np.eye(x.size)
    for _ in range(n_steps):
        k1 = f(x)
        j1 = jacobian(x)
        x2 = x + 0.5 * dt * k1
        k2, j2 = f(x2), jacobian(x2)
        d2 = j2 @ (identity + 0.5 * dt * j1)
        x3 = x + 0.5 * dt * k2
        k3, j3 = f(x3), jacobian(x3)
        d3 = j3 @ (identity + 0.5 * dt * d2)
        x4 = x + dt * k3
        k4, j4 = f(x4), jacobian(x4)
        d4 = j4 @ (identity + dt * d3)
        yield identity + dt / 6.0 * (j1 + 2.0 * d2 + 2.0 * d3 + d4)
        x = x + dt / 6.0 * (k1 + 2.0 * k2 + 2.0 * k3 + k4)
