"""Tests of econ.uncertainty.sampling: uniform designs, Gaussian copula, nearest correlation, parameter draws."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from scipy import stats

from econ.uncertainty.distributions import UNIT_EPS, make_distribution
from econ.core.errors import EconWarning
from econ.uncertainty.sampling import (
    CorrelationError,
    CorrelationRepairWarning,
    DesignError,
    apply_copula,
    check_correlation,
    draw_parameters,
    input_streams,
    nearest_correlation,
    spearman_to_pearson,
    uniform_design,
)

# The ``rng`` fixture (seed printed, overridable with PEER_ECON_TEST_SEED) is in conftest.py;
# tests that compare two runs build their own generators from literal seeds.
METHODS = ["monte_carlo", "latin_hypercube", "sobol"]


def spearman_tolerance(n: int) -> float:
    """4 standard errors of a sample Spearman correlation of n pairs.

    Var(r_s) = 1 / (n - 1) under independence, and dependence only shrinks it, so 4 / sqrt(n - 1)
    is at least 4 SE (two-sided chance of a false failure below 1e-4 per check).
    """
    return 4.0 / math.sqrt(n - 1)


def expected_spearman(rho: float) -> float:
    """Spearman correlation of a bivariate normal with Pearson correlation rho."""
    return 6.0 / math.pi * math.asin(rho / 2.0)


@pytest.fixture
def dists():
    return {
        "p_lapse": make_distribution({"dist": "beta", "mean": 0.3, "se": 0.1}),
        "c_gp": make_distribution({"dist": "gamma", "mean": 39.0, "se": 8.0}),
        "p_row": make_distribution({"dist": "dirichlet", "counts": {"engaged": 30, "tapering": 12, "lapsed": 3}}),
        "c_fixed": make_distribution({"dist": "fixed", "value": 5.0}),
        "rr_online": make_distribution({"dist": "lognormal", "median": 0.8, "ci95": [0.64, 1.0]}),
    }


# --------------------------------------------------------------------------- designs


@pytest.mark.parametrize("method", METHODS)
def test_design_shape_open_interval_and_reproducible(method):
    u = uniform_design(256, 5, method=method, rng=np.random.default_rng(3))
    assert u.shape == (256, 5) and u.dtype == np.float64
    assert np.all((u > 0.0) & (u < 1.0))
    np.testing.assert_array_equal(u, uniform_design(256, 5, method=method, rng=np.random.default_rng(3)))
    assert not np.array_equal(u, uniform_design(256, 5, method=method, rng=np.random.default_rng(4)))


def test_clipping_keeps_ppf_finite():
    u = uniform_design(4, 1, method="monte_carlo", rng=np.random.default_rng(0))
    from econ.uncertainty.distributions import clip_to_open_unit

    edges = clip_to_open_unit(np.array([0.0, 1.0]))
    assert edges.tolist() == [UNIT_EPS, 1.0 - UNIT_EPS]
    assert np.all(np.isfinite(stats.norm.ppf(edges)))
    assert np.all(np.isfinite(u))


@pytest.mark.parametrize("n", [1, 7, 100, 1000])
def test_latin_hypercube_has_one_point_per_stratum(n, rng):
    u = uniform_design(n, 4, method="latin_hypercube", rng=rng)
    for column in u.T:
        np.testing.assert_array_equal(np.sort(np.floor(column * n).astype(int)), np.arange(n))


def test_sobol_power_of_two_rule(rng):
    with pytest.raises(DesignError, match=r"power of two .*\(got 1000\); use n = 512 or 1024, or method 'latin_hypercube'"):
        uniform_design(1000, 3, method="sobol", rng=rng)
    u = uniform_design(1024, 3, method="sobol", rng=rng)
    # A scrambled Sobol' net with n = 2^m points also has one point per 1/n stratum in each column.
    for column in u.T:
        np.testing.assert_array_equal(np.sort(np.floor(column * 1024).astype(int)), np.arange(1024))


def test_monte_carlo_draws_do_not_depend_on_n():
    small = uniform_design(100, 3, method="monte_carlo", rng=np.random.default_rng(9))
    large = uniform_design(1000, 3, method="monte_carlo", rng=np.random.default_rng(9))
    np.testing.assert_array_equal(large[:100], small)


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"n": 0, "d": 2, "method": "monte_carlo"}, r"n must be an integer >= 1 \(got 0\)"),
        ({"n": 10.0, "d": 2, "method": "monte_carlo"}, r"n must be an integer >= 1 \(got 10.0\)"),
        ({"n": 10, "d": -1, "method": "monte_carlo"}, r"d must be an integer >= 0 \(got -1\)"),
        ({"n": 10, "d": 2, "method": "lhs"}, r"method must be one of monte_carlo, latin_hypercube, sobol \(got 'lhs'\)"),
    ],
)
def test_design_errors(kwargs, pattern, rng):
    with pytest.raises(DesignError, match=pattern):
        uniform_design(rng=rng, **kwargs)


def test_zero_columns(rng):
    assert uniform_design(8, 0, method="sobol", rng=rng).shape == (8, 0)


# --------------------------------------------------------------------------- correlation


def test_spearman_to_pearson():
    assert spearman_to_pearson(0.0) == 0.0
    assert spearman_to_pearson(1.0) == 1.0 and spearman_to_pearson(-1.0) == -1.0
    assert spearman_to_pearson(0.5) == pytest.approx(2 * math.sin(math.pi / 12))
    for rho_s in (-0.9, -0.3, 0.2, 0.7):
        assert expected_spearman(spearman_to_pearson(rho_s)) == pytest.approx(rho_s, abs=1e-14)
    m = spearman_to_pearson(np.array([[1.0, 0.5], [0.5, 1.0]]))
    assert np.diag(m).tolist() == [1.0, 1.0]


def test_valid_correlation_passes():
    assert check_correlation(np.array([[1.0, 0.3], [0.3, 1.0]]), ["a", "b"]) is None
    check_correlation(np.array([[1.0, 1.0], [1.0, 1.0]]))  # singular but PSD


@pytest.mark.parametrize(
    ("matrix", "pattern"),
    [
        ([[1.0, 0.3], [0.2, 1.0]], r"must be symmetric: 1 pair\(s\) differ, e.g. \(a, b\) = 0.3 but \(b, a\) = 0.2"),
        ([[1.0, 0.3], [0.3, 0.9]], r"must have 1 on the diagonal \(got b = 0.9\)"),
        ([[1.0, 1.2], [1.2, 1.0]], r"correlations must lie in \[-1, 1\] \(got \(a, b\) = 1.2\)"),
        ([[1.0, 0.3, 0.1]], r"must be square \(got shape \(1, 3\)\)"),
        ([[1.0, np.nan], [np.nan, 1.0]], r"must be finite"),
    ],
)
def test_check_correlation_names_the_problem(matrix, pattern):
    names = ["a", "b"] if np.shape(matrix) == (2, 2) else None
    with pytest.raises(CorrelationError, match=pattern):
        check_correlation(np.array(matrix), names)


def test_check_correlation_reports_every_problem_and_not_psd():
    with pytest.raises(CorrelationError) as info:
        check_correlation(np.array([[1.0, 0.3], [0.2, 2.0]]), ["a", "b"])
    assert len(info.value.problems) == 2
    not_psd = np.array([[1.0, 0.9, -0.9], [0.9, 1.0, 0.9], [-0.9, 0.9, 1.0]])
    with pytest.raises(CorrelationError, match=r"of a, b, c is not positive semi-definite \(smallest eigenvalue -0.8\).*repair=True"):
        check_correlation(not_psd, ["a", "b", "c"])
    with pytest.raises(CorrelationError, match=r"2 x 2 but 3 names"):
        check_correlation(np.eye(2), ["a", "b", "c"])


def test_nearest_correlation_matches_higham_and_warns():
    a = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 1.0], [0.0, 1.0, 1.0]])
    with pytest.warns(CorrelationRepairWarning, match=r"largest change 0.239 at \(a, b\): 1 -> 0.76069"):
        x = nearest_correlation(a, ["a", "b", "c"])
    # Higham (2002), section 4: the nearest correlation matrix to this A, printed to 4 decimals.
    expected = np.array([[1.0, 0.7607, 0.1573], [0.7607, 1.0, 0.7607], [0.1573, 0.7607, 1.0]])
    np.testing.assert_allclose(x, expected, atol=5e-5)
    np.testing.assert_array_equal(x, x.T)
    assert np.diag(x).tolist() == [1.0, 1.0, 1.0]
    assert np.linalg.eigvalsh(x)[0] >= -1e-12
    check_correlation(x)
    assert issubclass(CorrelationRepairWarning, EconWarning)


def test_nearest_correlation_of_random_matrices_is_valid(rng):
    for _ in range(20):
        b = rng.uniform(-1, 1, size=(6, 6))
        a = (b + b.T) / 2
        np.fill_diagonal(a, 1.0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", CorrelationRepairWarning)
            x = nearest_correlation(a)
        check_correlation(x)


def test_nearest_correlation_leaves_a_valid_matrix_alone():
    c = np.array([[1.0, 0.4], [0.4, 1.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_allclose(nearest_correlation(c), c, atol=1e-12)
    with pytest.raises(CorrelationError, match="symmetric"):
        nearest_correlation(np.array([[1.0, 0.4], [0.1, 1.0]]))


def test_copula_gives_requested_rank_correlation(rng):
    rho_s = np.array([[1.0, 0.6, -0.3], [0.6, 1.0, 0.0], [-0.3, 0.0, 1.0]])
    n = 50_000
    u = apply_copula(uniform_design(n, 3, method="monte_carlo", rng=rng), spearman_to_pearson(rho_s))
    assert np.all((u > 0) & (u < 1))
    observed = stats.spearmanr(u).statistic
    np.testing.assert_allclose(observed, rho_s, atol=spearman_tolerance(n))
    # The copula keeps the margins uniform: Kolmogorov-Smirnov at the 1e-4 level.
    for column in u.T:
        assert stats.kstest(column, "uniform").pvalue > 1e-4


def test_copula_handles_singular_matrices(rng):
    u = uniform_design(1000, 2, method="monte_carlo", rng=rng)
    out = apply_copula(u, np.ones((2, 2)))  # Cholesky fails on this PSD matrix
    np.testing.assert_allclose(out[:, 0], out[:, 1], atol=1e-12)
    np.testing.assert_allclose(out[:, 0], u[:, 0], atol=1e-12)
    # Rank 2 of 3: c is the average of a and b's normal scores, scaled to unit variance.
    rho = math.sqrt(0.5)
    singular = np.array([[1.0, 0.0, rho], [0.0, 1.0, rho], [rho, rho, 1.0]])
    out = apply_copula(uniform_design(20_000, 3, method="monte_carlo", rng=rng), singular)
    z = stats.norm.ppf(out)
    np.testing.assert_allclose(z[:, 2], (z[:, 0] + z[:, 1]) * rho, atol=1e-6)


def test_copula_rejects_bad_input(rng):
    u = uniform_design(10, 2, method="monte_carlo", rng=rng)
    with pytest.raises(CorrelationError, match=r"3 x 3 but u has 2 columns"):
        apply_copula(u, np.eye(3))
    with pytest.raises(CorrelationError, match="not positive semi-definite"):
        apply_copula(np.column_stack([u, u[:, 0]]), np.array([[1, 0.9, -0.9], [0.9, 1, 0.9], [-0.9, 0.9, 1.0]]))


# --------------------------------------------------------------------------- draw_parameters


@pytest.mark.parametrize("method", METHODS)
def test_draw_parameters_assigns_columns_in_mapping_order(dists, method):
    n = 64
    out = draw_parameters(dists, n, method=method, rng=np.random.default_rng(5), monte_carlo_draws="inverse_cdf")
    assert list(out) == list(dists)
    assert out["p_row"].shape == (n, 3) and out["p_lapse"].shape == (n,)
    # Columns: p_lapse 0, c_gp 1, p_row 2-4, c_fixed 5, rr_online 6.
    u = uniform_design(n, 7, method=method, rng=np.random.default_rng(5))
    np.testing.assert_array_equal(out["p_lapse"], dists["p_lapse"].ppf(u[:, 0]))
    np.testing.assert_array_equal(out["c_gp"], dists["c_gp"].ppf(u[:, 1]))
    np.testing.assert_array_equal(out["p_row"], dists["p_row"].ppf(u[:, 2:5]))
    np.testing.assert_array_equal(out["c_fixed"], 5.0)
    np.testing.assert_array_equal(out["rr_online"], dists["rr_online"].ppf(u[:, 6]))


def test_same_seed_same_draws(dists):
    kwargs = dict(method="latin_hypercube", correlation={("c_gp", "p_lapse"): 0.5}, correlation_kind="spearman")
    a = draw_parameters(dists, 100, rng=np.random.default_rng(11), **kwargs)
    b = draw_parameters(dists, 100, rng=np.random.default_rng(11), **kwargs)
    for name in dists:
        np.testing.assert_array_equal(a[name], b[name])


def test_single_inverse_cdf_monte_carlo_parameter_equals_its_own_draw(dists):
    one = {"c_gp": dists["c_gp"]}
    out = draw_parameters(one, 500, method="monte_carlo", rng=np.random.default_rng(2), monte_carlo_draws="inverse_cdf")
    np.testing.assert_array_equal(out["c_gp"], dists["c_gp"].draw(np.random.default_rng(2), 500))


def test_direct_monte_carlo_draws_each_parameter_from_its_own_named_stream(dists):
    out = draw_parameters(dists, 300, method="monte_carlo", rng=np.random.default_rng(2))
    streams = input_streams(np.random.default_rng(2), list(dists))
    for name, dist in dists.items():
        np.testing.assert_array_equal(out[name], dist.sample(streams[name], 300))
    # the default is direct
    assert not np.array_equal(out["c_gp"], draw_parameters(dists, 300, method="monte_carlo", rng=np.random.default_rng(2),
                                                           monte_carlo_draws="inverse_cdf")["c_gp"])


def test_direct_draws_do_not_depend_on_the_other_parameters(dists):
    """Adding, removing or reordering parameters leaves a parameter's direct draws unchanged."""
    full = draw_parameters(dists, 200, method="monte_carlo", rng=np.random.default_rng(9))
    reordered = dict(reversed(list(dists.items())))
    fewer = {k: dists[k] for k in ("p_row", "c_gp")}
    more = {"extra": make_distribution({"dist": "gamma", "mean": 1.0, "se": 0.5}), **dists}
    for other in (reordered, fewer, more):
        drawn = draw_parameters(other, 200, method="monte_carlo", rng=np.random.default_rng(9))
        for name in other:
            if name in full:
                np.testing.assert_array_equal(drawn[name], full[name])
    # the same distribution under two names gets two independent streams
    twin = draw_parameters({"a": dists["c_gp"], "b": dists["c_gp"]}, 2000, method="monte_carlo",
                           rng=np.random.default_rng(9))
    assert abs(stats.spearmanr(twin["a"], twin["b"]).statistic) < spearman_tolerance(2000)


