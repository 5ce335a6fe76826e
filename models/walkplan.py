"""Building and storing each volunteer's walk for a shift from the lane assignments."""
from __future__ import annotations

from collections import defaultdict

from extensions import db
from models.household import Household
from models.shift import Assignment, Shift, Walk, WalkStop
from vietnamese import house_number_key

# Households a walk leaves out unless the leader adds them back.
SETTLED = ("reached", "moved", "declined", "vacant")


def households_to_visit(lane_ids: list[int]) -> dict[int, list[Household]]:
    """{lane id: households still to visit in it}."""
    rows = db.session.scalars(db.select(Household).where(Household.lane_id.in_(lane_ids),
                                                         Household.status.not_in(SETTLED)))
    by_lane: dict[int, list[Household]] = defaultdict(list)
    for household in rows:
        by_lane[household.lane_id].append(household)
    return by_lane


def order_stops(lane_ids: list[int], by_lane: dict[int, list[Household]]) -> list[Household]:
    """Lane by lane in the given order, houses by number."""
    return [h for lane_id in lane_ids
            for h in sorted(by_lane.get(lane_id, []), key=lambda h: house_number_key(h.house_number))]


def rebuild_walks(shift: Shift) -> list[Walk]:
    """Replace the shift's walks with ones built from its assignments."""
    lanes_of: dict[int, list[int]] = defaultdict(list)
    for assignment in sorted(shift.assignments, key=lambda a: a.position):
        lanes_of[assignment.volunteer_id].append(assignment.lane_id)
    by_lane = households_to_visit([a.lane_id for a in shift.assignments])
    shift.walks.clear()
    db.session.flush()
    for volunteer_id, lane_ids in lanes_of.items():
        stops = order_stops(lane_ids, by_lane)
        walk = Walk(volunteer_id=volunteer_id,
                    stops=[WalkStop(household_id=h.id, position=k) for k, h in enumerate(stops)])
        shift.walks.append(walk)
    db.session.flush()
    return list(shift.walks)


def assign(shift: Shift, lane_id: int, volunteer_id: int) -> Assignment:
    """Give a lane to a volunteer at the end of their list."""
    position = 1 + max((a.position for a in shift.assignments
                        if a.volunteer_id == volunteer_id), default=-1)
    assignment = Assignment(lane_id=lane_id, volunteer_id=volunteer_id, position=position)
    shift.assignments.append(assignment)
    return assignment
