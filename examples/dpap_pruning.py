"""DPAP in its own setting: surrogate-gradient networks on the 8x8 digits, with and without DPAP.

For every network (``--networks``: the 2-FC spiking network 64-300-10, the
convolutional one 15C3-AvgPool2-40C3-300FC-10FC, and their ReLU
counterparts) and seed, one run without and one with DPAP
(``hrsnn.pruning.DPAPCallback``: the paper's survival functions on every
hidden weight layer) on a stratified 70/30 split. Printed, mean ± sample std
over seeds: final test accuracy, pruned share of the scored layers' weights,
surviving hidden neurons, synaptic operations per test sample and the
convergence epoch (first epoch reaching the unpruned run's best test
accuracy, exactly and within 0.5 pp; "never" counts as the last epoch + 1).

``--sweep`` adds the shape of the paper's Fig. 2 G-I for the 2-FC spiking
network: final accuracy against final pruning rate for every ``(epsilon,
eta_period)`` of ``--epsilons`` x ``--eta-periods``.

Writes ``dpap_pruning.json``, ``dpap_pruning_curves.png`` (accuracy and
pruned share per epoch) and, with ``--sweep``, ``dpap_pruning_sweep.png``
into ``--out``.

    python examples/dpap_pruning.py [--networks fc_snn fc_relu] [--seeds 3] [--epochs 60] [--sweep]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

KEYS = ("accuracy", "pruned_fraction", "sops_per_sample", "convergence", "convergence_05")


def run_network(network, data, args):
    """Records of one network: without and with DPAP for every seed."""
    from hrsnn.studies.dpap import convergence_epoch, dpap_record
    records = []
    for seed in range(args.seeds):
        plain = dpap_record(network, seed, data, dpap=False, epochs=args.epochs)
        pruned = dpap_record(network, seed, data, dpap=True, epochs=args.epochs)
        for record in (plain, pruned):
            for key, tolerance in (("convergence", 0.0), ("convergence_05", 0.005)):
                epoch = convergence_epoch(record, plain, tolerance)
                record[key] = args.epochs + 1 if epoch is None else epoch
            record["variant"] = f"{network}{' + DPAP' if record['dpap'] else ''}"
        records += [plain, pruned]
        print(f"  {network} seed {seed}: accuracy {plain['accuracy']:.4f} -> "
              f"{pruned['accuracy']:.4f} with DPAP, {pruned['pruned_fraction']:.1%} pruned",
              flush=True)
    return records


def sweep(data, args):
    from hrsnn.studies.dpap import dpap_record
    return [dpap_record("fc_snn", seed, data, epochs=args.epochs, epsilon=epsilon,
                        eta_period=period)
            for epsilon in args.epsilons for period in args.eta_periods
            for seed in range(args.sweep_seeds)]


def plot_curves(records, path, caption):
    import matplotlib.pyplot as plt
    networks = sorted({r["network"] for r in records}, key=[r["network"] for r in records].index)
    fig, axes = plt.subplots(1, len(networks), figsize=(4.2 * len(networks), 3.4),
                             squeeze=False)
    for ax, network in zip(axes[0], networks):
        share = ax.twinx()
        for dpap, colour in ((False, "tab:blue"), (True, "tab:red")):
            runs = [r for r in records if r["network"] == network and r["dpap"] == dpap]
            accuracy = np.mean([r["accuracy_per_epoch"] for r in runs], axis=0)
            epochs = np.arange(1, len(accuracy) + 1)
            ax.plot(epochs, 100 * accuracy, color=colour,
                    label="with DPAP" if dpap else "without")
            if dpap:
                share.plot(epochs, 100 * np.mean([r["pruned_per_epoch"] for r in runs], axis=0),
                           color="tab:red", ls=":", label="pruned (right axis)")
        ax.set(title=network, xlabel="epoch", ylabel="test accuracy (%), mean over seeds")
        ax.set_ylim(90, 100)
        share.set(ylabel="pruned weights of the scored layers (%)", ylim=(0, 100))
        ax.legend(loc="lower right", fontsize=7)
        share.legend(loc="center right", fontsize=7)
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_sweep(points, reference, path):
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(5.5, 4))
    for epsilon in sorted({p["epsilon"] for p in points}):
        chosen = [p for p in points if p["epsilon"] == epsilon]
        ax.plot([100 * p["pruned_fraction"] for p in chosen],
                [100 * p["accuracy"] for p in chosen], "o", label=f"epsilon = {epsilon:g}")
    mean, std = 100 * np.mean(reference), 100 * np.std(reference, ddof=1)
    ax.axhspan(mean - std, mean + std, color="0.85", label="without DPAP (mean ± std)")
    ax.set(xlabel="pruned weights of the hidden layer (%)", ylabel="final test accuracy (%)",
           title="2-FC SNN on digits: accuracy against pruning rate\n"
                 "(points: seeds and eta periods)")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse(argv):
    from hrsnn.studies.dpap import NETWORKS
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--networks", nargs="+", choices=sorted(NETWORKS),
                    default=["fc_snn", "conv_snn", "fc_relu", "conv_relu"])
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--sweep", action="store_true", help="accuracy against pruning rate")
    ap.add_argument("--epsilons", type=float, nargs="+", default=[1.0, 1.25, 1.5, 1.75, 2.0])
    ap.add_argument("--eta-periods", type=float, nargs="+", default=[6.0, 13.0, 26.0])
    ap.add_argument("--sweep-seeds", type=int, default=2)
    ap.add_argument("--out", default="results", help="folder of the JSON and figures")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    import matplotlib
    matplotlib.use("Agg")

    from hrsnn.studies import format_summary, summarize
    from hrsnn.studies.dpap import digits_split, dpap_record
    data = digits_split()
    began, records = time.perf_counter(), []
    for network in args.networks:
        records += run_network(network, data, args)
        print(f"{network} done ({time.perf_counter() - began:.0f} s)", flush=True)
    caption = (f"digits (1,257 train / 540 test), {args.epochs} epochs, mean ± sample std over "
               f"{args.seeds} seed" + ("s" if args.seeds != 1 else ""))
    print(f"\n{caption}\n" + format_summary(summarize(records, KEYS)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    report = {"args": vars(args), "results": records}
    plot_curves(records, out / "dpap_pruning_curves.png", caption)
    if args.sweep:
        report["sweep"] = sweep(data, args)
        reference = [r["accuracy"] for r in records if r["variant"] == "fc_snn"] or [
            dpap_record("fc_snn", seed, data, dpap=False, epochs=args.epochs)["accuracy"]
            for seed in range(args.sweep_seeds)]
        plot_sweep(report["sweep"], reference, out / "dpap_pruning_sweep.png")
        for p in report["sweep"]:
            print(f"  epsilon {p['epsilon']:g}, eta period {p['eta_period']:g}, seed "
                  f"{p['seed']}: {p['pruned_fraction']:.1%} pruned, accuracy {p['accuracy']:.4f}")
    (out / "dpap_pruning.json").write_text(json.dumps(report, indent=1))
    print(f"saved {out}/dpap_pruning.json and figures")


if __name__ == "__main__":
    main()
