"""The registry on a phone is a paged list: 25 households a page, a pager that keeps the
search and filters, every household on exactly one page."""
from __future__ import annotations

import html
import re

import pytest

from extensions import db
from tests import helpers


@pytest.fixture
def sixty(client, auth, world):
    """The home group with 60 households: its 6 "Nguyễn Văn An" and 54 "Phạm Văn A00…A53"."""
    lane = world.home.lanes[0]
    for k in range(54):
        helpers.gen_household(world.home, lane, str(100 + k), head=f"Phạm Văn A{k:02d}")
    db.session.commit()
    auth.sign_in(world.leader)
    return world


def names(page: str) -> list[str]:
    return re.findall(r'<a href="/households/\d+">([^<]+)</a>', page)


def pager(page: str) -> dict[str, str]:
    """The pager's links by rel (prev, next): their addresses."""
    return {rel: html.unescape(href) for rel, href in
            re.findall(r'<a class="button" rel="(prev|next)" href="([^"]+)"', page)}


def test_the_registry_shows_25_a_page_and_every_household_once(client, sixty):
    seen, path = [], "/households/"
    for number in (1, 2, 3):
        page = client.get(path).get_data(as_text=True)
        assert "60 hộ · trang %d/3" % number in page
        seen += names(page)
        links = pager(page)
        assert ("prev" in links) == (number > 1)
        path = links.get("next")
    assert path is None  # no page after the last
    assert len(seen) == 60 and len(set(seen)) == 55  # 54 named apart, 6 "Nguyễn Văn An"
    assert seen[:2] == ["Phạm Văn A00", "Phạm Văn A01"] and seen[-1] == "Nguyễn Văn An"


def test_a_page_past_the_end_or_not_a_number_shows_the_nearest(client, sixty):
    last = client.get("/households/?page=99").get_data(as_text=True)
    assert len(names(last)) == 10 and "trang 3/3" in last
    first = client.get("/households/?page=abc").get_data(as_text=True)
    assert names(first)[0] == "Phạm Văn A00" and "trang 1/3" in first


def test_the_pager_keeps_the_search_and_the_filters(client, sixty):
    lane = sixty.home.lanes[0].id
    page = client.get(f"/households/?q=pham&lane={lane}").get_data(as_text=True)
    assert "54 hộ · trang 1/3" in page and len(names(page)) == 25
    second = pager(page)["next"]
    assert "q=pham" in second and f"lane={lane}" in second and "page=2" in second
    page = client.get(second).get_data(as_text=True)
    assert names(page)[0] == "Phạm Văn A25"
    assert 'value="pham"' in page  # the search box still holds the search
    third = pager(page)["next"]
    assert "q=pham" in third and "page=3" in third
    assert names(client.get(third).get_data(as_text=True)) == [
        f"Phạm Văn A{k}" for k in range(50, 54)]


def test_htmx_gets_the_rows_with_their_pager(client, sixty):
    response = client.get("/households/?q=pham&page=2", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" not in page and len(names(page)) == 25
    assert set(pager(page)) == {"prev", "next"}
    assert 'hx-target="#household-rows"' in page


def test_a_short_list_has_no_pager(client, auth, world):
    auth.sign_in(world.leader)
    page = client.get("/households/").get_data(as_text=True)
    assert len(names(page)) == 6 and not pager(page) and "trang" not in page
