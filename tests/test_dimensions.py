"""Dimensions: indexed parameters, expressions, values and totals (econ.scenario.dimensions, econ.model.indexed)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from econ.analysis.draws import draw_table
from econ.core.errors import ScenarioError
from econ.model.compile import compile_scenario
from econ.model.evaluate import evaluate
from econ.scenario.load import load_scenario

from .conftest import SCENARIOS

ITEMS = SCENARIOS.parent / "tests" / "data" / "scenarios" / "dimensions" / "items.yaml"


def _member_by_member(compiled):
    """The same compiled model with the plans dropped: every member evaluated on its own (the reference)."""
    model = dataclasses.replace(compiled.model, strategies=tuple(dataclasses.replace(s, plan=())
                                                                 for s in compiled.model.strategies))
    return dataclasses.replace(compiled, model=model)


@pytest.fixture(scope="module")
def items():
    return compile_scenario(load_scenario(ITEMS))


def test_indexed_names_expand_to_one_name_per_member(items):
    spec = items.loaded.spec
    assert [p for p in items.parameters.columns] == ["p", "c_a", "c_c", "c_b"]
    assert [v.name for v in items.values] == ["a", "b", "c", "total_k", "shares"]
    assert items.totals["items"] == ("a", "b", "c")
    assert [(v.label, v.category) for v in items.values[:3]] == [("Item A", "cat1"), ("Item B", "cat2"),
                                                                  ("Item C", "cat1")]
    # the member's own entry overrides the indexed one; the others keep the indexed distribution
    assert items.parameters["c_b"].point == 20 and items.parameters["c_b"].distribution is None
    assert items.parameters["c_a"].distribution.name == "gamma"
    assert "k_{item}" in spec.parameters  # an indexed expression stays indexed


def test_indexed_expressions_are_evaluated_over_a_members_axis(items):
    plan = dict(items.model.strategies[1].plan)
    node = plan["k_{item}"]
    from econ.model.engine import StrategyEnv

    env = StrategyEnv(items.model, items.model.strategies[1], items.parameters.point_table()).env()
    assert type(node).__name__ == "FamilyNode"
    assert env["k_{item}"].shape == (3, 1, 5)  # members x draws x cycles (it depends on time)
    assert env["c_ǀitemǀ"].shape == (3, 1, 1)
    np.testing.assert_array_equal(env["k_b"], 20 * 2 + np.arange(5.0)[None, :])


def test_vectorised_plan_equals_member_by_member_evaluation(items):
    """Bit for bit, in the base case and on 200 PSA draws."""
    table = draw_table(items.parameters, 200, rng=np.random.default_rng(3))
    ref = _member_by_member(items)
    for t in (None, table):
        a, b = evaluate(items, t, keep_cycles=True), evaluate(ref, t, keep_cycles=True)
        np.testing.assert_array_equal(a.totals, b.totals)
        np.testing.assert_array_equal(a.per_cycle, b.per_cycle)


def test_strategy_overrides_per_member_and_per_subset(items):
    from econ.model.engine import StrategyEnv

    alt = items.model.strategies[1]
    env = StrategyEnv(items.model, alt, items.parameters.point_table()).env()
    # red_{item}: 0.5, then red_{rare} (members a, c): 0.25, then red_c: 0.1
    assert [float(np.squeeze(env[f"red_{m}"])) for m in "abc"] == [0.25, 0.5, 0.1]


def _plain_loop_total(cost_well, cost_sick, p=0.1, n=5, r=0.035):
    """sum_t d_t [ (x_{t-1} + x_t)/2 . a(t) ] for the two-state model, with a loop (trapezoid, first cycle discounted)."""
    well, total = 1.0, 0.0
    for t in range(1, n + 1):
        new_well = well * (1 - p)
        w_well = (well + new_well) / 2
        w_sick = ((1 - well) + (1 - new_well)) / 2
        total += (w_well * cost_well(t) + w_sick * cost_sick(t)) / (1 + r) ** t
        well = new_well
    return total


def test_values_against_a_hand_calculation(items):
    ev = evaluate(items)
    c = {"a": 10.0, "b": 20.0, "c": 10.0}
    red = {"base": {"a": 0, "b": 0, "c": 0}, "alt": {"a": 0.25, "b": 0.5, "c": 0.1}}
    for k, s in enumerate(("base", "alt")):
        for m in "abc":
            want = _plain_loop_total(lambda t: (2 * c[m] + (t - 1)) * (1 - red[s][m]), lambda t: c[m])
            assert ev.totals[0, k, ev.outputs.index(m)] == pytest.approx(want, rel=1e-12)
        tot = _plain_loop_total(lambda t: sum(2 * c[m] + (t - 1) for m in "abc"), lambda t: 0.0)
        assert ev.totals[0, k, ev.outputs.index("total_k")] == pytest.approx(tot, rel=1e-12)
        assert ev.totals[0, k, ev.outputs.index("items")] == pytest.approx(
            sum(ev.totals[0, k, ev.outputs.index(m)] for m in "abc"), rel=1e-14)
    # shares of an indexed expression over its own sum add to 1 in every cycle
    one = _plain_loop_total(lambda t: 1.0, lambda t: 0.0)
    assert ev.totals[0, 0, ev.outputs.index("shares")] == pytest.approx(one, rel=1e-12)


def _with(write_scenario, text):
    return write_scenario(ITEMS.read_text(encoding="utf-8").replace("# A small", "# Changed: a small", 1) + text)


def test_error_names_the_missing_member(write_scenario, tmp_path):
    text = ITEMS.read_text(encoding="utf-8").replace('alt: {parameters: {"red_{item}": 0.5, ', "alt: {parameters: {")
    path = write_scenario(text)
    with pytest.raises(ScenarioError) as exc:
        compile_scenario(load_scenario(path))
    msg = str(exc.value)
    assert "e_b (e_{item}[b]) uses 'red_b', which strategy 'alt' does not define" in msg
    assert "scenario.yaml:16:" in msg  # the line of e_{item}


def test_unknown_dimension_and_attribute_are_named(write_scenario):
    text = ITEMS.read_text(encoding="utf-8").replace("  e_{item}:", "  f_{iteem}: 1\n  e_{item}:")
    text = text.replace('label: "{item.label}"', 'label: "{item.lable}"')
    with pytest.raises(ScenarioError) as exc:
        load_scenario(write_scenario(text))
    msg = str(exc.value)
    assert "unknown dimension 'iteem' in 'f_{iteem}' (did you mean item?)" in msg
    assert "item member 'a' has no attribute 'lable'" in msg


def test_indexed_name_outside_a_sum_is_an_error(write_scenario):
    text = ITEMS.read_text(encoding="utf-8").replace("tot: sum(k_{item})", "tot: k_{item} + 1")
    with pytest.raises(ScenarioError) as exc:
        compile_scenario(load_scenario(write_scenario(text)))
    assert "'k_{item}' is indexed by item, but this expression is not" in str(exc.value)


def test_sum_needs_an_indexed_name():
    from econ.scenario.expressions import ExpressionError, parse_expression

    with pytest.raises(ExpressionError, match="sum\\(\\) adds an indexed expression"):
        parse_expression("sum(p)")


def test_members_from_a_table(write_scenario, tmp_path):
    (tmp_path / "items.csv").write_text("# members of the test dimension\nitem,label,category\n"
                                        "a,Item A,cat1\nb,Item B,cat2\nc,Item C,cat1\nd,Item D,cat2\n",
                                        encoding="utf-8")
    text = ITEMS.read_text(encoding="utf-8")
    start, end = text.index("  item:\n"), text.index("  rare:")
    path = write_scenario(text[:start] + "  item: {table: items.csv}\n" + text[end:])
    compiled = compile_scenario(load_scenario(path))
    ev = evaluate(compiled)
    assert ev.outputs[:4] == ("a", "b", "c", "d") and compiled.totals["items"] == ("a", "b", "c", "d")
    assert compiled.values[3].label == "Item D"
    base = evaluate(compile_scenario(load_scenario(ITEMS)))
    for m in "abc":  # the other members are unchanged
        np.testing.assert_array_equal(ev.output(m), base.output(m))


def test_table_statistics_per_member(write_scenario):
    """unit_cost: "{service}" reads each member's row, exactly as writing the codes out."""
    from .conftest import ROOT

    costs = ROOT / "costs" / "unit_costs.csv"
    base = {"metadata": {"name": "t"}, "data": {"unit_costs": str(costs)},
            "dimensions": {"service": {"members": ["gp_surgery", "ambulance"]}},
            "states": {"a": None}, "transitions": {"a": {"a": 1}}, "initial": {"a": 1},
            "strategies": {"s": {}}, "settings": {"price_year": "2023/24"}}
    indexed = dict(base, parameters={"c_{service}": {"unit_cost": "{service}"}})
    plain = dict(base, parameters={"c_gp_surgery": {"unit_cost": "gp_surgery"}, "c_ambulance": {"unit_cost": "ambulance"}})
    a = compile_scenario(load_scenario(write_scenario(indexed, "a.yaml"))).parameters
    b = compile_scenario(load_scenario(write_scenario(plain, "b.yaml"))).parameters
    for name in ("c_gp_surgery", "c_ambulance"):
        assert a[name].point == b[name].point and a[name].source == b[name].source
    bad = dict(base, dimensions={"service": {"members": ["gp_surgery", "ambulanse"]}},
               parameters={"c_{service}": {"unit_cost": "{service}"}})
    with pytest.raises(ScenarioError) as exc:
        compile_scenario(load_scenario(write_scenario(bad, "c.yaml")))
    assert "parameters.c_ambulanse.unit_cost: unknown unit-cost code 'ambulanse'; did you mean ambulance" in str(exc.value)


