"""The campaign calendar on the shifts page: proposed shifts from what is not yet reached,
best slots, appointments and availability; the date all would be reached; accepting one."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from extensions import db
from models import Availability, Household, Shift
from models.calendar import calendar
from models.rules import local_today
from tests import helpers
from tests.test_review import knock
from tests.test_shifts import post


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return client


def evenings_only(*users):
    for user in users:
        user.availability = [Availability(weekday=d, slot="toi") for d in range(7)]
    db.session.commit()


def test_every_lane_is_proposed_once_in_slots_the_team_is_free(world):
    for k in range(6):
        helpers.gen_lane(world.home, f"Ngõ {k + 60}", "Phố Lịch", [(30 * k, 50), (30 * k, 110)], 8)
    evenings_only(world.volunteer, world.volunteer2)
    plan = calendar(world.home.id)
    assert plan.proposals and all(p.slot == "toi" for p in plan.proposals)
    lanes = [lane.id for p in plan.shifts for lane in p.lanes]
    assert sorted(lanes) == sorted(lane.id for lane in world.home.lanes)   # each once
    assert all(p.day > local_today() for p in plan.proposals)
    assert plan.done_by == plan.shifts[-1].day
    weeks = [reached for _monday, reached in plan.weeks]
    assert weeks == sorted(weeks) and weeks[-1] == plan.total   # up to every household
    per_week = {}
    for p in plan.proposals:
        per_week.setdefault(p.day - timedelta(days=p.day.weekday()), []).append(p)
    assert max(len(v) for v in per_week.values()) <= plan.pace


def test_an_appointment_brings_its_lane_into_that_evening(world):
    far = helpers.gen_lane(world.home, "Ngõ 99", "Phố Hẹn", [(500, 50), (500, 110)], 3)
    door = far.id and db.session.scalars(db.select(Household).where(
        Household.lane_id == far.id)).first()
    evenings_only(world.volunteer, world.volunteer2)
    when = local_today() + timedelta(days=4)
    knock(door, "come_back", "chieu", 1, come_back_day=when, come_back_slot="toi")
    plan = calendar(world.home.id)
    that = next(p for p in plan.shifts if (p.day, p.slot) == (when, "toi"))
    assert far.id in [lane.id for lane in that.lanes]


def test_nobody_free_proposes_nothing(world):
    for user in (world.volunteer, world.volunteer2):
        user.availability = []
        user.active = False
    db.session.commit()
    assert calendar(world.home.id).proposals == []


def test_the_shifts_page_shows_the_calendar_and_one_click_makes_a_shift(leader, world):
    evenings_only(world.volunteer, world.volunteer2)
    page = leader.get("/shifts/").get_data(as_text=True)
    assert "Lịch chiến dịch" in page and "<svg" in page and 'class="reach-week"' in page
    assert re.search(r"mọi hộ sẽ được gặp trước \d\d/\d\d/\d{4}", page)
    day, slot = re.search(r'class="calendar-shift proposed" data-day="([\d-]+)" data-slot="(\w+)"',
                          page).groups()
    response = post(leader, "/shifts/calendar", {"day": day, "slot": slot})
    assert response.status_code == 303 and "/board" in response.headers["Location"]
    shift = db.session.scalar(db.select(Shift))
    assert (shift.day.isoformat(), shift.slot) == (day, slot)
    assert shift.assignments  # its lanes suggested to the volunteers free then
    board = leader.get(response.headers["Location"]).get_data(as_text=True)
    assert "từ lịch đề xuất" in board


def test_a_slot_the_calendar_does_not_propose_is_refused(leader, world):
    evenings_only(world.volunteer, world.volunteer2)
    day = (local_today() + timedelta(days=3)).isoformat()
    post(leader, "/shifts/calendar", {"day": day, "slot": "sang"})
    assert "Lịch đề xuất đã thay đổi" in leader.get("/shifts/").get_data(as_text=True)
    post(leader, "/shifts/calendar", {"day": "2020-01-01", "slot": "toi"})
    assert db.session.scalar(db.select(db.func.count(Shift.id))) == 0
