"""Result tables for report authors: labels, units and rounding, rendered to CSV, XLSX, Markdown and LaTeX."""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from econ.report.files import neutralise_cell, write_atomic
from econ.report.text import (MEASURE_LABELS, PERSPECTIVE_LABELS, SYNTHETIC_BANNER, _is_missing, _num,
                   format_cell)

#: Output formats of :func:`export_tables`, in the order they are written.
FORMATS = ("csv", "xlsx", "md", "tex")

#: How the numbers of a column are shown. ``row`` means: the kind of each row (see ``ReportTable.row_kinds``).
KINDS = ("text", "money", "percent", "probability", "attribution", "ratio", "index", "number", "integer",
         "month", "row")

#: Kind of each cost-offset measure (``offset_<category>`` measures are money).
MEASURE_KINDS = {
    "delivery_cost": "money",
    "cost_offset": "money",
    "net_cost": "money",
    "roi": "ratio",
    "break_even_attribution": "attribution",
    "payback_month": "month",
}

#: Spreadsheet symbols of currencies; others are written after the number (``#,##0 "EUR"``).
CURRENCY_SYMBOLS = {"GBP": "£", "EUR": "€", "USD": "$"}

#: Label and kind of each column of the tidy vocabulary and of the analysis tables.
COLUMNS: dict[str, tuple[str, str]] = {
    "scenario": ("Scenario", "text"),
    "strategy": ("Strategy", "text"),
    "perspective": ("Perspective", "text"),
    "discounting": ("Discounting", "text"),
    "measure": ("Measure", "text"),
    "basis": ("Basis", "text"),
    "output": ("Output", "text"),
    "parameter": ("Parameter", "text"),
    "description": ("Description", "text"),
    "state": ("State", "text"),
    "category": ("Category", "text"),
    "service": ("Service", "text"),
    "value": ("Value", "row"),
    "unit": ("Unit", "text"),
    "distribution": ("Distribution", "text"),
    "source": ("Source", "text"),
    "type": ("Type", "text"),
    "range_source": ("Range from", "text"),
    "draw": ("Draw", "integer"),
    "cycle": ("Cycle", "integer"),
    "per_participant": ("Per person", "row"),
    "population": ("Whole programme", "row"),
    "population_mean": ("Whole programme (mean)", "row"),
    "financial_year": ("Financial year", "text"),
    "people_starting": ("People starting", "integer"),
    "delivery_cost": ("Programme cost", "money"),
    "cost_offset": ("Savings", "money"),
    "net_cost": ("Net cost", "money"),
    "cumulative_net_cost": ("Cumulative net cost", "money"),
    "share": ("Share of people", "percent"),
    "mean": ("Mean", "row"),
    "sd": ("SD", "row"),
    "mcse": ("Monte Carlo SE", "row"),
    "p2.5": ("2.5th percentile", "row"),
    "p97.5": ("97.5th percentile", "row"),
    "lower": ("Lower 95% limit", "row"),
    "upper": ("Upper 95% limit", "row"),
    "prob_negative": ("Probability below 0", "probability"),
    "prob_cost_saving": ("Probability of saving money", "probability"),
    "prob_roi_above_1": ("Probability savings exceed cost", "probability"),
    "mcse_cost_saving": ("Monte Carlo SE of the probability", "probability"),
    "n_draws": ("Draws", "integer"),
    "rel_mcse": ("Monte Carlo SE / mean", "probability"),
    "change": ("Distance from final mean (final SEs)", "ratio"),
    "inc_cost": ("Incremental cost", "money"),
    "inc_effect": ("Incremental effect", "number"),
    "icer": ("Cost per unit of effect (ICER)", "money"),
    "prob_dominant": ("Probability cheaper and more effective", "probability"),
    "prob_dominated": ("Probability dearer and less effective", "probability"),
    "wtp": ("Willingness to pay", "money"),
    "mean_nmb": ("Mean net monetary benefit", "money"),
    "prob_optimal": ("Probability cost-effective", "probability"),
    "on_frontier": ("Best on average", "text"),
    "evpi_per_person": ("EVPI per person", "money"),
    "evpi_population": ("EVPI, whole population", "money"),
    "base_value": ("Base value", "number"),
    "low_value": ("Low value", "number"),
    "high_value": ("High value", "number"),
    "output_low": ("Result at low value", "row"),
    "output_high": ("Result at high value", "row"),
    "swing": ("Swing", "row"),
    "base": ("Base-case result", "row"),
    "S1": ("First-order index", "index"),
    "S1_conf": ("First-order index, 95% half-width", "index"),
    "ST": ("Total-order index", "index"),
    "ST_conf": ("Total-order index, 95% half-width", "index"),
    "mu": ("Mean elementary effect", "row"),
    "mu_star": ("Mean absolute elementary effect (mu*)", "row"),
    "mu_star_conf": ("mu*, 95% half-width", "row"),
    "sigma": ("SD of elementary effects (sigma)", "row"),
}

