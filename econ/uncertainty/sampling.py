"""Uniform designs (Monte Carlo, Latin hypercube, Sobol), Gaussian-copula correlation, and parameter draws.

Two ways to draw
----------------
*Inverse CDF.* A parameter draw is ``dist.ppf(u)`` for a column of a uniform design ``u`` in
(0, 1). Latin hypercube and Sobol' designs, every GSA design, and parameters in a copula are
always drawn this way: stratification and correlation live on the uniforms. Correlation between
parameters is imposed on the uniforms with a Gaussian copula before the ``ppf``, so each parameter
keeps its own marginal distribution.

*Direct* (Monte Carlo only; the default, ``monte_carlo_draws="direct"``). Independent Monte Carlo
draws need no uniform, so each input is drawn by :meth:`Distribution.sample
<econ.uncertainty.distributions.Distribution.sample>`: numpy's exact direct samplers for gamma, beta, PERT and
Dirichlet (as R's ``rgamma`` / ``rdirichlet`` in heemod and hesim), ``ppf`` of uniforms for the
rest. The inverse incomplete gamma and beta functions cost 0.3-1.6 microseconds a value, which
made drawing, not the model, the bottleneck of a PSA (the DMHEE HIV model's 15 gamma quantiles
per draw: 2.0 s of drawing for 200,000 draws; direct: 0.06 s). The draws follow the same
distributions; they are different numbers, so a PSA of an earlier version is reproduced with
``monte_carlo_draws="inverse_cdf"`` (the scenario setting ``settings.monte_carlo_draws``).

Reproducibility
---------------
Inverse CDF: :func:`draw_parameters` builds the whole ``(n, d)`` design in one call and assigns
its columns to parameters in the order of the mapping (a Dirichlet over k components takes k
adjacent columns; a fixed parameter still takes one). The draws therefore depend only on the seed,
``n``, the method, the ordered parameter list and the correlation.

Direct: each input has its own random stream, seeded from four 32-bit words taken from ``rng``
and a hash of the input's *name* (:func:`input_streams`); the parameters of a copula share one
stream named after the block. An input's draws therefore depend only on the seed, ``n`` and its
name and distribution: adding, removing or reordering other parameters leaves them unchanged,
and two scenarios run with the same seed share the draws of the parameters they have in common
(common random numbers, which make the Monte Carlo error of a difference between scenarios small).

Either way the draws never depend on how a later stage chunks them for evaluation, and for
``"monte_carlo"`` draw i is the same whatever ``n`` (the first n rows of a larger run equal a run
of size n: every stream is consumed row by row); Latin hypercube and Sobol designs depend on ``n``
by construction.
"""
from __future__ import annotations

import hashlib
import inspect
import math
import numbers
import warnings
from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
from scipy import special

from econ.uncertainty.distributions import Dirichlet, Distribution, clip_to_open_unit
from econ.core.errors import EconError, EconWarning, Problem

__all__ = [
    "CorrelationError",
    "CorrelationRepairWarning",
    "DesignError",
    "apply_copula",
    "check_correlation",
    "draw_parameters",
    "input_streams",
    "nearest_correlation",
    "spearman_to_pearson",
    "uniform_design",
]

DesignMethod = Literal["monte_carlo", "latin_hypercube", "sobol"]
CorrelationKind = Literal["spearman", "normal_scores"]
MonteCarloDraws = Literal["direct", "inverse_cdf"]
_METHODS = ("monte_carlo", "latin_hypercube", "sobol")
_KINDS = ("spearman", "normal_scores")
_MC_DRAWS = ("direct", "inverse_cdf")

#: Absolute tolerance for symmetry, unit diagonal and the smallest eigenvalue of a correlation
#: matrix. Matrices typed into YAML are exact to far better than this; matrices computed from
#: data carry rounding of order 1e-15, which must not be rejected.
CORRELATION_ATOL = 1e-10

# scipy >= 1.15 takes ``rng=`` (SPEC 7); earlier versions only ``seed=``. Both accept a Generator.
def qmc_module():
    """scipy.stats.qmc, imported on first use (scipy.stats costs ~0.5 s at start-up)."""
    from scipy.stats import qmc

    return qmc


def qmc_rng_keyword() -> str:
    """The keyword QMC engines take a Generator by: ``rng`` (scipy >= 1.15, SPEC 7) or ``seed``."""
    return "rng" if "rng" in inspect.signature(qmc_module().Sobol).parameters else "seed"


class DesignError(EconError, ValueError):
    """A sampling design was requested with an impossible size or method."""


class CorrelationError(EconError, ValueError):
    """A correlation matrix or a pairwise correlation spec is invalid; one Problem per fault."""


class CorrelationRepairWarning(EconWarning):
    """A correlation matrix was replaced by the nearest valid correlation matrix (on request only)."""


# --------------------------------------------------------------------------- designs


