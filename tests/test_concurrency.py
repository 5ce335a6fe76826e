"""Concurrency: two phones at one door, two leaders on one household, six processes writing.

Runs on SQLite and on PostgreSQL (GOCUA_TEST_DB=postgresql): where the databases protect
the data differently (BEGIN IMMEDIATE vs row locks and versioned UPDATEs) the test says so.
"""
from __future__ import annotations

import multiprocessing
import re
import threading
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.exc import IntegrityError

from extensions import db
from models import AuditEntry, Household, ServiceState, Visit
from models.base import utcnow
from models.rules import local_today
from tests import helpers
from tests.conftest import ON_POSTGRES, Auth

HX = {"HX-Request": "true"}
EDITED = "vừa được người khác sửa"


@pytest.fixture
def door(world):
    """Today's two shifts in which both volunteers walk lane 1: one door, two phones (a door
    is on one walk of a shift, so the second volunteer has it in the day's other shift)."""
    lane = world.home.lanes[0]
    helpers.gen_shift(world.home, local_today(), give={world.volunteer: [lane]})
    helpers.gen_shift(world.home, local_today(), "toi", give={world.volunteer2: [lane]})
    db.session.commit()
    world.door = db.session.scalars(db.select(Household).where(Household.lane_id == lane.id)
                                    .order_by(Household.id)).first()
    return world


def _signed_in(app, user, page="/walk"):
    """A test client of its own, signed in, with the CSRF token of `page`."""
    client = app.test_client()
    Auth(client).sign_in(user)
    html = client.get(page).get_data(as_text=True)
    return client, re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


def _at_once(app, *requests):
    """Run each request in its own thread, released together; their responses in order."""
    db.session.commit()  # SQLite: the test's own session must not hold the write lock
    start = threading.Barrier(len(requests))
    answers = [None] * len(requests)

    def run(k):
        with app.app_context():
            start.wait()
            response = requests[k]()
            answers[k] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(k,)) for k in range(len(requests))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return answers


@pytest.mark.parametrize("later", [0, 1])
def test_two_volunteers_saving_one_door_at_once_keep_both_visits_and_the_latest_counts(
        app, door, later):
    phones = [_signed_in(app, door.volunteer), _signed_in(app, door.volunteer2)]
    now = utcnow().replace(microsecond=0)
    outcomes = ["not_home", "met"] if later == 1 else ["met", "not_home"]
    times = [now - timedelta(minutes=2), now - timedelta(minutes=1)]  # phone 1 knocked later
    household_id = door.door.id

    def save(k):
        client, token = phones[k]
        return lambda: client.post(
            f"/walk/stops/{household_id}/visits", headers={**HX, "X-CSRFToken": token},
            data={"client_id": str(uuid.uuid4()), "outcome": outcomes[k],
                  "happened_at": times[k].isoformat() + "Z"})

    answers = _at_once(app, save(0), save(1))
    assert [status for status, _ in answers] == [201, 201]
    visits = db.session.scalars(db.select(Visit).where(Visit.household_id == household_id)
                                .order_by(Visit.happened_at)).all()
    assert [(v.user_id, v.outcome) for v in visits] == [
        (door.volunteer.id, outcomes[0]), (door.volunteer2.id, outcomes[1])]
    db.session.expire_all()
    expected = "reached" if outcomes[1] == "met" else "not_home"
    assert db.session.get(Household, household_id).status == expected


def _edit(client, household_id: int, token: str, version: int, name: str, number: str,
          lane_id: int):
    return client.post(f"/households/{household_id}", headers=HX,
                       data={"csrf_token": token, "version": version, "head_name": name,
                             "house_number": number, "lane_id": lane_id, "members": "3"})


def test_two_leaders_saving_one_household_at_once_one_is_told_nothing_is_overwritten(
        app, world):
    second = helpers.gen_user("leader", world.home)
    db.session.commit()
    household = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == world.home.id).order_by(Household.id)).first()
    seen, number, lane_id, household_id = (household.version, household.house_number,
                                           household.lane_id, household.id)
    leaders = [_signed_in(app, world.leader, "/households/"), _signed_in(app, second,
                                                                          "/households/")]
    names = ["Người Sửa Một", "Người Sửa Hai"]

    def edit(k):
        client, token = leaders[k]
        return lambda: _edit(client, household_id, token, seen, names[k], number, lane_id)

    answers = _at_once(app, edit(0), edit(1))
    assert sorted(status for status, _ in answers) == [200, 409]
    winner = next(k for k, (status, _) in enumerate(answers) if status == 200)
    loser_page = next(page for status, page in answers if status == 409)
    assert EDITED in loser_page and "chưa được lưu" in loser_page
    db.session.expire_all()
    household = db.session.get(Household, household_id)
    assert household.head_name == names[winner] and household.version == seen + 1
    edits = db.session.scalars(db.select(AuditEntry).where(
        AuditEntry.action == "household_edited", AuditEntry.object_id == household_id)).all()
    assert len(edits) == 1