@pytest.mark.parametrize("mc", ["direct", "inverse_cdf"])
def test_monte_carlo_draw_i_does_not_depend_on_n(dists, mc):
    big = draw_parameters(dists, 500, method="monte_carlo", rng=np.random.default_rng(4), monte_carlo_draws=mc)
    small = draw_parameters(dists, 120, method="monte_carlo", rng=np.random.default_rng(4), monte_carlo_draws=mc)
    for name in dists:
        np.testing.assert_array_equal(big[name][:120], small[name])


def test_direct_draws_with_a_correlation_leave_other_parameters_unchanged(dists):
    plain = draw_parameters(dists, 128, method="monte_carlo", rng=np.random.default_rng(8))
    corr = draw_parameters(dists, 128, method="monte_carlo", rng=np.random.default_rng(8),
                           correlation={("p_lapse", "rr_online"): 0.3}, correlation_kind="spearman")
    for name in ("c_gp", "p_row", "c_fixed"):
        np.testing.assert_array_equal(plain[name], corr[name])
    assert not np.array_equal(plain["p_lapse"], corr["p_lapse"])  # now from the copula's stream


def test_unknown_monte_carlo_draws_is_a_design_error(dists):
    rng = np.random.default_rng(1)
    state = rng.bit_generator.state
    with pytest.raises(DesignError, match="monte_carlo_draws must be one of direct, inverse_cdf"):
        draw_parameters(dists, 4, method="monte_carlo", rng=rng, monte_carlo_draws="ppf")
    assert rng.bit_generator.state == state


