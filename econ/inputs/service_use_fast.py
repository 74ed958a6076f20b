"""Vectorised checks and assembly of a service-use table that has no problem (a million rows in seconds).

:func:`econ.inputs.service_use_load.load_service_use` reads a plain CSV file column by column
(:func:`econ.inputs.csv_reader.read_csv_table`) and asks :func:`plain_service_use` for the result.
Every cell check is the row-by-row loader's own function, applied once to each distinct value of a
column; the checks between rows (a person's attributes and recall window the same on every row, no
repeated person x period x service, ``'none'`` alone in its period, both periods for everyone) are
array operations. When any check fails the answer is None and the row-by-row loader reads the file
again to name every problem with its line: the messages are the same by construction, and so is the
data (the tests compare both paths on the same files).
"""
from __future__ import annotations

import numpy as np

from econ.inputs.csv_reader import check_choice, check_text, parse_number
from econ.inputs.plain_columns import all_pass, numbers, same_within


def _cells_pass(table: dict, constants, known, code_pattern) -> dict | None:
    """Codes and distinct values of each column, or None when a cell check fails."""
    periods, settings, bme_values, no_service = constants
    cols = {name: (column.codes, column.values) for name, column in table.items()}
    checks = {
        "person_id": lambda v, log: check_text(v, log=log, line=0, column="person_id"),
        "period": lambda v, log: check_choice(v, periods, log=log, line=0, column="period"),
        "recall_months": lambda v, log: parse_number(v, log=log, line=0, column="recall_months", positive=True),
        "setting": lambda v, log: check_choice(v, settings, log=log, line=0, column="setting"),
        "engagement_sessions": lambda v, log: parse_number(v, log=log, line=0, column="engagement_sessions",
                                                           integer=True),
        "area": lambda v, log: check_text(v, log=log, line=0, column="area"),
        "bme": lambda v, log: check_choice(v, bme_values, log=log, line=0, column="bme"),
        "quantity": lambda v, log: parse_number(v, log=log, line=0, column="quantity"),
    }
    if not all(all_pass(cols[name][1], check) for name, check in checks.items()):
        return None
    for service in cols["service"][1]:
        if service == no_service:
            continue
        if not service or (known is not None and service not in known) or (
                known is None and not code_pattern.match(service)):
            return None
    return cols


