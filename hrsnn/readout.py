"""Readouts on reservoir states: forecasting, sequence regression, the paper's MLP.

Classification needs nothing of its own here: a :class:`~hrsnn.Reservoir`
is a scikit-learn transformer, so ``make_pipeline(Reservoir(...),
RidgeClassifierCV(...))`` is the readout. Forecasting a time series needs
a state per time step and a loop that feeds predictions back, which is what
:class:`Forecaster` adds; :class:`SequenceRegressor` maps a given input
sequence to an output sequence (NARMA, delay recall). The paper's pruning
section reads out through a small MLP on the neurons of highest betweenness
centrality: :func:`central_neurons`, ``SequenceRegressor(readout="mlp")``,
and for classification :class:`CentralNeuronSelector` /
:func:`central_neuron_classifier`.
"""

import numbers
from contextlib import contextmanager

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, TransformerMixin, clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_array, check_is_fitted

from ._validation import check_choice, check_number
from .evaluation import select_alpha_by_forecast, validation_starts
from .metrics import RIDGE_ALPHAS
from .reservoir import Reservoir

#: Per-input-step state features every readout here can use, by name: filtered
#: spike trains, membrane potentials (both at the end of each input step) and the
#: (standardised) input itself.
STEP_FEATURES = ("states", "v", "input", "currents", "adaptation")
FORECAST_FEATURES = STEP_FEATURES
TARGETS = ("delta", "next")
SELECTIONS = ("forecast", "cv")
#: The decades 0.1 .. 1000 of :data:`hrsnn.metrics.RIDGE_ALPHAS`: the penalties a
#: :class:`Forecaster` tries (each costs closed-loop validation forecasts).
FORECAST_ALPHAS = tuple(float(a) for a in RIDGE_ALPHAS[10:19:2])


def forecasting_reservoir(n_neurons=1000, random_state=None, **params):
    """The :class:`~hrsnn.Reservoir` a :class:`Forecaster` uses by default.

    Strong signed input drive (``w_in_dist="uniform"``, ``w_in=3``), weak
    recurrent weights (``w_scale=0.02``) and each input held for 5 steps of
    1 ms: the regime where a spiking reservoir forecasts chaotic systems best
    in our measurements (``benchmarks/bench_tasks.py``).

    Parameters
    ----------
    n_neurons : int, default=1000
    random_state : int or None, default=None
    **params
        Any other :class:`~hrsnn.Reservoir` parameter, overriding these.

    Returns
    -------
    Reservoir
        Unfitted.
    """
    defaults = dict(w_scale=0.02, w_in=3.0, w_in_dist="uniform", steps_per_input=5,
                    encoding="current")
    defaults.update(params)
    return Reservoir(n_neurons=n_neurons, random_state=random_state, **defaults)


