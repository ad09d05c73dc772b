"""Developmental plasticity-inspired adaptive pruning (DPAP; SPEC §10, ``dpap.txt``).

Synapses and neurons are removed *during* learning when their survival
value drops below zero ("use it or lose it, gradually decay"):

- per batch, the spiking trace of every neuron over the batch's ``T`` steps,
  ``S(t) = 0.5 S(t-1) + s(t)`` (a convolutional channel sums its spikes over
  space first, Eq. 6), its value at the last step ``S``;
- trace-based BCM per synapse ``j -> i`` (Eq. 7-10): ``BCM_ij += sum over
  samples of S_i (S_i - theta_i) S_j``, ``theta_i`` the running mean of
  ``S_i`` over all batches seen (Eq. 8-9), and the activity ``A_i += sum over
  samples of S_i``;
- per epoch, the dendritic-spine measure of each neuron (Eq. 11 with the
  official code's normalisation) ``D_i = MinMax(sum_j BCM_ij) * MinMax(A_i)``;
- per epoch from ``start_epoch``, each survival value ``F`` (synapses: from
  ``BCM``, neurons: from ``D``; ``F0 = 10``) is updated (Eq. 12-17):
  ``delta = 2 Norm(x) - epsilon``, ``delta += C`` where ``delta >= 0``,
  ``F <- 0.999 F + eta(e) delta``, with ``Norm(x) = clip((x - min) /
  (P75(x) - min), 0, 1)`` and ``eta(e) = exp(-floor((e - start_epoch) /
  eta_period))``; entries with ``F < 0`` are pruned for good.

Where this departs from the official BrainCog code (SPEC §10 says: follow
the paper, say where):

- ``BCM`` and ``A`` are sums over the batches of *one* epoch (Eq. 10), reset
  after each epoch; the official code never resets them.
- ``theta`` is one value per neuron (the paper's "average of the historical
  activity of the post-synaptic neuron"); the official code keeps one per
  neuron *and* position in the batch.
- The normalisations run over the entries still alive: pruned synapses and
  neurons neither score nor shift the percentiles.
- ``Norm`` with more than a quarter of the values tied at their minimum
  separates the minimum from the rest (:func:`percentile_normalise`).
- Traces are not divided by ``T`` (the official code does; a common scale
  cancels in every normalisation).
- A pruned neuron loses all its presynaptic weights (Eq. 17) *and* its bias,
  so that it stays silent; :meth:`DPAP.weight_mask` gives both.
- The masks are meant to be re-applied after every optimiser step (the
  official code masks once per epoch, so weights pruned at one epoch
  regrow by gradient until the next).
"""

import math

import numpy as np

from .._validation import check_number

#: (epsilon, C) of the paper for fully connected and convolutional layers.
LAYER_CONSTANTS = {"fc": (1.5, 2.0), "conv": (0.65, 5.0)}


def spike_trace(spikes, decay=0.5):
    """The spiking trace ``S(t) = decay S(t-1) + s(t)`` at the last step.

    Parameters
    ----------
    spikes : array_like of shape (T, batch, n) or (T, batch, channels, H, W)
        Spikes (0/1) or, for a non-spiking layer, its activations (Eq. 18-19).
        Channels of a convolutional layer are summed over space first (Eq. 6).
    decay : float, default=0.5

    Returns
    -------
    ndarray of shape (batch, n) or (batch, channels)
    """
    spikes = np.asarray(spikes, dtype=np.float64)
    if spikes.ndim == 5:
        spikes = spikes.sum(axis=(3, 4))
    if spikes.ndim != 3:
        raise ValueError("'spikes' must have shape (T, batch, n) or (T, batch, channels, H, "
                         f"W); got shape {spikes.shape}.")
    weights = decay ** np.arange(spikes.shape[0] - 1, -1, -1)
    return np.tensordot(weights, spikes, axes=(0, 0))


def percentile_normalise(x):
    """``clip((x - min) / (P75(x) - min), 0, 1)``.

    When more than a quarter of the values tie at the minimum (``P75 ==
    min``) this is the limit ``P75 -> min``: 0 at the minimum, 1 above it;
    0.5 everywhere when all values are equal. (The official code gives 0.5
    to every value as soon as ``P75 == min``, so that a layer whose units
    are mostly silent decays as a whole, the active ones with it.)
    """
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    low, high = x.min(), np.percentile(x, 75)
    if high == low:
        return np.full_like(x, 0.5) if x.max() == low else (x > low).astype(np.float64)
    return np.clip((x - low) / (high - low), 0.0, 1.0)


def minmax_normalise(x):
    """``(x - min) / (max - min)``; 0.5 everywhere when all values are equal."""
    x = np.asarray(x, dtype=np.float64)
    if x.size == 0:
        return x
    low, high = x.min(), x.max()
    return np.full_like(x, 0.5) if high == low else (x - low) / (high - low)


