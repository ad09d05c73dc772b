"""Lorenz63 forecasting with a heterogeneous spiking reservoir (the paper's study).

1. The paper's protocol: train on 500 steps (dt = 0.02), forecast the next
   100 in closed loop.
2. A longer run: train on 2,000 steps, then 5 closed-loop forecasts of 300
   steps, each after 100 true warm-up steps, for several reservoir seeds.

Prints NRMSE, valid prediction time (thresholds 0.1 as in the paper, and
0.4) in steps and Lyapunov times, synaptic operations per forecast step, and
the same for a linear autoregressive baseline; writes
``results/lorenz63_prediction.png`` (trajectory), ``..._attractor.png`` and
``results/lorenz63_prediction.json``.

Run: ``python examples/lorenz63_prediction.py [--seeds 5] [--n-neurons 1000]``
"""

import argparse
import json
from pathlib import Path

import numpy as np

from data_loaders import LYAPUNOV_EXPONENTS, lorenz63
from hrsnn import Forecaster, Reservoir
from hrsnn.evaluation import compare_forecasters
from hrsnn.metrics import nrmse, synaptic_operations_from_counts, valid_prediction_time
from hrsnn.plotting import plot_forecast
from hrsnn.readout import AutoregressiveRidge

DT, LAMBDA = 0.02, LYAPUNOV_EXPONENTS["lorenz63"]


def paper_protocol(series, n_neurons, seed):
    """Train on 500 steps, forecast the next 100 (no gap, no warm-up)."""
    scale = series.std(axis=0)
    model = Forecaster(Reservoir(n_neurons, random_state=seed)).fit(series[:500])
    forecast = model.forecast(100, warmup=series[:500])   # closed loop from the training end
    truth = series[500:600]
    out_degree = model.reservoir_.network_.out_degree()
    vpt = [valid_prediction_time(truth, forecast, threshold=t, scale=scale, dt=DT,
                                 lyapunov_exponent=LAMBDA) for t in (0.1, 0.4)]
    return {"nrmse_100_steps": nrmse(truth, forecast, scale=scale),
            "vpt_steps": [int(v.steps) for v in vpt],
            "vpt_lyapunov": [float(v.lyapunov_times) for v in vpt],
            "sops_per_step": synaptic_operations_from_counts(model.forecast_counts_,
                                                             out_degree) / 100,
            "alpha": model.alpha_}, truth, forecast


def long_run(series, n_neurons, seeds):
    models = {"hrsnn": lambda s: Forecaster(Reservoir(n_neurons, random_state=s)),
              "linear AR": lambda s: AutoregressiveRidge()}
    results = compare_forecasters(models, series, seeds, deterministic=["linear AR"],
                                  n_train=2000, n_starts=5, horizon=300, warmup=100)
    rows = {}
    for name, result in results.items():
        vpt = result.vpt_lyapunov(DT, LAMBDA)
        rows[name] = {"one_step_nrmse": [e.one_step_nrmse for e in result.evaluations],
                      "vpt_lyapunov_0.1": vpt[:, 0].tolist(),
                      "vpt_lyapunov_0.4": vpt[:, 1].tolist()}
        print(f"{name:<10} one-step NRMSE {result.one_step_nrmse:.4f}   "
              f"VPT median {np.median(vpt[:, 0]):.2f} LT (0.1), "
              f"{np.median(vpt[:, 1]):.2f} LT (0.4) over {len(vpt)} forecasts")
    return rows, results["hrsnn"].evaluations


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--n-neurons", type=int, default=1000)
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    series = lorenz63(2000 + 5 * 400, dt=DT, random_state=0)

    paper, truth, forecast = paper_protocol(series, args.n_neurons, seed=0)
    print(f"Paper protocol (train 500, forecast 100): NRMSE {paper['nrmse_100_steps']:.3f}, "
          f"VPT {paper['vpt_steps'][0]} steps = {paper['vpt_lyapunov'][0]:.2f} LT (0.1), "
          f"{paper['vpt_steps'][1]} steps = {paper['vpt_lyapunov'][1]:.2f} LT (0.4), "
          f"{paper['sops_per_step']:.0f} SOPs per step")
    figure = plot_forecast(truth, forecast, dt=DT, lyapunov_exponent=LAMBDA, threshold=0.1,
                           names=("x", "y", "z"), scale=series.std(axis=0))
    figure.savefig(out / "lorenz63_prediction.png", dpi=120)

    print(f"\nLonger run: train 2000, 5 windows x {args.seeds} seeds")
    rows, evaluations = long_run(series, args.n_neurons, range(args.seeds))
    _plot_attractor(series, evaluations[0], out / "lorenz63_prediction_attractor.png")
    (out / "lorenz63_prediction.json").write_text(json.dumps(
        {"paper_protocol": paper, "long_run": rows, "dt": DT, "lyapunov_exponent": LAMBDA},
        indent=2))
    print(f"wrote {out}/lorenz63_prediction.png, ..._attractor.png and .json")


def _vpt_text(evaluation, start):
    row = list(evaluation.starts).index(start)
    return f"{evaluation.vpt_lyapunov(DT, LAMBDA)[row, -1]:.2f} LT"


def _plot_attractor(series, evaluation, path):
    """The first reservoir seed's closed-loop forecasts, projected on (x, z)."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5, 4.5))
    ax.plot(series[:2000, 0], series[:2000, 2], color="0.8", lw=0.5, label="training data")
    for start, forecast in zip(evaluation.starts, evaluation.forecasts):
        ax.plot(forecast[:, 0], forecast[:, 2], lw=0.8,
                label=f"forecast from step {start} (VPT {_vpt_text(evaluation, start)})")
    ax.set(xlabel="x", ylabel="z", title="300-step closed-loop forecasts on the (x, z) plane")
    ax.legend(loc="upper right", fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


if __name__ == "__main__":
    main()