class Forecaster(BaseEstimator):
    """Forecast a multivariate time series with a spiking reservoir and a ridge readout.

    ``fit`` drives the reservoir with the standardised series (teacher
    forcing) and trains a ridge readout to predict the next step from each
    per-step state. ``predict`` gives one-step-ahead predictions;
    ``forecast`` runs in closed loop, each prediction fed back as the next
    input while the reservoir carries its state on.

    There is no hidden state between calls: ``predict(X)`` and
    ``forecast(n_steps, warmup)`` start from the reservoir's reset state,
    are driven through ``X`` or ``warmup``, and restore ``reservoir_``'s
    state when they return, so their results depend only on their
    arguments. To continue a forecast, warm up on the data followed by the
    forecast so far (the reservoir sees the same inputs either way).

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir (cloned; yours is left untouched). None means
        :func:`forecasting_reservoir` with ``random_state``. It must use
        ``encoding="current"`` or ``"poisson"``.
    features : tuple of {"states", "v", "input", "currents", "adaptation"}, default=("states", "v")
        Readout features per step (:data:`STEP_FEATURES`): filtered spike
        trains, membrane potentials, synaptic currents (excitatory then
        inhibitory) and adaptation variables, all sampled at the end of each
        input step, and the standardised input itself.
    target : {"delta", "next"}, default="delta"
        The readout learns the increment ``x(t+1) - x(t)`` or ``x(t+1)``.
    washout : int, default=100
        Initial steps whose states are not used to train the readout.
    alphas : sequence of float, default=FORECAST_ALPHAS
        Candidate ridge regularisations (0.1, 1, 10, 100, 1000).
    selection : {"forecast", "cv"}, default="forecast"
        How ``alpha_`` is chosen: by closed-loop forecasts on the last
        ``validation_fraction`` of the training series (readout trained on
        the part before it), or by scikit-learn's efficient leave-one-out CV
        of one-step errors (``RidgeCV``). The final readout is then trained
        on the whole series.
    validation_fraction : float, default=0.25
        Share of the training series held out for ``selection="forecast"``.
    validation_starts : int, default=4
        Closed-loop validation forecasts, from evenly spaced start points.
    validation_horizon : int, default=100
        Steps per validation forecast.
    validation_threshold : float, default=0.4
        A validation forecast scores its valid prediction time: the steps
        before its NRMSE (per standardised variable) first exceeds this.
        Ties go to the lower mean NRMSE over the horizon.
    standardize : bool, default=True
        Feed and predict the series scaled to zero mean and unit variance
        per variable (statistics of the training series).
    random_state : int or None, default=None
        Seed of the default reservoir (and of one given without its own).

    Attributes
    ----------
    reservoir_ : Reservoir
        The fitted reservoir, its state at the end of the training series
        (``predict`` and ``forecast`` leave it unchanged).
    readout_ : sklearn.linear_model.Ridge
        Trained on features of every step after ``washout``.
    alpha_ : float
        Chosen regularisation.
    validation_scores_ : dict or None
        ``alpha -> (mean valid steps, mean NRMSE)`` of the validation
        forecasts (``selection="forecast"``).
    mean_, scale_ : ndarray of shape (n_dims,)
        Standardisation of the training series.
    n_dims_ : int
        Variables of the series (1 for a 1-D series).
    forecast_counts_ : ndarray of int64, shape (n_neurons,)
        Spikes per neuron during the closed-loop part of the most recent
        :meth:`forecast` (a record for synaptic operations, see
        :func:`hrsnn.metrics.synaptic_operations`; no later call reads it).

    Examples
    --------
    >>> from data_loaders import lorenz63
    >>> from hrsnn import Forecaster
    >>> series = lorenz63(1200, random_state=0)
    >>> model = Forecaster(random_state=0, washout=50).fit(series[:1000])
    >>> model.forecast(5, warmup=series[900:1000]).shape
    (5, 3)
    >>> model.predict(series[1000:1100]).shape
    (100, 3)
    """

    def __init__(self, reservoir=None, *, features=("states", "v"), target="delta",
                 washout=100, alphas=FORECAST_ALPHAS,
                 selection="forecast", validation_fraction=0.25, validation_starts=4,
                 validation_horizon=100, validation_threshold=0.4, standardize=True,
                 random_state=None):
        self.reservoir = reservoir
        self.features = features
        self.target = target
        self.washout = washout
        self.alphas = alphas
        self.selection = selection
        self.validation_fraction = validation_fraction
        self.validation_starts = validation_starts
        self.validation_horizon = validation_horizon
        self.validation_threshold = validation_threshold
        self.standardize = standardize
        self.random_state = random_state

    # ------------------------------------------------------------------ public
    def fit(self, X, y=None):
        """Train the reservoir (STDP) and the readout on one series.

        Parameters
        ----------
        X : array_like of shape (n_steps, n_dims) or (n_steps,)
            The training series, equally spaced in time.
        y : ignored
            The targets are the series itself, one step later.

        Returns
        -------
        self : Forecaster
        """
        self._check_params()
        series = _as_series(X, "X")
        n_val = self._validation_length(len(series))
        mean, scale = _standardisation(series, self.standardize)
        z = (series - mean) / scale
        reservoir = _new_reservoir(self.reservoir, self.random_state).fit(z[None])
        starts = self._validation_starts(len(z), n_val)
        features, snapshots = self._teacher_forced(reservoir, z, starts)
        end_state = reservoir.get_state()
        if self.selection == "forecast":
            alpha, scores = self._select_by_forecast(reservoir, z, features, snapshots, n_val)
        else:
            alpha, scores = self._select_by_cv(z, features), None
        readout = self._ridge(alpha, features, z, len(z))
        reservoir.set_state(end_state)
        self.reservoir_, self.readout_, self.alpha_ = reservoir, readout, alpha
        self.validation_scores_ = scores
        self.mean_, self.scale_, self.n_dims_ = mean, scale, series.shape[1]
        return self

    def predict(self, X):
        """One-step-ahead predictions with teacher forcing, from the reset state.

        Parameters
        ----------
        X : array_like of shape (n_steps, n_dims) or (n_steps,)
            A series of the training variables.

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
            Row ``t`` predicts ``X[t + 1]``; the last row forecasts the step
            after ``X``. Computed from the reset state; ``reservoir_``'s
            state is restored afterwards.
        """
        check_is_fitted(self, "readout_")
        z = self._standardised(X, "X")
        with _state_kept(self.reservoir_):
            features, _ = self._teacher_forced(self.reservoir_, z, ())
        return self._unstandardised(self._next_values(features, z))

    def forecast(self, n_steps, warmup):
        """Closed-loop forecast: each prediction is fed back as the next input.

        Parameters
        ----------
        n_steps : int
            Steps to forecast.
        warmup : array_like of shape (n_warmup, n_dims) or (n_warmup,)
            True values right before the forecast (at least one step); the
            reservoir starts from its reset state and is driven through them
            first. The forecast depends on nothing else: ``reservoir_``'s
            state is restored afterwards.

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
            The forecast of the ``n_steps`` steps after ``warmup``.
        """
        check_is_fitted(self, "readout_")
        check_number(type(self).__name__, "n_steps", n_steps, "int", 1)
        z = self._standardised(warmup, "warmup", min_steps=1)
        counts = np.zeros(self.reservoir_.network_.n_neurons, dtype=np.int64)
        with _state_kept(self.reservoir_):
            features, _ = self._teacher_forced(self.reservoir_, z, ())
            forecast, _ = self._closed_loop(self.reservoir_, features[-1], z[-1], n_steps,
                                            counts=counts)
        self.forecast_counts_ = counts
        return self._unstandardised(forecast)

    # ----------------------------------------------------------- the loops
    def _teacher_forced(self, reservoir, z, snapshot_at):
        """Features after every input row, and reservoir snapshots at given rows.

        ``snapshots[s]`` is the state after rows ``0 .. s-1`` (ready to
        forecast row ``s``).
        """
        bounds = [0, *snapshot_at, len(z)]
        parts, snapshots = [], {}
        for k, (begin, end) in enumerate(zip(bounds[:-1], bounds[1:])):
            if k > 0:
                snapshots[begin] = reservoir.get_state()
            result = reservoir.run(z[begin:end], reset=(k == 0), record_spikes=False,
                                   **_recording(self.features))
            parts.append(_step_features(result, z[begin:end], self.features))
        return np.concatenate(parts), snapshots

    def _closed_loop(self, reservoir, features, last_input, n_steps, readout=None,
                     counts=None):
        """Standardised forecast of ``n_steps``; returns it and the final (features, input).

        Spike counts per neuron are added to ``counts`` when given.
        """
        readout = self.readout_ if readout is None else readout
        n_dims = len(last_input)
        coef = np.reshape(readout.coef_, (n_dims, -1))
        intercept = np.reshape(readout.intercept_, (n_dims,))
        out = np.empty((n_steps, n_dims))
        x = last_input
        recording = _recording(self.features)
        for k in range(n_steps):
            step = features @ coef.T + intercept
            x = x + step if self.target == "delta" else step
            out[k] = x
            result = reservoir.run(x[None], reset=False, record_spikes=False, **recording)
            features = _step_features(result, x[None], self.features)[0]
            if counts is not None:
                counts += result.counts
        return out, (features, x)

    # ------------------------------------------------------- regularisation
    def _targets(self, z, rows):
        following = z[rows + 1]
        return following - z[rows] if self.target == "delta" else following

    def _ridge(self, alpha, features, z, n_used):
        """Ridge on rows ``washout .. n_used-2`` (each predicting the next row)."""
        rows = np.arange(self.washout, n_used - 1)
        return Ridge(alpha=alpha).fit(features[rows], self._targets(z, rows))

    def _select_by_cv(self, z, features):
        rows = np.arange(self.washout, len(z) - 1)
        cv = RidgeCV(alphas=np.asarray(self.alphas, dtype=float))
        return float(cv.fit(features[rows], self._targets(z, rows)).alpha_)

    def _select_by_forecast(self, reservoir, z, features, snapshots, n_val):
        """Alpha whose readout (trained before the validation part) forecasts it best."""
        def train(alpha):
            return self._ridge(alpha, features, z, len(z) - n_val)

        def forecast(readout, start):
            reservoir.set_state(snapshots[start])
            return self._closed_loop(reservoir, features[start - 1], z[start - 1],
                                     self.validation_horizon, readout)[0]

        return select_alpha_by_forecast(self.alphas, train, forecast, z, list(snapshots),
                                        horizon=self.validation_horizon,
                                        threshold=self.validation_threshold)

    # ------------------------------------------------------------- helpers
    def _validation_length(self, n_steps):
        """Held-out length for ``selection="forecast"``; checks the series is long enough."""
        owner = type(self).__name__
        n_val = (int(round(self.validation_fraction * n_steps))
                 if self.selection == "forecast" else 0)
        n_fit = n_steps - n_val
        if n_fit < self.washout + 10:
            raise ValueError(
                f"{owner} needs at least washout + 10 = {self.washout + 10} training steps "
                f"before the validation part; X has {n_steps} steps of which {n_val} are "
                "held out for validation. Pass a longer series or lower 'washout'/"
                "'validation_fraction'.")
        if self.selection == "forecast" and n_val < self.validation_horizon + 1:
            raise ValueError(
                f"The validation part of X ({n_val} of {n_steps} steps) is shorter than "
                f"validation_horizon + 1 = {self.validation_horizon + 1}. Pass a longer "
                "series, a larger 'validation_fraction' or a shorter 'validation_horizon'.")
        return n_val

    def _validation_starts(self, n_steps, n_val):
        if self.selection != "forecast":
            return ()
        return validation_starts(n_steps, n_val, self.validation_horizon,
                                 self.validation_starts)

    def _next_values(self, features, z):
        step = np.reshape(self.readout_.predict(features), z.shape)
        return z + step if self.target == "delta" else step

    def _standardised(self, X, name, min_steps=2):
        series = _as_series(X, name, min_steps)
        if series.shape[1] != self.n_dims_:
            raise ValueError(f"'{name}' has {series.shape[1]} variables, but "
                             f"{type(self).__name__} was fitted with {self.n_dims_}.")
        return (series - self.mean_) / self.scale_

    def _unstandardised(self, z):
        return z * self.scale_ + self.mean_

    def _check_params(self):
        owner = type(self).__name__
        _check_reservoir(owner, self.reservoir)
        if self.reservoir is not None and self.reservoir.encoding == "spikes":
            raise ValueError(f"{owner} feeds predictions back as inputs, so its reservoir "
                             "needs encoding='current' or 'poisson', not 'spikes'.")
        _check_features(owner, self.features)
        check_choice(owner, "target", self.target, TARGETS)
        check_choice(owner, "selection", self.selection, SELECTIONS)
        check_number(owner, "washout", self.washout, "int", 0)
        check_number(owner, "validation_fraction", self.validation_fraction, "float", 0.0,
                     1.0, low_open=True)
        check_number(owner, "validation_starts", self.validation_starts, "int", 1)
        check_number(owner, "validation_horizon", self.validation_horizon, "int", 1)
        check_number(owner, "validation_threshold", self.validation_threshold, "float", 0.0,
                     low_open=True)
        _check_alphas(owner, self.alphas)


