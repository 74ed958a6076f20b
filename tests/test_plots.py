"""Report plots: each draws tidy tables (as the analyses produce them) on an Agg figure, saved as PNG and SVG."""
from __future__ import annotations

import xml.etree.ElementTree as ET

import numpy as np
import pandas as pd
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg

import econ
from econ.report import plots as P

from .conftest import SCENARIOS

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
STRATEGIES = ["group", "online"]


@pytest.fixture(scope="module")
def hiv():
    return econ.compile_path(HIV)


@pytest.fixture(scope="module")
def hiv_psa(hiv):
    from econ.analysis.psa import run_psa

    return run_psa(hiv, n_draws=200, seed=11)


def _per_draw(rng, n=300):
    return pd.concat([pd.DataFrame({"draw": np.arange(n), "strategy": s,
                                    "net_cost": rng.normal(mu, 200, n), "delivery_cost": rng.gamma(9, 40, n),
                                    "cost_offset": rng.normal(300, 150, n)})
                      for s, mu in zip(STRATEGIES, (300, -80))], ignore_index=True)


def _budget():
    rows = []
    for s in STRATEGIES:
        cum = 0.0
        for y, (d, o) in enumerate([(90e3, 30e3), (130e3, 80e3), (20e3, 90e3)]):
            cum += d - o
            rows.append({"perspective": "nhs_pss", "strategy": s, "financial_year": f"{2025 + y}/{26 + y}",
                         "people_starting": 100.0, "delivery_cost": d, "cost_offset": o, "net_cost": d - o,
                         "cumulative_net_cost": cum})
    return pd.DataFrame(rows)


def _band():
    cycles = np.arange(1, 37)
    return pd.concat([pd.DataFrame({"strategy": s, "cycle": cycles, "mean": m * np.log1p(cycles),
                                    "lower": m * np.log1p(cycles) - 200, "upper": m * np.log1p(cycles) + 200})
                      for s, m in zip(STRATEGIES, (100, -30))], ignore_index=True)


def _trace():
    rows = []
    for s in STRATEGIES:
        for t in range(13):
            engaged = 0.8**t
            rows += [{"strategy": s, "cycle": t, "state": "engaged", "share": engaged},
                     {"strategy": s, "cycle": t, "state": "lapsed", "share": 1 - engaged}]
    return pd.DataFrame(rows)


def _headline():
    rows = []
    for s, (d, o) in zip(STRATEGIES, ((730, 389), (215, 297))):
        for m, v in (("delivery_cost", d), ("cost_offset", o), ("net_cost", d - o)):
            rows.append({"perspective": "nhs_pss", "discounting": "discounted", "strategy": s, "measure": m,
                         "per_participant": float(v), "population": 1000.0 * v})
    return pd.DataFrame(rows)


TORNADO = pd.DataFrame({"output": "net_cost:group", "parameter": ["attribution", "p_fade", "c_fixed_year"],
                        "low_value": [0.13, 0.02, 14000.0], "high_value": [0.87, 0.07, 52000.0],
                        "output_low": [630.0, 300.0, 250.0], "output_high": [50.0, 380.0, 470.0], "base": 342.0})
SOBOL = pd.DataFrame({"output": "net_cost:group", "parameter": ["attribution", "p_fade", "smr"],
                      "S1": [0.6, 0.1, 0.0], "S1_conf": [0.05, 0.02, 0.01], "ST": [0.7, 0.15, 0.01],
                      "ST_conf": [0.06, 0.03, 0.01]})
MORRIS = pd.DataFrame({"output": "net_cost:group", "parameter": ["attribution", "p_fade", "smr"],
                       "mu_star": [300.0, 80.0, 5.0], "mu_star_conf": [20.0, 10.0, 2.0], "sigma": [90.0, 60.0, 1.0]})


def cases(rng):
    """Every plot function with a small table of the documented shape."""
    per_draw = _per_draw(rng)
    grid = np.linspace(-600, 900, 31)
    curve = pd.concat([pd.DataFrame({"threshold": grid, "strategy": s,
                                     "probability": [(per_draw[per_draw.strategy == s].net_cost <= g).mean()
                                                     for g in grid]}) for s in STRATEGIES])
    plane = pd.DataFrame({"strategy": "comb", "inc_effect": rng.normal(0.9, 0.2, 200),
                          "inc_cost": rng.normal(6000, 1500, 200)})
    ceac = pd.DataFrame({"wtp": np.repeat([0.0, 10e3, 20e3], 2), "strategy": ["mono", "comb"] * 3,
                         "prob_optimal": [1.0, 0.0, 0.6, 0.4, 0.1, 0.9]})
    comparison = pd.DataFrame({"scenario": ["a", "a", "b", "b"], "strategy": STRATEGIES * 2,
                               "value": [342.0, -82.0, 257.0, -109.0]})
    return {
        "tornado": lambda: P.plot_tornado(TORNADO, output_label="Net cost, group"),
        "net_cost_distribution": lambda: P.plot_net_cost_distribution(per_draw),
        "ce_plane": lambda: P.plot_ce_plane(plane, effect_label="Life-years gained", wtp=20_000),
        "cost_savings_plane": lambda: P.plot_cost_savings_plane(per_draw),
        "acceptability": lambda: P.plot_acceptability(ceac),
        "net_cost_curve": lambda: P.plot_acceptability(curve, x="threshold", y="probability"),
        "cumulative_net_cost": lambda: P.plot_cumulative_net_cost(_band()),
        "budget": lambda: P.plot_budget(_budget()),
        "sobol": lambda: P.plot_sobol(SOBOL),
        "morris": lambda: P.plot_morris(MORRIS),
        "state_occupancy": lambda: P.plot_state_occupancy(_trace(), state_labels={"engaged": "Engaged"}),
        "cost_and_savings": lambda: P.plot_cost_and_savings(_headline()),
        "comparison": lambda: P.plot_comparison(comparison),
    }


