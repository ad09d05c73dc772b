"""Simulator benchmark: HRSNN-2000 against Brian2, scaling, start-up latency.

Prints, in one invocation:

1. HRSNN-2000 (the network of ``shared/bench``) simulated for 1 s and 10 s with
   STDP: wall time (median of ``--repeats``), synaptic events per second, and
   whether spike counts and the mean E->E weight match Brian2's validation values.
2. With ``--brian2-python``: Brian2's ``cpp_standalone`` reference run in the
   same invocation (its self-reported run time, as in ``shared/bench/README.md``),
   the speed ratio, and a spike-for-spike / weight-for-weight comparison.
3. Build time and peak memory (RSS) for 10,000 and 100,000 neurons, each in a
   fresh process, plus 1 s simulated at ``dt = 1 ms``.
4. ``import hrsnn`` time and first-call latency of a 200-neuron ``transform``
   in a new process with a warm Numba cache.

Usage::

    python benchmarks/bench_simulation.py
    python benchmarks/bench_simulation.py --brian2-python /path/to/venv/bin/python

Timing assertions do not belong in unit tests; this script only prints.
"""

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
DEFAULT_BRIAN2_SCRIPT = REPO.parent / "shared" / "bench" / "brian2_reference.py"


def hrsnn2000_runs(repeats):
    """Time 1 s and 10 s of HRSNN-2000; return per-duration results."""
    from hrsnn.reference import BRIAN2_VALIDATION, load_hrsnn2000
    from hrsnn import Simulator

    net, in_steps, in_idx = load_hrsnn2000()
    sim = Simulator(net, dt=0.1)
    sim.run(100, input_spikes=(in_steps[in_steps < 100], in_idx[in_steps < 100]), learn=True)
    in_outdeg = np.bincount(net.in_channel, minlength=net.n_inputs)
    results = {}
    for seconds in (1, 10):
        n_steps = seconds * 10_000
        keep = in_steps < n_steps
        spikes = (in_steps[keep], in_idx[keep])
        walls = []
        for _ in range(repeats):
            sim.reset()
            t0 = time.perf_counter()
            res = sim.run(n_steps, input_spikes=spikes, learn=True, record_spikes=False)
            walls.append(time.perf_counter() - t0)
        events = int(res.counts @ net.out_degree() + np.bincount(in_idx[keep], minlength=100) @ in_outdeg)
        expected = BRIAN2_VALIDATION[seconds]
        w_mean = float(sim.weight[net.plastic].mean())
        results[seconds] = dict(
            wall_s=statistics.median(walls), runs_s=walls, spikes=int(res.counts.sum()),
            syn_events=events, counts=res.counts, w_ee=sim.weight[net.plastic].copy(),
            match=(int(res.counts.sum()) == expected["spikes"]
                   and events == expected["syn_events"]
                   and round(w_mean, 6) == expected["w_ee_mean"]),
            w_ee_mean=w_mean)
    return results


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
    header = f"{'sim':>5} {'hrsnn median':>13} {'best':>8} {'events/s':>9} {'spikes':>8} {'match':>6}"
    if brian2:
        header += f" {'brian2 median':>14} {'best':>8} {'speed-up median':>16} {'best/best':>10}"
    print(header)
    for seconds, r in results.items():
        best = min(r["runs_s"])
        line = (f"{seconds:>4}s {r['wall_s'] * 1e3:>11.1f}ms {best * 1e3:>6.1f}ms "
                f"{r['syn_events'] / r['wall_s'] / 1e6:>8.1f}M {r['spikes']:>8} "
                f"{'yes' if r['match'] else 'NO':>6}")
        if brian2:
            b = brian2[seconds]
            b_best = min(b["runs_s"])
            line += (f" {b['wall_s'] * 1e3:>12.1f}ms {b_best * 1e3:>6.1f}ms "
                     f"{b['wall_s'] / r['wall_s']:>15.1f}x {b_best / best:>9.1f}x")
        print(line)
    print("   (events/s uses the median; Brian2 time is its self-reported cpp_standalone run time)")


def compare_with_brian2_record(results, record_path):
    with np.load(record_path) as rec:
        counts_equal = np.array_equal(rec["spike_counts"], results[1]["counts"])
        max_dw = float(np.max(np.abs(rec["w_ee_final"] - results[1]["w_ee"])))
    print(f"   1 s vs Brian2 --record: per-neuron spike counts identical: {counts_equal}; "
          f"max |w_hrsnn - w_brian2| over E->E synapses: {max_dw:.3g}")


def scale_child(n_neurons):
    """In a fresh process: build, then simulate 1 s at dt = 1 ms; print JSON."""
    import resource

    from hrsnn import Simulator, build_network

    rss_mb = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # noqa: E731
    base = rss_mb()
    t0 = time.perf_counter()
    net = build_network(n_neurons, 10, seed=0)
    build_s = time.perf_counter() - t0
    build_peak = rss_mb()
    spikes = np.random.default_rng(0).random((1000, 10)) < 0.02        # 20 Hz inputs
    sim = Simulator(net, dt=1.0)
    t0 = time.perf_counter()
    res = sim.run(1000, input_spikes=spikes, learn=True, record_spikes=False)
    sim_s = time.perf_counter() - t0
    print(json.dumps(dict(n_neurons=n_neurons, n_synapses=net.n_synapses, build_s=build_s,
                          rss_after_import_mb=base, peak_after_build_mb=build_peak,
                          sim_1s_s=sim_s, peak_mb=rss_mb(), rate_hz=res.mean_rate())))


def report_scaling(sizes):
    print("\n== Build and 1 s at dt = 1 ms, each in a new process (peak = max RSS) ==")
    print(f"{'neurons':>8} {'synapses':>10} {'build':>8} {'peak after build':>17} "
          f"{'1 s sim':>8} {'peak':>8} {'rate':>7}")
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--scale-child", str(n)],
                             capture_output=True, text=True, check=True, cwd=REPO)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"{n:>8} {r['n_synapses']:>10} {r['build_s']:>7.2f}s {r['peak_after_build_mb']:>14.0f} MB "
              f"{r['sim_1s_s']:>7.2f}s {r['peak_mb']:>5.0f} MB {r['rate_hz']:>5.1f}Hz")


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
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per duration")
    ap.add_argument("--brian2-python", default=None,
                    help="a Python with brian2 installed (see shared/bench/README.md)")
    ap.add_argument("--brian2-script", default=str(DEFAULT_BRIAN2_SCRIPT))
    ap.add_argument("--sizes", type=int, nargs="*", default=[10_000, 100_000])
    ap.add_argument("--latency-repeats", type=int, default=3)
    ap.add_argument("--scale-child", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.scale_child:
        scale_child(args.scale_child)
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
    if args.sizes:
        report_scaling(args.sizes)
    if args.latency_repeats:
        report_latency(args.latency_repeats)


if __name__ == "__main__":
    main()
