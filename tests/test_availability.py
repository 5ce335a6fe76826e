"""Volunteers' time on a phone: weekly slots, dates away, capacity, "I can't make it"."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from extensions import db
from models import ShiftResponse, User
from models.rules import local_today
from tests import helpers

HX = {"HX-Request": "true"}


def token(client) -> str:
    page = client.get("/availability/").get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def post(client, path, data, htmx=False):
    return client.post(path, data=data, headers={"X-CSRFToken": token(client),
                                                 **(HX if htmx else {})})


def next_weekday(weekday: int) -> date:
    day = local_today() + timedelta(days=1)
    return day + timedelta(days=(weekday - day.weekday()) % 7)


def test_a_volunteer_ticks_their_evenings_and_becomes_available(client, auth, world):
    auth.sign_in(world.volunteer)
    response = post(client, f"/availability/{world.volunteer.id}",
                    {"slot-2-toi": "1", "slot-5-sang": "1", "capacity": "15"})
    assert response.status_code == 303
    db.session.expire_all()
    user = db.session.get(User, world.volunteer.id)
    assert user.capacity == 15
    assert user.is_available(next_weekday(2), "toi") and user.is_available(next_weekday(5), "sang")
    assert not user.is_available(next_weekday(2), "sang")
    page = client.get("/availability/").get_data(as_text=True)
    assert len(re.findall(r'type="checkbox"[^>]*checked', page)) == 2


@pytest.mark.parametrize("capacity", ["", "0", "-3", "abc", "5000"])
def test_a_bad_capacity_is_refused_and_nothing_changes(client, auth, world, capacity):
    auth.sign_in(world.volunteer)
    post(client, f"/availability/{world.volunteer.id}", {"slot-1-toi": "1", "capacity": capacity})
    db.session.expire_all()
    user = db.session.get(User, world.volunteer.id)
    assert user.capacity == 25 and not user.availability
    assert "Số hộ mỗi buổi phải là số" in client.get("/availability/").get_data(as_text=True)


def test_a_date_away_makes_the_volunteer_unavailable_that_day(client, auth, world):
    day = next_weekday(3)
    auth.sign_in(world.volunteer)
    post(client, f"/availability/{world.volunteer.id}", {"slot-3-chieu": "1", "capacity": "20"})
    post(client, f"/availability/{world.volunteer.id}/away", {"day": day.isoformat()})
    db.session.expire_all()
    user = db.session.get(User, world.volunteer.id)
    assert not user.is_available(day, "chieu")
    assert user.is_available(day + timedelta(days=7), "chieu")
    post(client, f"/availability/{world.volunteer.id}/away/{user.away_dates[0].id}/delete", {})
    db.session.expire_all()
    assert db.session.get(User, world.volunteer.id).is_available(day, "chieu")


@pytest.mark.parametrize("day", ["2020-01-01", "not-a-date", ""])
def test_a_bad_or_past_date_away_is_refused(client, auth, world, day):
    auth.sign_in(world.volunteer)
    post(client, f"/availability/{world.volunteer.id}/away", {"day": day})
    db.session.expire_all()
    assert not db.session.get(User, world.volunteer.id).away_dates


def test_the_leader_edits_a_volunteers_availability(client, auth, world):
    auth.sign_in(world.leader)
    assert world.volunteer.name in client.get("/availability/").get_data(as_text=True)
    post(client, f"/availability/{world.volunteer.id}", {"slot-0-sang": "1", "capacity": "30"})
    db.session.expire_all()
    assert db.session.get(User, world.volunteer.id).capacity == 30


@pytest.mark.parametrize("who", ["other_leader", "volunteer2"])
def test_nobody_else_sees_or_edits_a_volunteers_time(client, auth, world, who):
    auth.sign_in(getattr(world, who))
    assert client.get(f"/availability/{world.volunteer.id}").status_code == 404
    assert post(client, f"/availability/{world.volunteer.id}", {"capacity": "3"}).status_code == 404
    db.session.expire_all()
    assert db.session.get(User, world.volunteer.id).capacity == 25


def test_cant_make_it_is_stored_and_shown_to_the_leader(app, client, auth, world):
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2),
                              give={world.volunteer: [world.home.lanes[0]]})
    db.session.commit()
    auth.sign_in(world.volunteer)
    page = client.get("/availability/").get_data(as_text=True)
    assert "Tôi không đi được" in page and "Bạn có ngõ được giao" in page
    response = post(client, f"/availability/shifts/{shift.id}", {"can_come": "0"}, htmx=True)
    assert response.status_code == 200 and "Tôi đi được" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(ShiftResponse.can_come)) is False
    leader = app.test_client()
    from tests.conftest import Auth
    Auth(leader).sign_in(world.leader)
    board = leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)
    assert "Đã báo không đi được" in board
    post(client, f"/availability/shifts/{shift.id}", {"can_come": "1"})
    assert "Đã báo không đi được" not in leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)


def test_a_volunteer_cannot_answer_for_another_neighbourhoods_shift(client, auth, world):
    shift = helpers.gen_shift(world.other, local_today() + timedelta(days=2))
    db.session.commit()
    auth.sign_in(world.volunteer)
    assert post(client, f"/availability/shifts/{shift.id}", {"can_come": "0"}).status_code == 404
    assert db.session.scalar(db.select(db.func.count(ShiftResponse.id))) == 0
