"""Input sequence to output sequence: NARMA, delay recall."""


import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.compose import TransformedTargetRegressor
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.metrics import r2_score
from sklearn.neural_network import MLPRegressor
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.validation import check_is_fitted

from .._validation import check_choice, check_number, check_seed
from ..metrics import RIDGE_ALPHAS
from ._common import (
    _MLP_MAX_ITER,
    BoundedScaler,
    MLP_HIDDEN_LAYERS,
    _as_series,
    _check_alphas,
    _check_drive,
    _check_features,
    _check_layers,
    _check_reservoir,
    _feature_names,
    _neuron_blocks,
    _new_reservoir,
    _recording,
    _standardisation,
    _state_kept,
    _step_features,
)
from .central import central_neurons

READOUTS = ("ridge", "mlp")
REGRESSOR_SELECTIONS = ("cv", "validation")


class SequenceRegressor(RegressorMixin, BaseEstimator):
    """Map an input sequence to an output sequence with a spiking reservoir.

    For tasks where the input is given at every step (NARMA, delay recall):
    ``fit(u, y)`` runs STDP on ``u`` (unsupervised), drives the frozen
    reservoir with ``u`` from its reset state, and trains a readout from the
    state after each input step ``u[t]`` to ``y[t]``. Autonomous series
    (inputs that are the previous outputs) are :class:`Forecaster`'s job.

    Features per input step are named by ``features``; they are
    standardised (:class:`BoundedScaler`: training statistics, each feature
    first clipped to its training range) before the
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
        ``Reservoir(random_state=random_state)`` (the defaults: 1,000
        neurons, signed input weights ``U(-3, 3)``, 5 steps of 1 ms per
        input).
    features : tuple of {"states", "v", "input", "currents", "adaptation", "traces"}, default=("states", "v")
        Features per input step (:data:`STEP_FEATURES`, shared with
        :class:`Forecaster`): filtered spike trains (``tau_readout``),
        membrane potentials, synaptic currents, adaptation variables and
        filtered spike trains at every time constant of the reservoir's
        ``trace_taus`` (at the end of the step, one column per neuron and
        variable or time constant) and the (standardised) input itself.
    washout : int, default=50
        Initial steps of every run left out of training (the reservoir
        starts from rest).
    alphas : float or sequence of float, default=RIDGE_ALPHAS
        Candidate ridge penalties (:data:`hrsnn.metrics.RIDGE_ALPHAS`, the
        library's one grid); one number is one candidate.
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
        ``BoundedScaler`` + ``Ridge(alpha_)``, or the scaled MLP.
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
    >>> from hrsnn import Reservoir
    >>> from hrsnn.readout import SequenceRegressor
    >>> u, y = narma(400, random_state=0)
    >>> model = SequenceRegressor(Reservoir(100, random_state=0), washout=20)
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
            columns = _neuron_columns(self.features, reservoir, len(mean), central)
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
        owner = type(self).__name__
        runs = self._checked_runs(u, owner)
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
        runs_u = self._checked_runs(u, owner)
        runs_y = _as_runs(y, "y", owner, like=runs_u, n_columns=self.n_outputs_, min_steps=1)
        pred = np.concatenate([np.reshape(self._predict_run(run), (len(run), -1))
                               for run in runs_u])
        return float(r2_score(np.concatenate(runs_y), pred, sample_weight=sample_weight))

    # ------------------------------------------------------------- helpers
    def _checked_runs(self, u, owner):
        """The runs of ``u`` for predict/score, each one the reservoir takes standardised."""
        runs = _as_runs(u, "u", owner, n_columns=self.n_inputs_, min_steps=1)
        for i, run in enumerate(runs):
            _check_drive(self.reservoir_, (run - self.mean_) / self.scale_,
                         f"u[{i}]" if _is_runs(u) else "u", owner)
        return runs

    def _run_features(self, reservoir, z):
        """Features after every input row of one run started from the reset state."""
        result = reservoir.run(z, reset=True, record_spikes=False,
                               **_recording(self.features))
        return _step_features(result, z, self.features)

    def _predict_run(self, run):
        with _state_kept(self.reservoir_):
            features = self._run_features(self.reservoir_, (run - self.mean_) / self.scale_)
        if self.central_neurons_ is not None:
            features = features[:, _neuron_columns(self.features, self.reservoir_,
                                                   self.n_inputs_, self.central_neurons_)]
        pred = np.reshape(self.readout_.predict(features), (len(run), self.n_outputs_))
        return pred[:, 0] if self._y_1d else pred

    def _fit_ridge(self, features, targets, n_rows):
        alphas = _check_alphas(type(self).__name__, self.alphas)
        scores = None
        if self.selection == "cv":
            cv = make_pipeline(BoundedScaler(), RidgeCV(alphas=alphas))
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
        return TransformedTargetRegressor(make_pipeline(BoundedScaler(), mlp),
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
        check_seed(owner, self.random_state)


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
    runs = ([_as_series(run, f"{name}[{i}]", min_steps, owner) for i, run in enumerate(value)]
            if _is_runs(value) else [_as_series(value, name, min_steps, owner)])
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


def _neuron_columns(features, reservoir, n_inputs, neurons):
    """Feature columns of the given neurons in every per-neuron block; input columns all.

    A feature has one block of ``n_neurons`` columns per variable (two for
    ``currents``, one per time constant for ``traces``).
    """
    n_neurons = reservoir.network_.n_neurons
    columns, offset = [], 0
    for name in _feature_names(features):
        if name == "input":
            columns.append(offset + np.arange(n_inputs))
            offset += n_inputs
        for _ in range(_neuron_blocks(name, reservoir)):
            columns.append(offset + np.asarray(neurons))
            offset += n_neurons
    return np.concatenate(columns)


def _validation_rows(n_rows, fraction):
    return int(round(fraction * n_rows))


def _scaled_ridge(alpha):
    return make_pipeline(BoundedScaler(), Ridge(alpha=alpha))


def _tail_error(alpha, features, targets, n_fit):
    """Mean squared error on rows ``n_fit:`` of a scaled ridge fitted on rows ``:n_fit``."""
    readout = _scaled_ridge(alpha).fit(features[:n_fit], targets[:n_fit])
    return float(np.mean((readout.predict(features[n_fit:]) - targets[n_fit:]) ** 2))


