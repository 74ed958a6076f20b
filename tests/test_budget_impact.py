"""Budget impact by payer (ISPOR), delivery costs per setting, and the BCR / net ROI / SROI terms (issue 16)."""
from __future__ import annotations

import csv
import importlib.util
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econ.analysis.budget_impact import budget_impact, parameter_values
from econ.analysis.offset import headline, measures
from econ.analysis.psa import run_psa, summarize_offset
from econ.cli.main import main
from econ.core.errors import ScenarioError
from econ.model.evaluate import evaluate
from econ.model.run import compile_path
from econ.report.text import headline_text
from econ.scenario.schema import PAYERS

from .conftest import SCENARIOS

DEFAULT = str(SCENARIOS / "side_by_side.yaml")
pytestmark = pytest.mark.filterwarnings("ignore::econ.inputs.inflation.UnverifiedIndexWarning")

# A model small enough to do by hand: one state that everyone stays in (so the counted membership is 1
# in every month under any cycle correction), two months, and per person per month:
#   programme delivery 10 (funded 60% ICB, 40% local authority), a one-off set-up of 5 in month 1,
#   volunteer time 1 (in kind), GP cost 4 -> 3 (NHS, capacity) and day care 2 -> 1.5 (social care, cash).
TINY = """
metadata: {{name: tiny, description: hand-worked budget impact}}
settings: {{cycle_length: month, n_cycles: 2, cycle_correction: trapezoid, discount_rate_costs: 0.035,
           discount_rate_outcomes: 0.035, reference_strategy: usual_care, price_year: "2023/24", currency: GBP, seed: 1}}
parameters:
  c_delivery: {{value: 10, source: "assumption: test"}}
  n_eligible: {{value: 1200, source: "assumption: test"}}
  share_a: {{value: 0.25, source: "assumption: test"}}
states: {{alive: {{label: Alive}}}}
transitions: {{alive: {{alive: 1}}}}
initial: {{alive: 1}}
strategies:
  usual_care: {{parameters: {{d: 0, s: 0, v: 0, gp: 4, dc: 2}}}}
  prog: {{parameters: {{d: c_delivery, s: 5, v: 1, gp: 3, dc: 1.5}}}}
  prog_b: {{parameters: {{d: 2 * c_delivery, s: 5, v: 1, gp: 3, dc: 1.5}}}}
values:
  delivery: {{kind: cost, category: delivery, sector: programme, states: {{alive: d}}}}
  set_up: {{kind: cost, category: delivery, sector: programme, states: {{alive: "where(cycle == 1, s, 0)"}}}}
  volunteer_time: {{kind: cost, category: volunteer_time, sector: voluntary, states: {{alive: v}}}}
  gp: {{kind: cost, category: primary_care, sector: nhs, states: {{alive: gp}}}}
  day_care: {{kind: cost, category: social_care, sector: pss, states: {{alive: dc}}}}
cost_offset:
  delivery: [delivery, set_up, volunteer_time]
  perspectives: [nhs_pss, public_sector, societal]
  sroi: {{deadweight: 0.2, attribution: 0.1, displacement: 0.0, drop_off: 0.0}}
budget:
  start: "2025-03"
  strategy: prog
  funding: {{icb: 0.6, local_authority: 0.4}}
  set_up: [set_up]
  saving_types: types.csv
{budget_extra}
"""
TYPES = "code,saving,source,status\ngp,capacity,assumption: test,assumption\nday_care,cash,assumption: test,assumption\n"
INTAKE = "  intake: {per: year, counts: [12, 24]}"
POOL = "  eligible: n_eligible\n  uptake: {per: year, shares: [0.01, 0.02]}"


def _tiny(tmp_path, budget_extra=INTAKE, **replace):
    text = TINY.format(budget_extra=budget_extra)
    for old, new in replace.items():
        text = text.replace(old, new)
    (tmp_path / "types.csv").write_text(TYPES, encoding="utf-8")
    path = tmp_path / "tiny.yaml"
    path.write_text(text, encoding="utf-8")
    return compile_path(path)


def _get(df, fy, payer, kind, part="total"):
    row = df[(df.financial_year == fy) & (df.payer == payer) & (df.kind == kind) & (df.part == part)]
    assert len(row) == 1, (fy, payer, kind, part)
    return row.iloc[0]


