"""Tests of econ.inputs.unit_costs: the shipped table, loader errors, look-up and re-basing."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ.core.errors import DataError
from econ.inputs.inflation import UnverifiedIndexWarning, load_indices
from econ.inputs.unit_costs import (DEFAULT_SE_FRACTION, SECTORS, STATUSES, UNIT_COST_COLUMNS, UnitCostTable,
                             UnknownCodeError, load_unit_costs)

DATA = Path(__file__).parent / "data" / "csv"
INDICES = load_indices()
TABLE = load_unit_costs()

REQUIRED = {
    "gp_surgery": "nhs", "gp_telephone": "nhs", "practice_nurse_consultation": "nhs", "nhs111_call": "nhs",
    "ambulance": "nhs", "ae_attendance": "nhs", "mh_inpatient_day": "nhs", "acute_nel_short_stay": "nhs",
    "acute_nel_long_stay": "nhs", "outpatient_psychiatry": "nhs", "cmht_contact": "nhs",
    "crisis_team_contact": "nhs", "talking_therapies_contact": "nhs", "counsellor_hour": "nhs",
    "cpn_hour": "nhs", "social_worker_hour": "pss", "day_care_la": "pss", "home_care_hour": "pss",
    "peer_support_worker_hour": "voluntary", "volunteer_coordinator_hour": "voluntary",
    "police_arrest_detained": "other_public",
}


def test_shipped_table_has_the_required_items_with_their_sectors():
    assert len(TABLE) >= 25
    for code, sector in REQUIRED.items():
        assert TABLE.get(code).sector == sector, code


def test_shipped_table_columns_are_exactly_the_documented_ones():
    header = (Path(TABLE.source_file).read_text(encoding="utf-8").splitlines()[0]).split(",")
    assert tuple(header) == UNIT_COST_COLUMNS


def test_every_row_has_source_price_year_and_an_honest_status():
    for item in TABLE:
        assert item.source and item.price_year and item.status in STATUSES and item.sector in SECTORS
        if item.status == "published":
            # A published figure is never described as derived or assumed in its own source text.
            assert not item.source.lower().startswith(("derived", "assum")), item.code
    # Items the reference marks as proxies or assumptions stay labelled so.
    assert TABLE.get("cpn_hour").status == "proxy"
    for code in ("nhs111_call", "gp_telephone", "ambulance", "counsellor_hour", "social_worker_hour",
                 "peer_support_volunteer_hour"):  # derived with an assumed ratio, duration or weight (issue 22)
        assert TABLE.get(code).status == "assumption", code
    assert TABLE.get("peer_support_worker_hour").status == "assumption"
    assert TABLE.get("practice_nurse_consultation").status == "assumption"


def test_figures_match_the_reference():
    # Spot checks against reference/unit_costs.md (PSSRU 2024 and NCC 2023/24, 2023/24 prices).
    expected = {"gp_surgery": 45, "ae_attendance": 273, "mh_inpatient_day": 575, "outpatient_psychiatry": 289,
                "cmht_contact": 280, "crisis_team_contact": 338, "talking_therapies_contact": 163,
                "home_care_hour": 27, "social_worker_working_hour": 58, "counsellor_working_hour": 57,
                "day_care_la": 69, "ambulance_all_incidents": 250, "ambulance_see_treat": 326.99,
                "ambulance_see_convey": 458.73, "nurse_telephone_triage": 9.08, "peer_support_worker_hour": 35.77}
    for code, cost in expected.items():
        assert TABLE.get(code).cost == cost and TABLE.get(code).price_year == "2023/24", code
    # Practice nurse consultation = 53 per hour x 15/60 (an assumption, stated in the source column).
    assert TABLE.get("practice_nurse_consultation").cost == pytest.approx(53 * 15 / 60)


def test_issue_22_derived_figures_follow_from_the_reference():
    """Each derived row equals its stated arithmetic on reference figures, and its range brackets it."""
    get = TABLE.get
    # Ambulance call-out: equal-weight (assumed) mean of see-and-treat and see-treat-convey, NCC 2023/24.
    amb = get("ambulance")
    assert amb.cost == pytest.approx(0.5 * get("ambulance_see_treat").cost + 0.5 * get("ambulance_see_convey").cost,
                                     abs=0.005)
    assert (amb.low, amb.high) == (get("ambulance_see_treat").cost, get("ambulance_see_convey").cost)
    # NHS 111: nurse triage per minute (9.08 / 6.56) x 14 min 59 s; high end is the old hear-and-treat proxy.
    assert get("nhs111_call").cost == pytest.approx(9.08 / 6.56 * (14 + 59 / 60), abs=0.005)
    assert (get("nhs111_call").low, get("nhs111_call").high) == (9.08, 65.56)
    # GP telephone: 4.47 per minute x 7.1 minutes; range from GP-led triage to the 10-minute surgery consultation.
    assert get("gp_telephone").cost == pytest.approx(4.47 * 7.1, abs=0.005)
    assert (get("gp_telephone").low, get("gp_telephone").high) == (18.63, get("gp_surgery").cost)
    # Contact hours: working-hour cost / (161/268); low/high at assumed ratios 0.8 and 0.4.
    for code in ("counsellor", "social_worker"):
        work, contact = get(f"{code}_working_hour"), get(f"{code}_hour")
        assert contact.cost == pytest.approx(work.cost * 268 / 161, abs=0.005), code
        assert (contact.low, contact.high) == pytest.approx((work.cost / 0.8, work.cost / 0.4)), code
        assert contact.unit == "contact hour" and work.unit == "working hour"
    # Peer support: NHS-employed grade and volunteers with a paid coordinator (0.2 coordinator hours each).
    vol = get("peer_support_volunteer_hour")
    assert vol.cost == pytest.approx(0.2 * get("volunteer_coordinator_hour").cost)
    assert (vol.low, vol.high) == pytest.approx((44 / 10, 44 / 3), abs=0.005)
    assert "NHS grade" in get("peer_support_worker_hour").description
    for item in TABLE:
        if item.low is not None:
            assert item.low <= item.cost <= item.high, item.code


def test_default_se_is_applied_and_marked():
    item = TABLE.get("gp_surgery")
    assert (item.se, item.se_basis) == (DEFAULT_SE_FRACTION * 45, "default")
    small = load_unit_costs(DATA / "uc_valid_small.csv")
    assert (small.get("home_care_hour").se, small.get("home_care_hour").se_basis) == (5.0, "reported")
    assert small.get("peer_support_worker_hour").low == 30.0
    assert small.get("gp_surgery").low is None


def test_get_unknown_code_suggests_close_matches():
    with pytest.raises(UnknownCodeError, match=re.escape("unknown unit-cost code 'gp_surgry'; did you mean 'gp_surgery'")):
        TABLE.get("gp_surgry")
    with pytest.raises(KeyError):  # also a KeyError, for mapping-style callers
        TABLE.get("zzz")
    with pytest.raises(DataError, match="unknown unit-cost code 'zzz'; no similar code is known"):
        TABLE.get("zzz")


def test_codes_to_frame_and_select():
    assert TABLE.codes[0] == "gp_surgery" and len(set(TABLE.codes)) == len(TABLE)
    frame = TABLE.to_frame()
    assert list(frame.columns) == [*UNIT_COST_COLUMNS, "se_basis"]
    assert frame["cost"].dtype == "float64" and frame["low"].isna().sum() > 0
    sub = TABLE.select(["home_care_hour", "gp_surgery"])
    assert sub.codes == ("home_care_hour", "gp_surgery")
    assert "gp_surgery" in sub and "ambulance" not in sub


def test_rebased_by_hand():
    small = load_unit_costs(DATA / "uc_valid_small.csv")
    assert small.price_year is None  # rows at 2023/24 and 2022/23
    moved = small.rebased("2022/23", INDICES)
    assert moved.price_year == "2022/23"
    # nhs -> NHSCII: 2023/24 -> 2022/23 divides by 1.0431 (2023/24 change +4.31%): 45 / 1.0431 = 43.14063848...
    assert moved.get("gp_surgery").cost == pytest.approx(45 / 1.0431, rel=1e-12)
    assert moved.get("gp_surgery").se == pytest.approx(0.25 * 45 / 1.0431, rel=1e-12)
    # Already at 2022/23: unchanged.
    assert moved.get("cj_liaison_contact").cost == pytest.approx(325.0, rel=1e-12)
    # pss -> PSS: 2023/24 -> 2022/23 divides by 1.074: 27 / 1.074 = 25.13966480...; SE 5, range 20-35 likewise.
    home = moved.get("home_care_hour")
    assert (home.cost, home.se, home.low, home.high) == pytest.approx(
        (27 / 1.074, 5 / 1.074, 20 / 1.074, 35 / 1.074), rel=1e-12)
    # voluntary -> PSS too: 35.77 / 1.074 = 33.30540037...
    assert moved.get("peer_support_worker_hour").cost == pytest.approx(33.30540037, rel=1e-9)
    # Forward: 325 at 2022/23 -> 2023/24 = 325 * 1.0431 = 339.0075
    assert small.rebased("2023/24", INDICES).get("cj_liaison_contact").cost == pytest.approx(339.0075, rel=1e-12)


def test_rebased_other_public_uses_nhscii_and_warns_on_unverified_years():
    police = TABLE.select(["police_arrest_nfa"])
    with pytest.warns(UnverifiedIndexWarning, match="police_arrest_nfa"):
        moved = police.rebased("2023/24", INDICES)
    assert moved.get("police_arrest_nfa").cost == pytest.approx(
        285 * INDICES["nhscii"].factor("2006/07", "2023/24", warn=False), rel=1e-12)


def test_rebased_reports_every_row_outside_the_index_range():
    with pytest.raises(DataError) as info:
        TABLE.rebased("2006/07", INDICES)
    text = str(info.value)
    # Every PSS and voluntary row fails (the PSS table starts in 2007/08), each named by code.
    for code in ("home_care_hour", "social_worker_hour", "peer_support_worker_hour"):
        assert re.search(rf"unit_costs\.csv: {code}: price year '2006/07' is outside the pss index table, "
                         rf"which covers 2007/08 to 2023/24", text), code
    assert "gp_surgery" not in text
    with pytest.raises(DataError, match="price year '2024-25' is not a UK financial year"):
        TABLE.rebased("2024-25", INDICES)
    with pytest.raises(DataError, match="no price index loaded for sector 'pss'"):
        TABLE.select(["home_care_hour"]).rebased("2023/24", {"nhscii": INDICES["nhscii"]})


COMMON_YEARS = [y for y in INDICES["pss"].years if y in INDICES["nhscii"].years]


@settings(max_examples=50, deadline=None)
@given(a=st.sampled_from(COMMON_YEARS), b=st.sampled_from(COMMON_YEARS))
def test_table_round_trip_is_identity(a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnverifiedIndexWarning)
        start = TABLE.rebased(a, INDICES)
        back = start.rebased(b, INDICES).rebased(a, INDICES)
    pd.testing.assert_frame_equal(back.to_frame(), start.to_frame(), rtol=1e-12)


def _bad(name: str) -> str:
    return re.escape(str(DATA / name))


@pytest.mark.parametrize("file, message", [
    ("uc_currency.csv", ":3: cost: expected a number (got '£27'); remove the currency sign"),
    ("uc_negative.csv", ":2: cost: must be >= 0 (got '-45')"),
    ("uc_nonnumeric.csv", ":2: cost: expected a number (got 'forty-five')"),
    ("uc_thousands.csv", ":2: cost: expected a number (got '5,134'); remove the thousands separator"),
    ("uc_unknown_sector.csv", ":4: sector: must be one of nhs, pss, other_public, voluntary (got 'social_care')"),
    ("uc_bad_price_year.csv", ":2: price_year: expected a UK financial year written 'YYYY/YY' with consecutive "
                              "years, e.g. '2023/24' (got '2023-24')"),
    ("uc_duplicate_code.csv", ":4: code: duplicate code 'gp_surgery' (first on line 2); codes must be unique"),
    ("uc_missing_column.csv", ":1: sector: missing column 'sector'; the header must be: code,description,unit,"
                              "cost,price_year,sector,source,se,low,high,status"),
    ("uc_empty.csv", ":1: the file is empty; expected a header row: code,description"),
    ("uc_header_only.csv", ":1: the file has a header but no data rows"),
    ("uc_nonexistent.csv", ": file not found"),
])
def test_loader_error_messages(file, message):
    with pytest.raises(DataError, match=_bad(file) + re.escape(message)):
        load_unit_costs(DATA / file)


def test_loader_reports_all_problems_at_once():
    with pytest.raises(DataError) as info:
        load_unit_costs(DATA / "uc_many_problems.csv")
    lines = str(info.value).splitlines()
    expected = [
        ":2: code: expected a snake_case code such as 'gp_surgery' (got 'GP Surgery')",
        ":3: cost: expected a number (got '$250'); remove the currency sign",
        ":4: price_year: expected a UK financial year",
        ":5: sector: must be one of nhs, pss, other_public, voluntary (got 'council')",
        ":6: high: must not be below cost 57 (got '50')",
        ":6: low: must not exceed cost 57 (got '70')",
        ":6: source: must not be empty",
        ":6: status: must be one of published, proxy, assumption (got 'made_up')",
    ]
    assert len(lines) == len(expected) == len(info.value.problems)
    for line, fragment in zip(lines, expected):
        assert line.startswith(str(DATA / "uc_many_problems.csv") + fragment), line


def test_table_rejects_duplicate_codes_built_in_code():
    item = TABLE.get("gp_surgery")
    with pytest.raises(DataError, match="duplicate unit-cost codes: gp_surgery"):
        UnitCostTable((item, item))


def test_readme_documents_every_code_and_file():
    readme = (Path(TABLE.source_file).parent / "README.md").read_text(encoding="utf-8")
    for code in TABLE.codes:
        assert re.search(rf"\b{code}\b", readme), code
    for path in Path(TABLE.source_file).parent.glob("*.csv"):
        assert f"`{path.name}`" in readme, path.name
