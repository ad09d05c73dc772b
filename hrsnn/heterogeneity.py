"""Gamma distributions parameterised by (shape, mean), and the paper's presets.

Every heterogeneous quantity of the network (membrane time constants and
thresholds per neuron, STDP time constants and learning rates per synapse) is
drawn from a gamma distribution given by its *shape* ``k`` and its *mean*
``m`` (scale ``m / k``, coefficient of variation ``1 / sqrt(k)``). A
homogeneous quantity takes the mean for every element, so a homogeneous and a
heterogeneous network with the same means are directly comparable.
"""

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


def sample_gamma(rng, shape, mean, size, heterogeneous=True, bounds=None):
    """Draw ``size`` values from Gamma(shape, mean), or ``mean`` repeated.

    Parameters
    ----------
    rng : numpy.random.Generator
        Source of randomness (not used when ``heterogeneous`` is False).
    shape : float
        Gamma shape ``k > 0``; the coefficient of variation is ``1/sqrt(k)``.
    mean : float
        Mean ``> 0`` (scale ``mean / shape``), in the unit of the quantity.
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
    if heterogeneous:
        values = rng.gamma(shape, mean / shape, size)
    else:
        values = np.full(size, float(mean))
    if bounds is not None:
        values = np.clip(values, bounds[0], bounds[1])
    return values

