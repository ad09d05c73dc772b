"""The one declaration of the model's parameters.

Every parameter of the reservoir model (neurons, topology, weights, input,
STDP, simulation, features) is declared once here: its name, default, type
and range, unit, documentation and, for the optimiser, its default search
range. Each heterogeneous quantity is a :class:`GammaParam`, a gamma
distribution given by ``(shape, mean)`` that appears as the two flat
parameters ``{name}_shape`` and ``{name}_mean``.

Everything else derives from :data:`MODEL`: the signature, validation and
docstring of :class:`hrsnn.Reservoir`, the keyword arguments and defaults of
:func:`hrsnn.build_network`, the STDP distributions a
:class:`~hrsnn.network.Network` draws new synapses from, and the default
boxes of :class:`hrsnn.optimize.SearchSpace`. Adding a parameter means adding
one :class:`Param` (and using it where the model computes with it).
"""

import inspect
import math
import numbers
from dataclasses import dataclass

import numpy as np

from ._validation import MAX_MAGNITUDE, check_choice, check_number, check_seed, shown
from .encoding import ENCODINGS
from .heterogeneity import PRESETS, STDP_PARAMETERS, Gamma
from .topology import IN_WEIGHT_DISTRIBUTIONS

#: Plasticity rules of :class:`~hrsnn.network.Network` (see :mod:`hrsnn._kernels.lif`).
STDP_RULES = ("soft", "additive")

#: Per-sequence features of :meth:`hrsnn.Reservoir.transform`.
FEATURES = ("counts", "final", "mean")

#: Value kinds a :class:`Param` can have and how they are checked.
KINDS = ("int", "float", "bool", "choice", "grid", "seed", "jobs", "network", "taus")

#: Bound of every quantity in the unit of the potential (see :mod:`hrsnn._validation`).
_M = MAX_MAGNITUDE

#: Most points of a ``grid_shape`` (placing neurons draws a permutation of them).
MAX_GRID_POINTS = 2 ** 26


def gamma_names(group):
    """The flat parameter names ``(shape, mean)`` of a gamma group, e.g. ``"tau_m_exc"``."""
    return f"{group}_shape", f"{group}_mean"


@dataclass(frozen=True)
class Param:
    """One flat model parameter.

    Parameters
    ----------
    name : str
        Keyword of :class:`hrsnn.Reservoir` (and of :func:`hrsnn.build_network`
        when ``builder``).
    default : object
        Default value.
    doc : str
        One-paragraph description for the numpydoc docstring.
    kind : str, default="float"
        One of :data:`KINDS`.
    low, high : float or None
        Range of a number (``high`` inclusive; ``low`` inclusive unless ``low_open``).
    low_open : bool, default=False
    allow_none : bool, default=False
        Whether None is accepted.
    choices : tuple of str
        Options of a ``"choice"``.
    builder : bool, default=False
        Whether the network builder takes it (a property of the network, not
        of how the reservoir simulates or reads it out).
    search : tuple or None
        ``((low, high), log)``: the default box of the optimiser, or None if
        the parameter is not searched by default.
    """

    name: str
    default: object
    doc: str
    kind: str = "float"
    low: float | None = None
    high: float | None = None
    low_open: bool = False
    allow_none: bool = False
    choices: tuple = ()
    builder: bool = False
    search: tuple | None = None

    def check(self, owner, value):
        """Raise a ValueError/TypeError naming ``owner`` unless ``value`` fits."""
        if self.kind == "choice":
            check_choice(owner, self.name, value, self.choices)
        elif self.kind in ("int", "float", "bool"):
            check_number(owner, self.name, value, self.kind, self.low, self.high,
                         self.low_open, self.allow_none)
        elif self.kind == "grid":
            _check_grid(owner, value)
        elif self.kind == "jobs":
            _check_jobs(owner, value)
        elif self.kind == "taus":
            _check_taus(owner, self.name, value)
        elif self.kind == "seed":
            check_seed(owner, value, self.name)


