"""Sharing a shift's lanes among volunteers: balanced minutes, each volunteer's lanes close together.

For the leader's "Suggest" button. Lanes already given stay where they are. The rest
go, largest first, to the nearest volunteer (the centre of their lanes) who still has
room under a fair share of the minutes; a few rounds move each centre to its lanes
(balanced k-means). Then single lanes pass from the busiest volunteers to nearby
lighter ones while that evens the minutes out.
"""
from __future__ import annotations

import numpy as np

from .geometry import LocalPlane

ROUNDS = 4            # centre updates; assignments settle within a few
SLACK = 1.05          # a volunteer may take up to 5% over a fair share for a nearer lane
NEIGHBOURS = 4        # a lane may be passed only to one of the volunteers nearest to it


def balance_lanes(lanes: dict, volunteers, fixed: dict | None = None) -> dict:
    """Suggest which volunteer walks which lane.

    lanes: {lane_id: {"minutes": float, "lat": float, "lon": float, "households": int}}
        estimated minutes to knock on every door of the lane and a point standing for
        it (its mouth or middle); "households" is needed only for household caps.
    volunteers: a list of volunteer ids, or {volunteer_id: {"max_minutes": float,
        "max_households": int}}, where either cap may be missing or None.
    fixed: {lane_id: volunteer_id} lanes already given: kept, and counted in that
        volunteer's minutes and in where their lanes lie.
    Returns {volunteer_id: [lane_id, ...]} for every volunteer, fixed lanes first.
    Lanes that fit no volunteer's cap are listed under the key None, for a later shift.
    """
    caps = _caps(volunteers)
    fixed = {lane: v for lane, v in (fixed or {}).items() if lane in lanes and v in caps}
    result = {v: [lane for lane, owner in fixed.items() if owner == v] for v in caps}
    todo = [lane for lane in lanes if lane not in fixed]
    owner = _Share(lanes, caps, fixed).assign(todo) if caps else {lane: None for lane in todo}
    for lane in todo:
        result.setdefault(owner[lane], []).append(lane)
    return result


def _caps(volunteers) -> dict:
    """{volunteer: (max minutes, max households)}, infinite when not given."""
    if not isinstance(volunteers, dict):
        return {v: (np.inf, np.inf) for v in volunteers}
    return {v: (float((c or {}).get("max_minutes") or np.inf),
                float((c or {}).get("max_households") or np.inf)) for v, c in volunteers.items()}


