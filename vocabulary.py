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

# The status palette, chosen to stay apart for common colour blindness and on a sunlit
# phone screen; maps, the CSS classes `st-<status>` and the legends all read it.
STATUS_COLOURS = {
    "not_visited": "#6b7280",  # grey: nobody has knocked yet
    "reached": "#16a34a",      # green: met, the work is done or under way
    "not_home": "#f59e0b",     # amber: knock again
    "appointment": "#2563eb",  # blue: come back at the agreed time
    "declined": "#dc2626",     # red: said no
    "moved": "#7c3aed",        # purple: moved away
    "vacant": "#4b5563",       # slate: nobody lives there
    "not_found": "#a16207",    # ochre: the address could not be found
}

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
