"""Where neurons sit and who connects to whom.

Neurons occupy distinct points of an integer 3-D grid with unit spacing. A
recurrent synapse ``pre -> post`` exists with probability

    P = C[type(pre), type(post)] * exp(-(D / lambda)^2),

``D`` the Euclidean distance (Maass et al. 2002), no self-connections. Pairs
farther apart than ``cutoff * lambda`` are never connected; with the default
``cutoff = 3.5`` the neglected probability is below ``5e-6 * C`` per pair, so
the construction needs no ``N x N`` array and scales linearly in ``N``.

Type index 0 is excitatory, 1 inhibitory; matrices indexed ``[pre, post]``.
"""

import math

import numpy as np

def grid_shape_for(n_neurons):
    """Smallest near-cubic grid ``(nx, ny, nz)`` with at least ``n_neurons`` points.

    Parameters
    ----------
    n_neurons : int
        Number of neurons to place (``>= 1``).

    Returns
    -------
    tuple of int
        ``nx >= ny >= nz`` with ``nx * ny * nz >= n_neurons``.
    """
    nz = max(1, int(np.floor(np.cbrt(n_neurons))))
    ny = max(nz, int(np.ceil(np.sqrt(n_neurons / nz))))
    nx = int(np.ceil(n_neurons / (ny * nz)))
    return (nx, ny, nz)


def grid_positions(n_neurons, grid_shape, rng):
    """Place neurons on distinct, randomly chosen grid points.

    Parameters
    ----------
    n_neurons : int
        Number of neurons.
    grid_shape : tuple of int
        ``(nx, ny, nz)`` with at least ``n_neurons`` points.
    rng : numpy.random.Generator
        Source of the random placement.

    Returns
    -------
    ndarray of shape (n_neurons, 3), float64
        Integer grid coordinates, unit spacing.
    """
    n_points = int(np.prod(grid_shape))
    if n_points < n_neurons:
        raise ValueError(
            f"The 'grid_shape' parameter {tuple(grid_shape)} has {n_points} points, "
            f"fewer than n_neurons={n_neurons}; enlarge it or pass grid_shape=None."
        )
    chosen = rng.permutation(n_points)[:n_neurons]
    return np.stack(np.unravel_index(chosen, grid_shape), axis=1).astype(np.float64)


def _neighbour_offsets(max_distance, shape):
    """Integer offsets with ``0 < |o| <= max_distance`` that fit in a grid of ``shape``,
    and their squared lengths.

    An offset along an axis never exceeds the grid's extent there, so the
    work is bounded by the grid (about 8 offsets per grid point) however
    large ``max_distance`` is.
    """
    # beyond the grid's diagonal every offset is kept; capping there keeps huge
    # distances (conn_lambda=1e300) finite without changing which offsets are kept
    diagonal = math.sqrt(sum((size - 1) ** 2 for size in shape))
    max_distance = min(max_distance, diagonal + 1.0)
    reach = [min(int(np.floor(max_distance)), size - 1) for size in shape]
    axes = [np.arange(-r, r + 1) for r in reach]
    offsets = np.stack(np.meshgrid(*axes, indexing="ij"), -1).reshape(-1, 3)
    d2 = (offsets ** 2).sum(axis=1)
    keep = (d2 > 0) & (d2 <= max_distance ** 2 + 1e-9)
    return offsets[keep], d2[keep].astype(np.float64)


def _grid_coordinates(positions):
    """Integer coordinates shifted to start at 0, and the shape of their bounding box.

    Parameters
    ----------
    positions : ndarray of shape (n_neurons, 3)
        Integer grid coordinates (as floats).

    Returns
    -------
    coords : ndarray of int64, shape (n_neurons, 3)
    shape : tuple of int
    """
    coords = np.rint(positions).astype(np.int64)
    if not np.allclose(coords, positions):
        raise ValueError("Distance-based connectivity needs integer grid positions.")
    coords -= coords.min(axis=0)
    return coords, tuple(int(s) for s in coords.max(axis=0) + 1)


