"""Cost-effectiveness analysis (econ.analysis.cea): frontier, net benefit, CEAC/CEAF, cost-consequence.

References: the DARTH Sick-Sicker tutorial's published frontier (Alarid-Escudero F et al. (2023) A
tutorial on time-dependent cohort state-transition models in R using a cost-effectiveness analysis
example. Med Decis Making 43(1):21-41, table of the base-case CEA), a textbook extended-dominance
algorithm in exact rational arithmetic, and plain loops for NMB and the CEAC.
"""
from __future__ import annotations

import itertools
import math
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ.analysis import cea
from econ.analysis.base_case import run
from econ.core.errors import EconError, ScenarioError

# Published per-strategy discounted costs (whole USD) and QALYs (3 dp), and the published ICERs.
DARTH_COST = {"SoC": 151_580, "A": 284_805, "B": 259_100, "AB": 378_875}
DARTH_QALY = {"SoC": 20.711, "A": 21.499, "B": 22.184, "AB": 23.137}
DARTH_ICER = {("B", "SoC"): 72_988, ("AB", "B"): 125_764}


def _icer_bounds(strategy: str, comparator: str) -> tuple[float, float]:
    """ICERs consistent with the rounded inputs.

    Each published cost is rounded to the whole unit (true value within +-0.5) and each QALY to 3 dp
    (+-0.0005), so a cost difference is known to +-1 and a QALY difference to +-0.001; the true
    ICER (with a positive QALY difference) then lies in [(dC - 1)/(dE + 0.001), (dC + 1)/(dE - 0.001)].
    """
    dc = DARTH_COST[strategy] - DARTH_COST[comparator]
    de = DARTH_QALY[strategy] - DARTH_QALY[comparator]
    return (dc - 1) / (de + 0.001), (dc + 1) / (de - 0.001)


def test_darth_sick_sicker_frontier():
    f = cea.frontier(DARTH_COST, DARTH_QALY).set_index("strategy")
    assert f.status.to_dict() == {"SoC": "non-dominated", "B": "non-dominated", "A": "dominated",
                                  "AB": "non-dominated"}
    assert list(f.index) == ["SoC", "B", "A", "AB"]  # ordered by cost
    assert f.comparator.to_dict() == {"SoC": "", "B": "SoC", "A": "", "AB": "B"}
    assert np.isnan(f.loc["SoC", "icer"]) and np.isnan(f.loc["A", "icer"])
    for (s, comp), published in DARTH_ICER.items():
        lo, hi = _icer_bounds(s, comp)
        # The published ICER (rounded to the whole unit: +-0.5) and ours (from the rounded inputs)
        # both lie in the interval the rounding allows: B vs SoC [72,944, 73,044], AB vs B [125,549, 125,815].
        assert lo - 0.5 <= published <= hi + 0.5
        assert lo <= f.loc[s, "icer"] <= hi
        assert abs(f.loc[s, "icer"] - published) <= hi - lo + 1
        assert f.loc[s, "icer"] == pytest.approx((DARTH_COST[s] - DARTH_COST[comp])
                                                 / (DARTH_QALY[s] - DARTH_QALY[comp]), rel=1e-15)


def test_extended_dominance_is_labelled():
    # c has ICER 20 against b, d has ICER 10 against c: a mix of b and d beats c.
    f = cea.frontier([0, 10, 30, 40], [0, 1, 2, 4], ["a", "b", "c", "d"]).set_index("strategy")
    assert f.status.to_dict() == {"a": "non-dominated", "b": "non-dominated", "c": "extendedly dominated",
                                  "d": "non-dominated"}
    assert f.loc["d", "comparator"] == "b" and f.loc["d", "icer"] == pytest.approx(10.0)
    assert f.loc["b", "icer"] == pytest.approx(10.0)


def test_extended_dominance_cascades():
    # ICERs a->b 20, b->c 20, c->d 4.6: c goes; then b->d is 5 < 20, so b goes too; d against a is 10.
    f = cea.frontier([0, 20, 21, 30], [0, 1, 1.05, 3], ["a", "b", "c", "d"]).set_index("strategy")
    assert f.status.to_dict() == {"a": "non-dominated", "b": "extendedly dominated", "c": "extendedly dominated",
                                  "d": "non-dominated"}
    assert f.loc["d", "comparator"] == "a" and f.loc["d", "icer"] == pytest.approx(10.0)


