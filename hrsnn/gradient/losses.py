"""Losses on the rate readout, each returning its value and its gradient.

A loss is a callable ``loss(outputs, y) -> (value, grad)`` with ``outputs``
of shape (batch, n_classes) (the model's readout), ``y`` integer labels of
shape (batch,) or targets of shape (batch, n_classes), and ``grad`` the
gradient of ``value`` w.r.t. ``outputs``.
"""

import numpy as np


def _targets(owner, outputs, y):
    outputs = np.asarray(outputs, dtype=np.float64)
    if outputs.ndim != 2:
        raise ValueError(f"{owner} expects outputs of shape (batch, n_classes). Got shape "
                         f"{outputs.shape} instead.")
    y = np.asarray(y)
    if y.ndim == 1:
        n_classes = outputs.shape[1]
        if y.shape[0] != outputs.shape[0] or y.dtype.kind not in "iu" or \
                (y.size and (y.min() < 0 or y.max() >= n_classes)):
            raise ValueError(f"{owner} expects {outputs.shape[0]} integer labels in "
                             f"[0, {n_classes}). Got {y!r} instead.")
        return outputs, np.eye(n_classes)[y]
    if y.shape != outputs.shape:
        raise ValueError(f"{owner} expects labels of shape ({outputs.shape[0]},) or targets "
                         f"of shape {outputs.shape}. Got shape {y.shape} instead.")
    return outputs, y.astype(np.float64)


def mse_loss(outputs, y):
    """Mean squared error to one-hot targets (DPAP Eq. 3, on output firing rates).

    ``mean((outputs - onehot(y))**2)`` over samples and classes (as
    ``torch.nn.MSELoss``).

    Parameters
    ----------
    outputs : ndarray of shape (batch, n_classes)
        Rates (mean output spikes over time) or other readouts.
    y : ndarray of int, shape (batch,), or of float, shape (batch, n_classes)

    Returns
    -------
    value : float
    grad : ndarray of shape (batch, n_classes)
    """
    outputs, target = _targets("mse_loss", outputs, y)
    diff = outputs - target
    return float(np.mean(diff ** 2)), 2.0 * diff / diff.size


def cross_entropy_loss(outputs, y):
    """Softmax cross-entropy, mean over samples (``torch.nn.CrossEntropyLoss``).

    Parameters
    ----------
    outputs : ndarray of shape (batch, n_classes)
        Logits.
    y : ndarray of int, shape (batch,), or of float, shape (batch, n_classes)
        Labels or target probabilities.

    Returns
    -------
    value : float
    grad : ndarray of shape (batch, n_classes)
        ``(softmax(outputs) - target) / batch``.
    """
    outputs, target = _targets("cross_entropy_loss", outputs, y)
    shifted = outputs - outputs.max(axis=1, keepdims=True)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
    n = outputs.shape[0]
    return float(-(target * log_p).sum() / n), (np.exp(log_p) - target) / n


LOSSES = {"mse": mse_loss, "cross_entropy": cross_entropy_loss}


def get_loss(loss):
    """A loss callable from its name in :data:`LOSSES` or the callable itself."""
    if callable(loss):
        return loss
    if not isinstance(loss, str) or loss not in LOSSES:
        raise ValueError(f"The 'loss' parameter must be one of {', '.join(map(repr, LOSSES))} "
                         f"or a callable (outputs, y) -> (value, grad). Got {loss!r} instead.")
    return LOSSES[loss]
