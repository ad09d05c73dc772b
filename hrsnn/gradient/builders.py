"""The networks of DPAP's setting on 8x8 digits, spiking and ReLU, and a recurrent one.

Every builder takes one ``random_state`` and gives each parametrised layer an
independent child of ``SeedSequence(random_state)``.
"""

import numpy as np

from .._validation import check_number
from ..heterogeneity import sample_gamma
from .layers import AvgPool2d, Conv2d, Dense, Flatten, ReLU, Reshape
from .model import Sequential
from .neurons import LIF
from .recurrent import RecurrentLIF


def _seeds(random_state, n):
    seed = random_state if isinstance(random_state, np.random.SeedSequence) \
        else np.random.SeedSequence(random_state)
    return seed.spawn(n)


def _lif(neuron):
    return LIF(**neuron)


def fc_snn(n_in=64, n_hidden=300, n_out=10, n_steps=16, encoding="poisson", random_state=0,
           **neuron):
    """The 2-FC spiking network ``n_in - n_hidden - n_out`` (DPAP's "2 FC" on MNIST).

    ``Dense -> LIF -> Dense -> LIF``; the readout is the output firing rate.

    Parameters
    ----------
    n_in, n_hidden, n_out : int, default=64, 300, 10
    n_steps : int, default=16
        Time steps per sample.
    encoding : {"current", "poisson"}, default="poisson"
        Poisson inputs regularise: with :func:`fit`'s defaults (30 epochs, Adam
        at 2e-3, batches of 32) this network reaches 98.7-98.9% on the 540 test
        digits of a stratified 70/30 split (seeds 0-2; mean 98.8%), direct
        current at ``n_steps=8`` 96.3-98.7% (mean 97.5%;
        ``benchmarks/bench_gradient.py --accuracy``).
    random_state : None, int or SeedSequence, default=0
        Seed of the initial weights.
    **neuron
        Arguments of every :class:`LIF` (``decay=0.2``, ``v_th=0.5``,
        ``surrogate_width=1.0``, ``detach_reset=True``, ``spike_fn``).

    Returns
    -------
    Sequential
    """
    s = _seeds(random_state, 2)
    return Sequential([Dense(n_in, n_hidden, random_state=s[0]), _lif(neuron),
                       Dense(n_hidden, n_out, random_state=s[1]), _lif(neuron)],
                      n_steps=n_steps, encoding=encoding)


def fc_relu(n_in=64, n_hidden=300, n_out=10, random_state=0):
    """The ReLU counterpart of :func:`fc_snn`: ``Dense -> ReLU -> Dense`` (logits), T = 1."""
    s = _seeds(random_state, 2)
    return Sequential([Dense(n_in, n_hidden, random_state=s[0]), ReLU(),
                       Dense(n_hidden, n_out, random_state=s[1])], n_steps=1)


def _conv_layers(input_shape, channels, n_hidden, n_out, activation, seeds, pool):
    check_number("conv_snn", "pool", pool, "bool")
    c, h, w = (int(v) for v in input_shape)
    c1, c2 = channels
    conv1, conv2 = Conv2d(c, c1, 3, padding=1, random_state=seeds[0]), \
        Conv2d(c1, c2, 3, padding=1, random_state=seeds[1])
    layers = [Reshape((c, h, w)), conv1, activation(), AvgPool2d(2), conv2, activation()]
    h, w = h // 2, w // 2
    if pool:
        layers.append(AvgPool2d(2))
        h, w = h // 2, w // 2
    return layers + [Flatten(), Dense(c2 * h * w, n_hidden, random_state=seeds[2]),
                     activation(), Dense(n_hidden, n_out, random_state=seeds[3])]


