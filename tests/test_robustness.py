"""Hostile inputs are refused with a located message and exit status 2 (issue: robustness).

Each case is what a careful user or a probe met: special files, huge fields, odd digits, control
characters, YAML aliases, symlink loops. The command-line cases run the real process.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

import econ
from econ.core.errors import DataError, ScenarioError
from econ.inputs.csv_reader import ProblemLog, parse_number, read_csv_rows
from econ.inputs.unit_costs import load_unit_costs

from .conftest import DATA, ROOT

VALID_UC = DATA / "csv" / "uc_valid_small.csv"


def _cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, str(ROOT / "run_model.py"), *args], cwd=cwd, capture_output=True,
                          text=True, timeout=120)


# ---------------------------------------------------------------------------- special files
@pytest.mark.parametrize("special", ["/dev/zero", "/dev/null"])
def test_a_device_as_a_data_file_is_refused_before_reading(special):
    if not os.path.exists(special):
        pytest.skip(f"{special} is not on this system")
    with pytest.raises(DataError, match="character device, not a regular file"):
        load_unit_costs(special)


def test_a_fifo_as_a_data_file_is_refused_without_blocking(tmp_path):
    fifo = tmp_path / "costs.csv"
    os.mkfifo(fifo)
    with pytest.raises(DataError, match="FIFO"):
        load_unit_costs(fifo)


def test_a_directory_as_a_data_file_is_refused(tmp_path):
    with pytest.raises(DataError, match="is a directory"):
        load_unit_costs(tmp_path)


def test_a_file_over_the_size_cap_is_refused_with_its_size(tmp_path, monkeypatch):
    big = tmp_path / "big.csv"
    big.write_bytes(b"x" * (2 * 2**20))
    monkeypatch.setenv("PEER_ECON_MAX_INPUT_MB", "1")
    with pytest.raises(DataError, match=r"2\.0 MB, more than the limit of 1 MB.*PEER_ECON_MAX_INPUT_MB"):
        load_unit_costs(big)


def test_set_data_path_to_dev_zero_exits_2_with_the_name():
    out = _cli("run", "scenarios/side_by_side.yaml", "--set", "data.unit_costs=/dev/zero")
    assert out.returncode == 2, out.stderr
    assert "/dev/zero" in out.stderr and "not a regular file" in out.stderr
    assert "Traceback" not in out.stderr


# ---------------------------------------------------------------------------- CSV content
def _csv(tmp_path, text: str | bytes):
    path = tmp_path / "t.csv"
    path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8"))
    return path


def test_a_field_over_the_csv_limit_is_a_located_error(tmp_path):
    path = _csv(tmp_path, "a,b\n1,2\n3," + "x" * 200_000 + "\n")
    with pytest.raises(DataError) as err:
        read_csv_rows(path, columns=["a", "b"], log=ProblemLog(str(path)))
    assert f"{path}:3" in str(err.value) and "limited to 131,072 characters" in str(err.value)


def test_an_encoding_error_names_its_line(tmp_path):
    path = _csv(tmp_path, b"a,b\n1,2\n3,caf\xe9\n")
    with pytest.raises(DataError) as err:
        read_csv_rows(path, columns=["a", "b"], log=ProblemLog(str(path)))
    assert f"{path}:3" in str(err.value) and "not valid UTF-8 (byte 0xe9" in str(err.value)


def test_a_nul_byte_is_refused_with_its_line(tmp_path):
    path = _csv(tmp_path, "a,b\n1,2\n3,de\x00sc\n")
    with pytest.raises(DataError) as err:
        read_csv_rows(path, columns=["a", "b"], log=ProblemLog(str(path)))
    assert f"{path}:3" in str(err.value) and "NUL byte" in str(err.value)


@pytest.mark.parametrize("text", ["4_5", "٤٥", "４５", "1_000.5", "0x10", " "])
def test_numbers_are_ascii_digits_only(text):
    log = ProblemLog("f.csv")
    assert parse_number(text.strip() or "x", log=log, line=2, column="cost") is None
    assert log.problems and "expected a number" in log.problems[0].message


@pytest.mark.parametrize("text, value", [("45", 45.0), ("-1.5e3", -1500.0), (".5", 0.5), ("3.", 3.0), ("+2", 2.0)])
def test_ordinary_numbers_still_parse(text, value):
    log = ProblemLog("f.csv")
    assert parse_number(text, log=log, line=2, column="cost", minimum=None) == value and not log.problems


def test_non_finite_numbers_keep_their_message():
    log = ProblemLog("f.csv")
    assert parse_number("inf", log=log, line=2, column="cost") is None
    assert "finite" in log.problems[0].message


# ---------------------------------------------------------------------------- YAML
def test_billion_laughs_is_refused_at_the_first_anchor_at_once(tmp_path):
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [{', '.join(['*' + prev] * 9)}]")
    path = tmp_path / "laughs.yaml"
    path.write_text("metadata: {name: x}\n" + "\n".join(lines) + "\n")
    with pytest.raises(ScenarioError) as err:
        econ.load_scenario(path)
    assert f"{path.name}:2:4" in str(err.value) and "anchors and aliases" in str(err.value)


def test_a_nul_byte_in_yaml_is_located_without_pyyaml_internals(tmp_path):
    path = tmp_path / "nul.yaml"
    path.write_text("metadata:\n  name: a\x00b\n")
    with pytest.raises(ScenarioError) as err:
        econ.load_scenario(path)
    text = str(err.value)
    assert f"{path.name}:2:10" in text and "U+0000" in text and "<unicode string>" not in text


def test_an_ampersand_in_text_is_not_an_anchor(write_scenario):
    path = write_scenario("metadata:\n  name: A&E model\n  description: 'R&D'\n")
    with pytest.raises(ScenarioError) as err:  # incomplete scenario, but not refused for '&'
        econ.load_scenario(path)
    assert "anchors" not in str(err.value)


def test_extends_through_a_symlink_loop_exits_2(tmp_path):
    (tmp_path / "loop_a.yaml").symlink_to(tmp_path / "loop_b.yaml")
    (tmp_path / "loop_b.yaml").symlink_to(tmp_path / "loop_a.yaml")
    child = tmp_path / "child.yaml"
    child.write_text("extends: loop_a.yaml\nmetadata: {name: c}\n")
    out = _cli("validate", str(child))
    assert out.returncode == 2, out.stderr
    assert "child.yaml:1" in out.stderr and "extends" in out.stderr and "Traceback" not in out.stderr


def test_a_symlink_loop_as_the_scenario_exits_2(tmp_path):
    (tmp_path / "a.yaml").symlink_to(tmp_path / "b.yaml")
    (tmp_path / "b.yaml").symlink_to(tmp_path / "a.yaml")
    out = _cli("validate", str(tmp_path / "a.yaml"))
    assert out.returncode == 2 and "Traceback" not in out.stderr, out.stderr


def test_a_fifo_as_the_scenario_is_refused(tmp_path):
    fifo = tmp_path / "s.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError, match="FIFO"):
        econ.load_scenario(fifo)


# ---------------------------------------------------------------------------- output folders
def test_out_under_a_file_exits_2():
    out = _cli("run", "scenarios/side_by_side.yaml", "--out", "/dev/null/x")
    assert out.returncode == 2, out.stderr
    assert "/dev/null/x" in out.stderr and "cannot create the output folder" in out.stderr
    assert "Traceback" not in out.stderr


def test_disk_full_leaves_nothing_partial(tmp_path, monkeypatch):
    import errno

    from econ.report import files

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(files.os, "fsync", full)
    with pytest.raises(files.OutputError, match="No space left on device"):
        files.write_atomic(tmp_path / "table.csv", "a,b\n1,2\n")
    assert list(tmp_path.iterdir()) == []


HOLD = """
import sys, time
from econ.report.files import prepare_run_folder
prepare_run_folder(sys.argv[1], "x")
print("locked", flush=True)
time.sleep(60)
"""


def test_a_second_run_on_a_locked_folder_is_refused(tmp_path):
    folder = tmp_path / "out"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(folder)], cwd=ROOT, stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert holder.stdout.readline().strip() == "locked"
        out = _cli("psa", "scenarios/side_by_side.yaml", "--draws", "20", "--out", str(folder))
        assert out.returncode == 2, out.stderr
        assert "another run is writing into this output folder" in out.stderr
        assert list(folder.iterdir()) == []
    finally:
        holder.kill()
        holder.wait()


def test_two_writers_started_together_never_mix_their_files(tmp_path):
    folder = tmp_path / "out"
    cmd = [sys.executable, str(ROOT / "run_model.py"), "psa", "scenarios/side_by_side.yaml", "--draws", "50",
           "--out", str(folder)]
    procs = [subprocess.Popen(cmd + ["--seed", str(seed)], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for seed in (1, 2)]
    results = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 2], results
    import json

    manifest = json.loads((folder / "manifest.json").read_text())
    winner = 1 + [code for code, _ in results].index(0)
    assert manifest["scenarios"][0]["seed"] == winner
    loser_message = [err for code, err in results if code == 2][0]
    assert "another run is writing" in loser_message or "not empty" in loser_message


# ---------------------------------------------------------------------------- non-finite results
@pytest.mark.parametrize("expression, shown", [("log(c_alive - c_alive)", "-inf"), ("c_alive * 1e308 * 10", "inf"),
                                               ("where(cycle > 2, log(0) - log(0), 1)", "nan")])
def test_non_finite_values_are_errors_naming_value_strategy_cycle_draw(write_scenario, expression, shown):
    from econ.core.errors import ModelError

    from .analytic import two_state_scenario

    data = two_state_scenario(0.1, 5.0, 0.0, 6)
    data["values"]["cost"]["states"]["alive"] = expression
    path = write_scenario(data)
    with pytest.raises(ModelError) as err:
        econ.run(path)
    text = str(err.value)
    assert f"value 'cost' is not finite ({shown}) for strategy 'only' in cycle" in text, text
    assert "draw 0" in text and "values.cost" in text


def test_non_finite_result_exits_2_on_the_command_line(write_scenario):
    from .analytic import two_state_scenario

    data = two_state_scenario(0.1, 5.0, 0.0, 6)
    data["values"]["cost"]["states"]["alive"] = "log(0)"
    out = _cli("run", str(write_scenario(data)))
    assert out.returncode == 2 and "is not finite (-inf)" in out.stderr and "Traceback" not in out.stderr


# ---------------------------------------------------------------------------- the limits page
def test_limits_page_lists_every_limit_once_as_the_code_has_it():
    import re

    from econ.core.files import INPUT_LIMITS_MB
    from econ.core.limits import _ENV, Limits
    from econ.scenario.expressions import MAX_EXPRESSION_DEPTH, MAX_EXPRESSION_LENGTH

    page = (ROOT / "docs" / "errors_and_limits.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| ([^|]+?) \| ([\d,]+)[^|]*\| (`?[^|]+?`?) \|$", page, flags=re.M)
    by_var = {var.strip("`"): int(default.replace(",", "")) for _, default, var in rows if var.startswith("`")}
    code = {var: getattr(Limits(), field) for field, var in _ENV.items()}
    code.update({var: mb for mb, var in INPUT_LIMITS_MB.values()})
    assert by_var == code
    import csv

    from econ.scenario.load import MAX_EXTENDS_DEPTH
    from econ.scenario.source import MAX_YAML_DEPTH, MAX_YAML_NODES

    fixed = {name.strip(): int(default.replace(",", "")) for name, default, var in rows if var == "(fixed)"}
    assert fixed == {"expression length": MAX_EXPRESSION_LENGTH, "expression nesting": MAX_EXPRESSION_DEPTH,
                     "YAML nesting (mappings and lists inside each other)": MAX_YAML_DEPTH,
                     "YAML values in one file (keys, list items)": MAX_YAML_NODES,
                     "`extends` chain": MAX_EXTENDS_DEPTH, "CSV field": csv.field_size_limit()}
    names = [name for name, _, _ in rows]
    assert len(names) == len(set(names))


def test_cycles_have_one_limit(write_scenario, monkeypatch):
    from econ.core.errors import LimitError

    from .analytic import two_state_scenario

    path = write_scenario(two_state_scenario(0.1, 5.0, 0.0, 12_001))
    with pytest.raises(LimitError, match="12,001 cycles is more than the limit of 12,000"):
        econ.run(path)
    monkeypatch.setenv("PEER_ECON_MAX_CYCLES", "200000")
    path = write_scenario(two_state_scenario(0.1, 5.0, 0.0, 150_000), "long.yaml")
    assert econ.compile_path(path).model.n_cycles == 150_000


def test_a_psa_too_big_for_memory_is_refused_up_front_with_the_estimate():
    out = _cli("psa", "scenarios/side_by_side.yaml", "--draws", "20000000", "--out", "/tmp/never-written-psa")
    assert out.returncode == 2, out.stderr
    assert "20,000,000 draws need about" in out.stderr and "more than the limit of 2,048 MB" in out.stderr
    assert not os.path.exists("/tmp/never-written-psa") or not os.listdir("/tmp/never-written-psa")


# ---------------------------------------------------------------------------- command-line values
@pytest.mark.parametrize("args, message", [
    (["gsa", "scenarios/side_by_side.yaml", "--seed", "-1"], "argument --seed: must be at least 0 (got -1)"),
    (["report", "scenarios/side_by_side.yaml", "--seed", "-1"], "argument --seed: must be at least 0 (got -1)"),
    (["gsa", "scenarios/side_by_side.yaml", "--resamples", "0"], "argument --resamples: must be at least 1 (got 0)"),
    (["gsa", "scenarios/side_by_side.yaml", "--max-memory-mb", "0"], "argument --max-memory-mb: must be at least 1"),
    (["psa", "scenarios/side_by_side.yaml", "--population", "-1"], "argument --population: must be at least 0"),
    (["gsa", "scenarios/side_by_side.yaml", "--n", "1073741824"], "model evaluations is more than the limit of"),
])
def test_out_of_range_command_line_values_exit_2(args, message):
    out = _cli(*args)
    assert out.returncode == 2, out.stderr
    assert message in out.stderr and "Traceback" not in out.stderr


def test_a_huge_gsa_is_refused_before_allocating(monkeypatch):
    from econ.analysis.gsa import run_gsa
    from econ.core.errors import LimitError

    monkeypatch.setenv("PEER_ECON_MAX_DRAWS", str(10**13))
    with pytest.raises(LimitError, match="design and outputs need about"):
        run_gsa(econ.compile_path(ROOT / "scenarios" / "side_by_side.yaml"), method="sobol", n=2**30, progress=False)


# ---------------------------------------------------------------------------- the same file twice
@pytest.mark.parametrize("command", [["compare"], ["report", "--draws", "0", "--format", "csv"]])
def test_the_same_scenario_twice_is_labelled_apart(command, tmp_path):
    args = [command[0], "scenarios/side_by_side.yaml", "scenarios/side_by_side.yaml", *command[1:],
            "--out", str(tmp_path / "o")]
    out = _cli(*args)
    assert out.returncode == 0, out.stderr
    assert "internal error" not in out.stderr
    if command[0] == "compare":
        assert "#2" in out.stdout


@pytest.mark.parametrize("value", ["1.2", "-0.5", "1e9"])
def test_set_outside_a_beta_support_is_refused(value):
    # p_fade is a beta (attribution, a beta before issue 13, is now a fixed multiplier)
    with pytest.raises(ScenarioError, match=rf"--set p_fade={value}: parameters.p_fade: .* is outside the "
                                            r"support of 'p_fade', declared as a beta"):
        econ.load_scenario(ROOT / "scenarios" / "side_by_side.yaml", overrides=[f"p_fade={value}"])


def test_set_inside_the_support_is_applied():
    loaded = econ.load_scenario(ROOT / "scenarios" / "side_by_side.yaml", overrides=["attribution=0.3"])
    assert loaded.raw["parameters"]["attribution"] == 0.3


def test_an_icer_whose_effect_is_a_cost_fails_validate(tmp_path):
    text = (ROOT / "scenarios" / "validation" / "chancellor_hiv.yaml").read_text(encoding="utf-8")
    assert "icer: {cost: total_cost, effect: ly}" in text
    path = tmp_path / "bad_icer.yaml"
    path.write_text(text.replace("icer: {cost: total_cost, effect: ly}", "icer: {cost: total_cost, effect: total_cost}"))
    out = _cli("validate", str(path))
    assert out.returncode == 2, out.stdout + out.stderr
    assert "icer.effect: 'total_cost' is a cost value; the ICER's effect must be an outcome value or total" in out.stderr


def test_a_bad_data_row_is_reported_once(tmp_path):
    rows = (ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv").read_text(encoding="utf-8").splitlines()
    head, first = rows[0].split(","), rows[1].split(",")
    first[head.index("quantity")] = "abc"
    bad = tmp_path / "SYNTHETIC_service_use.csv"
    bad.write_text("\n".join([rows[0], ",".join(first)] + rows[2:]) + "\n", encoding="utf-8")
    meta = ROOT / "scenarios" / "data" / "SYNTHETIC_metadata.yaml"
    (tmp_path / "SYNTHETIC_metadata.yaml").write_bytes(meta.read_bytes())
    out = _cli("run", "scenarios/side_by_side.yaml", "--set", f"data.service_use={bad}")
    assert out.returncode == 2
    lines = [line for line in out.stderr.splitlines() if line.startswith("error:")]
    assert lines == [f"error: {bad}:2: quantity: expected a number (got 'abc')"], out.stderr


@pytest.mark.parametrize("content, expected", [
    (b"synthetic: true\ngenerator: caf\xe9\n", ":2: the metadata file is not valid UTF-8 (byte 0xe9)"),
    (b"synthetic: [true\n", ":2:1: cannot read the metadata file: expected"),
])
def test_a_bad_metadata_file_is_a_located_error(tmp_path, content, expected):
    from econ.inputs.service_use import load_service_use

    src = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"
    data = tmp_path / "SYNTHETIC_service_use.csv"
    data.write_bytes(src.read_bytes())
    (tmp_path / "SYNTHETIC_metadata.yaml").write_bytes(content)
    with pytest.raises(DataError) as err:
        load_service_use(data)
    assert f"SYNTHETIC_metadata.yaml{expected}" in str(err.value)
