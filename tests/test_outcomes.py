"""Wellbeing (SWEMWBS), QALYs and WELLBYs in the default scenario (issue 14).

Closed forms: the QALY gain is u_per_swemwbs x the SWEMWBS point-years gained, the WELLBYs
ls_per_swemwbs x the same, the WELLBY value v_wellby x the WELLBYs (all four are accrued in the same
states with the same discounting, so the identities hold to rounding); a zero SWEMWBS change gives a
zero gain; the gain is linear in the mapping slope and in the change. The data statistics are checked
against plain means of the persons file and the bootstrap against a resample rebuilt from its seed.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from econ.core.errors import DataError, ScenarioError
from econ.inputs.outcome_values import load_outcome_values
from econ.inputs.service_use import SWEMWBS, bootstrap_summary, load_service_use, summarize_swemwbs
from econ.model.evaluate import evaluate

from .conftest import SCENARIOS

DATA = SCENARIOS / "data"
EFFECT_STATES = ("sw_effect_group", "sw_effect_121", "sw_effect_online")
PEER = ("group", "one_to_one", "online", "mixed")


def _gains(compiled, table, value: str) -> np.ndarray:
    """Gain of ``value`` against usual care per strategy (discounted), shape (draws, strategies)."""
    ev = evaluate(compiled, table)
    tot = ev.output(value)
    return tot - tot[:, [ev.strategies.index("usual_care")]]


@pytest.fixture(scope="module")
def swemwbs_data():
    return load_service_use(DATA / "SYNTHETIC_service_use.csv", persons_path=DATA / "SYNTHETIC_persons.csv")


# --- the mapping -------------------------------------------------------------------------------
def test_zero_swemwbs_change_gives_zero_qaly_gain(peer):
    table = peer.parameters.point_table().with_values(**{name: 0.0 for name in EFFECT_STATES})
    for value in ("qalys", "swemwbs_points", "wellbys", "wellby_value"):
        gain = _gains(peer, table, value)
        assert np.abs(gain).max() <= 1e-12, (value, gain)
    base = _gains(peer, peer.parameters.point_table(), "qalys")
    assert (base[0, 1:] > 1e-3).all()  # and the base case does gain (online about 0.007): the test can fail


def test_doubling_the_mapping_slope_doubles_the_qaly_gain(peer):
    point = peer.parameters.point_table()
    slope = float(point.columns["u_per_swemwbs"][0])
    once = _gains(peer, point, "qalys")
    twice = _gains(peer, point.with_values(u_per_swemwbs=2 * slope), "qalys")
    np.testing.assert_allclose(twice, 2 * once, rtol=1e-12, atol=1e-15)
    # the level (intercept) moves every strategy alike and leaves the gain alone
    shifted = _gains(peer, point.with_values(u_intercept=0.5), "qalys")
    np.testing.assert_allclose(shifted, once, rtol=1e-9, atol=1e-13)


@pytest.mark.parametrize("k", [0.5, 3.0, -1.0])
def test_the_gain_is_linear_in_the_swemwbs_change(peer, k):
    point = peer.parameters.point_table()
    scaled = point.with_values(**{n: k * float(point.columns[n][0]) for n in EFFECT_STATES})
    np.testing.assert_allclose(_gains(peer, scaled, "qalys"), k * _gains(peer, point, "qalys"), rtol=1e-10,
                               atol=1e-14)


def test_qalys_wellbys_and_their_value_follow_the_swemwbs_gain_in_closed_form(peer):
    point = peer.parameters.point_table()
    col = {n: float(point.columns[n][0]) for n in ("u_per_swemwbs", "ls_per_swemwbs", "v_wellby")}
    points = _gains(peer, point, "swemwbs_points")
    np.testing.assert_allclose(_gains(peer, point, "qalys"), col["u_per_swemwbs"] * points, rtol=1e-10, atol=1e-14)
    wellbys = _gains(peer, point, "wellbys")
    np.testing.assert_allclose(wellbys, col["ls_per_swemwbs"] * points, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(_gains(peer, point, "wellby_value"), col["v_wellby"] * wellbys, rtol=1e-12)
    assert col["v_wellby"] == 13_000.0  # Green Book, 2019 prices, not re-based


def test_swemwbs_point_years_match_a_plain_loop_over_the_trace(peer):
    """SWEMWBS point-years of group support: g x persistence x years in the effect states, trapezoid,
    discounted; persistence 1 inside the 6-month window, then halving every effect_half_life months
    (at the middle of the part of the cycle beyond the window), as for the savings."""
    from econ.analysis.base_case import run

    res = run(peer)
    st = peer.loaded.spec.settings
    e = peer.loaded.spec.effect
    assert st.cycle_length == "month" and e.persistence == "decay"
    point = peer.parameters.point_table()
    g = float(point.columns["attribution"][0]) * float(point.columns["sw_effect_group"][0])
    half_life, window = float(point.columns[e.half_life_months][0]), float(e.follow_up_months)
    trace = res.trace[res.trace.strategy == "group"].pivot(index="cycle", columns="state", values="share")
    on = trace[["engaged", "tapering", "maintained"]].sum(axis=1).to_numpy()
    dt = 1.0 / 12.0
    total = 0.0
    for t in range(1, st.n_cycles + 1):
        inside = min(max(window - (t - 1), 0.0), 1.0)
        middle = (max(t - 1.0, window) + t) / 2.0
        persistence = inside + (1.0 - inside) * 0.5 ** ((middle - window) / half_life)
        total += 0.5 * (on[t - 1] + on[t]) * g * persistence * dt / (1 + st.discount_rate_outcomes) ** (t * dt)
    assert res.summary.loc["group", "swemwbs_points"] == pytest.approx(total, rel=1e-12)


# --- the data --------------------------------------------------------------------------------------
def test_swemwbs_statistics_are_the_means_of_the_persons_file(peer, swemwbs_data):
    persons = pd.read_csv(DATA / "SYNTHETIC_persons.csv")
    setting = swemwbs_data.persons.set_index("person_id")["setting"]
    persons["setting"] = persons.person_id.map(setting)
    assert peer.parameters["sw_baseline"].point == pytest.approx(persons.swemwbs_baseline.mean(), rel=1e-14)
    change = persons.swemwbs_followup - persons.swemwbs_baseline
    table = summarize_swemwbs(swemwbs_data, by="setting").set_index("setting")
    assert table.loc["group", "change"] == pytest.approx(change[persons.setting == "group"].mean(), rel=1e-13)
    assert persons.swemwbs_baseline.between(7, 35).all() and persons.swemwbs_followup.between(7, 35).all()


def _persons_by_setting(swemwbs_data) -> pd.DataFrame:
    persons = pd.read_csv(DATA / "SYNTHETIC_persons.csv")
    persons["setting"] = persons.person_id.map(swemwbs_data.persons.set_index("person_id")["setting"])
    return persons


def test_swemwbs_effect_under_pre_post_is_the_change(peer_pre_post, swemwbs_data):
    persons = _persons_by_setting(swemwbs_data)
    change = persons.swemwbs_followup - persons.swemwbs_baseline
    for name, s in zip(EFFECT_STATES, ("group", "one_to_one", "online")):
        assert peer_pre_post.parameters[name].point == pytest.approx(change[persons.setting == s].mean(), rel=1e-13)


def test_swemwbs_effect_under_rtm_adjusted_is_the_closed_form(peer, swemwbs_data):
    """effect = change + (1 - rho) (baseline - population mean), Barnett et al. 2005, with SWEMWBS's own
    rho and the population mean = ratio x the baseline mean of everyone; at the point values and in every
    bootstrap replicate (rho and ratio drawn once per replicate)."""
    persons = _persons_by_setting(swemwbs_data)
    assert peer.loaded.spec.effect.estimator == "rtm_adjusted"
    rho, ratio = peer.parameters["rho_swemwbs"].point, peer.parameters["swemwbs_population_ratio"].point
    assert 0 < rho < 1 and ratio > 1  # people join below the population's wellbeing
    mu = ratio * persons.swemwbs_baseline.mean()
    for name, s in zip(EFFECT_STATES, ("group", "one_to_one", "online")):
        group = persons[persons.setting == s]
        b, f = group.swemwbs_baseline.mean(), group.swemwbs_followup.mean()
        expected = (f - b) + (1 - rho) * (b - mu)
        assert peer.parameters[name].point == pytest.approx(expected, rel=1e-12)
        assert expected < f - b  # the recovery expected anyway is not counted as the effect
    boot = peer.context._bootstrap
    sw = boot[(boot.service == SWEMWBS)]
    rhos = peer.parameters["rho_swemwbs"].distribution.replicates
    ratios = peer.parameters["swemwbs_population_ratio"].distribution.replicates
    group = sw[sw.setting == "group"].sort_values("replicate")
    # the population base is the pooled baseline of everyone in each replicate's data: the full data's mean
    expected = (group.followup - group.baseline).to_numpy() + (1 - rhos) * (
        group.baseline.to_numpy() - ratios * persons.swemwbs_baseline.mean())
    np.testing.assert_allclose(peer.parameters["sw_effect_group"].distribution.replicates, expected, rtol=1e-10)


def test_swemwbs_under_rtm_adjusted_needs_its_own_rho_and_ratio():
    from econ.model.run import compile_path

    with pytest.raises(ScenarioError, match="SWEMWBS's own rho and population ratio") as info:
        compile_path(SCENARIOS / "side_by_side.yaml", overrides=["effect.population_ratio_by_service={}"])
    assert "parameters.sw_effect_group.service_use" in str(info.value)


def test_swemwbs_is_bootstrapped_in_the_same_resample_as_service_use(swemwbs_data):
    with_sw = bootstrap_summary(swemwbs_data, n_boot=40, rng=np.random.default_rng(5), include_swemwbs=True)
    without = bootstrap_summary(swemwbs_data, n_boot=40, rng=np.random.default_rng(5))
    kept = with_sw[with_sw.service != SWEMWBS].reset_index(drop=True)
    pd.testing.assert_frame_equal(kept, without, check_exact=True)  # adding SWEMWBS moves no other replicate
    # rebuild the resample from the seed: one group, so the draws are rng.integers(0, n, (40, n))
    n = swemwbs_data.n_persons
    draws = np.random.default_rng(5).integers(0, n, size=(40, n))
    sw = with_sw[with_sw.service == SWEMWBS].set_index("replicate")
    gp = with_sw[with_sw.service == "gp_surgery"].set_index("replicate")
    k = swemwbs_data.services.index("gp_surgery")
    np.testing.assert_allclose(sw.baseline.to_numpy(), swemwbs_data.swemwbs[0][draws].mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sw.followup.to_numpy(), swemwbs_data.swemwbs[1][draws].mean(axis=1), rtol=1e-12)
    np.testing.assert_allclose(gp.baseline.to_numpy(), swemwbs_data.monthly_use[0, :, k][draws].mean(axis=1),
                               rtol=1e-12)


def test_psa_draws_swemwbs_and_service_use_from_one_replicate(peer):
    from econ.analysis.psa import run_psa

    result = run_psa(peer, n_draws=60, seed=3)
    sw = peer.parameters["sw_effect_group"].distribution.replicates
    red = peer.parameters["r_gp_surgery_group"].distribution.replicates
    for a, b in zip(result.table.columns["sw_effect_group"], result.table.columns["r_gp_surgery_group"]):
        assert b in set(red[sw == a])


@pytest.mark.parametrize("row, message", [
    ("SYN-0001,36,20", "SWEMWBS score from 7 to 35"),
    ("SYN-0001,20.5,20", "whole number"),
    ("SYN-9999,20,20", "not in the service-use file"),
])
def test_a_bad_persons_file_is_named(tmp_path, row, message):
    path = tmp_path / "persons.csv"
    lines = (DATA / "SYNTHETIC_persons.csv").read_text().splitlines()
    path.write_text("\n".join(lines[:1] + [row] + lines[2:]) + "\n")
    with pytest.raises(DataError, match=message) as info:
        load_service_use(DATA / "SYNTHETIC_service_use.csv", persons_path=path)
    assert "persons.csv" in str(info.value) and ":2" in str(info.value)


def test_a_person_missing_from_the_persons_file_is_named(tmp_path):
    path = tmp_path / "persons.csv"
    lines = (DATA / "SYNTHETIC_persons.csv").read_text().splitlines()
    path.write_text("\n".join(lines[:1] + lines[2:]) + "\n")
    with pytest.raises(DataError, match="1 person.*SYN-0001"):
        load_service_use(DATA / "SYNTHETIC_service_use.csv", persons_path=path)


def test_swemwbs_statistic_without_a_persons_file_is_a_located_error(write_scenario):
    path = write_scenario(f"""
