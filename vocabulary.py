"""The domain's words: the codes Gõ Cửa stores, sends and shows, in their order.

Pure Python (no Flask): models, routes, templates and the pure packages read them from
here. Each code's label, in Vietnamese and English, is in `labels.py`; a test checks that
every code here has one there, so adding a word is an edit here and one there.
"""
from __future__ import annotations

# -- Slots (buổi): the parts of a day an outing goes out in, in the day's order ---------
SLOTS = ("sang", "chieu", "toi")  # sáng, chiều, tối
SLOT_ORDER = {slot: k for k, slot in enumerate(SLOTS)}
# The local hour each slot begins (the last runs to midnight): `rules.slot_at` and its
# SQL twin read the slot of a time from here.
SLOT_STARTS = {"sang": 0, "chieu": 11, "toi": 17}
# A shift's time window by default (a group sets its own, a shift may change it): a plan
# never gives a volunteer more minutes than the window holds.
SLOT_WINDOWS = {"sang": ("08:00", "11:00"), "chieu": ("14:00", "17:00"), "toi": ("19:00", "21:00")}

# -- Whether a volunteer is free for a shift: said yes, never said (chưa rõ), said no ----
FREE, UNKNOWN, NOT_FREE = AVAILABILITIES = ("free", "unknown", "not_free")

# -- A household's status, derived from its latest visit that counts -------------------
STATUSES = ("not_visited", "reached", "not_home", "appointment", "declined", "moved",
            "vacant", "not_found")
NOT_VISITED = "not_visited"
# As a progress bar shows them: reached first, untouched last.
PROGRESS_ORDER = ("reached", "appointment", "not_home", "declined", "not_found", "moved",
                  "vacant", "not_visited")
# Still to be reached: what the review list shows.
OPEN = ("not_visited", "not_home", "appointment", "declined", "not_found")
# Left out of a walk unless the leader adds them back by hand.
SETTLED = ("reached", "moved", "declined", "vacant")
# No longer part of any figure's base: nobody lives there.
GONE = ("moved", "vacant")

# The status palette. Every colour stands out at least 3:1 against the map tiles' light
# background (MAP_BACKGROUNDS: OpenStreetMap's land colour, and white roads) and stays apart
# (CIE ΔE ≥ 20) for normal sight and for red-blind and green-blind sight (simulated,
# Machado 2009): tests/test_palette.py computes both. Maps, the CSS classes `st-<status>`,
# cluster icons and the legends all read it.
STATUS_COLOURS = {
    "not_visited": "#64748b",  # slate grey: nobody has knocked yet
    "reached": "#059669",      # green: met, the work is done or under way
    "not_home": "#ea580c",     # orange: knock again
    "appointment": "#1d4ed8",  # blue: come back at the agreed time
    "declined": "#e11d48",     # rose red: said no
    "moved": "#86198f",        # plum: moved away
    "vacant": "#1f2937",       # near black: nobody lives there
    "not_found": "#78350f",    # brown: the address could not be found
}
MAP_BACKGROUNDS = ("#f2efe9", "#ffffff")

# -- A visit's outcome (lượt gõ cửa), and the status it leaves the household in --------
OUTCOMES = ("met", "not_home", "come_back", "declined", "moved", "vacant", "not_found")
STATUS_OF_OUTCOME = {"met": "reached", "not_home": "not_home", "come_back": "appointment",
                     "declined": "declined", "moved": "moved", "vacant": "vacant",
                     "not_found": "not_found"}
# Someone opened the door (the review's odds of finding someone home in a slot).
HOME = ("met", "come_back", "declined")
# Not an outcome: a visit that cancels a wrong tap (see rules.counting).
UNDO = "undo"

# -- Age bases of a per-resident service: code -> (lowest age, highest age), inclusive --
AGE_BASES = {"all": (0, 200), "adult": (18, 200), "15plus": (15, 200), "working_age": (15, 60)}

# -- The periods a ward's report covers (models.report.choose_period): ending today, or
# from and to days of one's choosing
REPORT_PERIODS = ("week", "month", "quarter", "campaign", "custom")
# How the report ranks the groups that are behind: distance from target, or pace
REPORT_SORTS = ("gap", "pace")

# -- A service is counted per household or per resident -------------------------------
PER = ("household", "resident")

# -- Service states of the default checklist (a campaign may name its own) --------------
SERVICE_STATES = ("no", "yes", "not_registered", "captured", "activated", "in_use")

# -- A new group's start-up steps, in the order they are done (models.startup) ----------
STARTUP_STEPS = ("campaign", "households", "positions", "lanes", "volunteers", "links",
                 "availability", "first_shift")

# -- Roles: who signs in. Which role may do what is in routes/access.py ----------------
ADMIN, WARD_OFFICER, LEADER, VOLUNTEER = ROLES = ("admin", "ward_officer", "leader",
                                                  "volunteer")

