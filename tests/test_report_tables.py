"""Report tables: golden Markdown and LaTeX, XLSX sheets and formats, formula neutralisation, atomic writes."""
from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from openpyxl import load_workbook

import econ
from econ.analysis.budget import budget_table
from econ.analysis.offset import headline
from econ.cli.main import main
from econ.report import files as report_files
from econ.report import tables as T
from econ.report.files import FORMULA_PREFIXES

from .conftest import DATA, SCENARIOS

GOLDEN = DATA / "golden"
#: Set to 1 to rewrite the golden files from the current code (then review the diff before committing).
REGEN = os.environ.get("PEER_ECON_REGEN_GOLDEN") == "1"
HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
INJECTION = '=HYPERLINK("http://example.invalid","x")'


@pytest.fixture(scope="module")
def side_by_side():
    return econ.compile_path(SCENARIOS / "side_by_side.yaml")


@pytest.fixture(scope="module")
def hiv():
    return econ.compile_path(HIV)


def tricky_table() -> T.ReportTable:
    """Every kind, missing values, negative zero and characters that Markdown and LaTeX must escape."""
    ctx = T.TableContext(scenario="tricky", currency="GBP", price_year="2023/24", n_cycles=36, cycle_length="month",
                         strategies={"a": "Option A & co", "b": "Option_B | 50% off"})
    frame = pd.DataFrame({
        "strategy": ["a", "b", "a"],
        "measure": ["net_cost", "break_even_attribution", "payback_month"],
        "per_participant": [-1234.4, 9.48, np.nan],
        "note": ["costs $5 #1 ~ ^x {y} \\z", "<b>bold</b> *star* `code`", "-0.0004"],
        "share": [0.125, np.nan, -0.0004],
    })
    return T.make_table("tricky", frame, ctx, title="Tricky: 100% & more_{x}",
                        kinds={"share": "probability", "note": "text"}, notes="Notes with % and _ and |.")


def golden_tables(side_by_side, hiv) -> dict:
    ctx = T.context_for(side_by_side)
    hiv_ctx = T.context_for(hiv)
    res = econ.run(hiv)
    return {
        "headline": T.headline_table(headline(side_by_side), ctx),
        "budget": T.budget_report_table(budget_table(side_by_side), ctx),
        "hiv_incremental": T.values_table(res.incremental, hiv_ctx, name="hiv_incremental",
                                          title="Chancellor HIV model: differences from monotherapy"),
        "tricky": tricky_table(),
    }


@pytest.mark.parametrize("fmt", ["md", "tex"])
def test_golden_markdown_and_latex(side_by_side, hiv, fmt):
    render = T.render_markdown if fmt == "md" else T.render_latex
    for name, table in golden_tables(side_by_side, hiv).items():
        path = GOLDEN / f"{name}.{fmt}"
        text = render(table)
        if REGEN:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
            continue
        assert path.exists(), f"missing golden file {path}; create it with PEER_ECON_REGEN_GOLDEN=1"
        assert text == path.read_text(encoding="utf-8"), (
            f"{path.name} differs from the golden file; if the change is intended, rerun with "
            "PEER_ECON_REGEN_GOLDEN=1 and review the diff")


def test_format_cell_rounding_and_missing_values():
    assert T.format_cell(-0.4, "money") == "0"  # no "-0"
    assert T.format_cell(-1234.5678, "money") == "-1,235"
    assert T.format_cell(0.3619, "attribution") == "36%"
    assert T.format_cell(9.48, "attribution") == "never (948% needed)"
    assert T.format_cell(-0.2, "attribution") == "never (costs rise with effect)"
    assert T.format_cell(float("nan"), "attribution") == "never (no effect)"
    assert T.format_cell(float("nan"), "month", horizon=36) == "never (not within 36)"
    assert T.format_cell(0.1744, "probability") == "17.4%"
    assert T.format_cell(1.3812, "ratio") == "1.38"
    assert T.format_cell(7.1e-15, "number") == "0"
    assert T.format_cell(1000.0, "number") == "1,000"
    assert T.format_cell(None, "money") == "-"


