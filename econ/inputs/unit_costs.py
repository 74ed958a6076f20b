"""Read costs/unit_costs.csv into a typed, validated UnitCostTable; look up and re-base costs by service code."""
from __future__ import annotations

import difflib
import re
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from types import MappingProxyType
from typing import Iterable, Iterator, Literal, Mapping

import numpy as np
import pandas as pd

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows, read_csv_table
from econ.inputs.plain_columns import all_pass, numbers
from econ.core.errors import DataError, Problem, SourceLocation
from econ.inputs.inflation import (DEFAULT_COSTS_DIR, FINANCIAL_YEAR_FORMAT, INDEX_FOR_SECTOR, PriceIndex,
                            UnverifiedIndexWarning, is_financial_year)

#: The project's unit-cost table.
DEFAULT_UNIT_COSTS = DEFAULT_COSTS_DIR / "unit_costs.csv"

#: Columns of a unit-cost table, exactly and in this order when written.
UNIT_COST_COLUMNS = ("code", "description", "unit", "cost", "price_year", "sector", "source",
                     "se", "low", "high", "status")

#: Who pays: NHS, personal social services, other public bodies (police, housing), voluntary sector.
SECTORS = ("nhs", "pss", "other_public", "voluntary")

#: How a figure was obtained: printed in the source, a stand-in for a missing item, or our assumption.
STATUSES = ("published", "proxy", "assumption")

#: Standard error, as a fraction of the cost, applied when a row gives no ``se`` (an assumption).
DEFAULT_SE_FRACTION = 0.25

#: Distribution family meant for a unit cost with a default SE (costs are positive and right-skewed).
DEFAULT_DISTRIBUTION = "gamma"

#: A unit-cost code: lower-case snake_case starting with a letter.
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")


def suggest_codes(code: str, codes: Iterable[str], *, n: int = 3) -> list[str]:
    """Known codes that look like ``code`` (difflib ratio >= 0.6), best first."""
    return difflib.get_close_matches(code, list(codes), n=n, cutoff=0.6)


def _unknown_code_message(code: str, codes: Iterable[str], what: str = "unit-cost code") -> str:
    close = suggest_codes(code, codes)
    hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else "; no similar code is known"
    return f"unknown {what} {code!r}{hint}"


class UnknownCodeError(DataError, KeyError):
    """A unit-cost code is not in the table (a DataError that is also a KeyError)."""

    # KeyError would print the message with quotes around it.
    __str__ = Exception.__str__


@dataclass(frozen=True)
class UnitCost:
    """One unit cost.

    Attributes
    ----------
    code : str
        Unique snake_case identifier, used as the ``service`` code in service-use data.
    description : str
        What the unit is, in words.
    unit : str
        Unit of activity the cost is for (``consultation``, ``bed day``, ``hour`` ...).
    cost : float
        GBP per unit at ``price_year`` prices.
    price_year : str
        UK financial year of the prices, ``'2023/24'``.
    sector : str
        One of :data:`SECTORS`; chooses the price index (:data:`econ.inputs.inflation.INDEX_FOR_SECTOR`).
    source : str
        Publication and table/page.
    se : float
        Standard error of ``cost`` (GBP); the default rule when the table gave none (see ``se_basis``).
    low, high : float or None
        A plausible range for one-way sensitivity analysis, where the table gives one (GBP).
    status : str
        One of :data:`STATUSES`.
    se_basis : {'reported', 'default'}
        ``'default'`` when ``se`` is ``DEFAULT_SE_FRACTION * cost`` because the table left it empty.
    """

    code: str
    description: str
    unit: str
    cost: float
    price_year: str
    sector: str
    source: str
    se: float
    low: float | None
    high: float | None
    status: str
    se_basis: Literal["reported", "default"] = "reported"

    def rebased(self, price_year: str, index: PriceIndex) -> "UnitCost":
        """This cost with ``cost``, ``se``, ``low`` and ``high`` moved to ``price_year`` prices with ``index``.

        Raises
        ------
        DataError
            If either price year is outside the index table.
        """
        factor = index.factor(self.price_year, price_year, warn=False)
        return replace(
            self,
            cost=self.cost * factor,
            se=self.se * factor,
            low=None if self.low is None else self.low * factor,
            high=None if self.high is None else self.high * factor,
            price_year=price_year,
        )


