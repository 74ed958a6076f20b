"""Vectorised loading of unit-cost and informal-care files gives the row-by-row data and messages (issue 23).

``econ.inputs.unit_costs._plain_unit_costs`` and ``econ.inputs.service_use_fast.plain_informal_care``
check a plain file column by column and answer None on any problem, so that the row-by-row loader
names it. Checked: the CSV reader's vectorised cells are the csv module's on random texts; the
shipped tables take the vectorised path with identical results; every faulty test file and
hundreds of randomly corrupted files (several seeds) give the same data or the same message by
both paths; a large plain file never reaches the row-by-row checks.
"""
from __future__ import annotations

import csv
import io
import random

import numpy as np
import pytest

import econ.inputs.service_use_fast as fast
import econ.inputs.unit_costs as uc
from econ.core.errors import DataError
from econ.inputs.csv_reader import _plain_frame
from econ.inputs.service_use import load_service_use

from .conftest import DATA, ROOT

CSV = DATA / "csv"
SYNTHETIC = ROOT / "scenarios" / "data" / "SYNTHETIC_service_use.csv"
SYNTHETIC_IC = ROOT / "scenarios" / "data" / "SYNTHETIC_informal_care.csv"
UNIT_COSTS = ROOT / "costs" / "unit_costs.csv"


def _both(load, monkeypatch, target, name, *args, **kw):
    """(result or error text) of ``load`` by the vectorised path, then by the row-by-row path."""
    out = []
    for slow in (False, True):
        with monkeypatch.context() as m:
            if slow:
                m.setattr(target, name, lambda *a, **k: None)
            try:
                out.append(load(*args, **kw))
            except DataError as err:
                out.append(str(err))
    return out


def _costs(path, monkeypatch):
    return _both(uc.load_unit_costs, monkeypatch, uc, "_plain_unit_costs", path)


def _care(path, monkeypatch, service_use=SYNTHETIC):
    def load(p):
        return load_service_use(service_use, informal_care_path=p).informal_care_monthly

    return _both(load, monkeypatch, fast, "plain_informal_care", path)


def _same(a, b) -> None:
    if isinstance(a, str) or isinstance(b, str):
        assert a == b
    elif isinstance(a, np.ndarray):
        assert np.array_equal(a, b) and not a.flags.writeable
    else:
        assert a == b and [repr(x) for x in a] == [repr(x) for x in b]  # same floats, None and text


# ---------------------------------------------------------------------------- the CSV reader
@pytest.mark.parametrize("seed", range(3))
def test_vectorised_cells_are_the_csv_modules_on_random_texts(seed):
    rng = random.Random(seed)
    plain = 0
    for _ in range(800):
        if rng.random() < 0.5:  # written by the csv module (quotes around fields with , " or a line break)
            buf = io.StringIO()
            writer = csv.writer(buf)
            writer.writerow(["x", "y"])
            for _ in range(rng.randrange(1, 4)):
                writer.writerow(["".join(rng.choice(["a", " ", ",", '"', "\n", "b"]) for _ in range(rng.randrange(4)))
                                 for _ in range(2)])
            text = buf.getvalue()
        else:  # any text
            text = "x,y\n" + "".join(rng.choice(["a", " ", ",", '"', "\n", "\r\n", "b"]) for _ in range(rng.randrange(12)))
        frame = _plain_frame(text, ["x", "y"])
        if frame is None:
            continue
        plain += 1
        rows = list(csv.reader(io.StringIO(text, newline="")))
        expected = [[cell.strip() for cell in row] for row in rows[1:] if "".join(row).strip()]
        got = [[frame[c].values[frame[c].codes[k]] for c in ("x", "y")] for k in range(len(frame["x"]))]
        assert got == expected, repr(text)
    assert plain > 150  # the quoted texts were read by the vectorised path, not all handed back


