"""Tests of econ.inputs.informal_care: rate table, each valuation method by hand, and contract tests over all methods."""
from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from econ.core.errors import DataError
from econ.inputs.inflation import load_indices
from econ.inputs.informal_care import (VALUATION_METHODS, load_informal_care_rates, value_informal_care,
                                value_minimum_wage, value_opportunity, value_replacement)
from econ.inputs.unit_costs import load_unit_costs

DATA = Path(__file__).parent / "data" / "csv"
INDICES = load_indices()
TABLE = load_unit_costs()
RATES = load_informal_care_rates()


@pytest.fixture(params=sorted(VALUATION_METHODS))
def method(request):
    """Every registered valuation method (contract tests run once per method)."""
    return request.param


def test_rates_come_from_the_reference():
    replacement = RATES.get("replacement")
    # Read from the unit-cost table, so the figure lives in one place: PSSRU 2024 T10.4.1, 27 per hour.
    assert (replacement.rate, replacement.price_year, replacement.unit_cost_code) == (27.0, "2023/24", "home_care_hour")
    assert replacement.rate == TABLE.get("home_care_hour").cost
    assert (RATES.get("opportunity").rate, RATES.get("opportunity").price_year) == (17.52, "2023/24")
    assert (RATES.get("minimum_wage").rate, RATES.get("minimum_wage").price_year) == (10.42, "2023/24")
    for rate in RATES.rates.values():
        assert rate.source and rate.status in ("published", "proxy", "assumption") and rate.index == "pss"


def test_each_method_by_hand():
    # 10 hours at 2023/24 prices: 10 x 27 = 270; 10 x 17.52 = 175.2; 10 x 10.42 = 104.2.
    kwargs = dict(rates=RATES, price_year="2023/24", indices=INDICES)
    assert value_replacement(10, **kwargs) == pytest.approx(270.0, rel=1e-12)
    assert value_opportunity(10, **kwargs) == pytest.approx(175.2, rel=1e-12)
    assert value_minimum_wage(10, **kwargs) == pytest.approx(104.2, rel=1e-12)
    # At 2022/23 prices the PSS index divides by 1.074 (2023/24 change +7.4%): 270 / 1.074 = 251.3966...
    assert value_informal_care(10, method="replacement", rates=RATES, price_year="2022/23",
                               indices=INDICES) == pytest.approx(251.39664804, rel=1e-9)


def test_registry_lists_every_method_once_with_a_rate_row():
    assert set(VALUATION_METHODS) == {"replacement", "opportunity", "minimum_wage"}
    assert set(RATES.rates) == set(VALUATION_METHODS)


def test_contract_zero_hours_cost_nothing(method):
    assert value_informal_care(0.0, method=method, rates=RATES, price_year="2023/24", indices=INDICES) == 0.0


@settings(max_examples=50, deadline=None)
@given(hours=st.lists(st.floats(min_value=0, max_value=1e4, allow_nan=False), min_size=1, max_size=20),
       factor=st.floats(min_value=0, max_value=100, allow_nan=False))
def test_contract_linear_in_hours(hours, factor):
    for method in VALUATION_METHODS:
        kwargs = dict(method=method, rates=RATES, price_year="2023/24", indices=INDICES)
        one = value_informal_care(np.array(hours), **kwargs)
        assert one.shape == (len(hours),)
        # Scaling hours scales the value (one multiplication each way, hence 1e-12).
        np.testing.assert_allclose(value_informal_care(np.array(hours) * factor, **kwargs), one * factor,
                                   rtol=1e-12, atol=1e-9)
        assert (one >= 0).all()


def test_contract_rebasing_round_trip(method):
    at_2023 = value_informal_care(5.0, method=method, rates=RATES, price_year="2023/24", indices=INDICES)
    at_2015 = value_informal_care(5.0, method=method, rates=RATES, price_year="2015/16", indices=INDICES)
    assert at_2015 * INDICES["pss"].factor("2015/16", "2023/24") == pytest.approx(at_2023, rel=1e-12)


def test_contract_bad_input_is_a_data_error(method):
    kwargs = dict(method=method, rates=RATES, indices=INDICES)
    with pytest.raises(DataError, match="informal care hours must be >= 0 \\(got -1\\)"):
        value_informal_care(np.array([1.0, -1.0]), price_year="2023/24", **kwargs)
    with pytest.raises(DataError, match="must be finite"):
        value_informal_care(float("nan"), price_year="2023/24", **kwargs)
    with pytest.raises(DataError, match="price year '2024/25' is outside the pss index table"):
        value_informal_care(1.0, price_year="2024/25", **kwargs)


def test_unknown_method_suggests_the_closest():
    with pytest.raises(DataError, match="unknown informal care valuation method 'replacment'; did you mean 'replacement'"):
        value_informal_care(1.0, method="replacment", rates=RATES, price_year="2023/24", indices=INDICES)


@pytest.mark.parametrize("message", [
    "icr_bad.csv:2: unit_cost_code: give either rate and price_year, or unit_cost_code, not both",
    "icr_bad.csv:3: price_year: expected a UK financial year written 'YYYY/YY'",
    "icr_bad.csv:5: method: must be one of replacement, opportunity, minimum_wage (got 'shadow_price')",
])
def test_rate_loader_errors(message):
    with pytest.raises(DataError, match=re.escape(message)):
        load_informal_care_rates(DATA / "icr_bad.csv", unit_costs=TABLE)


def test_rate_loader_unknown_code_and_missing_method():
    with pytest.raises(DataError) as info:
        load_informal_care_rates(DATA / "icr_unknown_code.csv", unit_costs=TABLE)
    text = str(info.value)
    assert "icr_unknown_code.csv:1: method: no row for valuation method 'minimum_wage'" in text
    assert "icr_unknown_code.csv:2: unit_cost_code: unknown unit-cost code 'home_care_hr'; did you mean 'home_care_hour'?" in text
