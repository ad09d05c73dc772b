"""Chaotic systems and NARMA for reservoir forecasting (SPEC section 7).

Every continuous system is integrated with the classical fixed-step fourth-order
Runge-Kutta scheme (RK4). A run starts from ``initial_state`` (or a random
perturbation of a point near the attractor, drawn from
``np.random.default_rng(random_state)``), advances ``transient`` samples that
are thrown away, and returns ``n_steps`` samples ``dt`` apart: row ``i`` is the
state at model time ``(transient + i) * dt``, so with ``transient=0`` row 0 is
the initial state. Each sample is ``substeps`` RK4 steps of ``dt / substeps``
(raise ``substeps`` for accuracy or stability without changing the sampling).

Time is in the model's own units (dimensionless), not ms. Low-dimensional
systems step tuples of Python floats (a numpy call costs more than the whole
3-D right-hand side); Lorenz96 and the multiscale system step numpy arrays,
vectorised over the dimensions.
"""

import math
import numbers

import numpy as np

# Largest Lyapunov exponent, per unit model time, for each system's default
# parameters (divide a time by 1 / lambda to get Lyapunov times).
LYAPUNOV_EXPONENTS = {
    # sigma=10, rho=28, beta=8/3: J. C. Sprott, Chaos and Time-Series Analysis
    # (Oxford, 2003), table A.1; D. Viswanath, PhD thesis, Cornell (1998).
    "lorenz63": 0.9056,
    # a=b=0.2, c=5.7: Sprott (2003), table A.1.
    "rossler": 0.0714,
    # n_vars=40, forcing=8: P. R. Vlachas et al., Neural Networks 126, 191 (2020);
    # A. Karimi & M. R. Paul, Chaos 20, 043105 (2010).
    "lorenz96": 1.68,
}

#: Default sampling step of each system of :data:`SYSTEMS`, model time units
#: (the ``dt`` defaults of the functions below are read from here).
DEFAULT_DT = {
    "lorenz63": 0.02,            # about 1/55 of a Lyapunov time
    "rossler": 0.05,             # about 120 samples per turn of the attractor
    "lorenz96": 0.01,            # about 1/60 of a Lyapunov time (n_vars=40, F=8)
    "multiscale_lorenz96": 0.005,  # the paper's RK4 step; the fast tiers need it
    "mackey_glass": 1.0,         # the usual sampling of this series
}


# ----------------------------------------------------------------- checks
def _check_int(owner, name, value, low):
    """``value`` as an int, or a ValueError naming ``name``, the bound and the value."""
    if (isinstance(value, bool) or not isinstance(value, numbers.Integral)
            or value < low):
        raise ValueError(f"The '{name}' parameter of {owner} must be an integer >= {low}. "
                         f"Got {value!r} instead.")
    return int(value)


def _check_real(owner, name, value, low=None, strict=False):
    """``value`` as a float; finite, and ``>= low`` (``> low`` if ``strict``)."""
    ok = isinstance(value, numbers.Real) and not isinstance(value, bool) and _finite(value)
    if ok and low is not None:
        ok = value > low if strict else value >= low
    if not ok:
        bound = "" if low is None else f" {'>' if strict else '>='} {low}"
        raise ValueError(f"The '{name}' parameter of {owner} must be a finite real "
                         f"number{bound}. Got {value!r} instead.")
    return float(value)


def _rng(owner, random_state):
    """``np.random.default_rng(random_state)`` for None, an integer >= 0 or a Generator
    (also a SeedSequence or BitGenerator); a clear error naming ``owner`` otherwise."""
    if random_state is None or isinstance(random_state, (
            np.random.Generator, np.random.SeedSequence, np.random.BitGenerator)):
        return np.random.default_rng(random_state)
    if (isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool)
            and random_state >= 0):
        return np.random.default_rng(int(random_state))
    message = (f"The 'random_state' parameter of {owner} must be None, an integer >= 0 or "
               f"a numpy.random.Generator. Got {random_state!r} instead.")
    if isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool):
        raise ValueError(message)
    raise TypeError(message)


