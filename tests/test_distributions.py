"""Tests of econ.uncertainty.distributions: moments, inverse CDFs, method of moments, spec errors, point values."""
from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ.uncertainty.distributions import (
    DISTRIBUTIONS,
    UNIT_EPS,
    Beta,
    Dirichlet,
    Distribution,
    DistributionSpecError,
    Empirical,
    Fixed,
    clip_to_open_unit,
    make_distribution,
    point_value,
)
from econ.core.errors import EconError

# The ``rng`` fixture (seed printed, overridable with PEER_ECON_TEST_SEED) is in conftest.py.


# Contract fixture: every registered distribution with every one of its parameterisations.
# test_every_distribution_has_examples fails when a distribution is added without examples here.
EXAMPLES: dict[str, list[dict]] = {
    "fixed": [{"dist": "fixed", "value": 3.5}],
    "normal": [
        {"dist": "normal", "mean": -1.2, "se": 0.3},
        {"dist": "normal", "mean": 0.25, "ci95": [0.13, 0.37]},
    ],
    "lognormal": [
        {"dist": "lognormal", "mean": 2.0, "se": 1.5},
        {"dist": "lognormal", "median": 0.75, "ci95": [0.6, 0.94]},
        {"dist": "lognormal", "meanlog": 0.1, "sdlog": 0.4},
    ],
    "gamma": [
        {"dist": "gamma", "mean": 120.0, "sd": 30.0},
        {"dist": "gamma", "shape": 0.8, "scale": 2.5},
    ],
    "beta": [
        {"dist": "beta", "mean": 0.3, "se": 0.1},
        {"dist": "beta", "alpha": 0.6, "beta": 0.9},
        {"dist": "beta", "events": 12, "n": 80},
    ],
    "uniform": [{"dist": "uniform", "low": -1.0, "high": 3.0}],
    "triangular": [
        {"dist": "triangular", "low": 0.0, "mode": 2.0, "high": 10.0},
        {"dist": "triangular", "low": 1.0, "mode": 1.0, "high": 2.0},
    ],
    "pert": [
        {"dist": "pert", "low": 10.0, "mode": 12.0, "high": 20.0},
        {"dist": "pert", "low": 0.0, "mode": 0.9, "high": 1.0, "lambda": 2.0},
    ],
    "dirichlet": [
        {"dist": "dirichlet", "counts": {"engaged": 30, "tapering": 12, "lapsed": 3}},
        {"dist": "dirichlet", "counts": [0.5, 2.0]},
    ],
    "empirical": [{"dist": "empirical", "values": [3.1, 2.0, 5.5, 2.0, 4.25, 7.0, 1.5]}],
}
ALL_SPECS = [spec for specs in EXAMPLES.values() for spec in specs]
SPEC_IDS = [f"{spec['dist']}-{'-'.join(k for k in spec if k != 'dist')}" for spec in ALL_SPECS]
UNIVARIATE = [s for s in ALL_SPECS if s["dist"] != "dirichlet"]
UNIVARIATE_IDS = [i for s, i in zip(ALL_SPECS, SPEC_IDS) if s["dist"] != "dirichlet"]
# Continuous distributions are exact inverses of each other; fixed and empirical are step functions.
CONTINUOUS = [s for s in UNIVARIATE if s["dist"] not in ("fixed", "empirical")]
CONTINUOUS_IDS = [i for s, i in zip(UNIVARIATE, UNIVARIATE_IDS) if s["dist"] not in ("fixed", "empirical")]


@pytest.fixture(params=ALL_SPECS, ids=SPEC_IDS)
def spec(request) -> dict:
    return request.param


def test_every_distribution_has_examples():
    assert set(EXAMPLES) == set(DISTRIBUTIONS)
    for name, cls in DISTRIBUTIONS.items():
        assert cls.name == name
        assert issubclass(cls, Distribution)
        used = {tuple(k for k in s if k not in ("dist", "lambda")) for s in EXAMPLES[name]}
        declared = {tuple("se" if k == "sd" else k for k in keys) for keys in cls.parameterizations}
        assert {tuple("se" if k == "sd" else k for k in keys) for keys in used} == declared, name


# --------------------------------------------------------------------------- contract tests


