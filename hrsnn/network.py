"""The network as explicit, read-only arrays with stable ids.

A :class:`Network` is plain data: neurons, recurrent and input synapses, STDP
parameters. It can be generated (:func:`hrsnn.build_network`, used by
:class:`hrsnn.Reservoir`) or given from arrays (:meth:`Network.from_arrays`).
Synapses are kept sorted by ``(pre, post)`` (CSR by presynaptic neuron).

Networks never change; pruning and growth derive new ones
(:meth:`~Network.keep_synapses`, :meth:`~Network.keep_neurons`,
:meth:`~Network.add_synapses`, :meth:`~Network.with_weights`,
:meth:`~Network.with_neuron_params`). Every neuron carries a ``neuron_id`` and
every synapse a ``synapse_id`` through all of these, so that a network pruned
and grown over several rounds maps back to the one it came from; a new synapse
gets an id never used before in its lineage (``next_synapse_id``). Every way
of making a network, including unpickling and :meth:`Network.from_dict`, runs
the same validation, and the arrays are read-only. A network that breaks an
invariant raises :class:`InvalidNetworkError` (a ``ValueError``) naming the
fields at fault, so that a reader of a file can name the entry.

Units: time constants in ms (any unit works if ``dt`` uses the same one),
potentials and weights dimensionless.
"""

import json
import math
import numbers
from dataclasses import dataclass, fields, replace

import numpy as np

from . import model
from ._validation import MAX_MAGNITUDE, as_real_array, shown
from .heterogeneity import draw_stdp_parameters, check_stdp_distributions

STDP_RULES = model.STDP_RULES

_NEURON_ARRAYS = ("positions", "is_exc", "tau_m", "v_th", "v_init", "neuron_id",
                  "tau_syn_exc", "tau_syn_inh", "tau_adapt", "adapt_beta", "bias",
                  "noise_sigma")
#: Optional neuron ingredients: name -> value that switches it off (the default).
NEURON_DEFAULTS = {"tau_syn_exc": 0.0, "tau_syn_inh": 0.0, "tau_adapt": 100.0,
                   "adapt_beta": 0.0, "bias": 0.0, "noise_sigma": 0.0}
_SYNAPSE_ARRAYS = ("pre", "post", "weight", "plastic", "tau_plus", "tau_minus",
                   "eta_plus", "eta_minus", "synapse_id")
_INPUT_ARRAYS = ("in_channel", "in_post", "in_weight")
_SCALARS = ("n_inputs", "v_rest", "v_reset", "t_ref", "strict_threshold", "stdp_rule",
            "w_min", "w_max", "next_synapse_id", "stdp_distributions")
#: Fields in the unit of the potential (weights, rates, currents): at most
#: MAX_MAGNITUDE in magnitude, so that a simulation cannot overflow.
_BOUNDED = ("v_th", "v_init", "weight", "in_weight", "eta_plus", "eta_minus", "bias",
            "noise_sigma", "adapt_beta")
#: Time constants: at least 1 / MAX_MAGNITUDE (the synaptic ones when not 0).
_TIME_CONSTANTS = ("tau_m", "tau_plus", "tau_minus", "tau_adapt", "tau_syn_exc",
                   "tau_syn_inh")
_DTYPES = {"is_exc": np.bool_, "plastic": np.bool_, "pre": np.int32, "post": np.int32,
           "in_channel": np.int32, "in_post": np.int32, "neuron_id": np.int64,
           "synapse_id": np.int64}


class InvalidNetworkError(ValueError):
    """A network's arrays or scalars break an invariant (a ``ValueError``).

    Parameters
    ----------
    message : str
        What is wrong and what was expected.
    fields : tuple of str
        The :class:`Network` fields at fault (``"scalars_json"`` for the JSON
        of the scalars as a whole), so that a file reader can name its entries.
    """

    def __init__(self, message, fields=()):
        super().__init__(message)
        self.fields = tuple(fields)


