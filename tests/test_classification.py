"""Digits classification helpers: data shapes, the pipeline against a hand-built path, errors."""

import json

import numpy as np
import pytest
from sklearn.datasets import load_digits
from sklearn.linear_model import RidgeClassifierCV
from sklearn.model_selection import train_test_split

from data_loaders.digits import load_digits_spikes
from hrsnn import Reservoir
from hrsnn.classification import (
    default_classifier,
    digits_dataset,
    evaluate_digits,
    images_to_sequences,
)

from hrsnn.metrics import RIDGE_ALPHAS as ALPHAS


def test_images_to_sequences_repeats_each_image():
    images = np.arange(24, dtype=float).reshape(3, 8)
    X = images_to_sequences(images, 5)
    assert X.shape == (3, 5, 8) and X.dtype == np.float64
    for t in range(5):
        np.testing.assert_array_equal(X[:, t], images)
    # 3-D images are flattened row by row
    np.testing.assert_array_equal(images_to_sequences(images.reshape(3, 2, 4), 5), X)


def test_current_dataset_matches_sklearn_digits():
    digits = load_digits()
    X, y = digits_dataset("current")
    assert X.shape == (len(digits.target), 40, 64) and X.dtype == np.float64
    np.testing.assert_array_equal(y, digits.target)
    np.testing.assert_array_equal(X[:, 0], digits.data / 16.0)
    np.testing.assert_array_equal(X[:, -1], digits.data / 16.0)
    assert X.min() == 0.0 and X.max() == 1.0
    X3, y3 = digits_dataset("current", n_steps=3, n_classes=3)
    digits3 = load_digits(n_class=3)
    assert X3.shape == (len(digits3.target), 3, 64)
    np.testing.assert_array_equal(y3, digits3.target)


def test_poisson_dataset_is_the_paper_protocol():
    digits = load_digits(n_class=2)
    X, y = digits_dataset("poisson", n_classes=2, random_state=3)
    assert X.shape == (len(digits.target), 200, 64)          # 100 ms on + 100 ms off
    np.testing.assert_array_equal(y, digits.target)
    assert X[:, 100:].sum() == 0 and X[:, :100].sum() > 0
    # pixels that are 0 never fire; the count follows intensity * 400 Hz * 100 ms
    assert X[:, :100].sum(axis=1)[digits.data == 0].sum() == 0
    expected = (digits.data / 16.0 * 400.0 * 0.1).sum()
    assert abs(X.sum() / expected - 1) < 0.01
    Xr, _ = load_digits_spikes(duration=100.0, silence=100.0, max_rate=400.0, n_classes=2,
                               random_state=3)
    np.testing.assert_array_equal(X, Xr)
    X2, _ = digits_dataset("poisson", n_classes=2, duration=20.0, silence=0.0,
                           max_rate=100.0, random_state=3)
    assert X2.shape == (len(y), 20, 64)


def _small_split(encoding, **dataset_params):
    X, y = digits_dataset(encoding, n_classes=3, **dataset_params)
    return train_test_split(X, y, test_size=0.3, stratify=y, random_state=0)


@pytest.mark.parametrize("encoding, dataset_params, explicit", [
    ("current", {"n_steps": 10},
     dict(encoding="current", w_in=2.0, w_in_dist="uniform", p_in=0.3, dt=1.0,
          steps_per_input=1, features="counts")),
    ("poisson", {"duration": 30.0, "silence": 10.0},
     dict(encoding="spikes", w_in=0.3, w_in_dist="uniform", p_in=0.3, dt=1.0,
          steps_per_input=1, features="counts")),
])
def test_pipeline_equals_transform_then_ridge_by_hand(encoding, dataset_params, explicit):
    X_train, X_test, y_train, y_test = _small_split(encoding, **dataset_params)
    model = default_classifier(encoding, n_neurons=150, random_state=1).fit(X_train, y_train)
    accuracy = model.score(X_test, y_test)
    assert accuracy > 0.9                                     # chance: 1/3

    # independent path: the documented settings, written out here
    reservoir = Reservoir(n_neurons=150, random_state=1, **explicit).fit(X_train)
    readout = RidgeClassifierCV(alphas=ALPHAS).fit(reservoir.transform(X_train), y_train)
    F_test = reservoir.transform(X_test)
    np.testing.assert_array_equal(model[0].transform(X_test), F_test)
    y_pred = readout.predict(F_test)
    np.testing.assert_array_equal(model.predict(X_test), y_pred)
    assert accuracy == np.mean(y_pred == y_test)


def test_pipeline_is_deterministic_and_independent_of_n_jobs():
    X_train, X_test, y_train, y_test = _small_split("current", n_steps=8)
    runs = [default_classifier(n_neurons=100, random_state=4, n_jobs=n_jobs)
            .fit(X_train, y_train) for n_jobs in (None, None, 2)]
    features = [m[0].transform(X_test) for m in runs]
    for m, F in zip(runs[1:], features[1:]):
        np.testing.assert_array_equal(F, features[0])
        np.testing.assert_array_equal(m[-1].coef_, runs[0][-1].coef_)
    other = default_classifier(n_neurons=100, random_state=5).fit(X_train, y_train)
    assert not np.array_equal(other[0].transform(X_test), features[0])