def test_ties():
    # Equal cost, lower effect: dominated. Equal effect, higher cost: dominated.
    f = cea.frontier([0, 0, 10, 12], [1, 0, 2, 2], ["a", "b", "c", "d"]).set_index("strategy")
    assert f.loc["b", "status"] == "dominated" and f.loc["d", "status"] == "dominated"
    # Identical points share status, comparator and ICER; the next one compares with the first by name.
    f = cea.frontier([0, 10, 10, 40], [0, 1, 1, 4], ["a", "y", "x", "d"]).set_index("strategy")
    assert f.loc["x"].tolist() == f.loc["y"].tolist()
    assert f.loc["x", "status"] == "non-dominated" and f.loc["x", "comparator"] == "a"
    assert f.loc["d", "comparator"] == "x"
    # Collinear (equal ICERs): the middle one stays non-dominated.
    f = cea.frontier([0, 10, 20], [0, 1, 2], ["a", "b", "c"]).set_index("strategy")
    assert (f.status == "non-dominated").all() and f.loc["c", "comparator"] == "b"


@pytest.mark.parametrize("case", ["darth", "extended"])
def test_order_of_declaration_does_not_matter(case):
    if case == "darth":
        costs, effects = DARTH_COST, DARTH_QALY
    else:
        costs = {"a": 0, "b": 10, "c": 30, "d": 40, "e": 35}
        effects = {"a": 0, "b": 1, "c": 2, "d": 4, "e": 1}
    expected = cea.frontier(costs, effects)
    for perm in itertools.permutations(costs):
        got = cea.frontier({s: costs[s] for s in perm}, {s: effects[s] for s in reversed(perm)})
        pd.testing.assert_frame_equal(got, expected)
        got = cea.frontier([costs[s] for s in perm], [effects[s] for s in perm], strategies=list(perm))
        pd.testing.assert_frame_equal(got, expected)


def _textbook_statuses(costs, effects) -> dict:
    """Drummond et al.'s procedure in exact arithmetic: drop dominated, then repeatedly drop the first
    strategy whose ICER exceeds the next one's, recomputing ICERs each time."""
    names = list(costs)
    c = {s: Fraction(costs[s]) for s in names}
    e = {s: Fraction(effects[s]) for s in names}
    status = {}
    for s in names:
        if any(c[t] <= c[s] and e[t] >= e[s] and (c[t] < c[s] or e[t] > e[s]) for t in names):
            status[s] = "dominated"
    left = sorted((s for s in names if s not in status), key=lambda s: (c[s], -e[s], s))
    points = []
    for s in left:  # identical points travel together
        if points and c[points[-1][0]] == c[s] and e[points[-1][0]] == e[s]:
            points[-1].append(s)
        else:
            points.append([s])
    while True:
        icers = [(c[b[0]] - c[a[0]]) / (e[b[0]] - e[a[0]]) for a, b in zip(points, points[1:])]
        bad = next((k for k in range(len(icers) - 1) if icers[k] > icers[k + 1]), None)
        if bad is None:
            break
        for s in points.pop(bad + 1):
            status[s] = "extendedly dominated"
    for group in points:
        for s in group:
            status[s] = "non-dominated"
    return status


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 12), st.integers(0, 12)), min_size=1, max_size=7))
def test_frontier_matches_the_textbook_procedure(pairs):
    names = [f"s{k}" for k in range(len(pairs))]
    costs = {n: p[0] * 1000 for n, p in zip(names, pairs)}
    effects = {n: p[1] / 4 for n, p in zip(names, pairs)}
    f = cea.frontier(costs, effects)
    assert dict(zip(f.strategy, f.status)) == _textbook_statuses(costs, effects)
    front = f[f.status == "non-dominated"]
    icers = front.icer.to_numpy()[1:]
    assert np.all(np.diff(icers[~np.isnan(icers)]) >= 0)  # ICERs never fall along the frontier
    # The strategy with the highest NMB at any threshold is on the frontier.
    nb = cea.net_benefit(costs, effects, [1.0, 500.0, 3000.0, 9000.0, 1e6])
    assert set(nb[nb.optimal].strategy) <= set(front.strategy)


