"""The model's service-use statistics under loss to follow-up: ``data.missing_followup`` ipw or mice.

With ``complete_case`` (the default) a :class:`econ.inputs.context.DataContext` summarises the people followed
up, as before. With ``ipw`` or ``mice`` it asks a :class:`FollowupStatistics` for the means at baseline and
follow-up of the people a parameter selects (its service, subgroup and arm), one per bootstrap replicate
and at the point, and for the ``difference_in_differences`` / ``ancova`` effect. Everyone is resampled, lost
people included, within arm (and within the strata of the subgroups asked for, or by cluster with
``data.bootstrap_clusters``), on the DataContext's streams; every statistic of a replicate uses the same
weights or imputations, so costs and outcomes stay correlated in the probabilistic analysis.

``ipw``
    The weights of :func:`econ.inputs.missing.ipw_weights`: a logistic regression of being followed up on
    ``log1p`` of the person's total baseline use over services (which carries baseline need), ``bme`` and,
    with a persons file, the baseline SWEMWBS score; fitted within arm, refitted in every replicate. Means
    are weighted (Hajek) means of the people followed up; the point estimate uses the weights fitted on
    the data. A parsimonious model on purpose: with one ``log1p`` baseline per service (``data effect``'s
    covariates) the fitted probabilities of the SYNTHETIC need-dropout data went near 0 for a few people
    (largest weight 80), and one person's weight moved the mean change of GP contacts from -0.18 to -3.9
    a month (the generator's truth: -0.23).
``mice``
    Bootstrap, then impute (Boot MI, Schomaker & Heumann 2018): in every replicate the follow-up of the
    people lost (each copy drawn) is imputed once, and the replicate's statistics are of the completed
    replicate; the point estimate is Rubin's pooled estimate Q, the mean over ``data.imputations``
    imputations of the data of the estimate (of each mean, and of the DiD or ANCOVA effect). One
    imputation per replicate is valid Boot MI: the spread of the replicates then holds the imputation
    variance too. The imputation model is the one of :func:`econ.inputs.imputation.impute` (each arm on
    its own; every follow-up column from the baseline columns and the covariates; its parameters
    drawn by a bootstrap of the people followed up, so the imputation is proper), written in closed
    form: because follow-up is all observed or all missing for a person (the formats record loss, not
    single items), chained equations need no iterations; the follow-up vector is the least-squares
    prediction plus the residual vector of a random donor (scaled by sqrt(n / (n - p)) for the degrees of
    freedom of the fit), which keeps the columns' joint distribution and their skewness. scikit-learn's
    IterativeImputer (used by ``data effect``) took 1.5 s (3 cycles) to 5 s (10 cycles) per imputation
    of the 1,050 x 16-column SYNTHETIC need-dropout data on this machine, so 2,000 replicates would
    take one to three hours; this took 6.9 s for 2,000 replicates (3.5 ms each; IPW 3.5 s).

The share of people missing per arm and time point is :meth:`FollowupStatistics.summary` (and
:func:`followup_summary` for any DataContext), printed with every result.
"""
from __future__ import annotations

from functools import cached_property
from types import SimpleNamespace

import numpy as np

from econ.core.errors import DataError
from econ.inputs.followup import loss_summary

#: What each method is called next to results.
METHOD_LABELS = {"complete_case": "complete case (people followed up only)",
                 "ipw": "inverse-probability weighting (logistic on baseline covariates, within arm)",
                 "mice": "multiple imputation (bootstrap then impute; Rubin's pooled estimate)"}


