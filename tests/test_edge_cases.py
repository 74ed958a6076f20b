"""Numerical edge cases and limits: each behaves correctly, or fails with a clear message."""
from __future__ import annotations

import numpy as np
import pytest

import econ
from econ.core.errors import LimitError
from econ.model.evaluate import evaluate
from econ.model.parameters import ParameterTable

from .analytic import cycles_alive_end, discounted_cost_end, two_state_scenario


@pytest.mark.parametrize("p,expected_ly", [(0.0, 10.0), (1.0, 0.0)])
def test_probabilities_exactly_zero_and_one(write_scenario, p, expected_ly):
    res = econ.run(write_scenario(two_state_scenario(p, 5.0, 0.0, 10)))
    assert res.summary.loc["only", "ly"] == expected_ly
    assert res.summary.loc["only", "cost"] == 5.0 * expected_ly
    tr = res.trace
    assert (tr.share >= 0).all() and (tr.share <= 1).all()


@pytest.mark.parametrize("correction,expected", [("end", 0.9), ("start", 1.0), ("trapezoid", 0.95),
                                                 ("simpson", 0.95)])
def test_horizon_of_one_cycle(write_scenario, correction, expected):
    """One cycle: Simpson cannot fit a quadratic and falls back to the trapezoid (documented)."""
    res = econ.run(write_scenario(two_state_scenario(0.1, 0.0, 0.0, 1, correction=correction)))
    assert res.summary.loc["only", "ly"] == pytest.approx(expected, abs=1e-15)


def test_single_state(write_scenario):
    data = {"metadata": {"name": "one"}, "settings": {"n_cycles": 7, "cycle_correction": "end",
                                                       "discount_rate_costs": 0.0},
            "parameters": {"c": 3.0}, "states": {"only": {}}, "transitions": {"only": {"only": 1}},
            "initial": {"only": 1}, "strategies": {"s": {}},
            "values": {"cost": {"kind": "cost", "states": {"only": "c"}}}}
    res = econ.run(write_scenario(data))
    assert res.summary.loc["s", "cost"] == pytest.approx(21.0, rel=1e-15)


def test_zero_costs_give_zero_totals(write_scenario):
    res = econ.run(write_scenario(two_state_scenario(0.2, 0.0, 0.035, 15)))
    assert res.summary.loc["only", "cost"] == 0.0
    assert (res.per_cycle.amount[res.per_cycle.value == "cost"] == 0).all()


def test_discount_rate_zero_equals_undiscounted(write_scenario):
    res = econ.run(write_scenario(two_state_scenario(0.2, 10.0, 0.0, 15)))
    assert res.summary.loc["only", "cost"] == res.summary_undiscounted.loc["only", "cost"]


def test_1200_monthly_cycles_against_closed_form(write_scenario):
    """100 years of monthly cycles: trace and discounting stay exact (closed form to 1e-10)."""
    data = two_state_scenario(0.004, 100.0, 0.035, 1200)
    data["settings"]["cycle_length"] = "month"
    res = econ.run(write_scenario(data))
    r_month = 1.035 ** (1 / 12) - 1
    assert res.summary.loc["only", "ly"] == pytest.approx(cycles_alive_end(0.004, 1200), rel=1e-10)
    assert res.summary.loc["only", "cost"] == pytest.approx(discounted_cost_end(100.0, 0.004, r_month, 1200), rel=1e-10)


def test_many_draws_with_extreme_but_valid_values(write_scenario):
    compiled = econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.035, 12)))
    p = np.array([0.0, 1.0, 1e-300, 1 - 1e-16, 0.5])
    c = np.array([0.0, 1e300, 1e-300, 1.0, -5.0])  # costs may be negative (savings); nothing checks their sign
    ev = evaluate(compiled, ParameterTable({"p_die": p, "c_alive": c}, 5))
    assert np.isfinite(ev.totals).all()


def test_cycle_limit_is_a_located_message(write_scenario, monkeypatch):
    monkeypatch.setenv("PEER_ECON_MAX_CYCLES", "50")
    path = write_scenario(two_state_scenario(0.1, 1.0, 0.0, 51))
    with pytest.raises(LimitError, match=r"scenario.yaml:\d+:\d+: settings.n_cycles: 51 cycles is more than the limit of 50"):
        econ.compile_path(path)


def test_state_limit_counts_tunnels(write_scenario, monkeypatch):
    monkeypatch.setenv("PEER_ECON_MAX_STATES", "10")
    data = two_state_scenario(0.1, 1.0, 0.0, 5)
    data["states"]["alive"] = {"tunnel": 20}
    with pytest.raises(LimitError, match=r"21 states \(tunnels expanded\) is more than the limit of 10"):
        econ.compile_path(write_scenario(data))


def test_memory_limit_refuses_kept_results_that_do_not_fit(write_scenario, monkeypatch):
    monkeypatch.setenv("PEER_ECON_MAX_MEMORY_MB", "1")
    compiled = econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.0, 100)))
    n = 20_000
    table = ParameterTable({"p_die": np.full(n, 0.1), "c_alive": np.ones(n)}, n)
    with pytest.raises(LimitError, match=r"need [\d,]+ MB, more than the limit of 1 MB"):
        evaluate(compiled, table, keep_cycles=True)


def test_memory_limit_shrinks_chunks_without_changing_results(write_scenario, monkeypatch):
    compiled = econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.035, 1000)))
    n = 3000
    rng = np.random.default_rng(5)
    table = ParameterTable({"p_die": rng.uniform(0, 0.2, n), "c_alive": rng.uniform(0, 10, n)}, n)
    free = evaluate(compiled, table).totals
    monkeypatch.setenv("PEER_ECON_MAX_MEMORY_MB", "8")  # forces chunks of a few hundred draws
    assert np.array_equal(evaluate(compiled, table).totals, free)


def test_draw_limit(write_scenario, monkeypatch):
    monkeypatch.setenv("PEER_ECON_MAX_DRAWS", "10")
    compiled = econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.0, 5)))
    table = ParameterTable({"p_die": np.full(11, 0.1), "c_alive": np.ones(11)}, 11)
    with pytest.raises(LimitError, match="11 draws is more than the limit of 10"):
        evaluate(compiled, table)


def test_bad_limit_value_is_reported(monkeypatch, write_scenario):
    monkeypatch.setenv("PEER_ECON_MAX_STATES", "lots")
    with pytest.raises(LimitError, match=r"PEER_ECON_MAX_STATES: must be a whole number > 0 \(got 'lots'\)"):
        econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.0, 5)))
