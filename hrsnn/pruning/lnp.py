"""Lyapunov noise pruning (LNP): the whole task-agnostic loop.

One iteration on a network:

1. per-neuron Lyapunov exponents of its rate model
   (:class:`hrsnn.dynamics.RateNetwork`, noise-driven; the leading ``k``
   exponents by QR and each neuron's participation in their directions);
2. the Lyapunov matrix (:func:`lyapunov_matrix`);
3. noise pruning of the synapses with the Lyapunov matrix as the coupling
   (:func:`noise_prune`, keeping ``density`` of them in expectation);
4. removal of the least central neurons (:func:`prune_neurons`; input
   neurons and ``protect`` kept);
5. delocalising edges (:func:`add_delocalising_edges`), ``delocalising``
   times the synapses removed in this iteration.

It never sees a task or a readout. After each iteration the history records
the network's size, the largest exponent of its rate model and the synaptic
operations per simulation step of the spiking network on a reference input
(by default i.i.d. ``U(-1, 1)``, 500 input steps, one channel per network
input).
"""

import numpy as np

from .._validation import check_number
from ..dynamics import RateNetwork, lyapunov_spectrum
from ._common import PruningResult, history_row, pruning_source, reference_input_for
from .delocalise import add_delocalising_edges
from .lyapunov_matrix import lyapunov_matrix
from .neurons import prune_neurons
from .noise import noise_prune


def lnp(source, *, n_iter=3, density=0.5, neuron_fraction=0.05, delocalising=0.05,
        protect=(), gain=1.0, noise_sigma=0.5, n_steps=1000, transient=200, k=50,
        betweenness_sources=256, reference_input=None, random_state=0):
    """Prune a network (or a fitted reservoir's) by LNP for ``n_iter`` iterations.

    Parameters
    ----------
    source : Network or Reservoir
        A network, or a fitted reservoir (its ``network_`` is pruned; the
        reservoir is untouched).
    n_iter : int, default=3
    density : float, default=0.5
        Expected fraction of synapses noise pruning keeps per iteration.
    neuron_fraction : float, default=0.05
        Share of the removable neurons removed per iteration.
    delocalising : float, default=0.05
        Delocalising edges added per iteration, as a fraction of the
        synapses removed in that iteration.
    protect : array_like of int, default=()
        Indices (in ``source``'s network) of neurons never removed.
    gain, noise_sigma, n_steps, transient, k
        The rate model and its spectrum: weight gain, noise on the drive,
        steps of 1 ms, transient steps, leading exponents (at most ``n``).
    betweenness_sources : int or None, default=256
        Betweenness estimated from this many sampled source neurons (exact
        when the network has no more; None: always exact, which costs
        minutes beyond 1,000 neurons).
    reference_input : ndarray of shape (n_steps, n_inputs) or None
        Input of the SOP measurement; None is i.i.d. ``U(-1, 1)``.
    random_state : int, default=0

    Returns
    -------
    PruningResult
    """
    network, reservoir, protected_ids = pruning_source(source, protect)
    check_number("lnp", "n_iter", n_iter, "int", 0)
    check_number("lnp", "density", density, "float", 0.0, 1.0, low_open=True)
    check_number("lnp", "neuron_fraction", neuron_fraction, "float", 0.0, 1.0)
    check_number("lnp", "delocalising", delocalising, "float", 0.0)
    rng = np.random.default_rng(random_state)
    u = reference_input_for(network, reference_input, rng)
    spectrum = _spectrum(network, gain, noise_sigma, n_steps, transient, k, rng)
    history = [history_row(0, network, u, reservoir, largest_exponent=spectrum.largest)]
    networks = [network]
    for iteration in range(1, n_iter + 1):
        coupling = lyapunov_matrix(network, spectrum.per_neuron)
        pruned = noise_prune(network, density, coupling=coupling, random_state=rng).network
        protect_now = np.flatnonzero(np.isin(pruned.neuron_id, protected_ids))
        sources = None if betweenness_sources is None or betweenness_sources >= \
            pruned.n_neurons else betweenness_sources
        pruned = prune_neurons(pruned, fraction=neuron_fraction, protect=protect_now, k=sources,
                               random_state=int(rng.integers(2 ** 31))).network
        n_new = int(round(delocalising * (network.n_synapses - pruned.n_synapses)))
        network = add_delocalising_edges(pruned, max(n_new, 0), ipr=False,
                                         random_state=rng).network
        spectrum = _spectrum(network, gain, noise_sigma, n_steps, transient, k, rng)
        history.append(history_row(iteration, network, u, reservoir,
                                   largest_exponent=spectrum.largest))
        networks.append(network)
    return PruningResult.of(networks, history, reservoir)


#: Steps of 1 ms between re-orthonormalisations of the QR frame: rate-model
#: exponents lie within about 1 / tau_min = 1 per ms of each other, so 5 steps
#: keep the frame well conditioned and cost a fifth of the QRs.
_QR_EVERY = 5


def _spectrum(network, gain, noise_sigma, n_steps, transient, k, rng):
    rate = RateNetwork.from_network(network, gain=gain)
    seed = int(rng.integers(2 ** 31))
    trajectory = rate.simulate(n_steps, 1.0, noise_sigma=noise_sigma, random_state=seed)
    return lyapunov_spectrum(rate.tangent_maps(trajectory), 1.0, k=min(k, network.n_neurons),
                             transient=transient, qr_every=_QR_EVERY, random_state=seed)