class FollowupStatistics:
    """Weights or completed follow-up of everyone in the data of a DataContext, per replicate and at the point.

    Parameters
    ----------
    data : ServiceUseData or ControlledData
        Everyone (people lost with NaN at follow-up); ControlledData gives the comparison arm too.
    method : {"ipw", "mice"}
    n_boot, seed : int
        Replicates and the scenario seed (streams as the DataContext's).
    by : tuple of str
        Strata of the intervention arm's bootstrap (the subgroups asked for).
    cluster : str or None
        Person column resampled as clusters (``data.bootstrap_clusters``).
    imputations : int
        ``mice``: imputations of the data for the point estimate (Rubin's Q).
    """

    def __init__(self, data, method: str, *, n_boot: int, seed: int, by=(), cluster=None, imputations: int = 10):
        from econ.inputs.missing import missing_from_data

        self.data, self.method, self.n_boot, self.seed = data, method, int(n_boot), int(seed)
        self.by, self.cluster, self.imputations = tuple(by), cluster, int(imputations)
        persons = data.persons
        measures = ("use",) + (("swemwbs",) if getattr(data, "swemwbs", None) is not None else ())
        self.mo = missing_from_data(data, measures=measures)
        self.persons = persons
        self.intervention = self.mo.intervention
        self.followed = self.mo.followed
        self.column = {name: k for k, name in enumerate(self.mo.names)}

    # -- the people resampled -------------------------------------------------------------------
    @cached_property
    def counts(self) -> np.ndarray:
        """(n_boot, n_persons) times each person is drawn: the intervention arm within the strata ``by`` (or
        by cluster), on the stream [seed, 0xB007]; the comparison arm on [seed, 0xB007, 0xC0]."""
        from econ.inputs.clustered import draw_cluster_resample
        from econ.inputs.service_use import bootstrap_counts

        out = np.zeros((self.n_boot, self.mo.n_persons))
        arm = np.flatnonzero(self.intervention)
        frame = self.persons.iloc[arm].reset_index(drop=True)
        rng = np.random.default_rng([self.seed, 0xB007])
        if self.cluster is None:
            out[:, arm] = bootstrap_counts(SimpleNamespace(persons=frame, n_persons=len(arm)), n_boot=self.n_boot,
                                           rng=rng, by=self.by)
        else:
            keys = frame[list(self.by)].astype(str).agg("|".join, axis=1).to_numpy() if self.by else \
                np.full(len(arm), "")
            labels = frame[self.cluster].astype(str).to_numpy()
            crng = np.random.default_rng([self.seed, 0xB007, 0xC1])
            for key in sorted(set(keys)):
                member = keys == key
                out[:, arm[member]] = draw_cluster_resample(np.ones(int(member.sum()), dtype=bool), labels[member],
                                                            self.n_boot, crng).weights
        other = np.flatnonzero(~self.intervention)
        if len(other):
            crng = np.random.default_rng([self.seed, 0xB007, 0xC0])
            draws = crng.integers(0, len(other), size=(self.n_boot, len(other)))
            offsets = (np.arange(self.n_boot) * len(other))[:, None]
            out[:, other] = np.bincount((draws + offsets).ravel(), minlength=self.n_boot * len(other)).reshape(
                self.n_boot, len(other))
        return out

    # -- weights (ipw) or completed sums (mice) ----------------------------------------------------
    @cached_property
    def _ipw(self) -> tuple[np.ndarray, np.ndarray]:
        from econ.inputs.missing import ipw_weights, missing_outcomes

        mo = self.mo
        use = [k for k, m in enumerate(mo.measures) if m == "use"]
        covariates = {"log1p_total_baseline_use": np.log1p(np.maximum(mo.baseline[:, use].sum(axis=1), 0.0)),
                      "bme": mo.covariates[:, mo.covariate_names.index("bme")]}
        if "swemwbs" in self.column:
            covariates["baseline_swemwbs"] = mo.baseline[:, self.column["swemwbs"]]
        model = missing_outcomes(mo.baseline, mo.followup, mo.intervention, names=mo.names, measures=mo.measures,
                                 covariates=covariates, baseline_covariates=False, source_file=mo.source_file)
        return ipw_weights(model, np.ones(mo.n_persons)), ipw_weights(model, self.counts)

    def _imputed_sums(self, counts: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """(R, n_lost, m): per person lost (in the order of ``self.lost``), the sum over its copies drawn of
        its imputed follow-up."""
        mo = self.mo
        observed = np.nan_to_num(mo.followup)
        out = np.zeros((counts.shape[0], len(self.lost), len(mo.names)))
        design = np.column_stack([np.ones(mo.n_persons), mo.baseline, mo.covariates])
        for member in (self.intervention, ~self.intervention):
            seen, lost = np.flatnonzero(member & self.followed), np.flatnonzero(member & ~self.followed)
            if len(lost) == 0:
                continue
            rank = self.rank[lost]
            for r in range(counts.shape[0]):
                out[r, rank] = _impute_copies(design, observed, seen, lost, counts[r], rng)
        return out

    @cached_property
    def lost(self) -> np.ndarray:
        """Positions of the people lost to follow-up."""
        return np.flatnonzero(~self.followed)

    @cached_property
    def rank(self) -> np.ndarray:
        """Position of each person in :attr:`lost` (-1 for people followed up)."""
        out = np.full(self.mo.n_persons, -1)
        out[self.lost] = np.arange(len(self.lost))
        return out

    @cached_property
    def _mice(self) -> tuple[np.ndarray, np.ndarray]:
        point_counts = np.ones((self.imputations, self.mo.n_persons))
        point = self._imputed_sums(point_counts, np.random.default_rng([self.seed, 0xB007, 0x11]))
        reps = self._imputed_sums(self.counts, np.random.default_rng([self.seed, 0xB007, 0x12]))
        return point, reps

    def sums(self, mask: np.ndarray, k: int, replicates: bool) -> dict:
        """Weighted sums over the people ``mask`` of column ``k``, one per row (replicates, or the point's rows:
        1 for ipw, the imputations for mice): ``n``, ``b``, ``f``, ``bb``, ``bf``."""
        b = self.mo.baseline[mask, k]
        y = np.nan_to_num(self.mo.followup[mask, k])
        if self.method == "ipw":
            w = (self._ipw[1] if replicates else self._ipw[0])[:, mask]
            t = w * y
        else:
            w = (self.counts if replicates else np.ones((self.imputations, self.mo.n_persons)))[:, mask]
            t = w * y
            gone = self.rank[mask]
            t[:, gone >= 0] = (self._mice[1] if replicates else self._mice[0])[:, gone[gone >= 0], k]
        return {"n": w.sum(axis=1), "b": w @ b, "f": t.sum(axis=1), "bb": w @ (b * b), "bf": t @ b}

    def means(self, mask: np.ndarray, service: str, replicates: bool) -> tuple[np.ndarray, np.ndarray]:
        """Mean baseline and follow-up of ``service`` over the people ``mask``: per replicate, or (as 0-d
        arrays) the point estimate (for mice the mean over imputations, Rubin's Q)."""
        s = self.sums(mask, self.column[service], replicates)
        with np.errstate(divide="ignore", invalid="ignore"):
            b, f = s["b"] / s["n"], s["f"] / s["n"]
        return (b, f) if replicates else (np.asarray(b.mean()), np.asarray(f.mean()))

    def comparison_effect(self, estimator: str, treated: np.ndarray, compared: np.ndarray, service: str,
                          replicates: bool) -> np.ndarray:
        """DiD or ANCOVA effect on ``service`` between the people ``treated`` and ``compared`` (masks); per
        replicate, or the point estimate (mice: the mean over imputations of the estimate, Rubin's Q)."""
        k = self.column[service]
        t, c = self.sums(treated, k, replicates), self.sums(compared, k, replicates)
        values = weighted_effect(estimator, t, c)
        return values if replicates else np.asarray(values.mean())

    def summary(self) -> dict:
        """Method and the share missing per arm and time point (see :func:`followup_summary`)."""
        return _summary(self.method, self.intervention, self.followed)


def _impute_copies(design, observed, seen, lost, counts, rng) -> np.ndarray:
    """Sum over the copies of each lost person (``counts``) of imputed follow-up vectors (module docstring)."""
    pool = np.repeat(seen, np.round(counts[seen]).astype(np.int64))
    copies = np.round(counts[lost]).astype(np.int64)
    out = np.zeros((len(lost), observed.shape[1]))
    if copies.sum() == 0:
        return out
    if len(pool) < 3:
        raise DataError("an arm has fewer than 3 people followed up in a bootstrap replicate; nothing to impute "
                        "from (use complete_case or ipw, or more data)")
    donors = rng.choice(pool, size=len(pool))
    x, y = design[donors], observed[donors]
    coef, _, rank, _ = np.linalg.lstsq(x, y, rcond=None)
    residual = (y - x @ coef) * np.sqrt(len(donors) / max(len(donors) - rank, 1))
    drawn = rng.integers(0, len(donors), size=int(copies.sum()))
    owner = np.repeat(np.arange(len(lost)), copies)
    np.add.at(out, owner, residual[drawn])
    return out + copies[:, None] * (design[lost] @ coef)


def weighted_effect(estimator: str, t: dict, c: dict) -> np.ndarray:
    """DiD or ANCOVA from the weighted sums of :meth:`FollowupStatistics.sums` of both arms.

    ANCOVA: the group coefficient of the weighted least-squares fit follow-up ~ 1 + group + baseline over
    both arms, by the Frisch-Waugh form of :func:`econ.inputs.estimators._ancova_values` (the difference of
    means when baseline does not vary).
    """
    with np.errstate(divide="ignore", invalid="ignore"):
        if estimator == "difference_in_differences":
            return (t["f"] - t["b"]) / t["n"] - (c["f"] - c["b"]) / c["n"]
        n = t["n"] + c["n"]
        mg, mx, my = t["n"] / n, (t["b"] + c["b"]) / n, (t["f"] + c["f"]) / n
        vgg, vgx, vgy = mg * (1 - mg), t["b"] / n - mg * mx, t["f"] / n - mg * my
        xx = (t["bb"] + c["bb"]) / n
        vxx, vxy = xx - mx**2, (t["bf"] + c["bf"]) / n - mx * my
        flat = vxx <= 1e-12 * np.maximum(xx, 1e-300)
        return np.where(flat, vgy / vgg, (vgy * vxx - vgx * vxy) / (vgg * vxx - vgx**2))


def _summary(method: str, intervention: np.ndarray, followed: np.ndarray) -> dict:
    rows = loss_summary(np.asarray(intervention, dtype=bool), np.asarray(followed, dtype=bool))
    return {"method": method, "label": METHOD_LABELS[method], "n": int(len(followed)),
            "n_lost": int((~np.asarray(followed, dtype=bool)).sum()), "missing": rows}


def followup_summary(context) -> dict:
    """What results say about loss to follow-up in a DataContext's service-use data ({} without such data).

    ``method`` (``data.missing_followup``), ``label``, ``n`` people, ``n_lost``, and ``missing``: one entry per
    arm and time point with ``n``, ``n_missing`` and ``share_missing``.
    """
    data = context.everyone
    if data is None:
        return {}
    persons = data.persons
    intervention = (persons["group"] == "intervention").to_numpy() if "group" in persons else \
        np.ones(len(persons), dtype=bool)
    followed = persons["followed_up"].to_numpy(dtype=bool) if "followed_up" in persons else \
        np.ones(len(persons), dtype=bool)
    return _summary(context.loaded.spec.data.missing_followup, intervention, followed)


def summary_line(summary: dict) -> str:
    """One line: 'followed up: all 700' or the shares missing at follow-up per arm and the method."""
    if not summary:
        return ""
    if summary["n_lost"] == 0:
        return f"followed up: all {summary['n']}"
    parts = [f"{r['arm']} {r['n_missing']}/{r['n']} ({r['share_missing']:.0%})" for r in summary["missing"]
             if r["time_point"] == "followup"]
    return (f"missing at follow-up: {', '.join(parts)}; none at baseline; method: {summary['label']}")
