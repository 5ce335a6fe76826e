"""Household import: a parsed sheet previewed against the database, then applied whole.

Between the preview and the leader's confirmation the uploaded file waits in the
database as an ``ImportDraft`` (its bytes, not the parsed rows): any process can pick
it up, nothing lives in a worker's memory, and the confirm re-reads the file against
the database as it is *then*, so a household added in the meantime is updated, not
duplicated. Drafts are single-use. The file holds names and phone numbers, so a draft
lives at most `DRAFT_HOURS`: after that it cannot be confirmed and the next sweep deletes
it; and erasing a household deletes every draft that holds it (`forget_household`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import ForeignKey, LargeBinary, String, bindparam
from sqlalchemy.orm.exc import StaleDataError
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from geo.placement import Fix, better_fix
from models.audit import audit
from models.base import utcnow
from models.campaign import Campaign, Service
from models.household import Household, Resident
from models.place import Lane, Neighbourhood
from sheets import RowError, SheetRefused, SheetRow, parse_households, without_id_cards
from vietnamese import fold, nfc
from vocabulary import HEAD_RELATION, NOT_VISITED, UNKNOWN_RELATION

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


@lru_cache(maxsize=65536)
def folded(text: str) -> str:
    """fold() remembered: streets, lanes and house numbers repeat across 30,000 rows."""
    return text.casefold() if text.isascii() else fold(text)


def _strip_kind(text: str, kinds) -> str:
    words = folded(text).split(" ")
    return " ".join(words[1:] if len(words) > 1 and words[0] in kinds else words)


@lru_cache(maxsize=65536)
def lane_token(name: str) -> str:
    """ "Ngõ 12" -> "12", "Ngách 12/9" -> "9" (its own number), "Ngõ Chợ" -> "cho"."""
    return _strip_kind(nfc(name).rsplit("/", 1)[-1], _KINDS)


@lru_cache(maxsize=4096)
def street_token(street: str) -> str:
    return _strip_kind(street, _STREET_KINDS)


class LaneIndex:
    """The neighbourhood's lane tree, matched by number whatever the spelling.

    "ngõ 12/ngách 9", "Ngõ 12 / 9" and the demo's "Ngách 12/9" under "Ngõ 12" are one
    lane. A root lane also matches on its street when both sides name one. Lanes are
    indexed by (parent lane object, token) so that lanes created during an import (not yet
    flushed, so without ids) are found by the rows after them.
    """

    def __init__(self, neighbourhood_id: int):
        self.neighbourhood_id = neighbourhood_id
        lanes = db.session.scalars(db.select(Lane).where(
            Lane.neighbourhood_id == neighbourhood_id).order_by(Lane.position, Lane.id)).all()
        by_id = {lane.id: lane for lane in lanes}
        self.count = len(lanes)
        self.index: dict[tuple, list[Lane]] = {}
        for lane in lanes:
            self._remember(by_id.get(lane.parent_id), lane)
        self.planned: dict[tuple, str] = {}
        self._keys: dict[tuple, tuple] = {}

    def _remember(self, parent: Lane | None, lane: Lane) -> None:
        self.index.setdefault((parent, lane_token(lane.name)), []).append(lane)

    def _find(self, parent: Lane | None, token: str, street: str) -> Lane | None:
        found = self.index.get((parent, token), ())
        if parent is None and street:
            wanted = street_token(street)
            found = [lane for lane in found
                     if not lane.street or street_token(lane.street) == wanted]
        return found[0] if found else None

    def _walk(self, path: list[str], street: str) -> tuple[list[Lane], list[str]]:
        """(existing lanes along the path, the parts still missing).

        The export writes "Ngách 12/9" under "Ngõ 12" as "Ngõ 12/Ngách 12/9": when the path
        as written is not all there, the part repeating its parent's number is tried away."""
        found, missing = self._walk_as_written(path, street)
        if missing:
            shorter = [part for k, part in enumerate(path) if not (
                0 < k < len(path) - 1 and lane_token(part) == lane_token(path[k - 1]))]
            if shorter != path:
                again, rest = self._walk_as_written(shorter, street)
                if not rest:
                    return again, []
        return found, missing

    def _walk_as_written(self, path: list[str], street: str) -> tuple[list[Lane], list[str]]:
        found: list[Lane] = []
        for index, part in enumerate(path):
            lane = self._find(found[-1] if found else None, lane_token(part), street)
            if lane is None:
                return found, path[index:]
            found.append(lane)
        return found, []

    def key(self, path: list[str], street: str):
        """("lane", id) for an existing lane, ("new", …) for one to create, None for no lane."""
        if not path:
            return None
        cache_key = (tuple(path), street)
        if cache_key not in self._keys:
            found, missing = self._walk(path, street)
            if not missing:
                self._keys[cache_key] = ("lane", found[-1].id)
            else:
                tokens = tuple(lane_token(p) for p in path)
                base = "" if found else street_token(street)
                for depth in range(len(found) + 1, len(path) + 1):
                    name = "/".join(_lane_name(p, i) for i, p in enumerate(path[:depth]))
                    self.planned.setdefault(("new", base, tokens[:depth]),
                                            f"{name}, {street}" if street and not found else name)
                self._keys[cache_key] = ("new", base, tokens)
        return self._keys[cache_key]

    def planned_names(self) -> list[str]:
        return list(self.planned.values())

    def resolve(self, path: list[str], street: str) -> Lane | None:
        """The lane for the path, adding the missing part of the tree (unflushed)."""
        if not path:
            return None
        cache_key = ("resolved", tuple(path), street)
        if cache_key in self._keys:
            return self._keys[cache_key]
        found, missing = self._walk(path, street)
        parent = found[-1] if found else None
        for depth, part in enumerate(missing, start=len(found)):
            lane = Lane(neighbourhood_id=self.neighbourhood_id, name=_lane_name(part, depth),
                        street=parent.street if parent else street, parent=parent,
                        position=self.count, path=[])
            self.count += 1
            db.session.add(lane)
            self._remember(parent, lane)
            parent = lane
        self._keys[cache_key] = parent
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
    notes: list[str] = field(default_factory=list)  # what was skipped or dropped, and why
    residents: int = 0  # residents the import creates (listed, or counted and unknown)
    # The file as it may wait for confirmation: an ID-card column emptied (never stored)
    keep_as: tuple[str, bytes] | None = None

    @property
    def ok(self) -> bool:
        return not self.refused and not self.errors and bool(self.added or self.updated)


