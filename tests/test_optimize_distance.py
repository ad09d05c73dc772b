"""W2 between gamma distributions and candidates: closed forms, quadrature, POT, scipy."""

import itertools
import math

import numpy as np
import ot
import pytest
from scipy import integrate, stats

from hrsnn.optimize import (
    Gamma,
    SearchSpace,
    combine,
    distance_names,
    gamma_cell_means,
    group_distances,
    group_scales,
    joint_samples,
    sinkhorn_distance,
    w2_gamma,
    wasserstein_gamma,
)
from hrsnn.optimize.distance import _sinkhorn_self_cost, _unit_cell_means_exact


def _w2_quad(a, b):
    """W2 by adaptive quadrature of the squared quantile difference (slow, accurate)."""
    value, _ = integrate.quad(lambda q: (a.quantiles(q) - b.quantiles(q)) ** 2, 0.0, 1.0,
                              limit=200)
    return math.sqrt(value)


# ------------------------------------------------------------------ 1-D W2
@pytest.mark.parametrize("k", [1.0, 3.0, 20.0])
def test_w2_same_shape_matches_the_scale_family_closed_form(k):
    # X = s Z with Z ~ Gamma(k, 1): W2 = |s_a - s_b| sqrt(E Z^2) = |m_a - m_b| sqrt((k+1)/k)
    a, b = Gamma(k, 20.0), Gamma(k, 35.0)
    exact = 15.0 * math.sqrt((k + 1.0) / k)
    estimate = w2_gamma(a, b)
    assert estimate <= exact                          # a lower bound (projection)
    assert estimate == pytest.approx(exact, rel=2e-3)
    assert w2_gamma(a, b, n_quantiles=1024) == pytest.approx(exact, rel=5e-4)
    assert abs(w2_gamma(a, b, n_quantiles=1024) - exact) < abs(estimate - exact)


@pytest.mark.parametrize("a, b", [(Gamma(1, 10), Gamma(50, 14)), (Gamma(3, 20), Gamma(10, 35)),
                                  (Gamma(2, 0.01), Gamma(7, 0.02))])
def test_w2_different_shapes_matches_adaptive_quadrature(a, b):
    assert w2_gamma(a, b) == pytest.approx(_w2_quad(a, b), rel=3e-3)


def test_w2_is_zero_to_itself_symmetric_and_a_metric():
    rng = np.random.default_rng(0)
    gammas = [Gamma(k, m) for k, m in zip(np.exp(rng.uniform(0, 4, 12)),
                                          np.exp(rng.uniform(0, 4, 12)), strict=True)]
    for g in gammas:
        assert w2_gamma(g, g) == 0.0
    for a, b, c in itertools.combinations(gammas, 3):
        ab, bc, ac = w2_gamma(a, b), w2_gamma(b, c), w2_gamma(a, c)
        assert ab == pytest.approx(w2_gamma(b, a), rel=1e-12) and ab > 0
        assert ac <= ab + bc + 1e-12


def test_w2_matches_pot_on_large_samples():
    a, b = Gamma(3, 20), Gamma(10, 35)
    rng = np.random.default_rng(0)
    xa, xb = a.sample(200_000, rng), b.sample(200_000, rng)
    empirical = math.sqrt(ot.wasserstein_1d(xa, xb, p=2))
    assert w2_gamma(a, b) == pytest.approx(empirical, rel=0.02)


def test_w1_matches_scipy_on_samples_and_the_mean_difference():
    rng = np.random.default_rng(1)
    for a, b in [(Gamma(3, 20), Gamma(10, 35)), (Gamma(1, 10), Gamma(20, 8))]:
        xa, xb = a.sample(200_000, rng), b.sample(200_000, rng)
        w1 = wasserstein_gamma(a, b, p=1)
        assert w1 == pytest.approx(stats.wasserstein_distance(xa, xb), rel=0.02)
    # same shape: quantile functions do not cross, so W1 = |m_a - m_b| (cell means keep it)
    assert wasserstein_gamma(Gamma(4, 10), Gamma(4, 13), p=1) == pytest.approx(3.0, rel=1e-7)


