"""The audit log: the leader reads who changed or exported what in their neighbourhood."""
from __future__ import annotations

from flask import Blueprint, g, render_template, request
from flask_babel import lazy_gettext as _l

from extensions import db
from models import AuditEntry, User
from routes.access import roles

bp = Blueprint("audit", __name__, url_prefix="/audit")
PAGE = 50

ACTION_LABELS = {
    "sign_in": _l("Đăng nhập"), "sign_out": _l("Đăng xuất"),
    "access_refused": _l("Bị từ chối truy cập"),
    "sign_in_link_made": _l("Tạo link đăng nhập"), "volunteer_added": _l("Thêm thành viên"),
    "volunteer_active": _l("Khoá/mở khoá thành viên"),
    "household_added": _l("Thêm hộ"), "household_edited": _l("Sửa thông tin hộ"),
    "household_moved_away": _l("Ghi nhận hộ chuyển đi"), "household_erased": _l("Xoá hộ"),
    "resident_added": _l("Thêm nhân khẩu"), "resident_removed": _l("Bớt nhân khẩu"),
    "household_pinned": _l("Ghim vị trí hộ trên bản đồ"),
    "household_positioned": _l("Ghim vị trí hộ tại cửa nhà"),
    "households_imported": _l("Nhập danh sách hộ"),
    "households_import_refused": _l("Nhập danh sách hộ bị từ chối"),
    "households_placing_started": _l("Bắt đầu định vị các hộ"),
    "visit_recorded": _l("Ghi lượt gõ cửa"), "visit_repeated": _l("Lượt gõ cửa gửi lại"),
    "visit_undone": _l("Huỷ lượt gõ cửa"), "export": _l("Xuất dữ liệu"),
    "shift_created": _l("Lên kế hoạch buổi"), "shift_response": _l("Báo đi được/không đi được"),
    "lane_given": _l("Giao ngõ"), "lanes_reordered": _l("Đổi thứ tự ngõ"),
    "lanes_suggested": _l("Gợi ý giao ngõ"), "review_add_to_shift": _l("Đưa hộ vào buổi"),
    "availability_saved": _l("Lưu lịch rảnh"), "away_added": _l("Thêm ngày vắng"),
    "away_removed": _l("Bỏ ngày vắng"), "lane_through": _l("Đặt ngõ thông"),
}
OUTCOME_LABELS = {"ok": _l("Xong"), "failed": _l("Sai mật khẩu/PIN"),
                  "refused": _l("Bị từ chối"), "throttled": _l("Tạm khoá do sai nhiều lần")}


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


def account_names(entries: list[AuditEntry]) -> dict[int, str]:
    """The names of the accounts the entries are about (a refused sign-in, a volunteer added)."""
    ids = {e.object_id for e in entries if e.object_type == "user" and e.object_id}
    if not ids:
        return {}
    return dict(db.session.execute(db.select(User.id, User.name).where(User.id.in_(ids))).all())


@bp.route("/")
@roles("leader", "admin")
def index():
    """Who did what, when, with what outcome (newest first, 50 a page)."""
    entries = entries_for(g.user, request.args.get("before", type=int))
    return render_template("audit/index.html", entries=entries, labels=ACTION_LABELS,
                           outcomes=OUTCOME_LABELS, accounts=account_names(entries),
                           more=len(entries) == PAGE)
