"""The allocator thresholds of a command (econ.core.allocator): freed memory is reused, not faulted in again."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Arrays of 1 to 27 MB allocated and freed in a pattern like a PSA's chunks; the page faults of a
# second pass count the pages the allocator had given back to the system and had to touch again.
PATTERN = """
import resource, sys
import numpy as np
from econ.core.allocator import keep_freed_memory
if sys.argv[1] == "tuned":
    assert keep_freed_memory()
def faults():
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt
def work():
    for size in (1, 3, 9, 27, 9, 3, 1):
        parts = [np.ones(size << 17) for _ in range(4)]
        del parts
work()
before = faults()
work()
print(faults() - before)
"""

glibc = sys.platform.startswith("linux") and os.confstr("CS_GNU_LIBC_VERSION").startswith("glibc")


def _second_pass_faults(mode: str, **env) -> int:
    run_env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    run_env.update(PYTHONPATH=str(ROOT), **env)
    out = subprocess.run([sys.executable, "-c", PATTERN, mode], capture_output=True, text=True, env=run_env,
                         check=True)
    return int(out.stdout.split()[-1])


@pytest.mark.skipif(not glibc, reason="glibc's mallopt only")
def test_freed_memory_is_reused():
    default, tuned = _second_pass_faults("default"), _second_pass_faults("tuned")
    # 4 x 27 MB = 27,000 pages of 4 KiB touched afresh by default; with the thresholds, almost none
    assert tuned < 500 < default


@pytest.mark.skipif(not glibc, reason="glibc's mallopt only")
def test_user_settings_win():
    env = {k: v for k, v in os.environ.items() if not k.startswith("MALLOC_")}
    env.update(PYTHONPATH=str(ROOT), MALLOC_TRIM_THRESHOLD_="1000000")
    code = "from econ.core.allocator import keep_freed_memory; print(keep_freed_memory())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert out.stdout.strip() == "False"
