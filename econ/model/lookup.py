"""Parameters read from lookup tables (``lookup:``), evaluated in the engine like expressions.

A lookup parameter is a derived parameter: its numeric key (e.g. ``age``, which is
``settings.start_age + time``) changes with the cycle, so it is looked up for every draw and cycle
at once (numpy ``searchsorted`` / ``interp`` over the key array). Category keys (``sex``) are fixed
per strategy when the scenario is compiled (:meth:`LookupExpression.bind`).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from econ.core.errors import DataError, ModelError, Problem
from econ.scenario.expressions import Expression, ExpressionError, parse_expression

if TYPE_CHECKING:  # the table module is imported only by scenarios with a lookup (start-up, issue 19)
    from econ.inputs.lookup_tables import LookupTable

#: The category keyword that stands for the cohort's sex (``settings.sex`` or the strategy's ``sex``).
SEX = "sex"


@dataclass(frozen=True)
class LookupExpression:
    """``column`` of ``table`` at the key the expression ``key`` gives (and the categories given)."""

    text: str
    names: frozenset
    table: LookupTable
    column: str
    key: Expression | None
    categories: tuple  # one per categorical key column: the category, or SEX until bound
    method: str
    origin: str = ""
    constant = None

    @property
    def needs_sex(self) -> bool:
        return SEX in self.categories and SEX not in self._table_categories(SEX)

    def _table_categories(self, column: str) -> list:
        return self.table.categories(column) if column in self.table.categorical else []

    def bind(self, sex: str | None) -> "LookupExpression":
        """The expression with the cohort's sex written in (categories are checked against the table)."""
        cats = tuple(sex if c == SEX and self.needs_sex else c for c in self.categories)
        return dataclasses.replace(self, categories=cats)

    def evaluate(self, env) -> np.ndarray:
        from econ.inputs.lookup_tables import lookup

        keys, values = self.table.values[self.column][self.categories]
        if self.key is None:
            return np.float64(values[0])
        x = self.key.evaluate(env)
        out, bad = lookup(keys, values, x, self.method)
        if bad is not None:
            nk = self.table.numeric_key
            raise ModelError(Problem(
                f"{nk} = {bad:.12g} is not in lookup table {Path(self.table.path).name} ({nk} {keys[0]:g} to "
                f"{keys[-1]:g}; method {self.method}: "
                + {"exact": "the key must be one of the table's", "step": "keys below the first are not covered",
                   "linear": "nothing is extrapolated"}[self.method] + ")", None, self.origin or "engine"))
        return out


def build_lookup(loaded, name: str, entry, origin: str, problems: list):
    """A :class:`LookupExpression` for parameter ``name`` (None after adding problems)."""
    from econ.inputs.lookup_tables import read_lookup_table

    spec = entry.lookup
    path = ("parameters", name, "lookup")
    if entry.dist is not None or entry.value is not None:
        problems.append(loaded.problem(path, "a lookup takes its value from the table; remove 'value' and 'dist'"))
        return None
    file = loaded.resolve_path(path + ("table",), spec.table)
    try:
        table = read_lookup_table(file, keys=list(spec.by), display=spec.table if not Path(spec.table).is_absolute()
                                  else str(file))
    except DataError as exc:
        problems.extend(exc.problems)
        return None
    if spec.column not in table.values:
        problems.append(loaded.problem(path + ("column",), f"'{spec.column}' is not a value column of {spec.table} "
                                                           f"(value columns: {', '.join(table.values)})"))
        return None
    cats, key = [], None
    for col, want in spec.by.items():
        p = path + ("by", col)
        if col in table.categorical:
            allowed = table.categories(col)
            if not isinstance(want, str) or (want not in allowed and want != SEX):
                problems.append(loaded.problem(p, f"'{want}' is not a category of column '{col}' (categories: "
                                                  f"{', '.join(allowed)}; or 'sex' for the cohort's sex)"))
                return None
            cats.append(want)
            continue
        try:
            key = parse_expression(want)
        except ExpressionError as exc:
            problems.append(loaded.problem(p, f"{exc.message} (in '{want}')"))
            return None
    if table.numeric_key is None and spec.method != "exact":
        problems.append(loaded.problem(path + ("method",), f"method '{spec.method}' needs a numeric key column"))
        return None
    by = ", ".join(f"{c}={w}" for c, w in spec.by.items())
    return LookupExpression(f"lookup({spec.table}: {spec.column} by {by}, {spec.method})",
                            frozenset(key.names) if key is not None else frozenset(), table, spec.column, key,
                            tuple(cats), spec.method, origin)


def bind_for_strategy(expr, sex: str | None, add_problem, path) -> object:
    """``expr`` with the strategy's sex bound, if it is a lookup that needs one."""
    if not isinstance(expr, LookupExpression) or not expr.needs_sex:
        return expr
    if sex is None:
        add_problem(path, "this lookup is by sex: give settings.sex (or the strategy's sex)")
        return expr
    allowed = expr.table.categories(expr.table.categorical[expr.categories.index(SEX)])
    if sex not in allowed:
        add_problem(path, f"sex '{sex}' is not a category of the lookup table {expr.table.path} "
                          f"(categories: {', '.join(allowed)})")
        return expr
    return expr.bind(sex)
