"""Spiking Heidelberg Digits (Cramer et al. 2020) from a local HDF5 file.

Nothing is downloaded. The layout (that of ``shd_train.h5`` / ``shd_test.h5``):

* ``spikes/times``: one ragged float16 array per sample, spike times in s;
* ``spikes/units``: one ragged uint16 array per sample, channels 0..699;
* ``labels``: uint16, one per sample (20 classes);
* ``extra/keys``: the class names; ``extra/speaker``: uint16 speaker ids.

:func:`write_shd` writes that layout, e.g. to make tiny files for tests.
"""

import warnings
from pathlib import Path

import numpy as np

from .digits import _count_dtype, _fit_counts
from .systems import _check_int, _check_real

SHD_LAYOUT = ("spikes/times (ragged float16, s), spikes/units (ragged uint16), "
              "labels (uint16), extra/keys, extra/speaker")
_REQUIRED = ("spikes/times", "spikes/units", "labels")
#: Largest array of counts load_shd builds (a guard against absurd ``n_bins``).
MAX_OUTPUT_BYTES = 8 * 2 ** 30


def _read(path, max_samples):
    """Spike times, units and labels of the first ``max_samples`` samples."""
    import h5py

    if not path.is_file():
        raise FileNotFoundError(f"SHD file '{path}' does not exist (nothing is downloaded; "
                                "pass the path of a local shd_train.h5 or shd_test.h5).")
    with h5py.File(path, "r") as f:
        for name in _REQUIRED:
            if not isinstance(f.get(name), h5py.Dataset):
                raise ValueError(f"SHD file '{path}' has no '{name}' dataset; expected the "
                                 f"layout {SHD_LAYOUT}.")
        times, units, labels = (f[name] for name in _REQUIRED)
        if not len(times) == len(units) == len(labels):
            raise ValueError(f"SHD file '{path}' has {len(times)} spike-time arrays, "
                             f"{len(units)} unit arrays and {len(labels)} labels; they must "
                             "be as many.")
        stop = len(labels) if max_samples is None else min(max_samples, len(labels))
        return times[:stop], units[:stop], _labels(path, labels[:stop])


def _labels(path, raw):
    """Labels as int64, or a ValueError naming the first bad one."""
    raw = np.asarray(raw)
    if raw.ndim != 1:
        raise ValueError(f"SHD file '{path}': 'labels' must be one number per sample; got "
                         f"shape {raw.shape}.")
    if raw.size and not (np.issubdtype(raw.dtype, np.integer)
                         or np.issubdtype(raw.dtype, np.floating)):
        raise ValueError(f"SHD file '{path}': 'labels' must be integers; got dtype "
                         f"{raw.dtype}.")
    bad = ~np.isfinite(raw) | (raw < 0) | (raw != np.round(raw)) if raw.size else raw
    if np.any(bad):
        i = int(np.flatnonzero(bad)[0])
        raise ValueError(f"SHD file '{path}': label {raw[i]} of sample {i} is not a "
                         "non-negative integer.")
    return raw.astype(np.int64)


def _sample_arrays(path, i, times, units, n_units):
    """Spike times (float64, s) and units (int64) of sample ``i``, checked."""
    times, units = np.asarray(times).ravel(), np.asarray(units).ravel()
    where = f"SHD file '{path}', sample {i}"
    if np.iscomplexobj(times) or not (times.size == 0 or np.issubdtype(times.dtype, np.number)):
        raise ValueError(f"{where}: spike times must be real numbers (s); got dtype "
                         f"{times.dtype}.")
    if times.shape != units.shape:
        raise ValueError(f"{where}: {times.size} spike times but {units.size} units; they "
                         "must be as many.")
    t = times.astype(np.float64)
    if t.size and not np.all(t >= 0):
        first = int(np.flatnonzero(~(t >= 0))[0])
        raise ValueError(f"{where}: spike time {t[first]} (spike {first}) is negative or "
                         "NaN; times are seconds from the sample's start.")
    if units.size and not (np.issubdtype(units.dtype, np.integer) or (
            np.issubdtype(units.dtype, np.floating) and np.all(units == np.round(units)))):
        bad = int(np.flatnonzero(units != np.round(units))[0]) if np.issubdtype(
            units.dtype, np.floating) else 0
        raise ValueError(f"{where}: unit {units[bad]} (spike {bad}) is not an integer "
                         "channel.")
    u = units.astype(np.int64)
    outside = (u < 0) | (u >= n_units)
    if np.any(outside):
        bad = int(np.flatnonzero(outside)[0])
        raise ValueError(f"{where}: unit {units[bad]} (spike {bad}) is outside [0, "
                         f"n_units={n_units}); pass the file's n_units.")
    return t, u


def _bin_sample(path, i, times, units, n_bins, duration, n_units):
    """Counts of one sample, shape (n_bins, n_units); spikes at or after ``duration`` dropped.

    Also returns how many of its spikes lie at or beyond ``10 * duration``.
    """
    t, u = _sample_arrays(path, i, times, units, n_units)
    keep = t < duration
    b = np.minimum(np.floor(t[keep] * (n_bins / duration)).astype(np.int64), n_bins - 1)
    counts = np.bincount(b * n_units + u[keep], minlength=n_bins * n_units)
    return counts.reshape(n_bins, n_units), int(np.count_nonzero(t >= 10 * duration)), t.size


