"""Generate a heterogeneous recurrent network from distribution parameters.

One seed gives independent random streams (``SeedSequence.spawn``) for
placement, neuron parameters, connectivity, weights, STDP parameters and the
input layer, so that changing one group (say, homogeneous instead of
heterogeneous neurons) leaves the others identical.
"""

import numpy as np

from . import model
from .heterogeneity import draw_stdp_parameters, sample_gamma
from .network import InvalidNetworkError, Network
from .topology import (distance_connectivity, grid_positions, grid_shape_for,
                       input_connectivity, synaptic_weights)

# a stream added at the end leaves the draws of the others unchanged
_STREAMS = ("placement", "neurons", "connectivity", "weights", "stdp", "inputs",
            "ingredients")

#: The model parameters each network field is drawn from (the gamma groups, whose
#: field has the group's name, are added below), for messages.
_SOURCES = {
    "positions": ("grid_shape",), "is_exc": ("exc_fraction",), "v_init": ("v_rest",),
    "v_rest": ("v_rest",), "v_reset": ("v_reset",), "t_ref": ("t_ref",),
    "tau_m": ("tau_m_exc_mean", "tau_m_exc_shape", "tau_m_inh_mean", "tau_m_inh_shape",
              "tau_min", "tau_max"),
    "weight": ("w_scale", "w_ee", "w_ei", "w_ie", "w_ii", "w_shape"),
    "in_weight": ("w_in",), "noise_sigma": ("noise_sigma",), "w_min": ("stdp_w_min",),
    "w_max": ("stdp_w_max", "w_scale", "w_ee"),
}


def build_network(n_neurons, n_inputs, seed, *, heterogeneous_neurons=True,
                  heterogeneous_synapses=True, **params):
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
    heterogeneous_neurons, heterogeneous_synapses : bool, default=True
        Draw ``tau_m``/``v_th`` per neuron and STDP parameters per synapse from
        their gamma distributions, or use the means.
    **params
        Any of the network parameters of the model (:mod:`hrsnn.model`), listed
        below with their defaults; every drawn time constant is clipped to
        ``[tau_min, tau_max]``, and initial plastic weights to
        ``[stdp_w_min, stdp_w_max]`` (about 13 % of gamma draws with CV 1 lie
        above twice their mean).

