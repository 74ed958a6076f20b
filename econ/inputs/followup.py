"""Who was lost to follow-up: the persons-file checks both data formats share, and the complete-case view.

A persons file (one row per person) may record ``followed_up`` (``yes``/``no``) and ``cluster`` (a
peer-support group or referral site). The controlled format (:mod:`econ.inputs.controlled_data`) needs
both columns; the default format (:func:`econ.inputs.service_use.load_service_use`, ``data.persons``)
accepts either, and without ``followed_up`` every person must have both periods, as before. A person
with ``followed_up = no`` has baseline rows only in the service-use file (and only a baseline row in an
informal-care file) and an empty ``swemwbs_followup``; anything else is a located error here.
"""
from __future__ import annotations

import dataclasses
from typing import NamedTuple

import numpy as np

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, parse_number

#: Values of ``followed_up``.
FOLLOWED_UP = ("yes", "no")

#: Optional columns of a persons file in the default format (required in the controlled format).
OPTIONAL_PERSON_COLUMNS = ("cluster", "followed_up")

#: SWEMWBS range (Short Warwick-Edinburgh Mental Wellbeing Scale, 7 items scored 1-5).
SWEMWBS_RANGE = (7, 35)


class PersonRow(NamedTuple):
    """One valid row of a persons file."""

    line: int
    cluster: str | None  # None without a cluster column
    followed: bool  # True without a followed_up column
    baseline: float
    followup: float  # NaN when lost


def person_row(v: dict, line: int, log: ProblemLog, columns) -> tuple[str | None, PersonRow | None]:
    """Check one persons-file row; (person or None, the row or None when a value is bad, each reported).

    ``columns`` are the file's columns: ``cluster`` and ``followed_up`` are checked when present; a person
    lost to follow-up (``followed_up = no``) must have an empty ``swemwbs_followup``.
    """
    low, high = SWEMWBS_RANGE
    person = check_text(v.get("person_id"), log=log, line=line, column="person_id")
    cluster = check_text(v.get("cluster"), log=log, line=line, column="cluster") if "cluster" in columns else ""
    followed = (check_choice(v.get("followed_up"), FOLLOWED_UP, log=log, line=line, column="followed_up")
                if "followed_up" in columns else "yes")
    scores = []
    for column in ("swemwbs_baseline", "swemwbs_followup"):
        lost = column == "swemwbs_followup" and followed == "no"
        if lost and v.get(column):
            log.add(f"person lost to follow-up (followed_up = no) must have an empty {column} "
                    f"(got {v[column]!r})", line=line, column=column)
        value = None if lost else parse_number(v.get(column), log=log, line=line, column=column, integer=True)
        if value is not None and not low <= value <= high:
            log.add(f"must be a SWEMWBS score from {low} to {high} (got {v[column]!r})", line=line, column=column)
            value = None
        scores.append(np.nan if lost else value)
    if person is None or cluster is None or followed is None or None in scores:
        return person, None
    return person, PersonRow(line, cluster if "cluster" in columns else None, followed == "yes",
                             float(scores[0]), float(scores[1]))


def check_followup_rows(log: ProblemLog, person: str, first: int, followup_line: int | None, row: PersonRow | None,
                        persons_file, *, what: str = "followup rows") -> None:
    """Contradictions between a person's follow-up rows and ``followed_up`` (``row``; None: no persons row).

    ``first`` is the person's first line in the file of ``log`` and ``followup_line`` its first follow-up
    row there (None when it has none).
    """
    if row is None:
        return
    if row.followed and followup_line is None:
        log.add(f"person {person!r} has no {what} but is followed up ({persons_file} line {row.line}); record "
                f"loss to follow-up with followed_up = no in the persons file", line=first, column="period")
    if not row.followed and followup_line is not None:
        log.add(f"person {person!r} is lost to follow-up ({persons_file} line {row.line}: followed_up = no) but "
                f"has {what}", line=followup_line, column="period")


