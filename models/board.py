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
from models.review import add_to_shift
from models.shift import Assignment, Shift, ShiftHousehold, ShiftResponse, Walk
from models.user import User, volunteers_of
from models.visit_time import STREET_DETOUR
from vocabulary import FREE, NOT_FREE, UNKNOWN
from models.walkplan import (WALK_M_PER_MIN, assign_many, chosen_for, follow_planner,
                             households_to_visit, rebuild_walks, start_of, through_lanes,
                             visit_minutes)


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
    by_hand: int = 0  # households the leader chose this volunteer for, beyond their lanes

    @property
    def households(self) -> int:
        return sum(row.households for row in self.lanes) + self.by_hand

    @property
    def minutes(self) -> float:
        """The walk's minutes (from the meeting point, door to door) once built, else the
        lanes' own."""
        if self.walk is not None and (self.lanes or self.by_hand):
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


FREE_OR_UNSURE = (FREE, UNKNOWN)  # whom Suggest (and the calendar) may count on


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
    # Households the leader chose a volunteer for count in that volunteer's load, not the lane's.
    by_hand = {h.id for hs in chosen_for(shift).values() for h in hs}
    if by_hand:
        by_lane = {lane: [h for h in hs if h.id not in by_hand] for lane, hs in by_lane.items()}
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
    by_hand = {v: len(hs) for v, hs in chosen_for(shift).items()}
    people = volunteers_of(shift.neighbourhood_id)
    people += [db.session.get(User, v) for v in {*mine, *by_hand}
               if v not in {u.id for u in people}]
    loads = []
    for user in people:
        load = Load(user, mine.get(user.id, []), walks.get(user.id), [],
                    by_hand=by_hand.get(user.id, 0))
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


def suggest(shift: Shift, only: Optional[set[int]] = None) -> dict[int, list[int]]:
    """Give the lanes not yet given to the available volunteers, balancing minutes and
    keeping each volunteer's lanes close together, each within the shift's window (walk
    from the meeting point included) and their capacity; returns {volunteer: new lane ids}.
    Lanes that fit nobody stay free for another volunteer or another shift; `only`: give
    none but these (a shift accepted from the calendar)."""
    rows, by_lane, minutes = lane_rows(shift)
    said = answers(shift)
    # Those who have not said when they are free are asked too (the board flags them);
    # never those who said no.
    people = [u for u in volunteers_of(shift.neighbourhood_id)
              if availability(u, shift, said) in FREE_OR_UNSURE]
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
             if lane_id in fixed or (row.households and not row.volunteer_ids
                                     and (only is None or lane_id in only))}
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


def share_long_lanes(shift: Shift, lane_ids: set[int], added_by_id: Optional[int]) -> int:
    """Lanes too long for one volunteer's window, shared door by door among the volunteers
    with room left (as the leader would by hand, from the house numbers), each within the
    window and their capacity; returns the households placed. The caller commits."""
    rows, by_lane, minutes = lane_rows(shift)
    window = shift.window_minutes
    said = answers(shift)
    walks = {w.volunteer_id: w for w in shift.walks}
    loads = {load.volunteer.id: load for load in board(shift).loads}
    room = {u.id: [window - (walks[u.id].minutes if u.id in walks else 0),
                   (u.capacity or 0) - loads[u.id].households]
            for u in volunteers_of(shift.neighbourhood_id)
            if availability(u, shift, said) in FREE_OR_UNSURE and u.id in loads}
    placed = 0
    for lane_id in [k for k in lane_ids if k in rows and rows[k].households
                    and not rows[k].volunteer_ids]:
        homes = list(by_lane.get(lane_id, []))
        way = 2 * path_length_m(rows[lane_id].lane.path_points) / WALK_M_PER_MIN
        while homes:
            volunteer_id = max(room, key=lambda v: room[v][0], default=None)
            if volunteer_id is None or room[volunteer_id][0] <= way:
                break
            free_minutes, free_homes = room[volunteer_id]
            chunk, used = [], way
            while homes and len(chunk) < free_homes and used + minutes[homes[0].id] <= free_minutes:
                used += minutes[homes[0].id]
                chunk.append(homes.pop(0))
            if not chunk:
                room.pop(volunteer_id)
                continue
            add_to_shift(shift, [h.id for h in chunk], volunteer_id, added_by_id)
            walk = _walk_of(shift, volunteer_id)
            while walk.minutes > window and chunk:  # the way there was longer than thought
                back = chunk.pop()
                homes.insert(0, back)
                db.session.execute(db.delete(ShiftHousehold).where(
                    ShiftHousehold.shift_id == shift.id, ShiftHousehold.household_id == back.id))
                rebuild_walks(shift, [volunteer_id])
                walk = _walk_of(shift, volunteer_id)
                room[volunteer_id][0] = 0
            room[volunteer_id] = [window - walk.minutes if room[volunteer_id][0] else 0,
                                  free_homes - len(chunk)]
            placed += len(chunk)
    return placed


def _walk_of(shift: Shift, volunteer_id: int) -> Walk:
    db.session.expire(shift, ["walks"])
    return next(w for w in shift.walks if w.volunteer_id == volunteer_id)
