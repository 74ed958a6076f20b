"""How unit costs enter the uncertainty analyses (issue 22): fixed in the PSA by default, gamma with the
table's SE under ``gamma_se``; the one-way range is the table's low/high where given."""
from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from econ.analysis import dsa
from econ.analysis.draws import draw_table
from econ.core.errors import ScenarioError
from econ.inputs.unit_costs import load_unit_costs
from econ.model.run import compile_path

from .conftest import SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"
TABLE = load_unit_costs()  # prices 2023/24 (the scenario's price year) except the police rows (2006/07)


def _unit_cost_parameters(compiled) -> dict:
    spec = compiled.loaded.spec.parameters
    return {p.name: getattr(spec[p.name], "unit_cost", None) for p in compiled.parameters.independent
            if getattr(spec[p.name], "unit_cost", None) is not None}


@pytest.fixture(scope="module")
def peer_gamma():
    return compile_path(DEFAULT, overrides=["settings.unit_cost_uncertainty=gamma_se"])


def test_default_is_fixed(peer):
    assert peer.loaded.spec.settings.unit_cost_uncertainty == "fixed"


def test_dsa_range_of_a_unit_cost_is_the_tables_low_high(peer, peer_gamma):
    for compiled in (peer, peer_gamma):  # whichever way the PSA treats them
        for name, code in {"c_psw_hour": "peer_support_worker_hour", "c_ambulance": "ambulance",
                           "c_counsellor_hour": "counsellor_hour", "c_gp_telephone": "gp_telephone"}.items():
            rng = dsa.parameter_range(compiled, name)
            item = TABLE.get(code)
            assert (rng.low, rng.high, rng.base) == (item.low, item.high, item.cost), name
            assert rng.source == "unit-cost table low/high"
    # The peer worker: the file's 30-39, not the 95% interval of a 25% gamma (about 20 to 55).
    assert (dsa.parameter_range(peer, "c_psw_hour").low, dsa.parameter_range(peer, "c_psw_hour").high) == (30, 39)


def test_unit_cost_without_low_high_uses_the_gamma_interval(peer, peer_gamma):
    item = TABLE.get("gp_surgery")
    shape, scale = (item.cost / item.se) ** 2, item.se ** 2 / item.cost
    expected = stats.gamma(shape, scale=scale).ppf([0.025, 0.975])
    for compiled in (peer, peer_gamma):
        rng = dsa.parameter_range(compiled, "c_gp_surgery")
        assert (rng.low, rng.high) == pytest.approx(tuple(expected), rel=1e-9)


def test_dsa_range_written_in_the_scenario_wins(write_scenario):
    path = write_scenario({"extends": str(DEFAULT), "parameters": {"c_psw_hour": {
        "unit_cost": "peer_support_worker_hour", "dsa_range": [20, 55]}}})
    rng = dsa.parameter_range(compile_path(path), "c_psw_hour")
    assert (rng.low, rng.high, rng.source) == (20, 55, "scenario")


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_fixed_unit_costs_do_not_vary_across_psa_draws(peer, seed):
    names = _unit_cost_parameters(peer)
    # 15 NHS and social care unit costs, police and housing support (issue 16), the peer worker and the coordinator
    assert len(names) == 19
    table = draw_table(peer.parameters, 500, rng=np.random.default_rng(seed))
    rebased = peer.context.unit_costs_rebased  # police costs are at 2006/07 prices in the table
    for name, code in names.items():
        assert not peer.parameters[name].is_uncertain, name
        np.testing.assert_array_equal(table.columns[name], np.full(500, rebased.get(code).cost), err_msg=name)
    assert np.std(table.columns["smr"]) > 0  # other parameters still vary


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_gamma_se_unit_costs_vary_with_the_tables_se(peer_gamma, seed):
    n = 20_000
    table = draw_table(peer_gamma.parameters, n, rng=np.random.default_rng(seed))
    rebased = peer_gamma.context.unit_costs_rebased  # re-based to 2023/24 (police costs are at 2006/07 prices)
    for name, code in _unit_cost_parameters(peer_gamma).items():
        item, dist = rebased.get(code), peer_gamma.parameters[name].distribution
        assert dist.name == "gamma", name
        assert (dist.mean, dist.sd) == pytest.approx((item.cost, item.se), rel=1e-12), name
        x = table.columns[name]
        # Known truth: mean = cost, sd = se, within 5 Monte Carlo standard errors. The sample sd has
        # standard error ~ se sqrt((kurtosis_excess + 2) / (4 n)), with excess kurtosis 6 / shape for a gamma.
        shape = (item.cost / item.se) ** 2
        assert abs(x.mean() - item.cost) < 5 * item.se / np.sqrt(n), name
        assert abs(x.std(ddof=1) - item.se) < 5 * item.se * np.sqrt((6 / shape + 2) / (4 * n)), name


def test_a_dist_written_on_a_unit_cost_overrides_fixed(write_scenario):
    path = write_scenario({"extends": str(DEFAULT), "parameters": {"c_psw_hour": {
        "unit_cost": "peer_support_worker_hour", "dist": "gamma", "mean": 35.77, "se": 3}}})
    p = compile_path(path).parameters["c_psw_hour"]
    assert p.is_uncertain and p.distribution.sd == pytest.approx(3)


def test_bad_setting_is_refused(write_scenario):
    path = write_scenario({"extends": str(DEFAULT), "settings": {"unit_cost_uncertainty": "normal"}})
    with pytest.raises(ScenarioError, match=r"unit_cost_uncertainty.*(fixed|gamma_se)"):
        compile_path(path)
