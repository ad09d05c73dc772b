"""Forecaster: alignment of teacher forcing, the closed loop, regularisation, errors."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge, RidgeCV

from data_loaders import lorenz63, mackey_glass
from hrsnn import Forecaster, Reservoir, build_network, forecasting_reservoir
from hrsnn.metrics import nrmse


def small_reservoir(**kw):
    return forecasting_reservoir(n_neurons=150, random_state=0, **kw)


@pytest.fixture(scope="module")
def series():
    return lorenz63(1300, random_state=1)


@pytest.fixture(scope="module")
def fitted(series):
    return Forecaster(small_reservoir(), readout="linear", refit_rounds=0, washout=20,
                      validation_horizon=30, validation_starts=3).fit(series[:1000])


def manual_features(reservoir, z):
    result = reservoir.run(z, reset=True, record_spikes=False, record_v=True)
    return np.hstack([result.states, result.v])


def test_readout_is_ridge_on_next_step_increments(fitted, series):
    """Refit the readout by hand from a fresh run of the fitted reservoir."""
    z = (series[:1000] - fitted.mean_) / fitted.scale_
    features = manual_features(fitted.reservoir_, z)
    rows = np.arange(20, 999)
    by_hand = Ridge(alpha=fitted.alpha_).fit(features[rows], z[rows + 1] - z[rows])
    np.testing.assert_allclose(fitted.readout_.coef_, by_hand.coef_, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(fitted.readout_.intercept_, by_hand.intercept_, atol=1e-12)


def test_standardisation_uses_training_statistics(fitted, series):
    np.testing.assert_allclose(fitted.mean_, series[:1000].mean(axis=0))
    np.testing.assert_allclose(fitted.scale_, series[:1000].std(axis=0))


def test_predict_is_one_step_ahead(fitted, series):
    X = series[1000:1100]
    pred = fitted.predict(X)
    z = (X - fitted.mean_) / fitted.scale_
    features = manual_features(fitted.reservoir_, z)
    expected = (z + features @ fitted.readout_.coef_.T + fitted.readout_.intercept_)
    np.testing.assert_allclose(pred, expected * fitted.scale_ + fitted.mean_, rtol=1e-10)
    # after 20 steps of warm-up, far better than persistence (x(t+1) = x(t))
    scale = series.std(axis=0)
    assert nrmse(X[21:], pred[20:-1], scale=scale) < 0.3 * nrmse(X[21:], X[20:-1], scale=scale)


def test_forecast_feeds_predictions_back(fitted, series):
    """The closed loop against a hand-written loop over Reservoir.run(reset=False)."""
    warmup = series[1000:1060]
    forecast = fitted.forecast(15, warmup=warmup)
    res = fitted.reservoir_
    z = (warmup - fitted.mean_) / fitted.scale_
    features = manual_features(res, z)[-1]
    x, expected = z[-1], []
    coef, intercept = fitted.readout_.coef_, fitted.readout_.intercept_
    for _ in range(15):
        x = x + features @ coef.T + intercept
        expected.append(x)
        result = res.run(x[None], reset=False, record_spikes=False, record_v=True)
        features = np.hstack([result.states, result.v])[0]
    np.testing.assert_allclose(forecast, np.array(expected) * fitted.scale_ + fitted.mean_,
                               rtol=1e-10)


def test_forecast_continues_from_an_explicit_warmup(fitted, series):
    """Continuing means warming up on the data plus the forecast so far (no hidden state)."""
    warmup = series[1000:1060]
    whole = fitted.forecast(20, warmup=warmup)
    first = fitted.forecast(8, warmup=warmup)
    rest = fitted.forecast(12, warmup=np.vstack([warmup, first]))
    np.testing.assert_allclose(np.vstack([first, rest]), whole, rtol=1e-9, atol=1e-9)


def test_forecast_needs_an_explicit_warmup(fitted):
    with pytest.raises(TypeError, match="warmup"):
        fitted.forecast(5)
    with pytest.raises(ValueError, match="warmup"):
        fitted.forecast(5, warmup=np.zeros((0, 3)))


def test_predict_and_forecast_do_not_depend_on_call_history(fitted, series):
    X, warmup = series[1000:1080], series[1100:1150]
    pred, forecast = fitted.predict(X), fitted.forecast(10, warmup=warmup)
    fitted.predict(series[1200:1290])
    fitted.forecast(7, warmup=series[1150:1170])
    np.testing.assert_array_equal(fitted.predict(X), pred)
    np.testing.assert_array_equal(fitted.forecast(10, warmup=warmup), forecast)


def test_predict_and_forecast_leave_the_reservoir_state_alone(fitted, series):
    before = fitted.reservoir_.get_state()
    fitted.predict(series[1000:1050])
    fitted.forecast(5, warmup=series[1000:1050])
    after = fitted.reservoir_.get_state()
    assert before.keys() == after.keys()
    for key in before:
        np.testing.assert_array_equal(after[key], before[key], err_msg=key)


@pytest.fixture(scope="module")
def univariate():
    return mackey_glass(700, random_state=0)[:, 0]


def test_univariate_forecaster_shapes_and_values(univariate):
    """A 1-D series: predictions of shape (n, 1), equal to the readout applied by hand."""
    model = Forecaster(small_reservoir(), readout="linear", refit_rounds=0, washout=20,
                       validation_horizon=30, validation_starts=2).fit(univariate[:500])
    assert model.n_dims_ == 1
    X = univariate[500:560]
    pred = model.predict(X)
    assert pred.shape == (60, 1)
    z = (X[:, None] - model.mean_) / model.scale_
    features = manual_features(model.reservoir_, z)
    expected = z + features @ np.reshape(model.readout_.coef_, (1, -1)).T \
        + model.readout_.intercept_
    np.testing.assert_allclose(pred, expected * model.scale_ + model.mean_, rtol=1e-10)
    assert model.predict(X[:, None]).shape == (60, 1)
    assert model.forecast(15, warmup=X).shape == (15, 1)
    assert model.forecast(15, warmup=X[:, None]).shape == (15, 1)


def test_closed_loop_tracks_lorenz_for_a_while(fitted, series):
    forecast = fitted.forecast(10, warmup=series[1000:1100])
    assert nrmse(series[1100:1110], forecast, scale=series.std(axis=0)) < 0.2


def test_sine_is_forecast_in_closed_loop():
    """A periodic signal is forecast accurately for several periods."""
    t = np.arange(900)
    wave = np.column_stack([np.sin(2 * np.pi * t / 25), np.cos(2 * np.pi * t / 25)])
    model = Forecaster(small_reservoir(), washout=50, validation_horizon=50).fit(wave[:700])
    forecast = model.forecast(100, warmup=wave[600:700])
    assert nrmse(wave[700:800], forecast) < 0.1


def test_alpha_is_the_best_validation_forecast(fitted):
    scores = fitted.validation_scores_
    assert set(scores) == {("linear", a) for a in
                           (0.01, 0.1, 1.0, 10.0, 100.0, 1000.0)}
    best = max(scores.values())
    assert scores[("linear", fitted.alpha_)] == best
    assert fitted.readout_kind_ == "linear" and fitted.design_ is None


def test_cv_selection_matches_ridgecv(series):
    model = Forecaster(small_reservoir(), washout=20, selection="cv",
                       alphas=(0.01, 1.0, 100.0)).fit(series[:400])
    assert model.readout_kind_ == "linear"          # "auto" with cv: linear
    z = (series[:400] - model.mean_) / model.scale_
    features = manual_features(model.reservoir_, z)
    rows = np.arange(20, 399)
    cv = RidgeCV(alphas=(0.01, 1.0, 100.0)).fit(features[rows], z[rows + 1] - z[rows])
    assert model.alpha_ == cv.alpha_
    assert model.validation_scores_ is None


def test_next_value_target_and_input_feature(series):
    model = Forecaster(small_reservoir(), washout=20, target="next", features=("input",),
                       selection="cv").fit(series[:400])
    z = (series[:400] - model.mean_) / model.scale_
    by_hand = RidgeCV(alphas=model.alphas).fit(z[20:399], z[21:400])
    np.testing.assert_allclose(model.readout_.coef_,
                               Ridge(alpha=by_hand.alpha_).fit(z[20:399], z[21:400]).coef_)


def test_same_seed_same_forecast(series):
    runs = [Forecaster(random_state=3, washout=20, validation_horizon=30)
            .fit(series[:300]).forecast(10, warmup=series[250:300]) for _ in range(2)]
    np.testing.assert_array_equal(runs[0], runs[1])


def test_user_reservoir_is_not_touched(series):
    reservoir = small_reservoir()
    Forecaster(reservoir, washout=20, validation_horizon=30).fit(series[:300])
    assert not hasattr(reservoir, "network_")


def test_forecasting_reservoir_is_an_alias_of_the_defaults():
    assert forecasting_reservoir(200, 3, w_scale=0.05).get_params() == \
        Reservoir(200, random_state=3, w_scale=0.05).get_params()


@pytest.mark.parametrize("kwargs, match", [
    ({"features": ("states", "spikes")}, "features"),
    ({"features": ()}, "features"),
    ({"target": "level"}, "target"),
    ({"selection": "bayes"}, "selection"),
    ({"washout": -1}, "washout"),
    ({"alphas": (1.0, -1.0)}, "alphas"),
    ({"validation_fraction": 0.0}, "validation_fraction"),
    ({"readout": "cubic"}, "readout"),
    ({"n_components": 0}, "n_components"),
    ({"n_components": 101}, "n_components"),
    ({"refit_rounds": -1}, "refit_rounds"),
    ({"refit_rounds": 6}, "refit_rounds"),
    ({"refit_horizon": 2001}, "refit_horizon"),
    ({"refit_horizon": 0}, "refit_horizon"),
])
def test_bad_parameters(kwargs, match, series):
    with pytest.raises(ValueError, match=match):
        Forecaster(**kwargs).fit(series[:300])


def test_bad_inputs(fitted, series):
    with pytest.raises(ValueError, match="washout"):
        Forecaster(washout=100).fit(series[:120])
    with pytest.raises(ValueError, match="validation_horizon"):
        Forecaster(washout=10, validation_horizon=200).fit(series[:300])
    with pytest.raises(ValueError, match="fitted with 3"):
        fitted.predict(series[:50, :2])
    with pytest.raises(ValueError, match="n_steps"):
        fitted.forecast(0, warmup=series[:10])
    with pytest.raises(ValueError, match="spikes"):
        Forecaster(Reservoir(encoding="spikes")).fit(series[:300])
    with pytest.raises(TypeError, match="reservoir"):
        Forecaster(Ridge()).fit(series[:300])
    with pytest.raises(ValueError):
        Forecaster().fit(np.full((300, 3), np.nan))
    with pytest.raises(NotFittedError):
        Forecaster().forecast(5, warmup=series[:10])


def test_state_snapshot_round_trip(series):
    reservoir = small_reservoir().fit(series[None, :100])
    u = (series[:200] - series[:200].mean(0)) / series[:200].std(0)
    reservoir.run(u[:100])
    snapshot = reservoir.get_state()
    straight = reservoir.run(u[100:], reset=False).states
    reservoir.run(u[:37])
    reservoir.set_state(snapshot)
    resumed = reservoir.run(u[100:], reset=False).states
    np.testing.assert_array_equal(straight, resumed)
    with pytest.raises(ValueError, match="lacks"):
        reservoir.set_state({"v": snapshot["v"]})
    with pytest.raises(ValueError, match="shape"):
        reservoir.set_state({**snapshot, "v": snapshot["v"][:3]})


def test_uniform_input_weights_share_the_wiring():
    constant = build_network(300, 4, 7, w_in=2.0, w_in_dist="constant")
    uniform = build_network(300, 4, 7, w_in=2.0, w_in_dist="uniform")
    np.testing.assert_array_equal(constant.in_post, uniform.in_post)
    np.testing.assert_array_equal(constant.in_weight, 2.0)
    w = uniform.in_weight
    assert w.min() >= -2.0 and w.max() <= 2.0
    # U(-2, 2): mean 0, variance 4/3 (sample of ~360 weights)
    assert abs(w.mean()) < 4 * np.sqrt(4 / 3 / len(w))
    assert abs(w.var() - 4 / 3) < 0.3
    with pytest.raises(ValueError, match="w_in_dist"):
        Reservoir(w_in_dist="normal").fit(np.zeros((1, 5, 1)))


def test_min_training_steps_is_the_shortest_series_fit_accepts():
    from data_loaders import lorenz63
    from hrsnn import Forecaster, Reservoir
    model = Forecaster(Reservoir(40, random_state=0), washout=20, validation_horizon=30)
    n = model.min_training_steps()
    # by hand: held out round(0.25 n) >= 31 first holds at n = 123 (round(30.75) = 31;
    # n = 122 gives round(30.5) = 30), and 123 - 31 >= washout + 10 = 30
    assert n == 123
    series = lorenz63(n, random_state=0)
    model.fit(series)
    with pytest.raises(ValueError, match="validation"):
        Forecaster(Reservoir(40, random_state=0), washout=20,
                   validation_horizon=30).fit(series[:-1])


# ------------------------------------------------------------ quadratic readout
@pytest.fixture(scope="module")
def quadratic(series):
    return Forecaster(small_reservoir(), readout="quadratic", n_components=6, refit_rounds=0,
                      washout=20, validation_horizon=30, validation_starts=3).fit(series[:1000])


def quadratic_design_by_hand(train, rows, k):
    """Standardise, project on sklearn's PCA axes, scale to unit variance, multiply."""
    from sklearn.decomposition import PCA
    scale = train.std(axis=0)
    scale[scale == 0] = 1.0
    standard = (train - train.mean(axis=0)) / scale
    pca = PCA(k, svd_solver="full").fit(standard)
    spread = pca.transform(standard).std(axis=0)

    def design(features):
        clipped = np.clip(features, train.min(axis=0), train.max(axis=0))
        s = (clipped - train.mean(axis=0)) / scale
        p = pca.transform(s) / spread
        products = [p[:, i] * p[:, j] for i in range(k) for j in range(i, k)]
        return np.column_stack([s, p, *products])
    return design, pca