metadata: {{name: t}}
settings: {{price_year: "2023/24"}}
data:
  service_use: {DATA / 'SYNTHETIC_service_use.csv'}
parameters:
  sw: {{service_use: {{service: swemwbs, statistic: change}}}}
states: {{a: {{}}}}
transitions: {{a: {{a: 1}}}}
initial: {{a: 1}}
strategies: {{s: {{}}}}
values: {{v: {{kind: outcome, states: {{a: sw}}}}}}
""")
    from econ.model.run import compile_path

    with pytest.raises(ScenarioError, match="data.persons") as info:
        compile_path(path)
    assert "parameters.sw.service_use.service" in str(info.value)


# --- the WELLBY value ------------------------------------------------------------------------------
def test_the_wellby_value_carries_its_source_and_price_year(peer):
    row = load_outcome_values().get("wellby")
    assert row.value == 13_000 and row.price_year == "2019" and row.index == "none" and row.status == "published"
    assert "Green Book" in row.source
    p = peer.parameters["v_wellby"]
    assert p.point == 13_000 and "2019" in p.unit and "not re-based" in p.source


def test_an_outcome_value_with_an_index_is_rebased(tmp_path):
    from econ.inputs.inflation import load_indices

    path = tmp_path / "values.csv"
    path.write_text("code,description,unit,value,price_year,index,source,status\n"
                    "thing,a thing,unit,100,2019/20,nhscii,assumption: test,assumption\n")
    indices = load_indices()
    value, year = load_outcome_values(path).get("thing").value_at("2023/24", indices)
    assert year == "2023/24"
    assert value == pytest.approx(100 * indices["nhscii"].factor("2019/20", "2023/24"), rel=1e-14)


@pytest.mark.parametrize("row, message", [
    ("Bad Code,a,u,1,2019,none,s,published", "snake_case"),
    ("x,a,u,-1,2019,none,s,published", "value"),
    ("x,a,u,1,2019,nhscii,s,published", "calendar price year"),
    ("x,a,u,1,19,none,s,published", "financial year"),
    ("x,a,u,1,2019,gdp,s,published", "index"),
])
def test_a_bad_outcome_value_row_is_named(tmp_path, row, message):
    path = tmp_path / "values.csv"
    path.write_text("code,description,unit,value,price_year,index,source,status\n" + row + "\n")
    with pytest.raises(DataError, match=message) as info:
        load_outcome_values(path)
    assert "values.csv:2" in str(info.value)


# --- what the commands show ---------------------------------------------------------------------
def test_run_prints_qalys_cost_per_qaly_and_nmb_per_strategy(tmp_path, capsys):
    from econ.cli.main import main

    out = tmp_path / "run"
    assert main(["run", str(SCENARIOS / "side_by_side.yaml"), "--out", str(out)]) == 0
    text = capsys.readouterr().out
    for label in ("QALYs gained", "Net cost per QALY gained", "Net monetary benefit at GBP 20,000 per QALY",
                  "Net monetary benefit at GBP 30,000 per QALY", "SWEMWBS point-years gained",
                  "Net cost per SWEMWBS point-year gained", "WELLBYs gained", "Cost-effectiveness", "NMB at 30,000"):
        assert label in text, label
    head = pd.read_csv(out / "headline.csv")
    sel = head[(head.perspective == "nhs_pss") & (head.discounting == "discounted")].set_index(["strategy", "measure"])
    for s in PEER:
        gain = sel.loc[(s, "gain_qalys"), "per_participant"]
        net = sel.loc[(s, "net_cost"), "per_participant"]
        assert sel.loc[(s, "cost_per_qalys"), "per_participant"] == pytest.approx(net / gain, rel=1e-12)
        assert sel.loc[(s, "nmb_20000"), "per_participant"] == pytest.approx(20_000 * gain - net, rel=1e-12)
    front = pd.read_csv(out / "frontier.csv", keep_default_na=False)
    assert sorted(front.strategy) == sorted(("usual_care",) + PEER)


def test_psa_writes_acceptability_and_evpi_for_the_default_scenario(tmp_path, capsys):
    from econ.cli.main import main

    out = tmp_path / "psa"
    assert main(["psa", str(SCENARIOS / "side_by_side.yaml"), "--draws", "100", "--seed", "2",
                 "--out", str(out)]) == 0
    capsys.readouterr()
    acc = pd.read_csv(out / "acceptability.csv")
    evpi = pd.read_csv(out / "evpi.csv")
    assert set(acc.strategy) <= {"usual_care", *PEER} and set(acc.curve) == {"ceac", "ceaf"}
    sums = acc[acc.curve == "ceac"].groupby("wtp").prob_optimal.sum()
    np.testing.assert_allclose(sums.to_numpy(), 1.0, rtol=1e-12)
    assert (evpi.evpi_per_person >= -1e-9).all() and len(evpi) == acc.wtp.nunique()


def test_report_tables_and_html_cards_carry_the_outcomes(peer):
    import econ
    from econ.report import html as H
    from econ.report import tables as T

    head = econ.headline(peer)
    ctx = T.context_for(peer)
    table = T.headline_table(head, ctx)
    labels = set(table.frame.measure)
    for label in ("QALYs gained", "Net cost per QALY gained (GBP)", "Net cost per SWEMWBS point-year gained (GBP)",
                  "Net monetary benefit at GBP 20,000 per QALY (GBP)", "Value of WELLBYs gained (GBP 2019 prices)"):
        assert label in labels, (label, labels)
    cards = H.offset_findings(head, ctx, perspective="nhs_pss")
    facts = dict(cards[0].facts)
    assert "Net cost per QALY gained" in facts and "SWEMWBS point-years gained" in facts


def test_report_frontier_and_cost_consequence_tables(peer):
    from econ.analysis.base_case import run
    from econ.report import tables as T

    res = run(peer, keep_cycles=False, keep_trace=False)
    ctx = T.context_for(peer)
    front = T.frontier_table(res.frontier, res.net_benefit(), ctx, cost="total_cost", effect="qalys")
    headers = [c.label for c in front.columns]
    assert "QALYs" in headers and "NMB at 20,000 per QALY (GBP)" in headers and "ICER, extra cost per QALY (GBP)" in headers
    assert len(front.frame) == len(peer.model.strategies)
    cc = T.cost_consequence_table(res.cost_consequence, ctx)
    labels = [c.label for c in cc.columns]
    assert "SWEMWBS point-years" in labels and "SWEMWBS point-years: difference from usual care" in labels
    assert "Total cost (GBP)" in labels and "Value of WELLBYs (GBP 2019 prices)" in labels
    text = T.render_markdown(cc)
    assert "SWEMWBS point-years" in text and "Group peer support" in text


def test_data_summary_shows_swemwbs_like_service_use(capsys, swemwbs_data):
    from econ.cli.main import main

    assert main(["data", "summary", str(DATA / "SYNTHETIC_service_use.csv"), "--by", "setting"]) == 0
    text = capsys.readouterr().out
    assert "SWEMWBS" in text and "SYNTHETIC_persons.csv" in text
    table = summarize_swemwbs(swemwbs_data, by="setting").set_index("setting")
    assert f"{table.loc['group', 'change']:.2f}" in text and f"{table.loc['online', 'baseline']:.2f}" in text
