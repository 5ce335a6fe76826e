"""The leader's shifts: coming outings, the assignment board, and each volunteer's walk map."""
from __future__ import annotations

import hashlib
from datetime import date

from flask import (Blueprint, abort, flash, g, make_response, redirect,
                   render_template, request, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy.exc import IntegrityError

from extensions import db
from geo.maps import render_parts, walk_map
from models import Campaign, Lane, Neighbourhood, Shift, User, Walk, audit
from models.board import board, suggest
from models.user import SLOTS
from models.walkplan import follow_planner, give_lane, move_lane, place_stops, start_of
from routes.access import refuse, roles
from routes.web import map_settings, today_local
from vietnamese import nfc

bp = Blueprint("shifts", __name__, url_prefix="/shifts")
SLOT_LABELS = {"sang": _l("Sáng"), "chieu": _l("Chiều"), "toi": _l("Tối")}
LOAD_WARNINGS = {"over_capacity": _l("Quá số hộ nhận được"),
                 "not_available": _l("Không rảnh buổi này"),
                 "cant_come": _l("Đã báo không đi được"),
                 "lane_twice": _l("Có ngõ giao hai lần")}
LANE_WARNINGS = {"twice": _l("Ngõ giao cho hai người"),
                 "other_shift": _l("Ngõ cũng đã giao ở buổi khác cùng ngày")}


@bp.context_processor
def _labels():
    return {"slot_labels": SLOT_LABELS, "load_warnings": LOAD_WARNINGS,
            "lane_warnings": LANE_WARNINGS}


def shift_or_404(shift_id: int) -> Shift:
    """A shift of the leader's own neighbourhood; a change holds the shift's row lock.

    Two quick choices on the board are two requests at once: on PostgreSQL the second
    waits for the first instead of rebuilding the same walk beside it (SQLite's
    BEGIN IMMEDIATE already queues them).
    """
    query = db.select(Shift).where(Shift.id == shift_id)
    if request.method == "POST":
        query = query.with_for_update()
    shift = db.session.scalars(query).first()
    if shift is None:
        abort(404)
    if shift.neighbourhood_id != g.user.neighbourhood_id:
        refuse(404, object="shift", object_id=shift_id)
    return shift


def volunteer_of(shift: Shift, user_id) -> User:
    """A volunteer of the shift's neighbourhood, or 400 for anyone else."""
    user = db.session.get(User, int(user_id)) if str(user_id).isdigit() else None
    if user is None or user.role != "volunteer" or user.neighbourhood_id != shift.neighbourhood_id:
        abort(400)
    return user


def _audit(action: str, shift: Shift, **detail) -> None:
    audit(action, user_id=g.user.id, neighbourhood_id=shift.neighbourhood_id,
          object_type="shift", object_id=shift.id, **detail)


@bp.route("/")
@roles("leader")
def index():
    """Coming shifts and the form to plan a new one."""
    place = db.session.get(Neighbourhood, g.user.neighbourhood_id)
    shifts = db.session.scalars(db.select(Shift).where(
        Shift.neighbourhood_id == place.id, Shift.day >= today_local())
        .order_by(Shift.day, db.case({"sang": 0, "chieu": 1, "toi": 2}, value=Shift.slot))).all()
    return render_template("shifts/index.html", shifts=shifts, place=place, slots=SLOTS,
                           today=today_local())


@bp.post("/")
@roles("leader")
def create():
    """Plan a shift: a date, a slot and a meeting point."""
    place = db.session.get(Neighbourhood, g.user.neighbourhood_id)
    try:
        day = date.fromisoformat(request.form.get("day", ""))
    except ValueError:
        day = None
    slot = request.form.get("slot", "")
    if day is None or slot not in SLOTS:
        flash(_("Cần chọn ngày và buổi (sáng, chiều hoặc tối)."), "error")
        return redirect(url_for("shifts.index"), code=303)
    if day < today_local():
        flash(_("Không thể lên kế hoạch cho ngày đã qua."), "error")
        return redirect(url_for("shifts.index"), code=303)
    # nfc drops control characters: PostgreSQL refuses a NUL byte with a 500
    point = nfc(request.form.get("meeting_point"))[:200] or place.meeting_point
    campaign = db.session.scalar(db.select(Campaign).where(
        Campaign.neighbourhood_id == place.id, Campaign.active.is_(True)).order_by(
        Campaign.starts_on.desc()))
    shift = Shift(neighbourhood_id=place.id, campaign_id=campaign.id if campaign else None,
                  day=day, slot=slot, meeting_point=point,
                  meeting_lat=place.meeting_lat, meeting_lon=place.meeting_lon)
    db.session.add(shift)
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        flash(_("Buổi này đã có trong kế hoạch."), "error")
        return redirect(url_for("shifts.index"), code=303)
    _audit("shift_created", shift, day=day.isoformat(), slot=slot)
    db.session.commit()
    return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)


@bp.route("/<int:shift_id>/board")
@roles("leader")
def board_page(shift_id: int):
    """The assignment board: lanes, who walks them, loads and warnings."""
    shift = shift_or_404(shift_id)
    data = board(shift)
    return render_template("shifts/board.html", board=data, seen=fingerprint(data))