#: Excel number formats per kind (money formats are built per currency by :func:`xlsx_number_format`).
XLSX_FORMATS = {
    "percent": "0%",
    "attribution": "0%",
    "probability": "0.0%",
    "ratio": "0.00",
    "index": "0.00",
    "number": "#,##0.####",
    "integer": "#,##0",
    "month": "0",
    "text": "@",
}

_NUMERIC_KINDS = frozenset(KINDS) - {"text"}

#: Kinds written with a currency unit in column headers and row labels.
_MONEY = "money"


# --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TableContext:
    """Labels and units of one scenario (or several merged), used to label every table.

    Attributes
    ----------
    scenario : str
        Scenario name(s), for captions.
    currency : str
        Currency code, e.g. ``GBP``.
    price_year : str or None
        Price year of all money, e.g. ``2023/24``.
    n_cycles : int or None
        Time horizon in cycles (used in "not within 36 months").
    cycle_length : str
        ``month``, ``year``, ...
    discount_rate : float or None
        Discount rate per year for costs.
    reference : str or None
        Code of the reference strategy.
    strategies, values, states, parameters : dict
        Code -> label (parameters: code -> description).
    value_kinds : dict
        Value or total name -> ``money`` (a cost) or ``number`` (an outcome).
    population : float or None
        People in the commissioned programme (the ``cost_offset.population`` parameter).
    synthetic : bool
        Any input is synthetic data.
    """

    scenario: str = ""
    currency: str = "GBP"
    price_year: str | None = None
    n_cycles: int | None = None
    cycle_length: str = "cycle"
    discount_rate: float | None = None
    reference: str | None = None
    strategies: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    value_kinds: Mapping[str, str] = field(default_factory=dict)
    states: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    population: float | None = None
    synthetic: bool = False

    def strategy(self, code: Any) -> str:
        return self.strategies.get(code, str(code))

    def money_unit(self) -> str:
        return self.currency

    def money_note(self) -> str:
        """'Money in GBP at 2023/24 prices'."""
        return f"Money in {self.currency}" + (f" at {self.price_year} prices" if self.price_year else "")

    def merged(self, other: "TableContext") -> "TableContext":
        """A context whose label dictionaries hold both (this one wins on clashes)."""
        return replace(self, scenario=", ".join(x for x in (self.scenario, other.scenario) if x),
                       strategies={**other.strategies, **self.strategies},
                       values={**other.values, **self.values},
                       value_kinds={**other.value_kinds, **self.value_kinds},
                       states={**other.states, **self.states},
                       parameters={**other.parameters, **self.parameters},
                       synthetic=self.synthetic or other.synthetic)


def context_for(compiled) -> TableContext:
    """The :class:`TableContext` of a compiled scenario (labels as written in its YAML)."""
    spec = compiled.loaded.spec
    st = spec.settings
    values = {v.name: (getattr(v, "label", None) or v.name) for v in compiled.values}
    kinds = {v.name: ("money" if v.kind == "cost" else "number") for v in compiled.values}
    for total, members in compiled.totals.items():
        values.setdefault(total, total.replace("_", " ").capitalize())
        member_kinds = {kinds.get(m) for m in members}
        kinds[total] = "money" if member_kinds == {"money"} else "number"
    population = None
    co = spec.cost_offset
    if co is not None and co.population and co.population in compiled.parameters.parameters:
        point = compiled.parameters[co.population].point
        population = float(point) if point is not None and np.ndim(point) == 0 else None
    return TableContext(
        scenario=spec.metadata.name, currency=st.currency, price_year=st.price_year, n_cycles=st.n_cycles,
        cycle_length=st.cycle_length, discount_rate=st.discount_rate_costs, reference=compiled.reference,
        strategies={name: (s.label or name) for name, s in spec.strategies.items()},
        values=values, value_kinds=kinds,
        states={name: (s.label or name) for name, s in spec.states.items()},
        parameters={p.name: p.description or _describe_parameter(p.name, values)
                    for p in compiled.parameters.parameters.values()},
        population=population, synthetic=bool(compiled.synthetic))


_SETTINGS = {"group": "group", "121": "one-to-one", "online": "online"}
_PREFIXES = {"r": "Fall in use of {v}", "u": "Use of {v} without peer support", "c": "Unit cost of {v}"}


