"""Move money between UK financial-year price levels using named price-index tables (NHSCII, PSS)."""
from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np
import pandas as pd

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows
from econ.core.errors import DataError, EconWarning, Problem, SourceLocation

#: Folder of the cost tables shipped with the project (``costs/`` at the repository root).
DEFAULT_COSTS_DIR = Path(__file__).resolve().parents[2] / "costs"

#: Columns of an index table, in the order they are written.
INDEX_COLUMNS = ("financial_year", "series", "annual_pct_change", "index", "source", "vintage", "status")

#: Provenance of a row's figure (its annual % change; for the first row, its level).
INDEX_STATUSES = ("published", "provisional", "estimate", "derived", "unverified")

#: Row statuses that make :meth:`PriceIndex.factor` warn when a re-basing path crosses them.
UNVERIFIED_STATUSES = frozenset({"unverified"})

#: Index table file for each index name, inside a costs folder.
INDEX_FILES = MappingProxyType({"nhscii": "index_nhscii.csv", "pss": "index_pss.csv"})

#: Price index used to re-base the costs of each sector.
#:
#: - ``nhs`` -> ``nhscii``: NHS Cost Inflation Index, pay & prices, which PSSRU uses to uprate NHS
#:   costs (chained to the HCHS pay & prices index before 2015/16).
#: - ``pss`` -> ``pss``: PSS pay & prices index (adult services, all sectors), which PSSRU uses
#:   for social-care costs.
#: - ``other_public`` -> ``nhscii``: police, criminal justice and housing costs are mostly public-sector
#:   staff pay set by national pay review, like NHS Agenda for Change pay. The PSS index is driven by
#:   care-worker pay near the National Living Wage (it rose 7.4% in 2023/24), which does not describe
#:   police or housing pay. The HM Treasury GDP deflator would be the textbook choice but no vintage of
#:   it is in our reference file, so it is not used.
#: - ``voluntary`` -> ``pss``: charity-delivered services (peer support workers, volunteer coordinators)
#:   pay near social-care rates (the PSSRU support and outreach worker uses Skills for Care pay) and the
#:   PSS index covers independent and voluntary providers ("all sectors").
#:
#: Callers may pass another mapping to :meth:`econ.inputs.unit_costs.UnitCostTable.rebased`.
INDEX_FOR_SECTOR: Mapping[str, str] = MappingProxyType(
    {"nhs": "nhscii", "pss": "pss", "other_public": "nhscii", "voluntary": "pss"}
)

_YEAR = re.compile(r"^(\d{4})/(\d{2})$")

#: How a financial year is written everywhere in econ.
FINANCIAL_YEAR_FORMAT = "a UK financial year written 'YYYY/YY' with consecutive years, e.g. '2023/24'"


class UnverifiedIndexWarning(EconWarning):
    """A re-basing used index values that are secondary and not checked against the original."""


def financial_year_start(year: str) -> int:
    """Return the calendar year in which financial year ``year`` starts (``'2023/24'`` -> 2023).

    Parameters
    ----------
    year : str
        A financial year written ``'YYYY/YY'``.

    Returns
    -------
    int
        The first calendar year.

    Raises
    ------
    ValueError
        If ``year`` is not written ``'YYYY/YY'`` with consecutive years.
    """
    match = _YEAR.match(year) if isinstance(year, str) else None
    if match is None or (int(match.group(1)) + 1) % 100 != int(match.group(2)):
        raise ValueError(f"expected {FINANCIAL_YEAR_FORMAT} (got {year!r})")
    return int(match.group(1))


def is_financial_year(year: object) -> bool:
    """Whether ``year`` is a string written ``'YYYY/YY'`` with consecutive years."""
    try:
        financial_year_start(year)  # type: ignore[arg-type]
    except ValueError:
        return False
    return True


def format_financial_year(start: int) -> str:
    """Write the financial year starting in calendar year ``start`` (2023 -> ``'2023/24'``)."""
    return f"{start}/{(start + 1) % 100:02d}"


