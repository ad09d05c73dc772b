"""HRSNN-2000 simulated by hrsnn gives Brian2's validation values exactly.

The network and input spikes in ``data_loaders/data/hrsnn2000_seed1234.npz``
were written by ``shared/bench/brian2_reference.py --dump-npz ... --duration 10``;
the expected numbers are the validation table of ``shared/bench/README.md``,
measured with Brian2 2.9.0 (numpy, cython and cpp_standalone agree).
"""

import numpy as np
import pytest

from hrsnn.reference import load_hrsnn2000
from hrsnn import Simulator

# duration (s) -> (total spikes, E rate Hz, I rate Hz, syn events, STDP post events, mean w_EE)
# copied from the validation table of shared/bench/README.md
BRIAN2 = {
    1: (24_708, 13.822, 6.483, 1_399_976, 186_064, 0.101753),
    10: (279_749, 15.605, 7.519, 14_476_642, 2_114_893, 0.107958),
}


@pytest.mark.parametrize("event_driven", [None, True, False])
@pytest.mark.parametrize("seconds", [1, 10])
def test_hrsnn2000_matches_brian2(seconds, event_driven):
    net, in_steps, in_idx = load_hrsnn2000()
    n_steps = seconds * 10_000                       # dt = 0.1 ms
    keep = in_steps < n_steps
    sim = Simulator(net, dt=0.1)
    result = sim.run(n_steps, input_spikes=(in_steps[keep], in_idx[keep]), learn=True,
                     record_spikes=False, event_driven=event_driven)
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
