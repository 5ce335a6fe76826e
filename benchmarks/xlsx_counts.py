"""Time and peak memory of refusing an .xlsx whose work is in counts, not bytes.

The hostile review's file: 4.7 MB with 9.4 million empty shared strings (<si/>), expanding to
47 MB at a ratio of about 10, so it passes the size and zip-ratio checks. Also measured: a row of
millions of empty cells, millions of blank rows, millions of style records, and one string of
millions of empty rich-text runs.

    .venv/bin/python benchmarks/xlsx_counts.py [count]     # default: about 47 MB of XML each

Each file is built here, written to a temporary directory and parsed in a fresh child process,
whose peak resident memory (VmHWM; ru_maxrss would carry the parent's peak across exec) is
reported next to its resident memory just before parsing.
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# Each count fills about 47 MB of XML, just under the 50 MB the archive check allows
def peak_mb() -> float:
    """This process's resident-memory high-water mark, in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc/self/status")


KINDS = {"strings": 9_400_000, "cells": 11_700_000, "rows": 7_800_000, "styles": 9_400_000,
         "runs": 11_700_000}


def one(label: str, path: str) -> None:
    """Child process: parse the file once, print size, outcome, seconds, memory."""
    from sheets import SheetRefused, parse_households

    data = Path(path).read_bytes()
    base = peak_mb()
    start = time.perf_counter()
    try:
        sheet = parse_households("danh-sach.xlsx", data)
        outcome = f"read, {len(sheet.rows)} rows, {len(sheet.errors)} errors"
    except SheetRefused as refused:
        outcome = f"refused: {refused.message[:70]}…"
    seconds = time.perf_counter() - start
    peak = peak_mb()
    print(f"{label}: {len(data) / 2**20:.1f} MB file, {seconds:.2f} s, peak RSS {peak:.0f} MB "
          f"({base:.0f} MB before parsing) — {outcome}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        one(sys.argv[2], sys.argv[3])
        return
    from tests.test_hostile import count_bomb

    with tempfile.TemporaryDirectory() as folder:
        for kind, count in KINDS.items():
            count = int(sys.argv[1]) if len(sys.argv) > 1 else count
            path = Path(folder, f"{kind}.xlsx")
            path.write_bytes(count_bomb(kind, count))
            label = f"{kind:>8} × {count:,}"
            subprocess.run([sys.executable, __file__, "--one", label, str(path)], check=True)


if __name__ == "__main__":
    main()
