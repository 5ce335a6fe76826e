"""The volunteer's day survives the lane (issue 15 items 1–2): the walk opens with no network
from its very first open, and the offline copy is never older than what the phone knows.

The network is cut two ways, as a lane cuts it: Chromium's offline mode (which still lets a
service worker's own requests through) and the server itself stopped (nothing answers)."""
from __future__ import annotations

import re
import threading
import uuid
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from werkzeug.serving import WSGIRequestHandler, make_server

from extensions import db, read_only
from models import User, Visit
from models.visit import VisitInput, record_visit
from tests.browser.conftest import (ANDROID, CHROMIUM_ARGS, DEMO_VOLUNTEER, _chromium, fresh,
                                    sign_in)
from models.base import utcnow
from tests.browser.test_walk import _controlled_by_service_worker, _record, _walk

pytestmark = pytest.mark.browser
CACHED_PATHS = """async () => {
    const paths = [];
    for (const name of await caches.keys()) {
        for (const request of await (await caches.open(name)).keys()) {
            const url = new URL(request.url);
            paths.push(url.pathname + url.search);
        }
    }
    return paths; }"""


class OneShotHandler(WSGIRequestHandler):
    """One request per connection: a stopped server leaves no kept-alive line behind."""
    protocol_version = "HTTP/1.0"


class Server:
    """The app on a fixed port that can be stopped (unreachable) and started again."""

    def __init__(self, app):
        self.app, self.port = app, 0
        self.start()

    def start(self):
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True,
                                  request_handler=OneShotHandler)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def __call__(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"


@pytest.fixture
def server(demo_app):
    running = Server(demo_app)
    yield running
    try:
        running.stop()
    except OSError:
        pass


_started = None


@pytest.fixture(autouse=True)
def _reader():
    """The test only reads (but for one visit it writes itself, said so)."""
    global _started
    _started = utcnow() - timedelta(seconds=1)
    token = read_only.set(True)
    yield
    read_only.reset(token)


def _cached(page, *wanted: str) -> list[str]:
    """Wait until the phone's caches hold every path in `wanted` (prefix of path+query)."""
    for _ in range(100):
        paths = page.evaluate(CACHED_PATHS)
        if all(any(p.startswith(w) for p in paths) for w in wanted):
            return paths
        page.wait_for_timeout(100)
    raise AssertionError(f"not cached: {wanted} in {paths}")


def _walk_is_shown(page) -> None:
    expect(page.get_by_role("heading", name="Lộ trình hôm nay")).to_be_visible()
    assert page.locator("li.stop").count() > 5
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_the_walk_and_its_map_open_offline_from_the_first_open(server, android):
    sign_in(android, server, *DEMO_VOLUNTEER)  # lands on the walk: the first open, no reload
    expect(android).to_have_url(re.compile(r"/walk$"))
    _controlled_by_service_worker(android)
    walk = _walk(DEMO_VOLUNTEER[0])
    map_url = f"/walk/{walk.id}/map?frame=1"
    _cached(android, "/walk", map_url, "/static/app.css", "/static/walk.js",
            "/static/vendor/htmx.org/", "/static/vendor/leaflet/")

    android.context.set_offline(True)  # the browser's offline mode
    android.reload()
    _walk_is_shown(android)
    android.get_by_role("button", name="Xem bản đồ lộ trình").tap()
    frame = android.frame_locator("iframe.walk-map-frame")
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator(".leaflet-marker-icon, .marker-cluster").first).to_be_attached()
    android.context.set_offline(False)

    server.stop()  # nothing answers: not even the service worker's own requests
    android.reload()
    _walk_is_shown(android)
    android.goto(server(map_url))
    expect(android.locator(".leaflet-container")).to_be_visible()


def _door_text(page, door: int) -> str:
    return page.locator(f"#stop-{door} .tag").inner_text()


def _visit_rows(doors) -> dict[int, list[str]]:
    """The visits stored since the test began, door by door: nothing lost, nothing twice."""
    fresh()
    rows = {d: [v.outcome for v in db.session.scalars(db.select(Visit).where(
        Visit.household_id == d, Visit.recorded_at >= _started).order_by(Visit.id))]
        for d in doors}
    fresh()
    return rows