@dataclass(frozen=True)
class GammaParam:
    """A heterogeneous quantity: a gamma distribution given by (shape, mean).

    Parameters
    ----------
    name : str
        Group name, e.g. ``"tau_m_exc"``; the flat parameters are
        ``{name}_mean`` and ``{name}_shape``.
    shape, mean : float
        Default shape ``k`` (coefficient of variation ``1 / sqrt(k)``) and mean.
    doc : str
        What the quantity is (a plural noun phrase).
    unit : str
        Its unit ("ms", or "" for a dimensionless one).
    mean_may_be_zero : bool, default=False
        Whether a mean of 0 is allowed (every value 0, e.g. a learning rate off).
    search : tuple or None
        ``(shape_range, mean_range)``: the default box of the optimiser (both
        searched on a log scale), or None.
    max_mean : float or None, default=None
        Largest mean (quantities in the unit of the potential: ``MAX_MAGNITUDE``);
        time constants need none, they are clipped to ``[tau_min, tau_max]``.
    """

    name: str
    shape: float
    mean: float
    doc: str
    unit: str = ""
    mean_may_be_zero: bool = False
    search: tuple | None = None
    max_mean: float | None = None

    @property
    def default(self):
        """The default distribution, a :class:`~hrsnn.heterogeneity.Gamma`, or None
        when the default mean is 0 (the ingredient is off)."""
        return Gamma(self.shape, self.mean) if self.mean > 0 else None

    def params(self):
        """The two flat parameters: ``(mean, shape)``."""
        shape_name, mean_name = gamma_names(self.name)
        return (
            Param(mean_name, self.mean,
                  f"Mean of {self.doc}" + (f", {self.unit}." if self.unit else "."), low=0.0,
                  high=self.max_mean, low_open=not self.mean_may_be_zero, builder=True),
            Param(shape_name, self.shape,
                  f"Gamma shape of {self.doc} (coefficient of variation 1/sqrt(shape)).",
                  low=0.0, low_open=True, builder=True),
        )


# -------------------------------------------------------------------- the model
_NEURONS = (
    Param("n_neurons", 1000, "Recurrent neurons (ignored when ``network`` is given).",
          kind="int", low=1, high=np.iinfo(np.int32).max),
    Param("exc_fraction", 0.8, "Fraction of excitatory neurons.", low=0.0, high=1.0,
          builder=True, search=((0.5, 0.95), False)),
    Param("heterogeneity", "HeNHeS",
          "Heterogeneous (He) or homogeneous (Ho) Neurons (``tau_m``, ``v_th``) and STDP "
          "Synapses (``tau_plus/minus``, ``eta_plus/minus``). A homogeneous group uses the "
          "means of its distributions, so the four presets are directly comparable. "
          "[network]",
          kind="choice", choices=tuple(PRESETS)),
    Param("homogeneous_mean", "arithmetic", "The value a homogeneous neuron group (presets "
          "HoN...) gives every tau_m: the mean of its distribution (arithmetic) or its "
          "harmonic mean, 1 / E[1/tau_m] of the clipped distribution, which matches the "
          "mean leak rate that governs firing (13.3 ms for shape 3 and mean 20 ms). "
          "[network]", kind="choice", choices=("arithmetic", "harmonic"), builder=True),
    GammaParam("tau_m_exc", 3.0, 20.0, "excitatory membrane time constants", "ms",
               search=((1.0, 50.0), (2.0, 100.0))),
    GammaParam("tau_m_inh", 3.0, 10.0, "inhibitory membrane time constants", "ms",
               search=((1.0, 50.0), (2.0, 100.0))),
    GammaParam("v_th", 20.0, 1.0, "the thresholds",
               search=((2.0, 100.0), (0.5, 2.0)), max_mean=_M),
    Param("tau_min", 1.0, "Every drawn time constant is clipped to at least this, ms.",
          low=1 / _M, builder=True),
    Param("tau_max", 200.0, "Every drawn time constant is clipped to at most this, ms.",
          low=0.0, low_open=True, builder=True),
    Param("t_ref", 2.0, "Refractory period, ms.", low=0.0, builder=True,
          search=((0.5, 10.0), False)),
    Param("v_rest", 0.0, "Resting potential.", low=-_M, high=_M, builder=True),
    Param("v_reset", 0.0, "Reset potential.", low=-_M, high=_M, builder=True),
)

