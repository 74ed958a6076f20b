"""Clustered bootstrap of person-level data, the intra-cluster correlation and the design effect.

People in one peer-support group, referral site or area resemble each other, so ``n`` people in ``a``
clusters carry less information than ``n`` independent people. The variance of a mean is inflated by
the **design effect** ``DE = 1 + (m - 1) ICC`` (Kish 1965; Donner & Klar 2000) for clusters of size
``m``; for unequal sizes the exact factor of a person-weighted mean under a common ICC is
``1 + (m_eff - 1) ICC`` with ``m_eff = sum(m_c^2) / n`` (equal to ``m`` when sizes are equal), which is
what :func:`design_effect` reports.

The bootstrap resamples clusters with replacement within each arm (intervention, comparison), as many
as the arm has, and then the people of each drawn cluster (``people=``):

``keep`` (default)
    every person of a drawn cluster enters once (Davison & Hinkley 1997, section 3.8, strategy 1):
    the bootstrap variance of a mean is ``(1/a^2) sum_c (m_c/m_bar)^2 (ybar_c - ybar)^2`` for equal sizes
    (``a`` clusters), the between-cluster variance, which is consistent as the number of clusters grows.
``resample``
    people are drawn with replacement within each drawn cluster (two-stage, strategy 2). This adds
    the within-cluster variance a second time, so it is conservative (wider) when clusters are many;
    it is closer when clusters are few and large. Its expected variance is stated in the tests.

Replicates are :class:`econ.inputs.estimators.Resample` weights, so every estimator of
:mod:`econ.inputs.estimators` (and IPW, :mod:`econ.inputs.missing`) runs on them unchanged.

References
----------
Davison AC, Hinkley DV (1997) Bootstrap methods and their application, section 3.8. Cambridge UP.
Donner A, Klar N (2000) Design and analysis of cluster randomization trials in health research. Arnold.
Kish L (1965) Survey sampling. Wiley.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ.core.errors import DataError
from econ.inputs.estimators import EffectEstimate, Resample

#: How people of a drawn cluster enter a replicate (module docstring).
PEOPLE = ("keep", "resample")


def _codes(clusters) -> np.ndarray:
    labels = np.asarray(clusters).astype(str)
    return np.unique(labels, return_inverse=True)[1]


def draw_cluster_resample(intervention: np.ndarray, clusters, n_boot: int, rng: np.random.Generator, *,
                          people: str = "keep") -> Resample:
    """Resample clusters with replacement within arm, then their people (``people=``, module docstring).

    Parameters
    ----------
    intervention : numpy.ndarray
        (n,) bool, True for the intervention arm (all True for data without a comparison group).
    clusters : array_like
        (n,) cluster label of each person, in the order of ``intervention``. A cluster holding people of
        both arms is split by arm.
    n_boot : int
        Replicates (>= 1).
    rng : numpy.random.Generator
        Draws, in this order per arm (intervention first): ``integers`` of shape (n_boot, a_arm) for the
        clusters, then for ``resample`` one ``multinomial`` per cluster in label order.
    people : {"keep", "resample"}

    Returns
    -------
    Resample
        ``weights[r, i]``: how often person ``i`` enters replicate ``r``.

    Raises
    ------
    DataError
        Bad ``n_boot`` or ``people``, lengths that differ, or an arm with people in fewer than 2 clusters
        (the between-cluster variance cannot be estimated from one cluster).
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise DataError(f"n_boot must be a whole number >= 1 (got {n_boot!r})")
    if people not in PEOPLE:
        raise DataError(f"people must be one of {', '.join(PEOPLE)} (got {people!r})")
    intervention = np.asarray(intervention, dtype=bool)
    codes = _codes(clusters)
    if codes.shape != intervention.shape:
        raise DataError(f"{len(codes)} cluster labels for {len(intervention)} people")
    weights = np.zeros((n_boot, len(intervention)))
    for arm_name, member in (("intervention", intervention), ("comparison", ~intervention)):
        index = np.flatnonzero(member)
        if len(index) == 0:
            continue
        arm_clusters, local = np.unique(codes[index], return_inverse=True)
        a = len(arm_clusters)
        if a < 2:
            raise DataError(f"the {arm_name} arm has people in {a} cluster; a clustered bootstrap needs at least 2 "
                            f"clusters per arm (use the person bootstrap, or declare a finer cluster)")
        draws = rng.integers(0, a, size=(n_boot, a))
        counts = np.zeros((n_boot, a))
        np.add.at(counts, (np.repeat(np.arange(n_boot), a), draws.ravel()), 1.0)
        if people == "keep":
            weights[:, index] = counts[:, local]
            continue
        for c in range(a):
            members = index[local == c]
            m = len(members)
            weights[:, members] = rng.multinomial((counts[:, c] * m).astype(np.int64), np.full(m, 1.0 / m))
    return Resample(weights)


