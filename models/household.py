"""Households and their residents (kept minimal: no ID-card numbers, ever)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from vietnamese import fold
from vocabulary import NOT_VISITED


class Household(db.Model):
    """Hộ gia đình: head of household, address, members, and where it stands on the map."""

    __table_args__ = (UniqueConstraint("neighbourhood_id", "lane_id", "street", "house_number",
                                       name="uq_household_address"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id"), index=True)
    lane_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lane.id"), index=True)
    street: Mapped[str] = mapped_column(String(120), default="")
    house_number: Mapped[str] = mapped_column(String(40))
    head_name: Mapped[str] = mapped_column(String(200))
    head_name_folded: Mapped[str] = mapped_column(String(200), index=True, default="")
    members: Mapped[int] = mapped_column(default=1)
    phone: Mapped[Optional[str]] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(1000), default="")
    # Position and how it was found: import, door, pin, geocoder_house, geocoder_street, lane.
    lat: Mapped[Optional[float]]
    lon: Mapped[Optional[float]]
    position_source: Mapped[Optional[str]] = mapped_column(String(20))
    position_accuracy_m: Mapped[Optional[float]]
    position_approximate: Mapped[bool] = mapped_column(default=False)
    # vocabulary.STATUSES, derived from visits (models.visit.derive); stored so lists and
    # figures need no replay.
    status: Mapped[str] = mapped_column(String(20), default=NOT_VISITED, index=True)
    # When the household agreed that the team keeps and uses its data (None: not recorded).
    consent_at: Mapped[Optional[datetime]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # Optimistic locking: a conflicting edit is reported, not overwritten.
    version: Mapped[int] = mapped_column(default=1)
    __mapper_args__ = {"version_id_col": version}

    lane: Mapped[Optional["Lane"]] = relationship()  # noqa: F821
    residents: Mapped[list["Resident"]] = relationship(
        back_populates="household", cascade="all, delete-orphan", order_by="Resident.id")

    def set_consent(self, given: Optional[bool], at: datetime) -> bool:
        """Record (True) or withdraw (False) the household's consent; None leaves it as it
        is. True when it changed."""
        if given is None or given == (self.consent_at is not None):
            return False
        self.consent_at = at if given else None
        return True

    def set_head_name(self, name: str) -> None:
        self.head_name = name
        self.head_name_folded = fold(name)

    @property
    def address(self) -> str:
        """'12 ngõ 5/ngách 2, Lương Ngọc Quyến' as written on a walk card."""
        where = self.lane.full_name if self.lane else self.street
        return f"{self.house_number} {where}".strip()

    @property
    def has_position(self) -> bool:
        return self.lat is not None and self.lon is not None


class Resident(db.Model):
    """Nhân khẩu: a label ('chủ hộ', 'vợ', 'con') and a birth year for the age bands."""

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id", ondelete="CASCADE"),
                                              index=True)
    label: Mapped[str] = mapped_column(String(60))
    birth_year: Mapped[Optional[int]]

    household: Mapped[Household] = relationship(back_populates="residents")

    def age_in(self, year: int) -> Optional[int]:
        return None if self.birth_year is None else year - self.birth_year
