"""The vectorised service-use loader gives the row-by-row loader's data and messages (issue 23).

``econ.inputs.service_use_fast`` reads plain files column by column and falls back to the row-by-row
loader on any problem. Checked: identical data on the shipped files and on files with spaces, CRLF
line ends, a byte-order mark, blank lines; the fast path refuses every faulty file of the test data;
and on hundreds of randomly corrupted files (several seeds) both paths agree on the data or on the
error message, line for line.
"""
from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

import econ.inputs.service_use_fast as fast
from econ.core.errors import DataError
from econ.inputs.csv_reader import ProblemLog, read_csv_table
from econ.inputs.service_use import SERVICE_USE_COLUMNS, load_service_use
from econ.inputs.unit_costs import load_unit_costs

from .conftest import DATA, ROOT

SYNTHETIC = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"
SYNTHETIC_IC = ROOT / "scenarios" / "data" / "SYNTHETIC_informal_care.csv"
CSV = DATA / "csv"
UNIT_COSTS = load_unit_costs()


def _load(path, *, slow: bool, monkeypatch, **kw):
    """(data or None, error text or None) by one path."""
    with monkeypatch.context() as m:
        if slow:
            m.setattr(fast, "plain_service_use", lambda *a, **k: None)
        try:
            return load_service_use(path, **kw), None
        except DataError as err:
            return None, str(err)


def _same(a, b) -> None:
    pd.testing.assert_frame_equal(a.persons, b.persons)
    assert a.services == b.services
    assert np.array_equal(a.monthly_use, b.monthly_use)
    assert np.array_equal(a.recall_months, b.recall_months)
    if a.informal_care_monthly is None:
        assert b.informal_care_monthly is None
    else:
        assert np.array_equal(a.informal_care_monthly, b.informal_care_monthly)


def _plain(path, known=None):
    rows, table = read_csv_table(path, columns=SERVICE_USE_COLUMNS, log=ProblemLog(str(path)))
    if table is None:
        return "not plain"
    from econ.inputs.service_use_load import BME_VALUES, NO_SERVICE, PERIODS, SETTINGS, _PERSON_ATTRIBUTES
    from econ.inputs.unit_costs import CODE_PATTERN

    return fast.plain_service_use(table, constants=(PERIODS, SETTINGS, BME_VALUES, NO_SERVICE),
                                  attributes=_PERSON_ATTRIBUTES, known=known, code_pattern=CODE_PATTERN)


def test_the_shipped_data_is_read_by_the_fast_path_identically(monkeypatch):
    assert _plain(SYNTHETIC, set(UNIT_COSTS.codes)) not in (None, "not plain")
    a, _ = _load(SYNTHETIC, slow=False, monkeypatch=monkeypatch, unit_costs=UNIT_COSTS, informal_care_path=SYNTHETIC_IC)
    b, _ = _load(SYNTHETIC, slow=True, monkeypatch=monkeypatch, unit_costs=UNIT_COSTS, informal_care_path=SYNTHETIC_IC)
    _same(a, b)


