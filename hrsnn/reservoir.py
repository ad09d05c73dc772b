"""``Reservoir``: the scikit-learn transformer users import."""

import json
import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._validation import check_choice, check_number
from .builder import build_network
from .encoding import ENCODINGS, encode
from .heterogeneity import PRESETS, preset_flags
from .network import STDP_RULES, Network
from .simulator import Simulator
from .topology import IN_WEIGHT_DISTRIBUTIONS

FEATURES = ("counts", "final", "mean")

# name -> (kind, low, high, low_open, allow_none); choices are checked apart.
_NUMERIC = {
    "n_neurons": ("int", 1, None, False, False),
    "exc_fraction": ("float", 0.0, 1.0, False, False),
    "tau_m_exc_mean": ("float", 0.0, None, True, False),
    "tau_m_exc_shape": ("float", 0.0, None, True, False),
    "tau_m_inh_mean": ("float", 0.0, None, True, False),
    "tau_m_inh_shape": ("float", 0.0, None, True, False),
    "v_th_mean": ("float", 0.0, None, True, False),
    "v_th_shape": ("float", 0.0, None, True, False),
    "tau_min": ("float", 0.0, None, True, False),
    "tau_max": ("float", 0.0, None, True, False),
    "t_ref": ("float", 0.0, None, False, False),
    "v_rest": ("float", None, None, False, False),
    "v_reset": ("float", None, None, False, False),
    "conn_lambda": ("float", 0.0, None, True, False),
    "conn_cutoff": ("float", 0.0, None, True, False),
    "c_ee": ("float", 0.0, 1.0, False, False),
    "c_ei": ("float", 0.0, 1.0, False, False),
    "c_ie": ("float", 0.0, 1.0, False, False),
    "c_ii": ("float", 0.0, 1.0, False, False),
    "w_scale": ("float", 0.0, None, False, False),
    "w_ee": ("float", 0.0, None, False, False),
    "w_ei": ("float", 0.0, None, False, False),
    "w_ie": ("float", 0.0, None, False, False),
    "w_ii": ("float", 0.0, None, False, False),
    "w_shape": ("float", 0.0, None, True, False),
    "p_in": ("float", 0.0, 1.0, False, False),
    "w_in": ("float", None, None, False, False),
    "max_rate": ("float", 0.0, None, False, False),
    "dt": ("float", 0.0, None, True, False),
    "steps_per_input": ("int", 1, None, False, False),
    "stdp": ("bool", None, None, False, False),
    "stdp_epochs": ("int", 1, None, False, False),
    "stdp_w_min": ("float", None, None, False, False),
    "stdp_w_max": ("float", None, None, False, True),
    "tau_plus_mean": ("float", 0.0, None, True, False),
    "tau_plus_shape": ("float", 0.0, None, True, False),
    "tau_minus_mean": ("float", 0.0, None, True, False),
    "tau_minus_shape": ("float", 0.0, None, True, False),
    "eta_plus_mean": ("float", 0.0, None, False, False),
    "eta_plus_shape": ("float", 0.0, None, True, False),
    "eta_minus_mean": ("float", 0.0, None, False, False),
    "eta_minus_shape": ("float", 0.0, None, True, False),
    "tau_readout": ("float", 0.0, None, True, False),
}
_CHOICES = {"heterogeneity": tuple(PRESETS), "encoding": ENCODINGS,
            "w_in_dist": IN_WEIGHT_DISTRIBUTIONS,
            "stdp_rule": STDP_RULES, "features": FEATURES}
# Reservoir parameters handed to build_network unchanged.
_NETWORK_PARAMS = (
    "exc_fraction", "tau_m_exc_mean", "tau_m_exc_shape", "tau_m_inh_mean",
    "tau_m_inh_shape", "v_th_mean", "v_th_shape", "tau_min", "tau_max", "v_rest",
    "v_reset", "t_ref", "conn_lambda", "conn_cutoff", "c_ee", "c_ei", "c_ie", "c_ii",
    "w_scale", "w_ee", "w_ei", "w_ie", "w_ii", "w_shape", "p_in", "w_in", "w_in_dist",
    "tau_plus_mean", "tau_plus_shape", "tau_minus_mean", "tau_minus_shape",
    "eta_plus_mean", "eta_plus_shape", "eta_minus_mean", "eta_minus_shape", "stdp_rule",
    "stdp_w_min", "stdp_w_max", "grid_shape",
)


