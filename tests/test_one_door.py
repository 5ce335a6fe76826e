"""A door is on one walk of a shift, with the volunteer the leader chose, in the shift of its
appointment, and "Đã xếp" names the soonest shift not yet over (issue 14's four defects)."""
from __future__ import annotations

import random
import re
import uuid
from collections import Counter
from datetime import datetime, time, timedelta, timezone

from extensions import db
from models import Household, Shift, ShiftHousehold, Walk, WalkStop
from models.board import suggest
from models.review import add_to_shift, planned
from models.rules import LOCAL_TZ, local_today
from models.walkplan import give_lane, move_lane
from tests import helpers
from tests.test_shifts import free_every_day, mornings_only, post


def houses(place, lane=None):
    query = db.select(Household).where(Household.neighbourhood_id == place.id)
    if lane is not None:
        query = query.where(Household.lane_id == lane.id)
    return db.session.scalars(query.order_by(Household.id)).all()


def doors_on_walks(shift_id: int) -> Counter:
    """How many walks of the shift each household is on."""
    return Counter(db.session.scalars(db.select(WalkStop.household_id).join(Walk)
                                      .where(Walk.shift_id == shift_id)))


def walk_doors(shift_id: int, volunteer) -> list[int]:
    walk = db.session.scalar(db.select(Walk).where(Walk.shift_id == shift_id,
                                                   Walk.volunteer_id == volunteer.id))
    return [s.household_id for s in walk.stops] if walk else []


def review_add(client, auth, shift, households, volunteer):
    return client.post("/review/add", data={"csrf_token": auth.csrf(), "shift": shift.id,
                                            "household": [h.id for h in households],
                                            "volunteer": volunteer.id})


def test_suggest_and_hand_changes_leave_doors_on_the_chosen_volunteers_walk(client, auth, world):
    lane_a, lane_b = world.home.lanes
    free_every_day(world.volunteer2)
    mornings_only(world.volunteer)  # not free this evening: Suggest gives them nothing
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), "toi")
    db.session.commit()
    chosen = houses(world.home, lane_a)[:2]
    auth.sign_in(world.leader)
    review_add(client, auth, shift, chosen, world.volunteer)
    assert post(client, f"/shifts/{shift.id}/suggest").status_code == 303
    db.session.expire_all()
    on = doors_on_walks(shift.id)
    assert max(on.values()) == 1
    assert set(walk_doors(shift.id, world.volunteer)) == {h.id for h in chosen}
    assert not {h.id for h in chosen} & set(walk_doors(shift.id, world.volunteer2))
    assert len(on) == 6  # every door of both lanes, once
    # And when the leader gives that lane by hand (a rebuild from the lane's households).
    for owner in ("", world.volunteer2.id):
        post(client, f"/shifts/{shift.id}/lanes/{lane_a.id}", {"volunteer_id": owner}, htmx=True)
    db.session.expire_all()
    assert max(doors_on_walks(shift.id).values()) == 1
    assert set(walk_doors(shift.id, world.volunteer)) == {h.id for h in chosen}


def test_the_chosen_volunteer_gets_the_ticked_doors_and_the_message_says_so(client, auth, world):
    lane_a, lane_b = world.home.lanes
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), "toi",
                              give={world.volunteer2: [lane_a, lane_b]})
    db.session.commit()
    ticked = houses(world.home)[:4]
    auth.sign_in(world.leader)
    response = review_add(client, auth, shift, ticked, world.volunteer)
    db.session.expire_all()
    assert set(walk_doors(shift.id, world.volunteer)) == {h.id for h in ticked}
    assert len(walk_doors(shift.id, world.volunteer2)) == 2
    assert max(doors_on_walks(shift.id).values()) == 1
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert f"Đã đưa 4 hộ vào lộ trình của {world.volunteer.name}" in text


def test_a_reached_household_is_not_said_to_be_put_into_the_shift(client, auth, world):
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), "toi")
    first, second = houses(world.home)[:2]
    first.status = "reached"
    db.session.commit()
    auth.sign_in(world.leader)
    response = review_add(client, auth, shift, [first, second], world.volunteer)
    text = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Đã đưa 1 hộ vào lộ trình" in text and "1 hộ đã gặp được" in text