# ---------------------------------------------------------------------------- unit costs
def test_the_shipped_unit_costs_take_the_vectorised_path_identically(monkeypatch):
    table = uc.read_csv_table(UNIT_COSTS, columns=uc.UNIT_COST_COLUMNS, log=uc.ProblemLog(""))[1]
    assert table is not None and uc._plain_unit_costs(table) is not None  # quoted sources and all
    fast_table, slow_table = _costs(UNIT_COSTS, monkeypatch)
    assert fast_table.source_file == slow_table.source_file
    _same(fast_table.items, slow_table.items)
    small = _costs(CSV / "uc_valid_small.csv", monkeypatch)[0]
    assert {item.se_basis for item in small} == {"reported", "default"}  # both kinds of se by the fast path


@pytest.mark.parametrize("name", sorted(p.name for p in CSV.glob("uc_*.csv")))
def test_every_unit_cost_test_file_gives_the_same_by_both_paths(name, monkeypatch):
    a, b = _costs(CSV / name, monkeypatch)
    assert isinstance(a, str) == (name != "uc_valid_small.csv"), (name, a)
    _same(a, b)


def _corrupt_costs(lines: list[str], rng: random.Random) -> list[str]:
    out = [row for row in csv.reader(lines)]
    k = rng.randrange(1, len(out))
    column = rng.randrange(len(uc.UNIT_COST_COLUMNS))
    kind = rng.randrange(6)
    if kind == 0:
        out[k][column] = rng.choice(["", "x", "-1", "1e400", "nan", "4_5", "\u0664\u0665", "2.5", "0", " 3 ", "£4",
                                     "1,000", "GP", "2023/25", "nhs", "proxy"])
    elif kind == 1:
        out.insert(k, list(out[k]))  # a repeated code
    elif kind == 2:
        out[k][uc.UNIT_COST_COLUMNS.index("low")] = str(float(out[k][3] or 0) + rng.choice([-1, 1]))
    elif kind == 3:
        out[k][uc.UNIT_COST_COLUMNS.index("high")] = str(float(out[k][3] or 0) + rng.choice([-1, 1]))
    elif kind == 4:
        out[k] = out[k] + ["extra"]
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\n").writerows(out)
    return buf.getvalue().splitlines()