def test_quadratic_design_is_pca_and_products(quadratic, series):
    """The design against sklearn's PCA (up to each component's sign)."""
    z = (series[:1000] - quadratic.mean_) / quadratic.scale_
    features = manual_features(quadratic.reservoir_, z)
    rows = np.arange(20, 999)
    design, pca = quadratic_design_by_hand(features[rows], rows, 6)
    signs = np.sign(np.sum(pca.components_ * quadratic.design_.components_, axis=1))
    assert np.all(signs != 0)
    np.testing.assert_allclose(quadratic.design_.components_ * signs[:, None],
                               pca.components_, atol=1e-8)
    flip = np.concatenate([np.ones(features.shape[1]), signs,
                           [signs[i] * signs[j] for i in range(6) for j in range(i, 6)]])
    np.testing.assert_allclose(quadratic.design_.transform(features[:50]) * flip,
                               design(features[:50]), rtol=1e-7, atol=1e-8)
    # a feature far outside its training range is held at the range's edge
    outlier = features[20:21].copy()
    outlier[0, 0] = features[rows, 0].max() + 1e6
    np.testing.assert_allclose(quadratic.design_.transform(outlier) * flip, design(outlier),
                               rtol=1e-7, atol=1e-8)
    assert quadratic.design_.n_output_features == features.shape[1] + 6 + 21


