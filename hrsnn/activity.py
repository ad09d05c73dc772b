"""The operating point of a reservoir: how much and how it fires.

Functions on recorded spikes: firing rates, the coefficient of variation of
inter-spike intervals, Fano factors of spike counts, Golomb's synchrony
measure and spikes per input value, gathered by :func:`operating_point`;
and :func:`match_rate`, which scales one parameter of a :class:`~hrsnn.Reservoir`
until it fires at a target rate, so that comparisons can be rate-matched.

Every spike function takes either a :class:`~hrsnn.SimulationResult` or
explicit arrays::

    firing_rates(result)
    firing_rates(spike_steps, spike_neurons, n_neurons=100, n_steps=1000, dt=1.0)

Spike steps are absolute (as a simulator records them). A run starts at step
``start_step``: 0 by default, which is right for any run from the reset state;
a run that continued an earlier one (``Reservoir.run(u, reset=False)``) needs
the simulator's step before it. Times are in ms, rates in Hz.

Only NumPy here (no simulation): the functions are cheap, O(spikes + neurons).
"""

import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from ._validation import check_choice, check_number

__all__ = [
    "MatchRateResult",
    "OperatingPoint",
    "fano_factor",
    "firing_rates",
    "isi_cv",
    "match_rate",
    "mean_fano_factor",
    "mean_isi_cv",
    "mean_rate",
    "operating_point",
    "spikes_per_input_value",
    "synchrony",
]


# ------------------------------------------------------------------ spike input
class _Spikes(NamedTuple):
    """Checked spikes of one run, steps relative to its start."""

    steps: np.ndarray       # int64, (n_spikes,), in [0, n_steps)
    neurons: np.ndarray     # int64, (n_spikes,), in [0, n_neurons)
    counts: np.ndarray      # int64, (n_neurons,)
    n_neurons: int
    n_steps: int
    dt: float
    recorded: bool          # whether the spikes are recorded (counts always are)


def _spikes(owner, spikes, spike_neurons=None, n_neurons=None, n_steps=None, dt=None,
            start_step=None):
    """A ``_Spikes`` from a SimulationResult or from explicit arrays."""
    start = 0 if start_step is None else start_step
    check_number(owner, "start_step", start, "int", 0)
    if hasattr(spikes, "spike_steps") and hasattr(spikes, "counts"):
        given = [name for name, value in (("spike_neurons", spike_neurons),
                 ("n_neurons", n_neurons), ("n_steps", n_steps), ("dt", dt))
                 if value is not None]
        if given:
            raise TypeError(f"{owner} got a SimulationResult and also {', '.join(given)}; "
                            "give either a result or spike arrays with n_neurons, n_steps "
                            "and dt.")
        return _from_result(owner, spikes, int(start))
    return _from_arrays(owner, spikes, spike_neurons, n_neurons, n_steps, dt, int(start))


def _from_result(owner, result, start):
    counts = np.asarray(result.counts, dtype=np.int64)
    steps = np.asarray(result.spike_steps, dtype=np.int64) - start
    neurons = np.asarray(result.spike_neurons, dtype=np.int64)
    recorded = steps.size == counts.sum()
    if steps.size and not recorded:
        raise ValueError(f"The result given to {owner} has {steps.size} recorded spikes "
                         f"but counts {counts.sum()}; it is not one run's complete record.")
    _check_range(owner, steps, int(result.n_steps), neurons, counts.size, start)
    return _Spikes(steps, neurons, counts, counts.size, int(result.n_steps),
                   float(result.dt), bool(recorded))


