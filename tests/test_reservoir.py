"""The public Reservoir: behaviour, determinism, errors, persistence."""

import pickle

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import RidgeClassifier
from sklearn.pipeline import make_pipeline

import hrsnn.reservoir
from hrsnn import Reservoir, Simulator


def data(n=6, steps=30, channels=2, seed=0):
    return np.random.default_rng(seed).uniform(0.0, 1.0, (n, steps, channels))


def small(**kw):
    params = dict(n_neurons=120, random_state=0, steps_per_input=3)
    params.update(kw)
    return Reservoir(**params)


@pytest.fixture(scope="module")
def fitted():
    return small().fit(data())


def test_transform_shapes_and_activity(fitted):
    F = fitted.transform(data())
    assert F.shape == (6, 120) and F.dtype == np.float64
    assert F.sum() > 0
    assert fitted.network_.weights.shape == (120, 120)
    assert fitted.n_features_in_ == 30 and fitted.n_inputs_ == 2


def test_counts_equal_run_counts(fitted):
    X = data()
    F = fitted.transform(X)
    for i in range(len(X)):
        np.testing.assert_array_equal(F[i], fitted.run(X[i]).counts)


@pytest.mark.parametrize("features", ["final", "mean"])
def test_filtered_features_match_run_states(features):
    X = data()
    reservoir = small(features=features).fit(X)
    F = reservoir.transform(X)
    states = reservoir.run(X[2]).states
    assert states.shape == (30, 120)
    expected = states[-1] if features == "final" else states.mean(axis=0)
    np.testing.assert_array_equal(F[2], expected)


def test_filtered_state_is_exponential_filter_of_spikes(fitted):
    """states[t] = sum over spikes up to the end of input step t of exp(-(t_end - s) dt / tau)."""
    u = data()[0]
    result = fitted.run(u)
    spi, dt, tau = fitted.steps_per_input, fitted.dt, fitted.tau_readout
    expected = np.zeros((30, 120))
    for step, neuron in zip(result.spike_steps, result.spike_neurons):
        for t in range(30):
            end = (t + 1) * spi - 1
            if step <= end:
                expected[t, neuron] += np.exp(-(end - step) * dt / tau)
    np.testing.assert_allclose(result.states, expected, rtol=1e-10, atol=1e-12)


def test_stdp_changes_only_plastic_weights():
    X = data()
    plain = small(stdp=False).fit(X)
    learned = small(stdp=True).fit(X)
    net0, net1 = plain.network_, learned.network_
    assert np.array_equal(net0.pre, net1.pre)
    changed = net0.weight != net1.weight
    assert changed.any()
    assert not changed[~net0.plastic].any()
    w = net1.weight[net1.plastic]
    assert w.min() >= net1.w_min and w.max() <= net1.w_max


def test_same_seed_same_result_and_n_jobs_invariance():
    X = data(n=8)
    a = small(n_jobs=1).fit(X).transform(X)
    b = small(n_jobs=2).fit(X).transform(X)
    c = small(n_jobs=-1).fit(X).transform(X)
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(a, c)
    assert not np.array_equal(a, small(random_state=1).fit(X).transform(X))


@pytest.mark.parametrize("encoding", ["current", "poisson"])
def test_transform_blocks_change_no_result(encoding):
    """Samples go to threads in contiguous blocks: any n_jobs, and any batch, gives
    every sample the features of a reservoir that simulates it alone."""
    X = data(n=11)
    reservoir = small(encoding=encoding, n_jobs=1).fit(X)
    alone = np.concatenate([reservoir.transform(X[i:i + 1]) for i in range(len(X))])
    for n_jobs in (1, 2, 3, 5, -1):
        np.testing.assert_array_equal(reservoir.set_params(n_jobs=n_jobs).transform(X), alone)


