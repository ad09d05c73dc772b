"""Numba kernels for the LIF network with delta synapses and per-synapse STDP.

Only plain contiguous arrays go in and out. One simulation step follows Brian2's
default schedule (see ``shared/bench/README.md``, "Dynamics"):

1. integrate: non-refractory neurons decay exactly towards ``v_rest + I``
   (with the optional ingredients: ``I`` includes the bias, the synaptic
   currents add their exact contribution and decay, the membrane noise is
   added, the adaptation variable decays);
2. threshold: such neurons spike if ``v > v_th`` (strict) or ``v >= v_th``
   (``v_th + beta * a`` with adaptation);
3. propagate: each spike of this step adds ``w`` to every non-refractory target
   (recurrent synapses by presynaptic index, then input spikes by channel), or
   with current synapses ``w / tau_syn`` to the target's current, refractory
   or not; plastic synapses decay their traces lazily and apply depression
   (pre pathway), then potentiation for every spiking postsynaptic neuron
   (post pathway);
4. reset: spiking neurons are set to ``v_reset`` (and their adaptation
   variable jumps by ``1 / tau_adapt``).

Event-driven steps. Without input current and ingredients, and with ``v_rest``
and ``v_reset`` below every threshold (``Neurons.quiet``), a potential below
threshold stays below it while no spike arrives (the decay moves it towards
``v_rest``; ``quiet`` also asks that one step's decay of a potential at
threshold exceeds a few units in the last place, so rounding cannot lift it).
So only the neurons that received a spike in the step before can spike:

* ``LISTED`` steps integrate every neuron as above but check only those
  neurons (listed once each while delivering): the clock-driven arithmetic,
  bit for bit. A step whose spikes reach ``n_neurons / LISTED_COST``
  synapses or more lists none of them, and the next step checks every neuron;
* ``LAZY`` steps touch only those neurons: a potential is exact at step
  ``v_clock[i]`` and is brought up to date (one factor ``exp(gap
  log_decay)``, equal to ``gap`` factors ``decay`` to rounding) when a spike
  reaches it, when it is checked, and for all neurons at the end of a call; a
  neuron reset at step ``s`` is held until ``s + ref_steps - 1``.

The kind of step is chosen per window (``EVENT_WINDOW``) from the synapses the
previous window's spikes went through; the first window of a call is
clock-driven, and every switch brings the potentials up to date.

Time is counted in integer steps; the time seen by STDP is ``step * dt``.
The filtered spike trains (``readout``, time constant ``tau_readout``) grow by
1 per spike in phase 4 and decay by ``exp(-dt / tau_readout)`` per step. When
they are sampled (``Recording.states``) every neuron's trace decays every step;
otherwise a trace is brought up to date only when its neuron spikes (lazily,
with the steps since its last update, ``NeuronState.readout_clock``, and a
table of powers of the decay) and all of them at the end of the call. Either
way ``readout`` is exact between calls (to rounding), so a continued run sees
the same traces as one long run.

The filtered spike trains at several time constants (``traces``, one row per
time constant) follow the same convention (+1 per spike in phase 4, decay by
``trace_powers[k, 1] = exp(-dt / tau_k)`` per step) but are part of the running
state together with their clock (``trace_clock[i]``: the step neuron ``i``'s
traces are exact at). When they are not sampled they are only brought up to
date when their neuron spikes, and not at the end of the call, so they cost
nothing per step and a continued run does exactly what one long run does. When
they are sampled (``Recording.trace_samples``) they are first brought to the
start of the call, then decay every step like ``readout`` (same factor, same
arithmetic: a row of ``trace_powers`` computed like ``readout_powers`` gives
the same numbers as ``states``). :func:`sync_traces` brings them up to date
between calls.

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
``k`` (-1 if static) and ``Plasticity.syn[p]`` the synapse of row ``p``. While a
learning call runs, a plastic weight lives in its row (``PS_WEIGHT``), so the
post pathway never reaches into ``Synapses.weight`` (in presynaptic order, so
all over memory); ``weight[k]`` is refreshed from the row before synapse ``k``
delivers a spike, and every weight is written back at the end of the call.
"""

from collections import namedtuple

import numpy as np
from numba import njit

#: Value of ``last_spike`` for a neuron that has never spiked.
NEVER_SPIKED = np.iinfo(np.int64).min // 4

#: Event-driven steps: the kernel counts the synapses that spikes went through
#: in each window of ``EVENT_WINDOW`` steps. In the next window it keeps lazy
#: potentials (``LAZY``) when they were fewer than ``n_neurons / LAZY_COST`` per
#: step, checks only listed neurons against threshold (``LISTED``) when fewer
#: than ``n_neurons / LISTED_COST``, and takes clock-driven steps otherwise. An
#: input handled lazily costs about ``LAZY_COST`` clock-driven neuron updates
#: (its target's potential, clock, listing and constants lie all over memory), a
#: listed one about ``LISTED_COST`` threshold checks. Measured: with sparse input
#: (2,000 and 20,000 neurons at dt = 0.1 ms, 100,000 at 1 Hz and dt = 1 ms) the
#: automatic choice was the fastest of the three in each case; at 32 it was
#: slower than clock-driven steps for 100,000 neurons.
EVENT_WINDOW, LAZY_COST, LISTED_COST = 64, 128, 8
#: ``run_steps(event_driven=...)``: never, by the rule above, whenever allowed.
EVENTS_NEVER, EVENTS_AUTO, EVENTS_ALWAYS = 0, 1, 2
#: The kinds of step: clock-driven; every potential decays but only listed
#: neurons are checked against threshold; lazy potentials.
CLOCKED, LISTED, LAZY = 0, 1, 2

