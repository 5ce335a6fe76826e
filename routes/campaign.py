"""The campaign and its checklist: the ward's, set by its officer (targets, how-to notes,
services added or retired), and each group's copy, which its leader adjusts (a service
switched off, a local one added)."""
from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _

import labels
from extensions import db
from models import audit
from models.base import Invalid
from models.campaign import (add_service, current_campaign, give_ward_campaign,
                             retire_service, set_service, start_ward_campaign, switch_service,
                             ward_campaign)
from models.place import all_wards, neighbourhoods_of
from routes.access import (CAMPAIGN_KEEPERS, CAMPAIGN_SETTERS, EVERYWHERE, LEADERS,
                           campaign_or_404, current_ward, neighbourhood_or_404, roles,
                           service_or_404, ward_or_404)
from routes.web import refused, translated
from vocabulary import AGE_BASES, PER

bp = Blueprint("campaign", __name__, url_prefix="/campaign")


def _page(campaign) -> str:
    """Where a campaign is kept: the ward's page or the group's."""
    if campaign.neighbourhood_id is None:
        return url_for("campaign.index", ward=campaign.ward_id)
    return url_for("campaign.index")


def _changed(campaign, **detail):
    audit("campaign_changed", user_id=g.user.id, neighbourhood_id=campaign.neighbourhood_id,
          object_type="campaign", object_id=campaign.id, **detail)
    db.session.commit()
    return redirect(_page(campaign), code=303)


@bp.route("")
@roles(*CAMPAIGN_KEEPERS)
def index():
    """A leader: the group's checklist; an officer or admin: the ward's."""
    words = {"per_labels": translated(labels.PER_LABELS),
             "basis_labels": translated(labels.AGE_BASIS_LABELS), "pers": PER,
             "bases": list(AGE_BASES)}
    if g.user.role in LEADERS:
        group = neighbourhood_or_404()
        return render_template("campaign/group.html", group=group,
                               campaign=current_campaign(group.id), **words)
    if g.user.role in EVERYWHERE and not all_wards():
        return render_template("no_places.html", title=_("Đợt vận động"))
    ward = current_ward()
    return render_template("campaign/ward.html", ward=ward, campaign=ward_campaign(ward.id),
                           wards=all_wards() if g.user.role in EVERYWHERE else [], **words)


@bp.post("/wards/<int:ward_id>/start")
@roles(*CAMPAIGN_SETTERS, writes=True)
def start_ward(ward_id: int):
    """The ward's campaign with the default checklist; every group without one gets it."""
    ward = ward_or_404(ward_id)
    campaign = start_ward_campaign(ward.id)
    for group in neighbourhoods_of(ward.id):
        give_ward_campaign(group)
    return _changed(campaign, change="start")


@bp.post("/group/start")
@roles(*LEADERS)
def start_group():
    """The group takes the ward's campaign."""
    campaign = give_ward_campaign(neighbourhood_or_404())
    return _changed(campaign, change="start")


@bp.post("/<int:campaign_id>/services")
@roles(*CAMPAIGN_KEEPERS, writes=True)
def add(campaign_id: int):
    """A new service: the ward's reaches every group; a group's is its own."""
    campaign = campaign_or_404(campaign_id)
    form = request.form
    try:
        service = add_service(campaign, form.get("label"), form.get("per"),
                              form.get("age_basis", "all"), form.get("target"), form.get("note"))
    except Invalid as problem:
        return refused(problem, _page(campaign))
    return _changed(campaign, change="add", service=service.id)


@bp.post("/services/<int:service_id>")
@roles(*CAMPAIGN_KEEPERS, writes=True)
def edit(service_id: int):
    """A service's target and how-to note (a group's leader: only the group's own services)."""
    service = service_or_404(service_id)
    if service.parent_id is not None and g.user.role in LEADERS:
        return refused(_("Mục tiêu của dịch vụ này do phường đặt."), _page(service.campaign), 403)
    try:
        set_service(service, request.form.get("target"), request.form.get("note"))
    except Invalid as problem:
        return refused(problem, _page(service.campaign))
    return _changed(service.campaign, change="edit", service=service.id)


@bp.post("/services/<int:service_id>/retire")
@roles(*CAMPAIGN_KEEPERS, writes=True)
def retire(service_id: int):
    """Off the door form for good; its records and figures stay."""
    service = service_or_404(service_id)
    if service.parent_id is not None and g.user.role in LEADERS:
        return refused(_("Dịch vụ này do phường đặt: tổ có thể tắt, không thể bỏ."),
                       _page(service.campaign), 403)
    retire_service(service)
    return _changed(service.campaign, change="retire", service=service.id)


@bp.post("/services/<int:service_id>/switch")
@roles(*LEADERS)
def switch(service_id: int):
    """The group asks about a service, or not."""
    service = service_or_404(service_id)
    switch_service(service, request.form.get("on") == "1")
    return _changed(service.campaign, change="switch", service=service.id,
                    on=not service.switched_off)
