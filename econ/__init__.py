"""peer-econ: the cost offset of community peer support for mental health, as a Markov cohort model."""
from econ.api import budget, budget_impact, compile_path, dsa, effects, gsa, headline, make_report, psa, run, voi
from econ.core.errors import (DataError, EconError, EconWarning, ModelError, ScenarioError, ScenarioWarning,
                              SyntheticDataWarning)
from econ.analysis.base_case import Results
from econ.scenario.load import load_scenario

__version__ = "0.2.0"

__all__ = [
    "load_scenario",
    "compile_path",
    "run",
    "psa",
    "headline",
    "budget",
    "budget_impact",
    "effects",
    "voi",
    "dsa",
    "gsa",
    "make_report",
    "Results",
    "EconError",
    "ScenarioError",
    "DataError",
    "ModelError",
    "EconWarning",
    "ScenarioWarning",
    "SyntheticDataWarning",
    "__version__",
]
