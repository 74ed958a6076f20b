"""The HTML report has a value-of-information section in plain words, with its table and figure."""
from __future__ import annotations

import re
import subprocess
import sys

import pandas as pd

from .conftest import ROOT, SCENARIOS


def test_report_has_a_value_of_information_section(tmp_path):
    out = tmp_path / "rep"
    done = subprocess.run([sys.executable, str(ROOT / "run_model.py"), "report", str(SCENARIOS / "side_by_side.yaml"),
                           "--draws", "500", "--format", "csv", "--out", str(out)], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Should we fund it now, or find out more first?" in html
    text = re.sub(r"<[^>]+>", " ", html)
    assert re.search(r"If every uncertainty were resolved, the decision would be better by about £[\d,]+ per person",
                     text)
    assert "attribution" in text and "the service-use data" in text
    table = pd.read_csv(out / "tables" / "evppi.csv")
    assert len(table) == 10 and (table.iloc[:, 1].diff().dropna() <= 0).all()  # sorted, worth most first
    assert (out / "plots" / "evppi.svg").exists()
