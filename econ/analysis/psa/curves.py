"""Cumulative PSA curves: net cost by cycle over the draws and the net-cost acceptability curve."""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.model.evaluate import evaluate

#: Points of the curve "probability the net cost is at most x".
CURVE_POINTS = 121

#: Draws evaluated at once when per-cycle amounts are needed (memory: chunk x strategies x values x
#: cycles x 16 bytes, about 55 MB for 1,000 draws of the default model).
CYCLE_CHUNK = 1000


def cumulative_band(compiled, table, perspective: str, *, chunk: int = CYCLE_CHUNK) -> pd.DataFrame:
    """Mean and 95% interval of the cumulative net cost per person by cycle over the draws of ``table``.

    Parameters
    ----------
    compiled : CompiledScenario
    table : ParameterTable
        The PSA draws.
    perspective : str
    chunk : int
        Draws evaluated at once (per-cycle amounts are large; only the cumulative net cost is kept).

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy`` (non-reference), ``cycle`` (1..T), ``mean``, ``lower`` (2.5th percentile),
        ``upper`` (97.5th percentile), money per person, discounted.
    """
    from econ.analysis.offset import cumulative_net_cost

    parts = []
    for start in range(0, table.n_draws, chunk):
        ev = evaluate(compiled, table.slice(start, min(start + chunk, table.n_draws)), keep_cycles=True)
        parts.append(cumulative_net_cost(compiled, ev, perspective))
    cum = np.concatenate(parts, axis=0)  # (draws, strategies, cycles)
    strategies = list(ev.strategies)
    frames = []
    for k, s in enumerate(strategies):
        if s == compiled.reference:
            continue
        lo, hi = np.percentile(cum[:, k, :], [2.5, 97.5], axis=0)
        frames.append(pd.DataFrame({"strategy": s, "cycle": np.arange(1, cum.shape[2] + 1),
                                    "mean": cum[:, k, :].mean(axis=0), "lower": lo, "upper": hi}))
    return pd.concat(frames, ignore_index=True)


def net_cost_curve(per_draw: pd.DataFrame, *, points: int = CURVE_POINTS) -> pd.DataFrame:
    """Probability that the net cost per person is at most x, over a grid of x (the empirical CDF).

    This is the acceptability curve of a cost-offset decision: with a willingness to pay of x per
    person supported, the programme is acceptable in a draw when its net cost is <= x.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold`` (money per person), ``strategy``, ``probability``.
    """
    x = per_draw["net_cost"].to_numpy(float)
    lo, hi = np.nanpercentile(x, [0.5, 99.5])
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    grid = np.linspace(lo, hi, points)
    frames = []
    for s, part in per_draw.groupby("strategy", sort=False):
        v = np.sort(part["net_cost"].to_numpy(float))
        frames.append(pd.DataFrame({"threshold": grid, "strategy": s,
                                    "probability": np.searchsorted(v, grid, side="right") / v.size}))
    return pd.concat(frames, ignore_index=True)
