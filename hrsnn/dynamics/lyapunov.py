"""Lyapunov exponents by the QR (Benettin) method.

The tangent dynamics of a trajectory are given as one-step tangent maps
``M_t`` (the Jacobian of the map ``x_t -> x_{t+1}``). An orthonormal frame
``Q`` (``n x k``) is pushed through them, ``Q <- M_t Q``, and
re-orthonormalised by a QR decomposition every step; the exponents are the
time averages of ``log |R_ii|``. ``k < n`` gives the leading ``k`` exponents
at the cost of an ``n x k`` QR, which keeps thousands of dimensions
affordable. Steps of the transient rotate the frame but are not averaged.
"""

import numpy as np

from .._validation import check_number


def lyapunov_spectrum(tangent_maps, dt, *, k=None, transient=0, random_state=0):
    """Lyapunov exponents of a trajectory from its one-step tangent maps.

    Parameters
    ----------
    tangent_maps : iterable of ndarray of shape (n, n)
        ``M_t``, the Jacobian of step ``t`` of the map along the trajectory
        (for a flow, of its integrator step; see :func:`rk4_tangent_maps`).
    dt : float
        Time per step; exponents are per unit of this time.
    k : int or None, default=None
        Number of leading exponents; None means all ``n``.
    transient : int, default=0
        Initial steps that align the frame but are not averaged.
    random_state : int, default=0
        Seed of the random initial frame.

    Returns
    -------
    ndarray of shape (k,)
        Exponents in decreasing order (per unit time).

    Raises
    ------
    ValueError
        If a map is not square of a consistent size, is not finite, ``k`` is
        out of range, or fewer than one step is left after the transient.
    """
    check_number("lyapunov_spectrum", "dt", dt, "float", 0.0, low_open=True)
    check_number("lyapunov_spectrum", "transient", transient, "int", 0)
    frame, log_growth, n_averaged = None, None, 0
    for step, m in enumerate(tangent_maps):
        m = _checked_map(m, step, None if frame is None else frame.shape[0])
        if frame is None:
            frame = _initial_frame(m.shape[0], k, random_state)
            log_growth = np.zeros(frame.shape[1])
        frame, r = np.linalg.qr(m @ frame)
        if step >= transient:
            log_growth += np.log(np.abs(np.diag(r)))
            n_averaged += 1
    if n_averaged == 0:
        raise ValueError("lyapunov_spectrum() needs at least one tangent map after the "
                         f"{transient} transient steps; got fewer.")
    return np.sort(log_growth / (n_averaged * dt))[::-1]


def _checked_map(m, step, n):
    m = np.asarray(m, dtype=np.float64)
    if m.ndim != 2 or m.shape[0] != m.shape[1] or (n is not None and m.shape[0] != n):
        expected = "square" if n is None else f"of shape ({n}, {n})"
        raise ValueError(f"Tangent map {step} of lyapunov_spectrum() must be {expected}; "
                         f"got shape {m.shape}.")
    if not np.all(np.isfinite(m)):
        raise ValueError(f"Tangent map {step} of lyapunov_spectrum() contains NaN or inf.")
    return m


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
