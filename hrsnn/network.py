"""The network as explicit arrays: neurons, recurrent and input synapses, STDP.

A :class:`Network` is plain data. It can be generated (:func:`build_network`,
used by :class:`hrsnn.Reservoir`) or given directly from arrays
(:meth:`Network.from_arrays`), for example to simulate a network generated
elsewhere. Synapses are kept sorted by ``(pre, post)`` (CSR by presynaptic
neuron); pruning methods derive smaller networks with
:meth:`Network.keep_synapses` and :meth:`Network.keep_neurons`.

Units: time constants in ms (any unit works if ``dt`` uses the same one),
potentials and weights dimensionless.
"""

import json
from dataclasses import dataclass, fields, replace

import numpy as np
import scipy.sparse as sp

STDP_RULES = ("soft", "additive")

_NEURON_ARRAYS = ("positions", "is_exc", "tau_m", "v_th", "v_init")
_SYNAPSE_ARRAYS = ("pre", "post", "weight", "plastic",
                   "tau_plus", "tau_minus", "eta_plus", "eta_minus")
_INPUT_ARRAYS = ("in_channel", "in_post", "in_weight")
_SCALARS = ("n_inputs", "v_rest", "v_reset", "t_ref", "strict_threshold",
            "stdp_rule", "w_min", "w_max")


