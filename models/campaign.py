"""Campaigns (đợt vận động) and their checklist of services (indicators)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Optional

from flask_babel import gettext as _
from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import Invalid, utcnow
from models.place import Ward
from models.rules import local_today
from vietnamese import fold, nfc
from vocabulary import AGE_BASES, PER

YES_NO = ["no", "yes"]

# code, Vietnamese label, English label, per, age basis, target %, states, done from
DEFAULT_SERVICES = [
    ("broadband", "Internet cáp quang", "Fibre broadband", "household", "all", 100, YES_NO, "yes"),
    ("internet_tv", "Truyền hình Internet", "Internet TV", "household", "all", 80, YES_NO, "yes"),
    ("smartphone", "Có điện thoại thông minh", "Has a smartphone", "resident", "15plus", 95,
     YES_NO, "yes"),
    ("payment", "Dùng tài khoản thanh toán", "Uses a payment account", "resident", "working_age",
     90, YES_NO, "yes"),
    ("vneid", "VNeID mức 2", "VNeID level 2", "resident", "15plus", 95,
     ["not_registered", "captured", "activated", "in_use"], "activated"),
    ("public_service", "Dùng dịch vụ công trực tuyến", "Used an online public service",
     "resident", "adult", 100, YES_NO, "yes"),
    ("local_apps", "App C-ThaiNguyen / Thái Nguyên ID", "Local apps (C-ThaiNguyen / Thái Nguyên ID)",
     "resident", "15plus", 70, YES_NO, "yes"),
    ("fraud_briefing", "Được phổ biến về lừa đảo trực tuyến", "Briefed on online fraud",
     "resident", "15plus", 100, YES_NO, "yes"),
]

DEFAULT_NAME = "Chuyển đổi số cộng đồng"
PROVINCE_APP = "local_apps"  # the province's own app, named for the province
NOTE_MAX = 500


class Campaign(db.Model):
    """A drive with its checklist of services. The ward's (neighbourhood_id empty) is set by
    its officer; each group runs its own copy (parent: the ward's), which follows the ward's
    changes and which its leader may adjust: a service switched off, a local one added."""

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[Optional[int]] = mapped_column(ForeignKey("neighbourhood.id"),
                                                            index=True)
    ward_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ward.id"), index=True)
    parent_id: Mapped[Optional[int]] = mapped_column(ForeignKey("campaign.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date]
    ends_on: Mapped[Optional[date]]
    active: Mapped[bool] = mapped_column(default=True)

    services: Mapped[list["Service"]] = relationship(
        back_populates="campaign", order_by="Service.position", cascade="all, delete-orphan")

    def add_default_services(self) -> None:
        """The services the reference team is judged on."""
        for position, row in enumerate(DEFAULT_SERVICES):
            code, label_vi, label_en, per, basis, target, states, done = row
            self.services.append(Service(code=code, label_vi=label_vi, label_en=label_en,
                                         per=per, age_basis=basis, target_pct=target,
                                         states=list(states), done_from=done,
                                         position=position))

    @property
    def on_form(self) -> list["Service"]:
        """The services the door form asks about."""
        return [s for s in self.services if s.on_form]

    def next_code(self) -> str:
        """A code for a service added here, never shown (pages show labels) and its own in
        the ward: a ward's service keeps its code in every group's copy, so a ward export
        has one column for it, and two groups' local services never share one."""
        prefix = f"w{self.ward_id}_" if self.neighbourhood_id is None else \
            f"g{self.neighbourhood_id}_"
        taken = {s.code for s in self.services}
        return next(f"{prefix}{n}" for n in range(1, 10_000) if f"{prefix}{n}" not in taken)


class Service(db.Model):
    """One indicator: per household or per resident, with its states, age basis and target."""

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("campaign.id", ondelete="CASCADE"),
                                             index=True)
    code: Mapped[str] = mapped_column(String(40))
    label_vi: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    per: Mapped[str] = mapped_column(String(10))  # household | resident
    age_basis: Mapped[str] = mapped_column(String(20), default="all")
    target_pct: Mapped[float] = mapped_column(default=100)
    states: Mapped[list] = mapped_column(JSON)  # ordered, worst first
    done_from: Mapped[str] = mapped_column(String(40))  # this state and later count as done
    position: Mapped[int] = mapped_column(default=0)
    # A short how-to in Vietnamese that volunteers open at the door.
    note: Mapped[str] = mapped_column(String(NOTE_MAX), default="")
    # Retired: keeps its records and figures, leaves the door form. Switched off: the group's
    # leader does not ask about it. parent: the ward's service a group's copy follows.
    retired_at: Mapped[Optional[datetime]]
    switched_off: Mapped[bool] = mapped_column(default=False)
    parent_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("service.id", ondelete="SET NULL"), index=True)

    campaign: Mapped[Campaign] = relationship(back_populates="services")

    @property
    def on_form(self) -> bool:
        return self.retired_at is None and not self.switched_off

    @property
    def local(self) -> bool:
        """Added by the group itself, not inherited from the ward."""
        return self.parent_id is None and self.campaign.neighbourhood_id is not None

    @property
    def done_states(self) -> list[str]:
        return self.states[self.states.index(self.done_from):]

    def is_done(self, state: Optional[str]) -> bool:
        return state in self.done_states

    def label(self, locale: str = "vi") -> str:
        return self.label_en if locale == "en" else self.label_vi