@pytest.mark.parametrize("edit", ["spaces", "crlf", "bom", "blank_lines", "quotes", "inner_quote", "quoted_newline"])
def test_layout_variants_give_the_same_data(tmp_path, monkeypatch, edit):
    lines = (CSV / "su_valid.csv").read_text(encoding="utf-8").splitlines()
    if edit == "spaces":
        lines = [",".join(f" {cell} " for cell in line.split(",")) for line in lines]
    elif edit == "blank_lines":
        lines = lines[:2] + ["", ",,,,,,,,", "  "] + lines[2:] + [""]
    elif edit == "quotes":  # whole fields quoted, as the csv module writes them: still the vectorised path
        lines = [lines[0]] + [line.replace("north", '"no""r,th"') for line in lines[1:]]
    elif edit == "inner_quote":  # a quote inside a field: the csv module's reading, row by row
        lines = [lines[0]] + [line.replace("north", 'no"rth') for line in lines[1:]]
    elif edit == "quoted_newline":
        lines = [lines[0]] + [line.replace("north", '"no\nrth"') for line in lines[1:]]
    text = ("\r\n" if edit == "crlf" else "\n").join(lines) + "\n"
    path = tmp_path / "su.csv"
    path.write_bytes((b"\xef\xbb\xbf" if edit == "bom" else b"") + text.encode("utf-8"))
    expected_plain = "not plain" if edit in ("inner_quote", "quoted_newline") else None
    if expected_plain:
        assert _plain(path) == expected_plain
    else:
        assert _plain(path) is not None
    a, err_a = _load(path, slow=False, monkeypatch=monkeypatch)
    b, err_b = _load(path, slow=True, monkeypatch=monkeypatch)
    assert err_a is None and err_b is None, (err_a, err_b)
    _same(a, b)


FAULTY = sorted(p.name for p in CSV.glob("su_*.csv") if p.name not in ("su_valid.csv", "su_for_informal_care.csv"))


@pytest.mark.parametrize("name", FAULTY)
def test_every_faulty_test_file_is_left_to_the_row_by_row_loader(name, monkeypatch):
    assert _plain(CSV / name, set(UNIT_COSTS.codes)) in (None, "not plain")
    _, err_a = _load(CSV / name, slow=False, monkeypatch=monkeypatch, unit_costs=UNIT_COSTS)
    _, err_b = _load(CSV / name, slow=True, monkeypatch=monkeypatch, unit_costs=UNIT_COSTS)
    assert err_a is not None and err_a == err_b


def _corrupt(lines: list[str], rng: random.Random) -> list[str]:
    """One random fault (or none) of the kinds the loader checks."""
    out = [line.split(",") for line in lines]
    k = rng.randrange(1, len(out))
    column = rng.randrange(len(SERVICE_USE_COLUMNS))
    kind = rng.randrange(9)
    if kind == 0:
        out[k][column] = rng.choice(["", "x", "-1", "1e400", "nan", "4_5", "\u0664\u0665", "2.5", "0", " 3 "])
    elif kind == 1:
        out.insert(k, list(out[k]))  # a repeated row
    elif kind == 2:
        del out[k]  # may leave a person without a period
    elif kind == 3:
        out[k][SERVICE_USE_COLUMNS.index("service")] = "none"
    elif kind == 4:
        out[k][SERVICE_USE_COLUMNS.index("recall_months")] = "6"
    elif kind == 5:
        out[k] = out[k] + ["extra"]
    elif kind == 6:
        out[k][SERVICE_USE_COLUMNS.index("person_id")] = out[rng.randrange(1, len(out))][0]
    elif kind == 7:
        out[k][SERVICE_USE_COLUMNS.index("service")] = rng.choice(["gp_surgry", "GP", "ae_attendance"])
    return [",".join(cells) for cells in out]


@pytest.mark.parametrize("seed", range(4))
def test_random_faults_give_the_same_data_or_the_same_message(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    base = SYNTHETIC.read_text(encoding="utf-8").splitlines()[:400]
    base = base[: max(i for i, line in enumerate(base) if line.split(",")[1] == "followup") + 1]
    outcomes = set()
    for case in range(40):
        lines = _corrupt(base, rng)
        path = tmp_path / f"su_{seed}_{case}.csv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        known = rng.random() < 0.5
        kw = {"unit_costs": UNIT_COSTS} if known else {}
        a, err_a = _load(path, slow=False, monkeypatch=monkeypatch, **kw)
        b, err_b = _load(path, slow=True, monkeypatch=monkeypatch, **kw)
        assert err_a == err_b, (case, err_a, err_b)
        if a is not None:
            _same(a, b)
        outcomes.add(err_a is None)
    assert outcomes == {True, False}  # both valid and faulty files were tried
