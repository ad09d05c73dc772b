"""Numba kernels for the LIF network with delta synapses and per-synapse STDP.

Only plain contiguous arrays go in and out. One simulation step follows Brian2's
default schedule (see ``shared/bench/README.md``, "Dynamics"):

1. integrate: non-refractory neurons decay exactly towards ``v_rest + I``;
2. threshold: such neurons spike if ``v > v_th`` (strict) or ``v >= v_th``;
3. propagate: each spike of this step adds ``w`` to every non-refractory target
   (recurrent synapses by presynaptic index, then input spikes by channel);
   plastic synapses decay their traces lazily and apply depression (pre
   pathway), then potentiation for every spiking postsynaptic neuron (post
   pathway);
4. reset: spiking neurons are set to ``v_reset``.

Time is counted in integer steps; the time seen by STDP is ``step * dt``.

STDP rules (per synapse ``k``, traces ``x`` (pre) and ``y`` (post)):

* ``soft_bounds=True``: ``x += 1`` on a pre spike then
  ``w -= eta_minus * (w - w_min) * y``; ``y += 1`` on a post spike then
  ``w += eta_plus * (w_max - w) * x``.
* ``soft_bounds=False`` (additive, Brian2's benchmark): ``x += eta_plus`` then
  ``w -= y``; ``y += eta_minus`` then ``w += x``.

Both clip ``w`` to ``[w_min, w_max]`` after every update.

Plastic synapses keep everything an STDP event touches in one 64-byte row of
``plastic_state`` (one cache line): see the ``PS_*`` column indices below.
Rows are in postsynaptic order; ``plastic_row[k]`` is the row of synapse
``k`` (-1 if static) and ``plastic_syn[p]`` the synapse of row ``p``.
"""

import numpy as np
from numba import njit

#: Value of ``last_spike`` for a neuron that has never spiked.
NEVER_SPIKED = np.iinfo(np.int64).min // 4

#: Columns of ``plastic_state``: traces, time of their last update, parameters.
PS_TRACE_PRE, PS_TRACE_POST, PS_TIME = 0, 1, 2
PS_TAU_PLUS, PS_TAU_MINUS, PS_ETA_PLUS, PS_ETA_MINUS = 3, 4, 5, 6
PS_COLUMNS = 8


@njit(cache=True, nogil=True)
def exp_decay(dt, tau, out):
    """Write ``exp(-dt / tau)`` into ``out`` (the ``exp`` the step kernel uses)."""
    for i in range(tau.shape[0]):
        out[i] = np.exp(-dt / tau[i])


@njit(cache=True, nogil=True)
def input_current(row, in_ptr, in_post, in_w, out):
    """Current per neuron for one input vector: ``out[i] = sum_c W_in[c, i] row[c]``."""
    out[:] = 0.0
    for c in range(row.shape[0]):
        x = row[c]
        if x == 0.0:
            continue
        for k in range(in_ptr[c], in_ptr[c + 1]):
            out[in_post[k]] += in_w[k] * x


@njit(cache=True, nogil=True)
def _integrate(s_abs, decay, v_rest, ref_steps, v, last_spike):
    """Phase 1 without input current; branch-free so that it vectorises."""
    for i in range(v.shape[0]):
        decayed = v_rest + (v[i] - v_rest) * decay[i]
        v[i] = decayed if s_abs - last_spike[i] >= ref_steps else v[i]


@njit(cache=True, nogil=True)
def _integrate_driven(s_abs, decay, v_rest, ref_steps, drive, v, last_spike):
    """Phase 1 with an input current: exact decay towards ``v_rest + drive``."""
    for i in range(v.shape[0]):
        target = v_rest + drive[i]
        decayed = target + (v[i] - target) * decay[i]
        v[i] = decayed if s_abs - last_spike[i] >= ref_steps else v[i]


@njit(cache=True, nogil=True)
def _threshold(s_abs, v_th, ref_steps, strict, v, last_spike, spiked):
    """Phase 2: list the non-refractory neurons at threshold; returns their number."""
    n_spikes = 0
    for i in range(v.shape[0]):
        crossed = v[i] > v_th[i] if strict else v[i] >= v_th[i]
        if crossed and s_abs - last_spike[i] >= ref_steps:
            spiked[n_spikes] = i
            n_spikes += 1
            last_spike[i] = s_abs
    return n_spikes


