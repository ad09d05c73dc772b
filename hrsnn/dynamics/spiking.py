"""Largest Lyapunov exponent of a spiking reservoir by twin simulations.

The edge-of-chaos measure of the liquid-state-machine literature: a twin of
the trajectory starts ``epsilon`` away in membrane potential, both see the
same input (and the same counter-based membrane noise), and every
``renormalise_every`` input steps the growth of their distance is logged
and the twin is put back at distance ``epsilon`` along the current
separation. The twin then restarts from the reference's full state (spike
clocks, currents, traces) with only its potentials displaced.

A spike that the twin fires and the reference does not (or at another
step) makes the distance jump by about a threshold; the estimate is then a
finite-size exponent, and it depends on ``epsilon`` once such flips happen
within an interval. ``flips`` counts the intervals with a different spike
count, so a reader can tell the smooth regime (no flips: the exponent of
the subthreshold flow between spikes) from the one dominated by flips.

With delta synapses a displacement of the potentials reaches other neurons
only through flipped spikes; between spikes it decays with each neuron's
``tau_m``, and a reset erases it (both twins go to ``v_reset``). A
reservoir whose displaced neurons all spike within one interval forgets the
perturbation completely: that interval's growth is ``-inf`` (``erased``).
"""

from dataclasses import dataclass

import numpy as np
from sklearn.utils.validation import check_is_fitted

from .._validation import check_number


@dataclass(frozen=True)
class TwinExponent:
    """The result of :func:`spiking_largest_exponent`.

    Attributes
    ----------
    exponent : float
        Largest Lyapunov exponent, per ms.
    log_growth : ndarray of shape (n_intervals,)
        ``log(distance / epsilon)`` of every averaged interval.
    interval_ms : float
        Simulated time per interval, ms.
    flips : int
        Averaged intervals in which the twin's spike count differed.
    erased : int
        Intervals after which the separation was exactly 0 (every displaced
        neuron was reset): their ``log_growth`` is ``-inf``, and so is
        ``exponent``; the next interval starts a new random displacement.
    """

    exponent: float
    log_growth: np.ndarray
    interval_ms: float
    flips: int
    erased: int


def spiking_largest_exponent(reservoir, u, *, epsilon=1e-6, renormalise_every=10,
                             transient=1, random_state=0):
    """Largest Lyapunov exponent of a fitted reservoir driven by ``u``.

    Parameters
    ----------
    reservoir : Reservoir
        Fitted (its frozen network is simulated; its running state is left
        at the end of the reference trajectory).
    u : array_like of shape (n_steps, n_inputs) or (n_steps,)
        Input, as for :meth:`hrsnn.Reservoir.run` (``"current"`` encoding
        or given spikes; Poisson encoding draws new spikes per call, which
        would make the twins see different inputs).
    epsilon : float, default=1e-6
        Initial and renormalised distance of the potentials (Euclidean norm).
    renormalise_every : int, default=10
        Input steps per interval.
    transient : int, default=1
        Intervals run before the twin is launched (the first starts from the
        reset state).
    random_state : int, default=0
        Seed of the initial displacement's direction.

    Returns
    -------
    TwinExponent

    Raises
    ------
    ValueError
        If ``u`` is too short for one interval after the transient, or the
        reservoir uses Poisson encoding.
    """
    check_is_fitted(reservoir, "network_")
    if reservoir.encoding == "poisson":
        raise ValueError("spiking_largest_exponent() needs the same input for both twins; "
                         "Poisson encoding draws new spikes per run. Use encoding='current' "
                         "or pass spikes with encoding='spikes'.")
    check_number("spiking_largest_exponent", "epsilon", epsilon, "float", 0.0, low_open=True)
    check_number("spiking_largest_exponent", "renormalise_every", renormalise_every, "int", 1)
    check_number("spiking_largest_exponent", "transient", transient, "int", 1)
    u = np.asarray(u, dtype=np.float64)
    chunks = [u[s:s + renormalise_every]
              for s in range(0, len(u) - renormalise_every + 1, renormalise_every)]
    if len(chunks) <= transient:
        raise ValueError(f"'u' has {len(u)} steps: fewer than the {transient + 1} intervals "
                         f"of {renormalise_every} steps that one averaged interval needs.")
    for k, chunk in enumerate(chunks[:transient]):
        reservoir.run(chunk, reset=k == 0, record_spikes=False)
    rng = np.random.default_rng(random_state)
    displacement = _random_displacement(rng, reservoir.network_.n_neurons, epsilon)
    log_growth, flips = [], 0
    for chunk in chunks[transient:]:
        start = reservoir.get_state()
        twin = dict(start, v=start["v"] + displacement)
        reservoir.set_state(twin)
        twin_counts = reservoir.run(chunk, reset=False, record_spikes=False).counts
        twin_v = reservoir.get_state()["v"]
        reservoir.set_state(start)
        counts = reservoir.run(chunk, reset=False, record_spikes=False).counts
        v = reservoir.get_state()["v"]
        distance = np.linalg.norm(twin_v - v)
        flips += int(not np.array_equal(counts, twin_counts))
        if distance > 0:
            log_growth.append(np.log(distance / epsilon))
            displacement = (twin_v - v) * (epsilon / distance)
        else:                        # every displaced neuron was reset: erased
            log_growth.append(-np.inf)
            displacement = _random_displacement(rng, len(v), epsilon)
    interval = renormalise_every * reservoir.steps_per_input * reservoir.dt
    log_growth = np.array(log_growth)
    return TwinExponent(float(log_growth.mean() / interval), log_growth, float(interval), flips,
                        int(np.isinf(log_growth).sum()))


def _random_displacement(rng, n, epsilon):
    direction = rng.standard_normal(n)
    return epsilon * direction / np.linalg.norm(direction)
