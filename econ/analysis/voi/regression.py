"""Non-parametric regression of incremental net benefit on a few inputs, and EVPPI from the fit.

Notes
-----
Strong, Oakley and Brennan (2014): for inputs phi of interest, E[NB_d | phi] is estimated by
regressing the PSA sample's net benefit NB_id on phi_i; with fitted values g_id,

    EVPPI(phi) = (1/N) sum_i max_d g_id - max_d (1/N) sum_i g_id.

Net benefit is regressed as the increment over the first strategy (the reference, whose fitted
value is then 0), which leaves the estimate unchanged and saves one fit.

Regression (scikit-learn, chosen because it is maintained, needs no compiled extras beyond numpy
and scipy, and gives both a spline basis and a fast tree ensemble):

- ``spline`` (one or two inputs): cubic B-splines (``sklearn.preprocessing.SplineTransformer``,
  knots at quantiles, linear extrapolation) of each input, and for two inputs their full tensor
  product (so interactions are fitted), with an intercept; least squares with a vanishing ridge
  term (1e-8 of the mean diagonal) for numerical stability. A cubic spline basis reproduces any
  cubic exactly, so a linear relation is fitted without bias.
- ``additive_boosted`` (three or more inputs): an additive spline model (a GAM without penalty
  search) for the main effects, then ``sklearn.ensemble.HistGradientBoostingRegressor`` on its
  residuals for interactions, with early stopping on a seeded 20% validation split, so the
  boosting adds (almost) nothing where there are no interactions. A Gaussian process (Strong's
  choice for groups) costs O(N^3) and does not fit 10,000 draws in seconds; the boosted additive
  model does, and its fit is reported (R^2).

Standard errors (``se_method`` in the tables): every replicate re-weights the draws (a bootstrap,
multinomial weights: the Monte Carlo error of the PSA sample). For ``spline`` each replicate also
draws the regression coefficients from their approximate sampling distribution,
vec(beta) ~ N(vec(beta_hat), Sigma kron (X'X)^-1) with Sigma the residual covariance between
strategies (Strong, Oakley and Brennan 2014, section 4: their method for the SE of EVPPI), so the SE
covers the regression's estimation error too (``posterior_bootstrap``). For ``additive_boosted``
the fitted values are only re-weighted (``bootstrap_fitted_values``: Monte Carlo error only; the
fit is judged by its R^2).

The boosting runs on one thread (``threadpoolctl``): results are then identical on any machine,
and it avoids OpenMP oversubscription on a shared machine, which made it 20 times slower.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

#: Interior knots of the spline basis for one input, and per input of a tensor product of two.
KNOTS_SINGLE, KNOTS_PAIR, KNOTS_ADDITIVE = 8, 6, 5

#: Bootstrap replicates for the standard error.
DEFAULT_BOOTSTRAP = 100

#: Most boosting iterations on the residuals of the additive model (early stopping usually ends sooner).
BOOST_ITERATIONS = 100

#: Relative ridge term added to the normal equations (numerical stability only).
RIDGE = 1e-8


@dataclass(frozen=True)
class Fit:
    """Fitted conditional expectations of incremental net benefit.

    Attributes
    ----------
    fitted : ndarray (N, D)
        Fitted E[NB_d - NB_0 | inputs] per draw, column 0 (the reference) all zeros.
    r2 : ndarray (D,)
        In-sample R^2 per strategy (NaN for the reference and for constant increments).
    method : str
        ``spline``, ``additive_boosted`` or ``constant`` (no input varies: fitted = mean).
    design : ndarray or None
        The spline design matrix (``spline`` only), kept for the bootstrap refit.
    """

    fitted: np.ndarray
    r2: np.ndarray
    method: str
    design: np.ndarray | None = None
    beta: np.ndarray | None = None


def _spline_basis(x: np.ndarray, n_knots: int, *, include_bias: bool) -> np.ndarray | None:
    """B-spline basis of one column (None if the column is constant)."""
    from sklearn.preprocessing import SplineTransformer

    knots = np.unique(np.quantile(x, np.linspace(0.0, 1.0, n_knots)))
    if knots.size < 2:
        return None
    st = SplineTransformer(knots=knots.reshape(-1, 1), degree=3, extrapolation="linear",
                           include_bias=include_bias)
    return st.fit_transform(x.reshape(-1, 1))


def _additive_design(x: np.ndarray, n_knots: int) -> np.ndarray:
    cols = [np.ones((x.shape[0], 1))]
    for j in range(x.shape[1]):
        b = _spline_basis(x[:, j], n_knots, include_bias=False)
        if b is not None:
            cols.append(b)
    return np.hstack(cols)


def spline_design(x: np.ndarray) -> np.ndarray:
    """Design matrix of the ``spline`` method for one or two input columns (intercept first)."""
    if x.shape[1] == 1:
        return _additive_design(x, KNOTS_SINGLE)
    if x.shape[1] != 2:
        raise ValueError("the spline design takes one or two inputs")
    a = _spline_basis(x[:, 0], KNOTS_PAIR, include_bias=True)
    b = _spline_basis(x[:, 1], KNOTS_PAIR, include_bias=True)
    if a is None or b is None:
        return _additive_design(x, KNOTS_SINGLE)
    return (a[:, :, None] * b[:, None, :]).reshape(x.shape[0], -1)


def _solve(gram: np.ndarray, rhs: np.ndarray) -> np.ndarray:
    scale = RIDGE * max(float(np.trace(gram)) / gram.shape[0], 1e-300)
    return np.linalg.solve(gram + scale * np.eye(gram.shape[0]), rhs)


def _r2(y: np.ndarray, fitted: np.ndarray) -> np.ndarray:
    tss = ((y - y.mean(axis=0)) ** 2).sum(axis=0)
    rss = ((y - fitted) ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(tss > 0, 1.0 - rss / tss, np.nan)


def fit(nb: np.ndarray, x: np.ndarray, *, seed: int = 0) -> Fit:
    """Regress incremental net benefit on the inputs ``x``.

    Parameters
    ----------
    nb : ndarray (N, D)
        Net benefit per draw and strategy (column 0 the reference).
    x : ndarray (N, p)
        The inputs of interest per draw.
    seed : int
        Seed of the boosting's validation split (``additive_boosted`` only).

    Returns
    -------
    Fit
    """
    nb = np.asarray(nb, dtype=float)
    x = np.asarray(x, dtype=float).reshape(nb.shape[0], -1)
    inc = nb[:, 1:] - nb[:, :1]
    x = x[:, np.ptp(x, axis=0) > 0] if x.size else x
    zeros = np.zeros((nb.shape[0], 1))
    if x.shape[1] == 0:
        fitted = np.broadcast_to(inc.mean(axis=0), inc.shape)
        return Fit(np.hstack([zeros, fitted]), np.concatenate([[np.nan], _r2(inc, fitted)]), "constant")
    if x.shape[1] <= 2:
        design = spline_design(x)
        beta = _solve(design.T @ design, design.T @ inc)
        fitted = design @ beta
        return Fit(np.hstack([zeros, fitted]), np.concatenate([[np.nan], _r2(inc, fitted)]), "spline", design,
                   beta)
    fitted = _additive_boosted(inc, x, seed)
    return Fit(np.hstack([zeros, fitted]), np.concatenate([[np.nan], _r2(inc, fitted)]), "additive_boosted")


def _additive_boosted(inc: np.ndarray, x: np.ndarray, seed: int) -> np.ndarray:
    from sklearn.ensemble import HistGradientBoostingRegressor
    from threadpoolctl import threadpool_limits

    design = _additive_design(x, KNOTS_ADDITIVE)
    beta = _solve(design.T @ design, design.T @ inc)
    additive = design @ beta
    out = np.empty_like(inc)
    for d in range(inc.shape[1]):
        resid = inc[:, d] - additive[:, d]
        if not np.ptp(resid) > 0:
            out[:, d] = additive[:, d]
            continue
        gbm = HistGradientBoostingRegressor(max_iter=BOOST_ITERATIONS, learning_rate=0.2, max_leaf_nodes=15,
                                            max_bins=64, min_samples_leaf=40, early_stopping=True,
                                            validation_fraction=0.2, n_iter_no_change=5, random_state=seed)
        with threadpool_limits(1):
            gbm.fit(x, resid)
            out[:, d] = additive[:, d] + gbm.predict(x)
    return out


def value_of_fitted(fitted: np.ndarray) -> float:
    """(1/N) sum_i max_d g_id - max_d (1/N) sum_i g_id for fitted values g (N, D).

    Strategies are laid out as contiguous rows so every mean is the same pairwise sum over draws
    in the same order: the result is then never negative by rounding (as in ``psa.evpi``).
    """
    g = np.ascontiguousarray(np.asarray(fitted, dtype=float).T)
    return max(float(g.max(axis=0).mean() - g.mean(axis=1).max()), 0.0)


def _weighted_value(fitted: np.ndarray, w: np.ndarray) -> float:
    n = w.sum()
    return float((w @ fitted.max(axis=1)) / n - (w @ fitted).max() / n)


def bootstrap_se(nb: np.ndarray, result: Fit, *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> float:
    """Standard error of :func:`value_of_fitted` (see the module notes for what it covers)."""
    n = nb.shape[0]
    rng = np.random.default_rng(seed)
    if result.method == "spline":
        X, beta = result.design, result.beta
        inc = nb[:, 1:] - nb[:, :1]
        resid = inc - X @ beta
        dof = max(n - X.shape[1], 1)
        lx = _sqrt_psd(np.linalg.inv(X.T @ X + RIDGE * np.trace(X.T @ X) / X.shape[1] * np.eye(X.shape[1])))
        ls = _sqrt_psd(np.atleast_2d(resid.T @ resid / dof))
    weights = np.stack([np.bincount(rng.integers(0, n, n), minlength=n) for _ in range(n_boot)]).astype(float)
    if result.method != "spline":
        values = [_weighted_value(result.fitted, w) for w in weights]
    else:
        # all replicates' coefficients at once: (K, B * D') -> fitted (N, B, D')
        z = rng.standard_normal((n_boot,) + beta.shape)
        betas = beta[None] + np.einsum("kj,bjd,ed->bke", lx, z, ls)
        k, dd = beta.shape
        g = (X @ betas.transpose(1, 0, 2).reshape(k, -1)).reshape(n, n_boot, dd)
        best = np.maximum(g.max(axis=2), 0.0)  # (N, B): the reference's fitted value is 0
        total = weights.sum(axis=1)
        first = np.einsum("bn,nb->b", weights, best) / total
        means = np.einsum("bn,nbd->bd", weights, g) / total[:, None]
        values = first - np.maximum(means.max(axis=1), 0.0)
    return float(np.std(values, ddof=1)) if n_boot > 1 else float("nan")


def _sqrt_psd(a: np.ndarray) -> np.ndarray:
    """A matrix square root L with L L' = a for a symmetric positive semi-definite a (eigenvalues < 0 clipped)."""
    vals, vecs = np.linalg.eigh((a + a.T) / 2)
    return vecs * np.sqrt(np.clip(vals, 0.0, None))


