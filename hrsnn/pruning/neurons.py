"""Neuron pruning by betweenness centrality (LNP step II).

Neurons that lie on few shortest paths of the synapse graph (length
``1 / |w|``, :func:`hrsnn.graph.betweenness`) relay little; the lowest ones
are removed with all their synapses. Two kinds of neurons are handled
explicitly:

- input-receiving neurons (targets of input synapses) are kept by default
  (``keep_inputs=True``): removing them cuts input channels off; with
  ``keep_inputs=False`` they compete like the others, and the input
  synapses of removed neurons go with them;
- ``protect``: any other neurons to keep (for example the ones a readout
  reads); they are never removed whatever their centrality.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import check_number
from ..graph import betweenness


@dataclass(frozen=True)
class NeuronPruning:
    """The result of :func:`prune_neurons`.

    Attributes
    ----------
    network : Network
        The network without the removed neurons (the input is untouched).
    removed : ndarray of shape (n_removed,)
        Indices, in the original network, of the removed neurons.
    centrality : ndarray of shape (n_neurons,)
        Betweenness of every neuron of the original network.
    """

    network: object
    removed: np.ndarray
    centrality: np.ndarray


def prune_neurons(network, *, fraction=None, threshold=None, keep_inputs=True, protect=(),
                  k=None, random_state=None):
    """Remove the least central neurons of ``network``.

    Give exactly one of ``fraction`` or ``threshold``.

    Parameters
    ----------
    network : Network
    fraction : float or None
        Share of the removable neurons to remove, the lowest first
        (``round(fraction * n_removable)``; ties go to the lower index).
    threshold : float or None
        Remove every removable neuron whose betweenness is ``<= threshold``.
    keep_inputs : bool, default=True
        Never remove neurons that receive input synapses.
    protect : array_like of int, default=()
        Neuron indices never removed.
    k, random_state
        Sampled betweenness (see :func:`hrsnn.graph.betweenness`).

    Returns
    -------
    NeuronPruning
    """
    if (fraction is None) == (threshold is None):
        raise ValueError("prune_neurons() takes exactly one of 'fraction' and 'threshold'.")
    protect = np.asarray(protect, dtype=np.int64).ravel()
    if protect.size and (protect.min() < 0 or protect.max() >= network.n_neurons):
        raise ValueError(f"'protect' must hold neuron indices in [0, {network.n_neurons}); "
                         f"got {protect.min()} .. {protect.max()}.")
    centrality = betweenness(network.to_networkx(), k=k, random_state=random_state)
    removable = np.ones(network.n_neurons, dtype=bool)
    removable[protect] = False
    if keep_inputs:
        removable[network.in_post] = False
    candidates = np.flatnonzero(removable)
    if fraction is not None:
        check_number("prune_neurons", "fraction", fraction, "float", 0.0, 1.0)
        order = candidates[np.argsort(centrality[candidates], kind="stable")]
        removed = np.sort(order[:int(round(fraction * candidates.size))])
    else:
        check_number("prune_neurons", "threshold", threshold, "float")
        removed = candidates[centrality[candidates] <= threshold]
    if removed.size == network.n_neurons:
        raise ValueError("prune_neurons() would remove every neuron; lower 'fraction' or "
                         "'threshold'.")
    keep = np.setdiff1d(np.arange(network.n_neurons), removed)
    return NeuronPruning(network.keep_neurons(keep), removed, centrality)
