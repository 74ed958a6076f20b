"""Run independent pieces of work (chunks of draws) on a few threads, with results in order.

The engine's array operations (numpy ufuncs, ``einsum``) and scipy's special functions release
the GIL, so chunks of draws evaluated on two threads run on two cores. Every chunk is computed
the same way whichever thread runs it, and results are written back in chunk order, so a run on
any number of threads equals the single-threaded run bit for bit.

The number of threads is :func:`default_threads`: the CPUs this process may use, or the
``PEER_ECON_THREADS`` environment variable (a whole number >= 1; 1 turns threading off).
"""
from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from econ.core.errors import LimitError, Problem

T = TypeVar("T")

THREADS_ENV = "PEER_ECON_THREADS"


def available_cpus() -> int:
    """CPUs this process may run on (its affinity mask where the OS has one)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # macOS, Windows
        return max(1, os.cpu_count() or 1)


def default_threads() -> int:
    """Threads for one evaluation: ``PEER_ECON_THREADS`` if set, else :func:`available_cpus`."""
    raw = os.environ.get(THREADS_ENV)
    if raw is None:
        return available_cpus()
    try:
        value = int(raw)
        if value < 1:
            raise ValueError
    except ValueError:
        raise LimitError(Problem(f"must be a whole number >= 1 (got {raw!r})", None, THREADS_ENV)) from None
    return value


#: Fewest items (draws, design rows) per chunk worth giving a thread of its own: below this a
#: chunk costs little more than the Python around it.
MIN_THREADED_CHUNK = 1_000


def threads_for(n_items: int, threads: int | None = None) -> int:
    """Threads worth using for ``n_items`` draws: ``threads`` (default :func:`default_threads`),
    but no more than one per :data:`MIN_THREADED_CHUNK` items, and at least 1."""
    threads = default_threads() if threads is None else int(threads)
    return max(1, min(threads, n_items // MIN_THREADED_CHUNK))


def run_in_order(tasks: Sequence[Callable[[], T]], *, threads: int,
                 done: Callable[[int, T], None] | None = None) -> list[T]:
    """Run argument-less callables on up to ``threads`` threads; return their results in task order.

    Parameters
    ----------
    tasks : sequence of callables
        Independent pieces of work. Each should write only its own part of any shared output.
    threads : int
        Most tasks running at once (>= 1). With 1, or a single task, they run in this thread
        one after another, with no pool.
    done : callable, optional
        ``done(i, result)`` is called in the calling thread for every task, in task order, as soon
        as that task and all before it have finished (for progress bars).

    Returns
    -------
    list
        ``[task() for task in tasks]``.

    Raises
    ------
    Exception
        The exception of the first task (in task order) that failed. Tasks not yet started are
        cancelled and running ones allowed to finish before it is raised, so no thread outlives
        the call.
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1 (got {threads})")
    results: list = []
    if threads == 1 or len(tasks) <= 1:
        for i, task in enumerate(tasks):
            results.append(task())
            if done is not None:
                done(i, results[-1])
        return results
    pool = ThreadPoolExecutor(max_workers=min(threads, len(tasks)), thread_name_prefix="peer-econ")
    try:
        futures = [pool.submit(task) for task in tasks]
        for i, future in enumerate(futures):
            results.append(future.result())  # raises the first failure in task order
            if done is not None:
                done(i, results[-1])
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return results