def _as_series(X, name, min_steps=2):
    """Finite float64 array of shape (n_steps, n_dims) with at least ``min_steps`` rows."""
    series = check_array(X, ensure_2d=False, dtype=np.float64, input_name=name,
                         ensure_min_samples=0)
    if series.ndim == 1:
        series = series[:, None]
    if series.ndim != 2 or series.shape[0] < min_steps:
        raise ValueError(f"'{name}' must be a series of shape (n_steps, n_dims) or "
                         f"(n_steps,) with at least {min_steps} step"
                         f"{'s' if min_steps > 1 else ''}; got shape {series.shape}.")
    return series


@contextmanager
def _state_kept(reservoir):
    """Run the body, then put ``reservoir`` back in the state it had before."""
    state = reservoir.get_state()
    try:
        yield reservoir
    finally:
        reservoir.set_state(state)


def _standardisation(series, standardize):
    if not standardize:
        return np.zeros(series.shape[1]), np.ones(series.shape[1])
    scale = series.std(axis=0)
    return series.mean(axis=0), np.where(scale > 0, scale, 1.0)




READOUTS = ("ridge", "mlp")
REGRESSOR_SELECTIONS = ("cv", "validation")
#: Hidden layers of the paper's MLP readout (Section V: 2 layers of 20 units).
MLP_HIDDEN_LAYERS = (20, 20)
_MLP_MAX_ITER = 1000


