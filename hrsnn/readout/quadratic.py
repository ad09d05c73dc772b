"""Quadratic readout features: the state, its principal components and their products.

A ridge readout that is linear in the reservoir's state must get every
product of variables it needs (Lorenz63's ``x y`` and ``x z``) from the
reservoir's own nonlinearity. A spiking reservoir driven by a current is close
to a linear filter of its input below threshold, so its one-step predictions
can be accurate while its closed-loop forecasts drift onto a wrong orbit.
Echo-state practice adds squared states to the readout (Pathak et al., Chaos
27, 121102, 2017); on a thousand spiking neurons all pairwise products would
be half a million columns, so :class:`QuadraticFeatures` takes the products of
the leading principal components of the standardised state only.
"""

import numpy as np

#: Principal components whose pairwise products a quadratic readout sees.
N_COMPONENTS = 20


class QuadraticFeatures:
    """``[s, p, p_i p_j (i <= j)]``: standardised features, their leading principal
    components, and every product of two components.

    ``s = (clip(f) - mean_) / scale_`` standardises each feature with its
    training statistics (a constant feature gets scale 1) after clipping it to
    its training range ``[data_min_, data_max_]``, as
    the readouts' ``BoundedScaler`` does: a neuron that hardly varied in
    training (a tiny scale) and varies on new data would otherwise enter the
    products thousands of standard deviations out; ``p = s @ components_.T /
    component_scale_`` are the leading principal components of ``s`` (right
    singular vectors of the training rows), each scaled to unit variance on
    the training rows, so that the products are of order 1 and one ridge
    penalty suits every block.

    Parameters
    ----------
    n_components : int, default=N_COMPONENTS
        Principal components kept (at most the number of features and of
        training rows minus one).

    Attributes
    ----------
    mean_, scale_ : ndarray of shape (n_features,)
        Standardisation of the training features.
    data_min_, data_max_ : ndarray of shape (n_features,)
        Range of the training features.
    components_ : ndarray of shape (n_components_, n_features)
        Leading principal axes of the standardised training features.
    component_scale_ : ndarray of shape (n_components_,)
        Standard deviation of each component on the training rows (1 where 0).
    n_components_ : int
        Components actually kept.
    """

    def __init__(self, n_components=N_COMPONENTS):
        self.n_components = n_components

    def fit(self, features):
        """Learn the standardisation and the principal axes.

        Parameters
        ----------
        features : ndarray of shape (n_rows, n_features)
            Per-step reservoir features of the training rows.

        Returns
        -------
        self : QuadraticFeatures
        """
        scale = features.std(axis=0)
        self.data_min_, self.data_max_ = features.min(axis=0), features.max(axis=0)
        self.mean_ = features.mean(axis=0)
        self.scale_ = np.where(scale > 0, scale, 1.0)
        standard = (features - self.mean_) / self.scale_
        n_kept = max(1, min(self.n_components, features.shape[1], len(features) - 1))
        self.components_ = _leading_axes(standard, n_kept)
        spread = (standard @ self.components_.T).std(axis=0)
        self.component_scale_ = np.where(spread > 0, spread, 1.0)
        self.n_components_ = n_kept
        self._pairs = np.triu_indices(n_kept)
        return self

    @property
    def n_output_features(self):
        """Columns of :meth:`transform`'s result (int)."""
        k = self.n_components_
        return len(self.mean_) + k + k * (k + 1) // 2

    def transform(self, features):
        """The quadratic design of ``features``.

        Parameters
        ----------
        features : ndarray of shape (n_rows, n_features)

        Returns
        -------
        ndarray of shape (n_rows, n_features + k + k (k + 1) / 2)
            Standardised features, then the ``k = n_components_`` scaled
            components, then their products ``p_i p_j`` for ``i <= j`` (in
            ``numpy.triu_indices`` order).
        """
        clipped = np.clip(features, self.data_min_, self.data_max_)
        standard = (clipped - self.mean_) / self.scale_
        components = standard @ self.components_.T / self.component_scale_
        first, second = self._pairs
        return np.hstack([standard, components,
                          components[:, first] * components[:, second]])

    def multiply_adds(self):
        """Multiply-adds of :meth:`transform` for one row (int): standardising, projecting
        on the components and forming their products (the clipping's comparisons
        are not counted)."""
        n_features, k = self.components_.shape[1], self.n_components_
        return n_features + n_features * k + k + k * (k + 1) // 2


def design_inputs(rows, design):
    """Block rows (n_steps, n_blocks, n_block_features) as readout inputs: one row per
    step and block, through the quadratic ``design`` unless it is None."""
    flat = rows.reshape(-1, rows.shape[-1])
    return flat if design is None else design.transform(flat)


def _leading_axes(standard, k):
    """The ``k`` leading right singular vectors of ``standard`` (n_rows, n_features), as
    rows, largest first.

    From the eigenvectors of the smaller Gram matrix (``X^T X`` or ``X X^T``),
    only the ``k`` wanted: four times faster than a full SVD at 2,000 x 2,000,
    and the same axes up to sign.
    """
    from scipy.linalg import eigh
    n_rows, n_features = standard.shape
    if n_features <= n_rows:
        _, vectors = eigh(standard.T @ standard, subset_by_index=[n_features - k,
                                                                  n_features - 1])
        return vectors[:, ::-1].T.copy()
    values, vectors = eigh(standard @ standard.T, subset_by_index=[n_rows - k, n_rows - 1])
    axes = (standard.T @ vectors[:, ::-1]).T
    norms = np.linalg.norm(axes, axis=1, keepdims=True)
    return axes / np.where(norms > 0, norms, 1.0)
