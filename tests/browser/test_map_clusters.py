"""Clusters on the households map show their households' status colours, not the plugin's
yellow and green (issue 13 item 9)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from extensions import read_only
from tests.browser.conftest import DEMO_LEADER, sign_in
from vocabulary import STATUS_COLOURS

pytestmark = pytest.mark.browser


@pytest.fixture(autouse=True)
def _reader():
    token = read_only.set(True)
    yield
    read_only.reset(token)


def test_clusters_are_rings_in_the_status_colours_with_their_count(demo_server, desktop):
    sign_in(desktop, demo_server, *DEMO_LEADER)
    desktop.goto(demo_server("/households/map"))
    desktop.evaluate("""() => {
        const map = Object.values(window).find(v => v && v instanceof L.Map);
        map.setZoom(15, {animate: false});
    }""")
    cluster = desktop.locator(".gc-cluster").first
    expect(cluster).to_be_visible()
    expect(desktop.locator(".marker-cluster-small, .marker-cluster-medium, "
                           ".marker-cluster-large")).to_have_count(0)
    said = cluster.get_attribute("data-statuses").split()
    counts = {item.split(":")[0]: int(item.split(":")[1]) for item in said}
    assert set(counts) <= set(STATUS_COLOURS) and sum(counts.values()) == int(
        cluster.inner_text())
    style = cluster.get_attribute("style")
    for status in counts:
        assert STATUS_COLOURS[status] in style
    expect(desktop.locator(".map-legend [data-status='approximate'] .hh-approx")).to_be_visible()
