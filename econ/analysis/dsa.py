"""Deterministic sensitivity analysis: one-way (tornado), two-way grids and thresholds by root finding."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from econ.core.errors import EconError, Problem, ScenarioError
from econ.model.evaluate import evaluate
from econ.inputs.context import BootstrapStatistic
from econ.model.compile import CompiledScenario
from econ.model.parameters import Parameter, ParameterTable, assign_linked
from econ.analysis.outputs import OutputSpec, default_outputs, output_values, parse_output
from econ.analysis.dsa_groups import grouped_oneway
from econ.analysis.ranges import check_grid, given_range

#: Points of the grid scanned for sign changes before root finding in :func:`threshold`.
THRESHOLD_GRID = 33


class ThresholdError(EconError, ValueError):
    """The output does not reach the target anywhere in the range searched."""


@dataclass(frozen=True)
class ParameterRange:
    """The range one parameter (or one Dirichlet component) is varied over.

    Attributes
    ----------
    name : str
        Table column varied: the parameter's name, or ``<parameter>_<component>`` for a Dirichlet.
    parameter : str
        The scenario parameter it belongs to.
    component : int or None
        Index of the Dirichlet component (None for a univariate parameter).
    base, low, high : float
        Base-case value and the two ends of the range.
    source : str
        Where the range came from: ``scenario`` (``dsa_range``), ``unit-cost table low/high``, ``95% interval``,
        ``95% marginal beta interval`` (Dirichlet component) or ``95% bootstrap interval``.
    """

    name: str
    parameter: str
    component: int | None
    base: float
    low: float
    high: float
    source: str


def _unknown(compiled: CompiledScenario, name: str) -> ScenarioError:
    pset = compiled.parameters
    options = list(pset.parameters) + [c for p in pset.independent for c in p.components if c != p.name]
    close = difflib.get_close_matches(name, options, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return ScenarioError(Problem(f"unknown parameter '{name}'{hint}"))


def _resolve(compiled: CompiledScenario, name: str) -> tuple[Parameter, int | None]:
    """The Parameter a name refers to and, for a Dirichlet component column, the component index."""
    pset = compiled.parameters
    if name in pset.parameters:
        p = pset[name]
        if p.is_derived:
            used = ", ".join(sorted(p.expression.names))
            raise ScenarioError(compiled.loaded.problem(("parameters", name), f"is computed from other parameters "
                                                                              f"({used}); vary those instead"))
        return p, None
    for p in pset.independent:
        if name in p.components and name != p.name:
            return p, p.components.index(name)
    raise _unknown(compiled, name)


def _range_of(compiled: CompiledScenario, p: Parameter, component: int | None, level: float) -> ParameterRange:
    if not 0 < level < 1:
        raise ScenarioError(Problem(f"the interval level must be between 0 and 1, exclusive (got {level})", None,
                                    "level"))
    pct = f"{level:.0%}"
    dist = p.distribution if p.is_uncertain else p.range_distribution
    if component is not None:
        base = float(np.asarray(p.point, dtype=float)[component])
        lo, hi = dist.marginal(component).interval(level)
        return ParameterRange(p.components[component], p.name, component, base, float(lo), float(hi),
                              f"{pct} marginal beta interval")
    base = float(p.point)
    if p.low is not None and p.high is not None:
        return ParameterRange(p.name, p.name, None, base, float(p.low), float(p.high), p.range_source or "scenario")
    if dist is None:
        raise ScenarioError(compiled.loaded.problem(("parameters", p.name), "has no range for sensitivity analysis "
                                                                            "and no distribution to take one from; "
                                                                            "give dsa_range: [low, high] (or a dist)"))
    lo, hi = dist.interval(level)
    kind = (p.range_source if dist is p.range_distribution and p.range_source else
            f"{pct} bootstrap interval" if isinstance(dist, BootstrapStatistic) else f"{pct} interval")
    return ParameterRange(p.name, p.name, None, base, float(lo), float(hi), kind)


def parameter_range(compiled: CompiledScenario, name: str, *, level: float = 0.95) -> ParameterRange:
    """The one-way range of one parameter or Dirichlet component (see :func:`parameter_ranges`).

    Raises
    ------
    ScenarioError
        Unknown name (with suggestions); a derived parameter; a Dirichlet named as a whole (name one
        component); no range (no distribution and no ``dsa_range``).
    """
    return _single(compiled, name, level, need_range=True)


def _single(compiled: CompiledScenario, name: str, level: float, *, need_range: bool) -> ParameterRange:
    """One parameter's range; without ``need_range``, NaN ends if it has none (the caller gives its own)."""
    p, component = _resolve(compiled, name)
    if component is None and len(p.components) > 1:
        raise ScenarioError(Problem(f"'{name}' is a Dirichlet over {len(p.components)} components; name one of "
                                    f"{', '.join(p.components)}"))
    if not need_range and component is None and not p.is_uncertain and p.range_distribution is None and (
            p.low is None or p.high is None):
        return ParameterRange(p.name, p.name, None, float(p.point), np.nan, np.nan, "given")
    return _range_of(compiled, p, component, level)


