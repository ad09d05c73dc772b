"""Gaussian-process surrogate on Wasserstein distances between candidates (SPEC §8).

The kernel is a Matérn function of the combined distance
``r = sqrt(sum_g (D_g / l_g)^2)`` between two candidates, where ``D_g`` is the
distance of group ``g`` (:func:`hrsnn.optimize.distance.group_distances`) and
``l_g`` its length scale:

    k = s^2 * 2^(1-nu) / Gamma(nu) * (sqrt(2 nu) r)^nu * K_nu(sqrt(2 nu) r).

Every ``D_g`` of the quantile method is a Euclidean distance between quantile
embeddings, so ``r`` is one too and the Gram matrices are positive
semi-definite. Hyperparameters (``l_g``, ``s^2``, noise variance) maximise the
log marginal likelihood of the standardised targets.
"""

import math
import numbers

import numpy as np
from scipy import linalg, optimize, special

from ..heterogeneity import as_generator


# ------------------------------------------------------------------ kernel
def matern(d, nu=2.5, length_scale=1.0, variance=1.0, closed_form=True):
    """Matérn covariance as a function of distance.

    Parameters
    ----------
    d : array_like
        Distances ``>= 0`` (any shape).
    nu : float, default=2.5
        Smoothness ``> 0``; ``numpy.inf`` gives the squared exponential.
    length_scale : float, default=1.0
    variance : float, default=1.0
        Value at ``d = 0``.
    closed_form : bool, default=True
        Use the closed forms for ``nu`` in {0.5, 1.5, 2.5}; False always uses
        the Bessel-function form (for checks).

    Returns
    -------
    ndarray of the shape of ``d``
    """
    if not (isinstance(nu, numbers.Real) and nu > 0):
        raise ValueError(f"'nu' must be a real number > 0. Got {nu!r} instead.")
    r = np.asarray(d, dtype=np.float64) / length_scale
    if np.any(r < 0):
        raise ValueError("Distances must be >= 0.")
    if nu == np.inf:
        return variance * np.exp(-0.5 * r * r)
    if closed_form and nu == 0.5:
        return variance * np.exp(-r)
    if closed_form and nu == 1.5:
        a = math.sqrt(3.0) * r
        return variance * (1.0 + a) * np.exp(-a)
    if closed_form and nu == 2.5:
        a = math.sqrt(5.0) * r
        return variance * (1.0 + a + a * a / 3.0) * np.exp(-a)
    return variance * _matern_bessel(r, float(nu))


def _matern_bessel(r, nu):
    """Unit Matérn at scaled distances ``r`` via ``K_nu``, computed in log space."""
    x = math.sqrt(2.0 * nu) * r
    out = np.ones_like(x)
    positive = x > 0
    xp = x[positive]
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        log_k = ((1.0 - nu) * math.log(2.0) - special.gammaln(nu) + nu * np.log(xp)
                 + np.log(special.kve(nu, xp)) - xp)
        value = np.exp(log_k)
    # kve overflows only at tiny x (value 1) and underflows only far away (value 0)
    value = np.where(np.isfinite(value), value, np.where(xp < 1.0, 1.0, 0.0))
    out[positive] = np.minimum(value, 1.0)
    return out


def _matern_slope(r, nu):
    """``k'(r) / r`` of the unit Matérn (closed forms only), or None."""
    if nu == 0.5:
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(r > 0, -np.exp(-r) / np.where(r > 0, r, 1.0), 0.0)
    if nu == 1.5:
        return -3.0 * np.exp(-math.sqrt(3.0) * r)
    if nu == 2.5:
        a = math.sqrt(5.0) * r
        return -(5.0 / 3.0) * (1.0 + a) * np.exp(-a)
    if nu == np.inf:
        return -np.exp(-0.5 * r * r)
    return None


def _cholesky(K):
    """Lower Cholesky factor of ``K``, adding growing jitter if it is not positive definite."""
    jitter = 0.0
    scale = max(float(np.mean(np.diag(K))), 1e-300)
    for attempt in range(7):
        try:
            return linalg.cholesky(K + jitter * np.eye(len(K)), lower=True, check_finite=False)
        except linalg.LinAlgError:
            jitter = scale * 10.0 ** (attempt - 10)
    raise linalg.LinAlgError("The GP covariance matrix is not positive definite, even "
                             "with jitter; check the distances for NaN or asymmetry.")


def _check_bounds(name, bounds):
    low, high = (float(b) for b in bounds)
    if not (0 < low <= high < np.inf):
        raise ValueError(f"'{name}' must be (low, high) with 0 < low <= high. "
                         f"Got {bounds!r} instead.")
    return low, high


