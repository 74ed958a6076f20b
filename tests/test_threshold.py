"""Threshold (break-even) analysis by bracketing root finding."""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis import dsa
from econ.analysis.offset import break_even_attribution
from econ.analysis.outputs import output_values, parse_output
from econ.core.errors import EconError, ScenarioError
from econ.model.evaluate import evaluate

from .conftest import SCENARIOS

HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"
DEFAULT = SCENARIOS / "side_by_side.yaml"

#: A threshold substituted back into the model must give the target to this absolute tolerance:
#: the root is found to about 4 machine epsilons of the parameter, and the outputs here change by
#: at most ~1e5 per unit of parameter, so rounding leaves errors near 1e-10.
SUBSTITUTION_TOL = 1e-8


def _substitute(compiled, parameter: str, value: float, output: str) -> float:
    """Put the threshold back into a fresh deterministic run (other Dirichlet components rescaled by hand)."""
    values = {parameter: value}
    for p in compiled.parameters.independent:
        if parameter in p.components and parameter != p.name:
            point = np.asarray(p.point, dtype=float)
            i = p.components.index(parameter)
            values.update({c: point[j] * (1 - value) / (1 - point[i]) for j, c in enumerate(p.components) if j != i})
    table = compiled.parameters.point_table().with_values(**values)
    return float(output_values(compiled, evaluate(compiled, table), parse_output(compiled, output))[0])


@pytest.mark.parametrize("parameter, output, target, lo, hi", [
    ("rr_comb", "icer:comb", 20_000.0, 0.1, 0.95),
    ("c_lam", "icer:comb", 10_000.0, 0.0, 20_000.0),
    ("c_dmed_C", "inc_total_cost:comb", 5_000.0, None, None),
    ("tA_D", "inc_ly:comb", 0.946, 0.0, 0.05),
])
def test_threshold_substituted_back_gives_the_target(hiv, parameter, output, target, lo, hi):
    res = dsa.threshold(hiv, parameter, output, target=target, lo=lo, hi=hi)
    assert res.lo <= res.value <= res.hi
    assert abs(_substitute(hiv, parameter, res.value, output) - target) <= SUBSTITUTION_TOL
    assert abs(res.output_at_value - target) <= SUBSTITUTION_TOL


def test_break_even_attribution_agrees_with_the_offset_module(peer_pre_post):
    peer = peer_pre_post  # the before-after model of before issue 13, which breaks even within [0, 1]
    # the mixed offer (group support only breaks even at 100% since issue 16's delivery costs)
    res = dsa.threshold(peer, "attribution", "net_cost:mixed", lo=0.0, hi=1.0)
    assert abs(_substitute(peer, "attribution", res.value, "net_cost:mixed")) <= SUBSTITUTION_TOL
    persp = peer.loaded.spec.cost_offset.perspectives[0]
    k = peer.model.strategy_names.index("mixed")
    closed = break_even_attribution(peer, peer.parameters.point_table(), persp)[0, k]
    # the offset module solves the linear equation N(0) + a (N(1) - N(0)) = 0 directly
    assert res.value == pytest.approx(closed, rel=1e-9)
    assert res.crossings == (res.value,)
    assert res.output_lo > 0 > res.output_hi
    assert res.base_value == 0.5


def test_no_crossing_message_gives_both_ends(peer_pre_post):
    peer = peer_pre_post  # attribution a beta around 0.5, as before issue 13
    with pytest.raises(dsa.ThresholdError) as err:
        # the 95% interval only; one-to-one support (group support breaks even at attribution 0.387 since the
        # SYNTHETIC data of generator version 2, where it did not before)
        dsa.threshold(peer, "attribution", "net_cost:one_to_one", target=0.0)
    msg = str(err.value)
    assert isinstance(err.value, EconError)
    assert "net_cost:one_to_one does not reach 0 for attribution between 0.129" in msg
    # net cost of one-to-one at the low end (groups: 529.878 with version 1 data), then at the high end
    assert "it is 1,448.51" in msg and "at attribution = 0.129119" in msg and "at attribution = 0.870881" in msg
    assert "widen the range" in msg


def test_a_jump_is_not_a_threshold(hiv):
    # the ICER changes sign through infinity where the incremental effect is 0 (rr_comb = 1)
    with pytest.raises(dsa.ThresholdError, match="jumps across the target .* discontinuity"):
        dsa.threshold(hiv, "rr_comb", "icer:comb", target=30_000.0, lo=0.95, hi=1.2)
    res = dsa.threshold(hiv, "rr_comb", "icer:comb", target=20_000.0, lo=0.1, hi=1.2)
    assert len(res.crossings) == 1 and res.value < 1


def test_a_grid_point_on_the_target_is_a_threshold(hiv):
    # the range starts at the base value and the target is the base-case output, so g(lo) = 0 exactly
    base = dsa.threshold(hiv, "rr_comb", "inc_total_cost:comb", target=5_000.0, lo=0.2, hi=1.0).base_output
    res = dsa.threshold(hiv, "rr_comb", "inc_total_cost:comb", target=base, lo=0.509, hi=0.8)
    assert res.value == 0.509 and res.output_at_value == base


@pytest.mark.parametrize("kwargs, message", [
    (dict(parameter="rr_comb", lo=1.0, hi=0.5), "low < high"),
    (dict(parameter="rr_comb", target=float("nan")), "finite"),
    (dict(parameter="n_years_comb"), "has no range"),
    (dict(parameter="tA"), "name one of"),
    (dict(parameter="rr_comb", grid=1), "at least 2 points"),
])
def test_threshold_input_errors(hiv, kwargs, message):
    with pytest.raises(ScenarioError, match=message):
        dsa.threshold(hiv, output="inc_total_cost:comb", **kwargs)
