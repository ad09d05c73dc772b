"""WassersteinBO checkpoints and processes: exact resume after a cut at any line, torn and
damaged lines, another space or objective, batch lies, orphaned workers, n_refine=0, best_."""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import time
import uuid
import warnings
from pathlib import Path

import pytest

from hrsnn import Reservoir
from hrsnn.optimize import SearchSpace, SyntheticObjective, WassersteinBO
from hrsnn.optimize.space import DistributionParam, ScalarParam

CHEAP = dict(n_initial=3, n_candidates=32, n_refine=1)
N_ITER = 8
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def space():
    return SearchSpace([DistributionParam("tau_m_exc", (1.0, 20.0), (5.0, 60.0)),
                        ScalarParam("w_scale", (0.01, 0.5), log=True)])


@pytest.fixture(scope="module")
def objective(space):
    return SyntheticObjective(space, seed=3)


@pytest.fixture(autouse=True)
def one_blas_thread():
    """GP fits are tiny: BLAS threads only contend on a busy machine."""
    from threadpoolctl import threadpool_limits
    with threadpool_limits(1):
        yield


def outcome(bo):
    return [(r["index"], r["candidate"], r["value"]) for r in bo.history_]


def finished_run(space, objective, path, batch_size):
    bo = WassersteinBO(space, random_state=7, batch_size=batch_size, checkpoint=path, **CHEAP)
    return bo.optimize(objective, N_ITER)


def lines_of(path):
    return path.read_bytes().splitlines(keepends=True)


def resume_quietly(path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a clean cut gives no warning
        return WassersteinBO.resume(path)


# ------------------------------------------------------------ exact resume (item 4)
def test_a_batch_cut_between_its_asks_resumes_exactly(space, objective, tmp_path):
    """The issue's case: killed after the first ask of a batch of 2."""
    full = tmp_path / "full.jsonl"
    straight = finished_run(space, objective, full, batch_size=2)
    lines = lines_of(full)
    cut = next(k for k, line in enumerate(lines, 1)
               if b'"ask"' in line and json.loads(line)["index"] == 4)   # 4 of batch [4, 5]
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"".join(lines[:cut]))
    resumed = resume_quietly(path)
    assert sorted(resumed._asked) == [4]
    assert outcome(resumed.optimize(objective, N_ITER)) == outcome(straight)
    entries = [json.loads(line) for line in lines_of(path)]
    assert entries[cut - 1]["batch"] == [4, 2] and entries[cut]["index"] == 5   # 5 asked next