def test_quadratic_readout_is_ridge_on_the_design(quadratic, series):
    z = (series[:1000] - quadratic.mean_) / quadratic.scale_
    features = manual_features(quadratic.reservoir_, z)
    rows = np.arange(20, 999)
    inputs = quadratic.design_.transform(features[rows])
    by_hand = Ridge(alpha=quadratic.alpha_).fit(inputs, z[rows + 1] - z[rows])
    np.testing.assert_allclose(quadratic.readout_.coef_, by_hand.coef_, rtol=1e-8,
                               atol=1e-11)
    X = series[1000:1040]
    zx = (X - quadratic.mean_) / quadratic.scale_
    step = by_hand.predict(quadratic.design_.transform(manual_features(quadratic.reservoir_,
                                                                       zx)))
    np.testing.assert_allclose(quadratic.predict(X), (zx + step) * quadratic.scale_
                               + quadratic.mean_, rtol=1e-9)


def test_quadratic_forecast_feeds_predictions_back(quadratic, series):
    warmup = series[1000:1060]
    forecast = quadratic.forecast(12, warmup=warmup)
    res, design = quadratic.reservoir_, quadratic.design_
    z = (warmup - quadratic.mean_) / quadratic.scale_
    features = manual_features(res, z)[-1]
    x, expected = z[-1], []
    for _ in range(12):
        x = x + quadratic.readout_.predict(design.transform(features[None]))[0]
        expected.append(x)
        result = res.run(x[None], reset=False, record_spikes=False, record_v=True)
        features = np.hstack([result.states, result.v])[0]
    np.testing.assert_allclose(forecast, np.array(expected) * quadratic.scale_
                               + quadratic.mean_, rtol=1e-9)


