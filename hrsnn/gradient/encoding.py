"""Static samples -> time-major inputs ``(T, batch, features)``.

* ``"current"`` (direct input, DPAP's and BrainCog's default): the sample is
  the input current at every one of the ``T`` steps.
* ``"poisson"`` (rate coding): at every step each feature spikes (1) with
  probability ``clip(x, 0, 1)``, independently; a full-intensity pixel
  fires at every step. This is the dense form of
  :func:`hrsnn.encoding.poisson_spikes` with ``max_rate * dt / 1000 = 1``.

Samples that are already time-resolved, ``(batch, T, features)`` (e.g.
:func:`data_loaders.load_digits_spikes` with ``duration = T * dt`` and
``silence = 0``), are only moved to time-major order.
"""

import numpy as np

from .._validation import check_choice, check_number
from ..encoding import sequence_rng

ENCODINGS = ("current", "poisson")


def encode(X, n_steps, encoding="current", rng=None, seed=0):
    """Present samples over time.

    Parameters
    ----------
    X : array_like of shape (batch, features) or (batch, T, features)
        Static samples (features in [0, 1] for ``"poisson"``), or samples
        already given per step (then ``n_steps`` and ``encoding`` are unused).
    n_steps : int
        Time steps ``T``.
    encoding : {"current", "poisson"}, default="current"
    rng : numpy.random.Generator, optional
        Source of the Poisson draws for the whole batch (training). Without
        it every sample gets its own generator seeded by ``seed`` and the
        sample's content (:func:`hrsnn.encoding.sequence_rng`), so a sample is
        encoded identically in any batch (inference).
    seed : int, default=0
        See ``rng``.

    Returns
    -------
    ndarray of float64, shape (T, batch, features)
        A read-only broadcast view for ``"current"``.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim == 3:
        return np.ascontiguousarray(X.transpose(1, 0, 2))
    if X.ndim != 2:
        raise ValueError("encode expects samples of shape (batch, features) or (batch, n_steps, "
                         f"features). Got shape {X.shape} instead; flatten images to "
                         "features (the conv builders reshape them back).")
    check_number("encode", "n_steps", n_steps, "int", 1)
    check_choice("encode", "encoding", encoding, ENCODINGS)
    if encoding == "current":
        return np.broadcast_to(X, (n_steps,) + X.shape)
    p = np.clip(X, 0.0, 1.0)
    if rng is not None:
        return (rng.random((n_steps,) + X.shape) < p).astype(np.float64)
    out = np.empty((n_steps,) + X.shape)
    for i, x in enumerate(X):
        out[:, i] = sequence_rng(seed, x).random((n_steps, x.size)) < p[i]
    return out