@dataclass(frozen=True)
class PriceIndex:
    """A price index by financial year: levels chained from annual % changes.

    Attributes
    ----------
    name : str
        Short name, e.g. ``'nhscii'`` or ``'pss'``.
    years : tuple of str
        Consecutive financial years, oldest first.
    values : tuple of float
        Index level for each year, chained from the annual changes (the base year is 100).
    source : str
        Publications the annual changes come from (distinct values of the table's source column).
    vintage : str
        Edition(s) of the publications used.
    base_year : str
        The year whose level is 100.
    statuses : tuple of str
        Provenance of each year's figure, one of :data:`INDEX_STATUSES`.
    path : str
        File the table was read from ('' when built in code).
    """

    name: str
    years: tuple[str, ...]
    values: tuple[float, ...]
    source: str
    vintage: str
    base_year: str
    statuses: tuple[str, ...]
    path: str = ""

    @property
    def first_year(self) -> str:
        """Oldest financial year in the table."""
        return self.years[0]

    @property
    def last_year(self) -> str:
        """Latest financial year in the table."""
        return self.years[-1]

    def covers(self, year: str) -> bool:
        """Whether ``year`` is in the table."""
        return year in self.years

    def _position(self, year: str) -> int:
        where = SourceLocation(self.path) if self.path else None
        if not is_financial_year(year):
            raise DataError([Problem(f"price year {year!r} is not {FINANCIAL_YEAR_FORMAT}", where,
                                     "price_year")])
        try:
            return self.years.index(year)
        except ValueError:
            raise DataError([Problem(
                f"price year {year!r} is outside the {self.name} index table, which covers "
                f"{self.first_year} to {self.last_year}; indices are never extrapolated: choose a "
                f"price year in that range or add the published index for {year} to the table",
                where, "price_year")]) from None

    def value(self, year: str) -> float:
        """Index level in ``year``.

        Raises
        ------
        DataError
            If ``year`` is malformed or outside the table.
        """
        return self.values[self._position(year)]

    def unverified_years(self, from_year: str, to_year: str) -> tuple[str, ...]:
        """Years whose unverified annual change is used when moving between the two years."""
        i, j = sorted((self._position(from_year), self._position(to_year)))
        return tuple(self.years[k] for k in range(i + 1, j + 1) if self.statuses[k] in UNVERIFIED_STATUSES)

    def factor(self, from_year: str, to_year: str, *, warn: bool = True) -> float:
        """Multiplier taking an amount at ``from_year`` prices to ``to_year`` prices.

        Parameters
        ----------
        from_year, to_year : str
            Financial years ``'YYYY/YY'`` inside the table.
        warn : bool
            Emit :class:`UnverifiedIndexWarning` when the path uses unverified annual changes.

        Returns
        -------
        float
            ``I[to_year] / I[from_year]``.

        Raises
        ------
        DataError
            If either year is malformed or outside the table (the index is never extrapolated).

        Notes
        -----
        With annual changes :math:`g_t` (in %), the level is :math:`I_t = I_{t-1}(1 + g_t/100)`,
        so the factor from year :math:`a` to year :math:`b > a` is :math:`\\prod_{t=a+1}^{b} (1 + g_t/100)`.
        """
        ratio = self.value(to_year) / self.value(from_year)
        if warn:
            unverified = self.unverified_years(from_year, to_year)
            if unverified:
                warnings.warn(
                    f"{self.name}: re-basing {from_year} -> {to_year} uses unverified index changes for "
                    f"{', '.join(unverified)} (see the status column of {self.path or 'the table'})",
                    UnverifiedIndexWarning, stacklevel=2)
        return ratio

    def to_frame(self) -> pd.DataFrame:
        """The table as a DataFrame.

        Returns
        -------
        pandas.DataFrame
            Columns ``financial_year`` (str), ``index`` (float64), ``status`` (str).
        """
        return pd.DataFrame({"financial_year": list(self.years), "index": list(self.values),
                             "status": list(self.statuses)})