def campaigns_of(neighbourhood_ids: list[int], running_only: bool = False) -> dict[int, Campaign]:
    """{neighbourhood: its current campaign}: the active one started last, else (unless
    `running_only`) the one started last; services loaded."""
    query = (db.select(Campaign).options(db.selectinload(Campaign.services))
             .where(Campaign.neighbourhood_id.in_(neighbourhood_ids))
             .order_by(Campaign.active, Campaign.starts_on, Campaign.id))
    if running_only:
        query = query.where(Campaign.active.is_(True))
    return {c.neighbourhood_id: c for c in db.session.scalars(query)}  # the last one wins


def current_campaign(neighbourhood_id: int, running_only: bool = False) -> Optional[Campaign]:
    return campaigns_of([neighbourhood_id], running_only).get(neighbourhood_id)


@dataclass
class Checked:
    """A service as the report reads it: a row, not an ORM object (300 groups' checklists
    loaded as objects took longer than counting their figures)."""

    id: int
    code: str
    label_vi: str
    label_en: str
    per: str
    age_basis: str
    target_pct: float
    states: list
    done_from: str
    parent_id: Optional[int]

    done_states = Service.done_states
    label = Service.label


def checklists(ids: list[int]) -> dict[int, list[Checked]]:
    """{group: its current campaign's services}, as models.campaign.campaigns_of chooses the
    campaign (the active one started last, else the one started last), in one query."""
    rows = db.session.execute(
        db.select(Campaign.neighbourhood_id, Campaign.id, Service.id, Service.code, Service.label_vi,
               Service.label_en, Service.per, Service.age_basis, Service.target_pct,
               Service.states, Service.done_from, Service.parent_id)
        .join(Service, Service.campaign_id == Campaign.id)
        .where(Campaign.neighbourhood_id.in_(ids))
        .order_by(Campaign.active, Campaign.starts_on, Campaign.id, Service.position,
                  Service.id)).all()
    chosen: dict[int, int] = {}
    for row in rows:  # the last one wins
        chosen[row[0]] = row[1]
    result: dict[int, list[Checked]] = {}
    for row in rows:
        if chosen[row[0]] == row[1]:
            result.setdefault(row[0], []).append(Checked(*row[2:]))
    return result


# -- The ward's campaign and the groups' copies -----------------------------------------
def ward_campaign(ward_id: int) -> Optional[Campaign]:
    """The ward's current campaign (the active one started last)."""
    return db.session.scalars(
        db.select(Campaign).where(Campaign.ward_id == ward_id,
                                  Campaign.neighbourhood_id.is_(None))
        .order_by(Campaign.active.desc(), Campaign.starts_on.desc(), Campaign.id.desc())
        .limit(1)).first()


def start_ward_campaign(ward_id: int, name: str = DEFAULT_NAME) -> Campaign:
    """The ward's campaign, with the default checklist, if it has none yet; the province's
    own app is named for the ward's province (C-ThaiNguyen / Thái Nguyên ID is Thái Nguyên's)."""
    campaign = ward_campaign(ward_id)
    if campaign is None:
        campaign = Campaign(ward_id=ward_id, name=name, starts_on=local_today())
        campaign.add_default_services()
        ward = db.session.get(Ward, ward_id)
        province = ward.province if ward else ""
        if fold(province) != "thai nguyen":
            app = next(s for s in campaign.services if s.code == PROVINCE_APP)
            app.label_vi = f"App công dân số của tỉnh {province}".strip()
            app.label_en = f"The province's citizen app ({province})"
        db.session.add(campaign)
        db.session.flush()
    return campaign


