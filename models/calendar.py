"""The campaign calendar: which lanes on which coming shift, until every household is reached.

From the households not yet reached (their lanes, the minutes they need, the slot that best
finds them home, their appointments) and the volunteers' availability, the coming shifts
are laid out at the group's own pace (shifts a week, as of the last four weeks): the shifts
already planned first, then proposed ones in the slots most volunteers are free. Each shift
takes lanes whole, as many as its volunteers' minutes hold: lanes with an appointment due
then first, then lanes whose best slot it is, then the rest in the leader's lane order. Not
every knock finds someone home, so a household counts for its expected number of visits
(from the group's answered knocks so far). Nothing here is stored: a proposal becomes a
shift when the leader accepts it.
"""
from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from extensions import db
from models.board import FREE_OR_UNSURE, answers, availability, path_length_m
from models.campaign import current_campaign
from models.household import Household
from models.place import Lane, Neighbourhood
from models.review import Filters, appointment_slots, not_reached
from models.rules import counting_sql, local_today
from models.shift import GOING, Shift, minutes_between
from models.user import volunteers_of
from models.visit import Visit
from models.visit_time import visit_minutes
from vocabulary import HOME, SETTLED, SLOT_ORDER, SLOTS

HORIZON_WEEKS = 26     # look this far ahead at the most
DEFAULT_PACE = 2       # shifts a week for a group that has not been out yet
WALKING_SHARE = 0.8    # of a shift's minutes, the share spent at doors and in lanes
LEAST_ANSWERED = 0.3   # a household is counted for at most 1 / this many visits


@dataclass
class Planned:
    """A coming shift, planned or proposed, with the lanes it would cover."""

    day: date
    slot: str
    people: int
    minutes: int = 0
    lanes: list[Lane] = field(default_factory=list)
    households: int = 0
    shift: Optional[Shift] = None   # the real shift, when it is one

    @property
    def proposed(self) -> bool:
        return self.shift is None


@dataclass
class Calendar:
    pace: int                   # shifts a week
    total: int                  # households of the group still counted (not moved, not vacant)
    reached: int                # of them, reached already
    shifts: list[Planned]       # coming shifts in order, until the last lane is covered
    done_by: Optional[date]     # when every household would be reached, at this pace
    weeks: list[tuple[date, int]]  # (Monday, households reached by that week's end)

    @property
    def proposals(self) -> list[Planned]:
        return [p for p in self.shifts if p.proposed]


def pace_of(neighbourhood_id: int, today: date) -> int:
    """Shifts a week the group has gone out on over the last four weeks (a default if none)."""
    count = db.session.scalar(db.select(db.func.count(Shift.id)).where(
        Shift.neighbourhood_id == neighbourhood_id, GOING,
        Shift.day >= today - timedelta(days=28), Shift.day < today)) or 0
    return min(max(round(count / 4), 1), 2 * len(SLOTS)) if count else DEFAULT_PACE


def answered_share(neighbourhood_id: int) -> float:
    """The share of the group's knocks that found someone home (1 before any knock)."""
    total, home = db.session.execute(
        db.select(db.func.count(Visit.id),
                  db.func.sum(db.case((Visit.outcome.in_(HOME), 1), else_=0)))
        .join(Household, Household.id == Visit.household_id)
        .where(Household.neighbourhood_id == neighbourhood_id, counting_sql())).one()
    return max((home or 0) / total, LEAST_ANSWERED) if total else 1.0


def calendar(neighbourhood_id: int, today: Optional[date] = None) -> Calendar:
    """The proposed sequence of coming shifts and what it would reach, week by week."""
    today = today or local_today()
    place_lanes = {lane.id: lane for lane in db.session.scalars(
        db.select(Lane).where(Lane.neighbourhood_id == neighbourhood_id))}
    rows, _ = not_reached(neighbourhood_id, Filters(), today.year, limit=100_000)
    rows = [r for r in rows if r.household.status not in SETTLED]
    counted = db.session.execute(db.select(Household.status, db.func.count()).where(
        Household.neighbourhood_id == neighbourhood_id).group_by(Household.status)).all()
    counts = dict(counted)
    total = sum(n for status, n in counts.items() if status not in ("moved", "vacant"))
    reached = counts.get("reached", 0)
    # Each lane's households, minutes (for the expected visits) and best slot.
    campaign = current_campaign(neighbourhood_id)
    probe = Shift(neighbourhood_id=neighbourhood_id, day=today, slot=SLOTS[-1],
                  campaign_id=campaign.id if campaign else None)
    minutes = visit_minutes([r.household for r in rows], probe)
    visits_each = 1 / answered_share(neighbourhood_id)
    # Units of work: a lane's households, apart from those with an appointment to keep.
    agreed = {h: (day, slot) for h, (day, slot) in appointment_slots(
        [r.household.id for r in rows if r.household.status == "appointment"]).items()
        if day >= today}
    homes: dict[tuple, int] = Counter()
    unit_minutes: dict[tuple, float] = defaultdict(float)
    lane_slots: dict[Optional[int], Counter] = defaultdict(Counter)
    for r in rows:
        unit = (r.household.lane_id, agreed.get(r.household.id))
        homes[unit] += 1
        unit_minutes[unit] += minutes.get(r.household.id, 0) * visits_each
        lane_slots[r.household.lane_id][r.suggested] += 1
    for unit in homes:  # in and out of the lane once
        lane = place_lanes.get(unit[0])
        if lane is not None:
            unit_minutes[unit] += 2 * _length_m(lane) / 60.0
    best = {lane_id: max(SLOTS, key=lambda s: (c[s], SLOT_ORDER[s])) for lane_id, c
            in lane_slots.items()}
    due = {appt for _lane, appt in homes if appt is not None}
    todo = sorted(homes, key=lambda u: ((place_lanes[u[0]].position, u[0]) if u[0] in place_lanes
                                        else (1e9, 0), u[1] is not None))
    shifts = _sequence(neighbourhood_id, today, pace_of(neighbourhood_id, today), due)
    laid: list[Planned] = []
    for planned in shifts:
        if not todo:
            break
        here = (planned.day, planned.slot)
        ready = [u for u in todo if _may_go(u[1], planned)]
        if planned.shift is not None and planned.shift.assignments:
            given = {a.lane_id for a in planned.shift.assignments}
            take = [u for u in ready if u[0] in given]
        else:
            budget = planned.people * planned.minutes * WALKING_SHARE
            order = sorted(ready, key=lambda u: (u[1] != here and u[1] is not None,
                                                 u[1] != here, best.get(u[0]) != planned.slot))
            take, used = [], 0.0
            for u in order:
                if used + unit_minutes[u] <= budget or (not take and budget > 0):
                    take.append(u)
                    used += unit_minutes[u]
        if not take and planned.proposed:
            continue
        lane_ids = list(dict.fromkeys(u[0] for u in take))
        planned.lanes = [place_lanes[k] for k in lane_ids if k in place_lanes]
        planned.households = sum(homes[u] for u in take)
        todo = [u for u in todo if u not in take]
        laid.append(planned)
    done_by = laid[-1].day if laid and not todo else None
    return Calendar(pace_of(neighbourhood_id, today), total, reached, laid, done_by,
                    _weeks(today, reached, laid))


