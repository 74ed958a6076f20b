"""Unknown keywords, misspelt choices and reserved words: the message names the word, suggests one, and says where."""
from __future__ import annotations

import pytest

from econ.core.errors import ScenarioError
from econ.model.compile import compile_scenario
from econ.scenario.load import load_scenario

BASE = """metadata: {name: k}
settings: {n_cycles: 3}
parameters:
  p: 0.1
states: {a: {}, b: {}}
transitions:
  a: {a: complement, b: p}
  b: {b: 1}
initial: {a: 1}
strategies: {x: {}}
"""


def _errors(write_scenario, old, new) -> str:
    assert old in BASE
    path = write_scenario(BASE.replace(old, new))
    with pytest.raises(ScenarioError) as exc:
        compile_scenario(load_scenario(path))
    return str(exc.value)


@pytest.mark.parametrize("old,new,expected", [
    ("n_cycles: 3", "n_cycles: 3, cycle_corection: end",
     "scenario.yaml:2:25: settings.cycle_corection: unknown key 'cycle_corection'; did you mean cycle_correction?"),
    ("n_cycles: 3", "n_cycles: 3, cycle_correction: trapezod",
     "scenario.yaml:2:25: settings.cycle_correction: must be 'end', 'start', 'trapezoid' or 'simpson' (got trapezod); "
     "did you mean trapezoid?"),
    ("n_cycles: 3", "n_cycles: 3, discount_timing: boundry",
     "settings.discount_timing: must be 'cycle' or 'boundary' (got boundry); did you mean boundary?"),
    ("  p: 0.1", "  p: {value: 0.1, sorce: x}",
     "scenario.yaml:4:19: parameters.p.sorce: unknown key 'sorce'; did you mean source?"),
    ("  p: 0.1", "  p: {dist: beta, mean: 0.1, se: 0.01, sorce: x}",
     "parameters.p.sorce: beta has no key 'sorce'; allowed: mean, se (or sd) | alpha, beta | events, n; did you mean "
     "'source' (a key of the parameter, not of the distribution)?"),
    ("  p: 0.1", "  p: 0.1\n  q: exq(p)", "parameters.q: function 'exq' is not allowed (did you mean exp?)"),
    ("a: complement,", "a: complment,", "scenario.yaml:7:7: transitions.a.a: unknown name 'complment' (did you mean complement?)"),
    ("  p: 0.1", "  p: 0.1\n  lambda: 2",
     "scenario.yaml:5:3: parameters.lambda: 'lambda' is a reserved word of the expression language and cannot be a "
     "name; choose another, e.g. 'lambda_' or 'lambda_rate'"),
    ("b: p}", "b: p * in}", "transitions.a.b: syntax error: 'in' is a reserved word and cannot be a name in an expression"),
    ("strategies: {x: {}}", "strategies: {x: {labl: X}}", "strategies.x.labl: unknown key 'labl'; did you mean label?"),
])
def test_message_names_the_word_and_suggests_one(write_scenario, old, new, expected):
    assert expected in _errors(write_scenario, old, new)
