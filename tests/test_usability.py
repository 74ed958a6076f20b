"""Mistakes that must not pass silently, and outputs a user can read (issue 21), tried as a user would:
through the command line (``econ.cli.main.main``) and the notebook API."""
from __future__ import annotations

import warnings

import pytest

from econ.cli.main import main
from econ.core.errors import ScenarioError, ScenarioWarning

from .conftest import PRE_ISSUE13_OVERRIDES, SCENARIOS, without_data_quality_warnings

BASE = (SCENARIOS / "side_by_side.yaml").as_posix()
#: --set options giving the before-after model of before issue 13 (tests/conftest.py), where some
#: strategies break even and pay for themselves within the horizon (the default has none that do)
PRE_POST = [a for o in PRE_ISSUE13_OVERRIDES for a in ("--set", o)]


def _cells(compiled, strategy: str, measures, perspective: str = "nhs_pss") -> dict:
    """The headline figures of ``strategy`` formatted as run prints them (per person, discounted)."""
    import econ
    from econ.report.text import _cell

    head = econ.headline(compiled)
    row = head[(head.perspective == perspective) & (head.discounting == "discounted") & (head.strategy == strategy)]
    value = row.set_index("measure")["per_participant"]
    st = compiled.loaded.spec.settings
    return {m: _cell(m, float(value[m]), st.currency, st.n_cycles) for m in measures}


def _offset_parts(compiled, strategy: str, perspective: str = "nhs_pss") -> dict:
    """Savings by category (offset_*) of ``strategy``, per person, discounted, largest first."""
    import econ

    head = econ.headline(compiled)
    row = head[(head.perspective == perspective) & (head.discounting == "discounted") & (head.strategy == strategy)
               & head.measure.str.startswith("offset_")]
    parts = {m.removeprefix("offset_").replace("_", " "): float(v) for m, v in zip(row.measure, row.per_participant)}
    return dict(sorted(parts.items(), key=lambda kv: -kv[1]))


def _child(tmp_path, body: str, name: str = "child.yaml"):
    path = tmp_path / name
    path.write_text(f"extends: {BASE}\nmetadata: {{name: child}}\n{body}", encoding="utf-8")
    return path


# ---- a misspelt parameter in a child -------------------------------------------------------
def test_misspelt_parameter_in_child_is_a_located_warning_with_a_suggestion(tmp_path, capsys):
    child = _child(tmp_path, "parameters:\n  n_grop_size: {value: 12, source: assumption}\n")
    assert main(["run", str(child)]) == 0
    err = without_data_quality_warnings(capsys.readouterr().err)
    lines = [line for line in err.splitlines() if line.startswith("warning:")]
    assert len(lines) == 1, err  # once, however often the command loads the file
    assert f"{child}:4:3: parameters.n_grop_size:" in lines[0]
    assert "did you mean n_group_size?" in lines[0] and "changes nothing" in lines[0]


def test_validate_strict_makes_the_warning_an_error(tmp_path, capsys):
    child = _child(tmp_path, "parameters:\n  n_grop_size: 12\n")
    assert main(["validate", str(child)]) == 0
    captured = capsys.readouterr()
    assert "warning:" in captured.err and ": ok (" in captured.out
    assert main(["validate", "--strict", str(child)]) == 2
    err = without_data_quality_warnings(capsys.readouterr().err)
    assert err.startswith(f"error: {child}:4:3: parameters.n_grop_size:") and "n_group_size" in err


def test_new_parameter_that_a_child_uses_is_not_warned(tmp_path):
    child = _child(tmp_path, "parameters:\n  group_boost: 1.1\n  n_group_size: '8 * group_boost'\n")
    from econ.scenario.load import load_scenario

    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        loaded = load_scenario(child)
    assert loaded.warnings == ()


@pytest.mark.parametrize("name", ["group_led.yaml", "online_first.yaml", "mixed_choice.yaml", "inner_london.yaml",
                                  "small_programme.yaml"])
def test_shipped_children_have_no_warnings(name, capsys):
    assert main(["validate", "--strict", str(SCENARIOS / name)]) == 0
    assert "warning" not in without_data_quality_warnings(capsys.readouterr().err)


