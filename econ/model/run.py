"""Load and compile a scenario from a path (the base-case run itself is :func:`econ.analysis.base_case.run`)."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from econ.model.compile import CompiledScenario, compile_scenario
from econ.scenario.load import LoadedScenario, load_scenario


def compile_path(scenario: "str | Path | LoadedScenario | CompiledScenario", *,
                 overrides: Sequence[str] = (), subgroup: dict | None = None) -> CompiledScenario:
    """Load (if needed) and compile a scenario.

    ``subgroup`` (e.g. ``{"bme": "yes"}``) restricts every service-use statistic to those people.
    """
    if isinstance(scenario, CompiledScenario):
        if overrides or subgroup:
            raise ValueError("overrides and subgroups need a path or LoadedScenario, not a compiled scenario")
        return scenario
    if not isinstance(scenario, LoadedScenario):
        scenario = load_scenario(scenario, overrides=overrides)
    elif overrides:
        scenario = load_scenario(scenario.path, overrides=list(overrides))
    return compile_scenario(scenario, subgroup=subgroup)