def test_default_classifier_overrides_and_alphas():
    model = default_classifier("poisson", n_neurons=50, random_state=2, w_in=0.7,
                               features="mean", alphas=[0.1, 1.0])
    reservoir, readout = model[0], model[-1]
    assert reservoir.encoding == "spikes" and reservoir.w_in == 0.7
    assert reservoir.features == "mean" and reservoir.n_neurons == 50
    np.testing.assert_array_equal(readout.alphas, [0.1, 1.0])
    np.testing.assert_array_equal(default_classifier()[-1].alphas, ALPHAS)


def test_evaluate_digits_report():
    report = evaluate_digits("current", n_neurons=120, n_classes=4, random_state=0,
                             dataset_params={"n_steps": 10})
    json.dumps(report)                                        # JSON-ready
    digits = load_digits(n_class=4)
    n = len(digits.target)
    assert report["n_test"] == int(np.ceil(0.3 * n)) and report["n_train"] + report["n_test"] == n
    cm = np.array(report["confusion_matrix"])
    assert cm.shape == (4, 4) and cm.sum() == report["n_test"]
    assert report["accuracy"] == pytest.approx(np.trace(cm) / cm.sum())
    assert report["accuracy"] > 0.9
    assert report["stimulus_ms"] == 10.0 and report["mean_rate_hz"] > 0
    assert report["dataset_params"] == {"n_steps": 10}
    assert report["reservoir_params"]["w_in_dist"] == "uniform"
    # the baseline, by hand: ridge on the raw pixels of the same split
    P_train, P_test, y_train, y_test = train_test_split(
        digits.data / 16.0, digits.target, test_size=0.3, stratify=digits.target,
        random_state=0)
    baseline = RidgeClassifierCV(alphas=ALPHAS).fit(P_train, y_train).score(P_test, y_test)
    assert report["baseline_accuracy"] == baseline
    # deterministic
    again = evaluate_digits("current", n_neurons=120, n_classes=4, random_state=0,
                            dataset_params={"n_steps": 10}, n_jobs=2)
    assert again["confusion_matrix"] == report["confusion_matrix"]


@pytest.mark.parametrize("call", [
    lambda: digits_dataset("spikes"),
    lambda: digits_dataset("Current"),
    lambda: default_classifier("pixels"),
    lambda: evaluate_digits("poison"),
])
def test_bad_encoding_names(call):
    with pytest.raises(ValueError, match="'encoding' parameter .* must be one of "
                                         "'current', 'poisson'"):
        call()


def test_bad_dataset_parameters():
    with pytest.raises(ValueError, match="'max_rate' does not apply to encoding='current'"):
        digits_dataset("current", max_rate=100.0)
    with pytest.raises(ValueError, match="'n_steps' does not apply to encoding='poisson'"):
        digits_dataset("poisson", n_steps=10)
    with pytest.raises(ValueError, match="'n_steps' parameter"):
        digits_dataset("current", n_steps=0)
    with pytest.raises(ValueError, match="'n_steps' parameter"):
        images_to_sequences(np.zeros((2, 4)), 0)
    with pytest.raises(ValueError, match="'images' must have shape"):
        images_to_sequences(np.zeros(4), 3)
    with pytest.raises(ValueError, match="'n_steps' does not apply"):
        evaluate_digits("poisson", dataset_params={"n_steps": 5})


def _tiny_shd(path, n=40):
    from data_loaders import write_shd
    rng = np.random.default_rng(0)
    times, units, labels = [], [], []
    for k in range(n):
        label = k % 2
        times.append(np.sort(rng.uniform(0, 0.5, 60)).astype(np.float16))
        units.append(rng.integers(10 * label, 10 * label + 10, 60).astype(np.uint16))
        labels.append(label)
    write_shd(path, times, units, np.array(labels, dtype=np.uint16))
    return path


def test_evaluate_shd_matches_a_hand_built_pipeline(tmp_path):
    from data_loaders import load_shd
    from hrsnn.classification import evaluate_shd
    from hrsnn.metrics import RIDGE_ALPHAS

    path = _tiny_shd(tmp_path / "tiny.h5")
    report = evaluate_shd(path, n_neurons=80, random_state=0)
    X, y = load_shd(path, n_bins=100, duration=1.0)
    X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.3, stratify=y,
                                                        random_state=0)
    reservoir = Reservoir(n_neurons=80, encoding="spikes", steps_per_input=10, dt=1.0,
                          random_state=0)
    readout = RidgeClassifierCV(alphas=RIDGE_ALPHAS).fit(
        reservoir.fit_transform(X_train), y_train)
    accuracy = readout.score(reservoir.transform(X_test), y_test)
    assert report["accuracy"] == pytest.approx(accuracy)
    assert report["alpha"] == readout.alpha_
    assert (report["n_train"], report["n_test"], report["n_channels"]) == (28, 12, 700)
    assert report["bin_ms"] == 10.0
    json.dumps(report)
    # a separate test file is used as given
    separate = evaluate_shd(path, test_path=path, n_neurons=80, random_state=0)
    assert separate["n_train"] == separate["n_test"] == 40
