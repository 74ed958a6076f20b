"""The ``Results``, ``Payback``, ``Checks`` and ``Read me`` sheets of the Excel model.

Results are formulas of the strategy sheets. The cost-offset measures follow
:mod:`econ.analysis.offset`: delivery cost D = sum of delivery values minus the reference's;
offset by category O_k = -(sum of the category's cost values minus the reference's) over the
perspective's sectors; cost offset O = sum_k O_k; net cost N = D - O; return (BCR) O / D; net ROI
BCR - 1; SROI-style ratio (see :func:`sroi_formula`). The
break-even attribution is written as a * D / O (a the attribution cell): the attribution at which
N = 0 when the offset is proportional to the attribution and the delivery cost does not depend on
it, as in the peer-support model. The Checks sheet sets it against the engine's value (found by
re-evaluating the model at attribution 0 and 1), so a model where that does not hold shows it.
"""
from __future__ import annotations

import math

from econ.report.excel_model.cells import (BOLD, FORMULA_FILL, TITLE, WARN_FONT, put_formula, put_number,
                                           put_text, ref, span, widths)
from econ.scenario.schema import PERSPECTIVES, sector_counts

#: Relative difference between workbook and engine accepted by the Checks sheet's status cell.
CHECK_TOLERANCE = 1e-9


def offset_layout(compiled, perspective: str) -> tuple[list, dict]:
    """(delivery value names, category -> value names) under a perspective (as econ.analysis.offset.layout)."""
    co = compiled.loaded.spec.cost_offset
    sectors = set(PERSPECTIVES[perspective])
    cats: dict = {}
    for v in compiled.values:
        if v.kind != "cost" or v.name in co.delivery:
            continue
        if v.sector in sectors:
            cats.setdefault(v.category or v.name, []).append(v.name)
    sector = {v.name: v.sector for v in compiled.values}
    return [n for n in co.delivery if sector_counts(sector[n], perspective)], cats


def headline_formulas(compiled, cells: dict, inputs, strategy: str, perspective: str, discounted: bool) -> list:
    """[(measure, formula)] of one strategy's cost-offset measures against the reference."""
    pos = 0 if discounted else 1
    ref_s = compiled.reference

    def inc(names) -> str:
        return "+".join(f"({cells[strategy].totals[n][pos]}-{cells[ref_s].totals[n][pos]})" for n in names) or "0"

    delivery, cats = offset_layout(compiled, perspective)
    out = [("delivery_cost", inc(delivery))]
    for cat, names in cats.items():
        out.append((f"offset_{cat}", f"-({inc(names)})"))
    return out


def outcome_formulas(compiled, cells: dict, strategy: str, discounted: bool) -> list:
    """[(measure, formula)] of the outcomes next to the cost offset (as econ.analysis.offset): the gain of each
    of ``cost_offset.outcomes``, the net cost per unit gained (not for outcomes valued in money), and the
    net monetary benefit at GBP 20,000 and 30,000 per unit of the ``icer`` effect. ``@name`` is a measure
    written above it."""
    from econ.analysis.cea import DEFAULT_THRESHOLDS

    spec = compiled.loaded.spec
    pos = 0 if discounted else 1
    ref_s = compiled.reference
    out = []
    for o in spec.cost_offset.outcomes:
        out.append((f"gain_{o}", f"{cells[strategy].totals[o][pos]}-{cells[ref_s].totals[o][pos]}"))
        if not (spec.values[o].unit if o in spec.values else "").startswith(spec.settings.currency):
            out.append((f"cost_per_{o}", f'IF(@gain_{o}<>0,@net_cost/@gain_{o},"n/a")'))
    effect = compiled.icer[1] if compiled.icer is not None else None
    if effect in spec.cost_offset.outcomes:
        out += [(f"nmb_{lam:.0f}", f"{lam:.0f}*@gain_{effect}-@net_cost") for lam in DEFAULT_THRESHOLDS]
    return out


