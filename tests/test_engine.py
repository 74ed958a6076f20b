"""The cohort engine and accounting against closed forms and an independent plain-loop implementation."""
from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import econ
from econ.model.accounting import cycle_occupancy, discount_factors
from econ.core.errors import ModelError
from econ.model.evaluate import evaluate
from econ.model.parameters import ParameterTable

from .analytic import cycles_alive_end, discounted_cost_end, two_state_scenario


# --- closed forms (validation.md section 3) -----------------------------------------------
@pytest.mark.parametrize("p,T", [(0.1, 20), (0.02, 120), (0.5, 3), (0.999, 5)])
def test_cycles_alive_geometric_sum(write_scenario, p, T):
    res = econ.run(write_scenario(two_state_scenario(p, 0.0, 0.0, T)))
    assert res.summary.loc["only", "ly"] == pytest.approx(cycles_alive_end(p, T), rel=1e-12)


@pytest.mark.parametrize("p,c,r,T", [(0.1, 1000.0, 0.035, 20), (0.05, 12.5, 0.06, 40), (0.3, 1.0, 0.0, 7)])
def test_discounted_cost_closed_form(write_scenario, p, c, r, T):
    res = econ.run(write_scenario(two_state_scenario(p, c, r, T)))
    expected = discounted_cost_end(c, p, r, T) if r > 0 else c * cycles_alive_end(p, T)
    assert res.summary.loc["only", "cost"] == pytest.approx(expected, rel=1e-12)


def test_first_cycle_not_discounted_multiplies_by_one_plus_r(write_scenario):
    a = econ.run(write_scenario(two_state_scenario(0.1, 100.0, 0.05, 10)))
    b = econ.run(write_scenario(two_state_scenario(0.1, 100.0, 0.05, 10, first_cycle_discounted=False), "b.yaml"))
    assert b.summary.loc["only", "cost"] == pytest.approx(a.summary.loc["only", "cost"] * 1.05, rel=1e-12)


def test_monthly_cycle_rate_is_compounded():
    d = discount_factors(0.035, 24, 1 / 12, first_cycle_discounted=True)
    assert d[11] == pytest.approx(1 / 1.035, rel=1e-12)  # 12 months = one year
    assert d[23] == pytest.approx(1 / 1.035**2, rel=1e-12)


