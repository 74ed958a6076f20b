"""The budget impact by financial year and payer (:func:`econ.analysis.budget_impact.budget_impact` output)."""
from __future__ import annotations

import pandas as pd

from econ.report.tables.base import make_table
from econ.report.tables.context import TableContext
from econ.report.text_decision import PAYER_LABELS

#: Row labels of the view, in order: (kind, part) -> label.
ITEM_LABELS = {
    ("cost", "set-up"): "Set-up cost (one-off)",
    ("cost", "running"): "Running cost",
    ("cost", "in kind"): "Volunteer time (in kind, not cash)",
    ("cash saving", "total"): "Cash-releasing savings",
    ("capacity saving", "total"): "Capacity freed (not cash)",
    ("net cash cost", "total"): "Net cash cost",
    ("net cost", "total"): "Net cost, all costs and savings",
}


def _notes(ctx: TableContext, n_draws: int | None) -> str:
    draws = f" over {n_draws:,} probabilistic draws" if n_draws else ""
    notes = (f"People referred over the commissioning period, by UK financial year (April to March). "
             f"{ctx.money_note()}, undiscounted. Mean{draws}; 95% interval of the total. Net cash cost = set-up + "
             "running cost - cash-releasing savings; capacity freed (beds, appointments, staff and carers' time) "
             "releases cash only if a service is cut. Payer columns add up to the total.")
    if ctx.synthetic:
        notes += " SYNTHETIC DATA: illustrates the method; not evidence."
    return notes


def budget_impact_view(impact: pd.DataFrame, ctx: TableContext, *, n_draws: int | None = None,
                       name: str = "budget_impact_view"):
    """One row per financial year and item, one column per payer (means), the total and its 95% interval."""
    frames = []
    for option, part in impact.groupby("strategy", sort=False):
        mean = part.pivot_table(index=["financial_year", "kind", "part"], columns="payer", values="mean", sort=False)
        total = part[part.payer == "total"].set_index(["financial_year", "kind", "part"])
        wide = mean.reindex(columns=[p for p in PAYER_LABELS if p in mean.columns])
        wide["total_low"] = total["low"]
        wide["total_high"] = total["high"]
        wide = wide.reset_index()
        wide = wide[[(k, p) in ITEM_LABELS for k, p in zip(wide.kind, wide.part)]]
        wide.insert(0, "item", [ITEM_LABELS[(k, p)] for k, p in zip(wide.kind, wide.part)])
        wide.insert(0, "strategy", option)
        frames.append(wide.drop(columns=["kind", "part"]))
    df = pd.concat(frames, ignore_index=True)
    if df.strategy.nunique() == 1:
        df = df.drop(columns="strategy")
    money = [c for c in df.columns if c in PAYER_LABELS or c.startswith("total_")]
    labels = {**PAYER_LABELS, "total_low": "Total, 2.5%", "total_high": "Total, 97.5%", "item": "Item",
              "financial_year": "Financial year"}
    return make_table(name, df, ctx, title="Budget impact by financial year and payer",
                      labels=labels, kinds={**{c: "money" for c in money}, "item": "text"},
                      notes=_notes(ctx, n_draws))


def budget_impact_table(impact: pd.DataFrame, ctx: TableContext, *, n_draws: int | None = None):
    """The long table as written to ``budget.csv`` (every payer, kind and part, mean and 95% interval)."""
    labels = {"payer": "Payer", "kind": "Kind", "part": "Part", "mean": "Mean", "low": "2.5%", "high": "97.5%",
              "financial_year": "Financial year"}
    return make_table("budget_impact", impact, ctx, title="Budget impact in full (long table)", labels=labels,
                      kinds={"payer": "text", "kind": "text", "part": "text", "mean": "money", "low": "money",
                             "high": "money"},
                      notes=_notes(ctx, n_draws).replace("; 95% interval of the total", "; 95% interval of each row"))
