"""Load: 200 volunteers sign in and save visits through the walk screen's endpoint.

The app runs under gunicorn (4 workers, 127.0.0.1 on a free port) against a scratch
PostgreSQL database and again against a scratch SQLite file, each prepared with
`flask db upgrade` + `flask demo`, plus 200 volunteers (PIN 1234) with a walk of 10 demo
households each in today's shift (so several volunteers share each door). Each simulated
volunteer signs in, then saves a visit every `--think` seconds or so (0.5x-1.5x, random;
default 15 s, 10-20x a volunteer's pace at the doors; `--think 1` saturates) for
`--seconds`; 20% of saves have their answer dropped (the client hangs up before reading it)
and are sent again with the same client_id, as the phone's offline queue does: after
~`--resend-after` seconds (0.5x-1.5x; default 5 s: walk.js re-sends a queued visit when the
phone is back online and every 15 s). `--resend-after 0` re-sends at once, while the first
copy may still be saving: the copy then waits for the door's lock, the harshest case.

`--busy N` runs N busy-loop processes beside the timed part, to see the same run on a
slower or shared machine (2 on this 2-core machine: the app, PostgreSQL and the clients get
about half the CPU they would).

Afterwards the database is counted: visits stored = visits acknowledged (distinct
client_ids answered 2xx), no client_id twice, no two visits for one household + user +
second, no 5xx; every household's status is its latest visit's. Target: p95 <= 50 ms on
PostgreSQL. Exit 1 when a count is wrong (a missed latency target is printed, not fatal).

    .venv/bin/python benchmarks/load.py [--seconds 60] [--users 200] [--db both|postgresql|sqlite]
"""
from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
VENV_BIN = Path(sys.executable).parent
PIN = "1234"
STOPS_PER_WALK = 10
OUTCOMES = ["met"] * 5 + ["not_home"] * 3 + ["declined", "vacant"]
PG_ADMIN = os.environ.get("LOAD_PG", "postgresql://postgres@127.0.0.1:5432")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


# --- preparing a database --------------------------------------------------------------

def flask(env: dict, *args: str) -> None:
    done = subprocess.run([str(VENV_BIN / "flask"), *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)
    if done.returncode:
        raise RuntimeError(f"flask {' '.join(args)} failed:\n{done.stderr}")


def add_volunteers(url: str, instance: str, count: int) -> list[str]:
    """`count` volunteers with phones and the demo PIN, each with a walk in today's shift."""
    from app import create_app
    from extensions import db
    from models import Household, Neighbourhood, Shift, User, Walk, WalkStop
    from models.user import hash_secret
    from models.rules import local_today

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_PATH": instance,
                      "SECRET_KEY": "load"})
    with app.app_context():
        shift = db.session.scalars(db.select(Shift).where(Shift.day == local_today())).first()
        place = db.session.get(Neighbourhood, shift.neighbourhood_id)
        households = db.session.scalars(db.select(Household.id).where(
            Household.neighbourhood_id == place.id).order_by(Household.id)).all()
        pin_hash = hash_secret(PIN)  # one argon2 hash shared by all: it is slow on purpose
        phones = [f"0990{k:06d}" for k in range(count)]
        users = [User(name=f"Tình nguyện viên {k}", role="volunteer", phone=phone,
                      pin_hash=pin_hash, ward_id=place.ward_id, neighbourhood_id=place.id)
                 for k, phone in enumerate(phones)]
        db.session.add_all(users)
        db.session.flush()
        for k, user in enumerate(users):
            walk = Walk(shift_id=shift.id, volunteer_id=user.id)
            start = (k * 7) % len(households)  # spread: every door is on several walks
            walk.stops = [WalkStop(household_id=households[(start + j) % len(households)],
                                   position=j) for j in range(STOPS_PER_WALK)]
            db.session.add(walk)
        db.session.commit()
        db.engine.dispose()
    return phones


# --- one simulated volunteer ---------------------------------------------------------------