@dataclass(frozen=True, eq=False)
class Network:
    """A recurrent LIF network with delta synapses and per-synapse STDP.

    Build one with :meth:`from_arrays` (which checks and sorts) or
    :func:`build_network`; the attributes are read-only by convention.

    Attributes
    ----------
    positions : ndarray of shape (n_neurons, 3)
        Grid coordinates (unit spacing).
    is_exc : ndarray of bool, shape (n_neurons,)
        Excitatory neurons (Dale's law: their outgoing weights are >= 0).
    tau_m : ndarray of shape (n_neurons,)
        Membrane time constants, ms.
    v_th : ndarray of shape (n_neurons,)
        Thresholds.
    v_init : ndarray of shape (n_neurons,)
        Potentials a reset simulation starts from.
    pre, post : ndarray of int32, shape (n_synapses,)
        Recurrent synapses, sorted by ``(pre, post)``.
    weight : ndarray of shape (n_synapses,)
        Added to the target's potential per presynaptic spike.
    plastic : ndarray of bool, shape (n_synapses,)
        Synapses that learn by STDP (E->E by default).
    tau_plus, tau_minus : ndarray of shape (n_synapses,)
        STDP trace time constants, ms.
    eta_plus, eta_minus : ndarray of shape (n_synapses,)
        STDP learning rates (amplitudes for the additive rule).
    in_channel, in_post : ndarray of int32, shape (n_input_synapses,)
        Input synapses, sorted by ``(channel, post)``.
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
    """

    positions: np.ndarray
    is_exc: np.ndarray
    tau_m: np.ndarray
    v_th: np.ndarray
    v_init: np.ndarray
    pre: np.ndarray
    post: np.ndarray
    weight: np.ndarray
    plastic: np.ndarray
    tau_plus: np.ndarray
    tau_minus: np.ndarray
    eta_plus: np.ndarray
    eta_minus: np.ndarray
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

    # ------------------------------------------------------------------ build
    @classmethod
    def from_arrays(cls, *, tau_m, v_th, is_exc, pre, post, weight,
                    positions=None, v_init=None, plastic=None,
                    tau_plus=20.0, tau_minus=20.0, eta_plus=0.01, eta_minus=0.0105,
                    in_channel=(), in_post=(), in_weight=(), n_inputs=None,
                    v_rest=0.0, v_reset=0.0, t_ref=2.0, strict_threshold=False,
                    stdp_rule="soft", w_min=0.0, w_max=1.0):
        """Make a network from explicit arrays, checking and sorting them.

        Per-synapse STDP parameters and ``in_weight`` may be scalars
        (broadcast). ``plastic`` defaults to the E->E synapses, ``v_init`` to
        ``v_rest``, ``positions`` to zeros, ``n_inputs`` to
        ``max(in_channel) + 1``. Synapses are sorted by ``(pre, post)`` and
        input synapses by ``(channel, post)``, carrying their parameters along.

        Raises
        ------
        ValueError
            If an array has the wrong length, an index is out of range, a
            synapse is duplicated, a time constant is not positive, a value is
            not finite, a weight breaks Dale's law, or a plastic weight lies
            outside ``[w_min, w_max]``.
        """
        is_exc = np.asarray(is_exc, dtype=bool).ravel()
        n = is_exc.size
        neuron = {
            "is_exc": is_exc,
            "tau_m": _as_float(tau_m, "tau_m", n),
            "v_th": _as_float(v_th, "v_th", n),
            "v_init": _as_float(v_rest if v_init is None else v_init, "v_init", n),
            "positions": (np.zeros((n, 3)) if positions is None else
                          np.asarray(positions, dtype=np.float64).reshape(n, 3)),
        }
        pre = _as_index(pre, "pre", n)
        post = _as_index(post, "post", n)
        n_syn = pre.size
        if post.size != n_syn:
            raise ValueError(f"'pre' and 'post' must have equal lengths; got {n_syn} and {post.size}.")
        synapse = {
            "pre": pre, "post": post, "weight": _as_float(weight, "weight", n_syn),
            "plastic": (is_exc[pre] & is_exc[post] if plastic is None else
                        np.broadcast_to(np.asarray(plastic, dtype=bool), (n_syn,)).copy()),
            "tau_plus": _as_float(tau_plus, "tau_plus", n_syn),
            "tau_minus": _as_float(tau_minus, "tau_minus", n_syn),
            "eta_plus": _as_float(eta_plus, "eta_plus", n_syn),
            "eta_minus": _as_float(eta_minus, "eta_minus", n_syn),
        }
        in_channel = np.asarray(in_channel, dtype=np.int64).ravel()
        if n_inputs is None:
            n_inputs = int(in_channel.max()) + 1 if in_channel.size else 0
        inputs = {
            "in_channel": _as_index(in_channel, "in_channel", n_inputs),
            "in_post": _as_index(in_post, "in_post", n),
            "in_weight": _as_float(in_weight, "in_weight", in_channel.size),
        }
        if inputs["in_post"].size != in_channel.size:
            raise ValueError("'in_channel' and 'in_post' must have equal lengths.")
        _check_model(neuron, synapse, t_ref, stdp_rule, w_min, w_max)
        synapse = _sorted_by(synapse, "pre", "post")
        inputs = _sorted_by(inputs, "in_channel", "in_post")
        return cls(**neuron, **synapse, **inputs, n_inputs=int(n_inputs),
                   v_rest=float(v_rest), v_reset=float(v_reset), t_ref=float(t_ref),
                   strict_threshold=bool(strict_threshold), stdp_rule=str(stdp_rule),
                   w_min=float(w_min), w_max=float(w_max))

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
        return sp.csr_array((self.weight, (self.pre, self.post)),
                            shape=(self.n_neurons, self.n_neurons))

    @property
    def input_weights(self):
        """Input weights as ``scipy.sparse.csr_array`` ``W_in[channel, post]``."""
        return sp.csr_array((self.in_weight, (self.in_channel, self.in_post)),
                            shape=(self.n_inputs, self.n_neurons))

    def out_degree(self):
        """Recurrent out-degree per neuron, ndarray of shape (n_neurons,)."""
        return np.bincount(self.pre, minlength=self.n_neurons)

    # ------------------------------------------------------------ derivations
    def with_weights(self, weight):
        """A copy with new recurrent weights (same order as ``self.weight``)."""
        return replace(self, weight=_as_float(weight, "weight", self.n_synapses))

    def keep_synapses(self, mask):
        """A copy keeping only the recurrent synapses where ``mask`` is True.

        Parameters
        ----------
        mask : array_like of bool, shape (n_synapses,)
        """
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (self.n_synapses,):
            raise ValueError(f"'mask' must have shape ({self.n_synapses},); got {mask.shape}.")
        return replace(self, **{k: getattr(self, k)[mask] for k in _SYNAPSE_ARRAYS})

    def keep_neurons(self, keep):
        """A copy with only the neurons in ``keep`` (indices or a boolean mask).

        Synapses to or from removed neurons are removed too; the kept neurons
        are renumbered in their original order.
        """
        keep_mask = np.zeros(self.n_neurons, dtype=bool)
        keep_mask[np.asarray(keep)] = True
        new_index = np.cumsum(keep_mask) - 1
        syn = keep_mask[self.pre] & keep_mask[self.post]
        inp = keep_mask[self.in_post]
        changes = {k: getattr(self, k)[keep_mask] for k in _NEURON_ARRAYS}
        changes.update({k: getattr(self, k)[syn] for k in _SYNAPSE_ARRAYS})
        changes.update({k: getattr(self, k)[inp] for k in _INPUT_ARRAYS})
        changes["pre"] = new_index[self.pre[syn]].astype(np.int32)
        changes["post"] = new_index[self.post[syn]].astype(np.int32)
        changes["in_post"] = new_index[self.in_post[inp]].astype(np.int32)
        return replace(self, **changes)

    # ------------------------------------------------------------ persistence
    def to_dict(self, prefix=""):
        """Arrays for ``numpy.savez`` (keys prefixed), scalars as one JSON string."""
        arrays = {prefix + f.name: getattr(self, f.name) for f in fields(self)
                  if f.name not in _SCALARS}
        scalars = {k: getattr(self, k) for k in _SCALARS}
        arrays[prefix + "scalars_json"] = np.array(json.dumps(scalars))
        return arrays

    @classmethod
    def from_dict(cls, data, prefix=""):
        """Inverse of :meth:`to_dict` (works on an ``np.load`` result)."""
        scalars = json.loads(str(data[prefix + "scalars_json"]))
        arrays = {f.name: np.asarray(data[prefix + f.name]) for f in fields(cls)
                  if f.name not in _SCALARS}
        return cls(**arrays, **scalars)