def test_hand_worked_three_year_example(tmp_path):
    """Intake 12 then 24 people a year (1 then 2 a month) from March 2025; two-month programme.

    Months m = 0 (Mar 2025, FY 2024/25), 1-12 (Apr 2025 - Mar 2026, FY 2025/26), 13-24 (FY 2026/27);
    referrals I_0..I_11 = 1, I_12..I_23 = 2. An amount a per person per month in both months gives
    a (I_m + I_{m-1}) in month m:
      FY 2024/25: a x 1;  FY 2025/26: a (11 x 2 + 3) = 25a;  FY 2026/27: a (11 x 4 + 2) = 46a.
    Delivery 10: 10, 250, 460 (total 720 = 36 people x 2 months x 10); ICB 60%: 6, 150, 276; LA 40%: 4, 100, 184.
    Set-up 5 per person, all 36 x 5 = 180 in the first month: ICB 108, LA 72 in FY 2024/25.
    GP saving 1 (ICB, capacity): 1, 25, 46. Day-care saving 0.5 (LA, cash): 0.5, 12.5, 23.
    Volunteer time 1 (voluntary provider, in kind): 1, 25, 46.
    Net cash cost: ICB 108 + 6 = 114, 150, 276; LA 72 + 4 - 0.5 = 75.5, 100 - 12.5 = 87.5, 184 - 23 = 161.
    Net cost (all costs and savings): 180 + 10 + 1 - 1 - 0.5 = 189.5; 250 + 25 - 25 - 12.5 = 237.5; 460 + 46 - 46 - 23 = 437.
    """
    c = _tiny(tmp_path)
    df = budget_impact(c, table=c.parameters.point_table())
    years = ["2024/25", "2025/26", "2026/27"]
    assert list(dict.fromkeys(df.financial_year)) == years
    expected = {
        ("icb", "cost", "running"): [6, 150, 276], ("local_authority", "cost", "running"): [4, 100, 184],
        ("total", "cost", "running"): [10, 250, 460],
        ("icb", "cost", "set-up"): [108, 0, 0], ("local_authority", "cost", "set-up"): [72, 0, 0],
        ("icb", "capacity saving", "total"): [1, 25, 46], ("local_authority", "cash saving", "total"): [0.5, 12.5, 23],
        ("voluntary_provider", "cost", "in kind"): [1, 25, 46],
        ("icb", "net cash cost", "total"): [114, 150, 276], ("local_authority", "net cash cost", "total"): [75.5, 87.5, 161],
        ("total", "net cash cost", "total"): [189.5, 237.5, 437], ("total", "net cost", "total"): [189.5, 237.5, 437],
        ("other_public", "net cost", "total"): [0, 0, 0], ("unpaid_carers", "net cost", "total"): [0, 0, 0],
    }
    for (payer, kind, part), values in expected.items():
        for fy, v in zip(years, values):
            row = _get(df, fy, payer, kind, part)
            assert row["mean"] == pytest.approx(v, rel=0, abs=1e-9), (payer, kind, part, fy)
            assert row["low"] == row["mean"] == row["high"]  # one draw: no spread
    # the same referrals from an eligible population (1,200) and uptake (1%, 2% a year)
    pooled = budget_impact(_tiny(tmp_path, POOL), table=c.parameters.point_table())
    pd.testing.assert_frame_equal(pooled, df)


def test_payers_sum_to_the_total_in_every_year():
    c = compile_path(DEFAULT)
    df = budget_impact(c, n_draws=40, seed=3)
    assert set(df.payer) == set(PAYERS) | {"total"}
    for _, rows in df.groupby(["strategy", "financial_year", "kind", "part"]):
        payers = rows[rows.payer != "total"]["mean"].sum()
        total = float(rows[rows.payer == "total"]["mean"].iloc[0])
        assert abs(payers - total) <= 1e-9  # GBP, absolute (the largest figures are about GBP 400,000)
    # bands: every yearly figure has low <= mean <= high, and the bands have width where there is uncertainty
    assert (df["low"] <= df["mean"] + 1e-9).all() and (df["mean"] <= df["high"] + 1e-9).all()
    net = df[(df.payer == "total") & (df.kind == "net cash cost") & (df.financial_year == "2025/26")].iloc[0]
    assert net["high"] - net["low"] > 1000
    # the other public bodies pay nothing for the programme and save through police and housing support
    other = df[(df.payer == "other_public") & (df.kind == "cash saving")]["mean"].sum() + \
        df[(df.payer == "other_public") & (df.kind == "capacity saving")]["mean"].sum()
    assert other > 0


