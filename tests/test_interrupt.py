"""Ctrl-C during a long PSA: exit 130 with a message saying what was kept, no partial files, rerun works."""
from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time

from .conftest import ROOT, SCENARIOS


def test_sigint_during_psa_leaves_no_partial_output(tmp_path):
    out = tmp_path / "psa"
    cmd = [sys.executable, str(ROOT / "run_model.py"), "psa", str(SCENARIOS / "side_by_side.yaml"),
           "--draws", "500000", "--out", str(out)]
    # 500,000 draws of the default scenario need about 2.1 GB (over the default cap): the test only needs a
    # run long enough to interrupt, so it raises the cap rather than the machine's memory use (it stops early)
    env = {**os.environ, "PEER_ECON_MAX_MEMORY_MB": "4096"}
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # wait until the run folder exists (start-up done, the PSA is running), then interrupt
    deadline = time.time() + 60
    while not out.exists() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.05)
    time.sleep(1.0)
    assert proc.poll() is None, "the PSA finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, err
    assert "interrupted:" in err and "Traceback" not in err
    leftovers = [p.name for p in out.iterdir()] if out.exists() else []
    assert not [n for n in leftovers if n.endswith(".part") or n.startswith(".")], leftovers
    if leftovers:
        assert "kept" in err
    else:
        assert "no result files were written" in err
    # a rerun into the same folder works
    rerun = subprocess.run([sys.executable, str(ROOT / "run_model.py"), "psa", str(SCENARIOS / "side_by_side.yaml"),
                            "--draws", "200", "--out", str(out), "--force"], cwd=ROOT, capture_output=True, text=True)
    assert rerun.returncode == 0, rerun.stderr
    assert (out / "psa_summary.csv").exists() and (out / "manifest.json").exists()


def _interrupt_after(cmd, ready, timeout=60):
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.time() + timeout
    while not ready() and time.time() < deadline and proc.poll() is None:
        time.sleep(0.02)
    assert proc.poll() is None, "the command finished before it could be interrupted"
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def test_sigint_during_report_exits_130_with_the_message(tmp_path):
    out = tmp_path / "report"
    code, err = _interrupt_after([sys.executable, str(ROOT / "run_model.py"), "report",
                                  str(SCENARIOS / "side_by_side.yaml"), "--draws", "200000", "--out", str(out)],
                                 out.exists)
    assert code == 130, err
    assert "interrupted:" in err and "Traceback" not in err


def test_sigint_while_importing_exits_130_with_the_message(tmp_path):
    # Interrupt once the imports are under way: -X importtime writes a line per module to stderr
    # (a file here), and the run is interrupted as soon as numpy's line is there, well before the
    # base case (now well under a second) could finish.
    log = tmp_path / "stderr.txt"
    with open(log, "w", encoding="utf-8") as fh:
        proc = subprocess.Popen([sys.executable, "-X", "importtime", str(ROOT / "run_model.py")], cwd=ROOT,
                                stdout=subprocess.DEVNULL, stderr=fh, text=True)
        deadline = time.time() + 60
        while (not re.search(r"\| +numpy$", log.read_text(encoding="utf-8"), re.M) and time.time() < deadline
               and proc.poll() is None):
            time.sleep(0.005)
        assert proc.poll() is None, "the command finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=120)
    err = log.read_text(encoding="utf-8")
    assert proc.returncode == 130, err[-2000:]
    assert "interrupted: no result files were written" in err and "Traceback" not in err
