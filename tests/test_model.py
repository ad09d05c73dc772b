"""The one model declaration and everything derived from it."""

import inspect

import numpy as np
import pytest

from hrsnn import Reservoir, build_network, model
from hrsnn.heterogeneity import Gamma
from hrsnn.optimize import DEFAULT_GROUPS, DEFAULT_SCALARS, SearchSpace
from hrsnn.optimize import Gamma as OptimizerGamma


def test_reservoir_signature_is_the_declaration():
    params = inspect.signature(Reservoir).parameters
    assert list(params) == list(model.PARAMETERS)
    for name, p in model.PARAMETERS.items():
        assert params[name].default == p.default
    assert Reservoir().get_params() == model.defaults()
    assert Reservoir(300).n_neurons == 300
    with pytest.raises(TypeError):
        Reservoir(tau_m_exc_meen=10.0)


def test_every_gamma_group_is_a_shape_and_a_mean():
    for name, group in model.GAMMA_GROUPS.items():
        shape, mean = model.gamma_names(name)
        assert model.PARAMETERS[shape].default == group.shape
        assert model.PARAMETERS[mean].default == group.mean
        if group.mean > 0:
            assert model.gamma(model.defaults(), name) == Gamma(group.shape, group.mean)
            assert group.default == Gamma(group.shape, group.mean)
        else:                                    # an optional ingredient, off by default
            assert group.mean_may_be_zero and group.default is None


def test_docstrings_list_every_parameter_with_its_default():
    for name, p in model.PARAMETERS.items():
        assert f"{name} : " in Reservoir.__doc__
        assert f"default={p.default!r}" in Reservoir.__doc__
    for name in model.BUILDER_PARAMETERS:
        assert f"    {name} : " in build_network.__doc__
    assert "{parameters}" not in Reservoir.__doc__ + build_network.__doc__


def test_builder_takes_exactly_the_network_parameters():
    X = np.random.default_rng(0).uniform(size=(2, 10, 1))
    given = {"w_scale": 0.05, "tau_m_exc_mean": 30.0, "c_ee": 0.5, "stdp_rule": "additive"}
    reservoir = Reservoir(100, random_state=3, stdp=False, **given).fit(X)
    direct = build_network(100, 1, 3, **given)
    np.testing.assert_array_equal(reservoir.network_.weight, direct.weight)
    np.testing.assert_array_equal(reservoir.network_.tau_m, direct.tau_m)
    assert reservoir.network_.stdp_rule == "additive"
    with pytest.raises(TypeError, match="unknown parameters \\['dt'\\]"):
        build_network(10, 1, 0, dt=0.1)
    with pytest.raises(ValueError, match="'w_scale' parameter of build_network"):
        build_network(10, 1, 0, w_scale=-1.0)


@pytest.mark.parametrize("name,value,exc", [
    ("tau_m_inh_mean", 0.0, ValueError),
    ("v_th_shape", -1.0, ValueError),
    ("eta_plus_mean", -0.1, ValueError),
    ("c_ii", 1.5, ValueError),
    ("stdp_epochs", 1.5, TypeError),
    ("w_in_dist", "gauss", ValueError),
    ("grid_shape", (2, 2), ValueError),
    ("n_jobs", 0, ValueError),
])
def test_validation_comes_from_the_declaration(name, value, exc):
    X = np.zeros((2, 5, 1))
    with pytest.raises(exc, match=f"'{name}' parameter of Reservoir"):
        Reservoir(50, **{name: value}).fit(X)


def test_zero_learning_rate_is_allowed_and_gives_zeros():
    net = build_network(60, 1, 0, eta_plus_mean=0.0)
    assert np.all(net.eta_plus == 0.0) and np.any(net.eta_minus[net.plastic] > 0)


def test_search_space_defaults_derive_from_the_declaration():
    assert OptimizerGamma is Gamma
    assert set(DEFAULT_GROUPS) == {n for n, g in model.GAMMA_GROUPS.items() if g.search}
    for name, (shape_range, mean_range) in DEFAULT_GROUPS.items():
        group = model.GAMMA_GROUPS[name]
        assert shape_range[0] <= group.shape <= shape_range[1]
        assert mean_range[0] <= group.mean <= mean_range[1]
    for name, ((low, high), _) in DEFAULT_SCALARS.items():
        assert low <= model.PARAMETERS[name].default <= high
    space = SearchSpace.default(scalars=["w_scale"])
    params = space.to_reservoir_params(space.initial_candidate())
    assert {k: params[k] for k in ("tau_m_exc_shape", "tau_m_exc_mean", "w_scale")} == {
        "tau_m_exc_shape": 3.0, "tau_m_exc_mean": 20.0,
        "w_scale": model.PARAMETERS["w_scale"].default}


