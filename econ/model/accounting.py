"""Turn a trace into costs and outcomes: cycle correction, discounting, totals per value.

Notes
-----
For a value v with amount a_s(t) per cycle in state s (t = 1..T), one-off amount b_ij(t) per
person moving from i to j in cycle t, and flows f_ij(t) = x_{t-1,i} P_t[i, j]:

    cycle amount  A(t) = sum_s w_s(t) a_s(t) + sum_ij f_ij(t) b_ij(t)
    total         V    = sum_t A(t) d(t)

where w(t) is the corrected state membership counted in cycle t (see :func:`cycle_occupancy`)
and d(t) the discount factor (see :func:`discount_factors`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from econ.model.engine import CohortModel, StrategyEnv, Trace, in_order_sum
from econ.scenario.expressions import Expression
from econ.model.parameters import ParameterTable

CycleCorrection = Literal["end", "start", "trapezoid", "simpson"]
DiscountTiming = Literal["cycle", "boundary"]


@dataclass(frozen=True)
class ValueModel:
    """A value to accumulate (compiled; no YAML).

    ``states[k]`` is ((expanded state index, Expression), ...) for strategy k, and
    ``transitions[k]`` is ((from index, to index, Expression), ...).
    """

    name: str
    kind: str  # "cost" or "outcome"
    discount_rate: float  # per year
    states: tuple
    transitions: tuple
    label: str = ""
    category: str = ""
    sector: str = ""
    unit: str = ""


def cycle_occupancy(trace_values: np.ndarray, method: CycleCorrection) -> np.ndarray:
    """State membership counted in each cycle under a cycle-correction method.

    Parameters
    ----------
    trace_values : ndarray, shape (..., T + 1, S)
        Membership at cycle boundaries 0..T.
    method : {"end", "start", "trapezoid", "simpson"}

    Returns
    -------
    ndarray, shape (..., T, S)

    Notes
    -----
    With x_k the membership at boundary k:

    - ``end``: w(t) = x_t;  ``start``: w(t) = x_{t-1};
    - ``trapezoid`` (half-cycle / life-table): w(t) = (x_{t-1} + x_t) / 2;
    - ``simpson``: composite Simpson's 1/3 rule. Cycles are taken in pairs (2m-1, 2m); the
      quadratic through x_{2m-2}, x_{2m-1}, x_{2m} is integrated over each cycle of the pair:
      w(2m-1) = (5 x_{2m-2} + 8 x_{2m-1} - x_{2m}) / 12 and
      w(2m) = (-x_{2m-2} + 8 x_{2m-1} + 5 x_{2m}) / 12, which sum to the textbook
      (x_{2m-2} + 4 x_{2m-1} + x_{2m}) / 3, so the sum over cycles has the weights
      (1, 4, 2, 4, ..., 2, 4, 1) / 3 and integrates cubics exactly. With an odd number of cycles
      the last cycle uses the quadratic through the last three boundaries,
      (-x_{T-2} + 8 x_{T-1} + 5 x_T) / 12 (exact for quadratics, not cubics). With a single cycle,
      where no quadratic can be fitted, it falls back to the trapezoid.
    """
    x = trace_values
    T = x.shape[-2] - 1
    if method == "end":
        return x[..., 1:, :]
    if method == "start":
        return x[..., :-1, :]
    if method == "trapezoid":
        w = x[..., :-1, :] + x[..., 1:, :]
        w *= 0.5  # in place: the same numbers as 0.5 * (a + b) without a second temporary
        return w
    if method == "simpson":
        if T < 2:
            return 0.5 * (x[..., :-1, :] + x[..., 1:, :])
        w = np.empty(x.shape[:-2] + (T, x.shape[-1]))
        m = T // 2
        x0 = x[..., 0 : 2 * m - 1 : 2, :]
        x1 = x[..., 1 : 2 * m : 2, :]
        x2 = x[..., 2 : 2 * m + 1 : 2, :]
        w[..., 0 : 2 * m : 2, :] = (5 * x0 + 8 * x1 - x2) / 12.0
        w[..., 1 : 2 * m : 2, :] = (-x0 + 8 * x1 + 5 * x2) / 12.0
        if T % 2:
            w[..., T - 1, :] = (-x[..., T - 2, :] + 8 * x[..., T - 1, :] + 5 * x[..., T, :]) / 12.0
        return w
    raise ValueError(f"unknown cycle correction '{method}'; use end, start, trapezoid or simpson")


def cycle_rate(rate_per_year: float, cycle_years: float) -> float:
    """Convert a discount rate per year to one per cycle: (1 + r)^cycle_years - 1."""
    return (1.0 + rate_per_year) ** cycle_years - 1.0


def discount_factors(rate_per_year: float, n_cycles: int, cycle_years: float, *, first_cycle_discounted: bool) -> np.ndarray:
    """Discount factor of each cycle t = 1..T.

    Notes
    -----
    r_c = (1 + r)^L - 1 for cycle length L years; d(t) = (1 + r_c)^-t when the first cycle is
    discounted, (1 + r_c)^-(t-1) when it is not.
    """
    r = cycle_rate(rate_per_year, cycle_years)
    t = np.arange(1, n_cycles + 1, dtype=float)
    if not first_cycle_discounted:
        t = t - 1.0
    return (1.0 + r) ** -t


@dataclass(frozen=True)
class Accounts:
    """Totals (and optionally per-cycle amounts) of every value.

    Attributes
    ----------
    values : tuple of str
    totals : ndarray, shape (draws, strategies, values)
        Discounted totals per person over the horizon.
    totals_undiscounted : ndarray, shape (draws, strategies, values)
    per_cycle : ndarray, shape (draws, strategies, values, cycles), or None
        Undiscounted amount per person in each cycle (when asked for).
    discount : ndarray, shape (values, cycles)
        Discount factor of each value in each cycle.
    """

    values: tuple
    totals: np.ndarray
    totals_undiscounted: np.ndarray
    per_cycle: np.ndarray | None
    discount: np.ndarray
    per_cycle_discounted: np.ndarray | None = None  # with boundary discounting (per cycle differs by state)

    def discounted_per_cycle(self) -> np.ndarray:
        """Discounted amount per person in each cycle (draws, strategies, values, cycles)."""
        if self.per_cycle_discounted is not None:
            return self.per_cycle_discounted
        return self.per_cycle * self.discount[None, None]


def boundary_weights(n_cycles: int, method: CycleCorrection) -> np.ndarray:
    """Weight w_t of the membership at each cycle boundary t = 0..T under a cycle correction.

    The sum over cycles of each cycle's coefficients on boundary t (``cycle_occupancy`` is linear in
    the trace): trapezoid (1/2, 1, ..., 1, 1/2), end (0, 1, ..., 1), start (1, ..., 1, 0), Simpson
    (1, 4, 2, 4, ..., 4, 1) / 3 for an even number of cycles.
    """
    eye = np.eye(n_cycles + 1)
    return cycle_occupancy(eye, method).sum(axis=0)


def boundary_discount_factors(rate_per_year: float, n_cycles: int, cycle_years: float) -> np.ndarray:
    """Discount factor of each cycle boundary t = 0..T: (1 + r_c)^-t (boundary 0 undiscounted)."""
    r = cycle_rate(rate_per_year, cycle_years)
    return (1.0 + r) ** -np.arange(0, n_cycles + 1, dtype=float)


def accumulate(model: CohortModel, values: tuple, trace: Trace, table: ParameterTable, *,
               correction: CycleCorrection, first_cycle_discounted: bool, keep_cycles: bool = False,
               timing: DiscountTiming = "cycle", occupancy_of=None) -> Accounts:
    """Totals of every value for every draw and strategy (and per-cycle amounts if asked).

    Parameters
    ----------
    model : CohortModel
    values : tuple of ValueModel
    trace : Trace
        From :func:`econ.model.engine.run_cohort` on the same ``table``, with the flows the values need.
    table : ParameterTable
    correction : {"end", "start", "trapezoid", "simpson"}
    first_cycle_discounted : bool
    keep_cycles : bool
        Also return the per-cycle amounts (memory: draws x strategies x values x cycles x 8 bytes).
    timing : {"cycle", "boundary"}
        ``cycle``: corrected membership w(t) discounted by d(t). ``boundary``: membership at boundary
        t = 0..T discounted by (1 + r_c)^-t, then cycle-corrected: a constant amount totals
        sum_t w_t (1 + r_c)^-t a . x_t (:func:`boundary_weights`); one-offs at (1 + r_c)^-t.
    occupancy_of : callable, optional
        ``occupancy_of(k, rates, rate_factors)`` gives strategy k's corrected occupancy and its sums
        (what :func:`strategy_occupancy` computes from ``trace``), e.g. rows of one computed for
        more draws; by default they are computed from ``trace``.

    Returns
    -------
    Accounts

    Notes
    -----
    For a value whose state amounts a_s do not change with the cycle, the discounted total is
    sum_s a_s W_s with W_s = sum_t d(t) w_s(t), so the cycle loop is done once per discount rate
    (not once per value); amounts that change with the cycle are summed cycle by cycle.
    """
    n, K, T = trace.values.shape[0], trace.values.shape[1], model.n_cycles
    V = len(values)
    # The engine's own layout, (strategy, cycle boundary, state, draw), draws contiguous. Every sum
    # over cycles or states below is a loop of elementwise operations, so each draw's total is the
    # same sequence of additions whatever the number of draws evaluated together (numpy's reductions
    # and einsum switch to SIMD-lane or pairwise summation when the summed axis becomes the
    # contiguous one, which happens for a chunk of one draw).
    store = np.moveaxis(trace.values, 0, -1)
    boundary = timing == "boundary"
    first_cycle_discounted = first_cycle_discounted or boundary  # boundary: one-offs in cycle t at (1 + r_c)^-t
    discount = np.stack([
        discount_factors(v.discount_rate, T, model.cycle_years, first_cycle_discounted=first_cycle_discounted)
        for v in values
    ]) if values else np.zeros((0, T))
    rates = sorted({v.discount_rate for v in values})
    rate_index = [rates.index(v.discount_rate) for v in values]
    rate_factors = np.stack([discount[rate_index.index(i)] for i in range(len(rates))]) if values else np.zeros((0, T))
    totals = np.zeros((n, K, V))
    totals_u = np.zeros((n, K, V))
    per_cycle = np.zeros((n, K, V, T)) if keep_cycles else None
    per_cycle_d = np.zeros((n, K, V, T)) if keep_cycles and boundary else None
    for k, strategy in enumerate(model.strategies):
        if strategy.mixture:
            continue
        # the engine's environment, taken out of the trace: its derived parameters are evaluated as
        # the values read them, and are released with this strategy rather than held to the end
        senv = getattr(trace, "envs", {}).pop(k, None)
        if senv is None or senv.n_draws != n:
            senv = StrategyEnv(model, strategy, table)
        occupancy, W, W0, occ_d = (strategy_occupancy(model, store[k], correction, rates, rate_factors, boundary)
                                   if occupancy_of is None else occupancy_of(k, rates, rate_factors))
        out = (totals[:, k], totals_u[:, k], per_cycle[:, k] if keep_cycles else None,
               per_cycle_d[:, k] if per_cycle_d is not None else None)
        for v_idx, value in enumerate(values):
            _add_state_amounts(model, value.states[k], senv, occupancy, W[rate_index[v_idx]], W0, discount[v_idx],
                               out, v_idx, occ_d[rate_index[v_idx]] if boundary else None)
            _add_transition_amounts(model, value.transitions[k], senv, trace, k, discount[v_idx], out, v_idx)
    for k, w in trace.weights.items():
        totals[:, k] = sum(wc[:, None] * totals[:, c] for c, wc in w)
        totals_u[:, k] = sum(wc[:, None] * totals_u[:, c] for c, wc in w)
        if keep_cycles:
            per_cycle[:, k] = sum(wc[:, None, None] * per_cycle[:, c] for c, wc in w)
        if per_cycle_d is not None:
            per_cycle_d[:, k] = sum(wc[:, None, None] * per_cycle_d[:, c] for c, wc in w)
    return Accounts(tuple(v.name for v in values), totals, totals_u, per_cycle, discount, per_cycle_d)


def strategy_occupancy(model, store_k, correction, rates, rate_factors, boundary) -> tuple:
    """(:class:`_Occupancy`, discounted occupancy per rate [(S, n)], undiscounted (S, n), and with boundary
    timing the discounted corrected occupancy per rate [(T, S, n)], else None) of one strategy's trace."""
    T1, S, n = store_k.shape
    # (T + 1, S x n) -> corrected occupancy (T, S, n); cycle_occupancy is elementwise in its last axis
    occupancy = _Occupancy(np.ascontiguousarray(store_k).reshape(T1, S * n), correction, (T1 - 1, S, n))
    if boundary:  # sum_t w_t (1 + r_c)^-t x_t
        occ_d = _boundary_occupancy(model, rates, store_k, correction)
        return occupancy, [in_order_sum(o) for o in occ_d], in_order_sum(occupancy.full()), occ_d
    W, W0 = occupancy.sums(rate_factors)
    return occupancy, W, W0, None