def load_price_index(path: str | Path, *, name: str | None = None) -> PriceIndex:
    """Read and check a price-index table.

    Parameters
    ----------
    path : str or Path
        CSV with columns :data:`INDEX_COLUMNS`: one row per consecutive financial year, oldest first.
        ``annual_pct_change`` is the % change into that year from the year before (empty on the first
        row); ``index`` is the level chained from those changes, 100 in the base year. The returned
        levels are re-chained from the annual changes (the published figures), not read from the
        rounded ``index`` column, which is only checked.
    name : str, optional
        Index name; by default the file name without ``index_`` and ``.csv``
        (``index_nhscii.csv`` -> ``'nhscii'``).

    Returns
    -------
    PriceIndex

    Raises
    ------
    DataError
        Listing every problem at once: missing columns, malformed or non-consecutive years,
        non-numeric or non-positive values, an ``index`` that does not follow from the annual changes
        (tolerance 1e-4 percentage points, the rounding of a 6-decimal level), no base year at 100,
        unknown status.
    """
    log = ProblemLog(str(path))
    rows = read_csv_rows(path, columns=INDEX_COLUMNS, log=log)
    t = _read_index_rows(rows, log)
    base = _check_chain(t, log, bool(rows))
    log.raise_if_any()
    years, changes = t["years"], t["changes"]
    sources, vintages, statuses = t["sources"], t["vintages"], t["statuses"]

    # The published figures are the annual changes; the index column is rounded to its printed
    # decimals. Chain the changes so that factors are exact products of (1 + change/100).
    chained = [1.0]
    for change in changes[1:]:
        chained.append(chained[-1] * (1.0 + change / 100.0))  # type: ignore[operator]
    base_position = years.index(base[0])
    values = tuple(100.0 * level / chained[base_position] for level in chained)
    index_name = name or Path(path).stem.removeprefix("index_")
    return PriceIndex(
        name=index_name,
        years=tuple(years),
        values=values,
        source="; ".join(dict.fromkeys(sources)),
        vintage="; ".join(dict.fromkeys(vintages)),
        base_year=base[0],
        statuses=tuple(statuses),
        path=str(path),
    )


def _read_index_rows(rows, log: ProblemLog) -> dict:
    """Check each row of an index table; the columns as lists (None or '' where a cell is bad)."""
    years: list[str] = []
    levels: list[float | None] = []
    changes: list[float | None] = []
    statuses: list[str] = []
    lines: list[int] = []
    sources: list[str] = []
    vintages: list[str] = []
    for row in rows:
        v = row.values
        year = v.get("financial_year")
        if year is not None and not is_financial_year(year):
            log.add(f"expected {FINANCIAL_YEAR_FORMAT} (got {year!r})", line=row.line, column="financial_year")
            year = None
        if year is not None and years and years[-1] and is_financial_year(years[-1]):
            expected = format_financial_year(financial_year_start(years[-1]) + 1)
            if year != expected:
                log.add(f"years must be consecutive and oldest first: expected {expected} after "
                        f"{years[-1]} (got {year!r})", line=row.line, column="financial_year")
        years.append(year or "")
        change = parse_number(v.get("annual_pct_change"), log=log, line=row.line, column="annual_pct_change",
                              allow_empty=not changes, minimum=-100.0)
        changes.append(change)
        levels.append(parse_number(v.get("index"), log=log, line=row.line, column="index", positive=True))
        statuses.append(check_choice(v.get("status"), INDEX_STATUSES, log=log, line=row.line,
                                     column="status") or "")
        check_text(v.get("source"), log=log, line=row.line, column="source")
        check_text(v.get("vintage"), log=log, line=row.line, column="vintage")
        sources.append(v.get("source") or "")
        vintages.append(v.get("vintage") or "")
        lines.append(row.line)
    return dict(years=years, levels=levels, changes=changes, statuses=statuses, lines=lines, sources=sources,
                vintages=vintages)


def _check_chain(t: dict, log: ProblemLog, any_rows: bool) -> list[str]:
    """Check that each level follows from the annual changes; the years at 100 (the base)."""
    years, levels, changes, lines = t["years"], t["levels"], t["changes"], t["lines"]
    for k in range(1, len(levels)):
        prev, level, change = levels[k - 1], levels[k], changes[k]
        if prev is None or level is None or change is None:
            continue
        implied = 100.0 * (level / prev - 1.0)
        if abs(implied - change) > 1e-4:
            log.add(f"index {level:g} does not follow from the previous level {prev:g} and the annual "
                    f"change {change:g}% (implies {implied:.6f}%); re-chain the index column",
                    line=lines[k], column="index")
    base = [years[k] for k, level in enumerate(levels) if level is not None and abs(level - 100.0) < 1e-9]
    if any_rows and not base:
        log.add("no year has index 100; the table must state its base year", line=1, column="index")
    return base


