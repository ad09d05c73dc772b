"""hrsnn._estimator.Transformer: the scikit-learn API without scikit-learn's base classes.

The whole contract runs in test_sklearn_compat.py on a Reservoir; these are
the parts it does not reach, on a transformer that needs no simulation.
"""

import pickle
import warnings

import numpy as np
import pytest
import sklearn
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from hrsnn import Reservoir
from hrsnn._estimator import Transformer


class Doubler(Transformer):
    def __init__(self, factor=2.0, inner=None, name="x"):
        self.factor = factor
        self.inner = inner
        self.name = name

    @property
    def _n_features_out(self):
        return self.n_features_in_

    def fit(self, X, y=None):
        self._check_features(X, np.shape(X)[1], reset=True)
        return self

    def transform(self, X):
        """Twice X."""
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError("not fitted")
        self._check_features(X, np.shape(X)[1], reset=False)
        return self.factor * np.asarray(X, dtype=float)


X = np.arange(6.0).reshape(3, 2)


def test_params_nested_and_invalid():
    outer = Doubler(inner=Doubler(factor=3.0))
    assert outer.get_params()["inner__factor"] == 3.0
    assert "inner__factor" not in outer.get_params(deep=False)
    outer.set_params(inner__factor=4.0, name="y")
    assert outer.inner.factor == 4.0 and outer.name == "y"
    with pytest.raises(ValueError, match=r"Invalid parameter 'nope' for estimator "
                                         r"Doubler\(.*Valid parameters are: \['factor'"):
        outer.set_params(nope=1)


def test_repr_shows_changed_parameters_wrapped_like_sklearn():
    assert repr(Doubler()) == "Doubler()"
    assert repr(Doubler(factor=np.nan)) == "Doubler(factor=nan)"
    short = Reservoir(n_neurons=40, random_state=0)
    assert repr(short) == "Reservoir(n_neurons=40, random_state=0)"
    long = Reservoir(grid_shape=(2, 3, 5), max_rate=80.0, n_neurons=30, random_state=0,
                     tau_readout=5.0, trace_taus=(5.0, 20.0), w_in=0.5, w_scale=0.3)
    assert repr(long) == ("Reservoir(grid_shape=(2, 3, 5), max_rate=80.0, n_neurons=30, "
                          "random_state=0,\n          tau_readout=5.0, trace_taus=(5.0, 20.0), "
                          "w_in=0.5, w_scale=0.3)")
    huge = repr(Doubler(name="a" * 2000))
    assert "..." in huge and len(huge) < 800


def test_feature_names_out_and_fitted_check():
    with pytest.raises(NotFittedError, match="This Doubler instance is not fitted yet"):
        Doubler().get_feature_names_out()
    fitted = Doubler().fit(X)
    assert list(fitted.get_feature_names_out()) == ["doubler0", "doubler1"]
    assert list(fitted.get_feature_names_out(["a", "b"])) == ["doubler0", "doubler1"]
    with pytest.raises(ValueError, match=r"input_features should have length equal to "
                                         r"number of features \(2\), got 3"):
        fitted.get_feature_names_out(["a", "b", "c"])


def test_n_features_and_feature_names_checked_as_sklearn_does():
    fitted = Doubler().fit(X)
    with pytest.raises(ValueError, match="X has 3 features, but Doubler is expecting 2"):
        fitted.transform(np.ones((2, 3)))
    fitted.feature_names_in_ = np.array(["a", "b"], dtype=object)   # as a data frame gives
    with pytest.warns(UserWarning, match="X does not have valid feature names"):
        fitted.transform(X)
    fitted.fit(X)                      # a fit without names forgets the old ones
    assert not hasattr(fitted, "feature_names_in_")


def test_fit_transform_tags_clone_and_pickle():
    assert np.array_equal(Doubler(factor=3.0).fit_transform(X), 3 * X)
    tags = Doubler().__sklearn_tags__()
    assert tags.transformer_tags is not None and not tags.target_tags.required
    fitted = Doubler(factor=3.0).fit(X)
    assert clone(fitted).get_params() == fitted.get_params()
    assert not hasattr(clone(fitted), "n_features_in_")
    copy = pickle.loads(pickle.dumps(fitted))
    assert vars(copy) == vars(fitted)


def test_set_output_follows_sklearn_configuration():
    fitted = Doubler().fit(X)
    assert fitted.set_output() is fitted and "_sklearn_output_config" not in vars(fitted)
    assert Doubler.transform.__doc__ == "Twice X."                    # wrapped, not replaced
    with pytest.raises(ValueError, match="output config must be in"):
        fitted.set_output(transform="bogus").transform(X)
    with sklearn.config_context(transform_output="bogus"):
        with pytest.raises(ValueError, match="output config must be in"):
            Doubler().fit(X).transform(X)
        assert isinstance(fitted.set_output(transform="default").transform(X), np.ndarray)


def test_html_display_is_sklearn_s():
    fitted = Doubler(factor=3.0).fit(X)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        html = fitted._repr_html_()
        bundle = fitted._repr_mimebundle_()
    assert "Doubler" in html and "factor" in html
    assert bundle["text/plain"] == "Doubler(factor=3.0)" and "text/html" in bundle
    with sklearn.config_context(display="text"):
        assert not hasattr(fitted, "_repr_html_")