def _describe_parameter(name: str, values: Mapping[str, str]) -> str:
    """A label for a parameter written without a description, from the naming conventions of STYLE.md.

    ``r_<value>[_<setting>]`` is the fall in use of a service, ``u_`` its use without peer support,
    ``c_`` its unit cost; anything else gets no label ('').
    """
    m = re.fullmatch(r"(?P<p>[ruc])_(?P<v>.+?)(?:_(?P<s>group|121|online))?", name)
    if not m or m.group("v") not in values:
        return ""
    label = values[m.group("v")]
    text = _PREFIXES[m.group("p")].format(v=label[:1].lower() + label[1:] if not label[:2].isupper() else label)
    return text + (f" ({_SETTINGS[m.group('s')]})" if m.group("s") else "")


@dataclass(frozen=True)
class Column:
    """One column of a :class:`ReportTable`: its key in the frame, header label and kind."""

    key: str
    label: str
    kind: str = "text"


@dataclass(frozen=True)
class ReportTable:
    """A result table with labels, kinds and notes, ready to render.

    Attributes
    ----------
    name : str
        File stem and sheet name (letters, digits, ``_``; at most 31 characters).
    title : str
        Caption.
    frame : pandas.DataFrame
        Unrounded values; its columns are the ``key`` of each column, in order.
    columns : tuple of Column
    row_kinds : tuple of str or None
        Kind of each row, used by columns of kind ``row`` (None: such columns are ``number``).
    notes : str
        Units, price year, discounting and anything else a reader needs.
    currency : str
    horizon : int or None
        Time horizon in cycles (a missing payback month reads "not within <horizon>").
    group_columns : int
        Leading columns that group rows: in Markdown, LaTeX and HTML a value equal to the one above
        is left blank (CSV and XLSX repeat it, so every row stands alone).
    """

    name: str
    title: str
    frame: pd.DataFrame
    columns: tuple
    row_kinds: tuple | None = None
    notes: str = ""
    currency: str = "GBP"
    horizon: int | None = None
    group_columns: int = 0

    def __post_init__(self) -> None:
        if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_]{0,30}", self.name):
            raise ValueError(f"table name must be letters, digits and _, at most 31 characters (got {self.name!r})")
        keys = [c.key for c in self.columns]
        missing = [k for k in keys if k not in self.frame.columns]
        if missing:
            raise ValueError(f"table {self.name}: columns {missing} are not in the frame")
        bad = [c.kind for c in self.columns if c.kind not in KINDS]
        if bad:
            raise ValueError(f"table {self.name}: unknown kinds {bad}; kinds: {', '.join(KINDS)}")
        if self.row_kinds is not None and len(self.row_kinds) != len(self.frame):
            raise ValueError(f"table {self.name}: {len(self.row_kinds)} row kinds for {len(self.frame)} rows")

    @property
    def labels(self) -> list[str]:
        return [c.label for c in self.columns]

    def kind_at(self, row: int, column: Column) -> str:
        """The kind of one cell (resolving ``row`` columns)."""
        if column.kind != "row":
            return column.kind
        return self.row_kinds[row] if self.row_kinds is not None else "number"

    def cells(self) -> list[list[tuple[Any, str]]]:
        """Rows of ``(value, kind)`` pairs in column order."""
        values = [self.frame[c.key].tolist() for c in self.columns]
        return [[(values[j][i], self.kind_at(i, c)) for j, c in enumerate(self.columns)]
                for i in range(len(self.frame))]


# --------------------------------------------------------------------------------------------
# Labels of codes
def measure_label(measure: str, ctx: TableContext | None = None, *, unit: bool = True) -> str:
    """Plain-English label of a cost-offset measure, with its unit (e.g. 'Net cost (cost minus savings) (GBP)')."""
    currency = ctx.currency if ctx is not None else "GBP"
    if measure in MEASURE_LABELS:
        label = MEASURE_LABELS[measure]
    elif measure.startswith("offset_"):
        label = "Savings: " + measure.removeprefix("offset_").replace("_", " ")
    else:
        label = measure.replace("_", " ").capitalize()
    kind = measure_kind(measure)
    if unit and kind == _MONEY:
        label += f" ({currency})"
    return label


def measure_kind(measure: str) -> str:
    """Kind of a cost-offset measure (money unless listed in :data:`MEASURE_KINDS`)."""
    return MEASURE_KINDS.get(measure, _MONEY if measure.startswith("offset_") else "number")


_OUTPUT = re.compile(r"^(?P<what>[A-Za-z_][A-Za-z0-9_]*)(?:@(?P<persp>[a-z_]+))?:(?P<strategy>[A-Za-z0-9_]+)"
                     r"(?P<undisc>~u)?$")


