"""Lanes: where a through-lane (ngõ thông) comes out, on the lane form or the command line.

The leader marks it on the lanes page (/lanes); their helper may say it here:
    flask lanes through 12 --onto 15          ngõ 12's far end comes out on ngõ 15
    flask lanes through 12 --street "Phố Y"   ... on a street
    flask lanes through 12 --dead-end         ... nowhere
Walks already planned keep their order; the next ones planned go through.
"""
from __future__ import annotations

import sys

import click
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from extensions import db
from models import Lane, audit
from models.place import lanes_of
from routes.access import LEADERS, current_neighbourhood, lane_or_404, roles
from routes.web import refused

bp = Blueprint("lanes", __name__, url_prefix="/lanes")


@bp.route("")
@roles(*LEADERS)
def index():
    """The group's lanes, each with where its far end comes out."""
    place = current_neighbourhood()
    return render_template("lanes/index.html", place=place, lanes=lanes_of(place.id))


@bp.post("/<int:lane_id>/through")
@roles(*LEADERS)
def through(lane_id: int):
    """Mark where a lane's far end comes out: another lane, a street, or nowhere."""
    place = current_neighbourhood()
    lane = lane_or_404(lane_id, place.id)
    back = url_for("lanes.index", _anchor=f"lane-{lane.id}")
    onto_id = request.form.get("onto", "")
    onto = lane_or_404(int(onto_id), place.id) if onto_id.isdigit() else None
    try:
        lane.come_out(onto, request.form.get("street", ""))
    except ValueError as problem:
        return refused(problem, back)
    audit("lane_through", user_id=g.user.id, neighbourhood_id=place.id, object_type="lane",
          object_id=lane.id, onto=onto and onto.id, street=lane.comes_out_street)
    db.session.commit()
    where = onto.full_name if onto else lane.comes_out_street or _("không đâu (ngõ cụt)")
    flash(_("%(lane)s: thông ra %(where)s. Các lộ trình lập sau sẽ đi xuyên qua.",
            lane=lane.full_name, where=where), "ok")
    return redirect(back, code=303)

lanes_cli = AppGroup("lanes", help="Ngõ: ngõ thông ra ngõ khác hoặc ra phố (through-lanes).")


def _fail(message: str) -> None:
    click.echo(message, err=True)
    sys.exit(1)


@lanes_cli.command("through")
@click.argument("lane_id", type=int)
@click.option("--onto", "onto_id", type=int, help="Id of the lane its far end comes out on.")
@click.option("--street", default="", help="Name of the street its far end comes out on.")
@click.option("--dead-end", is_flag=True, help="Its far end comes out nowhere.")
def through_command(lane_id: int, onto_id: int | None, street: str, dead_end: bool) -> None:
    """Say where a lane's far end comes out, so walks can go through it."""
    lane = db.session.get(Lane, lane_id)
    if lane is None:
        _fail(f"Không có ngõ id {lane_id}")
    if dead_end == bool(onto_id or street.strip()):
        _fail("Cần đúng một trong --onto, --street, --dead-end")
    onto = db.session.get(Lane, onto_id) if onto_id else None
    if onto_id and onto is None:
        _fail(f"Không có ngõ id {onto_id}")
    try:
        lane.come_out(onto, street)
    except ValueError as problem:
        _fail(str(problem))
    audit("lane_through", neighbourhood_id=lane.neighbourhood_id, object_type="lane",
          object_id=lane.id, onto=onto_id, street=lane.comes_out_street)
    db.session.commit()
    where = onto.full_name if onto else lane.comes_out_street or "không đâu (ngõ cụt)"
    click.echo(f"{lane.full_name}: thông ra {where}")
