"""Shared pieces of the commands: common options, argument types, exit codes, the manifest and terminal formatting.

Exit status: 0 success; 2 bad input (scenario, data, options), one line per problem and no
traceback unless ``--debug``; 1 an internal error (a bug); 130 interrupted.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import sys
from pathlib import Path
from typing import Callable

from econ.core.errors import EconError

#: The scenario run by ``python run_model.py`` with no arguments.
DEFAULT_SCENARIO = Path(__file__).resolve().parents[2] / "scenarios" / "side_by_side.yaml"

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 0, 1, 2, 130, 141


class UsageError(EconError):
    """A command-line option is wrong."""


def add_common_options(p: argparse.ArgumentParser, *, out: bool = True) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter (name=value) or any key (settings.n_cycles=24); "
                        "highest precedence, recorded in the manifest")
    p.add_argument("--quiet", action="store_true", help="no progress display on the terminal")
    if out:
        p.add_argument("--out", metavar="DIR", help="write result files into DIR (refused if DIR is not empty)")
        p.add_argument("--force", action="store_true", help="allow writing into a non-empty --out folder")


@contextlib.contextmanager
def printed_warnings():
    """Print each econ warning once, as ``warning: <message>`` on stderr, while a command runs.

    The synthetic-data warning is not printed: every command shows its own SYNTHETIC banner once.
    Other warnings keep Python's own display.
    """
    import warnings

    from econ.core.errors import EconWarning, SyntheticDataWarning

    seen: set = set()
    with warnings.catch_warnings():
        original = warnings.showwarning

        def show(message, category, filename, lineno, file=None, line=None):
            if not issubclass(category, EconWarning):
                return original(message, category, filename, lineno, file, line)
            text = f"warning: {message}"
            if issubclass(category, SyntheticDataWarning) or text in seen:
                return None
            seen.add(text)
            print(text, file=sys.stderr)
            return None

        warnings.simplefilter("always", EconWarning)  # repeats are dropped by ``show``, per command
        warnings.showwarning = show
        yield


def _is_terminal() -> bool:
    return sys.stderr.isatty()


def show_progress(args=None) -> bool:
    """Whether to show progress: stderr is a terminal and ``--quiet`` was not given."""
    return not getattr(args, "quiet", False) and _is_terminal()


@contextlib.contextmanager
def stage_progress(args, total: int, what: str):
    """Progress through the stages of a command (analyses, files written) on stderr, when
    :func:`show_progress`: a bar of ``total`` steps. Yields ``step(text)``, called as each stage
    starts (``text`` names it); a no-op when progress is off."""
    if not show_progress(args):
        yield lambda text: None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=what, file=sys.stderr, leave=False, dynamic_ncols=True,
               bar_format="{desc}: {n_fmt}/{total_fmt} [{elapsed}] {postfix}")
    started = [False]

    def step(text: str) -> None:
        if started[0]:
            bar.update(1)
        started[0] = True
        bar.set_postfix_str(text)

    try:
        yield step
    finally:
        bar.close()


def now_iso() -> str:
    """The current UTC time, to the second (manifest start and end times)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def whole_number(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum`` (and <= ``maximum`` when given)."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
        if maximum is not None and value > maximum:
            raise argparse.ArgumentTypeError(f"must be at most {maximum:,} (got {value:,})")
        return value

    return parse


def finite_number(text: str) -> float:
    """An argparse type: a finite number."""
    import math

    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number (got {text!r})") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"expected a finite number (got {text!r})")
    return value


def nonnegative_number(text: str) -> float:
    """An argparse type: a finite number >= 0 (a count of people, a size)."""
    value = finite_number(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be at least 0 (got {text})")
    return value


def _fmt_number(x: float) -> str:
    if x != x:  # NaN
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 1:
        return f"{x:,.2f}"
    return f"{x:.4f}"


def format_frame(df, *, index_name: str | None = None) -> str:
    """Render a DataFrame for the terminal with readable numbers."""
    shown = df.copy()
    for col in shown.columns:
        if shown[col].dtype.kind == "f":
            shown[col] = shown[col].map(_fmt_number)
    if index_name:
        shown.index.name = index_name
    return shown.to_string()


def manifest(args, compiled_list, started: str, extra: dict | None = None, *, n_draws: int = 1,
             seed: int | None = None) -> dict:
    """The manifest.json content of a command: command line, times, and per scenario its files and
    hashes, data files, overrides, seed, versions, price year (see :class:`econ.model.results.RunMetadata`)."""
    from econ.model.results import metadata_for

    metas = [metadata_for(c, n_draws=n_draws, seed=seed if seed is not None else c.loaded.spec.settings.seed,
                          data_files=c.data_files).to_dict() for c in compiled_list]
    out = {
        "command_line": list(sys.argv),
        "command": args.command,
        "started": started,
        "finished": now_iso(),
        "scenarios": metas,
    }
    if extra:
        out.update(extra)
    return out


def write_table_and_manifest(folder, name: str, table, args, compiled_list, started: str,
                             extra: dict | None = None) -> None:
    """Write one result table and the manifest (with ``extra`` entries) into a command's folder, and say so."""
    from econ.report.files import write_csv, write_json

    write_csv(folder / name, table, index=False)
    info = dict(extra or {})
    if info:
        info["files"] = [name, "manifest.json"]
    write_json(folder / "manifest.json", manifest(args, compiled_list, started, info or None))
    print(f"\nWrote {folder}/: {name}, manifest.json")



def scenario_labels(compiled_list) -> list[str]:
    """One distinct label per scenario: its name; with the file when names repeat; numbered
    (``#2``, ...) when the same file is given more than once (compare and report tables are keyed by it)."""
    names = [c.name for c in compiled_list]
    labels = [n if names.count(n) == 1 else f"{n} ({c.loaded.path})" for n, c in zip(names, compiled_list)]
    seen: dict = {}
    out = []
    for lab in labels:
        seen[lab] = seen.get(lab, 0) + 1
        out.append(lab if seen[lab] == 1 else f"{lab} #{seen[lab]}")
    return out