def parameter_ranges(compiled: CompiledScenario, parameters: Sequence[str] | None = None, *,
                     level: float = 0.95) -> list[ParameterRange]:
    """Ranges of the named parameters, or of every parameter with a distribution or a ``dsa_range``.

    Parameters
    ----------
    compiled : CompiledScenario
    parameters : sequence of str, optional
        Parameter names or Dirichlet component columns; a Dirichlet named as a whole stands for all
        its components. Default: every independent parameter that is uncertain or has a
        ``dsa_range``, in scenario order.
    level : float
        Probability inside the interval taken from a distribution (0.95: 2.5th to 97.5th percentile).

    Returns
    -------
    list of ParameterRange

    Raises
    ------
    ScenarioError
        Unknown or derived names, or a parameter without a range (every problem, together).

    Notes
    -----
    A parameter is varied between, in order of preference:

    1. ``dsa_range: [low, high]`` written on the parameter in the scenario, else for a unit cost the
       table's ``low``/``high`` (``Parameter.low`` / ``.high``, whose ``range_source`` says which);
    2. the central ``level`` (default 95%) interval of its distribution,
       ``distribution.interval(level)``; for a service-use statistic the same interval of its
       bootstrap replicates (``BootstrapStatistic.interval``);
    3. for one component i of a Dirichlet row (named ``<parameter>_<component>``, e.g. ``tA_B``),
       the interval of its marginal Beta(alpha_i, alpha_0 - alpha_i). When component i is set to
       x, the row's other components j are rescaled in proportion, p_j(x) = p_j (1 - x) / (1 - p_i),
       so the row still sums to 1 and the others keep their ratios to one another. Naming the
       Dirichlet parameter itself (``tA``) varies each of its components in turn. A ``dsa_range``
       written on a Dirichlet parameter is ignored (it cannot say which component it bounds).

    A parameter without a distribution is varied only if it has a ``dsa_range``. Derived
    parameters (expressions) are not varied themselves; they follow the parameters they are
    computed from in every row, as in the base case.
    """
    if parameters is None:
        chosen = [p.name for p in compiled.parameters.independent
                  if p.is_uncertain or p.low is not None or p.high is not None or p.range_distribution is not None]
    else:
        chosen = list(dict.fromkeys(parameters))
    out, seen, problems = [], set(), []
    for name in chosen:
        try:
            p, comp = _resolve(compiled, name)
            if comp is None and len(p.components) > 1:
                todo = range(len(p.components)) if p.is_uncertain else ()
                new = [_range_of(compiled, p, k, level) for k in todo]
            else:
                new = [_range_of(compiled, p, comp, level)]
        except ScenarioError as exc:
            problems.extend(exc.problems)
            continue
        for r in new:
            if r.name not in seen:
                seen.add(r.name)
                out.append(r)
    if problems:
        raise ScenarioError(problems)
    return out


def _base_columns(compiled: CompiledScenario, n: int) -> dict:
    base = compiled.parameters.point_table()
    return {k: np.repeat(v, n) for k, v in base.columns.items()}


def _assign(compiled: CompiledScenario, cols: dict, rng: ParameterRange, rows, values) -> None:
    """Set ``rng``'s column to ``values`` in ``rows`` (in place); rescale the other Dirichlet components."""
    values = np.asarray(values, dtype=float)
    cols[rng.name][rows] = values
    assign_linked(compiled.parameters, rng.parameter, cols, rows, values)  # e.g. rho: the effect statistics
    if rng.component is None:
        return
    p = compiled.parameters[rng.parameter]
    point = np.asarray(p.point, dtype=float)
    scale = (1.0 - values) / (1.0 - point[rng.component])
    for j, comp in enumerate(p.components):
        if j != rng.component:
            cols[comp][rows] = point[j] * scale


