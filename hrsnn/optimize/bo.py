"""``WassersteinBO``: Bayesian optimisation over parameter distributions.

A Gaussian process with a Matérn kernel on Wasserstein distances between
candidates (:mod:`hrsnn.optimize.gp`, :mod:`hrsnn.optimize.distance`)
proposes the next candidates by Expected Improvement (or UCB), maximised
over random candidates plus local refinement of the most promising ones.

Reproducibility and resumption
------------------------------
Proposal number ``k`` depends only on ``random_state``, ``k``, the
evaluations already told (in proposal order) and the proposals still
pending (each once, in proposal order), never on a running random state or
on the order in which parallel evaluations finished. Every ask (with the
batch it belongs to) and every finished evaluation is appended to the
checkpoint (JSON lines) at once, so :meth:`WassersteinBO.resume` rebuilds
the exact state of a killed run: a batch cut short between two asks is
completed first, evaluations asked but not finished are run next, and the
run goes on with the same proposals a never-killed run would have made.
A last line torn by the kill is dropped (with a warning) and its
evaluation re-run.
"""

import hashlib
import json
import math
import numbers
import os
import re
import threading
import time
import traceback
import warnings
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
        unit cube of the space; 0 proposes the best random candidate as is.
    nu : float, default=2.5
        Matérn smoothness.
    batch_size : int, default=1
        Proposals made at once (later ones of a batch assume values for the
        earlier ones, see ``batch_strategy``) and evaluated together.
    n_jobs : int, default=1
        Workers evaluating a batch (joblib; a ``dask.distributed`` client
        works through ``joblib.parallel_backend("dask")``). Results do not
        depend on it: proposals depend on ``batch_size``, not on ``n_jobs``,
        so set ``batch_size=n_jobs`` to keep every worker busy. See
        *Worker processes* below.
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
        ``candidate``, ``params`` (the candidate's ``Reservoir`` keyword
        arguments, ``space.to_reservoir_params(candidate)``), ``value``
        (None if failed), ``status`` (``"ok"`` or ``"failed"``), ``error``,
        ``seconds``.
    best_ : dict or None
        The record with the largest value; ``Reservoir(**bo.best_["params"])``
        builds the best reservoir found.
    gp_ : WassersteinGP or None
        The surrogate of the last proposal.
    objective_id_ : str or None
        Identity of the objective being optimised (see below); None until
        :meth:`optimize` is first called.

    Notes
    -----
    **Checkpoints** hold one JSON object per line: the configuration (search
    space and settings), the objective's identity, every ask (with the
    ``[first index, size]`` of its batch) and every result. :meth:`resume`
    checks every line and names the file and line of anything damaged; only
    the last line may be incomplete (a write cut by a kill or a full disk):
    it is dropped with a warning, and cut from the file before the run
    appends to it. Result lines repeated for one index count once.

    **Objective identity.** The first :meth:`optimize` call stores a name of
    its objective in the checkpoint, and later calls (also after
    :meth:`resume`) must pass an objective with the same name, so that a
    checkpoint is never continued with another objective. The name is the
    ``objective_id`` argument of :meth:`optimize` if given; else the
    objective's ``repr`` when it is stable across processes (the ready-made
    objectives of :mod:`hrsnn.optimize.objectives` have one; a ``repr``
    longer than 200 characters is replaced by its type and a SHA-256
    digest); else, for default ``repr`` that show a memory address, the
    qualified name of the function or of the objective's type. Pass
    ``objective_id`` for a stronger check than a type name, or to continue
    a run whose objective changed its ``repr`` but not its values.

    **Worker processes.** With ``n_jobs > 1``, joblib evaluates a batch in
    worker processes that it keeps for reuse (loky; no more workers than
    evaluations in the batch). A worker that has run an evaluation watches
    this process and exits within a second once it is gone, also in the
    middle of an evaluation, so a killed run (even by ``SIGKILL``) leaves no
    workers behind holding memory; loky's idle timeout ends any other. On a
    ``dask.distributed`` cluster the workers belong to the cluster (their
    parent is a nanny), not to this run, and are left alone: when the
    client is killed, the scheduler releases its futures once it notices
    that the client is gone; tasks not started are dropped, tasks already
    running finish on their workers and their results are discarded.
    :meth:`resume` runs those evaluations again.
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
        self.objective_id_ = None
        self._asked = {}          # index -> candidate, not yet told
        self._n_proposed = 0
        self._batch = None        # (first index, size) of the last batch asked
        self._repair = None       # where to cut a torn last line before appending
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
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
            raise ValueError(f"'n' must be a positive integer; got {n!r}.")
        self._finish_batch()
        first = self._n_proposed
        return [self._ask_one(first, int(n)) for _ in range(int(n))]

    def tell(self, candidates, values, errors=None, seconds=None):
        """Record finished evaluations of asked (or any other) candidates.

        Parameters
        ----------
        candidates : list of dict
            Candidates of the search space.
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
        for candidate in candidates:
            self.space.validate(candidate)
        bad = [v for v in values if not (v is None or _is_real(v))]
        if bad:
            raise ValueError(f"'values' must be real numbers or None; got {bad[0]!r}.")
        errors = [None] * n if errors is None else list(errors)
        seconds = [None] * n if seconds is None else list(seconds)
        for candidate, value, error, took in zip(candidates, values, errors, seconds):
            self._record(self._index_of(candidate), candidate, value, error, took)

    # ------------------------------------------------------------------ loop
    def optimize(self, objective, n_iter, *, objective_id=None):
        """Evaluate until ``n_iter`` evaluations are finished (those told before count).

        Parameters
        ----------
        objective : callable
            ``objective(reservoir_params) -> float`` (larger is better), e.g.
            :class:`~hrsnn.optimize.MemoryCapacityObjective`.
        n_iter : int
            Total number of evaluations.
        objective_id : str, optional
            Name of the objective, stored in the checkpoint and checked when
            the run is continued; default derived from the objective (see
            *Objective identity* in the class notes).

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If the run was started with an objective of another identity.
        """
        if isinstance(n_iter, bool) or not isinstance(n_iter, (int, np.integer)) or n_iter < 1:
            raise ValueError(f"'n_iter' must be a positive integer; got {n_iter!r}.")
        self._bind_objective(objective, objective_id)
        self._finish_batch()
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
    def resume(cls, path, *, space=None, n_jobs=None, progress=False):
        """Rebuild a run from its checkpoint; ``optimize`` then continues it.

        ``resume`` only reads the file. The next :meth:`ask` or
        :meth:`optimize` completes a batch whose asks a kill cut short, then
        evaluations asked but not finished are evaluated first; the file
        keeps growing.

        Parameters
        ----------
        path : str or Path
            A checkpoint written by a ``WassersteinBO``.
        space : SearchSpace, optional
            The search space the run is expected to have; a checkpoint of
            another space is an error.
        n_jobs : int, optional
            Workers for the rest of the run (results do not depend on it);
            default the original run's.
        progress : bool, default=False

        Returns
        -------
        WassersteinBO
            With the history restored.

        Raises
        ------
        FileNotFoundError
            If there is no file at ``path``.
        ValueError
            If the file is not a checkpoint, is damaged anywhere but in its
            last line (the message names the line), or is of another ``space``.
        """
        path = Path(path)
        if not path.exists():
            raise FileNotFoundError(f"No checkpoint at {path}.")
        if not path.is_file():
            raise ValueError(f"Checkpoint {path} is not a file; pass the path of the "
                             "JSON-lines file a WassersteinBO wrote.")
        entries, repair = _read_lines(path)
        if not entries or entries[0][1].get("type") != "config":
            raise ValueError(f"{path} is not a WassersteinBO checkpoint (no config line).")
        _check_version(entries[0][1], path)
        bo = cls._from_config(entries[0][1], f"Line {entries[0][0]} of checkpoint {path}",
                              progress)
        bo.checkpoint = path
        if space is not None and not isinstance(space, SearchSpace):
            raise TypeError(f"'space' must be a SearchSpace; got {type(space).__name__}.")
        if space is not None and space != bo.space:
            raise ValueError(f"Checkpoint {path} was written for another search space: "
                             f"{bo.space!r}, not {space!r}. Resume it with the space it "
                             "was started with, or start a new checkpoint.")
        if n_jobs is not None:
            _check_settings(**{**bo._settings(), "n_jobs": n_jobs})
            bo.n_jobs = n_jobs
        for number, entry in entries[1:]:
            bo._replay(entry, f"Line {number} of checkpoint {path}")
        bo._repair = repair
        return bo

    @classmethod
    def _from_config(cls, config, where, progress):
        """A run with the space and settings of a checkpoint's config line (at ``where``)."""
        bo = object.__new__(cls)
        try:
            space = SearchSpace.from_dict(config["space"])
            cls.__init__(bo, space, checkpoint=None, progress=progress, **config["settings"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise ValueError(f"{where} (the config) is damaged: {type(exc).__name__}: "
                             f"{exc}. Restore it, or start a new checkpoint.") from None
        return bo

    # ------------------------------------------------------------- proposals
    def _ask_one(self, first, size):
        """Propose the next candidate (of the batch ``first .. first + size - 1``) and log it."""
        index = self._n_proposed
        candidate = self._propose(index)
        self._asked[index] = candidate
        self._n_proposed += 1
        self._batch = (first, size)
        self._append({"type": "ask", "index": index, "batch": [first, size],
                      "candidate": candidate_to_json(candidate)})
        return candidate

    def _finish_batch(self):
        """Propose the rest of a batch whose asks were cut short (by a kill, before resume).

        The missing proposals see the same told evaluations and pending
        proposals as they would have in the uninterrupted run, so they are
        the same candidates.
        """
        if self._batch is None:
            return
        first, size = self._batch
        while first < self._n_proposed < first + size:
            self._ask_one(first, size)

    def _propose(self, index):
        if index < self.n_initial:
            return self._initial_design()[index]
        rng = np.random.default_rng([self.random_state, index])
        if not self.history_:           # the whole initial design is still running
            return self.space.sample(1, random_state=int(rng.integers(2 ** 31)),
                                     method="random")[0]
        points, values = self._training_data()
        lies = [self._asked[i] for i in sorted(self._asked)]   # pending, each once
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
        order = np.argsort(scores)[::-1]
        champion, champion_score = candidates[order[0]], scores[order[0]]
        for start in order[:self.n_refine]:
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
        # no more workers than evaluations: an idle worker never starts its parent watch
        runner = Parallel(n_jobs=min(self.n_jobs, len(jobs)), return_as="generator_unordered")
        parent = os.getpid()
        yield from runner(delayed(_evaluate_indexed)(objective, index, params, parent)
                          for index, params in jobs)

    def _record(self, index, candidate, value, error, seconds):
        failed = value is None or not np.isfinite(value)
        if failed and error is None:
            error = f"objective returned {value!r}"
        record = self._new_record(index, candidate, None if failed else float(value),
                                  "failed" if failed else "ok", error,
                                  None if seconds is None else float(seconds))
        self._asked.pop(index, None)
        self._add(record)
        self._append({"type": "result", "index": record["index"],
                      "candidate": candidate_to_json(candidate),
                      **{key: record[key] for key in ("value", "status", "error", "seconds")}})

    def _new_record(self, index, candidate, value, status, error, seconds):
        return {"index": int(index), "candidate": candidate,
                "params": self.space.to_reservoir_params(candidate), "value": value,
                "status": status, "error": error, "seconds": seconds}

    def _add(self, record):
        """Put a finished evaluation into ``history_`` (kept in proposal order) and ``best_``."""
        self.history_.append(record)
        self.history_.sort(key=lambda r: r["index"])
        if record["status"] == "ok" and (self.best_ is None
                                         or record["value"] > self.best_["value"]):
            self.best_ = record

    def _index_of(self, candidate):
        for index, asked in self._asked.items():
            if asked == candidate:
                return index
        index = self._n_proposed        # a candidate the user brought
        self._n_proposed += 1
        return index

    def _bind_objective(self, objective, objective_id):
        """Store the objective's identity, or check it against the one this run began with."""
        if not callable(objective):
            raise TypeError(f"'objective' must be callable (reservoir parameters -> float); "
                            f"got {type(objective).__name__}.")
        if objective_id is not None and not isinstance(objective_id, str):
            raise TypeError(f"'objective_id' must be a string; got {objective_id!r}.")
        identity = objective_id if objective_id is not None else _objective_identity(objective)
        if self.objective_id_ is None:
            self.objective_id_ = identity
            self._append({"type": "objective", "id": identity})
        elif identity != self.objective_id_:
            where = "This run" if self.checkpoint is None else f"Checkpoint {self.checkpoint}"
            raise ValueError(
                f"{where} optimises the objective {self.objective_id_!r}, not {identity!r}. "
                "Continue it with the objective it was started with (or start a new run); "
                f"if this is the same objective under a new name, pass "
                f"objective_id={self.objective_id_!r} to optimize().")

    # ------------------------------------------------------------- resuming
    def _replay(self, entry, where):
        """Restore the state an entry of the checkpoint recorded (``where`` names its line)."""
        kind = entry.get("type")
        if kind == "ask":
            self._replay_ask(entry, where)
        elif kind == "result":
            self._replay_result(entry, where)
        elif kind == "objective":
            if not isinstance(entry.get("id"), str):
                raise _damaged(where, "an objective entry needs a string 'id'")
            self.objective_id_ = entry["id"]
        else:
            raise _damaged(where, f"unknown entry type {kind!r} (expected 'ask', "
                           "'result' or 'objective')")

    def _replay_ask(self, entry, where):
        index, candidate = _stored_index(entry, where), self._stored_candidate(entry, where)
        batch = entry.get("batch", [index, 1])      # files without batches: one ask each
        if not (isinstance(batch, list) and len(batch) == 2
                and all(_is_count(b) for b in batch) and batch[0] <= index < sum(batch)):
            raise _damaged(where, f"'batch' must be [first index, size] around the index "
                           f"{index}; got {batch!r}")
        self._asked[index] = candidate
        self._n_proposed = max(self._n_proposed, index + 1)
        self._batch = tuple(batch)

    def _replay_result(self, entry, where):
        index, candidate = _stored_index(entry, where), self._stored_candidate(entry, where)
        value, status = entry.get("value"), entry.get("status")
        if status not in ("ok", "failed") or (status == "failed") != (value is None) or not (
                value is None or _is_real(value) and math.isfinite(value)):
            raise _damaged(where, f"a result needs 'status' 'ok' with a finite 'value' or "
                           f"'failed' with none; got status {status!r}, value {value!r}")
        error, seconds = entry.get("error"), entry.get("seconds")
        if not (error is None or isinstance(error, str)) or not (
                seconds is None or _is_real(seconds)):
            raise _damaged(where, "a result's 'error' must be a string or null and its "
                           "'seconds' a number or null")
        record = self._new_record(index, candidate, None if value is None else float(value),
                                  status, error, None if seconds is None else float(seconds))
        seen = next((r for r in self.history_ if r["index"] == index), None)
        if seen is not None:            # a repeated line: the first one counts
            if (seen["candidate"], seen["value"]) != (candidate, record["value"]):
                warnings.warn(f"{where} repeats the result of evaluation {index} with "
                              f"another value ({value!r}, not {seen['value']!r}); the first "
                              "one is kept.", stacklevel=4)
            return
        self._asked.pop(index, None)
        self._n_proposed = max(self._n_proposed, index + 1)
        self._add(record)

    def _stored_candidate(self, entry, where):
        try:
            candidate = candidate_from_json(entry["candidate"])
            self.space.validate(candidate)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise _damaged(where, f"its candidate is not one of the search space "
                           f"({type(exc).__name__}: {exc})") from None
        return candidate

    # --------------------------------------------------------------- helpers
    def _append(self, entry):
        if self.checkpoint is None:
            return
        if self._repair is not None:
            _cut_torn_line(self.checkpoint, self._repair)
            self._repair = None
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


def _evaluate_indexed(objective, index, params, parent):
    _exit_with_parent(parent)
    return index, _evaluate_one(objective, params)


_WATCHED_PARENT = None      # in a worker process: the pid of the run it works for


def _exit_with_parent(parent):
    """In a worker process forked by ``parent`` (loky, multiprocessing), exit once it is gone.

    joblib keeps loky workers alive for reuse (five idle minutes by
    default), and a worker does not notice that the process it works for
    was killed. A daemon thread polls the worker's parent pid and ends the
    worker when it changes (the orphan was re-parented). Threads of this
    process (threading backend, in-process dask) and processes of a dask
    cluster (whose parent is a nanny) are left alone.
    """
    global _WATCHED_PARENT
    if os.getpid() == parent or os.getppid() != parent or _WATCHED_PARENT == parent:
        return
    _WATCHED_PARENT = parent
    threading.Thread(target=_watch_parent, args=(parent,), name="hrsnn-watch-parent",
                     daemon=True).start()


def _watch_parent(parent, interval=0.5):
    while os.getppid() == parent:
        time.sleep(interval)
    os._exit(1)


# ---------------------------------------------------------------- checkpoints
_ADDRESS = re.compile(r" at 0x[0-9a-fA-F]+")


def _objective_identity(objective, max_length=200):
    """A name of ``objective`` that is the same in every process (see ``WassersteinBO``)."""
    text = repr(objective)
    if _ADDRESS.search(text):           # a default repr: its address changes every run
        named = objective if hasattr(objective, "__qualname__") else type(objective)
        return f"{getattr(named, '__module__', None)}.{named.__qualname__}"
    if len(text) > max_length:
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]
        return f"{type(objective).__qualname__}(sha256={digest})"
    return text


def _read_lines(path):
    """The entries of a checkpoint as ``(line number, dict)``, and where to cut a torn tail.

    Only the last line may be incomplete (a write cut by a kill or a full
    disk): it is dropped with a warning. Returns the entries and ``None``,
    or the byte offset the file must be cut to before anything is appended.
    """
    data = path.read_bytes()
    lines = data.split(b"\n")
    last = max((i for i, line in enumerate(lines) if line.strip()), default=-1)
    entries, offset = [], 0
    for i, line in enumerate(lines):
        start, offset = offset, offset + len(line) + 1
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except ValueError as exc:       # also UnicodeDecodeError
            if i < last:
                raise ValueError(f"Line {i + 1} of checkpoint {path} is not valid JSON "
                                 f"({exc}). Only the last line may be incomplete; restore "
                                 "or delete that line, or start a new checkpoint.") from None
            warnings.warn(f"Line {i + 1} of checkpoint {path} is incomplete (the run was "
                          "probably killed while writing it); it is dropped, and the "
                          "evaluation it recorded will be run again.", stacklevel=3)
            return entries, start
        if not isinstance(entry, dict):
            raise _damaged(f"Line {i + 1} of checkpoint {path}",
                           f"it holds a {type(entry).__name__}, not a JSON object")
        entries.append((i + 1, entry))
    return entries, (len(data) if data and not data.endswith(b"\n") else None)


def _cut_torn_line(path, size):
    """Cut ``path`` to ``size`` bytes and make it end with a newline (before appending)."""
    with open(path, "r+b") as handle:
        handle.truncate(size)
        if size:
            handle.seek(size - 1)
            if handle.read(1) != b"\n":
                handle.write(b"\n")
        handle.flush()
        os.fsync(handle.fileno())


def _damaged(where, what):
    return ValueError(f"{where} is damaged: {what}. Restore or delete that line, or start a "
                      "new checkpoint.")


def _stored_index(entry, where):
    index = entry.get("index")
    if not _is_count(index):
        raise _damaged(where, f"'index' must be an integer >= 0; got {index!r}")
    return index


def _is_count(value):
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _is_real(value):
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


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
