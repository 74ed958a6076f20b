"""Saltelli rows that share their inputs: each part of the model evaluated once per distinct input pattern.

A block of Saltelli's design is N x (G + 2) rows; row k of sample i is sample i of A with some
groups taken from B (:class:`~econ.analysis.gsa.design.SaltelliRows`). A part of the model that
reads only the columns of groups in a set D gives the same number on two rows of a sample whose
groups in D come from the same matrix: on those rows it reads the same values. Here:

- the *trace* reads the transition probabilities, initial shares and mixture shares;
- each needed *value* (one an output reads) reads its state and transition amounts and the trace;
- values no output reads are not evaluated at all (their totals are NaN in the evaluation).

For each part the rows of a block are mapped to a representative (the first row with the same
pattern of A/B over the part's groups); the engine runs on the representatives only, and the other
rows copy their numbers. Every draw is computed independently by the engine (the same additions in
the same order whatever the other draws of the table), so the outputs equal the plain evaluation of
every row bit for bit (tests/test_gsa_reuse.py compares them with ``==``).

The columns a part reads are found from the compiled expressions: names of derived parameters are
followed through the strategy's evaluation plan down to parameter-table columns. A name that is
neither (nor a built-in variable) makes the part depend on every group.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from econ.model.accounting import accumulate, strategy_occupancy
from econ.model.compile import CompiledScenario
from econ.model.engine import Trace, run_cohort
from econ.model.evaluate import Evaluation, _outputs_of

BUILTINS = frozenset({"cycle", "time", "cycle_years", "time_in_state"})


def _columns(names, exprs: dict, columns, memo: dict) -> set | None:
    """Parameter-table columns that ``names`` read through the derived parameters ``exprs`` (None: unknown)."""
    out: set = set()
    for name in names:
        if name in exprs:
            if name not in memo:
                memo[name] = None  # a cycle reads as unknown
                memo[name] = _columns(exprs[name].names, exprs, columns, memo)
            got = memo[name]
        elif name in columns:
            got = {name}
        elif name in BUILTINS:
            got = set()
        else:
            got = None
        if got is None:
            return None
        out |= got
    return out


@dataclass(frozen=True)
class ReusePlan:
    """Which sub-rows of each Saltelli block are evaluated, per part of the model.

    Attributes
    ----------
    step : int
        Rows per base sample.
    n_values : int
        Values of the scenario (the width of the evaluation's value axis).
    trace_rep : ndarray (step,)
        Representative sub-row of each sub-row for the trace.
    trace_columns : frozenset or None
        The table columns the trace reads (None: not known).
    classes : tuple of (strategy index, value indices, ndarray (step,), columns or None)
        Needed values that share one pattern in one strategy, their representatives and the table
        columns they read (None: not known, every column is given to the engine) (mixture
        strategies are not listed: their totals are the share-weighted totals of their components).
    """

    step: int
    n_values: int
    trace_rep: np.ndarray
    classes: tuple
    trace_columns: frozenset | None = None


def needed_values(compiled: CompiledScenario, outputs) -> list[int]:
    """Indices (in ``compiled.values``) of the values the outputs read."""
    from econ.analysis.offset import layout

    names = [v.name for v in compiled.values]

    def of(name: str) -> set:
        return {names.index(m) for m in compiled.totals[name]} if name in compiled.totals else {names.index(name)}

    need: set = set()
    for spec in outputs:
        if spec.kind in ("value", "incremental"):
            need |= of(spec.name)
        elif spec.kind == "icer":
            need |= of(compiled.icer[0]) | of(compiled.icer[1])
        else:
            lay = layout(compiled, spec.perspective)
            need |= set(lay.delivery) | {i for idx in lay.categories.values() for i in idx}
    return sorted(need)


def _representatives(from_b: np.ndarray, groups) -> np.ndarray:
    """For each sub-row, the first sub-row with the same choice of A or B over ``groups`` (all groups if None)."""
    pattern = from_b if groups is None else from_b[:, sorted(groups)]
    rep = np.empty(from_b.shape[0], dtype=np.intp)
    first: dict = {}
    for k in range(from_b.shape[0]):
        rep[k] = first.setdefault(pattern[k].tobytes(), k)
    return rep


def reuse_plan(compiled: CompiledScenario, rows, outputs) -> ReusePlan:
    """The plan for Saltelli rows ``rows`` (:class:`~econ.analysis.gsa.design.SaltelliRows`) and output specs."""
    model = compiled.model
    columns = set(compiled.parameters.columns)

    def reads(per_strategy) -> set | None:
        """Table columns read by expressions given per strategy as ((strategy, expressions), ...)."""
        out: set = set()
        for strategy, exprs in per_strategy:
            plan, memo = dict(strategy.evaluation), {}
            for e in exprs:
                cols = _columns(e.names, plan, columns, memo)
                if cols is None:
                    return None
                out |= cols
        return out

    def groups(cols) -> set | None:
        return None if cols is None else {rows.column_group[c] for c in cols if c in rows.column_group}

    def trace_exprs(s) -> list:
        return [e.expr for row in s.rows for e in row if e.expr is not None] + [e for _, e, _ in s.initial]

    trace_cols = reads([(s, trace_exprs(s) + [e for _, e, _ in s.mixture]) for s in model.strategies])
    needed = needed_values(compiled, outputs)
    classes = []
    for k, strategy in enumerate(model.strategies):
        if strategy.mixture:
            continue  # share-weighted totals of its components, row by row
        own_trace = groups(reads([(strategy, trace_exprs(strategy))]))
        by_rep: dict = {}
        for v in needed:
            value = compiled.values[v]
            cols = reads([(strategy, [e for _, e in value.states[k]] + [e for _, _, e in value.transitions[k]])])
            own = groups(cols)
            rep = _representatives(rows.from_b, None if own is None or own_trace is None else own | own_trace)
            entry = by_rep.setdefault(rep.tobytes(), [rep, [], set()])
            entry[1].append(v)
            entry[2] = None if cols is None or entry[2] is None else entry[2] | cols
        classes.extend((k, tuple(vs), rep, None if cols is None else frozenset(cols))
                       for rep, vs, cols in by_rep.values())
    return ReusePlan(rows.step, len(compiled.values), _representatives(rows.from_b, groups(trace_cols)),
                     tuple(classes), None if trace_cols is None else frozenset(trace_cols))


def _sub_trace(tr: Trace, idx: np.ndarray) -> Trace:
    """Draws ``idx`` of a trace's flows and mixture weights, for :func:`accumulate` with ``occupancy_of``.

    The state membership itself is read only through ``occupancy_of`` (taken at the draws there), so
    ``values`` is a NaN of the right shape that holds no memory: were it ever read, the totals would
    not be finite and the rows would be evaluated plainly.
    """
    shape = (len(idx),) + tr.values.shape[1:]
    return Trace(tr.states, tr.strategies, np.broadcast_to(np.float64(np.nan), shape),
                 {p: a[idx] for p, a in tr.flows.items()},
                 {k: tuple((c, w[idx]) for c, w in ws) for k, ws in tr.weights.items()}, {})


def _one_strategy(model, k: int, values: list, tr: Trace, sub: np.ndarray) -> tuple:
    """Strategy ``k`` alone: a one-strategy model, its values and the trace's draws ``sub`` (see :func:`_sub_trace`)."""
    from dataclasses import replace

    one = replace(model, strategies=(model.strategies[k],))
    one_values = tuple(replace(v, states=(v.states[k],), transitions=(v.transitions[k],)) for v in values)
    part = _sub_trace(tr, sub)
    trace = Trace(part.states, (part.strategies[k],), part.values[:, k:k + 1],
                  {p: a[:, k:k + 1] for p, a in part.flows.items()}, {}, {})
    return one, one_values, trace


def _occupancy_rows(compiled: CompiledScenario, tr: Trace):
    """``rows(sub)`` -> an ``occupancy_of`` for :func:`accumulate` on draws ``sub`` of ``tr``: each strategy's
    corrected occupancy and its sums computed once on the whole trace, then taken at the draws."""
    store = np.moveaxis(tr.values, 0, -1)
    boundary = compiled.discount_timing == "boundary"
    cache: dict = {}

    def rows(sub: np.ndarray):
        def occupancy_of(k: int, rates, rate_factors) -> tuple:
            key = (k, tuple(rates))
            if key not in cache:
                cache[key] = strategy_occupancy(compiled.model, store[k], compiled.correction, rates, rate_factors,
                                                boundary)
            occ, W, W0, occ_d = cache[key]
            return (occ.rows(sub), [w[:, sub] for w in W], W0[:, sub],
                    None if occ_d is None else [o[..., sub] for o in occ_d])
        return occupancy_of
    return rows


def evaluate_block(compiled: CompiledScenario, rows, plan: ReusePlan, start: int, stop: int) -> Evaluation | None:
    """The evaluation of Saltelli rows [start, stop) (whole blocks), or None if some total is not finite
    or the engine refuses a draw (the caller then evaluates the rows plainly, for its located error)."""
    from econ.core.errors import ModelError

    step, model = plan.step, compiled.model
    b, i0 = (stop - start) // step, start // step
    base = np.arange(i0, i0 + b)[:, None] * step

    def table(subrows: np.ndarray, columns):
        return rows.take((base + subrows[None, :]).ravel(), columns)

    K = len(model.strategies)
    kt = np.unique(plan.trace_rep)
    pos_t = np.full(step, -1, dtype=np.intp)
    pos_t[kt] = np.arange(kt.size)
    values = np.full((b, step, K, plan.n_values), np.nan)
    values_u = np.full_like(values, np.nan)
    with np.errstate(over="ignore", invalid="ignore"):
        try:
            tr = run_cohort(model, table(kt, plan.trace_columns), flows=compiled.flows, draw_offset=start)
        except ModelError:
            return None
        occupancy_of = _occupancy_rows(compiled, tr)
        for k, vidx, rep, cols in plan.classes:
            kc = np.unique(rep)
            pos_c = np.full(step, -1, dtype=np.intp)
            pos_c[kc] = np.arange(kc.size)
            sub = (np.arange(b)[:, None] * kt.size + pos_t[plan.trace_rep[kc]][None, :]).ravel()
            one, one_values, one_trace = _one_strategy(model, k, [compiled.values[v] for v in vidx], tr, sub)
            acc = accumulate(one, one_values, one_trace, table(kc, cols), correction=compiled.correction,
                             first_cycle_discounted=compiled.first_cycle_discounted, timing=compiled.discount_timing,
                             occupancy_of=lambda _k, rates, factors, k=k, sub=sub: occupancy_of(sub)(k, rates, factors))
            if not np.isfinite(acc.totals_undiscounted).all():
                return None
            sel = pos_c[rep]
            values[:, :, k, list(vidx)] = acc.totals.reshape(b, kc.size, len(vidx))[:, sel]
            values_u[:, :, k, list(vidx)] = acc.totals_undiscounted.reshape(b, kc.size, len(vidx))[:, sel]
    n = b * step
    values, values_u = values.reshape(n, K, -1), values_u.reshape(n, K, -1)
    # mixtures as accumulate computes them, with each row's shares (those of its trace row)
    rows_t = (np.arange(b)[:, None] * kt.size + pos_t[plan.trace_rep][None, :]).ravel()
    for k, w in tr.weights.items():
        w = [(c, wc[rows_t]) for c, wc in w]
        values[:, k] = sum(wc[:, None] * values[:, c] for c, wc in w)
        values_u[:, k] = sum(wc[:, None] * values_u[:, c] for c, wc in w)
    names = [v.name for v in compiled.values]
    members = [np.array(sorted({names.index(m) for m in ms}), dtype=np.intp) for ms in compiled.totals.values()]
    O = len(names) + len(members)
    totals, totals_u = np.empty((n, K, O)), np.empty((n, K, O))
    _outputs_of(values_u, members, totals_u)
    _outputs_of(values, members, totals)
    return Evaluation(tuple(names) + tuple(compiled.totals), tuple(model.strategy_names), totals, totals_u)
