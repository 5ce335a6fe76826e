"""The leader's shifts: coming outings, the assignment board, and each volunteer's walk map."""
from __future__ import annotations

import hashlib

from flask import Blueprint, abort, flash, g, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

import labels
from extensions import db
from geo.maps import render_parts, walk_map
from models import Shift, audit
from models.board import board, share_long_lanes, suggest, unsure
from models.calendar import calendar, proposal
from models.campaign import current_campaign
from models.place import paths_of
from models.rules import local_today
from models.base import Invalid
from models.shift import (coming_shifts, edit_shift, group_windows_fields, new_shift_fields,
                          plan_shift, respond_to, walk_of)
from models.walkplan import (cancel_shift, follow_planner, give_lane, move_lane, place_stops,
                             rebuild_walks, start_of)
from routes.access import (LEADERS, current_neighbourhood, lane_or_404, roles, shift_or_404,
                           volunteer_or_404)
from routes.web import map_settings, refused, translated, wants_fragment
from vocabulary import SLOTS

bp = Blueprint("shifts", __name__, url_prefix="/shifts")


@bp.context_processor
def _labels():
    return {"load_warnings": translated(labels.LOAD_WARNING_LABELS),
            "availability_labels": translated(labels.AVAILABILITY_LABELS),
            "lane_warnings": translated(labels.LANE_WARNING_LABELS)}


def _audit(action: str, shift: Shift, **detail) -> None:
    audit(action, user_id=g.user.id, neighbourhood_id=shift.neighbourhood_id,
          object_type="shift", object_id=shift.id, **detail)


@bp.route("/")
@roles(*LEADERS)
def index():
    """Coming shifts and the form to plan a new one."""
    place = current_neighbourhood()
    return render_template("shifts/index.html", shifts=coming_shifts(place.id), place=place,
                           today=local_today(), windows={s: place.slot_window(s) for s in SLOTS},
                           calendar=calendar(place.id))


@bp.post("/calendar")
@roles(*LEADERS)
def accept():
    """Turn a shift the calendar proposes into a real one, its lanes suggested to volunteers."""
    place = current_neighbourhood()
    try:
        fields = new_shift_fields(request.form)
    except Invalid as problem:
        return refused(problem, url_for("shifts.index"))
    proposed = proposal(place.id, fields["day"], fields["slot"])
    if proposed is None:
        return refused(_("Lịch đề xuất đã thay đổi; hãy xem lại rồi chọn lại."),
                       url_for("shifts.index"))
    campaign = current_campaign(place.id, running_only=True)
    try:
        shift = plan_shift(place, fields, campaign.id if campaign else None)
    except Invalid as problem:
        return refused(problem, url_for("shifts.index"))
    lanes = {lane.id for lane in proposed.lanes}
    added = suggest(shift, only=lanes)
    shared = share_long_lanes(shift, lanes, g.user.id)  # lanes longer than one evening
    _audit("shift_created", shift, day=shift.day.isoformat(), slot=shift.slot, by="calendar",
           lanes=sum(len(v) for v in added.values()), shared=shared)
    db.session.commit()
    flash(_("Đã tạo buổi %(slot)s %(day)s từ lịch đề xuất: %(n)s ngõ và %(h)s hộ của ngõ dài "
            "đã gợi ý cho thành viên.", slot=translated(labels.SLOT_LABELS)[shift.slot],
            day=shift.day.strftime("%d/%m/%Y"), n=sum(len(v) for v in added.values()),
            h=shared), "ok")
    return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)


@bp.post("/")
@roles(*LEADERS)
def create():
    """Plan a shift: a date, a slot and a meeting point."""
    place = current_neighbourhood()
    try:
        fields = new_shift_fields(request.form)
    except Invalid as problem:
        return refused(problem, url_for("shifts.index"))
    campaign = current_campaign(place.id, running_only=True)
    try:
        shift = plan_shift(place, fields, campaign.id if campaign else None)
    except (Invalid, IntegrityError) as problem:
        return refused(problem if isinstance(problem, Invalid)
                       else _("Buổi này đã có trong kế hoạch."), url_for("shifts.index"))
    _audit("shift_created", shift, day=shift.day.isoformat(), slot=shift.slot)
    db.session.commit()
    return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)


