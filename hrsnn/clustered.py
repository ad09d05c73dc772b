"""The clustered heterogeneous network (CHRSNN) of the LNP paper (its Table V).

``n_clusters`` groups of neurons, each built by :func:`hrsnn.build_network`
from the one model description (so every model parameter applies) with its
own gamma distributions of membrane time constants: cluster ``c`` of ``C``
has the means of ``tau_m_exc`` and ``tau_m_inh`` multiplied by
``timescale_spread ** (c / (C - 1) - 1/2)``, so the slowest cluster's means
are ``timescale_spread`` times the fastest's around the model's means.
Inside a cluster the neurons sit on their own small grid and connect by
the model's distance rule, densely because the grid is small (100-neuron
clusters: about 6 % of pairs, against ``p_between = 1 %``). Between
clusters the wiring is a small world (Watts-Strogatz on the clusters): each
cluster links to its ``ring_neighbours`` nearest clusters on a ring, each
such link rewired to a random other cluster with probability ``rewire``;
every directed neuron pair of two linked clusters is connected with
probability ``p_between``. Between-cluster weights are drawn from the
within-cluster weights of the same type pair (Dale's law, plastic bounds);
new E->E synapses are plastic with STDP parameters from the network's
distributions. Clusters are laid side by side along ``x`` in ``positions``;
every cluster receives every input channel as the model's input rule says.
"""

import numpy as np

from . import model
from ._validation import check_number
from .builder import build_network
from .network import Network
from .pruning._common import weights_like

#: Per-neuron and per-synapse arrays concatenated cluster by cluster.
_NEURON = ("is_exc", "tau_m", "v_th", "v_init", "tau_syn_exc", "tau_syn_inh", "tau_adapt",
           "adapt_beta", "bias", "noise_sigma")
_SYNAPSE = ("weight", "plastic", "tau_plus", "tau_minus", "eta_plus", "eta_minus")


def build_clustered_network(n_neurons, n_inputs, seed, *, n_clusters=4, timescale_spread=4.0,
                            p_between=0.01, ring_neighbours=1, rewire=0.1, **params):
    """A CHRSNN: clusters with their own timescales, small-world linked.

    Parameters
    ----------
    n_neurons : int
        Recurrent neurons in all (split as evenly as possible).
    n_inputs : int
        Input channels.
    seed : int
        Seed of every draw (each cluster and the links get their own stream).
    n_clusters : int, default=4
    timescale_spread : float, default=4.0
        Ratio of the slowest cluster's ``tau_m`` means to the fastest's (1:
        every cluster has the model's distributions).
    p_between : float, default=0.01
        Connection probability of a neuron pair of two linked clusters.
    ring_neighbours : int, default=1
        Clusters linked on each side on the ring before rewiring.
    rewire : float, default=0.1
        Probability that a ring link goes to a random other cluster instead.
    **params
        Any network parameter of :func:`hrsnn.build_network`.

    Returns
    -------
    Network
        Neurons of cluster ``c`` are ``cluster_slices(n_neurons, n_clusters)[c]``.
    """
    check_number("build_clustered_network", "n_clusters", n_clusters, "int", 1, n_neurons)
    check_number("build_clustered_network", "timescale_spread", timescale_spread, "float", 0.0,
                 low_open=True)
    check_number("build_clustered_network", "p_between", p_between, "float", 0.0, 1.0)
    check_number("build_clustered_network", "rewire", rewire, "float", 0.0, 1.0)
    check_number("build_clustered_network", "ring_neighbours", ring_neighbours, "int", 0)
    streams = np.random.SeedSequence(seed).spawn(n_clusters + 1)
    clusters = [build_network(len(block), n_inputs, streams[c],
                              **_cluster_params(c, n_clusters, timescale_spread, params))
                for c, block in enumerate(cluster_slices(n_neurons, n_clusters))]
    merged = _merged(clusters)
    rng = np.random.default_rng(streams[-1])
    pre, post = _between_pairs(n_neurons, n_clusters, p_between, ring_neighbours, rewire, rng)
    if pre.size == 0:
        return merged
    weights = weights_like(merged, merged.is_exc[pre], merged.is_exc[post], rng)
    return merged.add_synapses(pre, post, weights, random_state=rng)


def cluster_slices(n_neurons, n_clusters):
    """The neuron index range of every cluster, as a list of ``range``."""
    bounds = np.linspace(0, n_neurons, n_clusters + 1).round().astype(int)
    return [range(bounds[c], bounds[c + 1]) for c in range(n_clusters)]


def _cluster_params(c, n_clusters, spread, params):
    factor = spread ** (c / (n_clusters - 1) - 0.5) if n_clusters > 1 else 1.0
    out = dict(params)
    for group in ("tau_m_exc", "tau_m_inh"):
        name = f"{group}_mean"
        out[name] = params.get(name, model.PARAMETERS[name].default) * factor
    return out


def _merged(clusters):
    """One network of the clusters side by side (no links between them yet)."""
    offsets = np.cumsum([0] + [net.n_neurons for net in clusters])
    shift = np.cumsum([0.0] + [net.positions[:, 0].max() + 2.0 for net in clusters[:-1]])
    first = clusters[0]
    arrays = {name: np.concatenate([getattr(net, name) for net in clusters])
              for name in _NEURON + _SYNAPSE}
    arrays["positions"] = np.vstack([net.positions + [dx, 0.0, 0.0]
                                     for net, dx in zip(clusters, shift)])
    for name, field in (("pre", "pre"), ("post", "post"), ("in_post", "in_post")):
        arrays[name] = np.concatenate([getattr(net, field) + off
                                       for net, off in zip(clusters, offsets)])
    arrays["in_channel"] = np.concatenate([net.in_channel for net in clusters])
    arrays["in_weight"] = np.concatenate([net.in_weight for net in clusters])
    return Network.from_arrays(**arrays, n_inputs=first.n_inputs, v_rest=first.v_rest,
                               v_reset=first.v_reset, t_ref=first.t_ref,
                               strict_threshold=first.strict_threshold,
                               stdp_rule=first.stdp_rule, w_min=first.w_min,
                               w_max=first.w_max, stdp_distributions=first.stdp_distributions)


def _between_pairs(n_neurons, n_clusters, p_between, ring_neighbours, rewire, rng):
    """Directed neuron pairs joining the small-world-linked clusters."""
    slices = cluster_slices(n_neurons, n_clusters)
    links = set()
    for c in range(n_clusters):
        for step in range(1, min(ring_neighbours, n_clusters // 2) + 1):
            target = (c + step) % n_clusters
            if rng.random() < rewire:
                others = [d for d in range(n_clusters) if d != c]
                target = int(rng.choice(others))
            if target != c:
                links.update({(c, target), (target, c)})
    pre, post = [], []
    for a, b in sorted(links):
        source, sink = np.asarray(slices[a]), np.asarray(slices[b])
        mask = rng.random((source.size, sink.size)) < p_between
        rows, cols = np.nonzero(mask)
        pre.append(source[rows])
        post.append(sink[cols])
    if not pre:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(pre), np.concatenate(post)
