"""The volunteer's walk for today, on a phone: stops, visits, undo, door position, map."""
from __future__ import annotations

from pathlib import Path

from flask import (Blueprint, current_app, g, jsonify, redirect, render_template, request,
                   send_file, url_for)
from flask_babel import gettext as _

from extensions import db
from geo.maps import render_parts, walk_map
from geo.distance import haversine_m
from geo.placement import LEADER_SOURCES, Fix
from models import Walk, WalkStop, audit, registry
from models.base import utcnow
from models import placing
from models.progress import campaign_services, stop_views, walk_state
from models.review import appointment_made
from models.rules import local_today
from models.shift import walks_of
from models.visit import (UNDO_MINUTES, VisitError, plausible_time, record_visit, undo_visit,
                          visit_input)
from routes.access import WALKERS, my_stop_or_404, my_visit_or_404, my_walk_or_404, roles
from routes.web import json_object, map_settings, refused, wants_fragment

bp = Blueprint("walk", __name__)
DOOR_FIX_MAX_M = 50  # a reading vaguer than this would place the house in the next lane


def _views(walk: Walk, state, households=None, services=None):
    return stop_views(walk, state, local_today().year, households, user_id=g.user.id,
                      now=utcnow(), undo_minutes=UNDO_MINUTES, services=services)


def _walk_parts(walk: Walk) -> tuple:
    """(walk, its stop cards, stops done, stops) for the walk page."""
    state = walk_state(walk)
    return walk, _views(walk, state), *state.progress()


def _stop_answer(stop: WalkStop, status: int = 200, notice: str = "", services=None,
                 door_check=None):
    """The stop's card with the walk's progress out of band (htmx), else back to the walk."""
    if wants_fragment():
        state = walk_state(stop.walk)
        view = _views(stop.walk, state, [stop.household], services)[0]
        done, total = state.progress()
        return render_template("walk/_answer.html", view=view, walk=stop.walk, done=done,
                               total=total, notice=notice, door_check=door_check), status
    if request.is_json:
        return jsonify(ok=True, household_id=stop.household_id), status
    return redirect(url_for("walk.today", _anchor=f"stop-{stop.household_id}"), 303)


def _refused(problem):
    """A save the server will not take: said in the volunteer's language, nothing changed."""
    return refused(problem, url_for("walk.today"), 400)


@bp.route("/walk")
@roles(*WALKERS)
def today():
    """Today's stops in order, lane by lane."""
    walks = [_walk_parts(walk) for walk in walks_of(g.user.id, local_today())]
    return render_template("walk/today.html", walks=walks)


@bp.route("/walk/<int:walk_id>")
@roles(*WALKERS)
def show(walk_id: int):
    """One of the volunteer's own walks (a link from a message)."""
    walk = my_walk_or_404(walk_id)
    return render_template("walk/today.html", walks=[_walk_parts(walk)])


@bp.route("/walk/stops/<int:household_id>")
@roles(*WALKERS)
def stop(household_id: int):
    """One stop's card: the fragment for htmx, the card on its own page otherwise."""
    found = my_stop_or_404(household_id)
    if wants_fragment():
        return _stop_answer(found)
    view = _views(found.walk, walk_state(found.walk), [found.household])[0]
    return render_template("walk/stop.html", view=view, walk=found.walk)


@bp.post("/walk/stops/<int:household_id>/visits")
@roles(*WALKERS)
def visit(household_id: int):
    """Record one knock on the door, once, however often the phone sends it."""
    found = my_stop_or_404(household_id)
    fields = json_object() if request.is_json else request.form
    if str(fields.get("by") or g.user.id) != str(g.user.id):  # queued by another volunteer
        return refused(_("Lượt gõ cửa này do một thành viên khác ghi trên máy này; không gửi "
                         "dưới tên bạn."), url_for("walk.today"), 409)
    checklist = campaign_services(found.walk.shift)
    services = {s.id: s for s in checklist}
    try:
        data = visit_input(fields, services)
        data.happened_at = plausible_time(data.happened_at, utcnow())
        saved, created = record_visit(household_id, g.user.id, data, services,
                                      shift_id=found.walk.shift_id)
    except VisitError as error:
        return _refused(error)
    if created and saved.outcome == "come_back":
        appointment_made(found.household, knocked_in=found.walk.shift_id)
    audit("visit_recorded" if created else "visit_repeated", user_id=g.user.id,
          neighbourhood_id=found.household.neighbourhood_id, object_type="household",
          object_id=household_id, visit_id=saved.id, result=saved.outcome,
          services=len(data.services), consent=data.consent, shift_id=found.walk.shift_id)
    # The answer first, then the commit: after a commit every object is reloaded, and on
    # SQLite the reads would take the write lock a second time (benchmarks/load.py).
    answer = _stop_answer(found, 201 if created else 200, services=checklist)
    db.session.commit()
    return answer


@bp.post("/walk/visits/<int:visit_id>/undo")
@roles(*WALKERS)
def undo(visit_id: int):
    """Cancel a wrong tap with a new visit record."""
    wrong = my_visit_or_404(visit_id)
    found = my_stop_or_404(wrong.household_id)
    try:  # one undo per visit, however often the phone sends it
        undone = undo_visit(wrong, g.user.id, f"undo-{wrong.client_id}"[:64])
    except VisitError as error:
        return _refused(error)
    audit("visit_undone", user_id=g.user.id, neighbourhood_id=found.household.neighbourhood_id,
          object_type="household", object_id=wrong.household_id, visit_id=wrong.id,
          undo_id=undone.id)
    db.session.commit()
    return _stop_answer(found)