def test_budget_total_matches_the_per_person_undiscounted_total(tmp_path):
    """Over all years, running + set-up cost = people referred x undiscounted delivery per person."""
    c = compile_path(DEFAULT)
    table = c.parameters.point_table()
    df = budget_impact(c, table=table)
    people = 20000 * (0.02 + 0.02 + 0.01)
    m = measures(c, evaluate(c, table), "nhs_pss", discounted=False)
    k = c.model.strategy_names.index("mixed")
    cost = df[(df.payer == "total") & (df.kind == "cost") & df.part.isin(["set-up", "running"])]["mean"].sum()
    assert cost == pytest.approx(m["delivery_cost"][0, k] * people, rel=1e-10)


def test_an_old_intake_schedule_still_works():
    """small_programme.yaml keeps an intake schedule (50 a year for three years) instead of eligible x uptake."""
    from econ.analysis.budget import budget_table
    from econ.analysis.budget_impact import monthly_referrals

    c = compile_path(SCENARIOS / "small_programme.yaml")
    table = c.parameters.point_table()
    np.testing.assert_array_equal(monthly_referrals(c, table)[0], np.repeat([50 / 12] * 3, 12))
    old = budget_table(c)
    assert old[old.perspective == "nhs_pss"].people_starting.sum() == pytest.approx(150, rel=1e-12)
    df = budget_impact(c, table=table)
    setup = df[(df.payer == "total") & (df.kind == "cost") & (df.part == "set-up")]["mean"]
    assert setup.iloc[0] > 0 and (setup.iloc[1:] == 0).all()  # set-up falls in the first year only


def test_setting_mix_weights_the_settings(tmp_path):
    """A setting mix of 25% 'prog' and 75% 'prog_b' (twice the delivery cost): running cost per month
    per person 0.25 x 10 + 0.75 x 20 = 17.5, so FY 2024/25 (one person, one month) costs 17.5."""
    extra = INTAKE + "\n  setting_mix: {prog: share_a, prog_b: 0.75}"
    c = _tiny(tmp_path, extra, **{"  strategy: prog\n": ""})
    df = budget_impact(c, table=c.parameters.point_table())
    assert set(df.strategy) == {"setting_mix"}
    assert _get(df, "2024/25", "total", "cost", "running")["mean"] == pytest.approx(17.5, abs=1e-12)
    assert _get(df, "2025/26", "total", "cost", "running")["mean"] == pytest.approx(17.5 * 25, abs=1e-9)
    bad = _tiny(tmp_path, INTAKE + "\n  setting_mix: {prog: share_a, prog_b: 0.5}", **{"  strategy: prog\n": ""})
    with pytest.raises(ScenarioError, match="shares must sum to 1"):
        budget_impact(bad, table=bad.parameters.point_table())


def test_intake_and_eligible_together_are_refused(tmp_path):
    c = _tiny(tmp_path, INTAKE + "\n" + POOL)
    with pytest.raises(ScenarioError, match="either 'intake' or 'eligible'"):
        budget_impact(c, table=c.parameters.point_table())


def test_a_cost_without_a_saving_type_is_named(tmp_path):
    c = _tiny(tmp_path)
    (tmp_path / "types.csv").write_text("code,saving,source,status\ngp,capacity,assumption: test,assumption\n",
                                        encoding="utf-8")
    with pytest.raises(ScenarioError, match="values.day_care: no saving type for 'day_care'"):
        budget_impact(c, table=c.parameters.point_table())


