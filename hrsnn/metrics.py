"""Metrics of the papers: forecast error, VPT, effective rank, memory capacity, spikes.

Plain arrays in, numbers out. Nothing here runs a network: feed the functions
the states, spike lists and counts that :class:`~hrsnn.simulator.Simulator` or
:class:`~hrsnn.reservoir.Reservoir` recorded.

* Forecasting: :func:`nrmse`, :func:`nrmse_per_step`, :func:`valid_prediction_time`.
* Separation: :func:`effective_rank` of a final-state matrix.
* Memory: :func:`memory_capacity` with the input of :func:`memory_capacity_input`.
* Activity and energy: :func:`spike_count`, :func:`average_activation`,
  :func:`spike_efficiency`, :func:`synaptic_operations`,
  :func:`synaptic_operations_from_counts`,
  :func:`synaptic_operations_ratio`.
* Diversity: :func:`heterogeneity`, the log-determinant of a parameter covariance.
"""

from dataclasses import dataclass
from typing import NamedTuple, Optional

import numpy as np
from sklearn.linear_model import Ridge, RidgeCV

from ._validation import check_number

__all__ = [
    "MemoryCapacity", "RIDGE_ALPHAS", "VPT", "average_activation", "effective_rank", "heterogeneity",
    "memory_capacity", "memory_capacity_input", "memory_capacity_test_start", "nrmse", "nrmse_per_step",
    "spike_count", "spike_efficiency", "synaptic_operations",
    "synaptic_operations_from_counts", "synaptic_operations_ratio", "valid_prediction_time",
]

#: The one grid of ridge penalties in hrsnn: half decades from 1e-6 to 1e5.
#: Readouts that select their penalty by (generalised) leave-one-out
#: cross-validation search all of it (memory capacity, the autoregressive
#: baseline, the classifiers); a closed-loop selection, which costs a forecast
#: per penalty, searches its decades 0.01 .. 1000 (``readout.FORECAST_ALPHAS``).
RIDGE_ALPHAS = tuple(float(f"{10.0 ** (k / 2):.15g}") for k in range(-12, 11))


# ---------------------------------------------------------------- helpers
def _as_2d(name, values, owner, shape="(n_steps, n_vars)"):
    """``values`` as a 2-D float array; 1-D means one column."""
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2 or arr.shape[0] == 0:
        raise ValueError(f"The '{name}' argument of {owner} must be a non-empty array of "
                         f"shape {shape} (1-D for one column). Got shape "
                         f"{np.shape(values)} instead.")
    return arr


def _check_finite(name, arr, owner):
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"The '{name}' argument of {owner} contains NaN or infinite values.")


def _scaled_error(y_true, y_pred, scale, owner):
    """((y_pred - y_true) / scale), shape (n_steps, n_vars), after checking shapes."""
    y_true = _as_2d("y_true", y_true, owner)
    y_pred = _as_2d("y_pred", y_pred, owner)
    if y_pred.shape != y_true.shape:
        raise ValueError(f"'y_true' and 'y_pred' of {owner} must have the same shape. "
                         f"Got {y_true.shape} and {y_pred.shape} instead.")
    _check_finite("y_true", y_true, owner)
    if scale is None:
        scale = y_true.std(axis=0)
        if np.any(scale == 0):
            raise ValueError(f"'y_true' of {owner} is constant in variable(s) "
                             f"{np.flatnonzero(scale == 0).tolist()}, so its standard "
                             "deviation cannot normalise the error; pass 'scale' "
                             "(e.g. the long-term std of the system).")
    scale = np.asarray(scale, dtype=float)
    if scale.ndim > 1 or scale.size not in (1, y_true.shape[1]):
        raise ValueError(f"The 'scale' argument of {owner} must be a scalar or have shape "
                         f"({y_true.shape[1]},). Got shape {scale.shape} instead.")
    if not np.all(np.isfinite(scale) & (scale > 0)):
        raise ValueError(f"The 'scale' argument of {owner} must be positive and finite. "
                         f"Got {scale!r} instead.")
    return (y_pred - y_true) / scale


