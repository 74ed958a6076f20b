"""``data effect``: loss to follow-up, clusters and cost model chosen by option or by the scenario's data block."""
from __future__ import annotations

from pathlib import Path

from econ.cli.main import main

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "data" / "SYNTHETIC_controlled_need_dropout_service_use.csv"
DEFAULT = ROOT / "scenarios" / "side_by_side.yaml"


def test_effect_with_missing_shares_clusters_and_a_cost_model(capsys):
    assert main(["data", "effect", str(DATA), "--missing", "ipw", "--cluster", "cluster", "--cost-model", "two_part",
                 "--replicates", "30"]) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "inverse-probability weighting" in out
    assert "Share missing per arm and time point" in out and "missing_followup_intervention" in out
    assert "two-part" in out and "design effect 1 + (m - 1) ICC" in out


def _scenario(tmp_path, text):
    path = tmp_path / "s.yaml"
    path.write_text(f"extends: {DEFAULT}\ndata:\n{text}", encoding="utf-8")
    return path


def test_methods_come_from_the_scenario_and_bad_values_are_located(tmp_path, capsys):
    good = _scenario(tmp_path, "  missing_followup: complete_case\n  cost_model: glm_gamma\n")
    code = main(["data", "effect", str(DATA), "--scenario", str(good), "--replicates", "20"])
    captured = capsys.readouterr()
    # total cost has zeros, so the gamma GLM is refused with a pointer to the two-part model
    assert code == 2 and "use model 'two_part'" in captured.err
    assert main(["data", "effect", str(DATA), "--scenario", str(good), "--cost-model", "mean", "--replicates", "20"]) == 0
    assert "complete case: people followed up only" in capsys.readouterr().out
    bad = _scenario(tmp_path, "  missing_followup: hot_deck\n")
    assert main(["data", "effect", str(DATA), "--scenario", str(bad)]) == 2
    err = capsys.readouterr().err
    assert "s.yaml:3:" in err and "data.missing_followup" in err and "hot_deck" in err
