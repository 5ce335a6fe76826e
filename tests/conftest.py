"""Fixtures like flaskr's: app, client, runner, auth; a fresh database per test.

SQLite by default; GOCUA_TEST_DB=postgresql runs the same tests on TEST_DATABASE_URL.
"""
from __future__ import annotations

import contextvars
import os
from types import SimpleNamespace

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text

from app import create_app
from extensions import db
from tests import helpers

ON_POSTGRES = os.environ.get("GOCUA_TEST_DB") == "postgresql"


def postgres_url() -> str:
    url = os.environ["TEST_DATABASE_URL"]
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """Where the tests' database lives (one per test on SQLite, one schema per run on PG)."""
    if not ON_POSTGRES:
        return None
    url = postgres_url()
    engine = create_engine(url)
    with engine.begin() as conn:  # a clean slate, then the schema from the models
        conn.execute(text("DROP SCHEMA public CASCADE; CREATE SCHEMA public"))
    engine.dispose()
    return url


def _empty_postgres() -> None:
    tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    db.session.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    db.session.commit()


class RequestClient(FlaskClient):
    """A test client whose every request runs as in production: in its own app context
    (its own `g` and database session, removed when it ends), never in the test's.

    The test's own transaction ends first (its setup is committed, as data stands in the
    database before a person acts), so a request never waits on the test's SQLite lock,
    and the test reads what the request wrote afresh.
    """

    def open(self, *args, **kwargs):
        if has_app_context():
            db.session.commit()
        # An empty contextvars context: Flask finds no app context and pushes its own.
        return contextvars.Context().run(super().open, *args, **kwargs)


def make_app(url: str, tmp_path, **config) -> Flask:
    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                      "INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "test-secret",
                      "SERVER_NAME": None, **config})
    app.test_client_class = RequestClient
    return app


@pytest.fixture
def app(tmp_path, database_url):
    app = make_app(database_url or f"sqlite:///{tmp_path / 'test.sqlite3'}", tmp_path)
    with app.app_context():  # the test's own context: its setup and its checks
        db.create_all()
        if ON_POSTGRES:
            _empty_postgres()
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def world(app):
    """Two neighbourhoods of one ward, with a leader, two volunteers and an officer."""
    ward = helpers.gen_ward()
    home = helpers.gen_neighbourhood(ward, "Tổ 1")
    other = helpers.gen_neighbourhood(ward, "Tổ 2")
    far_ward = helpers.gen_ward("Phường Khác")
    far = helpers.gen_neighbourhood(far_ward, "Tổ xa")
    w = SimpleNamespace(ward=ward, home=home, other=other, far=far,
                        leader=helpers.gen_user("leader", home),
                        other_leader=helpers.gen_user("leader", other),
                        volunteer=helpers.gen_user("volunteer", home),
                        volunteer2=helpers.gen_user("volunteer", home),
                        officer=helpers.gen_user("ward_officer", ward=ward),
                        admin=helpers.gen_user("admin"))
    db.session.commit()
    return w


class Auth:
    """Sign in and out through the real form, as a person would."""

    def __init__(self, client):
        self.client = client

    def sign_in(self, user, secret=None):
        login = user.phone if user.role == "volunteer" else user.username
        secret = secret or (helpers.PIN if user.role == "volunteer" else helpers.PASSWORD)
        self.client.get("/sign-in")
        return self.client.post("/sign-in", data={"login": login, "secret": secret,
                                                  "csrf_token": self.csrf()})

    def csrf(self) -> str:
        page = self.client.get("/sign-in").get_data(as_text=True)
        marker = 'name="csrf_token" value="'
        start = page.index(marker) + len(marker)
        return page[start:page.index('"', start)]

    def sign_out(self):
        return self.client.post("/sign-out", data={"csrf_token": self.csrf()})


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def day(world):
    """Today's shift: `volunteer` walks lane 1 (`mine`, first door `door`), `volunteer2`
    lane 2 (`theirs`)."""
    from datetime import datetime
    from zoneinfo import ZoneInfo
    from models import Walk
    lanes = world.home.lanes
    today = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    world.shift = helpers.gen_shift(world.home, today, give={world.volunteer: [lanes[0]],
                                                             world.volunteer2: [lanes[1]]})
    db.session.commit()

    def stops_of(user):
        walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == user.id))
        return [s.household for s in walk.stops]

    world.mine, world.theirs = stops_of(world.volunteer), stops_of(world.volunteer2)
    world.door = world.mine[0]
    return world
