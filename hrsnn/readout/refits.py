"""Closed-loop refits of a forecaster's readout (DAgger).

A readout trained only on teacher-forced states has never seen the states its
own closed loop visits once its predictions drift. Each refit round rolls the
current readout out from many points of the training series, and adds the
states it visits, with targets that lead back to the true series, to the
ridge's rows (DAgger: Ross, Gordon & Bagnell, AISTATS 2011; for time series,
Venkatraman, Hebert & Bagnell, AAAI 2015). :class:`ClosedLoopRefits` holds
these steps for :class:`~hrsnn.readout.Forecaster`, which supplies the
closed loop, the targets and the settings (``refit_rounds``,
``refit_horizon``, the validation forecasts).
"""

import numpy as np
from sklearn.linear_model import Ridge

from ..evaluation import select_by_forecast
from .quadratic import design_inputs

#: Steps between the starts of the rollouts a closed-loop refit learns from.
REFIT_STRIDE = 20
#: Most closed-loop refit rounds (each adds its rollouts' rows to the ridge).
MAX_REFIT_ROUNDS = 5
#: Most rollout steps of one refit round (starts are thinned out beyond), so that a
#: round adds at most about as many rows as a 2,000-step series has.
MAX_ROLLOUT_STEPS = 2000


class ClosedLoopRefits:
    """The refit rounds of :class:`~hrsnn.readout.Forecaster` (a mixin: it relies on the
    forecaster's ``_closed_loop``, ``_training_set``, ``_validation_forecast``,
    ``_validation_starts`` and settings).

    ``loop`` below is the tuple ``(reservoir, patches, z, features, rows,
    snapshots)`` of one fitted layout: the reservoir, its block layout, the
    standardised series, the teacher-forced features (n_steps, n_features)
    and their block rows, and reservoir snapshots by step.
    """

    def _rollout_starts(self, z):
        """Starts of the refits' rollouts: every REFIT_STRIDE steps after the washout, at
        most ``MAX_ROLLOUT_STEPS // refit_horizon`` of them (evenly spread)."""
        if self.refit_rounds == 0 or self.selection != "forecast":
            return np.array([], dtype=int)
        starts = np.arange(self.washout + 1, len(z) - self.refit_horizon, REFIT_STRIDE)
        most = max(1, MAX_ROLLOUT_STEPS // self.refit_horizon)
        if len(starts) > most:
            starts = starts[np.linspace(0, len(starts) - 1, most).round().astype(int)]
        return starts

    def _refits(self, loop, n_used, design, alpha, n_rounds):
        """Readouts trained on steps ``washout .. n_used-2`` and then, round after round,
        also on the states their own rollouts visit.

        Round ``r`` rolls the readout of round ``r - 1`` out in closed loop for
        ``refit_horizon`` steps from every rollout start whose rollout ends
        before ``n_used``; at each state it visits, the target is what leads
        back to the true series (``z[t + 1] - x_hat[t]`` for ``target="delta"``).
        The rows of every round are kept (DAgger: Ross, Gordon & Bagnell,
        AISTATS 2011; for time series Venkatraman, Hebert & Bagnell, AAAI 2015).

        Returns
        -------
        list of (ridge, design, patches)
            Rounds ``0 .. n_rounds``.
        """
        _, patches, z, _, rows, _ = loop
        first_inputs, first_targets = self._training_set(rows, z, n_used, design, patches)
        inputs, targets = [first_inputs], [first_targets]
        starts = [s for s in self._rollout_starts(z) if s + self.refit_horizon < n_used]
        readouts = []
        for _ in range(n_rounds + 1):
            ridge = Ridge(alpha=alpha).fit(np.concatenate(inputs), np.concatenate(targets))
            readouts.append((ridge, design, patches))
            if len(readouts) <= n_rounds:
                visited, following = self._rollouts(loop, readouts[-1], starts)
                inputs.append(design_inputs(visited, design))
                targets.append(patches.targets(following))
        return readouts

    def _rollouts(self, loop, readout, starts):
        """Block rows of the states ``readout``'s rollouts visit, and their targets."""
        reservoir, patches, z, features, _, snapshots = loop
        visited, following = [], []
        for start in starts:
            reservoir.set_state(snapshots[start])
            seen = []
            forecast, _ = self._closed_loop(reservoir, features[start - 1], z[start - 1],
                                            self.refit_horizon, readout, visited=seen)
            truth = z[start + 1:start + 1 + self.refit_horizon]
            visited.append(patches.rows(np.array(seen), self.features, reservoir))
            following.append(truth - forecast if self.target == "delta" else truth)
        return np.concatenate(visited), np.concatenate(following)

    def _select_rounds(self, loop, n_val, design, alpha, plain_score):
        """Refit rounds (0 .. ``refit_rounds``) whose readout forecasts the validation
        part best, and its score ``(mean valid steps, -mean RMSE)``; ``plain_score``
        is the ``(valid steps, RMSE)`` of the readout without refits, ``design`` its
        design fitted before the validation part."""
        valid, error = plain_score
        if self.refit_rounds == 0:
            return 0, (valid, -error)
        z = loop[2]
        readouts = self._refits(loop, len(z) - n_val, design, alpha, self.refit_rounds)
        _, round_scores = select_by_forecast(
            range(1, self.refit_rounds + 1), lambda r: readouts[r],
            lambda readout, start: self._validation_forecast(loop, readout, start), z,
            self._validation_starts(len(z), n_val), horizon=self.validation_horizon,
            threshold=self.validation_threshold)
        round_scores[0] = (valid, error)
        best = max(sorted(round_scores), key=lambda r: (round_scores[r][0], -round_scores[r][1]))
        return best, (round_scores[best][0], -round_scores[best][1])

