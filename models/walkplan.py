"""Building and storing each volunteer's walk for a shift from the lane assignments.

Which households go into a walk: those not yet reached in the campaign, those whose
follow-up is due (not home, address not found, an appointment already passed) and
those with an appointment in this shift's slot; never those who moved away, declined,
are vacant or were reached. Walks are stored when planned and rebuilt only when the
leader changes that volunteer's lanes, so a list never reshuffles under their feet.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Iterable, Optional

from sqlalchemy.orm import selectinload

import planner
from extensions import db
from models.household import Household
from models.place import Lane, Neighbourhood
from models.base import utcnow
from models.review import appointment_slots, place_appointments, place_in_walks
from models.shift import Assignment, Shift, ShiftHousehold, Walk, WalkStop
from models.visit_time import VISIT_BASE_MIN, WALK_M_PER_MIN, visit_minutes
from vietnamese import house_number_key
from vocabulary import SETTLED


@dataclass
class Stop:
    """A household as the planner sees it: where it stands and how long the visit takes."""

    household: Household
    lat: float
    lon: float
    minutes: float

    def __post_init__(self):
        # What planner.plan_walk takes, made once (a ward's walks pass 3,000 stops twice).
        lane_id = self.household.lane_id
        self.as_stop = {"id": str(self.household.id), "lat": self.lat, "lon": self.lon,
                        "lane": str(lane_id) if lane_id else None}


def is_due(household: Household, shift: Optional[Shift], appointment=None) -> bool:
    """Does the household belong in this shift's walks?"""
    if household.status in SETTLED:
        return False
    if household.status != "appointment" or shift is None or appointment is None:
        return True
    day, slot = appointment
    if day is None or day < shift.day:
        return True  # the appointment has passed: follow it up
    return day == shift.day and (not slot or slot == shift.slot)


def households_to_visit(lane_ids: Iterable[int], shift: Optional[Shift] = None
                        ) -> dict[int, list[Household]]:
    """{lane id: households in it to visit in this shift}, by house number."""
    lane_ids = list(set(lane_ids))
    rows = db.session.scalars(db.select(Household).options(selectinload(Household.lane))
                              .where(Household.lane_id.in_(lane_ids),
                                     Household.status.not_in(SETTLED))).all()
    appointments = appointment_slots([h.id for h in rows if h.status == "appointment"])
    by_lane: dict[int, list[Household]] = defaultdict(list)
    for household in rows:
        if is_due(household, shift, appointments.get(household.id)):
            by_lane[household.lane_id].append(household)
    for households in by_lane.values():
        households.sort(key=lambda h: house_number_key(h.house_number))
    return by_lane


@dataclass
class Through:
    """The neighbourhood's through-lanes as the planner takes them, and the paths of the
    lanes they join (and of the lanes those branch off), so both ends lie on known lanes."""

    links: list
    paths: dict


def through_lanes(neighbourhood_id: int) -> Through:
    """The through-lanes (ngõ thông) of a neighbourhood, for the planner."""
    lanes = db.session.scalars(db.select(Lane).options(selectinload(Lane.comes_out_on)).where(
        Lane.neighbourhood_id == neighbourhood_id,
        db.or_(Lane.comes_out_on_id.is_not(None), Lane.comes_out_street != ""))).all()
    links = [way for way in (lane.way_through() for lane in lanes) if way]
    joined = lanes + [lane.comes_out_on for lane in lanes if lane.comes_out_on is not None]
    return Through(links, lane_paths(joined) if links else {})


def lane_paths(lanes: Iterable[Lane]) -> dict[str, list]:
    """{lane key: path} for the planner: these lanes and the lanes they branch off."""
    paths, todo = {}, list(lanes)
    while todo:
        lane = todo.pop()
        if lane is None or str(lane.id) in paths:
            continue
        paths[str(lane.id)] = lane.path_points
        todo.append(lane.parent)
    return {k: p for k, p in paths.items() if p}


