"""The self-calculating Excel model (econ.report.excel_model, `run_model.py excel`).

The workbooks are recalculated by LibreOffice in headless mode (one soffice call for all of them)
and the recalculated values are compared with the engine at a relative 1e-9: the default
peer-support scenario, the DMHEE HIV model, and a model with a tunnel state, time-varying rows
and every function of the expression language. Edited input cells must move the results as the
engine moves under the same --set. Text from scenarios must stay text in every sheet.
"""
from __future__ import annotations

import math
import shutil
import subprocess

import openpyxl
import pytest
import yaml

from econ.analysis.offset import headline
from econ.model.evaluate import evaluate
from econ.model.run import compile_path
from econ.report import excel_model
from econ.report.excel_model.formulas import to_formula
from econ.scenario.expressions import FUNCTIONS, parse_expression

from tests.conftest import DATA, ROOT, SCENARIOS

TUNNEL = DATA / "scenarios" / "valid" / "tunnel_time_varying.yaml"
HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
PEER = SCENARIOS / "side_by_side.yaml"
INJECTION = '=HYPERLINK("http://x","y")'
RTOL = 1e-9
#: Input cells edited in the workbook, and the same change as --set: (workbook, [(parameter, value)]).
EDITS = {
    "hiv_edit": (HIV, [("rr_comb", 0.62), ("c_lam", 2500.0)]),
    "peer_edit": (PEER, [("attribution", 0.8), ("p_fade", 0.07)]),
}
SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")


def _engine(compiled) -> dict:
    """(kind, strategy, output or measure, discounting, perspective) -> the engine's value."""
    ev = evaluate(compiled)
    out = {}
    for k, s in enumerate(ev.strategies):
        for o, name in enumerate(ev.outputs):
            out[("total", s, name, "discounted", "")] = float(ev.totals[0, k, o])
            out[("total", s, name, "undiscounted", "")] = float(ev.totals_undiscounted[0, k, o])
    if compiled.loaded.spec.cost_offset is not None:
        for r in headline(compiled).itertuples(index=False):
            out[("headline", r.strategy, r.measure, r.discounting, r.perspective)] = float(r.per_participant)
    return out


def _write(compiled, path):
    ev = evaluate(compiled)
    head = headline(compiled) if compiled.loaded.spec.cost_offset is not None else None
    return excel_model(compiled, path, evaluation=ev, headline=head)


def _injection_scenario(tmp_path):
    d = yaml.safe_load(TUNNEL.read_text(encoding="utf-8"))
    d["metadata"]["name"] = INJECTION
    d["metadata"]["description"] = INJECTION
    d["states"]["healthy"]["label"] = INJECTION
    d["strategies"]["drug"]["label"] = INJECTION
    d["strategies"]["mix"]["label"] = INJECTION
    d["parameters"]["c_sick"].update(source=INJECTION, unit=INJECTION, description=INJECTION)
    d["values"]["cost"]["label"] = INJECTION
    path = tmp_path / "injection.yaml"
    path.write_text(yaml.safe_dump(d, sort_keys=False), encoding="utf-8")
    return compile_path(path)


def _set_inputs(path, edits, out):
    wb = openpyxl.load_workbook(path)
    ws = wb["Inputs"]
    rows = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    for name, value in edits:
        cell = ws.cell(rows[name], 2)
        assert cell.data_type == "n", f"Inputs value of {name} is not an editable number"
        cell.value = value
    wb.save(out)


