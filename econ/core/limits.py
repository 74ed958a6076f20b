"""Caps on model size and memory, so an oversized request fails with a message instead of exhausting the machine.

Each cap has a default and an environment variable that changes it for a run:

==========================  =================  ==========================================
cap                         default            environment variable
==========================  =================  ==========================================
cycles                      12,000             ``PEER_ECON_MAX_CYCLES``
states (after tunnels)      2,000              ``PEER_ECON_MAX_STATES``
draws in one analysis       20,000,000         ``PEER_ECON_MAX_DRAWS``
memory for one evaluation   2,048 MB           ``PEER_ECON_MAX_MEMORY_MB``
work in one analysis        1e11 cells         ``PEER_ECON_MAX_WORK``
==========================  =================  ==========================================

Work is the cost estimate states^2 x cycles x strategies x draws (tunnels expanded): the cells of
the transition matrices an analysis goes through. A strategy that advances its tunnels by shifting
(:mod:`econ.model.tunnels`) counts the cells its step goes through instead, linear in tunnel length.
Time grows with it, so a run of hours is refused up front with its estimate instead of running with no end in sight; a run under the cap reports
its progress and the time left (:mod:`econ.core.progress`).

Memory is bounded by evaluating draws in chunks: the chunk size is the largest that keeps the
working arrays of one chunk under the memory cap (and under ``settings.chunk_draws``); what must be
kept whole (per-cycle results, traces) is checked against the cap before anything is computed.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from econ.core.errors import LimitError, Problem

_ENV = {"max_cycles": "PEER_ECON_MAX_CYCLES", "max_states": "PEER_ECON_MAX_STATES",
        "max_draws": "PEER_ECON_MAX_DRAWS", "max_memory_mb": "PEER_ECON_MAX_MEMORY_MB",
        "max_work": "PEER_ECON_MAX_WORK"}


@dataclass(frozen=True)
class Limits:
    """The caps in force."""

    max_cycles: int = 12_000
    max_states: int = 2_000
    max_draws: int = 20_000_000
    max_memory_mb: int = 2_048
    max_work: int = 100_000_000_000


def env_whole_number(var: str) -> int | None:
    """The whole number > 0 that environment variable ``var`` holds, or None when it is unset.

    Raises LimitError naming the variable when it holds anything else.
    """
    raw = os.environ.get(var)
    if raw is None:
        return None
    try:
        value = int(raw)
        if value <= 0:
            raise ValueError
    except ValueError:
        raise LimitError(Problem(f"must be a whole number > 0 (got {raw!r})", None, var)) from None
    return value


def current_limits() -> Limits:
    """Defaults, overridden by the environment variables (whole numbers > 0)."""
    values = {field: env_whole_number(var) for field, var in _ENV.items()}
    return Limits(**{field: value for field, value in values.items() if value is not None})


def check_size(*, n_cycles: int, n_states: int, where: str = "") -> None:
    """Raise LimitError if a model has more cycles or (expanded) states than allowed."""
    lim = current_limits()
    problems = []
    if n_cycles > lim.max_cycles:
        problems.append(Problem(f"{n_cycles:,} cycles is more than the limit of {lim.max_cycles:,}; shorten the "
                                f"horizon or raise {_ENV['max_cycles']}", None, where or "settings.n_cycles"))
    if n_states > lim.max_states:
        problems.append(Problem(f"{n_states:,} states (tunnels expanded) is more than the limit of "
                                f"{lim.max_states:,}; use shorter tunnels or raise {_ENV['max_states']}",
                                None, where or "states"))
    if problems:
        raise LimitError(problems)


def check_draws(n_draws: int, *, what: str = "draws") -> None:
    lim = current_limits()
    if n_draws > lim.max_draws:
        raise LimitError(Problem(f"{n_draws:,} {what} is more than the limit of {lim.max_draws:,}; raise "
                                 f"{_ENV['max_draws']} if the machine can take it", None, what))


def model_work(*, n_states: int, n_cycles: int, n_strategies: int, n_draws: int,
               step_cells: int | None = None) -> int:
    """The cost estimate of evaluating ``n_draws`` draws: states^2 x cycles x strategies x draws.

    ``step_cells``, when given, replaces states^2 x strategies: the cells one cycle's step goes through
    summed over the strategies (states^2 for a dense strategy, fewer for one whose tunnels shift).
    """
    per_cycle = int(n_states) ** 2 * int(n_strategies) if step_cells is None else int(step_cells)
    return per_cycle * int(n_cycles) * int(n_draws)


def check_work(*, n_states: int, n_cycles: int, n_strategies: int, n_draws: int, what: str = "draws",
               step_cells: int | None = None) -> None:
    """Raise LimitError, with the estimate, if an analysis would go through more than ``max_work`` cells.

    Called before anything is drawn or evaluated. A 1,999-state model (under the state cap) with
    2,000 draws is 3.2e11 cells over 20 cycles and 2 strategies: hours, so it is refused; the
    default scenario (5 states, 36 cycles, 5 strategies) stays under the cap up to 20 million draws.
    ``step_cells`` (see :func:`model_work`) makes the estimate tunnel-aware; without it, or when it
    equals states^2 x strategies, the estimate and its message are the dense ones.
    """
    lim = current_limits()
    work = model_work(n_states=n_states, n_cycles=n_cycles, n_strategies=n_strategies, n_draws=n_draws,
                      step_cells=step_cells)
    if work <= lim.max_work:
        return
    dense = step_cells is None or int(step_cells) == int(n_states) ** 2 * int(n_strategies)
    how = (f"(states^2 x cycles x strategies x {what})" if dense else
           f"({int(step_cells):,} cells per cycle over the strategies, tunnels advanced by shifting, x cycles x {what})")
    raise LimitError(Problem(
        f"{n_draws:,} {what} of a model with {n_states:,} states (tunnels expanded), {n_cycles:,} cycles and "
        f"{n_strategies:,} strategies is about {work:.2e} cells of transition matrices {how}, more than the limit "
        f"of {lim.max_work:.2e}; use fewer {what}, states or cycles, "
        f"or raise {_ENV['max_work']} (a whole number) if a run of hours is acceptable", None, "work"))


def chunk_size(*, bytes_per_draw: float, kept_bytes: float, requested: int, n_draws: int) -> int:
    """Largest chunk of draws whose working memory fits the cap, after what is kept whole.

    Raises LimitError if the kept arrays alone, or a single draw, do not fit.
    """
    lim = current_limits()
    budget = lim.max_memory_mb * 2**20
    if kept_bytes > budget:
        raise LimitError(Problem(f"the results kept for {n_draws:,} draws need {kept_bytes / 2**20:,.0f} MB, more "
                                 f"than the limit of {lim.max_memory_mb:,} MB; use fewer draws, keep fewer results "
                                 f"(no per-cycle tables), or raise {_ENV['max_memory_mb']}", None, "memory"))
    room = budget - kept_bytes
    if bytes_per_draw > room:
        raise LimitError(Problem(f"one draw needs {bytes_per_draw / 2**20:,.0f} MB of working memory, more than the "
                                 f"{room / 2**20:,.0f} MB left under the limit of {lim.max_memory_mb:,} MB; shorten "
                                 f"the horizon, use fewer states, or raise {_ENV['max_memory_mb']}", None, "memory"))
    return max(1, min(int(requested), int(room // max(bytes_per_draw, 1.0)), max(n_draws, 1)))