@bp.route("/walk/stops/<int:household_id>/residents")
@roles(*WALKERS)
def residents(household_id: int):
    """The door's residents to correct, and a line to add one (swapped into the card)."""
    found = my_stop_or_404(household_id)
    return render_template("walk/_residents.html", h=found.household)


@bp.post("/walk/stops/<int:household_id>/residents")
@roles(*WALKERS)
def add_resident(household_id: int):
    """A resident met at the door who is not on the list yet."""
    found = my_stop_or_404(household_id)
    try:
        registry.add_resident(found.household, request.form.get("label", ""),
                              request.form.get("birth_year", ""), g.user.id, local_today().year)
    except registry.Invalid as problem:
        return _refused(problem)
    answer = _stop_answer(found, notice=_("Đã thêm nhân khẩu."))
    db.session.commit()
    return answer


@bp.post("/walk/stops/<int:household_id>/residents/<int:resident_id>")
@roles(*WALKERS)
def correct_resident(household_id: int, resident_id: int):
    """A resident's relation or birth year corrected at the door."""
    found = my_stop_or_404(household_id)
    try:
        registry.correct_resident(found.household, resident_id, request.form.get("label", ""),
                                  request.form.get("birth_year", ""), g.user.id,
                                  local_today().year)
    except registry.Invalid as problem:
        return _refused(problem)
    answer = _stop_answer(found, notice=_("Đã sửa nhân khẩu."))
    db.session.commit()
    return answer


@bp.post("/walk/stops/<int:household_id>/position")
@roles(*WALKERS)
def pin(household_id: int):
    """The phone's position as the house's: first shown with its distance (nothing saved),
    then, confirmed, taken when better, or proposed to the leader (placing.door_fix)."""
    found = my_stop_or_404(household_id)
    household = found.household
    try:
        new = Fix(float(request.form["lat"]), float(request.form["lon"]), "door",
                  float(request.form["accuracy"]))
    except (KeyError, ValueError):
        return _refused(_("Không đọc được vị trí của điện thoại. Hãy bật định vị và thử lại."))
    if not (-90 <= new.lat <= 90 and -180 <= new.lon <= 180) or not 0 <= new.accuracy_m:
        return _refused(_("Không đọc được vị trí của điện thoại. Hãy bật định vị và thử lại."))
    if new.accuracy_m > DOOR_FIX_MAX_M:
        return _refused(_("Vị trí chưa đủ chính xác (±%(m)s m). Hãy ra chỗ thoáng và thử lại.",
                          m=round(new.accuracy_m)))
    if request.form.get("confirm") != "1":
        return _stop_answer(found, door_check=_door_check(household, new))
    outcome = placing.door_fix(household, new, g.user.id)
    db.session.commit()
    if outcome == "kept":
        return _stop_answer(found, notice=_("Vị trí đang có tốt hơn, giữ nguyên."))
    if outcome == "proposed":
        return _stop_answer(found, notice=_("Đã gửi vị trí này cho tổ trưởng duyệt; vị trí của "
                                            "nhà chưa đổi."))
    return _stop_answer(found, notice=_("Đã ghim vị trí nhà (±%(m)s m).", m=round(new.accuracy_m)))


def _door_check(household, fix: Fix) -> dict:
    """What the volunteer sees before saving: how far the phone is from the house's present
    position and from its lane, and whether the fix would only be a proposal."""
    from_house = (haversine_m((household.lat, household.lon), (fix.lat, fix.lon))
                  if household.has_position else None)
    distance, measured_from = placing.door_distance(household, fix.lat, fix.lon)
    leader = household.position_source in LEADER_SOURCES
    return {"fix": fix, "from_house": None if from_house is None else round(from_house),
            "from_lane": round(distance) if measured_from == "lane" else None,
            "leader": leader, "far_m": placing.FAR_M,
            "proposal": leader or (distance is not None and distance > placing.FAR_M)}


@bp.route("/walk/<int:walk_id>/map")
@roles(*WALKERS)
def map(walk_id: int):  # noqa: A001  (the endpoint reads walk.map)
    """The walk's map: numbered stops and the path (loaded on demand, it is the heavy part)."""
    walk = my_walk_or_404(walk_id)
    state = walk_state(walk)
    next_door = next((door for door in state.histories if not state.done(door)), None)
    stops = [{"lat": s.household.lat, "lon": s.household.lon, "id": s.household_id,
              "label": s.household.address, "lane": s.household.lane_id,
              "next": s.household_id == next_door}
             for s in walk.stops if s.household.has_position]
    lanes = {s.household.lane_id: s.household.lane.path for s in walk.stops if s.household.lane}
    shift = walk.shift
    start = ((shift.meeting_lat, shift.meeting_lon) if shift.meeting_lat is not None
             else (stops[0]["lat"], stops[0]["lon"]) if stops else None)
    if start is None:
        return render_template("_error.html", message=_("Chưa có nhà nào có vị trí trên bản đồ."),
                               status=200)
    framed = request.args.get("frame") == "1"  # walk.js shows it inside the walk page
    m = walk_map(stops, lanes, start, height="100vh" if framed else "55vh",
                 locate_label=_("Vị trí của tôi"), **map_settings())
    parts = render_parts(m, nonce=g.csp_nonce)
    template = "walk/map_frame.html" if framed else "walk/map.html"
    return render_template(template, parts=parts, walk=walk)


@bp.route("/sw.js")
def service_worker():
    """The service worker, from the site's root so its scope covers /walk."""
    response = send_file(Path(current_app.static_folder) / "sw.js",
                         mimetype="application/javascript", max_age=0)
    response.headers["Service-Worker-Allowed"] = "/"
    response.headers["Cache-Control"] = "no-cache"
    return response
