"""Forecasting an autonomous time series: teacher forcing, then closed loop."""


import numpy as np
from sklearn.base import BaseEstimator
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.utils.validation import check_is_fitted

from .._validation import check_choice, check_number, check_seed
from ..evaluation import select_by_forecast, validation_starts
from ..metrics import RIDGE_ALPHAS
from .local import is_auto, layouts
from .quadratic import N_COMPONENTS, QuadraticFeatures, design_inputs
from .refits import MAX_REFIT_ROUNDS, MAX_ROLLOUT_STEPS, ClosedLoopRefits
from ._common import (
    TARGETS,
    _as_series,
    _check_alphas,
    _check_drive,
    _check_features,
    _check_reservoir,
    _closed_loop_limit,
    _new_reservoir,
    _recording,
    _standardisation,
    _state_kept,
    _step_features,
)

SELECTIONS = ("forecast", "cv")
#: The decades 0.01 .. 1000 of :data:`hrsnn.metrics.RIDGE_ALPHAS`: the penalties a
#: :class:`Forecaster` tries (each costs closed-loop validation forecasts).
FORECAST_ALPHAS = tuple(float(a) for a in RIDGE_ALPHAS[8:19:2])
#: Readouts a :class:`Forecaster` can train: ridge on the features, ridge on their
#: quadratic design (:class:`~hrsnn.readout.quadratic.QuadraticFeatures`), or the one of
#: the two that forecasts the validation part best.
READOUTS = ("auto", "linear", "quadratic")
#: Most principal components of a quadratic readout (their products: 5,050 columns).
MAX_COMPONENTS = 100



