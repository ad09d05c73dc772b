"""SequenceRegressor: shapes, statelessness, the ridge fit by hand, NARMA, the MLP, errors."""

import numpy as np
import pytest
from sklearn.linear_model import Ridge, RidgeCV
from sklearn.preprocessing import StandardScaler

from data_loaders import narma
from hrsnn import Reservoir, forecasting_reservoir
from hrsnn.metrics import RIDGE_ALPHAS, nrmse
from hrsnn.readout import SequenceRegressor, central_neurons

WASHOUT = 20


def small_reservoir(n_neurons=60, **kw):
    return forecasting_reservoir(n_neurons=n_neurons, random_state=0, **kw)


def model(**kw):
    return SequenceRegressor(small_reservoir(), washout=WASHOUT, **kw)


@pytest.fixture(scope="module")
def delay_task():
    """y(t) = u(t - 1): a linear task with a known answer."""
    u = np.random.default_rng(0).uniform(-1, 1, size=(700, 1))
    y = np.vstack([[0.0], u[:-1]])
    return u, y


@pytest.fixture(scope="module")
def fitted(delay_task):
    u, y = delay_task
    return SequenceRegressor(small_reservoir(150), washout=WASHOUT).fit(u[:500], y[:500])


def features_by_hand(regressor, u):
    z = (u - regressor.mean_) / regressor.scale_
    result = regressor.reservoir_.run(z, reset=True, record_spikes=False, record_v=True)
    return np.hstack([result.states, result.v])


class ClippedScaler:
    """By hand: clip to the training range (numpy), then sklearn's StandardScaler."""

    def __init__(self, train):
        self.low, self.high = train.min(axis=0), train.max(axis=0)
        self.scaler = StandardScaler().fit(train)

    def transform(self, X):
        return self.scaler.transform(np.clip(X, self.low, self.high))


def scaled_ridge_by_hand(features, targets, alpha):
    scaler = ClippedScaler(features)
    return scaler, Ridge(alpha=alpha).fit(scaler.transform(features), targets)


# ------------------------------------------------------------------ shapes
@pytest.mark.parametrize("y_shape, out_shape", [((300,), (80,)), ((300, 1), (80, 1)),
                                                ((300, 3), (80, 3))])
def test_predict_shape_follows_y(y_shape, out_shape):
    rng = np.random.default_rng(1)
    u, y = rng.uniform(size=(300, 2)), rng.normal(size=y_shape)
    fitted = model().fit(u, y)
    assert fitted.predict(rng.uniform(size=(80, 2))).shape == out_shape
    assert fitted.n_inputs_ == 2 and fitted.n_outputs_ == (y_shape + (1,))[1]


def test_one_dimensional_input_is_one_channel(delay_task):
    u, y = delay_task
    a = model().fit(u[:300, 0], y[:300])
    b = model().fit(u[:300], y[:300])
    np.testing.assert_array_equal(a.predict(u[300:, 0]), b.predict(u[300:]))


# -------------------------------------------------------------- no hidden state
def test_predict_does_not_depend_on_call_history(fitted, delay_task):
    u, _ = delay_task
    first = fitted.predict(u[500:600])
    fitted.predict(u[600:])
    fitted.reservoir_.run(u[:50], reset=True)     # even a run left behind is ignored
    np.testing.assert_array_equal(fitted.predict(u[500:600]), first)
    runs = fitted.predict([u[600:], u[500:600]])
    assert isinstance(runs, list) and len(runs) == 2
    np.testing.assert_array_equal(runs[1], first)


# ------------------------------------------------------------- known answers
def test_delay_task_is_learnt(fitted, delay_task):
    u, y = delay_task
    pred = fitted.predict(u[500:])
    error = nrmse(y[500 + WASHOUT:], pred[WASHOUT:])
    mean_error = nrmse(y[500 + WASHOUT:], np.full_like(pred[WASHOUT:], y[:500].mean()))
    assert mean_error > 0.95
    assert error < 0.5 * mean_error


def test_ridge_readout_equals_a_hand_built_ridge(delay_task):
    """Scaled features from Reservoir.run, RidgeCV's alpha, Ridge refitted on all rows."""
    u, y = delay_task
    fitted = model(selection="cv").fit(u[:500], y[:500])
    features = features_by_hand(fitted, u[:500])[WASHOUT:]
    targets = y[WASHOUT:500, 0]
    scaled = StandardScaler().fit_transform(features)
    alpha = RidgeCV(alphas=np.asarray(RIDGE_ALPHAS)).fit(scaled, targets).alpha_
    assert fitted.alpha_ == alpha
    scaler, ridge = scaled_ridge_by_hand(features, targets, alpha)
    test = features_by_hand(fitted, u[500:])
    np.testing.assert_allclose(fitted.predict(u[500:])[:, 0],
                               ridge.predict(scaler.transform(test)), rtol=1e-9, atol=1e-12)


