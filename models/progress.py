"""Walk and shift progress: which stops are done, what is still missing, what changed.

Everything is read from the database on each call, so several processes agree.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Optional

from sqlalchemy import Row

from extensions import db
from models.campaign import Service
from models.household import Household, Resident
from models.rules import counting, to_ask
from models.shift import IN_SLOT_ORDER, Shift, Walk, WalkStop
from models.visit import ServiceState, Visit


@dataclass
class Missing:
    """A checklist item not yet done: for the household (resident None) or one resident."""

    service: Service
    resident: Optional[Resident]
    state: Optional[str]


@dataclass
class StopView:
    """Everything a stop's card shows."""

    household: Household
    number: int
    done: bool
    last: Optional[Row]  # DOOR_VISIT columns
    missing: list[Missing] = field(default_factory=list)
    undoable: Optional[Row] = None


# The queries every visit save runs are built once: SQLAlchemy then reuses their cache keys.
# The door form asks only about services still on it (not retired, not switched off).
CHECKLIST = (db.select(Service).where(Service.campaign_id == db.bindparam("campaign_id"),
                                      Service.retired_at.is_(None),
                                      Service.switched_off.is_(False))
             .order_by(Service.position))
STATES = (db.select(ServiceState.household_id, ServiceState.service_id,
                    ServiceState.resident_id, ServiceState.state)
          .where(ServiceState.household_id.in_(db.bindparam("ids", expanding=True))))


def campaign_services(shift: Shift) -> list[Service]:
    """The checklist of the shift's campaign, in one query."""
    if not shift.campaign_id:
        return []
    return db.session.scalars(CHECKLIST, {"campaign_id": shift.campaign_id}).all()


def service_states(household_ids: list[int]) -> dict[int, dict]:
    """{household id: {(service id, resident id): state}} for the households given."""
    states: dict[int, dict] = {hid: {} for hid in household_ids}
    for row in db.session.execute(STATES, {"ids": household_ids}):
        states[row.household_id][(row.service_id, row.resident_id)] = row.state
    return states


def missing_items(household: Household, services: list[Service], year: int,
                  states: dict) -> list[Missing]:
    """The checklist items still to do for the household and its residents.

    `states`: the household's {(service id, resident id): state} (service_states)."""
    missing = []
    for service in services:
        if service.per == "household":
            state = states.get((service.id, None))
            if not service.is_done(state):
                missing.append(Missing(service, None, state))
            continue
        for resident in household.residents:
            state = states.get((service.id, resident.id))
            if to_ask(resident.birth_year, service.age_basis, year) and not service.is_done(state):
                missing.append(Missing(service, resident, state))
    return missing


def shift_visits(shift_id: int, household_ids: Optional[list[int]] = None) -> list[Visit]:
    """The shift's visits that still count (no undos, nothing undone), oldest first."""
    query = db.select(Visit).where(Visit.shift_id == shift_id)
    if household_ids is not None:
        query = query.where(Visit.household_id.in_(household_ids))
    return counting(db.session.scalars(query.order_by(Visit.happened_at, Visit.id)))


# What a card shows of a visit, read as plain rows: the walk's doors have many visits.
DOOR_VISIT = (Visit.id, Visit.household_id, Visit.shift_id, Visit.user_id, Visit.outcome,
              Visit.undoes_id, Visit.happened_at, Visit.recorded_at, Visit.come_back_day,
              Visit.come_back_slot, Visit.note)
# A walk's doors in order, each with its visits. Joined by household, never filtered by
# shift: with a shift's visits growing all evening the planner would scan them all.
WALK_DOORS = (db.select(WalkStop.household_id.label("door"), *DOOR_VISIT)
              .outerjoin(Visit, Visit.household_id == WalkStop.household_id)
              .where(WalkStop.walk_id == db.bindparam("walk_id"))
              .order_by(WalkStop.position, Visit.happened_at, Visit.id))


def undoable(history: list, user_id: int, now, minutes: int):
    """The user's latest visit in a door's history if recent enough to undo (and not undone)."""
    latest = max(history, key=lambda v: v.id, default=None)
    if latest is None or latest.user_id != user_id or latest.recorded_at < now - timedelta(
            minutes=minutes):
        return None
    return latest


@dataclass
class WalkState:
    """A walk's doors in walking order with what each has had (walk_state: one query)."""

    shift_id: int
    histories: dict[int, list]  # door -> its visits that count (DOOR_VISIT), in walking order
    numbers: dict[int, int] = field(init=False)  # door -> its number on the walk

    def __post_init__(self):
        self.numbers = {door: k for k, door in enumerate(self.histories, start=1)}

    def number(self, household_id: int) -> int:
        return self.numbers[household_id]

    def done(self, household_id: int) -> bool:
        """Visited in the walk's shift (a visit that counts)."""
        return any(v.shift_id == self.shift_id for v in self.histories[household_id])

    def progress(self) -> tuple[int, int]:
        """(stops visited in this shift, stops)."""
        return sum(self.done(hid) for hid in self.histories), len(self.histories)


def walk_state(walk: Walk) -> WalkState:
    rows = db.session.execute(WALK_DOORS, {"walk_id": walk.id}).all()
    histories: dict[int, list] = {row.door: [] for row in rows}
    for visit in counting(row for row in rows if row.id is not None):
        histories[visit.household_id].append(visit)
    return WalkState(walk.shift_id, histories)


def _households(household_ids: list[int]) -> list[Household]:
    """The households with residents and lanes, in three queries however many they are."""
    return db.session.scalars(db.select(Household).where(Household.id.in_(household_ids))
                              .options(db.selectinload(Household.residents),
                                       db.selectinload(Household.lane))).all()


def stop_views(walk: Walk, state: WalkState, year: int,
               households: Optional[list[Household]] = None, user_id: Optional[int] = None,
               now=None, undo_minutes: int = 0,
               services: Optional[list[Service]] = None) -> list[StopView]:
    """Cards for the walk's stops (`state`, from walk_state), or for the households given.

    A fixed number of queries however long the walk; `services` (the campaign's checklist)
    may be passed by a caller that already has it.
    """
    if households is None:
        by_id = {h.id: h for h in _households(list(state.histories))}
        households = [by_id[hid] for hid in state.histories]
    services = campaign_services(walk.shift) if services is None else services
    states = service_states([h.id for h in households])
    views = []
    for household in households:
        history = state.histories[household.id]
        view = StopView(household, state.number(household.id), state.done(household.id),
                        history[-1] if history else None,
                        missing_items(household, services, year, states[household.id]))
        if user_id is not None and now is not None:
            view.undoable = undoable(history, user_id, now, undo_minutes)
        views.append(view)
    return views


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


# A household's stop on a volunteer's walks since a day, the latest shift first.
STOP_OF_VOLUNTEER = (
    db.select(WalkStop).join(Walk).join(Shift)
    .options(db.contains_eager(WalkStop.walk).contains_eager(Walk.shift))
    .where(WalkStop.household_id == db.bindparam("household_id"),
           Walk.volunteer_id == db.bindparam("volunteer_id"),
           Shift.day >= db.bindparam("since"))
    .order_by(Shift.day.desc(), IN_SLOT_ORDER.desc()))


def stop_of(household_id: int, volunteer_id: int, since: date) -> Optional[WalkStop]:
    """The household's stop on the volunteer's walk of `since` or later (the latest)."""
    return db.session.scalars(STOP_OF_VOLUNTEER, {"household_id": household_id,
                                                  "volunteer_id": volunteer_id,
                                                  "since": since}).first()
