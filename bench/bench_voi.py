"""Speed of ``run_model.py voi`` on the default scenario, next to the PSA alone, and which parameters rank top.

Times, as fresh processes (imports, compile, PSA and value of information, files written):

- baseline: ``run_model.py psa scenarios/side_by_side.yaml --draws N --out DIR`` (the PSA alone);
- ``run_model.py voi scenarios/side_by_side.yaml --out DIR`` at its default draws (target: under 20 s
  on a 2-core machine), and with a study of attribution (EVSI over the default sizes).

Wall time and CPU time (user + system of the child) are both printed: on a shared machine the wall
time mostly measures the other jobs, the CPU time what this command costs. Then the EVPPI ranking
per perspective from evppi.csv (attribution and persistence, p_fade / p_stop / p_fade_tapering,
are the parameters the issue asks about).

Run: python bench/bench_voi.py [--repeat 1]
Prints figures only; no assertions.
"""
from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "side_by_side.yaml"
PERSISTENCE = ("p_fade", "p_stop", "p_fade_tapering")


def timed(args: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the child) of ``python run_model.py ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, str(ROOT / "run_model.py"), *args], check=True, env=env,
                   stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from econ.analysis.voi import DEFAULT_DRAWS

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}; default voi draws {DEFAULT_DRAWS}")
    with tempfile.TemporaryDirectory() as tmp:
        runs = {
            "baseline: psa alone": ["psa", str(SCENARIO), "--draws", str(DEFAULT_DRAWS)],
            "voi (EVPI + EVPPI of every input)": ["voi", str(SCENARIO)],
            "voi + EVSI of an attribution study": ["voi", str(SCENARIO), "--study", "attribution", "--study-sd",
                                                   "1", "--study-cost-fixed", "50000",
                                                   "--study-cost-per-person", "300"],
        }
        out_dirs = {}
        for label, cmd in runs.items():
            for r in range(args.repeat):
                out = Path(tmp) / f"{len(out_dirs)}-{r}"
                wall, cpu = timed(cmd + ["--out", str(out)])
                print(f"{label:<40} wall {wall:6.2f} s   CPU {cpu:6.2f} s   (target for voi: under 20 s)")
            out_dirs[label] = out
        table = pd.read_csv(out_dirs["voi (EVPI + EVPPI of every input)"] / "evppi.csv")
        evpi = pd.read_csv(out_dirs["voi (EVPI + EVPPI of every input)"] / "evpi.csv")
    person = table[table.per == "person"]
    for persp, part in person.groupby("perspective", sort=False):
        e = evpi[(evpi.per == "person") & (evpi.perspective == persp)].evpi.iloc[0]
        ranked = part.sort_values("evppi", ascending=False).reset_index(drop=True)
        print(f"\n{persp}: EVPI {e:,.2f} per person; top parameters by EVPPI (SYNTHETIC DATA)")
        for i, row in ranked.head(6).iterrows():
            print(f"  {i + 1}. {row.parameters:<26} {row.evppi:9.2f} (SE {row.se:.2f}, R^2 {row.r2_min:.2f})")
        for name in ("attribution",) + PERSISTENCE:
            hit = ranked[ranked.parameters == name]
            if len(hit):
                print(f"  rank of {name}: {hit.index[0] + 1} of {len(ranked)} ({hit.evppi.iloc[0]:.2f})")


if __name__ == "__main__":
    main()
