"""Gaussian-copula correlation: Spearman conversion, checks, the nearest correlation matrix, the copula
itself, and the correlation block of a pairwise spec (see :mod:`econ.uncertainty.sampling`).
"""
from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np

from econ.core.errors import EconError, EconWarning, Problem
from econ.uncertainty.distributions import Dirichlet, Distribution, clip_to_open_unit

CorrelationKind = Literal["spearman", "normal_scores"]
_KINDS = ("spearman", "normal_scores")

#: Absolute tolerance for symmetry, unit diagonal and the smallest eigenvalue of a correlation
#: matrix. Matrices typed into YAML are exact to far better than this; matrices computed from
#: data carry rounding of order 1e-15, which must not be rejected.
CORRELATION_ATOL = 1e-10


class CorrelationError(EconError, ValueError):
    """A correlation matrix or a pairwise correlation spec is invalid; one Problem per fault."""


class CorrelationRepairWarning(EconWarning):
    """A correlation matrix was replaced by the nearest valid correlation matrix (on request only)."""


def spearman_to_pearson(rho_s: float | np.ndarray) -> float | np.ndarray:
    """Convert a Spearman rank correlation into the Pearson correlation of the normal scores.

    Parameters
    ----------
    rho_s : float or ndarray
        Spearman correlation(s) in [-1, 1] (a whole matrix may be passed; its unit diagonal stays 1).

    Returns
    -------
    float or ndarray
        rho = 2 sin(pi rho_s / 6).

    Notes
    -----
    For a bivariate normal with correlation rho, Spearman's rho_s = (6 / pi) arcsin(rho / 2)
    (Pearson 1907). Ranks survive the monotone maps ``Phi`` and ``ppf``, so a Gaussian copula
    with normal-score correlation rho gives every pair of parameters the rank correlation rho_s,
    whatever their marginal distributions. The converted matrix of a valid Spearman matrix is
    not always positive semi-definite; it is checked after conversion.

    References
    ----------
    Pearson K. (1907) Mathematical contributions to the theory of evolution XVI. Drapers' Company
    Research Memoirs, Biometric Series 4.
    """
    rho_s = np.asarray(rho_s, dtype=float)
    # sin(pi/6) rounds to 0.49999999999999994: keep +-1 (and so a unit diagonal) exact.
    rho = np.where(np.abs(rho_s) == 1.0, rho_s, 2.0 * np.sin(np.pi * rho_s / 6.0))
    return float(rho) if rho.ndim == 0 else rho


def _labels(names: Sequence[str] | None, d: int) -> list[str]:
    if names is None:
        return [f"column {i}" for i in range(d)]
    names = [str(n) for n in names]
    if len(names) != d:
        raise CorrelationError(f"correlation matrix is {d} x {d} but {len(names)} names were given: {names}")
    return names


def _as_square(matrix: Any) -> np.ndarray:
    m = np.asarray(matrix, dtype=float)
    if m.ndim != 2 or m.shape[0] != m.shape[1]:
        raise CorrelationError(f"correlation matrix must be square (got shape {m.shape})")
    if not np.all(np.isfinite(m)):
        raise CorrelationError("correlation matrix must be finite (got NaN or infinity)")
    return m


def _pairs(mask: np.ndarray, names: list[str], m: np.ndarray, *, limit: int = 5) -> str:
    idx = sorted({(min(i, j), max(i, j)) for i, j in np.argwhere(mask).tolist()})
    shown = ", ".join(f"({names[i]}, {names[j]}) = {m[i, j]:.6g}" for i, j in idx[:limit])
    more = f" and {len(idx) - limit} more" if len(idx) > limit else ""
    return f"{shown}{more}"


