"""Run folders, atomic writes, manifests and spreadsheet-safe CSV.

Every file is written to a temporary name in the same folder and renamed into place, so a
crash or Ctrl-C never leaves a partial file under its final name. An existing non-empty output
folder is refused unless ``force`` is given. A run holds an exclusive lock on its folder (``flock``
on the folder itself, so no lock file appears in it) until the process ends: a second run started
on the same folder meanwhile is refused, so two runs never mix their files.
"""
from __future__ import annotations

import datetime as _dt
import json
import os
import re
import tempfile

try:  # POSIX; elsewhere folders are not locked
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from econ.core.errors import EconError, Problem

#: Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


_UMASK = _current_umask()

#: Files completed by this process, in order (for the message after an interruption).
WRITTEN: list = []


class OutputError(EconError):
    """An output folder or file cannot be written as asked."""


def neutralise_cell(value: Any) -> Any:
    """Prefix text that a spreadsheet would run as a formula with a single quote.

    Numbers are left alone (a negative number is data, not a formula); only strings change.
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``df`` with every text cell, index label and column name neutralised."""
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise_cell)
    out.columns = [neutralise_cell(c) for c in out.columns]
    if out.index.dtype == object or pd.api.types.is_string_dtype(out.index):
        out.index = out.index.map(neutralise_cell)
    return out


def write_atomic(path: str | Path, data: str | bytes) -> Path:
    """Write ``data`` to ``path`` via a temporary file and rename (atomic on one filesystem)."""
    mode = "wb" if isinstance(data, bytes) else "w"
    opts = {} if isinstance(data, bytes) else {"encoding": "utf-8", "newline": ""}

    def fill(fd: int, tmp: str) -> None:
        with os.fdopen(fd, mode, **opts) as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())

    return _write_via_temporary(path, fill)


def _write_via_temporary(path: str | Path, fill) -> Path:
    """Create a temporary file next to ``path``, let ``fill(fd, tmp_name)`` write and close it, rename.

    ``fill`` owns the descriptor (it must close it). On any failure the temporary file is removed,
    so nothing partial is left under the final name; an ``OSError`` becomes an :class:`OutputError`.
    """
    path = Path(path)
    fd, tmp = _temporary(path)
    try:
        fill(fd, tmp)
    except BaseException as exc:
        _give_up(path, tmp, exc)
    return _commit(path, tmp)


def _temporary(path: Path) -> tuple[int, str]:
    """A new temporary file next to ``path`` (mode of an ordinary file): its descriptor and name."""
    _make_folder(path.parent)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    except OSError as exc:
        raise OutputError(Problem(f"cannot write here ({exc.strerror or exc})", None, str(path))) from None
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; results are ordinary files
    except BaseException as exc:
        os.close(fd)
        _give_up(path, tmp, exc)
    return fd, tmp


def _commit(path: Path, tmp: str) -> Path:
    """Rename the finished temporary file into place (and record it in :data:`WRITTEN`)."""
    try:
        os.replace(tmp, path)
    except BaseException as exc:
        _give_up(path, tmp, exc)
    WRITTEN.append(path)
    return path


def _give_up(path: Path, tmp: str, exc: BaseException):
    """Remove the temporary file and raise: an ``OSError`` as an :class:`OutputError`, anything else as it is."""
    try:
        os.unlink(tmp)
    except FileNotFoundError:
        pass
    if isinstance(exc, OSError):  # disk full, read-only file system, quota...
        raise OutputError(Problem(f"cannot write the file ({exc.strerror or exc}); nothing was left under "
                                  f"its name", None, str(path))) from None
    raise exc


class PendingWrite:
    """A file being written by a background thread under a temporary name next to its final one.

    Started by :func:`write_parquet_later`. :meth:`commit` waits for the thread and renames the file
    into place (raising, as :func:`write_parquet` would, if writing failed); :meth:`discard` waits and
    removes it. So the folder receives the file at the point of the run where :meth:`commit` is
    called, and never if the run stops before: the same files, in the same order, as writing in
    the foreground, with the encoding and ``fsync`` overlapping the work in between.
    """

    def __init__(self, path: str | Path, fill) -> None:
        import threading

        self.path = Path(path)
        self._fd, self._tmp = _temporary(self.path)
        self._error: BaseException | None = None
        self._open = True
        self._thread = threading.Thread(target=self._run, args=(fill,), name="peer-econ-writer", daemon=True)
        self._thread.start()

    def _run(self, fill) -> None:
        try:
            fill(self._fd, self._tmp)
        except BaseException as exc:  # raised in the caller's thread by commit()
            self._error = exc

    def commit(self) -> Path:
        """Wait for the writer; rename the file into place. Raises what writing raised."""
        self._thread.join()
        self._open = False
        if self._error is not None:
            _give_up(self.path, self._tmp, self._error)
        return _commit(self.path, self._tmp)

    def discard(self) -> None:
        """Wait for the writer and remove the temporary file (nothing if already committed)."""
        if self._open:
            self._thread.join()
            self._open = False
            try:
                os.unlink(self._tmp)
            except FileNotFoundError:
                pass


#: Parquet compression of the per-draw tables: snappy (pyarrow's default, read by every Parquet
#: reader). On 200,000 draws of the HIV model's 18 columns, zstd saved 10% of the size (25.4 against
#: 28.0 MB) for twice the time (0.08 against 0.04 s of CPU); random floats hardly compress.
PARQUET_COMPRESSION = "snappy"


