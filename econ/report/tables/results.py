"""Result tables: headline, comparison of scenarios, budget by year, values and state occupancy."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from econ.report.text import PERSPECTIVE_LABELS
from econ.report.units import money_label, roi_label
from econ.report.tables.context import MEASURE_KINDS, TableContext, _MONEY
from econ.report.tables.base import (Column, ReportTable, discount_text, make_table, measure_kind, measure_label,
                                     standard_notes)


def headline_table(headline: pd.DataFrame, ctx: TableContext, *, discounting: str = "discounted",
                   name: str = "headline") -> ReportTable:
    """The commissioner's headline table: measures by perspective (rows) and strategy (columns).

    Parameters
    ----------
    headline : pandas.DataFrame
        :func:`econ.analysis.offset.headline` output (columns ``perspective``, ``discounting``,
        ``strategy``, ``measure``, ``per_participant``, ``population``).
    ctx : TableContext
    discounting : {"discounted", "undiscounted"}

    Returns
    -------
    ReportTable
        Columns ``perspective``, ``measure`` (labels) and one per strategy (per person), plus a row
        "Net cost, whole programme" per perspective. Savings by category appear under the first
        perspective only (as on the terminal).
    """
    df = headline[headline.discounting == discounting]
    strategies = list(dict.fromkeys(df.strategy))
    rows, kinds = [], []
    for i, persp in enumerate(dict.fromkeys(df.perspective)):
        part = df[df.perspective == persp]
        per = part.pivot(index="measure", columns="strategy", values="per_participant")
        pop = part.pivot(index="measure", columns="strategy", values="population")
        cats = sorted(m for m in per.index if m.startswith("offset_"))
        order = ["delivery_cost", "cost_offset"] + (cats if i == 0 else []) + [
            "net_cost", "roi", "break_even_attribution", "payback_month", "share_beyond_window"]
        for m in order:
            if m not in per.index:
                continue
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp), "measure": measure_label(m, ctx),
                         **{s: float(per.loc[m, s]) for s in strategies}})
            kinds.append(measure_kind(m))
        if "net_cost" in pop.index and ctx.population is not None:
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp),
                         "measure": money_label(f"Net cost for {ctx.population:,.0f} people", ctx.currency),
                         **{s: float(pop.loc["net_cost", s]) for s in strategies}})
            kinds.append(_MONEY)
    frame = pd.DataFrame(rows, columns=["perspective", "measure", *strategies])
    cols = (Column("perspective", "Perspective"), Column("measure", "Measure"),
            *(Column(s, ctx.strategy(s), "row") for s in strategies))
    notes = (standard_notes(ctx, discounting=discounting) + f" {roi_label(ctx.currency)} above 1 means the programme "
             "pays for itself. Break-even attribution: the share of the observed change in service use (of the "
             "estimated effect, with an effect estimator) that must be real for savings to equal its cost. Share "
             "of savings beyond the observed window: the part that falls after the data's follow-up, where it "
             "rests on the persistence assumption.")
    return ReportTable(name, f"Headline results, per person ({discounting})", frame, cols, tuple(kinds), notes,
                       ctx.currency, ctx.n_cycles, group_columns=1)


def headline_detail_table(headline: pd.DataFrame, ctx: TableContext) -> ReportTable:
    """Every headline measure, perspective and discounting, per person and for the whole programme (long table)."""
    pop = f"{ctx.population:,.0f} people" if ctx.population is not None else "the population"
    return make_table("headline_detail", headline, ctx, title="Headline results in full (long table)",
                      labels={"population": f"Whole programme ({pop})"},
                      notes=standard_notes(ctx).replace(", discounted at", "; discounted figures at"))


def comparison_table(comparison: pd.DataFrame, ctx: TableContext, *, discounting: str = "discounted",
                     measures: Sequence[str] | None = None) -> ReportTable:
    """Scenarios side by side: rows (perspective, strategy, measure), one column per scenario.

    Parameters
    ----------
    comparison : pandas.DataFrame
        Long rows with columns ``scenario``, ``strategy``, ``perspective``, ``discounting``,
        ``measure``, ``per_participant`` (as written by ``run_model.py compare --out``).
    ctx : TableContext
        Labels of all the scenarios (:meth:`TableContext.merged`).
    measures : sequence of str, optional
        Measures kept (default: the headline ones present).
    """
    df = comparison[comparison.discounting == discounting]
    wanted = list(measures) if measures is not None else [
        "delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution", "payback_month",
        "share_beyond_window"]
    if set(df.measure) & set(wanted):
        df = df[df.measure.isin(wanted)]
    scenarios = list(dict.fromkeys(df.scenario))
    order = {m: i for i, m in enumerate(wanted)}
    keys = df[["perspective", "strategy", "measure"]].drop_duplicates()
    keys = keys.assign(_p=keys.perspective.map({p: i for i, p in enumerate(dict.fromkeys(df.perspective))}),
                       _s=keys.strategy.map({s: i for i, s in enumerate(dict.fromkeys(df.strategy))}),
                       _m=keys.measure.map(lambda m: order.get(m, len(order))))
    keys = keys.sort_values(["_p", "_s", "_m"], kind="stable")
    rows, kinds = [], []
    lookup = df.set_index(["perspective", "strategy", "measure", "scenario"])["per_participant"]
    lookup = lookup[~lookup.index.duplicated()]
    for p, s, m in keys[["perspective", "strategy", "measure"]].itertuples(index=False):
        offset = bool(p) or m in MEASURE_KINDS
        kind = measure_kind(m) if offset else _MONEY if m == "icer" else ctx.value_kinds.get(m, "number")
        if offset:
            label = measure_label(m, ctx)
        else:
            label = "Cost per unit of effect (ICER)" if m == "icer" else ctx.values.get(m, m)
            label += f" ({ctx.currency})" if kind == _MONEY else ""
        row = {"perspective": PERSPECTIVE_LABELS.get(p, p) if p else "", "strategy": ctx.strategy(s), "measure": label}
        for k, sc in enumerate(scenarios):
            row[f"s{k}"] = float(lookup.get((p, s, m, sc), np.nan))
        rows.append(row)
        kinds.append(kind)
    keys = [f"s{k}" for k in range(len(scenarios))]
    frame = pd.DataFrame(rows, columns=["perspective", "strategy", "measure", *keys])
    cols = [Column("perspective", "Perspective"), Column("strategy", "Strategy"), Column("measure", "Measure")]
    cols += [Column(f"s{k}", str(sc), "row") for k, sc in enumerate(scenarios)]
    if not frame.perspective.astype(bool).any():
        cols = cols[1:]
    notes = ("Each scenario against its own reference strategy; per person starting, "
             f"{discount_text(ctx, discounting)}. {ctx.money_note()}.")
    if ctx.synthetic:
        notes += " SYNTHETIC DATA: illustrates the method; not evidence."
    return ReportTable("comparison", "Scenarios compared, per person", frame, tuple(cols), tuple(kinds), notes,
                       ctx.currency, ctx.n_cycles, group_columns=len(cols) - len(scenarios) - 1)


def budget_report_table(budget: pd.DataFrame, ctx: TableContext) -> ReportTable:
    """Costs and savings by financial year (:func:`econ.analysis.budget.budget_table` output)."""
    notes = (f"All people starting under the intake schedule, by UK financial year (April to March). "
             f"{ctx.money_note()}, undiscounted (cash in real terms).")
    if ctx.synthetic:
        notes += " SYNTHETIC DATA: illustrates the method; not evidence."
    return replace(make_table("budget", budget, ctx, title="Budget by financial year", notes=notes), group_columns=2)


def values_table(summary: pd.DataFrame, ctx: TableContext, *, name: str, title: str,
                 notes: str | None = None) -> ReportTable:
    """A strategy x value table (:attr:`econ.model.results.Results.summary` or ``.incremental``), values as rows.

    Text columns of ``.incremental`` (``reference``, ``dominance``) are left out; the ICER is kept.
    """
    numeric = [c for c in summary.columns if pd.api.types.is_numeric_dtype(summary[c])]
    wide = summary[numeric].T
    wide.index.name = "output"
    frame = wide.reset_index()
    frame.columns = [str(c) for c in frame.columns]
    kinds = tuple(_MONEY if o == "icer" else ctx.value_kinds.get(o, "number") for o in frame.output)
    frame["output"] = [("Cost per unit of effect (ICER)" if o == "icer" else ctx.values.get(o, o)) +
                       (f" ({ctx.currency})" if k == _MONEY else "") for o, k in zip(frame.output, kinds)]
    cols = (Column("output", "Value"), *(Column(str(s), ctx.strategy(s), "row") for s in summary.index))
    return ReportTable(name, title, frame, cols, kinds, notes if notes is not None else standard_notes(ctx),
                       ctx.currency, ctx.n_cycles)


def occupancy_table(trace: pd.DataFrame, ctx: TableContext) -> ReportTable:
    """Share of people in each state by strategy and cycle (``Results.trace``), states as columns."""
    wide = trace.pivot_table(index=["strategy", "cycle"], columns="state", values="share", sort=False).reset_index()
    states = [s for s in dict.fromkeys(trace.state)]
    wide = wide[["strategy", "cycle", *states]]
    wide.columns = [str(c) for c in wide.columns]
    wide["strategy"] = wide["strategy"].map(ctx.strategy)
    cols = (Column("strategy", "Strategy"), Column("cycle", ctx.cycle_length.capitalize(), "integer"),
            *(Column(str(s), ctx.states.get(s, s), "percent") for s in states))
    notes = f"Share of the people who started, at the end of each {ctx.cycle_length} (0: start)."
    return ReportTable("state_occupancy", "Where people are over time", wide, cols, None, notes, ctx.currency,
                       ctx.n_cycles, group_columns=1)