def output_kind(name: str, ctx: TableContext) -> str:
    """Kind of a value/total name or of a named output (``net_cost:group``, ``inc_ly:comb``, ``icer:comb``)."""
    m = _OUTPUT.match(str(name))
    if not m:
        return ctx.value_kinds.get(name, "number")
    what = m.group("what")
    if what == "icer":
        return _MONEY
    if what in MEASURE_KINDS:
        return measure_kind(what)
    base = what[4:] if what.startswith("inc_") and what[4:] in ctx.value_kinds else what
    return ctx.value_kinds.get(base, "number")


def output_label(name: str, ctx: TableContext) -> str:
    """Plain-English label of a value/total or a named output.

    E.g. ``net_cost:group`` -> 'Net cost (cost minus savings), Group peer support'.
    """
    m = _OUTPUT.match(str(name))
    if not m:
        return ctx.values.get(name, str(name))
    what, persp, strategy = m.group("what"), m.group("persp"), m.group("strategy")
    if what == "icer":
        label = "Cost per unit of effect (ICER)"
    elif what in MEASURE_KINDS:
        label = measure_label(what, ctx, unit=False)
    elif what.startswith("inc_") and what[4:] in ctx.values:
        label = "Incremental " + ctx.values[what[4:]][:1].lower() + ctx.values[what[4:]][1:]
    else:
        label = ctx.values.get(what, what)
    parts = [label, ctx.strategy(strategy)]
    if persp:
        parts.append(PERSPECTIVE_LABELS.get(persp, persp))
    if m.group("undisc"):
        parts.append("undiscounted")
    return ", ".join(parts)


def _label_codes(df: pd.DataFrame, ctx: TableContext) -> pd.DataFrame:
    """Replace codes in the vocabulary columns (strategy, perspective, measure, state, output) by labels."""
    out = df.copy()
    if "strategy" in out:
        out["strategy"] = out["strategy"].map(ctx.strategy)
    if "perspective" in out:
        out["perspective"] = out["perspective"].map(lambda p: PERSPECTIVE_LABELS.get(p, p) if p else "")
    if "measure" in out:
        out["measure"] = out["measure"].map(lambda m: measure_label(m, ctx))
    if "state" in out:
        out["state"] = out["state"].map(lambda s: ctx.states.get(s, s))
    if "output" in out:
        out["output"] = out["output"].map(lambda o: output_label(o, ctx))
    if "discounting" in out:
        out["discounting"] = out["discounting"].map(lambda d: str(d).capitalize())
    if "on_frontier" in out:
        out["on_frontier"] = out["on_frontier"].map(lambda b: "yes" if bool(b) else "no")
    return out


def _row_kinds(df: pd.DataFrame, ctx: TableContext) -> tuple | None:
    if "measure" in df:
        return tuple(measure_kind(m) for m in df["measure"])
    if "output" in df:
        return tuple(output_kind(o, ctx) for o in df["output"])
    return None


def make_table(name: str, df: pd.DataFrame, ctx: TableContext, *, title: str, notes: str = "",
               columns: Sequence[str] | None = None, labels: Mapping[str, str] | None = None,
               kinds: Mapping[str, str] | None = None, row_kinds: Sequence[str] | None = None) -> ReportTable:
    """Label a tidy analysis table.

    Parameters
    ----------
    name : str
        File stem and sheet name.
    df : pandas.DataFrame
        A tidy table with columns from the shared vocabulary (see :data:`COLUMNS`); an index other
        than a RangeIndex is kept as leading columns.
    ctx : TableContext
    title, notes : str
    columns : sequence of str, optional
        Columns kept, in order (default: all).
    labels, kinds : mapping, optional
        Header labels and kinds that replace those of :data:`COLUMNS` for this table. Money columns
        get the currency in their header.
    row_kinds : sequence of str, optional
        Kind per row for ``row`` columns (default: from the ``measure`` or ``output`` column).

    Returns
    -------
    ReportTable
        Codes in ``strategy``, ``perspective``, ``measure``, ``state`` and ``output`` replaced by labels.
    """
    if not isinstance(df.index, pd.RangeIndex):
        df = df.reset_index()
    keep = list(columns) if columns is not None else list(df.columns)
    rk = tuple(row_kinds) if row_kinds is not None else _row_kinds(df, ctx)
    frame = _label_codes(df, ctx)[keep].reset_index(drop=True)
    labels, kinds = dict(labels or {}), dict(kinds or {})
    cols = []
    for key in keep:
        default_label, default_kind = COLUMNS.get(key, (str(key).replace("_", " ").capitalize(), None))
        kind = kinds.get(key, default_kind)
        if kind is None:
            kind = _infer_kind(frame[key])
        if kind == "row" and rk is None:
            kind = "number"
        label = labels.get(key, default_label)
        if kind == _MONEY and key not in labels:
            label = f"{label} ({ctx.currency})"
        cols.append(Column(str(key), label, kind))
    return ReportTable(name, title, frame, tuple(cols), rk if any(c.kind == "row" for c in cols) else None,
                       notes, ctx.currency, ctx.n_cycles)


