"""Report tables: columns, labels of codes, :func:`make_table` and the standard notes under a table."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Mapping, Sequence

import pandas as pd

from econ.report.text import MEASURE_LABELS, OUTCOME_MEASURE_PREFIXES, PERSPECTIVE_LABELS, outcome_measure_label
from econ.report.units import horizon_words, money_label, payback_label, roi_label
from econ.report.tables.context import COLUMNS, KINDS, MEASURE_KINDS, TableContext, _MONEY


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
    if measure == "roi":
        label = roi_label(currency)
    elif measure == "bcr":
        label = f"{roi_label(currency)} (benefit-cost ratio)"
    elif measure == "payback_month" and ctx is not None and ctx.cycle_length != "cycle":
        label = payback_label(ctx.cycle_length)
    elif measure in MEASURE_LABELS:
        label = MEASURE_LABELS[measure]
    elif measure.startswith("offset_"):
        label = "Savings: " + measure.removeprefix("offset_").replace("_", " ")
    elif measure.startswith(OUTCOME_MEASURE_PREFIXES):
        values = dict(ctx.values) if ctx is not None else {}
        label = outcome_measure_label(measure, values, currency, ctx.effect if ctx is not None else None)
        if measure.startswith("gain_") and ctx is not None and ctx.value_kinds.get(measure[5:]) == _MONEY:
            return label  # the value's label already states its money unit
    else:
        label = measure.replace("_", " ").capitalize()
    kind = measure_kind(measure, ctx)
    if unit and kind == _MONEY:
        label = money_label(label, currency)
    return label


def measure_kind(measure: str, ctx: TableContext | None = None) -> str:
    """Kind of a cost-offset measure (money unless listed in :data:`MEASURE_KINDS`).

    Outcome measures: ``cost_per_*`` and ``nmb_*`` are money; ``gain_<value>`` has the value's kind.
    """
    if measure.startswith(("cost_per_", "nmb_")):
        return _MONEY
    if measure.startswith("gain_"):
        return ctx.value_kinds.get(measure[5:], "number") if ctx is not None else "number"
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
        return tuple(measure_kind(m, ctx) for m in df["measure"])
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
    """'over 36 months (3 years)' (see :func:`econ.report.units.horizon_words`); '' without a horizon."""
    words = horizon_words(ctx.n_cycles, ctx.cycle_length)
    return f"over {words}" if words else ""


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
