"""Planning a whole ward for one shift: Suggest plus building every volunteer's walk.

A synthetic ward of 3,000 households in ~400 lanes (ngõ off a street grid, some ngách
off the ngõ), 40 volunteers free that slot. Timed twice:
  1. the pure planner calls (planner.balance_lanes, then plan_walk and walk_length_m
     for each volunteer, lane by lane in the order Suggest gave);
  2. the app's code path (models.board.suggest: the lanes' households and minutes from
     the database, balance, assignments, and every walk built and stored), on SQLite and
     on PostgreSQL.
Target: under 1 second for each. The walking figures beside OR-Tools and VROOM, on the
walking network, come from ../shared/bench/ward_bench.py (`make bench` runs both).

Run: .venv/bin/python benchmarks/ward_plan.py [--repeat 5] [--postgres URL]
PostgreSQL: --postgres, else $WARD_PLAN_PG, else $TEST_DATABASE_URL (e.g.
postgresql://postgres@127.0.0.1:5432/gocua_plan); the run works in a schema of its own,
"ward_plan", dropped afterwards. Without any, the PostgreSQL run is skipped with a line.
"""
from __future__ import annotations

import argparse
import gc
import math
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, time as dt_time, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np  # noqa: E402

import planner  # noqa: E402
from planner.geometry import haversine_pairs_m  # noqa: E402

HOUSEHOLDS, LANES, VOLUNTEERS = 3000, 400, 40
DOOR_MIN, WALK_M_PER_MIN = 12.0, 60.0   # as ../shared/bench/ward_bench.py
LAT0, LON0 = 21.59, 105.84
M_LAT, M_LON = 1 / 111_320, 1 / (111_320 * math.cos(math.radians(LAT0)))


def ward(seed: int = 4):
    """[(lane key, parent key or None, path)], [(lane key, number, lat, lon)], start."""
    rng = random.Random(seed)
    lanes, houses = [], []
    streets, per_street = 8, LANES // 8
    for s in range(streets):
        y = s * 260.0  # metres north; streets run east-west, ngõ go north from them
        ngo = [k for k in range(per_street) if k % 4 != 3]
        for k in range(per_street):
            key = f"{s}-{k}"
            if k in ngo:
                x, length = k * 45.0 + rng.uniform(-5, 5), rng.uniform(60, 160)
                path = [(y, x), (y + length / 2, x + rng.uniform(-8, 8)), (y + length, x)]
                lanes.append((key, None, path))
            else:  # a ngách off the previous ngõ, going east from its middle
                parent = lanes[-1]
                (py, px) = parent[2][1]
                path = [(py, px), (py + rng.uniform(-5, 5), px + rng.uniform(30, 60))]
                lanes.append((key, parent[0], path))
    per_lane = HOUSEHOLDS / len(lanes)
    for i, (key, _parent, path) in enumerate(lanes):
        count = int(per_lane * (i + 1)) - int(per_lane * i)
        (y0, x0), (y1, x1) = path[0], path[-1]
        for n in range(count):
            t = (n + 1) / (count + 1)
            side = 6.0 if n % 2 else -6.0
            dy, dx = y1 - y0, x1 - x0
            norm = math.hypot(dy, dx) or 1
            houses.append((key, str(n + 1), y0 + t * dy - side * dx / norm,
                           x0 + t * dx + side * dy / norm))
    return lanes, houses, (130.0, per_street * 22.0)


def to_ll(y: float, x: float) -> tuple[float, float]:
    return (LAT0 + y * M_LAT, LON0 + x * M_LON)


def lane_info(stops, path, parent, key) -> dict:
    """What models/board.suggest tells the planner about a lane: minutes (in and out, then
    DOOR_MIN at each door), the middle of its doors, its path, ngõ and street."""
    p = np.asarray(path)
    walking = 2 * float(haversine_pairs_m(p[:-1], p[1:]).sum()) / WALK_M_PER_MIN
    return {"minutes": round(walking + DOOR_MIN * len(stops), 1), "households": len(stops),
            "lat": sum(s["lat"] for s in stops) / len(stops),
            "lon": sum(s["lon"] for s in stops) / len(stops),
            "path": path, "parent": parent, "street": street_of(key)}


