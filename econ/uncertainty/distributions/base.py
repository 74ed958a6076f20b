"""Shared parts of the parameter distributions: constants, the spec error, value parsing and checks,
and the :class:`Distribution` base class (interface described in :mod:`econ.uncertainty.distributions`).
"""
from __future__ import annotations

import abc
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar, NoReturn

import numpy as np

from econ.core.errors import EconError, Problem


#: z such that Phi(z) = 0.975: a 95% interval is mean +/- Z95 * sd. The value of
#: ``float(scipy.special.ndtri(0.975))``, written out so that importing the distributions does not
#: import scipy (start-up time); tests/test_startup.py checks it against scipy.
Z95 = 1.959963984540054

#: How far the two halves of a ``ci95`` may differ, as a fraction of the larger half, before the
#: interval is judged asymmetric. Published intervals are rounded (0.25, 95% CI 0.13 to 0.36 has
#: halves 0.12 and 0.11), so exact symmetry would reject honest inputs; 10% lets rounding through
#: and still catches intervals that are skewed (1.5, 1.2 to 1.9 has halves 0.3 and 0.4).
CI_SYMMETRY_RTOL = 0.10

#: Uniforms are clipped to [UNIT_EPS, 1 - UNIT_EPS] before ``ppf`` so that unbounded
#: distributions stay finite. 2**-53 is the spacing of doubles just below 1, so 1 - UNIT_EPS is
#: exactly representable and ``rng.random()`` (multiples of 2**-53) only ever loses the value 0.
UNIT_EPS = 2.0**-53


class DistributionSpecError(EconError, ValueError):
    """A distribution spec is malformed or asks for impossible moments.

    Attributes
    ----------
    key : str
        The offending key of the spec (e.g. ``"se"``, ``"dist"``, ``"ci95"``), as the user
        spelled it; ``""`` when the spec as a whole is wrong (e.g. not a mapping).
    message : str
        What is wrong, with the value found and what is allowed; ``str(err)`` is
        ``"<key>: <message>"``.
    """

    def __init__(self, key: str, message: str):
        self.key = key
        self.message = message
        super().__init__(Problem(message, key_path=key))


def clip_to_open_unit(u: np.ndarray) -> np.ndarray:
    """Clip uniforms into [UNIT_EPS, 1 - UNIT_EPS] so that every ``ppf`` stays finite.

    Parameters
    ----------
    u : ndarray
        Values in [0, 1].

    Returns
    -------
    ndarray
        Same shape, float64, strictly inside (0, 1).
    """
    return np.clip(np.asarray(u, dtype=float), UNIT_EPS, 1.0 - UNIT_EPS)


# --------------------------------------------------------------------------- value parsing


def _fmt(x: float) -> str:
    """Format a derived threshold for a message (three significant figures, as in 0.458)."""
    return f"{x:.3g}"


def _got(value: Any) -> str:
    """Format a value found in the input, unchanged, for the ``(got ...)`` part of a message."""
    return repr(value) if isinstance(value, str) else str(value)


