"""Per-draw Parquet files written in the background (econ.report.files.PendingWrite): the same bytes as
writing in the foreground, the file appears only at commit, in order, and never if the run stops."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from econ.cli.main import main
from econ.report import files

from .conftest import SCENARIOS

HIV = str(SCENARIOS / "validation" / "chancellor_hiv.yaml")


def _columns(n=5_000):
    rng = np.random.default_rng(1)
    text = pd.Series(np.where(rng.random(n) < 0.5, "comb", "=mono")).astype("str")  # pyarrow-backed text
    return {"draw": np.arange(n), "x": rng.normal(size=n), "strategy": text.array}


def test_same_bytes_and_appears_at_commit(tmp_path):
    now = files.write_parquet(tmp_path / "now.parquet", _columns())
    job = files.write_parquet_later(tmp_path / "later.parquet", _columns())
    assert not (tmp_path / "later.parquet").exists()  # only its temporary file until commit
    path = job.commit()
    job.discard()  # after commit: nothing to do
    assert path.read_bytes() == now.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["later.parquet", "now.parquet"]
    back = pd.read_parquet(path)
    assert set(back["strategy"].astype(object)) == {"comb", "'=mono"}  # text neutralised


def test_text_from_pandas_equals_text_from_an_object_array(tmp_path):
    cols = _columns()
    as_objects = dict(cols, strategy=np.asarray(cols["strategy"], dtype=object))
    a = files.write_parquet(tmp_path / "a.parquet", cols)
    b = files.write_parquet(tmp_path / "b.parquet", as_objects)
    assert a.read_bytes() == b.read_bytes()


def test_discard_leaves_nothing(tmp_path):
    files.write_parquet_later(tmp_path / "x.parquet", _columns()).discard()
    assert list(tmp_path.iterdir()) == []


def test_failure_in_the_background_is_raised_at_commit(tmp_path, monkeypatch):
    def broken(columns):
        def fill(fd, tmp):
            import os
            os.close(fd)
            raise OSError(28, "No space left on device")
        return fill

    monkeypatch.setattr(files, "_parquet_fill", broken)
    job = files.write_parquet_later(tmp_path / "x.parquet", _columns())
    with pytest.raises(files.OutputError, match="No space left"):
        job.commit()
    assert list(tmp_path.iterdir()) == []


def test_psa_that_stops_after_the_draws_leaves_no_per_draw_file(tmp_path, monkeypatch, capsys):
    import econ.analysis.psa as psa

    def fail(*args, **kwargs):
        raise RuntimeError("stopped while summarising")

    monkeypatch.setattr(psa, "psa_tables", fail)
    out = tmp_path / "run"
    assert main(["psa", HIV, "--draws", "20000", "--out", str(out)]) != 0
    capsys.readouterr()
    assert list(out.iterdir()) == []  # psa_draws.parquet was being written: its temporary file is gone