# ---------------------------------------------------------------- forecasting
def nrmse_per_step(y_true, y_pred, scale=None):
    """Normalised root-mean-square error at every step.

    ``e(t) = sqrt(mean_d(((y_pred[t, d] - y_true[t, d]) / scale[d]) ** 2))``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_steps,) or (n_steps, n_vars)
        Target and forecast, in the units of the system. ``y_pred`` may hold
        NaN or infinite values (a diverged forecast); they propagate.
    scale : float or array-like of shape (n_vars,), optional
        Per-variable normaliser, same units as ``y``. Pass the long-term
        standard deviation of the system (e.g. of the training series); the
        default, the standard deviation of ``y_true`` per variable, is a poor
        estimate for short forecast windows.

    Returns
    -------
    ndarray of shape (n_steps,)
        Dimensionless error per step.
    """
    err = _scaled_error(y_true, y_pred, scale, "nrmse_per_step()")
    return np.sqrt(np.mean(err ** 2, axis=1))


def nrmse(y_true, y_pred, *, scale=None):
    """Normalised root-mean-square error over all steps and variables.

    ``sqrt(mean_{t, d}(((y_pred[t, d] - y_true[t, d]) / scale[d]) ** 2))``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_steps,) or (n_steps, n_vars)
        Target and forecast.
    scale : float or array-like of shape (n_vars,), optional
        Per-variable normaliser; default: the standard deviation of ``y_true``
        per variable (see :func:`nrmse_per_step`).

    Returns
    -------
    float
        Dimensionless error.
    """
    err = _scaled_error(y_true, y_pred, scale, "nrmse()")
    return float(np.sqrt(np.mean(err ** 2)))


class VPT(NamedTuple):
    """Valid prediction time, returned by :func:`valid_prediction_time`.

    Attributes
    ----------
    steps : int
        Number of leading steps whose NRMSE stays within the threshold (the
        index of the first step that exceeds it; ``n_steps`` if none does).
    time : float or None
        ``steps * dt``, in the units of ``dt``; None if ``dt`` was not given.
    lyapunov_times : float or None
        ``steps * dt * lyapunov_exponent``, dimensionless; None unless both
        ``dt`` and ``lyapunov_exponent`` were given.
    """

    steps: int
    time: Optional[float]
    lyapunov_times: Optional[float]


def valid_prediction_time(y_true, y_pred, *, threshold=0.1, scale=None, dt=None,
                          lyapunov_exponent=None):
    """Steps (and time, Lyapunov times) before the forecast error exceeds ``threshold``.

    Parameters
    ----------
    y_true, y_pred : array-like of shape (n_steps,) or (n_steps, n_vars)
        Target and forecast, step 0 being the first forecast step.
    threshold : float, default 0.1
        Error level ``epsilon`` (the paper's 0.1); a step is invalid when
        :func:`nrmse_per_step` is strictly greater, or NaN.
    scale : float or array-like of shape (n_vars,), optional
        Per-variable normaliser; give the long-term std of the system.
        Default: the std of ``y_true`` per variable.
    dt : float, optional
        Time between steps (e.g. model time units of the Lorenz system).
    lyapunov_exponent : float, optional
        Largest Lyapunov exponent, per unit of ``dt`` (Lorenz63: about 0.906).
        Needs ``dt``.

    Returns
    -------
    VPT
        Named tuple ``(steps, time, lyapunov_times)``.
    """
    owner = "valid_prediction_time()"
    check_number(owner, "threshold", threshold, low=0.0)
    check_number(owner, "dt", dt, low=0.0, low_open=True, allow_none=True)
    check_number(owner, "lyapunov_exponent", lyapunov_exponent, low=0.0, low_open=True,
                 allow_none=True)
    if lyapunov_exponent is not None and dt is None:
        raise ValueError(f"{owner} needs 'dt' to convert steps into Lyapunov times.")
    err = nrmse_per_step(y_true, y_pred, scale)
    invalid = np.flatnonzero(~(err <= threshold))
    steps = int(invalid[0]) if invalid.size else err.size
    time = None if dt is None else steps * float(dt)
    lyap = None if lyapunov_exponent is None else time * float(lyapunov_exponent)
    return VPT(steps, time, lyap)


