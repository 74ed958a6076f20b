"""Loss to follow-up (econ.inputs.missing, econ.inputs.imputation) on SYNTHETIC data with a known truth.

The generator (scripts/synthetic_controlled.py, ``dropout='need'``) loses people with more baseline use more
often, so complete-case analysis is biased; IPW and MI on baseline covariates recover the generator's mean
change. The estimand is the mean change in monthly GP surgery contacts in the intervention group, whose
population value is closed form (no cap, Poisson counts): ``mean (E N_1 keep - E N_0) / 3``.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import numpy as np
import pytest
import statsmodels.api as sm

from econ.core.errors import DataError
from econ.inputs.controlled_data import load_controlled_data
from econ.inputs.estimators import Outcomes
from econ.inputs.imputation import complete_data_variance, rubin_rules
from econ.inputs.missing import (METHODS, estimate_missing, ipw_weights, logistic_fit, missing_from_data,
                                 missing_outcomes, missing_table)

ROOT = Path(__file__).resolve().parent.parent


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAIN = _load("make_synthetic_data", ROOT / "scripts" / "make_synthetic_data.py")
GEN = MAIN.controlled_module()
DESIGN = MAIN.shared_design()
CODES = [s[0] for s in GEN.SERVICES]
GP = CODES.index("gp_surgery")
SEEDS = range(20)


def _true_change(code):
    """Population mean change per month of a count service in the intervention group of the true-effect set."""
    _, _, mean, _, _, rho, reduction = GEN.SERVICES[CODES.index(code)]
    shares = dict(DESIGN.SETTING_SHARES)
    factor = sum(shares[s] * GEN.SETTING_EFFECT[s] for s in GEN.SETTING_EFFECT) / sum(shares.values())
    t, s = GEN.NEED_SHAPE, GEN.JOIN_TILT
    return mean * ((1 + rho * s / t) * (1 - reduction * factor) - (1 + s / t)) / GEN.RECALL_MONTHS


TRUTH = _true_change("gp_surgery")


def _data(seed, n=500):
    people, use = GEN.generate(DESIGN, seed, "true_effect", {"intervention": n, "comparison": n // 2}, dropout="need")
    monthly = use.astype(float) / GEN.RECALL_MONTHS
    followup = monthly[1][:, [GP]].copy()
    followup[~people["followed_up"]] = np.nan
    return missing_outcomes(monthly[0][:, [GP]], followup, people["group"] == "intervention", names=["gp_surgery"],
                            covariates={"log1p_total_baseline": np.log1p(use[0].sum(axis=1))})


@pytest.fixture(scope="module")
def seed_results():
    out = {method: [] for method in METHODS}
    for seed in SEEDS:
        mo = _data(seed)
        for method in METHODS:
            rng = np.random.default_rng(seed)
            e = estimate_missing(mo, "pre_post", method, n_boot=1 if method == "mice" else 400, rng=rng,
                                 imputations=10, iterations=3)
            low, high = (e.rubin.low, e.rubin.high) if method == "mice" else e.interval
            out[method].append((e.estimate[0], low[0], high[0]))
    return {method: np.array(rows) for method, rows in out.items()}


def test_complete_case_is_biased_under_dropout_depending_on_need(seed_results):
    cc = seed_results["complete_case"]
    mc_se = cc[:, 0].std(ddof=1) / np.sqrt(len(cc))
    assert cc[:, 0].mean() - TRUTH > 4 * mc_se  # people lost had more use, hence a larger fall: CC understates it
    assert np.mean((cc[:, 1] <= TRUTH) & (TRUTH <= cc[:, 2])) < 0.9


@pytest.mark.parametrize("method", ["ipw", "mice"])
def test_ipw_and_mi_recover_the_truth_with_about_nominal_coverage(seed_results, method):
    """20 seeds: at least 17 intervals cover the truth (P(<= 16 of 20 | 95%) = 1.6%); no bias beyond 3 Monte
    Carlo SE of the mean over seeds."""
    rows = seed_results[method]
    covered = (rows[:, 1] <= TRUTH) & (TRUTH <= rows[:, 2])
    assert covered.sum() >= 17, covered.sum()
    mc_se = rows[:, 0].std(ddof=1) / np.sqrt(len(rows))
    assert abs(rows[:, 0].mean() - TRUTH) < 3 * mc_se


def test_boot_mi_is_valid_and_conservative_next_to_rubins_rules():
    """Bootstrap then impute (Schomaker & Heumann 2018), 100 replicates of 2 imputations: its SE is at least
    Rubin's total SE less Monte Carlo error (7%) and at most 1.6 times it (measured: 1.35; Rubin's SE matched the
    spread over seeds); the interval holds the estimate."""
    mo = _data(3)
    e = estimate_missing(mo, "pre_post", "mice", n_boot=100, rng=np.random.default_rng(3), imputations=20,
                         boot_imputations=2, iterations=3)
    ratio = e.replicates.std(ddof=1) / np.sqrt(e.rubin.total[0])
    assert 0.85 < ratio < 1.6, ratio
    low, high = e.boot_interval
    assert low[0] < e.estimate[0] < high[0]
    assert e.interval[0][0] == e.rubin.low[0] and e.table()["high"][0] == e.rubin.high[0]


def test_rubins_rules_hand_calculation():
    """M = 3: Q = 2, U = 0.5, B = 1, T = 0.5 + (4/3) 1; Rubin df (M-1)/gamma^2; Barnard-Rubin with nu_com = 10."""
    r = rubin_rules([[1.0], [2.0], [3.0]], [[0.4], [0.5], [0.6]], complete_df=10.0)
    t = 0.5 + 4.0 / 3.0
    gamma = (4.0 / 3.0) / t
    df_rubin = 2.0 / gamma**2
    df_obs = 11.0 / 13.0 * 10.0 * (1.0 - gamma)
    df = 1.0 / (1.0 / df_rubin + 1.0 / df_obs)
    assert r.estimate[0] == 2.0 and r.within[0] == pytest.approx(0.5) and r.between[0] == pytest.approx(1.0)
    assert r.total[0] == pytest.approx(t) and r.fmi[0] == pytest.approx(gamma) and r.df[0] == pytest.approx(df)
    from scipy import stats

    assert r.high[0] == pytest.approx(2.0 + stats.t.ppf(0.975, df) * np.sqrt(t))
    assert rubin_rules([[1.0], [2.0], [3.0]], [[0.5]] * 3).df[0] == pytest.approx(df_rubin)
    with pytest.raises(DataError, match="at least 2 imputations"):
        rubin_rules([[1.0]], [[0.5]])


def test_logistic_fit_equals_statsmodels_with_frequency_weights():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(300, 2))
    y = (rng.random(300) < 1 / (1 + np.exp(-(0.3 + x @ [1.0, -0.5])))).astype(float)
    w = rng.integers(0, 3, size=(2, 300)).astype(float)
    ours = logistic_fit(x, y, w)
    for r in range(2):
        fit = sm.GLM(y, sm.add_constant(x), family=sm.families.Binomial(), freq_weights=w[r]).fit()
        assert ours[r] == pytest.approx(fit.params, rel=1e-7, abs=1e-9)


def test_ipw_without_covariates_is_complete_case():
    """An intercept-only model gives the same weight to everyone followed up in an arm: IPW = complete case."""
    mo = _data(1)
    bare = missing_outcomes(mo.baseline, mo.followup, mo.intervention, names=mo.names, baseline_covariates=False)
    w = ipw_weights(bare, np.ones(bare.n_persons))[0]
    member = bare.intervention & bare.followed
    assert np.allclose(w[member], bare.intervention.sum() / member.sum())
    cc = estimate_missing(bare, "difference_in_differences", "complete_case", n_boot=5, rng=np.random.default_rng(0))
    ipw = estimate_missing(bare, "difference_in_differences", "ipw", n_boot=5, rng=np.random.default_rng(0))
    assert ipw.estimate == pytest.approx(cc.estimate, rel=1e-12)


def test_complete_data_variance_matches_statsmodels_ols():
    rng = np.random.default_rng(2)
    n = 80
    g = np.arange(n) < 50
    b = rng.gamma(2.0, 1.0, (n, 2))
    f = 0.5 * b + rng.normal(size=(n, 2)) - 0.3 * g[:, None]
    o = Outcomes(("a", "b"), ("use", "use"), b, f, g, {})
    est, var, dof = complete_data_variance(o, "ancova")
    for k in range(2):
        fit = sm.OLS(f[:, k], np.column_stack([np.ones(n), g.astype(float), b[:, k]])).fit()
        assert est[k] == pytest.approx(fit.params[1]) and var[k] == pytest.approx(fit.bse[1] ** 2)
    assert dof == n - 3
    est, var, _ = complete_data_variance(o, "difference_in_differences")
    change = f - b
    assert est[0] == pytest.approx(change[g, 0].mean() - change[~g, 0].mean())
    assert var[0] == pytest.approx(change[g, 0].var(ddof=1) / 50 + change[~g, 0].var(ddof=1) / 30)


def test_shipped_need_dropout_data_report_missing_shares_next_to_results():
    data_dir = ROOT / "scenarios" / "data"
    data = load_controlled_data(data_dir / "SYNTHETIC_controlled_need_dropout_service_use.csv")
    mo = missing_from_data(data, measures=("use", "swemwbs"), cluster="cluster")
    table = missing_table(mo)
    lost = table[table.time_point == "followup"].set_index("arm")
    persons = data.persons
    for arm in ("intervention", "comparison"):
        member = persons["group"] == arm
        assert lost.loc[arm, "n_missing"] == int((member & ~persons["followed_up"]).sum())
    assert (table[table.time_point == "baseline"]["n_missing"] == 0).all()
    e = estimate_missing(mo, "difference_in_differences", "ipw", n_boot=20, rng=np.random.default_rng(0))
    result = e.table()
    share = lost.loc["intervention", "share_missing"]
    assert (result["missing_followup_intervention"] == share).all() and share > 0.2
    assert set(result["method"]) == {"ipw"} and "inverse-probability" in result["method_label"][0]


def test_same_seed_same_imputation_result():
    mo = _data(4, n=150)
    one = estimate_missing(mo, "pre_post", "mice", n_boot=3, rng=np.random.default_rng(9), imputations=3, iterations=2)
    two = estimate_missing(mo, "pre_post", "mice", n_boot=3, rng=np.random.default_rng(9), imputations=3, iterations=2)
    assert np.array_equal(one.replicates, two.replicates) and np.array_equal(one.estimate, two.estimate)


def test_bad_choices_are_refused_with_what_is_allowed():
    mo = _data(0, n=60)
    with pytest.raises(DataError, match="choose from complete_case, ipw, mice"):
        estimate_missing(mo, "pre_post", "hot_deck", n_boot=2)
    with pytest.raises(DataError, match="choose from pre_post, difference_in_differences, ancova"):
        estimate_missing(mo, "rtm_adjusted", "ipw", n_boot=2)
    with pytest.raises(DataError, match="imputations must be a whole number >= 2"):
        estimate_missing(mo, "pre_post", "mice", n_boot=2, imputations=1)
    follow = mo.followup.copy()
    both = np.column_stack([follow, follow])
    both[np.flatnonzero(mo.followed)[0], 1] = np.nan
    with pytest.raises(DataError, match="some follow-up columns missing but not all"):
        missing_outcomes(np.column_stack([mo.baseline] * 2), both, mo.intervention, names=["a", "b"])


def test_no_method_removes_bias_when_loss_depends_on_the_follow_up_itself():
    """Missing not at random (loss depends on the unobserved follow-up given baseline): complete case, IPW and
    MI on baseline covariates all stay biased over 10 seeds (beyond 3 Monte Carlo SE), as the module
    docstring says: the estimated change is too negative (a larger fall than the truth)."""
    rows = {method: [] for method in METHODS}
    for seed in range(10):
        people, use = GEN.generate(DESIGN, seed, "true_effect", {"intervention": 500, "comparison": 250})
        rng = np.random.default_rng(seed)
        monthly = use.astype(float) / GEN.RECALL_MONTHS
        # the generator's follow-up of people it lost is not kept; use the people it followed as the population
        kept = people["followed_up"]
        base, follow = monthly[0][kept][:, [GP]], monthly[1][kept][:, [GP]]
        change = (follow - base)[:, 0]  # people whose use fell less than others' are lost more often
        lost = rng.random(len(base)) < np.where(change > np.median(change), 0.6, 0.1)
        truth = float((follow - base)[:, 0][people["group"][kept] == "intervention"].mean())
        observed = follow.copy()
        observed[lost] = np.nan
        mo = missing_outcomes(base, observed, people["group"][kept] == "intervention", names=["gp_surgery"],
                              covariates={"log1p_total_baseline": np.log1p(use[0][kept].sum(axis=1))})
        for method in METHODS:
            e = estimate_missing(mo, "pre_post", method, n_boot=1, rng=rng, imputations=5, iterations=3)
            rows[method].append(e.estimate[0] - truth)
    for method, bias in rows.items():
        bias = np.array(bias)
        assert bias.mean() < -3 * bias.std(ddof=1) / np.sqrt(len(bias)), method
