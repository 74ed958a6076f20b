"""One sheet per strategy: transition matrix per cycle, trace by SUMPRODUCT, corrected occupancy,
discount factors, amounts per value and state, per-cycle amounts and totals, all as formulas.

Layout (rows below the totals and parameter blocks; one row per cycle boundary t = 0..T):
``cycle | time | P[i->j] (grouped by target j) | x[j] | row sum of i | w[j] | d per rate |
amount of value v in state s | amount of v in the cycle``. Row t holds the matrix used in cycle t
(time-varying cells are formulas of that row's cycle and time), the membership x_t = x_{t-1} P_t,
and what is counted in cycle t. Tunnel states appear expanded as ``state@k``.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from econ.report.excel_model.cells import (BOLD, FORMULA_FILL, TITLE, put_formula, put_number, put_text, ref,
                                           span, widths)
from econ.report.excel_model.formulas import FormulaError, to_formula
from econ.report.excel_model.inputs import InputCells, time_dependent


@dataclass
class StrategyCells:
    """References other sheets need."""

    sheet: str
    totals: dict = field(default_factory=dict)  # output -> (discounted ref, undiscounted ref)
    rowsums: str | None = None  # range of every row sum (ordinary strategies)
    initial_sum: str | None = None  # formula text: sum of the initial shares
    x_cols: list = field(default_factory=list)  # column of x[j]
    first_row: int = 0  # row of t = 0 (cycle t is on row first_row + t)
    per_cycle: dict = field(default_factory=dict)  # value -> (column undiscounted, column discounted)
    weights: list = field(default_factory=list)  # mixtures: (component, reference of its share)


class _Names:
    """Resolves names for one strategy: Inputs cells, this sheet's parameter cells, inlined formulas."""

    def __init__(self, inputs: InputCells, strategy, sheet: str):
        self.inputs = inputs
        self.exprs = dict(strategy.derived)
        self.timed = time_dependent(self.exprs)
        self.local: dict = {}
        self.sheet = sheet

    def resolver(self, row: int | None = None, tis: int = 1, initial: bool = False):
        def resolve(name: str) -> str:
            if name in ("cycle", "time"):
                if initial:
                    return "0"
                if row is None:
                    raise FormulaError(f"'{name}' needs a cycle row")
                return f"$A{row}" if name == "cycle" else f"$B{row}"
            if name == "time_in_state":
                return str(float(tis))
            if name == "cycle_years":
                return self.inputs.cycle_years
            if name in self.inputs.derived and name in self.exprs:
                return self.inputs.derived[name]
            if name in self.exprs:
                if name in self.timed:
                    return "(" + to_formula(self.exprs[name], resolve) + ")"
                return self.local[name]
            return self.inputs.columns[name]

        return resolve


def _header(ws, title: str, label: str, compiled) -> tuple[dict, int]:
    outputs, kind_of = compiled.output_names, compiled.kind_of
    put_text(ws, 1, 1, title, font=TITLE)
    put_text(ws, 2, 1, label)
    put_text(ws, 3, 1, f"Scenario: {compiled.name}")
    put_text(ws, 4, 1, "Totals per person over the horizon", font=BOLD)
    for c, h in enumerate(("output", "discounted", "undiscounted", "kind"), 1):
        put_text(ws, 5, c, h, font=BOLD)
    rows = {}
    for r, name in enumerate(outputs, 6):
        put_text(ws, r, 1, name)
        put_text(ws, r, 4, kind_of(name))
        rows[name] = r
    return rows, 6 + len(outputs) + 1


def _parameters(ws, names: _Names, r: int) -> int:
    put_text(ws, r, 1, "Parameters of this strategy (formulas; the time-varying ones are written into the cycle "
                       "table)", font=BOLD)
    r += 1
    for nm, expr in names.exprs.items():
        if nm in names.inputs.derived:
            continue
        put_text(ws, r, 1, nm)
        put_text(ws, r, 3, expr.text)
        if nm in names.timed:
            put_text(ws, r, 2, "varies by cycle")
        else:
            names.local[nm] = ref(r, 2, sheet=names.sheet)
            put_formula(ws, r, 2, to_formula(expr, names.resolver()), fill=FORMULA_FILL)
        r += 1
    return r + 1


