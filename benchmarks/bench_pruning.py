"""Time and peak memory of each stage of one LNP iteration, against N.

For each size (``--sizes``, default 500 and 2000) a default network is
built and one LNP iteration is run stage by stage, as ``hrsnn.pruning.lnp``
runs it: the rate model's leading exponents (``k`` = 50, 1,000 steps of
1 ms), the Lyapunov matrix, noise pruning (its stationary covariance is a
dense ``N x N`` Lyapunov solve, O(N^3)), betweenness neuron pruning (from
256 sampled sources, as ``lnp`` estimates it), and the
delocalising edges with the Laplacian's inverse participation ratios (a
dense eigendecomposition, O(N^3); skipped above 3,000 neurons). Noise
pruning solves the covariance exactly up to 3,000 neurons and samples the
entries it needs beyond (``covariance="auto"``). Printed per stage: wall time (s) and
peak memory traced by ``tracemalloc`` (MiB; numpy's buffers included).

    python benchmarks/bench_pruning.py [--sizes 500 2000 10000]
"""

import argparse
import time
import tracemalloc



def measured(function, *args, **kwargs):
    """``function(*args, **kwargs)``, its wall time (s) and traced peak memory (MiB)."""
    tracemalloc.start()
    began = time.perf_counter()
    value = function(*args, **kwargs)
    seconds = time.perf_counter() - began
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return value, seconds, peak


def one_iteration(n):
    from hrsnn import build_network
    from hrsnn.dynamics import RateNetwork, lyapunov_spectrum
    from hrsnn.pruning import (add_delocalising_edges, lyapunov_matrix, noise_prune,
                               prune_neurons)

    network = build_network(n, 1, 0)
    rate = RateNetwork.from_network(network)

    def spectrum():
        trajectory = rate.simulate(1000, 1.0, noise_sigma=0.5)
        return lyapunov_spectrum(rate.tangent_maps(trajectory), 1.0, k=min(50, n),
                                 transient=200, qr_every=5)            # as lnp() does

    stages = {}
    result, *stages["exponents (k = 50)"] = measured(spectrum)
    coupling, *stages["Lyapunov matrix"] = measured(lyapunov_matrix, network,
                                                    result.per_neuron)
    pruned, *stages["noise pruning"] = measured(noise_prune, network, 0.5, coupling=coupling)
    sources = None if n <= 256 else 256                     # as lnp() samples them
    fewer, *stages["neuron pruning"] = measured(prune_neurons, pruned.network, fraction=0.05,
                                                k=sources, random_state=0)
    _, *stages["delocalising edges"] = measured(add_delocalising_edges, fewer.network,
                                                int(0.05 * network.n_synapses / 2))
    return network, stages


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[500, 2000, 10000])
    args = parser.parse_args()
    for n in args.sizes:
        network, stages = one_iteration(n)
        total = sum(seconds for seconds, _ in stages.values())
        print(f"\nN = {n} ({network.n_synapses} synapses): one LNP iteration {total:.1f} s")
        for name, (seconds, peak) in stages.items():
            print(f"  {name:22s} {seconds:8.2f} s  {peak:9.1f} MiB")


if __name__ == "__main__":
    main()