@njit(cache=True, nogil=True)
def _decay_traces(row, t):
    """Bring one plastic synapse's traces (a ``plastic_state`` row) to time ``t``."""
    elapsed = t - row[PS_TIME]
    row[PS_TRACE_PRE] = row[PS_TRACE_PRE] * np.exp(-elapsed / row[PS_TAU_PLUS])
    row[PS_TRACE_POST] = row[PS_TRACE_POST] * np.exp(-elapsed / row[PS_TAU_MINUS])
    row[PS_TIME] = t


@njit(cache=True, nogil=True)
def _deliver(s_abs, t, n_spikes, spiked, ref_steps, syn_ptr, syn_post, syn_w,
             learn, plastic_row, plastic_state, bounds, v, last_spike):
    """Phase 3a: recurrent spikes reach their targets; depression on plastic synapses."""
    soft, w_min, w_max = bounds[0] != 0.0, bounds[1], bounds[2]
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(syn_ptr[j], syn_ptr[j + 1]):
            post = syn_post[k]
            if s_abs - last_spike[post] >= ref_steps:
                v[post] += syn_w[k]
            p = plastic_row[k]
            if not learn or p < 0:
                continue
            row = plastic_state[p]
            _decay_traces(row, t)
            if soft:
                row[PS_TRACE_PRE] += 1.0
                w = syn_w[k] - row[PS_ETA_MINUS] * (syn_w[k] - w_min) * row[PS_TRACE_POST]
            else:
                row[PS_TRACE_PRE] += row[PS_ETA_PLUS]
                w = syn_w[k] - row[PS_TRACE_POST]
            syn_w[k] = min(max(w, w_min), w_max)


@njit(cache=True, nogil=True)
def _deliver_input(s_abs, lo, hi, spike_channels, ref_steps, in_ptr, in_post, in_w,
                   v, last_spike):
    """Phase 3b: input spikes of this step (channels ``spike_channels[lo:hi]``)."""
    for q in range(lo, hi):
        c = spike_channels[q]
        for k in range(in_ptr[c], in_ptr[c + 1]):
            post = in_post[k]
            if s_abs - last_spike[post] >= ref_steps:
                v[post] += in_w[k]


@njit(cache=True, nogil=True)
def _potentiate(t, n_spikes, spiked, plastic_ptr, plastic_syn, syn_w, plastic_state,
                bounds):
    """Phase 3c: potentiation of the plastic synapses onto neurons that spiked."""
    soft, w_min, w_max = bounds[0] != 0.0, bounds[1], bounds[2]
    for q in range(n_spikes):
        i = spiked[q]
        for p in range(plastic_ptr[i], plastic_ptr[i + 1]):
            k = plastic_syn[p]
            row = plastic_state[p]
            _decay_traces(row, t)
            if soft:
                row[PS_TRACE_POST] += 1.0
                w = syn_w[k] + row[PS_ETA_PLUS] * (w_max - syn_w[k]) * row[PS_TRACE_PRE]
            else:
                row[PS_TRACE_POST] += row[PS_ETA_MINUS]
                w = syn_w[k] + row[PS_TRACE_PRE]
            syn_w[k] = min(max(w, w_min), w_max)


