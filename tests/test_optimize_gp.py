"""Matérn kernel and the Wasserstein GP: Bessel form, scikit-learn, PSD Gram, likelihood."""

import numpy as np
import pytest
from scipy import optimize
from scipy.stats import multivariate_normal
from sklearn.gaussian_process.kernels import Matern

from hrsnn.optimize import (
    DistributionParam,
    SearchSpace,
    WassersteinGP,
    combine,
    group_distances,
    matern,
)


# ------------------------------------------------------------------ Matérn
@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5])
def test_matern_closed_forms_match_the_bessel_form(nu):
    d = np.concatenate([[0.0], np.logspace(-6, 1.5, 200)])
    closed = matern(d, nu, length_scale=0.7, variance=2.0)
    bessel = matern(d, nu, length_scale=0.7, variance=2.0, closed_form=False)
    assert np.allclose(closed, bessel, rtol=0, atol=1e-10)


@pytest.mark.parametrize("nu", [0.3, 0.5, 1.0, 1.5, 2.5, 3.7, np.inf])
def test_matern_matches_scikit_learn_and_its_d0_limit(nu):
    x = np.linspace(0.0, 4.0, 30)[:, None]
    expected = Matern(length_scale=1.3, nu=nu)(x, x[:1])[:, 0]
    got = matern(np.abs(x[:, 0] - x[0, 0]), nu, length_scale=1.3)
    assert np.allclose(got, expected, rtol=1e-9, atol=1e-12)
    assert matern(0.0, nu, variance=3.0) == 3.0
    assert matern(1e-12, nu, variance=3.0) == pytest.approx(3.0, rel=1e-5)
    assert np.all(np.diff(got) <= 0)


def test_matern_input_checks():
    with pytest.raises(ValueError, match="'nu'"):
        matern(1.0, nu=0)
    with pytest.raises(ValueError, match=">= 0"):
        matern([-1.0], nu=2.5)


def _space():
    return SearchSpace.default(groups=("tau_m_exc", "tau_m_inh", "v_th", "eta_plus"),
                               scalars=("w_scale",))


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5, 3.2])
def test_gram_matrices_on_random_candidates_are_psd(nu):
    space = _space()
    D = group_distances(space.sample(50, random_state=0, method="random"), None, space)
    rng = np.random.default_rng(1)
    for _ in range(3):
        K = matern(combine(D, np.exp(rng.uniform(-3, 1, D.shape[2]))), nu)
        eigenvalues = np.linalg.eigvalsh(K)
        assert eigenvalues.min() >= -1e-8 * eigenvalues.max()


# ---------------------------------------------------------------------- GP
def _one_group_problem(n, seed):
    """Candidates with one distribution group; a smooth function of (shape, mean)."""
    space = SearchSpace([DistributionParam("tau_m_exc", (1.0, 30.0), (2.0, 60.0))])
    candidates = space.sample(n, random_state=seed)
    f = np.array([np.sin(c["tau_m_exc"].mean / 15.0) + 0.03 * c["tau_m_exc"].std
                  for c in candidates])
    return space, candidates, f


def test_gp_interpolates_noise_free_data():
    space, candidates, y = _one_group_problem(25, seed=0)
    D = group_distances(candidates, None, space)
    gp = WassersteinGP(noise_bounds=(1e-10, 1e-8), random_state=0).fit(D, y)
    mean, std = gp.predict(D)
    assert np.allclose(mean, y, atol=1e-3 * np.ptp(y))
    assert np.all(std < 1e-3 * np.std(y))


def test_gp_recovers_a_smooth_function_better_than_the_prior_mean():
    space, train, y = _one_group_problem(40, seed=1)
    _, test, y_test = _one_group_problem(100, seed=2)
    gp = WassersteinGP(random_state=0).fit(group_distances(train, None, space), y)
    mean, std = gp.predict(group_distances(test, train, space))
    rmse_gp = np.sqrt(np.mean((mean - y_test) ** 2))
    rmse_prior = np.sqrt(np.mean((y.mean() - y_test) ** 2))
    assert rmse_gp < 0.1 * rmse_prior
    # calibrated enough: most errors within 3 posterior standard deviations
    assert np.mean(np.abs(mean - y_test) <= 3 * std + 1e-9) > 0.8


def test_prediction_far_away_falls_back_to_the_prior():
    space, candidates, y = _one_group_problem(15, seed=3)
    gp = WassersteinGP(random_state=0).fit(group_distances(candidates, None, space), y)
    mean, std = gp.predict(np.full((2, 15, 1), 1e6))
    assert np.allclose(mean, y.mean())
    assert np.allclose(std, np.sqrt(gp.variance_) * y.std())
    _, std_noisy = gp.predict(np.full((2, 15, 1), 1e6), include_noise=True)
    assert np.allclose(std_noisy, np.sqrt(gp.variance_ + gp.noise_) * y.std())


