"""Model files and other written files: damaged files, atomic saves, format versions.

Issue 12, items 1-3: ``Reservoir.load`` checks everything it reads and a damaged
file gives one ValueError naming the file and the entry; saving never destroys
the previous file; model files and BO checkpoints carry a format version.
"""

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest

from hrsnn import Reservoir, Simulator, build_network

X = np.random.default_rng(0).uniform(size=(3, 15, 2))


@pytest.fixture(scope="module")
def fitted():
    return Reservoir(n_neurons=60, random_state=0).fit(X)


@pytest.fixture(scope="module")
def arrays(fitted, tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "good.npz"
    fitted.save(path)
    with np.load(path, allow_pickle=False) as data:
        return dict(data)


def tampered(arrays, tmp_path, change, name="damaged.npz"):
    """The arrays of a good file with ``change`` applied, written with plain numpy."""
    data = {key: np.array(value) for key, value in arrays.items()}
    change(data)
    path = tmp_path / name
    np.savez(path, **data)
    return path


# ------------------------------------------------------------- damaged entries
def _set(key, index, value, dtype=None):
    def change(data):
        array = data[key].astype(dtype or data[key].dtype)
        array[index] = value
        data[key] = array
    return change


def _shorter(key):
    def change(data):
        data[key] = data[key][:-1]
    return change


def _json(key, edit):
    def change(data):
        value = json.loads(str(data[key]))
        edit(value)
        data[key] = np.array(json.dumps(value))
    return change


def _unsorted(data):
    data["network_pre"] = data["network_pre"][::-1].copy()
    data["network_post"] = data["network_post"][::-1].copy()


def _param_network_with_other_synapses(data):
    """A valid given network that is not the one STDP started from: a synapse less."""
    synapse_arrays = ("pre", "post", "weight", "plastic", "tau_plus", "tau_minus",
                      "eta_plus", "eta_minus", "synapse_id")
    for key in list(data):
        if key.startswith("network_"):
            name = key.removeprefix("network_")
            data["param_" + key] = data[key][:-1] if name in synapse_arrays else data[key]
    assert not json.loads(str(data["fitted_json"]))["network_is_given"]


DAMAGED = {
    # huge and out-of-range indices: the kernel would read or write out of bounds
    "huge post": (_set("network_post", 0, 10 ** 6, np.int64), "network_post"),
    "huge in_post": (_set("network_in_post", 0, 10 ** 9, np.int64), "network_in_post"),
    "negative pre": (_set("network_pre", 0, -1), "network_pre"),
    "post beyond int32": (_set("network_post", 0, 2 ** 40, np.int64), "network_post"),
    "out-of-range channel": (_set("network_in_channel", -1, 7), "network_in_channel"),
    "n_inputs below the channels": (_json("network_scalars_json",
                                          lambda s: s.update(n_inputs=1)),
                                    "network_scalars_json"),
    # shapes
    "shorter tau_m": (_shorter("network_tau_m"), "network_tau_m"),
    "shorter weight": (_shorter("network_weight"), "network_weight"),
    "shorter in_post": (_shorter("network_in_post"), "network_in_post"),
    "shorter input_min_": (_shorter("input_min_"), "input_min_"),
    "2-D v_th": (lambda d: d.update(network_v_th=d["network_v_th"][:, None]), "network_v_th"),
    # order
    "unsorted pre": (_unsorted, "network_pre"),
    # values
    "NaN tau_m": (_set("network_tau_m", 3, np.nan), "network_tau_m"),
    "negative tau_m": (_set("network_tau_m", 3, -5.0), "network_tau_m"),
    "NaN weight": (_set("network_weight", 0, np.nan), "network_weight"),
    "inf in_weight": (_set("network_in_weight", 0, np.inf), "network_in_weight"),
    "weight against Dale": (lambda d: d.update(network_weight=-np.abs(d["network_weight"])),
                            "network_weight"),
    "NaN input_min_": (_set("input_min_", 0, np.nan), "input_min_"),
    "float is_exc": (lambda d: d.update(network_is_exc=np.full(60, 0.5)), "network_is_exc"),
    "string weight": (lambda d: d.update(network_weight=d["network_weight"].astype(str)),
                      "network_weight"),
    "duplicate neuron ids": (_set("network_neuron_id", 1, 0), "network_neuron_id"),
    "bogus stdp_rule": (_json("network_scalars_json", lambda s: s.update(stdp_rule="x")),
                        "network_scalars_json"),
    "string v_reset": (_json("network_scalars_json", lambda s: s.update(v_reset="0")),
                       "network_scalars_json"),
    "bad stdp_distributions": (_json("network_scalars_json",
                                     lambda s: s["stdp_distributions"].update(tau_bounds=[5, 1])),
                               "network_scalars_json"),
    "unknown network scalar": (_json("network_scalars_json", lambda s: s.update(extra=1)),
                               "network_scalars_json"),
    "missing network scalar": (_json("network_scalars_json", lambda s: s.pop("w_max")),
                               "network_scalars_json"),
    # parameters
    "bogus encoding": (_json("params_json", lambda p: p.update(encoding="bogus")),
                       "params_json"),
    "bogus features": (_json("params_json", lambda p: p.update(features="bogus")),
                       "params_json"),
    "negative dt": (_json("params_json", lambda p: p.update(dt=-1.0)), "params_json"),
    "missing dt": (_json("params_json", lambda p: p.pop("dt")), "params_json"),
    "missing trace_taus": (_json("params_json", lambda p: p.pop("trace_taus")), "params_json"),
    "unknown parameter": (_json("params_json", lambda p: p.update(bogus=1)), "params_json"),
    "n_neurons mismatch": (_json("params_json", lambda p: p.update(n_neurons=100)),
                           "params_json"),
    "string random_state": (_json("params_json", lambda p: p.update(random_state="a")),
                            "params_json"),
    "params not JSON": (lambda d: d.update(params_json=np.array("{oops")), "params_json"),
    "params a list": (lambda d: d.update(params_json=np.array("[1, 2]")), "params_json"),
    "params a number array": (lambda d: d.update(params_json=np.arange(3)), "params_json"),
    # fitted state
    "seed mismatch": (_json("fitted_json", lambda f: f.update(seed_=f["seed_"] + 1)),
                      "fitted_json"),
    "n_inputs_ mismatch": (_json("fitted_json", lambda f: f.update(n_inputs_=3)),
                           "fitted_json"),
    "negative n_features_in_": (_json("fitted_json", lambda f: f.update(n_features_in_=-2)),
                                "fitted_json"),
    "missing fitted key": (_json("fitted_json", lambda f: f.pop("network_is_given")),
                           "fitted_json"),
    "min above max": (lambda d: d.update(input_min_=d["input_max_"] + 1.0), "input_min_"),
    # entries
    "missing entry": (lambda d: d.pop("network_tau_m"), "network_tau_m"),
    "missing params_json": (lambda d: d.pop("params_json"), "params_json"),
    "unknown entry": (lambda d: d.update(extra=np.zeros(3)), "extra"),
    "given network with other synapses": (_param_network_with_other_synapses,
                                          "param_network_pre"),
    # versions
    "bad format_version": (lambda d: d.update(format_version=np.array("1")),
                           "format_version"),
    "negative format_version": (lambda d: d.update(format_version=np.array(-1)),
                                "format_version"),
}


@pytest.mark.parametrize("case", DAMAGED)
def test_a_damaged_entry_is_one_clear_error(case, arrays, tmp_path):
    change, entry = DAMAGED[case]
    path = tampered(arrays, tmp_path, change)
    with pytest.raises(ValueError) as caught:
        Reservoir.load(path)
    message = str(caught.value)
    assert f"The file '{path}'" in message and "damaged" in message
    assert f"'{entry}'" in message, message


def test_the_message_says_what_was_expected(arrays, tmp_path):
    path = tampered(arrays, tmp_path, _set("network_post", 0, 10 ** 6, np.int64))
    with pytest.raises(ValueError, match=r"entry 'network_post' .*indices in \[0, 60\) \(the "
                       r"network has 60 neurons\); got values in \[0, 1000000\]"):
        Reservoir.load(path)
    path = tampered(arrays, tmp_path, _json("params_json",
                                            lambda p: p.update(encoding="bogus")))
    with pytest.raises(ValueError, match="'encoding' parameter.*'bogus'"):
        Reservoir.load(path)
    path = tampered(arrays, tmp_path, _json("params_json", lambda p: p.update(n_neurons=100)))
    with pytest.raises(ValueError, match="n_neurons=100 but the network has 60 neurons"):
        Reservoir.load(path)


def test_a_newer_format_is_refused(arrays, tmp_path):
    path = tampered(arrays, tmp_path, lambda d: d.update(format_version=np.array(99)))
    with pytest.raises(ValueError, match=r"format version 99 .*, newer than this version of "
                       r"hrsnn reads \(0 to 1\). Upgrade hrsnn") as caught:
        Reservoir.load(path)
    assert str(path) in str(caught.value) and "'format_version'" in str(caught.value)


def test_the_file_carries_its_format_version(arrays):
    assert arrays["format_version"].dtype.kind == "i"
    assert int(arrays["format_version"]) == 1


def test_a_file_without_version_loads_as_format_0_through_the_checks(fitted, arrays,
                                                                    tmp_path):
    # what today's main writes: the same entries without format_version
    old = tampered(arrays, tmp_path, lambda d: d.pop("format_version"), "old.npz")
    np.testing.assert_array_equal(Reservoir.load(old).transform(X), fitted.transform(X))
    # format 0 may lack the parameters added while it was current, not the others
    no_taus = tampered(arrays, tmp_path, lambda d: (d.pop("format_version"), _json(
        "params_json", lambda p: p.pop("trace_taus"))(d)), "no_taus.npz")
    assert Reservoir.load(no_taus).trace_taus == (5.0, 20.0, 100.0)
    no_dt = tampered(arrays, tmp_path, lambda d: (d.pop("format_version"), _json(
        "params_json", lambda p: p.pop("dt"))(d)), "no_dt.npz")
    with pytest.raises(ValueError, match=r"'params_json'.*missing: \['dt'\]"):
        Reservoir.load(no_dt)
    damaged = tampered(arrays, tmp_path, lambda d: (d.pop("format_version"), _set(
        "network_post", 0, 10 ** 6, np.int64)(d)), "old_damaged.npz")
    with pytest.raises(ValueError, match="entry 'network_post'"):
        Reservoir.load(damaged)


def test_a_file_written_before_format_versions_loads():
    # written by hrsnn at 9821a63 (before format_version): Reservoir(n_neurons=30,
    # random_state=0, features="mean").fit(X).save(...), and its transform(X)
    data = Path(__file__).parent / "data"
    loaded = Reservoir.load(data / "model_format0.npz")
    np.testing.assert_array_equal(loaded.transform(X),
                                  np.load(data / "model_format0_features.npy"))
    assert loaded.n_neurons == 30 and loaded.features == "mean"


# ------------------------------------------------------------ damaged archives
def _truncations(data):
    return [data[:cut] for cut in (0, 10, len(data) // 3, len(data) // 2, len(data) - 30)]


def test_bytes_that_are_no_archive_are_one_clear_error(fitted, tmp_path):
    good = tmp_path / "good.npz"
    fitted.save(good)
    data = good.read_bytes()
    npy = io.BytesIO()
    np.save(npy, np.arange(5))
    flipped = bytearray(data)
    offset = data.index(b"NUMPY") + 200      # inside the data of the first member
    flipped[offset] ^= 0xFF
    contents = [b"", b"not a model file at all\n" * 20, npy.getvalue(), bytes(flipped),
                *_truncations(data)]
    for i, content in enumerate(contents):
        path = tmp_path / f"bad{i}.npz"
        path.write_bytes(content)
        with pytest.raises(ValueError, match=f"The file '{path}' is not a readable model "
                           "file written by Reservoir.save"):
            Reservoir.load(path)


def test_object_arrays_and_oversized_headers_are_refused(arrays, tmp_path):
    path = tampered(arrays, tmp_path, lambda d: d.update(
        params_json=np.array([{"a": 1}], dtype=object)))
    with pytest.raises(ValueError, match="params_json.npy' holds Python objects"):
        Reservoir.load(path)
    path = tmp_path / "header.npz"                 # a consistent zip whose member lies
    with zipfile.ZipFile(path, "w") as archive:
        for key, value in arrays.items():
            member = io.BytesIO()
            np.lib.format.write_array(member, value)
            data = member.getvalue()
            if key == "network_tau_m":
                assert b"'shape': (60,)" in data
                data = data.replace(b"'shape': (60,)", b"'shape': (99,)")
            archive.writestr(key + ".npy", data)
    with pytest.raises(ValueError, match=f"'{path}'.*declares shape"):
        Reservoir.load(path)


def test_missing_files_and_folders(tmp_path):
    with pytest.raises(FileNotFoundError, match="missing.npz"):
        Reservoir.load(tmp_path / "missing.npz")
    with pytest.raises(ValueError, match="is a folder"):
        Reservoir.load(tmp_path)


# --------------------------------------------------------- the in-memory path
def test_only_a_checked_network_reaches_the_kernel(fitted):
    class Fake:
        n_neurons, n_inputs = 60, 2

    with pytest.raises(TypeError, match="Simulator needs an hrsnn.Network"):
        Simulator(Fake())
    twin = Reservoir(n_neurons=60, random_state=0).fit(X)
    twin.network_ = Fake()
    with pytest.raises(TypeError, match="Simulator needs an hrsnn.Network"):
        twin.transform(X)


# --------------------------------------------------------------- round trips
def test_round_trip_is_bit_identical(fitted, tmp_path):
    path = fitted.save(tmp_path / "r.npz")
    assert path == tmp_path / "r.npz"
    loaded = Reservoir.load(path)
    np.testing.assert_array_equal(loaded.transform(X), fitted.transform(X))
    assert loaded.get_params() == fitted.get_params()
    buffer = io.BytesIO()
    fitted.save(buffer)
    buffer.seek(0)
    np.testing.assert_array_equal(Reservoir.load(buffer).transform(X), fitted.transform(X))


def test_round_trip_with_a_given_network(tmp_path):
    net = build_network(50, 2, 1)
    for stdp in (True, False):
        reservoir = Reservoir(network=net, stdp=stdp, encoding="poisson",
                              random_state=2).fit(X)
        reservoir.save(tmp_path / f"given{stdp}.npz")
        loaded = Reservoir.load(tmp_path / f"given{stdp}.npz")
        np.testing.assert_array_equal(loaded.transform(X), reservoir.transform(X))
        assert (loaded.network is loaded.network_) is not stdp
        np.testing.assert_array_equal(loaded.network.weight, net.weight)


def test_save_and_load_agree_on_the_name(fitted, tmp_path):
    written = fitted.save(tmp_path / "model")
    assert written == tmp_path / "model.npz" and written.exists()
    assert not (tmp_path / "model").exists()
    for path in (tmp_path / "model", tmp_path / "model.npz", str(tmp_path / "model")):
        np.testing.assert_array_equal(Reservoir.load(path).transform(X), fitted.transform(X))


def test_a_folder_is_no_target(fitted, tmp_path):
    with pytest.raises(ValueError, match="is a folder"):
        fitted.save(tmp_path)
    (tmp_path / "m.npz").mkdir()
    with pytest.raises(ValueError, match="is a folder"):
        fitted.save(tmp_path / "m.npz")
    with pytest.raises(ValueError, match="is a folder"):
        fitted.save(tmp_path / "m")                     # m -> m.npz, a folder too
    assert not Path(f"{tmp_path}.npz").exists()         # no silent rename of the target
    assert os.listdir(tmp_path) == ["m.npz"]
    with pytest.raises(FileNotFoundError, match="does not exist"):
        fitted.save(tmp_path / "no" / "such" / "folder.npz")


# ------------------------------------------------------------------ atomic save
class DiskFull(OSError):
    pass


def fail_midway(monkeypatch, failure, after=5):
    """numpy's array writer writes ``after`` arrays, then half of one, then raises."""
    write_array, calls = np.lib.format.write_array, []

    def half_then_fail(fp, array, *args, **kwargs):
        calls.append(1)
        if len(calls) > after:
            fp.write(b"\x93NUMPY half an array")
            raise failure
        return write_array(fp, array, *args, **kwargs)

    monkeypatch.setattr(np.lib.format, "write_array", half_then_fail)


@pytest.mark.parametrize("failure", [DiskFull("disk full"), KeyboardInterrupt()])
def test_a_failed_save_keeps_the_previous_file(fitted, tmp_path, monkeypatch, failure):
    path = tmp_path / "model.npz"
    fitted.save(path)
    before = path.read_bytes()
    other = Reservoir(n_neurons=40, random_state=5).fit(X)
    fail_midway(monkeypatch, failure)
    with pytest.raises(type(failure)):
        other.save(path)
    monkeypatch.undo()
    assert path.read_bytes() == before
    assert sorted(os.listdir(tmp_path)) == ["model.npz"]          # no temporary file left
    np.testing.assert_array_equal(Reservoir.load(path).transform(X), fitted.transform(X))


def test_a_failed_first_save_leaves_nothing(fitted, tmp_path, monkeypatch):
    fail_midway(monkeypatch, DiskFull("disk full"))
    with pytest.raises(DiskFull):
        fitted.save(tmp_path / "new.npz")
    assert os.listdir(tmp_path) == []                  # no half-written model file


def test_a_save_keeps_the_permissions(fitted, tmp_path):
    from hrsnn import _io

    path = fitted.save(tmp_path / "model.npz")
    assert path.stat().st_mode & 0o777 == 0o666 & ~_io._UMASK
    os.chmod(path, 0o640)
    fitted.save(path)
    assert path.stat().st_mode & 0o777 == 0o640


_SAVER = textwrap.dedent("""
    import sys
    from hrsnn import Reservoir
    reservoir = Reservoir.load(sys.argv[1])
    print("ready", flush=True)
    while True:
        reservoir.save(sys.argv[1])
""")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
def test_killing_save_at_random_points_never_loses_the_file(tmp_path):
    reservoir = Reservoir(n_neurons=1000, random_state=3).fit(X)   # a save of ~3 ms
    path = tmp_path / "model.npz"
    reservoir.save(path)
    expected = reservoir.transform(X)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    rng = np.random.default_rng(0)
    for _ in range(3):
        process = subprocess.Popen([sys.executable, "-c", _SAVER, str(path)], env=env,
                                   stdout=subprocess.PIPE, text=True)
        try:
            assert process.stdout.readline().strip() == "ready"
            time.sleep(rng.uniform(0.05, 0.3))          # the process is saving by then
        finally:
            process.kill()
            process.wait()
            process.stdout.close()
        np.testing.assert_array_equal(Reservoir.load(path).transform(X), expected)
        for leftover in set(os.listdir(tmp_path)) - {"model.npz"}:   # a killed save's temp
            assert leftover.startswith(".model.npz.") and leftover.endswith(".tmp")


# ----------------------------------------------------------- the other writers
def test_atomic_helpers_keep_the_previous_file(tmp_path):
    from hrsnn import _io

    path = tmp_path / "report.json"
    _io.atomic_write_json(path, {"a": 1})
    with pytest.raises(TypeError):
        _io.atomic_write_json(path, {"a": object()})
    assert json.loads(path.read_text()) == {"a": 1}
    with pytest.raises(RuntimeError):
        with _io.atomic_open(path, "w") as handle:
            handle.write('{"a": ')
            raise RuntimeError("killed mid-write")
    assert json.loads(path.read_text()) == {"a": 1} and os.listdir(tmp_path) == ["report.json"]
    with pytest.raises(ValueError, match="mode"):
        with _io.atomic_open(path, "a"):
            pass
    with pytest.raises(ValueError, match="is a folder"):
        _io.atomic_write_text(tmp_path, "x")


def test_study_records_are_written_atomically(tmp_path, monkeypatch):
    from hrsnn import studies
    from hrsnn.studies import io as study_io

    records = [{"seed": 0, "rank": 3.0, "spikes": [1, 2]}, {"seed": 1, "rank": 4.0,
                                                             "spikes": [3]}]
    json_path, csv_path = studies.save_records(records, tmp_path / "study")
    before = json_path.read_bytes(), csv_path.read_bytes()

    class Broken:
        def __init__(self, *args, **kwargs):
            raise DiskFull("disk full")

    monkeypatch.setattr(study_io.csv, "DictWriter", Broken)
    with pytest.raises(DiskFull):
        studies.save_records(records + records, tmp_path / "study")
    assert csv_path.read_bytes() == before[1]
    assert sorted(os.listdir(tmp_path)) == ["study.csv", "study.json"]


def test_figures_are_written_atomically(tmp_path):
    import matplotlib

    from hrsnn import _io

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure = plt.figure()
    path = tmp_path / "figure.png"
    _io.save_figure(figure, path, dpi=20)
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    _io.save_figure(figure, tmp_path / "figure.pdf")
    assert (tmp_path / "figure.pdf").read_bytes()[:4] == b"%PDF"
    plt.close(figure)


# ----------------------------------------------------------------- checkpoints
@pytest.fixture
def checkpoint(tmp_path):
    from hrsnn.optimize import SearchSpace, WassersteinBO
    from hrsnn.optimize.space import ScalarParam

    space = SearchSpace([ScalarParam("w_scale", (0.01, 0.5), log=True)])
    path = tmp_path / "bo.jsonl"
    bo = WassersteinBO(space, checkpoint=path, n_initial=2, n_candidates=16, n_refine=1)
    bo.tell(bo.ask(), [1.0])
    return path


def _with_config(path, edit):
    lines = path.read_text().splitlines()
    config = json.loads(lines[0])
    edit(config)
    path.write_text("\n".join([json.dumps(config), *lines[1:]]) + "\n")


@pytest.mark.parametrize("edit, match", [
    (lambda c: c.update(version=2), "format version 2, newer than this version of hrsnn"),
    (lambda c: c.pop("version"), "no valid format version"),
    (lambda c: c.update(version="1"), "no valid format version"),
], ids=["newer", "missing", "a string"])
def test_a_checkpoint_of_another_version_is_refused(checkpoint, edit, match):
    from hrsnn.optimize import WassersteinBO

    assert json.loads(checkpoint.read_text().splitlines()[0])["version"] == 1
    assert len(WassersteinBO.resume(checkpoint).history_) == 1
    _with_config(checkpoint, edit)
    with pytest.raises(ValueError, match=match) as caught:
        WassersteinBO.resume(checkpoint)
    assert str(checkpoint) in str(caught.value)
