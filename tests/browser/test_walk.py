"""A volunteer walks the demo shift on a phone (360×740, touch), in lanes where 4G drops."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import db, read_only
from models.base import utcnow
from models import Shift, User, Visit, Walk
from models.rules import local_today
from tests.browser.conftest import DEMO_VOLUNTEER, fresh, sign_in

pytestmark = pytest.mark.browser
OUTCOMES = [("Đã gặp", "met"), ("Không có nhà", "not_home"), ("Hẹn quay lại", "come_back"),
            ("Từ chối", "declined"), ("Đã chuyển đi", "moved"), ("Nhà trống", "vacant"),
            ("Không tìm thấy địa chỉ", "not_found")]


def _walk(phone_number: str) -> Walk:
    fresh()
    user = db.session.scalar(db.select(User).where(User.phone == phone_number))
    return db.session.scalar(db.select(Walk).join(Shift).where(
        Walk.volunteer_id == user.id, Shift.day == local_today()))


def _record(card, label: str, note: str = "") -> None:
    """Tap an outcome on the card (the form opens), and save."""
    card.get_by_label(label, exact=True).tap()
    if label == "Hẹn quay lại":
        card.locator("input[name=come_back_day]").fill(
            (local_today() + timedelta(days=2)).isoformat())
        card.locator("select[name=come_back_slot]").select_option("toi")
    if note:
        card.get_by_label("Ghi chú").fill(note)
    card.get_by_role("button", name="Lưu", exact=True).tap()


def _visits_of(household_id: int) -> list[Visit]:
    fresh()
    return db.session.scalars(db.select(Visit).where(Visit.household_id == household_id,
                                                     Visit.recorded_at >= _started)).all()


_started = None


@pytest.fixture(autouse=True)
def _reader():
    """The test only reads: on SQLite its queries must not take the server's write lock."""
    global _started
    _started = utcnow() - timedelta(seconds=1)
    token = read_only.set(True)
    yield
    read_only.reset(token)


def _controlled_by_service_worker(page) -> None:
    """Wait until the service worker controls the page (wait_for_function polls with
    eval, which the page's CSP refuses)."""
    page.evaluate("""async () => {
        await navigator.serviceWorker.ready;
        while (!navigator.serviceWorker.controller) {
            await new Promise(resolve => setTimeout(resolve, 50));
        }
    }""")


