"""Figures (matplotlib is imported only when a function here is called).

* Activity: :func:`plot_raster`, :func:`plot_rate_histogram`.
* Forecasting: :func:`plot_forecast` (truth vs prediction, NRMSE per step, VPT).
* Memory: :func:`plot_memory_capacity` (``MC_k`` against the delay ``k``).
* Studies: :func:`plot_study` (mean ± std over seeds per preset, as bars).
* Bayesian optimisation: :func:`plot_convergence` (best value so far),
  :func:`plot_distributions` (found distributions against the initial ones).
* Pruning: :func:`plot_pruning_error` (covariance error against density),
  :func:`plot_pruning_history` (network measures over pruning iterations).
* Classification: :func:`plot_confusion` (confusion matrix with a colour bar).
"""

import numpy as np

from .metrics import nrmse_per_step, valid_prediction_time

#: Axis labels of the study measurements (others are shown by their key).
STUDY_LABELS = {
    "mc": "memory capacity MC",
    "spikes": "spike count S",
    "mc_per_spike": "spike efficiency MC / (S / N)",
    "rank": "effective rank",
    "rate_hz": "mean rate (Hz)",
    "activation": "activation S / (N T)",
    "spikes_per_stimulus": "spikes per stimulus",
}


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


# ---------------------------------------------------------------- forecasting
def plot_forecast(truth, prediction, *, dt=None, lyapunov_exponent=None, names=None,
                  threshold=None, scale=None, show_error=True, layout="auto", axes=None):
    """Truth against prediction per variable, and the forecast error per step.

    Parameters
    ----------
    truth, prediction : array-like of shape (n_steps,) or (n_steps, n_vars)
        Target and forecast, step 0 being the first forecast step.
        ``prediction`` may hold NaN or inf (a diverged forecast).
    dt : float, optional
        Time between steps; the x-axis shows time instead of steps.
    lyapunov_exponent : float, optional
        Largest Lyapunov exponent per unit of ``dt`` (needs ``dt``); the
        x-axis shows Lyapunov times ``t * lyapunov_exponent``.
    names : sequence of str, optional
        One name per variable (default ``x0, x1, ...``).
    threshold : float, optional
        VPT threshold: drawn as a horizontal line on the error panel, and
        the valid prediction time
        (:func:`hrsnn.metrics.valid_prediction_time`) as a vertical line on
        every panel.
    scale : float or array-like of shape (n_vars,), optional
        Per-variable normaliser of the NRMSE (see
        :func:`hrsnn.metrics.nrmse_per_step`); default the std of ``truth``.
    show_error : bool, default=True
        Add a last panel with :func:`hrsnn.metrics.nrmse_per_step`.
    layout : {"auto", "lines", "heatmap"}, default="auto"
        ``"lines"``: one panel per variable; ``"heatmap"``: space-time heat
        maps of the truth, the prediction and their difference, with colour
        bars (for many variables, e.g. Lorenz96); ``"auto"``: lines up to
        :data:`MAX_LINE_PANELS` variables.
    axes : sequence of matplotlib.axes.Axes, optional
        The panels (``n_vars`` for lines, 3 for heat maps, plus one for the
        error panel); a new figure if None.

    Returns
    -------
    matplotlib.figure.Figure
        A prediction that leaves the truth's range (a diverged forecast) is
        cut at 1.5 times that range, the NRMSE at :data:`MAX_SHOWN_NRMSE`,
        and the panel says so, so that the truth stays readable.
    """
    truth, prediction = _as_columns(truth), _as_columns(prediction)
    if truth.shape != prediction.shape:
        raise ValueError("'truth' and 'prediction' must have the same shape. Got "
                         f"{truth.shape} and {prediction.shape} instead.")
    if layout not in ("auto", "lines", "heatmap"):
        raise ValueError("'layout' must be 'auto', 'lines' or 'heatmap'. Got "
                         f"{layout!r} instead.")
    n_vars = truth.shape[1]
    names = [f"x{i}" for i in range(n_vars)] if names is None else list(names)
    if len(names) != n_vars:
        raise ValueError(f"'names' must hold {n_vars} names, one per variable. Got "
                         f"{len(names)} instead.")
    heatmap = layout == "heatmap" or (layout == "auto" and n_vars > MAX_LINE_PANELS)
    x, xlabel = _forecast_axis(truth.shape[0], dt, lyapunov_exponent)
    new_figure = axes is None
    axes = _forecast_axes(axes, (3 if heatmap else n_vars) + bool(show_error))
    if heatmap:
        _forecast_heatmaps(axes[:3], x, truth, prediction, names)
    else:
        _forecast_lines(axes[:n_vars], x, truth, prediction, names)
    if show_error:
        _plot_error(axes[-1], x, truth, prediction, scale, threshold)
    if threshold is not None:
        _mark_vpt(axes, x, truth, prediction, scale, threshold)
    if show_error:
        axes[-1].legend(loc="upper left", fontsize=8)
    axes[-1].set_xlabel(xlabel)
    if new_figure:
        axes[0].figure.tight_layout()
    return axes[0].figure