@dataclass(frozen=True, eq=False)
class Network:
    """A recurrent LIF network with delta synapses and per-synapse STDP.

    Make one with :meth:`from_arrays` (which fills defaults and sorts) or
    :func:`hrsnn.build_network`. The constructor itself checks everything
    and makes the arrays read-only; every derivation goes through it.

    Attributes
    ----------
    positions : ndarray of shape (n_neurons, 3)
        Grid coordinates (unit spacing).
    is_exc : ndarray of bool, shape (n_neurons,)
        Excitatory neurons (Dale's law: their outgoing weights are >= 0).
    tau_m : ndarray of shape (n_neurons,)
        Membrane time constants, ms (> 0).
    v_th : ndarray of shape (n_neurons,)
        Thresholds.
    v_init : ndarray of shape (n_neurons,)
        Potentials a reset simulation starts from.
    neuron_id : ndarray of int64, shape (n_neurons,)
        Stable, unique ids (``arange(n_neurons)`` for a new network).
    tau_syn_exc, tau_syn_inh : ndarray of shape (n_neurons,)
        Time constants (ms) of the neuron's excitatory and inhibitory synaptic
        currents; all 0 means delta synapses (a spike adds ``w`` to ``v``),
        all > 0 exponential currents that jump by ``w / tau_syn`` per spike
        (so that a spike delivers the same total charge ``w``). Which current a
        synapse feeds follows the sign of its weight.
    tau_adapt : ndarray of shape (n_neurons,)
        Time constant of spike-frequency adaptation, ms (> 0).
    adapt_beta : ndarray of shape (n_neurons,)
        Adaptation strength (>= 0): the threshold is ``v_th + adapt_beta * a``
        with ``tau_adapt da/dt = -a + sum of spikes`` (``a`` jumps by
        ``1 / tau_adapt`` per spike: a rate estimate, spikes per ms).
    bias : ndarray of shape (n_neurons,)
        Constant drive added to the input current (steady-state shift of ``v``).
    noise_sigma : ndarray of shape (n_neurons,)
        Membrane noise (>= 0): stationary standard deviation of ``v`` that an
        Ornstein-Uhlenbeck input with the membrane's own time constant gives;
        seeded per run.
    pre, post : ndarray of int32, shape (n_synapses,)
        Recurrent synapses as current neuron indices, sorted by ``(pre, post)``,
        no duplicates.
    weight : ndarray of shape (n_synapses,)
        Added to the target's potential per presynaptic spike.
    plastic : ndarray of bool, shape (n_synapses,)
        Synapses that learn by STDP (E->E by default).
    tau_plus, tau_minus : ndarray of shape (n_synapses,)
        STDP trace time constants, ms (> 0).
    eta_plus, eta_minus : ndarray of shape (n_synapses,)
        STDP learning rates (amplitudes for the additive rule).
    synapse_id : ndarray of int64, shape (n_synapses,)
        Stable, unique ids, all below ``next_synapse_id``.
    in_channel, in_post : ndarray of int32, shape (n_input_synapses,)
        Input synapses, sorted by ``(channel, post)``, no duplicates.
    in_weight : ndarray of shape (n_input_synapses,)
        Input weights.
    n_inputs : int
        Input channels.
    v_rest, v_reset : float
        Resting and reset potentials.
    t_ref : float
        Refractory period, ms.
    strict_threshold : bool
        Spike iff ``v > v_th`` (True, Brian2's ``v > v_th``) or ``v >= v_th``.
    stdp_rule : {"soft", "additive"}
        Multiplicative soft bounds (SPEC section 4) or additive with hard bounds.
    w_min, w_max : float
        Bounds of plastic weights.
    next_synapse_id : int
        The id the next added synapse gets.
    stdp_distributions : dict
        The distributions new plastic synapses draw their STDP parameters from
        (see :func:`hrsnn.heterogeneity.draw_stdp_parameters`).
    """

    positions: np.ndarray
    is_exc: np.ndarray
    tau_m: np.ndarray
    v_th: np.ndarray
    v_init: np.ndarray
    neuron_id: np.ndarray
    tau_syn_exc: np.ndarray
    tau_syn_inh: np.ndarray
    tau_adapt: np.ndarray
    adapt_beta: np.ndarray
    bias: np.ndarray
    noise_sigma: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    plastic: np.ndarray
    tau_plus: np.ndarray
    tau_minus: np.ndarray
    eta_plus: np.ndarray
    eta_minus: np.ndarray
    synapse_id: np.ndarray
    in_channel: np.ndarray
    in_post: np.ndarray
    in_weight: np.ndarray
    n_inputs: int
    v_rest: float = 0.0
    v_reset: float = 0.0
    t_ref: float = 2.0
    strict_threshold: bool = False
    stdp_rule: str = "soft"
    w_min: float = 0.0
    w_max: float = 1.0
    next_synapse_id: int = 0
    stdp_distributions: dict = None

    def __post_init__(self):
        for name in _NEURON_ARRAYS + _SYNAPSE_ARRAYS + _INPUT_ARRAYS:
            object.__setattr__(self, name, _frozen(name, getattr(self, name)))
        distributions = (model.stdp_distributions(model.defaults(), True)
                         if self.stdp_distributions is None else self.stdp_distributions)
        try:
            distributions = check_stdp_distributions(distributions)
        except (TypeError, ValueError) as err:
            raise InvalidNetworkError(str(err), ("stdp_distributions",)) from None
        object.__setattr__(self, "stdp_distributions", distributions)
        _check_network(self)

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(cls, *, tau_m, v_th, is_exc, pre, post, weight,
                    positions=None, v_init=None, plastic=None,
                    tau_plus=20.0, tau_minus=20.0, eta_plus=0.01, eta_minus=0.0105,
                    in_channel=(), in_post=(), in_weight=(), n_inputs=None,
                    v_rest=0.0, v_reset=0.0, t_ref=2.0, strict_threshold=False,
                    stdp_rule="soft", w_min=0.0, w_max=1.0, neuron_id=None,
                    synapse_id=None, next_synapse_id=None, stdp_distributions=None,
                    tau_syn_exc=0.0, tau_syn_inh=0.0, tau_adapt=100.0, adapt_beta=0.0,
                    bias=0.0, noise_sigma=0.0):
        """Make a network from explicit arrays, checking and sorting them.

        Per-synapse STDP parameters and ``in_weight`` may be scalars
        (broadcast). ``plastic`` defaults to the E->E synapses, ``v_init`` to
        ``v_rest``, ``positions`` to zeros, ``n_inputs`` to
        ``max(in_channel) + 1``, the optional ingredients (synaptic currents,
        adaptation, bias, noise) to off, ids to ``arange``, ``next_synapse_id`` to one
        past the largest synapse id, ``stdp_distributions`` to the model's
        defaults (:mod:`hrsnn.model`). Synapses are sorted by ``(pre, post)``
        and input synapses by ``(channel, post)``, carrying their parameters along.
        Arrays are copied, except read-only ones of the field's dtype and
        length, which are taken as they are (as the constructor takes them).

        Raises
        ------
        InvalidNetworkError
            A ``ValueError`` (its ``fields`` name the arguments at fault) if an
            array has the wrong length or does not hold real numbers (flags:
            booleans or 0/1; indices: integers), an index is out of range, a
            synapse or id is duplicated, a time constant is below
            ``1 / MAX_MAGNITUDE`` (see :mod:`hrsnn._validation`), a value is not
            finite or a potential, weight or rate exceeds ``MAX_MAGNITUDE`` in
            magnitude, a weight breaks Dale's law, or a plastic weight lies
            outside ``[w_min, w_max]``.
        """
        is_exc = _as_flags(is_exc, "is_exc", None)
        n = is_exc.size
        if v_init is None and not _is_finite_real(v_rest):
            _fail(f"'v_rest' must be a finite number; got {shown(v_rest)}.", "v_rest")
        neuron = {
            "is_exc": is_exc,
            "tau_m": _as_float(tau_m, "tau_m", n, _PER_NEURON),
            "v_th": _as_float(v_th, "v_th", n, _PER_NEURON),
            "v_init": _as_float(v_rest if v_init is None else v_init,
                                "v_init" if v_init is not None else "v_rest", n, _PER_NEURON),
            "positions": (_sealed(np.zeros((n, 3))) if positions is None else
                          _as_positions(positions, n)),
            "neuron_id": _as_ids(neuron_id, "neuron_id", n),
        }
        given = {"tau_syn_exc": tau_syn_exc, "tau_syn_inh": tau_syn_inh,
                 "tau_adapt": tau_adapt, "adapt_beta": adapt_beta, "bias": bias,
                 "noise_sigma": noise_sigma}
        neuron.update({name: _as_float(value, name, n, _PER_NEURON)
                       for name, value in given.items()})
        synapse = _synapse_arrays(is_exc, pre, post, weight, plastic, tau_plus, tau_minus,
                                  eta_plus, eta_minus, synapse_id)
        if next_synapse_id is None:
            next_synapse_id = int(synapse["synapse_id"].max()) + 1 if synapse["pre"].size else 0
        in_channel = _as_index(in_channel, "in_channel", None)
        if n_inputs is None:
            n_inputs = int(in_channel.max()) + 1 if in_channel.size else 0
        inputs = {"in_channel": in_channel, "in_post": _as_index(in_post, "in_post", n),
                  "in_weight": _as_float(in_weight, "in_weight", in_channel.size,
                                         " (one per input synapse of 'in_channel')")}
        if inputs["in_post"].size != in_channel.size:
            _fail("'in_channel' and 'in_post' must have equal lengths; got "
                  f"{in_channel.size} and {inputs['in_post'].size}.", "in_channel", "in_post")
        return cls(**neuron, **_sorted_by(synapse, "pre", "post"),
                   **_sorted_by(inputs, "in_channel", "in_post"), n_inputs=n_inputs,
                   v_rest=v_rest, v_reset=v_reset, t_ref=t_ref,
                   strict_threshold=strict_threshold, stdp_rule=stdp_rule, w_min=w_min,
                   w_max=w_max, next_synapse_id=next_synapse_id,
                   stdp_distributions=stdp_distributions)

    # ------------------------------------------------------------- properties
    @property
    def n_neurons(self):
        """Number of recurrent neurons."""
        return self.is_exc.size

    @property
    def n_synapses(self):
        """Number of recurrent synapses."""
        return self.pre.size

    @property
    def weights(self):
        """Recurrent weights as ``scipy.sparse.csr_array`` ``W[pre, post]``."""
        return _csr_array(self.weight, self.pre, self.post, (self.n_neurons, self.n_neurons))

    @property
    def input_weights(self):
        """Input weights as ``scipy.sparse.csr_array`` ``W_in[channel, post]``."""
        return _csr_array(self.in_weight, self.in_channel, self.in_post,
                          (self.n_inputs, self.n_neurons))

    @property
    def current_synapses(self):
        """Whether synapses are exponential currents (``tau_syn_* > 0``), not delta."""
        return bool(self.tau_syn_exc.size and self.tau_syn_exc[0] > 0)

    def out_degree(self):
        """Recurrent out-degree per neuron, ndarray of shape (n_neurons,)."""
        return np.bincount(self.pre, minlength=self.n_neurons)

    def neuron_index(self, neuron_id):
        """Current indices of the neurons with these ids.

        Parameters
        ----------
        neuron_id : array_like of int
            Ids (``self.neuron_id`` values).

        Returns
        -------
        ndarray of int64, the shape of ``neuron_id``

        Raises
        ------
        KeyError
            If an id is not in this network (removed, or never there).
        """
        return _index_of(self.neuron_id, neuron_id, "neuron")

    def synapse_index(self, synapse_id):
        """Current indices of the synapses with these ids (see :meth:`neuron_index`)."""
        return _index_of(self.synapse_id, synapse_id, "synapse")

    # ------------------------------------------------------------ derivations
    def with_weights(self, weight):
        """A copy with new recurrent weights (same order as ``self.weight``)."""
        return replace(self, weight=_as_float(weight, "weight", self.n_synapses))

    def with_neuron_params(self, **values):
        """A copy with new per-neuron values (scalars broadcast; None keeps them).

        Any of ``tau_m``, ``v_th``, ``v_init`` and the optional ingredients
        (``tau_syn_exc``, ``tau_syn_inh``, ``tau_adapt``, ``adapt_beta``,
        ``bias``, ``noise_sigma``) may be given.

        Parameters
        ----------
        tau_m : float or array_like of shape (n_neurons,), optional
            Membrane time constants, ms (> 0).
        v_th : float or array_like of shape (n_neurons,), optional
            Thresholds.
        v_init : float or array_like of shape (n_neurons,), optional
            Initial potentials.
        """
        allowed = ("tau_m", "v_th", "v_init", *NEURON_DEFAULTS)
        unknown = sorted(set(values) - set(allowed))
        if unknown:
            raise TypeError(f"with_neuron_params() got unknown names {unknown}; the "
                            f"per-neuron values are {list(allowed)}.")
        return replace(self, **{name: _as_float(value, name, self.n_neurons)
                                for name, value in values.items() if value is not None})

    def keep_synapses(self, mask):
        """A copy keeping only the recurrent synapses where ``mask`` is True.

        Parameters
        ----------
        mask : array_like of bool, shape (n_synapses,)
        """
        mask = _as_mask(mask, self.n_synapses, "mask")
        return replace(self, **{k: getattr(self, k)[mask] for k in _SYNAPSE_ARRAYS})

    def keep_neurons(self, keep):
        """A copy with only the neurons in ``keep`` (indices or a boolean mask).

        Synapses to or from removed neurons are removed too; the kept neurons
        are renumbered in their original order and keep their ``neuron_id``.
        """
        keep_mask = _neuron_mask(keep, self.n_neurons)
        new_index = np.cumsum(keep_mask) - 1
        syn = keep_mask[self.pre] & keep_mask[self.post]
        inp = keep_mask[self.in_post]
        changes = {k: getattr(self, k)[keep_mask] for k in _NEURON_ARRAYS}
        changes.update({k: getattr(self, k)[syn] for k in _SYNAPSE_ARRAYS})
        changes.update({k: getattr(self, k)[inp] for k in _INPUT_ARRAYS})
        changes["pre"] = new_index[self.pre[syn]]
        changes["post"] = new_index[self.post[syn]]
        changes["in_post"] = new_index[self.in_post[inp]]
        return replace(self, **changes)

    def add_synapses(self, pre, post, weight, *, plastic=None, tau_plus=None,
                     tau_minus=None, eta_plus=None, eta_minus=None, random_state=None):
        """A copy with new recurrent synapses.

        Parameters
        ----------
        pre, post : array_like of int, shape (n_new,)
            Current neuron indices; no pair may exist already or repeat.
        weight : float or array_like of shape (n_new,)
            Weights; the sign must follow Dale's law and plastic weights must
            lie in ``[w_min, w_max]``.
        plastic : bool or array_like of bool, optional
            Which new synapses learn; default E->E, as in :func:`build_network`.
        tau_plus, tau_minus, eta_plus, eta_minus : float or array_like, optional
            STDP parameters of the new synapses. Those not given are drawn for
            the new plastic synapses from ``stdp_distributions`` (static
            synapses get the means and zero rates, as in the builder).
        random_state : int, Generator or None, default=None
            Seed of those draws.

        Returns
        -------
        Network
            The new synapses get ids ``next_synapse_id, next_synapse_id + 1, ...``
            in the order given.

        Raises
        ------
        ValueError
            If an index is out of range, a pair exists already or repeats, or a
            weight breaks Dale's law or the plastic bounds.
        """
        pre = _as_index(pre, "pre", self.n_neurons)
        post = _as_index(post, "post", self.n_neurons)
        if pre.size != post.size:
            raise ValueError(f"'pre' and 'post' must have equal lengths; got {pre.size} "
                             f"and {post.size}.")
        existing = np.isin(_pair_keys(pre, post, self.n_neurons),
                           _pair_keys(self.pre, self.post, self.n_neurons))
        if existing.any():
            k = int(np.flatnonzero(existing)[0])
            raise ValueError(f"Synapse ({pre[k]}, {post[k]}) exists already; "
                             f"{int(existing.sum())} of the new pairs do. Change the "
                             "weight of an existing synapse with 'with_weights'.")
        plastic = (self.is_exc[pre] & self.is_exc[post] if plastic is None else
                   _as_flags(plastic, "plastic", pre.size))
        stdp = self._new_stdp(plastic, random_state, tau_plus=tau_plus,
                              tau_minus=tau_minus, eta_plus=eta_plus, eta_minus=eta_minus)
        new = {"pre": pre, "post": post, "weight": _as_float(weight, "weight", pre.size),
               "plastic": plastic, **stdp,
               "synapse_id": self.next_synapse_id + np.arange(pre.size, dtype=np.int64)}
        merged = {k: np.concatenate([getattr(self, k), new[k]]) for k in _SYNAPSE_ARRAYS}
        return replace(self, **_sorted_by(merged, "pre", "post"),
                       next_synapse_id=self.next_synapse_id + pre.size)

    def _new_stdp(self, plastic, random_state, **given):
        """STDP parameters of new synapses: given values, else drawn for plastic ones."""
        drawn = draw_stdp_parameters(self.stdp_distributions, int(plastic.sum()),
                                     np.random.default_rng(random_state))
        fill = {name: self.stdp_distributions[name]["mean"] if name.startswith("tau") else 0.0
                for name in model.STDP_GROUPS}
        out = {}
        for name in model.STDP_GROUPS:
            if given[name] is not None:
                out[name] = _as_float(given[name], name, plastic.size)
            else:
                out[name] = np.full(plastic.size, float(fill[name]))
                out[name][plastic] = drawn[name]
        return out

    # --------------------------------------------------------------- exports
    def to_networkx(self):
        """The recurrent graph as a :class:`networkx.DiGraph`.

        Nodes are the current neuron indices ``0 .. n_neurons - 1`` with
        attributes ``neuron_id``, ``is_exc``, ``tau_m``, ``v_th`` and
        ``position``; edges ``pre -> post`` carry ``weight``, ``synapse_id``
        and ``plastic``.
        """
        import networkx as nx

        graph = nx.DiGraph()
        graph.add_nodes_from(
            (i, {"neuron_id": int(self.neuron_id[i]), "is_exc": bool(self.is_exc[i]),
                 "tau_m": float(self.tau_m[i]), "v_th": float(self.v_th[i]),
                 "position": tuple(self.positions[i])}) for i in range(self.n_neurons))
        graph.add_edges_from(
            (int(j), int(i), {"weight": float(w), "synapse_id": int(s), "plastic": bool(p)})
            for j, i, w, s, p in zip(self.pre, self.post, self.weight, self.synapse_id,
                                     self.plastic))
        return graph

    # ------------------------------------------------------------ persistence
    def to_dict(self, prefix=""):
        """Arrays for ``numpy.savez`` (keys prefixed), scalars as one JSON string."""
        arrays = {prefix + f.name: getattr(self, f.name) for f in fields(self)
                  if f.name not in _SCALARS}
        scalars = {k: getattr(self, k) for k in _SCALARS}
        arrays[prefix + "scalars_json"] = np.array(json.dumps(scalars))
        return arrays

    @classmethod
    def from_dict(cls, data, prefix="", *, complete=False):
        """Inverse of :meth:`to_dict` (works on an ``np.load`` result); fully checked.

        Parameters
        ----------
        data : mapping of str to array_like
            The arrays of :meth:`to_dict`.
        prefix : str, default=""
            The prefix their keys carry.
        complete : bool, default=False
            Require every entry and scalar that :meth:`to_dict` writes. By
            default those that files of earlier versions lack take the values
            those files meant: ids in order, the optional ingredients off,
            ``next_synapse_id`` the number of synapses, the model's
            ``stdp_distributions``.

        Raises
        ------
        InvalidNetworkError
            A ``ValueError`` whose ``fields`` name the entries (without the
            prefix) that are missing or wrong.
        """
        scalars = _scalars_from(data, prefix, complete)
        n, n_syn = _length(data, prefix + "is_exc"), _length(data, prefix + "pre")
        # entries that files of earlier versions lack: ids in order, ingredients off
        missing = {"neuron_id": lambda: np.arange(n), "synapse_id": lambda: np.arange(n_syn),
                   **{name: (lambda v=value: np.full(n, v))
                      for name, value in NEURON_DEFAULTS.items()}}
        arrays = {}
        for name in (f.name for f in fields(cls) if f.name not in _SCALARS):
            if prefix + name in data:
                arrays[name] = np.asarray(data[prefix + name])
            elif name in missing and not complete:
                arrays[name] = missing[name]()
            else:
                raise InvalidNetworkError(f"The entry '{prefix + name}' is missing.", (name,))
        if not complete:
            scalars.setdefault("next_synapse_id", n_syn)
        return cls(**arrays, **scalars)

    def __reduce__(self):
        # unpickling goes through the constructor: checked, read-only arrays
        return _rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)})

    def __copy__(self):
        return self            # immutable

    def __deepcopy__(self, memo):
        return self            # immutable (so sklearn's clone keeps the same object)


