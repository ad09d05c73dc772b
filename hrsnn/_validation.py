"""Checks of user-facing parameters, with messages that say how to fix them."""

import numbers

import numpy as np


def _describe(kind, low, high, low_open):
    if kind == "int":
        what = "an integer"
    elif kind == "bool":
        return "a bool"
    else:
        what = "a real number"
    if low is not None and high is not None:
        return f"{what} in the range {'(' if low_open else '['}{low}, {high}]"
    if low is not None:
        return f"{what} {'>' if low_open else '>='} {low}"
    return what


def check_number(owner, name, value, kind="float", low=None, high=None, low_open=False,
                 allow_none=False):
    """Raise a ValueError/TypeError unless ``value`` fits.

    Parameters
    ----------
    owner : str
        Class name for the message.
    name : str
        Parameter name.
    value : object
        The value given.
    kind : {"int", "float", "bool"}
    low, high : float, optional
        Bounds (``high`` inclusive; ``low`` inclusive unless ``low_open``).
    allow_none : bool
        Whether None is accepted.
    """
    if value is None and allow_none:
        return
    expected = _describe(kind, low, high, low_open)
    if allow_none:
        expected += " or None"
    if kind == "bool":
        ok_type = isinstance(value, (bool, np.bool_))
    elif kind == "int":
        ok_type = isinstance(value, numbers.Integral) and not isinstance(value, bool)
    else:
        ok_type = isinstance(value, numbers.Real) and not isinstance(value, bool)
    message = f"The '{name}' parameter of {owner} must be {expected}. Got {value!r} instead."
    if not ok_type:
        raise TypeError(message)
    if kind == "bool":
        return
    if not np.isfinite(value):
        raise ValueError(message)
    too_low = low is not None and (value <= low if low_open else value < low)
    too_high = high is not None and value > high
    if too_low or too_high:
        raise ValueError(message)


def check_choice(owner, name, value, options):
    """Raise a ValueError unless ``value`` is one of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"The '{name}' parameter of {owner} must be one of "
                         f"{', '.join(repr(o) for o in options)}. Got {value!r} instead.")
