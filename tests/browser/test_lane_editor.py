"""The leader draws two lanes with the drawing tool, imports households without
coordinates, sees those of the drawn lanes all placed, and places the last one by hand
(issue 13, "done means")."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Household, Lane
from tests.browser.conftest import fresh
from tests.browser.test_households import import_file, sign_in_leader
from tests.test_sheets import csv_text

pytestmark = pytest.mark.browser


def draw_lane(page, name: str, points) -> None:
    """Draw a line with the Geoman tool, clicking `points` (fractions of the map box) from
    the lane's mouth, the last one twice to finish; then name the lane and save it."""
    page.locator(".leaflet-pm-icon-polyline").click()
    box = page.locator("#lane-map .gc-map").bounding_box()
    at = [(box["x"] + box["width"] * fx, box["y"] + box["height"] * fy) for fx, fy in points]
    for x, y in at:
        page.mouse.click(x, y)
        page.wait_for_timeout(150)
    page.mouse.click(*at[-1])
    expect(page.locator("#lane-path-state")).to_contain_text(f"Đã vẽ {len(points)} điểm")
    page.get_by_label("Tên ngõ").fill(name)
    page.get_by_label("Phố", exact=True).fill("Đường Thử")
    page.get_by_role("button", name="Lưu ngõ").click()
    expect(page.get_by_text(f"Đã lưu “{name}, Đường Thử”", exact=False)).to_be_visible()


def test_draw_two_lanes_import_ten_see_them_placed_and_place_one_by_hand(
        live_server, desktop, world):
    sign_in_leader(desktop, live_server, world)
    desktop.goto(live_server("/lanes/editor"))
    draw_lane(desktop, "Ngõ 80", [(0.2, 0.8), (0.2, 0.5), (0.3, 0.3)])
    draw_lane(desktop, "Ngõ 82", [(0.7, 0.8), (0.75, 0.4)])
    fresh()
    drawn = {lane.name: lane.path for lane in db.session.scalars(
        db.select(Lane).where(Lane.name.in_(("Ngõ 80", "Ngõ 82"))))}
    assert len(drawn["Ngõ 80"]) == 3 and len(drawn["Ngõ 82"]) == 2
    assert drawn["Ngõ 80"][0][0] < drawn["Ngõ 80"][-1][0]  # from the mouth (south) up
    fresh()

    rows = [f"{n},Ngõ 80,Đường Thử,Hộ Tám Mươi {n},2,,,," for n in range(1, 6)]
    rows += [f"{n},Ngõ 82,Đường Thử,Hộ Tám Hai {n},2,,,," for n in range(1, 6)]
    rows += ["9,Ngõ 99,Đường Thử,Hộ Cuối Cùng,2,,,,"]
    import_file(desktop, live_server, "muoi-mot-ho.csv", "text/csv", csv_text(*rows).encode())
    desktop.get_by_role("button", name=re.compile("Xác nhận nhập")).click()
    expect(desktop).to_have_url(re.compile(r"/households/map"))
    desktop.get_by_role("button", name="Đặt các hộ còn thiếu lên bản đồ").click()
    expect(desktop.get_by_text("còn 1 hộ chưa có vị trí", exact=False)).to_be_visible(
        timeout=20_000)
    fresh()
    ten = db.session.scalars(db.select(Household).where(
        Household.head_name.like("Hộ Tám %"))).all()
    assert len(ten) == 10 and all(h.has_position and h.position_source == "lane" for h in ten)
    fresh()

    desktop.get_by_role("link", name="Xem danh sách và đặt từng hộ bằng tay").click()
    desktop.locator("#unplaced li", has_text="Hộ Cuối Cùng").get_by_role(
        "button", name="Đặt trên bản đồ").click()
    box = desktop.locator("#household-map .gc-map").bounding_box()
    desktop.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] - 40)
    expect(desktop.locator("#unplaced")).to_have_count(0, timeout=10_000)
    expect(desktop.get_by_text("0 hộ chưa có vị trí", exact=False)).to_be_visible()
    fresh()
    last = db.session.scalar(db.select(Household).where(Household.head_name == "Hộ Cuối Cùng"))
    assert last.has_position and last.position_source == "hand"
    fresh()
