"""Not yet reached: the campaign's open households, their attempts and slots, and when to go back.

Attempts and slots are counted by the database (GROUP BY over visits); the few rows a page
shows are then given a suggested slot in Python.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Optional

from sqlalchemy import and_, case, exists, func, or_, select
from sqlalchemy.orm import aliased, selectinload

from extensions import db
from models.campaign import Service, current_campaign
from models.household import Household, Resident
from models.place import Lane
from models.base import utcnow
from models.rules import counting_sql, in_basis_sql, local_time, local_today, slot_of, slot_of_sql
from models.shift import GOING, SOONEST_FIRST, Assignment, Shift, ShiftHousehold, Walk, WalkStop
from models.visit import ServiceState, Visit
from vietnamese import house_number_key
from vocabulary import HOME, OPEN, SLOT_ORDER, SLOTS

FLAG_AFTER = 3  # not home this many times: phone, or ask a neighbour


def missing(service: Service, year: int):
    """SQL: the household still lacks this service (for itself, or for a resident in its base)."""
    done = and_(ServiceState.service_id == service.id, ServiceState.state.in_(service.done_states))
    if service.per == "household":
        return ~exists().where(ServiceState.household_id == Household.id,
                               ServiceState.resident_id.is_(None), done)
    return exists().where(Resident.household_id == Household.id,
                          in_basis_sql(service.age_basis, year),
                          ~exists().where(ServiceState.resident_id == Resident.id, done))


def attempt_stats(neighbourhood_id: int):
    """Per household: attempts, not-home count, last attempt, and per slot tried/home/away."""
    slot = slot_of_sql(Visit.happened_at)
    columns = [Visit.household_id, func.count().label("attempts"),
               func.sum(case((Visit.outcome == "not_home", 1), else_=0)).label("not_home"),
               func.max(Visit.happened_at).label("last_at")]
    for s in SLOTS:
        columns += [
            func.sum(case((and_(slot == s, Visit.outcome.in_(HOME)), 1), else_=0)).label(f"home_{s}"),
            func.sum(case((and_(slot == s, Visit.outcome == "not_home"), 1), else_=0)).label(f"away_{s}"),
            func.sum(case((slot == s, 1), else_=0)).label(f"tried_{s}")]
    return (select(*columns).join(Household, Household.id == Visit.household_id)
            .where(Household.neighbourhood_id == neighbourhood_id, counting_sql())
            .group_by(Visit.household_id).subquery("attempt_stats"))


@dataclass
class Filters:
    """What the leader narrowed the list to; empty values filter nothing."""

    lane_id: Optional[int] = None
    status: Optional[str] = None
    min_attempts: int = 0
    min_not_home: int = 0
    last_slot: Optional[str] = None
    never_slots: list[str] = field(default_factory=list)
    missing: Optional[str] = None  # a service code

    @classmethod
    def from_args(cls, args) -> "Filters":
        def number(name):
            value = args.get(name, "")
            return max(0, min(int(value), 99)) if value.isdigit() else 0
        lane = args.get("lane", "")
        return cls(lane_id=int(lane) if lane.isdigit() else None,
                   status=args.get("status") if args.get("status") in OPEN else None,
                   min_attempts=number("attempts"), min_not_home=number("not_home"),
                   last_slot=args.get("last_slot") if args.get("last_slot") in SLOTS else None,
                   never_slots=[s for s in args.getlist("never") if s in SLOTS],
                   missing=args.get("missing") or None)


def _conditions(neighbourhood_id: int, filters: Filters, stats, services: dict, year: int):
    where = [Household.neighbourhood_id == neighbourhood_id, Household.status.in_(OPEN)]
    if filters.lane_id:
        where.append(Household.lane_id == filters.lane_id)
    if filters.status:
        where.append(Household.status == filters.status)
    if filters.min_attempts:
        where.append(func.coalesce(stats.c.attempts, 0) >= filters.min_attempts)
    if filters.min_not_home:
        where.append(func.coalesce(stats.c.not_home, 0) >= filters.min_not_home)
    if filters.last_slot:
        where.append(and_(stats.c.last_at.is_not(None),
                          slot_of_sql(stats.c.last_at) == filters.last_slot))
    for s in filters.never_slots:
        where.append(func.coalesce(stats.c[f"tried_{s}"], 0) == 0)
    if filters.missing in services:
        where.append(missing(services[filters.missing], year))
    return where


@dataclass
class Row:
    household: Household
    attempts: int
    not_home: int
    last_at: Optional[datetime]
    tried: list[str]
    suggested: str
    flagged: bool


def suggest_slot(home: dict, away: dict, appointment_slot: Optional[str] = None) -> str:
    """The slot most likely to find someone home: an appointment's, else the best odds.

    Odds are (home + 1) / (home + away + 2) per slot, so an untried slot counts as even
    and beats one where nobody was home; ties go to the evening, when people are back.
    """
    if appointment_slot in SLOTS:
        return appointment_slot
    return max(reversed(SLOTS), key=lambda s: (home.get(s, 0) + 1) /
               (home.get(s, 0) + away.get(s, 0) + 2))


def not_reached(neighbourhood_id: int, filters: Filters, year: int,
                limit: int = 2000) -> tuple[list[Row], dict[Optional[int], int]]:
    """The open households that match, with their attempts, and a count per lane."""
    campaign = current_campaign(neighbourhood_id)
    services = {s.code: s for s in campaign.services} if campaign else {}
    stats = attempt_stats(neighbourhood_id)
    where = _conditions(neighbourhood_id, filters, stats, services, year)
    joined = lambda q: q.outerjoin(stats, stats.c.household_id == Household.id)  # noqa: E731
    per_lane = dict(db.session.execute(joined(select(Household.lane_id, func.count()))
                                       .where(*where).group_by(Household.lane_id)).all())
    lane = aliased(Lane)
    rows = db.session.execute(
        joined(select(Household, stats).outerjoin(lane, lane.id == Household.lane_id))
        .options(selectinload(Household.lane).selectinload(Lane.parent)).where(*where)
        .order_by(lane.position, Household.id).limit(limit)).all()
    appointments = appointment_slots([r[0].id for r in rows if r[0].status == "appointment"])
    result = []
    for r in rows:
        m = r._mapping
        home = {s: m[f"home_{s}"] or 0 for s in SLOTS}
        away = {s: m[f"away_{s}"] or 0 for s in SLOTS}
        household = r[0]
        result.append(Row(household=household, attempts=m["attempts"] or 0,
                          not_home=m["not_home"] or 0, last_at=m["last_at"],
                          tried=[s for s in SLOTS if m[f"tried_{s}"]],
                          suggested=suggest_slot(home, away, appointments.get(household.id,
                                                                              (None, None))[1]),
                          flagged=(m["not_home"] or 0) >= FLAG_AFTER))
    result.sort(key=lambda row: (row.household.lane.position if row.household.lane else 1e9,
                                 house_number_key(row.household.house_number)))
    return result, per_lane


def appointment_slots(household_ids: list[int]) -> dict[int, tuple[date, Optional[str]]]:
    """{household: (day, slot)} of each one's latest appointment made at the door."""
    if not household_ids:
        return {}
    visits = db.session.execute(
        select(Visit.household_id, Visit.come_back_day, Visit.come_back_slot)
        .where(Visit.household_id.in_(household_ids), Visit.outcome == "come_back",
               Visit.come_back_day.is_not(None), counting_sql())
        .order_by(Visit.happened_at, Visit.id)).all()
    return {h: (day, slot) for h, day, slot in visits}  # later visits overwrite earlier


