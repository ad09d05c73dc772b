"""Closed-loop forecasts of every system ``data_loaders`` ships, beside the baselines.

For each system (its default ``dt``) and seed, 2,000 training steps of a
trajectory drawn with that seed, then ``--windows`` test windows (100 true
warm-up steps, ``--horizon`` forecast steps). Models, each fitted on the same
training part:

* ``hrsnn``: ``Forecaster(random_state=seed)``, the defaults (1,000 neurons;
  linear or quadratic readout, global or local reservoirs and the ridge
  penalty chosen on closed-loop validation inside the training part);
* ablations: the same without closed-loop refits (``refit_rounds=0``), then
  also with a linear readout, then (series of at least 5 variables) also with
  one global reservoir: the Forecaster before this benchmark's mechanisms;
* ``AR``: a linear autoregressive ridge on the last ``lags`` values,
  lags in (1, 2, 3, 5, 10, 20) and penalty in ``RIDGE_ALPHAS[::2]`` chosen by the
  same closed-loop validation as the Forecaster (4 forecasts of 100 steps in
  the last quarter of the training part);
* ``NG-RC``: the same search over an autoregression on the last lags and all
  their pairwise products (a next-generation reservoir computer, Gauthier et
  al., Nat. Commun. 12, 5564, 2021: no reservoir at all), lags in (1, 2, 3)
  and for series of at most 8 variables;
* ``ESN`` (``--esn``, needs ReservoirPy): ``benchmarks/bench_tasks.py``'s
  echo-state forecaster of ``--esn-units`` units, its configuration tuned once
  on validation data of seed 0 (12 configurations, 4 penalties).

Every row prints the median and quartiles of the valid prediction time
(NRMSE threshold 0.4, normalised by the series' std) over seeds x windows, in
steps and Lyapunov times where the exponent is known, the one-step NRMSE, the
mean fit time, the ratio of the median to the AR's, and the operations per
forecast step under two cost models (:func:`operations_per_step`: the papers'
synaptic operations, and everything counted, against the peers' multiply-adds).
Results go to ``results/bench_forecast.json``.

Usage::

    python benchmarks/bench_forecast.py                       # 5 systems, 3 seeds x 3 windows
    python benchmarks/bench_forecast.py --systems lorenz63 --seeds 5 --esn
"""

import argparse
import json
import os
import sys
import time

import numpy as np
from sklearn.linear_model import Ridge

from data_loaders import DEFAULT_DT, LYAPUNOV_EXPONENTS, SYSTEMS, load_system
from hrsnn import Forecaster
from hrsnn.evaluation import compare_forecasters, select_by_forecast, validation_starts
from hrsnn.metrics import RIDGE_ALPHAS
from hrsnn.readout import lagged_inputs

N_TRAIN, WARMUP, VALIDATION_HORIZON = 2000, 100, 100
#: The Forecaster's three mechanisms switched off one after the other.
ABLATIONS = {
    "- refits": {"refit_rounds": 0},
    "- refits, linear": {"refit_rounds": 0, "readout": "linear"},
    "- refits, linear, global": {"refit_rounds": 0, "readout": "linear",
                                 "local_radius": None},
}
#: Fewest variables that admit a local layout (a group and 2 neighbours on each side).
MIN_LOCAL_DIMS = 5
AR_LAGS, NGRC_LAGS, NGRC_MAX_DIMS = (1, 2, 3, 5, 10, 20), (1, 2, 3), 8
#: Largest Lyapunov exponent of Mackey-Glass (tau = 17, beta 0.2, gamma 0.1, n 10), per
#: time unit (natural log): 0.0056, from the spectrum of the delay equation discretised
#: into 100 variables as in J. D. Farmer, Physica D 4, 366 (1982); one Lyapunov time is
#: about 179 samples at one sample per time unit.
MACKEY_GLASS_EXPONENT = 0.0056


