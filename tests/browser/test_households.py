"""A leader imports household lists in the browser and finds every household on the map."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Household
from models.visit import VisitInput, record_visit
from tests import helpers
from tests.browser.conftest import fresh, sign_in
from tests.test_sheets import csv_text, to_cp1258, xlsx_bytes
from vocabulary import STATUS_COLOURS

pytestmark = pytest.mark.browser

CSV_ROWS = ("101,Ngõ 10,Đường Thử,Đặng Văn Đức,4,,21.5531,105.8621,",
            "102,ngõ 10/ngách 3,Đường Thử,Trần Thị Quế,3,,21.5533,105.8623,",
            "103,Ngõ 77,Đường Thử,Nông Văn Vinh,2,,21.5535,105.8619,")
XLSX_ROWS = [["Số nhà", "Ngõ", "Chủ hộ", "Số khẩu", "Vĩ độ", "Kinh độ"],
             ["201", "Ngõ 20", "Hoàng Thị Yến", 2, 21.5529, 105.8624],
             ["202", "Ngõ 20", "Bùi Minh Hùng", 5, 21.5532, 105.8617]]


def rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i:i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def households() -> int:
    fresh()
    count = db.session.scalar(db.select(db.func.count(Household.id)))
    fresh()  # on SQLite the test's open transaction would hold the server's write lock
    return count


def sign_in_leader(page, server, world) -> None:
    username = world.leader.username
    fresh()
    sign_in(page, server, username, helpers.PASSWORD)


def import_file(page, server, name: str, mime: str, data: bytes):
    page.goto(server("/households/import"))
    page.set_input_files("input[name=file]", files=[{"name": name, "mimeType": mime,
                                                     "buffer": data}])
    page.get_by_role("button", name="Xem trước").click()


def pin_colours(page) -> dict[str, str]:
    """{tooltip text: colour} of every pin, clustered or not, on or off screen: each pin's
    own marker HTML is drawn with the page's styles and its colour read back."""
    return page.evaluate("""() => {
        const map = Object.values(window).find(v => v && v instanceof L.Map);
        const markers = [];
        map.eachLayer(layer => {
            if (layer instanceof L.MarkerClusterGroup) markers.push(...layer.getLayers());
            else if (layer instanceof L.Marker) markers.push(layer);
        });
        const found = {};
        for (const marker of new Set(markers)) {
            if (!marker.getTooltip() || !marker.options.icon.options.html) continue;
            const probe = document.createElement('div');
            probe.innerHTML = marker.options.icon.options.html;
            document.body.appendChild(probe);
            const pin = probe.querySelector('.gc-pin');
            const text = document.createElement('div');
            text.innerHTML = marker.getTooltip().getContent();
            if (pin) found[text.textContent.trim()] = getComputedStyle(pin).backgroundColor;
            probe.remove();
        }
        return found;
    }""")


def test_import_cp1258_and_xlsx_then_every_household_is_on_the_map(live_server, desktop, world):
    sign_in_leader(desktop, live_server, world)
    before = households()

    import_file(desktop, live_server, "ho-dan.csv", "text/csv", to_cp1258(csv_text(*CSV_ROWS)))
    expect(desktop.locator("#count-added")).to_have_text("3")
    expect(desktop.locator(".hh-new-lanes")).to_contain_text("Ngõ 77")
    assert households() == before  # nothing written before confirming
    desktop.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(desktop).to_have_url(re.compile(r"/households/map"))

    import_file(desktop, live_server, "ho-dan.xlsx",
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                xlsx_bytes(XLSX_ROWS))
    expect(desktop.locator("#count-added")).to_have_text("2")
    desktop.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(desktop).to_have_url(re.compile(r"/households/map"))
    assert households() == before + 5

    declined = db.session.scalar(db.select(Household).where(Household.head_name == "Bùi Minh Hùng"))
    record_visit(declined.id, None, VisitInput(client_id="b-1", outcome="declined"), {})
    db.session.commit()
    fresh()
    desktop.reload()
    colours = pin_colours(desktop)
    for name in ("Đặng Văn Đức", "Trần Thị Quế", "Nông Văn Vinh", "Hoàng Thị Yến"):
        found = [c for label, c in colours.items() if label.startswith(name)]
        assert found == [rgb(STATUS_COLOURS["not_visited"])], (name, colours)
    assert [c for label, c in colours.items() if label.startswith("Bùi Minh Hùng")] == \
        [rgb(STATUS_COLOURS["declined"])]

    # A click on a household opens its card beside the map. The pin may sit inside a cluster
    # or off screen, so the click is given to the pin's own marker, as Leaflet does on a tap.
    desktop.evaluate("""() => {
        const map = Object.values(window).find(v => v && v instanceof L.Map);
        map.eachLayer(layer => {
            if (!(layer instanceof L.MarkerClusterGroup)) return;
            layer.getLayers().find(m => m.options.icon.options.html.includes('declined'))
                .fire('click');
        });
    }""")
    expect(desktop.locator("#household-card")).to_contain_text("Bùi Minh Hùng")


