"""One reservoir of a study: its inputs, its construction and its record of measurements."""

import numpy as np

from .. import metrics
from ..heterogeneity import PRESETS
from ..readout._common import STEP_FEATURES, _recording, _step_features
from ..reservoir import Reservoir

__all__ = ["STUDY_INPUT", "VARIANTS", "effective_rank_inputs", "effective_rank_record",
           "memory_capacity_inputs", "memory_capacity_record", "reservoir_memory_capacity",
           "study_reservoir"]

#: The four presets, in the paper's order.
VARIANTS = tuple(PRESETS)

#: Reservoir parameters the studies use unless ``**reservoir_params`` override them.
STUDY_INPUT = {"w_in_dist": "uniform", "w_in": 10.0, "p_in": 1.0}

# Extra entropy for the input streams, so that inputs never reuse the
# SeedSequence of the network built with the same seed.
_MC_KEY, _RANK_KEY = 0x4D43, 0x52414E4B


# ---------------------------------------------------------------- building
def study_reservoir(variant, seed, n_neurons=500, **params):
    """The unfitted reservoir a study uses for one preset and seed.

    Parameters
    ----------
    variant : {"HoNHoS", "HoNHeS", "HeNHoS", "HeNHeS"}
        Heterogeneity preset.
    seed : int
        ``random_state`` of the reservoir.
    n_neurons : int, default=500
    **params
        Any other :class:`~hrsnn.Reservoir` parameter; overrides
        :data:`STUDY_INPUT`.

    Returns
    -------
    Reservoir
    """
    return Reservoir(n_neurons, heterogeneity=variant, random_state=seed,
                     **{**STUDY_INPUT, **params})


def _input_rng(seed, key):
    return np.random.default_rng([int(seed), key])


def memory_capacity_inputs(seed, n_steps=3000, n_fit_steps=1000):
    """STDP input and measuring input of the memory-capacity study for one seed.

    Parameters
    ----------
    seed : int
    n_steps : int, default=3000
        Length of the measuring input, input steps.
    n_fit_steps : int, default=1000
        Length of the STDP input, input steps.

    Returns
    -------
    u_fit : ndarray of shape (n_fit_steps,)
    u : ndarray of shape (n_steps,)
        Both i.i.d. ``U(-0.5, 0.5)`` (:func:`hrsnn.metrics.memory_capacity_input`),
        independent of each other.
    """
    rng = _input_rng(seed, _MC_KEY)
    u_fit = metrics.memory_capacity_input(n_fit_steps, random_state=rng)
    return u_fit, metrics.memory_capacity_input(n_steps, random_state=rng)


def effective_rank_inputs(seed, n_stimuli=200, n_steps=50, n_fit=20):
    """STDP sequences and stimuli of the effective-rank study for one seed.

    Parameters
    ----------
    seed : int
    n_stimuli : int, default=200
        Stimuli whose final states form the rank matrix.
    n_steps : int, default=50
        Input steps per sequence.
    n_fit : int, default=20
        STDP sequences (independent of the stimuli).

    Returns
    -------
    X_fit : ndarray of shape (n_fit, n_steps, 1)
    X : ndarray of shape (n_stimuli, n_steps, 1)
        I.i.d. ``U(-0.5, 0.5)`` values, as in the memory-capacity study.
    """
    rng = _input_rng(seed, _RANK_KEY)
    X_fit = rng.uniform(-0.5, 0.5, size=(n_fit, n_steps, 1))
    return X_fit, rng.uniform(-0.5, 0.5, size=(n_stimuli, n_steps, 1))


# ---------------------------------------------------------------- records
def _activity(spikes, reservoir, n_input_steps, n_sequences=1):
    """Activation (spikes per neuron per simulation step) and mean rate (Hz)."""
    n_sim_steps = n_input_steps * reservoir.steps_per_input * n_sequences
    activation = metrics.average_activation(spikes, reservoir.n_neurons, n_sim_steps)
    return {"activation": activation, "rate_hz": activation * 1000.0 / reservoir.dt}


def _plastic_mean(reservoir):
    net = reservoir.network_
    return float(net.weight[net.plastic].mean()) if net.plastic.any() else float("nan")


