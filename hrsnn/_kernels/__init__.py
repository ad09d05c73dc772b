"""Numba kernels: the only part of ``hrsnn`` that imports numba.

Plain contiguous arrays in, arrays out; shapes and dtypes are the callers' job
(``hrsnn.simulator``).
"""

from .lif import (NEVER_SPIKED, PS_COLUMNS, PS_ETA_MINUS, PS_ETA_PLUS, PS_TAU_MINUS,
                  PS_TAU_PLUS, PS_TIME, PS_TRACE_POST, PS_TRACE_PRE, exp_decay,
                  input_current, run_steps)

__all__ = ["NEVER_SPIKED", "PS_COLUMNS", "PS_ETA_MINUS", "PS_ETA_PLUS", "PS_TAU_MINUS",
           "PS_TAU_PLUS", "PS_TIME", "PS_TRACE_POST", "PS_TRACE_PRE", "exp_decay",
           "input_current", "run_steps"]
