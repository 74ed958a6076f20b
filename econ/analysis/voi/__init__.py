"""Value of information: EVPI, EVPPI (regression on the PSA sample) and EVSI/ENBS, per person and population.

Modules: :mod:`~econ.analysis.voi.decision` (net benefit per draw from a declared objective,
population, input sets), :mod:`~econ.analysis.voi.regression` (non-parametric regression and the
SE of EVPPI), :mod:`~econ.analysis.voi.tables` (the tables). :func:`voi` runs them all on a PSA result.

References
----------
Strong M, Oakley JE, Brennan A (2014) Estimating multiparameter partial expected value of perfect
information from a probabilistic sensitivity analysis sample: a nonparametric regression approach.
Medical Decision Making 34(3):311-326.
Strong M, Oakley JE, Brennan A, Breeze P (2015) Estimating the expected value of sample information
using the probabilistic sensitivity analysis sample: a fast nonparametric regression-based method.
Medical Decision Making 35(5):570-583.
"""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from econ.analysis.voi.decision import (DEFAULT_THRESHOLDS, Decision, InputSet, decision_population, decisions,
                                        default_input_sets, input_sets)
from econ.analysis.voi.regression import DEFAULT_BOOTSTRAP, evppi_estimate, evpi_estimate
from econ.analysis.voi.tables import DEFAULT_SIZES, Study, evpi_table, evppi_table, evsi_table

#: PSA draws of the ``voi`` command when none are given.
DEFAULT_DRAWS = 5_000

__all__ = ["DEFAULT_BOOTSTRAP", "DEFAULT_DRAWS", "DEFAULT_SIZES", "DEFAULT_THRESHOLDS", "Decision", "InputSet",
           "Study", "VoiResult", "decision_population", "decisions", "default_input_sets", "evpi_estimate",
           "evpi_table", "evppi_estimate", "evppi_table", "evsi_table", "input_sets", "voi"]


@dataclass(frozen=True)
class VoiResult:
    """Tables of a value-of-information analysis (``evsi`` None without a study)."""

    evpi: pd.DataFrame
    evppi: pd.DataFrame
    evsi: pd.DataFrame | None
    population: dict
    n_draws: int
    seed: int

    def __repr__(self) -> str:
        evsi = f", {len(self.evsi):,} EVSI rows" if self.evsi is not None else ""
        return (f"<VoiResult: {self.n_draws:,} draws (seed {self.seed}), {len(self.evpi):,} EVPI rows, "
                f"{len(self.evppi):,} EVPPI rows{evsi}; see .evpi, .evppi, .evsi>")


def voi(result, *, objective: str | None = None, thresholds=None, parameters=None, groups=None,
        study: Study | None = None, population: float | None = None, horizon_years: float | None = None,
        discount_rate: float | None = None, n_boot: int = DEFAULT_BOOTSTRAP, seed: int | None = None) -> VoiResult:
    """EVPI, EVPPI and (with ``study``) EVSI/ENBS of a PSA result.

    Parameters
    ----------
    result : econ.analysis.psa.PsaResult
    objective, thresholds
        See :func:`econ.analysis.voi.decision.decisions`.
    parameters : sequence of str, optional
        Parameters whose EVPPI is estimated one by one (``service_use_data``: the bootstrap group).
    groups : dict, optional
        ``label -> parameter names`` estimated together. Without ``parameters`` and ``groups``: every
        uncertain input on its own (:func:`~econ.analysis.voi.decision.default_input_sets`).
    study : Study, optional
    population, horizon_years, discount_rate
        See :func:`~econ.analysis.voi.decision.decision_population`.
    n_boot : int
        Replicates of the bootstrap SEs.
    seed : int, optional
        Seed of the SEs, the boosting split and the study simulation (default: the PSA's seed).

    Notes
    -----
    Runs with BLAS and OpenMP limited to one thread (``threadpoolctl``), so the same PSA result and
    seed give identical tables whatever the machine's thread settings.
    """
    from threadpoolctl import threadpool_limits

    with threadpool_limits(1):  # BLAS and OpenMP on one thread: identical results on any machine
        return _voi(result, objective, thresholds, parameters, groups, study, population, horizon_years,
                    discount_rate, n_boot, seed)


def _voi(result, objective, thresholds, parameters, groups, study, population, horizon_years, discount_rate,
         n_boot, seed) -> VoiResult:
    seed = result.seed if seed is None else int(seed)
    decs = decisions(result, objective=objective, thresholds=thresholds)
    pop = decision_population(result.compiled, population=population, horizon_years=horizon_years,
                              discount_rate=discount_rate)
    sets = input_sets(result.compiled, parameters=parameters, groups=groups)
    evsi = (evsi_table(result.compiled, result.table, decs, study, pop, n_boot=n_boot, seed=seed)
            if study is not None else None)
    return VoiResult(evpi_table(decs, pop, n_boot=n_boot, seed=seed),
                     evppi_table(result.table, decs, sets, pop, n_boot=n_boot, seed=seed), evsi, pop,
                     result.n_draws, seed)
