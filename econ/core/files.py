"""Input files are checked before they are read: a regular file, not too large.

A device (``/dev/zero``), a FIFO or a socket would be read until memory runs out or forever, and a
file of gigabytes would take minutes before any message: each is refused at once, with its name.

==========================  =================  ==========================================
cap                         default            environment variable
==========================  =================  ==========================================
data file (CSV, metadata)   512 MB             ``PEER_ECON_MAX_INPUT_MB``
scenario file (YAML)        8 MB               ``PEER_ECON_MAX_SCENARIO_MB``
==========================  =================  ==========================================
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from econ.core.errors import Problem, SourceLocation

#: Defaults of the caps, in MB, and the environment variables that change them.
INPUT_LIMITS_MB = {"data": (512, "PEER_ECON_MAX_INPUT_MB"), "scenario": (8, "PEER_ECON_MAX_SCENARIO_MB")}

_KINDS = ((stat.S_ISDIR, "a directory"), (stat.S_ISFIFO, "a FIFO (named pipe)"), (stat.S_ISCHR, "a character device"),
          (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"))


def max_input_bytes(kind: str) -> int:
    """The cap in bytes for ``kind`` ('data' or 'scenario'), from the environment or the default."""
    from econ.core.limits import env_whole_number

    default, var = INPUT_LIMITS_MB[kind]
    mb = env_whole_number(var)
    return (default if mb is None else mb) * 2**20


def input_file_problem(path: str | Path, *, kind: str = "data", name: str | None = None) -> Problem | None:
    """Why ``path`` cannot be read as an input file, or None when it can.

    Checked with ``os.stat`` (which never opens the file, so a FIFO cannot block): the path must
    exist, be a regular file (after symlinks) and be at most the cap for ``kind``.
    """
    shown = name or str(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return Problem("file not found", SourceLocation(shown))
    except (OSError, ValueError) as exc:  # a symlink loop, a name too long, a NUL byte
        reason = getattr(exc, "strerror", None) or exc.__class__.__name__
        return Problem(f"cannot use this path ({reason})", SourceLocation(shown))
    for test, what in _KINDS:
        if test(st.st_mode):
            return Problem(f"is {what}, not a regular file", SourceLocation(shown))
    if not stat.S_ISREG(st.st_mode):
        return Problem("is not a regular file", SourceLocation(shown))
    cap = max_input_bytes(kind)
    if st.st_size > cap:
        var = INPUT_LIMITS_MB[kind][1]
        return Problem(f"is {st.st_size / 2**20:,.1f} MB, more than the limit of {cap / 2**20:,.0f} MB for a {kind} "
                       f"file (raise {var} if it is meant to be this large)", SourceLocation(shown))
    return None


def line_of_offset(raw: bytes, offset: int) -> int:
    """1-based line of byte ``offset`` in ``raw``."""
    return raw[:offset].count(b"\n") + 1