def _address_key(lane_key, street: str, house_number: str) -> tuple:
    # Same lane and house number is the same household; without a lane, the street decides.
    return (lane_key, "" if lane_key is not None else folded(street), folded(house_number))


def _existing(neighbourhood_id: int) -> dict[tuple, tuple[int, int]]:
    rows = db.session.execute(db.select(Household.id, Household.lane_id, Household.street,
                                        Household.house_number)
                              .where(Household.neighbourhood_id == neighbourhood_id))
    return {_address_key(("lane", lane_id) if lane_id else None, street, number): hid
            for hid, lane_id, street, number in rows}


def preview(neighbourhood: Neighbourhood, filename: str, data: bytes,
            max_bytes: int | None = None) -> Preview:
    """Read the file and compare it with the neighbourhood's households; writes nothing."""
    figures = service_headers(neighbourhood.id)
    try:
        sheet = (parse_households(filename, data, max_bytes, figures) if max_bytes
                 else parse_households(filename, data, figures=figures))
    except SheetRefused as refusal:
        return Preview(refused=refusal.message)
    result = Preview(errors=list(sheet.errors), encoding=sheet.encoding, notes=list(sheet.notes))
    if sheet.ok:
        result.keep_as = without_id_cards(filename, data, sheet)
    lanes = LaneIndex(neighbourhood.id)
    existing = _existing(neighbourhood.id)
    for row in sheet.rows:
        lane_key = lanes.key(row.lane_path, row.lane_street or row.street)
        found = existing.get(_address_key(lane_key, row.street, row.house_number))
        if found is None:
            result.added.append(row)
        else:
            result.updated.append((row, found))
    result.new_lanes = lanes.planned_names()
    _note_residents(result)
    result.errors.sort(key=lambda e: e.row_number)
    return result


def residents_of(row: SheetRow) -> list[tuple[str, int | None]]:
    """The residents a row brings: its person list, else as many unknown ones as its count."""
    if row.residents is not None:
        return row.residents
    count = row.members or 0
    if count and row.head_birth_year is not None:  # the list gave the head's birth date
        return [(HEAD_RELATION, row.head_birth_year)] + [(UNKNOWN_RELATION, None)] * (count - 1)
    return [(UNKNOWN_RELATION, None)] * count


