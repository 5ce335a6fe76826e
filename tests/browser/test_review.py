"""The leader finds who is not yet reached and puts them into the next evening shift."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Shift, Walk, WalkStop
from models.rules import local_today
from tests.browser.conftest import DEMO_LEADER, fresh, sign_in

pytestmark = pytest.mark.browser


def test_not_home_twice_evenings_never_tried_go_into_the_next_evening_shift(demo_server, desktop):
    page = desktop
    sign_in(page, demo_server, *DEMO_LEADER)
    page.get_by_role("link", name="Chưa gặp").click()
    expect(page.get_by_role("heading", name="Chưa gặp")).to_be_visible()

    page.get_by_text("Bộ lọc", exact=True).click()  # folded until used
    page.get_by_label("Số lần không có nhà, ít nhất").select_option("2")
    page.get_by_label("Chưa thử buổi tối").check()
    page.get_by_role("button", name="Lọc").click()
    expect(page).to_have_url(re.compile(r"not_home=2.*never=toi"))

    cards = page.locator(".review-list li[data-household]")
    count = cards.count()
    assert count >= 3, "the demo has households not home twice in daytime, never tried at night"
    for k in range(count):
        expect(cards.nth(k)).to_contain_text("Nên quay lại: Tối")
        expect(cards.nth(k)).not_to_contain_text("Tối,")  # evenings never tried
    chosen = {int(cards.nth(k).get_attribute("data-household")) for k in range(count)}
    addresses = [cards.nth(k).locator("b").inner_text() for k in range(count)]

    evening = local_today() + timedelta(days=3)
    page.get_by_label("Chọn tất cả các hộ trong danh sách").check()
    page.get_by_label("Buổi đi").select_option(label=f"Tối {evening:%d/%m/%Y}")
    page.get_by_label("Thành viên đi").select_option(index=1)
    page.get_by_role("button", name="Đưa các hộ đã chọn vào buổi").click()

    expect(page.get_by_role("heading", name=f"Buổi Tối {evening:%d/%m/%Y}")).to_be_visible()
    walks = page.locator("section.walk")
    for address in addresses:
        expect(walks.get_by_text(address, exact=False).first).to_be_visible()

    fresh()
    shift = db.session.scalar(db.select(Shift).where(Shift.day == evening, Shift.slot == "toi"))
    on_walks = set(db.session.scalars(db.select(WalkStop.household_id).join(Walk)
                                      .where(Walk.shift_id == shift.id)))
    assert chosen <= on_walks

    # Back on the list, each is marked as planned for that evening.
    page.goto(demo_server("/review?not_home=2&never=toi"))
    expect(cards.first).to_contain_text(f"Đã xếp: Tối {evening:%d/%m/%Y}")
