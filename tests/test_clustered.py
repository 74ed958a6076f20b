"""Clustered bootstrap (econ.inputs.clustered): closed-form variances and the design effect 1 + (m - 1) ICC."""
from __future__ import annotations

import numpy as np
import pytest

from econ.core.errors import DataError
from econ.inputs.clustered import design_effect_table, draw_cluster_resample, icc_anova
from econ.inputs.estimators import Outcomes, draw_resample, pre_post


def _clustered_sample(rng, a, m, icc, sd=1.0):
    """y = u_c + e_ci with var(u) = icc sd^2, var(e) = (1 - icc) sd^2; a clusters of m people."""
    u = rng.normal(0.0, np.sqrt(icc) * sd, a)
    y = np.repeat(u, m) + rng.normal(0.0, np.sqrt(1.0 - icc) * sd, a * m)
    return y, np.repeat(np.arange(a), m)


def _outcomes(y):
    n = len(y)
    return Outcomes(("y",), ("use",), np.zeros((n, 1)), y[:, None], np.ones(n, dtype=bool),
                    {"intervention": 0, "comparison": 0}, has_group_column=False)


def test_keep_and_resample_variances_match_their_closed_forms():
    """Bootstrap variance of a mean for one sample (Monte Carlo only): keep = (1/a) var_pop(cluster means);
    resample adds (1/a) mean over clusters of (within-cluster population variance / m)."""
    rng = np.random.default_rng(1)
    a, m = 40, 12
    y, c = _clustered_sample(rng, a, m, 0.1)
    means = y.reshape(a, m).mean(axis=1)
    keep_expected = means.var() / a
    within = y.reshape(a, m).var(axis=1).mean() / m
    two_stage_expected = (means.var() + within) / a
    o = _outcomes(y)
    inter = np.ones(len(y), dtype=bool)
    for people, expected in (("keep", keep_expected), ("resample", two_stage_expected)):
        w = draw_cluster_resample(inter, c, 6000, np.random.default_rng(2), people=people)
        if people == "keep":  # whole clusters: a replicate holds a multiple of m people, a x m in all
            assert np.all(w.weights.sum(axis=1) == a * m) and np.all(np.isin(w.weights, np.arange(a + 1)))
        reps = pre_post(o, resample=w).replicates[:, 0]
        # 6000 replicates: the SE of a variance estimate is about sqrt(2/6000) = 1.8%; 8% is over 4 SE.
        assert reps.var(ddof=1) == pytest.approx(expected, rel=0.08), people


def test_interval_width_matches_the_design_effect_over_seeds():
    """With clusters of a known ICC the clustered interval is sqrt(1 + (m - 1) ICC) times the person
    interval: the mean width ratio over 12 seeds within 15% (the issue's tolerance)."""
    a, m, icc = 60, 15, 0.08
    expected = np.sqrt(1.0 + (m - 1) * icc)
    ratios, des = [], []
    for seed in range(12):
        rng = np.random.default_rng(100 + seed)
        y, c = _clustered_sample(rng, a, m, icc)
        o = _outcomes(y)
        clustered = pre_post(o, resample=draw_cluster_resample(o.intervention, c, 2000, rng))
        naive = pre_post(o, resample=draw_resample(o, 2000, rng))
        table = design_effect_table(clustered, naive, c)
        ratios.append(float(table["width_ratio"][0]))
        des.append(float(table["design_effect_icc"][0]))
    assert np.mean(ratios) == pytest.approx(expected, rel=0.15)
    assert np.mean(des) == pytest.approx(1.0 + (m - 1) * icc, rel=0.15)
    assert np.mean(ratios) > 1.3  # far from the person bootstrap's 1


def test_icc_anova_closed_form_and_unequal_sizes():
    """Hand calculation: clusters {1,2,3}, {4,5}: MSB, MSW, m0 and the ICC; effective size sum m^2 / n."""
    y = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    c = np.array(["a", "a", "a", "b", "b"])
    grand = 3.0
    msb = (3 * (2.0 - grand) ** 2 + 2 * (4.5 - grand) ** 2) / 1
    msw = ((1 + 0 + 1) + (0.25 + 0.25)) / 3
    m0 = (5 - (9 + 4) / 5) / 1
    de = icc_anova(y, c)
    assert de.icc == pytest.approx((msb - msw) / (msb + (m0 - 1) * msw))
    assert de.effective_size == pytest.approx(13 / 5)
    assert de.design_effect == pytest.approx(1 + (13 / 5 - 1) * de.icc)


def test_errors_name_the_problem():
    inter = np.ones(4, dtype=bool)
    with pytest.raises(DataError, match="at least 2 clusters per arm"):
        draw_cluster_resample(inter, ["x"] * 4, 10, np.random.default_rng(0))
    with pytest.raises(DataError, match="people must be one of keep, resample"):
        draw_cluster_resample(inter, ["x", "x", "y", "y"], 10, np.random.default_rng(0), people="all")
    with pytest.raises(DataError, match="3 cluster labels for 4 people"):
        draw_cluster_resample(inter, ["x", "x", "y"], 10, np.random.default_rng(0))


