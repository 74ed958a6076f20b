"""Percentiles of many long columns, equal to ``numpy.percentile`` (linear method) bit for bit, faster.

``numpy.percentile`` partitions every column whole around six positions (the two order statistics
on each side of each percentile, the minimum and the maximum). A tail percentile of N draws only
needs the few smallest (or largest) values: a strided sample of the column gives a bound that
holds enough of them, the order statistics are then selected within that small subset (checked:
if the subset is too small, the whole column is partitioned), and numpy's own interpolation
(virtual index ``(n - 1) q``, g its fractional part, then ``a + (b - a) g``, or ``b - (b - a)(1 - g)``
for g >= 0.5) is applied to the same two values, so the result is the same number
(tests/test_quantiles.py compares the two on many columns). Columns holding a NaN or an infinity go to ``numpy.percentile``.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

#: Columns shorter than this go to numpy.percentile (nothing to gain).
MIN_LENGTH = 4096
#: One value in this many is looked at to place the bound of a tail.
STRIDE = 32


def percentiles(x: np.ndarray, q: Sequence[float], axis: int = 0) -> np.ndarray:
    """``numpy.percentile(x, q, axis=axis)`` for real ``x`` (linear method), the same values."""
    x = np.asarray(x)
    qs = np.true_divide(np.asarray(q, dtype=float), 100)
    n = x.shape[axis]
    if (n < MIN_LENGTH or x.dtype != np.float64 or qs.ndim != 1 or not np.all((qs >= 0) & (qs <= 1))
            or not np.isfinite(x).all()):
        return np.percentile(x, q, axis=axis)
    cols = np.moveaxis(x, axis, -1)
    shape = cols.shape[:-1]
    return _row_percentiles(np.ascontiguousarray(cols.reshape(-1, n)), qs).reshape((qs.size,) + shape)


def row_percentiles(rows: np.ndarray, q: Sequence[float]) -> np.ndarray:
    """``numpy.percentile(rows, q, axis=1)`` for a 2-d float array, the same values, shape (len(q), rows).

    The sampled bounds, the comparisons and the extraction of the tails run over all rows at once;
    only the selection within each row's small tail is a loop over rows.
    """
    rows = np.asarray(rows)
    qs = np.true_divide(np.asarray(q, dtype=float), 100)
    R, n = rows.shape
    if (n < MIN_LENGTH or rows.dtype != np.float64 or qs.ndim != 1 or not np.all((qs >= 0) & (qs <= 1))
            or not np.isfinite(rows).all()):
        return np.percentile(rows, q, axis=1)
    return _row_percentiles(rows, qs)


def _row_percentiles(rows: np.ndarray, qs: np.ndarray) -> np.ndarray:
    """:func:`row_percentiles` of checked rows (finite float64, long enough), ``qs`` in [0, 1]."""
    n = rows.shape[1]
    virtual = (n - 1) * qs  # numpy's virtual index for the linear method
    prev = np.floor(virtual)
    nxt = prev + 1
    above, below = virtual >= n - 1, virtual < 0
    prev[above], nxt[above] = n - 1, n - 1
    prev[below], nxt[below] = 0, 0
    gamma = virtual - np.floor(virtual)
    wanted = sorted({int(i) for i in np.concatenate([prev, nxt])})
    value = _order_statistics(np.ascontiguousarray(rows), wanted)  # (rows, ranks)
    where = {k: j for j, k in enumerate(wanted)}
    a = value[:, [where[int(i)] for i in prev]].T  # (q, rows)
    b = value[:, [where[int(i)] for i in nxt]].T
    diff = b - a
    lerp = a + diff * gamma[:, None]
    np.subtract(b, diff * (1 - gamma[:, None]), out=lerp, where=(gamma >= 0.5)[:, None])
    return lerp


def _order_statistics(rows: np.ndarray, ranks: list[int]) -> np.ndarray:
    """The k-th smallest value (0-based) of each row for each k in ``ranks``: (rows, ranks)."""
    R, n = rows.shape
    found = np.full((R, len(ranks)), np.nan)
    done = np.zeros((R, len(ranks)), dtype=bool)
    sample = np.sort(rows[:, ::STRIDE], axis=1)
    flat = sample[:, 0] == sample[:, -1]
    if flat.any():
        lo, hi = rows[flat].min(axis=1), rows[flat].max(axis=1)
        constant = np.flatnonzero(flat)[lo == hi]  # a constant row: every rank is that value
        found[constant] = rows[constant, :1]
        done[constant] = True
    S = sample.shape[1]
    low = [j for j, k in enumerate(ranks) if k < n // 2]
    high = [j for j, k in enumerate(ranks) if k >= n // 2]
    # the smallest `need_lo` and the largest `need_hi` values of each row must be in its subset
    need_lo = max([ranks[j] + 1 for j in low], default=0)
    need_hi = max([n - ranks[j] for j in high], default=0)
    lo = sample[:, min(S - 1, int(need_lo / n * S * 2) + 8)] if low else np.full(R, -np.inf)
    hi = sample[:, max(0, S - 1 - (int(need_hi / n * S * 2) + 8))] if high else np.full(R, np.inf)
    keep = rows <= lo[:, None]
    keep |= rows >= hi[:, None]
    counts = np.count_nonzero(keep, axis=1)
    values = rows[keep]  # both tails of every row, row after row
    ends = np.cumsum(counts)
    for r in np.flatnonzero(~done.all(axis=1)):
        tails = values[ends[r] - counts[r]:ends[r]]
        for slots, side, need in ((low, 0, need_lo), (high, 1, need_hi)):
            subset = tails[tails <= lo[r]] if side == 0 else tails[tails >= hi[r]]
            if not slots or subset.size < need:
                continue
            shift = 0 if side == 0 else n - subset.size
            part = np.partition(subset, [ranks[j] - shift for j in slots])
            found[r, slots] = part[[ranks[j] - shift for j in slots]]
            done[r, slots] = True
    for r in np.flatnonzero(~done.all(axis=1)):
        missing = [j for j in range(len(ranks)) if not done[r, j]]
        part = np.partition(rows[r], [ranks[j] for j in missing])
        found[r, missing] = part[[ranks[j] for j in missing]]
    return found
