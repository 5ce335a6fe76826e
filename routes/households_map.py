"""The households map: Folium map, household cards, dragged pins, the placing job."""
from __future__ import annotations

import math

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from geo.maps import household_map, render_parts
from models import placing, registry
from models.place import lanes_of
from routes.access import (LEADERS, MANAGERS, current_neighbourhood, household_or_404,
                           job_or_404, proposal_or_404, roles)
from routes.households import bp
from routes.web import json_object, map_settings, refused
from sheets.cells import LAT_RANGE, LON_RANGE

UNPLACED_LISTED = 300  # the "chưa có vị trí" list shows this many; the count says the rest


def _map_rows(neighbourhood_id: int) -> tuple[list[dict], list[dict]]:
    lanes = [{"name": lane.full_name, "path": lane.path_points}
             for lane in lanes_of(neighbourhood_id)]
    return registry.map_rows(neighbourhood_id), lanes


def _view(neighbourhood, rows: list[dict], lanes: list[dict]):
    """(centre, zoom): the meeting point, the households, the lanes, the ward, the country."""
    points = [(r["lat"], r["lon"]) for r in rows if r["lat"] is not None] or \
        [p for lane in lanes for p in lane["path"]]
    return neighbourhood.map_view(points)


@bp.route("/map")
@roles(*MANAGERS)
def map_page():
    """The map: households coloured by status, lanes drawn, a card beside the map."""
    neighbourhood = current_neighbourhood()
    rows, lanes = _map_rows(neighbourhood.id)
    centre, zoom = _view(neighbourhood, rows, lanes)
    m = household_map(rows, lanes, centre, zoom=zoom, **map_settings(),
                      card_url=url_for("households.card", household_id=0).replace(
                          "/0/", "/__ID__/"),
                      draggable=g.user.role in LEADERS)
    left = sum(1 for r in rows if r["lat"] is None or r["lon"] is None)
    return render_template("households/map.html", neighbourhood=neighbourhood,
                           parts=render_parts(m, nonce=g.csp_nonce), total=len(rows),
                           unplaced=placing.unplaced(neighbourhood.id, UNPLACED_LISTED) if left
                           else [], left=left,
                           proposals=placing.proposals(neighbourhood.id),
                           job=placing.latest_job(neighbourhood.id))


@bp.route("/<int:household_id>/card")
@roles(*MANAGERS)
def card(household_id: int):
    """A household's card beside the map (an htmx fragment)."""
    return render_template("households/_card.html", household=household_or_404(household_id))


def _coordinate(name: str, bounds: tuple[float, float]) -> float | None:
    source = json_object() if request.is_json else request.form
    try:
        value = float(source.get(name))
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) and bounds[0] <= value <= bounds[1] else None


@bp.post("/<int:household_id>/position")
@roles(*LEADERS)
def move_pin(household_id: int):
    """The leader dragged a pin: store the position (source "pin")."""
    household = household_or_404(household_id)
    lat, lon = _coordinate("lat", LAT_RANGE), _coordinate("lon", LON_RANGE)
    if lat is None or lon is None:
        return refused(_("Vị trí không hợp lệ hoặc nằm ngoài Việt Nam."),
                       url_for("households.map_page"))
    placing.pin(household, lat, lon, g.user.id)
    db.session.commit()
    return jsonify(id=household.id, lat=household.lat, lon=household.lon,
                   source=household.position_source)


@bp.post("/<int:household_id>/place-by-hand")
@roles(*LEADERS)
def place_by_hand(household_id: int):
    """The leader clicked on the map where the household stands (source "hand")."""
    household = household_or_404(household_id)
    lat, lon = _coordinate("lat", LAT_RANGE), _coordinate("lon", LON_RANGE)
    if lat is None or lon is None:
        return refused(_("Vị trí không hợp lệ hoặc nằm ngoài Việt Nam."),
                       url_for("households.map_page"))
    placing.pin(household, lat, lon, g.user.id, source="hand")
    db.session.commit()
    left = placing.unplaced_count(household.neighbourhood_id)
    if request.is_json:
        return jsonify(id=household.id, lat=household.lat, lon=household.lon,
                       source=household.position_source, left=left)
    flash(_("Đã đặt vị trí cho hộ %(name)s.", name=household.head_name), "ok")
    return redirect(url_for("households.map_page") + "#unplaced", code=303)


@bp.post("/place")
@roles(*LEADERS)
def place():
    """Start (or rejoin) placing the neighbourhood's households in the background."""
    neighbourhood = current_neighbourhood()
    job, created = placing.queue_job(neighbourhood, g.user.id)
    db.session.commit()  # before the thread starts: it reads the job from the database
    if created:
        placing.start_job(job)
    # A quick job may have ended already (its thread commits while this renders): then the
    # answer must say how many households are left, like the last poll would.
    finished = job.state in ("done", "failed")
    left = placing.unplaced_count(neighbourhood.id) if finished else None
    return render_template("households/_progress.html", job=job, left=left)


@bp.route("/place/<int:job_id>")
@roles(*MANAGERS)
def progress(job_id: int):
    """The placing job's progress; answers 286 once done, which stops htmx polling."""
    job = job_or_404(job_id, placing.JOB_KIND)
    if placing.end_if_dead(job):
        db.session.commit()
    finished = job.state in ("done", "failed")
    left = placing.unplaced_count(job.neighbourhood_id) if finished else None
    return render_template("households/_progress.html", job=job, left=left), \
        286 if finished else 200



@bp.post("/proposals/<int:proposal_id>/accept")
@roles(*LEADERS)
def accept_proposal(proposal_id: int):
    """The leader accepts a volunteer's proposed position: the house moves there."""
    return _decide(proposal_id, True)


@bp.post("/proposals/<int:proposal_id>/reject")
@roles(*LEADERS)
def reject_proposal(proposal_id: int):
    """The leader rejects a volunteer's proposed position: nothing moves."""
    return _decide(proposal_id, False)


def _decide(proposal_id: int, accept: bool):
    proposal = proposal_or_404(proposal_id)
    if proposal.state != placing.PENDING:
        return refused(_("Đề xuất này đã được xử lý."), url_for("households.map_page"), 409)
    placing.decide(proposal, accept, g.user.id)
    db.session.commit()
    flash(_("Đã nhận vị trí đề xuất.") if accept else _("Đã bỏ vị trí đề xuất."), "ok")
    return redirect(url_for("households.map_page") + "#proposals", code=303)
