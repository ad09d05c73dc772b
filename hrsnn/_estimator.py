"""The scikit-learn transformer API without importing scikit-learn.

Importing ``sklearn.base`` costs most of a second (it loads ``scipy.stats``),
more than the rest of ``from hrsnn import Reservoir`` together. The estimator
API is a protocol, so :class:`Transformer` provides it itself: parameters from
the ``__init__`` signature (``get_params``, ``set_params``, ``__repr__``),
``fit_transform``, ``get_feature_names_out``, ``n_features_in_`` and
:func:`check_is_fitted`. scikit-learn is imported only by what only it can do,
and always from inside a method:

* ``__sklearn_tags__`` (called by scikit-learn code only);
* feature names of a data frame (``feature_names_in_``), checked by
  ``sklearn.utils.validation.validate_data``;
* ``set_output`` containers: ``transform`` output is wrapped as scikit-learn
  wraps it, and only if scikit-learn is loaded (its global configuration
  lives there) or ``set_output`` was called;
* the HTML display (Jupyter), scikit-learn's own;
* the ``NotFittedError`` raised by :func:`check_is_fitted`.
"""

import functools
import inspect
import re
import sys

import numpy as np


def check_is_fitted(estimator, attributes):
    """Raise scikit-learn's ``NotFittedError`` unless ``estimator`` has ``attributes``.

    The part of ``sklearn.utils.validation.check_is_fitted`` used here, with
    its message; scikit-learn is imported only to raise the error.

    Parameters
    ----------
    estimator : object
    attributes : str or sequence of str
        Attributes that ``fit`` sets (all must be present).

    Raises
    ------
    sklearn.exceptions.NotFittedError
        A ``ValueError`` and ``AttributeError``, if one of them is missing.
    """
    names = [attributes] if isinstance(attributes, str) else attributes
    if not all(hasattr(estimator, name) for name in names):
        from sklearn.exceptions import NotFittedError

        raise NotFittedError(f"This {type(estimator).__name__} instance is not fitted yet. "
                             "Call 'fit' with appropriate arguments before using this "
                             "estimator.")


def _may_have_feature_names(X):
    """Whether ``X`` may be a data frame (arrays and lists have no column names)."""
    return not isinstance(X, (np.ndarray, list, tuple))


def _wrapping_output(method):
    """``method`` (``transform``) with its output in the container ``set_output`` asks for."""
    @functools.wraps(method)
    def wrapped(self, X, *args, **kwargs):
        data = method(self, X, *args, **kwargs)
        if "sklearn" not in sys.modules and "_sklearn_output_config" not in vars(self):
            return data     # no configuration can ask for anything but arrays
        from sklearn.utils._set_output import _wrap_data_with_container

        return _wrap_data_with_container("transform", data, X, self)
    return wrapped


def _sklearn_method(name):
    """A method running scikit-learn's ``BaseEstimator.<name>`` on ``self``."""
    def method(self, *args, **kwargs):
        from sklearn.base import BaseEstimator

        return getattr(BaseEstimator, name)(self, *args, **kwargs)
    method.__name__ = method.__qualname__ = name
    method.__doc__ = f"scikit-learn's ``BaseEstimator.{name}`` (HTML display)."
    return method


