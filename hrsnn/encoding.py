"""Turn input sequences into what the simulator consumes.

Three encodings (SPEC section 3), all for one sequence ``u`` of shape
``(n_input_steps, n_inputs)`` whose every row lasts ``steps_per_input``
simulation steps:

* ``"current"``: ``u`` is applied as an input current through ``W_in``.
* ``"poisson"``: ``u`` scaled to ``[0, 1]`` per channel gives the rate
  ``u * max_rate`` (Hz) of independent Bernoulli spike trains (one draw per
  channel and simulation step).
* ``"spikes"``: ``u`` holds spike counts (non-negative integers) delivered
  at the first simulation step of each input step.

Random draws for one sequence come from a generator seeded by the
reservoir's seed *and the sequence's own bytes*, so a sequence is encoded
identically wherever it sits in a batch and however the batch is split
across workers.
"""

import hashlib

import numpy as np

ENCODINGS = ("current", "poisson", "spikes")


def sequence_rng(seed, u):
    """Generator seeded by ``seed`` and the content of ``u``.

    Parameters
    ----------
    seed : int
        The reservoir's seed.
    u : ndarray
        The sequence (its float64 bytes and shape are hashed).

    Returns
    -------
    numpy.random.Generator
    """
    data = np.ascontiguousarray(u, dtype=np.float64)
    digest = hashlib.blake2b(data.tobytes() + str(data.shape).encode(), digest_size=8)
    return np.random.default_rng([int(seed), int.from_bytes(digest.digest(), "little")])


def scale_unit(u, low, high):
    """Map each channel from ``[low, high]`` to ``[0, 1]`` (clipped).

    Channels with ``high == low`` map to 0. Any finite values work: when a
    difference would overflow (a range wider than 1.8e308), everything is
    halved first, which leaves the result unchanged.
    """
    with np.errstate(over="ignore", invalid="ignore"):
        span = np.where(high > low, high - low, 1.0)
        unit = (u - low) / span
    overflowed = not (np.all(np.isfinite(span)) and np.all(np.isfinite(unit)))
    if overflowed and all(np.all(np.isfinite(a)) for a in (u, low, high)):
        return scale_unit(u / 2, low / 2, high / 2)
    return np.clip(unit, 0.0, 1.0) * (high > low)


def poisson_spikes(rates_unit, steps_per_input, max_rate, dt, rng):
    """Bernoulli spike trains for rates ``rates_unit * max_rate``.

    Parameters
    ----------
    rates_unit : ndarray of shape (n_input_steps, n_inputs)
        Rates as fractions of ``max_rate``, in ``[0, 1]``.
    steps_per_input : int
        Simulation steps per input step.
    max_rate : float
        Rate of a channel at 1, Hz.
    dt : float
        Simulation step, ms.
    rng : numpy.random.Generator
        Source of the draws.

    Returns
    -------
    steps, channels : ndarray of int64
        One entry per spike, step relative to the sequence start.
    """
    p = np.repeat(rates_unit * (max_rate * dt / 1000.0), steps_per_input, axis=0)
    steps, channels = np.nonzero(rng.random(p.shape) < p)
    return steps, channels


def counted_spikes(counts, steps_per_input):
    """Spike counts per input step -> (steps, channels), one entry per spike."""
    rows, channels = np.nonzero(counts)
    repeat = np.rint(counts[rows, channels]).astype(np.int64)
    steps = np.repeat(rows * steps_per_input, repeat)
    return steps, np.repeat(channels, repeat)


def noise_seed(seed, u):
    """Seed of the membrane noise for one sequence: the reservoir's seed and ``u``'s content.

    Like the Poisson draws (:func:`sequence_rng`), the noise of a sequence
    never depends on which other sequences are simulated, nor on threads.

    Returns
    -------
    int in ``[0, 2**63)``
    """
    data = np.ascontiguousarray(u, dtype=np.float64)
    digest = hashlib.blake2b(b"noise" + data.tobytes() + str(data.shape).encode(),
                             digest_size=8)
    state = np.random.SeedSequence([int(seed), int.from_bytes(digest.digest(), "little")])
    return int(state.generate_state(1, np.uint64)[0] >> np.uint64(1))


def encode(u, encoding, steps_per_input, dt, max_rate, low, high, seed, noisy=True):
    """Keyword arguments for :meth:`hrsnn.simulator.Simulator.run` for one sequence.

    Parameters
    ----------
    u : ndarray of shape (n_input_steps, n_inputs)
        The sequence.
    encoding : {"current", "poisson", "spikes"}
    steps_per_input : int
    dt : float
        ms.
    max_rate : float
        Hz (Poisson only).
    low, high : ndarray of shape (n_inputs,)
        Per-channel range mapped to ``[0, 1]`` (Poisson only).
    seed : int
        Reservoir seed (Poisson draws and membrane noise).
    noisy : bool, default=True
        Whether the network has membrane noise; without, ``noise_seed`` is 0
        (it would not be used) and costs no hash of ``u``.

    Returns
    -------
    dict
        ``n_steps``, ``steps_per_input``, ``noise_seed`` and ``current`` or
        ``input_spikes``.
    """
    kwargs = {"n_steps": u.shape[0] * steps_per_input, "steps_per_input": steps_per_input,
              "noise_seed": noise_seed(seed, u) if noisy else 0}
    if encoding == "current":
        kwargs["current"] = u
    elif encoding == "poisson":
        rng = sequence_rng(seed, u)
        kwargs["input_spikes"] = poisson_spikes(scale_unit(u, low, high), steps_per_input,
                                                max_rate, dt, rng)
    else:
        kwargs["input_spikes"] = counted_spikes(u, steps_per_input)
    return kwargs
