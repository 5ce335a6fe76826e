"""Walking distances on the ground: along the lane tree, the street, and the through-lanes.

A through-lane (ngõ thông) is a walkable way joining two points beyond the lane tree,
usually a lane's far end and another lane (or a street) it comes out on. Each end is
placed on the nearest given lane within `lanetree.NEAR_LANE_M`; a link with an end on no
given lane is left out (pass the paths of the lanes it joins), unless that end is None:
the way comes out on the street. A shortest way on foot is a chain of tree-and-street
legs joined at link ends, so shortest paths over the link ends alone (Floyd–Warshall on
a few points) give every distance exactly.
"""
from __future__ import annotations

import numpy as np

from .geometry import haversine_pairs_m
from .lanetree import LaneTree

ON_STREET = "\0street"   # a lane id no lane has: the point is placed on the street


def link_points(links) -> tuple[list, list]:
    """The ends of the links as points, and the lane each must be placed on (None: the nearest).

    A link is ((lat, lon), (lat, lon)); a second end of None means the way comes out on
    the street right at the first end (a lane whose far end opens onto a street).
    """
    points, lane_ids = [], []
    for a, b in links or ():
        points += [tuple(a), tuple(a if b is None else b)]
        lane_ids += [None, ON_STREET if b is None else None]
    return points, lane_ids


class Ground:
    """Points on the lane tree, and walking metres between them (through-lanes included)."""

    def __init__(self, tree: LaneTree, points, lane_ids, links=None):
        ends, end_lanes = link_points(links)
        pts = [tuple(p) for p in points]
        self.tree = tree
        self.places = self.tree.place(pts + ends, list(lane_ids) + end_lanes)
        self.ends = np.arange(len(pts), len(pts) + len(ends))   # link k: ends 2k and 2k + 1
        ends_ll = np.array(ends, dtype=float).reshape(-1, 2)
        self.link_m = haversine_pairs_m(ends_ll[0::2], ends_ll[1::2])
        # An end on none of the given lanes (and not said to be on the street) is somewhere
        # the planner cannot tell the way from: that link is left out.
        lost = (self.places.root[self.ends] < 0) & np.array([e != ON_STREET for e in end_lanes], dtype=bool)
        self.link_m[lost.reshape(-1, 2).any(axis=1)] = np.inf
        self.through = self._through()

    def _through(self) -> np.ndarray:
        """Shortest metres between every two link ends, using the links."""
        if not len(self.ends):
            return np.zeros((0, 0))
        c = self.tree.matrix(self.places, self.ends)
        k = np.arange(0, len(self.ends), 2)
        c[k, k + 1] = c[k + 1, k] = np.minimum(c[k, k + 1], self.link_m)
        for m in range(len(self.ends)):
            c = np.minimum(c, c[:, m, None] + c[None, m, :])
        return c

    def _to_ends(self, idx) -> np.ndarray:
        """(len(idx), link ends) tree-and-street metres from each point to each link end."""
        a, e = np.meshgrid(np.asarray(idx), self.ends, indexing="ij")
        return self.tree.distances(self.places, a.ravel(), e.ravel()).reshape(a.shape)

    def distances(self, a, b) -> np.ndarray:
        """Walking metres from point a[k] to point b[k] for every k."""
        base = self.tree.distances(self.places, a, b)
        if not len(self.ends):
            return base
        via = (self._to_ends(a)[:, :, None] + self.through[None]).min(axis=1)
        return np.minimum(base, (via + self._to_ends(b)).min(axis=1))

    def matrix(self, idx) -> np.ndarray:
        """Square matrix of walking metres between the given points."""
        base = self.tree.matrix(self.places, idx)
        if not len(self.ends):
            return base
        cross = self._to_ends(idx)
        via = (cross[:, :, None] + self.through[None]).min(axis=1)
        return np.minimum(base, (via[:, :, None] + cross.T[None]).min(axis=1))
