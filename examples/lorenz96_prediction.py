"""Lorenz96 forecasting: the single-scale system and the three-tier multiscale one.

* Single scale: ``n_vars`` = 40, forcing F = 8, dt = 0.01 (lambda_max ~ 1.68).
* Multiscale (Thornes et al. 2017, SPEC section 7): the 8 slow X variables are
  observed and forecast; the fast Y and Z tiers act as unresolved dynamics.

For each, a ``Forecaster`` and a linear autoregressive baseline are trained
on the same series and scored on 5 later windows (one-step NRMSE, closed-loop
VPT at thresholds 0.1 and 0.4). Writes ``results/lorenz96_prediction.png`` and
``results/lorenz96_prediction.json``.

Run: ``python examples/lorenz96_prediction.py [--seeds 2] [--n-neurons 1000]``
"""

import argparse
import json
from pathlib import Path

import numpy as np

from data_loaders import LYAPUNOV_EXPONENTS, lorenz96, multiscale_lorenz96
from hrsnn import Forecaster, Reservoir
from hrsnn.evaluation import compare_forecasters
from hrsnn.readout import AutoregressiveRidge

N_TRAIN, HORIZON, WARMUP, STARTS = 3000, 200, 100, 5


def systems():
    n_total = N_TRAIN + STARTS * (HORIZON + WARMUP)
    return {
        "lorenz96 (40 variables, F=8)": (lorenz96(n_total, dt=0.01, random_state=0), 0.01,
                                         LYAPUNOV_EXPONENTS["lorenz96"]),
        # samples 0.02 apart, each 4 RK4 steps of 0.005 (the SPEC's integration step)
        "multiscale lorenz96 (X tier)": (multiscale_lorenz96(n_total, dt=0.02, substeps=4,
                                                             random_state=0), 0.02, None),
    }


def score(name, series, dt, lyapunov, n_neurons, seeds):
    models = {"hrsnn": lambda s: Forecaster(Reservoir(n_neurons, random_state=s)),
              "linear AR": lambda s: AutoregressiveRidge()}
    results = compare_forecasters(models, series, seeds, deterministic=["linear AR"],
                                  n_train=N_TRAIN, n_starts=STARTS, horizon=HORIZON,
                                  warmup=WARMUP)
    rows = {}
    for model_name, result in results.items():
        vpt = result.vpt_steps
        first = result.evaluations[0]
        rows[model_name] = {
            "one_step_nrmse": result.one_step_nrmse,
            "vpt_time_0.1": float(np.median(vpt[:, 0]) * dt),
            "vpt_time_0.4": float(np.median(vpt[:, 1]) * dt),
            "forecast": first.forecasts[0], "start": int(first.starts[0])}
        unit = ("" if lyapunov is None else
                f" = {np.median(vpt[:, 1]) * dt * lyapunov:.2f} Lyapunov times")
        print(f"  {model_name:<10} one-step NRMSE {rows[model_name]['one_step_nrmse']:.4f}  "
              f"VPT {rows[model_name]['vpt_time_0.1']:.2f} (0.1), "
              f"{rows[model_name]['vpt_time_0.4']:.2f} (0.4) time units{unit}")
    return rows


def plot(results, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(len(results), 3, figsize=(12, 3.2 * len(results)), squeeze=False)
    for row, (name, (series, dt, rows)) in zip(axes, results.items()):
        start = rows["hrsnn"]["start"]
        truth = series[start:start + HORIZON]
        time = np.arange(HORIZON) * dt
        for label, ax in zip(("truth", "hrsnn", "linear AR"), row):
            image = truth if label == "truth" else rows[label]["forecast"]
            shown = ax.imshow(image.T, aspect="auto", cmap="RdBu_r", origin="lower",
                              extent=(0, time[-1], 0, series.shape[1]),
                              vmin=series.min(), vmax=series.max(), interpolation="nearest")
            fig.colorbar(shown, ax=ax, label="value (colours cut at the data's range)")
            ax.set(title=f"{name}: {label}", xlabel=f"time (units of the system; dt = {dt:g})",
                   ylabel="variable index")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--n-neurons", type=int, default=1000)
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    results, report = {}, {}
    for name, (series, dt, lyapunov) in systems().items():
        print(f"{name}: train {N_TRAIN} steps of dt={dt}, {STARTS} windows x {args.seeds} seeds")
        rows = score(name, series, dt, lyapunov, args.n_neurons, range(args.seeds))
        results[name] = (series, dt, rows)
        report[name] = {m: {k: v for k, v in r.items() if k not in ("forecast", "start")}
                        for m, r in rows.items()}
    plot(results, out / "lorenz96_prediction.png")
    (out / "lorenz96_prediction.json").write_text(json.dumps(report, indent=2))
    print(f"wrote {out}/lorenz96_prediction.png and .json")


if __name__ == "__main__":
    main()
