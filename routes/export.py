"""Exports for the ward's report: households with status and services, and the figures table.

The household list is for those who keep the households (a leader; an admin, without names
or phones); a ward officer reports figures, not people, and gets the figures table only: per
group and per lane, never a row that stands for a household.
"""
from __future__ import annotations

from flask import Blueprint, Response, abort, g
from flask_babel import gettext as _

import labels
from extensions import db
from models import Neighbourhood, audit
from models.figures import headline, household_rows, others, ward_lane_summary, ward_summary
from models.place import lanes_of, neighbourhoods_of
from models.rules import local_today
from routes.access import LEADERS, MANAGERS, READERS, current_neighbourhood, current_ward, roles
from routes.dashboard import one_neighbourhood
from routes.web import select_locale, translated, vn_date, vn_datetime
from sheets.writer import write_csv, write_xlsx

bp = Blueprint("export", __name__, url_prefix="/dashboard/export")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def scope() -> list[Neighbourhood]:
    """The one neighbourhood asked for (if the user may read it), else the user's whole reach."""
    if one_neighbourhood():
        return [current_neighbourhood()]
    return neighbourhoods_of(current_ward().id)


def _send(kind: str, fmt: str, headers: list[str], rows: list, places: list[Neighbourhood]):
    """The file to download, its export audited (the caller commits)."""
    if fmt not in FORMATS:
        abort(404)
    title = _("Hộ dân") if kind == "households" else _("Số liệu")
    body = write_csv(headers, rows) if fmt == "csv" else write_xlsx({title: (headers, rows)})
    audit("export", user_id=g.user.id,
          neighbourhood_id=places[0].id if len(places) == 1 else None, object_type=kind,
          format=fmt, rows=len(rows), neighbourhoods=[p.id for p in places])
    name = f"gocua-{'ho-dan' if kind == 'households' else 'so-lieu'}-{local_today():%Y%m%d}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/households.<fmt>")
@roles(*MANAGERS)
def households(fmt: str):
    """Every household of the scope with status, attempts and each service."""
    places = scope()
    names = {p.id: p.name for p in places}
    lanes = {lane.id: lane.full_name for lane in lanes_of(*names)}
    services, rows = household_rows(list(names), local_today().year)
    personal = g.user.role in LEADERS
    locale, status_labels = select_locale(), translated(labels.STATUS_LABELS)
    headers = [_("Tổ dân phố"), _("Ngõ"), _("Đường"), _("Số nhà")]
    headers += [_("Chủ hộ"), _("Số điện thoại"), _("Đồng ý lưu thông tin")] if personal else []
    headers += [_("Số nhân khẩu"), _("Tình trạng"), _("Số lần gõ cửa"), _("Lần gõ gần nhất")]
    headers += [s.label(locale) for s in services]
    out = []
    yes, no = _("Có"), _("Chưa")
    for row in rows:
        h = row.household
        line = [names[h.neighbourhood_id], lanes.get(h.lane_id, ""), h.street, h.house_number]
        line += [h.head_name, h.phone or "", vn_date(h.consent_at)] if personal else []
        line += [h.members, status_labels.get(h.status, h.status), row.attempts,
                 vn_datetime(row.last_at)]
        line += [row.done_text(s) or (yes if row.done.get(s.code) else no) for s in services]
        out.append(line)
    response = _send("households", fmt, headers, out, places)
    db.session.commit()
    return response


@bp.route("/figures.<fmt>")
@roles(*READERS)
def figures(fmt: str):
    """The summary table: each neighbourhood's figures against their targets, then each lane's."""
    places = scope()
    ids, today, locale = [p.id for p in places], local_today(), select_locale()
    table, per_lane = ward_summary(ids, today, locale), ward_lane_summary(ids, today, locale)
    lanes = lanes_of(*ids)
    lane_names = {lane.id: lane.full_name for lane in lanes}
    order = {lane.id: index for index, lane in enumerate(lanes)}  # the leader's order
    headers = [_("Tổ dân phố"), _("Ngõ"), _("Chỉ tiêu"), _("Đạt"), _("Cơ sở"), _("Tỉ lệ (%)"),
               _("Mục tiêu (%)"), _("Đạt mục tiêu")]
    whole, no_lane = _("Cả tổ"), _("Chưa có ngõ")
    rows = []
    for p in places:
        groups = [(whole, table[p.id])] + [
            (lane_names.get(lane, no_lane), items) for lane, items in
            sorted(per_lane[p.id].items(), key=lambda item: order.get(item[0], len(order)))]
        rows += [[p.name, name, f.label, f.done, f.base, f.pct, f.target,
                  _("Có") if f.met else _("Chưa")]
                 for name, items in groups for f in headline(items) + others(items)]
    response = _send("figures", fmt, headers, rows, places)
    db.session.commit()
    return response