def test_an_edit_that_lands_while_another_is_saving_is_not_overwritten(app, client, auth, world):
    """The other leader's save lands between this save's read and its write.

    PostgreSQL: the UPDATE carries the version it read, finds none, and the leader is told
    (409). SQLite: the save holds the write lock from its first read (BEGIN IMMEDIATE), so
    the other writer cannot land in between: it is kept waiting, and this save goes through.
    """
    household = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == world.home.id).order_by(Household.id)).first()
    household_id, seen = household.id, household.version
    number, lane_id = household.house_number, household.lane_id
    auth.sign_in(world.leader)
    token = re.search(r'"X-CSRFToken": "([^"]+)"',
                      client.get("/households/").get_data(as_text=True)).group(1)
    db.session.commit()
    other = create_engine(app.config["SQLALCHEMY_DATABASE_URI"],
                          connect_args={} if ON_POSTGRES else {"timeout": 0.2})
    landed = []

    def other_leader_saves(session, _context, _instances):
        if landed or household_id not in {getattr(o, "id", None) for o in session.dirty}:
            return
        try:
            with other.begin() as conn:
                conn.execute(text("UPDATE household SET head_name = 'Người Sửa Trước', "
                                  "version = version + 1 WHERE id = :id"), {"id": household_id})
            landed.append(True)
        except Exception as error:  # noqa: BLE001  (SQLite: locked out, as it should be)
            landed.append(error)

    event.listen(db.session, "before_flush", other_leader_saves)
    try:
        response = _edit(client, household_id, token, seen, "Người Sửa Sau", number, lane_id)
    finally:
        event.remove(db.session, "before_flush", other_leader_saves)
        other.dispose()
    db.session.expire_all()
    stored = db.session.get(Household, household_id)
    if ON_POSTGRES:
        assert landed == [True]
        assert response.status_code == 409 and EDITED in response.get_data(as_text=True)
        assert stored.head_name == "Người Sửa Trước" and stored.version == seen + 1
    else:
        assert len(landed) == 1 and "locked" in str(landed[0])
        assert response.status_code == 200
        assert stored.head_name == "Người Sửa Sau" and stored.version == seen + 1


def test_the_database_refuses_a_second_visit_with_the_same_phone_made_id(world):
    """The last word on "stored once", whatever the code above it does."""
    household = db.session.scalars(db.select(Household)).first()
    db.session.add(Visit(client_id="twin-0001", household_id=household.id, outcome="met"))
    db.session.commit()
    db.session.add(Visit(client_id="twin-0001", household_id=household.id, outcome="met"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
    assert db.session.scalar(db.select(db.func.count(Visit.id))) == 1


# --- six processes recording visits through the production engine configuration --------

def _record_visits(url: str, household_ids: list[int], shared: list[str], own: int,
                   errors) -> None:
    """Record `own` new visits over the households, then the shared ones (retries)."""
    from app import create_app
    from models import Campaign
    from models.visit import VisitInput, record_visit

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "x"})
    with app.app_context():
        try:
            campaign = db.session.scalars(db.select(Campaign)).first()
            services = {s.id: s for s in campaign.services}
            broadband = next(s.id for s in campaign.services if s.code == "broadband")
            visits = [str(uuid.uuid4()) for _ in range(own)] + shared
            for k, client_id in enumerate(visits):
                outcome = "met" if k % 2 else "not_home"
                done = [(broadband, None, "yes" if k % 3 else "no")] if outcome == "met" else []
                record_visit(household_ids[k % len(household_ids)], None,
                             VisitInput(client_id, outcome, services=done), services)
                db.session.commit()
        except Exception as error:  # noqa: BLE001  (reported to the test, not swallowed)
            db.session.rollback()
            errors.put(f"{type(error).__name__}: {error}")
            raise


def test_six_processes_recording_visits_lose_none_and_never_see_database_is_locked(app, world):
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    household_ids = db.session.scalars(db.select(Household.id).where(
        Household.neighbourhood_id == world.home.id).order_by(Household.id).limit(3)).all()
    shared = [str(uuid.uuid4()) for _ in range(6)]  # every process sends these: stored once
    db.session.commit()
    ctx = multiprocessing.get_context("spawn")
    errors = ctx.Queue()
    workers = [ctx.Process(target=_record_visits, args=(url, household_ids, shared, 20, errors))
               for _ in range(6)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(180)
    seen = []
    while not errors.empty():
        seen.append(errors.get())
    assert seen == [] and [w.exitcode for w in workers] == [0] * 6  # no "database is locked"
    db.session.expire_all()
    client_ids = db.session.scalars(db.select(Visit.client_id)).all()
    assert len(client_ids) == 6 * 20 + len(shared) == len(set(client_ids))
    for household_id in household_ids:  # each door's status and services are its latest visit's
        visits = db.session.scalars(db.select(Visit).where(Visit.household_id == household_id)
                                    .order_by(Visit.happened_at, Visit.id)).all()
        household = db.session.get(Household, household_id)
        assert household.status == {"met": "reached", "not_home": "not_home"}[visits[-1].outcome]
        states = db.session.scalars(db.select(ServiceState).where(
            ServiceState.household_id == household_id)).all()
        last_met = [v for v in visits if v.records][-1]
        assert [(s.state, s.visit_id) for s in states] == [(last_met.records[0].state,
                                                            last_met.id)]
