import numpy as np
import pytest
from scipy.linalg import expm

from hrsnn import build_network
from hrsnn.dynamics import RateNetwork, lyapunov_spectrum, rk4_tangent_maps

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
    exponents = lyapunov_spectrum((step for _ in range(4000)), dt, transient=500).exponents
    # complex pairs share a real part: compare sorted real parts
    expected = np.sort(np.linalg.eigvals(a).real)[::-1]
    np.testing.assert_allclose(exponents, expected, atol=0.02)


def test_leading_exponents_of_a_frame_match_the_full_spectrum():
    a, dt = linear_system(1, 8), 0.05
    step = expm(a * dt)
    full = lyapunov_spectrum((step for _ in range(3000)), dt, transient=300).exponents
    leading = lyapunov_spectrum((step for _ in range(3000)), dt, k=3,
                                 transient=300).exponents
    assert leading.shape == (3,)
    np.testing.assert_allclose(leading, full[:3], atol=0.02)


def test_lorenz63_spectrum_matches_the_published_values():
    dt = 0.01
    maps = rk4_tangent_maps(lorenz, lorenz_jacobian, [1.0, 1.0, 20.0], dt, 60000)
    exponents = lyapunov_spectrum(maps, dt, transient=2000).exponents
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
    with pytest.raises(ValueError, match="Tangent map 0 .* must be square"):
        lyapunov_spectrum([[1.0, 2.0]], 1.0)
    with pytest.raises(ValueError, match="gives NaN or inf"):
        lyapunov_spectrum([good * np.nan], 1.0)
    with pytest.raises(ValueError, match="'k'"):
        lyapunov_spectrum([good], 1.0, k=4)
    with pytest.raises(ValueError, match="at least one tangent map after the 5 transient"):
        lyapunov_spectrum([good] * 5, 1.0, transient=5)
    with pytest.raises(ValueError, match="'dt'"):
        lyapunov_spectrum([good], 0.0)


def test_per_neuron_exponents_of_a_diagonal_system_are_its_rates():
    # uncoupled coordinates: each direction is one coordinate, so the
    # participation is the identity and neuron i gets exactly its own rate
    rates = np.array([-0.1, -0.5, -1.0, -2.0])
    step = np.diag(np.exp(rates * 0.1))
    spectrum = lyapunov_spectrum([step] * 2000, 0.1, transient=200)
    np.testing.assert_allclose(spectrum.exponents, rates, atol=1e-9)
    np.testing.assert_allclose(spectrum.per_neuron, rates, atol=1e-3)
    np.testing.assert_allclose(spectrum.participation.sum(axis=0), 1.0)
    assert spectrum.largest == pytest.approx(-0.1) and spectrum.n_steps == 1800


def test_sparse_and_operator_maps_give_the_dense_result():
    from scipy import sparse
    from scipy.sparse.linalg import aslinearoperator
    step = expm(linear_system(2, 5) * 0.05)
    dense = lyapunov_spectrum([step] * 500, 0.05).exponents
    as_sparse = lyapunov_spectrum([sparse.csr_array(step)] * 500, 0.05).exponents
    as_operator = lyapunov_spectrum([aslinearoperator(step)] * 500, 0.05).exponents
    np.testing.assert_allclose(as_sparse, dense, rtol=1e-12)
    np.testing.assert_allclose(as_operator, dense, rtol=1e-12)


# ------------------------------------------------------------------ rate model


def small_rate_network(gain, n=40, seed=0):
    rng = np.random.default_rng(seed)
    weights = rng.standard_normal((n, n)) / np.sqrt(n) * (rng.random((n, n)) < 0.5)
    return RateNetwork(rng.uniform(2.0, 10.0, n), weights, gain=gain)


