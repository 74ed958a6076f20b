"""Lookup tables (econ.inputs.lookup_tables, econ.model.lookup): exact, step and linear lookups, age and sex."""
from __future__ import annotations

import csv

import numpy as np
import pytest

from econ.core.errors import DataError, ModelError, ScenarioError
from econ.inputs.lookup_tables import lookup, read_lookup_table
from econ.model.compile import compile_scenario
from econ.model.evaluate import evaluate
from econ.scenario.load import load_scenario

from .conftest import ROOT

LIFE_TABLE = ROOT / "scenarios" / "tables" / "ILLUSTRATIVE_life_table_england.csv"

KEYS = np.array([2020.0, 2022.0, 2025.0])
VALS = np.array([1.0, 3.0, 9.0])


def test_exact_step_linear_against_hand_values():
    x = np.array([2020.0, 2022.0, 2025.0])
    np.testing.assert_array_equal(lookup(KEYS, VALS, x, "exact")[0], [1.0, 3.0, 9.0])
    assert lookup(KEYS, VALS, np.array([2021.0]), "exact") == (None, 2021.0)
    # step: the last key at or below x; the last band is open-ended; below the first key is an error
    np.testing.assert_array_equal(lookup(KEYS, VALS, np.array([2020.0, 2021.9, 2022.0, 2024.99, 2030.0]), "step")[0],
                                  [1.0, 1.0, 3.0, 3.0, 9.0])
    assert lookup(KEYS, VALS, np.array([2019.5]), "step") == (None, 2019.5)
    # linear: 3 + (2023.5 - 2022) (9 - 3) / 3 = 6; 1 + 0.5 (3 - 1) / 2 = 1.5
    got = lookup(KEYS, VALS, np.array([2020.5, 2023.5, 2025.0]), "linear")[0]
    np.testing.assert_allclose(got, [1.5, 6.0, 9.0], rtol=1e-15)
    assert lookup(KEYS, VALS, np.array([2025.5]), "linear") == (None, 2025.5)


def test_step_counts_a_key_reached_by_accumulated_time():
    # age 40 + 12 cycles of 1/12 year: on the key 41 (to within 1e-9) it reads the row of 41
    x = 40.0 + 12 * (1.0 / 12.0)
    keys, vals = np.array([40.0, 41.0]), np.array([0.1, 0.2])
    assert lookup(keys, vals, np.array([x]), "step")[0][0] == 0.2


def _life_scenario(write_scenario, method="step", extra=""):
    text = f"""
metadata: {{name: life}}
settings: {{cycle_length: year, n_cycles: 20, cycle_correction: end, start_age: 40, sex: female,
            discount_rate_costs: 0, discount_rate_outcomes: 0}}
parameters:
  qx: {{lookup: {{table: {LIFE_TABLE}, column: qx, by: {{age: age, sex: sex}}, method: {method}}}}}
states: {{alive: {{}}, dead: {{}}}}
transitions:
  alive: {{alive: complement, dead: qx}}
  dead: {{dead: 1}}
initial: {{alive: 1}}
strategies:
  women: {{}}
  men: {{sex: male}}
  men_at_60: {{sex: male, start_age: 60}}
values:
  life_years: {{kind: outcome, states: {{alive: 1}}}}
{extra}"""
    return write_scenario(text)


def _table():
    out = {}
    with open(LIFE_TABLE, encoding="utf-8") as fh:
        for row in csv.DictReader(line for line in fh if not line.startswith("#")):
            out[(row["sex"], int(row["age"]))] = float(row["qx"])
    return out


def test_life_table_survival_over_20_years_matches_a_hand_calculation(write_scenario):
    compiled = compile_scenario(load_scenario(_life_scenario(write_scenario)))
    ev = evaluate(compiled, keep_trace=True)
    q = _table()
    for k, (sex, start) in enumerate((("female", 40), ("male", 40), ("male", 60))):
        alive, life_years = 1.0, 0.0
        for t in range(20):  # cycle t + 1 is lived from age start + t
            alive *= 1.0 - q[(sex, start + t)]
            life_years += alive
        assert ev.trace[0, k, -1, 0] == pytest.approx(alive, rel=1e-12)
        assert ev.totals[0, k, 0] == pytest.approx(life_years, rel=1e-12)
    assert "ILLUSTRATIVE - NOT ONS FIGURES" in compiled.parameters["qx"].source


def test_linear_lookup_of_a_life_table_at_half_years(write_scenario, tmp_path):
    """Monthly cycles with linear interpolation between single years of age."""
    path = _life_scenario(write_scenario, method="linear")
    text = path.read_text().replace("cycle_length: year, n_cycles: 20", "cycle_length: month, n_cycles: 24")
    path.write_text(text)
    ev = evaluate(compile_scenario(load_scenario(path)), keep_trace=True)
    q = _table()
    alive = 1.0
    for t in range(24):
        age = 40 + t * (1.0 / 12.0)
        a = int(np.floor(age + 1e-12))
        frac = age - a
        alive *= 1.0 - (q[("female", a)] + frac * (q[("female", a + 1)] - q[("female", a)]))
    assert ev.trace[0, 0, -1, 0] == pytest.approx(alive, rel=1e-12)


def test_lookup_errors_name_what_is_wrong(write_scenario, tmp_path):
    # beyond the table with linear: age 100 is the last key
    path = _life_scenario(write_scenario, method="linear")
    path.write_text(path.read_text().replace("start_age: 40", "start_age: 90"))
    with pytest.raises(ModelError, match=r"parameters.qx: age = 101 is not in lookup table .*nothing is extrapolated"):
        evaluate(compile_scenario(load_scenario(path)))
    path.write_text(path.read_text().replace("sex: female", "sex: females"))
    with pytest.raises(ScenarioError, match="sex 'females' is not a category.*female, male"):
        compile_scenario(load_scenario(path))
    bad = tmp_path / "bad.csv"
    bad.write_text("year,value\n2020,1\n2020,2\n", encoding="utf-8")
    with pytest.raises(DataError, match="bad.csv:3.*key year = 2020 repeats"):
        read_lookup_table(bad, keys=["year"])


def test_lookup_by_calendar_year(write_scenario, tmp_path):
    (tmp_path / "prices.csv").write_text("# source: test table\n# status: assumption\nyear,price\n"
                                         "2025,10\n2026,12\n2027,15\n", encoding="utf-8")
    text = """
metadata: {name: years}
settings: {cycle_length: year, n_cycles: 3, cycle_correction: start, discount_rate_costs: 0}
parameters:
  price: {lookup: {table: prices.csv, column: price, by: {year: 2025 + time}}}
states: {a: {}}
transitions: {a: {a: 1}}
initial: {a: 1}
strategies: {s: {}}
values: {cost: {kind: cost, states: {a: price}}}
"""
    ev = evaluate(compile_scenario(load_scenario(write_scenario(text))))
    assert ev.totals[0, 0, 0] == 10 + 12 + 15


def test_spreadsheet_export_refuses_lookups(write_scenario, tmp_path):
    from econ.report.excel_model import build_workbook
    from econ.report.excel_model.formulas import FormulaError

    compiled = compile_scenario(load_scenario(_life_scenario(write_scenario)))
    with pytest.raises(FormulaError, match=r"lookup tables \(qx\) are not written to the spreadsheet"):
        build_workbook(compiled, evaluate(compiled))