class _Share:
    """Loads, centres and caps of the volunteers while lanes are being shared out."""

    def __init__(self, lanes, caps, fixed):
        self.ids = list(lanes)
        self.row = {lane: i for i, lane in enumerate(self.ids)}
        ll = np.array([(lanes[k]["lat"], lanes[k]["lon"]) for k in self.ids], dtype=float)
        self.xy = LocalPlane(*ll.mean(axis=0)).to_xy(ll)
        self.minutes = np.array([float(lanes[k].get("minutes") or 0.0) for k in self.ids])
        self.homes = np.array([float(lanes[k].get("households") or 0) for k in self.ids])
        self.vols = list(caps)
        self.cap = np.array([caps[v] for v in self.vols])  # (volunteers, 2)
        self.fixed_rows = [[self.row[k] for k, v in fixed.items() if v == vol] for vol in self.vols]
        self.target = self._fair_shares()

    def _fair_shares(self) -> np.ndarray:
        """Equal minutes for all, except that nobody is given more than their cap (water-filling)."""
        total, cap = self.minutes.sum(), self.cap[:, 0]
        target = np.zeros(len(self.vols))
        open_ = np.ones(len(self.vols), bool)
        while open_.any():
            level = (total - target[~open_].sum()) / open_.sum()
            capped = open_ & (cap < level)
            if not capped.any():
                target[open_] = level
                break
            target[capped], open_ = cap[capped], open_ & ~capped
        return np.maximum(target, 1e-9)

    def assign(self, todo) -> dict:
        rows = np.array([self.row[k] for k in todo], dtype=int)
        rows = rows[np.argsort(-self.minutes[rows], kind="stable")]  # big lanes first pack best
        centres = self._first_centres(rows)
        owner = None
        for _ in range(ROUNDS):
            new = self._greedy(rows, centres)
            if owner is not None and np.array_equal(new, owner):
                break
            owner, centres = new, self._centres(rows, new, centres)
        owner = self._even_out(rows, owner, centres)
        return {self.ids[r]: (self.vols[o] if o >= 0 else None) for r, o in zip(rows, owner)}

    def _first_centres(self, rows) -> np.ndarray:
        """Centre of each volunteer's fixed lanes; others spread out to the farthest lanes."""
        centres = np.full((len(self.vols), 2), np.nan)
        for v, fixed in enumerate(self.fixed_rows):
            if fixed:
                centres[v] = self._centroid(fixed)
        placed = ~np.isnan(centres[:, 0])
        pts = self.xy[rows] if len(rows) else self.xy
        refs = centres[placed] if placed.any() else pts.mean(axis=0, keepdims=True)
        far = np.hypot(*(pts[:, None, :] - refs[None]).transpose(2, 0, 1)).min(axis=1)
        for v in np.flatnonzero(~placed):
            centres[v] = pts[int(far.argmax())]
            far = np.minimum(far, np.hypot(*(pts - centres[v]).T))
        return centres

    def _centroid(self, rows):
        w = self.minutes[rows] + 1e-6
        return (self.xy[rows] * w[:, None]).sum(axis=0) / w.sum()

    def _fixed_load(self):
        mins = np.array([self.minutes[f].sum() for f in self.fixed_rows])
        homes = np.array([self.homes[f].sum() for f in self.fixed_rows])
        return mins, homes

    def _greedy(self, rows, centres) -> np.ndarray:
        """Each lane to the nearest volunteer with room; -1 when it fits nobody's cap."""
        mins, homes = self._fixed_load()
        dist = np.hypot(*(self.xy[rows][:, None, :] - centres[None]).transpose(2, 0, 1))
        owner = np.full(len(rows), -1)
        for k, r in enumerate(rows):
            m, h = self.minutes[r], self.homes[r]
            fits = (mins + m <= self.cap[:, 0]) & (homes + h <= self.cap[:, 1])
            if not fits.any():
                continue
            room = fits & (mins + m <= self.target * SLACK)
            # Nobody near has room: the least loaded (for their share) who fits takes it.
            v = int(np.where(room, dist[k], np.inf).argmin()) if room.any() \
                else int(np.where(fits, mins / self.target, np.inf).argmin())
            owner[k], mins[v], homes[v] = v, mins[v] + m, homes[v] + h
        return owner

    def _centres(self, rows, owner, old):
        centres = old.copy()
        for v in range(len(self.vols)):
            mine = list(rows[owner == v]) + self.fixed_rows[v]
            if mine:
                centres[v] = self._centroid(mine)
        return centres

    def _even_out(self, rows, owner, centres) -> np.ndarray:
        """Pass single lanes from heavy to nearby lighter volunteers while the heavier one gets lighter."""
        mins, homes = self._fixed_load()
        np.add.at(mins, owner[owner >= 0], self.minutes[rows[owner >= 0]])
        np.add.at(homes, owner[owner >= 0], self.homes[rows[owner >= 0]])
        dist = np.hypot(*(self.xy[rows][:, None, :] - centres[None]).transpose(2, 0, 1))
        near = np.argsort(dist, axis=1)[:, :NEIGHBOURS]
        m, h = self.minutes[rows][:, None], self.homes[rows][:, None]
        for _ in range(4 * len(rows)):
            a = owner[:, None]
            load = mins / self.target
            after = np.maximum((mins[a] - m) / self.target[a], (mins[near] + m) / self.target[near])
            ok = ((a >= 0) & (near != a) & (after < load[a] - 1e-9) & (load[a] > load[near])
                  & (mins[near] + m <= self.cap[near, 0]) & (homes[near] + h <= self.cap[near, 1]))
            if not ok.any():
                return owner
            # The move that leaves the pair lightest; among equals, the one that keeps lanes nearest.
            detour = dist[np.arange(len(rows))[:, None], near] - dist[np.arange(len(rows)), owner][:, None]
            key = np.where(ok, after + 1e-6 * detour, np.inf)
            k, j = divmod(int(key.argmin()), near.shape[1])
            a, b = owner[k], near[k, j]
            owner[k] = b
            mins[a] -= m[k, 0]
            mins[b] += m[k, 0]
            homes[a] -= h[k, 0]
            homes[b] += h[k, 0]
        return owner
