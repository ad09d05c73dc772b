"""Wasserstein Bayesian optimisation of parameter distributions (SPEC §8).

A candidate is a set of gamma distributions (and optional scalars); candidates
are compared by the 2-Wasserstein distance between corresponding
distributions, and a Gaussian process with a Matérn kernel on those distances
is the surrogate.
"""

from .bo import WassersteinBO, expected_improvement
from .distance import (
    combine,
    distance_features,
    distance_names,
    gamma_cell_means,
    group_distances,
    group_scales,
    joint_samples,
    sinkhorn_distance,
    w2_gamma,
    wasserstein_gamma,
)
from ..heterogeneity import Gamma
from .gp import WassersteinGP, matern
from .objectives import (AccuracyObjective, ForecastObjective, MemoryCapacityObjective,
                         SyntheticObjective, spike_count_objective)
from .tuning import ValidationForecastObjective, tune_forecaster, tuning_space
from .space import (
    DEFAULT_GROUPS,
    DEFAULT_SCALARS,
    Candidate,
    DistributionParam,
    ScalarParam,
    SearchSpace,
    candidate_from_json,
    candidate_to_json,
)

__all__ = [
    "ValidationForecastObjective",
    "tune_forecaster",
    "tuning_space",
    "AccuracyObjective",
    "ForecastObjective",
    "MemoryCapacityObjective",
    "SyntheticObjective",
    "WassersteinBO",
    "expected_improvement",
    "spike_count_objective",
    "Candidate",
    "DEFAULT_GROUPS",
    "DEFAULT_SCALARS",
    "DistributionParam",
    "Gamma",
    "ScalarParam",
    "SearchSpace",
    "WassersteinGP",
    "candidate_from_json",
    "candidate_to_json",
    "combine",
    "distance_features",
    "distance_names",
    "gamma_cell_means",
    "group_distances",
    "group_scales",
    "joint_samples",
    "matern",
    "sinkhorn_distance",
    "w2_gamma",
    "wasserstein_gamma",
]