class SequenceRegressor(RegressorMixin, BaseEstimator):
    """Map an input sequence to an output sequence with a spiking reservoir.

    For tasks where the input is given at every step (NARMA, delay recall):
    ``fit(u, y)`` runs STDP on ``u`` (unsupervised), drives the frozen
    reservoir with ``u`` from its reset state, and trains a readout from the
    state after each input step ``u[t]`` to ``y[t]``. Autonomous series
    (inputs that are the previous outputs) are :class:`Forecaster`'s job.

    Features per input step are named by ``features``; they are
    standardised (``StandardScaler``, training statistics) before the
    readout, and the first ``washout`` steps of every run are not used for
    training. The readout is a ridge regression whose ``alpha`` is chosen
    among ``alphas`` and then refitted on all training rows, or the paper's
    MLP on the most central neurons (``readout="mlp"``).

    There is no hidden state between calls: ``predict`` starts every run
    from the reservoir's reset state and restores ``reservoir_``'s state.
    ``score`` is scikit-learn's R^2 over all steps and outputs; for the
    normalised RMSE usual in reservoir computing use
    :func:`hrsnn.metrics.nrmse`, e.g. ``nrmse(y[w:], model.predict(u)[w:])``
    to leave out the first ``w`` transient steps.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir (cloned; yours is left untouched). None means
        :func:`forecasting_reservoir` with ``random_state`` (1,000 neurons,
        signed input weights ``U(-3, 3)``, ``w_scale=0.02``, 5 steps of 1 ms
        per input).
    features : tuple of {"states", "v", "input", "currents", "adaptation"}, default=("states", "v")
        Features per input step (:data:`STEP_FEATURES`, shared with
        :class:`Forecaster`): filtered spike trains, membrane potentials,
        synaptic currents and adaptation variables (at the end of the step,
        one column per neuron and variable) and the (standardised) input itself.
    washout : int, default=50
        Initial steps of every run left out of training (the reservoir
        starts from rest).
    alphas : sequence of float, default=RIDGE_ALPHAS
        Candidate ridge penalties (:data:`hrsnn.metrics.RIDGE_ALPHAS`, the
        library's one grid).
    selection : {"validation", "cv"}, default="validation"
        How ``alpha_`` is chosen: the lowest mean squared error on the last
        ``validation_fraction`` of the training rows (in the order given, so
        with several runs the tail of the later ones) of a readout trained on
        the rows before them, or scikit-learn's efficient leave-one-out CV
        (``RidgeCV``) on all training rows. Either way the final readout is
        refitted on all training rows. Leave-one-out is optimistic on
        time series (neighbouring rows are nearly equal), so it tends to pick
        tiny penalties, and standardised features of neurons that fired
        rarely in training then blow up on new data (NARMA-10, 200 neurons:
        test NRMSE 137 against 0.67 with ``"validation"``).
    validation_fraction : float, default=0.25
        Held-out share of the training rows for ``selection="validation"``.
    readout : {"ridge", "mlp"}, default="ridge"
        ``"mlp"`` is the paper's readout: an ``MLPRegressor`` with
        ``hidden_layer_sizes`` on the neuron features of the
        ``central_fraction`` of neurons with the highest betweenness
        centrality (:func:`central_neurons`; the input feature, if named,
        is kept whole), targets standardised. ``alphas``, ``selection`` and
        ``validation_fraction`` are not used then.
    central_fraction : float, default=0.1
        Share of the neurons the MLP reads (``readout="mlp"``).
    hidden_layer_sizes : tuple of int, default=(20, 20)
        Hidden layers of the MLP.
    betweenness_k : int or None, default=None
        Sample ``k`` source neurons to estimate betweenness (faster on
        large networks); None computes it exactly.
    standardize : bool, default=True
        Feed the reservoir the inputs scaled to zero mean and unit variance
        per channel (training statistics), the scale the default
        reservoir's input weights are made for. Needs an ``encoding`` other
        than ``"spikes"``; pass False to feed spike counts as they are.
    random_state : int or None, default=None
        Seed of the default reservoir (and of one given without its own).
        The MLP and the betweenness sampling are seeded from the
        reservoir's ``seed_``.

    Attributes
    ----------
    reservoir_ : Reservoir
        The fitted reservoir (STDP on the training input).
    readout_ : sklearn Pipeline or TransformedTargetRegressor
        ``StandardScaler`` + ``Ridge(alpha_)``, or the scaled MLP.
    alpha_ : float or None
        Chosen ridge penalty (None with ``readout="mlp"``).
    validation_scores_ : dict or None
        ``alpha -> validation mean squared error`` (``selection="validation"``).
    central_neurons_ : ndarray of int64 or None
        Neurons the MLP reads, most central first (``readout="mlp"``).
    mean_, scale_ : ndarray of shape (n_inputs,)
        Input standardisation.
    n_inputs_, n_outputs_ : int
    n_features_in_ : int
        Input channels (scikit-learn's name for ``n_inputs_``).

    Examples
    --------
    >>> from data_loaders import narma
    >>> from hrsnn import forecasting_reservoir
    >>> from hrsnn.readout import SequenceRegressor
    >>> u, y = narma(400, random_state=0)
    >>> model = SequenceRegressor(forecasting_reservoir(100, random_state=0), washout=20)
    >>> model.fit(u[:300], y[1:301]).predict(u[300:399]).shape   # y(t+1) from u up to t
    (99, 1)
    """

    def __init__(self, reservoir=None, *, features=("states", "v"), washout=50,
                 alphas=RIDGE_ALPHAS, selection="validation", validation_fraction=0.25,
                 readout="ridge", central_fraction=0.1,
                 hidden_layer_sizes=MLP_HIDDEN_LAYERS, betweenness_k=None,
                 standardize=True, random_state=None):
        self.reservoir = reservoir
        self.features = features
        self.washout = washout
        self.alphas = alphas
        self.selection = selection
        self.validation_fraction = validation_fraction
        self.readout = readout
        self.central_fraction = central_fraction
        self.hidden_layer_sizes = hidden_layer_sizes
        self.betweenness_k = betweenness_k
        self.standardize = standardize
        self.random_state = random_state

    # ------------------------------------------------------------------ public
    def fit(self, u, y):
        """Run STDP on ``u``, then train the readout from the states to ``y``.

        Parameters
        ----------
        u : array_like of shape (n_steps, n_inputs) or (n_steps,), or a list of them
            Input sequence; a list means several independent runs, each
            started from the reset state (lengths may differ; STDP then runs
            once over their concatenation, otherwise over each run from the
            reset state as :meth:`Reservoir.fit` does).
        y : array_like of shape (n_steps, n_outputs) or (n_steps,), or a list of them
            Targets, one row per input step (a list when ``u`` is one).

        Returns
        -------
        self : SequenceRegressor
        """
        owner = type(self).__name__
        self._check_params()
        runs_u = _as_runs(u, "u", owner)
        runs_y = _as_runs(y, "y", owner, like=runs_u)
        rows = self._check_lengths(runs_u)
        mean, scale = _standardisation(np.concatenate(runs_u), self.standardize)
        z = [(run - mean) / scale for run in runs_u]
        reservoir = _new_reservoir(self.reservoir, self.random_state).fit(_stdp_input(z))
        features = np.concatenate([self._run_features(reservoir, run)[self.washout:]
                                   for run in z])
        targets = np.concatenate([run[self.washout:] for run in runs_y])
        targets = targets[:, 0] if targets.shape[1] == 1 else targets
        if self.readout == "mlp":
            central = self._central(reservoir)
            columns = _neuron_columns(self.features, reservoir.network_.n_neurons,
                                      len(mean), central)
            readout, alpha, scores = self._mlp(reservoir).fit(features[:, columns],
                                                             targets), None, None
        else:
            central = None
            readout, alpha, scores = self._fit_ridge(features, targets, rows)
        self.reservoir_, self.readout_, self.alpha_ = reservoir, readout, alpha
        self.validation_scores_, self.central_neurons_ = scores, central
        self.mean_, self.scale_ = mean, scale
        self.n_inputs_ = self.n_features_in_ = len(mean)
        self.n_outputs_ = runs_y[0].shape[1]
        self._y_1d = all(np.ndim(run) == 1 for run in (y if _is_runs(y) else [y]))
        return self

    def predict(self, u):
        """Outputs for an input sequence (or a list of runs), each from the reset state.

        Parameters
        ----------
        u : array_like of shape (n_steps, n_inputs) or (n_steps,), or a list of them

        Returns
        -------
        ndarray of shape (n_steps, n_outputs), or (n_steps,) if ``y`` was 1-D
            Row ``t`` is the output after input step ``u[t]`` (a single
            output is (n_steps, 1) when ``fit`` got a 2-D ``y``). A list of
            runs gives a list of such arrays.
        """
        check_is_fitted(self, "readout_")
        runs = _as_runs(u, "u", type(self).__name__, n_columns=self.n_inputs_, min_steps=1)
        out = [self._predict_run(run) for run in runs]
        return out if _is_runs(u) else out[0]

    def score(self, u, y, sample_weight=None):
        """R^2 of ``predict(u)`` over all steps (and runs), averaged over outputs.

        Parameters
        ----------
        u : array_like or list of them
            As for :meth:`predict`.
        y : array_like or list of them
            True outputs, shaped as in :meth:`fit`.
        sample_weight : array_like of shape (n_steps_total,), optional

        Returns
        -------
        float
        """
        check_is_fitted(self, "readout_")
        owner = type(self).__name__
        runs_u = _as_runs(u, "u", owner, n_columns=self.n_inputs_, min_steps=1)
        runs_y = _as_runs(y, "y", owner, like=runs_u, n_columns=self.n_outputs_, min_steps=1)
        pred = np.concatenate([np.reshape(self._predict_run(run), (len(run), -1))
                               for run in runs_u])
        return float(r2_score(np.concatenate(runs_y), pred, sample_weight=sample_weight))

    # ------------------------------------------------------------- helpers
    def _run_features(self, reservoir, z):
        """Features after every input row of one run started from the reset state."""
        result = reservoir.run(z, reset=True, record_spikes=False,
                               **_recording(self.features))
        return _step_features(result, z, self.features)

    def _predict_run(self, run):
        with _state_kept(self.reservoir_):
            features = self._run_features(self.reservoir_, (run - self.mean_) / self.scale_)
        if self.central_neurons_ is not None:
            features = features[:, _neuron_columns(self.features,
                                                   self.reservoir_.network_.n_neurons,
                                                   self.n_inputs_, self.central_neurons_)]
        pred = np.reshape(self.readout_.predict(features), (len(run), self.n_outputs_))
        return pred[:, 0] if self._y_1d else pred

    def _fit_ridge(self, features, targets, n_rows):
        alphas = np.asarray(self.alphas, dtype=float).ravel()
        scores = None
        if self.selection == "cv":
            cv = make_pipeline(StandardScaler(), RidgeCV(alphas=alphas))
            alpha = float(cv.fit(features, targets)[-1].alpha_)
        else:
            n_fit = n_rows - _validation_rows(n_rows, self.validation_fraction)
            scores = {float(a): _tail_error(a, features, targets, n_fit) for a in alphas}
            alpha = min(scores, key=scores.get)
        return _scaled_ridge(alpha).fit(features, targets), alpha, scores

    def _mlp(self, reservoir):
        seed = int(np.random.SeedSequence(reservoir.seed_).spawn(2)[0].generate_state(1)[0])
        mlp = MLPRegressor(hidden_layer_sizes=tuple(self.hidden_layer_sizes),
                           max_iter=_MLP_MAX_ITER, random_state=seed)
        return TransformedTargetRegressor(make_pipeline(StandardScaler(), mlp),
                                          transformer=StandardScaler())

    def _central(self, reservoir):
        seed = int(np.random.SeedSequence(reservoir.seed_).spawn(2)[1].generate_state(1)[0])
        return central_neurons(reservoir.network_, self.central_fraction,
                               k=self.betweenness_k, random_state=seed)

    def _check_lengths(self, runs):
        """Training rows after the washout; raises unless every run outlasts it."""
        owner = type(self).__name__
        shortest = min(len(run) for run in runs)
        if shortest <= self.washout:
            raise ValueError(f"Every run of 'u' must be longer than washout={self.washout} "
                             f"steps for {owner}; the shortest has {shortest}. Pass longer "
                             "runs or a smaller 'washout'.")
        n_rows = sum(len(run) for run in runs) - self.washout * len(runs)
        if n_rows < 10:
            raise ValueError(f"{owner} needs at least 10 training steps after the washout; "
                             f"'u' gives {n_rows}. Pass longer runs or a smaller 'washout'.")
        if self.readout == "ridge" and self.selection == "validation":
            n_val = _validation_rows(n_rows, self.validation_fraction)
            if n_val < 1 or n_rows - n_val < 2:
                raise ValueError(
                    f"validation_fraction={self.validation_fraction} of {n_rows} training "
                    f"rows leaves {n_val} for validation and {n_rows - n_val} for training "
                    f"in {owner}; both need rows (at least 1 and 2). Pick a "
                    "'validation_fraction' nearer 0.25 or pass longer runs.")
        return n_rows

    def _check_params(self):
        owner = type(self).__name__
        _check_reservoir(owner, self.reservoir)
        if (self.standardize and self.reservoir is not None
                and self.reservoir.encoding == "spikes"):
            raise ValueError(f"{owner} with standardize=True feeds standardised values, "
                             "which are not spike counts: use a reservoir with "
                             "encoding='current' or 'poisson', or standardize=False.")
        _check_features(owner, self.features)
        check_number(owner, "washout", self.washout, "int", 0)
        _check_alphas(owner, self.alphas)
        check_choice(owner, "selection", self.selection, REGRESSOR_SELECTIONS)
        check_number(owner, "validation_fraction", self.validation_fraction, "float", 0.0,
                     1.0, low_open=True)
        check_choice(owner, "readout", self.readout, READOUTS)
        check_number(owner, "central_fraction", self.central_fraction, "float", 0.0, 1.0,
                     low_open=True)
        _check_layers(owner, self.hidden_layer_sizes)
        check_number(owner, "betweenness_k", self.betweenness_k, "int", 1, allow_none=True)
        check_number(owner, "standardize", self.standardize, "bool")