class Transformer:
    """Base class of a scikit-learn transformer whose feature names are
    ``<class name in lower case><i>`` (``ClassNamePrefixFeaturesOutMixin``).

    Subclasses declare their parameters in ``__init__`` (no ``*args``) and
    store each under its own name; ``fit`` records ``n_features_in_`` through
    :meth:`_check_features`, and ``_n_features_out`` says how many features
    ``transform`` gives. A ``transform`` defined by a subclass is wrapped so
    that its output follows ``set_output``.
    """

    #: What scikit-learn's output wrapping reads to know ``transform`` is wrapped.
    _sklearn_auto_wrap_output_keys = frozenset({"transform"})

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if "transform" in cls.__dict__:
            cls.transform = _wrapping_output(cls.__dict__["transform"])

    # ------------------------------------------------------------ parameters
    @classmethod
    def _get_param_names(cls):
        """Sorted names of the ``__init__`` parameters (``self`` and ``**kwargs`` left out)."""
        parameters = inspect.signature(cls.__init__).parameters.values()
        if any(p.kind == p.VAR_POSITIONAL for p in parameters):
            raise RuntimeError(f"{cls.__name__} must declare its parameters in the "
                               "signature of its __init__ (no *args).")
        return sorted(p.name for p in parameters
                      if p.name != "self" and p.kind != p.VAR_KEYWORD)

    def get_params(self, deep=True):
        """Parameters of this estimator.

        Parameters
        ----------
        deep : bool, default=True
            Also give those of parameters that are estimators, as
            ``<parameter>__<name>``.

        Returns
        -------
        dict
            Parameter names mapped to their values.
        """
        out = {}
        for name in self._get_param_names():
            value = getattr(self, name)
            if deep and hasattr(value, "get_params") and not isinstance(value, type):
                out.update((f"{name}__{key}", v) for key, v in value.get_params().items())
            out[name] = value
        return out

    def set_params(self, **params):
        """Set parameters (``<parameter>__<name>`` sets one of a nested estimator).

        Parameters
        ----------
        **params
            New values of parameters.

        Returns
        -------
        self

        Raises
        ------
        ValueError
            If a name is not a parameter.
        """
        valid = self.get_params(deep=True) if params else {}
        nested = {}
        for key, value in params.items():
            name, delim, sub_key = key.partition("__")
            if name not in valid:
                raise ValueError(f"Invalid parameter {name!r} for estimator {self}. Valid "
                                 f"parameters are: {self._get_param_names()!r}.")
            if delim:
                nested.setdefault(name, {})[sub_key] = value
            else:
                setattr(self, name, value)
                valid[name] = value
        for name, sub_params in nested.items():
            valid[name].set_params(**sub_params)
        return self

    def __repr__(self, width=80, max_chars=700):
        """``Name(param=value, ...)`` of the parameters that differ from their default.

        As scikit-learn shows an estimator: the arguments wrapped at ``width``
        characters, and the middle of a repr of more than ``max_chars``
        non-blank characters cut to ``...``.
        """
        items = [f"{name}={value!r}" for name, value in self._changed_params()]
        return _shortened(_call_text(type(self).__name__, items, width), max_chars)

    def _changed_params(self):
        """``(name, value)`` of the parameters whose value differs from the default."""
        defaults = {name: p.default
                    for name, p in inspect.signature(type(self).__init__).parameters.items()}
        for name, value in self.get_params(deep=False).items():
            default = defaults.get(name, inspect.Parameter.empty)
            if default is inspect.Parameter.empty or not _same_default(value, default):
                yield name, value

    # ---------------------------------------------------------- transformer
    def fit_transform(self, X, y=None, **fit_params):
        """``fit(X, y, **fit_params)``, then ``transform(X)``.

        Parameters
        ----------
        X : array_like
        y : ignored
        **fit_params
            Passed to ``fit``.

        Returns
        -------
        ndarray
            The features of ``X``.
        """
        return self.fit(X, y, **fit_params).transform(X)

    def get_feature_names_out(self, input_features=None):
        """Names of the output features: ``<class name in lower case><i>``.

        Parameters
        ----------
        input_features : array_like of str, optional
            Only checked: it must equal ``feature_names_in_`` (if fitted on a
            data frame) and have ``n_features_in_`` names.

        Returns
        -------
        ndarray of object
        """
        check_is_fitted(self, "_n_features_out")
        if input_features is not None:
            self._check_input_features(np.asarray(input_features, dtype=object))
        prefix = type(self).__name__.lower()
        return np.asarray([f"{prefix}{i}" for i in range(self._n_features_out)], dtype=object)

    def _check_input_features(self, input_features):
        """``input_features`` of :meth:`get_feature_names_out` against the fitted ones."""
        names = getattr(self, "feature_names_in_", None)
        if names is not None and not np.array_equal(names, input_features):
            raise ValueError("input_features is not equal to feature_names_in_")
        if len(input_features) != self.n_features_in_:
            raise ValueError("input_features should have length equal to number of "
                             f"features ({self.n_features_in_}), got {len(input_features)}")

    def set_output(self, *, transform=None):
        """Choose the container of ``transform`` and ``fit_transform`` output.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, optional
            scikit-learn's output containers; None leaves the choice unchanged.

        Returns
        -------
        self
        """
        if transform is not None:
            self.__dict__.setdefault("_sklearn_output_config", {})["transform"] = transform
        return self

    def _check_features(self, X, n_features, *, reset):
        """Record (``reset``) or check ``n_features_in_``, and ``X``'s feature names.

        What ``sklearn.utils.validation.validate_data(skip_check_array=True)``
        does; feature names come only from data frames, so scikit-learn is
        asked only when ``X`` may be one or the fit recorded names.

        Parameters
        ----------
        X : array_like
            The input as given.
        n_features : int
            Its number of features (``X.shape[1]``).
        reset : bool
            True in ``fit``.
        """
        if reset:
            self.n_features_in_ = n_features
        elif n_features != self.n_features_in_:
            raise ValueError(f"X has {n_features} features, but {type(self).__name__} is "
                             f"expecting {self.n_features_in_} features as input.")
        if _may_have_feature_names(X) or hasattr(self, "feature_names_in_"):
            from sklearn.utils.validation import validate_data

            validate_data(self, X, reset=reset, skip_check_array=True)

    def __sklearn_tags__(self):
        """scikit-learn's tags of a transformer (only scikit-learn calls this)."""
        from sklearn.utils import Tags, TargetTags, TransformerTags

        return Tags(estimator_type=None, target_tags=TargetTags(required=False),
                    transformer_tags=TransformerTags())

    # ------------------------------------------------------ pickle, display
    def __getstate__(self):
        """The instance dict (a copy), as scikit-learn pickles an estimator outside it."""
        return self.__dict__.copy()

    def __setstate__(self, state):
        """Restore what :meth:`__getstate__` gave."""
        self.__dict__.update(state)

    @property
    def _repr_html_(self):
        """scikit-learn's HTML diagram, if its ``display`` configuration is "diagram"."""
        from sklearn.base import BaseEstimator

        return BaseEstimator._repr_html_.fget(self)

    _repr_html_inner = _sklearn_method("_repr_html_inner")
    _repr_mimebundle_ = _sklearn_method("_repr_mimebundle_")
    _html_repr = _sklearn_method("_html_repr")
    _get_params_html = _sklearn_method("_get_params_html")
    _get_fitted_attr_html = _sklearn_method("_get_fitted_attr_html")


def _call_text(name, items, width):
    """``name(item, item, ...)``, the items wrapped at ``width`` under the first one."""
    if not items:
        return f"{name}()"
    pieces = [item + "," for item in items[:-1]] + [items[-1] + ")"]
    lines = [f"{name}({pieces[0]}"]
    for piece in pieces[1:]:
        if len(lines[-1]) + 1 + len(piece.partition("\n")[0]) > width:
            lines.append(" " * (len(name) + 1) + piece)
        else:
            lines[-1] += " " + piece
    return "\n".join(lines)


def _shortened(text, max_chars):
    """``text`` with its middle cut to ``...`` if it has more than ``max_chars``
    non-blank characters (the first and the last ``max_chars // 2`` are kept)."""
    if len("".join(text.split())) <= max_chars:
        return text
    keep = re.compile(rf"^(\s*\S){{{max_chars // 2}}}")
    left, right = keep.match(text).end(), keep.match(text[::-1]).end()
    return text[:left] + "..." + text[-right:]


def _same_default(value, default):
    """Whether ``value`` shows as ``default`` (NaN as NaN), as scikit-learn's repr decides."""
    if repr(value) == repr(default):
        return True
    return all(isinstance(v, float) and np.isnan(v) for v in (value, default))
