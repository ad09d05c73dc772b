"""Timescale re-optimisation of a pruned network (LNP step IV).

Pruning changes a network's dynamics; LNP then re-tunes the distributions
of its membrane time constants with :class:`~hrsnn.optimize.WassersteinBO`
so that its rate model keeps the dynamics it had, without expanding. A
candidate is a pair of gamma distributions (E and I ``tau_m``); each
neuron's membrane time constant is mapped to the candidate's quantile at
the neuron's rank within its type (``q = (rank + 0.5) / n``, clipped to
``tau_bounds``). The mapping keeps the order of the neurons' timescales and
moves them smoothly with the candidate, so the objective has no redraw noise
and the network's own distribution is (nearly) a candidate. It is scored by

    -mean_i |lambda_i - target_i| - expansion_penalty * max(lambda_1, 0)

over the ``k`` leading Lyapunov exponents ``lambda_i`` of the noise-driven
rate model (per ms, :class:`hrsnn.dynamics.RateNetwork`). Everything else
of the network (its synapses and ids) is kept.

Two targets:

- ``reference=`` a network (the unpruned one): its ``k`` leading exponents,
  so that the pruned network gets back the dynamics pruning changed (what
  LNP promises). In a weakly coupled, contracting rate network the leading
  exponents sit near ``-1 / tau_m`` of the slowest neurons, shifted by the
  coupling; matching ``k`` of them constrains the slow part of both
  distributions, not only their maximum.
- a number (``target=0.0`` with ``k=1``): the largest exponent alone near
  the edge of chaos. With a contracting network this mostly asks for one
  very slow neuron (``lambda_1`` tends to ``-1 / max tau_m``), so many
  distributions score alike: the objective is nearly degenerate.
"""

from dataclasses import dataclass

import numpy as np

