"""Tunnel-aware evaluation (econ.model.tunnels) against the dense reference path, element by element.

The shifting path leaves out only terms that are exactly zero and keeps the dense path's order of
additions everywhere else, so its traces, flows and totals must be equal (``==``, not approximately)
to ``method="dense"``: on random models (tunnels of several lengths, sparse and dense rows,
complements, rows varying with cycle and time in state, strategy overrides, mixtures, one-off
transition values, every cycle correction), on the tunnel scenarios of the project, with chunks of
one draw and of many. Checks that fail must give the same message either way.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import econ
from econ.core.errors import ModelError
from econ.analysis.psa import run_psa
from econ.model import tunnels
from econ.model.accounting import _Occupancy
from econ.model.evaluate import evaluate
from econ.model.parameters import ParameterTable

ROOT = Path(__file__).resolve().parent.parent
TUNNEL_SCENARIOS = [ROOT / "tests" / "data" / "scenarios" / "valid" / "tunnel_time_varying.yaml",
                    ROOT / "bench" / "models" / "long_tunnel.yaml"]
FIELDS = ("totals", "totals_undiscounted", "per_cycle", "per_cycle_discounted", "trace")


def random_tunnel_model(rng: np.random.Generator, n_draws: int):
    """A random scenario with 1-3 tunnels of random length, random sparsity and time dependence."""
    n_states = int(rng.integers(3, 7))
    states = [f"s{i}" for i in range(n_states - 1)] + ["dead"]
    tunnel = {s: int(rng.integers(2, 12)) for s in rng.choice(states[:-1], size=int(rng.integers(1, 4)))}
    strategies = ["a", "b"]
    params, columns = {}, {}

    def row_for(k, i):
        others = [j for j in states if j != i and rng.random() < 0.7] or ["dead"]
        raw = rng.uniform(0, 1, size=(n_draws, len(others)))
        raw = raw / raw.sum(axis=1, keepdims=True) * rng.uniform(0.1, 0.8, size=(n_draws, 1))
        row = {i: "complement"} if rng.random() < 0.8 else {}
        for col, j in enumerate(others):
            name = f"p_{k}_{i}_{j}"
            params[name], columns[name] = 0.1, raw[:, col]
            shape = rng.choice(["", " * exp(-0.05 * cycle)", " * 0.9 ** (time_in_state - 1)",
                                " * where(time_in_state > 2, 0.5, 1)"])
            row[j] = f"{name}{shape}"
        if i not in row:  # no complement: the stay cell is written, and the row still sums to 1
            row[i] = "1 - (" + " + ".join(str(row[j]) for j in others) + ")"
        return row

    shared = {i: row_for("x", i) for i in states[:-1]}
    shared["dead"] = {"dead": 1}
    own = {i: row_for("b", i) for i in states[:-1] if rng.random() < 0.5}
    for s in states:
        params[f"c_{s}"], columns[f"c_{s}"] = 1.0, rng.uniform(0, 1000, n_draws)
    params["w"], columns["w"] = 0.5, rng.uniform(0, 1, n_draws)
    correction = str(rng.choice(["end", "start", "trapezoid", "simpson"]))
    data = {
        "metadata": {"name": "random_tunnels"},
        "settings": {"n_cycles": int(rng.integers(1, 25)), "cycle_correction": correction,
                     "discount_rate_costs": 0.035, "cycle_length": "year"},
        "parameters": params,
        "states": {s: ({"tunnel": tunnel[s]} if s in tunnel else {}) for s in states},
        "initial": {states[0]: 0.7, states[1]: 0.3},
        "transitions": shared,
        "strategies": {"a": {}, "b": {"transitions": own}, "mix": {"mixture": {"a": "w", "b": "1 - w"}}},
        "values": {
            "cost": {"kind": "cost", "states": {s: f"c_{s} * (1 + 0.1 * time_in_state)" for s in states[:-1]},
                     "transitions": {"*->dead": "c_dead"}},
            "ly": {"kind": "outcome", "states": {s: 1 for s in states[:-1]}},
        },
    }
    return data, columns


def _varied_table(compiled, n: int) -> ParameterTable:
    """PSA draws where the scenario has distributions, else every point value times U(0.8, 1.2)."""
    if compiled.parameters.uncertain:
        return run_psa(compiled, n_draws=n).table
    rng = np.random.default_rng(5)
    point = compiled.parameters.point_table()
    return ParameterTable({k: np.asarray(v, dtype=float).reshape(-1)[0] * rng.uniform(0.8, 1.2, n)
                           for k, v in point.columns.items()}, n)


def _both(compiled, table, **kw):
    kw = dict(keep_trace=True, keep_cycles=True, threads=1) | kw
    return evaluate(compiled, table, method="dense", **kw), evaluate(compiled, table, method="shift", **kw)


def _assert_equal(a, b):
    for name in FIELDS:
        x, y = getattr(a, name), getattr(b, name)
        assert np.array_equal(x, y), f"{name}: largest difference {np.max(np.abs(x - y)):.3g}"


@pytest.mark.parametrize("seed", range(20))
def test_shifting_equals_dense_on_random_tunnel_models(seed, write_scenario):
    rng = np.random.default_rng(1900 + seed)
    n = 23
    data, columns = random_tunnel_model(rng, n)
    compiled = econ.compile_path(write_scenario(data))
    table = ParameterTable({c: np.asarray(columns[c]) for c in compiled.parameters.columns}, n)
    for chunk in (n, 1):
        dense, shift = _both(compiled, table, chunk_draws=chunk)
        _assert_equal(dense, shift)


@pytest.mark.parametrize("path", TUNNEL_SCENARIOS, ids=lambda p: p.stem)
def test_shifting_equals_dense_on_project_tunnel_scenarios(path):
    compiled = econ.compile_path(path)
    table = _varied_table(compiled, 30)
    for chunk in (30, 7, 1):
        dense, shift = _both(compiled, table, chunk_draws=chunk)
        _assert_equal(dense, shift)
    base = compiled.parameters.point_table()
    _assert_equal(*_both(compiled, base))


def test_auto_shifts_tunnel_models_only(peer):
    long = econ.compile_path(TUNNEL_SCENARIOS[1])
    m = long.model
    assert all(tunnels.use_shift(m, s.rows, "auto") for s in m.strategies if not s.mixture)
    assert not any(tunnels.use_shift(peer.model, s.rows, "auto") for s in peer.model.strategies if not s.mixture)
    with pytest.raises(ValueError, match="method must be one of auto, dense, shift"):
        tunnels.use_shift(m, m.strategies[0].rows, "sparse")


@pytest.mark.parametrize("length", [10, 50, 174])
def test_work_per_cycle_is_linear_in_tunnel_length(length, write_scenario):
    def work(L):
        data = {"metadata": {"name": "t"}, "settings": {"n_cycles": 3},
                "parameters": {"p": 0.1, "q": 0.05},
                "states": {"well": {}, "sick": {"tunnel": L}, "dead": {}},
                "initial": {"well": 1},
                "transitions": {"well": {"well": "complement", "sick": "p", "dead": "q"},
                                "sick": {"sick": "complement", "well": "p", "dead": "q"}, "dead": {"dead": 1}},
                "strategies": {"only": {}}, "values": {"ly": {"kind": "outcome", "states": {"well": 1}}}}
        c = econ.compile_path(write_scenario(data, f"t{L}.yaml"))
        return tunnels.cell_plan(c.model.strategies[0].rows, len(c.model.states)).work()

    # S x (many-source columns: well, dead) + 2 (sick@L, from sick@L-1 and itself) + (single-source:
    # sick@1 from well, sick@k from sick@k-1 for k = 2..L-1): 3 L + 5, against the dense (L + 2)^2
    S = length + 2
    assert work(length) == S * 2 + 2 + (length - 1) == 3 * length + 5


@pytest.mark.parametrize("correction", ["end", "start", "trapezoid", "simpson"])
def test_occupancy_summed_cycle_by_cycle_equals_whole_array(correction, monkeypatch):
    rng = np.random.default_rng(7)
    T, S, n = 13, 4, 9
    xk = rng.random((T + 1, S * n))
    factors = np.stack([1.03 ** -np.arange(1, T + 1), 1.015 ** -np.arange(1, T + 1)])
    whole = _Occupancy(xk, correction, (T, S, n)).sums(factors)
    monkeypatch.setattr(_Occupancy, "STREAM_ELEMENTS", 0)
    streamed = _Occupancy(xk, correction, (T, S, n)).sums(factors)
    for a, b in zip(whole[0] + [whole[1]], streamed[0] + [streamed[1]]):
        assert np.array_equal(a, b)


def _bad_tunnel_scenario(write_scenario, value: str):
    path = TUNNEL_SCENARIOS[0]
    text = path.read_text(encoding="utf-8").replace("p_recover * (1 - p_die_sick)", f"\"{value}\"")
    return econ.compile_path(write_scenario(text, "bad.yaml"))


@pytest.mark.parametrize("value,match", [
    ("where(time_in_state == 3, 1.5, p_recover)", "probabilities must be in"),
    ("where(time_in_state == 3 and cycle > 4, -0.2, p_recover)", "probabilities must be in"),
])
def test_failed_checks_give_the_same_message(value, match, write_scenario):
    compiled = _bad_tunnel_scenario(write_scenario, value)
    table = _varied_table(compiled, 5)
    messages = []
    for method in ("dense", "shift"):
        with pytest.raises(ModelError, match=match) as err:
            evaluate(compiled, table, method=method)
        messages.append(str(err.value))
    assert messages[0] == messages[1]
    assert "from-state 'sick@3'" in messages[0]


def test_row_sum_check_gives_the_same_message(write_scenario):
    path = TUNNEL_SCENARIOS[0]
    text = path.read_text(encoding="utf-8").replace(
        "sick: {sick: complement, healthy:", "sick: {sick: 0.5, healthy:")
    compiled = econ.compile_path(write_scenario(text, "rows.yaml"))
    messages = []
    for method in ("dense", "shift"):
        with pytest.raises(ModelError, match=r"transition row 'sick@1' sums to") as err:
            evaluate(compiled, method=method)
        messages.append(str(err.value))
    assert messages[0] == messages[1]


def test_memory_estimate_counts_cells_per_cycle_only_when_a_cell_changes_with_the_cycle(write_scenario):
    # The long tunnel's cells depend on time in state, not on the cycle: one set of cell values serves
    # every cycle, and the per-draw estimate counts one (so two threads get larger chunks). The same
    # model with a cell that changes with the cycle counts one set per cycle.
    from econ.model.evaluate import working_bytes_per_draw

    def estimate(compiled):
        m = compiled.model
        K, T, S = len(m.strategies), m.n_cycles, len(m.states)
        plan = tunnels.cell_plan(m.strategies[0].rows, S)
        cells = 2 * len(plan.cell_from) + S * len(plan.multi)
        V, O = len(compiled.values), len(compiled.values) + len(compiled.totals)
        rest = K * (T + 1) * S + K * T * (len(compiled.flows) + S) + 4 * K * O
        return working_bytes_per_draw(compiled, keep_cycles=False) / 16.0 - rest, cells, T

    constant = econ.compile_path(TUNNEL_SCENARIOS[1])
    got, cells, T = estimate(constant)
    assert got == cells
    text = TUNNEL_SCENARIOS[1].read_text(encoding="utf-8").replace(
        "p_onset, dead: p_die_well}", "p_onset * exp(-0.001 * cycle), dead: p_die_well}")
    assert text != TUNNEL_SCENARIOS[1].read_text(encoding="utf-8")
    varying = econ.compile_path(write_scenario(text, "long_tunnel_by_cycle.yaml"))
    got, cells, T = estimate(varying)
    assert got == T * cells
    # whatever the chunks and threads this allows, the results are the same numbers
    table = run_psa(constant, n_draws=40).table
    one = evaluate(constant, table, threads=1, chunk_draws=40)
    two = evaluate(constant, table, threads=2, chunk_draws=7)
    assert np.array_equal(one.totals, two.totals) and np.array_equal(one.totals_undiscounted, two.totals_undiscounted)
