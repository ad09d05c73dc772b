"""The Lyapunov matrix of a network (LNP, Eq. 13).

For every existing synapse ``j -> i`` the neighbourhood ``N_ij`` is the union
of the closed neighbourhoods of its two neurons in the undirected graph of
the network (each neuron, its pre- and its postsynaptic partners). The
synapse's entry is the harmonic mean of the neighbourhood's per-neuron
Lyapunov exponents. Exponents near zero or of either sign would make a
plain harmonic mean explode or cancel, so it is taken of their magnitudes
plus ``eps`` (``|lambda_k| + eps``):

    h_ij = |N_ij| / sum_{k in N_ij} 1 / (|lambda_k| + eps)

Edges with every neighbour near the edge of chaos (``|lambda| ~ 0``) get a
small ``h``. The Lyapunov matrix keeps each synapse's sign and the weights'
overall scale: ``L_ij = w_ij h_ij / mean(h)`` (mean over synapses), so that
``L`` can stand where ``W`` stands in the linearised network.
"""

import numpy as np
from scipy import sparse

from .._validation import check_number


def neighbourhood_harmonic_means(network, exponents, *, eps=1e-3):
    """``h`` of every synapse: the harmonic mean of ``|lambda| + eps`` over ``N_ij``.

    Parameters
    ----------
    network : Network
    exponents : array_like of shape (n_neurons,)
        Per-neuron Lyapunov exponents (e.g. ``LyapunovSpectrum.per_neuron``).
    eps : float, default=1e-3
        Added to ``|lambda|`` (same unit as the exponents).

    Returns
    -------
    ndarray of shape (n_synapses,)
        In the order of ``network.pre`` / ``network.post``.
    """
    check_number("neighbourhood_harmonic_means", "eps", eps, "float", 0.0, low_open=True)
    exponents = np.asarray(exponents, dtype=np.float64)
    if exponents.shape != (network.n_neurons,) or not np.all(np.isfinite(exponents)):
        raise ValueError(f"'exponents' must be {network.n_neurons} finite numbers (one per "
                         f"neuron); got shape {exponents.shape}.")
    closed = _closed_neighbourhoods(network)
    inverse = 1.0 / (np.abs(exponents) + eps)
    means = np.empty(network.n_synapses)
    for k, (pre, post) in enumerate(zip(network.pre, network.post)):
        members = _union(closed, pre, post)
        means[k] = members.size / inverse[members].sum()
    return means


def lyapunov_matrix(network, exponents, *, eps=1e-3):
    """``L_ij = w_ij h_ij / mean(h)`` per synapse (see the module docstring).

    Returns
    -------
    ndarray of shape (n_synapses,)
        The Lyapunov-matrix entry of every synapse, in the order of
        ``network.pre`` / ``network.post`` (``W[pre, post]`` orientation).
    """
    means = neighbourhood_harmonic_means(network, exponents, eps=eps)
    if means.size == 0:
        return means
    return network.weight * means / means.mean()


def _closed_neighbourhoods(network):
    """CSR of the undirected graph with self loops: row ``i`` is ``i``'s closed neighbourhood."""
    n = network.n_neurons
    adjacency = sparse.coo_array((np.ones(network.n_synapses), (network.pre, network.post)),
                                 shape=(n, n)).tocsr()
    closed = (adjacency + adjacency.T + sparse.eye_array(n, format="csr")).tocsr()
    closed.sort_indices()
    return closed


def _union(closed, i, j):
    row_i = closed.indices[closed.indptr[i]:closed.indptr[i + 1]]
    row_j = closed.indices[closed.indptr[j]:closed.indptr[j + 1]]
    return np.union1d(row_i, row_j)
