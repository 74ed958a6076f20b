"""Tests of econ.inputs.service_use (loader, summaries, bootstrap) and of the ``data summary`` command."""
from __future__ import annotations

import argparse
import re
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import econ.inputs.service_use as service_use
from econ.cli.data import add_data_parser
from econ.core.errors import DataError
from econ.inputs.inflation import load_indices
from econ.inputs.service_use import (WEEKS_PER_MONTH, bootstrap_summary, engagement_band, load_service_use,
                              summarize_cost, summarize_informal_care, summarize_use)
from econ.inputs.unit_costs import UnitCostTable, load_unit_costs

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).parent / "data" / "csv"
SYNTHETIC = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"
SYNTHETIC_CARE = ROOT / "scenarios" / "data" / "SYNTHETIC_informal_care.csv"
TABLE = load_unit_costs()


@pytest.fixture(scope="module")
def small():
    return load_service_use(DATA / "su_valid.csv", unit_costs=TABLE,
                            informal_care_path=DATA / "su_valid_informal_care.csv")


@pytest.fixture(scope="module")
def synthetic():
    return load_service_use(SYNTHETIC, unit_costs=TABLE, informal_care_path=SYNTHETIC_CARE)


# ---------------------------------------------------------------- loading


def test_small_file_by_hand(small):
    # su_valid.csv: A (group, 4 sessions) baseline gp 3 + bed days 6 over 3 months, follow-up gp 6;
    # B (online, 12) nothing at baseline ('none' row), gp 3 at follow-up;
    # C (group, 7) gp 12 over a 6-month baseline recall, bed days 3 at follow-up.
    assert small.services == ("gp_surgery", "mh_inpatient_day")
    assert list(small.persons["person_id"]) == ["A", "B", "C"]
    assert list(small.persons["engagement_band"].astype(str)) == ["1-5", "12+", "6-11"]
    expected = np.array([
        [[3 / 3, 6 / 3], [0, 0], [12 / 6, 0]],   # baseline: persons x (gp, bed days) per month
        [[6 / 3, 0], [3 / 3, 0], [0, 3 / 3]],    # follow-up
    ])
    np.testing.assert_allclose(small.monthly_use, expected, rtol=1e-15)
    np.testing.assert_array_equal(small.recall_months, [[3, 3, 6], [3, 3, 3]])
    np.testing.assert_allclose(small.informal_care_monthly,
                               np.array([[7, 0, 3.5], [14, 0, 0]]) * WEEKS_PER_MONTH, rtol=1e-15)
    assert not small.synthetic and small.metadata is None
    assert not small.monthly_use.flags.writeable


def test_service_codes_need_only_be_snake_case_without_a_unit_cost_table():
    data = load_service_use(DATA / "su_unknown_service.csv")
    assert data.services == ("gp_surgery", "gp_surgry")


def _path(name: str) -> str:
    return re.escape(str(DATA / name))


@pytest.mark.parametrize("file, message", [
    ("su_unknown_service.csv", ":3: service: unknown service code 'gp_surgry'; did you mean 'gp_surgery'?"),
    ("su_negative_quantity.csv", ":2: quantity: must be >= 0 (got '-3')"),
    ("su_nonnumeric_quantity.csv", ":3: quantity: expected a number (got 'two')"),
    ("su_duplicate_row.csv", ":4: service: duplicate row: person 'A', baseline, service 'gp_surgery' already on "
                             "line 2"),
    ("su_missing_period.csv", ":4: period: person 'B' has baseline rows (from line 4) but no followup rows; "
                              "every person needs both periods"),
    ("su_inconsistent_person.csv", ":3: setting: differs between rows of person 'A': got 'online' here but "
                                   "'group' on line 2"),
    ("su_inconsistent_person.csv", ":4: recall_months: differs between followup rows of person 'A': got '6' "
                                   "here but 3 on line 3"),
    ("su_bad_values.csv", ":2: period: must be one of baseline, followup (got 'weekly')"),
    ("su_bad_values.csv", ":2: recall_months: must be greater than 0 (got '0')"),
    ("su_bad_values.csv", ":2: setting: must be one of group, one_to_one, online (got 'phone')"),
    ("su_bad_values.csv", ":2: engagement_sessions: expected a whole number (got '2.5')"),
    ("su_bad_values.csv", ":2: bme: must be one of yes, no (got 'maybe')"),
    ("su_none_conflict.csv", ":2: service: service 'none' says person 'A' used no service in the baseline "
                             "period, but line 3 records a service"),
    ("su_none_conflict.csv", ":4: quantity: service 'none' records a period with no service use; quantity "
                             "must be 0 (got '2')"),
    ("uc_empty.csv", ":1: the file is empty; expected a header row: person_id,period"),
    ("uc_valid_small.csv", ":1: person_id: missing column 'person_id'"),
])
def test_loader_error_messages(file, message):
    with pytest.raises(DataError, match=_path(file) + re.escape(message)):
        load_service_use(DATA / file, unit_costs=TABLE)


