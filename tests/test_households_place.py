"""Placing by hand and door pins that cannot wreck the map (issue 13 items 6 and 7)."""
from __future__ import annotations

import re
import threading

import pytest

from extensions import db
from models import AuditEntry, Job, placing
from tests import helpers
from tests.test_households import token


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def _unplaced(world, numbers, lane=None):
    """Households of the leader's group with no position (no lane: nothing can place them)."""
    made = []
    for number in numbers:
        household = helpers.gen_household(world.home, lane, number, head=f"Hộ số {number}")
        household.lat = household.lon = household.position_source = None
        made.append(household)
    db.session.commit()
    return made


def _place_all(client) -> str:
    """Press "Đặt các hộ còn thiếu lên bản đồ", wait for the job, read its last progress."""
    client.post("/households/place", data={"csrf_token": token(client)},
                headers={"HX-Request": "true"})
    for thread in threading.enumerate():
        if thread.name.startswith("placing-"):
            thread.join(timeout=120)
    job = db.session.scalar(db.select(Job).order_by(Job.id.desc()))
    answer = client.get(f"/households/place/{job.id}", headers={"HX-Request": "true"})
    assert answer.status_code == 286
    return answer.get_data(as_text=True)


def _entries(action: str) -> list[AuditEntry]:
    return db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action)
                              .order_by(AuditEntry.id)).all()


def test_placing_never_says_done_while_households_remain_unplaced(client, leader):
    _unplaced(leader, ["7", "9", "11"])  # no lane, no geocoder: nothing can place them
    text = _place_all(client)
    assert "Đã đặt xong" not in text
    assert "còn 3 hộ chưa có vị trí" in text and "#unplaced" in text
    assert _entries("households_placed")[-1].detail["left"] == 3  # the job's own audit
    page = client.get("/households/map").get_data(as_text=True)
    assert 'id="unplaced"' in page and "Chưa có vị trí" in page
    for number in ("7", "9", "11"):
        assert f"Hộ số {number}" in page
    assert page.count('class="hh-place-btn"') == 3


def test_a_click_places_a_household_by_hand_audited_old_to_new(client, leader):
    first, second = _unplaced(leader, ["7", "9"])
    card = client.get(f"/households/{first.id}/card", headers={"HX-Request": "true"})
    assert 'class="hh-place-btn"' in card.get_data(as_text=True)  # from its card too
    answer = client.post(f"/households/{first.id}/place-by-hand",
                         json={"lat": 21.5536, "lon": 105.8621},
                         headers={"X-CSRFToken": token(client)})
    assert answer.status_code == 200 and answer.get_json()["left"] == 1
    db.session.expire_all()
    assert (first.lat, first.lon, first.position_source) == (21.5536, 105.8621, "hand")
    assert not first.position_approximate
    entry = _entries("household_placed_by_hand")[-1]
    assert entry.object_id == first.id and entry.user_id == leader.leader.id
    assert entry.detail["old"] is None and entry.detail["new"] == [21.5536, 105.8621, "hand"]
    text = _place_all(client)
    assert "còn 1 hộ chưa có vị trí" in text
    # The card now tells how it was placed; a drag afterwards is audited from the hand's place.
    card = client.get(f"/households/{first.id}/card", headers={"HX-Request": "true"})
    assert "tổ trưởng đặt bằng tay" in card.get_data(as_text=True)
    client.post(f"/households/{first.id}/position", json={"lat": 21.5537, "lon": 105.8622},
                headers={"X-CSRFToken": token(client)})
    moved = _entries("household_pinned")[-1]
    assert moved.detail["old"] == [21.5536, 105.8621, "hand"]
    assert moved.detail["new"] == [21.5537, 105.8622, "pin"]
    # The last one placed: the job then says it is all done.
    client.post(f"/households/{second.id}/place-by-hand", data={
        "lat": "21.5538", "lon": "105.8623", "csrf_token": token(client)})
    assert "Đã đặt xong" in _place_all(client)


