"""The Markov cohort engine: transition arrays and state traces, vectorised over draws.

The engine knows nothing of YAML. It takes a :class:`CohortModel` (compiled expressions over an
expanded state space) and a :class:`~econ.model.parameters.ParameterTable`, and returns a
:class:`Trace` of shape (draws, strategies, cycles + 1, states).

Notes
-----
With x_t the row vector of state membership after cycle t and P_t the transition matrix used
in cycle t (t = 1..T), x_t = x_{t-1} P_t. All draws advance together: each step is one batched
product over the draw axis, so the Python loop is over cycles only.

The cohort loop keeps draws on the last (contiguous) axis (``einsum('in,ijn->jn')``): each term
x_i P_ij is then a multiply-add over a long contiguous run of draws, several times faster than the
same product with draws first, where numpy's inner loop runs over only S states. Every element is
still the same sum over i in the same order, so the numbers do not change and do not depend on how
draws are chunked. Transition matrices are built in the same layout, and the accounting
(:mod:`econ.model.accounting`) reads the trace in it. ``Trace.values`` is a view of that array in the
documented axis order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from econ.core.errors import ModelError, Problem
from econ.scenario.expressions import Expression
from econ.model.parameters import ParameterTable
from econ.model import tunnels
from econ.model.strategy_env import StrategyEnv  # noqa: F401  (public here; it lives in its own module)
from econ.model.tunnels import collapse_tunnels  # noqa: F401  (public here since issue 19 moved it)

#: Tolerance of the row-sum and [0, 1] checks on transition probabilities.
PROBABILITY_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Entry:
    """One cell of a transition row: target state index and probability (None = complement)."""

    to: int
    expr: Expression | None
    origin: str = ""


@dataclass(frozen=True)
class StrategyModel:
    """A strategy: its derived parameters (in evaluation order), transition rows and initial state."""

    name: str
    derived: tuple = ()  # ((name, Expression), ...), evaluation order
    rows: tuple = ()  # one tuple of Entry per expanded from-state
    initial: tuple = ()  # ((state index, Expression, origin), ...)
    mixture: tuple = ()  # ((component strategy index, Expression, origin), ...); empty if not a mixture
    plan: tuple = ()  # how ``derived`` is evaluated when the scenario has indexed expressions
    # (econ.model.indexed: the same values, indexed ones evaluated over a members axis); empty: ``derived``

    @property
    def evaluation(self) -> tuple:
        """((name, expression or node), ...) in evaluation order: ``plan`` if any, else ``derived``."""
        return self.plan or self.derived


@dataclass(frozen=True)
class CohortModel:
    """A compiled cohort model over an expanded (tunnel) state space."""

    states: tuple  # expanded state names
    state_group: tuple  # declared state of each expanded state
    time_in_state: tuple  # 1..tunnel length for tunnel states, 1 elsewhere
    strategies: tuple  # StrategyModel
    n_cycles: int
    cycle_years: float

    @property
    def groups(self) -> list[str]:
        """Declared states, in order."""
        out: list[str] = []
        for g in self.state_group:
            if g not in out:
                out.append(g)
        return out

    @property
    def strategy_names(self) -> list[str]:
        return [s.name for s in self.strategies]


@dataclass(frozen=True)
class Trace:
    """State membership of the cohort.

    Attributes
    ----------
    states : tuple of str
        Expanded state names (tunnel states appear as ``name@k``).
    strategies : tuple of str
    values : ndarray, shape (draws, strategies, cycles + 1, states)
        Share of the cohort in each state at each cycle boundary; ``values[:, :, 0]`` is the start.
    flows : dict
        (from index, to index) -> ndarray (draws, strategies, cycles): share moving in each cycle.
    weights : dict
        For each mixture strategy index: ((component index, ndarray (draws,)), ...).
    envs : dict
        Strategy index -> the :class:`StrategyEnv` the trace was computed with, so that accounting
        on the same table reuses its derived parameters instead of evaluating them again. Kept
        only while its derived parameters take no more memory than the strategy's trace.
    """

    states: tuple
    strategies: tuple
    values: np.ndarray
    flows: dict = field(default_factory=dict)
    weights: dict = field(default_factory=dict)
    envs: dict = field(default_factory=dict, repr=False, compare=False)


def _as_2d(value: np.ndarray, n: int, T: int) -> np.ndarray:
    value = np.asarray(value, dtype=float)
    if value.ndim == 0:
        return value.reshape(1, 1)
    if value.ndim == 1:
        return value.reshape(-1, 1)
    return value


#: arrays up to this many elements (512 KB) are summed by np.add.accumulate in :func:`in_order_sum`
ACCUMULATE_ELEMENTS = 2**16


def in_order_sum(a: np.ndarray, *, axis: int = 0, weights: np.ndarray | None = None) -> np.ndarray:
    """sum_i w_i a_i over ``axis`` (w_i = 1 without weights), added one slice at a time in index order.

    Elementwise over the other axes, so every element gets the same additions in the same order
    whatever the array's other sizes (numpy reductions and ``einsum`` change their order of
    addition when the summed axis becomes the contiguous one, as in a chunk of one draw).
    """
    if axis != 0:  # (axis 0 needs no view: the same elements, without moveaxis' overhead)
        a = np.moveaxis(a, axis, 0)
    if 1 < a.shape[0] and a.size <= ACCUMULATE_ELEMENTS and a.dtype == np.float64 and (
            weights is None or (isinstance(weights, np.ndarray) and weights.dtype == np.float64 and weights.ndim == 1
                                and len(weights) >= a.shape[0])):
        # np.add.accumulate adds in index order (out[i] = out[i-1] + a[i]; numpy's pairwise
        # summation is for reductions only): the same additions, without a Python loop (start-up,
        # issue 19: most sums of a one-draw evaluation are a few dozen elements). It holds the running
        # sums of every slice, so only small arrays take this way.
        if weights is not None:
            a = a * weights[:a.shape[0]].reshape((-1,) + (1,) * (a.ndim - 1))
        return np.add.accumulate(a, axis=0)[-1].copy()
    out = a[0] * weights[0] if weights is not None else a[0].copy()
    for i in range(1, a.shape[0]):
        out += a[i] * weights[i] if weights is not None else a[i]
    return out


def transition_cells(model: CohortModel, strategy: StrategyModel, senv: StrategyEnv) -> tuple:
    """Evaluate a strategy's transition cells, and the runs of cycles in which they do not change.

    Returns ``(cells, complements, segment, starts)``: ``cells`` is [(from, to, value)], each value
    (draws, 1) or (draws, cycles); ``complements`` [(from, to)]; ``segment`` (cycles,) the index of
    the distinct matrix used in each cycle and ``starts`` the first cycle (0-based) of each.
    A cycle shares its neighbour's matrix only when every evaluated probability is exactly equal
    (``==``) for every draw, so the trace is the same, bit for bit, as with one matrix per cycle.
    """
    n, T = senv.n_draws, model.n_cycles
    cells: list[tuple[int, int, np.ndarray]] = []
    complements: list[tuple[int, int]] = []
    for i, row in enumerate(strategy.rows):
        for e in row:
            if e.expr is None:
                complements.append((i, e.to))
                continue
            cells.append((i, e.to, _as_2d(senv.evaluate(e.expr, model.time_in_state[i]), n, T)))
    varying = [v for _, _, v in cells if v.shape[-1] > 1]
    if varying:
        same = np.ones(T - 1, dtype=bool)
        for v in varying:
            same &= (v[:, 1:] == v[:, :-1]).all(axis=0)
        segment = np.concatenate([[0], np.cumsum(~same)])
        starts = np.concatenate([[0], np.nonzero(~same)[0] + 1])  # first cycle (0-based) of each run
    else:
        segment = np.zeros(T, dtype=np.intp)
        starts = np.zeros(1, dtype=np.intp)
    return cells, complements, segment, starts


def transition_array(model: CohortModel, strategy: StrategyModel, senv: StrategyEnv) -> tuple[np.ndarray, np.ndarray]:
    """Evaluate a strategy's transition matrices, one per run of cycles in which they do not change.

    Returns
    -------
    M : ndarray, shape (U, states, states, draws)
        The distinct matrices, draws last (contiguous, the layout the trace is advanced in):
        U = 1 if no probability depends on ``cycle`` or ``time``; otherwise
        one per run of consecutive cycles whose probabilities are equal for every draw (e.g. 2 for
        an effect that lasts the first years only), so memory and checks scale with U, not cycles.
    segment : ndarray of int, shape (cycles,)
        The index into ``M`` of the matrix used in each cycle.

    This is the dense reference; tunnel models store only their cells (:mod:`econ.model.tunnels`).
    """
    n, S = senv.n_draws, len(model.states)
    cells, complements, segment, starts = transition_cells(model, strategy, senv)
    U = len(starts)
    M = np.zeros((U, S, S, n))
    for i, j, v in cells:
        M[:, i, j, :] += np.broadcast_to(v[:, starts] if v.shape[-1] > 1 else v, (n, U)).T
    for i, j in complements:
        M[:, i, j, :] = 1.0 - in_order_sum(M[:, i], axis=1)  # the rest of the row (this cell is still 0)
    return M, segment


def check_transitions(M: np.ndarray, model: CohortModel, strategy: StrategyModel, *, draw_offset: int = 0,
                      segment: np.ndarray | None = None, plan: tunnels.CellPlan | None = None) -> None:
    """Raise ModelError unless every probability is in [0, 1] and every row sums to 1 (tol 1e-9).

    The message names strategy, from-state, cycle and draw of the first violation, and how many
    cells or rows are affected. Nothing is normalised. ``M`` is (matrices, from, to, draws) as
    :func:`transition_array` returns it, or with ``plan`` the (matrices, cells, draws) values of
    :func:`econ.model.tunnels.cell_values` (cells no row fills are 0, which passes); ``segment``
    maps cycles to its matrices, and a message names the first cycle using the bad matrix.
    """
    values = M
    tol = PROBABILITY_TOLERANCE
    # M is (matrices, from, to, draws); the search below runs draw first, so messages name the
    # first bad draw.
    M = np.moveaxis(M, -1, 0)
    if segment is None:
        segment = np.zeros(model.n_cycles, dtype=np.intp) if M.shape[1] == 1 else np.arange(M.shape[1])
    constant = M.shape[1] == 1
    first_cycle = {int(u): int(np.argmax(segment == u)) for u in np.unique(segment)}
    problems = []
    # Fast path: min and max are NaN if any cell is, so one pass each clears the usual case; the
    # cell-by-cell masks below are built only when something is wrong.
    lo, hi = (M.min(), M.max()) if M.size else (0.0, 0.0)
    cells_ok = bool(np.isfinite(lo) and np.isfinite(hi) and lo >= -tol and hi <= 1 + tol)
    bad = None if cells_ok else (~np.isfinite(M) | (M < -tol) | (M > 1 + tol))
    if bad is not None and bad.any():
        # Report a cell the user wrote before a complement cell that merely absorbs its error.
        if plan is None:
            written = np.zeros(M.shape[2:], dtype=bool)
            for i, row in enumerate(strategy.rows):
                for e in row:
                    if e.expr is not None:
                        written[i, e.to] = True
        else:
            written = plan.written
        preferred = bad & written[None, None]
        d, t, *cell = np.argwhere(preferred if preferred.any() else bad)[0]
        found = M[(d, t, *cell)]
        i, j = cell if plan is None else (plan.cell_from[cell[0]], plan.cell_to[cell[0]])
        origin = next((e.origin for e in strategy.rows[i] if e.to == j), "")
        problems.append(Problem(
            f"strategy '{strategy.name}', from-state '{model.states[i]}', cycle {first_cycle[int(t)] + 1}"
            f"{' (and all cycles)' if constant else ''}, draw {d + draw_offset}: probability of moving to "
            f"'{model.states[j]}' is {found:.6g}; probabilities must be in [0, 1]"
            f" ({int(bad.sum())} cell(s) affected)", None, origin or "engine"))
    else:
        sums = M.sum(axis=-1) if plan is None else np.moveaxis(tunnels.row_sums(plan, values), -1, 0)
        dev = np.abs(sums - 1.0)
        off = dev > tol if dev.size and dev.max() > tol else None
        if off is not None:
            d, t, i = np.argwhere(off)[0]
            origin = strategy.rows[i][0].origin.rsplit(".", 1)[0] if strategy.rows[i] else ""
            problems.append(Problem(
                f"strategy '{strategy.name}', draw {d + draw_offset}, cycle {first_cycle[int(t)] + 1}"
                f"{' (and all cycles)' if constant else ''}: transition row '{model.states[i]}' sums to "
                f"{sums[d, t, i]:.12g}; rows must sum to 1 (tol {tol:g}); use 'complement' for the rest of a row"
                f" ({int(off.sum())} row(s) affected)", None, origin or "engine"))
    if problems:
        raise ModelError(problems)


def initial_distribution(model: CohortModel, strategy: StrategyModel, senv: StrategyEnv, *,
                         draw_offset: int = 0) -> np.ndarray:
    """Evaluate the initial state vector, shape (draws, states); checked like a transition row."""
    n, S = senv.n_draws, len(model.states)
    x0 = np.zeros((n, S))
    env = senv.initial_env()
    for idx, expr, _origin in strategy.initial:
        v = np.asarray(expr.evaluate(env), dtype=float)
        x0[:, idx] += np.broadcast_to(v.reshape(-1) if v.ndim else v, (n,))
    tol = PROBABILITY_TOLERANCE
    bad = ~np.isfinite(x0) | (x0 < -tol) | (x0 > 1 + tol)
    total = x0.sum(axis=1)
    if bad.any() or (np.abs(total - 1) > tol).any():
        if bad.any():
            d, j = np.argwhere(bad)[0]
            what = f"share in '{model.states[j]}' is {x0[d, j]:.6g}; shares must be in [0, 1]"
        else:
            d = int(np.argmax(np.abs(total - 1) > tol))
            what = f"initial shares sum to {total[d]:.12g}; they must sum to 1 (tol {tol:g})"
        origin = strategy.initial[0][2].rsplit(".", 1)[0] if strategy.initial else ""
        raise ModelError(Problem(f"strategy '{strategy.name}', draw {d + draw_offset}: {what}", None,
                                 origin or "engine"))
    return x0


def mixture_weights(model: CohortModel, strategy: StrategyModel, senv: StrategyEnv, *,
                    draw_offset: int = 0) -> tuple:
    """Evaluate a mixture's shares: ((component index, ndarray (draws,)), ...), checked like a row."""
    n = senv.n_draws
    env = senv.initial_env()
    out = []
    for comp, expr, _origin in strategy.mixture:
        v = np.asarray(expr.evaluate(env), dtype=float)
        out.append((comp, np.broadcast_to(v.reshape(-1) if v.ndim else v, (n,)).copy()))
    W = np.stack([w for _, w in out], axis=1)
    tol = PROBABILITY_TOLERANCE
    bad_cell = ~np.isfinite(W) | (W < -tol) | (W > 1 + tol)
    bad_sum = np.abs(W.sum(axis=1) - 1) > tol
    if bad_cell.any() or bad_sum.any():
        d = int(np.argmax(bad_cell.any(axis=1) | bad_sum))
        shares = ", ".join(f"{model.strategies[c].name} {W[d, i]:.6g}" for i, (c, _) in enumerate(out))
        origin = strategy.mixture[0][2].rsplit(".", 1)[0]
        raise ModelError(Problem(f"strategy '{strategy.name}', draw {d + draw_offset}: mixture shares ({shares}) "
                                 f"must each be in [0, 1] and sum to 1 (tol {tol:g})", None, origin or "engine"))
    return tuple(out)


