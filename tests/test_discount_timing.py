"""settings.discount_timing: boundary discounting (DARTH / hesim convention) against a plain-loop reference."""
from __future__ import annotations

import numpy as np
import pytest

from econ.core.errors import ScenarioError
from econ.model.accounting import boundary_weights
from econ.model.compile import compile_scenario
from econ.model.evaluate import evaluate
from econ.scenario.load import load_scenario

from .conftest import SCENARIOS

P = np.array([[0.80, 0.15, 0.05], [0.00, 0.70, 0.30], [0.0, 0.0, 1.0]])
COST = np.array([1000.0, 3000.0, 0.0])


def _scenario(write_scenario, correction, timing="boundary", n=10, rate=0.035, extra=""):
    text = f"""
metadata: {{name: three_state}}
settings: {{cycle_length: year, n_cycles: {n}, cycle_correction: {correction}, discount_timing: {timing},
            discount_rate_costs: {rate}, discount_rate_outcomes: {rate}}}
states: {{healthy: {{}}, sick: {{}}, dead: {{}}}}
transitions:
  healthy: {{healthy: {P[0, 0]}, sick: {P[0, 1]}, dead: {P[0, 2]}}}
  sick: {{sick: {P[1, 1]}, dead: {P[1, 2]}}}
  dead: {{dead: 1}}
initial: {{healthy: 1}}
strategies: {{s: {{}}}}
values:
  cost: {{kind: cost, states: {{healthy: {COST[0]}, sick: {COST[1]}}}}}
  ly: {{kind: outcome, states: {{healthy: 1, sick: 1}}}}
  death_cost: {{kind: cost, transitions: {{'*->dead': 500}}}}
{extra}"""
    return write_scenario(text)


def _reference(weights, n=10, rate=0.035):
    """sum_t w_t (1 + r)^-t c . x_t with x_t = x_0 P^t, written as a loop (and one-off deaths by cycle)."""
    x = np.array([1.0, 0.0, 0.0])
    cost = ly = deaths = 0.0
    for t in range(n + 1):
        d = (1.0 + rate) ** -t
        cost += weights[t] * d * float(COST @ x)
        ly += weights[t] * d * float(x[0] + x[1])
        if t < n:
            new = x @ P
            deaths += d / (1.0 + rate) * 500.0 * float(x[0] * P[0, 2] + x[1] * P[1, 2])
            x = new
    return cost, ly, deaths


def test_trapezoid_boundary_matches_plain_loop(write_scenario):
    w = [0.5] + [1.0] * 9 + [0.5]
    ev = evaluate(compile_scenario(load_scenario(_scenario(write_scenario, "trapezoid"))))
    cost, ly, deaths = _reference(w)
    got = dict(zip(ev.outputs, ev.totals[0, 0]))
    assert got["cost"] == pytest.approx(cost, rel=1e-12)
    assert got["ly"] == pytest.approx(ly, rel=1e-12)
    assert got["death_cost"] == pytest.approx(deaths, rel=1e-12)


@pytest.mark.parametrize("correction,weights", [
    ("end", [0.0] + [1.0] * 10),
    ("start", [1.0] * 10 + [0.0]),
    ("simpson", [1 / 3] + [4 / 3 if t % 2 else 2 / 3 for t in range(1, 10)] + [1 / 3]),
])
def test_other_corrections_use_their_boundary_weights(write_scenario, correction, weights):
    np.testing.assert_allclose(boundary_weights(10, correction), weights, rtol=1e-14)
    ev = evaluate(compile_scenario(load_scenario(_scenario(write_scenario, correction))))
    cost, ly, _ = _reference(weights)
    assert ev.totals[0, 0, 0] == pytest.approx(cost, rel=1e-12)
    assert ev.totals[0, 0, 1] == pytest.approx(ly, rel=1e-12)


def test_per_cycle_amounts_add_to_the_totals(write_scenario):
    compiled = compile_scenario(load_scenario(_scenario(write_scenario, "trapezoid")))
    ev = evaluate(compiled, keep_cycles=True)
    np.testing.assert_allclose(ev.per_cycle_discounted.sum(axis=-1), ev.totals, rtol=1e-13)
    np.testing.assert_allclose(ev.per_cycle.sum(axis=-1), ev.totals_undiscounted, rtol=1e-13)
    # undiscounted totals do not depend on when discounting happens
    cyc = evaluate(compile_scenario(load_scenario(_scenario(write_scenario, "trapezoid", timing="cycle"))))
    np.testing.assert_allclose(ev.totals_undiscounted, cyc.totals_undiscounted, rtol=1e-14)
    assert not np.allclose(ev.totals, cyc.totals)  # but the discounted ones do


def test_boundary_with_time_varying_amounts_equals_the_constant_case_when_constant(write_scenario):
    extra = "parameters: {c_h: 'where(cycle > 0, 1000, 0)'}\n"
    path = _scenario(write_scenario, "trapezoid", extra=extra)
    path.write_text(path.read_text().replace("healthy: 1000.0,", "healthy: c_h,"))
    ev = evaluate(compile_scenario(load_scenario(path)))
    cost, _, _ = _reference([0.5] + [1.0] * 9 + [0.5])
    assert ev.totals[0, 0, 0] == pytest.approx(cost, rel=1e-12)


def test_boundary_refuses_discount_first_cycle_false(write_scenario):
    path = _scenario(write_scenario, "trapezoid")
    path.write_text(path.read_text().replace("discount_timing: boundary,", "discount_timing: boundary, "
                                                                           "discount_first_cycle: false,"))
    with pytest.raises(ScenarioError, match="discount_first_cycle: false applies to discount_timing: cycle only"):
        compile_scenario(load_scenario(path))


def test_hiv_model_with_boundary_timing(write_scenario):
    """DMHEE HIV model (scenarios/validation, trapezoid) under boundary timing: monotherapy's costs are
    constant per state (direct + community + zidovudine: A 5034, B 5330, C 11285 GBP a year, DMHEE
    exercise 2.5), so its total is sum_t w_t 1.06^-t c . x_t over its own trace (plain loop)."""
    base = SCENARIOS / "validation" / "chancellor_hiv_trapezoid.yaml"
    path = write_scenario({"extends": str(base), "settings": {"discount_timing": "boundary"}})
    b = evaluate(compile_scenario(load_scenario(path)), keep_trace=True)
    c = evaluate(compile_scenario(load_scenario(base)), keep_trace=True)
    np.testing.assert_array_equal(b.totals_undiscounted, c.totals_undiscounted)
    x = b.trace[0, 0]  # mono: (21 boundaries, states A B C D)
    c_state = np.array([1701 + 1055 + 2278, 1774 + 1278 + 2278, 6948 + 2059 + 2278, 0.0])
    want = sum((0.5 if t in (0, 20) else 1.0) * 1.06 ** -t * float(c_state @ x[t]) for t in range(21))
    assert b.output("total_cost")[0, 0] == pytest.approx(want, rel=1e-12)
    # boundary 0 is counted undiscounted, so the total lies above the cycle-timing one
    assert b.output("total_cost")[0, 0] > c.output("total_cost")[0, 0]
