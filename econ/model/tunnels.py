"""Tunnel-aware transitions: only the cells a strategy's rows can fill are stored, and a tunnel advances by shifting.

A tunnel of length L expands into L states whose "stay" cell moves the cohort one state on, so most
columns of the expanded matrix have a single non-zero row: ``x_t[j] = x_{t-1}[j - 1] * P[j - 1, j]``. The
dense product spends S x S multiply-adds per cycle and draw on an S-state matrix that is almost all
zeros; here a column with one possible source row costs one multiply, a column with none is zero,
and only the other columns (the states a tunnel exits to, the first and last tunnel states) are
computed as a product over all rows. The work per cycle is S x (columns with several sources) +
(columns with one source), linear in tunnel length for a fixed number of declared states; the cells
are stored as (matrices, cells, draws) instead of (matrices, S, S, draws), so memory and the checks
are linear too.

Numbers: the dense path (:func:`econ.model.engine.transition_array` and the ``einsum`` product) adds
every column's terms x_i P_ij one at a time in row order, starting from zero. The zero cells add
exact zeros (x_i is finite, so x_i * 0 is +-0 and a + 0 == a), so leaving them out leaves every sum
unchanged: a column with one source is the one product ``x_i * P_ij``, a column with a few sources
the sum of their products added in row order (numpy's ``einsum`` adds in row order, without a fused
multiply-add, on the platforms tested; the tests compare the two paths ``==``), a column with many
the same ``einsum`` over all rows (the zero cells included), and a complement is 1 minus the same
in-order sum of its row. The trace and flows are therefore
equal (``==``, element by element) to the dense path's; tests/test_tunnels.py checks this on random
models and on the tunnel scenarios of the project. The only sum computed in another order is the
row sum of the [0, 1] / sums-to-1 check (in cell order rather than numpy's pairwise order for one
draw), which can move a row sum in its last bit; a row within 1e-16 of the 1e-9 tolerance could then
be judged differently.
"""
from __future__ import annotations

from dataclasses import dataclass
from threading import Lock

import numpy as np

#: Evaluation methods of :func:`econ.model.engine.run_cohort`.
METHODS = ("auto", "dense", "shift")


@dataclass(frozen=True)
class CellPlan:
    """The cells one strategy's rows can fill, and how each column of the product is computed.

    Attributes
    ----------
    cell_from, cell_to : ndarray of int (cells,)
        From- and to-state of each cell, sorted by (from, to).
    written : ndarray of bool (cells,)
        True where a row gives an expression (False: the complement cell only).
    row_cells : tuple of ndarray
        For each from-state, its cells in to-state order.
    few : tuple of (column, ((cell, from), ...))
        Columns with 2 to :data:`FEW_SOURCES` source rows, summed over those rows in row order.
    multi : ndarray of int
        Columns with more source rows (computed as a product over all rows).
    multi_cells : tuple of (cell, from, position in ``multi``)
    runs : tuple of (first column, first source row, length, first position in ``single_cells``)
        Columns with exactly one source row, grouped into runs where column and source both step by
        one (a tunnel's interior is one run), so each run is one slice multiply.
    single_cells : ndarray of int
        The cell of each single-source column, in run order.
    zero : ndarray of int
        Columns no row can reach (always 0 after the first cycle).
    """

    n_states: int
    few: tuple
    cell_from: np.ndarray
    cell_to: np.ndarray
    written: np.ndarray
    row_cells: tuple
    multi: np.ndarray
    multi_cells: tuple
    runs: tuple
    single_cells: np.ndarray
    zero: np.ndarray

    def work(self) -> int:
        """Multiply-adds per cycle and draw of the shifting step (the dense step takes states squared)."""
        return (self.n_states * len(self.multi) + sum(len(srcs) for _, srcs in self.few)
                + len(self.single_cells))


#: Columns with at most this many source rows are summed over them alone, the others over all rows.
FEW_SOURCES = 8

class IdentityCache:
    """A value computed once per object (by identity, for objects that are costly to hash or compare),
    safe to use from several threads; at most ``size`` objects, then it starts again."""

    def __init__(self, size: int = 256):
        self._size, self._items, self._lock = size, {}, Lock()

    def get(self, obj, make):
        """The value for ``obj``, from ``make()`` the first time."""
        hit = self._items.get(id(obj))
        if hit is not None and hit[0] is obj:
            return hit[1]
        value = make()
        with self._lock:
            if len(self._items) >= self._size:
                self._items.clear()
            self._items[id(obj)] = (obj, value)  # the object is kept, so its id cannot be reused while cached
        return value