def first_shift(neighbourhood_id: int, day: date, slot: Optional[str]) -> Optional[Shift]:
    """The first shift in that slot (any slot if none) on or after that day."""
    query = select(Shift).where(Shift.neighbourhood_id == neighbourhood_id, GOING,
                                Shift.day >= max(day, local_today()))
    if slot in SLOTS:
        query = query.where(Shift.slot == slot)
    return db.session.scalar(query.order_by(*SOONEST_FIRST).limit(1))


def place_appointments(neighbourhood_id: int) -> list[ShiftHousehold]:
    """Put each pending appointment into the first matching shift, once: there it stays."""
    ids = db.session.scalars(select(Household.id).where(
        Household.neighbourhood_id == neighbourhood_id, Household.status == "appointment")).all()
    placed = []
    for household_id, (day, slot) in appointment_slots(ids).items():
        held = db.session.scalar(select(ShiftHousehold.id).join(Shift).where(
            ShiftHousehold.household_id == household_id, ShiftHousehold.reason == "appointment",
            Shift.day >= day).limit(1))
        shift = None if held else first_shift(neighbourhood_id, day, slot)
        if shift is not None:
            row = ShiftHousehold(shift_id=shift.id, household_id=household_id,
                                 reason="appointment")
            db.session.add(row)
            placed.append(row)
    db.session.flush()
    for shift_id in {row.shift_id for row in placed}:
        _place(db.session.get(Shift, shift_id))
    return placed


