"""The papers' tasks side by side with a linear baseline and an ESN, in one run.

At ``--n-neurons`` N (default 500) and over ``--seeds`` seeds (default 5):

* ``mc``: memory capacity over 100 delays of i.i.d. ``U(-0.5, 0.5)`` input
  (:func:`hrsnn.studies.reservoir_memory_capacity`): ``Reservoir()`` defaults
  read through filtered spike trains and through membrane potentials; the
  10-tap delay line; an ESN's states.
* ``narma``: NARMA-10, ``y(t+1)`` from ``u`` up to ``t``, one-step NRMSE on
  1,000 held-out steps after 2,000 training steps (first 50 of each run left
  out): ``SequenceRegressor`` with its default reservoir at N neurons;
  :class:`hrsnn.readout.LaggedRidge` on the last 10 inputs; an ESN.
* ``lorenz63``: closed-loop valid prediction time (dt = 0.02, 2,000
  training steps, 5 windows per seed): ``Forecaster``, a linear
  autoregressive ridge, an ESN.
* ``digits``: scikit-learn's 8x8 digits (30 % stratified test split):
  ``make_pipeline(Reservoir(), RidgeClassifierCV())`` with bare defaults, a
  ridge classifier on the pixels, an ESN's final states; and, for seed 0,
  ``hrsnn.classification.evaluate_digits`` (current and Poisson input).

The ESN (``reservoirpy.nodes.Reservoir``, N units, random bias vector) is
tuned the same way for every task: the same ``ESN_BUDGET`` configurations of
spectral radius, leak rate, input scaling and bias, drawn once from
``ESN_GRID``, each scored by the task's own protocol applied to the training
part of seed 0 alone (its tail as validation data); the best is then used for
every seed. Test data are never seen while tuning.

Every row prints mean ± std and median [quartiles] over seeds (VPT: over
seeds x windows), hrsnn's mean rate, spikes per input value and synaptic
operations (SOPs) per input step, and the ESN's multiply-adds per step
``N (N density + n_inputs) + readout``; all numbers go to
``results/bench_tasks.json``.

Usage::

    python benchmarks/bench_tasks.py                          # everything, N = 500, 5 seeds
    python benchmarks/bench_tasks.py --tasks mc,narma --seeds 2 --no-esn
"""

import argparse
import itertools
import json
import os
import sys
import tempfile
import time

import numpy as np
from sklearn.linear_model import Ridge, RidgeClassifierCV, RidgeCV
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from data_loaders import LYAPUNOV_EXPONENTS, lorenz63, narma
from hrsnn import Forecaster, Reservoir
from hrsnn.activity import mean_rate, spikes_per_input_value
from hrsnn.evaluation import compare_forecasters, select_alpha_by_forecast, validation_starts
from hrsnn.metrics import (RIDGE_ALPHAS, memory_capacity, memory_capacity_test_start, nrmse,
                           synaptic_operations_from_counts)
from hrsnn.readout import AutoregressiveRidge, LaggedRidge, SequenceRegressor, lagged_inputs
from hrsnn.simulator import SimulationResult
from hrsnn.studies import memory_capacity_inputs, reservoir_memory_capacity

DT = 0.02
#: A rate-based ESN wants small penalties: the decades 1e-6 .. 1 of the library's grid.
ESN_ALPHAS = RIDGE_ALPHAS[0:13:4]
LAMBDA = LYAPUNOV_EXPONENTS["lorenz63"]
#: The ESN's search space (bias: half-width of the uniform bias vector).
ESN_GRID = {"sr": (0.5, 0.8, 0.95, 1.1, 1.3), "lr": (0.1, 0.3, 0.6, 1.0),
            "input_scaling": (0.1, 0.3, 1.0, 3.0), "bias": (0.0, 0.1, 0.3, 1.0)}
#: Configurations every task tries (the same ones, drawn once from ESN_GRID).
ESN_BUDGET = 12
MC_STEPS, MC_FIT_STEPS, MC_DELAYS, MC_WASHOUT, MC_TAPS = 3000, 1000, 100, 100, 10
NARMA_TRAIN, NARMA_TEST, WASHOUT, LAGS = 2000, 1000, 50, 10
#: Share of a training part held out to validate ESN configurations.
VALIDATION = 0.25


# ---------------------------------------------------------------- the ESN
def esn_configs():
    """The ``ESN_BUDGET`` configurations of the search (fixed: seeded draw from the grid)."""
    grid = list(itertools.product(*ESN_GRID.values()))
    picks = np.random.default_rng(0).choice(len(grid), ESN_BUDGET, replace=False)
    return [dict(zip(ESN_GRID, grid[i])) for i in picks]


