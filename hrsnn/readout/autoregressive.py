"""Linear baselines: ridge on lagged values, for forecasting and for sequence tasks.

:class:`AutoregressiveRidge` has the :class:`Forecaster`'s interface (an
autonomous series); :class:`LaggedRidge` has the :class:`SequenceRegressor`'s
(input sequence to output sequence). Both read :func:`lagged_inputs`.
"""


import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import RidgeCV
from sklearn.utils.validation import check_is_fitted

from .._validation import check_choice, check_number
from ..metrics import RIDGE_ALPHAS
from ._common import TARGETS, _as_series


class AutoregressiveRidge(BaseEstimator):
    """Linear autoregressive baseline: ridge on the last ``lags`` values.

    Same interface as :class:`Forecaster` (``fit``, ``predict``,
    ``forecast``), so the two can be compared on equal terms.

    Parameters
    ----------
    lags : int, default=5
        Past values per prediction (``x(t), ..., x(t - lags + 1)``).
    alphas : sequence of float, default=RIDGE_ALPHAS
        Candidate regularisations, chosen by leave-one-out CV (``RidgeCV``);
        default :data:`hrsnn.metrics.RIDGE_ALPHAS`.
    target : {"delta", "next"}, default="delta"
        Learn the increment or the next value.

    Attributes
    ----------
    readout_ : sklearn.linear_model.RidgeCV
    n_dims_ : int
    """

    def __init__(self, lags=5, *, alphas=RIDGE_ALPHAS, target="delta"):
        self.lags = lags
        self.alphas = alphas
        self.target = target

    def fit(self, X, y=None):
        """Fit on one series of shape (n_steps, n_dims) or (n_steps,)."""
        check_number(type(self).__name__, "lags", self.lags, "int", 1)
        check_choice(type(self).__name__, "target", self.target, TARGETS)
        series = _as_series(X, "X")
        if len(series) < self.lags + 2:
            raise ValueError(f"X has {len(series)} steps; AutoregressiveRidge with "
                             f"lags={self.lags} needs at least {self.lags + 2}.")
        lagged = self._lagged(series)[self.lags - 1:-1]
        following = series[self.lags:]
        target = following - series[self.lags - 1:-1] if self.target == "delta" else following
        self.readout_ = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(lagged, target)
        self.n_dims_ = series.shape[1]
        return self

    def predict(self, X):
        """One-step-ahead predictions; depends on ``X`` only.

        Parameters
        ----------
        X : array_like of shape (n_steps, n_dims) or (n_steps,)

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
            Row ``t`` predicts ``X[t + 1]`` (missing early lags repeat ``X[0]``).
        """
        series = self._checked(X, "X", 2)
        return self._next(self._lagged(series), series)

    def forecast(self, n_steps, warmup):
        """Closed-loop forecast of the ``n_steps`` steps after ``warmup``.

        Parameters
        ----------
        n_steps : int
        warmup : array_like of shape (n_warmup, n_dims) or (n_warmup,)
            True values right before the forecast (at least one step; missing
            early lags repeat ``warmup[0]``). Nothing else is used.

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
        """
        check_number(type(self).__name__, "n_steps", n_steps, "int", 1)
        series = self._checked(warmup, "warmup", 1)
        history = list(np.vstack([np.repeat(series[:1], self.lags, axis=0), series])
                       [-self.lags:])
        out = np.empty((n_steps, self.n_dims_))
        for k in range(n_steps):
            row = np.concatenate(history[::-1][:self.lags])[None]
            out[k] = self._next(row, history[-1][None])[0]
            history.append(out[k])
        return out

    def _checked(self, X, name, min_steps):
        check_is_fitted(self, "readout_")
        series = _as_series(X, name, min_steps)
        if series.shape[1] != self.n_dims_:
            raise ValueError(f"'{name}' has {series.shape[1]} variables, but "
                             f"{type(self).__name__} was fitted with {self.n_dims_}.")
        return series

    def _next(self, lagged, current):
        """Next values from lag rows ``lagged`` whose latest values are ``current``."""
        step = np.reshape(self.readout_.predict(lagged), current.shape)
        return current + step if self.target == "delta" else step

    def _lagged(self, series):
        """Row ``t``: ``[x(t), x(t-1), ..., x(t-lags+1)]``, early rows padded with ``x(0)``."""
        return lagged_inputs(series, self.lags, pad="first")