@pytest.mark.parametrize("features", ["counts", "final", "mean"])
@pytest.mark.parametrize("encoding", ["current", "poisson"])
def test_batched_transform_equals_one_run_per_sequence(features, encoding):
    """transform simulates many sequences per kernel call (Simulator.run_batch); every
    row is what Reservoir.run gives for that sequence alone."""
    X = data(n=6)
    reservoir = small(encoding=encoding, features=features).fit(X)
    F = reservoir.transform(X)
    for i, u in enumerate(X):
        result = reservoir.run(u)
        expected = {"counts": result.counts.astype(np.float64), "final": result.states[-1],
                    "mean": result.states.mean(axis=0)}[features]
        np.testing.assert_array_equal(F[i], expected)


def test_run_batch_leaves_the_simulator_alone():
    X = data(n=3)
    reservoir = small().fit(X)
    simulator = Simulator(reservoir.network_, reservoir.dt)
    simulator.run(current=X[0])
    before = simulator.get_state()
    counts, states = simulator.run_batch(currents=X, record_states=True)
    after = simulator.get_state()
    assert all(np.array_equal(before[k], after[k]) for k in before)
    assert counts.shape == (3, 120) and states.shape == (3, 30, 120)
    with pytest.raises(ValueError, match="not both"):
        simulator.run_batch(currents=X, input_spikes=[(np.array([0]), np.array([0]))])
    with pytest.raises(ValueError, match="finite"):
        simulator.run_batch(currents=np.full((1, 4, 2), np.nan))
    with pytest.raises(ValueError, match="noise_seeds"):
        simulator.run_batch(currents=X, noise_seeds=[1, 2])


def test_blocks_cover_every_sample_once():
    from hrsnn.reservoir import _blocks
    for n_samples, workers in ((1, 4), (7, 2), (100, 3), (5, 8)):
        blocks = _blocks(n_samples, workers)
        covered = [i for lo, hi in blocks for i in range(lo, hi)]
        assert covered == list(range(n_samples))
        assert all(hi > lo for lo, hi in blocks) and len(blocks) <= 4 * workers


def test_poisson_encoding_is_deterministic_per_sample():
    X = data(n=5)
    reservoir = small(encoding="poisson", n_jobs=2).fit(X)
    F = reservoir.transform(X)
    np.testing.assert_array_equal(F, reservoir.transform(X))
    # a sample's features do not depend on its batch
    np.testing.assert_array_equal(F[3:4], reservoir.transform(X[3:4]))
    np.testing.assert_array_equal(F[::-1], reservoir.transform(X[::-1]))
    assert F.sum() > 0


def test_spike_encoding_delivers_the_given_spikes():
    X = np.zeros((3, 20, 2))
    X[:, 2, 0] = 1
    X[1, 5, 1] = 2
    reservoir = small(encoding="spikes", stdp=False, w_in=3.0, w_in_dist="constant").fit(X)
    counts = reservoir.transform(X)
    targets0 = reservoir.network_.in_post[reservoir.network_.in_channel == 0]
    assert np.all(counts[0, targets0] >= 1)        # a 3.0 jump fires every target
    with pytest.raises(ValueError, match="non-negative integer"):
        reservoir.transform(X + 0.5)


def test_run_continues_state_without_reset(fitted):
    u = data()[0]
    whole = fitted.run(np.concatenate([u, u]))
    fitted.run(u)
    second = fitted.run(u, reset=False)
    np.testing.assert_array_equal(whole.states[30:], second.states)
    np.testing.assert_array_equal(whole.spike_steps[whole.spike_steps >= 90],
                                  second.spike_steps)


def test_run_records_membrane_potential(fitted):
    result = fitted.run(data()[0], record_v=True)
    assert result.v.shape == (30, 120)
    assert np.all(result.v < fitted.network_.v_th + 10)


def test_homogeneous_presets_use_the_means():
    X = data()
    hom = small(heterogeneity="HoNHoS").fit(X).network_
    het = small(heterogeneity="HeNHeS").fit(X).network_
    assert np.all(hom.tau_m[hom.is_exc] == 20.0) and np.all(hom.tau_m[~hom.is_exc] == 10.0)
    assert np.all(hom.v_th == 1.0)
    assert np.unique(het.tau_m).size > 50
    mixed = small(heterogeneity="HeNHoS", stdp=False).fit(X).network_
    assert np.unique(mixed.tau_m).size > 50
    assert np.all(mixed.tau_plus[mixed.plastic] == 20.0)


