"""How long parse_households takes on a 30,000-row household list, as CSV and as XLSX.

Run: python benchmarks/import_parse.py
"""
from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sheets import parse_households, write_csv, write_xlsx  # noqa: E402

ROWS = 30_000
HEADERS = ["STT", "Số nhà", "Ngõ", "Đường", "Họ tên chủ hộ", "Số nhân khẩu", "Số điện thoại",
           "Vĩ độ", "Kinh độ", "Ghi chú"]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ"]
MIDDLE = ["Văn", "Thị", "Đức", "Minh", "Thu", "Ngọc", "Quang", "Hữu"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hùng", "Lan", "Linh", "Quế", "Sơn", "Yến"]
STREETS = ["Phố Hoàng Văn Thụ", "Đường Lương Ngọc Quyến", "Phố Phan Đình Phùng", "Đường Quang Trung"]


def household_rows(count: int, seed: int = 6) -> list[list[object]]:
    """Plausible, valid, distinct households: each (street, lane, number) appears once."""
    rng = random.Random(seed)
    rows = []
    for index in range(count):
        lane = f"ngõ {index // 400 + 1}/ngách {index // 20 % 20 + 1}"
        rows.append([
            index + 1, str(index % 20 + 1), lane, STREETS[index % len(STREETS)],
            f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}", rng.randint(1, 8),
            f"09{rng.randint(10_000_000, 99_999_999)}", round(rng.uniform(21.55, 21.60), 6),
            round(rng.uniform(105.80, 105.85), 6),
            rng.choice(["", "", "Hẹn quay lại buổi tối", "Nhà cho thuê"]),
        ])
    return rows


def timed(filename: str, data: bytes) -> None:
    """Best of three runs, wall clock and CPU (CPU time is steadier on a shared machine)."""
    best_wall = best_cpu = float("inf")
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        sheet = parse_households(filename, data, max_bytes=len(data) + 1)
        best_wall = min(best_wall, time.perf_counter() - wall)
        best_cpu = min(best_cpu, time.process_time() - cpu)
    print(f"{filename:>12}: {len(data) / 1024:6.0f} KB, {len(sheet.rows)} rows, {len(sheet.errors)} errors, "
          f"best of 3: {best_wall:.3f} s wall, {best_cpu:.3f} s CPU ({sheet.encoding})")


def main() -> None:
    rows = household_rows(ROWS)
    timed("ho_dan.csv", write_csv(HEADERS, rows))
    timed("ho_dan.xlsx", write_xlsx({"Hộ dân": (HEADERS, rows)}))


if __name__ == "__main__":
    main()
