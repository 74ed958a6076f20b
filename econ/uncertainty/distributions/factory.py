"""Building distributions from scenario specs: the registry :data:`DISTRIBUTIONS`,
:func:`make_distribution` (spec keys -> a distribution) and :func:`point_value` (the base-case value).
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np

from econ.uncertainty.distributions.base import (
    DistributionSpecError, _fmt, _got, _number, _numbers, _Params, Distribution,
)
from econ.uncertainty.distributions.parametric import Fixed, Normal, Lognormal, Gamma, Beta
from econ.uncertainty.distributions.bounded import Uniform, Triangular, Pert
from econ.uncertainty.distributions.from_data import Dirichlet, Empirical


#: Every distribution by its scenario name. Tests loop over this (contract tests).
DISTRIBUTIONS: Mapping[str, type[Distribution]] = MappingProxyType(
    {cls.name: cls for cls in (Fixed, Normal, Lognormal, Gamma, Beta, Uniform, Triangular, Pert, Dirichlet, Empirical)}
)

_ALIASES = {"sd": "se"}
_POINT_KEY = "value"


def _options(cls: type[Distribution]) -> str:
    def show(key: str) -> str:
        return "se (or sd)" if key == "se" else key

    text = " | ".join(", ".join(show(k) for k in keys) for keys in cls.parameterizations)
    if cls.optional_keys:
        text += f" (optional: {', '.join(cls.optional_keys)})"
    return text


def _match(cls: type[Distribution], spec: Mapping[str, Any]) -> _Params:
    """Find which parameterisation of ``cls`` the keys of ``spec`` use, or raise naming the key."""
    name = cls.name
    allowed = {k for keys in cls.parameterizations for k in keys} | set(cls.optional_keys)
    values: dict[str, Any] = {}
    spelled: dict[str, str] = {}
    for key, value in spec.items():
        if key == "dist" or (key == _POINT_KEY and _POINT_KEY not in allowed):
            continue
        canonical = _ALIASES.get(key, key)
        if canonical not in allowed:
            spellings = sorted(allowed | {a for a, c in _ALIASES.items() if c in allowed} | {_POINT_KEY, "dist"})
            close = difflib.get_close_matches(key, spellings, n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DistributionSpecError(key, f"{name} has no key {key!r}; allowed: {_options(cls)}{hint}")
        if canonical in values:
            raise DistributionSpecError(key, f"{name} got both {spelled[canonical]!r} and {key!r}; give only one")
        values[canonical] = value
        spelled[canonical] = key

    given = [k for k in values if k not in cls.optional_keys]
    if set(given) in (set(keys) for keys in cls.parameterizations):
        return _Params(name, values, spelled)
    supersets = [keys for keys in cls.parameterizations if set(given) <= set(keys)]
    if supersets:
        missing = [k for k in supersets[0] if k not in given]
        have = f" with {', '.join(spelled[k] for k in given)}" if given else ""
        what = f"{name}{have} also needs {', '.join(missing)}" if given else f"{name} needs its parameters"
        raise DistributionSpecError(missing[0], f"{what}; give one of: {_options(cls)}")
    best = max(cls.parameterizations, key=lambda keys: len(set(keys) & set(given)))
    extra = [k for k in given if k not in best]
    rest = [spelled[k] for k in given if k in best]
    raise DistributionSpecError(
        spelled[extra[0]],
        f"{name}: {spelled[extra[0]]!r} cannot be combined with {', '.join(rest)}; give exactly one of: {_options(cls)}",
    )


def _distribution_class(spec: Any) -> type[Distribution]:
    if not isinstance(spec, Mapping):
        raise DistributionSpecError(
            "", f"a distribution must be a mapping with a 'dist' key (got {_got(spec)}, a {type(spec).__name__})"
        )
    for key in spec:
        if not isinstance(key, str):
            raise DistributionSpecError(str(key), f"distribution keys must be text (got {key!r})")
    if "dist" not in spec:
        raise DistributionSpecError("dist", f"a distribution needs a 'dist' key naming one of: {', '.join(DISTRIBUTIONS)}")
    dist = spec["dist"]
    if not isinstance(dist, str) or dist not in DISTRIBUTIONS:
        close = difflib.get_close_matches(str(dist), list(DISTRIBUTIONS), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DistributionSpecError("dist", f"unknown distribution {_got(dist)}; allowed: {', '.join(DISTRIBUTIONS)}{hint}")
    return DISTRIBUTIONS[dist]


def make_distribution(spec: Mapping[str, Any]) -> Distribution:
    """Build a distribution from a scenario spec.

    Parameters
    ----------
    spec : Mapping
        ``spec["dist"]`` names the distribution (a key of :data:`DISTRIBUTIONS`); the other keys
        are one of its parameterisations (see :mod:`econ.uncertainty.distributions`), plus an optional point
        ``value``. ``se`` may be written ``sd``.

    Returns
    -------
    Distribution

    Raises
    ------
    DistributionSpecError
        Unknown distribution or key, a missing key, keys from two parameterisations, a value
        that is not a finite number, impossible moments (e.g. beta se >= sqrt(mean (1 - mean))),
        or a point ``value`` outside the support. ``err.key`` names the offending key.

    Notes
    -----
    Moment-based specs are converted by the method of moments; each class's Notes give the
    equations (e.g. :class:`Beta`, :class:`Gamma`, :class:`Lognormal`).

    Examples
    --------
    >>> make_distribution({"dist": "gamma", "mean": 120.0, "se": 30.0})
    Gamma(shape=16.0, scale=7.5)
    """
    cls = _distribution_class(spec)
    params = _match(cls, spec)
    try:
        dist = cls.from_params(params)
    except (OverflowError, ZeroDivisionError, FloatingPointError) as exc:
        # e.g. se = 1e154 squares to more than a float holds: say so instead of crashing
        keys = [k for k in spec if k not in ("dist", _POINT_KEY)]
        raise DistributionSpecError(keys[-1] if keys else "dist",
                                    f"{cls.name} cannot be built from these numbers ({exc}); they are too large "
                                    f"or too small for floating point") from None
    if _POINT_KEY in spec and not isinstance(dist, Fixed):
        _check_point_value(dist, spec[_POINT_KEY])
    return dist


def _check_point_value(dist: Distribution, value: Any) -> float | np.ndarray:
    """Validate an explicit point ``value`` against ``dist`` and return it."""
    if isinstance(dist, Dirichlet):
        if isinstance(value, Mapping):
            if [str(k) for k in value] != list(dist.component_names):
                raise DistributionSpecError(
                    _POINT_KEY,
                    f"dirichlet: value must name the components {list(dist.component_names)} in order "
                    f"(got {[str(k) for k in value]})",
                )
            value = list(value.values())
        arr = _numbers(dist.name, _POINT_KEY, value, length=dist.dimension)
        if np.any(arr < 0) or abs(arr.sum() - 1.0) > 1e-9:
            raise DistributionSpecError(
                _POINT_KEY,
                f"dirichlet: value must be proportions >= 0 summing to 1 (got {arr.tolist()}, sum {arr.sum():.12g})",
            )
        return arr
    x = _number(dist.name, _POINT_KEY, value)
    lo, hi = dist.support
    if not lo <= x <= hi:
        raise DistributionSpecError(
            _POINT_KEY, f"{dist.name}: value must lie in [{_fmt(lo)}, {_fmt(hi)}] (got {_got(value)})"
        )
    return x


def point_value(spec: Mapping[str, Any]) -> float | np.ndarray:
    """The point estimate of a spec, used in the base case.

    Parameters
    ----------
    spec : Mapping
        A distribution spec, as for :func:`make_distribution` (it is validated in full).

    Returns
    -------
    float or ndarray
        The explicit ``value`` key if present; else the ``mean`` key; else the ``median`` key;
        else the mean of the distribution. An ndarray of proportions for a Dirichlet.

    Raises
    ------
    DistributionSpecError
        As :func:`make_distribution`.
    """
    dist = make_distribution(spec)
    if _POINT_KEY in spec:
        return _check_point_value(dist, spec[_POINT_KEY]) if not isinstance(dist, Fixed) else dist.value
    for key in ("mean", "median"):
        if key in spec:
            return _number(dist.name, key, spec[key])
    return dist.mean
