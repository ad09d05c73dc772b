"""What the readouts share: state features by name, the default reservoir, checks."""

import numbers
from contextlib import contextmanager

import numpy as np
from sklearn.base import clone
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

from .._validation import MAX_MAGNITUDE, as_real_array, check_choice, check_magnitude, shown
from ..reservoir import Reservoir

#: Per-input-step state features every readout here can use, by name: filtered
#: spike trains (``tau_readout``), membrane potentials, the (standardised) input
#: itself, synaptic currents, adaptation variables and filtered spike trains at
#: every time constant of the reservoir's ``trace_taus`` (all but the input at
#: the end of each input step).
STEP_FEATURES = ("states", "v", "input", "currents", "adaptation", "traces")
FORECAST_FEATURES = STEP_FEATURES



def forecasting_reservoir(n_neurons=1000, random_state=None, **params):
    """``Reservoir(n_neurons=n_neurons, random_state=random_state, **params)``.

    Kept as a thin alias: the :class:`~hrsnn.Reservoir` defaults are the
    configuration we recommend for forecasting as for classification
    (signed input weights ``U(-3, 3)``, each input held for 5 steps of 1 ms;
    chosen on validation data by ``benchmarks/tune_defaults.py``).

    Parameters
    ----------
    n_neurons : int, default=1000
    random_state : int or None, default=None
    **params
        Any other :class:`~hrsnn.Reservoir` parameter.

    Returns
    -------
    Reservoir
        Unfitted.
    """
    return Reservoir(n_neurons=n_neurons, random_state=random_state, **params)


def _as_series(X, name, min_steps=2, owner="the readout"):
    """Finite float64 array of shape (n_steps, n_dims) with at least ``min_steps`` rows.

    Values beyond ``MAX_MAGNITUDE`` (1e100, see :mod:`hrsnn._validation`) are
    refused: a readout squares them (variances, ridge), which would overflow
    far sooner than the float range ends. Such a value is an outlier to
    remove or clip, or the series needs rescaling.
    """
    series = as_real_array(X, name, owner)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2 or series.shape[0] < min_steps or series.shape[1] == 0:
        raise ValueError(f"'{name}' of {owner} must be a series of shape (n_steps, n_dims) "
                         f"or (n_steps,) with at least {min_steps} step"
                         f"{'s' if min_steps > 1 else ''} and one variable; got shape "
                         f"{series.shape}.")
    if not np.all(np.isfinite(series)):
        raise ValueError(f"'{name}' of {owner} must be finite; it contains NaN or inf.")
    check_magnitude(series, name, owner, hint="Remove or clip the outlier, or rescale the "
                    "series (a readout squares its values).")
    return series


@contextmanager
def _state_kept(reservoir):
    """Run the body holding ``reservoir``'s lock, then put it back in the state it had.

    The lock (reentrant, the one :meth:`Reservoir.run` takes) keeps a sequence
    of runs from one thread together: another thread's runs wait until the
    body is done, so teacher forcing and closed loops never mix states.
    """
    with reservoir._lock():
        state = reservoir.get_state()
        try:
            yield reservoir
        finally:
            reservoir.set_state(state)


def _standardisation(series, standardize, pooled=False):
    """Per-variable ``(mean, scale)`` of ``series`` (zeros and ones if not
    ``standardize``); a constant variable gets scale 1. ``pooled``: every variable
    gets the mean and standard deviation of all values together. Finite for every
    series ``_as_series`` accepts (values up to 1e100, so squares up to 1e200)."""
    n_dims = series.shape[1]
    if not standardize:
        return np.zeros(n_dims), np.ones(n_dims)
    if pooled:
        mean, scale = np.full(n_dims, series.mean()), np.full(n_dims, series.std())
    else:
        mean, scale = series.mean(axis=0), series.std(axis=0)
    return mean, np.where(scale > 0, scale, 1.0)


def _check_drive(reservoir, z, name, owner):
    """Raise unless the fitted ``reservoir`` takes the standardised input ``z``.

    ``z`` is finite and its raw values are within bounds, but standardised with
    the training statistics it can still exceed what the reservoir accepts
    (data far outside the training range).
    """
    limit = reservoir._input_limit()
    peak = float(np.max(np.abs(z))) if z.size else 0.0
    if peak > limit:
        raise ValueError(f"'{name}' of {owner} lies far outside the training data: "
                         f"standardised with the training mean_ and scale_ it reaches "
                         f"{peak:.3g}, beyond the {limit:.3g} the reservoir takes (its input "
                         "current would overflow). Pass data of the training range.")


def _closed_loop_limit(reservoir):
    """Bound of the fed-back values of a closed loop: what the reservoir takes, at most
    ``MAX_MAGNITUDE`` (a forecast that reaches it has diverged long before)."""
    return min(reservoir._input_limit(), MAX_MAGNITUDE)