#: Columns of ``plastic_state``: traces, time of their last update, parameters,
#: and the weight while a learning call runs.
PS_TRACE_PRE, PS_TRACE_POST, PS_TIME = 0, 1, 2
PS_TAU_PLUS, PS_TAU_MINUS, PS_ETA_PLUS, PS_ETA_MINUS = 3, 4, 5, 6
PS_WEIGHT, PS_COLUMNS = 7, 8


#: Per-neuron constants. ``decay`` is ``exp(-dt / tau_m)``; ``ref_steps`` the
#: refractory period in steps (a neuron that spiked at step ``s`` is updated
#: again from step ``s + ref_steps``); ``strict`` means spike iff ``v > v_th``.
#: The optional ingredients (see :class:`hrsnn.Network`): synaptic-current time
#: constants ``tau_syn_e``/``tau_syn_i`` with their per-step decays and the
#: gains ``syn_gain_*`` (what a unit current adds to ``v`` over one step, exact);
#: ``tau_adapt``, ``adapt_decay`` and ``beta`` (adaptation); ``bias``;
#: ``noise_scale`` (std of the noise added per step). The flags ``currents``,
#: ``adapts`` and ``rich`` (any ingredient on) choose the phase functions.
#: ``log_decay`` is ``-dt / tau_m`` (the lazy decay over ``k`` steps is
#: ``exp(k log_decay)``); ``quiet`` means no neuron can reach threshold
#: without input (no ingredient, and ``v_rest``, ``v_reset`` below every
#: ``v_th``), the condition for event-driven steps.
Neurons = namedtuple("Neurons", "decay v_th v_rest v_reset ref_steps strict "
                                "tau_syn_e tau_syn_i syn_decay_e syn_decay_i syn_gain_e "
                                "syn_gain_i tau_adapt adapt_decay beta bias noise_scale "
                                "currents adapts rich log_decay quiet")

#: What the step changes per neuron: potentials, step of the last spike, the
#: filtered spike trains; ``readout_powers[k]`` is ``exp(-k dt / tau_readout)``
#: (at least 2 entries; index 1 is the per-step decay); ``readout_clock`` (step
#: each trace is exact at, while they decay lazily), ``drive`` (input current)
#: and ``spiked`` (this step's spikes) are working space; ``ge``, ``gi`` are the
#: excitatory and inhibitory synaptic currents (potential per ms) and ``a`` the
#: adaptation variable (spikes per ms). ``traces`` (n_taus, n_neurons) are the
#: filtered spike trains at several time constants, exact at step
#: ``trace_clock`` (n_neurons,) int64 of their neuron; ``trace_powers[k, m]`` is
#: ``exp(-m dt / tau_k)`` (at least 2 columns); ``n_taus`` may be 0.
NeuronState = namedtuple("NeuronState",
                         "v last_spike readout readout_powers readout_clock drive spiked "
                         "ge gi a traces trace_powers trace_clock")

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
#: ``noise_seed`` (>= 0) seeds the membrane noise (a counter-based generator of
#: ``(seed, step, neuron)``, so that a run's noise does not depend on threads).
Drive = namedtuple("Drive", "in_ptr in_post in_weight current steps_per_input "
                            "spike_ptr spike_channels noise_seed")

#: Outputs: spike ``counts`` per neuron (incremented); ``states``, ``v_samples``
#: and the synaptic currents and adaptation ``ge_samples``, ``gi_samples``,
#: ``a_samples`` (n_input_steps, n_neurons) sampled at the end of each input
#: step (zero rows: off); ``trace_samples`` (n_input_steps, n_taus * n_neurons),
#: the traces sampled so, tau-major (zero rows: off); the spike record
#: ``spike_steps``/``spike_ids`` (absolute step, neuron; zero length: off).
Recording = namedtuple("Recording", "counts states v_samples spike_steps spike_ids "
                                    "ge_samples gi_samples a_samples trace_samples")


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
def _same_row(current, row):
    """True if input row ``row`` equals the one before (its current is already in
    ``drive``: a static input, such as an image held for many steps, costs one
    current computation)."""
    for c in range(current.shape[1]):
        if current[row, c] != current[row - 1, c]:
            return False
    return True


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
def _threshold_adaptive(s_abs, v_th, beta, a, ref_steps, strict, v, last_spike, spiked):
    """Phase 2 with adaptation: the threshold is ``v_th + beta * a``.

    Kept apart from :func:`_threshold` on purpose, so that networks without
    adaptation do not read ``beta`` and ``a`` for every neuron in every step.
    """
    n_spikes = 0
    for i in range(v.shape[0]):
        threshold = v_th[i] + beta[i] * a[i]
        crossed = v[i] > threshold if strict else v[i] >= threshold
        if crossed and s_abs - last_spike[i] >= ref_steps:
            spiked[n_spikes] = i
            n_spikes += 1
            last_spike[i] = s_abs
    return n_spikes


@njit(cache=True, nogil=True)
def _depression(w, x, y, eta_plus, eta_minus, soft, w_min, w_max):
    """Pre pathway of one plastic synapse with its traces ``x``, ``y`` up to date:
    returns the depressed weight and the new pre trace."""
    if soft:
        x += 1.0
        w = w - eta_minus * (w - w_min) * y
    else:
        x += eta_plus
        w = w - y
    return min(max(w, w_min), w_max), x


