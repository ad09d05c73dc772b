"""Gamma distributions and the BO search space: closed forms, scipy, Reservoir defaults, JSON."""

import dataclasses
import json
import math

import numpy as np
import pytest
from scipy import stats

from hrsnn import Reservoir
from hrsnn.optimize import (
    DEFAULT_GROUPS,
    DistributionParam,
    Gamma,
    ScalarParam,
    SearchSpace,
    candidate_from_json,
    candidate_to_json,
)


# ------------------------------------------------------------------- Gamma
def test_gamma_sample_moments_match_closed_form():
    g = Gamma(shape=2.5, mean=12.0)
    x = g.sample(400_000, random_state=0)
    # gamma(k, scale s): mean k s, variance k s^2
    assert abs(x.mean() - 12.0) < 4 * g.std / math.sqrt(len(x))
    assert x.var() == pytest.approx(2.5 * (12.0 / 2.5) ** 2, rel=0.02)
    assert g.scale == pytest.approx(12.0 / 2.5)
    assert g.std == pytest.approx(12.0 / math.sqrt(2.5))


def test_gamma_sample_is_deterministic_for_a_seed():
    g = Gamma(3, 20)
    assert np.array_equal(g.sample(10, random_state=1), g.sample(10, random_state=1))
    assert not np.array_equal(g.sample(10, random_state=1), g.sample(10, random_state=2))
    assert g.sample((2, 3), random_state=np.random.default_rng(0)).shape == (2, 3)


def test_gamma_quantiles_match_scipy():
    q = np.linspace(0.0, 1.0, 11)
    expected = stats.gamma(a=3.0, scale=20.0 / 3.0).ppf(q)
    assert np.allclose(Gamma(3, 20).quantiles(q), expected, rtol=1e-12)


@pytest.mark.parametrize("shape, mean", [(0, 1), (-1, 1), (1, 0), (math.nan, 1),
                                         (1, math.inf)])
def test_gamma_rejects_non_positive_or_non_finite(shape, mean):
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        Gamma(shape, mean)


def test_gamma_rejects_non_numbers_and_is_frozen():
    with pytest.raises(TypeError, match="real number"):
        Gamma("3", 1.0)
    with pytest.raises(TypeError):
        Gamma(True, 1.0)
    with pytest.raises(dataclasses.FrozenInstanceError):
        Gamma(3, 20).shape = 4


def test_gamma_repr_equality_and_dict_round_trip():
    assert repr(Gamma(3, 20)) == "Gamma(shape=3, mean=20)"
    assert repr(Gamma(3, 0.0105)) == "Gamma(shape=3, mean=0.0105)"
    odd = Gamma(1.2345678901234, 20)
    assert eval(repr(odd)) == odd            # exact when %g is not
    assert Gamma(3, 20) == Gamma(3.0, 20.0)
    assert Gamma.from_dict(Gamma(3, 20).to_dict()) == Gamma(3, 20)
    with pytest.raises(ValueError, match="'shape' and 'mean'"):
        Gamma.from_dict({"shape": 3})


# --------------------------------------------------------------- the space
def test_default_space_names_and_dimensions():
    space = SearchSpace.default(scalars=("w_scale", "p_in"))
    assert space.names == tuple(DEFAULT_GROUPS) + ("w_scale", "p_in")
    assert space.n_dims == 2 * 7 + 2


def test_unknown_group_or_scalar_lists_the_known_ones():
    with pytest.raises(ValueError, match="Known groups:.*tau_m_exc"):
        SearchSpace.default(groups=("tau_m",))
    with pytest.raises(ValueError, match="Known scalars:.*w_scale"):
        SearchSpace.default(groups=(), scalars=("w_sclae",))


@pytest.mark.parametrize("make", [
    lambda: DistributionParam("tau_m_exc", (5, 1), (2, 100)),
    lambda: DistributionParam("tau_m_exc", (1, 5), (0, 100)),
    lambda: DistributionParam("tau_m_exc", (1, 5), (2, math.inf)),
    lambda: ScalarParam("w_scale", (0.0, 1.0), log=True),
    lambda: ScalarParam("w_scale", (1.0, 1.0)),
])
def test_bad_ranges_raise_value_error(make):
    with pytest.raises(ValueError, match="low < high|> 0"):
        make()


def test_bad_range_type_and_names_raise():
    with pytest.raises(TypeError, match="pair"):
        ScalarParam("w_scale", 0.5)
    with pytest.raises(ValueError, match="not Reservoir parameters"):
        SearchSpace([ScalarParam("w_scal", (0.1, 1.0))])
    with pytest.raises(ValueError, match="not Reservoir parameters"):
        SearchSpace([DistributionParam("tau_m", (1, 5), (2, 9))])
    with pytest.raises(ValueError, match="unique"):
        SearchSpace([ScalarParam("p_in", (0.1, 1.0)), ScalarParam("p_in", (0.2, 1.0))])
    with pytest.raises(ValueError, match="searched and fixed"):
        SearchSpace([ScalarParam("p_in", (0.1, 1.0))], fixed={"p_in": 0.5})
    with pytest.raises(ValueError, match="searched and fixed"):
        SearchSpace([DistributionParam("v_th", (1, 5), (0.5, 2)),
                     ScalarParam("v_th_mean", (0.5, 2))])
    with pytest.raises(ValueError, match="at least one"):
        SearchSpace([])


def _space():
    return SearchSpace.default(groups=("tau_m_exc", "v_th", "eta_plus"),
                               scalars=("w_scale", "conn_lambda"))