def street_of(key: str) -> str:
    return f"Phố {key.split('-')[0]}"


def pure(repeat: int) -> None:
    lanes, houses, start_yx = ward()
    start = to_ll(*start_yx)
    paths = {key: [to_ll(*p) for p in path] for key, _parent, path in lanes}
    stops_of: dict[str, list[dict]] = {}
    for key, number, y, x in houses:
        lat, lon = to_ll(y, x)
        stops_of.setdefault(key, []).append({"id": f"{key}/{number}", "lat": lat, "lon": lon,
                                             "lane": key})
    parent = {key: p for key, p, _path in lanes}
    caps = {v: {"max_households": 90} for v in range(VOLUNTEERS)}
    timings = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        info = {key: lane_info(stops, paths[key], parent[key], key) for key, stops in stops_of.items()}
        plan = planner.balance_lanes(info, caps)
        t1 = time.perf_counter()
        metres = 0.0
        for v, lane_keys in plan.items():
            if v is None or not lane_keys:
                continue
            used = {k for k in lane_keys} | {parent[k] for k in lane_keys if parent[k]}
            sub = {k: paths[k] for k in used}
            stops = [s for k in lane_keys for s in stops_of[k]]
            order = planner.plan_walk(stops, sub, start)
            metres += planner.walk_length_m(order, stops, sub, start)
        t2 = time.perf_counter()
        timings.append((t1 - t0, t2 - t1, t2 - t0))
    left = len(plan.get(None, []))
    print(f"pure planner   : {len(houses)} households, {len(lanes)} lanes, {VOLUNTEERS} volunteers,"
          f" {left} lanes left over, {metres / 1000:.1f} km walked in all")
    _report(timings, ("balance_lanes", "every walk", "total"))


def through_db(repeat: int, postgres: str | None = None) -> None:
    """Suggest through the app on SQLite, or on PostgreSQL in a schema of its own."""
    if postgres is None:
        with tempfile.TemporaryDirectory() as tmp:
            _through_db(repeat, "SQLite", f"sqlite:///{tmp}/ward.sqlite3", tmp, {})
        return
    from sqlalchemy import create_engine, text
    url = postgres.replace("postgresql://", "postgresql+psycopg://", 1)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS ward_plan CASCADE; CREATE SCHEMA ward_plan"))
    try:
        with tempfile.TemporaryDirectory() as tmp:
            _through_db(repeat, "PostgreSQL", url, tmp,
                        {"connect_args": {"options": "-csearch_path=ward_plan"}})
    finally:
        with engine.begin() as conn:
            conn.execute(text("DROP SCHEMA IF EXISTS ward_plan CASCADE"))
        engine.dispose()


def _store_ward():
    """The ward in the database: lanes, households, volunteers free that slot, one shift."""
    from extensions import db
    from models import (Availability, Campaign, Household, Lane, Neighbourhood, Resident, Shift,
                        User, Ward)

    lanes, houses, start_yx = ward()
    w = Ward(name="Phường Đo", province="Thái Nguyên")
    place = Neighbourhood(ward=w, name="Cả phường", meeting_lat=to_ll(*start_yx)[0],
                          meeting_lon=to_ll(*start_yx)[1])
    db.session.add(place)
    rows = {}
    for position, (key, parent, path) in enumerate(lanes):
        rows[key] = Lane(neighbourhood=place, name=f"Ngõ {key}", position=position,
                         street=street_of(key),
                         parent=rows.get(parent), path=[list(to_ll(*p)) for p in path])
    db.session.add_all(rows.values())
    db.session.flush()
    campaign = Campaign(neighbourhood_id=place.id, name="Đo", starts_on=date(2026, 1, 1))
    campaign.add_default_services()
    db.session.add(campaign)
    db.session.flush()
    rng = random.Random(5)
    for key, number, y, x in houses:
        lat, lon = to_ll(y, x)
        h = Household(neighbourhood_id=place.id, lane_id=rows[key].id, house_number=number,
                      head_name="Hộ đo", lat=lat, lon=lon)
        h.residents = [Resident(label="chủ hộ", birth_year=1960 + rng.randint(0, 40))
                       for _ in range(rng.randint(1, 5))]
        db.session.add(h)
    for v in range(VOLUNTEERS):
        user = User(name=f"Thành viên {v}", role="volunteer", phone=f"0900{v:06d}",
                    neighbourhood_id=place.id, capacity=90)
        user.availability = [Availability(weekday=d, slot="chieu") for d in range(7)]
        db.session.add(user)
    shift = Shift(neighbourhood_id=place.id, campaign_id=campaign.id,
                  day=date.today() + timedelta(days=1), slot="chieu",
                  # a whole ward in one division, as ward_bench.py plans it: a window that holds
                  # every volunteer's share (a real shift's window leaves lanes for another day)
                  starts_at=dt_time(0, 0), ends_at=dt_time(23, 59),
                  meeting_lat=place.meeting_lat, meeting_lon=place.meeting_lon)
    db.session.add(shift)
    db.session.commit()
    return shift


