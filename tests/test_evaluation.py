"""Forecast protocol (windows, scores) and the linear autoregressive baseline."""

import numpy as np
import pytest

from hrsnn.evaluation import (evaluate_forecaster, forecast_windows, select_alpha_by_forecast,
                              validation_starts)
from hrsnn.readout import AutoregressiveRidge


class Oracle:
    """Knows the series: perfect predictions, to check the bookkeeping of the protocol."""

    def __init__(self, series):
        self.series = series

    def fit(self, X):
        self.seen = len(X)
        return self

    def _locate(self, X):
        for begin in range(len(self.series) - len(X) + 1):
            if np.array_equal(self.series[begin:begin + len(X)], X):
                return begin
        raise AssertionError("not a piece of the series")

    def predict(self, X):
        begin = self._locate(X)
        return self.series[begin + 1:begin + len(X) + 1]

    def forecast(self, n_steps, warmup):
        end = self._locate(warmup) + len(warmup)
        return self.series[end:end + n_steps]


class Persistence(Oracle):
    """x(t + k) = x(t): error grows in a way we can compute by hand."""

    def predict(self, X):
        return np.asarray(X)

    def forecast(self, n_steps, warmup):
        return np.repeat(warmup[-1:], n_steps, axis=0)


def test_windows_follow_training_and_do_not_overlap():
    starts = forecast_windows(1000, n_train=400, n_starts=3, horizon=100, warmup=50)
    np.testing.assert_array_equal(starts, [450, 600, 750])
    assert starts[0] - 50 >= 400          # warm-up after the training part
    assert np.all(np.diff(starts) >= 150)  # warm-up + horizon apart
    with pytest.raises(ValueError, match="need 1150"):
        forecast_windows(1000, n_train=400, n_starts=5, horizon=100, warmup=50)


def test_oracle_scores_perfectly():
    series = np.random.default_rng(0).normal(size=(1000, 2))
    oracle = Oracle(series)
    result = evaluate_forecaster(oracle, series, n_train=400, n_starts=3, horizon=100,
                                 warmup=50)
    assert oracle.seen == 400
    assert result.one_step_nrmse == 0.0
    np.testing.assert_array_equal(result.vpt_steps, 100)
    assert result.forecasts.shape == (3, 100, 2)


def test_persistence_vpt_by_hand():
    """A ramp x(t) = t: persistence is off by k after k steps."""
    series = np.arange(1000.0)[:, None]
    result = evaluate_forecaster(Persistence(series), series, n_train=400, n_starts=2,
                                 horizon=100, warmup=50, thresholds=(3.5, 10.0),
                                 scale=np.array([1.0]))
    # error at forecast step j (0-based) is j + 1: first above 3.5 at j = 3, above 10 at j = 10
    np.testing.assert_array_equal(result.vpt_steps, [[3, 10], [3, 10]])
    assert result.one_step_nrmse == pytest.approx(1.0)
    np.testing.assert_allclose(result.vpt_lyapunov(0.5, 2.0), [[3, 10], [3, 10]])


def test_autoregressive_ridge_recovers_a_linear_recursion():
    """x(t+1) = 1.6 x(t) - 0.8 x(t-1) + noise: the fitted map has these coefficients."""
    rng = np.random.default_rng(1)
    x = np.zeros(3000)
    x[:2] = rng.normal(size=2)
    for t in range(1, 2999):
        x[t + 1] = 1.6 * x[t] - 0.8 * x[t - 1] + 0.1 * rng.normal()
    model = AutoregressiveRidge(lags=2, target="next").fit(x)
    np.testing.assert_allclose(model.readout_.coef_.ravel(), [1.6, -0.8], atol=0.03)
    # the closed loop follows the noise-free recursion from the last two values
    forecast = model.forecast(5, warmup=x[:100])
    a, b, expected = x[98], x[99], []
    for _ in range(5):
        a, b = b, np.ravel(model.readout_.predict([[b, a]]))[0]
        expected.append(b)
    np.testing.assert_allclose(forecast.ravel(), expected)


