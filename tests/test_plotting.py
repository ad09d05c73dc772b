"""Figures of hrsnn.plotting: structure and plotted data equal to the input."""

from types import SimpleNamespace

import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.container import BarContainer

from hrsnn import metrics
from hrsnn.plotting import (
    plot_forecast,
    plot_memory_capacity,
    plot_raster,
    plot_rate_histogram,
    plot_study,
)
from hrsnn.studies import summarize

matplotlib.use("Agg")  # switches pyplot's backend; no figure exists yet


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture
def forecast():
    t = np.linspace(0, 6, 120)
    truth = np.column_stack([np.sin(t), np.cos(t), np.sin(2 * t)])
    prediction = truth + np.linspace(0, 1.5, 120)[:, None] * np.array([1.0, -0.5, 0.3])
    return truth, prediction


def _records():
    rng = np.random.default_rng(0)
    return [{"variant": v, "seed": s, "mc": float(rng.uniform(1, 2)),
             "spikes": int(rng.integers(1000, 2000)), "mc_per_spike": float(rng.uniform()),
             "mc_per_delay": rng.uniform(0, 0.3, 6).tolist()}
            for s in range(3) for v in ("HoNHoS", "HeNHeS", "HeNHoS")]


def _data_lines(ax):
    """Lines with more than two points (axhline/axvline have two)."""
    return [line for line in ax.get_lines() if len(line.get_xdata()) > 2]


# ---------------------------------------------------------------- forecast
def test_forecast_panels_and_data(forecast):
    truth, prediction = forecast
    dt, lyap, threshold = 0.05, 0.9, 0.2
    fig = plot_forecast(truth, prediction, dt=dt, lyapunov_exponent=lyap,
                        names=["x", "y", "z"], threshold=threshold)
    axes = fig.get_axes()
    assert len(axes) == 4
    x = np.arange(120) * dt * lyap
    for i, ax in enumerate(axes[:3]):
        true_line, pred_line = _data_lines(ax)
        np.testing.assert_allclose(true_line.get_xdata(), x)
        np.testing.assert_array_equal(true_line.get_ydata(), truth[:, i])
        np.testing.assert_array_equal(pred_line.get_ydata(), prediction[:, i])
        assert ax.get_ylabel() == "xyz"[i]
    error, = _data_lines(axes[3])
    np.testing.assert_allclose(error.get_ydata(), metrics.nrmse_per_step(truth, prediction))
    assert axes[3].get_xlabel() == "Lyapunov times"
    vpt = metrics.valid_prediction_time(truth, prediction, threshold=threshold)
    assert 0 < vpt.steps < 120
    flat = [line for line in axes[3].get_lines() if len(line.get_xdata()) == 2]
    assert any(np.all(np.asarray(line.get_ydata()) == threshold) for line in flat)
    for ax in axes:  # the VPT marker on every panel
        assert any(np.all(np.asarray(line.get_xdata()) == x[vpt.steps])
                   for line in ax.get_lines())


def test_forecast_without_error_panel_and_1d(forecast):
    truth, prediction = forecast
    fig = plot_forecast(truth, prediction, show_error=False)
    assert len(fig.get_axes()) == 3
    assert all(len(ax.get_lines()) == 2 for ax in fig.get_axes())
    assert fig.get_axes()[-1].get_xlabel() == "step"
    fig = plot_forecast(truth[:, 0], prediction[:, 0], dt=0.1)
    assert len(fig.get_axes()) == 2
    np.testing.assert_allclose(_data_lines(fig.get_axes()[0])[0].get_xdata(),
                               np.arange(120) * 0.1)


def test_forecast_on_given_axes_and_errors(forecast):
    truth, prediction = forecast
    fig, axes = plt.subplots(4, 1)
    assert plot_forecast(truth, prediction, axes=axes) is fig
    with pytest.raises(ValueError, match="4 axes"):
        plot_forecast(truth, prediction, axes=axes[:3])
    with pytest.raises(ValueError, match="dt"):
        plot_forecast(truth, prediction, lyapunov_exponent=0.9)
    with pytest.raises(ValueError, match="same shape"):
        plot_forecast(truth, prediction[:, :2])
    with pytest.raises(ValueError, match="names"):
        plot_forecast(truth, prediction, names=["x"])


