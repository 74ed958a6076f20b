"""The ``Inputs`` sheet: every independent parameter as an editable value, with unit, source and
status; settings the formulas read (cycle length, discount rates); and the derived parameters that
every strategy shares, as formulas referencing those cells.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from econ.report.excel_model.cells import (BOLD, FORMULA_FILL, INPUT_FILL, TITLE, put_formula, put_number,
                                           put_text, ref, widths)
from econ.report.excel_model.formulas import to_formula

SHEET = "Inputs"
_HEAD = ("parameter", "value", "unit", "source", "status", "description", "distribution (PSA, in Python)",
         "expression")


@dataclass
class InputCells:
    """Where each name the formulas read lives on the Inputs sheet."""

    columns: dict = field(default_factory=dict)  # parameter column -> absolute reference
    derived: dict = field(default_factory=dict)  # shared derived parameter -> absolute reference
    rates: dict = field(default_factory=dict)  # discount rate per year (float) -> absolute reference
    cycle_years: str = ""
    rows: dict = field(default_factory=dict)  # name -> row (parameters and derived)


def status_of(source: str) -> str:
    """published / assumption / synthetic / unsourced (or a table's own status), from a source text.

    A table row's status is in its source as ``[status; ...]`` (see
    :mod:`econ.model.table_parameters`); otherwise SYNTHETIC, then 'assumption', in the text decide.
    """
    s = (source or "").lower()
    if "synthetic" in s:
        return "synthetic"
    m = re.search(r"\[([a-z_ ]+);", s)
    if m:
        return m.group(1).strip()
    if not s.strip():
        return "unsourced"
    if "assumption" in s:
        return "assumption"
    return "published"


def _dist_text(p) -> str:
    d = p.distribution
    if d is None or getattr(d, "name", "") == "fixed":
        return "fixed"
    return str(getattr(d, "name", type(d).__name__))


def time_dependent(exprs: dict) -> set:
    """Derived names whose value changes with cycle, time or time in state (directly or through others)."""
    out: set = set()
    changed = True
    builtin = {"cycle", "time", "time_in_state"}
    while changed:
        changed = False
        for nm, e in exprs.items():
            if nm not in out and (e.names & builtin or e.names & out):
                out.add(nm)
                changed = True
    return out


def shared_derived(compiled) -> list:
    """Global derived parameters that no strategy-local name reaches and that do not change with time."""
    pset = compiled.parameters
    local: set = set()
    from econ.model.indexed_parameters import local_names

    for s in compiled.loaded.spec.strategies.values():
        local |= local_names(compiled.loaded, s)
    exprs = {p.name: p.expression for p in pset.derived}
    timed = time_dependent(exprs)
    bad = set(local) | timed
    changed = True
    while changed:
        changed = False
        for nm, e in exprs.items():
            if nm not in bad and e.names & bad:
                bad.add(nm)
                changed = True
    from econ.model.parameters import order_derived

    return [nm for nm in order_derived(exprs) if nm not in bad]


def write_inputs(wb, compiled) -> InputCells:
    """Fill the Inputs sheet and return where each name lives."""
    ws = wb.create_sheet(SHEET)
    cells = InputCells()
    put_text(ws, 1, 1, f"Inputs: {compiled.name}", font=TITLE)
    put_text(ws, 3, 1, "Edit the yellow cells; green cells are formulas of them.")
    put_text(ws, 2, 1, "Values are the base case (point values). Sources and status as given in the scenario "
                       "and its tables.")
    for c, h in enumerate(_HEAD, 1):
        put_text(ws, 4, c, h, font=BOLD)
    r = 5
    for p in compiled.parameters.independent:
        points = list(p.point) if p.components != (p.name,) else [p.point]
        for comp, v in zip(p.components, points):
            put_text(ws, r, 1, comp)
            put_number(ws, r, 2, float(v), fill=INPUT_FILL)
            put_text(ws, r, 3, p.unit)
            put_text(ws, r, 4, p.source)
            put_text(ws, r, 5, status_of(p.source))
            put_text(ws, r, 6, p.description if comp == p.name else f"{p.description} (component of {p.name})")
            put_text(ws, r, 7, _dist_text(p))
            cells.columns[comp] = ref(r, 2, sheet=SHEET)
            cells.rows[comp] = r
            r += 1
    r += 1
    put_text(ws, r, 1, "Settings", font=BOLD)
    r += 1
    st = compiled.loaded.spec.settings
    put_text(ws, r, 1, "cycle_years")
    put_number(ws, r, 2, compiled.model.cycle_years, fill=INPUT_FILL)
    put_text(ws, r, 3, "years per cycle")
    put_text(ws, r, 6, f"cycle length: one {st.cycle_length}")
    cells.cycle_years = ref(r, 2, sheet=SHEET)
    r += 1
    for rate in sorted({v.discount_rate for v in compiled.values}):
        users = [v.name for v in compiled.values if v.discount_rate == rate]
        put_text(ws, r, 1, f"discount rate {rate:g}")
        put_number(ws, r, 2, rate, fill=INPUT_FILL)
        put_text(ws, r, 3, "per year")
        put_text(ws, r, 6, "discount rate of: " + ", ".join(users))
        cells.rates[rate] = ref(r, 2, sheet=SHEET)
        r += 1
    r += 1
    put_text(ws, r, 1, "Derived parameters shared by every strategy", font=BOLD)
    r += 1
    pset = compiled.parameters
    resolve = _resolver(cells)
    for nm in shared_derived(compiled):
        p = pset[nm]
        put_text(ws, r, 1, nm)
        cells.derived[nm] = ref(r, 2, sheet=SHEET)
        put_formula(ws, r, 2, to_formula(p.expression, resolve), fill=FORMULA_FILL)
        put_text(ws, r, 3, p.unit)
        put_text(ws, r, 4, p.source)
        put_text(ws, r, 6, p.description)
        put_text(ws, r, 8, p.expression.text)
        cells.rows[nm] = r
        r += 1
    widths(ws, {1: 34, 2: 16, 3: 22, 4: 60, 5: 12, 6: 40, 7: 14, 8: 50})
    ws.freeze_panes = "B5"
    return cells


def _resolver(cells: InputCells):
    def resolve(name: str) -> str:
        if name == "cycle_years":
            return cells.cycle_years
        if name in cells.derived:
            return cells.derived[name]
        return cells.columns[name]

    return resolve