class Tally:
    """What the clients saw, shared between threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []  # every answered save, first sends and re-sends
        self.resend_latencies: list[float] = []  # the re-sends of a dropped answer
        self.sign_in_latencies: list[float] = []
        self.statuses: Counter = Counter()
        self.sent: set[str] = set()
        self.acked: set[str] = set()
        self.dropped = 0
        self.errors: Counter = Counter()


def csrf_from(page: str) -> str:
    found = re.search(r'"X-CSRFToken": "([^"]+)"', page) or re.search(
        r'name="csrf_token" value="([^"]+)"', page)
    return found.group(1)


def sign_in(base: str, phone: str, tally: Tally):
    """A signed-in session, its CSRF token and the households on its walk."""
    session = requests.Session()
    token = csrf_from(session.get(f"{base}/sign-in", timeout=30).text)
    started = time.perf_counter()
    answer = session.post(f"{base}/sign-in", data={"login": phone, "secret": PIN,
                                                   "csrf_token": token}, timeout=30)
    with tally.lock:
        tally.sign_in_latencies.append(time.perf_counter() - started)
    if answer.status_code != 200 or "/walk" not in answer.url:
        raise RuntimeError(f"sign-in of {phone} answered {answer.status_code} at {answer.url}")
    page = answer.text
    stops = [int(h) for h in re.findall(r'data-household="(\d+)"', page)]
    return session, csrf_from(page), list(dict.fromkeys(stops))


def save(base: str, session, token: str, household: int, tally: Tally,
         resend_after: float) -> None:
    """One visit; a dropped answer is sent again with the same client_id until acknowledged.

    The phone sends a queued visit again when it is back online (and every 15 s): here
    after ~`resend_after` seconds (0: at once, while the first may still be saving)."""
    client_id = str(uuid.uuid4())
    form = {"client_id": client_id, "outcome": random.choice(OUTCOMES)}
    headers = {"HX-Request": "true", "X-CSRFToken": token}
    url = f"{base}/walk/stops/{household}/visits"
    with tally.lock:
        tally.sent.add(client_id)
    dropped = random.random() < 0.2
    if dropped:  # the answer is lost on the way back: hang up, don't read it
        with tally.lock:
            tally.dropped += 1
        try:
            session.post(url, data=form, headers=headers, timeout=(5, 0.001))
        except requests.RequestException:
            pass
        time.sleep(random.uniform(0.5, 1.5) * resend_after)
    for attempt in range(5):
        started = time.perf_counter()
        try:
            answer = session.post(url, data=form, headers=headers, timeout=30)
        except requests.RequestException as error:
            with tally.lock:
                tally.errors[type(error).__name__] += 1
            time.sleep(0.2 * (attempt + 1))
            continue
        elapsed = time.perf_counter() - started
        with tally.lock:
            tally.latencies.append(elapsed)
            if dropped:
                tally.resend_latencies.append(elapsed)
            tally.statuses[answer.status_code] += 1
            if 200 <= answer.status_code < 300:
                tally.acked.add(client_id)
        if 200 <= answer.status_code < 300:
            return
        time.sleep(0.2 * (attempt + 1))


def volunteer(base: str, signed_in, until: float, args, tally: Tally) -> None:
    session, token, stops = signed_in
    k = random.randrange(len(stops))
    time.sleep(random.uniform(0, args.think))  # don't all knock at once
    while time.monotonic() < until:
        save(base, session, token, stops[k % len(stops)], tally, args.resend_after)
        k += 1
        time.sleep(random.uniform(0.5, 1.5) * args.think)


# --- a run against one database ------------------------------------------------------------

def start_gunicorn(env: dict, port: int, workers: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "-w", str(workers), "-b", f"127.0.0.1:{port}",
         "--log-level", "warning", "--timeout", "60", "app:create_app()"],
        cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError("gunicorn exited at start")
        try:
            if requests.get(f"http://127.0.0.1:{port}/sign-in", timeout=2).status_code == 200:
                return server
        except requests.RequestException:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in 60 s")


def stop(server: subprocess.Popen | None) -> None:
    if server is None or server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)  # gunicorn's own group: master and its workers
    try:
        server.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait(5)


def workers_cpu(server: subprocess.Popen) -> float:
    """CPU seconds the gunicorn workers have used (Linux /proc): steadier than latency on a
    busy machine."""
    total = 0.0
    children = Path(f"/proc/{server.pid}/task/{server.pid}/children")
    for pid in children.read_text().split() if children.exists() else []:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def count(url: str, phones: list[str]) -> dict:
    """What the database holds after the run."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    second = ("date_trunc('second', happened_at)" if url.startswith("postgresql")
              else "strftime('%Y-%m-%d %H:%M:%S', happened_at)")
    with engine.connect() as conn:
        ids = [r[0] for r in conn.execute(text("SELECT id FROM \"user\" WHERE phone LIKE '0990%'"))]
        stored = {r[0] for r in conn.execute(text(
            f"SELECT client_id FROM visit WHERE user_id IN ({','.join(map(str, ids))})"))}
        rows = conn.execute(text(
            f"SELECT count(*) FROM visit WHERE user_id IN ({','.join(map(str, ids))})")).scalar()
        twice = conn.execute(text(
            "SELECT count(*) FROM (SELECT client_id FROM visit GROUP BY client_id "
            "HAVING count(*) > 1) t")).scalar()
        same_second = conn.execute(text(
            f"SELECT count(*) FROM (SELECT household_id FROM visit GROUP BY household_id, "
            f"user_id, {second} HAVING count(*) > 1) t")).scalar()
        latest = conn.execute(text(
            "SELECT h.id, h.status, (SELECT v.outcome FROM visit v WHERE v.household_id = h.id "
            "AND v.outcome <> 'undo' AND NOT EXISTS (SELECT 1 FROM visit u WHERE u.undoes_id = v.id) "
            "ORDER BY v.happened_at DESC, v.id DESC LIMIT 1) FROM household h")).all()
    engine.dispose()
    from vocabulary import STATUS_OF_OUTCOME
    wrong_status = sum(1 for _id, status, outcome in latest
                       if outcome and STATUS_OF_OUTCOME[outcome] != status)
    return {"stored": stored, "rows": rows, "twice": twice, "same_second": same_second,
            "wrong_status": wrong_status}


