"""What a valid data file said, kept between runs, keyed by the sha256 of its bytes and of the code that read it.

Reading and checking a person-level service-use file row by row is the largest part of a default
base case after the imports. Once a file has been read without a problem, the facts the checks
produced (JSON: strings and numbers only; never pickle, so a cache file cannot run code) are stored
under a key made of the sha256 of every input file's bytes, of the reading modules' source and of
anything else the result depends on (the unit-cost codes). A later run with byte-identical files
and code reads those facts instead of the rows and builds the same objects from them; any other
file, a changed reader, or a missing, unreadable or malformed cache entry means the file is read
and checked as before. Files with problems are never cached, so every error is found and reported
as it always was.

Where: ``PEER_ECON_DATA_CACHE`` (a folder; ``off`` to turn the cache off), else
``$XDG_CACHE_HOME/peer-econ`` or ``~/.cache/peer-econ``. Failing to write the cache is silent: it
only costs time.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable

from econ.core.files import input_file_problem

#: Environment variable naming the cache folder (``off`` turns the cache off).
ENV = "PEER_ECON_DATA_CACHE"
#: Bumped when the stored layout changes.
FORMAT = 1


def cache_dir() -> Path | None:
    """The cache folder, or None when the cache is off."""
    value = os.environ.get(ENV)
    if value is not None:
        return None if value.strip().lower() in ("", "off", "0", "no", "false") else Path(value)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "peer-econ"


def cache_key(kind: str, files: Iterable[Path | None], code: Iterable[Path], extra: Any = None) -> str | None:
    """sha256 over the kind, each file's bytes (None for an absent file), the code files and ``extra``.

    None when the cache is off or an input file is not a plain readable file (the normal reader
    then reports it).
    """
    if cache_dir() is None:
        return None
    h = hashlib.sha256(f"{kind}\0{FORMAT}\0".encode())
    for path in list(files) + [None] + list(code):
        if path is None:
            h.update(b"\0none\0")
            continue
        if input_file_problem(path, kind="data") is not None:
            return None
        try:
            data = Path(path).read_bytes()
        except OSError:
            return None
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    h.update(json.dumps(extra, sort_keys=True, default=str).encode())
    return h.hexdigest()


def load(kind: str, key: str | None) -> dict | None:
    """The stored content for ``key``, or None (no entry, or one that cannot be read)."""
    folder = cache_dir()
    if key is None or folder is None:
        return None
    try:
        content = json.loads((folder / f"{kind}-{key}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return content if isinstance(content, dict) and content.get("key") == key else None


def store(kind: str, key: str | None, content: dict) -> None:
    """Write ``content`` (JSON) for ``key``, atomically; any failure is ignored."""
    folder = cache_dir()
    if key is None or folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=f".{kind}-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(dict(content, key=key), fh, separators=(",", ":"))
            os.replace(tmp, folder / f"{kind}-{key}.json")
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except (OSError, TypeError, ValueError):
        pass