class _PaddedGrid:
    """The neurons' grid with a margin of empty points, for neighbour look-ups by offset.

    Each axis is padded by the largest offset along it, so that the point
    ``coords[i] + offset`` of every neuron ``i`` and every offset lies in the
    padded grid (its flat index ``flat[i] + shift(offset)``) and outside points
    read as empty: no bounds checks per neuron and offset.

    Parameters
    ----------
    coords : ndarray of int, shape (n_neurons, 3)
        Distinct coordinates in ``[0, shape)``.
    shape : tuple of int
        The grid ``(nx, ny, nz)``.
    offsets : ndarray of int, shape (n_offsets, 3)
        The offsets that will be looked up.

    Attributes
    ----------
    neuron : ndarray of int32, shape (n_padded_points,)
        Index of the neuron at each point, -1 where empty.
    occupied : ndarray of bool, shape (n_padded_points,)
        ``neuron >= 0`` (a byte per point: the cheaper table to scan).
    shifts : ndarray of intp, shape (n_offsets,)
        ``start + flat shift`` of every offset (all >= 0).
    base : ndarray of intp, shape (n_neurons,)
        ``flat - start``: the point of neuron ``i`` at offset ``k`` is
        ``base[i] + shifts[k]``.
    """

    def __init__(self, coords, shape, offsets):
        reach = np.abs(offsets).max(axis=0) if len(offsets) else np.zeros(3, np.int64)
        padded = tuple(int(size + 2 * r) for size, r in zip(shape, reach))
        strides = np.array([padded[1] * padded[2], padded[2], 1], dtype=np.intp)
        flat = (coords + reach).astype(np.intp) @ strides
        flat_shift = offsets.astype(np.intp) @ strides
        start = -int(flat_shift.min()) if len(offsets) else 0
        self.neuron = np.full(math.prod(padded), -1, dtype=np.int32)
        self.neuron[flat] = np.arange(len(coords), dtype=np.int32)
        self.occupied = self.neuron >= 0
        if np.count_nonzero(self.occupied) != len(coords):
            raise ValueError("Two neurons share a grid position.")
        self.shifts = flat_shift + start
        self.base = flat - start

    def neighbours(self, k, sources=None):
        """Whether each neuron has a neighbour at offset ``k``, or who it is.

        Parameters
        ----------
        k : int
            Index of the offset.
        sources : ndarray of intp, shape (n_sources,), optional
            Neurons to look up the neighbour of (then the neighbour's index is
            returned, -1 where none).

        Returns
        -------
        ndarray of bool, shape (n_neurons,), or of int32, shape (n_sources,)
        """
        shift = self.shifts[k]
        if sources is None:
            return self.occupied[shift:][self.base]
        return self.neuron[shift:][self.base[sources]]


def distance_connectivity(positions, is_exc, conn_prob, lam, rng, cutoff=3.5):
    """Draw recurrent synapses with ``P = C[type_pre, type_post] exp(-(D/lam)^2)``.

    Every candidate pair (a neuron and an occupied grid point at one of the
    offsets within ``cutoff * lam``) takes one uniform draw, offset by offset
    and, within an offset, in the order of the presynaptic neuron; the pair is
    connected if the draw is below ``P``.

    Parameters
    ----------
    positions : ndarray of shape (n_neurons, 3)
        Integer grid coordinates.
    is_exc : ndarray of bool, shape (n_neurons,)
        Excitatory neurons.
    conn_prob : array_like of shape (2, 2)
        ``C[pre_type, post_type]``, type 0 = E, 1 = I.
    lam : float
        Length scale ``lambda`` in grid units.
    rng : numpy.random.Generator
        Source of the connection draws.
    cutoff : float, default=3.5
        Pairs farther than ``cutoff * lam`` are not considered.

    Returns
    -------
    pre, post : ndarray of int32, shape (n_syn,)
        Synapses sorted by ``(pre, post)``.
    """
    coords, shape = _grid_coordinates(np.asarray(positions, dtype=np.float64))
    conn_prob = np.asarray(conn_prob, dtype=np.float64)
    types = (~np.asarray(is_exc, dtype=bool)).astype(np.intp)
    offsets, d2 = _neighbour_offsets(cutoff * lam, shape)
    gauss = np.exp(-d2 / (lam ** 2 if lam < 1e150 else math.inf))  # no OverflowError
    grid = _PaddedGrid(coords, shape, offsets)
    pres, posts = [], []
    for k in range(len(offsets)):
        pre, post = _synapses_at_offset(grid, k, conn_prob * gauss[k], types, rng)
        pres.append(pre)
        posts.append(post)
    return _sorted_pairs(pres, posts, len(coords))


def _synapses_at_offset(grid, k, prob_by_type, types, rng):
    """Draw the synapses from every neuron to its neighbour at offset ``k``.

    Parameters
    ----------
    grid : _PaddedGrid
    k : int
        Index of the offset.
    prob_by_type : ndarray of shape (2, 2)
        Connection probability at this offset by ``[pre_type, post_type]``.
    types : ndarray of intp, shape (n_neurons,)
        0 for excitatory, 1 for inhibitory neurons.
    rng : numpy.random.Generator
        Takes one uniform draw per neuron that has a neighbour at the offset.

    Returns
    -------
    pre : ndarray of int32, shape (n_hits,)
        Ascending.
    post : ndarray of int32, shape (n_hits,)
    """
    sources = np.flatnonzero(grid.neighbours(k))
    draws = rng.random(sources.size)
    # only draws below the largest probability can connect: look up just those
    below = np.flatnonzero(draws < prob_by_type.max())
    sources = sources[below]
    targets = grid.neighbours(k, sources)
    hit = draws[below] < prob_by_type[types[sources], types[targets]]
    return sources[hit].astype(np.int32), targets[hit]


