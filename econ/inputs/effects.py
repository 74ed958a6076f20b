"""Effect statistics of a scenario's ``effect`` block, from the means of the service-use data.

The ``service_use:`` statistics ``effect``, ``effect_reduction``, ``counterfactual`` and
``counterfactual_change`` of a service are computed here from its mean monthly use at baseline ``b`` and
follow-up ``f`` (one number for the point estimate, one per bootstrap replicate for the probabilistic
analysis), by the scenario's estimator (what each assumes: :mod:`econ.inputs.estimators`):

``pre_post``
    effect = f - b; counterfactual = b (usual care stays at baseline: no comparison group, so the
    change includes regression to the mean). ``effect_reduction`` is then computed as
    ``-((f - b) / b)``, the same operations as the ``reduction`` statistic, so a scenario that moves from
    ``reduction`` to ``effect_reduction`` under ``pre_post`` gives bit-identical results.
``rtm_adjusted``
    effect = (f - b) + (1 - rho) (b - mu) (Barnett, van der Pols & Dobson 2005, through
    :func:`econ.inputs.estimators.expected_rtm`); counterfactual = f - effect = b - (1 - rho)(b - mu),
    where mu, the population mean, is ``population_ratio`` x the pooled baseline mean of everyone in the
    data. rho and the ratio may be one value per bootstrap replicate, so their uncertainty is drawn
    with the data's.

Then ``effect_reduction`` = -effect / counterfactual and ``counterfactual_change`` = (counterfactual -
b) / b. The estimators with a comparison group (``difference_in_differences``, ``ancova``) need person
level data with a ``group`` column; :func:`check_estimator` says so, with the data file.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.inputs.estimators import ESTIMATORS, NEEDS_COMPARISON, expected_rtm

#: Statistics computed by the scenario's estimator.
EFFECT_STATISTICS = ("effect", "effect_reduction", "counterfactual", "counterfactual_change")

#: Estimators a scenario can use on data without a comparison group.
WITHOUT_COMPARISON = tuple(name for name in ESTIMATORS if name not in NEEDS_COMPARISON)


@dataclass(frozen=True)
class RtmInputs:
    """What ``rtm_adjusted`` needs for one service: rho and the population ratio, point and per replicate.

    ``rho_draws`` / ``ratio_draws`` are None when the value is fixed, else one value per bootstrap
    replicate (in replicate order); ``rho_name`` / ``ratio_name`` name the parameters they come from.
    """

    rho: float
    ratio: float
    rho_draws: np.ndarray | None = None
    ratio_draws: np.ndarray | None = None
    rho_name: str | None = None  # the parameter giving rho, if any
    ratio_name: str | None = None


def check_estimator(estimator: str, has_comparison: bool, data_file: str) -> str | None:
    """Why ``estimator`` cannot be used on these data (a message), or None when it can."""
    if estimator not in ESTIMATORS:
        return f"unknown estimator {estimator!r}; choose from {', '.join(ESTIMATORS)}"
    if estimator in NEEDS_COMPARISON and not has_comparison:
        return (f"estimator '{estimator}' needs a comparison group (a 'group' column with intervention and "
                f"comparison people), but the service-use data ({data_file}) have no 'group' column; without a "
                f"comparison group use one of: {', '.join(WITHOUT_COMPARISON)} (rtm_adjusted adjusts for "
                f"regression to the mean; pre_post does not)")
    return None


def effect_statistic(baseline, followup, statistic: str, estimator: str, *, rho=None,
                     population_mean=None) -> np.ndarray:
    """One effect statistic from baseline and follow-up means (arrays of the same shape).

    Parameters
    ----------
    baseline, followup : array_like
        Mean monthly use per person (one value, or one per bootstrap replicate).
    statistic : str
        One of :data:`EFFECT_STATISTICS`.
    estimator : {"pre_post", "rtm_adjusted"}
    rho, population_mean : float or array_like
        ``rtm_adjusted`` only: test-retest correlation and population mean (scalars or per replicate).
    """
    b = np.asarray(baseline, dtype=float)
    f = np.asarray(followup, dtype=float)
    if estimator == "pre_post":
        if statistic == "effect":
            return f - b
        if statistic == "counterfactual":
            return b.copy()
        if statistic == "counterfactual_change":
            return np.zeros_like(b)
        with np.errstate(divide="ignore", invalid="ignore"):
            change = (f - b) / b
        return -change
    if estimator != "rtm_adjusted":
        raise ValueError(f"effect statistics from means need pre_post or rtm_adjusted (got {estimator!r})")
    effect = (f - b) + expected_rtm(b, population_mean, rho)
    counterfactual = f - effect
    if statistic == "effect":
        return effect
    if statistic == "counterfactual":
        return counterfactual
    with np.errstate(divide="ignore", invalid="ignore"):
        if statistic == "counterfactual_change":
            return (counterfactual - b) / b
        return -effect / counterfactual