def _rebuild(cls, values):
    return cls(**values)


def _length(data, key):
    """Length of the entry ``key`` (0 when it is missing or 0-d; the checks report it)."""
    shape = np.shape(data[key]) if key in data else ()
    return shape[0] if shape else 0


def _scalars_from(data, prefix, complete):
    """The scalars of :meth:`Network.to_dict`, parsed and checked for unknown keys."""
    key = prefix + "scalars_json"
    if key not in data:
        raise InvalidNetworkError(f"The entry '{key}' is missing.", ("scalars_json",))
    text = np.asarray(data[key])
    try:
        if text.ndim != 0 or text.dtype.kind != "U":
            raise ValueError(f"it holds an array of dtype {text.dtype} and shape {text.shape}")
        scalars = json.loads(str(text))
    except ValueError as err:
        raise InvalidNetworkError(f"'{key}' must be one JSON string of the network's "
                                  f"scalars; {err}.", ("scalars_json",)) from None
    if not isinstance(scalars, dict):
        raise InvalidNetworkError(f"'{key}' must hold a JSON object of the network's "
                                  f"scalars; got {type(scalars).__name__}.", ("scalars_json",))
    required = set(_SCALARS) if complete else {"n_inputs"}
    unknown, absent = sorted(set(scalars) - set(_SCALARS)), sorted(required - set(scalars))
    if unknown or absent:
        raise InvalidNetworkError(f"'{key}' must hold the scalars {list(_SCALARS)}; "
                                  f"unknown: {unknown}, missing: {absent}.", ("scalars_json",))
    return scalars