@njit(cache=True, nogil=True)
def _potentiation(w, x, y, eta_plus, eta_minus, soft, w_min, w_max):
    """Post pathway of one plastic synapse with its traces ``x``, ``y`` up to date:
    returns the potentiated weight and the new post trace."""
    if soft:
        y += 1.0
        w = w + eta_plus * (w_max - w) * x
    else:
        y += eta_minus
        w = w + x
    return min(max(w, w_min), w_max), y


@njit(cache=True, nogil=True)
def _deliver(s_abs, sources, lo, hi, ptr, posts, weights, ref_steps, v, last_spike, listing,
             lazy, v_clock, touched, decay, log_decay, v_rest, listed, n_listed):
    """Phase 3: the spikes of ``sources[lo:hi]`` go through their synapses (CSR
    ``ptr``, ``posts``, ``weights``): each non-refractory target gets ``w``.

    Recurrent spikes (``sources`` = this step's spiking neurons, synapses by
    presynaptic neuron) first, then input spikes (input channels, input
    synapses). With ``listing`` the target is listed (once: ``touched``) in
    ``listed[:n_listed]`` for the next step's threshold; with ``lazy``
    potentials it is first brought to this step (:func:`_catch_up`, written
    out: a call per synapse costs more than the update). Returns the new
    ``n_listed``.
    """
    for q in range(lo, hi):
        source = sources[q]
        for k in range(ptr[source], ptr[source + 1]):
            post = posts[k]
            if s_abs - last_spike[post] < ref_steps:
                continue
            if lazy:
                gap = s_abs - v_clock[post]
                if gap > 0:
                    factor = _decay_factor(decay[post], log_decay[post], gap)
                    v[post] = v_rest + (v[post] - v_rest) * factor
                    v_clock[post] = s_abs
            if listing:
                if not touched[post]:
                    touched[post] = True
                    listed[n_listed] = post
                    n_listed += 1
            v[post] += weights[k]
    return n_listed


@njit(cache=True, nogil=True)
def _depress(t, spiked, n_spikes, syn_ptr, plastic_row, plastic_state, rule, syn_w):
    """Phase 3a': the pre pathway of the plastic synapses of this step's spikes (after
    their delivery, which used the weights before this update; rows are disjoint,
    so the order of the two does not matter across spikes)."""
    soft, w_min, w_max = rule
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(syn_ptr[j], syn_ptr[j + 1]):
            p = plastic_row[k]
            if p >= 0:
                x, y = _traces_at(plastic_state, p, t)
                w, x = _depression(plastic_state[p, PS_WEIGHT], x, y,
                                   plastic_state[p, PS_ETA_PLUS],
                                   plastic_state[p, PS_ETA_MINUS], soft, w_min, w_max)
                plastic_state[p, PS_WEIGHT] = syn_w[k] = w
                plastic_state[p, PS_TRACE_PRE] = x
                plastic_state[p, PS_TRACE_POST] = y


@njit(cache=True, nogil=True)
def _potentiate(t, spiked, n_spikes, plastic_ptr, plastic_state, rule):
    """Phase 3c: potentiation of the plastic synapses onto neurons that spiked (their
    rows are consecutive, and hold the weights)."""
    soft, w_min, w_max = rule
    for q in range(n_spikes):
        i = spiked[q]
        for p in range(plastic_ptr[i], plastic_ptr[i + 1]):
            x, y = _traces_at(plastic_state, p, t)
            w, y = _potentiation(plastic_state[p, PS_WEIGHT], x, y,
                                 plastic_state[p, PS_ETA_PLUS],
                                 plastic_state[p, PS_ETA_MINUS], soft, w_min, w_max)
            plastic_state[p, PS_WEIGHT] = w
            plastic_state[p, PS_TRACE_PRE] = x
            plastic_state[p, PS_TRACE_POST] = y


@njit(cache=True, nogil=True)
def _fresh_weights(spiked, n_spikes, syn_ptr, plastic_row, plastic_state, syn_w):
    """Before this step's spikes are delivered: their plastic synapses' weights from
    the rows. The rows lie all over memory; loaded here in one tight loop, many
    cache misses are in flight at once, and the rows are in the cache when the pre
    pathway (two ``exp`` per synapse) needs them."""
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(syn_ptr[j], syn_ptr[j + 1]):
            if plastic_row[k] >= 0:
                syn_w[k] = plastic_state[plastic_row[k], PS_WEIGHT]


@njit(cache=True, nogil=True)
def _move_weights(plastic_syn, plastic_state, syn_w, into_rows):
    """Plastic weights into their rows (``into_rows``, when a learning call starts) or
    back into ``syn_w`` (when it ends)."""
    for p in range(plastic_syn.shape[0]):
        if into_rows:
            plastic_state[p, PS_WEIGHT] = syn_w[plastic_syn[p]]
        else:
            syn_w[plastic_syn[p]] = plastic_state[p, PS_WEIGHT]


@njit(cache=True, nogil=True)
def _traces_at(plastic_state, p, t):
    """The traces ``(x, y)`` of plastic synapse row ``p`` decayed to time ``t``; the
    row's clock moves to ``t`` (the caller stores the traces after its update)."""
    elapsed = t - plastic_state[p, PS_TIME]
    plastic_state[p, PS_TIME] = t
    return (plastic_state[p, PS_TRACE_PRE] * np.exp(-elapsed / plastic_state[p, PS_TAU_PLUS]),
            plastic_state[p, PS_TRACE_POST] * np.exp(-elapsed / plastic_state[p, PS_TAU_MINUS]))