# ---------------------------------------------------------------- separation
def effective_rank(states, *, energy=0.99):
    """Number of singular values holding ``energy`` of their sum.

    The smallest ``k`` with ``sum_{i<=k} sigma_i >= energy * sum_i sigma_i``
    (singular values sorted in decreasing order). Singular values below
    numerical noise (``sigma_max * max(shape) * eps``, as in
    :func:`numpy.linalg.matrix_rank`) count as zero, so ``energy=1`` gives
    the numerical rank.

    Parameters
    ----------
    states : array-like of shape (n_stimuli, n_neurons)
        Final-state matrix, one row per stimulus (the paper puts stimuli in
        columns; the rank of the transpose is the same).
    energy : float in (0, 1], default 0.99
        Fraction of the singular-value sum to capture.

    Returns
    -------
    int
        Effective rank; 0 for an all-zero (or empty) matrix.
    """
    owner = "effective_rank()"
    check_number(owner, "energy", energy, low=0.0, high=1.0, low_open=True)
    states = np.asarray(states, dtype=float)
    if states.ndim != 2:
        raise ValueError(f"The 'states' argument of {owner} must be a 2-D array of shape "
                         f"(n_stimuli, n_neurons). Got shape {states.shape} instead.")
    _check_finite("states", states, owner)
    if states.size == 0:
        return 0
    sigma = np.linalg.svd(states, compute_uv=False)
    rel_tol = max(states.shape) * np.finfo(float).eps
    sigma = np.where(sigma > sigma[0] * rel_tol, sigma, 0.0)
    total = sigma.sum()
    if total == 0:
        return 0
    # The tolerance keeps rounding in the sum from breaking exact ties.
    needed = energy * total * (1.0 - rel_tol)
    return int(np.searchsorted(np.cumsum(sigma), needed, side="left") + 1)


# ---------------------------------------------------------------- memory
@dataclass(frozen=True)
class MemoryCapacity:
    """Result of :func:`memory_capacity`.

    Attributes
    ----------
    total : float
        ``MC = sum_k MC_k``, in units of delays (at most ``k_max``).
    per_delay : ndarray of shape (k_max,)
        ``MC_k`` in [0, 1] for every delay.
    delays : ndarray of int, shape (k_max,)
        The delays ``1 .. k_max``, in input steps.
    """

    total: float
    per_delay: np.ndarray
    delays: np.ndarray


def memory_capacity_input(n_steps, random_state=None):
    """I.i.d. input ``u ~ U(-0.5, 0.5)`` for :func:`memory_capacity`.

    Parameters
    ----------
    n_steps : int
        Length of the sequence, in input steps.
    random_state : int, numpy.random.Generator or None
        Seed or generator.

    Returns
    -------
    ndarray of shape (n_steps,)
    """
    check_number("memory_capacity_input()", "n_steps", n_steps, kind="int", low=1)
    return np.random.default_rng(random_state).uniform(-0.5, 0.5, size=n_steps)


def _lagged(inputs, delays, rows):
    """Targets ``inputs[t - k]`` for ``t`` in ``rows`` and ``k`` in ``delays``."""
    return inputs[rows[:, None] - delays[None, :]]


def _centred(x):
    """Columns minus their means, zeroed where a column is constant up to rounding."""
    centred = x - x.mean(axis=0)
    noise = x.shape[0] * np.finfo(float).eps * np.abs(x).max(axis=0, initial=0.0)
    return np.where(np.abs(centred).max(axis=0) <= noise, 0.0, centred)


