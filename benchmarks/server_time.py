"""Server time of a ward officer's pages (/dashboard, the report on screen, as XLSX and CSV,
the groups that are behind) and a leader's (/dashboard, /review, /review/map, /households/map,
the group's report) for a ward of 30,000 households in 300 groups (the leader's of 400), with
residents, visits and services, the groups running copies of the ward's campaign.

    .venv/bin/python benchmarks/server_time.py [--households 30000] [--groups 300] [--runs 20]
        [--postgres postgresql://postgres@127.0.0.1:5432/postgres] [--only sqlite|postgresql]

SQLite always (a scratch file); PostgreSQL too when --postgres or TEST_DATABASE_URL is given:
a scratch database `gocua_bench_server_time` is created on that server and dropped after.
Rows go in with bulk Core inserts; requests go through the Flask test client.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import create_engine, insert, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import (Campaign, Household, Lane, Neighbourhood, Resident, Service,  # noqa: E402
                    ServiceRecord, ServiceState, User, UserSession, Visit, Ward)
from models.campaign import DEFAULT_SERVICES  # noqa: E402

LEADERS_GROUP, LANES = 400, 12
OUTCOMES = [("met", 55), ("not_home", 25), ("come_back", 5), ("declined", 5), ("not_found", 3),
            ("moved", 4), ("vacant", 3)]
STATUS = {"met": "reached", "not_home": "not_home", "come_back": "appointment",
          "declined": "declined", "moved": "moved", "vacant": "vacant", "not_found": "not_found"}


def sizes(households: int, groups: int) -> list[int]:
    """Households per group: the leader's (the first) 400, the others share the rest."""
    first = min(LEADERS_GROUP, households)
    rest, others = households - first, max(0, groups - 1)
    return [first] + [rest // others + (1 if k < rest % others else 0) for k in range(others)]


def build(households: int, groups: int = 300, seed: int = 6) -> dict:
    """The ward, inserted in bulk; returns the ids the requests need."""
    rng = random.Random(seed)
    year, now = date.today().year, datetime.utcnow()
    per_place = sizes(households, groups)
    places = len(per_place)
    rows = {t: [] for t in ("ward", "neighbourhood", "lane", "campaign", "service", "user",
                            "household", "resident", "visit", "service_record", "service_state")}
    rows["ward"].append({"id": 1, "name": "Phường Thử Tải", "province": "Thái Nguyên", "aliases": ""})
    rows["user"].append({"id": 1, "name": "Cán bộ phường", "role": "ward_officer", "ward_id": 1,
                         "username": "officer", "active": True, "capacity": 25})
    ids = {"service": 0, "lane": 0, "household": 0, "resident": 0, "visit": 0, "record": 0}
    # The ward's campaign (id places + 1), whose services each group's copy follows
    ward_services = {}
    rows["campaign"].append({"id": places + 1, "ward_id": 1, "name": "Chuyển đổi số 2026",
                             "starts_on": date.today() - timedelta(days=70), "active": True})
    for position, (code, vi, en, per, basis, target, states, done) in enumerate(DEFAULT_SERVICES):
        ids["service"] += 1
        ward_services[code] = ids["service"]
        rows["service"].append({"id": ids["service"], "campaign_id": places + 1, "code": code,
                                "label_vi": vi, "label_en": en, "per": per, "age_basis": basis,
                                "target_pct": target, "states": list(states), "done_from": done,
                                "position": position})
    for p in range(1, places + 1):
        rows["neighbourhood"].append({"id": p, "ward_id": 1, "name": f"Tổ dân phố số {p}",
                                      "meeting_point": "Nhà văn hoá", "meeting_lat": 21.55,
                                      "meeting_lon": 105.86})
        rows["user"].append({"id": 1 + p, "name": f"Tổ trưởng {p}", "role": "leader",
                             "ward_id": 1, "neighbourhood_id": p, "username": f"leader{p}",
                             "active": True, "capacity": 25})
        rows["campaign"].append({"id": p, "neighbourhood_id": p, "ward_id": 1,
                                 "parent_id": places + 1, "name": "Chuyển đổi số 2026",
                                 "starts_on": date.today() - timedelta(days=70), "active": True})
        services = []
        for position, (code, vi, en, per, basis, target, states, done) in enumerate(DEFAULT_SERVICES):
            ids["service"] += 1
            services.append((ids["service"], per, states))
            rows["service"].append({"id": ids["service"], "campaign_id": p, "code": code,
                                    "label_vi": vi, "label_en": en, "per": per, "age_basis": basis,
                                    "target_pct": target, "states": list(states), "done_from": done,
                                    "position": position, "parent_id": ward_services[code]})
        lanes = []
        for k in range(LANES):
            ids["lane"] += 1
            lanes.append(ids["lane"])
            rows["lane"].append({"id": ids["lane"], "neighbourhood_id": p, "name": f"Ngõ {k * 10 + 2}",
                                 "street": "Đường Thử", "position": k,
                                 "path": [[21.55 + k * 1e-4, 105.86], [21.551 + k * 1e-4, 105.86]]})
        for n in range(per_place[p - 1]):
            household(rng, rows, ids, p, lanes[n % LANES], n, services, year, now)
    t0 = time.perf_counter()
    for table, batch in rows.items():
        model = {"ward": Ward, "neighbourhood": Neighbourhood, "lane": Lane, "campaign": Campaign,
                 "service": Service, "user": User, "household": Household, "resident": Resident,
                 "visit": Visit, "service_record": ServiceRecord,
                 "service_state": ServiceState}[table]
        for start in range(0, len(batch), 20_000):
            db.session.execute(insert(model), batch[start:start + 20_000])
    db.session.add_all([UserSession(id="bench-officer", user_id=1),
                        UserSession(id="bench-leader", user_id=2)])
    db.session.commit()
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("ANALYZE"))  # what autovacuum does after a bulk load
        db.session.commit()
    counts = {t: len(b) for t, b in rows.items() if t in ("household", "resident", "visit",
                                                           "service_state")}
    print(f"  inserted {counts} in {time.perf_counter() - t0:.1f} s", flush=True)
    return counts


