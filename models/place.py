"""Ward, neighbourhood and lanes: the team's territory."""
from __future__ import annotations

import re
from datetime import datetime, time
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from geo.paths import LanePath
from models.base import Invalid, utcnow
from sheets.cells import LAT_RANGE, LON_RANGE
from vietnamese import fold, nfc
from vocabulary import SLOT_WINDOWS

NAME_MAX = 120
# Where a map opens when nothing of the group or its ward has a position yet: the whole
# country, never a city the group is not in.
COUNTRY_VIEW = ((16.0, 106.0), 6)


def name_order(name: str) -> tuple:
    """Groups in the order people count them: "Tổ 2" before "Tổ 10"."""
    return tuple(int(part) if part.isdigit() else part
                 for part in re.split(r"(\d+)", fold(name)))


class Ward(db.Model):
    """Phường/xã, the lower of the two tiers of local government since July 2025."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    province: Mapped[str] = mapped_column(String(120))
    # Old names from before the 2025 mergers, kept for search.
    aliases: Mapped[str] = mapped_column(String(500), default="")
    # Retired wards and groups stay, with their history; they only leave the lists.
    retired_at: Mapped[Optional[datetime]]

    neighbourhoods: Mapped[list["Neighbourhood"]] = relationship(back_populates="ward")

    @property
    def active_groups(self) -> list["Neighbourhood"]:
        return sorted((n for n in self.neighbourhoods if n.retired_at is None),
                      key=lambda n: name_order(n.name))

    @property
    def centre(self) -> Optional[tuple[float, float]]:
        """The middle of its groups' meeting points, if any is set."""
        points = [n.meeting_latlon for n in self.neighbourhoods if n.meeting_latlon]
        if not points:
            return None
        return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))