def test_pipeline_with_ridge_classifier():
    rng = np.random.default_rng(0)
    X = rng.uniform(0, 1, (40, 10, 1))
    y = (X[:, :5, 0].mean(axis=1) > X[:, 5:, 0].mean(axis=1)).astype(int)
    model = make_pipeline(small(n_neurons=150), RidgeClassifier(alpha=1.0)).fit(X[:30], y[:30])
    assert model.predict(X[30:]).shape == (10,)


# ------------------------------------------------------------------ errors
def test_not_fitted():
    with pytest.raises(NotFittedError):
        small().transform(data())
    with pytest.raises(NotFittedError):
        small().run(data()[0])


@pytest.mark.parametrize("param,value,exc,match", [
    ("n_neurons", 0, ValueError, "'n_neurons' parameter of Reservoir must be an integer in the range \\[1, 2147483647\\]"),
    ("n_neurons", 10.5, TypeError, "'n_neurons'"),
    ("dt", 0.0, ValueError, "'dt' parameter of Reservoir must be a real number > 0"),
    ("dt", -1.0, ValueError, "'dt'"),
    ("steps_per_input", 0, ValueError, "'steps_per_input'"),
    ("exc_fraction", 1.5, ValueError, r"'exc_fraction' parameter .* range \[0.0, 1.0\]"),
    ("p_in", -0.1, ValueError, "'p_in'"),
    ("c_ee", 2.0, ValueError, "'c_ee'"),
    ("heterogeneity", "HeNXeS", ValueError, "'heterogeneity' parameter of Reservoir must be one of"),
    ("encoding", "rate", ValueError, "'encoding'"),
    ("features", "all", ValueError, "'features'"),
    ("stdp_rule", "hebb", ValueError, "'stdp_rule'"),
    ("tau_m_exc_mean", np.nan, ValueError, "'tau_m_exc_mean'"),
    ("stdp", "yes", TypeError, "'stdp'"),
    ("n_jobs", 0, ValueError, "'n_jobs'"),
    ("grid_shape", (2, 2, 2), ValueError, "'grid_shape'"),
    ("random_state", -3, ValueError, "'random_state'"),
])
def test_bad_parameters_raise_clear_errors(param, value, exc, match):
    with pytest.raises(exc, match=match):
        small(**{param: value}).fit(data())


@pytest.mark.parametrize("X,match", [
    (np.full((3, 10, 2), np.nan), "NaN"),
    (np.full((3, 10, 2), np.inf), "infinity"),
    (np.zeros((3, 10, 2, 2)), "dimensions"),
    (np.zeros(5), r"batch of sequences: an array of shape \(n_samples, n_steps, n_inputs\)"),
    (np.zeros((0, 10, 2)), "0 sample"),
])
def test_bad_input_raises_clear_errors(X, match):
    with pytest.raises(ValueError, match=match):
        small().fit(X)


def test_errors_leave_a_fitted_reservoir_untouched(fitted):
    before = {k: v for k, v in vars(fitted).items()}
    weights = fitted.network_.weight.copy()
    bad_inputs = [data(channels=3), data(steps=12), np.full((2, 30, 2), np.nan)]
    for X in bad_inputs:
        with pytest.raises(ValueError):
            fitted.transform(X)
    with pytest.raises(ValueError, match="input channels"):
        fitted.transform(data(channels=3))
    with pytest.raises(ValueError, match="30 features"):
        fitted.transform(data(steps=12))
    with pytest.raises(ValueError, match="shape"):
        fitted.run(np.zeros((10, 3)))
    refit = clone(fitted)
    refit.__dict__.update(before)
    refit.set_params(n_neurons=-1)
    with pytest.raises(ValueError):
        refit.fit(data())
    assert refit.network_ is before["network_"]          # failed refit kept the old fit
    assert vars(fitted).keys() == before.keys()
    assert all(vars(fitted)[k] is v for k, v in before.items())
    np.testing.assert_array_equal(fitted.network_.weight, weights)