def test_auto_readout_takes_the_best_validation_candidate(series):
    model = Forecaster(small_reservoir(), n_components=6, washout=20, validation_horizon=30,
                       validation_starts=3, alphas=(0.01, 1.0)).fit(series[:1000])
    scores = model.validation_scores_
    assert set(scores) == {(kind, a) for kind in ("linear", "quadratic") for a in (0.01, 1.0)}
    best = max(scores, key=lambda c: (scores[c][0], -scores[c][1]))
    assert (model.readout_kind_, model.alpha_) == best
    assert (model.design_ is None) == (model.readout_kind_ == "linear")


@pytest.mark.slow
def test_quadratic_readout_forecasts_lorenz63_longer_than_a_linear_one():
    """The reason for the quadratic design: Lorenz63's right-hand side is a product of
    variables. Median valid prediction time over 4 windows, 400 neurons."""
    from hrsnn.evaluation import evaluate_forecaster
    series = lorenz63(2000 + 4 * (100 + 200), random_state=4)
    vpt = {}
    for kind in ("linear", "quadratic"):
        model = Forecaster(forecasting_reservoir(400, random_state=1), readout=kind)
        evaluation = evaluate_forecaster(model, series, n_train=2000, n_starts=4,
                                         horizon=200, warmup=100)
        vpt[kind] = np.median(evaluation.vpt_steps[:, 1])
    assert vpt["quadratic"] > 1.3 * vpt["linear"]