def _occupancy(method: str, T: int, t: int, xref) -> str:
    """Formula of the membership counted in cycle t (see econ.model.accounting.cycle_occupancy)."""
    if method == "end":
        return xref(t)
    if method == "start":
        return xref(t - 1)
    if method == "trapezoid" or (method == "simpson" and T < 2):
        return f"({xref(t - 1)}+{xref(t)})*0.5"
    if method == "simpson":
        if t % 2 == 1 and t < T:
            return f"(5*{xref(t - 1)}+8*{xref(t)}-{xref(t + 1)})/12"
        return f"(-{xref(t - 2)}+8*{xref(t - 1)}+5*{xref(t)})/12"
    raise ValueError(f"unknown cycle correction '{method}'")


def write_strategy(wb, compiled, k: int, sheet: str, inputs: InputCells) -> StrategyCells:
    """An ordinary strategy's sheet (layout in the module notes).

    Length: the cycle table's column blocks share one set of column positions; split up, each part
    would need all of them passed in.
    """
    m = compiled.model
    strat = m.strategies[k]
    S, T = len(m.states), m.n_cycles
    ws = wb.create_sheet(sheet)
    names = _Names(inputs, strat, sheet)
    label = compiled.loaded.spec.strategies[strat.name].label or ""
    trow, r = _header(ws, f"Strategy: {strat.name}", label, compiled)
    r = _parameters(ws, names, r)
    H = r
    first = H + 1
    row_of = lambda t: first + t  # noqa: E731
    cP = 3
    cX = cP + S * S
    cR, cW = cX + S, cX + 2 * S
    rates = sorted(inputs.rates)
    cD = cW + S
    cA = cD + len(rates)
    amount_cols = []  # (value index, state, expr, column)
    c = cA
    for v_idx, v in enumerate(compiled.values):
        for s, expr in v.states[k]:
            amount_cols.append((v_idx, s, expr, c))
            c += 1
    cC = c
    pc = lambda i, j: cP + j * S + i  # noqa: E731
    heads = {1: "cycle", 2: "time (years)"}
    for j in range(S):
        for i in range(S):
            heads[pc(i, j)] = f"P {m.states[i]} -> {m.states[j]}"
        heads[cX + j] = f"x {m.states[j]}"
        heads[cR + j] = f"row sum {m.states[j]}"
        heads[cW + j] = f"counted {m.states[j]} ({compiled.correction})"
    for q, rate in enumerate(rates):
        heads[cD + q] = f"discount factor at {rate:g}"
    for v_idx, s, _e, cc in amount_cols:
        heads[cc] = f"{compiled.values[v_idx].name} per cycle in {m.states[s]}"
    for v_idx, v in enumerate(compiled.values):
        heads[cC + v_idx] = f"{v.name} in cycle"
        heads[cC + len(compiled.values) + v_idx] = f"{v.name} in cycle, discounted"
    for cc, h in heads.items():
        put_text(ws, H, cc, h, font=BOLD)

    xref = lambda t, j: ref(row_of(t), cX + j, absolute=False)  # noqa: E731
    written = [[e.to for e in row if e.expr is not None] for row in strat.rows]
    for t in range(T + 1):
        rr = row_of(t)
        put_number(ws, rr, 1, t)
        if t == 0:
            put_number(ws, rr, 2, 0.0)
        else:
            put_formula(ws, rr, 2, f"(A{rr}-1)*{inputs.cycle_years}")
    # initial membership
    init = names.resolver(initial=True)
    for j in range(S):
        parts = [to_formula(e, init) for idx, e, _o in strat.initial if idx == j]
        if parts:
            put_formula(ws, first, cX + j, "+".join(f"({p})" for p in parts))
        else:
            put_number(ws, first, cX + j, 0.0)
    for t in range(1, T + 1):
        rr = row_of(t)
        for i, row in enumerate(strat.rows):
            res = names.resolver(rr, m.time_in_state[i])
            targets = {e.to: e for e in row}
            for j in range(S):
                e = targets.get(j)
                if e is None:
                    put_number(ws, rr, pc(i, j), 0.0)
                elif e.expr is None:
                    others = [ref(rr, pc(i, jj), absolute=False) for jj in written[i]]
                    put_formula(ws, rr, pc(i, j), "1-(" + "+".join(others) + ")" if others else "1")
                else:
                    put_formula(ws, rr, pc(i, j), to_formula(e.expr, res))
            put_formula(ws, rr, cR + i, "SUM(" + ",".join(ref(rr, pc(i, j), absolute=False) for j in range(S)) + ")")
        for j in range(S):
            put_formula(ws, rr, cX + j, f"SUMPRODUCT({span(rr - 1, cX, rr - 1, cX + S - 1)},"
                                        f"{span(rr, pc(0, j), rr, pc(S - 1, j))})")
            put_formula(ws, rr, cW + j, _occupancy(compiled.correction, T, t, lambda tt, j=j: xref(tt, j)))
        for q, rate in enumerate(rates):
            e = f"A{rr}" if compiled.first_cycle_discounted else f"(A{rr}-1)"
            put_formula(ws, rr, cD + q, f"(1+((1+{inputs.rates[rate]})^{inputs.cycle_years}-1))^(-{e})")
        for v_idx, s, expr, cc in amount_cols:
            put_formula(ws, rr, cc, to_formula(expr, names.resolver(rr, m.time_in_state[s])))
        for v_idx, v in enumerate(compiled.values):
            parts = [f"{ref(rr, cW + s, absolute=False)}*{ref(rr, cc, absolute=False)}"
                     for vi, s, _e, cc in amount_cols if vi == v_idx]
            for i, j, expr in v.transitions[k]:
                b = to_formula(expr, names.resolver(rr, m.time_in_state[i]))
                parts.append(f"{xref(t - 1, i)}*{ref(rr, pc(i, j), absolute=False)}*({b})")
            put_formula(ws, rr, cC + v_idx, "+".join(parts) if parts else "0")
            q = rates.index(v.discount_rate)
            put_formula(ws, rr, cC + len(compiled.values) + v_idx,
                        f"{ref(rr, cC + v_idx, absolute=False)}*{ref(rr, cD + q, absolute=False)}")
    last = row_of(T)
    out = StrategyCells(sheet, rowsums=span(first + 1, cR, last, cR + S - 1, sheet=sheet),
                        initial_sum=f"SUM({span(first, cX, first, cX + S - 1, sheet=sheet)})",
                        x_cols=[cX + j for j in range(S)], first_row=first,
                        per_cycle={v.name: (cC + i, cC + len(compiled.values) + i) for i, v in enumerate(compiled.values)})
    _totals(ws, compiled, trow, out, lambda v_idx: (
        f"SUMPRODUCT({span(first + 1, cC + v_idx, last, cC + v_idx)},"
        f"{span(first + 1, cD + rates.index(compiled.values[v_idx].discount_rate), last, cD + rates.index(compiled.values[v_idx].discount_rate))})",
        f"SUM({span(first + 1, cC + v_idx, last, cC + v_idx)})"))
    widths(ws, {1: 30, 2: 14, 3: 40})
    ws.freeze_panes = ws.cell(row=first, column=3)
    return out