_INGREDIENTS = (
    GammaParam("tau_syn_exc", 3.0, 0.0, "the time constants of each neuron's excitatory "
               "synaptic current (0: delta synapses, a spike adds w to v; > 0: "
               "exponential currents that deliver the same charge w per spike; give "
               "both or neither)", "ms", mean_may_be_zero=True),
    GammaParam("tau_syn_inh", 3.0, 0.0, "the time constants of each neuron's inhibitory "
               "synaptic current (see tau_syn_exc)", "ms", mean_may_be_zero=True),
    GammaParam("tau_adapt", 3.0, 100.0, "the spike-frequency adaptation time constants",
               "ms"),
    GammaParam("adapt_beta", 3.0, 0.0, "the adaptation strengths (threshold v_th + "
               "adapt_beta * a, a the spike train filtered with tau_adapt and unit area, "
               "spikes per ms; 0: no adaptation)", mean_may_be_zero=True, max_mean=_M),
    GammaParam("bias", 3.0, 0.0, "the bias currents (constant drive, steady-state shift "
               "of v; 0: none)", mean_may_be_zero=True, max_mean=_M),
    Param("noise_sigma", 0.0, "Membrane noise: stationary standard deviation of v from an "
          "Ornstein-Uhlenbeck input with each neuron's tau_m, seeded per sequence (0: "
          "none).", low=0.0, high=_M, builder=True),
)

_TOPOLOGY = (
    Param("grid_shape", None, "Grid (3 integers with product >= ``n_neurons``); None picks "
          "the smallest near-cubic grid.", kind="grid", allow_none=True, builder=True),
    Param("conn_lambda", 2.0, "Connection length scale lambda (grid units): "
          "``P = C * exp(-(D / lambda)^2)``.", low=0.0, low_open=True, builder=True,
          search=((0.5, 5.0), False)),
    Param("conn_cutoff", 3.5, "Pairs farther than ``conn_cutoff * conn_lambda`` are never "
          "connected.", low=0.0, low_open=True, builder=True),
    Param("c_ee", 0.3, "Connection probability scale E->E.", low=0.0, high=1.0,
          builder=True, search=((0.05, 1.0), False)),
    Param("c_ei", 0.2, "Connection probability scale E->I.", low=0.0, high=1.0,
          builder=True, search=((0.05, 1.0), False)),
    Param("c_ie", 0.4, "Connection probability scale I->E.", low=0.0, high=1.0,
          builder=True, search=((0.05, 1.0), False)),
    Param("c_ii", 0.1, "Connection probability scale I->I.", low=0.0, high=1.0,
          builder=True, search=((0.05, 1.0), False)),
)

_WEIGHTS = (
    Param("w_scale", 0.02, "Factor on every recurrent weight (weak coupling, chosen on "
          "validation data by ``benchmarks/tune_defaults.py``).", low=0.0, high=_M,
          builder=True, search=((0.01, 0.5), True)),
    Param("w_ee", 1.0, "Mean E->E weight magnitude before ``w_scale``.", low=0.0, high=_M,
          builder=True),
    Param("w_ei", 2.0, "Mean E->I weight magnitude before ``w_scale``.", low=0.0, high=_M,
          builder=True),
    Param("w_ie", 0.6, "Mean I->E weight magnitude before ``w_scale`` (the weights are "
          "negative).", low=0.0, high=_M, builder=True),
    Param("w_ii", 0.6, "Mean I->I weight magnitude before ``w_scale`` (the weights are "
          "negative).", low=0.0, high=_M, builder=True),
    Param("w_shape", 1.0, "Gamma shape of the weight magnitudes (1: coefficient of "
          "variation 1).", low=0.0, low_open=True, builder=True, search=((0.5, 10.0), True)),
)

