"""The default peer-support scenario: relationships that must hold, and a hand calculation."""
from __future__ import annotations

import json
import math

import numpy as np
import pytest

import econ
from econ.analysis.budget import budget_table, monthly_intake
from econ.analysis.offset import break_even_attribution, headline, measures
from econ.cli.main import main
from econ.model.evaluate import evaluate

from .conftest import SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"
PERSPECTIVES = ("nhs", "nhs_pss", "public_sector", "societal")


@pytest.fixture(scope="module")
def compiled():
    return econ.compile_path(DEFAULT)


def net_and_offset(compiled, table, perspective="societal"):
    ev = evaluate(compiled, table)
    m = measures(compiled, ev, perspective)
    return m["net_cost"], m["cost_offset"], m["delivery_cost"]


def reduction_columns(compiled):
    return [c for c in compiled.parameters.columns if c.startswith("r_")]


# With no effect every living state costs the same, but the strategies spread people over different
# states, so the same total is summed in a different order: the offset is 0 up to rounding, about
# 1e-16 of the ~GBP 20,000 of costs it is the difference of. 1e-9 GBP is far below any real effect.
ROUNDING_GBP = 1e-9


def test_zero_effect_gives_zero_offset(compiled):
    base = compiled.parameters.point_table()
    table = base.with_values(**{c: 0.0 for c in reduction_columns(compiled)})
    for p in PERSPECTIVES:
        net, offset, delivery = net_and_offset(compiled, table, p)
        np.testing.assert_allclose(offset, 0.0, rtol=0, atol=ROUNDING_GBP)
        np.testing.assert_allclose(net, delivery, rtol=0, atol=ROUNDING_GBP)


def test_attribution_zero_gives_zero_offset_and_net_equals_delivery(compiled):
    table = compiled.parameters.point_table().with_values(attribution=0.0)
    for p in PERSPECTIVES:
        net, offset, delivery = net_and_offset(compiled, table, p)
        np.testing.assert_allclose(offset, 0.0, rtol=0, atol=ROUNDING_GBP)
        np.testing.assert_allclose(net, delivery, rtol=0, atol=ROUNDING_GBP)
        assert np.all(delivery[:, 1:] > 0)


