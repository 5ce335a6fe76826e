"""Sharing a shift's lanes among volunteers: balanced minutes, each volunteer's lanes together on foot.

For the leader's "Suggest" button. The lanes still to give are lined up in the tour one
walker would take (`layout.py`: street by street, each lane tree whole, through-lanes
joined), and the tour is cut into one stretch per volunteer, in one pass of dynamic
programming: every stretch within the volunteer's caps and a fair share of the minutes
(the least even share that can be had, plus SLACK), and the cuts where the step from one
lane to the next is longest, so that nobody walks from one street to another. Lanes
already given stay; a volunteer who has some takes the stretch that lies by them.
"""
from __future__ import annotations

from bisect import bisect_right

import numpy as np

from .layout import LaneLayout

SLACK = 0.012        # a stretch may take this much over the evenest possible share
BALANCE_M = 50.0     # metres a volunteer's (share used)^2 is worth: evens out loads among equals
SKIP_M = 1e7         # metres a minute left for a later shift costs: only when nothing else fits


def balance_lanes(lanes: dict, volunteers, fixed: dict | None = None, links=None) -> dict:
    """Suggest which volunteer walks which lane.

    lanes: {lane_id: {"minutes": float, "lat": float, "lon": float, "households": int,
        "path": [(lat, lon), ...], "parent": lane_id | None, "street": str}}: minutes to
        knock on every door of the lane, a point standing for it (the middle of its doors),
        households (for caps), and where known its path from the mouth, the lane it
        branches off (else found from where its mouth lies on the other lanes' paths) and
        the name of the street its ngõ opens onto. Lanes with no path stand at their point.
    volunteers: a list of volunteer ids, or {volunteer_id: {"max_minutes": float,
        "max_households": int}}, where either cap may be missing or None.
    fixed: {lane_id: volunteer_id} lanes already given: kept, and counted in that
        volunteer's minutes and in where their lanes lie.
    links: through-lanes, as for `plan_walk`.
    Returns {volunteer_id: [lane_id, ...]} for every volunteer, fixed lanes first.
    Lanes that fit no volunteer's cap are listed under the key None, for a later shift.
    """
    caps = _caps(volunteers)
    fixed = {lane: v for lane, v in (fixed or {}).items() if lane in lanes and v in caps}
    result = {v: [lane for lane, owner in fixed.items() if owner == v] for v in caps}
    todo = [lane for lane in lanes if lane not in fixed]
    if not todo:
        return result
    if not caps:
        return {**result, None: todo}
    for lane, v in _Division(LaneLayout(lanes, links), lanes, caps, fixed).share(todo).items():
        result.setdefault(v, []).append(lane)
    return result


def _caps(volunteers) -> dict:
    """{volunteer: (max minutes, max households)}, infinite when not given."""
    if not isinstance(volunteers, dict):
        return {v: (np.inf, np.inf) for v in volunteers}
    return {v: (float((c or {}).get("max_minutes") or np.inf),
                float((c or {}).get("max_households") or np.inf)) for v, c in volunteers.items()}


class _Division:
    """The volunteers' caps, fair shares and fixed lanes, and the cutting of the tour."""

    def __init__(self, layout: LaneLayout, lanes: dict, caps: dict, fixed: dict):
        self.layout = layout
        self.row = {lane: i for i, lane in enumerate(layout.ids)}
        self.minutes = np.array([float(lanes[k].get("minutes") or 0.0) for k in layout.ids])
        self.homes = np.array([float(lanes[k].get("households") or 0) for k in layout.ids])
        self.vols = list(caps)
        self.cap = np.array([caps[v] for v in self.vols]).reshape(-1, 2)
        self.fixed_rows = [[self.row[k] for k, v in fixed.items() if v == vol] for vol in self.vols]
        self.used = np.array([[self.minutes[f].sum(), self.homes[f].sum()] for f in self.fixed_rows])
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

    def share(self, todo) -> dict:
        """{lane: volunteer, or None when it fits nobody}."""
        tour = self.layout.tour(np.array([self.row[k] for k in todo]))
        near = self._nearness(tour)
        order = self._order(near)
        cut = _Cut(self.minutes[tour], self.homes[tour], self._steps(tour), 2 * self.layout.up[tour])
        free = self.cap[order] - self.used[order]
        share = self._least_share(cut, free, order)
        budget = np.minimum(free[:, 0], (1 + SLACK) * share * self.target[order] - self.used[order, 0])
        pieces = cut.best(np.column_stack((budget, free[:, 1])), near[order],
                          self.target[order], self.used[order, 0])
        owner = {}
        for j, piece in zip(order, pieces):
            for r in piece:
                owner[self.layout.ids[tour[r]]] = self.vols[j]
        return {self.layout.ids[t]: owner.get(self.layout.ids[t]) for t in tour}

    def _steps(self, tour) -> np.ndarray:
        """Metres from each lane of the tour to the next: nothing within a lane tree."""
        tree = self.layout.tree[tour]
        return np.where(tree[:-1] == tree[1:], 0.0, self.layout.step[tree[:-1], tree[1:]])

    def _nearness(self, tour) -> np.ndarray:
        """(volunteers, tour) metres from each volunteer's fixed lanes to each lane (0 if none)."""
        near = np.zeros((len(self.vols), len(tour)))
        tree = self.layout.tree
        for v, rows in enumerate(self.fixed_rows):
            if rows:
                near[v] = np.maximum(self.layout.step[np.ix_(tree[rows], tree[tour])].min(axis=0), 0.0)
        return near

    def _order(self, near) -> np.ndarray:
        """Volunteers in the order their stretches come along the tour: those with lanes
        already given where those lie, the others spread evenly in between."""
        n, k = near.shape[1], len(self.vols)
        spot = np.array([(v + 0.5) * n / k for v in range(k)])
        for v, rows in enumerate(self.fixed_rows):
            if rows:
                spot[v] = float(np.median(near[v].argsort()[:len(rows)]))
        return np.argsort(spot, kind="stable")

    def _least_share(self, cut, free, order) -> float:
        """The smallest multiple of the fair shares within which the tour can be cut (bisection)."""
        def fits(s):
            budget = np.minimum(free[:, 0], s * self.target[order] - self.used[order, 0])
            return cut.covers(np.column_stack((budget, free[:, 1])))
        high = 1.0
        while not fits(high) and high <= 2 * len(self.vols):
            high *= 2
        if not fits(high):
            return np.inf  # the caps leave lanes over whatever the share
        low = high / 2 if high > 1 else 0.0
        for _ in range(14):
            mid = (low + high) / 2
            low, high = (low, mid) if fits(mid) else (mid, high)
        return high


