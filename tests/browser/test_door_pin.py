"""A volunteer pins a house from the door on a phone: sees the distance first; 1.4 km away
the fix is only proposed to the leader, who accepts it (issue 13 item 7)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db, read_only
from models import Household, Shift, User, Walk
from models.placing import PositionProposal
from models.rules import local_today
from tests.browser.conftest import DEMO_LEADER, DEMO_VOLUNTEER, fresh, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _reader():
    """The test only reads: on SQLite its queries must not take the server's write lock."""
    token = read_only.set(True)
    yield
    read_only.reset(token)


def _first_door() -> Household:
    fresh()
    user = db.session.scalar(db.select(User).where(User.phone == DEMO_VOLUNTEER[0]))
    walk = db.session.scalar(db.select(Walk).join(Shift).where(
        Walk.volunteer_id == user.id, Shift.day == local_today()))
    household = walk.stops[0].household
    fresh()
    return household


def test_a_far_door_pin_is_shown_then_proposed_and_the_leader_accepts_it(
        demo_server, new_page):
    door = _first_door()
    where = (door.lat, door.lon, door.position_source)
    far = {"latitude": door.lat - 1400 / 111_195.0, "longitude": door.lon, "accuracy": 6}
    phone = new_page("phone", geolocation=far, permissions=["geolocation"])
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    phone.goto(demo_server("/walk"))
    card = phone.locator(f"#stop-{door.id}")
    card.get_by_role("button", name="Ghim vị trí nhà").tap()
    check = card.locator(".door-check")
    expect(check).to_contain_text(re.compile(r"cách vị trí hiện có của nhà 1[34]\d\d m"))
    expect(check).to_contain_text("Xa hơn 150 m")
    fresh()
    assert db.session.scalar(db.select(db.func.count(PositionProposal.id))) == 0  # not yet
    fresh()
    check.get_by_role("button", name="Gửi để duyệt").tap()
    expect(phone.locator(f"#stop-{door.id}")).to_contain_text("gửi vị trí này cho tổ trưởng duyệt")
    fresh()
    kept = db.session.get(Household, door.id)
    assert (kept.lat, kept.lon, kept.position_source) == where
    fresh()

    desktop = new_page("desktop")
    sign_in(desktop, demo_server, *DEMO_LEADER)
    desktop.goto(demo_server("/households/map"))
    proposal = desktop.locator("#proposals li", has_text=door.head_name)
    expect(proposal).to_contain_text("m")
    proposal.get_by_role("button", name="Nhận vị trí này").click()
    expect(desktop.get_by_text("Đã nhận vị trí đề xuất.")).to_be_visible()
    fresh()
    moved = db.session.get(Household, door.id)
    assert moved.position_source == "door" and moved.lat == pytest.approx(far["latitude"])
    fresh()