# ---------------------------------------------------------------- checks
def _check_network(net):
    """Every invariant of a :class:`Network`; raises InvalidNetworkError naming the fields."""
    n, n_syn, n_in = net.n_neurons, net.pre.size, net.in_channel.size
    _check_scalars(net)
    for name in _NEURON_ARRAYS:
        _check_shape(name, getattr(net, name), (n, 3) if name == "positions" else (n,))
    for name in _SYNAPSE_ARRAYS:
        _check_shape(name, getattr(net, name), (n_syn,))
    for name in _INPUT_ARRAYS:
        _check_shape(name, getattr(net, name), (n_in,))
    _check_ingredients(net)
    for name in ("positions", "tau_m", "v_th", "v_init", "weight", "tau_plus", "tau_minus",
                 "eta_plus", "eta_minus", "in_weight"):
        if not np.all(np.isfinite(getattr(net, name))):
            _fail(f"'{name}' must be finite; it contains NaN or inf.", name)
    for name in ("tau_m", "tau_plus", "tau_minus"):
        arr = getattr(net, name)
        if arr.size and arr.min() <= 0:
            _fail(f"'{name}' must be positive (ms); got a minimum of {arr.min()}.", name)
    _check_magnitudes(net)
    _check_range("pre", net.pre, n, "neuron")
    _check_range("post", net.post, n, "neuron")
    _check_range("in_channel", net.in_channel, net.n_inputs, "input channel", "n_inputs")
    _check_range("in_post", net.in_post, n, "neuron")
    _check_sorted("pre", "post", net.pre, net.post, "Duplicate synapses: each (pre, post) "
                  "pair may appear once")
    _check_sorted("in_channel", "in_post", net.in_channel, net.in_post,
                  "Duplicate input synapses: each (channel, post) pair may appear once")
    _check_unique("neuron_id", net.neuron_id)
    _check_unique("synapse_id", net.synapse_id)
    if n_syn and (net.synapse_id.min() < 0 or net.synapse_id.max() >= net.next_synapse_id):
        _fail("'synapse_id' must lie in [0, next_synapse_id) = "
              f"[0, {net.next_synapse_id}).", "synapse_id", "next_synapse_id")
    _check_dale_and_bounds(net)


