"""A shift's time window: the group's per slot, a shift's own; Suggest fills each volunteer up
to the window (walk from the meeting point included) and their capacity, never beyond."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from extensions import db
from models import Shift, Walk
from models.rules import local_today
from tests import helpers
from tests.test_shifts import free_every_day, post


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return client


def crowded(world, lanes=8, houses=6):
    """More doors than two volunteers can knock on in an evening."""
    for k in range(lanes):
        helpers.gen_lane(world.home, f"Ngõ {k + 30}", "Phố Dài",
                         [(40 * k, 80), (40 * k, 160)], houses)
    world.volunteer.capacity = world.volunteer2.capacity = 200
    free_every_day(world.volunteer, world.volunteer2)


def test_suggest_never_gives_more_minutes_than_the_evening_holds(leader, world):
    crowded(world)
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "toi")
    db.session.commit()
    assert shift.window_minutes == 120
    post(leader, f"/shifts/{shift.id}/suggest")
    db.session.expire_all()
    walks = db.session.scalars(db.select(Walk).where(Walk.shift_id == shift.id)).all()
    assert len(walks) == 2
    assert all(0 < w.minutes <= 120 for w in walks)
    assert all(w.minutes > 60 for w in walks)  # filled, not left half empty
    page = leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)
    assert re.search(r"\d+/120 phút", page)
    line = re.search(r"Còn (\d+) ngõ, khoảng (\d+) phút: cần thêm (\d+) người hoặc một buổi nữa",
                     page)
    assert line and int(line.group(1)) > 0 and int(line.group(3)) >= 1
    assert "Quá thời gian của buổi" not in page


def test_suggest_keeps_to_each_volunteers_capacity_too(leader, world):
    crowded(world)
    world.volunteer.capacity = 4
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "toi")
    shift.starts_at, shift.ends_at = time(13), time(21)
    db.session.commit()
    post(leader, f"/shifts/{shift.id}/suggest")
    db.session.expire_all()
    walks = {w.volunteer_id: w for w in db.session.scalars(db.select(Walk))}
    mine = walks.get(world.volunteer.id)
    assert mine is None or len(mine.stops) <= 4
    assert walks[world.volunteer2.id].minutes <= 8 * 60


def test_a_longer_window_for_one_shift_gives_more(leader, world):
    crowded(world)
    short = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "toi")
    day = (local_today() + timedelta(days=2)).isoformat()
    post(leader, "/shifts/", {"day": day, "slot": "toi", "starts_at": "17:30", "ends_at": "21:30"})
    long = db.session.scalar(db.select(Shift).where(Shift.id != short.id))
    assert long.window_minutes == 240
    for shift in (short, long):
        post(leader, f"/shifts/{shift.id}/suggest")
    db.session.expire_all()
    given = {s.id: len(db.session.get(Shift, s.id).assignments) for s in (short, long)}
    assert given[long.id] > given[short.id]
    walks = db.session.scalars(db.select(Walk).where(Walk.shift_id == long.id)).all()
    assert all(w.minutes <= 240 for w in walks)


def test_the_group_sets_its_own_hours_and_shifts_follow(leader, world):
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1), "toi")
    db.session.commit()
    form = {"sang-starts_at": "07:30", "sang-ends_at": "10:30", "chieu-starts_at": "14:00",
            "chieu-ends_at": "17:00", "toi-starts_at": "18:30", "toi-ends_at": "21:30"}
    assert post(leader, "/shifts/windows", form).status_code == 303
    db.session.expire_all()
    assert db.session.get(Shift, shift.id).window_minutes == 180
    page = leader.get("/shifts/").get_data(as_text=True)
    assert "18:30–21:30" in page and "Đã lưu giờ các buổi" in page


@pytest.mark.parametrize("form, message", [
    ({"toi-starts_at": "21:00", "toi-ends_at": "19:00"}, "sau giờ bắt đầu"),
    ({"toi-starts_at": "19:00", "toi-ends_at": "7pm"}, "dạng 19:00"),
    ({"toi-starts_at": "", "toi-ends_at": ""}, "cả ba buổi"),
])
def test_bad_hours_are_refused_and_change_nothing(leader, world, form, message):
    full = {"sang-starts_at": "08:00", "sang-ends_at": "11:00", "chieu-starts_at": "14:00",
            "chieu-ends_at": "17:00", **form}
    post(leader, "/shifts/windows", full)
    assert message in leader.get("/shifts/").get_data(as_text=True)
    db.session.expire_all()
    assert world.home.slot_windows is None
    day = (local_today() + timedelta(days=2)).isoformat()
    post(leader, "/shifts/", {"day": day, "slot": "toi", "starts_at": "21:00", "ends_at": "20:00"})
    assert db.session.scalar(db.select(db.func.count(Shift.id))) == 0
