"""Read input CSV tables row by row with their line numbers, collecting every problem for one DataError."""
from __future__ import annotations

import csv
import io
import itertools
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from econ.core.errors import DataError, Problem, SourceLocation
from econ.core.files import input_file_problem, line_of_offset

#: Characters that mark a currency amount typed into a number column.
CURRENCY_SIGNS = ("£", "$", "€", "GBP", "gbp")

_THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")

#: A number as the tables write it: ASCII digits, an optional sign, point and exponent. Python's
#: ``float`` also takes ``4_5`` and non-ASCII digits (``٤٥``); the tables do not, since text is never
#: coerced into a number.
_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", re.ASCII)
_NON_FINITE = ("inf", "infinity", "nan")

#: A quoted field as the csv module writes it: opened at the start of a field, closed at its end,
#: quotes inside doubled (the only quoting the vectorised reader takes; see :func:`_plain_frame`).
_QUOTED_FIELD = re.compile(r'"(?<![^,\n]")[^"]*(?:""[^"]*)*"(?![^,\n])')


@dataclass(frozen=True)
class CsvRow:
    """One data row of a CSV file.

    Attributes
    ----------
    line : int
        1-based line in the file where the row starts (the header is line 1).
    values : dict of str to str
        Cell text by column name, stripped of surrounding spaces. Columns missing from the header
        are absent from the dict.
    """

    line: int
    values: dict[str, str]


@dataclass(frozen=True)
class PlainColumn:
    """One column of a plain CSV table, factorised: cell ``k`` is ``values[codes[k]]``.

    Attributes
    ----------
    codes : numpy.ndarray of int
        Per data row, the position of its cell text in ``values``.
    values : numpy.ndarray of object
        Distinct cell texts (stripped), in order of first appearance.
    """

    codes: np.ndarray
    values: np.ndarray

    def __len__(self) -> int:
        return len(self.codes)


@dataclass
class ProblemLog:
    """Problems found in one file, collected so that they can be raised together.

    Attributes
    ----------
    file : str
        The file as the user named it; it starts every message.
    problems : list of Problem
        Problems in the order they were found.
    """

    file: str
    problems: list[Problem] = field(default_factory=list)

    def add(self, message: str, *, line: int = 0, column: str = "") -> None:
        """Record a problem at ``file:line``, for column ``column``."""
        self.problems.append(Problem(message, SourceLocation(self.file, line), column))

    def raise_if_any(self) -> None:
        """Raise one DataError carrying every recorded problem, if there is any.

        Raises
        ------
        DataError
            When at least one problem was recorded; ``str(err)`` has one line per problem.
        """
        if self.problems:
            raise DataError(sorted(self.problems, key=self._order))

    def _order(self, problem: Problem) -> tuple[bool, int, str]:
        # This file's problems first, then those of files checked with it, each by line.
        location = problem.location
        return (location is None or location.file != self.file, location.line if location else 0, problem.key_path)


def read_csv_rows(path: str | Path, *, columns: Sequence[str], log: ProblemLog) -> list[CsvRow]:
    """Read a CSV file whose header must hold exactly ``columns`` (in any order).

    Parameters
    ----------
    path : str or Path
        File to read (UTF-8; a byte-order mark is ignored).
    columns : sequence of str
        Required column names. Missing and unexpected columns are both recorded as problems on
        line 1; rows are still read, so that every other problem is reported in the same error.
    log : ProblemLog
        Where problems are recorded.

    Returns
    -------
    list of CsvRow
        Data rows, blank lines skipped. Rows with the wrong number of fields are recorded as
        problems and left out.

    Raises
    ------
    DataError
        At once, when the file is missing, unreadable or empty (nothing else can be checked).
    """
    text = _read_text(path, columns)
    return _rows_of_text(text, path, columns, log)


def read_csv_table(path: str | Path, *, columns: Sequence[str], log: ProblemLog):
    """Read a CSV file as :func:`read_csv_rows` does, by a vectorised parser when the file allows it.

    Returns
    -------
    (rows, table)
        ``(None, table)`` when the file is plain (quotes only around whole fields and no line break
        inside them, no lone carriage return, no field over the csv module's limit), its header is
        exactly ``columns`` and every non-blank row has as many fields as the header: ``table`` maps each column to a :class:`PlainColumn` (cells
        stripped of surrounding spaces, blank lines left out). Otherwise ``(rows, None)`` from
        :func:`read_csv_rows`, with its problems recorded in ``log``. Both describe the same cells:
        a caller checks the table and, if it finds any problem, reads the rows one by one
        (:func:`read_csv_rows`) for the located messages.

    Raises
    ------
    DataError
        As :func:`read_csv_rows`, when the file cannot be read at all.
    """
    text = _read_text(path, columns)
    frame = _plain_frame(text, columns)
    if frame is not None:
        return None, frame
    return _rows_of_text(text, path, columns, log), None


