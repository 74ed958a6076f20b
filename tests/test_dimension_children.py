"""A child scenario (``extends:``) that writes a member of an indexed parameter (``c_a`` of ``c_{item}``).

The unused-new-parameter warning (econ.scenario.children) must take such a name as an override of that
member, used wherever an indexed reference including it is read, not as an unused new parameter.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from econ.core.errors import ScenarioWarning
from econ.scenario.load import load_scenario

PARENT = Path(__file__).parent / "data" / "scenarios" / "dimensions" / "items.yaml"


def _child(tmp_path, body: str) -> Path:
    path = tmp_path / "child.yaml"
    path.write_text(f"extends: {PARENT}\n{body}", encoding="utf-8")
    return path


def _load(path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        loaded = load_scenario(path)
    return loaded, [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]


def test_member_override_in_a_child_is_not_warned_and_changes_the_results(tmp_path):
    from econ.model.compile import compile_scenario
    from econ.model.evaluate import evaluate

    loaded, found = _load(_child(tmp_path, "parameters:\n  c_a: 15\n"))
    assert found == [] and loaded.warnings == ()
    assert loaded.spec.parameters["c_a"] == 15
    base, child = evaluate(compile_scenario(load_scenario(PARENT))), evaluate(compile_scenario(loaded))
    a, b = base.outputs.index("a"), base.outputs.index("b")
    assert child.totals[0, 0, a] != base.totals[0, 0, a]
    assert child.totals[0, 0, b] == base.totals[0, 0, b]


def test_member_read_only_through_a_subset_is_used(tmp_path):
    # z_{rare} (the subset of items in category cat1: a and c) is read; z_c is a member of it, z_b is not
    body = ("parameters:\n  z_{item}: 1\n  z_c: 2\n  z_b: 3\n"
            "values:\n  zv: {kind: cost, states: {well: 'sum(z_{rare})'}}\n")
    _, found = _load(_child(tmp_path, body))
    assert not [w for w in found if "'z_c'" in w]
    assert len([w for w in found if "'z_b'" in w and "a member of z_{item}" in w]) == 1


def test_without_the_dimensions_the_member_would_be_taken_for_a_new_parameter(tmp_path):
    # the check the loader makes, given no dimensions: what this module's fix is for
    from econ.scenario.children import unused_child_parameters

    loaded, _ = _load(_child(tmp_path, "parameters:\n  c_a: 15\n"))
    new = {"c_a": ("items.yaml", list(load_scenario(PARENT).raw["parameters"]), False)}
    assert unused_child_parameters(loaded.raw, loaded.positions, new, loaded.dimensions) == []
    assert len(unused_child_parameters(loaded.raw, loaded.positions, new)) == 1


def test_misspelt_member_gets_a_suggestion(tmp_path):
    _, found = _load(_child(tmp_path, "parameters:\n  cc_a: 15\n"))
    assert len(found) == 1 and "cc_a" in found[0] and "did you mean c_a" in found[0]


def test_member_of_a_family_nothing_reads_is_warned(tmp_path):
    _, found = _load(_child(tmp_path, "parameters:\n  w_{item}: 1\n  w_a: 2\n"))
    member = [w for w in found if "'w_a'" in w]
    assert len(member) == 1 and "a member of w_{item}" in member[0] and "changes nothing" in member[0]


@pytest.mark.parametrize("name", ["k_b", "e_c", "share_a"])
def test_members_of_indexed_expressions_are_used(tmp_path, name):
    _, found = _load(_child(tmp_path, f"parameters:\n  {name}: 1\n"))
    assert found == []
