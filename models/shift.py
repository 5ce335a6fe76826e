"""Shifts (buổi), lane assignments (phân công) and the stored walks (lộ trình)."""
from __future__ import annotations

from datetime import date, datetime, time
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from flask_babel import gettext as _

from extensions import db
from models.base import Invalid, utcnow
from models.rules import local_today
from vietnamese import nfc
from vocabulary import SLOT_ORDER, SLOTS


class Shift(db.Model):
    """One outing: a date and a slot, with a meeting point."""

    __table_args__ = (UniqueConstraint("neighbourhood_id", "day", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id"), index=True)
    campaign_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"))
    day: Mapped[date] = mapped_column(index=True)
    slot: Mapped[str] = mapped_column(String(10))
    meeting_point: Mapped[str] = mapped_column(String(200), default="")
    meeting_lat: Mapped[Optional[float]]
    meeting_lon: Mapped[Optional[float]]
    # The shift's own time window; None: the group's window for the slot.
    starts_at: Mapped[Optional[time]]
    ends_at: Mapped[Optional[time]]
    # A cancelled shift stays on record (its visits keep their shift) but has no walks.
    cancelled_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="shift", order_by="Assignment.position", cascade="all, delete-orphan")
    walks: Mapped[list["Walk"]] = relationship(back_populates="shift",
                                               cascade="all, delete-orphan")
    neighbourhood: Mapped["Neighbourhood"] = relationship()  # noqa: F821

    @property
    def window(self) -> tuple[time, time]:
        """When the shift goes out: its own window, else the group's for the slot."""
        if self.starts_at is not None and self.ends_at is not None:
            return self.starts_at, self.ends_at
        return self.neighbourhood.slot_window(self.slot)

    @property
    def window_minutes(self) -> int:
        """The minutes a volunteer has in this shift, door to door and walking included."""
        return minutes_between(*self.window)


def minutes_between(start: time, end: time) -> int:
    return (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)


class Assignment(db.Model):
    """In a shift, a lane given to a volunteer, in the order the volunteer walks them."""

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    lane_id: Mapped[int] = mapped_column(ForeignKey("lane.id"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    shift: Mapped[Shift] = relationship(back_populates="assignments")
    lane: Mapped["Lane"] = relationship()  # noqa: F821
    volunteer: Mapped["User"] = relationship()  # noqa: F821


class Walk(db.Model):
    """A volunteer's ordered stops for a shift, stored so it never reshuffles mid-walk."""

    __table_args__ = (UniqueConstraint("shift_id", "volunteer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    volunteer_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    length_m: Mapped[float] = mapped_column(default=0)
    minutes: Mapped[float] = mapped_column(default=0)
    built_at: Mapped[datetime] = mapped_column(default=utcnow)

    shift: Mapped[Shift] = relationship(back_populates="walks")
    volunteer: Mapped["User"] = relationship()  # noqa: F821
    stops: Mapped[list["WalkStop"]] = relationship(
        back_populates="walk", order_by="WalkStop.position", cascade="all, delete-orphan")


class WalkStop(db.Model):
    """One door on a walk, in visiting order."""

    __table_args__ = (UniqueConstraint("walk_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    walk_id: Mapped[int] = mapped_column(ForeignKey("walk.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    position: Mapped[int]

    walk: Mapped[Walk] = relationship(back_populates="stops")
    household: Mapped["Household"] = relationship()  # noqa: F821


class ShiftResponse(db.Model):
    """A volunteer's "I can't make it" for one shift."""

    __table_args__ = (UniqueConstraint("shift_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    can_come: Mapped[bool] = mapped_column(default=False)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class ShiftHousehold(db.Model):
    """A household the leader put into a shift by hand (from the review list or an appointment).

    Kept apart from the lane assignments so that rebuilding the walks keeps it.
    """

    __table_args__ = (UniqueConstraint("shift_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shift_id: Mapped[int] = mapped_column(ForeignKey("shift.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    # The volunteer chosen by the leader; None: whoever has the household's lane.
    volunteer_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(20), default="leader")  # leader | appointment
    added_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


# Shifts in the order they go out: by day, then morning, afternoon, evening.
IN_SLOT_ORDER = db.case(SLOT_ORDER, value=Shift.slot)
SOONEST_FIRST = (Shift.day, IN_SLOT_ORDER)

GOING = Shift.cancelled_at.is_(None)


def coming_shifts(neighbourhood_id: int, going_only: bool = False) -> list[Shift]:
    """The neighbourhood's shifts from today on (cancelled ones too, unless asked), soonest
    first."""
    query = db.select(Shift).where(Shift.neighbourhood_id == neighbourhood_id,
                                   Shift.day >= local_today())
    if going_only:
        query = query.where(GOING)
    return db.session.scalars(query.order_by(*SOONEST_FIRST)).all()


def coming_shift(neighbourhood_id: int, shift_id: Optional[int]) -> Optional[Shift]:
    """One of the neighbourhood's shifts from today on, not cancelled, or None."""
    return db.session.scalar(db.select(Shift).where(
        Shift.id == (shift_id or 0), Shift.neighbourhood_id == neighbourhood_id,
        Shift.day >= local_today(), GOING))


def shifts_on(day: date, neighbourhood_id: Optional[int] = None) -> list[Shift]:
    """The shifts of a day (of one neighbourhood, or everywhere), morning first; not cancelled."""
    query = db.select(Shift).where(Shift.day == day, GOING)
    if neighbourhood_id is not None:
        query = query.where(Shift.neighbourhood_id == neighbourhood_id)
    return db.session.scalars(query.order_by(IN_SLOT_ORDER, Shift.id)).all()


def walks_of(volunteer_id: int, day: date) -> list[Walk]:
    """A volunteer's walks in the day's shifts, morning first."""
    return db.session.scalars(db.select(Walk).join(Shift).where(
        Walk.volunteer_id == volunteer_id, Shift.day == day, GOING).order_by(IN_SLOT_ORDER)).all()


def walk_of(shift_id: int, volunteer_id: int) -> Optional[Walk]:
    return db.session.scalar(db.select(Walk).where(Walk.shift_id == shift_id,
                                                   Walk.volunteer_id == volunteer_id))


def respond_to(shift: Shift, user_id: int, can_come: bool) -> ShiftResponse:
    """A volunteer's "I can't make it" for the shift (or "I can come after all")."""
    response = db.session.scalar(db.select(ShiftResponse).where(
        ShiftResponse.shift_id == shift.id, ShiftResponse.user_id == user_id))
    if response is None:
        response = ShiftResponse(shift_id=shift.id, user_id=user_id)
        db.session.add(response)
    response.can_come, response.at = can_come, utcnow()
    return response


def cant_come_to(user_id: int, shift_ids: list[int]) -> list[int]:
    """Those of the shifts the volunteer said they cannot make."""
    return db.session.scalars(db.select(ShiftResponse.shift_id).where(
        ShiftResponse.user_id == user_id, ShiftResponse.shift_id.in_(shift_ids),
        ShiftResponse.can_come.is_(False))).all()


def plan_shift(neighbourhood, fields: dict, campaign_id: Optional[int]) -> Shift:
    """A new shift (or a cancelled one in the same slot, going again), or Invalid if the slot
    is already planned. The caller commits."""
    shift = db.session.scalar(db.select(Shift).where(
        Shift.neighbourhood_id == neighbourhood.id, Shift.day == fields["day"],
        Shift.slot == fields["slot"]))
    if shift is not None and shift.cancelled_at is None:
        raise Invalid(_("Buổi này đã có trong kế hoạch."))
    if shift is None:
        shift = Shift(neighbourhood_id=neighbourhood.id, meeting_lat=neighbourhood.meeting_lat,
                      meeting_lon=neighbourhood.meeting_lon)
        db.session.add(shift)
    for name, value in fields.items():
        setattr(shift, name, value)
    shift.campaign_id, shift.cancelled_at = campaign_id, None
    shift.meeting_point = shift.meeting_point or neighbourhood.meeting_point
    db.session.flush()
    return shift


def edit_shift(shift: Shift, fields: dict) -> bool:
    """Change a shift's day, slot, meeting point or window, or Invalid if that slot is taken;
    returns whether the day or slot moved (then the walks are rebuilt by the caller)."""
    taken = db.session.scalar(db.select(Shift.id).where(
        Shift.neighbourhood_id == shift.neighbourhood_id, Shift.day == fields["day"],
        Shift.slot == fields["slot"], Shift.id != shift.id))
    if taken is not None:
        raise Invalid(_("Buổi này đã có trong kế hoạch."))
    moved = (shift.day, shift.slot) != (fields["day"], fields["slot"])
    for name, value in fields.items():
        setattr(shift, name, value)
    shift.meeting_point = shift.meeting_point or shift.neighbourhood.meeting_point
    return moved


def new_shift_fields(form) -> dict:
    """A new shift's day, slot and meeting point from a form, or Invalid with the reason."""
    try:
        day = date.fromisoformat(form.get("day", ""))
    except ValueError:
        day = None
    if day is None or form.get("slot") not in SLOTS:
        raise Invalid(_("Cần chọn ngày và buổi (sáng, chiều hoặc tối)."))
    if day < local_today():
        raise Invalid(_("Không thể lên kế hoạch cho ngày đã qua."))
    starts_at, ends_at = window_fields(form)
    # nfc drops control characters: PostgreSQL refuses a NUL byte with a 500
    return {"day": day, "slot": form["slot"], "meeting_point": nfc(form.get("meeting_point"))[:200],
            "starts_at": starts_at, "ends_at": ends_at}


def window_fields(form, prefix: str = "") -> tuple[Optional[time], Optional[time]]:
    """A time window from a form (`<prefix>starts_at`, `<prefix>ends_at`, both or neither),
    or Invalid with the reason."""
    given = [(form.get(f"{prefix}{name}") or "").strip() for name in ("starts_at", "ends_at")]
    if not any(given):
        return None, None
    try:
        start, end = (time.fromisoformat(value) for value in given)
    except ValueError:
        raise Invalid(_("Giờ buổi cần cả giờ bắt đầu và giờ kết thúc, dạng 19:00.")) from None
    if minutes_between(start, end) < 30:
        raise Invalid(_("Giờ kết thúc phải sau giờ bắt đầu ít nhất 30 phút."))
    return start.replace(second=0, microsecond=0), end.replace(second=0, microsecond=0)


def group_windows_fields(form) -> dict:
    """The group's time windows {slot: ["HH:MM", "HH:MM"]} from a form, or Invalid."""
    windows = {}
    for slot in SLOTS:
        start, end = window_fields(form, f"{slot}-")
        if start is None:
            raise Invalid(_("Cần giờ bắt đầu và giờ kết thúc cho cả ba buổi."))
        windows[slot] = [start.strftime("%H:%M"), end.strftime("%H:%M")]
    return windows
