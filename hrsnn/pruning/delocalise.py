"""Delocalising edges (LNP step III, Eq. 17).

Pruning localises the eigenvectors of a network's Laplacian (a few nodes
carry each mode). LNP counters it by adding ``B`` edges that maximise the
variance of the degree distribution, among pairs that are (i) not already
connected in either direction and (ii) local: within two hops of each other
in the undirected synapse graph. With the number of added edges fixed the
mean degree is fixed too, so maximising the variance means maximising
``sum_i d_i ** 2``; adding ``a -- b`` raises it by ``2 (d_a + d_b + 1)``, and
the edges are chosen greedily, the pair of largest ``d_a + d_b`` first
(ties: lower indices), degrees updated after each. Degrees are undirected
(in + out).

Each new synapse goes from the pair's higher-degree neuron to the other. Its
weight is drawn from the network's own weights of the same type pair (E->E,
E->I, I->E, I->I), so signs follow Dale's law and plastic weights stay in
their bounds; new E->E synapses are plastic with STDP parameters drawn from
the network's distributions (:meth:`Network.add_synapses`).

The inverse participation ratio of a unit eigenvector ``v`` is
``sum_i v_i ** 4``: ``1 / n`` for a fully spread mode, 1 for one node.
"""

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from .._validation import check_number
from ._common import weights_like


@dataclass(frozen=True)
class Delocalisation:
    """The result of :func:`add_delocalising_edges`.

    Attributes
    ----------
    network : Network
        With the new synapses (the input is untouched).
    pre, post : ndarray of shape (n_added,)
        The new synapses, in the order added.
    ipr_before, ipr_after : ndarray of shape (n_neurons,) or None
        Inverse participation ratios of the Laplacian eigenvectors
        (:func:`laplacian_ipr`), by increasing eigenvalue; None when not
        computed (see ``ipr``).
    """

    network: object
    pre: np.ndarray
    post: np.ndarray
    ipr_before: np.ndarray
    ipr_after: np.ndarray


def laplacian_ipr(network):
    """Inverse participation ratio of every eigenvector of the undirected Laplacian.

    The Laplacian ``D - A`` of the unweighted, undirected synapse graph.

    Returns
    -------
    ndarray of shape (n_neurons,)
        By increasing eigenvalue.
    """
    adjacency = _undirected(network).toarray()
    laplacian = np.diag(adjacency.sum(axis=1)) - adjacency
    vectors = np.linalg.eigh(laplacian)[1]
    return (vectors ** 4).sum(axis=0)


#: Largest network whose Laplacian eigenvectors ``ipr="auto"`` computes (dense, O(N^3)).
IPR_MAX_NEURONS = 3000


def add_delocalising_edges(network, n_edges, *, ipr="auto", random_state=0):
    """Add up to ``n_edges`` local synapses that maximise the degree variance.

    Parameters
    ----------
    network : Network
    n_edges : int
        ``B``; fewer are added if fewer local unconnected pairs exist.
    ipr : {"auto", True, False}, default="auto"
        Whether to compute the inverse participation ratios before and
        after (a dense eigendecomposition each); ``"auto"``: up to
        :data:`IPR_MAX_NEURONS` neurons.
    random_state : int, default=0
        Seed of the weight (and STDP parameter) draws.

    Returns
    -------
    Delocalisation
        ``ipr_before`` / ``ipr_after`` are None when not computed.
    """
    if ipr not in ("auto", True, False):
        raise ValueError(f"'ipr' of add_delocalising_edges() must be 'auto', True or False; "
                         f"got {ipr!r}.")
    check_number("add_delocalising_edges", "n_edges", n_edges, "int", 0)
    undirected = _undirected(network)
    degree = np.asarray(undirected.sum(axis=1)).ravel()
    candidates = _local_unconnected_pairs(undirected)
    pre, post = [], []
    available = np.ones(len(candidates), dtype=bool)
    for _ in range(min(n_edges, len(candidates))):
        gain = np.where(available, degree[candidates[:, 0]] + degree[candidates[:, 1]], -1)
        best = int(np.argmax(gain))                   # first maximum: lowest indices
        a, b = candidates[best]
        available[best] = False
        degree[[a, b]] += 1
        source, target = (a, b) if degree[a] >= degree[b] else (b, a)
        pre.append(source)
        post.append(target)
    pre, post = np.array(pre, dtype=np.int64), np.array(post, dtype=np.int64)
    rng = np.random.default_rng(random_state)
    weights = weights_like(network, network.is_exc[pre], network.is_exc[post], rng)
    grown = network.add_synapses(pre, post, weights, random_state=rng) if pre.size else network
    if ipr == "auto":
        ipr = network.n_neurons <= IPR_MAX_NEURONS
    before, after = (laplacian_ipr(network), laplacian_ipr(grown)) if ipr else (None, None)
    return Delocalisation(grown, pre, post, before, after)


def _undirected(network):
    n = network.n_neurons
    directed = sparse.coo_array((np.ones(network.n_synapses), (network.pre, network.post)),
                                shape=(n, n)).tocsr()
    undirected = ((directed + directed.T) > 0).astype(np.float64)
    undirected.setdiag(0)
    undirected.eliminate_zeros()
    return undirected.tocsr()


def _local_unconnected_pairs(undirected):
    """Pairs ``(a, b)``, ``a < b``, two hops apart and not connected, sorted."""
    two_hops = (undirected @ undirected).tocsr()
    two_hops.setdiag(0)
    two_hops.eliminate_zeros()
    rows, cols = two_hops.nonzero()
    local = (rows < cols) & (undirected[rows, cols] == 0)
    pairs = np.column_stack([rows[local], cols[local]])
    return pairs[np.lexsort((pairs[:, 1], pairs[:, 0]))] if pairs.size else pairs.reshape(0, 2)
