"""The stateful step/run/reset loop around the Numba kernel.

A :class:`Simulator` holds the read-only arrays the kernel needs (derived once
from a :class:`~hrsnn.network.Network` and a time step) and the mutable state:
membrane potentials, refractory clocks, STDP traces, plastic weights and
filtered spike trains (``readout``, and ``traces`` at the simulator's
``trace_taus``). :meth:`Simulator.spawn` gives an independent simulator
sharing the read-only arrays, so parallel workers never copy the network.
"""

import weakref
from dataclasses import dataclass

import numpy as np

from . import _kernels
from ._validation import MAX_MAGNITUDE, is_finite, is_real
from .network import Network

_MIN_SPIKE_BUFFER = 4096
_READOUT_POWERS = 1024     # table of trace decays for lazily updated traces
#: The dynamic state a snapshot holds (besides the step counter).
_STATE_ARRAYS = ("v", "last_spike", "readout", "ge", "gi", "a", "weight")
#: Refractory periods of more steps than this last for ever: no run gets that far,
#: and a neuron that never spiked (``NEVER_SPIKED``) is still not refractory.
_MAX_REF_STEPS = 2 ** 60
#: Most input spikes one run takes (each costs 16 bytes before the kernel sees it).
MAX_INPUT_SPIKES = 2 ** 24
#: ``max_i sum_c |W_in[c, i]|`` per network (networks never change), see ``input_gain``.
_INPUT_GAINS = weakref.WeakKeyDictionary()


@dataclass
class SimulationResult:
    """What :meth:`Simulator.run` recorded.

    Attributes
    ----------
    spike_steps : ndarray of int64, shape (n_spikes,)
        Absolute step of every recurrent spike, in time order (empty if not recorded).
    spike_neurons : ndarray of int32, shape (n_spikes,)
        Neuron of every spike.
    counts : ndarray of int64, shape (n_neurons,)
        Spikes per neuron in this run.
    states : ndarray of shape (n_input_steps, n_neurons) or None
        Exponentially filtered spike trains (``tau_readout``) at the end of
        every input step.
    traces : ndarray of shape (n_input_steps, n_taus * n_neurons) or None
        The filtered spike trains at every time constant of ``trace_taus``,
        sampled like ``states``, tau-major: columns ``k * n_neurons`` to
        ``(k + 1) * n_neurons - 1`` are ``trace_taus[k]``.
    v : ndarray of shape (n_input_steps, n_neurons) or None
        Membrane potentials at the end of every input step.
    ge, gi : ndarray of shape (n_input_steps, n_neurons) or None
        Excitatory and inhibitory synaptic currents (potential per ms; zeros
        with delta synapses) at the end of every input step.
    a : ndarray of shape (n_input_steps, n_neurons) or None
        Adaptation variables (spikes per ms) at the end of every input step.
    n_steps : int
        Simulation steps of this run.
    dt : float
        Step length, ms.
    event_steps : int
        Steps taken event-driven: only the neurons that received a spike in the
        step before were checked against threshold (see ``Simulator.run``).
    lazy_steps : int
        Those of them in which only these neurons were updated (lazy decay).
    """

    spike_steps: np.ndarray
    spike_neurons: np.ndarray
    counts: np.ndarray
    states: np.ndarray
    v: np.ndarray
    n_steps: int
    dt: float
    ge: np.ndarray = None
    gi: np.ndarray = None
    a: np.ndarray = None
    traces: np.ndarray = None
    event_steps: int = 0
    lazy_steps: int = 0

    @property
    def spike_times(self):
        """Spike times in ms, ndarray of shape (n_spikes,)."""
        return self.spike_steps * self.dt

    def mean_rate(self):
        """Mean firing rate of the recurrent neurons in this run, Hz."""
        duration_s = self.n_steps * self.dt / 1000.0
        return float(self.counts.sum()) / self.counts.size / duration_s


