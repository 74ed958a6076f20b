"""Probabilistic sensitivity analysis: reproducibility, chunk invariance, DMHEE HIV PSA, decision measures."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from econ.analysis import psa
from econ.analysis.offset import measures
from econ.model.run import compile_path
from econ.core.errors import ScenarioError
from econ.model.evaluate import evaluate
from econ.uncertainty.sampling import DesignError

from .conftest import SCENARIOS

HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
DEFAULT = SCENARIOS / "side_by_side.yaml"


@pytest.fixture(scope="module")
def hiv_big(hiv):
    """The DMHEE HIV PSA at N = 100,000 (validation.md section 1), shared by several tests."""
    return psa.run_psa(hiv, n_draws=100_000, seed=20061)


@pytest.fixture(scope="module")
def peer_psa(peer):
    return psa.run_psa(peer, n_draws=2_000, seed=7)


def _tables_equal(a: dict, b: dict) -> None:
    assert a.keys() == b.keys()
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True)


# --------------------------------------------------------------------------------------------
def test_same_seed_gives_identical_tables(hiv):
    a = psa.run_psa(hiv, n_draws=2_000, seed=11)
    b = psa.run_psa(hiv, n_draws=2_000, seed=11)
    for col in a.table.columns:
        assert np.array_equal(a.table.columns[col], b.table.columns[col])
    _tables_equal(psa.psa_tables(a), psa.psa_tables(b))
    c = psa.run_psa(hiv, n_draws=2_000, seed=12)
    assert not np.array_equal(a.evaluation.totals, c.evaluation.totals)


def test_seed_defaults_to_the_scenario_seed(hiv):
    a = psa.run_psa(hiv, n_draws=500)
    b = psa.run_psa(hiv, n_draws=500, seed=hiv.loaded.spec.settings.seed)
    assert a.seed == hiv.loaded.spec.settings.seed == 20061
    assert np.array_equal(a.evaluation.totals, b.evaluation.totals)


@pytest.mark.parametrize("path", [HIV, DEFAULT], ids=["hiv", "side_by_side"])
def test_chunk_size_does_not_change_results(path, hiv, peer):
    compiled = hiv if path == HIV else peer
    a = psa.run_psa(compiled, n_draws=5_000, seed=3, chunk_draws=1_000)
    b = psa.run_psa(compiled, n_draws=5_000, seed=3, chunk_draws=100_000)
    assert np.array_equal(a.evaluation.totals, b.evaluation.totals)
    assert np.array_equal(a.evaluation.totals_undiscounted, b.evaluation.totals_undiscounted)
    assert np.array_equal(a.outputs.to_numpy(), b.outputs.to_numpy())
    _tables_equal(psa.psa_tables(a), psa.psa_tables(b))


def test_progress_reports_every_draw(hiv):
    seen = []
    psa.run_psa(hiv, n_draws=2_500, chunk_draws=1_000, progress=seen.append)
    assert seen == [1_000, 1_000, 500]


# --------------------------------------------------------------------------------------------
# Reference means of the DMHEE HIV PSA (validation.md section 1, from hesim's vignette with N = 100,000):
# rounded to whole pounds and to 0.001 life-years.
REFERENCE_MEANS = {"mono": (44_755.0, 8.003), "comb": (50_648.0, 8.935)}


def test_hiv_psa_means_match_reference_within_monte_carlo_error(hiv_big):
    """Both our means and the reference are Monte Carlo estimates from N = 100,000 independent draws
    of the same model (another generator), so their difference has standard error sqrt(2) MCSE. We
    accept |ours - reference| <= 3 sqrt(2) MCSE + half a unit of the reference's last printed digit
    (it is rounded): a correct implementation fails this less than 0.3% of the time, while an error
    in any distribution (e.g. Dirichlet rows, the log-RR scale, gamma with SD = mean) moves the
    means by many MCSE. The reference values are rounded and carry their own sampling error, so no
    tighter comparison is meaningful."""
    s = psa.summarize(hiv_big)
    s = s[(s.basis == "absolute") & (s.discounting == "discounted")].set_index(["strategy", "output"])
    for strategy, (cost, ly) in REFERENCE_MEANS.items():
        for output, ref, half_unit in (("total_cost", cost, 0.5), ("ly", ly, 0.0005)):
            row = s.loc[(strategy, output)]
            tol = 3 * np.sqrt(2) * row["mcse"] + half_unit
            assert abs(row["mean"] - ref) <= tol, (strategy, output, row["mean"], ref, tol)


def test_hiv_psa_draws_follow_the_stated_distributions(hiv_big):
    t = hiv_big.table.columns
    # Dirichlet rows sum to 1 and have mean count / total.
    row = t["tA_A"] + t["tA_B"] + t["tA_C"] + t["tA_D"]
    assert np.allclose(row, 1.0, atol=1e-12)
    assert t["tA_B"].mean() == pytest.approx(350 / 1734, abs=5 * np.sqrt(350 / 1734 * (1 - 350 / 1734) / 1735
                                                                         / 100_000))
    # log RR ~ Normal(log 0.509, 0.170); 5 SE tolerance (SE of a mean: 0.170 / sqrt(N)).
    assert np.log(t["rr_comb"]).mean() == pytest.approx(np.log(0.509), abs=5 * 0.17 / np.sqrt(100_000))
    assert np.log(t["rr_comb"]).std() == pytest.approx(0.170, rel=0.02)
    # gamma with SD = mean: coefficient of variation 1 (tolerance: 4% for a heavy-tailed SD estimate).
    assert t["c_dmed_C"].std() / t["c_dmed_C"].mean() == pytest.approx(1.0, rel=0.04)
    # drug costs fixed
    assert np.all(t["c_zido"] == 2278) and np.all(t["c_lam"] == 2086.5)


def test_summary_agrees_with_numpy(hiv_big):
    ev = hiv_big.evaluation
    s = psa.summarize(hiv_big).set_index(["strategy", "output", "basis", "discounting"])
    cost = ev.output("total_cost")
    row = s.loc[("comb", "total_cost", "absolute", "discounted")]
    assert row["mean"] == pytest.approx(cost[:, 1].mean(), rel=1e-12)
    assert row["sd"] == pytest.approx(cost[:, 1].std(ddof=1), rel=1e-12)
    assert row["p97.5"] == pytest.approx(np.percentile(cost[:, 1], 97.5), rel=1e-12)
    inc = s.loc[("comb", "ly", "incremental", "undiscounted")]
    ly = ev.output("ly", discounted=False)
    assert inc["mean"] == pytest.approx((ly[:, 1] - ly[:, 0]).mean(), rel=1e-12)
    assert ("mono", "ly", "incremental", "discounted") not in s.index


# --------------------------------------------------------------------------------------------
def _plain_evpi(cost: np.ndarray, effect: np.ndarray, lam: float) -> float:
    n, k = cost.shape
    best_each = 0.0
    totals = [0.0] * k
    for i in range(n):
        nmb = [lam * effect[i, s] - cost[i, s] for s in range(k)]
        best_each += max(nmb)
        for s in range(k):
            totals[s] += nmb[s]
    return best_each / n - max(t / n for t in totals)


def test_evpi_is_non_negative_and_equals_a_plain_loop(hiv):
    res = psa.run_psa(hiv, n_draws=3_000, seed=5)
    wtp = [0.0, 5_000.0, 6_300.0, 8_000.0, 50_000.0]
    table = psa.evpi(res, wtp, population=1_000)
    assert (table.evpi_per_person >= 0).all()
    cost, effect = res.evaluation.output("total_cost"), res.evaluation.output("ly")
    for lam, value in zip(wtp, table.evpi_per_person):
        # the loop sums in another order: agree to rounding of sums of ~1e8 (rel 1e-9)
        assert value == pytest.approx(_plain_evpi(cost, effect, lam), rel=1e-9, abs=1e-6)
    assert np.allclose(table.evpi_population, 1_000 * table.evpi_per_person)
    # near the ICER the decision is uncertain, so information is worth most there
    assert table.evpi_per_person.iloc[2] > table.evpi_per_person.iloc[0]


def test_evpi_is_exactly_zero_when_one_strategy_always_wins():
    # With the relative risk fixed below 1 combination gains life-years in every draw, so at 10^7 per
    # life-year it has the higher NMB in every draw: perfect information changes no decision.
    res = psa.run_psa(compile_path(HIV, overrides=["rr_comb=0.509"]), n_draws=2_000)
    assert (psa.ce_plane(res).inc_effect > 0).all()
    table = psa.evpi(res, [1e7])
    assert table.evpi_per_person.iloc[0] == 0.0
    assert np.isnan(table.population.iloc[0])  # no population parameter, none given


def test_acceptability_probabilities_sum_to_one(hiv_big):
    ceac = psa.acceptability(hiv_big)
    sums = ceac.groupby("wtp").prob_optimal.sum()
    assert np.allclose(sums, 1.0, rtol=0, atol=1e-12)
    assert len(sums) == len(psa.DEFAULT_WTP)
    assert (ceac.groupby("wtp").on_frontier.sum() == 1).all()
    at = ceac.set_index(["wtp", "strategy"])
    assert at.loc[(0.0, "mono"), "prob_optimal"] > 0.99  # cheaper, and nothing is paid for effect
    assert at.loc[(100_000.0, "comb"), "prob_optimal"] > 0.99
    # the frontier switches at the PSA ICER (about 6,300 per life-year)
    icer = psa.summarize_icer(hiv_big).icer.iloc[0]
    frontier = ceac[ceac.on_frontier]
    assert set(frontier[frontier.wtp < icer].strategy) == {"mono"}
    assert set(frontier[frontier.wtp > icer].strategy) == {"comb"}


def test_ce_plane_and_icer(hiv_big):
    plane = psa.ce_plane(hiv_big)
    assert list(plane.columns) == ["draw", "strategy", "inc_effect", "inc_cost"]
    assert len(plane) == 100_000 and set(plane.strategy) == {"comb"}
    icer = psa.summarize_icer(hiv_big).iloc[0]
    assert icer["icer"] == pytest.approx(plane.inc_cost.mean() / plane.inc_effect.mean(), rel=1e-12)
    out = psa.summarize_outputs(psa.run_psa(compile_path(HIV), n_draws=1_000, outputs=["icer:comb"]))
    assert np.isnan(out.sd.iloc[0]) and np.isfinite(out["mean"].iloc[0])


def test_icer_tables_need_an_icer_block():
    from econ.model.run import compile_path

    res = psa.run_psa(compile_path(SCENARIOS / "validation" / "ishigami.yaml"), n_draws=20, seed=1)
    with pytest.raises(ScenarioError, match="need an 'icer' block"):
        psa.acceptability(res)
    assert "ceac" not in psa.psa_tables(res)


def test_the_default_scenario_has_the_icer_tables(peer_psa):
    tables = psa.psa_tables(peer_psa)
    assert {"psa_icer", "ce_plane", "ceac", "evpi"} <= tables.keys()
    assert set(tables["psa_icer"].strategy) == {"group", "one_to_one", "online", "mixed"}


# --------------------------------------------------------------------------------------------
def test_cost_offset_summaries(peer_psa, peer):
    tables = psa.psa_tables(peer_psa)
    assert {"psa_offset", "cost_saving"} <= tables.keys()
    persp = peer.loaded.spec.cost_offset.perspectives[0]
    net = measures(peer, peer_psa.evaluation, persp)["net_cost"]
    k = peer_psa.evaluation.strategies.index("group")
    cs = tables["cost_saving"].set_index(["perspective", "discounting", "strategy"])
    assert cs.loc[(persp, "discounted", "group"), "prob_cost_saving"] == np.mean(net[:, k] < 0)
    # the default output net_cost:group is the first perspective's net cost
    assert cs.loc[(persp, "discounted", "group"), "prob_cost_saving"] == np.mean(peer_psa.outputs["net_cost:group"] < 0)
    # with a positive delivery cost, ROI > 1 exactly when the net cost is negative
    assert (cs.prob_cost_saving == cs.prob_roi_above_1).all()
    off = tables["psa_offset"].set_index(["perspective", "discounting", "strategy", "measure"])
    row = off.loc[(persp, "discounted", "group", "net_cost")]
    assert row["mean"] == pytest.approx(net[:, k].mean(), rel=1e-12)
    pop = peer_psa.table.columns[peer.loaded.spec.cost_offset.population]
    assert row["population_mean"] == pytest.approx(np.mean(net[:, k] * pop), rel=1e-12)
    assert set(off.index.get_level_values("perspective")) == set(peer.loaded.spec.cost_offset.perspectives)


def test_convergence_ends_at_the_full_run(peer_psa):
    conv = psa.convergence(peer_psa, checkpoints=[100, 1_000])
    assert sorted(set(conv.n_draws)) == [100, 1_000, 2_000]
    last = conv[conv.n_draws == 2_000].set_index("output")
    out = psa.summarize_outputs(peer_psa).set_index("output")
    assert np.allclose(last["mean"], out.loc[last.index, "mean"], rtol=1e-12)
    assert np.allclose(last["mcse"], out.loc[last.index, "mcse"], rtol=1e-12)
    assert (last["change"] == 0).all()
    first = conv[conv.n_draws == 100].set_index("output")
    assert (first.mcse > last.mcse).all()  # 20x the draws: about 4.5x smaller


def test_draws_frame_has_uncertain_parameters_and_outputs(peer_psa, peer):
    frame = psa.draws_frame(peer_psa)
    assert len(frame) == 2_000 and frame.index.name == "draw"
    assert "smr" in frame.columns and "net_cost:group" in frame.columns
    assert "n_participants" not in frame.columns  # fixed in the PSA


def test_methods_and_sobol_size(hiv):
    lhs = psa.run_psa(hiv, n_draws=1_000, method="latin_hypercube")
    assert lhs.method == "latin_hypercube"
    # Latin hypercube: each of the 1,000 strata of rr_comb's distribution holds exactly one draw
    u = stats.norm.cdf((np.log(lhs.table.columns["rr_comb"]) - np.log(0.509)) / 0.170)
    assert np.array_equal(np.sort(np.floor(u * 1_000)), np.arange(1_000))
    assert psa.run_psa(hiv, n_draws=1_024, method="sobol").n_draws == 1_024
    with pytest.raises(DesignError, match="power of two"):
        psa.run_psa(hiv, n_draws=1_000, method="sobol")


# --------------------------------------------------------------------------------------------
def _hiv_child(write_scenario, extra: dict, name="child.yaml"):
    return write_scenario({"extends": str(HIV), **extra}, name)


def test_correlations_and_sampling_from_yaml(write_scenario):
    path = _hiv_child(write_scenario, {
        "settings": {"sampling": "latin_hypercube"},
        "correlations": [{"between": ["c_dmed_A", "c_comm_A"], "value": 0.8},
                         {"between": ["c_dmed_B", "c_comm_B"], "value": -0.5, "kind": "normal_scores"}]})
    compiled = compile_path(path)
    res = psa.run_psa(compiled, n_draws=20_000, seed=1)
    assert res.method == "latin_hypercube"
    t = res.table.columns
    # Spearman rho of 20,000 draws has SE about (1 - rho^2) / sqrt(n) < 0.003; 0.015 is > 5 SE.
    assert stats.spearmanr(t["c_dmed_A"], t["c_comm_A"])[0] == pytest.approx(0.8, abs=0.015)
    rho_s = 6 / np.pi * np.arcsin(-0.5 / 2)  # normal-score correlation -0.5 as a rank correlation
    assert stats.spearmanr(t["c_dmed_B"], t["c_comm_B"])[0] == pytest.approx(rho_s, abs=0.015)
    assert abs(stats.spearmanr(t["c_dmed_A"], t["c_dmed_C"])[0]) < 0.03  # unrelated pair untouched
    assert res.correlation[("c_dmed_A", "c_comm_A")] == pytest.approx(2 * np.sin(np.pi * 0.8 / 6))
    # the marginals are unchanged: gamma with mean 1701 and SD = mean
    assert t["c_dmed_A"].mean() == pytest.approx(1701, rel=0.03)


@pytest.mark.parametrize("entry, message, key", [
    ({"between": ["c_dmed_A", "c_dmedA"], "value": 0.5}, "unknown parameter 'c_dmedA' \\(did you mean c_dmed_A",
     "correlations\\[0\\].between\\[1\\]"),
    ({"between": ["tA", "c_dmed_A"], "value": 0.5}, "'tA' is a dirichlet over 4 components",
     "correlations\\[0\\].between\\[0\\]"),
    ({"between": ["c_dmed_A", "c_zido"], "value": 0.5}, "'c_zido' has no distribution",
     "correlations\\[0\\].between\\[1\\]"),
    ({"between": ["c_dmed_A", "c_dmed_A"], "value": 0.5}, "a parameter cannot be correlated with itself",
     "correlations\\[0\\].between"),
])
def test_correlation_errors_point_at_the_entry(write_scenario, entry, message, key):
    path = _hiv_child(write_scenario, {"correlations": [entry]})
    with pytest.raises(ScenarioError, match=f"child.yaml:\\d+:\\d+: {key}: {message}"):
        psa.run_psa(compile_path(path), n_draws=10)


def test_correlation_errors_are_collected_and_psd_is_checked(write_scenario):
    path = _hiv_child(write_scenario, {"correlations": [
        {"between": ["c_dmed_A", "nope"], "value": 0.5},
        {"between": ["rr_comb", "tB"], "value": 0.5}]})
    with pytest.raises(ScenarioError) as err:
        psa.run_psa(compile_path(path), n_draws=10)
    assert len(err.value.problems) == 2
    path = _hiv_child(write_scenario, {"correlations": [
        {"between": ["c_dmed_A", "c_dmed_B"], "value": 0.9, "kind": "normal_scores"},
        {"between": ["c_dmed_B", "c_dmed_C"], "value": 0.9, "kind": "normal_scores"},
        {"between": ["c_dmed_A", "c_dmed_C"], "value": -0.9, "kind": "normal_scores"}]}, "psd.yaml")
    with pytest.raises(ScenarioError, match="psd.yaml:\\d+:\\d+: correlations: .*not positive semi-definite"):
        psa.run_psa(compile_path(path), n_draws=10)
    path = _hiv_child(write_scenario, {"correlations": [
        {"between": ["c_dmed_A", "c_dmed_B"], "value": 0.3},
        {"between": ["c_dmed_B", "c_dmed_A"], "value": 0.4}]}, "twice.yaml")
    with pytest.raises(ScenarioError, match="correlations\\[1\\].value: the pair .* given twice"):
        psa.run_psa(compile_path(path), n_draws=10)


def test_bad_correlation_values_fail_schema_validation(write_scenario):
    from econ.scenario.load import load_scenario

    path = _hiv_child(write_scenario, {"correlations": [{"between": ["c_dmed_A", "c_dmed_B"], "value": 1.5}]})
    with pytest.raises(ScenarioError, match="correlations\\[0\\].value: must be less than or equal to 1"):
        load_scenario(path)
    path = _hiv_child(write_scenario, {"correlations": [{"between": ["c_dmed_A"], "value": 0.5}]}, "one.yaml")
    with pytest.raises(ScenarioError, match="correlations\\[0\\].between"):
        load_scenario(path)
    path = _hiv_child(write_scenario, {"settings": {"sampling": "random"}}, "sampling.yaml")
    with pytest.raises(ScenarioError, match="settings.sampling"):
        load_scenario(path)


def test_unknown_output_is_refused_before_drawing(hiv):
    with pytest.raises(ScenarioError, match="unknown output 'nope'"):
        psa.run_psa(hiv, n_draws=10, outputs=["nope:comb"])


def test_run_psa_uses_the_same_evaluation_as_evaluate(hiv):
    res = psa.run_psa(hiv, n_draws=200, seed=9)
    again = evaluate(hiv, res.table)
    assert np.array_equal(res.evaluation.totals, again.totals)


@pytest.mark.parametrize("path,draws", [(HIV, 5_000), (HIV, 37), (DEFAULT, 300)])
def test_summary_of_all_columns_at_once_equals_one_array_at_a_time(path, draws):
    """summarize puts every column of both bases and both discountings side by side and summarises
    them at once; the numbers are those of _stats on each (draws, strategies, outputs) array (the former
    way, kept for one-column models), to the bit, and the table is the same."""
    from econ.analysis.psa import summaries

    result = psa.run_psa(compile_path(path), n_draws=draws, seed=11)
    got, want = summaries.summarize(result), summaries._summarize_by_basis(result)
    assert got.equals(want)
    assert got.to_csv() == want.to_csv()


def test_tables_on_two_threads_equal_one_thread(hiv, monkeypatch):
    """psa_tables computes the acceptability curve and EVPI on a second thread: the same tables."""
    result = psa.run_psa(hiv, n_draws=6_000, seed=5)
    monkeypatch.setenv("PEER_ECON_THREADS", "1")
    one = psa.psa_tables(result)
    monkeypatch.setenv("PEER_ECON_THREADS", "2")
    two = psa.psa_tables(result)
    assert list(one) == list(two)
    for name in one:
        assert one[name].equals(two[name]), name
