"""The CEAC computed over draws in blocks (every threshold at once) equals the per-threshold form bit for bit.

``econ.analysis.cea._ceac_by_draws`` (finite inputs) keeps the sum over draws in draw order and the
first-highest winner rule of ``numpy.argmax``, so its expected NMB and probabilities must be equal
(``==``) to ``_ceac_by_thresholds`` and to a plain per-threshold loop, whatever the block size, with
ties, one strategy, one draw and one threshold.
"""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis import cea


def _loop(c, e, lam):
    mean, prob = [], []
    for x in lam:
        nmb = x * e - c
        prob.append(np.bincount(np.argmax(nmb, axis=1), minlength=c.shape[1]) / c.shape[0])
        mean.append(nmb.mean(axis=0))
    return np.array(mean), np.array(prob)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("N,K,T", [(1, 2, 3), (7, 3, 5), (1000, 2, 101), (2500, 5, 41), (333, 1, 7), (64, 4, 1)])
def test_blocks_over_draws_equal_per_threshold(seed, N, K, T, monkeypatch):
    rng = np.random.default_rng(seed)
    c, e = rng.normal(10_000, 2_000, (N, K)), rng.normal(1.0, 0.2, (N, K))
    if seed == 1 and K > 1:  # exact ties: the first strategy wins, as numpy.argmax
        c[:, -1], e[:, -1] = c[:, 0], e[:, 0]
    if seed == 2:
        e = np.round(e, 1)  # many equal NMBs at round thresholds
        c = np.round(c, -3)
    lam = np.linspace(0.0, 100_000.0, T)
    table = cea.acceptability(c, e, lam, [f"s{k}" for k in range(K)])
    by_draws = (table.mean_nmb.to_numpy().reshape(T, K), table.prob_optimal.to_numpy().reshape(T, K))
    for got, want in zip(by_draws, cea._ceac_by_thresholds(c, e, lam)):
        assert np.array_equal(got, want)
    if K > 1:  # one strategy goes the per-threshold way (numpy sums a (draws, 1) column pairwise)
        for got, want in zip(by_draws, _loop(c, e, lam)):
            assert np.array_equal(got, want)
    monkeypatch.setattr(cea, "MAX_NMB_ELEMENTS", 3 * K * T + 1)  # blocks of 3 draws
    if K > 1:
        for got, want in zip(cea._ceac_by_draws(c, e, lam), by_draws):
            assert np.array_equal(got, want)


def test_non_finite_inputs_keep_numpy_argmax_rules():
    c = np.array([[0.0, 1.0], [np.nan, 0.0], [2.0, 1.0]])
    e = np.ones((3, 2))
    table = cea.acceptability(c, e, [0.0, 1.0], ["a", "b"])
    mean, prob = cea._ceac_by_thresholds(c, e, np.array([0.0, 1.0]))
    assert np.array_equal(table.prob_optimal.to_numpy().reshape(2, 2), prob)
    assert np.array_equal(table.mean_nmb.to_numpy().reshape(2, 2), mean, equal_nan=True)