# ---- removing inherited keys ------------------------------------------------------------------
def test_child_removes_inherited_strategies_and_validate_says_what_it_ends_up_with(tmp_path, capsys):
    child = _child(tmp_path, "remove: [strategies.online, strategies.mixed, budget]\n")
    assert main(["validate", str(child)]) == 0
    out = capsys.readouterr().out
    assert "3 strategies: usual_care, group, one_to_one;" in out
    assert "removed: strategies.online (by" in out and "removed: budget (by" in out
    from econ.model.run import compile_path

    assert compile_path(child).model.strategy_names == ["usual_care", "group", "one_to_one"]


def test_removed_key_written_again_is_replaced_whole(tmp_path):
    from econ.scenario.load import load_scenario

    child = _child(tmp_path, "remove: [parameters.n_group_size]\nparameters:\n  n_group_size: 9\n")
    assert load_scenario(child).raw["parameters"]["n_group_size"] == 9  # not merged into the parent's mapping


def test_removing_what_the_parent_lacks_is_a_located_error_with_a_suggestion(tmp_path, capsys):
    child = _child(tmp_path, "remove: [strategies.onlin]\n")
    assert main(["validate", str(child)]) == 2
    err = capsys.readouterr().err
    assert f"{child}:3:10: remove[0]: cannot remove 'strategies.onlin'" in err
    assert "did you mean strategies.online?" in err


def test_removing_a_strategy_still_referenced_names_the_reference(tmp_path):
    child = _child(tmp_path, "remove: [strategies.online]\n")
    with pytest.raises(ScenarioError, match="strategies.mixed.mixture.online: unknown strategy 'online'"):
        from econ.model.run import compile_path

        compile_path(child)


def test_remove_without_extends_is_an_error(write_scenario):
    from econ.scenario.load import load_scenario

    path = write_scenario("metadata: {name: x}\nremove: [states.a]\nstates: {a: }\nstrategies: {s: {}}\n")
    with pytest.raises(ScenarioError, match="'remove' needs 'extends'"):
        load_scenario(path)


# ---- one source of truth for the population --------------------------------------------------
def test_population_that_disagrees_with_the_intake_schedule_is_refused(capsys):
    assert main(["run", BASE, "--set", "budget.intake.counts=[300,300,100]"]) == 2
    err = capsys.readouterr().err
    assert "parameters.n_participants: 'n_participants' is 1,000 people but the intake schedule" in err
    assert "refers 700" in err and "--set budget.intake.counts=[300,300,100]" in err


def test_headline_states_where_its_population_comes_from(capsys):
    assert main(["run", str(SCENARIOS / "small_programme.yaml")]) == 0
    out = capsys.readouterr().out
    assert "Net cost for 150 people" in out
    assert ("Totals for the population are for 150 people (parameter 'n_participants', the people the intake "
            "schedule starts: 50, 50, 50 a year).") in out


# ---- compare and subgroups: what cannot go in the table, labels, formats and order ------------------
def test_compare_says_which_scenario_it_cannot_put_in_its_table_and_shows_it(capsys):
    hiv = str(SCENARIOS / "validation" / "chancellor_hiv.yaml")
    assert main(["compare", BASE, hiv]) == 0
    out = capsys.readouterr().out
    assert "chancellor_hiv (" in out and "has no cost_offset block, so it cannot go in the table above" in out
    tail = out[out.index("has no cost_offset block"):]
    assert "comb" in tail and "icer" in tail and "6,276" in tail  # its own results are shown


def test_compare_uses_the_labels_and_formats_of_run(capsys):
    assert main(["compare", BASE, str(SCENARIOS / "group_led.yaml")]) == 0
    out = capsys.readouterr().out
    import econ

    measures = ("delivery_cost", "roi", "break_even_attribution", "payback_month", "share_beyond_window")
    cells = [*_cells(econ.compile_path(BASE), "group", measures).values(),
             *_cells(econ.compile_path(SCENARIOS / "group_led.yaml"), "group", measures).values()]
    assert any(c.startswith("never (") for c in cells) and any(c.startswith("GBP ") for c in cells)
    for text in ("Group peer support", "Cost of the programme", "Savings per GBP 1 spent", *cells):
        assert text in out, text
    assert "break_even_attribution" not in out and "delivery_cost" not in out and "payback_month" not in out


def test_subgroups_bands_in_number_order_with_run_formats(capsys):
    assert main(["subgroups", BASE, "--by", "engagement_band"]) == 0
    out = capsys.readouterr().out
    # issue 20's table (one row per band, intervals) with run's labels: bands in number order
    lines = out.splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith("Group peer support (interaction p:"))
    first = [line.split()[0] for line in lines[start + 2:start + 5]]
    assert first == ["1-5", "6-11", "12+"], lines[start:start + 5]
    assert "Savings (cost offset)" in lines[start + 1] and "Net cost (cost minus savings)" in lines[start + 1]
    tables = out.split("Warnings:")[0].split("interaction p: test")[1]
    assert "roi" not in tables and "cost_offset" not in tables and "\ngroup (" not in tables


