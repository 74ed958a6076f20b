"""Bad input the robustness probe found still accepted or badly located (issue 23, second pass).

A price year past the price indices, a non-finite one-way range, a scenario currency the cost
tables are not in: each is refused once, at the scenario key that asks for it, with exit status 2.
"""
from __future__ import annotations

import subprocess
import sys

import pytest

from econ.core.errors import ScenarioError
from econ.model.run import compile_path

from .conftest import ROOT, SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"


def _cli(*args):
    return subprocess.run([sys.executable, str(ROOT / "run_model.py"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)


def _extends(write_scenario, body: str):
    return write_scenario(f"extends: {DEFAULT}\n{body}")


# ---------------------------------------------------------------------------- price year
def test_a_future_price_year_is_one_located_error_naming_the_last_year(write_scenario):
    path = _extends(write_scenario, 'settings:\n  price_year: "2031/32"\n')
    with pytest.raises(ScenarioError) as info:
        compile_path(path)
    problems = info.value.problems
    assert len(problems) == 1, str(info.value)  # once, not once per unit cost
    text = str(info.value)
    assert text.startswith(f"{path}:3:3: settings.price_year: price year '2031/32' is outside the nhscii index "
                           f"table ("), text
    assert "index_nhscii.csv), which covers 2006/07 to 2023/24" in text
    assert "index_pss.csv), which covers 2007/08 to 2023/24" in text
    assert "it is after the last year available (2023/24)" in text and "choose a price year up to 2023/24" in text


def test_a_price_year_before_the_indices_names_the_first_year(write_scenario):
    path = _extends(write_scenario, 'settings:\n  price_year: "1990/91"\n')
    with pytest.raises(ScenarioError, match=r"settings\.price_year: price year '1990/91' is outside the nhscii .*"
                                            r"it is before the first year available \(2007/08\)"):
        compile_path(path)


def test_a_future_price_year_on_the_command_line_exits_2_with_one_line():
    done = _cli("run", str(DEFAULT), "--set", "settings.price_year=2031/32")
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert "settings.price_year: price year '2031/32' is outside the nhscii index table" in lines[0]
    assert "it is after the last year available (2023/24)" in lines[0]


def test_a_future_price_year_in_data_summary_is_one_error():
    done = _cli("data", "summary", str(SCENARIOS / "data" / "SYNTHETIC_service_use.csv"), "--price-year", "2031/32")
    assert done.returncode == 2, done.stderr
    assert done.stderr.count("error:") == 1, done.stderr
    assert "--price-year: price year '2031/32' is outside the nhscii index table" in done.stderr


# ---------------------------------------------------------------------------- dsa_range
@pytest.mark.parametrize("bounds", ["[.nan, 0.9]", "[0.1, .nan]", "[0.1, .inf]", "[-.inf, 0.9]"])
def test_a_non_finite_dsa_range_is_a_located_error(write_scenario, bounds):
    path = _extends(write_scenario, "parameters:\n  attribution:\n    value: 0.5\n    dist: beta\n    mean: 0.5\n"
                                    f"    se: 0.2\n    dsa_range: {bounds}\n    source: test\n")
    with pytest.raises(ScenarioError) as info:
        compile_path(path)
    assert f"{path}:8:5: parameters.attribution.dsa_range: low and high must be finite numbers" in str(info.value)


def test_a_nan_dsa_range_set_on_the_command_line_exits_2():
    done = _cli("dsa", str(DEFAULT), "--set", "parameters.attribution.dsa_range=[.nan, 1]")
    assert done.returncode == 2, done.stderr
    assert "parameters.attribution.dsa_range: low and high must be finite numbers (got [nan, 1.0])" in done.stderr


# ---------------------------------------------------------------------------- currency
def _tables(tmp_path, currency: str | None):
    """Copies of the project's unit-cost and informal-care tables, with metadata saying ``currency``."""
    import shutil

    for name in ("unit_costs", "informal_care_rates"):
        shutil.copy(ROOT / "costs" / f"{name}.csv", tmp_path / f"{name}.csv")
        if currency is not None:
            (tmp_path / f"{name}_metadata.yaml").write_text(f"# test copy\ncurrency: {currency}\n", encoding="utf-8")
    return (f"data:\n  unit_costs: {tmp_path / 'unit_costs.csv'}\n"
            f"  informal_care_rates: {tmp_path / 'informal_care_rates.csv'}\n")


def test_a_scenario_in_eur_with_the_gbp_tables_is_refused_at_settings_currency(write_scenario):
    path = _extends(write_scenario, "settings:\n  currency: EUR\n")
    with pytest.raises(ScenarioError) as info:
        compile_path(path)
    text = str(info.value)
    assert text.startswith(f"{path}:3:3: settings.currency: the scenario's money is EUR but the unit-cost table "), text
    assert "unit_costs.csv is in GBP (" in text and "unit_costs_metadata.yaml:3:11)" in text
    assert "amounts are never converted between currencies" in text


def test_the_project_tables_declare_gbp():
    from econ.inputs.currency import table_currency

    for name in ("unit_costs", "informal_care_rates"):
        found = table_currency(ROOT / "costs" / f"{name}.csv")
        assert found.currency == "GBP" and found.declared_at is not None and found.declared_at.line == 3


def test_tables_declared_in_eur_run_a_scenario_in_eur(write_scenario, tmp_path):
    path = _extends(write_scenario, "settings:\n  currency: EUR\n" + _tables(tmp_path, "EUR"))
    assert compile_path(path).loaded.spec.settings.currency == "EUR"


def test_a_table_without_a_currency_is_gbp_and_says_so(write_scenario, tmp_path):
    data = _tables(tmp_path, None)
    compile_path(_extends(write_scenario, data))  # GBP: fine
    path = _extends(write_scenario, "settings:\n  currency: USD\n" + data)
    with pytest.raises(ScenarioError, match=r"settings\.currency: the scenario's money is USD but the unit-cost "
                                            r"table .* is in GBP \(the table format's currency: unit_costs\.csv has "
                                            r"no metadata file with a currency: line"):
        compile_path(path)


@pytest.mark.parametrize("value", ["eur", "EURO", "1", "[GBP]"])
def test_a_currency_that_is_not_an_iso_code_is_a_located_error(tmp_path, value):
    from econ.core.errors import DataError
    from econ.inputs.currency import table_currency

    _tables(tmp_path, value)
    with pytest.raises(DataError, match=r"unit_costs_metadata\.yaml:2:11: currency: expected an ISO 4217 currency "
                                        r"code of three capital letters"):
        table_currency(tmp_path / "unit_costs.csv")


def test_a_currency_mismatch_on_the_command_line_exits_2():
    done = _cli("run", str(DEFAULT), "--set", "settings.currency=EUR")
    assert done.returncode == 2, done.stderr
    assert "settings.currency: the scenario's money is EUR but the unit-cost table" in done.stderr
    assert "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- data paths
def test_a_directory_as_a_data_file_is_refused_at_its_scenario_key(write_scenario, tmp_path):
    path = _extends(write_scenario, f"data:\n  service_use: {tmp_path}\n")
    with pytest.raises(ScenarioError) as info:
        compile_path(path)
    assert str(info.value) == f"{path}:3:3: data.service_use: {tmp_path} is a directory, not a regular file"


def test_a_fifo_as_a_data_file_is_refused_at_its_scenario_key_without_blocking(write_scenario, tmp_path):
    import os

    fifo = tmp_path / "costs.csv"
    os.mkfifo(fifo)
    path = _extends(write_scenario, f"data:\n  unit_costs: {fifo}\n")
    with pytest.raises(ScenarioError, match=rf"^{path}:3:3: data\.unit_costs: {fifo} is a FIFO \(named pipe\), "
                                            r"not a regular file$"):
        compile_path(path)


# ---------------------------------------------------------------------------- option checks
@pytest.mark.parametrize("value, message", [("0", "error: --study-n '0': study sizes must be >= 1"),
                                            ("a,b", "error: --study-n 'a,b': expected whole numbers")])
def test_an_option_refused_while_the_arguments_are_read_exits_2(value, message):
    done = _cli("voi", str(DEFAULT), "--study-n", value)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "Traceback" not in done.stderr


# ---------------------------------------------------------------------------- two-way and threshold ranges
@pytest.mark.parametrize("args, message", [
    (["twoway", "attribution", "smr", "--n", "3", "--range1", "0", "0"], "error: --range1 0 0: a grid needs low < high"),
    (["twoway", "attribution", "smr", "--n", "3", "--range2", "3", "1"], "error: --range2 3 1: a grid needs low < high"),
    # attribution is fixed at 1 since issue 13 (no distribution to bound a range); p_never_attend is a beta
    (["twoway", "p_never_attend", "smr", "--n", "3", "--range1", "-0.1", "0.9"],
     "error: range1: the range -0.1 to 0.9 of 'p_never_attend' goes outside the support of its beta distribution, [0, 1]"),
    (["threshold", "p_never_attend", "--range", "2", "3"],
     "error: range: the range 2 to 3 of 'p_never_attend' goes outside the support of its beta distribution, [0, 1]"),
    (["twoway", "p_never_attend", "smr", "--n", "3", "--range2", "-1", "2"],
     "error: range2: the range -1 to 2 of 'smr' goes outside the support of its lognormal distribution, [0, inf]"),
])
def test_a_range_that_is_empty_or_outside_the_support_exits_2(args, message):
    done = _cli(args[0], str(DEFAULT), *args[1:])
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "internal error" not in done.stderr


def test_a_dirichlet_component_range_stays_in_0_1(hiv):
    from econ.analysis import dsa

    with pytest.raises(ScenarioError, match=r"range1: the range 0 to 1\.5 of 'tA_D' goes outside the support of its "
                                            r"share \(a Dirichlet component\), \[0, 1\]"):
        dsa.twoway(hiv, "tA_D", "rr_comb", n=3, range1=(0.0, 1.5))
    assert len(dsa.twoway(hiv, "tA_D", "rr_comb", n=3, range1=(0.0, 1.0))) == 9


@pytest.mark.parametrize("args, message", [
    (["--seed", "-1"], "argument --seed: must be at least 0 (got -1)"),
    (["--parameters", ""], "error: --parameters '': names no parameter"),
])
def test_voi_options_out_of_range_exit_2(args, message):
    done = _cli("voi", str(DEFAULT), "--draws", "100", *args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "internal error" not in done.stderr


@pytest.mark.parametrize("args, message", [
    (["twoway", str(DEFAULT), "attribution", "smr", "--n", "99999999999"],
     "grid points (n^2) is more than the limit of 20,000,000"),
    (["gsa", str(DEFAULT), "--n", "8", "--resamples", "99999999999"],
     "99,999,999,999 resamples of n = 8 need about 30,517,578 MB for the bootstrap confidence intervals"),
    (["voi", str(DEFAULT), "--seed", "99999999999"], "argument --seed: must be at most 4,294,967,295"),
    (["voi", str(DEFAULT), "--draws", "100", "--bootstrap", "99999999999"],
     "--bootstrap 99,999,999,999 with 100 draws needs about"),
])
def test_huge_sizes_are_refused_before_allocating(args, message):
    done = _cli(*args)
    assert done.returncode == 2, done.stderr
    assert message in done.stderr and "internal error" not in done.stderr