def _finite(value):
    """Whether the real number ``value`` is finite as a float (huge ints are not)."""
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


def _check_run(owner, n_steps, dt, transient, substeps):
    """Checked ``(n_steps, dt, transient, substeps)`` shared by every system."""
    return (_check_int(owner, "n_steps", n_steps, 1),
            _check_real(owner, "dt", dt, 0.0, strict=True),
            _check_int(owner, "transient", transient, 0),
            _check_int(owner, "substeps", substeps, 1))


def _start(owner, initial_state, base, scale, random_state):
    """``initial_state`` checked, or ``base + scale * N(0, 1)`` from ``random_state``."""
    base = np.asarray(base, dtype=np.float64)
    rng = _rng(owner, random_state)         # checked even when initial_state is given
    if initial_state is None:
        return base + scale * rng.standard_normal(base.shape)
    state = np.array(initial_state, dtype=np.float64)
    if state.shape != base.shape or not np.all(np.isfinite(state)):
        raise ValueError(f"The 'initial_state' parameter of {owner} must be a finite array "
                         f"of shape {base.shape}. Got shape {state.shape} instead.")
    return state


# ----------------------------------------------------------------- RK4
def _rk4_floats(rhs, h, substeps):
    """Advance a list of floats by ``substeps`` RK4 steps of size ``h``."""
    half, sixth = 0.5 * h, h / 6.0

    def advance(s):
        for _ in range(substeps):
            k1 = rhs(s)
            k2 = rhs([x + half * k for x, k in zip(s, k1)])
            k3 = rhs([x + half * k for x, k in zip(s, k2)])
            k4 = rhs([x + h * k for x, k in zip(s, k3)])
            s = [x + sixth * (a + 2.0 * (b + c) + d) for x, a, b, c, d in zip(s, k1, k2, k3, k4)]
        return s
    return advance


def _rk4_arrays(rhs, h, substeps):
    """Advance a float64 array by ``substeps`` RK4 steps of size ``h``."""
    half, sixth = 0.5 * h, h / 6.0

    def advance(s):
        for _ in range(substeps):
            k1 = rhs(s)
            k2 = rhs(s + half * k1)
            k3 = rhs(s + half * k2)
            k4 = rhs(s + h * k3)
            s = s + sixth * (k1 + 2.0 * (k2 + k3) + k4)
        return s
    return advance


def _trajectory(owner, advance, state, n_steps, transient, n_keep=None):
    """Samples ``transient, ..., transient + n_steps - 1`` of the first ``n_keep`` components.

    Returns
    -------
    ndarray of float64, shape (n_steps, n_keep)
    """
    n_keep = len(state) if n_keep is None else n_keep
    out = np.empty((n_steps, n_keep))
    with np.errstate(over="ignore", invalid="ignore"):
        for _ in range(transient):
            state = advance(state)
        out[0] = state[:n_keep]
        for i in range(1, n_steps):
            state = advance(state)
            out[i] = state[:n_keep]
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{owner} diverged (non-finite values): use a smaller 'dt' or more "
                         "'substeps', or start closer to the attractor.")
    return out


# ----------------------------------------------------------------- Lorenz63, Rossler
def _lorenz63_rhs(sigma, rho, beta):
    def rhs(s):
        x, y, z = s
        return (sigma * (y - x), x * (rho - z) - y, x * y - beta * z)
    return rhs


