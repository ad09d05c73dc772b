"""The paper's heterogeneity studies: memory capacity, spike efficiency, effective rank.

Each study builds one :class:`~hrsnn.Reservoir` per preset (``"HoNHoS"``,
``"HoNHeS"``, ``"HeNHoS"``, ``"HeNHeS"``) and seed, learns its E->E weights
by STDP on an input of its own, measures it on a fresh input and returns one
record (a flat ``dict``) per reservoir. :func:`summarize` reduces the records
to mean and standard deviation over seeds per preset, :func:`format_summary`
prints them and :func:`save_records` writes them as JSON and CSV.

* :func:`memory_capacity_study`: linear memory capacity ``MC`` of the
  filtered spike trains for an i.i.d. input ``u ~ U(-0.5, 0.5)``, the spike
  count ``S`` of that run and the spike efficiency ``MC / (S / N)``.
* :func:`effective_rank_study`: effective rank (99 % of the singular-value
  sum) of the final-state matrix over many random stimuli, and their spikes.

Input drive
-----------
With the reservoir's defaults (every input weight ``w_in = 1``, input to
30 % of the neurons, thresholds about 1) an input in ``[-0.5, 0.5]`` drives
no neuron above threshold: the reservoir stays silent and ``MC = 0``. The
studies therefore use :data:`STUDY_INPUT`: signed input weights
``U(-10, 10)`` to every neuron. A neuron held at a drive ``D`` for the
5 ms of one input step reaches threshold 1 only if
``D > 1 / (1 - exp(-5 / 20)) ~ 4.5``, so the neurons with strong input
weights respond to either sign of ``u`` and the network fires at about
7 Hz (HoNHoS) to 14 Hz (HeNHeS). Measured with N = 500 and 3 seeds (mean
``MC`` HoNHoS / HeNHeS): ``w_in = 3`` gives 0.2 / 0.8 at rates below
0.5 Hz, ``w_in = 5`` 0.9 / 1.2, ``w_in = 10`` 1.2 / 1.4, ``w_in = 20``
1.4 / 1.6 at 22 / 34 Hz; input to 30 % of the neurons gives a little less
``MC`` with most neurons silent. Any of these can be overridden through
``**reservoir_params``.

Every reservoir of one seed shares its input sequences (and, through
``random_state``, its topology), so the presets are compared pairwise. All
results are deterministic functions of the arguments; ``n_jobs`` changes
only the speed.
"""

import csv
import json
import math
from pathlib import Path
from typing import NamedTuple

import numpy as np
from threadpoolctl import threadpool_limits

from . import metrics
from .heterogeneity import PRESETS
from .reservoir import Reservoir

__all__ = [
    "STUDY_INPUT", "VARIANTS", "Stat", "effective_rank_inputs", "effective_rank_record",
    "effective_rank_study", "format_stat", "format_summary", "memory_capacity_inputs",
    "memory_capacity_record", "memory_capacity_study", "paired_difference", "save_records",
    "study_reservoir", "summarize",
]

#: The four presets, in the paper's order.
VARIANTS = tuple(PRESETS)

#: Reservoir parameters the studies use unless ``**reservoir_params`` override them.
STUDY_INPUT = {"w_in_dist": "uniform", "w_in": 10.0, "p_in": 1.0}

# Extra entropy for the input streams, so that inputs never reuse the
# SeedSequence of the network built with the same seed.
_MC_KEY, _RANK_KEY = 0x4D43, 0x52414E4B

#: Record fields that are labels, not measurements (left out of summaries).
_LABELS = ("variant", "seed")


