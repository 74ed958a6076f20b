"""DMHEE exercise 2.5 (Chancellor et al. 1997 HIV model) against its published answers."""
import pytest

import econ

from .conftest import SCENARIOS

HIV = SCENARIOS / "validation"

# Published to 7 decimals (validation.md section 1): the engine must match to relative 1e-7,
# the precision of the printed figures (the arithmetic itself agrees to ~1e-12).
PUBLISHED_END = {"mono": (44663.4535637, 7.9912066), "comb": (50601.6513312, 8.9373889)}
# Variant rows are printed to 2 decimals (cost, ICER) and 6 decimals (LY): compare to half a unit
# of the last printed digit.
VARIANTS = {
    "chancellor_hiv_trapezoid.yaml": {"mono": (45724.36, 8.475325), "comb": (51600.84, 9.416785), "icer": 6241.89},
    "chancellor_hiv_start.yaml": {"mono": (46785.26, 8.959443), "comb": (52600.04, 9.896182), "icer": 6207.47},
}


def test_end_of_cycle_matches_published_to_1e7():
    res = econ.run(HIV / "chancellor_hiv.yaml")
    for strategy, (cost, ly) in PUBLISHED_END.items():
        assert res.summary.loc[strategy, "total_cost"] == pytest.approx(cost, rel=1e-7)
        assert res.summary.loc[strategy, "ly"] == pytest.approx(ly, rel=1e-7)
    assert res.incremental.loc["comb", "icer"] == pytest.approx(6275.9556, abs=5e-5)


@pytest.mark.parametrize("name", sorted(VARIANTS))
def test_variant_counting_rows_match_printed_precision(name):
    res = econ.run(HIV / name)
    expected = VARIANTS[name]
    for strategy in ("mono", "comb"):
        cost, ly = expected[strategy]
        assert res.summary.loc[strategy, "total_cost"] == pytest.approx(cost, abs=0.005)
        assert res.summary.loc[strategy, "ly"] == pytest.approx(ly, abs=5e-7)
    assert res.incremental.loc["comb", "icer"] == pytest.approx(expected["icer"], abs=0.005)


def test_trapezoid_life_years_unit_check():
    """Trapezoid LY = end LY + 0.5 x (1 - P(alive after cycle 20)) (validation.md)."""
    end = econ.run(HIV / "chancellor_hiv.yaml")
    trap = econ.run(HIV / "chancellor_hiv_trapezoid.yaml")
    tr = end.trace
    for s in ("mono", "comb"):
        alive_T = tr[(tr.strategy == s) & (tr.cycle == 20) & (tr.state != "D")].share.sum()
        assert trap.summary.loc[s, "ly"] == pytest.approx(end.summary.loc[s, "ly"] + 0.5 * (1 - alive_T), abs=1e-12)


def test_variants_differ_from_parent_only_in_counting():
    parent = econ.load_scenario(HIV / "chancellor_hiv.yaml")
    child = econ.load_scenario(HIV / "chancellor_hiv_trapezoid.yaml")
    a, b = dict(parent.raw), dict(child.raw)
    assert a["settings"]["cycle_correction"] == "end" and b["settings"]["cycle_correction"] == "trapezoid"
    for key in ("parameters", "states", "transitions", "strategies", "values", "totals", "icer"):
        assert a[key] == b[key]
    assert [f.path.rsplit("/", 1)[-1] for f in child.files] == ["chancellor_hiv_trapezoid.yaml", "chancellor_hiv.yaml"]
