"""A self-calculating Excel model of a compiled scenario: live formulas a commissioner can edit and check.

Sheets: ``Read me`` (files and hashes, price year, synthetic-data warning, how to use), ``Inputs``
(every parameter with value, unit, source and status; shared derived parameters as formulas),
one sheet per strategy (see :mod:`econ.report.excel_model.strategy`), ``Results`` (totals and the
cost-offset headline as formulas) and ``Checks`` (row sums; the engine's results next to the
workbook's, with their difference).

Reporting never computes: the engine's results (an :class:`~econ.model.evaluate.Evaluation` of
the base case, and the headline table of :func:`econ.analysis.offset.headline` when the scenario
has a ``cost_offset`` block) are passed in and only written to the Checks sheet. The workbook's
own numbers come from its formulas when a spreadsheet opens it (no cached values are stored).
"""
from __future__ import annotations

import io
from pathlib import Path

__all__ = ["excel_model", "build_workbook"]


def build_workbook(compiled, evaluation, headline=None):
    """The workbook of ``compiled`` (an openpyxl Workbook, not saved).

    openpyxl and the sheet writers are imported here, so ``import econ.report`` stays light.
    """
    from openpyxl import Workbook

    from econ.report.excel_model.cells import sheet_names
    from econ.report.excel_model.inputs import write_inputs
    from econ.report.excel_model.strategy import write_mixture, write_strategy
    from econ.report.excel_model.summary import write_checks, write_readme, write_results

    from econ.report.excel_model.formulas import FormulaError

    if getattr(compiled, "discount_timing", "cycle") != "cycle":
        raise FormulaError("the spreadsheet model discounts by cycle; settings.discount_timing: boundary is not "
                           "written to it (run with discount_timing: cycle for a workbook)")
    from econ.model.lookup import LookupExpression

    lookups = [p.name for p in compiled.parameters.derived if isinstance(p.expression, LookupExpression)]
    if lookups:
        raise FormulaError(f"parameters read from lookup tables ({', '.join(lookups)}) are not written to the "
                           f"spreadsheet model")
    wb = Workbook()
    wb.remove(wb.active)
    inputs = write_inputs(wb, compiled)
    names = sheet_names(compiled.model.strategy_names)
    cells: dict = {}
    model = compiled.model
    for k, strat in enumerate(model.strategies):
        if not strat.mixture:
            cells[strat.name] = write_strategy(wb, compiled, k, names[strat.name], inputs)
    for k, strat in enumerate(model.strategies):
        if strat.mixture:
            cells[strat.name] = write_mixture(wb, compiled, k, names[strat.name], inputs, cells)
    # sheets in strategy order, after Inputs
    order = ["Inputs"] + [names[s] for s in model.strategy_names]
    wb._sheets.sort(key=lambda ws: order.index(ws.title))
    found = write_results(wb, compiled, cells, inputs)
    write_checks(wb, compiled, cells, found, evaluation, headline)
    write_readme(wb, compiled, names)
    wb.active = 0
    wb.calculation.fullCalcOnLoad = True
    return wb


def excel_model(compiled, path, *, evaluation, headline=None) -> Path:
    """Write the self-calculating workbook of ``compiled`` to ``path`` (atomically) and return the path.

    Parameters
    ----------
    compiled : CompiledScenario
    path : str or Path
        The .xlsx file to write.
    evaluation : Evaluation
        The engine's base case of ``compiled`` (``econ.model.evaluate.evaluate(compiled)``), shown
        next to the workbook's results on the Checks sheet.
    headline : pandas.DataFrame, optional
        ``econ.analysis.offset.headline(compiled)`` for a scenario with a ``cost_offset`` block.
    """
    from econ.report.files import write_atomic

    wb = build_workbook(compiled, evaluation, headline)
    buf = io.BytesIO()
    wb.save(buf)
    return write_atomic(Path(path), buf.getvalue())
