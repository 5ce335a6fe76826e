"""Placing by hand and door pins that cannot wreck the map (issue 13 items 6 and 7)."""
from __future__ import annotations

import threading

import pytest

from extensions import db
from models import AuditEntry, Job
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