def _through_db(repeat: int, name: str, url: str, tmp: str, engine_options: dict) -> None:
    from app import create_app
    from extensions import db
    from models import Walk, WalkStop
    from models.board import suggest

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "INSTANCE_PATH": tmp,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True, **engine_options}})
    with app.app_context():
        db.create_all()
        shift = _store_ward()
        gc.collect()
        gc.freeze()  # as gunicorn.conf.py does in each worker once the app is loaded
        import models.board
        import models.walkplan
        watch = Stopwatch([(models.board, "lane_rows"), (models.board.planner, "balance_lanes"),
                           (models.walkplan, "build_walk")])
        timings = []
        for _ in range(repeat):
            watch.reset()
            t0 = time.perf_counter()
            added = suggest(shift)
            db.session.commit()
            t1 = time.perf_counter()
            walks = db.session.scalars(db.select(Walk).where(Walk.shift_id == shift.id)).all()
            stops = db.session.scalar(db.select(db.func.count(WalkStop.id)))
            parts = [watch.spent[name] for name in watch.names]
            timings.append((t1 - t0, *parts, t1 - t0 - sum(parts)))
            shift.assignments.clear()
            shift.walks.clear()
            db.session.commit()
            db.session.expire_all()
        db.session.remove()
        db.engine.dispose()
        print(f"through the DB : {name}, {len(added)} volunteers given lanes, {len(walks)} walks "
              f"stored with {stops} stops, "
              f"{sum(w.length_m for w in walks) / 1000:.1f} km in all")
        _report(timings, ("suggest + every walk stored", "  households and minutes",
                          "  balance_lanes", "  planning every walk",
                          "  assigning, storing, commit"))
        watch.restore()


class Stopwatch:
    """Time spent in some functions, by wrapping them where they are looked up."""

    def __init__(self, targets):
        self.targets = targets
        self.names = [name for _module, name in targets]
        self.originals = [getattr(module, name) for module, name in targets]
        self.reset()
        for (module, name), original in zip(targets, self.originals):
            setattr(module, name, self._wrap(name, original))

    def _wrap(self, name, original):
        def timed(*args, **kwargs):
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.spent[name] += time.perf_counter() - t0
        return timed

    def reset(self):
        self.spent = {name: 0.0 for name in self.names}

    def restore(self):
        for (module, name), original in zip(self.targets, self.originals):
            setattr(module, name, original)


def _report(timings, names) -> None:
    for k, name in enumerate(names):
        values = [t[k] for t in timings]
        print(f"  {name:<28} median {statistics.median(values) * 1000:7.1f} ms"
              f"   best {min(values) * 1000:7.1f} ms   (n={len(values)})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("WARD_PLAN_PG")
                        or os.environ.get("TEST_DATABASE_URL"),
                        help="postgresql://… database to run in (a schema of its own)")
    args = parser.parse_args()
    pure(args.repeat)
    through_db(args.repeat)
    if args.postgres:
        through_db(args.repeat, args.postgres)
    else:
        print("through the DB : PostgreSQL skipped (give --postgres URL or set WARD_PLAN_PG)")
    print("target: under 1000 ms for Suggest plus every walk")


if __name__ == "__main__":
    main()