def _squared_correlation(a, b):
    """Column-wise squared Pearson correlation; 0 where either column is constant."""
    a, b = _centred(a), _centred(b)
    denom = (a ** 2).sum(axis=0) * (b ** 2).sum(axis=0)
    cov = (a * b).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(denom > 0, cov ** 2 / denom, 0.0)
    return np.clip(r2, 0.0, 1.0)


def memory_capacity(states, inputs, *, k_max=50, washout=0, test_fraction=0.3,
                    alpha=RIDGE_ALPHAS):
    """Linear memory capacity: how well ridge readouts recall past inputs.

    Row ``t`` of ``states`` is the reservoir state at the end of input step
    ``t`` (after ``inputs[t]`` was fed). For every delay ``k = 1 .. k_max`` a
    ridge readout with intercept maps ``states[t]`` to ``inputs[t - k]``; it is
    trained on the first ``floor((1 - test_fraction) * n_usable)`` usable
    rows and scored on the rest by ``MC_k = corr(inputs[t - k], y_k(t)) ** 2``. The usable
    rows are ``t >= max(washout, k_max)``, the same for every delay, so one
    multi-output ridge fit serves all delays.

    Parameters
    ----------
    states : array-like of shape (n_steps, n_features)
        Reservoir states (e.g. filtered spike trains), one row per input step.
    inputs : array-like of shape (n_steps,)
        The scalar i.i.d. input that drove the reservoir (see
        :func:`memory_capacity_input`).
    k_max : int, default 50
        Largest delay, in input steps.
    washout : int, default 0
        Leading steps dropped as transient.
    test_fraction : float in (0, 1), default 0.3
        Share of the usable rows held out for scoring.
    alpha : float or sequence of float, default RIDGE_ALPHAS
        Ridge penalty. A sequence selects one penalty per delay by efficient
        leave-one-out cross-validation on the training rows
        (:class:`sklearn.linear_model.RidgeCV`).

    Returns
    -------
    MemoryCapacity
        ``total``, ``per_delay`` of shape (k_max,) and ``delays``.

    Notes
    -----
    A readout whose held-out prediction is constant (up to rounding) scores
    ``MC_k = 0`` instead of NaN. On a finite test set a delay the reservoir has
    forgotten still scores about ``1 / n_test`` by chance, so ``total`` has a
    positive bias of about ``k_max / n_test``.
    """
    owner = "memory_capacity()"
    check_number(owner, "k_max", k_max, kind="int", low=1)
    check_number(owner, "washout", washout, kind="int", low=0)
    check_number(owner, "test_fraction", test_fraction, low=0.0, high=1.0, low_open=True)
    states = np.asarray(states, dtype=float)
    inputs = np.asarray(inputs, dtype=float)
    if states.ndim != 2:
        raise ValueError(f"The 'states' argument of {owner} must be a 2-D array of shape "
                         f"(n_steps, n_features). Got shape {states.shape} instead.")
    if inputs.ndim == 2 and inputs.shape[1] == 1:
        inputs = inputs[:, 0]
    if inputs.shape != states.shape[:1]:
        raise ValueError(f"The 'inputs' argument of {owner} must have shape "
                         f"({states.shape[0]},), one value per row of 'states'. Got shape "
                         f"{inputs.shape} instead.")
    _check_finite("states", states, owner)
    _check_finite("inputs", inputs, owner)
    rows = np.arange(max(washout, k_max), states.shape[0])
    n_train = memory_capacity_test_start(states.shape[0], k_max=k_max, washout=washout,
                                         test_fraction=test_fraction) - rows[0]
    if n_train < 2 or rows.size - n_train < 2:
        raise ValueError(f"{owner} has {rows.size} usable rows after dropping "
                         f"max(washout, k_max) = {max(washout, k_max)} of {states.shape[0]}; "
                         "it needs at least 2 for training and 2 for testing. Give longer "
                         "'states' or a smaller 'k_max', 'washout' or 'test_fraction'.")
    delays = np.arange(1, k_max + 1)
    targets = _lagged(inputs, delays, rows)
    train, test = rows[:n_train], rows[n_train:]
    readout = _ridge(alpha, owner).fit(states[train], targets[:n_train])
    per_delay = _squared_correlation(readout.predict(states[test]), targets[n_train:])
    return MemoryCapacity(float(per_delay.sum()), per_delay, delays)


