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
with the steps since its last update, ``NeuronState.readout_clock``) and all of
them at the end of the call. Either way ``readout`` is exact between calls, so
a continued run sees the same traces as one long run.

The kernel's arguments come in named bundles (``collections.namedtuple``,
which Numba passes as plain structs): :class:`Neurons` (per-neuron constants),
:class:`NeuronState` (what a step changes per neuron), :class:`Synapses`,
:class:`Plasticity`, :class:`Drive` (input) and :class:`Recording`. A new state
variable goes into one bundle and the phase functions that use it. The phase
functions are inlined into :func:`run_steps` (``inline="always"``) and take
their arrays out of the bundles before their loops, so the bundles cost
nothing per step (measured against the positional version in one run, see
``benchmarks/bench_simulation.py``).

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
#: filtered spike trains and their per-step decay ``exp(-dt / tau_readout)``;
#: ``readout_clock`` (step each trace is exact at, while they decay lazily),
#: ``drive`` (input current) and ``spiked`` (this step's spikes) are working space.
NeuronState = namedtuple("NeuronState",
                         "v last_spike readout readout_decay readout_clock drive spiked")

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


@njit(cache=True, nogil=True, inline="always")
def _integrate(s_abs, neurons, state):
    """Phase 1 without input current; branch-free so that it vectorises."""
    v, last_spike = state.v, state.last_spike
    decay, v_rest, ref_steps = neurons.decay, neurons.v_rest, neurons.ref_steps
    for i in range(v.shape[0]):
        decayed = v_rest + (v[i] - v_rest) * decay[i]
        v[i] = decayed if s_abs - last_spike[i] >= ref_steps else v[i]


@njit(cache=True, nogil=True, inline="always")
def _integrate_driven(s_abs, neurons, state):
    """Phase 1 with an input current: exact decay towards ``v_rest + drive``."""
    v, last_spike, drive = state.v, state.last_spike, state.drive
    decay, v_rest, ref_steps = neurons.decay, neurons.v_rest, neurons.ref_steps
    for i in range(v.shape[0]):
        target = v_rest + drive[i]
        decayed = target + (v[i] - target) * decay[i]
        v[i] = decayed if s_abs - last_spike[i] >= ref_steps else v[i]


@njit(cache=True, nogil=True, inline="always")
def _decay_readout(state):
    """Phase 1b, while traces are sampled: every trace decays by one step."""
    readout, readout_decay = state.readout, state.readout_decay
    for i in range(readout.shape[0]):
        readout[i] *= readout_decay


@njit(cache=True, nogil=True)
def _sync_readout(s_abs, state):
    """Bring every lazily decayed trace to the end of step ``s_abs``."""
    readout, clock, readout_decay = state.readout, state.readout_clock, state.readout_decay
    for i in range(readout.shape[0]):
        if clock[i] != s_abs:
            readout[i] *= readout_decay ** (s_abs - clock[i])
            clock[i] = s_abs


@njit(cache=True, nogil=True, inline="always")
def _threshold(s_abs, neurons, state):
    """Phase 2: list the non-refractory neurons at threshold; returns their number."""
    v, last_spike, spiked = state.v, state.last_spike, state.spiked
    v_th, ref_steps, strict = neurons.v_th, neurons.ref_steps, neurons.strict
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


# The phase functions below take their arrays out of the bundles once, before
# their loops: an attribute access inside a loop would cost a reference count
# update per iteration.
@njit(cache=True, nogil=True, inline="always")
def _deliver(s_abs, t, n_spikes, neurons, state, synapses, plasticity):
    """Phase 3a: recurrent spikes reach their targets; depression on plastic synapses."""
    v, last_spike, spiked, ref_steps = state.v, state.last_spike, state.spiked, neurons.ref_steps
    ptr, targets, weight = synapses.ptr, synapses.post, synapses.weight
    learn, rows, table = plasticity.learn, plasticity.row, plasticity.state
    soft, w_min, w_max = plasticity.soft, plasticity.w_min, plasticity.w_max
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(ptr[j], ptr[j + 1]):
            post = targets[k]
            if s_abs - last_spike[post] >= ref_steps:
                v[post] += weight[k]
            if learn and rows[k] >= 0:
                weight[k] = _depressed(weight[k], table[rows[k]], t, soft, w_min, w_max)


