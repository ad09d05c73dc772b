"""The model file of :meth:`hrsnn.Reservoir.save` and :meth:`hrsnn.Reservoir.load`.

A model file is a ``.npz`` archive (no pickles) with the entries

* ``format_version``: the layout's version, :data:`FORMAT_VERSION`;
* ``params_json``: every parameter of the reservoir but ``network``, as JSON
  (``random_state`` is the seed actually used);
* ``fitted_json``: ``seed_``, ``n_inputs_``, ``n_features_in_`` and
  ``network_is_given`` (whether ``network_`` is the given ``network``);
* ``input_min_``, ``input_max_``: the per-channel range of the training data;
* ``network_*``: the fitted network (:meth:`hrsnn.Network.to_dict`);
* ``param_network_*``: the given ``network`` when STDP made ``network_``
  another one.

Files without ``format_version`` were written before it existed (format 0);
they are read through the same checks, except that the entries and parameters
added since (stable ids, the optional neuron ingredients, ``trace_taus``,
``homogeneous_mean``) may be missing and then take the values those files
meant. A file of a newer format is refused with a message saying so.

Reading checks everything before anything is built: the archive (see
:func:`hrsnn._io.read_npz`), every entry against what the writer writes, the
parameters through the validation of construction, the networks through the
validation of :class:`~hrsnn.network.Network`, and the fitted state against the
network. A damaged file gives one ``ValueError`` naming the file and the entry.
"""

import json
import numbers
from dataclasses import fields
from pathlib import Path

import numpy as np

from . import model
from ._io import atomic_open, read_npz
from .network import _SCALARS, InvalidNetworkError, Network

#: The layout :func:`write` writes; :func:`read` reads this one and all before it.
FORMAT_VERSION = 1

_WHAT = "model file written by Reservoir.save"
_ADVICE = "Restore the file from a copy or re-save the model with Reservoir.save."
_PARAMS = tuple(name for name in model.PARAMETERS if name != "network")
#: Parameters that model files of format 0 may lack (added while it was current);
#: their defaults are what those files meant.
_OPTIONAL_IN_FORMAT_0 = ("trace_taus", "homogeneous_mean", "noise_sigma",
                         *(name for group in ("tau_syn_exc", "tau_syn_inh", "tau_adapt",
                                              "adapt_beta", "bias")
                           for name in model.gamma_names(group)))
_FITTED = ("seed_", "n_inputs_", "n_features_in_", "network_is_given")
_NETWORK_ARRAYS = tuple(f.name for f in fields(Network) if f.name not in _SCALARS)


def model_path(path):
    """The file :func:`write` and :func:`read` use for ``path``.

    ``path`` with ``".npz"`` appended unless it ends so (as ``numpy.savez``
    names it); a file object is used as it is.

    Raises
    ------
    ValueError
        If ``path`` is a folder.
    """
    if hasattr(path, "read") or hasattr(path, "write"):
        return path
    path = Path(path)
    if path.is_dir():
        raise ValueError(f"'{path}' is a folder; give a model file name, e.g. "
                         f"'{path / 'model.npz'}'.")
    return path if path.name.endswith(".npz") else path.with_name(path.name + ".npz")


# ------------------------------------------------------------------ writing
def write(reservoir, path):
    """Write the fitted ``reservoir`` atomically; returns the path written."""
    arrays = _arrays(reservoir)
    target = model_path(path)
    if hasattr(target, "write"):
        np.savez(target, **arrays)
        return target
    with atomic_open(target, "wb", what="model file") as handle:
        np.savez(handle, **arrays)
    return target


def _arrays(reservoir):
    params = reservoir.get_params()
    params["random_state"] = reservoir.seed_
    params["trace_taus"] = list(reservoir._trace_taus())          # JSON: a list
    given = params.pop("network")
    # the given network is saved apart only when STDP made network_ another one
    extra = ({} if given is None or given is reservoir.network_
             else given.to_dict(prefix="param_network_"))
    fitted = {"seed_": reservoir.seed_, "n_inputs_": reservoir.n_inputs_,
              "n_features_in_": reservoir.n_features_in_,
              "network_is_given": given is not None and given is reservoir.network_}
    return {"format_version": np.array(FORMAT_VERSION, dtype=np.int64),
            "params_json": np.array(json.dumps(params)),
            "fitted_json": np.array(json.dumps(fitted)),
            "input_min_": reservoir.input_min_, "input_max_": reservoir.input_max_,
            **reservoir.network_.to_dict(prefix="network_"), **extra}


