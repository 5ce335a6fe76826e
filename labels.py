"""What each word of `vocabulary.py` (and each code a screen shows) is called, in Vietnamese,
translated to English through Flask-Babel.

Lazy strings: a table is worked out in the request's language once per language and process
by `routes.web.translated`, and handed to every template by `routes.web`; JavaScript gets
`JS_TEXT` once per page (base.html). A label is changed here, and its English in
translations/en/LC_MESSAGES/messages.po.
"""
from __future__ import annotations

# `_` is lazy here (so that the plain `pybabel extract` finds every label): a table is
# translated when it is read, in the language of the request reading it.
from flask_babel import lazy_gettext as _

SLOT_LABELS = {"sang": _("Sáng"), "chieu": _("Chiều"), "toi": _("Tối")}
AVAILABILITY_LABELS = {"free": _("Rảnh"), "unknown": _("Chưa rõ"), "not_free": _("Không rảnh")}
NEVER_TRIED_LABELS = {"sang": _("Chưa thử buổi sáng"), "chieu": _("Chưa thử buổi chiều"),
                      "toi": _("Chưa thử buổi tối")}
WEEKDAY_LABELS = dict(enumerate([_("Thứ 2"), _("Thứ 3"), _("Thứ 4"), _("Thứ 5"), _("Thứ 6"),
                                 _("Thứ 7"), _("Chủ nhật")]))  # date.weekday(): Monday is 0

STATUS_LABELS = {
    "not_visited": _("Chưa đến"), "reached": _("Đã gặp"), "not_home": _("Không có nhà"),
    "appointment": _("Hẹn quay lại"), "declined": _("Từ chối"), "moved": _("Đã chuyển đi"),
    "vacant": _("Nhà trống"), "not_found": _("Không tìm thấy địa chỉ"),
}
OUTCOME_LABELS = {"met": _("Đã gặp"), "not_home": _("Không có nhà"),
                  "come_back": _("Hẹn quay lại"), "declined": _("Từ chối"),
                  "moved": _("Đã chuyển đi"), "vacant": _("Nhà trống"),
                  "not_found": _("Không tìm thấy địa chỉ")}
SERVICE_STATE_LABELS = {
    "no": _("Chưa"), "yes": _("Có"),
    "not_registered": _("Chưa đăng ký"), "captured": _("Đã thu nhận tại công an"),
    "activated": _("Đã kích hoạt"), "in_use": _("Đang sử dụng"),
}
# Where a household's position came from (geo.placement.SOURCES).
POSITION_SOURCE_LABELS = {
    "import": _("toạ độ trong tệp nhập"), "door": _("GPS tại cửa nhà"),
    "pin": _("tổ trưởng ghim trên bản đồ"), "hand": _("tổ trưởng đặt bằng tay trên bản đồ"),
    "geocoder_house": _("tra địa chỉ (đúng số nhà)"),
    "geocoder_street": _("tra địa chỉ (chỉ đến ngõ/đường)"), "lane": _("rải theo ngõ"),
}
# The default services' short names, for the door form's toggles (a group's own service
# keeps its full name); the full name stays the toggle's accessible label.
SERVICE_SHORT_LABELS = {
    "broadband": _("Cáp quang"), "internet_tv": _("Truyền hình IP"), "smartphone": _("Smartphone"),
    "payment": _("Thanh toán"), "vneid": _("VNeID"), "public_service": _("DVC"),
    "local_apps": _("App tỉnh"), "fraud_briefing": _("Lừa đảo"),
}
PER_LABELS = {"household": _("Theo hộ"), "resident": _("Theo người")}
AGE_BASIS_LABELS = {"all": _("Mọi người"), "adult": _("Từ 18 tuổi"), "15plus": _("Từ 15 tuổi"),
                    "working_age": _("Tuổi lao động (15–60)")}
