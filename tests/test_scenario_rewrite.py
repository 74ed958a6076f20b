"""A scenario rewritten with dimensions gives the results of its longhand form (any old/new pair).

``assert_same_results(old, new)`` compares two scenario files that describe the same model: the same
outputs, strategies and parameters; base-case and per-cycle totals, discounted and undiscounted; the
cost-offset measures under every perspective; and a 1,000-draw PSA with the same seed, all to 1e-12
relative. The default scenario is checked against its longhand form kept in tests/data/scenarios/longhand/
(when the default model changes, replace that file by the new longhand form, or point PAIRS elsewhere).

Tolerance: 1e-12 relative. The two forms do the same floating-point operations on each member in the
same order (an indexed expression is evaluated elementwise over a members axis), so they agree to the
last bit today; the tolerance leaves room only for a reordering of additions (about 1e-16 each).
"""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis.offset import measures
from econ.analysis.psa.run import run_psa
from econ.model.compile import compile_scenario
from econ.model.evaluate import evaluate
from econ.scenario.load import load_scenario
from econ.scenario.schema import PERSPECTIVES

from .conftest import ROOT, SCENARIOS

RTOL = 1e-12
LONGHAND = ROOT / "tests" / "data" / "scenarios" / "longhand"
PAIRS = [(LONGHAND / "side_by_side.yaml", SCENARIOS / "side_by_side.yaml")]


def _close(a, b, what):
    np.testing.assert_allclose(a, b, rtol=RTOL, atol=0, err_msg=what)


def assert_same_results(old_path, new_path, *, n_draws: int = 1000, seed: int | None = None):
    """Assert that two scenario files give the same results (see the module docstring)."""
    old, new = (compile_scenario(load_scenario(p)) for p in (old_path, new_path))
    assert old.output_names == new.output_names
    assert old.model.strategy_names == new.model.strategy_names
    assert sorted(old.parameters.columns) == sorted(new.parameters.columns)
    assert {p.name for p in old.parameters.derived} == {p.name for p in new.parameters.derived}
    for a, b in zip(old.values, new.values):
        assert (a.kind, a.label, a.category, a.sector, a.unit, a.discount_rate) == \
               (b.kind, b.label, b.category, b.sector, b.unit, b.discount_rate), a.name
    po, pn = old.parameters.point_table(), new.parameters.point_table()
    for c in po.columns:
        assert po.columns[c][0] == pn.columns[c][0], c
    eo, en = evaluate(old, keep_cycles=True), evaluate(new, keep_cycles=True)
    for attr in ("totals", "totals_undiscounted", "per_cycle", "per_cycle_discounted"):
        _close(getattr(en, attr), getattr(eo, attr), attr)
    if old.loaded.spec.cost_offset is not None:
        for perspective in PERSPECTIVES:
            for discounted in (True, False):
                mo = measures(old, eo, perspective, discounted=discounted)
                mn = measures(new, en, perspective, discounted=discounted)
                assert mo.keys() == mn.keys()
                for k in mo:
                    _close(mn[k], mo[k], f"{perspective} {k}")
    so = run_psa(old, n_draws=n_draws, seed=seed)
    sn = run_psa(new, n_draws=n_draws, seed=seed)
    for c in so.table.columns:
        np.testing.assert_array_equal(sn.table.columns[c], so.table.columns[c], err_msg=c)
    _close(sn.evaluation.totals, so.evaluation.totals, "PSA totals")
    _close(sn.evaluation.totals_undiscounted, so.evaluation.totals_undiscounted, "PSA undiscounted totals")
    if old.loaded.spec.cost_offset is not None:
        for perspective in PERSPECTIVES:
            mo, mn = measures(old, so.evaluation, perspective), measures(new, sn.evaluation, perspective)
            for k in mo:
                _close(mn[k], mo[k], f"PSA {perspective} {k}")


@pytest.mark.parametrize("old,new", PAIRS, ids=[p[1].name for p in PAIRS])
def test_rewritten_scenario_gives_the_longhand_results(old, new):
    assert_same_results(old, new)


def test_default_scenario_is_short():
    lines = (SCENARIOS / "side_by_side.yaml").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 200, len(lines)


def test_commissioner_scenarios_extend_the_rewritten_default(write_scenario):
    """A commissioner file that extends the default gives the results of the same overrides on the longhand form."""
    for name in ("inner_london", "small_programme", "group_led", "mixed_choice", "online_first"):
        own = load_scenario_text(SCENARIOS / f"{name}.yaml")
        assert own["extends"] == "side_by_side.yaml"
        own["extends"] = str(LONGHAND / "side_by_side.yaml")
        ev_new = evaluate(compile_scenario(load_scenario(SCENARIOS / f"{name}.yaml")))
        ev_old = evaluate(compile_scenario(load_scenario(write_scenario(own, f"{name}_longhand.yaml"))))
        _close(ev_new.totals, ev_old.totals, name)


