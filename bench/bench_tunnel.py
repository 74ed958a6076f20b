"""Tunnel states: a 174-cycle tunnel (5 declared states, 178 expanded), shifting against the dense path (issue 19).

Targets: a 10,000-draw PSA of ``bench/models/long_tunnel.yaml`` (SYNTHETIC values) in under 10 s, and
at least 20x faster than the dense path (one states x states product per cycle) in the same run.

Printed, after compiling (not timed) and an untimed warm-up:

- the whole PSA (``run_psa``: draw, evaluate, named outputs) with the default engine ('auto', which
  shifts on this model), and the evaluation alone with ``method="shift"`` (best of ``--repeat``);
- the dense reference, ``evaluate(..., method="dense")`` on the same draws (on ``--dense-draws``
  of them, scaled to all draws if fewer), and the dense PSA = the PSA less its shifting evaluation
  plus the dense one;
- the ratios dense / shifting, the check that both give equal totals (``==``) on the draws run both
  ways, and the shifting evaluation's time per draw for shorter tunnels (linear in tunnel length).

Run: python bench/bench_tunnel.py [--draws 10000] [--dense-draws 10000] [--scan-draws 1000] [--repeat 2]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from econ.analysis.psa import run_psa  # noqa: E402
from econ.model.evaluate import evaluate  # noqa: E402
from econ.model.run import compile_path  # noqa: E402

MODEL = ROOT / "bench" / "models" / "long_tunnel.yaml"


def timed(fn):
    t0 = time.perf_counter()
    out = fn()
    return time.perf_counter() - t0, out


def best_of(repeat: int, fn):
    """Shortest time of ``repeat`` calls (the least disturbed on a shared machine) and the last result."""
    best, out = float("inf"), None
    for _ in range(max(1, repeat)):
        t, out = timed(fn)
        best = min(best, t)
    return best, out


def scan(lengths: list[int], n: int) -> None:
    """Shifting evaluation time per draw for tunnels of several lengths (same model otherwise)."""
    text = MODEL.read_text(encoding="utf-8")
    print(f"  shifting evaluation by tunnel length ({n:,} draws, 174 cycles; dense work grows with its square):")
    with tempfile.TemporaryDirectory() as tmp:
        for L in lengths:
            path = Path(tmp) / f"tunnel_{L}.yaml"
            path.write_text(text.replace("tunnel: 174", f"tunnel: {L}"), encoding="utf-8")
            compiled = compile_path(path)
            table = run_psa(compiled, n_draws=n).table
            evaluate(compiled, table.slice(0, 10), method="shift")
            t, _ = timed(lambda: evaluate(compiled, table, method="shift"))
            print(f"    tunnel {L:4d} ({L + 4:4d} states): {t / n * 1e6:9.1f} us/draw, "
                  f"{t / n / (L + 4) * 1e6:7.2f} us/draw/state")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--dense-draws", type=int, default=None, help="draws run on the dense path (default: all)")
    parser.add_argument("--scan-draws", type=int, default=1_000)
    parser.add_argument("--repeat", type=int, default=2, help="runs of the shifting PSA and evaluation (best)")
    args = parser.parse_args()
    n = args.draws
    nd = min(n, args.dense_draws or n)
    compiled = compile_path(MODEL)
    m = compiled.model
    run_psa(compiled, n_draws=20)  # warm-up
    t_psa, result = best_of(args.repeat, lambda: run_psa(compiled, n_draws=n))
    t_shift, ev_shift = best_of(args.repeat, lambda: evaluate(compiled, result.table, method="shift"))
    part = result.table.slice(0, nd)
    t_dense_part, ev_dense = timed(lambda: evaluate(compiled, part, method="dense"))
    t_dense = t_dense_part * n / nd
    same = (np.array_equal(ev_dense.totals, ev_shift.totals[:nd])
            and np.array_equal(ev_dense.totals_undiscounted, ev_shift.totals_undiscounted[:nd]))
    t_psa_dense = t_psa - t_shift + t_dense
    print(f"long tunnel (SYNTHETIC): {n:,} draws x {len(m.strategies)} strategies x {m.n_cycles} cycles x "
          f"{len(m.states)} expanded states (5 declared, tunnel of 174)")
    print(f"  PSA, default engine (shifting)      {t_psa:8.2f} s   {n / t_psa:10,.0f} draws/s   (target < 10 s)")
    print(f"  evaluate, method='shift'            {t_shift:8.2f} s   {n / t_shift:10,.0f} draws/s")
    scaled = "" if nd == n else f" ({nd:,} draws run: {t_dense_part:.2f} s, scaled to {n:,})"
    print(f"  evaluate, method='dense' (baseline) {t_dense:8.2f} s   {n / t_dense:10,.0f} draws/s{scaled}")
    print(f"  PSA with the dense path (baseline)  {t_psa_dense:8.2f} s")
    print(f"  ratio dense / shifting: {t_psa_dense / t_psa:,.1f}x whole PSA (target >= 20x), "
          f"{t_dense / t_shift:,.1f}x evaluation; totals equal (==) on {nd:,} draws: {same}")
    scan([25, 50, 100, 174, 348], args.scan_draws)


if __name__ == "__main__":
    main()
