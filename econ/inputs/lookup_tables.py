"""Lookup tables: CSV tables keyed by one or more columns (e.g. age and sex, or calendar year).

File format
-----------
Optional ``# key: value`` lines first (``source``, ``years``, ``status``, ``note``, ...: the table's
provenance, shown with every parameter read from it), then a header row and one row per key. Key
columns hold categories (text, e.g. ``sex``: ``female``/``male``) or numbers (e.g. ``age``: 0, 1, ...);
value columns hold numbers. Every combination of the categories must have the same numeric keys,
in increasing order, each once.

Lookup of a numeric key x in the keys k_1 < ... < k_n with values v_i:

- ``exact``: x must equal a key (within 1e-9 of it); gives its value;
- ``step``: the value of the last key <= x (to within 1e-9; bands such as "age 40-44" start at their key; the last
  band is open, as the last row of a life table is "100 and over"); x < k_1 is an error;
- ``linear``: v_i + (x - k_i) (v_{i+1} - v_i) / (k_{i+1} - k_i) for k_i <= x <= k_{i+1}; x outside
  [k_1, k_n] is an error (nothing is extrapolated).
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from econ.core.errors import DataError, Problem, SourceLocation

_NUMBER = re.compile(r"^[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$", re.ASCII)
_META = re.compile(r"^#\s*([A-Za-z_][A-Za-z0-9_ ]*?)\s*:\s*(.*)$")
METHODS = ("exact", "step", "linear")
#: Tolerance of an ``exact`` match of a numeric key.
EXACT_TOLERANCE = 1e-9


@dataclass(frozen=True)
class LookupTable:
    """A table read from CSV: metadata, key columns (categorical or numeric) and value columns."""

    path: str
    metadata: dict
    columns: tuple
    categorical: tuple  # key columns holding text
    numeric_key: str | None  # the one numeric key column (None: categories only)
    values: dict = field(default_factory=dict)  # value column -> {categories tuple: (keys, values)}

    def describe(self) -> str:
        """``source [years; status]`` for reports."""
        m = self.metadata
        extra = "; ".join(x for x in (m.get("years", ""), m.get("status", "")) if x)
        return f"{m.get('source', Path(self.path).name)}" + (f" [{extra}]" if extra else "")

    def categories(self, column: str) -> list:
        i = self.categorical.index(column)
        out: list = []
        for combo in next(iter(self.values.values())):
            if combo[i] not in out:
                out.append(combo[i])
        return out


def read_lookup_table(path: str | Path, *, keys: list[str], display: str | None = None) -> LookupTable:
    """Read ``path`` with ``keys`` as its key columns (the other columns are values).

    Raises
    ------
    DataError
        Unreadable file, missing columns, text in a value column, a numeric key repeated or not
        increasing within a category, or categories with different numeric keys (file:line each).
    """
    name = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(Problem(f"cannot read the lookup table ({exc.__class__.__name__})", SourceLocation(name)))
    lines = text.splitlines()
    meta, start = {}, 0
    while start < len(lines) and (lines[start].lstrip().startswith("#") or not lines[start].strip()):
        m = _META.match(lines[start].strip())
        if m:
            meta[m.group(1).strip().lower()] = m.group(2).strip()
        start += 1
    rows = list(csv.reader(io.StringIO("\n".join(lines[start:]))))
    problems: list = []

    def add(msg, line):
        problems.append(Problem(msg, SourceLocation(name, line)))

    if not rows:
        raise DataError(Problem("the lookup table has no header row", SourceLocation(name, start + 1)))
    header = [h.strip() for h in rows[0]]
    for k in keys:
        if k not in header:
            add(f"key column '{k}' is not in the table (columns: {', '.join(header)})", start + 1)
    value_cols = [h for h in header if h not in keys]
    if not value_cols:
        add("the table has no value column besides its keys", start + 1)
    if problems:
        raise DataError(problems)
    data = []
    for i, r in enumerate(rows[1:], start=start + 2):
        if not any(c.strip() for c in r):
            continue
        if len(r) != len(header):
            add(f"expected {len(header)} fields as in the header, got {len(r)}", i)
            continue
        cells = dict(zip(header, (c.strip() for c in r)))
        for v in value_cols:
            if not _NUMBER.match(cells[v]):
                add(f"column '{v}': '{cells[v]}' is not a number", i)
        data.append((i, cells))
    numeric = [k for k in keys if data and all(_NUMBER.match(c[k]) for _, c in data)]
    if len(numeric) > 1:
        add(f"more than one numeric key ({', '.join(numeric)}); a lookup interpolates over one key", start + 1)
    if problems:
        raise DataError(problems)
    categorical = tuple(k for k in keys if k not in numeric)
    nk = numeric[0] if numeric else None
    values = _by_category(data, categorical, nk, value_cols, add)
    if problems:
        raise DataError(problems)
    return LookupTable(name, meta, tuple(header), categorical, nk, values)


def _by_category(data, categorical, nk, value_cols, add) -> dict:
    """value column -> {categories: (keys, values)}, checking keys increase and match across categories."""
    groups: dict = {}
    for line, cells in data:
        combo = tuple(cells[k] for k in categorical)
        groups.setdefault(combo, []).append((line, float(cells[nk]) if nk else 0.0, cells))
    first_keys = None
    values = {v: {} for v in value_cols}
    for combo, items in groups.items():
        ks = [k for _, k, _ in items]
        for (line, k, _), prev in zip(items[1:], ks):
            if k <= prev:
                add(f"key {nk} = {k:g} {'repeats' if k == prev else 'is below'} the row before it"
                    + (f" ({', '.join(categorical)} = {', '.join(combo)})" if combo else "")
                    + "; keys must increase", line)
        if nk is None and len(items) > 1:
            add(f"{', '.join(categorical)} = {', '.join(combo)} appears {len(items)} times", items[1][0])
        if first_keys is None:
            first_keys = ks
        elif ks != first_keys:
            add(f"{', '.join(combo)} has other {nk} keys than the first category; every category needs the same",
                items[0][0])
        for v in value_cols:
            values[v][combo] = (np.array(ks), np.array([float(c[v]) for _, _, c in items]))
    return values


def lookup(keys: np.ndarray, values: np.ndarray, x, method: str):
    """Look ``x`` (array) up in increasing ``keys``; (result, None) or (None, first offending x)."""
    x = np.asarray(x, dtype=float)
    if method == "exact":
        i = np.clip(np.searchsorted(keys, x), 0, len(keys) - 1)
        j = np.clip(i - 1, 0, len(keys) - 1)
        near = np.where(np.abs(keys[i] - x) <= np.abs(keys[j] - x), i, j)
        bad = ~(np.abs(keys[near] - x) <= EXACT_TOLERANCE)
        return (None, x[bad].flat[0]) if bad.any() else (values[near], None)
    if method == "step":
        # a key reached to within the tolerance counts as reached (age 40 + 12 x (1/12) is 41)
        bad = ~(x >= keys[0] - EXACT_TOLERANCE)
        if bad.any():
            return None, x[bad].flat[0]
        return values[np.searchsorted(keys, x + EXACT_TOLERANCE, side="right") - 1], None
    bad = ~((x >= keys[0]) & (x <= keys[-1]))
    if bad.any():
        return None, x[bad].flat[0]
    return np.interp(x, keys, values), None
