"""``subgroups --by X``: 95% bootstrap intervals, warnings, the interaction test, engagement-driven delivery cost."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from econ.analysis.offset import headline
from econ.analysis.subgroups import COLUMNS, subgroup_analysis
from econ.cli.main import main
from econ.model.run import compile_path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "side_by_side.yaml"
FAST = ["data.bootstrap_replicates=60"]


def _csv(folder):
    table = pd.read_csv(folder / "subgroups.csv", dtype={"value": str, "warning": str})
    return table.assign(warning=table.warning.fillna(""))


@pytest.mark.parametrize("by", ["area", "bme"])
def test_subgroups_by_area_and_bme_exit_0_with_intervals_and_warnings(by, tmp_path, capsys):
    """The issue's check: exit 0, intervals and warnings printed, subgroups.csv with the stated columns."""
    args = ["subgroups", str(DEFAULT), "--by", by, "--replicates", "60", "--out", str(tmp_path / by)]
    if by == "bme":
        args += ["--min-n", "300"]  # the BME subgroup (236 people) is then flagged
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "SYNTHETIC" in out and "[95% interval]" in out and " to " in out and "Warnings:" in out
    table = _csv(tmp_path / by)
    assert {"subgroup", "value", "n", "mean", "low", "high", "warning"} <= set(table.columns)
    assert list(table.columns) == list(COLUMNS)
    varying = table[table.measure != "delivery_cost"]
    assert (varying.low < varying.high).all() and np.isfinite(varying[["mean", "low", "high"]].to_numpy()).all()
    assert (table.subgroup == by).all()
    assert table.interaction_p[table.measure == "net_cost"].between(0, 1).all()
    if by == "bme":
        assert table[table.value == "yes"].warning.str.contains("small sample: 236 people").all()


def test_point_values_are_the_subgroup_runs_of_the_model():
    """Where every statistic is defined, the subgroup mean is the headline of the scenario run on the subgroup."""
    result = subgroup_analysis(DEFAULT, "bme", overrides=FAST)
    for value in ("yes", "no"):
        h = headline(compile_path(DEFAULT, overrides=FAST, subgroup={"bme": value}))
        h = h[(h.discounting == "discounted") & (h.perspective == "nhs_pss")].set_index(["strategy", "measure"])
        rows = result.table[result.table.value == value]
        for row in rows.itertuples():
            assert row.mean == pytest.approx(h.loc[(row.strategy, row.measure), "per_participant"], rel=1e-12)


def test_by_setting_runs_each_setting_for_its_own_strategy(capsys):
    assert main(["subgroups", str(DEFAULT), "--by", "setting", "--replicates", "40"]) == 0
    out = capsys.readouterr().out
    assert "each setting is shown for its own strategy" in out
    result = subgroup_analysis(DEFAULT, "setting", overrides=FAST)
    t = result.table
    assert set(zip(t.value, t.strategy)) == {("group", "group"), ("one_to_one", "one_to_one"), ("online", "online")}
    # the group strategy's reductions come from group people in both runs; baseline use now from them too
    assert t.interaction_p[t.measure == "net_cost"].notna().all()


def test_engagement_delivery_cost_follows_sessions():
    """Delivery per strategy = the scenario's delivery x band mean sessions / setting mean sessions."""
    result = subgroup_analysis(DEFAULT, "engagement_band", overrides=FAST)
    t = result.table[result.table.measure == "delivery_cost"].set_index(["value", "strategy"])["mean"]
    persons = compile_path(DEFAULT, overrides=FAST).context.service_use.persons
    h = headline(compile_path(DEFAULT, overrides=FAST))
    h = h[(h.discounting == "discounted") & (h.perspective == "nhs_pss") & (h.measure == "delivery_cost")]
    base = h.set_index("strategy")["per_participant"]
    for band in ("1-5", "6-11", "12+"):
        for setting in ("group", "one_to_one", "online"):
            same = persons.setting == setting
            factor = (persons.engagement_sessions[same & (persons.engagement_band.astype(str) == band)].mean()
                      / persons.engagement_sessions[same].mean())
            assert t[(band, setting)] == pytest.approx(base[setting] * factor, rel=1e-12)
        assert t[("1-5", "group")] < t[("6-11", "group")] < t[("12+", "group")]
    assert list(dict.fromkeys(result.table.value)) == ["1-5", "6-11", "12+"]
    assert any("not randomised" in note for note in result.notes)


def test_clustered_bootstrap_reports_the_design_effect(tmp_path):
    assert main(["subgroups", str(DEFAULT), "--by", "bme", "--cluster", "area", "--replicates", "60",
                 "--out", str(tmp_path / "c")]) == 0
    table = _csv(tmp_path / "c")
    de = table.design_effect[table.measure == "net_cost"].astype(float)
    assert np.isfinite(de).all() and (de > 0).all()


def test_bad_options_exit_2_with_a_message(capsys):
    assert main(["subgroups", str(DEFAULT), "--by", "area", "--cluster", "area"]) == 2
    assert "each subgroup is one cluster" in capsys.readouterr().err
    assert main(["subgroups", str(DEFAULT), "--by", "bme", "--replicates", "5"]) == 2
    assert "--replicates must be at least 10" in capsys.readouterr().err
