"""Property-based tests of the public boundary (issue 12): whatever parameters and
inputs are given, the answer is a result or a clear error.

For :class:`~hrsnn.Reservoir`, :class:`~hrsnn.readout.Forecaster` and
:meth:`~hrsnn.Network.from_arrays`, with generated values (numbers huge, tiny,
NaN, infinite, negative, complex, ``Fraction``, bools; strings, None, wrong
shapes, object arrays), every call

* returns a result, finite whenever the inputs are finite, or
* raises a ``ValueError`` or ``TypeError`` whose message names one of the
  arguments that were changed,

and after an error the object is as it was. Small networks and few examples
keep this within seconds; ``derandomize=True`` makes every run draw the same
examples.
"""

import re
from fractions import Fraction

import numpy as np
import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from hrsnn import Network, Reservoir, model  # noqa: E402
from hrsnn.readout import Forecaster  # noqa: E402
from hrsnn.simulator import Simulator, input_limit  # noqa: E402

SETTINGS = dict(deadline=None, derandomize=True, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.function_scoped_fixture])

# --------------------------------------------------------------- values
EDGES = [0.0, -0.0, 1.0, -1.0, 0.5, 3.0, 1e-300, 5e-324, 1e-100, 1e100, 1e101, 1e155,
         1e300, 1.7e308, -1e308, np.nan, np.inf, -np.inf]
ODD = [True, False, None, "a", "", "1.0", 2 ** 64, 2 ** 70, -(2 ** 64), 10 ** 400,
       Fraction(1, 3), Fraction(7), 1 + 1j, 1j, np.float32(2.5), np.int64(3), (1.0, 2.0),
       [3.0], np.array([1.0, 2.0]), {"a": 1}, object()]

numbers = st.one_of(st.sampled_from(EDGES), st.floats(-10.0, 10.0),
                    st.floats(allow_nan=True, allow_infinity=True))
weird = st.one_of(numbers, st.sampled_from(ODD), st.integers(-5, 50))


def names_one_of(err, names):
    """Whether the message of ``err`` names one of ``names`` (as a word)."""
    message = str(err)
    return any(re.search(rf"(?<![A-Za-z_]){re.escape(name)}(?![A-Za-z_])", message)
               for name in names)


def same_params(estimator, before):
    """Every parameter still the very object it was."""
    after = estimator.get_params(deep=False)
    return after.keys() == before.keys() and all(after[k] is before[k] for k in before)


def finite(*arrays):
    return all(a is None or np.all(np.isfinite(a)) for a in arrays)


# ------------------------------------------------------------ Reservoir
#: Parameters and values that would only cost time or memory (a million neurons,
#: a billion steps per input) are left out: they are valid, just slow.
_COSTLY_INTS = ("n_neurons", "steps_per_input", "stdp_epochs")
_SMALL = {"n_neurons": 24, "steps_per_input": 2, "random_state": 0}


def _value_for(name):
    p = model.PARAMETERS[name]
    if p.kind == "choice":
        return st.one_of(st.sampled_from(p.choices), st.sampled_from(["bogus", 3, None]))
    if name in _COSTLY_INTS:
        return st.one_of(st.integers(-3, 40), st.sampled_from([2 ** 63, 2 ** 64, 1.5, "2",
                                                               None, True]))
    if name == "grid_shape":
        return st.one_of(st.none(), st.tuples(*[st.integers(-1, 5)] * 3),
                         st.tuples(*[st.sampled_from([3, 4.0, "4", 2 ** 64])] * 3),
                         st.sampled_from(["444", (4, 4), 4, [[4, 4, 4]]]))
    if name == "trace_taus":
        return st.one_of(st.lists(numbers, max_size=3).map(tuple),
                         st.sampled_from([(), "abc", 5.0, np.array([[1.0, 2.0]]),
                                          np.array([1.0, 2.0])]))
    if name == "random_state":
        return st.one_of(st.integers(-2, 2 ** 70), st.sampled_from(
            ["a", 1.5, None, True, np.random.default_rng(0), np.random.RandomState(0)]))
    if name == "network":
        return st.sampled_from([None, "net", 3])
    return weird


PARAMS = sorted(model.PARAMETERS)
overrides = st.lists(st.sampled_from(PARAMS), min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: _value_for(name) for name in names}))

batches = st.one_of(
    st.just("good"),
    st.sampled_from(["1d", "4d", "empty", "no steps", "complex", "strings", "objects",
                     "huge", "nan", "ragged", "scalar"]),
)


