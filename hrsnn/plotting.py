"""Figures (matplotlib is imported only when a function here is called)."""

import numpy as np


def plot_raster(result, network=None, ax=None, max_neurons=None, title=None):
    """Spike raster of a :class:`~hrsnn.simulator.SimulationResult`.

    Parameters
    ----------
    result : SimulationResult
        A run with ``record_spikes=True``.
    network : Network, optional
        Colours excitatory spikes blue and inhibitory spikes red.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    max_neurons : int, optional
        Show only neurons ``0 .. max_neurons - 1``.
    title : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(9, 4.5))
    times, neurons = result.spike_times, result.spike_neurons
    if max_neurons is not None:
        keep = neurons < max_neurons
        times, neurons = times[keep], neurons[keep]
    if network is None:
        ax.scatter(times, neurons, s=1.0, c="k", marker="|", linewidths=0.5)
    else:
        exc = network.is_exc[neurons]
        ax.scatter(times[exc], neurons[exc], s=1.0, c="tab:blue", marker="|",
                   linewidths=0.5, label="excitatory")
        ax.scatter(times[~exc], neurons[~exc], s=1.0, c="tab:red", marker="|",
                   linewidths=0.5, label="inhibitory")
        ax.legend(loc="upper right", markerscale=8, fontsize=8)
    ax.set_xlim(0, result.n_steps * result.dt)
    ax.set_xlabel("time (ms)")
    ax.set_ylabel("neuron")
    if title:
        ax.set_title(title)
    return ax


def plot_rate_histogram(result, network, ax=None):
    """Histogram of per-neuron firing rates (Hz), excitatory and inhibitory apart."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(4.5, 3.5))
    rates = result.counts / (result.n_steps * result.dt / 1000.0)
    bins = np.linspace(0, max(1.0, rates.max()), 30)
    ax.hist(rates[network.is_exc], bins=bins, alpha=0.7, color="tab:blue", label="E")
    ax.hist(rates[~network.is_exc], bins=bins, alpha=0.7, color="tab:red", label="I")
    ax.set_xlabel("firing rate (Hz)")
    ax.set_ylabel("neurons")
    ax.legend()
    return ax
