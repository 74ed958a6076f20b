"""Result tables: headline, comparison of scenarios, budget by year, values and state occupancy."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

import numpy as np
import pandas as pd

from econ.report.text import PERSPECTIVE_LABELS, outcome_measure_order
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
    outcomes = list(dict.fromkeys(m[5:] for m in df.measure if m.startswith("gain_")))
    rows, kinds = [], []
    for i, persp in enumerate(dict.fromkeys(df.perspective)):
        part = df[df.perspective == persp]
        per = part.pivot(index="measure", columns="strategy", values="per_participant")
        pop = part.pivot(index="measure", columns="strategy", values="population")
        cats = sorted(m for m in per.index if m.startswith("offset_"))
        order = ["delivery_cost", "cost_offset"] + (cats if i == 0 else []) + [
            "net_cost", "bcr", "net_roi", "sroi_ratio", "break_even_attribution", "payback_month", "share_beyond_window"]
        after = [m for m in outcome_measure_order(list(per.index), outcomes) if i == 0 or not m.startswith("gain_")]
        for m in order:
            if m not in per.index:
                continue
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp), "measure": measure_label(m, ctx),
                         **{s: float(per.loc[m, s]) for s in strategies}})
            kinds.append(measure_kind(m, ctx))
        if "net_cost" in pop.index and ctx.population is not None:
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp),
                         "measure": money_label(f"Net cost for {ctx.population:,.0f} people", ctx.currency),
                         **{s: float(pop.loc["net_cost", s]) for s in strategies}})
            kinds.append(_MONEY)
        for m in after:  # outcomes next to the cost offset (gains under the first perspective only)
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp), "measure": measure_label(m, ctx),
                         **{s: float(per.loc[m, s]) for s in strategies}})
            kinds.append(measure_kind(m, ctx))
    frame = pd.DataFrame(rows, columns=["perspective", "measure", *strategies])
    cols = (Column("perspective", "Perspective"), Column("measure", "Measure"),
            *(Column(s, ctx.strategy(s), "row") for s in strategies))
    notes = (standard_notes(ctx, discounting=discounting) + " Benefit-cost ratio = savings / cost (above 1: the "
             "programme pays for itself); net return on investment = (savings - cost) / cost = benefit-cost ratio - 1; "
             "SROI-style ratio = savings after deadweight, attribution to others, displacement and drop-off, over cost "
             "(docs/budget_impact.md). Break-even attribution: the share of the observed change in service use (of the "
             "estimated effect, with an effect estimator) that must be real for savings to equal its cost; 'never' "
             "where break-even cannot be reached. Share of savings beyond the observed window: the part that falls "
             "after the data's follow-up, where it rests on the persistence assumption.")
    if outcomes:
        notes += (" Outcomes are gains per person against the comparator (discounted like costs, under the first "
                  "perspective); net cost per unit gained uses each perspective's net cost (negative: cheaper and "
                  "better); net monetary benefit = threshold x gain - net cost.")
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
        kind = measure_kind(m, ctx) if offset else _MONEY if m == "icer" else ctx.value_kinds.get(m, "number")
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


def frontier_table(frontier: pd.DataFrame, net_benefit: pd.DataFrame, ctx: TableContext, *, cost: str,
                   effect: str) -> ReportTable:
    """The efficiency frontier (:attr:`econ.analysis.base_case.Results.frontier`) with the net monetary benefit
    of each option at each threshold (``Results.net_benefit()``), one row per option ordered by cost."""
    cur = ctx.currency
    nmb = net_benefit.pivot(index="strategy", columns="threshold", values="nmb")
    frame = frontier.copy()
    effect_label = ctx.values.get(effect, effect)
    inside = effect_label[:1].lower() + effect_label[1:] if effect_label[1:2].islower() else effect_label  # 'QALYs'
    unit = inside[:-1] if inside.endswith("s") else inside
    cols = [Column("strategy", "Option"), Column("cost", money_label(ctx.values.get(cost, cost), cur), _MONEY),
            Column("effect", effect_label, "number"), Column("status", "Status"),
            Column("comparator", "Compared with"), Column("inc_cost", money_label("Extra cost", cur), _MONEY),
            Column("inc_effect", f"Extra {inside}", "number"),
            Column("icer", money_label(f"ICER, extra cost per {unit}", cur), _MONEY)]
    for lam in nmb.columns:
        key = f"nmb_{lam:.0f}"
        frame[key] = frame["strategy"].map(nmb[lam]).astype(float)
        cols.append(Column(key, money_label(f"NMB at {lam:,.0f} per {unit}", cur), _MONEY))
    frame["comparator"] = [ctx.strategy(c) if c else "" for c in frame["comparator"]]
    frame["strategy"] = frame["strategy"].map(ctx.strategy)
    notes = (standard_notes(ctx) + f" Options ordered by cost. ICER: extra cost per extra {unit} against the previous "
             "non-dominated option (the cheapest is the reference). Dominated: another option costs no more and gains "
             "no less; extendedly dominated: a mix of two other options gains more for the same cost. NMB = threshold "
             f"x {inside} - cost; the highest NMB is the best option at that threshold.")
    return ReportTable("frontier", f"Cost-effectiveness: {effect_label} and the efficiency frontier", frame,
                       tuple(cols), None, notes, cur, ctx.n_cycles)


def cost_consequence_table(cost_consequence: pd.DataFrame, ctx: TableContext) -> ReportTable:
    """Costs next to every outcome per option, and each one's difference from the reference
    (:attr:`econ.analysis.base_case.Results.cost_consequence`): nothing combined or valued."""
    ref = ctx.strategy(ctx.reference).lower() if ctx.reference else "the reference"
    frame = cost_consequence.copy()
    cols = [Column("strategy", "Option")]
    for c in frame.columns[1:]:
        base, diff = (c[: c.index("_vs_")], True) if "_vs_" in c else (c, False)
        kind = ctx.value_kinds.get(base, "number")
        label = ctx.values.get(base, base) + (f": difference from {ref}" if diff else "")
        money = kind == _MONEY and ctx.currency not in label  # 'Value of WELLBYs (GBP 2019 prices)' says it
        cols.append(Column(c, money_label(label, ctx.currency) if money else label, kind))
    frame["strategy"] = frame["strategy"].map(ctx.strategy)
    notes = (standard_notes(ctx) + " Cost-consequence table: costs shown next to every outcome, for readers who do "
             "not use QALYs; nothing is combined or valued.")
    return ReportTable("cost_consequence", "Costs and consequences per person", frame, tuple(cols), None, notes,
                       ctx.currency, ctx.n_cycles)
