"""Accessible to everyone: axe-core (npm, node_modules/axe-core) finds no serious or critical
violation on any page of any role — admin, ward officer, leader, volunteer, and the signed-out
sign-in page — in Vietnamese and in English, on the demo, on a phone's 360-px screen."""
from __future__ import annotations

from pathlib import Path

import pytest

from demo.command import PASSWORD
from extensions import db
from models import Neighbourhood, User, Walk
from tests.browser.conftest import DEMO_LEADER, DEMO_VOLUNTEER, sign_in
from tests.test_code_words import _pages

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
ROLES = [("admin", PASSWORD), ("canbophuong", PASSWORD), DEMO_LEADER, DEMO_VOLUNTEER]
# What hurts someone: a serious or critical finding, and the three lesser ones the issue names
# (pages without a level-one heading, empty table headers, a scroll box the keyboard misses),
# each with the first elements it names.
NAMED = ["page-has-heading-one", "empty-table-header", "scrollable-region-focusable"]
RUN_AXE = """named => axe.run(document, {resultTypes: ['violations']}).then(r => r.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical' || named.includes(v.id))
  .map(v => [v.id, v.nodes.length, v.nodes.slice(0, 2).map(n => n.target.join(' '))]))"""


def demo_pages(app) -> dict[str, list[str]]:
    """Every GET page, its arguments filled with the demo's ids, and the few pages that need a
    query to show another group, by role."""
    volunteer = db.session.scalar(db.select(User).where(User.phone == DEMO_VOLUNTEER[0]))
    walk = db.session.scalar(db.select(Walk).where(Walk.volunteer_id == volunteer.id)
                             .order_by(Walk.id.desc()))
    home = db.session.get(Neighbourhood, volunteer.neighbourhood_id)
    other = db.session.scalar(db.select(Neighbourhood).where(Neighbourhood.id != home.id))
    door = walk.stops[0].household  # a stop of the volunteer's walk: its page opens for them
    ids = {"neighbourhood_id": home.id, "ward_id": home.ward_id, "group_id": home.id,
           "household_id": door.id, "shift_id": walk.shift_id, "walk_id": walk.id,
           "user_id": volunteer.id, "job_id": 1}
    pages = _pages(app, ids)
    db.session.remove()  # the server writes next (sign-ins): this test holds no connection
    return {"admin": pages + [f"/dashboard?neighbourhood={home.id}",
                              f"/team/?neighbourhood={home.id}", f"/places/groups/{other.id}"],
            "canbophuong": pages + [f"/dashboard?neighbourhood={home.id}",
                                    f"/neighbourhoods/{other.id}"],
            DEMO_LEADER[0]: pages, DEMO_VOLUNTEER[0]: pages}


def axe_findings(page, url: str) -> list | None:
    """axe's serious and critical findings on the page at url, None if it is not a page."""
    response = page.goto(url)
    if response is None or response.status != 200 or "<html" not in response.text()[:200]:
        return None  # refused, a file, or a fragment htmx swaps into a page
    page.wait_for_load_state("networkidle")
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, NAMED)


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_axe_finds_nothing_serious_on_any_page_of_any_role(demo_server, demo_app, new_page,
                                                           locale):
    pages = demo_pages(demo_app)
    found, seen = [], 0
    anonymous = new_page("phone", bypass_csp=True)
    anonymous.goto(demo_server("/sign-in"))
    if locale == "en":
        anonymous.get_by_role("button", name="English").click()
    found += [("-", "/sign-in", f) for f in axe_findings(anonymous, demo_server("/sign-in"))]
    for login, secret in ROLES:
        page = new_page("phone", bypass_csp=True)
        sign_in(page, demo_server, login, secret)
        if locale == "en":
            page.get_by_role("button", name="English").click()
            page.wait_for_load_state()
        for path in dict.fromkeys(pages[login]):
            findings = axe_findings(page, demo_server(path))
            if findings is None:
                continue
            seen += 1
            found += [(login, path, finding) for finding in findings]
        page.context.close()
    assert seen > 40
    assert not found, "\n".join(map(str, found))
