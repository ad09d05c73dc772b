"""Mini-batch training with Adam, prediction, accuracy, and the callback hooks.

Hooks: ``fit`` calls, on every object of ``callbacks`` (subclass
:class:`Callback`, or any object with some of these methods):

1. ``on_epoch_begin(model, epoch)``;
2. per mini-batch ``batch = 0, 1, ...`` of the epoch, after the forward and
   backward pass (every layer's ``spikes_``/``inputs_`` hold the batch's
   activity, ``grads`` its gradients) and *before* the optimiser step:
   ``on_backward_end(model, epoch, batch)`` (e.g. accumulate DPAP's traces,
   or edit gradients);
3. after the step (masks re-applied): ``on_batch_end(model, epoch, batch)``;
4. ``on_epoch_end(model, epoch, logs)`` with ``logs`` the epoch's row of the
   history (``loss``, ``accuracy``, ``val_accuracy``); changing masks here
   (``layer.set_mask``, ``set_neuron_mask``) prunes for the next epoch.

Epochs and batches count from 0; ``epoch * n_batches + batch`` numbers the
batches seen so far.
"""

import time
from dataclasses import dataclass, field

import numpy as np

from .._validation import check_number
from .encoding import encode
from .losses import get_loss
from .optim import Adam

HOOKS = ("on_epoch_begin", "on_backward_end", "on_batch_end", "on_epoch_end")


class Callback:
    """Base of training callbacks: every hook does nothing (override the ones you need)."""

    def on_epoch_begin(self, model, epoch):
        pass

    def on_backward_end(self, model, epoch, batch):
        pass

    def on_batch_end(self, model, epoch, batch):
        pass

    def on_epoch_end(self, model, epoch, logs):
        pass


