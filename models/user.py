"""People who sign in, their sessions, sign-in links and availability."""
from __future__ import annotations

import re
import secrets
from datetime import date, datetime
from functools import cache
from typing import Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship, selectinload

from flask_babel import gettext as _

from extensions import db
from models.base import Invalid, utcnow
from vietnamese import name_sort_key, nfc
from vocabulary import ROLES, SLOTS, VOLUNTEER

MAX_CAPACITY = 200  # households a volunteer can take in one shift, at the most

_hasher = PasswordHasher()  # argon2id, meets OWASP's current minimum


def hash_secret(secret: str) -> str:
    return _hasher.hash(secret)


@cache
def _stand_in() -> str:
    """A hash of a secret nobody knows, made once, for logins without an account."""
    return _hasher.hash(secrets.token_urlsafe(24))


def check_secret(stored: Optional[str], secret: str) -> bool:
    """Whether `secret` matches `stored`; with nothing stored (an unknown login), the same
    argon2 work against a stand-in, so the time taken never tells which logins exist."""
    try:
        return _hasher.verify(stored or _stand_in(), secret) and bool(stored)
    except (VerificationError, InvalidHashError):
        return False


class User(db.Model):
    """A leader, volunteer, ward officer or admin."""

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))  # vocabulary.ROLES
    username: Mapped[Optional[str]] = mapped_column(String(80), unique=True)
    phone: Mapped[Optional[str]] = mapped_column(String(20), unique=True)
    password_hash: Mapped[Optional[str]] = mapped_column(String(200))
    pin_hash: Mapped[Optional[str]] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    ward_id: Mapped[Optional[int]] = mapped_column(ForeignKey("ward.id"), index=True)
    neighbourhood_id: Mapped[Optional[int]] = mapped_column(ForeignKey("neighbourhood.id"),
                                                            index=True)
    capacity: Mapped[int] = mapped_column(default=25)  # households in one shift
    locale: Mapped[Optional[str]] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    neighbourhood: Mapped[Optional["Neighbourhood"]] = relationship()  # noqa: F821
    ward: Mapped[Optional["Ward"]] = relationship()  # noqa: F821
    availability: Mapped[list["Availability"]] = relationship(cascade="all, delete-orphan")
    away_dates: Mapped[list["AwayDate"]] = relationship(cascade="all, delete-orphan")

    def set_password(self, password: str) -> None:
        self.password_hash = hash_secret(password)

    def set_pin(self, pin: str) -> None:
        self.pin_hash = hash_secret(pin)

    @property
    def secret_hash(self) -> Optional[str]:
        """What signs this user in: a password (leaders, officers, admins) or a PIN
        (volunteers); one hash, so a sign-in costs the same whoever tries."""
        return self.password_hash or self.pin_hash

    def is_available(self, day: date, slot: str) -> bool:
        """Free on that weekday and slot, and not away that date."""
        return self.free_on(day, slot) is True

    def free_on(self, day: date, slot: str) -> Optional[bool]:
        """True: free that weekday and slot; False: away that date, or their week leaves it
        out; None: they have not said when they are free (chưa rõ)."""
        if any(a.day == day for a in self.away_dates):
            return False
        if not self.availability:
            return None
        return any(a.weekday == day.weekday() and a.slot == slot for a in self.availability)


class UserSession(db.Model):
    """One signed-in browser; signing out ends it, so a copied cookie is refused."""

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[Optional[datetime]]  # the last request, to a few minutes
    ended_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship()


class SignInLink(db.Model):
    """A one-time sign-in link the leader sends over Zalo: signed, single use, expiring."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    nonce_hash: Mapped[str] = mapped_column(String(64))
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[Optional[datetime]]

    user: Mapped[User] = relationship(foreign_keys=[user_id])


class SignInAttempt(db.Model):
    """Failed sign-ins, in the database so throttling holds across processes."""

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Availability(db.Model):
    """A weekday and slot when a volunteer can usually go out."""

    __table_args__ = (UniqueConstraint("user_id", "weekday", "slot"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int]  # Monday = 0
    slot: Mapped[str] = mapped_column(String(10))  # vocabulary.SLOTS


class AwayDate(db.Model):
    """A date a volunteer is away."""

    __table_args__ = (UniqueConstraint("user_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    day: Mapped[date]


def volunteers_of(neighbourhood_id: int, active_only: bool = True) -> list[User]:
    """The neighbourhood's volunteers (only those who may sign in, unless asked), by given
    name, then full name."""
    # Availability comes along: Suggest asks each volunteer whether they are free.
    query = db.select(User).options(selectinload(User.availability), selectinload(User.away_dates)
                                    ).where(User.neighbourhood_id == neighbourhood_id,
                                            User.role == VOLUNTEER)
    if active_only:
        query = query.where(User.active.is_(True))
    return sorted(db.session.scalars(query), key=lambda u: name_sort_key(u.name))


USERNAME = re.compile(r"[a-z0-9][a-z0-9._-]{2,39}")


def find_by_username(username: str) -> Optional[User]:
    return db.session.scalar(db.select(User).where(User.username == (username or "").strip().lower()))


def new_account(role: str, name: str, username: str = "", phone: str = "",
                ward_id: Optional[int] = None, neighbourhood_id: Optional[int] = None) -> User:
    """A new account that signs in first with a one-time link (a password, or a volunteer's
    PIN, can be set later); Invalid with the reason, and nothing added."""
    name = nfc(name or "").strip()
    if not name or len(name) > 200:
        raise Invalid(_("Cần họ tên (tối đa 200 ký tự)."))
    if role != VOLUNTEER:
        username = (username or "").strip().lower()
        if not USERNAME.fullmatch(username):
            raise Invalid(_("Tên đăng nhập cần 3–40 ký tự: chữ không dấu, số, dấu chấm, "
                            "gạch ngang hoặc gạch dưới."))
        if find_by_username(username) is not None:
            raise Invalid(_("Tên đăng nhập “%(u)s” đã có người dùng.", u=username))
    user = User(name=name, role=role, username=username or None, phone=phone or None,
                ward_id=ward_id, neighbourhood_id=neighbourhood_id)
    db.session.add(user)
    db.session.flush()
    return user


def staff() -> list[User]:
    """Admins, ward officers and leaders, with their ward and group, by role then name."""
    people = db.session.scalars(db.select(User).where(User.role != VOLUNTEER).options(
        selectinload(User.ward), selectinload(User.neighbourhood))).all()
    return sorted(people, key=lambda u: (ROLES.index(u.role), name_sort_key(u.name)))


def phone_taken(phone: str) -> bool:
    """Someone already signs in with this phone number."""
    return db.session.scalar(db.select(User.id).where(User.phone == phone)) is not None


def week_fields(form) -> tuple[set[tuple[int, str]], int]:
    """The weekly grid ({(weekday, slot)} ticked) and the capacity from the availability
    form, or Invalid with the reason."""
    capacity = form.get("capacity", "")
    if not capacity.isdigit() or not 1 <= int(capacity) <= MAX_CAPACITY:
        raise Invalid(_("Số hộ mỗi buổi phải là số từ 1 đến %(n)s.", n=MAX_CAPACITY))
    return {(d, s) for d in range(7) for s in SLOTS if form.get(f"slot-{d}-{s}")}, int(capacity)


def away_day(form, today: date) -> date:
    """A date away from a form: today or later, or Invalid with the reason."""
    try:
        day = date.fromisoformat(form.get("day", ""))
    except ValueError:
        raise Invalid(_("Ngày không hợp lệ.")) from None
    if day < today:
        raise Invalid(_("Ngày vắng phải từ hôm nay trở đi."))
    return day
