"""Defaults, tuned hrsnn and tuned ESN side by side, with the same tuning budget.

For each system and seed: 2,000 training steps, ``--windows`` test windows of
300 steps after 100 true warm-up steps (the protocol of ``bench_forecast.py``).

* ``hrsnn defaults``: ``Forecaster(random_state=seed)``;
* ``hrsnn tuned``: :func:`hrsnn.optimize.tune_forecaster` with ``--budget``
  evaluations on the training part (membrane time constants, thresholds,
  ``w_in``, ``w_scale``, ``tau_readout``; each evaluation a Forecaster fit
  scored by its closed-loop validation forecasts);
* ``ESN tuned``: ``bench_tasks``' ESN forecaster (``--esn-units``), ``--budget``
  configurations drawn from its grid (spectral radius, leak, input scaling,
  bias), each scored by its closed-loop validation forecasts on the training
  part of the same seed; the best one is tested.

Prints median [quartiles] of the VPT (NRMSE 0.4, Lyapunov times) over seeds x
windows and the mean tuning time; writes ``results/bench_tune.json``.

Usage::

    python benchmarks/bench_tune.py                        # ~10 min
    python benchmarks/bench_tune.py --systems lorenz63 --seeds 1 --budget 6
"""

import itertools
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_forecast import (N_TRAIN, WARMUP, lyapunov_exponent, protocol_parser,  # noqa: E402
                            run_and_save)
from bench_tasks import ESN_GRID, ESNForecaster  # noqa: E402
from data_loaders import DEFAULT_DT, load_system  # noqa: E402
from hrsnn import Forecaster  # noqa: E402
from hrsnn.evaluation import evaluate_forecaster  # noqa: E402
from hrsnn.optimize import tune_forecaster  # noqa: E402


def tuned_esn(train, seed, units, budget):
    """The best of ``budget`` ESN configurations by closed-loop validation on ``train``."""
    grid = list(itertools.product(*ESN_GRID.values()))
    picks = np.random.default_rng(seed).choice(len(grid), budget, replace=False)
    configs = [dict(zip(ESN_GRID, grid[i])) for i in picks]
    scores = [ESNForecaster(units, seed, **c).fit(train).validation_score_ for c in configs]
    return ESNForecaster(units, seed, **configs[int(np.argmax(scores))])


def run_system(system, args):
    lyapunov_step = DEFAULT_DT[system] * lyapunov_exponent(system)
    n_steps = N_TRAIN + args.windows * (WARMUP + args.horizon)
    rows = {name: {"vpt": [], "tune_s": []} for name in
            ("hrsnn defaults", "hrsnn tuned", "ESN tuned")}
    for seed in range(args.seeds):
        series = load_system(system, n_steps, random_state=seed).reshape(n_steps, -1)
        train = series[:N_TRAIN]
        began = time.perf_counter()
        tuned, _ = tune_forecaster(Forecaster(random_state=seed), train, n_iter=args.budget,
                                   n_initial=min(8, args.budget), random_state=seed)
        hrsnn_seconds = time.perf_counter() - began
        began = time.perf_counter()
        esn = tuned_esn(train, seed, args.esn_units, args.budget).fit(train)
        esn_seconds = time.perf_counter() - began
        models = {"hrsnn defaults": (Forecaster(random_state=seed), True, 0.0),
                  "hrsnn tuned": (tuned, False, hrsnn_seconds),
                  "ESN tuned": (esn, False, esn_seconds)}
        for name, (model, fit, seconds) in models.items():
            result = evaluate_forecaster(model, series, n_train=N_TRAIN, n_starts=args.windows,
                                         horizon=args.horizon, warmup=WARMUP,
                                         thresholds=(0.4,), fit=fit)
            rows[name]["vpt"] += (result.vpt_steps[:, 0] * lyapunov_step).tolist()
            rows[name]["tune_s"].append(seconds)
    print(f"\n{system}: VPT [Lyapunov times] at NRMSE 0.4, median [quartiles] over "
          f"{args.seeds} seeds x {args.windows} windows; tuning budget {args.budget}")
    for name, row in rows.items():
        q1, med, q3 = np.percentile(row["vpt"], [25, 50, 75])
        row.update(median=med, quartiles=(q1, q3))
        print(f"  {name:<16} {med:.2f} [{q1:.2f}, {q3:.2f}]   tuning {np.mean(row['tune_s']):.0f} s")
    return rows


def main(argv=None):
    parser = protocol_parser(__doc__, systems="lorenz63,mackey_glass", seeds=2,
                             out="results/bench_tune.json", figure=False)
    parser.add_argument("--budget", type=int, default=12)
    parser.add_argument("--esn-units", type=int, default=500)
    run_and_save(parser.parse_args(argv), run_system)


if __name__ == "__main__":
    main()