@bp.post("/windows")
@roles(*LEADERS)
def windows():
    """The group's own time window for each slot (shifts that set none follow it)."""
    place = current_neighbourhood()
    try:
        place.slot_windows = group_windows_fields(request.form)
    except Invalid as problem:
        return refused(problem, url_for("shifts.index"))
    audit("slot_windows_changed", user_id=g.user.id, neighbourhood_id=place.id,
          object_type="neighbourhood", object_id=place.id, windows=place.slot_windows)
    db.session.commit()
    flash(_("Đã lưu giờ các buổi của tổ."), "ok")
    return redirect(url_for("shifts.index"), code=303)


@bp.post("/<int:shift_id>/edit")
@roles(*LEADERS)
def edit(shift_id: int):
    """Change a coming shift's day, slot, meeting point or hours; its walks follow."""
    shift = going_shift_or_404(shift_id)
    back = url_for("shifts.board_page", shift_id=shift.id)
    try:
        moved = edit_shift(shift, new_shift_fields(request.form))
        db.session.flush()
    except (Invalid, IntegrityError) as problem:
        return refused(problem if isinstance(problem, Invalid)
                       else _("Buổi này đã có trong kế hoạch."), back)
    if moved:
        rebuild_walks(shift)
    _audit("shift_edited", shift, day=shift.day.isoformat(), slot=shift.slot)
    db.session.commit()
    flash(_("Đã sửa buổi. Thành viên thấy giờ mới trên điện thoại."), "ok")
    return redirect(back, code=303)


@bp.post("/<int:shift_id>/cancel")
@roles(*LEADERS)
def cancel(shift_id: int):
    """Call a shift off: no walk of it stays on any phone; its volunteers see it cancelled."""
    shift = going_shift_or_404(shift_id)
    cancel_shift(shift)
    _audit("shift_cancelled", shift, day=shift.day.isoformat(), slot=shift.slot)
    db.session.commit()
    flash(_("Đã huỷ buổi %(slot)s %(day)s.", slot=translated(labels.SLOT_LABELS)[shift.slot],
            day=shift.day.strftime("%d/%m/%Y")), "ok")
    return redirect(url_for("shifts.index"), code=303)


@bp.post("/<int:shift_id>/volunteers/<int:user_id>/free")
@roles(*LEADERS)
def mark_free(shift_id: int, user_id: int):
    """The leader marks a volunteer free for this shift (they said so by phone), in one click."""
    shift = going_shift_or_404(shift_id)
    volunteer = volunteer_or_404(user_id, shift.neighbourhood_id, 400)
    respond_to(shift, volunteer.id, True)
    _audit("marked_free", shift, volunteer_id=volunteer.id)
    db.session.commit()
    return _board_changed(shift)


def going_shift_or_404(shift_id: int) -> Shift:
    """A shift that can still change: not over and not cancelled (409 otherwise)."""
    shift = shift_or_404(shift_id)
    if shift.cancelled_at is not None or shift.day < local_today():
        abort(409)
    return shift


@bp.route("/<int:shift_id>/board")
@roles(*LEADERS)
def board_page(shift_id: int):
    """The assignment board: lanes, who walks them, loads and warnings."""
    shift = shift_or_404(shift_id)
    data = board(shift)
    return render_template("shifts/board.html", board=data, seen=fingerprint(data))


@bp.route("/<int:shift_id>/loads")
@roles(*LEADERS)
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


def _board_changed(shift: Shift, lane=None):
    """The fragments after a (committed) change: the lane's row (if any) and the loads, out of
    band."""
    if not wants_fragment():
        return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)
    data = board(shift)
    row = next((r for r in data.lanes if lane is not None and r.lane.id == lane.id), None)
    html = render_template("shifts/_changed.html", board=data, row=row, seen=fingerprint(data))
    return make_response(html)


