"""Evaluation on several threads: same numbers as one thread, ordered progress, deterministic errors."""
from __future__ import annotations

import threading
import time

import numpy as np
import pandas as pd
import pytest

import econ
from econ.analysis.draws import draw_table
from econ.core.errors import LimitError, ModelError
from econ.model.evaluate import evaluate
from econ.analysis.gsa import build_problem, evaluate_design, sample
from econ.analysis.outputs import parse_output
from econ.core.parallel import THREADS_ENV, default_threads, run_in_order
from econ.model.parameters import ParameterTable

from .analytic import two_state_scenario


# --------------------------------------------------------------------------------------------
# run_in_order
def test_results_and_done_calls_come_in_task_order():
    def task(i):
        def run():
            time.sleep(0.02 * ((7 * i) % 5))  # finish out of order
            return i * i
        return run

    seen = []
    out = run_in_order([task(i) for i in range(12)], threads=3, done=lambda i, r: seen.append((i, r)))
    assert out == [i * i for i in range(12)]
    assert seen == [(i, i * i) for i in range(12)]


def test_first_failure_in_task_order_is_raised_and_no_thread_is_left():
    before = threading.active_count()

    def slow_failure():
        time.sleep(0.2)
        raise ValueError("task 1")

    def fast_failure():
        raise ValueError("task 2")

    tasks = [lambda: 0, slow_failure, fast_failure] + [lambda: 0] * 20
    with pytest.raises(ValueError, match="task 1"):
        run_in_order(tasks, threads=2)
    assert threading.active_count() == before


def test_one_thread_runs_in_the_calling_thread():
    names = run_in_order([lambda: threading.current_thread().name] * 3, threads=1)
    assert names == [threading.current_thread().name] * 3
    with pytest.raises(ValueError, match="threads must be >= 1"):
        run_in_order([], threads=0)


def test_threads_setting(monkeypatch):
    monkeypatch.setenv(THREADS_ENV, "3")
    assert default_threads() == 3
    monkeypatch.delenv(THREADS_ENV)
    assert default_threads() >= 1
    for bad in ("0", "two", "1.5"):
        monkeypatch.setenv(THREADS_ENV, bad)
        with pytest.raises(LimitError, match=rf"{THREADS_ENV}: must be a whole number >= 1 \(got '{bad}'\)"):
            default_threads()


# --------------------------------------------------------------------------------------------
# the engine on threads
@pytest.mark.parametrize("model", ["hiv", "peer"])
def test_threads_give_bit_identical_results(model, request):
    compiled = request.getfixturevalue(model)
    table = draw_table(compiled.parameters, 9_000, rng=np.random.default_rng(5))
    one = evaluate(compiled, table, threads=1, chunk_draws=9_000, keep_cycles=True, keep_trace=True)
    for threads, chunk in ((2, 1_000), (3, 2_500), (4, 9_000)):
        ev = evaluate(compiled, table, threads=threads, chunk_draws=chunk, keep_cycles=True, keep_trace=True)
        for field in ("totals", "totals_undiscounted", "per_cycle", "per_cycle_discounted", "trace"):
            assert np.array_equal(getattr(ev, field), getattr(one, field)), (threads, chunk, field)


def test_threaded_progress_is_reported_in_chunk_order(hiv):
    table = draw_table(hiv.parameters, 4_500, rng=np.random.default_rng(1))
    seen = []
    evaluate(hiv, table, threads=2, chunk_draws=1_000, progress=seen.append)
    assert seen == [1_000, 1_000, 1_000, 1_000, 500]


def test_threaded_error_names_the_first_bad_draw(write_scenario):
    compiled = econ.compile_path(write_scenario(two_state_scenario(0.1, 1.0, 0.0, 5)))
    n = 6_000
    cols = {c: np.full(n, 0.1) for c in compiled.parameters.columns}
    cols["p_die"][[1_500, 4_200]] = 1.2  # in the second and fifth chunks of 1,000
    table = ParameterTable(cols, n)
    for threads in (1, 2, 4):
        with pytest.raises(ModelError, match=r"draw 1500: probability of moving to 'dead' is 1.2"):
            evaluate(compiled, table, chunk_draws=1_000, threads=threads)


def test_gsa_design_on_threads_equals_one_thread(hiv):
    problem = build_problem(hiv.parameters)
    design = sample(hiv.parameters, problem, "sobol", 256, rng=np.random.default_rng(2))
    outputs = [parse_output(hiv, o) for o in ("inc_total_cost:comb", "inc_ly:comb")]
    one = evaluate_design(hiv, design, outputs, threads=1, progress=False)
    two = evaluate_design(hiv, design, outputs, threads=2, max_memory_mb=0.5, progress=False)
    assert design.n_rows > 2_000 and np.array_equal(one, two)


def test_sobol_analysis_on_threads_equals_one_thread(monkeypatch):
    from econ.model.run import compile_path
    from econ.analysis.gsa import run_gsa

    from .conftest import ROOT
    compiled = compile_path(ROOT / "scenarios" / "validation" / "chancellor_hiv.yaml")
    outputs = ["inc_total_cost:comb", "inc_ly:comb", "total_cost:mono"]  # analysed on parallel threads
    runs = []
    for threads in ("1", "2"):
        monkeypatch.setenv(THREADS_ENV, threads)
        runs.append(run_gsa(compiled, method="sobol", n=512, outputs=outputs, progress=False))
    assert np.array_equal(runs[0].values, runs[1].values)
    pd.testing.assert_frame_equal(runs[0].indices, runs[1].indices, check_exact=True)
