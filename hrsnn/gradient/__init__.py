"""Surrogate-gradient training of spiking networks in pure NumPy (DPAP's setting, HeNB/HoNB).

Layers act on time-major arrays ``(T, batch, features)`` (images
``(T, batch, channels, height, width)``); each has ``forward(x, cache=True)``
and ``backward(grad_out)`` (hand-derived backpropagation through time, float64,
checked against finite differences in ``tests/test_gradient.py``):

* :class:`Dense`, :class:`Conv2d`, :class:`AvgPool2d`, :class:`Flatten`,
  :class:`Reshape`, :class:`ReLU`;
* :class:`LIF` (DPAP's neuron: decay 0.2, threshold 0.5, rectangle surrogate
  of width 1, reset to zero), :class:`HeteroLIF` (a time constant and threshold
  per neuron, optionally trained), :class:`RecurrentLIF` (HeNB/HoNB).

Weight layers carry boolean ``masks`` and a ``neuron_mask`` (pruned weights
stay exactly zero); spiking layers record ``spikes_``, weight layers their
``inputs_``, for pruning (``Sequential.connections``).

:class:`Sequential` holds the layers, the number of time steps and the input
encoding (:func:`encode`); :func:`fit` trains it with :class:`Adam` on the rate
readout (:func:`mse_loss`, :func:`cross_entropy_loss`), with :class:`Callback`
hooks per batch and per epoch; :func:`predict` and :func:`score` evaluate it.
The builders :func:`fc_snn`, :func:`conv_snn`, :func:`fc_relu`,
:func:`conv_relu` and :func:`recurrent_snn` make the networks of the DPAP
setting on 8x8 digits; :func:`sequence_snn`, :func:`fit_sequences` and
:func:`predict_sequence` map an input series to an output series (HeNB / HoNB
on time series, truncated BPTT on windows).

This subpackage needs no deep-learning framework and is never imported by
``hrsnn`` itself.
"""

from ._base import Layer, ParamLayer
from .builders import conv_relu, conv_snn, fc_relu, fc_snn, recurrent_snn
from .encoding import ENCODINGS, encode
from .layers import AvgPool2d, Conv2d, Dense, Flatten, ReLU, Reshape
from .losses import LOSSES, cross_entropy_loss, get_loss, mse_loss
from .model import Sequential
from .neurons import LIF, HeteroLIF, spike, surrogate
from .optim import Adam
from .recurrent import RecurrentLIF
from .sequence import SpikeTrace, fit_sequences, predict_sequence, sequence_snn
from .train import Callback, History, fit, predict, predict_scores, score

__all__ = [
    "ENCODINGS",
    "LIF",
    "LOSSES",
    "Adam",
    "AvgPool2d",
    "Callback",
    "Conv2d",
    "Dense",
    "Flatten",
    "HeteroLIF",
    "History",
    "Layer",
    "ParamLayer",
    "ReLU",
    "RecurrentLIF",
    "Reshape",
    "Sequential",
    "SpikeTrace",
    "conv_relu",
    "conv_snn",
    "fit_sequences",
    "predict_sequence",
    "sequence_snn",
    "cross_entropy_loss",
    "encode",
    "fc_relu",
    "fc_snn",
    "fit",
    "get_loss",
    "mse_loss",
    "predict",
    "predict_scores",
    "recurrent_snn",
    "score",
    "spike",
    "surrogate",
]
