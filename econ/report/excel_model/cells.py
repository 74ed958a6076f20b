"""Cell helpers for the Excel model: inert text, references, sheet names, styles.

Every string that comes from a scenario (names, labels, sources, units) is written with
:func:`put_text`: data type ``s`` and the quote prefix, so a spreadsheet shows it as text and never
runs it as a formula, whatever it starts with (``=``, ``+``, ``-``, ``@``). Only formulas this
package builds are written with :func:`put_formula`.
"""
from __future__ import annotations

import re

from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

BOLD = Font(bold=True)
TITLE = Font(bold=True, size=14)
INPUT_FILL = PatternFill("solid", fgColor="FFF2CC")  # editable cells: pale yellow
FORMULA_FILL = PatternFill("solid", fgColor="E2EFDA")  # derived cells: pale green
WARN_FONT = Font(bold=True, color="C00000")

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\']")


def put_text(ws, row: int, col: int, text, *, font=None):
    """Write ``text`` as an inert string (never a formula) and return the cell."""
    cell = ws.cell(row=row, column=col)
    cell.value = "" if text is None else str(text)
    cell.data_type = "s"
    cell.quotePrefix = True
    if font is not None:
        cell.font = font
    return cell


def put_number(ws, row: int, col: int, value: float, *, fill=None, fmt: str | None = None):
    cell = ws.cell(row=row, column=col)
    cell.value = float(value)
    if fill is not None:
        cell.fill = fill
    if fmt:
        cell.number_format = fmt
    return cell


def put_formula(ws, row: int, col: int, formula: str, *, fill=None, fmt: str | None = None):
    """Write a formula built by this package (``formula`` without the leading ``=``).

    Raises FormulaError if it is longer than a spreadsheet accepts (a derived parameter that changes
    with the cycle is written out wherever it is used, so deep chains of them can grow long).
    """
    from econ.report.excel_model.formulas import MAX_FORMULA_LENGTH, FormulaError

    if len(formula) > MAX_FORMULA_LENGTH:
        raise FormulaError(f"sheet '{ws.title}', cell {get_column_letter(col)}{row}: the formula would be "
                           f"{len(formula)} characters; spreadsheets accept at most {MAX_FORMULA_LENGTH} "
                           "(simplify the time-varying derived parameters it uses)")
    cell = ws.cell(row=row, column=col)
    cell.value = "=" + formula
    if fill is not None:
        cell.fill = fill
    if fmt:
        cell.number_format = fmt
    return cell


def col(c: int) -> str:
    return get_column_letter(c)


def ref(row: int, c: int, *, sheet: str | None = None, absolute: bool = True) -> str:
    """A cell reference, e.g. ``'Inputs'!$B$5`` or ``C7``."""
    a = f"${col(c)}${row}" if absolute else f"{col(c)}{row}"
    return f"{quote_sheet(sheet)}!{a}" if sheet else a


def span(r1: int, c1: int, r2: int, c2: int, *, sheet: str | None = None) -> str:
    a = f"{col(c1)}{r1}:{col(c2)}{r2}"
    return f"{quote_sheet(sheet)}!{a}" if sheet else a


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def sheet_names(strategies, reserved=("Read me", "Inputs", "Results", "Checks")) -> dict:
    """A valid, unique sheet name for each strategy (at most 31 characters, no []:*?/\\')."""
    used = {r.lower() for r in reserved}
    out = {}
    for i, s in enumerate(strategies, 1):
        base = _BAD_SHEET_CHARS.sub("_", str(s)).strip() or f"strategy {i}"
        name = base[:31]
        k = 2
        while name.lower() in used:
            suffix = f" ({k})"
            name = base[: 31 - len(suffix)] + suffix
            k += 1
        used.add(name.lower())
        out[s] = name
    return out


def widths(ws, sizes: dict) -> None:
    for c, w in sizes.items():
        ws.column_dimensions[col(c)].width = w