@njit(cache=True, nogil=True)
def _decay_factor(decay, log_decay, gap):
    """The decay over ``gap >= 1`` steps: ``decay`` itself for one step (the
    clock-driven arithmetic), one factor ``exp(gap * log_decay)`` beyond (equal to
    ``gap`` factors ``decay`` to rounding)."""
    return decay if gap == 1 else np.exp(gap * log_decay)


@njit(cache=True, nogil=True)
def _catch_up(i, s_abs, v, v_clock, decay, log_decay, v_rest):
    """Event-driven steps: bring neuron ``i``'s potential from step ``v_clock[i]`` to
    ``s_abs``, over the non-refractory steps without input since."""
    gap = s_abs - v_clock[i]
    if gap > 0:
        v[i] = v_rest + (v[i] - v_rest) * _decay_factor(decay[i], log_decay[i], gap)
        v_clock[i] = s_abs


@njit(cache=True, nogil=True)
def _threshold_listed(s_abs, listed, n_listed, v_th, ref_steps, strict, v, last_spike,
                      spiked, lazy, v_clock, touched, decay, log_decay, v_rest):
    """Phase 2 of an event-driven step: only a neuron that received input in the last
    step (``listed[:n_listed]``) can be at threshold. Its potential is brought up to
    date and its listing cleared. Returns the number of spikes, listed in
    ``spiked`` in index order (as :func:`_threshold` does).
    """
    n_spikes = 0
    for q in range(n_listed):
        i = listed[q]
        touched[i] = False
        if s_abs - last_spike[i] >= ref_steps:
            if lazy:
                _catch_up(i, s_abs, v, v_clock, decay, log_decay, v_rest)
            crossed = v[i] > v_th[i] if strict else v[i] >= v_th[i]
            if crossed:
                spiked[n_spikes] = i
                n_spikes += 1
                last_spike[i] = s_abs
    _sort_prefix(spiked, n_spikes)
    return n_spikes


@njit(cache=True, nogil=True)
def _sort_prefix(a, n):
    """Sort ``a[:n]`` ascending in place (insertion sort while short)."""
    if n > 32:
        a[:n] = np.sort(a[:n])
        return
    for q in range(1, n):
        x = a[q]
        p = q - 1
        while p >= 0 and a[p] > x:
            a[p + 1] = a[p]
            p -= 1
        a[p + 1] = x


@njit(cache=True, nogil=True)
def _start_clocks(s_abs, ref_steps, last_spike, v_clock):
    """Event-driven steps begin after the clock-driven step ``s_abs``: every potential
    is exact there, except that a refractory one is held until its refractory
    period ends (see :func:`_hold`)."""
    hold = max(ref_steps - 1, 0)
    for i in range(v_clock.shape[0]):
        v_clock[i] = max(s_abs, last_spike[i] + hold)


@njit(cache=True, nogil=True)
def _hold(s_abs, spiked, n_spikes, ref_steps, v_clock):
    """Event-driven steps: a neuron reset at step ``s_abs`` first decays in the step its
    refractory period ends (``s_abs + ref_steps``), so it is exact up to the one before."""
    for q in range(n_spikes):
        v_clock[spiked[q]] = s_abs + max(ref_steps - 1, 0)


@njit(cache=True, nogil=True)
def _event_level(event_driven, k, fan_out, n):
    """The kind of step for the window starting at step ``k`` of the call, from the
    synapses the last window's spikes went through (``fan_out``; see ``LAZY_COST``)."""
    if event_driven == EVENTS_ALWAYS:
        return LAZY
    if k == 0:
        return CLOCKED
    if fan_out * LAZY_COST < EVENT_WINDOW * n:
        return LAZY
    if fan_out * LISTED_COST < EVENT_WINDOW * n:
        return LISTED
    return CLOCKED


@njit(cache=True, nogil=True)
def _unlist(listed, n_listed, touched):
    """Clear the listing of ``listed[:n_listed]`` (when leaving event-driven steps)."""
    for q in range(n_listed):
        touched[listed[q]] = False


@njit(cache=True, nogil=True)
def _fan_out(spiked, n_spikes, syn_ptr, lo, hi, spike_channels, in_ptr):
    """Synapses this step's recurrent and input spikes go through (the work of an
    event-driven step, against ``n_neurons`` for a clock-driven one)."""
    total = 0
    for q in range(n_spikes):
        total += syn_ptr[spiked[q] + 1] - syn_ptr[spiked[q]]
    for q in range(lo, hi):
        total += in_ptr[spike_channels[q] + 1] - in_ptr[spike_channels[q]]
    return total


@njit(cache=True, nogil=True)
def _sync_v(s_abs, v, v_clock, decay, log_decay, v_rest):
    """Bring every potential to step ``s_abs`` (the held ones stay as they are)."""
    for i in range(v.shape[0]):
        _catch_up(i, s_abs, v, v_clock, decay, log_decay, v_rest)


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
def _table_power(powers, k, m):
    """``powers[k, 1] ** m``, from row ``k`` of the table when it is long enough."""
    return powers[k, m] if m < powers.shape[1] else powers[k, 1] ** m


