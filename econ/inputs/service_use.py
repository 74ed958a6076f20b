"""Load, validate and summarise person-level service-use data (CSRI style), with a vectorised person bootstrap."""
from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd
import yaml

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number, read_csv_rows
from econ.core.errors import DataError
from econ.inputs.unit_costs import CODE_PATTERN, UnitCostTable, suggest_codes

#: Columns of a service-use file.
SERVICE_USE_COLUMNS = ("person_id", "period", "recall_months", "setting", "engagement_sessions", "area", "bme",
                       "service", "quantity")

#: Columns of an informal-care file.
INFORMAL_CARE_COLUMNS = ("person_id", "period", "recall_months", "informal_care_hours_per_week")

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

#: Replicates per block in :func:`bootstrap_summary` are limited so one block holds about this many draws.
BOOTSTRAP_BLOCK_DRAWS = 2_000_000

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


def _read_metadata(path: Path) -> Mapping[str, Any] | None:
    if not path.is_file():
        return None
    try:
        content = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise DataError(f"{path}: cannot read the metadata file ({err})") from None
    if not isinstance(content, dict):
        raise DataError(f"{path}: the metadata file must be a mapping of keys to values")
    return content


def _is_synthetic(path: Path, metadata: Mapping[str, Any] | None) -> bool:
    if "SYNTHETIC" in path.name.upper():
        return True
    return bool(metadata and metadata.get("synthetic") is True)