@dataclass(frozen=True)
class DesignEffect:
    """ICC and design effect of one outcome.

    Attributes
    ----------
    icc : float
        One-way ANOVA estimate (Donner & Klar 2000), may be negative in small samples.
    n_clusters : int
    mean_size : float
        People per cluster.
    effective_size : float
        ``sum(m_c^2) / n``: the cluster size in ``DE = 1 + (m - 1) ICC`` for a person-weighted mean.
    design_effect : float
        ``1 + (effective_size - 1) * icc``.
    """

    icc: float
    n_clusters: int
    mean_size: float
    effective_size: float
    design_effect: float


def icc_anova(values, clusters) -> DesignEffect:
    """ICC by one-way ANOVA and the design effect of the mean (module docstring).

    ``ICC = (MSB - MSW) / (MSB + (m0 - 1) MSW)`` with ``m0 = (n - sum m_c^2 / n) / (a - 1)``.
    """
    y = np.asarray(values, dtype=float)
    codes = _codes(clusters)
    if len(codes) != len(y):
        raise DataError(f"{len(codes)} cluster labels for {len(y)} values")
    n = len(y)
    sizes = np.bincount(codes).astype(float)
    sizes = sizes[sizes > 0]
    a = len(sizes)
    if a < 2 or n <= a:
        raise DataError(f"the ICC needs at least 2 clusters and more people than clusters (got {a} clusters, {n} people)")
    means = np.bincount(codes, weights=y)[np.bincount(codes) > 0] / sizes
    grand = y.mean()
    msb = float((sizes * (means - grand) ** 2).sum() / (a - 1))
    within = y - (np.bincount(codes, weights=y) / np.maximum(np.bincount(codes), 1))[codes]
    msw = float((within**2).sum() / (n - a))
    m0 = (n - (sizes**2).sum() / n) / (a - 1)
    denominator = msb + (m0 - 1.0) * msw
    icc = float((msb - msw) / denominator) if denominator > 0 else 0.0
    m_eff = float((sizes**2).sum() / n)
    return DesignEffect(icc, a, float(n / a), m_eff, 1.0 + (m_eff - 1.0) * icc)


