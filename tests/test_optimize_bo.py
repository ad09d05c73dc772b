"""WassersteinBO: proposals, failures, checkpoint/resume, parallel evaluation, objectives."""

import json

import numpy as np
import pytest
from scipy import integrate, stats

from hrsnn.optimize import (MemoryCapacityObjective, SearchSpace, SyntheticObjective,
                            WassersteinBO, expected_improvement)
from hrsnn.optimize.space import DistributionParam, ScalarParam

FAST = dict(n_initial=4, n_candidates=64, n_refine=1)


@pytest.fixture(scope="module")
def space():
    return SearchSpace([DistributionParam("tau_m_exc", (1.0, 20.0), (5.0, 60.0)),
                        DistributionParam("eta_plus", (1.0, 20.0), (1e-3, 1e-1)),
                        ScalarParam("w_scale", (0.01, 0.5), log=True)])


@pytest.fixture(scope="module")
def objective(space):
    return SyntheticObjective(space, seed=3)


class Killed(BaseException):
    """Stands for SIGKILL: not an Exception, so the loop cannot record it."""


class DiesAt:
    def __init__(self, objective, call):
        self.objective, self.call, self.calls = objective, call, 0

    def __call__(self, params):
        self.calls += 1
        if self.calls == self.call:
            raise Killed
        return self.objective(params)

    def __repr__(self):             # the same objective, killed: the same identity
        return repr(self.objective)


def outcome(bo):
    return [(r["index"], r["candidate"], r["value"]) for r in bo.history_]


def test_expected_improvement_is_the_expected_gain():
    """EI = E[max(Y - f* - xi, 0)] for Y ~ N(mu, sigma^2), by numerical integration."""
    for mu, sigma, best, xi in [(0.3, 0.2, 0.1, 0.0), (-1.0, 0.5, 0.0, 0.1), (2.0, 1e-3, 1.0, 0)]:
        gain = integrate.quad(lambda y: max(y - best - xi, 0) * stats.norm.pdf(y, mu, sigma),
                              mu - 12 * sigma, mu + 12 * sigma, points=[best + xi])[0]
        assert expected_improvement([mu], [sigma], best, xi)[0] == pytest.approx(gain, rel=1e-6)


def test_beats_random_search_on_a_known_optimum(space, objective):
    bo = WassersteinBO(space, random_state=0, **FAST).optimize(objective, 20)
    random = [objective(space.to_reservoir_params(c))
              for c in space.sample(20, random_state=0, method="random")]
    assert bo.best_["value"] > max(random)
    assert bo.best_["value"] == max(r["value"] for r in bo.history_)
    assert len(bo.history_) == 20 and [r["index"] for r in bo.history_] == list(range(20))


def test_first_candidate_is_the_biologically_inspired_default(space, objective):
    bo = WassersteinBO(space, random_state=0, **FAST).optimize(objective, 2)
    assert bo.history_[0]["candidate"] == space.initial_candidate()


def test_same_seed_same_run_whatever_n_jobs(space, objective):
    runs = [outcome(WassersteinBO(space, random_state=5, batch_size=2, n_jobs=n_jobs, **FAST)
                    .optimize(objective, 9)) for n_jobs in (1, 2, 1)]
    assert runs[0] == runs[1] == runs[2]


def test_killed_run_resumes_to_the_same_evaluations(space, objective, tmp_path):
    """Killed during evaluation 8 of 15; the resumed run ends as an uninterrupted one."""
    straight = WassersteinBO(space, random_state=1, **FAST).optimize(objective, 15)
    path = tmp_path / "run.jsonl"
    with pytest.raises(Killed):
        WassersteinBO(space, random_state=1, checkpoint=path, **FAST).optimize(
            DiesAt(objective, 8), 15)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert sum(line["type"] == "result" for line in lines) == 7
    resumed = WassersteinBO.resume(path)
    assert len(resumed.history_) == 7 and list(resumed._asked) == [7]
    resumed.optimize(objective, 15)
    assert outcome(resumed) == outcome(straight)
    # the file now holds all 15 and resumes to a finished run
    assert len(WassersteinBO.resume(path).history_) == 15