def load_scenario_text(path):
    import yaml

    return yaml.safe_load(path.read_text(encoding="utf-8"))


SERVICES = SCENARIOS / "tables" / "side_by_side_services.csv"


def _with_members_table(tmp_path, rows, name):
    """The default scenario with its services read from a members table of ``rows`` (absolute data paths)."""
    import yaml

    spec = yaml.safe_load((SCENARIOS / "side_by_side.yaml").read_text(encoding="utf-8"))
    header = [line for line in SERVICES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")][0]
    (tmp_path / f"{name}.csv").write_text("\n".join([header] + rows) + "\n", encoding="utf-8")
    spec["dimensions"]["service"] = {"table": f"{name}.csv"}
    for key in ("unit_costs", "price_indices", "informal_care_rates", "service_use", "informal_care", "persons"):
        spec["data"][key] = str((SCENARIOS / spec["data"][key]).resolve())
    return spec


def _member_rows():
    return [line for line in SERVICES.read_text(encoding="utf-8").splitlines() if not line.startswith("#")][1:]


def test_adding_a_service_is_one_row(write_scenario, tmp_path):
    """Without the counsellor_hour row the model has one service fewer; adding that one row back gives the
    default exactly, in every output (nothing else is written per service)."""
    rows = _member_rows()
    fourteen = [r for r in rows if not r.startswith("counsellor_hour,")]
    a = compile_scenario(load_scenario(write_scenario(_with_members_table(tmp_path, fourteen, "s14"), "s14.yaml")))
    the_row = [r for r in rows if r.startswith("counsellor_hour,")]
    b = compile_scenario(load_scenario(write_scenario(_with_members_table(tmp_path, fourteen + the_row, "s15"),
                                                      "s15.yaml")))
    default = compile_scenario(load_scenario(SCENARIOS / "side_by_side.yaml"))
    ea, eb, ed = evaluate(a), evaluate(b), evaluate(default)
    assert "counsellor_hour" not in ea.outputs and "c_counsellor_hour" not in a.parameters.columns
    assert sorted(eb.outputs) == sorted(ed.outputs)
    for name in ed.outputs:
        _close(eb.output(name), ed.output(name), name)
        _close(eb.output(name, discounted=False), ed.output(name, discounted=False), name)
    _close(ea.output("service_cost") + ed.output("counsellor_hour"), ed.output("service_cost"), "service_cost")
    for p in PERSPECTIVES:
        mb, md = measures(b, eb, p), measures(default, ed, p)
        for k in md:
            _close(mb[k], md[k], f"{p} {k}")


def test_a_service_without_data_is_one_row_and_its_figures(write_scenario, tmp_path):
    """A sixteenth service added as one row of a members table appears in every output."""
    rows = _member_rows()
    rows.append("nurse_telephone_triage,Nurse telephone triage,primary_care,nhs,pooled,primary,nhs_pss")  # the one change
    spec = _with_members_table(tmp_path, rows, "services")
    # the synthetic data have no such service: give its counterfactual use and reduction as numbers
    spec["parameters"]["u_nurse_telephone_triage"] = {"value": 0.05, "source": "test input"}
    spec["parameters"]["r_nurse_telephone_triage"] = {"value": 0.2, "source": "test input"}
    spec["parameters"]["cfc_nurse_telephone_triage"] = {"value": -0.1, "source": "test input"}
    path = write_scenario(spec, "sixteen.yaml")
    compiled = compile_scenario(load_scenario(path))
    ev = evaluate(compiled)
    new = "nurse_telephone_triage"
    assert new in ev.outputs and new in compiled.totals["service_cost"] and new in compiled.totals["total_cost"]
    assert compiled.values[ev.outputs.index(new)].category == "primary_care"
    base = evaluate(compile_scenario(load_scenario(SCENARIOS / "side_by_side.yaml")))
    k_group = ev.strategies.index("group")
    added = ev.output(new)
    assert (added > 0).all()
    _close(ev.output("service_cost"), base.output("service_cost") + added, "service_cost")
    # it reduces costs in the peer-support strategies (pooled reduction 0.2)
    assert added[0, k_group] < added[0, ev.strategies.index("usual_care")]
    m = measures(compiled, ev, "nhs")
    assert "offset_primary_care" in m
