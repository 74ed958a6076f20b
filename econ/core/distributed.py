"""Run chunks of an evaluation on a Dask cluster (the optional ``dask`` extra); results come back in order.

The work is split into row ranges; one function evaluates a range from a payload that holds the
compiled scenario and the design. The payload is scattered to every worker once, each range is a
task, and the results are put back in range order, so the concatenation equals the in-process run
bit for bit: the same function computes the same rows from the same inputs, and the engine's
results do not depend on how draws are chunked.

Workers need ``econ`` and the same numpy/scipy as the client (a ``LocalCluster`` started here
always has them). The extra is installed with ``pip install -e ".[dask]"``.
"""
from __future__ import annotations

import contextlib
import os
import uuid
from typing import Callable, Sequence

from econ.core.errors import EconError, Problem

#: What to do when dask.distributed is missing.
INSTALL_HINT = 'pip install -e ".[dask]"'


class DaskUnavailableError(EconError):
    """A Dask scheduler was asked for but dask.distributed is not installed."""


def import_distributed():
    """Import ``dask.distributed``, or raise DaskUnavailableError saying how to install it."""
    try:
        import dask.distributed as distributed
    except ImportError:
        raise DaskUnavailableError(Problem(f"running on a Dask scheduler needs dask.distributed, which is not "
                                           f"installed: {INSTALL_HINT}", None, "--scheduler")) from None
    return distributed


@contextlib.contextmanager
def connect(scheduler):
    """A ``dask.distributed.Client`` for ``scheduler``, closed on exit if it was opened here.

    Parameters
    ----------
    scheduler : str or Client
        ``"local"``: start a ``LocalCluster`` with one single-threaded worker process per core (numpy
        work holds the GIL for much of a chunk, so processes beat threads); any other string: the
        address of a running scheduler (``tcp://host:8786``); a Client: used as it is.
    """
    distributed = import_distributed()
    if isinstance(scheduler, distributed.Client):
        yield scheduler
        return
    if not isinstance(scheduler, str) or not scheduler:
        raise EconError(Problem(f"expected 'local' or a scheduler address such as tcp://host:8786 (got {scheduler!r})",
                                None, "--scheduler"))
    if scheduler == "local":
        cluster = distributed.LocalCluster(n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True,
                                           dashboard_address=None)
        try:
            with distributed.Client(cluster) as client:
                yield client
        finally:
            cluster.close()
        return
    try:
        client = distributed.Client(scheduler, timeout=30)
    except OSError as exc:
        raise EconError(Problem(f"cannot reach the Dask scheduler at {scheduler}: {exc}", None,
                                "--scheduler")) from None
    try:
        yield client
    finally:
        client.close()


def map_ranges(scheduler, func: Callable, payload, ranges: Sequence[tuple[int, int]], *,
               progress: Callable[[int], None] | None = None) -> list:
    """Compute ``func(payload, start, stop)`` for every range on Dask; results in the order of ``ranges``.

    Parameters
    ----------
    scheduler : str or Client
        See :func:`connect`.
    func : callable
        An importable (module-level) function, so workers load it by name.
    payload : object
        Sent to every worker once (``Client.scatter(broadcast=True)``), not once per task.
    ranges : sequence of (start, stop)
    progress : callable, optional
        Called with the number of rows of each range as it finishes (in completion order).

    Raises
    ------
    DaskUnavailableError
        dask.distributed is not installed.
    EconError
        Whatever a task raised (e.g. a ModelError naming the draw) is raised here.
    """
    distributed = import_distributed()
    with connect(scheduler) as client:
        [shared] = client.scatter([payload], broadcast=True, hash=False)
        tag = uuid.uuid4().hex[:12]
        futures = [client.submit(func, shared, start, stop, key=f"econ-rows-{tag}-{i}", retries=0)
                   for i, (start, stop) in enumerate(ranges)]
        where = {f.key: i for i, f in enumerate(futures)}
        results: list = [None] * len(futures)
        try:
            for future in distributed.as_completed(futures):
                i = where[future.key]
                results[i] = future.result()
                if progress is not None:
                    progress(ranges[i][1] - ranges[i][0])
        finally:
            client.cancel(futures)
            client.cancel([shared])
        return results
