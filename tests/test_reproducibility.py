"""The same scenario and seed in two separate processes give byte-identical result files."""
from __future__ import annotations

import subprocess
import sys

import pytest

from .conftest import ROOT, SCENARIOS


def run_process(args, out):
    proc = subprocess.run([sys.executable, str(ROOT / "run_model.py"), *args, "--out", str(out)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    return {p.name: p.read_bytes() for p in sorted(out.iterdir()) if p.name != "manifest.json"}


@pytest.mark.parametrize("args", [
    ["run", str(SCENARIOS / "side_by_side.yaml")],
    ["run", str(SCENARIOS / "validation" / "chancellor_hiv.yaml")],
    ["compare", str(SCENARIOS / "side_by_side.yaml"), str(SCENARIOS / "inner_london.yaml")],
    ["psa", str(SCENARIOS / "side_by_side.yaml"), "--draws", "500", "--seed", "7"],
    ["psa", str(SCENARIOS / "validation" / "chancellor_hiv.yaml"), "--draws", "512", "--seed", "3",
     "--method", "sobol"],
])
def test_two_processes_write_identical_files(tmp_path, args):
    a = run_process(args, tmp_path / "a")
    b = run_process(args, tmp_path / "b")
    assert a.keys() == b.keys() and a
    for name in a:
        assert a[name] == b[name], f"{name} differs between processes"
