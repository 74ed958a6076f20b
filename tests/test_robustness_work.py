"""A run of hours is refused up front with its cost estimate; a long run says how long is left (issue 23).

The probe's case: a 1,999-state model (under the 2,000-state cap) with ``psa --draws 2000`` ran
for over 240 s with no progress and no estimate. Work = states^2 x cycles x strategies x draws.
"""
from __future__ import annotations

import io
import os
import subprocess
import sys

import pytest

from econ.core.errors import LimitError
from econ.core.limits import Limits, check_work, model_work
from econ.core.progress import TimedProgress, format_duration

from .conftest import ROOT, SCENARIOS, without_data_quality_warnings


def _cli(*args, env=None):
    return subprocess.run([sys.executable, str(ROOT / "run_model.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def chain_model(n_states: int, n_cycles: int = 20) -> str:
    """A progressive model: s0 -> s1 -> ... -> s(n-2), death from each, two strategies."""
    lines = ["metadata: {name: chain, description: many states}",
             f"settings: {{cycle_length: year, n_cycles: {n_cycles}, cycle_correction: end, reference_strategy: a, "
             "seed: 1}", "parameters:",
             "  p: {value: 0.1, dist: beta, mean: 0.1, se: 0.02, source: test}",
             "  q: {value: 0.01, source: test}", "states:"]
    lines += [f"  s{i}: {{}}" for i in range(n_states - 1)] + ["  dead: {}", "transitions:"]
    lines += [f"  s{i}: {{s{i + 1}: p * k, dead: q, s{i}: complement}}" for i in range(n_states - 2)]
    lines += [f"  s{n_states - 2}: {{dead: q, s{n_states - 2}: complement}}", "  dead: {dead: 1}",
              "initial: {s0: 1}", "strategies:", "  a: {parameters: {k: 1}}", "  b: {parameters: {k: 0.5}}",
              "values:", "  ly: {kind: outcome, unit: life-years, states: {"
              + ", ".join(f"s{i}: 1" for i in range(n_states - 1)) + "}}"]
    return "\n".join(lines) + "\n"


def test_the_probes_1999_state_psa_is_refused_at_once_with_the_estimate(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text(chain_model(1_999), encoding="utf-8")
    out = _cli("psa", str(path), "--draws", "2000", "--out", str(tmp_path / "out"))
    assert out.returncode == 2, out.stderr[-2000:]
    assert ("work: 2,000 draws of a model with 1,999 states (tunnels expanded), 20 cycles and 2 strategies is "
            "about 3.20e+11 cells") in out.stderr
    assert "PEER_ECON_MAX_WORK" in out.stderr and "Traceback" not in out.stderr
    assert not (tmp_path / "out").exists() or not os.listdir(tmp_path / "out")


def test_work_is_states_squared_by_cycles_strategies_and_draws():
    assert model_work(n_states=1_999, n_cycles=20, n_strategies=2, n_draws=2_000) == 1_999 ** 2 * 20 * 2 * 2_000
    # The default scenario (5 states, 36 cycles, 5 strategies) stays under the cap up to the draws cap.
    check_work(n_states=5, n_cycles=36, n_strategies=5, n_draws=Limits().max_draws)
    with pytest.raises(LimitError, match=r"is about 3\.20e\+11 cells .* more than the limit of 1\.00e\+11"):
        check_work(n_states=1_999, n_cycles=20, n_strategies=2, n_draws=2_000)


def test_the_work_cap_is_set_by_its_environment_variable(monkeypatch):
    monkeypatch.setenv("PEER_ECON_MAX_WORK", "1000")
    with pytest.raises(LimitError, match="more than the limit of 1.00e\\+03"):
        check_work(n_states=5, n_cycles=36, n_strategies=5, n_draws=1)
    monkeypatch.setenv("PEER_ECON_MAX_WORK", "ten")
    with pytest.raises(LimitError, match="PEER_ECON_MAX_WORK: must be a whole number > 0"):
        check_work(n_states=5, n_cycles=36, n_strategies=5, n_draws=1)


@pytest.mark.parametrize("args, what", [
    (["dsa", str(SCENARIOS / "side_by_side.yaml")], "draws"),
    (["gsa", str(SCENARIOS / "side_by_side.yaml"), "--n", "8"], "model evaluations"),
    (["run", str(SCENARIOS / "side_by_side.yaml")], "draws"),
])
def test_every_analysis_checks_the_work_before_running(args, what):
    out = _cli(*args, env={"PEER_ECON_MAX_WORK": "1000"})
    assert out.returncode == 2, out.stderr
    assert f"{what} of a model with 5 states (tunnels expanded), 36 cycles and 5 strategies" in out.stderr


# ---------------------------------------------------------------------------- progress
class _Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_timed_progress_reports_done_and_time_left_after_a_delay():
    clock, out = _Clock(), io.StringIO()
    progress = TimedProgress(2_000, "draw", label="psa", stream=out, after=10, every=30, clock=clock)
    clock.now += 5
    progress(10)
    assert out.getvalue() == ""  # a quick run prints nothing
    clock.now += 107  # 112 s for 40 draws: 2.8 s a draw, 1,960 left
    progress(30)
    assert out.getvalue() == "psa: 40 of 2,000 draws in 1 min 52 s; about 1 h 31 min left\n"
    clock.now += 10
    progress(10)  # within 30 s of the last line: quiet
    assert out.getvalue().count("\n") == 1
    clock.now += 30
    progress(10)
    assert out.getvalue().splitlines()[-1].startswith("psa: 60 of 2,000 draws in 2 min 32 s; about 1 h 21 min left")
    clock.now += 100
    progress(1_940)  # finished: the results follow, no line
    assert out.getvalue().count("\n") == 2


@pytest.mark.parametrize("seconds, text", [(0, "0 s"), (59.4, "59 s"), (61, "1 min 1 s"), (3_600, "1 h 0 min"),
                                           (11_100, "3 h 5 min")])
def test_durations_read_as_people_write_them(seconds, text):
    assert format_duration(seconds) == text


def test_psa_without_a_terminal_writes_progress_lines_to_stderr():
    out = _cli("psa", str(SCENARIOS / "side_by_side.yaml"), "--draws", "4000", "--chunk-draws", "500",
               env={"PEER_ECON_PROGRESS_AFTER": "0", "PEER_ECON_THREADS": "1"})
    assert out.returncode == 0, out.stderr
    first = without_data_quality_warnings(out.stderr).splitlines()[0]
    assert first.startswith("psa: 500 of 4,000 draws in ") and first.endswith(" left"), out.stderr
    assert "psa:" not in out.stdout
