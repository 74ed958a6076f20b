"""Distributions given by moments or natural parameters: fixed, normal, lognormal, gamma and beta."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from econ.uncertainty.distributions.base import (
    Z95, _fmt, _check_unit, _Params, _check_symmetric, _positive, _check_positive_field, _USE_FIXED, Distribution,
    _check_n, _as_float_fields,
)


@dataclass(frozen=True)
class Fixed(Distribution):
    """A known quantity: every draw equals ``value``.

    Parameters
    ----------
    value : float
        The value (spec key ``value``).

    Notes
    -----
    Mean = value, SD = 0. ``ppf(u) = value`` for every u; ``cdf(x) = 1 if x >= value else 0``.
    A fixed parameter still takes one column of a sampling design, so switching a parameter
    between fixed and uncertain does not move the columns of the others.
    """

    value: float
    name: ClassVar[str] = "fixed"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("value",),)

    def __post_init__(self) -> None:
        _as_float_fields(self, "value")

    @classmethod
    def from_params(cls, p: _Params) -> Fixed:
        return cls(value=p.values["value"])

    @property
    def mean(self) -> float:
        return self.value

    @property
    def sd(self) -> float:
        return 0.0

    @property
    def support(self) -> tuple[float, float]:
        return (self.value, self.value)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return np.full_like(_check_unit(u), self.value)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return np.full(_check_n(n), self.value)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=float) >= self.value).astype(float)


@dataclass(frozen=True)
class Normal(Distribution):
    """Normal distribution N(mu, sigma^2).

    Parameters
    ----------
    mu : float
        Mean.
    sigma : float
        Standard deviation, > 0.

    Notes
    -----
    Spec ``{mean, se}``: mu = mean, sigma = se.

    Spec ``{mean, ci95: [lo, hi]}``: sigma = (hi - lo) / (2 z), z = Phi^-1(0.975) = 1.959964.
    The interval must contain the mean and be symmetric around it: the halves
    (mean - lo) and (hi - mean) may differ by at most ``CI_SYMMETRY_RTOL`` (10%) of the larger
    one; a skewed interval usually means a lognormal (ratio) quantity.

    ppf(u) = mu + sigma Phi^-1(u).
    """

    mu: float
    sigma: float
    name: ClassVar[str] = "normal"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("mean", "se"), ("mean", "ci95"))

    def __post_init__(self) -> None:
        _as_float_fields(self, "mu", "sigma")
        _check_positive_field(self.name, "sigma", self.sigma, _USE_FIXED)

    @classmethod
    def from_params(cls, p: _Params) -> Normal:
        mean = p.number("mean")
        if "se" in p.values:
            se = p.number("se")
            _positive(p, "se", se, fix=_USE_FIXED)
            return cls(mu=mean, sigma=se)
        lo, hi = p.ci95()
        _check_symmetric(p, "mean", mean, lo, hi, scale="linear")
        return cls(mu=mean, sigma=(hi - lo) / (2.0 * Z95))

    @property
    def mean(self) -> float:
        return self.mu

    @property
    def sd(self) -> float:
        return self.sigma

    @property
    def support(self) -> tuple[float, float]:
        return (-math.inf, math.inf)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return self.mu + self.sigma * special.ndtri(_check_unit(u))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return special.ndtr((np.asarray(x, dtype=float) - self.mu) / self.sigma)


@dataclass(frozen=True)
class Lognormal(Distribution):
    """Lognormal distribution: log X ~ N(meanlog, sdlog^2).

    Parameters
    ----------
    meanlog : float
        Mean of log X.
    sdlog : float
        Standard deviation of log X, > 0.

    Notes
    -----
    Spec ``{mean: m, se: s}`` gives the moments of X itself (m > 0, s > 0); by the method of
    moments

    .. math:: \\sigma^2 = \\ln(1 + s^2 / m^2), \\qquad \\mu = \\ln m - \\sigma^2 / 2.

    Spec ``{median, ci95: [lo, hi]}`` (the usual way a ratio is published):
    mu = ln(median), sigma = (ln hi - ln lo) / (2 z), z = 1.959964; needs 0 < lo < median < hi and
    ln(median) halfway between ln(lo) and ln(hi) within ``CI_SYMMETRY_RTOL``.

    Spec ``{meanlog, sdlog}`` gives mu and sigma directly.

    Mean = exp(mu + sigma^2/2), SD = mean * sqrt(exp(sigma^2) - 1), median = exp(mu);
    ppf(u) = exp(mu + sigma Phi^-1(u)).
    """

    meanlog: float
    sdlog: float
    name: ClassVar[str] = "lognormal"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (
        ("mean", "se"),
        ("median", "ci95"),
        ("meanlog", "sdlog"),
    )

    def __post_init__(self) -> None:
        _as_float_fields(self, "meanlog", "sdlog")
        _check_positive_field(self.name, "sdlog", self.sdlog, _USE_FIXED)

    @classmethod
    def from_params(cls, p: _Params) -> Lognormal:
        if "se" in p.values:
            m, s = p.number("mean"), p.number("se")
            _positive(p, "mean", m)
            _positive(p, "se", s, fix=_USE_FIXED)
            sigma2 = math.log1p((s / m) ** 2)
            return cls(meanlog=math.log(m) - sigma2 / 2.0, sdlog=math.sqrt(sigma2))
        if "median" in p.values:
            median = p.number("median")
            _positive(p, "median", median)
            lo, hi = p.ci95()
            if not lo > 0:
                p.fail("ci95", f"lognormal: ci95 must be positive (got {p.raw('ci95')})")
            _check_symmetric(p, "median", median, lo, hi, scale="log")
            return cls(meanlog=math.log(median), sdlog=(math.log(hi) - math.log(lo)) / (2.0 * Z95))
        return cls(meanlog=p.values["meanlog"], sdlog=p.values["sdlog"])

    @property
    def mean(self) -> float:
        return math.exp(self.meanlog + self.sdlog**2 / 2.0)

    @property
    def sd(self) -> float:
        return self.mean * math.sqrt(math.expm1(self.sdlog**2))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return np.exp(self.meanlog + self.sdlog * special.ndtri(_check_unit(u)))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        x = np.asarray(x, dtype=float)
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (np.log(np.maximum(x, 0.0)) - self.meanlog) / self.sdlog
        return special.ndtr(z)


@dataclass(frozen=True)
class Gamma(Distribution):
    """Gamma distribution with shape k and scale theta (costs, rates, counts per cycle).

    Parameters
    ----------
    shape : float
        k > 0.
    scale : float
        theta > 0.

    Notes
    -----
    Spec ``{mean: m, se: s}`` with m > 0, s > 0; method of moments (mean = k theta,
    variance = k theta^2):

    .. math:: k = m^2 / s^2, \\qquad \\theta = s^2 / m.

    ppf(u) = theta P^-1(k, u), with P the regularised lower incomplete gamma function.
    """

    shape: float
    scale: float
    name: ClassVar[str] = "gamma"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("mean", "se"), ("shape", "scale"))

    def __post_init__(self) -> None:
        _as_float_fields(self, "shape", "scale")
        _check_positive_field(self.name, "shape", self.shape)
        _check_positive_field(self.name, "scale", self.scale)

    @classmethod
    def from_params(cls, p: _Params) -> Gamma:
        if "se" in p.values:
            m, s = p.number("mean"), p.number("se")
            _positive(p, "mean", m, fix="; for a quantity that can be negative use normal")
            _positive(p, "se", s, fix=_USE_FIXED)
            return cls(shape=(m / s) ** 2, scale=s**2 / m)
        return cls(shape=p.values["shape"], scale=p.values["scale"])

    @property
    def mean(self) -> float:
        return self.shape * self.scale

    @property
    def sd(self) -> float:
        return math.sqrt(self.shape) * self.scale

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, math.inf)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return self.scale * special.gammaincinv(self.shape, _check_unit(u))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """theta times ``rng.standard_gamma(k)`` (Marsaglia & Tsang 2000): 25-30x faster than ``draw`` (200,000 values)."""
        return self.scale * rng.standard_gamma(self.shape, _check_n(n))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return special.gammainc(self.shape, np.maximum(np.asarray(x, dtype=float), 0.0) / self.scale)


@dataclass(frozen=True)
class Beta(Distribution):
    """Beta distribution on [0, 1] (probabilities, utilities, proportions).

    Parameters
    ----------
    alpha, beta : float
        Shape parameters, both > 0.

    Notes
    -----
    Spec ``{mean: m, se: s}`` with 0 < m < 1 and 0 < s < sqrt(m (1 - m)); method of moments:

    .. math::

        \\alpha = m \\left(\\frac{m(1-m)}{s^2} - 1\\right), \\qquad
        \\beta = (1 - m) \\left(\\frac{m(1-m)}{s^2} - 1\\right).

    Spec ``{events: r, n: n}`` (r of n had the event): alpha = r, beta = n - r; needs 0 < r < n.
    With zero events add a prior yourself (e.g. ``alpha: r + 1, beta: n - r + 1``).

    Mean = alpha / (alpha + beta); variance = alpha beta / ((alpha + beta)^2 (alpha + beta + 1)).
    ppf(u) = I^-1(alpha, beta; u), the inverse regularised incomplete beta function.
    """

    alpha: float
    beta: float
    name: ClassVar[str] = "beta"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("mean", "se"), ("alpha", "beta"), ("events", "n"))

    def __post_init__(self) -> None:
        _as_float_fields(self, "alpha", "beta")
        _check_positive_field(self.name, "alpha", self.alpha)
        _check_positive_field(self.name, "beta", self.beta)

    @classmethod
    def from_params(cls, p: _Params) -> Beta:
        if "se" in p.values:
            m, s = p.number("mean"), p.number("se")
            if not 0.0 < m < 1.0:
                p.fail("mean", f"beta: mean must be between 0 and 1, exclusive (got {p.raw('mean')})")
            _positive(p, "se", s, fix=_USE_FIXED)
            limit = math.sqrt(m * (1.0 - m))
            se = p.key("se")
            if not s < limit:
                p.fail("se", f"beta with mean {p.raw('mean')} needs {se} < sqrt(mean*(1-mean)) = {_fmt(limit)} "
                             f"(got {p.raw('se')})")
            common = m * (1.0 - m) / s**2 - 1.0
            return cls(alpha=m * common, beta=(1.0 - m) * common)
        if "events" in p.values:
            r, n = p.number("events"), p.number("n")
            if not r > 0:
                p.fail("events", f"beta: events must be > 0 (got {p.raw('events')}); with zero events state a prior, "
                       f"e.g. alpha: events + 1, beta: n - events + 1")
            if not r < n:
                p.fail("n", f"beta needs events < n (got events {p.raw('events')}, n {p.raw('n')})")
            return cls(alpha=r, beta=n - r)
        return cls(alpha=p.values["alpha"], beta=p.values["beta"])

    @property
    def mean(self) -> float:
        return self.alpha / (self.alpha + self.beta)

    @property
    def sd(self) -> float:
        total = self.alpha + self.beta
        return math.sqrt(self.alpha * self.beta / (total**2 * (total + 1.0)))

    @property
    def support(self) -> tuple[float, float]:
        return (0.0, 1.0)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return special.betaincinv(self.alpha, self.beta, _check_unit(u))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``rng.beta(alpha, beta)`` (Johnk's method for small shapes, else a ratio of gammas)."""
        return rng.beta(self.alpha, self.beta, _check_n(n))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return special.betainc(self.alpha, self.beta, np.clip(np.asarray(x, dtype=float), 0.0, 1.0))
