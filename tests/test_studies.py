"""Studies of hrsnn.studies on tiny reservoirs: records, determinism, summaries."""

import csv
import json
import math

import numpy as np
import pytest

from hrsnn import Reservoir, metrics, studies

VARIANTS = ("HoNHoS", "HeNHeS")
SEEDS = (0, 1)
MC_ARGS = {"n_neurons": 60, "n_steps": 300, "n_fit_steps": 100, "k_max": 10, "washout": 20}
RANK_ARGS = {"n_neurons": 60, "n_stimuli": 20, "n_steps": 10, "n_fit": 3}
MC_FIELDS = {"variant", "seed", "n_neurons", "mc", "mc_per_delay", "spikes",
             "mc_per_spike", "mc_v", "mc_v_per_spike", "activation", "rate_hz", "w_ee_mean"}
RANK_FIELDS = {"variant", "seed", "n_neurons", "n_stimuli", "rank", "spikes",
               "spikes_per_stimulus", "activation", "rate_hz", "w_ee_mean"}


@pytest.fixture(scope="module")
def mc_records():
    return studies.memory_capacity_study(VARIANTS, SEEDS, **MC_ARGS)


@pytest.fixture(scope="module")
def rank_records():
    return studies.effective_rank_study(VARIANTS, SEEDS, **RANK_ARGS)


def _reference_reservoir(variant, seed, **params):
    """The study's reservoir, spelled out independently of STUDY_INPUT."""
    return Reservoir(60, heterogeneity=variant, random_state=seed, w_in_dist="uniform",
                     w_in=10.0, p_in=1.0, **params)


# ---------------------------------------------------------------- memory capacity
def test_mc_records_fields_and_order(mc_records):
    assert [(r["seed"], r["variant"]) for r in mc_records] == [
        (s, v) for s in SEEDS for v in VARIANTS]
    for r in mc_records:
        assert set(r) == MC_FIELDS
        assert len(r["mc_per_delay"]) == MC_ARGS["k_max"]
        assert r["mc"] == pytest.approx(sum(r["mc_per_delay"]))
        assert r["spikes"] > 0 and r["mc"] > 0
        assert r["mc_per_spike"] == pytest.approx(r["mc"] / (r["spikes"] / 60))
        sim_steps = MC_ARGS["n_steps"] * 5  # steps_per_input = 5, dt = 1 ms
        assert r["activation"] == pytest.approx(r["spikes"] / (60 * sim_steps))
        assert r["rate_hz"] == pytest.approx(r["spikes"] / 60 / (sim_steps / 1000))


def test_mc_study_is_deterministic(mc_records):
    again = studies.memory_capacity_study(VARIANTS, SEEDS, **MC_ARGS)
    assert again == mc_records


def test_mc_study_in_worker_processes_gives_the_same_records(mc_records):
    pooled = studies.memory_capacity_study(VARIANTS, SEEDS, workers=2, **MC_ARGS)
    assert pooled == mc_records


def test_rank_study_on_a_dask_cluster_gives_the_same_records(rank_records):
    distributed = pytest.importorskip("distributed")
    import joblib
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None):
        with joblib.parallel_config("dask"):
            remote = studies.effective_rank_study(VARIANTS, SEEDS, workers=-1, **RANK_ARGS)
    assert remote == rank_records


def test_mc_equals_independent_recomputation(mc_records):
    record = mc_records[3]
    variant, seed = record["variant"], record["seed"]
    u_fit, u = studies.memory_capacity_inputs(seed, MC_ARGS["n_steps"],
                                              MC_ARGS["n_fit_steps"])
    reservoir = _reference_reservoir(variant, seed).fit(u_fit.reshape(1, -1, 1))
    result = reservoir.run(u, record_spikes=False, record_v=True)
    mc = metrics.memory_capacity(result.states, u, k_max=MC_ARGS["k_max"],
                                 washout=MC_ARGS["washout"])
    mc_v = metrics.memory_capacity(result.v, u, k_max=MC_ARGS["k_max"],
                                   washout=MC_ARGS["washout"])
    assert record["mc_v"] == pytest.approx(mc_v.total, rel=1e-9, abs=1e-12)
    assert record["mc_v_per_spike"] == pytest.approx(
        mc_v.total / (result.counts.sum() / reservoir.network_.n_neurons))
    # the study limits BLAS to one thread; other thread counts may round differently
    assert record["mc"] == pytest.approx(mc.total, rel=1e-9, abs=1e-12)
    np.testing.assert_allclose(record["mc_per_delay"], mc.per_delay, rtol=1e-9, atol=1e-12)
    assert record["spikes"] == int(result.counts.sum())