@dataclass
class History:
    """Per-epoch record of :func:`fit`.

    Attributes
    ----------
    loss : list of float
        Mean training loss over the epoch's batches.
    accuracy : list of float
        Fraction of the epoch's training samples classified right when their
        batch was seen (the weights change during the epoch).
    val_accuracy : list of float
        Accuracy on ``validation_data`` after the epoch (empty without it).
    seconds : list of float
        Wall time of the epoch's training (without validation).
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    seconds: list = field(default_factory=list)


def _check_data(owner, X, y):
    X = np.asarray(X, dtype=np.float64)
    y = np.asarray(y)
    if X.ndim not in (2, 3) or y.ndim != 1 or len(X) != len(y) or y.dtype.kind not in "iu":
        raise ValueError(f"{owner} expects X of shape (n_samples, features) or (n_samples, "
                         "n_steps, features) and integer labels y of shape (n_samples,). Got "
                         f"X of shape {X.shape} and y of shape {y.shape} ({y.dtype}) instead.")
    return X, y


def _hooks(callbacks, name):
    return [getattr(c, name) for c in callbacks if hasattr(c, name)]


def _rates(model, X, rng, cache):
    out = model.forward(encode(X, model.n_steps, model.encoding, rng=rng), cache=cache)
    return out, out.mean(axis=0)


def fit(model, X, y, epochs=30, batch_size=32, loss="mse", lr=2e-3, random_state=0,
        progress=True, validation_data=None, callbacks=(), optimizer=None, weight_decay=0.0):
    """Train ``model`` in place by surrogate-gradient BPTT and Adam.

    Each epoch visits the samples once in an order shuffled by a generator
    seeded from ``random_state`` (Poisson inputs draw from a second, independent
    stream), so two runs with the same model seed and ``random_state`` end with
    bit-identical weights. The loss is taken on the rate readout (the mean over
    time of the model's output) of each mini-batch.

    Parameters
    ----------
    model : Sequential
    X : array_like of shape (n_samples, features) or (n_samples, n_steps, features)
        Static samples (encoded with ``model.encoding`` over ``model.n_steps``)
        or samples given per time step.
    y : array_like of int, shape (n_samples,)
        Class labels ``0 .. n_out - 1``.
    epochs : int, default=30
    batch_size : int, default=32
    loss : {"mse", "cross_entropy"} or callable, default="mse"
        See :mod:`hrsnn.gradient.losses`.
    lr : float, default=2e-3
        Adam's learning rate (unused with ``optimizer``).
    random_state : None, int or SeedSequence, default=0
        Seed of the shuffling and of the Poisson draws (None: fresh entropy).
    progress : bool, default=True
        Show a tqdm bar with the running loss and accuracy.
    validation_data : tuple (X_val, y_val), optional
        Scored after every epoch.
    callbacks : sequence of Callback, default=()
        See the module notes for the hooks and their order.
    optimizer : Adam, optional
        Continue with this optimiser (its moments and step count) instead of a new one.
    weight_decay : float, default=0.0
        L2 coefficient of a new Adam.

    Returns
    -------
    History
    """
    from tqdm.auto import tqdm

    X, y = _check_data("fit", X, y)
    check_number("fit", "epochs", epochs, "int", 0)
    check_number("fit", "batch_size", batch_size, "int", 1)
    loss_fn = get_loss(loss)
    optimizer = Adam(model, lr=lr, weight_decay=weight_decay) if optimizer is None \
        else optimizer
    seed = random_state if isinstance(random_state, np.random.SeedSequence) \
        else np.random.SeedSequence(random_state)
    shuffle_rng, encode_rng = (np.random.default_rng(s) for s in seed.spawn(2))
    callbacks = list(callbacks)
    n = len(X)
    n_batches = -(-n // batch_size)
    history = History()
    bar = tqdm(total=epochs * n_batches, disable=not progress, unit="batch", leave=True)
    for epoch in range(epochs):
        for hook in _hooks(callbacks, "on_epoch_begin"):
            hook(model, epoch)
        start, total_loss, correct = time.perf_counter(), 0.0, 0
        order = shuffle_rng.permutation(n)
        for batch in range(n_batches):
            idx = order[batch * batch_size:(batch + 1) * batch_size]
            optimizer.zero_grad()
            out, rates = _rates(model, X[idx], encode_rng, cache=True)
            value, grad = loss_fn(rates, y[idx])
            model.backward(np.broadcast_to(grad / out.shape[0], out.shape))
            for hook in _hooks(callbacks, "on_backward_end"):
                hook(model, epoch, batch)
            optimizer.step()
            for hook in _hooks(callbacks, "on_batch_end"):
                hook(model, epoch, batch)
            total_loss += value * len(idx)
            correct += int(np.sum(rates.argmax(axis=1) == y[idx]))
            bar.update(1)
            bar.set_postfix(epoch=epoch + 1, loss=f"{total_loss / (batch * batch_size + len(idx)):.4f}",
                            acc=f"{correct / (batch * batch_size + len(idx)):.3f}", refresh=False)
        history.seconds.append(time.perf_counter() - start)
        history.loss.append(total_loss / n)
        history.accuracy.append(correct / n)
        logs = {"loss": history.loss[-1], "accuracy": history.accuracy[-1]}
        if validation_data is not None:
            history.val_accuracy.append(score(model, *validation_data))
            logs["val_accuracy"] = history.val_accuracy[-1]
            bar.set_postfix(epoch=epoch + 1, loss=f"{logs['loss']:.4f}",
                            acc=f"{logs['accuracy']:.3f}", val=f"{logs['val_accuracy']:.3f}")
        for hook in _hooks(callbacks, "on_epoch_end"):
            hook(model, epoch, logs)
    bar.close()
    return history


def predict_scores(model, X, batch_size=256, seed=0):
    """The rate readout of every sample (no caches kept).

    Parameters
    ----------
    model : Sequential
    X : array_like of shape (n_samples, features) or (n_samples, n_steps, features)
    batch_size : int, default=256
        Samples per forward pass (the result does not depend on it).
    seed : int, default=0
        Seed of the Poisson encoding, combined with each sample's content.

    Returns
    -------
    ndarray of shape (n_samples, n_out)
        Mean over time of the model's output (firing rates or currents).
    """
    X = np.asarray(X, dtype=np.float64)
    check_number("predict_scores", "batch_size", batch_size, "int", 1)
    parts = []
    for start in range(0, len(X), batch_size):
        xb = encode(X[start:start + batch_size], model.n_steps, model.encoding, seed=seed)
        parts.append(model.forward(xb, cache=False).mean(axis=0))
    return np.concatenate(parts) if parts else np.empty((0, 0))


def predict(model, X, batch_size=256, seed=0):
    """Predicted class of every sample, ``argmax`` of :func:`predict_scores` (int64)."""
    return predict_scores(model, X, batch_size, seed).argmax(axis=1)


def score(model, X, y, batch_size=256, seed=0):
    """Fraction of samples whose predicted class is ``y`` (float)."""
    X, y = _check_data("score", X, y)
    return float(np.mean(predict(model, X, batch_size, seed) == y))
