"""Multiple imputation for :mod:`econ.inputs.missing`: MICE imputations, complete-data variances, Rubin's rules.

See :mod:`econ.inputs.missing` for the method and its references (Rubin 1987; Barnard & Rubin 1999;
van Buuren 2018).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from econ.core.errors import DataError
from econ.inputs.estimators import Outcomes


def complete_data_variance(o: Outcomes, estimator: str) -> tuple[np.ndarray, np.ndarray, float]:
    """Estimate, its model-based variance and degrees of freedom, per column, from complete data.

    ``pre_post``: mean change, ``var(change) / n``; ``difference_in_differences``: ``var_i / n_i + var_c /
    n_c`` (Welch); ``ancova``: OLS group coefficient and its classical variance (equal to statsmodels').
    Used for the complete-data variance ``U`` of Rubin's rules.
    """
    change = o.followup - o.baseline
    inter = o.intervention
    if estimator == "pre_post":
        n = int(inter.sum())
        return change[inter].mean(axis=0), change[inter].var(axis=0, ddof=1) / n, float(n - 1)
    if estimator == "difference_in_differences":
        a, b = change[inter], change[~inter]
        return (a.mean(axis=0) - b.mean(axis=0), a.var(axis=0, ddof=1) / len(a) + b.var(axis=0, ddof=1) / len(b),
                float(len(a) + len(b) - 2))
    estimate, variance = [], []
    for k in range(len(o.names)):
        x = np.column_stack([np.ones(len(inter)), inter.astype(float), o.baseline[:, k]])
        coef, _, rank, _ = np.linalg.lstsq(x, o.followup[:, k], rcond=None)
        dof = len(inter) - rank
        sigma2 = float(((o.followup[:, k] - x @ coef) ** 2).sum() / dof)
        cov = sigma2 * np.linalg.pinv(x.T @ x)
        estimate.append(coef[1])
        variance.append(cov[1, 1])
    return np.array(estimate), np.array(variance), float(len(inter) - 3)


@dataclass(frozen=True)
class RubinResult:
    """Rubin's rules for one quantity per column.

    Attributes: ``estimate`` (mean over imputations), ``within`` (U), ``between`` (B), ``total`` (T), ``df``
    (Barnard-Rubin when complete-data df are given, else Rubin 1987), ``fmi`` (fraction of missing
    information ``(1 + 1/M) B / T``), ``low``/``high`` (t interval at ``level``).
    """

    estimate: np.ndarray
    within: np.ndarray
    between: np.ndarray
    total: np.ndarray
    df: np.ndarray
    fmi: np.ndarray
    low: np.ndarray
    high: np.ndarray


def rubin_rules(estimates, variances, *, complete_df: float | None = None, level: float = 0.95) -> RubinResult:
    """Combine ``M`` completed-data estimates (M, k) and variances (M, k) by Rubin's rules (module docstring)."""
    q = np.atleast_2d(np.asarray(estimates, dtype=float))
    u = np.atleast_2d(np.asarray(variances, dtype=float))
    m = q.shape[0]
    if m < 2:
        raise DataError(f"Rubin's rules need at least 2 imputations (got {m})")
    qbar, ubar = q.mean(axis=0), u.mean(axis=0)
    b = q.var(axis=0, ddof=1)
    t = ubar + (1.0 + 1.0 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        gamma = np.where(t > 0, (1.0 + 1.0 / m) * b / t, 0.0)
        df = np.where(gamma > 0, (m - 1) / gamma**2, np.inf)
        if complete_df is not None:
            observed = (complete_df + 1.0) / (complete_df + 3.0) * complete_df * (1.0 - gamma)
            df = 1.0 / (1.0 / df + 1.0 / observed)
    half = stats.t.ppf(0.5 + level / 2.0, df) * np.sqrt(t)
    return RubinResult(qbar, ubar, b, t, df, gamma, qbar - half, qbar + half)


def impute(mo, rows: np.ndarray, rng: np.random.Generator, *, iterations: int = 10) -> np.ndarray:
    """One completed follow-up matrix (len(rows), m) for the people ``rows`` (repeats allowed), by arm.

    scikit-learn ``IterativeImputer`` (chained equations, Bayesian ridge regression per column) with
    ``sample_posterior=True``: each imputed value is a draw from the posterior predictive normal of its
    column given the baseline columns, the other follow-up columns and the covariates, ``iterations``
    cycles. The imputation models are fitted on a bootstrap sample of the arm's people and then impute
    the people themselves, so the uncertainty of the models' parameters enters every imputation jointly
    (a *proper* imputation, like ``norm.boot`` of R's mice; van Buuren 2018, section 3.2; without it the
    imputer's predictive draws share one set of fitted parameters and Rubin's intervals are too narrow).
    Each arm is imputed on its own, so the arm's effect on every relation is kept. Imputed values
    are neither rounded nor truncated at 0 (that would bias means; Horton, Lipsitz & Parzen 2003).
    statsmodels' ``MICEData`` was tried and not used: its predictive mean matching draws only observed
    values, and when loss is concentrated among people with high baseline use (the lost sit beyond most
    donors) it biased the imputed mean of the lost downwards by a third of a standard deviation in the
    tests' data.
    """
    import warnings

    from sklearn.exceptions import ConvergenceWarning
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401  (enables the class)
    from sklearn.impute import IterativeImputer

    rows = np.asarray(rows)
    out = mo.followup[rows].copy()
    m = len(mo.names)
    for member in (mo.intervention[rows], ~mo.intervention[rows]):
        part = rows[member]
        if len(part) == 0 or mo.followed[part].all():
            continue
        if mo.followed[part].sum() < 3:
            raise DataError(f"{mo.source_file}: an arm has fewer than 3 people followed up; nothing to impute from")
        matrix = np.column_stack([mo.followup[part], mo.baseline[part], mo.covariates[part]])
        imputer = IterativeImputer(sample_posterior=True, max_iter=iterations, skip_complete=True,
                                   random_state=int(rng.integers(2**31 - 1)))
        donors = rng.integers(0, len(part), len(part))
        while not np.isnan(matrix[donors, 0]).any() or np.isnan(matrix[donors, 0]).all():
            donors = rng.integers(0, len(part), len(part))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            completed = imputer.fit(matrix[donors]).transform(matrix)
        out[member] = completed[:, :m]
    return out