def esn_node(units, seed, sr=1.0, lr=0.5, input_scaling=0.5, bias=0.0):
    """A ReservoirPy reservoir with a bias vector ``U(-bias, bias)`` per unit."""
    from reservoirpy.nodes import Reservoir as ESNReservoir
    vector = bias * np.random.default_rng([seed, 0xB1A5]).uniform(-1.0, 1.0, units)
    return ESNReservoir(units, sr=sr, lr=lr, input_scaling=input_scaling, bias=vector,
                        seed=seed)


def esn_run(node, u):
    """States of ``node`` driven by ``u`` (n_steps, n_inputs) from its reset state."""
    if node.initialized:
        node.reset()
    return node.run(u)


def esn_macs(node, n_readout):
    """Multiply-adds per step: ``N (N density + n_inputs) + n_readout``."""
    n = node.W.shape[0]
    density = node.W.nnz / n ** 2 if hasattr(node.W, "nnz") else np.count_nonzero(node.W) / n ** 2
    return {"ops_per_step": n * (n * density + node.Win.shape[1]) + n_readout, "ops": "MACs",
            "density": density}


def tune_esn(task, score):
    """The configuration of :func:`esn_configs` with the best ``score(config)`` (validation)."""
    began = time.perf_counter()
    scores = [float(score(config)) for config in esn_configs()]
    best = esn_configs()[int(np.nanargmax(scores))]
    print(f"  ESN for {task}: best of {ESN_BUDGET} configurations on validation data "
          f"({time.perf_counter() - began:.0f} s): {best}")
    return best, scores


class ESNForecaster:
    """ReservoirPy echo state network with the Forecaster's protocol.

    States of a ``reservoirpy.nodes.Reservoir`` (plus the input) feed a ridge
    readout of the next standardised value; closed loop feeds predictions
    back. ``fit`` picks the ridge alpha on closed-loop validation forecasts in
    the last quarter of the training series, like ``Forecaster``.
    """

    def __init__(self, units, seed=0, alphas=ESN_ALPHAS, washout=100, **config):
        self.units, self.config = units, config
        self.seed, self.alphas, self.washout = seed, alphas, washout

    def fit(self, series):
        self.mean_, self.scale_ = series.mean(0), series.std(0)
        z = (series - self.mean_) / self.scale_
        self.node_ = esn_node(self.units, self.seed, **self.config)
        features = self._features(self.node_.run(z), z)
        n_val = len(z) // 4

        def forecast(readout, start):
            f = self._features(esn_run(self.node_, z[start - 100:start]), z[start - 100:start])
            return self._loop(readout, f[-1], 100)

        self.alpha_, scores = select_alpha_by_forecast(
            self.alphas, lambda alpha: self._ridge(alpha, features, z, len(z) - n_val),
            forecast, z, validation_starts(len(z), n_val, 100, 4), horizon=100)
        self.validation_score_ = scores[self.alpha_][0]
        self.readout_ = self._ridge(self.alpha_, features, z, len(z))
        return self

    def predict(self, series):
        z = (series - self.mean_) / self.scale_
        features = self._features(esn_run(self.node_, z), z)
        self._last = features[-1]
        pred = self.readout_.predict(features).reshape(len(features), -1)
        return pred * self.scale_ + self.mean_

    def forecast(self, n_steps, warmup):
        self.predict(warmup)
        return self._loop(self.readout_, self._last, n_steps) * self.scale_ + self.mean_

    def _loop(self, readout, features, n_steps):
        out = np.empty((n_steps, len(self.mean_)))
        for k in range(n_steps):
            x = readout.predict(features[None]).reshape(-1)       # (n_dims,), 1 included
            out[k] = x
            features = np.concatenate([self.node_(x), x])
        return out

    def _ridge(self, alpha, features, z, n_used):
        rows = np.arange(self.washout, n_used - 1)
        return Ridge(alpha=alpha).fit(features[rows], z[rows + 1])

    @staticmethod
    def _features(states, z):
        return np.hstack([states, z])


