"""Household import: a parsed sheet previewed against the database, then applied whole.

Between the preview and the leader's confirmation the uploaded file waits in the
database as an ``ImportDraft`` (its bytes, not the parsed rows): any process can pick
it up, nothing lives in a worker's memory, and the confirm re-reads the file against
the database as it is *then*, so a household added in the meantime is updated, not
duplicated. Drafts are single-use and old ones are swept.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from geo.placement import Fix, better_fix
from models.audit import audit
from models.base import utcnow
from models.household import Household
from models.place import Lane, Neighbourhood
from sheets import RowError, SheetRefused, SheetRow, parse_households
from vietnamese import fold, nfc

DRAFT_HOURS = 24
_KINDS = ("ngo", "ngach", "hem", "kiet", "lane", "alley")
_STREET_KINDS = ("duong", "pho", "street", "road")


class ImportDraft(db.Model):
    """An uploaded household file waiting for the leader's confirmation."""

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id",
                                                             ondelete="CASCADE"), index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    filename: Mapped[str] = mapped_column(String(200))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


def _strip_kind(text: str, kinds) -> str:
    words = fold(text).split(" ")
    return " ".join(words[1:] if len(words) > 1 and words[0] in kinds else words)


def lane_token(name: str) -> str:
    """ "Ngõ 12" -> "12", "Ngách 12/9" -> "9" (its own number), "Ngõ Chợ" -> "cho"."""
    return _strip_kind(nfc(name).rsplit("/", 1)[-1], _KINDS)


def street_token(street: str) -> str:
    return _strip_kind(street, _STREET_KINDS)


class LaneIndex:
    """The neighbourhood's lane tree, matched by number whatever the spelling.

    "ngõ 12/ngách 9", "Ngõ 12 / 9" and the demo's "Ngách 12/9" under "Ngõ 12" are one
    lane. A root lane also matches on its street when both sides name one.
    """

    def __init__(self, neighbourhood_id: int):
        self.neighbourhood_id = neighbourhood_id
        self.lanes = db.session.scalars(db.select(Lane).where(
            Lane.neighbourhood_id == neighbourhood_id).order_by(Lane.position, Lane.id)).all()
        self.children: dict[object, list[Lane]] = {}
        for lane in self.lanes:
            self.children.setdefault(lane.parent_id, []).append(lane)
        self.planned: dict[tuple, str] = {}
        self._cache: dict[tuple, tuple] = {}

    def _find(self, parent_id, token: str, street: str) -> Lane | None:
        found = [lane for lane in self.children.get(parent_id, ()) if lane_token(lane.name) == token]
        if parent_id is None and street:
            found = [lane for lane in found
                     if not lane.street or street_token(lane.street) == street_token(street)]
        return found[0] if found else None

    def _walk(self, path: list[str], street: str) -> tuple[list[Lane], list[str]]:
        """(existing lanes along the path, the parts still missing)."""
        found, parent_id = [], None
        for index, part in enumerate(path):
            lane = self._find(parent_id, lane_token(part), street)
            if lane is None:
                return found, path[index:]
            found.append(lane)
            parent_id = lane.id
        return found, []

    def key(self, path: list[str], street: str):
        """("lane", id) for an existing lane, ("new", …) for one to create, None for no lane."""
        if not path:
            return None
        cache_key = (tuple(path), street)
        if cache_key not in self._cache:
            found, missing = self._walk(path, street)
            if not missing:
                self._cache[cache_key] = ("lane", found[-1].id)
            else:
                tokens = tuple(lane_token(p) for p in path)
                base = "" if found else street_token(street)
                key = ("new", base, tokens)
                for depth in range(len(found) + 1, len(path) + 1):
                    name = "/".join(_lane_name(p, i) for i, p in enumerate(path[:depth]))
                    self.planned.setdefault(("new", base, tokens[:depth]),
                                            f"{name}, {street}" if street and not found else name)
                self._cache[cache_key] = key
        return self._cache[cache_key]

    def planned_names(self) -> list[str]:
        return list(self.planned.values())

    def resolve(self, path: list[str], street: str) -> Lane | None:
        """The lane for the path, creating the missing part of the tree."""
        if not path:
            return None
        found, missing = self._walk(path, street)
        parent = found[-1] if found else None
        for depth, part in enumerate(missing, start=len(found)):
            lane = Lane(neighbourhood_id=self.neighbourhood_id, name=_lane_name(part, depth),
                        street=parent.street if parent else street,
                        parent_id=parent.id if parent else None,
                        position=len(self.lanes), path=[])
            db.session.add(lane)
            db.session.flush()
            self.lanes.append(lane)
            self.children.setdefault(lane.parent_id, []).append(lane)
            parent = lane
        return parent


def _lane_name(part: str, depth: int) -> str:
    """A bare number is a ngõ at the top and a ngách below it."""
    part = nfc(part)
    if part.replace(" ", "").isdigit() or part[:1].isdigit():
        return ("Ngõ " if depth == 0 else "Ngách ") + part
    return part[:1].upper() + part[1:]


