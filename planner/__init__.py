"""Walk ordering and lane balancing: pure Python (and NumPy), no Flask, no database."""
from .walk import plan_walk, walk_length_m

__all__ = ["plan_walk", "walk_length_m"]