def _fail(message, *fields):
    raise InvalidNetworkError(message, fields)


def _check_magnitudes(net):
    """Potentials, weights and rates within MAX_MAGNITUDE, time constants at least its
    inverse: then no simulation of the network can overflow (see hrsnn._validation)."""
    for name in ("v_rest", "v_reset", "w_min", "w_max") + _BOUNDED:
        largest = _largest_magnitude(getattr(net, name))
        if largest > MAX_MAGNITUDE:
            _fail(f"'{name}' must be at most {MAX_MAGNITUDE:g} in magnitude (beyond, a "
                  f"simulation could overflow); got {largest:g}. Rescale the "
                  "potentials and weights.", name)
    for name in _TIME_CONSTANTS:
        arr = getattr(net, name)
        arr = arr[arr != 0] if name.startswith("tau_syn") else arr
        if arr.size and arr.min() < 1 / MAX_MAGNITUDE:
            _fail(f"'{name}' must be at least {1 / MAX_MAGNITUDE:g} ms (shorter time "
                  f"constants would overflow the simulation); got {arr.min():g}.", name)


def _largest_magnitude(values):
    """``max(abs(values))`` of a number or an array (0 for an empty one), without
    an array of magnitudes."""
    arr = np.asarray(values)
    return float(max(abs(arr.max()), abs(arr.min()))) if arr.size else 0.0


