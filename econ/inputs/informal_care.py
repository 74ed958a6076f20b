"""Value informal (unpaid) care hours in money: one function per valuation method, and a registry of methods."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

import numpy as np

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows
from econ.core.errors import DataError, Problem, SourceLocation
from econ.inputs.inflation import DEFAULT_COSTS_DIR, FINANCIAL_YEAR_FORMAT, INDEX_FILES, PriceIndex, is_financial_year
from econ.inputs.unit_costs import STATUSES, UnitCostTable, load_unit_costs, suggest_codes

#: The project's informal-care rate table.
DEFAULT_INFORMAL_CARE_RATES = DEFAULT_COSTS_DIR / "informal_care_rates.csv"

#: Columns of the rate table.
INFORMAL_CARE_RATE_COLUMNS = ("method", "rate", "unit", "price_year", "index", "unit_cost_code", "source", "status")


@dataclass(frozen=True)
class InformalCareRate:
    """The hourly value of one hour of informal care under one valuation method.

    Attributes
    ----------
    method : str
        Valuation method (a key of :data:`VALUATION_METHODS`).
    rate : float
        GBP per hour at ``price_year`` prices.
    price_year : str
        Financial year of the rate, ``'2023/24'``.
    index : str
        Name of the price index used to re-base the rate (``'pss'``).
    source : str
        Publication, table and the way the figure was seen.
    status : str
        ``published``, ``proxy`` or ``assumption``.
    unit_cost_code : str
        Unit-cost code the rate was read from ('' when the rate table gives it directly).
    """

    method: str
    rate: float
    price_year: str
    index: str
    source: str
    status: str
    unit_cost_code: str = ""

    def rate_at(self, price_year: str, indices: Mapping[str, PriceIndex]) -> float:
        """The hourly rate at ``price_year`` prices (GBP per hour).

        Raises
        ------
        DataError
            If the rate's index is not in ``indices`` or a year is outside it.
        """
        if self.index not in indices:
            raise DataError(f"informal care method {self.method!r} is re-based with price index "
                            f"{self.index!r}, which was not loaded (loaded: {', '.join(indices) or 'none'})")
        return self.rate * indices[self.index].factor(self.price_year, price_year)


@dataclass(frozen=True)
class InformalCareRates:
    """Hourly rates for every valuation method.

    Attributes
    ----------
    rates : mapping of str to InformalCareRate
        By method name.
    source_file : str
        The rate table read.
    """

    rates: Mapping[str, InformalCareRate]
    source_file: str = ""

    def get(self, method: str) -> InformalCareRate:
        """The rate for ``method``.

        Raises
        ------
        DataError
            If the method is unknown or has no rate, naming the known methods.
        """
        if method not in self.rates:
            close = suggest_codes(method, self.rates)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise DataError([Problem(f"no informal care rate for method {method!r}{hint} "
                                     f"(methods: {', '.join(self.rates)})",
                                     SourceLocation(self.source_file) if self.source_file else None, "method")])
        return self.rates[method]


def load_informal_care_rates(path: str | Path = DEFAULT_INFORMAL_CARE_RATES, *,
                             unit_costs: UnitCostTable | None = None) -> InformalCareRates:
    """Read and check the informal-care rate table.

    Parameters
    ----------
    path : str or Path
        CSV with columns :data:`INFORMAL_CARE_RATE_COLUMNS`, one row per valuation method. A row either
        gives ``rate`` and ``price_year``, or names a ``unit_cost_code`` whose cost and price year are
        used (the replacement method reads ``home_care_hour`` so that the figure lives in one place).
    unit_costs : UnitCostTable, optional
        Table for ``unit_cost_code`` rows; by default ``unit_costs.csv`` in the same folder as ``path``.

    Returns
    -------
    InformalCareRates

    Raises
    ------
    DataError
        Listing every problem: unknown or repeated method, a registered method without a row, rate
        not a positive number, bad price year, unknown index or status, a row giving both or neither
        of rate and unit-cost code, an unknown unit-cost code.
    """
    log = ProblemLog(str(path))
    rows = read_csv_rows(path, columns=INFORMAL_CARE_RATE_COLUMNS, log=log)
    found: dict[str, InformalCareRate] = {}
    first_line: dict[str, int] = {}
    table = unit_costs
    for row in rows:
        v, line = row.values, row.line
        method = check_choice(v.get("method"), tuple(VALUATION_METHODS), log=log, line=line, column="method")
        if method is not None and method in first_line:
            log.add(f"method {method!r} appears twice (first on line {first_line[method]})", line=line,
                    column="method")
            method = None
        elif method is not None:
            first_line[method] = line
        check_choice(v.get("unit"), ("hour",), log=log, line=line, column="unit")
        index = check_choice(v.get("index"), tuple(INDEX_FILES), log=log, line=line, column="index")
        status = check_choice(v.get("status"), STATUSES, log=log, line=line, column="status")
        source = check_text(v.get("source"), log=log, line=line, column="source")
        code = v.get("unit_cost_code") or ""
        rate = parse_number(v.get("rate"), log=log, line=line, column="rate", allow_empty=bool(code), positive=True)
        year = v.get("price_year") or ""
        if code and (v.get("rate") or year):
            log.add("give either rate and price_year, or unit_cost_code, not both", line=line, column="unit_cost_code")
            continue
        if not code:
            if not is_financial_year(year):
                log.add(f"expected {FINANCIAL_YEAR_FORMAT} (got {year!r})", line=line, column="price_year")
                continue
        else:
            if table is None:
                table = load_unit_costs(Path(path).parent / "unit_costs.csv")
            if code not in table:
                close = suggest_codes(code, table.codes)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                log.add(f"unknown unit-cost code {code!r}{hint}", line=line, column="unit_cost_code")
                continue
            item = table.get(code)
            rate, year = item.cost, item.price_year
        if method is None or rate is None or index is None or status is None or source is None:
            continue
        found[method] = InformalCareRate(method, rate, year, index, source, status, code)
    for method in VALUATION_METHODS:
        if rows and method not in first_line:
            log.add(f"no row for valuation method {method!r}; every method needs a rate", line=1, column="method")
    log.raise_if_any()
    return InformalCareRates(MappingProxyType(found), str(path))


def _check_hours(hours) -> np.ndarray:
    array = np.asarray(hours, dtype=float)
    if not np.all(np.isfinite(array)):
        raise DataError("informal care hours must be finite numbers (got NaN or infinity)")
    if np.any(array < 0):
        raise DataError(f"informal care hours must be >= 0 (got {array.min():g})")
    return array


def _value(hours, method: str, rates: InformalCareRates, price_year: str, indices: Mapping[str, PriceIndex]):
    array = _check_hours(hours)
    value = array * rates.get(method).rate_at(price_year, indices)
    return float(value) if array.ndim == 0 else value


def value_replacement(hours, *, rates: InformalCareRates, price_year: str, indices: Mapping[str, PriceIndex]):
    """Value informal care at the cost of paid help doing the same tasks (proxy-good method).

    Parameters
    ----------
    hours : float or array_like
        Hours of informal care (>= 0).
    rates : InformalCareRates
        Rate table; the ``replacement`` rate is the PSSRU home care worker cost per weekday hour.
    price_year : str
        Financial year of the result, ``'2023/24'``.
    indices : mapping of str to PriceIndex
        Loaded price indices (the rate is re-based with the PSS index).

    Returns
    -------
    float or numpy.ndarray
        GBP at ``price_year`` prices: ``hours * rate * I[price_year] / I[rate year]``.

    Raises
    ------
    DataError
        Negative or non-finite hours; a price year outside the index table.

    References
    ----------
    van den Berg B et al. (2006) Soc Sci Med 62:835-845 (opportunity-cost and proxy-good methods).
    """
    return _value(hours, "replacement", rates, price_year, indices)


def value_opportunity(hours, *, rates: InformalCareRates, price_year: str, indices: Mapping[str, PriceIndex]):
    """Value informal care at the carer's forgone earnings: ASHE median hourly earnings (opportunity cost).

    Parameters, returns and errors are those of :func:`value_replacement`; the rate is the ONS ASHE
    median gross hourly pay excluding overtime of full-time employees. Valuing leisure time at a
    fraction of the wage has no citable UK convention, so no fraction is applied: vary the method
    instead.

    References
    ----------
    van den Berg B et al. (2006) Soc Sci Med 62:835-845.
    """
    return _value(hours, "opportunity", rates, price_year, indices)


def value_minimum_wage(hours, *, rates: InformalCareRates, price_year: str, indices: Mapping[str, PriceIndex]):
    """Value informal care at the National Living Wage (a conservative lower valuation).

    Parameters, returns and errors are those of :func:`value_replacement`; the rate is the adult
    National Living Wage per hour.
    """
    return _value(hours, "minimum_wage", rates, price_year, indices)


#: Every valuation method by name: function(hours, *, rates, price_year, indices) -> GBP.
VALUATION_METHODS: Mapping[str, Callable[..., object]] = MappingProxyType({
    "replacement": value_replacement,
    "opportunity": value_opportunity,
    "minimum_wage": value_minimum_wage,
})


def value_informal_care(hours, *, method: str, rates: InformalCareRates, price_year: str,
                        indices: Mapping[str, PriceIndex]):
    """Value informal care hours with the named method.

    Parameters
    ----------
    hours : float or array_like
        Hours of informal care (>= 0), e.g. per person per month.
    method : str
        A key of :data:`VALUATION_METHODS`: ``'replacement'``, ``'opportunity'`` or ``'minimum_wage'``.
    rates : InformalCareRates
        From :func:`load_informal_care_rates`.
    price_year : str
        Financial year of the result.
    indices : mapping of str to PriceIndex
        From :func:`econ.inputs.inflation.load_indices`.

    Returns
    -------
    float or numpy.ndarray
        GBP at ``price_year`` prices, same shape as ``hours``.

    Raises
    ------
    DataError
        Unknown method (with the closest name), negative hours, price year outside the index table.
    """
    if method not in VALUATION_METHODS:
        close = suggest_codes(method, VALUATION_METHODS)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        raise DataError(f"unknown informal care valuation method {method!r}{hint} "
                        f"(methods: {', '.join(VALUATION_METHODS)})")
    return VALUATION_METHODS[method](hours, rates=rates, price_year=price_year, indices=indices)