#: Most variables :func:`plot_forecast` draws as one line panel each (``layout="auto"``).
MAX_LINE_PANELS = 6
#: Highest NRMSE the error panel shows; a diverged forecast is cut there.
MAX_SHOWN_NRMSE = 3.0


def _shown_range(truth):
    """The y-range a panel keeps: the truth's range widened by a quarter on each side."""
    low, high = np.nanmin(truth), np.nanmax(truth)
    margin = 0.25 * (high - low) if high > low else 1.0
    return low - margin, high + margin


def _forecast_lines(axes, x, truth, prediction, names):
    for ax, name, y_true, y_pred in zip(axes, names, truth.T, prediction.T):
        ax.plot(x, y_true, color="k", lw=1.2, label="truth")
        ax.plot(x, y_pred, color="tab:red", lw=1.2, ls="--", label="prediction")
        low, high = _shown_range(y_true)
        ax.set_ylim(low, high)
        if not np.all((y_pred >= low) & (y_pred <= high)):
            ax.text(0.01, 0.03, "prediction leaves the axis (cut at 1.5x the truth's range)",
                    transform=ax.transAxes, fontsize=7, color="tab:red")
        ax.set_ylabel(name)
    axes[0].legend(loc="upper right", fontsize=8)


def _forecast_heatmaps(axes, x, truth, prediction, names):
    low, high = np.nanmin(truth), np.nanmax(truth)
    extent = (x[0], x[-1] if len(x) > 1 else x[0] + 1, -0.5, truth.shape[1] - 0.5)
    difference = prediction - truth
    limit = max(high - low, 1e-12)
    panels = ((truth, "truth", "RdBu_r", low, high, "value"),
              (prediction, "prediction", "RdBu_r", low, high, "value"),
              (difference, "prediction - truth", "PuOr_r", -limit, limit, "difference"))
    for ax, (values, title, cmap, vmin, vmax, unit) in zip(axes, panels):
        image = ax.imshow(values.T, aspect="auto", origin="lower", cmap=cmap, vmin=vmin,
                          vmax=vmax, extent=extent, interpolation="nearest")
        # the colour bar sits beside the panel without narrowing it, so that the
        # time axis stays aligned with the error panel's
        ax.figure.colorbar(image, cax=ax.inset_axes([1.01, 0.0, 0.015, 1.0]), label=unit)
        clipped = not np.all((values >= vmin) & (values <= vmax))
        ax.set_title(title + (" (colours cut at the truth's range)" if clipped else ""),
                     fontsize=9)
        ax.set_ylabel("variable")
    step = max(1, truth.shape[1] // 8)
    for ax in axes:
        ax.set_yticks(range(0, truth.shape[1], step),
                      [names[i] for i in range(0, truth.shape[1], step)])


def _as_columns(values):
    arr = np.asarray(values, dtype=float)
    return arr[:, None] if arr.ndim == 1 else arr


def _forecast_axis(n_steps, dt, lyapunov_exponent):
    """x values and label: steps, time or Lyapunov times."""
    steps = np.arange(n_steps, dtype=float)
    if lyapunov_exponent is not None:
        if dt is None:
            raise ValueError("plot_forecast() needs 'dt' to convert steps into Lyapunov "
                             "times.")
        return steps * dt * lyapunov_exponent, "Lyapunov times"
    if dt is not None:
        return steps * dt, f"time (units of the system; dt = {dt:g})"
    return steps, "step"


def _forecast_axes(axes, n_panels):
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(n_panels, 1, sharex=True, squeeze=False,
                               figsize=(8, 1.8 * n_panels + 0.6))
        return list(axes[:, 0])
    axes = list(np.ravel(axes))
    if len(axes) != n_panels:
        raise ValueError(f"'axes' must hold {n_panels} axes (one per variable, or 3 heat "
                         f"maps, plus one for the error panel). Got {len(axes)} instead.")
    return axes


def _plot_error(ax, x, truth, prediction, scale, threshold):
    error = nrmse_per_step(truth, prediction, scale)
    ax.plot(x, error, color="tab:purple", lw=1.2, label="NRMSE")
    if threshold is not None:
        ax.axhline(threshold, color="grey", ls=":", lw=1, label=f"threshold {threshold:g}")
    if not np.all(error <= MAX_SHOWN_NRMSE):
        ax.set_ylim(0, MAX_SHOWN_NRMSE)
        ax.text(0.99, 0.9, f"cut at {MAX_SHOWN_NRMSE:g} (the forecast diverged)",
                transform=ax.transAxes, ha="right", fontsize=7, color="tab:purple")
    ax.set_ylabel("NRMSE")


def _mark_vpt(axes, x, truth, prediction, scale, threshold):
    vpt = valid_prediction_time(truth, prediction, threshold=threshold, scale=scale)
    if vpt.steps < len(x):
        for ax in axes:
            ax.axvline(x[vpt.steps], color="grey", ls="-.", lw=1, label="VPT")


# ---------------------------------------------------------------- memory
def plot_memory_capacity(per_delay, ax=None, *, label=None):
    """Memory capacity ``MC_k`` against the delay ``k``.

    Parameters
    ----------
    per_delay : MemoryCapacity, array-like, dict or list of dict
        One curve: a :class:`~hrsnn.metrics.MemoryCapacity`, ``MC_k`` of
        shape (k_max,) for delays ``1 .. k_max``, or runs of shape
        (n_runs, k_max) shown as mean with a ± std band (sample std). Several
        curves: a dict ``label -> any of these``, or study records with
        ``variant`` and ``mc_per_delay`` fields (one curve per variant).
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure if None.
    label : str, optional
        Legend label of a single curve.

    Returns
    -------
    matplotlib.figure.Figure
        Each curve's label ends in its ``MC = sum_k MC_k`` (of the mean).
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 4))
    for name, runs in _mc_curves(per_delay, label).items():
        mean = runs.mean(axis=0)
        delays = np.arange(1, mean.size + 1)
        text = f"MC = {mean.sum():.2f}" if name is None else f"{name} (MC = {mean.sum():.2f})"
        line, = ax.plot(delays, mean, marker=".", lw=1.2, label=text)
        if runs.shape[0] > 1:
            std = runs.std(axis=0, ddof=1)
            ax.fill_between(delays, mean - std, mean + std, color=line.get_color(),
                            alpha=0.2, lw=0)
    ax.set_xlabel("delay k (input steps)")
    ax.set_ylabel("MC_k")
    ax.set_ylim(bottom=0)
    ax.legend(fontsize=8)
    return ax.figure


def _mc_curves(per_delay, label):
    """``{label: ndarray of shape (n_runs, k_max)}`` from any accepted input."""
    if isinstance(per_delay, dict):
        return {name: _mc_runs(value) for name, value in per_delay.items()}
    if isinstance(per_delay, (list, tuple)) and per_delay and isinstance(per_delay[0], dict):
        curves = {}
        for record in per_delay:
            curves.setdefault(record["variant"], []).append(record["mc_per_delay"])
        return {name: _mc_runs(rows) for name, rows in curves.items()}
    return {label: _mc_runs(per_delay)}


def _mc_runs(value):
    value = getattr(value, "per_delay", value)
    runs = np.asarray(value, dtype=float)
    runs = runs[None] if runs.ndim == 1 else runs
    if runs.ndim != 2 or runs.shape[1] == 0:
        raise ValueError("MC per delay must have shape (k_max,) or (n_runs, k_max). Got "
                         f"shape {np.shape(value)} instead.")
    return runs


# ---------------------------------------------------------------- studies
def plot_study(records_or_summary, metrics=("mc", "spikes", "mc_per_spike", "rank"), *,
               labels=None, show_points=True, axes=None):
    """Bar charts of study measurements: mean ± std over seeds per variant.

    Parameters
    ----------
    records_or_summary : list of dict or dict
        Study records (:func:`hrsnn.studies.memory_capacity_study`,
        :func:`hrsnn.studies.effective_rank_study`), summarised with
        :func:`hrsnn.studies.summarize`, or such a summary
        ``{variant: {key: Stat}}``.
    metrics : sequence of str, default=("mc", "spikes", "mc_per_spike", "rank")
        Measurements, one panel each; those missing from the data are skipped.
    labels : dict, optional
        Panel titles per measurement (default :data:`STUDY_LABELS`).
    show_points : bool, default=True
        With records, also mark every seed's value.
    axes : sequence of matplotlib.axes.Axes, optional
        One per measurement shown; a new figure if None.

    Returns
    -------
    matplotlib.figure.Figure
        Bar heights are the means, error bars ± the sample std (none for a
        single seed); the figure says so, with the number of seeds.
    """
    records = records_or_summary if isinstance(records_or_summary, list) else None
    summary = _study_summary(records_or_summary, metrics)
    keys = [k for k in metrics if k in next(iter(summary.values()))]
    axes = _study_axes(axes, len(keys))
    titles = {**STUDY_LABELS, **(labels or {})}
    for ax, key in zip(axes, keys):
        _bars(ax, summary, key)
        if records is not None and show_points:
            _points(ax, records, list(summary), key)
        ax.set_title(titles.get(key, key), fontsize=10)
    counts = sorted({stat.n for stats in summary.values() for stat in stats.values()})
    seeds = "/".join(str(n) for n in counts)
    axes[0].figure.text(0.005, 0.005, f"bars: mean; error bars: ± sample std over {seeds} "
                        "seed" + ("s" if counts != [1] else "")
                        + ("; dots: seeds" if records is not None and show_points else ""),
                        fontsize=7, color="0.3")
    axes[0].figure.tight_layout(rect=(0, 0.03, 1, 1))
    return axes[0].figure


def _study_summary(data, keys):
    if isinstance(data, dict):
        summary = data
    else:
        from .studies import summarize       # here, so plotting imports no simulator

        present = [k for k in keys if data and all(k in r for r in data)]
        summary = summarize(data, present) if present else {}
    if not summary or not any(k in next(iter(summary.values())) for k in keys):
        raise ValueError(f"plot_study() found none of the measurements {list(keys)} in "
                         "the data.")
    return summary


def _study_axes(axes, n_panels):
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, n_panels, squeeze=False, figsize=(3.2 * n_panels, 3.4))
        return list(axes[0])
    axes = list(np.ravel(axes))
    if len(axes) != n_panels:
        raise ValueError(f"'axes' must hold {n_panels} axes, one per measurement shown. "
                         f"Got {len(axes)} instead.")
    return axes


def _bars(ax, summary, key):
    names = list(summary)
    means = np.array([summary[n][key].mean for n in names])
    stds = np.nan_to_num(np.array([summary[n][key].std for n in names]))
    ax.bar(np.arange(len(names)), means, yerr=stds, capsize=4, color="tab:blue",
           alpha=0.7, ecolor="k")
    ax.set_xticks(np.arange(len(names)), names, rotation=30)


def _points(ax, records, names, key):
    for i, name in enumerate(names):
        values = [r[key] for r in records if r["variant"] == name]
        ax.plot(np.full(len(values), float(i)), values, "o", color="k", ms=3, alpha=0.6)


def plot_convergence(histories, ax=None, *, objective="objective"):
    """Best value so far against the number of evaluations.

    Parameters
    ----------
    histories : list of dict or dict of str -> list of dict
        ``WassersteinBO.history_`` (records with ``value`` and ``status``),
        or several of them by label. Failed evaluations are marked with x.
    ax : matplotlib Axes, optional
    objective : str, default="objective"
        What the values are (the y-axis label, e.g. ``"MC / (S / N)"``).

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 3.5))
    if not isinstance(histories, dict):
        histories = {"WassersteinBO": histories}
    for label, history in histories.items():
        values = np.array([np.nan if r["value"] is None else r["value"] for r in history])
        best = np.fmax.accumulate(np.where(np.isnan(values), -np.inf, values))
        evaluations = np.arange(1, len(values) + 1)
        line, = ax.step(evaluations, np.where(np.isinf(best), np.nan, best), where="post",
                        label=f"{label} (best so far)")
        ax.plot(evaluations, values, "o", ms=3, alpha=0.5, color=line.get_color())
        failed = np.isnan(values)
        if failed.any():
            ax.plot(evaluations[failed], np.full(failed.sum(), np.nanmin(values)), "x",
                    color="tab:red", label="failed")
    ax.set(xlabel="evaluation (objective calls, in order)", ylabel=f"{objective} (higher is "
           "better)")
    ax.legend(fontsize=8)
    ax.figure.tight_layout()       # keeps the x-label inside the figure
    return ax.figure


