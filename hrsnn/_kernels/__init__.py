"""Numba kernels: the only part of ``hrsnn`` that imports numba.

Plain contiguous arrays in, arrays out; shapes and dtypes are the callers' job
(``hrsnn.simulator``).
"""

from .lif import NEVER_SPIKED, exp_decay, input_current, run_steps

__all__ = ["NEVER_SPIKED", "exp_decay", "input_current", "run_steps"]
