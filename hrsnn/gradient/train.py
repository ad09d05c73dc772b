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
        progress=True, validation_data=None, callbacks=(), optimizer=None, weight_decay=0.0,
        blas_threads=1):
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
    blas_threads : int or None, default=1
        BLAS threads while training (``threadpoolctl``); None leaves numpy's
        setting. The matrices are small (a batch of 32 over 16 steps times
        64 x 300 weights): on 2 cores shared with other jobs one thread
        trained 5-35 times faster than OpenBLAS's default 2
        (``benchmarks/bench_gradient.py``), and it keeps results independent
        of the machine's core count.

    Returns
    -------
    History
    """
    from threadpoolctl import threadpool_limits
    from tqdm.auto import tqdm

    X, y = _check_data("fit", X, y)
    check_number("fit", "epochs", epochs, "int", 0)
    check_number("fit", "batch_size", batch_size, "int", 1)
    if blas_threads is not None:
        check_number("fit", "blas_threads", blas_threads, "int", 1)
    loss = get_loss(loss)
    optimizer = Adam(model, lr=lr, weight_decay=weight_decay) if optimizer is None \
        else optimizer
    seed = random_state if isinstance(random_state, np.random.SeedSequence) \
        else np.random.SeedSequence(random_state)
    shuffle_rng, encode_rng = (np.random.default_rng(s) for s in seed.spawn(2))
    callbacks, history = list(callbacks), History()
    bar = tqdm(total=epochs * -(-len(X) // batch_size), disable=not progress, unit="batch")
    with threadpool_limits(limits=blas_threads, user_api="blas"):
        for epoch in range(epochs):
            for hook in _hooks(callbacks, "on_epoch_begin"):
                hook(model, epoch)
            start = time.perf_counter()
            order = shuffle_rng.permutation(len(X))
            batches = [order[i:i + batch_size] for i in range(0, len(X), batch_size)]
            step = _Step(model, loss, optimizer, encode_rng, callbacks, epoch, bar)
            for batch, idx in enumerate(batches):
                step(batch, X[idx], y[idx])
            history.seconds.append(time.perf_counter() - start)
            logs = {"loss": step.total_loss / len(X), "accuracy": step.correct / len(X)}
            if validation_data is not None:
                logs["val_accuracy"] = score(model, *validation_data)
                history.val_accuracy.append(logs["val_accuracy"])
            history.loss.append(logs["loss"])
            history.accuracy.append(logs["accuracy"])
            bar.set_postfix({"epoch": epoch + 1, **{k: f"{v:.4f}" for k, v in logs.items()}})
            for hook in _hooks(callbacks, "on_epoch_end"):
                hook(model, epoch, logs)
    bar.close()
    return history


class _Step:
    """One optimiser step per mini-batch of an epoch, with the running loss and accuracy."""

    def __init__(self, model, loss, optimizer, rng, callbacks, epoch, bar):
        self.model, self.loss, self.optimizer, self.rng = model, loss, optimizer, rng
        self.epoch, self.bar = epoch, bar
        self.after_backward = _hooks(callbacks, "on_backward_end")
        self.after_step = _hooks(callbacks, "on_batch_end")
        self.total_loss, self.correct, self.seen = 0.0, 0, 0

    def __call__(self, batch, X, y):
        self.optimizer.zero_grad()
        out, rates = _rates(self.model, X, self.rng, cache=True)
        value, grad = self.loss(rates, y)
        self.model.backward(np.broadcast_to(grad / out.shape[0], out.shape))
        for hook in self.after_backward:
            hook(self.model, self.epoch, batch)
        self.optimizer.step()
        for hook in self.after_step:
            hook(self.model, self.epoch, batch)
        self.total_loss += value * len(y)
        self.correct += int(np.sum(rates.argmax(axis=1) == y))
        self.seen += len(y)
        self.bar.update(1)
        self.bar.set_postfix(epoch=self.epoch + 1, loss=f"{self.total_loss / self.seen:.4f}",
                             accuracy=f"{self.correct / self.seen:.3f}", refresh=False)


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
