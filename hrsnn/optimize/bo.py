"""``WassersteinBO``: Bayesian optimisation over parameter distributions.

A Gaussian process with a Matérn kernel on Wasserstein distances between
candidates (:mod:`hrsnn.optimize.gp`, :mod:`hrsnn.optimize.distance`)
proposes the next candidates by Expected Improvement (or UCB), maximised
over random candidates plus local refinement of the most promising ones.

Reproducibility and resumption
------------------------------
Proposal number ``k`` depends only on ``random_state``, ``k`` and the
evaluations already told (in proposal order), never on a running random
state or on the order in which parallel evaluations finished. Every ask
and every finished evaluation is appended to the checkpoint (JSON lines)
at once, so :meth:`WassersteinBO.resume` rebuilds the exact state of a
killed run: evaluations asked but not finished are run first, and the run
goes on with the same proposals a never-killed run would have made.
"""

import json
import math
import os
import time
import traceback
from pathlib import Path

import numpy as np
from scipy.stats import norm

from .distance import group_distances
from .gp import WassersteinGP
from .space import SearchSpace, candidate_from_json, candidate_to_json

ACQUISITIONS = ("ei", "ucb")
BATCH_STRATEGIES = ("constant_liar", "kriging_believer")
#: Format of the checkpoint (the "version" of its config line); resume reads only this one.
_FORMAT_VERSION = 1