def run(kind: str, args) -> dict:
    scratch = Path(tempfile.mkdtemp(prefix="gocua-load-"))
    pg_db = f"gocua_load_{os.getpid()}"
    if kind == "postgresql":
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", pg_db], check=True)
        url = f"{PG_ADMIN.replace('postgresql://', 'postgresql+psycopg://')}/{pg_db}"
    else:
        url = f"sqlite:///{scratch / 'load.sqlite3'}"
    env = {**os.environ, "FLASK_APP": "app", "GOCUA_INSTANCE": str(scratch),
           "SECRET_KEY": "load-test-secret", "DATABASE_URL": url.replace("+psycopg", "")}
    server, busy = None, []
    try:
        flask(env, "db", "upgrade")
        flask(env, "demo")
        phones = add_volunteers(url, str(scratch), args.users)
        port = free_port()
        server = start_gunicorn(env, port, args.workers)
        base = f"http://127.0.0.1:{port}"
        tally = Tally()
        with ThreadPoolExecutor(16) as pool:  # argon2 at sign-in: a bounded crowd at the door
            sessions = list(pool.map(lambda p: sign_in(base, p, tally), phones))
        busy = [subprocess.Popen([sys.executable, "-c", "while True: pass"])
                for _ in range(args.busy)]
        cpu_before = workers_cpu(server)
        started = time.monotonic()
        until = started + args.seconds
        threads = [threading.Thread(target=volunteer, args=(base, s, until, args, tally),
                                    daemon=True) for s in sessions]
        for t in threads:
            t.start()
        for t in threads:
            t.join(max(0.1, until + 60 - time.monotonic()))
        elapsed = time.monotonic() - started
        cpu = workers_cpu(server) - cpu_before
        for process in busy:
            process.kill()
        stop(server)
        server = None
        found = count(url, phones)
        return {"kind": kind, "tally": tally, "elapsed": elapsed, "cpu": cpu, **found}
    finally:
        for process in busy:
            process.kill()
        stop(server)
        if kind == "postgresql":
            subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", pg_db],
                           check=False)
        shutil.rmtree(scratch, ignore_errors=True)