def _with_residents(household_ids: list[int]) -> set[int]:
    """Those of the households that already have residents (their list is left as it is)."""
    return {hid for ids in _chunks(household_ids, 5000) for hid in db.session.scalars(
        db.select(Resident.household_id).where(Resident.household_id.in_(ids)).distinct())}


def _note_residents(result: Preview) -> None:
    """How many residents the import creates, and why some households keep their own list."""
    kept = _with_residents([hid for _, hid in result.updated])
    rows = result.added + [row for row, hid in result.updated if hid not in kept]
    listed = sum(len(row.residents) for row in rows if row.residents is not None)
    counted = sum(row.members or 0 for row in rows if row.residents is None)
    result.residents = listed + counted
    if counted:
        result.notes.append(f"Tạo {counted} nhân khẩu theo cột số nhân khẩu, chưa rõ quan hệ và "
                            "năm sinh: thành viên tổ bổ sung khi đến nhà; các chỉ tiêu theo người "
                            "đã tính họ.")
    touched = [row for row, hid in result.updated if hid in kept
               and (row.residents is not None or row.members)]
    if touched:
        result.notes.append(f"{len(touched)} hộ đã có danh sách nhân khẩu: giữ nguyên danh sách đó.")


def service_headers(neighbourhood_id: int) -> list[str]:
    """The service columns of the leader's export (both languages): figures, not data."""
    rows = db.session.execute(db.select(Service.label_vi, Service.label_en).join(Campaign)
                              .where(Campaign.neighbourhood_id == neighbourhood_id))
    return [label for pair in rows for label in pair if label]


def _new_household(neighbourhood_id: int, lane_id, row: SheetRow) -> dict:
    values = {"neighbourhood_id": neighbourhood_id, "lane_id": lane_id, "street": row.street,
              "house_number": row.house_number, "head_name": row.head_name,
              "head_name_folded": fold(row.head_name),
              "members": len(row.residents) if row.residents else row.members or 1,
              "phone": row.phone, "note": row.note, "lat": None, "lon": None,
              "position_source": None, "position_accuracy_m": None,
              "position_approximate": False, "status": NOT_VISITED, "version": 1}
    if row.lat is not None and row.lon is not None:
        values.update(lat=row.lat, lon=row.lon, position_source="import")
    return values


_UPDATED = (Household.id, Household.street, Household.members, Household.phone, Household.note,
            Household.lat, Household.lon, Household.position_source,
            Household.position_accuracy_m, Household.position_approximate, Household.version)


def _ids_by_address(neighbourhood_id: int) -> dict[tuple, int]:
    """{(lane id, street, house number): household id}: the address is unique."""
    rows = db.session.execute(db.select(Household.lane_id, Household.street, Household.house_number,
                                        Household.id)
                              .where(Household.neighbourhood_id == neighbourhood_id))
    return {(lane_id, street, number): hid for lane_id, street, number, hid in rows}


def _insert_residents(pairs: list[tuple[int, SheetRow]]) -> None:
    """Every resident of these (household id, row) pairs, in one Core executemany."""
    params = [{"household_id": hid, "label": label, "birth_year": year}
              for hid, row in pairs for label, year in residents_of(row)]
    if params:
        db.session.execute(Resident.__table__.insert(), params)


def _update_all(updates: list[tuple[SheetRow, int]]) -> None:
    """Rewrite the updated households by primary key in one executemany (30,000 rows)."""
    rows = {r.id: r for ids in _chunks([hid for _, hid in updates], 5000)
            for r in db.session.execute(db.select(*_UPDATED).where(Household.id.in_(ids)))}
    now, params = utcnow(), []
    for row, household_id in updates:
        old = rows[household_id]
        values = {"_id": household_id, "_seen": old.version, "head_name": row.head_name,
                  "head_name_folded": fold(row.head_name), "street": row.street or old.street,
                  "members": (len(row.residents) if row.residents else
                              old.members if row.members is None else row.members),
                  "phone": row.phone or old.phone, "note": row.note or old.note,
                  "lat": old.lat, "lon": old.lon, "position_source": old.position_source,
                  "position_accuracy_m": old.position_accuracy_m,
                  "position_approximate": old.position_approximate,
                  "version": old.version + 1, "updated_at": now}
        current = (Fix(old.lat, old.lon, old.position_source, old.position_accuracy_m,
                       old.position_approximate)
                   if old.lat is not None and old.lon is not None and old.position_source
                   else None)
        if row.lat is not None and row.lon is not None and \
                better_fix(current, Fix(row.lat, row.lon, "import")):
            values.update(lat=row.lat, lon=row.lon, position_source="import",
                          position_accuracy_m=None, position_approximate=False)
        params.append(values)
    table = Household.__table__
    # Core executemany keyed by id, guarded by the version read above: an edit that
    # lands in between makes the count fall short and the whole import roll back.
    statement = table.update().where(table.c.id == bindparam("_id"),
                                     table.c.version == bindparam("_seen"))
    changed = db.session.execute(statement, params).rowcount
    if changed != len(params):
        raise StaleDataError("a household changed during the import")


