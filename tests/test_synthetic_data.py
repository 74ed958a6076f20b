"""Tests of scripts/make_synthetic_data.py and of the SYNTHETIC data set shipped in scenarios/data."""
from __future__ import annotations

import hashlib
import importlib.util
from pathlib import Path

import numpy as np
import pytest
import yaml

from econ.inputs.service_use import INFORMAL_CARE_COLUMNS, SERVICE_USE_COLUMNS, load_service_use, summarize_use
from econ.inputs.unit_costs import load_unit_costs

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "scenarios" / "data"
FILES = ("SYNTHETIC_service_use.csv", "SYNTHETIC_informal_care.csv", "SYNTHETIC_metadata.yaml")


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_synthetic_data", ROOT / "scripts" / "make_synthetic_data.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GENERATOR = _load_generator()


def _digests(folder: Path) -> dict[str, str]:
    return {name: hashlib.sha256((folder / name).read_bytes()).hexdigest() for name in FILES}


@pytest.fixture(scope="module")
def data():
    return load_service_use(SHIPPED / FILES[0], unit_costs=load_unit_costs(),
                            informal_care_path=SHIPPED / FILES[1])


def test_same_seed_gives_byte_identical_files(tmp_path):
    assert GENERATOR.main(["--out-dir", str(tmp_path / "a"), "--seed", "5", "--n-persons", "120"]) == 0
    assert GENERATOR.main(["--out-dir", str(tmp_path / "b"), "--seed", "5", "--n-persons", "120"]) == 0
    GENERATOR.main(["--out-dir", str(tmp_path / "c"), "--seed", "6", "--n-persons", "120"])
    assert _digests(tmp_path / "a") == _digests(tmp_path / "b")
    assert _digests(tmp_path / "a")[FILES[0]] != _digests(tmp_path / "c")[FILES[0]]


def test_shipped_files_are_the_generator_output_for_the_default_seed(tmp_path):
    GENERATOR.main(["--out-dir", str(tmp_path)])
    assert _digests(tmp_path) == _digests(SHIPPED), "regenerate: python scripts/make_synthetic_data.py"


def test_metadata_is_loud_complete_and_date_free():
    text = (SHIPPED / FILES[2]).read_text()
    meta = yaml.safe_load(text)
    assert text.startswith("# SYNTHETIC DATA")
    assert meta["synthetic"] is True and "SYNTHETIC" in meta["label"] and "NOT real" in meta["label"]
    assert meta["generator"] == "scripts/make_synthetic_data.py" and meta["seed"] == GENERATOR.DEFAULT_SEED
    for role, name in (("service_use", FILES[0]), ("informal_care", FILES[1])):
        assert meta["files"][role]["sha256"] == hashlib.sha256((SHIPPED / name).read_bytes()).hexdigest()
    assert tuple(meta["columns"]["service_use"]) == SERVICE_USE_COLUMNS
    assert tuple(meta["columns"]["informal_care"]) == INFORMAL_CARE_COLUMNS
    assert "generation" in meta and "recall_months" in meta["design"]
    assert not any(token in text for token in ("2024-", "2025-", "2026-", "date:", "created"))


def test_shipped_data_has_the_documented_shape(data):
    assert data.synthetic
    assert data.n_persons == 700
    persons = data.persons
    assert persons["area"].nunique() == 9
    shares = persons["setting"].value_counts(normalize=True)
    # Target mix 45/20/35%; with 700 multinomial draws the SD of a share is at most 1.9 points, so +-6 points.
    for setting, target in (("group", 0.45), ("one_to_one", 0.20), ("online", 0.35)):
        assert shares[setting] == pytest.approx(target, abs=0.06)
    assert 0.25 <= (persons["bme"] == "yes").mean() <= 0.42  # about a third
    assert len(data.services) >= 10
    assert (data.recall_months == 3).all()
    assert data.informal_care_monthly is not None