def lagged_inputs(u, lags, *, pad="zero"):
    """A tapped delay line: row ``t`` is ``[u(t), u(t-1), ..., u(t-lags+1)]``.

    Parameters
    ----------
    u : array_like of shape (n_steps, n_inputs) or (n_steps,)
    lags : int
        Taps, the current value included.
    pad : {"zero", "first"}, default="zero"
        Value of the taps before the start: 0, or ``u(0)`` repeated.

    Returns
    -------
    ndarray of shape (n_steps, lags * n_inputs)
        Column ``k * n_inputs + i`` holds ``u(t - k)`` of channel ``i``.
    """
    check_number("lagged_inputs()", "lags", lags, "int", 1)
    check_choice("lagged_inputs()", "pad", pad, ("zero", "first"))
    series = _as_series(u, "u", 1)
    head = (np.zeros_like(series[:1]) if pad == "zero" else series[:1])
    padded = np.vstack([np.repeat(head, lags - 1, axis=0), series])
    n = len(series)
    return np.hstack([padded[lags - 1 - k:lags - 1 - k + n] for k in range(lags)])


class LaggedRidge(BaseEstimator):
    """Linear baseline for sequence tasks: ridge from the last ``lags`` inputs to ``y``.

    Same interface as :class:`SequenceRegressor` for one run (``fit(u, y)``,
    ``predict(u)``); the memory is exactly the delay line
    :func:`lagged_inputs` (``u(t), ..., u(t - lags + 1)``), before the start
    taken as 0.

    Parameters
    ----------
    lags : int, default=10
    washout : int or None, default=None
        Initial rows left out of training; None means ``lags - 1`` (the rows
        whose taps reach before the start).
    alphas : sequence of float, default=RIDGE_ALPHAS
        Candidate penalties, chosen by leave-one-out CV (``RidgeCV``).

    Attributes
    ----------
    readout_ : sklearn.linear_model.RidgeCV
    n_inputs_ : int
    """

    def __init__(self, lags=10, *, washout=None, alphas=RIDGE_ALPHAS):
        self.lags = lags
        self.washout = washout
        self.alphas = alphas

    def fit(self, u, y):
        """Fit on one input sequence ``u`` (n_steps, n_inputs) and targets ``y`` (n_steps, ...)."""
        owner = type(self).__name__
        check_number(owner, "lags", self.lags, "int", 1)
        check_number(owner, "washout", self.washout, "int", 0, allow_none=True)
        washout = self.lags - 1 if self.washout is None else self.washout
        features = lagged_inputs(u, self.lags)
        y = np.asarray(y, dtype=float)
        if len(y) != len(features):
            raise ValueError(f"'y' of {owner} must have one row per input step: {len(features)} "
                             f"steps in 'u', {len(y)} in 'y'.")
        if len(y) - washout < 2:
            raise ValueError(f"{owner} needs at least 2 rows after washout={washout}; 'u' has "
                             f"{len(y)} steps.")
        self.readout_ = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(
            features[washout:], y[washout:])
        self.n_inputs_ = features.shape[1] // self.lags
        return self

    def predict(self, u):
        """Outputs for ``u``, row ``t`` from ``u(t), ..., u(t - lags + 1)``."""
        check_is_fitted(self, "readout_")
        features = lagged_inputs(u, self.lags)
        if features.shape[1] != self.lags * self.n_inputs_:
            raise ValueError(f"'u' has {features.shape[1] // self.lags} input channels, but "
                             f"{type(self).__name__} was fitted with {self.n_inputs_}.")
        return self.readout_.predict(features)
