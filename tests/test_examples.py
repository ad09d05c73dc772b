"""The study examples run end to end on tiny settings and write what they say."""

import importlib.util
import json
from pathlib import Path

import numpy as np
import pytest

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def load_example(name):
    spec = importlib.util.spec_from_file_location(name, EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_lnp_pruning_study_writes_numbers_and_figures(tmp_path):
    study = load_example("lnp_pruning")
    study.main(["--n-neurons", "100", "--seeds", "1", "--n-iter", "2", "--n-train", "500",
                "--horizon", "30", "--windows", "1", "--retune", "--retune-iter", "3",
                "--out", str(tmp_path)])
    name = "lnp_pruning_hrsnn_n100_train500_h30"
    for suffix in (".png", "_methods.png", "_timescales.png"):
        assert (tmp_path / f"{name}{suffix}").stat().st_size > 0
    saved = json.loads((tmp_path / f"{name}.json").read_text())
    records = {r["variant"]: r for r in saved["results"]}
    assert list(records) == ["dense", "LNP", "AP", "random", "LNP+retune"]
    assert records["random"]["n_synapses"] == records["LNP"]["n_synapses"]
    assert records["LNP+retune"]["n_synapses"] == records["LNP"]["n_synapses"]
    for method in ("LNP", "AP"):
        rows = [r for r in saved["evolution"] if r["method"] == method]
        assert [r["iteration"] for r in rows] == [0, 1, 2]
        assert rows[0]["forecast_nrmse"] == records["dense"]["forecast_nrmse"]
        assert rows[-1]["forecast_nrmse"] == records[method]["forecast_nrmse"]
        assert rows[-1]["n_synapses"] == records[method]["n_synapses"]
        assert np.all(np.diff([r["n_synapses"] for r in rows]) < 0)
    tau = saved["timescales"][0]
    assert len(tau["LNP"]["exc"]) + len(tau["LNP"]["inh"]) == records["LNP"]["n_neurons"]
    assert tau["LNP"]["exc"] == tau["random"]["exc"]          # the same neurons
    assert tau["LNP+retune"]["exc"] != tau["LNP"]["exc"]