def lorenz63(n_steps, dt=DEFAULT_DT["lorenz63"],
             *, sigma=10.0, rho=28.0, beta=8 / 3, transient=1000, substeps=1,
             initial_state=None, random_state=None):
    """The Lorenz (1963) system, sampled every ``dt``.

    ``dx/dt = sigma (y - x)``, ``dy/dt = x (rho - z) - y``, ``dz/dt = x y - beta z``.

    Parameters
    ----------
    n_steps : int
        Samples returned (>= 1).
    dt : float, default=0.02
        Sampling step, model time units (about 1/55 of a Lyapunov time).
    sigma, rho, beta : float
        Parameters (defaults: the classical chaotic regime).
    transient : int, default=1000
        Samples integrated and discarded before the first returned one.
    substeps : int, default=1
        RK4 steps per sample (step ``dt / substeps``).
    initial_state : array_like of shape (3,), optional
        State ``(x, y, z)`` at time 0; by default ``(-8, -8, 27)`` plus N(0, 1) noise.
    random_state : int, numpy.random.Generator or None
        Seed of the random initial state (unused when ``initial_state`` is given).

    Returns
    -------
    ndarray of float64, shape (n_steps, 3)
        Columns ``x, y, z``.
    """
    owner = "lorenz63"
    n_steps, dt, transient, substeps = _check_run(owner, n_steps, dt, transient, substeps)
    rhs = _lorenz63_rhs(*(_check_real(owner, k, v) for k, v in
                          (("sigma", sigma), ("rho", rho), ("beta", beta))))
    state = _start(owner, initial_state, (-8.0, -8.0, 27.0), 1.0, random_state)
    return _trajectory(owner, _rk4_floats(rhs, dt / substeps, substeps), state.tolist(),
                       n_steps, transient)


def _rossler_rhs(a, b, c):
    def rhs(s):
        x, y, z = s
        return (-y - z, x + a * y, b + z * (x - c))
    return rhs


def rossler(n_steps, dt=DEFAULT_DT["rossler"],
            *, a=0.2, b=0.2, c=5.7, transient=1000, substeps=1, initial_state=None,
            random_state=None):
    """The Rossler (1976) system, sampled every ``dt``.

    ``dx/dt = -y - z``, ``dy/dt = x + a y``, ``dz/dt = b + z (x - c)``.

    Parameters
    ----------
    n_steps : int
        Samples returned (>= 1).
    dt : float, default=0.05
        Sampling step, model time units (about 120 samples per turn of the
        attractor, period about 6).
    a, b, c : float
        Parameters (defaults: the classical chaotic regime).
    transient : int, default=1000
        Samples integrated and discarded (50 time units by default).
    substeps : int, default=1
        RK4 steps per sample.
    initial_state : array_like of shape (3,), optional
        State ``(x, y, z)`` at time 0; by default ``(0, -6, 0.1)`` plus N(0, 0.5^2) noise.
    random_state : int, numpy.random.Generator or None
        Seed of the random initial state.

    Returns
    -------
    ndarray of float64, shape (n_steps, 3)
        Columns ``x, y, z``.
    """
    owner = "rossler"
    n_steps, dt, transient, substeps = _check_run(owner, n_steps, dt, transient, substeps)
    rhs = _rossler_rhs(*(_check_real(owner, k, v) for k, v in (("a", a), ("b", b), ("c", c))))
    state = _start(owner, initial_state, (0.0, -6.0, 0.1), 0.5, random_state)
    return _trajectory(owner, _rk4_floats(rhs, dt / substeps, substeps), state.tolist(),
                       n_steps, transient)


# ----------------------------------------------------------------- Lorenz96
def _advection(n, direction=1):
    """``x -> x[k-d] * (x[k+d] - x[k-2d])`` on a ring of ``n`` (``d = direction``)."""
    k = np.arange(n)
    back, ahead, back2 = (k - direction) % n, (k + direction) % n, (k - 2 * direction) % n
    return lambda x: x[back] * (x[ahead] - x[back2])


def _lorenz96_rhs(n_vars, forcing):
    advect = _advection(n_vars)
    return lambda x: advect(x) - x + forcing


