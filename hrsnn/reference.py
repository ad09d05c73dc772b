"""Reference networks as :class:`~hrsnn.Network` objects.

``data_loaders`` holds the data as plain arrays and never imports ``hrsnn``;
this module turns them into networks.
"""

from data_loaders.hrsnn2000 import BRIAN2_VALIDATION, DEFAULT_PATH, DT_MS

from .network import Network


def load_hrsnn2000(path=DEFAULT_PATH):
    """The HRSNN-2000 benchmark network of ``shared/bench`` and its input spikes.

    Parameters
    ----------
    path : str or Path, optional
        An ``.npz`` written by ``brian2_reference.py --dump-npz``; default the
        bundled ``data_loaders/data/hrsnn2000_seed1234.npz``. Simulated with
        ``dt = DT_MS`` (0.1 ms) it gives :data:`BRIAN2_VALIDATION`.

    Returns
    -------
    network : Network
        2000 LIF neurons, times in ms, strict threshold, additive STDP on
        E->E in ``[0, 0.2]``; simulate with ``dt = 0.1`` ms.
    in_steps : ndarray of int64, shape (n_input_spikes,)
        Step of every input spike.
    in_channels : ndarray of int32, shape (n_input_spikes,)
        Input channel of every spike.
    """
    from data_loaders.hrsnn2000 import load_hrsnn2000 as load_arrays

    arrays, in_steps, in_channels = load_arrays(path)
    return Network.from_arrays(**arrays), in_steps, in_channels


__all__ = ["BRIAN2_VALIDATION", "DT_MS", "load_hrsnn2000"]
