"""Loading a large service-use file: the vectorised loader against the row-by-row one (issue 23).

Writes a file of about ``--rows`` rows (whole persons copied from the shipped SYNTHETIC data with new
person ids) to a temporary folder, then times, in the same run:

- ``pandas.read_csv`` of the file as text (the floor any pandas-based reader pays);
- ``load_service_use`` (vectorised checks of a plain file, :mod:`econ.inputs.service_use_fast`);
- the row-by-row loader on the same file (what every file took before, and what a file with a
  problem still takes, to name each problem's line), skipped with ``--no-baseline``.

Both loaders must return identical arrays; the script checks it. Target: a million rows in seconds.
Run: python bench/bench_load.py [--rows 1000000] [--no-baseline]
"""
from __future__ import annotations

import argparse
import csv
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"


def write_rows(path: Path, n_rows: int) -> int:
    """Copy whole persons of the shipped file (renamed) until ``n_rows`` would be passed; rows written."""
    with open(SOURCE, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    persons: dict[str, list] = {}
    for row in rows:
        persons.setdefault(row[0], []).append(row)
    n = copy = 0
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        while True:
            for person, person_rows in persons.items():
                if n + len(person_rows) > n_rows:
                    return n
                writer.writerows([f"{person}-{copy}", *row[1:]] for row in person_rows)
                n += len(person_rows)
            copy += 1


def timed(fn):
    t0 = time.perf_counter()
    value = fn()
    return time.perf_counter() - t0, value


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) row-by-row loader")
    args = parser.parse_args()

    import econ.inputs.service_use_fast as fast
    from econ.inputs.service_use import load_service_use
    from econ.inputs.unit_costs import load_unit_costs

    costs = load_unit_costs()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "big_service_use.csv"
        n = write_rows(path, args.rows)
        print(f"file: {n:,} rows, {path.stat().st_size / 2**20:,.1f} MB")
        floor, _ = timed(lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
        print(f"pandas.read_csv as text (floor):   {floor:7.2f} s")
        t_fast, data = timed(lambda: load_service_use(path, unit_costs=costs))
        print(f"load_service_use (vectorised):     {t_fast:7.2f} s  ({n / t_fast:,.0f} rows/s; "
              f"{t_fast / floor:.1f}x the floor; {data.n_persons:,} persons)")
        if args.no_baseline:
            return
        plain = fast.plain_service_use
        fast.plain_service_use = lambda *a, **k: None  # force the row-by-row path
        try:
            t_slow, slow = timed(lambda: load_service_use(path, unit_costs=costs))
        finally:
            fast.plain_service_use = plain
        same = (np.array_equal(data.monthly_use, slow.monthly_use) and data.persons.equals(slow.persons)
                and np.array_equal(data.recall_months, slow.recall_months))
        print(f"row-by-row loader (baseline):      {t_slow:7.2f} s  ({n / t_slow:,.0f} rows/s)")
        print(f"speed-up: {t_slow / t_fast:.1f}x; identical results: {same}")
        if not same:
            raise SystemExit("the two loaders disagree")


if __name__ == "__main__":
    main()