# ------------------------------------------------------------------ reading
def read(cls, path):
    """A ``cls`` (:class:`hrsnn.Reservoir`) from the model file at ``path``, fully checked."""
    path = model_path(path)
    name = path if isinstance(path, Path) else getattr(path, "name", repr(path))
    arrays = read_npz(path, _WHAT)
    version = _version(name, arrays)
    _check_entries(name, arrays, version)
    params = _params(name, arrays, version)
    reservoir = cls(**params)
    _check_reservoir_params(name, reservoir)
    fitted = _fitted(name, arrays, version, params["random_state"])
    network_ = _network(name, arrays, "network_", version)
    _check_against_network(name, arrays, params, fitted, network_)
    given = _given_network(name, arrays, version, fitted["network_is_given"], network_)
    for key in ("seed_", "n_inputs_", "n_features_in_"):
        setattr(reservoir, key, fitted[key])
    reservoir.input_min_ = arrays["input_min_"].astype(np.float64)
    reservoir.input_max_ = arrays["input_max_"].astype(np.float64)
    reservoir.network_ = network_
    if given is not None:
        reservoir.network = given
    return reservoir


def _damaged(name, entries, problem):
    """The one error of a damaged file: names the file and the entries."""
    entries = (entries,) if isinstance(entries, str) else tuple(dict.fromkeys(entries))
    quoted = " and ".join(f"'{e}'" for e in entries)
    subject = f"entry {quoted}" if len(entries) == 1 else f"entries {quoted}"
    if len(entries) > 1 and problem.startswith("is "):
        problem = "are " + problem[3:]
    return ValueError(f"The file '{name}' is damaged: {subject} {problem.rstrip('.')}. "
                      + _ADVICE)


def _version(name, arrays):
    """The format of the file: its ``format_version`` entry, 0 without one."""
    if "format_version" not in arrays:
        return 0
    value = arrays["format_version"]
    if value.ndim != 0 or value.dtype.kind not in "iu" or value < 0:
        raise _damaged(name, "format_version", f"must be one integer >= 0; got {value!r}")
    if value > FORMAT_VERSION:
        raise ValueError(f"The file '{name}' is a model file of format version {int(value)} "
                         f"(entry 'format_version'), newer than this version of hrsnn reads "
                         f"(0 to {FORMAT_VERSION}). Upgrade hrsnn to load it.")
    return int(value)


def _check_entries(name, arrays, version):
    """No unknown entries, none of the required ones missing."""
    network_keys = {prefix + key for prefix in ("network_", "param_network_")
                    for key in (*_NETWORK_ARRAYS, "scalars_json")}
    known = {"format_version", "params_json", "fitted_json", "input_min_", "input_max_",
             *network_keys}
    unknown = sorted(set(arrays) - known)
    if unknown:
        raise _damaged(name, unknown, "is not part of a model file (written by another "
                       "program?)")
    required = ["params_json", "fitted_json", "input_min_", "input_max_",
                "network_scalars_json", "network_is_exc", "network_pre"]
    if version >= 1:
        required = ["format_version", *required,
                    *(f"network_{key}" for key in _NETWORK_ARRAYS)]
    for key in required:
        if key not in arrays:
            raise _damaged(name, key, "is missing")


def _json_object(name, arrays, key):
    text = arrays[key]
    if text.ndim != 0 or text.dtype.kind != "U":
        raise _damaged(name, key, f"must be one JSON string; got an array of dtype "
                       f"{text.dtype} and shape {text.shape}")
    try:
        value = json.loads(str(text))
    except ValueError as err:
        raise _damaged(name, key, f"is not valid JSON ({err})") from None
    if not isinstance(value, dict):
        raise _damaged(name, key, f"must hold a JSON object; got {type(value).__name__}")
    return value


def _params(name, arrays, version):
    """The parameters of ``params_json``: every one there, none unknown."""
    params = _json_object(name, arrays, "params_json")
    unknown = sorted(set(params) - set(_PARAMS))
    optional = _OPTIONAL_IN_FORMAT_0 if version == 0 else ()
    missing = [key for key in _PARAMS if key not in params and key not in optional]
    if unknown or missing:
        raise _damaged(name, "params_json", f"must hold every parameter of Reservoir but "
                       f"'network'; unknown: {unknown}, missing: {missing}")
    for key in ("grid_shape", "trace_taus"):           # JSON has lists, Reservoir tuples
        if isinstance(params.get(key), list):
            params[key] = tuple(params[key])
    return params


