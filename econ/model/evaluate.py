"""Evaluate a compiled scenario on a table of draws, in chunks of bounded size.

This is the one code path shared by the base case (one draw), PSA (many draws), one-way and
threshold analyses (a few modified rows) and GSA (SALib designs): engine, then accounting, then
totals. Chunking changes memory, never results: every draw is computed independently. Chunks run
on several threads when there are several (:mod:`econ.core.parallel`), with the same results.
"""
from __future__ import annotations

import functools
import threading
from dataclasses import dataclass

import numpy as np

from econ.model.accounting import accumulate
from econ.model import tunnels
from econ.model.engine import run_cohort
from econ.model.compile import CompiledScenario
from econ.core.errors import LimitError, ModelError
from econ.core.limits import check_draws, check_work, chunk_size
from econ.core.parallel import run_in_order, threads_for
from econ.model.parameters import ParameterTable


@dataclass(frozen=True)
class Evaluation:
    """Raw results of a set of draws.

    Attributes
    ----------
    outputs : tuple of str
        Value names then total names (the last axis of the arrays below, or the third).
    strategies : tuple of str
    totals : ndarray (draws, strategies, outputs)
        Discounted totals per person over the horizon.
    totals_undiscounted : ndarray (draws, strategies, outputs)
    per_cycle, per_cycle_discounted : ndarray (draws, strategies, outputs, cycles) or None
        Amount per person in each cycle (kept only when asked).
    trace : ndarray (draws, strategies, cycles + 1, expanded states) or None
    """

    outputs: tuple
    strategies: tuple
    totals: np.ndarray
    totals_undiscounted: np.ndarray
    per_cycle: np.ndarray | None = None
    per_cycle_discounted: np.ndarray | None = None
    trace: np.ndarray | None = None

    @property
    def n_draws(self) -> int:
        return self.totals.shape[0]

    def rows(self, start: int, stop: int) -> "Evaluation":
        """Draws ``start`` to ``stop`` (views of every array kept), e.g. one table of several evaluated at once."""
        def cut(a):
            return None if a is None else a[start:stop]

        return Evaluation(self.outputs, self.strategies, self.totals[start:stop], self.totals_undiscounted[start:stop],
                          cut(self.per_cycle), cut(self.per_cycle_discounted), cut(self.trace))

    def output(self, name: str, *, discounted: bool = True) -> np.ndarray:
        """(draws, strategies) totals of one output."""
        arr = self.totals if discounted else self.totals_undiscounted
        return arr[:, :, self.outputs.index(name)]


def _outputs_of(values: np.ndarray, members: list, out: np.ndarray, *, axis: int = -1) -> None:
    """Write the outputs of values into ``out``: (draws, strategies, values) -> (..., outputs).

    ``axis`` is the values / outputs axis of both arrays. The first outputs are the values
    themselves; each total is the sum of its member values, added in value order, elementwise (so
    the same numbers whatever the chunk; no multiplying by zeros as a 0/1 matrix product would).
    """
    values, out = np.moveaxis(values, axis, -1), np.moveaxis(out, axis, -1)
    V = values.shape[-1]
    out[..., :V] = values
    for r, idx in enumerate(members):
        acc = out[..., V + r]
        acc[...] = values[..., idx[0]] if idx.size else 0.0
        for v in idx[1:]:
            acc += values[..., v]


def working_bytes_per_draw(compiled: CompiledScenario, *, keep_cycles: bool, method: str = "auto") -> float:
    """Upper estimate of the memory one draw needs while its chunk is evaluated (bytes).

    Counts the trace of every strategy, one strategy's transition matrices (assumed to vary by
    cycle: states squared each; or a tunnel-aware strategy's cells and multi-source columns, one set
    per cycle only when some cell changes with the cycle),
    flows, corrected occupancy and per-cycle accounting arrays, times 2 for temporaries.
    """
    m = compiled.model
    K, T, S = len(m.strategies), m.n_cycles, len(m.states)
    V, O = len(compiled.values), len(compiled.values) + len(compiled.totals)
    matrices = 0
    for strategy in m.strategies:
        if strategy.mixture:
            continue
        if tunnels.use_shift(m, strategy.rows, method):
            plan = tunnels.cell_plan(strategy.rows, S)
            U = T if _cells_vary_by_cycle(compiled, strategy) else 1
            matrices = max(matrices, U * (2 * len(plan.cell_from) + S * len(plan.multi)))
        else:
            matrices = max(matrices, T * S * S)
    per = K * (T + 1) * S + matrices + K * T * (len(compiled.flows) + S) + 4 * K * O
    if keep_cycles:
        per += K * (V + 2 * O) * T
    return 2.0 * 8.0 * per


_VARYING = tunnels.IdentityCache()