# --- cycle correction ---------------------------------------------------------------------
@pytest.mark.parametrize("T", [2, 4, 10, 36])
def test_simpson_integrates_a_cubic_exactly(T):
    coef = (0.3, -1.2, 0.7, 0.05)
    f = lambda x: coef[0] + coef[1] * x + coef[2] * x**2 + coef[3] * x**3  # noqa: E731
    F = lambda x: coef[0] * x + coef[1] * x**2 / 2 + coef[2] * x**3 / 3 + coef[3] * x**4 / 4  # noqa: E731
    x = np.array([f(k) for k in range(T + 1)], dtype=float)[:, None]
    w = cycle_occupancy(x, "simpson")
    assert w.sum() == pytest.approx(F(T) - F(0), rel=1e-12, abs=1e-12)
    textbook = np.ones(T + 1)
    textbook[1:-1:2], textbook[2:-1:2] = 4, 2
    assert w.sum() == pytest.approx((textbook * x[:, 0]).sum() / 3, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("T", [3, 5, 11])
def test_simpson_odd_cycles_exact_for_quadratics(T):
    f = lambda x: 2.0 - 0.4 * x + 0.03 * x**2  # noqa: E731
    F = lambda x: 2.0 * x - 0.2 * x**2 + 0.01 * x**3  # noqa: E731
    x = np.array([f(k) for k in range(T + 1)])[:, None]
    assert cycle_occupancy(x, "simpson").sum() == pytest.approx(F(T) - F(0), rel=1e-12)


def test_trapezoid_start_end_relationship():
    x = np.random.default_rng(1).random((4, 11, 3))
    trap = cycle_occupancy(x, "trapezoid")
    assert np.allclose(trap, 0.5 * (cycle_occupancy(x, "start") + cycle_occupancy(x, "end")), atol=0, rtol=1e-15)


# --- plain-loop reference implementation ----------------------------------------------------
def random_model(rng, *, n_draws=13, n_cycles=9):
    """A random scenario (several states, a tunnel, time-varying rows, 3 strategies) and its draws.

    Each off-diagonal probability is p_<k>_<i>_<j> * exp(-g * cycle) * (h ** (time_in_state - 1)) so
    rows depend on cycle and (in the tunnel) on time in state; the stay probability is the complement.
    """
    states = ["s0", "s1", "s2", "s3", "dead"]
    tunnel = {"s1": 3}
    strategies = ["k0", "k1", "k2"]
    g = {k: float(rng.uniform(0, 0.1)) for k in strategies}
    h = 0.8
    params, columns, trans = {}, {}, {}
    for k in strategies:
        trans[k] = {}
        for i in states[:-1]:
            row = {i: "complement"}
            raw = rng.uniform(0, 1, size=(n_draws, len(states) - 1))
            raw = raw / raw.sum(axis=1, keepdims=True) * rng.uniform(0.2, 0.9, size=(n_draws, 1))
            others = [j for j in states if j != i]
            for col, j in enumerate(others):
                name = f"p_{k}_{i}_{j}"
                params[name] = 0.1
                columns[name] = raw[:, col]
                row[j] = f"{name} * exp(-{g[k]!r} * cycle) * {h!r} ** (time_in_state - 1)"
            trans[k][i] = row
        trans[k]["dead"] = {"dead": 1}
    for s in states:
        params[f"c_{s}"] = 1.0
        columns[f"c_{s}"] = rng.uniform(0, 1000, n_draws)
    params["c_enter_dead"] = 1.0
    columns["c_enter_dead"] = rng.uniform(0, 5000, n_draws)
    data = {
        "metadata": {"name": "random"},
        "settings": {"n_cycles": n_cycles, "cycle_correction": "end", "discount_rate_costs": 0.04,
                     "cycle_length": "year"},
        "parameters": params,
        "states": {s: ({"tunnel": tunnel[s]} if s in tunnel else {}) for s in states},
        "initial": {"s0": 0.6, "s1": 0.4},
        "strategies": {k: {"transitions": trans[k]} for k in strategies},
        "values": {
            "cost": {"kind": "cost", "states": {s: f"c_{s} * (1 + 0.1 * time_in_state)" for s in states[:-1]},
                     "transitions": {"*->dead": "c_enter_dead"}},
        },
    }
    return data, columns, dict(states=states, tunnel=tunnel, strategies=strategies, g=g, h=h, n_cycles=n_cycles)


def reference_trace(columns, spec, draw):
    """Plain Python: expand tunnels by hand, loop over cycles, from-states and to-states."""
    exp_states = []
    for s in spec["states"]:
        n = spec["tunnel"].get(s, 1)
        exp_states += [(s, k) for k in range(1, n + 1)]
    S, T = len(exp_states), spec["n_cycles"]
    out = {}
    for k in spec["strategies"]:
        x = [0.0] * S
        x[exp_states.index(("s0", 1))] = 0.6
        x[exp_states.index(("s1", 1))] = 0.4
        rows = [list(x)]
        flows_into_dead = []
        for t in range(1, T + 1):
            new = [0.0] * S
            into_dead = 0.0
            for a, (si, ki) in enumerate(exp_states):
                if si == "dead":
                    new[a] += x[a]
                    continue
                total = 0.0
                for sj in spec["states"]:
                    if sj == si:
                        continue
                    p = columns[f"p_{k}_{si}_{sj}"][draw] * math.exp(-spec["g"][k] * t) * spec["h"] ** (ki - 1)
                    total += p
                    b = exp_states.index((sj, 1))
                    new[b] += x[a] * p
                    if sj == "dead":
                        into_dead += x[a] * p
                n_tun = spec["tunnel"].get(si, 1)
                stay = exp_states.index((si, min(ki + 1, n_tun)))
                new[stay] += x[a] * (1.0 - total)
            x = new
            rows.append(list(x))
            flows_into_dead.append(into_dead)
        cost = 0.0
        for t in range(1, T + 1):
            amount = 0.0
            for a, (si, ki) in enumerate(exp_states):
                if si != "dead":
                    amount += rows[t][a] * columns[f"c_{si}"][draw] * (1 + 0.1 * ki)
            amount += flows_into_dead[t - 1] * columns["c_enter_dead"][draw]
            cost += amount / 1.04**t
        out[k] = (rows, cost)
    return out


def test_engine_matches_plain_loop_reference(rng, write_scenario):
    data, columns, spec = random_model(rng, n_draws=17)
    compiled = econ.compile_path(write_scenario(data))
    table = ParameterTable({c: np.asarray(columns[c]) for c in compiled.parameters.columns}, 17)
    ev = evaluate(compiled, table, keep_trace=True, chunk_draws=5)  # chunks of 5 on purpose
    for d in range(17):
        ref = reference_trace(columns, spec, d)
        for ki, k in enumerate(spec["strategies"]):
            rows, cost = ref[k]
            np.testing.assert_allclose(ev.trace[d, ki], np.array(rows), rtol=0, atol=1e-12)
            assert ev.output("cost")[d, ki] == pytest.approx(cost, rel=1e-12)


def test_chunk_size_does_not_change_results(rng, write_scenario):
    data, columns, _ = random_model(rng, n_draws=50)
    compiled = econ.compile_path(write_scenario(data))
    table = ParameterTable({c: np.asarray(columns[c]) for c in compiled.parameters.columns}, 50)
    runs = [evaluate(compiled, table, chunk_draws=chunk, keep_cycles=True, keep_trace=True, threads=1)
            for chunk in (50, 7, 1)]
    for field in ("totals", "totals_undiscounted", "per_cycle", "per_cycle_discounted", "trace"):
        a, b, c = (getattr(r, field) for r in runs)
        assert np.array_equal(a, b) and np.array_equal(a, c), field


def test_overflow_is_an_error_naming_value_strategy_cycle_and_draw(write_scenario, recwarn):
    path = write_scenario(two_state_scenario(0.1, 1e308, 0.0, 5))
    with pytest.raises(ModelError) as err:
        econ.run(path)
    text = str(err.value)
    assert "value 'cost' is not finite (inf) for strategy 'only' in cycle" in text and "draw 0" in text
    assert f"{path.name}:" in text
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n_cycles=st.integers(1, 30))
def test_trace_rows_sum_to_one_and_are_nonnegative(seed, n_cycles, tmp_path_factory):
    import yaml

    rng = np.random.default_rng(seed)
    data, columns, _ = random_model(rng, n_draws=4, n_cycles=n_cycles)
    path = tmp_path_factory.mktemp("h") / "m.yaml"
    path.write_text(yaml.safe_dump(data))
    compiled = econ.compile_path(path)
    table = ParameterTable({c: np.asarray(columns[c]) for c in compiled.parameters.columns}, 4)
    tr = evaluate(compiled, table, keep_trace=True).trace
    assert np.all(tr >= -1e-15)
    np.testing.assert_allclose(tr.sum(axis=-1), 1.0, rtol=0, atol=1e-12)