def _batch(kind):
    rng = np.random.default_rng(1)
    good = rng.uniform(-1, 1, size=(2, 6, 2))
    return {"good": good, "1d": good[0, :, 0], "4d": good[None], "empty": good[:0],
            "no steps": good[:, :0], "complex": good + 1j,
            "strings": np.array([[["a", "b"]] * 6] * 2),
            "objects": good.astype(object).tolist() + [[[None, 1.0]] * 6],
            "huge": good * 1e308, "nan": np.where(good > 0.5, np.nan, good),
            "ragged": [[[1.0, 2.0]] * 6, [[1.0]] * 3], "scalar": 3.0}[kind]


@settings(max_examples=120, **SETTINGS)
@given(params=overrides, batch=batches)
def test_reservoir_gives_a_finite_result_or_names_the_argument(params, batch):
    reservoir = Reservoir(**{**_SMALL, **params})
    before = reservoir.get_params(deep=False)
    X = _batch(batch)
    try:
        reservoir.fit(X)
    except (ValueError, TypeError) as err:
        assert names_one_of(err, [*params, "X"]), (params, batch, err)
        assert same_params(reservoir, before)
        assert not hasattr(reservoir, "network_")
        return
    assert same_params(reservoir, before)
    assert finite(reservoir.transform(X))
    result = reservoir.run(np.asarray(X)[0], record_v=True, record_currents=True,
                           record_traces=True)
    assert finite(result.v, result.states, result.ge, result.gi, result.a, result.traces)


@pytest.fixture(scope="module")
def fitted():
    return Reservoir(**_SMALL).fit(_batch("good"))


inputs = st.one_of(st.sampled_from(["good", "1d", "complex", "strings", "huge", "nan",
                                    "wide", "long", "empty"]),
                   st.lists(weird, min_size=1, max_size=4))


@settings(max_examples=60, **SETTINGS)
@given(u=inputs, scale=st.sampled_from([1.0, 1e50, 1e99, 1e101, 1e200]),
       reset=st.booleans())
def test_run_and_transform_leave_a_fitted_reservoir_as_it_was(fitted, u, scale, reset):
    good = _batch("good")
    if isinstance(u, str):
        u = {"good": good[0] * scale, "1d": good[0, :, 0] * scale, "complex": good[0] + 1j,
             "strings": np.array([["a", "b"]] * 3), "huge": good[0] * 1e308,
             "nan": np.where(good[0] > 0.5, np.nan, good[0]), "wide": np.ones((4, 3)),
             "long": np.ones((40, 2)) * scale, "empty": np.zeros((0, 2))}[u]
    state, attributes = fitted.get_state(), dict(vars(fitted))
    for call in (lambda: fitted.run(u, reset=reset, record_v=True),
                 lambda: fitted.transform([u])):
        try:
            out = call()
        except (ValueError, TypeError) as err:
            assert names_one_of(err, ["u", "X"]), err
            after = fitted.get_state()
            assert all(np.array_equal(after[k], state[k]) for k in state)
            assert all(vars(fitted)[k] is v for k, v in attributes.items())
            continue
        assert finite(*((out.v, out.states) if hasattr(out, "v") else (out,)))
        state = fitted.get_state()


# ------------------------------------------------------------ Forecaster
FORECASTER_VALUES = {
    "features": st.one_of(st.sampled_from(["states", ("states", "v"), ("input", "traces"),
                                           (), "spikes", 3, ["v", 1], None])),
    "target": st.sampled_from(["delta", "next", "level", 1]),
    "washout": st.one_of(st.integers(-2, 30), st.sampled_from([2 ** 64, 1.5, None])),
    "alphas": st.one_of(numbers, st.sampled_from([(0.1, 1.0), [], [[1.0]], "abc", ["a"],
                                                  (1.0, -1.0), Fraction(1, 2), None])),
    "selection": st.sampled_from(["forecast", "cv", "bayes"]),
    "validation_fraction": weird,
    "validation_starts": st.one_of(st.integers(-1, 3), st.sampled_from([2 ** 64, 1.0])),
    "validation_horizon": st.one_of(st.integers(-1, 15), st.sampled_from([2 ** 64, "5"])),
    "validation_threshold": weird,
    "standardize": st.sampled_from([True, False, "no", 1, None]),
    "random_state": st.sampled_from([None, 0, -1, "a", 2 ** 64]),
}
forecaster_overrides = st.lists(st.sampled_from(sorted(FORECASTER_VALUES)), max_size=2,
                                unique=True).flatmap(
    lambda names: st.fixed_dictionaries({n: FORECASTER_VALUES[n] for n in names}))

