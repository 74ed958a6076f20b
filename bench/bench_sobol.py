"""10^6 Sobol' evaluations of the default model: time and peak memory, against a per-draw loop in the same run (issue 19).

Target: at least 10^6 model evaluations of the default scenario (``scenarios/side_by_side.yaml``)
by SALib's Sobol' method (design, evaluation, analysis of every default output) in under 40 s and
1 GB on the 2-core machine.

Printed:

- the whole GSA (``run_gsa(method="sobol")``), run in a fresh process so that its peak resident
  memory (``ru_maxrss``) is its own: evaluations, wall and CPU seconds, evaluations/s, peak MiB;
- the baseline, in this process: the same design's rows evaluated one at a time through
  ``evaluate`` (a sample of ``--loop-sample`` rows, timed and scaled to all evaluations), and the
  ratio baseline / vectorised;
- whether the sampled rows give the same outputs both ways (to 1e-12 relative).

Run: python bench/bench_sobol.py [--n 65536] [--loop-sample 200]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT = ROOT / "scenarios" / "side_by_side.yaml"


def child(n: int) -> None:
    """One whole Sobol' GSA of the default model; prints its figures as JSON (run in a subprocess)."""
    from econ.analysis.gsa import run_gsa
    from econ.model.run import compile_path

    compiled = compile_path(DEFAULT)
    wall, cpu = time.perf_counter(), time.process_time()
    res = run_gsa(compiled, method="sobol", n=n, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(json.dumps({"evaluations": res.n_evaluations, "wall": wall, "cpu": cpu, "outputs": len(res.outputs),
                      "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def smallest_n(evaluations: int) -> int:
    """The smallest power of two N whose Sobol' design (N x (groups + 2) rows) has ``evaluations`` rows."""
    from econ.analysis.gsa import build_problem
    from econ.model.run import compile_path

    groups = len(build_problem(compile_path(DEFAULT).parameters).groups)
    n = 1
    while n * (groups + 2) < evaluations:
        n *= 2
    return n


def loop_baseline(n: int, sample: int) -> tuple[float, bool, int]:
    """Seconds per evaluation of the design's rows one at a time, and whether they match the vectorised run."""
    from econ.analysis.gsa import build_problem, evaluate_design, sample as gsa_sample
    from econ.analysis.outputs import default_outputs, output_values, parse_output
    from econ.model.evaluate import evaluate
    from econ.model.run import compile_path

    compiled = compile_path(DEFAULT)
    design = gsa_sample(compiled.parameters, build_problem(compiled.parameters), "sobol", n,
                        rng=np.random.default_rng(1))
    specs = [parse_output(compiled, o) for o in default_outputs(compiled)]
    table = design.rows.table(0, sample)
    evaluate(compiled, table.slice(0, 1))  # warm-up
    t = time.perf_counter()
    rows = []
    for i in range(sample):
        one = evaluate(compiled, table.slice(i, i + 1))
        rows.append([output_values(compiled, one, s)[0] for s in specs])
    per_row = (time.perf_counter() - t) / sample
    vector = np.column_stack([output_values(compiled, evaluate(compiled, table), s) for s in specs])
    same = bool(np.allclose(np.array(rows), vector, rtol=1e-12, atol=0))
    return per_row, same, design.n_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None,
                        help="Sobol' base sample N, a power of two (default: the smallest giving >= 10^6 evaluations)")
    parser.add_argument("--loop-sample", type=int, default=200)
    parser.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None:
        child(args.child)
        return
    print("load average %.1f %.1f %.1f at start" % os.getloadavg())
    if args.n is None:
        args.n = smallest_n(10**6)
    out = subprocess.run([sys.executable, __file__, "--child", str(args.n)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    per_row, same, rows = loop_baseline(args.n, args.loop_sample)
    loop_total = per_row * r["evaluations"]
    print(f"default model (side_by_side), Sobol' N = {args.n:,}: {r['evaluations']:,} evaluations "
          f"(design rows {rows:,}) of {r['outputs']} outputs")
    print(f"  whole GSA, fresh process      {r['wall']:8.1f} s wall ({r['cpu']:.1f} s CPU)  "
          f"{r['evaluations'] / r['wall']:10,.0f} evaluations/s   peak {r['peak_mib']:,.0f} MiB   "
          f"(targets: >= 10^6 evaluations in < 40 s and < 1 GB: "
          f"{'met' if r['evaluations'] >= 1e6 and r['wall'] < 40 and r['peak_mib'] < 1024 else 'NOT met'})")
    print(f"  per-row loop (baseline)       {loop_total:8.1f} s for the same evaluations "
          f"({per_row * 1e3:.2f} ms per row, {args.loop_sample} rows timed)")
    print(f"  ratio loop / whole GSA: {loop_total / r['wall']:,.0f}x; sampled rows equal to 1e-12: {same}")
    print("load average %.1f %.1f %.1f at end" % os.getloadavg())


if __name__ == "__main__":
    main()
