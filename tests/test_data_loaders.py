"""data_loaders against independent references.

Systems: scipy's DOP853 on right-hand sides written here, known fixed points,
statistics and Lyapunov exponents, a method-of-steps solution of Mackey-Glass,
a naive multiscale right-hand side and NARMA loop. Digits: sklearn's own
arrays and Poisson statistics. SHD: files written here with h5py directly and
binned by hand.
"""

import h5py
import numpy as np
import pytest
from scipy.integrate import solve_ivp
from sklearn.datasets import load_digits

from data_loaders import (LYAPUNOV_EXPONENTS, SHD_LAYOUT, SYSTEMS, load_digits_images,
                          load_digits_spikes, load_shd, load_system, lorenz63, lorenz96,
                          mackey_glass, multiscale_lorenz96, narma, rossler, to_forecasting,
                          write_shd)
from data_loaders.systems import _multiscale_rhs


def reference(rhs, x0, dt, n_steps):
    """DOP853 at tight tolerances, sampled at ``0, dt, ..., (n_steps - 1) dt``."""
    t = np.arange(n_steps) * dt
    sol = solve_ivp(rhs, (0.0, t[-1]), x0, method="DOP853", t_eval=t, rtol=1e-12, atol=1e-12)
    return sol.y.T


def lorenz63_rhs(t, s):
    x, y, z = s
    return [10.0 * (y - x), x * (28.0 - z) - y, x * y - 8.0 / 3.0 * z]


def rossler_rhs(t, s):
    x, y, z = s
    return [-y - z, x + 0.2 * y, 0.2 + z * (x - 5.7)]


def lorenz96_rhs(t, x, forcing=8.0):
    return (np.roll(x, -1) - np.roll(x, 2)) * np.roll(x, 1) - x + forcing


# ------------------------------------------------------------- RK4 vs solve_ivp
@pytest.mark.parametrize("system, rhs, x0, dt, n_steps, tol", [
    (lorenz63, lorenz63_rhs, [1.0, 2.0, 20.0], 0.02, 101, 0.05),
    (rossler, rossler_rhs, [0.0, -6.0, 0.1], 0.05, 201, 2e-3),
    (lorenz96, lorenz96_rhs, 8.0 + np.random.default_rng(1).standard_normal(40), 0.01, 101,
     1e-2),
])
def test_rk4_matches_solve_ivp_and_converges(system, rhs, x0, dt, n_steps, tol):
    ref = reference(rhs, x0, dt, n_steps)
    errors = [np.abs(system(n_steps, dt, transient=0, substeps=m, initial_state=x0) - ref).max()
              for m in (1, 2, 4)]
    assert errors[0] < tol
    # fourth order: halving the step cuts the error about 16-fold
    assert errors[1] < errors[0] / 10 and errors[2] < errors[1] / 10


def test_transient_and_initial_state_semantics():
    x0 = [1.0, 2.0, 20.0]
    full = lorenz63(60, transient=0, initial_state=x0)
    np.testing.assert_array_equal(full[0], x0)
    np.testing.assert_array_equal(lorenz63(50, transient=10, initial_state=x0), full[10:])


def test_random_initial_state_is_seeded():
    for system in SYSTEMS.values():
        a, b = system(20, transient=10, random_state=3), system(20, transient=10, random_state=3)
        np.testing.assert_array_equal(a, b)
        assert a.dtype == np.float64 and a.shape[0] == 20
        assert not np.array_equal(a, system(20, transient=10, random_state=4))


# ------------------------------------------------------------- known values
def test_lorenz63_long_run_statistics():
    x = lorenz63(50_000, random_state=0)  # 1000 time units
    assert x.shape == (50_000, 3)
    assert abs(x[:, 2].mean() - 23.55) < 0.5
    assert abs(x[:, 0].mean()) < 1.0 and abs(x[:, 1].mean()) < 1.0  # x, y symmetry