@pytest.mark.parametrize("method", ["monte_carlo", "latin_hypercube"])
def test_draw_parameters_rank_correlation(dists, method, rng):
    n = 20_000
    out = draw_parameters(
        dists,
        n,
        method=method,
        rng=rng,
        correlation={("p_lapse", "c_gp"): 0.6, ("rr_online", "c_gp"): -0.4},
        correlation_kind="spearman",
    )
    assert stats.spearmanr(out["p_lapse"], out["c_gp"]).statistic == pytest.approx(0.6, abs=spearman_tolerance(n))
    assert stats.spearmanr(out["rr_online"], out["c_gp"]).statistic == pytest.approx(-0.4, abs=spearman_tolerance(n))
    # An unlisted pair is independent (0 in the normal-score matrix), even though both members
    # are correlated with c_gp.
    assert stats.spearmanr(out["p_lapse"], out["rr_online"]).statistic == pytest.approx(0.0, abs=spearman_tolerance(n))


def test_normal_scores_kind_is_not_converted(dists, rng):
    n = 20_000
    out = draw_parameters(
        dists, n, method="monte_carlo", rng=rng, correlation={("p_lapse", "c_gp"): 0.5}, correlation_kind="normal_scores"
    )
    r = stats.spearmanr(out["p_lapse"], out["c_gp"]).statistic
    assert r == pytest.approx(expected_spearman(0.5), abs=spearman_tolerance(n))


