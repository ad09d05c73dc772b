"""DPAP on a reservoir: survival-function pruning during its unsupervised STDP passes.

:func:`dpap_prune` runs ``n_epochs`` STDP passes over the training
sequences (each sequence from the reset neuron state, as
:meth:`Reservoir.fit` does) and scores, with :class:`~hrsnn.pruning.DPAP`,
the plastic E->E synapses by trace-based BCM and the excitatory neurons by
their dendritic-spine measure. The reservoir's mapping of DPAP's terms:

- a *batch* is one training sequence; its *samples* are consecutive windows
  of ``window`` simulation steps, and each neuron's trace is taken at the
  end of every window (``S(t) = trace_decay S(t-1) + s(t)``, from zero at the
  window's start). The paper's 0.5 per step suits a deep network's few time
  steps; a reservoir simulated for seconds at 1 ms steps needs traces of a
  few ms, hence the defaults ``window=20`` steps and ``trace_decay=0.9``
  (about 10 ms);
- an *epoch* is one STDP pass over all sequences; pruning starts after
  ``start_epoch`` of them (default 5, the paper's);
- inhibitory neurons (no plastic E->E synapse scores them) and
  ``protect``-ed ones are never pruned; input-receiving neurons are not
  protected (a neuron that stays silent under the input is of no use to a
  readout either); a pruned excitatory neuron goes with all its synapses.

It never sees a target: like LNP it is task-agnostic, but it looks at the
training inputs.
"""

import numpy as np

from .._validation import check_number
from ._common import PruningResult, history_row, pruning_source, reference_input_for
from .dpap import DPAP