def followed_up_only(data):
    """The people followed up of loaded data (complete cases), or ``data`` itself when nobody was lost.

    Works on :class:`econ.inputs.service_use.ServiceUseData` (its arrays cut to those people).
    """
    persons = data.persons
    if "followed_up" not in persons or persons["followed_up"].all():
        return data
    keep = persons["followed_up"].to_numpy(dtype=bool)

    def cut(array, axis):
        if array is None:
            return None
        out = np.take(np.asarray(array), np.flatnonzero(keep), axis=axis).copy()
        out.flags.writeable = False
        return out

    return dataclasses.replace(data, persons=persons.loc[keep].reset_index(drop=True),
                               monthly_use=cut(data.monthly_use, 1), recall_months=cut(data.recall_months, 1),
                               informal_care_monthly=cut(data.informal_care_monthly, 1), swemwbs=cut(data.swemwbs, 1))


def loss_summary(intervention: np.ndarray, followed: np.ndarray) -> list[dict]:
    """People and the share missing per arm and time point (baseline is never missing in these formats).

    One dict per arm present and time point: ``arm``, ``time_point``, ``n``, ``n_missing``, ``share_missing``.
    """
    rows = []
    for arm, member in (("intervention", intervention), ("comparison", ~intervention)):
        n = int(member.sum())
        if n == 0:
            continue
        for time_point, missing in (("baseline", np.zeros(len(member), dtype=bool)), ("followup", ~followed)):
            lost = int((member & missing).sum())
            rows.append({"arm": arm, "time_point": time_point, "n": n, "n_missing": lost, "share_missing": lost / n})
    return rows


#: Columns every persons file of the default format has.
PERSONS_COLUMNS = ("person_id", "swemwbs_baseline", "swemwbs_followup")


def persons_columns(path) -> tuple[str, ...]:
    """The columns a default-format persons file is read with: the required ones and the optional ones
    its header names (any other column is then reported as unexpected by the reader)."""
    try:
        with open(path, encoding="utf-8-sig", errors="replace") as fh:
            header = {c.strip().strip('"') for c in fh.readline().split(",")}
    except OSError:
        header = set()  # the reader reports it
    return PERSONS_COLUMNS + tuple(c for c in OPTIONAL_PERSON_COLUMNS if c in header)


def read_persons(path) -> tuple[ProblemLog, dict, tuple[str, ...], dict]:
    """Read a default-format persons file: its log, person -> :class:`PersonRow` (valid rows), its columns
    and person -> line (every row)."""
    from econ.inputs.csv_reader import read_csv_rows, read_csv_table

    log = ProblemLog(str(path))
    columns = persons_columns(path)
    rows, table = read_csv_table(path, columns=columns, log=log)
    plain = _plain_persons(path, table, columns) if table is not None else None
    if plain is not None:
        return log, plain[0], columns, plain[1]
    out: dict = {}
    first_line: dict = {}
    for row in rows if rows is not None else read_csv_rows(path, columns=columns, log=log):
        person, checked = person_row(row.values, row.line, log, columns)
        if person is None:
            continue
        if person in first_line:
            log.add(f"duplicate row: person {person!r} already on line {first_line[person]}", line=row.line,
                    column="person_id")
            continue
        first_line[person] = row.line
        if checked is not None:
            out[person] = checked
    return log, out, columns, first_line


