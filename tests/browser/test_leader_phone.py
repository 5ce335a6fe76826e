"""A leader with only a phone: at 360 px, in Vietnamese and English, every leader page fits
the screen (no sideways scroll), the whole menu is on it, the registry is a paged list and
the board's volunteer pickers show whole names."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from extensions import db
from models import Shift
from tests.browser.conftest import DEMO_LEADER, sign_in
from tests.browser.test_accessibility import demo_pages

# Every menu link lies inside the screen and the menu does not hide any in a sideways scroll.
MENU_ON_SCREEN = """() => {
  const nav = document.querySelector('header nav');
  const off = [...nav.querySelectorAll('a')].filter(a => {
    const box = a.getBoundingClientRect();
    return box.width === 0 || box.left < 0 || box.right > window.innerWidth;
  }).map(a => a.textContent.trim());
  return {links: nav.querySelectorAll('a').length, off,
          clipped: nav.scrollWidth > nav.clientWidth};
}"""


def _switch_to(page, locale: str) -> None:
    if locale == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_leader_page_fits_a_phone_with_the_whole_menu(demo_server, demo_app, new_page,
                                                            locale):
    pages = demo_pages(demo_app)[DEMO_LEADER[0]] + ["/households/?q=nguyen&page=2"]
    phone = new_page("phone")
    sign_in(phone, demo_server, *DEMO_LEADER)
    _switch_to(phone, locale)
    wide, hidden, seen = [], [], 0
    for path in dict.fromkeys(pages):
        response = phone.goto(demo_server(path))
        if response.status != 200 or "<html" not in response.text()[:200]:
            continue  # not the leader's, a file, or a fragment
        phone.wait_for_load_state("networkidle")
        seen += 1
        width = phone.evaluate("document.documentElement.scrollWidth")
        if width > 360:
            wide.append((path, width))
        menu = phone.evaluate(MENU_ON_SCREEN)
        if menu["off"] or menu["clipped"] or menu["links"] < 10:
            hidden.append((path, menu))
    assert seen > 20
    assert not wide, wide
    assert not hidden, hidden


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_registry_is_a_paged_searchable_list_on_a_phone(demo_server, new_page, locale):
    phone = new_page("phone")
    sign_in(phone, demo_server, *DEMO_LEADER)
    _switch_to(phone, locale)
    phone.goto(demo_server("/households/"))
    rows = phone.locator("#household-rows tbody tr")
    expect(rows).to_have_count(25)
    next_page = "Sau ›" if locale == "vi" else "Next ›"
    phone.get_by_role("link", name=next_page).first.click()
    expect(phone.locator("#household-rows")).to_contain_text("2/9")
    expect(rows).to_have_count(25)
    # A search starts again at its first page and keeps itself across pages.
    phone.get_by_role("searchbox").fill("minh")
    expect(phone).to_have_url(re.compile(r"q=minh"))
    expect(phone.locator("#household-count")).to_contain_text("1/2")
    total = int(phone.locator("#household-count").inner_text().split()[0])
    assert 25 < total <= 50
    phone.get_by_role("link", name=next_page).first.click()
    expect(phone).to_have_url(re.compile(r"q=minh.*page=2|page=2.*q=minh"))
    expect(phone.locator("#household-count")).to_contain_text("2/2")
    expect(rows).to_have_count(total - 25)
    expect(rows.first).to_contain_text("Minh")
    expect(phone.get_by_role("searchbox")).to_have_value("minh")
    assert phone.evaluate("document.documentElement.scrollHeight") < 6000
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_the_board_shows_whole_volunteer_names_on_a_phone(demo_server, demo_app, new_page,
                                                          locale):
    shift = db.session.scalar(db.select(Shift).order_by(Shift.day.desc()))
    shift_id = shift.id
    db.session.remove()
    phone = new_page("phone")
    sign_in(phone, demo_server, *DEMO_LEADER)
    _switch_to(phone, locale)
    phone.goto(demo_server(f"/shifts/{shift_id}/board"))
    # Each picker is wide enough for the longest name it offers.
    cut = phone.evaluate("""() => [...document.querySelectorAll('select[name=volunteer_id]')]
      .filter(s => {
        const probe = document.createElement('span');
        probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap;font:'
          + getComputedStyle(s).font;
        document.body.append(probe);
        const widest = Math.max(...[...s.options].map(o => {
          probe.textContent = o.textContent; return probe.offsetWidth; }));
        probe.remove();
        return s.clientWidth < widest + 24;  // room for the arrow and padding
      }).length""")
    assert phone.locator("select[name=volunteer_id]").count() > 3
    assert cut == 0
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