def test_validation_selection_picks_the_best_alpha_on_the_tail(delay_task):
    u, y = delay_task
    alphas = (1e-3, 1.0, 1e3)
    fitted = model(selection="validation", alphas=alphas, validation_fraction=0.2).fit(
        u[:500], y[:500])
    features = features_by_hand(fitted, u[:500])[WASHOUT:]
    targets = y[WASHOUT:500, 0]
    n_fit = len(targets) - round(0.2 * len(targets))
    errors = {}
    for alpha in alphas:
        scaler, ridge = scaled_ridge_by_hand(features[:n_fit], targets[:n_fit], alpha)
        pred = ridge.predict(scaler.transform(features[n_fit:]))
        errors[alpha] = np.mean((pred - targets[n_fit:]) ** 2)
    assert fitted.validation_scores_ == pytest.approx(errors, rel=1e-9)
    assert fitted.alpha_ == min(errors, key=errors.get)
    scaler, ridge = scaled_ridge_by_hand(features, targets, fitted.alpha_)  # refit on all
    np.testing.assert_allclose(fitted.readout_[-1].coef_, ridge.coef_, rtol=1e-9,
                               atol=1e-12)


def test_several_runs_each_start_from_the_reset_state(delay_task):
    u, y = delay_task
    runs_u, runs_y = [u[:250], u[250:400]], [y[:250], y[250:400]]
    fitted = model(alphas=(1.0,)).fit(runs_u, runs_y)
    features = np.vstack([features_by_hand(fitted, r)[WASHOUT:] for r in runs_u])
    targets = np.concatenate([r[WASHOUT:, 0] for r in runs_y])
    _, ridge = scaled_ridge_by_hand(features, targets, 1.0)
    np.testing.assert_allclose(fitted.readout_[-1].coef_, ridge.coef_, rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(fitted.mean_, u[:400].mean(axis=0))


def test_input_feature_and_score_is_r2(fitted, delay_task):
    u, y = delay_task
    with_input = model(features=("input",)).fit(u[:500], y[:500])
    # the input alone cannot recall the previous input: R^2 near 0, the reservoir's far above
    assert with_input.score(u[500:], y[500:]) < 0.05
    from sklearn.metrics import r2_score
    assert fitted.score(u[500:], y[500:]) == pytest.approx(
        r2_score(y[500:], fitted.predict(u[500:])))
    assert fitted.score(u[500:], y[500:]) > 0.7


def test_narma10_end_to_end():
    """Train/test split inside the data; the readout beats predicting the mean."""
    u, y = narma(1600, order=10, random_state=0)
    u, y = u[:-1], y[1:]                     # y(t+1) from u up to t
    fitted = SequenceRegressor(small_reservoir(200), washout=50).fit(u[:1200], y[:1200])
    pred = fitted.predict(u[1200:])
    assert pred.shape == (399, 1)
    error = nrmse(y[1250:], pred[50:])
    assert error < 0.8, error


# ------------------------------------------------------------- the MLP readout
@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_mlp_readout_reads_the_central_neurons(delay_task):
    u, y = delay_task
    fitted = model(readout="mlp", central_fraction=0.2).fit(u[:400], y[:400])
    assert fitted.alpha_ is None and len(fitted.central_neurons_) == 12   # 20 % of 60
    expected = central_neurons(fitted.reservoir_.network_, 0.2)
    np.testing.assert_array_equal(fitted.central_neurons_, expected)
    assert fitted.readout_.regressor_[-1].hidden_layer_sizes == (20, 20)
    assert fitted.readout_.regressor_[0].n_features_in_ == 2 * 12         # states and v
    pred = fitted.predict(u[400:])
    assert pred.shape == (300, 1)
    again = model(readout="mlp", central_fraction=0.2).fit(u[:400], y[:400])
    np.testing.assert_array_equal(again.predict(u[400:]), pred)          # seeded
    # the MLP sees the central neurons' columns of the features, in that order
    columns = np.concatenate([fitted.central_neurons_, 60 + fitted.central_neurons_])
    features = features_by_hand(fitted, u[400:])[:, columns]
    np.testing.assert_allclose(pred[:, 0], fitted.readout_.predict(features), rtol=1e-12)


# ------------------------------------------------------------------- errors
@pytest.mark.parametrize("params, match", [
    (dict(features=("states", "spikes")), "'features' parameter"),
    (dict(features=()), "'features' parameter"),
    (dict(washout=-1), "'washout' parameter"),
    (dict(alphas=()), "'alphas' parameter"),
    (dict(selection="forecast"), "'selection' parameter"),
    (dict(readout="svm"), "'readout' parameter"),
    (dict(central_fraction=0.0), "'central_fraction' parameter"),
    (dict(hidden_layer_sizes=(20, 0)), "'hidden_layer_sizes' parameter"),
    (dict(validation_fraction=1.5), "'validation_fraction' parameter"),
    (dict(reservoir="big"), "'reservoir' parameter"),
    (dict(reservoir=Reservoir(encoding="spikes")), "encoding='current'"),
])
def test_invalid_parameters_are_named(params, match, delay_task):
    u, y = delay_task
    kw = dict(washout=WASHOUT, reservoir=small_reservoir())
    kw.update(params)
    with pytest.raises((ValueError, TypeError), match=match):
        SequenceRegressor(**kw).fit(u[:100], y[:100])


@pytest.mark.parametrize("u_slice, y_value, match", [
    (slice(0, 100), "short", "one row per input step"),
    (slice(0, 15), "same", "longer than washout=20"),
    (slice(0, 25), "same", "at least 10 training steps"),
])
def test_invalid_data_is_explained(u_slice, y_value, match, delay_task):
    u, y = delay_task
    target = y[:90] if y_value == "short" else y[u_slice]
    with pytest.raises(ValueError, match=match):
        model().fit(u[u_slice], target)


def test_runs_must_be_given_alike(delay_task):
    u, y = delay_task
    with pytest.raises(ValueError, match="one row per input step"):
        model().fit([u[:100], u[100:200]], y[:200])
    with pytest.raises(ValueError, match="list of 2-D arrays"):
        model().fit(np.stack([u[:100], u[100:200]]), y[:100])
    with pytest.raises(ValueError, match="empty list"):
        model().fit([], [])


def test_a_failed_fit_leaves_the_fitted_model_as_it_was(fitted, delay_task):
    u, y = delay_task
    reservoir, readout = fitted.reservoir_, fitted.readout_
    broken = fitted.set_params(washout=10 ** 6)
    try:
        with pytest.raises(ValueError, match="longer than washout"):
            broken.fit(u[:500], y[:500])
    finally:
        fitted.set_params(washout=WASHOUT)
    assert fitted.reservoir_ is reservoir and fitted.readout_ is readout


def test_predict_checks_its_input(fitted, delay_task):
    with pytest.raises(ValueError, match="must have 1 column"):
        fitted.predict(np.zeros((30, 2)))
    unfitted = model()
    from sklearn.exceptions import NotFittedError
    with pytest.raises(NotFittedError):
        unfitted.predict(delay_task[0])


def test_bounded_scaler_clips_to_the_training_range_then_standardises():
    from sklearn.preprocessing import StandardScaler

    from hrsnn.readout._common import BoundedScaler
    rng = np.random.default_rng(0)
    train = rng.normal(size=(200, 3))
    train[:, 2] = 0.0
    train[17, 2] = 1e-3                       # a feature that barely moved in training
    scaler = BoundedScaler().fit(train)
    np.testing.assert_allclose(scaler.transform(train),
                               StandardScaler().fit(train).transform(train), rtol=1e-12)
    new = np.array([[100.0, -100.0, 5.0]])
    expected = (np.array([train[:, 0].max(), train[:, 1].min(), 1e-3]) - train.mean(0)) \
        / train.std(0)
    np.testing.assert_allclose(scaler.transform(new)[0], expected, rtol=1e-12)
    assert abs(scaler.transform(new)[0, 2]) < np.sqrt(len(train))   # not 5 / 7e-5


def test_sequence_regressor_readout_bounds_its_features():
    from hrsnn.readout._common import BoundedScaler
    u, y = narma(400, order=10, random_state=0)
    fitted = model().fit(u[:300], y[:300])
    assert isinstance(fitted.readout_[0], BoundedScaler)
    mlp = model(readout="mlp").fit(u[:300], y[:300])
    assert isinstance(mlp.readout_.regressor_[0], BoundedScaler)
