"""How long a person-per-row list (danh sách nhân khẩu) of 30,000 residents in about 8,000
households takes to import: preview, then apply (households and residents written), and
again as a re-import where every household is an update and keeps its residents.

Run: .venv/bin/python benchmarks/import_people.py [--database-url postgresql://…]
(SQLite in a temporary folder by default; a PostgreSQL database given is emptied first.)
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_parse import FAMILY, GIVEN, MIDDLE, STREETS  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import Household, Neighbourhood, Ward, importing  # noqa: E402
from models.household import Resident  # noqa: E402
from sheets import write_csv  # noqa: E402

PEOPLE = 30_000
HEADERS = ["STT", "Họ và tên", "Ngày sinh", "Giới tính", "Quan hệ với chủ hộ", "Số nhà", "Ngõ",
           "Đường", "Số CCCD"]
RELATIONS = ["Vợ", "Chồng", "Con", "Con", "Con", "Cháu", "Mẹ", "Bố", "Con dâu"]


def person_rows(people: int, seed: int = 13) -> tuple[list[list[object]], int]:
    """(rows, households): one row per resident, the address on the head's row only."""
    rng = random.Random(seed)
    rows: list[list[object]] = []
    households = 0
    while len(rows) < people:
        index = households
        households += 1
        lane = f"ngõ {index // 120 + 1}/ngách {index // 12 % 10 + 1}"
        size = min(rng.choice([1, 2, 3, 3, 3, 4, 4, 4, 5, 5, 6]), people - len(rows))
        for k in range(size):
            born = rng.randint(1935, 2024)
            birth = (f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{born}"
                     if rng.random() < 0.7 else str(born))
            where = [str(index % 12 + 1), lane, STREETS[index % len(STREETS)]] if k == 0 else \
                ["", "", ""]
            rows.append([len(rows) + 1, f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                         birth, rng.choice(["Nam", "Nữ"]), "Chủ hộ" if k == 0 else rng.choice(RELATIONS),
                         *where, f"0010{rng.randint(10**7, 10**8 - 1)}"])
    return rows, households


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="PostgreSQL URL (emptied); default: SQLite")
    args = parser.parse_args()
    rows, households = person_rows(PEOPLE)
    data = write_csv(HEADERS, rows)
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.sqlite3"
        if url.startswith(("postgres://", "postgresql://")):  # the driver the app installs
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench",
                          "INSTANCE_PATH": folder})
        with app.app_context():
            if args.database_url:
                db.drop_all()
            db.create_all()
            ward = Ward(name="Phường Thử", province="Thái Nguyên")
            place = Neighbourhood(ward=ward, name="Tổ thử")
            db.session.add_all([ward, place])
            db.session.commit()
            print(f"{url.split(':')[0]}: {len(rows):,} person rows in {households:,} households, "
                  f"{len(data) / 1024:.0f} KB CSV")
            for label in ("first import", "re-import (all updates)"):
                cpu, started = time.process_time(), time.perf_counter()
                preview = importing.preview(place, "nhan-khau.csv", data)
                previewed = time.perf_counter()
                result = importing.apply(place, "nhan-khau.csv", data, None)
                db.session.commit()
                done, cpu = time.perf_counter(), time.process_time() - cpu
                assert result.ok, (result.refused, result.errors[:3])
                stored = db.session.scalar(db.select(db.func.count(Household.id)))
                residents = db.session.scalar(db.select(db.func.count(Resident.id)))
                print(f"{label}: {len(preview.added):,} added, {len(preview.updated):,} updated, "
                      f"{preview.residents:,} residents created, {len(preview.new_lanes)} lanes; "
                      f"preview {previewed - started:.2f} s, apply (preview again + write) "
                      f"{done - previewed:.2f} s, total {done - started:.2f} s wall, "
                      f"{cpu:.2f} s CPU; {stored:,} households and {residents:,} residents stored")
            if args.database_url:
                db.session.remove()
                db.drop_all()
            db.engine.dispose()


if __name__ == "__main__":
    main()