def test_same_seed_same_replicates():
    inter = np.array([True] * 6 + [False] * 4)
    c = ["a", "a", "b", "b", "c", "c", "d", "d", "e", "e"]
    one = draw_cluster_resample(inter, c, 50, np.random.default_rng(5), people="resample").weights
    two = draw_cluster_resample(inter, c, 50, np.random.default_rng(5), people="resample").weights
    assert np.array_equal(one, two)
    assert np.all(one[:, :6].sum(axis=1) == 6) and np.all(one[:, 6:].sum(axis=1) == 4)


def test_scenario_bootstrap_clusters_resamples_areas_in_the_psa_statistics():
    """data.bootstrap_clusters: area -> the service-use replicates are means over whole drawn areas, checked
    with a plain loop using the same stream; the default (none) is unchanged."""
    from pathlib import Path

    from econ.model.run import compile_path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "side_by_side.yaml"
    over = ["data.bootstrap_replicates=40"]
    plain = compile_path(path, overrides=over)
    clustered = compile_path(path, overrides=over + ["data.bootstrap_clusters=area"])
    reps = clustered.parameters["u_gp_surgery"].distribution.replicates
    data = clustered.context.service_use
    k = list(data.services).index("gp_surgery")
    y = data.monthly_use[0][:, k]
    assert clustered.context._by == ("setting",)  # the scenario's statistics are stratified by setting
    rng = np.random.default_rng([int(clustered.loaded.spec.settings.seed), 0xB007, 0xC1])
    expected = np.zeros(40)
    for setting in sorted(set(data.persons["setting"])):  # groups in sorted order, each its own draws
        in_group = data.persons["setting"].to_numpy() == setting
        areas = sorted(set(data.persons["area"][in_group]))
        member = [np.flatnonzero(in_group & (data.persons["area"].to_numpy() == a)) for a in areas]
        draws = rng.integers(0, len(areas), size=(40, len(areas)))
        for r in range(40):
            total = sum(y[member[c]].sum() for c in draws[r])
            people = sum(len(member[c]) for c in draws[r])
            expected[r] += in_group.sum() / len(y) * total / people  # pooled: size-weighted mean of the groups
    assert reps == pytest.approx(np.array(expected), rel=1e-12)
    assert not np.allclose(reps, plain.parameters["u_gp_surgery"].distribution.replicates)


def test_scenario_bootstrap_clusters_without_such_a_column_is_a_located_error(tmp_path):
    from pathlib import Path

    from econ.core.errors import ScenarioError
    from econ.model.run import compile_path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "side_by_side.yaml"
    compiled = compile_path(path, overrides=["data.bootstrap_replicates=20", "data.bootstrap_clusters=cluster"])
    with pytest.raises(ScenarioError, match="data.bootstrap_clusters: .*no person column 'cluster'"):
        compiled.parameters["u_gp_surgery"].distribution.replicates


def test_generator_clusters_have_the_stated_icc_and_design_effect():
    """SYNTHETIC need-dropout design (cluster ICC 0.05 of the latent SWEMWBS change): over 8 generator seeds
    the clustered interval of the intervention group's SWEMWBS change is sqrt(1 + (m - 1) ICC) times the person
    interval within 15%, with m = sum(m_c^2)/n and the ICC after rounding to whole scores (12.5 + 2/12 of
    within variance)."""
    import importlib.util
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    spec = importlib.util.spec_from_file_location("make_synthetic_data", root / "scripts" / "make_synthetic_data.py")
    main = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(main)
    gen, design = main.controlled_module(), main.shared_design()
    _, _, icc = gen.DATA_SETS["need_dropout"]
    between = icc / (1 - icc) * gen.WELLBEING_CHANGE_VAR
    icc_scores = between / (between + gen.WELLBEING_CHANGE_VAR + 2 / 12)
    ratios, expected = [], []
    for seed in range(8):
        people, _ = gen.generate(design, seed, "true_effect", {"intervention": 1400, "comparison": 10},
                                 dropout="mcar", cluster_icc=icc)
        keep = (people["group"] == "intervention") & people["followed_up"]
        s = people["swemwbs"][:, keep].astype(float)
        o = Outcomes(("swemwbs",), ("swemwbs",), s[0][:, None], s[1][:, None], np.ones(keep.sum(), dtype=bool),
                     {}, has_group_column=False)
        clusters = people["cluster"][keep]
        rng = np.random.default_rng(seed)
        clustered = pre_post(o, resample=draw_cluster_resample(o.intervention, clusters, 1500, rng))
        naive = pre_post(o, resample=draw_resample(o, 1500, rng))
        ratios.append(float(design_effect_table(clustered, naive, clusters)["width_ratio"][0]))
        sizes = np.unique(clusters, return_counts=True)[1]
        expected.append(np.sqrt(1 + ((sizes**2).sum() / sizes.sum() - 1) * icc_scores))
    assert np.mean(ratios) == pytest.approx(np.mean(expected), rel=0.15)
    assert np.mean(expected) > 1.1  # the clusters matter
