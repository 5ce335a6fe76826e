"""Storage: the schema comes from migrations; SQLite is tuned so writers never lose updates."""
from __future__ import annotations

import multiprocessing

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import upgrade
from sqlalchemy import Column, Integer, MetaData, Table, select, text, update

from app import create_app
from extensions import db
from tests.conftest import ON_POSTGRES


def test_migrations_build_exactly_the_models_schema(tmp_path):
    url = f"sqlite:///{tmp_path / 'migrated.sqlite3'}"
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
    assert diff == [], f"models and migrations differ: run `flask db migrate`: {diff}"


def test_engine_is_tuned_for_its_database(app):
    """SQLite: WAL, foreign keys, busy timeout. PostgreSQL: connections checked before use."""
    if ON_POSTGRES:
        assert db.engine.pool._pre_ping
        return
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 5000


COUNTER = Table("counter", MetaData(), Column("id", Integer, primary_key=True),
                Column("n", Integer))


def _add_to_counter(url: str, times: int) -> None:
    """Read-then-write on one row through the app's own engine configuration.

    The row lock is what the app takes for a household (FOR UPDATE on PostgreSQL; on
    SQLite BEGIN IMMEDIATE already holds the write lock and the clause is dropped).
    """
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        for _ in range(times):
            value = db.session.execute(select(COUNTER.c.n).where(COUNTER.c.id == 1)
                                       .with_for_update()).scalar()
            db.session.execute(update(COUNTER).where(COUNTER.c.id == 1).values(n=value + 1))
            db.session.commit()


def test_six_processes_writing_lose_nothing_and_never_see_database_is_locked(app):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    with db.engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS counter"))
        conn.execute(text("CREATE TABLE counter (id INTEGER PRIMARY KEY, n INTEGER)"))
        conn.execute(text("INSERT INTO counter VALUES (1, 0)"))
    ctx = multiprocessing.get_context("spawn")
    workers = [ctx.Process(target=_add_to_counter, args=(url, 40)) for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0] * 6  # no "database is locked"
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT n FROM counter")).scalar() == 240
