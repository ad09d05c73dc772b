"""Lyapunov noise pruning against activity pruning and random networks on Lorenz63.

For every seed: a default reservoir's network (``build_network``) is pruned
without looking at any task by LNP (``--n-iter`` iterations keeping
``--density`` of the synapses each), by activity pruning (AP, removing
``1 - sqrt(density)`` of the neurons per iteration, input neurons
included, so that the synapse count falls about as fast) and replaced by a random network with LNP's
final neuron and synapse counts. Each network then serves a ``Forecaster``
(STDP, ridge readout) on Lorenz63: ``--n-train`` training steps, then
closed-loop forecasts of ``--horizon`` steps after 100 true ones (the
paper's protocol is ``--n-train 500 --horizon 100 --windows 1``). Printed per
method: synapses, SOPs per forecast step, forecast NRMSE over the horizon,
VPT at 0.4 in Lyapunov times, and memory capacity (50 delays, i.i.d. input)
from spikes and from potentials; mean ± std over seeds. Writes
lnp_pruning.json and lnp_pruning.png (the evolution over LNP iterations).

    python examples/lnp_pruning.py [--n-neurons 500] [--seeds 5] [--n-iter 4] [--network chrsnn]
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np

DT = 0.02


def evaluate(network, series, seed, args):
    from hrsnn import Forecaster, Reservoir
    from hrsnn.evaluation import evaluate_forecaster
    model = Forecaster(Reservoir(network=network, random_state=seed))
    result = evaluate_forecaster(model, series, n_train=args.n_train, n_starts=args.windows,
                                 horizon=args.horizon, warmup=100)
    starts = result.starts
    truth = np.stack([series[s:s + args.horizon] for s in starts])
    error = np.sqrt(np.mean((result.forecasts - truth) ** 2, axis=(1, 2)))
    return {"n_neurons": network.n_neurons, "n_synapses": network.n_synapses,
            "sops_per_step": float(np.mean(result.sops_per_step(network.out_degree()))),
            "forecast_nrmse": float(np.mean(error / series.std())),
            "vpt_lt": float(np.median(result.vpt_lyapunov(DT, 0.9056)[:, 1])),
            **memory(network, seed)}


def memory(network, seed):
    """Task-agnostic quality: memory capacity (50 delays) from spikes and potentials.

    The i.i.d. input drives every input channel of the network (a network
    built for Lorenz63 has 3), so each neuron sees the sum of its channels'
    weights.
    """
    from hrsnn import Reservoir
    from hrsnn.metrics import memory_capacity
    from hrsnn.studies import memory_capacity_inputs
    u_fit, u = memory_capacity_inputs(seed, 3000, 1000)
    every = np.ones(network.n_inputs)
    reservoir = Reservoir(network=network, random_state=seed).fit((u_fit[:, None] * every)[None])
    run = reservoir.run(u[:, None] * every, record_spikes=False, record_v=True)
    return {name: memory_capacity(getattr(run, feature), u, k_max=50).total
            for name, feature in (("mc", "states"), ("mc_v", "v"))}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-neurons", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--n-iter", type=int, default=4)
    ap.add_argument("--density", type=float, default=0.45)
    ap.add_argument("--n-train", type=int, default=2000)
    ap.add_argument("--horizon", type=int, default=300)
    ap.add_argument("--windows", type=int, default=3)
    ap.add_argument("--network", choices=("hrsnn", "chrsnn"), default="hrsnn",
                    help="the grid network or the clustered one (build_clustered_network)")
    ap.add_argument("--out", default="results")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from data_loaders import lorenz63
    from hrsnn import build_network
    from hrsnn.clustered import build_clustered_network
    from hrsnn.pruning import activity_prune, lnp, random_like
    build = build_network if args.network == "hrsnn" else build_clustered_network

    series = lorenz63(args.n_train + args.windows * (100 + args.horizon), dt=DT,
                      random_state=0)
    rows, histories = {"dense": [], "LNP": [], "AP": [], "random": []}, []
    began = time.perf_counter()
    for seed in range(args.seeds):
        dense = build(args.n_neurons, 3, seed)
        pruned = lnp(dense, n_iter=args.n_iter, density=args.density, random_state=seed)
        activity = activity_prune(dense, n_iter=args.n_iter, keep_inputs=False,
                                  fraction=1 - np.sqrt(args.density), random_state=seed)
        networks = {"dense": dense, "LNP": pruned.network, "AP": activity.network,
                    "random": random_like(pruned.network, template=dense, random_state=seed)}
        for name, network in networks.items():
            rows[name].append(evaluate(network, series, seed, args))
        histories.append(pruned.history)
        print(f"seed {seed} done ({time.perf_counter() - began:.0f} s)", flush=True)
    keys = ("n_neurons", "n_synapses", "sops_per_step", "forecast_nrmse", "vpt_lt", "mc",
            "mc_v")
    print(f"\nLorenz63, {args.network}, N = {args.n_neurons}, {args.seeds} seeds, "
          f"LNP {args.n_iter} x "
          f"density {args.density}; mean ± std")
    print(f"{'method':8s}" + "".join(f"{k:>24s}" for k in keys))
    for name, runs in rows.items():
        cells = [f"{np.mean([r[k] for r in runs]):11.4g} ± {np.std([r[k] for r in runs]):9.3g}"
                 for k in keys]
        print(f"{name:8s}" + "".join(f"{c:>24s}" for c in cells))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = "lnp_pruning" if args.network == "hrsnn" else "lnp_pruning_chrsnn"
    (out / f"{name}.json").write_text(json.dumps(
        {"args": vars(args), "results": rows, "lnp_histories": histories}, indent=1))
    fig, axes = plt.subplots(1, 3, figsize=(11, 3))
    for history in histories:
        it = [h["iteration"] for h in history]
        for ax, key in zip(axes, ("n_neurons", "n_synapses", "sops_per_step")):
            ax.plot(it, [h[key] for h in history], marker="o")
            ax.set_xlabel("LNP iteration")
            ax.set_ylabel(key)
    fig.tight_layout()
    fig.savefig(out / f"{name}.png", dpi=120)
    print(f"saved {out / (name + '.json')} and {out / (name + '.png')}")


if __name__ == "__main__":
    main()
