"""The layer protocol: parameters, gradients, masks, input checks.

Every layer maps a time-major array ``x`` of shape ``(T, batch, ...)`` to
another one (``forward``) and a gradient with respect to its output back to
one with respect to its input (``backward``), adding the gradients of its
parameters to ``grads``. ``backward`` uses what the last ``forward(x,
cache=True)`` stored; it raises a RuntimeError otherwise.

Parametrised layers hold their arrays in ``params`` (name -> float64
ndarray, updated in place by the optimiser) and gradients of the same shapes
in ``grads``. Their weights carry boolean ``masks`` (name -> array of the
weight's shape) and the layer a ``neuron_mask`` over its output neurons (or
output channels): a masked synapse, or every incoming weight and the bias of
a masked neuron, is zero in ``forward``, gets a zero gradient and is set back
to zero by :meth:`ParamLayer.apply_masks` (which the optimiser calls after
every step). A neuron whose inputs and bias are all zero never reaches a
positive threshold, so it is silent: this is DPAP's "setting all its
presynaptic weights to 0".
"""

import numpy as np


class Layer:
    """A layer without parameters (the base of every layer).

    Attributes
    ----------
    params, grads, masks : dict
        Empty for layers without parameters.
    records_spikes : bool
        Class attribute: whether ``forward`` records the layer's activity in
        ``spikes_`` (spiking layers and ReLU).
    """

    records_spikes = False

    def __init__(self):
        self.params, self.grads, self.masks = {}, {}, {}

    def forward(self, x, cache=True):
        raise NotImplementedError

    def backward(self, grad_out):
        raise NotImplementedError

    def zero_grad(self):
        """Set every gradient to zero (in place)."""
        for g in self.grads.values():
            g[...] = 0.0

    def apply_masks(self):
        """Zero the masked parameters (no-op without masks)."""

    def _cached(self, *names):
        """The arrays ``forward(x, cache=True)`` stored, or a RuntimeError."""
        cache = getattr(self, "_cache", None)
        if cache is None:
            raise RuntimeError(f"{self!r}.backward needs the arrays of a forward pass: call "
                               "forward(x, cache=True) first (cache=False keeps nothing).")
        return tuple(cache[n] for n in names) if len(names) > 1 else cache[names[0]]


class ParamLayer(Layer):
    """A layer with trainable parameters, weight masks and a neuron mask.

    Subclasses fill ``params`` and call ``_init_masks``; their class attribute
    ``_neuron_axes`` lists (parameter name, axis of that parameter indexing the
    layer's output neurons) for the parameters the neuron mask acts on. Those
    with two or more dimensions are the weights with a synapse mask.
    """

    _neuron_axes = ()

    def _init_masks(self, n_neurons):
        self._neuron_axis = {k: v for k, v in self._neuron_axes if k in self.params}
        self.grads = {k: np.zeros_like(v) for k, v in self.params.items()}
        self.masks = {k: np.ones(self.params[k].shape, dtype=bool)
                      for k in self._neuron_axis if self.params[k].ndim >= 2}
        self.neuron_mask = np.ones(n_neurons, dtype=bool)

    @property
    def mask(self):
        """The mask of the first weight (``W`` of Dense and Conv2d, ``W_in`` of RecurrentLIF)."""
        return next(iter(self.masks.values()))

    def full_mask(self, name):
        """Synapse mask and neuron mask of parameter ``name`` combined (bool ndarray).

        ``None`` for parameters that no mask acts on.
        """
        if name not in self._neuron_axis:
            return None
        p = self.params[name]
        shape = [1] * p.ndim
        axis = self._neuron_axis[name] % p.ndim
        shape[axis] = p.shape[axis]
        keep = np.broadcast_to(self.neuron_mask.reshape(shape), p.shape)
        return keep & self.masks[name] if name in self.masks else keep.copy()

    def masked(self, name):
        """Parameter ``name`` with its masked entries zero (a copy when any is masked)."""
        keep = self.full_mask(name)
        p = self.params[name]
        return p if keep is None or keep.all() else np.where(keep, p, 0.0)

    def apply_masks(self):
        """Set every masked parameter entry to exactly zero (in place)."""
        for name in self._neuron_axis:
            keep = self.full_mask(name)
            if not keep.all():
                self.params[name][~keep] = 0.0

    def set_mask(self, mask, name=None):
        """Replace the synapse mask of weight ``name`` and zero the masked weights.

        Parameters
        ----------
        mask : array_like of bool, the shape of the weight
            True keeps a synapse.
        name : str, optional
            Weight name (default: the first weight, see :attr:`mask`).
        """
        name = next(iter(self.masks)) if name is None else name
        if name not in self.masks:
            raise ValueError(f"The 'name' parameter of {type(self).__name__}.set_mask must be "
                             f"one of {sorted(self.masks)}. Got {name!r} instead.")
        self.masks[name] = _bool_array(f"{type(self).__name__}.set_mask", "mask", mask,
                                       self.params[name].shape)
        self.apply_masks()

    def set_neuron_mask(self, mask):
        """Replace the neuron mask (True keeps a neuron) and zero the masked parameters."""
        self.neuron_mask = _bool_array(f"{type(self).__name__}.set_neuron_mask", "mask", mask,
                                       self.neuron_mask.shape)
        self.apply_masks()

    def _add_grad(self, name, g):
        keep = self.full_mask(name)
        self.grads[name] += g if keep is None else np.where(keep, g, 0.0)


def _bool_array(owner, name, value, shape):
    arr = np.asarray(value)
    if arr.dtype != bool or arr.shape != tuple(shape):
        raise ValueError(f"The '{name}' parameter of {owner} must be a boolean array of shape "
                         f"{tuple(shape)}. Got dtype {arr.dtype} and shape {arr.shape} instead.")
    return arr.copy()


def time_major(layer, x):
    """``x`` as a float64 array of shape ``(T, batch, ...)`` (any trailing shape), or a ValueError."""
    x = np.asarray(x, dtype=np.float64)
    if x.ndim < 3:
        raise ValueError(f"{layer!r} expects inputs of shape (n_steps, batch, ...). Got "
                         f"shape {x.shape} instead.")
    return x


def check_input(layer, x, feature_shape, what):
    """``x`` as a float64 array of shape ``(T, batch, *feature_shape)``, or a ValueError.

    Parameters
    ----------
    layer : Layer
        For the message.
    x : array_like
    feature_shape : tuple of int or None
        Trailing shape; ``None`` entries accept any size.
    what : str
        How to fix a mismatch, appended to the message.
    """
    x = np.asarray(x, dtype=np.float64)
    ok = x.ndim == 2 + len(feature_shape) and all(
        want is None or have == want for have, want in zip(x.shape[2:], feature_shape))
    if not ok:
        names = ", ".join("?" if f is None else str(f) for f in feature_shape)
        raise ValueError(f"{layer!r} expects inputs of shape (n_steps, batch, {names}). Got "
                         f"shape {x.shape} instead; {what}.")
    return x


def uniform_init(rng, fan_in, shape):
    """Weights uniform in ``[-1 / sqrt(fan_in), 1 / sqrt(fan_in)]`` (PyTorch's default)."""
    bound = 1.0 / np.sqrt(fan_in)
    return rng.uniform(-bound, bound, size=shape)
