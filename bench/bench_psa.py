"""PSA speed in process: draws per second of the vectorised run against a per-draw Python loop, side by side.

For the default peer-support model (target: 10,000 draws x 5 strategies x 36 cycles under 1 s) and the
DMHEE HIV model it prints, after compiling the scenario (not timed) and one untimed warm-up run:

- the whole PSA (``run_psa``: draw the table, evaluate every draw, named outputs), median of repeats;
- the evaluation alone (``evaluate`` on the drawn table), on the default threads and on one, and the
  summary tables (``psa_tables``);
- a plain per-draw loop, ``evaluate(compiled, table.slice(i, i + 1))`` for a sample of draws,
  extrapolated to all draws, and the speed ratio loop / vectorised (target: at least 100x).

Run: python bench/bench_psa.py [--draws 10000] [--repeat 5] [--loop-sample 200]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from econ.analysis.psa import psa_tables, run_psa  # noqa: E402
from econ.model.run import compile_path  # noqa: E402
from econ.model.evaluate import evaluate  # noqa: E402
from econ.core.parallel import default_threads  # noqa: E402

THREADS = default_threads()  # the CPUs available, or PEER_ECON_THREADS

SCENARIOS = [("default (side_by_side)", ROOT / "scenarios" / "side_by_side.yaml"),
             ("DMHEE HIV (chancellor_hiv)", ROOT / "scenarios" / "validation" / "chancellor_hiv.yaml")]


def median_time(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def bench(label: str, path: Path, n: int, repeat: int, sample: int) -> None:
    t0 = time.perf_counter()
    compiled = compile_path(path)
    t_compile = time.perf_counter() - t0
    m = compiled.model
    t0 = time.perf_counter()
    result = run_psa(compiled, n_draws=n)  # warm-up: first use fills per-process caches (bootstrap replicates)
    t_first = time.perf_counter() - t0
    t_psa = median_time(lambda: run_psa(compiled, n_draws=n), repeat)
    t_eval = median_time(lambda: evaluate(compiled, result.table), repeat)
    t_eval1 = median_time(lambda: evaluate(compiled, result.table, threads=1), repeat)
    t_tables = median_time(lambda: psa_tables(result), max(1, repeat // 2))
    k = min(sample, n)
    t0 = time.perf_counter()
    for i in range(k):
        evaluate(compiled, result.table.slice(i, i + 1))
    per_draw_loop = (time.perf_counter() - t0) / k
    t_loop = per_draw_loop * n

    print(f"{label}: {n:,} draws x {len(m.strategies)} strategies x {m.n_cycles} cycles x "
          f"{len(m.states)} states, {len(compiled.parameters.uncertain)} uncertain parameters")
    print(f"  compile (not timed below)          {t_compile:8.3f} s")
    print(f"  first PSA run (fills caches)       {t_first:8.3f} s")
    print(f"  PSA: draw + evaluate + outputs     {t_psa:8.3f} s   {n / t_psa:12,.0f} draws/s")
    print(f"  evaluate alone ({THREADS} thread(s))         {t_eval:8.3f} s   {n / t_eval:12,.0f} draws/s")
    print(f"  evaluate alone (1 thread)          {t_eval1:8.3f} s   {n / t_eval1:12,.0f} draws/s")
    print(f"  summary tables (psa_tables)        {t_tables:8.3f} s")
    print(f"  per-draw loop ({k} draws timed)     {per_draw_loop * 1e3:8.3f} ms/draw -> {t_loop:8.1f} s for {n:,} "
          f"({1 / per_draw_loop:,.0f} draws/s)")
    print(f"  speed ratio loop / vectorised: {t_loop / t_eval:,.0f}x (evaluation; {t_loop / t_eval1:,.0f}x on one "
          f"thread), {t_loop / t_psa:,.0f}x (whole PSA)")
    print()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--loop-sample", type=int, default=200, help="draws timed one at a time for the loop")
    args = parser.parse_args()
    for label, path in SCENARIOS:
        bench(label, path, args.draws, args.repeat, args.loop_sample)
    print("targets: default model PSA of 10,000 draws under 1 s in process; at least 100x a per-draw loop")


if __name__ == "__main__":
    main()