def place_stops(households: list[Household], shift: Shift, minutes: dict) -> list[Stop]:
    """Stops with a position: the household's own, else its lane's mouth, else the start."""
    start = start_of(shift)
    stops = []
    for h in households:
        if h.has_position:
            lat, lon = h.lat, h.lon
        else:
            path = h.lane.path_points if h.lane is not None else []
            lat, lon = path[0] if path else start
        stops.append(Stop(h, lat, lon, minutes.get(h.id, VISIT_BASE_MIN)))
    return stops


def start_of(shift: Shift) -> tuple[float, float]:
    """Where volunteers set off: the shift's meeting point, else the neighbourhood's."""
    if shift.meeting_lat is not None and shift.meeting_lon is not None:
        return (shift.meeting_lat, shift.meeting_lon)
    place = db.session.get(Neighbourhood, shift.neighbourhood_id)
    return place.meeting_latlon or (0.0, 0.0)


def _planner_stops(stops: list[Stop]) -> list[dict]:
    return [s.as_stop for s in stops]


def plan_order(stops: list[Stop], lane_order: list[int], paths: dict, start,
               free: bool = False, through: Optional[Through] = None) -> list[Stop]:
    """Stops in walking order: lane by lane in the leader's order, the planner choosing
    the doors' order inside each lane; with `free`, the planner chooses the lanes' order too."""
    by_id = {str(s.household.id): s for s in stops}
    through = through or Through([], {})
    if free:
        return [by_id[i] for i in planner.plan_walk(_planner_stops(stops), paths, start,
                                                    links=through.links)]
    ordered, here = [], start
    for lane_id in lane_order:
        block = [s for s in stops if s.household.lane_id == lane_id]
        if not block:
            continue
        # Only this lane and the lanes it branches off: the rest does not change its order.
        chain = {**lane_paths([block[0].household.lane]), **through.paths}
        ids = planner.plan_walk(_planner_stops(block), chain or paths, here, links=through.links)
        ordered.extend(by_id[i] for i in ids)
        here = (ordered[-1].lat, ordered[-1].lon)
    return ordered


def build_walk(shift: Shift, volunteer_id: int, lane_ids: list[int],
               by_lane: dict[int, list[Household]], minutes: dict, free: bool = False,
               through: Optional[Through] = None) -> tuple[Walk, list[int]]:
    """A walk through the volunteer's lanes, with its length and estimated minutes, and
    the household ids of its stops in order (stored in bulk by rebuild_walks)."""
    households = [h for lane_id in lane_ids for h in by_lane.get(lane_id, [])]
    stops = place_stops(households, shift, minutes)
    through = through or through_lanes(shift.neighbourhood_id)
    paths = {**lane_paths(h.lane for h in households), **through.paths}
    start = start_of(shift)
    ordered = plan_order(stops, lane_ids, paths, start, free=free, through=through)
    length = planner.walk_length_m([s.as_stop["id"] for s in ordered], _planner_stops(ordered),
                                   paths, start, links=through.links) if ordered else 0.0
    walk = Walk(shift_id=shift.id, volunteer_id=volunteer_id, length_m=round(length, 1),
                minutes=round(length / WALK_M_PER_MIN + sum(s.minutes for s in ordered), 1))
    return walk, [s.household.id for s in ordered]


def lanes_of(shift: Shift) -> dict[int, list[int]]:
    """{volunteer id: their lane ids in walking order}."""
    result: dict[int, list[int]] = defaultdict(list)
    for assignment in sorted(shift.assignments, key=lambda a: (a.position, a.id or 0)):
        if assignment.lane_id not in result[assignment.volunteer_id]:
            result[assignment.volunteer_id].append(assignment.lane_id)
    return result