def test_interface(spec, rng):
    dist = make_distribution(spec)
    assert dist.name == spec["dist"]
    assert dataclasses.is_dataclass(dist)
    with pytest.raises(dataclasses.FrozenInstanceError):
        dist.name_of_anything = 1  # type: ignore[attr-defined]
    hash(dist)
    assert make_distribution(spec) == dist
    k = dist.dimension
    draws = dist.draw(rng, 5)
    assert draws.shape == ((5,) if k == 1 else (5, k))
    assert np.all(np.isfinite(draws))
    assert np.shape(dist.mean) == np.shape(dist.sd) == (() if k == 1 else (k,))


@pytest.mark.parametrize("how", ["draw", "sample"])
def test_moments_of_200k_draws(spec, how, rng):
    """Sample mean and SD of 200,000 draws (``draw``: inverse CDF; ``sample``: direct samplers) agree
    with the distribution's moments.

    Tolerance: 5 Monte Carlo standard errors. SE(mean) = sd / sqrt(n);
    SE(sd) ~ sqrt((mu4 - sd^4) / n) / (2 sd), with the fourth central moment mu4 taken from the
    sample. There are about 45 such checks; with 5 SE the chance that any one fails for a correct
    implementation is below 1e-4 (two-sided tail 5.7e-7 each), while a bias of 1.2% of an SD is
    still caught.
    """
    dist = make_distribution(spec)
    n = 200_000
    x = getattr(dist, how)(rng, n).reshape(n, -1)
    mean = np.atleast_1d(dist.mean)
    sd = np.atleast_1d(dist.sd)
    sample_sd = x.std(axis=0, ddof=1)
    centred = x - x.mean(axis=0)
    mu4 = (centred**4).mean(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        se_sd = np.where(sd > 0, np.sqrt(np.maximum(mu4 - sample_sd**4, 0.0) / n) / (2.0 * sample_sd), 0.0)
    assert np.all(np.abs(x.mean(axis=0) - mean) <= 5.0 * sd / math.sqrt(n) + 1e-12 * np.abs(mean))
    assert np.all(np.abs(sample_sd - sd) <= 5.0 * se_sd + 1e-12)


def test_draw_is_ppf_of_the_generator_uniforms(spec):
    dist = make_distribution(spec)
    shape = (50,) if dist.dimension == 1 else (50, dist.dimension)
    expected = dist.ppf(clip_to_open_unit(np.random.default_rng(7).random(shape)))
    np.testing.assert_array_equal(dist.draw(np.random.default_rng(7), 50), expected)
    np.testing.assert_array_equal(dist.draw(np.random.default_rng(7), 50), dist.draw(np.random.default_rng(7), 50))


@pytest.mark.parametrize("spec", CONTINUOUS, ids=CONTINUOUS_IDS)
def test_sample_follows_the_cdf(spec, rng):
    """Direct samples pass a Kolmogorov-Smirnov test against the distribution's own cdf.

    n = 50,000; the test fails below p = 1e-4 (a correct sampler fails one of these ~12 checks with
    chance ~1e-3), while a shift of 2% of an SD in any quantile is detected (KS distance
    ~1.36 / sqrt(n) = 0.006 at the 5% level).
    """
    from scipy import stats

    dist = make_distribution(spec)
    x = dist.sample(rng, 50_000)
    assert x.shape == (50_000,) and np.all((x >= dist.support[0]) & (x <= dist.support[1]))
    assert stats.kstest(x, dist.cdf).pvalue > 1e-4


def test_dirichlet_sample_marginals_are_beta(rng):
    """Each component of direct Dirichlet samples is Beta(alpha_i, alpha_0 - alpha_i) (KS as above)."""
    from scipy import stats

    n = 50_000
    for counts in ({"a": 30, "b": 12, "c": 3}, [0.5, 2.0], [0.01, 0.05, 0.02]):
        dist = make_distribution({"dist": "dirichlet", "counts": counts})
        x = dist.sample(rng, n)
        np.testing.assert_allclose(x.sum(axis=1), 1.0, rtol=0, atol=1e-12)
        for i, name in enumerate(dist.component_names):
            marginal = dist.marginal(name)
            if min(dist.counts) >= 0.1:
                assert stats.kstest(x[:, i], marginal.cdf).pvalue > 1e-4, (counts, name)
            else:
                # Concentrations below 0.1 put most mass within 1e-30 of 0 or 1, where doubles tie
                # (KS assumes no ties): compare P(X <= t) with the cdf instead, within 5 binomial SE.
                for t in (1e-12, 1e-3, 0.5, 0.999):
                    p = float(marginal.cdf(t))
                    assert abs((x[:, i] <= t).mean() - p) <= 5 * math.sqrt(p * (1 - p) / n) + 1e-12, (counts, name, t)


def test_sample_is_reproducible_and_consumes_the_stream_row_by_row(spec):
    dist = make_distribution(spec)
    a = dist.sample(np.random.default_rng(7), 400)
    np.testing.assert_array_equal(a, dist.sample(np.random.default_rng(7), 400))
    np.testing.assert_array_equal(a[:150], dist.sample(np.random.default_rng(7), 150))
    assert a.shape == ((400,) if dist.dimension == 1 else (400, dist.dimension))


@pytest.mark.parametrize("spec", UNIVARIATE, ids=UNIVARIATE_IDS)
def test_interval_is_central_quantiles(spec):
    dist = make_distribution(spec)
    lo, hi = dist.interval(0.9)
    # (1 - 0.9) / 2 is 0.04999999999999999 in floating point, hence approx rather than ==.
    assert (lo, hi) == pytest.approx(tuple(dist.ppf(np.array([0.05, 0.95]))), rel=1e-12)
    assert dist.support[0] <= lo <= hi <= dist.support[1]
    with pytest.raises(ValueError, match=r"level must be between 0 and 1.*\(got 1.5\)"):
        dist.interval(1.5)


@pytest.mark.parametrize("spec", UNIVARIATE, ids=UNIVARIATE_IDS)
def test_ppf_rejects_probabilities_outside_0_1(spec):
    with pytest.raises(ValueError, match=r"ppf needs probabilities in \[0, 1\]"):
        make_distribution(spec).ppf(np.array([0.5, 1.2]))


# Hypothesis stays away from the extreme tails: below 1e-6 the quantiles of the heavier-tailed
# examples approach underflow, where ppf is exact but cdf can no longer resolve u.
UNIT = st.floats(min_value=1e-6, max_value=1 - 1e-6)


@pytest.mark.parametrize("spec", CONTINUOUS, ids=CONTINUOUS_IDS)
@settings(max_examples=60, deadline=None)
@given(u=UNIT)
def test_cdf_of_ppf_is_identity(spec, u):
    dist = make_distribution(spec)
    # 1e-12 absolute: the special functions are accurate to a few ulp of u (measured <= 5e-15).
    assert dist.cdf(dist.ppf(np.array([u])))[0] == pytest.approx(u, abs=1e-12)


@pytest.mark.parametrize("spec", CONTINUOUS, ids=CONTINUOUS_IDS)
@settings(max_examples=60, deadline=None)
@given(v=UNIT)
def test_ppf_of_cdf_is_identity(spec, v):
    dist = make_distribution(spec)
    x = dist.ppf(np.array([v]))[0]  # a point in the body of the distribution, chosen via v
    # Relative to |x| + sd: x near 0 has no meaningful relative error (measured <= 5e-15).
    assert abs(dist.ppf(dist.cdf(np.array([x])))[0] - x) <= 1e-10 * (abs(x) + dist.sd)


@pytest.mark.parametrize("spec", [s for s in UNIVARIATE if s["dist"] in ("fixed", "empirical")])
@settings(max_examples=100, deadline=None)
@given(u=st.floats(min_value=UNIT_EPS, max_value=1.0))
def test_step_ppf_is_generalised_inverse_of_cdf(spec, u):
    """For a step CDF F, Q(u) = min{x : F(x) >= u}, so F(Q(u)) >= u > F(Q(u)-)."""
    dist = make_distribution(spec)
    q = dist.ppf(np.array([u]))
    assert dist.cdf(q)[0] >= u
    assert dist.cdf(np.nextafter(q, -np.inf))[0] < u


# --------------------------------------------------------------------------- particular distributions


@settings(max_examples=200, deadline=None)
@given(mean=st.floats(0.001, 0.999), fraction=st.floats(0.001, 0.999))
def test_beta_method_of_moments_recovers_mean_and_se(mean, fraction):
    se = fraction * math.sqrt(mean * (1 - mean))
    dist = make_distribution({"dist": "beta", "mean": mean, "se": se})
    # Closed-form inversion: only floating-point rounding separates the moments from the inputs.
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.sd == pytest.approx(se, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(mean=st.floats(1e-4, 1e6), cv=st.floats(1e-3, 20.0))
def test_gamma_method_of_moments_recovers_mean_and_se(mean, cv):
    dist = make_distribution({"dist": "gamma", "mean": mean, "se": cv * mean})
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.sd == pytest.approx(cv * mean, rel=1e-12)


@settings(max_examples=200, deadline=None)
@given(mean=st.floats(1e-4, 1e6), cv=st.floats(1e-3, 20.0))
def test_lognormal_method_of_moments_recovers_mean_and_se(mean, cv):
    dist = make_distribution({"dist": "lognormal", "mean": mean, "se": cv * mean})
    assert dist.mean == pytest.approx(mean, rel=1e-12)
    assert dist.sd == pytest.approx(cv * mean, rel=1e-9)


def test_natural_parameters_from_moments():
    # alpha = m (m(1-m)/s^2 - 1) = 0.3 * 20 = 6, beta = 0.7 * 20 = 14.
    beta = make_distribution({"dist": "beta", "mean": 0.3, "se": 0.1})
    assert (beta.alpha, beta.beta) == pytest.approx((6.0, 14.0), rel=1e-14)
    assert make_distribution({"dist": "beta", "events": 12, "n": 80}) == Beta(alpha=12.0, beta=68.0)
    gamma = make_distribution({"dist": "gamma", "mean": 120.0, "se": 30.0})
    assert (gamma.shape, gamma.scale) == (16.0, 7.5)
    # sd is accepted for se.
    assert make_distribution({"dist": "gamma", "mean": 120.0, "sd": 30.0}) == gamma


def test_interval_specs_reproduce_their_interval():
    normal = make_distribution({"dist": "normal", "mean": 0.25, "ci95": [0.13, 0.37]})
    assert normal.interval() == pytest.approx((0.13, 0.37), rel=1e-12)
    hr = make_distribution({"dist": "lognormal", "median": 0.75, "ci95": [0.6, 0.9375]})
    assert hr.interval() == pytest.approx((0.6, 0.9375), rel=1e-12)
    assert hr.ppf(np.array([0.5]))[0] == pytest.approx(0.75, rel=1e-15)


def test_pert_and_triangular_moments():
    pert = make_distribution({"dist": "pert", "low": 10.0, "mode": 12.0, "high": 20.0})
    assert pert.mean == pytest.approx((10 + 4 * 12 + 20) / 6)
    # Classic PERT: alpha = 1 + 4 (12 - 10) / 10 = 1.8, beta = 1 + 4 (20 - 12) / 10 = 4.2.
    assert pert.sd == pytest.approx(10 * math.sqrt(1.8 * 4.2 / (6**2 * 7)))
    tri = make_distribution({"dist": "triangular", "low": 0.0, "mode": 2.0, "high": 10.0})
    assert tri.mean == pytest.approx(4.0)
    assert tri.sd == pytest.approx(math.sqrt((0 + 100 + 4 - 0 - 0 - 20) / 18))


def test_dirichlet_rows_sum_to_one_and_keep_names(rng):
    dist = make_distribution({"dist": "dirichlet", "counts": {"engaged": 30, "tapering": 12, "lapsed": 3}})
    assert dist.component_names == ("engaged", "tapering", "lapsed")
    assert dist.dimension == 3
    draws = dist.draw(rng, 1000)
    np.testing.assert_allclose(draws.sum(axis=1), 1.0, rtol=0, atol=1e-14)
    assert np.all(draws > 0)
    np.testing.assert_allclose(dist.mean, [30 / 45, 12 / 45, 3 / 45])
    assert dist.marginal("lapsed") == Beta(alpha=3.0, beta=42.0)
    assert make_distribution({"dist": "dirichlet", "counts": [1, 2]}).component_names == ("0", "1")
    with pytest.raises(TypeError, match="marginal"):
        dist.cdf(np.array([0.5]))
    with pytest.raises(TypeError, match="marginal"):
        dist.interval()
    with pytest.raises(ValueError, match=r"last axis of length 3 \(got shape \(4, 2\)\)"):
        dist.ppf(np.full((4, 2), 0.5))


def test_dirichlet_ppf_is_normalised_gamma_quantiles():
    from scipy import stats

    dist = Dirichlet(counts=(2.0, 3.0, 5.0))
    u = np.array([[0.1, 0.5, 0.9], [0.7, 0.2, 0.4]])
    g = stats.gamma.ppf(u, [2.0, 3.0, 5.0])
    np.testing.assert_allclose(dist.ppf(u), g / g.sum(axis=1, keepdims=True), rtol=1e-12)


def test_dirichlet_small_counts_do_not_underflow_to_nan():
    # Gamma(0.01) quantiles of u < ~1e-3 underflow to 0; the log-scale fallback keeps rows valid.
    dist = Dirichlet(counts=(0.01, 0.01, 0.01))
    u = np.array([[1e-4, 1e-5, 1e-6], [0.5, 1e-300, 0.5]])
    out = dist.ppf(u)
    assert np.all(np.isfinite(out))
    np.testing.assert_allclose(out.sum(axis=1), 1.0)
    assert out[0, 0] == pytest.approx(1.0)  # the largest u dominates by orders of magnitude


def test_empirical_ppf_picks_sorted_values():
    values = [3.1, 2.0, 5.5, 2.0, 4.25, 7.0, 1.5]
    dist = make_distribution({"dist": "empirical", "values": values})
    u = np.array([1e-9, 1 / 7, 1 / 7 + 1e-12, 0.5, 6 / 7 + 1e-12, 1.0])
    expected = np.sort(values)[np.ceil(u * 7).astype(int) - 1]
    np.testing.assert_array_equal(dist.ppf(u), expected)
    assert dist.sd == pytest.approx(np.std(values))  # divisor n: the SD of one resample
    assert isinstance(dist, Empirical) and dist.support == (1.5, 7.0)


def test_empirical_draws_are_resamples(rng):
    values = np.array([3.1, 2.0, 5.5, 2.0, 4.25, 7.0, 1.5])
    draws = make_distribution({"dist": "empirical", "values": values}).draw(rng, 70_000)
    assert set(np.unique(draws)) <= set(values)
    # Each distinct value is drawn with probability (its multiplicity) / 7; 5 binomial SEs.
    for v in np.unique(values):
        p = np.mean(values == v)
        assert abs(np.mean(draws == v) - p) <= 5 * math.sqrt(p * (1 - p) / draws.size)


def test_fixed():
    dist = make_distribution({"dist": "fixed", "value": 3.5})
    assert dist == Fixed(3.5)
    np.testing.assert_array_equal(dist.ppf(np.array([0.0, 0.3, 1.0])), 3.5)
    assert (dist.mean, dist.sd, dist.interval()) == (3.5, 0.0, (3.5, 3.5))


# --------------------------------------------------------------------------- point values


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({"dist": "beta", "mean": 0.3, "se": 0.1, "value": 0.28}, 0.28),  # explicit value wins
        ({"dist": "beta", "mean": 0.3, "se": 0.1}, 0.3),  # then the mean key
        ({"dist": "lognormal", "median": 0.75, "ci95": [0.6, 0.94]}, 0.75),  # then the median key
        ({"dist": "beta", "alpha": 6, "beta": 14}, 0.3),  # else the distribution mean
        ({"dist": "pert", "low": 10, "mode": 12, "high": 20}, 13.0),
        ({"dist": "fixed", "value": 2.5}, 2.5),
        ({"dist": "empirical", "values": [1.0, 2.0, 6.0]}, 3.0),
    ],
)
def test_point_value_rule(spec, expected):
    assert point_value(spec) == pytest.approx(expected)