def test_net_benefit_matches_a_plain_loop():
    nb = cea.net_benefit(DARTH_COST, DARTH_QALY)
    assert sorted(nb.threshold.unique()) == [20_000.0, 30_000.0]
    for row in nb.itertuples():
        nmb = row.threshold * DARTH_QALY[row.strategy] - DARTH_COST[row.strategy]
        nhb = DARTH_QALY[row.strategy] - DARTH_COST[row.strategy] / row.threshold
        assert abs(row.nmb - nmb) <= 1e-12 * max(1.0, abs(nmb))
        assert abs(row.nhb - nhb) <= 1e-12 * max(1.0, abs(nhb))
    best = nb[nb.optimal].set_index("threshold").strategy.to_dict()
    assert best == {20_000.0: "SoC", 30_000.0: "SoC"}  # every ICER on the frontier is above 30,000
    nb = cea.net_benefit(DARTH_COST, DARTH_QALY, [80_000, 130_000])
    assert nb[nb.optimal].strategy.tolist() == ["B", "AB"]


def _loop_ceac(c, e, wtp):
    """Plain loops: per threshold, per draw, the best strategy; mean NMB by math.fsum."""
    N, K = c.shape
    probs, means = [], []
    for lam in wtp:
        wins = [0] * K
        for i in range(N):
            values = [lam * e[i, k] - c[i, k] for k in range(K)]
            wins[values.index(max(values))] += 1
        probs.append([w / N for w in wins])
        means.append([math.fsum(lam * e[i, k] - c[i, k] for i in range(N)) / N for k in range(K)])
    return np.array(probs), np.array(means)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_ceac_and_ceaf_match_a_plain_loop(seed, monkeypatch):
    rng = np.random.default_rng(seed)
    N, K = 400, 4
    e = rng.normal([1.0, 1.2, 1.3, 1.5], 0.2, size=(N, K))
    c = rng.normal([0.0, 4_000.0, 7_000.0, 20_000.0], 3_000.0, size=(N, K))
    wtp = np.linspace(0.0, 100_000.0, 21)
    names = ["w", "x", "y", "z"]
    table = cea.acceptability(c, e, wtp, names)
    prob, mean = _loop_ceac(c, e, wtp)
    np.testing.assert_array_equal(table.prob_optimal.to_numpy().reshape(len(wtp), K), prob)
    np.testing.assert_allclose(table.mean_nmb.to_numpy().reshape(len(wtp), K), mean, rtol=1e-12, atol=1e-9)
    np.testing.assert_allclose(table.groupby("wtp").prob_optimal.sum(), 1.0, rtol=0, atol=1e-12)
    ceaf = cea.frontier_curve(table)
    assert ceaf.wtp.tolist() == wtp.tolist()
    assert ceaf.strategy.tolist() == [names[k] for k in mean.argmax(axis=1)]
    np.testing.assert_array_equal(ceaf.prob_optimal.to_numpy(), prob[np.arange(len(wtp)), mean.argmax(axis=1)])
    # Thresholds taken in blocks give the same numbers bit for bit.
    monkeypatch.setattr(cea, "MAX_NMB_ELEMENTS", 3 * N * K + 1)
    pd.testing.assert_frame_equal(cea.acceptability(c, e, wtp, names), table)


def test_acceptability_table_holds_both_curves():
    rng = np.random.default_rng(5)
    c, e = rng.normal(size=(50, 3)), rng.normal(size=(50, 3))
    ceac = cea.acceptability(c, e, [0.0, 1.0, 2.0], ["a", "b", "c"])
    t = cea.acceptability_table(ceac)
    assert list(t.columns) == ["curve", "wtp", "strategy", "prob_optimal", "mean_nmb"]
    assert (t.curve == "ceac").sum() == 9 and (t.curve == "ceaf").sum() == 3


