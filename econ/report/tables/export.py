"""Writing report tables to a folder in the chosen formats."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Mapping, Sequence

from econ.report.files import write_atomic
from econ.report.tables.context import FORMATS
from econ.report.tables.base import ReportTable
from econ.report.tables.text_formats import render_csv, render_latex, render_markdown
from econ.report.tables.xlsx import write_xlsx


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