_PLANS = IdentityCache()


def cell_plan(rows: tuple, n_states: int) -> CellPlan:
    """The :class:`CellPlan` of a strategy's expanded rows (a tuple of tuples of Entry), cached per rows object."""
    return _PLANS.get(rows, lambda: _make_plan(rows, n_states))


def _make_plan(rows: tuple, S: int) -> CellPlan:
    written_pairs = {(i, e.to) for i, row in enumerate(rows) for e in row if e.expr is not None}
    pairs = sorted({(i, e.to) for i, row in enumerate(rows) for e in row})
    cell_from = np.array([p[0] for p in pairs], dtype=np.intp)
    cell_to = np.array([p[1] for p in pairs], dtype=np.intp)
    written = np.array([p in written_pairs for p in pairs], dtype=bool)
    row_cells = tuple(np.nonzero(cell_from == i)[0] for i in range(S))
    sources: list[list[int]] = [[] for _ in range(S)]  # cells into each column
    for c, (_i, j) in enumerate(pairs):
        sources[j].append(c)
    few = tuple((j, tuple((c, pairs[c][0]) for c in sources[j])) for j in range(S)
                if 1 < len(sources[j]) <= FEW_SOURCES)
    multi = [j for j in range(S) if len(sources[j]) > FEW_SOURCES]
    position = {j: p for p, j in enumerate(multi)}
    multi_cells = tuple((c, pairs[c][0], position[j]) for j in multi for c in sources[j])
    runs: list[list[int]] = []
    single_cells: list[int] = []
    for j in range(S):
        if len(sources[j]) != 1:
            continue
        c = sources[j][0]
        i = pairs[c][0]
        last = runs[-1] if runs else None
        if last is not None and last[0] + last[2] == j and last[1] + last[2] == i:
            last[2] += 1
        else:
            runs.append([j, i, 1, len(single_cells)])
        single_cells.append(c)
    zero = [j for j in range(S) if not sources[j]]
    return CellPlan(S, few, cell_from, cell_to, written, row_cells, np.array(multi, dtype=np.intp), multi_cells,
                    tuple(tuple(r) for r in runs), np.array(single_cells, dtype=np.intp),
                    np.array(zero, dtype=np.intp))


def use_shift(model, rows: tuple, method: str) -> bool:
    """Whether a strategy advances by shifting: ``method`` 'shift' or 'dense', or 'auto'.

    'auto' shifts when the model has a tunnel state and shifting does at most half the dense work.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {', '.join(METHODS)} (got {method!r})")
    if method != "auto":
        return method == "shift"
    S = len(model.states)
    if max(model.time_in_state, default=1) <= 1:
        return False
    return 2 * cell_plan(rows, S).work() <= S * S


def step_cells(model, method: str = "auto") -> int | None:
    """Cells one cycle's step goes through, summed over the strategies, for the work estimate
    (:func:`econ.core.limits.check_work`); None when no strategy shifts (the dense estimate applies).

    A shifting strategy counts :meth:`CellPlan.work` (linear in tunnel length), any other strategy
    (mixtures included) states squared, as the dense estimate does.
    """
    S = len(model.states)
    shifting = [not s.mixture and use_shift(model, s.rows, method) for s in model.strategies]
    if not any(shifting):
        return None
    return sum(cell_plan(s.rows, S).work() if shift else S * S for s, shift in zip(model.strategies, shifting))


def cell_values(plan: CellPlan, cells: list, complements: list, starts: np.ndarray, n: int) -> np.ndarray:
    """The (matrices, cells, draws) values: the same additions, in the same order, as the dense matrices.

    ``cells`` is [(from, to, value (draws, 1 or cycles))] and ``complements`` [(from, to)] as the
    engine evaluates them; ``starts`` the first cycle of each distinct matrix.

    Every cell is written in one fancy-indexed addition (0 + v, as the dense matrices' ``+=`` into
    zeros), and every complement row sum is taken for all rows at once, one position of the rows at a
    time in to-state order (rows shorter than the longest are padded with a cell that is exactly 0,
    which adds nothing), so each element sees the additions of the loop over cells it replaces.
    """
    ncell = len(plan.cell_from)
    key = plan.cell_from * max(plan.n_states, 1) + plan.cell_to  # sorted, as the cells are
    U = len(starts)
    V = np.zeros((U, ncell + 1, n))  # one spare cell, always 0, pads the complement rows
    if cells:
        idx = np.searchsorted(key, [i * max(plan.n_states, 1) + j for i, j, _ in cells])
        if len(set(idx.tolist())) == len(idx):
            stacked = np.empty((len(cells), n, U))
            for c, (_i, _j, v) in enumerate(cells):
                stacked[c] = v[:, starts] if v.shape[-1] > 1 else v
            V[:, idx, :] += np.moveaxis(stacked, -1, 0)
        else:  # the same cell written twice: added one at a time, in order
            for c, (_i, _j, v) in zip(idx, cells):
                V[:, c, :] += np.broadcast_to(v[:, starts] if v.shape[-1] > 1 else v, (n, U)).T
    if complements and len({i for i, _ in complements}) < len(complements):  # two in one row: in order
        for i, j in complements:
            row = plan.row_cells[i]
            total = V[:, row[0]].copy()
            for c in row[1:]:
                total += V[:, c]
            V[:, int(np.searchsorted(key, i * max(plan.n_states, 1) + j)), :] = 1.0 - total
    elif complements:
        rows = [plan.row_cells[i] for i, _ in complements]
        width = max(len(r) for r in rows)
        R = np.full((len(rows), width), ncell, dtype=np.intp)
        for r, row in enumerate(rows):
            R[r, :len(row)] = row
        total = V[:, R[:, 0]]  # a copy (fancy indexing)
        for k in range(1, width):
            total += V[:, R[:, k]]
        target = np.searchsorted(key, [i * max(plan.n_states, 1) + j for i, j in complements])
        V[:, target, :] = 1.0 - total
    return V[:, :ncell]


def row_sums(plan: CellPlan, V: np.ndarray) -> np.ndarray:
    """Sum of each row's cells in to-state order: (matrices, states, draws); 0 for a row without cells."""
    U, _, n = V.shape
    out = np.zeros((U, plan.n_states, n))
    for i, row in enumerate(plan.row_cells):
        if row.size:
            acc = out[:, i]
            acc[...] = V[:, row[0]]
            for c in row[1:]:
                acc += V[:, c]
    return out


