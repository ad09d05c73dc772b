"""Writing study records to files (JSON and CSV)."""

import csv
import json
from pathlib import Path

import numpy as np

__all__ = ["save_records"]


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

