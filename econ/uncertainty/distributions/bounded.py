"""Distributions on a stated range [low, high]: uniform, triangular and PERT."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np

from econ.uncertainty.distributions.base import (
    DistributionSpecError, _got, _check_unit, _Params, _check_positive_field, Distribution, _check_n,
    _as_float_fields,
)


@dataclass(frozen=True)
class Uniform(Distribution):
    """Uniform distribution on [low, high].

    Notes
    -----
    Mean = (low + high) / 2, SD = (high - low) / sqrt(12); ppf(u) = low + u (high - low).
    """

    low: float
    high: float
    name: ClassVar[str] = "uniform"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("low", "high"),)

    def __post_init__(self) -> None:
        _as_float_fields(self, "low", "high")
        if not self.low < self.high:
            raise DistributionSpecError(
                "high", f"uniform needs low < high (got low {_got(self.low)}, high {_got(self.high)})"
            )

    @classmethod
    def from_params(cls, p: _Params) -> Uniform:
        return cls(low=p.values["low"], high=p.values["high"])

    @property
    def mean(self) -> float:
        return (self.low + self.high) / 2.0

    @property
    def sd(self) -> float:
        return (self.high - self.low) / math.sqrt(12.0)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        return self.low + _check_unit(u) * (self.high - self.low)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        return np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)


def _check_low_mode_high(dist: str, low: float, mode: float, high: float) -> None:
    if not low < high:
        raise DistributionSpecError("high", f"{dist} needs low < high (got low {_got(low)}, high {_got(high)})")
    if not low <= mode <= high:
        raise DistributionSpecError(
            "mode", f"{dist}: mode must lie in [low, high] = [{_got(low)}, {_got(high)}] (got {_got(mode)})"
        )


@dataclass(frozen=True)
class Triangular(Distribution):
    """Triangular distribution on [low, high] with peak at ``mode``.

    Notes
    -----
    Mean = (a + b + c) / 3 and variance = (a^2 + b^2 + c^2 - ab - ac - bc) / 18, with
    a = low, b = high, c = mode. With q = (c - a) / (b - a):
    ppf(u) = a + sqrt(u (b - a)(c - a)) for u < q, else b - sqrt((1 - u)(b - a)(b - c)).
    """

    low: float
    mode: float
    high: float
    name: ClassVar[str] = "triangular"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("low", "mode", "high"),)

    def __post_init__(self) -> None:
        _as_float_fields(self, "low", "mode", "high")
        _check_low_mode_high(self.name, self.low, self.mode, self.high)

    @classmethod
    def from_params(cls, p: _Params) -> Triangular:
        return cls(low=p.values["low"], mode=p.values["mode"], high=p.values["high"])

    @property
    def mean(self) -> float:
        return (self.low + self.mode + self.high) / 3.0

    @property
    def sd(self) -> float:
        a, b, c = self.low, self.high, self.mode
        return math.sqrt((a * a + b * b + c * c - a * b - a * c - b * c) / 18.0)

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def _scipy_args(self) -> tuple[float, float, float]:
        width = self.high - self.low
        return (self.mode - self.low) / width, self.low, width

    def ppf(self, u: np.ndarray) -> np.ndarray:
        c, loc, scale = self._scipy_args()
        from scipy import stats  # imported here: scipy.stats costs ~0.5 s at start-up

        return stats.triang.ppf(_check_unit(u), c, loc=loc, scale=scale)

    def cdf(self, x: np.ndarray) -> np.ndarray:
        c, loc, scale = self._scipy_args()
        from scipy import stats

        return stats.triang.cdf(np.asarray(x, dtype=float), c, loc=loc, scale=scale)


@dataclass(frozen=True)
class Pert(Distribution):
    """(Modified) PERT distribution: a beta distribution rescaled to [low, high].

    Parameters
    ----------
    low, mode, high : float
        Minimum, most likely and maximum value; low <= mode <= high, low < high.
    lam : float
        Weight of the mode (spec key ``lambda``, default 4, the classic PERT), > 0.

    Notes
    -----
    .. math::

        \\alpha = 1 + \\lambda \\frac{mode - low}{high - low}, \\qquad
        \\beta = 1 + \\lambda \\frac{high - mode}{high - low},

    X = low + (high - low) B with B ~ Beta(alpha, beta). Mean = (low + lambda mode + high) /
    (lambda + 2); variance = (mean - low)(high - mean) / (lambda + 3).
    """

    low: float
    mode: float
    high: float
    lam: float = 4.0
    name: ClassVar[str] = "pert"
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]] = (("low", "mode", "high"),)
    optional_keys: ClassVar[tuple[str, ...]] = ("lambda",)

    def __post_init__(self) -> None:
        _as_float_fields(self, "low", "mode", "high", "lam")
        _check_low_mode_high(self.name, self.low, self.mode, self.high)
        _check_positive_field(self.name, "lambda", self.lam)

    @classmethod
    def from_params(cls, p: _Params) -> Pert:
        return cls(low=p.values["low"], mode=p.values["mode"], high=p.values["high"], lam=p.values.get("lambda", 4.0))

    @property
    def _alpha(self) -> float:
        return 1.0 + self.lam * (self.mode - self.low) / (self.high - self.low)

    @property
    def _beta(self) -> float:
        return 1.0 + self.lam * (self.high - self.mode) / (self.high - self.low)

    @property
    def mean(self) -> float:
        return (self.low + self.lam * self.mode + self.high) / (self.lam + 2.0)

    @property
    def sd(self) -> float:
        m = self.mean
        return math.sqrt((m - self.low) * (self.high - m) / (self.lam + 3.0))

    @property
    def support(self) -> tuple[float, float]:
        return (self.low, self.high)

    def ppf(self, u: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        return self.low + (self.high - self.low) * special.betaincinv(self._alpha, self._beta, _check_unit(u))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """low + (high - low) B with B from ``rng.beta(alpha, beta)``."""
        return self.low + (self.high - self.low) * rng.beta(self._alpha, self._beta, _check_n(n))

    def cdf(self, x: np.ndarray) -> np.ndarray:
        from scipy import special  # imported when used: start-up time
        b = np.clip((np.asarray(x, dtype=float) - self.low) / (self.high - self.low), 0.0, 1.0)
        return special.betainc(self._alpha, self._beta, b)