def sroi_formula(compiled, cells: dict, strategy: str, perspective: str, discounted: bool) -> str:
    """The SROI-style ratio as a formula (``@cost_offset`` and ``@delivery_cost`` stand for their cells).

    As :func:`econ.analysis.offset.sroi_ratio`: (1 - deadweight)(1 - attribution)(1 - displacement) x the
    savings of each year weighted by (1 - drop_off)^(year - 1), over the delivery cost. Without drop-off
    the weights are equal and the savings are the cost offset; with it, each year's savings are summed
    from the strategy sheets' per-cycle columns.
    """
    sroi = compiled.loaded.spec.cost_offset.sroi
    keep = repr((1.0 - sroi.deadweight) * (1.0 - sroi.attribution) * (1.0 - sroi.displacement))
    if sroi.drop_off == 0:
        return f'IF(@delivery_cost<>0,{keep}*@cost_offset/@delivery_cost,"n/a")'
    pos = 1 if discounted else 0
    sc, rc = cells[strategy], cells[compiled.reference]
    _delivery, cats = offset_layout(compiled, perspective)
    members = [n for names in cats.values() for n in names]
    T = compiled.model.n_cycles
    year = [int(math.floor((t - 1) * compiled.model.cycle_years + 1e-9)) for t in range(1, T + 1)]
    def total(c, n, t0, t1) -> str:  # one value's amounts in cycles t0..t1 of one strategy sheet
        return f"SUM({span(c.first_row + t0, c.per_cycle[n][pos], c.first_row + t1, c.per_cycle[n][pos], sheet=c.sheet)})"

    terms = []
    for y in sorted(set(year)):
        t0, t1 = year.index(y) + 1, len(year) - year[::-1].index(y)
        sums = "+".join(f"{total(sc, n, t0, t1)}-{total(rc, n, t0, t1)}" for n in members) or "0"
        terms.append(f"{(1.0 - sroi.drop_off) ** y!r}*(-({sums}))")
    return f'IF(@delivery_cost<>0,{keep}*({"+".join(terms)})/@delivery_cost,"n/a")'


def write_payback(wb, compiled, cells: dict) -> dict:
    """Payback sheet: cumulative net cost per cycle against the reference, and the first cycle it is <= 0.

    As :func:`econ.analysis.offset.cumulative_net_cost`: the net cost of cycle t is the increment of
    the delivery values plus that of the perspective's other cost values. Returns
    (perspective, discounting, strategy) -> reference of the payback cycle ("n/a" if none).
    """
    co = compiled.loaded.spec.cost_offset
    ws = wb.create_sheet("Payback")
    put_text(ws, 1, 1, f"Payback: cumulative net cost per person against {compiled.reference}", font=TITLE)
    put_text(ws, 2, 1, "Row 'payback cycle': the first cycle whose cumulative net cost is <= 0 (n/a: none within "
                       "the horizon).")
    T = compiled.model.n_cycles
    put_text(ws, 4, 1, "perspective", font=BOLD)
    put_text(ws, 5, 1, "discounting", font=BOLD)
    put_text(ws, 6, 1, "strategy", font=BOLD)
    put_text(ws, 7, 1, "payback cycle", font=BOLD)
    put_text(ws, 8, 1, "cycle", font=BOLD)
    first = 9
    for t in range(1, T + 1):
        put_number(ws, first + t - 1, 1, t)
    found = {}
    c = 2
    ref_cells = cells[compiled.reference]
    for persp in co.perspectives:
        delivery, cats = offset_layout(compiled, persp)
        members = list(delivery) + [n for names in cats.values() for n in names]
        for pos, label in ((1, "discounted"), (0, "undiscounted")):
            for s in compiled.model.strategy_names:
                if s == compiled.reference:
                    continue
                sc = cells[s]
                for rr, text in ((4, persp), (5, label), (6, s)):
                    put_text(ws, rr, c, text)
                put_text(ws, 8, c, "cumulative net cost")
                put_text(ws, 8, c + 1, "cycle if <= 0")
                for t in range(1, T + 1):
                    r = first + t - 1
                    net = "+".join(f"({ref(sc.first_row + t, sc.per_cycle[n][pos], sheet=sc.sheet)}"
                                   f"-{ref(ref_cells.first_row + t, ref_cells.per_cycle[n][pos], sheet=ref_cells.sheet)})"
                                   for n in members) or "0"
                    prev = f"{ref(r - 1, c, absolute=False)}+" if t > 1 else ""
                    put_formula(ws, r, c, f"{prev}{net}", fmt="#,##0.00")
                    put_formula(ws, r, c + 1, f'IF({ref(r, c, absolute=False)}<=0,$A{r},"")')
                flags = span(first, c + 1, first + T - 1, c + 1)
                put_formula(ws, 7, c, f'IF(COUNT({flags})=0,"n/a",MIN({flags}))', fill=FORMULA_FILL)
                found[(persp, label, s)] = ref(7, c, sheet="Payback")
                c += 2
    widths(ws, {1: 16})
    ws.freeze_panes = "B9"
    return found


