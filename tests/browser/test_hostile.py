"""The hostile corpus rendered in Chromium on every page and map that shows it: no dialog ever
opens, no injected element exists, no console error, and the text reads as it was typed."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import db, read_only
from models import Household
from tests import helpers
from tests.browser.conftest import fresh, sign_in
from tests.test_hostile import CORPUS, PIN, leader_pages, plant, volunteer_pages

pytestmark = pytest.mark.browser

INJECTED = """() => Array.from(document.querySelectorAll(
    'img[src="x"], svg[onload], [onerror], [onload], script:not([src]):not([nonce])'))
    .map(e => e.outerHTML.slice(0, 80))"""
OPEN_TOOLTIPS = """() => {
    const map = Object.values(window).find(v => v && window.L && v instanceof L.Map);
    if (!map) return [];
    map.setZoom(19, {animate: false});
    const texts = [], seen = new Set();
    const read = layer => {
        if (layer.getLayers) layer.getLayers().forEach(read);  // markers inside clusters too
        if (!layer.getTooltip || !layer.getTooltip() || seen.has(layer)) return;
        seen.add(layer);
        // DOMParser's document is inert: reading the content cannot run it
        const doc = new DOMParser().parseFromString(layer.getTooltip().getContent(), 'text/html');
        texts.push(doc.body.textContent);
        if (layer._map) layer.openTooltip();  // on the page: the app's own rendering
    };
    map.eachLayer(read);
    return texts;
}"""


class Watch:
    """Everything a page does that hostile text could cause: dialogs, errors, odd requests."""

    def __init__(self, page, tiles: str):
        self.events: list[str] = []
        page.on("dialog", self._dialog)
        page.on("pageerror", lambda error: self.events.append(f"page error: {error}"))
        page.on("console", self._console)
        page.on("request", self._request)
        self.tiles = tiles
        # Map tiles come from a tile server the test machine cannot reach: answer them here.
        page.route(f"{tiles}/**", lambda route: route.fulfill(status=204))

    def _dialog(self, dialog):
        self.events.append(f"dialog: {dialog.type} {dialog.message}")
        dialog.dismiss()

    def _console(self, message):
        if message.type == "error" and not message.location.get("url", "").startswith(
                self.tiles):
            self.events.append(f"console: {message.text}")

    def _request(self, request):
        if request.url.split("?")[0].endswith("/x"):  # <img src=x> would fetch it
            self.events.append(f"request: {request.url}")


def visit(page, watch: Watch, url: str) -> list[str]:
    """Open the page, open every map tooltip, and return the tooltips' text."""
    page.goto(url)
    # "load", not "networkidle": the boards poll every few seconds, so the network is
    # never idle for long on a busy machine (a CI run timed out here).
    page.wait_for_load_state("load")
    page.wait_for_timeout(300)
    tooltips = page.evaluate(OPEN_TOOLTIPS)
    page.wait_for_timeout(50)
    injected = page.evaluate(INJECTED)
    assert not injected, (url, injected)
    assert not watch.events, (url, watch.events)
    return tooltips


@pytest.fixture(autouse=True)
def _reader():
    """After planting, the test only reads: on SQLite it must not take the write lock."""
    yield
    read_only.set(False)


@pytest.fixture
def planted(live_server, world):
    found = plant(live_server.app, world)
    fresh()
    read_only.set(True)
    return found


def test_the_corpus_runs_nowhere_in_the_leaders_pages_and_maps(live_server, desktop, world,
                                                              planted):
    watch = Watch(desktop, "https://tile.openstreetmap.org")
    fresh()
    sign_in(desktop, live_server, world.leader.username, helpers.PASSWORD)
    tooltips = []
    pages = [p for p in leader_pages(planted) if not p.endswith(("/card", "/edit", "/row"))]
    for path in pages:
        tooltips += visit(desktop, watch, live_server(path))

    # The household map's card, loaded by htmx beside the map, and the in-place edit form.
    desktop.goto(live_server("/households/map"))
    desktop.wait_for_load_state("networkidle")
    for household in planted.households:
        desktop.evaluate("url => htmx.ajax('GET', url, '#household-card')",
                         f"/households/{household.id}/card")
        expect(desktop.locator("#household-card h2")).to_have_text(household.head_name)
        assert not desktop.evaluate(INJECTED) and not watch.events
    desktop.goto(live_server("/households/"))
    first = desktop.locator("tr.hh-row").first
    first.get_by_role("button", name="Sửa").click()
    desktop.wait_for_load_state("networkidle")
    assert not desktop.evaluate(INJECTED) and not watch.events

    # Text round-trips: the registry's names and every map's tooltips read as stored.
    # The registry is paged (25 a page): read every page through its "next" link, each one
    # as inert as the first.
    desktop.goto(live_server("/households/"))
    names = desktop.locator("tr.hh-row td:first-child a").all_text_contents()
    while desktop.locator("a[rel=next]").count():
        desktop.goto(live_server(desktop.locator("a[rel=next]").get_attribute("href")))
        names += desktop.locator("tr.hh-row td:first-child a").all_text_contents()
        assert not desktop.evaluate(INJECTED) and not watch.events
    fresh()
    stored = [db.session.get(Household, h.id).head_name for h in planted.households]
    fresh()
    assert set(stored) <= set(names)
    missing = [name for name in stored if not any(name in tip for tip in tooltips)]
    assert not missing, (missing, tooltips[:40])


def test_the_corpus_runs_nowhere_on_the_volunteers_phone(live_server, phone, planted):
    watch = Watch(phone, "https://tile.openstreetmap.org")
    sign_in(phone, live_server, planted.walker.phone, PIN)
    for path in volunteer_pages(planted)[:6]:
        visit(phone, watch, live_server(path))
    phone.goto(live_server("/walk"))
    notes = phone.locator(".stop .last i").all_text_contents()
    assert notes[:len(CORPUS)] == [n for n in _typed_notes(len(notes))][:len(CORPUS)]


def _typed_notes(count: int) -> list[str]:
    from vietnamese import nfc
    return [nfc(CORPUS[k % len(CORPUS)])[:1000] for k in range(count)]
