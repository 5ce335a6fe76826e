"""A leader imports 10 households without coordinates: those on a drawn lane are placed,
the others are listed as "chưa có vị trí", and one is placed by hand with a click on the map
(issue 13 item 6)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Household
from tests.browser.conftest import fresh
from tests.browser.test_households import import_file, sign_in_leader
from tests.test_sheets import csv_text

pytestmark = pytest.mark.browser


def test_ten_households_placed_or_listed_and_one_placed_by_hand(live_server, desktop, world):
    sign_in_leader(desktop, live_server, world)
    rows = [f"{n},Ngõ 10,Đường Thử,Hộ Số {n},2,,,," for n in range(70, 78)]  # a drawn lane
    rows += [f"{n},Ngõ 99,Đường Thử,Hộ Xa {n},2,,,," for n in (5, 7)]  # a lane not drawn
    import_file(desktop, live_server, "muoi-ho.csv", "text/csv", csv_text(*rows).encode())
    desktop.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(desktop).to_have_url(re.compile(r"/households/map"))
    expect(desktop.get_by_text("10 hộ chưa có vị trí", exact=False)).to_be_visible()
    fresh()
    desktop.get_by_role("button", name="Đặt các hộ còn thiếu lên bản đồ").click()
    expect(desktop.get_by_text("còn 2 hộ chưa có vị trí", exact=False)).to_be_visible(
        timeout=20_000)
    expect(desktop.get_by_text("Đã đặt xong")).to_have_count(0)
    desktop.get_by_role("link", name="Xem danh sách và đặt từng hộ bằng tay").click()
    unplaced = desktop.locator("#unplaced li")
    expect(unplaced).to_have_count(2)
    expect(desktop.locator("#unplaced")).to_contain_text("Hộ Xa 5")

    desktop.locator("#unplaced li", has_text="Hộ Xa 5").get_by_role(
        "button", name="Đặt trên bản đồ").click()
    expect(desktop.locator("#household-map[data-placing]")).to_have_count(1)
    box = desktop.locator("#household-map .gc-map").bounding_box()
    desktop.mouse.click(box["x"] + box["width"] * 0.15, box["y"] + box["height"] - 40)
    expect(desktop.locator("#unplaced li")).to_have_count(1, timeout=10_000)
    expect(desktop.locator("#unplaced")).to_contain_text("Hộ Xa 7")
    fresh()
    placed = db.session.scalar(db.select(Household).where(Household.head_name == "Hộ Xa 5"))
    assert placed.has_position and placed.position_source == "hand"
    on_lane = db.session.scalars(db.select(Household).where(
        Household.head_name.like("Hộ Số %"))).all()
    assert len(on_lane) == 8 and {h.position_source for h in on_lane} == {"lane"}
    fresh()
