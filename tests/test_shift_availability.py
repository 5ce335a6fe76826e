"""Availability that does not block: "chưa rõ" volunteers are used and flagged, those who said
no never; one click marks a volunteer free; a shift is edited or cancelled, and a cancelled
shift leaves no walk on any phone."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from extensions import db
from models import Shift, ShiftHousehold, Walk
from models.rules import local_today
from tests import helpers
from tests.test_shifts import csrf, load_of, mornings_only, post


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return client


@pytest.fixture
def shift(world):
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), slot="chieu")
    db.session.commit()
    return shift


def owners(shift_id):
    db.session.expire_all()
    return {a.volunteer_id for a in db.session.get(Shift, shift_id).assignments}


def test_on_a_new_group_suggest_works_first_time_and_flags_the_unsure(leader, world, shift):
    """Nobody has said when they are free yet: both are used, and the board says so."""
    assert post(leader, f"/shifts/{shift.id}/suggest").status_code == 303
    assert owners(shift.id) == {world.volunteer.id, world.volunteer2.id}
    page = leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)
    assert "2 người chưa rõ có rảnh không đã được gợi ý" in page
    for volunteer in (world.volunteer, world.volunteer2):
        load = load_of(page, volunteer)
        assert "Chưa rõ có rảnh không" in load and "Rảnh buổi này" in load


def test_those_who_said_no_are_never_used(leader, client, auth, world, shift):
    mornings_only(world.volunteer)           # their week leaves this afternoon out
    auth.sign_in(world.volunteer2)           # and this one says "I can't make it"
    client.post(f"/availability/shifts/{shift.id}", data={"can_come": "0"},
                headers={"X-CSRFToken": csrf(client, "/availability/")})
    auth.sign_in(world.leader)
    post(leader, f"/shifts/{shift.id}/suggest")
    assert owners(shift.id) == set()
    assert "không có thành viên rảnh" in leader.get(f"/shifts/{shift.id}/board").get_data(
        as_text=True)


def test_one_click_marks_a_volunteer_free_for_this_shift(leader, world, shift):
    mornings_only(world.volunteer, world.volunteer2)
    response = post(leader, f"/shifts/{shift.id}/volunteers/{world.volunteer.id}/free",
                    htmx=True)
    assert response.status_code == 200
    load = load_of(response.get_data(as_text=True), world.volunteer)
    assert "Không rảnh buổi này" not in load and "Rảnh buổi này" not in load
    post(leader, f"/shifts/{shift.id}/suggest")
    assert owners(shift.id) == {world.volunteer.id}


def test_a_shift_is_edited_and_its_walks_follow(leader, client, auth, world, shift):
    post(leader, f"/shifts/{shift.id}/lanes/{world.home.lanes[0].id}",
         {"volunteer_id": world.volunteer.id}, htmx=True)
    day = (local_today() + timedelta(days=4)).isoformat()
    response = post(leader, f"/shifts/{shift.id}/edit", {"day": day, "slot": "toi",
                                                         "meeting_point": "Sân đình",
                                                         "starts_at": "18:30",
                                                         "ends_at": "21:00"})
    assert response.status_code == 303
    db.session.expire_all()
    edited = db.session.get(Shift, shift.id)
    assert (edited.day.isoformat(), edited.slot, edited.meeting_point) == (day, "toi", "Sân đình")
    assert edited.window_minutes == 150
    auth.sign_in(world.volunteer)  # the volunteer sees the new day and hours on their phone
    mine = client.get("/availability/").get_data(as_text=True)
    assert f"Tối {edited.day.strftime('%d/%m/%Y')}" in mine and "18:30–21:00 · Sân đình" in mine
    assert len(db.session.scalar(db.select(Walk)).stops) == 3


def test_editing_into_a_taken_slot_changes_nothing(leader, world, shift):
    other = helpers.gen_shift(world.home, local_today() + timedelta(days=3), "toi")
    db.session.commit()
    post(leader, f"/shifts/{shift.id}/edit", {"day": other.day.isoformat(), "slot": "toi"})
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).slot == "chieu"
    assert "đã có trong kế hoạch" in leader.get(f"/shifts/{shift.id}/board").get_data(
        as_text=True)


def test_a_cancelled_shift_leaves_no_walk_on_any_phone(client, auth, world):
    today = helpers.gen_shift(world.home, local_today(), "chieu",
                              give={world.volunteer: [world.home.lanes[0]],
                                    world.volunteer2: [world.home.lanes[1]]})
    db.session.commit()
    auth.sign_in(world.volunteer)
    assert "stop-" in client.get("/walk").get_data(as_text=True)
    auth.sign_in(world.leader)
    assert post(client, f"/shifts/{today.id}/cancel").status_code == 303
    assert "Đã huỷ" in client.get("/shifts/").get_data(as_text=True)
    for volunteer in (world.volunteer, world.volunteer2):
        auth.sign_in(volunteer)
        page = client.get("/walk").get_data(as_text=True)
        assert "stop-" not in page and "chưa có lộ trình" in page
        assert "Buổi này đã huỷ" in client.get("/availability/").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Walk.id))) == 0
    auth.sign_in(world.leader)
    changed = post(client, f"/shifts/{today.id}/lanes/{world.home.lanes[0].id}",
                   {"volunteer_id": world.volunteer.id}, htmx=True)
    assert changed.status_code == 409
    assert db.session.scalar(db.select(db.func.count(Walk.id))) == 0


def test_an_appointment_in_a_cancelled_shift_moves_to_the_next(app, world):
    from models.walkplan import cancel_shift
    from tests.test_review import knock
    lane = world.home.lanes[0]
    door = helpers.gen_household(world.home, lane, "40")
    when = local_today() + timedelta(days=2)
    first = helpers.gen_shift(world.home, when, "toi", give={world.volunteer: [lane]})
    second = helpers.gen_shift(world.home, when + timedelta(days=1), "toi",
                               give={world.volunteer: [lane]})
    knock(door, "come_back", "chieu", 1, come_back_day=when, come_back_slot="toi")
    from models.review import place_appointments
    place_appointments(world.home.id)
    db.session.commit()
    cancel_shift(first)
    db.session.commit()
    rows = db.session.scalars(db.select(ShiftHousehold.shift_id).where(
        ShiftHousehold.household_id == door.id)).all()
    assert rows == [second.id]


def test_a_cancelled_slot_can_be_planned_again(leader, world, shift):
    post(leader, f"/shifts/{shift.id}/cancel")
    response = post(leader, "/shifts/", {"day": shift.day.isoformat(), "slot": shift.slot})
    assert response.status_code == 303 and f"/{shift.id}/board" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).cancelled_at is None
    assert re.search(r"Huỷ buổi này", leader.get(f"/shifts/{shift.id}/board").get_data(
        as_text=True))
