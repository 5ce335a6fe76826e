"""Not yet reached: whom to visit next and when, and putting them into a coming shift."""
from __future__ import annotations

from flask import (Blueprint, flash, g, redirect, render_template, request,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from extensions import db
from geo.maps import household_map, render_parts
from models import Household, Lane, Shift, User, audit
from models.review import (FLAG_AFTER, OPEN, SLOTS, Filters, active_campaign, add_to_shift,
                           coming_shifts, not_reached, planned)
from routes.access import neighbourhood_or_404, roles
from routes.shifts import SLOT_LABELS
from routes.web import map_settings, today_local

bp = Blueprint("review", __name__, url_prefix="/review")

NEVER_LABELS = {"sang": _l("Chưa thử buổi sáng"), "chieu": _l("Chưa thử buổi chiều"),
                "toi": _l("Chưa thử buổi tối")}


def _neighbourhood():
    return neighbourhood_or_404(request.values.get("neighbourhood", type=int))


def _map(neighbourhood, rows):
    """The same households on the map, coloured by status."""
    points = [{"id": r.household.id, "lat": r.household.lat, "lon": r.household.lon,
               "status": r.household.status, "approximate": r.household.position_approximate,
               "label": f"{r.household.address} · {r.not_home}×"} for r in rows]
    lanes = [{"name": lane.full_name, "path": lane.path_points} for lane in neighbourhood.lanes]
    placed = [p for p in points if p["lat"] is not None]
    centre = neighbourhood.meeting_latlon or (
        (placed[0]["lat"], placed[0]["lon"]) if placed else (21.0285, 105.8542))
    m = household_map(points, lanes, centre, height="45vh", **map_settings())
    return render_parts(m, nonce=g.csp_nonce)


@bp.route("")
@roles("leader", "admin")
def index():
    """The open households with filters, a count per lane, a map, and 'put into a shift'."""
    neighbourhood = _neighbourhood()
    filters = Filters.from_args(request.args)
    rows, per_lane = not_reached(neighbourhood.id, filters, today_local().year)
    campaign = active_campaign(neighbourhood.id)
    context = dict(neighbourhood=neighbourhood, filters=filters, rows=rows, per_lane=per_lane,
                   planned=planned([r.household.id for r in rows]), slot_labels=SLOT_LABELS,
                   flag_after=FLAG_AFTER)
    if request.headers.get("HX-Request"):
        return render_template("review/_list.html", **context)
    volunteers = db.session.scalars(db.select(User).where(
        User.neighbourhood_id == neighbourhood.id, User.role == "volunteer", User.active)
        .order_by(User.name)).all()
    return render_template("review/index.html", **context, statuses=OPEN, slots=SLOTS,
                           never_labels=NEVER_LABELS,
                           services=campaign.services if campaign else [],
                           shifts=coming_shifts(neighbourhood.id), volunteers=volunteers)


@bp.route("/map")
@roles("leader", "admin")
def map_page():
    """The same filtered set on the map (its own page: drawing hundreds of pins takes time)."""
    neighbourhood = _neighbourhood()
    rows, _counts = not_reached(neighbourhood.id, Filters.from_args(request.args),
                                today_local().year)
    return render_template("review/map.html", neighbourhood=neighbourhood, rows=rows,
                           map=_map(neighbourhood, rows))


@bp.post("/add")
@roles("leader", "admin")
def add():
    """Put the ticked households, or whole lanes of the filtered list, into a coming shift."""
    neighbourhood = _neighbourhood()
    query = request.query_string.decode()
    back = url_for("review.index") + (f"?{query}" if query else "")
    shift = db.session.get(Shift, request.form.get("shift", type=int) or 0)
    if shift is None or shift.neighbourhood_id != neighbourhood.id or shift.day < today_local():
        flash(_("Hãy chọn một buổi sắp tới của tổ."), "error")
        return redirect(back, 303)
    volunteer_id = request.form.get("volunteer", type=int)
    if volunteer_id and db.session.scalar(db.select(User.id).where(
            User.id == volunteer_id, User.neighbourhood_id == neighbourhood.id,
            User.role == "volunteer")) is None:
        flash(_("Thành viên này không thuộc tổ."), "error")
        return redirect(back, 303)
    ids = _chosen(neighbourhood.id)
    if not ids:
        flash(_("Chưa chọn hộ hoặc ngõ nào."), "error")
        return redirect(back, 303)
    on_walk, waiting = add_to_shift(shift, ids, volunteer_id or None, g.user.id)
    audit("review_add_to_shift", user_id=g.user.id, neighbourhood_id=neighbourhood.id,
          object_type="shift", object_id=shift.id, households=len(ids), on_walk=on_walk)
    db.session.commit()
    flash(_("Đã đưa %(n)s hộ vào buổi %(slot)s %(day)s.", n=len(ids), slot=_(shift.slot_label),
            day=shift.day.strftime("%d/%m/%Y")), "ok")
    if waiting:
        flash(_("%(n)s hộ chờ: buổi này chưa ai được giao ngõ của họ; hãy chọn một thành viên.",
                n=waiting), "error")
    return redirect(url_for("review.shift", shift_id=shift.id), 303)


def _chosen(neighbourhood_id: int) -> list[int]:
    """Ticked households and every open household of the ticked lanes (as filtered)."""
    ids = {int(v) for v in request.form.getlist("household") if v.isdigit()}
    lanes = {int(v) for v in request.form.getlist("lane") if v.isdigit()}
    if lanes:
        filters = Filters.from_args(request.args)
        rows, _counts = not_reached(neighbourhood_id, filters, today_local().year)
        ids |= {r.household.id for r in rows if r.household.lane_id in lanes}
    return db.session.scalars(db.select(Household.id).where(
        Household.id.in_(ids), Household.neighbourhood_id == neighbourhood_id)).all()


@bp.route("/shifts/<int:shift_id>")
@roles("leader", "admin")
def shift(shift_id: int):
    """A coming shift's walks, to check who goes where after adding households."""
    found = db.get_or_404(Shift, shift_id)
    neighbourhood = neighbourhood_or_404(found.neighbourhood_id)
    lanes = {lane.id: lane for lane in db.session.scalars(
        db.select(Lane).where(Lane.neighbourhood_id == neighbourhood.id))}
    return render_template("review/shift.html", shift=found, neighbourhood=neighbourhood,
                           lanes=lanes)