def test_cell_means_table_matches_exact_computation_and_keeps_the_mean():
    rng = np.random.default_rng(2)
    shapes = np.concatenate([np.exp(rng.uniform(np.log(1e-2), np.log(1e4), 50)),
                             [5e-3, 3e4]])                  # last two: outside the table
    for n in (64, 256):
        table = gamma_cell_means(shapes, shapes, n)         # mean = shape -> scale 1
        exact = _unit_cell_means_exact(shapes, n)
        rel = np.linalg.norm(table - exact, axis=1) / np.linalg.norm(exact, axis=1)
        assert rel.max() < 1e-7
        assert np.allclose(table.mean(axis=1), shapes, rtol=1e-7)
        assert np.all(np.diff(table, axis=1) >= 0)


def test_w2_input_checks():
    with pytest.raises(ValueError, match="n_quantiles"):
        w2_gamma(Gamma(1, 1), Gamma(2, 2), n_quantiles=0)
    with pytest.raises(ValueError, match="'p'"):
        wasserstein_gamma(Gamma(1, 1), Gamma(2, 2), p=0.5)


# ---------------------------------------------------------- group distances
def _space():
    return SearchSpace.default(groups=("tau_m_exc", "v_th", "eta_plus"),
                               scalars=("w_scale", "conn_lambda"))


def test_group_distances_match_elementwise_definitions():
    space = _space()
    A, B = space.sample(5, random_state=0), space.sample(4, random_state=1)
    D = group_distances(A, B, space, normalize=False)
    assert D.shape == (5, 4, 5)
    for i, j in itertools.product(range(5), range(4)):
        for g, name in enumerate(("tau_m_exc", "v_th", "eta_plus")):
            assert D[i, j, g] == pytest.approx(w2_gamma(A[i][name], B[j][name]), rel=1e-9)
        assert D[i, j, 3] == pytest.approx(abs(math.log(A[i]["w_scale"] / B[j]["w_scale"])))
        assert D[i, j, 4] == pytest.approx(abs(A[i]["conn_lambda"] - B[j]["conn_lambda"]))


def test_normalisation_divides_by_the_group_diameter():
    space = _space()
    A = space.sample(6, random_state=2)
    raw = group_distances(A, None, space, normalize=False)
    scales = group_scales(space)
    assert np.allclose(group_distances(A, None, space), raw / scales, rtol=1e-12)
    corners = [Gamma(k, m) for k, m in itertools.product((1.0, 50.0), (2.0, 100.0))]
    assert scales[0] == pytest.approx(max(w2_gamma(a, b) for a in corners for b in corners))
    assert scales[3] == pytest.approx(math.log(0.5 / 0.01))
    assert scales[4] == pytest.approx(5.0 - 0.5)


def test_group_distances_of_one_set_are_symmetric_with_zero_diagonal():
    space = _space()
    A = space.sample(30, random_state=3)
    D = group_distances(A, None, space)
    assert np.array_equal(D, np.swapaxes(D, 0, 1))
    assert np.all(np.diagonal(D, axis1=0, axis2=1) == 0)
    assert np.allclose(group_distances(A[:7], A[10:], space), D[:7, 10:], rtol=1e-12)
    assert distance_names(space) == space.names


def test_combine_is_the_weighted_euclidean_norm():
    D = np.random.default_rng(0).uniform(size=(4, 3, 2))
    assert np.allclose(combine(D, [2.0, 0.5]),
                       np.sqrt((D[..., 0] / 2.0) ** 2 + (D[..., 1] / 0.5) ** 2))
    assert np.allclose(combine(D, 1.0), np.linalg.norm(D, axis=-1))
    with pytest.raises(ValueError, match="> 0"):
        combine(D, [1.0, 0.0])


