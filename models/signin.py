"""Sign-in rules: who a login names, throttling across processes, one-time links, sessions."""
from __future__ import annotations

import hashlib
import re
import secrets
from datetime import timedelta
from typing import Optional

from itsdangerous import BadSignature, URLSafeTimedSerializer

from extensions import db
from models.base import utcnow
from models.user import SignInAttempt, SignInLink, User, UserSession, check_secret
from vietnamese import fold


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
    if phone and len(phone) >= 9 and re.fullmatch(r"[\d\s.+()-]+", login):
        return db.session.scalar(db.select(User).where(User.phone == phone))
    return db.session.scalar(db.select(User).where(User.username == login.lower()))


def throttle_keys(login: str, remote_addr: str) -> list[str]:
    return [f"login:{fold(normalise_phone(login) or login)[:80]}", f"ip:{remote_addr}"]


def too_many_failures(keys: list[str], limit: int, window: timedelta) -> bool:
    """True when any key failed `limit` times within the window (per login; 4x per address)."""
    since = utcnow() - window
    for key in keys:
        count = db.session.scalar(db.select(db.func.count(SignInAttempt.id))
                                  .where(SignInAttempt.key == key, SignInAttempt.at >= since))
        if count >= (limit * 4 if key.startswith("ip:") else limit):
            return True
    return False


def record_failure(keys: list[str]) -> None:
    db.session.add_all(SignInAttempt(key=key) for key in keys)


def clear_failures(keys: list[str]) -> None:
    db.session.execute(db.delete(SignInAttempt).where(SignInAttempt.key == keys[0]))


def authenticate(login: str, secret: str) -> Optional[User]:
    """The active user whose password (or volunteer PIN) matches, or None."""
    user = find_user(login)
    known = user is not None and user.active
    # One argon2 verify whoever is tried: an unknown login hashes against a stand-in.
    matches = check_secret(user.secret_hash if known else None, secret)
    return user if known and matches else None


def open_session(user: User) -> str:
    """A new server-side session id for this browser."""
    row = UserSession(id=secrets.token_urlsafe(32), user_id=user.id)
    db.session.add(row)
    return row.id


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
