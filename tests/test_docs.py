"""Generated documentation is up to date."""
from econ.scenario.reference import render

from .conftest import ROOT


def test_scenario_reference_is_generated_from_the_schema():
    committed = (ROOT / "docs" / "scenario_reference.md").read_text(encoding="utf-8")
    assert committed.strip() == render().strip(), "run: python -m econ.scenario.reference > docs/scenario_reference.md"
