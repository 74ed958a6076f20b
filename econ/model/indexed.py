"""Indexed expressions evaluated over a members axis (see :mod:`econ.scenario.dimensions`).

An indexed expression such as ``m_{service}: c_{service} * u_{service} * area_factor`` is evaluated
once for all members: each reference ``c_{service}`` is the stack of the members' values, an array of
shape (members, draws, 1) (or (members, draws, cycles) when it changes with time), and scalar
parameters, (draws, 1), broadcast against it. The result's rows are the members' values
(``m_gp_surgery`` is row 0, ...). So a dimension is an array axis of the evaluation, not a loop over
names, while every member keeps its own name, column of draws, distribution and source.

The same model is also written member by member (``Parameter.expression`` of each element, with
sums written out): the engine evaluates the plan built here (:attr:`StrategyModel.plan`), the
spreadsheet export and the reports read the member-by-member form, and tests check that the two
give the same numbers.

Nodes of a plan have the two members of :class:`~econ.scenario.expressions.Expression` the engine
uses: ``names`` (what they read, for ordering) and ``evaluate(env)``.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.scenario.dimensions import unmangle
from econ.scenario.expressions import Expression

_TIME = frozenset({"cycle", "time"})


@dataclass(frozen=True)
class Family:
    """An indexed expression of a scenario: ``template`` over the members of dimension ``dim``."""

    template: str  # e.g. m_{service}
    dim: str
    members: tuple
    elements: tuple  # element names, one per member
    vector: Expression | None  # the expression over stacked references; None if it cannot be vectorised
    origin: str = ""


@dataclass(frozen=True)
class StackNode:
    """The members' values of an indexed reference, stacked on a new first axis."""

    elements: tuple
    names: frozenset
    text: str = ""

    def evaluate(self, env) -> np.ndarray:
        arrays = [np.asarray(env[e], dtype=float) for e in self.elements]
        if all(a.ndim == 2 and a.shape == arrays[0].shape for a in arrays):
            return np.stack(arrays)
        shape = np.broadcast_shapes((1, 1), *(a.shape for a in arrays))
        out = np.empty((len(arrays),) + shape)
        for i, a in enumerate(arrays):
            out[i] = a
        return out


@dataclass(frozen=True)
class FamilyNode:
    """An indexed expression evaluated for every member at once: shape (members, draws, cycles or 1)."""

    expr: Expression
    n_members: int
    names: frozenset
    text: str = ""

    def evaluate(self, env) -> np.ndarray:
        r = np.asarray(self.expr.evaluate(env), dtype=float)
        if r.ndim < 3:  # no indexed reference (a constant, or scalars only): the same for every member
            r = r.reshape((1,) * (2 - r.ndim) + r.shape)
            r = np.broadcast_to(r, (self.n_members,) + r.shape)
        return r


@dataclass(frozen=True)
class AliasNode:
    """A stacked reference that is exactly an evaluated family (no copy)."""

    family: str
    names: frozenset
    text: str = ""

    def evaluate(self, env) -> np.ndarray:
        return env[self.family]


@dataclass(frozen=True)
class MemberNode:
    """One member's row of an evaluated :class:`FamilyNode` (its ``text`` is the member's own expression)."""

    family: str
    index: int
    names: frozenset
    text: str = ""

    def evaluate(self, env) -> np.ndarray:
        return env[self.family][self.index]


def _time_names(expr) -> frozenset:
    return frozenset(expr.names) & _TIME


def build_plan(exprs: dict, families: list, owner: dict, dims: dict, columns) -> tuple:
    """The engine's evaluation plan for one strategy: ((name, node), ...) in dependency order.

    Parameters
    ----------
    exprs : dict
        name -> Expression: every derived parameter of the strategy written member by member
        (globals, with the strategy's own names overriding), as they could be evaluated one by one.
    families : list of (node name, Family)
        Indexed expressions (global ones, then the strategy's own).
    owner : dict
        Member name -> node name of the family whose row it is (a member overridden by a name of its
        own is absent and keeps its expression in ``exprs``).
    dims : dict
        Dimension objects by name.
    columns : set
        Names of the parameter table's columns.

    A family whose stacked references would need a name that does not exist (a member defined
    only by its own entry) is left member by member.
    """
    from econ.model.parameters import order_derived

    plan: dict = dict(exprs)
    available = set(columns) | set(exprs)
    for node_name, fam in families:
        rows = [i for i, e in enumerate(fam.elements) if owner.get(e) == node_name]
        if fam.vector is None or not rows or not _stackable(fam.vector, dims, available):
            continue
        plan[node_name] = FamilyNode(fam.vector, len(fam.members), frozenset(fam.vector.names), fam.vector.text)
        for i in rows:
            e = fam.elements[i]
            plan[e] = MemberNode(node_name, i, frozenset({node_name}) | _time_names(exprs[e]), exprs[e].text)
    stacks: dict = {}
    pending = [n for node in plan.values() for n in node.names]
    while pending:
        n = pending.pop()
        parts = unmangle(n)
        if parts is None or n in stacks or n in plan:
            continue
        elements = _stack_elements(parts, dims)
        whole = _whole_family(plan, elements)
        if whole is not None:  # the rows of one evaluated family, in order: use it as it is
            stacks[n] = AliasNode(whole, frozenset({whole}) | frozenset(plan[whole].names) & _TIME, n)
            continue
        time = frozenset().union(*(_time_names(plan[e]) for e in elements if e in plan))
        stacks[n] = StackNode(elements, frozenset(elements) | time, n)
    plan.update(stacks)
    order = order_derived(plan, loaded=None)
    return tuple((n, plan[n]) for n in order)


def _whole_family(plan, elements) -> str | None:
    """The family node whose rows 0, 1, ... are exactly ``elements``, else None."""
    first = plan.get(elements[0])
    if not isinstance(first, MemberNode):
        return None
    fam = first.family
    if plan[fam].n_members != len(elements):
        return None
    for i, e in enumerate(elements):
        node = plan.get(e)
        if not (isinstance(node, MemberNode) and node.family == fam and node.index == i):
            return None
    return fam


def _stack_elements(parts, dims) -> tuple:
    prefix, d, suffix = parts
    return tuple(f"{prefix}{m}{suffix}" for m in dims[d].members)


def _stackable(expr, dims, available) -> bool:
    for n in expr.names:
        parts = unmangle(n)
        if parts is not None and not all(e in available for e in _stack_elements(parts, dims)):
            return False
    return True
