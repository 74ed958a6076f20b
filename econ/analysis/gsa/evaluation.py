"""GSA evaluation: a design's rows evaluated in memory-bounded chunks, in process or on Dask."""
from __future__ import annotations

import contextlib
import functools
import sys
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from econ.analysis.outputs import OutputSpec, output_values
from econ.core.errors import ModelError, Problem
from econ.model.evaluate import evaluate
from econ.model.compile import CompiledScenario
from econ.core.parallel import run_in_order, threads_for
from econ.analysis.gsa.design import Design, SaltelliRows


def bytes_per_draw(compiled: CompiledScenario) -> float:
    """Estimated working memory of one model evaluation while its chunk is evaluated (bytes).

    Notes
    -----
    The engine's working set per draw (:func:`econ.model.evaluate.working_bytes_per_draw`: the trace of
    every strategy, one strategy's transition matrices, flows, occupancy and totals, doubled for
    temporaries) plus, per row, one float64 per parameter column (the chunk's ParameterTable), one
    per parameter (design row and derived values, an approximation) and 16 for outputs.
    """
    from econ.model.evaluate import working_bytes_per_draw

    extra = 8.0 * (len(compiled.parameters.columns) + len(compiled.parameters.parameters) + 16)
    return float(working_bytes_per_draw(compiled, keep_cycles=False)) + extra


