"""Shared column helpers."""
from __future__ import annotations

from datetime import datetime, timezone

MAX_ID = 2**31 - 1  # PostgreSQL's integer: a larger id names no row (and must not be a 500)


def utcnow() -> datetime:
    """Now in UTC, naive: every stored time is UTC; templates show Asia/Ho_Chi_Minh."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Invalid(ValueError):
    """Input the app will not take; the message says why, in the user's language (raise it
    with flask_babel's gettext), and the caller rolls back: nothing changes."""
