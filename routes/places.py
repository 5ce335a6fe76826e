"""Places, kept by the admin: provinces' wards (xã/phường) and their groups (tổ dân phố/thôn),
created, renamed and retired one at a time or many from a list; each group's meeting point set
by a click on the map. The same from the command line (`flask places`, routes/places_cli.py).
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

from extensions import db
from geo.maps import point_map, render_parts
from models import Neighbourhood, Ward, audit
from models.base import Invalid
from models.campaign import give_ward_campaign, start_ward_campaign
from models.place import (all_wards, create_group, create_groups, create_ward, rename_group,
                          rename_ward, retire_group, retire_ward)
from routes.access import EVERYWHERE, roles
from routes.web import map_settings, refused
from sheets.model import SheetRefused
from sheets.names import parse_names

bp = Blueprint("places", __name__, url_prefix="/places")


def _ward(ward_id: int) -> Ward:
    return db.session.get(Ward, ward_id) or abort(404)


def _group(group_id: int) -> Neighbourhood:
    return db.session.get(Neighbourhood, group_id) or abort(404)


def _done(action: str, back: str, **detail):
    audit(action, user_id=g.user.id, **detail)
    db.session.commit()
    return redirect(back, code=303)


@bp.route("/")
@roles(*EVERYWHERE)
def index():
    """Every ward, by province, and the form for a new one."""
    wards = all_wards(with_retired=True)
    provinces = sorted({w.province for w in wards})
    return render_template("places/index.html", wards=wards, provinces=provinces)


@bp.post("/wards")
@roles(*EVERYWHERE)
def new_ward():
    """A new ward of a province."""
    try:
        ward = create_ward(request.form.get("name", ""), request.form.get("province", ""),
                           request.form.get("aliases", ""))
    except Invalid as problem:
        return refused(problem, url_for("places.index"))
    start_ward_campaign(ward.id)
    return _done("place_created", url_for("places.ward", ward_id=ward.id),
                 object_type="ward", object_id=ward.id)


@bp.route("/wards/<int:ward_id>")
@roles(*EVERYWHERE)
def ward(ward_id: int):
    """A ward: its groups (rename, retire, meeting point), one more or many from a list."""
    ward = _ward(ward_id)
    groups = sorted(ward.neighbourhoods, key=lambda n: (n.retired_at is not None, n.name))
    return render_template("places/ward.html", ward=ward, groups=groups)


@bp.post("/wards/<int:ward_id>/rename")
@roles(*EVERYWHERE)
def rename_ward_view(ward_id: int):
    ward = _ward(ward_id)
    back = url_for("places.ward", ward_id=ward.id)
    try:
        rename_ward(ward, request.form.get("name", ""))
    except Invalid as problem:
        return refused(problem, back)
    return _done("place_changed", back, object_type="ward", object_id=ward.id, change="rename")


@bp.post("/wards/<int:ward_id>/retire")
@roles(*EVERYWHERE)
def retire_ward_view(ward_id: int):
    """Retire a ward that has no active group left; its history stays."""
    ward = _ward(ward_id)
    try:
        retire_ward(ward)
    except Invalid as problem:
        return refused(problem, url_for("places.ward", ward_id=ward.id))
    return _done("place_changed", url_for("places.index"), object_type="ward",
                 object_id=ward.id, change="retire")


@bp.post("/wards/<int:ward_id>/groups")
@roles(*EVERYWHERE)
def new_group(ward_id: int):
    """One new group, with the ward's campaign."""
    ward = _ward(ward_id)
    try:
        group = create_group(ward, request.form.get("name", ""))
    except Invalid as problem:
        return refused(problem, url_for("places.ward", ward_id=ward.id))
    give_ward_campaign(group)
    return _done("place_created", url_for("places.group", group_id=group.id),
                 object_type="neighbourhood", object_id=group.id)


@bp.post("/wards/<int:ward_id>/groups/import")
@roles(*EVERYWHERE)
def import_groups(ward_id: int):
    """Many groups from a CSV/XLSX list of names: all of them, or none and why."""
    ward = _ward(ward_id)
    back = url_for("places.ward", ward_id=ward.id)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return refused(_("Hãy chọn tệp danh sách tổ (.csv hoặc .xlsx)."), back)
    try:
        names, errors = parse_names(upload.filename, upload.read())
    except SheetRefused as problem:
        return refused(_("Chưa tổ nào được thêm: %(reason)s.", reason=problem.message), back)
    if errors:
        first = errors[0]
        return refused(_("Dòng %(row)s: %(reason)s. Chưa tổ nào được thêm.",
                         row=first.row_number, reason=first.message), back)
    try:
        groups = create_groups(ward, names)
    except Invalid as problem:
        return refused(problem, back)
    for group in groups:
        give_ward_campaign(group)
    audit("places_imported", user_id=g.user.id, object_type="ward", object_id=ward.id,
          groups=len(groups))
    db.session.commit()
    flash(_("Đã thêm %(n)s tổ.", n=len(groups)), "ok")
    return redirect(back, code=303)


@bp.route("/groups/<int:group_id>")
@roles(*EVERYWHERE)
def group(group_id: int):
    """A group: rename, retire, and its meeting point by a click on the map."""
    group = _group(group_id)
    centre, zoom = group.map_view()
    m = point_map(centre, group.meeting_latlon, zoom=zoom, **map_settings())
    return render_template("places/group.html", group=group,
                           parts=render_parts(m, nonce=g.csp_nonce))


@bp.post("/groups/<int:group_id>/rename")
@roles(*EVERYWHERE)
def rename_group_view(group_id: int):
    group = _group(group_id)
    back = url_for("places.group", group_id=group.id)
    try:
        rename_group(group, request.form.get("name", ""))
    except Invalid as problem:
        return refused(problem, back)
    return _done("place_changed", back, object_type="neighbourhood", object_id=group.id,
                 change="rename")


@bp.post("/groups/<int:group_id>/retire")
@roles(*EVERYWHERE)
def retire_group_view(group_id: int):
    """Retire a group: it leaves the lists, its history stays."""
    group = _group(group_id)
    retire_group(group)
    return _done("place_changed", url_for("places.ward", ward_id=group.ward_id),
                 object_type="neighbourhood", object_id=group.id, change="retire")


@bp.post("/groups/<int:group_id>/meeting-point")
@roles(*EVERYWHERE)
def meeting_point(group_id: int):
    """The meeting point from the map's click (lat, lon) and its name."""
    group = _group(group_id)
    back = url_for("places.group", group_id=group.id)
    try:
        group.set_meeting_point(request.form.get("lat"), request.form.get("lon"),
                                request.form.get("label", ""))
    except Invalid as problem:
        return refused(problem, back)
    return _done("place_changed", back, object_type="neighbourhood", object_id=group.id,
                 change="meeting_point")