def test_failed_refit_keeps_the_previous_fit():
    """A refit that fails after input validation changes nothing."""
    X = np.zeros((3, 20, 2))
    X[:, 2, 0] = 1
    reservoir = small(encoding="spikes").fit(X)
    before = dict(vars(reservoir))
    bad = np.full((3, 12, 2), 0.5)              # valid array, but not spike counts
    with pytest.raises(ValueError, match="non-negative integer"):
        reservoir.fit(bad)
    assert reservoir.n_features_in_ == 20
    assert vars(reservoir).keys() == before.keys()
    assert all(vars(reservoir)[k] is v for k, v in before.items())


def test_input_arrays_are_not_modified(fitted):
    X = data()
    copy = X.copy()
    fitted.transform(X)
    small().fit(X)
    np.testing.assert_array_equal(X, copy)


# ------------------------------------------------------------ persistence
def test_save_load_round_trip_is_bit_identical(tmp_path, fitted):
    X = data()
    path = tmp_path / "reservoir.npz"
    fitted.save(path)
    with np.load(path, allow_pickle=False) as archive:
        assert "network_weight" in archive.files
    loaded = Reservoir.load(path)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    assert loaded.get_params() == fitted.get_params()
    np.testing.assert_array_equal(loaded.network_.weights.toarray(),
                                  fitted.network_.weights.toarray())


def test_save_load_with_poisson_and_random_seed(tmp_path):
    X = data()
    reservoir = small(encoding="poisson", random_state=None, grid_shape=(6, 5, 4)).fit(X)
    reservoir.save(tmp_path / "r.npz")
    loaded = Reservoir.load(tmp_path / "r.npz")
    np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))
    assert loaded.grid_shape == (6, 5, 4)


def test_pickle_and_clone(fitted):
    X = data()
    restored = pickle.loads(pickle.dumps(fitted))
    np.testing.assert_array_equal(restored.transform(X), fitted.transform(X))
    twin = clone(fitted)
    assert not hasattr(twin, "network_")
    np.testing.assert_array_equal(twin.fit(X).transform(X), fitted.transform(X))


def test_simulator_spawn_shares_network_but_not_state(fitted):
    sim = Simulator(fitted.network_, dt=1.0)
    twin = sim.spawn()
    sim.v[:] = 0.7
    assert np.all(twin.v == fitted.network_.v_init)
    assert twin.network is sim.network


def test_transform_on_a_dask_cluster_gives_the_local_features():
    """Inside joblib's dask backend, transform ships blocks of samples to the
    cluster's workers (here a local cluster of two processes); the features are
    those of a local run."""
    distributed = pytest.importorskip("distributed")
    import joblib
    X = data(n=9)
    reservoir = small(n_jobs=1).fit(X)
    local = reservoir.transform(X)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None) as cluster:
        with distributed.Client(cluster) as client:
            with joblib.parallel_config("dask"):
                remote = reservoir.set_params(n_jobs=-1).transform(X)
            assert len(client.scheduler_info()["workers"]) == 2
    np.testing.assert_array_equal(remote, local)


def test_local_joblib_backends_keep_the_threads():
    import joblib
    from hrsnn.reservoir import _cluster_backend
    for backend in ("threading", "loky", "sequential"):
        with joblib.parallel_config(backend):
            assert _cluster_backend() is None


_REMOTE_BLOCKS = []        # module level: dask pickles the spy by reference
_real_features_remotely = hrsnn.reservoir._features_remotely


def _spy_features_remotely(reservoir, X):
    _REMOTE_BLOCKS.append(len(X))
    return _real_features_remotely(reservoir, X)


def test_dask_backend_runs_the_blocks_as_cluster_tasks(monkeypatch):
    distributed = pytest.importorskip("distributed")
    import joblib
    import hrsnn.reservoir as module
    monkeypatch.setattr(module, "_features_remotely", _spy_features_remotely)
    calls = _REMOTE_BLOCKS
    calls.clear()
    X = data(n=7)
    reservoir = small(n_jobs=2).fit(X)
    local = reservoir.transform(X)
    assert calls == []
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=2,
                            dashboard_address=None):
        with joblib.parallel_config("dask"):
            np.testing.assert_array_equal(reservoir.transform(X), local)
    assert sum(calls) == 7 and len(calls) > 1