def load_service_use(path: str | Path, *, unit_costs: UnitCostTable | None = None,
                     informal_care_path: str | Path | None = None) -> ServiceUseData:
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
        quantity; in the informal-care file: the same checks plus persons missing from either file.
    """
    path = Path(path)
    log = ProblemLog(str(path))
    rows = read_csv_rows(path, columns=SERVICE_USE_COLUMNS, log=log)
    known = set(unit_costs.codes) if unit_costs is not None else None

    attributes: dict[str, tuple[int, dict[str, str]]] = {}
    recall: dict[tuple[str, str], tuple[int, float]] = {}
    seen: dict[tuple[str, str, str], int] = {}
    none_line: dict[tuple[str, str], int] = {}
    other_line: dict[tuple[str, str], int] = {}
    person_periods: dict[str, dict[str, int]] = {}
    records: list[tuple[str, str, str, float]] = []

    for row in rows:
        v, line = row.values, row.line
        person = check_text(v.get("person_id"), log=log, line=line, column="person_id")
        period = check_choice(v.get("period"), PERIODS, log=log, line=line, column="period")
        months = parse_number(v.get("recall_months"), log=log, line=line, column="recall_months", positive=True)
        check_choice(v.get("setting"), SETTINGS, log=log, line=line, column="setting")
        parse_number(v.get("engagement_sessions"), log=log, line=line, column="engagement_sessions", integer=True)
        check_text(v.get("area"), log=log, line=line, column="area")
        check_choice(v.get("bme"), BME_VALUES, log=log, line=line, column="bme")
        quantity = parse_number(v.get("quantity"), log=log, line=line, column="quantity")
        service = v.get("service")
        if service is not None:
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
        if person is None:
            continue

        # A person's attributes describe the person, not a row: they must agree on every row.
        if person in attributes:
            first, values = attributes[person]
            for name in _PERSON_ATTRIBUTES:
                if name in v and name in values and v[name] != values[name]:
                    log.add(f"differs between rows of person {person!r}: got {v[name]!r} here but "
                            f"{values[name]!r} on line {first}", line=line, column=name)
        else:
            attributes[person] = (line, {name: v[name] for name in _PERSON_ATTRIBUTES if name in v})
        if period is None:
            continue
        person_periods.setdefault(person, {}).setdefault(period, line)
        if months is not None:
            key = (person, period)
            if key in recall and recall[key][1] != months:
                log.add(f"differs between {period} rows of person {person!r}: got {v['recall_months']!r} "
                        f"here but {recall[key][1]:g} on line {recall[key][0]}", line=line, column="recall_months")
            recall.setdefault(key, (line, months))
        if service is None:
            continue
        key3 = (person, period, service)
        if key3 in seen:
            log.add(f"duplicate row: person {person!r}, {period}, service {service!r} already on line "
                    f"{seen[key3]}; give one row per person, period and service", line=line, column="service")
            continue
        seen[key3] = line
        if service == NO_SERVICE:
            none_line[(person, period)] = line
        else:
            other_line.setdefault((person, period), line)
            if quantity is not None:
                records.append((person, period, service, quantity))

    for key, line in none_line.items():
        if key in other_line:
            log.add(f"service 'none' says person {key[0]!r} used no service in the {key[1]} period, but line "
                    f"{other_line[key]} records a service", line=line, column="service")
    for person, periods in person_periods.items():
        for period in PERIODS:
            if period not in periods:
                other = next(iter(periods))
                log.add(f"person {person!r} has {other} rows (from line {periods[other]}) but no {period} "
                        f"rows; every person needs both periods (use service '{NO_SERVICE}' with quantity 0 "
                        f"for a period with no service use)", line=periods[other], column="period")

    informal = None
    if informal_care_path is not None:
        informal_log, informal = _load_informal_care(Path(informal_care_path), set(attributes))
        log.problems.extend(informal_log.problems)
    log.raise_if_any()

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

    frame = pd.DataFrame({"person_id": persons})
    for name in _PERSON_ATTRIBUTES:
        frame[name] = [attributes[person][1][name] for person in persons]
    frame["engagement_sessions"] = frame["engagement_sessions"].astype(float).astype("int64")
    frame.insert(3, "engagement_band", engagement_band(frame["engagement_sessions"].to_numpy()))

    informal_monthly = None
    if informal is not None:
        informal_monthly = np.zeros((len(PERIODS), len(persons)))
        for (person, period), hours in informal.items():
            informal_monthly[PERIODS.index(period), position[person]] = hours * WEEKS_PER_MONTH
        informal_monthly.flags.writeable = False
    use.flags.writeable = False
    recall_array.flags.writeable = False

    metadata = _read_metadata(metadata_path_for(path))
    return ServiceUseData(
        persons=frame, services=services, monthly_use=use, recall_months=recall_array,
        informal_care_monthly=informal_monthly, source_file=str(path),
        informal_care_file="" if informal_care_path is None else str(informal_care_path),
        synthetic=_is_synthetic(path, metadata), metadata=metadata,
    )


def _load_informal_care(path: Path, persons: set[str]) -> tuple[ProblemLog, dict[tuple[str, str], float]]:
    """Validate an informal-care file against the persons of the service-use file; hours per week by key."""
    log = ProblemLog(str(path))
    hours_by_key: dict[tuple[str, str], float] = {}
    rows = read_csv_rows(path, columns=INFORMAL_CARE_COLUMNS, log=log)
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
        for period in PERIODS:
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


def _check_by(by: Sequence[str] | str | None) -> tuple[str, ...]:
    if by is None:
        return ()
    by = (by,) if isinstance(by, str) else tuple(by)
    unknown = [name for name in by if name not in GROUP_COLUMNS]
    if unknown:
        raise DataError(f"cannot group by {', '.join(repr(n) for n in unknown)}; "
                        f"choose from {', '.join(GROUP_COLUMNS)}")
    return by


def _groups(data: ServiceUseData, by: tuple[str, ...]) -> tuple[np.ndarray, pd.DataFrame]:
    """Group number of each person (sorted group order) and the table of groups with their sizes."""
    if not by:
        return np.zeros(data.n_persons, dtype=np.intp), pd.DataFrame({"n_persons": [data.n_persons]})
    grouped = data.persons.groupby(list(by), sort=True, observed=True)
    codes = grouped.ngroup().to_numpy()
    table = grouped.size().rename("n_persons").reset_index()
    for name in by:
        table[name] = table[name].astype(str)
    return codes, table


def _relative_change(baseline: np.ndarray, followup: np.ndarray) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(baseline > 0, (followup - baseline) / np.where(baseline > 0, baseline, 1.0), np.nan)


def _long_table(groups: pd.DataFrame, by: tuple[str, ...], names: Sequence[str], baseline: np.ndarray,
                followup: np.ndarray) -> pd.DataFrame:
    """Rows group x name from (n_groups, n_names) arrays of baseline and follow-up means."""
    n_groups, n_names = baseline.shape
    out = pd.DataFrame({name: np.repeat(groups[name].to_numpy(), n_names) for name in by})
    out["service"] = np.tile(np.asarray(names, dtype=object), n_groups)
    out["n_persons"] = np.repeat(groups["n_persons"].to_numpy(), n_names)
    out["baseline"] = baseline.ravel()
    out["followup"] = followup.ravel()
    out["relative_change"] = _relative_change(out["baseline"].to_numpy(), out["followup"].to_numpy())
    return out


def _group_means(codes: np.ndarray, n_groups: int, values: np.ndarray) -> np.ndarray:
    """Mean over persons within each group; values has persons on axis 0."""
    sums = np.zeros((n_groups,) + values.shape[1:])
    np.add.at(sums, codes, values)
    counts = np.bincount(codes, minlength=n_groups).reshape((n_groups,) + (1,) * (values.ndim - 1))
    return sums / counts


def summarize_use(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean use per person per month of each service, by period, and its relative change.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    by : str or sequence of str
        Person attributes to group by, from :data:`GROUP_COLUMNS`; empty for everyone together.

    Returns
    -------
    pandas.DataFrame
        One row per group x service: the ``by`` columns (str), ``service`` (str), ``n_persons`` (int64),
        ``baseline`` and ``followup`` (float64, units of the service per person per month),
        ``relative_change`` (float64; NaN where baseline is 0).

    Notes
    -----
    For group :math:`g` of :math:`n_g` persons and service :math:`k`, the mean in period :math:`t` is
    :math:`\\bar u_{gkt} = n_g^{-1} \\sum_{i \\in g} q_{ikt} / m_{it}`, where :math:`q` is the quantity
    reported over a recall window of :math:`m` months (0 for a person with no row), and the relative
    change is :math:`(\\bar u_{gk,\\mathrm{followup}} - \\bar u_{gk,\\mathrm{baseline}}) / \\bar u_{gk,\\mathrm{baseline}}`.
    """
    by = _check_by(by)
    codes, groups = _groups(data, by)
    means = _group_means(codes, len(groups), np.moveaxis(data.monthly_use, 1, 0))
    return _long_table(groups, by, data.services, means[:, 0, :], means[:, 1, :])


