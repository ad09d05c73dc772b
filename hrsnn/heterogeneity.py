"""Gamma distributions parameterised by (shape, mean), and the paper's presets.

Every heterogeneous quantity of the network (membrane time constants and
thresholds per neuron, STDP time constants and learning rates per synapse) is
drawn from a gamma distribution given by its *shape* ``k`` and its *mean*
``m`` (scale ``m / k``, coefficient of variation ``1 / sqrt(k)``). A
homogeneous quantity takes the mean for every element, so a homogeneous and a
heterogeneous network with the same means are directly comparable.

:class:`Gamma` is the one description of such a distribution: the builder
samples from it and the optimiser (:mod:`hrsnn.optimize`) searches over it.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np

#: Preset name -> (heterogeneous neurons, heterogeneous STDP synapses).
PRESETS = {
    "HoNHoS": (False, False),
    "HoNHeS": (False, True),
    "HeNHoS": (True, False),
    "HeNHeS": (True, True),
}


def preset_flags(name):
    """Return ``(heterogeneous_neurons, heterogeneous_synapses)`` for a preset.

    Raises
    ------
    ValueError
        If ``name`` is not one of ``PRESETS``.
    """
    try:
        return PRESETS[name]
    except (KeyError, TypeError):
        raise ValueError(
            f"The 'heterogeneity' parameter must be one of {sorted(PRESETS)}; "
            f"got {name!r} instead."
        ) from None


def as_generator(random_state):
    """Turn ``random_state`` into a :class:`numpy.random.Generator`.

    Parameters
    ----------
    random_state : None, int, SeedSequence, Generator or RandomState
        A Generator is used as it is; a RandomState gives a Generator seeded
        by one draw from it; anything else goes to ``numpy.random.default_rng``.

    Returns
    -------
    numpy.random.Generator
    """
    if isinstance(random_state, np.random.RandomState):
        return np.random.default_rng(random_state.randint(2**32, dtype=np.uint64))
    return np.random.default_rng(random_state)


def _format_number(x):
    """``%g`` when that is exact, else the shortest exact ``repr``."""
    short = f"{x:g}"
    return short if float(short) == x else repr(x)


def _positive_float(owner, name, value):
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"The '{name}' of {owner} must be a real number > 0. "
                        f"Got {value!r} instead.")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"The '{name}' of {owner} must be a finite number > 0. "
                         f"Got {value!r} instead.")
    return value


@dataclass(frozen=True)
class Gamma:
    """Gamma distribution with shape ``k`` and mean ``m``.

    Parameters
    ----------
    shape : float
        Shape ``k > 0``; the coefficient of variation is ``1 / sqrt(k)``.
    mean : float
        Mean ``m > 0``, in the unit of the quantity (ms for time constants).

    Examples
    --------
    >>> Gamma(shape=3, mean=20)
    Gamma(shape=3, mean=20)
    >>> round(Gamma(3, 20).std, 3)
    11.547
    """

    shape: float
    mean: float

    def __post_init__(self):
        object.__setattr__(self, "shape", _positive_float("Gamma", "shape", self.shape))
        object.__setattr__(self, "mean", _positive_float("Gamma", "mean", self.mean))

    @property
    def scale(self):
        """Scale ``mean / shape`` (float)."""
        return self.mean / self.shape

    @property
    def std(self):
        """Standard deviation ``mean / sqrt(shape)`` (float)."""
        return self.mean / math.sqrt(self.shape)

    def sample(self, size, random_state=None):
        """Draw independent values.

        Parameters
        ----------
        size : int or tuple of int
            Output shape.
        random_state : None, int, Generator or RandomState, default=None
            Seed or source of randomness (see :func:`as_generator`).

        Returns
        -------
        ndarray of shape ``size``, float64
        """
        return as_generator(random_state).gamma(self.shape, self.scale, size)

    def quantiles(self, q):
        """Quantile function (inverse CDF) at probabilities ``q``.

        Parameters
        ----------
        q : array_like of float in [0, 1]

        Returns
        -------
        ndarray of the shape of ``q``
            ``scipy.stats.gamma.ppf(q, shape, scale=scale)``.
        """
        from scipy import stats   # lazily: scipy.stats is slow to import

        return stats.gamma.ppf(np.asarray(q, dtype=np.float64), self.shape, scale=self.scale)

    def __repr__(self):
        return (f"Gamma(shape={_format_number(self.shape)}, "
                f"mean={_format_number(self.mean)})")

    def to_dict(self):
        """``{"shape": k, "mean": m}`` with Python floats (JSON-friendly, exact)."""
        return {"shape": self.shape, "mean": self.mean}

    @classmethod
    def from_dict(cls, data):
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        ValueError
            If ``data`` is not a mapping with exactly the keys "shape" and "mean".
        """
        if not isinstance(data, dict) or set(data) != {"shape", "mean"}:
            raise ValueError("A Gamma is stored as a dict with exactly the keys "
                             f"'shape' and 'mean'. Got {data!r} instead.")
        return cls(shape=data["shape"], mean=data["mean"])


