"""Uniform designs on (0, 1)^d: Monte Carlo, Latin hypercube and Sobol' (see :mod:`econ.uncertainty.sampling`)."""
from __future__ import annotations

import inspect
import numbers
from typing import Any, Literal

import numpy as np

from econ.core.errors import EconError
from econ.uncertainty.distributions import clip_to_open_unit

DesignMethod = Literal["monte_carlo", "latin_hypercube", "sobol"]
_METHODS = ("monte_carlo", "latin_hypercube", "sobol")


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