def _number(dist: str, key: str, value: Any) -> float:
    """Return ``value`` as a finite float or raise a DistributionSpecError naming ``key``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        hint = ""
        if isinstance(value, str):
            try:
                float(value)
            except ValueError:
                pass
            else:
                # PyYAML follows YAML 1.1, which reads 1e-3 (no decimal point) as text.
                hint = "; remove the quotes, and write exponents with a decimal point (1.0e-3, not 1e-3)"
        raise DistributionSpecError(
            key, f"{dist}: {key} must be a number (got {_got(value)}, a {type(value).__name__}){hint}"
        )
    x = float(value)
    if not math.isfinite(x):
        raise DistributionSpecError(key, f"{dist}: {key} must be a finite number (got {x})")
    return x


def _numbers(dist: str, key: str, value: Any, *, length: int | None = None) -> np.ndarray:
    """Return a list-like of numbers as a 1-D float array, or raise naming ``key``."""
    if isinstance(value, (str, bytes, Mapping)) or not (isinstance(value, Sequence) or hasattr(value, "__array__")):
        raise DistributionSpecError(
            key, f"{dist}: {key} must be a list of numbers (got {_got(value)}, a {type(value).__name__})"
        )
    if isinstance(value, Sequence) and all(type(item) in (int, float) for item in value):
        value = np.array(value, dtype=float)  # fast path for long lists of plain numbers
    # dtype=object keeps a mixed list as it was written ([1.2, 'x'] would otherwise become text).
    arr = np.asarray(value, dtype=object if isinstance(value, Sequence) else None)
    if arr.ndim != 1:
        raise DistributionSpecError(key, f"{dist}: {key} must be a flat list of numbers (got shape {arr.shape})")
    if length is not None and arr.size != length:
        raise DistributionSpecError(key, f"{dist}: {key} must have {length} numbers (got {arr.size}: {arr.tolist()})")
    if arr.dtype.kind in "iuf" and np.all(np.isfinite(arr)):
        return arr.astype(float)
    out = np.empty(arr.size)
    for i, item in enumerate(arr):
        if isinstance(item, (bool, np.bool_)) or not isinstance(item, numbers.Real) or not math.isfinite(float(item)):
            raise DistributionSpecError(key, f"{dist}: {key}[{i}] must be a finite number (got {_got(item)})")
        out[i] = float(item)
    return out


def _check_unit(u: Any) -> np.ndarray:
    """Return ``u`` as a float array after checking it lies in [0, 1] (NaN is rejected too)."""
    u = np.asarray(u, dtype=float)
    if not np.all((u >= 0.0) & (u <= 1.0)):
        bad = u[~((u >= 0.0) & (u <= 1.0))]
        raise ValueError(f"ppf needs probabilities in [0, 1] (got {bad.size} outside, e.g. {bad.flat[0]})")
    return u


def _check_level(level: float) -> None:
    if not 0.0 < level < 1.0:
        raise ValueError(f"interval level must be between 0 and 1, exclusive (got {level})")


class _Params:
    """The numeric parameters of one spec, with the user's spelling of each key for messages."""

    def __init__(self, dist: str, values: dict[str, Any], spelled: dict[str, str]):
        self.dist = dist
        self.values = values
        self.spelled = spelled

    def key(self, key: str) -> str:
        return self.spelled.get(key, key)

    def raw(self, key: str) -> str:
        """The value of ``key`` as the user wrote it, for messages."""
        return _got(self.values[key])

    def number(self, key: str) -> float:
        return _number(self.dist, self.key(key), self.values[key])

    def fail(self, key: str, message: str) -> NoReturn:
        raise DistributionSpecError(self.key(key), message)

    def ci95(self, key: str = "ci95") -> tuple[float, float]:
        lo, hi = _numbers(self.dist, key, self.values[key], length=2)
        if not lo < hi:
            self.fail(key, f"{self.dist}: ci95 must be [lo, hi] with lo < hi (got {self.raw(key)})")
        return float(lo), float(hi)


def _check_symmetric(p: _Params, centre_key: str, centre: float, lo: float, hi: float, *, scale: str) -> None:
    """Check that ``centre`` sits inside ``(lo, hi)`` and halfway between them (on ``scale``)."""
    cname = p.key(centre_key)
    if not lo < centre < hi:
        p.fail("ci95", f"{p.dist}: {cname} must lie inside ci95 (got {cname} {p.raw(centre_key)}, ci95 {p.raw('ci95')})")
    if scale == "log":
        below, above = math.log(centre) - math.log(lo), math.log(hi) - math.log(centre)
        what = f"log({cname}) - log(lo) = {_fmt(below)} but log(hi) - log({cname}) = {_fmt(above)}"
        fix = ""
    else:
        below, above = centre - lo, hi - centre
        what = f"{cname} - lo = {_fmt(below)} but hi - {cname} = {_fmt(above)}"
        fix = "; for a skewed interval use lognormal with median and ci95"
    if abs(above - below) > CI_SYMMETRY_RTOL * max(above, below):
        p.fail(
            "ci95",
            f"{p.dist} with {cname} {p.raw(centre_key)} needs a ci95 symmetric "
            f"{'on the log scale ' if scale == 'log' else ''}around it: {what} "
            f"(the halves may differ by {CI_SYMMETRY_RTOL:.0%}){fix}",
        )


def _positive(p: _Params, key: str, x: float, *, fix: str = "") -> None:
    if not x > 0:
        p.fail(key, f"{p.dist}: {p.key(key)} must be > 0 (got {p.raw(key)}){fix}")


def _check_positive_field(dist: str, key: str, x: float, fix: str = "") -> None:
    if not x > 0:
        raise DistributionSpecError(key, f"{dist}: {key} must be > 0 (got {_got(x)}){fix}")


