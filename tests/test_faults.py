"""Faults: a process killed mid-save, the database restarted or busy under the app.

Runs on SQLite and on PostgreSQL (GOCUA_TEST_DB=postgresql); where the fault differs by
database (a restart on PostgreSQL, a long write lock on SQLite) the test picks it.
"""
from __future__ import annotations

import re
import signal
import sqlite3
import subprocess
import sys
import threading
import uuid
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.pool import NullPool

from extensions import db
from models import Household, ServiceState, Visit
from models.rules import local_today
from tests import helpers
from tests.conftest import ON_POSTGRES, Auth

ROOT = Path(__file__).resolve().parent.parent
HX = {"HX-Request": "true"}

# A worker that records a visit and is killed before its commit (no hook in the app).
DIES_MID_SAVE = """
import sys, time
sys.path.insert(0, {root!r})
from app import create_app
from extensions import db
from models import Campaign, audit
from models.visit import VisitInput, record_visit
url, household_id, client_id = sys.argv[1], int(sys.argv[2]), sys.argv[3]
app = create_app({{"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"}})
with app.app_context():
    services = {{s.id: s for s in db.session.scalars(db.select(Campaign)).first().services}}
    broadband = next(i for i, s in services.items() if s.code == "broadband")
    visit, _ = record_visit(household_id, None, VisitInput(
        client_id, "met", services=[(broadband, None, "yes")]), services)
    audit("visit_recorded", object_type="household", object_id=household_id)
    db.session.flush()
    print("inside the transaction", flush=True)
    time.sleep(120)  # killed here, before db.session.commit()
"""


@pytest.fixture
def walk(world):
    """Today's walk for the volunteer; the first door on it."""
    helpers.gen_shift(world.home, local_today(), give={world.volunteer: [world.home.lanes[0]]})
    db.session.commit()
    world.door = db.session.scalars(db.select(Household).where(
        Household.lane_id == world.home.lanes[0].id).order_by(Household.id)).first()
    return world


def _phone(app, user):
    client = app.test_client()
    Auth(client).sign_in(user)
    page = client.get("/walk").get_data(as_text=True)
    return client, re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def _save(client, token, household_id, client_id, outcome="met"):
    return client.post(f"/walk/stops/{household_id}/visits",
                       headers={**HX, "X-CSRFToken": token},
                       data={"client_id": client_id, "outcome": outcome})


def test_a_worker_killed_mid_save_leaves_nothing_and_the_retry_applies_once(app, walk):
    household_id, client_id = walk.door.id, str(uuid.uuid4())
    client, token = _phone(app, walk.volunteer)
    db.session.commit()  # SQLite: let the worker take the write lock
    worker = subprocess.Popen(
        [sys.executable, "-c", DIES_MID_SAVE.format(root=str(ROOT)),
         app.config["SQLALCHEMY_DATABASE_URI"], str(household_id), client_id],
        stdout=subprocess.PIPE, text=True)
    try:
        assert worker.stdout.readline().strip() == "inside the transaction"
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(30)
        worker.stdout.close()
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 0  # no partial row
    assert db.session.scalar(db.select(db.func.count(ServiceState.id))) == 0
    assert db.session.get(Household, household_id).status == "not_visited"
    db.session.commit()
    assert _save(client, token, household_id, client_id).status_code == 201  # the phone retries
    assert _save(client, token, household_id, client_id).status_code == 200  # and again
    db.session.expire_all()
    assert db.session.scalars(db.select(Visit.client_id)).all() == [client_id]
    assert db.session.get(Household, household_id).status == "reached"


@contextmanager
def database_trouble(url: str):
    """PostgreSQL: every connection of the test database is cut (as by a restart).
    SQLite: another writer holds the write lock for longer than the driver's own 5 s
    default wait (as a big import might), then lets go."""
    if ON_POSTGRES:
        admin = create_engine(url, poolclass=NullPool)
        with admin.begin() as conn:
            cut = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()")).scalar()
        admin.dispose()
        assert cut >= 1  # the app's pooled connection was among them
        yield
        return
    holder = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None,
                             check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("UPDATE ward SET province = province")
    release = threading.Timer(6, lambda: holder.execute("COMMIT"))
    release.start()
    try:
        yield
    finally:
        release.join()
        holder.close()


def test_the_app_goes_on_after_its_database_was_restarted_or_busy(app, walk):
    household_id = walk.door.id
    client, token = _phone(app, walk.volunteer)
    db.session.commit()  # the app's connection goes back to its pool, alive until the cut
    with database_trouble(app.config["SQLALCHEMY_DATABASE_URI"]):
        saved = _save(client, token, household_id, str(uuid.uuid4()))
    assert saved.status_code == 201
    assert client.get("/walk").status_code == 200
    db.session.expire_all()
    assert db.session.get(Household, household_id).status == "reached"
