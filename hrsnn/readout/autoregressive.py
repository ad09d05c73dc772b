"""The linear autoregressive baseline with the Forecaster's interface."""


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
        padded = np.vstack([np.repeat(series[:1], self.lags - 1, axis=0), series])
        n = len(series)
        return np.hstack([padded[self.lags - 1 - k:self.lags - 1 - k + n]
                          for k in range(self.lags)])