def _is_runs(value):
    return isinstance(value, (list, tuple))


def _as_runs(value, name, owner, like=None, n_columns=None, min_steps=2):
    """List of float64 arrays of shape (n_steps, n_columns): one run, or each of a list.

    ``like`` (runs of ``u``) fixes the number of runs and their lengths;
    ``n_columns`` the width. All runs must have the same width.
    """
    if not _is_runs(value) and np.ndim(value) == 3:
        raise ValueError(f"'{name}' of {owner} is a 3-D array; pass several runs as a list "
                         "of 2-D arrays (n_steps, n_columns).")
    runs = ([_as_series(run, f"{name}[{i}]", min_steps) for i, run in enumerate(value)]
            if _is_runs(value) else [_as_series(value, name, min_steps)])
    if len(runs) == 0:
        raise ValueError(f"'{name}' of {owner} is an empty list; pass at least one run.")
    if like is not None and [len(r) for r in runs] != [len(r) for r in like]:
        raise ValueError(f"'{name}' of {owner} must have one row per input step: runs of "
                         f"{[len(r) for r in like]} steps in 'u', got {[len(r) for r in runs]}"
                         f" in '{name}'. Give '{name}' as 'u' is given (array or list).")
    widths = {run.shape[1] for run in runs}
    expected = {runs[0].shape[1]} if n_columns is None else {n_columns}
    if widths != expected:
        raise ValueError(f"Every run of '{name}' of {owner} must have {sorted(expected)[0]} "
                         f"column(s); got {sorted(widths)}.")
    return runs


