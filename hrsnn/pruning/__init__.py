"""Pruning: Lyapunov noise pruning (LNP), its pieces and its baselines; DPAP."""

from ._common import PruningResult
from .baselines import activity_prune, random_like
from .delocalise import Delocalisation, add_delocalising_edges, laplacian_ipr
from .dpap import DPAP
from .dpap_layers import DPAPCallback
from .dpap_reservoir import dpap_prune
from .lnp import lnp
from .lyapunov_matrix import lyapunov_matrix, neighbourhood_harmonic_means
from .neurons import NeuronPruning, prune_neurons
from .retune import Retuning, TimescaleObjective, retune_timescales
from .noise import (NoisePruning, keep_probabilities, noise_prune, rate_matrix,
                    relative_covariance_error, sampled_covariance_entries, sparsify,
                    stationary_covariance)

__all__ = [
    "DPAP", "DPAPCallback", "Delocalisation", "NeuronPruning", "NoisePruning", "PruningResult", "Retuning",
    "TimescaleObjective", "activity_prune", "add_delocalising_edges", "dpap_prune", "keep_probabilities",
    "laplacian_ipr", "lnp", "lyapunov_matrix", "neighbourhood_harmonic_means",
    "noise_prune", "prune_neurons", "random_like", "rate_matrix",
    "relative_covariance_error", "retune_timescales", "sampled_covariance_entries",
    "sparsify", "stationary_covariance",
]