def test_batches_resume_too(space, objective, tmp_path):
    path = tmp_path / "batch.jsonl"
    straight = WassersteinBO(space, random_state=2, batch_size=3, **FAST).optimize(
        objective, 12)
    with pytest.raises(Killed):
        WassersteinBO(space, random_state=2, batch_size=3, checkpoint=path, **FAST).optimize(
            DiesAt(objective, 8), 12)
    resumed = WassersteinBO.resume(path, n_jobs=2)   # more workers than the killed run
    assert outcome(resumed.optimize(objective, 12)) == outcome(straight)


def test_failures_are_recorded_and_the_loop_goes_on(space, objective):
    calls = []

    def flaky(params):
        calls.append(params)
        if len(calls) == 3:
            raise RuntimeError("simulation blew up")
        if len(calls) == 5:
            return float("nan")
        return objective(params)

    bo = WassersteinBO(space, random_state=0, **FAST).optimize(flaky, 10)
    failed = [r for r in bo.history_ if r["status"] == "failed"]
    assert [r["index"] for r in failed] == [2, 4]
    assert "RuntimeError: simulation blew up" in failed[0]["error"]
    assert "nan" in failed[1]["error"]
    assert len(bo.history_) == 10 and bo.best_["status"] == "ok"


def test_ask_tell_by_hand(space, objective):
    bo = WassersteinBO(space, random_state=0, **FAST)
    for _ in range(6):
        (candidate,) = bo.ask()
        bo.tell([candidate], [objective(space.to_reservoir_params(candidate))])
    auto = WassersteinBO(space, random_state=0, **FAST).optimize(objective, 6)
    assert outcome(bo) == outcome(auto)
    with pytest.raises(ValueError, match="2 entries for 1"):
        bo.tell([candidate], [1.0, 2.0])


def test_checkpoint_errors(space, tmp_path):
    path = tmp_path / "exists.jsonl"
    path.write_text("")
    with pytest.raises(FileExistsError, match="resume"):
        WassersteinBO(space, checkpoint=path)
    with pytest.raises(FileNotFoundError):
        WassersteinBO.resume(tmp_path / "missing.jsonl")
    with pytest.raises(ValueError, match="not a WassersteinBO checkpoint"):
        WassersteinBO.resume(path)


@pytest.mark.parametrize("kwargs, match", [
    ({"n_initial": 0}, "n_initial"), ({"acquisition": "pi"}, "acquisition"),
    ({"batch_strategy": "lie"}, "batch_strategy"), ({"random_state": None}, "random_state"),
    ({"xi": -1.0}, "xi"),
])
def test_bad_settings(space, kwargs, match):
    with pytest.raises(ValueError, match=match):
        WassersteinBO(space, **kwargs)


def test_ucb_and_kriging_believer_run(space, objective):
    bo = WassersteinBO(space, random_state=0, acquisition="ucb", batch_size=2,
                       batch_strategy="kriging_believer", **FAST).optimize(objective, 8)
    assert len(bo.history_) == 8 and bo.gp_ is not None


def test_dask_backend_gives_the_same_run(space, objective):
    distributed = pytest.importorskip("distributed")
    import joblib
    local = outcome(WassersteinBO(space, random_state=4, batch_size=2, **FAST)
                    .optimize(objective, 7))
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None):
        with joblib.parallel_backend("dask"):
            remote = outcome(WassersteinBO(space, random_state=4, batch_size=2, n_jobs=2,
                                           **FAST).optimize(objective, 7))
    assert remote == local


def test_memory_capacity_objective_matches_the_study(space):
    from hrsnn.studies import memory_capacity_record
    candidate = space.initial_candidate()
    params = space.to_reservoir_params(candidate)
    objective = MemoryCapacityObjective("mc_per_spike", n_neurons=60, n_steps=300,
                                        n_fit_steps=100, k_max=10)
    record = memory_capacity_record("HeNHeS", 0, n_neurons=60, n_steps=300,
                                    n_fit_steps=100, k_max=10, **params)
    assert objective(params) == record["mc_per_spike"]
    spikes = MemoryCapacityObjective("spikes", n_neurons=60, n_steps=300, n_fit_steps=100,
                                     k_max=10)
    assert spikes(params) == -record["spikes"]


