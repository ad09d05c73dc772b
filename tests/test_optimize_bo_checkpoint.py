"""WassersteinBO checkpoints and processes: exact resume after a cut at any line, torn and
damaged lines, another space or objective, batch lies, orphaned workers, n_refine=0, best_."""

import pytest

from hrsnn.optimize import SearchSpace, SyntheticObjective, WassersteinBO
from hrsnn.optimize.space import DistributionParam, ScalarParam

CHEAP = dict(n_initial=3, n_candidates=32, n_refine=1)


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
