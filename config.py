"""Settings, read from the environment with safe defaults for one machine."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from vocabulary import ADMIN, LEADER, VOLUNTEER, WARD_OFFICER

INSTANCE = Path(os.environ.get("GOCUA_INSTANCE", Path(__file__).resolve().parent / "instance"))


def secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, or generated once into instance/secret_key."""
    if os.environ.get("SECRET_KEY"):
        return os.environ["SECRET_KEY"]
    instance.mkdir(parents=True, exist_ok=True)
    path = instance / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


def database_url(instance: Path) -> str:
    """PostgreSQL when DATABASE_URL says so, SQLite under instance/ otherwise."""
    url = os.environ.get("DATABASE_URL", "")
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return url or f"sqlite:///{instance / 'gocua.sqlite3'}"


def load(instance: Path = INSTANCE) -> dict:
    """The app's configuration as a dict for app.config.update()."""
    return {
        "SECRET_KEY": secret_key(instance),
        "SQLALCHEMY_DATABASE_URI": database_url(instance),
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        # A volunteer's page stays open all afternoon: the token lives as long as the session.
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_HEADERS": ["X-CSRFToken"],
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_NAME": "gocua_session",
        "MAX_CONTENT_LENGTH": int(os.environ.get("MAX_UPLOAD_BYTES", 5 * 1024 * 1024)),
        "BABEL_DEFAULT_LOCALE": "vi",
        "BABEL_DEFAULT_TIMEZONE": "Asia/Ho_Chi_Minh",
        "LANGUAGES": ["vi", "en"],
        "TILE_URL": os.environ.get("TILE_URL", "https://tile.openstreetmap.org/{z}/{x}/{y}.png"),
        "TILE_ATTRIBUTION": os.environ.get(
            # Plain text: a page names no host but its own and the tile server's.
            "TILE_ATTRIBUTION", "&copy; OpenStreetMap contributors (openstreetmap.org/copyright)"),
        "GEOCODER": os.environ.get("GEOCODER", "none"),
        "GEOCODER_USER_AGENT": os.environ.get("GEOCODER_USER_AGENT", "go-cua/0.1 (community team)"),
        "GEOCODER_DOMAIN": os.environ.get("GEOCODER_DOMAIN") or None,
        "GEOCODER_SCHEME": os.environ.get("GEOCODER_SCHEME", "https"),
        # Hours a session lasts unused (idle) and at the most (absolute), by role: a
        # volunteer's own phone stays signed in for weeks of a campaign; a browser that
        # reaches the registry (leader, officer, admin) for a working day.
        "SESSION_LIFETIMES": {VOLUNTEER: (14 * 24, 30 * 24), LEADER: (2, 12),
                              WARD_OFFICER: (2, 12), ADMIN: (2, 12)},
        "PERMANENT_SESSION_LIFETIME": timedelta(days=30),  # the cookie; the server decides
        "SIGN_IN_LINK_HOURS": int(os.environ.get("SIGN_IN_LINK_HOURS", 24)),
        "SIGN_IN_MAX_FAILURES": int(os.environ.get("SIGN_IN_MAX_FAILURES", 5)),
        "SIGN_IN_WINDOW_MINUTES": int(os.environ.get("SIGN_IN_WINDOW_MINUTES", 15)),
        "SIGN_IN_MAX_FAILURES_PER_DAY": int(os.environ.get("SIGN_IN_MAX_FAILURES_PER_DAY", 20)),
        # Reverse proxies in front of the app that append X-Forwarded-For/-Proto: 0 when
        # gunicorn faces the browsers; 1 behind one nginx. Never more than there are.
        "PROXY_HOPS": int(os.environ.get("GOCUA_PROXY_HOPS", 0)),
    }
