"""The cache of checked service-use files (econ.inputs.data_cache) returns what reading the rows returns.

A hit must give the same objects as a fresh read (frame with its dtypes, arrays, services,
metadata) without reading rows; any change of a file's bytes, a malformed entry or the cache turned
off means the rows are read again; files with problems are never cached.
"""
from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from econ.core.errors import DataError
from econ.inputs import data_cache, service_use_load
from econ.inputs.service_use_load import load_service_use

from .conftest import SCENARIOS

DATA = SCENARIOS / "data"


@pytest.fixture
def files(tmp_path, monkeypatch):
    """Copies of the synthetic service-use, informal-care and metadata files, and a cache folder."""
    for name in ("SYNTHETIC_service_use.csv", "SYNTHETIC_informal_care.csv", "SYNTHETIC_metadata.yaml"):
        shutil.copy(DATA / name, tmp_path / name)
    monkeypatch.setenv(data_cache.ENV, str(tmp_path / "cache"))
    return tmp_path / "SYNTHETIC_service_use.csv", tmp_path / "SYNTHETIC_informal_care.csv", tmp_path / "cache"


def _same(a, b):
    pd.testing.assert_frame_equal(a.persons, b.persons)
    assert a.persons.dtypes.tolist() == b.persons.dtypes.tolist()
    for name in ("monthly_use", "recall_months", "informal_care_monthly"):
        assert np.array_equal(getattr(a, name), getattr(b, name)), name
        assert not getattr(b, name).flags.writeable
    assert (a.services, a.synthetic, a.metadata, a.source_file) == (b.services, b.synthetic, b.metadata, b.source_file)


def _no_reading(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("rows were read")
    monkeypatch.setattr(service_use_load, "read_csv_rows", fail)


def test_a_hit_gives_the_fresh_result_without_reading_rows(files, monkeypatch):
    su, ic, cache = files
    fresh = load_service_use(su, informal_care_path=ic)
    assert len(list(cache.glob("service_use-*.json"))) == 1
    _no_reading(monkeypatch)
    _same(fresh, load_service_use(su, informal_care_path=ic))


def test_changed_bytes_or_a_bad_entry_read_the_rows_again(files, monkeypatch):
    su, ic, cache = files
    fresh = load_service_use(su, informal_care_path=ic)
    entry = next(cache.glob("service_use-*.json"))
    entry.write_text("{not json", encoding="utf-8")
    _same(fresh, load_service_use(su, informal_care_path=ic))  # read again, entry rewritten
    su.write_text(su.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # same rows, other bytes
    calls = []
    real = service_use_load.read_csv_rows
    monkeypatch.setattr(service_use_load, "read_csv_rows", lambda *a, **k: calls.append(a) or real(*a, **k))
    _same(fresh, load_service_use(su, informal_care_path=ic))
    assert calls, "a changed file must be read"
    # without the informal-care file the key differs too
    calls.clear()
    load_service_use(su)
    assert calls


def test_files_with_problems_are_not_cached_and_off_writes_nothing(files, monkeypatch):
    su, ic, cache = files
    lines = su.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(lines[1].split(",")[-1], "-3")  # a negative quantity
    su.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for _ in range(2):
        with pytest.raises(DataError, match=r"SYNTHETIC_service_use.csv:2: quantity: must be >= 0"):
            load_service_use(su, informal_care_path=ic)
    assert not list(cache.glob("*.json"))
    monkeypatch.setenv(data_cache.ENV, "off")
    good = DATA / "SYNTHETIC_service_use.csv"
    load_service_use(good)
    assert not cache.exists() or not list(cache.glob("*.json"))
