"""The households map and placing: colours, cards, dragged pins, geocoding, lane spread."""
from __future__ import annotations

import re
import threading
from datetime import timedelta

import pytest

from extensions import db
from models import GeocodeCache, Household, Job, Lane, Neighbourhood, placing
from models.base import utcnow
from models.visit import VisitInput, record_visit
from tests import helpers
from tests.test_geo_geocode import AGENT, HOUSE, server  # noqa: F401  (fixture)
from tests.test_households import token
from vocabulary import STATUS_COLOURS


@pytest.fixture
def leader(client, auth, world):
    auth.sign_in(world.leader)
    return world


def test_map_page_loads_leaflet_locally_and_names_only_the_tile_host(app, client, leader):
    app.config["TILE_URL"] = "https://tiles.example.vn/{z}/{x}/{y}.png"
    page = client.get("/households/map").get_data(as_text=True)
    assert "/static/vendor/leaflet/leaflet.js" in page
    hosts = set(re.findall(r"https?://([^/\"'\s]+)", page))
    assert hosts <= {"tiles.example.vn"}, hosts
    assert "jquery" not in page.lower() and "bootstrap" not in page.lower()
    for colour in STATUS_COLOURS.values():
        assert colour in page  # the legend uses the map's colours


def test_markers_carry_their_status_colour_and_user_text_is_escaped(client, leader):
    lane = leader.home.lanes[0]
    evil = helpers.gen_household(leader.home, lane, "66", head="<img src=x onerror=alert(1)>")
    record_visit(evil.id, None, VisitInput(client_id="v-66", outcome="declined"), {})
    db.session.commit()
    page = client.get("/households/map").get_data(as_text=True)
    assert "gc-pin--declined" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(1)&gt;" in page


