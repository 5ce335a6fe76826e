"""A person signs in on a phone or a laptop and finds the demo neighbourhood."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.conftest import DEMO_LEADER, DEMO_VOLUNTEER, sign_in


def test_volunteer_signs_in_on_a_phone_and_sees_their_walk(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_VOLUNTEER)
    expect(phone).to_have_url(re.compile(r"/walk$"))
    expect(phone.get_by_role("heading", name="Lộ trình hôm nay")).to_be_visible()
    stops = phone.locator("li.stop, [data-stop]")
    assert stops.count() > 5
    expect(stops.first).to_contain_text("Ngõ")
    # Nothing wider than the phone: no sideways scrolling at 360 px.
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


def test_leader_signs_in_and_sees_the_neighbourhood(demo_server, desktop):
    sign_in(desktop, demo_server, *DEMO_LEADER)
    expect(desktop.get_by_role("heading", name="Tổ dân phố số 6")).to_be_visible()
    expect(desktop.get_by_text("220 hộ")).to_be_visible()
    expect(desktop.locator("table")).to_contain_text("Ngách 12/9")


def test_a_wrong_pin_shows_a_clear_message_in_vietnamese(demo_server, phone):
    sign_in(phone, demo_server, DEMO_VOLUNTEER[0], "0000")
    expect(phone.get_by_role("alert").or_(phone.locator(".flash.error"))).to_contain_text("Sai")
    expect(phone).to_have_url(re.compile(r"/sign-in"))


def test_pages_name_no_third_party_host(demo_server, desktop):
    hosts = set()
    desktop.on("request", lambda r: hosts.add(r.url.split("/")[2]))
    sign_in(desktop, demo_server, *DEMO_LEADER)
    desktop.goto(demo_server("/team/"))
    assert hosts == {demo_server.url.split("/")[2]}


def test_english_is_available(demo_server, desktop):
    desktop.goto(demo_server("/sign-in"))
    desktop.get_by_role("button", name="English").click()
    expect(desktop.get_by_role("heading", name="Sign in")).to_be_visible()