def test_each_outcome_is_recorded_with_a_few_taps(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    stops = [s.household_id for s in _walk(DEMO_VOLUNTEER[0]).stops][:len(OUTCOMES)]
    before = phone.locator(".walk-progress p").first.inner_text()
    for household_id, (label, outcome) in zip(stops, OUTCOMES):
        card = phone.locator(f"#stop-{household_id}")
        _record(card, label, note=f"ghi chú {outcome}")
        expect(phone.locator(f"#stop-{household_id} .tag")).to_have_text(label)
        expect(phone.locator(f"#stop-{household_id}")).to_contain_text(f"ghi chú {outcome}")
        assert [v.outcome for v in _visits_of(household_id)] == [outcome]
    assert phone.locator(".walk-progress p").first.inner_text() != before
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_visits_saved_offline_are_sent_once_when_the_network_returns(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    first, second = [s.household_id for s in _walk(DEMO_VOLUNTEER[0]).stops][:2]
    phone.context.set_offline(True)
    _record(phone.locator(f"#stop-{first}"), "Đã gặp")
    _record(phone.locator(f"#stop-{second}"), "Không có nhà")
    for household_id in (first, second):
        expect(phone.locator(f"#stop-{household_id} .unsaved")).to_contain_text("Chưa gửi")
    expect(phone.locator("#toast")).to_have_text(  # one voice: the toast says what the card says
        phone.locator(f"#stop-{first} .unsaved-text").inner_text())
    expect(phone.locator("#walk-queue")).to_contain_text("2 lượt")
    phone.locator(f"#stop-{first} .retry").tap()  # an impatient thumb: the same id again
    assert _visits_of(first) == [] and _visits_of(second) == []
    queued = phone.evaluate("localStorage.getItem('gocua.visitQueue.v1')")

    phone.context.set_offline(False)
    expect(phone.locator(f"#stop-{first} .tag")).to_have_text("Đã gặp", timeout=20_000)
    expect(phone.locator(f"#stop-{second} .tag")).to_have_text("Không có nhà", timeout=20_000)
    expect(phone.locator("#walk-queue")).to_be_hidden()
    # The phone sends the same queue again (an answer it never got): still stored once.
    phone.evaluate("q => localStorage.setItem('gocua.visitQueue.v1', q)", queued)
    phone.reload()
    expect(phone.locator("#walk-queue")).to_be_hidden(timeout=20_000)
    assert [v.outcome for v in _visits_of(first)] == ["met"]
    assert [v.outcome for v in _visits_of(second)] == ["not_home"]


def test_a_refused_save_says_not_saved_and_keeps_what_was_typed(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    household_id = _walk(DEMO_VOLUNTEER[0]).stops[0].household_id
    card = phone.locator(f"#stop-{household_id}")
    card.get_by_label("Không có nhà", exact=True).tap()
    card.get_by_label("Ghi chú").fill("Hàng xóm bảo tối mới về")
    phone.route(re.compile(r".*/visits$"), lambda route: route.fulfill(status=500, body="boom"))
    card.get_by_role("button", name="Lưu", exact=True).tap()
    expect(card.locator(".unsaved")).to_contain_text("Chưa gửi")  # a 500: sent again by itself
    expect(card.get_by_label("Ghi chú")).to_have_value("Hàng xóm bảo tối mới về")
    phone.unroute(re.compile(r".*/visits$"))
    card.locator(".retry").tap()
    expect(phone.locator(f"#stop-{household_id} .tag")).to_have_text("Không có nhà",
                                                                     timeout=20_000)
    assert len(_visits_of(household_id)) == 1


def test_the_walk_opens_again_without_a_connection(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    _controlled_by_service_worker(phone)  # no reload online first: the first open is kept
    for _ in range(50):
        if "/walk" in phone.evaluate("""async () => (await (await caches.open('gocua-walk-v2'))
                                         .keys()).map(r => new URL(r.url).pathname)"""):
            break
        phone.wait_for_timeout(100)
    phone.context.set_offline(True)
    phone.reload()
    expect(phone.get_by_role("heading", name="Lộ trình hôm nay")).to_be_visible()
    assert phone.locator("li.stop").count() > 5


def test_a_volunteer_cannot_open_another_walk_or_post_outside_it(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    other = _walk("0912000002")
    phone.goto(demo_server(f"/walk/{other.id}"))
    expect(phone.get_by_role("alert")).to_contain_text("Không tìm thấy")
    phone.goto(demo_server("/walk"))
    target = other.stops[0].household_id
    status = phone.evaluate("""async (url) => {
        const token = JSON.parse(document.body.getAttribute('hx-headers'))['X-CSRFToken'];
        const r = await fetch(url, {method: 'POST', headers: {'X-CSRFToken': token,
            'Content-Type': 'application/x-www-form-urlencoded'},
            body: 'client_id=0123456789abcdef&outcome=met'});
        return r.status; }""", demo_server(f"/walk/stops/{target}/visits"))
    assert status == 404
    fresh()
    assert _visits_of(target) == []


def test_after_sign_out_the_next_person_cannot_open_the_walk_offline(demo_server, phone):
    """A shared phone: signing out forgets the offline copy of the walk."""
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    _controlled_by_service_worker(phone)
    phone.reload()
    head = phone.locator("li.stop").first.inner_text()
    phone.get_by_role("button", name="Đăng xuất").click()
    expect(phone).to_have_url(re.compile(r"/sign-in"))
    for _ in range(50):  # the sign-in page empties the caches as it loads
        if phone.evaluate("async () => (await caches.keys()).length") == 0:
            break
        phone.wait_for_timeout(100)
    assert phone.evaluate("async () => (await caches.keys()).length") == 0
    phone.context.set_offline(True)
    try:
        phone.goto(demo_server("/walk"))
    except Exception:  # nothing cached: the browser's own offline page
        return
    assert head.splitlines()[0] not in phone.content()


def test_consent_is_asked_at_the_door_only_until_it_is_given(demo_server, phone):
    from models import Household
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    stops = [s.household_id for s in _walk(DEMO_VOLUNTEER[0]).stops]
    household_id = next(h for h in stops if db.session.get(Household, h).consent_at is None)
    card = phone.locator(f"#stop-{household_id}")
    consent = card.get_by_label("Hộ đồng ý cho Tổ lưu và dùng thông tin của hộ", exact=False)
    expect(consent).to_be_hidden()  # asked only when the household is met
    card.get_by_label("Đã gặp", exact=True).tap()
    consent.check()
    card.get_by_label("Không có nhà", exact=True).tap()  # a slip: the box goes, is not sent
    expect(consent).to_be_hidden()
    card.get_by_label("Đã gặp", exact=True).tap()
    expect(consent).to_be_checked()  # nothing typed is lost
    card.get_by_role("button", name="Lưu", exact=True).tap()
    expect(phone.locator(f"#stop-{household_id} .tag")).to_have_text("Đã gặp")
    expect(phone.locator(f"#stop-{household_id} input[name=consent]")).to_have_count(0)
    fresh()
    assert db.session.get(Household, household_id).consent_at is not None
    assert [v.outcome for v in _visits_of(household_id)] == ["met"]
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


IPHONE_UA = ("Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 "
             "(KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1")


def test_directions_open_apple_maps_on_an_iphone_and_the_maps_app_on_android(demo_server,
                                                                              new_page, phone):
    iphone = new_page("phone", user_agent=IPHONE_UA)
    for page in (phone, iphone):
        sign_in(page, demo_server, *DEMO_VOLUNTEER)
    household_id = _walk(DEMO_VOLUNTEER[0]).stops[0].household_id
    link = f"#stop-{household_id} a:has-text('Chỉ đường')"
    assert phone.locator(link).get_attribute("href").startswith("geo:")
    on_iphone = iphone.locator(link).get_attribute("href")
    assert re.fullmatch(r"maps://\?daddr=[\d.]+,[\d.]+&dirflg=w", on_iphone), on_iphone
    # A card swapped in after a save gets the same link.
    _record(iphone.locator(f"#stop-{household_id}"), "Không có nhà")
    expect(iphone.locator(f"#stop-{household_id} .tag")).to_have_text("Không có nhà")
    expect(iphone.locator(link)).to_have_attribute("href", on_iphone)


ZALO_UA = ("Mozilla/5.0 (Linux; Android 13; SM-A145F Build/TP1A.220624.014; wv) AppleWebKit/537.36 "
           "(KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.134 Mobile Safari/537.36 "
           "Zalo android/12110232 ZaloTheme/light ZaloLanguage/vi")


def test_directions_in_zalos_in_app_browser_go_through_a_link_android_hands_to_maps(
        demo_server, new_page):
    """Zalo's in-app browser is a WebView that drops geo: links: there the link is Google
    Maps' https directions address, which Android opens in the maps app."""
    zalo = new_page("phone", user_agent=ZALO_UA)
    sign_in(zalo, demo_server, *DEMO_VOLUNTEER)
    household_id = _walk(DEMO_VOLUNTEER[0]).stops[0].household_id
    link = zalo.locator(f"#stop-{household_id} a:has-text('Chỉ đường')")
    href = link.get_attribute("href")
    assert re.fullmatch(r"https://www\.google\.com/maps/dir/\?api=1&destination=-?[\d.]+,-?[\d.]+"
                        r"&travelmode=walking", href), href
    # The page never loads anything from that host (only the tile server is contacted).
    requested = []
    zalo.on("request", lambda request: requested.append(request.url))
    _record(zalo.locator(f"#stop-{household_id}"), "Không có nhà")  # the swapped card too
    expect(zalo.locator(f"#stop-{household_id} .tag")).to_have_text("Không có nhà")
    expect(link).to_have_attribute("href", href)
    assert not [u for u in requested if "google" in u]
    assert [v.outcome for v in _visits_of(household_id)] == ["not_home"]