def _stdp_input(z):
    """Training sequences for Reservoir.fit: the runs stacked, or concatenated if ragged."""
    if len({len(run) for run in z}) == 1:
        return np.stack(z)
    return np.concatenate(z)[None]


def _neuron_columns(features, n_neurons, n_inputs, neurons):
    """Feature columns of the given neurons in every per-neuron block; input columns all."""
    columns, offset = [], 0
    for name in _feature_names(features):
        if name == "input":
            columns.append(offset + np.arange(n_inputs))
            offset += n_inputs
        else:
            columns.append(offset + np.asarray(neurons))
            offset += n_neurons
    return np.concatenate(columns)


def _validation_rows(n_rows, fraction):
    return int(round(fraction * n_rows))


def _scaled_ridge(alpha):
    return make_pipeline(StandardScaler(), Ridge(alpha=alpha))


def _tail_error(alpha, features, targets, n_fit):
    """Mean squared error on rows ``n_fit:`` of a scaled ridge fitted on rows ``:n_fit``."""
    readout = _scaled_ridge(alpha).fit(features[:n_fit], targets[:n_fit])
    return float(np.mean((readout.predict(features[n_fit:]) - targets[n_fit:]) ** 2))


def _check_layers(owner, sizes):
    ok = (isinstance(sizes, (tuple, list)) and len(sizes) > 0
          and all(isinstance(s, numbers.Integral) and not isinstance(s, bool) and s >= 1
                  for s in sizes))
    if not ok:
        raise ValueError(f"The 'hidden_layer_sizes' parameter of {owner} must be a non-empty "
                         f"tuple of positive integers, e.g. (20, 20). Got {sizes!r} instead.")


# --------------------------------------------------- the paper's MLP readout
def central_neurons(network, fraction=0.1, *, k=None, random_state=None):
    """The neurons with the highest betweenness centrality, most central first.

    Betweenness (:func:`networkx.betweenness_centrality`) on the directed
    graph of recurrent synapses, with the length of a synapse ``1 / |w|``:
    a strong synapse, excitatory or inhibitory, is a short path. Synapses
    of weight 0 are left out.

    Parameters
    ----------
    network : Network or networkx.DiGraph
        A network (``reservoir.network_``; read through
        :meth:`Network.to_networkx`) or a graph with edge attribute
        ``weight`` (1 where missing).
    fraction : float, default=0.1
        Share of the nodes to return: ``max(1, round(fraction * n_nodes))``.
    k : int or None, default=None
        Estimate betweenness from ``k`` sampled source nodes (for large
        networks); None computes it exactly from all of them.
    random_state : int or None, default=None
        Seed of the sampling with ``k``.

    Returns
    -------
    ndarray of shape (n_selected,)
        Node labels (neuron indices for a Network) by decreasing
        betweenness; ties go to the node listed first.
    """
    import networkx as nx

    owner = "central_neurons()"
    check_number(owner, "fraction", fraction, "float", 0.0, 1.0, low_open=True)
    graph = network.to_networkx() if hasattr(network, "to_networkx") else network
    if not isinstance(graph, nx.Graph):
        raise TypeError(f"The 'network' argument of {owner} must be an hrsnn Network or a "
                        f"networkx graph. Got {type(network).__name__} instead.")
    n_nodes = graph.number_of_nodes()
    check_number(owner, "k", k, "int", 1, max(n_nodes, 1), allow_none=True)
    if n_nodes == 0:
        raise ValueError(f"The 'network' argument of {owner} has no nodes.")
    distances = _distance_graph(graph)
    centrality = nx.betweenness_centrality(distances, k=k, weight="distance",
                                           seed=random_state)
    nodes = list(graph.nodes)
    order = np.argsort([-centrality[node] for node in nodes], kind="stable")
    n_selected = max(1, int(round(fraction * n_nodes)))
    return np.array([nodes[i] for i in order[:n_selected]])


