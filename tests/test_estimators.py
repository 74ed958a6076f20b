"""Tests of econ.inputs.estimators on SYNTHETIC data generated with a known truth (scripts/synthetic_controlled.py)."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest

from econ.core.errors import DataError
from econ.inputs.controlled_data import load_controlled_data
from econ.inputs.estimators import (ESTIMATORS, TOTAL_COST, Outcomes, ancova, ancova_statsmodels,
                                    difference_in_differences, draw_resample, estimate_effects,
                                    outcomes_from_data, pre_post, rtm_adjusted)
from econ.inputs.inflation import load_indices
from econ.inputs.service_use import load_service_use, summarize_use
from econ.inputs.unit_costs import load_unit_costs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "data"


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAIN = _load("make_synthetic_data", ROOT / "scripts" / "make_synthetic_data.py")
GEN = MAIN.controlled_module()
DESIGN = MAIN.shared_design()
CODES = tuple(s[0] for s in GEN.SERVICES)
#: Arbitrary positive weights standing in for unit costs in the seed loop (the statistics do not depend on them).
WEIGHTS = np.linspace(20.0, 400.0, len(CODES))


def _generated(seed, variant, n=200):
    """Outcomes straight from the generator: use and cost (use x WEIGHTS) per service, total cost, SWEMWBS."""
    people, use = GEN.generate(DESIGN, seed, variant, {"intervention": n, "comparison": n})
    kept = people["followed_up"]
    monthly = use.astype(float) / GEN.RECALL_MONTHS
    periods = [np.column_stack([monthly[t], monthly[t] * WEIGHTS, monthly[t] @ WEIGHTS,
                                people["swemwbs"][t]])[kept] for t in (0, 1)]
    treated = people["group"] == "intervention"
    lost = {"intervention": int((treated & ~kept).sum()), "comparison": int((~treated & ~kept).sum())}
    return Outcomes(CODES + CODES + (TOTAL_COST, "swemwbs"), ("use",) * len(CODES) + ("cost",) * (len(CODES) + 1)
                    + ("swemwbs",), periods[0], periods[1], treated[kept], lost,
                    unit_cost=(1.0,) * len(CODES) + tuple(WEIGHTS) + (np.nan, 1.0))


def _rtm_inputs():
    """rho and population means (use per month) by name, as the generator states them."""
    inputs = GEN.rtm_inputs()
    rho = dict(inputs["rho"], swemwbs=inputs["swemwbs"]["rho"])
    mu = dict(inputs["population_mean_per_month"], swemwbs=inputs["swemwbs"]["population_mean"])
    return rho, mu


def _truth(variant):
    """True effect of each column of :func:`_generated`."""
    if variant == "rtm_only":
        return np.zeros(2 * len(CODES) + 2)
    effects = GEN.true_effects(DESIGN)
    use = np.array([effects["use_per_month"][code] for code in CODES])
    return np.concatenate([use, use * WEIGHTS, [use @ WEIGHTS, effects["swemwbs"]]])


@pytest.fixture(scope="module")
def unit_costs():
    table = load_unit_costs()
    return table.select(CODES).rebased("2023/24", load_indices())


@pytest.fixture(scope="module")
def rtm_only(unit_costs):
    data = load_controlled_data(DATA / "SYNTHETIC_controlled_rtm_only_service_use.csv", unit_costs=unit_costs)
    return outcomes_from_data(data, unit_costs=unit_costs, measures=("use", "cost", "swemwbs"))


def test_pre_post_on_the_default_data_is_the_summary_change_and_did_is_refused():
    path = DATA / "SYNTHETIC_service_use.csv"
    data = load_service_use(path, informal_care_path=DATA / "SYNTHETIC_informal_care.csv")
    outcomes = outcomes_from_data(data)
    result = pre_post(outcomes, rng=np.random.default_rng(1), n_boot=50)
    summary = summarize_use(data).set_index("service")
    expected = (summary["followup"] - summary["baseline"]).reindex(list(outcomes.names[:-1])).to_numpy()
    np.testing.assert_allclose(result.estimate[:-1], expected, rtol=0, atol=1e-12)
    assert result.table()["label"].iloc[0].startswith("before-after, no comparison group")
    for estimator in (difference_in_differences, ancova):
        with pytest.raises(DataError) as err:
            estimator(outcomes, n_boot=10)
        assert str(path) in str(err.value) and "needs a comparison group" in str(err.value)
        assert "no 'group' column" in str(err.value)
    with pytest.raises(DataError, match="needs a comparison group"):
        estimate_effects(outcomes, ["pre_post", "difference_in_differences"], n_boot=10, rng=np.random.default_rng(0))


def test_did_with_a_group_column_but_no_comparison_people_names_the_column():
    o = _generated(1, "rtm_only", n=40)
    only = Outcomes(o.names, o.measures, o.baseline[o.intervention], o.followup[o.intervention],
                    o.intervention[o.intervention], o.n_lost, True, "x.csv")
    with pytest.raises(DataError, match=r"x.csv: estimator 'difference_in_differences' needs a comparison group.*"
                                         r"column 'group' has 0 'comparison' people"):
        difference_in_differences(only, n_boot=10)


def test_resample_is_seeded_within_group_and_shared():
    o = _generated(2, "rtm_only", n=60)
    a = draw_resample(o, 30, np.random.default_rng(5)).weights
    b = draw_resample(o, 30, np.random.default_rng(5)).weights
    assert np.array_equal(a, b)
    assert np.all(a[:, o.intervention].sum(axis=1) == o.n_intervention)
    assert np.all(a[:, ~o.intervention].sum(axis=1) == o.n_comparison)
    results = estimate_effects(o, ["pre_post", "difference_in_differences"], n_boot=30, rng=np.random.default_rng(5))
    alone = pre_post(o, resample=draw_resample(o, 30, np.random.default_rng(5)))
    np.testing.assert_array_equal(results["pre_post"].replicates, alone.replicates)


def test_estimators_on_a_resample_equal_a_plain_loop_and_statsmodels():
    import statsmodels.api as sm

    o = _generated(3, "true_effect", n=50)
    weights = draw_resample(o, 3, np.random.default_rng(7)).weights
    results = estimate_effects(o, list(ESTIMATORS), n_boot=3, rng=np.random.default_rng(7),
                               rho=0.6, population_mean=o.baseline.mean(axis=0) * 0.8)
    mu = o.baseline.mean(axis=0) * 0.8
    for r in range(3):
        rows = np.repeat(np.arange(len(o.intervention)), weights[r].astype(int))
        x0, x1, g = o.baseline[rows], o.followup[rows], o.intervention[rows]
        change_i = (x1[g] - x0[g]).mean(axis=0)
        change_c = (x1[~g] - x0[~g]).mean(axis=0)
        np.testing.assert_allclose(results["pre_post"].replicates[r], change_i, atol=1e-10)
        np.testing.assert_allclose(results["difference_in_differences"].replicates[r], change_i - change_c, atol=1e-10)
        np.testing.assert_allclose(results["rtm_adjusted"].replicates[r],
                                   change_i + 0.4 * (x0[g].mean(axis=0) - mu), atol=1e-10)
        for k in range(len(o.names)):
            design = np.column_stack([np.ones(len(rows)), g.astype(float), x0[:, k]])
            fit = sm.OLS(x1[:, k], design).fit()
            assert results["ancova"].replicates[r, k] == pytest.approx(fit.params[1], abs=1e-9)
    np.testing.assert_allclose(ancova_statsmodels(o)["estimate"], results["ancova"].estimate, atol=1e-9)


def test_ancova_when_baseline_does_not_vary_is_the_difference_in_means():
    o = _generated(4, "rtm_only", n=40)
    flat = Outcomes(o.names[:1], o.measures[:1], np.zeros((len(o.intervention), 1)), o.followup[:, :1],
                    o.intervention, o.n_lost)
    result = ancova(flat, rng=np.random.default_rng(0), n_boot=5)
    g = o.intervention
    assert result.estimate[0] == pytest.approx(o.followup[g, 0].mean() - o.followup[~g, 0].mean(), abs=1e-12)


def test_rho_draws_widen_the_rtm_interval_and_constant_draws_change_nothing():
    o = _generated(5, "rtm_only", n=100)
    rho, mu = _rtm_inputs()
    keep = list(range(len(CODES)))
    sub = Outcomes(o.names[:len(CODES)], o.measures[:len(CODES)], o.baseline[:, keep], o.followup[:, keep],
                   o.intervention, o.n_lost)
    resample = draw_resample(sub, 400, np.random.default_rng(3))
    fixed = rtm_adjusted(sub, rho=rho, population_mean=mu, resample=resample)
    same = rtm_adjusted(sub, rho=rho, population_mean=mu, resample=resample,
                        rho_draws={name: np.full(400, rho[name]) for name in sub.names})
    np.testing.assert_allclose(same.replicates, fixed.replicates, atol=1e-15)
    draws = {name: np.clip(rho[name] + np.random.default_rng(4).uniform(-0.2, 0.2, 400), 0, 1) for name in sub.names}
    uncertain = rtm_adjusted(sub, rho=rho, population_mean=mu, resample=resample, rho_draws=draws)
    # Each replicate moves by -(rho draw - rho) x (its baseline mean - population mean), and the spread grows.
    g = sub.intervention
    baseline = (resample.weights[:, g] @ sub.baseline[g]) / g.sum()
    point = np.array([rho[name] for name in sub.names])
    mean = np.array([mu[name] for name in sub.names])
    drawn = np.column_stack([draws[name] for name in sub.names])
    np.testing.assert_allclose(uncertain.replicates - fixed.replicates, -(drawn - point) * (baseline - mean), atol=1e-12)
    assert np.mean(uncertain.replicates.std(axis=0) / fixed.replicates.std(axis=0)) > 1.05
    with pytest.raises(DataError, match="needs a population mean for every outcome; missing for gp_surgery"):
        rtm_adjusted(sub, rho=rho, population_mean={k: v for k, v in mu.items() if k != "gp_surgery"}, n_boot=5)


def test_no_true_effect_data_naive_pre_post_shows_savings_others_cover_zero(rtm_only):
    rho, mu = _rtm_inputs()  # by service; cost columns use their unit cost, the total is the sum
    results = estimate_effects(rtm_only, list(ESTIMATORS), n_boot=400, rng=np.random.default_rng(11),
                               rho=rho, population_mean=mu)
    total = rtm_only.names.index(TOTAL_COST)
    naive = results["pre_post"]
    assert naive.estimate[total] < 0 and naive.interval[1][total] < 0  # an apparent saving, "significant"
    for name in ("difference_in_differences", "ancova", "rtm_adjusted"):
        low, high = results[name].interval
        assert low[total] <= 0 <= high[total], name
        assert abs(results[name].estimate[total]) < abs(naive.estimate[total]) / 2, name
    table = results["difference_in_differences"].table()
    assert table["lost_intervention"].iloc[0] > 0 and table["lost_comparison"].iloc[0] > 0


@pytest.mark.parametrize("variant", ["true_effect", "rtm_only"])
def test_estimators_recover_the_generator_effect_with_about_95_percent_coverage(variant):
    truth = _truth(variant)
    rho, mu = _rtm_inputs()
    total, swemwbs = 2 * len(CODES), 2 * len(CODES) + 1
    covered = {name: [] for name in ESTIMATORS}
    for seed in range(20):
        o = _generated(seed, variant)
        results = estimate_effects(o, list(ESTIMATORS), n_boot=200, rng=np.random.default_rng(1000 + seed),
                                   rho=rho, population_mean=mu)
        for name, result in results.items():
            low, high = result.interval
            covered[name].append((low <= truth) & (truth <= high))
    for name in ("difference_in_differences", "ancova", "rtm_adjusted"):
        hits = np.array(covered[name])
        assert 0.88 <= hits[:, :len(CODES)].mean() <= 0.99, (name, hits[:, :len(CODES)].mean())
        assert hits[:, total].sum() >= 17, (name, "total cost", hits[:, total].sum())
        assert hits[:, swemwbs].sum() >= 17, (name, "swemwbs", hits[:, swemwbs].sum())
    naive = np.array(covered["pre_post"])
    assert naive[:, total].mean() < 0.5 and naive[:, swemwbs].mean() < 0.5  # regression to the mean biases it
