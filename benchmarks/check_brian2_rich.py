"""Spike-for-spike check of every optional ingredient against Brian2.

Builds an hrsnn network with exponential synaptic currents, adaptation, bias
currents and membrane noise, simulates it with hrsnn, hands the same network,
input spikes and noise to ``brian2_rich_reference.py`` in a Python that has
Brian2, and compares the rasters. Prints the comparison; exits 1 if they differ.

Usage::

    python benchmarks/check_brian2_rich.py --brian2-python /path/to/brian2-venv/bin/python
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def rich_network(n_neurons=300, n_inputs=20, seed=0):
    """A network that uses every ingredient (heterogeneous where drawn)."""
    from hrsnn import build_network

    net = build_network(n_neurons, n_inputs, seed, w_scale=0.25, tau_syn_exc_mean=5.0,
                        tau_syn_inh_mean=10.0, adapt_beta_mean=0.5, tau_adapt_mean=80.0,
                        bias_mean=0.3, noise_sigma=0.05, p_in=0.2, w_in=0.6,
                        w_in_dist="uniform", t_ref=2.0)
    v_init = np.random.default_rng(seed).uniform(0.0, 1.0, n_neurons)
    return net.with_neuron_params(v_init=v_init)


def hrsnn_run(net, dt, n_steps, spikes, noise_seed):
    from hrsnn import Simulator
    from hrsnn import _kernels

    sim = Simulator(net, dt=dt)
    result = sim.run(n_steps, input_spikes=spikes, noise_seed=noise_seed)
    noise = np.empty((n_steps, net.n_neurons))
    _kernels.noise_table(noise_seed, 0, sim._static.neurons.noise_scale, noise)
    return result, noise


def network_file(path, net, dt, n_steps, spikes, noise):
    np.savez(path, dt_ms=dt, n_steps=n_steps, tau_m_ms=net.tau_m, v_th=net.v_th,
             v_init=net.v_init, tau_syn_exc_ms=net.tau_syn_exc, tau_syn_inh_ms=net.tau_syn_inh,
             tau_adapt_ms=net.tau_adapt, adapt_beta=net.adapt_beta, bias=net.bias,
             t_ref_ms=net.t_ref, v_rest=net.v_rest, v_reset=net.v_reset,
             strict_threshold=net.strict_threshold, pre=net.pre, post=net.post,
             weight=net.weight, n_inputs=net.n_inputs, in_channel=net.in_channel,
             in_post=net.in_post, in_weight=net.in_weight, in_spike_steps=spikes[0],
             in_spike_channels=spikes[1], noise=noise)


def compare(result, brian2_steps, brian2_neurons):
    ours = sorted(zip(result.spike_steps.tolist(), result.spike_neurons.tolist()))
    theirs = sorted(zip(brian2_steps.tolist(), brian2_neurons.tolist()))
    first = next((k for k, (a, b) in enumerate(zip(ours, theirs)) if a != b), None)
    return {"hrsnn_spikes": len(ours), "brian2_spikes": len(theirs),
            "identical": ours == theirs, "first_difference": first}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--brian2-python", required=True)
    parser.add_argument("--duration-ms", type=float, default=500.0)
    parser.add_argument("--dt", type=float, default=0.1)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--target", default="numpy", choices=["numpy", "cython"])
    args = parser.parse_args()
    net = rich_network(seed=args.seed)
    n_steps = int(round(args.duration_ms / args.dt))
    rng = np.random.default_rng(args.seed + 1)
    steps, channels = np.nonzero(rng.random((n_steps, net.n_inputs)) < 20.0 * args.dt / 1000)
    result, noise = hrsnn_run(net, args.dt, n_steps, (steps, channels), args.seed)
    with tempfile.TemporaryDirectory() as tmp:
        network_path, out_path = Path(tmp) / "network.npz", Path(tmp) / "spikes.npz"
        network_file(network_path, net, args.dt, n_steps, (steps, channels), noise)
        run = subprocess.run([args.brian2_python, str(HERE / "brian2_rich_reference.py"),
                              "--network", str(network_path), "--out", str(out_path),
                              "--target", args.target],
                             capture_output=True, text=True)
        if run.returncode != 0:
            sys.exit(f"Brian2 failed:\n{run.stderr[-3000:]}")
        with np.load(out_path) as brian2:
            report = compare(result, brian2["spike_steps"], brian2["spike_neurons"])
    report.update({"n_neurons": net.n_neurons, "n_steps": n_steps, "dt_ms": args.dt,
                   "brian2": json.loads(run.stdout.strip().splitlines()[-1]),
                   "mean_rate_hz": result.mean_rate()})
    print(json.dumps(report))
    sys.exit(0 if report["identical"] else 1)


if __name__ == "__main__":
    main()