@pytest.mark.parametrize("seed", range(3))
def test_random_unit_cost_faults_give_the_same_table_or_message(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    base = UNIT_COSTS.read_text(encoding="utf-8").splitlines()
    outcomes = set()
    for case in range(30):
        path = tmp_path / f"uc_{seed}_{case}.csv"
        path.write_text("\n".join(_corrupt_costs(base, rng)) + "\n", encoding="utf-8")
        a, b = _costs(path, monkeypatch)
        _same(a, b)
        outcomes.add(isinstance(a, str))
    assert outcomes == {True, False}


# ---------------------------------------------------------------------------- informal care
def test_every_informal_care_test_file_gives_the_same_by_both_paths(monkeypatch):
    for service_use, care in ((SYNTHETIC, SYNTHETIC_IC), (CSV / "su_for_informal_care.csv", CSV / "ic_bad.csv"),
                              (CSV / "su_valid.csv", CSV / "su_valid_informal_care.csv")):
        a, b = _care(care, monkeypatch, service_use)
        _same(a, b)


def _corrupt_care(lines: list[str], rng: random.Random) -> list[str]:
    out = [line.split(",") for line in lines]
    k = rng.randrange(1, len(out))
    kind = rng.randrange(6)
    if kind == 0:
        out[k][rng.randrange(4)] = rng.choice(["", "x", "-1", "169", "168", "nan", "4_5", "0", " 3 ", "followup",
                                               "SYN-0001", "SYN-0999", "baseline"])
    elif kind == 1:
        out.insert(k, list(out[k]))
    elif kind == 2:
        del out[k]  # a person without a period
    elif kind == 3:
        out[k] = out[k] + ["extra"]
    return [",".join(cells) for cells in out]


def _first_persons(path, n: int, tmp_path) -> tuple:
    """The first ``n`` persons of the shipped service-use file (a copy) and their informal-care lines."""
    lines = path.read_text(encoding="utf-8").splitlines()
    keep = sorted({line.split(",")[0] for line in lines[1:]})[:n]
    su = tmp_path / "su.csv"
    su.write_text("\n".join([lines[0]] + [line for line in lines[1:] if line.split(",")[0] in keep]) + "\n")
    care = SYNTHETIC_IC.read_text(encoding="utf-8").splitlines()
    return su, [care[0]] + [line for line in care[1:] if line.split(",")[0] in keep]


@pytest.mark.parametrize("edit, ok", [
    (lambda rows: rows[:1] + [rows[1][:3] + ["168"]] + rows[2:], True),
    (lambda rows: rows[:1] + [rows[1][:3] + ["169"]] + rows[2:], False),
    (lambda rows: rows[:1] + [rows[1][:2] + ["0"] + rows[1][3:]] + rows[2:], False),
    (lambda rows: rows[:2] + rows[1:], False),  # a repeated row
    (lambda rows: rows[:1] + rows[2:], False),  # a person without baseline
    (lambda rows: rows[:1] + [["SYN-0999"] + rows[1][1:]] + rows[2:], False),  # a person not in the service use
    (lambda rows: rows[:-2], False),  # a person of the service use without rows
    (lambda rows: rows[:1] + [[" " + rows[1][0]] + rows[1][1:]] + rows[2:], True),
])
def test_each_informal_care_rule_gives_the_same_by_both_paths(tmp_path, monkeypatch, edit, ok):
    service_use, base = _first_persons(SYNTHETIC, 10, tmp_path)
    path = tmp_path / "ic.csv"
    path.write_text("\n".join(",".join(row) for row in edit([line.split(",") for line in base])) + "\n")
    a, b = _care(path, monkeypatch, service_use)
    assert isinstance(a, str) != ok, a
    _same(a, b)


@pytest.mark.parametrize("seed", range(3))
def test_random_informal_care_faults_give_the_same_hours_or_message(tmp_path, monkeypatch, seed):
    rng = random.Random(seed)
    service_use, base = _first_persons(SYNTHETIC, 40, tmp_path)
    outcomes = set()
    for case in range(30):
        path = tmp_path / f"ic_{seed}_{case}.csv"
        path.write_text("\n".join(_corrupt_care(base, rng)) + "\n", encoding="utf-8")
        a, b = _care(path, monkeypatch, service_use)
        _same(a, b)
        outcomes.add(isinstance(a, str))
    assert outcomes == {True, False}


# ---------------------------------------------------------------------------- large files
def test_a_large_plain_unit_cost_file_never_reaches_the_row_checks(tmp_path, monkeypatch):
    rows = list(csv.reader(UNIT_COSTS.read_text(encoding="utf-8").splitlines()))
    path = tmp_path / "big.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(rows[0])
        writer.writerows([f"{row[0]}_{k}", *row[1:]] for k in range(400) for row in rows[1:])
    monkeypatch.setattr(uc, "_row_items", lambda *a: pytest.fail("the row-by-row checks ran"))
    monkeypatch.setattr(uc, "read_csv_rows", lambda *a, **k: pytest.fail("the file was read row by row"))
    table = uc.load_unit_costs(path)
    assert len(table) == 400 * (len(rows) - 1) and table.get("gp_surgery_399").cost == 45.0


def test_a_large_plain_informal_care_file_never_reaches_the_row_checks(monkeypatch):
    import econ.inputs.service_use_load as load

    monkeypatch.setattr(load, "read_csv_rows", lambda *a, **k: pytest.fail("a file was read row by row"))
    monkeypatch.setattr(load, "check_choice", lambda *a, **k: pytest.fail("the row-by-row checks ran"))
    data = load_service_use(SYNTHETIC, informal_care_path=SYNTHETIC_IC)
    assert data.informal_care_monthly.shape == (2, data.n_persons)
