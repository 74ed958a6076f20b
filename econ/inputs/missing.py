"""Loss to follow-up: complete case, inverse-probability weighting and multiple imputation (MICE).

In questionnaire studies a quarter or more of people do not return the follow-up, and rarely at random:
people with higher need at baseline are lost more often. Complete-case analysis is then biased unless
loss is unrelated to the outcome. Three methods, chosen with ``method`` (:data:`METHODS`; the scenario
setting ``data.missing_followup``, default ``complete_case``):

``complete_case``
    People followed up only (labelled as such). Unbiased when loss is unrelated to the outcomes
    (missing completely at random), or to the outcome given the estimator's covariates.
``ipw``
    Inverse-probability weighting: a logistic regression of being followed up on the baseline
    covariates, fitted **within each arm**; each person followed up is weighted by ``1 / p_hat``.
    Unbiased when loss depends only on those covariates (missing at random, MAR) and the logistic
    model is right. The model is refitted in every bootstrap replicate (the weights' own uncertainty
    is in the interval).
``mice``
    Multiple imputation by chained equations (van Buuren 2018), with scikit-learn's
    ``IterativeImputer(sample_posterior=True)`` (:func:`econ.inputs.imputation.impute`): each follow-up
    column is imputed from the baseline columns, the other follow-up columns and the covariates, within
    each arm, by draws from the posterior predictive distribution of a Bayesian linear regression
    (why not statsmodels' predictive mean matching: see that function). ``imputations`` completed data sets are
    combined by **Rubin's rules** (Rubin 1987): estimate ``Q = mean(q_j)``, total variance
    ``T = U + (1 + 1/M) B`` (``U`` mean complete-data variance, ``B`` between-imputation variance),
    Barnard & Rubin (1999) degrees of freedom; this is the reported interval. The bootstrap is done
    **around** the imputation (bootstrap, then impute each replicate ``boot_imputations`` times and average: "Boot MI",
    Schomaker & Heumann 2018; studied for cost-effectiveness data by Brand et al. 2019); imputing once and then
    bootstrapping the completed data would treat imputed values as observed and give intervals too
    narrow. These replicates carry the imputation into analyses that need draws (they are paired with
    the other estimates' replicates). In the tests they were conservative: on one data set their SE was
    1.35 times Rubin's (the person bootstrap of complete cases was itself 1.16 times the spread of the
    estimate over generator seeds), while Rubin's intervals had nominal coverage (19 of 20 seeds); so the
    table reports Rubin's interval (``low``, ``high``) and the bootstrap one (``boot_low``, ``boot_high``).
    Valid under MAR given the variables in the imputation model.

None of the three removes bias when loss depends on the unobserved follow-up itself (missing not at
random); a sensitivity analysis (e.g. delta adjustment of imputed values) is then needed.

The share of people missing per arm and time point is part of every result (:func:`missing_table`).

References
----------
Barnard J, Rubin DB (1999) Small-sample degrees of freedom with multiple imputation. Biometrika
86:948-955. Brand J, van Buuren S, le Cessie S, van den Hout W (2019) Combining multiple imputation and
bootstrap in the analysis of cost-effectiveness trial data. Stat Med 38:210-220. Rubin DB (1987)
Multiple imputation for nonresponse in surveys. Wiley. Schomaker M, Heumann C (2018) Bootstrap inference
when using multiple imputation. Stat Med 37:2252-2266. Seaman SR, White IR (2013) Review of inverse
probability weighting for dealing with missing data. Stat Methods Med Res 22:278-295. van Buuren S (2018)
Flexible imputation of missing data, 2nd ed. CRC Press. Horton NJ, Lipsitz SR, Parzen M (2003) A
potential for bias when rounding in multiple imputation. Am Stat 57:229-232.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from econ.core.errors import DataError
from econ.inputs.estimators import (ESTIMATORS, Outcomes, Resample, ancova, difference_in_differences,
                                    outcomes_from_data, pre_post)
from econ.inputs.imputation import RubinResult, complete_data_variance, impute, rubin_rules

#: Methods for loss to follow-up and the label printed next to their results.
METHODS = {
    "complete_case": "complete case: people followed up only (biased unless loss is unrelated to outcomes)",
    "ipw": "inverse-probability weighting on baseline covariates (logistic, within arm)",
    "mice": "multiple imputation by chained equations (Bayesian regression draws), Rubin's rules, bootstrap then impute",
}

#: Estimators that can be combined with a method (those of :mod:`econ.inputs.estimators` without external inputs).
SUPPORTED = {"pre_post": pre_post, "difference_in_differences": difference_in_differences, "ancova": ancova}


@dataclass(frozen=True, eq=False)
class MissingOutcomes:
    """Person-level outcomes of everyone, with follow-up missing for people lost.

    Attributes
    ----------
    names, measures : tuple of str
        As :class:`econ.inputs.estimators.Outcomes`.
    baseline : numpy.ndarray
        (n_persons, n_columns), everyone.
    followup : numpy.ndarray
        (n_persons, n_columns), NaN for people lost to follow-up.
    intervention, followed : numpy.ndarray
        (n_persons,) bool.
    covariates : numpy.ndarray
        (n_persons, n_covariates) baseline covariates of the dropout and imputation models (complete).
    covariate_names : tuple of str
    clusters : numpy.ndarray or None
        (n_persons,) cluster labels, for a clustered bootstrap.
    source_file : str
    has_group_column : bool
    """

    names: tuple[str, ...]
    measures: tuple[str, ...]
    baseline: np.ndarray
    followup: np.ndarray
    intervention: np.ndarray
    followed: np.ndarray
    covariates: np.ndarray
    covariate_names: tuple[str, ...]
    clusters: np.ndarray | None = None
    source_file: str = ""
    has_group_column: bool = True

    @property
    def n_persons(self) -> int:
        """Everyone, lost or not."""
        return len(self.intervention)

    def complete_cases(self, rows=None) -> Outcomes:
        """Outcomes of the people followed up (of ``rows`` when given: an index array, repeats allowed).

        For estimates on these outcomes that share a resample over everyone (:func:`draw_resample_all`),
        use ``Resample(resample.weights[:, mo.followed])``: the same replicates, people lost left out.
        """
        rows = np.arange(self.n_persons) if rows is None else np.asarray(rows)
        keep = rows[self.followed[rows]]
        lost = {"intervention": int((self.intervention[rows] & ~self.followed[rows]).sum()),
                "comparison": int((~self.intervention[rows] & ~self.followed[rows]).sum())}
        return Outcomes(self.names, self.measures, self.baseline[keep], self.followup[keep], self.intervention[keep],
                        lost, self.has_group_column, self.source_file)


def missing_outcomes(baseline, followup, intervention, *, names: Sequence[str], measures: Sequence[str] | None = None,
                     covariates: Mapping[str, np.ndarray] | None = None, baseline_covariates: bool = True,
                     clusters=None, source_file: str = "", has_group_column: bool = True) -> MissingOutcomes:
    """Build :class:`MissingOutcomes` from arrays; people lost have NaN in every follow-up column.

    ``baseline_covariates`` adds the baseline of every column (``log1p`` of it for use and cost columns,
    which are skewed) to ``covariates``.

    Raises
    ------
    DataError
        Missing baseline values, a person with some but not all follow-up columns missing, shapes that
        differ, covariates with missing values.
    """
    baseline = np.asarray(baseline, dtype=float)
    followup = np.asarray(followup, dtype=float)
    intervention = np.asarray(intervention, dtype=bool)
    names = tuple(names)
    measures = tuple(measures) if measures is not None else ("use",) * len(names)
    if baseline.shape != followup.shape or baseline.shape != (len(intervention), len(names)):
        raise DataError(f"{source_file}: baseline {baseline.shape}, follow-up {followup.shape}, {len(intervention)} "
                        f"people and {len(names)} names do not match")
    if np.isnan(baseline).any():
        raise DataError(f"{source_file}: baseline values are missing for {int(np.isnan(baseline).any(axis=1).sum())} "
                        f"people; every person needs a baseline")
    lost = np.isnan(followup)
    partial = lost.any(axis=1) & ~lost.all(axis=1)
    if partial.any():
        raise DataError(f"{source_file}: {int(partial.sum())} people have some follow-up columns missing but not all "
                        f"(e.g. person {int(np.flatnonzero(partial)[0]) + 1}); loss to follow-up is per person")
    columns, labels = [], []
    if baseline_covariates:
        for k, name in enumerate(names):
            skewed = measures[k] in ("use", "cost")
            columns.append(np.log1p(np.maximum(baseline[:, k], 0.0)) if skewed else baseline[:, k])
            labels.append(f"log1p_baseline_{name}" if skewed else f"baseline_{name}")
    for name, values in (covariates or {}).items():
        values = np.asarray(values, dtype=float)
        if values.shape != (len(intervention),) or np.isnan(values).any():
            raise DataError(f"{source_file}: covariate {name!r} needs one complete value per person")
        columns.append(values)
        labels.append(name)
    x = np.column_stack(columns) if columns else np.zeros((len(intervention), 0))
    return MissingOutcomes(names, measures, baseline, followup, intervention, ~lost.any(axis=1), x, tuple(labels),
                           None if clusters is None else np.asarray(clusters).astype(str), source_file,
                           has_group_column)


def missing_from_data(data, *, unit_costs=None, measures: Sequence[str] = ("use",), cluster: str | None = None,
                      covariates: Sequence[str] = ("bme",)) -> MissingOutcomes:
    """:class:`MissingOutcomes` of loaded controlled data (people lost included, follow-up NaN).

    Parameters
    ----------
    data : ControlledData or ServiceUseData
        From :func:`econ.inputs.controlled_data.load_controlled_data` or, for the default format with a
        persons file with ``followed_up``, :func:`econ.inputs.service_use.load_service_use` (everyone in the
        intervention arm).
    unit_costs, measures
        As :func:`econ.inputs.estimators.outcomes_from_data`.
    cluster : str, optional
        Column of ``data.persons`` holding the cluster (``cluster`` or ``area``).
    covariates : sequence of str
        Person attributes added as covariates besides the baselines: ``bme`` (1 for yes).
    """
    persons = data.persons.copy()
    persons["followed_up"] = True
    everyone = outcomes_from_data(dataclasses.replace(data, persons=persons), unit_costs=unit_costs, measures=measures)
    extra = {}
    for name in covariates:
        if name != "bme":
            raise DataError(f"covariate {name!r} is not available; choose from bme")
        extra["bme"] = (data.persons["bme"] == "yes").to_numpy(dtype=float)
    if cluster is not None and cluster not in data.persons.columns:
        raise DataError(f"{data.source_file}: no column {cluster!r} to cluster by (columns: cluster, area)")
    followup = everyone.followup.copy()
    if "followed_up" in data.persons:
        followup[~data.persons["followed_up"].to_numpy(dtype=bool)] = np.nan
    return missing_outcomes(everyone.baseline, followup, everyone.intervention, names=everyone.names,
                            measures=everyone.measures, covariates=extra,
                            clusters=None if cluster is None else data.persons[cluster].to_numpy(),
                            source_file=data.source_file, has_group_column=everyone.has_group_column)


def missing_table(mo: MissingOutcomes) -> pd.DataFrame:
    """People and the share missing per arm and time point: ``arm``, ``time_point``, ``n``, ``n_missing``, ``share_missing``."""
    rows = []
    for arm, member in (("intervention", mo.intervention), ("comparison", ~mo.intervention)):
        n = int(member.sum())
        if n == 0:
            continue
        for time_point, missing in (("baseline", np.zeros(mo.n_persons, dtype=bool)), ("followup", ~mo.followed)):
            lost = int((member & missing).sum())
            rows.append({"arm": arm, "time_point": time_point, "n": n, "n_missing": lost, "share_missing": lost / n})
    return pd.DataFrame(rows)


def _missing_columns(mo: MissingOutcomes) -> dict:
    """``missing_<time point>_<arm>`` -> share, for the columns next to every result."""
    return {f"missing_{r.time_point}_{r.arm}": r.share_missing for r in missing_table(mo).itertuples()}


def _log_likelihood(beta, design, y, w):
    eta = beta @ design.T
    return (w * (y * eta - np.logaddexp(0.0, eta))).sum(axis=1)


def logistic_fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray, *, max_iter: int = 100,
                 tol: float = 1e-10, what: str = "the model of loss to follow-up") -> np.ndarray:
    """Weighted logistic regression of ``y`` on ``[1, x]`` by Newton-Raphson, vectorised over weight rows.

    Parameters
    ----------
    x : (n, p) covariates; y : (n,) 0/1; weights : (R, n) frequency weights (bootstrap counts).

    Returns
    -------
    numpy.ndarray
        (R, p + 1) coefficients, intercept first: the maximum-likelihood estimate, equal to statsmodels'
        ``GLM(y, X, family=Binomial(), freq_weights=w)`` (checked in the tests). Steps are halved until the
        log-likelihood does not fall. A replicate with (quasi-)complete separation has no finite estimate;
        its fit stops when the log-likelihood no longer changes (relative 1e-12), where its fitted
        probabilities, which are what the methods use, have converged.

    Raises
    ------
    DataError
        No convergence of the log-likelihood in ``max_iter`` steps.
    """
    from scipy.special import expit

    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    centre = x.mean(axis=0)
    design = np.column_stack([np.ones(len(y)), (x - centre) / scale])
    w = np.atleast_2d(weights)
    share = np.clip((w @ y) / w.sum(axis=1), 1e-6, 1 - 1e-6)
    beta = np.zeros((w.shape[0], design.shape[1]))
    beta[:, 0] = np.log(share / (1 - share))
    ll = _log_likelihood(beta, design, y, w)
    for _ in range(max_iter):
        mu = expit(beta @ design.T)
        gradient = (w * (y - mu)) @ design
        hessian = np.einsum("rn,np,nq->rpq", w * mu * (1 - mu), design, design)
        step = np.linalg.solve(hessian + 1e-9 * np.eye(design.shape[1]), gradient[:, :, None])[:, :, 0]
        factor = np.ones(len(beta))
        for _ in range(30):  # step halving, per replicate
            new_ll = _log_likelihood(beta + factor[:, None] * step, design, y, w)
            worse = new_ll < ll - 1e-12 * np.abs(ll)
            if not worse.any():
                break
            factor[worse] /= 2.0
        beta = beta + factor[:, None] * step
        change = np.abs(new_ll - ll)
        ll = new_ll
        if np.max(np.abs(factor[:, None] * step)) < tol or np.all(change <= 1e-12 * np.abs(ll)):
            break
    else:
        raise DataError(f"{what} did not converge; use fewer covariates or another method")
    out = beta.copy()
    out[:, 1:] = beta[:, 1:] / scale
    out[:, 0] = beta[:, 0] - (beta[:, 1:] * (centre / scale)).sum(axis=1)
    return out


def ipw_weights(mo: MissingOutcomes, counts: np.ndarray) -> np.ndarray:
    """Bootstrap counts times inverse probabilities of follow-up, (R, n); 0 for people lost.

    The logistic model of follow-up on the covariates is fitted within each arm on every row of ``counts``.
    """
    from scipy.special import expit

    counts = np.atleast_2d(np.asarray(counts, dtype=float))
    out = np.zeros_like(counts)
    y = mo.followed.astype(float)
    for member in (mo.intervention, ~mo.intervention):
        if not member.any():
            continue
        beta = logistic_fit(mo.covariates[member], y[member], counts[:, member])
        p = expit(beta[:, :1] + beta[:, 1:] @ mo.covariates[member].T)
        out[:, member] = counts[:, member] * y[member] / p
    return out


def _estimate(o: Outcomes, estimator: str, weights: np.ndarray) -> np.ndarray:
    """Estimates (R, m) of ``estimator`` with weights (R, n) over the people of ``o``."""
    return SUPPORTED[estimator](o, resample=Resample(np.atleast_2d(weights))).replicates




@dataclass(frozen=True, eq=False)
class MissingEffect:
    """An estimator combined with a method for loss to follow-up.

    Attributes
    ----------
    estimator, method : str
        Keys of :data:`econ.inputs.estimators.ESTIMATORS` and :data:`METHODS`.
    outcomes : MissingOutcomes
    estimate : numpy.ndarray
        (m,) point estimate per column (for ``mice`` Rubin's pooled estimate).
    replicates : numpy.ndarray
        (n_boot, m) bootstrap estimates (``mice``: each the mean over ``boot_imputations`` imputations of
        the replicate).
    rubin : RubinResult or None
        For ``mice``: Rubin's rules over ``imputations`` imputations of the data.
    level : float
    """

    estimator: str
    method: str
    outcomes: MissingOutcomes
    estimate: np.ndarray
    replicates: np.ndarray
    rubin: RubinResult | None = None
    level: float = 0.95

    @property
    def interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Interval (low, high) per column: Rubin's rules for ``mice``, else the percentile bootstrap."""
        if self.rubin is not None:
            return self.rubin.low, self.rubin.high
        return self.boot_interval

    @property
    def boot_interval(self) -> tuple[np.ndarray, np.ndarray]:
        """Percentile interval of the bootstrap replicates (for ``mice``: bootstrap then impute)."""
        tail = (1.0 - self.level) / 2.0
        return np.quantile(self.replicates, tail, axis=0), np.quantile(self.replicates, 1.0 - tail, axis=0)

    def table(self) -> pd.DataFrame:
        """One row per column: estimator, method and labels, estimate, low, high (:attr:`interval`),
        boot_low, boot_high, boot_se, the share missing per arm and time point
        (``missing_followup_intervention``, ...) and, for ``mice``, ``rubin_se``, ``rubin_df``, ``fmi``."""
        low, high = self.interval
        boot_low, boot_high = self.boot_interval
        o = self.outcomes
        frame = pd.DataFrame({"estimator": self.estimator, "label": ESTIMATORS[self.estimator],
                              "method": self.method, "method_label": METHODS[self.method],
                              "measure": list(o.measures), "name": list(o.names), "estimate": self.estimate,
                              "low": low, "high": high, "boot_low": boot_low, "boot_high": boot_high,
                              "boot_se": self.replicates.std(axis=0, ddof=1)})
        for column, share in _missing_columns(o).items():
            frame[column] = share
        if self.rubin is not None:
            r = self.rubin
            frame["rubin_se"], frame["rubin_df"], frame["fmi"] = np.sqrt(r.total), r.df, r.fmi
        return frame


def draw_resample_all(mo: MissingOutcomes, n_boot: int, rng: np.random.Generator, *, clustered: bool = False,
                      people: str = "keep") -> Resample:
    """Bootstrap over everyone (lost people included), within arm; by cluster when ``clustered``."""
    from econ.inputs.clustered import draw_cluster_resample
    from econ.inputs.estimators import draw_resample

    if clustered:
        if mo.clusters is None:
            raise DataError(f"{mo.source_file}: a clustered bootstrap needs clusters (cluster= when loading)")
        return draw_cluster_resample(mo.intervention, mo.clusters, n_boot, rng, people=people)
    stand_in = Outcomes(mo.names, mo.measures, mo.baseline, mo.baseline, mo.intervention, {})
    return draw_resample(stand_in, n_boot, rng)


def _mice_estimates(mo: MissingOutcomes, estimator: str, rows: np.ndarray, rng, count: int, iterations: int, *,
                    with_variance: bool):
    """Estimates (count, m) (and variances) over ``count`` imputations of the people ``rows``."""
    estimates, variances, dof = [], [], None
    for _ in range(count):
        completed = impute(mo, rows, rng, iterations=iterations)
        o = Outcomes(mo.names, mo.measures, mo.baseline[rows], completed, mo.intervention[rows], {},
                     mo.has_group_column, mo.source_file)
        if with_variance:
            q, u, dof = complete_data_variance(o, estimator)
            estimates.append(q)
            variances.append(u)
        else:
            estimates.append(_estimate(o, estimator, np.ones(len(rows)))[0])
    return np.array(estimates), np.array(variances), dof


def estimate_missing(mo: MissingOutcomes, estimator: str, method: str = "complete_case", *, n_boot: int = 1000,
                     rng: np.random.Generator | None = None, resample: Resample | None = None, level: float = 0.95,
                     imputations: int = 10, boot_imputations: int = 2, iterations: int = 10) -> MissingEffect:
    """Estimate the effect with a method for loss to follow-up (module docstring).

    Parameters
    ----------
    mo : MissingOutcomes
    estimator : {"pre_post", "difference_in_differences", "ancova"}
    method : {"complete_case", "ipw", "mice"}
    n_boot, rng, resample
        Bootstrap replicates; ``resample`` (over everyone, :func:`draw_resample_all`, clustered or not)
        is shared with other estimates so costs and outcomes stay correlated.
    imputations : int
        ``mice``: imputations of the data for Rubin's rules (>= 2).
    boot_imputations : int
        ``mice``: imputations per bootstrap replicate, averaged (>= 1).
    iterations : int
        ``mice``: chained-equation cycles.

    Raises
    ------
    DataError
        Unknown estimator or method, a comparison group needed and absent, bad counts.
    """
    if estimator not in SUPPORTED:
        raise DataError(f"estimator {estimator!r} cannot be combined with a method for loss to follow-up; choose "
                        f"from {', '.join(SUPPORTED)}")
    if method not in METHODS:
        raise DataError(f"unknown method for loss to follow-up {method!r}; choose from {', '.join(METHODS)}")
    for name, value, least in (("imputations", imputations, 2), ("boot_imputations", boot_imputations, 1),
                               ("iterations", iterations, 1)):
        if not isinstance(value, (int, np.integer)) or value < least:
            raise DataError(f"{name} must be a whole number >= {least} (got {value!r})")
    rng = rng if rng is not None else np.random.default_rng()
    resample = resample if resample is not None else draw_resample_all(mo, n_boot, rng)
    if resample.weights.shape[1] != mo.n_persons:
        raise DataError(f"the resample has {resample.weights.shape[1]} people but the data have {mo.n_persons}")
    cc = mo.complete_cases()
    SUPPORTED[estimator](cc, resample=Resample(np.ones((1, len(cc.intervention)))))  # checks group sizes
    counts = resample.weights
    if method == "complete_case":
        point = _estimate(cc, estimator, np.ones(len(cc.intervention)))[0]
        reps = _estimate(cc, estimator, counts[:, mo.followed])
        return MissingEffect(estimator, method, mo, point, reps, None, level)
    if method == "ipw":
        point = _estimate(cc, estimator, ipw_weights(mo, np.ones(mo.n_persons))[:, mo.followed])[0]
        reps = _estimate(cc, estimator, ipw_weights(mo, counts)[:, mo.followed])
        return MissingEffect(estimator, method, mo, point, reps, None, level)
    everyone = np.arange(mo.n_persons)
    q, u, dof = _mice_estimates(mo, estimator, everyone, rng, imputations, iterations, with_variance=True)
    rubin = rubin_rules(q, u, complete_df=dof, level=level)
    reps = np.empty((resample.n_boot, len(mo.names)))
    for r in range(resample.n_boot):
        rows = np.repeat(everyone, np.round(counts[r]).astype(np.int64))
        reps[r] = _mice_estimates(mo, estimator, rows, rng, boot_imputations, iterations,
                                  with_variance=False)[0].mean(axis=0)
    return MissingEffect(estimator, method, mo, rubin.estimate, reps, rubin, level)