def memory_capacity_record(variant, seed, *, n_neurons=500, n_steps=3000,
                           n_fit_steps=1000, k_max=50, washout=100, **reservoir_params):
    """Memory capacity, spikes and spike efficiency of one reservoir.

    Builds :func:`study_reservoir`, fits it (STDP) on ``u_fit`` and runs it
    from the reset state on ``u`` (:func:`memory_capacity_inputs`); ``MC`` is
    :func:`hrsnn.metrics.memory_capacity` of the filtered spike trains of that
    run, ``S`` its recurrent spike count.

    Parameters
    ----------
    variant : str
        Heterogeneity preset.
    seed : int
        Seed of the reservoir and of both inputs.
    n_neurons, n_steps, n_fit_steps : int
        See :func:`memory_capacity_study`.
    k_max, washout : int
        Passed to :func:`hrsnn.metrics.memory_capacity`.
    **reservoir_params
        Other :class:`~hrsnn.Reservoir` parameters.

    Returns
    -------
    dict
        ``variant``, ``seed``, ``n_neurons``, ``mc`` (delays), ``mc_per_delay``
        (list of ``k_max`` floats), ``spikes`` (S), ``mc_per_spike``
        (``MC / (S / N)``), ``mc_v`` and ``mc_v_per_spike`` (the same from the
        membrane potentials, the continuous state), ``activation`` (``S / (N T)``, T in simulation
        steps), ``rate_hz`` (mean rate, Hz) and ``w_ee_mean`` (mean plastic
        weight after STDP).
    """
    u_fit, u = memory_capacity_inputs(seed, n_steps, n_fit_steps)
    reservoir = study_reservoir(variant, seed, n_neurons, **reservoir_params)
    mcs, result = reservoir_memory_capacity(reservoir, u_fit, u, k_max=k_max, washout=washout,
                                            features=("states", "v"))
    mc = mcs["states"]
    spikes = metrics.spike_count(result)
    return {"variant": variant, "seed": int(seed), "n_neurons": int(n_neurons),
            "mc": mc.total, "mc_per_delay": mc.per_delay.tolist(), "spikes": spikes,
            "mc_per_spike": metrics.spike_efficiency(mc, spikes, n_neurons),
            "mc_v": mcs["v"].total,
            "mc_v_per_spike": metrics.spike_efficiency(mcs["v"], spikes, n_neurons),
            **_activity(spikes, reservoir, n_steps), "w_ee_mean": _plastic_mean(reservoir)}


def reservoir_memory_capacity(reservoir, u_fit, u, *, k_max=50, washout=100,
                              features=("states",)):
    """Fit a reservoir (STDP) on ``u_fit``, run it on ``u``, measure MC of its step features.

    The run starts from the reset state; every feature is a per-input-step
    record of the run (``states``: filtered spike trains; ``v``: membrane
    potentials) and gets its own :func:`hrsnn.metrics.memory_capacity`.

    Parameters
    ----------
    reservoir : Reservoir
        Unfitted, one input channel; fitted in place.
    u_fit, u : ndarray of shape (n_fit_steps,) and (n_steps,)
        STDP input and measuring input (:func:`memory_capacity_inputs`).
    k_max, washout : int
        Passed to :func:`hrsnn.metrics.memory_capacity`.
    features : tuple of {"states", "v", "currents", "adaptation", "traces"}, default=("states",)
        Step features by name (:data:`hrsnn.readout.STEP_FEATURES` but the
        input), each measured on its own.

    Returns
    -------
    mcs : dict
        ``feature -> MemoryCapacity``.
    result : SimulationResult
        The measuring run (counts, no spike list).
    """
    allowed = tuple(name for name in STEP_FEATURES if name != "input")
    if not features or isinstance(features, str) or not set(features) <= set(allowed):
        raise ValueError("The 'features' argument of reservoir_memory_capacity() must be a "
                         f"non-empty tuple of names from {allowed}. Got {features!r} instead.")
    reservoir.fit(np.asarray(u_fit, dtype=float)[None, :, None])
    result = reservoir.run(u, record_spikes=False, **_recording(features))
    return {name: metrics.memory_capacity(_step_features(result, None, name), u, k_max=k_max,
                                          washout=washout) for name in features}, result


def effective_rank_record(variant, seed, *, n_neurons=500, n_stimuli=200, n_steps=50,
                          n_fit=20, energy=0.99, n_jobs=None, **reservoir_params):
    """Effective rank of the final-state matrix of one reservoir, and its spikes.

    Builds :func:`study_reservoir` with ``features="final"``, fits it (STDP)
    on ``X_fit`` and transforms the stimuli ``X``
    (:func:`effective_rank_inputs`), each from the reset state; the rank is
    :func:`hrsnn.metrics.effective_rank` of the resulting
    ``(n_stimuli, n_neurons)`` matrix of filtered spike trains at the end of
    each stimulus.

    Parameters
    ----------
    variant : str
    seed : int
    n_neurons, n_stimuli, n_steps, n_fit : int
        See :func:`effective_rank_study`.
    energy : float, default=0.99
        Fraction of the singular-value sum the rank holds.
    n_jobs : int or None
        Threads for ``transform``; the result does not depend on it.
    **reservoir_params
        Other :class:`~hrsnn.Reservoir` parameters.

    Returns
    -------
    dict
        ``variant``, ``seed``, ``n_neurons``, ``n_stimuli``, ``rank``,
        ``spikes`` (S over all stimuli), ``spikes_per_stimulus``,
        ``activation``, ``rate_hz`` and ``w_ee_mean``.
    """
    X_fit, X = effective_rank_inputs(seed, n_stimuli, n_steps, n_fit)
    params = {**reservoir_params, "features": "final", "n_jobs": n_jobs}
    reservoir = study_reservoir(variant, seed, n_neurons, **params).fit(X_fit)
    final = reservoir.transform(X)
    spikes = metrics.spike_count(reservoir.set_params(features="counts").transform(X))
    spikes = round(spikes)  # counts come back as float64; an exact integer
    return {"variant": variant, "seed": int(seed), "n_neurons": int(n_neurons),
            "n_stimuli": int(n_stimuli), "rank": metrics.effective_rank(final, energy=energy),
            "spikes": spikes, "spikes_per_stimulus": spikes / n_stimuli,
            **_activity(spikes, reservoir, n_steps, n_stimuli),
            "w_ee_mean": _plastic_mean(reservoir)}