def test_card_fragment_for_a_household(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    response = client.get(f"/households/{household.id}/card", headers={"HX-Request": "true"})
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and household.head_name in body and "<html" not in body


def test_a_dragged_pin_is_saved_as_a_pin_and_outside_vietnam_is_refused(client, leader):
    household = db.session.scalars(db.select(Household)).first()
    csrf = token(client)
    moved = client.post(f"/households/{household.id}/position", json={"lat": 21.554, "lon": 105.863},
                        headers={"X-CSRFToken": csrf})
    assert moved.status_code == 200
    db.session.refresh(household)
    assert (household.lat, household.lon, household.position_source) == (21.554, 105.863, "pin")
    refused = client.post(f"/households/{household.id}/position", json={"lat": 48.8, "lon": 2.3},
                          headers={"X-CSRFToken": csrf})
    assert refused.status_code == 422 and "ngoài Việt Nam" in refused.get_json()["error"]
    no_csrf = client.post(f"/households/{household.id}/position", json={"lat": 21.5, "lon": 105.8})
    assert no_csrf.status_code == 400


def test_a_better_fix_replaces_a_worse_one_and_a_pin_is_kept(app, world):
    household = helpers.gen_household(world.home, None, "3")
    household.lat = household.lon = household.position_source = None
    from geo.placement import Fix
    assert placing.offer_fix(household, Fix(21.55, 105.86, "lane"))
    assert placing.offer_fix(household, Fix(21.551, 105.861, "door", accuracy_m=8))
    assert not placing.offer_fix(household, Fix(21.552, 105.862, "lane"))
    placing.pin(household, 21.553, 105.863, None)
    assert not placing.offer_fix(household, Fix(21.554, 105.864, "import"))
    assert household.position_source == "pin"


def _unplaced_neighbourhood(world, houses=("1", "2", "3", "4", "12A", "15/2")):
    place = Neighbourhood(ward=world.ward, name="Tổ mới")  # no meeting point, nothing placed
    lane = Lane(neighbourhood=place, name="Ngõ 5", street="Phố Huế",
                path=[[21.5530, 105.8620], [21.5540, 105.8620], [21.5545, 105.8628]])
    db.session.add(lane)
    db.session.flush()
    for number in houses:
        household = helpers.gen_household(place, lane, number)
        household.lat = household.lon = household.position_source = None
    db.session.commit()
    return place


def test_with_no_geocoder_a_drawn_lane_places_every_household(app, world):
    place = _unplaced_neighbourhood(world)
    job, created = placing.queue_job(place, None)
    assert created and job.total == 6
    placing.run_job(job.id)
    households = db.session.scalars(db.select(Household).where(
        Household.neighbourhood_id == place.id)).all()
    assert all(h.has_position and h.position_source == "lane" and h.position_approximate
               for h in households)
    assert db.session.get(Job, job.id).state == "done"


def test_geocoding_job_uses_geopy_against_a_local_nominatim_and_caches(
        app, world, server):  # noqa: F811  (the fixture imported above)
    app.config.update(GEOCODER="nominatim", GEOCODER_USER_AGENT=AGENT,
                      GEOCODER_DOMAIN=f"127.0.0.1:{server.port}", GEOCODER_SCHEME="http")
    place = _unplaced_neighbourhood(world, houses=("12", "14"))
    server.answers = {"12 Ngõ 5": [dict(HOUSE, address=dict(HOUSE["address"]))]}
    job, _ = placing.queue_job(place, None)
    db.session.commit()  # as the view does: the job's thread reads it from the database
    placing.start_job(job).join(timeout=30)
    db.session.expire_all()
    twelve = db.session.scalar(db.select(Household).where(
        Household.neighbourhood_id == place.id, Household.house_number == "12"))
    fourteen = db.session.scalar(db.select(Household).where(
        Household.neighbourhood_id == place.id, Household.house_number == "14"))
    assert twelve.position_source == "geocoder_house" and not twelve.position_approximate
    assert fourteen.position_source == "lane"  # nothing found: spread along the lane
    assert all(r["agent"] == AGENT for r in server.requests)
    asked = len(server.requests)
    assert db.session.scalar(db.select(db.func.count()).select_from(GeocodeCache)) >= 2
    # Re-run: only what is missing or worse is touched, and cached answers are not asked again.
    job2, _ = placing.queue_job(place, None)
    assert job2.total == 1
    placing.run_job(job2.id)
    assert len(server.requests) == asked


def test_progress_survives_a_reload_and_stops_polling_when_done(client, leader):
    job = Job(kind=placing.JOB_KIND, neighbourhood_id=leader.home.id, state="running",
              total=10, done=4)
    db.session.add(job)
    db.session.commit()
    page = client.get("/households/map").get_data(as_text=True)
    assert "4/10" in page and 'aria-valuenow="40"' in page
    assert client.get(f"/households/place/{job.id}").status_code == 200
    job.state, job.done = "done", 10
    db.session.commit()
    assert client.get(f"/households/place/{job.id}").status_code == 286


def _job(leader, silent: timedelta) -> Job:
    job = Job(kind=placing.JOB_KIND, neighbourhood_id=leader.home.id, state="running",
              total=10, done=3, started_at=utcnow() - timedelta(hours=1),
              beat_at=utcnow() - silent)
    db.session.add(job)
    db.session.commit()
    return job


def _place(client) -> str:
    answer = client.post("/households/place", data={"csrf_token": token(client)},
                         headers={"HX-Request": "true"})
    for thread in threading.enumerate():
        if thread.name.startswith("placing-"):
            thread.join(timeout=120)
            assert not thread.is_alive(), "the placing job did not finish"
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def test_a_job_whose_process_died_is_ended_and_placing_can_run_again(client, leader):
    dead = _job(leader, silent=timedelta(minutes=10))  # its worker was killed mid-job
    answer = client.get(f"/households/place/{dead.id}")
    assert answer.status_code == 286  # the map stops polling and says so
    assert "bị lỗi giữa chừng" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert (dead.state, dead.message, dead.done) == ("failed", placing.INTERRUPTED, 3)
    _place(client)
    jobs = db.session.scalars(db.select(Job).order_by(Job.id)).all()
    assert [j.id for j in jobs][0] == dead.id and len(jobs) == 2 and jobs[1].state == "done"


def test_pressing_place_while_a_dead_job_is_listed_starts_a_new_one(client, leader):
    dead = _job(leader, silent=timedelta(minutes=10))
    _place(client)
    db.session.expire_all()
    assert dead.state == "failed"
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 2


def test_a_running_job_ended_as_dead_stops_at_its_next_step(app, world, monkeypatch):
    """A job silent behind a slow geocoder was ended by the leader's page: it must not go on
    and overwrite "failed" with "done" beside the new job."""
    place = _unplaced_neighbourhood(world)
    job, _ = placing.queue_job(place, None)
    asked = []

    def slow_geocoder(query):
        asked.append(query)
        ended = db.session.get(Job, job.id)  # what the leader's request did meanwhile
        ended.state, ended.message = "failed", placing.INTERRUPTED
        return None

    monkeypatch.setattr(placing, "make_geocoder", lambda *args: slow_geocoder)
    placing.run_job(job.id)
    db.session.expire_all()
    finished = db.session.get(Job, job.id)
    assert (finished.state, finished.message, finished.done) == ("failed", placing.INTERRUPTED, 1)
    asked_for_a_house = [q for q in asked if q[0].isdigit()]  # the first query of each door
    assert len(asked_for_a_house) == 1, asked  # one household, not all six


def test_a_job_still_making_progress_is_joined_not_started_twice(client, leader):
    alive = _job(leader, silent=timedelta(seconds=20))
    assert 'id="placing"' in _place(client)
    assert client.get(f"/households/place/{alive.id}").status_code == 200  # still polling
    db.session.expire_all()
    assert alive.state == "running"
    assert db.session.scalar(db.select(db.func.count()).select_from(Job)) == 1


def test_start_placing_from_the_map(client, leader):
    response = client.post("/households/place", data={"csrf_token": token(client)},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200 and 'id="placing"' in response.get_data(as_text=True)
    job = db.session.scalar(db.select(Job).where(Job.neighbourhood_id == leader.home.id))
    assert job is not None
