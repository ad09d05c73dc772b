"""Lyapunov noise pruning against activity pruning and random networks on Lorenz63.

For every seed: a default reservoir's network (``build_network``, or the
clustered CHRSNN with ``--network chrsnn``) is pruned without looking at any
task by LNP (``--n-iter`` iterations keeping ``--density`` of the synapses
each), by activity pruning (AP, removing ``1 - sqrt(density)`` of the neurons
per iteration, input neurons included, so that the synapse count falls about
as fast) and replaced by a random network with LNP's final neuron and
synapse counts. With ``--retune`` LNP's network also gets its membrane
time-constant distributions re-tuned towards the unpruned network's leading
Lyapunov exponents (LNP step IV, ``retune_timescales``), as "LNP+retune".

Each network then serves a ``Forecaster`` (STDP, ridge readout) on Lorenz63:
``--n-train`` training steps, then closed-loop forecasts of ``--horizon``
steps after 100 true ones (the paper's protocol is ``--n-train 500 --horizon
100 --windows 1``). Printed per method: synapses, SOPs per forecast step,
forecast NRMSE over the horizon, VPT at 0.4 in Lyapunov times, and memory
capacity (50 delays, i.i.d. input) from spikes and from potentials; mean ±
sample std over seeds. The forecast is also scored after every LNP and AP
iteration (the paper's Fig. 10 a-c).

Writes, in ``--out``, ``<name>.json`` (every number), ``<name>.png`` (neurons,
synapses, SOPs per simulation step on the pruning's i.i.d. reference input
and forecast NRMSE against the pruning iteration),
``<name>_methods.png`` (the methods side by side) and
``<name>_timescales.png`` (membrane time constants before and after), where
``<name>`` says the network, size and protocol.

    python examples/lnp_pruning.py [--n-neurons 500] [--seeds 5] [--n-iter 4] [--network chrsnn] [--retune]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

DT = 0.02
#: Measurements of every method, in the order printed.
KEYS = ("n_neurons", "n_synapses", "sops_per_step", "forecast_nrmse", "vpt_lt", "mc", "mc_v")
LABELS = {"n_neurons": "neurons", "n_synapses": "synapses", "sops_per_step": "SOPs per step",
          "forecast_nrmse": "forecast NRMSE", "vpt_lt": "VPT (Lyapunov times)",
          "mc": "MC (spike states)", "mc_v": "MC (potentials)"}


def lorenz_scores(network, series, seed, args):
    """Forecast scores of ``network`` on the study's protocol (``--n-train`` ...)."""
    from hrsnn.studies import forecast_scores
    return forecast_scores(network, series, seed, n_train=args.n_train, horizon=args.horizon,
                           windows=args.windows, dt=DT)


def prune_seed(dense, seed, args):
    """The pruned networks of one seed: ``{method: PruningResult or Network}``."""
    from hrsnn.pruning import activity_prune, lnp, random_like, retune_timescales
    pruned = lnp(dense, n_iter=args.n_iter, density=args.density, random_state=seed)
    activity = activity_prune(dense, n_iter=args.n_iter, keep_inputs=False,
                              fraction=1 - np.sqrt(args.density), random_state=seed)
    methods = {"dense": dense, "LNP": pruned, "AP": activity,
               "random": random_like(pruned.network, template=dense, random_state=seed)}
    if args.retune:
        methods["LNP+retune"] = retune_timescales(pruned.network, reference=dense,
                                                  n_iter=args.retune_iter, random_state=seed)
    return methods


def study_seed(seed, series, build, args):
    """Records, per-iteration evolution rows and time constants of one seed."""
    from hrsnn.studies import memory_scores
    methods = prune_seed(build(args.n_neurons, 3, seed), seed, args)
    records, evolution, timescales = [], [], {}
    for name, result in methods.items():
        network = getattr(result, "network", result)
        records.append({"variant": name, "seed": seed,
                        **lorenz_scores(network, series, seed, args),
                        **memory_scores(network, seed)})
        timescales[name] = {"exc": network.tau_m[network.is_exc].tolist(),
                            "inh": network.tau_m[~network.is_exc].tolist()}
    final = {r["variant"]: r for r in records}
    for name in ("LNP", "AP"):
        for row, network in zip(methods[name].history, methods[name].networks):
            if row["iteration"] == 0:
                scores = final["dense"]                  # the same network, already scored
            elif row["iteration"] == args.n_iter:
                scores = final[name]
            else:
                scores = lorenz_scores(network, series, seed, args)
            evolution.append({"method": name, "seed": seed, **row,
                              "forecast_nrmse": scores["forecast_nrmse"]})
    return records, evolution, timescales


def print_table(summary, title):
    print(f"\n{title}")
    print(f"{'method':11s}" + "".join(f"{k:>24s}" for k in KEYS))
    for name, stats in summary.items():
        cells = [f"{stats[k].mean:11.4g}" + ("" if stats[k].n < 2 else f" ± {stats[k].std:9.3g}")
                 for k in KEYS]
        print(f"{name:11s}" + "".join(f"{c:>24s}" for c in cells))