def test_point_value_of_dirichlet():
    spec = {"dist": "dirichlet", "counts": {"a": 1, "b": 3}}
    np.testing.assert_allclose(point_value(spec), [0.25, 0.75])
    np.testing.assert_allclose(point_value({**spec, "value": {"a": 0.2, "b": 0.8}}), [0.2, 0.8])
    np.testing.assert_allclose(point_value({**spec, "value": [0.2, 0.8]}), [0.2, 0.8])


def test_value_is_allowed_on_every_distribution(spec):
    dist = make_distribution(spec)
    value = point_value(spec)
    assert make_distribution({**spec, "value": value if dist.dimension == 1 else list(value)}) == dist


# --------------------------------------------------------------------------- bad specs

BAD_SPECS = [
    # (spec, key, message pattern)
    (0.3, "", r"must be a mapping with a 'dist' key \(got 0.3, a float\)"),
    ({"mean": 0.3, "se": 0.1}, "dist", r"needs a 'dist' key naming one of: fixed, normal"),
    ({"dist": "betta", "mean": 0.3, "se": 0.1}, "dist", r"unknown distribution 'betta'; allowed: .*did you mean 'beta'\?"),
    ({"dist": 3}, "dist", r"unknown distribution 3; allowed: fixed"),
    ({"dist": "gamma", "mena": 1.0, "se": 2.0}, "mena", r"gamma has no key 'mena'; allowed: mean, se \(or sd\) \| shape, scale; did you mean 'mean'"),
    ({"dist": "beta", "mean": 0.3}, "se", r"beta with mean also needs se; give one of: mean, se \(or sd\) \| alpha, beta \| events, n"),
    ({"dist": "beta"}, "mean", r"beta needs its parameters; give one of: mean, se"),
    ({"dist": "beta", "mean": 0.3, "se": 0.1, "alpha": 2}, "alpha", r"beta: 'alpha' cannot be combined with mean, se; give exactly one of"),
    ({"dist": "gamma", "mean": 1.0, "se": 0.1, "sd": 0.1}, "sd", r"gamma got both 'se' and 'sd'; give only one"),
    ({"dist": "beta", "mean": "0.3", "se": 0.1}, "mean", r"beta: mean must be a number \(got '0.3', a str\); remove the quotes"),
    ({"dist": "gamma", "mean": 1.0, "se": "1e-3"}, "se", r"write exponents with a decimal point \(1.0e-3, not 1e-3\)"),
    ({"dist": "gamma", "mean": True, "se": 0.1}, "mean", r"gamma: mean must be a number \(got True, a bool\)"),
    ({"dist": "normal", "mean": float("nan"), "se": 0.1}, "mean", r"normal: mean must be a finite number \(got nan\)"),
    ({"dist": "beta", "mean": 0.3, "se": 0.6}, "se", r"^se: beta with mean 0.3 needs se < sqrt\(mean\*\(1-mean\)\) = 0.458 \(got 0.6\)$"),
    ({"dist": "beta", "mean": 0.3, "sd": 0.6}, "sd", r"beta with mean 0.3 needs sd < sqrt\(mean\*\(1-mean\)\) = 0.458 \(got 0.6\)"),
    ({"dist": "beta", "mean": 1.2, "se": 0.1}, "mean", r"beta: mean must be between 0 and 1, exclusive \(got 1.2\)"),
    ({"dist": "beta", "mean": 0.3, "se": 0}, "se", r"beta: se must be > 0 \(got 0\); for a known quantity use dist: fixed"),
    ({"dist": "beta", "events": 0, "n": 20}, "events", r"beta: events must be > 0 \(got 0\); with zero events state a prior"),
    ({"dist": "beta", "events": 20, "n": 20}, "n", r"beta needs events < n \(got events 20, n 20\)"),
    ({"dist": "beta", "alpha": 2, "beta": -1}, "beta", r"beta: beta must be > 0 \(got -1.0\)"),
    ({"dist": "gamma", "mean": -1, "se": 2}, "mean", r"gamma: mean must be > 0 \(got -1\); for a quantity that can be negative use normal"),
    ({"dist": "gamma", "shape": 0, "scale": 2}, "shape", r"gamma: shape must be > 0 \(got 0.0\)"),
    ({"dist": "lognormal", "mean": 0, "se": 2}, "mean", r"lognormal: mean must be > 0 \(got 0\)"),
    ({"dist": "lognormal", "meanlog": 0, "sdlog": 0}, "sdlog", r"lognormal: sdlog must be > 0 \(got 0.0\)"),
    ({"dist": "lognormal", "median": 0.75, "ci95": [0, 0.94]}, "ci95", r"lognormal: ci95 must be positive \(got \[0, 0.94\]\)"),
    ({"dist": "lognormal", "median": 1.2, "ci95": [0.6, 0.94]}, "ci95", r"lognormal: median must lie inside ci95 \(got median 1.2, ci95 \[0.6, 0.94\]\)"),
    ({"dist": "lognormal", "median": 0.7, "ci95": [0.6, 0.94]}, "ci95", r"lognormal with median 0.7 needs a ci95 symmetric on the log scale"),
    ({"dist": "normal", "mean": 1.5, "ci95": [1.2, 1.9]}, "ci95", r"normal with mean 1.5 needs a ci95 symmetric around it: mean - lo = 0.3 but hi - mean = 0.4 .*use lognormal"),
    ({"dist": "normal", "mean": 1.5, "ci95": [1.9, 1.2]}, "ci95", r"normal: ci95 must be \[lo, hi\] with lo < hi \(got \[1.9, 1.2\]\)"),
    ({"dist": "normal", "mean": 1.5, "ci95": [1.2, 1.5, 1.9]}, "ci95", r"normal: ci95 must have 2 numbers \(got 3"),
    ({"dist": "normal", "mean": 1.5, "ci95": "1.2-1.9"}, "ci95", r"normal: ci95 must be a list of numbers \(got '1.2-1.9', a str\)"),
    ({"dist": "normal", "mean": 1.5, "ci95": [1.2, "x"]}, "ci95", r"normal: ci95\[1\] must be a finite number \(got 'x'\)"),
    ({"dist": "normal", "mean": 1.0, "se": -0.1}, "se", r"normal: se must be > 0 \(got -0.1\)"),
    ({"dist": "uniform", "low": 2, "high": 2}, "high", r"uniform needs low < high \(got low 2.0, high 2.0\)"),
    ({"dist": "triangular", "low": 0, "mode": 5, "high": 4}, "mode", r"triangular: mode must lie in \[low, high\] = \[0.0, 4.0\] \(got 5.0\)"),
    ({"dist": "pert", "low": 0, "mode": 1, "high": 4, "lambda": 0}, "lambda", r"pert: lambda must be > 0 \(got 0.0\)"),
    ({"dist": "dirichlet", "counts": {"a": 0, "b": 3}}, "counts", r"dirichlet: counts must all be > 0 \(got 'a': 0.0\); add a prior"),
    ({"dist": "dirichlet", "counts": [4]}, "counts", r"dirichlet needs at least 2 counts \(got 1\)"),
    ({"dist": "dirichlet", "counts": "4, 5"}, "counts", r"dirichlet: counts must be a list of numbers \(got '4, 5', a str\)"),
    ({"dist": "empirical", "values": [1.0]}, "values", r"empirical needs at least 2 values \(got 1\)"),
    ({"dist": "empirical", "values": [1.0, float("inf")]}, "values", r"empirical: values\[1\] must be a finite number \(got inf\)"),
    ({"dist": "beta", "mean": 0.3, "se": 0.1, "value": 1.5}, "value", r"beta: value must lie in \[0, 1\] \(got 1.5\)"),
    ({"dist": "beta", "mean": 0.3, "se": 0.1, "value": "high"}, "value", r"beta: value must be a number \(got 'high', a str\)"),
    ({"dist": "dirichlet", "counts": [1, 2], "value": [0.5, 0.6]}, "value", r"dirichlet: value must be proportions >= 0 summing to 1"),
    ({"dist": "dirichlet", "counts": {"a": 1, "b": 2}, "value": {"b": 0.5, "a": 0.5}}, "value", r"must name the components \['a', 'b'\] in order"),
    ({"dist": "fixed", 1: 2.0}, "1", r"distribution keys must be text \(got 1\)"),
]


@pytest.mark.parametrize(("spec", "key", "pattern"), BAD_SPECS, ids=[f"{i}-{b[1] or 'spec'}" for i, b in enumerate(BAD_SPECS)])
def test_bad_spec_raises_with_key_and_message(spec, key, pattern):
    with pytest.raises(DistributionSpecError, match=pattern) as info:
        make_distribution(spec)
    assert info.value.key == key
    assert str(info.value) == (f"{key}: {info.value.message}" if key else info.value.message)
    # point_value validates the whole spec too.
    with pytest.raises(DistributionSpecError):
        point_value(spec)


def test_spec_error_is_an_econ_value_error():
    err = DistributionSpecError("se", "x")
    assert isinstance(err, ValueError) and isinstance(err, EconError)


def test_direct_construction_is_validated():
    with pytest.raises(DistributionSpecError, match=r"beta: alpha must be > 0 \(got 0.0\)") as info:
        Beta(alpha=0, beta=1)
    assert info.value.key == "alpha"
    with pytest.raises(DistributionSpecError, match="must be a number"):
        Fixed("3")  # type: ignore[arg-type]
