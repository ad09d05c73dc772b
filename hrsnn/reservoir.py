"""``Reservoir``: the scikit-learn transformer users import."""

import os
import sys
import threading
import warnings
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from . import _model_file, model
from ._estimator import Transformer, check_is_fitted
from ._validation import as_real_array
from .builder import build_network
from .encoding import encode
from .heterogeneity import preset_flags
from .network import Network
from .simulator import Simulator, check_current, check_spike_total, input_limit

_SIGNATURE = model.signature()

def _blocks(n_samples, n_workers, per_worker=4):
    """Contiguous ``(lo, hi)`` blocks of samples, about ``per_worker`` per worker
    (each sample starts from the reset state, so the split changes no result)."""
    n_blocks = min(n_samples, n_workers * per_worker)
    edges = np.linspace(0, n_samples, n_blocks + 1).round().astype(int)
    return list(zip(edges[:-1], edges[1:]))


#: Most bytes of recorded states one ``run_batch`` call of ``transform`` holds.
_BATCH_STATE_BYTES = 32 * 2 ** 20


def _cluster_backend():
    """The active joblib backend if it is not a local one (threads, processes,
    sequential), e.g. dask's inside ``joblib.parallel_config("dask")``; else None."""
    if "joblib" not in sys.modules:          # then no backend can have been chosen
        return None
    from joblib.parallel import get_active_backend
    from joblib._parallel_backends import (LokyBackend, MultiprocessingBackend,
                                           SequentialBackend, ThreadingBackend)
    backend, _ = get_active_backend()
    local = (LokyBackend, MultiprocessingBackend, SequentialBackend, ThreadingBackend)
    return None if isinstance(backend, local) else backend


def _noisy(network):
    """Whether ``network`` has membrane noise (True if unknown: then a seed is made)."""
    return network is None or bool(np.any(network.noise_sigma > 0))


def _features_remotely(reservoir, X):
    """``reservoir``'s features of ``X`` on a cluster worker (one thread)."""
    return reservoir._block_features(reservoir._current_simulator(), X)


