"""The lanes of a neighbourhood as a tree, and walking distances along it.

A ngách branches off a ngõ: its mouth lies on the ngõ's path. A ngõ's mouth lies on
the street, which the planner is not given; between the mouths of top-level lanes
the walker follows the street, taken here as the straight line between mouths
(a street bends little between neighbouring lanes). Any other way of getting from
one lane to another — through back yards — does not exist on foot.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .geometry import LocalPlane, haversine_pairs_m, project_onto_path

MOUTH_ON_PATH_M = 5.0   # a mouth this close to another lane's path branches off that lane
NEAR_LANE_M = 10.0      # a door without a lane this close to a lane's path opens onto it


@dataclass
class Places:
    """Points (doors, the start) placed on the lane tree; index k is the k-th point."""
    up: np.ndarray       # metres from the point's foot on its lane back to its top lane's mouth
    off: np.ndarray      # metres from the door to its foot on the lane
    root: np.ndarray     # top lane of the point; a unique negative number for a point on no lane
    root_ll: np.ndarray  # (n, 2) lat/lon of the top lane's mouth (the point itself when on no lane)
    pos: np.ndarray      # (lanes, n) depth where the point's way out crosses each lane; -inf elsewhere


class LaneTree:
    """Lane paths, which lane each ngách branches off, and how far each mouth is from the street."""

    def __init__(self, lanes: dict, plane: LocalPlane, parents: dict | None = None):
        """lanes: {lane id: path}; parents: {lane id: the lane it branches off, or None}
        where known (faster), else found from where each mouth lies."""
        self.plane = plane
        self.ids = [lid for lid, path in (lanes or {}).items() if path is not None and len(path) > 0]
        self.index = {lid: i for i, lid in enumerate(self.ids)}
        self.paths = [plane.to_xy(lanes[lid]) for lid in self.ids]
        self.mouth_ll = np.array([lanes[lid][0] for lid in self.ids], dtype=float).reshape(-1, 2)
        self.parent, self.junction, self.gap = self._find_parents(parents or {})
        self.cum, self.root = self._climb()

    def _find_parents(self, known: dict):
        """For each lane, the lane whose path its mouth lies on (-1 = the street)."""
        n = len(self.ids)
        parent, junction, gap = np.full(n, -1), np.zeros(n), np.full(n, np.inf)
        mouths = np.array([p[0] for p in self.paths]).reshape(-1, 2)
        told = np.array([lid in known for lid in self.ids], dtype=bool)
        for i in np.flatnonzero(told):
            j = self.index.get(known[self.ids[i]], -1)
            if j >= 0:
                depth, off = project_onto_path(self.paths[j], mouths[i])
                parent[i], junction[i], gap[i] = j, depth[0], off[0]
        for j, path in enumerate(self.paths if not told.all() else ()):
            depth, off = project_onto_path(path, mouths)
            # A mouth beside another lane's own mouth is two lanes off the same street spot.
            ok = (off <= MOUTH_ON_PATH_M) & (depth > MOUTH_ON_PATH_M) & (off < gap) & ~told
            ok[j] = False
            parent[ok], junction[ok], gap[ok] = j, depth[ok], off[ok]
        for i in range(n):  # a drawing error could make two lanes each other's parent
            seen, k = {i}, parent[i]
            while k >= 0 and k not in seen:
                seen.add(k)
                k = parent[k]
            if k >= 0:
                parent[i] = -1
        return parent, junction, np.where(parent >= 0, gap, 0.0)

    def _climb(self):
        """Metres from each lane's mouth to its top lane's mouth, and that top lane."""
        n = len(self.ids)
        cum, root = np.zeros(n), np.arange(n)
        for i in range(n):
            k = i
            while self.parent[k] >= 0:
                cum[i] += self.junction[k] + self.gap[k]
                k = self.parent[k]
            root[i] = k
        return cum, root

    def place(self, points_ll, lane_ids) -> Places:
        """Place points on the tree: on their own lane, or the nearest lane if they have none."""
        pts_ll = np.asarray(points_ll, dtype=float).reshape(-1, 2)
        n, n_lanes = len(pts_ll), len(self.ids)
        lane_of = np.array([self.index.get(lid, -1) if lid else -2 for lid in lane_ids], dtype=int)
        depth, off = np.zeros(n), np.zeros(n)
        xy = self.plane.to_xy(pts_ll)
        for j, path in enumerate(self.paths):
            mine = lane_of == j
            if mine.any():
                depth[mine], off[mine] = project_onto_path(path, xy[mine])
        loose = np.flatnonzero(lane_of == -2)
        if len(loose) and n_lanes:
            lane_of[loose] = self._nearest_lane(xy[loose], depth, off, loose)
        return self._places(pts_ll, lane_of, depth, off)

    def _nearest_lane(self, xy, depth, off, idx):
        """Lane a door without a lane opens onto: the nearest path within NEAR_LANE_M, else none."""
        best = np.full(len(idx), NEAR_LANE_M)
        lane = np.full(len(idx), -1)
        for j, path in enumerate(self.paths):
            d, o = project_onto_path(path, xy)
            better = o < best
            best[better], lane[better] = o[better], j
            depth[idx[better]], off[idx[better]] = d[better], o[better]
        return lane

    def _places(self, pts_ll, lane_of, depth, off) -> Places:
        n = len(pts_ll)
        on = lane_of >= 0
        safe = np.where(on, lane_of, 0)
        up = np.where(on, self.cum[safe] + depth, 0.0) if len(self.ids) else np.zeros(n)
        root = np.where(on, self.root[safe], -1 - np.arange(n)) if len(self.ids) else -1 - np.arange(n)
        root_ll = pts_ll.copy()
        root_ll[on] = self.mouth_ll[root[on]]
        pos = np.full((len(self.ids), n), -np.inf)
        k = np.flatnonzero(on)
        lane, at = lane_of[k], depth[k]
        while len(k):  # the point's way out crosses each ancestor lane at a junction
            pos[lane, k] = at
            at, lane = self.junction[lane], self.parent[lane]
            k, lane, at = k[lane >= 0], lane[lane >= 0], at[lane >= 0]
        return Places(up, np.where(on, off, 0.0), root, root_ll, pos)

    def distances(self, places: Places, a, b) -> np.ndarray:
        """Walking metres from point a[k] to point b[k] for every k (index arrays into places)."""
        a, b = np.asarray(a), np.asarray(b)
        up_a, up_b = places.up[a], places.up[b]
        street = up_a + up_b + haversine_pairs_m(places.root_ll[a], places.root_ll[b])
        same = places.root[a] == places.root[b]
        if len(self.ids) and same.any():
            # The deepest point shared by both ways out to the street is where they part.
            meet = (self.cum[:, None] + np.minimum(places.pos[:, a], places.pos[:, b])).max(axis=0)
            street = np.where(same, up_a + up_b - 2 * meet, street)
        walk = places.off[a] + places.off[b] + street
        return np.where(a == b, 0.0, walk)

    def matrix(self, places: Places, idx) -> np.ndarray:
        """Square matrix of walking metres between the given points."""
        idx = np.asarray(idx)
        a, b = np.meshgrid(idx, idx, indexing="ij")
        return self.distances(places, a.ravel(), b.ravel()).reshape(len(idx), len(idx))