def _copy(service: Service, campaign: Campaign) -> Service:
    copy = Service(code=service.code, label_vi=service.label_vi, label_en=service.label_en,
                   per=service.per, age_basis=service.age_basis, target_pct=service.target_pct,
                   states=list(service.states), done_from=service.done_from,
                   position=service.position, note=service.note, parent_id=service.id)
    campaign.services.append(copy)
    return copy


def give_ward_campaign(group) -> Campaign:
    """A group's campaign: the one it runs (joined to its ward's, if it was made before the
    ward had one), else a copy of its ward's (made if need be)."""
    own = current_campaign(group.id)
    if own is not None:
        if own.parent_id is None:
            adopt(own, start_ward_campaign(group.ward_id))
        return own
    ward = start_ward_campaign(group.ward_id)
    campaign = Campaign(neighbourhood_id=group.id, ward_id=group.ward_id, parent_id=ward.id,
                        name=ward.name, starts_on=ward.starts_on)
    for service in ward.services:
        if service.retired_at is None:
            _copy(service, campaign)
    db.session.add(campaign)
    db.session.flush()
    return campaign


def adopt(campaign: Campaign, ward: Campaign) -> None:
    """A group's campaign from before its ward had one follows the ward's from now on: each
    service with a ward service of the same code is joined to it (targets stay as they are
    until the officer changes them); the others stay the group's own."""
    campaign.parent_id = ward.id
    by_code = {s.code: s for s in ward.services}
    for service in campaign.services:
        if service.parent_id is None and service.code in by_code:
            service.parent_id = by_code[service.code].id


def children(campaign: Campaign) -> list[Campaign]:
    return db.session.scalars(db.select(Campaign).where(Campaign.parent_id == campaign.id)).all()


def copies_of(service: Service) -> list[Service]:
    return db.session.scalars(db.select(Service).where(Service.parent_id == service.id)).all()


def parse_target(text) -> float:
    """A target in percent, more than 0 and at most 100; Invalid with the reason."""
    try:
        value = float(str(text).replace(",", ".").replace("%", "").strip())
    except ValueError:
        raise Invalid(_("Mục tiêu phải là một số phần trăm, từ 1 đến 100.")) from None
    if not 0 < value <= 100:
        raise Invalid(_("Mục tiêu %(v)s%% không hợp lệ: phải từ 1 đến 100%%.", v="%g" % value))
    return value


def _note(text) -> str:
    note = nfc(text or "").strip()
    if len(note) > NOTE_MAX:
        raise Invalid(_("Hướng dẫn quá dài (tối đa %(n)s ký tự).", n=NOTE_MAX))
    return note


def _label(text) -> str:
    label = " ".join(nfc(text or "").split())
    if not label or len(label) > 200:
        raise Invalid(_("Cần tên dịch vụ (tối đa 200 ký tự)."))
    return label


def set_service(service: Service, target, note) -> None:
    """New target and how-to note; a ward's service passes them on to the groups' copies."""
    target, note = parse_target(target), _note(note)
    for each in [service, *copies_of(service)]:
        each.target_pct, each.note = target, note


def add_service(campaign: Campaign, label, per, basis, target, note) -> Service:
    """A service of the ward's (every group gets it) or of one group only (local)."""
    label, target, note = _label(label), parse_target(target), _note(note)
    if per not in PER:
        raise Invalid(_("Hãy chọn tính theo hộ hay theo người."))
    if basis not in AGE_BASES:
        raise Invalid(_("Hãy chọn độ tuổi."))
    if per == "household":
        basis = "all"
    if any(s.label_vi.casefold() == label.casefold() and s.retired_at is None
           for s in campaign.services):
        raise Invalid(_("Danh mục đã có “%(label)s”.", label=label))
    service = Service(code=campaign.next_code(), label_vi=label, label_en=label, per=per,
                      age_basis=basis, target_pct=target, states=list(YES_NO), done_from="yes",
                      position=max((s.position for s in campaign.services), default=0) + 1,
                      note=note)
    campaign.services.append(service)
    db.session.flush()
    if campaign.neighbourhood_id is None:
        for group_campaign in children(campaign):
            _copy(service, group_campaign)
    db.session.flush()
    return service


def retire_service(service: Service) -> None:
    """Off the door form for good (the ward's: in every group); records and figures stay."""
    for each in [service, *copies_of(service)]:
        if each.retired_at is None:
            each.retired_at = utcnow()


def switch_service(service: Service, on: bool) -> None:
    """A group's leader asks about a service, or not."""
    service.switched_off = not on