class _Occupancy:
    """The corrected occupancy of one strategy (T, S, n), built only when a value needs it per cycle.

    Its sums over cycles (weighted by discount factors, and plain) are the in-order sums of
    :func:`econ.model.engine.in_order_sum` on :func:`cycle_occupancy`. For a large trace and the
    corrections computed cycle by cycle (end, start, trapezoid) they are taken one cycle at a time,
    the same additions in the same order, without holding the (T, S, n) array.
    """

    STREAM_ELEMENTS = 2**19  # traces from this many elements (4 MB) are summed cycle by cycle

    def __init__(self, xk: np.ndarray, correction: CycleCorrection, shape: tuple):
        self.xk, self.correction, self.shape = xk, correction, shape
        self._full: np.ndarray | None = None

    def rows(self, idx: np.ndarray) -> "_Occupancy":
        """The occupancy of draws ``idx`` (the same numbers: every draw's occupancy is its own)."""
        part = _Occupancy(None, self.correction, self.shape[:2] + (len(idx),))
        part._full = self.full()[..., idx]
        return part

    def full(self) -> np.ndarray:
        if self._full is None:
            self._full = cycle_occupancy(self.xk, self.correction).reshape(self.shape)
        return self._full

    def _cycle(self, t: int, out: np.ndarray) -> np.ndarray:
        """Occupancy counted in cycle t (0-based), flat (S x n), as :func:`cycle_occupancy` computes it
        (a view of the trace, or written into ``out`` for the trapezoid)."""
        x = self.xk
        if self.correction == "end":
            return x[t + 1]
        if self.correction == "start":
            return x[t]
        np.add(x[t], x[t + 1], out=out)
        out *= 0.5
        return out

    def sums(self, factors: np.ndarray) -> tuple[list, np.ndarray]:
        """([sum_t f_t w(t) for each row f of ``factors``], sum_t w(t)), each (S, n)."""
        T, S, n = self.shape
        if self.correction == "simpson" or self.xk.size < self.STREAM_ELEMENTS or T < 1:
            occ = self.full()
            return [in_order_sum(occ, weights=f) for f in factors], in_order_sum(occ)
        # the same operations as on the whole array, into buffers allocated once (w, w * f_t)
        buf, tmp = np.empty(S * n), np.empty(S * n)
        first = self._cycle(0, buf)
        W = [first * f[0] for f in factors]
        W0 = first.copy()
        for t in range(1, T):
            w = self._cycle(t, buf)
            for acc, f in zip(W, factors):
                np.multiply(w, f[t], out=tmp)
                acc += tmp
            W0 += w
        return [a.reshape(S, n) for a in W], W0.reshape(S, n)


