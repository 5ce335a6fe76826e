"""The ward's report: on screen, as a workbook to hand in, as CSV, as a printable A4 page;
and which groups are behind. Figures only: never a row that stands for a household."""
from __future__ import annotations

from flask import Blueprint, Response, abort, g, render_template, request
from flask_babel import gettext as _

import labels
from extensions import db
from models import audit
from models.base import Invalid
from models.campaign import campaigns_of, ward_campaign
from models.place import all_wards, neighbourhoods_of
from models.report import PUBLIC_HOUSEHOLD, behind, build, choose_period
from models.rules import local_today
from routes.access import (EVERYWHERE, LEADERS, READERS, current_neighbourhood, current_ward,
                           roles)
from routes.web import select_locale, translated
from sheets.report_book import report_csv, report_xlsx, stamp
from vocabulary import REPORT_PERIODS, REPORT_SORTS

bp = Blueprint("report", __name__, url_prefix="/report")
FORMATS = {"csv": "text/csv; charset=utf-8",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
COLOURS = {"broadband": "#0b6bcb", "payment": "#1a7f37", PUBLIC_HOUSEHOLD: "#b35900",
           "vneid": "#6f42c1"}


def _scope():
    """(ward, its groups in the report, the one group asked for or None): a leader reads their
    own group; an officer their ward or one of its groups; an admin any."""
    if g.user.role in LEADERS or request.args.get("neighbourhood"):
        place = current_neighbourhood()
        return place.ward, [place], place
    ward = current_ward()
    return ward, neighbourhoods_of(ward.id), None


def _report():
    """The report the query string asks for, and the problem with it (then: the campaign so
    far, and the page says why)."""
    ward, places, one = _scope()
    today = local_today()
    # The campaign's start: the group's, else the ward's, else its groups' earliest
    campaign = (campaigns_of([one.id]).get(one.id) if one else None) or ward_campaign(ward.id)
    starts = [campaign.starts_on] if campaign else [
        c.starts_on for c in campaigns_of([p.id for p in places]).values()]
    start = min(starts, default=None)
    problem = None
    try:
        period = choose_period(request.args.get("period"), request.args.get("from", ""),
                               request.args.get("to", ""), today, start)
    except Invalid as error:
        problem, period = str(error), choose_period("campaign", "", "", today, start)
    return build(ward, places, period, select_locale(), one, today), problem


def _query(report) -> dict:
    """The query string that names this report again (for its exports and its print page)."""
    q = {"period": report.period.kind}
    if report.period.kind == "custom":
        q.update({"from": report.period.start.isoformat(), "to": report.period.end.isoformat()})
    if report.place is not None:
        q["neighbourhood"] = report.place.id
    elif g.user.role in EVERYWHERE:
        q["ward"] = report.ward.id
    return q


def _page(template: str, **extra):
    report, problem = _report()
    q = _query(report)
    return render_template(template, report=report, problem=problem, q=q,
                           ward_q={k: v for k, v in q.items() if k != "neighbourhood"},
                           period_labels=translated(labels.REPORT_PERIOD_LABELS),
                           periods=REPORT_PERIODS, colours=COLOURS,
                           wards=all_wards() if g.user.role in EVERYWHERE else [],
                           **extra), 422 if problem else 200


@bp.route("")
@roles(*READERS)
def index():
    """The four figures with their targets, every other service, the groups side by side."""
    return _page("report/index.html")


@bp.route("/print")
@roles(*READERS)
def printable():
    """The same report on A4, with a small chart per headline figure."""
    return _page("report/print.html")


@bp.route("/behind")
@roles(*READERS)
def groups_behind():
    """The groups ranked by distance from a figure's target, or by pace over the period."""
    report, problem = _report()
    keys = [c.key for c in report.columns]
    key = request.args.get("figure") or (report.headline[0].key if report.headline else "")
    sort = request.args.get("sort") or "gap"
    if (keys and key not in keys) or sort not in REPORT_SORTS:
        abort(404)
    column = next((c for c in report.columns if c.key == key), None)
    return render_template("report/behind.html", report=report, problem=problem,
                           q=_query(report), column=column, sort=sort,
                           ranked=behind(report, key, sort) if column else [],
                           sort_labels=translated(labels.REPORT_SORT_LABELS),
                           period_labels=translated(labels.REPORT_PERIOD_LABELS),
                           periods=REPORT_PERIODS,
                           wards=all_wards() if g.user.role in EVERYWHERE else []
                           ), 422 if problem else 200


def words_for(report) -> dict:
    """Every word the files write, translated once for the whole export."""
    per, basis = translated(labels.PER_LABELS), translated(labels.AGE_BASIS_LABELS)
    return {
        "title": _("Báo cáo kết quả chuyển đổi số cộng đồng"), "ward": _("Phường/xã"),
        "group": _("Tổ dân phố"), "period": _("Kỳ báo cáo"),
        "period_name": translated(labels.REPORT_PERIOD_LABELS)[report.period.kind],
        "start": _("Từ ngày"), "end": _("Đến ngày"), "generated": _("Lập lúc"),
        "figure": _("Chỉ tiêu"), "per": _("Tính theo"), "base": _("Cơ sở"),
        "done_before": _("Đạt đầu kỳ"), "done": _("Đạt cuối kỳ"), "change": _("Tăng trong kỳ"),
        "rate": _("Tỉ lệ"), "target": _("Mục tiêu"), "gap": _("Còn thiếu so với mục tiêu"),
        "households": _("Số hộ"), "visits": _("Lượt gõ cửa trong kỳ"),
        "reached": _("Hộ đã gặp trong kỳ"), "last_visit": _("Lần gõ cửa gần nhất"),
        "summary": _("Tổng hợp"), "groups": _("Các tổ"),
        "bases": {c.key: per[c.per] if c.per == "household" else f"{per[c.per]} · {basis[c.basis]}"
                  for c in report.columns},
    }


@bp.route("/report.<fmt>")
@roles(*READERS)
def download(fmt: str):
    """The report as a workbook to hand in, or as CSV; the export is audited."""
    if fmt not in FORMATS:
        abort(404)
    report, problem = _report()
    if problem:
        return render_template("error.html", message=problem, status=422), 422
    words = words_for(report)
    body = report_xlsx(report, words) if fmt == "xlsx" else report_csv(report, words)
    places = [line.id for line in report.lines]
    audit("export", user_id=g.user.id,
          neighbourhood_id=report.place.id if report.place else None, object_type="report",
          format=fmt, rows=len(places), neighbourhoods=places,
          period=[report.period.start.isoformat(), report.period.end.isoformat()])
    db.session.commit()
    name = f"gocua-bao-cao-{stamp(report.generated_at)}.{fmt}"
    return Response(body, mimetype=FORMATS[fmt],
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})