def _infer_kind(s: pd.Series) -> str:
    if pd.api.types.is_bool_dtype(s):
        return "text"
    if pd.api.types.is_integer_dtype(s):
        return "integer"
    if pd.api.types.is_float_dtype(s):
        return "number"
    return "text"


# --------------------------------------------------------------------------------------------
# Builders of the standard tables
def horizon_text(ctx: TableContext) -> str:
    if not ctx.n_cycles:
        return ""
    unit = ctx.cycle_length
    return f"over {ctx.n_cycles} {unit}{'s' if ctx.n_cycles != 1 else ''}"


def discount_text(ctx: TableContext, discounting: str = "discounted") -> str:
    if discounting != "discounted":
        return "undiscounted"
    if ctx.discount_rate is None:
        return "discounted"
    return f"discounted at {ctx.discount_rate:.1%} a year"


def standard_notes(ctx: TableContext, *, discounting: str = "discounted", per_person: bool = True,
                   comparative: bool = True) -> str:
    """'Per person starting, against usual care, over 36 months. Money in GBP at 2023/24 prices, discounted ...'.

    ``comparative=False`` leaves out "against <reference>" (for absolute totals).
    """
    parts = []
    if per_person:
        ref = f", against {ctx.strategy(ctx.reference).lower()}" if ctx.reference and comparative else ""
        parts.append(f"Per person starting{ref}, {horizon_text(ctx)}".rstrip(", ") + ".")
    parts.append(f"{ctx.money_note()}, {discount_text(ctx, discounting)}.")
    if ctx.synthetic:
        parts.append("SYNTHETIC DATA: illustrates the method; not evidence.")
    return " ".join(parts)


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
            "net_cost", "roi", "break_even_attribution", "payback_month"]
        for m in order:
            if m not in per.index:
                continue
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp), "measure": measure_label(m, ctx),
                         **{s: float(per.loc[m, s]) for s in strategies}})
            kinds.append(measure_kind(m))
        if "net_cost" in pop.index and ctx.population is not None:
            rows.append({"perspective": PERSPECTIVE_LABELS.get(persp, persp),
                         "measure": f"Net cost for {ctx.population:,.0f} people ({ctx.currency})",
                         **{s: float(pop.loc["net_cost", s]) for s in strategies}})
            kinds.append(_MONEY)
    frame = pd.DataFrame(rows, columns=["perspective", "measure", *strategies])
    cols = (Column("perspective", "Perspective"), Column("measure", "Measure"),
            *(Column(s, ctx.strategy(s), "row") for s in strategies))
    notes = (standard_notes(ctx, discounting=discounting) + " Savings per GBP 1 spent above 1 means the programme "
             "pays for itself. Break-even attribution: the share of the observed change in service use that peer "
             "support must cause for savings to equal its cost.").replace("GBP", ctx.currency)
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
        "delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution", "payback_month"]
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
    """A strategy x value table (:attr:`econ.analysis.base_case.Results.summary` or ``.incremental``), values as rows.

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


def band_table(band: pd.DataFrame, ctx: TableContext, *, perspective: str | None = None) -> ReportTable:
    """Cumulative net cost per person by cycle with its 95% interval (columns strategy, cycle, mean, lower, upper)."""
    persp = f", {PERSPECTIVE_LABELS.get(perspective, perspective)}" if perspective else ""
    return make_table("cumulative_net_cost", band, ctx, title=f"Cumulative net cost per person over time{persp}",
                      columns=[c for c in ("strategy", "cycle", "mean", "lower", "upper") if c in band],
                      labels={"cycle": ctx.cycle_length.capitalize()},
                      kinds={"mean": _MONEY, "lower": _MONEY, "upper": _MONEY},
                      notes=standard_notes(ctx) + " Mean and 95% interval over the probabilistic draws.")


def tornado_table(tornado: pd.DataFrame, ctx: TableContext) -> ReportTable:
    """One-way sensitivity analysis (:func:`econ.analysis.dsa.oneway` output) with parameter descriptions."""
    df = tornado.copy()
    df.insert(df.columns.get_loc("parameter") + 1, "description",
              df["parameter"].map(lambda p: ctx.parameters.get(p, "") or ""))
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






def display_rows(table: ReportTable, *, blank_repeats: bool = True) -> list[list[str]]:
    """Every cell of ``table`` as rounded text (see :func:`format_cell`).

    With ``blank_repeats``, a value of one of the ``group_columns`` equal to the one above (with the
    same groups to its left) is left blank.
    """
    rows = [[format_cell(v, k, horizon=table.horizon) for v, k in row] for row in table.cells()]
    if not blank_repeats or not table.group_columns:
        return rows
    out, previous = [], None
    for row in rows:
        shown = list(row)
        if previous is not None:
            for j in range(min(table.group_columns, len(row))):
                if row[: j + 1] != previous[: j + 1]:
                    break
                shown[j] = ""
        out.append(shown)
        previous = row
    return out


def numeric_columns(table: ReportTable) -> list[bool]:
    """Whether each column holds numbers (right-aligned)."""
    return [c.kind in _NUMERIC_KINDS and (c.kind != "row" or any(k != "text" for k in (table.row_kinds or ())))
            for c in table.columns]


# --------------------------------------------------------------------------------------------
# CSV
def labelled_frame(table: ReportTable) -> pd.DataFrame:
    """The table with header labels, text labelled and numbers unrounded (CSV and XLSX content)."""
    frame = table.frame[[c.key for c in table.columns]].copy()
    frame.columns = table.labels
    return frame


def render_csv(table: ReportTable) -> str:
    """CSV text of a table; formula-like text is neutralised."""
    from econ.report.files import neutralise_frame

    return neutralise_frame(labelled_frame(table)).to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------------
# Markdown
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_markdown(text: str) -> str:
    """Escape text for a Markdown table cell (pipes, emphasis, HTML brackets; newlines become spaces)."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text)