@pytest.mark.parametrize("bad, message", [
    (({"a": 1.0}, {"a": float("nan")}), "effect must be a finite number"),
    (({"a": 1.0, "b": 2.0}, {"a": 1.0}), "same strategies"),
    (({}, {}), "no strategies"),
])
def test_bad_input_is_named(bad, message):
    with pytest.raises(EconError, match=message):
        cea.frontier(*bad)


def test_thresholds_must_be_positive_for_net_health_benefit():
    with pytest.raises(EconError, match="positive"):
        cea.net_benefit({"a": 1.0}, {"a": 1.0}, [0.0])


def test_results_frontier_of_the_hiv_model(hiv):
    res = run(hiv, keep_cycles=False, keep_trace=False)
    f = res.frontier.set_index("strategy")
    inc = res.incremental
    assert f.loc["comb", "comparator"] == "mono" and f.loc["mono", "status"] == "non-dominated"
    assert f.loc["comb", "icer"] == pytest.approx(inc.loc["comb", "icer"], rel=1e-12)
    nb = res.net_benefit([10_000.0]).set_index("strategy")
    s = res.summary
    assert nb.loc["comb", "nmb"] == pytest.approx(10_000.0 * s.loc["comb", "ly"] - s.loc["comb", "total_cost"],
                                                  rel=1e-14)
    cc = res.cost_consequence
    assert list(cc.columns) == ["strategy", "total_cost", "ly", "total_cost_vs_mono", "ly_vs_mono"]


def test_results_frontier_needs_an_icer_block():
    from .conftest import SCENARIOS

    res = run(SCENARIOS / "validation" / "ishigami.yaml", keep_cycles=False, keep_trace=False)
    with pytest.raises(ScenarioError, match="icer"):
        res.frontier
    assert "f" in res.cost_consequence.columns  # the costs alone, with no icer block


def test_cost_consequence_of_the_default_scenario_shows_swemwbs_next_to_costs(peer):
    res = run(peer, keep_cycles=False, keep_trace=False)
    cc = res.cost_consequence.set_index("strategy")
    for column in ("total_cost", "qalys", "swemwbs_points", "wellbys", "total_cost_vs_usual_care",
                   "swemwbs_points_vs_usual_care", "qalys_vs_usual_care"):
        assert column in cc.columns, column
    s = res.summary
    assert cc.loc["usual_care", "swemwbs_points"] == 0.0  # no peer support, no wellbeing gain
    assert cc.loc["group", "swemwbs_points_vs_usual_care"] == pytest.approx(
        s.loc["group", "swemwbs_points"] - s.loc["usual_care", "swemwbs_points"], rel=1e-14)
    assert cc.loc["group", "swemwbs_points_vs_usual_care"] > 0


def test_run_prints_and_writes_the_frontier(tmp_path, capsys):
    from econ.cli.main import main

    from .conftest import SCENARIOS

    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "validation" / "chancellor_hiv.yaml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Cost-effectiveness" in text and "non-dominated" in text and "NMB at 20,000" in text
    f = pd.read_csv(out / "frontier.csv", keep_default_na=False)
    assert list(f.columns) == cea.FRONTIER_COLUMNS and f.strategy.tolist() == ["mono", "comb"]
    assert (out / "net_benefit.csv").is_file()


def test_psa_writes_acceptability(tmp_path, capsys):
    from econ.cli.main import main

    from .conftest import SCENARIOS

    out = tmp_path / "psa"
    assert main(["psa", str(SCENARIOS / "validation" / "chancellor_hiv.yaml"), "--draws", "200", "--seed", "4",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    acc = pd.read_csv(out / "acceptability.csv")
    ceac = pd.read_csv(out / "ceac.csv")
    assert (out / "evpi.csv").is_file()
    both = acc[acc.curve == "ceac"].reset_index(drop=True)
    pd.testing.assert_series_equal(both.prob_optimal, ceac.prob_optimal)
    front = acc[acc.curve == "ceaf"]
    assert len(front) == ceac.wtp.nunique()
    assert front.strategy.tolist() == ceac[ceac.on_frontier].strategy.tolist()
