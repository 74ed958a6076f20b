"""Model parameters: each with a point value, an optional distribution and a source; tables of draws.

A *ParameterSet* is built once from a scenario. *Independent* parameters (numbers and
distributions) become the columns of a *ParameterTable* (one row per draw); *derived*
parameters (expressions of other parameters) are evaluated inside the engine, per strategy,
because a strategy may override a name they depend on.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from econ.core.errors import DataError, Problem, ScenarioError
from econ.scenario.expressions import (BUILTIN_VARIABLES, RESERVED_WORDS, Expression, ExpressionError, parse_expression,
                                       reserved_word_message)


@dataclass(frozen=True)
class Parameter:
    """One named parameter.

    Attributes
    ----------
    name : str
    point : float or None
        Base-case value of an independent parameter (None for derived ones).
    expression : Expression or None
        For derived parameters: how the value is computed from others.
    distribution : object or None
        A distribution from :mod:`econ.uncertainty.distributions` (None: fixed at ``point``).
    components : tuple of str
        Column names a multivariate (Dirichlet) parameter fills, else ``(name,)``.
    source, description, unit, group : str
    low, high : float or None
        One-way sensitivity range given in the scenario (or, for a unit cost, by its table).
    range_source : str
        Where ``low``/``high`` came from when not from the scenario's ``dsa_range`` (e.g. the unit-cost table).
    range_distribution : object or None
        A distribution whose interval is the one-way range of a parameter fixed in the PSA (a unit
        cost under ``unit_cost_uncertainty: fixed`` without a table range).
    origin : str
        ``file:line:col: key.path`` where the parameter was written.
    """

    name: str
    point: Any = None
    expression: Expression | None = None
    distribution: Any = None
    components: tuple = ()
    source: str = ""
    description: str = ""
    unit: str = ""
    group: str | None = None
    low: float | None = None
    high: float | None = None
    origin: str = ""
    range_source: str = ""
    range_distribution: Any = None
    family: str = ""  # for a member of an indexed parameter: its template (e.g. c_{service})
    member: str = ""  # ... and the member

    @property
    def is_derived(self) -> bool:
        return self.expression is not None

    @property
    def is_uncertain(self) -> bool:
        return self.distribution is not None and getattr(self.distribution, "name", "") != "fixed"


@dataclass(frozen=True)
class ParameterSet:
    """All parameters of a scenario, in the order written."""

    parameters: dict = field(default_factory=dict)
    families: tuple = ()  # econ.model.indexed.Family: indexed expressions, evaluated over a members axis

    def __getitem__(self, name: str) -> Parameter:
        return self.parameters[name]

    def __contains__(self, name: str) -> bool:
        return name in self.parameters or name in self.columns

    @property
    def independent(self) -> list[Parameter]:
        return [p for p in self.parameters.values() if not p.is_derived]

    @property
    def uncertain(self) -> list[Parameter]:
        return [p for p in self.parameters.values() if p.is_uncertain]

    @property
    def derived(self) -> list[Parameter]:
        return [p for p in self.parameters.values() if p.is_derived]

    @property
    def columns(self) -> list[str]:
        """Column names of a ParameterTable for this set (Dirichlet components expanded)."""
        out = []
        for p in self.independent:
            out.extend(p.components)
        return out

    def point_table(self) -> "ParameterTable":
        """A one-draw table of base-case values."""
        cols = {}
        for p in self.independent:
            values = np.atleast_1d(np.asarray(p.point, dtype=float))
            for name, v in zip(p.components, values):
                cols[name] = np.array([v])
        return ParameterTable(cols, 1)


@dataclass(frozen=True)
class ParameterTable:
    """Draws x parameters: ``columns[name]`` is a float array of length ``n_draws``."""

    columns: dict
    n_draws: int

    def slice(self, start: int, stop: int) -> "ParameterTable":
        return ParameterTable({k: v[start:stop] for k, v in self.columns.items()}, min(stop, self.n_draws) - start)

    def with_values(self, **values: Any) -> "ParameterTable":
        """A copy with some columns replaced (scalars are broadcast to every draw)."""
        cols = dict(self.columns)
        for k, v in values.items():
            if k not in cols:
                raise KeyError(f"no parameter column '{k}'")
            cols[k] = np.broadcast_to(np.asarray(v, dtype=float), (self.n_draws,)).copy()
        return ParameterTable(cols, self.n_draws)

    def to_frame(self):
        import pandas as pd

        df = pd.DataFrame(self.columns)
        df.index.name = "draw"
        return df


def _loc(loaded, path) -> str:
    loc = loaded.location(*path)
    from econ.scenario.source import format_key_path

    return f"{loc}: {format_key_path(path)}" if loc else format_key_path(path)


def build_parameters(loaded, context=None) -> ParameterSet:
    """Build the ParameterSet of a loaded scenario.

    Parameters
    ----------
    loaded : LoadedScenario
    context : DataContext, optional
        Tables for parameters that name a unit cost, a service-use statistic or an informal-care
        rate (default: a new context for ``loaded``, loaded only if such a parameter exists).

    Returns
    -------
    ParameterSet

    Raises
    ------
    ScenarioError
        Bad expressions, bad distribution specifications, names clashing with built-in variables,
        unknown names or circular definitions among derived parameters (all reported together).
    """
    problems: list[Problem] = []
    params: dict[str, Parameter] = {}
    families: list = []
    prebuilt, context = _effect_inputs(loaded, context, problems)
    for name, entry in loaded.spec.parameters.items():
        if name in prebuilt:
            params[name] = prebuilt[name]
            continue
        if "{" in name:
            from econ.model.indexed_parameters import build_family

            fam, members = build_family(loaded, name, entry, problems)
            if fam is not None:
                families.append(fam)
                params.update(members)
            continue
        param, context = _build_parameter(loaded, name, entry, context, problems)
        if param is not None:
            params[name] = param
    if loaded.spec.effect is not None and not problems:
        _add_effect_parameters(loaded, params, problems)
        if context is not None and context.effect_inputs:
            from econ.model.effect import attach_dependents

            attach_dependents(loaded, context, params)

    # Names of Dirichlet components must not clash with other parameters.
    seen = set(params)
    for p in params.values():
        for c in p.components:
            if c != p.name and c in seen:
                problems.append(loaded.problem(("parameters", p.name),
                                               f"component '{c}' clashes with a parameter of the same name"))
    if problems:
        raise ScenarioError(problems)
    pset = ParameterSet(params, tuple(families))
    _check_derived(pset, loaded)
    return pset


_SKIP = object()  # an entry already reported as a problem


def _effect_inputs(loaded, context, problems: list):
    """Parameters the ``effect`` block uses as rho or population ratio, built first (drawn jointly with the
    bootstrap, see :mod:`econ.model.effect`), and the data context with their values set."""
    from econ.model import effect

    if loaded.spec.effect is None:
        return {}, context
    found = effect.effect_problems(loaded)
    problems.extend(found)
    if found:
        return {}, context
    if context is None:
        from econ.inputs.context import DataContext

        context = DataContext(loaded)
    prebuilt = {}
    n_boot = int(loaded.spec.data.bootstrap_replicates)
    for name in effect.input_names(loaded.spec):
        param, context = _build_parameter(loaded, name, loaded.spec.parameters[name], context, problems)
        if param is not None:
            prebuilt[name] = effect.joint_parameter(loaded, param, n_boot, problems)
    if loaded.spec.effect.estimator == "rtm_adjusted" and not problems and loaded.spec.data.service_use:
        try:
            context.effect_inputs = effect.rtm_inputs(loaded, context, prebuilt, problems)
        except (ScenarioError, DataError) as exc:
            problems.extend(exc.problems)
    problems.extend(effect.data_option_problems(loaded))  # after the effect inputs: no errors that follow from it
    return prebuilt, context


def _add_effect_parameters(loaded, params: dict, problems: list) -> None:
    """The derived parameters of time the ``effect`` block defines (``effect_persistence``, ...)."""
    from econ.model.effect import effect_expressions

    origin = _loc(loaded, ("effect",))
    for name, text in effect_expressions(loaded.spec).items():
        try:
            expr = parse_expression(text)
        except ExpressionError as exc:  # a bad parameter name was reported by effect_problems
            problems.append(loaded.problem(("effect",), f"{exc.message} in '{text}'"))
            continue
        meta = dict(origin=origin, source=f"effect block ({loaded.spec.effect.estimator}, follow-up "
                                          f"{loaded.spec.effect.follow_up_months:g} months, persistence "
                                          f"{loaded.spec.effect.persistence})")
        params[name] = Parameter(name, expression=expr, **meta)  # derived even when constant: no table column


def _build_parameter(loaded, name, entry, context, problems: list):
    """One scenario parameter as a :class:`Parameter` (None if it has problems, which are appended).

    Returns the parameter and the data context (created here the first time a table is needed).
    """
    from econ.scenario.schema import ParameterSpec

    path = ("parameters", name)
    if name in BUILTIN_VARIABLES or name in cohort_variables(loaded):
        problems.append(loaded.problem(path, f"'{name}' is a built-in variable; choose another name"))
        return None, context
    if name in RESERVED_WORDS:
        problems.append(loaded.problem(path, reserved_word_message(name)))
        return None, context
    meta: dict = {}
    value = entry
    dist = None
    if isinstance(entry, ParameterSpec) and entry.lookup is not None:
        from econ.model.lookup import build_lookup

        expr = build_lookup(loaded, name, entry, _loc(loaded, path), problems)
        if expr is None:
            return None, context
        return Parameter(name, expression=expr, origin=_loc(loaded, path), source=entry.source or expr.table.describe(),
                         description=entry.description, unit=entry.unit, group=entry.group), context
    if isinstance(entry, ParameterSpec):
        got, context = _spec_value(loaded, name, entry, context, problems)
        if got is _SKIP:
            return None, context
        value, dist, meta = got
    origin = _loc(loaded, path)
    if isinstance(value, str):
        try:
            if "{" in value:
                from econ.model.indexed_parameters import scalar_expression_text

                value = scalar_expression_text(loaded, value)
            expr = parse_expression(value)
        except ExpressionError as exc:
            problems.append(loaded.problem(path + (("value",) if isinstance(entry, ParameterSpec) else ()),
                                           f"{exc.message} in '{value}'"))
            return None, context
        if expr.constant is not None:
            return Parameter(name, point=expr.constant, components=(name,), origin=origin, **meta), context
        return Parameter(name, expression=expr, origin=origin, **meta), context
    if dist is not None and getattr(dist, "dimension", 1) > 1:
        comps = tuple(f"{name}_{c}" for c in dist.component_names)
        point = np.asarray(value, dtype=float)
        return Parameter(name, point=point, distribution=dist, components=comps, origin=origin, **meta), context
    v = float(value)
    if not np.isfinite(v):
        problems.append(loaded.problem(path, f"must be a finite number (got {value})"))
        return None, context
    return Parameter(name, point=v, distribution=dist, components=(name,), origin=origin, **meta), context


def _spec_value(loaded, name, entry, context, problems: list):
    """(value, distribution, metadata) of a full parameter entry, or _SKIP; and the data context."""
    from econ.model.table_parameters import resolve_table_parameter

    path = ("parameters", name)
    low, high = entry.dsa_range if entry.dsa_range is not None else (None, None)
    meta = dict(source=entry.source, description=entry.description, unit=entry.unit, group=entry.group,
                low=low, high=high)
    value = entry.value
    dist = None
    if any(getattr(entry, k) is not None for k in ("unit_cost", "service_use", "informal_care_rate", "outcome_value")):
        if context is None:
            from econ.inputs.context import DataContext

            context = DataContext(loaded)
        try:
            value, dist, extra = resolve_table_parameter(context, name, entry)
        except (ScenarioError, DataError) as exc:
            problems.extend(p for p in exc.problems if p not in problems)  # a table error once, not per parameter
            return _SKIP, context
        for k, v in extra.items():
            if not meta.get(k):
                meta[k] = v
    if entry.dist is not None:
        got = _spec_distribution(loaded, path, entry, value, problems)
        if got is _SKIP:
            return _SKIP, context
        value, dist = got
    if any(end is not None and not math.isfinite(end) for end in (low, high)):
        problems.append(loaded.problem(path + ("dsa_range",), f"low and high must be finite numbers (got [{low}, "
                                                              f"{high}])"))
    elif low is not None and high is not None and low > high:
        problems.append(loaded.problem(path + ("dsa_range",), f"low ({low}) is above high ({high})"))
    return (value, dist, meta), context


def _spec_distribution(loaded, path, entry, value, problems: list):
    """(point value, distribution) of an entry with ``dist``, or _SKIP after reporting a problem."""
    from econ.scenario.schema import ParameterSpec
    from econ.uncertainty.distributions import DistributionSpecError, make_distribution, point_value

    spec = {"dist": entry.dist, **(entry.model_extra or {})}
    if entry.dist == "fixed" and entry.value is not None:
        spec["value"] = entry.value
    try:
        dist = make_distribution(spec)
    except DistributionSpecError as exc:
        key = getattr(exc, "key", None)
        kp = path + ((key,) if key and key in spec else ())
        msg = str(exc)
        if key and msg.startswith(f"{key}: "):
            msg = msg[len(key) + 2:]
        if key and "has no key" in msg and "did you mean" not in msg:
            import difflib

            close = difflib.get_close_matches(key, list(ParameterSpec.model_fields), n=1)
            if close:
                msg += f"; did you mean {close[0]!r} (a key of the parameter, not of the distribution)?"
        problems.append(loaded.problem(kp, msg))
        return _SKIP
    if isinstance(value, str):
        problems.append(loaded.problem(path + ("value",),
                                       f"a parameter with a distribution needs a numeric value (got '{value}')"))
        return _SKIP
    try:  # checks an explicit value against the distribution's support too
        value = point_value({**spec, **({} if value is None else {"value": value})})
    except DistributionSpecError as exc:
        problems.append(loaded.problem(path + ("value",), str(exc).removeprefix("value: ")))
        return _SKIP
    return value, dist


def _check_derived(pset: ParameterSet, loaded) -> None:
    known = set(pset.columns) | {p.name for p in pset.derived} | set(BUILTIN_VARIABLES) | cohort_variables(loaded)
    local: set = set()
    from econ.model.indexed_parameters import local_names

    for s in loaded.spec.strategies.values():
        local |= local_names(loaded, s)
    problems = []
    for p in pset.derived:
        unknown = sorted(p.expression.names - known - local)
        if unknown:
            problems.append(loaded.problem(("parameters", p.name), _unknown_names_message(unknown, known)))
    if problems:
        raise ScenarioError(problems)
    order_derived({p.name: p.expression for p in pset.derived}, loaded=loaded)


def cohort_variables(loaded) -> set:
    """Built-in variables the cohort's settings provide: ``age`` when ``settings.start_age`` is given."""
    return {"age"} if loaded.spec.settings.start_age is not None else set()


