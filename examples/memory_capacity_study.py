"""Memory capacity, spike count and spike efficiency of the four heterogeneity presets.

For every preset (HoNHoS, HoNHeS, HeNHoS, HeNHeS) and seed: a reservoir
learns its E->E weights by STDP on an i.i.d. input u ~ U(-0.5, 0.5), then
runs on a new one; ridge readouts of its filtered spike trains recall
u(t - k) for k = 1 .. k_max (MC = sum of squared correlations on held-out
steps), S counts its spikes and MC / (S / N) is the spike efficiency. Input
drive: signed weights U(-10, 10) to every neuron (see hrsnn.studies).

``--homogeneous-mean harmonic`` gives homogeneous neurons the harmonic mean
``tau_m`` (equal mean leak rate, so equal firing); ``--stdp-rule additive
--eta-scale 10 --stdp-epochs 3`` makes STDP strong enough to matter (the
paper's Lemma: heterogeneous STDP lowers S with MC unchanged).

Prints mean ± std over seeds per preset and the paired differences between
presets that differ in one factor, whatever their sign. Writes
memory_capacity_study.{png,json,csv} and memory_capacity_per_delay.png.

    python examples/memory_capacity_study.py [--n-neurons 500] [--seeds 5] [--out results]
"""

import argparse
import time
from pathlib import Path

# One factor changed at a time: (key, preset, reference preset).
PAIRS = [("mc", "HeNHoS", "HoNHoS"), ("mc", "HeNHeS", "HoNHeS"),
         ("spikes", "HoNHeS", "HoNHoS"), ("spikes", "HeNHeS", "HeNHoS"),
         ("mc_per_spike", "HeNHeS", "HoNHoS"), ("mc_v", "HeNHoS", "HoNHoS"),
         ("mc_v_per_spike", "HeNHeS", "HoNHoS"), ("mc_per_spike", "HeNHeS", "HeNHoS")]
COLUMNS = {"mc": "MC", "spikes": "S", "mc_per_spike": "MC/(S/N)", "mc_v": "MC(v)",
           "mc_v_per_spike": "MC(v)/(S/N)", "rate_hz": "rate (Hz)"}


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n-neurons", type=int, default=500)
    ap.add_argument("--seeds", type=int, default=5, help="seeds 0 .. SEEDS-1")
    ap.add_argument("--n-steps", type=int, default=3000, help="measuring input, steps")
    ap.add_argument("--k-max", type=int, default=50, help="largest delay")
    ap.add_argument("--homogeneous-mean", choices=("arithmetic", "harmonic"),
                    default="arithmetic", help="tau_m of homogeneous neurons")
    ap.add_argument("--stdp-rule", choices=("soft", "additive"), default="soft")
    ap.add_argument("--eta-scale", type=float, default=1.0,
                    help="factor on the mean STDP learning rates")
    ap.add_argument("--stdp-epochs", type=int, default=1)
    ap.add_argument("--out", default="results", help="folder for figures and records")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hrsnn import model, studies
    from hrsnn.plotting import plot_memory_capacity, plot_study

    stdp = {"homogeneous_mean": args.homogeneous_mean, "stdp_rule": args.stdp_rule,
            "stdp_epochs": args.stdp_epochs,
            **{f"{name}_mean": model.PARAMETERS[f"{name}_mean"].default * args.eta_scale
               for name in ("eta_plus", "eta_minus")}}

    t0 = time.perf_counter()
    records = studies.memory_capacity_study(
        seeds=range(args.seeds), n_neurons=args.n_neurons, n_steps=args.n_steps,
        k_max=args.k_max, progress=not args.no_progress, **stdp)
    seconds = time.perf_counter() - t0

    print(f"memory capacity study: N = {args.n_neurons}, {args.seeds} seeds, "
          f"{args.n_steps} input steps, delays 1..{args.k_max} ({seconds:.1f} s); {stdp}")
    print(studies.format_summary(studies.summarize(records), list(COLUMNS), labels=COLUMNS))
    print(studies.format_paired_differences(records, PAIRS, labels=COLUMNS))

    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    paths = list(studies.save_records(records, out / "memory_capacity_study"))
    figures = {"memory_capacity_study.png": plot_study(records, list(COLUMNS)),
               "memory_capacity_per_delay.png": plot_memory_capacity(records)}
    for name, fig in figures.items():
        fig.savefig(out / name, dpi=120, bbox_inches="tight")
        plt.close(fig)
        paths.append(out / name)
    for path in paths:
        print(f"saved {path}")


if __name__ == "__main__":
    main()