_BASE_SERIES = np.sin(np.arange(160) / 5.0)[:, None]


def _series(kind):
    s = _BASE_SERIES.copy()
    if kind == "outlier":
        s[80] = 1e155
    elif kind == "near the bound":
        s[80] = 1e99
    elif kind == "nan":
        s[80] = np.nan
    elif kind == "complex":
        s = s + 1j
    elif kind == "short":
        s = s[:5]
    elif kind == "2 variables":
        s = np.hstack([s, np.cos(s)])
    elif kind == "huge":
        s = s * 1e200
    elif kind == "tiny":
        s = s * 1e-300
    elif kind == "constant":
        s = np.ones_like(s)
    elif kind == "strings":
        s = s.astype(str)
    return s


@settings(max_examples=25, **SETTINGS)
@given(params=forecaster_overrides,
       kind=st.sampled_from(["good", "good", "outlier", "near the bound", "nan", "complex",
                             "short", "2 variables", "huge", "tiny", "constant", "strings"]))
def test_forecaster_gives_a_finite_forecast_or_names_the_argument(params, kind):
    base = dict(reservoir=Reservoir(**{**_SMALL, "n_neurons": 20}), washout=10,
                validation_horizon=8, validation_starts=2, alphas=(0.1, 10.0))
    model_ = Forecaster(**{**base, **params})
    before = model_.get_params(deep=False)
    series = _series(kind)
    try:
        model_.fit(series)
    except (ValueError, TypeError) as err:
        assert names_one_of(err, [*params, "X", "washout", "validation_horizon",
                                  "validation_fraction"]), (params, kind, err)
        assert same_params(model_, before)
        assert not hasattr(model_, "readout_")
        return
    assert same_params(model_, before)
    assert finite(model_.scale_, model_.mean_)
    warmup = series[-20:]
    assert finite(model_.forecast(12, warmup=warmup), model_.predict(series[-30:]))


# --------------------------------------------------- Network.from_arrays
NETWORK_ARGS = dict(tau_m=[10.0, 12.0, 8.0], v_th=1.0, is_exc=[True, True, False],
                    pre=[0, 1, 2], post=[1, 2, 0], weight=[0.1, 0.2, -0.1],
                    in_channel=[0, 0], in_post=[0, 1], in_weight=2.0)
OPTIONAL = ("positions", "v_init", "plastic", "tau_plus", "tau_minus", "eta_plus",
            "eta_minus", "n_inputs", "v_rest", "v_reset", "t_ref", "strict_threshold",
            "stdp_rule", "w_min", "w_max", "neuron_id", "synapse_id", "next_synapse_id",
            "tau_syn_exc", "tau_syn_inh", "tau_adapt", "adapt_beta", "bias", "noise_sigma")

array_like = st.one_of(
    weird,
    st.lists(weird, min_size=0, max_size=4),
    st.lists(numbers, min_size=3, max_size=3),
    st.sampled_from([np.zeros((3, 3)), np.ones((3, 1)), np.array([1, "a", 2], dtype=object),
                     [[0, 1], [2]], np.array([0.5, 1.5, 2.5]), np.array([True, False, True]),
                     np.array([0, 1, 2], dtype=np.uint64), np.array([2 ** 63], dtype=np.uint64)]),
)
network_overrides = st.lists(st.sampled_from(sorted(NETWORK_ARGS) + list(OPTIONAL)),
                             min_size=1, max_size=2, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({n: array_like for n in names}))


@settings(max_examples=300, **SETTINGS)
@given(changes=network_overrides)
def test_network_from_arrays_gives_a_network_or_names_the_argument(changes):
    try:
        net = Network.from_arrays(**{**NETWORK_ARGS, **changes})
    except (ValueError, TypeError) as err:
        assert names_one_of(err, list(changes)), (changes, err)
        return
    drive = min(2.0, input_limit(net))          # larger inputs are refused (tested above)
    result = Simulator(net, dt=1.0, trace_taus=(5.0,)).run(
        current=np.full((30, net.n_inputs), drive), record_v=True, record_currents=True,
        record_traces=True, learn=True)
    assert finite(result.v, result.ge, result.gi, result.a, result.traces)