def window_traces(spike_steps, spike_neurons, n_steps, n_neurons, window, decay):
    """End-of-window spiking traces of one run.

    Parameters
    ----------
    spike_steps, spike_neurons : ndarray of int, shape (n_spikes,)
        Step (from 0) and neuron of every spike.
    n_steps, n_neurons : int
    window : int
        Steps per window; a shorter last window ends at the last step.
    decay : float
        Trace decay per step.

    Returns
    -------
    ndarray of shape (ceil(n_steps / window), n_neurons)
        ``sum over the window's spikes of decay ** (window end - spike step)``.
    """
    n_windows = -(-n_steps // window)
    traces = np.zeros((n_windows, n_neurons))
    which = spike_steps // window
    end = np.minimum((which + 1) * window, n_steps) - 1
    np.add.at(traces, (which, spike_neurons), decay ** (end - spike_steps))
    return traces


def dpap_prune(source, X, *, n_epochs=20, window=20, trace_decay=0.9, epsilon=1.5,
               constant=2.0, start_epoch=5, eta_period=13.0, keep_learned_weights=False,
               protect=(), reference_input=None, random_state=0):
    """Prune a reservoir's E->E synapses and excitatory neurons by DPAP during STDP.

    Parameters
    ----------
    source : Network or Reservoir
        A network (simulated with the default :class:`~hrsnn.Reservoir`
        settings and ``random_state``), or a fitted reservoir (its
        ``network_``, settings and seed; untouched).
    X : array_like of shape (n_samples, n_steps, n_inputs) or (n_samples, n_steps)
        Training sequences, as for :meth:`Reservoir.fit`.
    n_epochs : int, default=20
        STDP passes over ``X``, each a DPAP epoch.
    window : int, default=20
        Simulation steps per trace window (a DPAP sample).
    trace_decay : float, default=0.9
        Trace decay per simulation step.
    epsilon, constant, start_epoch, eta_period
        Of :class:`~hrsnn.pruning.DPAP` (defaults: the paper's for fully
        connected layers).
    keep_learned_weights : bool, default=False
        False: the pruned network keeps the surviving synapses' initial
        weights (a structural pruning, which the reservoir's own STDP then
        trains, like LNP's and AP's networks); True: the weights after the
        ``n_epochs`` passes.
    protect : array_like of int, default=()
        Neurons (indices of ``source``'s network) never removed.
    reference_input : ndarray of shape (n_steps, n_inputs) or None
        Input of the SOP measurement in the history; None is i.i.d. ``U(-1, 1)``.
    random_state : int, default=0

    Returns
    -------
    PruningResult
        History rows per epoch add ``pruned_synapses`` and ``pruned_neurons``
        (at that epoch); ``networks`` holds the network after every epoch.
    """
    from ..reservoir import Reservoir

    original, reservoir, protected_ids = pruning_source(source, protect)
    check_number("dpap_prune", "n_epochs", n_epochs, "int", 1)
    check_number("dpap_prune", "window", window, "int", 1)
    check_number("dpap_prune", "trace_decay", trace_decay, "float", 0.0, 1.0)
    settings = reservoir if reservoir is not None else Reservoir(
        network=original, random_state=random_state)
    inputs = _encoded_sequences(settings, X, original)
    layer = _layer(original, protected_ids, epsilon=epsilon, constant=constant,
                   start_epoch=start_epoch, eta_period=eta_period)
    u = reference_input_for(original, reference_input, np.random.default_rng(random_state))
    history = [history_row(0, original, u, reservoir, pruned_synapses=0, pruned_neurons=0)]
    weights, networks = original.weight.copy(), [original]
    for epoch in range(n_epochs):
        current, neurons, synapses = _current(original, weights, layer)
        weights[synapses] = _stdp_pass(current, neurons, original.n_neurons, settings, inputs,
                                       layer, window, trace_decay)
        pruned = layer[0].end_epoch(epoch)
        network = _current(original, weights if keep_learned_weights else original.weight,
                           layer)[0]
        networks.append(network)
        history.append(history_row(epoch + 1, network, u, reservoir,
                                   pruned_synapses=pruned["synapses"],
                                   pruned_neurons=pruned["neurons"]))
    return PruningResult.of(networks, history, reservoir)


def _encoded_sequences(settings, X, network):
    """Simulator arguments of every training sequence, checked and encoded as
    ``settings.fit`` would."""
    from ..reservoir import _as_batch

    X = _as_batch(X, "dpap_prune")
    if X.shape[2] != network.n_inputs:
        raise ValueError(f"'X' must be finite training sequences of shape (n_samples, n_steps, "
                         f"{network.n_inputs}) (the network's input channels); got shape "
                         f"{X.shape}.")
    settings._check_input(X, "X", "dpap_prune")
    settings._check_drive(network, X, "X", "dpap_prune")
    fitted = hasattr(settings, "seed_")
    low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
    seed = settings.seed_ if fitted else settings._resolve_seed()
    return [settings._encode(u, low, high, seed) for u in X]


def _layer(network, protected_ids, **params):
    """The DPAP layer over ``network``'s plastic E->E synapses; inhibitory neurons kept."""
    plastic = np.flatnonzero(network.plastic)
    keep = ~network.is_exc
    keep[np.isin(network.neuron_id, protected_ids)] = True
    n = network.n_neurons
    return DPAP(n, n, synapses=(network.pre[plastic], network.post[plastic]),
                protect=np.flatnonzero(keep), **params), plastic


def _current(original, weights, layer):
    """The network of the surviving synapses and neurons, with ``weights`` (original order).

    Returns the network, the original indices of its neurons and of its synapses.
    """
    dpap, plastic = layer
    keep_synapse = np.ones(original.n_synapses, dtype=bool)
    keep_synapse[plastic[~dpap.synapse_alive]] = False
    alive = dpap.neuron_alive
    keep_synapse &= alive[original.pre] & alive[original.post]
    network = original.with_weights(weights).keep_synapses(keep_synapse).keep_neurons(alive)
    return network, np.flatnonzero(alive), np.flatnonzero(keep_synapse)


def _stdp_pass(network, neurons, n_original, settings, inputs, layer, window, decay):
    """One STDP epoch over the sequences, feeding DPAP; returns the learned weights."""
    from ..simulator import Simulator

    dpap, _ = layer
    simulator = Simulator(network, settings.dt)
    for kwargs in inputs:
        simulator.reset(weights=False)
        run = simulator.run(**kwargs, learn=True, record_spikes=True)
        traces = np.zeros((-(-run.n_steps // window), n_original))
        traces[:, neurons] = window_traces(run.spike_steps, run.spike_neurons, run.n_steps,
                                           network.n_neurons, window, decay)
        dpap.observe_traces(traces, traces)
    return simulator.weight