def lorenz96(n_steps, dt=DEFAULT_DT["lorenz96"],
             *, n_vars=40, forcing=8.0, transient=1000, substeps=1, initial_state=None,
             random_state=None):
    """The single-scale Lorenz (1996) system, sampled every ``dt``.

    ``dx_k/dt = (x_{k+1} - x_{k-2}) x_{k-1} - x_k + F``, indices cyclic mod ``n_vars``.

    Parameters
    ----------
    n_steps : int
        Samples returned (>= 1).
    dt : float, default=0.01
        Sampling step, model time units (about 1/60 of a Lyapunov time for
        ``n_vars=40, forcing=8``; the usual choice in reservoir forecasting).
    n_vars : int, default=40
        Number of variables on the ring (>= 4).
    forcing : float, default=8.0
        ``F``; chaotic for ``F`` above about 6 (``x_k = F`` is a fixed point).
    transient : int, default=1000
        Samples integrated and discarded (10 time units by default).
    substeps : int, default=1
        RK4 steps per sample.
    initial_state : array_like of shape (n_vars,), optional
        State at time 0; by default ``F`` plus N(0, 1) noise.
    random_state : int, numpy.random.Generator or None
        Seed of the random initial state.

    Returns
    -------
    ndarray of float64, shape (n_steps, n_vars)
    """
    owner = "lorenz96"
    n_steps, dt, transient, substeps = _check_run(owner, n_steps, dt, transient, substeps)
    n_vars = _check_int(owner, "n_vars", n_vars, 4)
    forcing = _check_real(owner, "forcing", forcing)
    state = _start(owner, initial_state, np.full(n_vars, forcing), 1.0, random_state)
    advance = _rk4_arrays(_lorenz96_rhs(n_vars, forcing), dt / substeps, substeps)
    return _trajectory(owner, advance, state, n_steps, transient)


# ----------------------------------------------------------------- multiscale Lorenz96
def _multiscale_rhs(K, J, I, forcing, b, c, d, e, h, g_z):
    """Right-hand side on the flat state ``[X (K), Y (K*J), Z (K*J*I)]``."""
    advect_x, advect_y, advect_z = _advection(K), _advection(K * J, -1), _advection(K * J * I)
    cy, cz = h * c / b, h * e / d

    def rhs(s):
        x, y, z = s[:K], s[K:K + K * J], s[K + K * J:]
        dx = advect_x(x) - x + forcing - cy * y.reshape(K, J).sum(axis=1)
        dy = (c * b * advect_y(y) - c * y + cy * np.repeat(x, J)
              - cz * z.reshape(K * J, I).sum(axis=1))
        dz = e * d * advect_z(z) - g_z * e * z + cz * np.repeat(y, I)
        return np.concatenate((dx, dy, dz))
    return rhs


def _multiscale_start(owner, initial_state, K, J, I, random_state):
    shapes = ((K,), (K, J), (K, J, I))
    rng = _rng(owner, random_state)
    if initial_state is None:
        tiers = [scale * rng.standard_normal(shape)
                 for scale, shape in zip((1.0, 0.1, 0.01), shapes)]
    else:
        tiers = [np.asarray(t, dtype=np.float64) for t in initial_state]
        got = tuple(t.shape for t in tiers)
        if got != shapes or not all(np.all(np.isfinite(t)) for t in tiers):
            raise ValueError(f"The 'initial_state' parameter of {owner} must be finite arrays "
                             f"(X, Y, Z) of shapes {shapes}. Got shapes {got} instead.")
    return np.concatenate([t.ravel() for t in tiers])