def _boundary_occupancy(model, rates, store_k, correction) -> list:
    """Per rate: the corrected occupancy (T, S, n) of the trace discounted at its boundaries, (1 + r_c)^-t x_t."""
    T1, S, n = store_k.shape
    out = []
    for r in rates:
        d = boundary_discount_factors(r, T1 - 1, model.cycle_years)
        xd = (store_k * d[:, None, None]).reshape(T1, S * n)
        out.append(cycle_occupancy(xd, correction).reshape(T1 - 1, S, n))
    return out


def _add_state_amounts(model, entries, senv, occupancy, W, W0, discount, out, v_idx, occ_d=None) -> None:
    """Add one value's state amounts in one strategy to ``out`` = (totals, undiscounted, per cycle,
    discounted per cycle (boundary timing only)).

    ``W`` and ``W0`` are the discounted and undiscounted occupancy (S, n) for the value's rate;
    ``occupancy`` the strategy's :class:`_Occupancy`; ``occ_d`` (boundary timing) the discounted
    corrected occupancy per cycle (T, S, n); ``out`` holds views of the strategy's slices (draws
    first), updated in place.
    """
    if not entries:
        return
    totals, totals_u, per_cycle, per_cycle_d = out
    T, S, n = occupancy.shape
    evaluated = [(s, _eval(senv.evaluate(expr, model.time_in_state[s]))) for s, expr in entries]
    Tv = max(a.shape[-1] for _, a in evaluated)
    if per_cycle is None and per_cycle_d is None and occ_d is None:
        _add_state_totals(evaluated, Tv, occupancy, W, W0, discount, totals[:, v_idx], totals_u[:, v_idx])
        return
    if Tv == 1:
        amount = np.zeros((S, n))
        for s, a in evaluated:
            amount[s] += a[:, 0] if a.shape[0] == n else a[0, 0]
        totals[:, v_idx] += in_order_sum(W * amount)
        totals_u[:, v_idx] += in_order_sum(W0 * amount)
        if per_cycle is not None:
            per_cycle[:, v_idx] += in_order_sum(occupancy.full() * amount, axis=1).T
        if per_cycle_d is not None:
            per_cycle_d[:, v_idx] += in_order_sum(occ_d * amount, axis=1).T
    else:
        amount = np.zeros((T, S, n))
        for s, a in evaluated:
            amount[:, s, :] += np.broadcast_to(a, (n, T)).T
        pc = in_order_sum(occupancy.full() * amount, axis=1)  # (T, n)
        pcd = in_order_sum(occ_d * amount, axis=1) if occ_d is not None else None
        totals[:, v_idx] += in_order_sum(pc, weights=discount) if pcd is None else in_order_sum(pcd)
        totals_u[:, v_idx] += in_order_sum(pc)
        if per_cycle is not None:
            per_cycle[:, v_idx] += pc.T
        if per_cycle_d is not None:
            per_cycle_d[:, v_idx] += pcd.T