def _totals(ws, compiled, trow: dict, out: StrategyCells, value_formulas) -> None:
    """Write the totals block: each value from ``value_formulas(index)``, each total as a sum of values."""
    names = [v.name for v in compiled.values]
    for v_idx, name in enumerate(names):
        disc, undisc = value_formulas(v_idx)
        put_formula(ws, trow[name], 2, disc, fill=FORMULA_FILL)
        put_formula(ws, trow[name], 3, undisc, fill=FORMULA_FILL)
    for t_name, members in compiled.totals.items():
        idx = sorted({names.index(mm) for mm in members})
        for cc in (2, 3):
            parts = [ref(trow[names[i]], cc, absolute=False) for i in idx]
            put_formula(ws, trow[t_name], cc, "+".join(parts) if parts else "0", fill=FORMULA_FILL)
    for name, r in trow.items():
        out.totals[name] = (ref(r, 2, sheet=out.sheet), ref(r, 3, sheet=out.sheet))


def write_mixture(wb, compiled, k: int, sheet: str, inputs: InputCells, done: dict) -> StrategyCells:
    """A mixture: shares of its components, its totals and trace as share-weighted sums of theirs."""
    m = compiled.model
    strat = m.strategies[k]
    ws = wb.create_sheet(sheet)
    names = _Names(inputs, strat, sheet)
    label = compiled.loaded.spec.strategies[strat.name].label or ""
    trow, r = _header(ws, f"Mixture strategy: {strat.name}", label, compiled)
    r = _parameters(ws, names, r)
    put_text(ws, r, 1, "Shares of the components", font=BOLD)
    r += 1
    out = StrategyCells(sheet)
    init = names.resolver(initial=True)
    for comp, expr, _o in strat.mixture:
        cname = m.strategies[comp].name
        put_text(ws, r, 1, cname)
        put_formula(ws, r, 2, to_formula(expr, init), fill=FORMULA_FILL)
        put_text(ws, r, 3, expr.text)
        out.weights.append((cname, ref(r, 2, sheet=sheet)))
        r += 1
    r += 1
    comps = [(m.strategies[c].name, w) for (c, _e, _o), (_n, w) in zip(strat.mixture, out.weights)]

    def weighted(pick) -> str:
        return "+".join(f"{w}*{pick(done[c])}" for c, w in comps)

    names_v = [v.name for v in compiled.values]
    _totals(ws, compiled, trow, out, lambda v_idx: (weighted(lambda sc: sc.totals[names_v[v_idx]][0]),
                                                     weighted(lambda sc: sc.totals[names_v[v_idx]][1])))
    H = r
    put_text(ws, H, 1, "cycle", font=BOLD)
    for j, st in enumerate(m.states):
        put_text(ws, H, 3 + j, f"x {st}", font=BOLD)
    for t in range(m.n_cycles + 1):
        rr = H + 1 + t
        put_number(ws, rr, 1, t)
        for j in range(len(m.states)):
            put_formula(ws, rr, 3 + j, weighted(
                lambda sc, t=t, j=j: ref(sc.first_row + t, sc.x_cols[j], sheet=sc.sheet)))
    out.x_cols = [3 + j for j in range(len(m.states))]
    out.first_row = H + 1
    c0 = 3 + len(m.states)
    for v_idx, v in enumerate(compiled.values):
        out.per_cycle[v.name] = (c0 + 2 * v_idx, c0 + 2 * v_idx + 1)
        put_text(ws, H, c0 + 2 * v_idx, f"{v.name} in cycle", font=BOLD)
        put_text(ws, H, c0 + 2 * v_idx + 1, f"{v.name} in cycle, discounted", font=BOLD)
        for t in range(1, m.n_cycles + 1):
            for pos in (0, 1):
                put_formula(ws, H + 1 + t, c0 + 2 * v_idx + pos, weighted(
                    lambda sc, t=t, pos=pos, name=v.name: ref(sc.first_row + t, sc.per_cycle[name][pos], sheet=sc.sheet)))
    widths(ws, {1: 30, 2: 14, 3: 40})
    return out
