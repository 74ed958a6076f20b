"""Text renderings of a report table: display rows, CSV, Markdown and LaTeX."""
from __future__ import annotations

import re

import pandas as pd

from econ.report.text import format_cell
from econ.report.tables.context import _NUMERIC_KINDS
from econ.report.tables.base import ReportTable


def display_rows(table: ReportTable, *, blank_repeats: bool = True) -> list[list[str]]:
    """Every cell of ``table`` as rounded text (see :func:`format_cell`).

    With ``blank_repeats``, a value of one of the ``group_columns`` equal to the one above (with the
    same groups to its left) is left blank.
    """
    rows = [[format_cell(v, k, horizon=table.horizon) for v, k in row] for row in table.cells()]
    if not blank_repeats or not table.group_columns:
        return rows
    out, previous = [], None
    for row in rows:
        shown = list(row)
        if previous is not None:
            for j in range(min(table.group_columns, len(row))):
                if row[: j + 1] != previous[: j + 1]:
                    break
                shown[j] = ""
        out.append(shown)
        previous = row
    return out


def numeric_columns(table: ReportTable) -> list[bool]:
    """Whether each column holds numbers (right-aligned)."""
    return [c.kind in _NUMERIC_KINDS and (c.kind != "row" or any(k != "text" for k in (table.row_kinds or ())))
            for c in table.columns]


# --------------------------------------------------------------------------------------------
# CSV
def labelled_frame(table: ReportTable) -> pd.DataFrame:
    """The table with header labels, text labelled and numbers unrounded (CSV and XLSX content)."""
    frame = table.frame[[c.key for c in table.columns]].copy()
    frame.columns = table.labels
    return frame


def render_csv(table: ReportTable) -> str:
    """CSV text of a table; formula-like text is neutralised."""
    from econ.report.files import neutralise_frame

    return neutralise_frame(labelled_frame(table)).to_csv(index=False, lineterminator="\n")


# --------------------------------------------------------------------------------------------
# Markdown
_MD_SPECIAL = re.compile(r"([\\`*\[\]<>|#])")
_MD_UNDERSCORE = re.compile(r"(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")


def escape_markdown(text: str) -> str:
    """Escape text for a Markdown table cell (pipes, emphasis, HTML brackets; newlines become spaces)."""
    text = " ".join(str(text).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_UNDERSCORE.sub(r"\\_", text)


def render_markdown(table: ReportTable) -> str:
    """A pipe table with a pandoc caption (``Table: title``) and the notes below it."""
    numeric = numeric_columns(table)
    head = "| " + " | ".join(escape_markdown(c) for c in table.labels) + " |"
    rule = "| " + " | ".join("---:" if n else "---" for n in numeric) + " |"
    body = ["| " + " | ".join(escape_markdown(c) if c else " " for c in row) + " |" for row in display_rows(table)]
    lines = [f"Table: {escape_markdown(table.title)}", "", head, rule, *body]
    if table.notes:
        lines += ["", escape_markdown(table.notes)]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------------------
# LaTeX
_TEX_ESCAPES = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "$": r"\$", "#": r"\#", "_": r"\_", "{": r"\{",
    "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}", "<": r"\textless{}", ">": r"\textgreater{}",
    "|": r"\textbar{}", "£": r"\pounds{}", "€": r"\texteuro{}", "\u2013": "--", "\u2014": "---",
}
_TEX_RE = re.compile("|".join(re.escape(k) for k in _TEX_ESCAPES))

#: Tables longer than this are written as ``longtable`` (they would not fit on one page).
LONGTABLE_ROWS = 40


def escape_latex(text: str) -> str:
    """Escape LaTeX special characters in text."""
    return _TEX_RE.sub(lambda m: _TEX_ESCAPES[m.group(0)], " ".join(str(text).split()))


def _tex_cell(text: str, numeric: bool) -> str:
    if numeric and text.startswith("-") and len(text) > 1:
        return "$-$" + escape_latex(text[1:])
    return escape_latex(text)


def render_latex(table: ReportTable) -> str:
    """A booktabs table (``tabular`` in a ``table`` float, or ``longtable`` when long) with caption and notes.

    Needs ``\\usepackage{booktabs}`` (and ``longtable`` for long tables) in the document preamble.
    """
    numeric = numeric_columns(table)
    spec = "".join("r" if n else "l" for n in numeric)
    head = " & ".join(escape_latex(c) for c in table.labels) + r" \\"
    body = [" & ".join(_tex_cell(c, n) for c, n in zip(row, numeric)) + r" \\" for row in display_rows(table)]
    label = f"tab:{table.name}"
    notes = [r"\par\smallskip\footnotesize " + escape_latex(table.notes)] if table.notes else []
    if len(body) > LONGTABLE_ROWS:
        lines = [rf"\begin{{longtable}}{{{spec}}}",
                 rf"\caption{{{escape_latex(table.title)}}}\label{{{label}}} \\",
                 r"\toprule", head, r"\midrule", r"\endfirsthead",
                 r"\toprule", head, r"\midrule", r"\endhead",
                 r"\bottomrule", r"\endlastfoot",
                 *body,
                 r"\end{longtable}"]
        if table.notes:
            lines += [r"{\footnotesize " + escape_latex(table.notes) + "}"]
        return "\n".join(lines) + "\n"
    lines = [r"\begin{table}[htbp]", r"\centering", rf"\caption{{{escape_latex(table.title)}}}",
             rf"\label{{{label}}}", rf"\begin{{tabular}}{{{spec}}}", r"\toprule", head, r"\midrule", *body,
             r"\bottomrule", r"\end{tabular}", *notes, r"\end{table}"]
    return "\n".join(lines) + "\n"
