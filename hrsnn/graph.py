"""Graph measures of a network (networkx), shared by readouts and pruning."""

import numpy as np


def distance_graph(graph):
    """A copy of ``graph`` whose edges carry ``distance = 1 / |weight|`` (weight 0 dropped).

    A strong synapse, excitatory or inhibitory, is a short path.
    """
    out = graph.__class__()
    out.add_nodes_from(graph.nodes)
    out.add_edges_from((a, b, {"distance": 1.0 / abs(float(data.get("weight", 1.0)))})
                       for a, b, data in graph.edges(data=True)
                       if float(data.get("weight", 1.0)) != 0.0)
    return out


def betweenness(graph, *, k=None, random_state=None):
    """Betweenness centrality of every node, synapse length ``1 / |w|``.

    Parameters
    ----------
    graph : networkx.DiGraph
        Edge attribute ``weight`` (1 where missing), e.g. ``Network.to_networkx()``.
    k : int or None, default=None
        Estimate from ``k`` sampled source nodes; None is exact.
    random_state : int or None, default=None
        Seed of the sampling with ``k``.

    Returns
    -------
    ndarray of shape (n_nodes,)
        In the order of ``graph.nodes`` (neuron index order for a network).
    """
    import networkx as nx

    centrality = nx.betweenness_centrality(distance_graph(graph), k=k, weight="distance",
                                           seed=random_state)
    return np.array([centrality[node] for node in graph.nodes])