def test_a_bad_file_is_refused_with_its_row_numbers_and_changes_nothing(live_server, desktop, world):
    sign_in_leader(desktop, live_server, world)
    before = households()
    bad = csv_text("301,Ngõ 10,Đường Thử,Ma Văn Sơn,-2,,,,",
                   "302,Ngõ 10,Đường Thử,Ma Văn Toàn,2,,48.85,2.35,",
                   "303,Ngõ 10,Đường Thử,Ma Thị Hà,2,,,,")
    import_file(desktop, live_server, "sai.csv", "text/csv", to_cp1258(bad))
    errors = desktop.locator(".hh-errors tbody tr")
    expect(errors.first).to_contain_text("2")
    rows = [errors.nth(i).locator("td").first.inner_text() for i in range(errors.count())]
    assert sorted(set(rows)) == ["2", "3"]
    expect(desktop.get_by_role("button", name=re.compile("Xác nhận nhập"))).to_have_count(0)
    assert households() == before


def test_without_network_drawn_lanes_place_every_household(live_server, desktop, world):
    """GEOCODER is "none": the placing job spreads imported households along their lanes."""
    sign_in_leader(desktop, live_server, world)
    rows = [f"{n},Ngõ 10,Đường Thử,Hộ Số {n},2,,," + "," for n in range(50, 62)]
    import_file(desktop, live_server, "chua-co-toa-do.csv", "text/csv",
                csv_text(*rows).encode())
    desktop.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(desktop.get_by_text("12 hộ chưa có vị trí", exact=False)).to_be_visible()
    fresh()
    desktop.get_by_role("button", name="Đặt các hộ còn thiếu lên bản đồ").click()
    expect(desktop.get_by_text("Đã đặt xong các hộ lên bản đồ.")).to_be_visible(timeout=20_000)
    home_id = world.home.id
    fresh()
    unplaced = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == home_id, Household.lat.is_(None))).all()
    assert unplaced == []
    spread = db.session.scalars(db.select(Household).where(
        Household.head_name.like("Hộ Số %"))).all()
    assert len(spread) == 12 and {h.position_source for h in spread} == {"lane"}


def test_back_after_a_dozen_searches_brings_the_registry_back_whole(demo_server, desktop):
    """htmx keeps no page in its history cache (sessionStorage: names would outlive the
    session), so Back reloads the page from the server, whole, never a bare fragment."""
    from tests.browser.conftest import DEMO_LEADER
    sign_in(desktop, demo_server, *DEMO_LEADER)
    desktop.goto(demo_server("/households/"))
    search = desktop.get_by_label("Tìm theo tên chủ hộ hoặc số nhà")
    for term in ("ng", "ngu", "nguy", "tran", "le", "pham", "hoang", "do", "bui", "dang",
                 "vu", "1"):
        with desktop.expect_response(lambda r: f"q={term}" in r.url):
            search.fill(term)
        expect(desktop).to_have_url(re.compile(f"q={term}"))
    assert desktop.locator("nav.nav").count() == 1
    assert desktop.evaluate("() => sessionStorage.getItem('htmx-history-cache')") is None
    with desktop.expect_response(
            lambda r: "q=vu" in r.url and r.request.is_navigation_request()) as restore:
        desktop.go_back()
    assert restore.value.request.headers.get("hx-request") is None
    assert "q=vu" in restore.value.url
    expect(desktop.locator("nav.nav")).to_have_count(1)
    expect(desktop.get_by_label("Tìm theo tên chủ hộ hoặc số nhà")).to_be_visible()
    expect(desktop.locator("form.hh-filters")).to_have_count(1)
    expect(desktop.locator("#household-rows")).to_have_count(1)
    assert "q=vu" in desktop.url