def memory_capacity_test_start(n_steps, *, k_max=50, washout=0, test_fraction=0.3):
    """First row :func:`memory_capacity` scores on; the rows before it are its training part.

    A model whose settings are chosen on memory capacity without seeing the
    test rows computes ``memory_capacity(states[:start], inputs[:start], ...)``.

    Parameters
    ----------
    n_steps : int
        Rows of ``states``.
    k_max, washout, test_fraction
        As for :func:`memory_capacity`.

    Returns
    -------
    int
        ``max(washout, k_max) + floor((1 - test_fraction) * (n_steps - max(washout, k_max)))``.
    """
    first = max(washout, k_max)
    return first + int(max(n_steps - first, 0) * (1.0 - test_fraction))  # floor


def _ridge(alpha, owner):
    if np.ndim(alpha) == 0:
        check_number(owner, "alpha", alpha, low=0.0)
        return Ridge(alpha=float(alpha))
    alphas = np.asarray(alpha, dtype=float)
    if alphas.ndim != 1 or alphas.size == 0 or not np.all(alphas > 0):
        raise ValueError(f"The 'alpha' argument of {owner} must be a non-negative float or "
                         f"a non-empty 1-D sequence of positive floats. Got {alpha!r} "
                         "instead.")
    return RidgeCV(alphas=alphas, alpha_per_target=True)


# ---------------------------------------------------------------- activity
def spike_count(result_or_counts):
    """Total number of recurrent spikes ``S``.

    Parameters
    ----------
    result_or_counts : SimulationResult or array-like of non-negative numbers
        A simulation result (its ``counts`` are summed) or spike counts of
        any shape, e.g. (n_neurons,) or (n_samples, n_neurons).

    Returns
    -------
    int or float
        ``int`` for integer counts, ``float`` otherwise (averaged counts).
    """
    counts = np.asarray(getattr(result_or_counts, "counts", result_or_counts))
    if not (np.issubdtype(counts.dtype, np.integer) or np.issubdtype(counts.dtype,
                                                                      np.floating)):
        raise ValueError("The 'result_or_counts' argument of spike_count() must be a "
                         "SimulationResult or an array of numbers. Got dtype "
                         f"{counts.dtype} instead.")
    if not np.all(np.isfinite(counts) & (counts >= 0)):
        raise ValueError("The 'result_or_counts' argument of spike_count() must hold "
                         "non-negative finite counts.")
    total = counts.sum()
    return int(total) if np.issubdtype(counts.dtype, np.integer) else float(total)


def average_activation(n_spikes, n_neurons, n_steps):
    """Average activation ``S / (N * T)``: spikes per neuron per step.

    Parameters
    ----------
    n_spikes : float
        Total spike count ``S`` of the recurrent layer.
    n_neurons : int
        Number of recurrent neurons ``N``.
    n_steps : int
        Duration ``T`` in steps (simulation or input steps, as you choose;
        the result is per that step).

    Returns
    -------
    float
    """
    owner = "average_activation()"
    check_number(owner, "n_spikes", n_spikes, low=0.0)
    check_number(owner, "n_neurons", n_neurons, kind="int", low=1)
    check_number(owner, "n_steps", n_steps, kind="int", low=1)
    return float(n_spikes) / (n_neurons * n_steps)


