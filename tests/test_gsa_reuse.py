"""Saltelli rows evaluated part by part on the rows whose inputs differ equal the plain evaluation bit for bit (issue 19)."""
from __future__ import annotations

import numpy as np
import pytest

from econ.analysis.gsa import build_problem, evaluate_design, sample
from econ.analysis.gsa.evaluation import EvaluationJob, evaluate_rows
from econ.analysis.gsa.reuse import evaluate_block, needed_values, reuse_plan
from econ.analysis.outputs import default_outputs, output_values, parse_output
from econ.model.evaluate import evaluate
from econ.model.run import compile_path

from .conftest import SCENARIOS

DEFAULT = SCENARIOS / "side_by_side.yaml"
HIV = SCENARIOS / "validation" / "chancellor_hiv.yaml"


@pytest.fixture(scope="module")
def default_model():
    return compile_path(DEFAULT)


def _both(compiled, outputs, *, n=8, second_order=False, seed=3, blocks=(0, 8)):
    problem = build_problem(compiled.parameters)
    design = sample(compiled.parameters, problem, "sobol", n, rng=np.random.default_rng(seed),
                    second_order=second_order)
    specs = tuple(parse_output(compiled, o) for o in outputs)
    plan = reuse_plan(compiled, design.rows, specs)
    start, stop = (b * design.rows.step for b in blocks)
    assert evaluate_block(compiled, design.rows, plan, start, stop) is not None  # no fall-back to the plain path
    plain = evaluate_rows(EvaluationJob(compiled, specs, design.rows, 10_000), start, stop)
    ev = evaluate(compiled, design.rows.table(start, stop))  # and each output as output_values reads it
    assert np.array_equal(plain, np.column_stack([output_values(compiled, ev, s) for s in specs]))
    reused = evaluate_rows(EvaluationJob(compiled, specs, design.rows, 10_000, plan), start, stop)
    return plain, reused, plan, design


@pytest.mark.parametrize("second_order", [False, True])
def test_default_model_outputs_equal_the_plain_evaluation(default_model, second_order):
    outputs = default_outputs(default_model) + ["inc_qalys:group", "icer:online", "total_cost:mixed",
                                                "delivery_cost@societal:mixed", "cost_offset:one_to_one~u",
                                                "informal_care:usual_care"]
    plain, reused, plan, design = _both(default_model, outputs, second_order=second_order)
    assert plain.shape == (8 * design.rows.step, len(outputs))
    assert np.array_equal(plain, reused)
    # the plan does skip rows: the trace needs fewer rows than a block, and so does every part
    assert np.unique(plan.trace_rep).size < plan.step
    assert all(np.unique(rep).size < plan.step for _, _, rep, _ in plan.classes)


def test_hiv_model_and_a_block_in_the_middle():
    compiled = compile_path(HIV)
    outputs = ["inc_total_cost:comb", "inc_ly:comb", "total_cost:mono", "icer:comb"]
    plain, reused, _, _ = _both(compiled, outputs, n=16, blocks=(5, 11))
    assert np.array_equal(plain, reused)


def test_budget_only_parameter_is_never_evaluated_again(default_model):
    """n_eligible feeds the budget impact only: its row of every block copies row 0 (A) for every part."""
    problem = build_problem(default_model.parameters)
    design = sample(default_model.parameters, problem, "sobol", 2, rng=np.random.default_rng(1))
    specs = [parse_output(default_model, o) for o in default_outputs(default_model)]
    plan = reuse_plan(default_model, design.rows, specs)
    k = 1 + problem.groups.index("n_eligible")
    assert plan.trace_rep[k] == 0 and all(rep[k] == 0 for _, _, rep, _ in plan.classes)
    k = 1 + problem.groups.index("p_taper_group")  # a transition probability: its own trace
    assert plan.trace_rep[k] == k
    # net cost (NHS and PSS) reads delivery and service costs only: no outcomes, no informal care
    names = {default_model.values[v].name for v in needed_values(default_model, specs)}
    assert "delivery" in names and "gp_surgery" in names
    assert not names & {"qalys", "informal_care", "volunteer_time", "months_alive"}


def test_evaluate_design_uses_whole_blocks_and_equals_row_by_row(default_model):
    problem = build_problem(default_model.parameters)
    design = sample(default_model.parameters, problem, "sobol", 16, rng=np.random.default_rng(4))
    specs = [parse_output(default_model, o) for o in default_outputs(default_model)]
    whole = evaluate_design(default_model, design, specs, max_memory_mb=2, threads=2, progress=False)
    plain = evaluate_rows(EvaluationJob(default_model, tuple(specs), design.rows, 10_000), 0, design.n_rows)
    assert np.array_equal(whole, plain)