def sample_gamma(rng, shape, mean, size, heterogeneous=True, bounds=None):
    """Draw ``size`` values from ``Gamma(shape, mean)``, or ``mean`` repeated.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (not used when ``heterogeneous`` is False or
        ``mean`` is 0).
    shape : float
        Gamma shape ``k > 0``; the coefficient of variation is ``1/sqrt(k)``.
    mean : float
        Mean ``>= 0``, in the unit of the quantity; 0 gives zeros (a learning
        rate switched off).
    size : int
        Number of values.
    heterogeneous : bool, default=True
        If False, every value is ``mean``.
    bounds : tuple of float, optional
        ``(low, high)`` to clip the values to.

    Returns
    -------
    ndarray of shape (size,), float64
    """
    if heterogeneous and mean > 0:
        values = Gamma(shape, mean).sample(size, rng)
    else:
        values = np.full(size, float(mean))
    if bounds is not None:
        values = np.clip(values, bounds[0], bounds[1])
    return values


#: STDP parameters drawn per plastic synapse, in the order they are drawn.
STDP_PARAMETERS = ("tau_plus", "tau_minus", "eta_plus", "eta_minus")


def check_stdp_distributions(distributions):
    """Check the STDP distributions of a network and return them as plain floats.

    Parameters
    ----------
    distributions : dict
        ``{"tau_plus": {"shape": k, "mean": m}, "tau_minus": ..., "eta_plus": ...,
        "eta_minus": ..., "heterogeneous": bool, "tau_bounds": [low, high]}``:
        gamma (shape, mean) per STDP parameter (time constants in ms, clipped
        to ``tau_bounds``; a learning rate's mean may be 0), and whether values
        are drawn (True) or every synapse takes the mean (False).

    Returns
    -------
    dict
        The same layout with Python floats and bools (JSON-friendly).

    Raises
    ------
    ValueError
        Naming the entry that is missing or wrong.
    """
    expected = set(STDP_PARAMETERS) | {"heterogeneous", "tau_bounds"}
    if not isinstance(distributions, dict) or set(distributions) != expected:
        got = sorted(distributions) if isinstance(distributions, dict) else distributions
        raise ValueError(f"'stdp_distributions' must be a dict with the keys "
                         f"{sorted(expected)}; got {got!r}.")
    if not isinstance(distributions["heterogeneous"], (bool, np.bool_)):
        raise ValueError("'stdp_distributions[\"heterogeneous\"]' must be a bool; got "
                         f"{distributions['heterogeneous']!r}.")
    out = {"heterogeneous": bool(distributions["heterogeneous"])}
    try:
        low, high = (float(b) for b in distributions["tau_bounds"])
    except (TypeError, ValueError):
        low = high = float("nan")
    if not (0 < low <= high < math.inf):
        raise ValueError("'stdp_distributions[\"tau_bounds\"]' must be [low, high] with "
                         f"0 < low <= high; got {distributions['tau_bounds']!r}.")
    out["tau_bounds"] = [low, high]
    for name in STDP_PARAMETERS:
        entry = distributions[name]
        if not isinstance(entry, dict) or set(entry) != {"shape", "mean"}:
            raise ValueError(f"'stdp_distributions[{name!r}]' must be a dict with the keys "
                             f"'shape' and 'mean'; got {entry!r}.")
        shape = _positive_float("stdp_distributions", f"{name} shape", entry["shape"])
        mean = entry["mean"]
        if not name.startswith("eta") or mean != 0:
            mean = _positive_float("stdp_distributions", f"{name} mean", mean)
        out[name] = {"shape": shape, "mean": float(mean)}
    return out


def draw_stdp_parameters(distributions, n_synapses, rng):
    """Draw per-synapse STDP parameters from a network's distributions.

    The builder draws a new network's plastic synapses with it, and
    :meth:`hrsnn.Network.add_synapses` the synapses it adds.

    Parameters
    ----------
    distributions : dict
        As checked by :func:`check_stdp_distributions`.
    n_synapses : int
        Plastic synapses to draw for.
    rng : numpy.random.Generator
        Drawn from in the order of :data:`STDP_PARAMETERS`.

    Returns
    -------
    dict
        ``name -> ndarray of shape (n_synapses,)`` for ``tau_plus``,
        ``tau_minus`` (ms, clipped to ``tau_bounds``), ``eta_plus``, ``eta_minus``.
    """
    heterogeneous = distributions["heterogeneous"]
    bounds = tuple(distributions["tau_bounds"])
    return {name: sample_gamma(rng, distributions[name]["shape"], distributions[name]["mean"],
                               n_synapses, heterogeneous,
                               bounds if name.startswith("tau") else None)
            for name in STDP_PARAMETERS}