# ---- notebook use ---------------------------------------------------------------------------------
def test_results_repr_is_short_and_says_what_is_inside():
    import econ

    res = econ.run(BASE)
    text = repr(res)
    assert len(text) < 400, len(text)
    assert "side_by_side" in text and "5 strategies" in text and "SYNTHETIC" in text and ".summary" in text
    psa = econ.psa(BASE, n_draws=8, seed=1)
    assert len(repr(psa)) < 400 and "8 draws" in repr(psa)


def test_results_from_synthetic_data_warn_once(monkeypatch):
    import econ
    from econ.analysis import base_case
    from econ.core.errors import SyntheticDataWarning

    monkeypatch.setattr(base_case, "_WARNED_SYNTHETIC", set())
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        econ.run(BASE)
        econ.run(BASE)
        econ.psa(BASE, n_draws=4, seed=1)
        econ.run(SCENARIOS / "validation" / "chancellor_hiv.yaml")  # not synthetic
    synthetic = [w for w in caught if issubclass(w.category, SyntheticDataWarning)]
    assert len(synthetic) == 1 and "SYNTHETIC" in str(synthetic[0].message)


def test_synthetic_warning_is_not_repeated_on_the_command_line(capsys, monkeypatch):
    from econ.analysis import base_case

    monkeypatch.setattr(base_case, "_WARNED_SYNTHETIC", set())
    assert main(["psa", BASE, "--draws", "20"]) == 0
    captured = capsys.readouterr()
    assert (captured.out + captured.err).count("SYNTHETIC DATA") == 1
    assert "SyntheticDataWarning" not in captured.err


# ---- threshold ------------------------------------------------------------------------------------
def test_threshold_prints_rounding_noise_at_the_target_as_the_target(capsys):
    # online breaks even at an attribution inside 0-1 in the before-after model (none does in the default)
    assert main(["threshold", BASE, "attribution", "--output", "net_cost:online", "--range", "0", "1", *PRE_POST]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("attribution = "))
    assert line.endswith("gives net_cost:online = 0"), line


# ---- tables.xlsx ----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def small_report(tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "r"
    assert main(["report", BASE, "--draws", "20", "--out", str(out), "--format", "csv,xlsx"]) == 0
    return out


@pytest.fixture(scope="module")
def small_report_pre_post(tmp_path_factory):
    """The report of the before-after model (PRE_POST): online pays for itself and breaks even."""
    out = tmp_path_factory.mktemp("report") / "r"
    assert main(["report", BASE, "--draws", "20", "--out", str(out), "--format", "csv,xlsx", *PRE_POST]) == 0
    return out


def test_xlsx_payback_says_not_within_the_horizon_instead_of_a_blank(small_report, small_report_pre_post):
    import econ
    from openpyxl import load_workbook

    ws = load_workbook(small_report / "tables.xlsx")["headline"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[1] == "Pays for itself by month"]
    assert rows and all(v is not None for r in rows for v in r)
    assert "never (not within 36)" in rows[0]
    ws = load_workbook(small_report_pre_post / "tables.xlsx")["headline"]
    rows = [r for r in ws.iter_rows(values_only=True) if r[1] == "Pays for itself by month"]
    month = econ.run(econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES)).offset.loc[("nhs_pss", "online"),
                                                                                        "payback_month"]
    assert "never (not within 36)" in rows[0] and int(month) in rows[0] and 1 <= month <= 36


def test_xlsx_metadata_shows_no_literal_apostrophe(small_report):
    from openpyxl import load_workbook

    ws = load_workbook(small_report / "tables.xlsx")["metadata"]
    values = {r[0].value: r[1] for r in ws.iter_rows(min_row=2)}
    cell = values["scenarios[1].precedence"]
    assert cell.value.startswith("--set overrides >") and cell.quotePrefix and cell.data_type == "s"
    assert not any(isinstance(c.value, str) and c.value.startswith("'") for c in values.values())


