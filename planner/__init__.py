"""Walk ordering and lane balancing: pure Python (and NumPy), no Flask, no database.

    plan_walk(stops, lanes, start, links=None) -> [stop id, ...]   a volunteer's walk, lane by lane
    walk_length_m(order, stops, lanes, start, links=None) -> metres  how far that walk is on foot
    balance_lanes(lanes, volunteers, fixed=None, links=None) -> {volunteer: [lane id, ...]}

Distances are on foot: along each lane's path, from a ngách into its ngõ, along the street
between lane mouths, and through the through-lanes (`links`: a lane's far end joined to
another lane, or to the street) — never straight across back yards. `balance_lanes` lines
the lanes up street by street and cuts that line into balanced stretches, so each
volunteer's lanes lie together on the ground (`layout.py`, `balance.py`); `plan_walk`
orders one volunteer's lanes (`walk.py`, `order.py`) on the lane tree (`lanetree.py`,
`ground.py`). Each function's docstring gives the shapes of its arguments.
"""
from .balance import balance_lanes
from .walk import plan_walk, walk_length_m

__all__ = ["balance_lanes", "plan_walk", "walk_length_m"]
