"""The leader marks on the lane form where a lane comes out; walks planned after go through."""
from __future__ import annotations

from datetime import timedelta

import pytest

from extensions import db
from models import Lane
from models.rules import local_today
from models.walkplan import rebuild_walks
from tests import helpers
from tests.test_shifts import post


@pytest.fixture
def through(world):
    a = helpers.gen_lane(world.home, "Ngõ 40", "Phố Thông", [(0, 0), (0, 120)], houses=5)
    b = helpers.gen_lane(world.home, "Ngõ 42", "Phố Thông", [(80, 0), (80, 120)], houses=5)
    shift = helpers.gen_shift(world.home, local_today() + timedelta(days=1),
                              give={world.volunteer: [a, b]})
    db.session.commit()
    return a, b, shift


def test_a_lane_marked_through_on_the_form_shortens_the_walk(client, auth, world, through):
    a, b, shift = through
    dead_end = shift.walks[0].length_m
    auth.sign_in(world.leader)
    page = client.get("/lanes").get_data(as_text=True)
    assert f'id="lane-{a.id}"' in page and "Ngõ 42, Phố Thông" in page
    response = post(client, f"/lanes/{a.id}/through", {"onto": b.id, "street": ""},
                    token_from="/lanes")
    assert response.status_code == 303
    assert "thông ra Ngõ 42" in client.get("/lanes").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Lane, a.id).comes_out_on_id == b.id
    rebuild_walks(shift)
    walk = shift.walks[0]
    assert walk.length_m < dead_end - 60
    assert [s.household.house_number for s in walk.stops if s.household.lane_id == b.id] == \
        ["5", "4", "3", "2", "1"]
    post(client, f"/lanes/{a.id}/through", {"onto": "", "street": ""}, token_from="/lanes")
    db.session.expire_all()
    rebuild_walks(shift)
    assert shift.walks[0].length_m == pytest.approx(dead_end)


def test_a_lane_onto_a_street_is_kept(client, auth, world, through):
    a, _b, _shift = through
    auth.sign_in(world.leader)
    post(client, f"/lanes/{a.id}/through", {"onto": "", "street": "Phố Sau"}, token_from="/lanes")
    db.session.expire_all()
    lane = db.session.get(Lane, a.id)
    assert (lane.comes_out_on_id, lane.comes_out_street) == (None, "Phố Sau")


@pytest.mark.parametrize("form, message", [
    ({"onto": "self", "street": ""}, "ngõ khác"),
    ({"onto": "b", "street": "Phố Sau"}, "không cả hai"),
])
def test_a_bad_mark_is_refused_and_changes_nothing(client, auth, world, through, form, message):
    a, b, _shift = through
    form = {**form, "onto": {"self": a.id, "b": b.id}[form["onto"]]}
    auth.sign_in(world.leader)
    post(client, f"/lanes/{a.id}/through", form, token_from="/lanes")
    assert message in client.get("/lanes").get_data(as_text=True)
    db.session.expire_all()
    lane = db.session.get(Lane, a.id)
    assert (lane.comes_out_on_id, lane.comes_out_street) == (None, "")


def test_a_lane_of_another_group_is_not_found(client, auth, world, through):
    a, _b, _shift = through
    auth.sign_in(world.leader)
    assert post(client, f"/lanes/{a.id}/through", {"onto": world.other.lanes[0].id},
                token_from="/lanes").status_code == 404
    assert post(client, f"/lanes/{world.other.lanes[0].id}/through", {"street": "Phố"},
                token_from="/lanes").status_code == 404
    auth.sign_in(world.volunteer)
    assert client.get("/lanes").status_code == 403
