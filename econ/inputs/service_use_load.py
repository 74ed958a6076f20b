"""Load and validate person-level service-use data (CSRI style) and its informal-care file.

Summaries and the person bootstrap are in :mod:`econ.inputs.service_use`, which also re-exports
everything here (the import path callers use).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows, read_csv_table
from econ.core.errors import DataError
from econ.inputs.followup import apply_persons, check_followup_rows, check_persons_cover, read_persons
from econ.inputs.metadata import read_metadata as _read_metadata
from econ.inputs.unit_costs import CODE_PATTERN, UnitCostTable, suggest_codes

#: Columns of a service-use file.
SERVICE_USE_COLUMNS = ("person_id", "period", "recall_months", "setting", "engagement_sessions", "area", "bme",
                       "service", "quantity")

#: Columns of an informal-care file.
INFORMAL_CARE_COLUMNS = ("person_id", "period", "recall_months", "informal_care_hours_per_week")

#: Columns of a persons file (one row per person; optional ``cluster`` and ``followed_up``, econ.inputs.followup)
#: and the SWEMWBS score range (Short Warwick-Edinburgh Mental Wellbeing Scale: 7 items scored 1-5).
from econ.inputs.followup import PERSONS_COLUMNS, SWEMWBS_RANGE  # noqa: E402

#: Name of SWEMWBS when it is summarised and bootstrapped alongside services.
SWEMWBS = "swemwbs"

#: Periods, in order. ``followup`` is the second questionnaire (6 months after baseline in the synthetic data).
PERIODS = ("baseline", "followup")

#: Peer-support settings.
SETTINGS = ("group", "one_to_one", "online")

#: Values of the ``bme`` column (Black and minority ethnic community).
BME_VALUES = ("yes", "no")

#: Service code of a row recording that a person used no service in a period (quantity must be 0).
NO_SERVICE = "none"

#: Engagement bands: (label, fewest sessions, most sessions) over peer-support sessions attended.
ENGAGEMENT_BANDS = (("0", 0, 0), ("1-5", 1, 5), ("6-11", 6, 11), ("12+", 12, math.inf))

#: Person attributes that summaries can be grouped by.
GROUP_COLUMNS = ("setting", "engagement_band", "area", "bme")

#: Average weeks in a month (365.25 days / 7 / 12), to turn hours per week into hours per month.
WEEKS_PER_MONTH = 365.25 / 7 / 12

#: Name used for informal care hours when they are bootstrapped alongside services.
INFORMAL_CARE_SERVICE = "informal_care_hours"

_PERSON_ATTRIBUTES = ("setting", "engagement_sessions", "area", "bme")


@dataclass(frozen=True, eq=False)
class ServiceUseData:
    """Validated service-use data: persons, their monthly use of each service, informal care.

    Attributes
    ----------
    persons : pandas.DataFrame
        One row per person, sorted by ``person_id``: ``person_id``, ``setting``, ``engagement_sessions``
        (int64), ``engagement_band`` (ordered categorical, see :data:`ENGAGEMENT_BANDS`), ``area``, ``bme``.
    services : tuple of str
        Service codes present in the data (sorted; ``'none'`` excluded).
    monthly_use : numpy.ndarray
        Shape (2, n_persons, n_services): quantity / recall_months for each period of :data:`PERIODS`,
        person (order of ``persons``) and service (order of ``services``); 0 where a person has no row.
        Read-only.
    recall_months : numpy.ndarray
        Shape (2, n_persons): recall window of each person's questionnaire in each period. Read-only.
    informal_care_monthly : numpy.ndarray or None
        Shape (2, n_persons): informal care hours per month (hours per week x :data:`WEEKS_PER_MONTH`),
        or None when no informal-care file was given. Read-only.
    source_file : str
        Service-use file.
    informal_care_file : str
        Informal-care file ('' when none).
    synthetic : bool
        True when the file name contains ``SYNTHETIC`` or its metadata file says ``synthetic: true``.
    metadata : mapping or None
        The metadata file's content, when there is one (see :func:`metadata_path_for`).
    swemwbs : numpy.ndarray or None
        Shape (2, n_persons): SWEMWBS score (7-35) of each person in each period of :data:`PERIODS`, from
        the persons file; None when none was given. Read-only.

    When the persons file has ``followed_up``, ``persons`` has a bool column ``followed_up`` and the
    follow-up of people lost is NaN in ``monthly_use``, ``recall_months``, ``informal_care_monthly`` and
    ``swemwbs`` (complete cases: :func:`econ.inputs.followup.followed_up_only`); with ``cluster``,
    ``persons`` has that column too.
    persons_file : str
        Persons file ('' when none).
    """

    persons: pd.DataFrame
    services: tuple[str, ...]
    monthly_use: np.ndarray
    recall_months: np.ndarray
    informal_care_monthly: np.ndarray | None
    source_file: str
    informal_care_file: str = ""
    synthetic: bool = False
    metadata: Mapping[str, Any] | None = None
    swemwbs: np.ndarray | None = None
    persons_file: str = ""

    @property
    def n_persons(self) -> int:
        """Number of persons."""
        return len(self.persons)


def engagement_band(sessions) -> pd.Categorical:
    """Engagement band label of each session count (see :data:`ENGAGEMENT_BANDS`).

    Parameters
    ----------
    sessions : array_like of int
        Peer-support sessions attended between baseline and follow-up (>= 0).

    Returns
    -------
    pandas.Categorical
        Ordered categories ``'0' < '1-5' < '6-11' < '12+'``.
    """
    values = np.asarray(sessions)
    labels = [label for label, _, _ in ENGAGEMENT_BANDS]
    edges = np.array([low for _, low, _ in ENGAGEMENT_BANDS[1:]])
    codes = np.searchsorted(edges, values, side="right")
    return pd.Categorical.from_codes(codes, categories=labels, ordered=True)


def metadata_path_for(path: str | Path) -> Path:
    """The metadata file that describes a service-use file.

    ``X_service_use.csv`` -> ``X_metadata.yaml`` in the same folder; any other ``Y.csv`` -> ``Y_metadata.yaml``.
    """
    path = Path(path)
    stem = path.stem.removesuffix("_service_use")
    return path.with_name(f"{stem}_metadata.yaml")


def _is_synthetic(path: Path, metadata: Mapping[str, Any] | None) -> bool:
    if "SYNTHETIC" in path.name.upper():
        return True
    return bool(metadata and metadata.get("synthetic") is True)


def load_service_use(path: str | Path, *, unit_costs: UnitCostTable | None = None,
                     informal_care_path: str | Path | None = None,
                     persons_path: str | Path | None = None) -> ServiceUseData:
    """Read and validate a service-use file (and optionally its informal-care file).

    Parameters
    ----------
    path : str or Path
        CSV with columns :data:`SERVICE_USE_COLUMNS`, one row per person x period x service used
        (format in ``docs/data_format.md``). Services a person did not use need no row; a period
        with no service use at all is one row with service ``'none'`` and quantity 0.
    unit_costs : UnitCostTable, optional
        When given, every service must be one of its codes; otherwise codes must be snake_case.
    informal_care_path : str or Path, optional
        CSV with columns :data:`INFORMAL_CARE_COLUMNS`, one row per person x period, for the same persons.
    persons_path : str or Path, optional
        CSV with columns :data:`PERSONS_COLUMNS`, one row per person of the service-use file: SWEMWBS
        (whole numbers 7-35) at baseline and follow-up; optionally ``cluster`` and ``followed_up``
        (``yes``/``no``; a person with ``no`` has baseline rows only, and an empty ``swemwbs_followup``).
        Without ``followed_up`` every person needs both periods.

    Returns
    -------
    ServiceUseData

    Raises
    ------
    DataError
        One error listing every problem with file and line: missing or unexpected columns, empty
        file, bad period, setting or bme value, recall_months not a positive number, engagement_sessions
        not a whole number >= 0, quantity not a number >= 0, unknown service code (with suggestions),
        a repeated person x period x service, person attributes or recall_months that differ between a
        person's rows, a person without both periods, ``'none'`` rows with other services or a non-zero
        quantity; in the informal-care file: the same checks plus persons missing from either file; in
        the persons file: scores that are not whole numbers 7-35, repeated or unknown persons, persons missing,
        and follow-up rows (service use, informal care, SWEMWBS) that contradict ``followed_up``.

    Length: the docstring names every check; the body is the order they run in (the persons file first,
    since who was lost decides which periods each person needs).
    """
    from econ.inputs.service_use_fast import plain_service_use

    path = Path(path)
    log = ProblemLog(str(path))
    rows, table = read_csv_table(path, columns=SERVICE_USE_COLUMNS, log=log)
    known = set(unit_costs.codes) if unit_costs is not None else None
    recorded, lost = None, set()  # the persons file's rows, when it records who was followed up
    if persons_path is not None:
        persons_log, person_rows, person_columns, person_lines = read_persons(Path(persons_path))
        recorded = person_rows if "followed_up" in person_columns else None
        lost = {p for p, r in person_rows.items() if not r.followed}
    plain = None if table is None or lost else plain_service_use(
        table, constants=(PERIODS, SETTINGS, BME_VALUES, NO_SERVICE), attributes=_PERSON_ATTRIBUTES, known=known,
        code_pattern=CODE_PATTERN)
    if plain is None:  # a file with problems (or quotes, or people lost): row by row, every problem with its line
        acc = _Rows()
        for row in rows if rows is not None else read_csv_rows(path, columns=SERVICE_USE_COLUMNS, log=log):
            _read_row(row, acc, log, known, unit_costs)
        _check_periods(acc, log, recorded, persons_path)
        persons = set(acc.attributes)
    else:
        persons = set(plain[0])

    informal = None
    if informal_care_path is not None:
        informal_log, informal = _load_informal_care(Path(informal_care_path), persons, lost)
        log.problems.extend(informal_log.problems)
    if persons_path is not None:
        check_persons_cover(persons_log, person_lines, persons)
        log.problems.extend(persons_log.problems)
    log.raise_if_any()

    if plain is None:
        frame, services, use, recall_array, informal_monthly = _assemble(acc, informal)
    else:
        frame, services, use, recall_array, informal_monthly = _assemble_plain(plain, informal)
    swemwbs = None
    if persons_path is not None:  # SWEMWBS, and cluster / followed_up when recorded (NaN at follow-up for the lost)
        use, recall_array, informal_monthly, swemwbs = apply_persons(frame, (use, recall_array, informal_monthly),
                                                                     person_rows, person_columns)
    metadata = _read_metadata(metadata_path_for(path))
    return ServiceUseData(
        persons=frame, services=services, monthly_use=use, recall_months=recall_array,
        informal_care_monthly=informal_monthly, source_file=str(path),
        informal_care_file="" if informal_care_path is None else str(informal_care_path),
        synthetic=_is_synthetic(path, metadata), metadata=metadata, swemwbs=swemwbs,
        persons_file="" if persons_path is None else str(persons_path),
    )


@dataclass
class _Rows:
    """What the rows of a service-use file have said so far (first line of each fact, for messages)."""

    attributes: dict = field(default_factory=dict)  # person -> (line, {attribute: value})
    recall: dict = field(default_factory=dict)  # (person, period) -> (line, months)
    seen: dict = field(default_factory=dict)  # (person, period, service) -> line
    none_line: dict = field(default_factory=dict)  # (person, period) -> line of its 'none' row
    other_line: dict = field(default_factory=dict)  # (person, period) -> first line with a service
    person_periods: dict = field(default_factory=dict)  # person -> {period: first line}
    records: list = field(default_factory=list)  # (person, period, service, quantity)


def _read_row(row, acc: _Rows, log: ProblemLog, known, unit_costs) -> None:
    """Check one row's cells and add what it says to ``acc``."""
    v, line = row.values, row.line
    person = check_text(v.get("person_id"), log=log, line=line, column="person_id")
    period = check_choice(v.get("period"), PERIODS, log=log, line=line, column="period")
    months = parse_number(v.get("recall_months"), log=log, line=line, column="recall_months", positive=True)
    check_choice(v.get("setting"), SETTINGS, log=log, line=line, column="setting")
    parse_number(v.get("engagement_sessions"), log=log, line=line, column="engagement_sessions", integer=True)
    check_text(v.get("area"), log=log, line=line, column="area")
    check_choice(v.get("bme"), BME_VALUES, log=log, line=line, column="bme")
    quantity = parse_number(v.get("quantity"), log=log, line=line, column="quantity")
    service = _check_service(v, line, quantity, log, known, unit_costs)
    if person is None:
        return

    # A person's attributes describe the person, not a row: they must agree on every row.
    if person in acc.attributes:
        first, values = acc.attributes[person]
        for name in _PERSON_ATTRIBUTES:
            if name in v and name in values and v[name] != values[name]:
                log.add(f"differs between rows of person {person!r}: got {v[name]!r} here but "
                        f"{values[name]!r} on line {first}", line=line, column=name)
    else:
        acc.attributes[person] = (line, {name: v[name] for name in _PERSON_ATTRIBUTES if name in v})
    if period is None:
        return
    acc.person_periods.setdefault(person, {}).setdefault(period, line)
    recall = acc.recall
    if months is not None:
        key = (person, period)
        if key in recall and recall[key][1] != months:
            log.add(f"differs between {period} rows of person {person!r}: got {v['recall_months']!r} "
                    f"here but {recall[key][1]:g} on line {recall[key][0]}", line=line, column="recall_months")
        recall.setdefault(key, (line, months))
    if service is None:
        return
    key3 = (person, period, service)
    if key3 in acc.seen:
        log.add(f"duplicate row: person {person!r}, {period}, service {service!r} already on line "
                f"{acc.seen[key3]}; give one row per person, period and service", line=line, column="service")
        return
    acc.seen[key3] = line
    if service == NO_SERVICE:
        acc.none_line[(person, period)] = line
    else:
        acc.other_line.setdefault((person, period), line)
        if quantity is not None:
            acc.records.append((person, period, service, quantity))


