"""hrsnn: heterogeneous recurrent spiking neural network reservoirs.

``from hrsnn import Reservoir`` gives a scikit-learn transformer of leaky
integrate-and-fire neurons with gamma-distributed membrane time constants and
thresholds, distance-dependent sparse connectivity on a 3-D grid, and
heterogeneous STDP, simulated by a Numba event loop.

The public names are imported on first use (PEP 562), so ``import hrsnn``
and its light submodules (``hrsnn.plotting``, ``hrsnn.model``) load neither
numba nor scikit-learn until something needs them.
"""

import importlib

__version__ = "0.1.0"

#: Public name -> the submodule that defines it.
_PUBLIC = {
    "CentralNeuronSelector": "readout",
    "Forecaster": "readout",
    "Network": "network",
    "Reservoir": "reservoir",
    "SequenceRegressor": "readout",
    "SimulationResult": "simulator",
    "Simulator": "simulator",
    "build_network": "builder",
    "central_neuron_classifier": "readout",
    "central_neurons": "readout",
    "forecasting_reservoir": "readout",
}
_SUBMODULES = ("activity", "metrics", "model")

__all__ = sorted([*_PUBLIC, *_SUBMODULES, "__version__"])


def __getattr__(name):
    if name in _PUBLIC:
        value = getattr(importlib.import_module(f".{_PUBLIC[name]}", __name__), name)
    elif name in _SUBMODULES:
        value = importlib.import_module(f".{name}", __name__)
    else:
        raise AttributeError(f"module 'hrsnn' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
