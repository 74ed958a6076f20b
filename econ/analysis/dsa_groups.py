"""Grouped one-way sensitivity analysis: the members of a group of parameters varied together.

Groups come from the scenario's ``dsa_groups:`` block (default :data:`DEFAULT_GROUPS`). A member is a
parameter name, a pattern (``fnmatch``: ``*``, ``?``, ``[...]``) or a selector (``@unit_cost``,
``@service_use``, ``@service_use:<statistic>``). A parameter can be in one group only, except that a name written in
one group takes it out of a pattern or selector of another (``delivery: [c_psw_hour, ...]`` beside
``unit_costs: ['@unit_cost']``). Parameters in no group keep one row each, exactly as in
:func:`econ.analysis.dsa.oneway`.

How a group row is built
------------------------
*Parameters with ranges* (unit costs, delivery, engagement, persistence): every member at the low end
of its own range, then every member at the high end (the members' ranges as in
:func:`econ.analysis.dsa.parameter_ranges`).

*Service-use statistics* (bootstrap): the members are not moved to their separate percentiles, which
would break their joint correlation (a person who uses less of one service often uses less of others)
and describe no replicate that could occur. Instead, for each of the R joint bootstrap replicates r
the members take the values of replicate r together, all other parameters at base, and the output
y_r is evaluated (one vectorised call). The group's summary is that output: the row's low and high
ends are the replicates at the (1 - level)/2 and (1 + level)/2 empirical quantiles of y (order
statistics k = round(a (R - 1)) and R - 1 - k of the sorted y_r, ties broken by replicate order), so
the swing is the group's 95% bootstrap interval of the output, and each end is one coherent joint
replicate. A summary of the statistics themselves (e.g. the mean reduction) was not used: it would
weight a rare, costly service the same as a common, cheap one, and its percentiles need not be the
replicates that move the output most.
"""
from __future__ import annotations

import difflib
import fnmatch
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd

from econ.core.errors import Problem, ScenarioError
from econ.inputs.context import BootstrapStatistic
from econ.model.compile import CompiledScenario

#: Groups used when the scenario has no ``dsa_groups:`` block.
DEFAULT_GROUPS = {"service_use_reductions": ["@service_use:reduction"],
                  "service_use_baseline": ["@service_use:baseline"],
                  "unit_costs": ["@unit_cost"]}

SELECTORS = ("@unit_cost", "@service_use", "@service_use:<statistic>")


@dataclass(frozen=True)
class GroupRange:
    """One group of the grouped one-way analysis.

    Attributes
    ----------
    name : str
    members : tuple of ParameterRange
        The members' own ranges (for a bootstrap group, their marginal bootstrap intervals, not used).
    bootstrap : bool
        True when every member is a service-use statistic (the row uses joint replicates).
    """

    name: str
    members: tuple
    bootstrap: bool


def scenario_groups(compiled: CompiledScenario) -> tuple[dict, bool]:
    """The group declarations of a scenario and whether they were written (False: the defaults)."""
    declared = compiled.loaded.spec.dsa_groups
    return (DEFAULT_GROUPS, False) if declared is None else (declared, True)


def _selected(compiled: CompiledScenario, name: str, member: str) -> bool:
    spec = compiled.loaded.spec.parameters.get(name)
    if member == "@unit_cost":
        return getattr(spec, "unit_cost", None) is not None
    ref = getattr(spec, "service_use", None)
    if ref is None:
        return False
    return member == "@service_use" or member == f"@service_use:{ref.statistic}"


def _is_name(member: str) -> bool:
    return not member.startswith("@") and not any(ch in member for ch in "*?[")


