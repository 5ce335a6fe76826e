"""The household registry: list, search, add, edit in place, move away, erase, residents.

One blueprint, ``households``, made here and filled by three modules: this one (the
registry), ``households_import`` (upload, preview, confirm; the CLI) and ``households_map``
(the map, pins, the placing job), which add their views to it (routes/__init__.py imports
all three).
"""
from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy.orm.exc import StaleDataError

from extensions import db
from models import registry
from models.rules import local_today
from routes.access import MANAGERS, current_neighbourhood, household_or_404, roles
from routes.web import id_arg, refused, wants_fragment

bp = Blueprint("households", __name__, url_prefix="/households")


def _filters() -> registry.Filters:
    return registry.Filters(q=request.args.get("q", "")[:100],
                            lane_id=id_arg("lane", request.args),
                            status=request.args.get("status", ""),
                            consent=request.args.get("consent", ""))


def _query() -> dict:
    """The registry's search and filters as they came, for the pager's links to keep."""
    return {k: v for k, v in request.args.items() if k != "page" and v}


@bp.route("/")
@roles(*MANAGERS)
def index():
    """The registry: search (diacritics ignored), filter by lane and status, 25 a page."""
    neighbourhood = current_neighbourhood()
    filters = _filters()
    page = registry.page_of(registry.search(neighbourhood.id, filters),
                            request.args.get("page", 1, type=int))
    template = "households/_rows.html" if wants_fragment() else "households/index.html"
    return render_template(template, neighbourhood=neighbourhood, page=page,
                           households=page.items, filters=filters, query=_query(),
                           lanes=registry.lanes_of(neighbourhood.id))


@bp.route("/new")
@roles(*MANAGERS)
def new():
    """The form for a new household."""
    neighbourhood = current_neighbourhood()
    return render_template("households/new.html", neighbourhood=neighbourhood,
                           lanes=registry.lanes_of(neighbourhood.id), values=request.args)


@bp.post("/")
@roles(*MANAGERS)
def add():
    """Add a household."""
    neighbourhood = current_neighbourhood()
    try:
        values = registry.parse_form(request.form, neighbourhood.id)
        household = registry.add(neighbourhood.id, values, g.user.id)
    except registry.Invalid as problem:
        db.session.rollback()
        return render_template("households/new.html", neighbourhood=neighbourhood,
                               lanes=registry.lanes_of(neighbourhood.id), values=request.form,
                               error=str(problem)), 422
    db.session.commit()
    flash(_("Đã thêm hộ %(name)s.", name=household.head_name), "ok")
    return redirect(url_for("households.show", household_id=household.id), code=303)


@bp.route("/<int:household_id>")
@roles(*MANAGERS)
def show(household_id: int):
    """One household: details, residents, actions."""
    household = household_or_404(household_id)
    return render_template("households/show.html", household=household,
                           lanes=registry.lanes_of(household.neighbourhood_id),
                           record=registry.record_of(household))


@bp.route("/<int:household_id>/row")
@roles(*MANAGERS)
def row(household_id: int):
    """A household's row in the list (cancel an edit)."""
    return render_template("households/_row.html", household=household_or_404(household_id))


@bp.route("/<int:household_id>/edit")
@roles(*MANAGERS)
def edit_form(household_id: int):
    """The edit form, swapped in place of the row; it carries the version it was loaded at."""
    household = household_or_404(household_id)
    return render_template("households/_edit.html", household=household,
                           lanes=registry.lanes_of(household.neighbourhood_id))


@bp.post("/<int:household_id>")
@roles(*MANAGERS)
def save(household_id: int):
    """Save an edit; a household changed since the form was loaded is reported (409)."""
    household = household_or_404(household_id)
    lanes = registry.lanes_of(household.neighbourhood_id)
    try:
        values = registry.parse_form(request.form, household.neighbourhood_id)
        registry.edit(household, values, request.form.get("version", type=int), g.user.id)
        db.session.commit()
    except (registry.Conflict, StaleDataError):
        db.session.rollback()
        message = _("Hộ này vừa được người khác sửa. Thay đổi của bạn chưa được lưu; "
                    "hãy tải lại để xem bản mới rồi sửa lại.")
        return _form_again(household_id, lanes, message, 409)
    except registry.Invalid as problem:
        db.session.rollback()
        return _form_again(household_id, lanes, str(problem), 422)
    if wants_fragment():
        return render_template("households/_row.html", household=household)
    flash(_("Đã lưu."), "ok")
    return redirect(url_for("households.show", household_id=household.id), code=303)


def _form_again(household_id: int, lanes, message: str, status: int):
    household = household_or_404(household_id)
    template = "households/_edit.html" if wants_fragment() else "households/show.html"
    return render_template(template, household=household, lanes=lanes, error=message,
                           values=request.form, record=registry.record_of(household)), status


@bp.post("/<int:household_id>/moved")
@roles(*MANAGERS)
def moved(household_id: int):
    """Mark the household as moved away (recorded as a visit)."""
    household = household_or_404(household_id)
    registry.mark_moved(household, g.user.id)
    db.session.commit()
    flash(_("Đã ghi nhận hộ chuyển đi."), "ok")
    return redirect(url_for("households.show", household_id=household.id), code=303)


@bp.post("/<int:household_id>/erase")
@roles(*MANAGERS)
def erase(household_id: int):
    """Erase a household on request, with its visits and residents."""
    household = household_or_404(household_id)
    if request.form.get("confirm") != "yes":
        flash(_("Hãy đánh dấu ô xác nhận để xoá hộ này."), "error")
        return redirect(url_for("households.show", household_id=household.id), code=303)
    neighbourhood_id = household.neighbourhood_id
    drafts = registry.erase(household, g.user.id)
    db.session.commit()
    flash(_("Đã xoá hộ và toàn bộ dữ liệu của hộ."), "ok")
    if drafts:
        flash(_("Tệp nhập danh sách chưa xác nhận có hộ này cũng đã bị huỷ; nếu cần, hãy bỏ hộ "
                "này khỏi tệp rồi tải lên lại."), "ok")
    return redirect(url_for("households.index", neighbourhood=neighbourhood_id), code=303)


@bp.post("/<int:household_id>/residents")
@roles(*MANAGERS)
def add_resident(household_id: int):
    """Add a resident (label and birth year only)."""
    household = household_or_404(household_id)
    try:
        registry.add_resident(household, request.form.get("label", ""),
                              request.form.get("birth_year", ""), g.user.id, local_today().year)
        db.session.commit()
    except registry.Invalid as problem:
        return refused(problem, url_for("households.show", household_id=household_id))
    return redirect(url_for("households.show", household_id=household_id), code=303)


@bp.post("/<int:household_id>/residents/<int:resident_id>/remove")
@roles(*MANAGERS)
def remove_resident(household_id: int, resident_id: int):
    """Remove a resident from the household."""
    household = household_or_404(household_id)
    try:
        registry.remove_resident(household, resident_id, g.user.id)
        db.session.commit()
    except registry.Invalid as problem:
        return refused(problem, url_for("households.show", household_id=household_id))
    return redirect(url_for("households.show", household_id=household_id), code=303)
