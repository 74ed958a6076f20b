"""Tests of econ.inputs.inflation: index tables, factors checked by hand, round trips, range errors."""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ.core.errors import DataError
from econ.inputs.inflation import (DEFAULT_COSTS_DIR, INDEX_FOR_SECTOR, INDEX_FILES, UnverifiedIndexWarning,
                            financial_year_start, format_financial_year, index_for_sector, is_financial_year,
                            load_indices, load_price_index, rebase)
from econ.inputs.unit_costs import SECTORS

DATA = Path(__file__).parent / "data" / "csv"
INDICES = load_indices()
NHSCII = INDICES["nhscii"]
PSS = INDICES["pss"]


def test_shipped_tables_cover_the_expected_years_with_2014_15_as_base():
    assert (NHSCII.first_year, NHSCII.last_year, NHSCII.base_year) == ("2006/07", "2023/24", "2014/15")
    assert (PSS.first_year, PSS.last_year, PSS.base_year) == ("2007/08", "2023/24", "2014/15")
    assert NHSCII.value("2014/15") == 100.0 == PSS.value("2014/15")
    assert "PSSRU 2024 manual" in NHSCII.vintage and "PSSRU 2024 manual" in PSS.vintage


def test_every_row_states_source_vintage_and_status():
    for index in INDICES.values():
        frame = index.to_frame()
        assert list(frame.columns) == ["financial_year", "index", "status"]
        assert len(frame) == len(index.years)
    text = (DEFAULT_COSTS_DIR / INDEX_FILES["nhscii"]).read_text()
    assert "unverified" in text and "provisional" in text  # labelled honestly, not as published


def test_nhscii_factor_by_hand():
    # NHSCII pay & prices (PSSRU 2024 T12.1.1): 2022/23 +7.32%, 2023/24 +4.31% (provisional).
    # 2021/22 -> 2023/24 = 1.0732 * 1.0431 = 1.0732 + 1.0732 * 0.0431 = 1.0732 + 0.04625492 = 1.11945492
    # (levels are chained from the published % changes, so only float rounding remains: rel 1e-12)
    assert NHSCII.factor("2021/22", "2023/24") == pytest.approx(1.11945492, rel=1e-12)
    assert rebase(100.0, "2021/22", "2023/24", NHSCII) == pytest.approx(111.945492, rel=1e-12)
    # Backwards: 2023/24 -> 2022/23 = 1 / 1.0431
    assert rebase(339.0075, "2023/24", "2022/23", NHSCII) == pytest.approx(325.0, rel=1e-12)
    # The reference's "handy factor" 2016/17 -> 2023/24 (2024 manual) = x1.2365 (4 decimals):
    # 1.0124 * 1.0160 * 1.0214 * 1.0249 * 1.0258 * 1.0732 * 1.0431 = 1.236495...
    assert NHSCII.factor("2016/17", "2023/24") == pytest.approx(1.2365, abs=5e-5)
    # And 2015/16 -> 2023/24 = x1.2623.
    assert NHSCII.factor("2015/16", "2023/24") == pytest.approx(1.2623, abs=5e-5)


def test_pss_factor_by_hand():
    # PSS pay & prices excl. capital (PSSRU 2024 T12.1.2): 2022/23 +7.2%, 2023/24 +7.4%.
    # 2021/22 -> 2023/24 = 1.072 * 1.074 = 1.151328
    assert PSS.factor("2021/22", "2023/24") == pytest.approx(1.151328, rel=1e-12)
    # 2007/08 is implied by the 2008/09 change (+3.2%): 2007/08 -> 2008/09 = 1.032
    assert PSS.factor("2007/08", "2008/09") == pytest.approx(1.032, rel=1e-12)


def test_hchs_part_is_chained_from_the_published_levels():
    # HCHS pay & prices levels seen in the PSSRU 2009 corrections: 249.8 (2006/07), 268.6 (2008/09, estimate).
    # The table stores the derived changes to 6 decimals (e.g. 2.882306%), so agreement is to ~1e-8.
    assert NHSCII.factor("2006/07", "2008/09") == pytest.approx(268.6 / 249.8, rel=1e-7)


def test_same_year_factor_is_one_and_arrays_are_rebased_elementwise():
    assert NHSCII.factor("2019/20", "2019/20") == 1.0
    out = rebase(np.array([1.0, 2.0, 0.0]), "2022/23", "2023/24", PSS)
    np.testing.assert_allclose(out, [1.074, 2.148, 0.0], rtol=1e-12)


