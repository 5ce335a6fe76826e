"""A shared phone (issue 16 item 5): the offline visit queue belongs to the volunteer who
recorded it. Signing out with unsent visits says so and offers to send them first; another
volunteer's session never shows or sends them; a sent visit's note does not stay behind in
the phone's storage."""
from __future__ import annotations

import re
from urllib.parse import quote_plus

import pytest
from playwright.sync_api import expect

from extensions import db, read_only
from models import Visit, Walk
from models.rules import local_today
from tests import helpers
from tests.browser.conftest import fresh, sign_in
from tests.browser.test_walk import _controlled_by_service_worker, _record

pytestmark = pytest.mark.browser
NOTE = "Bà Tư dặn: con gái về sau 8 giờ tối"
VISITS = re.compile(r".*/visits$")


@pytest.fixture(autouse=True)
def _reader(app):
    """The test only reads: on SQLite its queries must not take the server's write lock."""
    token = read_only.set(True)
    yield
    read_only.reset(token)


def _visits_with_note() -> list[tuple[int, int]]:
    fresh()
    found = db.session.execute(db.select(Visit.household_id, Visit.user_id).where(
        Visit.note == NOTE)).all()
    fresh()
    return [tuple(row) for row in found]


def _holds_note(page) -> bool:
    """The note anywhere in the phone's storage, as typed or as the queued form body."""
    stored = page.evaluate("""() => JSON.stringify([Object.entries(localStorage),
                                                     Object.entries(sessionStorage)])""")
    return NOTE in stored or quote_plus(NOTE) in stored


def _record_offline(phone, door: int) -> None:
    """Record a visit with a note while the save cannot reach the server."""
    phone.route(VISITS, lambda route: route.abort("internetdisconnected"))
    _record(phone.locator(f"#stop-{door}"), "Đã gặp", note=NOTE)
    expect(phone.locator(f"#stop-{door} .unsaved")).to_contain_text("Chưa gửi")
    expect(phone.locator("#walk-queue")).to_contain_text("1 lượt")
    assert _holds_note(phone)


def test_signing_out_with_an_unsent_visit_offers_to_send_it_first(live_server, phone, day):
    door = day.door.id
    fresh()
    sign_in(phone, live_server, day.volunteer.phone, helpers.PIN)
    _record_offline(phone, door)
    phone.get_by_role("button", name="Đăng xuất").tap()
    ask = phone.get_by_role("alertdialog")
    expect(ask).to_contain_text("Còn 1 lượt gõ cửa chưa gửi")
    ask.get_by_role("button", name="Gửi rồi đăng xuất").tap()  # still no network
    expect(ask).to_contain_text("Vẫn chưa gửi được 1 lượt")
    assert "/walk" in phone.url and _visits_with_note() == []
    phone.unroute(VISITS)
    ask.get_by_role("button", name="Gửi rồi đăng xuất").tap()
    phone.wait_for_url(re.compile(r"/sign-in\?out=1"))
    assert _visits_with_note() == [(door, day.volunteer.id)]
    phone.wait_for_timeout(200)
    assert not _holds_note(phone)
    cached = phone.evaluate("""async () => {  // the service worker's copies of pages
        const texts = [];
        for (const name of await caches.keys()) {
            const cache = await caches.open(name);
            for (const request of await cache.keys()) {
                texts.push(await (await cache.match(request)).text());
            }
        }
        return texts.join(" "); }""")
    assert NOTE not in cached


def test_the_next_volunteer_neither_sees_nor_sends_it_and_its_owner_does(live_server, phone, day):
    door = day.door.id
    # Later today the second volunteer walks the first one's lane too: the queued door is
    # on their walk, so only ownership stands between the visit and the wrong session.
    read_only.set(False)
    helpers.gen_shift(day.home, local_today(), slot="toi", give={day.volunteer2: [day.home.lanes[0]]})
    db.session.commit()
    read_only.set(True)
    fresh()
    sign_in(phone, live_server, day.volunteer.phone, helpers.PIN)
    _record_offline(phone, door)
    phone.get_by_role("button", name="Đăng xuất").tap()
    phone.get_by_role("alertdialog").get_by_role("button", name="Đăng xuất, gửi sau").tap()
    phone.wait_for_url(re.compile(r"/sign-in\?out=1"))
    phone.unroute(VISITS)

    sign_in(phone, live_server, day.volunteer2.phone, helpers.PIN)
    phone.goto(live_server("/walk"))
    expect(phone.locator(f"#stop-{door}").first).to_be_visible()
    phone.wait_for_timeout(1500)  # walk.js sends its own queue as the page opens
    expect(phone.locator("#walk-queue")).to_be_hidden()
    assert phone.locator(".unsaved-card").count() == 0
    assert NOTE not in phone.content()
    assert _visits_with_note() == []
    phone.get_by_role("button", name="Đăng xuất").tap()  # nothing of theirs waiting: no question
    phone.wait_for_url(re.compile(r"/sign-in\?out=1"))
    assert _holds_note(phone)  # still the first volunteer's, waiting for them

    sign_in(phone, live_server, day.volunteer.phone, helpers.PIN)
    phone.goto(live_server("/walk"))
    expect(phone.locator(f"#stop-{door} .tag")).to_have_text("Đã gặp", timeout=20_000)
    assert _visits_with_note() == [(door, day.volunteer.id)]
    expect(phone.locator("#walk-queue")).to_be_hidden()
    assert not _holds_note(phone)


CACHED_PATHS = """async () => {
    const paths = [];
    for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
            paths.push(new URL(request.url).pathname);
        }
    }
    return paths; }"""


def _cached_until(phone, wanted, tries: int = 50) -> list[str]:
    for _ in range(tries):
        paths = phone.evaluate(CACHED_PATHS)
        if wanted(paths):
            break
        phone.wait_for_timeout(100)
    return paths


def test_signing_in_over_anothers_session_forgets_their_offline_pages(live_server, phone, day):
    fresh()
    theirs = f"/walk/{db.session.scalar(db.select(Walk.id).where(Walk.volunteer_id == day.volunteer.id))}"
    fresh()
    sign_in(phone, live_server, day.volunteer.phone, helpers.PIN)
    _controlled_by_service_worker(phone)
    phone.goto(live_server(theirs))
    assert theirs in _cached_until(phone, lambda paths: theirs in paths)
    sign_in(phone, live_server, day.volunteer2.phone, helpers.PIN)  # no sign-out first
    expect(phone).to_have_url(re.compile(r"/walk$"))
    assert theirs not in _cached_until(phone, lambda paths: theirs not in paths)