def test_a_member_can_be_set_or_overridden_by_a_child(write_scenario):
    loaded = load_scenario(ITEMS, overrides=["c_a=30"])
    assert compile_scenario(loaded).parameters["c_a"].point == 30
    assert "parameters.c_a: member of c_{item} -> 30 (from --set)" in loaded.overrides
    with pytest.raises(ScenarioError, match="--set c_d=30: parameters.c_d: no parameter named 'c_d'"):
        load_scenario(ITEMS, overrides=["c_d=30"])
    with pytest.raises(ScenarioError, match="outside the support of 'c_a', declared as a gamma"):
        load_scenario(ITEMS, overrides=["c_a=-1"])
    child = write_scenario({"extends": str(ITEMS), "parameters": {"c_c": 12.5, "k_b": "c_b * 3"}})
    compiled = compile_scenario(load_scenario(child))
    assert compiled.parameters["c_c"].point == 12.5 and compiled.parameters["c_c"].distribution is None
    ev = evaluate(compiled)
    from econ.model.engine import StrategyEnv

    env = StrategyEnv(compiled.model, compiled.model.strategies[0], compiled.parameters.point_table()).env()
    assert float(np.squeeze(env["k_b"])) == 60.0  # the child's own expression for one member
    np.testing.assert_array_equal(env["k_a"], 20.0 + np.arange(5.0)[None, :])  # the others: the indexed one
    # k_b is constant but its row of the stacked k_{item} varies with time, so the accounting sums e_b
    # cycle by cycle rather than once: the same value up to rounding
    np.testing.assert_allclose(ev.totals, evaluate(_member_by_member(compiled)).totals, rtol=1e-14)


