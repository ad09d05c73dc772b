"""hrsnn: heterogeneous recurrent spiking neural network reservoirs.

``from hrsnn import Reservoir`` gives a scikit-learn transformer of leaky
integrate-and-fire neurons with gamma-distributed membrane time constants and
thresholds, distance-dependent sparse connectivity on a 3-D grid, and
heterogeneous STDP, simulated by a Numba event loop.
"""

from .builder import build_network
from .network import Network
from .reservoir import Reservoir
from .simulator import SimulationResult, Simulator

__version__ = "0.1.0"

__all__ = ["Network", "Reservoir", "SimulationResult", "Simulator", "build_network",
           "__version__"]
