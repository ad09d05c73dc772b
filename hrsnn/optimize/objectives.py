"""Ready-made objectives: build a reservoir from a candidate's parameters, return a float.

Every objective is a picklable callable ``objective(params) -> float`` where
``params`` are :class:`~hrsnn.Reservoir` keyword arguments (what
:meth:`SearchSpace.to_reservoir_params` gives). **Larger is better** for
all of them, so quantities to minimise come negated (``-S``, ``-NRMSE``).
"""

import numpy as np
from sklearn.linear_model import RidgeClassifierCV
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.pipeline import make_pipeline

from .. import metrics
from ..reservoir import Reservoir
from ..studies import memory_capacity_record

_MC_QUANTITIES = {"mc": 1.0, "spikes": -1.0, "mc_per_spike": 1.0}


class MemoryCapacityObjective:
    """Memory capacity ``MC``, spike count ``S`` or ``MC / (S / N)`` of a reservoir.

    Runs :func:`hrsnn.studies.memory_capacity_record` (STDP on one i.i.d.
    input, MC and spikes measured on another) for the candidate.

    Parameters
    ----------
    quantity : {"mc", "spikes", "mc_per_spike"}, default="mc_per_spike"
        What to return; ``"spikes"`` returns ``-S`` (fewer is better).
        ``"mc_per_spike"`` is the paper's choice.
    n_neurons : int, default=500
    seed : int, default=0
        Seed of the network and of the inputs (the same for every candidate,
        so candidates are compared on equal terms).
    n_steps, n_fit_steps, k_max : int
        Measuring input length, STDP input length and largest delay.
    heterogeneity : str, default="HeNHeS"
    **fixed
        Other :class:`~hrsnn.Reservoir` parameters; a candidate's own
        parameters take precedence.
    """

    def __init__(self, quantity="mc_per_spike", *, n_neurons=500, seed=0, n_steps=2000,
                 n_fit_steps=1000, k_max=50, heterogeneity="HeNHeS", **fixed):
        if quantity not in _MC_QUANTITIES:
            raise ValueError(f"'quantity' must be one of {tuple(_MC_QUANTITIES)}; "
                             f"got {quantity!r}.")
        self.quantity, self.n_neurons, self.seed = quantity, n_neurons, seed
        self.n_steps, self.n_fit_steps, self.k_max = n_steps, n_fit_steps, k_max
        self.heterogeneity, self.fixed = heterogeneity, fixed

    def __call__(self, params):
        record = memory_capacity_record(
            self.heterogeneity, self.seed, n_neurons=self.n_neurons, n_steps=self.n_steps,
            n_fit_steps=self.n_fit_steps, k_max=self.k_max, **{**self.fixed, **params})
        return _MC_QUANTITIES[self.quantity] * float(record[self.quantity])

    def __repr__(self):
        return (f"MemoryCapacityObjective({self.quantity!r}, n_neurons={self.n_neurons}, "
                f"seed={self.seed})")


def spike_count_objective(**kwargs):
    """``-S``: the negated spike count (see :class:`MemoryCapacityObjective`)."""
    return MemoryCapacityObjective("spikes", **kwargs)


class ForecastObjective:
    """``-NRMSE`` of closed-loop forecasts of a system by a :class:`~hrsnn.Forecaster`.

    Parameters
    ----------
    system : str, default="lorenz63"
        A name of :data:`data_loaders.SYSTEMS`.
    n_train, horizon, warmup, n_starts : int
        Training steps, forecast steps per window, true warm-up steps before
        each window, windows (all after the training data).
    n_neurons, seed : int
        Reservoir size and seed (also of the series' initial state).
    **fixed
        Other reservoir parameters (on top of the :class:`hrsnn.Reservoir` defaults).
    """

    def __init__(self, system="lorenz63", *, n_train=1000, horizon=50, warmup=50,
                 n_starts=3, n_neurons=500, seed=0, **fixed):
        self.system, self.n_train, self.horizon = system, n_train, horizon
        self.warmup, self.n_starts, self.n_neurons = warmup, n_starts, n_neurons
        self.seed, self.fixed = seed, fixed

    def __call__(self, params):
        from data_loaders import load_system

        from ..evaluation import evaluate_forecaster
        from ..readout import Forecaster
        from ..reservoir import Reservoir
        n_total = self.n_train + self.n_starts * (self.warmup + self.horizon)
        series = load_system(self.system, n_total, random_state=self.seed)
        reservoir = Reservoir(self.n_neurons, random_state=self.seed,
                              **{**self.fixed, **params})
        result = evaluate_forecaster(Forecaster(reservoir), series, n_train=self.n_train,
                                     n_starts=self.n_starts, horizon=self.horizon,
                                     warmup=self.warmup)
        truth = np.stack([series[s:s + self.horizon] for s in result.starts])
        return -metrics.nrmse(truth.reshape(-1, series.shape[1]),
                              result.forecasts.reshape(-1, series.shape[1]),
                              scale=series.std(axis=0))

    def __repr__(self):
        return f"ForecastObjective({self.system!r}, n_neurons={self.n_neurons})"


class AccuracyObjective:
    """Cross-validated accuracy of ``Reservoir(**params) + RidgeClassifierCV``.

    Parameters
    ----------
    X : ndarray of shape (n_samples, n_steps, n_inputs)
    y : ndarray of shape (n_samples,)
    cv : int, default=3
        Stratified folds (shuffled with ``seed``).
    seed : int, default=0
        Reservoir and fold seed.
    n_neurons : int, default=500
    **fixed
        Other reservoir parameters.
    """

    def __init__(self, X, y, *, cv=3, seed=0, n_neurons=500, **fixed):
        self.X, self.y, self.cv, self.seed = X, y, cv, seed
        self.n_neurons, self.fixed = n_neurons, fixed

    def __call__(self, params):
        model = make_pipeline(
            Reservoir(self.n_neurons, random_state=self.seed, **{**self.fixed, **params}),
            RidgeClassifierCV(alphas=metrics.RIDGE_ALPHAS))
        folds = StratifiedKFold(self.cv, shuffle=True, random_state=self.seed)
        return float(np.mean(cross_val_score(model, self.X, self.y, cv=folds)))

    def __repr__(self):
        return f"AccuracyObjective(n_samples={len(self.y)}, cv={self.cv})"


class SyntheticObjective:
    """A cheap objective with a known optimum: ``-sum_g (d_g(candidate, target))^2``.

    ``d_g`` is the normalised per-group distance of
    :func:`~hrsnn.optimize.group_distances` (W2 for distributions), so the
    maximum, 0, is reached exactly at ``target``. For tests and benchmarks
    of the optimiser itself (it never builds a reservoir).

    Parameters
    ----------
    space : SearchSpace
    target : dict, optional
        The optimum; default a random candidate of the space (``seed``).
    seed : int, default=0
    """

    def __init__(self, space, target=None, seed=0):
        self.space = space
        self.target = target if target is not None else space.sample(
            1, random_state=seed, method="random")[0]

    def __call__(self, params):
        from .distance import group_distances
        candidate = self._candidate(params)
        d = group_distances([candidate], [self.target], self.space)[0, 0]
        return -float(np.sum(d ** 2))

    def _candidate(self, params):
        """Reservoir parameters back to a candidate of the space."""
        from ..heterogeneity import Gamma
        from .space import DistributionParam
        out = {}
        for param in self.space.params:
            if isinstance(param, DistributionParam):
                out[param.name] = Gamma(*(params[name] for name in param.reservoir_names))
            else:
                out[param.name] = float(params[param.name])
        return out

    def __repr__(self):
        return f"SyntheticObjective(target={self.target!r})"