def _distance_graph(graph):
    """A copy of ``graph`` whose edges carry ``distance = 1 / |weight|`` (weight 0 dropped)."""
    out = graph.__class__()
    out.add_nodes_from(graph.nodes)
    out.add_edges_from((a, b, {"distance": 1.0 / abs(float(data.get("weight", 1.0)))})
                       for a, b, data in graph.edges(data=True)
                       if float(data.get("weight", 1.0)) != 0.0)
    return out


class CentralNeuronSelector(TransformerMixin, BaseEstimator):
    """A reservoir whose features are kept only for its most central neurons.

    ``fit`` fits a clone of ``reservoir`` on ``X`` (STDP) and picks the
    ``fraction`` of its neurons with the highest betweenness centrality in
    ``reservoir_.network_`` (:func:`central_neurons`); ``transform`` returns
    the reservoir's features (spike counts, final or mean filtered state,
    as ``reservoir.features`` says) of those neurons only. It stands in a
    pipeline where the reservoir would::

        make_pipeline(CentralNeuronSelector(Reservoir(...)), StandardScaler(),
                      MLPClassifier((20, 20)))

    which is what :func:`central_neuron_classifier` builds.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir (cloned). None means ``Reservoir()``.
    fraction : float, default=0.1
        Share of the neurons kept.
    k : int or None, default=None
        Sampled sources for the betweenness estimate (None: exact).
    random_state : int or None, default=None
        Seed of a reservoir without its own; the betweenness sampling is
        seeded from the reservoir's ``seed_``.

    Attributes
    ----------
    reservoir_ : Reservoir
        The fitted reservoir.
    central_neurons_ : ndarray of int64, shape (n_selected,)
        Neuron indices, most central first (the order of the columns out).
    """

    def __init__(self, reservoir=None, *, fraction=0.1, k=None, random_state=None):
        self.reservoir = reservoir
        self.fraction = fraction
        self.k = k
        self.random_state = random_state

    def fit(self, X, y=None):
        """Fit the reservoir on ``X`` (shape (n_samples, n_steps, n_inputs)) and select."""
        owner = type(self).__name__
        _check_reservoir(owner, self.reservoir)
        check_number(owner, "fraction", self.fraction, "float", 0.0, 1.0, low_open=True)
        check_number(owner, "k", self.k, "int", 1, allow_none=True)
        given = Reservoir() if self.reservoir is None else self.reservoir
        reservoir = _new_reservoir(given, self.random_state).fit(X)
        seed = int(np.random.SeedSequence(reservoir.seed_).generate_state(1)[0])
        self.central_neurons_ = central_neurons(reservoir.network_, self.fraction,
                                                k=self.k, random_state=seed)
        self.reservoir_ = reservoir
        return self

    def transform(self, X):
        """Features of the central neurons, shape (n_samples, n_selected)."""
        check_is_fitted(self, "central_neurons_")
        return self.reservoir_.transform(X)[:, self.central_neurons_]


def central_neuron_classifier(reservoir=None, *, fraction=0.1,
                              hidden_layer_sizes=MLP_HIDDEN_LAYERS, k=None,
                              random_state=None):
    """The paper's classification readout: an MLP on the most central neurons.

    ``make_pipeline(CentralNeuronSelector(reservoir, fraction), StandardScaler(),
    MLPClassifier(hidden_layer_sizes))``.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir; None means ``Reservoir(random_state=random_state)``.
    fraction : float, default=0.1
        Share of the neurons the MLP reads.
    hidden_layer_sizes : tuple of int, default=(20, 20)
    k : int or None, default=None
        Sampled sources for the betweenness estimate (None: exact).
    random_state : int or None, default=None
        Seed of the reservoir (if it has none) and of the MLP.

    Returns
    -------
    sklearn.pipeline.Pipeline
        Unfitted; ``fit(X, y)`` with ``X`` of shape (n_samples, n_steps, n_inputs).
    """
    _check_layers("central_neuron_classifier()", hidden_layer_sizes)
    mlp = MLPClassifier(hidden_layer_sizes=tuple(hidden_layer_sizes),
                        max_iter=_MLP_MAX_ITER, random_state=random_state)
    return make_pipeline(CentralNeuronSelector(reservoir, fraction=fraction, k=k,
                                               random_state=random_state),
                         StandardScaler(), mlp)


# ------------------------------------------------- shared by the readouts
def _feature_names(features):
    return (features,) if isinstance(features, str) else tuple(features)


def _step_features(result, z, features):
    """Features per input step, shape (n_steps, n_features), in the order named.

    ``states``: filtered spike trains; ``v``: membrane potentials; ``input``:
    the (standardised) input; ``currents``: excitatory then inhibitory
    synaptic currents; ``adaptation``: the adaptation variables.
    """
    parts = {"states": lambda: result.states, "v": lambda: result.v, "input": lambda: z,
             "currents": lambda: np.hstack([result.ge, result.gi]),
             "adaptation": lambda: result.a}
    return np.hstack([parts[name]() for name in _feature_names(features)])