def _add_state_totals(evaluated, Tv, occupancy, W, W0, discount, total, total_u) -> None:
    """The totals of :func:`_add_state_amounts` (cycle timing, no per-cycle amounts), over the states
    that have an amount only.

    :func:`_add_state_amounts` fills an amount array with zeros for the states without one and sums
    over every state; here the sum runs over the states with an amount, in the same order. A state
    without one adds occupancy x 0 = +-0 (occupancy is finite), and adding a zero changes at most
    the sign of a zero sum, which the totals, starting at +0, do not keep: the totals are the same
    numbers (tests/test_engine.py compares both ways).
    """
    T, S, n = occupancy.shape
    amounts: dict = {}  # state -> its amount (entries of one state added in entry order)
    for s, a in evaluated:
        # (cycles or 1, draws or 1): broadcast against the occupancy (T, n) below, as (n, T).T would be
        a = (a[:, 0] if a.shape[0] == n else a[0, 0]) if Tv == 1 else _cycles_first(a, n, T)
        amounts[s] = a if s not in amounts else amounts[s] + a
    order = sorted(amounts)
    if Tv == 1:
        for w, out in ((W, total), (W0, total_u)):
            acc = w[order[0]] * amounts[order[0]]
            for s in order[1:]:
                acc += w[s] * amounts[s]
            out += acc
        return
    occ = occupancy.full()
    pc = occ[:, order[0], :] * amounts[order[0]]  # (T, n)
    for s in order[1:]:
        pc += occ[:, s, :] * amounts[s]
    total += in_order_sum(pc, weights=discount)
    total_u += in_order_sum(pc)