def _check_reservoir_params(name, reservoir):
    """The validation of construction, and ``random_state`` the seed used."""
    try:
        reservoir._check_params()
    except (TypeError, ValueError) as err:
        raise _damaged(name, "params_json", f"is invalid: {err}") from None
    if not _is_int(reservoir.random_state, 0):
        raise _damaged(name, "params_json", "must hold the seed used as 'random_state', an "
                       f"integer >= 0; got {reservoir.random_state!r}")


def _fitted(name, arrays, version, seed):
    """``fitted_json`` checked: integers in range, the seed of ``params_json``."""
    fitted = _json_object(name, arrays, "fitted_json")
    if version == 0:
        fitted.setdefault("network_is_given", False)   # files written before it
    if set(fitted) != set(_FITTED):
        raise _damaged(name, "fitted_json", f"must hold exactly {list(_FITTED)}; got "
                       f"{sorted(fitted)}")
    for key, low in (("seed_", 0), ("n_inputs_", 1), ("n_features_in_", 1)):
        if not _is_int(fitted[key], low):
            raise _damaged(name, "fitted_json", f"must hold '{key}' as an integer >= {low}; "
                           f"got {fitted[key]!r}")
    if not isinstance(fitted["network_is_given"], bool):
        raise _damaged(name, "fitted_json", "must hold 'network_is_given' as true or false; "
                       f"got {fitted['network_is_given']!r}")
    if fitted["seed_"] != seed:
        raise _damaged(name, ("fitted_json", "params_json"), f"disagree: seed_ "
                       f"{fitted['seed_']} but random_state {seed}")
    return fitted


def _is_int(value, low):
    return (isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))
            and value >= low)


def _network(name, arrays, prefix, version):
    """The network under ``prefix``, through the validation of :class:`Network`."""
    try:
        return Network.from_dict(arrays, prefix=prefix, complete=version >= 1)
    except InvalidNetworkError as err:
        entries = [prefix + ("scalars_json" if field in _SCALARS else field)
                   for field in err.fields] or [prefix + "*"]
        raise _damaged(name, entries, f"is invalid: {err}") from None


def _check_against_network(name, arrays, params, fitted, network):
    """The fitted state and the parameters agree with the fitted network."""
    n_inputs = fitted["n_inputs_"]
    if network.n_inputs != n_inputs:
        raise _damaged(name, ("fitted_json", "network_scalars_json"), f"disagree: "
                       f"n_inputs_ {n_inputs} but the network has {network.n_inputs} "
                       "input channels")
    for key in ("input_min_", "input_max_"):
        value = arrays[key]
        if value.shape != (n_inputs,) or value.dtype.kind not in "fiu":
            raise _damaged(name, key, f"must hold {n_inputs} numbers (one per input "
                           f"channel); got dtype {value.dtype} and shape {value.shape}")
        if not np.all(np.isfinite(value)):
            raise _damaged(name, key, "must be finite; it contains NaN or inf")
    if np.any(arrays["input_min_"] > arrays["input_max_"]):
        raise _damaged(name, ("input_min_", "input_max_"), "disagree: a minimum exceeds "
                       "its maximum")
    if fitted["network_is_given"] or "param_network_scalars_json" in arrays:
        return                                   # n_neurons is ignored with a given network
    if params["n_neurons"] != network.n_neurons:
        raise _damaged(name, ("params_json", "network_is_exc"), f"disagree: n_neurons="
                       f"{params['n_neurons']} but the network has {network.n_neurons} "
                       "neurons")


def _given_network(name, arrays, version, network_is_given, network_):
    """The ``network`` parameter: ``network_``, the one saved apart, or None."""
    saved_apart = any(key.startswith("param_network_") for key in arrays)
    if network_is_given:
        if saved_apart:
            raise _damaged(name, ("fitted_json", "param_network_scalars_json"), "disagree: "
                           "network_is_given is true but a separate network is saved")
        return network_
    if not saved_apart:
        return None
    given = _network(name, arrays, "param_network_", version)
    same = (given.n_neurons == network_.n_neurons and given.n_inputs == network_.n_inputs
            and all(np.array_equal(getattr(given, key), getattr(network_, key))
                    for key in ("pre", "post", "in_channel", "in_post")))
    if not same:
        raise _damaged(name, ("param_network_pre", "network_pre"), "disagree: STDP changes "
                       "only weights, so the given network must have the neurons and "
                       "synapses of the fitted one")
    return given
