"""Loading large input files: the vectorised loaders against the row-by-row ones (issue 23).

Writes, to a temporary folder, files of about ``--rows`` rows (``--what`` chooses which), then times
each in the same run by both paths:

- service use: whole persons copied from the shipped SYNTHETIC data with new person ids; also
  ``pandas.read_csv`` of the file as text (the floor any pandas-based reader pays);
  ``load_service_use`` (:mod:`econ.inputs.service_use_fast`);
- unit costs: the shipped rows of ``costs/unit_costs.csv`` (quoted sources and all) copied with new
  codes; ``load_unit_costs``;
- informal care: two rows (baseline, follow-up) for each of ``--rows / 2`` persons, hours copied
  from the shipped SYNTHETIC file; the informal-care loader that ``load_service_use`` calls
  (``_load_informal_care``, checked against the persons of a service-use file);

then the row-by-row loader on the same file (what every file took before, and what a file with a
problem still takes, to name each problem's line), skipped with ``--no-baseline``. Both paths
must give identical results; the script checks it. Target: a million rows in seconds.
Run: python bench/bench_load.py [--rows 1000000] [--what service_use,unit_costs,informal_care] [--no-baseline]
"""
from __future__ import annotations

import argparse
import csv
import itertools
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"
SOURCE_IC = ROOT / "scenarios" / "data" / "SYNTHETIC_informal_care.csv"
UNIT_COSTS = ROOT / "costs" / "unit_costs.csv"


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


def write_unit_costs(path: Path, n_rows: int) -> int:
    """The shipped unit-cost rows, with codes ``<code>_<k>``, until ``n_rows``; rows written."""
    with open(UNIT_COSTS, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        writer.writerows([f"{row[0]}_{k}", *row[1:]] for k, row in zip(range(n_rows), itertools.cycle(rows)))
    return n_rows


def write_informal_care(path: Path, n_rows: int) -> set:
    """Baseline and follow-up rows of ``n_rows // 2`` persons (hours from the shipped file); the persons."""
    with open(SOURCE_IC, newline="", encoding="utf-8") as fh:
        header, *rows = list(csv.reader(fh))
    persons = [f"P{k:07d}" for k in range(n_rows // 2)]
    with open(path, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        pairs = itertools.cycle(zip(rows[0::2], rows[1::2]))
        for person, (base, follow) in zip(persons, pairs):
            writer.writerows([[person, *base[1:]], [person, *follow[1:]]])
    return set(persons)


def slow_path(module, name):
    """Context manager: ``module.name`` answers None, so that the row-by-row loader reads the file."""
    import contextlib

    @contextlib.contextmanager
    def patched():
        saved = getattr(module, name)
        setattr(module, name, lambda *a, **k: None)
        try:
            yield
        finally:
            setattr(module, name, saved)
    return patched()


def compare(what: str, n: int, t_fast: float, run_slow, same) -> None:
    print(f"{what + ' (vectorised):':38s}{t_fast:7.2f} s  ({n / t_fast:,.0f} rows/s)")
    if run_slow is None:
        return
    t_slow, slow = timed(run_slow)
    ok = same(slow)
    print(f"{what + ' (row by row, baseline):':38s}{t_slow:7.2f} s  ({n / t_slow:,.0f} rows/s)")
    print(f"{what}: speed-up {t_slow / t_fast:.1f}x; identical results: {ok}")
    if not ok:
        raise SystemExit(f"the two {what} loaders disagree")


def bench_service_use(tmp: Path, rows: int, baseline: bool) -> None:
    import econ.inputs.service_use_fast as fast
    from econ.inputs.service_use import load_service_use
    from econ.inputs.unit_costs import load_unit_costs

    costs = load_unit_costs()
    path = tmp / "big_service_use.csv"
    n = write_rows(path, rows)
    print(f"service-use file: {n:,} rows, {path.stat().st_size / 2**20:,.1f} MB")
    floor, _ = timed(lambda: pd.read_csv(path, dtype=str, keep_default_na=False))
    print(f"{'pandas.read_csv as text (floor):':38s}{floor:7.2f} s")
    t_fast, data = timed(lambda: load_service_use(path, unit_costs=costs))

    def run_slow():
        with slow_path(fast, "plain_service_use"):
            return load_service_use(path, unit_costs=costs)

    compare("load_service_use", n, t_fast, run_slow if baseline else None,
            lambda slow: (np.array_equal(data.monthly_use, slow.monthly_use) and data.persons.equals(slow.persons)
                          and np.array_equal(data.recall_months, slow.recall_months)))


def bench_unit_costs(tmp: Path, rows: int, baseline: bool) -> None:
    import econ.inputs.unit_costs as uc

    path = tmp / "big_unit_costs.csv"
    n = write_unit_costs(path, rows)
    print(f"unit-cost file: {n:,} rows, {path.stat().st_size / 2**20:,.1f} MB")
    t_fast, table = timed(lambda: uc.load_unit_costs(path))

    def run_slow():
        with slow_path(uc, "_plain_unit_costs"):
            return uc.load_unit_costs(path)

    compare("load_unit_costs", n, t_fast, run_slow if baseline else None, lambda slow: slow.items == table.items)


def bench_informal_care(tmp: Path, rows: int, baseline: bool) -> None:
    import econ.inputs.service_use_fast as fast
    from econ.inputs.service_use_load import PERIODS, _load_informal_care

    path = tmp / "big_informal_care.csv"
    persons = write_informal_care(path, rows)
    n = 2 * len(persons)
    print(f"informal-care file: {n:,} rows ({len(persons):,} persons), {path.stat().st_size / 2**20:,.1f} MB")
    t_fast, (log, hours) = timed(lambda: _load_informal_care(path, persons))
    assert not log.problems and isinstance(hours, np.ndarray)

    def run_slow():
        with slow_path(fast, "plain_informal_care"):
            return _load_informal_care(path, persons)

    def same(slow) -> bool:
        position = {person: k for k, person in enumerate(sorted(persons))}
        array = np.zeros_like(hours)
        for (person, period), value in slow[1].items():
            array[PERIODS.index(period), position[person]] = value
        return not slow[0].problems and np.array_equal(array, hours)

    compare("informal care", n, t_fast, run_slow if baseline else None, same)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--what", default="service_use,unit_costs,informal_care",
                        help="comma-separated: service_use, unit_costs, informal_care")
    parser.add_argument("--no-baseline", action="store_true", help="skip the (slow) row-by-row loaders")
    args = parser.parse_args()
    benches = {"service_use": bench_service_use, "unit_costs": bench_unit_costs,
               "informal_care": bench_informal_care}
    with tempfile.TemporaryDirectory() as tmp:
        for what in args.what.split(","):
            benches[what](Path(tmp), args.rows, not args.no_baseline)


if __name__ == "__main__":
    main()
