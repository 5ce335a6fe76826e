"""Sign-in rules: who a login names, throttling across processes, one-time links, sessions."""
from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Optional

from itsdangerous import BadSignature, URLSafeTimedSerializer

from flask_babel import gettext as _

from extensions import db
from models.audit import AuditEntry
from models.base import utcnow
from models.user import SignInAttempt, SignInLink, User, UserSession, check_secret
from vietnamese import fold


PHONE_LIKE = re.compile(r"[\d\s.+()-]+")
DAY = timedelta(days=1)
SEEN_EVERY = timedelta(minutes=5)  # how finely a session's idle time is measured
REFUSED = ("failed", "throttled")  # the outcomes of a refused sign-in in the audit log


def normalise_phone(text: str) -> str:
    """'+84 912 345 678' and '0912.345.678' -> '0912345678'."""
    digits = re.sub(r"\D", "", text or "")
    if digits.startswith("84") and len(digits) >= 11:
        digits = "0" + digits[2:]
    return digits


def find_user(login: str) -> Optional[User]:
    """A phone number finds a volunteer; anything else is a username."""
    login = (login or "").strip()
    phone = normalise_phone(login)
    if phone and len(phone) >= 9 and PHONE_LIKE.fullmatch(login):
        return db.session.scalar(db.select(User).where(User.phone == phone))
    return db.session.scalar(db.select(User).where(User.username == login.lower()))


def throttle_keys(login: str, tried: Optional[User], remote_addr: str) -> list[str]:
    """The login's key, then the address's. A known account's key is its id: exactly that
    account, however its login is written ("x7" is not "totruong7")."""
    if tried is not None:
        account = f"user:{tried.id}"
    elif PHONE_LIKE.fullmatch((login or "").strip()):
        account = f"phone:{normalise_phone(login)}"
    else:
        account = f"name:{fold(login.strip())[:80]}"
    return [account, f"ip:{remote_addr}"]


@dataclass(frozen=True)
class Limits:
    """Failed sign-ins allowed per login in `window` and per day (an address: 4x as many)."""

    per_window: int
    window: timedelta
    per_day: int


def _over(key: str, limits: Limits) -> bool:
    """Whether the key's tries (this one included) pass a limit."""
    scale = 4 if key.startswith("ip:") else 1
    for most, since in ((limits.per_window, limits.window), (limits.per_day, DAY)):
        count = db.session.scalar(db.select(db.func.count(SignInAttempt.id)).where(
            SignInAttempt.key == key, SignInAttempt.at >= utcnow() - since))
        if count > most * scale:
            return True
    return False


def take_a_try(keys: list[str], limits: Limits) -> Optional[list[int]]:
    """Count this try before its secret is checked, committed, so simultaneous tries see
    each other and never more than the limit get through: the ids of its rows, or None
    (not counted) when a key is over its limit."""
    rows = [SignInAttempt(key=key) for key in keys]
    db.session.add_all(rows)
    db.session.commit()
    ids = [row.id for row in rows]
    if any(_over(key, limits) for key in keys):
        db.session.execute(db.delete(SignInAttempt).where(SignInAttempt.id.in_(ids)))
        db.session.commit()
        return None
    return ids


def clear_failures(keys: list[str], this_try: list[int]) -> None:
    """A right secret: the login's failures are forgotten, and this try was no failure."""
    db.session.execute(db.delete(SignInAttempt).where(db.or_(
        SignInAttempt.key == keys[0], SignInAttempt.id.in_(this_try))))


