"""Result tables for report authors: labels, units and rounding, rendered to CSV, XLSX, Markdown and LaTeX.

A package by table group: :mod:`.context` (formats, kinds, column vocabulary, :class:`TableContext`),
:mod:`.base` (:class:`ReportTable`, labels of codes, :func:`make_table`, notes), :mod:`.results` (headline,
comparison, budget, values, occupancy), :mod:`.uncertainty` (bands, tornado, GSA, assumptions), :mod:`.text_formats`
(display rows, CSV, Markdown, LaTeX), :mod:`.xlsx` and :mod:`.export` (:func:`export_tables`). Every name of the
former single module is importable from here.
"""
# Every name the former single module defined or imported from econ, private ones included.
from econ.report.text import (MEASURE_LABELS, PERSPECTIVE_LABELS, SYNTHETIC_BANNER, _is_missing, _num, format_cell)
from econ.report.files import (neutralise_cell, write_atomic)
from econ.report.tables.context import (FORMATS, KINDS, MEASURE_KINDS, CURRENCY_SYMBOLS, COLUMNS, XLSX_FORMATS,
                                        _NUMERIC_KINDS, _MONEY, TableContext, context_for, _SETTINGS, _PREFIXES,
                                        _describe_parameter)
from econ.report.tables.base import (Column, ReportTable, measure_label, measure_kind, _OUTPUT, output_kind,
                                     output_label, _label_codes, _row_kinds, make_table, _infer_kind, horizon_text,
                                     discount_text, standard_notes)
from econ.report.tables.results import (headline_table, headline_detail_table, comparison_table, budget_report_table,
                                        values_table, occupancy_table, frontier_table, cost_consequence_table)
from econ.report.tables.budget_impact import budget_impact_table, budget_impact_view
from econ.report.tables.uncertainty import (band_table, parameter_units, share_parameters, tornado_labels,
                                            tornado_table, gsa_table, describe_distribution, assumptions_table)
from econ.report.tables.text_formats import (display_rows, numeric_columns, labelled_frame, render_csv, _MD_SPECIAL,
                                             _MD_UNDERSCORE, escape_markdown, render_markdown, _TEX_ESCAPES, _TEX_RE,
                                             LONGTABLE_ROWS, escape_latex, _tex_cell, render_latex)
from econ.report.tables.xlsx import (xlsx_number_format, _xlsx_text, _set_text, _set_value, _flatten, metadata_rows,
                                     _autosize, _header, xlsx_bytes, write_xlsx)
from econ.report.tables.export import (parse_formats, export_tables)

__all__ = ["FORMATS", "KINDS", "COLUMNS", "Column", "ReportTable", "TableContext", "context_for", "make_table",
           "headline_table", "headline_detail_table", "comparison_table", "budget_report_table", "budget_impact_table",
           "budget_impact_view", "values_table",
           "occupancy_table", "band_table", "parameter_units", "share_parameters", "tornado_labels", "tornado_table",
           "gsa_table", "assumptions_table",
           "describe_distribution", "format_cell", "display_rows", "labelled_frame", "render_csv", "render_markdown",
           "render_latex", "escape_markdown", "escape_latex", "xlsx_bytes", "write_xlsx", "metadata_rows",
           "xlsx_number_format", "parse_formats", "export_tables", "measure_label", "output_label", "output_kind",
           "standard_notes", "frontier_table", "cost_consequence_table"]