def test_shipped_data_is_skewed_with_many_zeros(data):
    use = data.monthly_use[0]
    inpatient = use[:, data.services.index("mh_inpatient_day")]
    assert (inpatient == 0).mean() > 0.9  # few people are admitted
    assert (inpatient > 0).sum() <= 35  # all bed days fall on at most 5% of people
    assert (use == 0).mean() > 0.7
    care = data.informal_care_monthly[0]
    assert 0.2 < (care > 0).mean() < 0.6 and care.mean() > np.median(care)  # right-skewed


def test_follow_up_changes_are_modest_and_mixed(data):
    overall = summarize_use(data).set_index("service")["relative_change"]
    # Most services fall a little; none changes by more than 60% overall; some do not fall at all.
    assert (overall < 0).sum() >= len(overall) // 2
    assert overall.abs().max() < 0.6
    assert (overall > -0.02).sum() >= 2


# --- the default data agree with the default scenario's assumptions (people join at a point of need) ----------
DEFAULT_SCENARIO = ROOT / "scenarios" / "side_by_side.yaml"


def _scenario_rtm_inputs() -> tuple[dict, dict]:
    """rho and population ratio per outcome as scenarios/side_by_side.yaml's effect block states them."""
    spec = yaml.safe_load(DEFAULT_SCENARIO.read_text(encoding="utf-8"))
    effect, parameters = spec["effect"], spec["parameters"]
    outcomes = [s[0] for s in GENERATOR.all_services()] + ["informal_care_hours", "swemwbs"]
    rho = {k: parameters[effect["rho_by_service"].get(k, effect["rho"])]["value"] for k in outcomes}
    ratio = {k: parameters[effect["population_ratio_by_service"].get(k, effect["population_ratio"])]["value"]
             for k in outcomes}
    return rho, ratio


def _truth_by_outcome() -> tuple[dict, dict]:
    """True effect and rho per outcome (services, informal care hours per month, SWEMWBS) of the generator."""
    from econ.inputs.service_use import WEEKS_PER_MONTH

    t = GENERATOR.truth()
    effect = {k: v["effect_per_month"] for k, v in t["service_use"].items()}
    effect["informal_care_hours"] = t["informal_care"]["effect_hours_per_week"] * WEEKS_PER_MONTH
    effect["swemwbs"] = t["swemwbs"]["effect_points"]
    rho = {k: v["rho"] for k, v in t["service_use"].items()}
    rho.update(informal_care_hours=t["informal_care"]["rho"], swemwbs=t["swemwbs"]["rho"])
    return effect, rho


def test_generator_rho_and_selection_ratio_are_the_default_scenarios():
    scenario_rho, scenario_ratio = _scenario_rtm_inputs()
    _, rho = _truth_by_outcome()
    assert rho == scenario_rho
    t = GENERATOR.truth()
    assert scenario_ratio.pop("swemwbs") == t["swemwbs"]["population_ratio"]
    assert set(scenario_ratio.values()) == {t["selection_ratio"]}
    meta = yaml.safe_load((SHIPPED / FILES[2]).read_text())
    assert meta["truth"]["seed"] == meta["seed"] and meta["truth"]["selection_ratio"] == t["selection_ratio"]
    assert meta["truth"]["service_use"]["mh_inpatient_day"]["effect_per_month"] == pytest.approx(
        t["service_use"]["mh_inpatient_day"]["effect_per_month"], rel=1e-5)


def _generated_outcomes(seed: int, n: int):
    """Default-format outcomes straight from the generator: monthly use, informal care hours a month, SWEMWBS."""
    from econ.inputs.estimators import Outcomes
    from econ.inputs.service_use import WEEKS_PER_MONTH

    persons, use, hours = GENERATOR.generate(seed, n)
    names = tuple(s[0] for s in GENERATOR.all_services()) + ("informal_care_hours", "swemwbs")
    periods = [np.column_stack([use[t] / GENERATOR.RECALL_MONTHS, hours[t] * WEEKS_PER_MONTH,
                                persons[("swemwbs_baseline", "swemwbs_followup")[t]]]).astype(float) for t in (0, 1)]
    return Outcomes(names, ("use",) * (len(names) - 1) + ("swemwbs",), periods[0], periods[1],
                    np.ones(n, dtype=bool), {"intervention": 0, "comparison": 0})