class _Static:
    """Read-only kernel arrays for one (network, dt, trace_taus)."""

    def __init__(self, network, dt, trace_taus=()):
        net = network
        n = net.n_neurons
        self.n_neurons = n
        self.n_inputs = net.n_inputs
        self.dt = float(dt)
        self.decay = np.empty(n)
        _kernels.exp_decay(self.dt, net.tau_m, self.decay)
        self.v_th = np.ascontiguousarray(net.v_th)
        self.ref_steps = _ref_steps(net.t_ref, self.dt)
        self.syn_ptr = _pointer(net.pre, n)
        self.syn_post = np.ascontiguousarray(net.post, dtype=np.int32)
        plastic_idx = np.flatnonzero(net.plastic)
        order = np.argsort(net.post[plastic_idx], kind="stable")
        self.plastic_syn = plastic_idx[order].astype(np.int64)
        self.plastic_ptr = _pointer(net.post[self.plastic_syn], n)
        self.plastic_row = np.full(net.n_synapses, -1, dtype=np.int64)
        self.plastic_row[self.plastic_syn] = np.arange(self.plastic_syn.size)
        k = _kernels
        self.initial_plastic_state = np.zeros((self.plastic_syn.size, k.PS_COLUMNS))
        for column, values in ((k.PS_TAU_PLUS, net.tau_plus), (k.PS_TAU_MINUS, net.tau_minus),
                               (k.PS_ETA_PLUS, net.eta_plus), (k.PS_ETA_MINUS, net.eta_minus)):
            self.initial_plastic_state[:, column] = values[self.plastic_syn]
        self.neurons = k.Neurons(decay=self.decay, v_th=self.v_th, v_rest=float(net.v_rest),
                                 v_reset=float(net.v_reset), ref_steps=self.ref_steps,
                                 strict=bool(net.strict_threshold),
                                 **_ingredient_constants(net, self.dt, self.decay))
        self.plasticity = k.Plasticity(
            learn=False, row=self.plastic_row, ptr=self.plastic_ptr, syn=self.plastic_syn,
            state=self.initial_plastic_state, soft=net.stdp_rule == "soft",
            w_min=float(net.w_min), w_max=float(net.w_max))
        self.in_ptr = _pointer(net.in_channel, net.n_inputs)
        self.in_post = np.ascontiguousarray(net.in_post, dtype=np.int32)
        self.in_w = np.ascontiguousarray(net.in_weight)
        self.network = net
        self._readout_powers = {}
        self.trace_taus = tuple(float(tau) for tau in trace_taus)
        self.trace_powers = np.array([self.readout_powers(tau) for tau in self.trace_taus]
                                     ).reshape(len(self.trace_taus), _READOUT_POWERS)

    def readout_powers(self, tau_readout):
        """``exp(-k dt / tau_readout)`` for ``k < 1024`` (cached; see the kernel's lazy traces)."""
        powers = self._readout_powers.get(tau_readout)
        if powers is None:
            with np.errstate(over="ignore"):          # dt / tau beyond 1e308: decay 0
                powers = np.exp(-(np.arange(_READOUT_POWERS) * self.dt) / tau_readout)
            self._readout_powers[tau_readout] = powers
        return powers


