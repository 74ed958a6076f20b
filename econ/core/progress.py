"""Progress of a long run, with an estimate of the time left, on a terminal or in a log.

On a terminal a tqdm bar shows it. When stderr is not a terminal (a log file, a pipe, a batch job)
:class:`TimedProgress` writes a line now and then instead, so a run of minutes is never silent:

    psa: 40 of 2,000 draws in 1 min 52 s; about 1 h 31 min left

The first line comes once ``PEER_ECON_PROGRESS_AFTER`` seconds have passed (default 10, so quick
runs print nothing), then at most one every 30 seconds. The estimate assumes the remaining draws
take as long each as those done so far.
"""
from __future__ import annotations

import contextlib
import os
import sys
import time

#: Seconds before the first progress line, unless ``PEER_ECON_PROGRESS_AFTER`` says otherwise.
DEFAULT_AFTER = 10.0

#: Seconds between progress lines.
EVERY = 30.0


def format_duration(seconds: float) -> str:
    """``'45 s'``, ``'3 min 5 s'``, ``'2 h 7 min'``."""
    seconds = max(0, int(round(seconds)))
    if seconds < 60:
        return f"{seconds} s"
    minutes, s = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {s} s"
    hours, m = divmod(minutes, 60)
    return f"{hours} h {m} min"


def _after() -> float:
    raw = os.environ.get("PEER_ECON_PROGRESS_AFTER")
    try:
        return DEFAULT_AFTER if raw is None else max(0.0, float(raw))
    except ValueError:
        return DEFAULT_AFTER


class TimedProgress:
    """A progress callback (called with the number of units just finished) that writes timed lines.

    Parameters
    ----------
    total : int
        Units of the whole run.
    unit : str
        Name of a unit, singular (``'draw'``); an ``s`` is added.
    label : str
        Start of each line (``'psa'``).
    stream : file, optional
        Where lines go (default ``sys.stderr``).
    after, every : float, optional
        Seconds before the first line (default :data:`DEFAULT_AFTER` or ``PEER_ECON_PROGRESS_AFTER``)
        and between lines (:data:`EVERY`).
    clock : callable, optional
        Seconds, monotonic (for tests).
    """

    def __init__(self, total: int, unit: str, *, label: str, stream=None, after: float | None = None,
                 every: float = EVERY, clock=time.monotonic):
        self.total, self.unit, self.label = int(total), unit, label
        self.stream = stream if stream is not None else sys.stderr
        self.after = _after() if after is None else after
        self.every, self.clock = every, clock
        self.start = clock()
        self.done = 0
        self.last: float | None = None

    def __call__(self, n: int) -> None:
        self.done += int(n)
        now = self.clock()
        elapsed = now - self.start
        if elapsed < self.after or (self.last is not None and now - self.last < self.every):
            return
        if self.done >= self.total:
            return  # the run is over; its results follow
        self.last = now
        left = elapsed / max(self.done, 1) * (self.total - self.done)
        print(f"{self.label}: {self.done:,} of {self.total:,} {self.unit}s in {format_duration(elapsed)}; "
              f"about {format_duration(left)} left", file=self.stream, flush=True)


def _is_terminal(stream) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def progress_reporter(total: int, unit: str, *, label: str):
    """A tqdm bar when stderr is a terminal, else :class:`TimedProgress`; yields the callback."""
    if not _is_terminal(sys.stderr):
        yield TimedProgress(total, unit, label=label)
        return
    from tqdm import tqdm

    bar = tqdm(total=total, unit=unit, desc=label, file=sys.stderr, leave=False, dynamic_ncols=True)
    try:
        yield bar.update
    finally:
        bar.close()