def test_escaping():
    assert T.escape_markdown("a|b *c* <d> snake_case _x_") == r"a\|b \*c\* \<d\> snake_case \_x\_"
    assert T.escape_latex("50% & $5 #1 a_b {x} ~ ^ \\ £") == (
        r"50\% \& \$5 \#1 a\_b \{x\} \textasciitilde{} \textasciicircum{} \textbackslash{} \pounds{}")


def test_labels_and_units_are_consistent_across_formats(side_by_side):
    ctx = T.context_for(side_by_side)
    table = T.headline_table(headline(side_by_side), ctx)
    md, tex, csv_text = T.render_markdown(table), T.render_latex(table), T.render_csv(table)
    for label in ("Cost of the programme (GBP)", "Break-even attribution", "Group peer support"):
        assert label in md and label in tex and label in csv_text
    # Rounded in Markdown and LaTeX, unrounded in CSV (proportions as fractions).
    # (issue 13: the RTM-adjusted default no longer breaks even, so a share is checked: 54% beyond 6 months)
    row = table.frame[table.frame.measure.str.startswith("Share of savings beyond")].iloc[0]
    assert "54%" in md and r"54\%" in tex and repr(float(row["group"]))[:8] in csv_text


def test_parse_formats():
    assert T.parse_formats("tex,csv") == ["csv", "tex"]
    with pytest.raises(ValueError, match="unknown table format pdf; choose from csv,xlsx,md,tex"):
        T.parse_formats("csv,pdf")


# --------------------------------------------------------------------------------------------
def _workbook_tables(side_by_side):
    ctx = T.context_for(side_by_side)
    from econ.analysis.psa import cost_saving, run_psa

    psa = run_psa(side_by_side, n_draws=50)
    return [T.headline_table(headline(side_by_side), ctx), T.budget_report_table(budget_table(side_by_side), ctx),
            T.make_table("cost_saving", cost_saving(psa), ctx, title="Chance of saving money"),
            T.assumptions_table(side_by_side.parameters, ctx)]


def test_xlsx_sheets_number_formats_frozen_header_and_metadata(side_by_side, peer_pre_post, tmp_path):
    tables = _workbook_tables(side_by_side)
    manifest = {"command_line": ["run_model.py", "report"], "scenarios": [
        econ.model.results.metadata_for(side_by_side, n_draws=50, seed=7).to_dict()]}
    path = T.write_xlsx(tmp_path / "tables.xlsx", tables, manifest=manifest, synthetic=True)
    wb = load_workbook(path)
    assert wb.sheetnames == ["metadata", "headline", "budget", "cost_saving", "assumptions"]
    for ws in wb.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        assert ws["A1"].font.bold
    head = wb["headline"]
    labels = [c.value for c in head[1]]
    assert labels[:3] == ["Perspective", "Measure", "Group peer support"]
    rows = {r[1].value: r for r in head.iter_rows(min_row=2)}
    money = rows["Cost of the programme (GBP)"][2]
    assert isinstance(money.value, float) and money.number_format == '"£"#,##0;-"£"#,##0'
    # the default (RTM-adjusted, attribution 1) has no break-even attribution in [0, 1] for group support
    # from the NHS and PSS perspective ("never", text) but has one from the societal perspective (the last
    # row of the label): the percent format is read where one exists, as in the before-after model of peer_pre_post
    break_evens = [r[2] for r in head.iter_rows(min_row=2) if r[1].value == "Break-even attribution"]
    assert str(break_evens[0].value).startswith("never")
    assert isinstance(break_evens[-1].value, float) and break_evens[-1].number_format == "0%"
    pre_post = load_workbook(T.write_xlsx(tmp_path / "pre_post.xlsx", _workbook_tables(peer_pre_post),
                                          manifest=manifest, synthetic=True))["headline"]
    break_even = {r[1].value: r for r in pre_post.iter_rows(min_row=2)}["Break-even attribution"][2]
    assert isinstance(break_even.value, float) and break_even.number_format == "0%"
    assert rows["Savings per GBP 1 spent (benefit-cost ratio)"][2].number_format == "0.00"
    assert rows["Net return on investment ((savings - cost) / cost)"][2].number_format == "0%"
    budget = wb["budget"]
    header = [c.value for c in budget[1]]
    assert budget.cell(row=2, column=header.index("People starting") + 1).number_format == "#,##0"
    assert budget.cell(row=2, column=header.index("Net cost (GBP)") + 1).number_format.startswith('"£"')
    cs = wb["cost_saving"]
    header = [c.value for c in cs[1]]
    assert cs.cell(row=2, column=header.index("Probability of saving money") + 1).number_format == "0.0%"
    meta = {r[0].value: r[1].value for r in wb["metadata"].iter_rows(min_row=2)}
    assert "SYNTHETIC" in meta["SYNTHETIC DATA"]
    assert meta["scenarios[1].scenario"] == "side_by_side"
    assert meta["scenarios[1].seed"] == "7"
    assert len(meta["scenarios[1].files[1].sha256"]) == 64
    assert meta["scenarios[1].versions.numpy"] == np.__version__
    assert meta["sheet headline"].startswith("Headline results")