@njit(cache=True, nogil=True, inline="always")
def _deliver_input(s_abs, r, neurons, state, drive):
    """Phase 3b: input spikes of relative step ``r``."""
    v, last_spike, ref_steps = state.v, state.last_spike, neurons.ref_steps
    spike_ptr, channels = drive.spike_ptr, drive.spike_channels
    in_ptr, in_post, in_weight = drive.in_ptr, drive.in_post, drive.in_weight
    for q in range(spike_ptr[r], spike_ptr[r + 1]):
        c = channels[q]
        for k in range(in_ptr[c], in_ptr[c + 1]):
            post = in_post[k]
            if s_abs - last_spike[post] >= ref_steps:
                v[post] += in_weight[k]


@njit(cache=True, nogil=True, inline="always")
def _potentiate(t, n_spikes, state, synapses, plasticity):
    """Phase 3c: potentiation of the plastic synapses onto neurons that spiked."""
    spiked, weight = state.spiked, synapses.weight
    ptr, syn, table = plasticity.ptr, plasticity.syn, plasticity.state
    soft, w_min, w_max = plasticity.soft, plasticity.w_min, plasticity.w_max
    for q in range(n_spikes):
        i = spiked[q]
        for p in range(ptr[i], ptr[i + 1]):
            k = syn[p]
            weight[k] = _potentiated(weight[k], table[p], t, soft, w_min, w_max)


@njit(cache=True, nogil=True, inline="always")
def _reset(s_abs, n_spikes, lazy, neurons, state, recording, n_recorded):
    """Phase 4: spiking neurons go to ``v_reset``; counts, traces and the record grow.

    With ``lazy`` traces, a spiking neuron's trace first decays over the steps
    since its last update.
    """
    v, readout, spiked, v_reset = state.v, state.readout, state.spiked, neurons.v_reset
    clock, readout_decay = state.readout_clock, state.readout_decay
    counts, spike_steps, spike_ids = recording.counts, recording.spike_steps, recording.spike_ids
    record_spikes = spike_steps.shape[0] > 0
    for q in range(n_spikes):
        i = spiked[q]
        v[i] = v_reset
        counts[i] += 1
        if lazy:
            readout[i] = readout[i] * readout_decay ** (s_abs - clock[i]) + 1.0
            clock[i] = s_abs
        else:
            readout[i] += 1.0
        if record_spikes:
            spike_steps[n_recorded] = s_abs
            spike_ids[n_recorded] = i
            n_recorded += 1
    return n_recorded


@njit(cache=True, nogil=True, inline="always")
def _sample(r, steps_per_input, state, recording):
    """After the last step of an input step: sample traces and potentials."""
    if (r + 1) % steps_per_input != 0:
        return
    row = (r + 1) // steps_per_input - 1
    if recording.states.shape[0] > 0:
        recording.states[row] = state.readout
    if recording.v_samples.shape[0] > 0:
        recording.v_samples[row] = state.v


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
    n = state.v.shape[0]
    has_current = drive.current.shape[0] > 0
    spi = drive.steps_per_input
    capacity = recording.spike_steps.shape[0]
    lazy = recording.states.shape[0] == 0
    state.readout_clock[:] = step0 + offset - 1       # traces are exact up to here
    for k in range(n_steps):
        if capacity > 0 and n_recorded + n > capacity:
            if lazy:
                _sync_readout(step0 + offset + k - 1, state)
            return k, n_recorded
        r = offset + k
        s_abs = step0 + r
        t = s_abs * dt
        if has_current and r % spi == 0:
            input_current(drive.current[r // spi], drive.in_ptr, drive.in_post,
                          drive.in_weight, state.drive)
        if has_current:
            _integrate_driven(s_abs, neurons, state)
        else:
            _integrate(s_abs, neurons, state)
        if not lazy:
            _decay_readout(state)
        n_spikes = _threshold(s_abs, neurons, state)
        _deliver(s_abs, t, n_spikes, neurons, state, synapses, plasticity)
        _deliver_input(s_abs, r, neurons, state, drive)
        if plasticity.learn:
            _potentiate(t, n_spikes, state, synapses, plasticity)
        n_recorded = _reset(s_abs, n_spikes, lazy, neurons, state, recording, n_recorded)
        _sample(r, spi, state, recording)
    if lazy:
        _sync_readout(step0 + offset + n_steps - 1, state)
    return n_steps, n_recorded
