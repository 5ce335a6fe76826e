"""Background jobs with progress that survives a page reload, and the geocoder cache."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import db
from models.base import utcnow


class Job(db.Model):
    """A long piece of work (geocoding a neighbourhood) and how far it has come."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    neighbourhood_id: Mapped[Optional[int]] = mapped_column(index=True)
    state: Mapped[str] = mapped_column(String(20), default="queued")  # queued|running|done|failed
    total: Mapped[int] = mapped_column(default=0)
    done: Mapped[int] = mapped_column(default=0)
    message: Mapped[str] = mapped_column(String(500), default="")
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Written with every step of progress: a job silent for long died with its process.
    beat_at: Mapped[Optional[datetime]] = mapped_column(default=utcnow)
    finished_at: Mapped[Optional[datetime]]

    def silent_since(self, moment: datetime) -> bool:
        """Unfinished, and no sign of life since `moment`."""
        return self.state in ("queued", "running") and (self.beat_at or self.started_at) < moment

    @property
    def percent(self) -> int:
        return 100 if not self.total else int(100 * self.done / self.total)


class GeocodeCache(db.Model):
    """A geocoder's raw answer for a query, so the same question is never asked twice."""

    query: Mapped[str] = mapped_column(String(500), primary_key=True)
    raw: Mapped[Optional[dict]] = mapped_column(JSON)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