def household(rng, rows, ids, place, lane, n, services, year, now) -> None:
    """One household, its residents, its visits and what was set up."""
    ids["household"] += 1
    hid = ids["household"]
    people = []
    for k in range(rng.choice([1, 2, 3, 3, 4, 5])):
        ids["resident"] += 1
        people.append(ids["resident"])
        rows["resident"].append({"id": ids["resident"], "household_id": hid,
                                 "label": "chủ hộ" if k == 0 else "con",
                                 "birth_year": year - rng.randint(20 if k == 0 else 1, 85)})
    outcome, current = None, {}
    for visit_no in range(rng.choice([0, 0, 1, 1, 2, 3])):
        outcome = rng.choices(*zip(*OUTCOMES))[0]
        ids["visit"] += 1
        at = now - timedelta(days=rng.randint(0, 60), hours=rng.randint(0, 12))
        rows["visit"].append({"id": ids["visit"], "client_id": f"b{ids['visit']}",
                              "household_id": hid, "outcome": outcome, "note": "",
                              "happened_at": at, "recorded_at": at,
                              "come_back_day": date.today() + timedelta(days=3)
                              if outcome == "come_back" else None,
                              "come_back_slot": "toi" if outcome == "come_back" else None})
        if outcome == "met":
            for sid, per, states in services:
                for rid in ([None] if per == "household" else people):
                    state = rng.choice(states[-2:] if rng.random() < 0.8 else states[:1])
                    ids["record"] += 1
                    rows["service_record"].append({"id": ids["record"], "visit_id": ids["visit"],
                                                   "service_id": sid, "resident_id": rid,
                                                   "state": state})
                    current[(sid, rid)] = {"id": ids["record"], "household_id": hid,
                                           "resident_id": rid, "service_id": sid,
                                           "state": state, "visit_id": ids["visit"]}
    rows["service_state"] += current.values()
    rows["household"].append({"id": hid, "neighbourhood_id": place, "lane_id": lane,
                              "street": "Đường Thử", "house_number": str(n + 1),
                              "head_name": f"Nguyễn Văn {n}", "head_name_folded": f"nguyen van {n}",
                              "members": len(people), "note": "", "lat": 21.55 + n * 1e-6,
                              "lon": 105.86 + n * 1e-6, "position_approximate": False,
                              "status": STATUS[outcome] if outcome else "not_visited",
                              "created_at": now, "updated_at": now, "version": 1})


