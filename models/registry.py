"""The household registry: search, filters, sorting; add, edit, move away, erase; residents."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from extensions import db
from models import importing
from models.audit import audit
from models.base import MAX_ID, Invalid, utcnow
from models.household import Household, Resident
from models.place import Lane, lanes_of
from models.visit import Visit, VisitInput, record_visit
from sheets.cells import CellProblem, parse_members, parse_phone
from vietnamese import fold, house_number_key, name_sort_key, nfc
from vocabulary import STATUSES

__all__ = ["Conflict", "Invalid", "Filters", "search", "Page", "page_of", "PAGE_SIZE", "lanes_of",
           "status_counts", "lane_counts",
           "map_rows", "of_neighbourhood", "parse_form", "add", "edit", "mark_moved", "erase",
           "add_resident", "correct_resident", "remove_resident"]


class Conflict(Exception):
    """The household changed since the form was loaded: report, do not overwrite."""


@dataclass
class Filters:
    q: str = ""
    lane_id: Optional[int] = None
    status: str = ""
    consent: str = ""  # "yes": recorded, "no": not yet (whom to ask at the next visit)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search(neighbourhood_id: int, filters: Filters) -> list[Household]:
    """Households matching the filters, sorted by given name, then full name.

    The search text is folded ("dang van duc" finds "Đặng Văn Đức") and matched with
    SQL LIKE on the folded column, so the database does the filtering.
    """
    query = (db.select(Household).where(Household.neighbourhood_id == neighbourhood_id)
             .options(selectinload(Household.lane).selectinload(Lane.parent)))
    words = fold(filters.q).split()
    for word in words:
        pattern = _like(word)
        query = query.where(db.or_(Household.head_name_folded.like(pattern, escape="\\"),
                                   db.func.lower(Household.house_number).like(pattern,
                                                                              escape="\\")))
    if filters.lane_id:
        query = query.where(Household.lane_id == filters.lane_id)
    if filters.status in STATUSES:
        query = query.where(Household.status == filters.status)
    if filters.consent in ("yes", "no"):
        query = query.where(Household.consent_at.is_not(None) if filters.consent == "yes"
                            else Household.consent_at.is_(None))
    households = db.session.scalars(query).all()
    return sorted(households, key=lambda h: (name_sort_key(h.head_name),
                                             house_number_key(h.house_number)))


PAGE_SIZE = 25  # a phone screen or two; a group has 150-600 households


@dataclass
class Page:
    """One page of a sorted list: its items, its number (from 1), how many pages, the total."""
    items: list
    number: int
    pages: int
    total: int


def page_of(items: list, number: int, size: int = PAGE_SIZE) -> Page:
    """The number-th page of items; a number past either end gives the nearest page."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, number), pages)
    return Page(items[(number - 1) * size:number * size], number, pages, len(items))


def status_counts(neighbourhood_ids: list[int]) -> dict[int, dict[str, int]]:
    """{neighbourhood id: {status: households}}, counted by the database."""
    rows = db.session.execute(
        db.select(Household.neighbourhood_id, Household.status, db.func.count())
        .where(Household.neighbourhood_id.in_(neighbourhood_ids))
        .group_by(Household.neighbourhood_id, Household.status))
    counts: dict[int, dict[str, int]] = {nid: {} for nid in neighbourhood_ids}
    for nid, status, count in rows:
        counts[nid][status] = count
    return counts


def lane_counts(neighbourhood_id: int) -> list[tuple[Lane, int]]:
    """Each lane of the neighbourhood with its number of households, in the leader's order."""
    rows = db.session.execute(
        db.select(Lane, db.func.count(Household.id))
        .outerjoin(Household, Household.lane_id == Lane.id)
        .where(Lane.neighbourhood_id == neighbourhood_id)
        .group_by(Lane.id).order_by(Lane.position))
    return [(lane, count) for lane, count in rows]


def map_rows(neighbourhood_id: int) -> list[dict]:
    """Every household of the neighbourhood as the map draws it (geo.maps.household_map)."""
    households = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == neighbourhood_id)
        .options(selectinload(Household.lane).selectinload(Lane.parent))).all()
    return [{"id": h.id, "lat": h.lat, "lon": h.lon, "status": h.status,
             "approximate": h.position_approximate,
             "label": f"{h.head_name} · {h.address}"} for h in households]