def _parquet_fill(columns: Mapping[str, Any]):
    """The table of :func:`write_parquet` and the ``fill(fd, tmp)`` that writes it and syncs it."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    names, arrays, text = [], [], []
    for name, values in columns.items():
        if isinstance(values, (np.ndarray, pa.Array, pa.ChunkedArray)):
            arr = values
        elif hasattr(values, "__arrow_array__"):  # a pandas extension array (text held by pyarrow)
            arr = pa.array(values)
        else:
            arr = np.asarray(values)
        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks()
        is_text = ((pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)) if isinstance(arr, pa.Array)
                   else arr.dtype.kind in "OUS")
        if is_text:  # text: dictionary encoded, each distinct value neutralised once
            if not isinstance(arr, pa.Array):
                arr = pa.array(arr.astype(str) if arr.dtype.kind != "O" else arr, type=pa.string())
            coded = arr.cast(pa.string()).dictionary_encode()
            labels = pa.array([neutralise_cell(v) for v in coded.dictionary.to_pylist()], type=pa.string())
            arrays.append(pa.DictionaryArray.from_arrays(coded.indices, labels))
            text.append(neutralise_cell(str(name)))
        else:
            arrays.append(arr if isinstance(arr, pa.Array) else pa.array(arr))
        names.append(neutralise_cell(str(name)))
    table = pa.Table.from_arrays(arrays, names=names)

    def fill(fd: int, tmp: str) -> None:
        with os.fdopen(fd, "wb") as fh:
            # dictionary pages for text only: on float columns they cost 10x the time and save nothing
            pq.write_table(table, fh, compression=PARQUET_COMPRESSION, use_dictionary=text)
            fh.flush()
            os.fsync(fh.fileno())

    return fill


def write_parquet(path: str | Path, columns: Mapping[str, Any]) -> Path:
    """Write named columns (numpy or pyarrow arrays, or lists, of equal length) as a Parquet file, atomically.

    The table is built straight from the arrays (``pyarrow.Table.from_arrays``, no pandas frame);
    text columns are neutralised like CSV cells (see :func:`neutralise_cell`) and dictionary
    encoded (numbers are not: dictionary pages of random floats cost time and save nothing). Written
    with :data:`PARQUET_COMPRESSION` to a temporary file in the same folder, synced, then renamed.
    """
    return _write_via_temporary(path, _parquet_fill(columns))


def write_parquet_later(path: str | Path, columns: Mapping[str, Any]) -> PendingWrite:
    """:func:`write_parquet` in a background thread: the same bytes; the file appears at
    :meth:`PendingWrite.commit` (call :meth:`PendingWrite.discard` if the run stops before)."""
    return PendingWrite(path, _parquet_fill(columns))


def write_csv(path: str | Path, df: pd.DataFrame, *, index: bool = True) -> Path:
    """Write a table as CSV, atomically, with formula-like text neutralised."""
    return write_atomic(path, neutralise_frame(df).to_csv(index=index, lineterminator="\n"))


def write_json(path: str | Path, data: Mapping) -> Path:
    return write_atomic(path, json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", text).strip("-")[:60] or "run"


def prepare_run_folder(out: str | Path | None, name: str, *, force: bool = False, root: str | Path = "runs") -> Path:
    """Create the folder a command writes into.

    Parameters
    ----------
    out : path or None
        The folder asked for with ``--out``; None means ``runs/<UTC timestamp>-<name>/``.
    name : str
        Scenario or command name, for the default folder name.
    force : bool
        Allow writing into an existing non-empty folder (files of the same name are replaced).

    Raises
    ------
    OutputError
        The folder exists and is not empty (without ``force``), or is a file.
    """
    if out is None:
        stamp = _dt.datetime.now(_dt.timezone.utc).strftime("%Y%m%dT%H%M%S")
        folder = Path(root) / f"{stamp}-{_slug(name)}"
        k = 1
        while folder.exists():
            k += 1
            folder = Path(root) / f"{stamp}-{_slug(name)}-{k}"
    else:
        folder = Path(out)
    if folder.exists() and not folder.is_dir():
        raise OutputError(Problem("exists and is not a folder", None, str(folder)))
    _make_folder(folder)
    _lock_folder(folder)
    if any(folder.iterdir()) and not force:
        raise OutputError(Problem("output folder exists and is not empty; choose another --out or add --force "
                                  "to replace files in it", None, str(folder)))
    return folder


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:  # a file in the path (/dev/null/x), read-only file system, permissions
        raise OutputError(Problem(f"cannot create the output folder ({exc.strerror or exc})", None,
                                  str(folder))) from None


#: Folders this process holds locked: resolved path -> open descriptor (closed when the process ends).
_LOCKS: dict = {}


def _lock_folder(folder: Path) -> None:
    """Take an exclusive, non-blocking lock on ``folder`` for the rest of this process."""
    if fcntl is None:  # pragma: no cover
        return
    key = str(folder.resolve())
    if key in _LOCKS:
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        os.close(fd)
        raise OutputError(Problem("another run is writing into this output folder now; wait for it to finish or "
                                  "choose another --out", None, str(folder))) from None
    _LOCKS[key] = fd