def conv_snn(input_shape=(1, 8, 8), channels=(15, 40), n_hidden=300, n_out=10, n_steps=16,
             pool=False, encoding="poisson", random_state=0, **neuron):
    """DPAP's convolutional SNN ``15C3-AvgPool2-40C3-[AvgPool2]-Flatten-300FC-10FC``.

    3x3 convolutions with padding 1 (size kept), LIF after every convolution
    and FC layer, average pooling of the spikes. On 8x8 digits the second
    pooling of the MNIST network is left out by default (``pool=False``):
    ``1x8x8 -> 15x8x8 -> 15x4x4 -> 40x4x4 -> 640 -> 300 -> 10``.

    Parameters
    ----------
    input_shape : tuple of int, default=(1, 8, 8)
        ``(channels, height, width)``; samples come flattened, ``(batch, C*H*W)``.
    channels : tuple of int, default=(15, 40)
    n_hidden, n_out : int, default=300, 10
    n_steps : int, default=16
    pool : bool, default=False
        Add the second ``AvgPool2`` (MNIST's 28x28 network).
    encoding, random_state, **neuron
        As in :func:`fc_snn`.

    Returns
    -------
    Sequential
    """
    layers = _conv_layers(input_shape, channels, n_hidden, n_out, lambda: _lif(neuron),
                          _seeds(random_state, 4), pool)
    return Sequential(layers + [_lif(neuron)], n_steps=n_steps, encoding=encoding)


def conv_relu(input_shape=(1, 8, 8), channels=(15, 40), n_hidden=300, n_out=10, pool=False,
              random_state=0):
    """The ReLU counterpart of :func:`conv_snn` (output: logits), T = 1."""
    layers = _conv_layers(input_shape, channels, n_hidden, n_out, ReLU,
                          _seeds(random_state, 4), pool)
    return Sequential(layers, n_steps=1)


def recurrent_snn(n_in=64, n_hidden=300, n_out=10, tau_m=20.0, tau_shape=None,
                  tau_bounds=(1.0, 200.0), n_steps=16, train_tau=False, v_th=0.5, dt=1.0,
                  encoding="poisson", random_state=0, **neuron):
    """A recurrent spiking network trained by backprop: HoNB, or HeNB with ``tau_shape``.

    ``RecurrentLIF(n_in -> n_hidden) -> Dense -> LIF`` (output firing rates).

    Parameters
    ----------
    n_in, n_hidden, n_out : int, default=64, 300, 10
    tau_m : float, default=20.0
        (Mean) membrane time constant of the recurrent neurons, ms.
    tau_shape : float, optional
        Gamma shape of the heterogeneous time constants (HeNB; as the
        reservoir's ``tau_m_exc_shape``), clipped to ``tau_bounds``; None:
        every neuron has ``tau_m`` (HoNB).
    tau_bounds : tuple of float, default=(1.0, 200.0)
        ms.
    n_steps : int, default=16
    train_tau : bool, default=False
        Learn the recurrent neurons' time constants too.
    v_th, dt
        Of the recurrent neurons (see :class:`RecurrentLIF`).
    encoding, random_state
        As in :func:`fc_snn`.
    **neuron
        Further arguments of :class:`RecurrentLIF` (and, where they apply,
        the output :class:`LIF`).

    Returns
    -------
    Sequential
    """
    s = _seeds(random_state, 3)
    if tau_shape is not None:
        check_number("recurrent_snn", "tau_shape", tau_shape, "float", 0.0, low_open=True)
        tau_m = sample_gamma(np.random.default_rng(s[2]), tau_shape, tau_m, n_hidden,
                             bounds=tau_bounds)
    out_neuron = {k: v for k, v in neuron.items()
                  if k in ("surrogate_width", "detach_reset", "spike_fn")}
    rec = RecurrentLIF(n_in, n_hidden, tau_m=tau_m, v_th=v_th, dt=dt, train_tau=train_tau,
                       random_state=s[0], **neuron)
    return Sequential([rec, Dense(n_hidden, n_out, random_state=s[1]), LIF(**out_neuron)],
                      n_steps=n_steps, encoding=encoding)
