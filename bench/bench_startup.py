"""Start-up: whole-process time of `python run_model.py` (the default base case) against the
numpy+pandas import floor, target at most 1.6x (issue 19).

The two commands are run alternately (so both see the same load on a shared machine) and the
ratio of the medians is printed next to both figures, with the modules the base case no longer
imports (scipy, SALib, matplotlib, jinja2, openpyxl) checked in a child process.

Both run as an installed package runs: with Python's bytecode cache. numpy and pandas come with
theirs (compiled at install); the project's modules are compiled once, before timing, into a cache
under the system's temporary folder (``PYTHONPYCACHEPREFIX``, so nothing is written into the
repository), even when the calling environment sets ``PYTHONDONTWRITEBYTECODE``. ``--no-bytecode``
times both without writing any cache (the project then compiles its sources at every start).
Run: python bench/bench_startup.py [--repeat 9] [--no-bytecode]
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = 1.6
HEAVY = ("scipy", "SALib", "matplotlib", "jinja2", "openpyxl")

FLOOR = [sys.executable, "-c", "import numpy, pandas"]
BASE_CASE = [sys.executable, "run_model.py"]


ENV = dict(os.environ)


def use_bytecode_cache() -> None:
    """Children write and read compiled modules in a cache outside the repository."""
    ENV.pop("PYTHONDONTWRITEBYTECODE", None)
    ENV["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "peer_econ_bench_pycache")


def once(cmd: list[str]) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - t0


def heavy_modules_imported() -> list[str]:
    """Heavy packages present in sys.modules after the default base case, run in a child process."""
    code = ("import sys, contextlib, io\nfrom econ.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n    main([])\n"
            f"print(','.join(m for m in {HEAVY!r} if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True, text=True, env=ENV)
    return [m for m in out.stdout.strip().split(",") if m]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--no-bytecode", action="store_true", help="time without a bytecode cache")
    args = parser.parse_args()
    if not args.no_bytecode:
        use_bytecode_cache()
    once(FLOOR), once(BASE_CASE)  # warm the file cache (and compile the project's modules once)
    floor, base = [], []
    for _ in range(args.repeat):
        floor.append(once(FLOOR))
        base.append(once(BASE_CASE))
    f, b = statistics.median(floor), statistics.median(base)
    print(f"{'case':42s} {'median s':>9s} {'min s':>7s} {'max s':>7s}  (n={args.repeat}, alternated)")
    print(f"{'import numpy, pandas (baseline: the floor)':42s} {f:9.3f} {min(floor):7.3f} {max(floor):7.3f}")
    print(f"{'python run_model.py (default base case)':42s} {b:9.3f} {min(base):7.3f} {max(base):7.3f}")
    ratio = b / f
    print(f"ratio of medians {ratio:.2f}x (target <= {TARGET}x): {'met' if ratio <= TARGET else 'NOT met'}; "
          f"ratio of minima {min(base) / min(floor):.2f}x")
    heavy = heavy_modules_imported()
    print("bytecode cache: " + ("none (--no-bytecode)" if args.no_bytecode else ENV["PYTHONPYCACHEPREFIX"]))
    print("heavy packages imported by the base case: " + (", ".join(heavy) if heavy else "none of " + ", ".join(HEAVY)))


if __name__ == "__main__":
    main()
