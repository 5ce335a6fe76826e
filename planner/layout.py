"""Where a shift's lanes lie on foot, for sharing them out: lane trees, streets, through-lanes.

Lanes are grouped into trees (a ngõ with the ngách that branch off it) and the trees by
street. Between two trees the walker goes along the street from one mouth to the other
(straight; STREET_DETOUR times straight between two different streets, which meet only
the way round), unless a through-lane joins them: then going through it saves walking
back out of the one and into the other, and the step from tree to tree may cost less
than nothing. The tour lines the lanes up as one walker would take them all: streets in
the shortest order, each street from one end to the other, each tree whole, from its
mouth inward, then a few moves of single trees where that shortens the tour.
"""
from __future__ import annotations

import numpy as np

from .geometry import LocalPlane, haversine_m
from .ground import Ground
from .lanetree import LaneTree
from .order import best_block_order

STREET_DETOUR = 1.4   # two streets meet the way round: about a grid walk at 45 degrees
MOVES = 200           # at most this many single-tree moves improve the tour


class LaneLayout:
    """Lanes by tree, trees by street, and the walking metres from each tree to each other."""

    def __init__(self, lanes: dict, links=None):
        self.ids = list(lanes)
        paths = {k: lanes[k]["path"] for k in self.ids if len(lanes[k].get("path") or ()) > 0}
        points = np.array([(lanes[k]["lat"], lanes[k]["lon"]) for k in self.ids], dtype=float)
        parents = {k: lanes[k]["parent"] for k in paths if "parent" in lanes[k]}
        tree = LaneTree(paths, LocalPlane(*points.mean(axis=0)), parents)
        row = np.array([tree.index.get(k, -1) for k in self.ids])
        on = row >= 0
        # A lane without a path is a tree of its own, at its point, on the street.
        root = -1 - np.arange(len(row))
        root[on] = tree.root[row[on]]
        codes, first, self.tree = np.unique(root, return_index=True, return_inverse=True)
        self.up = np.zeros(len(row))                # metres from the lane's mouth to its tree's
        self.up[on] = tree.cum[row[on]]
        mouth = points.copy()
        mouth[on] = tree.mouth_ll[root[on]]
        self.mouth = mouth[first]
        self.street = [lanes[tree.ids[c] if c >= 0 else self.ids[i]].get("street") or ""
                       for c, i in zip(codes, first)]
        self.step = self._steps()
        if links:
            self._through(Ground(tree, [], [], links), {c: t for t, c in enumerate(codes)})

    def _steps(self) -> np.ndarray:
        """Metres along the streets from each tree's mouth to each other's."""
        street = np.array(self.street, dtype=object)
        detour = np.where(street[:, None] == street[None, :], 1.0, STREET_DETOUR)
        return haversine_m(self.mouth, self.mouth) * detour

    def _through(self, ground: Ground, tree_of: dict) -> None:
        """Lower the steps between trees that a through-lane joins (or joins to the street)."""
        places = ground.places
        for (a, b), length in zip(ground.ends.reshape(-1, 2), ground.link_m):
            ta, tb = tree_of.get(places.root[a]), tree_of.get(places.root[b])
            if ta is not None and tb is not None and ta != tb:
                saving = length - places.up[a] - places.up[b]
                self.step[ta, tb] = self.step[tb, ta] = min(self.step[ta, tb], saving)
            elif (ta is None) != (tb is None):  # a lane that comes out on a street
                t, lane_end, street_end = (ta, a, b) if ta is not None else (tb, b, a)
                out = length - places.up[lane_end] + haversine_m(places.root_ll[street_end], self.mouth)[0]
                self.step[t] = self.step[:, t] = np.minimum(self.step[t], out)
                self.step[t, t] = 0.0

    def tour(self, rows) -> list[int]:
        """The given lanes (indices into self.ids) in the order one walker would take them."""
        trees = sorted(set(self.tree[rows].tolist()))
        order = self._improve(self._street_order(trees))
        rank = {t: k for k, t in enumerate(order)}
        return sorted(rows, key=lambda r: (rank[self.tree[r]], self.up[r], r))

    def _street_order(self, trees) -> list[int]:
        """Streets in the shortest order, each walked end to end along its main direction."""
        by_street: dict[str, list[int]] = {}
        for t in trees:
            by_street.setdefault(self.street[t], []).append(t)
        plane = LocalPlane(*self.mouth[trees].mean(axis=0))
        lines = [_along(plane.to_xy(self.mouth[ts]), ts) for ts in by_street.values()]
        ends = [t for line in lines for t in (line[0], line[-1])]
        dist = np.zeros((len(ends) + 1, len(ends) + 1))  # the last row: a free start
        dist[:-1, :-1] = self.step[np.ix_(ends, ends)]
        order = []
        for y in best_block_order(dist, len(lines)):
            order += lines[y // 2] if y % 2 == 0 else lines[y // 2][::-1]
        return order

    def _improve(self, order: list[int]) -> list[int]:
        """Move single trees to where they lengthen the open tour least, while that shortens it."""
        seq = list(order)
        for _ in range(MOVES if len(seq) > 2 else 0):
            gain, i, at = _best_move(self.step[np.ix_(seq, seq)])
            if gain <= 1e-6:
                break
            tree = seq.pop(i)
            seq.insert(at if at <= i else at - 1, tree)
        return seq


def _best_move(d: np.ndarray) -> tuple[float, int, int]:
    """(metres saved, i, k): the move of stop i to before stop k (k = m: the end) of an open path."""
    m = len(d)
    k = np.arange(m)
    link = d[k[:-1], k[1:]]                           # link[j]: from j to j + 1
    out = np.empty(m)
    out[0], out[-1] = link[0], link[-1]
    out[1:-1] = link[:-1] + link[1:] - d[k[:-2], k[2:]]
    into = np.full((m, m + 1), np.inf)                # into[i, c]: put i before c
    into[:, 1:m] = d[:-1, :].T + d[:, 1:] - link[None, :]
    into[k, k] = into[k, np.minimum(k + 1, m)] = np.inf   # where i already is
    into[1:, 0] = d[1:, 0]
    into[:-1, m] = d[-1, :-1]
    gain = out[:, None] - into
    i, c = divmod(int(gain.argmax()), m + 1)
    return float(gain[i, c]), i, c


def _along(xy: np.ndarray, trees: list[int]) -> list[int]:
    """Trees sorted along the direction their mouths spread in (a street's line)."""
    if len(trees) < 2:
        return list(trees)
    centred = xy - xy.mean(axis=0)
    axis = np.linalg.svd(centred, full_matrices=False)[2][0]
    return [trees[k] for k in np.argsort(centred @ axis, kind="stable")]

