"""The studies: one record per heterogeneity preset and seed (see :mod:`hrsnn.studies`)."""

from threadpoolctl import threadpool_limits

from ..heterogeneity import PRESETS
from .records import VARIANTS, effective_rank_record, memory_capacity_record

__all__ = ["effective_rank_study", "memory_capacity_study"]


# ---------------------------------------------------------------- studies
def _run(record_fn, variants, seeds, progress, desc, blas_threads, workers, **kwargs):
    """``record_fn(variant, seed, **kwargs)`` for every pair, seeds outermost (in
    ``workers`` joblib workers unless it is None or 1)."""
    for variant in variants:
        if variant not in PRESETS:
            raise ValueError(f"Every variant must be one of {list(PRESETS)}; got "
                             f"{variant!r} instead.")
    jobs = [(variant, int(seed)) for seed in seeds for variant in variants]
    bar = _progress_bar(progress, len(jobs), desc)
    records = []
    try:
        with threadpool_limits(limits=blas_threads, user_api="blas"):
            _run_jobs(record_fn, jobs, records, bar, progress, workers, kwargs)
    finally:
        if bar is not None:
            bar.close()
    return records


def _run_jobs(record_fn, jobs, records, bar, progress, workers, kwargs):
    """Append one record per job to ``records``, in order, reporting progress after
    each; with ``workers`` (not None or 1) through joblib, so that a cluster
    backend (``joblib.parallel_config("dask")``) runs them on the cluster."""
    if workers is None or workers == 1:
        done = (record_fn(variant, seed, **kwargs) for variant, seed in jobs)
    else:
        from joblib import Parallel, delayed
        done = Parallel(n_jobs=workers, return_as="generator")(
            delayed(record_fn)(variant, seed, **kwargs) for variant, seed in jobs)
    for (variant, seed), record in zip(jobs, done):
        records.append(record)
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
                          progress=None, blas_threads=1, workers=None,
                          **reservoir_params):
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
    workers : int or None, default=None
        joblib workers over the (seed, variant) records (None: one after
        another in this process; -1: all cores). Inside
        ``joblib.parallel_config("dask")`` with a ``dask.distributed`` client
        they run on the cluster. The records do not depend on it.
    **reservoir_params
        Other :class:`~hrsnn.Reservoir` parameters (override :data:`STUDY_INPUT`).

    Returns
    -------
    list of dict
        One record per (seed, variant), seeds outermost; fields as in
        :func:`memory_capacity_record`.
    """
    return _run(memory_capacity_record, variants, seeds, progress, "memory capacity",
                blas_threads, workers,
                n_neurons=n_neurons, n_steps=n_steps, n_fit_steps=n_fit_steps,
                k_max=k_max, washout=washout, **reservoir_params)


def effective_rank_study(variants=VARIANTS, seeds=range(5), n_neurons=500, *,
                         n_stimuli=200, n_steps=50, n_fit=20, energy=0.99, n_jobs=None,
                         progress=None, blas_threads=1, workers=None, **reservoir_params):
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
    progress, blas_threads, workers, **reservoir_params
        As in :func:`memory_capacity_study`.

    Returns
    -------
    list of dict
        One record per (seed, variant); fields as in
        :func:`effective_rank_record`.
    """
    return _run(effective_rank_record, variants, seeds, progress, "effective rank",
                blas_threads, workers,
                n_neurons=n_neurons, n_stimuli=n_stimuli, n_steps=n_steps, n_fit=n_fit,
                energy=energy, n_jobs=n_jobs, **reservoir_params)

