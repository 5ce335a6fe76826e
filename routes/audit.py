"""The audit log: the leader reads who changed or exported what in their neighbourhood."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request

from extensions import db
from models import AuditEntry, User
from routes.access import roles

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE = 50

ACTION_LABELS = {
    "sign_in": "Đăng nhập", "sign_out": "Đăng xuất", "access_refused": "Bị từ chối truy cập",
    "sign_in_link_made": "Tạo link đăng nhập", "volunteer_added": "Thêm thành viên",
    "volunteer_active": "Khoá/mở khoá thành viên",
}


def entries_for(user: User, before: int | None) -> list[AuditEntry]:
    """Newest first: the leader's neighbourhood, and what its people did anywhere."""
    people = db.select(User.id).where(User.neighbourhood_id == user.neighbourhood_id)
    query = db.select(AuditEntry).order_by(AuditEntry.id.desc()).limit(PAGE)
    if user.role != "admin":
        query = query.where(db.or_(AuditEntry.neighbourhood_id == user.neighbourhood_id,
                                   AuditEntry.user_id.in_(people)))
    if before:
        query = query.where(AuditEntry.id < before)
    return db.session.scalars(query).all()


@bp.route("/")
@roles("leader", "admin")
def index():
    """Who did what, when, with what outcome (newest first, 50 a page)."""
    entries = entries_for(g.user, request.args.get("before", type=int))
    return render_template("audit/index.html", entries=entries, labels=ACTION_LABELS,
                           more=len(entries) == PAGE)