def _scenario_with_injection(write_scenario) -> Path:
    """The HIV model with formula-like text in its name, a strategy label, a state label and a description."""
    spec = yaml.safe_load(HIV.read_text(encoding="utf-8"))
    spec["metadata"]["name"] = INJECTION
    spec["metadata"]["description"] = "+SUM(1,2) in a description"
    spec["strategies"]["comb"]["label"] = "@SUM(A1:A2)"
    first_state = next(iter(spec["states"]))
    spec["states"][first_state]["label"] = "-1+2"
    return write_scenario(spec, "injection.yaml")


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def _all_cells(wb):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row


def test_formula_like_text_is_inert_in_csv_and_xlsx(write_scenario, tmp_path, capsys):
    path = _scenario_with_injection(write_scenario)
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out), "--draws", "20", "--format", "csv,xlsx"]) == 0
    csv_files = sorted((out / "tables").glob("*.csv"))
    assert csv_files and not list((out / "tables").glob("*.md"))
    seen = False
    for f in csv_files:
        for row in csv.reader(io.StringIO(f.read_text(encoding="utf-8"))):
            for cell in row:
                # A negative number is data, not a formula; any other text must not start a formula.
                assert not cell.startswith(FORMULA_PREFIXES) or _is_number(cell), f"{f.name}: {cell!r}"
                seen |= cell == "'" + INJECTION
    assert seen, "the scenario name should appear (neutralised) in the comparison table"
    wb = load_workbook(out / "tables.xlsx")
    texts = []
    for cell in _all_cells(wb):
        assert cell.data_type != "f", f"{cell.parent.title}!{cell.coordinate} is a formula: {cell.value!r}"
        if isinstance(cell.value, str):
            # text cells, and formula-like text carries the (hidden) quote prefix: no literal apostrophe
            assert cell.data_type == "s", f"{cell.parent.title}!{cell.coordinate}"
            assert cell.quotePrefix or not cell.value.startswith(FORMULA_PREFIXES), f"{cell.parent.title}!{cell.coordinate}"
            texts.append(cell.value)
    assert INJECTION in texts and not any(t.startswith("'") for t in texts)
    assert "@SUM(A1:A2)" in texts and "-1+2" in texts
    # Negative numbers stay numbers (a minus sign on a number is data, not a formula).
    assert any(isinstance(c.value, float) and c.value < 0 for c in _all_cells(wb))
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "=HYPERLINK(&#34;http://example.invalid&#34;,&#34;x&#34;)" in html
    assert '"http://example.invalid"' not in html


# --------------------------------------------------------------------------------------------
class _Interrupt(KeyboardInterrupt):
    pass


