"""Accuracy per operation: closed-loop VPT against operations per forecast step.

hrsnn ``Forecaster`` at several reservoir sizes and steps per input, ESNs of
10 to 500 units (each size tuned on validation data of seed 0, as in
``bench_forecast.py``) and the linear AR, on Lorenz63 and Mackey-Glass (2,000
training steps, ``--seeds`` x ``--windows`` windows of 300 steps). Each
model's median VPT (NRMSE 0.4) is set against its median operations per
forecast step under the two cost models of
:func:`bench_forecast.operations_per_step`:

* the papers' (synaptic operations of the spikes; an ESN or AR, which does
  not spike, has none, so on this model only hrsnn is drawn);
* the full one (synaptic operations, neuron updates, input synapses and the
  readout's multiply-adds, against the ESN's and AR's multiply-adds).

Prints one table per system, writes ``results/bench_efficiency.json`` and a
figure ``results/bench_efficiency.png`` (VPT against operations, log axis).
Memory capacity and LNP-pruned networks are not part of this front yet.

Usage::

    python benchmarks/bench_efficiency.py                  # ~10 min
    python benchmarks/bench_efficiency.py --systems lorenz63 --seeds 1
"""

import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench_forecast import (AR_LAGS, N_TRAIN, WARMUP, LaggedForecaster,  # noqa: E402
                            keeping, lyapunov_exponent, operations_per_step,
                            protocol_parser, run_and_save)
from data_loaders import DEFAULT_DT, load_system  # noqa: E402
from hrsnn import Forecaster, Reservoir  # noqa: E402
from hrsnn.evaluation import compare_forecasters  # noqa: E402

#: hrsnn configurations: (neurons, steps per input).
HRSNN_CONFIGS = ((100, 5), (300, 5), (1000, 5), (1000, 2))
ESN_SIZES = (10, 50, 100, 500)


def makers(system, args):
    """``label -> (family, make(seed))`` for every configuration."""
    made = {f"hrsnn N={n}, {steps} steps/input": (
        "hrsnn", lambda seed, n=n, steps=steps: Forecaster(
            Reservoir(n, steps_per_input=steps, random_state=seed)))
        for n, steps in HRSNN_CONFIGS}
    if not args.no_esn:
        from bench_tasks import ESNForecaster, tune_esn
        train = load_system(system, N_TRAIN, random_state=0).reshape(N_TRAIN, -1)
        for units in ESN_SIZES:
            config, _ = tune_esn(f"{system}, {units} units", lambda c, u=units: ESNForecaster(
                u, 0, **c).fit(train).validation_score_)
            made[f"ESN {units}"] = ("ESN", lambda seed, u=units, c=config: ESNForecaster(
                u, seed, **c))
    made["AR"] = ("AR", lambda seed: LaggedForecaster(AR_LAGS))
    return made


def run_system(system, args):
    exponent = lyapunov_exponent(system)
    lyapunov_step = DEFAULT_DT[system] * exponent
    n_steps = N_TRAIN + args.windows * (WARMUP + args.horizon)
    rows = {}
    made = makers(system, args)
    for seed in range(args.seeds):
        series = load_system(system, n_steps, random_state=seed).reshape(n_steps, -1)
        kept = {}
        models = keeping({label: make for label, (_, make) in made.items()}, kept)
        results = compare_forecasters(models, series, [seed], n_train=N_TRAIN,
                                      n_starts=args.windows, horizon=args.horizon,
                                      warmup=WARMUP, thresholds=(0.4,))
        for label, result in results.items():
            row = rows.setdefault(label, {"family": made[label][0], "vpt": [], "paper": [],
                                          "full": []})
            row["vpt"] += (result.vpt_steps[:, 0] * lyapunov_step).tolist()
            paper, full = operations_per_step(kept[label], result.evaluations[0])
            row["paper"].append(paper)
            row["full"].append(full)
    print(f"\n{system}: VPT [Lyapunov times], median [quartiles] over {args.seeds} seeds x "
          f"{args.windows} windows; operations per forecast step (medians)")
    print(f"  {'model':<30} {'VPT':<22} {'SOPs (papers)':>14} {'all operations':>16}")
    for label, row in rows.items():
        q1, med, q3 = np.percentile(row["vpt"], [25, 50, 75])
        row.update(median=med, quartiles=(q1, q3), paper_ops=float(np.median(row["paper"])),
                   full_ops=float(np.median(row["full"])))
        cells = f"{med:.2f} [{q1:.2f}, {q3:.2f}]"
        print(f"  {label:<30} {cells:<22} {row['paper_ops']:>14,.0f} {row['full_ops']:>16,.0f}")
    return rows


def plot(results, path):
    """VPT against operations per step, one panel per system, log x axis."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(results), figsize=(5.5 * len(results), 4.2),
                             squeeze=False)
    style = {"hrsnn": ("o", "tab:blue"), "ESN": ("s", "tab:brown"), "AR": ("^", "tab:red")}
    for ax, (system, rows) in zip(axes[0], results.items()):
        for family, (marker, colour) in style.items():
            members = sorted(((label, row) for label, row in rows.items()
                              if row["family"] == family), key=lambda m: m[1]["full_ops"])
            if not members:
                continue
            vpt = [row["median"] for _, row in members]
            ax.plot([row["full_ops"] for _, row in members], vpt, marker=marker,
                    color=colour, linestyle="-" if family == "ESN" else "none",
                    label=f"{family}: all operations" if family == "hrsnn" else
                    f"{family}: multiply-adds")
            if family == "hrsnn":
                ax.plot([row["paper_ops"] for _, row in members], vpt, marker=marker,
                        color=colour, linestyle="none", fillstyle="none",
                        label="hrsnn: synaptic operations only")
            for label, row in members:
                short = label.replace("hrsnn ", "").replace(" steps/input", " st")
                for x in ((row["full_ops"], row["paper_ops"]) if family == "hrsnn"
                          else (row["full_ops"],)):
                    if x > 0:
                        ax.annotate(short, (x, row["median"]), fontsize=6,
                                    xytext=(3, 3), textcoords="offset points")
        ax.set_xscale("log")
        ax.set_xlabel("operations per forecast step")
        ax.set_ylabel("median VPT [Lyapunov times]")
        ax.set_title(system.replace("_", "-"))
        ax.legend(fontsize=8)
    fig.suptitle("Accuracy per operation (closed loop, NRMSE threshold 0.4)")
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None):
    parser = protocol_parser(__doc__, systems="lorenz63,mackey_glass", seeds=2,
                             out="results/bench_efficiency.json")
    parser.add_argument("--no-esn", action="store_true")
    run_and_save(parser.parse_args(argv), run_system, plot)


if __name__ == "__main__":
    main()