def _output_spec(compiled: CompiledScenario, output: str | None) -> OutputSpec:
    return parse_output(compiled, output if output is not None else default_outputs(compiled)[0])


def _evaluate_output(compiled: CompiledScenario, cols: dict, n: int, spec: OutputSpec) -> np.ndarray:
    ev = evaluate(compiled, ParameterTable(cols, n))
    return output_values(compiled, ev, spec)


def oneway(compiled: CompiledScenario, output: str | None = None, *, parameters: Sequence[str] | None = None,
           level: float = 0.95, grouped: bool = False) -> pd.DataFrame:
    """One-way sensitivity analysis: each parameter at the low and the high end of its range, others at base.

    Parameters
    ----------
    compiled : CompiledScenario
    output : str, optional
        A named output (:mod:`econ.analysis.outputs`), e.g. ``net_cost:group`` (default: the first of
        :func:`~econ.analysis.outputs.default_outputs`).
    parameters : sequence of str, optional
        Parameters varied (default: every parameter with a distribution or ``dsa_range``); see
        :func:`parameter_ranges`.
    level : float
        Interval level for ranges taken from distributions.
    grouped : bool
        Vary the scenario's ``dsa_groups`` together, one row per group (see :mod:`econ.analysis.dsa_groups`).

    Returns
    -------
    pandas.DataFrame
        The tornado table, one row per parameter (or Dirichlet component), ordered by swing, largest
        first. Columns: ``output`` (str), ``parameter`` (str), ``base_value``, ``low_value``,
        ``high_value`` (the parameter), ``output_low``, ``output_high`` (the output with the
        parameter at low / high), ``swing`` = |output_high - output_low|, ``base`` (the output in
        the base case, identical in every row), ``range_source`` (str; see :class:`ParameterRange`).

    Raises
    ------
    ScenarioError
        Unknown output or parameter names, derived parameters, parameters without a range, bad groups.

    Notes
    -----
    The base case and the 2m modified rows (m parameters) are evaluated in one vectorised call; row 0
    is the base case. swing_j = |y(x_j = high_j) - y(x_j = low_j)|, all other parameters at base.
    """
    if grouped:
        return grouped_oneway(compiled, output, parameters=parameters, level=level)
    spec = _output_spec(compiled, output)
    ranges = parameter_ranges(compiled, parameters, level=level)
    n = 1 + 2 * len(ranges)
    cols = _base_columns(compiled, n)
    for r, rng in enumerate(ranges):
        _assign(compiled, cols, rng, [1 + 2 * r, 2 + 2 * r], [rng.low, rng.high])
    y = _evaluate_output(compiled, cols, n, spec)
    lo, hi = y[1::2], y[2::2]
    df = pd.DataFrame({
        "output": spec.text,
        "parameter": [r.name for r in ranges],
        "base_value": [r.base for r in ranges],
        "low_value": [r.low for r in ranges],
        "high_value": [r.high for r in ranges],
        "output_low": lo,
        "output_high": hi,
        "swing": np.abs(hi - lo),
        "base": float(y[0]),
        "range_source": [r.source for r in ranges],
    })
    return df.sort_values("swing", ascending=False, kind="stable", na_position="last").reset_index(drop=True)


