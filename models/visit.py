"""Visits (lượt gõ cửa): append-only; a household's status and services derive from them."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import ForeignKey, String
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import Invalid, utcnow
from models.household import Household
from models.rules import counting
from vietnamese import nfc
from vocabulary import NOT_VISITED, OUTCOMES, SLOTS, STATUS_OF_OUTCOME, UNDO

UNDO_MINUTES = 10


class VisitError(Invalid):
    """A visit that cannot be recorded; the message says why, in the volunteer's language."""


class Visit(db.Model):
    """One knock on one door. Never edited or deleted: a correction is a new visit."""

    id: Mapped[int] = mapped_column(primary_key=True)
    # Made on the phone, so a visit sent twice is stored once.
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    shift_id: Mapped[Optional[int]] = mapped_column(ForeignKey("shift.id", ondelete="SET NULL"),
                                                    index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                   index=True)
    outcome: Mapped[str] = mapped_column(String(20))
    come_back_day: Mapped[Optional[date]]
    come_back_slot: Mapped[Optional[str]] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(String(1000), default="")
    happened_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    lat: Mapped[Optional[float]]
    lon: Mapped[Optional[float]]
    accuracy_m: Mapped[Optional[float]]
    # Indexed: erasing a household deletes its visits, and each delete looks for its undos.
    undoes_id: Mapped[Optional[int]] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"),
                                                     index=True)

    household: Mapped[Household] = relationship()
    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
    records: Mapped[list["ServiceRecord"]] = relationship(back_populates="visit",
                                                          cascade="all, delete-orphan")


class ServiceRecord(db.Model):
    """A service set up during a visit, for the household or for one resident."""

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"))
    resident_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"))
    state: Mapped[str] = mapped_column(String(40))

    visit: Mapped[Visit] = relationship(back_populates="records")


class ServiceState(db.Model):
    """The current state of a service for a household or resident, derived from visits."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    resident_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("resident.id", ondelete="CASCADE"), index=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("service.id", ondelete="CASCADE"),
                                            index=True)
    state: Mapped[str] = mapped_column(String(40))
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))


@dataclass
class VisitInput:
    """What a phone sends for one visit."""

    client_id: str
    outcome: str
    note: str = ""
    services: list[tuple[int, Optional[int], str]] = field(default_factory=list)
    come_back_day: Optional[date] = None
    come_back_slot: Optional[str] = None
    happened_at: Optional[datetime] = None
    lat: Optional[float] = None
    lon: Optional[float] = None
    accuracy_m: Optional[float] = None
    consent: bool = False  # the household agreed, at the door, that the team keeps its data


BY_CLIENT_ID = db.select(Visit).where(Visit.client_id == db.bindparam("client_id"))
HAPPENED_LATER = (db.select(Visit.id).where(Visit.household_id == db.bindparam("household_id"),
                                            Visit.happened_at > db.bindparam("happened_at"))
                  .limit(1))


def find_by_client_id(client_id: str) -> Optional[Visit]:
    return db.session.scalar(BY_CLIENT_ID, {"client_id": client_id})


def derive(household: Household) -> None:
    """Recompute the household's status and current services from its visits.

    Two column queries however many visits the door has had: loading each visit's records
    one by one made every save slower than the last under load (benchmarks/load.py).
    """
    rows = db.session.execute(db.select(Visit.id, Visit.outcome, Visit.undoes_id)
                              .where(Visit.household_id == household.id)
                              .order_by(Visit.happened_at, Visit.id)).all()
    visits = counting(rows)
    household.status = STATUS_OF_OUTCOME[visits[-1].outcome] if visits else NOT_VISITED
    position = {v.id: k for k, v in enumerate(visits)}
    records = db.session.execute(
        db.select(ServiceRecord.id, ServiceRecord.visit_id, ServiceRecord.service_id,
                  ServiceRecord.resident_id, ServiceRecord.state)
        .join(Visit, Visit.id == ServiceRecord.visit_id)
        .where(Visit.household_id == household.id)).all()
    db.session.execute(db.delete(ServiceState).where(ServiceState.household_id == household.id))
    current: dict[tuple[int, Optional[int]], tuple[str, int]] = {}
    for record in sorted((r for r in records if r.visit_id in position),
                         key=lambda r: (position[r.visit_id], r.id)):
        current[(record.service_id, record.resident_id)] = (record.state, record.visit_id)
    db.session.add_all(ServiceState(household_id=household.id, service_id=service_id,
                                    resident_id=resident_id, state=state, visit_id=visit_id)
                       for (service_id, resident_id), (state, visit_id) in current.items())


def keep_latest_states(household: Household, visit: Visit) -> None:
    """The services `visit` recorded become the door's current ones (`visit` is its latest)."""
    latest = {(r.service_id, r.resident_id): r.state for r in visit.records}
    if not latest:
        return
    db.session.execute(db.delete(ServiceState).where(
        ServiceState.household_id == household.id,
        db.or_(*(db.and_(ServiceState.service_id == service_id,
                         ServiceState.resident_id.is_(None) if resident_id is None
                         else ServiceState.resident_id == resident_id)
                 for service_id, resident_id in latest))))
    db.session.add_all(ServiceState(household_id=household.id, service_id=service_id,
                                    resident_id=resident_id, state=state, visit_id=visit.id)
                       for (service_id, resident_id), state in latest.items())