def _members(compiled: CompiledScenario, group: str, i: int, member: str, names: list[str], explicit: bool,
             declared: bool) -> tuple[list[str], Problem | None]:
    """Candidate parameters a member matches, or the problem with it."""
    path = ("dsa_groups", group, i)
    problem = (lambda msg: compiled.loaded.problem(path, msg)) if declared else (lambda msg: Problem(msg))
    if member.startswith("@"):
        stat = member.partition(":")[2]
        if member not in ("@unit_cost", "@service_use") and not (member.startswith("@service_use:") and stat):
            return [], problem(f"unknown selector '{member}'; use {', '.join(SELECTORS)}")
        found = [n for n in names if _selected(compiled, n, member)]
    elif any(ch in member for ch in "*?["):
        found = fnmatch.filter(names, member)
    else:
        if member not in compiled.loaded.spec.parameters:
            close = difflib.get_close_matches(member, list(compiled.loaded.spec.parameters), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            return [], problem(f"unknown parameter '{member}'{hint}")
        if member not in names and not explicit:
            return [], problem(f"'{member}' is not varied in the one-way analysis (it is computed from other "
                               "parameters, or has no distribution and no range)")
        found = [member] if member in names else []
    if not found and declared and not explicit:
        return [], problem(f"'{member}' matches no parameter varied in the one-way analysis")
    return found, None


def group_ranges(compiled: CompiledScenario, parameters: Sequence[str] | None = None, *,
                 level: float = 0.95) -> tuple[list[GroupRange], list]:
    """The groups of the scenario and the ranges of the parameters in no group.

    Parameters
    ----------
    compiled : CompiledScenario
    parameters : sequence of str, optional
        Restrict the analysis to these parameters (groups keep only these members; an empty group is
        left out). Default: every parameter :func:`econ.analysis.dsa.parameter_ranges` varies.
    level : float
        Interval level for ranges taken from distributions.

    Returns
    -------
    (list of GroupRange, list of ParameterRange)
        Non-empty groups in declaration order; the ungrouped ranges in scenario order.

    Raises
    ------
    ScenarioError
        An unknown name or selector, a declared member that matches nothing, a parameter in two groups,
        a group mixing service-use statistics with other parameters, a Dirichlet component in a group
        (all problems together, each naming ``dsa_groups.<group>[i]``).
    """
    from econ.analysis.dsa import parameter_ranges

    ranges = parameter_ranges(compiled, parameters, level=level)
    names = list(dict.fromkeys(r.parameter for r in ranges))
    declared_groups, declared = scenario_groups(compiled)
    owner: dict[str, str] = {}
    problems: list[Problem] = []
    for by_name in (True, False):  # names first: a name written in one group beats a pattern in another
        for group, members in declared_groups.items():
            for i, member in enumerate(members):
                if _is_name(member) != by_name:
                    continue
                found, problem = _members(compiled, group, i, member, names, parameters is not None, declared)
                if problem is not None:
                    problems.append(problem)
                for name in found:
                    if by_name or owner.get(name, group) == group or name not in named:
                        if owner.setdefault(name, group) != group:
                            path = ("dsa_groups", group, i)
                            msg = f"'{name}' is already in group '{owner[name]}'; a parameter can be in one group only"
                            problems.append(compiled.loaded.problem(path, msg) if declared else Problem(msg))
        named = set(owner)
    groups = []
    for group in declared_groups:
        members = tuple(r for r in ranges if owner.get(r.parameter) == group)
        if not members:
            continue
        kinds = {isinstance(compiled.parameters[r.parameter].distribution, BootstrapStatistic) for r in members}
        path = ("dsa_groups", group)
        if len(kinds) > 1:
            msg = "mixes service-use statistics (joint bootstrap) with other parameters; put them in separate groups"
            problems.append(compiled.loaded.problem(path, msg) if declared else Problem(msg))
        if any(r.component is not None for r in members):
            msg = "holds a Dirichlet component; vary a Dirichlet row on its own (ungrouped)"
            problems.append(compiled.loaded.problem(path, msg) if declared else Problem(msg))
        groups.append(GroupRange(group, members, kinds == {True}))
    if problems:
        raise ScenarioError(problems)
    return groups, [r for r in ranges if r.parameter not in owner]


def _bootstrap_ends(compiled: CompiledScenario, group: GroupRange, spec, level: float) -> tuple[int, int, int]:
    """Replicates at the low and high quantile of the output over the group's joint replicates, and R."""
    from econ.analysis.dsa import _base_columns, _evaluate_output

    reps = {r.name: compiled.parameters[r.parameter].distribution.replicates for r in group.members}
    n = len(next(iter(reps.values())))
    cols = _base_columns(compiled, n)
    for name, values in reps.items():
        cols[name][:] = values
    y = _evaluate_output(compiled, cols, n, spec)
    order = np.argsort(y, kind="stable")
    k = int(round((1 - level) / 2 * (n - 1)))
    return int(order[k]), int(order[n - 1 - k]), n


def grouped_oneway(compiled: CompiledScenario, output: str | None = None, *,
                   parameters: Sequence[str] | None = None, level: float = 0.95) -> pd.DataFrame:
    """One-way analysis with the scenario's groups varied together (one tornado row per group).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`econ.analysis.dsa.oneway` plus ``members`` (the columns varied in the
        row, comma-separated) and ``n_members``. For a group row ``parameter`` is the group's name and
        ``base_value``/``low_value``/``high_value`` are NaN (the members have values of their own);
        ``range_source`` says ``group: members at their low/high`` or names the two joint bootstrap
        replicates. Ordered by swing, largest first.

    Notes
    -----
    All rows are evaluated in one vectorised call after one call per bootstrap group (its R
    replicates); row 0 is the base case. See the module docstring for how the rows are built.
    """
    from econ.analysis.dsa import _assign, _base_columns, _evaluate_output, _output_spec

    spec = _output_spec(compiled, output)
    groups, single = group_ranges(compiled, parameters, level=level)
    n = 1 + 2 * (len(groups) + len(single))
    cols = _base_columns(compiled, n)
    labels, sources, members = [], [], []
    for g, group in enumerate(groups):
        rows = (1 + 2 * g, 2 + 2 * g)
        if group.bootstrap:
            lo, hi, n_rep = _bootstrap_ends(compiled, group, spec, level)
            for r in group.members:
                reps = compiled.parameters[r.parameter].distribution.replicates
                cols[r.name][list(rows)] = [reps[lo], reps[hi]]
            sources.append(f"group: joint bootstrap replicates {lo} and {hi} ({(1 - level) / 2:.1%} and "
                           f"{(1 + level) / 2:.1%} points of the output over {n_rep} replicates)")
        else:
            for r in group.members:
                _assign(compiled, cols, r, list(rows), [r.low, r.high])
            sources.append("group: members at their low/high")
        labels.append(group.name)
        members.append(", ".join(r.name for r in group.members))
    offset = 1 + 2 * len(groups)
    for j, r in enumerate(single):
        _assign(compiled, cols, r, [offset + 2 * j, offset + 2 * j + 1], [r.low, r.high])
    y = _evaluate_output(compiled, cols, n, spec)
    lo, hi = y[1::2], y[2::2]
    nan = [np.nan] * len(groups)
    df = pd.DataFrame({
        "output": spec.text,
        "parameter": labels + [r.name for r in single],
        "base_value": nan + [r.base for r in single],
        "low_value": nan + [r.low for r in single],
        "high_value": nan + [r.high for r in single],
        "output_low": lo,
        "output_high": hi,
        "swing": np.abs(hi - lo),
        "base": float(y[0]),
        "range_source": sources + [r.source for r in single],
        "members": members + [r.name for r in single],
        "n_members": [len(g.members) for g in groups] + [1] * len(single),
    })
    return df.sort_values("swing", ascending=False, kind="stable", na_position="last").reset_index(drop=True)
