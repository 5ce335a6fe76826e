"""The lane editor (issue 13 item 5): draw a lane from its mouth, name it, set its parent,
edit and delete it, or import paths from GeoJSON; drawn lanes place their households."""
from __future__ import annotations

import io
import json

import pytest

from extensions import db
from models import AuditEntry, Household, Lane
from tests import helpers
from tests.test_households import token

PATH = [[21.5560, 105.8640], [21.5565, 105.8640], [21.5570, 105.8646]]


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def _undrawn_lane(world, name="Ngõ 40", houses=("2", "4", "6")):
    lane = Lane(neighbourhood_id=world.home.id, name=name, street="Đường Thử", path=[])
    db.session.add(lane)
    db.session.flush()
    for number in houses:
        household = helpers.gen_household(world.home, lane, number)
        household.lat = household.lon = household.position_source = None
    db.session.commit()
    return lane


def _save(client, **fields):
    fields.setdefault("csrf_token", token(client))
    if "path" in fields and not isinstance(fields["path"], str):
        fields["path"] = json.dumps(fields["path"])
    return client.post("/lanes/save", data=fields, follow_redirects=True)


def test_the_editor_loads_geoman_locally_and_only_there(client, leader):
    page = client.get("/lanes/editor").get_data(as_text=True)
    assert "/static/vendor/leaflet-geoman/leaflet-geoman.js" in page
    assert "/static/vendor/leaflet-geoman/leaflet-geoman.css" in page
    assert "pm.addControls" in page and "Ngõ 10" in page
    assert client.get("/static/vendor/leaflet-geoman/leaflet-geoman.js").status_code == 200
    assert "geoman" not in client.get("/households/map").get_data(as_text=True)


def test_drawing_a_lane_places_its_households_from_the_mouth(client, leader):
    lane = _undrawn_lane(leader)
    page = _save(client, lane_id=str(lane.id), name="Ngõ 40", street="Đường Thử",
                 path=PATH).get_data(as_text=True)
    assert "Đã lưu “Ngõ 40, Đường Thử”; 3 hộ được đặt theo ngõ." in page
    db.session.expire_all()
    assert lane.path == PATH
    households = db.session.scalars(db.select(Household).where(Household.lane_id == lane.id)).all()
    assert {h.position_source for h in households} == {"lane"}
    # House 2 is nearest the mouth (the first point drawn), house 6 nearest the far end.
    by_number = {h.house_number: h for h in households}
    assert by_number["2"].lat < by_number["4"].lat < by_number["6"].lat
    entry = db.session.scalar(db.select(AuditEntry).where(AuditEntry.action == "lane_saved"))
    assert entry.object_id == lane.id and entry.detail["placed"] == 3


def test_a_new_ngach_with_its_parent_and_a_rename(client, leader):
    parent = leader.home.lanes[0]
    _save(client, name="Ngách 3", street="Đường Thử", parent_id=str(parent.id), path=PATH)
    ngach = db.session.scalar(db.select(Lane).where(Lane.name == "Ngách 3"))
    assert ngach.parent_id == parent.id and ngach.full_name == "Ngõ 10/Ngách 3, Đường Thử"
    _save(client, lane_id=str(ngach.id), name="Ngách 5", street="Đường Thử",
          parent_id=str(parent.id))
    db.session.expire_all()
    assert ngach.name == "Ngách 5" and ngach.path == PATH  # no new drawing: the path stays


@pytest.mark.parametrize("fields, message", [
    ({"name": "Ngõ 50", "path": [[21.556, 105.864]]}, "ít nhất hai điểm"),
    ({"name": "Ngõ 50", "path": [[48.85, 2.35], [48.86, 2.36]]}, "phải nằm ở Việt Nam"),
    ({"name": "Ngõ 50"}, "Hãy vẽ đường ngõ trên bản đồ"),
    ({"name": "", "path": PATH}, "Cần tên"),
    ({"name": "Ngõ 50", "path": "không phải json"}, "không đọc được"),
    ({"name": "Ngõ 10", "street": "Đường Thử", "path": PATH}, "Tổ đã có"),
])
def test_bad_lanes_are_refused_in_vietnamese_and_change_nothing(client, leader, fields, message):
    before = db.session.scalar(db.select(db.func.count(Lane.id)))
    page = _save(client, **fields).get_data(as_text=True)
    assert message in page
    assert db.session.scalar(db.select(db.func.count(Lane.id))) == before


def test_a_lane_with_households_is_not_deleted_an_empty_one_is(client, leader):
    full = leader.home.lanes[0]
    page = client.post(f"/lanes/{full.id}/delete", data={"csrf_token": token(client)},
                       follow_redirects=True).get_data(as_text=True)
    assert "còn 3 hộ ở ngõ này" in page and db.session.get(Lane, full.id) is not None
    empty_id = _undrawn_lane(leader, "Ngõ 60", houses=()).id
    client.post(f"/lanes/{empty_id}/delete", data={"csrf_token": token(client)})
    db.session.expire_all()
    assert db.session.get(Lane, empty_id) is None
    other = leader.other.lanes[0]  # another group's lane
    assert client.post(f"/lanes/{other.id}/delete",
                       data={"csrf_token": token(client)}).status_code == 404


def _geojson(*features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": name},
         "geometry": {"type": "LineString", "coordinates": [[lon, lat] for lat, lon in path]}}
        for name, path in features]}, ensure_ascii=False).encode()


def test_geojson_paths_are_matched_to_lane_names_and_place_households(client, leader):
    lane = _undrawn_lane(leader)
    data = _geojson(("ngo 40, duong thu", PATH), ("Ngõ 999", PATH))
    page = client.post("/lanes/geojson", data={
        "csrf_token": token(client), "file": (io.BytesIO(data), "ngo.geojson")},
        follow_redirects=True).get_data(as_text=True)
    assert "Đã nhận đường của 1 ngõ; 3 hộ được đặt theo ngõ." in page
    assert "Không khớp ngõ nào: Ngõ 999." in page
    db.session.expire_all()
    assert lane.path == PATH  # [lon, lat] in the file, [lat, lon] here


@pytest.mark.parametrize("data, message", [
    (b"{ not json", "không phải GeoJSON"),
    (_geojson(("Ngõ 999", PATH)), "Không đường nào trong tệp khớp"),
])
def test_a_geojson_file_that_matches_nothing_changes_nothing(client, leader, data, message):
    lane = _undrawn_lane(leader)
    page = client.post("/lanes/geojson", data={
        "csrf_token": token(client), "file": (io.BytesIO(data), "ngo.geojson")},
        follow_redirects=True).get_data(as_text=True)
    assert message in page
    db.session.expire_all()
    assert lane.path == []