def multiscale_lorenz96(n_steps, dt=DEFAULT_DT["multiscale_lorenz96"],
                        *, K=8, J=8, I=8, forcing=20.0, b=10.0, c=10.0, d=10.0, e=10.0,
                        h=1.0, g_z=1.0, transient=2000, substeps=1, initial_state=None,
                        random_state=None, return_all=False):
    """The three-tier Lorenz96 system of Thornes, Dueben & Palmer (2017).

    ``K`` slow variables ``X_k``, ``J`` faster ``Y_{j,k}`` per ``X_k`` and ``I``
    fastest ``Z_{i,j,k}`` per ``Y_{j,k}``:

    * ``dX_k/dt = X_{k-1} (X_{k+1} - X_{k-2}) - X_k + F - (h c / b) sum_j Y_{j,k}``
    * ``dY_{j,k}/dt = -c b Y_{j+1,k} (Y_{j+2,k} - Y_{j-1,k}) - c Y_{j,k}
      + (h c / b) X_k - (h e / d) sum_i Z_{i,j,k}``
    * ``dZ_{i,j,k}/dt = e d Z_{i-1,j,k} (Z_{i+1,j,k} - Z_{i-2,j,k}) - g_Z e Z_{i,j,k}
      + (h e / d) Y_{j,k}``

    Boundaries are cyclic as in Lorenz (1996): ``X`` is a ring of ``K``; the
    ``Y`` form one ring of ``K * J`` (``Y_{J+1,k} = Y_{1,k+1}``) and the ``Z``
    one ring of ``K * J * I`` (``Z_{I+1,j,k} = Z_{1,j+1,k}``). ``b`` and ``d``
    set the amplitude ratios, ``c`` and ``e`` the time-scale ratios between
    tiers, ``h`` the coupling (``h = 0`` leaves ``X`` a single-scale Lorenz96).
    T. Thornes, P. Dueben & T. Palmer, Q. J. R. Meteorol. Soc. 143, 897 (2017).

    Parameters
    ----------
    n_steps : int
        Samples returned (>= 1).
    dt : float, default=0.005
        Sampling step, model time units (the paper's RK4 step; the fast tiers
        need it).
    K, J, I : int, default=8
        Variables per tier (``K >= 4``).
    forcing, b, c, d, e, h, g_z : float
        ``F = 20, b = c = d = e = 10, h = 1, g_Z = 1`` as in the paper.
    transient : int, default=2000
        Samples integrated and discarded (10 time units by default).
    substeps : int, default=1
        RK4 steps per sample.
    initial_state : tuple of array_like (X, Y, Z), optional
        Shapes ``(K,)``, ``(K, J)``, ``(K, J, I)``; by default N(0, 1),
        N(0, 0.1^2) and N(0, 0.01^2) noise.
    random_state : int, numpy.random.Generator or None
        Seed of the random initial state.
    return_all : bool, default=False
        Return all three tiers instead of ``X`` only.

    Returns
    -------
    X : ndarray of float64, shape (n_steps, K)
        When ``return_all`` is False.
    (X, Y, Z) : tuple of ndarray of float64
        When ``return_all`` is True; shapes ``(n_steps, K)``, ``(n_steps, K, J)``
        and ``(n_steps, K, J, I)`` (``Y[t, k, j]`` is ``Y_{j,k}``).
    """
    owner = "multiscale_lorenz96"
    n_steps, dt, transient, substeps = _check_run(owner, n_steps, dt, transient, substeps)
    K = _check_int(owner, "K", K, 4)
    J, I = _check_int(owner, "J", J, 1), _check_int(owner, "I", I, 1)
    params = {k: _check_real(owner, k, v) for k, v in
              (("forcing", forcing), ("b", b), ("c", c), ("d", d), ("e", e), ("h", h),
               ("g_z", g_z))}
    state = _multiscale_start(owner, initial_state, K, J, I, random_state)
    advance = _rk4_arrays(_multiscale_rhs(K, J, I, **params), dt / substeps, substeps)
    out = _trajectory(owner, advance, state, n_steps, transient,
                      n_keep=state.size if return_all else K)
    if not return_all:
        return out
    return (out[:, :K], out[:, K:K + K * J].reshape(n_steps, K, J),
            out[:, K + K * J:].reshape(n_steps, K, J, I))