@dataclass
class Preview:
    """What an import would do: rows added, updated, in error; lanes to create."""

    added: list[SheetRow] = field(default_factory=list)
    updated: list[tuple[SheetRow, int]] = field(default_factory=list)  # (row, household id)
    errors: list[RowError] = field(default_factory=list)
    new_lanes: list[str] = field(default_factory=list)
    refused: str = ""
    encoding: str = ""

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors and bool(self.added or self.updated)


def _address_key(lane_key, street: str, house_number: str) -> tuple:
    # Same lane and house number is the same household; without a lane, the street decides.
    return (lane_key, "" if lane_key is not None else fold(street), fold(house_number))


def _existing(neighbourhood_id: int) -> dict[tuple, tuple[int, int]]:
    rows = db.session.execute(db.select(Household.id, Household.lane_id, Household.street,
                                        Household.house_number)
                              .where(Household.neighbourhood_id == neighbourhood_id))
    return {_address_key(("lane", lane_id) if lane_id else None, street, number): hid
            for hid, lane_id, street, number in rows}


def preview(neighbourhood: Neighbourhood, filename: str, data: bytes,
            max_bytes: int | None = None) -> Preview:
    """Read the file and compare it with the neighbourhood's households; writes nothing."""
    try:
        sheet = (parse_households(filename, data, max_bytes) if max_bytes
                 else parse_households(filename, data))
    except SheetRefused as refusal:
        return Preview(refused=refusal.message)
    result = Preview(errors=list(sheet.errors), encoding=sheet.encoding)
    lanes = LaneIndex(neighbourhood.id)
    existing = _existing(neighbourhood.id)
    for row in sheet.rows:
        lane_key = lanes.key(row.lane_path, row.street)
        found = existing.get(_address_key(lane_key, row.street, row.house_number))
        if found is None:
            result.added.append(row)
        else:
            result.updated.append((row, found))
    result.new_lanes = lanes.planned_names()
    result.errors.sort(key=lambda e: e.row_number)
    return result


def _fix_of(household: Household) -> Fix | None:
    if not household.has_position or household.position_source is None:
        return None
    return Fix(household.lat, household.lon, household.position_source,
               household.position_accuracy_m, household.position_approximate)


def _new_household(neighbourhood_id: int, lane_id, row: SheetRow) -> dict:
    values = {"neighbourhood_id": neighbourhood_id, "lane_id": lane_id, "street": row.street,
              "house_number": row.house_number, "head_name": row.head_name,
              "head_name_folded": fold(row.head_name), "members": row.members or 1,
              "phone": row.phone, "note": row.note, "lat": None, "lon": None,
              "position_source": None, "position_accuracy_m": None,
              "position_approximate": False, "status": "not_visited", "version": 1}
    if row.lat is not None and row.lon is not None:
        values.update(lat=row.lat, lon=row.lon, position_source="import")
    return values


def _update(household: Household, row: SheetRow) -> None:
    household.set_head_name(row.head_name)
    household.street = row.street or household.street
    if row.members is not None:
        household.members = row.members
    if row.phone:
        household.phone = row.phone
    if row.note:
        household.note = row.note
    if row.lat is not None and row.lon is not None:
        fix = Fix(row.lat, row.lon, "import")
        if better_fix(_fix_of(household), fix):
            household.lat, household.lon = fix.lat, fix.lon
            household.position_source, household.position_accuracy_m = "import", None
            household.position_approximate = False


def apply(neighbourhood: Neighbourhood, filename: str, data: bytes,
          user_id: int | None) -> Preview:
    """Preview again and, if nothing is wrong, write every row in one transaction.

    The caller commits (or rolls back): nothing is flushed unless the whole file is good.
    """
    result = preview(neighbourhood, filename, data)
    if not result.ok:
        return result
    lanes = LaneIndex(neighbourhood.id)
    new_rows = []
    for row in result.added:
        lane = lanes.resolve(row.lane_path, row.street)  # creates missing lanes
        if lane is not None and not row.street:
            row.street = lane.street
        new_rows.append(_new_household(neighbourhood.id, lane.id if lane else None, row))
    if new_rows:
        db.session.execute(db.insert(Household), new_rows)
    by_id = {h.id: h for h in db.session.scalars(db.select(Household).where(
        Household.id.in_([hid for _, hid in result.updated])))} if result.updated else {}
    for row, household_id in result.updated:
        _update(by_id[household_id], row)
    db.session.flush()
    audit("households_imported", user_id=user_id, neighbourhood_id=neighbourhood.id,
          object_type="neighbourhood", object_id=neighbourhood.id, added=len(result.added),
          updated=len(result.updated), lanes_created=len(result.new_lanes))
    return result


def save_draft(neighbourhood_id: int, user_id: int | None, filename: str,
               data: bytes) -> ImportDraft:
    """Keep the uploaded file until the leader confirms (and sweep stale drafts)."""
    db.session.execute(db.delete(ImportDraft).where(
        ImportDraft.created_at < utcnow() - timedelta(hours=DRAFT_HOURS)))
    draft = ImportDraft(neighbourhood_id=neighbourhood_id, user_id=user_id,
                        filename=(filename or "")[-200:], data=data)
    db.session.add(draft)
    db.session.flush()
    return draft