class Simulator:
    """Simulate a :class:`~hrsnn.network.Network` step by step.

    Parameters
    ----------
    network : Network
        The network; its arrays are not modified (plastic weights live in
        :attr:`weight`).
    dt : float, default=1.0
        Time step, ms (the unit of the network's time constants).
    trace_taus : sequence of float, default=()
        Time constants of the filtered spike trains kept as :attr:`traces`,
        ms (distinct, > 0); () keeps none.

    Attributes
    ----------
    v : ndarray of shape (n_neurons,)
        Membrane potentials.
    plastic_state : ndarray of shape (n_plastic, 8) or None
        STDP traces, their clock and parameters per plastic synapse (see
        :mod:`hrsnn._kernels.lif`); None until a run with ``learn=True``
        (so simulators that never learn do not copy it).
    weight : ndarray of shape (n_synapses,)
        Current recurrent weights (changed by STDP when ``learn=True``).
    step : int
        Steps simulated since the last :meth:`reset`.
    """

    def __init__(self, network, dt=1.0, trace_taus=()):
        if not isinstance(network, Network):
            # only a Network has been checked: the kernel indexes with its arrays unchecked
            raise TypeError("Simulator needs an hrsnn.Network (checked when it is made); got "
                            f"{type(network).__name__}. Make one with Network.from_arrays.")
        if not (is_real(dt) and is_finite(dt) and dt > 0):
            raise ValueError(f"The 'dt' parameter must be a positive number of ms; got {dt!r}.")
        self._static = _Static(network, dt, _checked_taus(trace_taus))
        self.reset()

    @property
    def network(self):
        """The simulated :class:`~hrsnn.network.Network`."""
        return self._static.network

    @property
    def dt(self):
        """Time step, ms."""
        return self._static.dt

    @property
    def trace_taus(self):
        """Time constants of :attr:`traces`, ms (tuple of float)."""
        return self._static.trace_taus

    @property
    def traces(self):
        """Filtered spike trains at :attr:`trace_taus`, ndarray of shape (n_taus, n_neurons).

        Exact at the end of the last step simulated (traces that were decayed
        lazily are brought up to date when read; the values do not change).
        """
        _kernels.sync_traces(self.step - 1, self._traces, self._static.trace_powers,
                             self._trace_clock)
        return self._traces

    def spawn(self):
        """A new simulator for the same network and ``dt``, in the reset state."""
        twin = object.__new__(Simulator)
        twin._static = self._static
        twin.reset()
        return twin

    def reset(self, weights=True):
        """Return to the initial state.

        Parameters
        ----------
        weights : bool, default=True
            Also restore the network's weights (False keeps what STDP learned).
        """
        net, n = self._static.network, self._static.n_neurons
        self.v = net.v_init.copy()
        self.last_spike = np.full(n, _kernels.NEVER_SPIKED, dtype=np.int64)
        self.readout = np.zeros(n)
        self.ge, self.gi, self.a = np.zeros(n), np.zeros(n), np.zeros(n)
        self._traces = np.zeros((len(self._static.trace_taus), n))
        self._trace_clock = np.full(n, -1, dtype=np.int64)   # exact at the end of step -1
        self.plastic_state = None        # copied from the template when a run learns
        if weights or not hasattr(self, "weight"):
            self.weight = net.weight.copy()
        self.step = 0

    def get_state(self):
        """Copies of the dynamic state: ``v``, ``last_spike``, ``readout``, the
        synaptic currents ``ge``, ``gi``, the adaptation ``a``, ``weight``,
        ``traces`` (n_taus, n_neurons) and ``step``.

        STDP traces are not included: a snapshot taken after a learning run
        restores the weights, not the traces.
        """
        state = {name: getattr(self, name).copy() for name in _STATE_ARRAYS}
        state["traces"] = self.traces.copy()      # brought up to date, as set_state expects
        state["step"] = int(self.step)
        return state

    def set_state(self, state):
        """Restore a snapshot of :meth:`get_state` (the arrays are copied)."""
        n, n_syn = self._static.n_neurons, len(self._static.network.weight)
        expected = {name: n for name in _STATE_ARRAYS}
        expected["weight"] = n_syn
        expected = {name: (size,) for name, size in expected.items()}
        expected["traces"] = self._traces.shape
        missing = sorted((set(expected) | {"step"}) - set(state))
        if missing:
            raise ValueError(f"'state' lacks {missing}; pass a dict from get_state().")
        for key, shape in expected.items():
            if np.shape(state[key]) != shape:
                raise ValueError(f"state[{key!r}] must have shape {shape}; got "
                                 f"{np.shape(state[key])}. Was it taken from another network"
                                 " (or, for 'traces', with other trace_taus)?")
        for name in _STATE_ARRAYS:
            dtype = np.int64 if name == "last_spike" else np.float64
            setattr(self, name, np.array(state[name], dtype=dtype))
        self.step = int(state["step"])
        self._traces = np.array(state["traces"], dtype=np.float64)
        self._trace_clock = np.full(n, self.step - 1, dtype=np.int64)
        self.plastic_state = None

    def run(self, n_steps=None, *, current=None, input_spikes=None, steps_per_input=1,
            learn=False, record_spikes=True, record_states=False, record_v=False,
            record_currents=False, record_traces=False, tau_readout=20.0, noise_seed=0,
            event_driven=None):
        """Simulate ``n_steps`` steps from the current state.

        Parameters
        ----------
        n_steps : int, optional
            Steps to simulate; defaults to ``len(current) * steps_per_input``.
        current : array_like of shape (n_input_steps, n_inputs), optional
            Input values; row ``r`` is applied as the current
            ``sum_c W_in[c, i] current[r, c]`` during steps
            ``r * steps_per_input`` to ``(r + 1) * steps_per_input - 1``.
        input_spikes : tuple of arrays or array_like, optional
            Input spikes as ``(steps, channels)`` index arrays (step relative to
            this run) or as counts of shape ``(n_steps, n_inputs)``.
        steps_per_input : int, default=1
            Simulation steps per input step (row of ``current``, ``states``, ``v``).
        learn : bool, default=False
            Apply STDP to the plastic synapses.
        record_spikes, record_states, record_v, record_currents : bool
            Record every spike; filtered traces; potentials; synaptic currents
            and adaptation variables (the last three at the end of every input
            step).
        record_traces : bool, default=False
            Record :attr:`traces` at the end of every input step (``traces``
            of the result); needs ``trace_taus``. Either way the traces carry
            on with the state.
        tau_readout : float, default=20.0
            Time constant of the filtered traces, ms.
        noise_seed : int, default=0
            Seed of the membrane noise (networks with ``noise_sigma > 0``): the
            noise of a step depends only on the seed, the absolute step and the
            neuron, so a continued run draws what one long run would.
        event_driven : bool or None, default=None
            Event-driven steps. Without input current, bias, noise and
            adaptation, a neuron can only reach threshold in the step after it
            receives a spike, so two kinds of event-driven step are possible
            (for delta-synapse networks whose ``v_rest`` and ``v_reset`` lie
            below every threshold, in runs without ``current`` and
            ``record_v``):

            * listed: every potential decays, but only the neurons that
              received a spike are checked against threshold. Exactly the
              clock-driven arithmetic, bit for bit.
            * lazy: only the neurons that receive a spike are touched; a
              potential decays over the ``k`` steps since its last update in
              one factor ``exp(-k dt / tau_m)`` instead of ``k`` factors (the
              same to rounding; the spikes are the same).

            None chooses per window of 64 steps from the synapses the last
            window's spikes went through per step: fewer than ``n_neurons / 128``
            lazy, fewer than ``n_neurons / 8`` listed, else clock-driven (the
            faster kind, measured). True takes lazy steps whenever possible,
            False never takes event-driven steps.

        Returns
        -------
        SimulationResult
        """
        st = self._static
        k = _kernels
        if not (is_real(tau_readout) and is_finite(tau_readout) and tau_readout > 0):
            raise ValueError("'tau_readout' must be a positive number of ms; got "
                             f"{tau_readout!r}.")
        if record_traces and not st.trace_taus:
            raise ValueError("'record_traces' needs traces: give the Simulator "
                             "trace_taus, e.g. Simulator(network, dt, (5.0, 20.0, 100.0)).")
        n_steps, spike_ptr, spike_channels, current = _prepare_inputs(
            st, n_steps, current, input_spikes, steps_per_input)
        events = _event_mode(event_driven)
        n_rows = n_steps // steps_per_input
        capacity = max(_MIN_SPIKE_BUFFER, 4 * st.n_neurons) if record_spikes else 0
        recording = k.Recording(
            counts=np.zeros(st.n_neurons, dtype=np.int64),
            states=np.zeros((n_rows if record_states else 0, st.n_neurons)),
            v_samples=np.zeros((n_rows if record_v else 0, st.n_neurons)),
            spike_steps=np.empty(capacity, dtype=np.int64),
            spike_ids=np.empty(capacity, dtype=np.int32),
            trace_samples=np.zeros((n_rows if record_traces else 0, self._traces.size)),
            **{name: np.zeros((n_rows if record_currents else 0, st.n_neurons))
               for name in ("ge_samples", "gi_samples", "a_samples")})
        state = k.NeuronState(
            v=self.v, last_spike=self.last_spike, readout=self.readout,
            readout_powers=st.readout_powers(tau_readout),
            readout_clock=np.empty(st.n_neurons, dtype=np.int64),
            drive=np.zeros(st.n_neurons), spiked=np.empty(st.n_neurons, dtype=np.int64),
            ge=self.ge, gi=self.gi, a=self.a, traces=self._traces,
            trace_powers=st.trace_powers, trace_clock=self._trace_clock)
        drive = k.Drive(in_ptr=st.in_ptr, in_post=st.in_post, in_weight=st.in_w,
                        current=current, steps_per_input=int(steps_per_input),
                        spike_ptr=spike_ptr, spike_channels=spike_channels,
                        noise_seed=_check_seed(noise_seed))
        synapses = k.Synapses(ptr=st.syn_ptr, post=st.syn_post, weight=self.weight)
        plasticity = self._plasticity(bool(learn))
        done, n_recorded, event_steps, lazy_steps = 0, 0, 0, 0
        while done < n_steps:
            steps, n_recorded, events_taken, lazy_taken = k.run_steps(
                n_steps - done, done, self.step, st.dt, st.neurons, state, synapses,
                plasticity, drive, recording, n_recorded, events)
            done += steps
            event_steps += events_taken
            lazy_steps += lazy_taken
            if done < n_steps:
                recording = _grown(recording)
        self.step += n_steps
        return SimulationResult(
            spike_steps=recording.spike_steps[:n_recorded].copy(),
            spike_neurons=recording.spike_ids[:n_recorded].copy(), counts=recording.counts,
            states=recording.states if record_states else None,
            v=recording.v_samples if record_v else None, n_steps=n_steps, dt=st.dt,
            traces=recording.trace_samples if record_traces else None,
            event_steps=event_steps, lazy_steps=lazy_steps,
            **({"ge": recording.ge_samples, "gi": recording.gi_samples,
                "a": recording.a_samples} if record_currents else {}))

    def run_batch(self, n_steps=None, *, currents=None, input_spikes=None,
                  steps_per_input=1, record_states=False, tau_readout=20.0,
                  noise_seeds=None, event_driven=None):
        """Simulate independent sequences, each from the reset state, without STDP.

        One kernel call runs them one after another on shared network arrays, so
        many short sequences (classification, memory-capacity stimuli) cost no
        Python per sequence. The simulator's own state is neither used nor
        changed; the weights are the current :attr:`weight`. Each sequence gives
        what ``spawn().run(...)`` would.

        Parameters
        ----------
        n_steps : int, optional
            Steps per sequence; defaults to ``n_input_steps * steps_per_input``.
        currents : array_like of shape (n_sequences, n_input_steps, n_inputs), optional
            Input currents (see :meth:`run`).
        input_spikes : sequence of tuple or array_like, optional
            One entry per sequence, as ``input_spikes`` of :meth:`run`.
        steps_per_input : int, default=1
        record_states : bool, default=False
            Also return the filtered spike trains at the end of every input step.
        tau_readout : float, default=20.0
            ms.
        noise_seeds : array_like of int, shape (n_sequences,), optional
            Membrane-noise seed per sequence (default 0).
        event_driven : bool or None, default=None
            As in :meth:`run`.

        Returns
        -------
        counts : ndarray of int64, shape (n_sequences, n_neurons)
        states : ndarray of shape (n_sequences, n_input_steps, n_neurons) or None
        """
        st = self._static
        if currents is not None and input_spikes is not None:
            raise ValueError("Give 'currents' or 'input_spikes' to run_batch, not both.")
        if not (is_real(tau_readout) and is_finite(tau_readout) and tau_readout > 0):
            raise ValueError("'tau_readout' must be a positive number of ms; got "
                             f"{tau_readout!r}.")
        currents, n_seq, n_steps = _batch_currents(st, currents, input_spikes, n_steps,
                                                   steps_per_input)
        spike_ptrs, spike_channels = _batch_spikes(st, input_spikes, n_seq, n_steps)
        seeds = np.zeros(n_seq, dtype=np.int64) if noise_seeds is None else _batch_seeds(
            noise_seeds)
        if seeds.size != n_seq:
            raise ValueError(f"'noise_seeds' must hold one seed per sequence ({n_seq}); "
                             f"got {seeds.size}.")
        n, n_rows = st.n_neurons, n_steps // int(steps_per_input)
        counts = np.zeros((n_seq, n), dtype=np.int64)
        states = np.zeros((n_seq, n_rows if record_states else 0, n))
        state = _kernels.NeuronState(
            v=np.empty(n), last_spike=np.empty(n, dtype=np.int64), readout=np.empty(n),
            readout_powers=st.readout_powers(tau_readout),
            readout_clock=np.empty(n, dtype=np.int64), drive=np.zeros(n),
            spiked=np.empty(n, dtype=np.int64), ge=np.empty(n), gi=np.empty(n),
            a=np.empty(n), traces=np.empty((len(st.trace_taus), n)),
            trace_powers=st.trace_powers, trace_clock=np.empty(n, dtype=np.int64))
        drive = _kernels.Drive(in_ptr=st.in_ptr, in_post=st.in_post, in_weight=st.in_w,
                               current=currents[0] if n_seq else np.zeros((0, st.n_inputs)),
                               steps_per_input=int(steps_per_input),
                               spike_ptr=np.zeros(n_steps + 1, dtype=np.int64),
                               spike_channels=spike_channels, noise_seed=0)
        _kernels.run_batch(n_steps, st.dt, st.neurons, state,
                           _kernels.Synapses(ptr=st.syn_ptr, post=st.syn_post,
                                             weight=self.weight),
                           self._plasticity(False), drive, st.network.v_init, currents,
                           spike_ptrs, seeds, counts, states, _event_mode(event_driven))
        return counts, states if record_states else None

    def _plasticity(self, learn):
        """The STDP bundle; the per-synapse table is copied on the first learning run."""
        st = self._static
        if learn and self.plastic_state is None:
            self.plastic_state = st.initial_plastic_state.copy()
        # without learning the kernel never touches it: the shared template will do
        table = st.initial_plastic_state if self.plastic_state is None else self.plastic_state
        return st.plasticity._replace(learn=learn, state=table)