def render_markdown(table: ReportTable) -> str:
    """A pipe table with a pandoc caption (``Table: title``) and the notes below it."""
    numeric = numeric_columns(table)
    head = "| " + " | ".join(escape_markdown(c) for c in table.labels) + " |"
    rule = "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"
    body = ["| " + " | ".join(escape_markdown(c) if c else " " for c in row) + " |" for row in display_rows(table)]
    lines = [f"Table: {escape_markdown(table.title)}", "", head, rule, *body]
    if table.notes:
        lines += ["", escape_markdown(table.notes)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# LaTeX
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
    "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", "£": r"\pounds{}", "€": r"\texteuro{}", "\u2013": "--", "\u2014": "---",
}
_TEX_RE = re.compile("|".join(re.escape(k) for k in _TEX_ESCAPES))

#: Tables longer than this are written as ``longtable`` (they would not fit on one page).
LONGTABLE_ROWS = 40


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters in text."""
    return _TEX_RE.sub(lambda m: _TEX_ESCAPES[m.group(0)], " ".join(str(text).split()))


def _tex_cell(text: str, numeric: bool) -> str:
    if numeric and text.startswith("-") and len(text) > 1:
        return "$-$" + escape_latex(text[1:])
    return escape_latex(text)


def render_latex(table: ReportTable) -> str:
    """A booktabs table (``tabular`` in a ``table`` float, or ``longtable`` when long) with caption and notes.

    Needs ``\\usepackage{booktabs}`` (and ``longtable`` for long tables) in the document preamble.
    """
    numeric = numeric_columns(table)
    spec = "".join("r" if n else "l" for n in numeric)
    head = " & ".join(escape_latex(c) for c in table.labels) + r" \\"
    body = [" & ".join(_tex_cell(c, n) for c, n in zip(row, numeric)) + r" \\" for row in display_rows(table)]
    label = f"tab:{table.name}"
    notes = [r"\par\smallskip\footnotesize " + escape_latex(table.notes)] if table.notes else []
    if len(body) > LONGTABLE_ROWS:
        lines = [rf"\begin{{longtable}}{{{spec}}}",
                 rf"\caption{{{escape_latex(table.title)}}}\label{{{label}}} \\",
                 r"\toprule", head, r"\midrule", r"\endfirsthead",
                 r"\toprule", head, r"\midrule", r"\endhead",
                 r"\bottomrule", r"\endlastfoot",
                 *body,
                 r"\end{longtable}"]
        if table.notes:
            lines += [r"{\footnotesize " + escape_latex(table.notes) + "}"]
        return "\n".join(lines) + "\n"
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{escape_latex(table.title)}}}",
             rf"\label{{{label}}}", rf"\begin{{tabular}}{{{spec}}}", r"\toprule", head, r"\midrule", *body,
             r"\bottomrule", r"\end{tabular}", *notes, r"\end{table}"]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# XLSX
def xlsx_number_format(kind: str, currency: str = "GBP") -> str:
    """The Excel number format of a kind (money in the table's currency, e.g. ``"£"#,##0``)."""
    if kind == _MONEY:
        symbol = CURRENCY_SYMBOLS.get(currency)
        if symbol:
            return f'"{symbol}"#,##0;-"{symbol}"#,##0'
        return f'#,##0 "{currency}";-#,##0 "{currency}"'
    return XLSX_FORMATS.get(kind, "General")


def _xlsx_text(value: Any) -> str:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    return ILLEGAL_CHARACTERS_RE.sub("", str(neutralise_cell(value)))


def _set_text(cell, value: Any) -> None:
    """Write text as an inline string: neutralised, and never typed as a formula."""
    cell.value = _xlsx_text(value)
    cell.data_type = "s"


def _set_value(cell, value: Any, kind: str, currency: str) -> None:
    if isinstance(value, str) or kind == "text":
        if _is_missing(value):
            return
        _set_text(cell, value)
        return
    if isinstance(value, (bool, np.bool_)):
        _set_text(cell, "yes" if value else "no")
        return
    if _is_missing(value):
        return
    x = float(value)
    if not np.isfinite(x):
        return
    cell.value = int(x) if kind in ("integer", "month") and x == int(x) else x
    cell.number_format = xlsx_number_format(kind, currency)


def _flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, Mapping):
        out = []
        for k, v in value.items():
            out.extend(_flatten(f"{prefix}.{k}" if prefix else str(k), v))
        return out
    if isinstance(value, (list, tuple)):
        if all(not isinstance(v, (Mapping, list, tuple)) for v in value):
            return [(prefix, " ".join(str(v) for v in value) if prefix.endswith("command_line")
                     else "; ".join(str(v) for v in value))]
        out = []
        for i, v in enumerate(value, start=1):
            out.extend(_flatten(f"{prefix}[{i}]", v))
        return out
    return [(prefix, "" if value is None else str(value))]