# The household row as it is now, with its lane (the volunteer's card shows it), locked on
# PostgreSQL so two phones at one door queue up (SQLite writes one at a time anyway).
LOCKED_HOUSEHOLD = (db.select(Household).where(Household.id == db.bindparam("household_id"))
                    .options(db.joinedload(Household.lane))
                    .with_for_update(of=Household)
                    .execution_options(populate_existing=True))


def _lock(household_id: int) -> Household:
    return db.session.scalars(LOCKED_HOUSEHOLD, {"household_id": household_id}).one()


def _check(household: Household, data: VisitInput, services: dict) -> None:
    if data.outcome not in OUTCOMES:
        raise VisitError(_("Kết quả gõ cửa không hợp lệ"))
    if data.outcome == "come_back" and not data.come_back_day:
        raise VisitError(_("Hẹn quay lại: cần chọn ngày"))
    residents = {r.id for r in household.residents}
    for service_id, resident_id, state in data.services:
        service = services.get(service_id)
        if service is None or state not in service.states:
            raise VisitError(_("Dịch vụ hoặc trạng thái không hợp lệ"))
        if (service.per == "resident") != (resident_id is not None):
            raise VisitError(_("Dịch vụ không khớp với hộ hoặc nhân khẩu"))
        if resident_id is not None and resident_id not in residents:
            raise VisitError(_("Nhân khẩu không thuộc hộ này"))


def record_visit(household_id: int, user_id: Optional[int], data: VisitInput,
                 services: dict, shift_id: Optional[int] = None,
                 recorded_at: Optional[datetime] = None) -> tuple[Visit, bool]:
    """Store a visit once (by its phone-made id) and re-derive the household.

    `data.happened_at` is trusted as given (routes pass it through plausible_time).
    Returns (visit, created). The caller commits.
    """
    household = _lock(household_id)
    # Under the lock: on PostgreSQL a twin request may have committed while we waited.
    existing = find_by_client_id(data.client_id)
    if existing is not None:
        return existing, False
    _check(household, data, services)
    now = recorded_at or utcnow()
    happened_at = data.happened_at or now
    # Nearly always the door's latest knock: then it alone decides the status, in the same
    # flush as the visit. A phone sending an older knock late re-derives from every visit.
    latest = db.session.scalar(HAPPENED_LATER, {"household_id": household.id,
                                                "happened_at": happened_at}) is None
    visit = Visit(client_id=data.client_id, household=household, shift_id=shift_id,
                  user_id=user_id, outcome=data.outcome, note=data.note[:1000],
                  come_back_day=data.come_back_day, come_back_slot=data.come_back_slot,
                  happened_at=happened_at, recorded_at=now,
                  lat=data.lat, lon=data.lon, accuracy_m=data.accuracy_m)
    visit.records = [ServiceRecord(service_id=s, resident_id=r, state=st)
                     for s, r, st in data.services]
    if latest:
        household.status = STATUS_OF_OUTCOME[data.outcome]
    if data.consent:  # kept as first given: a later knock never changes it
        household.set_consent(True, happened_at)
    db.session.add(visit)
    try:
        db.session.flush()
    except IntegrityError:  # the unique client_id is the last word
        # Only the same id sent for another door at the same moment gets here (a twin for
        # this door waited for the lock above): refused, the caller rolls back.
        raise VisitError(_("Mã lượt gõ cửa đã dùng cho nhà khác: hãy tải lại trang")) from None
    if latest:
        keep_latest_states(household, visit)
    else:
        derive(household)
    return visit, True


