"""Walk ordering and lane balancing: pure Python (and NumPy), no Flask, no database.

    plan_walk(stops, lanes, start) -> [stop id, ...]          a volunteer's walk, lane by lane
    walk_length_m(order, stops, lanes, start) -> metres        how far that walk is on foot
    balance_lanes(lanes, volunteers, fixed=None) -> {volunteer: [lane id, ...]}
"""
from .balance import balance_lanes
from .walk import plan_walk, walk_length_m

__all__ = ["balance_lanes", "plan_walk", "walk_length_m"]
