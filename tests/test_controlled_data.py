"""Tests of the SYNTHETIC controlled data sets (scripts/synthetic_controlled.py) and their loader."""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import yaml

from econ.core.errors import DataError
from econ.inputs.controlled_data import load_controlled_data

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "scenarios" / "data"
VARIANTS = ("rtm_only", "true_effect")


def _load(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


MAIN = _load("make_synthetic_data", ROOT / "scripts" / "make_synthetic_data.py")
GEN = MAIN.controlled_module()


def _files(variant):
    stem = f"SYNTHETIC_controlled_{variant}"
    return [f"{stem}_service_use.csv", f"{stem}_persons.csv", f"{stem}_metadata.yaml"]


def test_shipped_controlled_files_are_the_generator_output_and_loudly_synthetic(tmp_path):
    MAIN.write_files(tmp_path, seed=MAIN.DEFAULT_SEED)  # noqa: the main set is checked in test_synthetic_data
    GEN.write_files(MAIN.shared_design(), tmp_path, seed=MAIN.DEFAULT_SEED)
    for variant in VARIANTS:
        for name in _files(variant):
            assert (tmp_path / name).read_bytes() == (DATA / name).read_bytes(), \
                f"regenerate {name}: python scripts/make_synthetic_data.py"
        text = (DATA / _files(variant)[2]).read_text()
        meta = yaml.safe_load(text)
        assert text.startswith("# SYNTHETIC DATA") and meta["synthetic"] is True and "NOT real" in meta["label"]
        assert meta["variant"] == variant and meta["seed"] == MAIN.DEFAULT_SEED
        for role, name in zip(("service_use", "persons"), _files(variant)):
            assert meta["files"][role]["sha256"] == hashlib.sha256((DATA / name).read_bytes()).hexdigest()
        effects = meta["true_effect"]["use_per_month"]
        if variant == "rtm_only":
            assert set(effects.values()) == {0.0} and meta["true_effect"]["swemwbs"] == 0.0
        else:
            assert min(effects.values()) < 0 and meta["true_effect"]["swemwbs"] == GEN.WELLBEING_EFFECT
        assert meta["rtm_inputs"]["rho"]["crisis_team_contact"] < meta["rtm_inputs"]["rho"]["gp_surgery"]


def test_same_seed_same_bytes_other_seed_other_data(tmp_path):
    design = MAIN.shared_design()
    for folder, seed in (("a", 3), ("b", 3), ("c", 4)):
        (tmp_path / folder).mkdir()
        GEN.write_files(design, tmp_path / folder, seed=seed, n={"intervention": 40, "comparison": 30})
    name = _files("true_effect")[0]
    assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert (tmp_path / "a" / name).read_bytes() != (tmp_path / "c" / name).read_bytes()


def test_loaded_shipped_data_have_groups_loss_to_follow_up_and_swemwbs():
    data = load_controlled_data(DATA / _files("true_effect")[0])
    persons = data.persons
    assert data.synthetic and data.persons_file.endswith("_persons.csv")
    assert (persons["group"] == "intervention").sum() == 700 and (persons["group"] == "comparison").sum() == 350
    comparison = persons["group"] == "comparison"
    assert set(persons.loc[comparison, "setting"]) == {"none"} and (persons.loc[comparison, "engagement_sessions"] == 0).all()
    lost = ~persons["followed_up"].to_numpy()
    # Loss to follow-up 25% and 30% completely at random: SD of a share about 1.7 and 2.5 points, so +-7 points.
    assert persons.loc[~comparison, "followed_up"].mean() == pytest.approx(0.75, abs=0.07)
    assert persons.loc[comparison, "followed_up"].mean() == pytest.approx(0.70, abs=0.07)
    assert np.isnan(data.monthly_use[1, lost]).all() and not np.isnan(data.monthly_use[1, ~lost]).any()
    assert np.isnan(data.swemwbs[1, lost]).all()
    assert np.nanmin(data.swemwbs) >= 7 and np.nanmax(data.swemwbs) <= 35
    assert persons["cluster"].nunique() > 50 and persons.groupby("cluster")["area"].nunique().max() == 1


def test_regression_to_the_mean_follows_the_closed_form_and_is_largest_for_crisis_care():
    # Joiners: E[N_0] = 1 + s/T, E[N_1] = 1 + rho s/T, so the relative fall is (1 - rho) (s/T) / (1 + s/T).
    n = {"intervention": 20000, "comparison": 1}
    people, use = GEN.generate(MAIN.shared_design(), 9, "rtm_only", n)
    kept = people["followed_up"]
    falls = {}
    for k, (code, _, _, _, _, rho, _) in enumerate(GEN.SERVICES):
        y0, y1 = use[0, kept, k].astype(float), use[1, kept, k].astype(float)
        ratio = y1.mean() / y0.mean()
        se = np.std(y1 - ratio * y0) / np.sqrt(len(y0)) / y0.mean()  # delta method for a ratio of means
        falls[code] = 1.0 - ratio
        expected = (1.0 - rho) * (GEN.JOIN_TILT / GEN.NEED_SHAPE) / (1.0 + GEN.JOIN_TILT / GEN.NEED_SHAPE)
        assert abs(falls[code] - expected) < 4 * se, (code, falls[code], expected, se)
    assert falls["crisis_team_contact"] > 2 * falls["gp_surgery"]


def _write(tmp_path, service_rows, person_rows):
    header = "person_id,group,period,recall_months,setting,engagement_sessions,area,bme,service,quantity"
    use = tmp_path / "T_service_use.csv"
    use.write_text("\n".join([header] + service_rows) + "\n")
    persons = tmp_path / "T_persons.csv"
    persons.write_text("\n".join(["person_id,cluster,followed_up,swemwbs_baseline,swemwbs_followup"] + person_rows) + "\n")
    return use, persons


GOOD_USE = ["P1,intervention,baseline,3,group,4,leeds,no,gp_surgery,2",
            "P1,intervention,followup,3,group,4,leeds,no,none,0",
            "P2,comparison,baseline,3,none,0,leeds,yes,gp_surgery,1"]
GOOD_PERSONS = ["P1,leeds:I01,yes,20,24", "P2,leeds:C01,no,18,"]


def test_a_valid_small_file_loads(tmp_path):
    use, persons = _write(tmp_path, GOOD_USE, GOOD_PERSONS)
    data = load_controlled_data(use)
    assert list(data.persons["followed_up"]) == [True, False]
    assert data.monthly_use[0, :, 0].tolist() == [2 / 3, 1 / 3] and data.monthly_use[1, 0, 0] == 0
    assert np.isnan(data.monthly_use[1, 1, 0]) and data.swemwbs[0].tolist() == [20, 18]


@pytest.mark.parametrize("use_rows, person_rows, where, message", [
    ([GOOD_USE[0], GOOD_USE[1], "P2,comparison,baseline,3,group,0,leeds,yes,gp_surgery,1"], GOOD_PERSONS,
     "T_service_use.csv:4", "must be one of none"),
    ([GOOD_USE[0], GOOD_USE[1], "P2,comparison,baseline,3,none,5,leeds,yes,gp_surgery,1"], GOOD_PERSONS,
     "T_service_use.csv:4", "engagement_sessions must be 0"),
    (GOOD_USE + ["P2,comparison,followup,3,none,0,leeds,yes,none,0"], GOOD_PERSONS,
     "T_service_use.csv:5", "is lost to follow-up"),
    (GOOD_USE[:1] + GOOD_USE[2:], GOOD_PERSONS, "T_service_use.csv:2", "has no followup rows but is followed up"),
    (GOOD_USE, ["P1,leeds:I01,yes,20,36", GOOD_PERSONS[1]], "T_persons.csv:2", "SWEMWBS score from 7 to 35"),
    (GOOD_USE, [GOOD_PERSONS[0], "P2,leeds:C01,no,18,22"], "T_persons.csv:3", "must have an empty swemwbs_followup"),
    (GOOD_USE, GOOD_PERSONS + ["P9,leeds:C01,no,18,"], "T_persons.csv:4", "'P9' is not in the service-use file"),
    (GOOD_USE[:2] + ["P2,control,baseline,3,none,0,leeds,yes,gp_surgery,1"], GOOD_PERSONS,
     "T_service_use.csv:4", "must be one of intervention, comparison"),
])
def test_bad_input_gives_a_located_error(tmp_path, use_rows, person_rows, where, message):
    use, _ = _write(tmp_path, use_rows, person_rows)
    with pytest.raises(DataError) as err:
        load_controlled_data(use)
    text = str(err.value)
    assert where in text and message in text, text