class Reservoir(Transformer):
    """Heterogeneous recurrent spiking reservoir (HRSNN) as a scikit-learn transformer.

    Leaky integrate-and-fire neurons on a 3-D grid, 80 % excitatory, with
    distance-dependent sparse connectivity; membrane time constants and
    thresholds drawn per neuron from gamma distributions (excitatory and
    inhibitory apart); E->E synapses that learn without labels by STDP with
    per-synapse time constants and learning rates. ``fit`` builds the network
    (or takes the given ``network``) and runs STDP on ``X``; ``transform`` maps
    each sequence to features of the frozen network.

    The parameters are declared once, in :mod:`hrsnn.model`; those marked
    [network] are properties of the network that ``fit`` builds.

    Inputs must be finite, and with ``encoding="current"`` the current they
    give a neuron, ``sum_c |w_in * u_c|``, at most ``MAX_MAGNITUDE`` = 1e100
    (:mod:`hrsnn._validation`): larger inputs are refused with a clear error
    rather than overflowing to NaN potentials (inputs are meant to be of order
    1, e.g. standardised). Poisson inputs are rescaled to ``[0, 1]`` and may
    be any finite numbers.

    Threads: :meth:`run`, :meth:`get_state` and :meth:`set_state` share the
    running state and hold a lock of the reservoir, so calls from several
    threads take turns (each ``run`` is whole; with ``reset=False`` it goes on
    from whichever run finished last). :meth:`transform` shares no state and
    may run in parallel with anything but ``fit``.

    Parameters
    ----------
{parameters}

    Attributes
    ----------
    network_ : Network
        The network after STDP (weights as ``network_.weights``, a sparse
        ``W[pre, post]``; also ``is_exc``, ``positions``, ``tau_m``, ``v_th``).
    n_features_in_ : int
        Time steps per training sequence (``X.shape[1]``).
    n_inputs_ : int
        Input channels.
    seed_ : int
        The seed actually used.
    input_min_, input_max_ : ndarray of shape (n_inputs_,)
        Per-channel range of the training data (Poisson scaling).

    Examples
    --------
    >>> import numpy as np
    >>> from hrsnn import Reservoir
    >>> X = np.random.default_rng(0).uniform(size=(4, 20, 2))
    >>> Reservoir(n_neurons=100, random_state=0).fit_transform(X).shape
    (4, 100)
    """

    def __init__(self, *args, **kwargs):
        # the signature (and so get_params/set_params) comes from hrsnn.model
        bound = _SIGNATURE.bind(self, *args, **kwargs)
        bound.apply_defaults()
        for name, value in list(bound.arguments.items())[1:]:
            setattr(self, name, value)

    __init__.__signature__ = _SIGNATURE

    @classmethod
    def from_preset(cls, name, **params):
        """A reservoir with a named configuration of :data:`hrsnn.model.NAMED_PRESETS`.

        Parameters
        ----------
        name : str
            ``"broad_timescales"``: membrane time constants of gamma shape 0.5,
            clipped to [1, 1000] ms.
        **params
            Any other parameter (or one of the preset's, overriding it).

        Returns
        -------
        Reservoir
            Unfitted; ``get_params()`` shows every value, so it clones and
            saves like any other.
        """
        return cls(**model.preset(name, **params))

    # ---------------------------------------------------------------- sklearn
    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64"]
        tags.input_tags.allow_nan = False
        return tags

    @property
    def _n_features_out(self):
        return self.network_.n_neurons

    def fit(self, X, y=None):
        """Build the network (or take ``network``) and, if ``stdp``, learn on ``X``.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_steps, n_inputs) or (n_samples, n_steps)
            Training sequences (2-D means one input channel).
        y : ignored
            Unsupervised; present for pipeline compatibility.

        Returns
        -------
        self : Reservoir
        """
        self._check_params()
        owner = f"{type(self).__name__}.fit"
        X_given, X = X, self._validate_X(X, reset=True)
        self._check_input(X, "X", owner)
        seed = self._resolve_seed()
        network = self._initial_network(X.shape[2], seed)
        self._check_drive(network, X, "X", owner)
        low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
        if self.stdp:
            network = self._learn(network, X, seed, low, high)
        # fitted attributes only now, when nothing can fail any more
        self._check_features(X_given, X.shape[1], reset=True)
        self.network_ = network
        self.seed_ = seed
        self.n_inputs_ = X.shape[2]
        self.input_min_, self.input_max_ = low, high
        self.__dict__["_simulator_cache"] = self._new_simulator()
        return self

    def _initial_network(self, n_inputs, seed):
        """The given ``network`` (checked against ``X``) or a newly built one."""
        if self.network is not None:
            if self.network.n_inputs != n_inputs:
                raise ValueError(f"The 'network' parameter of {type(self).__name__} has "
                                 f"{self.network.n_inputs} input channels but X has "
                                 f"{n_inputs}; give a network built for X's channels.")
            return self.network
        heterogeneous_neurons, heterogeneous_synapses = preset_flags(self.heterogeneity)
        return build_network(
            self.n_neurons, n_inputs, seed,
            heterogeneous_neurons=heterogeneous_neurons,
            heterogeneous_synapses=heterogeneous_synapses,
            **{name: getattr(self, name) for name in model.BUILDER_PARAMETERS})

    @property
    def _simulator(self):
        """The simulator of ``network_``, ``dt`` and ``trace_taus``, rebuilt whenever one
        of them changed.

        It holds the running state of :meth:`run` (continued with
        ``reset=False``); replacing ``network_`` starts a new one, so the
        simulation can never fall out of step with the network.
        """
        simulator = self._current_simulator()
        self.__dict__["_simulator_cache"] = simulator
        return simulator

    def _current_simulator(self):
        """The cached simulator if it still matches ``network_``, ``dt`` and
        ``trace_taus``, else a new one."""
        cached = self.__dict__.get("_simulator_cache")
        if (cached is None or cached.network is not self.network_ or cached.dt != self.dt
                or cached.trace_taus != self._trace_taus()):
            cached = self._new_simulator()
        return cached

    def _new_simulator(self):
        """A simulator of ``network_`` in the reset state, keeping ``trace_taus`` traces."""
        return Simulator(self.network_, self.dt, self._trace_taus())

    def _trace_taus(self):
        """``trace_taus`` checked (it may have been set after ``fit``), as a tuple of float.

        A tuple or list equal to the one checked last is not checked again (every
        :meth:`run` asks; a forecast's closed loop runs one step at a time).
        """
        given = self.trace_taus
        key = (tuple((type(tau), tau) for tau in given)
               if isinstance(given, (tuple, list)) else None)
        cached = self.__dict__.get("_checked_taus")
        if key is not None and cached is not None and cached[0] == key:
            return cached[1]
        model.PARAMETERS["trace_taus"].check(type(self).__name__, given)
        taus = model.as_taus(given)
        if key is not None:
            self.__dict__["_checked_taus"] = (key, taus)
        return taus

    def transform(self, X):
        """Features of every sequence, from the reset state of the frozen network.

        Parameters
        ----------
        X : array_like of shape (n_samples, n_steps, n_inputs) or (n_samples, n_steps)
            Sequences with the training ``n_steps`` and ``n_inputs``.

        Returns
        -------
        ndarray of shape (n_samples, n_neurons)
            Spike counts, final or mean filtered state (see ``features``).
        """
        check_is_fitted(self, "network_")
        owner = f"{type(self).__name__}.transform"
        X = self._validate_X(X, reset=False)
        self._check_input(X, "X", owner)
        template = self._current_simulator()     # transform leaves no state behind
        self._check_drive(template.network, X, "X", owner)

        if _cluster_backend() is not None:     # joblib.parallel_config("dask") and friends
            from joblib import Parallel, delayed, effective_n_jobs
            n_jobs = 1 if self.n_jobs is None else self.n_jobs
            blocks = _blocks(len(X), effective_n_jobs(n_jobs))
            rows = Parallel(n_jobs=n_jobs)(delayed(_features_remotely)(self, X[lo:hi])
                                           for lo, hi in blocks)
        else:
            blocks = _blocks(len(X), self._n_workers(len(X)))
            with ThreadPoolExecutor(max_workers=len(blocks) or 1) as pool:
                rows = list(pool.map(lambda b: self._block_features(template, X[b[0]:b[1]]),
                                     blocks))
        return (np.concatenate(rows) if rows
                else np.zeros((0, template.network.n_neurons)))

    def _block_features(self, template, X):
        """Features of the sequences ``X`` from ``template``'s network, each from the
        reset state (nothing learns here), a kernel call per group of sequences
        whose recorded states stay within ``_BATCH_STATE_BYTES``."""
        n_rows = X.shape[1] if self.features != "counts" else 0
        per_sequence = max(1, n_rows * template.network.n_neurons * 8)
        size = max(1, _BATCH_STATE_BYTES // per_sequence)
        return np.concatenate([self._batch_features(template, X[lo:lo + size])
                               for lo in range(0, len(X), size)])

    def _batch_features(self, template, X):
        """Features of the sequences ``X`` in one ``Simulator.run_batch`` call."""
        noisy = _noisy(template.network)
        encoded = [self._encode(u, noisy=noisy) for u in X]
        inputs = ({"currents": X} if self.encoding == "current" else
                  {"input_spikes": [kwargs["input_spikes"] for kwargs in encoded]})
        counts, states = template.run_batch(
            X.shape[1] * self.steps_per_input, steps_per_input=self.steps_per_input,
            record_states=self.features != "counts", tau_readout=self.tau_readout,
            noise_seeds=[kwargs["noise_seed"] for kwargs in encoded], **inputs)
        if self.features == "counts":
            return counts.astype(np.float64)
        if self.features == "final":
            return states[:, -1].copy()
        return states.mean(axis=1)

    def run(self, u, *, reset=True, record_spikes=True, record_v=False,
            record_currents=False, record_traces=False):
        """Simulate one sequence and return everything recorded.

        Parameters
        ----------
        u : array_like of shape (n_steps, n_inputs) or (n_steps,)
            One sequence (any length; 1-D for one input channel).
        reset : bool, default=True
            Start from the initial state; False continues from where the last
            ``run`` stopped (closed-loop forecasting feeds predictions back so).
        record_spikes : bool, default=True
            Record every spike (``spike_steps``, ``spike_neurons``).
        record_v : bool, default=False
            Also record membrane potentials at the end of every input step.
        record_currents : bool, default=False
            Also record the synaptic currents ``ge``, ``gi`` and the adaptation
            variables ``a`` at the end of every input step.
        record_traces : bool, default=False
            Also record the filtered spike trains at every time constant of
            ``trace_taus`` at the end of every input step (``traces``). They
            are part of the running state whether recorded or not, so a run
            continued with ``reset=False`` carries them on.

        Returns
        -------
        SimulationResult
            ``counts`` (n_neurons,), ``states`` (n_steps, n_neurons) filtered
            spike trains (``tau_readout``) at the end of each input step,
            optional ``v``, ``ge``, ``gi``, ``a`` (n_steps, n_neurons),
            ``traces`` (n_steps, n_taus * n_neurons; columns
            ``k * n_neurons .. (k + 1) * n_neurons - 1`` are ``trace_taus[k]``,
            sampled like ``states``, so ``trace_taus=(tau_readout,)`` gives
            ``states``) and spikes.
        """
        check_is_fitted(self, "network_")
        owner = f"{type(self).__name__}.run"
        u = as_real_array(u, "u", owner)
        if u.ndim == 1 and self.n_inputs_ == 1:
            u = u[:, None]
        if u.ndim != 2 or u.shape[1] != self.n_inputs_:
            raise ValueError(f"'u' of {owner} must have shape (n_steps, {self.n_inputs_})"
                             f"{' or (n_steps,)' if self.n_inputs_ == 1 else ''}: one "
                             f"sequence of the {self.n_inputs_} input channels fitted; got "
                             f"shape {u.shape}.")
        if not np.all(np.isfinite(u)):
            raise ValueError(f"'u' of {owner} must be finite; it contains NaN or inf.")
        self._check_input(u, "u", owner)
        with self._lock():
            simulator = self._simulator
            self._check_drive(simulator.network, u, "u", owner)
            if reset:
                simulator.reset()
            return simulator.run(**self._encode(u), record_spikes=record_spikes,
                                 record_states=True, record_v=record_v,
                                 record_currents=record_currents,
                                 record_traces=record_traces, tau_readout=self.tau_readout)

    def get_state(self):
        """Snapshot of the running state (potentials, refractory clocks, filtered
        spike trains ``readout`` and ``traces``, synaptic currents, adaptation).

        Returns
        -------
        dict
            Copies of the arrays; give it to :meth:`set_state` to continue
            from this point later (as often as wanted).
        """
        check_is_fitted(self, "network_")
        with self._lock():
            return self._simulator.get_state()

    def set_state(self, state):
        """Continue from a snapshot taken by :meth:`get_state` (it is copied)."""
        check_is_fitted(self, "network_")
        with self._lock():
            self._simulator.set_state(state)

    # ------------------------------------------------------------ persistence
    def save(self, path):
        """Write the fitted reservoir to a model file (``.npz``: arrays and JSON parameters).

        The file is written to a temporary file in the same folder and renamed
        over ``path`` only when complete, so a save that fails or is killed
        never destroys the previous file. Loadable with :meth:`load` (no
        pickles); ``transform`` after a reload is bit-identical. The layout is
        versioned (see :mod:`hrsnn._model_file`).

        Parameters
        ----------
        path : str, PathLike or binary file object
            The file; ``".npz"`` is appended unless the name ends so (as
            :meth:`load` does, so ``save("model")`` and ``load("model")`` both
            mean ``model.npz``). A file object is written directly (not atomically).

        Returns
        -------
        Path or file object
            What was written.

        Raises
        ------
        ValueError
            If ``path`` is a folder.
        FileNotFoundError
            If its folder does not exist.
        """
        check_is_fitted(self, "network_")
        return _model_file.write(self, path)

    @classmethod
    def load(cls, path):
        """Read a reservoir written by :meth:`save`, checking everything it reads.

        Parameters
        ----------
        path : str, PathLike or binary file object
            The file; ``".npz"`` is appended unless the name ends so.

        Returns
        -------
        Reservoir
            Fitted, as it was saved.

        Raises
        ------
        ValueError
            If the file is not a model file, is damaged (the message names the
            file and the entry), or has a newer format than this version of
            hrsnn reads. Files written before model files carried a format
            version load as format 0, through the same checks.
        FileNotFoundError
            If there is no such file.
        """
        reservoir = _model_file.read(cls, path)
        reservoir.__dict__["_simulator_cache"] = reservoir._new_simulator()
        return reservoir

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_simulator_cache", None)      # derived from network_; rebuilt below
        state.pop("_run_lock", None)             # a lock is no state; a new one is made
        state.pop("_checked_taus", None)
        return state

    def __setstate__(self, state):
        state = {"trace_taus": model.PARAMETERS["trace_taus"].default, **state}  # older pickles
        super().__setstate__(state)
        if "network_" in state:
            self.__dict__["_simulator_cache"] = self._new_simulator()

    # --------------------------------------------------------------- helpers
    def _check_params(self):
        owner = type(self).__name__
        model.check_params(owner, {name: getattr(self, name) for name in model.PARAMETERS})
        if self.network is not None and not isinstance(self.network, Network):
            raise TypeError(f"The 'network' parameter of {owner} must be an hrsnn.Network "
                            f"or None. Got {type(self.network).__name__} instead.")

    def _validate_X(self, X, reset):
        """Checked finite float64 array of shape (n_samples, n_steps, n_inputs).

        With ``reset=True`` (fit) nothing is recorded on ``self``; ``fit``
        records ``n_features_in_`` once everything else has succeeded.
        """
        owner = type(self).__name__
        X_given, X = X, _as_batch(X, owner)
        self._warn_if_counts(X_given, owner)
        if reset:
            return X
        if X.shape[1] != self.n_features_in_:
            raise ValueError(
                f"X has sequences of {X.shape[1]} time steps, but {owner} was fitted on "
                f"sequences of {self.n_features_in_} (in scikit-learn's terms: X has "
                f"{X.shape[1]} features, but {owner} is expecting {self.n_features_in_} "
                "features as input). transform needs the training length; run() takes "
                "sequences of any length.")
        self._check_features(X_given, X.shape[1], reset=False)  # feature names
        if X.shape[2] != self.n_inputs_:
            raise ValueError(f"X has {X.shape[2]} input channels, but {owner} was fitted "
                             f"with {self.n_inputs_}.")
        return X

    def _warn_if_counts(self, X_given, owner):
        """Warn when unsigned-integer or boolean input (spike counts, as
        ``load_digits_spikes`` gives) meets ``encoding="current"``, which would feed
        each count as a small current rather than as spikes."""
        kind = getattr(getattr(X_given, "dtype", None), "kind", None)
        if self.encoding == "current" and kind in ("u", "b"):
            warnings.warn(
                f"X of {owner} holds {X_given.dtype} values, like spike counts, but "
                "encoding='current' feeds each value as an input current (w_in per unit) "
                "held for steps_per_input steps. For spike trains pass "
                f"{owner}(encoding='spikes', steps_per_input=1) (one simulation step per "
                "time bin); for currents pass floats (X.astype(float)) to silence this "
                "warning.", UserWarning, stacklevel=4)

    def _check_input(self, X, name, owner):
        """With ``encoding="spikes"``: non-negative integer counts, not too many."""
        if self.encoding == "spikes":
            _check_spike_counts(X, name, owner)

    def _check_drive(self, network, X, name, owner):
        """With ``encoding="current"``: the current ``X`` gives stays within bounds."""
        if self.encoding == "current":
            check_current(network, X, name, owner)

    def _input_limit(self):
        """The largest ``|u|`` (all channels alike) :meth:`run` accepts (inf if any)."""
        if self.encoding != "current":
            return np.inf
        return input_limit(self._current_simulator().network)

    def _lock(self):
        """The reservoir's lock around the running state (made on first use)."""
        return self.__dict__.setdefault("_run_lock", threading.RLock())

    def _resolve_seed(self):
        """The seed of this fit (``random_state`` is checked by ``_check_params``)."""
        rs = self.random_state
        if rs is None:
            return int(np.random.SeedSequence().entropy % (2 ** 63))
        if isinstance(rs, np.random.RandomState):
            return int(rs.randint(2 ** 31))
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(2 ** 63))
        return int(rs)

    def _encode(self, u, low=None, high=None, seed=None, network=None, noisy=None):
        """Simulator arguments for one sequence (fitted scaling, seed and network by
        default; ``noisy``, else the network, tells whether a noise seed is needed)."""
        if seed is None:
            low, high, seed = self.input_min_, self.input_max_, self.seed_
        if noisy is None:
            noisy = _noisy(getattr(self, "network_", None) if network is None else network)
        return encode(u, self.encoding, self.steps_per_input, self.dt, self.max_rate,
                      low, high, seed, noisy=noisy)

    def _learn(self, network, X, seed, low, high):
        """STDP over the training sequences, each from the reset neuron state."""
        simulator = Simulator(network, self.dt)
        for _ in range(self.stdp_epochs):
            for u in X:
                simulator.reset(weights=False)
                simulator.run(**self._encode(u, low, high, seed, network), learn=True,
                              record_spikes=False)
        return network.with_weights(simulator.weight)

    def _n_workers(self, n_samples):
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs < 0:
            n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
        return max(1, min(n_jobs, n_samples))