def test_lorenz96_fixed_point_and_statistics():
    np.testing.assert_array_equal(
        lorenz96(200, transient=0, initial_state=np.full(40, 8.0)), np.full((200, 40), 8.0))
    np.testing.assert_array_equal(
        lorenz96(50, n_vars=5, forcing=3.5, transient=0, initial_state=np.full(5, 3.5)), 3.5)
    x = lorenz96(5000, random_state=0)
    assert abs(x.mean() - 2.35) < 0.2 and abs(x.std() - 3.65) < 0.2


def largest_lyapunov(system, dt, n_renorm, steps_per_renorm):
    """Benettin's two-trajectory estimate through the public function."""
    s = system(1, random_state=0)[0]
    v = np.random.default_rng(1).standard_normal(s.shape)
    d0 = 1e-8
    p, total = s + d0 * v / np.linalg.norm(v), 0.0
    for _ in range(n_renorm):
        s = system(1, transient=steps_per_renorm, initial_state=s)[0]
        p = system(1, transient=steps_per_renorm, initial_state=p)[0]
        d = np.linalg.norm(p - s)
        total += np.log(d / d0)
        p = s + (p - s) * d0 / d
    return total / (n_renorm * steps_per_renorm * dt)


@pytest.mark.parametrize("name, dt, n_renorm, steps, tol", [
    ("lorenz63", 0.02, 1000, 10, 0.05),   # 200 time units
    ("rossler", 0.05, 1000, 40, 0.01),    # 2000 time units
    ("lorenz96", 0.01, 600, 10, 0.2),     # 60 time units (converges slowly)
])
def test_lyapunov_exponents(name, dt, n_renorm, steps, tol):
    estimate = largest_lyapunov(SYSTEMS[name], dt, n_renorm, steps)
    assert abs(estimate - LYAPUNOV_EXPONENTS[name]) < tol