def _check_ingredients(net):
    """The optional neuron ingredients: finite, signs, delta or current synapses."""
    for name in NEURON_DEFAULTS:
        if not np.all(np.isfinite(getattr(net, name))):
            _fail(f"'{name}' must be finite; it contains NaN or inf.", name)
    for name in ("tau_syn_exc", "tau_syn_inh", "adapt_beta", "noise_sigma"):
        arr = getattr(net, name)
        if arr.size and arr.min() < 0:
            _fail(f"'{name}' must be >= 0; got a minimum of {arr.min()}.", name)
    if net.tau_adapt.size and net.tau_adapt.min() <= 0:
        _fail(f"'tau_adapt' must be positive (ms); got a minimum of {net.tau_adapt.min()}.",
              "tau_adapt")
    taus = np.concatenate([net.tau_syn_exc, net.tau_syn_inh])
    if taus.size and not (np.all(taus == 0) or np.all(taus > 0)):
        _fail("'tau_syn_exc' and 'tau_syn_inh' must be all 0 (delta synapses) or all > 0 "
              "(exponential synaptic currents); got a mix.", "tau_syn_exc", "tau_syn_inh")


def _check_scalars(net):
    _check_count("n_inputs", net.n_inputs, np.iinfo(np.int32).max + 1)   # in_channel: int32
    for name in ("v_rest", "v_reset", "t_ref", "w_min", "w_max"):
        value = getattr(net, name)
        if not _is_finite_real(value):
            _fail(f"'{name}' must be a finite number; got {value!r}.", name)
        object.__setattr__(net, name, float(value))
    object.__setattr__(net, "n_inputs", int(net.n_inputs))
    if not net.t_ref >= 0:
        _fail(f"'t_ref' must be >= 0 (ms); got {net.t_ref}.", "t_ref")
    if not isinstance(net.strict_threshold, (bool, np.bool_)):
        _fail(f"'strict_threshold' must be a bool; got {net.strict_threshold!r}.",
              "strict_threshold")
    object.__setattr__(net, "strict_threshold", bool(net.strict_threshold))
    if not isinstance(net.stdp_rule, str) or net.stdp_rule not in STDP_RULES:
        _fail(f"'stdp_rule' must be one of {STDP_RULES}; got {net.stdp_rule!r}.", "stdp_rule")
    if not net.w_min <= net.w_max:
        _fail(f"'w_min' must be <= 'w_max'; got {net.w_min} > {net.w_max}.", "w_min", "w_max")
    _check_count("next_synapse_id", net.next_synapse_id, np.iinfo(np.int64).max)
    object.__setattr__(net, "next_synapse_id", int(net.next_synapse_id))


def _check_count(name, value, upper):
    """An integer in ``[0, upper]`` (not a bool)."""
    if (not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_))
            or not 0 <= value <= upper):
        _fail(f"'{name}' must be an integer in [0, {upper}]; got {value!r}.", name)


