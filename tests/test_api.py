"""The public API's front doors return what the stages return (DataFrames), for notebook use."""
from __future__ import annotations

import pandas as pd

import econ
from econ.analysis.budget import budget_table
from econ.analysis.offset import headline
from econ.analysis.psa import run_psa


def test_front_doors_match_the_stage_functions(peer):
    pd.testing.assert_frame_equal(econ.headline(peer), headline(peer))
    pd.testing.assert_frame_equal(econ.budget(peer), budget_table(peer))
    a, b = econ.psa(peer, n_draws=50, seed=3), run_psa(peer, n_draws=50, seed=3)
    pd.testing.assert_frame_equal(a.outputs, b.outputs)


def test_voi_returns_tables(hiv):
    v = econ.voi(hiv, n_draws=400, seed=2, n_boot=20)
    assert isinstance(v.evpi, pd.DataFrame) and isinstance(v.evppi, pd.DataFrame) and v.evsi is None
    assert {"parameters", "evppi", "se", "perspective", "per"} <= set(v.evppi.columns)


def test_public_names_are_exported():
    for name in ("load_scenario", "compile_path", "run", "psa", "headline", "budget", "voi", "make_report", "Results"):
        assert name in econ.__all__ and hasattr(econ, name)


def test_dsa_gsa_and_report_front_doors(peer, tmp_path):
    from econ.analysis.dsa import oneway

    pd.testing.assert_frame_equal(econ.dsa(peer, "net_cost:group"), oneway(peer, "net_cost:group"))
    g = econ.gsa(peer, method="morris", n=4, outputs=["net_cost:group"])
    assert isinstance(g.indices, pd.DataFrame) and len(g.indices)
    folder = econ.make_report(peer, out=tmp_path / "r", draws=50, formats=["csv"])
    assert (folder / "report.html").exists() and (folder / "manifest.json").exists()