_INPUT = (
    Param("p_in", 0.3, "Probability that an input channel connects to a neuron.",
          low=0.0, high=1.0, builder=True, search=((0.05, 1.0), False)),
    Param("w_in", 3.0, "Input weight: current per unit input (``\"current\"``) or potential "
          "jump per input spike (``\"poisson\"``, ``\"spikes\"``); with "
          "``w_in_dist=\"uniform\"`` the half-width of the weights' range (then >= 0).",
          low=-_M, high=_M, builder=True, search=((0.1, 10.0), True)),
    Param("w_in_dist", "uniform", "Input weights drawn from ``U(-w_in, w_in)`` (signed, "
          "echo-state style: each neuron sees a signed random projection of the input, "
          "which serves classification and forecasting alike, see "
          "``benchmarks/tune_defaults.py``), or every one equal to ``w_in`` "
          "(``\"constant\"``, the paper; input spikes excite).", kind="choice",
          choices=IN_WEIGHT_DISTRIBUTIONS, builder=True),
    Param("encoding", "current", "How inputs drive the network (see :mod:`hrsnn.encoding`).",
          kind="choice", choices=ENCODINGS),
    Param("max_rate", 50.0, "Poisson rate of an input at the top of its training range, Hz.",
          low=0.0, search=((10.0, 400.0), True)),
    Param("dt", 1.0, "Simulation step, ms.", low=0.0, low_open=True),
    Param("steps_per_input", 5, "Simulation steps per input time step.", kind="int", low=1),
)

_STDP = (
    Param("stdp", True, "Learn E->E weights by STDP during ``fit``.", kind="bool"),
    Param("stdp_rule", "soft", "Multiplicative soft bounds or additive with hard bounds.",
          kind="choice", choices=STDP_RULES, builder=True),
    Param("stdp_epochs", 1, "Passes of STDP over the training sequences.", kind="int", low=1),
    Param("stdp_w_min", 0.0, "Lower bound of plastic weights.", low=-_M, high=_M,
          builder=True),
    Param("stdp_w_max", None, "Upper bound of plastic weights (>= ``stdp_w_min``); None "
          "means ``2 * w_scale * w_ee``, which puts the soft-bound rule's fixed point "
          "``w_max * eta_plus / (eta_plus + eta_minus)`` near the initial mean weight.",
          low=-_M, high=_M, allow_none=True, builder=True),
    GammaParam("tau_plus", 3.0, 20.0, "the presynaptic STDP trace time constants", "ms",
               search=((1.0, 50.0), (5.0, 80.0))),
    GammaParam("tau_minus", 3.0, 20.0, "the postsynaptic STDP trace time constants", "ms",
               search=((1.0, 50.0), (5.0, 80.0))),
    GammaParam("eta_plus", 3.0, 0.01, "the potentiation learning rates",
               mean_may_be_zero=True, search=((1.0, 50.0), (1e-3, 1e-1)), max_mean=_M),
    GammaParam("eta_minus", 3.0, 0.0105, "the depression learning rates",
               mean_may_be_zero=True, search=((1.0, 50.0), (1e-3, 1e-1)), max_mean=_M),
)

_READOUT = (
    Param("features", "counts", "Per-sequence features: spike counts per neuron, the "
          "exponentially filtered spike trains at the end, or their mean over input steps.",
          kind="choice", choices=FEATURES),
    Param("tau_readout", 20.0, "Time constant of the filtered spike trains, ms.",
          low=0.0, low_open=True, search=((2.0, 200.0), True)),
    Param("trace_taus", (5.0, 20.0, 100.0), "Time constants of the filtered spike trains "
          "``run(record_traces=True)`` returns as ``traces`` (one block of n_neurons columns "
          "per time constant, in this order; the readouts' ``\"traces\"`` feature), ms: a "
          "non-empty sequence of distinct positive numbers (a tuple, list or 1-D array, "
          "kept as given).", kind="taus"),
)