from .._validation import check_number
from ..dynamics import RateNetwork, lyapunov_spectrum
from ..heterogeneity import Gamma

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
    exponents : ndarray of shape (k,)
        Leading exponents of the re-tuned network's rate model, per ms.
    initial_exponents : ndarray of shape (k,)
        Those of the given network.
    target : ndarray of shape (k,)
        What they were tuned towards.
    optimizer : WassersteinBO
        The finished optimiser (history, GP).
    """

    network: object
    candidate: dict
    exponents: np.ndarray
    initial_exponents: np.ndarray
    target: np.ndarray
    optimizer: object

    @property
    def largest_exponent(self):
        """``lambda_1`` of the re-tuned network, per ms."""
        return float(self.exponents[0])

    @property
    def initial_exponent(self):
        """``lambda_1`` of the given network, per ms."""
        return float(self.initial_exponents[0])


class TimescaleObjective:
    """``-mean |lambda_i - target_i| - penalty * max(lambda_1, 0)`` with new ``tau_m``.

    Parameters
    ----------
    network : Network
    target : float or array_like of shape (k,), default=0.0
        The leading exponents sought, per ms, decreasing (e.g. the unpruned
        network's, :meth:`leading_exponents`); a number is ``lambda_1``'s
        alone.
    expansion_penalty : float, default=10.0
    tau_bounds : (float, float), default=(1.0, 200.0)
        Clip of the redrawn membrane time constants, ms.
    noise_sigma, n_steps, transient, gain
        The rate model's trajectory (see :class:`~hrsnn.dynamics.RateNetwork`).
    seed : int, default=0
        Seed of the trajectory and the QR frame, the same for every candidate.
    """

    def __init__(self, network, *, target=0.0, expansion_penalty=10.0,
                 tau_bounds=(1.0, 200.0), noise_sigma=0.5, n_steps=600, transient=100,
                 gain=1.0, seed=0):
        self.network, self.expansion_penalty = network, expansion_penalty
        self.target = _check_target(target, network.n_neurons)
        self.tau_bounds, self.noise_sigma = tuple(tau_bounds), noise_sigma
        self.n_steps, self.transient, self.gain, self.seed = n_steps, transient, gain, seed

    def retuned(self, params):
        """The network with ``tau_m`` mapped onto ``params`` (``tau_m_exc_shape`` ...).

        Each neuron gets the candidate's quantile at its rank among the
        neurons of its type (ties by index), clipped to ``tau_bounds``.
        """
        tau = self.network.tau_m.copy()
        for group, mask in (("tau_m_exc", self.network.is_exc),
                            ("tau_m_inh", ~self.network.is_exc)):
            if f"{group}_mean" in params and mask.any():
                members = np.flatnonzero(mask)
                rank = np.argsort(np.argsort(tau[members], kind="stable"), kind="stable")
                gamma = Gamma(params[f"{group}_shape"], params[f"{group}_mean"])
                tau[members] = np.clip(gamma.quantiles((rank + 0.5) / members.size),
                                       *self.tau_bounds)
        return self.network.with_neuron_params(tau_m=tau)

    def leading_exponents(self, network, k=None):
        """The ``k`` (default ``len(target)``) leading exponents of ``network``'s
        noise-driven rate model, per ms, shape (k,)."""
        k = self.target.size if k is None else k
        rate = RateNetwork.from_network(network, gain=self.gain)
        trajectory = rate.simulate(self.n_steps, 1.0, noise_sigma=self.noise_sigma,
                                   random_state=self.seed)
        return lyapunov_spectrum(rate.tangent_maps(trajectory), 1.0,
                                 k=min(k, network.n_neurons), transient=self.transient,
                                 random_state=self.seed).exponents

    def largest_exponent(self, network):
        """``lambda_1`` of the noise-driven rate model of ``network``, per ms."""
        return float(self.leading_exponents(network, k=1)[0])

    def score(self, exponents):
        """The objective of leading exponents (a number: ``lambda_1``); larger is better."""
        exponents = np.atleast_1d(np.asarray(exponents, dtype=float))
        n = min(exponents.size, self.target.size)
        return float(-np.mean(np.abs(exponents[:n] - self.target[:n]))
                     - self.expansion_penalty * max(exponents[0], 0.0))

    def __call__(self, params):
        return self.score(self.leading_exponents(self.retuned(params)))


def _check_target(target, n_neurons):
    target = np.atleast_1d(np.asarray(target, dtype=float))
    if target.ndim != 1 or target.size == 0 or not np.all(np.isfinite(target)):
        raise ValueError("'target' must be a finite number or a 1-D array of leading "
                         f"exponents; got {target!r}.")
    if target.size > n_neurons:
        raise ValueError(f"'target' holds {target.size} exponents but the network has only "
                         f"{n_neurons} neurons.")
    return target


def retune_timescales(network, *, reference=None, k=10, n_iter=20, n_initial=6,
                      groups=TIMESCALE_GROUPS, random_state=0, **objective_params):
    """Re-tune the membrane time-constant distributions of ``network`` (LNP step IV).

    Parameters
    ----------
    network : Network
        E.g. ``lnp(...).network``.
    reference : Network or None, default=None
        Whose ``k`` leading exponents are the target (e.g. the unpruned
        network); None leaves ``target`` to ``objective_params`` (default
        ``lambda_1`` near 0).
    k : int, default=10
        Leading exponents matched with a ``reference``.
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
    check_number("retune_timescales", "k", k, "int", 1)
    unknown = sorted(set(groups) - set(TIMESCALE_GROUPS))
    if unknown:
        raise ValueError(f"retune_timescales() searches membrane time constants only: "
                         f"groups from {TIMESCALE_GROUPS}; got {unknown}.")
    if reference is not None:
        if "target" in objective_params:
            raise ValueError("retune_timescales() takes 'reference' or 'target', not both.")
        k = min(k, network.n_neurons, reference.n_neurons)
        probe = TimescaleObjective(reference, target=np.zeros(k), seed=random_state,
                                   **objective_params)
        objective_params["target"] = probe.leading_exponents(reference)
    objective = TimescaleObjective(network, seed=random_state, **objective_params)
    space = SearchSpace.default(groups=tuple(groups))
    bo = WassersteinBO(space, n_initial=min(n_initial, n_iter), random_state=random_state)
    bo.optimize(objective, n_iter)
    best = bo.best_["candidate"]
    retuned = objective.retuned(space.to_reservoir_params(best))
    return Retuning(retuned, best, objective.leading_exponents(retuned),
                    objective.leading_exponents(network), objective.target, bo)