def _sorted_pairs(pres, posts, n_neurons):
    """Concatenated ``(pre, post)`` pairs sorted by ``(pre, post)``.

    Parameters
    ----------
    pres, posts : list of ndarray of int32
        Distinct pairs, in pieces (fastest when each piece is sorted).
    n_neurons : int

    Returns
    -------
    pre, post : ndarray of int32, shape (n_pairs,)
    """
    if not pres:
        return np.zeros(0, np.int32), np.zeros(0, np.int32)
    keys = np.concatenate(pres).astype(np.int64)
    keys *= n_neurons
    keys += np.concatenate(posts)
    keys.sort(kind="stable")              # merges the pieces, each of them increasing
    pre = keys // n_neurons               # a division by a scalar is fast, divmod is not
    keys -= pre * n_neurons
    return pre.astype(np.int32), keys.astype(np.int32)


def synaptic_weights(pre, post, is_exc, mean_by_type, shape, w_scale, rng):
    """Gamma-distributed weight magnitudes with Dale's law signs.

    Parameters
    ----------
    pre, post : ndarray of int, shape (n_syn,)
        Synapses.
    is_exc : ndarray of bool, shape (n_neurons,)
        Excitatory neurons; synapses from inhibitory neurons get negative weights.
    mean_by_type : array_like of shape (2, 2)
        Mean magnitude ``[pre_type, post_type]`` before ``w_scale``.
    shape : float
        Gamma shape of the magnitudes (1 = coefficient of variation 1).
    w_scale : float
        Global factor on every recurrent weight.
    rng : numpy.random.Generator
        Source of the magnitudes.

    Returns
    -------
    ndarray of shape (n_syn,), float64
        Signed weights (added to the target's potential per spike).
    """
    is_exc = np.asarray(is_exc, dtype=bool)
    # the gamma scale of each type pair, computed as (mean * w_scale) / shape per synapse
    scale_by_type = (np.asarray(mean_by_type, dtype=np.float64) * w_scale) / shape
    from_inh = ~is_exc[pre]
    type_pair = from_inh.astype(np.intp) * 2
    type_pair += ~is_exc[post]
    weight = rng.gamma(shape, 1.0, len(pre))
    weight *= scale_by_type.ravel()[type_pair]
    return np.negative(weight, out=weight, where=from_inh)


IN_WEIGHT_DISTRIBUTIONS = ("constant", "uniform")


def input_connectivity(n_inputs, n_neurons, p_in, w_in, rng, distribution="constant"):
    """Connect every (channel, neuron) pair independently with probability ``p_in``.

    Parameters
    ----------
    n_inputs : int
        Input channels.
    n_neurons : int
        Recurrent neurons.
    p_in : float
        Connection probability in ``[0, 1]``.
    w_in : float
        Weight of every input synapse (``"constant"``) or the half-width of
        their range (``"uniform"``).
    rng : numpy.random.Generator
        Source of the connection draws (one row of ``n_neurons`` per channel),
        then of the uniform weights.
    distribution : {"constant", "uniform"}, default="constant"
        Every weight ``w_in`` (the paper; excitatory input spikes), or weights
        drawn from ``U(-w_in, w_in)`` (echo-state style: signed, so analog
        inputs of either sign excite some neurons and inhibit others).

    Returns
    -------
    channel, post : ndarray of int32, shape (n_in_syn,)
        Input synapses sorted by ``(channel, post)``.
    weight : ndarray of shape (n_in_syn,), float64
    """
    channels, posts = [], []
    for c in range(n_inputs):
        targets = np.flatnonzero(rng.random(n_neurons) < p_in)
        channels.append(np.full(len(targets), c, dtype=np.int32))
        posts.append(targets.astype(np.int32))
    channel = np.concatenate(channels) if channels else np.zeros(0, np.int32)
    post = np.concatenate(posts) if posts else np.zeros(0, np.int32)
    if distribution == "uniform":
        half_width = abs(w_in)                    # -0.0 would make the range "negative"
        weight = rng.uniform(-half_width, half_width, len(post))
    elif distribution == "constant":
        weight = np.full(len(post), float(w_in))
    else:
        raise ValueError(f"'distribution' must be one of {IN_WEIGHT_DISTRIBUTIONS}; "
                         f"got {distribution!r}.")
    return channel, post, weight
