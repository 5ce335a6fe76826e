"""Planning a volunteer's walk: every door once, lane by lane, along the lanes.

A lane's doors are one block, walked from one end door to the other in order of
depth (how far along the lane path the door is): both sides on the way in. Which
way round each lane is walked, and the order of lanes, is left to `order.py`,
with walking distances measured on the lane tree (`lanetree.py`), never in a
straight line across back yards. Doors of a lane with no drawn path are one block
ordered along the direction they spread in; doors with no lane are blocks of one.
"""
from __future__ import annotations

import numpy as np

from .geometry import LocalPlane, principal_axis_order
from .ground import Ground
from .lanetree import LaneTree
from .order import best_block_order


def plan_walk(stops: list[dict], lanes: dict, start, links=None) -> list[str]:
    """Stop ids in visiting order.

    stops: [{"id": str, "lat": float, "lon": float, "lane": str | None}]
    lanes: {lane id: [(lat, lon), ...]} each lane's path from its mouth to its far end.
        Pass the paths of parent lanes too when you have them, even with no stops in
        this walk: a ngách is reached through its ngõ.
    start: (lat, lon) where the volunteer sets off.
    links: [((lat, lon), (lat, lon) | None)] through-lanes (see `ground.py`): a way from
        a lane's far end to where it comes out, on another lane or (None) on the street.
    Every stop appears once; each lane's stops come one after another; the walk is
    open (it ends at the last door).
    """
    if not stops:
        return []
    ground = _place(stops, lanes, start, links)
    _last[0] = (_key(stops, lanes, start, links), ground, {s["id"]: i for i, s in enumerate(stops)})
    blocks = _blocks(stops, ground)
    ends = [i for block in blocks for i in (block[0], block[-1])] + [len(stops)]
    along = _along_street(ground, [block[0] for block in blocks] + [len(stops)])
    entries = best_block_order(ground.matrix(ends), len(blocks), along)
    walk = []
    for y in entries:
        block = blocks[y // 2]
        walk.extend(block if y % 2 == 0 else block[::-1])
    return [stops[i]["id"] for i in walk]


def walk_length_m(order: list[str], stops: list[dict], lanes: dict, start, links=None) -> float:
    """Metres walked from `start` through the stops in `order`, along the lanes."""
    if not order:
        return 0.0
    key, last = _key(stops, lanes, start, links), _last[0]
    if last is not None and last[0] == key:  # the walk just planned: its stops are placed
        ground, index = last[1], last[2]
    else:
        ground, index = _place(stops, lanes, start, links), {s["id"]: i for i, s in enumerate(stops)}
    seq = [len(stops)] + [index[sid] for sid in order]
    return float(ground.distances(np.array(seq[:-1]), np.array(seq[1:])).sum())


def _along_street(ground: Ground, points) -> np.ndarray:
    """Where each point's way out meets the street, as a position along the street's main direction."""
    xy = ground.tree.plane.to_xy(ground.places.root_ll[points])
    if len(xy) < 2:
        return np.zeros(len(xy))
    centred = xy - xy.mean(axis=0)
    return centred @ np.linalg.svd(centred, full_matrices=False)[2][0]


# The walk planned last: (what it was planned from, its ground, stop id -> index there).
# A walk is usually measured right after it is planned; placing it again costs as much.
_last: list = [None]


def _key(stops, lanes, start, links) -> tuple:
    return (frozenset((s["id"], s["lat"], s["lon"], s.get("lane") or None) for s in stops),
            tuple((k, tuple(map(tuple, p))) for k, p in (lanes or {}).items()),
            tuple(start), tuple(tuple(map(lambda e: e and tuple(e), link)) for link in links or ()))


def _place(stops, lanes, start, links) -> Ground:
    """Every stop then the start (index len(stops)) placed on the ground."""
    points = [(s["lat"], s["lon"]) for s in stops] + [tuple(start)]
    tree = LaneTree(lanes or {}, LocalPlane(*np.mean(points, axis=0)))
    return Ground(tree, points, [s.get("lane") or None for s in stops] + [None], links)


def _blocks(stops, ground: Ground) -> list[list[int]]:
    """Stop indices grouped by lane, each group in walking order from one end to the other."""
    by_lane: dict[str, list[int]] = {}
    blocks = []
    for i, s in enumerate(stops):
        lane = s.get("lane") or None
        if lane is None:
            blocks.append([i])  # no lane ties this door to any other
        else:
            by_lane.setdefault(lane, []).append(i)
    tree, places = ground.tree, ground.places
    for lane, members in by_lane.items():
        if lane in tree.index:
            blocks.append(sorted(members, key=lambda i: (places.up[i], places.off[i], i)))
        else:
            xy = tree.plane.to_xy([(stops[i]["lat"], stops[i]["lon"]) for i in members])
            blocks.append([members[k] for k in principal_axis_order(xy)])
    return blocks
