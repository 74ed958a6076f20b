"""Models for skewed costs with many zeros: the mean, a gamma GLM with log link, and a two-part model.

Costs per person are skewed (a few heavy users) and often zero. Three estimators of the effect on a cost
column (a service's cost or :data:`econ.inputs.estimators.TOTAL_COST`), chosen with ``model``:

``mean``
    The arithmetic mean: ANCOVA with a comparison group, the before-after change without one
    (:mod:`econ.inputs.estimators`). The budget needs the arithmetic mean, and it is unbiased whatever
    the distribution; with a few hundred people its bootstrap interval is reliable (Thompson & Barber
    2000). **Preferable by default**, and whenever the other models' assumptions are in doubt.
``glm_gamma``
    A generalised linear model with gamma variance and log link (statsmodels' GLM gives the same fit;
    checked in the tests) of follow-up cost on group and the baseline (``log(1 + baseline)`` and an
    indicator of baseline cost > 0): multiplicative effects and variance proportional to the mean squared,
    which fits costs well; then more efficient than the mean (narrower interval) when the model holds.
    Needs every follow-up cost > 0. Preferable with strongly skewed, strictly positive costs (total cost
    of heavy users); a wrong link or variance can bias the mean (Manning & Mullahy 2001), so compare with
    ``mean``.
``two_part``
    Part 1, a logistic regression of any cost (> 0); part 2, the gamma log-link GLM on the people with a
    cost; the mean is ``P(cost > 0) x E[cost | cost > 0]`` (Mihaylova et al. 2011; Deb & Norton 2018).
    Preferable when many people have no cost (a single service, e.g. inpatient days).

With a comparison group the effect is the **average over the intervention group** of the predicted
follow-up cost as treated minus as not treated (recycled predictions), the same estimand as ANCOVA's.
Without one, the models are fitted to baseline and follow-up costs with a period indicator only, which
gives exactly the mean change (a saturated model): there is no covariate for them to use, so ``mean``
is the choice there. Bootstrap: the models are refitted on every replicate of the (shared, possibly
clustered) resample, with the replicate counts as frequency weights.

References
----------
Deb P, Norton EC (2018) Modeling health care expenditures and use. Annu Rev Public Health 39:489-505.
Manning WG, Mullahy J (2001) Estimating log models: to transform or not to transform? J Health Econ
20:461-494. Mihaylova B, Briggs A, O'Hagan A, Thompson SG (2011) Review of statistical methods for
analysing healthcare resources and costs. Health Econ 20:897-916. Thompson SG, Barber JA (2000) How
should cost data in pragmatic randomised trials be analysed? BMJ 320:1197-1200.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import special

from econ.core.errors import DataError
from econ.inputs.estimators import Outcomes, Resample, ancova, draw_resample, pre_post
from econ.inputs.missing import logistic_fit

#: Cost models and their labels.
COST_MODELS = {
    "mean": "arithmetic mean (ANCOVA, or the before-after change without a comparison group)",
    "glm_gamma": "GLM, gamma variance, log link (recycled predictions)",
    "two_part": "two-part: logistic for any cost, gamma log-link GLM for positive costs (recycled predictions)",
}


def gamma_log_fit(x: np.ndarray, y: np.ndarray, weights: np.ndarray, *, max_iter: int = 100,
                  tol: float = 1e-10) -> np.ndarray:
    """Gamma GLM with log link of ``y`` (> 0) on ``[1, x]`` by IRLS, vectorised over weight rows.

    For the log link and gamma variance the IRLS working weights are 1, so each step is a least-squares
    fit of the working response ``eta + (y - mu) / mu`` with the frequency weights. Returns (R, p + 1)
    coefficients, intercept first (equal to statsmodels' ``GLM(..., Gamma(log), freq_weights=w)``).
    """
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    centre = x.mean(axis=0)
    design = np.column_stack([np.ones(len(y)), (x - centre) / scale])
    w = np.atleast_2d(weights)
    gram = np.einsum("rn,np,nq->rpq", w, design, design) + 1e-12 * np.eye(design.shape[1])
    beta = np.zeros((w.shape[0], design.shape[1]))
    beta[:, 0] = np.log((w @ y) / w.sum(axis=1))
    for _ in range(max_iter):
        eta = beta @ design.T
        z = eta + (y - np.exp(eta)) / np.exp(eta)
        new = np.linalg.solve(gram, ((w * z) @ design)[:, :, None])[:, :, 0]
        step = np.max(np.abs(new - beta))
        beta = new
        if step < tol:
            break
    else:
        raise DataError("the gamma GLM did not converge; use model 'mean'")
    out = beta.copy()
    out[:, 1:] = beta[:, 1:] / scale
    out[:, 0] = beta[:, 0] - (beta[:, 1:] * (centre / scale)).sum(axis=1)
    return out


@dataclass(frozen=True, eq=False)
class CostModelEstimate:
    """Effect on one cost column by one model, with bootstrap replicates (n_boot,)."""

    model: str
    name: str
    estimate: float
    replicates: np.ndarray
    n_intervention: int
    n_comparison: int
    level: float = 0.95

    @property
    def interval(self) -> tuple[float, float]:
        tail = (1.0 - self.level) / 2.0
        return float(np.quantile(self.replicates, tail)), float(np.quantile(self.replicates, 1 - tail))

    def table(self) -> pd.DataFrame:
        """One row: model, label, name, group sizes, estimate, low, high, boot_se."""
        low, high = self.interval
        return pd.DataFrame([{"model": self.model, "label": COST_MODELS[self.model], "name": self.name,
                              "n_intervention": self.n_intervention, "n_comparison": self.n_comparison,
                              "estimate": self.estimate, "low": low, "high": high,
                              "boot_se": float(self.replicates.std(ddof=1))}])


def _design(o: Outcomes, k: int, covariates: bool):
    """Rows, outcome, covariates x, the same with group set to 1 and to 0, the target rows' weight mask."""
    if o.n_comparison >= 2:
        group = o.intervention.astype(float)
        base = o.baseline[:, k]
        extra = [np.log1p(np.maximum(base, 0.0)), (base > 0).astype(float)] if covariates else []
        extra = [c for c in extra if c.std() > 0]
        x = np.column_stack([group] + extra)
        treated = x.copy()
        treated[:, 0] = 1.0
        control = x.copy()
        control[:, 0] = 0.0
        return np.arange(len(group)), o.followup[:, k], x, treated, control, o.intervention.astype(float)
    member = np.flatnonzero(o.intervention)
    rows = np.concatenate([member, member])
    period = np.repeat([0.0, 1.0], len(member))
    y = np.concatenate([o.baseline[member, k], o.followup[member, k]])
    return rows, y, period[:, None], np.ones((len(y), 1)), np.zeros((len(y), 1)), np.ones(len(y))


def _predict(beta, x):
    return beta[:, :1] + beta[:, 1:] @ x.T


def _model_effect(model: str, y, x, treated, control, target, w) -> np.ndarray:
    """Recycled-prediction effect per weight row: sum_target w (mu(treated) - mu(control)) / sum_target w."""
    if model == "glm_gamma":
        beta = gamma_log_fit(x, y, w)
        mu1, mu0 = np.exp(_predict(beta, treated)), np.exp(_predict(beta, control))
    else:
        positive = y > 0
        b1 = logistic_fit(x, positive.astype(float), w, what="the two-part model's first part (any cost)")
        b2 = gamma_log_fit(x[positive], y[positive], w[:, positive])
        p1, p0 = special.expit(_predict(b1, treated)), special.expit(_predict(b1, control))
        mu1 = p1 * np.exp(_predict(b2, treated))
        mu0 = p0 * np.exp(_predict(b2, control))
    wt = w * target[None, :]
    return ((mu1 - mu0) * wt).sum(axis=1) / wt.sum(axis=1)


def cost_effect(o: Outcomes, name: str, model: str = "mean", *, resample: Resample | None = None,
                rng: np.random.Generator | None = None, n_boot: int = 1000, level: float = 0.95,
                covariates: bool = True) -> CostModelEstimate:
    """Effect on the cost column ``name`` by ``model`` (module docstring), with bootstrap replicates.

    ``covariates=False`` leaves out the baseline (group only): then every model gives the difference in
    the groups' mean follow-up cost (a check in the tests).

    Raises
    ------
    DataError
        Unknown model or column, a column that is not a cost, negative costs, zero costs with
        ``glm_gamma``, or a two-part model with no positive or no zero costs.
    """
    if model not in COST_MODELS:
        raise DataError(f"unknown cost model {model!r}; choose from {', '.join(COST_MODELS)}")
    if name not in o.names:
        raise DataError(f"{o.source_file}: no outcome column {name!r} (columns: {', '.join(o.names)})")
    k = o.names.index(name)
    if o.measures[k] != "cost":
        raise DataError(f"{name!r} is a {o.measures[k]} column; cost models need a cost column")
    resample = resample if resample is not None else draw_resample(o, n_boot, rng or np.random.default_rng())
    n_i, n_c = o.n_intervention, o.n_comparison
    if model == "mean":
        single = Outcomes((name,), ("cost",), o.baseline[:, [k]], o.followup[:, [k]], o.intervention, o.n_lost,
                          o.has_group_column, o.source_file)
        e = (ancova if n_c >= 2 else pre_post)(single, resample=resample, level=level)
        return CostModelEstimate(model, name, float(e.estimate[0]), e.replicates[:, 0], n_i, n_c, level)
    rows, y, x, treated, control, target = _design(o, k, covariates)
    if (y < 0).any():
        raise DataError(f"{name!r} has negative costs; cost models need costs >= 0")
    positive = y > 0
    if model == "glm_gamma" and not positive.all():
        raise DataError(f"{name!r}: {int((~positive).sum())} costs are 0 and a gamma GLM needs costs > 0; use "
                        f"model 'two_part' (zeros are its first part)")
    if model == "two_part" and (positive.all() or not positive.any()):
        raise DataError(f"{name!r}: a two-part model needs some zero and some positive costs; use 'glm_gamma' or 'mean'")
    point = _model_effect(model, y, x, treated, control, target, np.ones((1, len(y))))[0]
    reps = _model_effect(model, y, x, treated, control, target, resample.weights[:, rows])
    return CostModelEstimate(model, name, float(point), reps, n_i, n_c, level)
