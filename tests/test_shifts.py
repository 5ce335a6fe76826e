"""The leader plans a shift: creates it, gives lanes on the board, presses Suggest, opens a walk."""
from __future__ import annotations

import re
from datetime import time, timedelta

import pytest

from extensions import db
from models import Availability, Shift, ShiftResponse, Walk
from models.rules import local_today
from tests import helpers

HX = {"HX-Request": "true"}


def csrf(client, path="/shifts/") -> str:
    page = client.get(path).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)


def post(client, path, data=None, htmx=False, token_from="/shifts/"):
    headers = {"X-CSRFToken": csrf(client, token_from), **(HX if htmx else {})}
    return client.post(path, data=data or {}, headers=headers)


def load_of(html: str, volunteer) -> str:
    """The part of the page about one volunteer's load."""
    start = html.index(f'id="load-{volunteer.id}"')
    end = html.find('class="load"', start)
    return html[start:end if end > 0 else None]


def free_every_day(*users):
    for user in users:
        user.availability = [Availability(weekday=d, slot=s) for d in range(7)
                             for s in ("sang", "chieu", "toi")]
    db.session.commit()


@pytest.fixture
def shift(world):
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=2), slot="chieu")
    db.session.commit()
    return shift


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return client


def test_a_new_shift_meets_at_the_cultural_house_unless_told_otherwise(leader, world):
    day = (local_today() + timedelta(days=5)).isoformat()
    response = post(leader, "/shifts/", {"day": day, "slot": "toi", "meeting_point": ""})
    assert response.status_code == 303 and "/board" in response.headers["Location"]
    shift = db.session.scalar(db.select(Shift))
    assert (shift.slot, shift.meeting_point) == ("toi", world.home.meeting_point)
    page = leader.get("/shifts/").get_data(as_text=True)
    assert "Tối" in page and (local_today() + timedelta(days=5)).strftime("%d/%m/%Y") in page


@pytest.mark.parametrize("form, message", [
    ({"day": "", "slot": "toi"}, "Cần chọn ngày"),
    ({"day": "2026-13-40", "slot": "toi"}, "Cần chọn ngày"),
    ({"day": "+5", "slot": "dem"}, "Cần chọn ngày"),
    ({"day": "2020-01-01", "slot": "sang"}, "ngày đã qua"),
])
def test_a_shift_with_a_bad_date_or_slot_is_refused_and_nothing_is_made(leader, form, message):
    if form["day"] == "+5":
        form["day"] = (local_today() + timedelta(days=5)).isoformat()
    response = post(leader, "/shifts/", form)
    assert response.status_code == 303
    assert message in leader.get("/shifts/").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Shift.id))) == 0


def test_the_same_slot_twice_is_refused(leader, shift):
    post(leader, "/shifts/", {"day": shift.day.isoformat(), "slot": shift.slot})
    assert "đã có trong kế hoạch" in leader.get("/shifts/").get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Shift.id))) == 1


def test_the_board_lists_each_lane_with_households_and_minutes(leader, shift):
    page = leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)
    rows = re.findall(r'<tr id="lane-\d+".*?</tr>', page, re.S)
    assert len(rows) == 2
    for row in rows:
        households, minutes = re.findall(r'<td class="num">(\d+)</td>', row)
        assert households == "3" and int(minutes) > 0


@pytest.mark.parametrize("who, status", [("volunteer", 403), ("officer", 403),
                                         ("other_leader", 404)])
def test_only_the_neighbourhoods_leader_opens_the_board(client, auth, world, shift, who, status):
    auth.sign_in(getattr(world, who))
    assert client.get(f"/shifts/{shift.id}/board").status_code == status
    assert client.get(f"/shifts/{shift.id}/walks/{world.volunteer.id}").status_code == status


def test_giving_a_lane_moves_that_volunteers_load_bar_without_a_reload(leader, world, shift):
    lane = world.home.lanes[0]
    response = post(leader, f"/shifts/{shift.id}/lanes/{lane.id}",
                    {"volunteer_id": world.volunteer.id}, htmx=True)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f'id="lane-{lane.id}"' in html
    assert 'hx-swap-oob="true"' in html
    load = re.search(rf'id="load-{world.volunteer.id}" data-households="(\d+)"', html)
    assert load.group(1) == "3"
    walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == world.volunteer.id))
    assert len(walk.stops) == 3 and walk.length_m > 0 and walk.minutes > 0