def _unknown_names_message(unknown: list, known: set) -> str:
    import difflib

    parts = []
    for u in unknown:
        close = difflib.get_close_matches(u, sorted(known), n=2)
        parts.append(f"'{u}'" + (f" (did you mean {' or '.join(close)}?)" if close else ""))
    return "unknown name " + ", ".join(parts) + ": not a parameter or built-in variable"


def order_derived(exprs: Mapping[str, Expression], *, loaded=None) -> list[str]:
    """Order derived parameters so each comes after the ones it reads (topological sort).

    Raises ScenarioError naming the cycle if definitions are circular.
    """
    order: list[str] = []
    state: dict[str, int] = {}

    def visit(name: str, stack: list[str]) -> None:
        s = state.get(name, 0)
        if s == 2:
            return
        if s == 1:
            cycle = stack[stack.index(name):] + [name]
            msg = "circular definition: " + " -> ".join(cycle)
            if loaded is not None:
                raise ScenarioError(loaded.problem(("parameters", name), msg))
            raise ScenarioError(msg)
        state[name] = 1
        for dep in sorted(exprs[name].names):
            if dep in exprs:
                visit(dep, stack + [name])
        state[name] = 2
        order.append(name)

    for name in exprs:
        visit(name, [])
    return order


def assign_linked(pset, name: str, cols: dict, rows, values) -> None:
    """In ``cols`` (rows ``rows``), set the columns that move with parameter ``name`` set to ``values`` when it
    is varied alone: for a rho or population ratio of the effect block, the effect statistics computed
    with it (nothing for other parameters)."""
    linked = getattr(pset[name].distribution, "dependents", None)
    for column, moved in (linked(values) if linked is not None else {}).items():
        cols[column][rows] = moved