@pytest.mark.parametrize("lags", [1, 3])
def test_autoregressive_ridge_univariate_shapes_and_values(lags):
    """A 1-D series: (n, 1) predictions equal to the ridge map applied to lags by hand."""
    x = np.sin(np.arange(400) / 7.0) + 0.01 * np.random.default_rng(2).normal(size=400)
    model = AutoregressiveRidge(lags=lags).fit(x[:300])
    X = x[300:340]
    pred = model.predict(X)
    assert pred.shape == (40, 1)
    assert model.predict(X[:, None]).shape == (40, 1)
    coef = np.ravel(model.readout_.coef_)
    intercept = np.ravel(model.readout_.intercept_)[0]
    padded = np.concatenate([np.repeat(X[:1], lags - 1), X])
    for t in range(40):
        lagged = padded[t:t + lags][::-1]              # x(t), x(t-1), ...
        assert pred[t, 0] == pytest.approx(X[t] + lagged @ coef + intercept, rel=1e-10)
    forecast = model.forecast(4, warmup=X)
    assert forecast.shape == (4, 1)
    history = list(padded)
    for k in range(4):
        lagged = np.array(history[-lags:][::-1])
        history.append(history[-1] + lagged @ coef + intercept)
        assert forecast[k, 0] == pytest.approx(history[-1], rel=1e-10)


def test_autoregressive_ridge_has_no_hidden_state():
    x = np.random.default_rng(3).normal(size=(300, 2)).cumsum(axis=0)
    model = AutoregressiveRidge(lags=3).fit(x[:200])
    forecast = model.forecast(6, warmup=x[200:220])
    model.predict(x[250:290])
    model.forecast(3, warmup=x[100:120])
    np.testing.assert_array_equal(model.forecast(6, warmup=x[200:220]), forecast)
    with pytest.raises(TypeError, match="warmup"):
        model.forecast(6)
    with pytest.raises(ValueError, match="warmup"):
        model.forecast(6, warmup=np.zeros((0, 2)))


def test_forecaster_on_a_univariate_series_end_to_end():
    """evaluate_forecaster on Mackey-Glass (one variable) with both models."""
    from data_loaders import mackey_glass
    from hrsnn import Forecaster, forecasting_reservoir

    series = mackey_glass(900, random_state=0)
    assert series.shape == (900, 1)
    for model in (Forecaster(forecasting_reservoir(100, random_state=0), washout=20,
                             validation_horizon=30, validation_starts=2),
                  AutoregressiveRidge()):
        result = evaluate_forecaster(model, series, n_train=500, n_starts=2, horizon=50,
                                     warmup=40)
        assert result.forecasts.shape == (2, 50, 1)
        assert result.vpt_steps.shape == (2, 2)
        assert np.isfinite(result.one_step_nrmse) and result.one_step_nrmse < 0.5
        # the one-step score recomputed from predict on the first window
        start = result.starts[0]
        one_step = model.predict(series[start - 40:start + 50])[39:-1]
        expected = np.sqrt(np.mean(((one_step - series[start:start + 50])
                                    / series.std(axis=0)) ** 2))
        assert result.one_step_nrmse_windows[0] == pytest.approx(expected)


def test_autoregressive_ridge_errors():
    with pytest.raises(ValueError, match="needs at least 7"):
        AutoregressiveRidge(lags=5).fit(np.arange(6.0))
    model = AutoregressiveRidge().fit(np.random.default_rng(0).normal(size=(50, 2)))
    with pytest.raises(ValueError, match="fitted with 2"):
        model.predict(np.zeros((10, 3)))


def test_validation_starts_are_even_and_inside():
    assert validation_starts(1000, 250, 100, 4) == (750, 800, 850, 900)
    assert validation_starts(1000, 100, 100, 3) == (900,)


def test_select_alpha_by_forecast_by_hand():
    """Fake readouts whose forecast error is known: error(step j) = c_alpha * (j + 1)."""
    truth = np.zeros((400, 2))
    slope = {0.1: 0.05, 1.0: 0.005, 10.0: 0.005, 100.0: 0.2}

    def forecast(readout, start):
        # the same offset in both variables: RMSE over variables = slope * (j + 1)
        return np.repeat((slope[readout] * np.arange(1, 51))[:, None], 2, axis=1)

    trained = []
    best, scores = select_alpha_by_forecast(
        [0.1, 1.0, 10.0, 100.0], lambda a: trained.append(a) or a, forecast, truth,
        [200, 300], horizon=50, threshold=0.4)
    assert trained == [0.1, 1.0, 10.0, 100.0]
    # 0.05 (j + 1) > 0.4 first at j = 8; 0.005 (j + 1) <= 0.25 always; 0.2 (j + 1) at j = 2
    assert scores[0.1][0] == 8 and scores[1.0][0] == 50 and scores[100.0][0] == 2
    assert scores[1.0][1] == pytest.approx(0.005 * np.mean(np.arange(1, 51)))
    assert best == 1.0           # tie with 10.0 on valid steps and error: the first wins


