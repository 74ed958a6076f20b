"""Uncertainty and input tables: PSA bands, tornado (DSA), GSA indices and the parameter assumptions."""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.report.text import PERSPECTIVE_LABELS, _num
from econ.report.tables.context import COLUMNS, TableContext, _MONEY
from econ.report.tables.base import Column, ReportTable, make_table, standard_notes


def band_table(band: pd.DataFrame, ctx: TableContext, *, perspective: str | None = None) -> ReportTable:
    """Cumulative net cost per person by cycle with its 95% interval (columns strategy, cycle, mean, lower, upper)."""
    persp = f", {PERSPECTIVE_LABELS.get(perspective, perspective)}" if perspective else ""
    return make_table("cumulative_net_cost", band, ctx, title=f"Cumulative net cost per person over time{persp}",
                      columns=[c for c in ("strategy", "cycle", "mean", "lower", "upper") if c in band],
                      labels={"cycle": ctx.cycle_length.capitalize()},
                      kinds={"mean": _MONEY, "lower": _MONEY, "upper": _MONEY},
                      notes=standard_notes(ctx) + " Mean and 95% interval over the probabilistic draws.")


def parameter_units(compiled) -> dict:
    """Parameter name -> what it is measured in: its unit, else (a parameter written with neither a
    description nor a unit) the start of its source, for a label that says something."""
    out = {}
    for name, p in compiled.parameters.parameters.items():
        if p.unit:
            out[name] = p.unit
        elif p.source and not p.description:
            text = p.source.removeprefix("assumption: ")
            out[name] = "see its source: " + (text if len(text) <= 70 else text[:69].rstrip() + "…")
    return out


def share_parameters(compiled) -> set:
    """Parameters that are shares, shown in percent: beta-distributed ones and service-use reductions
    and relative changes (also those of the ``effect`` block's estimator: effect_reduction and
    counterfactual_change)."""
    spec = compiled.loaded.spec.parameters
    out = set()
    for name, p in compiled.parameters.parameters.items():
        ref = getattr(spec.get(name), "service_use", None)
        if getattr(p.distribution, "name", "") == "beta" or getattr(ref, "statistic", "") in (
                "reduction", "relative_change", "effect_reduction", "counterfactual_change"):
            out.add(name)
    return out


def tornado_labels(tornado: pd.DataFrame, ctx: TableContext, units: dict | None = None) -> dict:
    """A reader's label for each row of a tornado: the parameter's description (or the label made from
    its name, :func:`~econ.report.tables.context.context_for`), and for a group of the grouped analysis
    its name in words with the number of inputs varied together ('Service use reductions (32 inputs
    varied together)'); a parameter with neither, its name and unit (``units``: name -> unit) as
    'n_group_size, in participants per session'. The internal name when nothing better exists."""
    out = {}
    for row in tornado.itertuples(index=False):
        name = row.parameter
        n = getattr(row, "n_members", 1)
        desc = ctx.parameters.get(name) or ""
        if not desc and n == n and n > 1:
            desc = f"{name.replace('_', ' ').capitalize()} ({int(n)} inputs varied together)"
        elif not desc and (units or {}).get(name):
            what = units[name]
            desc = f"{name} ({what})" if what.startswith("see its source") else f"{name}, in {what}"
        out[name] = desc.rstrip(".") or name
    return out


def tornado_table(tornado: pd.DataFrame, ctx: TableContext, units: dict | None = None) -> ReportTable:
    """One-way sensitivity analysis (:func:`econ.analysis.dsa.oneway` output) with parameter descriptions
    (:func:`tornado_labels`)."""
    df = tornado.copy()
    labels = tornado_labels(tornado, ctx, units)
    df.insert(df.columns.get_loc("parameter") + 1, "description",
              df["parameter"].map(lambda p: labels.get(p, p) if labels.get(p, p) != p else ""))
    keep = [c for c in ("output", "parameter", "description", "base_value", "low_value", "high_value",
                        "output_low", "output_high", "swing", "base", "range_source") if c in df]
    return make_table("tornado", df, ctx, title="What drives the result: one-way sensitivity analysis",
                      columns=keep, notes=standard_notes(ctx) + " Each parameter at the ends of its range "
                      "(95% interval of its distribution unless the scenario gives low/high), others at base.")