# ------------------------------------------------------------- multiscale Lorenz96
def naive_multiscale_rhs(X, Y, Z, F=20.0, b=10.0, c=10.0, d=10.0, e=10.0, h=1.0, g=1.0):
    """Thornes et al. (2017), loop by loop; Y and Z rings run across k (Lorenz 1996)."""
    K, J, I = Z.shape
    y = lambda j, k: Y[(k + j // J) % K, j % J]  # noqa: E731  Y_{j,k} with carry into k
    z = lambda i, j, k: Z[(k + (j + i // I) // J) % K, (j + i // I) % J, i % I]  # noqa: E731
    dX, dY, dZ = np.zeros(K), np.zeros((K, J)), np.zeros((K, J, I))
    for k in range(K):
        dX[k] = (X[(k - 1) % K] * (X[(k + 1) % K] - X[(k - 2) % K]) - X[k] + F
                 - h * c / b * sum(Y[k, j] for j in range(J)))
        for j in range(J):
            dY[k, j] = (-c * b * y(j + 1, k) * (y(j + 2, k) - y(j - 1, k)) - c * Y[k, j]
                        + h * c / b * X[k] - h * e / d * sum(Z[k, j, i] for i in range(I)))
            for i in range(I):
                dZ[k, j, i] = (e * d * z(i - 1, j, k) * (z(i + 1, j, k) - z(i - 2, j, k))
                               - g * e * Z[k, j, i] + h * e / d * Y[k, j])
    return dX, dY, dZ


def split(flat, K, J, I):
    return flat[:K], flat[K:K + K * J].reshape(K, J), flat[K + K * J:].reshape(K, J, I)


def test_multiscale_rhs_matches_naive_loops():
    K, J, I = 5, 3, 4
    rng = np.random.default_rng(0)
    X, Y, Z = rng.normal(5, 3, K), rng.normal(0, 0.5, (K, J)), rng.normal(0, 0.1, (K, J, I))
    rhs = _multiscale_rhs(K, J, I, forcing=20.0, b=10.0, c=10.0, d=10.0, e=10.0, h=1.0, g_z=1.0)
    got = split(rhs(np.concatenate([X, Y.ravel(), Z.ravel()])), K, J, I)
    for a, b in zip(got, naive_multiscale_rhs(X, Y, Z)):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-12)


def test_multiscale_energy_budget():
    """Advection and coupling conserve X^2 + Y^2 + Z^2; only forcing and damping remain."""
    K, J, I, F, c, e, g = 8, 8, 8, 20.0, 10.0, 10.0, 1.0
    rng = np.random.default_rng(1)
    s = np.concatenate([rng.normal(5, 3, K), rng.normal(0, 0.5, K * J),
                        rng.normal(0, 0.1, K * J * I)])
    ds = _multiscale_rhs(K, J, I, forcing=F, b=10.0, c=c, d=10.0, e=e, h=1.0, g_z=g)(s)
    X, Y, Z = split(s, K, J, I)
    expected = -X @ X + F * X.sum() - c * (Y * Y).sum() - g * e * (Z * Z).sum()
    np.testing.assert_allclose(s @ ds, expected, rtol=1e-10)


def test_multiscale_shapes_and_uncoupled_limit():
    X, Y, Z = multiscale_lorenz96(30, K=6, J=3, I=2, random_state=0, return_all=True)
    assert X.shape == (30, 6) and Y.shape == (30, 6, 3) and Z.shape == (30, 6, 3, 2)
    np.testing.assert_array_equal(multiscale_lorenz96(30, K=6, J=3, I=2, random_state=0), X)
    # h = 0: the X tier is the single-scale Lorenz96 with the same forcing
    x0 = 20.0 + np.random.default_rng(2).standard_normal(8)
    start = (x0, np.full((8, 8), 0.3), np.full((8, 8, 8), 0.05))
    X = multiscale_lorenz96(400, h=0.0, transient=0, initial_state=start)
    np.testing.assert_array_equal(X, lorenz96(400, 0.005, n_vars=8, forcing=20.0,
                                              transient=0, initial_state=x0))


# ------------------------------------------------------------- Mackey-Glass, NARMA
def method_of_steps(tau, beta, gamma, n, x_init, t):
    """Mackey-Glass solved interval by interval: on [s tau, (s+1) tau] the delayed
    term is the already known dense solution, so each piece is an ODE."""
    pieces = []

    def x(time):
        if time <= 0:
            return x_init
        return pieces[min(int(time // tau), len(pieces) - 1)](time)[0]

    for s in range(int(t[-1] // tau) + 1):
        sol = solve_ivp(lambda tt, v: beta * x(tt - tau) / (1 + x(tt - tau) ** n) - gamma * v,
                        (s * tau, (s + 1) * tau), [x(s * tau)], method="DOP853",
                        rtol=1e-12, atol=1e-14, dense_output=True)
        pieces.append(sol.sol)
    return np.array([x(ti) for ti in t])


def test_mackey_glass_matches_method_of_steps():
    t = np.arange(60.0)  # three and a half delays
    ref = method_of_steps(17.0, 0.2, 0.1, 10, 1.2, t)
    got = mackey_glass(60, transient=0, initial_state=1.2)[:, 0]
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-8)
    finer = mackey_glass(60, transient=0, substeps=20, initial_state=1.2)[:, 0]
    assert np.abs(finer - ref).max() < np.abs(got - ref).max() / 8


def test_mackey_glass_is_bounded_and_chaotic():
    a = mackey_glass(3000, transient=0, initial_state=1.2)[:, 0]
    b = mackey_glass(3000, transient=0, initial_state=1.2 + 1e-7)[:, 0]
    assert np.all((a > 0) & (a < 1.5))
    assert a[500:].std() > 0.15  # not settled on a fixed point or a small cycle
    gap = np.abs(a - b)  # sensitive dependence: a 1e-7 change grows to order 0.1
    assert gap[:100].max() < 1e-5 and gap[2000:].max() > 0.1


def test_narma_matches_naive_loop():
    u, y = narma(500, random_state=7)
    assert u.shape == y.shape == (500, 1)
    uu = np.random.default_rng(7).uniform(0, 0.5, 500)
    np.testing.assert_array_equal(u[:, 0], uu)
    expected = np.zeros(500)
    for t in range(9, 499):
        window = 0.0
        for i in range(10):
            window += expected[t - i]
        expected[t + 1] = (0.3 * expected[t] + 0.05 * expected[t] * window
                           + 1.5 * uu[t - 9] * uu[t] + 0.1)
    np.testing.assert_allclose(y[:, 0], expected, rtol=1e-13)
    assert np.all(u >= 0) and np.all(u < 0.5)


# ------------------------------------------------------------- errors and registry
@pytest.mark.parametrize("kwargs, match", [
    ({"n_steps": 0}, "'n_steps'.*integer >= 1.*Got 0"),
    ({"n_steps": -5}, "'n_steps'.*Got -5"),
    ({"n_steps": 10.5}, "'n_steps'.*Got 10.5"),
    ({"n_steps": True}, "'n_steps'"),
    ({"n_steps": 10, "dt": 0.0}, "'dt'.*> 0.*Got 0.0"),
    ({"n_steps": 10, "dt": -0.1}, "'dt'"),
    ({"n_steps": 10, "dt": float("nan")}, "'dt'"),
    ({"n_steps": 10, "transient": -1}, "'transient'.*>= 0"),
    ({"n_steps": 10, "substeps": 0}, "'substeps'"),
    ({"n_steps": 10, "initial_state": [1.0, 2.0]}, "'initial_state'.*shape \\(3,\\)"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        lorenz63(**kwargs)


def test_other_argument_errors():
    with pytest.raises(ValueError, match="'n_vars'"):
        lorenz96(10, n_vars=3)
    with pytest.raises(ValueError, match="at least 3 RK4 steps"):
        mackey_glass(10, tau=2.0, substeps=1)
    with pytest.raises(ValueError, match="'initial_state'.*shapes"):
        multiscale_lorenz96(10, initial_state=(np.zeros(8), np.zeros(8), np.zeros(8)))
    with pytest.raises(ValueError, match="'n_steps'.*>= 11"):
        narma(5)
    with pytest.raises(ValueError, match="diverged"):
        lorenz63(100, dt=1.0, transient=0)


def test_load_system():
    np.testing.assert_array_equal(load_system("rossler", 50, random_state=1, dt=0.1),
                                  rossler(50, 0.1, random_state=1))
    with pytest.raises(ValueError, match="Unknown system 'lorenz'.*'lorenz63'.*'mackey_glass'"):
        load_system("lorenz", 10)


# ------------------------------------------------------------- forecasting
def test_to_forecasting():
    series = np.arange(20.0).reshape(10, 2)
    X, y = to_forecasting(series, horizon=3)
    assert X.shape == y.shape == (7, 2)
    np.testing.assert_array_equal(X, series[:7])
    np.testing.assert_array_equal(y, series[3:])
    X, y = to_forecasting(np.arange(5.0))
    assert X.shape == (4, 1)
    np.testing.assert_array_equal(y[:, 0] - X[:, 0], 1.0)


@pytest.mark.parametrize("horizon, match", [
    (0, "'horizon'.*>= 1"), (5, "longer than the data.*5 steps.*at most 4"),
    (9, "longer than the data"), (1.0, "'horizon'"),
])
def test_to_forecasting_errors(horizon, match):
    with pytest.raises(ValueError, match=match):
        to_forecasting(np.zeros(5), horizon)


# ------------------------------------------------------------- digits
@pytest.fixture(scope="module")
def digits_spikes():
    return load_digits_spikes(random_state=0)


def test_digits_shape_labels_and_silence(digits_spikes):
    X, y = digits_spikes
    sk = load_digits()
    assert X.shape == (len(sk.target), 200, 64)
    np.testing.assert_array_equal(y, sk.target)
    assert not X[:, 100:].any()  # 100 ms of silence after 100 ms of input
    assert X.min() >= 0 and np.issubdtype(X.dtype, np.integer)
    # no input where the pixel is black
    assert not X[:, :100][np.broadcast_to(sk.data[:, None, :] == 0, X[:, :100].shape)].any()


def test_digits_rates_follow_intensity(digits_spikes):
    X, _ = digits_spikes
    intensity = load_digits().data  # 0..16
    counts = X[:, :100].sum(axis=1, dtype=np.int64)  # per sample and pixel, 100 bins of 1 ms
    for level in range(1, 17):
        mask = intensity == level
        expected = mask.sum() * 100 * (level / 16 * 100.0 * 1e-3)  # Poisson mean
        assert abs(counts[mask].sum() - expected) < 5 * np.sqrt(expected)


def test_digits_determinism_and_options():
    X3, y3 = load_digits_spikes(random_state=0, n_classes=3, dt=0.5, silence=50.0)
    assert X3.shape == (len(y3), 300, 64) and set(np.unique(y3)) == {0, 1, 2}
    assert not X3[:, 200:].any()
    np.testing.assert_array_equal(load_digits_spikes(random_state=0, n_classes=3, dt=0.5,
                                                     silence=50.0)[0], X3)
    assert not np.array_equal(load_digits_spikes(random_state=1, n_classes=3, dt=0.5,
                                                 silence=50.0)[0], X3)
    images, y = load_digits_images()
    np.testing.assert_array_equal(images, load_digits().data / 16)
    assert images.min() == 0 and images.max() == 1
    with pytest.raises(ValueError, match="'duration'.*multiple of dt"):
        load_digits_spikes(duration=10.5)
    with pytest.raises(ValueError, match="do not fit in uint8"):
        load_digits_spikes(max_rate=1e6, n_classes=1)
    big, _ = load_digits_spikes(max_rate=1e6, n_classes=1, duration=2.0, silence=0.0,
                                dtype=np.float64)
    assert big.max() > 255


# ------------------------------------------------------------- SHD
def write_raw_shd(path, times, units, labels, skip=()):
    """The SHD layout written with h5py directly (independent of write_shd)."""
    with h5py.File(path, "w") as f:
        for name, data, kind in (("spikes/times", times, np.float16),
                                 ("spikes/units", units, np.uint16)):
            if name in skip:
                continue
            ds = f.create_dataset(name, (len(data),), dtype=h5py.vlen_dtype(np.dtype(kind)))
            for i, values in enumerate(data):
                ds[i] = np.asarray(values, dtype=kind)
        if "labels" not in skip:
            f["labels"] = np.asarray(labels, dtype=np.uint16)
        f["extra/speaker"] = np.zeros(len(labels), dtype=np.uint16)
        f["extra/keys"] = np.array([b"zero", b"one", b"two"])


# spike times exact in float16; with n_bins=4 over 1 s the bins are [0, .25), [.25, .5), ...
TIMES = [[0.0, 0.125, 0.25, 0.5, 0.984375, 1.0, 1.25], [0.75, 0.75, 0.2], []]
UNITS = [[3, 3, 0, 5, 5, 1, 2], [6, 6, 6], []]
LABELS = [2, 0, 1]


def hand_binned():
    X = np.zeros((3, 4, 7), dtype=np.int64)
    X[0, 0, 3] = 2  # t = 0 and 0.125, unit 3
    X[0, 1, 0] = 1  # t = 0.25 (left edge of bin 1), unit 0
    X[0, 2, 5] = 1  # t = 0.5, unit 5
    X[0, 3, 5] = 1  # t = 0.984375; t = 1.0 and 1.25 are dropped
    X[1, 3, 6] = 2  # t = 0.75 twice, unit 6
    X[1, 0, 6] = 1  # t = 0.2
    return X


def test_shd_binning_by_hand(tmp_path):
    path = tmp_path / "raw.h5"
    write_raw_shd(path, TIMES, UNITS, LABELS)
    X, y = load_shd(path, n_bins=4, duration=1.0, n_units=7)
    np.testing.assert_array_equal(X, hand_binned())
    np.testing.assert_array_equal(y, LABELS)
    X2, y2 = load_shd(str(path), n_bins=4, n_units=7, max_samples=2)
    np.testing.assert_array_equal(X2, hand_binned()[:2])
    assert len(y2) == 2
    X8, _ = load_shd(path, n_bins=8, duration=2.0, n_units=7)  # still 0.25 s bins
    np.testing.assert_array_equal(X8[:, :4], hand_binned())
    assert X8[0, 4, 1] == 1 and X8[0, 5, 2] == 1 and X8[:, 6:].sum() == 0


def test_write_shd_layout_and_round_trip(tmp_path):
    path = tmp_path / "tiny.h5"
    write_shd(path, TIMES, UNITS, LABELS, speakers=[4, 5, 6], keys=["zero", "one", "two"])
    with h5py.File(path, "r") as f:
        assert f["spikes/times"].dtype.metadata["vlen"] == np.float16
        assert f["spikes/units"].dtype.metadata["vlen"] == np.uint16
        assert f["labels"].dtype == np.uint16
        np.testing.assert_array_equal(f["extra/speaker"][:], [4, 5, 6])
        assert [k.decode() for k in f["extra/keys"][:]] == ["zero", "one", "two"]
        np.testing.assert_array_equal(f["spikes/units"][0], UNITS[0])
        np.testing.assert_array_equal(f["spikes/times"][1], np.float16(TIMES[1]))
    X, y = load_shd(path, n_bins=4, n_units=7)
    np.testing.assert_array_equal(X, hand_binned())
    np.testing.assert_array_equal(y, LABELS)
    X700, _ = load_shd(path)
    assert X700.shape == (3, 100, 700) and X700.sum() == hand_binned().sum()


def test_shd_errors(tmp_path):
    missing = tmp_path / "nope.h5"
    with pytest.raises(FileNotFoundError, match="nope.h5"):
        load_shd(missing)
    for name in ("spikes/units", "spikes/times", "labels"):
        path = tmp_path / "broken.h5"
        write_raw_shd(path, TIMES, UNITS, LABELS, skip=(name,))
        with pytest.raises(ValueError, match=f"has no '{name}' dataset; expected the layout"):
            load_shd(path)
    assert "spikes/times" in SHD_LAYOUT
    path = tmp_path / "short.h5"
    write_raw_shd(path, TIMES, UNITS[:2], LABELS)
    with pytest.raises(ValueError, match="3 spike-time arrays, 2 unit arrays and 3 labels"):
        load_shd(path)
    write_raw_shd(path, TIMES, [[3, 3], [6, 6, 6], []], LABELS)
    with pytest.raises(ValueError, match="sample 0: 7 spike times but 2 units"):
        load_shd(path)
    write_raw_shd(path, TIMES, UNITS, LABELS)
    with pytest.raises(ValueError, match=r"sample 1: unit 6 \(spike 0\) is outside"):
        load_shd(path, n_units=6)
    with pytest.raises(ValueError, match="'n_bins'"):
        load_shd(path, n_bins=0)
    write_raw_shd(path, [[0.5] * 300], [[1] * 300], [0])
    with pytest.raises(ValueError, match="300 spikes in one bin do not fit in uint8"):
        load_shd(path, n_units=2)
    assert load_shd(path, n_units=2, dtype=np.uint16)[0][0, 50, 1] == 300
    with pytest.raises(ValueError, match="2 spike-time arrays, 1 unit arrays"):
        write_shd(path, TIMES[:2], UNITS[:1], LABELS[:2])


def write_typed_shd(path, times, units, labels, time_kind=np.float64, unit_kind=np.float64,
                    label_kind=np.float64):
    """The SHD layout with other dtypes than SHD's (damaged or foreign files)."""
    with h5py.File(path, "w") as f:
        for name, data, kind in (("spikes/times", times, time_kind),
                                 ("spikes/units", units, unit_kind)):
            ds = f.create_dataset(name, (len(data),), dtype=h5py.vlen_dtype(np.dtype(kind)))
            for i, values in enumerate(data):
                ds[i] = np.asarray(values, dtype=kind)
        f["labels"] = np.asarray(labels, dtype=label_kind)


@pytest.mark.parametrize("times, units, labels, message", [
    ([[0.1, 0.2]], [[1.0, 2.5]], [0], r"sample 0: unit 2.5 \(spike 1\) is not an integer"),
    ([[0.1, 0.2]], [[1.0, 9.0]], [0], r"sample 0: unit 9.0 \(spike 1\) is outside"),
    ([[0.1, 0.2], [0.3]], [[1, 2], [3]], [0, -1], r"label -1.0 of sample 1 is not a non-neg"),
    ([[0.1]], [[1]], [np.nan], r"label nan of sample 0"),
    ([[0.1]], [[1]], [1.5], r"label 1.5 of sample 0"),
    ([[0.1, np.nan]], [[1, 2]], [0], r"sample 0: spike time nan \(spike 1\) is negative or NaN"),
])
def test_shd_damaged_entries_are_named(tmp_path, times, units, labels, message):
    path = tmp_path / "damaged.h5"
    write_typed_shd(path, times, units, labels)
    with pytest.raises(ValueError, match=message) as raised:
        load_shd(path, n_units=4)
    assert "damaged.h5" in str(raised.value)


def test_shd_complex_times_ms_times_and_absurd_bins(tmp_path):
    path = tmp_path / "odd.h5"
    write_typed_shd(path, [[0.1 + 1j]], [[1]], [0], time_kind=np.complex128)
    with pytest.raises(ValueError, match="spike times must be real numbers"):
        load_shd(path, n_units=4)
    write_typed_shd(path, [[120.0, 450.0, 980.0]], [[1, 2, 3]], [0])   # milliseconds
    with pytest.warns(UserWarning, match="are these milliseconds"):
        X, _ = load_shd(path, n_units=4)
    assert X.sum() == 0
    write_typed_shd(path, [[0.12, 0.45]], [[1, 2]], [0])
    with pytest.raises(ValueError, match="would build .* GiB of counts"):
        load_shd(path, n_bins=10 ** 10)
    assert load_shd(path, n_units=4, n_bins=10)[0].sum() == 2          # a sane call still works


def test_hrsnn2000_is_plain_arrays_with_the_documented_sizes():
    """2000 neurons (1600 E), 18,904 synapses (12,340 plastic E->E), 100 x 600 inputs."""
    from data_loaders import load_hrsnn2000

    network, in_steps, in_channels = load_hrsnn2000()
    assert isinstance(network, dict)
    assert all(isinstance(v, (np.ndarray, float, int, bool, str)) for v in network.values())
    assert network["is_exc"].shape == (2000,) and network["is_exc"].sum() == 1600
    assert network["pre"].shape == (18_904,) and network["plastic"].sum() == 12_340
    is_exc = network["is_exc"]
    np.testing.assert_array_equal(network["plastic"],
                                  is_exc[network["pre"]] & is_exc[network["post"]])
    np.testing.assert_array_equal(np.bincount(network["in_channel"], minlength=100), 600)
    assert in_steps.dtype == np.int64 and in_channels.dtype == np.int32
    assert in_channels.min() >= 0 and in_channels.max() < 100


def test_hrsnn2000_network_on_the_hrsnn_side():
    from data_loaders import load_hrsnn2000 as arrays
    from hrsnn.reference import load_hrsnn2000

    network, in_steps, _ = load_hrsnn2000()
    plain, plain_steps, _ = arrays()
    assert network.n_neurons == 2000 and network.n_inputs == 100
    np.testing.assert_array_equal(np.sort(network.weight), np.sort(plain["weight"]))
    np.testing.assert_array_equal(in_steps, plain_steps)


def test_default_dt_table_is_what_the_systems_use():
    from data_loaders import DEFAULT_DT, load_system

    assert set(DEFAULT_DT) == set(SYSTEMS)
    assert DEFAULT_DT["lorenz63"] == 0.02 and DEFAULT_DT["mackey_glass"] == 1.0
    for name, dt in DEFAULT_DT.items():
        default = load_system(name, 30, random_state=0, transient=10)
        np.testing.assert_array_equal(
            default, load_system(name, 30, dt=dt, random_state=0, transient=10))
        assert not np.array_equal(
            default, load_system(name, 30, dt=2 * dt, random_state=0, transient=10))