@pytest.fixture(scope="module")
def recalculated(tmp_path_factory, hiv, peer):
    """Build every workbook, recalculate them in one soffice run; name -> (recalculated path, written path)."""
    if SOFFICE is None:
        pytest.skip("LibreOffice (soffice) is not installed: apt-get install -y libreoffice-calc-nogui "
                    "(.ci/run installs it); the Excel model cannot be recalculated here")
    tmp = tmp_path_factory.mktemp("excel")
    src = tmp / "in"
    src.mkdir()
    written = {"hiv": _write(hiv, src / "hiv.xlsx"), "peer": _write(peer, src / "peer.xlsx"),
               "tunnel": _write(compile_path(TUNNEL), src / "tunnel.xlsx"),
               "injection": _write(_injection_scenario(tmp), src / "injection.xlsx")}
    for name, (scenario, edits) in EDITS.items():
        base = written["hiv" if scenario == HIV else "peer"]
        _set_inputs(base, edits, src / f"{name}.xlsx")
        written[name] = src / f"{name}.xlsx"
    out = tmp / "out"
    profile = (tmp / "profile").as_uri()
    proc = subprocess.run([SOFFICE, f"-env:UserInstallation={profile}", "--headless", "--calc", "--convert-to", "xlsx",
                           "--outdir", str(out)] + [str(p) for p in written.values()],
                          capture_output=True, text=True, timeout=600)
    missing = [n for n, p in written.items() if not (out / p.name).exists()]
    assert not missing, f"soffice did not convert {missing}: {proc.stdout} {proc.stderr}"
    return {n: (out / p.name, p) for n, p in written.items()}


def _workbook_values(path) -> tuple[dict, object]:
    wb = openpyxl.load_workbook(path, data_only=True)
    ws = wb["Checks"]
    got = {}
    for row in ws.iter_rows(values_only=True):
        if row[0] in ("total", "headline"):
            got[(row[0], row[1], row[2], row[3], row[4] or "")] = row[6]
    return got, ws


def _compare(got: dict, expected: dict) -> None:
    assert set(got) == set(expected), set(got) ^ set(expected)
    bad = []
    for key, want in expected.items():
        value = got[key]
        if not math.isfinite(want):
            assert value == "n/a", key
            continue
        if not isinstance(value, (int, float)) or abs(value - want) > RTOL * abs(want) + 1e-12:
            bad.append((key, value, want))
    assert not bad, f"{len(bad)} workbook results differ from the engine, e.g. {bad[:3]}"


@pytest.mark.parametrize("name,scenario", [("hiv", HIV), ("peer", PEER), ("tunnel", TUNNEL)])
def test_recalculated_workbook_gives_the_engine_results(recalculated, name, scenario, hiv, peer):
    compiled = {"hiv": hiv, "peer": peer}.get(name) or compile_path(scenario)
    got, ws = _workbook_values(recalculated[name][0])
    expected = _engine(compiled)
    n_outputs = len(compiled.output_names) * len(compiled.model.strategies) * 2
    assert sum(k[0] == "total" for k in expected) == n_outputs
    _compare(got, expected)
    assert ws["I3"].value <= 1e-9, "a transition row or the initial shares do not sum to 1"
    assert ws["J3"].value == "OK"


def test_hiv_workbook_reproduces_the_published_answer(recalculated):
    got, _ = _workbook_values(recalculated["hiv"][0])
    # DMHEE exercise 2.5 (reference/validation.md section 1)
    assert got[("total", "mono", "total_cost", "discounted", "")] == pytest.approx(44663.4535637, rel=1e-10)
    assert got[("total", "comb", "ly", "discounted", "")] == pytest.approx(8.9373889, abs=1e-7)


@pytest.mark.parametrize("name", sorted(EDITS))
def test_edited_inputs_move_the_results_as_the_engine_does(recalculated, name):
    scenario, edits = EDITS[name]
    got, _ = _workbook_values(recalculated[name][0])
    changed = _engine(compile_path(scenario, overrides=[f"{p}={v}" for p, v in edits]))
    base = _engine(compile_path(scenario))
    _compare(got, changed)
    moved = [k for k in changed if math.isfinite(base[k]) and abs(changed[k] - base[k]) > 1e-6 * abs(base[k]) + 1e-9]
    assert len(moved) >= len(changed) // 4, "the edit hardly changed the results: not a live model"


