"""Brian2 simulation of a network with every optional hrsnn ingredient.

Runs in a Python with Brian2 (see ``shared/bench/README.md``: its own virtual
environment, ``pip install brian2 cython "numpy<2.4"``); it needs only NumPy
and Brian2, never hrsnn. ``benchmarks/check_brian2_rich.py`` writes the
network (``--network FILE.npz``: arrays from an ``hrsnn.Network``, the input
spikes and the membrane noise the hrsnn kernel draws), runs this script and
compares the rasters.

The model, in Brian2's words (times in ms in the file, seconds in Brian2)::

    dv/dt  = (v_rest + bias - v) / tau_m + ge + gi   (unless refractory)
    dge/dt = -ge / tau_e ;  dgi/dt = -gi / tau_i ;  da/dt = -a / tau_a
    threshold  v >= v_th + beta * a   (or > with strict_threshold)
    reset      v = v_reset ;  a += 1 / tau_a
    on_pre     ge_post += w / tau_e_post   (w >= 0)   gi_post += w / tau_i_post   (w < 0)

and, after the state update of every step, ``v += noise[step, i]`` for
non-refractory neurons (the hrsnn draws, handed over as a TimedArray).
Fixed weights: STDP is tested on HRSNN-2000 (``shared/bench``).

Output: ``--out FILE.npz`` with ``spike_steps`` and ``spike_neurons`` in the
order Brian2 records them, plus one JSON line on stdout.
"""

import argparse
import json
import time

import numpy as np


def simulate(data, target="numpy"):
    """Simulate the network in ``data`` (a dict of arrays); returns (steps, neurons)."""
    import brian2 as b2
    from brian2 import ms

    b2.BrianLogger.log_level_warn()
    b2.prefs.core.default_float_dtype = np.float64
    b2.prefs.codegen.target = target
    dt_ms = float(data["dt_ms"])
    b2.defaultclock.dt = dt_ms * ms
    n = data["tau_m_ms"].size
    n_steps = int(data["n_steps"])
    comparison = ">" if bool(data["strict_threshold"]) else ">="
    noise = b2.TimedArray(data["noise"], dt=dt_ms * ms)  # noqa: F841 (Brian2 code uses it by name)
    G = b2.NeuronGroup(
        n,
        """dv/dt = (v_rest + bias - v) / tau_m + ge + gi : 1 (unless refractory)
           dge/dt = -ge / tau_e : Hz
           dgi/dt = -gi / tau_i : Hz
           da/dt = -a / tau_a : Hz
           tau_m : second (constant)
           tau_e : second (constant)
           tau_i : second (constant)
           tau_a : second (constant)
           bias : 1 (constant)
           v_th : 1 (constant)
           beta : second (constant)""",
        threshold=f"v {comparison} v_th + beta * a",
        reset="v = v_reset\na += 1 / tau_a",
        refractory=float(data["t_ref_ms"]) * ms,
        method="exact",
        namespace={"v_rest": float(data["v_rest"]), "v_reset": float(data["v_reset"])},
        name="neurons",
    )
    G.tau_m = data["tau_m_ms"] * ms
    G.tau_e = data["tau_syn_exc_ms"] * ms
    G.tau_i = data["tau_syn_inh_ms"] * ms
    G.tau_a = data["tau_adapt_ms"] * ms
    G.bias = data["bias"]
    G.v_th = data["v_th"]
    G.beta = data["adapt_beta"] * ms         # hrsnn: beta * a with a in spikes per ms
    G.v = data["v_init"]
    G.run_regularly("v += int(not_refractory) * noise(t, i)", when="groups", order=1,
                    name="membrane_noise")

    on_pre = ("ge_post += int(w >= 0) * w / tau_e_post\n"
              "gi_post += int(w < 0) * w / tau_i_post")
    S = b2.Synapses(G, G, "w : 1 (constant)", on_pre=on_pre, name="recurrent")
    S.connect(i=data["pre"], j=data["post"])
    S.w = data["weight"]
    P = b2.SpikeGeneratorGroup(int(data["n_inputs"]), data["in_spike_channels"],
                               data["in_spike_steps"] * dt_ms * ms, name="inputs")
    S_in = b2.Synapses(P, G, "w : 1 (constant)", on_pre=on_pre, name="input")
    S_in.connect(i=data["in_channel"], j=data["in_post"])
    S_in.w = data["in_weight"]
    monitor = b2.SpikeMonitor(G)
    net = b2.Network(G, S, P, S_in, monitor)
    began = time.perf_counter()
    net.run(n_steps * dt_ms * ms)
    wall = time.perf_counter() - began
    steps = np.rint(np.asarray(monitor.t / ms) / dt_ms).astype(np.int64)
    return steps, np.asarray(monitor.i, dtype=np.int64), wall


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--network", required=True, help="npz written by check_brian2_rich.py")
    parser.add_argument("--out", required=True, help="npz for the recorded spikes")
    parser.add_argument("--target", default="numpy", choices=["numpy", "cython"])
    args = parser.parse_args()
    with np.load(args.network) as archive:
        data = {key: archive[key] for key in archive.files}
    steps, neurons, wall = simulate(data, args.target)
    np.savez(args.out, spike_steps=steps, spike_neurons=neurons)
    print(json.dumps({"target": args.target, "n_neurons": int(data["tau_m_ms"].size),
                      "n_spikes": int(steps.size), "wall_s": wall}))


if __name__ == "__main__":
    main()
