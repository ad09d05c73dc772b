"""Noise pruning keeps a network's covariance: relative error against density.

For a default network (``build_network``), its linearised rate matrix
``A = diag(1/tau) (W^T - I)`` is pruned to several densities by noise
pruning (``hrsnn.pruning.sparsify``) and by uniform random pruning with the
same ``1/p`` rescaling and diagonal compensation; the relative spectral
error of the stationary covariance, ``||C~ - C||_2 / ||C||_2``, is averaged
over seeds. Prints the table and writes noise_pruning.{png,json}.

    python examples/noise_pruning.py [--n-neurons 300] [--seeds 5] [--out results]
"""

import argparse
import json
from pathlib import Path

import numpy as np

DENSITIES = (0.1, 0.2, 0.3, 0.5, 0.7, 0.9)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-neurons", type=int, default=300)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default="results")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")

    from hrsnn import build_network
    from hrsnn.plotting import plot_pruning_error
    from hrsnn.pruning import rate_matrix, relative_covariance_error, sparsify

    net = build_network(args.n_neurons, 1, 0)
    a = rate_matrix(net.tau_m, net.weights, net.n_neurons)
    n_entries = np.count_nonzero(a - np.diag(np.diag(a)))
    errors = {"noise pruning": np.zeros((args.seeds, len(DENSITIES))),
              "random pruning": np.zeros((args.seeds, len(DENSITIES)))}
    for seed in range(args.seeds):
        for j, density in enumerate(DENSITIES):
            noise = sparsify(a, density, random_state=seed)[0]
            uniform = sparsify(a, density, probabilities=np.full(n_entries, density),
                               random_state=seed)[0]
            errors["noise pruning"][seed, j] = relative_covariance_error(a, noise)
            errors["random pruning"][seed, j] = relative_covariance_error(a, uniform)
    print(f"relative covariance error, N = {args.n_neurons}, {n_entries} synapses, "
          f"{args.seeds} seeds (mean ± std)")
    print("density   " + "   ".join(f"{name:>20s}" for name in errors))
    for j, density in enumerate(DENSITIES):
        cells = [f"{v[:, j].mean():9.4f} ± {v[:, j].std(ddof=1):7.4f}" for v in errors.values()]
        print(f"{density:7.2f}   " + "   ".join(cells))
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    plot_pruning_error(DENSITIES, errors).savefig(out / "noise_pruning.png", dpi=120,
                                                 bbox_inches="tight")
    record = {"densities": list(DENSITIES), "n_neurons": args.n_neurons,
              "errors": {k: v.tolist() for k, v in errors.items()}}
    (out / "noise_pruning.json").write_text(json.dumps(record, indent=1))
    print(f"saved {out / 'noise_pruning.png'} and {out / 'noise_pruning.json'}")


if __name__ == "__main__":
    main()
