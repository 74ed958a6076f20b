"""Whether a fall in a service's use releases cash or capacity (``costs/saving_types.csv``).

A commissioner's budget changes only when a saving is **cash-releasing** (the payer buys less: spot-
purchased or activity-paid care); most savings in the NHS free **capacity** (beds, appointments, staff
time used by other people) and release cash only if the service is cut. The budget impact
(:mod:`econ.analysis.budget_impact`) splits savings this way, one declared type per service.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from econ.inputs.csv_reader import ProblemLog, check_choice, check_text, read_csv_rows

DEFAULT_SAVING_TYPES = Path(__file__).resolve().parents[2] / "costs" / "saving_types.csv"
SAVING_TYPE_COLUMNS = ("code", "saving", "source", "status")
#: ``cash``: spending falls with use; ``capacity``: time or beds are freed for other people.
SAVING_TYPES = ("cash", "capacity")
SAVING_STATUSES = ("published", "proxy", "assumption")


@dataclass(frozen=True)
class SavingType:
    code: str
    saving: str
    source: str
    status: str
    line: int


@dataclass(frozen=True)
class SavingTypes:
    """The table: code -> :class:`SavingType`, and the file it came from."""

    types: Mapping[str, SavingType]
    path: str

    def __contains__(self, code: str) -> bool:
        return code in self.types

    def get(self, code: str) -> SavingType:
        return self.types[code]


def load_saving_types(path: str | Path = DEFAULT_SAVING_TYPES) -> SavingTypes:
    """Read and check a saving-type table.

    Raises
    ------
    DataError
        Listing every problem: a repeated code, a saving type other than cash or capacity, an empty
        source, an unknown status.
    """
    log = ProblemLog(str(path))
    rows = read_csv_rows(path, columns=SAVING_TYPE_COLUMNS, log=log)
    found: dict[str, SavingType] = {}
    for row in rows:
        v, line = row.values, row.line
        code = check_text(v.get("code"), log=log, line=line, column="code")
        saving = check_choice(v.get("saving"), SAVING_TYPES, log=log, line=line, column="saving")
        source = check_text(v.get("source"), log=log, line=line, column="source")
        status = check_choice(v.get("status"), SAVING_STATUSES, log=log, line=line, column="status")
        if code is not None and code in found:
            log.add(f"code {code!r} appears twice (first on line {found[code].line})", line=line, column="code")
            continue
        if None in (code, saving, source, status):
            continue
        found[code] = SavingType(code, saving, source, status, line)
    log.raise_if_any()
    return SavingTypes(MappingProxyType(found), str(path))
