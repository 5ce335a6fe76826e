"""Lanes: where a through-lane (ngõ thông) comes out, on the lane form or the command line.

The leader marks it on the lanes page (/lanes); their helper may say it here:
    flask lanes through 12 --onto 15          ngõ 12's far end comes out on ngõ 15
    flask lanes through 12 --street "Phố Y"   ... on a street
    flask lanes through 12 --dead-end         ... nowhere
Walks already planned keep their order; the next ones planned go through.
"""
from __future__ import annotations

import json
import sys

import click
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.cli import AppGroup
from flask_babel import gettext as _

from extensions import db
from geo.maps import lane_editor_map, render_parts
from geo.paths import GEOJSON_MAX_BYTES, GeoJSONError, named_lines
from models import Lane, audit
from models.base import Invalid
from models.place import clean_path, delete_lane, lanes_of, match_lane, save_lane
from models.placing import spread_lanes
from models.registry import lane_counts
from routes.access import LEADERS, current_neighbourhood, lane_or_404, roles
from routes.web import map_settings, refused

bp = Blueprint("lanes", __name__, url_prefix="/lanes")


@bp.route("")
@roles(*LEADERS)
def index():
    """The group's lanes, each with where its far end comes out."""
    place = current_neighbourhood()
    return render_template("lanes/index.html", place=place, lanes=lanes_of(place.id))


def _editor_rows(place):
    counts = dict((lane.id, n) for lane, n in lane_counts(place.id))
    return [(lane, counts.get(lane.id, 0)) for lane in lanes_of(place.id)]


@bp.route("/editor")
@roles(*LEADERS)
def editor():
    """The lane editor: draw a lane from its mouth, name it, set its parent, edit, delete,
    or import paths from a GeoJSON file."""
    place = current_neighbourhood()
    rows = _editor_rows(place)
    lanes = [{"id": lane.id, "name": lane.full_name, "path": lane.path_points}
             for lane, _n in rows]
    centre, zoom = place.map_view([p for lane in lanes for p in lane["path"]])
    m = lane_editor_map(lanes, centre, zoom=zoom, **map_settings())
    return render_template("lanes/editor.html", place=place, rows=rows,
                           parts=render_parts(m, nonce=g.csp_nonce))


def _path_field():
    text = request.form.get("path", "").strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        raise Invalid(_("Đường ngõ không đọc được. Hãy vẽ lại.")) from None


@bp.post("/save")
@roles(*LEADERS)
def save():
    """Create or change a lane (name, street, parent, drawn path); then the households of
    drawn lanes are placed along them where they have nothing better."""
    place = current_neighbourhood()
    lane_id = request.form.get("lane_id", type=int)
    lane = lane_or_404(lane_id, place.id) if lane_id else None
    try:
        path = _path_field()
        if lane is None and path is None:
            raise Invalid(_("Hãy vẽ đường ngõ trên bản đồ, bắt đầu từ đầu ngõ."))
        old = lane.path if lane is not None else None
        lane = save_lane(place, lane, request.form.get("name", ""),
                         request.form.get("street", ""), request.form.get("parent_id"), path)
    except Invalid as problem:
        return refused(problem, url_for("lanes.editor"))
    placed = spread_lanes(place.id)
    audit("lane_saved", user_id=g.user.id, neighbourhood_id=place.id, object_type="lane",
          object_id=lane.id, path_changed=path is not None and path != old, placed=placed)
    db.session.commit()
    flash(_("Đã lưu “%(name)s”; %(n)s hộ được đặt theo ngõ.", name=lane.full_name, n=placed),
          "ok")
    return redirect(url_for("lanes.editor"), code=303)


@bp.post("/<int:lane_id>/delete")
@roles(*LEADERS)
def delete(lane_id: int):
    """Delete a lane that has no household and no ngách."""
    place = current_neighbourhood()
    lane = lane_or_404(lane_id, place.id)
    name = lane.full_name
    households = dict((row.id, n) for row, n in lane_counts(place.id)).get(lane.id, 0)
    try:
        delete_lane(lane, households)
    except Invalid as problem:
        return refused(problem, url_for("lanes.editor"))
    audit("lane_deleted", user_id=g.user.id, neighbourhood_id=place.id, object_type="lane",
          object_id=lane_id)
    db.session.commit()
    flash(_("Đã xoá “%(name)s”.", name=name), "ok")
    return redirect(url_for("lanes.editor"), code=303)


@bp.post("/geojson")
@roles(*LEADERS)
def geojson():
    """Lane paths from a GeoJSON file (named LineStrings), matched to the group's lanes by
    name; the names that match no lane are listed, and nothing changes if none matches."""
    place = current_neighbourhood()
    upload = request.files.get("file")
    raw = upload.read(GEOJSON_MAX_BYTES + 1) if upload else b""
    try:
        lines = named_lines(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, GeoJSONError):
        return refused(_("Tệp không phải GeoJSON đọc được (cần các đường LineString có tên, "
                         "như uMap hoặc các công cụ OpenStreetMap xuất ra)."),
                       url_for("lanes.editor"))
    matched, unmatched = [], []
    try:
        for name, points in lines:
            lane = match_lane(place, name)
            if lane is None:
                unmatched.append(name)
                continue
            lane.path = clean_path(points)
            matched.append(lane)
        if not matched:
            raise Invalid(_("Không đường nào trong tệp khớp tên với ngõ của tổ (%(names)s). "
                            "Chưa có gì thay đổi.", names=", ".join(unmatched[:10]) or "—"))
    except Invalid as problem:
        return refused(problem, url_for("lanes.editor"))
    placed = spread_lanes(place.id)
    audit("lanes_imported", user_id=g.user.id, neighbourhood_id=place.id, object_type="lane",
          matched=len(matched), unmatched=len(unmatched), placed=placed)
    db.session.commit()
    flash(_("Đã nhận đường của %(n)s ngõ; %(p)s hộ được đặt theo ngõ.", n=len(matched),
            p=placed), "ok")
    if unmatched:
        flash(_("Không khớp ngõ nào: %(names)s.", names=", ".join(unmatched[:20])), "error")
    return redirect(url_for("lanes.editor"), code=303)


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