# --- invariant checks ---------------------------------------------------------------------
def test_row_not_summing_to_one_names_strategy_state_cycle_draw(write_scenario):
    data = two_state_scenario(0.1, 1.0, 0.0, 5)
    data["parameters"]["p_stay"] = 0.95
    data["transitions"]["alive"] = {"alive": "where(cycle >= 3, p_stay, 0.9)", "dead": "p_die"}
    compiled = econ.compile_path(write_scenario(data))
    with pytest.raises(ModelError, match=r"strategy 'only', draw 0, cycle 3: transition row 'alive' sums to 1.05"):
        evaluate(compiled)


def test_probability_above_one_reports_draw(write_scenario):
    data = two_state_scenario(0.1, 1.0, 0.0, 5)
    compiled = econ.compile_path(write_scenario(data))
    cols = {c: np.full(6, 0.1) for c in compiled.parameters.columns}
    cols["p_die"] = np.array([0.1, 0.2, 0.3, 0.4, 1.2, 0.1])
    cols["c_alive"] = np.ones(6)
    with pytest.raises(ModelError, match=r"from-state 'alive', cycle 1 \(and all cycles\), draw 4: probability of moving to 'dead' is 1.2"):
        evaluate(compiled, ParameterTable(cols, 6), chunk_draws=3)


def test_mixture_is_share_weighted_sum_of_components(rng, write_scenario):
    data, columns, spec = random_model(rng, n_draws=9)
    data["parameters"]["w0"] = 0.25
    data["strategies"]["mix"] = {"mixture": {"k0": "w0", "k1": "1 - w0 - 0.1", "k2": 0.1}}
    compiled = econ.compile_path(write_scenario(data))
    cols = {c: np.asarray(columns[c]) for c in compiled.parameters.columns if c in columns}
    cols["w0"] = rng.uniform(0, 0.9, 9)
    table = ParameterTable(cols, 9)
    ev = evaluate(compiled, table, keep_trace=True, keep_cycles=True)
    w = np.stack([cols["w0"], 0.9 - cols["w0"], np.full(9, 0.1)], axis=1)
    expect_trace = np.einsum("nk,nkts->nts", w, ev.trace[:, :3])
    np.testing.assert_allclose(ev.trace[:, 3], expect_trace, rtol=0, atol=1e-14)
    expect_cost = np.einsum("nk,nk->n", w, ev.output("cost")[:, :3])
    np.testing.assert_allclose(ev.output("cost")[:, 3], expect_cost, rtol=1e-13)


def test_mixture_shares_must_sum_to_one(write_scenario):
    data = two_state_scenario(0.1, 1.0, 0.0, 5)
    data["strategies"] = {"a": {}, "b": {}, "mix": {"mixture": {"a": 0.5, "b": 0.4}}}
    compiled = econ.compile_path(write_scenario(data))
    with pytest.raises(ModelError, match=r"strategy 'mix', draw 0: mixture shares \(a 0.5, b 0.4\) must each be in \[0, 1\] and sum to 1"):
        evaluate(compiled)