def twoway(compiled: CompiledScenario, p1: str, p2: str, *, n: int = 11, output: str | None = None,
           range1: tuple[float, float] | None = None, range2: tuple[float, float] | None = None,
           level: float = 0.95) -> pd.DataFrame:
    """Two-way sensitivity analysis: the output over an n x n grid of two parameters, others at base.

    Parameters
    ----------
    compiled : CompiledScenario
    p1, p2 : str
        Two different parameters (or Dirichlet components of different rows).
    n : int
        Points per parameter, evenly spaced from low to high (>= 2).
    output : str, optional
        Named output (default: the first default output).
    range1, range2 : (float, float), optional
        (low, high) instead of the one-way ranges (see :func:`parameter_ranges`).
    level : float
        Interval level for ranges taken from distributions.

    Returns
    -------
    pandas.DataFrame
        n^2 rows, p1 varying slowest. Columns ``parameter_1``, ``value_1``, ``parameter_2``,
        ``value_2``, ``output`` (the output's name), ``value`` (the output). ``df.pivot(index="value_1",
        columns="value_2", values="value")`` gives the grid as a matrix.

    Raises
    ------
    ScenarioError
        Unknown or derived names; p1 = p2 or in one Dirichlet row; n < 2; a bad range (:mod:`~econ.analysis.ranges`).

    Notes
    -----
    All n^2 rows (everything else at base) are evaluated in one vectorised :func:`econ.evaluate.evaluate` call.
    """
    check_grid(n)  # 2 <= n, n^2 within the draws cap
    r1 = _single(compiled, p1, level, need_range=range1 is None)
    r2 = _single(compiled, p2, level, need_range=range2 is None)
    if r1.name == r2.name:
        raise ScenarioError(Problem(f"the two parameters must differ (got '{p1}' twice)", None, "parameters"))
    if r1.component is not None and r1.parameter == r2.parameter:
        raise ScenarioError(Problem(f"'{p1}' and '{p2}' are components of the same Dirichlet row "
                                    f"'{r1.parameter}'; vary components of different rows", None, "parameters"))
    v1 = np.linspace(*given_range(compiled, r1, range1, "range1"), int(n))  # checked: low <= high, in support
    v2 = np.linspace(*given_range(compiled, r2, range2, "range2"), int(n))
    g1, g2 = (a.ravel() for a in np.meshgrid(v1, v2, indexing="ij"))
    spec = _output_spec(compiled, output)
    rows = np.arange(g1.size)
    cols = _base_columns(compiled, g1.size)
    _assign(compiled, cols, r1, rows, g1)
    _assign(compiled, cols, r2, rows, g2)
    y = _evaluate_output(compiled, cols, g1.size, spec)
    return pd.DataFrame({"parameter_1": r1.name, "value_1": g1, "parameter_2": r2.name, "value_2": g2,
                         "output": spec.text, "value": y})


@dataclass(frozen=True)
class ThresholdResult:
    """Where an output reaches a target as one parameter varies.

    Attributes
    ----------
    parameter, output : str
    target : float
    value : float
        The threshold: the lowest parameter value in the range at which the output equals the target.
    output_at_value : float
        The output evaluated at ``value`` (equal to ``target`` up to rounding).
    crossings : tuple of float
        Every threshold found (one per sign change of output - target on the scan grid), ascending.
    lo, hi : float
        The range searched.
    output_lo, output_hi : float
        The output at ``lo`` and ``hi``.
    base_value, base_output : float
        The parameter's base-case value and the output there.
    """

    parameter: str
    output: str
    target: float
    value: float
    output_at_value: float
    crossings: tuple
    lo: float
    hi: float
    output_lo: float
    output_hi: float
    base_value: float
    base_output: float


def threshold(compiled: CompiledScenario, parameter: str, output: str | None = None, *, target: float = 0.0,
              lo: float | None = None, hi: float | None = None, grid: int = THRESHOLD_GRID) -> ThresholdResult:
    """The value of a parameter at which an output equals a target (e.g. the break-even attribution).

    Parameters
    ----------
    compiled : CompiledScenario
    parameter : str
        Parameter name or Dirichlet component column (others in its row are rescaled; see
        :func:`parameter_ranges`).
    output : str, optional
        Named output (default: the first default output, e.g. ``net_cost:group``).
    target : float
        Value the output should reach (0: break-even).
    lo, hi : float, optional
        Range searched (default: the parameter's one-way range, see :func:`parameter_range`; give
        e.g. 0 and 1 for a share to search all of it).
    grid : int
        Points scanned for sign changes (>= 2), evaluated in one vectorised call.

    Returns
    -------
    ThresholdResult

    Raises
    ------
    ThresholdError
        The output does not reach the target in [lo, hi]; the message gives the output at both
        ends (and its smallest and largest value on the grid).
    ScenarioError
        Unknown or derived names; lo >= hi; a non-finite target.

    Notes
    -----
    With g(x) = output(x) - target, the grid x_0 = lo < ... < x_{grid-1} = hi is evaluated at once;
    each pair of neighbours with g(x_k) g(x_{k+1}) < 0 brackets a root, which
    ``scipy.optimize.brentq`` finds to ``xtol`` = 1e-15 max(|lo|, |hi|) (and ``rtol`` = 4 eps),
    evaluating one row per step. A grid point with g = 0 exactly is itself a threshold. Scanning
    a grid finds crossings of non-monotone outputs that the two ends alone would miss; crossings
    closer together than the grid spacing can still be missed.

    References
    ----------
    Brent R.P. (1973) Algorithms for Minimization without Derivatives, Prentice-Hall, chapter 4.
    """
    rng = _single(compiled, parameter, 0.95, need_range=lo is None or hi is None)
    spec = _output_spec(compiled, output)
    lo, hi = given_range(compiled, rng, None if lo is None and hi is None else (lo, hi), "range", strict=True)
    target, lo, hi = _threshold_bounds(rng, target, lo, hi, grid)
    xs = np.linspace(lo, hi, int(grid))
    cols = _base_columns(compiled, xs.size + 1)
    _assign(compiled, cols, rng, np.arange(1, xs.size + 1), xs)
    y = _evaluate_output(compiled, cols, xs.size + 1, spec)
    base_output, ys = float(y[0]), y[1:]

    def output_at(x: float) -> float:
        one = _base_columns(compiled, 1)
        _assign(compiled, one, rng, [0], [x])
        return float(_evaluate_output(compiled, one, 1, spec)[0])

    roots, jumps = _crossings(lambda x: output_at(x) - target, xs, ys - target, xtol=1e-15 * max(abs(lo), abs(hi)))
    if not roots:
        raise _no_threshold(spec, rng, target, lo, hi, ys, jumps)
    return ThresholdResult(parameter=rng.name, output=spec.text, target=target, value=roots[0],
                           output_at_value=output_at(roots[0]), crossings=tuple(roots), lo=lo, hi=hi,
                           output_lo=float(ys[0]), output_hi=float(ys[-1]), base_value=rng.base,
                           base_output=base_output)


