"""Our Sobol' estimators and bootstrap intervals equal SALib's bit for bit (issue 19: the analysis of 10^6 evaluations)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from SALib.analyze import sobol as salib_sobol

from econ.analysis.gsa.sobol_estimates import sobol_analyze

KEYS = ("S1", "S1_conf", "ST", "ST_conf")


def _problem(D: int, grouped: bool) -> tuple[dict, int]:
    """A SALib problem with D factors: D plain inputs, or 2 D inputs in D groups of two."""
    if not grouped:
        return {"num_vars": D, "names": [f"x{i}" for i in range(D)], "bounds": [[0.0, 1.0]] * D}, D
    d = 2 * D
    return {"num_vars": d, "names": [f"x{i}" for i in range(d)], "bounds": [[0.0, 1.0]] * d,
            "groups": [f"g{i // 2}" for i in range(d)]}, D


def _output(N: int, D: int, second_order: bool, seed: int) -> np.ndarray:
    """A nonlinear model output on a random Saltelli-shaped design (values differ by row type and factor)."""
    rng = np.random.default_rng(seed)
    step = 2 * D + 2 if second_order else D + 2
    x = rng.random((N * step, D))
    w = np.linspace(1.0, 0.1, D)
    return np.sin(x @ w) * 3.0 + x[:, 0] * x[:, -1] ** 2 + 10.0


@pytest.mark.parametrize("N, D, grouped, second_order, seed", [
    (64, 3, False, False, 1), (256, 5, True, False, 7), (128, 4, False, True, 12345),
    (512, 2, True, True, 2**31 - 2), (1024, 6, False, False, 99),
])
def test_equal_to_salib_bit_for_bit(N, D, grouped, second_order, seed):
    problem, D = _problem(D, grouped)
    Y = _output(N, D, second_order, seed)
    ours = sobol_analyze(Y.copy(), D, calc_second_order=second_order, num_resamples=50, conf_level=0.9, seed=seed)
    theirs = salib_sobol.analyze(problem, Y.copy(), calc_second_order=second_order, num_resamples=50,
                                 conf_level=0.9, seed=seed)
    for key in KEYS + (("S2", "S2_conf") if second_order else ()):
        assert np.array_equal(ours[key], theirs[key], equal_nan=True), key
    assert np.all(ours["S1_conf"] > 0) and np.all(np.isfinite(ours["ST"]))  # not a vacuous comparison


def test_constant_block_gives_salib_zeros():
    """A factor whose A and B outputs are constant: SALib's zeros (with its warning), here too."""
    D, N = 3, 64
    Y = np.tile(np.r_[1.0, np.arange(D, dtype=float) + 2.0, 1.0], N)  # A = B = 1 in every block
    problem, _ = _problem(D, False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = sobol_analyze(Y.copy(), D, num_resamples=20, seed=3)
        theirs = salib_sobol.analyze(problem, Y.copy(), calc_second_order=False, num_resamples=20, seed=3)
    for key in KEYS:
        assert np.array_equal(ours[key], theirs[key]), key
    assert np.all(ours["S1"] == 0.0)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="seed"):
        sobol_analyze(np.ones(10), 3, seed=0)
    with pytest.raises(ValueError, match="Saltelli blocks"):
        sobol_analyze(np.ones(11), 3, seed=1)


@pytest.mark.parametrize("block_bytes", [1, 8 * 7 * 8 * 30 + 1, 2**30])
def test_block_size_does_not_change_the_intervals(monkeypatch, block_bytes):
    """The resampled sums carried from block to block: blocks of 1 row, of 8, or all rows at once, equal SALib's."""
    import econ.analysis.gsa.sobol_estimates as est

    monkeypatch.setattr(est, "BLOCK_BYTES", block_bytes)
    problem, D = _problem(7, False)
    Y = _output(200, D, False, 5)
    ours = est.sobol_analyze(Y.copy(), D, num_resamples=30, seed=11)
    theirs = salib_sobol.analyze(problem, Y.copy(), calc_second_order=False, num_resamples=30, seed=11)
    for key in KEYS:
        assert np.array_equal(ours[key], theirs[key]), key
