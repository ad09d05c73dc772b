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
The filtered spike trains (``readout``, time constant ``tau_readout``) grow by
1 per spike in phase 4 and decay by ``exp(-dt / tau_readout)`` per step. When
they are sampled (``Recording.states``) every neuron's trace decays every step;
otherwise a trace is brought up to date only when its neuron spikes (lazily,
with the steps since its last update, ``NeuronState.readout_clock``, and a
table of powers of the decay) and all of them at the end of the call. Either
way ``readout`` is exact between calls (to rounding), so a continued run sees
the same traces as one long run.

The kernel's arguments come in named bundles (``collections.namedtuple``,
which Numba passes as plain structs): :class:`Neurons` (per-neuron constants),
:class:`NeuronState` (what a step changes per neuron), :class:`Synapses`,
:class:`Plasticity`, :class:`Drive` (input) and :class:`Recording`. A new state
variable goes into one bundle, the line of :func:`run_steps` that unpacks it
(tuple unpacking, whose length Numba checks when it compiles) and the phase
functions that use it. The phase functions take plain arrays: handing them the
bundles cost about 0.5 us per step on 1,000 neurons (measured), while
unpacking once per call costs nothing measurable.

STDP rules (per synapse ``k``, traces ``x`` (pre) and ``y`` (post)):

* ``soft=True``: ``x += 1`` on a pre spike then
  ``w -= eta_minus * (w - w_min) * y``; ``y += 1`` on a post spike then
  ``w += eta_plus * (w_max - w) * x``.
