"""Cost models (econ.inputs.cost_models): against statsmodels, closed forms and data with a known truth."""
from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import special

from econ.core.errors import DataError
from econ.inputs.cost_models import cost_effect, gamma_log_fit
from econ.inputs.estimators import Outcomes, draw_resample

#: Two-part truth: P(cost > 0) = expit(A0 + A1 g + A2 x), E[cost | > 0] = exp(B0 + B1 g + B2 x), x ~ N(0, 1),
#: baseline cost = exp(1 + 0.8 x) (always > 0, so log1p(baseline) carries x), gamma shape 1.5.
A = (0.4, -0.6, 0.8)
B = (6.0, -0.3, 0.5)
SHAPE = 1.5


def _two_part_data(rng, n_i, n_c):
    g = np.r_[np.ones(n_i), np.zeros(n_c)]
    x = rng.normal(size=n_i + n_c)
    p = special.expit(A[0] + A[1] * g + A[2] * x)
    mu = np.exp(B[0] + B[1] * g + B[2] * x)
    y = np.where(rng.random(len(g)) < p, rng.gamma(SHAPE, mu / SHAPE), 0.0)
    base = np.exp(1.0 + 0.8 * x)
    return Outcomes(("total_cost",), ("cost",), base[:, None], y[:, None], g.astype(bool), {})


def _truth():
    """ATT = E_x[p1 mu1 - p0 mu0] over x ~ N(0, 1) (treated and controls share x's distribution), by
    Gauss-Hermite quadrature (80 nodes: exact to 1e-10 for these smooth integrands)."""
    nodes, weights = np.polynomial.hermite_e.hermegauss(80)
    weights = weights / weights.sum()

    def mean(g):
        return (special.expit(A[0] + A[1] * g + A[2] * nodes) * np.exp(B[0] + B[1] * g + B[2] * nodes)) @ weights

    return mean(1.0) - mean(0.0)


def test_gamma_log_fit_equals_statsmodels():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(250, 2))
    y = rng.gamma(2.0, np.exp(1.0 + x @ [0.4, -0.2]) / 2.0)
    w = rng.integers(0, 3, size=(2, 250)).astype(float)
    ours = gamma_log_fit(x, y, w)
    for r in range(2):
        fit = sm.GLM(y, sm.add_constant(x), family=sm.families.Gamma(sm.families.links.Log()), freq_weights=w[r]).fit()
        assert ours[r] == pytest.approx(fit.params, rel=1e-8, abs=1e-10)


def test_group_only_models_give_the_difference_in_means():
    """Saturated in group: the GLM's fitted means are the group means, and so are the two-part model's
    (share with a cost x mean of the positive costs); recycled predictions give the difference in means."""
    o = _two_part_data(np.random.default_rng(1), 150, 120)
    y, g = o.followup[:, 0], o.intervention
    diff = y[g].mean() - y[~g].mean()
    two = cost_effect(o, "total_cost", "two_part", n_boot=5, rng=np.random.default_rng(0), covariates=False)
    assert two.estimate == pytest.approx(diff, rel=1e-9)
    positive = Outcomes(o.names, o.measures, o.baseline, np.maximum(o.followup, 1.0), g, {})
    yp = positive.followup[:, 0]
    glm = cost_effect(positive, "total_cost", "glm_gamma", n_boot=5, rng=np.random.default_rng(0), covariates=False)
    assert glm.estimate == pytest.approx(yp[g].mean() - yp[~g].mean(), rel=1e-9)


def test_without_comparison_group_every_model_is_the_mean_change():
    rng = np.random.default_rng(2)
    n = 200
    b = np.where(rng.random(n) < 0.3, 0.0, rng.gamma(1.5, 200.0, n))
    f = np.where(rng.random(n) < 0.4, 0.0, rng.gamma(1.5, 150.0, n))
    o = Outcomes(("total_cost",), ("cost",), b[:, None], f[:, None], np.ones(n, dtype=bool), {}, has_group_column=False)
    resample = draw_resample(o, 50, np.random.default_rng(3))
    mean = cost_effect(o, "total_cost", "mean", resample=resample)
    two = cost_effect(o, "total_cost", "two_part", resample=resample)
    assert two.estimate == pytest.approx(f.mean() - b.mean(), rel=1e-9) and mean.estimate == pytest.approx(two.estimate)
    assert two.replicates == pytest.approx(mean.replicates, rel=1e-7)


def test_two_part_recovers_the_truth_over_seeds_and_is_more_precise_than_the_mean():
    """20 seeds: the two-part 95% interval covers the closed-form ATT at least 17 times; its bias is within 3
    Monte Carlo SE; the mean (ANCOVA) is unbiased too but its spread over seeds is larger."""
    truth = _truth()
    two, mean = [], []
    for seed in range(20):
        rng = np.random.default_rng(seed)
        o = _two_part_data(rng, 300, 300)
        resample = draw_resample(o, 300, rng)
        t = cost_effect(o, "total_cost", "two_part", resample=resample)
        m = cost_effect(o, "total_cost", "mean", resample=resample)
        two.append((t.estimate, *t.interval))
        mean.append(m.estimate)
    two = np.array(two)
    assert ((two[:, 1] <= truth) & (truth <= two[:, 2])).sum() >= 17
    assert abs(two[:, 0].mean() - truth) < 3 * two[:, 0].std(ddof=1) / np.sqrt(20)
    assert abs(np.mean(mean) - truth) < 3 * np.std(mean, ddof=1) / np.sqrt(20)
    assert two[:, 0].std() < np.std(mean)


def test_errors_point_to_the_right_model():
    o = _two_part_data(np.random.default_rng(4), 40, 40)
    with pytest.raises(DataError, match="use model 'two_part'"):
        cost_effect(o, "total_cost", "glm_gamma", n_boot=5)
    with pytest.raises(DataError, match="choose from mean, glm_gamma, two_part"):
        cost_effect(o, "total_cost", "tobit", n_boot=5)
    with pytest.raises(DataError, match="no outcome column 'gp'"):
        cost_effect(o, "gp", "mean", n_boot=5)