def _check_service(v, line, quantity, log: ProblemLog, known, unit_costs):
    """The row's service code, or None when it is missing or bad (reported)."""
    service = v.get("service")
    if service is None:
        return None
    if service == NO_SERVICE:
        if quantity is not None and quantity != 0:
            log.add(f"service 'none' records a period with no service use; quantity must be 0 "
                    f"(got {v['quantity']!r})", line=line, column="quantity")
    elif not service:
        log.add(f"must not be empty; use '{NO_SERVICE}' with quantity 0 for a period with no service use",
                line=line, column="service")
        service = None
    elif known is not None and service not in known:
        close = suggest_codes(service, known)
        hint = f"; did you mean {' or '.join(repr(c) for c in close)}?" if close else ""
        log.add(f"unknown service code {service!r}{hint} (codes are those of {unit_costs.source_file or 'the unit-cost table'})",
                line=line, column="service")
        service = None
    elif known is None and not CODE_PATTERN.match(service):
        log.add(f"expected a snake_case service code such as 'gp_surgery' (got {service!r})",
                line=line, column="service")
        service = None
    return service


def _check_periods(acc: _Rows, log: ProblemLog, recorded: dict | None = None, persons_file=None) -> None:
    """'none' rows alone in their period; every person with both periods, unless the persons file records
    who was followed up (``recorded``: person -> PersonRow): then follow-up rows as it says."""
    for key, line in acc.none_line.items():
        if key in acc.other_line:
            log.add(f"service 'none' says person {key[0]!r} used no service in the {key[1]} period, but line "
                    f"{acc.other_line[key]} records a service", line=line, column="service")
    for person, periods in acc.person_periods.items():
        row = recorded.get(person) if recorded is not None else None
        if row is not None:
            check_followup_rows(log, person, min(periods.values()), periods.get("followup"), row, persons_file)
        for period in PERIODS if row is None else ("baseline",):
            if period not in periods:
                other = next(iter(periods))
                log.add(f"person {person!r} has {other} rows (from line {periods[other]}) but no {period} "
                        f"rows; every person needs both periods (use service '{NO_SERVICE}' with quantity 0 "
                        f"for a period with no service use)", line=periods[other], column="period")


