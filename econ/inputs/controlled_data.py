"""Load person-level data with a comparison group, loss to follow-up, clusters and SWEMWBS wellbeing.

The format extends the service-use format of ``docs/data_format.md`` (read by
:func:`econ.inputs.service_use.load_service_use`, which stays unchanged for data without these features):

- the service-use file has one more column, ``group`` (``intervention`` or ``comparison``); comparison
  people have ``setting`` = ``none`` and ``engagement_sessions`` = 0; a person lost to follow-up has no
  ``followup`` rows;
- an optional persons file (``X_service_use.csv`` -> ``X_persons.csv``) has one row per person:
  ``person_id``, ``cluster`` (e.g. peer-support group or referral site), ``followed_up`` (``yes``/``no``),
  ``swemwbs_baseline`` and ``swemwbs_followup`` (whole numbers 7-35; follow-up empty when lost). Without
  it, every person must have both periods.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows
from econ.inputs.followup import SWEMWBS_RANGE, check_followup_rows, person_row
from econ.inputs.service_use import (BME_VALUES, NO_SERVICE, PERIODS, SERVICE_USE_COLUMNS, SETTINGS,
                                     _is_synthetic, _read_metadata, engagement_band, metadata_path_for)
from econ.inputs.unit_costs import CODE_PATTERN, UnitCostTable

#: Columns of a controlled service-use file: the service-use columns plus ``group``.
CONTROLLED_COLUMNS = SERVICE_USE_COLUMNS[:1] + ("group",) + SERVICE_USE_COLUMNS[1:]

#: Columns of a persons file.
PERSON_COLUMNS = ("person_id", "cluster", "followed_up", "swemwbs_baseline", "swemwbs_followup")

#: Values of ``group``.
GROUPS = ("intervention", "comparison")

#: Setting of comparison people (they receive no peer support).
NO_SETTING = "none"

_ATTRIBUTES = ("group", "setting", "engagement_sessions", "area", "bme")


@dataclass(frozen=True, eq=False)
class ControlledData:
    """Validated person-level data with groups.

    Attributes
    ----------
    persons : pandas.DataFrame
        One row per person, sorted by ``person_id``: ``person_id``, ``group``, ``setting``,
        ``engagement_sessions`` (int64), ``engagement_band``, ``area``, ``bme``, ``cluster`` (the area when
        no persons file), ``followed_up`` (bool).
    services : tuple of str
        Service codes present (sorted; ``'none'`` excluded).
    monthly_use : numpy.ndarray
        (2, n_persons, n_services): quantity / recall_months; NaN at follow-up for people lost. Read-only.
    swemwbs : numpy.ndarray or None
        (2, n_persons) SWEMWBS scores, NaN at follow-up for people lost; None without a persons file.
    source_file, persons_file : str
        Files read ('' for no persons file).
    synthetic : bool
        File name contains ``SYNTHETIC`` or the metadata says ``synthetic: true``.
    metadata : mapping or None
        Content of the metadata file beside the service-use file, if any.
    """

    persons: pd.DataFrame
    services: tuple[str, ...]
    monthly_use: np.ndarray
    swemwbs: np.ndarray | None
    source_file: str
    persons_file: str = ""
    synthetic: bool = False
    metadata: Mapping[str, Any] | None = None

    @property
    def n_persons(self) -> int:
        """Number of persons."""
        return len(self.persons)


def persons_path_for(path: str | Path) -> Path:
    """``X_service_use.csv`` -> ``X_persons.csv`` in the same folder."""
    path = Path(path)
    return path.with_name(f"{path.stem.removesuffix('_service_use')}_persons.csv")


def _check_row(v: dict, line: int, log: ProblemLog, known: set[str] | None):
    """Validate one service-use row; returns (person, period, months, service, quantity)."""
    person = check_text(v.get("person_id"), log=log, line=line, column="person_id")
    group = check_choice(v.get("group"), GROUPS, log=log, line=line, column="group")
    period = check_choice(v.get("period"), PERIODS, log=log, line=line, column="period")
    months = parse_number(v.get("recall_months"), log=log, line=line, column="recall_months", positive=True)
    allowed = SETTINGS if group == "intervention" else (NO_SETTING,) if group == "comparison" else SETTINGS + (NO_SETTING,)
    check_choice(v.get("setting"), allowed, log=log, line=line, column="setting")
    sessions = parse_number(v.get("engagement_sessions"), log=log, line=line, column="engagement_sessions", integer=True)
    if group == "comparison" and sessions not in (None, 0):
        log.add(f"comparison people attend no peer support; engagement_sessions must be 0 (got "
                f"{v['engagement_sessions']!r})", line=line, column="engagement_sessions")
    check_text(v.get("area"), log=log, line=line, column="area")
    check_choice(v.get("bme"), BME_VALUES, log=log, line=line, column="bme")
    quantity = parse_number(v.get("quantity"), log=log, line=line, column="quantity")
    service = v.get("service")
    if service == NO_SERVICE:
        if quantity not in (None, 0):
            log.add(f"service 'none' records a period with no service use; quantity must be 0 (got "
                    f"{v['quantity']!r})", line=line, column="quantity")
    elif service is not None and ((known is not None and service not in known)
                                  or (known is None and not CODE_PATTERN.match(service))):
        what = "a code of the unit-cost table" if known is not None else "a snake_case service code"
        log.add(f"expected {what} or 'none' (got {service!r})", line=line, column="service")
        service = None
    return person, period, months, service, quantity


def _read_service_use(path: Path, log: ProblemLog, known: set[str] | None):
    attributes: dict[str, tuple[int, dict[str, str]]] = {}
    periods: dict[str, dict[str, int]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    records = []
    for row in read_csv_rows(path, columns=CONTROLLED_COLUMNS, log=log):
        v, line = row.values, row.line
        person, period, months, service, quantity = _check_row(v, line, log, known)
        if person is None:
            continue
        if person in attributes:
            first, values = attributes[person]
            for name in _ATTRIBUTES:
                if name in v and name in values and v[name] != values[name]:
                    log.add(f"differs between rows of person {person!r}: got {v[name]!r} here but "
                            f"{values[name]!r} on line {first}", line=line, column=name)
        else:
            attributes[person] = (line, {name: v[name] for name in _ATTRIBUTES if name in v})
        if period is None or service is None:
            continue
        periods.setdefault(person, {}).setdefault(period, line)
        if (person, period, service) in seen:
            log.add(f"duplicate row: person {person!r}, {period}, service {service!r} already on line "
                    f"{seen[(person, period, service)]}", line=line, column="service")
            continue
        seen[(person, period, service)] = line
        if service != NO_SERVICE and quantity is not None and months is not None:
            records.append((person, period, service, quantity / months))
    return attributes, periods, records


def _read_persons(path: Path, people: set[str], log: ProblemLog) -> dict:
    """person -> PersonRow (econ.inputs.followup, the checks the default format shares)."""
    out: dict = {}
    for row in read_csv_rows(path, columns=PERSON_COLUMNS, log=log):
        person, checked = person_row(row.values, row.line, log, PERSON_COLUMNS)
        if person is None:
            continue
        if person in out:
            log.add(f"duplicate row: person {person!r} already on line {out[person].line}", line=row.line,
                    column="person_id")
        elif person not in people:
            log.add(f"person {person!r} is not in the service-use file", line=row.line, column="person_id")
        elif checked is not None:
            out[person] = checked
    return out


def load_controlled_data(path: str | Path, *, persons_path: str | Path | None = None,
                         unit_costs: UnitCostTable | None = None) -> ControlledData:
    """Read and validate a controlled service-use file and its persons file.

    Parameters
    ----------
    path : str or Path
        Service-use CSV with columns :data:`CONTROLLED_COLUMNS`.
    persons_path : str or Path, optional
        Persons CSV with columns :data:`PERSON_COLUMNS`; default :func:`persons_path_for` when that file
        exists, else none.
    unit_costs : UnitCostTable, optional
        When given, every service must be one of its codes.

    Raises
    ------
    DataError
        Every problem with file, line and column: bad or missing columns and values, comparison people
        with a setting or sessions, attributes differing between a person's rows, duplicates, a person
        without baseline rows, follow-up rows that contradict ``followed_up``, persons missing from
        either file, SWEMWBS outside 7-35.
    """
    path = Path(path)
    if persons_path is None and persons_path_for(path).is_file():
        persons_path = persons_path_for(path)
    log = ProblemLog(str(path))
    known = set(unit_costs.codes) if unit_costs is not None else None
    attributes, periods, records = _read_service_use(path, log, known)
    extra = {}
    if persons_path is not None:
        person_log = ProblemLog(str(persons_path))
        extra = _read_persons(Path(persons_path), set(attributes), person_log)
        missing = sorted(set(attributes) - set(extra))
        if missing and not person_log.problems:
            person_log.add(f"{len(missing)} person(s) of {path} have no row here, e.g. {missing[0]!r}", line=1,
                           column="person_id")
        log.problems.extend(person_log.problems)
    for person, (first, _) in attributes.items():
        found = periods.get(person, {})
        if "baseline" not in found:
            log.add(f"person {person!r} has no baseline rows (use service 'none' with quantity 0 for a period "
                    f"with no service use)", line=first, column="period")
        if persons_path is None and "followup" not in found:
            log.add(f"person {person!r} has no followup rows but is followed up (no persons file); record loss to "
                    f"follow-up with followed_up = no in a persons file", line=first, column="period")
        check_followup_rows(log, person, first, found.get("followup"), extra.get(person), persons_path)
    log.raise_if_any()
    return _build(path, persons_path, attributes, extra, records)


def _build(path, persons_path, attributes, extra, records) -> ControlledData:
    persons = sorted(attributes)
    position = {person: k for k, person in enumerate(persons)}
    services = tuple(sorted({service for _, _, service, _ in records}))
    column = {service: k for k, service in enumerate(services)}
    frame = pd.DataFrame({"person_id": persons})
    for name in _ATTRIBUTES:
        frame[name] = [attributes[person][1][name] for person in persons]
    frame["engagement_sessions"] = frame["engagement_sessions"].astype(float).astype("int64")
    frame.insert(4, "engagement_band", engagement_band(frame["engagement_sessions"].to_numpy()))
    frame["cluster"] = [extra[p].cluster if p in extra else attributes[p][1]["area"] for p in persons]
    followed = np.array([extra[p].followed if p in extra else True for p in persons])
    frame["followed_up"] = followed
    use = np.zeros((2, len(persons), len(services)))
    for person, period, service, monthly in records:
        use[PERIODS.index(period), position[person], column[service]] = monthly
    use[1, ~followed] = np.nan
    swemwbs = None
    if persons_path is not None:
        swemwbs = np.array([[extra[p].baseline for p in persons], [extra[p].followup for p in persons]], dtype=float)
        swemwbs[1, ~followed] = np.nan
        swemwbs.flags.writeable = False
    use.flags.writeable = False
    metadata = _read_metadata(metadata_path_for(path))
    return ControlledData(persons=frame, services=services, monthly_use=use, swemwbs=swemwbs, source_file=str(path),
                          persons_file="" if persons_path is None else str(persons_path),
                          synthetic=_is_synthetic(path, metadata), metadata=metadata)