def _random_training_set(n=30, seed=0):
    space = _space()
    candidates = space.sample(n, random_state=seed)
    D = group_distances(candidates, None, space)
    y = np.sin(3 * D[:, 0, 0]) + D[:, 1, 2] ** 2 + 0.1 * np.random.default_rng(seed).normal(size=n)
    return D, y


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5, 1.0])
def test_log_marginal_likelihood_matches_multivariate_normal(nu):
    D, y = _random_training_set()
    gp = WassersteinGP(nu=nu, random_state=0, max_iter=5, n_restarts=0).fit(D, y)
    z = (y - y.mean()) / y.std()
    rng = np.random.default_rng(4)
    for theta in [gp.theta_] + [rng.uniform(-2, 1, D.shape[2] + 2) for _ in range(3)]:
        ls, variance, noise = np.exp(theta[:-2]), np.exp(theta[-2]), np.exp(theta[-1])
        K = matern(combine(D, ls), nu, variance=variance) + noise * np.eye(len(y))
        expected = multivariate_normal(np.zeros(len(y)), K).logpdf(z)
        assert gp.log_marginal_likelihood(theta) == pytest.approx(expected, rel=1e-9)
    assert gp.log_marginal_likelihood_ == pytest.approx(gp.log_marginal_likelihood(), rel=1e-12)


@pytest.mark.parametrize("nu", [0.5, 1.5, 2.5, np.inf])
def test_log_marginal_likelihood_gradient_matches_finite_differences(nu):
    D, y = _random_training_set(seed=5)
    gp = WassersteinGP(nu=nu, optimize=False).fit(D, y)
    theta = np.random.default_rng(6).uniform(-1.5, 0.5, D.shape[2] + 2)
    _, grad = gp.log_marginal_likelihood(theta, eval_gradient=True)
    numeric = optimize.approx_fprime(theta, gp.log_marginal_likelihood, 1e-6)
    assert np.allclose(grad, numeric, rtol=1e-4, atol=1e-4)


def test_optimisation_improves_the_likelihood_within_bounds_and_is_deterministic():
    D, y = _random_training_set(seed=7)
    fixed = WassersteinGP(optimize=False).fit(D, y)
    fitted = WassersteinGP(random_state=0).fit(D, y)
    assert fitted.log_marginal_likelihood_ > fixed.log_marginal_likelihood_
    tol = 1 + 1e-12
    assert np.all((fitted.length_scales_ >= 1e-2 / tol) & (fitted.length_scales_ <= 1e2 * tol))
    assert 1e-8 / tol <= fitted.noise_ <= 1e-1 * tol
    assert 1e-2 / tol <= fitted.variance_ <= 1e2 * tol
    again = WassersteinGP(random_state=0).fit(D, y)
    assert np.array_equal(again.theta_, fitted.theta_)


def test_warm_start_and_theta0():
    D, y = _random_training_set(seed=8)
    gp = WassersteinGP(random_state=0).fit(D, y)
    best = gp.log_marginal_likelihood_
    gp.warm_start, gp.n_restarts = True, 0
    gp.fit(D, y)          # starts at the optimum: no worse
    assert gp.log_marginal_likelihood_ >= best - 1e-8
    theta0 = np.log([0.3, 0.4, 0.5, 0.6, 0.7, 1.5, 1e-3])
    pinned = WassersteinGP(optimize=False).fit(D, y, theta0=theta0)
    assert np.array_equal(pinned.theta_, theta0)
    assert np.allclose(pinned.length_scales_, [0.3, 0.4, 0.5, 0.6, 0.7])
    assert pinned.variance_ == pytest.approx(1.5) and pinned.noise_ == pytest.approx(1e-3)


def test_gp_input_checks():
    D, y = _random_training_set(n=5)
    with pytest.raises(RuntimeError, match="not fitted"):
        WassersteinGP().predict(D)
    with pytest.raises(ValueError, match=r"shape \(n, n, G\)"):
        WassersteinGP().fit(D[:, :4], y)
    with pytest.raises(ValueError, match=r"'y' must have shape \(5,\)"):
        WassersteinGP().fit(D, y[:4])
    gp = WassersteinGP(optimize=False).fit(D, y)
    with pytest.raises(ValueError, match="D_star"):
        gp.predict(D[:, :, :2])
    with pytest.raises(ValueError, match="theta"):
        gp.fit(D, y, theta0=np.zeros(3))
    with pytest.raises(ValueError, match="n_restarts"):
        WassersteinGP(n_restarts=-1).fit(D, y)
    with pytest.raises(ValueError, match="'noise'"):
        WassersteinGP(noise=0.0).fit(D, y)
    with pytest.raises(ValueError, match="'length_scale'"):
        WassersteinGP(length_scale=[1.0, 2.0]).fit(D, y)