class ESNSequence:
    """An ESN with :class:`~hrsnn.readout.SequenceRegressor`'s interface (one run).

    States (and the input) after every step feed a standardised ridge
    readout (``RidgeCV`` over ``RIDGE_ALPHAS``); every run starts from the
    reset state, the first ``WASHOUT`` steps are not trained on.
    """

    def __init__(self, units, seed=0, **config):
        self.node_ = esn_node(units, seed, **config)

    def fit(self, u, y):
        features = self._features(u)[WASHOUT:]
        self.readout_ = make_pipeline(StandardScaler(), RidgeCV(alphas=RIDGE_ALPHAS))
        self.readout_.fit(features, y[WASHOUT:])
        self.n_readout_ = features.shape[1] * np.shape(y)[1]
        return self

    def predict(self, u):
        return self.readout_.predict(self._features(u))

    def _features(self, u):
        return np.hstack([esn_run(self.node_, u), u])


# ---------------------------------------------------------------- reporting
def summary(values):
    """Mean, sample std, median and quartiles of ``values`` (JSON-ready)."""
    v = np.asarray(values, dtype=float)
    q1, median, q3 = np.percentile(v, [25, 50, 75])
    return {"mean": float(v.mean()), "std": float(v.std(ddof=1)) if v.size > 1 else None,
            "median": float(median), "q1": float(q1), "q3": float(q3), "values": v.tolist()}


def mean_of(records):
    """Key-wise mean of dicts of numbers (per-seed activity); strings kept."""
    return {k: (float(np.mean([r[k] for r in records])) if not isinstance(v, str) else v)
            for k, v in records[0].items()}


def spiking_activity(reservoir, counts, n_input_steps):
    """Mean rate (Hz), spikes per input value and SOPs per input step from spike counts."""
    n_neurons = reservoir.network_.n_neurons
    counts = np.rint(np.asarray(counts, dtype=float)).astype(np.int64)
    counts = counts.reshape(-1, n_neurons).sum(axis=0)
    result = SimulationResult(spike_steps=np.zeros(0, np.int64),
                              spike_neurons=np.zeros(0, np.int32), counts=counts, states=None,
                              v=None, n_steps=n_input_steps * reservoir.steps_per_input,
                              dt=reservoir.dt)
    sops = synaptic_operations_from_counts(counts, reservoir.network_.out_degree())
    return {"rate_hz": mean_rate(result), "ops_per_step": sops / n_input_steps, "ops": "SOPs",
            "spikes_per_input": spikes_per_input_value(
                result, steps_per_input=reservoir.steps_per_input)}


def report(title, score_name, rows, lower_is_better=False, extra=()):
    """Print a task's table and return its JSON record.

    ``rows``: name -> dict with ``scores`` (one per seed or window), optional
    ``kind`` ("hrsnn", "linear", "esn"), ``cost`` (from
    :func:`spiking_activity` or :func:`esn_macs`) and the ``extra`` columns.
    Each hrsnn row gets its median score divided by the ESN's.
    """
    print(f"\n{title}")
    print(f"{'model':<44}{score_name + ' mean ± std':>22}{'median [quartiles]':>26}"
          f"{'ops/step':>14}{'rate Hz':>9}{'spk/input':>10}"
          + "".join(f"{name:>16}" for name in extra))
    record = {}
    for name, row in rows.items():
        s, cost = summary(row["scores"]), row.get("cost", {})
        std = "" if s["std"] is None else f" ± {s['std']:.3g}"
        ops = f"{cost['ops_per_step']:.3g} {cost['ops']}" if cost else ""
        rate = f"{cost['rate_hz']:.1f}" if "rate_hz" in cost else ""
        spikes = f"{cost['spikes_per_input']:.0f}" if "spikes_per_input" in cost else ""
        mean = f"{s['mean']:.4g}{std}"
        quartiles = f"{s['median']:.4g} [{s['q1']:.4g}-{s['q3']:.4g}]"
        print(f"{name:<44}{mean:>22}"
              f"{quartiles:>26}{ops:>14}{rate:>9}{spikes:>10}"
              + "".join(f"{row[k]:>16.4g}" for k in extra))
        record[name] = {**{k: v for k, v in row.items() if k != "scores"}, "score": s}
    esn = [r["score"]["median"] for r in record.values() if r.get("kind") == "esn"]
    for name, r in record.items():
        if r.get("kind") == "hrsnn" and esn:
            r["ratio_to_esn"] = r["score"]["median"] / esn[0]
            print(f"  {name}: {r['ratio_to_esn']:.3g} x the ESN ({score_name}, medians"
                  f"{', lower is better' if lower_is_better else ''})")
    return record