* ``soft=False`` (additive, Brian2's benchmark): ``x += eta_plus`` then
  ``w -= y``; ``y += eta_minus`` then ``w += x``.

Both clip ``w`` to ``[w_min, w_max]`` after every update.

Plastic synapses keep everything an STDP event touches in one 64-byte row of
``Plasticity.state`` (one cache line): see the ``PS_*`` column indices below.
Rows are in postsynaptic order; ``Plasticity.row[k]`` is the row of synapse
``k`` (-1 if static) and ``Plasticity.syn[p]`` the synapse of row ``p``.
"""

from collections import namedtuple

import numpy as np
from numba import njit

#: Value of ``last_spike`` for a neuron that has never spiked.
NEVER_SPIKED = np.iinfo(np.int64).min // 4

#: Columns of ``plastic_state``: traces, time of their last update, parameters.
PS_TRACE_PRE, PS_TRACE_POST, PS_TIME = 0, 1, 2
PS_TAU_PLUS, PS_TAU_MINUS, PS_ETA_PLUS, PS_ETA_MINUS = 3, 4, 5, 6
PS_COLUMNS = 8


#: Per-neuron constants. ``decay`` is ``exp(-dt / tau_m)``; ``ref_steps`` the
#: refractory period in steps (a neuron that spiked at step ``s`` is updated
#: again from step ``s + ref_steps``); ``strict`` means spike iff ``v > v_th``.
Neurons = namedtuple("Neurons", "decay v_th v_rest v_reset ref_steps strict")

#: What the step changes per neuron: potentials, step of the last spike, the
#: filtered spike trains; ``readout_powers[k]`` is ``exp(-k dt / tau_readout)``
#: (at least 2 entries; index 1 is the per-step decay); ``readout_clock`` (step
#: each trace is exact at, while they decay lazily), ``drive`` (input current)
#: and ``spiked`` (this step's spikes) are working space.
NeuronState = namedtuple("NeuronState",
                         "v last_spike readout readout_powers readout_clock drive spiked")

#: Recurrent synapses in CSR by presynaptic neuron: ``ptr`` (n_neurons + 1,)
#: int64, ``post`` (n_syn,) int32, ``weight`` (n_syn,) float64 (STDP writes it).
Synapses = namedtuple("Synapses", "ptr post weight")

#: STDP. ``row[k]``: row of ``state`` for synapse ``k`` (-1 if static); rows are
#: grouped by postsynaptic neuron (``ptr``, (n_neurons + 1,)) and ``syn[p]`` is
#: row ``p``'s synapse; ``state`` (n_plastic, PS_COLUMNS) holds traces, their
#: clock and parameters; ``soft`` selects the rule; ``w_min``/``w_max`` bound it.
Plasticity = namedtuple("Plasticity", "learn row ptr syn state soft w_min w_max")

#: Input: synapses in CSR by channel (``in_ptr``, ``in_post``, ``in_weight``);
#: ``current`` (n_input_steps, n_channels) applied for ``steps_per_input``
#: steps a row (zero rows: no current); input spikes in CSR by relative step
#: (``spike_ptr``, at least ``offset + n_steps + 1`` entries; ``spike_channels``).
Drive = namedtuple("Drive", "in_ptr in_post in_weight current steps_per_input "
                            "spike_ptr spike_channels")

#: Outputs: spike ``counts`` per neuron (incremented); ``states`` and
#: ``v_samples`` (n_input_steps, n_neurons) sampled at the end of each input
#: step (zero rows: off); the spike record ``spike_steps``/``spike_ids``
#: (absolute step, neuron; zero length: off).
Recording = namedtuple("Recording", "counts states v_samples spike_steps spike_ids")


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
def _decay_readout(readout, factor):
    """Phase 1b, while traces are sampled: every trace decays by one step."""
    for i in range(readout.shape[0]):
        readout[i] *= factor


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
    """Bring one plastic synapse's traces (a ``Plasticity.state`` row) to time ``t``."""
    elapsed = t - row[PS_TIME]
    row[PS_TRACE_PRE] = row[PS_TRACE_PRE] * np.exp(-elapsed / row[PS_TAU_PLUS])
    row[PS_TRACE_POST] = row[PS_TRACE_POST] * np.exp(-elapsed / row[PS_TAU_MINUS])
    row[PS_TIME] = t


@njit(cache=True, nogil=True)
def _depressed(w, row, t, soft, w_min, w_max):
    """Pre pathway of one plastic synapse: trace update, then its depressed weight."""
    _decay_traces(row, t)
    if soft:
        row[PS_TRACE_PRE] += 1.0
        w = w - row[PS_ETA_MINUS] * (w - w_min) * row[PS_TRACE_POST]
    else:
        row[PS_TRACE_PRE] += row[PS_ETA_PLUS]
        w = w - row[PS_TRACE_POST]
    return min(max(w, w_min), w_max)


@njit(cache=True, nogil=True)
def _potentiated(w, row, t, soft, w_min, w_max):
    """Post pathway of one plastic synapse: trace update, then its potentiated weight."""
    _decay_traces(row, t)
    if soft:
        row[PS_TRACE_POST] += 1.0
        w = w + row[PS_ETA_PLUS] * (w_max - w) * row[PS_TRACE_PRE]
    else:
        row[PS_TRACE_POST] += row[PS_ETA_MINUS]
        w = w + row[PS_TRACE_PRE]
    return min(max(w, w_min), w_max)


@njit(cache=True, nogil=True)
def _deliver(s_abs, t, spiked, n_spikes, ref_steps, syn_ptr, syn_post, syn_w, learn,
             plastic_row, plastic_state, rule, v, last_spike):
    """Phase 3a: recurrent spikes reach their targets; depression on plastic synapses.

    ``rule`` is ``(soft, w_min, w_max)``.
    """
    soft, w_min, w_max = rule
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(syn_ptr[j], syn_ptr[j + 1]):
            post = syn_post[k]
            if s_abs - last_spike[post] >= ref_steps:
                v[post] += syn_w[k]
            if learn and plastic_row[k] >= 0:
                syn_w[k] = _depressed(syn_w[k], plastic_state[plastic_row[k]], t,
                                      soft, w_min, w_max)


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
def _potentiate(t, spiked, n_spikes, plastic_ptr, plastic_syn, plastic_state, rule, syn_w):
    """Phase 3c: potentiation of the plastic synapses onto neurons that spiked."""
    soft, w_min, w_max = rule
    for q in range(n_spikes):
        i = spiked[q]
        for p in range(plastic_ptr[i], plastic_ptr[i + 1]):
            k = plastic_syn[p]
            syn_w[k] = _potentiated(syn_w[k], plastic_state[p], t, soft, w_min, w_max)


@njit(cache=True, nogil=True)
def _reset(s_abs, spiked, n_spikes, v_reset, v, counts, readout, lazy, powers, clock):
    """Phase 4: spiking neurons go to ``v_reset``; their counts and traces grow.

    With ``lazy`` traces, a spiking neuron's trace first decays over the steps
    since its last update (``clock``).
    """
    for q in range(n_spikes):
        i = spiked[q]
        v[i] = v_reset
        counts[i] += 1
        if lazy:
            readout[i] = readout[i] * _decay_power(powers, s_abs - clock[i]) + 1.0
            clock[i] = s_abs
        else:
            readout[i] += 1.0


@njit(cache=True, nogil=True)
def _decay_power(powers, k):
    """``powers[1] ** k``, from the table when it is long enough."""
    return powers[k] if k < powers.shape[0] else powers[1] ** k


@njit(cache=True, nogil=True)
def _sync_readout(s_abs, readout, powers, clock):
    """Bring every lazily decayed trace to the end of step ``s_abs``."""
    for i in range(readout.shape[0]):
        readout[i] *= _decay_power(powers, s_abs - clock[i])
        clock[i] = s_abs


@njit(cache=True, nogil=True)
def _record_spikes(s_abs, spiked, n_spikes, spike_steps, spike_ids, n_recorded):
    """Append this step's spikes to the record; returns the entries used."""
    for q in range(n_spikes):
        spike_steps[n_recorded] = s_abs
        spike_ids[n_recorded] = spiked[q]
        n_recorded += 1
    return n_recorded


@njit(cache=True, nogil=True)
def run_steps(n_steps, offset, step0, dt, neurons, state, synapses, plasticity, drive,
              recording, n_recorded):
    """Advance the network by up to ``n_steps`` steps, in place.

    Parameters
    ----------
    n_steps : int
        Steps to simulate in this call.
    offset : int
        Steps of the current run already done; indexes ``drive.current``,
        ``drive.spike_ptr`` and the sampled rows (relative step ``r = offset + k``).
    step0 : int
        Absolute step of relative step 0 (refractoriness and STDP use it).
    dt : float
        Step length, in the unit of every time constant (ms by convention).
    neurons : Neurons
    state : NeuronState
        Changed in place.
    synapses : Synapses
        ``weight`` changed in place when ``plasticity.learn``.
    plasticity : Plasticity
        ``state`` changed in place when ``learn``.
    drive : Drive
    recording : Recording
        Filled in place.
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
    decay, v_th, v_rest, v_reset, ref_steps, strict = neurons
    v, last_spike, readout, powers, clock, drive_now, spiked = state
    syn_ptr, syn_post, syn_w = synapses
    learn, plastic_row, plastic_ptr, plastic_syn, plastic_state, soft, w_min, w_max = plasticity
    in_ptr, in_post, in_w, current, steps_per_input, spike_ptr, spike_channels = drive
    counts, states, v_samples, spike_steps, spike_ids = recording
    rule = (soft, w_min, w_max)
    n = v.shape[0]
    has_current = current.shape[0] > 0
    lazy = states.shape[0] == 0            # traces not sampled: decay them lazily
    record_spikes = spike_steps.shape[0] > 0
    clock[:] = step0 + offset - 1          # every trace is exact up to here
    steps_done = n_steps
    for k in range(n_steps):
        if record_spikes and n_recorded + n > spike_steps.shape[0]:
            steps_done = k
            break
        r = offset + k
        s_abs = step0 + r
        t = s_abs * dt
        if has_current and r % steps_per_input == 0:
            input_current(current[r // steps_per_input], in_ptr, in_post, in_w, drive_now)
        if has_current:
            _integrate_driven(s_abs, decay, v_rest, ref_steps, drive_now, v, last_spike)
        else:
            _integrate(s_abs, decay, v_rest, ref_steps, v, last_spike)
        if not lazy:
            _decay_readout(readout, powers[1])
        n_spikes = _threshold(s_abs, v_th, ref_steps, strict, v, last_spike, spiked)
        _deliver(s_abs, t, spiked, n_spikes, ref_steps, syn_ptr, syn_post, syn_w, learn,
                 plastic_row, plastic_state, rule, v, last_spike)
        _deliver_input(s_abs, spike_ptr[r], spike_ptr[r + 1], spike_channels, ref_steps,
                       in_ptr, in_post, in_w, v, last_spike)
        if learn:
            _potentiate(t, spiked, n_spikes, plastic_ptr, plastic_syn, plastic_state, rule,
                        syn_w)
        _reset(s_abs, spiked, n_spikes, v_reset, v, counts, readout, lazy, powers, clock)
        if record_spikes:
            n_recorded = _record_spikes(s_abs, spiked, n_spikes, spike_steps, spike_ids,
                                        n_recorded)
        if (r + 1) % steps_per_input == 0:          # sample at the end of an input step
            row = (r + 1) // steps_per_input - 1
            if states.shape[0] > 0:
                states[row] = readout
            if v_samples.shape[0] > 0:
                v_samples[row] = v
    if lazy:
        _sync_readout(step0 + offset + steps_done - 1, readout, powers, clock)
    return steps_done, n_recorded
