"""One source of truth for the number of people: the headline's population against the budget's intake."""
from __future__ import annotations

from econ.scenario.schema import ParameterSpec, Scenario
from econ.core.errors import Problem
from econ.scenario.source import Positions


def population_point(spec: Scenario, name: str | None = None) -> float | None:
    """The number of people of ``cost_offset.population`` (or of the parameter ``name``) when it is
    written as a number (or a mapping whose ``value``, else ``mean``, is one); None otherwise."""
    if name is None:
        name = spec.cost_offset.population if spec.cost_offset is not None else None
    entry = spec.parameters.get(name) if name else None
    if isinstance(entry, ParameterSpec):
        entry = entry.value if entry.value is not None else (entry.model_extra or {}).get("mean")
    return float(entry) if isinstance(entry, (int, float)) and not isinstance(entry, bool) else None


def _budget_people(spec: Scenario, positions: Positions) -> tuple[float, str] | None:
    """The people the budget refers at the point values, and where that is written: the intake
    schedule's counts, or the eligible population x the sum of the uptake shares; None when neither
    is given as numbers."""
    budget = spec.budget
    if budget.intake is not None:
        where = positions.of(("budget", "intake", "counts"))
        return float(sum(budget.intake.counts)), f"the intake schedule (budget.intake.counts{f' at {where}' if where else ''})"
    if budget.eligible is not None and budget.uptake is not None:
        eligible = population_point(spec, budget.eligible)
        if eligible is None:
            return None
        where = positions.of(("budget", "uptake", "shares"))
        return (eligible * float(sum(budget.uptake.shares)),
                f"the eligible population x uptake ('{budget.eligible}' x the sum of budget.uptake.shares"
                f"{f' at {where}' if where else ''})")
    return None


def population_problems(spec: Scenario, positions: Positions) -> list[Problem]:
    """One source of truth for the number of people: ``cost_offset.population`` must equal the
    people the budget refers (its intake schedule, or its eligible population x uptake), so the
    headline's population totals and the budget view count the same people."""
    pop = population_point(spec)
    if pop is None or spec.budget is None:
        return []
    people = _budget_people(spec, positions)
    if people is None:
        return []
    total, source = people
    if abs(pop - total) <= 1e-9 * max(1.0, abs(total)):
        return []
    name = spec.cost_offset.population
    return [Problem(f"'{name}' is {pop:,.10g} people but {source} refers {total:,.10g}: make them agree (the "
                    "headline's totals for the population and the budget by year must count the same people)",
                    positions.of(("parameters", name)), f"parameters.{name}")]