class LaggedForecaster:
    """Ridge on the last ``lags`` standardised values (and, ``quadratic``, all their
    pairwise products) predicting the next increment; lags and penalty chosen by
    closed-loop validation on the last quarter of the training series."""

    def __init__(self, lag_grid, quadratic=False, alphas=RIDGE_ALPHAS[::2]):
        self.lag_grid, self.quadratic, self.alphas = lag_grid, quadratic, alphas

    def fit(self, series):
        self.mean_, self.scale_ = series.mean(0), series.std(0)
        z = (series - self.mean_) / self.scale_
        n_val = len(z) // 4
        starts = validation_starts(len(z), n_val, VALIDATION_HORIZON, 4)

        def train(candidate):
            lags, alpha = candidate
            return self._ridge(lags, alpha, z[:len(z) - n_val])

        def forecast(readout, start):
            return self._loop(readout, z[start - readout[0]:start], VALIDATION_HORIZON)

        candidates = [(lags, float(a)) for lags in self.lag_grid for a in self.alphas]
        (self.lags_, self.alpha_), _ = select_by_forecast(
            candidates, train, forecast, z, starts, horizon=VALIDATION_HORIZON)
        self.readout_ = self._ridge(self.lags_, self.alpha_, z)
        return self

    def predict(self, series):
        z = (series - self.mean_) / self.scale_
        rows = self._design(lagged_inputs(z, self.lags_, pad="first"))
        step = self.readout_[1].predict(rows).reshape(z.shape)
        return (z + step) * self.scale_ + self.mean_

    def forecast(self, n_steps, warmup):
        z = (warmup - self.mean_) / self.scale_
        out = self._loop(self.readout_, z[-self.lags_:], n_steps)
        return out * self.scale_ + self.mean_

    def _design(self, lagged):
        """Rows of lagged values (``lagged_inputs``' layout, newest first) and, if
        ``quadratic``, every product of two of them."""
        if not self.quadratic:
            return lagged
        first, second = np.triu_indices(lagged.shape[1])
        return np.hstack([lagged, lagged[:, first] * lagged[:, second]])

    def _ridge(self, lags, alpha, z):
        rows = self._design(lagged_inputs(z, lags)[lags - 1:-1])
        targets = z[lags:] - z[lags - 1:-1]
        return lags, Ridge(alpha=alpha).fit(rows, targets)

    def _loop(self, readout, history, n_steps):
        lags, ridge = readout
        window = history[-lags:].copy()
        out = np.empty((n_steps, window.shape[1]))
        for k in range(n_steps):
            newest_first = window[::-1].reshape(1, -1)
            x = np.clip(window[-1] + ridge.predict(self._design(newest_first))[0], -1e3, 1e3)
            out[k] = x
            window = np.vstack([window[1:], x[None]])
        return out


def lyapunov_exponent(system):
    return LYAPUNOV_EXPONENTS.get(system, MACKEY_GLASS_EXPONENT
                                  if system == "mackey_glass" else None)


def models(system, n_dims, args, made_models):
    """``name -> make(seed)``; every model made is also kept in ``made_models[name]``."""
    made = {"hrsnn": lambda seed: Forecaster(random_state=seed)}
    for name, params in ABLATIONS.items():
        if n_dims >= MIN_LOCAL_DIMS or "local_radius" not in params:
            made[name] = lambda seed, params=params: Forecaster(random_state=seed, **params)
    made["AR"] = lambda seed: LaggedForecaster(AR_LAGS)
    if n_dims <= NGRC_MAX_DIMS:
        made["NG-RC"] = lambda seed: LaggedForecaster(NGRC_LAGS, quadratic=True)
    if args.esn:
        made["ESN"] = esn_maker(system, args)
    return keeping(made, made_models)


def keeping(makers, kept):
    """``makers`` (``name -> make(seed)``) whose models are also stored in ``kept[name]``
    (the last one made), so that a benchmark can count their operations after
    :func:`hrsnn.evaluation.compare_forecasters` has scored them."""
    def keeper(name, make):
        def make_and_keep(seed):
            kept[name] = make(seed)
            return kept[name]
        return make_and_keep
    return {name: keeper(name, make) for name, make in makers.items()}