# ---- manifest paths -------------------------------------------------------------------------------
def test_manifest_paths_are_relative_to_the_scenario_with_hashes(tmp_path, monkeypatch):
    import hashlib
    import json
    from pathlib import Path

    from .conftest import ROOT

    monkeypatch.chdir(tmp_path)  # the scenario is named by an absolute path, outside the working folder
    assert main(["run", BASE, "--out", str(tmp_path / "o")]) == 0
    scen = json.loads((tmp_path / "o" / "manifest.json").read_text())["scenarios"][0]
    assert scen["paths_relative_to"] == "the folder of scenario_path"
    paths = [f["path"] for f in scen["files"] + scen["data_files"]]
    assert "../costs/unit_costs.csv" in paths and "data/SYNTHETIC_service_use.csv" in paths
    assert not any(str(ROOT) in p or Path(p).is_absolute() for p in paths), paths
    folder = Path(BASE).parent
    for f in scen["files"] + scen["data_files"]:
        assert hashlib.sha256((folder / f["path"]).read_bytes()).hexdigest() == f["sha256"]


# ---- progress through the whole run -------------------------------------------------------------
def _as_terminal(monkeypatch):
    import econ.cli.common as common

    monkeypatch.setattr(common, "_is_terminal", lambda: True)


def test_psa_shows_progress_while_it_writes_its_files(tmp_path, capsys, monkeypatch):
    _as_terminal(monkeypatch)
    assert main(["psa", BASE, "--draws", "50", "--out", str(tmp_path / "p")]) == 0
    err = capsys.readouterr().err
    for stage in ("summarising 50 draws", "writing files", "psa_draws.parquet", "psa_outputs.csv", "manifest.json"):
        assert stage in err, stage
    assert main(["psa", BASE, "--draws", "50", "--out", str(tmp_path / "q"), "--quiet"]) == 0
    err = capsys.readouterr().err
    assert "writing files" not in err and "draw/s" not in err


def test_report_shows_progress_through_analyses_and_files(tmp_path, capsys, monkeypatch):
    _as_terminal(monkeypatch)
    assert main(["report", BASE, "--draws", "20", "--out", str(tmp_path / "r"), "--format", "csv"]) == 0
    err = capsys.readouterr().err
    for stage in ("report: analyses", "probabilistic analysis (20 draws)", "one-way sensitivity analysis",
                  "report: writing", "tables (csv)", "plot tornado", "report.html", "manifest.json"):
        assert stage in err, stage
    assert main(["report", BASE, "--draws", "20", "--out", str(tmp_path / "s"), "--format", "csv", "--quiet"]) == 0
    assert "report:" not in capsys.readouterr().err


# ---- the report names contributors and uses readers' labels -------------------------------------
def _key_messages(folder) -> list[str]:
    import html
    import re

    text = (folder / "report.html").read_text(encoding="utf-8")
    block = re.search(r'id="key-messages">(.*?)</ul>', text, re.S).group(1)
    return [html.unescape(m) for m in re.findall(r"<li>(.*?)</li>", block, re.S)]


def _pounds(x: float) -> str:
    from econ.report.units import money_amount

    return money_amount(x, "GBP")


def test_report_in_short_names_the_largest_contributors(small_report_pre_post):
    import econ

    compiled = econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES)  # online saves money there
    (first, a), (second, b) = list(_offset_parts(compiled, "online").items())[:2]
    informal = _offset_parts(compiled, "online", "societal")["informal care"]
    msgs = _key_messages(small_report_pre_post)
    assert any(m.startswith("Online peer support's savings per person") and f"{first} {_pounds(a)}" in m
               and f"{second} {_pounds(b)}" in m for m in msgs), msgs
    assert any(f"informal care adds {_pounds(informal)}" in m for m in msgs), msgs


def test_report_tornado_message_and_labels_use_descriptions_and_name_the_option(small_report):
    import csv

    msgs = _key_messages(small_report)
    tornado_msg = next(m for m in msgs if "one-way analysis" in m)
    assert "of mixed offer (people choose)" in tornado_msg
    import econ
    from econ.analysis.dsa_groups import group_ranges

    groups, _ = group_ranges(econ.compile_path(BASE))
    n = len(next(g for g in groups if g.name == "service_use_reductions").members)
    assert f"service use reductions ({n} inputs varied together)" in tornado_msg
    with open(small_report / "tables" / "tornado.csv", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert rows and all(r["Description"] for r in rows), [r["Parameter"] for r in rows if not r["Description"]]
    html_text = (small_report / "report.html").read_text(encoding="utf-8")
    assert "run_model.py dsa --output net_cost@nhs_pss:mixed" in html_text


def test_terminal_headline_names_the_largest_contributors(capsys):
    import econ
    from econ.report.text import money

    compiled = econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES)  # online saves money there
    parts = _offset_parts(compiled, "online")
    (first, a), (second, b) = list(parts.items())[:2]
    societal = _offset_parts(compiled, "online", "societal")
    assert main(["run", BASE, *PRE_POST]) == 0
    out = capsys.readouterr().out
    assert "Where the savings come from" in out
    assert (f"Online peer support: {money(sum(parts.values()), 'GBP')}: largest parts {first} {money(a, 'GBP')} and "
            f"{second} {money(b, 'GBP')}") in out
    assert f"Online peer support: informal care adds {money(societal['informal care'], 'GBP')}" in out
    assert f"of the {money(sum(societal.values()), 'GBP')} savings)" in out