def _break_writes_midway(monkeypatch):
    """Make every atomic write fail after writing part of its data (like Ctrl-C or a full disk)."""
    real_fdopen = os.fdopen

    class Broken:
        def __init__(self, fh):
            self.fh = fh

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.fh.close()
            return False

        def write(self, data):
            self.fh.write(data[: max(1, len(data) // 2)])
            self.fh.flush()
            raise _Interrupt("interrupted while writing")

    monkeypatch.setattr(report_files.os, "fdopen", lambda fd, *a, **k: Broken(real_fdopen(fd, *a, **k)))


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.rglob("*") if p.is_file())


def test_interrupted_writes_leave_no_partial_or_temporary_file(side_by_side, tmp_path, monkeypatch):
    tables = _workbook_tables(side_by_side)[:2]
    (tmp_path / "keep.txt").write_text("already there", encoding="utf-8")
    _break_writes_midway(monkeypatch)
    with pytest.raises(_Interrupt):
        T.write_xlsx(tmp_path / "tables.xlsx", tables)
    with pytest.raises(_Interrupt):
        T.export_tables(tmp_path, tables, formats=["csv"])
    with pytest.raises(_Interrupt):
        T.export_tables(tmp_path, tables, formats=["md"])
    from econ.report import html as H

    content = H.report_content(title="t", overline="o", lead="l", synthetic=False, context_line=(), findings=(),
                               messages=(), sections=(), manifest={})
    with pytest.raises(_Interrupt):
        H.write_html(tmp_path / "report.html", content)
    assert _leftovers(tmp_path) == ["keep.txt"]
    monkeypatch.undo()
    # A write that fails after the temporary file is complete but before the rename leaves nothing either.
    monkeypatch.setattr(report_files.os, "replace", lambda *a: (_ for _ in ()).throw(_Interrupt("at rename")))
    with pytest.raises(_Interrupt):
        T.write_xlsx(tmp_path / "tables.xlsx", tables)
    assert _leftovers(tmp_path) == ["keep.txt"]


def test_interrupted_report_command_keeps_only_complete_files(tmp_path, monkeypatch, capsys):
    calls = {"n": 0}
    real_replace = os.replace

    def replace_then_stop(src, dst):
        calls["n"] += 1
        if calls["n"] == 5:
            raise KeyboardInterrupt
        return real_replace(src, dst)

    monkeypatch.setattr(report_files.os, "replace", replace_then_stop)
    out = tmp_path / "out"
    assert main(["report", str(HIV), "--out", str(out), "--draws", "0", "--format", "csv"]) == 130
    assert capsys.readouterr().err.startswith("interrupted")
    files = [p for p in out.rglob("*") if p.is_file()]
    assert len(files) == 4 and not any(p.name.startswith(".") or p.suffix == ".part" for p in files)
    assert not (out / "report.html").exists() and not (out / "manifest.json").exists()
    for p in files:  # complete: each CSV parses and has its header and rows
        assert len(pd.read_csv(p)) >= 1


def test_report_folder_refused_when_not_empty_unless_forced(tmp_path, monkeypatch, capsys):
    out = tmp_path / "out"
    out.mkdir()
    (out / "old.txt").write_text("x", encoding="utf-8")
    assert main(["report", str(HIV), "--out", str(out), "--draws", "0"]) == 2
    err = capsys.readouterr().err
    assert "output folder exists and is not empty" in err and "--force" in err
    assert sorted(p.name for p in out.iterdir()) == ["old.txt"]
    monkeypatch.chdir(tmp_path)
    assert main(["report", str(HIV), "--draws", "0", "--format", "md"]) == 0
    made = list((tmp_path / "runs").iterdir())
    assert len(made) == 1 and made[0].name.endswith("-report-chancellor_hiv")
    assert (made[0] / "report.html").exists() and (made[0] / "tables" / "summary.md").exists()
    assert not (made[0] / "tables.xlsx").exists()


def test_bad_options_are_usage_errors_and_make_no_folder(tmp_path, capsys):
    assert main(["report", str(HIV), "--format", "csv,docx"]) == 2
    assert "unknown table format docx" in capsys.readouterr().err
    out = tmp_path / "out"
    assert main(["report", str(HIV), "--perspective", "nhs", "--out", str(out)]) == 2
    assert "--perspective nhs: the scenario has no cost_offset block" in capsys.readouterr().err
    assert not out.exists()