def check_correlation(matrix: Any, names: Sequence[str] | None = None) -> None:
    """Check that ``matrix`` is a valid correlation matrix; raise naming every problem.

    Parameters
    ----------
    matrix : array_like, shape (d, d)
        Candidate correlation matrix.
    names : sequence of str, optional
        Parameter name of each row/column, used in messages (default ``"column i"``).

    Returns
    -------
    None

    Raises
    ------
    CorrelationError
        One Problem for each fault found: not square or not finite; not symmetric; diagonal not 1;
        entries outside [-1, 1]; not positive semi-definite (smallest eigenvalue below
        -CORRELATION_ATOL). The last suggests ``repair=True`` (:func:`nearest_correlation`).
    """
    m = _as_square(matrix)
    labels = _labels(names, m.shape[0])
    problems: list[Problem] = []
    asym = np.abs(m - m.T) > CORRELATION_ATOL
    if asym.any():
        i, j = np.argwhere(asym)[0]
        problems.append(Problem(
            f"correlation matrix must be symmetric: {int(asym.sum()) // 2} pair(s) differ, e.g. "
            f"({labels[i]}, {labels[j]}) = {m[i, j]:.6g} but ({labels[j]}, {labels[i]}) = {m[j, i]:.6g}"
        ))
    diag = np.abs(np.diag(m) - 1.0) > CORRELATION_ATOL
    if diag.any():
        bad = ", ".join(f"{labels[i]} = {m[i, i]:.6g}" for i in np.flatnonzero(diag))
        problems.append(Problem(f"correlation matrix must have 1 on the diagonal (got {bad})"))
    out = (np.abs(m) > 1.0 + CORRELATION_ATOL) & ~np.eye(m.shape[0], dtype=bool)  # the diagonal has its own check
    if out.any():
        problems.append(Problem(f"correlations must lie in [-1, 1] (got {_pairs(out, labels, m)})"))
    if not problems:
        smallest = float(np.linalg.eigvalsh(m)[0])
        if smallest < -CORRELATION_ATOL:
            problems.append(Problem(
                f"correlation matrix of {', '.join(labels)} is not positive semi-definite (smallest eigenvalue "
                f"{smallest:.3g}): these correlations cannot hold together; revise them, or ask for repair=True "
                f"to use the nearest correlation matrix (Higham 2002)"
            ))
    if problems:
        raise CorrelationError(problems)


def _project_psd(a: np.ndarray) -> np.ndarray:
    w, v = np.linalg.eigh(a)
    return (v * np.maximum(w, 0.0)) @ v.T


def nearest_correlation(
    matrix: Any,
    names: Sequence[str] | None = None,
    *,
    tol: float = 1e-10,
    max_iterations: int = 10_000,
) -> np.ndarray:
    """Return the nearest correlation matrix in the Frobenius norm, warning if it differs.

    Parameters
    ----------
    matrix : array_like, shape (d, d)
        A symmetric matrix, e.g. a correlation matrix that is not positive semi-definite.
    names : sequence of str, optional
        Parameter names, used in the warning.
    tol : float
        Stop when successive iterates Y differ by less than ``tol`` relative to ||Y|| (Frobenius norm).
    max_iterations : int
        Iteration cap; a CorrelationError is raised if it is reached.

    Returns
    -------
    ndarray, shape (d, d)
        Symmetric, unit diagonal, positive semi-definite.

    Raises
    ------
    CorrelationError
        ``matrix`` not square, not finite or not symmetric; no convergence.

    Warns
    -----
    CorrelationRepairWarning
        Whenever the result differs from the input (by more than CORRELATION_ATOL), giving the
        largest change and the pair where it happened. Use this only when the user asked for
        repair: the STYLE rule is never to repair input silently.

    Notes
    -----
    Alternating projections with Dykstra's correction (Higham 2002, Algorithm 3.3, W = I):
    with Y_0 = A and dS_0 = 0, repeat R = Y - dS; X = P_S(R); dS = X - R; Y = P_U(X), where
    P_S sets negative eigenvalues to 0 (nearest PSD matrix) and P_U sets the diagonal to 1.
    At convergence X = Y. A final P_S step followed by rescaling D^-1/2 X D^-1/2 (D = diag X)
    removes the residual negative eigenvalues left by stopping early, while keeping the unit diagonal.

    References
    ----------
    Higham N.J. (2002) Computing the nearest correlation matrix: a problem from finance.
    IMA Journal of Numerical Analysis 22(3):329-343.
    """
    a = _as_square(matrix)
    labels = _labels(names, a.shape[0])
    if np.abs(a - a.T).max(initial=0.0) > CORRELATION_ATOL:
        raise CorrelationError("nearest_correlation needs a symmetric matrix; fix the asymmetric pairs first")
    a = (a + a.T) / 2.0
    result = _psd_unit_diagonal(_alternating_projections(a, tol=tol, max_iterations=max_iterations))
    _warn_if_repaired(a, result, labels)
    return result


