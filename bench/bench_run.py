"""Whole-process time of `python run_model.py` (the default scenario's headline), target under 2 s.

Prints the median and range of several runs, next to two floors measured in the same run: a bare
Python start-up and one that only imports numpy and pandas (what any pandas-based tool pays).
Run: python bench/bench_run.py [--repeat 7]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def timed(cmd: list[str], repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append(time.perf_counter() - t0)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    cases = [
        ("python -c pass (floor)", [sys.executable, "-c", "pass"]),
        ("import numpy, pandas (floor)", [sys.executable, "-c", "import numpy, pandas"]),
        ("python run_model.py (default scenario)", [sys.executable, "run_model.py"]),
        ("python run_model.py run chancellor_hiv", [sys.executable, "run_model.py", "run",
                                                    "scenarios/validation/chancellor_hiv.yaml"]),
    ]
    print(f"{'case':45s} {'median s':>9s} {'min s':>7s} {'max s':>7s}  (n={args.repeat})")
    for label, cmd in cases:
        t = timed(cmd, args.repeat)
        print(f"{label:45s} {statistics.median(t):9.3f} {min(t):7.3f} {max(t):7.3f}")
    print("target: python run_model.py under 2 s on the 2-core machine")


if __name__ == "__main__":
    main()
