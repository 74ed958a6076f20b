"""CEAC/CEAF speed: the vectorised econ.analysis.cea.acceptability against the per-threshold loop it
replaced (the former body of econ.analysis.psa.acceptability), side by side, on random draws, and
whether the two tables are identical.

Run: python bench/bench_ceac.py [--draws 10000] [--strategies 5] [--thresholds 101] [--repeat 5]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from econ.analysis.cea import acceptability  # noqa: E402


def per_threshold_loop(c, e, wtp, strategies):
    """The baseline: the former body of psa.acceptability, one pass per threshold, same DataFrame."""
    K = len(strategies)
    rows_wtp, rows_s, rows_mean, rows_p, rows_f = [], [], [], [], []
    for lam in wtp:
        nmb = lam * e - c  # (draws, strategies)
        best = np.argmax(nmb, axis=1)
        prob = np.bincount(best, minlength=K) / nmb.shape[0]
        mean = nmb.mean(axis=0)
        front = int(np.argmax(mean))
        rows_wtp.extend([lam] * K)
        rows_s.extend(strategies)
        rows_mean.extend(mean.tolist())
        rows_p.extend(prob.tolist())
        rows_f.extend([k == front for k in range(K)])
    return pd.DataFrame({"wtp": rows_wtp, "strategy": rows_s, "mean_nmb": rows_mean, "prob_optimal": rows_p,
                         "on_frontier": rows_f})


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--draws", type=int, default=10_000)
    ap.add_argument("--strategies", type=int, default=5)
    ap.add_argument("--thresholds", type=int, default=101)
    ap.add_argument("--repeat", type=int, default=5)
    a = ap.parse_args()
    rng = np.random.default_rng(1)
    c = rng.normal(10_000, 2_000, size=(a.draws, a.strategies))
    e = rng.normal(1.0, 0.2, size=(a.draws, a.strategies))
    wtp = np.linspace(0, 100_000, a.thresholds)
    names = [f"s{k}" for k in range(a.strategies)]
    acceptability(c, e, wtp, names)  # warm-up
    t_vec = median_time(lambda: acceptability(c, e, wtp, names), a.repeat)
    t_loop = median_time(lambda: per_threshold_loop(c, e, wtp, names), a.repeat)
    same = per_threshold_loop(c, e, wtp, names).equals(acceptability(c, e, wtp, names))
    print(f"{a.draws:,} draws x {a.strategies} strategies x {a.thresholds} thresholds, median of {a.repeat}")
    print(f"  per-threshold loop (baseline): {t_loop * 1e3:8.1f} ms")
    print(f"  cea.acceptability (vectorised): {t_vec * 1e3:7.1f} ms   speed-up {t_loop / t_vec:.2f}x; "
          f"identical tables: {same}")


if __name__ == "__main__":
    main()
