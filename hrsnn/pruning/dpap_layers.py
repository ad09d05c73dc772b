"""DPAP during surrogate-gradient training of :mod:`hrsnn.gradient` networks.

:class:`DPAPCallback` is a :class:`hrsnn.gradient.Callback`: after every
batch's backward pass it feeds the scored layers' pre- and postsynaptic
activity (``weights.inputs_`` and ``post.spikes_`` of
:meth:`hrsnn.gradient.Sequential.connections`; ReLU activations for the
non-spiking networks, Eq. 18-19) to one :class:`~hrsnn.pruning.DPAP` per
layer, and after every epoch updates the survival values and sets the
layers' masks: a fully connected layer loses synapses (``F_BCM < 0``) and
neurons (``F_D < 0``: all their presynaptic weights and the bias), a
convolution whole filters. The masks are re-applied by the optimiser after
every step (:class:`hrsnn.gradient.Adam`), so a pruned weight never regrows.

By default every weight layer except the output layer is scored (the output
neurons are the classes).
"""

import numpy as np

from ..gradient import Callback, Conv2d, Dense
from .dpap import DPAP


class DPAPCallback(Callback):
    """Prune a :class:`~hrsnn.gradient.Sequential` by DPAP while :func:`~hrsnn.gradient.fit` trains it.

    Parameters
    ----------
    model : Sequential
    layers : sequence of int, optional
        Indices into ``model.connections()`` of the weight layers to score;
        default every one whose postsynaptic layer is not the model's last.
    **dpap_params
        Of :class:`~hrsnn.pruning.DPAP` (``epsilon``, ``constant``,
        ``start_epoch``, ``eta_period``, ...), for every scored layer; the
        layer kind ("fc" or "conv") sets the paper's defaults.

    Attributes
    ----------
    scored : list of (ParamLayer, DPAP)
    history : list of dict
        Per epoch: ``epoch``, ``pruned_fraction`` (list, per scored layer),
        ``neurons_alive`` (list, per scored layer).
    """

    def __init__(self, model, layers=None, **dpap_params):
        pairs = model.connections()
        layers = hidden_connections(model) if layers is None else layers
        self.scored = [self._layer(*pairs[i], dpap_params) for i in layers]
        self.history = []

    @staticmethod
    def _layer(weights, post, params):
        if post is None or not isinstance(weights, (Dense, Conv2d)):
            raise ValueError("DPAPCallback scores Dense and Conv2d layers followed by a "
                             f"spiking or ReLU layer; got {type(weights).__name__} -> "
                             f"{type(post).__name__ if post is not None else None}.")
        n_post, n_pre = _sizes(weights)
        kind = "conv" if isinstance(weights, Conv2d) else "fc"
        return weights, post, DPAP(n_pre, n_post, kind=kind, **params)

    def on_backward_end(self, model, epoch, batch):
        for weights, post, dpap in self.scored:
            dpap.observe(weights.inputs_, post.spikes_)

    def on_epoch_end(self, model, epoch, logs):
        for weights, _, dpap in self.scored:
            dpap.end_epoch(epoch)
            if isinstance(weights, Dense):
                weights.set_mask(dpap.weight_mask().T)        # Dense W is (n_in, n_out)
            weights.set_neuron_mask(dpap.neuron_alive)
        self.history.append({
            "epoch": epoch,
            "pruned_fraction": [self.pruned_fraction(w) for w, _, _ in self.scored],
            "neurons_alive": [int(d.neuron_alive.sum()) for _, _, d in self.scored]})

    @staticmethod
    def pruned_fraction(weights):
        """Share of a layer's weights masked (synapses and those of pruned neurons)."""
        keep = weights.full_mask("W")
        return float(1.0 - keep.mean())


def hidden_connections(model):
    """Indices into ``model.connections()`` of the weight layers DPAP scores by default:
    those followed by a spiking or ReLU layer that is not the model's last."""
    last = model.layers[-1]
    return [i for i, (_, post) in enumerate(model.connections())
            if post is not None and post is not last]


def _sizes(weights):
    """(n_post, n_pre) of a Dense (W: n_in x n_out) or Conv2d (W: out x in x k x k) layer."""
    shape = weights.params["W"].shape
    return (shape[1], shape[0]) if isinstance(weights, Dense) else (shape[0], shape[1])


def synaptic_operations(model, X, batch_size=256, seed=0):
    """Mean synaptic operations per sample of a trained ``model`` on ``X``.

    Every presynaptic event (a spike, or for the first layer an input value
    that is not zero) counts once per unmasked outgoing weight: ``sum over
    time of s_pre @ nonzero(W)`` for dense layers; a convolution's event
    counts its input channel's unmasked kernel entries (every output
    position it reaches; a slight overcount at the borders).

    Parameters
    ----------
    model : Sequential
    X : array_like
        Samples, encoded as :func:`hrsnn.gradient.predict` encodes them
        (the same ``seed``).
    batch_size : int, default=256
    seed : int, default=0

    Returns
    -------
    float
    """
    from ..gradient import encode

    X = np.asarray(X, dtype=np.float64)
    pairs = model.connections()
    total = 0.0
    for start in range(0, len(X), batch_size):
        model.forward(encode(X[start:start + batch_size], model.n_steps, model.encoding,
                             seed=seed), cache=True)
        for weights, _ in pairs:
            total += _events_times_fan_out(weights)
    return total / len(X)


def _events_times_fan_out(weights):
    events = np.asarray(weights.inputs_) != 0
    keep = weights.full_mask("W")
    if isinstance(weights, Dense):
        return float(events.sum(axis=(0, 1)) @ keep.sum(axis=1))
    fan = keep.sum(axis=(0, 2, 3))                         # per input channel
    return float((events.sum(axis=(0, 1, 3, 4)) * fan).sum())