def _batch_currents(st, currents, input_spikes, n_steps, steps_per_input):
    """``run_batch``'s currents as (n_sequences, n_input_steps or 0, n_inputs) float64,
    checked, with the number of sequences and of steps."""
    steps_per_input = _checked_steps_per_input(steps_per_input)
    if currents is None:
        if input_spikes is None:
            raise ValueError("run_batch needs 'currents' or 'input_spikes'.")
        n_seq = len(input_spikes)
        if n_steps is None or int(n_steps) != n_steps or n_steps < 0:
            raise ValueError("With 'input_spikes', give 'n_steps' (a non-negative integer); "
                             f"got {n_steps!r}.")
        return np.zeros((n_seq, 0, st.n_inputs)), n_seq, int(n_steps)
    currents = _checked_current(st, currents, "currents", ("n_sequences", "n_input_steps"),
                                "Simulator.run_batch")
    covered = currents.shape[1] * steps_per_input
    n_steps = covered if n_steps is None else n_steps
    if int(n_steps) != n_steps or not 0 <= n_steps <= covered:
        raise ValueError(f"'n_steps' must be an integer in [0, {covered}] (the steps "
                         f"'currents' covers); got {n_steps!r}.")
    return currents, currents.shape[0], int(n_steps)


def _checked_steps_per_input(steps_per_input):
    """``steps_per_input`` as a positive int (ValueError otherwise)."""
    if int(steps_per_input) != steps_per_input or steps_per_input < 1:
        raise ValueError(f"'steps_per_input' must be a positive integer; got {steps_per_input!r}.")
    return int(steps_per_input)


