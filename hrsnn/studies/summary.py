"""Summaries of study records over seeds: mean and std, paired differences, text tables."""

import math
from typing import NamedTuple

import numpy as np

__all__ = ["Stat", "format_paired_differences", "format_stat", "format_summary", "paired_difference", "summarize"]

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


def format_paired_differences(records, pairs, *, labels=None):
    """Text lines of :func:`paired_difference` for several (key, variant, reference).

    Parameters
    ----------
    records : list of dict
    pairs : sequence of (str, str, str)
        ``(key, variant, reference)``: the measurement and the two presets.
    labels : dict or None, default=None
        Display name per key (default the key).

    Returns
    -------
    str
        A heading, then one line per pair: ``key: variant - reference = mean
        ± std (k/n seeds higher)``.
    """
    labels = labels or {}
    width = max((len(labels.get(key, key)) for key, _, _ in pairs), default=0)
    lines = ["paired differences over seeds (mean ± std, seeds where the first is higher):"]
    for key, variant, reference in pairs:
        diff, n_higher = paired_difference(records, key, variant, reference)
        lines.append(f"  {labels.get(key, key):>{width}}: {variant} - {reference} = "
                     f"{format_stat(diff, sign=True)} ({n_higher}/{diff.n} seeds higher)")
    return "\n".join(lines)


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
    """``"mean ± std"`` of a :class:`Stat`; the mean alone when the std is undefined (one run).

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
    mean = f"{stat.mean:{'+' if sign else ''}.{digits}f}"
    return mean if math.isnan(stat.std) else f"{mean} ± {stat.std:.{digits}f}"


def _digits(values):
    """Decimals that show about four significant digits of the largest value."""
    largest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if largest == 0:
        return 3
    return int(min(6, max(0, 3 - math.floor(math.log10(largest)))))


