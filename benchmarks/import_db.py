"""How long a 30,000-row household import takes into SQLite: preview, then apply (and again
as a re-import where every row is an update). Each row's member count creates that many
residents of unknown relation and year (about 135,000), as the import does.

Run: .venv/bin/python benchmarks/import_db.py
"""
from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from import_parse import HEADERS, household_rows  # noqa: E402

from app import create_app  # noqa: E402
from extensions import db  # noqa: E402
from models import Household, Neighbourhood, Ward, importing  # noqa: E402
from models.household import Resident  # noqa: E402
from sheets import write_csv  # noqa: E402

ROWS = 30_000


def main() -> None:
    data = write_csv(HEADERS, household_rows(ROWS))
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite3",
                          "SECRET_KEY": "bench", "INSTANCE_PATH": folder})
        with app.app_context():
            db.create_all()
            ward = Ward(name="Phường Thử", province="Thái Nguyên")
            place = Neighbourhood(ward=ward, name="Tổ thử")
            db.session.add_all([ward, place])
            db.session.commit()
            for label in ("first import", "re-import (all updates)"):
                cpu, started = time.process_time(), time.perf_counter()
                preview = importing.preview(place, "ho.csv", data)
                previewed = time.perf_counter()
                result = importing.apply(place, "ho.csv", data, None)
                db.session.commit()
                done, cpu = time.perf_counter(), time.process_time() - cpu
                assert result.ok, (result.refused, result.errors[:3])
                count = db.session.scalar(db.select(db.func.count(Household.id)))
                residents = db.session.scalar(db.select(db.func.count(Resident.id)))
                print(f"{label}: {ROWS:,} rows, {len(preview.added):,} added, "
                      f"{len(preview.updated):,} updated, {len(preview.new_lanes)} lanes created; "
                      f"preview {previewed - started:.2f} s, apply (preview again + write) "
                      f"{done - previewed:.2f} s, total {done - started:.2f} s wall, {cpu:.2f} s CPU; "
                      f"{count:,} households and {residents:,} residents in the database")
            db.engine.dispose()


if __name__ == "__main__":
    main()
