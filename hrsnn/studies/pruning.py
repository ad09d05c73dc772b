"""Task scores of a (pruned) network, shared by the pruning studies.

Each function takes a :class:`~hrsnn.Network`, puts it in a reservoir
(``Reservoir(network=..., random_state=seed)``, STDP during ``fit``) and
returns a flat ``dict`` of measurements, so that the dense network and every
pruned one are scored by the same protocol.
"""

import numpy as np

__all__ = ["LORENZ63_EXPONENT", "classification_scores", "forecast_scores", "memory_scores"]

#: Largest Lyapunov exponent of Lorenz63 (per unit time), for VPT in Lyapunov times.
LORENZ63_EXPONENT = 0.9056


def forecast_scores(network, series, seed, *, n_train, horizon, windows, warmup=100,
                    dt=0.02, lyapunov_exponent=LORENZ63_EXPONENT):
    """Closed-loop forecasts of ``network`` serving a :class:`~hrsnn.Forecaster`.

    Parameters
    ----------
    network : Network
        With as many inputs as ``series`` has variables.
    series : ndarray of shape (n_steps, n_variables)
    seed : int
        Seed of the reservoir (STDP, encoding).
    n_train, horizon, windows, warmup : int
        Training steps; forecast steps per window; windows (evenly spread
        after the training part, :func:`~hrsnn.evaluation.evaluate_forecaster`);
        true steps before each forecast.
    dt, lyapunov_exponent : float
        Of the series, for VPT in Lyapunov times.

    Returns
    -------
    dict
        ``n_neurons``, ``n_synapses``, ``sops_per_step`` (per forecast step,
        mean over windows), ``forecast_nrmse`` (RMSE over the horizon and
        variables divided by the series' overall std, mean over windows)
        and ``vpt_lt`` (median VPT at threshold 0.4, Lyapunov times).
    """
    from ..evaluation import evaluate_forecaster
    from ..readout import Forecaster
    from ..reservoir import Reservoir

    model = Forecaster(Reservoir(network=network, random_state=seed))
    result = evaluate_forecaster(model, series, n_train=n_train, n_starts=windows,
                                 horizon=horizon, warmup=warmup)
    truth = np.stack([series[s:s + horizon] for s in result.starts])
    error = np.sqrt(np.mean((result.forecasts - truth) ** 2, axis=(1, 2)))
    return {"n_neurons": network.n_neurons, "n_synapses": network.n_synapses,
            "sops_per_step": float(np.mean(result.sops_per_step(network.out_degree()))),
            "forecast_nrmse": float(np.mean(error / series.std())),
            "vpt_lt": float(np.median(result.vpt_lyapunov(dt, lyapunov_exponent)[:, 1]))}


def memory_scores(network, seed, *, k_max=50):
    """Task-agnostic quality: memory capacity from spikes (``mc``) and potentials (``mc_v``).

    The i.i.d. input of :func:`~hrsnn.studies.memory_capacity_inputs` drives
    every input channel of the network (a network built for Lorenz63 has 3),
    so each neuron sees the sum of its channels' weights.
    """
    from ..metrics import memory_capacity
    from ..reservoir import Reservoir
    from .records import memory_capacity_inputs

    u_fit, u = memory_capacity_inputs(seed, 3000, 1000)
    every = np.ones(network.n_inputs)
    reservoir = Reservoir(network=network, random_state=seed).fit((u_fit[:, None] * every)[None])
    run = reservoir.run(u[:, None] * every, record_spikes=False, record_v=True)
    return {name: memory_capacity(getattr(run, feature), u, k_max=k_max).total
            for name, feature in (("mc", "states"), ("mc_v", "v"))}


def classification_scores(network, X_train, y_train, X_test, y_test, seed, **reservoir_params):
    """Test accuracy and SOPs per sample of ``network`` in a reservoir + ridge classifier.

    ``reservoir_params`` are those of the reservoir (e.g.
    ``hrsnn.classification.RESERVOIR_DEFAULTS["current"]``, the settings of
    :func:`~hrsnn.classification.default_classifier`); the readout is
    ``RidgeClassifierCV(alphas=RIDGE_ALPHAS)`` on the reservoir's features.

    Returns
    -------
    dict
        ``n_neurons``, ``n_synapses``, ``accuracy`` and ``sops_per_sample``
        (mean over the test samples).
    """
    from sklearn.linear_model import RidgeClassifierCV

    from ..metrics import RIDGE_ALPHAS, synaptic_operations_from_counts
    from ..reservoir import Reservoir

    reservoir = Reservoir(network=network, random_state=seed, **reservoir_params)
    train = reservoir.fit_transform(X_train)
    readout = RidgeClassifierCV(alphas=RIDGE_ALPHAS).fit(train, y_train)
    accuracy = float(readout.score(reservoir.transform(X_test), y_test))
    counts = sum(reservoir.run(x, record_spikes=False).counts for x in X_test)
    sops = synaptic_operations_from_counts(counts, reservoir.network_.out_degree())
    return {"n_neurons": network.n_neurons, "n_synapses": network.n_synapses,
            "accuracy": accuracy, "sops_per_sample": float(sops) / len(X_test)}