class Forecaster(ClosedLoopRefits, BaseEstimator):
    """Forecast a multivariate time series with a spiking reservoir and a ridge readout.

    ``fit`` drives the reservoir with the standardised series (teacher
    forcing) and trains a ridge readout to predict the next step from each
    per-step state, linear in the features or in their quadratic design
    (:class:`~hrsnn.readout.quadratic.QuadraticFeatures`: the features, their
    leading principal components and every product of two components),
    whichever forecasts a held-out part of the series best in closed loop.
    ``predict`` gives one-step-ahead predictions;
    ``forecast`` runs in closed loop, each prediction fed back as the next
    input while the reservoir carries its state on.

    There is no hidden state between calls: ``predict(X)`` and
    ``forecast(n_steps, warmup)`` start from the reservoir's reset state,
    are driven through ``X`` or ``warmup``, and restore ``reservoir_``'s
    state when they return, so their results depend only on their
    arguments. To continue a forecast, warm up on the data followed by the
    forecast so far (the reservoir sees the same inputs either way).

    Finite in, finite out: series must be finite with values of magnitude at
    most 1e100 (``MAX_MAGNITUDE``; beyond, a readout's squares overflow, so
    such a value is refused as an outlier to remove or clip). The
    standardised data must be inputs the reservoir takes (see
    :class:`~hrsnn.Reservoir`); a closed-loop forecast that diverges is held
    at that bound (it is fed back and returned clipped to it, in
    standardised units) instead of overflowing to NaN.

    Parameters
    ----------
    reservoir : Reservoir or None, default=None
        Unfitted reservoir (cloned; yours is left untouched). None means
        ``Reservoir(random_state=random_state)``. It must use
        ``encoding="current"`` or ``"poisson"``.
    features : tuple of {"states", "v", "input", "currents", "adaptation", "traces"}, default=("states", "v")
        Readout features per step (:data:`STEP_FEATURES`): filtered spike
        trains (``tau_readout``), membrane potentials, synaptic currents
        (excitatory then inhibitory), adaptation variables and filtered spike
        trains at every time constant of the reservoir's ``trace_taus``
        (one block of n_neurons columns each), all sampled at the end of
        each input step, and the standardised input itself.
    target : {"delta", "next"}, default="delta"
        The readout learns the increment ``x(t+1) - x(t)`` or ``x(t+1)``.
    readout : {"auto", "linear", "quadratic"}, default="auto"
        Ridge on the features as they are (``"linear"``), or on their
        quadratic design (``"quadratic"``; standardised features, then
        ``n_components`` principal components and their pairwise products),
        or whichever of the two forecasts the validation part best
        (``"auto"``; with ``selection="cv"``, ``"auto"`` means linear). Below
        threshold a current-driven spiking reservoir is close to a linear
        filter of its input, so systems whose next step is a product of
        variables (Lorenz63, Rössler) need the quadratic terms in closed loop.
    n_components : int, default=N_COMPONENTS
        Principal components of a quadratic readout (1 .. MAX_COMPONENTS = 100;
        20 gives 230 extra columns).
    local_radius : "auto", int or None, default="auto"
        None: one reservoir reads and predicts every variable. An int ``r``:
        parallel local reservoirs for spatially extended systems (Lorenz96),
        the columns taken as a ring: each group of ``local_group`` neighbouring
        variables gets a copy of the reservoir, driven by the group and ``r``
        neighbours on each side, that predicts the group (Pathak et al.,
        Phys. Rev. Lett. 120, 024102, 2018). The copies share one network
        (STDP on every patch, see :class:`~hrsnn.readout.local.Patches`) and
        one readout (trained on the rows of every copy); the reservoir's
        ``n_neurons`` is shared out among them (a given ``network`` is one
        copy), and the variables are standardised with one mean and scale
        pooled over all of them, so that every copy sees its patch in the same
        units. ``"auto"``: one reservoir, and also local reservoirs with
        ``r = local.AUTO_LOCAL_RADIUS`` (2) where ``local_group`` allows them,
        whichever forecasts the validation part better (``layout_scores_``;
        only with ``selection="forecast"``); a series of a few variables (up to
        4) has no local layout and costs nothing more.
    local_group : "auto" or int, default="auto"
        Variables each local reservoir predicts: a divisor of the number of
        variables with ``local_group + 2 * local_radius`` at most that number.
        ``"auto"``: the smallest such divisor that leaves each copy at least
        ``local.MIN_LOCAL_NEURONS`` (100) neurons; if none does, no local
        candidate with ``local_radius="auto"``, and the largest divisor that
        fits (the fewest, largest copies) with an explicit ``local_radius``.
    refit_rounds : int, default=2
        Closed-loop refits (DAgger): the readout is retrained, round after
        round, also on the states its own ``refit_horizon``-step rollouts from
        every REFIT_STRIDE-th training step visit, with targets that lead back
        to the true series, so that it learns to correct the drift it causes
        in closed loop. How many rounds (0 .. ``refit_rounds``) is chosen on
        the validation forecasts (``refit_rounds_``); 0 switches refits off,
        as does ``selection="cv"``. At most MAX_REFIT_ROUNDS = 5.
    refit_horizon : int, default=20
        Steps of each refit rollout (at most MAX_ROLLOUT_STEPS = 2,000: the
        rollouts of one round take at most that many steps in all, so their
        starts thin out beyond ``2000 / refit_horizon`` of them).
    washout : int, default=100
        Initial steps whose states are not used to train the readout.
    alphas : float or sequence of float, default=FORECAST_ALPHAS
        Candidate ridge regularisations (0.01, 0.1, ..., 1000); one
        number is one candidate.
    selection : {"forecast", "cv"}, default="forecast"
        How ``alpha_`` (and the readout of ``readout="auto"``) is chosen: by
        closed-loop forecasts on the last ``validation_fraction`` of the
        training series (readout trained on the part before it), or by
        scikit-learn's efficient leave-one-out CV of one-step errors
        (``RidgeCV``). The final readout is then trained on the whole series.
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
        Trained on features (``design_`` None) or their quadratic design
        (``design_.transform(features)``) of every step after ``washout``.
    readout_kind_ : {"linear", "quadratic"}
        The readout trained.
    design_ : QuadraticFeatures or None
        The quadratic design, fitted on the training features.
    patches_ : Patches
        Which variables each (local) reservoir reads and predicts; one block
        for a global reservoir.
    layout_scores_ : dict or None
        ``"global"`` / ``"local"`` -> the validation score ``(mean valid
        steps, -mean RMSE)`` of each layout fitted (``selection="forecast"``).
    alpha_ : float
        Chosen regularisation.
    refit_rounds_ : int
        Closed-loop refit rounds of the final readout.
    validation_scores_ : dict or None
        ``(readout kind, alpha) -> (mean valid steps, mean NRMSE)`` of the
        validation forecasts (``selection="forecast"``).
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
                 readout="auto", n_components=N_COMPONENTS, local_radius="auto",
                 local_group="auto", refit_rounds=2, refit_horizon=20, washout=100,
                 alphas=FORECAST_ALPHAS,
                 selection="forecast", validation_fraction=0.25, validation_starts=4,
                 validation_horizon=100, validation_threshold=0.4, standardize=True,
                 random_state=None):
        self.reservoir = reservoir
        self.features = features
        self.target = target
        self.readout = readout
        self.n_components = n_components
        self.local_radius = local_radius
        self.local_group = local_group
        self.refit_rounds = refit_rounds
        self.refit_horizon = refit_horizon
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
        series = _as_series(X, "X", owner=type(self).__name__)
        layouts = self._layouts(series.shape[1])
        n_val = self._validation_length(len(series))
        fits = [self._fit_layout(series, patches, n_val) for patches in layouts]
        chosen = max(fits, key=lambda fit: fit["score"])    # the first of equal ones
        for name in ("reservoir", "readout", "alpha", "readout_kind", "design", "patches",
                     "validation_scores", "refit_rounds", "mean", "scale"):
            setattr(self, name + "_", chosen[name])
        self.layout_scores_ = ({("local" if fit["patches"].local else "global"): fit["score"]
                                for fit in fits} if self.selection == "forecast" else None)
        self.n_dims_ = series.shape[1]
        return self

    def _fit_layout(self, series, patches, n_val):
        """Reservoir and readout for one layout of the variables (global or local).

        Returns
        -------
        dict
            The fitted attributes (without their ``_``) and ``score``, the
            chosen candidate's validation ``(mean valid steps, -mean RMSE)``
            (None with ``selection="cv"``).
        """
        mean, scale = _standardisation(series, self.standardize, pooled=patches.local)
        z = (series - mean) / scale
        reservoir = patches.fit_reservoir(_new_reservoir(self.reservoir, self.random_state), z)
        starts = self._validation_starts(len(z), n_val)
        features, snapshots = self._teacher_forced(reservoir, z,
                                                   sorted({*starts, *self._rollout_starts(z)}))
        rows = patches.rows(features, self.features, reservoir)
        end_state = reservoir.get_state()
        loop = (reservoir, patches, z, features, rows, snapshots)
        rounds = 0
        if self.selection == "forecast":
            kinds = ("linear", "quadratic") if self.readout == "auto" else (self.readout,)
            designs = {kind: self._fitted_design(kind, rows, len(z) - n_val) for kind in kinds}
            (kind, alpha), scores = self._select_by_forecast(loop, n_val, designs)
            rounds, score = self._select_rounds(loop, n_val, designs[kind], alpha,
                                                scores[(kind, alpha)])
            design = self._fitted_design(kind, rows, len(z))
        else:
            kind = "linear" if self.readout == "auto" else self.readout
            design = self._fitted_design(kind, rows, len(z))
            alpha, scores, score = self._select_by_cv(z, rows, design, patches), None, None
        readout = self._refits(loop, len(z), design, alpha, rounds)[-1][0]
        reservoir.set_state(end_state)
        return {"reservoir": reservoir, "readout": readout, "alpha": alpha,
                "readout_kind": kind, "design": design, "patches": patches,
                "validation_scores": scores, "refit_rounds": rounds, "mean": mean,
                "scale": scale, "score": score}

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

    def readout_multiply_adds(self):
        """Multiply-adds of the readout per forecast step (int).

        Per block: the quadratic design of its features
        (:meth:`QuadraticFeatures.multiply_adds`, 0 for a linear readout) and
        the ridge, one multiply-add per coefficient; times the number of blocks
        (local reservoirs). The reservoir's own work is counted apart
        (synaptic operations from ``forecast_counts_``).
        """
        check_is_fitted(self, "readout_")
        design = 0 if self.design_ is None else self.design_.multiply_adds()
        return int(self.patches_.n_blocks * (design + self.readout_.coef_.size))

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
                     counts=None, visited=None):
        """Standardised forecast of ``n_steps``; returns it and the final (features, input).

        ``readout`` is a ``(ridge, design, patches)`` triple (default the
        fitted one). Spike counts per neuron are added to ``counts`` when
        given; the features after each fed-back value are appended to
        ``visited`` when given (row ``k`` after ``out[k]``).
        """
        ridge, design, patches = ((self.readout_, self.design_, self.patches_)
                                  if readout is None else readout)
        n_dims = len(last_input)
        coef = np.reshape(ridge.coef_, (patches.group, -1))
        intercept = np.reshape(ridge.intercept_, (patches.group,))
        out = np.empty((n_steps, n_dims))
        x = last_input
        recording = _recording(self.features)
        limit = _closed_loop_limit(reservoir)       # only a diverged forecast reaches it
        for k in range(n_steps):
            block_rows = design_inputs(patches.rows(features[None], self.features,
                                                     reservoir), design)
            step = (block_rows @ coef.T + intercept).ravel()
            x = np.clip(x + step if self.target == "delta" else step, -limit, limit)
            out[k] = x
            result = reservoir.run(x[None], reset=False, record_spikes=False, **recording)
            features = _step_features(result, x[None], self.features)[0]
            if counts is not None:
                counts += result.counts
            if visited is not None:
                visited.append(features)
        return out, (features, x)

    # ------------------------------------------------------- regularisation
    def _targets(self, z, rows):
        following = z[rows + 1]
        return following - z[rows] if self.target == "delta" else following

    def _fitted_design(self, kind, rows, n_used):
        """The quadratic design fitted on steps ``washout .. n_used-2`` of the block
        ``rows`` (n_steps, n_blocks, n_block_features), or None (linear)."""
        if kind == "linear":
            return None
        used = rows[self.washout:n_used - 1]
        return QuadraticFeatures(self.n_components).fit(used.reshape(-1, used.shape[-1]))

    def _training_set(self, rows, z, n_used, design, patches):
        """Readout inputs and targets of steps ``washout .. n_used-2`` (each predicting
        the next step): the block ``rows`` through ``design``, one row per step and block."""
        steps = np.arange(self.washout, n_used - 1)
        return (design_inputs(rows[steps], design),
                patches.targets(self._targets(z, steps)))

    def _validation_forecast(self, loop, readout, start):
        """``readout``'s closed-loop forecast of ``validation_horizon`` steps from
        ``start``, after the true rows before it (their snapshot in ``loop``)."""
        reservoir, _, z, features, _, snapshots = loop
        reservoir.set_state(snapshots[start])
        return self._closed_loop(reservoir, features[start - 1], z[start - 1],
                                 self.validation_horizon, readout)[0]

    def _select_by_cv(self, z, rows, design, patches):
        cv = RidgeCV(alphas=_check_alphas(type(self).__name__, self.alphas))
        return float(cv.fit(*self._training_set(rows, z, len(z), design, patches)).alpha_)

    def _select_by_forecast(self, loop, n_val, designs):
        """``(readout kind, alpha)`` whose readout, trained before the validation part,
        forecasts it best; ``designs`` maps each kind to its design fitted there."""
        _, patches, z, _, rows, _ = loop
        training = {kind: self._training_set(rows, z, len(z) - n_val, design, patches)
                    for kind, design in designs.items()}

        def train(candidate):
            kind, alpha = candidate
            return Ridge(alpha=alpha).fit(*training[kind]), designs[kind], patches

        alphas = _check_alphas(type(self).__name__, self.alphas)
        candidates = [(kind, float(alpha)) for kind in designs for alpha in alphas]
        return select_by_forecast(candidates, train,
                                  lambda readout, start: self._validation_forecast(
                                      loop, readout, start),
                                  z, self._validation_starts(len(z), n_val),
                                  horizon=self.validation_horizon,
                                  threshold=self.validation_threshold)

    def min_training_steps(self):
        """The shortest training series ``fit`` accepts with these settings.

        ``washout + 10`` steps to train the readout on, plus (with
        ``selection="forecast"``) a held-out ``validation_fraction`` of at
        least ``validation_horizon + 1`` steps.

        Returns
        -------
        int
        """
        high = self.washout + 11              # long enough is monotone in the length
        while not self._long_enough(high):
            high *= 2
        low = 1
        while low < high:
            middle = (low + high) // 2
            low, high = (low, middle) if self._long_enough(middle) else (middle + 1, high)
        return high

    def _long_enough(self, n_steps):
        try:
            self._validation_length(n_steps)
        except ValueError:
            return False
        return True

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

    def _layouts(self, n_dims):
        """The layouts of the variables to fit (see :func:`local.layouts`)."""
        return layouts(n_dims, self.local_radius, self.local_group,
                       _new_reservoir(self.reservoir, self.random_state),
                       allow_auto=self.selection == "forecast", owner=type(self).__name__)

    def _validation_starts(self, n_steps, n_val):
        if self.selection != "forecast":
            return ()
        return validation_starts(n_steps, n_val, self.validation_horizon,
                                 self.validation_starts)

    def _next_values(self, features, z):
        rows = self.patches_.rows(features, self.features, self.reservoir_)
        step = self.patches_.merged(self.readout_.predict(design_inputs(rows, self.design_)),
                                    len(z))
        return z + step if self.target == "delta" else step

    def _standardised(self, X, name, min_steps=2):
        owner = type(self).__name__
        series = _as_series(X, name, min_steps, owner)
        if series.shape[1] != self.n_dims_:
            raise ValueError(f"'{name}' has {series.shape[1]} variables, but "
                             f"{owner} was fitted with {self.n_dims_}.")
        z = (series - self.mean_) / self.scale_
        _check_drive(self.reservoir_, z, name, owner)
        return z

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
        check_choice(owner, "readout", self.readout, READOUTS)
        check_number(owner, "n_components", self.n_components, "int", 1, MAX_COMPONENTS)
        _check_int_or_auto(owner, "local_radius", self.local_radius, 0, allow_none=True)
        _check_int_or_auto(owner, "local_group", self.local_group, 1)
        check_number(owner, "refit_rounds", self.refit_rounds, "int", 0, MAX_REFIT_ROUNDS)
        check_number(owner, "refit_horizon", self.refit_horizon, "int", 1, MAX_ROLLOUT_STEPS)
        check_number(owner, "washout", self.washout, "int", 0)
        check_number(owner, "validation_fraction", self.validation_fraction, "float", 0.0,
                     1.0, low_open=True)
        check_number(owner, "validation_starts", self.validation_starts, "int", 1)
        check_number(owner, "validation_horizon", self.validation_horizon, "int", 1)
        check_number(owner, "validation_threshold", self.validation_threshold, "float", 0.0,
                     low_open=True)
        check_number(owner, "standardize", self.standardize, "bool")
        check_seed(owner, self.random_state)
        _check_alphas(owner, self.alphas)


def _check_int_or_auto(owner, name, value, low, allow_none=False):
    """``"auto"`` or an int of at least ``low`` (or None if ``allow_none``)."""
    if isinstance(value, str) and not is_auto(value):
        raise ValueError(f"The '{name}' parameter of {owner} must be 'auto' or an int >= "
                         f"{low}{' or None' if allow_none else ''}. Got {value!r} instead.")
    if not is_auto(value):
        check_number(owner, name, value, "int", low, allow_none=allow_none)