{parameters}

    Returns
    -------
    Network

    Raises
    ------
    TypeError, ValueError
        For an unknown parameter or a value out of its range.
    """
    unknown = sorted(set(params) - set(model.BUILDER_PARAMETERS))
    if unknown:
        raise TypeError(f"build_network() got unknown parameters {unknown}; the network "
                        f"parameters are {list(model.BUILDER_PARAMETERS)}.")
    values = {**model.defaults(model.BUILDER_PARAMETERS), **params}
    model.check_params("build_network", {**values, "n_neurons": n_neurons})
    streams = dict(zip(_STREAMS, (np.random.default_rng(s) for s in
                                  _seed_sequence(seed).spawn(len(_STREAMS)))))
    n_exc = int(round(values["exc_fraction"] * n_neurons))
    is_exc = np.arange(n_neurons) < n_exc
    grid = values["grid_shape"]
    shape = grid_shape_for(n_neurons) if grid is None else tuple(grid)
    positions = grid_positions(n_neurons, shape, streams["placement"])
    tau_m, v_th = _neuron_parameters(streams["neurons"], values, n_exc, n_neurons,
                                     heterogeneous_neurons)
    ingredients = _ingredients(streams["ingredients"], values, n_neurons,
                               heterogeneous_neurons)

    v = values
    conn = [[v["c_ee"], v["c_ei"]], [v["c_ie"], v["c_ii"]]]
    pre, post = distance_connectivity(positions, is_exc, conn, v["conn_lambda"],
                                      streams["connectivity"], v["conn_cutoff"])
    weight = synaptic_weights(pre, post, is_exc, [[v["w_ee"], v["w_ei"]], [v["w_ie"], v["w_ii"]]],
                              v["w_shape"], v["w_scale"], streams["weights"])

    plastic = is_exc[pre] & is_exc[post]
    distributions = model.stdp_distributions(values, heterogeneous_synapses)
    per_synapse = _stdp_per_synapse(distributions, plastic, streams["stdp"])

    in_channel, in_post, in_weight = input_connectivity(
        n_inputs, n_neurons, v["p_in"], v["w_in"], streams["inputs"], v["w_in_dist"])
    w_min = v["stdp_w_min"]
    w_max = 2.0 * v["w_scale"] * v["w_ee"] if v["stdp_w_max"] is None else v["stdp_w_max"]
    weight[plastic] = np.clip(weight[plastic], w_min, w_max)
    # the arrays are this function's alone: read-only, the network takes them uncopied
    _make_read_only(positions, is_exc, tau_m, v_th, pre, post, weight, plastic,
                    in_channel, in_post, in_weight, *per_synapse.values(),
                    *ingredients.values())
    try:
        return Network.from_arrays(
            positions=positions, is_exc=is_exc, tau_m=tau_m, v_th=v_th, v_init=v["v_rest"],
            pre=pre, post=post, weight=weight, plastic=plastic, **per_synapse,
            in_channel=in_channel, in_post=in_post, in_weight=in_weight, n_inputs=n_inputs,
            v_rest=v["v_rest"], v_reset=v["v_reset"], t_ref=v["t_ref"],
            stdp_rule=v["stdp_rule"], w_min=w_min, w_max=w_max,
            stdp_distributions=distributions, **ingredients,
        )
    except InvalidNetworkError as err:
        raise _in_parameters(err) from None


def tile_network(network, channel_map):
    """Disjoint copies of ``network``, each reading its own input channels.

    Copy ``b`` holds neurons ``b * n .. (b + 1) * n - 1`` (``n =
    network.n_neurons``) with the same parameters, recurrent synapses and
    input weights as ``network``; no synapse joins two copies. Its input
    synapse from channel ``c`` reads channel ``channel_map[b, c]`` of the
    tiled network. Parallel local reservoirs (Pathak et al., Phys. Rev. Lett.
    120, 024102, 2018) are such a tiling, each copy driven by a patch of
    neighbouring variables; a simulation of the tiled network equals the
    copies simulated one by one.

    Parameters
    ----------
    network : Network
        The copy, with ``channel_map.shape[1]`` input channels.
    channel_map : array_like of int, shape (n_copies, network.n_inputs)
        Input channel of the tiled network that each copy's channel reads;
        distinct within a row.

    Returns
    -------
    Network
        ``n_copies * n`` neurons, ``n_copies * n_synapses`` synapses and
        ``channel_map.max() + 1`` input channels; synapse ids renumbered
        ``0 .. n_synapses - 1`` in the order of the copies.

    Raises
    ------
    ValueError
        If ``channel_map`` is not of that shape, holds negative or
        non-integer entries, or repeats a channel within a row.
    """
    channel_map = np.asarray(channel_map)
    if (channel_map.ndim != 2 or channel_map.shape[1] != network.n_inputs
            or channel_map.dtype.kind not in "iu" or np.any(channel_map < 0)
            or any(len(set(row.tolist())) < len(row) for row in channel_map)):
        raise ValueError(f"The 'channel_map' argument of tile_network() must be an array of "
                         f"non-negative integers of shape (n_copies, {network.n_inputs}) (one "
                         f"column per input channel of the network), distinct within each "
                         f"row. Got shape {channel_map.shape} and dtype {channel_map.dtype}.")
    n_copies, n = len(channel_map), network.n_neurons

    def repeated(values):
        return np.concatenate([values] * n_copies)

    def shifted(indices):
        return np.concatenate([indices + b * n for b in range(n_copies)])

    neuron_fields = ("positions", "is_exc", "tau_m", "v_th", "v_init", "tau_syn_exc",
                     "tau_syn_inh", "tau_adapt", "adapt_beta", "bias", "noise_sigma")
    synapse_fields = ("weight", "plastic", "tau_plus", "tau_minus", "eta_plus", "eta_minus")
    return Network.from_arrays(
        **{name: repeated(getattr(network, name)) for name in neuron_fields + synapse_fields},
        pre=shifted(network.pre), post=shifted(network.post),
        in_channel=np.concatenate([row[network.in_channel] for row in channel_map]),
        in_post=shifted(network.in_post), in_weight=repeated(network.in_weight),
        n_inputs=int(channel_map.max()) + 1 if channel_map.size else 0,
        v_rest=network.v_rest, v_reset=network.v_reset, t_ref=network.t_ref,
        strict_threshold=network.strict_threshold, stdp_rule=network.stdp_rule,
        w_min=network.w_min, w_max=network.w_max,
        stdp_distributions=network.stdp_distributions)


def _in_parameters(err):
    """A network error as a ValueError naming the model parameters it comes from.

    The parameters are each checked on their own; a network drawn from them
    can still break a bound (a weight ``w_scale * w_ee`` times a gamma draw
    beyond ``MAX_MAGNITUDE``, say).
    """
    names = []
    for field in err.fields:
        group = model.GAMMA_GROUPS.get(field)
        sources = model.gamma_names(field)[::-1] if group else _SOURCES.get(field, ())
        names += [name for name in sources if name not in names]
    if not names:
        return err
    listed = ", ".join(f"'{name}'" for name in names)
    return ValueError(f"The network drawn from the parameters {listed} is invalid: {err} "
                      "Change these parameters.")


build_network.__doc__ = build_network.__doc__.replace(
    "{parameters}", model.numpydoc(model.BUILDER_PARAMETERS, indent=4))


def _neuron_parameters(rng, values, n_exc, n_neurons, heterogeneous):
    """Per-neuron ``tau_m`` (E then I, clipped) and ``v_th``, drawn in that order."""
    tau_bounds = (values["tau_min"], values["tau_max"])

    def draw(group, size, bounds=None):
        return sample_gamma(rng, *_gamma(values, group), size, heterogeneous, bounds)

    tau_m = np.concatenate([draw("tau_m_exc", n_exc, tau_bounds),
                            draw("tau_m_inh", n_neurons - n_exc, tau_bounds)])
    v_th = draw("v_th", n_neurons)
    if not heterogeneous and values["homogeneous_mean"] == "harmonic":
        tau_m[:n_exc] = harmonic_mean(*_gamma(values, "tau_m_exc"), tau_bounds)
        tau_m[n_exc:] = harmonic_mean(*_gamma(values, "tau_m_inh"), tau_bounds)
    return tau_m, v_th


def _gamma(values, group):
    """``(shape, mean)`` of a gamma group in flat ``values``."""
    return tuple(values[name] for name in model.gamma_names(group))


def harmonic_mean(shape, mean, bounds=(0.0, np.inf)):
    """``1 / E[1 / X]`` for ``X = clip(Gamma(shape, mean), *bounds)``.

    The value that gives a homogeneous population the mean leak rate
    ``E[1 / tau_m]`` of the heterogeneous one. Without a positive lower bound
    it exists only for ``shape > 1`` (then it is ``mean * (shape - 1) / shape``).

    Parameters
    ----------
    shape, mean : float
        The gamma distribution (``shape > 0``, ``mean > 0``, ms).
    bounds : tuple of float, default=(0, inf)
        The clipping range, ms.

    Returns
    -------
    float
        ms.

    Raises
    ------
    ValueError
        If ``E[1 / X]`` is infinite (``shape <= 1`` and no positive lower bound).
    """
    from scipy import integrate, stats

    low, high = bounds
    if low <= 0 and shape <= 1:
        raise ValueError(f"The harmonic mean of Gamma(shape={shape}, mean={mean}) is 0 "
                         "(E[1/tau] is infinite for shape <= 1); clip it with tau_min > 0.")
    law = stats.gamma(shape, scale=mean / shape)
    inner, _ = integrate.quad(lambda x: law.pdf(x) / x, low, high, limit=200)
    below = law.cdf(low) / low if low > 0 else 0.0
    above = law.sf(high) / high if np.isfinite(high) else 0.0
    return float(1.0 / (below + inner + above))


def _ingredients(rng, values, n_neurons, heterogeneous):
    """Per-neuron synaptic-current and adaptation time constants, adaptation, bias, noise.

    Drawn in this order; a group with mean 0 is off (zeros). Time constants
    are clipped to ``[tau_min, tau_max]`` like every drawn time constant.
    """
    tau_bounds = (values["tau_min"], values["tau_max"])
    out = {}
    for group in ("tau_syn_exc", "tau_syn_inh", "tau_adapt", "adapt_beta", "bias"):
        shape, mean = _gamma(values, group)
        bounds = tau_bounds if group.startswith("tau") and mean > 0 else None
        out[group] = sample_gamma(rng, shape, mean, n_neurons, heterogeneous, bounds)
    out["noise_sigma"] = np.full(n_neurons, float(values["noise_sigma"]))
    return out


def _stdp_per_synapse(distributions, plastic, rng):
    """STDP parameters of every synapse: drawn for the plastic ones, fixed for the rest.

    Parameters
    ----------
    distributions : dict
        As :func:`hrsnn.model.stdp_distributions` gives them.
    plastic : ndarray of bool, shape (n_synapses,)
    rng : numpy.random.Generator

    Returns
    -------
    dict
        ``name -> ndarray of shape (n_synapses,)``, float64, in the order of
        :data:`hrsnn.heterogeneity.STDP_PARAMETERS`.
    """
    drawn = draw_stdp_parameters(distributions, int(plastic.sum()), rng)
    # each drawn array is dropped once scattered
    return {name: _scatter(drawn.pop(name), plastic, _static_fill(distributions, name))
            for name in list(drawn)}


def _make_read_only(*arrays):
    """Set the arrays read-only (in place)."""
    for arr in arrays:
        arr.flags.writeable = False


def _static_fill(distributions, name):
    """STDP value of a static synapse: the mean time constant, a zero rate."""
    return distributions[name]["mean"] if name.startswith("tau") else 0.0


def _scatter(values, mask, fill):
    out = np.full(mask.size, float(fill))
    out[mask] = values
    return out


def _seed_sequence(seed):
    if isinstance(seed, np.random.SeedSequence):
        return seed
    return np.random.SeedSequence(int(seed))