def plain_service_use(table: dict, *, constants, attributes, known, code_pattern):
    """Persons frame, services, monthly use and recall months of a table without problems, or None.

    Parameters
    ----------
    table : dict of str to PlainColumn
        The cells by column (see :func:`econ.inputs.csv_reader.read_csv_table`).
    constants : tuple
        ``(PERIODS, SETTINGS, BME_VALUES, NO_SERVICE)`` of :mod:`econ.inputs.service_use_load`.
    attributes : sequence of str
        Person attributes that must agree between a person's rows (in frame column order of the result).
    known : set of str or None
        Service codes of the unit-cost table, or None (then codes must match ``code_pattern``).
    code_pattern : re.Pattern

    Returns
    -------
    (persons, frame columns, services, monthly use, recall months) or None
        ``persons`` sorted; ``frame columns`` maps each attribute to its value per person (text);
        ``monthly use`` (2, persons, services) and ``recall months`` (2, persons) as the row-by-row
        loader builds them. None as soon as any check fails.
    """
    periods, no_service = constants[0], constants[3]
    cols = _cells_pass(table, constants, known, code_pattern)
    n = len(table["person_id"])
    if cols is None or n == 0:
        return None
    person, person_ids = cols["person_id"]
    service, service_codes = cols["service"]
    period = np.array([periods.index(p) for p in cols["period"][1]], dtype=np.int64)[cols["period"][0]]
    recall = np.array([float(v) for v in cols["recall_months"][1]])[cols["recall_months"][0]]
    quantity = np.array([float(v) for v in cols["quantity"][1]])[cols["quantity"][0]]
    is_none = service_codes[service] == no_service
    if (quantity[is_none] != 0).any():
        return None
    if not all(same_within(person, cols[name][0]) for name in attributes):
        return None
    key = person.astype(np.int64) * len(periods) + period  # person x period
    if not same_within(key, recall):
        return None
    if np.unique(key * len(service_codes) + service).size != n:
        return None  # a repeated person x period x service
    rows_per_key = np.bincount(key, minlength=len(person_ids) * len(periods))
    none_per_key = np.bincount(key[is_none], minlength=len(person_ids) * len(periods))
    if ((none_per_key > 0) & (rows_per_key > none_per_key)).any():
        return None  # 'none' and a service in one period
    if (rows_per_key.reshape(len(person_ids), len(periods)) == 0).any():
        return None  # a person without both periods

    order = sorted(range(len(person_ids)), key=person_ids.__getitem__)
    rank = np.empty(len(person_ids), dtype=np.int64)
    rank[order] = np.arange(len(person_ids))
    persons = [person_ids[k] for k in order]
    first = np.unique(person, return_index=True)[1][order]  # a row of each person, in sorted order
    columns = {name: [cols[name][1][c] for c in cols[name][0][first]] for name in attributes}
    used = np.unique(service[~is_none])
    services = tuple(sorted(service_codes[used]))
    column = {code: k for k, code in enumerate(services)}
    where = rank[person]
    recall_array = np.zeros((len(periods), len(persons)))
    recall_array[period, where] = recall
    use = np.zeros((len(periods), len(persons), len(services)))
    keep = ~is_none
    if keep.any():
        s = np.array([column.get(code, -1) for code in service_codes], dtype=np.intp)[service[keep]]
        p, i = period[keep], where[keep]
        use[p, i, s] = quantity[keep] / recall_array[p, i]
    return persons, columns, services, use, recall_array


#: Most hours of informal care in a week (the hours in a week), as the row-by-row loader checks it.
_HOURS_IN_A_WEEK = 168


def plain_informal_care(table: dict, persons: set, *, periods) -> np.ndarray | None:
    """Hours of informal care per week by period and person of a table without problems, or None.

    Parameters
    ----------
    table : dict of str to PlainColumn
        The cells of an informal-care file by column.
    persons : set of str
        Persons of the service-use file.
    periods : sequence of str
        :data:`econ.inputs.service_use_load.PERIODS`.

    Returns
    -------
    numpy.ndarray or None
        Shape (len(periods), len(persons)), persons in sorted order. None unless every cell passes
        the row-by-row loader's check and each person of ``persons`` (and no other) has exactly one
        row per period. Everything else, including what the row-by-row loader accepts but this does
        not (rules change there, in ``_load_informal_care``, the one place that states them), is
        read row by row.
    """
    person, period = table["person_id"], table["period"]
    checks = (
        (person, lambda v, log: check_text(v, log=log, line=0, column="person_id")),
        (period, lambda v, log: check_choice(v, periods, log=log, line=0, column="period")),
    )
    if not all(all_pass(column.values, check) for column, check in checks):
        return None
    hours = numbers(table["informal_care_hours_per_week"], name="informal_care_hours_per_week")
    if numbers(table["recall_months"], name="recall_months", positive=True) is None or hours is None:
        return None
    if (hours > _HOURS_IN_A_WEEK).any() or len(person.values) != len(persons) or not persons.issuperset(person.values):
        return None
    which = np.array([periods.index(value) for value in period.values], dtype=np.int64)[period.codes]
    key = person.codes.astype(np.int64) * len(periods) + which
    if len(key) != len(persons) * len(periods) or np.bincount(key).max() > 1:
        return None  # a repeated person x period, hence a person without some period
    position = {name: k for k, name in enumerate(sorted(persons))}
    where = np.array([position[name] for name in person.values], dtype=np.int64)[person.codes]
    out = np.zeros((len(periods), len(persons)))
    out[which, where] = hours
    return out