def _may_go(appointment: Optional[tuple], planned: Planned) -> bool:
    """Households with an appointment wait for it: its day and slot (any slot if none said),
    or any shift after that day."""
    if appointment is None:
        return True
    day, slot = appointment
    return planned.day > day or (planned.day == day and slot in (None, planned.slot))


def _length_m(lane: Lane) -> float:
    return path_length_m(lane.path_points)


def _sequence(neighbourhood_id: int, today: date, pace: int, due: set) -> list[Planned]:
    """The coming shifts: those planned, and proposed ones at `pace` a week in the slots most
    volunteers are free (appointments' slots first), soonest first."""
    people = volunteers_of(neighbourhood_id)
    planned = db.session.scalars(db.select(Shift).where(
        Shift.neighbourhood_id == neighbourhood_id, GOING, Shift.day >= today)).all()
    taken = {(s.day, s.slot): s for s in planned}
    place = planned[0].neighbourhood if planned else None
    windows = _windows(neighbourhood_id, place)
    result = [Planned(s.day, s.slot, _free(people, s), s.window_minutes, shift=s)
              for s in planned]
    start = today + timedelta(days=1)
    monday = start - timedelta(days=start.weekday())
    for week in range(HORIZON_WEEKS):
        first = monday + timedelta(weeks=week)
        days = [first + timedelta(days=d) for d in range(7) if first + timedelta(days=d) >= start]
        already = sum(1 for day, _slot in taken if first <= day < first + timedelta(days=7))
        options = []
        for day in days:
            for slot in SLOTS:
                if (day, slot) in taken:
                    continue
                free = _free(people, Shift(day=day, slot=slot))
                if free:
                    options.append(((day, slot) in due, free, SLOT_ORDER[slot], -day.toordinal(),
                                    day, slot))
        options.sort(reverse=True)
        chosen, days_used = [], set()
        for agreed, free, _order, _day, day, slot in options:
            if not agreed and (len(chosen) + already >= pace or day in days_used):
                continue  # the group's pace, one outing a day; an appointment is kept anyway
            chosen.append(Planned(day, slot, free, windows[slot]))
            days_used.add(day)
        result += chosen
    return sorted(result, key=lambda p: (p.day, SLOT_ORDER[p.slot]))


def _windows(neighbourhood_id: int, place) -> dict[str, int]:
    place = place or db.session.get(Neighbourhood, neighbourhood_id)
    return {slot: minutes_between(*place.slot_window(slot)) for slot in SLOTS}


def _free(people, shift: Shift) -> int:
    """How many volunteers may go out then (free, or not yet said: as Suggest asks them)."""
    said = answers(shift) if shift.id is not None else {}
    return sum(1 for u in people if availability(u, shift, said) in FREE_OR_UNSURE)


def _weeks(today: date, reached: int, laid: list[Planned]) -> list[tuple[date, int]]:
    """(Monday, households reached by that week's end) from this week to the last shift's."""
    monday = today - timedelta(days=today.weekday())
    last = laid[-1].day if laid else today
    weeks, total = [], reached
    for k in range(min(math.ceil(((last - monday).days + 1) / 7), HORIZON_WEEKS) or 1):
        start = monday + timedelta(weeks=k)
        total += sum(p.households for p in laid if start <= p.day < start + timedelta(days=7))
        weeks.append((start, total))
    return weeks


def proposal(neighbourhood_id: int, day: date, slot: str) -> Optional[Planned]:
    """The proposed shift on that day and slot, if the calendar proposes one."""
    return next((p for p in calendar(neighbourhood_id).proposals
                 if (p.day, p.slot) == (day, slot)), None)