class Stat(NamedTuple):
    """Mean and standard deviation of one measurement over seeds.

    Attributes
    ----------
    mean : float
    std : float
        Sample standard deviation (``ddof`` of :func:`summarize`); NaN for a
        single value.
    n : int
        Number of values (seeds).
    """

    mean: float
    std: float
    n: int


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
        (``MC / (S / N)``), ``activation`` (``S / (N T)``, T in simulation
        steps), ``rate_hz`` (mean rate, Hz) and ``w_ee_mean`` (mean plastic
        weight after STDP).
    """
    u_fit, u = memory_capacity_inputs(seed, n_steps, n_fit_steps)
    reservoir = study_reservoir(variant, seed, n_neurons, **reservoir_params)
    reservoir.fit(u_fit[None, :, None])
    result = reservoir.run(u, record_spikes=False)
    mc = metrics.memory_capacity(result.states, u, k_max=k_max, washout=washout)
    spikes = metrics.spike_count(result)
    return {"variant": variant, "seed": int(seed), "n_neurons": int(n_neurons),
            "mc": mc.total, "mc_per_delay": mc.per_delay.tolist(), "spikes": spikes,
            "mc_per_spike": metrics.spike_efficiency(mc, spikes, n_neurons),
            **_activity(spikes, reservoir, n_steps), "w_ee_mean": _plastic_mean(reservoir)}


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


# ---------------------------------------------------------------- studies
def _run(record_fn, variants, seeds, progress, desc, blas_threads, **kwargs):
    """``record_fn(variant, seed, **kwargs)`` for every pair, seeds outermost."""
    for variant in variants:
        if variant not in PRESETS:
            raise ValueError(f"Every variant must be one of {list(PRESETS)}; got "
                             f"{variant!r} instead.")
    jobs = [(variant, int(seed)) for seed in seeds for variant in variants]
    bar = _progress_bar(progress, len(jobs), desc)
    records = []
    try:
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            _run_jobs(record_fn, jobs, records, bar, progress, kwargs)
    finally:
        if bar is not None:
            bar.close()
    return records


def _run_jobs(record_fn, jobs, records, bar, progress, kwargs):
    """Append one record per job to ``records``, reporting progress after each."""
    for variant, seed in jobs:
        records.append(record_fn(variant, seed, **kwargs))
        if bar is not None:
            bar.set_postfix_str(f"{variant} seed {seed}")
            bar.update()
        elif callable(progress):
            progress(len(records), len(jobs), records[-1])


def _progress_bar(progress, total, desc):
    """A tqdm bar if ``progress`` is True, else None (a callable is called apart)."""
    if progress is None or progress is False or callable(progress):
        return None
    if progress is True:
        from tqdm.auto import tqdm
        return tqdm(total=total, desc=desc, unit="reservoir")
    raise ValueError("'progress' must be None, a bool or a callable "
                     f"progress(done, total, record); got {progress!r} instead.")


def memory_capacity_study(variants=VARIANTS, seeds=range(5), n_neurons=500, *,
                          n_steps=3000, n_fit_steps=1000, k_max=50, washout=100,
                          progress=None, blas_threads=1, **reservoir_params):
    """Memory capacity, spike count and spike efficiency per preset and seed.

    For every seed and variant: :func:`study_reservoir`, STDP on an i.i.d.
    input of ``n_fit_steps`` steps, then a run on a new i.i.d. input of
    ``n_steps`` steps whose filtered spike trains give ``MC`` (ridge readouts
    for delays ``1 .. k_max``, the last 30 % of rows held out) and whose
    recurrent spikes give ``S`` (see :func:`memory_capacity_record`).

    Parameters
    ----------
    variants : sequence of str, default=VARIANTS
        Heterogeneity presets.
    seeds : iterable of int, default=range(5)
        One reservoir (and input) per seed and variant.
    n_neurons : int, default=500
    n_steps : int, default=3000
        Measuring input, input steps (15 s at the default 5 ms per step).
    n_fit_steps : int, default=1000
        STDP input, input steps.
    k_max : int, default=50
        Largest delay; forgotten delays still score about ``1 / n_test``
        each by chance (about 0.06 in total at the defaults).
    washout : int, default=100
        Leading steps dropped before fitting readouts.
    progress : bool or callable, optional
        True shows a tqdm bar; a callable is called as
        ``progress(done, total, record)`` after every reservoir.
    blas_threads : int or None, default=1
        BLAS threads during the study (None leaves them as they are). The
        matrices are small, so threads gain little, and on a busy machine
        they can cost much: a 200 x 500 SVD took 1.4 s with two OpenBLAS
        threads and 5 ms with one on a loaded 2-core machine.
    **reservoir_params
        Other :class:`~hrsnn.Reservoir` parameters (override :data:`STUDY_INPUT`).

    Returns
    -------
    list of dict
        One record per (seed, variant), seeds outermost; fields as in
        :func:`memory_capacity_record`.
    """
    return _run(memory_capacity_record, variants, seeds, progress, "memory capacity",
                blas_threads,
                n_neurons=n_neurons, n_steps=n_steps, n_fit_steps=n_fit_steps,
                k_max=k_max, washout=washout, **reservoir_params)


def effective_rank_study(variants=VARIANTS, seeds=range(5), n_neurons=500, *,
                         n_stimuli=200, n_steps=50, n_fit=20, energy=0.99, n_jobs=None,
                         progress=None, blas_threads=1, **reservoir_params):
    """Effective rank of the final-state matrix and spike count per preset and seed.

    For every seed and variant: :func:`study_reservoir`, STDP on ``n_fit``
    random sequences, then the filtered spike trains at the end of each of
    ``n_stimuli`` new random sequences (each from the reset state) form the
    matrix whose effective rank measures separation (see
    :func:`effective_rank_record`).

    Parameters
    ----------
    variants : sequence of str, default=VARIANTS
    seeds : iterable of int, default=range(5)
    n_neurons : int, default=500
    n_stimuli : int, default=200
        Stimuli (rows of the final-state matrix); bounds the rank.
    n_steps : int, default=50
        Input steps per stimulus (250 ms at the default 5 ms per step).
    n_fit : int, default=20
        STDP sequences.
    energy : float, default=0.99
        Fraction of the singular-value sum the rank holds.
    n_jobs : int or None, default=None
        Threads for ``transform``; results are identical for every value.
    progress : bool or callable, optional
        True shows a tqdm bar; a callable is called as
        ``progress(done, total, record)`` after every reservoir.
    blas_threads : int or None, default=1
        BLAS threads during the study (None leaves them as they are). The
        matrices are small, so threads gain little, and on a busy machine
        they can cost much: a 200 x 500 SVD took 1.4 s with two OpenBLAS
        threads and 5 ms with one on a loaded 2-core machine.
    **reservoir_params
        Other :class:`~hrsnn.Reservoir` parameters (override :data:`STUDY_INPUT`).

    Returns
    -------
    list of dict
        One record per (seed, variant); fields as in
        :func:`effective_rank_record`.
    """
    return _run(effective_rank_record, variants, seeds, progress, "effective rank",
                blas_threads,
                n_neurons=n_neurons, n_stimuli=n_stimuli, n_steps=n_steps, n_fit=n_fit,
                energy=energy, n_jobs=n_jobs, **reservoir_params)


# ---------------------------------------------------------------- summaries
def _numeric_keys(records):
    """Scalar numeric fields present in every record, labels left out."""
    keys = [k for k, v in records[0].items() if k not in _LABELS
            and isinstance(v, (int, float, np.integer, np.floating))
            and not isinstance(v, bool)]
    return [k for k in keys if all(k in r for r in records)]


def summarize(records, keys=None, *, by="variant", ddof=1):
    """Mean and standard deviation of measurements per group (variant).

    Parameters
    ----------
    records : list of dict
        As returned by the studies.
    keys : sequence of str, optional
        Fields to summarise; default every scalar numeric field except the
        labels ``variant`` and ``seed``.
    by : str, default="variant"
        Field whose values form the groups, kept in order of first appearance.
    ddof : int, default=1
        Delta degrees of freedom of the standard deviation (1: sample std
        over seeds; NaN for a single seed).

    Returns
    -------
    dict
        ``{group: {key: Stat(mean, std, n)}}``.
    """
    if not records:
        raise ValueError("summarize() needs at least one record.")
    keys = _numeric_keys(records) if keys is None else list(keys)
    groups = {}
    for record in records:
        groups.setdefault(record[by], []).append(record)
    return {name: {key: _stat([r[key] for r in rows], ddof) for key in keys}
            for name, rows in groups.items()}


def _stat(values, ddof):
    values = np.asarray(values, dtype=float)
    std = float(values.std(ddof=ddof)) if values.size > ddof else float("nan")
    return Stat(float(values.mean()), std, int(values.size))


def paired_difference(records, key, variant, reference):
    """Per-seed difference ``variant - reference`` of one measurement.

    Parameters
    ----------
    records : list of dict
        Study records with ``variant`` and ``seed`` fields.
    key : str
        Measurement, e.g. ``"mc"``.
    variant, reference : str
        The two presets; only seeds present for both are used.

    Returns
    -------
    stat : Stat
        Mean and sample std of the differences over the shared seeds.
    n_higher : int
        Seeds where ``variant`` measured strictly more than ``reference``.
    """
    values = {(r["variant"], r["seed"]): r[key] for r in records}
    seeds = sorted({s for v, s in values if v == variant}
                   & {s for v, s in values if v == reference})
    if not seeds:
        raise ValueError(f"No seed has records for both {variant!r} and {reference!r}.")
    diff = np.array([values[variant, s] - values[reference, s] for s in seeds], dtype=float)
    return _stat(diff, 1), int(np.sum(diff > 0))


def format_summary(summary, keys=None, *, labels=None):
    """A plain-text table of a :func:`summarize` result, ``mean ± std`` per cell.

    Parameters
    ----------
    summary : dict
        ``{group: {key: Stat}}``.
    keys : sequence of str, optional
        Columns, default every key of the first group; keys missing from
        the summary are skipped.
    labels : dict, optional
        Column headers per key (default the keys).

    Returns
    -------
    str
        One header line and one line per group; every column shows about
        four significant digits of its largest mean.
    """
    first = next(iter(summary.values()))
    keys = list(first) if keys is None else [k for k in keys if k in first]
    labels = {**{k: k for k in keys}, **(labels or {})}
    digits = {k: _digits([stats[k].mean for stats in summary.values()]) for k in keys}
    header = ["variant", "n"] + [labels[k] for k in keys]
    rows = [[str(name), str(stats[keys[0]].n) if keys else ""]
            + [format_stat(stats[k], digits[k]) for k in keys]
            for name, stats in summary.items()]
    widths = [max(len(row[i]) for row in [header] + rows) for i in range(len(header))]
    return "\n".join("  ".join(cell.rjust(w) for cell, w in zip(row, widths))
                     for row in [header] + rows)


def format_stat(stat, digits=None, *, sign=False):
    """``"mean ± std"`` of a :class:`Stat`.

    Parameters
    ----------
    stat : Stat
    digits : int, optional
        Decimals; default about four significant digits of the mean (or of
        the std when it is larger).
    sign : bool, default=False
        Always show the sign of the mean (for differences).

    Returns
    -------
    str
    """
    digits = _digits([stat.mean, stat.std]) if digits is None else digits
    return f"{stat.mean:{'+' if sign else ''}.{digits}f} ± {stat.std:.{digits}f}"


def _digits(values):
    """Decimals that show about four significant digits of the largest value."""
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if largest == 0:
        return 3
    return int(min(6, max(0, 3 - math.floor(math.log10(largest)))))


def save_records(records, path):
    """Write records as ``<path>.json`` (every field) and ``<path>.csv`` (scalars).

    Parameters
    ----------
    records : list of dict
    path : str or Path
        Output path without suffix; its folder is created.

    Returns
    -------
    json_path, csv_path : Path
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    json_path, csv_path = path.with_suffix(".json"), path.with_suffix(".csv")
    json_path.write_text(json.dumps(records, indent=1, default=_to_json))
    columns = [k for k, v in records[0].items() if not isinstance(v, (list, tuple))]
    with open(csv_path, "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(records)
    return json_path, csv_path


def _to_json(value):
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")