def _checked_current(st, current, name, axes, owner):
    """Input currents as contiguous float64 of shape ``(*axes, n_inputs)`` (``axes``
    names the leading axes): finite and within the bound ``check_current`` sets."""
    current = np.ascontiguousarray(current, dtype=np.float64)
    if current.ndim != len(axes) + 1 or current.shape[-1] != st.n_inputs:
        raise ValueError(f"'{name}' must have shape ({', '.join(axes)}, {st.n_inputs}); "
                         f"got {current.shape}.")
    if not np.all(np.isfinite(current)):
        raise ValueError(f"'{name}' must be finite; it contains NaN or inf.")
    check_current(st.network, current, name, owner)
    return current


def _batch_seeds(noise_seeds):
    """``run_batch``'s noise seeds as int64, each an integer in ``[0, 2**63)``."""
    seeds = np.asarray(noise_seeds, dtype=object).ravel()
    for index, seed in enumerate(seeds):
        try:
            _check_seed(seed)
        except ValueError:
            raise ValueError(f"'noise_seeds' must hold integers in [0, 2**63); entry {index} "
                             f"is {seed!r}.") from None
    return seeds.astype(np.int64)


def _batch_spikes(st, input_spikes, n_seq, n_steps):
    """Every sequence's input spikes: pointers by step into one channel array."""
    if input_spikes is None:
        return np.zeros((n_seq, n_steps + 1), dtype=np.int64), np.zeros(0, dtype=np.int32)
    pointers, channels, offset = np.empty((n_seq, n_steps + 1), dtype=np.int64), [], 0
    for i, spikes in enumerate(input_spikes):
        if not isinstance(spikes, tuple):
            check_spike_total(np.asarray(spikes), "input_spikes", "Simulator.run_batch")
        ptr, chans = _spike_csr(spikes, n_steps, st.n_inputs)
        pointers[i] = ptr + offset
        channels.append(chans)
        offset += chans.size
    return pointers, (np.concatenate(channels) if channels else np.zeros(0, dtype=np.int32))


