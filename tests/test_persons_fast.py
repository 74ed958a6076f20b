"""A persons file (default format) read column by column gives what the row-by-row reader gives.

``econ.inputs.followup.read_persons`` takes a plain file through ``_plain_persons`` (issue 19); any file
with a problem, a blank line or a repeated person goes row by row. Each case is read both ways (the
column way switched off by monkeypatching) and the results compared: the valid rows (line, cluster,
followed, scores), each person's line, the columns and every problem message.
"""
from __future__ import annotations

import numpy as np
import pytest

from econ.inputs import followup


def _both(path, monkeypatch):
    fast = followup.read_persons(path)
    with monkeypatch.context() as m:
        m.setattr(followup, "_plain_persons", lambda *a: None)
        slow = followup.read_persons(path)
    return fast, slow


def _same(fast, slow):
    (log_f, out_f, cols_f, lines_f), (log_s, out_s, cols_s, lines_s) = fast, slow
    assert [str(p) for p in log_f.problems] == [str(p) for p in log_s.problems]
    assert cols_f == cols_s
    assert lines_f == lines_s
    assert out_f.keys() == out_s.keys()
    for person, row in out_s.items():
        other = out_f[person]
        assert other[:3] == row[:3]  # line, cluster, followed
        for a, b in zip(other[3:], row[3:]):  # scores, NaN when lost
            assert (np.isnan(a) and np.isnan(b)) or (a == b and type(a) is type(b) is float)


def _random_file(rng, *, cluster: bool, followed: bool) -> str:
    header = ["person_id", "swemwbs_baseline", "swemwbs_followup"] + (["cluster"] if cluster else []) + (
        ["followed_up"] if followed else [])
    order = rng.permutation(len(header))
    lines = [",".join(header[k] for k in order)]
    for i in range(int(rng.integers(1, 60))):
        lost = followed and rng.random() < 0.3
        cells = [f"P{i:03d}", str(int(rng.integers(7, 36))), "" if lost else str(int(rng.integers(7, 36)))]
        cells += [f"site {int(rng.integers(0, 4))}"] if cluster else []
        cells += ["no" if lost else "yes"] if followed else []
        lines.append(",".join(cells[k] for k in order))
    return "\n".join(lines) + ("\n" if rng.random() < 0.7 else "")


@pytest.mark.parametrize("seed", range(12))
def test_valid_files_read_the_same_both_ways(tmp_path, monkeypatch, seed):
    rng = np.random.default_rng(seed)
    path = tmp_path / "persons.csv"
    path.write_text(_random_file(rng, cluster=seed % 2 == 0, followed=seed % 3 != 0), encoding="utf-8")
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)
    assert not fast[0].problems and fast[1]


def test_the_column_way_is_taken_for_a_plain_file(tmp_path, monkeypatch):
    """So the comparisons above compare two ways, not one way twice."""
    path = tmp_path / "persons.csv"
    path.write_text("person_id,swemwbs_baseline,swemwbs_followup,followed_up\nA,7,35,yes\nB,20,,no\n", encoding="utf-8")
    calls = []
    real = followup._plain_persons
    monkeypatch.setattr(followup, "_plain_persons", lambda *a: calls.append(1) or real(*a))
    log, out, _, lines = followup.read_persons(path)
    assert calls and real(path, *_table(path)) is not None
    assert lines == {"A": 2, "B": 3} and out["A"].followup == 35.0 and np.isnan(out["B"].followup)


def _table(path):
    from econ.inputs.csv_reader import ProblemLog, read_csv_table

    columns = followup.persons_columns(path)
    return read_csv_table(path, columns=columns, log=ProblemLog(str(path)))[1], columns


CASES = {
    "blank line": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12\n\nB,11,13\n",
    "blank line of commas": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12\n,,\nB,11,13\n",
    "repeated person": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12\nA,11,13\n",
    "score out of range": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,40\nB,6,13\n",
    "not whole": "person_id,swemwbs_baseline,swemwbs_followup\nA,10.5,12\n",
    "not a number": "person_id,swemwbs_baseline,swemwbs_followup\nA,ten,12\n",
    "empty score": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,\n",
    "empty id": "person_id,swemwbs_baseline,swemwbs_followup\n,10,12\nB,11,13\n",
    "lost with a score": "person_id,swemwbs_baseline,swemwbs_followup,followed_up\nA,10,12,no\nB,11,13,yes\n",
    "bad followed_up": "person_id,swemwbs_baseline,swemwbs_followup,followed_up\nA,10,12,maybe\n",
    "empty cluster": "person_id,swemwbs_baseline,swemwbs_followup,cluster\nA,10,12,\nB,11,13,s1\n",
    "quoted and spaced": 'person_id,swemwbs_baseline,swemwbs_followup,cluster\n"A", 10 ,12,"site, north"\nB,11,13,s1\n',
    "crlf and bom": "\ufeffperson_id,swemwbs_baseline,swemwbs_followup\r\nA,10,12\r\nB,11,13\r\n",
    "no final newline": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12\nB,11,13",
    "two final newlines": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12\n\n",
    "wrong field count": "person_id,swemwbs_baseline,swemwbs_followup\nA,10,12,4\nB,11,13\n",
    "line break in quotes": 'person_id,swemwbs_baseline,swemwbs_followup,cluster\nA,10,12,"a\nb"\n',
    "header only": "person_id,swemwbs_baseline,swemwbs_followup\n",
    "infinite": "person_id,swemwbs_baseline,swemwbs_followup\nA,inf,12\n",
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_files_with_problems_or_blank_lines_read_the_same_both_ways(tmp_path, monkeypatch, case):
    path = tmp_path / "persons.csv"
    path.write_bytes(CASES[case].encode("utf-8"))
    _same(*_both(path, monkeypatch))


def test_shipped_persons_file_reads_the_same_both_ways(monkeypatch):
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scenarios" / "data" / "SYNTHETIC_persons.csv"
    fast, slow = _both(path, monkeypatch)
    _same(fast, slow)
    assert len(fast[1]) == 700