def test_grid_search_over_flat_model_parameters():
    from sklearn.linear_model import RidgeClassifier
    from sklearn.model_selection import GridSearchCV, KFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 12)
    X = rng.uniform(0, 0.6, (24, 15, 2))
    X[y == 1, :, 1] += 0.8
    pipe = make_pipeline(Reservoir(60, random_state=0, steps_per_input=2), RidgeClassifier())
    grid = {"reservoir__w_scale": [0.05, 0.2], "reservoir__tau_m_exc_shape": [1.5, 6.0]}
    folds = KFold(3, shuffle=True, random_state=0)
    search = GridSearchCV(pipe, grid, cv=folds).fit(X, y)
    for params, score in zip(search.cv_results_["params"], search.cv_results_["mean_test_score"]):
        by_hand = cross_val_score(make_pipeline(
            Reservoir(60, random_state=0, steps_per_input=2,
                      w_scale=params["reservoir__w_scale"],
                      tau_m_exc_shape=params["reservoir__tau_m_exc_shape"]),
            RidgeClassifier()), X, y, cv=folds).mean()
        assert score == by_hand
    assert search.best_estimator_[0].tau_m_exc_shape in (1.5, 6.0)


def test_harmonic_mean_of_clipped_gamma():
    from scipy import stats

    from hrsnn.builder import harmonic_mean

    assert abs(harmonic_mean(3.0, 20.0) - 20.0 * 2 / 3) < 1e-6          # mean (k - 1) / k
    samples = np.clip(stats.gamma(0.8, scale=10 / 0.8).rvs(400_000, random_state=1), 1, 200)
    assert abs(harmonic_mean(0.8, 10.0, (1.0, 200.0)) - 1 / np.mean(1 / samples)) < 0.02
    with pytest.raises(ValueError, match="shape <= 1"):
        harmonic_mean(0.8, 10.0)


def test_homogeneous_neurons_at_the_harmonic_mean():
    from hrsnn.builder import harmonic_mean

    X = np.random.default_rng(0).uniform(size=(2, 10, 1))
    arith = Reservoir(200, heterogeneity="HoNHoS", random_state=0, stdp=False).fit(X)
    harm = Reservoir(200, heterogeneity="HoNHoS", homogeneous_mean="harmonic",
                     random_state=0, stdp=False).fit(X)
    exc = arith.network_.is_exc
    assert np.all(arith.network_.tau_m[exc] == 20.0)
    np.testing.assert_allclose(harm.network_.tau_m[exc], harmonic_mean(3.0, 20.0, (1.0, 200.0)))
    np.testing.assert_allclose(harm.network_.tau_m[~exc], harmonic_mean(3.0, 10.0, (1.0, 200.0)))
    np.testing.assert_array_equal(harm.network_.weight, arith.network_.weight)
    # heterogeneous neurons ignore it
    het = [Reservoir(200, homogeneous_mean=m, random_state=0, stdp=False).fit(X).network_.tau_m
           for m in ("arithmetic", "harmonic")]
    np.testing.assert_array_equal(*het)


def test_broad_timescales_preset_draws_membrane_time_constants_of_shape_half():
    from scipy import stats
    params = model.preset("broad_timescales")
    reservoir = Reservoir.from_preset("broad_timescales", n_neurons=50, random_state=1)
    assert {k: reservoir.get_params()[k] for k in params} == params
    assert reservoir.get_params()["n_neurons"] == 50
    net = build_network(4000, 1, 0, **params)
    tau = net.tau_m[net.is_exc]
    law = stats.gamma(a=0.5, scale=20.0 / 0.5)           # shape 0.5, mean 20 ms
    clipped_low = np.mean(tau == 1.0)                   # clipped to [1, 1000] ms
    p_low = law.cdf(1.0)
    assert abs(clipped_low - p_low) < 4 * np.sqrt(p_low * (1 - p_low) / tau.size)
    inside = tau[(tau > 1.0) & (tau < 1000.0)]

    def truncated(x):
        return (law.cdf(x) - p_low) / (law.cdf(1000.0) - p_low)

    assert stats.kstest(inside, truncated).pvalue > 1e-3
    assert tau.max() > 100.0 and tau.std() / tau.mean() > 1.0


def test_preset_errors_name_the_problem():
    with pytest.raises(ValueError, match="'name' parameter of preset must be one of"):
        Reservoir.from_preset("narrow")
    with pytest.raises(TypeError, match=r"unknown Reservoir parameters \['bogus'\]"):
        Reservoir.from_preset("broad_timescales", bogus=1)
    assert Reservoir.from_preset("broad_timescales", tau_max=500.0).tau_max == 500.0
