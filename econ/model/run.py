"""The Python API for notebooks and tests: load a scenario, run it, get pandas tables back."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from econ.model.evaluate import evaluate
from econ.model.compile import CompiledScenario, compile_scenario
from econ.model.results import Results, metadata_for
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


def run(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
        keep_cycles: bool = True, keep_trace: bool = True) -> Results:
    """Run the deterministic base case of a scenario.

    Parameters
    ----------
    scenario : path, LoadedScenario or CompiledScenario
    overrides : sequence of str
        ``key=value`` overrides, as ``--set`` on the command line (highest precedence).
    keep_cycles, keep_trace : bool
        Keep per-cycle amounts and the state trace (both small for one draw).

    Returns
    -------
    Results
        ``.summary`` (discounted totals per person by strategy), ``.summary_undiscounted``,
        ``.incremental`` (against the reference strategy, with the ICER when declared),
        ``.per_cycle`` and ``.trace`` (long tables) and ``.metadata``.

    Examples
    --------
    >>> import econ
    >>> res = econ.run("scenarios/validation/chancellor_hiv.yaml")  # doctest: +SKIP
    >>> res.summary.loc["mono", "total_cost"]  # doctest: +SKIP
    44663.45...
    """
    compiled = compile_path(scenario, overrides=overrides)
    ev = evaluate(compiled, keep_cycles=keep_cycles, keep_trace=keep_trace)
    meta = metadata_for(compiled, n_draws=1, seed=None, data_files=compiled.data_files)
    return Results(compiled, ev, meta)