def _chunks(items: list, size: int):
    for start in range(0, len(items), size):
        yield items[start:start + size]


def apply(neighbourhood: Neighbourhood, filename: str, data: bytes,
          user_id: int | None) -> Preview:
    """Preview again and, if nothing is wrong, write every row in one transaction.

    The caller commits (or rolls back): nothing is flushed unless the whole file is good.
    """
    result = preview(neighbourhood, filename, data)
    if not result.ok:
        return result
    lanes = LaneIndex(neighbourhood.id)
    placed = [(row, lanes.resolve(row.lane_path, row.lane_street or row.street))
              for row in result.added]
    db.session.flush()  # new lanes get their ids, parents first
    new_rows = []
    for row, lane in placed:
        if lane is not None and not row.street:
            row.street = lane.street
        new_rows.append(_new_household(neighbourhood.id, lane.id if lane else None, row))
    if new_rows:
        # Core executemany: one statement, no per-row ORM work (RETURNING in parameter
        # order fell back to one INSERT per row on SQLite); the ids are read back by address
        db.session.execute(Household.__table__.insert(), new_rows)
        ids = _ids_by_address(neighbourhood.id)
        _insert_residents([(ids[(r["lane_id"], r["street"], r["house_number"])], row)
                           for r, row in zip(new_rows, result.added)])
    if result.updated:
        _update_all(result.updated)
        kept = _with_residents([hid for _, hid in result.updated])
        _insert_residents([(hid, row) for row, hid in result.updated if hid not in kept])
    audit("households_imported", user_id=user_id, neighbourhood_id=neighbourhood.id,
          object_type="neighbourhood", object_id=neighbourhood.id, added=len(result.added),
          updated=len(result.updated), lanes_created=len(result.new_lanes),
          residents_created=result.residents)
    return result


def _expiry() -> datetime:
    return utcnow() - timedelta(hours=DRAFT_HOURS)


def expired(draft: ImportDraft) -> bool:
    """True for a draft older than DRAFT_HOURS: it can no longer be confirmed."""
    return draft.created_at < _expiry()


def sweep_drafts() -> int:
    """Delete every expired draft; how many. The caller commits."""
    return db.session.execute(db.delete(ImportDraft).where(
        ImportDraft.created_at < _expiry())).rowcount


def forget_household(household: Household) -> int:
    """Delete the drafts that hold this household (by address, as an import matches it, or by
    phone), so that an erase leaves no copy and a later confirm cannot bring it back. A draft
    that no longer reads is deleted too. How many; the caller commits."""
    sweep_drafts()
    drafts = db.session.scalars(db.select(ImportDraft).where(
        ImportDraft.neighbourhood_id == household.neighbourhood_id)).all()
    neighbourhood = db.session.get(Neighbourhood, household.neighbourhood_id)
    gone = 0
    for draft in drafts:
        result = preview(neighbourhood, draft.filename, draft.data)
        rows = [row for row, _ in result.updated] + result.added
        holds = (result.refused or any(hid == household.id for _, hid in result.updated)
                 or (household.phone and any(row.phone == household.phone for row in rows)))
        if holds:
            db.session.delete(draft)
            gone += 1
    return gone


def save_draft(neighbourhood_id: int, user_id: int | None, filename: str,
               data: bytes) -> ImportDraft:
    """Keep the uploaded file until the leader confirms (and sweep expired drafts)."""
    sweep_drafts()
    draft = ImportDraft(neighbourhood_id=neighbourhood_id, user_id=user_id,
                        # nfc drops control characters: PostgreSQL refuses a NUL byte
                        filename=nfc(filename)[-200:], data=data)
    db.session.add(draft)
    db.session.flush()
    return draft