def _alternating_projections(a: np.ndarray, *, tol: float, max_iterations: int) -> np.ndarray:
    """Higham's (2002) alternating projections with Dykstra's correction, from the symmetric ``a``.

    Returns the last unit-diagonal iterate Y (see :func:`nearest_correlation`, Notes); raises
    CorrelationError when ``max_iterations`` pass without successive iterates converging.
    """
    y = a.copy()
    ds = np.zeros_like(a)
    for _ in range(max_iterations):
        r = y - ds
        x = _project_psd(r)
        ds = x - r
        y_next = x.copy()
        np.fill_diagonal(y_next, 1.0)
        step = np.linalg.norm(y_next - y)
        y = y_next
        if step <= tol * np.linalg.norm(y):
            return y
    raise CorrelationError(f"nearest_correlation did not converge in {max_iterations} iterations")


def _psd_unit_diagonal(y: np.ndarray) -> np.ndarray:
    """A final PSD projection of ``y``, rescaled D^-1/2 X D^-1/2 to a symmetric, unit-diagonal matrix."""
    x = _project_psd(y)
    scale = 1.0 / np.sqrt(np.diag(x))
    result = x * np.outer(scale, scale)
    result = (result + result.T) / 2.0
    np.fill_diagonal(result, 1.0)
    return result


def _warn_if_repaired(a: np.ndarray, result: np.ndarray, labels: list[str]) -> None:
    """Warn (CorrelationRepairWarning, at the caller of nearest_correlation) if ``result`` differs from ``a``."""
    change = np.abs(result - a)
    if change.max(initial=0.0) > CORRELATION_ATOL:
        i, j = np.unravel_index(np.argmax(change), change.shape)
        warnings.warn(
            f"correlation matrix of {', '.join(labels)} replaced by the nearest correlation matrix (Higham 2002); "
            f"largest change {change[i, j]:.3g} at ({labels[i]}, {labels[j]}): {a[i, j]:.6g} -> {result[i, j]:.6g}",
            CorrelationRepairWarning,
            stacklevel=3,
        )


def _factor(corr: np.ndarray) -> np.ndarray:
    """Return a lower-triangular L with L L^T = corr, also when corr is singular."""
    try:
        return np.linalg.cholesky(corr)
    except np.linalg.LinAlgError:
        pass
    # PSD but singular (e.g. a correlation of exactly 1): Cholesky with zero pivots skipped. In a
    # PSD matrix a zero pivot implies a zero column below it, so skipping it loses nothing; a
    # triangular factor (unlike an eigen square root) keeps column j of the design depending only
    # on columns <= j, so the first correlated parameter keeps its independent draws.
    d = corr.shape[0]
    factor = np.zeros_like(corr)
    for j in range(d):
        pivot = corr[j, j] - factor[j, :j] @ factor[j, :j]
        if pivot <= CORRELATION_ATOL:
            continue
        factor[j, j] = math.sqrt(pivot)
        factor[j + 1 :, j] = (corr[j + 1 :, j] - factor[j + 1 :, :j] @ factor[j, :j]) / factor[j, j]
    # Dropped pivots are <= CORRELATION_ATOL: rescale rows so each normal score keeps variance 1.
    return factor / np.linalg.norm(factor, axis=1, keepdims=True)