def test_offset_is_linear_in_attribution(compiled):
    base = compiled.parameters.point_table()
    _, off1, _ = net_and_offset(compiled, base.with_values(attribution=1.0))
    for a in (0.1, 0.37, 0.5, 0.9):
        _, off, _ = net_and_offset(compiled, base.with_values(attribution=a))
        # linear up to floating-point rounding of sums of ~20 terms of size ~1e3
        np.testing.assert_allclose(off, a * off1, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("perspective", ["nhs_pss", "societal"])
def test_net_cost_is_zero_at_break_even_attribution(compiled, perspective):
    base = compiled.parameters.point_table()
    a_star = break_even_attribution(compiled, base, perspective)
    for k, strategy in enumerate(compiled.model.strategy_names):
        if strategy == compiled.reference or not np.isfinite(a_star[0, k]):
            continue
        net, _, _ = net_and_offset(compiled, base.with_values(attribution=a_star[0, k]), perspective)
        assert abs(net[0, k]) < 1e-8


def test_doubling_every_unit_cost_doubles_service_costs(compiled):
    base = compiled.parameters.point_table()
    unit_cost_columns = [p.name for p in compiled.parameters.independent
                         if compiled.loaded.spec.parameters[p.name].__class__.__name__ == "ParameterSpec"
                         and compiled.loaded.spec.parameters[p.name].unit_cost is not None
                         and p.name.removeprefix("c_") in {v.name for v in compiled.values}]
    assert len(unit_cost_columns) == 17  # 15 NHS and social care services, police and housing support (issue 16)
    doubled = base.with_values(**{c: 2 * base.columns[c][0] for c in unit_cost_columns})
    a, b = evaluate(compiled, base), evaluate(compiled, doubled)
    for name in [c.removeprefix("c_") for c in unit_cost_columns] + ["service_cost"]:
        np.testing.assert_allclose(b.output(name), 2 * a.output(name), rtol=1e-13)


def test_budget_total_equals_single_cohort_times_people(compiled):
    budget = budget_table(compiled)
    people = monthly_intake(compiled).sum()
    ev = evaluate(compiled)
    for perspective in compiled.loaded.spec.cost_offset.perspectives:
        m = measures(compiled, ev, perspective, discounted=False)
        part = budget[budget.perspective == perspective]
        for strategy, rows in part.groupby("strategy"):
            k = compiled.model.strategy_names.index(strategy)
            assert rows.people_starting.sum() == pytest.approx(people, rel=1e-12)
            assert rows.delivery_cost.sum() == pytest.approx(m["delivery_cost"][0, k] * people, rel=1e-10)
            assert rows.net_cost.sum() == pytest.approx(m["net_cost"][0, k] * people, rel=1e-10)
            assert rows.cumulative_net_cost.iloc[-1] == pytest.approx(rows.net_cost.sum(), rel=1e-12)


def test_first_three_months_by_hand(compiled):
    """Group strategy, months 1-3, written out as a spreadsheet would: trace, delivery, GP cost."""
    P = {p.name: float(np.atleast_1d(p.point)[0]) for p in compiled.parameters.independent if p.distribution is None
         or getattr(p.distribution, "dimension", 1) == 1}
    # monthly death probability: annual q -> rate, times SMR, over 1/12 year
    p_die = 1 - math.exp(-(-math.log(1 - P["q_background"])) * P["smr"] / 12)
    p_taper, p_drop = P["p_taper_group"], P["p_drop_group"]
    p_stop, p_fade_t, p_fade = P["p_stop"], P["p_fade_tapering"], P["p_fade"]
    # rows: engaged, tapering, maintained, lapsed, dead
    M = [
        [1 - p_taper * (1 - p_die) - p_drop * (1 - p_die) - p_die, p_taper * (1 - p_die), 0, p_drop * (1 - p_die), p_die],
        [0, 1 - p_stop * (1 - p_die) - p_fade_t * (1 - p_die) - p_die, p_stop * (1 - p_die), p_fade_t * (1 - p_die), p_die],
        [0, 0, 1 - p_fade * (1 - p_die) - p_die, p_fade * (1 - p_die), p_die],
        [0, 0, 0, 1 - p_die, p_die],
        [0, 0, 0, 0, 1],
    ]
    # intention to treat: a share of the people referred never attend and start in 'lapsed'
    x = [[1.0 - P["p_never_attend"], 0.0, 0.0, P["p_never_attend"], 0.0]]
    for _ in range(3):
        prev = x[-1]
        x.append([sum(prev[i] * M[i][j] for i in range(5)) for j in range(5)])
    # delivery cost per engaged participant-month (group)
    c_fixed_pm = P["c_fixed_year_group"] / (12 * P["n_caseload_group"])
    c_group = ((P["h_facilitator_session"] * P["c_psw_hour"] + P["c_venue_session"]) * P["n_sessions_month"]
               / P["n_group_size"] + P["h_supervision_pm"] * P["c_coordinator_hour"] + c_fixed_pm)
    # GP surgery: counterfactual monthly cost (baseline, moving toward the population mean: the share of
    # the gap closed by the middle of month t is 1 - rho^((t - 0.5)/6), scaled to reach the follow-up
    # counterfactual at 6 months), and with the effect (full within the 6-month window)
    rho = P["rho_primary_care"]
    d = [(1.035 ** (1 / 12)) ** -t for t in (1, 2, 3)]
    delivery, gp = [], []
    for t in (1, 2, 3):
        path = (1 - rho ** ((t - 0.5) / 6)) / (1 - rho)
        m_gp = P["c_gp_surgery"] * P["u_gp_surgery"] * (1 + P["cfc_gp_surgery"] * path)
        e_gp = m_gp * (1 - P["attribution"] * P["r_gp_surgery_group"])
        # trapezoid: the mean of membership at the start and end of the month
        w = [(x[t - 1][s] + x[t][s]) / 2 for s in range(5)]
        delivery.append(w[0] * c_group + w[1] * P["taper_intensity"] * c_group)
        gp.append((w[0] + w[1] + w[2]) * e_gp + w[3] * m_gp)
    res = econ.run(compiled)
    pc = res.per_cycle
    g = pc[(pc.strategy == "group") & (pc.cycle <= 3)]
    np.testing.assert_allclose(g[g.value == "delivery"].amount.to_numpy(), delivery, rtol=1e-12)
    np.testing.assert_allclose(g[g.value == "gp_surgery"].amount.to_numpy(), gp, rtol=1e-12)
    np.testing.assert_allclose(g[g.value == "delivery"].discounted.to_numpy(), np.array(delivery) * d, rtol=1e-12)
    # one-off set-up and training (spread over the people referred) and referral effort, in month 1 only
    c_training = P["n_trained_group"] * P["h_training_worker"] * P["c_psw_hour"] + P["h_training_worker"] * P["c_coordinator_hour"]
    set_up = (P["c_setup_group"] + c_training) / P["n_participants"]
    referral = P["h_referral"] * P["c_coordinator_hour"]
    np.testing.assert_allclose(g[g.value == "set_up"].amount.to_numpy(), [set_up, 0, 0], rtol=1e-12)
    np.testing.assert_allclose(g[g.value == "referral"].amount.to_numpy(), [referral, 0, 0], rtol=1e-12)
    tr = res.trace
    for t in (1, 2, 3):
        got = tr[(tr.strategy == "group") & (tr.cycle == t)].set_index("state").share
        np.testing.assert_allclose([got[s] for s in ("engaged", "tapering", "maintained", "lapsed", "dead")], x[t],
                                   rtol=0, atol=1e-15)


def test_headline_has_every_measure(compiled):
    h = headline(compiled)
    assert set(h.perspective) == set(compiled.loaded.spec.cost_offset.perspectives)
    assert set(h.discounting) == {"discounted", "undiscounted"}
    for m in ("delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution", "payback_month"):
        assert m in set(h.measure)
    row = h[(h.perspective == "societal") & (h.discounting == "discounted") & (h.strategy == "group")]
    v = row.set_index("measure").per_participant
    assert v["net_cost"] == pytest.approx(v["delivery_cost"] - v["cost_offset"], rel=1e-12)
    assert v["roi"] == pytest.approx(v["cost_offset"] / v["delivery_cost"], rel=1e-12)
    pop = compiled.parameters["n_participants"].point
    assert row.set_index("measure").population["net_cost"] == pytest.approx(v["net_cost"] * pop, rel=1e-12)


def test_default_command_prints_a_readable_headline(capsys):
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC DATA" in out.splitlines()[0]
    for text in ("GBP at 2023/24 prices", "Perspective: NHS and personal social services", "Net cost",
                 "Break-even attribution", "Budget by financial year"):
        assert text in out


def test_compare_writes_comparison_and_records_override(tmp_path, capsys):
    out = tmp_path / "cmp"
    files = [str(SCENARIOS / f) for f in ("side_by_side.yaml", "group_led.yaml", "small_programme.yaml")]
    assert main(["compare", *files, "--out", str(out), "--set", "attribution=0.25"]) == 0
    text = capsys.readouterr().out
    assert "group_led" in text and "small_programme" in text
    import pandas as pd

    table = pd.read_csv(out / "comparison.csv")
    assert set(table.scenario) == {"side_by_side", "group_led", "small_programme"}
    manifest = json.loads((out / "manifest.json").read_text())
    assert all(any("attribution" in o and "0.25" in o for o in s["overrides"]) for s in manifest["scenarios"])
    assert manifest["scenarios"][0]["synthetic"] is True


@pytest.mark.parametrize("name", ["group_led", "online_first", "mixed_choice", "inner_london", "small_programme"])
def test_commissioner_scenarios_extend_the_default_and_say_their_question(name):
    path = SCENARIOS / f"{name}.yaml"
    first = path.read_text().splitlines()[0]
    assert first.startswith("# Question:")
    loaded = econ.load_scenario(path)
    assert [f.path.rsplit("/", 1)[-1] for f in loaded.files][-1] == "side_by_side.yaml"
    h = headline(econ.compile_path(loaded))
    assert np.isfinite(h[h.measure == "net_cost"].per_participant).all()


def test_subgroups_by_bme(tmp_path, capsys):
    assert main(["subgroups", str(DEFAULT), "--by", "bme", "--replicates", "50", "--out", str(tmp_path / "s")]) == 0
    out = capsys.readouterr().out
    assert "yes" in out and "no" in out and "interaction p" in out
    import pandas as pd

    table = pd.read_csv(tmp_path / "s" / "subgroups.csv", dtype={"value": str})
    assert set(table.subgroup) == {"bme"} and set(table.value) == {"yes", "no"}
    assert table.n.sum() > 0