# ---------------------------------------------------------------------- GP
class WassersteinGP:
    """Gaussian-process regression on per-group distances between candidates.

    Parameters
    ----------
    nu : float, default=2.5
        Matérn smoothness (closed forms and analytic gradients for 0.5, 1.5,
        2.5 and ``inf``; other values use Bessel functions and numerical gradients).
    noise : float, default=1e-6
        Noise variance of the standardised targets: the starting value, or the
        value used when ``optimize=False``.
    optimize : bool, default=True
        Fit the hyperparameters by maximum log marginal likelihood.
    n_restarts : int, default=3
        Extra L-BFGS-B starts drawn log-uniformly within the bounds.
    random_state : None, int or Generator, default=None
        Seed of the restarts.
    length_scale_bounds : tuple of float, default=(1e-2, 1e2)
        In units of the (normalised) distances.
    noise_bounds : tuple of float, default=(1e-8, 1e-1)
    variance_bounds : tuple of float, default=(1e-2, 1e2)
        Signal variance of the standardised targets.
    length_scale : float, array_like of shape (G,) or None, default=None
        Starting length scales; None takes each group's median nonzero training
        distance (clipped to the bounds).
    variance : float, default=1.0
        Starting signal variance.
    max_iter : int, default=50
        L-BFGS-B iterations per start.
    warm_start : bool, default=False
        Start the first optimisation from the previous fit's hyperparameters
        (when the number of groups is unchanged), as a BO loop refitting every
        iteration wants; set ``n_restarts=0`` as well for the fastest refits.

    Attributes
    ----------
    theta_ : ndarray of shape (G + 2,)
        ``log([l_1, ..., l_G, variance, noise])``.
    length_scales_ : ndarray of shape (G,)
    variance_ : float
        Signal variance (standardised targets).
    noise_ : float
        Noise variance (standardised targets).
    log_marginal_likelihood_ : float
        Of the standardised targets at ``theta_``.
    y_mean_, y_std_ : float
        Standardisation of the targets.
    n_evaluations_ : int
        Likelihood evaluations spent by the last ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.linspace(0, 1, 8)
    >>> D = np.abs(x[:, None] - x[None, :])[:, :, None]
    >>> gp = WassersteinGP(random_state=0).fit(D, np.sin(3 * x))
    >>> mean, std = gp.predict(D)
    >>> bool(np.allclose(mean, np.sin(3 * x), atol=1e-3))
    True
    """

    def __init__(self, nu=2.5, noise=1e-6, optimize=True, n_restarts=3, random_state=None,
                 length_scale_bounds=(1e-2, 1e2), noise_bounds=(1e-8, 1e-1),
                 variance_bounds=(1e-2, 1e2), length_scale=None, variance=1.0,
                 max_iter=50, warm_start=False):
        self.nu = nu
        self.noise = noise
        self.optimize = optimize
        self.n_restarts = n_restarts
        self.random_state = random_state
        self.length_scale_bounds = length_scale_bounds
        self.noise_bounds = noise_bounds
        self.variance_bounds = variance_bounds
        self.length_scale = length_scale
        self.variance = variance
        self.max_iter = max_iter
        self.warm_start = warm_start

    # ---------------------------------------------------------------- fitting
    def fit(self, D, y, theta0=None):
        """Fit the surrogate to training candidates.

        Parameters
        ----------
        D : array_like of shape (n, n, G)
            Per-group distances between the training candidates.
        y : array_like of shape (n,)
            Objective values (maximised or minimised: the GP does not care).
        theta0 : array_like of shape (G + 2,), optional
            Start of the first optimisation, ``log([l_1..l_G, variance, noise])``
            (overrides ``warm_start``).

        Returns
        -------
        self : WassersteinGP
        """
        D, y = self._check_training(D, y)
        self._check_params()
        previous = getattr(self, "theta_", None)
        self.y_mean_ = float(np.mean(y))
        std = float(np.std(y))
        self.y_std_ = std if std > 0 else 1.0
        self._y = (y - self.y_mean_) / self.y_std_
        self._D2 = D * D
        bounds = self._log_bounds(D.shape[2])
        if theta0 is None and self.warm_start and previous is not None \
                and len(previous) == D.shape[2] + 2:
            theta0 = previous
        start = self._initial_theta(D) if theta0 is None else self._check_theta(theta0)
        self.n_evaluations_ = 0
        theta = self._optimise(start, bounds) if self.optimize else start
        self._set_theta(theta)
        return self

    def _check_params(self):
        if not (isinstance(self.n_restarts, numbers.Integral) and self.n_restarts >= 0):
            raise ValueError(f"'n_restarts' must be an integer >= 0. Got {self.n_restarts!r}.")
        if not (isinstance(self.max_iter, numbers.Integral) and self.max_iter >= 1):
            raise ValueError(f"'max_iter' must be an integer >= 1. Got {self.max_iter!r}.")
        matern(0.0, self.nu)   # checks nu
        for name in ("noise", "variance"):
            value = getattr(self, name)
            if not (isinstance(value, numbers.Real) and 0 < value < np.inf):
                raise ValueError(f"'{name}' must be a finite number > 0. Got {value!r}.")
        for name in ("length_scale_bounds", "noise_bounds", "variance_bounds"):
            _check_bounds(name, getattr(self, name))

    @staticmethod
    def _check_training(D, y):
        D = np.asarray(D, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if D.ndim != 3 or D.shape[0] != D.shape[1] or D.shape[0] < 1:
            raise ValueError(f"'D' must have shape (n, n, G) with n >= 1. Got {D.shape}.")
        if y.shape != (D.shape[0],):
            raise ValueError(f"'y' must have shape ({D.shape[0]},). Got {y.shape}.")
        if not (np.all(np.isfinite(D)) and np.all(D >= 0) and np.all(np.isfinite(y))):
            raise ValueError("'D' must be finite and >= 0 and 'y' finite.")
        return D, y

    def _check_theta(self, theta):
        theta = np.asarray(theta, dtype=np.float64)
        if theta.shape != (self._D2.shape[2] + 2,) or not np.all(np.isfinite(theta)):
            raise ValueError(f"'theta' must be {self._D2.shape[2] + 2} finite log "
                             f"hyperparameters. Got {theta!r}.")
        return theta

    def _log_bounds(self, n_groups):
        ls = np.log(_check_bounds("length_scale_bounds", self.length_scale_bounds))
        var = np.log(_check_bounds("variance_bounds", self.variance_bounds))
        noise = np.log(_check_bounds("noise_bounds", self.noise_bounds))
        return np.array([ls] * n_groups + [var, noise])

    def _initial_theta(self, D):
        """Start: given or median length scales, ``variance``, ``noise``; clipped to bounds."""
        n_groups = D.shape[2]
        if self.length_scale is None:
            off = ~np.eye(len(D), dtype=bool)
            ls = np.array([np.median(g[off & (g > 0)]) if np.any(g[off] > 0) else 1.0
                           for g in np.moveaxis(D, 2, 0)])
        else:
            ls = np.asarray(self.length_scale, dtype=np.float64)
            if ls.shape not in ((), (n_groups,)) or not np.all(ls > 0):
                raise ValueError(f"'length_scale' must be None, a positive float or "
                                 f"{n_groups} positive floats. Got {self.length_scale!r}.")
            ls = np.broadcast_to(ls, (n_groups,))
        theta = np.log(np.concatenate([ls, [self.variance, self.noise]]))
        bounds = self._log_bounds(n_groups)
        return np.clip(theta, bounds[:, 0], bounds[:, 1])

    def _optimise(self, start, bounds):
        """L-BFGS-B from ``start`` and ``n_restarts`` random starts; best theta."""
        rng = as_generator(self.random_state)
        starts = [np.clip(start, bounds[:, 0], bounds[:, 1])]
        starts += [rng.uniform(bounds[:, 0], bounds[:, 1]) for _ in range(self.n_restarts)]
        analytic = self._analytic()
        best = None
        for x0 in starts:
            result = optimize.minimize(self._objective, x0, jac=analytic,
                                       method="L-BFGS-B", bounds=bounds,
                                       options={"maxiter": int(self.max_iter)})
            if best is None or result.fun < best.fun:
                best = result
        return np.clip(best.x, bounds[:, 0], bounds[:, 1])

    def _objective(self, theta):
        """Negative log marginal likelihood (and its gradient for closed-form ``nu``)."""
        self.n_evaluations_ += 1
        try:
            lml, grad = self._lml(theta, eval_gradient=True)
        except linalg.LinAlgError:
            return (1e25, np.zeros_like(theta)) if self._analytic() else 1e25
        return (-lml, -grad) if grad is not None else -lml

    def _analytic(self):
        return _matern_slope(np.zeros(1), self.nu) is not None

    def _set_theta(self, theta):
        self.theta_ = np.asarray(theta, dtype=np.float64)
        self.length_scales_ = np.exp(self.theta_[:-2])
        self.variance_ = float(np.exp(self.theta_[-2]))
        self.noise_ = float(np.exp(self.theta_[-1]))
        K = self._gram(self.theta_)
        self.L_ = _cholesky(K)
        self.alpha_ = linalg.cho_solve((self.L_, True), self._y, check_finite=False)
        self.log_marginal_likelihood_ = self._lml_from(self.L_, self.alpha_)

    # ------------------------------------------------------------- likelihood
    def _scaled_distance(self, D2, theta):
        """Combined distance ``r`` from squared per-group distances, (..., n)."""
        return np.sqrt(D2 @ np.exp(-2.0 * theta[:-2]))

    def _gram(self, theta):
        r = self._scaled_distance(self._D2, theta)
        K = math.exp(theta[-2]) * matern(r, self.nu)
        K[np.diag_indices_from(K)] += math.exp(theta[-1])
        return K

    def _lml_from(self, L, alpha):
        n = len(self._y)
        return float(-0.5 * self._y @ alpha - np.sum(np.log(np.diag(L)))
                     - 0.5 * n * math.log(2.0 * math.pi))

    def _lml(self, theta, eval_gradient=False):
        r = self._scaled_distance(self._D2, theta)
        variance, noise = math.exp(theta[-2]), math.exp(theta[-1])
        K = variance * matern(r, self.nu)
        K[np.diag_indices_from(K)] += noise
        L = _cholesky(K)
        alpha = linalg.cho_solve((L, True), self._y, check_finite=False)
        lml = self._lml_from(L, alpha)
        slope = _matern_slope(r, self.nu) if eval_gradient else None
        if slope is None:
            return lml, None
        W = np.outer(alpha, alpha) - linalg.cho_solve((L, True), np.eye(len(K)),
                                                       check_finite=False)
        # dK/dlog l_g = -variance * k'(r)/r * D_g^2 / l_g^2
        grad_ls = -0.5 * variance * np.tensordot(W * slope, self._D2, axes=([0, 1], [0, 1]))
        grad_ls *= np.exp(-2.0 * theta[:-2])
        grad_var = 0.5 * np.sum(W * (K - noise * np.eye(len(K))))
        grad_noise = 0.5 * noise * np.trace(W)
        return lml, np.concatenate([grad_ls, [grad_var, grad_noise]])

    def log_marginal_likelihood(self, theta=None, eval_gradient=False):
        """Log marginal likelihood of the standardised training targets.

        Parameters
        ----------
        theta : array_like of shape (G + 2,), optional
            ``log([l_1..l_G, variance, noise])``; None gives the fitted value.
        eval_gradient : bool, default=False
            Also return the gradient with respect to ``theta`` (closed-form
            ``nu`` only; None otherwise).

        Returns
        -------
        float, or (float, ndarray of shape (G + 2,) or None)
        """
        self._check_fitted()
        if theta is None:
            theta = self.theta_
        lml, grad = self._lml(self._check_theta(theta), eval_gradient=eval_gradient)
        return (lml, grad) if eval_gradient else lml

    # ------------------------------------------------------------- prediction
    def _check_fitted(self):
        if not hasattr(self, "theta_"):
            raise RuntimeError("This WassersteinGP is not fitted yet; call 'fit' first.")

    def predict(self, D_star, D_star_diag=None, return_std=True, include_noise=False):
        """Posterior mean (and standard deviation) at new candidates.

        Parameters
        ----------
        D_star : array_like of shape (m, n, G)
            Per-group distances from the new candidates to the training ones.
        D_star_diag : array_like of shape (m, G), optional
            Distance of each new candidate to itself (zeros if None, as for any
            metric; a biased estimate such as plain Sinkhorn may give more).
        return_std : bool, default=True
        include_noise : bool, default=False
            Add the noise variance to the predictive variance (an observation,
            not the latent function).

        Returns
        -------
        mean : ndarray of shape (m,)
            In the units of ``y``.
        std : ndarray of shape (m,)
            In the units of ``y``; only if ``return_std``.
        """
        self._check_fitted()
        D_star = np.asarray(D_star, dtype=np.float64)
        n, n_groups = self._D2.shape[0], self._D2.shape[2]
        if D_star.ndim != 3 or D_star.shape[1:] != (n, n_groups):
            raise ValueError(f"'D_star' must have shape (m, {n}, {n_groups}). "
                             f"Got {D_star.shape}.")
        K_star = self.variance_ * matern(self._scaled_distance(D_star ** 2, self.theta_),
                                         self.nu)
        mean = K_star @ self.alpha_ * self.y_std_ + self.y_mean_
        if not return_std:
            return mean
        prior = np.full(len(D_star), self.variance_)
        if D_star_diag is not None:
            diag = np.asarray(D_star_diag, dtype=np.float64).reshape(len(D_star), n_groups)
            prior = self.variance_ * matern(self._scaled_distance(diag ** 2, self.theta_),
                                            self.nu)
        v = linalg.solve_triangular(self.L_, K_star.T, lower=True, check_finite=False)
        var = np.maximum(prior - np.sum(v * v, axis=0), 0.0)
        if include_noise:
            var = var + self.noise_
        return mean, np.sqrt(var) * self.y_std_