def apply_copula(u: np.ndarray, corr: Any) -> np.ndarray:
    """Give the columns of a uniform design Gaussian-copula dependence.

    Parameters
    ----------
    u : ndarray, shape (n, d)
        Independent uniforms in (0, 1).
    corr : array_like, shape (d, d)
        Pearson correlation of the normal scores (convert Spearman values with
        :func:`spearman_to_pearson` first). Must pass :func:`check_correlation`; positive
        semi-definite but singular matrices are allowed.

    Returns
    -------
    ndarray, shape (n, d)
        Uniforms u' = Phi(Phi^-1(u) L^T), clipped into (0, 1) like :func:`uniform_design`.

    Raises
    ------
    CorrelationError
        ``corr`` is not a valid correlation matrix, or does not match the columns of ``u``.

    Notes
    -----
    Rows z = Phi^-1(u) are independent standard normal vectors, so z L^T has covariance
    L L^T = corr with unit variances, and Phi maps each column back to uniform. L is the
    lower-triangular Cholesky factor; for a singular corr, zero pivots are skipped (a PSD
    matrix has a zero column below a zero pivot), so L stays triangular. Column 1 of the result
    therefore equals column 1 of ``u`` up to rounding in Phi(Phi^-1(u)).

    With Latin hypercube or Sobol designs the transform keeps each marginal uniform but the
    correlated columns lose their exact stratification / low-discrepancy structure.
    """
    from scipy import special  # imported when used: start-up time
    u = np.asarray(u, dtype=float)
    if u.ndim != 2:
        raise CorrelationError(f"apply_copula needs u of shape (n, d) (got shape {u.shape})")
    corr = _as_square(corr)
    if corr.shape[0] != u.shape[1]:
        raise CorrelationError(f"correlation matrix is {corr.shape[0]} x {corr.shape[0]} but u has {u.shape[1]} columns")
    check_correlation(corr)
    z = special.ndtri(u) @ _factor(corr).T
    return clip_to_open_unit(special.ndtr(z))


def _correlation_block(
    dists: Mapping[str, Distribution],
    correlation: Mapping[tuple[str, str], float],
    kind: CorrelationKind | None,
) -> tuple[list[str], np.ndarray]:
    """Build the normal-score correlation matrix of the parameters named in ``correlation``."""
    if kind not in _KINDS:
        raise CorrelationError(
            f"correlation_kind must be 'spearman' (rank correlations) or 'normal_scores' (Pearson correlation "
            f"of the normal scores) when a correlation is given (got {kind!r})"
        )
    problems: list[Problem] = []
    values: dict[frozenset[str], float] = {}
    order: list[str] = []
    for pair, rho in correlation.items():
        where = f"correlation[{pair!r}]"
        if not (isinstance(pair, tuple) and len(pair) == 2 and all(isinstance(p, str) for p in pair)):
            problems.append(Problem("keys must be pairs of parameter names", key_path=where))
            continue
        a, b = pair
        unknown = [p for p in pair if p not in dists]
        if unknown:
            problems.append(Problem(f"unknown parameter {unknown[0]!r}; known: {', '.join(dists)}", key_path=where))
            continue
        multi = [p for p in pair if isinstance(dists[p], Dirichlet)]
        if multi:
            problems.append(Problem(
                f"{multi[0]!r} is a dirichlet; its components cannot be correlated with other parameters",
                key_path=where,
            ))
            continue
        if a == b:
            problems.append(Problem("a parameter cannot be correlated with itself", key_path=where))
            continue
        if isinstance(rho, bool) or not isinstance(rho, numbers.Real) or not -1.0 <= float(rho) <= 1.0:
            problems.append(Problem(f"must be a number in [-1, 1] (got {rho!r})", key_path=where))
            continue
        key = frozenset(pair)
        if key in values and values[key] != float(rho):
            problems.append(Problem(f"given twice with different values ({values[key]} and {rho})", key_path=where))
            continue
        values[key] = float(rho)
        order.extend(p for p in pair if p not in order)
    if problems:
        raise CorrelationError(problems)
    names = [name for name in dists if name in order]  # mapping order, so columns are reproducible
    index = {name: i for i, name in enumerate(names)}
    matrix = np.eye(len(names))
    for key, rho in values.items():
        a, b = sorted(key, key=index.__getitem__)
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    if kind == "spearman":
        matrix = spearman_to_pearson(matrix)
    return names, matrix