def timed(client, sid: str, path: str, runs: int) -> tuple[float, float, float]:
    """(median, p95) wall time and median CPU time of this process, in ms. On a shared
    machine the wall time carries everyone's load; with SQLite (in this process) the CPU
    time is what the request itself cost."""
    with client.session_transaction() as session:
        session["sid"] = sid
    assert client.get(path).status_code == 200  # warm-up
    times, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    times.sort()
    return (statistics.median(times), times[min(len(times) - 1, int(0.95 * len(times)))],
            statistics.median(cpu))


PAGES = [("ward officer", "bench-officer", "/dashboard"),
         ("ward officer", "bench-officer", "/report"),
         ("ward officer", "bench-officer", "/report/behind"),
         ("ward officer", "bench-officer", "/report/report.xlsx"),
         ("ward officer", "bench-officer", "/report/report.csv"),
         ("ward officer", "bench-officer", "/report/print"),
         ("leader", "bench-leader", "/dashboard"),
         ("leader", "bench-leader", "/report"),
         ("leader", "bench-leader", "/review"),
         ("leader", "bench-leader", "/review/map"),
         ("leader", "bench-leader", "/households/map")]


def run(url: str, label: str, households: int, groups: int, runs: int,
        fresh: bool = True) -> None:
    print(f"== {label}")
    with tempfile.TemporaryDirectory() as instance:
        app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": url,
                          "SECRET_KEY": "bench", "INSTANCE_PATH": instance})
        with app.app_context():
            if fresh:
                db.create_all()
                build(households, groups)
            client = app.test_client()
            for who, sid, path in PAGES:
                median, p95, cpu = timed(client, sid, path, runs)
                print(f"  {path:<20} ({who:<12}) median {median:7.1f} ms   p95 {p95:7.1f} ms"
                      f"   cpu {cpu:7.1f} ms   ({runs} runs)", flush=True)
            db.session.remove()
            db.engine.dispose()


def scratch_postgres(server_url: str):
    """A fresh database on the given server; returns (its URL, a function dropping it)."""
    url = make_url(server_url.replace("postgres://", "postgresql://", 1))
    url = url.set(drivername="postgresql+psycopg")
    name = "gocua_bench_server_time"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False), drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=30_000)
    parser.add_argument("--groups", type=int, default=300)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--postgres", default=os.environ.get("TEST_DATABASE_URL"))
    parser.add_argument("--only", choices=("sqlite", "postgresql"))
    parser.add_argument("--keep", help="a SQLite file to build once and time again (no rebuild "
                                       "when it exists): for working on one query")
    args = parser.parse_args()
    what = f"{args.households} households, {args.groups} groups"
    if args.only != "postgresql":
        if args.keep:
            run(f"sqlite:///{Path(args.keep).resolve()}", f"SQLite, {what}", args.households,
                args.groups, args.runs, fresh=not Path(args.keep).exists())
        else:
            with tempfile.TemporaryDirectory() as folder:
                run(f"sqlite:///{folder}/bench.sqlite3", f"SQLite, {what}", args.households,
                    args.groups, args.runs)
    if args.postgres and args.only != "sqlite":
        url, drop = scratch_postgres(args.postgres)
        try:
            run(url, f"PostgreSQL, {what}", args.households, args.groups, args.runs)
        finally:
            drop()


if __name__ == "__main__":
    main()