def _event_mode(event_driven):
    """The kernel's ``event_driven`` code for ``Simulator.run(event_driven=...)``."""
    modes = {None: _kernels.EVENTS_AUTO, True: _kernels.EVENTS_ALWAYS,
             False: _kernels.EVENTS_NEVER}
    if not (event_driven is None or isinstance(event_driven, (bool, np.bool_))):
        raise ValueError("'event_driven' must be None (automatic), True or False; got "
                         f"{event_driven!r}.")
    return modes[None if event_driven is None else bool(event_driven)]


def _checked_taus(trace_taus):
    """``trace_taus`` as a tuple of distinct positive finite floats (ms)."""
    try:
        taus = np.asarray(trace_taus, dtype=np.float64)
    except (TypeError, ValueError):
        taus = None
    if (taus is None or taus.ndim != 1 or not np.all(np.isfinite(taus) & (taus > 0))
            or np.unique(taus).size != taus.size):
        raise ValueError("'trace_taus' must be a sequence of distinct positive numbers of "
                         f"ms (or empty); got {trace_taus!r}.")
    return tuple(float(tau) for tau in taus)


def _ref_steps(t_ref, dt):
    """Refractory steps ``round(t_ref / dt)``, at most ``_MAX_REF_STEPS`` (for ever)."""
    with np.errstate(over="ignore"):
        ratio = np.float64(t_ref) / np.float64(dt)
    return int(round(ratio)) if ratio < _MAX_REF_STEPS else _MAX_REF_STEPS


def peak_current(network, current):
    """The largest input current magnitude the rows of ``current`` can give a neuron,
    ``max_i sum_c |W_in[c, i]| max_t |current[t, c]|`` (an upper bound).

    Parameters
    ----------
    network : Network
    current : ndarray of shape (..., n_inputs)
        Finite input values (any leading axes: rows, or sequences and rows).

    Returns
    -------
    float
        May be inf (then it is far beyond ``MAX_MAGNITUDE``).
    """
    current = np.asarray(current, dtype=np.float64)
    if not network.in_weight.size or not current.size:
        return 0.0
    peak = np.max(np.abs(current.reshape(-1, current.shape[-1])), axis=0)
    with np.errstate(over="ignore", invalid="ignore"):
        per_neuron = np.bincount(network.in_post,
                                 np.abs(network.in_weight) * peak[network.in_channel],
                                 minlength=network.n_neurons)
    return float(per_neuron.max())


def input_gain(network):
    """``max_i sum_c |W_in[c, i]|``: the current an input of 1 on every channel gives
    the most driven neuron (computed once per network)."""
    gain = _INPUT_GAINS.get(network)
    if gain is None:
        gain = _INPUT_GAINS[network] = peak_current(network, np.ones(network.n_inputs))
    return gain