@dataclass
class Added:
    """Where the households put into a shift ended up, for a message that tells the truth."""

    chosen: int = 0     # on the walk of the volunteer the leader chose
    owner: int = 0      # on the walk of whoever has their lane (no volunteer chosen)
    waiting: int = 0    # on no walk: nobody has their lane yet
    settled: int = 0    # already reached: left out of every walk


def not_begun(neighbourhood_id: int, now: Optional[datetime] = None):
    """SQL: the neighbourhood's shifts that have not begun (a later day, or a later slot today)."""
    now = now or utcnow()
    today, now_slot = local_time(now).date(), slot_of(now)
    later_today = [s for s in SLOTS if SLOT_ORDER[s] > SLOT_ORDER[now_slot]]
    return and_(Shift.neighbourhood_id == neighbourhood_id,
                or_(Shift.day > today, and_(Shift.day == today, Shift.slot.in_(later_today))))


def not_over(neighbourhood_id: Optional[int] = None, now: Optional[datetime] = None):
    """SQL: shifts not yet over (a later day, or today's shift in this slot or later)."""
    now = now or utcnow()
    today, now_slot = local_time(now).date(), slot_of(now)
    from_now = [s for s in SLOTS if SLOT_ORDER[s] >= SLOT_ORDER[now_slot]]
    where = or_(Shift.day > today, and_(Shift.day == today, Shift.slot.in_(from_now)))
    return where if neighbourhood_id is None else and_(Shift.neighbourhood_id == neighbourhood_id,
                                                       where)


def appointment_made(household: Household, knocked_in: Optional[int] = None) -> Optional[Shift]:
    """An appointment made at the door takes effect at once: the household leaves every walk
    of the shifts not yet begun (knocking a day early helps nobody) and goes into the first
    shift in the agreed slot, on the walk of whoever has its lane there; the walk it was
    knocked on (`knocked_in`, a shift) keeps it. The caller commits."""
    coming = select(Shift.id).where(not_begun(household.neighbourhood_id),
                                    Shift.id != (knocked_in or 0))
    db.session.execute(db.delete(ShiftHousehold).where(
        ShiftHousehold.household_id == household.id, ShiftHousehold.shift_id.in_(coming)))
    db.session.execute(db.delete(WalkStop).where(
        WalkStop.household_id == household.id,
        WalkStop.walk_id.in_(select(Walk.id).where(Walk.shift_id.in_(coming)))))
    db.session.flush()
    placed = place_appointments(household.neighbourhood_id)
    return next((db.session.get(Shift, row.shift_id) for row in placed
                 if row.household_id == household.id), None)


