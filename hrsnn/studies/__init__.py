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

Modules: :mod:`~hrsnn.studies.records` (one reservoir: inputs, construction,
measurements), :mod:`~hrsnn.studies.experiments` (the studies over presets
and seeds), :mod:`~hrsnn.studies.summary` (statistics and text tables) and
:mod:`~hrsnn.studies.io` (files); :mod:`~hrsnn.studies.pruning` scores a pruned
network on a forecast, memory capacity or classification. Everything public
is re-exported here.
"""

from .experiments import effective_rank_study, memory_capacity_study
from .io import save_records
from .pruning import LORENZ63_EXPONENT, classification_scores, forecast_scores, memory_scores
from .records import (STUDY_INPUT, VARIANTS, effective_rank_inputs, effective_rank_record,
                      memory_capacity_inputs, memory_capacity_record,
                      reservoir_memory_capacity, study_reservoir)
from .summary import (Stat, format_paired_differences, format_stat, format_summary,
                      paired_difference, summarize)

__all__ = [
    "LORENZ63_EXPONENT", "classification_scores", "forecast_scores", "memory_scores",
    "STUDY_INPUT", "VARIANTS", "Stat", "effective_rank_inputs", "effective_rank_record",
    "effective_rank_study", "format_paired_differences", "format_stat", "format_summary", "memory_capacity_inputs",
    "memory_capacity_record", "memory_capacity_study", "paired_difference", "reservoir_memory_capacity", "save_records",
    "study_reservoir", "summarize",
]
