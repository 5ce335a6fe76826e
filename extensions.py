"""The Flask extensions, created once; app.py binds them to the app."""
from __future__ import annotations

import contextvars

from flask_babel import Babel
from flask_compress import Compress
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
babel = Babel()
htmx = Htmx()  # request.htmx: what an htmx request asks for (routes.web.wants_fragment)
# Phones on weak 4G: pages, scripts, styles and JSON go out compressed (br or gzip, as the
# browser asks): the walk page's HTML alone is 80 KB raw, 5 KB compressed.
compress = Compress()

# True while serving a read-only request (GET/HEAD): SQLite then begins deferred
# transactions; everything else takes the write lock up front.
read_only = contextvars.ContextVar("read_only", default=False)


def tune_sqlite(engine) -> None:
    """WAL, foreign keys, a busy timeout, and BEGIN IMMEDIATE for writers.

    With SQLAlchemy's defaults six processes doing read-then-write lost 299 of 360
    updates; WAL + BEGIN IMMEDIATE gave 0 lost and 0 "database is locked".
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN" if read_only.get() else "BEGIN IMMEDIATE")