def survival_delta(score, epsilon, constant):
    """``delta = 2 Norm(score) - epsilon``, plus ``constant`` where ``delta >= 0`` (Eq. 12-15)."""
    delta = 2.0 * percentile_normalise(score) - epsilon
    return np.where(delta >= 0, delta + constant, delta)


class DPAP:
    """The survival-function pruning of one layer's synapses and neurons.

    Feed it the pre- and postsynaptic spikes of every training batch
    (:meth:`observe`) and call :meth:`end_epoch` after each epoch; the masks
    it keeps only ever lose entries.

    Parameters
    ----------
    n_pre, n_post : int
        Presynaptic and postsynaptic neurons (channels of a convolution).
    synapses : tuple of two ndarray of int, optional
        ``(pre, post)`` indices of a sparse layer's synapses (e.g. a
        reservoir's E->E synapses); default every pair, a dense
        ``(n_post, n_pre)`` layer.
    kind : {"fc", "conv"}, default="fc"
        Sets the default ``epsilon`` and ``C`` (:data:`LAYER_CONSTANTS`) and,
        for "conv", prunes whole filters (neurons) only.
    epsilon, constant : float, optional
        Decay value and protection constant ``C`` (default by ``kind``).
    prune_synapses, prune_neurons : bool, optional
        Default: synapses for "fc" only, neurons always.
    survival_decay : float, default=0.999
    initial_survival : float, default=10.0
    start_epoch : int, default=5
        First epoch (counted from 0) that updates the survival values.
    eta_period : float, default=13.0
        ``eta(e) = exp(-floor((e - start_epoch) / eta_period))``.
    trace_decay : float, default=0.5
    protect : array_like of int, optional
        Postsynaptic neurons never pruned; they are left out of the neuron
        normalisation (e.g. a reservoir's inhibitory neurons).
    """

    def __init__(self, n_pre, n_post, *, synapses=None, kind="fc", epsilon=None, constant=None,
                 prune_synapses=None, prune_neurons=True, survival_decay=0.999,
                 initial_survival=10.0, start_epoch=5, eta_period=13.0, trace_decay=0.5,
                 protect=None):
        from .._validation import check_choice
        check_choice("DPAP", "kind", kind, tuple(LAYER_CONSTANTS))
        check_number("DPAP", "n_pre", n_pre, "int", 1)
        check_number("DPAP", "n_post", n_post, "int", 1)
        check_number("DPAP", "start_epoch", start_epoch, "int", 0)
        check_number("DPAP", "eta_period", eta_period, "float", 0.0, low_open=True)
        check_number("DPAP", "trace_decay", trace_decay, "float", 0.0, 1.0)
        check_number("DPAP", "survival_decay", survival_decay, "float", 0.0, 1.0)
        default_epsilon, default_constant = LAYER_CONSTANTS[kind]
        self.n_pre, self.n_post, self.kind = n_pre, n_post, kind
        self.epsilon = default_epsilon if epsilon is None else float(epsilon)
        self.constant = default_constant if constant is None else float(constant)
        self.prune_synapses = kind == "fc" if prune_synapses is None else bool(prune_synapses)
        self.prune_neurons = bool(prune_neurons)
        self.survival_decay, self.start_epoch = survival_decay, start_epoch
        self.eta_period, self.trace_decay = eta_period, trace_decay
        self.pre, self.post = self._synapse_indices(synapses)
        self.synapse_survival = np.full(self.pre.size, float(initial_survival))
        self.neuron_survival = np.full(n_post, float(initial_survival))
        self.synapse_alive = np.ones(self.pre.size, dtype=bool)
        self.neuron_alive = np.ones(n_post, dtype=bool)
        self.protected = self._protected(protect)
        self.theta = np.zeros(n_post)
        self.n_batches = 0
        self._reset_epoch()

    def _synapse_indices(self, synapses):
        if synapses is None:
            post, pre = np.divmod(np.arange(self.n_pre * self.n_post), self.n_pre)
            return pre, post
        pre, post = (np.asarray(a) for a in synapses)
        if pre.shape != post.shape or pre.ndim != 1 or not (
                np.issubdtype(pre.dtype, np.integer) and np.issubdtype(post.dtype, np.integer)):
            raise ValueError("'synapses' must be two 1-D integer arrays (pre, post) of equal "
                             f"length; got shapes {pre.shape} and {post.shape}.")
        if pre.size and (pre.min() < 0 or pre.max() >= self.n_pre or post.min() < 0
                         or post.max() >= self.n_post):
            raise ValueError(f"'synapses' indices must lie in [0, {self.n_pre}) (pre) and "
                             f"[0, {self.n_post}) (post).")
        return pre.astype(np.int64), post.astype(np.int64)

    def _protected(self, protect):
        protected = np.zeros(self.n_post, dtype=bool)
        if protect is not None:
            index = np.asarray(protect).ravel()
            if index.size and (not np.issubdtype(index.dtype, np.integer) or index.min() < 0
                               or index.max() >= self.n_post):
                raise ValueError(f"'protect' must hold neuron indices in [0, {self.n_post}).")
            protected[index] = True
        return protected

    def _reset_epoch(self):
        self.bcm = np.zeros(self.pre.size)
        self.activity = np.zeros(self.n_post)

    # ------------------------------------------------------------ per batch
    def observe(self, pre_spikes, post_spikes):
        """Accumulate one batch: spikes of shape (T, batch, n) (conv: (T, batch, C, H, W))."""
        self.observe_traces(spike_trace(pre_spikes, self.trace_decay),
                            spike_trace(post_spikes, self.trace_decay))

    def observe_traces(self, pre_trace, post_trace):
        """Accumulate one batch from its end-of-window traces, (batch, n_pre) and (batch, n_post)."""
        pre_trace, post_trace = np.asarray(pre_trace, float), np.asarray(post_trace, float)
        if pre_trace.ndim != 2 or pre_trace.shape[1] != self.n_pre or \
                post_trace.shape != (pre_trace.shape[0], self.n_post):
            raise ValueError(f"Traces must have shapes (batch, {self.n_pre}) and (batch, "
                             f"{self.n_post}); got {pre_trace.shape} and {post_trace.shape}.")
        self.n_batches += 1
        self.theta += (post_trace.mean(axis=0) - self.theta) / self.n_batches   # Eq. 8
        post_term = post_trace * (post_trace - self.theta)                      # (batch, n_post)
        self.bcm += np.einsum("bs,bs->s", post_term[:, self.post], pre_trace[:, self.pre])
        self.activity += post_trace.sum(axis=0)

    # ------------------------------------------------------------ per epoch
    def eta(self, epoch):
        """Learning rate of the survival values at ``epoch`` (0 before ``start_epoch``)."""
        if epoch < self.start_epoch:
            return 0.0
        return math.exp(-math.floor((epoch - self.start_epoch) / self.eta_period))

    def spine_measure(self):
        """``D = MinMax(sum_j BCM_ij) * MinMax(A_i)`` of the living, unprotected neurons,
        shape (n_candidates,)."""
        alive = self.neuron_alive & ~self.protected
        summed = np.bincount(self.post[self.synapse_alive], self.bcm[self.synapse_alive],
                             minlength=self.n_post)
        return minmax_normalise(summed[alive]) * minmax_normalise(self.activity[alive])

    def end_epoch(self, epoch):
        """Update the survival values after ``epoch`` and prune; returns the newly pruned counts.

        Returns
        -------
        dict
            ``synapses`` and ``neurons`` pruned at this epoch.
        """
        check_number("DPAP.end_epoch", "epoch", epoch, "int", 0)
        eta = self.eta(epoch)
        before = int(self.synapse_alive.sum()), int(self.neuron_alive.sum())
        if eta > 0 and self.prune_synapses and self.synapse_alive.any():
            self._update(self.synapse_survival, self.synapse_alive, self.bcm[self.synapse_alive],
                         eta)
        candidates = self.neuron_alive & ~self.protected
        if eta > 0 and self.prune_neurons and candidates.any():
            self._update(self.neuron_survival, candidates, self.spine_measure(), eta)
            self.neuron_alive &= candidates | self.protected
        self.synapse_alive &= self.neuron_alive[self.post]      # a dead neuron's inputs go too
        self._reset_epoch()
        return {"synapses": before[0] - int(self.synapse_alive.sum()),
                "neurons": before[1] - int(self.neuron_alive.sum())}

    def _update(self, survival, alive, score, eta):
        index = np.flatnonzero(alive)
        delta = survival_delta(score, self.epsilon, self.constant)
        survival[index] = self.survival_decay * survival[index] + eta * delta
        alive[index[survival[index] < 0]] = False

    # ------------------------------------------------------------ results
    def weight_mask(self):
        """The surviving synapses as a dense (n_post, n_pre) boolean mask (dense layers)."""
        mask = np.zeros((self.n_post, self.n_pre), dtype=bool)
        mask[self.post[self.synapse_alive], self.pre[self.synapse_alive]] = True
        return mask

    @property
    def pruned_fraction(self):
        """Share of this layer's synapses pruned (with those of pruned neurons)."""
        return 1.0 - self.synapse_alive.mean() if self.pre.size else 0.0