#: Headline measures that are not multiplied by the population (ratios, shares, a month).
_NOT_PER_POPULATION = ("roi", "break_even_attribution", "payback_month", "share_beyond_window")


def _window(wb, compiled, cells: dict) -> dict:
    """The Window sheet's references (share of savings beyond the observed window), {} without an effect block."""
    if compiled.loaded.spec.effect is None:
        return {}
    from econ.report.excel_model.window import write_window

    return write_window(wb, compiled, cells)


def write_results(wb, compiled, cells: dict, inputs) -> dict:
    """Results sheet; returns (kind, strategy, measure, discounting, perspective) -> workbook reference."""
    ws = wb.create_sheet("Results")
    put_text(ws, 1, 1, f"Results: {compiled.name}", font=TITLE)
    spec = compiled.loaded.spec
    cur = spec.settings.currency + (f" {spec.settings.price_year}" if spec.settings.price_year else "")
    put_text(ws, 2, 1, f"Per person; money in {cur}; base case (point values); live formulas of the other sheets")
    if compiled.synthetic:
        put_text(ws, 3, 1, "SYNTHETIC DATA: results illustrate the method and are not evidence.", font=WARN_FONT)
    found: dict = {}
    strategies = compiled.model.strategy_names
    r = 5
    for pos, disc in ((0, "discounted"), (1, "undiscounted")):
        put_text(ws, r, 1, f"Totals per person, {disc}", font=BOLD)
        r += 1
        put_text(ws, r, 1, "output", font=BOLD)
        for c, s in enumerate(strategies, 2):
            put_text(ws, r, c, s, font=BOLD)
        r += 1
        for name in compiled.output_names:
            put_text(ws, r, 1, name)
            for c, s in enumerate(strategies, 2):
                put_formula(ws, r, c, cells[s].totals[name][pos], fmt="#,##0.00")
                found[("total", s, name, disc, "")] = ref(r, c, sheet="Results")
            r += 1
        r += 1
    co = spec.cost_offset
    if co is not None:
        put_text(ws, r, 1, f"Headline: cost offset against {compiled.reference}", font=BOLD)
        r += 1
        for c, h in enumerate(("perspective", "discounting", "strategy", "measure", "per participant",
                               "population"), 1):
            put_text(ws, r, c, h, font=BOLD)
        r += 1
        payback, beyond = write_payback(wb, compiled, cells), _window(wb, compiled, cells)
        pop = inputs.columns.get(co.population) if co.population else None
        attr = inputs.columns.get(co.attribution) if co.attribution else None
        for persp in co.perspectives:
            for disc in (True, False):
                label = "discounted" if disc else "undiscounted"
                for s in strategies:
                    if s == compiled.reference:
                        continue
                    rows = {}
                    items = headline_formulas(compiled, cells, inputs, s, persp, disc)
                    here = lambda name: ref(rows[name], 5, absolute=False)  # noqa: E731
                    offsets = [m for m, _f in items if m.startswith("offset_")]
                    items += [("cost_offset", "+".join(f"@{m}" for m in offsets) or "0"),
                              ("net_cost", "@delivery_cost-@cost_offset"),
                              ("roi", 'IF(@delivery_cost<>0,@cost_offset/@delivery_cost,"n/a")'),
                              ("bcr", 'IF(@delivery_cost<>0,@cost_offset/@delivery_cost,"n/a")'),
                              ("net_roi", 'IF(ISNUMBER(@bcr),@bcr-1,"n/a")')]
                    if co.sroi is not None:
                        items.append(("sroi_ratio", sroi_formula(compiled, cells, s, persp, disc)))
                    items.append(("payback_month", payback[(persp, label, s)]))
                    items += [("share_beyond_window", beyond[(persp, label, s)])] if beyond else []
                    if attr:
                        items.append(("break_even_attribution",
                                      f'IF(@cost_offset<>0,{attr}*@delivery_cost/@cost_offset,"n/a")'))
                    items += outcome_formulas(compiled, cells, s, disc)
                    for measure, formula in items:
                        rows[measure] = r
                        for name in sorted(rows, key=len, reverse=True):
                            formula = formula.replace(f"@{name}", here(name))
                        put_text(ws, r, 1, persp)
                        put_text(ws, r, 2, label)
                        put_text(ws, r, 3, s)
                        put_text(ws, r, 4, measure)
                        put_formula(ws, r, 5, formula, fmt="#,##0.00")
                        per_pop = measure not in _NOT_PER_POPULATION and not measure.startswith("cost_per_")
                        if pop and per_pop:
                            put_formula(ws, r, 6, f"E{r}*{pop}", fmt="#,##0")
                        found[("headline", s, measure, label, persp)] = ref(r, 5, sheet="Results")
                        r += 1
        put_text(ws, r + 1, 1, "Break-even attribution = attribution x delivery cost / cost offset: exact when the "
                               "offset is proportional to the attribution (see Checks for the engine's value). "
                               "Payback month: the first cycle with cumulative net cost <= 0 (sheet Payback). "
                               "Budget by financial year and PSA: run the model in Python (see Read me).")
    widths(ws, {1: 34, 2: 16, 3: 16, 4: 30, 5: 16, 6: 16})
    return found


