"""Ranges given for a two-way or threshold analysis: finite, low <= high, inside a natural support.

A probability drawn from a beta lives in [0, 1], a cost drawn from a gamma or lognormal is not
negative, a Dirichlet component is a share: a grid or a search outside that support evaluates the
model at values it can never take, so it is refused, as ``--set`` refuses such a value. Bounded
distributions (uniform, triangular, PERT) state the analyst's range, not a property of the quantity,
so a wider what-if range is allowed for them.
"""
from __future__ import annotations

import numpy as np

from econ.core.errors import Problem, ScenarioError
from econ.uncertainty.distributions import Beta, Gamma, Lognormal

_NATURAL = {Beta: "beta", Gamma: "gamma", Lognormal: "lognormal"}


def given_range(compiled, rng, given, key: str, *, strict: bool = False) -> tuple[float, float]:
    """``given`` (low, high; either may be None for the one-way end) checked, or ``rng``'s ends.

    Parameters
    ----------
    compiled : CompiledScenario
    rng : ParameterRange
        The parameter's one-way range (see :func:`econ.analysis.dsa.parameter_range`).
    given : (float or None, float or None) or None
    key : str
        Option or argument name for the message (``range1``, ``range``).
    strict : bool
        Whether low must be below high (a search) rather than at most high (a grid may hold one value).

    Raises
    ------
    ScenarioError
        Ends not finite, low above high, or an end outside the parameter's natural support.
    """
    if given is None:
        return rng.low, rng.high
    lo = rng.low if given[0] is None else float(given[0])
    hi = rng.high if given[1] is None else float(given[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and (lo < hi if strict else lo <= hi)):
        raise ScenarioError(Problem(f"the range must have low {'<' if strict else '<='} high (got {lo:g} to {hi:g})",
                                    None, key))
    p = compiled.parameters.parameters[rng.parameter]
    dist = p.distribution if p.is_uncertain else None
    if rng.component is not None:
        what, (s_lo, s_hi) = "share (a Dirichlet component)", (0.0, 1.0)
    elif type(dist) in _NATURAL:
        what, (s_lo, s_hi) = f"{_NATURAL[type(dist)]} distribution", dist.support
    else:
        return lo, hi
    if lo < s_lo or hi > s_hi:
        raise ScenarioError(Problem(f"the range {lo:g} to {hi:g} of '{rng.name}' goes outside the support of its "
                                    f"{what}, [{s_lo:g}, {s_hi:g}]; the model would be evaluated at values the "
                                    f"parameter cannot take", None, key))
    return lo, hi


def check_grid(n) -> None:
    """Refuse a two-way grid of fewer than 2 points per parameter, or of more points than the draws cap.

    The n^2 grid points are evaluated as draws, so ``n`` is bounded before any array is made.
    """
    from econ.core.limits import check_draws

    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 2:
        raise ScenarioError(Problem(f"a grid needs at least 2 points per parameter (got {n!r})", None, "n"))
    check_draws(int(n) ** 2, what="grid points (n^2)")
