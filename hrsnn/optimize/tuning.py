"""Operating points per task: a forecaster's reservoir tuned on its own training series.

:func:`tune_forecaster` searches the reservoir's distributions and scalars with
:class:`~hrsnn.optimize.WassersteinBO`. Every candidate is scored by
:class:`ValidationForecastObjective`: the forecaster is fitted on the training
series alone, and its score is what its own selection maximises, the valid
steps of its closed-loop forecasts of the held-out tail of that series. Test
data are never seen.
"""

import numpy as np
from sklearn.base import clone

from .._validation import check_number
from ..readout import Forecaster
from ..readout._common import _as_series, _new_reservoir
from .bo import WassersteinBO
from .space import SearchSpace

#: The default tuning space: membrane time constants and thresholds (gamma
#: shape and mean each), input and recurrent weight scales and the readout's
#: filter time constant.
TUNING_GROUPS = ("tau_m_exc", "tau_m_inh", "v_th")
TUNING_SCALARS = ("w_in", "w_scale", "tau_readout")
#: Weight of the validation RMSE in the objective: it only breaks ties between
#: candidates of (nearly) equal valid steps.
RMSE_WEIGHT = 0.01


def tuning_space():
    """:class:`SearchSpace` of ``TUNING_GROUPS`` and ``TUNING_SCALARS``, with the ranges of
    :mod:`hrsnn.model`."""
    return SearchSpace.default(groups=TUNING_GROUPS, scalars=TUNING_SCALARS)


class ValidationForecastObjective:
    """Closed-loop validation score of a :class:`~hrsnn.Forecaster` on one series.

    ``objective(params)`` fits a clone of ``forecaster`` whose reservoir has
    the Reservoir parameters ``params`` on ``X``, and returns ``valid -
    RMSE_WEIGHT * rmse`` for the better of its layouts (``layout_scores_``):
    the mean valid steps of its validation forecasts inside ``X`` and their
    mean RMSE (standardised units). Larger is better.

    Parameters
    ----------
    forecaster : Forecaster
        Unfitted template (``selection="forecast"``); its reservoir (or the
        default one) gives every parameter that ``params`` does not.
    X : ndarray of shape (n_steps, n_dims)
        The training series.
    """

    def __init__(self, forecaster, X):
        self.forecaster, self.X = forecaster, X

    def __call__(self, params):
        return float(self.fitted(params).tuning_score_)

    def fitted(self, params):
        """The forecaster fitted on ``X`` with the reservoir parameters ``params``; its
        score is ``tuning_score_``."""
        template = self.forecaster
        reservoir = _new_reservoir(template.reservoir, template.random_state)
        model = clone(template).set_params(reservoir=reservoir.set_params(**params)).fit(self.X)
        valid, negative_rmse = max(model.layout_scores_.values())
        model.tuning_score_ = valid + RMSE_WEIGHT * negative_rmse
        return model

    def __repr__(self):
        return (f"ValidationForecastObjective(n_steps={len(self.X)}, "
                f"n_dims={np.shape(self.X)[1]})")


def tune_forecaster(forecaster, X, *, n_iter=20, space=None, n_initial=8, random_state=0,
                    checkpoint=None, progress=False):
    """Tune a forecaster's reservoir on closed-loop validation inside its training series.

    Parameters
    ----------
    forecaster : Forecaster
        Unfitted template with ``selection="forecast"`` (left unchanged).
    X : array_like of shape (n_steps, n_dims) or (n_steps,)
        The training series; only it is used.
    n_iter : int, default=20
        Evaluations (fits of the forecaster), the first ``n_initial`` of them a
        Sobol design, the rest proposed by the Wasserstein GP.
    space : SearchSpace or None, default=None
        What is searched; None means :func:`tuning_space` (membrane time
        constants, thresholds, ``w_in``, ``w_scale``, ``tau_readout``).
    n_initial : int, default=8
        Initial design of the optimiser (at most ``n_iter``).
    random_state : int, default=0
        Seed of the optimiser's proposals (the reservoir keeps its own seed).
    checkpoint : str or PathLike or None, default=None
        JSON-lines file of every ask and result (see :class:`WassersteinBO`);
        an existing one is continued.
    progress : bool, default=False
        Show a progress bar.

    Returns
    -------
    model : Forecaster
        Fitted on ``X`` with the best parameters found (its reservoir carries
        them; ``model.tuning_score_`` is their score).
    bo : WassersteinBO
        The search: ``bo.history_`` holds every candidate and score,
        ``bo.best_`` the best.

    Raises
    ------
    TypeError
        If ``forecaster`` is not a Forecaster.
    ValueError
        If it does not select on validation forecasts, or ``n_iter`` /
        ``n_initial`` are not positive integers with ``n_initial <= n_iter``.
    """
    owner = "tune_forecaster()"
    if not isinstance(forecaster, Forecaster):
        raise TypeError(f"The 'forecaster' argument of {owner} must be an hrsnn Forecaster. "
                        f"Got {type(forecaster).__name__} instead.")
    if forecaster.selection != "forecast":
        raise ValueError(f"{owner} scores candidates by their closed-loop validation "
                         "forecasts; pass a Forecaster with selection='forecast'.")
    check_number(owner, "n_iter", n_iter, "int", 1)
    check_number(owner, "n_initial", n_initial, "int", 1, n_iter)
    series = _as_series(X, "X", owner=owner)
    space = tuning_space() if space is None else space
    objective = ValidationForecastObjective(forecaster, series)
    bo = WassersteinBO(space, n_initial=n_initial, random_state=random_state,
                       checkpoint=checkpoint, progress=progress)
    bo.optimize(objective, n_iter=n_iter)
    return objective.fitted(bo.best_["params"]), bo
