"""How long a shift's work takes: walking pace, and minutes at a door from the services
still missing in the household (estimates for the board and the stored walks)."""
from __future__ import annotations

from collections import defaultdict

from extensions import db
from models.campaign import Service
from models.household import Household, Resident
from models.rules import to_ask
from models.shift import Shift
from models.visit import ServiceState

# Estimated minutes: walking pace in lanes, a knock and greeting, then each missing service.
# A first visit to three adults comes to about 15 minutes; a follow-up for one service, 4.
WALK_M_PER_MIN = 60.0
STREET_DETOUR = 1.3  # on foot along the streets against a straight line, roughly
VISIT_BASE_MIN = 2.0
VISIT_MAX_MIN = 25.0
SERVICE_MIN = {"broadband": 1, "internet_tv": 0.5, "smartphone": 0.5, "payment": 1.5,
               "vneid": 2, "public_service": 1.5, "local_apps": 0.5, "fraud_briefing": 1}
SERVICE_DEFAULT_MIN = 1.0
NEXT_PERSON = 0.3  # each further person for the same service: the phone is already out


def visit_minutes(households: list[Household], shift: Shift) -> dict[int, float]:
    """{household id: estimated minutes at the door}, from the services still missing."""
    ids = [h.id for h in households]
    if not ids:
        return {}
    services = db.session.scalars(db.select(Service).where(
        Service.campaign_id == shift.campaign_id)).all() if shift.campaign_id else []
    by_id = {s.id: s for s in services}
    done = {(hid, rid, sid) for hid, rid, sid, state in db.session.execute(
        db.select(ServiceState.household_id, ServiceState.resident_id, ServiceState.service_id,
                  ServiceState.state).where(ServiceState.household_id.in_(ids)))
        if sid in by_id and by_id[sid].is_done(state)}
    people: dict[int, list] = defaultdict(list)
    for hid, rid, year in db.session.execute(
            db.select(Resident.household_id, Resident.id, Resident.birth_year)
            .where(Resident.household_id.in_(ids))):
        people[hid].append((rid, year))
    # Plain tuples, worked out once: a ward's 3,000 households times each service would
    # otherwise read the services' mapped attributes and ages a hundred thousand times.
    plans = [(s.id, s.per == "household", SERVICE_MIN.get(s.code, SERVICE_DEFAULT_MIN),
              s.age_basis) for s in services]
    asked = {basis: {hid: [rid for rid, born in folks if to_ask(born, basis, shift.day.year)]
                     for hid, folks in people.items()}
             for basis in {plan[3] for plan in plans if not plan[1]}}
    result = {}
    for hid in ids:
        minutes = VISIT_BASE_MIN
        for sid, per_household, each, basis in plans:
            if per_household:
                minutes += 0 if (hid, None, sid) in done else each
                continue
            missing = sum(1 for rid in asked[basis].get(hid, ()) if (hid, rid, sid) not in done)
            minutes += each * (1 + NEXT_PERSON * (missing - 1)) if missing else 0
        result[hid] = min(minutes, VISIT_MAX_MIN)
    return result