def _assemble(acc: _Rows, informal):
    """Persons frame, services, monthly use, recall months and informal care per month (read-only arrays)."""
    attributes, recall, records = acc.attributes, acc.recall, acc.records
    persons = sorted(attributes)
    position = {person: k for k, person in enumerate(persons)}
    services = tuple(sorted({service for _, _, service, _ in records}))
    column = {service: k for k, service in enumerate(services)}
    recall_array = np.zeros((len(PERIODS), len(persons)))
    for (person, period), (_, months) in recall.items():
        recall_array[PERIODS.index(period), position[person]] = months
    use = np.zeros((len(PERIODS), len(persons), len(services)))
    if records:
        people, periods, codes, quantities = zip(*records)
        p = np.array([PERIODS.index(x) for x in periods])
        i = np.array([position[x] for x in people])
        use[p, i, np.array([column[x] for x in codes])] = np.array(quantities) / recall_array[p, i]

    columns = {name: [attributes[person][1][name] for person in persons] for name in _PERSON_ATTRIBUTES}
    return _finish(persons, position, columns, services, use, recall_array, informal)


def _assemble_plain(plain, informal):
    """As :func:`_assemble`, from the arrays of :func:`econ.inputs.service_use_fast.plain_service_use`."""
    persons, columns, services, use, recall_array = plain
    return _finish(persons, {person: k for k, person in enumerate(persons)}, columns, services, use, recall_array,
                   informal)


