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
    flat = cols.reshape(-1, n)
    virtual = (n - 1) * qs  # numpy's virtual index for the linear method
    prev = np.floor(virtual)
    nxt = prev + 1
    above, below = virtual >= n - 1, virtual < 0
    prev[above], nxt[above] = n - 1, n - 1
    prev[below], nxt[below] = 0, 0
    gamma = virtual - np.floor(virtual)
    wanted = sorted({int(i) for i in np.concatenate([prev, nxt])})
    out = np.empty((qs.size, flat.shape[0]))
    for r, column in enumerate(flat):
        value = _order_statistics(column, wanted)
        a = np.array([value[int(i)] for i in prev])
        b = np.array([value[int(i)] for i in nxt])
        diff = b - a
        lerp = a + diff * gamma
        np.subtract(b, diff * (1 - gamma), out=lerp, where=gamma >= 0.5)
        out[:, r] = lerp
    return out.reshape((qs.size,) + shape)


def _order_statistics(column: np.ndarray, ranks: list[int]) -> dict[int, float]:
    """The k-th smallest value (0-based) of ``column`` for each k in ``ranks``."""
    n = column.size
    low = [k for k in ranks if k < n // 2]
    high = [k for k in ranks if k >= n // 2]
    found: dict[int, float] = {}
    sample = np.sort(column[::STRIDE])
    if sample[0] == sample[-1]:
        lo, hi = column.min(), column.max()
        if lo == hi:  # a constant column (e.g. the reference strategy's increments): every rank is that value
            return {k: lo for k in ranks}
    if low:
        need = max(low) + 1  # the smallest `need` values must all be in the subset
        j = min(sample.size - 1, int(need / n * sample.size * 2) + 8)
        subset = column[column <= sample[j]]
        if subset.size >= need:
            part = np.partition(subset, low)
            found.update({k: part[k] for k in low})
    if high:
        need = n - min(high)  # the largest `need` values
        j = max(0, sample.size - 1 - (int(need / n * sample.size * 2) + 8))
        subset = column[column >= sample[j]]
        if subset.size >= need:
            shift = n - subset.size
            part = np.partition(subset, [k - shift for k in high])
            found.update({k: part[k - shift] for k in high})
    missing = [k for k in ranks if k not in found]
    if missing:
        part = np.partition(column, missing)
        found.update({k: part[k] for k in missing})
    return found