def esn_available(args):
    if args.no_esn:
        return False
    try:
        import reservoirpy  # noqa: F401
    except ImportError:
        print("reservoirpy is not installed: no ESN baseline (pip install -e '.[bench]')")
        return False
    return True


# ---------------------------------------------------------------- tasks
def mc_task(args):
    def mc(states, u, end=None):
        return memory_capacity(states[:end], u[:end], k_max=MC_DELAYS, washout=MC_WASHOUT).total

    names = [f"hrsnn Reservoir() states (N={args.n_neurons})",
             f"hrsnn Reservoir() membrane v (N={args.n_neurons})",
             f"hrsnn Reservoir() traces {Reservoir().trace_taus} ms (N={args.n_neurons})",
             f"linear: {MC_TAPS}-tap delay line",
             f"hrsnn broad_timescales preset, v (N={args.n_neurons})"]
    rows = {name: {"scores": [], "kind": kind}
            for name, kind in zip(names, ("hrsnn", "hrsnn", "hrsnn", "linear", "hrsnn"))}
    activity, broad_activity = [], []
    for seed in args.seeds:
        u_fit, u = memory_capacity_inputs(seed, MC_STEPS, MC_FIT_STEPS)
        reservoir = Reservoir(n_neurons=args.n_neurons, random_state=seed, n_jobs=args.n_jobs)
        mcs, result = reservoir_memory_capacity(reservoir, u_fit, u, k_max=MC_DELAYS,
                                                washout=MC_WASHOUT,
                                                features=("states", "v", "traces"))
        rows[names[0]]["scores"].append(mcs["states"].total)
        rows[names[1]]["scores"].append(mcs["v"].total)
        rows[names[2]]["scores"].append(mcs["traces"].total)
        rows[names[3]]["scores"].append(mc(lagged_inputs(u, MC_TAPS), u))
        activity.append(spiking_activity(reservoir, result.counts, len(u)))
        broad = Reservoir.from_preset("broad_timescales", n_neurons=args.n_neurons,
                                      random_state=seed, n_jobs=args.n_jobs)
        mcs, result = reservoir_memory_capacity(broad, u_fit, u, k_max=MC_DELAYS,
                                                washout=MC_WASHOUT, features=("v",))
        rows[names[4]]["scores"].append(mcs["v"].total)
        broad_activity.append(spiking_activity(broad, result.counts, len(u)))
    rows[names[0]]["cost"] = rows[names[1]]["cost"] = mean_of(activity)
    rows[names[4]]["cost"] = mean_of(broad_activity)
    if esn_available(args):
        end = memory_capacity_test_start(MC_STEPS, k_max=MC_DELAYS, washout=MC_WASHOUT)
        u0 = memory_capacity_inputs(0, MC_STEPS, MC_FIT_STEPS)[1]
        config, _ = tune_esn("mc", lambda c: mc(esn_run(esn_node(args.n_neurons, 0, **c),
                                                         u0[:, None]), u0, end))
        esn = {"scores": [], "kind": "esn", "config": config}
        for seed in args.seeds:
            u = memory_capacity_inputs(seed, MC_STEPS, MC_FIT_STEPS)[1]
            node = esn_node(args.n_neurons, seed, **config)
            esn["scores"].append(mc(esn_run(node, u[:, None]), u))
        esn["cost"] = esn_macs(node, args.n_neurons * MC_DELAYS)
        rows[f"ESN (N={args.n_neurons})"] = esn
    return report(f"Memory capacity, {MC_DELAYS} delays, i.i.d. U(-0.5, 0.5), "
                  f"{MC_STEPS} steps (STDP on {MC_FIT_STEPS} others), test: last 30 %",
                  "MC", rows)


def narma_data(seed):
    """NARMA-10 as ``y(t+1)`` from ``u`` up to ``t``: (u_train, y_train, u_test, y_test)."""
    u, y = narma(NARMA_TRAIN + NARMA_TEST + 1, order=10, random_state=seed)
    u, y = u[:-1], y[1:]
    return u[:NARMA_TRAIN], y[:NARMA_TRAIN], u[NARMA_TRAIN:], y[NARMA_TRAIN:]


def held_out_nrmse(model, u_train, y_train, u_test, y_test):
    """Fit on the training run, NRMSE on the held-out run after its first WASHOUT steps."""
    model.fit(u_train, y_train)
    return nrmse(y_test[WASHOUT:], model.predict(u_test)[WASHOUT:])


