"""The analyses behind the ``report`` command: run every analysis a report shows and keep the tidy results.

Note: :func:`run_analyses` also assembles the per-draw cost-offset table from the PSA evaluation
(a small reshaping of :func:`econ.analysis.offset.measures` output). It belongs in ``econ.analysis``
(e.g. next to ``net_cost_curve`` in ``econ.analysis.psa``); it was left here by the split of
issue 12, which did not touch ``econ/analysis``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from econ.cli.common import UsageError


#: The report's value-of-information section needs at least this many draws (the regression of
#: net benefit on each input is unstable below it), and estimates its SEs from this many replicates.
VOI_MIN_DRAWS = 500
VOI_BOOTSTRAP = 50


@dataclass
class Analyses:
    """Tidy results of every analysis the report shows (no formatting)."""

    compiled: object
    compiled_list: list
    labels: list
    perspective: str | None
    primary: str
    outputs: list
    results: object = None
    headline: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    budget_impact: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    psa: object = None
    psa_tables: dict = field(default_factory=dict)
    per_draw: pd.DataFrame | None = None
    band: pd.DataFrame | None = None
    curve: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    gsa: pd.DataFrame | None = None
    gsa_method: str | None = None
    voi: object = None

    @property
    def primary_output(self) -> str:
        """The output the tornado figure and the key messages are about (the primary option's)."""
        return next((o for o in self.outputs if o.endswith(f":{self.primary}")), self.outputs[0])


def _scenario_labels(compiled_list) -> list[str]:
    from econ.cli.common import scenario_labels

    return scenario_labels(compiled_list)


def _primary_strategy(compiled) -> str:
    spec = compiled.loaded.spec
    if spec.budget is not None and spec.budget.strategy:
        return spec.budget.strategy
    return next(s for s in compiled.model.strategy_names if s != compiled.reference)


def _outputs(compiled, perspective: str | None) -> list[str]:
    from econ.analysis.outputs import default_outputs

    if compiled.loaded.spec.cost_offset is not None and perspective:
        return [f"net_cost@{perspective}:{s}" for s in compiled.model.strategy_names if s != compiled.reference]
    return default_outputs(compiled)


def check_strategy(compiled, strategy: str | None) -> None:
    """Raise UsageError unless ``strategy`` is None or one of the scenario's non-reference strategies."""
    options = [s for s in compiled.model.strategy_names if s != compiled.reference]
    if strategy is not None and strategy not in options:
        raise UsageError(f"--strategy {strategy}: the options compared with {compiled.reference} are "
                         f"{', '.join(options)}")


def check_perspective(compiled, perspective: str | None) -> None:
    """Raise UsageError unless ``perspective`` is None or one of the scenario's cost-offset perspectives."""
    co = compiled.loaded.spec.cost_offset
    if perspective is None:
        return
    if co is None:
        raise UsageError(f"--perspective {perspective}: the scenario has no cost_offset block, so no perspectives")
    if perspective not in co.perspectives:
        raise UsageError(f"--perspective {perspective}: the scenario's perspectives are {', '.join(co.perspectives)}")


#: Stages of :func:`run_analyses` reported through its ``step`` callback (at most).
ANALYSIS_STAGES = 6


def run_analyses(compiled_list, *, n_draws: int, seed: int | None = None, perspective: str | None = None, gsa:
                 str | None = None, gsa_n: int | None = None, step=lambda text: None, strategy=None) -> Analyses:
    """Run every analysis of the report; the first scenario is the main one.

    Parameters
    ----------
    compiled_list : list of CompiledScenario
    n_draws : int
        PSA draws (0: no probabilistic analysis).
    seed : int, optional
        PSA and GSA seed (default: the main scenario's ``settings.seed``).
    perspective : str, optional
        Perspective of the sensitivity analyses and plots (default: the first of the scenario's).
    gsa, gsa_n : {"sobol", "morris"} and int, optional
    strategy : str, optional
        The option of the tornado and GSA (default: ``budget.strategy``, else the first option).
    step : callable, optional
        Called with each stage's name as it starts (progress; at most :data:`ANALYSIS_STAGES`).
    Returns an :class:`Analyses`.
    """
    from econ.analysis.budget import budget_table
    from econ.analysis.offset import headline
    from econ.analysis.base_case import run
    from econ.cli.run import _comparison_rows

    main = compiled_list[0]
    spec = main.loaded.spec
    co = spec.cost_offset
    check_perspective(main, perspective)
    perspective = perspective or (co.perspectives[0] if co is not None else None)
    labels = _scenario_labels(compiled_list)
    outputs = _outputs(main, perspective)
    primary = strategy or _primary_strategy(main)
    a = Analyses(main, list(compiled_list), labels, perspective, primary, outputs)
    step("base case and budget")
    a.results = run(main)
    if co is not None:
        a.headline = headline(main)
        if spec.budget is not None and spec.settings.cycle_length == "month":
            a.budget = budget_table(main)
    step(f"comparison of {len(compiled_list)} scenario(s)")
    a.comparison = pd.concat([_comparison_rows(c, lab) for c, lab in zip(compiled_list, labels)], ignore_index=True)
    if n_draws:
        _probabilistic(a, n_draws, seed, outputs, perspective, step)
    try:
        from econ.analysis.dsa import oneway
    except ImportError:  # pragma: no cover - dsa ships with the package
        oneway = None
    if oneway is not None:
        step("one-way sensitivity analysis")
        a.tornado = pd.concat([oneway(main, o, grouped=True) for o in outputs], ignore_index=True)
    if gsa is not None:
        from econ.analysis.gsa import run_gsa

        out = next((o for o in outputs if o.endswith(f":{primary}")), outputs[0])
        step(f"global sensitivity analysis ({gsa})")
        res = run_gsa(main, method=gsa, n=gsa_n, outputs=[out], seed=seed, progress=False)
        a.gsa, a.gsa_method = res.indices, gsa
    return a


def _probabilistic(a: Analyses, n_draws: int, seed, outputs, perspective, step) -> None:
    """The PSA of the report (with the budget impact's bands, the per-draw costs, the cumulative band and
    the net-cost curve from the same draws) and the value of information, stored on ``a``."""
    from econ.analysis.offset import measures

    main = a.compiled
    co = main.loaded.spec.cost_offset
    from econ.analysis.psa import psa_tables, run_psa

    step(f"probabilistic analysis ({n_draws:,} draws)")
    a.psa = run_psa(main, n_draws=n_draws, seed=seed, outputs=outputs)
    a.psa_tables = psa_tables(a.psa)
    if a.budget is not None:  # the bands of the budget impact come from the same draws
        from econ.analysis.budget_impact import budget_impact

        a.budget_impact = budget_impact(main, table=a.psa.table)
    if co is not None:
        ev = a.psa.evaluation
        m = measures(main, ev, perspective)
        a.per_draw = pd.concat([pd.DataFrame({"draw": np.arange(a.psa.n_draws), "strategy": s,
                                              "net_cost": m["net_cost"][:, k],
                                              "delivery_cost": m["delivery_cost"][:, k],
                                              "cost_offset": m["cost_offset"][:, k]})
                                for k, s in enumerate(ev.strategies) if s != main.reference], ignore_index=True)
        from econ.analysis.psa import cumulative_band, net_cost_curve

        a.band = cumulative_band(main, a.psa.table, perspective)
        a.curve = net_cost_curve(a.per_draw)
    if n_draws >= VOI_MIN_DRAWS:
        from econ.analysis.voi import voi

        step("value of information")
        a.voi = voi(a.psa, n_boot=VOI_BOOTSTRAP)