def metadata_rows(manifest: Mapping | None, tables: Sequence[ReportTable] = ()) -> list[tuple[str, str]]:
    """Rows (item, value) of the metadata sheet: the SYNTHETIC warning, the contents, then the manifest flattened."""
    manifest = dict(manifest or {})
    rows: list[tuple[str, str]] = []
    scenarios = manifest.get("scenarios", [])
    if any(s.get("synthetic") for s in scenarios if isinstance(s, Mapping)):
        rows.append(("SYNTHETIC DATA", SYNTHETIC_BANNER.strip("* ")))
    for t in tables:
        rows.append((f"sheet {t.name}", t.title + (f". {t.notes}" if t.notes else "")))
    for key, value in manifest.items():
        rows.extend(_flatten(key, value))
    return rows


def _autosize(ws, widths: list[int]) -> None:
    from openpyxl.utils import get_column_letter

    for j, w in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(j)].width = max(8, min(w + 2, 60))


def _header(ws, labels: Sequence[str]) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill

    fill = PatternFill("solid", fgColor="DCE6F1")
    for j, label in enumerate(labels, start=1):
        cell = ws.cell(row=1, column=j)
        _set_text(cell, label)
        cell.font = Font(bold=True)
        cell.fill = fill
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    ws.freeze_panes = "A2"


def xlsx_bytes(tables: Sequence[ReportTable], *, manifest: Mapping | None = None, synthetic: bool = False) -> bytes:
    """An XLSX workbook: one sheet per table (number formats, frozen header, filter), then ``metadata``.

    Parameters
    ----------
    tables : sequence of ReportTable
    manifest : mapping, optional
        The run manifest (:func:`econ.cli.main.manifest`): its content, flattened, fills the metadata sheet.
    synthetic : bool
        Colour every sheet tab orange (the data are synthetic).
    """
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    names = [t.name for t in tables]
    if len(set(names)) != len(names) or "metadata" in names:
        raise ValueError(f"sheet names must be unique and not 'metadata' (got {names})")
    for t in tables:
        ws = wb.create_sheet(t.name)
        _header(ws, t.labels)
        widths = [min(len(lab), 30) for lab in t.labels]
        for i, row in enumerate(t.cells(), start=2):
            for j, (value, kind) in enumerate(row, start=1):
                _set_value(ws.cell(row=i, column=j), value, kind, t.currency)
                if isinstance(value, str):
                    widths[j - 1] = max(widths[j - 1], min(len(value), 60))
                elif not _is_missing(value):
                    widths[j - 1] = max(widths[j - 1], 12)
        if t.frame.shape[0]:
            ws.auto_filter.ref = ws.dimensions
        _autosize(ws, widths)
        if synthetic:
            ws.sheet_properties.tabColor = "E36C09"
    ws = wb.create_sheet("metadata", 0)
    _header(ws, ["Item", "Value"])
    rows = metadata_rows(manifest, tables)
    from openpyxl.styles import Alignment, Font

    for i, (item, value) in enumerate(rows, start=2):
        _set_text(ws.cell(row=i, column=1), item)
        _set_text(ws.cell(row=i, column=2), value)
        ws.cell(row=i, column=2).alignment = Alignment(wrap_text=True, vertical="top")
        if item == "SYNTHETIC DATA":
            ws.cell(row=i, column=1).font = Font(bold=True, color="C00000")
            ws.cell(row=i, column=2).font = Font(bold=True, color="C00000")
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 110
    if synthetic:
        ws.sheet_properties.tabColor = "E36C09"
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def write_xlsx(path: str | Path, tables: Sequence[ReportTable], *, manifest: Mapping | None = None,
               synthetic: bool = False) -> Path:
    """Write :func:`xlsx_bytes` atomically to ``path``."""
    return write_atomic(path, xlsx_bytes(tables, manifest=manifest, synthetic=synthetic))