@njit(cache=True, nogil=True)
def sync_traces(s_abs, traces, powers, clock):
    """Bring every trace to the end of step ``s_abs`` (``clock`` becomes ``s_abs``).

    Parameters
    ----------
    s_abs : int
        Absolute step, not before any entry of ``clock``.
    traces : ndarray of shape (n_taus, n_neurons)
        Changed in place.
    powers : ndarray of shape (n_taus, n_powers)
        ``exp(-m dt / tau_k)`` in row ``k``, column ``m``.
    clock : ndarray of int64, shape (n_neurons,)
        Step each neuron's traces are exact at; changed in place.
    """
    for i in range(traces.shape[1]):
        gap = s_abs - clock[i]
        for k in range(traces.shape[0]):
            traces[k, i] *= _table_power(powers, k, gap)
        clock[i] = s_abs


@njit(cache=True, nogil=True)
def _decay_every_trace(traces, powers):
    """Phase 1b, while traces are sampled: every trace decays by one step."""
    for k in range(traces.shape[0]):
        factor = powers[k, 1]
        for i in range(traces.shape[1]):
            traces[k, i] *= factor


@njit(cache=True, nogil=True)
def _grow_traces(s_abs, spiked, n_spikes, traces, powers, clock, lazy):
    """Phase 4c: the traces of every spiking neuron grow by 1.

    With ``lazy`` traces, they first decay over the steps since their neuron's
    clock, which then moves to ``s_abs``.
    """
    for q in range(n_spikes):
        i = spiked[q]
        if lazy:
            gap = s_abs - clock[i]
            for k in range(traces.shape[0]):
                traces[k, i] = traces[k, i] * _table_power(powers, k, gap) + 1.0
            clock[i] = s_abs
        else:
            for k in range(traces.shape[0]):
                traces[k, i] += 1.0


@njit(cache=True, nogil=True)
def _sample_traces(traces, out):
    """Copy the (up-to-date) traces into one row, tau-major: ``out[k * n + i]``."""
    n = traces.shape[1]
    for k in range(traces.shape[0]):
        for i in range(n):
            out[k * n + i] = traces[k, i]


@njit(cache=True, nogil=True)
def _record_spikes(s_abs, spiked, n_spikes, spike_steps, spike_ids, n_recorded):
    """Append this step's spikes to the record; returns the entries used."""
    for q in range(n_spikes):
        spike_steps[n_recorded] = s_abs
        spike_ids[n_recorded] = spiked[q]
        n_recorded += 1
    return n_recorded


@njit(cache=True, nogil=True)
def _splitmix64(x):
    """One step of the splitmix64 generator (uint64 arithmetic, wrapping)."""
    x = x + np.uint64(0x9E3779B97F4A7C15)
    z = x
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


def _ziggurat_tables():
    """Marsaglia & Tsang's (2000) 128-layer ziggurat for the standard normal (32-bit)."""
    kn, wn, fn = np.zeros(128), np.zeros(128), np.zeros(128)
    dn = tn = 3.442619855899
    vn, m1 = 9.91256303526217e-3, 2147483648.0
    q = vn / np.exp(-0.5 * dn * dn)
    kn[0], kn[1] = (dn / q) * m1, 0.0
    wn[0], wn[127] = q / m1, dn / m1
    fn[0], fn[127] = 1.0, np.exp(-0.5 * dn * dn)
    for i in range(126, 0, -1):
        dn = np.sqrt(-2.0 * np.log(vn / dn + np.exp(-0.5 * dn * dn)))
        kn[i + 1] = (dn / tn) * m1
        tn = dn
        fn[i] = np.exp(-0.5 * dn * dn)
        wn[i] = dn / m1
    return kn, wn, fn


ZIGGURAT_K, ZIGGURAT_W, ZIGGURAT_F = _ziggurat_tables()
_ZIGGURAT_R = 3.442620


@njit(cache=True, nogil=True)
def _int32(z):
    """The low 32 bits of ``z`` as a signed integer (in an int64)."""
    low = np.int64(z & np.uint64(0xFFFFFFFF))
    return low - 4294967296 if low >= 2147483648 else low