class Neighbourhood(db.Model):
    """Tổ dân phố / thôn / xóm: one team's territory."""

    id: Mapped[int] = mapped_column(primary_key=True)
    ward_id: Mapped[int] = mapped_column(ForeignKey("ward.id"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    meeting_point: Mapped[str] = mapped_column(String(200), default="Nhà văn hoá tổ")
    meeting_lat: Mapped[Optional[float]]
    meeting_lon: Mapped[Optional[float]]
    retired_at: Mapped[Optional[datetime]]
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

    @property
    def map_centre(self) -> Optional[tuple[float, float]]:
        """Where an empty map of the group opens: its meeting point, else its ward's."""
        return self.meeting_latlon or self.ward.centre

    def map_view(self, points=()) -> tuple[tuple[float, float], int]:
        """(centre, zoom) a map of the group opens on: its meeting point, else the middle of
        the points it shows, else its ward, else the whole country."""
        points = [p for p in points if p and p[0] is not None and p[1] is not None]
        if self.meeting_latlon:
            return self.meeting_latlon, 17
        if points:
            return (sum(p[0] for p in points) / len(points),
                    sum(p[1] for p in points) / len(points)), 17
        if self.ward.centre:
            return self.ward.centre, 15
        return COUNTRY_VIEW

    def set_meeting_point(self, lat, lon, label: str = "") -> None:
        """The meeting point (the cultural house) from a click on the map; Invalid if the
        point is not a real one in Việt Nam's part of the world."""
        try:
            lat, lon = float(lat), float(lon)
        except (TypeError, ValueError):
            raise Invalid(_("Hãy bấm lên bản đồ để chọn điểm tập trung.")) from None
        if not (LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]):
            raise Invalid(_("Điểm tập trung phải nằm ở Việt Nam."))
        label = nfc(label).strip()
        if len(label) > 200:
            raise Invalid(_("Tên điểm tập trung quá dài (tối đa 200 ký tự)."))
        self.meeting_lat, self.meeting_lon = lat, lon
        if label:
            self.meeting_point = label


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


def neighbourhoods_of(ward_id: Optional[int] = None,
                      with_retired: bool = False) -> list[Neighbourhood]:
    """A ward's neighbourhoods (every one when no ward is named), by name; retired ones
    only when asked."""
    query = db.select(Neighbourhood).order_by(Neighbourhood.name)
    if ward_id is not None:
        query = query.where(Neighbourhood.ward_id == ward_id)
    if not with_retired:
        query = query.where(Neighbourhood.retired_at.is_(None))
    return db.session.scalars(query).all()


def all_wards(with_retired: bool = False) -> list[Ward]:
    query = db.select(Ward).order_by(Ward.province, Ward.name)
    if not with_retired:
        query = query.where(Ward.retired_at.is_(None))
    return db.session.scalars(query).all()


# -- Places as the admin keeps them: create, rename, retire (never delete) ----------------
def _key(name: str) -> str:
    """Two names are the same whatever their case or spacing (tone marks do count: "Thôn
    Đồng" and "Thôn Động" are two villages)."""
    return " ".join(nfc(name or "").split()).casefold()


def _clean_name(name: str, what: str) -> str:
    name = " ".join(nfc(name or "").split())
    if not name:
        raise Invalid(_("Cần tên %(what)s.", what=what))
    if len(name) > NAME_MAX:
        raise Invalid(_("Tên %(what)s quá dài (tối đa %(n)s ký tự).", what=what, n=NAME_MAX))
    return name


def _ward_named(name: str, province: str, but: Optional[Ward] = None) -> Optional[Ward]:
    return next((w for w in all_wards() if w is not but and _key(w.name) == _key(name)
                 and _key(w.province) == _key(province)), None)


def create_ward(name: str, province: str, aliases: str = "") -> Ward:
    """A new ward of a province; Invalid if a ward of that name is already in it."""
    name, province = _clean_name(name, _("phường/xã")), _clean_name(province, _("tỉnh/thành"))
    if _ward_named(name, province):
        raise Invalid(_("%(province)s đã có “%(name)s”.", province=province, name=name))
    ward = Ward(name=name, province=province, aliases=nfc(aliases or "").strip()[:500])
    db.session.add(ward)
    db.session.flush()
    return ward


def rename_ward(ward: Ward, name: str) -> None:
    name = _clean_name(name, _("phường/xã"))
    if _ward_named(name, ward.province, but=ward):
        raise Invalid(_("%(province)s đã có “%(name)s”.", province=ward.province, name=name))
    ward.name = name


def retire_ward(ward: Ward) -> None:
    """Retire a ward with no active group; its history stays."""
    groups = ward.active_groups
    if groups:
        raise Invalid(_("Chưa thể thôi “%(name)s”: còn %(n)s tổ đang hoạt động (%(names)s). "
                        "Hãy thôi các tổ trước.", name=ward.name, n=len(groups),
                        names=", ".join(g.name for g in groups[:5])))
    ward.retired_at = utcnow()


def _group_named(ward: Ward, name: str, but: Optional[Neighbourhood] = None):
    return next((n for n in ward.active_groups if n is not but and _key(n.name) == _key(name)),
                None)


def create_group(ward: Ward, name: str) -> Neighbourhood:
    """A new tổ dân phố/thôn of an active ward; Invalid if the ward already has that name."""
    name = _clean_name(name, _("tổ"))
    if ward.retired_at is not None:
        raise Invalid(_("“%(name)s” đã thôi hoạt động.", name=ward.name))
    if _group_named(ward, name):
        raise Invalid(_("%(ward)s đã có “%(name)s”.", ward=ward.name, name=name))
    group = Neighbourhood(ward=ward, name=name)
    db.session.add(group)
    db.session.flush()
    return group


def create_groups(ward: Ward, rows: list[tuple[int, str]]) -> list[Neighbourhood]:
    """Many groups at once from a list of (row number, name): all of them or, at the first
    problem, none (Invalid names the row and the reason)."""
    seen: dict[str, int] = {}
    for row, name in rows:
        try:
            clean = _clean_name(name, _("tổ"))
        except Invalid as problem:
            raise Invalid(_("Dòng %(row)s: %(reason)s Chưa tổ nào được thêm.", row=row,
                            reason=problem)) from None
        if _key(clean) in seen:
            raise Invalid(_("Dòng %(row)s: “%(name)s” trùng với dòng %(first)s. Chưa tổ nào "
                            "được thêm.", row=row, name=clean, first=seen[_key(clean)]))
        if _group_named(ward, clean):
            raise Invalid(_("Dòng %(row)s: %(ward)s đã có “%(name)s”. Chưa tổ nào được thêm.",
                            row=row, ward=ward.name, name=clean))
        seen[_key(clean)] = row
    if not rows:
        raise Invalid(_("Danh sách không có tên tổ nào."))
    return [create_group(ward, name) for _row, name in rows]


def rename_group(group: Neighbourhood, name: str) -> None:
    name = _clean_name(name, _("tổ"))
    if _group_named(group.ward, name, but=group):
        raise Invalid(_("%(ward)s đã có “%(name)s”.", ward=group.ward.name, name=name))
    group.name = name


def retire_group(group: Neighbourhood) -> None:
    """Retire a group: it leaves the lists; its households, visits and figures stay."""
    group.retired_at = utcnow()


# -- Lanes as the leader draws them: name, parent, path from the mouth, delete ------------
PATH_MAX_POINTS = 500  # a lane of a few hundred metres needs tens of points


def clean_path(points) -> list[list[float]]:
    """[[lat, lon], ...] from the mouth, or Invalid: at least two points, all in Việt Nam."""
    try:
        path = [[round(float(p[0]), 7), round(float(p[1]), 7)] for p in points or []]
    except (TypeError, ValueError, IndexError):
        raise Invalid(_("Đường ngõ không đọc được. Hãy vẽ lại.")) from None
    if len(path) < 2:
        raise Invalid(_("Đường ngõ cần ít nhất hai điểm: đầu ngõ và cuối ngõ."))
    if len(path) > PATH_MAX_POINTS:
        raise Invalid(_("Đường ngõ quá nhiều điểm (tối đa %(n)s).", n=PATH_MAX_POINTS))
    if not all(LAT_RANGE[0] <= lat <= LAT_RANGE[1] and LON_RANGE[0] <= lon <= LON_RANGE[1]
               for lat, lon in path):
        raise Invalid(_("Đường ngõ phải nằm ở Việt Nam."))
    return path


def _lane_parent(place: Neighbourhood, parent_id, lane: Optional[Lane] = None):
    if not parent_id:
        return None
    parent = db.session.get(Lane, int(parent_id))
    if parent is None or parent.neighbourhood_id != place.id:
        raise Invalid(_("Ngõ cha phải là một ngõ của tổ."))
    walk = parent
    while walk is not None:  # a ngách cannot hang below itself
        if lane is not None and walk.id == lane.id:
            raise Invalid(_("Một ngõ không thể là ngách của chính nó."))
        walk = walk.parent
    return parent


def save_lane(place: Neighbourhood, lane: Optional[Lane], name: str, street: str,
              parent_id, path=None) -> Lane:
    """Create (lane None) or change a lane: its name, street, parent and, if given, its
    path; Invalid, with nothing changed, when one of them is wrong."""
    name = _clean_name(name, _("ngõ"))
    street = " ".join(nfc(street or "").split())[:120]
    parent = _lane_parent(place, parent_id, lane)
    cleaned = clean_path(path) if path is not None else None
    twin = next((other for other in lanes_of(place.id) if other is not lane
                 and _key(other.name) == _key(name) and other.parent_id == (parent and parent.id)
                 and _key(other.street) == _key(street)), None)
    if twin is not None:
        raise Invalid(_("Tổ đã có “%(name)s”.", name=twin.full_name))
    if lane is None:
        lane = Lane(neighbourhood=place, position=len(place.lanes))
        db.session.add(lane)
    lane.name, lane.street, lane.parent = name, street, parent
    if cleaned is not None:
        lane.path = cleaned
    db.session.flush()
    return lane


def delete_lane(lane: Lane, households: int) -> None:
    """Delete a lane with no household and no ngách; Invalid otherwise."""
    if households:
        raise Invalid(_("Chưa xoá được “%(name)s”: còn %(n)s hộ ở ngõ này. Hãy chuyển các hộ "
                        "sang ngõ khác trước.", name=lane.full_name, n=households))
    if lane.children:
        raise Invalid(_("Chưa xoá được “%(name)s”: còn ngách của ngõ này.", name=lane.full_name))
    for other in db.session.scalars(db.select(Lane).where(Lane.comes_out_on_id == lane.id)):
        other.comes_out_on_id = None
    db.session.delete(lane)
    db.session.flush()


def match_lane(place: Neighbourhood, name: str) -> Optional[Lane]:
    """The group's lane a GeoJSON name means: its full name, with or without its street,
    or its own name when only one lane has it (diacritics and case ignored)."""
    wanted = fold(" ".join(nfc(name or "").split()))
    lanes = lanes_of(place.id)
    for lane in lanes:
        bare = lane.full_name.rsplit(", ", 1)[0] if lane.street else lane.full_name
        if wanted in (fold(lane.full_name), fold(bare)):
            return lane
    alone = [lane for lane in lanes if fold(lane.name) == wanted]
    return alone[0] if len(alone) == 1 else None
