"""Adam (Kingma & Ba 2015), as ``torch.optim.Adam``, with masks re-applied after each step."""

import numbers

import numpy as np

from .._validation import check_number


class Adam:
    """Adam over the parameters of a model, in place.

    Per parameter ``p`` with gradient ``g`` (plus ``weight_decay * p``, L2 as
    in ``torch.optim.Adam``), at step ``t = 1, 2, ...``::

        m = beta1 m + (1 - beta1) g            v = beta2 v + (1 - beta2) g**2
        p -= lr * (m / (1 - beta1**t)) / (sqrt(v / (1 - beta2**t)) + eps)

    then every masked weight is set back to zero (``model.apply_masks()``).

    Parameters
    ----------
    model : Sequential or list of Layer
    lr : float, default=1e-3
    betas : tuple of float, default=(0.9, 0.999)
    eps : float, default=1e-8
    weight_decay : float, default=0.0

    Attributes
    ----------
    t : int
        Steps taken.
    """

    def __init__(self, model, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        check_number("Adam", "lr", lr, "float", 0.0, low_open=True)
        if not (isinstance(betas, (tuple, list)) and len(betas) == 2 and all(
                isinstance(b, numbers.Real) and 0.0 <= b < 1.0 for b in betas)):
            raise ValueError("The 'betas' parameter of Adam must be two numbers in [0, 1). "
                             f"Got {betas!r} instead.")
        check_number("Adam", "eps", eps, "float", 0.0)
        check_number("Adam", "weight_decay", weight_decay, "float", 0.0)
        self.layers = list(model)
        self.lr, self.betas, self.eps, self.weight_decay = float(lr), tuple(betas), eps, \
            weight_decay
        self.slots = [(layer, name) for layer in self.layers for name in layer.params]
        self.m = [np.zeros_like(layer.params[name]) for layer, name in self.slots]
        self.v = [np.zeros_like(layer.params[name]) for layer, name in self.slots]
        self.t = 0

    def zero_grad(self):
        """Set every gradient to zero."""
        for layer in self.layers:
            layer.zero_grad()

    def step(self):
        """One update of every parameter from its accumulated gradient."""
        self.t += 1
        beta1, beta2 = self.betas
        correct1, correct2 = 1.0 - beta1 ** self.t, 1.0 - beta2 ** self.t
        for (layer, name), m, v in zip(self.slots, self.m, self.v):
            p, g = layer.params[name], layer.grads[name]
            if self.weight_decay:
                g = g + self.weight_decay * p
            m *= beta1
            m += (1.0 - beta1) * g
            v *= beta2
            v += (1.0 - beta2) * g * g
            p -= self.lr * (m / correct1) / (np.sqrt(v / correct2) + self.eps)
        for layer in self.layers:
            layer.apply_masks()
