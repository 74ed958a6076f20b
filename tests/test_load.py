"""Scenario loading: extends, precedence of overrides, positions, relative paths."""
from __future__ import annotations

import json

import pytest

import econ
from econ.cli.main import main
from econ.core.errors import ScenarioError

from .analytic import two_state_scenario

SENTINEL = 0.0123456789  # a value that can only come from the override under test


def test_child_overrides_parent_and_mappings_merge(write_scenario):
    write_scenario(two_state_scenario(0.1, 100.0, 0.035, 10), "parent.yaml")
    child = write_scenario("extends: parent.yaml\nmetadata: {name: child}\nparameters: {p_die: 0.2}\n", "child.yaml")
    loaded = econ.load_scenario(child)
    assert loaded.spec.metadata.name == "child"
    assert loaded.spec.parameters["p_die"] == 0.2
    assert loaded.spec.parameters["c_alive"] == 100.0  # merged from the parent
    assert loaded.location("parameters", "p_die").file.endswith("child.yaml")
    assert loaded.location("parameters", "c_alive").file.endswith("parent.yaml")


def test_precedence_set_over_file_over_parent(write_scenario):
    write_scenario(two_state_scenario(0.1, 100.0, 0.035, 10), "parent.yaml")
    child = write_scenario("extends: parent.yaml\nmetadata: {name: child}\nparameters: {p_die: 0.2}\n", "child.yaml")
    loaded = econ.load_scenario(child, overrides=[f"p_die={SENTINEL}", "settings.n_cycles=3"])
    assert loaded.spec.parameters["p_die"] == SENTINEL
    assert loaded.spec.settings.n_cycles == 3
    assert any("p_die" in line and "--set" in line for line in loaded.overrides)
    res = econ.run(loaded)
    assert res.summary.loc["only", "ly"] == pytest.approx(sum((1 - SENTINEL) ** t for t in range(1, 4)), rel=1e-12)


def test_unknown_override_parameter_suggests(write_scenario):
    path = write_scenario(two_state_scenario(0.1, 100.0, 0.035, 10))
    with pytest.raises(ScenarioError, match=r"--set p_dei=0.2: parameters.p_dei: no parameter named 'p_dei'; did you mean p_die"):
        econ.load_scenario(path, overrides=["p_dei=0.2"])


def test_override_with_bad_type_is_located_at_the_option(write_scenario):
    path = write_scenario(two_state_scenario(0.1, 100.0, 0.035, 10))
    with pytest.raises(ScenarioError, match=r"--set settings.n_cycles=ten: settings.n_cycles: expected a whole number"):
        econ.load_scenario(path, overrides=["settings.n_cycles=ten"])


def test_yes_no_keys_stay_strings_and_1e_numbers_are_numbers(write_scenario):
    data = two_state_scenario(0.1, 100.0, 0.035, 10)
    path = write_scenario("\n".join([
        "metadata: {name: t}", "parameters: {p_die: 1e-2}", "states: {alive: {}, 'no': {}}",
        "transitions: {alive: {alive: complement, 'no': p_die}, 'no': {'no': 1}}",
        "initial: {alive: 1}", "strategies: {only: {}}",
    ]))
    loaded = econ.load_scenario(path)
    assert loaded.spec.parameters["p_die"] == 0.01
    assert list(loaded.spec.states) == ["alive", "no"]
    assert data  # silence


def test_cli_run_writes_summary_and_manifest(tmp_path, write_scenario, capsys):
    path = write_scenario(two_state_scenario(0.1, 100.0, 0.035, 10))
    out = tmp_path / "out"
    assert main(["run", str(path), "--out", str(out), "--set", f"p_die={SENTINEL}"]) == 0
    printed = capsys.readouterr().out
    assert "only" in printed
    manifest = json.loads((out / "manifest.json").read_text())
    scen = manifest["scenarios"][0]
    assert scen["files"][0]["sha256"] and len(scen["files"][0]["sha256"]) == 64
    assert scen["versions"]["peer-econ"]
    assert any(str(SENTINEL) in line for line in scen["overrides"])
    summary = (out / "summary.csv").read_text().splitlines()
    assert summary[0] == "strategy,cost,ly"
    # an existing non-empty folder is refused without --force, and kept intact
    before = (out / "summary.csv").read_bytes()
    assert main(["run", str(path), "--out", str(out)]) == 2
    assert (out / "summary.csv").read_bytes() == before
    assert main(["run", str(path), "--out", str(out), "--force"]) == 0
