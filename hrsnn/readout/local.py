"""Parallel local reservoirs for spatially extended systems (Lorenz96 and the like).

Echo-state networks forecast Lorenz96 and Kuramoto-Sivashinsky by giving
each group of neighbouring variables a reservoir of its own, driven by the
group and ``radius`` neighbours on each side, with a readout that predicts the
group (Pathak, Hunt, Girvan, Lu & Ott, Phys. Rev. Lett. 120, 024102, 2018).
Here the copies share one network (learnt by STDP on every patch) and one
readout (trained on the rows of every copy), so a translation-invariant system
is learnt from ``n_blocks`` times more rows than a single reservoir sees, and
the tiled network is simulated as one (:func:`hrsnn.builder.tile_network`).
The variables are taken as a ring in column order, as in Lorenz96.
"""

import numpy as np
from sklearn.base import clone

from ..builder import tile_network
from ._common import _feature_names, _neuron_blocks


#: Neighbours on each side that a local reservoir of ``local_radius="auto"`` reads
#: (Lorenz96's right-hand side reaches two variables to one side, one to the other).
AUTO_LOCAL_RADIUS = 2
#: Fewest neurons per copy that ``local_group="auto"`` gives a local reservoir.
MIN_LOCAL_NEURONS = 100


def is_auto(value):
    """Whether a parameter is the string ``"auto"``."""
    return isinstance(value, str) and value == "auto"


def layouts(n_dims, local_radius, local_group, template, *, allow_auto, owner):
    """The layouts of ``n_dims`` variables a forecaster fits: global, local, or both.

    Parameters
    ----------
    n_dims : int
        Variables of the series.
    local_radius : "auto", int or None
        None: one global reservoir. An int: local reservoirs only. ``"auto"``:
        the global one and, where ``local_group`` allows and ``allow_auto``,
        local ones of radius AUTO_LOCAL_RADIUS.
    local_group : "auto" or int
        Variables per local reservoir; ``"auto"``: the smallest divisor of
        ``n_dims`` that fits the radius and leaves each copy at least
        MIN_LOCAL_NEURONS of the template's ``n_neurons`` (for an explicit
        ``local_radius``, if none does, the largest divisor that fits it).
    template : Reservoir
        The (unfitted) reservoir; its ``n_neurons`` is shared out among the
        copies, unless it has a ``network``, which then is one copy.
    allow_auto : bool
        Whether ``"auto"`` may add the local candidate (it needs validation
        forecasts to choose).
    owner : str
        Class name for messages.

    Returns
    -------
    list of Patches

    Raises
    ------
    ValueError
        If an explicit local layout does not fit ``n_dims`` variables.
    """
    if local_radius is None:
        return [Patches(n_dims)]
    radius = AUTO_LOCAL_RADIUS if is_auto(local_radius) else local_radius
    group = _group(n_dims, radius, local_group, template.n_neurons,
                   fallback=not is_auto(local_radius))
    if is_auto(local_radius):
        useful = group is not None and template.network is None and allow_auto
        return [Patches(n_dims)] + ([_local_patches(n_dims, group, radius, template)]
                                    if useful else [])
    if group is None or n_dims % group or group + 2 * radius > n_dims:
        raise ValueError(
            f"Local reservoirs of {owner} need 'local_group' to divide the number of "
            f"variables and local_group + 2 * local_radius to be at most it; X has {n_dims} "
            f"variables, local_group={local_group!r}, local_radius={radius}. Lower "
            "'local_radius' or choose another 'local_group'.")
    return [_local_patches(n_dims, group, radius, template)]