def input_limit(network):
    """The largest ``|u|`` (every channel alike) whose current stays within
    ``MAX_MAGNITUDE``: ``MAX_MAGNITUDE / max_i sum_c |W_in[c, i]|`` (inf without input
    weights)."""
    gain = input_gain(network)
    return MAX_MAGNITUDE / gain if gain > 0 else np.inf


def check_current(network, current, name, owner):
    """Raise a ValueError if ``current`` would drive a neuron beyond ``MAX_MAGNITUDE``.

    Parameters
    ----------
    network : Network
        Its input weights give the current.
    current : ndarray of shape (..., n_inputs)
        Finite input values.
    name, owner : str
        The argument and the method, for the message.
    """
    current = np.asarray(current)
    if not current.size or max(current.max(), -current.min()) <= input_limit(network):
        return                       # the quick bound suffices (the usual case)
    peak = peak_current(network, current)
    if peak > MAX_MAGNITUDE:
        raise ValueError(
            f"'{name}' of {owner} would drive a neuron with an input current of {peak:.3g} "
            f"(the sum of |w_in * u| over its input synapses), beyond {MAX_MAGNITUDE:g}, "
            "where the simulation could overflow. Scale the input down: standardise it "
            "(the input weights are made for values of order 1) or lower w_in.")


def check_spike_total(counts, name, owner):
    """Raise a ValueError if the spike counts ``counts`` (>= 0) of one run hold more
    than ``MAX_INPUT_SPIKES`` spikes (each becomes an entry before the kernel runs)."""
    total = float(np.sum(counts, dtype=np.float64))
    if total > MAX_INPUT_SPIKES:
        raise ValueError(f"'{name}' of {owner} holds {total:.3g} input spikes in one "
                         f"sequence, more than the {MAX_INPUT_SPIKES} one run takes (each "
                         "is delivered one by one). Give counts per input step, not "
                         "rates or intensities, or split the sequence.")


def _grown(recording):
    """The recording with a spike record twice as long (recorded entries kept)."""
    steps, ids = recording.spike_steps, recording.spike_ids
    return recording._replace(spike_steps=np.concatenate([steps, np.empty_like(steps)]),
                              spike_ids=np.concatenate([ids, np.empty_like(ids)]))


def _check_seed(seed):
    if not (isinstance(seed, (int, np.integer)) and not isinstance(seed, bool)
            and 0 <= seed < 2 ** 63):
        raise ValueError(f"'noise_seed' must be an integer in [0, 2**63); got {seed!r}.")
    return int(seed)


def _ingredient_constants(net, dt, decay):
    """The optional ingredients' kernel constants (see ``hrsnn._kernels.Neurons``).

    A step far longer than a time constant (``dt / tau`` beyond the float range)
    gives a decay of exactly 0; numpy's overflow warnings on the way are silenced.
    """
    with np.errstate(over="ignore", under="ignore"):
        return _constants(net, dt, decay)


def _constants(net, dt, decay):
    currents = net.current_synapses
    # without current synapses the time constants only need to be safe to divide by
    tau_e = net.tau_syn_exc if currents else np.ones(net.n_neurons)
    tau_i = net.tau_syn_inh if currents else np.ones(net.n_neurons)
    noise_scale = net.noise_sigma * np.sqrt(1.0 - decay ** 2)
    adapts = bool(np.any(net.adapt_beta > 0))
    rich = bool(currents or adapts or np.any(net.bias != 0) or np.any(noise_scale > 0))
    return dict(
        tau_syn_e=np.ascontiguousarray(tau_e), tau_syn_i=np.ascontiguousarray(tau_i),
        syn_decay_e=np.exp(-dt / tau_e), syn_decay_i=np.exp(-dt / tau_i),
        syn_gain_e=_current_gain(dt, net.tau_m, tau_e) if currents else np.zeros(net.n_neurons),
        syn_gain_i=_current_gain(dt, net.tau_m, tau_i) if currents else np.zeros(net.n_neurons),
        tau_adapt=np.ascontiguousarray(net.tau_adapt), adapt_decay=np.exp(-dt / net.tau_adapt),
        beta=np.ascontiguousarray(net.adapt_beta), bias=np.ascontiguousarray(net.bias),
        noise_scale=noise_scale, currents=currents, adapts=adapts, rich=rich,
        log_decay=-dt / np.asarray(net.tau_m, dtype=np.float64),
        quiet=not rich and _quiet(net, decay))


