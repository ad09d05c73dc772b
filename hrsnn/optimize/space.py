"""The search space of the Wasserstein Bayesian optimisation: boxes of distributions and scalars.

A *candidate* is a plain ``dict`` mapping each searched name to a
:class:`~hrsnn.optimize.distributions.Gamma` (a :class:`DistributionParam`,
e.g. ``"tau_m_exc"``) or to a float (a :class:`ScalarParam`, e.g.
``"w_scale"``). :class:`SearchSpace` maps candidates to and from the unit cube
(two coordinates per distribution, shape then mean; one per scalar), samples
space-filling designs, and turns a candidate into :class:`hrsnn.Reservoir`
keyword arguments.
"""

import math
import numbers
import warnings
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.stats import qmc

from .. import model
from ..heterogeneity import Gamma, as_generator

#: A candidate: searched name -> Gamma (distribution) or float (scalar).
Candidate = dict[str, Gamma | float]

#: Default boxes of the distribution groups: name -> (shape_range, mean_range),
#: declared with the parameters in :mod:`hrsnn.model` (around the Reservoir
#: defaults of SPEC §1, §4); every one is searched on a log scale.
DEFAULT_GROUPS = {name: group.search for name, group in model.GAMMA_GROUPS.items()
                  if group.search is not None}

#: Default ranges of the scalar knobs: name -> (range, log), from :mod:`hrsnn.model`.
DEFAULT_SCALARS = {name: p.search for name, p in model.PARAMETERS.items()
                   if p.search is not None}

SAMPLING_METHODS = ("sobol", "lhs", "random")


def _reservoir_defaults():
    """The defaults of every :class:`hrsnn.Reservoir` parameter (from :mod:`hrsnn.model`)."""
    return model.defaults()


def _check_range(owner, name, value, positive):
    """Return ``value`` as ``(low, high)`` floats with ``low < high``, or raise."""
    try:
        low, high = (float(v) for v in value)
    except (TypeError, ValueError):
        raise TypeError(f"The '{name}' of {owner} must be a pair (low, high) of real "
                        f"numbers. Got {value!r} instead.") from None
    if not (math.isfinite(low) and math.isfinite(high) and low < high):
        raise ValueError(f"The '{name}' of {owner} must be finite with low < high. "
                         f"Got {value!r} instead.")
    if positive and low <= 0:
        raise ValueError(f"The '{name}' of {owner} must be > 0 (it is searched on a log "
                         f"scale or bounds a gamma parameter). Got {value!r} instead.")
    return low, high


def _to_unit(x, low, high, log):
    """Map ``x`` in ``[low, high]`` to ``[0, 1]`` (linearly or in log)."""
    if log:
        return (np.log(x) - math.log(low)) / (math.log(high) - math.log(low))
    return (x - low) / (high - low)


def _from_unit(u, low, high, log):
    """Inverse of :func:`_to_unit`; the ends of [0, 1] give ``low`` and ``high`` exactly."""
    if log:
        x = np.exp(math.log(low) + u * (math.log(high) - math.log(low)))
    else:
        x = low + u * (high - low)
    return np.where(u <= 0, low, np.where(u >= 1, high, np.clip(x, low, high)))


@dataclass(frozen=True)
class DistributionParam:
    """A searched gamma distribution.

    Parameters
    ----------
    name : str
        Group name, e.g. ``"tau_m_exc"``; the Reservoir parameters are
        ``f"{name}_shape"`` and ``f"{name}_mean"``.
    shape_range : tuple of float
        ``(low, high)`` of the shape, ``0 < low < high``.
    mean_range : tuple of float
        ``(low, high)`` of the mean, ``0 < low < high``, in the unit of the quantity.
    log : bool, default=True
        Map shape and mean to the unit cube on a log scale.
    """

    name: str
    shape_range: tuple
    mean_range: tuple
    log: bool = True

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"The 'name' of DistributionParam must be a non-empty str. "
                            f"Got {self.name!r} instead.")
        for field in ("shape_range", "mean_range"):
            checked = _check_range("DistributionParam", field, getattr(self, field), True)
            object.__setattr__(self, field, checked)
        object.__setattr__(self, "log", bool(self.log))

    @property
    def reservoir_names(self):
        """``(f"{name}_shape", f"{name}_mean")``."""
        return model.gamma_names(self.name)

    def to_dict(self):
        """JSON-friendly description."""
        return {"kind": "distribution", "name": self.name,
                "shape_range": list(self.shape_range), "mean_range": list(self.mean_range),
                "log": self.log}