def test_without_htmx_a_choice_redirects_back_to_the_board(leader, world, shift):
    lane = world.home.lanes[0]
    response = post(leader, f"/shifts/{shift.id}/lanes/{lane.id}",
                    {"volunteer_id": world.volunteer.id})
    assert response.status_code == 303 and response.headers["Location"].endswith("/board")


def test_taking_a_lane_back_removes_the_walk(leader, world, shift):
    lane = world.home.lanes[0]
    post(leader, f"/shifts/{shift.id}/lanes/{lane.id}", {"volunteer_id": world.volunteer.id},
         htmx=True)
    post(leader, f"/shifts/{shift.id}/lanes/{lane.id}", {"volunteer_id": ""}, htmx=True)
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count(Walk.id))) == 0


@pytest.mark.parametrize("volunteer", ["999", "abc", "other_leader"])
def test_a_lane_cannot_go_to_someone_outside_the_team(leader, world, shift, volunteer):
    chosen = str(world.other_leader.id) if volunteer == "other_leader" else volunteer
    response = post(leader, f"/shifts/{shift.id}/lanes/{world.home.lanes[0].id}",
                    {"volunteer_id": chosen}, htmx=True)
    assert response.status_code == 400
    assert not db.session.scalars(db.select(Walk)).all()


def test_a_lane_of_another_neighbourhood_is_not_found(leader, world, shift):
    response = post(leader, f"/shifts/{shift.id}/lanes/{world.other.lanes[0].id}",
                    {"volunteer_id": world.volunteer.id}, htmx=True)
    assert response.status_code == 404


def mornings_only(*users):
    """They said when they are free, and it is not this (afternoon) shift."""
    for user in users:
        user.availability = [Availability(weekday=d, slot="sang") for d in range(7)]
    db.session.commit()


def test_warnings_not_refusals_over_capacity_and_not_available(leader, world, shift):
    world.volunteer.capacity = 2
    mornings_only(world.volunteer)
    response = post(leader, f"/shifts/{shift.id}/lanes/{world.home.lanes[0].id}",
                    {"volunteer_id": world.volunteer.id}, htmx=True)
    load = load_of(response.get_data(as_text=True), world.volunteer)
    assert response.status_code == 200
    assert "Quá số hộ nhận được" in load and "Không rảnh buổi này" in load
    assert "3/2 hộ" in load


def test_cant_make_it_reaches_the_board_on_the_next_poll(leader, world, shift):
    page = leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)
    seen = re.search(r'"seen": "([0-9a-f]+)"', page).group(1)
    assert leader.get(f"/shifts/{shift.id}/loads?seen={seen}", headers=HX).status_code == 204
    db.session.add(ShiftResponse(shift_id=shift.id, user_id=world.volunteer2.id, can_come=False))
    db.session.commit()
    response = leader.get(f"/shifts/{shift.id}/loads?seen={seen}", headers=HX)
    assert response.status_code == 200 and "Đã báo không đi được" in response.get_data(as_text=True)


def test_suggest_fills_the_free_lanes_among_available_volunteers(leader, world, shift):
    extra = helpers.gen_user("volunteer", world.home)
    mornings_only(extra)  # not free this slot
    free_every_day(world.volunteer, world.volunteer2)
    given = world.home.lanes[0]
    post(leader, f"/shifts/{shift.id}/lanes/{given.id}", {"volunteer_id": world.volunteer2.id},
         htmx=True)
    response = post(leader, f"/shifts/{shift.id}/suggest")
    assert response.status_code == 303
    db.session.expire_all()
    owners = {a.lane_id: a.volunteer_id for a in db.session.get(Shift, shift.id).assignments}
    assert owners[given.id] == world.volunteer2.id           # the leader's choice stays
    assert set(owners) == {lane.id for lane in world.home.lanes}
    assert extra.id not in owners.values()
    assert owners[world.home.lanes[1].id] == world.volunteer.id  # balanced: the idle one
    assert "Đã gợi ý 1 ngõ" in leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)


