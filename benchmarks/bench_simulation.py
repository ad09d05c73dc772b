"""Simulator benchmark: HRSNN-2000 against Brian2, scaling, batches, start-up.

Prints, in one invocation:

1. HRSNN-2000 (the network of ``shared/bench``) simulated for 1 s and 10 s with
   STDP, with automatic event-driven steps and clock-driven only: wall time
   (median of ``--repeats``), synaptic events per second, and whether spike
   counts and the mean E->E weight match Brian2's validation values.
2. With ``--brian2-python``: Brian2's ``cpp_standalone`` reference run in the
   same invocation (its self-reported run time, as in ``shared/bench/README.md``),
   the speed ratio, and a spike-for-spike / weight-for-weight comparison.
3. ``build_network(N, 10)`` for N from 1,000 to 100,000 (``--sizes``), each in a
   fresh process: build time, 1 s at ``dt = 1 ms`` with 20 Hz inputs with and
   without STDP, the firing rate, synaptic events per second, ns per
   neuron-step, the share of event-driven steps, and peak memory (RSS).
   ``--million`` adds 1,000,000 neurons built and simulated for 100 ms.
4. Sparse input (2,000 and 20,000 neurons at dt = 0.1 ms, 100,000 at 1 ms):
   automatic, always lazy and clock-driven steps.
5. The richer neuron models (current synapses, adaptation, noise, bias, all)
   against the delta-synapse network, per neuron-step, same input.
6. ``transform`` of the 1,797 digits with the default classifier, samples per
   second with 1 and 2 threads, each tree in a new process; with ``--baseline``
   another checkout (say, the commit before a change) in the same run, the
   ratio, and whether the features are identical.
7. ``from hrsnn import Reservoir`` time and first-call latency of a 200-neuron
   ``transform`` in a new process with a warm Numba cache.

Usage::

    python benchmarks/bench_simulation.py
    python benchmarks/bench_simulation.py --brian2-python /path/to/venv/bin/python
    python benchmarks/bench_simulation.py --million      # also 1,000,000 neurons

Timing assertions do not belong in unit tests; this script only prints.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BRIAN2_SCRIPT = REPO.parent / "shared" / "bench" / "brian2_reference.py"


MODES = {"auto": None, "clock": False}      # Simulator.run(event_driven=...)


def hrsnn2000_runs(repeats):
    """Time 1 s and 10 s of HRSNN-2000 in every mode; return {(mode, seconds): result}."""
    from hrsnn.reference import BRIAN2_VALIDATION, load_hrsnn2000
    from hrsnn import Simulator

    net, in_steps, in_idx = load_hrsnn2000()
    sim = Simulator(net, dt=0.1)
    warm = in_steps < 100
    for mode in MODES.values():
        sim.run(100, input_spikes=(in_steps[warm], in_idx[warm]), learn=True,
                event_driven=mode)
    in_outdeg = np.bincount(net.in_channel, minlength=net.n_inputs)
    results = {}
    for seconds in (1, 10):
        n_steps = seconds * 10_000
        keep = in_steps < n_steps
        spikes = (in_steps[keep], in_idx[keep])
        walls = {mode: [] for mode in MODES}
        for _ in range(repeats):                     # modes interleaved: same load
            for mode, flag in MODES.items():
                sim.reset()
                t0 = time.perf_counter()
                res = sim.run(n_steps, input_spikes=spikes, learn=True, record_spikes=False,
                              event_driven=flag)
                walls[mode].append(time.perf_counter() - t0)
                results[mode, seconds] = _hrsnn2000_result(
                    res, sim, net, walls[mode], BRIAN2_VALIDATION[seconds],
                    int(np.bincount(in_idx[keep], minlength=100) @ in_outdeg))
    return results


def _hrsnn2000_result(res, sim, net, walls, expected, input_events):
    """The figures of one mode and duration (the last run's spikes and weights)."""
    events = int(res.counts @ net.out_degree()) + input_events
    w_mean = float(sim.weight[net.plastic].mean())
    return dict(wall_s=statistics.median(walls), runs_s=list(walls),
                spikes=int(res.counts.sum()), syn_events=events, counts=res.counts,
                w_ee=sim.weight[net.plastic].copy(), w_ee_mean=w_mean,
                event_share=res.event_steps / res.n_steps,
                match=(int(res.counts.sum()) == expected["spikes"]
                       and events == expected["syn_events"]
                       and round(w_mean, 6) == expected["w_ee_mean"]))


def brian2_run(python, script, seconds, repeats, record=None):
    """Run Brian2's cpp_standalone reference; return its JSON line as a dict."""
    cmd = [python, str(script), "--target", "cpp_standalone", "--duration", str(seconds),
           "--repeats", str(repeats)]
    if record:
        cmd += ["--record", record]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def report_hrsnn2000(results, brian2):
    print("== HRSNN-2000 with STDP (dt = 0.1 ms, seed 1234) ==")
    header = (f"{'mode':>5} {'sim':>4} {'median':>9} {'best':>8} {'events/s':>9} "
              f"{'event steps':>11} {'spikes':>8} {'match':>6}")
    if brian2:
        header += f" {'brian2 median':>14} {'best':>8} {'speed-up median':>16} {'best/best':>10}"
    print(header)
    for (mode, seconds), r in results.items():
        best = min(r["runs_s"])
        line = (f"{mode:>5} {seconds:>3}s {r['wall_s'] * 1e3:>7.1f}ms {best * 1e3:>6.1f}ms "
                f"{r['syn_events'] / r['wall_s'] / 1e6:>8.1f}M {r['event_share']:>10.0%} "
                f"{r['spikes']:>8} {'yes' if r['match'] else 'NO':>6}")
        if brian2:
            b = brian2[seconds]
            b_best = min(b["runs_s"])
            line += (f" {b['wall_s'] * 1e3:>12.1f}ms {b_best * 1e3:>6.1f}ms "
                     f"{b['wall_s'] / r['wall_s']:>15.1f}x {b_best / best:>9.1f}x")
        print(line)
    print("   (events/s uses the median; Brian2 time is its self-reported cpp_standalone run "
          "time; auto = Simulator.run(event_driven=None), clock = event_driven=False)")


def compare_with_brian2_record(results, record_path):
    with np.load(record_path) as rec:
        for mode in MODES:
            counts_equal = np.array_equal(rec["spike_counts"], results[mode, 1]["counts"])
            max_dw = float(np.max(np.abs(rec["w_ee_final"] - results[mode, 1]["w_ee"])))
            print(f"   {mode}, 1 s vs Brian2 --record: per-neuron spike counts identical: "
                  f"{counts_equal}; max |w_hrsnn - w_brian2| over E->E synapses: {max_dw:.3g}")


def scale_child(n_neurons, duration_ms):
    """In a fresh process: build, then simulate ``duration_ms`` at dt = 1 ms without
    and with STDP; print JSON."""
    import resource

    from hrsnn import Simulator, build_network

    rss_mb = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731
    base = rss_mb()
    t0 = time.perf_counter()
    net = build_network(n_neurons, 10, seed=0)
    build_s = time.perf_counter() - t0
    build_peak = rss_mb()
    spikes = np.random.default_rng(0).random((duration_ms, 10)) < 0.02   # 20 Hz inputs
    out = dict(n_neurons=n_neurons, n_synapses=net.n_synapses, build_s=build_s,
               rss_after_import_mb=base, peak_after_build_mb=build_peak)
    sim = Simulator(net, dt=1.0)
    sim.run(2, input_spikes=spikes[:2], learn=True)                     # compile, if needed
    for learn in (False, True):
        sim.reset()
        t0 = time.perf_counter()
        res = sim.run(duration_ms, input_spikes=spikes, learn=learn, record_spikes=False)
        wall = time.perf_counter() - t0
        events = int(res.counts @ net.out_degree()
                     + spikes.sum(axis=0) @ np.bincount(net.in_channel, minlength=10))
        out["stdp" if learn else "frozen"] = dict(
            wall_s=wall, rate_hz=res.mean_rate(), events_per_s=events / wall,
            ns_per_neuron_step=wall / (n_neurons * duration_ms) * 1e9,
            event_share=res.event_steps / duration_ms, lazy_share=res.lazy_steps / duration_ms)
    out["peak_mb"] = rss_mb()
    print(json.dumps(out))


def report_scaling(sizes, million):
    print("\n== build_network(N, 10), then 1 s at dt = 1 ms with 20 Hz inputs, each in a "
          "new process (peak = max RSS) ==")
    print(f"{'neurons':>9} {'synapses':>10} {'build':>7} {'STDP':>5} {'sim':>8} "
          f"{'rate':>7} {'events/s':>9} {'ns/neuron-step':>15} {'event/lazy steps':>17} "
          f"{'peak':>8}")
    runs = [(n, 1000) for n in sizes] + ([(1_000_000, 100)] if million else [])
    for n, duration in runs:
        out = subprocess.run([sys.executable, __file__, "--scale-child", str(n),
                              "--duration-ms", str(duration)],
                             capture_output=True, text=True, check=True, cwd=REPO)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        for key in ("frozen", "stdp"):
            x = r[key]
            print(f"{n:>9} {r['n_synapses']:>10} {r['build_s']:>6.2f}s {key == 'stdp'!s:>5} "
                  f"{x['wall_s']:>7.3f}s {x['rate_hz']:>5.1f}Hz {x['events_per_s'] / 1e6:>8.1f}M "
                  f"{x['ns_per_neuron_step']:>15.2f} {x['event_share']:>8.0%}/"
                  f"{x['lazy_share']:<8.0%} {r['peak_mb']:>5.0f} MB")
        if duration != 1000:
            print(f"{'':>9} (simulated {duration} ms)")


#: Sparse-input cases of the step-kind comparison: (neurons, dt in ms, input
#: spike probability per channel and step, steps).
SPARSE_CASES = ((2_000, 0.1, 0.002, 5000), (20_000, 0.1, 0.002, 5000),
                (100_000, 1.0, 0.001, 2000))
STEP_KINDS = {"auto": None, "lazy": True, "clock": False}


def report_sparse(repeats):
    """Automatic, always lazy and clock-driven steps on sparse input, frozen weights."""
    from hrsnn import Simulator, build_network

    print(f"\n== Sparse input spikes (10 channels), frozen weights: the kinds of step (best "
          f"of {repeats}) ==")
    print(f"{'neurons':>8} {'dt':>6} {'rate':>7} " + " ".join(f"{k:>9}" for k in STEP_KINDS)
          + f" {'auto: event/lazy steps':>23}")
    for n, dt, p_input, steps in SPARSE_CASES:
        net = build_network(n, 10, seed=0)
        spikes = np.random.default_rng(0).random((steps, 10)) < p_input
        walls = {}
        for kind, flag in STEP_KINDS.items():
            sim = Simulator(net, dt=dt)
            sim.run(10, input_spikes=spikes[:10], event_driven=flag)
            run = lambda: sim.run(steps, input_spikes=spikes, record_spikes=False,  # noqa: E731
                                  event_driven=flag)
            walls[kind] = _best(run, repeats)
            if flag is None:
                result = run()
        print(f"{n:>8} {dt:>4}ms {result.mean_rate():>5.1f}Hz "
              + " ".join(f"{walls[k] * 1e3:>7.1f}ms" for k in STEP_KINDS)
              + f" {result.event_steps / steps:>13.0%}/{result.lazy_steps / steps:<9.0%}")


#: The richer neuron models, as ``Network.with_neuron_params`` values.
RICH_MODELS = {
    "current synapses": dict(tau_syn_exc=5.0, tau_syn_inh=10.0),
    "adaptation": dict(tau_adapt=100.0, adapt_beta=0.2),
    "noise": dict(noise_sigma=0.05),
    "bias": dict(bias=0.02),
    "all four": dict(tau_syn_exc=5.0, tau_syn_inh=10.0, tau_adapt=100.0, adapt_beta=0.2,
                     noise_sigma=0.05, bias=0.02),
}


def report_rich_models(n_neurons, repeats):
    """Per neuron-step cost of each richer model against the delta-synapse kernel."""
    from hrsnn import Simulator, build_network

    print(f"\n== Richer neuron models, {n_neurons} neurons, 1 s at dt = 1 ms, 20 Hz inputs, "
          f"STDP (best of {repeats}) ==")
    net = build_network(n_neurons, 10, seed=0)
    spikes = np.random.default_rng(0).random((1000, 10)) < 0.02
    models = {"delta (auto)": (net, None), "delta (clock)": (net, False)}
    models.update({name: (net.with_neuron_params(**values), None)
                   for name, values in RICH_MODELS.items()})
    timed = {}
    for name, (network, mode) in models.items():
        sim = Simulator(network, dt=1.0)
        sim.run(2, input_spikes=spikes[:2], learn=True, event_driven=mode)
        walls = []
        for _ in range(repeats):
            sim.reset()
            t0 = time.perf_counter()
            res = sim.run(1000, input_spikes=spikes, learn=True, record_spikes=False,
                          event_driven=mode)
            walls.append(time.perf_counter() - t0)
        timed[name] = (min(walls) / (n_neurons * 1000) * 1e9, res.mean_rate())
    reference = timed["delta (clock)"][0]
    print(f"{'model':>18} {'ns/neuron-step':>15} {'vs delta (clock)':>17} {'rate':>7}")
    for name, (ns, rate) in timed.items():
        print(f"{name:>18} {ns:>15.2f} {ns / reference:>16.2f}x {rate:>5.1f}Hz")


TRANSFORM_CHILD = """
import hashlib, json, sys, time
from hrsnn.classification import default_classifier, digits_dataset
repeats = int(sys.argv[1])
X, _ = digits_dataset()
reservoir = default_classifier()[0].fit(X)
reservoir.transform(X[:20])
out = {}
for n_jobs in (1, 2):
    reservoir.set_params(n_jobs=n_jobs)
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        F = reservoir.transform(X)
        walls.append(time.perf_counter() - t0)
    out[n_jobs] = [len(X) / min(walls), hashlib.sha256(F.tobytes()).hexdigest()]
print(json.dumps(out))
"""


def report_transform(repeats, baseline):
    """Digits with the default classifier: samples per second of this tree's
    ``transform`` and, given ``baseline`` (another checkout), of that one, each in
    a new process, alternately."""
    trees = {"this tree": REPO} | ({"baseline": Path(baseline)} if baseline else {})
    print(f"\n== transform of the 1,797 digits, default classifier (best of {repeats} "
          "per process, new process per tree) ==")
    rates = {}
    for name, tree in trees.items():
        env = dict(os.environ, PYTHONPATH=str(tree))
        out = subprocess.run([sys.executable, "-c", TRANSFORM_CHILD, str(repeats)],
                             capture_output=True, text=True, check=True, cwd=tree, env=env)
        rates[name] = json.loads(out.stdout.strip().splitlines()[-1])
    for n_jobs in ("1", "2"):
        line = f"   {n_jobs} thread(s): this tree {rates['this tree'][n_jobs][0]:>6.0f} samples/s"
        if baseline:
            old = rates["baseline"][n_jobs]
            line += (f"; baseline {old[0]:>6.0f} samples/s; ratio "
                     f"{rates['this tree'][n_jobs][0] / old[0]:.2f}x; features identical: "
                     f"{old[1] == rates['this tree'][n_jobs][1]}")
        print(line)


def _best(fn, repeats):
    """Best wall time of ``repeats`` calls of ``fn``, s."""
    walls = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
    return min(walls)


LATENCY_CHILD = """
import time
t0 = time.perf_counter()
import hrsnn
from hrsnn import Reservoir          # hrsnn loads its public names on first use
t1 = time.perf_counter()
import numpy as np
X = np.random.default_rng(0).uniform(0, 1, (4, 50, 2))
r = Reservoir(n_neurons=200, random_state=0).fit(X)
t2 = time.perf_counter()
r.transform(X)
t3 = time.perf_counter()
print(t1 - t0, t2 - t1, t3 - t2)
"""


def report_latency(repeats):
    print("\n== New process, warm Numba cache: import hrsnn and Reservoir, fit + first "
          "transform (200 neurons) ==")
    subprocess.run([sys.executable, "-c", LATENCY_CHILD], check=True, capture_output=True)
    rows = []
    for _ in range(repeats):
        out = subprocess.run([sys.executable, "-c", LATENCY_CHILD], check=True,
                             capture_output=True, text=True)
        rows.append([float(x) for x in out.stdout.split()])
    imp, fit, tr = (statistics.median(col) for col in zip(*rows))
    print(f"import {imp:.3f}s   fit {fit:.3f}s   first transform {tr:.3f}s   "
          f"total {imp + fit + tr:.3f}s   (median of {repeats} processes)")


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per measurement")
    ap.add_argument("--brian2-python", default=None,
                    help="a Python with brian2 installed (see shared/bench/README.md)")
    ap.add_argument("--brian2-script", default=str(DEFAULT_BRIAN2_SCRIPT))
    ap.add_argument("--sizes", type=int, nargs="*",
                    default=[1_000, 3_000, 10_000, 30_000, 100_000])
    ap.add_argument("--million", action="store_true",
                    help="also build 1,000,000 neurons and simulate 100 ms")
    ap.add_argument("--rich-neurons", type=int, default=10_000,
                    help="network size of the richer-model comparison (0: skip)")
    ap.add_argument("--no-transform", action="store_true", help="skip the digits transform")
    ap.add_argument("--no-sparse", action="store_true", help="skip the sparse-input cases")
    ap.add_argument("--baseline", default=None,
                    help="another checkout (e.g. `git worktree add ../before 297cdf4`) whose "
                         "transform is timed in the same run for the ratio")
    ap.add_argument("--latency-repeats", type=int, default=5)
    ap.add_argument("--scale-child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--duration-ms", type=int, default=1000, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.scale_child:
        scale_child(args.scale_child, args.duration_ms)
        return

    results = hrsnn2000_runs(args.repeats)
    brian2 = None
    if args.brian2_python:
        brian2 = {s: brian2_run(args.brian2_python, args.brian2_script, s, args.repeats)
                  for s in (1, 10)}
    report_hrsnn2000(results, brian2)
    if args.brian2_python:
        with tempfile.TemporaryDirectory() as tmp:
            record = str(Path(tmp) / "brian2_record.npz")
            brian2_run(args.brian2_python, args.brian2_script, 1, 1, record=record)
            compare_with_brian2_record(results, record)
    else:
        print("   (pass --brian2-python to time Brian2 cpp_standalone in the same run)")
    if args.sizes or args.million:
        report_scaling(args.sizes, args.million)
    if not args.no_sparse:
        report_sparse(args.repeats)
    if args.rich_neurons:
        report_rich_models(args.rich_neurons, args.repeats)
    if not args.no_transform:
        report_transform(args.repeats, args.baseline)
    if args.latency_repeats:
        report_latency(args.latency_repeats)


if __name__ == "__main__":
    main()
