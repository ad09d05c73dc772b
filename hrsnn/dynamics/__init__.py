"""Dynamics of networks and systems: rate models and Lyapunov exponents (for LNP pruning)."""

from .lyapunov import LyapunovSpectrum, lyapunov_spectrum, rk4_tangent_maps
from .rate import RateNetwork, RateTrajectory

__all__ = ["LyapunovSpectrum", "RateNetwork", "RateTrajectory", "lyapunov_spectrum",
           "rk4_tangent_maps"]