def _cells_vary_by_cycle(compiled: CompiledScenario, strategy) -> bool:
    """Whether some transition cell of a strategy changes with the cycle, so that a chunk holds one set
    of cell values per cycle rather than a single set (cached per strategy).

    Found on the one-draw base case: an expression's value is (draws, cycles) or (draws, 1) by the
    names it reads (``cycle``, ``time``, a lookup by age, ...), never by their values, so the answer
    holds for every draw. If the base case cannot be evaluated, True (the larger estimate); the
    evaluation itself then reports what is wrong.
    """
    def find() -> bool:
        from econ.model.engine import StrategyEnv, transition_cells

        senv = StrategyEnv(compiled.model, strategy, compiled.parameters.point_table())
        try:
            with np.errstate(all="ignore"):
                cells = transition_cells(compiled.model, strategy, senv)[0]
        except Exception:  # noqa: BLE001 (only an estimate: the evaluation raises the real error)
            return True
        return any(v.shape[-1] > 1 for _, _, v in cells)

    return _VARYING.get(strategy, find)


def kept_bytes(compiled: CompiledScenario, n_draws: int, *, keep_cycles: bool, keep_trace: bool) -> float:
    """Memory of the result arrays kept whole for ``n_draws`` draws (bytes)."""
    m = compiled.model
    K, T, S = len(m.strategies), m.n_cycles, len(m.states)
    O = len(compiled.values) + len(compiled.totals)
    per = 2 * K * O + (2 * K * O * T if keep_cycles else 0) + (K * (T + 1) * S if keep_trace else 0)
    return 8.0 * per * n_draws + 8.0 * n_draws * len(compiled.parameters.columns)


