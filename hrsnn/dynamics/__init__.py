"""Dynamics of networks and systems: rate models and Lyapunov exponents (for LNP pruning)."""

from .lyapunov import LyapunovSpectrum, lyapunov_spectrum, rk4_tangent_maps
from .rate import RateNetwork, RateTrajectory
from .spiking import TwinExponent, spiking_largest_exponent

__all__ = ["LyapunovSpectrum", "RateNetwork", "RateTrajectory", "TwinExponent",
           "lyapunov_spectrum", "rk4_tangent_maps", "spiking_largest_exponent"]
