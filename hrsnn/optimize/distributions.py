"""Gamma distributions given by (shape, mean): the objects the optimiser searches over.

A candidate of the Wasserstein Bayesian optimisation (SPEC §8) is a set of
parameter *distributions*; every one of them is a gamma distribution with shape
``k`` and mean ``m`` (scale ``m / k``, standard deviation ``m / sqrt(k)``),
exactly the ``(shape, mean)`` pairs that :class:`hrsnn.Reservoir` takes.
"""

import math
import numbers
from dataclasses import dataclass

import numpy as np
from scipy import stats


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