def test_suggest_with_nobody_free_says_so(leader, world, shift):
    mornings_only(world.volunteer, world.volunteer2)
    post(leader, f"/shifts/{shift.id}/suggest")
    assert "không có thành viên rảnh" in leader.get(f"/shifts/{shift.id}/board").get_data(as_text=True)


def test_moving_a_lane_changes_only_that_volunteers_walk(leader, world, shift):
    first, second = world.home.lanes
    for lane in (first, second):
        post(leader, f"/shifts/{shift.id}/lanes/{lane.id}", {"volunteer_id": world.volunteer.id},
             htmx=True)
    before = [s.household.lane_id for s in db.session.scalar(db.select(Walk)).stops]
    assert before == [first.id] * 3 + [second.id] * 3
    response = post(leader, f"/shifts/{shift.id}/volunteers/{world.volunteer.id}/lanes/"
                            f"{second.id}/move", {"direction": "up"}, htmx=True)
    assert response.status_code == 200
    db.session.expire_all()
    after = [s.household.lane_id for s in db.session.scalar(db.select(Walk)).stops]
    assert after == [second.id] * 3 + [first.id] * 3


def test_the_walk_map_shows_numbered_stops_path_length_and_time(leader, world, shift):
    post(leader, f"/shifts/{shift.id}/lanes/{world.home.lanes[0].id}",
         {"volunteer_id": world.volunteer.id}, htmx=True)
    response = leader.get(f"/shifts/{shift.id}/walks/{world.volunteer.id}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "gc-stop" in page and "L.polyline" in page
    assert "3 nhà" in page and re.search(r"đi bộ \d+\.\d km", page)
    assert re.search(r"khoảng \d+ phút", page)
    assert "cdn" not in page.lower()


def test_a_volunteer_without_a_walk_has_no_map(leader, world, shift):
    assert leader.get(f"/shifts/{shift.id}/walks/{world.volunteer.id}").status_code == 404


def test_two_quick_choices_at_once_both_land_on_one_walk(app, leader, world, shift):
    """Two selects changed in a row send two requests at once (seen on PostgreSQL)."""
    from concurrent.futures import ThreadPoolExecutor
    lane_ids = [lane.id for lane in world.home.lanes[:2]]
    shift_id, volunteer_id = shift.id, world.volunteer.id
    token = csrf(leader)
    cookie = leader.get_cookie(app.config["SESSION_COOKIE_NAME"]).value
    db.session.rollback()  # the test itself holds no lock while the two requests run

    def give(lane_id):
        client = app.test_client()
        client.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
        with app.app_context():
            return client.post(f"/shifts/{shift_id}/lanes/{lane_id}",
                               data={"volunteer_id": volunteer_id},
                               headers={"X-CSRFToken": token, **HX}).status_code

    with ThreadPoolExecutor(2) as pool:
        codes = list(pool.map(give, lane_ids))
    assert codes == [200, 200]
    db.session.rollback()
    walks = db.session.scalars(db.select(Walk).where(Walk.shift_id == shift_id)).all()
    assert len(walks) == 1 and len(walks[0].stops) == 6


def test_suggest_keeps_each_volunteer_on_one_street(leader, world, shift):
    """Phố A's ngõ go north, Phố B's go south: their far ends almost meet across the block,
    but on foot the two streets meet only the way round. Halving both streets east and west
    (the nearest by straight line) would send both volunteers round the block."""
    free_every_day(world.volunteer, world.volunteer2)
    for volunteer in (world.volunteer, world.volunteer2):
        volunteer.capacity = 100
    shift.starts_at, shift.ends_at = time(0, 0), time(23, 59)  # room for all: where, not how much
    for k in range(10):
        helpers.gen_lane(world.home, f"Ngõ {k + 1}", "Phố A", [(40 * k, 500), (40 * k, 560)], 8)
        helpers.gen_lane(world.home, f"Ngõ {k + 1}", "Phố B", [(40 * k, 680), (40 * k, 620)], 8)
    db.session.commit()
    assert post(leader, f"/shifts/{shift.id}/suggest").status_code == 303
    db.session.expire_all()
    streets = {}
    for a in db.session.get(Shift, shift.id).assignments:
        streets.setdefault(a.volunteer_id, set()).add(a.lane.street)
    assert {"Phố A", "Phố B"} <= set().union(*streets.values())
    assert all(not {"Phố A", "Phố B"} <= mine for mine in streets.values())
