"""The robustness probe's remaining items (issue 23, audit): deep YAML, a long chain of parameters,
a full disk and a read-only file system under a real command.

Each case runs the input the probe used and checks the exit status (or the error) and the message.
"""
from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

import econ
from econ.core.errors import ScenarioError
from econ.scenario.source import MAX_YAML_DEPTH, parse_yaml_text

from .conftest import ROOT, SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"


def _flow(levels: int) -> str:
    """``a:`` and ``levels - 1`` lists inside each other (the document's mapping is the first level)."""
    return "a: " + "[" * (levels - 1) + "]" * (levels - 1) + "\n"


def _block(levels: int) -> str:
    """Mappings inside each other, one a line: ``k0:``, ``  k1:``, ... (``levels`` mappings)."""
    return "".join("  " * i + f"k{i}:\n" for i in range(levels - 1)) + "  " * (levels - 1) + "x: 1\n"


# ---------------------------------------------------------------------------- YAML nesting
@pytest.mark.parametrize("text", [_flow(MAX_YAML_DEPTH), _block(MAX_YAML_DEPTH)], ids=["flow", "block"])
def test_yaml_at_the_nesting_limit_is_read(text):
    parse_yaml_text(text, "f.yaml")


@pytest.mark.parametrize("text, where", [
    (_flow(MAX_YAML_DEPTH + 1), "f.yaml:1:103:"),  # the 100th '[' (col 4 + 99), the 101st level
    (_flow(5_000), "f.yaml:1:103:"),  # a token scan before composing (a deep file can crash libyaml)
    (_block(MAX_YAML_DEPTH + 1), f"f.yaml:{MAX_YAML_DEPTH + 1}:{2 * MAX_YAML_DEPTH + 1}:"),
    (_block(3_000), f"f.yaml:{MAX_YAML_DEPTH + 1}:{2 * MAX_YAML_DEPTH + 1}:"),
], ids=["flow_101", "flow_5000", "block_101", "block_3000"])
def test_yaml_nested_too_deeply_is_refused_at_its_line_and_column(text, where):
    with pytest.raises(ScenarioError) as err:
        parse_yaml_text(text, "f.yaml")
    assert str(err.value) == (f"{where} YAML is nested more than {MAX_YAML_DEPTH} levels deep here (mappings and "
                              f"lists inside each other); a scenario needs a few")


def test_yaml_nested_100000_levels_exits_2_with_line_and_column(tmp_path):
    # libyaml's composer recursed in C and crashed the process (SIGSEGV) on this file
    path = tmp_path / "deep.yaml"
    path.write_text("metadata: {name: x}\nparameters: " + "[" * 100_000 + "]" * 100_000 + "\n", encoding="utf-8")
    done = subprocess.run([sys.executable, str(ROOT / "run_model.py"), "validate", str(path)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-500:]
    assert f"error: {path}:2:112: YAML is nested more than {MAX_YAML_DEPTH} levels deep here" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- a long chain of parameters
def test_a_chain_of_5000_derived_parameters_compiles_and_runs(write_scenario):
    lines = ["metadata: {name: chain, description: p1 = p0 + 1 and so on}",
             "settings: {cycle_length: year, n_cycles: 2, cycle_correction: end, reference_strategy: a, seed: 1,",
             "           discount_rate_costs: 0, discount_rate_outcomes: 0}",
             "parameters:", "  p0: {value: 0, source: test}"]
    lines += [f"  p{i}: p{i - 1} + 1" for i in range(1, 5_000)]  # RecursionError before issue 23
    lines += ["  p_die: p4999 / 49990", "states:", "  alive: {}", "  dead: {}", "transitions:",
              "  alive: {dead: p_die, alive: complement}", "  dead: {dead: 1}", "initial: {alive: 1}",
              "strategies:", "  a: {}", "values:", "  ly: {kind: outcome, unit: life-years, states: {alive: 1}}"]
    result = econ.run(write_scenario("\n".join(lines) + "\n"))
    # p4999 = 4999, so p_die = 0.1: two end-of-cycle counts, 0.9 + 0.81, undiscounted
    assert result.summary.loc["a", "ly"] == pytest.approx(0.9 + 0.81, rel=1e-12)


# ---------------------------------------------------------------------------- full disk, read-only disk
def _psa(tmp_path, monkeypatch, capsys):
    from econ.cli.main import main

    out = tmp_path / "out"
    code = main(["psa", str(DEFAULT), "--draws", "20", "--out", str(out), "--quiet"])
    return code, capsys.readouterr().err, out


def _no_partial_files(out: Path) -> list[str]:
    return [p.name for p in out.rglob("*") if p.name.endswith(".part") or p.name.startswith(".")] if out.exists() else []


def test_disk_full_while_writing_results_exits_2_and_leaves_nothing_partial(tmp_path, monkeypatch, capsys):
    from econ.report import files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    code, err, out = _psa(tmp_path, monkeypatch, capsys)
    assert code == 2, err
    assert "cannot write the file (No space left on device); nothing was left under its name" in err
    assert str(out) in err and "Traceback" not in err
    assert _no_partial_files(out) == [] and [p for p in out.iterdir() if p.is_file()] == []


def test_a_read_only_output_file_system_exits_2_and_leaves_nothing(tmp_path, monkeypatch, capsys):
    from econ.report import files

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(files.tempfile, "mkstemp", read_only)
    code, err, out = _psa(tmp_path, monkeypatch, capsys)
    assert code == 2, err
    assert "cannot write here (Read-only file system)" in err and str(out) in err and "Traceback" not in err
    assert _no_partial_files(out) == [] and [p for p in out.iterdir() if p.is_file()] == []


def test_a_read_only_file_system_for_the_output_folder_exits_2(tmp_path, monkeypatch, capsys):
    def read_only(self, *args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    monkeypatch.setattr(Path, "mkdir", read_only)
    code, err, out = _psa(tmp_path, monkeypatch, capsys)
    assert code == 2, err
    assert f"error: {out}: cannot create the output folder (Read-only file system)" in err
    assert not out.exists()