def test_per_setting_delivery_cost_is_the_hand_calculation_and_settings_are_independent():
    c = compile_path(DEFAULT)
    table = c.parameters.point_table()
    P = {k: float(np.asarray(v).ravel()[0]) for k, v in table.columns.items()}
    # online: platform + moderation + supervision + its own fixed costs over its own caseload
    fixed_online = P["c_fixed_year_online"] / (12 * P["n_caseload_online"])  # 40,000 / (12 x 1,500) = 2.22
    assert fixed_online == pytest.approx(40000 / 18000, rel=1e-15)
    online = (P["c_platform_pm"] + P["h_moderation_pm"] * P["c_psw_hour"]
              + P["h_supervision_pm_online"] * P["c_coordinator_hour"] + fixed_online)
    assert parameter_values(c, table, "c_online_pm")[0] == pytest.approx(online, rel=1e-14)
    group = ((P["h_facilitator_session"] * P["c_psw_hour"] + P["c_venue_session"]) * P["n_sessions_month"]
             / P["n_group_size"] + P["h_supervision_pm"] * P["c_coordinator_hour"]
             + P["c_fixed_year_group"] / (12 * P["n_caseload_group"]))
    assert parameter_values(c, table, "c_group_pm")[0] == pytest.approx(group, rel=1e-14)
    # doubling the online fixed cost changes online (and the mix that contains it) and nothing else
    base = evaluate(c, table)
    changed = evaluate(c, table.with_values(c_fixed_year_online=2 * P["c_fixed_year_online"]))
    j = base.outputs.index("delivery")
    for k, s in enumerate(base.strategies):
        same = base.totals[0, k, j] == changed.totals[0, k, j]
        assert same == (s not in ("online", "mixed")), s
    new_online = parameter_values(c, table.with_values(c_fixed_year_online=2 * P["c_fixed_year_online"]), "c_online_pm")
    assert new_online[0] - online == pytest.approx(fixed_online, rel=1e-12)


def test_never_attending_share_has_no_effect_and_costs_referral_only():
    """Intention to treat: with everyone never attending, the offset is 0 and the programme costs only the
    referral effort and the set-up share."""
    c = compile_path(DEFAULT)
    table = c.parameters.point_table().with_values(p_never_attend=1.0)
    m = measures(c, evaluate(c, table), "societal", discounted=False)
    k = c.model.strategy_names.index("group")
    P = {n: float(np.asarray(v).ravel()[0]) for n, v in table.columns.items()}
    referral = P["h_referral"] * P["c_coordinator_hour"]
    set_up = parameter_values(c, table, "c_setup_pp_group")[0]
    assert m["cost_offset"][0, k] == pytest.approx(0.0, abs=1e-9)
    assert m["delivery_cost"][0, k] == pytest.approx(referral + set_up, rel=1e-12)


def test_volunteer_time_counts_in_the_societal_perspective_only():
    c = compile_path(DEFAULT)
    ev = evaluate(c, c.parameters.point_table())
    k = c.model.strategy_names.index("group")
    j = ev.outputs.index("volunteer_time")
    volunteer = ev.totals[0, k, j]
    assert volunteer > 0
    nhs_pss = measures(c, ev, "nhs_pss")["delivery_cost"][0, k]
    public = measures(c, ev, "public_sector")["delivery_cost"][0, k]
    societal = measures(c, ev, "societal")["delivery_cost"][0, k]
    assert nhs_pss == public and societal == pytest.approx(nhs_pss + volunteer, rel=1e-12)


def test_public_sector_perspective_has_other_public_bodies_costs():
    c = compile_path(DEFAULT)
    h = headline(c)
    d = h[(h.discounting == "discounted") & (h.strategy == "group") & (h.measure == "cost_offset")]
    by = d.set_index("perspective").per_participant
    assert by["public_sector"] != by["nhs_pss"]
    assert "offset_other_public" in set(h[h.perspective == "public_sector"].measure)


def test_a_perspective_without_costs_of_its_own_is_not_printed(tmp_path):
    c = _tiny(tmp_path)
    text = headline_text(c, headline(c))
    assert "Public sector (NHS, social services, police and other public bodies): not shown" in text
    assert text.count("Savings per GBP 1 spent (benefit-cost ratio)") == 2  # nhs_pss and societal tables only