def _read_text(path: str | Path, columns: Sequence[str]) -> str:
    """The decoded text of a CSV file that exists, is a regular file under its cap, UTF-8, without NUL."""
    problem = input_file_problem(path, kind="data")
    if problem is not None:
        raise DataError([problem])
    try:
        raw = Path(path).read_bytes()
    except OSError as err:
        raise DataError([Problem(f"cannot read the file ({err.strerror or err})", SourceLocation(str(path)))]) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        offset = err.start + (3 if raw.startswith(b"\xef\xbb\xbf") else 0)
        raise DataError([Problem(f"the file is not valid UTF-8 (byte 0x{raw[offset]:02x} at byte offset {offset}); "
                                 f"save it as UTF-8", SourceLocation(str(path), line_of_offset(raw, offset)))]) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise DataError([Problem("the file holds a NUL byte (is it a binary file?); a CSV table is text",
                                 SourceLocation(str(path), line))])
    if not text.strip():
        expected = ",".join(columns)
        raise DataError([Problem(f"the file is empty; expected a header row: {expected}",
                                 SourceLocation(str(path), 1))])
    return text


def _rows_of_text(text: str, path, columns: Sequence[str], log: ProblemLog) -> list[CsvRow]:
    # newline="" leaves line ends to the csv module, so quoted fields may hold line breaks.
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return _read_rows(reader, columns, log)
    except csv.Error as err:
        raise DataError([Problem(f"cannot read this row ({err}; fields are limited to {csv.field_size_limit():,} "
                                 f"characters)", SourceLocation(str(path), reader.line_num or 1))]) from None