def _chunking(compiled: CompiledScenario, n: int, *, requested: int, threads: int | None, keep_cycles: bool,
              keep_trace: bool, method: str = "auto") -> tuple[int, int]:
    """(chunk size, threads): chunks whose working sets, ``threads`` at a time, fit the memory cap.

    With several threads the memory left after the kept results is shared between the chunks in
    flight; if even one draw per thread does not fit, it falls back to one thread.
    """
    per_draw = working_bytes_per_draw(compiled, keep_cycles=keep_cycles, method=method)
    kept = kept_bytes(compiled, n, keep_cycles=keep_cycles, keep_trace=keep_trace)
    threads = threads_for(n, threads)
    if threads > 1:
        requested = min(requested, -(-n // threads))  # at least one chunk per thread
        try:
            chunk = chunk_size(bytes_per_draw=per_draw * threads, kept_bytes=kept, requested=requested, n_draws=n)
            return chunk, threads
        except LimitError:
            pass
    return chunk_size(bytes_per_draw=per_draw, kept_bytes=kept, requested=requested, n_draws=n), 1


def evaluate(compiled: CompiledScenario, table: ParameterTable | None = None, *, chunk_draws: int | None = None,
             keep_cycles: bool = False, keep_trace: bool = False, progress=None,
             threads: int | None = None, method: str = "auto") -> Evaluation:
    """Run the engine and accounting on every draw of ``table``.

    Length: the checks of the options, the chunking and the dispatch to the engines stay together, so
    that one reading shows the whole order of work of a run.

    Parameters
    ----------
    compiled : CompiledScenario
    table : ParameterTable, optional
        Draws x parameters. Default: the one-draw table of base-case values.
    chunk_draws : int, optional
        Most draws evaluated at once (default: the scenario's ``settings.chunk_draws``).
    keep_cycles : bool
        Keep per-cycle amounts (memory: draws x strategies x outputs x cycles x 16 bytes).
    keep_trace : bool
        Keep the state trace (memory: draws x strategies x (cycles + 1) x states x 8 bytes).
    progress : callable, optional
        Called with the number of draws finished after each chunk (in chunk order).
    threads : int, optional
        Chunks evaluated at once (default :func:`econ.core.parallel.default_threads`: the CPUs
        available, or ``PEER_ECON_THREADS``). The memory cap then covers all chunks in flight.
        Results are bit-identical whatever the number of threads or the chunk size.
    method : {'auto', 'dense', 'shift'}
        How the engine advances each strategy (:func:`econ.model.engine.run_cohort`); the same
        results, except that 'dense' takes states squared work per cycle on a tunnel model.

    Returns
    -------
    Evaluation

    Raises
    ------
    ModelError
        An invalid probability or row sum, or a value that is not finite (overflow, ``log(0)``,
        NaN; the message names value, strategy, cycle and draw); with several chunks failing, the error of the first
        chunk (so the message names the same draw whatever the threads).
    LimitError
        Too many draws, or results that do not fit the memory cap.
    """
    if table is None:
        table = compiled.parameters.point_table()
    n, K, T = table.n_draws, len(compiled.model.strategies), compiled.model.n_cycles
    names = [v.name for v in compiled.values]
    members = [np.array(sorted({names.index(m) for m in ms}), dtype=np.intp) for ms in compiled.totals.values()]
    O = len(names) + len(members)
    check_draws(n)
    check_work(n_states=len(compiled.model.states), n_cycles=T, n_strategies=K, n_draws=n,
               step_cells=tunnels.step_cells(compiled.model, method))
    chunk, threads = _chunking(compiled, n, requested=int(chunk_draws or compiled.loaded.spec.settings.chunk_draws),
                               threads=threads, keep_cycles=keep_cycles, keep_trace=keep_trace, method=method)
    totals = np.empty((n, K, O))
    totals_u = np.empty((n, K, O))
    per_cycle = np.empty((n, K, O, T)) if keep_cycles else None
    per_cycle_d = np.empty((n, K, O, T)) if keep_cycles else None
    trace = np.empty((n, K, T + 1, len(compiled.model.states))) if keep_trace else None

    # One trace buffer per thread for this call: full-size chunks reuse it (fresh memory costs a
    # page fault per 4 KiB on first touch); freed with ``local`` when the call returns.
    local = threading.local()

    def one_chunk(start: int, stop: int) -> None:
        # Writes only rows [start, stop) of the result arrays, so chunks can run on any thread.
        # Absurd inputs (a cost of 1e308) overflow to inf, which the results show as it is, as the
        # expressions do; numpy's overflow warnings would only print source lines (errstate is
        # per thread, so it is set here).
        with np.errstate(over="ignore", invalid="ignore"):
            part = table.slice(start, stop)
            shape = (K, T + 1, len(compiled.model.states), stop - start)
            buffer = getattr(local, "store", None)
            if buffer is None or buffer.shape != shape:
                buffer = local.store = np.empty(shape)
            tr = run_cohort(compiled.model, part, flows=compiled.flows, draw_offset=start, method=method,
                            buffer=buffer)
            acc = _accumulate(compiled, tr, part, keep_cycles=keep_cycles)
            # values -> outputs (values, then totals as sums of values)
            _outputs_of(acc.totals_undiscounted, members, totals_u[start:stop])
            _outputs_of(acc.totals, members, totals[start:stop])
            if keep_cycles:
                _outputs_of(acc.per_cycle, members, per_cycle[start:stop], axis=2)
                _outputs_of(acc.discounted_per_cycle(), members, per_cycle_d[start:stop], axis=2)
        if not np.isfinite(totals_u[start:stop]).all():
            raise _non_finite(compiled, part, start, totals_u[start:stop])
        if keep_trace:
            trace[start:stop] = tr.values

    ranges = [(start, min(start + chunk, n)) for start in range(0, n, chunk)]
    run_in_order([functools.partial(one_chunk, start, stop) for start, stop in ranges], threads=threads,
                 done=None if progress is None else lambda i, _: progress(ranges[i][1] - ranges[i][0]))
    outputs = tuple(v.name for v in compiled.values) + tuple(compiled.totals)
    return Evaluation(outputs, tuple(compiled.model.strategy_names), totals, totals_u, per_cycle, per_cycle_d, trace)


def _accumulate(compiled: CompiledScenario, tr, part: ParameterTable, *, keep_cycles: bool):
    """:func:`econ.model.accounting.accumulate` with the scenario's conventions."""
    return accumulate(compiled.model, compiled.values, tr, part, correction=compiled.correction,
                      first_cycle_discounted=compiled.first_cycle_discounted, keep_cycles=keep_cycles,
                      timing=compiled.discount_timing)


def _non_finite(compiled: CompiledScenario, part: ParameterTable, start: int, totals: np.ndarray) -> ModelError:
    """The error for the first value, in (draw, strategy, value) order, whose total is not finite.

    Per-cycle amounts of that draw are recomputed to name the first cycle where it is not finite.
    """
    d, k, o = (int(i[0]) for i in np.nonzero(~np.isfinite(totals)))
    names = [v.name for v in compiled.values]
    one = part.slice(d, d + 1)
    with np.errstate(over="ignore", invalid="ignore"):
        tr = run_cohort(compiled.model, one, flows=compiled.flows, draw_offset=start + d)
        acc = _accumulate(compiled, tr, one, keep_cycles=True)
    if o < len(names):
        name, members, key = names[o], [o], ("values", names[o])
    else:
        name = list(compiled.totals)[o - len(names)]
        members, key = sorted({names.index(m) for m in compiled.totals[name]}), ("totals", name)
    # the first cycle where an amount, or the running total, stops being finite
    with np.errstate(over="ignore", invalid="ignore"):
        amounts = acc.per_cycle[0, k][members]
        running = np.cumsum(amounts.sum(axis=0))
    bad = np.nonzero(~(np.isfinite(amounts).all(axis=0) & np.isfinite(running)))[0]
    cycle = int(bad[0]) + 1 if bad.size else None
    strategy = compiled.model.strategy_names[k]
    first = amounts[:, bad[0]] if bad.size else totals[d, k, o:o + 1]
    got = first[~np.isfinite(first)][0] if (~np.isfinite(first)).any() else totals[d, k, o]
    if np.isfinite(got):
        got = running[bad[0]] if bad.size else totals[d, k, o]
    where = f"in cycle {cycle}" if cycle is not None else "in its total"
    message = (f"value '{name}' is not finite ({got}) for strategy '{strategy}' {where}, draw {start + d}: an "
               f"overflow (a number beyond 1e308), log(0), 0/0 or inf - inf in its expression or the parameters "
               f"it uses")
    return ModelError(compiled.loaded.problem(key, message))