@dataclass(frozen=True)
class UnitCostTable:
    """A validated set of unit costs, looked up by code.

    Attributes
    ----------
    items : tuple of UnitCost
        Rows in file order; codes are unique.
    source_file : str
        File the table was read from ('' when built in code).
    """

    items: tuple[UnitCost, ...]
    source_file: str = ""
    _by_code: Mapping[str, UnitCost] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_code = {item.code: item for item in self.items}
        if len(by_code) != len(self.items):
            seen: set[str] = set()
            dupes = sorted({i.code for i in self.items if i.code in seen or seen.add(i.code)})
            raise DataError(f"duplicate unit-cost codes: {', '.join(dupes)}")
        object.__setattr__(self, "_by_code", MappingProxyType(by_code))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[UnitCost]:
        return iter(self.items)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def codes(self) -> tuple[str, ...]:
        """Codes in table order."""
        return tuple(item.code for item in self.items)

    @property
    def price_year(self) -> str | None:
        """The one price year of every row, or None when rows differ (then call :meth:`rebased`)."""
        years = {item.price_year for item in self.items}
        return years.pop() if len(years) == 1 else None

    def get(self, code: str) -> UnitCost:
        """The unit cost with this code.

        Raises
        ------
        UnknownCodeError
            A DataError (and KeyError) naming the code and the closest known codes.
        """
        try:
            return self._by_code[code]
        except KeyError:
            where = SourceLocation(self.source_file) if self.source_file else None
            raise UnknownCodeError([Problem(_unknown_code_message(code, self.codes), where, "code")]) from None

    def select(self, codes: Iterable[str]) -> "UnitCostTable":
        """A table of just these codes, in the order given.

        Raises
        ------
        UnknownCodeError
            For the first unknown code.
        """
        return UnitCostTable(tuple(self.get(code) for code in codes), self.source_file)

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame.

        Returns
        -------
        pandas.DataFrame
            One row per code; columns :data:`UNIT_COST_COLUMNS` then ``se_basis``. ``cost``, ``se``,
            ``low``, ``high`` are float64 (NaN where no range is given); the rest are str.
        """
        records = [{name: getattr(item, name) for name in (*UNIT_COST_COLUMNS, "se_basis")} for item in self.items]
        frame = pd.DataFrame.from_records(records, columns=[*UNIT_COST_COLUMNS, "se_basis"])
        for name in ("cost", "se", "low", "high"):
            frame[name] = frame[name].astype("float64")
        return frame

    def rebased(self, price_year: str, indices: Mapping[str, PriceIndex], *,
                index_for_sector: Mapping[str, str] = INDEX_FOR_SECTOR) -> "UnitCostTable":
        """Every cost moved to ``price_year`` prices with its sector's index.

        Parameters
        ----------
        price_year : str
            Target financial year, ``'2023/24'``.
        indices : mapping of str to PriceIndex
            Price indices by name (see :func:`econ.inputs.inflation.load_indices`).
        index_for_sector : mapping of str to str
            Index name for each sector (default :data:`econ.inputs.inflation.INDEX_FOR_SECTOR`).

        Returns
        -------
        UnitCostTable
            Same codes; ``cost``, ``se``, ``low`` and ``high`` multiplied by
            ``I[price_year] / I[row price year]``; every ``price_year`` set to ``price_year``.

        Raises
        ------
        DataError
            Listing every row that cannot be re-based (price year outside its index table,
            no index for its sector).

        Warns
        -----
        UnverifiedIndexWarning
            Once, naming the codes whose re-basing uses unverified index changes.

        Notes
        -----
        For a row at year :math:`y` in a sector with index :math:`I`:
        :math:`c' = c \\, I_{\\text{price\\_year}} / I_y`, and the same factor scales SE and range.
        """
        where = SourceLocation(self.source_file) if self.source_file else None
        if not is_financial_year(price_year):
            raise DataError([Problem(f"price year {price_year!r} is not {FINANCIAL_YEAR_FORMAT}", where,
                                     "price_year")])
        problems: list[Problem] = []
        unverified: list[str] = []
        items: list[UnitCost] = []
        for item in self.items:
            name = index_for_sector.get(item.sector)
            index = indices.get(name) if name is not None else None
            if index is None:
                problems.append(Problem(f"no price index loaded for sector {item.sector!r} "
                                        f"(index {name!r}); loaded: {', '.join(indices) or 'none'}",
                                        where, item.code))
                continue
            try:
                items.append(item.rebased(price_year, index))
            except DataError as err:
                problems.extend(Problem(p.message, where, item.code) for p in err.problems)
                continue
            if index.unverified_years(item.price_year, price_year):
                unverified.append(item.code)
        if problems:
            raise DataError(problems)
        if unverified:
            shown = ", ".join(unverified[:5]) + (f" and {len(unverified) - 5} more" if len(unverified) > 5 else "")
            warnings.warn(f"re-basing to {price_year} uses unverified index changes for {len(unverified)} "
                          f"code(s): {shown} (see the status column of the index tables)",
                          UnverifiedIndexWarning, stacklevel=2)
        return UnitCostTable(tuple(items), self.source_file)


def load_unit_costs(path: str | Path = DEFAULT_UNIT_COSTS) -> UnitCostTable:
    """Read and validate a unit-cost table.

    Parameters
    ----------
    path : str or Path
        CSV with exactly the columns :data:`UNIT_COST_COLUMNS` (see ``costs/README.md``).

    Returns
    -------
    UnitCostTable
        Rows with an empty ``se`` get ``se = DEFAULT_SE_FRACTION * cost`` and ``se_basis='default'``.

    Raises
    ------
    DataError
        One error listing every problem, each as ``file:line: column: what is wrong (got value)``:
        empty file, missing or unexpected column, code not snake_case or repeated, empty
        description/unit/source, cost or se/low/high not a number (with a hint for a currency sign
        or thousands separator) or negative, low above cost or high below it, price year not
        ``'YYYY/YY'``, unknown sector or status.
    """
    log = ProblemLog(str(path))
    rows, table = read_csv_table(path, columns=UNIT_COST_COLUMNS, log=log)
    items = None if table is None else _plain_unit_costs(table)
    if items is None:  # a file with problems (or unusual quoting): row by row, every problem with its line
        items = _row_items(rows if rows is not None else read_csv_rows(path, columns=UNIT_COST_COLUMNS, log=log), log)
    log.raise_if_any()
    return UnitCostTable(tuple(items), str(path))


def _row_items(rows, log: ProblemLog) -> list[UnitCost]:
    """Check every row (problems into ``log``); the unit costs when there is none."""
    items: list[UnitCost] = []
    first_line: dict[str, int] = {}
    for row in rows:
        v, line = row.values, row.line
        code = v.get("code")
        if code is not None:
            if not CODE_PATTERN.match(code):
                log.add(f"expected a snake_case code such as 'gp_surgery' (got {code!r})", line=line, column="code")
            elif code in first_line:
                log.add(f"duplicate code {code!r} (first on line {first_line[code]}); codes must be unique",
                        line=line, column="code")
            else:
                first_line[code] = line
        for name in ("description", "unit", "source"):
            check_text(v.get(name), log=log, line=line, column=name)
        cost = parse_number(v.get("cost"), log=log, line=line, column="cost")
        se = parse_number(v.get("se"), log=log, line=line, column="se", allow_empty=True)
        low = parse_number(v.get("low"), log=log, line=line, column="low", allow_empty=True)
        high = parse_number(v.get("high"), log=log, line=line, column="high", allow_empty=True)
        if cost is not None and low is not None and low > cost:
            log.add(f"must not exceed cost {cost:g} (got {v['low']!r})", line=line, column="low")
        if cost is not None and high is not None and high < cost:
            log.add(f"must not be below cost {cost:g} (got {v['high']!r})", line=line, column="high")
        year = v.get("price_year")
        if year is not None and not is_financial_year(year):
            log.add(f"expected {FINANCIAL_YEAR_FORMAT} (got {year!r})", line=line, column="price_year")
        sector = check_choice(v.get("sector"), SECTORS, log=log, line=line, column="sector")
        status = check_choice(v.get("status"), STATUSES, log=log, line=line, column="status")
        if log.problems or cost is None or sector is None or status is None:
            continue  # nothing will be returned; keep checking the other rows
        items.append(UnitCost(
            code=code or "", description=v["description"], unit=v["unit"], cost=cost,
            price_year=year or "", sector=sector, source=v["source"],
            se=se if se is not None else DEFAULT_SE_FRACTION * cost, low=low, high=high, status=status,
            se_basis="reported" if se is not None else "default",
        ))
    return items


def _plain_unit_costs(table: dict) -> list[UnitCost] | None:
    """The unit costs of a table without problems, as :func:`_row_items` builds them, or None.

    The vectorised path (issue 23): each cell check of :func:`_row_items`, applied once to each
    distinct value of its column (:mod:`econ.inputs.plain_columns`); codes unique; ranges by array
    comparison. None as soon as any check fails: the row-by-row reader then names every problem.
    """
    code = table["code"]
    if len(code.values) != len(code) or not all(CODE_PATTERN.match(value) for value in code.values):
        return None  # a repeated or malformed code
    texts = {name: lambda v, log, name=name: check_text(v, log=log, line=0, column=name)
             for name in ("description", "unit", "source")}
    texts["sector"] = lambda v, log: check_choice(v, SECTORS, log=log, line=0, column="sector")
    texts["status"] = lambda v, log: check_choice(v, STATUSES, log=log, line=0, column="status")
    texts["price_year"] = lambda v, log: None if is_financial_year(v) else log.add("bad year")
    if not all(all_pass(table[name].values, check) for name, check in texts.items()):
        return None
    cost = numbers(table["cost"], name="cost")
    extra = {name: numbers(table[name], name=name, allow_empty=True) for name in ("se", "low", "high")}
    if cost is None or any(values is None for values in extra.values()):
        return None
    if (extra["low"] > cost).any() or (extra["high"] < cost).any():  # NaN (empty) compares False
        return None
    reported = ~np.isnan(extra["se"])
    se = np.where(reported, extra["se"], DEFAULT_SE_FRACTION * cost).tolist()
    low, high = ([None if v != v else v for v in extra[name].tolist()] for name in ("low", "high"))
    basis = np.where(reported, "reported", "default").tolist()
    cells = {name: table[name].values[table[name].codes].tolist()
             for name in ("code", "description", "unit", "price_year", "sector", "source", "status")}
    # The fields are checked: set them as the dataclass __init__ would (which costs twice as much a row).
    names, new = tuple(f.name for f in fields(UnitCost)), object.__new__
    items = []
    for row in zip(cells["code"], cells["description"], cells["unit"], cost.tolist(), cells["price_year"],
                   cells["sector"], cells["source"], se, low, high, cells["status"], basis):
        item = new(UnitCost)
        item.__dict__.update(zip(names, row))
        items.append(item)
    return items