Reservoir.__doc__ = Reservoir.__doc__.replace("{parameters}", model.numpydoc())


def _as_batch(X, owner):
    """``X`` as a finite float64 array (n_samples, n_steps, n_inputs), or a clear error.

    The messages say what a batch of sequences is; those for empty axes also
    carry scikit-learn's wording, which its estimator checks look for.
    """
    arr = as_real_array(X, "X", owner)
    if arr.ndim not in (2, 3):
        one = (" Reshape your data: X.reshape(1, -1) is one sequence of one channel, "
               "u[None] one sequence u of shape (n_steps, n_inputs).") if arr.ndim < 2 else ""
        raise ValueError(f"'X' of {owner} must be a batch of sequences: an array of shape "
                         "(n_samples, n_steps, n_inputs), or (n_samples, n_steps) for one "
                         f"input channel. Got an array of {arr.ndim} dimension"
                         f"{'' if arr.ndim == 1 else 's'}, shape {arr.shape}.{one}")
    shape, arr = arr.shape, (arr if arr.ndim == 3 else arr[:, :, None])
    if arr.shape[0] == 0:
        raise ValueError(f"Found array with 0 sample(s) (shape={shape}) while a minimum of 1 "
                         f"is required: 'X' of {owner} must hold at least one sequence.")
    if arr.shape[1] == 0:
        raise ValueError(f"'X' of {owner} holds sequences of 0 time steps; each needs at "
                         f"least 1 (in scikit-learn's terms: found array with 0 feature(s) "
                         f"(shape={shape}) while a minimum of 1 is required).")
    if arr.shape[2] == 0:
        raise ValueError(f"'X' of {owner} has 0 input channels (shape={shape}); each step "
                         "needs at least one value.")
    if not np.all(np.isfinite(arr)):
        raise ValueError(f"'X' of {owner} must be finite; it contains NaN or infinity.")
    return arr


def _check_spike_counts(X, name="X", owner="Reservoir"):
    """Non-negative integer counts per input step, at most ``MAX_INPUT_SPIKES`` a sequence."""
    if np.any(X < 0) or np.any(X != np.rint(X)):
        raise ValueError(f"With encoding='spikes', '{name}' of {owner} must hold "
                         "non-negative integer spike counts per input step.")
    per_sequence = X.reshape(len(X), -1).sum(axis=1) if X.ndim == 3 else X.sum()
    check_spike_total(np.max(per_sequence), name, owner)