def test_indexed_names_in_dsa_groups_and_gsa_inputs(write_scenario):
    child = write_scenario({"extends": str(ITEMS), "dsa_groups": {"item_costs": ["c_{item}", "p"]},
                            "gsa": {"parameters": ["c_{rare}"]}})
    spec = load_scenario(child).spec
    assert spec.dsa_groups["item_costs"] == ["c_a", "c_b", "c_c", "p"]
    assert spec.gsa.parameters == ["c_a", "c_c"]


def test_member_text_in_an_indexed_expression_s_description(write_scenario):
    text = ITEMS.read_text(encoding="utf-8").replace(
        '  k_{item}: "c_{item} * 2 + time"',
        '  k_{item}: {value: "c_{item} * 2 + time", description: "twice the cost of {item.label}", source: "test: {item}"}')
    compiled = compile_scenario(load_scenario(write_scenario(text)))
    assert compiled.parameters["k_b"].description == "twice the cost of Item B"
    assert compiled.parameters["k_b"].source == "test: b"


def test_set_a_key_inside_a_member_of_an_indexed_parameter():
    """--set parameters.c_a.value=... changes member a of c_{item} only (its own copy of the indexed entry)."""
    base = evaluate(compile_scenario(load_scenario(SCENARIOS.parent / "tests" / "data" / "scenarios" / "dimensions"
                                                   / "items.yaml")))
    path = SCENARIOS.parent / "tests" / "data" / "scenarios" / "dimensions" / "items.yaml"
    loaded = load_scenario(path, overrides=["parameters.c_a.value=30"])
    assert loaded.spec.parameters["c_a"].value == 30 and loaded.spec.parameters["c_a"].dist == "gamma"
    assert loaded.spec.parameters["c_c"].value == 10
    ev = evaluate(compile_scenario(loaded))
    a, c = ev.outputs.index("a"), ev.outputs.index("c")
    assert ev.totals[0, 0, a] > base.totals[0, 0, a] and ev.totals[0, 0, c] == base.totals[0, 0, c]
    with pytest.raises(ScenarioError, match="no parameter named .c_x.; did you mean"):
        load_scenario(path, overrides=["parameters.c_x.value=30"])