@pytest.mark.parametrize("scenario", ["side_by_side.yaml", "validation/chancellor_hiv.yaml"])
def test_totals_over_states_with_amounts_equal_the_full_state_sum(scenario):
    """Totals summed over the states that have an amount (no per-cycle amounts kept) equal, bit for bit,
    those of the path that fills every state (zeros included), which keep_cycles=True takes (issue 19)."""
    from econ.model.run import compile_path
    from econ.analysis.draws import draw_table

    from .conftest import SCENARIOS
    compiled = compile_path(SCENARIOS / scenario)
    table = draw_table(compiled.parameters, 300, rng=np.random.default_rng(8))
    fast = evaluate(compiled, table, threads=1)
    full = evaluate(compiled, table, threads=1, keep_cycles=True)
    assert np.array_equal(fast.totals, full.totals) and np.array_equal(fast.totals_undiscounted,
                                                                         full.totals_undiscounted)
    assert np.ptp(fast.totals[:, :, 0]) > 0  # draws that differ


def _python_in_order(a, w=None):
    """sum_i w_i a_i over axis 0 with Python floats, one element at a time (IEEE doubles, in index order)."""
    flat = a.reshape(a.shape[0], -1)
    out = []
    for k in range(flat.shape[1]):
        acc = float(flat[0, k]) * float(w[0]) if w is not None else float(flat[0, k])
        for i in range(1, flat.shape[0]):
            acc += float(flat[i, k]) * float(w[i]) if w is not None else float(flat[i, k])
        out.append(acc)
    return np.array(out).reshape(a.shape[1:])


_finite = st.floats(allow_nan=False, allow_infinity=False, width=64, min_value=-1e300, max_value=1e300)


@settings(max_examples=200, deadline=None)
@given(st.integers(1, 140), st.integers(1, 4), st.integers(0, 2**32 - 1), st.booleans(), st.booleans())
def test_in_order_sum_adds_in_index_order_on_both_ways(T, n, seed, weighted, on_axis_1):
    """The accumulate way (small arrays) and the loop way give the sum of a plain Python loop, bit for
    bit, whatever the magnitudes (values spread over 1e-8 to 1e8, both signs, some zeros)."""
    from econ.model import engine

    rng = np.random.default_rng(seed)
    a = rng.standard_normal((T, n)) * 10.0 ** rng.uniform(-8, 8, (T, n))
    a[rng.random((T, n)) < 0.1] = 0.0
    w = rng.uniform(0, 1, T) if weighted else None
    expected = _python_in_order(a, w)
    arg = np.ascontiguousarray(a.T) if on_axis_1 else a
    fast = engine.in_order_sum(arg, axis=1 if on_axis_1 else 0, weights=w)
    limit = engine.ACCUMULATE_ELEMENTS
    try:
        engine.ACCUMULATE_ELEMENTS = 0  # the slice-by-slice loop
        loop = engine.in_order_sum(arg, axis=1 if on_axis_1 else 0, weights=w)
    finally:
        engine.ACCUMULATE_ELEMENTS = limit
    assert fast.tobytes() == expected.tobytes() == loop.tobytes()


def test_in_order_sum_is_not_numpy_pairwise_sum():
    """A case where numpy's reduction (pairwise over the contiguous axis) rounds differently: in_order_sum
    keeps the index order, so the check above can tell the two apart."""
    from econ.model.engine import in_order_sum

    a = np.array([1.0] + [1e-16] * 200).reshape(-1, 1)
    assert in_order_sum(a)[0] == 1.0  # each 1e-16 is lost against 1 when added in order
    assert a.sum(axis=0)[0] != 1.0


@given(st.lists(_finite, min_size=1, max_size=40), st.booleans())
def test_in_order_sum_signs_of_zero_and_non_finite_as_the_loop(values, neg_zero):
    """Zeros keep the loop's sign; infinities and NaN give the loop's values."""
    from econ.model import engine

    a = np.array(values + ([-0.0] if neg_zero else []) + [np.inf, -np.inf, np.nan][: len(values) % 4])
    a = a.reshape(-1, 1)
    with np.errstate(invalid="ignore", over="ignore"):
        fast = engine.in_order_sum(a)
    limit = engine.ACCUMULATE_ELEMENTS
    try:
        engine.ACCUMULATE_ELEMENTS = 0
        with np.errstate(invalid="ignore", over="ignore"):
            loop = engine.in_order_sum(a)
    finally:
        engine.ACCUMULATE_ELEMENTS = limit
    # NaN == NaN here: the sign bit of inf - inf is not specified (and the engine refuses non-finite totals)
    assert np.array_equal(fast, loop, equal_nan=True)
    assert np.isnan(fast).all() or np.signbit(fast).tolist() == np.signbit(loop).tolist()