def _local_patches(n_dims, group, radius, template):
    """Local patches whose copies share the template reservoir's ``n_neurons`` (a given
    network is the copy itself)."""
    n_local = None if template.network is not None else max(
        1, template.n_neurons * group // n_dims)
    return Patches(n_dims, group, radius, n_local=n_local)


def _group(n_dims, radius, local_group, n_neurons, fallback):
    """``local_group``, or for ``"auto"`` the smallest divisor of ``n_dims`` that fits
    ``radius`` and gives each copy at least MIN_LOCAL_NEURONS of ``n_neurons``; if none
    does, with ``fallback`` the largest divisor that fits ``radius`` (the fewest,
    largest copies), else None."""
    if not is_auto(local_group):
        return local_group
    fitting = [group for group in range(1, n_dims + 1)
               if n_dims % group == 0 and group + 2 * radius <= n_dims]
    for group in fitting:
        if n_neurons * group >= MIN_LOCAL_NEURONS * n_dims:
            return group
    return fitting[-1] if fallback and fitting else None


def local_channels(n_dims, group, radius):
    """Variables that each local reservoir reads.

    Parameters
    ----------
    n_dims : int
        Variables of the series, taken as a ring in column order.
    group : int
        Variables each reservoir predicts; divides ``n_dims``.
    radius : int
        Neighbours on each side a reservoir reads besides its group;
        ``group + 2 * radius <= n_dims``.

    Returns
    -------
    ndarray of int, shape (n_dims // group, group + 2 * radius)
        Row ``b``: variables ``b * group - radius .. (b + 1) * group - 1 + radius``
        modulo ``n_dims``, in order.
    """
    offsets = np.arange(-radius, group + radius)
    return (group * np.arange(n_dims // group)[:, None] + offsets) % n_dims


class Patches:
    """How a forecaster's variables map onto its reservoir: one global block, or
    parallel local reservoirs with a shared readout.

    Parameters
    ----------
    n_dims : int
        Variables of the series.
    group, radius : int or None
        Local reservoirs (see :func:`local_channels`); None for both means one
        reservoir reading and predicting every variable.
    n_local : int or None
        Neurons of each local copy (the reservoir's ``n_neurons`` is set to
        it); None keeps the reservoir's own (a given ``network`` is the copy).

    Attributes
    ----------
    channel_map : ndarray of int, shape (n_blocks, n_block_inputs)
        Variables each block reads.
    n_blocks : int
    group : int
        Variables each block predicts (``n_dims // n_blocks``).
    """

    def __init__(self, n_dims, group=None, radius=None, n_local=None):
        self.local = radius is not None
        self.n_dims, self.n_local = n_dims, n_local
        self.group = group if self.local else n_dims
        self.n_blocks = n_dims // self.group
        self.channel_map = (local_channels(n_dims, group, radius) if self.local
                            else np.arange(n_dims)[None])

    def fit_reservoir(self, reservoir, z):
        """Fit ``reservoir`` (unfitted) on the standardised series ``z`` (n_steps, n_dims).

        Local: STDP on the patches of every block (one sequence each), then
        the learnt network tiled over the blocks, frozen.

        Returns
        -------
        Reservoir
            Fitted, reading all ``n_dims`` variables.
        """
        if not self.local:
            return reservoir.fit(z[None])
        if self.n_local is not None:
            reservoir = reservoir.set_params(n_neurons=self.n_local)
        local = reservoir.fit(np.stack([z[:, row] for row in self.channel_map]))
        tiled = tile_network(local.network_, self.channel_map)
        return clone(local).set_params(network=tiled, stdp=False).fit(z[None])

    def rows(self, features, names, reservoir):
        """Per-block feature rows.

        Parameters
        ----------
        features : ndarray of shape (n_steps, n_features)
            Step features of the whole (tiled) reservoir, in the layout of
            :func:`hrsnn.readout._common._step_features` for ``names``.
        names : tuple of str
            The step features.
        reservoir : Reservoir
            The fitted reservoir (for the per-neuron blocks of each feature).

        Returns
        -------
        ndarray of shape (n_steps, n_blocks, n_block_features)
            Each block's own neurons (and, for ``"input"``, its patch).
        """
        if not self.local:
            return features[:, None, :]
        n_steps, n_total = len(features), reservoir.network_.n_neurons
        n_local = n_total // self.n_blocks
        parts, column = [], 0
        for name in _feature_names(names):
            if name == "input":
                width = self.n_dims
                parts.append(features[:, column:column + width][:, self.channel_map])
            else:
                k = _neuron_blocks(name, reservoir)
                width = k * n_total
                block = features[:, column:column + width].reshape(
                    n_steps, k, self.n_blocks, n_local)
                parts.append(block.transpose(0, 2, 1, 3).reshape(n_steps, self.n_blocks, -1))
            column += width
        return np.concatenate(parts, axis=2)

    def targets(self, values):
        """Rows of ``values`` (n_steps, n_dims) as (n_steps * n_blocks, group): block
        ``b`` predicts variables ``b * group .. (b + 1) * group - 1``."""
        return values.reshape(-1, self.group)

    def merged(self, per_block, n_steps):
        """Inverse of :meth:`targets`: (n_steps * n_blocks, group) -> (n_steps, n_dims)."""
        return per_block.reshape(n_steps, -1)