def plot_distributions(found, initial, *, axes=None, n_points=200):
    """Density of each searched gamma distribution: found against initial.

    Parameters
    ----------
    found, initial : dict
        Candidates (parameter name -> ``Gamma`` or float); only the gamma
        distributions are drawn, scalars are listed in the panel titles.
    axes : array of matplotlib Axes, optional
        One per distribution.
    n_points : int, default=200

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt
    from scipy import stats
    names = [name for name, value in found.items() if hasattr(value, "shape")]
    if axes is None:
        n_cols = min(4, max(len(names), 1))
        n_rows = -(-max(len(names), 1) // n_cols)
        _, axes = plt.subplots(n_rows, n_cols, figsize=(3.3 * n_cols, 2.6 * n_rows),
                               squeeze=False)
    axes = np.ravel(axes)
    for ax, name in zip(axes, names):
        top = max(d.quantiles(0.995) for d in (found[name], initial[name]))
        x = np.linspace(0, top, n_points)
        for label, dist, style in (("initial", initial[name], "--"),
                                   ("found", found[name], "-")):
            ax.plot(x, stats.gamma.pdf(x, dist.shape, scale=dist.mean / dist.shape), style,
                    label=f"{label}: k={dist.shape:.3g}, mean={dist.mean:.3g}")
        ax.set_title(name, fontsize=9)
        ax.legend(fontsize=6)
    for ax in axes[len(names):]:
        ax.axis("off")
    scalars = {k: v for k, v in found.items() if not hasattr(v, "shape")}
    figure = axes[0].figure
    if scalars:
        figure.suptitle(", ".join(f"{k} = {v:.3g} (initial {initial[k]:.3g})"
                                  for k, v in scalars.items()), fontsize=9)
    figure.tight_layout()
    return figure


def plot_pruning_error(densities, errors, ax=None):
    """Relative covariance error of pruned networks against the density kept.

    Parameters
    ----------
    densities : array_like of shape (n_densities,)
        Fractions of synapses kept.
    errors : dict
        ``method -> array of shape (n_seeds, n_densities)``, e.g. the
        relative spectral errors :func:`hrsnn.pruning.relative_covariance_error`
        of noise pruning and of random pruning; mean ± std over seeds.
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 3.5))
    densities = np.asarray(densities, dtype=float)
    for method, values in errors.items():
        values = np.atleast_2d(np.asarray(values, dtype=float))
        mean = values.mean(axis=0)
        spread = values.std(axis=0, ddof=1) if values.shape[0] > 1 else None
        ax.errorbar(densities, mean, yerr=spread, marker="o", capsize=3, label=method)
    ax.set_xlabel("density kept")
    ax.set_ylabel("||C~ - C|| / ||C||")
    ax.set_yscale("log")
    ax.legend(fontsize=8)
    return ax.figure


