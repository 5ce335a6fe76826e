"""How fast and in how much memory a zip-bomb .xlsx is refused (the test asserts only memory).

    .venv/bin/python benchmarks/zip_bomb.py
"""
from __future__ import annotations

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sheets import SheetRefused, parse_households  # noqa: E402
from tests.test_hostile import zip_bomb  # noqa: E402


def main() -> None:
    bomb = zip_bomb()
    times, peaks = [], []
    for _ in range(20):
        tracemalloc.start()
        start = time.perf_counter()
        try:
            parse_households("ho.xlsx", bomb)
        except SheetRefused:
            pass
        times.append(time.perf_counter() - start)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    times.sort()
    print(f"zip bomb: {len(bomb) / 1024:.0f} KB expanding to 300 MB")
    print(f"refused in median {times[10] * 1000:.1f} ms, worst {times[-1] * 1000:.1f} ms "
          f"(20 runs, tracemalloc on)")
    print(f"peak Python memory while refusing: {max(peaks) / 1024:.0f} KB")


if __name__ == "__main__":
    main()
