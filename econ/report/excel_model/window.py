"""The ``Window`` sheet of the Excel model: the share of the savings beyond the data's observed window.

As :func:`econ.analysis.offset.saving_beyond_window`: the saving of cycle t is minus the increment of
the perspective's non-delivery cost values against the reference; each cycle's share outside the
``effect`` block's follow-up window (column B, from ``econ.model.effect.window_inside``) weights it, and
the share is SUMPRODUCT(saving, outside) / SUM(saving).
"""
from __future__ import annotations

from econ.model.effect import window_inside
from econ.report.excel_model.cells import BOLD, FORMULA_FILL, TITLE, put_formula, put_number, put_text, ref, span, widths
from econ.report.excel_model.summary import offset_layout


def write_window(wb, compiled, cells: dict) -> dict:
    """Window sheet; returns (perspective, discounting, strategy) -> reference of the share beyond the window."""
    spec = compiled.loaded.spec
    ws = wb.create_sheet("Window")
    put_text(ws, 1, 1, f"Savings beyond the observed window ({spec.effect.follow_up_months:g} months of follow-up) "
                       f"per person against {compiled.reference}", font=TITLE)
    put_text(ws, 2, 1, "Row 'share beyond window': SUMPRODUCT(saving, share of the cycle outside the window) / "
                       "SUM(saving); column B: share of each cycle after the follow-up window (effect block).")
    T = compiled.model.n_cycles
    for row, text in ((4, "perspective"), (5, "discounting"), (6, "strategy"), (7, "share beyond window"),
                      (8, "cycle")):
        put_text(ws, row, 1, text, font=BOLD)
    put_text(ws, 8, 2, "outside window", font=BOLD)
    first = 9
    outside = 1.0 - window_inside(spec)
    for t in range(1, T + 1):
        put_number(ws, first + t - 1, 1, t)
        put_number(ws, first + t - 1, 2, float(outside[t - 1]))
    weights = span(first, 2, first + T - 1, 2)
    found, c, ref_cells = {}, 3, cells[compiled.reference]
    for persp in spec.cost_offset.perspectives:
        _, cats = offset_layout(compiled, persp)
        members = [n for names in cats.values() for n in names]
        for pos, label in ((1, "discounted"), (0, "undiscounted")):
            for s in compiled.model.strategy_names:
                if s == compiled.reference:
                    continue
                sc = cells[s]
                for row, text in ((4, persp), (5, label), (6, s), (8, "saving")):
                    put_text(ws, row, c, text)
                for t in range(1, T + 1):
                    inc = "+".join(f"({ref(sc.first_row + t, sc.per_cycle[n][pos], sheet=sc.sheet)}"
                                   f"-{ref(ref_cells.first_row + t, ref_cells.per_cycle[n][pos], sheet=ref_cells.sheet)})"
                                   for n in members) or "0"
                    put_formula(ws, first + t - 1, c, f"-({inc})", fmt="#,##0.00")
                saving = span(first, c, first + T - 1, c)
                put_formula(ws, 7, c, f'IF(SUM({saving})<>0,SUMPRODUCT({saving},{weights})/SUM({saving}),"n/a")',
                            fill=FORMULA_FILL)
                found[(persp, label, s)] = ref(7, c, sheet="Window")
                c += 1
    widths(ws, {1: 20, 2: 14})
    ws.freeze_panes = "C9"
    return found