def _engine_values(compiled, evaluation, headline) -> dict:
    out = {}
    for k, s in enumerate(evaluation.strategies):
        for o, name in enumerate(evaluation.outputs):
            out[("total", s, name, "discounted", "")] = float(evaluation.totals[0, k, o])
            out[("total", s, name, "undiscounted", "")] = float(evaluation.totals_undiscounted[0, k, o])
    if headline is not None:
        for row in headline.itertuples(index=False):
            out[("headline", row.strategy, row.measure, row.discounting, row.perspective)] = float(row.per_participant)
    return out


def write_checks(wb, compiled, cells: dict, found: dict, evaluation, headline) -> None:
    """Checks sheet: row sums of every matrix, shares, and the engine's results next to the workbook's."""
    ws = wb.create_sheet("Checks")
    put_text(ws, 1, 1, f"Checks: {compiled.name}", font=TITLE)
    put_text(ws, 2, 1, "Every transition row must sum to 1 and every probability lie in [0, 1]; the engine's "
                       "figures are those of the Python model for the inputs as written (they do not change when "
                       "you edit Inputs).")
    r = 4
    for c, h in enumerate(("strategy", "check", "min", "max", "largest deviation from 1"), 1):
        put_text(ws, r, c, h, font=BOLD)
    r += 1
    dev_cells = []
    for s in compiled.model.strategy_names:
        sc = cells[s]
        if sc.rowsums:
            checks = [("transition row sums", sc.rowsums), ("initial shares", None)]
        else:
            checks = [("mixture shares", None)]
        for what, rng in checks:
            put_text(ws, r, 1, s)
            put_text(ws, r, 2, what)
            if rng:
                put_formula(ws, r, 3, f"MIN({rng})")
                put_formula(ws, r, 4, f"MAX({rng})")
            else:
                total = sc.initial_sum if sc.rowsums else "+".join(w for _c, w in sc.weights)
                put_formula(ws, r, 3, total)
                put_formula(ws, r, 4, total)
            put_formula(ws, r, 5, f"MAX(ABS(D{r}-1),ABS(1-C{r}))", fill=FORMULA_FILL)
            dev_cells.append(f"E{r}")
            r += 1
    r += 1
    put_text(ws, r, 1, "Engine against workbook", font=BOLD)
    r += 1
    for c, h in enumerate(("kind", "strategy", "output or measure", "discounting", "perspective", "engine",
                           "workbook", "difference", "relative difference"), 1):
        put_text(ws, r, c, h, font=BOLD)
    r += 1
    engine = _engine_values(compiled, evaluation, headline)
    first = r
    for key, wref in found.items():
        for c, text in enumerate(key, 1):
            put_text(ws, r, c, text)
        value = engine.get(key)
        if value is None or not math.isfinite(value):
            put_text(ws, r, 6, "n/a")
        else:
            put_number(ws, r, 6, value)
        put_formula(ws, r, 7, wref)
        put_formula(ws, r, 8, f'IF(AND(ISNUMBER(F{r}),ISNUMBER(G{r})),G{r}-F{r},"")')
        put_formula(ws, r, 9, f'IF(ISNUMBER(H{r}),IF(F{r}=0,ABS(H{r}),ABS(H{r})/ABS(F{r})),"")')
        r += 1
    put_text(ws, 3, 6, "largest relative difference", font=BOLD)
    put_formula(ws, 3, 7, f"MAX({span(first, 9, max(first, r - 1), 9)})")
    put_text(ws, 3, 8, "largest row-sum deviation", font=BOLD)
    put_formula(ws, 3, 9, "MAX(" + ",".join(dev_cells) + ")" if dev_cells else "0")
    put_formula(ws, 3, 10, f'IF(AND(G3<={CHECK_TOLERANCE!r},I3<={CHECK_TOLERANCE!r}),"OK","CHECK")')
    widths(ws, {1: 22, 2: 24, 3: 30, 4: 14, 5: 14, 6: 18, 7: 18, 8: 14, 9: 18})