# ------------------------------------------------------- local reservoirs
def test_local_channels_by_hand():
    from hrsnn.readout import local_channels
    np.testing.assert_array_equal(local_channels(6, 2, 1),
                                  [[5, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 0]])
    np.testing.assert_array_equal(local_channels(4, 1, 0), [[0], [1], [2], [3]])


def test_tiled_network_runs_like_its_copies():
    """A tiled network's spikes and potentials equal each copy simulated alone on its patch."""
    from hrsnn.builder import tile_network
    net = build_network(60, 3, 5, w_in=3.0, w_in_dist="uniform")
    channel_map = np.array([[4, 0, 1], [1, 2, 3], [2, 3, 4]])
    tiled = tile_network(net, channel_map)
    assert tiled.n_neurons == 180 and tiled.n_synapses == 3 * net.n_synapses
    assert tiled.n_inputs == 5
    u = np.random.default_rng(0).uniform(-1, 1, (40, 5))
    whole = Reservoir(network=tiled, stdp=False).fit(u[None]).run(u, record_v=True)
    for b, row in enumerate(channel_map):
        alone = Reservoir(network=net, stdp=False).fit(u[None, :, row]).run(u[:, row],
                                                                           record_v=True)
        block = slice(60 * b, 60 * (b + 1))
        np.testing.assert_array_equal(whole.v[:, block], alone.v)
        np.testing.assert_array_equal(whole.counts[block], alone.counts)


@pytest.fixture(scope="module")
def ring():
    """A travelling wave on a ring of 6 variables: translation invariant, like Lorenz96."""
    t = np.arange(800)[:, None] * 0.15
    return np.sin(t - 2 * np.pi * np.arange(6) / 6) + 0.3 * np.sin(2 * t + np.arange(6))


@pytest.fixture(scope="module")
def local(ring):
    return Forecaster(forecasting_reservoir(120, random_state=0), local_radius=1, local_group=2,
                      washout=20, validation_horizon=30, validation_starts=2,
                      readout="linear", refit_rounds=0).fit(ring[:600])


def test_local_forecaster_shares_one_network_and_one_readout(local, ring):
    net = local.reservoir_.network_
    assert net.n_neurons == 3 * 40 and local.patches_.n_blocks == 3
    np.testing.assert_array_equal(net.tau_m[:40], net.tau_m[80:120])
    assert local.readout_.coef_.shape == (2, 2 * 40)
    # pooled standardisation: one mean and scale for every variable
    np.testing.assert_allclose(local.mean_, ring[:600].mean())
    np.testing.assert_allclose(local.scale_, ring[:600].std())