def _threshold_bounds(rng: ParameterRange, target, lo, hi, grid) -> tuple[float, float, float]:
    """The checked target and range of :func:`threshold` (the range defaults to the one-way range)."""
    target = float(target)
    if not np.isfinite(target):
        raise ScenarioError(Problem(f"target must be a finite number (got {target})", None, "target"))
    lo = rng.low if lo is None else float(lo)
    hi = rng.high if hi is None else float(hi)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise ScenarioError(Problem(f"the range must have low < high (got {lo:g} to {hi:g})", None, "range"))
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)) or grid < 2:
        raise ScenarioError(Problem(f"the scan grid needs at least 2 points (got {grid!r})", None, "grid"))
    return target, lo, hi


def _crossings(f, xs: np.ndarray, g: np.ndarray, *, xtol: float) -> tuple[list[float], list[float]]:
    """Roots of ``f`` = output - target at grid points where ``g`` = f(xs) is 0 or by Brent's method in
    each sign change of ``g``, and the jumps (brackets where |f| stays large or f is NaN) apart."""
    from scipy.optimize import brentq

    roots, jumps = [], []  # float values of the parameter
    for k in range(xs.size):
        if g[k] == 0:
            roots.append(float(xs[k]))
        elif k + 1 < xs.size and np.isfinite(g[k]) and np.isfinite(g[k + 1]) and g[k] * g[k + 1] < 0:
            # Brent's method also converges on a jump through the target (an ICER whose incremental effect
            # passes through 0 changes sign through infinity, NaN at 0); there |g| stays large, or is NaN.
            try:
                x = float(brentq(f, xs[k], xs[k + 1], xtol=xtol, maxiter=500))
            except ValueError:  # the output is NaN somewhere inside the bracket
                jumps.append(float((xs[k] + xs[k + 1]) / 2))
                continue
            if abs(f(x)) <= 1e-6 * max(abs(g[k]), abs(g[k + 1])):
                roots.append(x)
            else:
                jumps.append(x)
    return roots, jumps


def _no_threshold(spec: OutputSpec, rng: ParameterRange, target: float, lo: float, hi: float, ys: np.ndarray,
                  jumps: list[float]) -> ThresholdError:
    """The error of a scan that found no threshold: the output at both ends, its spread and any jumps."""
    finite = ys[np.isfinite(ys)]
    spread = (f"; between them it ranges from {finite.min():,.6g} to {finite.max():,.6g} on a {ys.size}-point grid"
              if finite.size else "")
    jump = (f"; it jumps across the target without reaching it at {rng.name} = "
            + ", ".join(f"{x:.6g}" for x in jumps) + " (a discontinuity)" if jumps else "")
    return ThresholdError(Problem(
        f"{spec.text} does not reach {target:,.6g} for {rng.name} between {lo:,.6g} and {hi:,.6g}: it is "
        f"{ys[0]:,.6g} at {rng.name} = {lo:,.6g} and {ys[-1]:,.6g} at {rng.name} = {hi:,.6g}{spread}{jump}; "
        "widen the range or choose another target", None, "threshold"))