class BoundedScaler(StandardScaler):
    """``StandardScaler`` that first clips every feature to its training range.

    Spiking features can be nearly constant in training (a neuron that fired
    once) and then take values never seen (it fires often on new input):
    standardised by their tiny training spread, they would enter the readout
    thousands of standard deviations out and swamp its prediction (NARMA-10,
    seed 106: NRMSE 8.7 instead of 0.7). Clipping to ``[data_min_,
    data_max_]`` keeps the readout inside the range it was fitted on; rows
    like the training rows are transformed exactly as by ``StandardScaler``.

    Attributes
    ----------
    data_min_, data_max_ : ndarray of shape (n_features,)
        Per-feature range of the training data (besides ``StandardScaler``'s).
    """

    def fit(self, X, y=None, sample_weight=None):
        super().fit(X, y, sample_weight)
        X = check_array(X, dtype=np.float64)
        self.data_min_, self.data_max_ = X.min(axis=0), X.max(axis=0)
        return self

    def transform(self, X, copy=None):
        check_is_fitted(self, "data_min_")
        X = np.clip(check_array(X, dtype=np.float64), self.data_min_, self.data_max_)
        return super().transform(X, copy=False)


# ------------------------------------------------- shared by the readouts
def _feature_names(features):
    return (features,) if isinstance(features, str) else tuple(features)


def _step_features(result, z, features):
    """Features per input step, shape (n_steps, n_features), in the order named.

    ``states``: filtered spike trains; ``v``: membrane potentials; ``input``:
    the (standardised) input; ``currents``: excitatory then inhibitory
    synaptic currents; ``adaptation``: the adaptation variables; ``traces``:
    the filtered spike trains at every ``trace_taus`` (tau-major).
    """
    parts = {"states": lambda: result.states, "v": lambda: result.v, "input": lambda: z,
             "currents": lambda: np.hstack([result.ge, result.gi]),
             "adaptation": lambda: result.a, "traces": lambda: result.traces}
    return np.hstack([parts[name]() for name in _feature_names(features)])


def _recording(features):
    """The ``Reservoir.run`` recording flags that ``features`` need."""
    names = _feature_names(features)
    return {"record_v": "v" in names,
            "record_currents": "currents" in names or "adaptation" in names,
            "record_traces": "traces" in names}


def _neuron_blocks(name, reservoir):
    """Blocks of one column per neuron that feature ``name`` has (0 for ``input``)."""
    return {"input": 0, "currents": 2,
            "traces": len(reservoir.trace_taus)}.get(name, 1)


def _new_reservoir(reservoir, random_state):
    """A clone of ``reservoir`` (seeded by ``random_state`` if it has no seed of its own),
    or ``Reservoir(random_state=random_state)`` when it is None."""
    if reservoir is None:
        return Reservoir(random_state=random_state)
    reservoir = clone(reservoir)
    if reservoir.random_state is None and random_state is not None:
        reservoir.set_params(random_state=random_state)
    return reservoir


def _check_reservoir(owner, reservoir):
    if reservoir is not None and not isinstance(reservoir, Reservoir):
        raise TypeError(f"The 'reservoir' parameter of {owner} must be a hrsnn "
                        f"Reservoir or None. Got {type(reservoir).__name__} instead.")


def _check_features(owner, features):
    """A feature name or a non-empty sequence of them (:data:`STEP_FEATURES`)."""
    if not isinstance(features, (str, tuple, list)):
        raise TypeError(f"The 'features' parameter of {owner} must be one of "
                        f"{STEP_FEATURES} or a tuple of them, e.g. ('states', 'v'). Got "
                        f"{shown(features)} instead.")
    names = _feature_names(features)
    if len(names) == 0:
        raise ValueError(f"The 'features' parameter of {owner} must name at least one "
                         f"of {STEP_FEATURES}.")
    for name in names:
        check_choice(owner, "features", name, STEP_FEATURES)


def _check_alphas(owner, alphas_given):
    """The ridge penalties as a 1-D float array: one positive number or a non-empty
    sequence of them (a scalar is one candidate)."""
    message = (f"The 'alphas' parameter of {owner} must be a positive number or a "
               f"non-empty sequence of them, e.g. (0.1, 1.0, 10.0). Got "
               f"{shown(alphas_given)} instead.")
    if isinstance(alphas_given, (str, bytes, dict, set)):
        raise TypeError(message)
    try:
        values = np.asarray(alphas_given)
    except ValueError:
        raise ValueError(message) from None
    if values.dtype.kind not in "iuf" and not (
            values.dtype.kind == "O" and all(isinstance(a, numbers.Real) and not
                                             isinstance(a, bool) for a in values.ravel())):
        raise TypeError(message)
    alphas = values.astype(np.float64).ravel()
    if values.ndim > 1 or alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas > 0)):
        raise ValueError(message)
    return alphas


#: What a forecasting readout learns: the increment or the next value.
TARGETS = ("delta", "next")
#: Hidden layers of the paper's MLP readout (Section V: 2 layers of 20 units).
MLP_HIDDEN_LAYERS = (20, 20)
_MLP_MAX_ITER = 1000


def _check_layers(owner, sizes):
    ok = (isinstance(sizes, (tuple, list)) and len(sizes) > 0
          and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
                  for s in sizes))
    if not ok:
        raise ValueError(f"The 'hidden_layer_sizes' parameter of {owner} must be a non-empty "
                         f"tuple of positive integers, e.g. (20, 20). Got {sizes!r} instead.")
