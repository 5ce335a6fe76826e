"""The leader watches the demo shift live while a volunteer knocks on doors."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from extensions import db, read_only
from models import Shift, User, Walk
from models.rules import local_today
from tests.browser.conftest import DEMO_LEADER, DEMO_VOLUNTEER, fresh, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _reader():
    """The test only reads: on SQLite its queries must not take the server's write lock."""
    token = read_only.set(True)
    yield
    read_only.reset(token)


def test_the_board_shows_a_volunteers_visit_within_five_seconds(demo_server, new_page):
    leader, phone = new_page("desktop"), new_page("phone")
    sign_in(leader, demo_server, *DEMO_LEADER)
    leader.goto(demo_server("/live"))
    expect(leader).to_have_url(re.compile(r"/shifts/\d+/live$"))
    expect(leader.locator("#live-map")).to_have_attribute("data-fp", re.compile(".+"))
    fp = leader.locator("#live-map").get_attribute("data-fp")

    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    fresh()
    user = db.session.scalar(db.select(User).where(User.phone == DEMO_VOLUNTEER[0]))
    walk = db.session.scalar(db.select(Walk).join(Shift).where(
        Walk.volunteer_id == user.id, Shift.day == local_today()))
    household = walk.stops[0].household
    address, name = household.address, user.name
    fresh()
    card = phone.locator(f"#stop-{household.id}")
    card.get_by_label("Từ chối", exact=True).tap()
    with phone.expect_response(re.compile(r"/visits$")) as saved:
        card.get_by_role("button", name="Lưu", exact=True).tap()
    assert saved.value.status == 201
    at = time.monotonic()
    latest = leader.locator(".latest-visit").first
    expect(latest).to_contain_text(address, timeout=5_000)
    expect(latest).to_contain_text("Từ chối", timeout=5_000)
    expect(leader.locator("#live-map")).not_to_have_attribute("data-fp", fp, timeout=5_000)
    assert time.monotonic() - at < 5
    expect(leader.locator(".volunteer-row", has_text=name)).to_contain_text("1/")
