"""Checks of a plain CSV table, column by column, shared by the vectorised loaders (issue 23).

A vectorised loader (:mod:`econ.inputs.service_use_fast`, :func:`econ.inputs.unit_costs.load_unit_costs`)
reads a file with :func:`econ.inputs.csv_reader.read_csv_table` and checks each column with the
row-by-row loader's own cell check, applied once to each distinct value (:func:`all_pass`,
:func:`numbers`); checks between rows are array operations (:func:`same_within`). When any check
fails the loader answers None and the row-by-row loader reads the file again to name every
problem with its line, so the messages are the same by construction.
"""
from __future__ import annotations

import numpy as np

from econ.inputs.csv_reader import PlainColumn, ProblemLog, parse_number


def all_pass(values, check) -> bool:
    """Whether ``check(value, log)`` records no problem for any of ``values``."""
    log = ProblemLog("")
    for value in values:
        check(value, log)
        if log.problems:
            return False
    return True


def same_within(groups: np.ndarray, values: np.ndarray) -> bool:
    """Whether ``values`` is constant within each group (``groups``: integer labels)."""
    _, first, inverse = np.unique(groups, return_index=True, return_inverse=True)
    return bool((values == values[first][inverse]).all())


def numbers(column: PlainColumn, *, name: str, **rules) -> np.ndarray | None:
    """The value of each row of a number column, or None when a cell fails :func:`parse_number`.

    Parameters
    ----------
    column : PlainColumn
    name : str
        Column name (for the check; no message is kept).
    **rules
        Keyword arguments of :func:`econ.inputs.csv_reader.parse_number` (``allow_empty``,
        ``minimum``, ``integer``, ``positive``).

    Returns
    -------
    numpy.ndarray of float or None
        ``float(text)`` of each row's cell, exactly as :func:`parse_number` returns it; NaN for an
        empty cell when ``allow_empty``.
    """
    log = ProblemLog("")
    parsed = []
    for value in column.values:
        number = parse_number(value, log=log, line=0, column=name, **rules)
        if log.problems:
            return None
        parsed.append(np.nan if number is None else number)
    return np.array(parsed, dtype=float)[column.codes]
