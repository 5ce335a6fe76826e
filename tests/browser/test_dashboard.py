"""The leader reads the four figures on a phone."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import db
from models import User
from models.figures import headline, neighbourhood_summary
from models.rules import local_today
from tests.browser.conftest import DEMO_LEADER, fresh, sign_in

pytestmark = pytest.mark.browser


def test_the_four_figures_read_on_a_phone(demo_server, phone):
    sign_in(phone, demo_server, *DEMO_LEADER)
    phone.goto(demo_server("/dashboard"))
    expect(phone.get_by_role("heading", name="Số liệu", exact=True)).to_be_visible()
    fresh()
    leader = db.session.scalar(db.select(User).where(User.username == DEMO_LEADER[0]))
    expected = headline(neighbourhood_summary(leader.neighbourhood_id, local_today()).overall)
    assert [f.code for f in expected] == ["broadband", "payment", "public_service_household",
                                          "vneid"]
    for figure in expected:
        card = phone.locator(f'article.figure[data-code="{figure.code}"]')
        expect(card).to_be_visible()
        expect(card.get_by_role("heading")).to_have_text(figure.label)
        expect(card.locator(".big-figure")).to_have_text(f"{figure.pct:.1f}%")
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    expect(phone.locator("svg.chart polyline")).to_have_count(4)
    assert phone.evaluate("document.documentElement.scrollWidth") <= 360