def test_year_outside_table_is_an_error_naming_year_and_range():
    with pytest.raises(DataError, match=re.escape("price year '2024/25' is outside the nhscii index table, "
                                                  "which covers 2006/07 to 2023/24; indices are never extrapolated")):
        NHSCII.factor("2023/24", "2024/25")
    with pytest.raises(DataError, match=re.escape("price year '2006/07' is outside the pss index table, "
                                                  "which covers 2007/08 to 2023/24")):
        rebase(10.0, "2006/07", "2023/24", PSS)


def test_malformed_year_is_an_error():
    for bad in ("2023-24", "2023/25", "23/24", "2023/2024"):
        with pytest.raises(DataError, match=re.escape(f"price year {bad!r} is not a UK financial year")):
            NHSCII.factor(bad, "2023/24")
        assert not is_financial_year(bad)
    with pytest.raises(ValueError, match="got '1999/01'"):
        financial_year_start("1999/01")
    assert financial_year_start("1999/00") == 1999
    assert format_financial_year(1999) == "1999/00"


YEARS = st.sampled_from(NHSCII.years)
AMOUNTS = st.floats(min_value=0.0, max_value=1e9, allow_nan=False)


@settings(max_examples=200, deadline=None)
@given(amount=AMOUNTS, a=YEARS, b=YEARS)
def test_round_trip_a_to_b_to_a_is_identity(amount, a, b):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UnverifiedIndexWarning)
        back = rebase(rebase(amount, a, b, NHSCII), b, a, NHSCII)
    # Two multiplications by factors near 1: relative error a few ulps, so 1e-12 is ample.
    assert back == pytest.approx(amount, rel=1e-12, abs=1e-12)


@settings(max_examples=200, deadline=None)
@given(a=st.sampled_from(PSS.years), b=st.sampled_from(PSS.years), c=st.sampled_from(PSS.years))
def test_factors_compose(a, b, c):
    # I_b/I_a * I_c/I_b = I_c/I_a up to rounding of three divisions.
    assert PSS.factor(a, b) * PSS.factor(b, c) == pytest.approx(PSS.factor(a, c), rel=1e-12)


def test_unverified_years_warn_and_published_years_do_not():
    with pytest.warns(UnverifiedIndexWarning, match="2013/14, 2014/15"):
        NHSCII.factor("2012/13", "2023/24")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NHSCII.factor("2015/16", "2023/24")  # no warning: published and provisional rows only
        NHSCII.factor("2012/13", "2023/24", warn=False)


def test_toy_table_by_hand():
    toy = load_price_index(DATA / "index_toy.csv")
    assert toy.name == "toy"
    assert toy.values == pytest.approx((100.0, 110.0, 115.5), rel=1e-12)
    # 2020/21 -> 2022/23 = 1.10 * 1.05 = 1.155
    with pytest.warns(UnverifiedIndexWarning):
        assert toy.factor("2020/21", "2022/23") == pytest.approx(1.155, rel=1e-12)
    assert toy.unverified_years("2021/22", "2022/23") == ()


@pytest.mark.parametrize("file, message", [
    ("index_gap.csv", "index_gap.csv:4: financial_year: years must be consecutive and oldest first: "
                      "expected 2022/23 after 2021/22 (got '2023/24')"),
    ("index_inconsistent.csv", "index_inconsistent.csv:4: index: index 120 does not follow from the previous "
                               "level 110 and the annual change 5%"),
    ("index_no_base.csv", "index_no_base.csv:1: index: no year has index 100"),
    ("index_no_base.csv", "index_no_base.csv:3: status: must be one of published, provisional, estimate, "
                          "derived, unverified (got 'invented')"),
    ("uc_empty.csv", "uc_empty.csv:1: the file is empty; expected a header row: financial_year,series"),
    ("uc_valid_small.csv", "uc_valid_small.csv:1: financial_year: missing column 'financial_year'"),
])
def test_index_loader_errors(file, message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_price_index(DATA / file)


def test_every_sector_has_an_index():
    assert set(INDEX_FOR_SECTOR) == set(SECTORS)
    assert set(INDEX_FOR_SECTOR.values()) <= set(INDEX_FILES)
    assert index_for_sector("voluntary", INDICES) is PSS
    assert index_for_sector("other_public", INDICES) is NHSCII
    with pytest.raises(DataError, match="sector 'charity' has no price index"):
        index_for_sector("charity", INDICES)
    with pytest.raises(DataError, match=re.escape("price index 'pss' (for sector 'pss') was not loaded")):
        index_for_sector("pss", {"nhscii": NHSCII})
