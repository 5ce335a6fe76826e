"""The audit log: who changed or exported what, when (UTC), with what outcome."""
from __future__ import annotations

from datetime import datetime
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