def test_group_distances_rejects_unknown_method_and_bad_candidates():
    space = _space()
    A = space.sample(2, random_state=0)
    with pytest.raises(ValueError, match="quantile"):
        group_distances(A, None, space, method="emd")
    with pytest.raises(ValueError, match="missing"):
        group_distances([{"tau_m_exc": Gamma(3, 20)}], None, space)


# ----------------------------------------------------------------- Sinkhorn
def test_sinkhorn_distance_approaches_exact_empirical_w2():
    rng = np.random.default_rng(0)
    xa, xb = rng.normal(0.0, 1.0, 200), rng.normal(0.7, 1.5, 200)
    exact = math.sqrt(np.mean((np.sort(xa) - np.sort(xb)) ** 2))    # 1-D, equal sizes
    w = np.full(200, 1 / 200)
    assert math.sqrt(ot.emd2(w, w, ot.dist(xa[:, None], xb[:, None]))) == pytest.approx(exact)
    plain = sinkhorn_distance(xa, xb, reg=0.05)     # typical squared distance: 3.6
    assert plain >= exact                           # the entropic plan is not optimal
    assert plain == pytest.approx(exact, rel=0.02)
    assert sinkhorn_distance(xa, xb, reg=0.05, debias=True) == pytest.approx(exact, rel=2e-3)
    assert sinkhorn_distance(xa, xa, reg=0.05, debias=True) == 0.0
    assert sinkhorn_distance(xa, xa, reg=0.05) > 0.0
    assert sinkhorn_distance(xa, xb, reg=0.3, method="sinkhorn_log") == pytest.approx(
        sinkhorn_distance(xa, xb, reg=0.3, method="sinkhorn"), rel=1e-8)


def test_sinkhorn_distance_multivariate_against_emd():
    rng = np.random.default_rng(1)
    xa, xb = rng.normal(size=(80, 3)), rng.normal(0.5, 1.0, size=(60, 3))
    exact = math.sqrt(ot.emd2(np.full(80, 1 / 80), np.full(60, 1 / 60), ot.dist(xa, xb)))
    # max cost 43 > 500 reg: "auto" takes the log-domain solver
    assert sinkhorn_distance(xa, xb, reg=0.05) == pytest.approx(exact, rel=0.01)
    assert sinkhorn_distance(xa, xb, reg=0.05, debias=True) == pytest.approx(exact, rel=2e-3)
    with pytest.raises(ValueError, match="same dimension"):
        sinkhorn_distance(xa, xb[:, :2])
    with pytest.warns(UserWarning, match="did not converge"):
        sinkhorn_distance(xa, xb, reg=1e-3, num_iter_max=20)


@pytest.mark.parametrize("reg", [1.0, 0.3])
def test_symmetric_sinkhorn_self_cost_matches_pot(reg):
    x = np.random.default_rng(2).normal(size=(60, 2))
    w = np.full(60, 1 / 60)
    expected = ot.sinkhorn2(w, w, ot.dist(x, x), reg, method="sinkhorn_log",
                            numItermax=20_000, stopThr=1e-11)
    assert _sinkhorn_self_cost(x, w, reg) == pytest.approx(float(expected), rel=1e-7)


def test_joint_sinkhorn_estimates_the_product_w2():
    # independent groups: W2^2 of the product = sum of the groups' W2^2
    space = SearchSpace.default(groups=("tau_m_exc", "v_th"), scalars=("w_scale",))
    A = space.sample(4, random_state=4)
    quantile = group_distances(A, None, space)
    joint = group_distances(A, None, space, method="sinkhorn", n_samples=128)
    assert joint.shape == (4, 4, 2)
    assert distance_names(space, "sinkhorn") == ("distributions", "w_scale")
    product = combine(quantile[..., :2], 1.0)
    assert np.allclose(joint[..., 0], product, atol=0.03)
    assert np.array_equal(joint[..., 1], quantile[..., 2])
    assert np.all(np.diag(joint[..., 0]) == 0)
    samples = joint_samples(A, space, n_samples=16)
    assert samples.shape == (4, 16, 2) and np.all(samples > 0)
