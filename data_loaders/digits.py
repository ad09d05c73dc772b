"""scikit-learn's bundled 8x8 digits as Poisson spike trains (no download).

The paper's image protocol: every pixel drives one input channel with a
Poisson spike train whose rate is proportional to its intensity, for
``duration`` ms, followed by ``silence`` ms without input spikes.
"""

import numpy as np

from .systems import _check_int, _check_real, _rng


def _count_dtype(owner, dtype):
    dtype = np.dtype(dtype)
    if dtype.kind not in "uif":
        raise ValueError(f"The 'dtype' parameter of {owner} must be an integer or float "
                         f"dtype. Got {dtype} instead.")
    return dtype


def _fit_counts(owner, counts, dtype, hint):
    """``counts`` cast to ``dtype``, or a ValueError when they do not fit."""
    if dtype.kind in "ui" and counts.size and counts.max() > np.iinfo(dtype).max:
        raise ValueError(f"{owner}: {counts.max()} spikes in one bin do not fit in {dtype}; "
                         f"{hint}, or pass a larger dtype (e.g. np.uint16 or np.float64).")
    return counts.astype(dtype, copy=False)


def _n_bins(owner, name, value, dt):
    bins = value / dt
    if abs(bins - round(bins)) > 1e-9 * max(1.0, bins):
        raise ValueError(f"The '{name}' parameter of {owner} must be a multiple of dt={dt} ms. "
                         f"Got {value!r} instead.")
    return round(bins)


def load_digits_images(n_classes=10):
    """The 8x8 digits as intensities in [0, 1] (for current encoding).

    Parameters
    ----------
    n_classes : int, default=10
        Keep the digits ``0 .. n_classes - 1``.

    Returns
    -------
    images : ndarray of float64, shape (n_samples, 64)
        Pixel intensity / 16, rows of the 8x8 image in order.
    y : ndarray of int64, shape (n_samples,)
        Digit labels.
    """
    from sklearn.datasets import load_digits

    n_classes = _check_int("load_digits_images", "n_classes", n_classes, 1)
    if n_classes > 10:
        raise ValueError("The 'n_classes' parameter of load_digits_images must be an integer "
                         f"in the range [1, 10]. Got {n_classes!r} instead.")
    data = load_digits(n_class=n_classes)
    return data.data / 16.0, data.target.astype(np.int64)


def load_digits_spikes(duration=100.0, silence=100.0, dt=1.0, max_rate=100.0, n_classes=10,
                       random_state=0, dtype=np.uint8):
    """The 8x8 digits as Poisson spike counts per time bin, one channel per pixel.

    Pixel ``p`` of an image fires at ``intensity_p / 16 * max_rate`` Hz for
    ``duration`` ms, then every channel is silent for ``silence`` ms. Each bin
    of ``dt`` ms holds an independent Poisson count with mean
    ``rate * dt / 1000``. The result feeds ``Reservoir(encoding="spikes")``
    directly (one bin per input step; match the reservoir's ``dt`` and
    ``steps_per_input`` so that a bin lasts ``dt`` ms).

    Parameters
    ----------
    duration : float, default=100.0
        Stimulus time, ms (a multiple of ``dt``).
    silence : float, default=100.0
        Silent time after the stimulus, ms (a multiple of ``dt``, may be 0).
    dt : float, default=1.0
        Bin width, ms.
    max_rate : float, default=100.0
        Rate of a full-intensity pixel, Hz.
    n_classes : int, default=10
        Keep the digits ``0 .. n_classes - 1``.
    random_state : int, numpy.random.Generator or None, default=0
        Seed of the spike trains (same seed, same counts).
    dtype : dtype, default=np.uint8
        Type of the counts; a ValueError says when a count does not fit.

    Returns
    -------
    X : ndarray of shape (n_samples, n_bins, 64)
        Spike counts, ``n_bins = (duration + silence) / dt``; bins from
        ``duration / dt`` on are all zero.
    y : ndarray of int64, shape (n_samples,)
        Digit labels, in the order of ``sklearn.datasets.load_digits``.
    """
    owner = "load_digits_spikes"
    dt = _check_real(owner, "dt", dt, 0.0, strict=True)
    duration = _check_real(owner, "duration", duration, 0.0, strict=True)
    silence = _check_real(owner, "silence", silence, 0.0)
    max_rate = _check_real(owner, "max_rate", max_rate, 0.0)
    dtype = _count_dtype(owner, dtype)
    n_on, n_off = _n_bins(owner, "duration", duration, dt), _n_bins(owner, "silence", silence, dt)
    rng = _rng(owner, random_state)
    images, y = load_digits_images(n_classes)
    lam = images * (max_rate * dt / 1000.0)
    X = np.zeros((len(images), n_on + n_off, images.shape[1]), dtype=dtype)
    for i, lam_i in enumerate(lam):
        counts = rng.poisson(lam_i, size=(n_on, lam_i.size))
        X[i, :n_on] = _fit_counts(owner, counts, dtype, "use a smaller dt or max_rate")
    return X, y
