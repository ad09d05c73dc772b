"""The HRSNN-2000 benchmark network, as dumped by Brian2's reference generator.

``data/hrsnn2000_seed1234.npz`` was written by
``python shared/bench/brian2_reference.py --dump-npz ... --no-run --duration 10``
(seed 1234): 2000 LIF neurons, 18,904 recurrent synapses (12,340 plastic
E->E), 100 Poisson inputs with 600 targets each, and 10 s of input spikes
(dt = 0.1 ms). Brian2 draws no random numbers, so simulating these arrays
with the benchmark's semantics must give :data:`BRIAN2_VALIDATION`.
"""

from pathlib import Path

import numpy as np

DEFAULT_PATH = Path(__file__).parent / "data" / "hrsnn2000_seed1234.npz"

#: Brian2 2.9.0 results (all code-generation targets agree), shared/bench/README.md.
#: duration (s) -> total spikes, E/I rate (Hz, 3 decimals), synaptic events
#: (recurrent + input), STDP post events, mean final E->E weight (6 decimals).
BRIAN2_VALIDATION = {
    1: dict(spikes=24_708, rate_e=13.822, rate_i=6.483, syn_events=1_399_976,
            stdp_post_events=186_064, w_ee_mean=0.101753),
    10: dict(spikes=279_749, rate_e=15.605, rate_i=7.519, syn_events=14_476_642,
             stdp_post_events=2_114_893, w_ee_mean=0.107958),
}

DT_MS = 0.1


def load_hrsnn2000(path=DEFAULT_PATH):
    """The benchmark network as plain arrays, and its input spikes.

    No ``hrsnn`` import: ``hrsnn.Network.from_arrays(**network)`` builds the
    network (:func:`hrsnn.reference.load_hrsnn2000` does both).

    Parameters
    ----------
    path : str or Path, optional
        An ``.npz`` written by ``brian2_reference.py --dump-npz``.

    Returns
    -------
    network : dict
        Keyword arguments of ``hrsnn.Network.from_arrays``: ``positions``
        (n_neurons, 3), ``is_exc``, ``tau_m`` (ms) and ``v_init``
        (n_neurons,); ``pre``, ``post``, ``weight``, ``plastic``,
        ``tau_plus``, ``tau_minus`` (ms), ``eta_plus``, ``eta_minus``
        (n_synapses,; STDP values of non-plastic synapses are fillers: 20 ms,
        0); ``in_channel``, ``in_post`` (n_input_synapses,); and the scalars
        ``v_th=1``, ``in_weight=0.06``, ``n_inputs=100``, ``t_ref=2`` ms,
        ``strict_threshold=True``, ``stdp_rule="additive"``, ``w_min=0``,
        ``w_max=0.2``.
    in_steps : ndarray of int64, shape (n_input_spikes,)
        Step of every input spike (``dt = 0.1`` ms).
    in_channels : ndarray of int32, shape (n_input_spikes,)
        Input of every spike.
    """
    with np.load(path, allow_pickle=False) as d:
        is_ee = d["is_ee"]

        def per_synapse(ee_values, fill):
            out = np.full(is_ee.size, fill)
            out[is_ee] = ee_values
            return out

        network = dict(
            positions=d["pos"], is_exc=d["is_exc"], tau_m=d["tau_m_ms"], v_th=1.0,
            v_init=d["v0"], pre=d["pre"], post=d["post"], weight=d["w"], plastic=is_ee,
            tau_plus=per_synapse(d["tau_plus_ms"], 20.0),
            tau_minus=per_synapse(d["tau_minus_ms"], 20.0),
            eta_plus=per_synapse(d["A_plus"], 0.0), eta_minus=per_synapse(d["A_minus"], 0.0),
            in_channel=d["in_pre"], in_post=d["in_post"], in_weight=0.06, n_inputs=100,
            t_ref=2.0, strict_threshold=True, stdp_rule="additive", w_min=0.0, w_max=0.2)
        return network, d["in_steps"].astype(np.int64), d["in_idx"].astype(np.int32)
