"""GSA analysis: SALib's estimators of each method, run sandboxed, as tidy index tables."""
from __future__ import annotations

import contextlib
import functools
import warnings
from typing import Sequence

import numpy as np
import pandas as pd

from econ.core.parallel import default_threads, run_in_order
from econ.analysis.gsa.design import Design
from econ.analysis.gsa.problem import EFAST_M, MORRIS_LEVELS, MORRIS_TAIL, PAWN_SLICES


@contextlib.contextmanager
def _salib_sandbox():
    """Run a SALib call without letting it change global state.

    SALib's delta, fast and pawn analysers call ``np.random.seed`` and draw from numpy's global
    random state; delta also replaces ``warnings.formatwarning`` and sets a filter. All three are
    restored afterwards, and SALib's warnings (e.g. eFAST's note that its bootstrap intervals are
    indicative only, delta's bin merges) are not shown: their content is in our docstrings.
    """
    state = np.random.get_state()
    formatwarning = warnings.formatwarning
    try:
        # record=True collects warnings in a list instead of showing them, even after SALib's own
        # ``simplefilter("once")`` inside the call
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            yield
    finally:
        warnings.formatwarning = formatwarning
        np.random.set_state(state)


def _int_seed(rng: np.random.Generator) -> int:
    # SALib tests ``if seed:``, so 0 would mean "no seed": draw from [1, 2^31 - 1).
    return int(rng.integers(1, 2**31 - 1))


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for c in columns:
        if c not in ("output", "parameter", "parameter_1", "parameter_2", "group", "notes"):
            df[c] = df[c].astype(float)
    return df


SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
SOBOL_S2_COLUMNS = ["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
MORRIS_COLUMNS = ["output", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
EFAST_COLUMNS = ["output", "parameter", "group", "S1", "S1_conf", "ST", "ST_conf"]
DELTA_COLUMNS = ["output", "parameter", "group", "delta", "delta_conf", "S1", "S1_conf"]
PAWN_COLUMNS = ["output", "parameter", "group", "minimum", "mean", "median", "maximum", "CV"]


#: Arrays of N x resamples numbers one SALib Sobol' analysis holds at once (resample indices, A, B,
#: AB and the estimator's temporaries), and the memory the analyses running together may take (MiB).
SOBOL_BOOTSTRAP_ARRAYS = 8
SOBOL_ANALYSIS_MB = 512


def _sobol_analyses(design: Design, Y: np.ndarray, seeds: Sequence[int], num_resamples: int,
                    conf_level: float) -> list:
    """Sobol' analysis of every column of Y, on up to :func:`default_threads` threads.

    Each column is analysed by :func:`econ.analysis.gsa.sobol_estimates.sobol_analyze` (SALib's
    estimators and intervals, bit for bit, with the resamples of A and B taken once per output
    instead of seven times per factor). Each analysis is seeded by its own integer (the bootstrap
    resamples come from ``numpy.random.default_rng(seed)``, never from the global state), so the
    results do not depend on the threads. The bootstrap is numpy indexing and reductions, which
    release the GIL.
    Each analysis holds about :data:`SOBOL_BOOTSTRAP_ARRAYS` arrays of N x resamples numbers at
    once; as many run together as fit in :data:`SOBOL_ANALYSIS_MB` (at least one).
    """
    from econ.analysis.gsa.sobol_estimates import sobol_analyze

    p = design.problem
    k = len(p.factors(grouped=True))

    def one(j: int):
        y = np.ascontiguousarray(Y[:, j])
        if np.ptp(y) == 0.0:
            res = {name: np.full(k, np.nan) for name in ("S1", "S1_conf", "ST", "ST_conf")}
            res["S2"] = res["S2_conf"] = np.full((k, k), np.nan)
            return res
        return sobol_analyze(y, k, calc_second_order=design.second_order, num_resamples=num_resamples,
                             conf_level=conf_level, seed=seeds[j])

    with _salib_sandbox():  # one sandbox around all threads: warning filters are process-wide
        n_base = Y.shape[0] // (2 * k + 2 if design.second_order else k + 2)
        per_analysis = SOBOL_BOOTSTRAP_ARRAYS * 8.0 * n_base * num_resamples
        threads = max(1, min(default_threads(), int(SOBOL_ANALYSIS_MB * 2**20 // max(per_analysis, 1.0))))
        return run_in_order([functools.partial(one, j) for j in range(Y.shape[1])], threads=threads)


def analyze(design: Design, Y: np.ndarray, outputs: Sequence[str], *, rng: np.random.Generator,
            num_resamples: int = 100, conf_level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Estimate sensitivity indices of every output from a design and its evaluations.

    Parameters
    ----------
    design : Design
    Y : ndarray, shape (design.n_rows, len(outputs))
    outputs : sequence of str
        Output names, one per column of Y.
    rng : numpy.random.Generator
        Seeds SALib's bootstrap resampling (one integer seed per output).
    num_resamples : int
        Bootstrap resamples for the confidence intervals.
    conf_level : float
        Level of the intervals; ``*_conf`` columns are half-widths (index +- conf).

    Returns
    -------
    indices : DataFrame
        One row per output and factor. Columns by method:

        - sobol: output, parameter, S1, S1_conf, ST, ST_conf (``parameter`` is the group name for
          grouped inputs and a Dirichlet's name);
        - morris: output, parameter, mu_star, mu_star_conf, mu, sigma: elementary effects in
          output units per unit of probability (each step moves an input by about 2/3 of its
          probability range, between quantiles of a 4-level grid on [0.005, 0.995]);
        - efast: output, parameter, group, S1, S1_conf, ST, ST_conf (one row per design column);
        - delta: output, parameter, group, delta, delta_conf, S1, S1_conf (Borgonovo's delta,
          Plischke et al.'s bias-reduced estimator with plain bootstrap, and the binned S1);
        - pawn: output, parameter, group, minimum, mean, median, maximum, CV of the KS statistic
          over the conditioning slices (no interval: SALib gives none).

        A constant output has no variance to apportion: its rows are NaN.
    second_order : DataFrame or None
        sobol with second order: output, parameter_1, parameter_2, S2, S2_conf.

    References
    ----------
    Saltelli et al. (2010) Comput. Phys. Commun. 181:259-270 (Sobol' estimators); Morris (1991)
    Technometrics 33:161-174 and Campolongo et al. (2007) Environ. Model. Softw. 22:1509-1518
    (mu*); Saltelli et al. (1999) Technometrics 41:39-56 (eFAST); Borgonovo (2007) Reliab. Eng.
    Syst. Saf. 92:771-784 and Plischke et al. (2013) Eur. J. Oper. Res. 226:536-550 (delta);
    Pianosi & Wagener (2015) Environ. Model. Softw. 67:1-11 (PAWN).
    """
    method, p = design.method, design.problem
    factors = p.factors(grouped=method in ("sobol", "morris"))
    rows, rows2 = [], []
    seeds = [_int_seed(rng) for _ in outputs]  # drawn in output order, whatever runs in parallel below
    if method == "sobol":
        sobol_results = _sobol_analyses(design, Y, seeds, num_resamples, conf_level)
        for j, out in enumerate(outputs):
            _sobol_rows(out, sobol_results[j], factors, design.second_order, rows, rows2)
    else:
        one_output = {"morris": _morris_rows, "efast": _efast_rows, "delta": _delta_rows, "pawn": _pawn_rows}[method]
        group_of = dict(zip(p.columns, p.column_groups))
        for j, out in enumerate(outputs):
            y = np.ascontiguousarray(Y[:, j])
            rows.extend(one_output(design, y, out, seeds[j], factors, group_of, num_resamples, conf_level))
    columns = {"sobol": SOBOL_COLUMNS, "morris": MORRIS_COLUMNS, "efast": EFAST_COLUMNS, "delta": DELTA_COLUMNS,
               "pawn": PAWN_COLUMNS}[method]
    second = _frame(rows2, SOBOL_S2_COLUMNS) if method == "sobol" and design.second_order else None
    return _frame(rows, columns), second


def _nan_result(keys: Sequence[str], k: int) -> dict:
    """The result of a constant output: every index NaN."""
    return {key: np.full(k, np.nan) for key in keys}


def _sobol_rows(out: str, res, factors: Sequence[str], second_order: bool, rows: list, rows2: list) -> None:
    """Append the first/total-order rows (and the second-order pairs) of one output's Sobol' result."""
    for f, name in enumerate(factors):
        rows.append(dict(output=out, parameter=name, S1=res["S1"][f], S1_conf=res["S1_conf"][f],
                         ST=res["ST"][f], ST_conf=res["ST_conf"][f]))
    if second_order:
        for a in range(len(factors)):
            for b in range(a + 1, len(factors)):
                rows2.append(dict(output=out, parameter_1=factors[a], parameter_2=factors[b],
                                  S2=res["S2"][a, b], S2_conf=res["S2_conf"][a, b]))


def _morris_rows(design: Design, y: np.ndarray, out: str, seed: int, factors: Sequence[str], group_of: dict,
                 num_resamples: int, conf_level: float) -> list[dict]:
    """Morris elementary effects of one output, per unit of probability."""
    if np.ptp(y) == 0.0:
        res = _nan_result(("mu_star", "mu_star_conf", "mu", "sigma"), len(factors))
    else:
        from SALib.analyze import morris as morris_analyze

        with _salib_sandbox():
            res = morris_analyze.analyze(design.problem.salib(), design.X, y, num_resamples=num_resamples,
                                         conf_level=conf_level, num_levels=MORRIS_LEVELS,
                                         seed=np.random.default_rng(seed))
    # SALib divides by the step on its [0, 1] grid; the inputs moved by (1 - 2 tail) of that
    # in probability, so rescale to effects per unit of probability.
    per_unit = 1.0 / (1.0 - 2.0 * MORRIS_TAIL)
    return [dict(output=out, parameter=name, mu_star=res["mu_star"][f] * per_unit,
                 mu_star_conf=res["mu_star_conf"][f] * per_unit, mu=res["mu"][f] * per_unit,
                 sigma=res["sigma"][f] * per_unit) for f, name in enumerate(factors)]


def _efast_rows(design: Design, y: np.ndarray, out: str, seed: int, factors: Sequence[str], group_of: dict,
                num_resamples: int, conf_level: float) -> list[dict]:
    """eFAST first and total-order indices of one output, one row per design column."""
    if np.ptp(y) == 0.0:
        res = _nan_result(("S1", "S1_conf", "ST", "ST_conf"), len(factors))
    else:
        from SALib.analyze import fast

        with _salib_sandbox():
            res = fast.analyze(design.problem.salib(grouped=False), y, M=EFAST_M, num_resamples=num_resamples,
                               conf_level=conf_level, seed=seed)
    return [dict(output=out, parameter=name, group=group_of[name], S1=res["S1"][f], S1_conf=res["S1_conf"][f],
                 ST=res["ST"][f], ST_conf=res["ST_conf"][f]) for f, name in enumerate(factors)]


def _delta_rows(design: Design, y: np.ndarray, out: str, seed: int, factors: Sequence[str], group_of: dict,
                num_resamples: int, conf_level: float) -> list[dict]:
    """Borgonovo's delta and the binned S1 of one output."""
    if np.ptp(y) == 0.0:
        res = _nan_result(("delta_raw", "delta_raw_conf", "S1", "S1_conf"), len(factors))
    else:
        from SALib.analyze import delta

        with _salib_sandbox():
            res = delta.analyze(design.problem.salib(grouped=False), design.X, y, num_resamples=num_resamples,
                                conf_level=conf_level, seed=seed, method="all")
    return [dict(output=out, parameter=name, group=group_of[name], delta=res["delta_raw"][f],
                 delta_conf=res["delta_raw_conf"][f], S1=res["S1"][f], S1_conf=res["S1_conf"][f])
            for f, name in enumerate(factors)]


def _pawn_rows(design: Design, y: np.ndarray, out: str, seed: int, factors: Sequence[str], group_of: dict,
               num_resamples: int, conf_level: float) -> list[dict]:
    """PAWN statistics of one output (no interval: SALib gives none)."""
    if np.ptp(y) == 0.0:
        res = _nan_result(("minimum", "mean", "median", "maximum", "CV"), len(factors))
    else:
        from SALib.analyze import pawn

        with _salib_sandbox():
            res = pawn.analyze(design.problem.salib(grouped=False), design.X, y, S=PAWN_SLICES, seed=seed)
    return [dict(output=out, parameter=name, group=group_of[name], minimum=res["minimum"][f],
                 mean=res["mean"][f], median=res["median"][f], maximum=res["maximum"][f], CV=res["CV"][f])
            for f, name in enumerate(factors)]