def spike_efficiency(mc, n_spikes, n_neurons):
    """Spike efficiency ``E = MC / (S / N)``: memory capacity per spike per neuron.

    Parameters
    ----------
    mc : float or MemoryCapacity
        Memory capacity (its ``total`` if a :class:`MemoryCapacity`).
    n_spikes : float
        Total spike count ``S`` of the recurrent layer during the MC run.
    n_neurons : int
        Number of recurrent neurons ``N``.

    Returns
    -------
    float
        ``inf`` for a silent reservoir with ``MC > 0``, NaN for one with
        ``MC == 0`` (division by zero, as numpy does it).
    """
    owner = "spike_efficiency()"
    mc = getattr(mc, "total", mc)
    check_number(owner, "mc", mc, low=0.0)
    check_number(owner, "n_spikes", n_spikes, low=0.0)
    check_number(owner, "n_neurons", n_neurons, kind="int", low=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return float(np.float64(mc) / (np.float64(n_spikes) / n_neurons))


def _index_array(name, values, upper, owner):
    arr = np.asarray(values)
    if arr.size == 0:
        return np.zeros(0, dtype=np.int64)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"The '{name}' argument of {owner} must be a 1-D array of integer "
                         f"indices. Got shape {arr.shape} and dtype {arr.dtype} instead.")
    if arr.min() < 0 or arr.max() >= upper:
        raise ValueError(f"The '{name}' argument of {owner} must hold indices in "
                         f"[0, {upper}). Got values in [{arr.min()}, {arr.max()}] instead.")
    return arr


def _degree_array(name, values, owner):
    arr = np.asarray(values)
    if arr.ndim != 1 or not np.issubdtype(arr.dtype, np.integer) or np.any(arr < 0):
        raise ValueError(f"The '{name}' argument of {owner} must be a 1-D array of "
                         f"non-negative integers. Got {arr!r} instead.")
    return arr.astype(np.int64)


def synaptic_operations(spike_neurons, out_degree, *, input_channels=None,
                        input_out_degree=None):
    """Synaptic operations: every spike costs one SOP per outgoing synapse.

    ``SOPs = sum_spikes out_degree[neuron] + sum_input_spikes input_out_degree[channel]``.
    With a pruned network's out-degree, pruned synapses and neurons cost
    nothing, which is the sparse energy model of the paper.

    Parameters
    ----------
    spike_neurons : array-like of int, shape (n_spikes,)
        Neuron of every recurrent spike (``SimulationResult.spike_neurons``).
    out_degree : array-like of int, shape (n_neurons,)
        Surviving recurrent out-degree per neuron (``Network.out_degree()``).
    input_channels : array-like of int, shape (n_input_spikes,), optional
        Channel of every input spike, for spike-encoded inputs.
    input_out_degree : array-like of int, shape (n_inputs,), optional
        Input synapses per channel, e.g.
        ``np.bincount(net.in_channel, minlength=net.n_inputs)``. Required
        with ``input_channels``.

    Returns
    -------
    int
        Number of synaptic operations.
    """
    owner = "synaptic_operations()"
    if (input_channels is None) != (input_out_degree is None):
        raise ValueError(f"{owner} needs 'input_channels' and 'input_out_degree' together.")
    out_degree = _degree_array("out_degree", out_degree, owner)
    neurons = _index_array("spike_neurons", spike_neurons, out_degree.size, owner)
    counts = np.bincount(neurons, minlength=out_degree.size)
    input_counts = None
    if input_channels is not None:
        input_out_degree = _degree_array("input_out_degree", input_out_degree, owner)
        channels = _index_array("input_channels", input_channels, input_out_degree.size,
                                owner)
        input_counts = np.bincount(channels, minlength=input_out_degree.size)
    return synaptic_operations_from_counts(counts, out_degree, input_counts=input_counts,
                                           input_out_degree=input_out_degree)