class Reservoir(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Heterogeneous recurrent spiking reservoir (HRSNN) as a scikit-learn transformer.

    Leaky integrate-and-fire neurons on a 3-D grid, 80 % excitatory, with
    distance-dependent sparse connectivity; membrane time constants and
    thresholds drawn per neuron from gamma distributions (excitatory and
    inhibitory apart); E->E synapses that learn without labels by STDP with
    per-synapse time constants and learning rates. ``fit`` builds the network
    and runs STDP on ``X``; ``transform`` maps each sequence to features of the
    frozen network.

    Parameters
    ----------
    n_neurons : int, default=1000
        Recurrent neurons.
    exc_fraction : float, default=0.8
        Fraction of excitatory neurons.
    heterogeneity : {"HeNHeS", "HeNHoS", "HoNHeS", "HoNHoS"}, default="HeNHeS"
        Heterogeneous (He) or homogeneous (Ho) Neurons (``tau_m``, ``v_th``)
        and STDP Synapses (``tau_plus/minus``, ``eta_plus/minus``). A
        homogeneous group uses the means of the distributions below, so the
        four presets are directly comparable.
    tau_m_exc_mean, tau_m_exc_shape : float, default=20.0, 3.0
        Gamma distribution (mean in ms, shape) of excitatory ``tau_m``.
    tau_m_inh_mean, tau_m_inh_shape : float, default=10.0, 3.0
        Gamma distribution of inhibitory ``tau_m``.
    v_th_mean, v_th_shape : float, default=1.0, 20.0
        Gamma distribution of thresholds.
    tau_min, tau_max : float, default=1.0, 200.0
        Every drawn time constant is clipped to this range, ms.
    t_ref : float, default=2.0
        Refractory period, ms.
    v_rest, v_reset : float, default=0.0
        Resting and reset potential.
    grid_shape : tuple of 3 int or None, default=None
        Grid; None picks the smallest near-cubic grid.
    conn_lambda : float, default=2.0
        Connection length scale lambda (grid units):
        ``P = C * exp(-(D / lambda)^2)``.
    conn_cutoff : float, default=3.5
        Pairs farther than ``conn_cutoff * conn_lambda`` are never connected.
    c_ee, c_ei, c_ie, c_ii : float, default=0.3, 0.2, 0.4, 0.1
        Connection probability scale per (pre, post) type.
    w_scale : float, default=0.1
        Factor on every recurrent weight.
    w_ee, w_ei, w_ie, w_ii : float, default=1.0, 2.0, 0.6, 0.6
        Mean weight magnitude per (pre, post) type before ``w_scale``
        (inhibitory weights are negative).
    w_shape : float, default=1.0
        Gamma shape of the weight magnitudes.
    p_in : float, default=0.3
        Probability that an input channel connects to a neuron.
    w_in : float, default=1.0
        Input weight: current per unit input (``"current"``) or potential
        jump per input spike (``"poisson"``, ``"spikes"``); with
        ``w_in_dist="uniform"`` the half-width of the weights' range.
    w_in_dist : {"constant", "uniform"}, default="constant"
        Every input weight equal to ``w_in`` (the paper; input spikes
        excite), or drawn from ``U(-w_in, w_in)`` (signed, echo-state style;
        better for analog inputs of either sign, as in forecasting).
    encoding : {"current", "poisson", "spikes"}, default="current"
        How inputs drive the network (see :mod:`hrsnn.encoding`).
    max_rate : float, default=50.0
        Poisson rate of an input at the top of its training range, Hz.
    dt : float, default=1.0
        Simulation step, ms.
    steps_per_input : int, default=5
        Simulation steps per input time step.
    stdp : bool, default=True
        Learn E->E weights by STDP during ``fit``.
    stdp_rule : {"soft", "additive"}, default="soft"
        Multiplicative soft bounds or additive with hard bounds.
    stdp_epochs : int, default=1
        Passes of STDP over the training sequences.
    stdp_w_min, stdp_w_max : float, default=0.0, None
        Bounds of plastic weights; None means ``2 * w_scale * w_ee``, which
        puts the soft-bound rule's fixed point near the initial mean weight.
    tau_plus_mean, tau_plus_shape, tau_minus_mean, tau_minus_shape : float
        Gamma distributions of the STDP trace time constants (default mean
        20 ms, shape 3).
    eta_plus_mean, eta_plus_shape, eta_minus_mean, eta_minus_shape : float
        Gamma distributions of the learning rates (default means 0.01 and
        0.0105, shape 3).
    features : {"counts", "final", "mean"}, default="counts"
        Per-sequence features: spike counts per neuron, the exponentially
        filtered spike trains at the end, or their mean over input steps.
    tau_readout : float, default=20.0
        Time constant of the filtered spike trains, ms.
    random_state : int, RandomState instance or None, default=None
        Seed of the network and of Poisson encoding.
    n_jobs : int or None, default=None
        Threads for ``transform`` (None = 1, -1 = all cores); results are
        identical for every value.

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

    def __init__(
        self, n_neurons=1000, *, exc_fraction=0.8, heterogeneity="HeNHeS",
        tau_m_exc_mean=20.0, tau_m_exc_shape=3.0, tau_m_inh_mean=10.0,
        tau_m_inh_shape=3.0, v_th_mean=1.0, v_th_shape=20.0, tau_min=1.0,
        tau_max=200.0, t_ref=2.0, v_rest=0.0, v_reset=0.0, grid_shape=None,
        conn_lambda=2.0, conn_cutoff=3.5, c_ee=0.3, c_ei=0.2, c_ie=0.4, c_ii=0.1,
        w_scale=0.1, w_ee=1.0, w_ei=2.0, w_ie=0.6, w_ii=0.6, w_shape=1.0,
        p_in=0.3, w_in=1.0, w_in_dist="constant", encoding="current", max_rate=50.0,
        dt=1.0,
        steps_per_input=5, stdp=True, stdp_rule="soft", stdp_epochs=1,
        stdp_w_min=0.0, stdp_w_max=None, tau_plus_mean=20.0, tau_plus_shape=3.0,
        tau_minus_mean=20.0, tau_minus_shape=3.0, eta_plus_mean=0.01,
        eta_plus_shape=3.0, eta_minus_mean=0.0105, eta_minus_shape=3.0,
        features="counts", tau_readout=20.0, random_state=None, n_jobs=None,
    ):
        self.n_neurons = n_neurons
        self.exc_fraction = exc_fraction
        self.heterogeneity = heterogeneity
        self.tau_m_exc_mean = tau_m_exc_mean
        self.tau_m_exc_shape = tau_m_exc_shape
        self.tau_m_inh_mean = tau_m_inh_mean
        self.tau_m_inh_shape = tau_m_inh_shape
        self.v_th_mean = v_th_mean
        self.v_th_shape = v_th_shape
        self.tau_min = tau_min
        self.tau_max = tau_max
        self.t_ref = t_ref
        self.v_rest = v_rest
        self.v_reset = v_reset
        self.grid_shape = grid_shape
        self.conn_lambda = conn_lambda
        self.conn_cutoff = conn_cutoff
        self.c_ee = c_ee
        self.c_ei = c_ei
        self.c_ie = c_ie
        self.c_ii = c_ii
        self.w_scale = w_scale
        self.w_ee = w_ee
        self.w_ei = w_ei
        self.w_ie = w_ie
        self.w_ii = w_ii
        self.w_shape = w_shape
        self.p_in = p_in
        self.w_in = w_in
        self.w_in_dist = w_in_dist
        self.encoding = encoding
        self.max_rate = max_rate
        self.dt = dt
        self.steps_per_input = steps_per_input
        self.stdp = stdp
        self.stdp_rule = stdp_rule
        self.stdp_epochs = stdp_epochs
        self.stdp_w_min = stdp_w_min
        self.stdp_w_max = stdp_w_max
        self.tau_plus_mean = tau_plus_mean
        self.tau_plus_shape = tau_plus_shape
        self.tau_minus_mean = tau_minus_mean
        self.tau_minus_shape = tau_minus_shape
        self.eta_plus_mean = eta_plus_mean
        self.eta_plus_shape = eta_plus_shape
        self.eta_minus_mean = eta_minus_mean
        self.eta_minus_shape = eta_minus_shape
        self.features = features
        self.tau_readout = tau_readout
        self.random_state = random_state
        self.n_jobs = n_jobs

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
        """Build the network and, if ``stdp``, learn E->E weights on ``X``.

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
        heterogeneous_neurons, heterogeneous_synapses = preset_flags(self.heterogeneity)
        network = build_network(
            self.n_neurons, X.shape[2], seed,
            heterogeneous_neurons=heterogeneous_neurons,
            heterogeneous_synapses=heterogeneous_synapses,
            **{name: getattr(self, name) for name in _NETWORK_PARAMS})
        low, high = X.min(axis=(0, 1)), X.max(axis=(0, 1))
        if self.stdp:
            network = self._learn(network, X, seed, low, high)
        # fitted attributes only now, when nothing can fail any more
        validate_data(self, X_given, reset=True, skip_check_array=True)
        self.network_ = network
        self.seed_ = seed
        self.n_inputs_ = X.shape[2]
        self.input_min_, self.input_max_ = low, high
        self._simulator = Simulator(network, self.dt)
        return self

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
        template = self._simulator

        def one(i):
            result = template.spawn().run(**self._encode(X[i]), record_spikes=False,
                                          record_states=self.features != "counts",
                                          tau_readout=self.tau_readout)
            return self._features_of(result)

        with ThreadPoolExecutor(max_workers=self._n_workers(len(X))) as pool:
            rows = list(pool.map(one, range(len(X))))
        return np.stack(rows) if rows else np.zeros((0, self.network_.n_neurons))

    def run(self, u, *, reset=True, record_spikes=True, record_v=False):
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

        Returns
        -------
        SimulationResult
            ``counts`` (n_neurons,), ``states`` (n_steps, n_neurons) filtered
            spike trains at the end of each input step, optional ``v`` and spikes.
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
                                   tau_readout=self.tau_readout)

    def get_state(self):
        """Snapshot of the running state (potentials, refractory clocks, traces).

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
        """Write the fitted reservoir to ``path`` (``.npz``: arrays + JSON parameters).

        Loadable with :meth:`load` (``allow_pickle=False``); ``transform``
        after a reload is bit-identical.
        """
        check_is_fitted(self, "network_")
        params = self.get_params()
        params["random_state"] = self.seed_
        fitted = {"seed_": self.seed_, "n_inputs_": self.n_inputs_,
                  "n_features_in_": self.n_features_in_}
        np.savez(path, params_json=np.array(json.dumps(params)),
                 fitted_json=np.array(json.dumps(fitted)),
                 input_min_=self.input_min_, input_max_=self.input_max_,
                 **self.network_.to_dict(prefix="network_"))

    @classmethod
    def load(cls, path):
        """Read a reservoir written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as data:
            params = json.loads(str(data["params_json"]))
            if params.get("grid_shape") is not None:
                params["grid_shape"] = tuple(params["grid_shape"])
            reservoir = cls(**params)
            for key, value in json.loads(str(data["fitted_json"])).items():
                setattr(reservoir, key, value)
            reservoir.input_min_ = data["input_min_"]
            reservoir.input_max_ = data["input_max_"]
            reservoir.network_ = Network.from_dict(data, prefix="network_")
        reservoir._simulator = Simulator(reservoir.network_, reservoir.dt)
        return reservoir

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_simulator", None)
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "network_" in state:
            self._simulator = Simulator(self.network_, self.dt)

    # --------------------------------------------------------------- helpers
    def _check_params(self):
        owner = type(self).__name__
        for name, (kind, low, high, low_open, allow_none) in _NUMERIC.items():
            check_number(owner, name, getattr(self, name), kind, low, high, low_open,
                         allow_none)
        for name, options in _CHOICES.items():
            check_choice(owner, name, getattr(self, name), options)
        if self.tau_min > self.tau_max:
            raise ValueError(f"The 'tau_min' parameter of {owner} ({self.tau_min}) must not "
                             f"exceed 'tau_max' ({self.tau_max}).")
        if self.n_jobs is not None:
            check_number(owner, "n_jobs", self.n_jobs, "int")
            if self.n_jobs == 0:
                raise ValueError(f"The 'n_jobs' parameter of {owner} must be a non-zero "
                                 "integer or None. Got 0 instead.")
        if self.grid_shape is not None and (
                len(self.grid_shape) != 3
                or int(np.prod(self.grid_shape)) < self.n_neurons):
            raise ValueError(f"The 'grid_shape' parameter of {owner} must be None or 3 "
                             f"integers with product >= n_neurons={self.n_neurons}. "
                             f"Got {self.grid_shape!r} instead.")

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


def _check_spike_counts(X):
    if np.any(X < 0) or np.any(X != np.rint(X)):
        raise ValueError("With encoding='spikes', X must hold non-negative integer "
                         "spike counts per input step.")