def load_indices(directory: str | Path = DEFAULT_COSTS_DIR) -> dict[str, PriceIndex]:
    """Load every index table of :data:`INDEX_FILES` from a costs folder.

    Parameters
    ----------
    directory : str or Path
        Folder holding ``index_nhscii.csv`` and ``index_pss.csv`` (default: the project's ``costs/``).

    Returns
    -------
    dict of str to PriceIndex
        Keyed by index name (``'nhscii'``, ``'pss'``).

    Raises
    ------
    DataError
        If a table is missing or invalid.
    """
    return {name: load_price_index(Path(directory) / file, name=name) for name, file in INDEX_FILES.items()}


def rebase(amount, from_year: str, to_year: str, index: PriceIndex):
    """Re-base money from ``from_year`` prices to ``to_year`` prices.

    Parameters
    ----------
    amount : float or array_like
        Amount(s) in GBP at ``from_year`` prices.
    from_year, to_year : str
        Financial years ``'YYYY/YY'`` inside the index table.
    index : PriceIndex
        The index to use (see :data:`INDEX_FOR_SECTOR`).

    Returns
    -------
    float or numpy.ndarray
        ``amount * I[to_year] / I[from_year]``, GBP at ``to_year`` prices; a float for a scalar input.

    Raises
    ------
    DataError
        If a year is malformed or outside the table.
    """
    factor = index.factor(from_year, to_year)
    if np.ndim(amount) == 0:
        return float(amount) * factor
    return np.asarray(amount, dtype=float) * factor


def index_for_sector(sector: str, indices: Mapping[str, PriceIndex], *,
                     mapping: Mapping[str, str] = INDEX_FOR_SECTOR) -> PriceIndex:
    """Return the price index used for ``sector``.

    Parameters
    ----------
    sector : str
        A sector of :data:`econ.inputs.unit_costs.SECTORS`.
    indices : mapping of str to PriceIndex
        Loaded indices by name.
    mapping : mapping of str to str
        Index name for each sector (default :data:`INDEX_FOR_SECTOR`).

    Raises
    ------
    DataError
        If the sector has no index in ``index_for_sector`` or that index is not in ``indices``.
    """
    if sector not in mapping:
        raise DataError(f"sector {sector!r} has no price index; known sectors: {', '.join(mapping)}")
    name = mapping[sector]
    if name not in indices:
        raise DataError(f"price index {name!r} (for sector {sector!r}) was not loaded; "
                        f"loaded: {', '.join(indices) or 'none'}")
    return indices[name]


def price_year_problem(year: str, indices: Mapping[str, PriceIndex]) -> str | None:
    """Why money cannot be re-based to ``year`` with ``indices`` (a year outside a table), or None.

    Checked once for the target year, so that a scenario's ``settings.price_year`` past the last
    published index gives one message (naming each table, its file and its last year) rather than
    one per unit cost. A malformed year is left to the table's own message.
    """
    if not is_financial_year(year):
        return None
    outside = [index for index in indices.values() if not index.covers(year)]
    if not outside:
        return None
    later = financial_year_start(year) > max(financial_year_start(index.last_year) for index in outside)
    tables = ", and ".join(f"outside the {index.name} index table ({index.path or 'built in code'}), which covers "
                           f"{index.first_year} to {index.last_year}" for index in outside)
    if later:
        bound = min(index.last_year for index in outside)
        where, choose = f"after the last year available ({bound})", f"up to {bound}"
    else:
        bound = max(index.first_year for index in outside)
        where, choose = f"before the first year available ({bound})", f"from {bound}"
    return (f"price year {year!r} is {tables}: it is {where}; indices are never extrapolated: choose a price year "
            f"{choose}, or add the published index for {year} to the tables")
