"""The ward officer prints the ward's report on A4: no navigation, no form, a chart per
headline figure, the figures and the groups with the ward's total; and it makes a PDF."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from demo.command import PASSWORD
from tests.browser.conftest import DEMO_LEADER, sign_in

pytestmark = pytest.mark.browser
A4 = {"width": 794, "height": 1123}  # 210 × 297 mm at 96 px per inch


def test_the_officer_prints_the_wards_report_on_a4(demo_server, new_page):
    page = new_page("desktop")
    page.set_viewport_size(A4)
    sign_in(page, demo_server, "canbophuong", PASSWORD)
    page.goto(demo_server("/report"))
    expect(page.get_by_role("heading", name="Báo cáo · Phường Tích Lương")).to_be_visible()
    page.get_by_role("link", name="Bản in (A4)").click()
    page.wait_for_load_state()
    assert page.url.startswith(demo_server("/report/print"))

    # On screen: a button that opens the browser's print dialog
    page.evaluate("window.print = () => { window.__printed = true; }")
    page.get_by_role("button", name="In trang này").click()
    assert page.evaluate("window.__printed") is True

    page.emulate_media(media="print")
    expect(page.locator("header.bar")).to_be_hidden()
    expect(page.get_by_role("button", name="In trang này")).to_be_hidden()
    expect(page.get_by_role("heading", name="Báo cáo kết quả chuyển đổi số cộng đồng")
           ).to_be_visible()
    charts = page.locator("figure.print-chart")
    expect(charts).to_have_count(4)
    for k in range(4):
        chart = charts.nth(k)
        expect(chart.locator("svg")).to_be_visible()
        expect(chart.locator("rect.bar-end")).to_have_count(1)
        box = chart.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= A4["width"]
    assert page.locator("#report-figures tbody tr").count() >= 8
    total = page.locator("#report-groups tfoot tr")
    expect(total).to_contain_text("Cộng toàn phường")
    groups = page.locator("#report-groups tbody tr")
    expect(groups).to_have_count(2)  # Tổ dân phố số 6 and số 7
    # The total row's households are the sum of the groups'
    numbers = [int(groups.nth(k).locator("td").nth(1).inner_text()) for k in range(2)]
    assert int(total.locator("td").nth(0).inner_text()) == sum(numbers)

    pdf = page.pdf(format="A4", print_background=True)
    assert pdf.startswith(b"%PDF") and len(pdf) > 5_000


def test_the_review_map_draws_its_households_from_one_layer(demo_server, new_page):
    """The leader's review map: every open household with a position is a marker (drawn by
    one GeoJSON layer in the browser), clustered when zoomed out; a marker opens its card."""
    page = new_page("desktop")
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sign_in(page, demo_server, *DEMO_LEADER)
    page.goto(demo_server("/review/map"))
    page.wait_for_function("() => document.querySelector('.leaflet-container') !== null")
    drawn = page.evaluate("""() => {
        let n = 0;
        for (const key of Object.keys(window)) {
            const layer = window[key];
            if (layer && layer.getLayers && layer._featureGroup) { n += layer.getLayers().length; }
        }
        return n;
    }""")
    assert drawn > 50 and not errors