def gsa_table(name: str, df: pd.DataFrame, ctx: TableContext, *, title: str) -> ReportTable:
    """Sobol or Morris indices (columns output, parameter, S1, S1_conf, ST, ST_conf or mu_star, ...)."""
    df = df.copy()
    if "parameter" in df:
        df.insert(df.columns.get_loc("parameter") + 1, "description",
                  df["parameter"].map(lambda p: ctx.parameters.get(p, "") or ""))
    return make_table(name, df, ctx, title=title)


# --------------------------------------------------------------------------------------------
# Assumptions


def describe_distribution(dist) -> str:
    """Plain description of a parameter's distribution, e.g. 'beta: mean 0.5, SD 0.2; 95% range 0.13 to 0.87'."""
    if dist is None or getattr(dist, "name", "") == "fixed":
        return "fixed (no uncertainty)"
    name = getattr(dist, "name", type(dist).__name__)
    if name == "bootstrap":
        reps = getattr(dist, "replicates", None)
        lo, hi = dist.interval(0.95)
        n = f" ({reps.size:,} replicates)" if reps is not None else ""
        return f"bootstrap of the service-use data{n}; 95% range {_num(lo)} to {_num(hi)}"
    if getattr(dist, "dimension", 1) > 1:
        return f"{name} over {dist.dimension} components (they sum to 1)"
    text = f"{name}: mean {_num(dist.mean)}, SD {_num(dist.sd)}"
    try:
        lo, hi = dist.interval(0.95)
        text += f"; 95% range {_num(lo)} to {_num(hi)}"
    except (AttributeError, NotImplementedError, ValueError):  # pragma: no cover - every univariate has interval
        pass
    return text


def assumptions_table(parameters, ctx: TableContext) -> ReportTable:
    """Every parameter: type, value, unit, distribution, description and source.

    Parameters
    ----------
    parameters : econ.model.parameters.ParameterSet
    ctx : TableContext

    Returns
    -------
    ReportTable
        Rows in three groups: ``input`` (numbers and distributions written in the scenario or read
        from cost tables), ``from data`` (service-use statistics, uncertain by bootstrap) and
        ``calculated`` (expressions of other parameters: the value column holds the formula).
    """
    rows, kinds = [], []
    groups = {"input": [], "from data": [], "calculated": []}
    for p in parameters.parameters.values():
        if p.is_derived:
            group, value, kind = "calculated", p.expression.text, "text"
        else:
            group = "from data" if getattr(p.distribution, "name", "") == "bootstrap" else "input"
            if np.ndim(p.point) == 0:
                value, kind = float(p.point), "number"
            else:
                value, kind = ", ".join(_num(v) for v in np.asarray(p.point, dtype=float)), "text"
        dist = "calculated from other parameters" if p.is_derived else describe_distribution(p.distribution)
        if p.low is not None or p.high is not None:
            dist += f"; sensitivity range {_num(p.low) if p.low is not None else '-'} to " \
                    f"{_num(p.high) if p.high is not None else '-'}"
        groups[group].append(({"type": group, "parameter": p.name, "description": p.description or "",
                               "value": value, "unit": p.unit or "", "distribution": dist,
                               "source": " ".join((p.source or "").split())}, kind))
    for g in groups.values():
        for row, kind in g:
            rows.append(row)
            kinds.append(kind)
    frame = pd.DataFrame(rows, columns=["type", "parameter", "description", "value", "unit", "distribution",
                                        "source"])
    cols = tuple(Column(k, COLUMNS[k][0], "row" if k == "value" else "text") for k in frame.columns)
    notes = (f"{ctx.money_note()}. Values are base-case (point) values; distributions are used in the "
             "probabilistic analysis. 'from data': statistics of the service-use data, uncertain by bootstrap.")
    if ctx.synthetic:
        notes += " SYNTHETIC DATA: illustrates the method; not evidence."
    return ReportTable("assumptions", "Assumptions: every parameter, its value and source", frame, cols,
                       tuple(kinds), notes, ctx.currency, ctx.n_cycles, group_columns=1)


# --------------------------------------------------------------------------------------------
# Cell formatting
