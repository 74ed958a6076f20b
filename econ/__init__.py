"""peer-econ: the cost offset of community peer support for mental health, as a Markov cohort model."""
from econ.api import budget, compile_path, dsa, effects, gsa, headline, make_report, psa, run, voi
from econ.core.errors import DataError, EconError, EconWarning, ModelError, ScenarioError
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
    "__version__",
]