def plot_evolution(evolution, path, caption):
    """Neurons, synapses, SOPs and forecast NRMSE against the pruning iteration."""
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator
    keys = ("n_neurons", "n_synapses", "sops_per_step", "forecast_nrmse")
    fig, axes = plt.subplots(1, len(keys), figsize=(13, 3.3))
    for method, colour in (("LNP", "tab:blue"), ("AP", "tab:orange")):
        rows = [r for r in evolution if r["method"] == method]
        iterations = sorted({r["iteration"] for r in rows})
        for ax, key in zip(axes, keys):
            values = np.array([[r[key] for r in rows if r["iteration"] == i] for i in iterations])
            std = values.std(axis=1, ddof=1) if values.shape[1] > 1 else None
            ax.errorbar(iterations, values.mean(axis=1), yerr=std, marker="o", capsize=3,
                        color=colour, label=method)
            ax.set_xlabel("pruning iteration")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.set_title(LABELS[key] + (" (reference input)" if key == "sops_per_step" else ""),
                         fontsize=10)
    axes[0].legend()
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_methods(records, path, caption):
    import matplotlib.pyplot as plt

    from hrsnn.plotting import plot_study
    fig = plot_study(records, metrics=("sops_per_step", "forecast_nrmse", "vpt_lt", "mc", "mc_v"),
                     labels=LABELS)
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def plot_timescales(timescales, path, caption):
    """Histograms of tau_m (E and I, pooled over seeds) of every method's network.

    The random networks have LNP's neurons, so they are not drawn apart.
    """
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, 2, figsize=(10, 3.3), sharey=True)
    bins = np.geomspace(1.0, 300.0, 31)
    for ax, kind in zip(axes, ("exc", "inh")):
        for name in (n for n in timescales[0] if n != "random"):
            tau = np.concatenate([seed[name][kind] for seed in timescales])
            label = f"{name} (n = {tau.size})" + (" = random" if name == "LNP" else "")
            ax.hist(tau, bins=bins, histtype="step", weights=np.full(tau.size, 1 / tau.size),
                    linewidth=1.5, label=label)
        ax.set_xscale("log")
        ax.set_xlabel(r"membrane time constant $\tau_m$ (ms)")
        ax.set_title("excitatory" if kind == "exc" else "inhibitory", fontsize=10)
        ax.legend(fontsize=7)
    axes[0].set_ylabel("fraction of neurons per bin")
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--n-neurons", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--n-iter", type=int, default=4, help="LNP and AP iterations")
    ap.add_argument("--density", type=float, default=0.45,
                    help="fraction of synapses LNP keeps per iteration")
    ap.add_argument("--n-train", type=int, default=2000, help="training steps of Lorenz63")
    ap.add_argument("--horizon", type=int, default=300, help="closed-loop forecast steps")
    ap.add_argument("--windows", type=int, default=3, help="forecast windows per seed")
    ap.add_argument("--network", choices=("hrsnn", "chrsnn"), default="hrsnn",
                    help="the grid network or the clustered one (build_clustered_network)")
    ap.add_argument("--retune", action="store_true",
                    help="also re-tune LNP's time constants (LNP step IV)")
    ap.add_argument("--retune-iter", type=int, default=20, help="optimiser evaluations")
    ap.add_argument("--out", default="results", help="folder of the JSON and figures")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    import matplotlib
    matplotlib.use("Agg")

    from data_loaders import lorenz63
    from hrsnn import build_network
    from hrsnn.clustered import build_clustered_network
    from hrsnn.studies import summarize
    build = build_network if args.network == "hrsnn" else build_clustered_network

    series = lorenz63(args.n_train + args.windows * (100 + args.horizon), dt=DT,
                      random_state=0)
    records, evolution, timescales = [], [], []
    began = time.perf_counter()
    for seed in range(args.seeds):
        seed_records, seed_evolution, seed_timescales = study_seed(seed, series, build, args)
        records += seed_records
        evolution += seed_evolution
        timescales.append(seed_timescales)
        print(f"seed {seed} done ({time.perf_counter() - began:.0f} s)", flush=True)
    caption = (f"Lorenz63, {args.network.upper()}, N = {args.n_neurons}, train {args.n_train}, "
               f"horizon {args.horizon} x {args.windows}; LNP {args.n_iter} x density "
               f"{args.density}; mean ± sample std over {args.seeds} seed"
               + ("s" if args.seeds != 1 else ""))
    print_table(summarize(records, KEYS), caption)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = (f"lnp_pruning_{args.network}_n{args.n_neurons}_train{args.n_train}"
            f"_h{args.horizon}")
    (out / f"{name}.json").write_text(json.dumps(
        {"args": vars(args), "results": records, "evolution": evolution,
         "timescales": timescales}, indent=1))
    plot_evolution(evolution, out / f"{name}.png", caption)
    plot_methods(records, out / f"{name}_methods.png", caption)
    plot_timescales(timescales, out / f"{name}_timescales.png", caption)
    print(f"saved {out / name}.json, .png, _methods.png and _timescales.png")


if __name__ == "__main__":
    main()
