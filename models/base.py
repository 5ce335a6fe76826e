"""Shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone


def utcnow() -> datetime:
    """Now in UTC, naive: every stored time is UTC; templates show Asia/Ho_Chi_Minh."""
    return datetime.now(timezone.utc).replace(tzinfo=None)