def write_readme(wb, compiled, sheets: dict) -> None:
    """Read me sheet: what the workbook is, scenario files and hashes, price year, how to use it."""
    ws = wb.create_sheet("Read me", 0)
    spec = compiled.loaded.spec
    st = spec.settings
    lines = [("title", f"Self-calculating model: {compiled.name}")]
    if compiled.synthetic:
        lines.append(("warn", "SYNTHETIC DATA: this model reads synthetic (made-up) data; its results "
                              "illustrate the method and are not evidence."))
    lines += [
        ("", spec.metadata.description or ""),
        ("", ""),
        ("bold", "Scenario"),
        ("", f"file: {compiled.loaded.path}"),
    ]
    from econ.model.results import relative_to_scenario

    for f in compiled.loaded.files:  # paths relative to the scenario's folder (no local folders)
        lines.append(("", f"sha256 {f.sha256}  {relative_to_scenario(f.path, compiled.loaded.path)}"))
    for d in compiled.data_files:
        lines.append(("", f"data: sha256 {d.get('sha256', '')}  {relative_to_scenario(d.get('path', ''), compiled.loaded.path)}"
                          + ("  (SYNTHETIC)" if d.get("synthetic") else "")))
    for o in compiled.loaded.overrides:
        lines.append(("", f"override (--set): {o}"))
    lines += [
        ("", f"price year: {st.price_year or 'not stated'}; currency: {st.currency}"),
        ("", f"{st.n_cycles} cycles of one {st.cycle_length}; counting: {st.cycle_correction}; first cycle "
             f"{'discounted' if st.discount_first_cycle else 'not discounted'}; reference strategy: "
             f"{compiled.reference}"),
        ("", ""),
        ("bold", "How to use"),
        ("", "Inputs: change any yellow cell; every other cell is a formula and recalculates."),
        ("", "One sheet per strategy: " + ", ".join(sheets.values()) + ". Each shows its parameters, the "
             "transition matrix used in every cycle, the trace (x_t = x_(t-1) P_t by SUMPRODUCT), what is "
             "counted per cycle, discount factors, amounts and totals."),
        ("", "Results: totals per strategy and the cost-offset headline (Payback: cumulative net cost). Checks: row sums, and the Python "
             "engine's figures next to the workbook's (they agree to a relative 1e-9 for the inputs as written)."),
        ("", "Base case only: probabilistic sensitivity analysis (PSA) stays in Python: "
             "python run_model.py psa <scenario> --out <folder> writes its results (draws, intervals, "
             "acceptability) into that folder."),
        ("", "Text from the scenario is written as text, never as formulas."),
    ]
    for r, (kind, text) in enumerate(lines, 1):
        font = {"title": TITLE, "warn": WARN_FONT, "bold": BOLD}.get(kind)
        put_text(ws, r, 1, text, font=font)
    widths(ws, {1: 140})
