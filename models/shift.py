"""Shifts (buổi), lane assignments (phân công) and the stored walks (lộ trình)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow

SLOT_LABELS = {"sang": "Sáng", "chieu": "Chiều", "toi": "Tối"}


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
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    assignments: Mapped[list["Assignment"]] = relationship(
        back_populates="shift", order_by="Assignment.position", cascade="all, delete-orphan")
    walks: Mapped[list["Walk"]] = relationship(back_populates="shift",
                                               cascade="all, delete-orphan")

    @property
    def slot_label(self) -> str:
        return SLOT_LABELS.get(self.slot, self.slot)


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
