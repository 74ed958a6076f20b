"""Named model outputs for sensitivity analyses: one number per draw, e.g. the net cost of group support.

Grammar (used on the command line and in scenario files)::

    <value>:<strategy>                 discounted total of a value or total, e.g. total_cost:comb
    inc_<value>:<strategy>             the same minus the reference strategy, e.g. inc_ly:comb
    icer:<strategy>                    incremental cost / incremental effect (needs an 'icer' block)
    <measure>[@<perspective>]:<strategy>
                                       cost-offset measures (needs a 'cost_offset' block):
                                       delivery_cost, cost_offset, net_cost, roi; the perspective
                                       defaults to the first of cost_offset.perspectives

Append ``~u`` for the undiscounted figure, e.g. ``net_cost:group~u``.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

import numpy as np

from econ.core.errors import Problem, ScenarioError
from econ.model.evaluate import Evaluation
from econ.model.compile import CompiledScenario
from econ.scenario.schema import PERSPECTIVES

OFFSET_MEASURES = ("delivery_cost", "cost_offset", "net_cost", "roi")
_PATTERN = re.compile(r"^(?P<what>[A-Za-z_][A-Za-z0-9_]*)(?:@(?P<persp>[a-z_]+))?:(?P<strategy>[A-Za-z][A-Za-z0-9_]*)"
                      r"(?P<undisc>~u)?$")


@dataclass(frozen=True)
class OutputSpec:
    """A parsed output name."""

    text: str
    kind: str  # "value", "incremental", "icer", "offset"
    name: str  # value/total name, or offset measure
    strategy: str
    perspective: str | None = None
    discounted: bool = True


def parse_output(compiled: CompiledScenario, text: str) -> OutputSpec:
    """Parse and check an output name against the scenario.

    Raises
    ------
    ScenarioError
        Unknown value, strategy, perspective or measure (with suggestions).
    """
    where = f"output '{text}'"
    m = _PATTERN.match(text.strip())
    if not m:
        raise ScenarioError(Problem("expected <value>:<strategy>, inc_<value>:<strategy>, icer:<strategy> or "
                                    "<measure>[@perspective]:<strategy> (e.g. net_cost:group)", None, where))
    what, persp, strategy, undisc = m.group("what"), m.group("persp"), m.group("strategy"), m.group("undisc")
    strategies = compiled.model.strategy_names
    if strategy not in strategies:
        close = difflib.get_close_matches(strategy, strategies, n=2)
        raise ScenarioError(Problem(f"unknown strategy '{strategy}'" + (f"; did you mean {' or '.join(close)}?" if close
                                    else f"; strategies: {', '.join(strategies)}"), None, where))
    outputs = compiled.output_names
    disc = undisc is None
    if what in OFFSET_MEASURES:
        co = compiled.loaded.spec.cost_offset
        if co is None:
            raise ScenarioError(Problem(f"'{what}' needs a cost_offset block in the scenario", None, where))
        persp = persp or co.perspectives[0]
        if persp not in PERSPECTIVES:
            raise ScenarioError(Problem(f"unknown perspective '{persp}'; perspectives: {', '.join(PERSPECTIVES)}",
                                        None, where))
        return OutputSpec(text, "offset", what, strategy, persp, disc)
    if persp is not None:
        raise ScenarioError(Problem(f"a perspective (@{persp}) applies only to {', '.join(OFFSET_MEASURES)}", None, where))
    if what == "icer":
        if compiled.icer is None:
            raise ScenarioError(Problem("'icer' needs an icer block (cost and effect) in the scenario", None, where))
        return OutputSpec(text, "icer", "icer", strategy, None, disc)
    kind, name = ("incremental", what[4:]) if what.startswith("inc_") and what[4:] in outputs else ("value", what)
    if name not in outputs:
        options = outputs + [f"inc_{o}" for o in outputs] + list(OFFSET_MEASURES) + (["icer"] if compiled.icer else [])
        close = difflib.get_close_matches(what, options, n=3)
        raise ScenarioError(Problem(f"unknown output '{what}'" + (f"; did you mean {', '.join(close)}?" if close else
                                    f"; values: {', '.join(outputs)}"), None, where))
    return OutputSpec(text, kind, name, strategy, None, disc)


def output_values(compiled: CompiledScenario, ev: Evaluation, spec: OutputSpec) -> np.ndarray:
    """The output for every draw of an evaluation, shape (draws,)."""
    k = ev.strategies.index(spec.strategy)
    ref = ev.strategies.index(compiled.reference)
    tot = ev.totals if spec.discounted else ev.totals_undiscounted
    if spec.kind == "value":
        return tot[:, k, ev.outputs.index(spec.name)].copy()
    if spec.kind == "incremental":
        j = ev.outputs.index(spec.name)
        return tot[:, k, j] - tot[:, ref, j]
    if spec.kind == "icer":
        cost, effect = compiled.icer
        dc = tot[:, k, ev.outputs.index(cost)] - tot[:, ref, ev.outputs.index(cost)]
        de = tot[:, k, ev.outputs.index(effect)] - tot[:, ref, ev.outputs.index(effect)]
        with np.errstate(divide="ignore", invalid="ignore"):
            return np.where(de != 0, dc / np.where(de != 0, de, 1.0), np.nan)
    from econ.analysis.offset import measures

    return measures(compiled, ev, spec.perspective, discounted=spec.discounted)[spec.name][:, k]


def default_outputs(compiled: CompiledScenario) -> list[str]:
    """Outputs analysed when none are named: net cost (cost-offset scenarios) or the ICER, per strategy."""
    others = [s for s in compiled.model.strategy_names if s != compiled.reference]
    if compiled.loaded.spec.cost_offset is not None:
        return [f"net_cost:{s}" for s in others]
    if compiled.icer is not None:
        return [f"inc_{compiled.icer[0]}:{s}" for s in others]
    return [f"{compiled.output_names[0]}:{s}" for s in compiled.model.strategy_names]