def test_an_appointment_made_at_the_door_moves_to_its_shift_at_once(client, auth, day):
    """Come back on D+2 evening: off the D+1, D+2 morning and D+3 walks, on D+2 evening's."""
    lane = day.home.lanes[0]
    today = local_today()
    plans = [(1, "toi"), (2, "sang"), (2, "toi"), (3, "toi")]
    shifts = {p: helpers.gen_shift(day.home, today + timedelta(days=p[0]), p[1],
                                   give={day.volunteer2: [lane]}) for p in plans}
    db.session.commit()
    door = day.door
    assert all(door.id in walk_doors(s.id, day.volunteer2) for s in shifts.values())
    auth.sign_in(day.volunteer)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', client.get("/walk").get_data(as_text=True))
    response = client.post(f"/walk/stops/{door.id}/visits", headers={
        "HX-Request": "true", "X-CSRFToken": token.group(1)}, data={
        "client_id": str(uuid.uuid4()), "outcome": "come_back",
        "come_back_day": (today + timedelta(days=2)).isoformat(), "come_back_slot": "toi"})
    assert response.status_code == 201
    db.session.expire_all()
    on = {p: door.id in walk_doors(s.id, day.volunteer2) for p, s in shifts.items()}
    assert on == {(1, "toi"): False, (2, "sang"): False, (2, "toi"): True, (3, "toi"): False}
    assert door.id in walk_doors(day.shift.id, day.volunteer)  # today's walk keeps the knock


def test_after_flask_demo_every_due_appointment_is_on_a_walk(runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    waiting = db.session.scalars(db.select(Household.id).where(
        Household.status == "appointment")).all()
    assert waiting
    placed = db.session.scalars(db.select(ShiftHousehold.household_id).where(
        ShiftHousehold.reason == "appointment")).all()
    assert set(waiting) == set(placed)


def test_planned_names_the_soonest_shift_by_day_and_slot_not_one_already_over(world):
    today = local_today()
    door = houses(world.home)[0]
    morning = helpers.gen_shift(world.home, today + timedelta(days=1), "sang")
    evening = helpers.gen_shift(world.home, today + timedelta(days=1), "toi")
    for shift in (morning, evening):  # by day alone, the one added last would be named
        db.session.add(ShiftHousehold(shift_id=shift.id, household_id=door.id))
    db.session.commit()
    assert planned([door.id])[door.id].id == morning.id
    over = helpers.gen_shift(world.home, today, "sang")
    db.session.add(ShiftHousehold(shift_id=over.id, household_id=door.id))
    db.session.commit()
    afternoon = datetime.combine(today, time(15), LOCAL_TZ).astimezone(timezone.utc)
    assert planned([door.id], now=afternoon.replace(tzinfo=None))[door.id].id == morning.id
    early = datetime.combine(today, time(7), LOCAL_TZ).astimezone(timezone.utc)
    assert planned([door.id], now=early.replace(tzinfo=None))[door.id].id == over.id


def test_a_door_is_never_on_two_walks_whatever_the_order_of_changes(world):
    """Seeded random sequences of Suggest, hand changes (give, take back, reorder) and
    review additions (for a chosen volunteer or the lane's owner)."""
    for k in range(4):
        helpers.gen_lane(world.home, f"Ngõ {k + 50}", "Phố C", [(30 * k, 100), (30 * k, 160)], 3)
    third = helpers.gen_user("volunteer", world.home)
    team = [world.volunteer, world.volunteer2, third]
    free_every_day(*team)
    lanes = list(world.home.lanes)
    doors = houses(world.home)
    for seed in range(12):
        rng = random.Random(seed)
        shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1 + seed), "toi")
        db.session.commit()
        for step in range(10):
            move = rng.choice(["suggest", "give", "take", "move", "add", "add_owner"])
            if move == "suggest":
                suggest(shift)
            elif move == "give":
                give_lane(shift, rng.choice(lanes).id, rng.choice(team).id)
            elif move == "take":
                give_lane(shift, rng.choice(lanes).id, None)
            elif move == "move":
                move_lane(shift, rng.choice(team).id, rng.choice(lanes).id, rng.choice([-1, 1]))
            else:
                chosen = rng.choice(team).id if move == "add" else None
                add_to_shift(shift, [h.id for h in rng.sample(doors, 4)], chosen, None)
            db.session.commit()
            on = doors_on_walks(shift.id)
            assert not on or max(on.values()) == 1, (seed, step, move)
        assert db.session.get(Shift, shift.id) is not None