@bp.post("/<int:shift_id>/lanes/<int:lane_id>")
@roles(*LEADERS)
def give(shift_id: int, lane_id: int):
    """Give a lane to a volunteer (or to nobody)."""
    shift = going_shift_or_404(shift_id)
    lane = lane_or_404(lane_id, shift.neighbourhood_id)
    chosen = request.form.get("volunteer_id", "")
    volunteer = volunteer_or_404(chosen, shift.neighbourhood_id, 400) if chosen else None
    changed = give_lane(shift, lane.id, volunteer.id if volunteer else None)
    if changed:
        _audit("lane_given", shift, lane_id=lane.id, volunteer_id=volunteer and volunteer.id)
    db.session.commit()
    return _board_changed(shift, lane)


@bp.post("/<int:shift_id>/volunteers/<int:user_id>/lanes/<int:lane_id>/move")
@roles(*LEADERS)
def move(shift_id: int, user_id: int, lane_id: int):
    """Move a lane up or down in a volunteer's order; their walk follows."""
    shift = going_shift_or_404(shift_id)
    volunteer = volunteer_or_404(user_id, shift.neighbourhood_id, 400)
    step = {"up": -1, "down": 1}.get(request.form.get("direction", ""))
    if step is None:
        abort(400)
    if move_lane(shift, volunteer.id, lane_id, step):
        _audit("lanes_reordered", shift, volunteer_id=volunteer.id)
    db.session.commit()
    return _board_changed(shift)


@bp.post("/<int:shift_id>/volunteers/<int:user_id>/planner")
@roles(*LEADERS)
def planner_order(shift_id: int, user_id: int):
    """Walk a volunteer's lanes in the planner's order."""
    shift = going_shift_or_404(shift_id)
    volunteer = volunteer_or_404(user_id, shift.neighbourhood_id, 400)
    if any(a.volunteer_id == volunteer.id for a in shift.assignments):
        follow_planner(shift, [volunteer.id])
        _audit("lanes_reordered", shift, volunteer_id=volunteer.id, by="planner")
    db.session.commit()
    return _board_changed(shift)


@bp.post("/<int:shift_id>/suggest")
@roles(*LEADERS)
def suggest_lanes(shift_id: int):
    """Suggest: fill the lanes not yet given, balancing minutes across available volunteers."""
    shift = going_shift_or_404(shift_id)
    added = suggest(shift)
    count = sum(len(v) for v in added.values())
    _audit("lanes_suggested", shift, lanes=count)
    db.session.commit()
    if count:
        flash(_("Đã gợi ý %(n)s ngõ cho %(m)s thành viên. Bạn vẫn có thể đổi lại.",
                n=count, m=len(added)), "ok")
        asked = unsure(shift, added)
        if asked:
            flash(_("%(n)s người chưa rõ có rảnh không đã được gợi ý: hãy hỏi lại họ.",
                    n=len(asked)), "error")
    else:
        flash(_("Không còn ngõ nào để gợi ý, hoặc không có thành viên rảnh buổi này."), "error")
    return redirect(url_for("shifts.board_page", shift_id=shift.id), code=303)


@bp.route("/<int:shift_id>/walks/<int:user_id>")
@roles(*LEADERS)
def walk_page(shift_id: int, user_id: int):
    """A volunteer's walk on a map: numbered stops, the path, its length and time."""
    shift = shift_or_404(shift_id)
    walk = walk_of(shift.id, user_id)
    if walk is None:
        abort(404)
    start = start_of(shift)
    stops = [{"lat": p.lat, "lon": p.lon, "label": p.household.address,
              "lane": p.household.lane_id}
             for p in place_stops([s.household for s in walk.stops], shift, {})]
    m = walk_map(stops, paths_of({s["lane"] for s in stops if s["lane"]}), start,
                 **map_settings())
    return render_template("shifts/walk.html", shift=shift, walk=walk, volunteer=walk.volunteer,
                           map=render_parts(m, nonce=g.csp_nonce))
