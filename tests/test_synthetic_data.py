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
    top = np.sort(inpatient)[::-1]
    assert top[:35].sum() == inpatient.sum()  # all bed days fall on at most 5% of people
    assert (use == 0).mean() > 0.7
    care = data.informal_care_monthly[0]
    assert 0.2 < (care > 0).mean() < 0.6 and care.mean() > np.median(care)  # right-skewed


def test_follow_up_changes_are_modest_and_mixed(data):
    overall = summarize_use(data).set_index("service")["relative_change"]
    # Most services fall a little; none changes by more than 60% overall; some do not fall at all.
    assert (overall < 0).sum() >= len(overall) // 2
    assert overall.abs().max() < 0.6
    assert (overall > -0.02).sum() >= 2