def _is_finite_real(value):
    """A real number (not a bool) whose float is finite."""
    if not isinstance(value, numbers.Real) or isinstance(value, (bool, np.bool_)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def _check_shape(name, arr, shape):
    if arr.shape != shape:
        _fail(f"'{name}' must have shape {shape}; got {arr.shape}.", name)


def _check_range(name, arr, upper, what, *also):
    if arr.size and (arr.min() < 0 or arr.max() >= upper):
        count = f"{upper} {what}" + ("" if upper == 1 else "s")
        count += " = n_inputs" if what == "input channel" else ""
        _fail(f"'{name}' must hold indices in [0, {upper}) (the network has {count}); "
              f"got values in [{arr.min()}, {arr.max()}].", name, *also)


def _check_sorted(first, second, a, b, duplicate_message):
    """Pairs ``(a[k], b[k])`` strictly increasing (sorted, no duplicates)."""
    same_first = a[1:] == a[:-1]
    if np.any(same_first & (b[1:] == b[:-1])):
        _fail(duplicate_message + ".", first, second)
    if not _is_sorted_by(a, b, same_first):
        _fail(f"Synapses must be sorted by ({first}, {second}); use Network.from_arrays, "
              "which sorts them.", first, second)


def _is_sorted_by(a, b, same_first=None):
    """Whether the pairs ``(a[k], b[k])`` are in non-decreasing lexicographic order.

    Parameters
    ----------
    a, b : ndarray of shape (n,)
    same_first : ndarray of bool, shape (n - 1,), optional
        ``a[1:] == a[:-1]``, if the caller has it.
    """
    if same_first is None:
        same_first = a[1:] == a[:-1]
    return bool(np.all(a[1:] >= a[:-1]) and np.all(~same_first | (b[1:] >= b[:-1])))


def _check_unique(name, ids):
    if ids.size > 1 and not np.all(ids[1:] > ids[:-1]):     # increasing ids are unique
        ordered = np.sort(ids)
        if np.any(ordered[1:] == ordered[:-1]):
            _fail(f"'{name}' must hold unique ids.", name)


def _check_dale_and_bounds(net):
    pre_exc = net.is_exc[net.pre]
    w = net.weight
    if np.any(pre_exc & (w < 0)) or np.any(~pre_exc & (w > 0)):
        _fail("Weights ('weight') break Dale's law: synapses from excitatory neurons "
              "('is_exc') must be >= 0 and from inhibitory neurons <= 0.", "weight", "is_exc")
    plastic_w = w[net.plastic]
    if plastic_w.size and (plastic_w.min() < net.w_min or plastic_w.max() > net.w_max):
        _fail(f"Plastic weights must lie in [w_min, w_max] = [{net.w_min}, {net.w_max}]; "
              f"got [{plastic_w.min()}, {plastic_w.max()}] ('weight' where 'plastic'). Clip "
              "them or widen the bounds.",
              "weight", "plastic", "w_min", "w_max")


# ---------------------------------------------------------------- helpers
def _frozen(name, values):
    """``values`` as a read-only array of the field's dtype (copied unless already so)."""
    dtype = _DTYPES.get(name, np.float64)
    arr = np.asarray(values)
    _check_dtype(name, arr, dtype)
    if dtype in (np.int32, np.int64) and arr.size and (arr.min() < np.iinfo(dtype).min
                                                       or arr.max() > np.iinfo(dtype).max):
        _fail(f"'{name}' holds values beyond the range of {np.dtype(dtype)}.", name)
    if arr.dtype != dtype or arr.flags.writeable or not arr.flags.c_contiguous:
        arr = np.ascontiguousarray(arr, dtype=dtype).copy()
        arr.flags.writeable = False
    return arr


def _check_dtype(name, arr, dtype):
    """Booleans (or 0/1 integers) for flags, integers for indices, real numbers otherwise."""
    if not arr.size:
        return
    if dtype is np.bool_:
        ok = arr.dtype == np.bool_ or (np.issubdtype(arr.dtype, np.integer)
                                       and np.all((arr == 0) | (arr == 1)))
        expected = "booleans"
    elif dtype in (np.int32, np.int64):
        ok, expected = np.issubdtype(arr.dtype, np.integer), "integers"
    else:
        ok = np.issubdtype(arr.dtype, np.integer) or np.issubdtype(arr.dtype, np.floating)
        expected = "real numbers"
    if not ok:
        _fail(f"'{name}' must hold {expected}; got dtype {arr.dtype}.", name)


def _real(values, name):
    """``values`` as float64 (booleans refused), or an InvalidNetworkError naming it."""
    try:
        return as_real_array(values, name, "Network", allow_bool=False)
    except (TypeError, ValueError) as err:
        raise InvalidNetworkError(str(err), (name,)) from None


_PER_NEURON = " (one per neuron of 'is_exc')"
_PER_SYNAPSE = " (one per synapse of 'pre' and 'post')"


def _as_float(values, name, size, per=""):
    arr = _real(values, name)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != size):
        _fail(f"'{name}' must be a scalar or have length {size}{per}; got shape "
              f"{arr.shape}.", name)
    if not np.all(np.isfinite(arr)):
        _fail(f"'{name}' must be finite; it contains NaN or inf.", name)
    return _read_only(arr, size)


def _read_only(arr, size):
    """``arr`` broadcast to shape ``(size,)``, read-only: ``arr`` itself if it is so
    already (taken as it is, as the constructor takes it), else a copy.

    Parameters
    ----------
    arr : ndarray of shape () or (size,)
    size : int

    Returns
    -------
    ndarray of shape (size,), the dtype of ``arr``
    """
    if arr.shape == (size,) and not arr.flags.writeable and arr.flags.c_contiguous:
        return arr
    return _sealed(np.broadcast_to(arr, (size,)).copy())


def _sealed(arr):
    """``arr``, a new array no one else holds, made read-only (the constructor then
    takes it without a copy)."""
    arr.flags.writeable = False
    return arr


def _as_positions(positions, n):
    arr = _real(positions, "positions")
    if arr.shape != (n, 3):
        _fail(f"'positions' must have shape ({n}, 3); got {arr.shape}.", "positions")
    return arr


def _as_array(values, name):
    """``np.asarray(values)``, or an InvalidNetworkError for a ragged nesting."""
    try:
        return np.asarray(values)
    except ValueError:
        _fail(f"'{name}' must be an array; got a ragged nesting of sequences.", name)


