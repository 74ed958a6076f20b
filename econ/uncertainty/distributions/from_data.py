"""Distributions given by data: Dirichlet over observed counts, and the empirical (bootstrap) distribution."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np

from econ.uncertainty.distributions.base import (
    DistributionSpecError, _got, _numbers, _check_unit, _Params, Distribution, _check_n,
)
from econ.uncertainty.distributions.parametric import Beta


@dataclass(frozen=True)
class Dirichlet(Distribution):
    """Dirichlet distribution over k >= 2 named components (e.g. one row of transition counts).

    Parameters
    ----------
    counts : tuple of float
        Concentrations alpha_1..alpha_k, all > 0 (spec key ``counts``).
    component_names : tuple of str
        One name per component; ``"0"``, ``"1"``, ... when the spec gives a plain list.

    Notes
    -----
    With alpha_0 = sum alpha_i: mean_i = alpha_i / alpha_0 and
    var_i = alpha_i (alpha_0 - alpha_i) / (alpha_0^2 (alpha_0 + 1)); component i alone is
    Beta(alpha_i, alpha_0 - alpha_i) (:meth:`marginal`).

    ``ppf`` maps u of shape (n, k) to draws of shape (n, k): column i goes through the
    Gamma(alpha_i, 1) inverse CDF and each row is divided by its sum. Independent gammas
    normalised by their sum are Dirichlet, so independent uniform columns give exact Dirichlet
    draws; the k columns must be independent (do not correlate them with a copula). This is not a
    multivariate inverse CDF: only ``ppf`` and ``draw`` are defined, not ``cdf`` or ``interval``.

    For counts well below 1 the gamma quantile of a small u underflows to 0; there the small-x
    expansion P(alpha, x) ~ x^alpha / Gamma(alpha + 1) gives
    log x = (log u + log Gamma(alpha + 1)) / alpha, and rows are normalised on the log scale.
    A row with u exactly 0 in every column or exactly 1 in any column has no defined result
    (NaN); :meth:`draw` and :func:`econ.uncertainty.sampling.uniform_design` clip such values away.
    """

    counts: tuple[float, ...]
    component_names: tuple[str, ...] = ()
    _alpha: np.ndarray = field(init=False, repr=False, compare=False)
    name: ClassVar[str] = "dirichlet"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("counts",),)

    def __post_init__(self) -> None:
        counts = tuple(_numbers(self.name, "counts", list(self.counts)).tolist())
        names = tuple(str(n) for n in self.component_names) or tuple(str(i) for i in range(len(counts)))
        if len(counts) < 2:
            raise DistributionSpecError("counts", f"dirichlet needs at least 2 counts (got {len(counts)})")
        if len(names) != len(counts):
            raise DistributionSpecError(
                "counts", f"dirichlet has {len(counts)} counts but {len(names)} component names"
            )
        if len(set(names)) != len(names):
            raise DistributionSpecError("counts", f"dirichlet: component names must be unique (got {list(names)})")
        bad = [f"{nm!r}: {_got(c)}" for nm, c in zip(names, counts) if not c > 0]
        if bad:
            raise DistributionSpecError(
                "counts",
                f"dirichlet: counts must all be > 0 (got {', '.join(bad)}); add a prior, e.g. 1 to every count",
            )
        object.__setattr__(self, "counts", counts)
        object.__setattr__(self, "component_names", names)
        object.__setattr__(self, "_alpha", np.array(counts))

    @classmethod
    def from_params(cls, p: _Params) -> Dirichlet:
        counts = p.values["counts"]
        if isinstance(counts, Mapping):
            names = [str(k) for k in counts]
            values = _numbers(p.dist, "counts", list(counts.values()))
            return cls(counts=tuple(values.tolist()), component_names=tuple(names))
        return cls(counts=tuple(_numbers(p.dist, "counts", counts).tolist()))

    @property
    def dimension(self) -> int:
        return len(self.counts)

    @property
    def mean(self) -> np.ndarray:
        return self._alpha / self._alpha.sum()

    @property
    def sd(self) -> np.ndarray:
        a0 = self._alpha.sum()
        return np.sqrt(self._alpha * (a0 - self._alpha) / (a0**2 * (a0 + 1.0)))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def marginal(self, component: str | int) -> Beta:
        """The Beta(alpha_i, alpha_0 - alpha_i) distribution of one component (by name or index)."""
        i = component if isinstance(component, int) else self.component_names.index(str(component))
        return Beta(alpha=self.counts[i], beta=float(self._alpha.sum()) - self.counts[i])

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        u = _check_unit(u)
        if u.ndim == 0 or u.shape[-1] != self.dimension:
            raise ValueError(f"dirichlet ppf needs u with last axis of length {self.dimension} (got shape {u.shape})")
        g = special.gammaincinv(self._alpha, u)
        with np.errstate(divide="ignore"):
            log_g = np.log(g)
            underflow = g == 0.0
            if underflow.any():
                a = np.broadcast_to(self._alpha, u.shape)[underflow]
                log_g[underflow] = (np.log(u[underflow]) + special.gammaln(a + 1.0)) / a
        log_g -= log_g.max(axis=-1, keepdims=True)
        w = np.exp(log_g)
        return w / w.sum(axis=-1, keepdims=True)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``rng.dirichlet(counts)``: normalised ``standard_gamma`` draws, row by row.

        For concentrations all below 0.1 numpy switches to stick-breaking with beta draws, which
        stays exact where the gammas would underflow to 0.
        """
        return rng.dirichlet(self._alpha, _check_n(n))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        raise TypeError("dirichlet has no univariate cdf; use .marginal(component).cdf")

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        raise TypeError("dirichlet has no univariate interval; use .marginal(component).interval")


@dataclass(frozen=True)
class Empirical(Distribution):
    """Bootstrap from data: draws are resamples of ``values``, each with probability 1/n.

    Parameters
    ----------
    values : tuple of float
        At least 2 finite numbers (e.g. bootstrap replicates of a statistic).

    Notes
    -----
    With x_(1) <= ... <= x_(n) the sorted values, the ECDF is F(x) = #{x_i <= x} / n and the
    quantile function is its generalised inverse ppf(u) = x_(ceil(u n)) (x_(1) at u = 0), so a
    uniform u picks each value with probability 1/n. Mean = mean of values; SD = their
    population SD (divisor n), the SD of one resample.
    """

    values: tuple[float, ...]
    _sorted: np.ndarray = field(init=False, repr=False, compare=False)
    name: ClassVar[str] = "empirical"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("values",),)

    def __post_init__(self) -> None:
        values = _numbers(self.name, "values", self.values)
        if values.size < 2:
            raise DistributionSpecError("values", f"empirical needs at least 2 values (got {values.size})")
        object.__setattr__(self, "values", tuple(values.tolist()))
        object.__setattr__(self, "_sorted", np.sort(values))

    @classmethod
    def from_params(cls, p: _Params) -> Empirical:
        return cls(values=p.values["values"])

    @property
    def mean(self) -> float:
        return float(self._sorted.mean())

    @property
    def sd(self) -> float:
        return float(self._sorted.std())

    @property
    def support(self) -> tuple[float, float]:
        return (float(self._sorted[0]), float(self._sorted[-1]))

    def ppf(self, u: np.ndarray) -> np.ndarray:
        n = self._sorted.size
        idx = np.ceil(_check_unit(u) * n).astype(np.intp) - 1
        return self._sorted[np.clip(idx, 0, n - 1)]

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.searchsorted(self._sorted, np.asarray(x, dtype=float), side="right") / self._sorted.size
