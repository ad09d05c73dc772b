"""Readouts on reservoir states: forecasting, sequence regression, the paper's MLP.

Classification needs nothing of its own here: a :class:`~hrsnn.Reservoir`
is a scikit-learn transformer, so ``make_pipeline(Reservoir(...),
RidgeClassifierCV(...))`` is the readout. Forecasting a time series needs
a state per time step and a loop that feeds predictions back, which is what
:class:`Forecaster` adds; :class:`SequenceRegressor` maps a given input
sequence to an output sequence (NARMA, delay recall). The paper's pruning
section reads out through a small MLP on the neurons of highest betweenness
centrality: :func:`central_neurons`, ``SequenceRegressor(readout="mlp")``,
and for classification :class:`CentralNeuronSelector` /
:func:`central_neuron_classifier`.

A forecaster's readout is linear in the reservoir's features or quadratic
(:class:`QuadraticFeatures`: their leading principal components and every
product of two), chosen on closed-loop validation; spatially extended systems
get parallel local reservoirs (:class:`Patches`, ``Forecaster(local_radius=...)``).
"""

from ._common import FORECAST_FEATURES, MLP_HIDDEN_LAYERS, STEP_FEATURES, forecasting_reservoir
from .autoregressive import AutoregressiveRidge, LaggedRidge, lagged_inputs
from .central import CentralNeuronSelector, central_neuron_classifier, central_neurons
from .forecaster import FORECAST_ALPHAS, READOUTS, Forecaster
from .local import Patches, local_channels
from .quadratic import QuadraticFeatures
from .sequence import SequenceRegressor

__all__ = ["AutoregressiveRidge", "CentralNeuronSelector", "FORECAST_ALPHAS",
           "FORECAST_FEATURES", "Forecaster", "LaggedRidge", "MLP_HIDDEN_LAYERS", "Patches",
           "QuadraticFeatures", "READOUTS", "STEP_FEATURES", "SequenceRegressor",
           "central_neuron_classifier", "central_neurons", "forecasting_reservoir",
           "lagged_inputs", "local_channels"]
