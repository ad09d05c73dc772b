"""Data sets and reference networks for hrsnn (nothing is downloaded).

Chaotic systems (``systems``), float64 arrays of shape (n_steps, n_dims):

* :func:`lorenz63`, :func:`rossler`, :func:`lorenz96`,
  :func:`multiscale_lorenz96` (Thornes et al. 2017), :func:`mackey_glass`;
* :func:`narma`: inputs and output of the NARMA task;
* :data:`SYSTEMS` and :func:`load_system` (by name), :data:`LYAPUNOV_EXPONENTS`,
  :data:`DEFAULT_DT` (each system's default sampling step).

Forecasting (``forecasting``): :func:`to_forecasting` makes (input, target) pairs.

Classification as spikes:

* :func:`load_digits_spikes`, :func:`load_digits_images`: scikit-learn's bundled
  8x8 digits as Poisson spike counts or as intensities in [0, 1];
* :func:`load_shd`, :func:`write_shd`, :data:`SHD_LAYOUT`: Spiking Heidelberg
  Digits from (or to) a local HDF5 file.

Simulator benchmark: :func:`load_hrsnn2000` (plain arrays) and
:data:`BRIAN2_VALIDATION`, the HRSNN-2000 network of ``shared/bench`` (Brian2
reference); :func:`hrsnn.reference.load_hrsnn2000` makes it a ``Network``.

This package never imports ``hrsnn`` (nor numba).
"""

from .digits import load_digits_images, load_digits_spikes
from .forecasting import to_forecasting
from .hrsnn2000 import BRIAN2_VALIDATION, load_hrsnn2000
from .shd import SHD_LAYOUT, load_shd, write_shd
from .systems import (DEFAULT_DT, LYAPUNOV_EXPONENTS, SYSTEMS, load_system, lorenz63, lorenz96,
                      mackey_glass, multiscale_lorenz96, narma, rossler)

__all__ = [
    "BRIAN2_VALIDATION",
    "DEFAULT_DT",
    "LYAPUNOV_EXPONENTS",
    "SHD_LAYOUT",
    "SYSTEMS",
    "load_digits_images",
    "load_digits_spikes",
    "load_hrsnn2000",
    "load_shd",
    "load_system",
    "lorenz63",
    "lorenz96",
    "mackey_glass",
    "multiscale_lorenz96",
    "narma",
    "rossler",
    "to_forecasting",
    "write_shd",
]
