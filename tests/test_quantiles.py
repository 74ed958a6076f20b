"""econ.analysis.psa.quantiles.percentiles gives numpy.percentile's numbers exactly (==), faster.

Columns of several lengths (around the cut-over to numpy), normal, heavy-tailed, rounded (many
ties) and constant data, percentiles in the tails, the middle and the ends, along any axis; and
non-finite data (handed to numpy).
"""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis.psa import quantiles


@pytest.mark.parametrize("seed", range(16))
def test_equals_numpy_percentile(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.choice([quantiles.MIN_LENGTH, quantiles.MIN_LENGTH + 1, 10_007, 60_000]))
    kind = seed % 4
    x = rng.normal(size=(n, 2, 3))
    if kind == 1:
        x = rng.standard_cauchy(size=(n, 2, 3))
    elif kind == 2:
        x = np.round(x, 1)
    elif kind == 3:
        x[:, 1, :] = 7.25
    for q in ([2.5, 97.5], [0.0, 100.0], [50.0], [0.01, 99.99, 33.3]):
        for axis in (0, 1) if n < 20_000 else (0,):
            want = np.percentile(x, q, axis=axis)
            got = quantiles.percentiles(x, q, axis=axis)
            assert got.shape == want.shape
            assert np.array_equal(got, want), (q, axis)


def test_subset_too_small_falls_back_to_the_whole_column(monkeypatch):
    x = np.concatenate([np.zeros(9000), np.arange(1000.0)])  # the sampled bound lands inside a tie block
    monkeypatch.setattr(quantiles, "STRIDE", 10_000)
    assert np.array_equal(quantiles.percentiles(x, [2.5, 97.5]), np.percentile(x, [2.5, 97.5]))


def test_non_finite_columns_go_to_numpy():
    x = np.random.default_rng(3).normal(size=(5000, 2))
    x[10, 1] = np.nan
    assert np.array_equal(quantiles.percentiles(x, [2.5, 97.5]), np.percentile(x, [2.5, 97.5], axis=0),
                          equal_nan=True)


@pytest.mark.parametrize("shape", [(200_000, 2, 5), (9_000, 3), (20_000, 1, 2), (5, 2, 2), (8_193, 2, 1), (7, 1),
                                   (1, 3)])
def test_blocked_mean_and_sd_equal_numpy(shape, monkeypatch):
    from econ.analysis.psa import summaries

    rng = np.random.default_rng(len(shape) * 1000 + shape[0])
    x = rng.normal(1_000.0, 300.0, shape)
    mean, sd = summaries._mean_sd(x)
    assert np.array_equal(mean, x.mean(axis=0))
    assert np.array_equal(sd, x.std(axis=0, ddof=1) if shape[0] > 1 else np.full_like(mean, np.nan), equal_nan=True)
    monkeypatch.setattr(summaries, "MEAN_SD_BLOCK", 3)
    again = summaries._mean_sd(x)
    assert np.array_equal(again[0], mean) and np.array_equal(again[1], sd, equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
def test_rows_equal_numpy_percentile(seed):
    """row_percentiles: every row of a (rows, draws) array at once, numpy's numbers, with a constant row,
    a row of ties and a row of one value apart from a few."""
    rng = np.random.default_rng(100 + seed)
    n = int(rng.choice([quantiles.MIN_LENGTH, 9_999, 50_000]))
    rows = rng.normal(size=(7, n))
    rows[1] = rng.standard_cauchy(n)
    rows[2] = 3.5
    rows[3] = np.round(rows[3], 1)
    rows[4] = 0.0
    rows[4, rng.integers(0, n, 5)] = rng.normal(size=5)
    for q in ([2.5, 97.5], [0.0, 100.0], [50.0], [0.01, 99.99, 33.3]):
        assert np.array_equal(quantiles.row_percentiles(rows, q), np.percentile(rows, q, axis=1)), q
