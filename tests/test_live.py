"""The leader's live board: progress, latest visits and map colours, polled cheaply."""
from __future__ import annotations

import re
import uuid

import pytest

from app import create_app
from vocabulary import STATUS_COLOURS

HX = {"HX-Request": "true"}



def _visit(app, world, outcome="met"):
    """The volunteer records a visit from their own phone (another client)."""
    phone = app.test_client()
    from tests.conftest import Auth
    Auth(phone).sign_in(world.volunteer)
    token = re.search(r'"X-CSRFToken": "([^"]+)"', phone.get("/walk").get_data(as_text=True)).group(1)
    response = phone.post(f"/walk/stops/{world.door.id}/visits", headers={**HX, "X-CSRFToken": token},
                          data={"client_id": str(uuid.uuid4()), "outcome": outcome})
    assert response.status_code == 201


def _fp(text: str) -> str:
    return re.search(r'live/feed\?fp=([^"&]+)"', text).group(1)


def test_the_board_shows_each_volunteers_progress_and_polls(client, auth, day):
    auth.sign_in(day.leader)
    page = client.get(f"/shifts/{day.shift.id}/live").get_data(as_text=True)
    assert day.volunteer.name in page and day.volunteer2.name in page
    assert "0/3" in page and 'hx-trigger="every 3s"' in page
    assert "/static/vendor/leaflet/leaflet.js" in page and "/static/live.js" in page


def test_the_feed_is_a_fragment_for_htmx_and_the_board_otherwise(client, auth, day):
    auth.sign_in(day.leader)
    fragment = client.get(f"/shifts/{day.shift.id}/live/feed", headers=HX)
    assert fragment.status_code == 200
    assert "<html" not in fragment.get_data(as_text=True)
    assert 'id="live-feed"' in fragment.get_data(as_text=True)
    page = client.get(f"/shifts/{day.shift.id}/live/feed")
    assert page.status_code == 303 and page.headers["Location"].endswith(
        f"/shifts/{day.shift.id}/live")


def test_a_quiet_board_costs_nothing_and_a_new_visit_shows_at_the_next_poll(app, client, auth, day):
    auth.sign_in(day.leader)
    fp = _fp(client.get(f"/shifts/{day.shift.id}/live").get_data(as_text=True))
    feed = f"/shifts/{day.shift.id}/live/feed?fp={fp}"
    quiet = client.get(feed, headers=HX)
    assert quiet.status_code == 204 and quiet.data == b""
    _visit(app, day, "declined")
    changed = client.get(feed, headers=HX)
    text = changed.get_data(as_text=True)
    assert changed.status_code == 200 and "1/3" in text and "Từ chối" in text
    assert day.door.address in text and _fp(text) != fp


def test_the_map_colours_follow_the_visits(app, client, auth, day):
    auth.sign_in(day.leader)
    first = client.get(f"/shifts/{day.shift.id}/live/points").get_json()
    colour = {p["id"]: p["colour"] for p in first["points"]}
    assert len(colour) == 6 and colour[day.door.id] == STATUS_COLOURS["not_visited"]
    assert client.get(f"/shifts/{day.shift.id}/live/points?fp={first['fp']}").status_code == 204
    _visit(app, day, "met")
    after = client.get(f"/shifts/{day.shift.id}/live/points?fp={first['fp']}").get_json()
    assert {p["id"]: p["colour"] for p in after["points"]}[day.door.id] == STATUS_COLOURS["reached"]


def test_another_process_sees_the_same_board(app, client, auth, day):
    """No state in one process: a second app on the same database answers alike."""
    auth.sign_in(day.leader)
    fp = _fp(client.get(f"/shifts/{day.shift.id}/live").get_data(as_text=True))
    _visit(app, day)
    other = create_app({"TESTING": True, "SECRET_KEY": "test-secret",
                        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"]})
    other_client = other.test_client()
    other_client.set_cookie(app.config["SESSION_COOKIE_NAME"],
                            client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value)
    response = other_client.get(f"/shifts/{day.shift.id}/live/feed?fp={fp}", headers=HX)
    assert response.status_code == 200 and "1/3" in response.get_data(as_text=True)


def test_live_index_goes_straight_to_todays_only_shift(client, auth, day):
    auth.sign_in(day.leader)
    response = client.get("/live")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/shifts/{day.shift.id}/live")
    assert 'href="/live"' in client.get("/").get_data(as_text=True)  # the nav link


@pytest.mark.parametrize("who, status", [("other_leader", 404), ("volunteer", 403),
                                         ("officer", 403)])
def test_only_the_neighbourhoods_leader_watches(client, auth, day, who, status):
    auth.sign_in(getattr(day, who))
    for path in ("", "/feed", "/points"):
        assert client.get(f"/shifts/{day.shift.id}/live{path}", headers=HX).status_code == status
