"""The leader's live board for a shift: progress, latest visits and the map, polled.

Nothing lives in a process's memory: every poll reads the database, and a poll whose
fingerprint (visits and stops of the shift) has not changed is answered 204 with no body.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, redirect, render_template, request, url_for

from geo.maps import status_colour
from models import Shift
from models.progress import fingerprint, latest_visits, shift_households, shift_progress
from models.rules import local_today
from models.shift import shifts_on
from routes.access import EVERYWHERE, MANAGERS, current_neighbourhood, roles, shift_or_404
from routes.web import wants_fragment

bp = Blueprint("live", __name__)
POLL_SECONDS = 3


def _unchanged(shift: Shift) -> tuple[bool, str]:
    current = fingerprint(shift.id)
    return request.args.get("fp") == current, current


def _feed_args(shift: Shift, fp: str) -> dict:
    return {"shift": shift, "fp": fp, "rows": shift_progress(shift),
            "visits": latest_visits(shift.id), "poll": POLL_SECONDS}


@bp.route("/live")
@roles(*MANAGERS)
def index():
    """Today's shifts to watch; straight to the board when there is only one."""
    if g.user.role in EVERYWHERE and not g.user.neighbourhood_id:
        shifts = shifts_on(local_today())
    else:
        shifts = shifts_on(local_today(), current_neighbourhood().id)
    if len(shifts) == 1:
        return redirect(url_for("live.board", shift_id=shifts[0].id))
    return render_template("live/index.html", shifts=shifts)


@bp.route("/shifts/<int:shift_id>/live")
@roles(*MANAGERS)
def board(shift_id: int):
    """The whole board: each volunteer's progress, the latest visits, the map."""
    shift = shift_or_404(shift_id)
    return render_template("live/board.html", **_feed_args(shift, fingerprint(shift.id)),
                           tiles=current_app.config["TILE_URL"],
                           attribution=current_app.config["TILE_ATTRIBUTION"])


@bp.route("/shifts/<int:shift_id>/live/feed")
@roles(*MANAGERS)
def feed(shift_id: int):
    """The progress and latest visits fragment; 204 when nothing changed since `fp`."""
    shift = shift_or_404(shift_id)
    same, fp = _unchanged(shift)
    if not wants_fragment():
        return redirect(url_for("live.board", shift_id=shift.id), 303)
    if same:
        return "", 204
    return render_template("live/_feed.html", **_feed_args(shift, fp))


@bp.route("/shifts/<int:shift_id>/live/points")
@roles(*MANAGERS)
def points(shift_id: int):
    """The shift's households with their status colours (JSON); 204 when unchanged."""
    shift = shift_or_404(shift_id)
    same, fp = _unchanged(shift)
    if same:
        return "", 204
    return jsonify(fp=fp, points=[
        {"id": h.id, "lat": h.lat, "lon": h.lon, "status": h.status,
         "colour": status_colour(h.status), "label": f"{number}. {h.address}"}
        for h, number in shift_households(shift) if h.has_position])
