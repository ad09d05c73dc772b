"""A stack of layers with its input encoding and its rate readout."""

from .._validation import check_choice, check_number
from ._base import Layer, ParamLayer
from .encoding import ENCODINGS


class Sequential:
    """Layers applied one after the other over time.

    The model reads static samples ``(batch, features)`` encoded over
    ``n_steps`` time steps (:func:`~hrsnn.gradient.encode`), or time-resolved
    samples ``(batch, T, features)`` as they are. Its per-step output is that
    of the last layer, ``(T, batch, n_out)``; the *rate readout* is its mean
    over time: the output firing rates when the last layer spikes, the mean
    output current (logits) when it is a Dense layer.

    Parameters
    ----------
    layers : list of Layer
    n_steps : int, default=8
        Time steps ``T`` a static sample is presented for (1 for ReLU networks).
    encoding : {"current", "poisson"}, default="current"
        How a static sample becomes an input over time (see :func:`encode`).

    Examples
    --------
    >>> from hrsnn.gradient import Dense, LIF, Sequential
    >>> model = Sequential([Dense(64, 300, random_state=0), LIF(),
    ...                     Dense(300, 10, random_state=1), LIF()], n_steps=8)
    """

    def __init__(self, layers, n_steps=8, encoding="current"):
        layers = list(layers)
        if not layers or not all(isinstance(layer, Layer) for layer in layers):
            raise ValueError("The 'layers' parameter of Sequential must be a non-empty list of "
                             f"hrsnn.gradient layers. Got {layers!r} instead.")
        check_number("Sequential", "n_steps", n_steps, "int", 1)
        check_choice("Sequential", "encoding", encoding, ENCODINGS)
        self.layers, self.n_steps, self.encoding = layers, n_steps, encoding

    def __repr__(self):
        inner = ",\n    ".join(repr(layer) for layer in self.layers)
        return f"Sequential([\n    {inner}],\n    n_steps={self.n_steps}, " \
               f"encoding={self.encoding!r})"

    def __iter__(self):
        return iter(self.layers)

    def __len__(self):
        return len(self.layers)

    def __getitem__(self, index):
        return self.layers[index]

    def forward(self, x, cache=True):
        """Time-major input (T, batch, ...) -> per-step output (T, batch, n_out)."""
        for layer in self.layers:
            x = layer.forward(x, cache=cache)
        return x

    def backward(self, grad_out):
        """Gradient w.r.t. the per-step output -> w.r.t. the input; fills every ``grads``."""
        for layer in reversed(self.layers):
            grad_out = layer.backward(grad_out)
        return grad_out

    def parameters(self):
        """``(layer, name)`` of every trainable array, in layer order."""
        return [(layer, name) for layer in self.layers for name in layer.params]

    def zero_grad(self):
        for layer in self.layers:
            layer.zero_grad()

    def apply_masks(self):
        """Zero every masked weight (the optimiser does this after each step)."""
        for layer in self.layers:
            layer.apply_masks()

    def connections(self):
        """Each weight layer with the layer whose activity it drives (for DPAP).

        Returns
        -------
        list of (ParamLayer, Layer or None)
            ``(weights, post)``: ``weights.inputs_`` is the presynaptic
            activity and ``post.spikes_`` the postsynaptic one (the first
            spiking or ReLU layer after ``weights``; ``None`` for output
            weights that no such layer follows). A :class:`RecurrentLIF` is
            its own ``post`` (its ``W_rec`` connects ``post.spikes_`` to itself).
        """
        pairs, pending = [], []
        for layer in self.layers:
            if layer.records_spikes:
                pairs.extend((w, layer) for w in pending)
                pending = []
                if isinstance(layer, ParamLayer):
                    pairs.append((layer, layer))
            elif isinstance(layer, ParamLayer):
                pending.append(layer)
        return pairs + [(w, None) for w in pending]

    def n_parameters(self, nonzero=False):
        """Number of trainable weights and biases (``nonzero``: only those not masked)."""
        total = 0
        for layer, name in self.parameters():
            keep = layer.full_mask(name) if nonzero and isinstance(layer, ParamLayer) else None
            total += layer.params[name].size if keep is None else int(keep.sum())
        return total