def _recording(features):
    """The ``Reservoir.run`` recording flags that ``features`` need."""
    names = _feature_names(features)
    return {"record_v": "v" in names,
            "record_currents": "currents" in names or "adaptation" in names}


def _new_reservoir(reservoir, random_state):
    """A clone of ``reservoir`` (seeded by ``random_state`` if it has no seed of its own),
    or :func:`forecasting_reservoir` when it is None."""
    if reservoir is None:
        return forecasting_reservoir(random_state=random_state)
    reservoir = clone(reservoir)
    if reservoir.random_state is None and random_state is not None:
        reservoir.set_params(random_state=random_state)
    return reservoir


def _check_reservoir(owner, reservoir):
    if reservoir is not None and not isinstance(reservoir, Reservoir):
        raise TypeError(f"The 'reservoir' parameter of {owner} must be a hrsnn "
                        f"Reservoir or None. Got {type(reservoir).__name__} instead.")


def _check_features(owner, features):
    names = _feature_names(features)
    if len(names) == 0:
        raise ValueError(f"The 'features' parameter of {owner} must name at least one "
                         f"of {STEP_FEATURES}.")
    for name in names:
        check_choice(owner, "features", name, STEP_FEATURES)


def _check_alphas(owner, alphas_given):
    alphas = np.asarray(alphas_given, dtype=float).ravel()
    if alphas.size == 0 or not np.all(np.isfinite(alphas) & (alphas > 0)):
        raise ValueError(f"The 'alphas' parameter of {owner} must be a non-empty "
                         f"sequence of positive numbers. Got {alphas_given!r} instead.")


class AutoregressiveRidge(BaseEstimator):
    """Linear autoregressive baseline: ridge on the last ``lags`` values.

    Same interface as :class:`Forecaster` (``fit``, ``predict``,
    ``forecast``), so the two can be compared on equal terms.

    Parameters
    ----------
    lags : int, default=5
        Past values per prediction (``x(t), ..., x(t - lags + 1)``).
    alphas : sequence of float, default=RIDGE_ALPHAS
        Candidate regularisations, chosen by leave-one-out CV (``RidgeCV``);
        default :data:`hrsnn.metrics.RIDGE_ALPHAS`.
    target : {"delta", "next"}, default="delta"
        Learn the increment or the next value.

    Attributes
    ----------
    readout_ : sklearn.linear_model.RidgeCV
    n_dims_ : int
    """

    def __init__(self, lags=5, *, alphas=RIDGE_ALPHAS, target="delta"):
        self.lags = lags
        self.alphas = alphas
        self.target = target

    def fit(self, X, y=None):
        """Fit on one series of shape (n_steps, n_dims) or (n_steps,)."""
        check_number(type(self).__name__, "lags", self.lags, "int", 1)
        check_choice(type(self).__name__, "target", self.target, TARGETS)
        series = _as_series(X, "X")
        if len(series) < self.lags + 2:
            raise ValueError(f"X has {len(series)} steps; AutoregressiveRidge with "
                             f"lags={self.lags} needs at least {self.lags + 2}.")
        lagged = self._lagged(series)[self.lags - 1:-1]
        following = series[self.lags:]
        target = following - series[self.lags - 1:-1] if self.target == "delta" else following
        self.readout_ = RidgeCV(alphas=np.asarray(self.alphas, dtype=float)).fit(lagged, target)
        self.n_dims_ = series.shape[1]
        return self

    def predict(self, X):
        """One-step-ahead predictions; depends on ``X`` only.

        Parameters
        ----------
        X : array_like of shape (n_steps, n_dims) or (n_steps,)

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
            Row ``t`` predicts ``X[t + 1]`` (missing early lags repeat ``X[0]``).
        """
        series = self._checked(X, "X", 2)
        return self._next(self._lagged(series), series)

    def forecast(self, n_steps, warmup):
        """Closed-loop forecast of the ``n_steps`` steps after ``warmup``.

        Parameters
        ----------
        n_steps : int
        warmup : array_like of shape (n_warmup, n_dims) or (n_warmup,)
            True values right before the forecast (at least one step; missing
            early lags repeat ``warmup[0]``). Nothing else is used.

        Returns
        -------
        ndarray of shape (n_steps, n_dims)
        """
        check_number(type(self).__name__, "n_steps", n_steps, "int", 1)
        series = self._checked(warmup, "warmup", 1)
        history = list(np.vstack([np.repeat(series[:1], self.lags, axis=0), series])
                       [-self.lags:])
        out = np.empty((n_steps, self.n_dims_))
        for k in range(n_steps):
            row = np.concatenate(history[::-1][:self.lags])[None]
            out[k] = self._next(row, history[-1][None])[0]
            history.append(out[k])
        return out

    def _checked(self, X, name, min_steps):
        check_is_fitted(self, "readout_")
        series = _as_series(X, name, min_steps)
        if series.shape[1] != self.n_dims_:
            raise ValueError(f"'{name}' has {series.shape[1]} variables, but "
                             f"{type(self).__name__} was fitted with {self.n_dims_}.")
        return series

    def _next(self, lagged, current):
        """Next values from lag rows ``lagged`` whose latest values are ``current``."""
        step = np.reshape(self.readout_.predict(lagged), current.shape)
        return current + step if self.target == "delta" else step

    def _lagged(self, series):
        """Row ``t``: ``[x(t), x(t-1), ..., x(t-lags+1)]``, early rows padded with ``x(0)``."""
        padded = np.vstack([np.repeat(series[:1], self.lags - 1, axis=0), series])
        n = len(series)
        return np.hstack([padded[self.lags - 1 - k:self.lags - 1 - k + n]
                          for k in range(self.lags)])


__all__ = ["AutoregressiveRidge", "CentralNeuronSelector", "FORECAST_ALPHAS",
           "FORECAST_FEATURES", "Forecaster", "MLP_HIDDEN_LAYERS", "STEP_FEATURES",
           "SequenceRegressor", "central_neuron_classifier", "central_neurons",
           "forecasting_reservoir"]