@bp.route("/<int:shift_id>/loads")
@roles("leader")
def loads(shift_id: int):
    """The load bars alone, polled so a volunteer's "can't make it" shows at once."""
    shift = shift_or_404(shift_id)
    data = board(shift)
    seen = fingerprint(data)
    if request.args.get("seen") == seen:
        return "", 204
    return render_template("shifts/_loads.html", board=data, seen=seen)


def fingerprint(data) -> str:
    """What the loads show, so a poll that would change nothing answers 204."""
    shown = [(load.volunteer.id, load.volunteer.name, load.volunteer.capacity,
              [row.lane.id for row in load.lanes], load.households, load.minutes, load.warnings,
              load.walk and (load.walk.length_m, load.walk.minutes)) for load in data.loads]
    return hashlib.sha256(repr(shown).encode()).hexdigest()[:16]


def _board_changed(shift: Shift, lane: Lane | None = None):
    """The fragments after a change: the lane's row (if any) and the loads, out of band."""
    db.session.commit()
    if not request.headers.get("HX-Request"):
        return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)
    data = board(shift)
    row = next((r for r in data.lanes if lane is not None and r.lane.id == lane.id), None)
    html = render_template("shifts/_changed.html", board=data, row=row, seen=fingerprint(data))
    return make_response(html)


@bp.post("/<int:shift_id>/lanes/<int:lane_id>")
@roles("leader")
def give(shift_id: int, lane_id: int):
    """Give a lane to a volunteer (or to nobody)."""
    shift = shift_or_404(shift_id)
    lane = db.session.get(Lane, lane_id)
    if lane is None or lane.neighbourhood_id != shift.neighbourhood_id:
        abort(404)
    chosen = request.form.get("volunteer_id", "")
    volunteer = volunteer_of(shift, chosen) if chosen else None
    changed = give_lane(shift, lane.id, volunteer.id if volunteer else None)
    if changed:
        _audit("lane_given", shift, lane_id=lane.id, volunteer_id=volunteer and volunteer.id)
    return _board_changed(shift, lane)


@bp.post("/<int:shift_id>/volunteers/<int:user_id>/lanes/<int:lane_id>/move")
@roles("leader")
def move(shift_id: int, user_id: int, lane_id: int):
    """Move a lane up or down in a volunteer's order; their walk follows."""
    shift = shift_or_404(shift_id)
    volunteer = volunteer_of(shift, user_id)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    if move_lane(shift, volunteer.id, lane_id, step):
        _audit("lanes_reordered", shift, volunteer_id=volunteer.id)
    return _board_changed(shift)


@bp.post("/<int:shift_id>/volunteers/<int:user_id>/planner")
@roles("leader")
def planner_order(shift_id: int, user_id: int):
    """Walk a volunteer's lanes in the planner's order."""
    shift = shift_or_404(shift_id)
    volunteer = volunteer_of(shift, user_id)
    if any(a.volunteer_id == volunteer.id for a in shift.assignments):
        follow_planner(shift, [volunteer.id])
        _audit("lanes_reordered", shift, volunteer_id=volunteer.id, by="planner")
    return _board_changed(shift)


@bp.post("/<int:shift_id>/suggest")
@roles("leader")
def suggest_lanes(shift_id: int):
    """Suggest: fill the lanes not yet given, balancing minutes across available volunteers."""
    shift = shift_or_404(shift_id)
    added = suggest(shift)
    count = sum(len(v) for v in added.values())
    _audit("lanes_suggested", shift, lanes=count)
    db.session.commit()
    if count:
        flash(_("Đã gợi ý %(n)s ngõ cho %(m)s thành viên. Bạn vẫn có thể đổi lại.",
                n=count, m=len(added)), "ok")
    else:
        flash(_("Không còn ngõ nào để gợi ý, hoặc không có thành viên rảnh buổi này."), "error")
    return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)


@bp.route("/<int:shift_id>/walks/<int:user_id>")
@roles("leader")
def walk_page(shift_id: int, user_id: int):
    """A volunteer's walk on a map: numbered stops, the path, its length and time."""
    shift = shift_or_404(shift_id)
    volunteer = db.session.get(User, user_id)
    walk = db.session.scalar(db.select(Walk).where(Walk.shift_id == shift.id,
                                                   Walk.volunteer_id == user_id))
    if walk is None or volunteer is None:
        abort(404)
    start = start_of(shift)
    stops = [{"lat": p.lat, "lon": p.lon, "label": p.household.address,
              "lane": p.household.lane_id}
             for p in place_stops([s.household for s in walk.stops], shift, {})]
    paths = {lane.id: lane.path_points for lane in db.session.scalars(db.select(Lane).where(
        Lane.id.in_({s["lane"] for s in stops if s["lane"]})))}
    m = walk_map(stops, paths, start, **map_settings())
    return render_template("shifts/walk.html", shift=shift, walk=walk, volunteer=volunteer,
                           map=render_parts(m, nonce=g.csp_nonce))