# --------------------------------------------------------------------------------------------
def parse_formats(text: str | Iterable[str]) -> list[str]:
    """``"csv,xlsx"`` -> ``["csv", "xlsx"]`` in :data:`FORMATS` order.

    Raises
    ------
    ValueError
        An unknown format (the message lists the known ones).
    """
    items = [s.strip().lower() for s in (text.split(",") if isinstance(text, str) else text) if s.strip()]
    bad = [s for s in items if s not in FORMATS]
    if bad or not items:
        raise ValueError(f"unknown table format {', '.join(bad) or '(none)'}; choose from {','.join(FORMATS)}")
    return [f for f in FORMATS if f in items]


def export_tables(folder: str | Path, tables: Sequence[ReportTable], *, formats: Sequence[str] = FORMATS,
                  manifest: Mapping | None = None, synthetic: bool = False,
                  xlsx_name: str = "tables.xlsx", subfolder: str = "tables") -> list[Path]:
    """Write every table in every format, atomically.

    A :class:`ReportTable` holds unrounded values with a label and a kind per column; each format
    renders the same labels and units:

    - CSV: labelled header, text labelled, numbers unrounded (proportions as fractions: 0.25 = 25%);
    - XLSX: one sheet per table, unrounded numbers with number formats (pounds, percentages), a
      frozen header row, and a ``metadata`` sheet from the run manifest;
    - Markdown (pipe tables with a pandoc ``Table:`` caption) and LaTeX (booktabs), rounded.

    Text a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab, CR) is neutralised
    in CSV and XLSX (:func:`econ.report.files.neutralise_cell`), and XLSX text cells are always
    inline strings, never formulas.

    Parameters
    ----------
    folder : path
        The run folder (from :func:`econ.report.files.prepare_run_folder`).
    tables : sequence of ReportTable
    formats : sequence of {"csv", "xlsx", "md", "tex"}
    manifest : mapping, optional
        Run manifest for the XLSX metadata sheet.
    synthetic : bool
        Flag the workbook as synthetic.

    Returns
    -------
    list of Path
        ``folder/tables.xlsx`` and ``folder/tables/<name>.<csv|md|tex>``, in the order written.
    """
    folder = Path(folder)
    written = []
    for fmt in formats:
        if fmt == "xlsx":
            written.append(write_xlsx(folder / xlsx_name, tables, manifest=manifest, synthetic=synthetic))
            continue
        for t in tables:
            path = folder / subfolder / f"{t.name}.{fmt}"
            if fmt == "csv":
                written.append(write_atomic(path, render_csv(t)))
            elif fmt == "md":
                written.append(write_atomic(path, render_markdown(t)))
            elif fmt == "tex":
                written.append(write_atomic(path, render_latex(t)))
            else:
                raise ValueError(f"unknown format {fmt!r}")
    return written


__all__ = [
    "FORMATS", "KINDS", "COLUMNS", "Column", "ReportTable", "TableContext", "context_for", "make_table",
    "headline_table", "headline_detail_table", "comparison_table", "budget_report_table", "values_table",
    "occupancy_table", "band_table", "tornado_table", "gsa_table", "assumptions_table", "describe_distribution",
    "format_cell", "display_rows", "labelled_frame", "render_csv", "render_markdown", "render_latex",
    "escape_markdown", "escape_latex", "xlsx_bytes", "write_xlsx", "metadata_rows", "xlsx_number_format",
    "parse_formats", "export_tables", "measure_label", "output_label", "output_kind", "standard_notes",
]
