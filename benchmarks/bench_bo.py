"""WassersteinBO against random search (and scikit-optimize) at equal evaluation budgets.

(a) Synthetic: ``SyntheticObjective`` on the default 7-group space (14
    numbers), optimum 0 at a random target candidate.
(b) Real: the paper's MC/S of a 200-neuron HeNHeS reservoir.

Every method gets the same budget and the same seeds. Random search samples
the same box uniformly; ``skopt.gp_minimize`` (when scikit-optimize is
installed: ``pip install -e ".[bench]"``) works on the flattened unit-cube
vector of (shape, mean) pairs with its default Matérn GP. Prints mean ± std
over seeds of the best value after each budget, then the optimiser's own
overhead per proposal with 200 observations.

    python benchmarks/bench_bo.py [--seeds 5] [--budget 30] [--skip-real]
"""

import argparse
import time

import numpy as np

from hrsnn.optimize import (MemoryCapacityObjective, SearchSpace, SyntheticObjective,
                            WassersteinBO)

CHECKPOINTS = (10, 20, 30)


def best_so_far(values):
    values = np.where(np.isfinite(values), values, -np.inf)
    return np.maximum.accumulate(values)


def run_bo(space, objective, budget, seed):
    bo = WassersteinBO(space, random_state=seed).optimize(objective, budget)
    return np.array([np.nan if r["value"] is None else r["value"] for r in bo.history_])


def run_random(space, objective, budget, seed):
    candidates = space.sample(budget, random_state=seed, method="random")
    return np.array([_safe(objective, space.to_reservoir_params(c)) for c in candidates])


def run_skopt(space, objective, budget, seed):
    from skopt import gp_minimize
    values = []

    def loss(u):
        value = _safe(objective, space.to_reservoir_params(space.from_unit(np.array(u))))
        values.append(value)
        return -value if np.isfinite(value) else 1e6

    gp_minimize(loss, [(0.0, 1.0)] * space.n_dims, n_calls=budget,
                n_initial_points=min(8, budget), random_state=seed)
    return np.array(values)


def _safe(objective, params):
    try:
        value = float(objective(params))
    except Exception:  # noqa: BLE001 - a failed evaluation counts as nothing found
        return np.nan
    return value if np.isfinite(value) else np.nan


def compare(name, space, make_objective, seeds, budget, methods):
    print(f"\n{name}: best value after each budget, mean ± std over {len(seeds)} seeds")
    marks = [c for c in CHECKPOINTS if c <= budget]
    print(f"{'method':<16}" + "".join(f"{f'n={c}':>22}" for c in marks) + f"{'wall s':>9}")
    for label, run in methods.items():
        began = time.perf_counter()
        curves = np.array([best_so_far(run(space, make_objective(seed), budget, seed))
                           for seed in seeds])
        cells = "".join(f"{np.mean(curves[:, c - 1]):>12.4g} ± {np.std(curves[:, c - 1]):<7.2g}"
                        for c in marks)
        print(f"{label:<16}{cells}{time.perf_counter() - began:>9.1f}")


def overhead(space, n_observations=200, repeats=3):
    """Seconds per ``ask`` (GP fit + acquisition) with ``n_observations`` told."""
    objective = SyntheticObjective(space, seed=0)
    bo = WassersteinBO(space, n_initial=1, random_state=0)
    observed = space.sample(n_observations, random_state=1, method="random")
    bo.tell(observed, [objective(space.to_reservoir_params(c)) for c in observed])
    times = []
    for _ in range(repeats):
        began = time.perf_counter()
        (candidate,) = bo.ask()
        times.append(time.perf_counter() - began)
        bo.tell([candidate], [objective(space.to_reservoir_params(candidate))])
    return times


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--budget", type=int, default=30)
    parser.add_argument("--skip-real", action="store_true")
    args = parser.parse_args()
    seeds = list(range(args.seeds))
    space = SearchSpace.default()
    methods = {"WassersteinBO": run_bo, "random search": run_random}
    try:
        import skopt  # noqa: F401
        methods["skopt gp_minimize"] = run_skopt
    except ImportError:
        print("scikit-optimize not installed: no gp_minimize baseline")

    compare("(a) synthetic, known optimum 0", space,
            lambda seed: SyntheticObjective(space, seed=100 + seed), seeds, args.budget, methods)
    if not args.skip_real:
        compare("(b) MC/S, N = 200, HeNHeS", space,
                lambda seed: MemoryCapacityObjective("mc_per_spike", n_neurons=200, seed=seed),
                seeds, args.budget, methods)
    times = overhead(space)
    print(f"\noverhead per proposal with 200 observations: median {np.median(times):.3f} s "
          f"(runs: {', '.join(f'{t:.3f}' for t in times)})")


if __name__ == "__main__":
    main()