def test_local_readout_is_ridge_on_the_pooled_block_rows(local, ring):
    z = (ring[:600] - local.mean_) / local.scale_
    result = local.reservoir_.run(z, record_spikes=False, record_v=True)
    states, v = result.states.reshape(600, 3, 40), result.v.reshape(600, 3, 40)
    rows = np.concatenate([states, v], axis=2)[20:599].reshape(-1, 80)
    targets = (z[21:600] - z[20:599]).reshape(-1, 2)         # block b: variables 2b, 2b+1
    by_hand = Ridge(alpha=local.alpha_).fit(rows, targets)
    np.testing.assert_allclose(local.readout_.coef_, by_hand.coef_, rtol=1e-8, atol=1e-11)
    pred = local.predict(ring[600:650])
    zt = (ring[600:650] - local.mean_) / local.scale_
    result = local.reservoir_.run(zt, record_spikes=False, record_v=True)
    test_rows = np.concatenate([result.states.reshape(50, 3, 40),
                                result.v.reshape(50, 3, 40)], axis=2).reshape(-1, 80)
    expected = zt + by_hand.predict(test_rows).reshape(50, 6)
    np.testing.assert_allclose(pred, expected * local.scale_ + local.mean_, rtol=1e-9)


def test_local_forecast_is_finite_and_tracks_the_wave(local, ring):
    forecast = local.forecast(30, warmup=ring[600:650])
    assert forecast.shape == (30, 6)
    assert nrmse(ring[650:680], forecast, scale=ring.std(axis=0)) < 0.3


@pytest.mark.parametrize("kwargs, match", [
    ({"local_radius": 1, "local_group": 4}, "divide"),
    ({"local_radius": "near"}, "local_radius"),
    ({"local_group": "all"}, "local_group"),
    ({"local_radius": 3}, "local_radius"),
    ({"local_radius": -1}, "local_radius"),
    ({"local_group": 0}, "local_group"),
])
def test_bad_local_parameters(kwargs, match, ring):
    with pytest.raises(ValueError, match=match):
        Forecaster(**kwargs).fit(ring[:300])


def test_auto_layout_keeps_the_better_validated_of_global_and_local(ring):
    model = Forecaster(forecasting_reservoir(300, random_state=0), washout=20,
                       validation_horizon=30, validation_starts=2,
                       readout="linear").fit(ring[:600])
    scores = model.layout_scores_
    assert set(scores) == {"global", "local"}
    chosen = "local" if model.patches_.local else "global"
    assert scores[chosen] == max(scores.values())
    if model.patches_.local:
        # group "auto": the smallest divisor of 6 leaving >= 100 of 300 neurons per copy
        assert model.patches_.group == 2 and model.reservoir_.network_.n_neurons == 300


def test_auto_layout_has_no_local_candidate_for_few_variables(series):
    """Three variables cannot hold a group and two neighbours on each side."""
    model = Forecaster(small_reservoir(), washout=20, validation_horizon=30,
                       validation_starts=2, alphas=1.0).fit(series[:400])
    assert set(model.layout_scores_) == {"global"} and not model.patches_.local


# ------------------------------------------------------- closed-loop refits
def test_refit_round_adds_the_rollouts_of_the_previous_readout(series):
    """One refit round by hand: roll the plain readout out from every 20th step, take the
    visited states with targets back to the truth, retrain on both."""
    model = Forecaster(small_reservoir(), readout="linear", refit_rounds=1, refit_horizon=5,
                       washout=20, validation_horizon=30, validation_starts=2,
                       alphas=1.0).fit(series[:400])
    res = model.reservoir_
    z = (series[:400] - model.mean_) / model.scale_
    features = manual_features(res, z)
    steps = np.arange(20, 399)
    plain = Ridge(alpha=1.0).fit(features[steps], z[steps + 1] - z[steps])
    rows, targets = [features[steps]], [z[steps + 1] - z[steps]]
    for start in range(21, 400 - 5, 20):                 # every rollout ends before 400
        res.run(z[:start], record_spikes=False)            # state after rows 0 .. start-1
        f, x = features[start - 1], z[start - 1]
        for k in range(5):
            x = x + plain.predict(f[None])[0]
            result = res.run(x[None], reset=False, record_spikes=False, record_v=True)
            f = np.hstack([result.states, result.v])[0]
            rows.append(f[None])
            targets.append((z[start + 1 + k] - x)[None])
    refit = Ridge(alpha=1.0).fit(np.vstack(rows), np.vstack(targets))
    assert model.refit_rounds_ == 1                 # validation prefers the refit here
    np.testing.assert_allclose(model.readout_.coef_, refit.coef_, rtol=1e-7, atol=1e-10)