def test_tornado_labels_are_whole_and_shares_in_percent():
    import econ
    from econ.analysis.dsa import oneway
    from econ.report import plots as P
    from econ.report.tables import share_parameters

    compiled = econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES)  # attribution uncertain (a beta) there
    table = oneway(compiled, "net_cost:online", grouped=False)
    shares = share_parameters(compiled)
    assert "r_mh_inpatient_day" in shares and "attribution" in shares and "u_gp_surgery" not in shares
    long = "Share of the observed before-after change in service use caused by peer support"
    fig = P.plot_tornado(table, parameter_labels={"attribution": long}, percent_parameters=shares, max_bars=400)
    labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    attribution = next(t for t in labels if t.startswith("Share of"))
    assert attribution.replace("\n", " ") == long + " (13% to 87%)"
    r_rows = [t for t in labels if t.startswith("r_")]
    assert r_rows and all("%" in t for t in r_rows), r_rows[:3]


def test_results_offset_has_net_cost_roi_and_break_even():
    import numpy as np

    import econ

    res = econ.run(BASE)
    off = res.offset
    assert list(off.columns) == ["delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution",
                                 "payback_month"]
    np.testing.assert_allclose(off.net_cost, off.delivery_cost - off.cost_offset, rtol=1e-12)
    np.testing.assert_allclose(off.roi, off.cost_offset / off.delivery_cost, rtol=1e-12)
    assert np.isnan(off.loc[("nhs_pss", "group"), "payback_month"])  # not within the 36 months
    # a month where one exists (the before-after model), the headline's figure
    compiled = econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES)
    month = econ.run(compiled).offset.loc[("nhs_pss", "online"), "payback_month"]
    head = econ.headline(compiled)
    row = head[(head.perspective == "nhs_pss") & (head.discounting == "discounted") & (head.strategy == "online")
               & (head.measure == "payback_month")]
    assert 1 <= month <= 36 and month == int(month) and month == float(row.per_participant.iloc[0])
    hiv = econ.run(SCENARIOS / "validation" / "chancellor_hiv.yaml")
    with pytest.raises(ScenarioError, match="cost_offset"):
        hiv.offset
    assert ".offset" not in repr(hiv)


def test_report_tornado_option_can_be_chosen(tmp_path, capsys):
    out = tmp_path / "r"
    assert main(["report", BASE, "--draws", "0", "--format", "csv", "--strategy", "group", "--out", str(out)]) == 0
    msgs = _key_messages(out)
    assert any("one-way analysis of group peer support" in m for m in msgs), msgs
    assert "run_model.py dsa --output net_cost@nhs_pss:group" in (out / "report.html").read_text(encoding="utf-8")
    assert main(["report", BASE, "--draws", "0", "--strategy", "grop", "--out", str(tmp_path / "x")]) == 2
    assert "--strategy grop: the options compared with usual_care are group, one_to_one, online, mixed" in \
        capsys.readouterr().err
    assert not (tmp_path / "x").exists()


@pytest.mark.parametrize("command, stage", [
    (["compare", BASE, str(SCENARIOS / "group_led.yaml")], "running group_led"),
    (["subgroups", BASE, "--by", "bme"], "bme=yes"),
    (["dsa", BASE], "one-way sensitivity analysis"),
    (["twoway", BASE, "p_never_attend", "n_group_size", "--n", "3"], "3 x 3 grid of p_never_attend and n_group_size"),
    (["voi", BASE, "--draws", "300"], "value of information (EVPI, EVPPI)"),
    (["excel", BASE, "--out", "{tmp}/m.xlsx"], "writing m.xlsx"),
])
def test_slow_commands_show_progress_on_a_terminal_and_quiet_turns_it_off(command, stage, tmp_path, capsys,
                                                                          monkeypatch):
    _as_terminal(monkeypatch)
    command = [c.replace("{tmp}", str(tmp_path)) for c in command]
    assert main(command) == 0
    assert stage in capsys.readouterr().err
    assert main(command + ["--quiet"] + (["--force"] if command[0] == "excel" else [])) == 0
    assert stage not in capsys.readouterr().err


