"""Indexed expressions: the default scenario evaluated with its dimensions as a members axis (the
engine's plan) against the same compiled model evaluated member by member (the plans dropped, every
member's own expression evaluated on its own), and against the longhand file it was rewritten from,
side by side on the same PSA draws; and whether the results are identical.

Run: python bench/bench_dimensions.py [--draws 5000] [--repeat 3] [--threads 1]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from econ.analysis.draws import draw_table  # noqa: E402
from econ.model.compile import compile_scenario  # noqa: E402
from econ.model.evaluate import evaluate  # noqa: E402
from econ.scenario.load import load_scenario  # noqa: E402


def member_by_member(compiled):
    model = dataclasses.replace(compiled.model, strategies=tuple(dataclasses.replace(s, plan=())
                                                                 for s in compiled.model.strategies))
    return dataclasses.replace(compiled, model=model)


def timed(compiled, table, repeat, threads):
    times, ev = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        ev = evaluate(compiled, table, threads=threads)
        times.append(time.perf_counter() - t)
    return statistics.median(times), ev


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=5000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    indexed = compile_scenario(load_scenario(ROOT / "scenarios" / "side_by_side.yaml"))
    table = draw_table(indexed.parameters, args.draws, rng=np.random.default_rng(1))
    runs = {"indexed (members axis)": indexed, "same model, member by member": member_by_member(indexed)}
    longhand_path = ROOT / "tests" / "data" / "scenarios" / "longhand" / "side_by_side.yaml"
    if longhand_path.exists():  # the longhand form the default was rewritten from (tests/test_scenario_rewrite.py)
        runs["longhand file"] = compile_scenario(load_scenario(longhand_path))
    results, times = {}, {label: [] for label in runs}
    print(f"default scenario, {args.draws} draws, {args.threads} thread(s), median of {args.repeat} "
          f"(the three runs interleaved, after one warm-up run each)")
    for label, compiled in runs.items():
        results[label] = evaluate(compiled, table, threads=args.threads)
    for _ in range(args.repeat):
        for label, compiled in runs.items():
            seconds, _ev = timed(compiled, table, 1, args.threads)
            times[label].append(seconds)
    for label in runs:
        print(f"  {label:32s} {statistics.median(times[label]):8.3f} s")
    ref = "longhand file" if "longhand file" in results else "same model, member by member"
    for label, ev in results.items():
        print(f"  {label:32s} identical to {ref}: {np.array_equal(ev.totals, results[ref].totals)}")


if __name__ == "__main__":
    main()
