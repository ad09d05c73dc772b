"""HRSNN-2000 simulated by hrsnn gives Brian2's validation values exactly.

The network and input spikes in ``tests/data/hrsnn2000_seed1234.npz`` were
written by ``shared/bench/brian2_reference.py --dump-npz ... --duration 10``;
the expected numbers are the validation table of ``shared/bench/README.md``,
measured with Brian2 2.9.0 (numpy, cython and cpp_standalone agree).
"""

from pathlib import Path

import numpy as np
import pytest

from hrsnn import Network, Simulator

DATA = Path(__file__).parent / "data" / "hrsnn2000_seed1234.npz"

# duration (s) -> (total spikes, E rate Hz, I rate Hz, syn events, STDP post events, mean w_EE)
BRIAN2 = {
    1: (24_708, 13.822, 6.483, 1_399_976, 186_064, 0.101753),
    10: (279_749, 15.605, 7.519, 14_476_642, 2_114_893, 0.107958),
}


def hrsnn2000():
    """The benchmark network as an hrsnn Network (times in ms), and its input spikes."""
    d = np.load(DATA)
    is_ee = d["is_ee"]

    def per_synapse(ee_values, fill):
        out = np.full(is_ee.size, fill)
        out[is_ee] = ee_values
        return out

    net = Network.from_arrays(
        positions=d["pos"], is_exc=d["is_exc"], tau_m=d["tau_m_ms"], v_th=1.0,
        v_init=d["v0"], pre=d["pre"], post=d["post"], weight=d["w"], plastic=is_ee,
        tau_plus=per_synapse(d["tau_plus_ms"], 20.0),
        tau_minus=per_synapse(d["tau_minus_ms"], 20.0),
        eta_plus=per_synapse(d["A_plus"], 0.0), eta_minus=per_synapse(d["A_minus"], 0.0),
        in_channel=d["in_pre"], in_post=d["in_post"], in_weight=0.06, n_inputs=100,
        t_ref=2.0, strict_threshold=True, stdp_rule="additive", w_min=0.0, w_max=0.2)
    return net, d["in_steps"], d["in_idx"]


@pytest.mark.parametrize("seconds", [1, 10])
def test_hrsnn2000_matches_brian2(seconds):
    net, in_steps, in_idx = hrsnn2000()
    n_steps = seconds * 10_000                       # dt = 0.1 ms
    keep = in_steps < n_steps
    sim = Simulator(net, dt=0.1)
    result = sim.run(n_steps, input_spikes=(in_steps[keep], in_idx[keep]), learn=True,
                     record_spikes=False)
    spikes, rate_e, rate_i, events, post_events, w_mean = BRIAN2[seconds]
    counts = result.counts
    assert counts.sum() == spikes
    # the README prints rates to 3 decimals
    assert abs(counts[net.is_exc].sum() / 1600 / seconds - rate_e) <= 5e-4 + 1e-12
    assert abs(counts[~net.is_exc].sum() / 400 / seconds - rate_i) <= 5e-4 + 1e-12
    in_events = np.bincount(in_idx[keep], minlength=100) @ np.bincount(net.in_channel, minlength=100)
    assert counts @ net.out_degree() + in_events == events
    ee_in_degree = np.bincount(net.post[net.plastic], minlength=net.n_neurons)
    assert counts @ ee_in_degree == post_events
    assert round(sim.weight[net.plastic].mean(), 6) == w_mean