def test_loader_collects_every_problem_in_one_error():
    with pytest.raises(DataError) as info:
        load_service_use(DATA / "su_bad_values.csv", unit_costs=TABLE)
    assert len(info.value.problems) == 5  # period, recall_months, setting, engagement_sessions, bme


@pytest.mark.parametrize("message", [
    "ic_bad.csv:1: person_id: 1 person(s) of the service-use file have no informal-care rows: 'B'",
    "ic_bad.csv:2: informal_care_hours_per_week: must be >= 0 (got '-2')",
    "ic_bad.csv:3: informal_care_hours_per_week: must be at most 168, the hours in a week (got '200')",
    "ic_bad.csv:4: person_id: person 'Z' is not in the service-use file",
])
def test_informal_care_error_messages(message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_service_use(DATA / "su_for_informal_care.csv", informal_care_path=DATA / "ic_bad.csv")


def test_synthetic_flag_from_file_name_or_metadata(tmp_path, synthetic):
    assert synthetic.synthetic and synthetic.metadata["synthetic"] is True
    plain = tmp_path / "study_service_use.csv"
    shutil.copy(DATA / "su_valid.csv", plain)
    assert not load_service_use(plain).synthetic
    (tmp_path / "study_metadata.yaml").write_text("synthetic: true\nlabel: made up\n")
    flagged = load_service_use(plain)
    assert flagged.synthetic and flagged.metadata["label"] == "made up"
    named = tmp_path / "my_SYNTHETIC_file.csv"
    shutil.copy(DATA / "su_valid.csv", named)
    assert load_service_use(named).synthetic
    (tmp_path / "broken_metadata.yaml").write_text("- a list\n")
    shutil.copy(DATA / "su_valid.csv", tmp_path / "broken_service_use.csv")
    with pytest.raises(DataError, match="the metadata file must be a mapping"):
        load_service_use(tmp_path / "broken_service_use.csv")


def test_engagement_bands():
    bands = engagement_band([0, 1, 5, 6, 11, 12, 40])
    assert list(bands.astype(str)) == ["0", "1-5", "1-5", "6-11", "6-11", "12+", "12+"]
    assert bands.ordered


# ---------------------------------------------------------------- summaries


def test_summarize_use_by_hand(small):
    overall = summarize_use(small).set_index("service")
    # gp: baseline (1 + 0 + 2) / 3 = 1, follow-up (2 + 1 + 0) / 3 = 1, change 0.
    # bed days: baseline 2/3, follow-up 1/3, change -0.5.
    assert overall.loc["gp_surgery", ["baseline", "followup", "relative_change"]].tolist() == pytest.approx([1, 1, 0])
    assert overall.loc["mh_inpatient_day", ["baseline", "followup", "relative_change"]].tolist() == pytest.approx(
        [2 / 3, 1 / 3, -0.5])
    by = summarize_use(small, by="setting").set_index(["setting", "service"])
    # group = A and C: gp baseline 1.5, follow-up 1.0; online = B alone: baseline 0 -> no relative change.
    assert by.loc[("group", "gp_surgery"), "relative_change"] == pytest.approx(-1 / 3)
    assert by.loc[("online", "gp_surgery"), ["baseline", "followup"]].tolist() == [0, 1]
    assert np.isnan(by.loc[("online", "gp_surgery"), "relative_change"])
    assert by.loc[("group", "gp_surgery"), "n_persons"] == 2


def _reference_use(path: Path, by: tuple[str, ...]) -> pd.DataFrame:
    """Plain-loop means per person per month: an independent re-implementation from the raw CSV."""
    raw = pd.read_csv(path, dtype={"person_id": str, "area": str})
    persons = raw.drop_duplicates("person_id").copy()
    persons["engagement_band"] = ["0" if s == 0 else "1-5" if s <= 5 else "6-11" if s <= 11 else "12+"
                                  for s in persons["engagement_sessions"]]
    used = raw[raw["service"] != "none"]
    services = sorted(used["service"].unique())
    rows = []
    groups = persons.groupby(list(by)) if by else [((), persons)]
    for key, members in groups:
        key = key if isinstance(key, tuple) else (key,)
        ids = set(members["person_id"])
        for service in services:
            totals = {"baseline": 0.0, "followup": 0.0}
            for row in used[used["service"] == service].itertuples():
                if row.person_id in ids:
                    totals[row.period] += row.quantity / row.recall_months
            rows.append({**dict(zip(by, map(str, key))), "service": service, "n_persons": len(ids),
                         "baseline": totals["baseline"] / len(ids), "followup": totals["followup"] / len(ids)})
    return pd.DataFrame(rows)


@pytest.mark.parametrize("by", [(), ("setting",), ("engagement_band",), ("area",), ("bme",), ("setting", "bme")])
def test_summarize_use_matches_a_plain_loop(synthetic, by):
    got = summarize_use(synthetic, by=by)
    expected = _reference_use(SYNTHETIC, by)
    keys = [*by, "service"]
    merged = expected.merge(got, on=keys, suffixes=("_expected", ""), validate="one_to_one")
    assert len(merged) == len(expected) == len(got)
    assert (merged["n_persons"] == merged["n_persons_expected"]).all()
    for period in ("baseline", "followup"):
        # Sums of a few hundred quotients in a different order: 1e-12 relative is ample.
        np.testing.assert_allclose(merged[period], merged[f"{period}_expected"], rtol=1e-12)
    change = (merged["followup"] - merged["baseline"]) / merged["baseline"]
    np.testing.assert_allclose(merged["relative_change"], change.where(merged["baseline"] > 0), rtol=1e-12)


def test_summarize_use_rejects_unknown_group(small):
    with pytest.raises(DataError, match="cannot group by 'region'; choose from setting, engagement_band, area, bme"):
        summarize_use(small, by="region")


def test_summarize_informal_care_matches_pandas(synthetic):
    raw = pd.read_csv(SYNTHETIC_CARE)
    people = pd.read_csv(SYNTHETIC).drop_duplicates("person_id")[["person_id", "bme"]]
    merged = raw.merge(people, on="person_id")
    merged["monthly"] = merged["informal_care_hours_per_week"] * 365.25 / 7 / 12
    expected = merged.pivot_table(index="bme", columns="period", values="monthly", aggfunc="mean")
    got = summarize_informal_care(synthetic, by="bme").set_index("bme")
    np.testing.assert_allclose(got["baseline"], expected["baseline"], rtol=1e-12)
    np.testing.assert_allclose(got["followup"], expected["followup"], rtol=1e-12)
    overall = summarize_informal_care(synthetic)
    assert list(overall.columns) == ["n_persons", "baseline", "followup", "relative_change"]
    assert overall["n_persons"].iloc[0] == 700


def test_summarize_informal_care_needs_the_file():
    data = load_service_use(DATA / "su_valid.csv")
    with pytest.raises(DataError, match="no informal-care data loaded"):
        summarize_informal_care(data)


def test_summarize_cost_by_hand(small):
    cost = summarize_cost(small, TABLE).set_index("service")
    # gp 45 per consultation x 1 per month = 45; bed days 575 x 2/3 = 383.33 at baseline, 575 x 1/3 at follow-up.
    assert cost.loc["gp_surgery", "baseline"] == pytest.approx(45.0)
    assert cost.loc["mh_inpatient_day", ["baseline", "followup"]].tolist() == pytest.approx([575 * 2 / 3, 575 / 3])
    assert cost.loc["mh_inpatient_day", "relative_change"] == pytest.approx(-0.5)
    assert (cost["price_year"] == "2023/24").all() and cost.loc["gp_surgery", "unit"] == "consultation"
    mixed = UnitCostTable((replace(TABLE.get("gp_surgery"), price_year="2022/23"), TABLE.get("mh_inpatient_day")))
    with pytest.raises(DataError, match=re.escape("different price years (2022/23, 2023/24); re-base")):
        summarize_cost(small, mixed)
    with pytest.raises(DataError, match="unknown unit-cost code 'mh_inpatient_day'"):
        summarize_cost(small, TABLE.select(["gp_surgery"]))


# ---------------------------------------------------------------- bootstrap


def test_bootstrap_columns_and_reproducibility(synthetic):
    a = bootstrap_summary(synthetic, n_boot=50, rng=np.random.default_rng(7), by="setting")
    b = bootstrap_summary(synthetic, n_boot=50, rng=np.random.default_rng(7), by="setting")
    c = bootstrap_summary(synthetic, n_boot=50, rng=np.random.default_rng(8), by="setting")
    assert list(a.columns) == ["replicate", "setting", "service", "baseline", "followup", "relative_change"]
    assert len(a) == 50 * 3 * len(synthetic.services)
    pd.testing.assert_frame_equal(a, b)
    assert not np.allclose(a["baseline"], c["baseline"])


def test_bootstrap_equals_a_plain_loop_over_replicates(small):
    # Same algorithm written naively: one rng.integers call per replicate and group.
    got = bootstrap_summary(small, n_boot=30, rng=np.random.default_rng(3), by="setting")
    rng = np.random.default_rng(3)
    rows = []
    for setting in ("group", "online"):
        members = np.flatnonzero(small.persons["setting"].to_numpy() == setting)
        means = []
        for _ in range(30):
            pick = members[rng.integers(0, len(members), size=len(members))]
            means.append(small.monthly_use[:, pick, :].mean(axis=1))
        rows.append(np.array(means))
    for replicate in range(30):
        for g, setting in enumerate(("group", "online")):
            part = got[(got["replicate"] == replicate) & (got["setting"] == setting)]
            np.testing.assert_allclose(part["baseline"], rows[g][replicate, 0], rtol=1e-12)
            np.testing.assert_allclose(part["followup"], rows[g][replicate, 1], rtol=1e-12)


def test_bootstrap_does_not_depend_on_block_size(synthetic, monkeypatch):
    whole = bootstrap_summary(synthetic, n_boot=37, rng=np.random.default_rng(11))
    monkeypatch.setattr(service_use, "BOOTSTRAP_BLOCK_DRAWS", 3 * 700 + 5)  # blocks of 3 replicates
    blocked = bootstrap_summary(synthetic, n_boot=37, rng=np.random.default_rng(11))
    pd.testing.assert_frame_equal(whole, blocked)


def test_bootstrap_resamples_within_groups(small):
    boot = bootstrap_summary(small, n_boot=200, rng=np.random.default_rng(1), by="setting")
    online = boot[(boot["setting"] == "online") & (boot["service"] == "gp_surgery")]
    assert (online["baseline"] == 0).all() and (online["followup"] == 1).all()  # B alone
    group = boot[(boot["setting"] == "group") & (boot["service"] == "gp_surgery")]
    assert set(group["baseline"].round(12)) <= {1.0, 1.5, 2.0}  # A (1) and C (2), two draws


def test_bootstrap_mean_converges_to_the_sample_mean(synthetic):
    n_boot = 2000
    boot = bootstrap_summary(synthetic, n_boot=n_boot, rng=np.random.default_rng(2024),
                             include_informal_care=True)
    sample = summarize_use(synthetic).set_index("service")
    care = summarize_informal_care(synthetic)
    sample.loc["informal_care_hours", ["baseline", "followup"]] = care[["baseline", "followup"]].iloc[0].to_numpy()
    stats = boot.groupby("service")[["baseline", "followup"]].agg(["mean", "std"])
    for service in sample.index:
        for period in ("baseline", "followup"):
            mean, sd = stats.loc[service, (period, "mean")], stats.loc[service, (period, "std")]
            # The replicate means are iid with expectation exactly the sample mean, so their average is
            # within 5 standard errors (sd / sqrt(n_boot)) except with probability < 1e-6 per check.
            assert abs(mean - sample.loc[service, period]) <= 5 * sd / np.sqrt(n_boot), (service, period)
    # The bootstrap SE of a mean is sd * sqrt((n - 1) / n) / sqrt(n). With 2000 replicates its estimate
    # has a relative error of a few % (more for the skewed bed days), so allow 15%.
    values = synthetic.monthly_use[0][:, synthetic.services.index("gp_surgery")]
    n = len(values)
    analytic = values.std(ddof=0) / np.sqrt(n)
    assert stats.loc["gp_surgery", ("baseline", "std")] == pytest.approx(analytic, rel=0.15)


def test_bootstrap_bad_arguments(small):
    with pytest.raises(DataError, match="n_boot must be a whole number >= 1 \\(got 0\\)"):
        bootstrap_summary(small, n_boot=0, rng=np.random.default_rng(0))
    no_care = load_service_use(DATA / "su_valid.csv")
    with pytest.raises(DataError, match="no informal-care data loaded"):
        bootstrap_summary(no_care, n_boot=2, rng=np.random.default_rng(0), include_informal_care=True)


# ---------------------------------------------------------------- command line


def _run(argv: list[str]) -> int:
    parser = argparse.ArgumentParser()
    add_data_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_cli_summary_flags_synthetic_data_first(capsys):
    assert _run(["data", "summary", str(SYNTHETIC)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("*** SYNTHETIC DATA:") and "seed 20150201" in out[0]
    assert "700 persons, 9 areas" in out[1]
    text = "\n".join(out)
    for word in ("group", "one_to_one", "online", "TOTAL", "mh_inpatient_day", "Informal care", "2023/24 prices"):
        assert word in text


def test_cli_summary_by_hand_on_a_plain_file(capsys):
    assert _run(["data", "summary", str(DATA / "su_valid.csv"), "--by", "none", "--price-year", "2022/23",
                 "--informal-care", str(DATA / "su_valid_informal_care.csv")]) == 0
    out = capsys.readouterr().out
    assert not out.startswith("*** SYNTHETIC")
    # gp 45 at 2023/24 -> 2022/23 = 45 / 1.0431 = 43.14 per person per month at baseline (1 consultation);
    # bed days 575 / 1.0431 x 2/3 = 367.49; total 410.63.
    total = next(line for line in out.splitlines() if "TOTAL" in line)
    assert "410.63" in total
    assert re.search(r"gp_surgery\s+consultation\s+3\s+1\.000\s+1\.000\s+43\.14\s+43\.14", out)


def test_cli_summary_errors_are_data_errors(tmp_path):
    with pytest.raises(DataError, match="outside the nhscii index table"):
        _run(["data", "summary", str(SYNTHETIC), "--price-year", "2030/31"])
    with pytest.raises(DataError, match=re.escape("su_unknown_service.csv:3: service: unknown service code")):
        _run(["data", "summary", str(DATA / "su_unknown_service.csv")])
    with pytest.raises(DataError, match="file not found"):
        _run(["data", "summary", str(tmp_path / "nothing.csv")])


def test_cli_rebases_with_the_indices_next_to_the_cost_file(tmp_path, capsys):
    # A costs folder without index tables cannot re-base: the error names the missing file.
    shutil.copy(ROOT / "costs" / "unit_costs.csv", tmp_path / "unit_costs.csv")
    with pytest.raises(DataError, match=re.escape(str(tmp_path / "index_nhscii.csv")) + ": file not found"):
        _run(["data", "summary", str(DATA / "su_valid.csv"), "--costs", str(tmp_path / "unit_costs.csv")])
    assert load_indices(ROOT / "costs")  # the shipped folder has them


def _concatenated_summaries(data, by):
    """The point table as three summaries concatenated (how DataContext built it before issue 19)."""
    import pandas as pd

    from econ.inputs.service_use import (INFORMAL_CARE_SERVICE, SWEMWBS, summarize_informal_care,
                                         summarize_swemwbs, summarize_use)

    use = summarize_use(data, by=by)
    if data.informal_care_monthly is not None:
        ic = summarize_informal_care(data, by=by)
        ic["service"] = INFORMAL_CARE_SERVICE
        use = pd.concat([use, ic[use.columns]], ignore_index=True)
    if getattr(data, "swemwbs", None) is not None:
        sw = summarize_swemwbs(data, by=by)
        sw["service"] = SWEMWBS
        sw["relative_change"] = sw["change"] / sw["baseline"]
        use = pd.concat([use, sw[use.columns]], ignore_index=True)
    return use


@pytest.mark.parametrize("by", [(), ("setting",), ("setting", "area"), ("engagement_band", "bme")])
@pytest.mark.parametrize("files", ["all", "no informal care", "no persons"])
def test_point_table_is_the_three_summaries_concatenated(by, files):
    """Values, dtypes, row order and index exactly (==) those of the summaries one after another."""
    import pandas as pd

    from econ.inputs.service_use import point_table

    root = Path(__file__).resolve().parent.parent / "scenarios" / "data"
    data = load_service_use(root / "SYNTHETIC_service_use.csv",
                            informal_care_path=None if files == "no informal care" else root / "SYNTHETIC_informal_care.csv",
                            persons_path=None if files == "no persons" else root / "SYNTHETIC_persons.csv")
    pd.testing.assert_frame_equal(point_table(data, by=by), _concatenated_summaries(data, by), check_exact=True)