_RUN = (
    Param("network", None, "A given :class:`~hrsnn.network.Network` (for example a pruned "
          "one) that ``fit`` uses instead of building one; STDP still runs on it when "
          "``stdp``. The parameters marked [network] (properties of the network) are then "
          "ignored: the network carries its own neurons, synapses and STDP rule. It must "
          "have as many input channels as ``X``.", kind="network", allow_none=True),
    Param("random_state", None, "Seed of the network and of Poisson encoding (int >= 0, "
          "RandomState or Generator instance, or None).", kind="seed", allow_none=True),
    Param("n_jobs", None, "Threads for ``transform`` (None = 1, -1 = all cores); inside "
          "``joblib.parallel_config('dask')`` (or another cluster backend), joblib "
          "workers of the cluster instead (-1 = all). Results are identical for every "
          "value.", kind="jobs", allow_none=True),
)

#: The model, section by section: section title -> entries (Param or GammaParam).
MODEL = {
    "neurons": _NEURONS,
    "neuron and synapse ingredients": _INGREDIENTS,
    "topology": _TOPOLOGY,
    "weights": _WEIGHTS,
    "input and simulation": _INPUT,
    "STDP": _STDP,
    "features": _READOUT,
    "network, seed and threads": _RUN,
}

#: Every flat parameter, in the order of :class:`hrsnn.Reservoir`'s signature.
PARAMETERS = {p.name: p for entries in MODEL.values() for entry in entries
              for p in (entry.params() if isinstance(entry, GammaParam) else (entry,))}

#: The heterogeneous quantities: group name -> GammaParam.
GAMMA_GROUPS = {entry.name: entry for entries in MODEL.values() for entry in entries
                if isinstance(entry, GammaParam)}

#: Names of the parameters the network builder takes.
BUILDER_PARAMETERS = tuple(name for name, p in PARAMETERS.items() if p.builder)

#: The STDP distributions of a network (drawn per plastic synapse).
STDP_GROUPS = STDP_PARAMETERS


#: Named configurations, ``name -> (description, {parameter: value})``, for
#: :meth:`hrsnn.Reservoir.from_preset` (on top of the defaults).
NAMED_PRESETS = {
    "broad_timescales": (
        "Broad timescale heterogeneity: membrane time constants of E and I neurons "
        "drawn with gamma shape 0.5 (coefficient of variation 1.4) around the default "
        "means and clipped to [1, 1000] ms, so that they span three orders of "
        "magnitude; the regime the paper's heterogeneity argument points to.",
        {"tau_m_exc_shape": 0.5, "tau_m_inh_shape": 0.5, "tau_max": 1000.0}),
}


def preset(name, **overrides):
    """The parameters of a named configuration of :data:`NAMED_PRESETS`.

    Parameters
    ----------
    name : str
        A key of :data:`NAMED_PRESETS`.
    **overrides
        Parameters that replace or extend the preset's.

    Returns
    -------
    dict
        ``{parameter: value}``; the other parameters keep their defaults.
    """
    check_choice("preset", "name", name, tuple(NAMED_PRESETS))
    unknown = sorted(set(overrides) - set(PARAMETERS))
    if unknown:
        raise TypeError(f"preset() got unknown Reservoir parameters {unknown}; see "
                        "hrsnn.model.PARAMETERS.")
    return {**NAMED_PRESETS[name][1], **overrides}


def defaults(names=None):
    """Default values, ``{name: default}`` for ``names`` (all parameters by default)."""
    names = PARAMETERS if names is None else names
    return {name: PARAMETERS[name].default for name in names}


