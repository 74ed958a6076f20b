"""The commissioner's budget view: overlapping cohorts from an intake schedule, by financial year.

Notes
-----
With I_m people starting in month m (m = 0 at ``budget.start``) and A(t) the undiscounted amount per
person in model cycle t (t = 1..T, one month each), the amount spent in calendar month m is
sum_s I_s A(m - s + 1): a convolution. Months are then summed into UK financial years (April to
March). Budgets are shown undiscounted (cash in real terms at the scenario's price year), so the
total over all years equals the single-cohort undiscounted total times the number of people.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.core.errors import ScenarioError
from econ.model.evaluate import Evaluation, evaluate
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterTable
from econ.analysis.offset import check_evaluation, check_cost_offset, layout


def monthly_intake(compiled: CompiledScenario) -> np.ndarray:
    """People starting in each month from ``budget.start`` (a year's intake spread evenly over 12 months).

    Without an ``intake`` schedule: the eligible population (its point value) times the uptake shares
    (:func:`econ.analysis.budget_impact.monthly_referrals`)."""
    intake = compiled.loaded.spec.budget.intake
    if intake is None:
        from econ.analysis.budget_impact import monthly_referrals

        return monthly_referrals(compiled, compiled.parameters.point_table())[0]
    counts = np.asarray(intake.counts, dtype=float)
    return counts if intake.per == "month" else np.repeat(counts / 12.0, 12)


def financial_years(start: str, n_months: int) -> list[str]:
    """Financial-year label ('2025/26') of each month counted from ``start`` ('YYYY-MM')."""
    year, month = (int(x) for x in start.split("-"))
    labels = []
    for m in range(n_months):
        cm = (month - 1) + m
        y, mo = year + cm // 12, cm % 12 + 1
        fy = y if mo >= 4 else y - 1
        labels.append(f"{fy}/{(fy + 1) % 100:02d}")
    return labels


def budget_table(compiled: CompiledScenario, *, table: ParameterTable | None = None,
                 perspectives=None, evaluation: Evaluation | None = None) -> pd.DataFrame:
    """Costs and savings by financial year for the intake schedule, per strategy and perspective.

    Returns
    -------
    pandas.DataFrame
        Columns ``perspective``, ``strategy``, ``financial_year``, ``people_starting``,
        ``delivery_cost``, ``cost_offset``, ``net_cost``, ``cumulative_net_cost`` (GBP, undiscounted,
        mean over draws), for every non-reference strategy (or ``budget.strategy``).

    Raises
    ------
    ScenarioError
        No ``budget`` block, or cycles that are not months.

    ``evaluation``: as for :func:`econ.analysis.offset.headline` (an evaluation of ``table`` with
    per-cycle amounts, used instead of evaluating again).
    """
    spec = compiled.loaded.spec
    if spec.budget is None:
        raise ScenarioError(compiled.loaded.problem((), "the budget view needs a 'budget' block (start, intake)"))
    if spec.settings.cycle_length != "month":
        raise ScenarioError(compiled.loaded.problem(("settings", "cycle_length"),
                                                    f"the budget view needs monthly cycles (got {spec.settings.cycle_length})"))
    check_cost_offset(compiled)
    table = table if table is not None else compiled.parameters.point_table()
    ev = evaluation if evaluation is not None else evaluate(compiled, table, keep_cycles=True)
    check_evaluation(ev, table)
    intake = monthly_intake(compiled)
    ref = ev.strategies.index(compiled.reference)
    if spec.budget.strategy is not None:
        if spec.budget.strategy not in ev.strategies:
            raise ScenarioError(compiled.loaded.problem(("budget", "strategy"),
                                                        f"unknown strategy '{spec.budget.strategy}'"))
        strategies = [spec.budget.strategy]
    else:
        strategies = [s for s in ev.strategies if s != compiled.reference]
    n_months = len(intake) + compiled.model.n_cycles - 1
    fy = financial_years(spec.budget.start, n_months)
    people = np.concatenate([intake, np.zeros(n_months - len(intake))])
    rows = []
    for p in perspectives or spec.cost_offset.perspectives:
        lay = layout(compiled, p)
        offset_idx = [i for idx in lay.categories.values() for i in idx]
        for s in strategies:
            k = ev.strategies.index(s)
            inc = (ev.per_cycle[:, k] - ev.per_cycle[:, ref]).mean(axis=0)  # (outputs, cycles)
            delivery = inc[list(lay.delivery)].sum(axis=0)
            offset = -inc[offset_idx].sum(axis=0)
            d_month = np.convolve(intake, delivery)
            o_month = np.convolve(intake, offset)
            frame = pd.DataFrame({"financial_year": fy, "people_starting": people, "delivery_cost": d_month,
                                  "cost_offset": o_month})
            by_year = frame.groupby("financial_year", sort=True).sum()
            by_year["net_cost"] = by_year["delivery_cost"] - by_year["cost_offset"]
            by_year["cumulative_net_cost"] = by_year["net_cost"].cumsum()
            by_year = by_year.reset_index()
            by_year.insert(0, "strategy", s)
            by_year.insert(0, "perspective", p)
            rows.append(by_year)
    return pd.concat(rows, ignore_index=True)
