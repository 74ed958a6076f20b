"""The names an expression of one strategy can read, for one chunk of draws (:class:`StrategyEnv`).

Parameter columns, the built-in variables (``cycle``, ``time``, ``cycle_years``, ``time_in_state``)
and the strategy's derived parameters, evaluated in dependency order (indexed expressions over a
members axis when the strategy has a plan, :mod:`econ.model.indexed`); what does not depend on time in
state is evaluated once and shared by every tunnel position. Re-exported by :mod:`econ.model.engine`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from econ.scenario.expressions import Expression
from econ.model.parameters import ParameterTable

if TYPE_CHECKING:
    from econ.model.engine import CohortModel, StrategyModel


class StrategyEnv:
    """Evaluates names for one strategy and one chunk of draws.

    Parameter columns are shaped (draws, 1) and ``cycle`` / ``time`` (1, cycles), so an expression
    evaluates to (draws, 1) when it does not depend on time, (draws, cycles) when it does.
    """

    def __init__(self, model: CohortModel, strategy: StrategyModel, table: ParameterTable):
        T = model.n_cycles
        cycle = np.arange(1, T + 1, dtype=float)[None, :]
        self._base = {k: np.asarray(v, dtype=float).reshape(-1, 1) for k, v in table.columns.items()}
        self._base.update(cycle=cycle, time=(cycle - 1.0) * model.cycle_years,
                          cycle_years=np.float64(model.cycle_years), time_in_state=np.float64(1.0))
        self._strategy = strategy
        self._cache: dict[int, dict] = {}
        self._values: dict[tuple, np.ndarray] = {}
        self.n_draws = table.n_draws
        # the names whose value changes with time in state: it, and derived parameters using it
        self._by_tis = {"time_in_state"}
        for name, expr in strategy.evaluation:  # in evaluation order, so dependence propagates
            if expr.names & self._by_tis:
                self._by_tis.add(name)
        self._exprs = dict(strategy.evaluation)
        self._order = {n: i for i, n in enumerate(self._exprs)}  # evaluation (dependency) order

    def env(self, time_in_state: int = 1) -> dict:
        """Names -> arrays for a given time in state (derived parameters included).

        Derived parameters are evaluated when first read (:class:`_LazyEnv`), so an expression
        that needs a few of them does not pay for the others. Those that do not depend on time in
        state are evaluated once (at time in state 1) and shared by every tunnel position: the
        same expression on the same arrays.
        """
        env = self._cache.get(time_in_state)
        if env is None:
            first = self.env(1) if time_in_state != 1 else None
            by_tis = self._by_tis  # not self: the cache holding this environment must not make a cycle
            env = _LazyEnv(self._base, self._exprs, self._order,
                           lambda name: first is not None and name not in by_tis, first)
            env["time_in_state"] = np.float64(time_in_state)
            self._cache[time_in_state] = env
        return env

    def evaluate(self, expr: Expression, time_in_state: int = 1):
        """``expr`` evaluated at a time in state, once per tunnel position only if it depends on it.

        The result is shared between callers and must not be modified.
        """
        key = (id(expr), time_in_state if expr.names & self._by_tis else 1)
        value = self._values.get(key)
        if value is None:
            value = self._values[key] = expr.evaluate(self.env(key[1]))
        return value

    def derived_nbytes(self) -> int:
        """Memory held by the derived parameters evaluated so far (bytes; a view, such as one member's
        row of an indexed expression, is counted once with the array it views)."""
        seen: set = set()
        total = 0
        for env in self._cache.values():
            for name, _ in self._strategy.evaluation:
                if not dict.__contains__(env, name):
                    continue
                a = np.asarray(dict.__getitem__(env, name))
                owner = a.base if isinstance(a.base, np.ndarray) else a
                if id(owner) not in seen:
                    seen.add(id(owner))
                    total += int(owner.nbytes)
        return total

    def initial_env(self) -> dict:
        """Names -> arrays at the start (cycle 0, time 0).

        A derived parameter that reads ``cycle`` or ``time`` itself is evaluated again here (on this
        environment); every other name is the value of :meth:`env` at time in state 1.
        """
        first = self.env(1)
        timed = {name for name, expr in self._strategy.evaluation if expr.names & {"cycle", "time"}}
        env = _LazyEnv(self._base, self._exprs, self._order, lambda name: name not in timed, first)
        env.update(cycle=np.float64(0.0), time=np.float64(0.0))
        return env


class _LazyEnv(dict):
    """A name -> array mapping that evaluates a derived parameter the first time it is read.

    ``exprs`` are the strategy's derived parameters (name -> expression or plan node); a name for
    which ``shared(name)`` is true is taken from the environment ``first`` instead; ``order`` is each
    name's position in :attr:`StrategyModel.evaluation`. Reading a name evaluates only what it depends
    on and has not been evaluated, in that order, so each value is the same expression on the same arrays as evaluating every derived parameter
    in :attr:`StrategyModel.evaluation` order.
    """

    def __init__(self, base: dict, exprs: dict, order: dict, shared, first):
        super().__init__((k, v) for k, v in base.items() if k not in exprs)  # a derived name shadows a column
        self._exprs, self._shared, self._first = exprs, shared, first
        self._order = order  # name -> position in evaluation (dependency) order

    def __missing__(self, name):
        expr = self._exprs.get(name)
        if expr is None:
            raise KeyError(name)
        # What it needs and has not been evaluated, found without recursion (a chain of thousands of
        # derived parameters must not exhaust the stack), then evaluated in evaluation order.
        needed, stack = set(), [name]
        while stack:
            n = stack.pop()
            if n in needed or n not in self._exprs or dict.__contains__(self, n):
                continue
            needed.add(n)
            if not self._shared(n):
                stack.extend(self._exprs[n].names)
        for n in sorted(needed, key=self._order.__getitem__):
            self[n] = self._first[n] if self._shared(n) else self._exprs[n].evaluate(self)
        return dict.__getitem__(self, name)