def test_the_offline_copy_keeps_saves_and_queued_visits_and_catches_up(server, browser,
                                                                       tmp_path):
    walk = _walk(DEMO_VOLUNTEER[0])
    a, b, c, d = [s.household_id for s in walk.stops][:4]
    other = db.session.scalar(db.select(User).where(User.phone == "0912000002"))
    profile = str(tmp_path / "profile")

    def open_phone():
        context = browser.browser_type.launch_persistent_context(
            profile, executable_path=_chromium(), args=CHROMIUM_ARGS, **ANDROID)
        context.set_default_timeout(10_000)
        return context, (context.pages[0] if context.pages else context.new_page())

    context, phone = open_phone()
    sign_in(phone, server, *DEMO_VOLUNTEER)
    _controlled_by_service_worker(phone)
    _cached(phone, "/walk")
    _record(phone.locator(f"#stop-{a}"), "Đã gặp")
    expect(phone.locator(f"#stop-{a} .tag")).to_have_text("Đã gặp")
    expect(phone.locator("#toast")).to_have_text("Đã lưu.")
    _record(phone.locator(f"#stop-{b}"), "Không có nhà")
    expect(phone.locator(f"#stop-{b} .tag")).to_have_text("Không có nhà")
    progress = phone.locator(".walk-progress p").first.inner_text()
    phone.route(re.compile(r".*/visits$"), lambda route: route.abort("internetdisconnected"))
    _record(phone.locator(f"#stop-{c}"), "Nhà trống")
    expect(phone.locator(f"#stop-{c} .unsaved")).to_contain_text("Chưa gửi")
    expect(phone.locator("#toast")).to_contain_text("Chưa gửi")
    phone.unroute(re.compile(r".*/visits$"))
    phone.wait_for_timeout(500)  # the copy is patched as the answer arrives

    def shows_what_the_phone_knows(page):
        _walk_is_shown(page)
        assert _door_text(page, a) == "Đã gặp" and _door_text(page, b) == "Không có nhà"
        expect(page.locator(f"#stop-{c} .unsaved")).to_be_visible()
        expect(page.locator(f"#stop-{c} .unsaved")).to_contain_text("Chưa gửi")
        expect(page.locator("#walk-queue")).to_contain_text("1 lượt")
        assert page.locator(".walk-progress p").first.inner_text() == progress

    server.stop()
    for _ in range(2):  # reloads with the server gone
        phone.reload()
        shows_what_the_phone_knows(phone)
    context.close()  # the browser restarts, still no server, then offline mode too
    context, phone = open_phone()
    phone.goto(server("/walk"))
    shows_what_the_phone_knows(phone)
    context.set_offline(True)
    phone.reload()
    shows_what_the_phone_knows(phone)
    assert _visit_rows([a, b, c]) == {a: ["met"], b: ["not_home"], c: []}

    # Meanwhile another volunteer knocks at door d; then the network returns.
    read_only.set(False)
    record_visit(d, other.id, VisitInput(client_id=str(uuid.uuid4()), outcome="declined"), {},
                 shift_id=walk.shift_id)
    db.session.commit()
    read_only.set(True)
    server.start()
    context.set_offline(False)
    expect(phone.locator(f"#stop-{c} .tag")).to_have_text("Nhà trống", timeout=20_000)
    expect(phone.locator(f"#stop-{d} .tag")).to_have_text("Từ chối", timeout=20_000)
    expect(phone.locator("#walk-queue")).to_be_hidden()
    assert _visit_rows([a, b, c, d]) == {a: ["met"], b: ["not_home"], c: ["vacant"],
                                         d: ["declined"]}
    # The copy caught up too: offline again, the reload shows the server's doors.
    server.stop()
    phone.reload()
    assert _door_text(phone, d) == "Từ chối" and _door_text(phone, c) == "Nhà trống"
    context.close()
