"""Numba kernels: the only part of ``hrsnn`` that imports numba.

Plain contiguous arrays in, arrays out, grouped in the named bundles of
:mod:`hrsnn._kernels.lif`; shapes and dtypes are the callers' job
(``hrsnn.simulator``).
"""

from .lif import (EVENTS_ALWAYS, EVENTS_AUTO, EVENTS_NEVER, NEVER_SPIKED, noise_table, standard_normal, PS_COLUMNS, PS_ETA_MINUS, PS_ETA_PLUS, PS_TAU_MINUS,
                  PS_TAU_PLUS, PS_TIME, PS_TRACE_POST, PS_TRACE_PRE, Drive, NeuronState,
                  Neurons, Plasticity, Recording, Synapses, exp_decay, input_current,
                  run_batch, run_steps, sync_traces)

__all__ = ["EVENTS_ALWAYS", "EVENTS_AUTO", "EVENTS_NEVER", "NEVER_SPIKED", "PS_COLUMNS", "PS_ETA_MINUS", "PS_ETA_PLUS", "PS_TAU_MINUS",
           "PS_TAU_PLUS", "PS_TIME", "PS_TRACE_POST", "PS_TRACE_PRE", "Drive",
           "NeuronState", "Neurons", "Plasticity", "Recording", "Synapses", "exp_decay",
           "input_current", "noise_table", "run_batch", "run_steps", "standard_normal", "sync_traces"]