def add_to_shift(shift: Shift, household_ids: list[int], volunteer_id: Optional[int],
                 added_by_id: Optional[int]) -> Added:
    """The leader puts households into a shift, for a chosen volunteer (taken off any other
    walk of the shift: a door is on one walk) or for whoever has their lane."""
    rows = {r.household_id: r for r in db.session.scalars(select(ShiftHousehold).where(
        ShiftHousehold.shift_id == shift.id, ShiftHousehold.household_id.in_(household_ids)))}
    for household_id in household_ids:
        row = rows.get(household_id) or ShiftHousehold(shift_id=shift.id,
                                                       household_id=household_id)
        row.volunteer_id, row.added_by_id = volunteer_id, added_by_id
        db.session.add(row)
    db.session.flush()
    if volunteer_id is not None:
        others = select(Walk.id).where(Walk.shift_id == shift.id,
                                       Walk.volunteer_id != volunteer_id)
        db.session.execute(db.delete(WalkStop).where(WalkStop.walk_id.in_(others),
                                                     WalkStop.household_id.in_(household_ids)))
        from models.walkplan import rebuild_walks  # walkplan builds on this module
        rebuild_walks(shift, [volunteer_id])  # their walk, with its length and minutes
    place_in_walks(shift)
    where = dict(db.session.execute(select(WalkStop.household_id, Walk.volunteer_id).join(Walk)
                                    .where(Walk.shift_id == shift.id,
                                           WalkStop.household_id.in_(household_ids))).all())
    reached = set(db.session.scalars(select(Household.id).where(
        Household.id.in_(household_ids), Household.status == "reached")))
    added = Added()
    for household_id in set(household_ids):
        if household_id in where:
            if volunteer_id is not None and where[household_id] == volunteer_id:
                added.chosen += 1
            else:
                added.owner += 1
        elif household_id in reached:
            added.settled += 1
        else:
            added.waiting += 1
    return added


def place_in_walks(shift: Shift) -> set[int]:
    """Append the shift's hand-added households and due appointments to walks (rebuild_walks
    calls this last); returns every household on one of the shift's walks."""
    place_appointments(shift.neighbourhood_id)
    return _place(shift)


def _place(shift: Shift) -> set[int]:
    """Each hand-added household goes to the volunteer chosen for it, else to whoever has
    its lane in the shift; with neither it waits, and joins when its lane is given."""
    walks = {w.volunteer_id: w for w in db.session.scalars(select(Walk).where(
        Walk.shift_id == shift.id))}
    on_walk = set(db.session.scalars(select(WalkStop.household_id).join(Walk).where(
        Walk.shift_id == shift.id)))
    lane_owner = {a.lane_id: a.volunteer_id for a in db.session.scalars(select(Assignment).where(
        Assignment.shift_id == shift.id).order_by(Assignment.position.desc()))}
    lane = aliased(Lane)
    extra = db.session.execute(
        select(ShiftHousehold, Household).join(Household)
        .outerjoin(lane, lane.id == Household.lane_id)
        .where(ShiftHousehold.shift_id == shift.id, Household.status != "reached")
        .order_by(lane.position, Household.id)).all()
    extra.sort(key=lambda r: (r[1].lane.position if r[1].lane else 1e9,
                              house_number_key(r[1].house_number)))
    for row, household in extra:
        volunteer_id = row.volunteer_id or lane_owner.get(household.lane_id)
        if household.id in on_walk or volunteer_id is None:
            continue
        walk = walks.get(volunteer_id)
        if walk is None:
            walk = walks[volunteer_id] = Walk(shift_id=shift.id, volunteer_id=volunteer_id)
            db.session.add(walk)
            db.session.flush()
        position = 1 + (db.session.scalar(select(func.max(WalkStop.position))
                                          .where(WalkStop.walk_id == walk.id)) or -1)
        db.session.add(WalkStop(walk_id=walk.id, household_id=household.id, position=position))
        on_walk.add(household.id)
    db.session.flush()
    db.session.expire(shift, ["walks"])
    return on_walk


def planned(household_ids: list[int], now: Optional[datetime] = None) -> dict[int, Shift]:
    """{household: the soonest coming shift it was put into by hand or by appointment}."""
    if not household_ids:
        return {}
    rows = db.session.execute(select(ShiftHousehold.household_id, Shift).join(Shift).where(
        ShiftHousehold.household_id.in_(household_ids), not_over(now=now), GOING)
        .order_by(*(column.desc() for column in SOONEST_FIRST))).all()
    return {h: shift for h, shift in rows}  # the soonest last, so it stays