def _finish(persons, position, columns, services, use, recall_array, informal):
    frame = pd.DataFrame({"person_id": persons})
    for name in _PERSON_ATTRIBUTES:
        frame[name] = columns[name]
    # whole numbers checked by parse_number; numpy's float() of each text, not pandas' string cast (~5 ms)
    frame["engagement_sessions"] = np.array(columns["engagement_sessions"], dtype=float).astype("int64")
    frame.insert(3, "engagement_band", engagement_band(frame["engagement_sessions"].to_numpy()))

    # hours per week: by period and person (sorted) from the vectorised reader, else by (person, period)
    informal_monthly = informal * WEEKS_PER_MONTH if isinstance(informal, np.ndarray) else None
    if isinstance(informal, dict):
        informal_monthly = np.zeros((len(PERIODS), len(persons)))
        for (person, period), hours in informal.items():
            informal_monthly[PERIODS.index(period), position[person]] = hours * WEEKS_PER_MONTH
    if informal_monthly is not None:
        informal_monthly.flags.writeable = False
    use.flags.writeable = False
    recall_array.flags.writeable = False
    return frame, services, use, recall_array, informal_monthly


def _load_informal_care(path: Path, persons: set[str], lost=frozenset()
                        ) -> tuple[ProblemLog, dict[tuple[str, str], float] | np.ndarray]:
    """Validate an informal-care file against the persons of the service-use file; hours per week by key
    (by period and sorted person when the vectorised reader took the file). People ``lost`` to follow-up
    (the persons file's followed_up = no) have a baseline row only, so their files are read row by row."""
    from econ.inputs.service_use_fast import plain_informal_care

    log = ProblemLog(str(path))
    rows, table = read_csv_table(path, columns=INFORMAL_CARE_COLUMNS, log=log)
    plain = None if table is None or lost else plain_informal_care(table, persons, periods=PERIODS)
    # Vectorised: a complete file (every person, both periods, every cell valid), hours by period and
    # person. Anything else is read row by row below, where the rules are; a rule added there that
    # refuses a complete file must also skip this path.
    if plain is not None:
        return log, plain
    hours_by_key: dict[tuple[str, str], float] = {}
    rows = rows if rows is not None else read_csv_rows(path, columns=INFORMAL_CARE_COLUMNS, log=log)
    first_line: dict[tuple[str, str], int] = {}
    person_periods: dict[str, dict[str, int]] = {}
    for row in rows:
        v, line = row.values, row.line
        person = check_text(v.get("person_id"), log=log, line=line, column="person_id")
        period = check_choice(v.get("period"), PERIODS, log=log, line=line, column="period")
        parse_number(v.get("recall_months"), log=log, line=line, column="recall_months", positive=True)
        hours = parse_number(v.get("informal_care_hours_per_week"), log=log, line=line,
                             column="informal_care_hours_per_week")
        if hours is not None and hours > 168:
            log.add(f"must be at most 168, the hours in a week (got {v['informal_care_hours_per_week']!r})",
                    line=line, column="informal_care_hours_per_week")
            hours = None
        if person is None or period is None:
            continue
        if person not in persons:
            log.add(f"person {person!r} is not in the service-use file", line=line, column="person_id")
            continue
        key = (person, period)
        if key in first_line:
            log.add(f"duplicate row: person {person!r}, {period} already on line {first_line[key]}",
                    line=line, column="person_id")
            continue
        first_line[key] = line
        person_periods.setdefault(person, {})[period] = line
        if hours is not None:
            hours_by_key[key] = hours
    for person, periods in person_periods.items():
        if person in lost and "followup" in periods:
            log.add(f"person {person!r} is lost to follow-up (followed_up = no in the persons file) but has a "
                    f"followup row", line=periods["followup"], column="period")
        for period in PERIODS if person not in lost else ("baseline",):
            if period not in periods:
                other = next(iter(periods))
                log.add(f"person {person!r} has a {other} row but no {period} row; every person needs both periods",
                        line=periods[other], column="period")
    missing = sorted(persons - set(person_periods))
    if missing and rows:
        shown = ", ".join(repr(p) for p in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        log.add(f"{len(missing)} person(s) of the service-use file have no informal-care rows: {shown}",
                line=1, column="person_id")
    return log, hours_by_key