class WassersteinBO:
    """Bayesian optimisation of reservoir parameter distributions (maximisation).

    Parameters
    ----------
    space : SearchSpace
        What is searched; a candidate maps onto ``Reservoir`` parameters with
        ``space.to_reservoir_params``.
    n_initial : int, default=8
        Space-filling initial evaluations (Sobol); the first is the paper's
        "biologically inspired" candidate, ``space.initial_candidate()``.
    acquisition : {"ei", "ucb"}, default="ei"
    xi : float, default=0.01
        Expected Improvement margin, in units of the observed values' std.
    kappa : float, default=2.0
        UCB exploration weight.
    n_candidates : int, default=512
        Random candidates scored per proposal before local refinement.
    n_refine : int, default=3
        Best random candidates refined by shrinking Gaussian steps in the
        unit cube of the space.
    nu : float, default=2.5
        Matérn smoothness.
    batch_size : int, default=1
        Proposals made at once (later ones of a batch assume values for the
        earlier ones, see ``batch_strategy``) and evaluated together.
    n_jobs : int, default=1
        Workers evaluating a batch (joblib; a ``dask.distributed`` client
        works through ``joblib.parallel_backend("dask")``). Results do not
        depend on it: proposals depend on ``batch_size``, not on ``n_jobs``,
        so set ``batch_size=n_jobs`` to keep every worker busy.
    batch_strategy : {"constant_liar", "kriging_believer"}, default="constant_liar"
        Value assumed for proposals still running when the next one of a
        batch is chosen: the worst value observed, or the GP mean.
    checkpoint : str or Path, optional
        JSON-lines file every ask and every finished evaluation is appended
        to (it must not exist; continue one with :meth:`resume`). Its first
        line, the config, carries the file's format ``"version"`` (1);
        :meth:`resume` refuses a checkpoint of another version.
    random_state : int, default=0
    progress : bool, default=False
        Show a progress bar with the best value so far.

    Attributes
    ----------
    history_ : list of dict
        One record per finished evaluation, in proposal order: ``index``,
        ``candidate``, ``value`` (None if failed), ``status`` (``"ok"`` or
        ``"failed"``), ``error``, ``seconds``.
    best_ : dict or None
        The record with the largest value.
    gp_ : WassersteinGP or None
        The surrogate of the last proposal.
    """

    def __init__(self, space, *, n_initial=8, acquisition="ei", xi=0.01, kappa=2.0,
                 n_candidates=512, n_refine=3, nu=2.5, batch_size=1, n_jobs=1,
                 batch_strategy="constant_liar", checkpoint=None, random_state=0,
                 progress=False):
        if not isinstance(space, SearchSpace):
            raise TypeError(f"'space' must be a SearchSpace; got {type(space).__name__}.")
        _check_settings(n_initial, acquisition, xi, kappa, n_candidates, n_refine, nu,
                        batch_size, n_jobs, batch_strategy, random_state)
        self.space, self.n_initial, self.acquisition = space, n_initial, acquisition
        self.xi, self.kappa, self.n_candidates, self.n_refine = xi, kappa, n_candidates, n_refine
        self.nu, self.batch_size, self.n_jobs = nu, batch_size, n_jobs
        self.batch_strategy = batch_strategy
        self.random_state, self.progress = int(random_state), progress
        self.checkpoint = None if checkpoint is None else Path(checkpoint)
        self.history_, self.best_, self.gp_ = [], None, None
        self._asked = {}          # index -> candidate, not yet told
        self._n_proposed = 0
        self._initial = None
        if self.checkpoint is not None:
            if self.checkpoint.exists():
                raise FileExistsError(
                    f"Checkpoint {self.checkpoint} exists. Continue it with "
                    "WassersteinBO.resume(path), or pass a new path.")
            self._append({"type": "config", "version": _FORMAT_VERSION,
                          "space": space.to_dict(), "settings": self._settings()})

    # ------------------------------------------------------------ ask / tell
    def ask(self, n=1):
        """Propose ``n`` candidates (a batch; later ones assume lies for earlier ones).

        Returns
        -------
        list of dict
            Candidates (parameter name -> ``Gamma`` or float).
        """
        if int(n) < 1:
            raise ValueError(f"'n' must be a positive integer; got {n!r}.")
        batch = []
        for _ in range(int(n)):
            index = self._n_proposed
            candidate = self._propose(index, batch)
            self._asked[index] = candidate
            self._n_proposed += 1
            batch.append(candidate)
            self._append({"type": "ask", "index": index,
                          "candidate": candidate_to_json(candidate)})
        return batch

    def tell(self, candidates, values, errors=None, seconds=None):
        """Record finished evaluations of asked (or any other) candidates.

        Parameters
        ----------
        candidates : list of dict
        values : sequence of float or None
            None, NaN or inf marks a failed evaluation.
        errors : sequence of str or None, optional
            Error messages of failed evaluations.
        seconds : sequence of float, optional
            Wall time of each evaluation.
        """
        n = len(candidates)
        if len(values) != n:
            raise ValueError(f"'values' has {len(values)} entries for {n} candidates.")
        errors = [None] * n if errors is None else list(errors)
        seconds = [None] * n if seconds is None else list(seconds)
        for candidate, value, error, took in zip(candidates, values, errors, seconds):
            self._record(self._index_of(candidate), candidate, value, error, took)

    # ------------------------------------------------------------------ loop
    def optimize(self, objective, n_iter):
        """Evaluate until ``n_iter`` evaluations are finished (those told before count).

        Parameters
        ----------
        objective : callable
            ``objective(reservoir_params) -> float`` (larger is better), e.g.
            :class:`~hrsnn.optimize.MemoryCapacityObjective`.
        n_iter : int
            Total number of evaluations.

        Returns
        -------
        self
        """
        if int(n_iter) < 1:
            raise ValueError(f"'n_iter' must be a positive integer; got {n_iter!r}.")
        bar = self._progress_bar(int(n_iter))
        try:
            while len(self.history_) < n_iter:
                pending = sorted(self._asked)
                room = int(n_iter) - len(self.history_) - len(pending)
                if not pending:
                    self.ask(min(self.batch_size, room))
                    pending = sorted(self._asked)
                for index, record in self._evaluate(objective, pending):
                    self._record(index, self._asked[index], record["value"],
                                 record["error"], record["seconds"])
                    _update_bar(bar, self.best_)
        finally:
            if bar is not None:
                bar.close()
        return self

    @classmethod
    def resume(cls, path, *, n_jobs=None, progress=False):
        """Rebuild a run from its checkpoint; ``optimize`` then continues it.

        Evaluations asked but not finished are evaluated first; the file keeps
        growing. ``n_jobs`` may differ from the original run's (results do not
        depend on it). Returns a ``WassersteinBO`` with the history restored.
        """
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"No checkpoint at {path}.")
        lines = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
        if not lines or lines[0].get("type") != "config":
            raise ValueError(f"{path} is not a WassersteinBO checkpoint (no config line).")
        bo = object.__new__(cls)
        config = lines[0]
        _check_version(config, path)
        cls.__init__(bo, SearchSpace.from_dict(config["space"]), checkpoint=None, progress=progress,
                     **config["settings"])
        bo.checkpoint = path
        if n_jobs is not None:
            _check_settings(**{**config["settings"], "n_jobs": n_jobs})
            bo.n_jobs = n_jobs
        for entry in lines[1:]:
            bo._replay(entry)
        return bo

    # ------------------------------------------------------------- proposals
    def _propose(self, index, batch):
        if index < self.n_initial:
            return self._initial_design()[index]
        rng = np.random.default_rng([self.random_state, index])
        if not self.history_:           # the whole initial design is still running
            return self.space.sample(1, random_state=int(rng.integers(2 ** 31)),
                                     method="random")[0]
        points, values = self._training_data()
        lies = [self._asked[i] for i in sorted(self._asked)] + batch
        gp = WassersteinGP(nu=self.nu, random_state=int(rng.integers(2 ** 31)))
        gp.fit(group_distances(points, points, self.space), values)
        if lies:
            gp, points = self._with_lies(gp, points, values, lies)
        self.gp_ = gp
        return self._maximise_acquisition(gp, points, values.max(), rng)

    def _with_lies(self, gp, points, values, lies):
        """GP refitted (same hyperparameters) with assumed values for running proposals."""
        if self.batch_strategy == "constant_liar":
            lie_values = np.full(len(lies), values.min())
        else:
            mean = gp.predict(group_distances(lies, points, self.space), return_std=False)
            lie_values = np.asarray(mean, dtype=float).ravel()
        all_points = points + list(lies)
        liar = WassersteinGP(nu=self.nu, optimize=False, length_scale=gp.length_scales_,
                             variance=gp.variance_, noise=gp.noise_)
        liar.fit(group_distances(all_points, all_points, self.space),
                 np.concatenate([values, lie_values]))
        return liar, all_points

    def _maximise_acquisition(self, gp, points, best, rng):
        candidates = self.space.sample(self.n_candidates, random_state=int(rng.integers(2 ** 31)),
                                       method="random")
        scores = self._acquire(gp, points, candidates, best)
        top = np.argsort(scores)[::-1][:self.n_refine]
        champion, champion_score = candidates[top[0]], scores[top[0]]
        for start in top:
            refined, score = self._refine(gp, points, candidates[start], scores[start], best, rng)
            if score > champion_score:
                champion, champion_score = refined, score
        return champion

    def _refine(self, gp, points, start, score, best, rng, n_samples=32):
        """Shrinking Gaussian steps around ``start`` in the unit cube."""
        centre = self.space.to_unit(start)
        for step in (0.05, 0.02, 0.008):
            trial = np.clip(centre + step * rng.standard_normal((n_samples, len(centre))), 0, 1)
            moves = [self.space.from_unit(u) for u in trial]
            trial_scores = self._acquire(gp, points, moves, best)
            k = int(np.argmax(trial_scores))
            if trial_scores[k] > score:
                centre, score, start = trial[k], trial_scores[k], moves[k]
        return start, score

    def _acquire(self, gp, points, candidates, best):
        mean, std = gp.predict(group_distances(candidates, points, self.space))
        std = np.maximum(std, 1e-12)
        if self.acquisition == "ucb":
            return mean + self.kappa * std
        return expected_improvement(mean, std, best, self.xi * gp.y_std_)

    def _initial_design(self):
        if self._initial is None:
            design = self.space.sample(max(self.n_initial - 1, 0),
                                       random_state=self.random_state, method="sobol")
            self._initial = [self.space.initial_candidate()] + list(design)
        return self._initial

    def _training_data(self):
        """Finished evaluations in proposal order; failed ones get the worst value seen."""
        records = sorted(self.history_, key=lambda r: r["index"])
        ok = [r["value"] for r in records if r["status"] == "ok"]
        if not ok:
            raise RuntimeError("Every evaluation so far failed; no surrogate can be fitted. "
                               "See history_ for the errors.")
        worst = min(ok)
        values = np.array([r["value"] if r["status"] == "ok" else worst for r in records])
        return [r["candidate"] for r in records], values

    # ------------------------------------------------------------ evaluation
    def _evaluate(self, objective, indices):
        """Yield ``(index, record)`` as evaluations finish (in parallel with ``n_jobs``)."""
        jobs = [(index, self.space.to_reservoir_params(self._asked[index])) for index in indices]
        if self.n_jobs == 1 or len(jobs) == 1:
            for index, params in jobs:
                yield index, _evaluate_one(objective, params)
            return
        from joblib import Parallel, delayed
        runner = Parallel(n_jobs=self.n_jobs, return_as="generator_unordered")
        yield from runner(delayed(_evaluate_indexed)(objective, index, params)
                          for index, params in jobs)

    def _record(self, index, candidate, value, error, seconds):
        failed = value is None or not np.isfinite(value)
        if failed and error is None:
            error = f"objective returned {value!r}"
        record = {"index": int(index), "candidate": candidate,
                  "value": None if failed else float(value),
                  "status": "failed" if failed else "ok", "error": error,
                  "seconds": None if seconds is None else float(seconds)}
        self._asked.pop(index, None)
        self.history_.append(record)
        self.history_.sort(key=lambda r: r["index"])
        if not failed and (self.best_ is None or record["value"] > self.best_["value"]):
            self.best_ = record
        self._append({"type": "result", **record,
                      "candidate": candidate_to_json(candidate)})

    def _index_of(self, candidate):
        for index, asked in self._asked.items():
            if asked == candidate:
                return index
        index = self._n_proposed        # a candidate the user brought
        self._n_proposed += 1
        return index

    def _replay(self, entry):
        kind = entry.get("type")
        if kind == "ask":
            self._asked[entry["index"]] = candidate_from_json(entry["candidate"])
            self._n_proposed = max(self._n_proposed, entry["index"] + 1)
        elif kind == "result":
            record = {key: entry[key] for key in ("index", "value", "status", "error",
                                                  "seconds")}
            record["candidate"] = candidate_from_json(entry["candidate"])
            self._asked.pop(record["index"], None)
            self._n_proposed = max(self._n_proposed, record["index"] + 1)
            self.history_.append(record)
            if record["status"] == "ok" and (self.best_ is None
                                             or record["value"] > self.best_["value"]):
                self.best_ = record
        self.history_.sort(key=lambda r: r["index"])

    # --------------------------------------------------------------- helpers
    def _append(self, entry):
        if self.checkpoint is None:
            return
        with open(self.checkpoint, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(entry) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

    def _settings(self):
        return {"n_initial": self.n_initial, "acquisition": self.acquisition, "xi": self.xi,
                "kappa": self.kappa, "n_candidates": self.n_candidates,
                "n_refine": self.n_refine, "nu": self.nu, "batch_size": self.batch_size,
                "n_jobs": self.n_jobs,
                "batch_strategy": self.batch_strategy, "random_state": self.random_state}

    def _progress_bar(self, total):
        if not self.progress:
            return None
        from tqdm.auto import tqdm
        return tqdm(total=total, initial=len(self.history_), desc="WassersteinBO",
                    unit="eval")


def expected_improvement(mean, std, best, xi=0.0):
    """``EI = (mu - f* - xi) Phi(z) + sigma phi(z)``, ``z = (mu - f* - xi) / sigma`` (maximisation).

    Parameters
    ----------
    mean, std : ndarray of shape (n,)
        Posterior mean and standard deviation.
    best : float
        Best value observed, ``f*``.
    xi : float, default=0.0
        Margin, in the units of the values.

    Returns
    -------
    ndarray of shape (n,)
    """
    mean, std = np.asarray(mean, dtype=float), np.asarray(std, dtype=float)
    gain = mean - best - xi
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(std > 0, gain / std, 0.0)
    return np.where(std > 0, gain * norm.cdf(z) + std * norm.pdf(z), np.maximum(gain, 0.0))


def _evaluate_one(objective, params):
    began = time.perf_counter()
    try:
        value, error = float(objective(params)), None
        if not math.isfinite(value):
            value, error = None, f"objective returned {value!r}"
    except Exception as exc:  # noqa: BLE001 - recorded, the loop goes on
        value = None
        error = f"{type(exc).__name__}: {exc}\n{traceback.format_exc(limit=3)}"
    return {"value": value, "error": error, "seconds": time.perf_counter() - began}


def _evaluate_indexed(objective, index, params):
    return index, _evaluate_one(objective, params)


def _update_bar(bar, best):
    if bar is None:
        return
    bar.update()
    if best is not None:
        bar.set_postfix(best=f"{best['value']:.4g}")


def _check_version(config, path):
    """The config line's format version is the one this version of hrsnn writes."""
    version = config.get("version")
    if version == _FORMAT_VERSION and not isinstance(version, bool):
        return
    if isinstance(version, int) and not isinstance(version, bool) and version > _FORMAT_VERSION:
        raise ValueError(f"The checkpoint {path} has format version {version}, newer than "
                         f"this version of hrsnn reads ({_FORMAT_VERSION}); upgrade hrsnn "
                         "to resume it.")
    raise ValueError(f"The checkpoint {path} has no valid format version in its config line "
                     f"(\"version\": {version!r}; expected {_FORMAT_VERSION}); it was not "
                     "written by WassersteinBO.")


def _check_settings(n_initial, acquisition, xi, kappa, n_candidates, n_refine, nu,
                    batch_size, n_jobs, batch_strategy, random_state):
    for name, value, low in (("n_initial", n_initial, 1), ("n_candidates", n_candidates, 1),
                             ("n_refine", n_refine, 0), ("batch_size", batch_size, 1),
                             ("n_jobs", n_jobs, 1)):
        if not isinstance(value, (int, np.integer)) or value < low:
            raise ValueError(f"'{name}' must be an integer >= {low}; got {value!r}.")
    if acquisition not in ACQUISITIONS:
        raise ValueError(f"'acquisition' must be one of {ACQUISITIONS}; got {acquisition!r}.")
    if batch_strategy not in BATCH_STRATEGIES:
        raise ValueError(f"'batch_strategy' must be one of {BATCH_STRATEGIES}; "
                         f"got {batch_strategy!r}.")
    for name, value in (("xi", xi), ("kappa", kappa), ("nu", nu)):
        if not (np.isfinite(value) and value >= 0):
            raise ValueError(f"'{name}' must be a non-negative number; got {value!r}.")
    if not isinstance(random_state, (int, np.integer)):
        raise ValueError(f"'random_state' must be an integer (runs are resumable only with "
                         f"a fixed seed); got {random_state!r}.")