def _plain_frame(text: str, columns: Sequence[str]) -> dict[str, "PlainColumn"] | None:
    """The cells of a plain CSV text by column, stripped, or None (see :func:`read_csv_table`).

    With one line end, and quotes only around whole fields (as the csv module writes them: opened
    right after a comma or line start, closed right before one, inner quotes doubled, no line break
    inside), every line is one row and every comma outside quotes ends a field, so the csv module
    and pandas' C parser read the same cells; a blank line (only commas and spaces) is left out, as
    :func:`read_csv_rows` leaves it out. Any other quote is left to the csv module.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n")
        if "\r" in text:
            return None
    marked = text
    if '"' in text:  # quoted fields, each replaced by one letter to count the fields of each line
        marked = _QUOTED_FIELD.sub("Q", text)
        if '"' in marked or marked.count("\n") != text.count("\n"):
            return None  # a quote not around a whole field, or a line break inside quotes: the csv module reads it
    marks = marked.split("\n")
    header = [name.strip() for name in marks[0].split(",")]
    if len(header) != len(columns) or set(header) != set(columns) or len(set(header)) != len(header):
        return None
    fields = len(header) - 1
    body = text.split("\n")[1:]
    odd = np.flatnonzero(np.fromiter(map(str.count, marks[1:], itertools.repeat(",")), dtype=np.int64,
                                     count=len(body)) != fields)
    if any(marks[1 + k].replace(",", "").strip() for k in odd):
        return None  # a row with the wrong number of fields: the row-by-row reader says which
    if len(odd):  # blank lines: left out
        skip = set(odd.tolist())
        body = [line for k, line in enumerate(body) if k not in skip]
    if not body or max(map(len, body)) > csv.field_size_limit():
        return None  # the row-by-row reader names the field over the limit
    import pandas as pd

    frame = pd.read_csv(io.StringIO("\n".join(body)), header=None, names=list(range(len(header))), dtype=object,
                        na_filter=False, skip_blank_lines=False, engine="c")
    if len(frame) != len(body):
        return None
    out = {}
    for k, name in enumerate(header):
        codes, uniques = pd.factorize(frame[k].to_numpy(dtype=object))
        merged, stripped = pd.factorize(np.array([value.strip() for value in uniques], dtype=object))
        out[name] = PlainColumn(merged[codes], np.asarray(stripped, dtype=object))
    blank = np.ones(len(frame), dtype=bool)  # rows of empty cells only (",,,,"), skipped as by read_csv_rows
    for column in out.values():
        blank &= (column.values == "")[column.codes]
    if blank.all():
        return None
    if blank.any():
        for name, column in out.items():
            codes, values = pd.factorize(column.values[column.codes[~blank]])
            out[name] = PlainColumn(codes, np.asarray(values, dtype=object))
    return out


def _read_rows(reader, columns: Sequence[str], log: ProblemLog) -> list[CsvRow]:
    """The header and data rows of an open ``csv.reader`` (see :func:`read_csv_rows`)."""
    header = [name.strip() for name in next(reader)]
    missing = [name for name in columns if name not in header]
    unexpected = [name for name in header if name not in columns]
    for name in missing:
        log.add(f"missing column '{name}'; the header must be: {','.join(columns)}", line=1, column=name)
    for name in unexpected:
        log.add(f"unexpected column '{name}'; allowed columns: {','.join(columns)}", line=1,
                column=name or "(empty)")
    seen: set[str] = set()
    for name in header:
        if name in seen:
            log.add(f"column '{name}' appears twice in the header", line=1, column=name)
        seen.add(name)

    rows: list[CsvRow] = []
    line = reader.line_num + 1
    wanted = set(columns)
    keep = [(k, name) for k, name in enumerate(header) if name in wanted]  # header order, as before
    for fields in reader:
        start, line = line, reader.line_num + 1
        if not "".join(fields).strip():  # no fields, or every cell blank
            continue
        if len(fields) != len(header):
            log.add(f"expected {len(header)} fields as in the header, got {len(fields)}", line=start)
            continue
        values = {name: fields[k].strip() for k, name in keep}
        rows.append(CsvRow(start, values))
    if not rows and not missing:
        log.add("the file has a header but no data rows", line=1)
    return rows


def parse_number(text: str | None, *, log: ProblemLog, line: int, column: str,
                 allow_empty: bool = False, minimum: float | None = 0.0,
                 integer: bool = False, positive: bool = False) -> float | None:
    """Parse a number cell, recording a problem (with a remedy when known) if it is not valid.

    Parameters
    ----------
    text : str or None
        Cell text; None when the column is missing (nothing is recorded: the header problem says it).
    log : ProblemLog
        Where problems are recorded.
    line : int
        Line of the row, for the message.
    column : str
        Column name, for the message.
    allow_empty : bool
        Whether an empty cell is allowed (then None is returned).
    minimum : float or None
        Smallest allowed value (inclusive); None for no lower bound.
    integer : bool
        Whether the value must be a whole number.
    positive : bool
        Whether the value must be strictly greater than zero.

    Returns
    -------
    float or None
        The value, or None when the cell is empty and allowed, missing, or invalid.
    """
    if text is None:
        return None
    if text == "":
        if not allow_empty:
            log.add("expected a number (got an empty value)", line=line, column=column)
        return None
    try:
        if not _NUMBER.match(text) and text.lower().lstrip("+-") not in _NON_FINITE:
            raise ValueError(text)
        value = float(text)
    except ValueError:
        hint = ""
        if any(sign in text for sign in CURRENCY_SIGNS):
            hint = "; remove the currency sign"
        elif _THOUSANDS.match(text):
            hint = "; remove the thousands separator"
        elif text.endswith("%"):
            hint = "; write the number without the % sign"
        log.add(f"expected a number (got {text!r}){hint}", line=line, column=column)
        return None
    if not math.isfinite(value):
        log.add(f"expected a finite number (got {text!r})", line=line, column=column)
        return None
    if integer and not value.is_integer():
        log.add(f"expected a whole number (got {text!r})", line=line, column=column)
        return None
    if positive and value <= 0:
        log.add(f"must be greater than 0 (got {text!r})", line=line, column=column)
        return None
    if minimum is not None and value < minimum:
        log.add(f"must be >= {minimum:g} (got {text!r})", line=line, column=column)
        return None
    return value


def check_choice(text: str | None, allowed: Sequence[str], *, log: ProblemLog, line: int,
                 column: str) -> str | None:
    """Return ``text`` if it is one of ``allowed``, else record a problem naming the allowed values.

    Parameters
    ----------
    text : str or None
        Cell text; None when the column is missing (nothing is recorded).
    allowed : sequence of str
        Allowed values, in the order the message lists them.
    log : ProblemLog
        Where problems are recorded.
    line : int
        Line of the row.
    column : str
        Column name.

    Returns
    -------
    str or None
        ``text``, or None when it is missing or not allowed.
    """
    if text is None:
        return None
    if text not in allowed:
        got = repr(text) if text else "an empty value"
        log.add(f"must be one of {', '.join(allowed)} (got {got})", line=line, column=column)
        return None
    return text


def check_text(text: str | None, *, log: ProblemLog, line: int, column: str) -> str | None:
    """Return ``text`` if it is not empty, else record a problem.

    Parameters and returns are those of :func:`check_choice`, without ``allowed``.
    """
    if text is None:
        return None
    if not text:
        log.add("must not be empty", line=line, column=column)
        return None
    return text