def test_every_row_of_the_ungrouped_tornado_table_is_described():
    import econ
    from econ.analysis.dsa import oneway
    from econ.report import tables as T

    compiled = econ.compile_path(BASE)
    table = T.tornado_table(oneway(compiled, None, grouped=False), T.context_for(compiled),
                            T.parameter_units(compiled))
    assert (table.frame.description == "").sum() == 0, list(table.frame.parameter[table.frame.description == ""])
    row = table.frame[table.frame.parameter == "n_group_size"].description.iat[0]
    assert row == "n_group_size, in participants per session"


def test_report_states_where_its_population_comes_from(small_report):
    assert ("Totals for the population are for 1,000 people (parameter 'n_participants', the people the budget "
            "refers: 20,000 eligible ('n_eligible') x uptake of 2%, 2%, 1% a year).") in _key_messages(small_report)


def test_pooled_reductions_are_named_in_the_terminal_and_the_report(capsys, small_report):
    assert main(["run", BASE]) == 0
    out = capsys.readouterr().out
    line = next(x for x in out.splitlines() if x.startswith("Pooled over settings"))
    assert "Mental health inpatient bed days" in line and "A&E attendances" in line
    assert "GP surgery" not in line  # estimated per setting
    assert any(m.startswith("Pooled over settings") for m in _key_messages(small_report))


def test_child_changing_a_parameter_nothing_uses_is_warned(tmp_path):
    from econ.scenario.load import load_scenario

    (tmp_path / "parent.yaml").write_text(
        "metadata: {name: p}\nparameters: {p_die: 0.1, spare: 3}\nstates: {alive: , dead: }\n"
        "transitions: {alive: {dead: p_die, alive: complement}, dead: {dead: 1}}\ninitial: {alive: 1}\n"
        "strategies: {s: {}}\n", encoding="utf-8")
    (tmp_path / "child.yaml").write_text("extends: parent.yaml\nparameters: {spare: 4, p_die: 0.2}\n",
                                         encoding="utf-8")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_scenario(tmp_path / "child.yaml")
    assert [p.key_path for p in loaded.warnings] == ["parameters.spare"]
    assert "nothing in the scenario uses 'spare' (nor in parent.yaml), so changing it changes nothing" in \
        str(loaded.warnings[0])
    assert str(loaded.warnings[0]).startswith(f"{tmp_path / 'child.yaml'}:2:")


def test_xlsx_break_even_outside_0_1_reads_never_as_the_terminal_does(small_report_pre_post):
    import econ
    from openpyxl import load_workbook

    ws = load_workbook(small_report_pre_post / "tables.xlsx")["headline"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Break-even attribution")
    cells = _cells(econ.compile_path(BASE, overrides=PRE_ISSUE13_OVERRIDES), "one_to_one", ["break_even_attribution"])
    assert cells["break_even_attribution"].startswith("never (") and cells["break_even_attribution"].endswith("% needed)")
    assert cells["break_even_attribution"] in row and any(isinstance(v, float) and 0 < v < 1 for v in row)


def test_excel_model_read_me_names_files_relative_to_the_scenario(tmp_path):
    from openpyxl import load_workbook

    from .conftest import ROOT

    assert main(["excel", BASE, "--out", str(tmp_path / "m.xlsx")]) == 0
    texts = [c for row in load_workbook(tmp_path / "m.xlsx")["Read me"].iter_rows(values_only=True) for c in row
             if isinstance(c, str)]
    data = [t for t in texts if t.startswith("data: sha256")]
    assert any(t.endswith("../costs/unit_costs.csv") for t in data), data
    assert not any(str(ROOT) in t for t in texts if "sha256" in t)


def test_gsa_and_voi_results_have_short_reprs():
    import econ

    g = econ.gsa(SCENARIOS / "validation" / "ishigami.yaml", method="morris", n=8)
    assert len(repr(g)) < 300 and repr(g).startswith("<GsaResult: morris")
    v = econ.voi(BASE, n_draws=300, seed=1)
    assert len(repr(v)) < 300 and "300 draws" in repr(v)