def _require_informal_care(data: ServiceUseData) -> np.ndarray:
    if data.informal_care_monthly is None:
        raise DataError(f"{data.source_file}: no informal-care data loaded; pass informal_care_path= to "
                        f"load_service_use")
    return data.informal_care_monthly


def summarize_informal_care(data: ServiceUseData, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean informal care hours per person per month, by period, and the relative change.

    Parameters
    ----------
    data : ServiceUseData
        Loaded with an informal-care file.
    by : str or sequence of str
        Person attributes to group by, from :data:`GROUP_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        One row per group: the ``by`` columns, ``n_persons``, ``baseline``, ``followup`` (hours per person
        per month, float64), ``relative_change`` (NaN where baseline is 0).

    Raises
    ------
    DataError
        If no informal-care file was loaded.
    """
    hours = _require_informal_care(data)
    by = _check_by(by)
    codes, groups = _groups(data, by)
    means = _group_means(codes, len(groups), hours.T)
    return _long_table(groups, by, [INFORMAL_CARE_SERVICE], means[:, :1], means[:, 1:]).drop(columns="service")


def summarize_cost(data: ServiceUseData, unit_costs: UnitCostTable, *, by: Sequence[str] | str = ()) -> pd.DataFrame:
    """Mean cost per person per month of each service, by period.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    unit_costs : UnitCostTable
        Must hold every service of ``data`` at one price year (re-base it first with
        :meth:`UnitCostTable.rebased`).
    by : str or sequence of str
        Person attributes to group by.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`summarize_use`, with ``baseline`` and ``followup`` in GBP per person per
        month, plus ``unit`` (str), ``unit_cost`` (float64, GBP), ``price_year`` (str) and ``sector`` (str).

    Raises
    ------
    DataError
        If a service has no unit cost, or the costs of the services are at different price years.
    """
    table = unit_costs.select(data.services)
    years = sorted({item.price_year for item in table})
    if len(years) > 1:
        raise DataError(f"the unit costs of the services are at different price years ({', '.join(years)}); "
                        f"re-base the table to one price year first (UnitCostTable.rebased)")
    use = summarize_use(data, by=by)
    lookup = {item.code: item for item in table}
    cost = use["service"].map(lambda code: lookup[code].cost).astype("float64")
    out = use.copy()
    out["baseline"] = use["baseline"] * cost
    out["followup"] = use["followup"] * cost
    out.insert(out.columns.get_loc("service") + 1, "unit", use["service"].map(lambda c: lookup[c].unit))
    out["unit_cost"] = cost
    out["price_year"] = years[0] if years else ""
    out["sector"] = use["service"].map(lambda c: lookup[c].sector)
    return out


def bootstrap_summary(data: ServiceUseData, *, n_boot: int, rng: np.random.Generator,
                      by: Sequence[str] | str = (), include_informal_care: bool = False) -> pd.DataFrame:
    """Non-parametric bootstrap of mean monthly use per person, resampling persons.

    Parameters
    ----------
    data : ServiceUseData
        From :func:`load_service_use`.
    n_boot : int
        Number of bootstrap replicates (>= 1).
    rng : numpy.random.Generator
        Source of randomness; the same seed gives the same replicates.
    by : str or sequence of str
        Person attributes from :data:`GROUP_COLUMNS`; persons are resampled within each group (in sorted
        group order), keeping the group sizes.
    include_informal_care : bool
        Add informal care hours per month as service :data:`INFORMAL_CARE_SERVICE`.

    Returns
    -------
    pandas.DataFrame
        One row per replicate x group x service: ``replicate`` (int64, 0-based), the ``by`` columns,
        ``service``, ``baseline``, ``followup`` (float64, per person per month) and ``relative_change``
        (NaN where the replicate's baseline mean is 0).

    Raises
    ------
    DataError
        If ``n_boot`` < 1, ``by`` names an unknown attribute, or informal care is asked for but absent.

    Notes
    -----
    A person keeps their baseline and follow-up together, so the paired change is resampled. Each
    replicate draws :math:`n_g` persons with replacement per group; with :math:`C` the replicates x
    persons matrix of draw counts and :math:`U` the persons x (period, service) matrix of monthly use,
    the replicate means are :math:`C U / n_g`. Replicates are computed in blocks of at most
    :data:`BOOTSTRAP_BLOCK_DRAWS` draws; numpy's ``Generator.integers`` yields the same stream however
    the draws are split into calls, so the result does not depend on the block size.

    References
    ----------
    Efron B, Tibshirani RJ (1993) An Introduction to the Bootstrap. Chapman & Hall.
    """
    if not isinstance(n_boot, (int, np.integer)) or n_boot < 1:
        raise DataError(f"n_boot must be a whole number >= 1 (got {n_boot!r})")
    by = _check_by(by)
    codes, groups = _groups(data, by)
    names = list(data.services)
    values = np.moveaxis(data.monthly_use, 1, 0)  # persons x period x service
    if include_informal_care:
        hours = _require_informal_care(data)
        values = np.concatenate([values, hours.T[:, :, None]], axis=2)
        names.append(INFORMAL_CARE_SERVICE)
    n_names = len(names)
    flat = values.reshape(data.n_persons, 2 * n_names)

    means = np.empty((n_boot, len(groups), 2, n_names))
    order = np.argsort(codes, kind="stable")
    starts = np.searchsorted(codes[order], np.arange(len(groups)))
    for g in range(len(groups)):
        members = order[starts[g]: starts[g] + int(groups["n_persons"].iloc[g])]
        n = len(members)
        block = max(1, min(n_boot, BOOTSTRAP_BLOCK_DRAWS // n))
        u = flat[members]
        for first in range(0, n_boot, block):
            size = min(block, n_boot - first)
            draws = rng.integers(0, n, size=(size, n))
            offsets = (np.arange(size) * n)[:, None]
            counts = np.bincount((draws + offsets).ravel(), minlength=size * n).reshape(size, n)
            means[first: first + size, g] = (counts @ u / n).reshape(size, 2, n_names)

    n_groups = len(groups)
    out = pd.DataFrame({"replicate": np.repeat(np.arange(n_boot, dtype=np.int64), n_groups * n_names)})
    for name in by:
        out[name] = np.tile(np.repeat(groups[name].to_numpy(), n_names), n_boot)
    out["service"] = np.tile(np.asarray(names, dtype=object), n_boot * n_groups)
    baseline = means[:, :, 0, :].ravel()
    followup = means[:, :, 1, :].ravel()
    out["baseline"] = baseline
    out["followup"] = followup
    out["relative_change"] = _relative_change(baseline, followup)
    return out