def test_every_plot_draws_on_agg_and_saves_png_and_svg(rng, tmp_path):
    for name, make in cases(rng).items():
        fig = make()
        assert isinstance(fig.canvas, FigureCanvasAgg), name
        assert fig.axes, name
        paths = P.save_figure(fig, tmp_path / name)
        assert [p.name for p in paths] == [f"{name}.png", f"{name}.svg"]
        assert paths[0].read_bytes().startswith(PNG_MAGIC), name
        root = ET.fromstring(paths[1].read_bytes())
        assert root.tag.endswith("svg"), name
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        f"{n}.{e}" for n in cases(rng) for e in ("png", "svg"))


def test_plots_show_what_they_say(rng):
    fig = P.plot_tornado(TORNADO, output_label="Net cost, group", parameter_labels={"attribution": "Attribution"})
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels[-1].startswith("Attribution\n(0.13 to 0.87)")  # largest swing drawn at the top
    assert ax.get_xlabel() == "Net cost, group (GBP)"
    assert len(ax.patches) == 2 * len(TORNADO)
    fig = P.plot_net_cost_distribution(_per_draw(rng))
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    assert any(t.startswith("saves money in") and t.endswith("of simulations") for t in texts)
    fig = P.plot_sobol(SOBOL, max_parameters=2)
    assert [t.get_text() for t in fig.axes[0].get_yticklabels()] == ["p_fade", "attribution"]
    fig = P.plot_state_occupancy(_trace())
    assert len(fig.axes) == len(STRATEGIES)


def test_svg_is_reproducible(rng):
    a = P.figure_bytes(P.plot_budget(_budget()), "svg")
    b = P.figure_bytes(P.plot_budget(_budget()), "svg")
    assert a == b
    uri = P.data_uri(a, "svg")
    assert uri.startswith("data:image/svg+xml;base64,")


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match=r"tornado: the table needs columns parameter, output_low, output_high, "
                                         r"base \(missing base\)"):
        P.plot_tornado(TORNADO.drop(columns="base"))
    with pytest.raises(ValueError, match="output 'nope' is not in the table"):
        P.plot_sobol(SOBOL, output="nope")
    with pytest.raises(ValueError, match="unknown figure format 'pdf'"):
        P.figure_bytes(P.plot_sobol(SOBOL), "pdf")


# --------------------------------------------------------------------------------------------
# The shapes the analyses produce (dsa, psa, gsa): plotted as they come.
def test_plots_accept_analysis_outputs(hiv, hiv_psa):
    from econ.analysis.dsa import oneway
    from econ.analysis.psa import acceptability, ce_plane

    fig = P.plot_tornado(oneway(hiv), currency="GBP")
    assert fig.axes[0].patches
    assert P.plot_ce_plane(ce_plane(hiv_psa)).axes
    assert P.plot_acceptability(acceptability(hiv_psa)).axes
    res = econ.run(hiv)
    assert P.plot_state_occupancy(res.trace).axes


def test_plots_accept_gsa_outputs(hiv):
    gsa = pytest.importorskip("econ.analysis.gsa")
    # Costs only: extreme relative risks in a unit-cube design can push probabilities of this model above 1.
    costs = ["c_dmed_A", "c_dmed_B", "c_comm_C"]
    morris = gsa.run_gsa(hiv, method="morris", n=8, seed=3, progress=False, parameters=costs).indices
    assert {"output", "parameter", "mu_star", "mu_star_conf", "sigma"} <= set(morris.columns)
    assert P.plot_morris(morris).axes
    sobol = gsa.run_gsa(hiv, method="sobol", n=64, seed=3, progress=False, parameters=costs).indices
    assert {"output", "parameter", "S1", "S1_conf", "ST", "ST_conf"} <= set(sobol.columns)
    assert P.plot_sobol(sobol).axes