def _as_flags(values, name, size, per=""):
    """Booleans (or 0/1 integers) as a bool array of ``size`` (a scalar is broadcast;
    ``size=None``: any 1-D length)."""
    arr = _as_array(values, name)
    ok = arr.dtype == np.bool_ or (arr.dtype.kind in "iu" and np.all((arr == 0) | (arr == 1)))
    if arr.size and not ok:
        _fail(f"'{name}' must hold booleans (or 0 and 1); got {_described(arr)}.", name)
    if arr.ndim > 1 or (size is not None and arr.ndim == 1 and arr.size != size):
        length = "be 1-D" if size is None else f"be a scalar or have length {size}{per}"
        _fail(f"'{name}' must {length}; got shape {arr.shape}.", name)
    arr = arr.astype(bool, copy=False).ravel()
    return _read_only(arr, arr.size if size is None else size)


def _described(arr):
    """``dtype float64`` or, for integers that are not 0/1, ``values in [lo, hi]``."""
    if arr.dtype.kind in "iu":
        return f"values in [{arr.min()}, {arr.max()}]"
    return f"dtype {arr.dtype}"


def _as_index(values, name, upper):
    arr = _as_array(values, name)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        _fail(f"'{name}' must hold integer indices; got dtype {arr.dtype}.", name)
    if arr.size and arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max:
        _fail(f"'{name}' holds indices beyond int32.", name)
    arr = arr.ravel()
    low, high = (int(arr.min()), int(arr.max())) if arr.size else (0, 0)
    if low < 0 or (upper is not None and arr.size and high >= upper):
        allowed = ">= 0" if upper is None else f"in [0, {upper}) (the neurons of 'is_exc')"
        _fail(f"'{name}' must hold indices {allowed}; got values in [{low}, {high}].", name)
    if high > np.iinfo(np.int32).max:
        _fail(f"'{name}' holds indices beyond int32.", name)
    return _read_only(arr.astype(np.int32, copy=False), arr.size)


def _as_ids(ids, name, size):
    if ids is None:
        return _sealed(np.arange(size, dtype=np.int64))
    arr = _as_array(ids, name)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        _fail(f"'{name}' must hold integer ids; got dtype {arr.dtype}.", name)
    if arr.size and arr.dtype == np.uint64 and arr.max() > np.iinfo(np.int64).max:
        _fail(f"'{name}' holds ids beyond int64.", name)
    arr = arr.astype(np.int64, copy=False).ravel()
    if arr.size != size:
        _fail(f"'{name}' must have length {size}; got {arr.size}.", name)
    return _read_only(arr, size)


def _as_mask(mask, size, name):
    mask = np.asarray(mask)
    if mask.dtype != bool or mask.shape != (size,):
        raise ValueError(f"'{name}' must be a boolean array of shape ({size},); got "
                         f"dtype {mask.dtype}, shape {mask.shape}.")
    return mask


def _neuron_mask(keep, n):
    keep = np.asarray(keep)
    if keep.dtype == bool:
        return _as_mask(keep, n, "keep")
    indices = _as_index(keep, "keep", n)
    mask = np.zeros(n, dtype=bool)
    mask[indices] = True
    return mask


def _synapse_arrays(is_exc, pre, post, weight, plastic, tau_plus, tau_minus, eta_plus,
                    eta_minus, synapse_id):
    n = is_exc.size
    pre, post = _as_index(pre, "pre", n), _as_index(post, "post", n)
    n_syn = pre.size
    if post.size != n_syn:
        _fail(f"'pre' and 'post' must have equal lengths; got {n_syn} and {post.size}.",
              "pre", "post")
    return {
        "pre": pre, "post": post, "weight": _as_float(weight, "weight", n_syn, _PER_SYNAPSE),
        "plastic": (_sealed(is_exc[pre] & is_exc[post]) if plastic is None else
                    _as_flags(plastic, "plastic", n_syn, _PER_SYNAPSE)),
        "tau_plus": _as_float(tau_plus, "tau_plus", n_syn, _PER_SYNAPSE),
        "tau_minus": _as_float(tau_minus, "tau_minus", n_syn, _PER_SYNAPSE),
        "eta_plus": _as_float(eta_plus, "eta_plus", n_syn, _PER_SYNAPSE),
        "eta_minus": _as_float(eta_minus, "eta_minus", n_syn, _PER_SYNAPSE),
        "synapse_id": _as_ids(synapse_id, "synapse_id", n_syn),
    }


def _pair_keys(a, b, n):
    return a.astype(np.int64) * max(int(n), 1) + b.astype(np.int64)


def _sorted_by(arrays, first, second):
    """``arrays`` (a dict of equal-length arrays) in the order of ``(first, second)``;
    the same dict when they are in that order already (a stable sort keeps it)."""
    if _is_sorted_by(arrays[first], arrays[second]):
        return arrays
    order = np.lexsort((arrays[second], arrays[first]))
    return {k: _sealed(v[order]) for k, v in arrays.items()}


def _index_of(ids, wanted, what):
    """Positions in ``ids`` of the values ``wanted`` (KeyError for a missing one)."""
    wanted = np.asarray(wanted, dtype=np.int64)
    order = np.argsort(ids, kind="stable")
    sorted_ids = ids[order]
    pos = np.minimum(np.searchsorted(sorted_ids, wanted), max(sorted_ids.size - 1, 0))
    found = sorted_ids[pos] == wanted if sorted_ids.size else np.zeros(wanted.shape, bool)
    if not np.all(found):
        missing = wanted[~found]
        raise KeyError(f"No {what} with id {int(missing.flat[0])} in this network "
                       f"({missing.size} of the ids are missing).")
    return order[pos]


def _csr_array(values, rows, columns, shape):
    """``scipy.sparse.csr_array`` of the entries (``scipy.sparse`` is imported only
    here: it takes a tenth of a second and nothing else of a network needs it)."""
    import scipy.sparse

    return scipy.sparse.csr_array((values, (rows, columns)), shape=shape)