def of_neighbourhood(neighbourhood_id: int, household_ids) -> list[int]:
    """Those of the household ids that belong to the neighbourhood."""
    return db.session.scalars(db.select(Household.id).where(
        Household.id.in_(list(household_ids)), Household.neighbourhood_id == neighbourhood_id)).all()


def parse_form(form, neighbourhood_id: int) -> dict:
    """Clean household fields from a form, or raise Invalid with the reason."""
    values = {"house_number": nfc(form.get("house_number"))[:40],
              "head_name": nfc(form.get("head_name"))[:200],
              "street": nfc(form.get("street"))[:120], "note": nfc(form.get("note"))[:1000]}
    if not values["house_number"]:
        raise Invalid(_("Cần nhập số nhà."))
    if not values["head_name"]:
        raise Invalid(_("Cần nhập họ tên chủ hộ."))
    lane_id = form.get("lane_id", type=int)
    lane = db.session.get(Lane, lane_id) if lane_id and abs(lane_id) <= MAX_ID else None
    if lane_id and (lane is None or lane.neighbourhood_id != neighbourhood_id):
        raise Invalid(_("Ngõ không thuộc tổ này."))
    if lane is None and not values["street"]:
        raise Invalid(_("Cần chọn ngõ hoặc nhập tên đường."))
    values["lane_id"] = lane.id if lane else None
    # Only a form that shows the consent box decides it (an unticked box sends nothing).
    values["consent"] = form.get("consent") == "yes" if form.get("consent_asked") else None
    if lane is not None and not values["street"]:
        values["street"] = lane.street
    try:
        values["members"] = parse_members(form.get("members", ""), _("Số nhân khẩu")) or 1
        values["phone"] = parse_phone(form.get("phone", ""), _("Số điện thoại"))
    except CellProblem as problem:
        raise Invalid(str(problem)) from None
    return values


def _address_taken(neighbourhood_id: int, values: dict, other_id: Optional[int]) -> bool:
    query = db.select(Household.id).where(
        Household.neighbourhood_id == neighbourhood_id, Household.lane_id.is_(values["lane_id"])
        if values["lane_id"] is None else Household.lane_id == values["lane_id"],
        Household.street == values["street"], Household.house_number == values["house_number"])
    found = db.session.scalar(query)
    return found is not None and found != other_id


def add(neighbourhood_id: int, values: dict, user_id: Optional[int]) -> Household:
    """A new household (the caller commits)."""
    if _address_taken(neighbourhood_id, values, None):
        raise Invalid(_("Đã có hộ ở địa chỉ này."))
    consent = values.pop("consent", None)
    household = Household(neighbourhood_id=neighbourhood_id,
                          **{k: v for k, v in values.items() if k != "head_name"})
    household.set_head_name(values["head_name"])
    household.set_consent(consent, utcnow())
    db.session.add(household)
    db.session.flush()
    audit("household_added", user_id=user_id, neighbourhood_id=neighbourhood_id,
          object_type="household", object_id=household.id, consent=bool(consent))
    return household


def edit(household: Household, values: dict, seen_version: Optional[int],
         user_id: Optional[int]) -> Household:
    """Change a household, unless someone changed it since `seen_version` (Conflict)."""
    if seen_version != household.version:
        raise Conflict()
    if _address_taken(household.neighbourhood_id, values, household.id):
        raise Invalid(_("Đã có hộ ở địa chỉ này."))
    consent = values.pop("consent", None)
    changed = sorted(k for k, v in values.items() if getattr(household, k) != v)
    if household.set_consent(consent, utcnow()):
        changed = sorted([*changed, "consent"])
    for key, value in values.items():
        if key == "head_name":
            household.set_head_name(value)
        else:
            setattr(household, key, value)
    db.session.flush()  # the version column makes a concurrent save fail here
    audit("household_edited", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id, fields=changed)
    return household


