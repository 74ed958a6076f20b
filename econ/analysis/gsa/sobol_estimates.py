"""Saltelli's Sobol' estimators and their bootstrap intervals, the same numbers as SALib's, with less work.

:func:`SALib.analyze.sobol.analyze` (SALib 1.5) gathers the bootstrap resamples of A, B and AB_j
again for every factor j and estimator (seven N x resamples gathers per factor) and recomputes the
variance of the resampled [A; B] each time. Here:

- the resampled [A; B], its range and its variance are computed once per output;
- each estimator's elementwise term (``B (AB_j - A)``, ``(A - AB_j)^2``, ``BA_j AB_k - A B``) is
  formed on the N base rows and then resampled: ``f(A)[r] == f(A[r])`` element by element, since
  an elementwise operation gives the same number for the same operands wherever they sit;
- the resampled first- and total-order terms of all factors are summed together, a cache-sized
  block of rows at a time, in numpy's order of addition (:func:`resampled_sums`).

Every other reduction (``np.var``, the means of the point estimates, ``std(ddof=1)``) is SALib's own
call on an array of the same shape and layout; a mean is a sum divided by N, as in ``np.mean``; and the resample indices are SALib's
(``numpy.random.default_rng(seed).integers(N, size=(N, resamples))``), so the point estimates and
the intervals equal SALib's bit for bit (tests/test_gsa_sobol_estimates.py compares them with
``==`` on several designs and seeds, grouped and second order).
"""
from __future__ import annotations

import warnings

import numpy as np

_EPS = np.finfo(float).eps
CONST_RESULT_MSG = ("Constant values encountered, indicating model evaluations (or subset of evaluations) "
                    "produced identical values.")


def _ratio(numerator: np.ndarray, y_var) -> np.ndarray:
    y_var = np.asarray(y_var)
    return np.divide(numerator, y_var, out=np.zeros_like(y_var, dtype=np.float64), where=y_var > _EPS)


class _Pooled:
    """[A; B] of the base rows: whether it is constant, and its variance (SALib's ``np.r_``, ``np.ptp``, ``np.var``)."""

    def __init__(self, a: np.ndarray, b: np.ndarray):
        y = np.r_[a, b]
        self.set(np.ptp(y), lambda: np.var(y, axis=0), y.shape[1:])

    def set(self, value_range, var, shape) -> None:
        self.range = value_range
        self.constant = self.range <= _EPS
        self.var = None if self.constant else var()
        self.shape = shape

    def index(self, numerator_of) -> np.ndarray:
        """numerator / variance, or zeros (with SALib's warning) when [A; B] is constant."""
        if self.constant:
            warnings.warn(CONST_RESULT_MSG)
            return np.zeros(self.shape, dtype=np.float64)
        return _ratio(numerator_of(), self.var)