# ----------------------------------------------------------------- Mackey-Glass
def _hermite_stage(offset, delay_steps, h):
    """Where and how to read ``x`` at ``k + offset - delay_steps`` (in steps).

    Returns the first node relative to ``k`` and the cubic Hermite weights of
    ``x_j, x'_j, x_{j+1}, x'_{j+1}`` (derivative weights times ``h``).
    """
    position = offset - delay_steps
    node = math.floor(position)
    s = position - node
    s2, s3 = s * s, s * s * s
    return node, 2 * s3 - 3 * s2 + 1, (s3 - 2 * s2 + s) * h, 3 * s2 - 2 * s3, (s3 - s2) * h


def _mackey_glass_path(x_init, h, n_total, delay_steps, beta, gamma, n):
    """``x(k h)`` for ``k = 0..n_total`` from the constant history ``x_init``.

    RK4 with the delayed values read from the stored path and its stored
    derivatives by cubic Hermite interpolation (fourth order, and never across
    the kink at ``t = 0``). Needs ``delay_steps >= 3`` so every node it reads
    is already computed.
    """
    stages = [_hermite_stage(offset, delay_steps, h) for offset in (0.0, 0.5, 1.0)]
    xs, slopes = [], []  # x(k h) and dx/dt at k h (from the right)

    def delayed(k, stage):
        node, a, b, c, d = stage
        j = k + node
        if j < 0:  # the whole interval lies in the constant history
            return x_init
        return a * xs[j] + b * slopes[j] + c * xs[j + 1] + d * slopes[j + 1]

    def f(x, x_tau):
        return beta * x_tau / (1.0 + x_tau ** n) - gamma * x

    half, sixth = 0.5 * h, h / 6.0
    x = x_init
    for k in range(n_total):
        k1 = f(x, delayed(k, stages[0]))
        xs.append(x)
        slopes.append(k1)
        x_half = delayed(k, stages[1])
        k2 = f(x + half * k1, x_half)
        k3 = f(x + half * k2, x_half)
        k4 = f(x + h * k3, delayed(k, stages[2]))
        x = x + sixth * (k1 + 2.0 * (k2 + k3) + k4)
    xs.append(x)
    return xs


def mackey_glass(n_steps, dt=DEFAULT_DT["mackey_glass"],
                 *, tau=17.0, beta=0.2, gamma=0.1, n=10, x0=1.2, transient=1000,
                 substeps=10, initial_state=None, random_state=None):
    """The Mackey-Glass (1977) delay differential equation, sampled every ``dt``.

    ``dx/dt = beta x(t - tau) / (1 + x(t - tau)^n) - gamma x(t)``, from a
    constant history ``x(t) = x_init`` for ``t <= 0``. Integrated with RK4 at
    step ``dt / substeps``; the delayed value at each RK4 stage is read from
    the stored path by cubic Hermite interpolation between the two nearest
    grid points, with the slopes RK4 already computed there (fourth-order
    accurate, like the RK4 step; the kink of the solution at ``t = 0`` is
    never interpolated across).

    Parameters
    ----------
    n_steps : int
        Samples returned (>= 1).
    dt : float, default=1.0
        Sampling step, model time units (the usual sampling of this series).
    tau : float, default=17.0
        Delay; chaotic for ``tau`` above about 16.8. At least 3 RK4 steps; a
        multiple of the RK4 step keeps full fourth-order accuracy (the jumps in
        the derivatives of ``x`` at multiples of ``tau`` then fall on steps).
    beta, gamma, n : float
        Production gain, decay rate and Hill exponent.
    x0 : float, default=1.2
        Centre of the random initial history.
    transient : int, default=1000
        Samples integrated and discarded (1000 time units by default).
    substeps : int, default=10
        RK4 steps per sample (step 0.1 by default).
    initial_state : float, optional
        The constant history ``x_init``; by default ``x0`` plus U(-0.1, 0.1) noise.
    random_state : int, numpy.random.Generator or None
        Seed of the random initial history.

    Returns
    -------
    ndarray of float64, shape (n_steps, 1)
    """
    owner = "mackey_glass"
    n_steps, dt, transient, substeps = _check_run(owner, n_steps, dt, transient, substeps)
    tau = _check_real(owner, "tau", tau, 0.0, strict=True)
    beta, gamma, n = (_check_real(owner, k, v) for k, v in
                      (("beta", beta), ("gamma", gamma), ("n", n)))
    x0 = _check_real(owner, "x0", x0, 0.0, strict=True)
    h = dt / substeps
    rng = _rng(owner, random_state)
    if tau / h < 3:
        raise ValueError(f"The delay tau={tau} must span at least 3 RK4 steps of "
                         f"dt / substeps = {h}; use a smaller 'dt' or more 'substeps'.")
    if initial_state is None:
        x_init = x0 + rng.uniform(-0.1, 0.1)
    else:
        x_init = _check_real(owner, "initial_state", initial_state, 0.0, strict=True)
    n_total = (transient + n_steps - 1) * substeps
    path = _mackey_glass_path(float(x_init), h, n_total, tau / h, beta, gamma, n)
    out = np.array(path[transient * substeps::substeps], dtype=np.float64)[:, None]
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{owner} diverged (non-finite values): use a smaller 'dt'.")
    return out