def _plain_persons(path, table: dict, columns) -> tuple[dict, dict] | None:
    """What :func:`read_persons` reads row by row, from a plain table (``read_csv_table``) in which no cell
    and no row has a problem; None otherwise (the row-by-row reader then names each problem).

    Each distinct value of a column passes through the row-by-row check (:func:`person_row`'s own
    functions); the table's row k is line k + 2 of the file, so a file with a blank line (left out of
    the table) goes row by row, and so do repeated people.
    """
    from pathlib import Path

    from econ.inputs.plain_columns import all_pass

    n = len(table["person_id"].codes)
    lines = Path(path).read_bytes().decode("utf-8-sig").replace("\r\n", "\n").split("\n")[1:]
    if lines and lines[-1] == "":
        lines.pop()
    person = table["person_id"]
    if len(lines) != n or len(person.values) != n or not all_pass(person.values, lambda v, log: check_text(
            v, log=log, line=0, column="person_id")):
        return None  # a blank line, a repeated person or an empty id: row by row
    if "cluster" in columns and not all_pass(table["cluster"].values, lambda v, log: check_text(
            v, log=log, line=0, column="cluster")):
        return None
    if "followed_up" in columns:
        f = table["followed_up"]
        if not all_pass(f.values, lambda v, log: check_choice(v, FOLLOWED_UP, log=log, line=0, column="followed_up")):
            return None
        followed = (f.values == "yes")[f.codes]
    else:
        followed = np.ones(n, dtype=bool)
    scores = []
    for column, rows in (("swemwbs_baseline", np.ones(n, dtype=bool)), ("swemwbs_followup", followed)):
        cells = table[column]
        if (cells.values[cells.codes[~rows]] != "").any():
            return None  # a score for a person lost to follow-up
        used = np.unique(cells.codes[rows])
        value = np.full(len(cells.values), np.nan)
        log = ProblemLog("")
        low, high = SWEMWBS_RANGE
        for k in used:
            number = parse_number(cells.values[k], log=log, line=0, column=column, integer=True)
            if log.problems or not low <= number <= high:
                return None
            value[k] = number
        scores.append(np.where(rows, value[cells.codes], np.nan))
    ids = person.values[person.codes].tolist()
    cluster = table["cluster"].values[table["cluster"].codes].tolist() if "cluster" in columns else [None] * n
    out = {p: PersonRow(k + 2, c, bool(fu), float(b), float(a))
           for k, (p, c, fu, b, a) in enumerate(zip(ids, cluster, followed.tolist(), scores[0].tolist(),
                                                    scores[1].tolist()))}
    return out, {p: k + 2 for k, p in enumerate(ids)}


def check_persons_cover(log: ProblemLog, lines: dict, persons: set) -> None:
    """Every person of the persons file (person -> line) in the service-use file, and every person of that
    file here."""
    for person, line in lines.items():
        if person not in persons:
            log.add(f"person {person!r} is not in the service-use file", line=line, column="person_id")
    missing = sorted(persons - set(lines))
    if missing and lines:
        shown = ", ".join(repr(p) for p in missing[:5]) + (f" and {len(missing) - 5} more" if len(missing) > 5 else "")
        log.add(f"{len(missing)} person(s) of the service-use file have no row here: {shown}", line=1,
                column="person_id")


def mark_lost(frame, arrays: dict, rows: dict, columns) -> dict:
    """Add ``cluster`` and ``followed_up`` to the persons frame (when the file has them) and put NaN at
    follow-up in ``arrays`` (name -> (2, n_persons, ...) read-only array, or None) for people lost."""
    people = frame["person_id"].tolist()
    if "cluster" in columns:
        frame["cluster"] = [rows[p].cluster for p in people]
    if "followed_up" not in columns:
        return arrays
    followed = np.array([rows[p].followed for p in people], dtype=bool)
    frame["followed_up"] = followed
    if followed.all():
        return arrays
    out = {}
    for name, array in arrays.items():
        if array is not None:
            array = np.array(array, dtype=float)
            array[1, ~followed] = np.nan
            array.flags.writeable = False
        out[name] = array
    return out


def apply_persons(frame, arrays: tuple, rows: dict, columns) -> tuple:
    """(monthly use, recall months, informal care, SWEMWBS) after :func:`mark_lost`, SWEMWBS from ``rows``."""
    people = [rows[p] for p in frame["person_id"].tolist()]  # (tolist: iterating a Series of str is slow)
    swemwbs = np.array([[getattr(row, k) for row in people] for k in ("baseline", "followup")])
    swemwbs.flags.writeable = False
    marked = mark_lost(frame, dict(zip(("use", "recall", "informal", "swemwbs"), arrays + (swemwbs,))), rows, columns)
    return tuple(marked[k] for k in ("use", "recall", "informal", "swemwbs"))
