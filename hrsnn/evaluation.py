"""Forecasting protocols: train once, then one-step and closed-loop tests on held-out windows.

Any model with ``fit(series)``, ``predict(series)`` (row ``t`` predicts
``t + 1``) and ``forecast(n_steps, warmup=...)`` can be evaluated:
:class:`~hrsnn.Forecaster`, :class:`~hrsnn.readout.AutoregressiveRidge`, or
a wrapper around another library's model.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from ._validation import check_number
from .metrics import nrmse, synaptic_operations_from_counts, valid_prediction_time


@dataclass
class ForecastEvaluation:
    """Scores of one fitted model on the test windows of a series.

    Attributes
    ----------
    one_step_nrmse : float
        NRMSE of teacher-forced one-step predictions over all test windows.
    vpt_steps : ndarray of shape (n_starts, n_thresholds)
        Valid prediction time of each closed-loop forecast, in steps.
    thresholds : tuple of float
        NRMSE thresholds of the columns of ``vpt_steps``.
    starts : ndarray of shape (n_starts,)
        First forecast step of each window.
    forecasts : ndarray of shape (n_starts, horizon, n_dims)
        The closed-loop forecasts.
    fit_seconds, test_seconds : float
        Wall time of ``fit`` and of all tests.
    one_step_nrmse_windows : ndarray of shape (n_starts,)
        One-step NRMSE of each window.
    forecast_counts : ndarray of shape (n_starts, n_neurons) or None
        Spikes per neuron during each closed-loop forecast, for models with
        ``forecast_counts_`` (:class:`~hrsnn.Forecaster`).
    """

    one_step_nrmse: float
    vpt_steps: np.ndarray
    thresholds: tuple
    starts: np.ndarray
    forecasts: np.ndarray = field(repr=False)
    fit_seconds: float = 0.0
    test_seconds: float = 0.0
    one_step_nrmse_windows: np.ndarray = None
    forecast_counts: np.ndarray = field(default=None, repr=False)

    def vpt_lyapunov(self, dt, lyapunov_exponent):
        """``vpt_steps`` in Lyapunov times (``steps * dt * lambda_max``)."""
        return self.vpt_steps * dt * lyapunov_exponent

    def sops_per_step(self, out_degree):
        """Synaptic operations per forecast step of each window.

        Parameters
        ----------
        out_degree : array_like of int, shape (n_neurons,)
            Recurrent out-degree of the forecasting network
            (``model.reservoir_.network_.out_degree()``).

        Returns
        -------
        ndarray of float, shape (n_starts,) or None
            None for models that do not count spikes.
        """
        if self.forecast_counts is None:
            return None
        horizon = self.forecasts.shape[1]
        return synaptic_operations_from_counts(self.forecast_counts, out_degree) / horizon


def forecast_windows(n_steps, n_train, n_starts, horizon, warmup):
    """Evenly spaced, non-overlapping forecast windows after the training part.

    Parameters
    ----------
    n_steps : int
        Length of the whole series.
    n_train : int
        Training steps (the series' first ``n_train`` rows).
    n_starts : int
        Forecast windows.
    horizon, warmup : int
        Steps forecast per window, and true steps fed before each.

    Returns
    -------
    ndarray of int, shape (n_starts,)
        First forecast step of each window; its warm-up is
        ``[start - warmup, start)`` and never reaches into the training part.
    """
    span = warmup + horizon
    needed = n_train + n_starts * span
    if needed > n_steps:
        raise ValueError(f"The series has {n_steps} steps, but {n_starts} test windows of "
                         f"warmup + horizon = {span} steps after {n_train} training steps "
                         f"need {needed}. Generate a longer series or reduce 'n_starts', "
                         "'horizon' or 'warmup'.")
    return n_train + warmup + span * np.arange(n_starts)


def validation_starts(n_steps, n_val, horizon, n_starts):
    """Evenly spaced starts of validation forecasts in the last ``n_val`` steps.

    Parameters
    ----------
    n_steps : int
        Length of the (training) series.
    n_val : int
        Held-out steps at its end (at least ``horizon``).
    horizon : int
        Steps per validation forecast; every forecast ends inside the series.
    n_starts : int
        Forecasts wanted (fewer when rounding makes starts coincide).

    Returns
    -------
    tuple of int
        Sorted, distinct starts in ``[n_steps - n_val, n_steps - horizon]``.
    """
    first, last = n_steps - n_val, n_steps - horizon
    starts = np.linspace(first, last, n_starts).round().astype(int)
    return tuple(sorted(set(int(s) for s in starts)))


def select_alpha_by_forecast(alphas, train, forecast, truth, starts, *, horizon,
                             threshold=0.4):
    """The ridge penalty whose readout forecasts held-out data best in closed loop.

    For every ``alpha``, ``readout = train(alpha)`` (trained before the
    validation part) forecasts ``horizon`` steps from each start; a forecast
    scores its valid steps, those before the RMSE over the (standardised)
    variables first exceeds ``threshold``. The best alpha has the most valid
    steps on average; ties go to the lower mean RMSE over the horizon.

    Parameters
    ----------
    alphas : sequence of float
    train : callable
        ``train(alpha) -> readout``.
    forecast : callable
        ``forecast(readout, start) -> ndarray of shape (horizon, n_dims)``:
        the closed-loop forecast of ``truth[start:start + horizon]``.
    truth : ndarray of shape (n_steps, n_dims)
        The standardised series.
    starts : sequence of int
        Validation starts (e.g. :func:`validation_starts`).
    horizon : int
    threshold : float, default=0.4

    Returns
    -------
    alpha : float
    scores : dict
        ``alpha -> (mean valid steps, mean RMSE)``.
    """
    return select_by_forecast([float(alpha) for alpha in alphas], train, forecast, truth,
                              starts, horizon=horizon, threshold=threshold)


def select_by_forecast(candidates, train, forecast, truth, starts, *, horizon,
                       threshold=0.4):
    """The candidate readout that forecasts held-out data best in closed loop.

    :func:`select_alpha_by_forecast` for any hashable candidates (for example
    ``(readout kind, alpha)`` pairs): ``train(candidate) -> readout``, each
    readout scored by the mean valid steps of its forecasts from ``starts``,
    ties to the lower mean RMSE; the first of equal candidates wins.

    Returns
    -------
    candidate : hashable
        The best of ``candidates``.
    scores : dict
        ``candidate -> (mean valid steps, mean RMSE)``, in the order tried.
    """
    scores = {}
    for candidate in candidates:
        readout = train(candidate)
        valid, errors = [], []
        for start in starts:
            error = np.sqrt(np.mean((forecast(readout, start)
                                     - truth[start:start + horizon]) ** 2, axis=1))
            above = np.flatnonzero(~(error <= threshold))
            valid.append(above[0] if len(above) else horizon)
            errors.append(np.mean(error))
        scores[candidate] = (float(np.mean(valid)), float(np.mean(errors)))
    best = max(scores, key=lambda c: (scores[c][0], -scores[c][1]))
    return best, scores


def evaluate_forecaster(model, series, *, n_train, n_starts=5, horizon=300, warmup=100,
                        thresholds=(0.1, 0.4), scale=None, fit=True):
    """Fit ``model`` on the start of ``series``, then score it on later windows.

    Parameters
    ----------
    model : estimator
        With ``fit``, ``predict`` and ``forecast(n_steps, warmup=...)``.
    series : ndarray of shape (n_steps, n_dims)
    n_train : int
        Training steps (``series[:n_train]``); every test window lies after.
    n_starts, horizon, warmup : int
        Test windows, forecast length and true warm-up steps per window.
    thresholds : sequence of float
        NRMSE thresholds of the valid prediction time.
    scale : ndarray of shape (n_dims,), optional
        Per-variable normaliser of the errors; default the std of the whole
        series (the attractor's long-term std).
    fit : bool, default=True
        False scores an already fitted model.

    Returns
    -------
    ForecastEvaluation
    """
    series = np.asarray(series, dtype=np.float64)
    check_number("evaluate_forecaster", "n_train", n_train, "int", 2)
    check_number("evaluate_forecaster", "horizon", horizon, "int", 1)
    check_number("evaluate_forecaster", "warmup", warmup, "int", 1)
    starts = forecast_windows(len(series), n_train, n_starts, horizon, warmup)
    scale = series.std(axis=0) if scale is None else np.asarray(scale, dtype=float)
    began = time.perf_counter()
    if fit:
        model.fit(series[:n_train])
    fitted = time.perf_counter()
    truth, one_step, forecasts, vpt, counts = [], [], [], [], []
    for start in starts:
        context = series[start - warmup:start + horizon]
        one_step.append(model.predict(context)[warmup - 1:-1])
        truth.append(context[warmup:])
        forecast = model.forecast(horizon, warmup=series[start - warmup:start])
        forecasts.append(forecast)
        counts.append(getattr(model, "forecast_counts_", None))
        vpt.append([valid_prediction_time(context[warmup:], forecast, threshold=t,
                                          scale=scale).steps for t in thresholds])
    return ForecastEvaluation(
        one_step_nrmse=nrmse(np.vstack(truth), np.vstack(one_step), scale=scale),
        vpt_steps=np.array(vpt, dtype=float), thresholds=tuple(thresholds), starts=starts,
        forecasts=np.array(forecasts), fit_seconds=fitted - began,
        test_seconds=time.perf_counter() - fitted,
        one_step_nrmse_windows=np.array([nrmse(t, p, scale=scale)
                                         for t, p in zip(truth, one_step)]),
        forecast_counts=None if counts[0] is None else np.array(counts))




@dataclass
class SeedEvaluations:
    """One model's :class:`ForecastEvaluation` for several seeds, pooled.

    Attributes
    ----------
    evaluations : list of ForecastEvaluation
        One per seed, in the order of the seeds.
    seeds : tuple
        The seeds.
    """

    evaluations: list
    seeds: tuple

    @property
    def one_step_nrmse(self):
        """Median over seeds of the one-step NRMSE (float)."""
        return float(np.median([e.one_step_nrmse for e in self.evaluations]))

    @property
    def vpt_steps(self):
        """Valid prediction times of every window of every seed, ndarray of shape
        (n_seeds * n_starts, n_thresholds), in steps."""
        return np.vstack([e.vpt_steps for e in self.evaluations])

    @property
    def thresholds(self):
        """NRMSE thresholds of the columns of :attr:`vpt_steps`."""
        return self.evaluations[0].thresholds

    @property
    def fit_seconds(self):
        """Mean wall time of one fit, s."""
        return float(np.mean([e.fit_seconds for e in self.evaluations]))

    @property
    def test_seconds(self):
        """Mean wall time of one model's tests, s."""
        return float(np.mean([e.test_seconds for e in self.evaluations]))

    def vpt_lyapunov(self, dt, lyapunov_exponent):
        """:attr:`vpt_steps` in Lyapunov times."""
        return self.vpt_steps * dt * lyapunov_exponent


def compare_forecasters(models, series, seeds, *, deterministic=(), **protocol):
    """Evaluate several models over seeds on the same series and windows.

    Parameters
    ----------
    models : dict
        ``name -> make(seed)``, a function returning an unfitted model.
    series : ndarray of shape (n_steps, n_dims)
    seeds : sequence of int
        Seeds handed to every ``make``.
    deterministic : collection of str, default=()
        Names of models that do not depend on the seed: evaluated once, with
        the first seed.
    **protocol
        Keyword arguments of :func:`evaluate_forecaster` (``n_train``,
        ``n_starts``, ``horizon``, ``warmup``, ``thresholds``, ``scale``).

    Returns
    -------
    dict
        ``name -> SeedEvaluations``, in the order of ``models``.
    """
    seeds = tuple(seeds)
    if not seeds:
        raise ValueError("'seeds' must hold at least one seed.")
    unknown = sorted(set(deterministic) - set(models))
    if unknown:
        raise ValueError(f"'deterministic' names models that are not in 'models': {unknown}.")
    results = {}
    for name, make in models.items():
        used = seeds[:1] if name in deterministic else seeds
        results[name] = SeedEvaluations(
            [evaluate_forecaster(make(seed), series, **protocol) for seed in used], used)
    return results