def test_placing_by_hand_refuses_a_point_outside_vietnam_and_volunteers(client, auth, leader):
    household, = _unplaced(leader, ["7"])
    refused = client.post(f"/households/{household.id}/place-by-hand",
                          json={"lat": 48.85, "lon": 2.35}, headers={"X-CSRFToken": token(client)})
    assert refused.status_code == 422 and "ngoài Việt Nam" in refused.get_json()["error"]
    db.session.expire_all()
    assert household.lat is None and not _entries("household_placed_by_hand")
    client.post("/sign-out", data={"csrf_token": token(client)})
    auth.sign_in(leader.volunteer)
    page = client.get("/walk").get_data(as_text=True)
    import re
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    answer = client.post(f"/households/{household.id}/place-by-hand",
                         json={"lat": 21.55, "lon": 105.86}, headers={"X-CSRFToken": csrf})
    assert answer.status_code in (302, 303, 403)
    db.session.expire_all()
    assert household.lat is None


# -- Door pins (item 7) ------------------------------------------------------------------
def _door(client, household, lat, lon, accuracy="8", confirm=True):
    page = client.get("/walk").get_data(as_text=True)
    csrf = re.search(r'"X-CSRFToken": "([^"]+)"', page).group(1)
    data = {"lat": str(lat), "lon": str(lon), "accuracy": accuracy}
    if confirm:
        data["confirm"] = "1"
    return client.post(f"/walk/stops/{household.id}/position", data=data,
                       headers={"HX-Request": "true", "X-CSRFToken": csrf})


def _metres_north(point, metres):
    return point[0] + metres / 111_195.0, point[1]


def _lane_start(household):
    return tuple(household.lane.path[0])


def test_the_volunteer_sees_the_distance_before_saving_and_nothing_is_saved(client, auth, day):
    door = day.door
    door.lat, door.lon = _lane_start(door)
    db.session.commit()
    before = (door.lat, door.lon, door.position_source)
    auth.sign_in(day.volunteer)
    lat, lon = _metres_north((door.lat, door.lon), 40)
    text = _door(client, door, lat, lon, confirm=False).get_data(as_text=True)
    assert "cách vị trí hiện có của nhà 40 m (±8 m)" in text
    assert "Cách đường ngõ" in text and "Xa hơn" not in text
    assert 'name="confirm" value="1"' in text and "Lưu vị trí này" in text
    db.session.expire_all()
    assert (door.lat, door.lon, door.position_source) == before
    assert not db.session.scalars(db.select(placing.PositionProposal)).all()


def test_a_near_fix_is_taken_and_audited_old_to_new(client, auth, day):
    door = day.door
    door.position_source, door.position_approximate = "lane", True
    db.session.commit()
    old = [round(door.lat, 7), round(door.lon, 7), "lane"]
    auth.sign_in(day.volunteer)
    lat, lon = _metres_north(_lane_start(door), 20)  # on the lane's path
    text = _door(client, door, lat, lon).get_data(as_text=True)
    assert "Đã ghim vị trí nhà (±8 m)" in text
    db.session.expire_all()
    assert (door.lat, door.lon, door.position_source) == (lat, lon, "door")
    entry = _entries("household_positioned")[-1]
    assert entry.detail["old"] == old and entry.detail["new"] == [round(lat, 7), round(lon, 7),
                                                                  "door"]
    assert entry.user_id == day.volunteer.id


