"""Noise pruning of synapses (LNP Eq. 14-16, after Moore & Chaudhuri 2020).

The linearised rate network of a :class:`~hrsnn.network.Network` is

    dr/dt = A r + sigma xi,    A = diag(1 / tau) (L^T - I)

(rate convention: ``A[i, j]`` is the coupling from ``j`` to ``i``; ``L`` the
Lyapunov matrix in the ``W[pre, post]`` orientation, or the weights
themselves; ``tau`` the membrane time constants, ms). Its stationary
covariance ``C`` solves ``A C + C A^T + sigma^2 I = 0``. Every off-diagonal
entry (synapse) is kept with probability

    p_ij ∝ |A_ij| (C_ii + C_jj - 2 sign(A_ij) C_ij),

scaled so that the expected number kept is ``density`` times the synapse
count, clipped at 1 (the scale is found by bisection so that clipping does
not lower the expected count); kept entries are divided by ``p_ij`` (so
``E[A~] = A``), and the diagonal is compensated,
``A~_ii = A_ii + sum_j |A_ij| - sum_j |A~_ij|``, so that every neuron keeps
its total coupling magnitude on average. In the network this means: kept
synapses have their weights divided by ``p``; a neuron's compensated
diagonal ``A~_ii = -1 / tau~_i`` is a new membrane time constant, clipped to
``tau_bounds`` (the upper bound when the compensation makes the diagonal
non-negative).

The compensation can cost stability: a slow neuron (small ``1 / tau``) that
loses more coupling than it gains gets a diagonal near zero. With the
default weights (``w_scale=0.02``) the pruned 300-neuron network stays
stable and noise pruning moves the covariance less than uniform random
pruning at every density (``tests/test_pruning.py``); five times stronger
weights leave ``A`` barely stable, and some pruned draws are not.

Beyond :data:`EXACT_COVARIANCE_MAX` neurons the dense solve (O(N^3) time,
O(N^2) memory) gives way to :func:`sampled_covariance_entries`, which
estimates only the entries the synapses need from a simulated trajectory.

Signs never change (Dale's law holds). A plastic weight rescaled above the
network's STDP bound ``w_max`` is clipped to it (``clipped`` counts them), so
the STDP rule keeps its meaning.
"""

from dataclasses import dataclass

import numpy as np
from scipy import linalg, sparse

from .._validation import check_number


@dataclass(frozen=True)
class NoisePruning:
    """The result of :func:`noise_prune`.

    Attributes
    ----------
    network : Network
        The pruned network (the input is untouched); ids map back to it.
    keep_probability : ndarray of shape (n_synapses,)
        ``p`` of every synapse of the original network.
    kept : ndarray of bool, shape (n_synapses,)
        Which were kept.
    clipped : int
        Kept plastic weights clipped to ``w_max`` after rescaling.
    """

    network: object
    keep_probability: np.ndarray
    kept: np.ndarray
    clipped: int


def rate_matrix(tau, coupling, n):
    """``A = diag(1 / tau) (coupling^T - I)`` as a dense array.

    Parameters
    ----------
    tau : ndarray of shape (n,)
        Time constants, ms.
    coupling : sparse array of shape (n, n)
        ``W[pre, post]`` orientation.
    n : int

    Returns
    -------
    ndarray of shape (n, n)
        ``A[post, pre]``, per ms.
    """
    a = sparse.csr_array(coupling).T.toarray() - np.eye(n)
    return a / np.asarray(tau, dtype=np.float64)[:, None]


def stationary_covariance(a, sigma=1.0):
    """``C`` with ``A C + C A^T + sigma^2 I = 0`` (scipy's Bartels-Stewart solver).

    Stability is checked on the solution: by Lyapunov's theorem ``A`` is
    stable exactly when the solution is positive definite, which a Cholesky
    factorisation tells at a fraction of the cost of the eigenvalues.

    Raises
    ------
    ValueError
        If ``A`` is not stable: the noise-driven linear network then has no
        stationary covariance.
    """
    check_number("stationary_covariance", "sigma", sigma, "float", 0.0, low_open=True)
    c = linalg.solve_continuous_lyapunov(a, -sigma ** 2 * np.eye(a.shape[0]))
    c = 0.5 * (c + c.T)
    try:
        np.linalg.cholesky(c)
    except np.linalg.LinAlgError:
        raise ValueError("The linearised network is unstable (the Lyapunov equation has no "
                         "positive definite solution, so A has an eigenvalue with real part "
                         ">= 0): it has no stationary covariance. Lower the weights' gain or "
                         "prune a stable network.") from None
    if not np.all(np.isfinite(c)):
        raise ValueError("The stationary covariance is not finite: A is (nearly) unstable.")
    return c


