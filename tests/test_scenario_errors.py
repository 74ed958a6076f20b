"""Every invalid scenario gives a located error (file:line:col: key.path), and the CLI exits 2 without a traceback.

Each file under data/scenarios/invalid/ has one fault; its first line is '# expect: <fragment>', the
file:line:col and key path the message must contain.
"""
from __future__ import annotations

import re
import subprocess
import sys

import pytest

import econ
from econ.cli.main import main
from econ.core.errors import EconError
from econ.model.evaluate import evaluate

from .conftest import DATA, ROOT, without_data_quality_warnings

INVALID = sorted((DATA / "scenarios" / "invalid").glob("*.yaml"))


def expected_fragment(path) -> str:
    first = path.read_text(encoding="utf-8").splitlines()[0]
    m = re.match(r"# expect: (.+)$", first)
    assert m, f"{path.name}: first line must be '# expect: <fragment>'"
    return m.group(1).strip()


def load_compile_run(path):
    compiled = econ.compile_path(path)
    evaluate(compiled)


def test_there_are_at_least_twenty_invalid_scenarios():
    assert len(INVALID) >= 20


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_invalid_scenario_error_is_located(path):
    with pytest.raises(EconError) as info:
        load_compile_run(path)
    assert expected_fragment(path) in str(info.value)


@pytest.mark.parametrize("path", INVALID, ids=[p.stem for p in INVALID])
def test_cli_validate_exits_2_with_one_line_per_problem(path, capsys):
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert expected_fragment(path) in err
    assert "Traceback" not in err
    # the default data's police unit cost prints its data-quality warning; every other line is an error
    assert all(line.startswith("error: ") for line in without_data_quality_warnings(err).strip().splitlines())


def test_valid_base_loads_and_runs():
    res = econ.run(DATA / "scenarios" / "valid" / "base.yaml")
    assert list(res.summary.index) == ["usual", "new"]


def test_debug_flag_shows_traceback():
    path = DATA / "scenarios" / "invalid" / "unknown_top_key.yaml"
    proc = subprocess.run([sys.executable, str(ROOT / "run_model.py"), "--debug", "validate", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "Traceback" in proc.stderr


def test_whole_process_exit_status_and_no_traceback():
    path = DATA / "scenarios" / "invalid" / "forbidden_import.yaml"
    proc = subprocess.run([sys.executable, str(ROOT / "run_model.py"), "run", str(path)],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr
    assert "forbidden_import.yaml:16:30: transitions.alive.dead" in proc.stderr