ROLE_LABELS = {"admin": _("Quản trị"), "ward_officer": _("Cán bộ phường"),
               "leader": _("Tổ trưởng"), "volunteer": _("Thành viên tổ")}
STARTUP_STEP_LABELS = {
    "campaign": _("Nhận đợt vận động của phường và chỉnh danh mục của tổ"),
    "households": _("Nhập danh sách hộ"), "positions": _("Đặt vị trí các hộ trên bản đồ"),
    "lanes": _("Xếp các hộ vào ngõ"), "volunteers": _("Thêm thành viên tổ"),
    "links": _("Gửi link đăng nhập cho từng thành viên"),
    "availability": _("Ghi lịch rảnh của thành viên"), "first_shift": _("Lên kế hoạch buổi đi đầu tiên"),
}
# A figure that is not a service of its own (models.figures adds it beside public_service).
PUBLIC_SERVICE_HOUSEHOLD = _("Hộ có người đã dùng dịch vụ công trực tuyến")

# The ward's report: its periods, and how the groups that are behind are ranked.
REPORT_PERIOD_LABELS = {"week": _("Tuần này"), "month": _("Tháng này"), "quarter": _("Quý này"),
                        "campaign": _("Từ đầu đợt vận động"), "custom": _("Từ ngày … đến ngày …")}
REPORT_SORT_LABELS = {"gap": _("Còn xa mục tiêu nhất"), "pace": _("Tăng chậm nhất trong kỳ")}

# The assignment board's warnings (models.board gives codes): the leader is warned, never refused.
LOAD_WARNING_LABELS = {"over_capacity": _("Quá số hộ nhận được"),
                       "not_available": _("Không rảnh buổi này"),
                       "cant_come": _("Đã báo không đi được"),
                       "lane_twice": _("Có ngõ giao hai lần"),
                       "over_window": _("Quá thời gian của buổi"),
                       "availability_unknown": _("Chưa rõ có rảnh không (chưa báo lịch)")}
LANE_WARNING_LABELS = {"twice": _("Ngõ giao cho hai người"),
                       "other_shift": _("Ngõ cũng đã giao ở buổi khác cùng ngày")}

# The audit log: what was done, and how it ended.
ACTION_LABELS = {
    "sign_in": _("Đăng nhập"), "sign_out": _("Đăng xuất"),
    "access_refused": _("Bị từ chối truy cập"),
    "sign_in_link_made": _("Tạo link đăng nhập"), "volunteer_added": _("Thêm thành viên"),
    "volunteer_active": _("Khoá/mở khoá thành viên"), "pin_changed": _("Đặt mã PIN mới"),
    "household_added": _("Thêm hộ"), "household_edited": _("Sửa thông tin hộ"),
    "household_moved_away": _("Ghi nhận hộ chuyển đi"), "household_erased": _("Xoá hộ"),
    "resident_added": _("Thêm nhân khẩu"), "resident_removed": _("Bớt nhân khẩu"),
    "resident_corrected": _("Sửa nhân khẩu"),
    "household_pinned": _("Ghim vị trí hộ trên bản đồ"),
    "household_positioned": _("Ghim vị trí hộ tại cửa nhà"),
    "household_placed_by_hand": _("Đặt hộ lên bản đồ bằng tay"),
    "position_proposed": _("Đề xuất vị trí hộ"),
    "position_proposal_accepted": _("Nhận vị trí đề xuất"),
    "position_proposal_rejected": _("Bỏ vị trí đề xuất"),
    "households_imported": _("Nhập danh sách hộ"),
    "households_import_refused": _("Nhập danh sách hộ bị từ chối"),
    "households_placing_started": _("Bắt đầu định vị các hộ"),
    "households_placed": _("Định vị xong các hộ"),
    "visit_recorded": _("Ghi lượt gõ cửa"), "visit_repeated": _("Lượt gõ cửa gửi lại"),
    "visit_undone": _("Huỷ lượt gõ cửa"), "export": _("Xuất dữ liệu"),
    "shift_created": _("Lên kế hoạch buổi"), "shift_response": _("Báo đi được/không đi được"),
    "lane_saved": _("Lưu ngõ"), "lane_deleted": _("Xoá ngõ"),
    "lanes_imported": _("Nhập đường ngõ từ GeoJSON"),
    "lane_given": _("Giao ngõ"), "lanes_reordered": _("Đổi thứ tự ngõ"),
    "lanes_suggested": _("Gợi ý giao ngõ"), "review_add_to_shift": _("Đưa hộ vào buổi"),
    "availability_saved": _("Lưu lịch rảnh"), "away_added": _("Thêm ngày vắng"),
    "away_removed": _("Bỏ ngày vắng"), "lane_through": _("Đặt ngõ thông"),
    "account_created": _("Tạo tài khoản"), "account_changed": _("Sửa tài khoản"),
    "place_created": _("Tạo địa bàn"), "place_changed": _("Sửa địa bàn"),
    "places_imported": _("Nhập danh sách tổ"), "campaign_changed": _("Sửa đợt vận động"),
    "slot_windows_changed": _("Đổi giờ các buổi"), "shift_edited": _("Sửa buổi"),
    "shift_cancelled": _("Huỷ buổi"), "marked_free": _("Đánh dấu rảnh buổi này"),
}
AUDIT_OUTCOME_LABELS = {"ok": _("Xong"), "failed": _("Sai mật khẩu/PIN"),
                        "refused": _("Bị từ chối"),
                        "throttled": _("Tạm khoá do sai nhiều lần")}