def failures_since(user_ids: list[int], since: timedelta) -> dict[int, int]:
    """Refused sign-ins on each of these accounts in the last `since`, from the audit log
    (which keeps them after a success clears the throttle)."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        db.select(AuditEntry.object_id, db.func.sum(AuditEntry.repeats))
        .where(AuditEntry.action == "sign_in", AuditEntry.outcome.in_(REFUSED),
               AuditEntry.object_type == "user", AuditEntry.object_id.in_(user_ids),
               AuditEntry.at >= utcnow() - since)
        .group_by(AuditEntry.object_id))
    return {user_id: int(count) for user_id, count in rows}


# -- PINs -----------------------------------------------------------------------------------
PIN_LENGTH = 6
# Patterns people pick that no rule below catches: keypad lines, and "520" (love you).
COMMON_PINS = {"147258", "258369", "159753", "789456", "147852", "741852", "963852",
               "123654", "102030", "112233", "123321", "520520", "520131"}


def pin_problem(pin: str) -> Optional[str]:
    """Why a new PIN will not do (in the user's language), or None."""
    if not re.fullmatch(r"[0-9]{%d}" % PIN_LENGTH, pin or ""):  # ASCII digits only
        return _("Mã PIN phải gồm đúng %(n)s chữ số 0–9.", n=PIN_LENGTH)
    steps = {(int(b) - int(a)) % 10 for a, b in zip(pin, pin[1:])}
    if (len(set(pin)) <= 2 or steps in ({1}, {9}) or pin[:3] == pin[3:]
            or pin in COMMON_PINS):
        return _("Mã PIN này quá dễ đoán (như 123456, 000000, 121212). Hãy chọn mã khác.")
    return None


def authenticate(tried: Optional[User], secret: str) -> Optional[User]:
    """The account tried, if active and its password (or volunteer PIN) matches, or None."""
    known = tried is not None and tried.active
    # One argon2 verify whoever is tried: an unknown login hashes against a stand-in.
    matches = check_secret(tried.secret_hash if known else None, secret)
    return tried if known and matches else None


def open_session(user: User) -> str:
    """A new server-side session id for this browser."""
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(row)
    return row.id


def expired(row: UserSession, idle_hours: float, absolute_hours: float) -> bool:
    """A session unused for `idle_hours`, or older than `absolute_hours`, signs no one in."""
    now = utcnow()
    last = row.last_seen_at or row.created_at
    return (now - last > timedelta(hours=idle_hours)
            or now - row.created_at > timedelta(hours=absolute_hours))


def mark_seen(row: UserSession) -> None:
    """Note the session in use, at most every few minutes (a write, on a read request).

    The request's read transaction ends first: on SQLite a reader that turns writer can
    fail at once, where a transaction that starts by writing waits its turn."""
    now = utcnow()
    if row.last_seen_at and now - row.last_seen_at < SEEN_EVERY:
        return
    db.session.commit()
    db.session.execute(db.update(UserSession).where(UserSession.id == row.id)
                       .values(last_seen_at=now))
    db.session.commit()


def end_session(sid: Optional[str]) -> None:
    if sid:
        db.session.execute(db.update(UserSession).where(UserSession.id == sid)
                           .values(ended_at=utcnow()))


def _digest(nonce: str) -> str:
    return hashlib.sha256(nonce.encode()).hexdigest()


def make_link_token(secret_key: str, user: User, created_by: Optional[User],
                    hours: int) -> str:
    """A signed, single-use, expiring token for a sign-in link."""
    nonce = secrets.token_urlsafe(24)
    link = SignInLink(user_id=user.id, nonce_hash=_digest(nonce),
                      created_by_id=created_by.id if created_by else None,
                      expires_at=utcnow() + timedelta(hours=hours))
    db.session.add(link)
    db.session.flush()
    return URLSafeTimedSerializer(secret_key, salt="sign-in-link").dumps(
        {"l": link.id, "n": nonce})


def peek_link(secret_key: str, token: str, hours: int) -> Optional[SignInLink]:
    """The link a token names, if signed, unexpired and unused; uses nothing up."""
    try:
        data = URLSafeTimedSerializer(secret_key, salt="sign-in-link").loads(
            token, max_age=hours * 3600)
    except BadSignature:
        return None
    link = db.session.get(SignInLink, data.get("l"))
    if link is None or link.nonce_hash != _digest(str(data.get("n"))):
        return None
    if link.used_at is not None or link.expires_at < utcnow():
        return None
    return link


def use_link(link: SignInLink) -> bool:
    """Mark the link used; exactly one of two simultaneous requests wins."""
    result = db.session.execute(
        db.update(SignInLink)
        .where(SignInLink.id == link.id, SignInLink.used_at.is_(None),
               SignInLink.expires_at >= utcnow())
        .values(used_at=utcnow()))
    return result.rowcount == 1
