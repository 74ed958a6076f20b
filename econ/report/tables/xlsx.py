"""XLSX workbook of report tables: number formats, a metadata sheet and one sheet per table."""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np

from econ.report.files import FORMULA_PREFIXES, write_atomic
from econ.report.text import SYNTHETIC_BANNER, _is_missing, format_cell
from econ.report.tables.context import CURRENCY_SYMBOLS, XLSX_FORMATS, _MONEY
from econ.report.tables.base import ReportTable


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

    return ILLEGAL_CHARACTERS_RE.sub("", str(value))


def _set_text(cell, value: Any) -> None:
    """Write text as a string cell, never typed as a formula. Text that a spreadsheet would read as a
    formula (``=``, ``+``, ``-``, ``@``) keeps its own characters and gets the cell's quote prefix (the
    hidden apostrophe of Excel and LibreOffice), so it stays text when edited and shows no literal
    apostrophe (CSV, which has no cell types, is neutralised with a visible one instead)."""
    text = _xlsx_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_PREFIXES):
        cell.quotePrefix = True


def _set_value(cell, value: Any, kind: str, currency: str, horizon: int | None = None) -> None:
    if isinstance(value, str) or kind == "text":
        if _is_missing(value):
            return
        _set_text(cell, value)
        return
    if isinstance(value, (bool, np.bool_)):
        _set_text(cell, "yes" if value else "no")
        return
    if _is_missing(value) or not np.isfinite(float(value)):
        if kind == "month" and horizon or kind == "attribution":
            # what the terminal and the other formats say ("not within 36", "never (no effect)"), not a blank
            _set_text(cell, format_cell(value, kind, horizon=horizon))
        return
    x = float(value)
    if kind == "attribution" and not 0 <= x <= 1:  # 'never (772% needed)', as the terminal says
        _set_text(cell, format_cell(x, kind))
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
                _set_value(ws.cell(row=i, column=j), value, kind, t.currency, t.horizon)
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
