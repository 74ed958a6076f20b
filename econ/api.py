"""The public Python API for notebooks: load, run and analyse a scenario; every analysis returns DataFrames.

Everything here is a thin front door to the stage that does the work (``econ.model``,
``econ.analysis``, ``econ.report``); see ``docs/api.md`` for a worked example.
"""
from __future__ import annotations

from pathlib import Path
from typing import Sequence

from econ.model.compile import CompiledScenario
from econ.analysis.base_case import run
from econ.model.run import compile_path
from econ.scenario.load import LoadedScenario

__all__ = ["compile_path", "run", "psa", "dsa", "gsa", "headline", "budget", "budget_impact", "effects", "voi",
           "make_report"]


def psa(scenario: "str | Path | LoadedScenario | CompiledScenario", *, n_draws: int = 1000, seed: int | None = None,
        overrides: Sequence[str] = (), **options):
    """Run a probabilistic sensitivity analysis; see :func:`econ.analysis.psa.run_psa` for ``options``.

    Returns a ``PsaResult``: ``.frame`` is the per-draw table of named outputs (index ``draw``), and
    ``econ.analysis.psa.psa_tables(result)`` gives every summary table as DataFrames.
    """
    from econ.analysis.psa import run_psa

    return run_psa(compile_path(scenario, overrides=overrides), n_draws=n_draws, seed=seed, **options)


def headline(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
             **options):
    """The headline cost-offset table of the base case (a long DataFrame; see ``analysis.offset.headline``)."""
    from econ.analysis.offset import headline as _headline

    return _headline(compile_path(scenario, overrides=overrides), **options)


def effects(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
            **options):
    """The effect estimates behind the scenario, one row per effect statistic with its 95% interval and
    the uncontrolled before-after reduction beside it (see ``analysis.effects.effect_table``)."""
    from econ.analysis.effects import effect_table

    return effect_table(compile_path(scenario, overrides=overrides), **options)


def budget(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
           **options):
    """Costs and savings by financial year for the intake schedule (see ``analysis.budget.budget_table``)."""
    from econ.analysis.budget import budget_table

    return budget_table(compile_path(scenario, overrides=overrides), **options)


def budget_impact(scenario: "str | Path | LoadedScenario | CompiledScenario", *, overrides: Sequence[str] = (),
                  **options):
    """Budget impact by financial year and payer with 95% bands (see ``analysis.budget_impact.budget_impact``;
    options ``n_draws``, ``seed``, ``table``)."""
    from econ.analysis.budget_impact import budget_impact as _budget_impact

    return _budget_impact(compile_path(scenario, overrides=overrides), **options)


def voi(scenario: "str | Path | LoadedScenario | CompiledScenario", *, n_draws: int | None = None,
        seed: int | None = None, overrides: Sequence[str] = (), **options):
    """Value of information: EVPI, EVPPI and (with ``study=``) EVSI/ENBS, on a fresh PSA.

    ``options`` are those of :func:`econ.analysis.voi.voi` (objective, thresholds, parameters,
    groups, study, population, horizon_years, discount_rate). Returns a ``VoiResult`` whose
    ``.evpi``, ``.evppi`` and ``.evsi`` are DataFrames (see ``docs/voi.md``).
    """
    from econ.analysis.psa import run_psa
    from econ.analysis.voi import DEFAULT_DRAWS, voi as _voi

    compiled = compile_path(scenario, overrides=overrides)
    result = run_psa(compiled, n_draws=int(n_draws or DEFAULT_DRAWS), seed=seed)
    return _voi(result, **options)


def dsa(scenario: "str | Path | LoadedScenario | CompiledScenario", output: str | None = None, *,
        overrides: Sequence[str] = (), **options):
    """One-way sensitivity analysis (the tornado table) of one named output, e.g. ``net_cost:group``.

    See :func:`econ.analysis.dsa.oneway`; ``econ.analysis.dsa.twoway`` and ``threshold`` take a
    compiled scenario too.
    """
    from econ.analysis.dsa import oneway

    return oneway(compile_path(scenario, overrides=overrides), output, **options)


def gsa(scenario: "str | Path | LoadedScenario | CompiledScenario", *, method: str | None = None,
        n: int | None = None, overrides: Sequence[str] = (), **options):
    """Global sensitivity analysis through SALib (``method`` sobol, morris, efast, delta or pawn).

    Returns a ``GsaResult`` whose ``.indices`` is a DataFrame; see :func:`econ.analysis.gsa.run_gsa`.
    """
    from econ.analysis.gsa import run_gsa

    options.setdefault("progress", False)
    return run_gsa(compile_path(scenario, overrides=overrides), method=method, n=n, **options)


def make_report(*scenarios, out: "str | Path", draws: int = 1000, seed: int | None = None,
           formats: Sequence[str] = ("csv", "xlsx", "md", "tex"), perspective: str | None = None,
           overrides: Sequence[str] = (), force: bool = False) -> Path:
    """Write the full report (HTML, tables, plots, manifest) of ``scenarios`` into ``out``, as the
    ``report`` command does; the first scenario is the main one. Returns the report's folder.

    Named ``make_report`` because ``econ.report`` is the reporting package (``econ.report.excel_model``,
    ``econ.report.tables``, ...), which a function of the same name would hide.
    """
    import argparse

    from econ.cli.report import build_report

    args = argparse.Namespace(command="report", out=out, force=force, overrides=list(overrides), draws=draws, strategy=None,
                              seed=seed, perspective=perspective, gsa=None, gsa_n=None, formats=list(formats))
    folder, _, _ = build_report(args, scenarios)
    return folder