@njit(cache=True, nogil=True)
def _unit(z):
    """A uniform number in (0, 1] from the top 53 bits of ``z``."""
    return ((z >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740992.0)


@njit(cache=True, nogil=True)
def standard_normal(seed, step, neuron):
    """A standard normal number that depends only on ``(seed, step, neuron)``.

    Counter-based: splitmix64 of the three gives a chain of 64-bit numbers that
    feed Marsaglia & Tsang's ziggurat (one number for 99 % of draws), so every
    run, thread and continuation draws the same noise for the same step.
    """
    return _normal_of_key(_step_key(seed, step) + np.uint64(neuron))


@njit(cache=True, nogil=True)
def _step_key(seed, step):
    """The part of a draw's key shared by all neurons of one step."""
    return np.uint64(seed) * np.uint64(0xD1B54A32D192ED03) + np.uint64(step) * np.uint64(
        0xABC98388FB8FAC03)


@njit(cache=True, nogil=True)
def _normal_of_key(key):
    """The ziggurat draw for one key (see :func:`standard_normal`)."""
    z = _splitmix64(key)
    hz = _int32(z)
    iz = hz & 127
    if abs(hz) < ZIGGURAT_K[iz]:
        return hz * ZIGGURAT_W[iz]
    return _ziggurat_slow(z, hz, iz)


@njit(cache=True, nogil=True)
def _ziggurat_slow(z, hz, iz):
    """The ziggurat's slow path ("nfix"): wedges and the tail, about 1 % of draws."""
    while True:
        x = hz * ZIGGURAT_W[iz]
        if iz == 0:                           # the tail beyond r
            while True:
                z = _splitmix64(z)
                x = -np.log(_unit(z)) / _ZIGGURAT_R
                z = _splitmix64(z)
                if -2.0 * np.log(_unit(z)) >= x * x:
                    break
            return _ZIGGURAT_R + x if hz > 0 else -_ZIGGURAT_R - x
        z = _splitmix64(z)
        if (ZIGGURAT_F[iz] + _unit(z) * (ZIGGURAT_F[iz - 1] - ZIGGURAT_F[iz])
                < np.exp(-0.5 * x * x)):
            return x
        z = _splitmix64(z)
        hz = _int32(z)
        iz = hz & 127
        if abs(hz) < ZIGGURAT_K[iz]:
            return hz * ZIGGURAT_W[iz]


@njit(cache=True, nogil=True)
def noise_table(seed, step0, noise_scale, out):
    """The membrane noise of steps ``step0 ..`` as ``out[step, neuron]`` (what
    :func:`run_steps` adds), for references that cannot run the kernel."""
    for s in range(out.shape[0]):
        for i in range(out.shape[1]):
            out[s, i] = noise_scale[i] * standard_normal(seed, step0 + s, i)


@njit(cache=True, nogil=True)
def _integrate_rich(s_abs, decay, v_rest, ref_steps, drive_now, has_drive, bias, gain_e,
                    gain_i, decay_e, decay_i, v, last_spike, ge, gi):
    """Phase 1 with an ingredient on: input current, bias and synaptic currents.

    Exact for this linear part: over one step a current ``g`` decaying with
    ``tau_syn`` adds ``g * syn_gain`` to ``v``. Branch-free so that it vectorises.
    """
    for i in range(v.shape[0]):
        target = v_rest + (drive_now[i] if has_drive else 0.0) + bias[i]
        new_v = target + (v[i] - target) * decay[i] + ge[i] * gain_e[i] + gi[i] * gain_i[i]
        v[i] = new_v if s_abs - last_spike[i] >= ref_steps else v[i]
        ge[i] *= decay_e[i]
        gi[i] *= decay_i[i]


@njit(cache=True, nogil=True)
def _add_noise(s_abs, noise_seed, noise_scale, ref_steps, v, last_spike):
    """Phase 1b: membrane noise for the non-refractory neurons."""
    key = _step_key(noise_seed, s_abs)
    for i in range(v.shape[0]):
        if noise_scale[i] > 0.0 and s_abs - last_spike[i] >= ref_steps:
            v[i] += noise_scale[i] * _normal_of_key(key + np.uint64(i))


@njit(cache=True, nogil=True)
def _decay_adaptation(a, adapt_decay):
    """Phase 1c: the adaptation variables decay by one step."""
    for i in range(a.shape[0]):
        a[i] *= adapt_decay[i]


@njit(cache=True, nogil=True)
def _add_current(w, post, tau_syn_e, tau_syn_i, ge, gi):
    """One spike through a current synapse of weight ``w``: total charge ``w``."""
    if w >= 0.0:
        ge[post] += w / tau_syn_e[post]
    else:
        gi[post] += w / tau_syn_i[post]


@njit(cache=True, nogil=True)
def _deliver_currents(t, spiked, n_spikes, syn_ptr, syn_post, syn_w, learn, plastic_row,
                      plastic_state, rule, tau_syn_e, tau_syn_i, ge, gi):
    """Phase 3a with current synapses: a spike adds ``w / tau_syn`` to the target's
    excitatory (``w >= 0``) or inhibitory current, refractory or not; then the pre
    pathway of STDP (:func:`_depress`)."""
    for q in range(n_spikes):
        j = spiked[q]
        for k in range(syn_ptr[j], syn_ptr[j + 1]):
            _add_current(syn_w[k], syn_post[k], tau_syn_e, tau_syn_i, ge, gi)
    if learn:
        _depress(t, spiked, n_spikes, syn_ptr, plastic_row, plastic_state, rule, syn_w)


@njit(cache=True, nogil=True)
def _deliver_input_currents(lo, hi, spike_channels, in_ptr, in_post, in_w, tau_syn_e,
                            tau_syn_i, ge, gi):
    """Phase 3b with current synapses (the weight's sign picks the current)."""
    for q in range(lo, hi):
        c = spike_channels[q]
        for k in range(in_ptr[c], in_ptr[c + 1]):
            _add_current(in_w[k], in_post[k], tau_syn_e, tau_syn_i, ge, gi)


@njit(cache=True, nogil=True)
def _adapt(spiked, n_spikes, tau_adapt, a):
    """Phase 4b: the adaptation variable of every spiking neuron jumps by ``1 / tau_adapt``."""
    for q in range(n_spikes):
        i = spiked[q]
        a[i] += 1.0 / tau_adapt[i]


@njit(cache=True, nogil=True)
def run_steps(n_steps, offset, step0, dt, neurons, state, synapses, plasticity, drive,
              recording, n_recorded, event_driven=EVENTS_AUTO):
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
    event_driven : {EVENTS_NEVER, EVENTS_AUTO, EVENTS_ALWAYS}, default=EVENTS_AUTO
        Event-driven steps: never, when the last window's spikes went through
        few synapses (``LAZY_COST``, ``LISTED_COST``), or always (lazy); in any
        case only with
        ``neurons.quiet``, without input current and without sampled
        potentials (see the module docstring).

    Returns
    -------
    steps_done : int
        Steps simulated; fewer than ``n_steps`` only when the spike record is
        full (enlarge it and call again with ``offset + steps_done``).
    n_recorded : int
        Entries of the spike record used.
    event_steps : int
        Steps whose threshold looked only at the listed neurons.
    lazy_steps : int
        Those of them with lazy potentials.
    """
    (decay, v_th, v_rest, v_reset, ref_steps, strict, tau_syn_e, tau_syn_i, syn_decay_e,
     syn_decay_i, syn_gain_e, syn_gain_i, tau_adapt, adapt_decay, beta, bias, noise_scale,
     currents, adapts, rich, log_decay, quiet) = neurons
    noisy = rich and noise_scale.shape[0] > 0 and noise_scale.max() > 0.0
    (v, last_spike, readout, powers, clock, drive_now, spiked, ge, gi, a, traces,
     trace_powers, trace_clock) = state
    syn_ptr, syn_post, syn_w = synapses
    learn, plastic_row, plastic_ptr, plastic_syn, plastic_state, soft, w_min, w_max = plasticity
    (in_ptr, in_post, in_w, current, steps_per_input, spike_ptr, spike_channels,
     noise_seed) = drive
    (counts, states, v_samples, spike_steps, spike_ids, ge_samples, gi_samples,
     a_samples, trace_samples) = recording
    rule = (soft, w_min, w_max)
    n = v.shape[0]
    has_current = current.shape[0] > 0
    lazy = states.shape[0] == 0            # traces not sampled: decay them lazily
    lazy_traces = trace_samples.shape[0] == 0
    has_traces = traces.shape[0] > 0
    record_spikes = spike_steps.shape[0] > 0
    clock[:] = step0 + offset - 1          # every trace is exact up to here
    if learn:
        _move_weights(plastic_syn, plastic_state, syn_w, True)
    if not lazy_traces:
        sync_traces(step0 + offset - 1, traces, trace_powers, trace_clock)
    allowed = (event_driven != EVENTS_NEVER and quiet and not has_current
               and v_samples.shape[0] == 0)
    m = n if allowed else 0
    v_clock, touched = np.empty(m, dtype=np.int64), np.zeros(m, dtype=np.bool_)
    listed = np.empty(m, dtype=np.int64)   # read by the threshold, then refilled
    level, n_listed, fan_out, event_steps, lazy_steps = CLOCKED, 0, 0, 0, 0
    scan = False                           # check every neuron in the next step
    steps_done = n_steps
    for k in range(n_steps):
        if record_spikes and n_recorded + n > spike_steps.shape[0]:
            steps_done = k
            break
        r = offset + k
        s_abs = step0 + r
        t = s_abs * dt
        if has_current and r % steps_per_input == 0 and not (
                k > 0 and _same_row(current, r // steps_per_input)):
            input_current(current[r // steps_per_input], in_ptr, in_post, in_w, drive_now)
        target = level
        if allowed and k % EVENT_WINDOW == 0:
            target = _event_level(event_driven, k, fan_out, n)
            fan_out = 0
            if level == LAZY and target != LAZY:
                _sync_v(s_abs - 1, v, v_clock, decay, log_decay, v_rest)
            if level != CLOCKED and target == CLOCKED:
                _unlist(listed, n_listed, touched)
        if target != CLOCKED and level != CLOCKED and not scan:   # only listed ones can spike
            event_steps += 1
            lazy_now = level == LAZY and target == LAZY
            lazy_steps += lazy_now
            if not lazy_now:
                _integrate(s_abs, decay, v_rest, ref_steps, v, last_spike)
            n_spikes = _threshold_listed(s_abs, listed, n_listed, v_th, ref_steps, strict,
                                         v, last_spike, spiked, lazy_now, v_clock, touched,
                                         decay, log_decay, v_rest)
        else:
            if rich:
                _integrate_rich(s_abs, decay, v_rest, ref_steps, drive_now, has_current,
                                bias, syn_gain_e, syn_gain_i, syn_decay_e, syn_decay_i, v,
                                last_spike, ge, gi)
                if noisy:
                    _add_noise(s_abs, noise_seed, noise_scale, ref_steps, v, last_spike)
                if adapts:
                    _decay_adaptation(a, adapt_decay)
            elif has_current:
                _integrate_driven(s_abs, decay, v_rest, ref_steps, drive_now, v, last_spike)
            else:
                _integrate(s_abs, decay, v_rest, ref_steps, v, last_spike)
            if adapts:
                n_spikes = _threshold_adaptive(s_abs, v_th, beta, a, ref_steps, strict, v,
                                               last_spike, spiked)
            else:
                n_spikes = _threshold(s_abs, v_th, ref_steps, strict, v, last_spike, spiked)
        if target == LAZY and level != LAZY:          # every potential is exact here
            _start_clocks(s_abs, ref_steps, last_spike, v_clock)
        level = target
        if allowed:
            step_fan_out = _fan_out(spiked, n_spikes, syn_ptr, spike_ptr[r],
                                    spike_ptr[r + 1], spike_channels, in_ptr)
            fan_out += step_fan_out
            # a listed step whose spikes reach many synapses: list none of them, check
            # every neuron in the next step instead (cheaper, the same result)
            scan = level == LISTED and step_fan_out * LISTED_COST >= n
        if not lazy:
            _decay_readout(readout, powers[1])
        if not lazy_traces:
            _decay_every_trace(traces, trace_powers)
        n_listed = 0
        if learn:
            _fresh_weights(spiked, n_spikes, syn_ptr, plastic_row, plastic_state, syn_w)
        if currents:
            _deliver_currents(t, spiked, n_spikes, syn_ptr, syn_post, syn_w, learn,
                              plastic_row, plastic_state, rule, tau_syn_e, tau_syn_i, ge, gi)
            _deliver_input_currents(spike_ptr[r], spike_ptr[r + 1], spike_channels, in_ptr,
                                    in_post, in_w, tau_syn_e, tau_syn_i, ge, gi)
        else:
            listing, lazy_v = level != CLOCKED and not scan, level == LAZY
            n_listed = _deliver(s_abs, spiked, 0, n_spikes, syn_ptr, syn_post, syn_w,
                                ref_steps, v, last_spike, listing, lazy_v, v_clock, touched,
                                decay, log_decay, v_rest, listed, n_listed)
            if learn:
                _depress(t, spiked, n_spikes, syn_ptr, plastic_row, plastic_state, rule,
                         syn_w)
            n_listed = _deliver(s_abs, spike_channels, spike_ptr[r], spike_ptr[r + 1],
                                in_ptr, in_post, in_w, ref_steps, v, last_spike, listing,
                                lazy_v, v_clock, touched, decay, log_decay, v_rest, listed,
                                n_listed)
        if learn:
            _potentiate(t, spiked, n_spikes, plastic_ptr, plastic_state, rule)
        _reset(s_abs, spiked, n_spikes, v_reset, v, counts, readout, lazy, powers, clock)
        if level == LAZY:
            _hold(s_abs, spiked, n_spikes, ref_steps, v_clock)
        if adapts:
            _adapt(spiked, n_spikes, tau_adapt, a)
        if n_spikes > 0 and has_traces:
            _grow_traces(s_abs, spiked, n_spikes, traces, trace_powers, trace_clock,
                         lazy_traces)
        if record_spikes:
            n_recorded = _record_spikes(s_abs, spiked, n_spikes, spike_steps, spike_ids,
                                        n_recorded)
        if (r + 1) % steps_per_input == 0:          # sample at the end of an input step
            row = (r + 1) // steps_per_input - 1
            if states.shape[0] > 0:
                states[row] = readout
            if v_samples.shape[0] > 0:
                v_samples[row] = v
            if ge_samples.shape[0] > 0:
                ge_samples[row] = ge
                gi_samples[row] = gi
                a_samples[row] = a
            if not lazy_traces:
                _sample_traces(traces, trace_samples[row])
    if learn:
        _move_weights(plastic_syn, plastic_state, syn_w, False)
    if level == LAZY:
        _sync_v(step0 + offset + steps_done - 1, v, v_clock, decay, log_decay, v_rest)
    if lazy:
        _sync_readout(step0 + offset + steps_done - 1, readout, powers, clock)
    if not lazy_traces:
        trace_clock[:] = step0 + offset + steps_done - 1
    return steps_done, n_recorded, event_steps, lazy_steps


@njit(cache=True, nogil=True)
def run_batch(n_steps, dt, neurons, state, synapses, plasticity, drive, v_init, currents,
              spike_ptrs, noise_seeds, counts, states, event_driven=EVENTS_AUTO):
    """Simulate independent sequences one after another, each from the reset state,
    without learning: several samples per call, sharing the network's arrays.

    Parameters
    ----------
    n_steps : int
        Steps of every sequence.
    dt : float
    neurons, synapses, plasticity
        As for :func:`run_steps` (``plasticity.learn`` must be False).
    state : NeuronState
        Working space; reset before every sequence (``v`` to ``v_init``).
    drive : Drive
        Its ``in_*``, ``steps_per_input`` and ``spike_channels`` (all sequences'
        input spikes, concatenated) are used; the rest comes per sequence.
    v_init : ndarray of shape (n_neurons,)
    currents : ndarray of shape (n_sequences, n_input_steps or 0, n_inputs)
        Input currents (zero rows: none).
    spike_ptrs : ndarray of int64, shape (n_sequences, n_steps + 1)
        Each sequence's input spikes by step, as offsets into ``spike_channels``.
    noise_seeds : ndarray of int64, shape (n_sequences,)
    counts : ndarray of int64, shape (n_sequences, n_neurons)
        Spike counts, incremented.
    states : ndarray of shape (n_sequences, n_input_steps or 0, n_neurons)
        Filtered spike trains at the end of every input step (zero rows: off).
    event_driven : int, default=EVENTS_AUTO
    """
    n = v_init.shape[0]
    none_2d = np.zeros((0, n))
    for i in range(counts.shape[0]):
        _reset_state(state, v_init)
        sequence = Drive(drive.in_ptr, drive.in_post, drive.in_weight, currents[i],
                         drive.steps_per_input, spike_ptrs[i], drive.spike_channels,
                         noise_seeds[i])
        recording = Recording(counts[i], states[i], none_2d, np.zeros(0, dtype=np.int64),
                              np.zeros(0, dtype=np.int32), none_2d, none_2d, none_2d,
                              np.zeros((0, state.traces.size)))
        run_steps(n_steps, 0, 0, dt, neurons, state, synapses, plasticity, sequence,
                  recording, 0, event_driven)


@njit(cache=True, nogil=True)
def _reset_state(state, v_init):
    """The reset state of :meth:`hrsnn.Simulator.reset` (weights aside)."""
    state.v[:] = v_init
    state.last_spike[:] = NEVER_SPIKED
    state.readout[:] = 0.0
    state.ge[:] = 0.0
    state.gi[:] = 0.0
    state.a[:] = 0.0
    state.traces[:] = 0.0
    state.trace_clock[:] = -1
