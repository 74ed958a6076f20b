"""Effects by subgroup with bootstrap intervals, a small-sample warning and a test of the interaction.

Subgroups (setting, area, BME community, engagement band) are small: a subgroup estimate is far less
precise than the overall one, and differences between subgroups are mostly chance unless tested.
:func:`subgroup_effects` gives, per subgroup, the estimate and its 95% percentile interval from a
bootstrap within the subgroup (clustered when clusters are given, :mod:`econ.inputs.clustered`), a
warning below :data:`SMALL_SAMPLE_N` people, and the p-value of the **interaction test**: does the effect
differ between subgroups? (Altman & Bland 2003 for two subgroups; for more, the Wald test of equal
effects ``Q = sum_g w_g (theta_g - theta_w)^2``, ``w_g = 1 / var_g``, chi-squared with ``G - 1`` degrees of
freedom, the variances from the bootstrap; subgroups are disjoint, so their estimates are independent.)
A subgroup whose interval excludes zero while another's does not is *not* evidence of a difference; the
interaction test is.

Engagement (sessions attended) is measured after baseline: people who benefit may stay longer, so an
engagement subgroup is not a randomised or baseline subgroup and its differences are not causal.

References
----------
Altman DG, Bland JM (2003) Interaction revisited: the difference between two estimates. BMJ 326:219.
Brookes ST et al. (2004) Subgroup analyses in randomized trials: risks of subgroup-specific analyses;
power and sample size for the interaction test. J Clin Epidemiol 57:229-236.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from econ.core.errors import DataError
from econ.inputs.estimators import Outcomes, draw_resample, pre_post, difference_in_differences, ancova

#: Below this many people a subgroup row carries a small-sample warning (convention; ``min_n=`` changes it):
#: with fewer, percentile intervals of skewed costs undercover and a few heavy users dominate the mean.
SMALL_SAMPLE_N = 30

#: Columns of :func:`subgroup_effects`' table (the first seven are those of ``subgroups.csv``).
COLUMNS = ("subgroup", "value", "n", "mean", "low", "high", "warning", "name", "interaction_p")

_ESTIMATORS = {"pre_post": pre_post, "difference_in_differences": difference_in_differences, "ancova": ancova}


def interaction_test(estimates, variances) -> tuple[float, int, float]:
    """Wald test that the subgroups' effects are equal (module docstring).

    Parameters
    ----------
    estimates, variances : array_like
        (G,) per subgroup; subgroups with a variance that is not positive and finite are left out.

    Returns
    -------
    (Q, df, p) : float, int, float
        NaN p (and df 0) when fewer than two subgroups can be compared.
    """
    theta = np.asarray(estimates, dtype=float)
    var = np.asarray(variances, dtype=float)
    ok = np.isfinite(theta) & np.isfinite(var) & (var > 0)
    if ok.sum() < 2:
        return float("nan"), 0, float("nan")
    w = 1.0 / var[ok]
    pooled = float((w * theta[ok]).sum() / w.sum())
    q = float((w * (theta[ok] - pooled) ** 2).sum())
    df = int(ok.sum() - 1)
    return q, df, float(stats.chi2.sf(q, df))


def small_sample_warning(n: int, min_n: int = SMALL_SAMPLE_N) -> str:
    """The warning text for a subgroup of ``n`` people ('' when ``n >= min_n``)."""
    return f"small sample: {n} people (< {min_n}); the interval is unreliable" if n < min_n else ""


def _subset(o: Outcomes, member: np.ndarray) -> Outcomes:
    return Outcomes(o.names, o.measures, o.baseline[member], o.followup[member], o.intervention[member], o.n_lost,
                    o.has_group_column, o.source_file, o.unit_cost)


def subgroup_effects(o: Outcomes, labels, *, variable: str, estimator: str = "pre_post", n_boot: int = 1000,
                     rng: np.random.Generator | None = None, clusters=None, people: str = "keep",
                     level: float = 0.95, min_n: int = SMALL_SAMPLE_N) -> pd.DataFrame:
    """Per subgroup and outcome column: estimate, bootstrap interval, small-sample warning, interaction p.

    Parameters
    ----------
    o : Outcomes
        Complete cases (or any estimator input).
    labels : array_like
        (n,) subgroup of each person of ``o``.
    variable : str
        Name of the subgroup variable (``subgroup`` column), e.g. ``area``.
    estimator : {"pre_post", "difference_in_differences", "ancova"}
    n_boot, rng, level
        Bootstrap replicates within each subgroup (subgroups in sorted order, each its own draws).
    clusters : array_like, optional
        (n,) cluster of each person: the bootstrap resamples clusters within the subgroup (``people``
        as :func:`econ.inputs.clustered.draw_cluster_resample`).
    min_n : int
        People below which a row is flagged (:data:`SMALL_SAMPLE_N`).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`COLUMNS`; ``interaction_p`` is the same on every row of one outcome column.
    """
    from econ.inputs.clustered import draw_cluster_resample

    if estimator not in _ESTIMATORS:
        raise DataError(f"unknown estimator {estimator!r}; choose from {', '.join(_ESTIMATORS)}")
    labels = np.asarray(labels).astype(str)
    if len(labels) != len(o.intervention):
        raise DataError(f"{len(labels)} subgroup labels for {len(o.intervention)} people")
    rng = rng if rng is not None else np.random.default_rng()
    rows, estimates, variances = [], [], []
    tail = (1.0 - level) / 2.0
    for value in sorted(set(labels)):
        member = labels == value
        sub = _subset(o, member)
        n = int(member.sum())
        if clusters is not None:
            resample = draw_cluster_resample(sub.intervention, np.asarray(clusters)[member], n_boot, rng, people=people)
        else:
            resample = draw_resample(sub, n_boot, rng)
        try:
            e = _ESTIMATORS[estimator](sub, resample=resample, level=level)
        except DataError as exc:
            raise DataError(f"subgroup {variable}={value}: {exc}") from None
        estimates.append(e.estimate)
        variances.append(e.replicates.var(axis=0, ddof=1))
        low, high = np.quantile(e.replicates, tail, axis=0), np.quantile(e.replicates, 1 - tail, axis=0)
        for k, name in enumerate(o.names):
            rows.append({"subgroup": variable, "value": value, "n": n, "mean": e.estimate[k], "low": low[k],
                         "high": high[k], "warning": small_sample_warning(n, min_n), "name": name})
    table = pd.DataFrame(rows, columns=list(COLUMNS[:-1]))
    est, var = np.array(estimates), np.array(variances)
    p_by_name = {name: interaction_test(est[:, k], var[:, k])[2] for k, name in enumerate(o.names)}
    table["interaction_p"] = table["name"].map(p_by_name)
    return table