def test_mc_inputs_are_uniform_and_shared_by_variants():
    u_fit, u = studies.memory_capacity_inputs(3, 400, 200)
    assert u_fit.shape == (200,) and u.shape == (400,)
    assert u.min() >= -0.5 and u.max() < 0.5
    assert not np.array_equal(u[:200], u_fit)
    again = studies.memory_capacity_inputs(3, 400, 200)
    np.testing.assert_array_equal(again[1], u)


# ---------------------------------------------------------------- effective rank
def test_rank_records_fields(rank_records):
    for r in rank_records:
        assert set(r) == RANK_FIELDS
        assert isinstance(r["rank"], int) and 1 <= r["rank"] <= RANK_ARGS["n_stimuli"]
        assert r["spikes_per_stimulus"] == pytest.approx(r["spikes"] / RANK_ARGS["n_stimuli"])


def test_rank_equals_independent_recomputation(rank_records):
    record = rank_records[1]
    X_fit, X = studies.effective_rank_inputs(record["seed"], RANK_ARGS["n_stimuli"],
                                             RANK_ARGS["n_steps"], RANK_ARGS["n_fit"])
    reservoir = _reference_reservoir(record["variant"], record["seed"],
                                     features="final").fit(X_fit)
    assert record["rank"] == metrics.effective_rank(reservoir.transform(X))
    spikes = sum(int(reservoir.run(x, record_spikes=False).counts.sum()) for x in X)
    assert record["spikes"] == spikes


def test_rank_study_independent_of_n_jobs(rank_records):
    threaded = studies.effective_rank_study(VARIANTS, SEEDS, n_jobs=2, **RANK_ARGS)
    assert threaded == rank_records


# ---------------------------------------------------------------- summaries
def test_summarize_matches_numpy(mc_records):
    summary = studies.summarize(mc_records)
    assert list(summary) == list(VARIANTS)
    assert set(summary["HoNHoS"]) == MC_FIELDS - {"variant", "seed", "mc_per_delay"}
    for variant in VARIANTS:
        for key in ("mc", "spikes", "mc_per_spike"):
            values = np.array([r[key] for r in mc_records if r["variant"] == variant])
            stat = summary[variant][key]
            assert stat.mean == pytest.approx(values.mean())
            assert stat.std == pytest.approx(values.std(ddof=1))
            assert stat.n == len(SEEDS)


def test_summarize_keys_ddof_and_single_seed(mc_records):
    summary = studies.summarize(mc_records, ["mc"], ddof=0)
    values = [r["mc"] for r in mc_records if r["variant"] == "HeNHeS"]
    assert set(summary["HeNHeS"]) == {"mc"}
    assert summary["HeNHeS"]["mc"].std == pytest.approx(np.std(values))
    single = studies.summarize(mc_records[:1], ["mc"])["HoNHoS"]["mc"]
    assert single.n == 1 and math.isnan(single.std)
    assert studies.format_stat(single, 3) == f"{single.mean:.3f}"        # no "± nan"
    assert studies.format_stat(studies.Stat(1.0, 0.25, 2), 2) == "1.00 ± 0.25"
    with pytest.raises(ValueError, match="at least one record"):
        studies.summarize([])


def test_paired_difference(mc_records):
    stat, n_higher = studies.paired_difference(mc_records, "mc", "HeNHeS", "HoNHoS")
    by = {(r["variant"], r["seed"]): r["mc"] for r in mc_records}
    diff = np.array([by["HeNHeS", s] - by["HoNHoS", s] for s in SEEDS])
    assert stat.mean == pytest.approx(diff.mean())
    assert stat.std == pytest.approx(diff.std(ddof=1))
    assert n_higher == int(np.sum(diff > 0))


def test_format_summary(mc_records):
    text = studies.format_summary(studies.summarize(mc_records), ["mc", "spikes", "nope"],
                                  labels={"mc": "MC"})
    lines = text.splitlines()
    assert len(lines) == 1 + len(VARIANTS)
    assert "MC" in lines[0] and "nope" not in lines[0]
    assert lines[1].split()[0] == "HoNHoS" and "±" in lines[1]