def _from_arrays(owner, spike_steps, spike_neurons, n_neurons, n_steps, dt, start):
    missing = [name for name, value in (("spike_neurons", spike_neurons),
               ("n_neurons", n_neurons), ("n_steps", n_steps), ("dt", dt)) if value is None]
    if missing:
        raise TypeError(f"{owner} needs a SimulationResult or spike_steps with "
                        f"{', '.join(missing)}; {', '.join(missing)} not given.")
    check_number(owner, "n_neurons", n_neurons, "int", 1)
    check_number(owner, "n_steps", n_steps, "int", 1)
    check_number(owner, "dt", dt, "float", 0.0, low_open=True)
    steps = _integer_array(owner, "spike_steps", spike_steps) - start
    neurons = _integer_array(owner, "spike_neurons", spike_neurons)
    if steps.shape != neurons.shape:
        raise ValueError(f"'spike_steps' and 'spike_neurons' of {owner} must have the same "
                         f"length; got {steps.size} and {neurons.size}.")
    _check_range(owner, steps, int(n_steps), neurons, int(n_neurons), start)
    counts = np.bincount(neurons, minlength=int(n_neurons)).astype(np.int64)
    return _Spikes(steps, neurons, counts, int(n_neurons), int(n_steps), float(dt), True)


def _integer_array(owner, name, values):
    array = np.asarray(values)
    if array.ndim != 1 or not (array.size == 0 or np.issubdtype(array.dtype, np.integer)):
        raise ValueError(f"'{name}' of {owner} must be a 1-D array of integers; got "
                         f"dtype {array.dtype} and shape {array.shape}.")
    return array.astype(np.int64)


def _check_range(owner, steps, n_steps, neurons, n_neurons, start):
    if steps.size and (steps.min() < 0 or steps.max() >= n_steps):
        raise ValueError(
            f"Spike steps given to {owner} run from {steps.min() + start} to "
            f"{steps.max() + start}, outside the run's steps [{start}, {start + n_steps}). "
            "If the run continued an earlier one, pass start_step= (the simulator's "
            "step before the run).")
    if neurons.size and (neurons.min() < 0 or neurons.max() >= n_neurons):
        raise ValueError(f"Spike neurons given to {owner} must be in [0, {n_neurons}); got "
                         f"{neurons.min()} to {neurons.max()}.")


def _require_record(owner, sp):
    if not sp.recorded and sp.counts.sum() > 0:
        raise ValueError(f"{owner} needs every spike, but the result has counts only; run "
                         "with record_spikes=True.")


def _bin_steps(owner, name, length_ms, sp, minimum=2):
    """Steps per bin of ``length_ms``; at least ``minimum`` whole bins must fit."""
    check_number(owner, name, length_ms, "float", 0.0, low_open=True)
    steps = length_ms / sp.dt
    if abs(steps - round(steps)) > 1e-9 * max(1.0, steps) or round(steps) < 1:
        raise ValueError(f"The '{name}' parameter of {owner} must be a whole number of "
                         f"steps of dt = {sp.dt} ms; got {length_ms!r} ms.")
    steps = int(round(steps))
    if sp.n_steps // steps < minimum:
        raise ValueError(f"The '{name}' parameter of {owner} ({length_ms} ms) leaves "
                         f"{sp.n_steps // steps} whole bins in a run of "
                         f"{sp.n_steps * sp.dt} ms; at least {minimum} are needed: give "
                         "shorter bins or a longer run.")
    return steps


def _binned_moments(sp, bin_steps, ddof):
    """Per-neuron mean and variance of spike counts in whole bins, and the population count.

    Returns
    -------
    mean, var : ndarray of shape (n_neurons,)
        Over bins, spikes per bin (``var`` with ``ddof``).
    population : ndarray of shape (n_bins,)
        Spikes of all neurons in every bin.

    The trailing partial bin (if ``n_steps`` is no multiple of ``bin_steps``) is
    dropped. O(spikes): the counts matrix is never formed.
    """
    n_bins = sp.n_steps // bin_steps
    keep = sp.steps < n_bins * bin_steps
    bins, neurons = sp.steps[keep] // bin_steps, sp.neurons[keep]
    cells, cell_counts = np.unique(bins * sp.n_neurons + neurons, return_counts=True)
    cell_neurons = cells % sp.n_neurons
    total = np.bincount(neurons, minlength=sp.n_neurons).astype(float)
    squares = np.bincount(cell_neurons, cell_counts.astype(float) ** 2, minlength=sp.n_neurons)
    mean = total / n_bins
    var = (squares - n_bins * mean ** 2) / (n_bins - ddof)
    return mean, np.maximum(var, 0.0), np.bincount(bins, minlength=n_bins).astype(float)


