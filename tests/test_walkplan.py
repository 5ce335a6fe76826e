"""Which households go into a walk, how long it takes, and how walks are stored and rebuilt."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from extensions import db
from models import Campaign, Walk
from models.board import board
from models.visit import VisitInput, record_visit
from models.walkplan import (assign, follow_planner, give_lane, households_to_visit,
                             rebuild_walks, visit_minutes)
from models.rules import local_today
from tests import helpers


def visit(household, outcome, **fields):
    campaign = db.session.scalar(db.select(Campaign).where(
        Campaign.neighbourhood_id == household.neighbourhood_id))
    data = VisitInput(client_id=str(uuid.uuid4()), outcome=outcome, **fields)
    record_visit(household.id, None, data, {s.id: s for s in campaign.services})
    return campaign


def test_settled_households_stay_off_the_walk_and_follow_ups_go_on(world):
    lane = world.home.lanes[0]
    reached, moved, declined = helpers.gen_household(world.home, lane, "20"), \
        helpers.gen_household(world.home, lane, "21"), helpers.gen_household(world.home, lane, "22")
    not_home = helpers.gen_household(world.home, lane, "23")
    for household, outcome in [(reached, "met"), (moved, "moved"), (declined, "declined"),
                               (not_home, "not_home")]:
        visit(household, outcome)
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1))
    ids = {h.id for h in households_to_visit([lane.id], shift)[lane.id]}
    assert not_home.id in ids
    assert not ids & {reached.id, moved.id, declined.id}
    assert len(ids) == 4  # the three never visited, and the one not home


def test_an_appointment_joins_the_shift_in_its_slot_only(world):
    lane = world.home.lanes[0]
    day = local_today() + timedelta(days=2)
    tonight, passed = helpers.gen_household(world.home, lane, "30"), \
        helpers.gen_household(world.home, lane, "31")
    visit(tonight, "come_back", come_back_day=day, come_back_slot="toi")
    visit(passed, "come_back", come_back_day=local_today() - timedelta(days=1),
          come_back_slot="sang")
    evening = helpers.gen_shift(world.home, day, slot="toi")
    morning = helpers.gen_shift(world.home, day, slot="sang")
    in_evening = {h.id for h in households_to_visit([lane.id], evening)[lane.id]}
    in_morning = {h.id for h in households_to_visit([lane.id], morning)[lane.id]}
    assert tonight.id in in_evening and tonight.id not in in_morning
    assert passed.id in in_evening and passed.id in in_morning  # overdue: follow it up


def test_a_household_with_services_done_needs_less_time_than_a_fresh_one(world):
    lane = world.home.lanes[0]
    fresh, half = helpers.gen_household(world.home, lane, "40"), \
        helpers.gen_household(world.home, lane, "41")
    campaign = db.session.scalar(db.select(Campaign).where(
        Campaign.neighbourhood_id == world.home.id))
    done = [(s.id, None if s.per == "household" else r.id, s.done_from)
            for s in campaign.services[:3] for r in (half.residents if s.per == "resident"
                                                     else [None])]
    visit(half, "not_home", services=done)
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1))
    minutes = visit_minutes([fresh, half], shift)
    assert 0 < minutes[half.id] < minutes[fresh.id]


def test_a_walk_keeps_each_lane_together_in_the_leaders_order_with_length_and_time(world):
    first, second = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [second, first]})
    walk = shift.walks[0]
    assert [s.household.lane_id for s in walk.stops] == [second.id] * 3 + [first.id] * 3
    assert walk.length_m > 0
    assert walk.minutes > walk.length_m / 100  # walking plus time at six doors


def test_changing_one_volunteers_lanes_leaves_the_others_walk_alone(world):
    first, second = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [first], world.volunteer2: [second]})
    kept = next(w for w in shift.walks if w.volunteer_id == world.volunteer2.id)
    kept_id, kept_stops = kept.id, [s.household_id for s in kept.stops]
    give_lane(shift, first.id, None)
    db.session.commit()
    walks = db.session.scalars(db.select(Walk)).all()
    assert [(w.id, [s.household_id for s in w.stops]) for w in walks] == [(kept_id, kept_stops)]


def test_the_planners_order_rewrites_the_lane_order_to_match_the_walk(world):
    lanes = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [lanes[1], lanes[0]]})
    walk = follow_planner(shift, [world.volunteer.id])[0]
    walked = list(dict.fromkeys(s.household.lane_id for s in walk.stops))
    given = [a.lane_id for a in sorted(shift.assignments, key=lambda a: a.position)]
    assert walked == given and sorted(walked) == sorted(lane.id for lane in lanes)


def test_a_lane_given_twice_is_a_warning_on_the_board(world):
    lane = world.home.lanes[0]
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1))
    assign(shift, lane.id, world.volunteer.id)
    assign(shift, lane.id, world.volunteer2.id)
    rebuild_walks(shift)
    data = board(shift)
    row = next(r for r in data.lanes if r.lane.id == lane.id)
    assert "twice" in row.warnings
    assert all("lane_twice" in load.warnings for load in data.loads)


def test_a_lane_also_given_in_another_shift_that_day_is_flagged(world):
    lane = world.home.lanes[0]
    day = local_today() + timedelta(days=1)
    helpers.gen_shift(world.home, day, slot="sang", give={world.volunteer: [lane]})
    evening = helpers.gen_shift(world.home, day, slot="toi", give={world.volunteer2: [lane]})
    row = next(r for r in board(evening).lanes if r.lane.id == lane.id)
    assert "other_shift" in row.warnings


def test_a_household_without_a_position_still_gets_a_stop(world):
    lane = world.home.lanes[0]
    lost = helpers.gen_household(world.home, lane, "99")
    lost.lat = lost.lon = None
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [lane]})
    assert lost.id in [s.household_id for s in shift.walks[0].stops]


def test_a_through_lane_said_on_the_command_line_shortens_the_walk_through_it(world, runner):
    a = helpers.gen_lane(world.home, "Ngõ 40", "Phố Thông", [(0, 0), (0, 120)], houses=5)
    b = helpers.gen_lane(world.home, "Ngõ 42", "Phố Thông", [(80, 0), (80, 120)], houses=5)
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [a, b]})
    dead_end = shift.walks[0].length_m
    db.session.commit()
    done = runner.invoke(args=["lanes", "through", str(a.id), "--onto", str(b.id)])
    assert done.exit_code == 0 and "thông ra Ngõ 42" in done.output
    db.session.expire_all()
    rebuild_walks(shift)
    walk = shift.walks[0]
    # Through a's far end into b's, then b's doors from the deepest out to its mouth.
    assert [s.household.house_number for s in walk.stops if s.household.lane_id == b.id] == \
        ["5", "4", "3", "2", "1"]
    assert walk.length_m < dead_end - 60  # 437 m round by the street, 357 m through
    again = runner.invoke(args=["lanes", "through", str(a.id), "--onto", str(a.id)])
    assert again.exit_code == 1 and "ngõ khác" in again.output
    assert runner.invoke(args=["lanes", "through", str(a.id)]).exit_code == 1
    assert runner.invoke(args=["lanes", "through", str(a.id), "--dead-end"]).exit_code == 0
    db.session.expire_all()
    rebuild_walks(shift)
    assert shift.walks[0].length_m == pytest.approx(dead_end)
