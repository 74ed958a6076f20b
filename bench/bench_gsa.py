"""Benchmarks of PSA and GSA throughput, the per-draw loop it replaces, and GSA memory: prints figures, asserts nothing.

Run from the repository root::

    python bench/bench_gsa.py            # everything (about two minutes on a 2-core machine)
    python bench/bench_gsa.py --quick    # smaller sizes, for a smoke run

Targets (docs: DESIGN.md, "Quality targets"; 2-core machine): 10^6 evaluations of the default model
in under 60 s and 2 GB; at least 100x a per-draw Python loop; the DMHEE HIV model's PSA at
200,000 draws/s or more.

(c) runs in a fresh subprocess so that its peak resident memory (``resource.getrusage`` maxrss)
counts only that analysis, not the other benchmarks. Evaluation runs on the default threads (the
CPUs available; ``PEER_ECON_THREADS=1`` for one); (a), (b) and (d) also print the one-thread
figures, and the per-draw loop is the same on any number of threads (one draw is one chunk).
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from econ.analysis.outputs import default_outputs, output_values, parse_output  # noqa: E402
from econ.model.run import compile_path  # noqa: E402
from econ.analysis.draws import draw_table  # noqa: E402
from econ.model.evaluate import evaluate  # noqa: E402
from econ.core.parallel import default_threads  # noqa: E402

DEFAULT = ROOT / "scenarios" / "side_by_side.yaml"
HIV = ROOT / "scenarios" / "validation" / "chancellor_hiv.yaml"
THREADS = default_threads()  # the CPUs available, or PEER_ECON_THREADS


def _best_of(repeats: int, fn):
    """Smallest wall time of ``repeats`` calls, the CPU time of that call, and the last result.

    Wall time (``time.perf_counter``) is what a user waits; with several threads the CPU time
    (``time.process_time``, all threads of this process) is larger. The minimum is the least
    disturbed run on a shared machine.
    """
    best, cpu_of_best, out = float("inf"), float("inf"), None
    for _ in range(repeats):
        t, c = time.perf_counter(), time.process_time()
        out = fn()
        t, c = time.perf_counter() - t, time.process_time() - c
        if t < best:
            best, cpu_of_best = t, c
    return best, cpu_of_best, out


def _load() -> str:
    return "load average %.1f %.1f %.1f" % os.getloadavg()


def bench_psa(compiled, n: int, label: str) -> dict:
    """PSA throughput: drawing the table, evaluating it on 1 thread and on the default threads, and both."""
    seed = compiled.loaded.spec.settings.seed
    settings = compiled.loaded.spec.settings
    t_draw, _, table = _best_of(3, lambda: draw_table(compiled.parameters, n, rng=np.random.default_rng(seed),
                                                       monte_carlo_draws=settings.monte_carlo_draws))
    t_ppf, _, _ = _best_of(1, lambda: draw_table(compiled.parameters, n, rng=np.random.default_rng(seed),
                                                  monte_carlo_draws="inverse_cdf"))
    print(f"  {label}: {n:,} draws; drawing the table: direct samplers {t_draw:.3f} s ({n / t_draw:,.0f}/s), "
          f"inverse CDFs {t_ppf:.3f} s ({n / t_ppf:,.0f}/s)")
    out = {}
    for threads in sorted({1, THREADS}):
        t_eval, c_eval, _ = _best_of(3, lambda: evaluate(compiled, table, threads=threads))
        total = t_draw + t_eval
        print(f"    {threads} thread(s): draw {t_draw:.3f} s + evaluate {t_eval:.3f} s ({c_eval:.3f} s CPU) = "
              f"{total:.3f} s -> {n / total:,.0f} draws/s (evaluation alone {n / t_eval:,.0f}/s)")
        out[threads] = n / total
    return out


def bench_sobol(compiled, n: int) -> dict:
    """A whole Sobol' GSA in process: design, evaluation, SALib analysis."""
    from econ.analysis.gsa import build_problem, evaluate_design, run_gsa, sample

    wall, cpu = time.perf_counter(), time.process_time()
    res = run_gsa(compiled, method="sobol", n=n, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    specs = [parse_output(compiled, o) for o in res.outputs]
    design = sample(compiled.parameters, build_problem(compiled.parameters), "sobol", n,
                    rng=np.random.default_rng(1))
    print(f"  Sobol' GSA, N = {n:,}: {res.n_evaluations:,} model evaluations of {len(res.outputs)} outputs: "
          f"whole analysis {wall:.2f} s wall ({cpu:.2f} s CPU) -> {res.n_evaluations / wall:,.0f} evaluations/s")
    for threads in sorted({1, THREADS}):
        t_eval, c_eval, _ = _best_of(1, lambda: evaluate_design(compiled, design, specs, progress=False,
                                                                 threads=threads))
        print(f"    evaluation alone, {threads} thread(s): {t_eval:.2f} s wall ({c_eval:.2f} s CPU) -> "
              f"{res.n_evaluations / t_eval:,.0f} evaluations/s")
    return {"n": n, "evaluations": res.n_evaluations, "seconds": wall}


def bench_loop(compiled, n_vector: int, n_loop: int) -> dict:
    """The same PSA evaluated one draw at a time through ``evaluate`` (a sample, extrapolated)."""
    seed = compiled.loaded.spec.settings.seed
    table = draw_table(compiled.parameters, n_vector, rng=np.random.default_rng(seed))
    specs = [parse_output(compiled, o) for o in default_outputs(compiled)]
    t = time.perf_counter()
    loop_values = []
    for i in range(n_loop):
        one = evaluate(compiled, table.slice(i, i + 1))
        loop_values.append([output_values(compiled, one, s)[0] for s in specs])
    t_loop = (time.perf_counter() - t) / n_loop * n_vector
    print(f"  per-draw loop: {n_loop} draws one at a time took {t_loop / n_vector * 1e3:.2f} ms per draw -> "
          f"{t_loop:.1f} s for {n_vector:,} (extrapolated)")
    ratios = {}
    for threads in sorted({1, THREADS}):
        t_vec, _, ev = _best_of(3, lambda: evaluate(compiled, table, threads=threads))
        vec_values = np.column_stack([output_values(compiled, ev, s) for s in specs])[:n_loop]
        same = np.allclose(np.array(loop_values), vec_values, rtol=1e-12, atol=0)
        print(f"    vectorised, {threads} thread(s): {t_vec:.3f} s -> {t_loop / t_vec:,.0f}x faster "
              f"(same results to 1e-12: {same})")
        ratios[threads] = t_loop / t_vec
    return {"loop_s_per_draw": t_loop / n_vector, "ratio": ratios}


def child_memory(n: int) -> None:
    """Run one Sobol' GSA of the default model and print its time and peak memory as JSON (subprocess)."""
    from econ.analysis.gsa import run_gsa

    compiled = compile_path(DEFAULT)
    wall, cpu = time.perf_counter(), time.process_time()
    res = run_gsa(compiled, method="sobol", n=n, progress=False)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"evaluations": res.n_evaluations, "seconds": cpu, "wall": wall, "peak_mib": peak_kib / 1024,
                      "chunk": res.chunk_draws, "outputs": len(res.outputs)}))


