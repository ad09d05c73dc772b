"""hrsnn: heterogeneous recurrent spiking neural network reservoirs.

``from hrsnn import Reservoir`` gives a scikit-learn transformer of leaky
integrate-and-fire neurons with gamma-distributed membrane time constants and
thresholds, distance-dependent sparse connectivity on a 3-D grid, and
heterogeneous STDP, simulated by a Numba event loop.
"""

from .builder import build_network
from . import metrics
from .network import Network
from .readout import Forecaster, forecasting_reservoir
from .reservoir import Reservoir
from .simulator import SimulationResult, Simulator

__version__ = "0.1.0"

__all__ = ["Forecaster", "Network", "Reservoir", "SimulationResult", "Simulator",
           "build_network", "forecasting_reservoir", "metrics", "__version__"]