@dataclass(frozen=True)
class ScalarParam:
    """A searched scalar Reservoir parameter.

    Parameters
    ----------
    name : str
        Reservoir parameter name, e.g. ``"w_scale"``.
    range : tuple of float
        ``(low, high)``, ``low < high`` (and ``low > 0`` if ``log``).
    log : bool, default=False
        Map the value to the unit cube on a log scale.
    """

    name: str
    range: tuple
    log: bool = False

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise TypeError(f"The 'name' of ScalarParam must be a non-empty str. "
                            f"Got {self.name!r} instead.")
        object.__setattr__(self, "range",
                           _check_range("ScalarParam", "range", self.range, bool(self.log)))
        object.__setattr__(self, "log", bool(self.log))

    @property
    def reservoir_names(self):
        """``(name,)``."""
        return (self.name,)

    def to_dict(self):
        """JSON-friendly description."""
        return {"kind": "scalar", "name": self.name, "range": list(self.range),
                "log": self.log}


def _param_from_dict(data):
    kind = data.get("kind") if isinstance(data, Mapping) else None
    fields = {k: v for k, v in data.items() if k != "kind"} if kind else None
    if kind == "distribution":
        return DistributionParam(**fields)
    if kind == "scalar":
        return ScalarParam(**fields)
    raise ValueError("A searched parameter is stored as a dict with 'kind' "
                     f"'distribution' or 'scalar'. Got {data!r} instead.")