# -- The words of a ward's household list (danh sách hộ / nhân khẩu) ------------------
# Column headers as sheets/columns.py matches them: folded (no diacritics, lower case),
# punctuation and brackets read as spaces. "Họ và tên chủ hộ" is "ho va ten chu ho".
HEADER_WORDS: dict[str, tuple[str, ...]] = {
    "house_number": ("so nha", "so can", "sn", "so nha rieng", "house number", "house no",
                     "house"),
    "lane": ("ngo", "ngach", "hem", "kiet", "ngo ngach", "ngo hem", "ngo xom", "lane", "alley"),
    "street": ("duong", "pho", "duong pho", "ten duong", "ten pho", "street", "road"),
    # One column for the whole address: split into house number, lane path and street
    "address": ("dia chi", "dia chi thuong tru", "dia chi cu tru", "dia chi hien nay",
                "noi o hien nay", "noi o hien tai", "cho o hien nay", "noi thuong tru",
                "dia chi nha", "address"),
    "head_name": ("chu ho", "ho ten chu ho", "ho va ten chu ho", "ten chu ho", "ho ten ch",
                  "head name", "head of household", "household head"),
    # A person's name: the head's in a household list, each resident's in a person list
    "name": ("ho va ten", "ho ten", "ho va ten nhan khau", "ho ten nhan khau", "ten",
             "full name", "name"),
    "members": ("so nhan khau", "so khau", "nhan khau", "so nguoi", "so thanh vien",
                "so nk", "tong so nhan khau", "so nguoi trong ho", "members", "residents",
                "household size", "number of members"),
    "phone": ("so dien thoai", "sdt", "dien thoai", "so dt", "dt", "dien thoai lien he",
              "so dien thoai lien he", "sdt lien he", "so dt lien he", "lien he",
              "dien thoai di dong", "so di dong", "di dong", "phone", "phone number",
              "telephone", "mobile"),
    "relation": ("quan he voi chu ho", "quan he", "quan he chu ho", "qh voi chu ho", "qh voi ch",
                 "quan he vs chu ho", "relation", "relationship", "relation to head"),
    "birth": ("ngay sinh", "nam sinh", "ngay thang nam sinh", "ngay thang sinh", "sinh ngay",
              "sinh nam", "date of birth", "birth date", "birth year", "year of birth", "born"),
    "lat": ("vi do", "lat", "latitude"),
    "lon": ("kinh do", "lon", "lng", "long", "longitude"),
    "note": ("ghi chu", "note", "notes", "remarks"),
}
# A running number (STT) is in nearly every list: known, and carries no data.
ORDINAL_HEADERS = ("stt", "tt", "so thu tu", "so tt", "no", "#", "ordinal")
# Known columns of a ward's list that Gõ Cửa does not keep (the minimum is kept).
UNKEPT_HEADERS = ("gioi tinh", "gioi", "nam nu", "sex", "gender", "dan toc", "ton giao",
                  "quoc tich", "nghe nghiep", "noi lam viec", "que quan", "nguyen quan",
                  "noi sinh", "trinh do", "trinh do van hoa", "so ho khau", "ma ho",
                  "ma ho gia dinh", "to", "thon", "xom", "ethnicity", "religion", "occupation")
# An ID-card column (CCCD, CMND, personal identity number) is never read: a header
# holding any of these words is dropped, whatever else it says.
ID_CARD_WORDS = ("cccd", "cmnd", "cmt", "can cuoc", "chung minh", "dinh danh", "ho chieu",
                 "passport", "id card", "id number", "identity", "national id")
# The figure columns of the leader's own export (routes/export.py), in both languages:
# derived from visits, so a re-import skips them. The campaign's service columns are
# added from the database at import time.
EXPORT_FIGURE_HEADERS = ("to dan pho", "tinh trang", "so lan go cua", "lan go gan nhat",
                         "dong y luu thong tin", "neighbourhood", "status", "visits",
                         "last visit", "consent to keep data")
# The relation that starts a household in a person-per-row list.
HEAD_RELATIONS = ("chu ho", "ch", "chu", "ban than", "head", "head of household", "self")
# What a resident created from a bare member count is called until the door says more,
# and the head of household when a household list gives the head's birth date.
UNKNOWN_RELATION = "chưa rõ"
HEAD_RELATION = "chủ hộ"
# Words that open a row under the data which is not data: a signature block, a note, a total.
FOOTER_WORDS = ("nguoi lap", "nguoi lap bieu", "nguoi lap danh sach", "to truong",
                "to pho", "truong thon", "truong xom", "truong ban", "bi thu", "can bo",
                "xac nhan", "ky ghi ro", "ky va ghi ro", "ky ten", "ghi chu", "chu thich",
                "tong cong", "tong so", "tong so ho", "cong", "ngay", "tm", "t m", "ubnd",
                "uy ban", "tran trong", "luu y", "total", "prepared by", "signed")
# Parts of a written address that name no house, lane or street: dropped when split.
ADMIN_WORDS = ("to", "to dan pho", "tdp", "khu pho", "kp", "thon", "xom", "ap", "phuong",
               "p", "xa", "quan", "q", "huyen", "thi xa", "thanh pho", "tp", "tinh", "viet nam")