def operations_per_step(model, evaluation):
    """``(paper, full)`` operations per forecast step under the two cost models.

    paper: synaptic operations of the spikes only (the papers' energy model;
    0 for a model without spikes, whose multiply-adds are all in ``full``).
    full: for hrsnn, synaptic operations + two updates per neuron and
    simulation step (membrane decay with input, filtered spike train) + one
    multiply-add per input synapse and input step + the readout's multiply-adds
    (``Forecaster.readout_multiply_adds``); for the ESN, ``N (N density +
    n_inputs) + readout``; for AR and NG-RC, the ridge's coefficients (and the
    products of NG-RC's design).
    """
    if isinstance(model, Forecaster):
        network = model.reservoir_.network_
        sops = float(np.median(evaluation.sops_per_step(network.out_degree())))
        steps = model.reservoir_.steps_per_input
        full = (sops + 2 * network.n_neurons * steps + network.in_post.size
                + model.readout_multiply_adds())
        return sops, full
    if isinstance(model, LaggedForecaster):
        coef = np.atleast_2d(model.readout_[1].coef_)        # (n_dims, n_design)
        products = coef.shape[1] - model.lags_ * coef.shape[0] if model.quadratic else 0
        return 0.0, float(coef.size + products)
    node = model.node_
    density = node.W.nnz / node.W.shape[0] ** 2 if hasattr(node.W, "nnz") else (
        np.count_nonzero(node.W) / node.W.shape[0] ** 2)
    n = node.W.shape[0]
    return 0.0, float(n * (n * density + node.Win.shape[1]) + model.readout_.coef_.size)


_ESN_CONFIGS = {}