def test_refit_rounds_are_chosen_on_validation(series):
    model = Forecaster(small_reservoir(), readout="linear", refit_rounds=2, washout=20,
                       validation_horizon=30, validation_starts=3,
                       alphas=(0.1, 10.0)).fit(series[:800])
    assert model.refit_rounds_ in (0, 1, 2)
    off = Forecaster(small_reservoir(), readout="linear", refit_rounds=0, washout=20,
                     validation_horizon=30, validation_starts=3,
                     alphas=(0.1, 10.0)).fit(series[:800])
    assert off.refit_rounds_ == 0
    # refits never lower the validation score that chose them
    assert model.layout_scores_["global"] >= off.layout_scores_["global"]


def test_rollouts_of_a_round_are_bounded_by_the_series_not_the_horizon():
    z = np.zeros((10_000, 1))
    for horizon, most in ((20, 100), (1000, 2), (2000, 1)):
        starts = Forecaster(refit_horizon=horizon)._rollout_starts(z)
        assert 1 <= len(starts) <= most and len(starts) * horizon <= 2000
        assert starts[0] == 101 and starts[-1] + horizon < len(z)
    assert len(Forecaster(refit_rounds=0)._rollout_starts(z)) == 0


def test_readout_multiply_adds_by_hand(fitted, quadratic, local):
    n = fitted.reservoir_.network_.n_neurons
    assert fitted.readout_multiply_adds() == 3 * 2 * n                 # 3 outputs x (states, v)
    f, k = 2 * n, 6
    design = f + f * k + k + k * (k + 1) // 2                          # scale, project, products
    assert quadratic.readout_multiply_adds() == design + 3 * (f + k + k * (k + 1) // 2)
    assert local.readout_multiply_adds() == 3 * 2 * (2 * 40)           # 3 blocks, 2 outputs


def test_local_rows_of_the_input_feature_are_each_blocks_patch(local, ring):
    """The 'input' feature of block b is the patch it reads (after the neurons' features)."""
    from hrsnn.readout import Patches
    patches = Patches(6, 2, 1)
    z = ring[:5]
    rows = patches.rows(z, ("input",), local.reservoir_)
    np.testing.assert_array_equal(rows, z[:, [[5, 0, 1, 2], [1, 2, 3, 4], [3, 4, 5, 0]]])


def test_explicit_radius_with_few_neurons_takes_the_fewest_largest_copies(ring):
    """90 neurons cannot give 100 per copy: local_group 'auto' falls back to the largest
    divisor of 6 that fits radius 1 (6: one copy of all 90 neurons reading every variable
    and its neighbours would need 8 > 6, so 3: two copies of 45)."""
    model = Forecaster(forecasting_reservoir(90, random_state=0), local_radius=1, washout=20,
                       validation_horizon=30, validation_starts=2, alphas=1.0,
                       refit_rounds=0).fit(ring[:600])
    assert model.patches_.group == 3 and model.patches_.n_blocks == 2
    assert model.reservoir_.network_.n_neurons == 90


@pytest.mark.parametrize("channel_map", [
    [[0, 1]],                    # two columns for a network of three input channels
    [[0, 1, 1]],                 # a channel twice in one copy
    [[0, -1, 2]],
    [[0.0, 1.0, 2.0]],
    [0, 1, 2],
])
def test_tile_network_rejects_bad_channel_maps(channel_map):
    from hrsnn.builder import tile_network
    with pytest.raises(ValueError, match="channel_map"):
        tile_network(build_network(20, 3, 0), channel_map)


@pytest.mark.slow
def test_local_reservoirs_forecast_lorenz96_longer_than_one_global_reservoir():
    """The reason for local reservoirs: Lorenz96's coupling is local. 20 variables, 400
    neurons either way (global: one reservoir; local: 4 copies of 100, 5 variables each);
    median valid prediction time over 3 windows (measured: 38 against 8 steps)."""
    from data_loaders import lorenz96
    from hrsnn.evaluation import evaluate_forecaster
    series = lorenz96(1500 + 3 * (100 + 100), n_vars=20, random_state=3)
    vpt = {}
    for radius in (None, 2):
        model = Forecaster(forecasting_reservoir(400, random_state=2), local_radius=radius,
                           refit_rounds=0)
        evaluation = evaluate_forecaster(model, series, n_train=1500, n_starts=3, horizon=100,
                                         warmup=100)
        vpt[radius] = np.median(evaluation.vpt_steps[:, 1])
    assert vpt[2] > 2.5 * vpt[None]
