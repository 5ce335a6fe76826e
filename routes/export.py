"""Exports for the ward's report: households with status and services, and the figures table.

A leader's export names the head of household and the phone number (the leader keeps the
list); a ward officer's or an admin's does not: they report figures, not people.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, request
from flask_babel import gettext as _
from sqlalchemy.orm import selectinload

from extensions import db
from models import Lane, Neighbourhood, audit
from models.figures import headline, household_rows, others, ward_summary
from routes.access import neighbourhood_or_404, roles
from routes.dashboard import READERS, the_ward, ward_neighbourhoods
from routes.web import STATUS_LABELS, select_locale, today_local, vn_date, vn_datetime
from sheets.writer import write_csv, write_xlsx

bp = Blueprint("export", __name__, url_prefix="/dashboard/export")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def scope() -> list[Neighbourhood]:
    """The one neighbourhood asked for (if the user may read it), else the user's whole reach."""
    if g.user.role == "leader" or request.args.get("neighbourhood"):
        return [neighbourhood_or_404(request.args.get("neighbourhood", type=int))]
    return ward_neighbourhoods(the_ward())


def _send(kind: str, fmt: str, headers: list[str], rows: list, places: list[Neighbourhood]):
    if fmt not in FORMATS:
        abort(404)
    title = _("Hộ dân") if kind == "households" else _("Số liệu")
    body = write_csv(headers, rows) if fmt == "csv" else write_xlsx({title: (headers, rows)})
    audit("export", user_id=g.user.id,
          neighbourhood_id=places[0].id if len(places) == 1 else None, object_type=kind,
          format=fmt, rows=len(rows), neighbourhoods=[p.id for p in places])
    db.session.commit()
    name = f"gocua-{'ho-dan' if kind == 'households' else 'so-lieu'}-{today_local():%Y%m%d}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/households.<fmt>")
@roles(*READERS)
def households(fmt: str):
    """Every household of the scope with status, attempts and each service."""
    places = scope()
    names = {p.id: p.name for p in places}
    lanes = {lane.id: lane.full_name for lane in db.session.scalars(
        db.select(Lane).where(Lane.neighbourhood_id.in_(names))
        .options(selectinload(Lane.parent)))}
    services, rows = household_rows(list(names), today_local().year)
    personal = g.user.role == "leader"
    locale = select_locale()
    headers = [_("Tổ dân phố"), _("Ngõ"), _("Đường"), _("Số nhà")]
    headers += [_("Chủ hộ"), _("Số điện thoại"), _("Đồng ý lưu thông tin")] if personal else []
    headers += [_("Số nhân khẩu"), _("Tình trạng"), _("Số lần gõ cửa"), _("Lần gõ gần nhất")]
    headers += [s.label(locale) for s in services]
    out = []
    for row in rows:
        h, attempts, last_at = row[0], row[1], row[2]
        done = row[3:3 + len(services)]
        eligible = dict(zip(("all", "adult", "15plus", "working_age"), row[3 + len(services):]))
        line = [names[h.neighbourhood_id], lanes.get(h.lane_id, ""), h.street, h.house_number]
        line += [h.head_name, h.phone or "", vn_date(h.consent_at)] if personal else []
        line += [h.members, str(STATUS_LABELS.get(h.status, h.status)), attempts or 0,
                 vn_datetime(last_at)]
        line += [(_("Có") if d else _("Chưa")) if s.per == "household"
                 else f"{d or 0}/{eligible.get(s.age_basis) or 0}"
                 for s, d in zip(services, done)]
        out.append(line)
    return _send("households", fmt, headers, out, places)


@bp.route("/figures.<fmt>")
@roles(*READERS)
def figures(fmt: str):
    """The summary table: each neighbourhood's figures against their targets."""
    places = scope()
    table = ward_summary([p.id for p in places], today_local(), select_locale())
    headers = [_("Tổ dân phố"), _("Chỉ tiêu"), _("Đạt"), _("Cơ sở"), _("Tỉ lệ (%)"),
               _("Mục tiêu (%)"), _("Đạt mục tiêu")]
    rows = [[p.name, f.label, f.done, f.base, f.pct, f.target, _("Có") if f.met else _("Chưa")]
            for p in places for f in headline(table[p.id]) + others(table[p.id])]
    return _send("figures", fmt, headers, rows, places)