def bench_memory(n: int) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child-memory", str(n)], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    r = json.loads(out.stdout.strip().splitlines()[-1])
    per_million = r["wall"] / r["evaluations"] * 1e6
    print(f"  whole Sobol' GSA (design, evaluation, SALib analysis of {r['outputs']} outputs), N = {n:,}, in a fresh "
          f"process: {r['evaluations']:,} evaluations in {r['wall']:.1f} s wall ({r['seconds']:.1f} s CPU) -> "
          f"{per_million:.1f} s per 10^6; peak resident memory {r['peak_mib']:,.0f} MiB (chunks of {r['chunk']:,})")
    return r


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument("--child-memory", type=int, default=None, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_memory is not None:
        child_memory(args.child_memory)
        return
    q = args.quick
    print(f"peer-econ GSA benchmarks: Python {platform.python_version()}, numpy {np.__version__}, "
          f"{os.cpu_count()} CPUs, {platform.machine()}, evaluation on {THREADS} thread(s); {_load()} at start; "
          f"times are wall seconds (best of repeats) unless marked CPU")
    default = compile_path(DEFAULT)
    hiv = compile_path(HIV)
    print("(a) default model (side_by_side: 5 strategies x 36 monthly cycles x 5 states, 39 uncertain inputs)")
    bench_psa(default, 2_000 if q else 10_000, "PSA")
    bench_sobol(default, 256 if q else 4096)
    print("(b) vectorised evaluation against a per-draw Python loop, same model, same run")
    bench_loop(default, 2_000 if q else 10_000, 20 if q else 200)
    print("(c) peak memory and time for >= 10^6 evaluations of the default model")
    bench_memory(1024 if q else 32768)
    print("(d) DMHEE HIV model (Chancellor et al. 1997: 2 strategies x 20 annual cycles x 4 states)")
    bench_psa(hiv, 20_000 if q else 200_000, "PSA")
    print(f"{_load()} at end")


if __name__ == "__main__":
    main()