def se_method(result: Fit) -> str:
    """How the SE of a fit was found (a label for the tables)."""
    return {"spline": "posterior_bootstrap", "additive_boosted": "bootstrap_fitted_values",
            "constant": "bootstrap_fitted_values"}[result.method]


def evppi_estimate(nb: np.ndarray, x: np.ndarray, *, n_boot: int = DEFAULT_BOOTSTRAP,
                   seed: int = 0) -> dict:
    """EVPPI of inputs ``x`` for net benefit ``nb`` (N, D): value, SE, R^2 and method.

    Returns
    -------
    dict
        ``evppi`` (per person, units of ``nb``), ``se``, ``r2_min`` (smallest R^2 over the
        non-reference strategies; NaN if every increment is constant), ``method``, ``se_method``.
    """
    return evppi_many([nb], x, n_boot=n_boot, seed=seed)[0]


def evppi_many(nbs: list, x: np.ndarray, *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> list[dict]:
    """:func:`evppi_estimate` for several decisions on the same inputs, sharing one fit.

    The increments of every decision are regressed together (one design, many right-hand sides);
    each decision's SE uses its own coefficient block and residual covariance, and the same
    bootstrap weights.
    """
    nbs = [np.asarray(nb, dtype=float) for nb in nbs]
    widths = [nb.shape[1] - 1 for nb in nbs]
    stacked = np.hstack([np.zeros((nbs[0].shape[0], 1))] + [nb[:, 1:] - nb[:, :1] for nb in nbs])
    result = fit(stacked, x, seed=seed)
    out, j = [], 1
    for nb, w in zip(nbs, widths):
        cols = slice(j, j + w)
        j += w
        part = Fit(np.hstack([np.zeros((nb.shape[0], 1)), result.fitted[:, cols]]),
                   np.concatenate([[np.nan], result.r2[cols]]), result.method, result.design,
                   None if result.beta is None else result.beta[:, cols.start - 1:cols.stop - 1])
        r2 = part.r2[1:]
        out.append({"evppi": value_of_fitted(part.fitted),
                    "se": bootstrap_se(nb, part, n_boot=n_boot, seed=seed + 1),
                    "r2_min": float(np.nanmin(r2)) if np.isfinite(r2).any() else float("nan"),
                    "method": part.method, "se_method": se_method(part)})
    return out


def evpi_estimate(nb: np.ndarray, *, n_boot: int = DEFAULT_BOOTSTRAP, seed: int = 0) -> dict:
    """EVPI from the PSA sample (N, D): value and bootstrap SE of the draws.

    EVPI = (1/N) sum_i max_d NB_id - max_d (1/N) sum_i NB_id.
    """
    nb = np.asarray(nb, dtype=float)
    rng = np.random.default_rng(seed)
    n = nb.shape[0]
    values = [_weighted_value(nb, np.bincount(rng.integers(0, n, n), minlength=n).astype(float))
              for _ in range(n_boot)]
    return {"evpi": value_of_fitted(nb), "se": float(np.std(values, ddof=1)) if n_boot > 1 else float("nan")}