def check_params(owner, values):
    """Check every value of ``values`` (a dict of flat parameters) and their relations.

    Raises
    ------
    ValueError, TypeError
        Naming ``owner``, the parameter, what was expected and what was given.
    """
    for name, value in values.items():
        PARAMETERS[name].check(owner, value)
    if "tau_min" in values and "tau_max" in values and values["tau_min"] > values["tau_max"]:
        raise ValueError(f"The 'tau_min' parameter of {owner} ({values['tau_min']}) must "
                         f"not exceed 'tau_max' ({values['tau_max']}).")
    syn = [values.get(f"tau_syn_{kind}_mean") for kind in ("exc", "inh")]
    if None not in syn and (syn[0] > 0) != (syn[1] > 0):
        raise ValueError(f"The 'tau_syn_exc_mean' and 'tau_syn_inh_mean' parameters of "
                         f"{owner} must both be 0 (delta synapses) or both > 0 (current "
                         f"synapses). Got {syn[0]!r} and {syn[1]!r} instead.")
    grid, n = values.get("grid_shape"), values.get("n_neurons")
    if grid is not None and n is not None and int(np.prod(grid)) < n:
        raise ValueError(f"The 'grid_shape' parameter of {owner} must be None or 3 "
                         f"integers with product >= n_neurons={n}. Got {grid!r} instead.")
    _check_plastic_bounds(owner, values)
    if values.get("w_in_dist") == "uniform" and values.get("w_in", 0) < 0:
        raise ValueError(f"The 'w_in' parameter of {owner} must be >= 0 with "
                         "w_in_dist='uniform' (the half-width of U(-w_in, w_in)); use "
                         f"w_in_dist='constant' for negative input weights. Got "
                         f"{values['w_in']!r} instead.")


def _check_plastic_bounds(owner, values):
    """``stdp_w_min <= stdp_w_max`` (None: ``2 * w_scale * w_ee``, within MAX_MAGNITUDE)."""
    if "stdp_w_min" not in values or "stdp_w_max" not in values:
        return
    w_min, w_max = values["stdp_w_min"], values["stdp_w_max"]
    if w_max is None:
        if "w_scale" not in values or "w_ee" not in values:
            return
        w_max = 2.0 * values["w_scale"] * values["w_ee"]
        given = f"None, which means 2 * w_scale * w_ee = {w_max!r}"
        if w_max > _M:
            raise ValueError(f"The 'w_scale' and 'w_ee' parameters of {owner} give "
                             f"stdp_w_max = 2 * w_scale * w_ee = {w_max!r}, beyond {_M:g}; "
                             "lower them or give 'stdp_w_max'.")
    else:
        given = repr(w_max)
    if w_min > w_max:
        raise ValueError(f"The 'stdp_w_min' and 'stdp_w_max' parameters of {owner} bound "
                         f"the plastic weights to [stdp_w_min, stdp_w_max], so stdp_w_min "
                         f"must not exceed stdp_w_max. Got stdp_w_min={w_min!r} and "
                         f"stdp_w_max={given} instead.")


def gamma(values, group):
    """The distribution of ``group`` in flat ``values``, a :class:`Gamma` (mean > 0)."""
    shape, mean = gamma_names(group)
    return Gamma(values[shape], values[mean])


def stdp_distributions(values, heterogeneous):
    """The STDP distributions of a network built from flat ``values``.

    Returns
    -------
    dict
        The layout of :func:`hrsnn.heterogeneity.check_stdp_distributions`.
    """
    out = {}
    for name in STDP_GROUPS:
        shape, mean = (float(values[key]) for key in gamma_names(name))
        out[name] = {"shape": shape, "mean": mean}
    out["heterogeneous"] = bool(heterogeneous)
    out["tau_bounds"] = [float(values["tau_min"]), float(values["tau_max"])]
    return out


