"""Inputs a user can give: a result or a clear error naming the argument (issue 12,
items 8, 10 and 12).

Finite in, finite out (``MAX_MAGNITUDE``, :mod:`hrsnn._validation`); errors
that name the argument, say what was expected and come before any state
changes; threads that share a reservoir take turns.
"""

import threading
import warnings
from fractions import Fraction

import numpy as np
import pytest

from hrsnn import Network, Reservoir, build_network
from hrsnn.readout import Forecaster, SequenceRegressor
from hrsnn.simulator import Simulator

X = np.random.default_rng(0).uniform(-1, 1, size=(3, 12, 2))
SERIES = np.sin(np.arange(400) / 6.0)[:, None] + 0.01 * np.random.default_rng(1).normal(
    size=(400, 1))


def small(**params):
    return Reservoir(**{"n_neurons": 30, "random_state": 0, "steps_per_input": 2, **params})


@pytest.fixture(scope="module")
def fitted():
    return small().fit(X)


def forecaster(**params):
    return Forecaster(small(), washout=20, validation_horizon=20, validation_starts=2,
                      **params)


def tiny_network(**changes):
    arrays = dict(tau_m=[10.0, 10.0, 10.0], v_th=1.0, is_exc=[True, True, False],
                  pre=[0, 1, 2], post=[1, 2, 0], weight=[0.1, 0.2, -0.1], in_channel=[0],
                  in_post=[1], in_weight=1.0)
    return Network.from_arrays(**{**arrays, **changes})


# ------------------------------------------------------------- parameters
@pytest.mark.parametrize("params, exc, match", [
    ({"n_neurons": 2 ** 64}, ValueError, r"'n_neurons' parameter of Reservoir must be an "
     r"integer in the range \[1, 2147483647\]"),
    ({"steps_per_input": 2 ** 64}, ValueError, r"'steps_per_input' .* 9223372036854775807"),
    ({"dt": 2 ** 1100}, ValueError, "'dt' parameter of Reservoir .* Got an integer of 332 "
     "digits"),
    ({"dt": Fraction(1, 2)}, TypeError, r"'dt' parameter .* Pass an int or a float"),
    ({"w_in": Fraction(3)}, TypeError, "'w_in' parameter"),
    ({"grid_shape": (4.0, 4.0, 2.0)}, ValueError, "'grid_shape'"),
    ({"grid_shape": "444"}, ValueError, "'grid_shape'"),
    ({"grid_shape": (1000, 1000, 1000)}, ValueError, "'grid_shape' parameter of Reservoir "
     "must have at most 67,108,864 points"),
    ({"grid_shape": (2 ** 64, 2 ** 64, 3)}, ValueError, "more than 10..30 points"),
    ({"stdp_w_max": -1.0}, ValueError, "'stdp_w_min' and 'stdp_w_max' parameters of "
     "Reservoir"),
    ({"stdp_w_min": 1.0}, ValueError, r"stdp_w_max=None, which means 2 \* w_scale \* w_ee "
     "= 0.04"),
    ({"w_in": -3.0}, ValueError, "'w_in' parameter of Reservoir must be >= 0 with "
     "w_in_dist='uniform'"),
    ({"random_state": "a"}, TypeError, "'random_state' parameter of Reservoir must be None, "
     "an integer >= 0, a numpy.random.RandomState or a numpy.random.Generator"),
    ({"random_state": -1}, ValueError, "'random_state'"),
    ({"v_rest": 1e200}, ValueError, r"'v_rest' parameter of Reservoir .* \[-1e\+100, "
     r"1e\+100\]"),
    ({"w_scale": 1e300}, ValueError, "'w_scale'"),
    ({"tau_min": 1e-300}, ValueError, "'tau_min' parameter of Reservoir must be a real "
     "number >= 1e-100"),
])
def test_bad_parameters_are_named_before_anything_is_built(params, exc, match):
    reservoir = small(**params)
    with pytest.raises(exc, match=match):
        reservoir.fit(X)
    assert not hasattr(reservoir, "network_")


def test_generators_are_accepted_as_random_state():
    reservoir = small(random_state=np.random.default_rng(3)).fit(X)
    assert reservoir.seed_ >= 0


def test_a_network_drawn_beyond_the_bounds_names_the_parameters():
    # each parameter within its bound, their product (the weights) beyond it
    with pytest.raises(ValueError, match=r"parameters 'w_scale', 'w_ee', .* 'w_shape' is "
                                         r"invalid: 'weight' must be at most 1e\+100"):
        small(w_scale=1e60, w_ee=1e60, w_ei=1e60, stdp_w_max=1.0).fit(X)
    with pytest.raises(ValueError, match="'w_scale'"):
        build_network(30, 2, 0, w_scale=1e60, w_ee=1e60, w_ei=1e60, stdp_w_max=1.0)


def test_huge_length_scales_connect_everything_without_overflow():
    wide = small(conn_lambda=1e300, conn_cutoff=1e300).fit(X)
    every = small(conn_lambda=1e3).fit(X)
    np.testing.assert_array_equal(wide.network_.pre, every.network_.pre)
    np.testing.assert_array_equal(wide.network_.post, every.network_.post)


# ------------------------------------------------------ Network.from_arrays
@pytest.mark.parametrize("changes, match", [
    ({"plastic": [True, False, True, True]}, "'plastic' must be a scalar or have length 3"),
    ({"plastic": "abc"}, "'plastic' must hold booleans"),
    ({"is_exc": ["a", "b", "c"]}, "'is_exc' must hold booleans"),
    ({"is_exc": [1.5, 1.0, 0.0]}, "'is_exc' must hold booleans"),
    ({"tau_m": [1 + 1j] * 3}, "Complex data not supported: 'tau_m'"),
    ({"tau_m": "abc"}, "'tau_m' of Network must hold real numbers"),
    ({"v_th": [1.0, "a", 2.0]}, "'v_th' of Network must hold real numbers"),
    ({"weight": [True, True, False]}, "'weight' of Network must hold real numbers"),
    ({"positions": [[1j, 0, 0]] * 3}, "Complex data not supported: 'positions'"),
    ({"v_rest": None}, "'v_rest' must be a finite number; got None"),
    ({"v_rest": [0.0, 1.0]}, "'v_rest' must be a finite number"),
    ({"weight": [1e200, 0.2, -0.1]}, r"'weight' must be at most 1e\+100 in magnitude"),
    ({"v_rest": 1e200, "v_init": 0.0}, "'v_rest' must be at most"),
    ({"tau_m": 1e-200}, r"'tau_m' must be at least 1e-100 ms"),
    ({"pre": [[0, 1], [2]]}, "'pre' must be an array; got a ragged nesting"),
    # fixed before (issue 12, item 1); kept here as the issue lists them
    ({"v_reset": np.inf}, "'v_reset' must be a finite number"),
    ({"strict_threshold": "x"}, "'strict_threshold' must be a bool"),
    ({"positions": [[np.nan, 0, 0]] * 3}, "'positions' must be finite"),
    ({"in_channel": [0.7]}, "'in_channel' must hold integer indices"),
])
def test_bad_network_arrays_name_the_argument(changes, match):
    with pytest.raises(ValueError, match=match):
        tiny_network(**changes)


def test_new_synapses_with_a_wrong_plastic_length_are_named():
    with pytest.raises(ValueError, match="'plastic' must be a scalar or have length 1"):
        tiny_network().add_synapses([0], [2], 0.1, plastic=[True, False])