class NoisyPersistence(Persistence):
    """Persistence plus seeded noise: each seed scores differently."""

    def __init__(self, series, seed):
        super().__init__(series)
        self.seed = seed

    def forecast(self, n_steps, warmup):
        noise = np.random.default_rng(self.seed).normal(0, 0.05, (n_steps, warmup.shape[1]))
        return super().forecast(n_steps, warmup) + np.cumsum(noise, axis=0)


def test_compare_forecasters_pools_seeds_and_runs_deterministic_models_once():
    from hrsnn.evaluation import compare_forecasters

    t = np.arange(1500) * 0.05
    series = np.column_stack([np.sin(t), np.cos(0.7 * t)])
    calls = []

    def make_persistence(seed):
        calls.append(seed)
        return Persistence(series)

    protocol = dict(n_train=500, n_starts=3, horizon=60, warmup=20)
    results = compare_forecasters({"noisy": lambda s: NoisyPersistence(series, s),
                                   "persistence": make_persistence}, series, [3, 4],
                                  deterministic=["persistence"], **protocol)
    assert list(results) == ["noisy", "persistence"] and calls == [3]
    by_hand = [evaluate_forecaster(NoisyPersistence(series, s), series, **protocol)
               for s in (3, 4)]
    noisy = results["noisy"]
    np.testing.assert_array_equal(noisy.vpt_steps,
                                  np.vstack([e.vpt_steps for e in by_hand]))
    assert noisy.vpt_steps.shape == (6, 2) and noisy.seeds == (3, 4)
    assert noisy.one_step_nrmse == np.median([e.one_step_nrmse for e in by_hand])
    np.testing.assert_allclose(noisy.vpt_lyapunov(0.05, 2.0), noisy.vpt_steps * 0.1)
    assert results["persistence"].vpt_steps.shape == (3, 2)
    with pytest.raises(ValueError, match="not in 'models'"):
        compare_forecasters({"a": make_persistence}, series, [0], deterministic=["b"],
                            **protocol)
    with pytest.raises(ValueError, match="at least one seed"):
        compare_forecasters({"a": make_persistence}, series, [], **protocol)


@pytest.mark.parametrize("pad", ["zero", "first"])
def test_lagged_inputs_matches_a_hand_loop(pad):
    from hrsnn.readout import lagged_inputs
    u = np.random.default_rng(0).normal(size=(7, 2))
    out = lagged_inputs(u, 3, pad=pad)
    assert out.shape == (7, 6)
    for t in range(7):
        for k in range(3):
            expected = u[t - k] if t - k >= 0 else (np.zeros(2) if pad == "zero" else u[0])
            np.testing.assert_array_equal(out[t, 2 * k:2 * k + 2], expected)
    with pytest.raises(ValueError, match="pad"):
        lagged_inputs(u, 3, pad="edge")


def test_lagged_ridge_recovers_a_linear_map_of_the_last_inputs():
    from hrsnn.readout import LaggedRidge
    rng = np.random.default_rng(1)
    u = rng.uniform(size=(500, 1))
    coef = np.array([0.5, -1.0, 2.0])
    y = 0.3 + sum(c * np.concatenate([np.zeros(k), u[:len(u) - k, 0]])
                  for k, c in enumerate(coef))
    model = LaggedRidge(3, alphas=(1e-10,)).fit(u[:400], y[:400])
    np.testing.assert_allclose(model.readout_.coef_, coef, atol=1e-6)
    np.testing.assert_allclose(model.predict(u[400:])[2:], y[402:], atol=1e-6)
    with pytest.raises(ValueError, match="one row per input step"):
        LaggedRidge(3).fit(u, y[:-1])
    with pytest.raises(ValueError, match="input channels"):
        model.predict(np.hstack([u, u]))
