"""Dynamics of networks and systems: Lyapunov exponents (the groundwork of LNP pruning)."""

from .lyapunov import lyapunov_spectrum, rk4_tangent_maps

__all__ = ["lyapunov_spectrum", "rk4_tangent_maps"]
