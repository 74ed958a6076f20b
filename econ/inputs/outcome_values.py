"""Money values of outcomes (e.g. HM Treasury's value of a WELLBY), read from ``costs/outcome_values.csv``.

A row gives the value of one unit of an outcome at a stated price year, with its source and status. A
row names the price index that re-bases it (``nhscii`` or ``pss``, the project's tables) or ``none``:
then the value stays at its own price year, which the parameter's unit and every report state. The
Green Book uprates its wellbeing values with the GDP deflator, which the project does not hold, so the
WELLBY row says ``none`` rather than borrowing a health-care cost index.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from econ.core.errors import DataError
from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows
from econ.inputs.inflation import DEFAULT_COSTS_DIR, PriceIndex, is_financial_year
from econ.inputs.unit_costs import CODE_PATTERN, STATUSES, suggest_codes

#: The project's outcome-value table.
DEFAULT_OUTCOME_VALUES = DEFAULT_COSTS_DIR / "outcome_values.csv"

#: Columns of the table.
OUTCOME_VALUE_COLUMNS = ("code", "description", "unit", "value", "price_year", "index", "source", "status")

#: Index names a row may give: a table of ``costs/`` (``nhscii``, ``pss``) or ``none`` (not re-based).
INDEX_CHOICES = ("nhscii", "pss", "none")


@dataclass(frozen=True)
class OutcomeValue:
    """The money value of one unit of an outcome.

    Attributes
    ----------
    code, description, unit : str
        Identifier (snake_case), what is valued, and the unit of the outcome (e.g. ``WELLBY``).
    value : float
        GBP per unit at ``price_year`` prices.
    price_year : str
        The year of the prices as the source states it (a financial year ``2023/24`` or a calendar year).
    index : str
        Price index that re-bases the value (:data:`INDEX_CHOICES`); ``none``: not re-based.
    source, status : str
        Publication and page; ``published``, ``proxy`` or ``assumption``.
    """

    code: str
    description: str
    unit: str
    value: float
    price_year: str
    index: str
    source: str
    status: str

    def value_at(self, price_year: str, indices: Mapping[str, PriceIndex]) -> tuple[float, str]:
        """(value, price year of that value): re-based to ``price_year`` unless the row's index is ``none``.

        Raises
        ------
        DataError
            If the index is not loaded or does not cover the years.
        """
        if self.index == "none":
            return self.value, self.price_year
        if self.index not in indices:
            raise DataError(f"outcome value {self.code!r} is re-based with price index {self.index!r}, which was "
                            f"not loaded (loaded: {', '.join(indices) or 'none'})")
        return self.value * indices[self.index].factor(self.price_year, price_year), price_year


@dataclass(frozen=True)
class OutcomeValues:
    """Every row of an outcome-value table, by code."""

    values: Mapping[str, OutcomeValue]
    source_file: str = ""

    def get(self, code: str) -> OutcomeValue:
        """The row of ``code``; DataError naming close codes when there is none."""
        if code not in self.values:
            close = suggest_codes(code, list(self.values))
            hint = f"; did you mean {', '.join(close)}?" if close else f"; codes: {', '.join(self.values)}"
            raise DataError(f"unknown outcome value {code!r} in {self.source_file}{hint}")
        return self.values[code]

    def __contains__(self, code: object) -> bool:
        return code in self.values


def load_outcome_values(path: str | Path = DEFAULT_OUTCOME_VALUES) -> OutcomeValues:
    """Read and validate an outcome-value table (columns :data:`OUTCOME_VALUE_COLUMNS`).

    Raises
    ------
    DataError
        Every problem with file, line and column: missing or unexpected columns, a code that is not
        snake_case or repeats, empty text, a value that is not a number >= 0, a price year that is neither
        a financial year (``2023/24``) nor a calendar year (``2019``) or that a re-basing index cannot
        read, an unknown index or status.
    """
    path = Path(path)
    log = ProblemLog(str(path))
    out: dict[str, OutcomeValue] = {}
    lines: dict[str, int] = {}
    for row in read_csv_rows(path, columns=OUTCOME_VALUE_COLUMNS, log=log):
        v, line = row.values, row.line
        code = check_text(v.get("code"), log=log, line=line, column="code")
        if code is not None and not CODE_PATTERN.match(code):
            log.add(f"expected a snake_case code such as 'wellby' (got {code!r})", line=line, column="code")
            code = None
        texts = {c: check_text(v.get(c), log=log, line=line, column=c) for c in ("description", "unit", "source")}
        value = parse_number(v.get("value"), log=log, line=line, column="value")
        index = check_choice(v.get("index"), INDEX_CHOICES, log=log, line=line, column="index")
        status = check_choice(v.get("status"), STATUSES, log=log, line=line, column="status")
        year = v.get("price_year") or ""
        calendar = year.isdigit() and len(year) == 4
        if not (is_financial_year(year) or calendar):
            log.add(f"expected a financial year such as 2023/24 or a calendar year such as 2019 (got {year!r})",
                    line=line, column="price_year")
        elif calendar and index not in (None, "none"):
            log.add(f"a calendar price year ({year}) cannot be re-based with the financial-year index {index!r}; "
                    f"give the financial year or index 'none'", line=line, column="price_year")
        if code is not None and code in lines:
            log.add(f"duplicate code {code!r} (first on line {lines[code]})", line=line, column="code")
            continue
        if code is not None:
            lines[code] = line
        if None in (code, value, index, status) or None in texts.values():
            continue
        out[code] = OutcomeValue(code, texts["description"], texts["unit"], float(value), year, index,
                                 texts["source"], status)
    log.raise_if_any()
    return OutcomeValues(out, str(path))