def _check_count(name: str, value: Any, *, minimum: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        raise DesignError(f"{name} must be an integer >= {minimum} (got {value!r})")
    return int(value)


def uniform_design(n: int, d: int, *, method: DesignMethod, rng: np.random.Generator) -> np.ndarray:
    """Draw an ``(n, d)`` design of uniforms strictly inside (0, 1).

    Parameters
    ----------
    n : int
        Number of rows (draws), >= 1. For ``"sobol"`` it must be a power of two.
    d : int
        Number of columns (uniform dimensions), >= 0.
    method : {"monte_carlo", "latin_hypercube", "sobol"}
        ``"monte_carlo"``: independent uniforms ``rng.random((n, d))``.
        ``"latin_hypercube"``: ``scipy.stats.qmc.LatinHypercube`` (randomised positions within
        strata, no optimisation): in every column each stratum [i/n, (i+1)/n) holds exactly one
        point.
        ``"sobol"``: scrambled ``scipy.stats.qmc.Sobol`` (Owen scrambling, randomised by ``rng``).
    rng : numpy.random.Generator
        Source of randomness; it is passed to scipy for the QMC methods, so it advances.

    Returns
    -------
    ndarray of float64, shape (n, d)
        Values clipped to [2**-53, 1 - 2**-53] so that every ``ppf`` is finite.

    Raises
    ------
    DesignError
        Unknown method; n < 1 or d < 0; for ``"sobol"``, n not a power of two.

    Notes
    -----
    The Sobol rule is an error, not a warning: the balance properties of a Sobol sequence (each
    elementary interval holding its share of points) and hence its faster convergence hold only
    for n = 2^m; a truncated sequence is a worse design that looks like a better one. Ask for the
    power of two next to the size you had in mind, or use ``"latin_hypercube"``.

    References
    ----------
    McKay, Beckman & Conover (1979), Technometrics 21(2):239-245 (Latin hypercube).
    Sobol' (1967), USSR Comput. Math. Math. Phys. 7(4):86-112; Owen (1998), J. Complexity
    14(4):466-489 (scrambling).
    """
    n = _check_count("n", n, minimum=1)
    d = _check_count("d", d, minimum=0)
    if method not in _METHODS:
        raise DesignError(f"method must be one of {', '.join(_METHODS)} (got {method!r})")
    if method == "sobol" and n & (n - 1):
        below = 1 << (n.bit_length() - 1)
        raise DesignError(
            f"a sobol design needs n to be a power of two to keep its balance properties (got {n}); "
            f"use n = {below} or {below * 2}, or method 'latin_hypercube'"
        )
    if d == 0:
        return np.empty((n, 0))
    if method == "monte_carlo":
        u = rng.random((n, d))
    elif method == "latin_hypercube":
        u = qmc_module().LatinHypercube(d, scramble=True, optimization=None, **{qmc_rng_keyword(): rng}).random(n)
    else:
        u = qmc_module().Sobol(d, scramble=True, **{qmc_rng_keyword(): rng}).random(n)
    return clip_to_open_unit(u)


# --------------------------------------------------------------------------- correlation


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
            break
    else:
        raise CorrelationError(f"nearest_correlation did not converge in {max_iterations} iterations")
    x = _project_psd(y)
    scale = 1.0 / np.sqrt(np.diag(x))
    result = x * np.outer(scale, scale)
    result = (result + result.T) / 2.0
    np.fill_diagonal(result, 1.0)

    change = np.abs(result - a)
    if change.max(initial=0.0) > CORRELATION_ATOL:
        i, j = np.unravel_index(np.argmax(change), change.shape)
        warnings.warn(
            f"correlation matrix of {', '.join(labels)} replaced by the nearest correlation matrix (Higham 2002); "
            f"largest change {change[i, j]:.3g} at ({labels[i]}, {labels[j]}): {a[i, j]:.6g} -> {result[i, j]:.6g}",
            CorrelationRepairWarning,
            stacklevel=2,
        )
    return result


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


def input_streams(rng: np.random.Generator, names: Sequence[str]) -> dict[str, np.random.Generator]:
    """One independent random stream per name, for direct Monte Carlo draws.

    Parameters
    ----------
    rng : numpy.random.Generator
        Advanced by exactly four 32-bit draws, whatever ``names`` is.
    names : sequence of str
        Input names (parameter names, or a label for a group of inputs).

    Returns
    -------
    dict[str, numpy.random.Generator]
        ``default_rng(SeedSequence(key + blake2b(name)))`` per name, where ``key`` is the four
        words drawn from ``rng`` and the hash gives four more: a stream depends on the seed and the
        name only, and different names get statistically independent streams (SeedSequence mixes
        its entropy so that nearby keys do not give correlated generators).
    """
    key = [int(w) for w in rng.integers(0, 2**32, size=4, dtype=np.uint64)]
    out = {}
    for name in names:
        digest = hashlib.blake2b(str(name).encode("utf-8"), digest_size=16).digest()
        words = [int.from_bytes(digest[i : i + 4], "little") for i in range(0, 16, 4)]
        out[name] = np.random.default_rng(np.random.SeedSequence(key + words))
    return out


def _copula_stream_name(names: Sequence[str]) -> str:
    # Not a valid parameter name (it has spaces), so it cannot collide with one.
    return "copula of " + ", ".join(names)


def draw_parameters(
    dists: Mapping[str, Distribution],
    n: int,
    *,
    method: DesignMethod,
    rng: np.random.Generator,
    correlation: Mapping[tuple[str, str], float] | None = None,
    correlation_kind: CorrelationKind | None = None,
    repair: bool = False,
    monte_carlo_draws: MonteCarloDraws = "direct",
) -> dict[str, np.ndarray]:
    """Draw ``n`` values of every parameter, from one uniform design or (Monte Carlo) direct samplers.

    Parameters
    ----------
    dists : Mapping[str, Distribution]
        Parameter name -> distribution. For an inverse-CDF design the order of the mapping fixes
        the design columns: each distribution takes ``dimension`` adjacent columns (a Dirichlet
        k, every other one 1, fixed included).
    n : int
        Number of draws (a power of two for ``"sobol"``).
    method : {"monte_carlo", "latin_hypercube", "sobol"}
        Design, see :func:`uniform_design`.
    rng : numpy.random.Generator
        Source of randomness.
    correlation : Mapping[tuple[str, str], float], optional
        Pairwise correlations between univariate parameters, e.g. ``{("c_gp", "c_ae"): 0.5}``;
        unlisted pairs are independent. A fixed parameter may appear (it stays fixed).
    correlation_kind : {"spearman", "normal_scores"}
        Required with ``correlation``: whether the values are Spearman rank correlations of the
        parameters (converted by :func:`spearman_to_pearson`) or the Pearson correlation of
        their normal scores (the copula's own parameter).
    repair : bool
        If the resulting matrix is not positive semi-definite, use :func:`nearest_correlation`
        (which warns) instead of raising.
    monte_carlo_draws : {"direct", "inverse_cdf"}
        For ``method="monte_carlo"`` only: ``"direct"`` (default) draws every parameter outside
        the copula by :meth:`~econ.uncertainty.distributions.Distribution.sample` from its own stream
        (:func:`input_streams`); ``"inverse_cdf"`` uses one uniform design and ``ppf`` for all,
        as the other methods do. See the module docstring.

    Returns
    -------
    dict[str, ndarray]
        Same keys and order as ``dists``; float64 arrays of shape ``(n,)``, or ``(n, k)`` for a
        Dirichlet (columns in ``component_names`` order).

    Raises
    ------
    DesignError
        Bad ``n``, ``method`` or ``monte_carlo_draws``.
    CorrelationError
        Bad correlation spec or matrix (every problem is listed).

    Notes
    -----
    With an inverse-CDF design the whole (n, d) design is drawn at once (see the module docstring
    on reproducibility), then the columns of correlated parameters go through
    :func:`apply_copula`; other columns are left untouched, so adding a correlation does not
    change the draws of unrelated parameters. With direct draws the correlated parameters take
    uniforms from the block's own stream through the copula and their ``ppf``; the others are
    unaffected by the correlation too.
    """
    for name, dist in dists.items():
        if not isinstance(dist, Distribution):
            raise TypeError(f"draw_parameters: {name!r} must be a Distribution (got {type(dist).__name__})")
    if monte_carlo_draws not in _MC_DRAWS:
        raise DesignError(f"monte_carlo_draws must be one of {', '.join(_MC_DRAWS)} (got {monte_carlo_draws!r})")
    starts: dict[str, int] = {}
    d = 0
    for name, dist in dists.items():
        starts[name] = d
        d += dist.dimension
    names: list[str] = []
    if correlation:
        # Checked before any uniform is drawn, so a bad spec leaves rng untouched.
        names, matrix = _correlation_block(dists, correlation, correlation_kind)
        try:
            check_correlation(matrix, names)
        except CorrelationError:
            if not repair:
                raise
            matrix = nearest_correlation(matrix, names)

    if method == "monte_carlo" and monte_carlo_draws == "direct":
        n = _check_count("n", n, minimum=1)
        block = _copula_stream_name(names) if names else None
        streams = input_streams(rng, [name for name in dists if name not in names] + ([block] if block else []))
        out: dict[str, np.ndarray] = {}
        if block:
            u = apply_copula(clip_to_open_unit(streams[block].random((n, len(names)))), matrix)
            for c, name in enumerate(names):
                out[name] = dists[name].ppf(u[:, c])
        for name, dist in dists.items():
            if name not in out:
                out[name] = dist.sample(streams[name], n)
        return {name: out[name] for name in dists}

    u = uniform_design(n, d, method=method, rng=rng)
    if correlation:
        columns = [starts[name] for name in names]
        u[:, columns] = apply_copula(u[:, columns], matrix)

    out = {}
    for name, dist in dists.items():
        j = starts[name]
        out[name] = dist.ppf(u[:, j]) if dist.dimension == 1 else dist.ppf(u[:, j : j + dist.dimension])
    return out
