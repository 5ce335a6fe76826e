"""The walk map on a 360-px phone (issue 15 item 5): numbered doors never sit on one another
at the opening zoom or after zooming out, and the next door to knock at is marked."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import read_only
from tests.browser.conftest import DEMO_VOLUNTEER, sign_in
from tests.browser.conftest import ANDROID
from tests.browser.test_walk import _record, _walk

pytestmark = pytest.mark.browser
# The numbered doors are 24-px discs: two overlap when their centres are nearer than that.
CLOSEST = """() => {
    const c = Array.from(document.querySelectorAll('.gc-stop')).map(e => {
        const r = e.getBoundingClientRect(); return [r.left + r.width / 2, r.top + r.height / 2]; });
    let closest = 1e9;
    for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) {
        closest = Math.min(closest, Math.hypot(c[i][0] - c[j][0], c[i][1] - c[j][1]));
    }
    return [c.length, closest]; }"""


@pytest.fixture(autouse=True)
def _reader():
    token = read_only.set(True)
    yield
    read_only.reset(token)


def test_doors_do_not_pile_up_and_the_next_door_is_marked(demo_server, android):
    walk = _walk(DEMO_VOLUNTEER[0])
    stops = [s.household_id for s in walk.stops]
    sign_in(android, demo_server, *DEMO_VOLUNTEER)
    _record(android.locator(f"#stop-{stops[0]}"), "Không có nhà")
    expect(android.locator(f"#stop-{stops[0]} .tag")).to_have_text("Không có nhà")
    android.goto(demo_server(f"/walk/{walk.id}/map"))
    expect(android.locator(".gc-stop").first).to_be_visible()
    android.wait_for_timeout(500)  # the map settles at its opening zoom
    count, closest = android.evaluate(CLOSEST)
    assert count == len([s for s in walk.stops if s.household.has_position]) and closest >= 23
    nxt = android.locator(".gc-stop--next")
    expect(nxt).to_have_count(1)
    expect(nxt).to_have_text("2")  # door 1 is knocked at: door 2 is next
    for _ in range(2):  # zoomed out, the doors move apart again
        android.locator(".leaflet-control-zoom-out").click()
        android.wait_for_timeout(500)
        assert android.evaluate(CLOSEST)[1] >= 23
    assert android.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_map_shows_the_phones_position_when_asked_and_the_button_goes(demo_server,
                                                                        new_page):
    walk = _walk(DEMO_VOLUNTEER[0])
    door = next(s.household for s in walk.stops if s.household.has_position)
    phone = new_page("phone", user_agent=ANDROID["user_agent"], permissions=["geolocation"],
                     geolocation={"latitude": door.lat, "longitude": door.lon, "accuracy": 8})
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    show = phone.get_by_role("button", name="Xem bản đồ lộ trình")
    show.tap()
    frame = phone.frame_locator("iframe.walk-map-frame")
    expect(frame.locator(".gc-stop").first).to_be_visible()
    expect(show).to_be_hidden()  # the map is there: its button goes
    expect(frame.locator("path.gc-me")).to_have_count(0)  # nothing asked before a tap
    locate = frame.get_by_role("button", name="Vị trí của tôi")
    box = locate.bounding_box()
    assert box["width"] >= 44 and box["height"] >= 44
    locate.tap()
    expect(frame.locator("path.gc-me")).to_have_count(1)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