def mark_moved(household: Household, user_id: Optional[int]) -> Visit:
    """Moved away: a visit with outcome "moved" (status derives from visits)."""
    visit, _created = record_visit(household.id, user_id, VisitInput(
        client_id=f"moved-{uuid.uuid4()}", outcome="moved",
        note=_("Tổ trưởng ghi nhận hộ đã chuyển đi")), services={})
    audit("household_moved_away", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id)
    return visit


def erase(household: Household, user_id: Optional[int]) -> int:
    """Erase on request: the household, its residents, its visits and the unconfirmed import
    drafts that hold it; audited without names. How many drafts went."""
    household_id, neighbourhood_id = household.id, household.neighbourhood_id
    drafts = importing.forget_household(household)
    visits = db.session.execute(db.delete(Visit).where(Visit.household_id == household_id))
    db.session.delete(household)
    db.session.flush()
    audit("household_erased", user_id=user_id, neighbourhood_id=neighbourhood_id,
          object_type="household", object_id=household_id, visits=visits.rowcount,
          import_drafts=drafts)
    return drafts


def _resident_fields(label: str, birth_year: str, this_year: int) -> tuple[str, Optional[int]]:
    """(relation, birth year or None) from a form, or Invalid with the reason."""
    label = nfc(label or "")[:60]
    if not label:
        raise Invalid(_("Cần nhập quan hệ với chủ hộ (ví dụ: vợ, con)."))
    year = None
    if (birth_year or "").strip():
        if not birth_year.strip().isdigit() or not 1900 <= int(birth_year) <= this_year:
            raise Invalid(_("Năm sinh không hợp lệ."))
        year = int(birth_year)
    return label, year


def add_resident(household: Household, label: str, birth_year: str,
                 user_id: Optional[int], this_year: int) -> Resident:
    label, year = _resident_fields(label, birth_year, this_year)
    resident = Resident(label=label, birth_year=year)
    household.residents.append(resident)
    db.session.flush()
    audit("resident_added", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id)
    return resident


def correct_resident(household: Household, resident_id: int, label: str, birth_year: str,
                     user_id: Optional[int], this_year: int) -> Resident:
    """A resident's relation or birth year corrected (at the door, or by the leader)."""
    resident = next((r for r in household.residents if r.id == resident_id), None)
    if resident is None:
        raise Invalid(_("Không tìm thấy nhân khẩu này."))
    resident.label, resident.birth_year = _resident_fields(label, birth_year, this_year)
    db.session.flush()
    audit("resident_corrected", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id, resident_id=resident.id)
    return resident


def remove_resident(household: Household, resident_id: int, user_id: Optional[int]) -> None:
    resident = next((r for r in household.residents if r.id == resident_id), None)
    if resident is None:
        raise Invalid(_("Không tìm thấy nhân khẩu này."))
    household.residents.remove(resident)
    db.session.flush()
    audit("resident_removed", user_id=user_id, neighbourhood_id=household.neighbourhood_id,
          object_type="household", object_id=household.id)


@dataclass
class HouseholdRecord:
    """What a household's own page shows beside its details: its visits, newest first
    (`undone`: ids of visits a later undo cancelled), and its services' present states
    (`states`: {(service id, resident id or None): state}) for the current campaign."""

    visits: list
    undone: set
    household_services: list
    resident_services: list
    states: dict


def record_of(household: Household) -> HouseholdRecord:
    """The household's visit history and service status, in three queries."""
    from models.campaign import current_campaign
    from models.progress import service_states
    visits = db.session.scalars(db.select(Visit).where(Visit.household_id == household.id)
                                .options(selectinload(Visit.user))
                                .order_by(Visit.happened_at.desc(), Visit.id.desc())).all()
    campaign = current_campaign(household.neighbourhood_id)
    services = sorted(campaign.on_form, key=lambda s: s.position) if campaign else []
    return HouseholdRecord(
        visits=visits, undone={v.undoes_id for v in visits if v.undoes_id},
        household_services=[s for s in services if s.per == "household"],
        resident_services=[s for s in services if s.per == "resident"],
        states=service_states([household.id])[household.id])