def test_save_records(tmp_path, mc_records):
    json_path, csv_path = studies.save_records(mc_records, tmp_path / "sub" / "mc")
    assert json.loads(json_path.read_text()) == mc_records
    with open(csv_path, newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(mc_records) and "mc_per_delay" not in rows[0]
    assert float(rows[2]["mc"]) == mc_records[2]["mc"]


# ---------------------------------------------------------------- arguments
def test_progress_callback_and_errors():
    calls = []
    small = {"n_neurons": 30, "n_stimuli": 4, "n_steps": 5, "n_fit": 1}
    records = studies.effective_rank_study(["HoNHoS"], [0, 1],
                                           progress=lambda *a: calls.append(a), **small)
    assert [(done, total) for done, total, _ in calls] == [(1, 2), (2, 2)]
    assert calls[-1][2] is records[-1]
    with pytest.raises(ValueError, match="variant"):
        studies.effective_rank_study(["HeN"], [0], **small)
    with pytest.raises(ValueError, match="progress"):
        studies.effective_rank_study(["HoNHoS"], [0], progress="yes", **small)


def test_reservoir_params_override_study_input():
    reservoir = studies.study_reservoir("HeNHoS", 4, 30, w_in=2.0, tau_readout=5.0)
    assert reservoir.get_params()["w_in"] == 2.0
    assert reservoir.get_params()["w_in_dist"] == "uniform"
    assert reservoir.get_params()["tau_readout"] == 5.0
    assert reservoir.get_params()["random_state"] == 4


def test_format_paired_differences_by_hand():
    from hrsnn.studies import format_paired_differences

    records = [{"variant": v, "seed": s, "mc": m}
               for v, s, m in [("A", 0, 1.0), ("B", 0, 0.5), ("A", 1, 2.0), ("B", 1, 2.5)]]
    text = format_paired_differences(records, [("mc", "A", "B")], labels={"mc": "MC"})
    lines = text.split("\n")
    assert len(lines) == 2 and lines[0].startswith("paired differences")
    # differences +0.5 and -0.5: mean 0, sample std 0.7071, one seed higher
    assert lines[1].startswith("  MC: A - B = ") and lines[1].endswith("(1/2 seeds higher)")
    assert "0.707" in lines[1]


def test_reservoir_memory_capacity_of_states_and_potentials_matches_by_hand():
    u_fit, u = studies.memory_capacity_inputs(2, 300, 100)
    mcs, result = studies.reservoir_memory_capacity(_reference_reservoir("HeNHeS", 2), u_fit,
                                                    u, k_max=10, washout=20,
                                                    features=("states", "v"))
    reservoir = _reference_reservoir("HeNHeS", 2).fit(u_fit.reshape(1, -1, 1))
    again = reservoir.run(u, record_spikes=False, record_v=True)
    for name in ("states", "v"):
        expected = metrics.memory_capacity(getattr(again, name), u, k_max=10, washout=20)
        assert mcs[name].total == pytest.approx(expected.total, rel=1e-9, abs=1e-12)
    assert np.array_equal(result.counts, again.counts)
    for bad in (("spikes",), ("input",), (), "v"):
        with pytest.raises(ValueError, match="non-empty tuple of names from"):
            studies.reservoir_memory_capacity(_reference_reservoir("HeNHeS", 2), u_fit, u,
                                              features=bad)


def test_reservoir_memory_capacity_of_traces_matches_by_hand():
    u_fit, u = studies.memory_capacity_inputs(3, 300, 100)
    mcs, _ = studies.reservoir_memory_capacity(_reference_reservoir("HeNHeS", 3), u_fit, u,
                                               k_max=10, washout=20, features=("traces",))
    reservoir = _reference_reservoir("HeNHeS", 3).fit(u_fit.reshape(1, -1, 1))
    traces = reservoir.run(u, record_spikes=False, record_traces=True).traces
    expected = metrics.memory_capacity(traces, u, k_max=10, washout=20)
    assert traces.shape[1] == 3 * reservoir.network_.n_neurons
    assert mcs["traces"].total == pytest.approx(expected.total, rel=1e-9, abs=1e-12)


def test_classification_scores_match_a_direct_pipeline():
    from sklearn.linear_model import RidgeClassifierCV
    from sklearn.pipeline import make_pipeline

    from hrsnn import Reservoir, build_network
    from hrsnn.metrics import RIDGE_ALPHAS
    from hrsnn.studies import classification_scores
    rng = np.random.default_rng(0)
    X, y = rng.uniform(0, 1, (60, 20, 4)), np.repeat([0, 1, 2], 20)
    X[y == 1, :, 0] += 1.0
    net = build_network(60, 4, 2)
    params = {"w_in": 2.0, "steps_per_input": 1}
    scores = classification_scores(net, X[::2], y[::2], X[1::2], y[1::2], 5, **params)
    pipe = make_pipeline(Reservoir(network=net, random_state=5, **params),
                         RidgeClassifierCV(alphas=RIDGE_ALPHAS)).fit(X[::2], y[::2])
    assert scores["accuracy"] == pipe.score(X[1::2], y[1::2])
    fitted = pipe[0]
    counts = np.sum([fitted.run(x, record_spikes=False).counts for x in X[1::2]], axis=0)
    out_degree = np.bincount(fitted.network_.pre, minlength=60)
    assert scores["sops_per_sample"] == pytest.approx(counts @ out_degree / 30, rel=1e-12)
    assert (scores["n_neurons"], scores["n_synapses"]) == (60, net.n_synapses)
