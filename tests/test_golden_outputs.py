"""Results are bit-identical to stored outputs of the default and HIV scenarios.

The stored files (``tests/data/golden/outputs``) were written by ``scripts/make_golden_outputs.py``
before the package layout changed; every table (base-case totals, per-cycle amounts, trace,
headline, budget, a seeded PSA and its summaries) is written with 17 significant digits, which
round-trips a float64, so equal text means equal numbers, bit for bit. Tolerance: none.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
STORED = ROOT / "tests" / "data" / "golden" / "outputs"

_spec = importlib.util.spec_from_file_location("make_golden_outputs", ROOT / "scripts" / "make_golden_outputs.py")
golden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(golden)


@pytest.mark.parametrize("case", sorted(golden.CASES))
def test_outputs_identical_to_stored(case):
    tables = golden.golden_tables(case)
    stored = sorted(p.name for p in STORED.glob(f"{case}_*.csv"))
    assert sorted(f"{case}_{stem}.csv" for stem in tables) == stored
    for stem, frame in tables.items():
        text = frame.to_csv(index=False, float_format="%.17g", lineterminator="\n")
        expected = (STORED / f"{case}_{stem}.csv").read_text(encoding="utf-8")
        assert text == expected, f"{case}_{stem}.csv differs from the stored output"