def plot_pruning_history(history, keys=("n_neurons", "n_synapses", "sops_per_step")):
    """Measures of a network over pruning iterations, one panel each.

    Parameters
    ----------
    history : list of dict
        ``PruningResult.history`` (rows with ``iteration`` and ``keys``).
    keys : sequence of str
        The measures to show.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    keys = list(keys)
    fig, axes = plt.subplots(1, len(keys), figsize=(3.2 * len(keys), 3), squeeze=False)
    iterations = [row["iteration"] for row in history]
    for ax, key in zip(axes[0], keys):
        ax.plot(iterations, [row[key] for row in history], marker="o")
        ax.set_xlabel("iteration")
        ax.set_ylabel(key)
    fig.tight_layout()
    return fig


# ---------------------------------------------------------------- classification
def plot_confusion(matrix, *, labels=None, title=None, ax=None):
    """A confusion matrix as a heat map of counts, with a colour bar.

    Parameters
    ----------
    matrix : array_like of int, shape (n_classes, n_classes)
        ``matrix[i, j]``: test samples of true class ``i`` predicted as ``j``
        (``sklearn.metrics.confusion_matrix``).
    labels : sequence of str, optional
        Class names (default ``0 .. n_classes - 1``).
    title : str, optional
    ax : matplotlib.axes.Axes, optional

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib.pyplot as plt

    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1] or matrix.shape[0] == 0:
        raise ValueError("'matrix' must be a square confusion matrix (n_classes, n_classes); "
                         f"got shape {matrix.shape}.")
    n = matrix.shape[0]
    labels = [str(c) for c in range(n)] if labels is None else [str(c) for c in labels]
    if len(labels) != n:
        raise ValueError(f"'labels' must name the {n} classes; got {len(labels)}.")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 5))
    image = ax.imshow(matrix, cmap="Blues")
    ax.figure.colorbar(image, ax=ax, label="test samples")
    for (i, j), count in np.ndenumerate(matrix):
        if count:
            ax.text(j, i, str(count), ha="center", va="center", fontsize=7,
                    color="white" if count > matrix.max() / 2 else "black")
    ax.set_xticks(range(n), labels)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    if title:
        ax.set_title(title, fontsize=10)
    ax.figure.tight_layout()
    return ax.figure
