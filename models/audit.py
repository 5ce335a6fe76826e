"""The audit log: who changed or exported what, when (UTC), with what outcome."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Optional

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import db
from models.base import utcnow
from models.user import User

PAGE = 50  # entries a page of the log shows

# Never written into an entry: personal or secret values.
_FORBIDDEN_KEYS = {"phone", "pin", "password", "token", "link", "secret"}


class AuditEntry(db.Model):
    """One audited action."""

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"),
                                                   index=True)
    neighbourhood_id: Mapped[Optional[int]] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(String(60))
    object_type: Mapped[str] = mapped_column(String(40), default="")
    object_id: Mapped[Optional[int]]
    outcome: Mapped[str] = mapped_column(String(20), default="ok")
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    # The same refusal again within its window adds here, not a row (count_repeated).
    repeats: Mapped[int] = mapped_column(default=1, server_default="1")
    last_at: Mapped[Optional[datetime]]

    user: Mapped[Optional["User"]] = relationship()  # noqa: F821


def audit(action: str, *, user_id: Optional[int] = None, neighbourhood_id: Optional[int] = None,
          object_type: str = "", object_id: Optional[int] = None, outcome: str = "ok",
          **detail) -> None:
    """Write an entry in the caller's transaction (it commits with the caller's change).

    A plain INSERT, not an object in the session: every visit saved writes one, and the
    session's unit of work costs more than the row."""
    clean = {k: v for k, v in detail.items() if k not in _FORBIDDEN_KEYS}
    db.session.execute(AuditEntry.__table__.insert(), {
        "at": utcnow(), "action": action, "user_id": user_id,
        "neighbourhood_id": neighbourhood_id, "object_type": object_type,
        "object_id": object_id, "outcome": outcome, "detail": clean})


def count_repeated(action: str, *, outcome: str, window: timedelta, object_type: str = "",
                   object_id: Optional[int] = None, neighbourhood_id: Optional[int] = None
                   ) -> None:
    """Audit something anyone can repeat at will (a refused sign-in): within `window` of
    the first, the same action, outcome and object adds to that entry's count, so a flood
    of requests writes one row per object and window, not one per request."""
    now = utcnow()
    same = db.select(AuditEntry.id).where(
        AuditEntry.action == action, AuditEntry.outcome == outcome,
        AuditEntry.object_type == object_type, AuditEntry.at >= now - window,
        AuditEntry.object_id == object_id if object_id else AuditEntry.object_id.is_(None))
    entry_id = db.session.scalar(same.order_by(AuditEntry.id.desc()).limit(1))
    if entry_id is None:
        audit(action, outcome=outcome, object_type=object_type, object_id=object_id,
              neighbourhood_id=neighbourhood_id)
        return
    db.session.execute(db.update(AuditEntry).where(AuditEntry.id == entry_id).values(
        repeats=AuditEntry.repeats + 1, last_at=now))


def entries_for(neighbourhood_id: Optional[int], before: Optional[int],
                everything: bool = False) -> list[AuditEntry]:
    """A page of entries, newest first: the neighbourhood's, and what its people did
    anywhere (or, with `everything`, the whole log)."""
    people = db.select(User.id).where(User.neighbourhood_id == neighbourhood_id)
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if not everything:
        query = query.where(db.or_(AuditEntry.neighbourhood_id == neighbourhood_id,
                                   AuditEntry.user_id.in_(people)))
    if before:
        query = query.where(AuditEntry.id < before)
    return db.session.scalars(query).all()


def account_names(entries: list[AuditEntry]) -> dict[int, str]:
    """The names of the accounts the entries are about (a refused sign-in, a volunteer added)."""
    ids = {e.object_id for e in entries if e.object_type == "user" and e.object_id}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))).all())
