"""Not yet reached: whom to visit next and when, and putting them into a coming shift."""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import labels
from extensions import db
from geo.maps import render_parts, status_layer_map
from models import audit, registry
from models.campaign import current_campaign
from models.review import FLAG_AFTER, Filters, add_to_shift, not_reached, planned
from models.rules import local_today
from models.shift import coming_shift, coming_shifts
from models.user import volunteers_of
from routes.access import MANAGERS, current_neighbourhood, roles, shift_or_404
from routes.web import id_arg, map_settings, translated, wants_fragment
from vocabulary import OPEN

bp = Blueprint("review", __name__, url_prefix="/review")


def _map(neighbourhood, rows):
    """The same households on the map, coloured by status."""
    points = [{"id": r.household.id, "lat": r.household.lat, "lon": r.household.lon,
               "status": r.household.status, "approximate": r.household.position_approximate,
               "label": f"{r.household.address} · {r.not_home}×"} for r in rows]
    lanes = [{"name": lane.full_name, "path": lane.path_points} for lane in neighbourhood.lanes]
    placed = [p for p in points if p["lat"] is not None]
    centre, zoom = neighbourhood.map_view([(p["lat"], p["lon"]) for p in placed])
    m = status_layer_map(points, lanes, centre, height="45vh", zoom=zoom, **map_settings())
    return render_parts(m, nonce=g.csp_nonce)


@bp.route("")
@roles(*MANAGERS)
def index():
    """The open households with filters, a count per lane, a map, and 'put into a shift'."""
    neighbourhood = current_neighbourhood()
    filters = Filters.from_args(request.args)
    rows, per_lane = not_reached(neighbourhood.id, filters, local_today().year)
    context = dict(neighbourhood=neighbourhood, filters=filters, rows=rows, per_lane=per_lane,
                   planned=planned([r.household.id for r in rows]), flag_after=FLAG_AFTER)
    if wants_fragment():
        return render_template("review/_list.html", **context)
    campaign = current_campaign(neighbourhood.id)
    return render_template("review/index.html", **context, statuses=OPEN,
                           never_labels=translated(labels.NEVER_TRIED_LABELS),
                           services=campaign.services if campaign else [],
                           shifts=coming_shifts(neighbourhood.id, going_only=True),
                           volunteers=volunteers_of(neighbourhood.id))


@bp.route("/map")
@roles(*MANAGERS)
def map_page():
    """The same filtered set on the map (its own page: drawing hundreds of pins takes time)."""
    neighbourhood = current_neighbourhood()
    rows, _counts = not_reached(neighbourhood.id, Filters.from_args(request.args),
                                local_today().year)
    return render_template("review/map.html", neighbourhood=neighbourhood, rows=rows,
                           map=_map(neighbourhood, rows))


@bp.post("/add")
@roles(*MANAGERS)
def add():
    """Put the ticked households, or whole lanes of the filtered list, into a coming shift."""
    neighbourhood = current_neighbourhood()
    query = request.query_string.decode()
    back = url_for("review.index") + (f"?{query}" if query else "")
    shift = coming_shift(neighbourhood.id, id_arg("shift", request.form))
    if shift is None:
        flash(_("Hãy chọn một buổi sắp tới của tổ."), "error")
        return redirect(back, 303)
    volunteer_id = id_arg("volunteer", request.form)
    team = {u.id: u for u in volunteers_of(neighbourhood.id)}
    if volunteer_id and volunteer_id not in team:
        flash(_("Thành viên này không thuộc tổ."), "error")
        return redirect(back, 303)
    ids = _chosen(neighbourhood.id)
    if not ids:
        flash(_("Chưa chọn hộ hoặc ngõ nào."), "error")
        return redirect(back, 303)
    added = add_to_shift(shift, ids, volunteer_id or None, g.user.id)
    audit("review_add_to_shift", user_id=g.user.id, neighbourhood_id=neighbourhood.id,
          object_type="shift", object_id=shift.id, households=len(ids),
          on_walk=added.chosen + added.owner)
    db.session.commit()
    when = dict(slot=translated(labels.SLOT_LABELS)[shift.slot], day=shift.day.strftime("%d/%m/%Y"))
    if added.chosen:
        name = team[volunteer_id].name
        flash(_("Đã đưa %(n)s hộ vào lộ trình của %(name)s, buổi %(slot)s %(day)s.",
                n=added.chosen, name=name, **when), "ok")
    if added.owner:
        flash(_("Đã đưa %(n)s hộ vào buổi %(slot)s %(day)s, cho người được giao ngõ của họ.",
                n=added.owner, **when), "ok")
    if added.waiting:
        flash(_("%(n)s hộ chờ: buổi này chưa ai được giao ngõ của họ; hãy chọn một thành viên.",
                n=added.waiting), "error")
    if added.settled:
        flash(_("%(n)s hộ đã gặp được nên không đưa vào lộ trình.", n=added.settled), "error")
    return redirect(url_for("review.shift", shift_id=shift.id), 303)


def _chosen(neighbourhood_id: int) -> list[int]:
    """Ticked households and every open household of the ticked lanes (as filtered)."""
    ids = {int(v) for v in request.form.getlist("household") if v.isdigit()}
    lanes = {int(v) for v in request.form.getlist("lane") if v.isdigit()}
    if lanes:
        filters = Filters.from_args(request.args)
        rows, _counts = not_reached(neighbourhood_id, filters, local_today().year)
        ids |= {r.household.id for r in rows if r.household.lane_id in lanes}
    return registry.of_neighbourhood(neighbourhood_id, ids)


@bp.route("/shifts/<int:shift_id>")
@roles(*MANAGERS)
def shift(shift_id: int):
    """A coming shift's walks, to check who goes where after adding households."""
    found = shift_or_404(shift_id)
    return render_template("review/shift.html", shift=found,
                           neighbourhood=found.neighbourhood)