def run_cohort(model: CohortModel, table: ParameterTable, *, flows: Sequence[tuple[int, int]] = (),
               draw_offset: int = 0, check: bool = True, method: str = "auto",
               buffer: np.ndarray | None = None) -> Trace:
    """Compute the state trace of every strategy for every draw in ``table``.

    Parameters
    ----------
    model : CohortModel
    table : ParameterTable
        One row per draw (a base case is one row).
    flows : sequence of (from, to)
        Expanded-state index pairs whose per-cycle flows to return (for one-off transition values).
    draw_offset : int
        Index of the first draw of ``table`` in the whole run (only used in error messages).
    check : bool
        Check every probability and row sum (on by default; turn off only in benchmarks).
    buffer : ndarray, optional
        A C-ordered float array of shape (strategies, cycles + 1, states, draws) to hold the trace
        (every element is overwritten; the returned trace is a view of it). Used only when it has
        exactly that shape, so a chunked evaluation reuses one buffer instead of touching fresh
        memory for every chunk; otherwise a new array is allocated.
    method : {'auto', 'dense', 'shift'}
        How a strategy advances: 'dense', one (states x states) product per cycle (the reference);
        'shift', tunnel-aware (:mod:`econ.model.tunnels`: only the cells rows can fill, single-source
        columns by one multiply; the same numbers); 'auto' (default), shifting for strategies of a
        model with tunnel states where it does at most half the dense work.

    Returns
    -------
    Trace

    Raises
    ------
    ModelError
        A probability outside [0, 1] or a row not summing to 1.
    """
    n, T, S = table.n_draws, model.n_cycles, len(model.states)
    K = len(model.strategies)
    # Working arrays are (strategy, cycle, state, draw): see the module notes.
    shape = (K, T + 1, S, n)
    ok = (buffer is not None and buffer.shape == shape and buffer.dtype == np.float64
          and buffer.flags.c_contiguous and buffer.flags.writeable)
    store = buffer if ok else np.empty(shape)
    flow_store = {pair: np.empty((K, T, n)) for pair in flows}
    constant, envs = _advance_strategies(model, table, store, flow_store, draw_offset=draw_offset, check=check,
                                         method=method)
    _advance_constant(constant, store, flow_store)
    weights = _mix_strategies(model, table, store, flow_store, draw_offset=draw_offset)
    # The trace is returned as a view in the documented axis order (draws, strategies, cycles + 1,
    # states); flows are small and copied to C order, so that sums over cycles downstream keep
    # the memory layout (and hence the summation order) they always had.
    values = np.moveaxis(store, -1, 0)
    flow_out = {pair: np.ascontiguousarray(np.moveaxis(arr, -1, 0)) for pair, arr in flow_store.items()}
    return Trace(tuple(model.states), tuple(model.strategy_names), values, flow_out, weights, envs)


