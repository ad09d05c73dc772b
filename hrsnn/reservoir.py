"""``Reservoir``: the scikit-learn transformer users import."""

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from . import _model_file, model
from ._validation import check_number
from .builder import build_network
from .encoding import encode
from .heterogeneity import preset_flags
from .network import Network
from .simulator import Simulator

_SIGNATURE = model.signature()

class Reservoir(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
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
        X_given, X = X, self._validate_X(X, reset=True)
        if self.encoding == "spikes":
            _check_spike_counts(X)
        seed = self._resolve_seed()
        network = self._initial_network(X.shape[2], seed)
        low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
        if self.stdp:
            network = self._learn(network, X, seed, low, high)
        # fitted attributes only now, when nothing can fail any more
        validate_data(self, X_given, reset=True, skip_check_array=True)
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
        """``trace_taus`` checked (it may have been set after ``fit``), as a tuple of float."""
        model.PARAMETERS["trace_taus"].check(type(self).__name__, self.trace_taus)
        return model.as_taus(self.trace_taus)

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
        X = self._validate_X(X, reset=False)
        if self.encoding == "spikes":
            _check_spike_counts(X)
        template = self._current_simulator()     # transform leaves no state behind

        def one(i):
            result = template.spawn().run(**self._encode(X[i]), record_spikes=False,
                                          record_states=self.features != "counts",
                                          tau_readout=self.tau_readout)
            return self._features_of(result)

        with ThreadPoolExecutor(max_workers=self._n_workers(len(X))) as pool:
            rows = list(pool.map(one, range(len(X))))
        return np.stack(rows) if rows else np.zeros((0, self.network_.n_neurons))

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
        u = np.asarray(u, dtype=np.float64)
        if u.ndim == 1 and self.n_inputs_ == 1:
            u = u[:, None]
        if u.ndim != 2 or u.shape[1] != self.n_inputs_:
            raise ValueError(f"'u' must have shape (n_steps, {self.n_inputs_}); got {u.shape}.")
        if not np.all(np.isfinite(u)):
            raise ValueError("'u' must be finite; it contains NaN or inf.")
        if self.encoding == "spikes":
            _check_spike_counts(u)
        if reset:
            self._simulator.reset()
        return self._simulator.run(**self._encode(u), record_spikes=record_spikes,
                                   record_states=True, record_v=record_v,
                                   record_currents=record_currents,
                                   record_traces=record_traces,
                                   tau_readout=self.tau_readout)

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
        return self._simulator.get_state()

    def set_state(self, state):
        """Continue from a snapshot taken by :meth:`get_state` (it is copied)."""
        check_is_fitted(self, "network_")
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
        """Checked float64 array of shape (n_samples, n_steps, n_inputs).

        With ``reset=True`` (fit) nothing is recorded on ``self``; ``fit``
        records ``n_features_in_`` once everything else has succeeded.
        """
        if reset:
            X = check_array(X, allow_nd=True, dtype=np.float64, input_name="X")
        else:
            X = validate_data(self, X, reset=False, allow_nd=True, dtype=np.float64)
        if X.ndim == 2:
            X = X[:, :, None]
        if X.ndim != 3:
            raise ValueError("X must have shape (n_samples, n_steps, n_inputs) or "
                             f"(n_samples, n_steps); got {X.ndim} dimensions.")
        if not reset and X.shape[2] != self.n_inputs_:
            raise ValueError(f"X has {X.shape[2]} input channels, but {type(self).__name__} "
                             f"was fitted with {self.n_inputs_}.")
        return X

    def _resolve_seed(self):
        rs = self.random_state
        if rs is None:
            return int(np.random.SeedSequence().entropy % (2 ** 63))
        if isinstance(rs, np.random.RandomState):
            return int(rs.randint(2 ** 31))
        if isinstance(rs, np.random.Generator):
            return int(rs.integers(2 ** 63))
        check_number(type(self).__name__, "random_state", rs, "int", 0)
        return int(rs)

    def _encode(self, u, low=None, high=None, seed=None):
        """Simulator arguments for one sequence (fitted scaling and seed by default)."""
        if seed is None:
            low, high, seed = self.input_min_, self.input_max_, self.seed_
        return encode(u, self.encoding, self.steps_per_input, self.dt, self.max_rate,
                      low, high, seed)

    def _learn(self, network, X, seed, low, high):
        """STDP over the training sequences, each from the reset neuron state."""
        simulator = Simulator(network, self.dt)
        for _ in range(self.stdp_epochs):
            for u in X:
                simulator.reset(weights=False)
                simulator.run(**self._encode(u, low, high, seed), learn=True,
                              record_spikes=False)
        return network.with_weights(simulator.weight)

    def _features_of(self, result):
        if self.features == "counts":
            return result.counts.astype(np.float64)
        if self.features == "final":
            return result.states[-1].copy()
        return result.states.mean(axis=0)

    def _n_workers(self, n_samples):
        n_jobs = 1 if self.n_jobs is None else self.n_jobs
        if n_jobs < 0:
            n_jobs = max(1, (os.cpu_count() or 1) + 1 + n_jobs)
        return max(1, min(n_jobs, n_samples))


Reservoir.__doc__ = Reservoir.__doc__.replace("{parameters}", model.numpydoc())


def _check_spike_counts(X):
    if np.any(X < 0) or np.any(X != np.rint(X)):
        raise ValueError("With encoding='spikes', X must hold non-negative integer "
                         "spike counts per input step.")