def _quiet(net, decay):
    """True if no neuron can reach threshold in a step without input, whatever the
    rounding: ``v_rest`` and ``v_reset`` lie below every ``v_th``, and one step's
    decay moves a potential at threshold by more than a few units in the last
    place (so that a potential below threshold stays below it; see the
    event-driven steps of ``hrsnn._kernels.lif``).

    Parameters
    ----------
    net : Network
    decay : ndarray of shape (n_neurons,)
        ``exp(-dt / tau_m)``.
    """
    if not net.n_neurons:
        return False
    below = max(net.v_rest, net.v_reset) < net.v_th.min()
    scale = np.maximum(np.abs(net.v_th), abs(net.v_rest))
    margin = (net.v_th - net.v_rest) * (1.0 - decay)
    return bool(below and np.all(margin > 8 * np.spacing(scale)))


def _current_gain(dt, tau_m, tau_syn):
    """What a unit current decaying with ``tau_syn`` adds to ``v`` over one step.

    ``int_0^dt exp(-(dt - s) / tau_m) exp(-s / tau_syn) ds``
    ``= exp(-dt / tau_m) dt expm1(x) / x`` with ``x = dt (1/tau_m - 1/tau_syn)``
    (``dt exp(-dt / tau_m)`` when the two are equal).

    For ``x > 500`` (a membrane much faster than the current) ``expm1(x)``
    would overflow and ``exp(-dt / tau_m)`` underflow; there the equal
    ``dt (exp(-dt / tau_syn) - exp(-dt / tau_m)) / x`` is used.
    """
    x = dt * (1.0 / tau_m - 1.0 / tau_syn)
    large = x > 500.0
    safe = np.where((x == 0.0) | large, 1.0, x)
    ratio = np.where(x == 0.0, 1.0, np.expm1(safe) / safe)
    gain = np.exp(-dt / tau_m) * dt * ratio
    if np.any(large):
        with np.errstate(over="ignore", invalid="ignore"):
            direct = (np.exp(-dt / tau_syn) - np.exp(-dt / tau_m)) * (dt / x)
        gain = np.where(large, direct, gain)
    return gain


def _pointer(sorted_index, n):
    """CSR pointer of length ``n + 1`` for an index array sorted ascending."""
    return np.concatenate([[0], np.cumsum(np.bincount(sorted_index, minlength=n))]).astype(np.int64)


def _prepare_inputs(st, n_steps, current, input_spikes, steps_per_input):
    """Check the drive and bring it into the kernel's layout."""
    steps_per_input = _checked_steps_per_input(steps_per_input)
    if current is not None:
        current = _checked_current(st, current, "current", ("n_input_steps",), "Simulator.run")
        if n_steps is None:
            n_steps = current.shape[0] * steps_per_input
        elif n_steps > current.shape[0] * steps_per_input:
            raise ValueError(f"'current' covers {current.shape[0] * steps_per_input} steps, "
                             f"fewer than n_steps={n_steps}.")
    else:
        current = np.zeros((0, st.n_inputs))
    if n_steps is None:
        raise ValueError("Give 'n_steps' (or 'current', from which it follows).")
    if int(n_steps) != n_steps or n_steps < 0:
        raise ValueError(f"'n_steps' must be a non-negative integer; got {n_steps!r}.")
    n_steps = int(n_steps)
    spike_ptr, spike_channels = _spike_csr(input_spikes, n_steps, st.n_inputs)
    return n_steps, spike_ptr, spike_channels, current


def _spike_csr(input_spikes, n_steps, n_inputs):
    """Input spikes as (pointer by step, channels), one entry per spike."""
    if input_spikes is None:
        return np.zeros(n_steps + 1, dtype=np.int64), np.zeros(0, dtype=np.int32)
    if isinstance(input_spikes, tuple):
        steps, channels = (np.asarray(a).ravel() for a in input_spikes)
        if steps.shape != channels.shape:
            raise ValueError("'input_spikes' steps and channels must have equal lengths.")
    else:
        dense = np.asarray(input_spikes)
        if dense.shape != (n_steps, n_inputs):
            raise ValueError(f"'input_spikes' must have shape ({n_steps}, {n_inputs}); "
                             f"got {dense.shape}.")
        if np.any(dense < 0) or not np.all(np.isfinite(dense)):
            raise ValueError("'input_spikes' counts must be finite and >= 0.")
        check_spike_total(dense, "input_spikes", "Simulator.run")
        steps, channels = np.nonzero(dense)
        repeat = dense[steps, channels].astype(np.int64)
        steps, channels = np.repeat(steps, repeat), np.repeat(channels, repeat)
    steps = steps.astype(np.int64)
    channels = channels.astype(np.int64)
    if steps.size and (steps.min() < 0 or steps.max() >= n_steps):
        raise ValueError(f"'input_spikes' steps must lie in [0, {n_steps}).")
    if channels.size and (channels.min() < 0 or channels.max() >= n_inputs):
        raise ValueError(f"'input_spikes' channels must lie in [0, {n_inputs}).")
    order = np.lexsort((channels, steps))
    return _pointer(steps[order], n_steps), channels[order].astype(np.int32)