def _advance_strategies(model: CohortModel, table: ParameterTable, store: np.ndarray, flow_store: dict, *,
                        draw_offset: int, check: bool, method: str = "auto") -> tuple[dict, dict]:
    """Start every ordinary strategy; advance (and fill the flows of) those whose matrices vary by cycle.

    Returns the strategies with one constant matrix (index -> (S, S, n)), left for
    :func:`_advance_constant`, and the environments worth keeping for the accounting.
    """
    T = model.n_cycles
    constant: dict[int, np.ndarray] = {}  # strategy -> its one (S, S, n) matrix
    envs: dict[int, StrategyEnv] = {}
    for k, strategy in enumerate(model.strategies):
        if strategy.mixture:
            continue
        senv = StrategyEnv(model, strategy, table)
        if tunnels.use_shift(model, strategy.rows, method):
            _advance_shifting(model, k, strategy, senv, store, flow_store, draw_offset=draw_offset, check=check)
            if senv.derived_nbytes() <= store[k].nbytes:
                envs[k] = senv
            continue
        Md, segment = transition_array(model, strategy, senv)  # (Tm, S, S, n)
        if check:
            check_transitions(Md, model, strategy, draw_offset=draw_offset, segment=segment)
        store[k, 0] = initial_distribution(model, strategy, senv, draw_offset=draw_offset).T
        if senv.derived_nbytes() <= store[k].nbytes:
            envs[k] = senv
        if Md.shape[0] == 1:
            constant[k] = Md[0]
            continue
        # matrices that vary by cycle: advance now, so only one strategy's are held at a time
        for t in range(1, T + 1):
            np.einsum("in,ijn->jn", store[k, t - 1], Md[segment[t - 1]], out=store[k, t])
        for (i, j), arr in flow_store.items():
            arr[k] = store[k, :-1, i, :] * Md[segment, i, j, :]
    return constant, envs


