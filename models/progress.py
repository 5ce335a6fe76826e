"""Walk and shift progress: which stops are done, what is still missing, what changed.

Everything is read from the database on each call, so several processes agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from extensions import db
from models.campaign import AGE_BASES, Campaign, Service
from models.household import Household, Resident
from models.shift import Shift, Walk, WalkStop
from models.visit import UNDO, ServiceState, Visit


@dataclass
class Missing:
    """A checklist item not yet done: for the household (resident None) or one resident."""

    service: Service
    resident: Optional[Resident]
    state: Optional[str]


@dataclass
class StopView:
    """Everything a stop's card shows."""

    stop: WalkStop
    household: Household
    number: int
    done: bool
    last: Optional[Visit]
    missing: list[Missing] = field(default_factory=list)
    undoable: Optional[Visit] = None


def in_basis(resident: Resident, service: Service, year: int) -> bool:
    """Whether the resident is in the service's age basis (unknown age counts as in)."""
    low, high = AGE_BASES.get(service.age_basis, AGE_BASES["all"])
    age = resident.age_in(year)
    return age is None or low <= age <= high


def campaign_services(shift: Shift) -> list[Service]:
    campaign = db.session.get(Campaign, shift.campaign_id) if shift.campaign_id else None
    return list(campaign.services) if campaign else []


def missing_items(household: Household, services: list[Service], year: int) -> list[Missing]:
    """The checklist items still to do for the household and its residents."""
    states = {(s.service_id, s.resident_id): s.state for s in db.session.scalars(
        db.select(ServiceState).where(ServiceState.household_id == household.id))}
    missing = []
    for service in services:
        if service.per == "household":
            state = states.get((service.id, None))
            if not service.is_done(state):
                missing.append(Missing(service, None, state))
            continue
        for resident in household.residents:
            state = states.get((service.id, resident.id))
            if in_basis(resident, service, year) and not service.is_done(state):
                missing.append(Missing(service, resident, state))
    return missing


def _effective(visits: list[Visit]) -> list[Visit]:
    undone = {v.undoes_id for v in visits if v.undoes_id}
    return [v for v in visits if v.outcome != UNDO and v.id not in undone]


def shift_visits(shift_id: int, household_ids: Optional[list[int]] = None) -> list[Visit]:
    """The shift's visits that still count (no undos, nothing undone), oldest first."""
    query = db.select(Visit).where(Visit.shift_id == shift_id)
    if household_ids is not None:
        query = query.where(Visit.household_id.in_(household_ids))
    return _effective(db.session.scalars(query.order_by(Visit.happened_at, Visit.id)).all())


def visited_ids(shift_id: int, household_ids: Optional[list[int]] = None) -> set[int]:
    """Households with a visit that counts in the shift (columns only: every save asks)."""
    query = db.select(Visit.id, Visit.household_id, Visit.outcome, Visit.undoes_id).where(
        Visit.shift_id == shift_id)
    if household_ids is not None:
        query = query.where(Visit.household_id.in_(household_ids))
    return {v.household_id for v in _effective(db.session.execute(query).all())}


def last_visits(household_ids: list[int]) -> dict[int, Visit]:
    """{household id: its latest visit that counts}, whatever the shift."""
    visits = db.session.scalars(db.select(Visit).where(Visit.household_id.in_(household_ids))
                                .order_by(Visit.happened_at, Visit.id)).all()
    return {v.household_id: v for v in _effective(visits)}


def undoable_visit(household_id: int, user_id: int, now, minutes: int) -> Optional[Visit]:
    """The user's latest visit here if it is recent enough to undo and not undone yet."""
    visits = db.session.scalars(db.select(Visit).where(Visit.household_id == household_id)
                                .order_by(Visit.id)).all()
    effective = _effective(visits)
    latest = effective[-1] if effective else None
    if latest is None or latest.user_id != user_id or latest.recorded_at < now - timedelta(
            minutes=minutes):
        return None
    return latest


def stop_views(walk: Walk, year: int, stops: Optional[list[WalkStop]] = None,
               user_id: Optional[int] = None, now=None, undo_minutes: int = 0) -> list[StopView]:
    """Cards for the walk's stops (all, or the ones given), in walking order."""
    stops = list(walk.stops) if stops is None else stops
    ids = [s.household_id for s in stops]
    done = visited_ids(walk.shift_id, ids)
    last = last_visits(ids)
    services = campaign_services(walk.shift)
    numbers = {s.id: k for k, s in enumerate(walk.stops, start=1)}
    views = []
    for stop in stops:
        household = stop.household
        view = StopView(stop, household, numbers[stop.id], household.id in done,
                        last.get(household.id), missing_items(household, services, year))
        if user_id is not None and now is not None:
            view.undoable = undoable_visit(household.id, user_id, now, undo_minutes)
        views.append(view)
    return views


def walk_progress(walk: Walk) -> tuple[int, int]:
    """(stops visited in this shift, stops)."""
    ids = [s.household_id for s in walk.stops]
    return len(visited_ids(walk.shift_id, ids)), len(ids)


@dataclass
class VolunteerProgress:
    walk: Walk
    done: int
    total: int
    last: Optional[Visit]

    @property
    def pct(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


def shift_progress(shift: Shift) -> list[VolunteerProgress]:
    """Each volunteer's progress in the shift, in the order the walks were built."""
    visits = shift_visits(shift.id)
    done = {v.household_id for v in visits}
    last_by_user = {v.user_id: v for v in visits}
    rows = []
    for walk in sorted(shift.walks, key=lambda w: w.id):
        ids = {s.household_id for s in walk.stops}
        rows.append(VolunteerProgress(walk, len(ids & done), len(ids),
                                      last_by_user.get(walk.volunteer_id)))
    return rows


def latest_visits(shift_id: int, limit: int = 12) -> list[Visit]:
    """The shift's most recent visits (undos included: the leader sees corrections)."""
    return db.session.scalars(db.select(Visit).where(Visit.shift_id == shift_id)
                              .order_by(Visit.recorded_at.desc(), Visit.id.desc())
                              .limit(limit)).all()


def shift_households(shift: Shift) -> list[tuple[Household, int]]:
    """(household, stop number) for every stop on the shift's walks."""
    rows = db.session.execute(
        db.select(Household, WalkStop.position).join(WalkStop, WalkStop.household_id == Household.id)
        .join(Walk, Walk.id == WalkStop.walk_id).where(Walk.shift_id == shift.id)
        .order_by(Walk.id, WalkStop.position)).all()
    return [(h, position + 1) for h, position in rows]


def fingerprint(shift_id: int) -> str:
    """A cheap token that changes whenever the shift's visits or walks change."""
    visits = db.session.execute(db.select(db.func.count(Visit.id), db.func.max(Visit.id))
                                .where(Visit.shift_id == shift_id)).one()
    stops = db.session.execute(
        db.select(db.func.count(WalkStop.id), db.func.max(WalkStop.id))
        .join(Walk, Walk.id == WalkStop.walk_id).where(Walk.shift_id == shift_id)).one()
    return "-".join(str(x or 0) for x in (*visits, *stops))


def todays_shifts(neighbourhood_id: int, today: date) -> list[Shift]:
    order = db.case({"sang": 0, "chieu": 1, "toi": 2}, value=Shift.slot)
    return db.session.scalars(db.select(Shift).where(Shift.neighbourhood_id == neighbourhood_id,
                                                     Shift.day == today).order_by(order)).all()