def test_scenario_text_stays_text_in_every_sheet(recalculated):
    for path in recalculated["injection"]:  # as recalculated by LibreOffice, and as written
        wb = openpyxl.load_workbook(path)
        hits = {}
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and "HYPERLINK" in cell.value.upper():
                        assert cell.data_type == "s", f"{path.name} {ws.title}!{cell.coordinate} is {cell.data_type}"
                        hits[ws.title] = hits.get(ws.title, 0) + 1
        assert set(hits) == set(wb.sheetnames), f"text missing from {set(wb.sheetnames) - set(hits)}"
    values = openpyxl.load_workbook(recalculated["injection"][0], data_only=True)
    assert values["Read me"]["A1"].value.endswith(INJECTION)


def test_every_function_of_the_language_has_a_spreadsheet_form():
    for name in FUNCTIONS:
        n = FUNCTIONS[name][1]
        text = f"{name}(" + ", ".join(["x"] * n) + ")"
        assert to_formula(parse_expression(text), lambda v: "A1")
    # precedence: Excel's unary minus binds tighter than ^, so -x**2 must be written -(x^2)
    assert to_formula(parse_expression("-x**2"), lambda v: "A1") == "(-(A1^2.0))"
    assert to_formula(parse_expression("a < b <= c"), lambda v: v.upper()) == "IF(AND(A<B,B<=C),1,0)"


def test_number_literals_round_trip_and_status_is_read_from_the_source():
    from econ.report.excel_model.formulas import number
    from econ.report.excel_model.inputs import status_of

    for v in (0.1, 1 / 3, 1e-05, 2.5e-300, 123456789.123, 0.0):
        assert float(number(v)) == v
    assert number(-0.5) == "(-0.5)" and number(1e-05) == "1E-05"
    assert status_of("PSSRU 2024 [published; re-based from 2022/23 to 2023/24]") == "published"
    assert status_of("Band 3 pay [assumption; re-based]") == "assumption"
    assert status_of("SYNTHETIC data: baseline of gp_surgery") == "synthetic"
    assert status_of("assumption: test value") == "assumption"
    assert status_of("DMHEE ex. 2.5") == "published"
    assert status_of("") == "unsourced"


def test_a_formula_too_long_for_a_spreadsheet_is_a_clear_error(write_scenario, capsys):
    from econ.cli.main import main

    d = yaml.safe_load(TUNNEL.read_text(encoding="utf-8"))
    # each level reads the one below twice: written out in a cycle row, the formula doubles per level
    d["parameters"]["q0"] = "p_sick_base * hr_age ** (cycle - 1)"
    for i in range(1, 10):
        d["parameters"][f"q{i}"] = f"(q{i - 1} + q{i - 1}) / 2"
    d["parameters"]["p_sick"] = "min(q9, 0.5)"
    path = write_scenario(d)
    assert main(["excel", str(path), "--out", str(path.with_suffix(".xlsx"))]) == 2
    err = capsys.readouterr().err
    assert "characters; spreadsheets accept at most 8192" in err and "sheet 'soc'" in err
    assert not path.with_suffix(".xlsx").exists()


def test_cli_writes_workbook_and_refuses_to_overwrite(tmp_path, capsys):
    from econ.cli.main import main

    out = tmp_path / "model.xlsx"
    assert main(["excel", str(HIV), "--out", str(out), "--set", "c_lam=2500"]) == 0
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["Read me", "Inputs", "mono", "comb", "Results", "Checks"]
    assert any("override" in str(c.value) and "c_lam" in str(c.value) and "2500" in str(c.value)
               for c in wb["Read me"]["A"])
    assert main(["excel", str(HIV), "--out", str(out)]) == 2
    assert "exists; add --force" in capsys.readouterr().err
    assert main(["excel", str(HIV), "--out", str(tmp_path / "model.csv")]) == 2
    assert main(["excel", str(HIV), "--out", str(out), "--force"]) == 0
