"""The leader plans a shift for the demo neighbourhood on the board, then opens a walk map."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from models.rules import local_today
from tests.browser.conftest import DEMO_LEADER, sign_in

pytestmark = pytest.mark.browser


def test_leader_gives_lanes_sees_load_bars_move_suggests_and_opens_a_walk(demo_server, desktop):
    page = desktop
    sign_in(page, demo_server, *DEMO_LEADER)
    page.get_by_role("link", name="Buổi đi", exact=True).click()
    page.get_by_label("Ngày").fill((local_today() + timedelta(days=6)).isoformat())
    page.get_by_label("Sáng").check()
    page.get_by_role("button", name="Tạo buổi").click()
    expect(page.get_by_role("heading", name=re.compile("Phân công buổi Sáng"))).to_be_visible()

    page.evaluate("window.__sameDocument = true")  # gone if the page reloads
    rows = page.locator("tr.lane-row")
    volunteers = rows.first.locator("option").evaluate_all(
        "options => options.map(o => o.value).filter(Boolean)")[:3]
    for k, volunteer in enumerate(volunteers):
        load = page.locator(f"#load-{volunteer}")
        expect(load).to_have_attribute("data-households", "0")
        rows.nth(k).locator("select").select_option(volunteer)
        expect(load).not_to_have_attribute("data-households", "0")
        expect(load.locator(".loadbar > span")).not_to_have_attribute("style", "width: 0%")
        expect(rows.nth(k).locator("select")).to_have_value(volunteer)
    assert page.evaluate("window.__sameDocument === true")

    free_before = rows.locator("select").evaluate_all(
        "selects => selects.filter(s => !s.value).length")
    page.get_by_role("button", name="Gợi ý", exact=True).click()
    expect(page.locator(".flash.ok")).to_contain_text("Đã gợi ý")
    free_after = rows.locator("select").evaluate_all(
        "selects => selects.filter(s => !s.value).length")
    assert free_after < free_before
    for k, volunteer in enumerate(volunteers):  # the leader's own choices stay
        expect(rows.nth(k).locator("select")).to_have_value(volunteer)

    page.get_by_role("link", name="Bản đồ lộ trình").first.click()
    expect(page.get_by_role("heading", name=re.compile("Lộ trình của"))).to_be_visible()
    expect(page.locator(".leaflet-container")).to_be_visible()
    expect(page.locator(".gc-stop").first).to_have_text("1")
    expect(page.locator(".walk-figures")).to_contain_text(re.compile(r"đi bộ \d+\.\d km"))
    expect(page.locator("path.leaflet-interactive").first).to_be_attached()


def test_leader_reorders_a_volunteers_lanes_and_their_walk_follows(demo_server, desktop):
    page = desktop
    sign_in(page, demo_server, *DEMO_LEADER)
    page.goto(demo_server("/shifts/"))
    unplanned = page.locator(".shift-card", has_text=re.compile(r"(^|\s)0 ngõ đã giao"))
    unplanned.get_by_role("link").first.click()
    rows = page.locator("tr.lane-row")
    volunteer = rows.first.locator("option").nth(1).get_attribute("value")
    names = [rows.nth(k).locator("td").first.inner_text().split("\n")[0] for k in (0, 1)]
    for k in (0, 1):
        rows.nth(k).locator("select").select_option(volunteer)
    lanes = page.locator(f"#load-{volunteer} .load-lanes li")
    expect(lanes).to_have_count(2)
    expect(lanes.first).to_contain_text(names[0])
    page.get_by_role("button", name=f"Đưa xuống: {names[0]}").click()
    expect(lanes.first).to_contain_text(names[1])
    page.get_by_role("button", name="Xếp theo gợi ý").click()
    expect(page.get_by_role("link", name="Bản đồ lộ trình")).to_be_visible()
