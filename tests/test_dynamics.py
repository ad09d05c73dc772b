import numpy as np
import pytest
from scipy.linalg import expm

from hrsnn.dynamics import lyapunov_spectrum, rk4_tangent_maps

SIGMA, RHO, BETA = 10.0, 28.0, 8.0 / 3.0


def lorenz(x):
    return np.array([SIGMA * (x[1] - x[0]), x[0] * (RHO - x[2]) - x[1],
                     x[0] * x[1] - BETA * x[2]])


def lorenz_jacobian(x):
    return np.array([[-SIGMA, SIGMA, 0.0], [RHO - x[2], -1.0, -x[0]], [x[1], x[0], -BETA]])


def linear_system(seed=0, n=6):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n)) / np.sqrt(n) - 0.3 * np.eye(n)


def test_linear_system_exponents_are_the_real_parts_of_its_eigenvalues():
    a, dt = linear_system(), 0.05
    step = expm(a * dt)
    exponents = lyapunov_spectrum((step for _ in range(4000)), dt, transient=500)
    # complex pairs share a real part: compare sorted real parts
    expected = np.sort(np.linalg.eigvals(a).real)[::-1]
    np.testing.assert_allclose(exponents, expected, atol=0.02)


def test_leading_exponents_of_a_frame_match_the_full_spectrum():
    a, dt = linear_system(1, 8), 0.05
    step = expm(a * dt)
    full = lyapunov_spectrum((step for _ in range(3000)), dt, transient=300)
    leading = lyapunov_spectrum((step for _ in range(3000)), dt, k=3, transient=300)
    assert leading.shape == (3,)
    np.testing.assert_allclose(leading, full[:3], atol=0.02)


def test_lorenz63_spectrum_matches_the_published_values():
    dt = 0.01
    maps = rk4_tangent_maps(lorenz, lorenz_jacobian, [1.0, 1.0, 20.0], dt, 60000)
    exponents = lyapunov_spectrum(maps, dt, transient=2000)
    # Sprott (2003): 0.9056, 0, -14.5723; finite averaging leaves ~0.02
    assert exponents[0] == pytest.approx(0.9056, abs=0.03)
    assert abs(exponents[1]) < 0.02
    assert exponents[2] == pytest.approx(-14.5723, abs=0.05)
    # the sum is the (constant) divergence of the flow, -(sigma + 1 + beta)
    assert exponents.sum() == pytest.approx(-(SIGMA + 1.0 + BETA), abs=1e-3)


def test_rk4_tangent_map_matches_finite_differences():
    x0, dt, eps = np.array([1.0, -2.0, 15.0]), 0.01, 1e-6
    m = next(rk4_tangent_maps(lorenz, lorenz_jacobian, x0, dt, 1))

    def rk4(x):
        k1 = lorenz(x)
        k2 = lorenz(x + 0.5 * dt * k1)
        k3 = lorenz(x + 0.5 * dt * k2)
        k4 = lorenz(x + dt * k3)
        return x + dt / 6 * (k1 + 2 * k2 + 2 * k3 + k4)

    numeric = np.column_stack([(rk4(x0 + eps * e) - rk4(x0 - eps * e)) / (2 * eps)
                               for e in np.eye(3)])
    np.testing.assert_allclose(m, numeric, rtol=1e-7, atol=1e-8)


def test_bad_input_gets_clear_errors():
    good = np.eye(3)
    with pytest.raises(ValueError, match="Tangent map 1 .* must be of shape \\(3, 3\\)"):
        lyapunov_spectrum([good, np.eye(2)], 1.0)
    with pytest.raises(ValueError, match="Tangent map 0 .* must be square"):
        lyapunov_spectrum([np.ones((2, 3))], 1.0)
    with pytest.raises(ValueError, match="NaN or inf"):
        lyapunov_spectrum([good * np.nan], 1.0)
    with pytest.raises(ValueError, match="'k'"):
        lyapunov_spectrum([good], 1.0, k=4)
    with pytest.raises(ValueError, match="at least one tangent map after the 5 transient"):
        lyapunov_spectrum([good] * 5, 1.0, transient=5)
    with pytest.raises(ValueError, match="'dt'"):
        lyapunov_spectrum([good], 0.0)