def _advance_shifting(model: CohortModel, k: int, strategy: StrategyModel, senv: StrategyEnv, store: np.ndarray,
                      flow_store: dict, *, draw_offset: int, check: bool) -> None:
    """Check, start and advance strategy ``k`` on its cells only (:mod:`econ.model.tunnels`)."""
    plan = tunnels.cell_plan(strategy.rows, len(model.states))
    cells, complements, segment, starts = transition_cells(model, strategy, senv)
    V = tunnels.cell_values(plan, cells, complements, starts, senv.n_draws)  # (Tm, cells, n)
    if check:
        check_transitions(V, model, strategy, draw_offset=draw_offset, segment=segment, plan=plan)
    store[k, 0] = initial_distribution(model, strategy, senv, draw_offset=draw_offset).T
    tunnels.advance(plan, V, segment, store[k])
    for (i, j), arr in flow_store.items():
        p = tunnels.cell_value(plan, V, i, j)
        arr[k] = store[k, :-1, i, :] * (p[segment] if p is not None else 0.0)


def _advance_constant(constant: dict, store: np.ndarray, flow_store: dict) -> None:
    """Advance the strategies with constant matrices and fill their flows.

    Runs of neighbouring strategies with constant matrices advance together: one product per
    cycle for the whole run (the same sums per element as one strategy at a time).
    """
    T = store.shape[1] - 1
    runs: list[list[int]] = []
    for k in sorted(constant):
        if runs and runs[-1][-1] == k - 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    for run in runs:
        a, b = run[0], run[-1] + 1
        Mg = np.stack([constant[k] for k in run])  # (strategies, S, S, n)
        for t in range(1, T + 1):
            np.einsum("kin,kijn->kjn", store[a:b, t - 1], Mg, out=store[a:b, t])
    for k, Mc in constant.items():
        for (i, j), arr in flow_store.items():
            arr[k] = store[k, :-1, i, :] * Mc[i, j][None, :]


def _mix_strategies(model: CohortModel, table: ParameterTable, store: np.ndarray, flow_store: dict, *,
                    draw_offset: int) -> dict:
    """Fill each mixture strategy's trace and flows from its components; return its weights."""
    weights = {}
    for k, strategy in enumerate(model.strategies):
        if not strategy.mixture:
            continue
        w = mixture_weights(model, strategy, StrategyEnv(model, strategy, table), draw_offset=draw_offset)
        weights[k] = w
        store[k] = sum(wc * store[c] for c, wc in w)
        for arr in flow_store.values():
            arr[k] = sum(wc * arr[c] for c, wc in w)
    return weights