def keep_probabilities(a_entries, c_pre, c_post, c_cross, density):
    """``p`` of every entry: ``|A_ij| (C_ii + C_jj - 2 sign(A_ij) C_ij)``, scaled, clipped.

    Parameters
    ----------
    a_entries : ndarray of shape (n_synapses,)
        ``A_ij`` of every synapse (``i`` post, ``j`` pre).
    c_pre, c_post, c_cross : ndarray of shape (n_synapses,)
        ``C_jj``, ``C_ii`` and ``C_ij``.
    density : float
        Target fraction of synapses kept, in (0, 1].

    Returns
    -------
    ndarray of shape (n_synapses,)
        In [0, 1], summing to ``density * n_synapses`` (unless fewer
        entries have a positive score).
    """
    check_number("keep_probabilities", "density", density, "float", 0.0, 1.0, low_open=True)
    score = np.abs(a_entries) * (c_pre + c_post - 2.0 * np.sign(a_entries) * c_cross)
    score = np.clip(score, 0.0, None)              # >= 0 up to rounding for a PSD C
    target = density * score.size
    if (score > 0).sum() <= target:
        return (score > 0).astype(float)
    low, high = 0.0, target / score[score > 0].min()
    for _ in range(200):                           # sum(min(1, s * x)) = target
        middle = 0.5 * (low + high)
        low, high = (middle, high) if np.minimum(1.0, score * middle).sum() < target \
            else (low, middle)
    return np.minimum(1.0, score * high)


def sparsify(a, density, *, sigma=1.0, probabilities=None, random_state=0):
    """Noise-prune the off-diagonal entries of a stable matrix ``A`` (Moore & Chaudhuri).

    Parameters
    ----------
    a : ndarray of shape (n, n)
        ``A[post, pre]``, stable.
    density : float
        Expected fraction of the nonzero off-diagonal entries kept.
    sigma : float, default=1.0
    probabilities : ndarray of shape (n_entries,) or None
        Keep probabilities of the nonzero off-diagonal entries (row-major
        order); None computes them from the covariance (``p_ij`` above). A
        uniform ``density`` here gives the random-pruning baseline.
    random_state : int or Generator, default=0

    Returns
    -------
    a_pruned : ndarray of shape (n, n)
        Kept entries divided by ``p``, the diagonal compensated.
    p : ndarray of shape (n_entries,)
    kept : ndarray of bool, shape (n_entries,)
    """
    rows, cols = np.nonzero(a - np.diag(np.diag(a)))
    if probabilities is None:
        probabilities = _probabilities(a, rows, cols, density, sigma)
    scale, kept, diagonal = _draw(np.diag(a), rows, a[rows, cols], probabilities,
                                  random_state)
    pruned = np.diag(diagonal)
    pruned[rows, cols] = a[rows, cols] * scale
    return pruned, probabilities, kept


def relative_covariance_error(a, a_pruned, sigma=1.0):
    """``||C~ - C||_2 / ||C||_2``: how far pruning moved the stationary covariance."""
    c = stationary_covariance(a, sigma)
    return float(np.linalg.norm(stationary_covariance(a_pruned, sigma) - c, 2)
                 / np.linalg.norm(c, 2))


#: Largest network whose covariance ``covariance="auto"`` solves exactly.
EXACT_COVARIANCE_MAX = 3000


def noise_prune(network, density, *, coupling=None, sigma=1.0, tau_bounds=(1.0, 1000.0),
                covariance="auto", sampled_ms=100_000.0, random_state=0):
    """Prune the synapses of ``network`` by noise pruning (see the module docstring).

    Parameters
    ----------
    network : Network
    density : float
        Expected fraction of synapses kept, in (0, 1].
    coupling : ndarray of shape (n_synapses,) or None
        Per-synapse entries that stand for the weights in ``A`` (the Lyapunov
        matrix, :func:`hrsnn.pruning.lyapunov_matrix`); None uses the weights.
        Kept synapses keep their own weights, divided by ``p``.
    sigma : float, default=1.0
        Noise amplitude (``p`` does not depend on it).
    tau_bounds : (float, float), default=(1.0, 1000.0)
        Range of the compensated membrane time constants, ms.
    covariance : {"auto", "exact", "sampled"}, default="auto"
        How the covariance entries the synapses need (``C_ii``, ``C_jj``,
        ``C_ij``) are found: ``"exact"`` solves the dense Lyapunov equation
        (O(N^3) time, O(N^2) memory); ``"sampled"`` estimates only those
        entries from a simulated noise-driven trajectory of the linear
        network (:func:`sampled_covariance_entries`; O(N + synapses) memory);
        ``"auto"`` is exact up to :data:`EXACT_COVARIANCE_MAX` neurons.
    sampled_ms : float, default=100000.0
        Length of the sampled trajectory, ms (its relative error is about
        ``sqrt(2 tau_max / sampled_ms)``).
    random_state : int or Generator, default=0
        Seed of the independent keep draws (and of the sampled trajectory).

    Returns
    -------
    NoisePruning

    Raises
    ------
    ValueError
        If ``coupling`` does not match the synapses, or the linearised
        network is unstable.
    """
    from .._validation import check_choice
    check_choice("noise_prune", "covariance", covariance, ("auto", "exact", "sampled"))
    coupling = network.weight if coupling is None else np.asarray(coupling, dtype=np.float64)
    if coupling.shape != (network.n_synapses,) or not np.all(np.isfinite(coupling)):
        raise ValueError(f"'coupling' must be {network.n_synapses} finite numbers (one per "
                         f"synapse); got shape {coupling.shape}.")
    if np.any(network.pre == network.post):
        raise ValueError("noise_prune() needs a network without self-synapses (the diagonal "
                         "of A is each neuron's leak).")
    rng = np.random.default_rng(random_state)
    pre, post, tau = network.pre, network.post, network.tau_m
    a_entries, diagonal = coupling / tau[post], -1.0 / tau
    exact = covariance == "exact" or (covariance == "auto"
                                      and network.n_neurons <= EXACT_COVARIANCE_MAX)
    if exact:
        n = network.n_neurons
        a = rate_matrix(tau, sparse.coo_array((coupling, (pre, post)), shape=(n, n)), n)
        c = stationary_covariance(a, sigma)
        entries = c[pre, pre], c[post, post], c[post, pre]
    else:
        entries = sampled_covariance_entries(tau, coupling, pre, post, sigma=sigma,
                                             duration_ms=sampled_ms, random_state=rng)
    p = keep_probabilities(a_entries, *entries, density)
    scale, kept, diagonal = _draw(diagonal, post, a_entries, p, rng)
    weight = network.weight * scale
    too_big = kept & network.plastic & (weight > network.w_max)
    weight[too_big] = network.w_max
    tau = np.where(diagonal < 0, -1.0 / np.where(diagonal < 0, diagonal, -1.0), np.inf)
    tau = np.clip(tau, *tau_bounds)
    pruned = network.with_weights(weight).with_neuron_params(tau_m=tau).keep_synapses(kept)
    return NoisePruning(pruned, p, kept, int(too_big.sum()))