def cell_value(plan: CellPlan, V: np.ndarray, i: int, j: int) -> np.ndarray | None:
    """(matrices, draws) values of cell (i, j), or None if no row can fill it."""
    hit = np.nonzero((plan.cell_from == i) & (plan.cell_to == j))[0]
    return V[:, hit[0]] if hit.size else None


def advance(plan: CellPlan, V: np.ndarray, segment: np.ndarray, store: np.ndarray) -> None:
    """Fill ``store[1:]`` (cycles + 1, states, draws) from ``store[0]`` by shifting and the multi-source product."""
    U, _, n = V.shape
    S = plan.n_states
    multi = plan.multi
    # The multi-source columns of the dense matrices, zeros included. One column is padded with a
    # zero column: with a single column (and a single draw) numpy's einsum would sum over rows in
    # its own (SIMD) order; with two or more it adds row by row, as the dense product does.
    width = 2 if len(multi) == 1 else len(multi)
    Mm = np.zeros((U, S, width, n))
    for c, i, p in plan.multi_cells:
        Mm[:, i, p] = V[:, c]
    W = V[:, plan.single_cells]  # (matrices, single-source columns, draws)
    buf = np.empty((width, n))
    contiguous = len(multi) > 1 and int(multi[-1]) - int(multi[0]) + 1 == len(multi)
    for t in range(1, store.shape[0]):
        x, out, u = store[t - 1], store[t], segment[t - 1]
        if len(multi):
            if contiguous:
                np.einsum("in,ijn->jn", x, Mm[u], out=out[multi[0]:multi[-1] + 1])
            else:
                np.einsum("in,ijn->jn", x, Mm[u], out=buf)
                out[multi] = buf[:len(multi)]
        for j0, i0, length, w0 in plan.runs:
            np.multiply(x[i0:i0 + length], W[u, w0:w0 + length], out=out[j0:j0 + length])
        Vu = V[u]
        for j, sources in plan.few:
            acc = out[j]
            (c, i), rest = sources[0], sources[1:]
            np.multiply(x[i], Vu[c], out=acc)
            for c, i in rest:
                acc += x[i] * Vu[c]
        if len(plan.zero):
            out[plan.zero] = 0.0


def collapse_tunnels(model, trace_values: np.ndarray) -> tuple[list[str], np.ndarray]:
    """Sum tunnel copies back into their declared states (last axis)."""
    groups = model.groups
    idx = np.array([groups.index(g) for g in model.state_group])
    out = np.zeros(trace_values.shape[:-1] + (len(groups),))
    for j in range(len(model.states)):
        out[..., idx[j]] += trace_values[..., j]
    return groups, out
