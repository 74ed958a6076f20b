"""Grouped one-way analysis (issue 22): a group row varies all its members together."""
from __future__ import annotations

import re

import numpy as np
import pytest

from econ.analysis import dsa
from econ.analysis.dsa_groups import group_ranges
from econ.analysis.outputs import output_values, parse_output
from econ.core.errors import ScenarioError
from econ.model.evaluate import evaluate
from econ.model.run import compile_path

from .conftest import SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"
HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
OUT = "net_cost:group"


def _output_with(compiled, **values) -> float:
    table = compiled.parameters.point_table().with_values(**values)
    return float(output_values(compiled, evaluate(compiled, table), parse_output(compiled, OUT))[0])


@pytest.fixture(scope="module")
def grouped(peer):
    return dsa.oneway(peer, OUT, grouped=True).set_index("parameter")


def test_groups_and_ungrouped_rows(peer, grouped):
    assert {"service_use_reductions", "service_use_baseline", "unit_costs", "delivery", "engagement",
            "persistence"} <= set(grouped.index)
    # attribution is fixed at 1 since issue 13 (the effect is estimated); smr is in no group
    assert "smr" in grouped.index and "attribution" not in grouped.index and "p_taper_group" not in grouped.index
    members = grouped.loc["engagement", "members"].split(", ")
    assert set(members) == {"p_taper_group", "p_drop_group", "p_taper_121", "p_drop_121", "p_taper_online",
                            "p_drop_online", "p_stop"}
    # A name written in 'delivery' takes the peer worker's unit cost out of '@unit_cost'.
    assert "c_psw_hour" in grouped.loc["delivery", "members"] and "c_psw_hour" not in grouped.loc["unit_costs", "members"]
    assert grouped.base.nunique() == 1 and grouped.swing.is_monotonic_decreasing
    assert grouped.loc["smr", "output_low"] == dsa.oneway(peer, OUT, parameters=["smr"]).output_low[0]


def test_range_group_row_moves_every_member_to_its_low_and_high(peer, grouped):
    for group in ("engagement", "unit_costs", "delivery"):
        names = grouped.loc[group, "members"].split(", ")
        ranges = {n: dsa.parameter_range(peer, n) for n in names}
        low = _output_with(peer, **{n: r.low for n, r in ranges.items()})
        high = _output_with(peer, **{n: r.high for n, r in ranges.items()})
        assert grouped.loc[group, "output_low"] == pytest.approx(low, rel=1e-12)
        assert grouped.loc[group, "output_high"] == pytest.approx(high, rel=1e-12)


def test_bootstrap_group_row_is_one_joint_replicate_at_the_output_percentiles(peer, grouped):
    row = grouped.loc["service_use_reductions"]
    names = row["members"].split(", ")
    lo, hi = map(int, re.search(r"replicates (\d+) and (\d+)", row["range_source"]).groups())
    reps = {n: peer.parameters[n].distribution.replicates for n in names}
    # Each end equals a plain run with every member at the values of that one joint replicate.
    assert row["output_low"] == pytest.approx(_output_with(peer, **{n: v[lo] for n, v in reps.items()}), rel=1e-12)
    assert row["output_high"] == pytest.approx(_output_with(peer, **{n: v[hi] for n, v in reps.items()}), rel=1e-12)
    # Those replicates sit at the 2.5th and 97.5th order statistics of the output over all replicates
    # (computed here independently, one table of R rows built column by column).
    n_rep = len(next(iter(reps.values())))
    base = peer.parameters.point_table().columns
    cols = {k: np.repeat(v, n_rep) for k, v in base.items()}
    cols.update(reps)
    from econ.model.parameters import ParameterTable

    y = output_values(peer, evaluate(peer, ParameterTable(cols, n_rep)), parse_output(peer, OUT))
    k = round(0.025 * (n_rep - 1))
    assert np.sort(y)[k] == pytest.approx(row["output_low"], rel=1e-12)
    assert np.sort(y)[n_rep - 1 - k] == pytest.approx(row["output_high"], rel=1e-12)


def test_ungrouped_is_unchanged_and_hiv_has_no_default_groups(hiv):
    plain, grouped = dsa.oneway(hiv, "inc_total_cost:comb"), dsa.oneway(hiv, "inc_total_cost:comb", grouped=True)
    assert list(plain.parameter) == list(grouped.parameter)
    np.testing.assert_array_equal(plain.swing, grouped.swing)


@pytest.mark.parametrize("groups, message", [
    ({"g": ["nope"]}, r"dsa_groups\.g\[0\].*unknown parameter 'nope'"),
    ({"g": ["zz_*"]}, r"dsa_groups\.g\[0\].*'zz_\*' matches no parameter"),
    ({"g": ["@costs"]}, r"unknown selector '@costs'"),
    ({"g": ["c_dmed_*"], "h": ["c_dmed_A"], "k": ["c_*"]}, r"dsa_groups\.k\[0\].*already in group 'g'"),
    ({"g": ["tA"]}, r"dsa_groups\.g.*Dirichlet"),
])
def test_bad_groups_are_refused_with_their_location(write_scenario, groups, message):
    path = write_scenario({"extends": str(HIV), "dsa_groups": groups})
    with pytest.raises(ScenarioError, match=message):
        group_ranges(compile_path(path))


def test_mixed_group_is_refused(write_scenario):
    path = write_scenario({"extends": str(DEFAULT), "dsa_groups": {"mix": ["smr", "r_gp_surgery_group"]}})
    with pytest.raises(ScenarioError, match=r"dsa_groups\.mix.*mixes service-use statistics"):
        group_ranges(compile_path(path))
