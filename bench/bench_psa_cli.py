"""What a user sees: draws per second of the whole `psa --out DIR` process, against the in-process rate.

Runs, as separate processes, `python run_model.py psa scenarios/validation/chancellor_hiv.yaml
--draws N --out DIR` (default N = 200,000; per-draw tables in Parquet, the default, and with
--csv also in CSV) and the same command with 10 draws; the difference is the cost of the draws
(start-up, compiling and the fixed part of writing cancel). Next to it, in this process: the same
PSA (``run_psa``) and its summary tables (``psa_tables``), timed after a warm-up run. The three are
timed in turn in each repeat (medians reported), so that load from elsewhere on the machine weighs
on the figure and its baseline alike; the CPU seconds of the commands are shown too.
Targets (issue 19): at least 200,000 draws/s net of the 10-draw run, and at least 0.5x the
in-process rate. Prints figures only; no assertions.
Run: python bench/bench_psa_cli.py [--draws 200000] [--repeat 3] [--csv]
"""
from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SCENARIO = "scenarios/validation/chancellor_hiv.yaml"


def whole_process(draws: int, fmt: str) -> tuple[float, float]:
    """Wall and CPU (user + system) seconds of one psa command writing into a fresh folder."""
    folder = Path(tempfile.mkdtemp(prefix="bench-psa-cli-"))
    try:
        cmd = [sys.executable, "run_model.py", "psa", SCENARIO, "--draws", str(draws), "--out",
               str(folder / "out"), "--format", fmt]
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        wall = time.perf_counter() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--draws", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="also time --format csv (the former default)")
    args = parser.parse_args()
    n = args.draws
    from econ.analysis.psa import psa_tables, run_psa
    from econ.model.run import compile_path

    compiled = compile_path(ROOT / SCENARIO)
    run_psa(compiled, n_draws=n)  # warm-up
    formats = ("parquet",) + (("csv",) if args.csv else ())
    t_run, t_all, cpu_run = [], [], []
    small = {f: [] for f in formats}
    big = {f: [] for f in formats}
    # interleaved, so that a change of load on the machine during the run weighs on every figure alike
    for _ in range(args.repeat):
        c0, t0 = time.process_time(), time.perf_counter()
        result = run_psa(compiled, n_draws=n)
        t1 = time.perf_counter()
        cpu_run.append(time.process_time() - c0)
        psa_tables(result)
        t_run.append(t1 - t0)
        t_all.append(time.perf_counter() - t0)
        del result
        for fmt in formats:
            small[fmt].append(whole_process(10, fmt))
            big[fmt].append(whole_process(n, fmt))
    t_run, t_all, cpu_run = statistics.median(t_run), statistics.median(t_all), statistics.median(cpu_run)
    rate_engine = n / t_run
    print(f"{SCENARIO}, {n:,} draws, median of {args.repeat} (interleaved)")
    print(f"{'in process: run_psa':52s} {t_run:8.3f} s {rate_engine:12,.0f} draws/s  (baseline; CPU {cpu_run:.3f} s)")
    print(f"{'in process: run_psa + psa_tables':52s} {t_all:8.3f} s {n / t_all:12,.0f} draws/s")
    for fmt in formats:
        wall_b, cpu_b = (statistics.median(x) for x in zip(*big[fmt]))
        wall_s, cpu_s = (statistics.median(x) for x in zip(*small[fmt]))
        rate = (n - 10) / (wall_b - wall_s)
        label = f"whole process psa --out, --format {fmt}"
        print(f"{label + f' ({n:,} draws)':52s} {wall_b:8.3f} s  (CPU {cpu_b:.3f} s)")
        print(f"{label + ' (10 draws)':52s} {wall_s:8.3f} s  (CPU {cpu_s:.3f} s)")
        print(f"{'  net of the 10-draw run':52s} {wall_b - wall_s:8.3f} s {rate:12,.0f} draws/s  "
              f"= {rate / rate_engine:.2f}x in process (targets >= 200,000/s: "
              f"{'met' if rate >= 200_000 else 'NOT met'}; >= 0.5x: {'met' if rate >= 0.5 * rate_engine else 'NOT met'})")
        print(f"{'  CPU net of the 10-draw run':52s} {cpu_b - cpu_s:8.3f} s  = {cpu_run / (cpu_b - cpu_s):.2f}x the "
              f"in-process CPU (the same comparison in CPU seconds: little moved by load from elsewhere)")


if __name__ == "__main__":
    main()