def design_effect_table(clustered: EffectEstimate, naive: EffectEstimate, clusters) -> pd.DataFrame:
    """Design effect per outcome column: bootstrap variance ratio and ``1 + (m - 1) ICC``.

    Parameters
    ----------
    clustered, naive : EffectEstimate
        The same estimator on the same outcomes with a clustered and a person bootstrap.
    clusters : array_like
        Cluster of each person of the outcomes (complete cases), for the ICC of the intervention
        arm's change (follow-up minus baseline).

    Returns
    -------
    pandas.DataFrame
        ``name``, ``icc`` (of the change, intervention arm), ``n_clusters``, ``cluster_size`` (effective),
        ``design_effect_icc`` (``1 + (m - 1) ICC``), ``design_effect_bootstrap`` (clustered variance /
        person variance), ``width_ratio`` (interval widths, clustered / person).
    """
    o = clustered.outcomes
    labels = np.asarray(clusters).astype(str)
    member = o.intervention
    rows = []
    low_c, high_c = clustered.interval
    low_n, high_n = naive.interval
    var_c = clustered.replicates.var(axis=0, ddof=1)
    var_n = naive.replicates.var(axis=0, ddof=1)
    for k, name in enumerate(o.names):
        change = (o.followup[member, k] - o.baseline[member, k])
        de = icc_anova(change, labels[member])
        with np.errstate(divide="ignore", invalid="ignore"):
            rows.append({"name": name, "icc": de.icc, "n_clusters": de.n_clusters, "cluster_size": de.effective_size,
                         "design_effect_icc": de.design_effect, "design_effect_bootstrap": var_c[k] / var_n[k],
                         "width_ratio": (high_c[k] - low_c[k]) / (high_n[k] - low_n[k])})
    return pd.DataFrame(rows)


def cluster_bootstrap_summary(data, *, n_boot: int, rng: np.random.Generator, cluster: str, by=(),
                              include_informal_care: bool = False, include_swemwbs: bool = False) -> pd.DataFrame:
    """:func:`econ.inputs.service_use.bootstrap_summary` with clusters resampled instead of people.

    Within each group of ``by`` (sorted), the clusters (values of the person column ``cluster``, e.g.
    ``area``) are drawn with replacement and keep their people; a replicate's mean is over the people
    drawn. Same columns as ``bootstrap_summary``: ``replicate``, the ``by`` columns, ``service``,
    ``baseline``, ``followup``, ``relative_change``.

    Raises
    ------
    DataError
        ``cluster`` is not a person column, or a group has people in fewer than 2 clusters.
    """
    from econ.inputs.service_use import INFORMAL_CARE_SERVICE, SWEMWBS, _require_swemwbs

    persons = data.persons
    if cluster not in persons.columns:
        raise DataError(f"{data.source_file}: no person column {cluster!r} to resample as clusters")
    names = list(data.services)
    values = np.moveaxis(np.asarray(data.monthly_use), 1, 0)
    if include_informal_care:
        values = np.concatenate([values, np.asarray(data.informal_care_monthly).T[:, :, None]], axis=2)
        names.append(INFORMAL_CARE_SERVICE)
    if include_swemwbs:  # the mean SWEMWBS score, from the same resample of clusters
        values = np.concatenate([values, np.asarray(_require_swemwbs(data), dtype=float).T[:, :, None]], axis=2)
        names.append(SWEMWBS)
    by = list(by)
    keys = persons[by].astype(str).agg("|".join, axis=1).to_numpy() if by else np.full(len(persons), "")
    labels = persons[cluster].astype(str).to_numpy()
    frames = []
    for key in sorted(set(keys)):
        member = keys == key
        try:
            w = draw_cluster_resample(np.ones(int(member.sum()), dtype=bool), labels[member], n_boot, rng).weights
        except DataError as exc:
            where = ", ".join(f"{b}={v}" for b, v in zip(by, key.split("|"))) or "the data"
            raise DataError(f"{data.source_file}: cannot resample clusters ({cluster}) within {where}: {exc}") from None
        flat = values[member].reshape(int(member.sum()), -1)
        means = (w @ flat / w.sum(axis=1, keepdims=True)).reshape(n_boot, 2, len(names))
        frame = pd.DataFrame({"replicate": np.repeat(np.arange(n_boot, dtype=np.int64), len(names))})
        for column, value in zip(by, key.split("|")):
            frame[column] = value
        frame["service"] = np.tile(np.array(names, dtype=object), n_boot)
        frame["baseline"] = means[:, 0, :].ravel()
        frame["followup"] = means[:, 1, :].ravel()
        with np.errstate(divide="ignore", invalid="ignore"):
            frame["relative_change"] = np.where(frame["baseline"] > 0, frame["followup"] / frame["baseline"] - 1, np.nan)
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)
