"""Parameter draws: one stream per input for direct Monte Carlo draws, and :func:`draw_parameters`
(see :mod:`econ.uncertainty.sampling` on the two ways to draw and on reproducibility).
"""
from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from typing import Literal

import numpy as np

from econ.uncertainty.distributions import Distribution, clip_to_open_unit
from econ.uncertainty.sampling.correlation import (
    CorrelationKind, CorrelationError, check_correlation, nearest_correlation, apply_copula, _correlation_block,
)
from econ.uncertainty.sampling.designs import DesignError, DesignMethod, _check_count, uniform_design

MonteCarloDraws = Literal["direct", "inverse_cdf"]
_MC_DRAWS = ("direct", "inverse_cdf")


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
        as the other methods do. See :mod:`econ.uncertainty.sampling`.

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
    With an inverse-CDF design the whole (n, d) design is drawn at once (see
    :mod:`econ.uncertainty.sampling` on reproducibility), then the columns of correlated parameters go through
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
    names: list[str] = []
    matrix = None
    if correlation:
        # Checked before any uniform is drawn, so a bad spec leaves rng untouched.
        names, matrix = _valid_correlation(dists, correlation, correlation_kind, repair=repair)
    if method == "monte_carlo" and monte_carlo_draws == "direct":
        return _draw_direct(dists, n, rng=rng, names=names, matrix=matrix)
    return _draw_inverse_cdf(dists, n, method=method, rng=rng, names=names, matrix=matrix)


def _valid_correlation(
    dists: Mapping[str, Distribution],
    correlation: Mapping[tuple[str, str], float],
    kind: CorrelationKind | None,
    *,
    repair: bool,
) -> tuple[list[str], np.ndarray]:
    """The correlated parameters (mapping order) and their checked (or, with ``repair``, repaired) matrix."""
    names, matrix = _correlation_block(dists, correlation, kind)
    try:
        check_correlation(matrix, names)
    except CorrelationError:
        if not repair:
            raise
        matrix = nearest_correlation(matrix, names)
    return names, matrix


def _draw_direct(
    dists: Mapping[str, Distribution],
    n: int,
    *,
    rng: np.random.Generator,
    names: list[str],
    matrix: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Direct Monte Carlo draws: ``sample`` from one stream per input, the copula block from its own stream."""
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


def _draw_inverse_cdf(
    dists: Mapping[str, Distribution],
    n: int,
    *,
    method: DesignMethod,
    rng: np.random.Generator,
    names: list[str],
    matrix: np.ndarray | None,
) -> dict[str, np.ndarray]:
    """Inverse-CDF draws: ``ppf`` of the columns of one ``(n, d)`` design, correlated columns through the copula."""
    starts: dict[str, int] = {}
    d = 0
    for name, dist in dists.items():
        starts[name] = d
        d += dist.dimension
    u = uniform_design(n, d, method=method, rng=rng)
    if names:
        columns = [starts[name] for name in names]
        u[:, columns] = apply_copula(u[:, columns], matrix)
    out = {}
    for name, dist in dists.items():
        j = starts[name]
        out[name] = dist.ppf(u[:, j]) if dist.dimension == 1 else dist.ppf(u[:, j : j + dist.dimension])
    return out