def load_shd(path, *, n_bins=100, duration=1.0, n_units=700, max_samples=None,
             dtype=np.uint8):
    """Binned spike counts and labels of an SHD file.

    Bin ``b`` counts the spikes with ``b * w <= t < (b + 1) * w``,
    ``w = duration / n_bins``; spikes at or after ``duration`` are dropped
    (SHD utterances last up to about 1.4 s, most under 1 s).

    Parameters
    ----------
    path : str or Path
        A local HDF5 file in the SHD layout (see :data:`SHD_LAYOUT`).
    n_bins : int, default=100
        Time bins per sample (10 ms each by default).
    duration : float, default=1.0
        Time window kept, s.
    n_units : int, default=700
        Input channels (SHD's cochlea model has 700).
    max_samples : int, optional
        Read only the first ``max_samples`` samples.
    dtype : dtype, default=np.uint8
        Type of the counts; a ValueError says when a count does not fit.

    Returns
    -------
    X : ndarray of shape (n_samples, n_bins, n_units)
        Spike counts per bin and unit; feeds ``Reservoir(encoding="spikes")``.
    y : ndarray of int64, shape (n_samples,)
        Labels.

    Raises
    ------
    FileNotFoundError
        When ``path`` does not exist.
    ValueError
        When a dataset is missing, lengths disagree, a unit is not an
        integer in range, a time is negative, NaN or complex, a label is
        not a non-negative integer, or the counts would take more than
        :data:`MAX_OUTPUT_BYTES`.

    Warns
    -----
    UserWarning
        When most spikes lie beyond ten times ``duration`` (times in ms
        rather than s would give all-zero counts).
    """
    owner = "load_shd"
    n_bins = _check_int(owner, "n_bins", n_bins, 1)
    duration = _check_real(owner, "duration", duration, 0.0, strict=True)
    n_units = _check_int(owner, "n_units", n_units, 1)
    if max_samples is not None:
        max_samples = _check_int(owner, "max_samples", max_samples, 0)
    dtype = _count_dtype(owner, dtype)
    path = Path(path)
    times, units, y = _read(path, max_samples)
    _check_output_size(path, len(y), n_bins, n_units, dtype)
    X = np.zeros((len(y), n_bins, n_units), dtype=dtype)
    far, total = 0, 0
    for i in range(len(y)):
        counts, far_i, total_i = _bin_sample(path, i, times[i], units[i], n_bins, duration,
                                             n_units)
        X[i] = _fit_counts(owner, counts, dtype, "use more n_bins")
        far, total = far + far_i, total + total_i
    if total and far > total / 2:
        warnings.warn(f"SHD file '{path}': {far} of {total} spikes lie at or beyond 10 x "
                      f"duration = {10 * duration:g} s and are dropped. SHD stores times in "
                      "seconds; are these milliseconds? Divide them by 1000.", stacklevel=2)
    return X, y


def _check_output_size(path, n_samples, n_bins, n_units, dtype):
    size = n_samples * n_bins * n_units * np.dtype(dtype).itemsize
    if size > MAX_OUTPUT_BYTES:
        raise ValueError(f"load_shd() of '{path}' with n_bins={n_bins} and n_units={n_units} "
                         f"would build {size / 2 ** 30:.1f} GiB of counts for {n_samples} "
                         f"samples (limit {MAX_OUTPUT_BYTES / 2 ** 30:.0f} GiB); use fewer "
                         "n_bins or max_samples.")


def write_shd(path, times, units, labels, speakers=None, keys=None):
    """Write spike data in the SHD layout (see :data:`SHD_LAYOUT`).

    Parameters
    ----------
    path : str or Path
        File to create (overwritten if it exists).
    times : sequence of array_like
        Per sample, spike times in s (>= 0); stored as float16 like SHD, so
        rounded to about 3 significant digits.
    units : sequence of array_like
        Per sample, the unit (0..65535) of every spike.
    labels : array_like of int, shape (n_samples,)
        Class of every sample.
    speakers : array_like of int, shape (n_samples,), optional
        Speaker ids; zeros by default.
    keys : sequence of str, optional
        Class names; ``"0", "1", ...`` up to the largest label by default.
    """
    import h5py

    labels = np.asarray(labels)
    n = len(labels)
    speakers = np.zeros(n, dtype=np.uint16) if speakers is None else np.asarray(speakers)
    if not len(times) == len(units) == n == len(speakers):
        raise ValueError(f"write_shd got {len(times)} spike-time arrays, {len(units)} unit "
                         f"arrays, {n} labels and {len(speakers)} speakers; they must be as many.")
    times = [np.asarray(t, dtype=np.float16).ravel() for t in times]
    units = [np.asarray(u).ravel() for u in units]
    for i, (t, u) in enumerate(zip(times, units)):
        if t.shape != u.shape:
            raise ValueError(f"write_shd: sample {i} has {t.size} spike times but {u.size} units.")
        if u.size and (u.min() < 0 or u.max() > np.iinfo(np.uint16).max):
            raise ValueError(f"write_shd: sample {i} has units outside [0, 65535].")
    if keys is None:
        keys = [str(c) for c in range(int(labels.max()) + 1 if n else 0)]
    with h5py.File(path, "w") as f:
        for name, data, kind in (("spikes/times", times, np.float16),
                                 ("spikes/units", units, np.uint16)):
            ds = f.create_dataset(name, (n,), dtype=h5py.vlen_dtype(np.dtype(kind)))
            for i, values in enumerate(data):
                ds[i] = values.astype(kind)
        f.create_dataset("labels", data=labels.astype(np.uint16))
        f.create_dataset("extra/speaker", data=speakers.astype(np.uint16))
        f.create_dataset("extra/keys", data=np.array(keys, dtype=object),
                         dtype=h5py.string_dtype())
