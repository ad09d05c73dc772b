"""Writing study records to files (JSON and CSV)."""

import csv
from pathlib import Path

import numpy as np

from .._io import atomic_open, atomic_write_json

__all__ = ["save_records"]


def save_records(records, path):
    """Write records as ``<path>.json`` (every field) and ``<path>.csv`` (scalars).

    Each file is written atomically (a temporary file renamed over it), so a
    failed write leaves the previous one intact.

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
    atomic_write_json(json_path, records, what="study records", indent=1, default=_to_json)
    columns = [k for k, v in records[0].items() if not isinstance(v, (list, tuple))]
    with atomic_open(csv_path, "w", what="study records", newline="") as f:
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