def test_unit_round_trip_both_ways():
    space = _space()
    u = np.random.default_rng(0).uniform(size=(20, space.n_dims))
    candidates = space.from_unit(u)
    assert np.allclose(space.to_unit(candidates), u, atol=1e-12)
    for c in candidates:
        back = space.from_unit(space.to_unit(c))
        assert back.keys() == c.keys()
        for name in c:
            a, b = c[name], back[name]
            pairs = [(a.shape, b.shape), (a.mean, b.mean)] if isinstance(a, Gamma) else [(a, b)]
            for x, y in pairs:
                assert y == pytest.approx(x, rel=1e-12)


def test_unit_mapping_is_log_or_linear_as_declared():
    space = _space()
    c = space.from_unit(np.full(space.n_dims, 0.5))
    assert c["tau_m_exc"].mean == pytest.approx(math.sqrt(2.0 * 100.0))   # geometric middle
    assert c["w_scale"] == pytest.approx(math.sqrt(0.01 * 0.5))
    assert c["conn_lambda"] == pytest.approx(0.5 * (0.5 + 5.0))        # arithmetic middle


def test_from_unit_clips_to_the_box_and_checks_shape():
    space = _space()
    low = space.from_unit(np.full(space.n_dims, -0.5))
    high = space.from_unit(np.full(space.n_dims, 1.5))
    assert low["tau_m_exc"] == Gamma(1.0, 2.0) and high["tau_m_exc"] == Gamma(50.0, 100.0)
    assert low["conn_lambda"] == 0.5 and high["conn_lambda"] == 5.0
    with pytest.raises(ValueError, match="shape"):
        space.from_unit(np.zeros(space.n_dims + 1))


@pytest.mark.parametrize("method", ["sobol", "lhs", "random"])
def test_sample_inside_bounds_and_deterministic(method):
    space = _space()
    a = space.sample(33, random_state=3, method=method)
    b = space.sample(33, random_state=3, method=method)
    assert len(a) == 33 and a == b
    assert all(space.contains(c) for c in a)
    assert space.sample(33, random_state=4, method=method) != a


@pytest.mark.parametrize("method", ["sobol", "lhs"])
def test_sample_is_space_filling_in_every_coordinate(method):
    # scrambled Sobol' with 2^m points and a Latin hypercube both put exactly
    # one point in each of the n equal slices of every coordinate
    space = _space()
    u = space.sample_unit(64, random_state=0, method=method)
    for column in u.T:
        assert np.array_equal(np.sort(np.floor(column * 64)), np.arange(64))


def test_sample_rejects_unknown_method():
    with pytest.raises(ValueError, match="sobol"):
        _space().sample(4, method="grid")


def test_initial_candidate_is_the_reservoir_defaults():
    defaults = Reservoir().get_params()
    space = SearchSpace.default(scalars=("w_scale", "conn_lambda", "p_in"))
    params = space.to_reservoir_params(space.initial_candidate())
    assert params == {name: pytest.approx(defaults[name]) for name in params}
    assert len(params) == 2 * 7 + 3
    # clipped into range when the default lies outside it
    narrow = SearchSpace([DistributionParam("tau_m_exc", (5.0, 10.0), (30.0, 60.0))])
    assert narrow.initial_candidate() == {"tau_m_exc": Gamma(5.0, 30.0)}


def test_to_reservoir_params_builds_a_reservoir_that_fits():
    space = SearchSpace.default(groups=("tau_m_exc", "v_th"), scalars=("w_scale", "p_in"),
                                fixed={"n_neurons": 27, "random_state": 0})
    candidate = space.sample(1, random_state=5)[0]
    params = space.to_reservoir_params(candidate)
    assert params["tau_m_exc_mean"] == candidate["tau_m_exc"].mean
    assert params["v_th_shape"] == candidate["v_th"].shape
    X = np.random.default_rng(0).uniform(size=(3, 10, 2))
    model = Reservoir(**params).fit(X)
    assert model.transform(X).shape == (3, 27)
    assert model.get_params()["w_scale"] == candidate["w_scale"]


def test_candidate_json_round_trip_is_exact():
    space = SearchSpace.default(scalars=("w_scale", "conn_lambda"))
    candidates = space.sample(16, random_state=0) + [space.initial_candidate()]
    text = json.dumps([candidate_to_json(c) for c in candidates])
    back = [candidate_from_json(d) for d in json.loads(text)]
    assert back == candidates
    assert np.array_equal(space.to_unit(back), space.to_unit(candidates))


def test_space_dict_round_trip():
    space = SearchSpace.default(groups=("v_th",), scalars=("p_in",), fixed={"n_neurons": 50})
    again = SearchSpace.from_dict(json.loads(json.dumps(space.to_dict())))
    assert again == space and again.names == space.names


def test_validate_and_contains_give_clear_errors():
    space = _space()
    good = space.initial_candidate()
    space.validate(good)
    with pytest.raises(ValueError, match="missing \\['v_th'\\]"):
        space.validate({k: v for k, v in good.items() if k != "v_th"})
    with pytest.raises(ValueError, match="unexpected \\['p_in'\\]"):
        space.validate({**good, "p_in": 0.3})
    with pytest.raises(TypeError, match="must be a Gamma"):
        space.validate({**good, "v_th": 1.0})
    with pytest.raises(TypeError, match="dict"):
        space.validate([good])
    outside = {**good, "tau_m_exc": Gamma(3, 500.0)}
    with pytest.raises(ValueError, match="mean of 'tau_m_exc' must lie in"):
        space.validate(outside)
    assert space.contains(good) and not space.contains(outside)
    assert not space.contains({**good, "w_scale": 2.0})
    with pytest.raises(ValueError, match="missing"):
        space.contains({})
