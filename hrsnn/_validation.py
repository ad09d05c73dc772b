"""Checks of user-facing parameters, with messages that say how to fix them.

Finite in, finite out: every quantity in the unit of the membrane potential
(potentials, thresholds, weights, input currents, bias, noise, learning
rates) is at most :data:`MAX_MAGNITUDE` in magnitude, and every time
constant at least ``1 / MAX_MAGNITUDE``. Within these bounds the simulation
cannot overflow: its sums, products (``w / tau_syn``, ``beta * a``) and even
the squares a readout takes of its states stay far below the largest float
(1.8e308). Values beyond them are refused with a message naming the argument
rather than turning into inf or NaN halfway through a run.
"""

import math
import numbers
import sys

import numpy as np

#: Largest magnitude of a potential, weight, input current, bias, noise or
#: learning rate; time constants are at least its inverse.
MAX_MAGNITUDE = 1e100

#: Largest integer parameter (the kernel counts in int64).
MAX_INT = np.iinfo(np.int64).max


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
    if high is not None:
        return f"{what} <= {high}"
    return what


def shown(value):
    """``repr(value)`` for a message, shortened (a huge integer by its digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10 ** 30:
        return f"an integer of {len(str(abs(value)))} digits"
    text = repr(value)
    return text if len(text) <= 100 else text[:80] + "..."


def _is_sparse(value):
    """Whether ``value`` is a scipy sparse array or matrix.

    ``scipy.sparse`` is not imported for it (a tenth of a second): if it is
    not loaded, nothing can be one of its arrays.
    """
    sparse = sys.modules.get("scipy.sparse")
    return sparse is not None and sparse.issparse(value)


def is_real(value):
    """Whether ``value`` is an int or float (Python or numpy), not a bool.

    Other real types (``Fraction``, ``Decimal``) are refused: parameters are
    saved as JSON and handed to compiled kernels, which take neither.
    """
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)))


def is_finite(value):
    """Whether the real number ``value`` is finite as a float (huge ints are not)."""
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


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
        ``"float"`` takes an int or float (Python or numpy, not a bool);
        ``"int"`` an integer that fits in int64.
    low, high : float, optional
        Bounds (``high`` inclusive; ``low`` inclusive unless ``low_open``).
    allow_none : bool
        Whether None is accepted.
    """
    if value is None and allow_none:
        return
    if kind == "int" and high is None and isinstance(value, (int, np.integer)) and (
            value > MAX_INT):
        high = MAX_INT                       # say so only when it matters
    expected = _describe(kind, low, high, low_open)
    if allow_none:
        expected += " or None"
    if kind == "bool":
        ok_type = isinstance(value, (bool, np.bool_))
    elif kind == "int":
        ok_type = isinstance(value, (int, np.integer)) and not isinstance(value, bool)
    else:
        ok_type = is_real(value)
    message = (f"The '{name}' parameter of {owner} must be {expected}. Got {shown(value)} "
               "instead.")
    if not ok_type:
        if kind == "float" and isinstance(value, numbers.Real) and not isinstance(value, bool):
            message += " Pass an int or a float, e.g. float(value)."
        raise TypeError(message)
    if kind == "bool":
        return
    if not is_finite(value):
        raise ValueError(message)
    number = int(value) if kind == "int" else float(value)   # no numpy casts
    too_low = low is not None and (number <= low if low_open else number < low)
    too_high = high is not None and number > high
    if too_low or too_high:
        raise ValueError(message)


def check_choice(owner, name, value, options):
    """Raise a ValueError unless ``value`` is one of ``options``."""
    if not isinstance(value, str) or value not in options:
        raise ValueError(f"The '{name}' parameter of {owner} must be one of "
                         f"{', '.join(repr(o) for o in options)}. Got {shown(value)} "
                         "instead.")


def check_seed(owner, value, name="random_state"):
    """Raise unless ``value`` is None, an integer >= 0, a RandomState or a Generator."""
    if value is None or isinstance(value, (np.random.RandomState, np.random.Generator)):
        return
    message = (f"The '{name}' parameter of {owner} must be None, an integer >= 0, a "
               f"numpy.random.RandomState or a numpy.random.Generator. Got {shown(value)} "
               "instead.")
    if not isinstance(value, (int, np.integer)) or isinstance(value, (bool, np.bool_)):
        raise TypeError(message)
    if value < 0:
        raise ValueError(message)


def as_real_array(value, name, owner, allow_bool=True):
    """``value`` as a float64 array, or an error naming ``name`` of ``owner``.

    Numbers (also in object arrays) are converted; complex numbers, strings,
    other objects and ragged nestings are refused (ValueError, or TypeError
    for objects that are no numbers, as numpy's conversion says). The array
    may hold NaN or inf; the caller checks finiteness and shape.

    Parameters
    ----------
    value : array_like
    name, owner : str
        The argument and the class or function, for the message.
    allow_bool : bool, default=True
        Whether booleans are taken as 0 and 1.

    Returns
    -------
    ndarray of float64
    """
    where = f"'{name}' of {owner}"
    if _is_sparse(value):
        raise TypeError(f"{where} must be a dense array; got a sparse matrix (a sparse "
                        "input is not supported). Convert it with .toarray().")
    try:
        arr = np.asarray(value)
    except ValueError as err:     # ragged nesting
        raise ValueError(f"{where} must be an array of real numbers; got a nesting numpy "
                         f"cannot make an array of ({err}).") from None
    kind = arr.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: {where} must hold real numbers; it "
                         "holds complex values (their imaginary part would be lost). Pass "
                         "the real part (np.real) if that is what you mean.")
    if kind in "USV" or (kind == "b" and not allow_bool) or kind in "mM":
        raise ValueError(f"{where} must hold real numbers; got an array of dtype "
                         f"{arr.dtype}.")
    if kind == "O":
        items = arr.ravel().tolist()
        if any(isinstance(x, (complex, np.complexfloating)) for x in items):
            raise ValueError(f"Complex data not supported: {where} must hold real "
                             "numbers; it holds complex values.")
        if any(isinstance(x, (str, bytes)) for x in items):
            raise ValueError(f"{where} must hold real numbers; it holds strings.")
        try:
            return arr.astype(np.float64)
        except TypeError as err:
            raise TypeError(f"{where} must hold real numbers: {err}.") from None
        except (ValueError, OverflowError) as err:
            raise ValueError(f"{where} must hold real numbers: {err}.") from None
    return np.asarray(arr, dtype=np.float64)


def check_magnitude(arr, name, owner, limit=MAX_MAGNITUDE, hint="Rescale it."):
    """Raise a ValueError if a value of the finite array ``arr`` exceeds ``limit`` in
    magnitude; the message names the first such entry (its index) and the bound."""
    arr = np.asarray(arr)
    big = np.abs(arr) > limit
    if np.any(big):
        index = tuple(int(i) for i in np.argwhere(big)[0]) if arr.ndim else ()
        at = f" at index {index[0] if len(index) == 1 else index}" if index else ""
        raise ValueError(f"'{name}' of {owner} must hold values of magnitude at most "
                         f"{limit:g}; got {arr[index]:g}{at}. {hint}")
