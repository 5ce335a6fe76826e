"""Campaigns (đợt vận động) and their checklist of services (indicators)."""
from __future__ import annotations

from datetime import date
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db

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

class Campaign(db.Model):
    """A drive with its checklist of services, run by one neighbourhood's team."""

    id: Mapped[int] = mapped_column(primary_key=True)
    neighbourhood_id: Mapped[int] = mapped_column(ForeignKey("neighbourhood.id"), index=True)
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

    campaign: Mapped[Campaign] = relationship(back_populates="services")

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
