"""Feed-forward layers applied at every time step: Dense, Conv2d, pooling, shapes, ReLU.

All act on time-major arrays ``(T, batch, features)`` (images:
``(T, batch, channels, height, width)``) and treat the time and batch axes
alike, so a layer maps each step of each sample on its own.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from .._validation import check_number
from ._base import Layer, ParamLayer, check_input, time_major, uniform_init


class Dense(ParamLayer):
    """Fully connected layer ``y[t] = x[t] @ W + b``.

    Parameters
    ----------
    n_in, n_out : int
        Input and output features.
    bias : bool, default=True
        Whether to learn ``b``.
    random_state : None, int, SeedSequence or Generator, default=None
        Seed of the initial weights, uniform in ``±1 / sqrt(n_in)`` (as PyTorch).

    Attributes
    ----------
    params : dict
        ``W`` of shape (n_in, n_out) and ``b`` of shape (n_out,).
    masks : dict
        ``W``: bool mask of shape (n_in, n_out); ``neuron_mask`` (n_out,).
    inputs_ : ndarray of shape (T, batch, n_in)
        The input of the last ``forward(x, cache=True)`` (presynaptic activity).
    """

    _neuron_axes = (("W", -1), ("b", 0))

    def __init__(self, n_in, n_out, bias=True, random_state=None):
        super().__init__()
        check_number("Dense", "n_in", n_in, "int", 1)
        check_number("Dense", "n_out", n_out, "int", 1)
        self.n_in, self.n_out = n_in, n_out
        rng = np.random.default_rng(random_state)
        self.params = {"W": uniform_init(rng, n_in, (n_in, n_out))}
        if bias:
            self.params["b"] = uniform_init(rng, n_in, n_out)
        self._init_masks(n_out)

    def __repr__(self):
        return f"Dense({self.n_in} -> {self.n_out})"

    def forward(self, x, cache=True):
        """``x`` of shape (T, batch, n_in) -> (T, batch, n_out)."""
        x = check_input(self, x, (self.n_in,), f"build the layer with n_in={np.shape(x)[-1]} "
                        "or reshape the inputs")
        w = self.masked("W")
        y = x @ w
        if "b" in self.params:
            y += self.masked("b")
        self._cache = {"x": x, "W": w} if cache else None
        self.inputs_ = x if cache else None
        return y

    def backward(self, grad_out):
        """Gradient w.r.t. the input; adds those of ``W`` and ``b`` to ``grads``."""
        x, w = self._cached("x", "W")
        g = grad_out.reshape(-1, self.n_out)
        self._add_grad("W", x.reshape(-1, self.n_in).T @ g)
        if "b" in self.params:
            self._add_grad("b", g.sum(axis=0))
        return grad_out @ w.T


class Conv2d(ParamLayer):
    """2-D cross-correlation with stride 1 (as ``torch.nn.Conv2d``), by im2col.

    ``y[t, n, o] = b[o] + sum_c correlate(x[t, n, c], W[o, c])`` with ``padding``
    zeros on every side of the image.

    Parameters
    ----------
    in_channels, out_channels : int
    kernel_size : int, default=3
        Square kernel side.
    padding : int, default=0
        Zeros added on each side (``kernel_size // 2`` keeps the image size).
    bias : bool, default=True
    random_state : None, int, SeedSequence or Generator, default=None
        Seed of the initial weights, uniform in ``±1 / sqrt(in_channels * k * k)``.

    Attributes
    ----------
    params : dict
        ``W`` of shape (out_channels, in_channels, k, k), ``b`` of shape (out_channels,).
    masks : dict
        ``W``: bool mask of the weight's shape; ``neuron_mask`` (out_channels,) masks
        whole output channels (DPAP's structured pruning).
    inputs_ : ndarray of shape (T, batch, in_channels, H, W)
        The input of the last ``forward(x, cache=True)``.
    """

    _neuron_axes = (("W", 0), ("b", 0))

    def __init__(self, in_channels, out_channels, kernel_size=3, padding=0, bias=True,
                 random_state=None):
        super().__init__()
        for name, value, low in (("in_channels", in_channels, 1),
                                 ("out_channels", out_channels, 1),
                                 ("kernel_size", kernel_size, 1), ("padding", padding, 0)):
            check_number("Conv2d", name, value, "int", low)
        self.in_channels, self.out_channels = in_channels, out_channels
        self.kernel_size, self.padding = kernel_size, padding
        rng = np.random.default_rng(random_state)
        fan_in = in_channels * kernel_size ** 2
        self.params = {"W": uniform_init(rng, fan_in, (out_channels, in_channels, kernel_size,
                                                       kernel_size))}
        if bias:
            self.params["b"] = uniform_init(rng, fan_in, out_channels)
        self._init_masks(out_channels)

    def __repr__(self):
        return (f"Conv2d({self.in_channels} -> {self.out_channels}, "
                f"kernel_size={self.kernel_size}, padding={self.padding})")

    def output_shape(self, height, width):
        """``(out_channels, H_out, W_out)`` for an input image of ``height x width``."""
        k, p = self.kernel_size, self.padding
        return self.out_channels, height + 2 * p - k + 1, width + 2 * p - k + 1

    def forward(self, x, cache=True):
        """``x`` of shape (T, batch, in_channels, H, W) -> (T, batch, out_channels, Ho, Wo)."""
        x = check_input(self, x, (self.in_channels, None, None),
                        "give images as (n_steps, batch, channels, height, width)")
        steps, batch, c, h, w_ = x.shape
        o, ho, wo = self.output_shape(h, w_)
        if ho < 1 or wo < 1:
            raise ValueError(f"{self!r}: an image of {h}x{w_} is smaller than the kernel; "
                             "increase 'padding' or use a smaller 'kernel_size'.")
        cols = _im2col(x.reshape(steps * batch, c, h, w_), self.kernel_size, self.padding)
        w = self.masked("W")
        y = cols @ w.reshape(o, -1).T
        if "b" in self.params:
            y += self.masked("b")
        y = y.reshape(steps, batch, ho, wo, o).transpose(0, 1, 4, 2, 3)
        self._cache = {"cols": cols, "W": w, "shape": x.shape} if cache else None
        self.inputs_ = x if cache else None
        return np.ascontiguousarray(y)

    def backward(self, grad_out):
        """Gradient w.r.t. the input; adds those of ``W`` and ``b`` to ``grads``."""
        cols, w, shape = self._cached("cols", "W", "shape")
        o = self.out_channels
        g = grad_out.transpose(0, 1, 3, 4, 2).reshape(-1, o)
        self._add_grad("W", (g.T @ cols).reshape(w.shape))
        if "b" in self.params:
            self._add_grad("b", g.sum(axis=0))
        steps, batch, c, h, w_ = shape
        grad_cols = g @ w.reshape(o, -1)
        grad_x = _col2im(grad_cols, (steps * batch, c, h, w_), self.kernel_size, self.padding)
        return grad_x.reshape(shape)


def _im2col(x, k, p):
    """Patches of ``x`` (N, C, H, W) as rows: (N * Ho * Wo, C * k * k), (c, i, j) order."""
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p))) if p else x
    win = sliding_window_view(xp, (k, k), axis=(2, 3))         # (N, C, Ho, Wo, k, k)
    n, c, ho, wo = win.shape[:4]
    return win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * k * k)


def _col2im(cols, shape, k, p):
    """Adjoint of :func:`_im2col`: sum every patch row back into an (N, C, H, W) array."""
    n, c, h, w = shape
    ho, wo = h + 2 * p - k + 1, w + 2 * p - k + 1
    cols = cols.reshape(n, ho, wo, c, k, k)
    out = np.zeros((n, c, h + 2 * p, w + 2 * p))
    for i in range(k):
        for j in range(k):
            out[:, :, i:i + ho, j:j + wo] += cols[:, :, :, :, i, j].transpose(0, 3, 1, 2)
    return out[:, :, p:p + h, p:p + w]


class AvgPool2d(Layer):
    """Mean over non-overlapping ``kernel_size x kernel_size`` windows.

    Rows and columns beyond the last full window are dropped (as PyTorch).

    Parameters
    ----------
    kernel_size : int, default=2
    """

    def __init__(self, kernel_size=2):
        super().__init__()
        check_number("AvgPool2d", "kernel_size", kernel_size, "int", 1)
        self.kernel_size = kernel_size

    def __repr__(self):
        return f"AvgPool2d({self.kernel_size})"

    def forward(self, x, cache=True):
        """(T, batch, C, H, W) -> (T, batch, C, H // k, W // k)."""
        x = check_input(self, x, (None, None, None),
                        "give images as (n_steps, batch, channels, height, width)")
        k = self.kernel_size
        *lead, h, w = x.shape
        if h < k or w < k:
            raise ValueError(f"{self!r}: an image of {h}x{w} is smaller than the window.")
        self._cache = {"shape": x.shape} if cache else None
        ho, wo = h // k, w // k
        x = x[..., :ho * k, :wo * k]
        total = np.zeros((*lead, ho, wo))
        for i in range(k):                # k * k strided adds: faster than a mean over
            for j in range(k):            # two non-adjacent axes
                total += x[..., i::k, j::k]
        return total / k ** 2

    def backward(self, grad_out):
        """Each input pixel of a window gets ``1 / k**2`` of the window's gradient."""
        shape = self._cached("shape")
        k = self.kernel_size
        grad = np.repeat(np.repeat(grad_out, k, axis=-2), k, axis=-1) / k ** 2
        out = np.zeros(shape)
        out[..., :grad.shape[-2], :grad.shape[-1]] = grad
        return out


class Reshape(Layer):
    """Reshape the features of every step: (T, batch, *in) -> (T, batch, *shape).

    Parameters
    ----------
    shape : tuple of int
        Target feature shape (one entry may be -1), e.g. ``(1, 8, 8)``.
    """

    def __init__(self, shape):
        super().__init__()
        self.shape = tuple(int(s) for s in shape)

    def __repr__(self):
        return f"Reshape({self.shape})"

    def forward(self, x, cache=True):
        x = time_major(self, x)
        try:
            y = x.reshape(x.shape[:2] + self.shape)
        except ValueError:
            raise ValueError(f"{self!r} cannot reshape features of shape {x.shape[2:]} to "
                             f"{self.shape}; check the input size.") from None
        self._cache = {"shape": x.shape} if cache else None
        return y

    def backward(self, grad_out):
        return grad_out.reshape(self._cached("shape"))


class Flatten(Reshape):
    """(T, batch, C, H, W) -> (T, batch, C * H * W)."""

    def __init__(self):
        super().__init__((-1,))

    def __repr__(self):
        return "Flatten()"


class ReLU(Layer):
    """``max(x, 0)``, the non-spiking counterpart of a spiking layer.

    Attributes
    ----------
    spikes_ : ndarray
        The output of the last forward pass: DPAP takes the float outputs of
        ReLU units as their "spiking trace".
    """

    records_spikes = True

    def __repr__(self):
        return "ReLU()"

    def forward(self, x, cache=True):
        x = np.asarray(x, dtype=np.float64)
        y = np.maximum(x, 0.0)
        self._cache = {"active": x > 0} if cache else None
        self.spikes_ = y
        return y

    def backward(self, grad_out):
        return np.where(self._cached("active"), grad_out, 0.0)