# What the page's scripts say (static/app.js reads them from base.html: gocua.text(key)).
JS_TEXT = {
    "notSaved": _("Chưa lưu: máy chủ từ chối. "),
    "offline": _("Chưa lưu: mất kết nối. Hãy thử lại."),
    "timeout": _("Chưa lưu: máy chủ không trả lời. Hãy thử lại."),
    "signIn": _("Phiên đăng nhập đã hết, hãy đăng nhập lại."),
    # A visit's save, in the same words on the card, the banner and the toast (walk.js).
    "saved": _("Đã lưu."),
    "unsaved": _("Chưa lưu"),
    "waiting": _("Chưa gửi: máy sẽ tự gửi khi có mạng."),
    "queue": _("Chưa gửi %(n)s lượt: máy sẽ tự gửi khi có mạng.", n="{n}"),
    "sentWaiting": _("Đã lưu %(n)s lượt chờ gửi.", n="{n}"),
    "noPosition": _("Điện thoại không cho biết vị trí."),
    "positionFailed": _("Không lấy được vị trí. Hãy bật định vị cho trình duyệt."),
    "mapFailed": _("Chưa tải được bản đồ."),
    "pinSaved": _("Đã lưu vị trí mới."),
    "pinFailed": _("Chưa lưu vị trí: "),
    "placeClick": _("Bấm vào chỗ ngôi nhà trên bản đồ để đặt: "),
    "placeSaved": _("Đã đặt vị trí: "),
    "laneDrawn": _("Đã vẽ %(n)s điểm, từ đầu ngõ. Đặt tên rồi bấm Lưu ngõ.", n="{n}"),
    "copied": _("Đã sao chép link. Dán vào tin nhắn Zalo để gửi."),
    "copyFailed": _("Chưa sao chép được: hãy bấm giữ vào link để sao chép."),
    "unsentAtSignOut": _("Còn %(n)s lượt gõ cửa chưa gửi lên máy chủ. Gửi trước rồi hãy đăng xuất?",
                         n="{n}"),
    "stillUnsent": _("Vẫn chưa gửi được %(n)s lượt (chưa có mạng?). Hãy thử lại khi có mạng, hoặc "
                     "đăng xuất và gửi sau.", n="{n}"),
}