class SearchSpace:
    """Box of gamma distributions and scalars searched by the optimiser.

    Parameters
    ----------
    params : sequence of DistributionParam or ScalarParam
        The searched parameters, in the order of the unit-cube coordinates
        and of the distance groups.
    fixed : dict, optional
        Other Reservoir parameters, applied to every candidate by
        :meth:`to_reservoir_params`.

    Raises
    ------
    ValueError
        If names repeat, are not Reservoir parameters, or overlap ``fixed``.

    Examples
    --------
    >>> space = SearchSpace.default(groups=("tau_m_exc",), scalars=("w_scale",))
    >>> space.names, space.n_dims
    (('tau_m_exc', 'w_scale'), 3)
    >>> space.to_reservoir_params(space.initial_candidate())
    {'tau_m_exc_shape': 3.0, 'tau_m_exc_mean': 20.0, 'w_scale': 0.1}
    """

    def __init__(self, params, fixed=None):
        params = tuple(params)
        if not params:
            raise ValueError("A SearchSpace needs at least one searched parameter.")
        for p in params:
            if not isinstance(p, (DistributionParam, ScalarParam)):
                raise TypeError("Every searched parameter must be a DistributionParam or "
                                f"a ScalarParam. Got {p!r} instead.")
        self.params = params
        self.fixed = dict(fixed or {})
        self._check_names()

    def _check_names(self):
        names = [p.name for p in self.params]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise ValueError(f"Searched parameter names must be unique; repeated: {repeated}.")
        known = set(_reservoir_defaults())
        searched = [r for p in self.params for r in p.reservoir_names]
        unknown = [r for r in searched + list(self.fixed) if r not in known]
        if unknown:
            raise ValueError(f"{unknown} are not Reservoir parameters. Known: {sorted(known)}.")
        clash = sorted(set(searched) & set(self.fixed) | {r for r in searched
                                                          if searched.count(r) > 1})
        if clash:
            raise ValueError(f"{clash} are both searched and fixed (or searched twice).")

    # -------------------------------------------------------------- structure
    @classmethod
    def default(cls, groups=tuple(DEFAULT_GROUPS), scalars=(), fixed=None):
        """The paper's search space with ranges around the Reservoir defaults.

        Parameters
        ----------
        groups : sequence of str, default=all of ``DEFAULT_GROUPS``
            Distribution groups (``tau_m_exc``, ``tau_m_inh``, ``v_th``,
            ``tau_plus``, ``tau_minus``, ``eta_plus``, ``eta_minus``).
        scalars : sequence of str, default=()
            Scalar knobs from ``DEFAULT_SCALARS`` (``w_scale``, ``conn_lambda``, ``p_in``, ...).
        fixed : dict, optional
            Other Reservoir parameters applied to every candidate.

        Returns
        -------
        SearchSpace

        Raises
        ------
        ValueError
            For a name not in the tables (the message lists the known ones).
        """
        params = []
        for name in groups:
            if name not in DEFAULT_GROUPS:
                raise ValueError(f"Unknown distribution group {name!r}. "
                                 f"Known groups: {list(DEFAULT_GROUPS)}.")
            shape_range, mean_range = DEFAULT_GROUPS[name]
            params.append(DistributionParam(name, shape_range, mean_range, log=True))
        for name in scalars:
            if name not in DEFAULT_SCALARS:
                raise ValueError(f"Unknown scalar {name!r}. "
                                 f"Known scalars: {list(DEFAULT_SCALARS)}.")
            value_range, log = DEFAULT_SCALARS[name]
            params.append(ScalarParam(name, value_range, log=log))
        return cls(params, fixed=fixed)

    @property
    def names(self):
        """Searched names, in order (tuple of str)."""
        return tuple(p.name for p in self.params)

    @property
    def n_dims(self):
        """Unit-cube coordinates: 2 per distribution (shape, mean), 1 per scalar."""
        return sum(2 if isinstance(p, DistributionParam) else 1 for p in self.params)

    def __repr__(self):
        fixed = f", fixed={self.fixed!r}" if self.fixed else ""
        return f"SearchSpace({list(self.params)!r}{fixed})"

    def __eq__(self, other):
        return (isinstance(other, SearchSpace) and self.params == other.params
                and self.fixed == other.fixed)

    def to_dict(self):
        """JSON-friendly description (``fixed`` must hold JSON values)."""
        return {"params": [p.to_dict() for p in self.params], "fixed": dict(self.fixed)}

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`."""
        return cls([_param_from_dict(p) for p in data["params"]], fixed=data.get("fixed"))

    # ------------------------------------------------------------- candidates
    def validate(self, candidate):
        """Raise unless ``candidate`` is a candidate of this space.

        Raises
        ------
        TypeError
            If it is not a dict, or a value has the wrong type.
        ValueError
            If names are missing or unexpected, or a value lies outside its range.
        """
        self._check_structure(candidate)
        for p in self.params:
            for what, value, (low, high) in self._values_and_ranges(p, candidate[p.name]):
                if not low <= value <= high:
                    raise ValueError(f"The {what} of {p.name!r} must lie in [{low:g}, "
                                     f"{high:g}]. Got {value!r} instead.")

    def contains(self, candidate):
        """Whether every value of ``candidate`` lies in its range.

        Raises the errors of :meth:`validate` for a malformed candidate
        (wrong names or types); returns False only for values out of range.
        """
        try:
            self.validate(candidate)
        except ValueError:
            self._check_structure(candidate)
            return False
        return True

    def _check_structure(self, candidate):
        if not isinstance(candidate, Mapping):
            raise TypeError("A candidate must be a dict mapping each searched name to a "
                            f"Gamma or a float. Got {type(candidate).__name__} instead.")
        missing = [n for n in self.names if n not in candidate]
        extra = [n for n in candidate if n not in self.names]
        if missing or extra:
            raise ValueError(f"A candidate must have exactly the names {list(self.names)}; "
                             f"missing {missing}, unexpected {extra}.")
        for p in self.params:
            value = candidate[p.name]
            if isinstance(p, DistributionParam) and not isinstance(value, Gamma):
                raise TypeError(f"The value of {p.name!r} must be a Gamma. Got {value!r}.")
            if isinstance(p, ScalarParam) and not (
                    isinstance(value, numbers.Real) and not isinstance(value, bool)
                    and math.isfinite(value)):
                raise TypeError(f"The value of {p.name!r} must be a finite real number. "
                                f"Got {value!r}.")

    @staticmethod
    def _values_and_ranges(p, value):
        if isinstance(p, DistributionParam):
            return [("shape", value.shape, p.shape_range), ("mean", value.mean, p.mean_range)]
        return [("value", float(value), p.range)]

    def to_unit(self, candidate):
        """Unit-cube coordinates of one candidate or of a list of them.

        Parameters
        ----------
        candidate : Candidate or sequence of Candidate
            Validated (values must lie in their ranges).

        Returns
        -------
        ndarray of shape (n_dims,), or (n_candidates, n_dims) for a sequence
            In ``[0, 1]``; a distribution gives (shape, mean), log-mapped if ``log``.
        """
        if not isinstance(candidate, Mapping):
            return np.array([self.to_unit(c) for c in candidate]).reshape(-1, self.n_dims)
        self.validate(candidate)
        u = [_to_unit(value, low, high, p.log) for p in self.params
             for _, value, (low, high) in self._values_and_ranges(p, candidate[p.name])]
        return np.clip(np.array(u, dtype=np.float64), 0.0, 1.0)

    def from_unit(self, u):
        """Candidate(s) at unit-cube coordinates ``u`` (clipped to [0, 1]).

        Parameters
        ----------
        u : array_like of shape (n_dims,) or (n_candidates, n_dims)

        Returns
        -------
        Candidate, or list of Candidate for 2-D ``u``
        """
        u = np.asarray(u, dtype=np.float64)
        if u.shape[-1:] != (self.n_dims,) or u.ndim not in (1, 2):
            raise ValueError(f"'u' must have shape ({self.n_dims},) or (n, {self.n_dims}). "
                             f"Got {u.shape} instead.")
        if not np.all(np.isfinite(u)):
            raise ValueError("'u' must be finite; it contains NaN or inf.")
        if u.ndim == 2:
            return [self.from_unit(row) for row in u]
        u = np.clip(u, 0.0, 1.0)
        candidate, i = {}, 0
        for p in self.params:
            if isinstance(p, DistributionParam):
                shape = float(_from_unit(u[i], *p.shape_range, p.log))
                mean = float(_from_unit(u[i + 1], *p.mean_range, p.log))
                candidate[p.name], i = Gamma(shape, mean), i + 2
            else:
                candidate[p.name], i = float(_from_unit(u[i], *p.range, p.log)), i + 1
        return candidate

    def sample_unit(self, n, random_state=None, method="sobol"):
        """Space-filling design in the unit cube.

        Parameters
        ----------
        n : int
            Number of points (>= 0).
        random_state : None, int or Generator, default=None
            Seed (the same seed gives the same points).
        method : {"sobol", "lhs", "random"}, default="sobol"
            Scrambled Sobol' sequence, Latin hypercube (``scipy.stats.qmc``) or
            independent uniforms.

        Returns
        -------
        ndarray of shape (n, n_dims) in [0, 1)
        """
        if not isinstance(n, numbers.Integral) or isinstance(n, bool) or n < 0:
            raise ValueError(f"'n' must be an integer >= 0. Got {n!r} instead.")
        if method not in SAMPLING_METHODS:
            raise ValueError(f"'method' must be one of {SAMPLING_METHODS}. "
                             f"Got {method!r} instead.")
        rng = as_generator(random_state)
        if method == "random" or n == 0:
            return rng.random((int(n), self.n_dims))
        if method == "lhs":
            return qmc.LatinHypercube(self.n_dims, rng=rng).random(int(n))
        with warnings.catch_warnings():   # n need not be a power of 2
            warnings.simplefilter("ignore", UserWarning)
            return qmc.Sobol(self.n_dims, scramble=True, rng=rng).random(int(n))

    def sample(self, n, random_state=None, method="sobol"):
        """``n`` candidates from a space-filling design (see :meth:`sample_unit`).

        Returns
        -------
        list of Candidate
        """
        return self.from_unit(self.sample_unit(n, random_state, method).reshape(-1, self.n_dims))

    def initial_candidate(self):
        """The "biologically inspired" start: the Reservoir defaults, clipped into range.

        Returns
        -------
        Candidate
        """
        defaults = _reservoir_defaults()
        candidate = {}
        for p in self.params:
            if isinstance(p, DistributionParam):
                shape, mean = (defaults[r] for r in p.reservoir_names)
                candidate[p.name] = Gamma(float(np.clip(shape, *p.shape_range)),
                                          float(np.clip(mean, *p.mean_range)))
            else:
                candidate[p.name] = float(np.clip(defaults[p.name], *p.range))
        return candidate

    def to_reservoir_params(self, candidate):
        """Reservoir keyword arguments of a candidate, plus ``fixed``.

        Returns
        -------
        dict
            ``{"tau_m_exc_shape": k, "tau_m_exc_mean": m, ..., "w_scale": x, **fixed}``.
        """
        self.validate(candidate)
        params = {}
        for p in self.params:
            value = candidate[p.name]
            if isinstance(p, DistributionParam):
                shape_name, mean_name = p.reservoir_names
                params[shape_name], params[mean_name] = value.shape, value.mean
            else:
                params[p.name] = float(value)
        params.update(self.fixed)
        return params


def candidate_to_json(candidate):
    """JSON-friendly copy of a candidate (exact: floats round-trip through ``json``).

    Parameters
    ----------
    candidate : Candidate

    Returns
    -------
    dict
        ``{name: {"shape": k, "mean": m}}`` for a Gamma, ``{name: x}`` for a scalar.
    """
    out = {}
    for name, value in candidate.items():
        if isinstance(value, Gamma):
            out[name] = value.to_dict()
        elif isinstance(value, numbers.Real) and not isinstance(value, bool):
            out[name] = float(value)
        else:
            raise TypeError(f"Candidate values must be Gamma or real numbers; "
                            f"{name!r} is {value!r}.")
    return out


def candidate_from_json(data):
    """Inverse of :func:`candidate_to_json`.

    Returns
    -------
    Candidate
    """
    if not isinstance(data, Mapping):
        raise TypeError(f"A stored candidate is a dict. Got {type(data).__name__} instead.")
    return {name: Gamma.from_dict(v) if isinstance(v, Mapping) else float(v)
            for name, v in data.items()}