class _Cut:
    """Cutting a tour of lanes into consecutive stretches, one per volunteer in a given order."""

    def __init__(self, minutes, homes, steps, access):
        self.n = len(minutes)
        self.m = np.concatenate(([0.0], np.cumsum(minutes)))
        self.h = np.concatenate(([0.0], np.cumsum(homes)))
        self.m_list, self.h_list = self.m.tolist(), self.h.tolist()
        self.e = np.concatenate(([0.0], np.cumsum(steps)))   # e[i]: metres from lane 0 to lane i
        self.access = np.append(access, 0.0)   # in and out to a stretch that starts inside a tree

    def covers(self, budgets) -> bool:
        """Does taking as many lanes as fit, volunteer after volunteer, reach the tour's end?"""
        at, m, h = 0, self.m_list, self.h_list
        for minutes, homes in budgets:
            by_m = bisect_right(m, m[at] + minutes + 1e-9) - 1
            by_h = bisect_right(h, h[at] + homes + 1e-9) - 1
            at = max(at, min(by_m, by_h))
            if at >= self.n:
                return True
        return False

    def best(self, budgets, near, target, used) -> list[range]:
        """Each volunteer's stretch (a range of tour positions): least walking, then evenest."""
        cost = np.full(self.n + 1, np.inf)
        cost[0] = 0.0
        cost, _ = self._skip(cost)
        starts, skips = [], []
        for j, (minutes, homes) in enumerate(budgets):
            new, start = self._stretches(cost, minutes, homes, near[j], used[j], target[j])
            cost, skip = self._skip(new)
            starts.append(start)
            skips.append(skip)
        return self._back(starts, skips)

    def _stretches(self, cost, minutes, homes, near, used, target):
        """Best cost of ending a stretch at each tour position, and where that stretch starts.

        Rows are stretch lengths, columns the position b the stretch ends before."""
        n = self.n
        b = np.arange(n + 1)
        longest = max(1, int((np.searchsorted(self.m, self.m[:-1] + minutes + 1e-9, side="right")
                              - np.arange(n) - 1).max(initial=0)))
        a = b[None, :] - np.arange(1, longest + 1)[:, None]
        ok = a >= 0
        a = np.maximum(a, 0)
        taken = self.m[b][None, :] - self.m[a]
        ok &= (taken <= minutes + 1e-9) & (self.h[b][None, :] - self.h[a] <= homes + 1e-9)
        window = np.minimum.accumulate(np.where(ok, near[np.minimum(a, n - 1)], np.inf), axis=0)
        c = (cost[a] + self.e[np.maximum(b - 1, 0)][None, :] - self.e[a] + self.access[a] + window
             + BALANCE_M * ((used + taken) / target) ** 2)
        c = np.where(ok, c, np.inf)
        best = c.argmin(axis=0)
        stay = cost + BALANCE_M * (used / target) ** 2        # an empty stretch
        take = c[best, b] < stay
        return np.where(take, c[best, b], stay), np.where(take, a[best, b], b)

    def _skip(self, cost):
        """Leave lanes for a later shift where nothing else fits: (cost, where the skipped run began)."""
        keyed = cost - SKIP_M * self.m
        low = np.minimum.accumulate(keyed)
        first = np.maximum.accumulate(np.where(keyed <= low, np.arange(len(cost)), 0))
        return low + SKIP_M * self.m, first

    @staticmethod
    def _back(starts, skips) -> list[range]:
        b, pieces = len(starts[0]) - 1, []
        for start, skip in zip(reversed(starts), reversed(skips)):
            b = skip[b]
            pieces.append(range(start[b], b))
            b = start[b]
        return pieces[::-1]
