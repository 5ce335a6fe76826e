"""The assignment board's queries: lanes still to visit, volunteers' loads, warnings; Suggest.

Warnings are codes (the template words them): the leader is warned, never refused.
"""
from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Optional

import planner
from extensions import db
from geo.distance import haversine_m
from models.place import Lane
from models.shift import Assignment, Shift, ShiftResponse, Walk
from models.user import User, volunteers_of
from models.visit_time import STREET_DETOUR
from vocabulary import FREE, NOT_FREE, UNKNOWN
from models.walkplan import (WALK_M_PER_MIN, assign_many, follow_planner, households_to_visit,
                             start_of, through_lanes, visit_minutes)


@dataclass
class LaneRow:
    """A lane on the board: households still to visit and the minutes they need."""

    lane: Lane
    households: int
    minutes: float
    point: tuple[float, float]
    volunteer_ids: list[int] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def volunteer_id(self) -> Optional[int]:
        return self.volunteer_ids[0] if self.volunteer_ids else None


@dataclass
class Load:
    """A volunteer's share of the shift: lanes in walking order, households, minutes."""

    volunteer: User
    lanes: list[LaneRow]
    walk: Optional[Walk]
    warnings: list[str]
    availability: str = FREE

    @property
    def households(self) -> int:
        return sum(row.households for row in self.lanes)

    @property
    def minutes(self) -> float:
        """The walk's minutes (from the meeting point, door to door) once built, else the
        lanes' own."""
        if self.walk is not None and self.lanes:
            return round(self.walk.minutes)
        return round(sum(row.minutes for row in self.lanes))

    @property
    def percent(self) -> int:
        """How full the volunteer is against their capacity (households per shift)."""
        return round(100 * self.households / max(self.volunteer.capacity or 1, 1))


@dataclass
class Leftover:
    """What is not given: lanes, their minutes, and the people (of a full window) they need."""

    lanes: int
    minutes: int
    people: int


@dataclass
class Board:
    shift: Shift
    lanes: list[LaneRow]
    loads: list[Load]

    @property
    def free_lanes(self) -> list[LaneRow]:
        return [row for row in self.lanes if not row.volunteer_ids and row.households]

    @property
    def leftover(self) -> Optional[Leftover]:
        free = self.free_lanes
        if not free:
            return None
        minutes = round(sum(row.minutes for row in free))
        return Leftover(len(free), minutes, math.ceil(minutes / max(self.shift.window_minutes, 1)))


def path_length_m(path: list[tuple[float, float]]) -> float:
    return float(sum(haversine_m(a, b) for a, b in zip(path, path[1:])))


def lane_point(lane: Lane, households, default) -> tuple[float, float]:
    """A point standing for the lane: the middle of its households, else its mouth."""
    placed = [(h.lat, h.lon) for h in households if h.has_position]
    if placed:
        return (sum(p[0] for p in placed) / len(placed), sum(p[1] for p in placed) / len(placed))
    path = lane.path_points
    return path[0] if path else default


def cant_come(shift: Shift) -> set[int]:
    """Volunteers who said "I can't make it" for this shift."""
    return {user_id for user_id, can in answers(shift).items() if not can}


def answers(shift: Shift) -> dict[int, bool]:
    """{volunteer: can come} for those who answered for this shift (or were marked free)."""
    return dict(db.session.execute(db.select(ShiftResponse.user_id, ShiftResponse.can_come)
                                   .where(ShiftResponse.shift_id == shift.id)).all())


def availability(user: User, shift: Shift, said: dict[int, bool]) -> str:
    """FREE, UNKNOWN (never said when they are free: Suggest may use them, flagged) or
    NOT_FREE (said no: for this shift, away that date, or not in their week)."""
    free = said[user.id] if user.id in said else user.free_on(shift.day, shift.slot)
    return UNKNOWN if free is None else FREE if free else NOT_FREE


def given_elsewhere(shift: Shift) -> set[int]:
    """Lanes also given in another shift of the same day."""
    return set(db.session.scalars(db.select(Assignment.lane_id).join(Shift).where(
        Shift.neighbourhood_id == shift.neighbourhood_id, Shift.day == shift.day,
        Shift.id != shift.id)))


def lane_rows(shift: Shift) -> tuple[dict[int, LaneRow], dict, dict]:
    """{lane id: row} for every lane with households to visit, and every lane given;
    with the households by lane and their minutes, for building walks."""
    lanes = db.session.scalars(db.select(Lane).where(
        Lane.neighbourhood_id == shift.neighbourhood_id).order_by(Lane.position, Lane.id)).all()
    by_lane = households_to_visit([lane.id for lane in lanes], shift)
    minutes = visit_minutes([h for hs in by_lane.values() for h in hs], shift)
    given: dict[int, list[int]] = defaultdict(list)
    for a in sorted(shift.assignments, key=lambda a: (a.position, a.id or 0)):
        given[a.lane_id].append(a.volunteer_id)
    rows = {}
    for lane in lanes:
        homes = by_lane.get(lane.id, [])
        if not homes and lane.id not in given:
            continue
        # In and back out along the lane, plus the time at each door.
        walking = 2 * path_length_m(lane.path_points) / WALK_M_PER_MIN if homes else 0.0
        rows[lane.id] = LaneRow(lane, len(homes), round(walking + sum(
            minutes[h.id] for h in homes), 1), (0.0, 0.0), given.get(lane.id, []))
    start = start_of(shift)
    for row in rows.values():
        row.point = lane_point(row.lane, by_lane.get(row.lane.id, []), start)
    elsewhere = given_elsewhere(shift)
    for lane_id, row in rows.items():
        if len(row.volunteer_ids) > 1:
            row.warnings.append("twice")
        if lane_id in elsewhere:
            row.warnings.append("other_shift")
    return rows, by_lane, minutes