def test_rate_tangent_map_is_the_derivative_of_the_euler_step():
    net = small_rate_network(3.0)
    trajectory = net.simulate(50, 0.5, noise_sigma=0.3)
    t, eps = 37, 1e-6
    m = next(iter(list(net.tangent_maps(trajectory))[t:])) @ np.eye(net.n)
    r, extra = trajectory.rates[t], trajectory.drive[t] - net.incoming @ trajectory.rates[t]

    def step(x):
        return x + 0.5 / net.tau * (np.tanh(net.incoming @ x + extra) - x)

    numeric = np.column_stack([(step(r + eps * e) - step(r - eps * e)) / (2 * eps)
                               for e in np.eye(net.n)])
    np.testing.assert_allclose(m, numeric, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(trajectory.rates[t + 1], step(r), rtol=1e-12)


def test_rate_exponents_at_rest_are_the_log_eigenvalues_of_the_linear_map():
    net = small_rate_network(0.5, n=12)
    dt = 0.5
    trajectory = net.simulate(3000, dt)                 # no drive: stays at r = 0
    spectrum = lyapunov_spectrum(net.tangent_maps(trajectory), dt, transient=300)
    linear = np.eye(12) + dt / net.tau[:, None] * (net.incoming.toarray() - np.eye(12))
    expected = np.sort(np.log(np.abs(np.linalg.eigvals(linear))) / dt)[::-1]
    np.testing.assert_allclose(spectrum.exponents, expected, atol=2e-3)


@pytest.mark.parametrize("gain", [1.0, 20.0])
def test_qr_and_twin_largest_exponents_agree_on_a_network(gain):
    net = RateNetwork.from_network(build_network(200, 1, 0), gain=gain)
    trajectory = net.simulate(3000, 1.0, noise_sigma=0.5)
    qr = lyapunov_spectrum(net.tangent_maps(trajectory), 1.0, k=3, transient=500).largest
    twin = net.twin_largest_exponent(3000, 1.0, noise_sigma=0.5, transient=500)
    assert twin == pytest.approx(qr, rel=0.1, abs=2e-4)


def test_per_neuron_exponents_of_a_network_are_weighted_means():
    net = RateNetwork.from_network(build_network(60, 1, 1), gain=5.0)
    spectrum = lyapunov_spectrum(net.tangent_maps(net.simulate(800, 1.0, noise_sigma=0.5)),
                                 1.0, transient=100)
    lam = spectrum.per_neuron
    # each is a convex combination of the exponents (full frame: rows of P sum to 1)
    np.testing.assert_allclose(spectrum.participation.sum(axis=1), 1.0, atol=1e-9)
    assert lam.shape == (60,)
    assert np.all(lam <= spectrum.exponents[0] + 1e-12)
    assert np.all(lam >= spectrum.exponents[-1] - 1e-12)


def test_rate_network_errors_name_the_argument():
    with pytest.raises(ValueError, match="'tau' of RateNetwork"):
        RateNetwork([1.0, -1.0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"'weights' of RateNetwork must have shape \(2, 2\)"):
        RateNetwork([1.0, 2.0], np.zeros((3, 3)))
    with pytest.raises(ValueError, match="NaN or inf"):
        RateNetwork([1.0, 2.0], np.full((2, 2), np.nan))
    net = RateNetwork([1.0, 2.0], np.zeros((2, 2)))
    with pytest.raises(ValueError, match=r"'inputs' must be a finite array of shape \(5, 2\)"):
        net.simulate(5, inputs=np.zeros((4, 2)))
    with pytest.raises(ValueError, match="'noise_sigma'"):
        net.simulate(5, noise_sigma=-1.0)
    with pytest.raises(ValueError, match="averaged no renormalisation"):
        net.twin_largest_exponent(5, renormalise_every=10)


# ------------------------------------------------------------- spiking twins
def test_silent_reservoir_twins_decay_with_the_slowest_membrane():
    # no spikes: a displacement of the potentials decays exactly, each neuron by
    # exp(-T / tau_m); the growth per interval tends to the slowest, -T / max(tau_m)
    from hrsnn import Reservoir
    from hrsnn.dynamics import spiking_largest_exponent
    u = np.random.default_rng(0).uniform(-1, 1, (600, 1))
    reservoir = Reservoir(200, random_state=0, stdp=False, w_in=0.3).fit(u[None])
    assert reservoir.transform(u[None]).sum() == 0
    result = spiking_largest_exponent(reservoir, u, renormalise_every=10)
    slowest = -result.interval_ms / reservoir.network_.tau_m.max()
    assert result.interval_ms == 10 * reservoir.steps_per_input * reservoir.dt
    assert np.all(result.log_growth <= slowest + 1e-9)
    assert result.log_growth[-1] == pytest.approx(slowest, rel=5e-3)
    assert result.flips == 0 and result.exponent < 0


def test_spiking_twins_flip_spikes_when_driven_and_are_reproducible():
    from hrsnn import Reservoir
    from hrsnn.dynamics import spiking_largest_exponent
    u = np.random.default_rng(1).uniform(0.5, 1.5, (400, 1))
    driven = dict(stdp=False, w_in=2.0, w_in_dist="constant", p_in=1.0)
    reservoir = Reservoir(200, random_state=0, w_scale=0.3, **driven).fit(u[None])
    first = spiking_largest_exponent(reservoir, u, epsilon=0.1)
    again = spiking_largest_exponent(reservoir, u, epsilon=0.1)
    assert first.flips > 0 and first.erased == 0
    np.testing.assert_array_equal(first.log_growth, again.log_growth)
    # every neuron fires: resets erase displacements, the exponent is far below
    # the subthreshold decay of any membrane
    assert first.exponent < -1.0 / reservoir.network_.tau_m.max()


def test_a_fully_reset_displacement_is_erased():
    from hrsnn import Network, Reservoir
    from hrsnn.dynamics import spiking_largest_exponent
    # two uncoupled neurons driven far above threshold: both spike within every
    # interval and the reset takes both twins to v_reset
    net = Network.from_arrays(tau_m=[10.0, 20.0], v_th=[1.0, 1.0], is_exc=[True, True],
                              pre=[], post=[], weight=[], in_channel=[0, 0],
                              in_post=[0, 1], in_weight=[5.0, 5.0], t_ref=0.0)
    u = np.ones((100, 1))
    reservoir = Reservoir(network=net, stdp=False, random_state=0).fit(u[None])
    result = spiking_largest_exponent(reservoir, u, epsilon=1e-6)
    assert result.erased == len(result.log_growth) and result.exponent == -np.inf


def test_spiking_twins_reject_bad_arguments():
    from hrsnn import Reservoir
    from hrsnn.dynamics import spiking_largest_exponent
    u = np.zeros((30, 1))
    reservoir = Reservoir(50, random_state=0, stdp=False).fit(u[None])
    with pytest.raises(ValueError, match="'u' has 30 steps"):
        spiking_largest_exponent(reservoir, u, renormalise_every=20)
    with pytest.raises(ValueError, match="'epsilon'"):
        spiking_largest_exponent(reservoir, u, epsilon=0.0)
    poisson = Reservoir(50, random_state=0, stdp=False, encoding="poisson").fit(u[None] + 1)
    with pytest.raises(ValueError, match="Poisson encoding"):
        spiking_largest_exponent(poisson, u + 1)


@pytest.mark.parametrize("qr_every", [3, 7])
def test_sparser_qr_gives_the_same_exponents(qr_every):
    # QR(M2 M1 Q) = Q2 (R2 R1): the products of the R diagonals agree exactly
    step = expm(linear_system(3, 6) * 0.05)
    maps = [step @ np.diag(1 + 0.1 * np.sin(np.arange(6) + t)) for t in range(401)]
    every = lyapunov_spectrum(maps, 0.05, transient=50)
    sparse_qr = lyapunov_spectrum(maps, 0.05, transient=50, qr_every=qr_every)
    np.testing.assert_allclose(sparse_qr.exponents, every.exponents, rtol=1e-9, atol=1e-12)
    assert sparse_qr.n_steps == every.n_steps == 351
