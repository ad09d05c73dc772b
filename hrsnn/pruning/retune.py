"""Timescale re-optimisation of a pruned network (LNP step IV).

Pruning changes a network's dynamics; LNP then re-tunes the distributions
of its membrane time constants with :class:`~hrsnn.optimize.WassersteinBO`
so that its rate model sits near the edge of chaos without expanding. A
candidate is a pair of gamma distributions (E and I ``tau_m``); the
network's membrane time constants are redrawn from it (the same seed for
every candidate, so candidates differ only by their distributions, clipped
to ``tau_bounds``) and scored by

    -|lambda_1 - target| - expansion_penalty * max(lambda_1, 0)

with ``lambda_1`` the largest Lyapunov exponent of the noise-driven rate
model (per ms, :class:`hrsnn.dynamics.RateNetwork`). Everything else of the
network (its synapses and ids) is kept.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import check_number
from ..dynamics import RateNetwork, lyapunov_spectrum
from ..heterogeneity import sample_gamma

#: The distribution groups re-tuned by default.
TIMESCALE_GROUPS = ("tau_m_exc", "tau_m_inh")


@dataclass(frozen=True)
class Retuning:
    """The result of :func:`retune_timescales`.

    Attributes
    ----------
    network : Network
        The network with its ``tau_m`` redrawn from the best candidate.
    candidate : dict
        The best candidate (``group -> Gamma``).
    largest_exponent : float
        ``lambda_1`` of the re-tuned network, per ms.
    initial_exponent : float
        ``lambda_1`` of the given network, per ms.
    optimizer : WassersteinBO
        The finished optimiser (history, GP).
    """

    network: object
    candidate: dict
    largest_exponent: float
    initial_exponent: float
    optimizer: object


class TimescaleObjective:
    """``-|lambda_1 - target| - penalty * max(lambda_1, 0)`` of a network with new ``tau_m``.

    Parameters
    ----------
    network : Network
    target : float, default=0.0
        Target largest exponent, per ms.
    expansion_penalty : float, default=10.0
    tau_bounds : (float, float), default=(1.0, 200.0)
        Clip of the redrawn membrane time constants, ms.
    noise_sigma, n_steps, transient, gain
        The rate model's trajectory (see :class:`~hrsnn.dynamics.RateNetwork`).
    seed : int, default=0
        Seed of the redraws and of the trajectory, the same for every candidate.
    """

    def __init__(self, network, *, target=0.0, expansion_penalty=10.0,
                 tau_bounds=(1.0, 200.0), noise_sigma=0.5, n_steps=600, transient=100,
                 gain=1.0, seed=0):
        self.network, self.target, self.expansion_penalty = network, target, expansion_penalty
        self.tau_bounds, self.noise_sigma = tuple(tau_bounds), noise_sigma
        self.n_steps, self.transient, self.gain, self.seed = n_steps, transient, gain, seed

    def retuned(self, params):
        """The network with ``tau_m`` redrawn from ``params`` (``tau_m_exc_shape`` ...)."""
        rng = np.random.default_rng(self.seed)
        tau = self.network.tau_m.copy()
        for group, mask in (("tau_m_exc", self.network.is_exc),
                            ("tau_m_inh", ~self.network.is_exc)):
            if f"{group}_mean" in params:
                tau[mask] = sample_gamma(rng, params[f"{group}_shape"], params[f"{group}_mean"],
                                         int(mask.sum()), bounds=self.tau_bounds)
        return self.network.with_neuron_params(tau_m=tau)

    def largest_exponent(self, network):
        """``lambda_1`` of the noise-driven rate model of ``network``, per ms."""
        rate = RateNetwork.from_network(network, gain=self.gain)
        trajectory = rate.simulate(self.n_steps, 1.0, noise_sigma=self.noise_sigma,
                                   random_state=self.seed)
        return lyapunov_spectrum(rate.tangent_maps(trajectory), 1.0, k=1,
                                 transient=self.transient, random_state=self.seed).largest

    def score(self, exponent):
        """The objective of a largest exponent (larger is better)."""
        return -abs(exponent - self.target) - self.expansion_penalty * max(exponent, 0.0)

    def __call__(self, params):
        return self.score(self.largest_exponent(self.retuned(params)))


def retune_timescales(network, *, n_iter=20, n_initial=6, groups=TIMESCALE_GROUPS,
                      random_state=0, **objective_params):
    """Re-tune the membrane time-constant distributions of ``network`` (LNP step IV).

    Parameters
    ----------
    network : Network
        E.g. ``lnp(...).network``.
    n_iter : int, default=20
        Evaluations of the optimiser.
    n_initial : int, default=6
        Of which quasi-random initial ones.
    groups : sequence of str, default=("tau_m_exc", "tau_m_inh")
        The distributions searched (default boxes of
        :meth:`hrsnn.optimize.SearchSpace.default`).
    random_state : int, default=0
        Seed of the optimiser, the redraws and the trajectories.
    **objective_params
        Of :class:`TimescaleObjective` (``target``, ``expansion_penalty``, ...).

    Returns
    -------
    Retuning
    """
    from ..optimize import SearchSpace, WassersteinBO

    check_number("retune_timescales", "n_iter", n_iter, "int", 1)
    unknown = sorted(set(groups) - set(TIMESCALE_GROUPS))
    if unknown:
        raise ValueError(f"retune_timescales() searches membrane time constants only: "
                         f"groups from {TIMESCALE_GROUPS}; got {unknown}.")
    objective = TimescaleObjective(network, seed=random_state, **objective_params)
    space = SearchSpace.default(groups=tuple(groups))
    bo = WassersteinBO(space, n_initial=min(n_initial, n_iter), random_state=random_state)
    bo.optimize(objective, n_iter)
    best = bo.best_["candidate"]
    retuned = objective.retuned(space.to_reservoir_params(best))
    return Retuning(retuned, best, objective.largest_exponent(retuned),
                    objective.largest_exponent(network), bo)
