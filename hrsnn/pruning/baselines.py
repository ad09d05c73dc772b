"""The baselines LNP is compared with.

- Activity pruning (AP, the paper's baseline): each iteration simulates the
  network on a reference input and removes the ``fraction`` of removable
  neurons that fired least (ties: lower index), with their synapses.
  Input-receiving neurons are kept by default and ``protect``-ed ones always,
  as in :func:`~hrsnn.pruning.prune_neurons`.
- Random networks of the same size: the neurons (and input synapses) of a
  given network, with as many recurrent synapses as it has, placed
  uniformly among the ordered pairs of distinct neurons (Erdős–Rényi with a
  fixed edge count); weights drawn from a template network's weights of the
  same type pair (Dale's law kept), new E->E synapses plastic with STDP
  parameters from the network's distributions.
"""

import numpy as np

from .._validation import check_number
from ._common import (PruningResult, history_row, pruning_source, reference_input_for,
                      spike_counts, weights_like)


def activity_prune(source, *, n_iter=3, fraction=0.1, keep_inputs=True, protect=(),
                   reference_input=None, random_state=0):
    """Remove the least active neurons, ``fraction`` of the removable ones per iteration.

    Parameters
    ----------
    source : Network or Reservoir
        A network, or a fitted reservoir (its ``network_``; untouched).
    n_iter : int, default=3
    fraction : float, default=0.1
    keep_inputs : bool, default=True
        Never remove neurons that receive input synapses.
    protect : array_like of int, default=()
        Indices (in ``source``'s network) of neurons never removed.
    reference_input : ndarray of shape (n_steps, n_inputs) or None
        The activity-measuring input; None is i.i.d. ``U(-1, 1)``, 500 steps.
    random_state : int, default=0
        Seed of the default reference input.

    Returns
    -------
    PruningResult
    """
    network, reservoir, protected_ids = pruning_source(source, protect)
    check_number("activity_prune", "n_iter", n_iter, "int", 0)
    check_number("activity_prune", "fraction", fraction, "float", 0.0, 1.0)
    u = reference_input_for(network, reference_input, np.random.default_rng(random_state))
    history, networks = [history_row(0, network, u, reservoir)], [network]
    for iteration in range(1, n_iter + 1):
        counts, _ = spike_counts(network, u, reservoir)
        removable = ~np.isin(network.neuron_id, protected_ids)
        if keep_inputs:
            removable[network.in_post] = False
        candidates = np.flatnonzero(removable)
        order = candidates[np.argsort(counts[candidates], kind="stable")]
        removed = order[:int(round(fraction * candidates.size))]
        if removed.size == network.n_neurons:
            raise ValueError("activity_prune() would remove every neuron; lower 'fraction'.")
        network = network.keep_neurons(np.setdiff1d(np.arange(network.n_neurons), removed))
        history.append(history_row(iteration, network, u, reservoir))
        networks.append(network)
    return PruningResult.of(networks, history, reservoir)


def random_like(network, *, template=None, random_state=0):
    """A random network with ``network``'s neurons and synapse count.

    Parameters
    ----------
    network : Network
        Gives the neurons, input synapses and the number of recurrent
        synapses (e.g. LNP's network at some iteration).
    template : Network or None
        Whose weights the new ones are drawn from (e.g. the unpruned
        network); None means ``network`` itself.
    random_state : int, default=0

    Returns
    -------
    Network
        ``network`` without its recurrent synapses plus the random ones (new
        synapse ids); neuron ids are kept.
    """
    template = network if template is None else template
    n, n_synapses = network.n_neurons, network.n_synapses
    if n_synapses > n * (n - 1):
        raise ValueError(f"random_like() cannot place {n_synapses} synapses among {n} "
                         "neurons without self-connections or duplicates.")
    rng = np.random.default_rng(random_state)
    flat = rng.choice(n * (n - 1), size=n_synapses, replace=False)
    pre = flat // (n - 1)
    post = flat % (n - 1)
    post = post + (post >= pre)                         # skip the diagonal
    weights = weights_like(template, network.is_exc[pre], network.is_exc[post], rng)
    empty = network.keep_synapses(np.zeros(n_synapses, dtype=bool))
    return empty.add_synapses(pre, post, weights, random_state=rng)