def test_a_fix_far_from_the_lane_is_only_a_proposal_the_leader_accepts(client, auth, day):
    door = day.door
    door.position_source, door.position_approximate = "lane", True
    db.session.commit()
    before = (door.lat, door.lon)
    auth.sign_in(day.volunteer)
    lat, lon = 21.553 - 1400 / 111_195.0, 105.862  # 1.4 km south of the lane's mouth
    preview = _door(client, door, lat, lon, confirm=False).get_data(as_text=True)
    assert "Xa hơn 150 m" in preview and "Gửi để duyệt" in preview
    text = _door(client, door, lat, lon).get_data(as_text=True)
    assert "gửi vị trí này cho tổ trưởng duyệt" in text
    db.session.expire_all()
    assert (door.lat, door.lon, door.position_source) == (*before, "lane")
    proposal = db.session.scalar(db.select(placing.PositionProposal))
    assert (proposal.reason, proposal.state, proposal.user_id) == ("far", "pending",
                                                                    day.volunteer.id)
    assert 1390 <= proposal.distance_m <= 1410
    assert _entries("position_proposed")[-1].detail["old"] == [round(before[0], 7),
                                                                round(before[1], 7), "lane"]
    auth.sign_out()
    auth.sign_in(day.leader)
    page = client.get("/households/map").get_data(as_text=True)
    assert 'id="proposals"' in page and door.head_name in page and "1400 m" in page
    answer = client.post(f"/households/proposals/{proposal.id}/accept",
                         data={"csrf_token": token(client)})
    assert answer.status_code == 303
    db.session.expire_all()
    assert (door.lat, door.lon, door.position_source) == (lat, lon, "door")
    assert proposal.state == "accepted" and proposal.decided_by == day.leader.id
    entry = _entries("position_proposal_accepted")[-1]
    assert entry.detail["old"][2] == "lane" and entry.detail["new"] == [round(lat, 7),
                                                                        round(lon, 7), "door"]
    assert 'id="proposals"' not in client.get("/households/map").get_data(as_text=True)
    again = client.post(f"/households/proposals/{proposal.id}/reject",
                        data={"csrf_token": token(client)})
    assert again.status_code == 303 and proposal.state == "accepted"


def test_a_volunteer_never_replaces_the_leaders_pin_and_a_rejection_moves_nothing(
        client, auth, day):
    door = day.door
    auth.sign_in(day.leader)
    client.post(f"/households/{door.id}/position", json={"lat": 21.5533, "lon": 105.8620},
                headers={"X-CSRFToken": token(client)})
    auth.sign_out()
    auth.sign_in(day.volunteer)
    lat, lon = _metres_north((21.5533, 105.8620), 12)  # close, and precise: still only proposed
    preview = _door(client, door, lat, lon, accuracy="3", confirm=False).get_data(as_text=True)
    assert "Tổ trưởng đã tự đặt vị trí nhà này" in preview
    _door(client, door, lat, lon, accuracy="3")
    db.session.expire_all()
    assert (door.lat, door.lon, door.position_source) == (21.5533, 105.8620, "pin")
    proposal = db.session.scalar(db.select(placing.PositionProposal))
    assert proposal.reason == "leader"
    auth.sign_out()
    auth.sign_in(day.other_leader)  # another group's leader cannot decide it
    refused = client.post(f"/households/proposals/{proposal.id}/accept",
                          data={"csrf_token": token(client)})
    assert refused.status_code in (403, 404)
    auth.sign_out()
    auth.sign_in(day.leader)
    client.post(f"/households/proposals/{proposal.id}/reject", data={"csrf_token": token(client)})
    db.session.expire_all()
    assert proposal.state == "rejected"
    assert (door.lat, door.lon, door.position_source) == (21.5533, 105.8620, "pin")
    assert _entries("position_proposal_rejected")[-1].object_id == door.id


def test_a_long_unplaced_list_shows_its_first_part_and_counts_the_rest(client, leader,
                                                                       monkeypatch):
    import routes.households_map as households_map
    monkeypatch.setattr(households_map, "UNPLACED_LISTED", 2)
    _unplaced(leader, ["7", "9", "11"])
    page = client.get("/households/map").get_data(as_text=True)
    assert "Chưa có vị trí (3)" in page and page.count('class="hh-place-btn"') == 2
    assert "và 1 hộ nữa" in page