def rebuild_walks(shift: Shift, volunteer_ids: Optional[Iterable[int]] = None,
                  free: bool = False, by_lane: Optional[dict] = None,
                  minutes: Optional[dict] = None) -> list[Walk]:
    """Replace the walks of these volunteers (default: everyone) with ones built from
    their assignments and the households the leader chose for them by hand; a volunteer
    left with neither loses their walk. `by_lane` and `minutes` spare the queries when the
    caller (the board) has them already."""
    db.session.flush()
    plan = lanes_of(shift)
    extra = chosen_for(shift)
    chosen = set(plan) | set(extra) | {w.volunteer_id for w in shift.walks} \
        if volunteer_ids is None else set(volunteer_ids)
    if by_lane is None or minutes is None:
        by_lane = households_to_visit([lane for v in chosen for lane in plan.get(v, [])], shift)
        minutes = visit_minutes([h for hs in by_lane.values() for h in hs], shift)
    mine_extra = [h for v in chosen for h in extra.get(v, []) if h.id not in minutes]
    if mine_extra:
        minutes = {**minutes, **visit_minutes(mine_extra, shift)}
    through = through_lanes(shift.neighbourhood_id)
    # A door is on one walk of a shift: leave out those already on a walk that stays, and
    # those the leader gave by hand to someone else; a lane given twice goes to the first.
    taken = elsewhere_in(shift, chosen)
    built = []
    for v in sorted(chosen):
        order = list(plan.get(v, []))
        mine = {lane: [h for h in by_lane.get(lane, []) if taken.get(h.id, v) == v]
                for lane in order}
        for h in extra.get(v, []):  # the leader's choice, lane by lane after their own lanes
            if h.lane_id not in mine:
                order.append(h.lane_id)
                mine[h.lane_id] = []
            if h not in mine[h.lane_id]:
                mine[h.lane_id].append(h)
        if not any(mine.values()) and not plan.get(v):
            continue
        for households in mine.values():
            households.sort(key=lambda h: house_number_key(h.house_number))
        built.append(build_walk(shift, v, order, mine, minutes, free=free, through=through))
        taken.update((hid, v) for hid in built[-1][1])
    # Core statements, not the unit of work: a ward's 3,000 stops in one insert.
    old = [w for w in shift.walks if w.volunteer_id in chosen]
    for walk in old:
        db.session.expunge(walk)
    if old:
        ids = [w.id for w in old]
        db.session.execute(db.delete(WalkStop).where(WalkStop.walk_id.in_(ids)))
        db.session.execute(db.delete(Walk).where(Walk.id.in_(ids)))
    db.session.expire(shift, ["walks"])
    db.session.add_all(walk for walk, _ in built)
    db.session.flush()
    rows = [{"walk_id": walk.id, "household_id": hid, "position": k}
            for walk, order in built for k, hid in enumerate(order)]
    if rows:
        db.session.execute(db.insert(WalkStop), rows)
    for walk, _ in built:
        db.session.expire(walk, ["stops"])
    place_in_walks(shift)  # the households the leader added by hand, and due appointments
    return list(shift.walks)


def chosen_for(shift: Shift) -> dict[int, list[Household]]:
    """{volunteer: households the leader put into the shift for them by hand}, not reached."""
    result: dict[int, list[Household]] = defaultdict(list)
    for volunteer_id, household in db.session.execute(
            db.select(ShiftHousehold.volunteer_id, Household).join(Household)
            .options(selectinload(Household.lane))
            .where(ShiftHousehold.shift_id == shift.id, ShiftHousehold.volunteer_id.is_not(None),
                   Household.status != "reached")):
        result[volunteer_id].append(household)
    return result


def elsewhere_in(shift: Shift, rebuilt: set[int]) -> dict[int, int]:
    """{household: volunteer} for the shift's doors that stay where they are while these
    volunteers' walks are rebuilt: on another volunteer's walk, or chosen for someone."""
    taken = dict(db.session.execute(
        db.select(WalkStop.household_id, Walk.volunteer_id).join(Walk)
        .where(Walk.shift_id == shift.id, Walk.volunteer_id.not_in(list(rebuilt) or [0]))).all())
    taken.update(db.session.execute(
        db.select(ShiftHousehold.household_id, ShiftHousehold.volunteer_id)
        .where(ShiftHousehold.shift_id == shift.id,
               ShiftHousehold.volunteer_id.is_not(None))).all())
    return taken


