"""DPAP on the reservoir against LNP, activity pruning and random networks at equal sparsity.

For every seed a default network is pruned by DPAP during ``--epochs``
STDP passes over the task's training inputs (``hrsnn.pruning.dpap_prune``:
trace-based BCM on the E->E synapses, the dendritic-spine measure on the
excitatory neurons). The other methods are then brought to DPAP's synapse
count: LNP in one iteration whose density is adjusted until its synapse
count is within 5 % of DPAP's, activity pruning (AP, least active neurons,
input neurons included) with the removal fraction found by bisection, and a
random network on DPAP's neurons with DPAP's synapse count. Every network,
the dense one too, is then fitted the same way (STDP, ridge readout).

Tasks (``--task``): Lorenz63 (``--n-train`` steps, closed-loop forecasts of
``--horizon`` steps in ``--windows`` windows; forecast NRMSE, VPT, SOPs per
step, memory capacity) or the 8x8 digits (the default classifier's
settings, a stratified 70/30 split; test accuracy and SOPs per sample).
Mean ± sample std over ``--seeds``. Writes ``dpap_reservoir_<task>_n<N>.json``
and a ``.png`` of the methods side by side into ``--out``.

    python examples/dpap_reservoir.py [--task lorenz63|digits] [--n-neurons 500] [--seeds 5]
"""

import argparse
import json
import time
from pathlib import Path

DT = 0.02


def lnp_at(dense, n_synapses, seed):
    """One LNP iteration whose synapse count is within 5 % of ``n_synapses`` (or closest)."""
    from hrsnn.pruning import lnp
    density, best = n_synapses / dense.n_synapses, None
    for _ in range(4):
        network = lnp(dense, n_iter=1, density=min(density, 1.0), random_state=seed).network
        if best is None or abs(network.n_synapses - n_synapses) < abs(best.n_synapses -
                                                                       n_synapses):
            best = network
        if abs(network.n_synapses - n_synapses) <= 0.05 * n_synapses:
            break
        density *= n_synapses / max(network.n_synapses, 1)
    return best


def activity_at(dense, n_synapses, seed):
    """Activity pruning (one iteration) with the fraction that leaves about ``n_synapses``."""
    from hrsnn.pruning import activity_prune
    low, high = 0.0, 0.99
    for _ in range(12):
        fraction = (low + high) / 2
        network = activity_prune(dense, n_iter=1, fraction=fraction, keep_inputs=False,
                                 random_state=seed).network
        if network.n_synapses > n_synapses:
            low = fraction
        else:
            high = fraction
    return activity_prune(dense, n_iter=1, fraction=high, keep_inputs=False,
                          random_state=seed).network


def pruned_networks(dense, dpap_source, X_train, seed, args):
    """``{method: Network}`` of one seed, every method at DPAP's synapse count."""
    from hrsnn.pruning import dpap_prune, random_like
    dpap = dpap_prune(dpap_source, X_train, n_epochs=args.epochs, random_state=seed).network
    return {"dense": dense, "DPAP": dpap, "LNP": lnp_at(dense, dpap.n_synapses, seed),
            "AP": activity_at(dense, dpap.n_synapses, seed),
            "random": random_like(dpap, template=dense, random_state=seed)}


def lorenz_seed(seed, data, args):
    from hrsnn import build_network
    from hrsnn.studies import forecast_scores, memory_scores
    dense = build_network(args.n_neurons, 3, seed)
    networks = pruned_networks(dense, dense, data[None, :args.n_train], seed, args)
    return [{"variant": name, "seed": seed,
             **forecast_scores(network, data, seed, n_train=args.n_train, horizon=args.horizon,
                               windows=args.windows, dt=DT),
             **memory_scores(network, seed)} for name, network in networks.items()]


def digits_seed(seed, data, args):
    from hrsnn import Reservoir
    from hrsnn.classification import RESERVOIR_DEFAULTS
    from hrsnn.studies import classification_scores
    X_train, X_test, y_train, y_test = data
    settings = RESERVOIR_DEFAULTS["current"]
    builder = Reservoir(args.n_neurons, random_state=seed, stdp=False, **settings)
    source = builder.fit(X_train[:1])                 # builds the network, learns nothing
    dpap_inputs = X_train[:args.dpap_samples]
    networks = pruned_networks(source.network_, source, dpap_inputs, seed, args)
    return [{"variant": name, "seed": seed,
             **classification_scores(network, X_train, y_train, X_test, y_test, seed,
                                     **settings)}
            for name, network in networks.items()]


def task_data(task, args):
    if task == "lorenz63":
        from data_loaders import lorenz63
        return lorenz63(args.n_train + args.windows * (100 + args.horizon), dt=DT,
                        random_state=0)
    from sklearn.model_selection import train_test_split

    from hrsnn.classification import digits_dataset
    X, y = digits_dataset()
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


def parse(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0],
                                 formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    ap.add_argument("--task", choices=("lorenz63", "digits"), default="lorenz63")
    ap.add_argument("--n-neurons", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--epochs", type=int, default=20, help="DPAP's STDP passes")
    ap.add_argument("--n-train", type=int, default=2000, help="Lorenz63 training steps")
    ap.add_argument("--horizon", type=int, default=300, help="Lorenz63 forecast steps")
    ap.add_argument("--windows", type=int, default=3, help="Lorenz63 forecast windows")
    ap.add_argument("--dpap-samples", type=int, default=300,
                    help="digits: training images DPAP's passes go over")
    ap.add_argument("--out", default="results", help="folder of the JSON and the figure")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse(argv)
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hrsnn.plotting import plot_study
    from hrsnn.studies import format_summary, summarize
    data = task_data(args.task, args)
    run_seed = lorenz_seed if args.task == "lorenz63" else digits_seed
    records, began = [], time.perf_counter()
    for seed in range(args.seeds):
        records += run_seed(seed, data, args)
        print(f"seed {seed} done ({time.perf_counter() - began:.0f} s)", flush=True)
    keys = ["n_neurons", "n_synapses"] + (
        ["sops_per_step", "forecast_nrmse", "vpt_lt", "mc", "mc_v"] if args.task == "lorenz63"
        else ["sops_per_sample", "accuracy"])
    caption = (f"{args.task}, N = {args.n_neurons}, DPAP {args.epochs} epochs; every method at "
               f"DPAP's synapse count; mean ± sample std over {args.seeds} seed"
               + ("s" if args.seeds != 1 else ""))
    print(f"\n{caption}\n" + format_summary(summarize(records, keys)))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    name = f"dpap_reservoir_{args.task}_n{args.n_neurons}"
    (out / f"{name}.json").write_text(json.dumps({"args": vars(args), "results": records},
                                                 indent=1))
    fig = plot_study(records, metrics=keys[1:])
    fig.suptitle(caption, fontsize=9)
    fig.tight_layout()
    fig.savefig(out / f"{name}.png", dpi=120)
    plt.close(fig)
    print(f"saved {out / name}.json and .png")


if __name__ == "__main__":
    main()