def synaptic_operations_from_counts(counts, out_degree, *, input_counts=None,
                                    input_out_degree=None):
    """Synaptic operations from spike counts: ``counts @ out_degree`` (+ the inputs').

    The same energy model as :func:`synaptic_operations`, for when only
    the spikes per neuron are known (``SimulationResult.counts``,
    ``Forecaster.forecast_counts_``).

    Parameters
    ----------
    counts : array-like of int, shape (n_neurons,) or (n_runs, n_neurons)
        Spikes per neuron (one row per run).
    out_degree : array-like of int, shape (n_neurons,)
        Surviving recurrent out-degree per neuron (``Network.out_degree()``).
    input_counts : array-like of int, shape (n_inputs,) or (n_runs, n_inputs), optional
        Spikes per input channel, for spike-encoded inputs.
    input_out_degree : array-like of int, shape (n_inputs,), optional
        Input synapses per channel. Required with ``input_counts``.

    Returns
    -------
    int or ndarray of int64, shape (n_runs,)
        Synaptic operations (of each run).
    """
    owner = "synaptic_operations_from_counts()"
    if (input_counts is None) != (input_out_degree is None):
        raise ValueError(f"{owner} needs 'input_counts' and 'input_out_degree' together.")
    sops = _counts_times_degree("counts", counts, "out_degree", out_degree, owner)
    if input_counts is not None:
        sops = sops + _counts_times_degree("input_counts", input_counts,
                                           "input_out_degree", input_out_degree, owner)
    return int(sops) if np.ndim(sops) == 0 else sops


def _counts_times_degree(counts_name, counts, degree_name, degree, owner):
    degree = _degree_array(degree_name, degree, owner)
    counts = np.asarray(counts)
    if (counts.ndim not in (1, 2) or counts.shape[-1] != degree.size
            or not np.issubdtype(counts.dtype, np.integer) or np.any(counts < 0)):
        raise ValueError(f"The '{counts_name}' argument of {owner} must hold non-negative "
                         f"integer counts of shape ({degree.size},) or (n_runs, "
                         f"{degree.size}), one per entry of '{degree_name}'. Got shape "
                         f"{counts.shape} and dtype {counts.dtype} instead.")
    return counts.astype(np.int64) @ degree


def synaptic_operations_ratio(dense_sops, pruned_sops):
    """SOP ratio ``dense / pruned``: the energy saving factor of a pruned network.

    Parameters
    ----------
    dense_sops : float
        SOPs of the unpruned network on some input.
    pruned_sops : float
        SOPs of the pruned network on the same input; must be positive.

    Returns
    -------
    float
    """
    owner = "synaptic_operations_ratio()"
    check_number(owner, "dense_sops", dense_sops, low=0.0)
    check_number(owner, "pruned_sops", pruned_sops, low=0.0, low_open=True)
    return float(dense_sops) / float(pruned_sops)


# ---------------------------------------------------------------- diversity
def heterogeneity(samples):
    """Log-determinant of the sample covariance of sampled parameters.

    For a Gaussian this is ``2 * entropy - n_params * (1 + log(2 pi))``, and it
    bounds the entropy of any distribution with that covariance. It depends on
    the units of the parameters (rescaling one by ``c`` adds ``2 log c``).

    Parameters
    ----------
    samples : array-like of shape (n_samples,) or (n_samples, n_params)
        One row per sampled unit (neuron or synapse), one column per
        parameter; 1-D means one parameter, giving its log variance.

    Returns
    -------
    float
        ``log det cov(samples)`` (covariance with ``ddof=1``); ``-inf`` when
        the covariance is singular (a constant parameter, homogeneous
        networks, or linearly dependent columns), including a non-positive
        determinant from rounding.
    """
    owner = "heterogeneity()"
    x = _as_2d("samples", samples, owner, shape="(n_samples, n_params)")
    _check_finite("samples", x, owner)
    if x.shape[0] < 2:
        raise ValueError(f"The 'samples' argument of {owner} needs at least 2 rows to "
                         f"estimate a covariance. Got shape {np.shape(samples)} instead.")
    cov = np.atleast_2d(np.cov(x, rowvar=False))
    sign, logdet = np.linalg.slogdet(cov)
    return float(logdet) if sign > 0 else -np.inf
