"""Data sets and reference networks for hrsnn (nothing is downloaded).

Time series, digits and SHD loaders arrive with the tasks; for now this holds
the HRSNN-2000 benchmark network of ``shared/bench`` (Brian2 reference).
"""

from .hrsnn2000 import BRIAN2_VALIDATION, load_hrsnn2000

__all__ = ["BRIAN2_VALIDATION", "load_hrsnn2000"]