def undo_visit(visit: Visit, user_id: Optional[int], client_id: str) -> Visit:
    """Cancel a wrong tap with a new visit record; nothing is deleted."""
    if utcnow() - visit.recorded_at > timedelta(minutes=UNDO_MINUTES):
        raise VisitError(_("Chỉ hoàn tác được trong %(n)s phút", n=UNDO_MINUTES))
    existing = find_by_client_id(client_id)
    if existing is not None:
        return existing
    household = _lock(visit.household_id)
    undo = Visit(client_id=client_id, household=household, shift_id=visit.shift_id,
                 user_id=user_id, outcome=UNDO, undoes_id=visit.id)
    db.session.add(undo)
    db.session.flush()
    derive(household)
    return undo


def plausible_time(happened_at: Optional[datetime], now: datetime) -> datetime:
    """The phone's time of the visit, unless its clock is clearly wrong."""
    if happened_at is None or happened_at > now + timedelta(minutes=5) \
            or happened_at < now - timedelta(days=7):
        return now
    return happened_at


CLIENT_ID_CHARS = frozenset("0123456789abcdefABCDEF-")


def _float(value, low: float, high: float) -> Optional[float]:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if low <= number <= high else None


def parse_time(value) -> Optional[datetime]:
    """An ISO 8601 time from a phone (with or without offset) as naive UTC, or None."""
    try:
        moment = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def visit_input(fields, services: dict) -> VisitInput:
    """A VisitInput from form or JSON fields; raises VisitError on bad input.

    Services are named ``s-<service id>`` (household) or ``s-<service id>-<resident id>``;
    an empty value means "not touched in this visit".
    """
    client_id = str(fields.get("client_id") or "").strip()
    if not 8 <= len(client_id) <= 64 or not set(client_id) <= CLIENT_ID_CHARS:
        raise VisitError(_("Thiếu mã lượt gõ cửa: hãy tải lại trang"))
    data = VisitInput(client_id=client_id, outcome=str(fields.get("outcome") or ""),
                      # nfc drops control characters: PostgreSQL refuses a NUL byte (a 500
                      # that the phone's offline queue would resend for ever)
                      note=nfc(str(fields.get("note") or ""))[:1000],
                      happened_at=parse_time(fields.get("happened_at") or ""))
    if not data.outcome:
        raise VisitError(_("Hãy chọn kết quả gõ cửa"))
    if data.outcome == "come_back":
        try:
            data.come_back_day = date.fromisoformat(str(fields.get("come_back_day") or ""))
        except ValueError:
            raise VisitError(_("Hẹn quay lại: cần chọn ngày")) from None
        slot = fields.get("come_back_slot") or None
        if slot is not None and slot not in SLOTS:
            raise VisitError(_("Buổi hẹn không hợp lệ"))
        if slot is None:  # no default: a slot the household never chose sends the wrong person
            raise VisitError(_("Hẹn quay lại: cần chọn buổi (sáng, chiều hay tối)"))
        data.come_back_slot = slot
    for key in fields:
        value = fields.get(key)
        if not str(key).startswith("s-") or not value:
            continue
        parts = str(key).split("-")[1:]
        if not 1 <= len(parts) <= 2 or not all(p.isdigit() for p in parts):
            raise VisitError(_("Dịch vụ hoặc trạng thái không hợp lệ"))
        resident_id = int(parts[1]) if len(parts) == 2 else None
        data.services.append((int(parts[0]), resident_id, str(value)))
    if data.services and data.outcome != "met":
        raise VisitError(_("Chỉ ghi dịch vụ khi đã gặp hộ"))
    data.consent = str(fields.get("consent") or "").lower() in ("yes", "true", "1")
    if data.consent and data.outcome != "met":
        raise VisitError(_("Chỉ ghi nhận đồng ý khi đã gặp hộ"))
    data.lat, data.lon = _float(fields.get("lat"), -90, 90), _float(fields.get("lon"), -180, 180)
    data.accuracy_m = _float(fields.get("accuracy"), 0, 100_000)
    return data
