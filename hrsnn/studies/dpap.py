"""DPAP in its own setting: gradient-trained networks on the 8x8 digits, with and without DPAP.

:func:`dpap_record` trains one network of :mod:`hrsnn.gradient` (``fc_snn``,
``conv_snn``, ``fc_relu``, ``conv_relu``) on a digits split, with or without
:class:`~hrsnn.pruning.DPAPCallback`, and returns a flat record: final and
best test accuracy, the accuracy after every epoch, the pruned share of the
scored layers' weights after every epoch, the surviving neurons and the
synaptic operations per test sample. :func:`convergence_epoch` reads the
paper's convergence measure off two records.
"""

import numpy as np

__all__ = ["NETWORKS", "convergence_epoch", "digits_split", "dpap_record"]

#: The networks (builders of :mod:`hrsnn.gradient`) and their losses: the spiking ones
#: on output rates by MSE, as DPAP; the ReLU ones on logits by cross-entropy.
NETWORKS = {"fc_snn": "mse", "conv_snn": "mse", "fc_relu": "cross_entropy",
            "conv_relu": "cross_entropy"}


def digits_split(test_size=0.3, random_state=0):
    """scikit-learn's 8x8 digits (pixels in [0, 1]), a stratified train/test split.

    Returns
    -------
    X_train, X_test : ndarray of shape (n, 64)
    y_train, y_test : ndarray of int, shape (n,)
    """
    from sklearn.model_selection import train_test_split

    from data_loaders import load_digits_images

    X, y = load_digits_images()
    X_train, X_test, y_train, y_test = train_test_split(
        X, y, test_size=test_size, stratify=y, random_state=random_state)
    return X_train, X_test, y_train, y_test


def dpap_record(network, seed, data, *, dpap=True, epochs=60, **dpap_params):
    """Train one network on ``data`` with or without DPAP; the record of the run.

    Parameters
    ----------
    network : {"fc_snn", "conv_snn", "fc_relu", "conv_relu"}
    seed : int
        Seed of the weights, the shuffling and the Poisson inputs.
    data : tuple
        ``(X_train, X_test, y_train, y_test)``, e.g. :func:`digits_split`.
    dpap : bool, default=True
    epochs : int, default=60
    **dpap_params
        Of :class:`~hrsnn.pruning.DPAP` (``epsilon``, ``eta_period``, ...).

    Returns
    -------
    dict
        ``network``, ``dpap``, ``seed``, ``accuracy`` (after the last epoch),
        ``best_accuracy``, ``accuracy_per_epoch``, ``pruned_per_epoch`` (share
        of the scored layers' weights, all together), ``pruned_fraction``,
        ``neurons_alive`` (per scored layer), ``sops_per_sample``,
        ``seconds_per_epoch`` and the DPAP parameters.
    """
    from .. import gradient
    from ..pruning import DPAPCallback
    from ..pruning.dpap_layers import hidden_connections, synaptic_operations

    if network not in NETWORKS:
        raise ValueError(f"'network' must be one of {sorted(NETWORKS)}; got {network!r}.")
    X_train, X_test, y_train, y_test = data
    model = getattr(gradient, network)(random_state=seed)
    callback = DPAPCallback(model, **dpap_params) if dpap else None
    pairs = model.connections()
    scored = [pairs[i][0] for i in hidden_connections(model)]
    pruned = []
    tracker = _PrunedShare(scored, pruned)
    history = gradient.fit(model, X_train, y_train, epochs=epochs, loss=NETWORKS[network],
                           random_state=seed, progress=False,
                           validation_data=(X_test, y_test),
                           callbacks=[c for c in (callback, tracker) if c is not None])
    return {"network": network, "dpap": bool(dpap), "seed": seed,
            "accuracy": history.val_accuracy[-1], "best_accuracy": max(history.val_accuracy),
            "accuracy_per_epoch": list(history.val_accuracy), "pruned_per_epoch": pruned,
            "pruned_fraction": pruned[-1],
            "neurons_alive": [int(w.neuron_mask.sum()) for w in scored],
            "sops_per_sample": synaptic_operations(model, X_test),
            "seconds_per_epoch": float(np.mean(history.seconds)), **dpap_params}


class _PrunedShare:
    """Appends, after every epoch, the masked share of ``layers``' weights to ``out``."""

    def __init__(self, layers, out):
        self.layers, self.out = layers, out

    def on_epoch_end(self, model, epoch, logs):
        masks = [w.full_mask("W") for w in self.layers]
        kept = sum(int(m.sum()) for m in masks)
        self.out.append(1.0 - kept / sum(m.size for m in masks))


def convergence_epoch(record, reference, tolerance=0.0):
    """First epoch (counted from 1) at which ``record`` reaches ``reference``'s best accuracy.

    Parameters
    ----------
    record, reference : dict
        Of :func:`dpap_record` (e.g. with and without DPAP, one seed).
    tolerance : float, default=0.0
        Accept accuracies this much (a fraction, e.g. 0.005) below the best.

    Returns
    -------
    int or None
        None when it never does.
    """
    target = reference["best_accuracy"] - tolerance
    for epoch, accuracy in enumerate(record["accuracy_per_epoch"], start=1):
        if accuracy >= target:
            return epoch
    return None