def test_correlation_leaves_other_parameters_unchanged(dists):
    plain = draw_parameters(dists, 128, method="sobol", rng=np.random.default_rng(8))
    corr = draw_parameters(
        dists, 128, method="sobol", rng=np.random.default_rng(8),
        correlation={("p_lapse", "rr_online"): 0.3}, correlation_kind="spearman",
    )
    for name in ("c_gp", "p_row", "c_fixed"):
        np.testing.assert_array_equal(plain[name], corr[name])
    # The first row of a Cholesky factor is e_1: only Phi(Phi^-1(u)) rounding separates the draws.
    np.testing.assert_allclose(plain["p_lapse"], corr["p_lapse"], rtol=1e-13)
    assert not np.array_equal(plain["rr_online"], corr["rr_online"])


@pytest.mark.parametrize(
    ("correlation", "kind", "pattern"),
    [
        ({("p_lapse", "c_gp"): 0.5}, None, r"correlation_kind must be 'spearman' .* \(got None\)"),
        ({("p_lapse", "c_xx"): 0.5}, "spearman", r"correlation\[\('p_lapse', 'c_xx'\)\]: unknown parameter 'c_xx'"),
        ({("p_lapse", "p_row"): 0.5}, "spearman", r"'p_row' is a dirichlet"),
        ({("c_gp", "c_gp"): 0.5}, "spearman", r"cannot be correlated with itself"),
        ({("c_gp", "p_lapse"): 1.5}, "spearman", r"must be a number in \[-1, 1\] \(got 1.5\)"),
        ({("c_gp", "p_lapse"): 0.5, ("p_lapse", "c_gp"): 0.4}, "spearman", r"given twice with different values \(0.5 and 0.4\)"),
        ({"c_gp": 0.5}, "spearman", r"keys must be pairs of parameter names"),
        (
            {("p_lapse", "c_gp"): 0.9, ("c_gp", "rr_online"): 0.9, ("p_lapse", "rr_online"): -0.9},
            "spearman",
            r"p_lapse, c_gp, rr_online is not positive semi-definite",
        ),
    ],
)
def test_draw_parameters_correlation_errors(dists, correlation, kind, pattern):
    rng = np.random.default_rng(1)
    with pytest.raises(CorrelationError, match=pattern):
        draw_parameters(dists, 16, method="monte_carlo", rng=rng, correlation=correlation, correlation_kind=kind)
    # Checked before drawing: the generator has not moved.
    assert rng.random() == np.random.default_rng(1).random()


def test_repair_is_explicit_and_warns(dists, rng):
    impossible = {("p_lapse", "c_gp"): 0.9, ("c_gp", "rr_online"): 0.9, ("p_lapse", "rr_online"): -0.9}
    with pytest.warns(CorrelationRepairWarning, match="nearest correlation matrix"):
        out = draw_parameters(
            dists, 256, method="sobol", rng=rng, correlation=impossible, correlation_kind="spearman", repair=True
        )
    assert all(np.all(np.isfinite(v)) for v in out.values())


def test_draw_parameters_rejects_non_distributions(rng):
    with pytest.raises(TypeError, match=r"'x' must be a Distribution \(got float\)"):
        draw_parameters({"x": 0.3}, 4, method="monte_carlo", rng=rng)  # type: ignore[dict-item]