# ---------------------------------------------------------------- helpers
def _as_float(values, name, size):
    arr = np.asarray(values, dtype=np.float64)
    if arr.ndim > 1 or (arr.ndim == 1 and arr.size != size):
        raise ValueError(f"'{name}' must be a scalar or have length {size}; got shape {arr.shape}.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"'{name}' must be finite; it contains NaN or inf.")
    return np.broadcast_to(arr, (size,)).copy()


def _as_index(values, name, upper):
    arr = np.asarray(values)
    if arr.size and not np.issubdtype(arr.dtype, np.integer):
        raise ValueError(f"'{name}' must hold integer indices; got dtype {arr.dtype}.")
    arr = arr.astype(np.int64).ravel()
    if arr.size and (arr.min() < 0 or arr.max() >= upper):
        raise ValueError(f"'{name}' must hold indices in [0, {upper}); "
                         f"got values in [{arr.min()}, {arr.max()}].")
    return arr.astype(np.int32)


def _check_model(neuron, synapse, t_ref, stdp_rule, w_min, w_max):
    for name, arr in (("tau_m", neuron["tau_m"]), ("tau_plus", synapse["tau_plus"]),
                      ("tau_minus", synapse["tau_minus"])):
        if arr.size and arr.min() <= 0:
            raise ValueError(f"'{name}' must be positive (ms); got a minimum of {arr.min()}.")
    if not t_ref >= 0:
        raise ValueError(f"'t_ref' must be >= 0 (ms); got {t_ref}.")
    if stdp_rule not in STDP_RULES:
        raise ValueError(f"'stdp_rule' must be one of {STDP_RULES}; got {stdp_rule!r}.")
    if not w_min <= w_max:
        raise ValueError(f"'w_min' must be <= 'w_max'; got {w_min} > {w_max}.")
    pre_exc = neuron["is_exc"][synapse["pre"]]
    w = synapse["weight"]
    if np.any(pre_exc & (w < 0)) or np.any(~pre_exc & (w > 0)):
        raise ValueError("Weights break Dale's law: synapses from excitatory neurons "
                         "must be >= 0 and from inhibitory neurons <= 0.")
    plastic_w = w[synapse["plastic"]]
    if plastic_w.size and (plastic_w.min() < w_min or plastic_w.max() > w_max):
        raise ValueError(f"Plastic weights must lie in [w_min, w_max] = [{w_min}, {w_max}]; "
                         f"got [{plastic_w.min()}, {plastic_w.max()}]. Clip them or widen the bounds.")
    if synapse["pre"].size:
        key = synapse["pre"].astype(np.int64) * neuron["is_exc"].size + synapse["post"]
        if np.unique(key).size != key.size:
            raise ValueError("Duplicate synapses: each (pre, post) pair may appear once.")


def _sorted_by(arrays, first, second):
    order = np.lexsort((arrays[second], arrays[first]))
    return {k: v[order] for k, v in arrays.items()}