@njit(cache=True, nogil=True)
def run_steps(
    n_steps, offset, step0, dt,
    decay, v_th, v_rest, v_reset, ref_steps, strict,
    syn_ptr, syn_post, syn_w,
    learn, plastic_row, plastic_ptr, plastic_syn, plastic_state, bounds,
    in_ptr, in_post, in_w,
    current, steps_per_input, spike_ptr, spike_channels,
    v, last_spike, drive, spiked,
    counts, readout, readout_decay, states, v_samples,
    spike_steps, spike_ids, n_recorded,
):
    """Advance the network by up to ``n_steps`` steps, in place.

    Parameters
    ----------
    n_steps : int
        Steps to simulate in this call.
    offset : int
        Steps of the current run already done; indexes ``current``,
        ``spike_ptr`` and ``states`` (relative step ``r = offset + k``).
    step0 : int
        Absolute step of relative step 0 (refractoriness and STDP use it).
    dt : float
        Step length, in the unit of every time constant (ms by convention).
    decay : ndarray of shape (n_neurons,)
        ``exp(-dt / tau_m)`` per neuron.
    v_th : ndarray of shape (n_neurons,)
        Thresholds.
    v_rest, v_reset : float
        Resting and reset potential.
    ref_steps : int
        Refractory period in steps (a neuron that spiked at step ``s`` is
        updated again from step ``s + ref_steps``).
    strict : bool
        Spike iff ``v > v_th`` (True) or ``v >= v_th`` (False).
    syn_ptr, syn_post, syn_w : ndarray
        Recurrent synapses in CSR by presynaptic neuron: ``(n_neurons + 1,)``
        int64, ``(n_syn,)`` int32, ``(n_syn,)`` float64; ``syn_w`` is updated
        in place by STDP.
    learn : bool
        Whether STDP is on.
    plastic_row : ndarray of int64, shape (n_syn,)
        Row of ``plastic_state`` for each synapse, -1 for static synapses.
    plastic_ptr, plastic_syn : ndarray of int64
        Rows grouped by postsynaptic neuron: neuron ``i`` owns rows
        ``plastic_ptr[i]:plastic_ptr[i + 1]``; ``plastic_syn[p]`` is row ``p``'s
        synapse. Shapes ``(n_neurons + 1,)`` and ``(n_plastic,)``.
    plastic_state : ndarray of shape (n_plastic, PS_COLUMNS)
        Per plastic synapse: traces, time of their last update (in place) and
        ``tau_plus``, ``tau_minus``, ``eta_plus``, ``eta_minus``.
    bounds : ndarray of shape (3,)
        ``(soft_bounds as 0/1, w_min, w_max)``.
    in_ptr, in_post, in_w : ndarray
        Input synapses in CSR by channel.
    current : ndarray of shape (n_input_steps, n_channels)
        Input values applied as currents; zero rows means no current input.
    steps_per_input : int
        Simulation steps each row of ``current`` (and of ``states``) spans.
    spike_ptr, spike_channels : ndarray
        Input spikes in CSR by relative step: the channels spiking at relative
        step ``r`` are ``spike_channels[spike_ptr[r]:spike_ptr[r + 1]]``.
        ``spike_ptr`` has at least ``offset + n_steps + 1`` entries.
    v, last_spike, drive, spiked : ndarray of shape (n_neurons,)
        State (potentials, step of the last spike) and scratch space.
    counts : ndarray of int64, shape (n_neurons,)
        Spike counts, incremented.
    readout, readout_decay : ndarray, float
        Exponentially filtered spike trains and their per-step decay.
    states, v_samples : ndarray of shape (n_input_steps, n_neurons) or (0, n)
        Filtered traces and potentials sampled at the end of each input step;
        zero rows disable sampling.
    spike_steps, spike_ids : ndarray
        Spike record buffers (absolute step, neuron); zero length disables it.
    n_recorded : int
        Entries of the spike record already used.

    Returns
    -------
    steps_done : int
        Steps simulated; fewer than ``n_steps`` only when the spike record is
        full (enlarge it and call again with ``offset + steps_done``).
    n_recorded : int
        Entries of the spike record used.
    """
    n = v.shape[0]
    has_current = current.shape[0] > 0
    record_states = states.shape[0] > 0
    record_v = v_samples.shape[0] > 0
    record_spikes = spike_steps.shape[0] > 0
    for k in range(n_steps):
        if record_spikes and n_recorded + n > spike_steps.shape[0]:
            return k, n_recorded
        r = offset + k
        s_abs = step0 + r
        t = s_abs * dt
        if has_current and r % steps_per_input == 0:
            input_current(current[r // steps_per_input], in_ptr, in_post, in_w, drive)
        if has_current:
            _integrate_driven(s_abs, decay, v_rest, ref_steps, drive, v, last_spike)
        else:
            _integrate(s_abs, decay, v_rest, ref_steps, v, last_spike)
        n_spikes = _threshold(s_abs, v_th, ref_steps, strict, v, last_spike, spiked)
        _deliver(s_abs, t, n_spikes, spiked, ref_steps, syn_ptr, syn_post, syn_w,
                 learn, plastic_row, plastic_state, bounds, v, last_spike)
        _deliver_input(s_abs, spike_ptr[r], spike_ptr[r + 1], spike_channels,
                       ref_steps, in_ptr, in_post, in_w, v, last_spike)
        if learn:
            _potentiate(t, n_spikes, spiked, plastic_ptr, plastic_syn, syn_w,
                        plastic_state, bounds)
        if record_states:
            for i in range(n):
                readout[i] *= readout_decay
        for q in range(n_spikes):
            i = spiked[q]
            v[i] = v_reset
            counts[i] += 1
            readout[i] += 1.0
            if record_spikes:
                spike_steps[n_recorded] = s_abs
                spike_ids[n_recorded] = i
                n_recorded += 1
        if (r + 1) % steps_per_input == 0:
            row = (r + 1) // steps_per_input - 1
            if record_states:
                states[row] = readout
            if record_v:
                v_samples[row] = v
    return n_steps, n_recorded