def report(results: list[dict], args) -> bool:
    ms = lambda s: f"{1000 * s:.1f}"  # noqa: E731
    print(f"\n{args.users} volunteers, {args.workers} gunicorn workers, {args.seconds:g} s, "
          f"a save every ~{args.think:g} s each, 20% of answers dropped and re-sent "
          f"after ~{args.resend_after:g} s"
          + (f", {args.busy} busy-loop process(es) beside it" if args.busy else ""))
    head = ("database", "saves/s", "p50 ms", "p95 ms", "p99 ms", "re-sent p95", "sent", "dropped", "acked",
            "stored", "dupl.", "same s", "5xx", "4xx", "conn.err", "status ok", "sign-in p50",
            "app CPU ms/save")
    print(" | ".join(head))
    ok = True
    for r in results:
        t = r["tally"]
        fivexx = sum(n for s, n in t.statuses.items() if s >= 500)
        fourxx = sum(n for s, n in t.statuses.items() if 400 <= s < 500)
        good = (r["stored"] == t.acked and r["rows"] == len(t.acked) and r["twice"] == 0
                and r["same_second"] == 0 and fivexx == 0 and r["wrong_status"] == 0)
        ok &= good
        print(" | ".join(str(x) for x in (
            r["kind"], f"{len(t.acked) / r['elapsed']:.1f}", ms(percentile(t.latencies, 50)),
            ms(percentile(t.latencies, 95)), ms(percentile(t.latencies, 99)),
            ms(percentile(t.resend_latencies, 95)), len(t.sent),
            t.dropped, len(t.acked), r["rows"], r["twice"], r["same_second"], fivexx, fourxx,
            sum(t.errors.values()), "yes" if r["wrong_status"] == 0 else r["wrong_status"],
            ms(statistics.median(t.sign_in_latencies)),
            ms(r["cpu"] / max(1, len(t.latencies) + t.dropped)))))
        if not good:
            print(f"  !! {r['kind']}: counts wrong (acked not stored: "
                  f"{len(t.acked - r['stored'])}, stored not acked: {len(r['stored'] - t.acked)})")
        if r["kind"] == "postgresql":
            p95 = percentile(t.latencies, 95)
            print(f"  PostgreSQL p95 {ms(p95)} ms: target <= 50 ms "
                  f"{'met' if p95 <= 0.050 else 'MISSED'}")
    return ok


def postgres_reachable() -> bool:
    return subprocess.run(["pg_isready", "-h", "127.0.0.1", "-q"], check=False).returncode == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--workers", type=int, default=4)
    # A volunteer records a door every few minutes in the field; 15 s is ~10-20x that pace.
    parser.add_argument("--think", type=float, default=15.0,
                        help="mean seconds between one volunteer's saves (1 = saturate)")
    parser.add_argument("--resend-after", type=float, default=5.0,
                        help="mean seconds before a dropped save is sent again (0 = at once)")
    parser.add_argument("--busy", type=int, default=0,
                        help="busy-loop processes beside the run (a slower, shared machine)")
    parser.add_argument("--db", choices=("both", "postgresql", "sqlite"), default="both")
    args = parser.parse_args()
    args.seconds = min(args.seconds, 600)
    args.users = min(args.users, 1000)
    args.busy = min(args.busy, 8)
    kinds = ["postgresql", "sqlite"] if args.db == "both" else [args.db]
    if "postgresql" in kinds and not postgres_reachable():
        print("PostgreSQL is not reachable on 127.0.0.1: its run is skipped")
        kinds.remove("postgresql")
    results = [run(kind, args) for kind in kinds]
    return 0 if report(results, args) else 1


if __name__ == "__main__":
    sys.exit(main())
