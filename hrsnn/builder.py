"""Generate a heterogeneous recurrent network from distribution parameters.

One seed gives independent random streams (``SeedSequence.spawn``) for
placement, neuron parameters, connectivity, weights, STDP parameters and the
input layer, so that changing one group (say, homogeneous instead of
heterogeneous neurons) leaves the others identical.
"""

import numpy as np

from .heterogeneity import sample_gamma
from .network import Network
from .topology import (distance_connectivity, grid_positions, grid_shape_for,
                       input_connectivity, synaptic_weights)

_STREAMS = ("placement", "neurons", "connectivity", "weights", "stdp", "inputs")


def build_network(
    n_neurons, n_inputs, seed, *,
    exc_fraction=0.8, grid_shape=None,
    heterogeneous_neurons=True, heterogeneous_synapses=True,
    tau_m_exc_mean=20.0, tau_m_exc_shape=3.0, tau_m_inh_mean=10.0, tau_m_inh_shape=3.0,
    v_th_mean=1.0, v_th_shape=20.0, tau_min=1.0, tau_max=200.0,
    v_rest=0.0, v_reset=0.0, t_ref=2.0,
    conn_lambda=2.0, conn_cutoff=3.5, c_ee=0.3, c_ei=0.2, c_ie=0.4, c_ii=0.1,
    w_scale=0.1, w_ee=1.0, w_ei=2.0, w_ie=0.6, w_ii=0.6, w_shape=1.0,
    p_in=0.3, w_in=1.0, w_in_dist="constant",
    tau_plus_mean=20.0, tau_plus_shape=3.0, tau_minus_mean=20.0, tau_minus_shape=3.0,
    eta_plus_mean=0.01, eta_plus_shape=3.0, eta_minus_mean=0.0105, eta_minus_shape=3.0,
    stdp_rule="soft", stdp_w_min=0.0, stdp_w_max=None,
):
    """Generate a :class:`~hrsnn.network.Network` (SPEC sections 1, 2 and 4).

    Parameters
    ----------
    n_neurons : int
        Recurrent neurons; the first ``round(exc_fraction * n_neurons)`` are
        excitatory (their grid positions are random, so types are spatially random).
    n_inputs : int
        Input channels.
    seed : int or numpy.random.SeedSequence
        Seed of every random draw.
    heterogeneous_neurons, heterogeneous_synapses : bool
        Draw ``tau_m``/``v_th`` per neuron and STDP parameters per synapse from
        their gamma distributions, or use the means.
    tau_m_exc_mean, tau_m_exc_shape, tau_m_inh_mean, tau_m_inh_shape : float
        Gamma (mean in ms, shape) of excitatory and inhibitory ``tau_m``.
    v_th_mean, v_th_shape : float
        Gamma of the thresholds.
    tau_min, tau_max : float
        Every drawn time constant is clipped to this range (ms).
    conn_lambda, conn_cutoff : float
        Connection length scale (grid units) and cutoff (in units of lambda).
    c_ee, c_ei, c_ie, c_ii : float
        Connection probability scale per (pre, post) type pair.
    w_scale : float
        Factor on every recurrent weight.
    w_ee, w_ei, w_ie, w_ii : float
        Mean weight magnitude per type pair (before ``w_scale``).
    w_shape : float
        Gamma shape of weight magnitudes (1 gives coefficient of variation 1).
    p_in, w_in : float
        Input connection probability per (channel, neuron) pair and weight.
    w_in_dist : {"constant", "uniform"}
        Every input weight ``w_in``, or drawn from ``U(-w_in, w_in)``.
    tau_plus_mean, tau_plus_shape, tau_minus_mean, tau_minus_shape : float
        Gamma of the STDP trace time constants (ms), per plastic synapse.
    eta_plus_mean, eta_plus_shape, eta_minus_mean, eta_minus_shape : float
        Gamma of the STDP learning rates, per plastic synapse.
    stdp_rule : {"soft", "additive"}
        STDP rule (see :mod:`hrsnn._kernels.lif`).
    stdp_w_min, stdp_w_max : float
        Bounds of plastic weights; ``stdp_w_max=None`` means twice the mean
        initial E->E weight (``2 * w_scale * w_ee``), which puts the fixed
        point of the soft-bound rule, ``w_max * eta_plus / (eta_plus +
        eta_minus)``, at about the initial mean, so STDP reshapes weights
        without inflating them. Initial plastic weights are clipped to these
        bounds (about 13 % of gamma draws with CV 1 lie above ``2 * mean``).

    Returns
    -------
    Network
    """
    streams = dict(zip(_STREAMS, (np.random.default_rng(s) for s in
                                  _seed_sequence(seed).spawn(len(_STREAMS)))))
    n_exc = int(round(exc_fraction * n_neurons))
    is_exc = np.arange(n_neurons) < n_exc
    shape = grid_shape_for(n_neurons) if grid_shape is None else tuple(grid_shape)
    positions = grid_positions(n_neurons, shape, streams["placement"])

    tau_bounds = (tau_min, tau_max)
    rng = streams["neurons"]
    tau_m = np.concatenate([
        sample_gamma(rng, tau_m_exc_shape, tau_m_exc_mean, n_exc, heterogeneous_neurons, tau_bounds),
        sample_gamma(rng, tau_m_inh_shape, tau_m_inh_mean, n_neurons - n_exc,
                     heterogeneous_neurons, tau_bounds),
    ])
    v_th = sample_gamma(rng, v_th_shape, v_th_mean, n_neurons, heterogeneous_neurons)

    conn = [[c_ee, c_ei], [c_ie, c_ii]]
    pre, post = distance_connectivity(positions, is_exc, conn, conn_lambda,
                                      streams["connectivity"], conn_cutoff)
    weight = synaptic_weights(pre, post, is_exc, [[w_ee, w_ei], [w_ie, w_ii]],
                              w_shape, w_scale, streams["weights"])

    plastic = is_exc[pre] & is_exc[post]
    stdp = _stdp_parameters(streams["stdp"], int(plastic.sum()), heterogeneous_synapses,
                            tau_bounds, tau_plus_mean, tau_plus_shape, tau_minus_mean,
                            tau_minus_shape, eta_plus_mean, eta_plus_shape,
                            eta_minus_mean, eta_minus_shape)
    per_synapse = {name: _scatter(values, plastic, fill) for name, (values, fill) in stdp.items()}

    in_channel, in_post, in_weight = input_connectivity(n_inputs, n_neurons, p_in, w_in,
                                                        streams["inputs"], w_in_dist)
    if stdp_w_max is None:
        stdp_w_max = 2.0 * w_scale * w_ee
    weight[plastic] = np.clip(weight[plastic], stdp_w_min, stdp_w_max)
    return Network.from_arrays(
        positions=positions, is_exc=is_exc, tau_m=tau_m, v_th=v_th, v_init=v_rest,
        pre=pre, post=post, weight=weight, plastic=plastic, **per_synapse,
        in_channel=in_channel, in_post=in_post, in_weight=in_weight, n_inputs=n_inputs,
        v_rest=v_rest, v_reset=v_reset, t_ref=t_ref, stdp_rule=stdp_rule,
        w_min=stdp_w_min, w_max=stdp_w_max,
    )


def _stdp_parameters(rng, n_plastic, heterogeneous, tau_bounds, tau_plus_mean,
                     tau_plus_shape, tau_minus_mean, tau_minus_shape, eta_plus_mean,
                     eta_plus_shape, eta_minus_mean, eta_minus_shape):
    """Per plastic synapse STDP parameters and the fill value for static ones."""
    def draw(shape, mean, bounds=None):
        return sample_gamma(rng, shape, mean, n_plastic, heterogeneous, bounds)

    return {
        "tau_plus": (draw(tau_plus_shape, tau_plus_mean, tau_bounds), tau_plus_mean),
        "tau_minus": (draw(tau_minus_shape, tau_minus_mean, tau_bounds), tau_minus_mean),
        "eta_plus": (draw(eta_plus_shape, eta_plus_mean), 0.0),
        "eta_minus": (draw(eta_minus_shape, eta_minus_mean), 0.0),
    }


def _scatter(values, mask, fill):
    out = np.full(mask.size, float(fill))
    out[mask] = values
    return out


def _seed_sequence(seed):
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))
