"""Subgroup effects (econ.inputs.subgroup_effects): interval coverage, interaction test size and power."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from econ.core.errors import DataError
from econ.inputs.estimators import Outcomes
from econ.inputs.subgroup_effects import COLUMNS, interaction_test, subgroup_effects


def _outcomes(rng, n, shift):
    """Skewed baseline (gamma), follow-up = 0.6 baseline + noise + shift per person (the mean change differs
    by subgroup only through ``shift``)."""
    b = rng.gamma(2.0, 1.5, n)
    f = 0.6 * b + rng.gamma(2.0, 0.5, n) - 1.0 + shift
    return Outcomes(("cost",), ("cost",), b[:, None], f[:, None], np.ones(n, dtype=bool), {}, has_group_column=False)


def _truth(shift):
    # E[f - b] = -0.4 E[b] + E[gamma(2, 0.5)] - 1 + shift = -0.4 * 3 + 1 - 1 + shift
    return -1.2 + shift


def test_interaction_test_closed_form():
    """Two subgroups: Q = (a - b)^2 / (va + vb), the square of Altman & Bland's z."""
    q, df, p = interaction_test([1.0, 0.2], [0.04, 0.09])
    assert q == pytest.approx(0.8**2 / 0.13) and df == 1
    assert p == pytest.approx(2 * stats.norm.sf(0.8 / np.sqrt(0.13)))
    assert np.isnan(interaction_test([1.0], [0.1])[2])
    assert np.isnan(interaction_test([1.0, 2.0], [0.1, 0.0])[2])  # a subgroup without variance is left out


def test_null_rejection_near_five_percent_and_intervals_cover():
    """No interaction (same change in 3 subgroups of 40, 60, 100): the test rejects at 5% in about 5% of 300
    seeds (binomial 95% range 2.5% to 7.5%, widened to 2% to 9% for the bootstrap variance), and each
    subgroup's 95% interval covers the truth in about 95% of seeds (at least 90%)."""
    rejections, covered, rows = 0, 0, 0
    seeds = 300
    for seed in range(seeds):
        rng = np.random.default_rng(seed)
        sizes = (40, 60, 100)
        o = _outcomes(rng, sum(sizes), 0.0)
        labels = np.repeat(["a", "b", "c"], sizes)
        table = subgroup_effects(o, labels, variable="area", n_boot=300, rng=rng)
        rejections += table["interaction_p"].iloc[0] < 0.05
        covered += int(((table["low"] <= _truth(0)) & (_truth(0) <= table["high"])).sum())
        rows += len(table)
    assert 0.02 <= rejections / seeds <= 0.09, rejections / seeds
    assert covered / rows >= 0.90, covered / rows


def test_interaction_test_detects_a_real_difference():
    """A shift of 1.5 (about 1.3 SD of the change) between two subgroups of 80: power near 1 over 20 seeds."""
    hits = 0
    for seed in range(20):
        rng = np.random.default_rng(1000 + seed)
        o = _outcomes(rng, 160, np.repeat([0.0, 1.5], 80))
        table = subgroup_effects(o, np.repeat(["no", "yes"], 80), variable="bme", n_boot=300, rng=rng)
        hits += table["interaction_p"].iloc[0] < 0.05
        assert table.set_index("value").loc["yes", "mean"] > table.set_index("value").loc["no", "mean"]
    assert hits >= 18


def test_table_columns_small_sample_warning_and_clusters():
    rng = np.random.default_rng(5)
    o = _outcomes(rng, 70, 0.0)
    labels = np.array(["big"] * 50 + ["small"] * 20)
    clusters = np.array([f"c{k % 10}" for k in range(70)])
    table = subgroup_effects(o, labels, variable="area", n_boot=200, rng=rng, clusters=clusters)
    assert tuple(table.columns) == COLUMNS
    warn = table.set_index("value")["warning"]
    assert warn["big"] == "" and "small sample: 20 people (< 30)" in warn["small"]
    assert (table["low"] < table["mean"]).all() and (table["mean"] < table["high"]).all()
    with pytest.raises(DataError, match="3 subgroup labels for 70 people"):
        subgroup_effects(o, ["a", "b", "c"], variable="area", n_boot=10)