def signature(names=None, *, positional=("n_neurons",)):
    """An :class:`inspect.Signature` ``(self, <positional>, *, <keywords>)`` with defaults."""
    names = PARAMETERS if names is None else names
    kinds = {True: inspect.Parameter.POSITIONAL_OR_KEYWORD,
             False: inspect.Parameter.KEYWORD_ONLY}
    params = [inspect.Parameter("self", inspect.Parameter.POSITIONAL_OR_KEYWORD)]
    params += [inspect.Parameter(name, kinds[name in positional],
                                 default=PARAMETERS[name].default) for name in names]
    return inspect.Signature(params)


def numpydoc(names=None, indent=4):
    """The numpydoc ``Parameters`` entries of ``names`` (all by default), as text."""
    names = PARAMETERS if names is None else names
    pad = " " * indent
    lines = []
    for name in names:
        p = PARAMETERS[name]
        lines.append(f"{pad}{name} : {_type_text(p)}, default={p.default!r}")
        lines.extend(_wrap(p.doc + (" [network]" if p.builder else ""), pad + "    "))
    return "\n".join(lines)


# --------------------------------------------------------------------- helpers
def _type_text(p):
    if p.kind == "choice":
        return "{" + ", ".join(repr(c) for c in p.choices) + "}"
    return {"int": "int", "float": "float", "bool": "bool", "grid": "tuple of 3 int or None",
            "seed": "int, RandomState, Generator or None", "jobs": "int or None",
            "network": "Network or None", "taus": "tuple of float"}[p.kind] + (
                " or None" if p.allow_none and p.kind in ("float", "int") else "")


def _wrap(text, pad, width=88):
    import textwrap

    return textwrap.wrap(text, width=width, initial_indent=pad, subsequent_indent=pad,
                         break_on_hyphens=False)


def _check_grid(owner, value):
    if value is None:
        return
    try:
        dims = list(value)
        ok = len(dims) == 3 and all(isinstance(d, (int, np.integer)) and not isinstance(
            d, (bool, np.bool_)) and d >= 1 for d in dims)
    except TypeError:
        ok = False
    if not ok:
        raise ValueError(f"The 'grid_shape' parameter of {owner} must be None or 3 "
                         f"positive integers. Got {shown(value)} instead.")
    points = math.prod(int(d) for d in dims)
    if points > MAX_GRID_POINTS:
        count = f"{points:,}" if points < 10 ** 30 else "more than 10**30"
        raise ValueError(f"The 'grid_shape' parameter of {owner} must have at most "
                         f"{MAX_GRID_POINTS:,} points (placing neurons costs memory in "
                         f"proportion to the grid). Got {shown(value)}, {count} points, "
                         "instead; give a denser grid or None.")


def as_taus(value):
    """``trace_taus`` as the tuple of floats the simulator takes (checked beforehand)."""
    return tuple(float(tau) for tau in np.asarray(value, dtype=np.float64))


def _check_taus(owner, name, value):
    """A non-empty 1-D sequence of distinct positive finite numbers (ms)."""
    message = (f"The '{name}' parameter of {owner} must be a non-empty sequence of distinct "
               f"positive finite numbers of ms, e.g. (5.0, 20.0, 100.0). Got {value!r} "
               "instead.")
    if isinstance(value, np.ndarray):
        numeric = value.dtype.kind in "iuf"
        items = list(value.ravel()) if numeric else None
        shaped = value.ndim == 1
    elif isinstance(value, (tuple, list)):
        items, shaped = list(value), True
        numeric = all(isinstance(t, numbers.Real) and not isinstance(t, (bool, np.bool_))
                      for t in items)
    else:
        raise TypeError(message)
    if not numeric:
        raise TypeError(message)
    taus = np.asarray(items, dtype=np.float64)
    if (not shaped or taus.size == 0 or not np.all(np.isfinite(taus) & (taus > 0))
            or np.unique(taus).size != taus.size):
        raise ValueError(message)


def _check_jobs(owner, value):
    if value is None:
        return
    check_number(owner, "n_jobs", value, "int")
    if value == 0:
        raise ValueError(f"The 'n_jobs' parameter of {owner} must be a non-zero "
                         "integer or None. Got 0 instead.")