class _PooledResamples(_Pooled):
    """[A[r]; B[r]] (2 N x resamples), never held whole: its range and ``np.var(axis=0)`` block by block.

    ``np.var`` sums over the first axis row after row (the mean, then the squared deviations from
    it, ``np.square``), and divides by the count; the same additions here, carried from block to block.
    """

    def __init__(self, a: np.ndarray, b: np.ndarray, r: np.ndarray):
        self.a, self.b, self.r = a, b, r
        lo = min(a[r].min(), b[r].min()) if r.size else np.nan
        hi = max(a[r].max(), b[r].max()) if r.size else np.nan
        self.set(hi - lo, self._var, r.shape[1:])

    def _blocks(self):
        block = max(1, BLOCK_BYTES // (8 * max(self.r.shape[1], 1)))
        for x in (self.a, self.b):
            for start in range(0, self.r.shape[0], block):
                yield x[self.r[start:start + block]]

    def _var(self) -> np.ndarray:
        count = np.intp(2 * self.r.shape[0])
        mean = _carried_sum(self._blocks())
        mean = np.true_divide(mean, count, out=mean)

        def deviations():
            for part in self._blocks():
                part -= mean
                yield np.square(part, out=part)

        total = _carried_sum(deviations())
        return np.true_divide(total, count, out=total)


def _carried_sum(parts) -> np.ndarray:
    """``np.add.reduce(np.concatenate(parts), axis=0)`` with the same additions: each block's running sum
    is added into the first row of the next (a + b == b + a exactly), so rows are summed in order."""
    acc = None
    for part in parts:
        if acc is not None:
            part[0] += acc
        acc = np.add.reduce(part, axis=0)
    return acc


#: Bytes of resampled terms gathered at once by :func:`resampled_sums` (fits a core's cache).
BLOCK_BYTES = 2**22


def resampled_sums(terms: np.ndarray, r: np.ndarray) -> np.ndarray:
    """``terms[r].sum(axis=0)`` computed as numpy computes ``np.add.reduce(terms[:, c][r], axis=0)``.

    ``terms`` is (N, C), ``r`` the (N, resamples) resample indices; the result is (resamples, C).
    numpy sums an (N, resamples) array over its first axis row after row, so each element is
    ((t_{r_0} + t_{r_1}) + t_{r_2}) + ... in row order. Here the rows are gathered a block at a time
    (all C columns together, a block small enough to stay in cache) and the running sum is carried
    into the first row of the next block, which continues the same additions in the same order.
    """
    N, C = terms.shape
    block = max(1, BLOCK_BYTES // (8 * C * max(r.shape[1], 1)))
    return _carried_sum(terms[r[start:start + block]] for start in range(0, N, block))


def sobol_analyze(Y: np.ndarray, D: int, *, calc_second_order: bool = False, num_resamples: int = 100,
                  conf_level: float = 0.95, seed: int) -> dict:
    """First-, total- (and second-) order Sobol' indices of one output, as ``SALib.analyze.sobol.analyze``.

    Parameters
    ----------
    Y : ndarray, shape (N (D + 2),) or (N (2 D + 2),)
        Model output on Saltelli's design, rows in SALib's order.
    D : int
        Factors (groups when grouped).
    calc_second_order, num_resamples, conf_level
        As SALib's.
    seed : int
        Seed of the resample indices; must be >= 1 (SALib treats 0 as "no seed").

    Returns
    -------
    dict
        ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` (D,), and with second order ``S2``, ``S2_conf``
        (D, D), NaN below the diagonal, as SALib's.
    """
    if not seed:
        raise ValueError("seed must be a whole number >= 1")
    step = 2 * D + 2 if calc_second_order else D + 2
    if Y.size % step:
        raise ValueError(f"{Y.size} outputs are not a whole number of Saltelli blocks of {step}")
    if not 0 < conf_level < 1:
        raise ValueError("conf_level must be between 0 and 1")
    from scipy.stats import norm

    N = Y.size // step
    Y = (Y - Y.mean()) / Y.std()
    A, B = Y[0::step], Y[step - 1::step]
    AB = [Y[j + 1::step] for j in range(D)]
    BA = [Y[j + 1 + D::step] for j in range(D)] if calc_second_order else None
    r = np.random.default_rng(seed).integers(N, size=(N, num_resamples))
    Z = norm.ppf(0.5 + conf_level / 2)
    point, boot = _Pooled(A, B), _PooledResamples(A, B, r)
    S = {key: np.zeros(D) for key in ("S1", "S1_conf", "ST", "ST_conf")}
    terms = np.empty((N, 2 * D))  # per base row: B (AB_j - A) for each j, then (A - AB_j)^2
    for j in range(D):
        first, total = B * (AB[j] - A), (A - AB[j]) ** 2
        terms[:, j], terms[:, D + j] = first, total
        S["S1"][j] = point.index(lambda: np.mean(first, axis=0))
        S["ST"][j] = point.index(lambda: 0.5 * np.mean(total, axis=0))
    sums = resampled_sums(terms, r)  # (resamples, 2 D)
    s1_boot = []
    for j in range(D):
        s1_j = boot.index(lambda: sums[:, j] / N)
        s1_boot.append(s1_j)
        S["S1_conf"][j] = Z * s1_j.std(ddof=1) if boot.range != 0.0 else 0.0
        st_j = boot.index(lambda: 0.5 * (sums[:, D + j] / N))
        S["ST_conf"][j] = Z * st_j.std(ddof=1) if boot.range != 0.0 else 0.0
    if calc_second_order:
        S["S2"], S["S2_conf"] = np.full((D, D), np.nan), np.full((D, D), np.nan)
        AB_B = A * B
        for j in range(D):
            for k in range(j + 1, D):
                term = BA[j] * AB[k] - AB_B
                S["S2"][j, k] = (point.index(lambda: np.mean(term, axis=0)) - S["S1"][j]) - S["S1"][k]
                v_jk = boot.index(lambda: np.mean(term[r], axis=0))
                S["S2_conf"][j, k] = Z * ((v_jk - s1_boot[j]) - s1_boot[k]).std(ddof=1)
    return S