_USE_FIXED = "; for a known quantity use dist: fixed"


# --------------------------------------------------------------------------- base class


class Distribution(abc.ABC):
    """Interface shared by every parameter distribution (see :mod:`econ.uncertainty.distributions`).

    Subclasses are frozen dataclasses holding the natural parameters. They declare ``name`` (the
    scenario spelling), ``parameterizations`` (the key sets a spec may use) and
    ``optional_keys``, and implement ``from_params`` (spec keys -> natural parameters),
    ``mean``, ``sd``, ``support`` and ``ppf``.
    """

    name: ClassVar[str]
    parameterizations: ClassVar[tuple[tuple[str, ...], ...]]
    optional_keys: ClassVar[tuple[str, ...]] = ()

    @property
    def dimension(self) -> int:
        """Number of uniform columns ``ppf`` consumes and values it returns per draw."""
        return 1

    @property
    @abc.abstractmethod
    def mean(self) -> float | np.ndarray:
        """Mean of the distribution."""

    @property
    @abc.abstractmethod
    def sd(self) -> float | np.ndarray:
        """Standard deviation of the distribution."""

    @property
    @abc.abstractmethod
    def support(self) -> tuple[float, float]:
        """Closed hull [lower, upper] of the values the distribution can take."""

    @abc.abstractmethod
    def ppf(self, u: np.ndarray) -> np.ndarray:
        """Inverse CDF (quantile function), vectorised over ``u`` in [0, 1]."""

    @abc.abstractmethod
    def cdf(self, x: np.ndarray) -> np.ndarray:
        """Cumulative distribution function P(X <= x), vectorised (univariate distributions only)."""

    def draw(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values as ``ppf`` of ``rng.random``.

        Parameters
        ----------
        rng : numpy.random.Generator
            Source of uniforms; ``n * dimension`` of them are consumed, row by row.
        n : int
            Number of draws.

        Returns
        -------
        ndarray
            Shape ``(n,)``, or ``(n, k)`` for a k-component Dirichlet.

        Notes
        -----
        The uniforms are clipped to [2**-53, 1 - 2**-53] (:func:`clip_to_open_unit`), the same
        rule as :func:`econ.uncertainty.sampling.uniform_design`, so identical uniforms give identical draws
        here and in a design.
        """
        n = _check_n(n)
        shape = (n,) if self.dimension == 1 else (n, self.dimension)
        return self.ppf(clip_to_open_unit(rng.random(shape)))

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Draw ``n`` values by the fastest exact method: :meth:`draw` here; gamma, beta, PERT and
        Dirichlet override it with numpy's direct samplers.

        Arguments and shapes as :meth:`draw`. ``rng`` is consumed row by row, so the first m rows
        of ``sample(rng, n)`` equal ``sample(rng', m)`` for a generator ``rng'`` in the same state.
        The values follow the same distribution as :meth:`draw` but are not ``ppf`` of a known
        uniform, so they cannot be stratified (Latin hypercube, Sobol') or put through a copula;
        :func:`econ.uncertainty.sampling.draw_parameters` uses them only for independent Monte Carlo draws.
        """
        return self.draw(rng, n)

    def interval(self, level: float = 0.95) -> tuple[float, float]:
        """Central interval holding ``level`` of the probability: ``(ppf((1-level)/2), ppf((1+level)/2))``."""
        _check_level(level)
        lo, hi = self.ppf(np.array([(1.0 - level) / 2.0, (1.0 + level) / 2.0]))
        return float(lo), float(hi)

    @classmethod
    @abc.abstractmethod
    def from_params(cls, p: _Params) -> Distribution:
        """Build the distribution from one matched parameterisation (called by make_distribution)."""


def _check_n(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, numbers.Integral) or n < 0:
        raise ValueError(f"number of draws must be a non-negative integer (got {n!r})")
    return int(n)


def _as_float_fields(obj: Any, *names: str) -> None:
    """Coerce dataclass fields to finite floats (frozen: via object.__setattr__)."""
    for name in names:
        object.__setattr__(obj, name, _number(obj.name, _FIELD_KEYS.get(name, name), getattr(obj, name)))


# Spec keys whose dataclass field has a different name (``lambda`` is a Python keyword).
_FIELD_KEYS = {"lam": "lambda"}
