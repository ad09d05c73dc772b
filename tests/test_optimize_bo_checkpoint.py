"""WassersteinBO checkpoints and processes: exact resume after a cut at any line, torn and
damaged lines, another space or objective, batch lies, orphaned workers, n_refine=0, best_."""

import os
import signal
import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import pytest

from hrsnn.optimize import SearchSpace, SyntheticObjective, WassersteinBO
from hrsnn.optimize.space import DistributionParam, ScalarParam

CHEAP = dict(n_initial=3, n_candidates=32, n_refine=1)
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


# ----------------------------------------------------------------------- n_refine=0 (7)
def test_n_refine_zero_proposes_the_best_random_candidate(space, objective, monkeypatch):
    def no_refinement(*args, **kwargs):
        raise AssertionError("n_refine=0 refines nothing")

    monkeypatch.setattr(WassersteinBO, "_refine", no_refinement)
    bo = WassersteinBO(space, random_state=0, **{**CHEAP, "n_refine": 0})
    bo.optimize(objective, 6)
    assert len(bo.history_) == 6 and all(space.contains(r["candidate"]) for r in bo.history_)


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