def esn_maker(system, args):
    """ESNForecaster of bench_tasks, its configuration tuned once per system on the
    training part of seed 0."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    from bench_tasks import ESNForecaster, tune_esn
    if system not in _ESN_CONFIGS:
        train = load_system(system, N_TRAIN, random_state=0).reshape(N_TRAIN, -1)
        _ESN_CONFIGS[system], _ = tune_esn(system, lambda c: ESNForecaster(
            args.esn_units, 0, **c).fit(train).validation_score_)
    config = _ESN_CONFIGS[system]
    return lambda seed: ESNForecaster(args.esn_units, seed, **config)


def run_system(system, args):
    dt = DEFAULT_DT[system]
    exponent = lyapunov_exponent(system)
    n_steps = N_TRAIN + args.windows * (WARMUP + args.horizon)
    rows = {}
    for seed in range(args.seeds):
        series = load_system(system, n_steps, random_state=seed)
        series = series.reshape(len(series), -1)          # Mackey-Glass: one column
        made_models = {}
        results = compare_forecasters(models(system, series.shape[1], args, made_models),
                                      series, [seed], n_train=N_TRAIN, n_starts=args.windows,
                                      horizon=args.horizon, warmup=WARMUP, thresholds=(0.4,))
        for name, result in results.items():
            row = rows.setdefault(name, {"vpt_steps": [], "one_step": [], "fit_s": [],
                                         "paper_ops": [], "full_ops": []})
            row["vpt_steps"] += result.vpt_steps[:, 0].tolist()
            row["one_step"].append(result.one_step_nrmse)
            row["fit_s"].append(result.fit_seconds)
            paper, full = operations_per_step(made_models[name], result.evaluations[0])
            row["paper_ops"].append(paper)
            row["full_ops"].append(full)
    print(f"\n{system} (dt = {dt}, {args.seeds} seeds x {args.windows} windows, "
          f"VPT at NRMSE 0.4, horizon {args.horizon})")
    print(f"  {'model':<26} {'VPT steps: median [quartiles]':<32} {'Lyapunov times':<16} "
          f"{'1-step NRMSE':<13} {'fit s':<7} {'vs AR':<7} {'SOPs/step':<11} ops/step (full)")
    ar = np.median(rows["AR"]["vpt_steps"])
    for name, row in rows.items():
        vpt = np.array(row["vpt_steps"])
        q1, med, q3 = np.percentile(vpt, [25, 50, 75])
        lt = f"{med * dt * exponent:.2f}" if exponent else "-"
        row.update(median=med, quartiles=(q1, q3), lyapunov_times=med * dt * exponent
                   if exponent else None, ratio_to_ar=med / ar if ar > 0 else None)
        cells = f"{med:>6.0f} [{q1:.0f}, {q3:.0f}]"
        print(f"  {name:<26} {cells:<32} {lt:<16} "
              f"{np.median(row['one_step']):<13.4f} {np.mean(row['fit_s']):<7.1f} "
              f"{med / ar if ar > 0 else float('inf'):<7.2f} "
              f"{np.median(row['paper_ops']):<11,.0f} {np.median(row['full_ops']):,.0f}")
    return rows


def plot(results, path):
    """Median VPT (Lyapunov times where known, else steps) with quartiles, per system
    and model, as grouped bars; written to ``path``."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    names = list(dict.fromkeys(n for rows in results.values() for n in rows))
    fig, ax = plt.subplots(figsize=(11, 4.2))
    width = 0.8 / len(names)
    for i, name in enumerate(names):
        labelled = False
        for j, (system, rows) in enumerate(results.items()):
            if name not in rows:
                continue
            exponent = lyapunov_exponent(system)
            unit = DEFAULT_DT[system] * exponent if exponent else 0.01
            med, (q1, q3) = rows[name]["median"] * unit, np.multiply(rows[name]["quartiles"],
                                                                     unit)
            ax.bar(j + (i - len(names) / 2 + 0.5) * width, med, width,
                   yerr=[[med - q1], [q3 - med]], color=plt.cm.tab10(i), capsize=2,
                   label=None if labelled else name)
            labelled = True
    ax.set_xticks(range(len(results)), [s.replace("_", " ") for s in results])
    ax.set_ylabel("valid prediction time [Lyapunov times]\n(no known exponent: steps / 100)")
    ax.set_title("Closed-loop forecasts: median and quartiles over seeds x windows "
                 "(NRMSE threshold 0.4)")
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def protocol_parser(doc, *, systems, seeds, out, figure=True):
    """The arguments every forecasting benchmark here shares (``--systems``,
    ``--seeds``, ``--windows``, ``--horizon``, ``--out``; ``--plot-only`` if it
    draws a figure)."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--systems", default=systems)
    parser.add_argument("--seeds", type=int, default=seeds)
    parser.add_argument("--windows", type=int, default=3)
    parser.add_argument("--horizon", type=int, default=300)
    parser.add_argument("--out", default=out)
    if figure:
        parser.add_argument("--plot-only", metavar="JSON",
                            help="only draw the figure of an earlier run's results")
    return parser


def run_and_save(args, run_system, plot=None):
    """``run_system(system, args)`` for every system, the results written to ``args.out``
    (JSON) and, with ``plot``, drawn to the same name ending in ``.png``; with
    ``--plot-only JSON`` only the figure of an earlier run is drawn."""
    if getattr(args, "plot_only", None):
        with open(args.plot_only) as handle:
            plot(json.load(handle)["results"], args.plot_only.replace(".json", ".png"))
        return
    began = time.perf_counter()
    results = {system: run_system(system, args) for system in args.systems.split(",")}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as handle:
        json.dump({"args": vars(args), "results": results}, handle, indent=1, default=float)
    if plot is not None:
        plot(results, args.out.replace(".json", ".png"))
    print(f"\n{time.perf_counter() - began:.0f} s; written to {args.out}"
          + (" and its .png" if plot is not None else ""))


def main(argv=None):
    parser = protocol_parser(__doc__, systems=",".join(SYSTEMS), seeds=3,
                             out="results/bench_forecast.json")
    parser.add_argument("--esn", action="store_true", help="add a tuned ReservoirPy ESN")
    parser.add_argument("--esn-units", type=int, default=500)
    run_and_save(parser.parse_args(argv), run_system, plot)


if __name__ == "__main__":
    main()
