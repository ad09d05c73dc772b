"""Optimise MC/S of a 500-neuron HeNHeS reservoir over parameter distributions.

``WassersteinBO`` searches the gamma distributions (shape, mean) of E and I
``tau_m``, ``v_th`` and the STDP ``tau_plus``, ``tau_minus``, ``eta_plus``,
``eta_minus`` (14 numbers), with a GP whose Matérn kernel works on
Wasserstein distances between candidates. The objective is the paper's
spike efficiency MC / (S / N). The run is checkpointed: kill it and run the
script again with ``--resume`` to continue.

Prints the found distributions and MC, S and MC/S of the best candidate
against the default ("biologically inspired") one, re-measured on a
reservoir seed not used during the search; writes
``results/bo_convergence.png``, ``results/bo_distributions.png`` and
``results/bo_result.json``.

Run: ``python examples/bayesian_optimization.py [--n-iter 30] [--n-jobs 1] [--resume]``
"""

import argparse
import json
from pathlib import Path

from hrsnn.optimize import MemoryCapacityObjective, SearchSpace, WassersteinBO
from hrsnn.plotting import plot_convergence, plot_distributions
from hrsnn.studies import memory_capacity_record


def measure(space, candidate, seed):
    record = memory_capacity_record("HeNHeS", seed, n_neurons=500,
                                    **space.to_reservoir_params(candidate))
    return {key: record[key] for key in ("mc", "spikes", "mc_per_spike", "rate_hz")}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n-iter", type=int, default=30)
    parser.add_argument("--n-jobs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--out", default="results")
    args = parser.parse_args()
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    checkpoint = out / "bo_checkpoint.jsonl"

    if args.resume:
        bo = WassersteinBO.resume(checkpoint, progress=True)
        print(f"resumed {checkpoint}: {len(bo.history_)} evaluations finished")
    else:
        checkpoint.unlink(missing_ok=True)
        bo = WassersteinBO(SearchSpace.default(), n_initial=8, n_jobs=args.n_jobs,
                           checkpoint=checkpoint, random_state=args.seed, progress=True)
    objective = MemoryCapacityObjective("mc_per_spike", n_neurons=500, seed=args.seed)
    bo.optimize(objective, args.n_iter)

    space, best = bo.space, bo.best_
    initial = space.initial_candidate()
    failed = sum(r["status"] == "failed" for r in bo.history_)
    print(f"\n{len(bo.history_)} evaluations ({failed} failed); best MC/S "
          f"{best['value']:.4g} at evaluation {best['index']}")
    for name, value in best["candidate"].items():
        print(f"  {name:<10} {value!r:<32} (initial {initial[name]!r})")
    held_out = args.seed + 1000
    rows = {"initial": measure(space, initial, held_out),
            "found": measure(space, best["candidate"], held_out)}
    print(f"\nre-measured on reservoir seed {held_out} (not used in the search):")
    print(f"{'':<8}{'MC':>8}{'S':>10}{'MC/(S/N)':>12}{'rate Hz':>9}")
    for label, row in rows.items():
        print(f"{label:<8}{row['mc']:>8.3f}{row['spikes']:>10.0f}{row['mc_per_spike']:>12.4g}"
              f"{row['rate_hz']:>9.2f}")

    plot_convergence(bo.history_, objective="spike efficiency MC / (S / N)").savefig(
        out / "bo_convergence.png", dpi=120)
    plot_distributions(best["candidate"], initial).savefig(out / "bo_distributions.png",
                                                            dpi=120)
    (out / "bo_result.json").write_text(json.dumps({
        "best_value": best["value"], "best_index": best["index"],
        "best": {k: repr(v) for k, v in best["candidate"].items()},
        "held_out_seed": held_out, "measured": rows}, indent=2))
    print(f"wrote {out}/bo_convergence.png, bo_distributions.png, bo_result.json")


if __name__ == "__main__":
    main()