def test_shipped_means_match_the_generators_truth(data):
    """The truth's baseline and follow-up means (closed forms) against a large generated sample."""
    o = _generated_outcomes(3, 60_000)
    t = GENERATOR.truth()
    effect, _ = _truth_by_outcome()
    for k, name in enumerate(o.names[:-2]):
        truth = t["service_use"][name]
        for values, expected in ((o.baseline[:, k], truth["baseline_mean_per_month"]),
                                 (o.followup[:, k], truth["counterfactual_followup_per_month"] + effect[name])):
            se = values.std() / np.sqrt(len(values))
            assert abs(values.mean() - expected) < 4.5 * se + 0.003 * expected, name
    sw = t["swemwbs"]
    assert o.baseline[:, -1].mean() == pytest.approx(sw["baseline_mean"], abs=0.05)
    assert sw["population_mean"] / o.baseline[:, -1].mean() == pytest.approx(1.15, abs=0.005)
    assert data.monthly_use[0].mean(axis=0).sum() == pytest.approx(
        sum(v["baseline_mean_per_month"] for v in t["service_use"].values()), rel=0.15)


def test_rtm_adjusted_recovers_the_true_effect_and_pre_post_overstates_it():
    """Over 20 generator seeds the rtm_adjusted interval (the scenario's rho, population mean = its ratio x the
    sample's baseline mean, as the default scenario computes it) covers the true effect about 95% of the
    time in every kind of service; the naive before-after change includes regression to the mean."""
    from econ.inputs.estimators import estimate_effects

    effect, _ = _truth_by_outcome()
    rho, ratio = _scenario_rtm_inputs()
    kinds = {s[0]: s[5] for s in GENERATOR.all_services()}
    kinds.update(informal_care_hours="community", swemwbs="swemwbs")
    hits, naive_hits, naive, adjusted = [], [], [], []
    for seed in range(20):
        o = _generated_outcomes(100 + seed, 400)
        mu = np.array([ratio[k] for k in o.names]) * o.baseline.mean(axis=0)
        results = estimate_effects(o, ["pre_post", "rtm_adjusted"], n_boot=300, rng=np.random.default_rng(seed),
                                   rho=rho, population_mean=mu)
        truth = np.array([effect[k] for k in o.names])
        for name, out in (("rtm_adjusted", hits), ("pre_post", naive_hits)):
            low, high = results[name].interval
            out.append((low <= truth) & (truth <= high))
        naive.append(results["pre_post"].estimate)
        adjusted.append(results["rtm_adjusted"].estimate)
    hits, naive_hits, names = np.array(hits), np.array(naive_hits), o.names
    assert 0.90 <= hits.mean() <= 0.99, hits.mean()
    for kind in ("primary", "urgent", "community"):
        columns = [j for j, k in enumerate(names) if kinds[k] == kind]
        assert hits[:, columns].mean() >= 0.85, (kind, hits[:, columns].mean())
    # The naive change adds the regression to the mean: a larger fall in use (a larger rise in SWEMWBS) on
    # average over the seeds, by more than 3 standard errors of that average, and intervals that mostly miss.
    naive, adjusted = np.array(naive), np.array(adjusted)
    bias = (naive - adjusted).mean(axis=0)
    se = (naive - adjusted).std(axis=0, ddof=1) / np.sqrt(len(naive))
    sign = np.where(np.array(names) == "swemwbs", 1.0, -1.0)
    assert np.all(sign * bias > 3 * se), dict(zip(names, bias / se))
    # (one service at a time, 400 people, the naive interval is wide; the larger outcomes show it missing)
    for name in ("informal_care_hours", "swemwbs"):
        assert naive_hits[:, names.index(name)].mean() < 0.5, (name, naive_hits[:, names.index(name)].mean())
