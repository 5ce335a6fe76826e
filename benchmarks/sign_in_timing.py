"""Does the time a refused sign-in takes tell which phone numbers and usernames exist?

    .venv/bin/python benchmarks/sign_in_timing.py [--tries 30]

A scratch SQLite app with one leader and one volunteer; wrong secrets for a known phone, an
unknown phone, a known username and an unknown one, sent in turn through the real form
(throttling set out of the way). Prints median and 10th/90th percentile per kind, and the
ratio of the known medians to the unknown: ≈ 1.0 means timing tells nothing.
"""
from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import Neighbourhood, User, Ward  # noqa: E402
from models.user import hash_secret  # noqa: E402

KINDS = {"known phone": "0912000111", "unknown phone": "0912000999",
         "known username": "totruong", "unknown username": "khongcoai"}


def scratch_app(folder: str):
    app = create_app({"TESTING": True, "SECRET_KEY": "bench", "INSTANCE_PATH": folder,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/timing.sqlite3",
                      "SIGN_IN_MAX_FAILURES": 10**6, "SIGN_IN_MAX_FAILURES_PER_DAY": 10**6})
    with app.app_context():
        db.create_all()
        ward = Ward(name="Phường Đo", province="Thái Nguyên")
        place = Neighbourhood(ward=ward, name="Tổ 1")
        db.session.add_all([ward, place])
        db.session.flush()
        db.session.add_all([
            User(name="Tổ trưởng", role="leader", username="totruong", ward_id=ward.id,
                 neighbourhood_id=place.id, password_hash=hash_secret("mat-khau-dung")),
            User(name="Thành viên", role="volunteer", phone="0912000111", ward_id=ward.id,
                 neighbourhood_id=place.id, pin_hash=hash_secret("864209"))])
        db.session.commit()
    return app


def measure(app, tries: int) -> dict[str, list[float]]:
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    times = {kind: [] for kind in KINDS}
    for _ in range(tries):
        for kind, login in KINDS.items():  # interleaved: drift hits every kind alike
            start = time.perf_counter()
            answer = client.post("/sign-in", data={"login": login, "secret": "000000",
                                                   "csrf_token": token})
            times[kind].append((time.perf_counter() - start) * 1000)
            assert answer.status_code == 401, (kind, answer.status_code)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        times = measure(scratch_app(folder), args.tries)
    medians = {}
    for kind, ms in times.items():
        deciles = statistics.quantiles(ms, n=10)
        medians[kind] = statistics.median(ms)
        print(f"{kind:17} median {medians[kind]:6.1f} ms   p10 {deciles[0]:6.1f}"
              f"   p90 {deciles[-1]:6.1f}   ({len(ms)} tries)")
    for what in ("phone", "username"):
        ratio = medians[f"known {what}"] / medians[f"unknown {what}"]
        print(f"known/unknown {what}: {ratio:.2f}")


if __name__ == "__main__":
    main()
