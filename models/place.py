"""Ward, neighbourhood and lanes: the team's territory."""
from __future__ import annotations

from datetime import time
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from geo.paths import LanePath
from vocabulary import SLOT_WINDOWS


class Ward(db.Model):
    """Phường/xã, the lower of the two tiers of local government since July 2025."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120))
    # Old names from before the 2025 mergers, kept for search.
    aliases: Mapped[str] = mapped_column(String(500), default="")

    neighbourhoods: Mapped[list["Neighbourhood"]] = relationship(back_populates="ward")


class Neighbourhood(db.Model):
    """Tổ dân phố / thôn / xóm: one team's territory."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    meeting_point: Mapped[str] = mapped_column(String(200), default="Nhà văn hoá tổ")
    meeting_lat: Mapped[Optional[float]]
    meeting_lon: Mapped[Optional[float]]
    # {slot: ["HH:MM", "HH:MM"]} the group's own time windows; a slot not named keeps the default.
    slot_windows: Mapped[Optional[dict]] = mapped_column(JSON)

    ward: Mapped[Ward] = relationship(back_populates="neighbourhoods")
    lanes: Mapped[list["Lane"]] = relationship(back_populates="neighbourhood",
                                               order_by="Lane.position")

    def slot_window(self, slot: str) -> tuple[time, time]:
        """The group's time window for a slot (sáng 8:00–11:00 … unless it set its own)."""
        start, end = (self.slot_windows or {}).get(slot) or SLOT_WINDOWS[slot]
        return time.fromisoformat(start), time.fromisoformat(end)

    @property
    def meeting_latlon(self) -> tuple[float, float] | None:
        if self.meeting_lat is None or self.meeting_lon is None:
            return None
        return (self.meeting_lat, self.meeting_lon)


class Lane(db.Model):
    """Ngõ / ngách / hẻm / kiệt: lanes form a tree, each with a path from its mouth."""

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lane.id"))
    name: Mapped[str] = mapped_column(String(120))
    street: Mapped[str] = mapped_column(String(120), default="")
    position: Mapped[int] = mapped_column(default=0)
    # [[lat, lon], ...] from the mouth to the far end; empty until drawn.
    path: Mapped[list] = mapped_column(JSON, default=list)
    # A through-lane (ngõ thông): its far end comes out on another lane, or on a street.
    comes_out_on_id: Mapped[Optional[int]] = mapped_column(ForeignKey("lane.id", ondelete="SET NULL"))
    comes_out_street: Mapped[str] = mapped_column(String(120), default="")

    neighbourhood: Mapped[Neighbourhood] = relationship(back_populates="lanes")
    parent: Mapped[Optional["Lane"]] = relationship(remote_side=[id], back_populates="children",
                                                    foreign_keys=[parent_id])
    children: Mapped[list["Lane"]] = relationship(back_populates="parent", foreign_keys=[parent_id])
    comes_out_on: Mapped[Optional["Lane"]] = relationship(remote_side=[id], foreign_keys=[comes_out_on_id])

    @property
    def full_name(self) -> str:
        """'ngõ 12/ngách 3, Lương Ngọc Quyến' as people say it."""
        names, lane = [], self
        while lane is not None:
            names.append(lane.name)
            lane = lane.parent
        text = "/".join(reversed(names))
        return f"{text}, {self.street}" if self.street else text

    @property
    def path_points(self) -> list[tuple[float, float]]:
        return [(float(p[0]), float(p[1])) for p in (self.path or [])]

    @property
    def is_through(self) -> bool:
        return self.comes_out_on_id is not None or bool(self.comes_out_street)

    def come_out(self, onto: Optional["Lane"] = None, street: str = "") -> None:
        """Say where the far end comes out: on another lane of the neighbourhood, on a
        street, or nowhere (a dead end, both None/empty). Raises ValueError with the reason."""
        street = (street or "").strip()
        if onto is not None and street:
            raise ValueError(_("Một ngõ thông ra một ngõ khác hoặc ra một phố, không cả hai."))
        if onto is not None and (onto.id == self.id or onto.neighbourhood_id != self.neighbourhood_id):
            raise ValueError(_("Ngõ thông ra phải là một ngõ khác của cùng tổ."))
        if len(street) > 120:
            raise ValueError(_("Tên phố quá dài."))
        self.comes_out_on, self.comes_out_on_id, self.comes_out_street = onto, onto and onto.id, street

    def way_through(self) -> Optional[tuple]:
        """The through-lane as the planner takes it: (far end, where it comes out), the
        second None when that is a street; None for a dead end or a lane not yet drawn."""
        path = self.path_points
        if not path or not self.is_through:
            return None
        other = self.comes_out_on.path_points if self.comes_out_on is not None else []
        if other:
            along_other = LanePath(other)
            return (path[-1], along_other.point_at(along_other.project(path[-1])[0]))
        return (path[-1], None) if self.comes_out_street else None


def paths_of(lane_ids) -> dict[int, list[tuple[float, float]]]:
    """{lane id: its path} for these lanes."""
    lanes = db.session.scalars(db.select(Lane).where(Lane.id.in_(list(lane_ids))))
    return {lane.id: lane.path_points for lane in lanes}


def lanes_of(*neighbourhood_ids: int) -> list[Lane]:
    """The neighbourhoods' lanes in the leader's order, each with the lane it branches off."""
    return db.session.scalars(db.select(Lane).where(Lane.neighbourhood_id.in_(neighbourhood_ids))
                              .options(db.selectinload(Lane.parent))
                              .order_by(Lane.neighbourhood_id, Lane.position, Lane.id)).all()


def neighbourhoods_of(ward_id: Optional[int] = None) -> list[Neighbourhood]:
    """A ward's neighbourhoods (every one when no ward is named), by name."""
    query = db.select(Neighbourhood).order_by(Neighbourhood.name)
    if ward_id is not None:
        query = query.where(Neighbourhood.ward_id == ward_id)
    return db.session.scalars(query).all()


def all_wards() -> list[Ward]:
    return db.session.scalars(db.select(Ward).order_by(Ward.name)).all()