def narma_task(args):
    make = {f"hrsnn SequenceRegressor (N={args.n_neurons})":
            ("hrsnn", lambda seed: SequenceRegressor(
                Reservoir(args.n_neurons, random_state=seed, n_jobs=args.n_jobs))),
            f"linear: LaggedRidge({LAGS})": ("linear", lambda seed: LaggedRidge(LAGS))}
    if esn_available(args):
        u, y = narma_data(0)[:2]
        n_fit = int(len(u) * (1 - VALIDATION))
        config, _ = tune_esn("narma", lambda c: -held_out_nrmse(
            ESNSequence(args.n_neurons, 0, **c), u[:n_fit], y[:n_fit], u[n_fit:], y[n_fit:]))
        make[f"ESN (N={args.n_neurons})"] = (
            "esn", lambda seed: ESNSequence(args.n_neurons, seed, **config))
    rows = {}
    for name, (kind, build) in make.items():
        scores, costs = [], []
        for seed in args.seeds:
            u_train, y_train, u_test, y_test = data = narma_data(seed)
            model = build(seed)
            scores.append(held_out_nrmse(model, *data))
            if kind == "hrsnn":
                run = model.reservoir_.run((u_test - model.mean_) / model.scale_,
                                           record_spikes=False)
                costs.append(spiking_activity(model.reservoir_, run.counts, len(u_test)))
            elif kind == "esn":
                costs.append(esn_macs(model.node_, model.n_readout_))
        rows[name] = {"scores": scores, "kind": kind}
        if costs:
            rows[name]["cost"] = mean_of(costs)
        if kind == "esn":
            rows[name]["config"] = config
    return report(f"NARMA-10 one-step NRMSE, {NARMA_TRAIN} training and {NARMA_TEST} test "
                  f"steps (first {WASHOUT} of each left out)", "NRMSE", rows,
                  lower_is_better=True)


def lorenz_task(args):
    warmup, horizon, n_starts = 100, 300, 5
    series = lorenz63(args.n_train + n_starts * (warmup + horizon), dt=DT, random_state=0)
    fitted = {}

    def kept(kind, make):
        """``make``, remembering the model of every seed (for its spike counts or weights)."""
        def build(seed):
            fitted[kind, seed] = make(seed)
            return fitted[kind, seed]
        return kind, build

    models = {f"hrsnn Forecaster (N={args.n_neurons})": kept("hrsnn", lambda seed: Forecaster(
        Reservoir(args.n_neurons, random_state=seed, n_jobs=args.n_jobs))),
              "linear AR (5 lags)": ("linear", lambda seed: AutoregressiveRidge())}
    if esn_available(args):
        train = series[:args.n_train]
        config, _ = tune_esn("lorenz63", lambda c: ESNForecaster(
            args.n_neurons, seed=0, **c).fit(train).validation_score_)
        models[f"ESN (N={args.n_neurons})"] = kept(
            "esn", lambda seed: ESNForecaster(args.n_neurons, seed=seed, **config))
    results = compare_forecasters({name: make for name, (_, make) in models.items()}, series,
                                  args.seeds, deterministic=[n for n, (k, _) in models.items()
                                                             if k == "linear"],
                                  n_train=args.n_train, n_starts=n_starts, horizon=horizon,
                                  warmup=warmup)
    rows = {}
    for name, (kind, _) in models.items():
        result = results[name]
        vpt = result.vpt_lyapunov(DT, LAMBDA)
        rows[name] = {"scores": vpt[:, 1], "kind": kind,
                      "one_step_nrmse": result.one_step_nrmse,
                      "vpt_0.1_median": float(np.median(vpt[:, 0])),
                      "fit_s": result.fit_seconds}
        if kind == "hrsnn":
            rows[name]["cost"] = mean_of([
                spiking_activity(fitted["hrsnn", seed].reservoir_, e.forecast_counts,
                                 n_starts * horizon)
                for seed, e in zip(result.seeds, result.evaluations)])
        elif kind == "esn":
            rows[name]["cost"] = esn_macs(fitted["esn", 0].node_, (args.n_neurons + 3) * 3)
            rows[name]["config"] = config
    return report(f"Lorenz63 closed loop, dt={DT}, {args.n_train} training steps, "
                  f"{len(args.seeds)} seeds x {n_starts} windows of {horizon} steps after "
                  f"{warmup} true ones; 1 Lyapunov time = {1 / (DT * LAMBDA):.1f} steps",
                  "VPT0.4 [LT]", rows, extra=("one_step_nrmse", "vpt_0.1_median"))


