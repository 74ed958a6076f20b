"""Settings of the C memory allocator for one command-line process: freed memory is kept for reuse.

A PSA allocates and frees arrays of a few to tens of megabytes chunk after chunk. glibc's malloc
by default serves blocks above a threshold with fresh ``mmap`` pages and returns freed memory at
the top of its heap to the system; its threshold then adapts only as blocks are freed, so the
first run of a process touches new pages again and again (measured on the DMHEE HIV PSA at
200,000 draws: about 180,000 page faults and 0.4-1 s of system time in the first run against
10,000 in a second run in the same process, issue 19). :func:`keep_freed_memory`, called by the
``psa`` command before it draws, fixes both thresholds: blocks up to 32 MiB come from the heap, and
up to 256 MiB of freed memory is kept for reuse. The process gives memory back to the system
later, so its resident size can stay up to that much above what is alive; commands held to a
memory target (``gsa``) do not call it. Results do not depend on it.

Only glibc on Linux is touched; a user's own ``MALLOC_*_`` environment settings are left in force.
"""
from __future__ import annotations

import os
import sys

#: glibc's ``mallopt`` parameters (malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3

#: Blocks up to this size come from the heap (glibc's dynamic threshold stops at the same 32 MiB).
MMAP_THRESHOLD = 32 << 20
#: Free memory at the top of the heap kept for reuse rather than returned to the system.
TRIM_THRESHOLD = 256 << 20

_ENV = ("MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "MALLOC_TOP_PAD_", "MALLOC_MMAP_MAX_")


def keep_freed_memory() -> bool:
    """Set the two thresholds of glibc's malloc for this process; True when they were set.

    Does nothing (False) off Linux, with another C library, or when the environment sets one of
    glibc's ``MALLOC_*_`` tunables (the user's choice wins).
    """
    if not sys.platform.startswith("linux") or any(name in os.environ for name in _ENV):
        return False
    try:
        if not os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc"):
            return False
    except (ValueError, OSError, AttributeError):
        return False
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)) and bool(mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