def _nanmean(values):
    """Mean of the finite entries; NaN (without a warning) if there is none."""
    finite = values[np.isfinite(values)]
    return float(finite.mean()) if finite.size else math.nan


_SPIKE_PARAMETERS = """spikes : SimulationResult or array_like of int, shape (n_spikes,)
        One run's record, or the absolute step of every spike.
    spike_neurons : array_like of int, shape (n_spikes,), optional
        With arrays only: the neuron of every spike.
    n_neurons, n_steps : int, optional
        With arrays only: neurons in the network, simulation steps of the run.
    dt : float, optional
        With arrays only: step length, ms.
    start_step : int, default=0
        Absolute step at which the run started (nonzero only for a run that
        continued an earlier one)."""


def _documented(function):
    function.__doc__ = function.__doc__.replace("{spike_parameters}", _SPIKE_PARAMETERS)
    return function


# ------------------------------------------------------------------ rates
@_documented
def firing_rates(spikes, spike_neurons=None, *, n_neurons=None, n_steps=None, dt=None,
                 start_step=None):
    """Firing rate of every neuron over the run.

    Parameters
    ----------
    {spike_parameters}

    Returns
    -------
    ndarray of shape (n_neurons,)
        Spikes per neuron divided by the run's duration ``n_steps * dt``, Hz.
        From ``counts``, so a result recorded without spikes will do.
    """
    sp = _spikes("firing_rates", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return _rates(sp)


@_documented
def mean_rate(spikes, spike_neurons=None, *, n_neurons=None, n_steps=None, dt=None,
              start_step=None):
    """Mean firing rate over neurons (silent ones included), Hz.

    Parameters
    ----------
    {spike_parameters}

    Returns
    -------
    float
        ``firing_rates(...).mean()``, Hz.
    """
    sp = _spikes("mean_rate", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return float(_rates(sp).mean())


def _rates(sp):
    return sp.counts / (sp.n_steps * sp.dt / 1000.0)


# ------------------------------------------------------------------ regularity
@_documented
def isi_cv(spikes, spike_neurons=None, *, n_neurons=None, n_steps=None, dt=None,
           start_step=None):
    """Coefficient of variation of every neuron's inter-spike intervals.

    ``CV = std(ISI) / mean(ISI)`` with the population standard deviation
    (``ddof=0``, as :func:`scipy.stats.variation`): 0 for a regular train,
    about 1 for a Poisson train, above 1 for bursts.

    Parameters
    ----------
    {spike_parameters}

    Returns
    -------
    ndarray of shape (n_neurons,)
        Dimensionless; NaN for neurons with fewer than 3 spikes (2 intervals).
    """
    sp = _spikes("isi_cv", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return _isi_cv("isi_cv", sp)


@_documented
def mean_isi_cv(spikes, spike_neurons=None, *, n_neurons=None, n_steps=None, dt=None,
                start_step=None):
    """Mean ISI coefficient of variation over the neurons that have one (>= 3 spikes).

    Parameters
    ----------
    {spike_parameters}

    Returns
    -------
    float
        Dimensionless; NaN if no neuron has 3 spikes.
    """
    sp = _spikes("mean_isi_cv", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return _nanmean(_isi_cv("mean_isi_cv", sp))


def _isi_cv(owner, sp):
    _require_record(owner, sp)
    order = np.lexsort((sp.steps, sp.neurons))
    steps, neurons = sp.steps[order], sp.neurons[order]
    same = neurons[1:] == neurons[:-1]
    isi = np.diff(steps)[same] * sp.dt
    owner_of = neurons[1:][same]
    n = np.bincount(owner_of, minlength=sp.n_neurons)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner_of, isi, minlength=sp.n_neurons) / n
        var = np.bincount(owner_of, (isi - mean[owner_of]) ** 2, minlength=sp.n_neurons) / n
        cv = np.sqrt(var) / mean
    cv[n < 2] = np.nan
    return cv


@_documented
def fano_factor(spikes, spike_neurons=None, *, window_ms, n_neurons=None, n_steps=None,
                dt=None, start_step=None):
    """Fano factor of every neuron's spike counts in consecutive windows.

    ``F = var(count) / mean(count)`` over the whole windows of the run (a
    trailing partial window is dropped), with the unbiased variance
    (``ddof=1``, as :func:`scipy.stats.tvar`), so that a Poisson train has
    ``E[F] = 1`` for any number of windows.

    Parameters
    ----------
    {spike_parameters}
    window_ms : float
        Window length, ms; a whole number of steps, and at least 2 windows
        must fit in the run.

    Returns
    -------
    ndarray of shape (n_neurons,)
        Dimensionless; NaN for neurons without spikes in the windows.
    """
    sp = _spikes("fano_factor", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return _fano("fano_factor", sp, window_ms)


@_documented
def mean_fano_factor(spikes, spike_neurons=None, *, window_ms, n_neurons=None,
                     n_steps=None, dt=None, start_step=None):
    """Mean Fano factor over the neurons that fire (see :func:`fano_factor`).

    Parameters
    ----------
    {spike_parameters}
    window_ms : float
        Window length, ms.

    Returns
    -------
    float
        Dimensionless; NaN if no neuron fires.
    """
    sp = _spikes("mean_fano_factor", spikes, spike_neurons, n_neurons, n_steps, dt,
                 start_step)
    return _nanmean(_fano("mean_fano_factor", sp, window_ms))


def _fano(owner, sp, window_ms):
    _require_record(owner, sp)
    mean, var, _ = _binned_moments(sp, _bin_steps(owner, "window_ms", window_ms, sp), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, var / mean, np.nan)


# ------------------------------------------------------------------ synchrony
@_documented
def synchrony(spikes, spike_neurons=None, *, bin_ms, n_neurons=None, n_steps=None,
              dt=None, start_step=None):
    """Golomb's synchrony measure chi from binned spike counts.

    With ``n_i(t)`` the spikes of neuron ``i`` in bin ``t`` (unsmoothed counts
    in whole bins of ``bin_ms``; a trailing partial bin is dropped) and
    ``A(t) = mean_i n_i(t)`` the population average over the K neurons that
    fire in the run::

        chi^2 = var_t(A) / mean_i var_t(n_i)

    (Golomb 2007, Scholarpedia "Neuronal synchrony measures", with spike
    counts in place of membrane potentials). ``chi`` lies in [0, 1]: 1 when
    every neuron has the same binned train, about ``1 / sqrt(K)`` for
    independent neurons (0 as K grows). Silent neurons are left out, since
    they would lower chi without being asynchronous. Bins shorter than the
    typical jitter between "synchronous" spikes make any network look
    asynchronous: choose ``bin_ms`` at the time scale of interest.

    Parameters
    ----------
    {spike_parameters}
    bin_ms : float
        Bin length, ms; a whole number of steps, at least 2 bins in the run.

    Returns
    -------
    float
        chi, dimensionless in [0, 1]; NaN if fewer than 2 neurons fire or no
        firing neuron's count varies between bins.
    """
    sp = _spikes("synchrony", spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    return _synchrony("synchrony", sp, bin_ms)


def _synchrony(owner, sp, bin_ms):
    _require_record(owner, sp)
    mean, var, population = _binned_moments(sp, _bin_steps(owner, "bin_ms", bin_ms, sp), 0)
    active = mean > 0
    single = var[active].mean() if active.sum() >= 2 else 0.0
    if single <= 0:
        return math.nan
    chi2 = np.var(population / active.sum()) / single
    return float(np.sqrt(min(chi2, 1.0)))      # > 1 only by rounding


# ------------------------------------------------------------------ input
@_documented
def spikes_per_input_value(spikes, spike_neurons=None, *, steps_per_input, n_neurons=None,
                           n_steps=None, dt=None, start_step=None):
    """Population spikes per input value (per input time step).

    Parameters
    ----------
    {spike_parameters}
    steps_per_input : int
        Simulation steps that make one input value (the reservoir's
        ``steps_per_input``); must divide ``n_steps``.

    Returns
    -------
    float
        All neurons' spikes divided by the run's input steps
        ``n_steps / steps_per_input``. From ``counts``, so a result recorded
        without spikes will do.
    """
    sp = _spikes("spikes_per_input_value", spikes, spike_neurons, n_neurons, n_steps, dt,
                 start_step)
    return _spikes_per_input("spikes_per_input_value", sp, steps_per_input)


def _spikes_per_input(owner, sp, steps_per_input):
    check_number(owner, "steps_per_input", steps_per_input, "int", 1)
    if sp.n_steps % steps_per_input:
        raise ValueError(f"The 'steps_per_input' parameter of {owner} must divide the run's "
                         f"{sp.n_steps} steps; got {steps_per_input}.")
    return float(sp.counts.sum()) / (sp.n_steps // steps_per_input)


# ------------------------------------------------------------------ summary
@dataclass(frozen=True)
class OperatingPoint:
    """Summary of how a run fires (see :func:`operating_point`).

    Attributes
    ----------
    mean_rate : float
        Mean firing rate over all neurons, Hz.
    active_fraction : float
        Fraction of neurons that spiked at least once.
    isi_cv : float
        Mean ISI coefficient of variation over neurons with >= 3 spikes (NaN if none).
    n_isi_neurons : int
        Neurons that have an ISI CV.
    fano_factor : float
        Mean Fano factor of counts in ``window_ms`` windows over firing neurons.
    synchrony : float
        Golomb's chi in ``bin_ms`` bins, in [0, 1].
    spikes_per_input : float
        Population spikes per input value.
    n_neurons : int
    duration_ms : float
        Length of the run, ms.
    bin_ms, window_ms : float
        Bin of the synchrony, window of the Fano factor, ms.
    """

    mean_rate: float
    active_fraction: float
    isi_cv: float
    n_isi_neurons: int
    fano_factor: float
    synchrony: float
    spikes_per_input: float
    n_neurons: int
    duration_ms: float
    bin_ms: float
    window_ms: float

    def __str__(self):
        return (f"{self.mean_rate:.3g} Hz ({100 * self.active_fraction:.0f} % of "
                f"{self.n_neurons} neurons active), ISI CV {self.isi_cv:.2f} "
                f"({self.n_isi_neurons} neurons), Fano {self.fano_factor:.2f} "
                f"({self.window_ms:g} ms), synchrony {self.synchrony:.3f} "
                f"({self.bin_ms:g} ms bins), {self.spikes_per_input:.3g} spikes per input "
                f"value over {self.duration_ms:g} ms")


@_documented
def operating_point(spikes, spike_neurons=None, *, steps_per_input, bin_ms=5.0,
                    window_ms=50.0, n_neurons=None, n_steps=None, dt=None, start_step=None):
    """Rate, regularity, variability, synchrony and spikes per input value of one run.

    Parameters
    ----------
    {spike_parameters}
    steps_per_input : int
        Simulation steps per input value (the reservoir's ``steps_per_input``).
    bin_ms : float, default=5.0
        Bin of the synchrony measure, ms (see :func:`synchrony`).
    window_ms : float, default=50.0
        Window of the Fano factor, ms (see :func:`fano_factor`).

    Returns
    -------
    OperatingPoint
        Frozen; ``str()`` gives a one-line summary.

    Examples
    --------
    >>> import numpy as np
    >>> from hrsnn import Reservoir
    >>> from hrsnn.activity import operating_point
    >>> X = np.random.default_rng(0).uniform(size=(1, 200, 2))
    >>> r = Reservoir(100, random_state=0, steps_per_input=2, w_in=3.0).fit(X)
    >>> point = operating_point(r.run(X[0]), steps_per_input=2)
    >>> print(point)  # doctest: +SKIP
    """
    owner = "operating_point"
    sp = _spikes(owner, spikes, spike_neurons, n_neurons, n_steps, dt, start_step)
    cv = _isi_cv(owner, sp)
    return OperatingPoint(
        mean_rate=float(_rates(sp).mean()),
        active_fraction=float(np.mean(sp.counts > 0)),
        isi_cv=_nanmean(cv), n_isi_neurons=int(np.isfinite(cv).sum()),
        fano_factor=_nanmean(_fano(owner, sp, window_ms)),
        synchrony=_synchrony(owner, sp, bin_ms),
        spikes_per_input=_spikes_per_input(owner, sp, steps_per_input),
        n_neurons=sp.n_neurons, duration_ms=sp.n_steps * sp.dt,
        bin_ms=float(bin_ms), window_ms=float(window_ms))


# ------------------------------------------------------------------ rate matching
#: Parameters that match_rate can scale.
MATCH_PARAMETERS = ("w_in", "w_scale")


@dataclass(frozen=True)
class MatchRateResult:
    """What :func:`match_rate` found.

    Attributes
    ----------
    reservoir : Reservoir
        The fitted clone with ``parameter`` set to ``value``.
    parameter : str
        The scaled parameter.
    value : float
        Its value.
    rate : float
        Mean firing rate of ``reservoir`` on ``X``, Hz.
    target_rate : float
        The rate asked for, Hz.
    history : tuple of (float, float)
        Every (value, rate) tried, in order (the two bounds first).
    """

    reservoir: object
    parameter: str
    value: float
    rate: float
    target_rate: float
    history: tuple

    def __str__(self):
        return (f"{self.parameter}={self.value:.4g}: {self.rate:.3g} Hz (target "
                f"{self.target_rate:.3g} Hz, {len(self.history)} fits)")


def match_rate(reservoir, X, target_rate, *, parameter="w_in", bounds=None, tol=0.05,
               max_iter=20):
    """Scale one parameter of a reservoir until it fires at ``target_rate`` on ``X``.

    Bisection on a log scale: every trial fits
    ``clone(reservoir).set_params(**{parameter: value})`` on ``X`` (STDP
    included, if on) and measures the mean firing rate of its recurrent neurons
    over the sequences of ``X`` (``Reservoir.run`` from the reset state).
    ``reservoir`` itself is left unchanged.

    The rate is monotone in the parameter only approximately: larger input
    weights (``w_in``; for signed inputs, ``w_in_dist="uniform"``, it scales
    the weights' magnitude) or recurrent weights (``w_scale``, which also
    strengthens inhibition) usually, not always, mean more spikes, and STDP
    during ``fit`` can bend the curve. The direction is taken from the rates at
    the two bounds; where the curve is not monotone, bisection finds one of
    the values that reach the target, or raises.

    Parameters
    ----------
    reservoir : Reservoir
        Fitted or not; only its parameters are used. With
        ``random_state=None`` one seed is drawn and used for every trial, and
        the returned reservoir carries it as ``random_state``.
    X : array_like of shape (n_samples, n_steps, n_inputs) or (n_samples, n_steps)
        Input sequences, as for ``Reservoir.fit``.
    target_rate : float
        Wanted mean firing rate, Hz (> 0).
    parameter : {"w_in", "w_scale"}, default="w_in"
        Input weight or recurrent weight scale.
    bounds : (float, float), optional
        Search interval ``0 < low < high``; default the reservoir's current
        value divided and multiplied by 32.
    tol : float, default=0.05
        Relative tolerance: stop when ``|rate - target_rate| <= tol * target_rate``.
    max_iter : int, default=20
        Bisection steps after the two bounds (at most ``max_iter + 2`` fits).

    Returns
    -------
    MatchRateResult
        ``.reservoir`` (fitted), ``.value``, ``.rate``, ``.history``.

    Raises
    ------
    ValueError
        For bad arguments, or if the rates at the two bounds do not bracket
        the target (the message gives them).
    RuntimeError
        If ``max_iter`` bisection steps do not reach the tolerance (the rate
        jumps across the target); the message gives the closest value found.
    """
    owner = "match_rate"
    check_number(owner, "target_rate", target_rate, "float", 0.0, low_open=True)
    check_choice(owner, "parameter", parameter, MATCH_PARAMETERS)
    check_number(owner, "tol", tol, "float", 0.0, 1.0, low_open=True)
    check_number(owner, "max_iter", max_iter, "int", 1)
    X = _check_sequences(owner, X)
    base = _seeded_clone(reservoir)
    low, high = _bounds(owner, base, parameter, bounds)
    trial = _Trials(base, parameter, X, float(target_rate), tol)
    for value in (low, high):
        if trial(value):
            return trial.result()
    increasing = trial.history[1][1] >= trial.history[0][1]
    if not min(trial.history[0][1], trial.history[1][1]) < target_rate \
            < max(trial.history[0][1], trial.history[1][1]):
        raise ValueError(_unreachable(parameter, target_rate, trial.history))
    for _ in range(max_iter):
        middle = math.sqrt(low * high)
        if trial(middle):
            return trial.result()
        if (trial.history[-1][1] < target_rate) == increasing:
            low = middle
        else:
            high = middle
    raise RuntimeError(_not_converged(parameter, target_rate, tol, max_iter, trial.history))


class _Trials:
    """Fits at given parameter values; remembers the one that matched."""

    def __init__(self, base, parameter, X, target_rate, tol):
        self.base, self.parameter, self.X = base, parameter, X
        self.target_rate, self.tol = target_rate, tol
        self.history = []
        self.matched = None

    def __call__(self, value):
        """Fit at ``value``; True if its rate is within tolerance of the target."""
        from sklearn.base import clone

        fitted = clone(self.base).set_params(**{self.parameter: value}).fit(self.X)
        rate = float(np.mean([fitted.run(u, record_spikes=False).mean_rate()
                              for u in self.X]))
        self.history.append((float(value), rate))
        if abs(rate - self.target_rate) <= self.tol * self.target_rate:
            self.matched = fitted
            return True
        return False

    def result(self):
        value, rate = self.history[-1]
        return MatchRateResult(self.matched, self.parameter, value, rate, self.target_rate,
                               tuple(self.history))


def _check_sequences(owner, X):
    X = np.asarray(X, dtype=np.float64)
    if X.ndim not in (2, 3) or X.shape[0] == 0:
        raise ValueError(f"'X' of {owner} must have shape (n_samples, n_steps, n_inputs) "
                         f"or (n_samples, n_steps) with n_samples >= 1; got {X.shape}.")
    return X


def _seeded_clone(reservoir):
    """An unfitted clone whose trials share one network seed."""
    from sklearn.base import clone

    if not (hasattr(reservoir, "get_params") and hasattr(reservoir, "run")):
        raise TypeError("The 'reservoir' argument of match_rate must be an hrsnn.Reservoir; "
                        f"got {type(reservoir).__name__}.")
    base = clone(reservoir)
    if base.get_params().get("random_state") is None:
        base.set_params(random_state=int(np.random.SeedSequence().entropy % (2 ** 63)))
    return base


def _bounds(owner, base, parameter, bounds):
    if bounds is None:
        value = base.get_params()[parameter]
        if not (isinstance(value, (int, float)) and value > 0):
            raise ValueError(f"match_rate needs 'bounds' because the reservoir's "
                             f"{parameter}={value!r} is not positive; give bounds=(low, high).")
        return value / 32.0, value * 32.0
    try:
        low, high = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ValueError(f"The 'bounds' parameter of {owner} must be a pair (low, high) of "
                         f"numbers; got {bounds!r}.") from None
    if not (0 < low < high < math.inf):
        raise ValueError(f"The 'bounds' parameter of {owner} must satisfy 0 < low < high "
                         f"(finite; the search is on a log scale); got {bounds!r}.")
    return low, high


def _unreachable(parameter, target_rate, history):
    (low, rate_low), (high, rate_high) = history
    return (f"target_rate={target_rate:g} Hz is not reachable with {parameter} in "
            f"[{low:g}, {high:g}]: the fitted reservoir fires at {rate_low:.4g} Hz with "
            f"{parameter}={low:g} and {rate_high:.4g} Hz with {parameter}={high:g}. Widen "
            "'bounds' or choose a target between those rates.")


def _not_converged(parameter, target_rate, tol, max_iter, history):
    value, rate = min(history, key=lambda item: abs(item[1] - target_rate))
    return (f"match_rate did not reach target_rate={target_rate:g} Hz within tol={tol:g} in "
            f"{max_iter} bisection steps: the closest was {rate:.4g} Hz at {parameter}="
            f"{value:.6g}. The rate may jump across the target there (too few neurons, or "
            "STDP); raise 'tol' or 'max_iter', or scale the other parameter.")