def chunk_draws_for(compiled: CompiledScenario, max_memory_mb: float, n_rows: int, *, share: float = 1.0) -> int:
    """Rows evaluated at once: floor(max_memory_mb MiB / bytes_per_draw), at most ``settings.chunk_draws``.

    ``settings.chunk_draws`` caps it as in every other evaluation. ``share`` is the largest
    fraction of a chunk's rows the engine evaluates at once (below 1 for Saltelli blocks
    evaluated part by part, :mod:`econ.analysis.gsa.reuse`): both bounds are on those rows.
    Results do not depend on the chunk size (the engine computes every draw independently).
    """
    by_memory = int(max_memory_mb * 2**20 // (bytes_per_draw(compiled) * share))
    cap = int(int(compiled.loaded.spec.settings.chunk_draws) / share)
    return max(1, min(by_memory, cap, max(n_rows, 1)))


def design_chunking(compiled: CompiledScenario, n_rows: int, *, max_memory_mb: float, scheduler=None,
                    threads: int | None = None, step: int = 1, share: float = 1.0) -> tuple[int, int]:
    """(rows per chunk, threads) for evaluating ``n_rows`` design rows (see :func:`evaluate_design`).

    In process the memory is shared by the chunks in flight, one per thread, and there are at least
    as many chunks as threads; on Dask every task gets the whole ``max_memory_mb``. With ``step``
    (the rows of one Saltelli base sample) chunks are whole blocks of ``step`` rows, of which the
    engine evaluates at most ``share`` at once (:func:`saltelli_plan`).
    """
    if scheduler is not None:
        chunk, threads = chunk_draws_for(compiled, max_memory_mb, n_rows, share=share), 1
    else:
        threads = threads_for(n_rows, threads)
        chunk = chunk_draws_for(compiled, max_memory_mb / threads, n_rows, share=share)
        if threads > 1:
            chunk = min(chunk, -(-n_rows // threads))
    return (max(step, chunk // step * step) if step > 1 else chunk), threads


@dataclass(frozen=True)
class EvaluationJob:
    """Everything needed to evaluate any range of design rows (shipped whole to Dask workers)."""

    compiled: CompiledScenario
    outputs: tuple  # OutputSpec
    rows: object  # SaltelliRows | UniformRows | TableRows
    chunk_draws: int
    reuse: object = None  # econ.analysis.gsa.reuse.ReusePlan for Saltelli rows


def evaluate_rows(job: EvaluationJob, start: int, stop: int) -> np.ndarray:
    """Evaluate design rows [start, stop): (stop - start, outputs) float64.

    This one function runs both in process and on Dask workers, so the two give identical numbers.
    Whole blocks of Saltelli rows are evaluated part by part on the rows whose inputs differ
    (:mod:`econ.analysis.gsa.reuse`; the same numbers); any other range, or a block where the
    engine refuses a draw or a total is not finite, row by row through :func:`evaluate`.
    """
    plan = job.reuse
    if plan is not None and start % plan.step == 0 and stop % plan.step == 0 and stop > start:
        from econ.analysis.gsa.reuse import evaluate_block

        try:
            ev = evaluate_block(job.compiled, job.rows, plan, start, stop)
        except KeyError:  # a name the plan did not see an expression read (tests check it does not happen)
            ev = None
        if ev is not None:
            return _output_columns(job, ev)
    table = job.rows.table(start, stop)
    return _output_columns(job, evaluate(job.compiled, table, chunk_draws=job.chunk_draws, threads=1))


def _output_columns(job: EvaluationJob, ev) -> np.ndarray:
    """(draws, outputs): :func:`output_values` of every output, the cost-offset measures computed once per
    perspective and discounting for all the outputs that read them (the same numbers)."""
    from econ.analysis.offset import measures

    out = np.empty((ev.n_draws, len(job.outputs)))
    offsets: dict = {}
    for j, spec in enumerate(job.outputs):
        if spec.kind == "offset":
            key = (spec.perspective, spec.discounted)
            if key not in offsets:
                offsets[key] = measures(job.compiled, ev, spec.perspective, discounted=spec.discounted)
            out[:, j] = offsets[key][spec.name][:, ev.strategies.index(spec.strategy)]
        else:
            out[:, j] = output_values(job.compiled, ev, spec)
    return out


def saltelli_plan(compiled: CompiledScenario, design: Design, outputs) -> tuple:
    """(reuse plan or None, rows per block, share of a block's rows the engine evaluates at once) of a design."""
    if not isinstance(design.rows, SaltelliRows):
        return None, 1, 1.0
    from econ.analysis.gsa.reuse import reuse_plan

    plan = reuse_plan(compiled, design.rows, outputs)
    parts = [np.unique(plan.trace_rep).size] + [np.unique(rep).size for _, _, rep, _ in plan.classes]
    return plan, plan.step, max(parts) / plan.step


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool | None, desc: str):
    """A tqdm bar on stderr when it is a terminal (or when asked); yields a callable(n_done).

    When stderr is not a terminal and nothing was asked, timed lines with the time left
    (:class:`econ.core.progress.TimedProgress`: none for a run of a few seconds).
    """
    if enabled is None and not _stderr_is_terminal():
        from econ.core.progress import TimedProgress

        yield TimedProgress(total, "evaluation", label=desc)
        return
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="eval", unit_scale=True, file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def evaluate_design(compiled: CompiledScenario, design: Design, outputs: Sequence[OutputSpec], *,
                    max_memory_mb: float = 256, scheduler=None, progress: bool | None = None,
                    threads: int | None = None) -> np.ndarray:
    """Evaluate every row of a design, in chunks of bounded memory.

    Parameters
    ----------
    compiled : CompiledScenario
    design : Design
    outputs : sequence of OutputSpec
        From :func:`econ.analysis.outputs.parse_output`.
    max_memory_mb : float
        Working memory (MiB) of the chunks evaluated at once in process (shared by the threads),
        or of one chunk on a Dask worker; the chunk size is :func:`chunk_draws_for`.
    scheduler : str or dask.distributed.Client, optional
        Run the chunks on Dask: a scheduler address (``tcp://host:8786``), ``"local"`` (a
        ``LocalCluster`` of one single-threaded process per core), or a Client. Needs the ``dask``
        extra. Results are bit-identical to the in-process run.
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.
    threads : int, optional
        In process, chunks evaluated at once (default :func:`econ.core.parallel.default_threads`).
        Results are bit-identical whatever the threads, the chunk size or the scheduler.

    Returns
    -------
    ndarray, shape (design.n_rows, len(outputs))

    Raises
    ------
    ModelError
        An output is not finite for some rows (e.g. an ICER whose incremental effect is 0).
    """
    plan, step, share = saltelli_plan(compiled, design, outputs)
    chunk, threads = design_chunking(compiled, design.n_rows, max_memory_mb=max_memory_mb, scheduler=scheduler,
                                     threads=threads, step=step, share=share)
    job = EvaluationJob(compiled, tuple(outputs), design.rows, chunk, plan)
    ranges = [(s, min(s + chunk, design.n_rows)) for s in range(0, design.n_rows, chunk)]
    Y = np.empty((design.n_rows, len(outputs)))
    with _progress_bar(design.n_rows, progress, f"gsa {design.method}") as tick:
        if scheduler is None:
            def rows(s: int, e: int) -> None:
                Y[s:e] = evaluate_rows(job, s, e)

            run_in_order([functools.partial(rows, s, e) for s, e in ranges], threads=threads,
                         done=None if tick is None else lambda i, _: tick(ranges[i][1] - ranges[i][0]))
        else:
            from econ.core.distributed import map_ranges

            for (s, e), part in zip(ranges, map_ranges(scheduler, evaluate_rows, job, ranges, progress=tick)):
                Y[s:e] = part
    bad = ~np.isfinite(Y)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        rows = np.flatnonzero(bad[:, j])
        raise ModelError(Problem(f"output is not finite in {rows.size} of {design.n_rows} evaluations (first at "
                                 f"row {rows[0]}); variance-based indices need a finite output: analyse the "
                                 "incremental cost and effect (inc_...) instead of a ratio", None,
                                 f"output '{outputs[j].text}'"))
    return Y
