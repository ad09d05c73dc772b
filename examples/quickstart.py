"""Main job: a 1,000-neuron heterogeneous reservoir driven by Poisson input.

Builds an HeNHeS reservoir (gamma-distributed membrane time constants and
thresholds, STDP with per-synapse time constants and rates), learns its E->E
weights without labels by STDP on Poisson input, then simulates 1 s of new
input and prints firing statistics. Saves a spike raster with a rate histogram.

    python examples/quickstart.py [--out results] [--n-neurons 1000] [--seed 0]
"""

import argparse
import time
from pathlib import Path

import numpy as np


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="results", help="folder for the figure")
    ap.add_argument("--n-neurons", type=int, default=1000)
    ap.add_argument("--n-inputs", type=int, default=20)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hrsnn import Reservoir
    from hrsnn.plotting import plot_raster, plot_rate_histogram

    rng = np.random.default_rng(args.seed)
    # Input: 20 channels whose rates follow slow random waveforms, 1 s each
    # (200 input steps x 5 simulation steps of 1 ms), scaled to [0, max_rate].
    t = np.arange(200)[:, None]
    phases = rng.uniform(0, 2 * np.pi, (4, 1, args.n_inputs))
    periods = rng.uniform(40, 120, (4, 1, args.n_inputs))
    X = 0.5 + 0.5 * np.sin(2 * np.pi * t[None] / periods + phases)       # (4, 200, n_inputs)

    t0 = time.perf_counter()
    # weak input synapses (w_in = 0.2, threshold about 1): a neuron fires on
    # coincident input and recurrent drive, not on every input spike
    reservoir = Reservoir(n_neurons=args.n_neurons, encoding="poisson", max_rate=50.0,
                          w_in=0.2, heterogeneity="HeNHeS", random_state=args.seed)
    reservoir.fit(X[:3])                          # STDP on three sequences
    fit_s = time.perf_counter() - t0
    net = reservoir.network_
    w_before = Reservoir(**{**reservoir.get_params(), "stdp": False}).fit(X[:3]).network_.weight

    t0 = time.perf_counter()
    result = reservoir.run(X[3])                   # a new sequence, frozen weights
    run_s = time.perf_counter() - t0
    seconds = result.n_steps * result.dt / 1000.0
    rates = result.counts / seconds
    isi_cv = _mean_isi_cv(result)

    print(f"network: {net.n_neurons} neurons ({net.is_exc.sum()} E / {(~net.is_exc).sum()} I), "
          f"{net.n_synapses} recurrent synapses (mean out-degree {net.n_synapses / net.n_neurons:.2f}), "
          f"{net.in_post.size} input synapses from {net.n_inputs} Poisson channels")
    print(f"tau_m: E mean {net.tau_m[net.is_exc].mean():.1f} ms (CV {_cv(net.tau_m[net.is_exc]):.2f}), "
          f"I mean {net.tau_m[~net.is_exc].mean():.1f} ms (CV {_cv(net.tau_m[~net.is_exc]):.2f}); "
          f"v_th CV {_cv(net.v_th):.2f}")
    plastic = net.plastic
    print(f"STDP on {plastic.sum()} E->E synapses: mean weight {w_before[plastic].mean():.4f} -> "
          f"{net.weight[plastic].mean():.4f}; {np.mean(net.weight[plastic] != w_before[plastic]):.0%} changed")
    print(f"1 s of new input: {result.counts.sum()} spikes; mean rate {rates.mean():.2f} Hz "
          f"(E {rates[net.is_exc].mean():.2f}, I {rates[~net.is_exc].mean():.2f}); "
          f"silent neurons {np.mean(result.counts == 0):.1%}; mean ISI CV {isi_cv:.2f}")
    print(f"time: build + STDP on 3 s of input {fit_s:.2f} s; 1 s simulated in {run_s * 1e3:.1f} ms")

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    fig, (ax_raster, ax_hist) = plt.subplots(1, 2, figsize=(13, 4.5),
                                             gridspec_kw={"width_ratios": [3, 1]})
    plot_raster(result, net, ax=ax_raster,
                title=f"HeNHeS reservoir, {net.n_neurons} LIF neurons, Poisson input")
    plot_rate_histogram(result, net, ax=ax_hist)
    fig.tight_layout()
    path = out / "quickstart_raster.png"
    fig.savefig(path, dpi=120)
    print(f"saved {path}")


def _cv(x):
    return float(np.std(x) / np.mean(x))


def _mean_isi_cv(result):
    cvs = []
    order = np.lexsort((result.spike_steps, result.spike_neurons))
    neurons, steps = result.spike_neurons[order], result.spike_steps[order]
    for n in np.unique(neurons):
        isi = np.diff(steps[neurons == n])
        if isi.size >= 3:
            cvs.append(isi.std() / isi.mean())
    return float(np.mean(cvs)) if cvs else float("nan")


if __name__ == "__main__":
    main()