def esn_final_states(node, X):
    """Final ESN state of every sequence in ``X`` (n_samples, n_steps, n_inputs)."""
    return np.array([esn_run(node, x)[-1] for x in X])


def esn_accuracy(node, X_train, y_train, X_test, y_test):
    classifier = make_pipeline(StandardScaler(), RidgeClassifierCV(alphas=RIDGE_ALPHAS))
    classifier.fit(esn_final_states(node, X_train), y_train)
    return classifier.score(esn_final_states(node, X_test), y_test)


def digits_task(args):
    from hrsnn.classification import digits_dataset, evaluate_digits
    X, y = digits_dataset()
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                        random_state=0)
    rows = {f"hrsnn Reservoir() + RidgeClassifierCV() (N={args.n_neurons})":
            {"scores": [], "kind": "hrsnn"}}
    activity = []
    for seed in args.seeds:
        model = make_pipeline(Reservoir(n_neurons=args.n_neurons, random_state=seed,
                                        n_jobs=args.n_jobs), RidgeClassifierCV())
        next(iter(rows.values()))["scores"].append(model.fit(X_train, y_train)
                                                   .score(X_test, y_test))
        activity.append(spiking_activity(model[0], model[0].transform(X_test),
                                         X_test[:, :, 0].size))
    next(iter(rows.values()))["cost"] = mean_of(activity)
    pixels = RidgeClassifierCV().fit(X_train[:, 0], y_train).score(X_test[:, 0], y_test)
    rows["linear: RidgeClassifierCV() on the pixels"] = {"scores": [pixels], "kind": "linear"}
    if esn_available(args):
        fit_X, val_X, fit_y, val_y = train_test_split(X_train, y_train, test_size=VALIDATION,
                                                      stratify=y_train, random_state=0)
        config, _ = tune_esn("digits", lambda c: esn_accuracy(
            esn_node(args.n_neurons, 0, **c), fit_X, fit_y, val_X, val_y))
        nodes = [esn_node(args.n_neurons, seed, **config) for seed in args.seeds]
        rows[f"ESN final state (N={args.n_neurons})"] = {
            "scores": [esn_accuracy(node, X_train, y_train, X_test, y_test) for node in nodes],
            "kind": "esn", "config": config,
            "cost": esn_macs(nodes[0], args.n_neurons * 10 / X.shape[1])}
    for encoding in ("current", "poisson"):
        result = evaluate_digits(encoding, n_neurons=args.n_neurons, random_state=0,
                                 n_jobs=args.n_jobs)
        rows[f"default_classifier({encoding}), seed 0"] = {"scores": [result["accuracy"]],
                                                           "kind": "hrsnn-helper"}
    return report("Digits (8x8, 30 % stratified test split, random_state=0), accuracy",
                  "accuracy", rows)


TASKS = {"mc": mc_task, "narma": narma_task, "lorenz63": lorenz_task, "digits": digits_task}


def write_json(record, path):
    """Write ``record`` to ``path`` atomically (temporary file in the same folder, rename)."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=os.path.dirname(path), suffix=".tmp")
    with os.fdopen(handle, "w") as stream:
        json.dump(record, stream, indent=1, default=float)
    os.replace(temporary, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", default=",".join(TASKS))
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--n-train", type=int, default=2000)
    parser.add_argument("--n-neurons", type=int, default=500)
    parser.add_argument("--no-esn", action="store_true")
    parser.add_argument("--n-jobs", type=int, default=2)
    parser.add_argument("--output", default=os.path.join("results", "bench_tasks.json"))
    args = parser.parse_args()
    tasks = args.tasks.split(",")
    unknown = sorted(set(tasks) - set(TASKS))
    if unknown:
        parser.error(f"unknown task(s) {unknown}; choose from {','.join(TASKS)}")
    args.seeds = list(range(args.seeds))
    began = time.perf_counter()
    record = {"command": " ".join(sys.argv), "n_neurons": args.n_neurons, "seeds": args.seeds,
              "esn_grid": ESN_GRID, "esn_budget": ESN_BUDGET, "tasks": {}}
    for task in tasks:
        started = time.perf_counter()
        record["tasks"][task] = {"rows": TASKS[task](args),
                                 "wall_s": time.perf_counter() - started}
        print(f"  ({task}: {record['tasks'][task]['wall_s']:.0f} s)")
        record["wall_s"] = time.perf_counter() - began
        write_json(record, args.output)
    print(f"\nwall time {record['wall_s']:.0f} s; numbers in {args.output}")


if __name__ == "__main__":
    main()