@pytest.mark.slow
@pytest.mark.parametrize("batch_size", [2, 3])
def test_a_cut_after_any_line_resumes_to_the_uninterrupted_run(space, objective, tmp_path,
                                                              batch_size):
    """Kill-and-resume at every line of the checkpoint, and with every line torn."""
    full = tmp_path / "full.jsonl"
    straight = outcome(finished_run(space, objective, full, batch_size))
    lines = lines_of(full)
    path = tmp_path / "cut.jsonl"
    for k in range(1, len(lines) + 1):
        path.write_bytes(b"".join(lines[:k]))
        assert outcome(resume_quietly(path).optimize(objective, N_ITER)) == straight, k
    for k in range(1, len(lines)):
        torn = lines[k][:len(lines[k]) // 2]
        path.write_bytes(b"".join(lines[:k]) + torn)
        with pytest.warns(UserWarning, match=f"Line {k + 1} of checkpoint .*cut.jsonl"):
            resumed = WassersteinBO.resume(path)
        assert outcome(resumed.optimize(objective, N_ITER)) == straight, k
        assert len(lines_of(path)) == len(lines)        # the torn bytes were cut out
    assert outcome(resume_quietly(path)) == straight


def test_each_pending_proposal_is_one_lie(space, objective, monkeypatch):
    """Proposals of a batch assume values for the earlier ones, each exactly once."""
    seen = []
    original = WassersteinBO._with_lies

    def spy(self, gp, points, values, lies):
        seen.append((len(points), [dict(lie) for lie in lies]))
        return original(self, gp, points, values, lies)

    monkeypatch.setattr(WassersteinBO, "_with_lies", spy)
    bo = WassersteinBO(space, random_state=0, batch_size=3, **{**CHEAP, "n_initial": 4})
    bo.optimize(objective, 9)
    c = {r["index"]: r["candidate"] for r in bo.history_}
    # batches [0, 1, 2], [3, 4, 5], [6, 7, 8]; 3 is the last initial point
    assert seen == [(3, [c[3]]), (3, [c[3], c[4]]), (6, [c[6]]), (6, [c[6], c[7]])]


# ---------------------------------------------------------------- torn lines (item 5)
def test_a_torn_last_line_is_dropped_cut_and_rerun(space, objective, tmp_path):
    full = tmp_path / "full.jsonl"
    straight = finished_run(space, objective, full, batch_size=1)
    lines = lines_of(full)
    path = tmp_path / "torn.jsonl"
    path.write_bytes(b"".join(lines[:-1]) + lines[-1][:-10])      # the last result, torn
    with pytest.warns(UserWarning, match=f"Line {len(lines)} of checkpoint .*torn.jsonl "
                                         "is incomplete"):
        resumed = WassersteinBO.resume(path)
    assert len(resumed.history_) == N_ITER - 1 and list(resumed._asked) == [N_ITER - 1]
    assert outcome(resumed.optimize(objective, N_ITER)) == outcome(straight)
    again = resume_quietly(path)                  # the torn bytes were cut from the file
    assert outcome(again) == outcome(straight) and len(lines_of(path)) == len(lines)


def test_a_last_line_without_its_newline_is_kept(space, objective, tmp_path):
    full = tmp_path / "full.jsonl"
    straight = finished_run(space, objective, full, batch_size=1)
    path = tmp_path / "cut.jsonl"
    path.write_bytes(b"".join(lines_of(full)[:-3]).rstrip(b"\n"))
    resumed = resume_quietly(path)
    assert outcome(resumed.optimize(objective, N_ITER)) == outcome(straight)
    assert outcome(resume_quietly(path)) == outcome(straight)


def test_repeated_result_lines_count_once(space, objective, tmp_path):
    path = tmp_path / "run.jsonl"
    straight = finished_run(space, objective, path, batch_size=1)
    lines = lines_of(path)
    result = next(line for line in lines if b'"result"' in line)
    path.write_bytes(b"".join(lines) + result)
    assert outcome(resume_quietly(path)) == outcome(straight)
    other = json.loads(result)
    other["value"] -= 1.0
    path.write_bytes(b"".join(lines) + json.dumps(other).encode() + b"\n")
    with pytest.warns(UserWarning, match=f"Line {len(lines) + 1} .* repeats the result of "
                                         "evaluation 0 with another value"):
        assert outcome(WassersteinBO.resume(path)) == outcome(straight)


def damage(lines, number, change):
    """``lines`` with line ``number`` (1-based) replaced by ``change(entry)`` (or raw bytes)."""
    out = list(lines)
    entry = json.loads(out[number - 1])
    new = change(entry)
    out[number - 1] = new if isinstance(new, bytes) else json.dumps(new).encode() + b"\n"
    return b"".join(out)


@pytest.mark.parametrize("number, change, match", [
    (4, lambda e: b'{"type": "ask", "ind\n', "Line 4 of .* not valid JSON"),
    (4, lambda e: b"[1, 2]\n", "Line 4 of .* holds a list"),
    (4, lambda e: {**e, "type": "guess"}, "Line 4 of .* unknown entry type 'guess'"),
    (3, lambda e: {k: v for k, v in e.items() if k != "index"}, "Line 3 of .*'index'"),
    (3, lambda e: {**e, "index": -1}, "Line 3 of .*'index' must be an integer >= 0"),
    (3, lambda e: {**e, "batch": [5, 1]}, "Line 3 of .*'batch'"),
    (4, lambda e: {**e, "status": "fine"}, "Line 4 of .*'status'"),
    (4, lambda e: {**e, "value": None}, "Line 4 of .*'status'"),
    (4, lambda e: {**e, "seconds": "slow"}, "Line 4 of .*'seconds'"),
    (4, lambda e: {**e, "candidate": {"w_scale": 0.1}}, "Line 4 of .*candidate .*missing"),
    (4, lambda e: {**e, "candidate": {**e["candidate"], "w_scale": 9.0}},
     "Line 4 of .*candidate .*w_scale"),
    (2, lambda e: {**e, "id": 3}, "Line 2 of .*objective entry needs a string 'id'"),
    (1, lambda e: {**e, "settings": {**e["settings"], "n_refine": -1}},
     "Line 1 of .*config.*n_refine"),
    (1, lambda e: {**e, "settings": {**e["settings"], "bogus": 1}}, "Line 1 of .*config"),
    (1, lambda e: {**e, "space": {"params": [{"kind": "?"}]}}, "Line 1 of .*config"),
])
def test_a_damaged_line_is_a_clear_error(space, objective, tmp_path, number, change, match):
    path = tmp_path / "run.jsonl"
    finished_run(space, objective, path, batch_size=1)
    lines = lines_of(path)
    assert [json.loads(line)["type"] for line in lines[:4]] == ["config", "objective", "ask",
                                                                 "result"]
    path.write_bytes(damage(lines, number, change))
    with pytest.raises(ValueError, match=match):
        WassersteinBO.resume(path)


def test_a_checkpoint_is_a_file(tmp_path):
    with pytest.raises(ValueError, match="is not a file"):
        WassersteinBO.resume(tmp_path)


# ---------------------------------------------------- another space or objective (item 5)
def test_a_checkpoint_of_another_space_is_an_error(space, objective, tmp_path):
    path = tmp_path / "run.jsonl"
    finished_run(space, objective, path, batch_size=1)
    assert outcome(WassersteinBO.resume(path, space=space))
    other = SearchSpace([ScalarParam("w_scale", (0.01, 0.5), log=True)])
    with pytest.raises(ValueError, match="written for another search space"):
        WassersteinBO.resume(path, space=other)


def test_a_checkpoint_of_another_objective_is_an_error(space, objective, tmp_path):
    path = tmp_path / "run.jsonl"
    finished_run(space, objective, path, batch_size=1)
    bo = WassersteinBO.resume(path)
    assert bo.objective_id_ == repr(objective)
    other = SyntheticObjective(space, seed=4)
    with pytest.raises(ValueError, match=r"optimises the objective .*objective_id="):
        bo.optimize(other, N_ITER + 1)
    with pytest.raises(ValueError, match="optimises the objective"):
        bo.optimize(lambda params: 0.0, N_ITER + 1)
    # the same objective under a new name continues, as asked
    bo.optimize(other, N_ITER + 1, objective_id=repr(objective))
    assert len(WassersteinBO.resume(path).history_) == N_ITER + 1


def test_objective_identity_holds_no_memory_address():
    """Default reprs (``<... at 0x...>``) differ in every process: names are used instead."""
    from hrsnn.optimize.bo import _objective_identity

    def plain(params):
        return 0.0

    class NoRepr:
        def __call__(self, params):
            return 0.0

    class LongRepr(NoRepr):
        def __repr__(self):
            return "LongRepr(" + "x" * 500 + ")"

    assert _objective_identity(plain) == (f"{__name__}.test_objective_identity_holds_no_"
                                          "memory_address.<locals>.plain")
    assert _objective_identity(NoRepr()).endswith("<locals>.NoRepr")
    long = _objective_identity(LongRepr())
    assert re.fullmatch(r".*<locals>\.LongRepr\(sha256=[0-9a-f]{16}\)", long)
    assert long == _objective_identity(LongRepr())


# ----------------------------------------------------------------------- n_refine=0 (7)
def test_n_refine_zero_proposes_the_best_random_candidate(space, objective, monkeypatch):
    def no_refinement(*args, **kwargs):
        raise AssertionError("n_refine=0 refines nothing")

    monkeypatch.setattr(WassersteinBO, "_refine", no_refinement)
    bo = WassersteinBO(space, random_state=0, **{**CHEAP, "n_refine": 0})
    bo.optimize(objective, 6)
    assert len(bo.history_) == 6 and all(space.contains(r["candidate"]) for r in bo.history_)


# --------------------------------------------------------------------- best_ params (16)
def test_best_gives_reservoir_parameters(space, objective, tmp_path):
    path = tmp_path / "run.jsonl"
    bo = finished_run(space, objective, path, batch_size=2)
    params = bo.best_["params"]
    assert params == space.to_reservoir_params(bo.best_["candidate"])
    reservoir = Reservoir(**params)
    assert {k: reservoir.get_params()[k] for k in params} == params
    assert all(r["params"] == space.to_reservoir_params(r["candidate"]) for r in bo.history_)
    assert WassersteinBO.resume(path).best_["params"] == params
    result = next(json.loads(line) for line in lines_of(path) if b'"result"' in line)
    assert "params" not in result                               # derived, not stored


# ------------------------------------------------------------------ orphaned workers (6)
SCRIPT = textwrap.dedent("""
    import sys, time
    from hrsnn.optimize import SearchSpace, SyntheticObjective, WassersteinBO
    from hrsnn.optimize.space import ScalarParam

    space = SearchSpace([ScalarParam("w_scale", (0.01, 0.5), log=True)])
    target = SyntheticObjective(space, seed=0)

    def slow(params):
        time.sleep(0.5)
        return target(params)

    WassersteinBO(space, n_initial=2, n_candidates=16, n_refine=1, batch_size=2, n_jobs=2,
                  checkpoint=sys.argv[1]).optimize(slow, 10_000)
""")


def marked_processes(marker):
    """Live (not zombie) processes whose environment holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            if state != "Z" and marker.encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except (OSError, IndexError):
            continue                    # gone meanwhile, or not ours to read
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs Linux /proc")
def test_killed_run_leaves_no_worker_processes(tmp_path):
    marker = f"hrsnn-orphan-test-{uuid.uuid4().hex}"
    checkpoint = tmp_path / "run.jsonl"
    env = {**os.environ, "PYTHONPATH": str(REPO), "HRSNN_TEST_MARKER": marker}
    run = subprocess.Popen([sys.executable, "-c", SCRIPT, str(checkpoint)], env=env)
    try:
        deadline = time.monotonic() + 180
        while not (checkpoint.exists() and checkpoint.read_text().count('"result"') >= 3
                   and len(marked_processes(marker)) >= 3):   # the run and 2 workers
            assert run.poll() is None, "the optimisation ended before it was killed"
            assert time.monotonic() < deadline, "no parallel evaluation started"
            time.sleep(0.2)
        os.kill(run.pid, signal.SIGKILL)
        run.wait()
        deadline = time.monotonic() + 30
        while marked_processes(marker) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marked_processes(marker) == []
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
        for pid in marked_processes(marker):        # only processes this test started
            os.kill(pid, signal.SIGKILL)
