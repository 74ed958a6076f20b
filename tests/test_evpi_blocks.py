"""EVPI vectorised over thresholds and strategies (issue 19): bit for bit the per-threshold loop."""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis.psa.decision import evpi_values


def _loop(wtp, c, e):
    """Reference: one threshold at a time, the plain formula E[max_s NMB] - max_s E[NMB]."""
    out = np.empty(len(wtp))
    for i, lam in enumerate(wtp):
        nmb = np.ascontiguousarray((lam * e - c).T)
        out[i] = nmb.max(axis=0).mean() - nmb.mean(axis=1).max()
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("block", [1, 5, 3 * 1000 + 1, 1 << 18, 1 << 30])
def test_blocks_equal_the_loop_bit_for_bit(seed, block):
    rng = np.random.default_rng(seed)
    n, k = 1000 + seed * 337, 2 + seed % 3
    c = rng.normal(1000.0, 300.0, (n, k))
    e = rng.normal(1.0, 0.2, (n, k))
    wtp = np.linspace(0.0, 5000.0, 37)
    got = evpi_values(wtp, c, e, block_values=block)
    assert np.array_equal(got, _loop(wtp, c, e))
    assert (got >= 0).all()


def test_dominant_strategy_gives_exactly_zero_and_known_value():
    # strategy 1 costs 1 less in every draw, same effect: it wins everywhere, EVPI is exactly 0
    rng = np.random.default_rng(5)
    c0 = rng.normal(100.0, 10.0, 500)
    c = np.column_stack([c0, c0 - 1.0])
    e = np.ones((500, 2))
    assert (evpi_values(np.array([0.0, 10.0, 1e4]), c, e) == 0).all()
    # two strategies, NMB difference d_i = +/-1 with equal frequency: EVPI = E[max(0, d)] - max(0, E d) = 0.5
    d = np.tile([1.0, -1.0], 50)
    c = np.column_stack([np.zeros(100), -d])
    assert evpi_values(np.array([0.0]), c, np.zeros((100, 2)))[0] == 0.5
