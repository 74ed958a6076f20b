"""docs/writing_models.md: the tutorial's whole model compiles and runs, and its sum equals its members."""
from __future__ import annotations

import re

import numpy as np

from econ.model.compile import compile_scenario
from econ.model.engine import StrategyEnv
from econ.model.evaluate import evaluate
from econ.scenario.load import load_scenario

from .conftest import ROOT

DOC = ROOT / "docs" / "writing_models.md"


def test_tutorial_model_runs(tmp_path):
    text = DOC.read_text(encoding="utf-8")
    whole = text[text.index("## The whole model"):]
    yaml_text = re.search(r"```yaml\n(.*?)```", whole, re.S).group(1)
    yaml_text = yaml_text.replace("../costs", str(ROOT / "costs")).replace(
        "tables/ILLUSTRATIVE", str(ROOT / "scenarios" / "tables" / "ILLUSTRATIVE"))
    path = tmp_path / "tutorial.yaml"
    path.write_text(yaml_text, encoding="utf-8")
    compiled = compile_scenario(load_scenario(path))
    ev = evaluate(compiled)
    assert ev.outputs == ("c_treatment", "gp_surgery", "ae_attendance", "life_years", "total_cost")
    assert np.isfinite(ev.totals).all() and (ev.totals[0, 1, 0] > 0)
    env = StrategyEnv(compiled.model, compiled.model.strategies[0], compiled.parameters.point_table()).env()
    assert float(np.squeeze(env["m_total"])) == float(np.squeeze(env["m_gp_surgery"] + env["m_ae_attendance"]))
    assert compiled.parameters["n_ae_attendance"].point == 0.5
