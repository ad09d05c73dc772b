"""What the pruning methods share."""

from dataclasses import dataclass, field

import numpy as np
from sklearn.base import clone

from .. import metrics

_KIND_NAMES = {0: "I->I", 1: "I->E", 2: "E->I", 3: "E->E"}


def weights_like(template, pre_exc, post_exc, rng):
    """A weight per new synapse, drawn from ``template``'s weights of the same type pair.

    Parameters
    ----------
    template : Network
    pre_exc, post_exc : ndarray of bool, shape (n_new,)
        Whether each new synapse's pre- and postsynaptic neurons are
        excitatory. Drawing within the type pair (E->E, E->I, I->E, I->I)
        keeps Dale's law and the plastic bounds.
    rng : numpy.random.Generator

    Raises
    ------
    ValueError
        If the template has no synapse of a type pair that is asked for.
    """
    kinds = template.is_exc[template.pre] * 2 + template.is_exc[template.post]
    wanted = np.asarray(pre_exc, dtype=int) * 2 + np.asarray(post_exc, dtype=int)
    weights = np.empty(wanted.size)
    for kind in np.unique(wanted):
        pool = template.weight[kinds == kind]
        if pool.size == 0:
            raise ValueError("New weights are drawn from the network's weights of the same "
                             f"type pair, but it has no {_KIND_NAMES[kind]} synapse.")
        weights[wanted == kind] = rng.choice(pool, size=int((wanted == kind).sum()))
    return weights


@dataclass(frozen=True)
class PruningResult:
    """What :func:`~hrsnn.pruning.lnp` and :func:`~hrsnn.pruning.activity_prune` return.

    Attributes
    ----------
    network : Network
        The pruned network; ``neuron_id`` / ``synapse_id`` map it back to
        the input network (``original.neuron_index(network.neuron_id)``).
    history : list of dict
        One row per state, the unpruned network first: ``iteration``,
        ``n_neurons``, ``n_synapses``, ``sops_per_step`` and, for LNP,
        ``largest_exponent`` (per ms).
    reservoir : Reservoir or None
        When a reservoir was given: an unfitted clone that uses the pruned
        network (``network=``; STDP runs on it when fitted).
    networks : tuple of Network
        The network of every history row, the input network first and
        ``network`` last (e.g. to evaluate a task after every iteration).
    """

    network: object
    history: list = field(default_factory=list)
    reservoir: object = None
    networks: tuple = ()

    @classmethod
    def of(cls, networks, history, reservoir):
        """The result of the states ``networks`` (input first), with a clone of
        ``reservoir`` on the last one if a reservoir was given."""
        network = networks[-1]
        clone_ = None if reservoir is None else clone(reservoir).set_params(network=network)
        return cls(network, history, clone_, tuple(networks))


def pruning_source(source, protect):
    """``(network, reservoir or None, ids of the protected neurons)`` of a pruning input.

    ``source`` is a Network or a fitted Reservoir (its ``network_``);
    ``protect`` holds neuron indices of that network.
    """
    from sklearn.utils.validation import check_is_fitted

    from ..reservoir import Reservoir

    reservoir = source if isinstance(source, Reservoir) else None
    if reservoir is not None:
        check_is_fitted(reservoir, "network_")
    network = source if reservoir is None else reservoir.network_
    protect = np.asarray(protect, dtype=np.int64).ravel()
    if protect.size and (protect.min() < 0 or protect.max() >= network.n_neurons):
        raise ValueError(f"'protect' must hold neuron indices in [0, {network.n_neurons}); "
                         f"got {protect.min()} .. {protect.max()}.")
    return network, reservoir, network.neuron_id[protect]


def reference_input_for(network, given, rng):
    """The SOP-measuring input: ``given``, checked, or i.i.d. ``U(-1, 1)`` of 500 steps."""
    if given is not None:
        given = np.asarray(given, dtype=np.float64)
        if given.ndim != 2 or given.shape[1] != network.n_inputs:
            raise ValueError(f"'reference_input' must have shape (n_steps, {network.n_inputs})"
                             f"; got {given.shape}.")
        return given
    return rng.uniform(-1.0, 1.0, (500, network.n_inputs))


def spike_counts(network, u, reservoir=None):
    """Spikes per neuron of ``network`` (frozen, no STDP) driven by ``u`` from rest.

    The simulation settings (``dt``, ``steps_per_input``) are ``reservoir``'s
    when one is given, else the defaults.

    Returns
    -------
    counts : ndarray of shape (n_neurons,)
    n_sim_steps : int
    """
    from ..reservoir import Reservoir

    params = {} if reservoir is None else {
        k: v for k, v in reservoir.get_params().items() if k in ("dt", "steps_per_input")}
    spiking = Reservoir(network=network, stdp=False, random_state=0, **params).fit(u[None])
    return spiking.run(u, record_spikes=False).counts, len(u) * spiking.steps_per_input


def sops_per_step(network, u, reservoir=None):
    """Synaptic operations per simulation step on ``u`` (:func:`spike_counts`)."""
    counts, n_sim_steps = spike_counts(network, u, reservoir)
    return float(metrics.synaptic_operations_from_counts(counts, network.out_degree())) \
        / n_sim_steps


def history_row(iteration, network, u, reservoir=None, **measures):
    """One ``PruningResult.history`` row: sizes, SOPs per step on ``u``, ``measures``."""
    return {"iteration": iteration, "n_neurons": network.n_neurons,
            "n_synapses": network.n_synapses, **measures,
            "sops_per_step": sops_per_step(network, u, reservoir)}