def _add_transition_amounts(model, entries, senv, trace, k, discount, out, v_idx) -> None:
    """Add one value's one-off transition amounts in strategy ``k`` to ``out`` (as above)."""
    totals, totals_u, per_cycle, per_cycle_d = out
    for i, j, expr in entries:
        b = _eval(senv.evaluate(expr, model.time_in_state[i]))
        pc = trace.flows[(i, j)][:, k] * b
        totals[:, v_idx] += np.einsum("nt,t->n", pc, discount)
        totals_u[:, v_idx] += pc.sum(axis=1)
        if per_cycle is not None:
            per_cycle[:, v_idx] += pc
        if per_cycle_d is not None:
            per_cycle_d[:, v_idx] += pc * discount


def _cycles_first(a: np.ndarray, n: int, T: int) -> np.ndarray:
    """An evaluated amount (draws or 1, cycles or 1) transposed to (cycles or 1, draws or 1): the same
    elements as ``np.broadcast_to(a, (n, T)).T`` once broadcast, without building the view."""
    if a.shape[0] not in (1, n) or a.shape[1] not in (1, T):
        return np.broadcast_to(a, (n, T)).T  # (raises numpy's message for a shape that cannot broadcast)
    return a.T


def _eval(value) -> np.ndarray:
    """An evaluated expression as a 2-d array (draws or 1, cycles or 1); shared, never modified."""
    a = np.asarray(value, dtype=float)
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    return a