# ---------------------------------------------------------------- memory capacity
def test_memory_capacity_single_curve():
    per_delay = np.array([0.9, 0.5, 0.2, 0.05])
    mc = metrics.MemoryCapacity(float(per_delay.sum()), per_delay, np.arange(1, 5))
    for data in (mc, per_delay):
        fig = plot_memory_capacity(data)
        line, = fig.get_axes()[0].get_lines()
        np.testing.assert_array_equal(line.get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(line.get_ydata(), per_delay)
        assert "1.65" in line.get_label()


def test_memory_capacity_dict_runs_and_records():
    runs = np.array([[0.8, 0.4, 0.1], [0.6, 0.2, 0.1]])
    fig = plot_memory_capacity({"a": runs, "b": runs[0]})
    ax = fig.get_axes()[0]
    a, b = ax.get_lines()
    np.testing.assert_allclose(a.get_ydata(), runs.mean(axis=0))
    np.testing.assert_array_equal(b.get_ydata(), runs[0])
    assert a.get_label().startswith("a") and len(ax.collections) == 1  # one ± std band
    records = _records()
    ax = plot_memory_capacity(records).get_axes()[0]
    assert [line.get_label().split()[0] for line in ax.get_lines()] == [
        "HoNHoS", "HeNHeS", "HeNHoS"]
    expected = np.mean([r["mc_per_delay"] for r in records if r["variant"] == "HeNHoS"], 0)
    np.testing.assert_allclose(ax.get_lines()[2].get_ydata(), expected)
    with pytest.raises(ValueError, match="k_max"):
        plot_memory_capacity(np.zeros((2, 2, 2)))


# ---------------------------------------------------------------- studies
def _check_bars(ax, summary, key):
    bars, = [c for c in ax.containers if isinstance(c, BarContainer)]
    names = list(summary)
    heights = [rect.get_height() for rect in bars.patches]
    np.testing.assert_allclose(heights, [summary[n][key].mean for n in names])
    segments = bars.errorbar.lines[2][0].get_segments()
    for segment, name in zip(segments, names):
        (_, low), (_, high) = segment
        stat = summary[name][key]
        assert high - low == pytest.approx(2 * stat.std)
        assert (high + low) / 2 == pytest.approx(stat.mean)


def _points(ax):
    """Per-seed markers (error bar caps are lines too)."""
    return [line for line in ax.get_lines() if line.get_marker() == "o"]


def test_study_bars_from_records():
    records = _records()
    fig = plot_study(records)  # no "rank" in these records: three panels
    axes = fig.get_axes()
    assert len(axes) == 3
    summary = summarize(records, ["mc", "spikes", "mc_per_spike"])
    for ax, key in zip(axes, ["mc", "spikes", "mc_per_spike"]):
        _check_bars(ax, summary, key)
        assert [t.get_text() for t in ax.get_xticklabels()] == list(summary)
        points = _points(ax)
        assert len(points) == 3
        np.testing.assert_array_equal(
            points[1].get_ydata(), [r[key] for r in records if r["variant"] == "HeNHeS"])


def test_study_bars_from_summary_and_errors():
    summary = summarize(_records())
    fig = plot_study(summary, metrics=("spikes", "rank"), labels={"spikes": "S"})
    ax, = fig.get_axes()
    _check_bars(ax, summary, "spikes")
    assert ax.get_title() == "S" and not _points(ax)
    with pytest.raises(ValueError, match="none of the measurements"):
        plot_study(summary, metrics=("rank",))
    with pytest.raises(ValueError, match="1 axes"):
        plot_study(summary, metrics=("mc",), axes=plt.subplots(1, 2)[1])


# ---------------------------------------------------------------- activity
def test_raster_and_rate_histogram():
    result = SimpleNamespace(spike_times=np.array([1.0, 2.0, 5.0]),
                             spike_neurons=np.array([0, 3, 1]), counts=np.array([1, 1, 0, 1]),
                             n_steps=10, dt=1.0)
    network = SimpleNamespace(is_exc=np.array([True, True, True, False]))
    ax = plot_raster(result, network, max_neurons=3)
    assert ax.collections[0].get_offsets().shape == (2, 2)
    ax = plot_rate_histogram(result, network)
    assert len(ax.patches) > 0


def test_bo_figures_show_the_history_and_distributions():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from hrsnn.optimize import Gamma
    from hrsnn.plotting import plot_convergence, plot_distributions
    history = [{"value": v, "status": "ok" if v is not None else "failed"}
               for v in (1.0, None, 0.5, 2.0, 1.5)]
    fig = plot_convergence(history)
    best_line = fig.axes[0].lines[0]
    np.testing.assert_array_equal(best_line.get_ydata(), [1.0, 1.0, 1.0, 2.0, 2.0])
    plt.close(fig)
    found = {"tau_m_exc": Gamma(5.0, 30.0), "w_scale": 0.05}
    initial = {"tau_m_exc": Gamma(3.0, 20.0), "w_scale": 0.1}
    fig = plot_distributions(found, initial)
    lines = fig.axes[0].lines
    x, y = lines[1].get_xdata(), lines[1].get_ydata()
    from scipy import stats
    np.testing.assert_allclose(y, stats.gamma.pdf(x, 5.0, scale=6.0))
    assert "w_scale" in fig._suptitle.get_text()
    plt.close(fig)


def test_pruning_error_plot_shows_mean_and_spread():
    from hrsnn.plotting import plot_pruning_error
    errors = {"noise": np.array([[0.2, 0.1], [0.4, 0.3]]), "random": [[0.5, 0.25]]}
    fig = plot_pruning_error([0.2, 0.5], errors)
    ax = fig.axes[0]
    labels = [container.get_label() for container in ax.containers]
    assert labels == ["noise", "random"]
    lines = [container.lines[0] for container in ax.containers]
    np.testing.assert_allclose(lines[0].get_ydata(), [0.3, 0.2])
    np.testing.assert_allclose(lines[1].get_ydata(), [0.5, 0.25])
    np.testing.assert_allclose(lines[0].get_xdata(), [0.2, 0.5])
    assert ax.get_yscale() == "log"
    plt.close(fig)


def test_plot_confusion_shows_counts_with_a_colour_bar():
    from hrsnn.plotting import plot_confusion
    matrix = np.array([[5, 1], [0, 7]])
    fig = plot_confusion(matrix, labels=["zero", "one"], title="t")
    ax = fig.axes[0]
    assert len(fig.axes) == 2                                   # the colour bar
    assert sorted(t.get_text() for t in ax.texts) == ["1", "5", "7"]   # zeros left blank
    assert [t.get_text() for t in ax.get_xticklabels()] == ["zero", "one"]
    np.testing.assert_array_equal(ax.images[0].get_array(), matrix)
    with pytest.raises(ValueError, match="square confusion matrix"):
        plot_confusion(np.ones((2, 3)))
    with pytest.raises(ValueError, match="'labels' must name the 2 classes"):
        plot_confusion(matrix, labels=["a"])


def test_a_diverged_forecast_does_not_flatten_the_truth():
    t = np.linspace(0, 6, 200)
    truth = np.column_stack([np.sin(t), 20 + 5 * np.cos(t)])
    prediction = truth.copy()
    prediction[120:] *= np.linspace(1, 1e6, 80)[:, None]          # blows up
    prediction[-1] = np.inf
    fig = plot_forecast(truth, prediction, dt=0.03, threshold=0.4)
    for ax, column in zip(fig.axes[:2], truth.T):
        low, high = ax.get_ylim()
        span = column.max() - column.min()
        assert low >= column.min() - 0.26 * span and high <= column.max() + 0.26 * span
        assert any("prediction leaves the axis" in text.get_text() for text in ax.texts)
    assert fig.axes[2].get_ylim()[1] == pytest.approx(3.0)
    assert fig.axes[2].get_xlabel() == "time (units of the system; dt = 0.03)"
    plt.close(fig)


def test_many_variables_become_space_time_heat_maps_with_colour_bars():
    rng = np.random.default_rng(0)
    truth = rng.normal(size=(50, 40))
    fig = plot_forecast(truth, truth + 0.1 * rng.normal(size=truth.shape))
    panels = [ax for ax in fig.axes if ax.images]
    assert len(panels) == 3                                   # truth, prediction, difference
    for ax in panels:
        bars = [child for child in ax.child_axes if child.get_ylabel()]
        assert len(bars) == 1 and bars[0].get_ylabel() in ("value", "difference")
    np.testing.assert_array_equal(panels[0].images[0].get_array(), truth.T)
    assert len(plot_forecast(truth[:, :3], truth[:, :3]).axes) == 4     # lines up to 6
    with pytest.raises(ValueError, match="'layout' must be"):
        plot_forecast(truth, truth, layout="grid")
    plt.close("all")


def test_study_and_convergence_figures_say_what_they_show():
    from hrsnn.plotting import plot_convergence
    records = [{"variant": v, "seed": s, "mc": float(s + i)}
               for i, v in enumerate(("A", "B")) for s in range(3)]
    fig = plot_study(records, metrics=("mc",))
    assert any("sample std over 3 seeds" in text.get_text() for text in fig.texts)
    history = [{"value": v, "status": "ok"} for v in (1.0, 3.0, 2.0)]
    fig = plot_convergence(history, objective="MC")
    assert fig.axes[0].get_ylabel() == "MC (higher is better)"
    plt.close("all")
