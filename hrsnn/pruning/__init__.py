"""Pruning: Lyapunov noise pruning (LNP) of synapses and its pieces."""

from .delocalise import Delocalisation, add_delocalising_edges, laplacian_ipr
from ._common import PruningResult
from .baselines import activity_prune, random_like
from .lnp import lnp
from .lyapunov_matrix import lyapunov_matrix, neighbourhood_harmonic_means
from .neurons import NeuronPruning, prune_neurons
from .noise import (NoisePruning, keep_probabilities, noise_prune, rate_matrix,
                    relative_covariance_error, sampled_covariance_entries, sparsify,
                    stationary_covariance)

__all__ = ["Delocalisation", "activity_prune", "random_like", "PruningResult", "lnp", "NeuronPruning", "NoisePruning", "add_delocalising_edges",
           "laplacian_ipr", "keep_probabilities", "lyapunov_matrix",
           "neighbourhood_harmonic_means", "noise_prune", "prune_neurons", "rate_matrix",
           "relative_covariance_error", "sampled_covariance_entries", "sparsify", "stationary_covariance"]
