"""The ``hrsnn`` command line: subcommands write what they promise, errors are clear."""

import json

import numpy as np
import pytest

from data_loaders import lorenz63
from hrsnn import Forecaster, forecasting_reservoir
from hrsnn.cli import main
from hrsnn.metrics import valid_prediction_time

def only(folder, pattern):
    """The one file in ``folder`` matching ``pattern``."""
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


SMALL_FORECAST = ["forecast", "lorenz63", "--n-train", "500", "--n-neurons", "120",
                  "--n-starts", "2", "--horizon", "40", "--warmup", "30"]


def test_forecast_writes_figure_and_numbers(tmp_path, capsys):
    assert main(SMALL_FORECAST + ["--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "hrsnn" in printed and "linear AR" in printed
    report = json.loads(only(tmp_path, "lorenz63_forecast*.json").read_text())
    assert only(tmp_path, "lorenz63_forecast*.png").stat().st_size > 10_000
    # recompute the first window's VPT through the public API
    series = lorenz63(500 + 2 * 70, random_state=0)
    model = Forecaster(forecasting_reservoir(120, random_state=0)).fit(series[:500])
    start = report["starts"][0]
    forecast = model.forecast(40, warmup=series[start - 30:start])
    vpt = valid_prediction_time(series[start:start + 40], forecast, threshold=0.4,
                                scale=series.std(axis=0))
    assert report["scores"]["hrsnn"]["vpt_steps_0.4"]["values"][0] == vpt.steps
    assert report["alpha"] == model.alpha_
    assert report["readout"] == model.readout_kind_
    assert report["refit_rounds"] == model.refit_rounds_ and report["local_blocks"] == 0
    assert f"{model.readout_kind_} readout" in printed


def test_forecast_with_tuning_reports_the_tuned_reservoir(tmp_path, capsys):
    argv = SMALL_FORECAST + ["--n-neurons", "60", "--tune", "2", "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    report = json.loads(only(tmp_path, "lorenz63_forecast*.json").read_text())
    tuned = report["tuned_params"]
    assert set(tuned) >= {"w_in", "tau_m_exc_mean", "tau_readout"}
    assert "tuned reservoir: " in printed
    # the same search through the library gives the same parameters
    from hrsnn.optimize import tune_forecaster
    series = lorenz63(500 + 2 * 70, random_state=0)
    _, bo = tune_forecaster(Forecaster(forecasting_reservoir(60, random_state=0)),
                            series[:500], n_iter=2, n_initial=2, random_state=0)
    assert bo.best_["params"] == tuned


def test_forecast_univariate_mackey_glass(tmp_path, capsys):
    argv = ["forecast", "mackey_glass", "--n-train", "500", "--n-neurons", "80",
            "--n-starts", "2", "--horizon", "40", "--warmup", "30", "--out", str(tmp_path)]
    assert main(argv) == 0
    report = json.loads(only(tmp_path, "mackey_glass_forecast*.json").read_text())
    assert report["system"] == "mackey_glass" and report["dt"] == 1.0
    assert len(report["scores"]["hrsnn"]["one_step_nrmse"]["values"]) == 2
    assert only(tmp_path, "mackey_glass_forecast*.png").exists()


@pytest.mark.parametrize("argv, message", [
    (["forecast", "lorenz64"], "Unknown system 'lorenz64'"),
    (["forecast", "--n-train", "0"], "--n-train must be a positive integer"),
    (["forecast", "--dt", "-0.1"], "--dt must be a positive number"),
    (["forecast", "--tune", "-1"], "--tune must be a non-negative integer"),
    (["forecast", "--n-train", "100", "--horizon", "5000"], "--n-train must be at least 403"),
    (["classify", "shd", "--path", "no_such_file.h5"], "no_such_file.h5"),
    (["classify", "shd"], "--path"),
    (["prune", "--density", "0"], "--density must lie in (0, 1]"),
    (["prune", "--n-iter", "-1"], "--n-iter must be a non-negative integer"),
])
def test_errors_exit_1_with_a_message(argv, message, tmp_path, capsys):
    assert main(argv + ["--out", str(tmp_path)]) == 1
    assert message in capsys.readouterr().err


def test_study_prints_summary_and_saves(tmp_path, capsys):
    assert main(["study", "rank", "--n-neurons", "60", "--seeds", "2",
                 "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    for variant in ("HoNHoS", "HoNHeS", "HeNHoS", "HeNHeS"):
        assert variant in printed
    records = json.loads(only(tmp_path, "effective_rank_study*.json").read_text())
    assert len(records) == 8
    assert only(tmp_path, "effective_rank_study*.png").exists()
    assert all(0 < r["rank"] <= 60 for r in records)


def test_no_subcommand_prints_help(capsys):
    assert main([]) == 2
    assert "forecast" in capsys.readouterr().out


def test_shd_file_is_classified(tmp_path, capsys):
    from data_loaders import write_shd
    rng = np.random.default_rng(0)
    times, units, labels = [], [], []
    for k in range(40):
        label = k % 2
        n = 60
        times.append(np.sort(rng.uniform(0, 0.5, n)).astype(np.float16))
        # class 0 fires on units 0-9, class 1 on units 10-19
        units.append(rng.integers(10 * label, 10 * label + 10, n).astype(np.uint16))
        labels.append(label)
    path = tmp_path / "tiny_shd.h5"
    write_shd(path, times, units, np.array(labels, dtype=np.uint16))
    assert main(["classify", "shd", "--path", str(path), "--n-neurons", "80",
                 "--out", str(tmp_path)]) == 0
    report = json.loads(only(tmp_path, "shd_classification*.json").read_text())
    assert only(tmp_path, "shd_classification*.png").stat().st_size > 5_000   # confusion
    assert report["accuracy"] >= 0.9


@pytest.mark.parametrize("method", ["lnp", "activity", "dpap"])
def test_prune_prints_the_history_and_saves_it(method, tmp_path, capsys):
    from hrsnn import build_network
    from hrsnn.pruning import activity_prune, dpap_prune, lnp
    assert main(["prune", "--method", method, "--n-neurons", "80", "--n-iter", "2",
                 "--epochs", "8", "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    report = json.loads(only(tmp_path, f"prune_{method}*.json").read_text())
    network = build_network(80, 1, 0)
    u = np.random.default_rng(0).uniform(-1, 1, (1, 2000, 1))   # the documented input
    direct = {"lnp": lambda: lnp(network, n_iter=2, density=0.45, random_state=0),
              "activity": lambda: activity_prune(network, n_iter=2, keep_inputs=False,
                                                 fraction=1 - 0.45 ** 0.5),
              "dpap": lambda: dpap_prune(network, u, n_epochs=8, random_state=0)}[method]()
    assert report["history"] == direct.history
    assert report["kept_neuron_ids"] == direct.network.neuron_id.tolist()
    assert only(tmp_path, f"prune_{method}*.png").exists()
    assert f"{direct.history[-1]['n_synapses']}" in printed


def test_runs_with_other_settings_do_not_overwrite_each_other(tmp_path):
    from hrsnn.cli import _output_name, _parser
    parser = _parser()
    default = parser.parse_args(["forecast"])
    other = parser.parse_args(["forecast", "--n-neurons", "500", "--seed", "3", "--out", "x"])
    assert _output_name("lorenz63_forecast", default) == "lorenz63_forecast"   # README's name
    assert _output_name("lorenz63_forecast", other) == \
        "lorenz63_forecast_n-neurons500_seed3"
    for seed in ("1", "2"):
        assert main(["prune", "--method", "activity", "--n-neurons", "60", "--n-iter", "1",
                     "--seed", seed, "--out", str(tmp_path)]) == 0
    assert len(list(tmp_path.glob("prune_activity*.json"))) == 2


def test_help_shows_the_defaults(capsys):
    with pytest.raises(SystemExit):
        main(["forecast", "--help"])
    text = capsys.readouterr().out
    assert "(default: 2000)" in text and "(default: results)" in text


def test_forecast_error_comes_after_the_progress_bar_is_closed(tmp_path, capsys,
                                                               monkeypatch):
    from hrsnn.readout import Forecaster

    def broken(self, *args, **kwargs):
        raise ValueError("readout failed")
    monkeypatch.setattr(Forecaster, "fit", broken)
    assert main(SMALL_FORECAST + ["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    start = err.index("hrsnn forecast: error")
    assert start == 0 or err[start - 1] in "\r\n"          # the bar's line was cleared first
    message = err[start:]
    assert message.startswith("hrsnn forecast: error: readout failed")
    assert "\r" not in message and "it/s" not in message       # nothing of the bar after it


def test_dpap_prints_and_saves_what_a_direct_run_gives(tmp_path, capsys):
    from hrsnn.studies.dpap import digits_split, dpap_record
    assert main(["dpap", "--network", "fc_relu", "--seeds", "1", "--epochs", "6",
                 "--out", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    report = json.loads(only(tmp_path, "dpap_fc_relu*.json").read_text())
    assert only(tmp_path, "dpap_fc_relu*.png").exists()
    direct = dpap_record("fc_relu", 0, digits_split(), epochs=6)
    cli = report["results"][1]
    assert cli["variant"] == "fc_relu + DPAP" and "fc_relu + DPAP" in printed
    assert cli["accuracy_per_epoch"] == direct["accuracy_per_epoch"]
    assert cli["pruned_fraction"] == direct["pruned_fraction"]