def follow_planner(shift: Shift, volunteer_ids: Iterable[int], **known) -> list[Walk]:
    """Rebuild these volunteers' walks in the planner's order and give their lanes that order."""
    volunteer_ids = set(volunteer_ids)
    walks = [w for w in rebuild_walks(shift, volunteer_ids, free=True, **known)
             if w.volunteer_id in volunteer_ids]
    # Each walk's lanes in the order its stops come: rows, not a ward's 3,000 stop objects.
    rank: dict[int, dict[int, int]] = defaultdict(dict)
    for walk_id, lane_id in db.session.execute(
            db.select(WalkStop.walk_id, Household.lane_id).join(Household)
            .where(WalkStop.walk_id.in_([w.id for w in walks]))
            .order_by(WalkStop.walk_id, WalkStop.position)):
        rank[walk_id].setdefault(lane_id, len(rank[walk_id]))
    given: dict[int, list[Assignment]] = defaultdict(list)
    for a in shift.assignments:
        given[a.volunteer_id].append(a)
    for walk in walks:
        mine, order = given[walk.volunteer_id], rank[walk.id]
        for k, a in enumerate(sorted(mine, key=lambda a: (order.get(a.lane_id, len(order)),
                                                          a.position))):
            a.position = k
    return walks


def assign(shift: Shift, lane_id: int, volunteer_id: int) -> Assignment:
    """Give a lane to a volunteer at the end of their list."""
    position = 1 + max((a.position for a in shift.assignments
                        if a.volunteer_id == volunteer_id), default=-1)
    assignment = Assignment(lane_id=lane_id, volunteer_id=volunteer_id, position=position)
    shift.assignments.append(assignment)
    return assignment


def assign_many(shift: Shift, lanes_of_volunteer: dict[int, list[int]]) -> None:
    """Give lanes to volunteers at the end of their lists, in one INSERT (Suggest gives a
    ward's 400 at once; the unit of work would send one statement per lane)."""
    last: dict[int, int] = {}
    for a in shift.assignments:
        last[a.volunteer_id] = max(last.get(a.volunteer_id, -1), a.position)
    rows = [{"shift_id": shift.id, "lane_id": lane_id, "volunteer_id": volunteer_id,
             "position": last.get(volunteer_id, -1) + 1 + k}
            for volunteer_id, lane_ids in lanes_of_volunteer.items() for k, lane_id in enumerate(lane_ids)]
    if rows:
        db.session.flush()
        db.session.execute(db.insert(Assignment), rows)
        db.session.expire(shift, ["assignments"])


def give_lane(shift: Shift, lane_id: int, volunteer_id: Optional[int]) -> set[int]:
    """Give a lane to one volunteer (None: to nobody); returns the volunteers whose walks change."""
    current = [a for a in shift.assignments if a.lane_id == lane_id]
    if volunteer_id is not None and [a.volunteer_id for a in current] == [volunteer_id]:
        return set()
    changed = {a.volunteer_id for a in current}
    for a in current:
        shift.assignments.remove(a)
    if volunteer_id is not None:
        assign(shift, lane_id, volunteer_id)
        changed.add(volunteer_id)
    rebuild_walks(shift, changed)
    return changed


def move_lane(shift: Shift, volunteer_id: int, lane_id: int, step: int) -> bool:
    """Move a lane up (-1) or down (+1) in the volunteer's order and rebuild their walk."""
    mine = sorted((a for a in shift.assignments if a.volunteer_id == volunteer_id),
                  key=lambda a: (a.position, a.id or 0))
    k = next((i for i, a in enumerate(mine) if a.lane_id == lane_id), None)
    if k is None or not 0 <= k + step < len(mine):
        return False
    mine[k], mine[k + step] = mine[k + step], mine[k]
    for position, a in enumerate(mine):
        a.position = position
    rebuild_walks(shift, [volunteer_id])
    return True


def cancel_shift(shift: Shift) -> None:
    """Call a shift off: its walks go (no phone shows them), appointments placed in it move
    to the next shift in their slot; assignments stay on record. The caller commits."""
    shift.cancelled_at = utcnow()
    walks = db.select(Walk.id).where(Walk.shift_id == shift.id)
    db.session.execute(db.delete(WalkStop).where(WalkStop.walk_id.in_(walks)))
    db.session.execute(db.delete(Walk).where(Walk.shift_id == shift.id))
    db.session.execute(db.delete(ShiftHousehold).where(ShiftHousehold.shift_id == shift.id,
                                                       ShiftHousehold.reason == "appointment"))
    db.session.expire(shift, ["walks"])
    db.session.flush()
    place_appointments(shift.neighbourhood_id)