def board(shift: Shift) -> Board:
    """Everything the board shows."""
    rows, _, _ = lane_rows(shift)
    walks = {w.volunteer_id: w for w in shift.walks}
    said = answers(shift)
    mine: dict[int, list[LaneRow]] = defaultdict(list)
    for a in sorted(shift.assignments, key=lambda a: (a.position, a.id or 0)):
        if a.lane_id in rows and rows[a.lane_id] not in mine[a.volunteer_id]:
            mine[a.volunteer_id].append(rows[a.lane_id])
    people = volunteers_of(shift.neighbourhood_id)
    people += [db.session.get(User, v) for v in mine if v not in {u.id for u in people}]
    loads = []
    for user in people:
        load = Load(user, mine.get(user.id, []), walks.get(user.id), [])
        if load.households > (user.capacity or 0):
            load.warnings.append("over_capacity")
        if load.minutes > shift.window_minutes:
            load.warnings.append("over_window")
        load.availability = availability(user, shift, said)
        if said.get(user.id) is False:
            load.warnings.append("cant_come")
        elif load.availability == NOT_FREE:
            load.warnings.append("not_available")
        elif load.availability == UNKNOWN:
            load.warnings.append("availability_unknown")
        if any("twice" in row.warnings for row in load.lanes):
            load.warnings.append("lane_twice")
        loads.append(load)
    return Board(shift, list(rows.values()), loads)


def unsure(shift: Shift, volunteer_ids) -> list[User]:
    """Those of these volunteers who have not said whether they are free (chưa rõ)."""
    said = answers(shift)
    return [u for u in volunteers_of(shift.neighbourhood_id)
            if u.id in volunteer_ids and availability(u, shift, said) == UNKNOWN]


def suggest(shift: Shift) -> dict[int, list[int]]:
    """Give the lanes not yet given to the available volunteers, balancing minutes and
    keeping each volunteer's lanes close together, each within the shift's window (walk
    from the meeting point included) and their capacity; returns {volunteer: new lane ids}.
    Lanes that fit nobody stay free for another volunteer or another shift."""
    rows, by_lane, minutes = lane_rows(shift)
    said = answers(shift)
    # Those who have not said when they are free are asked too (the board flags them);
    # never those who said no.
    people = [u for u in volunteers_of(shift.neighbourhood_id)
              if availability(u, shift, said) != NOT_FREE]
    if not people:
        return {}
    window = shift.window_minutes
    start = start_of(shift)
    # The lanes' own minutes leave out the way there: keep back the typical way out.
    reach = statistics.median([haversine_m(start, row.point) for row in rows.values()] or [0])
    keep = STREET_DETOUR * reach / WALK_M_PER_MIN
    caps = {u.id: {"max_households": u.capacity or None, "max_minutes": max(window - keep, 1)}
            for u in people}
    fixed = {lane_id: row.volunteer_id for lane_id, row in rows.items()
             if row.volunteer_id in caps}
    # Lanes given to someone who cannot come stay theirs: the leader decides, with a warning.
    # What the planner needs to tell which lanes lie together on foot: paths, streets, ngách.
    lanes = {lane_id: {"minutes": row.minutes, "households": row.households,
                       "lat": row.point[0], "lon": row.point[1], "path": row.lane.path_points,
                       "street": row.lane.street, "parent": row.lane.parent_id}
             for lane_id, row in rows.items()
             if lane_id in fixed or (row.households and not row.volunteer_ids)}
    plan = planner.balance_lanes(lanes, caps, fixed,
                                 links=through_lanes(shift.neighbourhood_id).links)
    added = {volunteer_id: [lane for lane in lane_ids if lane not in fixed]
             for volunteer_id, lane_ids in plan.items() if volunteer_id is not None}
    added = {volunteer_id: new for volunteer_id, new in added.items() if new}
    assign_many(shift, added)
    if added:  # Suggest asks the planner: each touched walk takes the planner's lane order
        walks = follow_planner(shift, added, by_lane=by_lane, minutes=minutes)
        _within_window(shift, walks, added, window)
    return {v: new for v, new in added.items() if new}


def _within_window(shift: Shift, walks: list[Walk], added: dict[int, list[int]],
                   window: int) -> None:
    """Take back the last lanes Suggest gave to a walk longer than the window, until it fits
    (the leader's own lanes stay: the board warns instead)."""
    over = [w.volunteer_id for w in walks if w.minutes > window]
    while over:
        volunteer_id = over.pop()
        mine = [a for a in shift.assignments if a.volunteer_id == volunteer_id
                and a.lane_id in added[volunteer_id]]
        if not mine:
            continue
        last = max(mine, key=lambda a: a.position)
        shift.assignments.remove(last)
        added[volunteer_id].remove(last.lane_id)
        walk = next((w for w in follow_planner(shift, [volunteer_id])), None)
        if walk is not None and walk.minutes > window:
            over.append(volunteer_id)