def sampled_covariance_entries(tau, coupling, pre, post, *, sigma=1.0, duration_ms=100_000.0,
                               dt=1.0, burn_in_ms=None, random_state=0):
    """``C_jj``, ``C_ii`` and ``C_ij`` of every synapse ``j -> i``, from a simulation.

    The linear network ``dr/dt = A r + sigma xi`` with ``A = diag(1/tau)
    (W^T - I)`` is stepped with the leak integrated exactly and the
    coupling explicitly (``r <- e^(-dt/tau) r + dt (W^T r) / tau +
    sigma sqrt(tau (1 - e^(-2 dt/tau)) / 2) xi``), after a burn-in of
    ``5 max(tau)``; the second moments of the pairs that synapses join are
    averaged over the run. Only ``O(N + synapses)`` memory is used.

    Parameters
    ----------
    tau : ndarray of shape (n,)
        Membrane time constants, ms.
    coupling : ndarray of shape (n_synapses,)
        ``W`` entries (pre -> post).
    pre, post : ndarray of int, shape (n_synapses,)
    sigma : float, default=1.0
    duration_ms : float, default=100000.0
        Averaged time, ms.
    dt : float, default=1.0
        Step, ms.
    burn_in_ms : float or None
        Default ``5 max(tau)``.
    random_state : int or Generator, default=0

    Returns
    -------
    c_pre, c_post, c_cross : ndarray of shape (n_synapses,)

    Raises
    ------
    ValueError
        If the trajectory diverges (the linear network is unstable).
    """
    check_number("sampled_covariance_entries", "duration_ms", duration_ms, "float", 0.0,
                 low_open=True)
    tau = np.asarray(tau, dtype=np.float64)
    n = tau.size
    incoming = sparse.csr_array((coupling, (post, pre)), shape=(n, n))
    leak = np.exp(-dt / tau)
    kick = sigma * np.sqrt(tau * (1.0 - leak ** 2) / 2.0)
    rng = np.random.default_rng(random_state)
    burn_in = int(np.ceil((5 * tau.max() if burn_in_ms is None else burn_in_ms) / dt))
    n_avg = int(np.ceil(duration_ms / dt))
    r = np.zeros(n)
    square, cross = np.zeros(n), np.zeros(len(pre))
    for step in range(burn_in + n_avg):
        r = leak * r + dt * (incoming @ r) / tau + kick * rng.standard_normal(n)
        if not np.abs(r).max() < 1e100:                  # NaN fails too
            raise ValueError("The sampled linear network diverged: it is unstable and has no "
                             "stationary covariance.")
        if step >= burn_in:
            square += r * r
            cross += r[post] * r[pre]
    variance = square / n_avg
    return variance[pre], variance[post], cross / n_avg


def _probabilities(a, rows, cols, density, sigma):
    c = stationary_covariance(a, sigma)
    return keep_probabilities(a[rows, cols], c[cols, cols], c[rows, rows], c[rows, cols],
                              density)


def _draw(diagonal, rows, values, p, random_state):
    """Independent keep draws; per-entry factor (1/p or 0), kept mask, compensated diagonal."""
    kept = np.random.default_rng(random_state).random(p.size) < p
    scale = np.where(kept, 1.0 / np.where(kept, p, 1.0), 0.0)
    n = diagonal.size
    lost = np.bincount(rows, np.abs(values), n) - np.bincount(rows, np.abs(values * scale), n)
    return scale, kept, diagonal + lost