def test_bcr_net_roi_and_sroi_in_headline_csv(tmp_path):
    out = tmp_path / "run"
    assert main(["run", DEFAULT, "--out", str(out)]) == 0
    with open(out / "headline.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert "note" in rows[0]
    by = {(r["perspective"], r["discounting"], r["strategy"], r["measure"]): r for r in rows}
    for (p, d, s, m), r in by.items():
        if m != "bcr":
            continue
        bcr, net_roi = float(r["per_participant"]), float(by[(p, d, s, "net_roi")]["per_participant"])
        assert net_roi == bcr - 1.0  # exactly: net ROI is computed as BCR - 1
        cost, saving = (float(by[(p, d, s, k)]["per_participant"]) for k in ("delivery_cost", "cost_offset"))
        assert bcr == pytest.approx(saving / cost, rel=1e-12)
        assert net_roi == pytest.approx((saving - cost) / cost, rel=1e-12, abs=1e-15)
        # side_by_side: SROI attribution to others 0.1, no deadweight, displacement or drop-off
        assert float(by[(p, d, s, "sroi_ratio")]["per_participant"]) == pytest.approx(0.9 * bcr, rel=1e-12)
    # payback never reached: empty number and the word 'never' in the note column
    never = [r for r in rows if r["measure"] == "payback_month" and r["per_participant"] == ""]
    assert never and all(r["note"] == "never" for r in never)
    assert all(r["note"] == "" for r in rows if r["measure"] == "payback_month" and r["per_participant"] != "")


def test_sroi_ratio_by_hand_with_drop_off(tmp_path):
    """Tiny model over 24 months (two years): saving 1.5 a month, cost 10 + 5 (first month) + 1 in the
    societal view; deadweight 0.2, attribution 0.1, drop-off 0.5 in year 2:
    SROI = 1.5 x 0.8 x 0.9 x (12 + 0.5 x 12) / (24 x 11 + 5) = 19.44 / 269; BCR = 36 / 269."""
    c = _tiny(tmp_path, INTAKE, **{"n_cycles: 2": "n_cycles: 24", "drop_off: 0.0": "drop_off: 0.5"})
    m = measures(c, evaluate(c, c.parameters.point_table(), keep_cycles=True), "societal", discounted=False)
    k = c.model.strategy_names.index("prog")
    assert m["sroi_ratio"][0, k] == pytest.approx(19.44 / 269, rel=1e-12)
    assert m["bcr"][0, k] == pytest.approx(36 / 269, rel=1e-12)


def test_psa_reports_the_ratio_of_mean_savings_to_mean_cost():
    c = compile_path(DEFAULT)
    res = run_psa(c, n_draws=60, seed=2)
    po = summarize_offset(res)
    m = measures(c, res.evaluation, "nhs_pss")
    k = c.model.strategy_names.index("group")
    sel = po[(po.perspective == "nhs_pss") & (po.discounting == "discounted") & (po.strategy == "group")]
    v = sel.set_index("measure")["mean"]
    assert v["bcr_of_means"] == pytest.approx(m["cost_offset"][:, k].mean() / m["delivery_cost"][:, k].mean(),
                                              rel=1e-13)
    assert v["bcr"] == pytest.approx(np.mean(m["cost_offset"][:, k] / m["delivery_cost"][:, k]), rel=1e-13)
    assert v["net_roi_of_means"] == v["bcr_of_means"] - 1.0


def test_budget_command_writes_budget_csv(tmp_path, capsys):
    out = tmp_path / "b"
    assert main(["budget", DEFAULT, "--draws", "20", "--out", str(out)]) == 0
    text = capsys.readouterr().out
    assert "Budget impact by financial year" in text and "Net cash cost by payer" in text
    df = pd.read_csv(out / "budget.csv")
    assert list(df.columns[:1]) == ["strategy"]
    assert {"financial_year", "payer", "kind", "mean", "low", "high"} <= set(df.columns)
    assert set(df.kind) == {"cost", "cash saving", "capacity saving", "net cash cost", "net cost"}
    assert (out / "budget_by_perspective.csv").is_file()


def test_other_public_services_leave_the_other_synthetic_rows_unchanged(monkeypatch):
    """The police and housing services come from their own random stream: without them, every other
    service's quantities and the informal-care hours are bit-identical."""
    path = Path(__file__).resolve().parents[1] / "scripts" / "make_synthetic_data.py"
    spec = importlib.util.spec_from_file_location("make_synthetic_data", path)
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    persons, use, hours = gen.generate()
    monkeypatch.setattr(gen, "OTHER_PUBLIC_SERVICES", ())
    persons0, use0, hours0 = gen.generate()
    k = len(gen.SERVICES)
    assert use.shape[2] == k + 2 and use0.shape[2] == k
    assert np.array_equal(use[:, :, :k], use0) and np.array_equal(hours, hours0)
    assert (use[:, :, k:].sum(axis=1) > 0).all()  # both new services are used in both periods