# ----------------------------------------------------------------- NARMA
def narma(n_steps, order=10, *, random_state=None):
    """Inputs and output of the NARMA task (Atiya & Parlos 2000).

    ``u(t) ~ U(0, 0.5)`` i.i.d. and, for ``t >= order - 1``,
    ``y(t+1) = 0.3 y(t) + 0.05 y(t) sum_{i=0}^{order-1} y(t-i)
    + 1.5 u(t - order + 1) u(t) + 0.1``, with ``y(0..order-1) = 0``.
    The task: read ``u`` up to ``t`` and output ``y(t+1)`` (or ``y(t)`` from
    ``u`` up to ``t - 1``). Orders well above 10 can diverge.

    Parameters
    ----------
    n_steps : int
        Length of both series (> order).
    order : int, default=10
        The memory of the system (NARMA-10 by default).
    random_state : int, numpy.random.Generator or None
        Seed of the inputs.

    Returns
    -------
    u : ndarray of float64, shape (n_steps, 1)
        Inputs.
    y : ndarray of float64, shape (n_steps, 1)
        Outputs; ``y[t]`` depends on ``u[:t]`` only.
    """
    owner = "narma"
    order = _check_int(owner, "order", order, 1)
    n_steps = _check_int(owner, "n_steps", n_steps, order + 1)
    u = _rng(owner, random_state).uniform(0.0, 0.5, n_steps)
    us, y = u.tolist(), [0.0] * n_steps
    for t in range(order - 1, n_steps - 1):
        y[t + 1] = (0.3 * y[t] + 0.05 * y[t] * sum(y[t - order + 1:t + 1])
                    + 1.5 * us[t - order + 1] * us[t] + 0.1)
    y = np.array(y)
    if not np.all(np.isfinite(y)):
        raise ValueError(f"NARMA-{order} diverged for this random_state; try another seed "
                         "or a lower order.")
    return u[:, None], y[:, None]


# ----------------------------------------------------------------- registry
SYSTEMS = {
    "lorenz63": lorenz63,
    "rossler": rossler,
    "lorenz96": lorenz96,
    "multiscale_lorenz96": multiscale_lorenz96,
    "mackey_glass": mackey_glass,
}


def load_system(name, n_steps, **params):
    """Generate ``n_steps`` samples of the system called ``name``.

    Parameters
    ----------
    name : str
        A key of :data:`SYSTEMS`.
    n_steps : int
        Samples returned.
    **params
        Keyword arguments of that system's function (``dt``, ``random_state``, ...).

    Returns
    -------
    ndarray of float64, shape (n_steps, n_dims)
        What the system's function returns.
    """
    if not isinstance(name, str) or name not in SYSTEMS:
        raise ValueError(f"Unknown system {name!r}; known systems: "
                         f"{', '.join(repr(k) for k in SYSTEMS)}.")
    return SYSTEMS[name](n_steps, **params)