def test_forecast_objective_is_minus_the_closed_loop_nrmse():
    from data_loaders import lorenz63
    from hrsnn import Forecaster, forecasting_reservoir
    from hrsnn.metrics import nrmse
    from hrsnn.optimize import ForecastObjective
    params = {"w_scale": 0.03}
    objective = ForecastObjective(n_train=500, horizon=20, warmup=30, n_starts=2,
                                  n_neurons=80)
    series = lorenz63(500 + 2 * 50, random_state=0)
    model = Forecaster(forecasting_reservoir(80, random_state=0, w_scale=0.03))
    model.fit(series[:500])
    truth, forecasts = [], []
    for start in (530, 580):
        forecasts.append(model.forecast(20, warmup=series[start - 30:start]))
        truth.append(series[start:start + 20])
    expected = -nrmse(np.vstack(truth), np.vstack(forecasts), scale=series.std(axis=0))
    assert objective(params) == pytest.approx(expected, rel=1e-12)


def test_accuracy_objective_is_the_cross_validated_accuracy():
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.model_selection import StratifiedKFold, cross_val_score
    from sklearn.pipeline import make_pipeline

    from hrsnn import Reservoir
    from hrsnn.optimize import AccuracyObjective
    rng = np.random.default_rng(0)
    y = np.repeat([0, 1], 15)
    X = rng.uniform(0, 0.5, (30, 10, 2))
    X[y == 1, :, 0] += 1.0
    objective = AccuracyObjective(X, y, cv=3, n_neurons=60)
    model = make_pipeline(Reservoir(60, random_state=0, w_in=2.0),
                          RidgeClassifierCV(alphas=np.logspace(-6, 5, 23)))
    folds = StratifiedKFold(3, shuffle=True, random_state=0)
    expected = np.mean(cross_val_score(model, X, y, cv=folds))
    assert objective({"w_in": 2.0}) == expected
    assert expected > 0.8


# ------------------------------------------------------------ tune_forecaster
def _small_forecaster(**changes):
    from hrsnn import Forecaster, Reservoir
    params = dict(washout=20, validation_horizon=20, validation_starts=2, refit_rounds=0,
                  alphas=1.0)
    return Forecaster(Reservoir(60, random_state=0), **{**params, **changes})


def test_tune_forecaster_scores_by_validation_and_refits_the_best():
    from data_loaders import lorenz63
    from hrsnn.optimize import ValidationForecastObjective, tune_forecaster
    series = lorenz63(400, random_state=0)
    template = _small_forecaster()
    model, bo = tune_forecaster(template, series, n_iter=3, n_initial=2)
    assert len(bo.history_) == 3
    assert not hasattr(template, "reservoir_")                    # the template is untouched
    assert model.tuning_score_ == bo.best_["value"] == max(r["value"] for r in bo.history_)
    for name, value in bo.best_["params"].items():
        assert model.reservoir_.get_params()[name] == value
    # an evaluation recomputed by hand: fit on the series, best layout's validation score
    record = bo.history_[1]
    by_hand = _small_forecaster()
    by_hand.set_params(reservoir=by_hand.reservoir.set_params(**record["params"]))
    valid, negative_rmse = by_hand.fit(series).layout_scores_["global"]
    assert record["value"] == pytest.approx(valid + 0.01 * negative_rmse, rel=1e-12)
    assert ValidationForecastObjective(template, series)(record["params"]) == record["value"]


@pytest.mark.parametrize("forecaster, kwargs, error, match", [
    ("reservoir", {}, TypeError, "Forecaster"),
    ("cv", {}, ValueError, "selection='forecast'"),
    ("ok", {"n_iter": 0}, ValueError, "n_iter"),
    ("ok", {"n_iter": 2, "n_initial": 3}, ValueError, "n_initial"),
])
def test_tune_forecaster_rejects_bad_arguments(forecaster, kwargs, error, match):
    from data_loaders import lorenz63
    from hrsnn import Reservoir
    from hrsnn.optimize import tune_forecaster
    template = {"reservoir": Reservoir(60), "cv": _small_forecaster(selection="cv"),
                "ok": _small_forecaster()}[forecaster]
    with pytest.raises(error, match=match):
        tune_forecaster(template, lorenz63(300, random_state=0), **kwargs)
