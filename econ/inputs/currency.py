"""The currency a cost table is in, and the check that a scenario's money is in the same one.

Money is never converted between currencies. A table's formats (``costs/README.md``) are in GBP;
a table in another currency says so in its metadata file, next to it and named as for service-use
data (``X.csv`` -> ``X_metadata.yaml``)::

    currency: EUR

A scenario whose ``settings.currency`` differs from a table it uses is refused, naming both.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from econ.core.errors import DataError, Problem, SourceLocation

#: The currency of a table without a ``currency:`` in its metadata file (the table formats are GBP).
DEFAULT_TABLE_CURRENCY = "GBP"

#: An ISO 4217 code: three capital letters.
CURRENCY_CODE = re.compile(r"^[A-Z]{3}$")


@dataclass(frozen=True)
class TableCurrency:
    """The currency of one table and where it is declared.

    Attributes
    ----------
    currency : str
        ISO 4217 code.
    declared_at : SourceLocation or None
        The ``currency:`` value in the metadata file, or None when the table declares none (then it
        is :data:`DEFAULT_TABLE_CURRENCY`).
    """

    currency: str
    declared_at: SourceLocation | None = None


def table_currency(path: str | Path) -> TableCurrency:
    """The currency of the table at ``path``, from its metadata file (``X_metadata.yaml``) if any.

    Raises
    ------
    DataError
        When the metadata file cannot be read, or its ``currency`` is not three capital letters
        (located at the value).
    """
    from econ.inputs.service_use_load import _read_metadata, metadata_path_for

    meta_path = metadata_path_for(path)
    content = _read_metadata(meta_path)
    if content is None or "currency" not in content:
        return TableCurrency(DEFAULT_TABLE_CURRENCY)
    where = _value_location(meta_path, "currency")
    value = content["currency"]
    if not isinstance(value, str) or not CURRENCY_CODE.match(value):
        raise DataError([Problem(f"expected an ISO 4217 currency code of three capital letters, e.g. GBP or EUR "
                                 f"(got {value!r})", where, "currency")])
    return TableCurrency(value, where)


def _value_location(path: Path, key: str) -> SourceLocation:
    """File:line:column of the value of top-level ``key`` in a YAML mapping that loads (libyaml's
    reader when PyYAML has it: the same positions, several times quicker)."""
    node = yaml.compose(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for key_node, value_node in node.value:
        if key_node.value == key:
            mark = value_node.start_mark
            return SourceLocation(str(path), mark.line + 1, mark.column + 1)
    return SourceLocation(str(path))


def currency_mismatch(scenario_currency: str, table: str, path: str | Path, found: TableCurrency) -> str | None:
    """The message when a scenario in ``scenario_currency`` uses a ``table`` in another currency, else None."""
    if found.currency == scenario_currency:
        return None
    if found.declared_at is not None:
        said = f"({found.declared_at})"
    else:
        said = (f"(the table format's currency: {Path(path).name} has no metadata file with a currency: line, "
                f"so it is taken as {DEFAULT_TABLE_CURRENCY})")
    return (f"the scenario's money is {scenario_currency} but the {table} {path} is in {found.currency} {said}; "
            f"amounts are never converted between currencies: use a table in {scenario_currency} (with "
            f"'currency: {scenario_currency}' in {Path(path).stem}_metadata.yaml next to it) or set "
            f"settings.currency: {found.currency}")
