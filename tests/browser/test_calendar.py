"""The leader reads the campaign calendar, accepts one proposed shift, and finds it on the board."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import DEMO_LEADER, sign_in

pytestmark = pytest.mark.browser


def test_leader_accepts_a_proposed_shift_and_sees_it_on_the_board(demo_server, desktop):
    page = desktop
    sign_in(page, demo_server, *DEMO_LEADER)
    page.get_by_role("link", name="Buổi đi").click()
    calendar = page.locator("#calendar")
    expect(calendar.get_by_role("heading", name="Lịch chiến dịch")).to_be_visible()
    expect(calendar).to_contain_text(re.compile(r"mọi hộ sẽ được gặp trước \d\d/\d\d/\d{4}"))
    expect(calendar.locator("svg.reach-chart rect.reach-week").first).to_be_visible()
    proposed = calendar.locator("tr.calendar-shift.proposed").first
    day, slot = proposed.get_attribute("data-day"), proposed.get_attribute("data-slot")
    lanes = proposed.locator("td").nth(1).inner_text().split("; ")
    assert lanes and lanes[0]
    label = {"sang": "Sáng", "chieu": "Chiều", "toi": "Tối"}[slot]
    y, m, d = day.split("-")

    proposed.get_by_role("button", name="Lên kế hoạch buổi này").click()
    expect(page.get_by_role("heading", name=f"Phân công buổi {label} {d}/{m}/{y}")).to_be_visible()
    expect(page.locator(".flash.ok")).to_contain_text("từ lịch đề xuất")
    # The proposed lanes' doors are on volunteers' walks, each within the evening.
    loads = page.locator("#loads .load")
    expect(loads.first).to_be_visible()
    given = loads.evaluate_all("ls => ls.filter(l => l.dataset.households !== '0').length")
    assert given >= 1
    expect(page.locator("#loads")).not_to_contain_text("Quá thời gian của buổi")

    page.get_by_role("link", name="Buổi đi").click()
    accepted = page.locator(f'tr.calendar-shift[data-day="{day}"][data-slot="{slot}"]')
    expect(accepted).not_to_have_class(re.compile("proposed"))
    expect(accepted.get_by_role("link", name="Đã lên kế hoạch")).to_be_visible()
    expect(page.locator(".shift-card", has_text=f"{label} {d}/{m}/{y}")).to_be_visible()
