"""The Python API for notebooks and tests: load a scenario, run it, get pandas tables back."""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from .evaluate import evaluate
from .model import CompiledScenario, compile_scenario
from .results import Results, metadata_for
from .scenario.load import LoadedScenario, load_scenario


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


def psa(scenario: "str | Path | LoadedScenario | CompiledScenario", *, n_draws: int = 1000, seed: int | None = None,
        overrides: Sequence[str] = (), **options):
    """Run a probabilistic sensitivity analysis; see :func:`econ.analysis.psa.run_psa` for ``options``.

    Returns a ``PsaResult``: ``.frame`` is the per-draw table of named outputs (index ``draw``), and
    ``econ.analysis.psa.psa_tables(result)`` gives every summary table as DataFrames.
    """
    from .analysis.psa import run_psa

    return run_psa(compile_path(scenario, overrides=overrides), n_draws=n_draws, seed=seed, **options)


def headline(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
             **options):
    """The headline cost-offset table of the base case (a long DataFrame; see ``analysis.offset.headline``)."""
    from .analysis.offset import headline as _headline

    return _headline(compile_path(scenario, overrides=overrides), **options)


def budget(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
           **options):
    """Costs and savings by financial year for the intake schedule (see ``analysis.budget.budget_table``)."""
    from .analysis.budget import budget_table

    return budget_table(compile_path(scenario, overrides=overrides), **options)
