"""Turn a time series into input/target pairs for forecasting."""

import numbers

import numpy as np


def to_forecasting(series, horizon=1):
    """Pairs ``(series[t], series[t + horizon])`` for every ``t`` that has both.

    Parameters
    ----------
    series : array_like of shape (n_steps, n_dims) or (n_steps,)
        The series; 1-D means one dimension.
    horizon : int, default=1
        How many steps ahead the target lies (1 <= horizon < n_steps).

    Returns
    -------
    X : ndarray of shape (n_steps - horizon, n_dims)
        Inputs ``series[:-horizon]``.
    y : ndarray of shape (n_steps - horizon, n_dims)
        Targets ``series[horizon:]``; ``y[t] = X[t + horizon]`` where both exist.
        Both are views of the (2-D) series, not copies.
    """
    series = np.asarray(series)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2:
        raise ValueError("The series must have shape (n_steps, n_dims) or (n_steps,); "
                         f"got {series.ndim} dimensions.")
    if isinstance(horizon, bool) or not isinstance(horizon, numbers.Integral) or horizon < 1:
        raise ValueError("The 'horizon' parameter of to_forecasting must be an integer >= 1. "
                         f"Got {horizon!r} instead.")
    n = len(series)
    if horizon >= n:
        raise ValueError(f"horizon={horizon} is longer than the data: the series has {n} "
                         f"steps, so the horizon must be at most {n - 1}.")
    return series[:-horizon], series[horizon:]
