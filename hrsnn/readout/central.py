"""The paper's MLP readout on the neurons of highest betweenness centrality."""


import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.neural_network import MLPClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._validation import check_number
from ..graph import betweenness
from ..reservoir import Reservoir
from ._common import (
    _MLP_MAX_ITER,
    MLP_HIDDEN_LAYERS,
    _check_layers,
    _check_reservoir,
    _new_reservoir,
)


# --------------------------------------------------- the paper's MLP readout
def central_neurons(network, fraction=0.1, *, k=None, random_state=None):
    """The neurons with the highest betweenness centrality, most central first.

    Betweenness (:func:`networkx.betweenness_centrality`) on the directed
    graph of recurrent synapses, with the length of a synapse ``1 / |w|``:
    a strong synapse, excitatory or inhibitory, is a short path. Synapses
    of weight 0 are left out.

    Parameters
    ----------
    network : Network or networkx.DiGraph
        A network (``reservoir.network_``; read through
        :meth:`Network.to_networkx`) or a graph with edge attribute
        ``weight`` (1 where missing).
    fraction : float, default=0.1
        Share of the nodes to return: ``max(1, round(fraction * n_nodes))``.
    k : int or None, default=None
        Estimate betweenness from ``k`` sampled source nodes (for large
        networks); None computes it exactly from all of them.
    random_state : int or None, default=None
        Seed of the sampling with ``k``.

    Returns
    -------
    ndarray of shape (n_selected,)
        Node labels (neuron indices for a Network) by decreasing
        betweenness; ties go to the node listed first.
    """
    import networkx as nx

    owner = "central_neurons()"
    check_number(owner, "fraction", fraction, "float", 0.0, 1.0, low_open=True)
    graph = network.to_networkx() if hasattr(network, "to_networkx") else network
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"The 'network' argument of {owner} must be an hrsnn Network or a "
                        f"networkx graph. Got {type(network).__name__} instead.")
    n_nodes = graph.number_of_nodes()
    check_number(owner, "k", k, "int", 1, max(n_nodes, 1), allow_none=True)
    if n_nodes == 0:
        raise ValueError(f"The 'network' argument of {owner} has no nodes.")
    centrality = betweenness(graph, k=k, random_state=random_state)
    nodes = list(graph.nodes)
    order = np.argsort(-centrality, kind="stable")
    n_selected = max(1, int(round(fraction * n_nodes)))
    return np.array([nodes[i] for i in order[:n_selected]])


class CentralNeuronSelector(TransformerMixin, BaseEstimator):
    """A reservoir whose features are kept only for its most central neurons.

    ``fit`` fits a clone of ``reservoir`` on ``X`` (STDP) and picks the
    ``fraction`` of its neurons with the highest betweenness centrality in
    ``reservoir_.network_`` (:func:`central_neurons`); ``transform`` returns
    the reservoir's features (spike counts, final or mean filtered state,
    as ``reservoir.features`` says) of those neurons only. It stands in a
    pipeline where the reservoir would::

        make_pipeline(CentralNeuronSelector(Reservoir(...)), StandardScaler(),
                      MLPClassifier((20, 20)))

    which is what :func:`central_neuron_classifier` builds.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir (cloned). None means ``Reservoir()``.
    fraction : float, default=0.1
        Share of the neurons kept.
    k : int or None, default=None
        Sampled sources for the betweenness estimate (None: exact).
    random_state : int or None, default=None
        Seed of a reservoir without its own; the betweenness sampling is
        seeded from the reservoir's ``seed_``.

    Attributes
    ----------
    reservoir_ : Reservoir
        The fitted reservoir.
    central_neurons_ : ndarray of int64, shape (n_selected,)
        Neuron indices, most central first (the order of the columns out).
    """

    def __init__(self, reservoir=None, *, fraction=0.1, k=None, random_state=None):
        self.reservoir = reservoir
        self.fraction = fraction
        self.k = k
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the reservoir on ``X`` (shape (n_samples, n_steps, n_inputs)) and select."""
        owner = type(self).__name__
        _check_reservoir(owner, self.reservoir)
        check_number(owner, "fraction", self.fraction, "float", 0.0, 1.0, low_open=True)
        check_number(owner, "k", self.k, "int", 1, allow_none=True)
        given = Reservoir() if self.reservoir is None else self.reservoir
        reservoir = _new_reservoir(given, self.random_state).fit(X)
        seed = int(np.random.SeedSequence(reservoir.seed_).generate_state(1)[0])
        self.central_neurons_ = central_neurons(reservoir.network_, self.fraction,
                                                k=self.k, random_state=seed)
        self.reservoir_ = reservoir
        return self

    def transform(self, X):
        """Features of the central neurons, shape (n_samples, n_selected)."""
        check_is_fitted(self, "central_neurons_")
        return self.reservoir_.transform(X)[:, self.central_neurons_]


def central_neuron_classifier(reservoir=None, *, fraction=0.1,
                              hidden_layer_sizes=MLP_HIDDEN_LAYERS, k=None,
                              random_state=None):
    """The paper's classification readout: an MLP on the most central neurons.

    ``make_pipeline(CentralNeuronSelector(reservoir, fraction), StandardScaler(),
    MLPClassifier(hidden_layer_sizes))``.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir; None means ``Reservoir(random_state=random_state)``.
    fraction : float, default=0.1
        Share of the neurons the MLP reads.
    hidden_layer_sizes : tuple of int, default=(20, 20)
    k : int or None, default=None
        Sampled sources for the betweenness estimate (None: exact).
    random_state : int or None, default=None
        Seed of the reservoir (if it has none) and of the MLP.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; ``fit(X, y)`` with ``X`` of shape (n_samples, n_steps, n_inputs).
    """
    _check_layers("central_neuron_classifier()", hidden_layer_sizes)
    mlp = MLPClassifier(hidden_layer_sizes=tuple(hidden_layer_sizes),
                        max_iter=_MLP_MAX_ITER, random_state=random_state)
    return make_pipeline(CentralNeuronSelector(reservoir, fraction=fraction, k=k,
                                               random_state=random_state),
                         StandardScaler(), mlp)
