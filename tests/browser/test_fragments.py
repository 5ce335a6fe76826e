"""htmx and the page's security policy (issue 16 item 14): a fragment swapped in by htmx runs
no script, even one carrying a nonce, and no page is left in htmx's history cache
(sessionStorage) during a session or after sign-out. The walk map, which used to arrive as a
fragment with its script, still draws, as a page of its own in a frame."""
from __future__ import annotations

import pytest
from flask import render_template_string
from playwright.sync_api import expect

from models import Household
from extensions import db, read_only
from tests import helpers
from tests.browser.conftest import fresh, sign_in

pytestmark = pytest.mark.browser
TILES = "https://tile.openstreetmap.org"

# What a `|safe` on user text inside a fragment would let through. The app has no such hole
# (tests/test_hostile.py); this route plants one, as the hostile review did, to show that
# htmx itself runs nothing it swaps in.
PLANTED = """<div id="planted">
<script>window.plantedBare = 1</script>
<script nonce="{{ csp_nonce }}">window.plantedWithNonce = 1</script>
<p>planted</p></div>"""


@pytest.fixture(autouse=True)
def _reader(app):
    """The test only reads: on SQLite its queries must not take the server's write lock."""
    token = read_only.set(True)
    yield
    read_only.reset(token)


@pytest.fixture
def planted_app(app, world):
    app.add_url_rule("/planted-fragment", "planted_fragment",
                     lambda: render_template_string(PLANTED))
    return app


def test_a_script_inside_a_swapped_fragment_does_not_run(planted_app, live_server, desktop, world):
    fresh()
    sign_in(desktop, live_server, world.leader.username, helpers.PASSWORD)
    desktop.goto(live_server("/households/"))
    desktop.evaluate("() => htmx.ajax('GET', '/planted-fragment', '#household-rows')")
    expect(desktop.locator("#planted p")).to_have_text("planted")
    desktop.wait_for_timeout(200)
    assert desktop.evaluate("() => [window.plantedBare, window.plantedWithNonce]") == [None, None]
    assert desktop.evaluate("() => htmx.config.inlineScriptNonce") == ""
    assert desktop.evaluate("() => [htmx.config.allowScriptTags, htmx.config.allowEval]") == [
        False, False]


def test_no_names_stay_in_session_storage_during_the_session_or_after_sign_out(
        live_server, desktop, world):
    fresh()
    names = {h.head_name for h in db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == world.home.id))}
    sign_in(desktop, live_server, world.leader.username, helpers.PASSWORD)
    desktop.goto(live_server("/households/"))
    expect(desktop.locator("tr.hh-row").first).to_be_visible()
    # A search pushes a new URL: htmx would save the page it leaves, names and all
    desktop.get_by_role("searchbox").fill("an")
    desktop.wait_for_url("**/households/?*q=an*")
    desktop.locator("nav.nav").get_by_role("link", name="Bản đồ", exact=True).click()
    desktop.wait_for_load_state()
    stored = desktop.evaluate("() => JSON.stringify(Object.entries(sessionStorage))")
    assert "htmx-history-cache" not in stored and not [n for n in names if n in stored]
    desktop.evaluate("() => sessionStorage.setItem('left-behind', 'Nguyễn Văn An')")
    desktop.get_by_role("button", name="Đăng xuất").click()
    desktop.wait_for_url("**/sign-in?*")
    desktop.wait_for_timeout(200)
    assert desktop.evaluate("() => sessionStorage.length") == 0
    desktop.go_back()
    desktop.wait_for_load_state()
    assert not [n for n in names if n in desktop.content()]


def test_the_walk_map_draws_in_its_frame(live_server, phone, day):
    phone.route(f"{TILES}/**", lambda route: route.fulfill(status=204))
    errors = []
    phone.on("pageerror", lambda error: errors.append(str(error)))
    fresh()
    sign_in(phone, live_server, day.volunteer.phone, helpers.PIN)
    phone.goto(live_server("/walk"))
    phone.get_by_role("button", name="Xem bản đồ lộ trình").first.tap()
    frame = phone.frame_locator("iframe.walk-map-frame").first
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator(".gc-stop").first).to_be_attached()
    assert not errors
