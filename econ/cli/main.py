"""Command line: the parser and ``main`` (argument parsing, error formatting and exit codes).

Exit status: 0 success; 2 bad input (scenario, data, options), one line per problem and no
traceback unless ``--debug``; 1 an internal error (a bug); 130 interrupted. The commands live in
:mod:`econ.cli.run` (run, compare, subgroups, budget, validate) and the modules of
:data:`COMMAND_MODULES`; the shared options and helpers in :mod:`econ.cli.common`.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
import traceback
from typing import Callable, Sequence

from econ.core.errors import EconError
# Names importable from this module before the split into common/run/main.
from econ.cli.common import (DEFAULT_SCENARIO, EXIT_BROKEN_PIPE, EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_OK,
                             UsageError, _fmt_number, printed_warnings, add_common_options, finite_number, format_frame, manifest,
                             now_iso, whole_number, write_table_and_manifest)
from econ.cli.run import (_comparison_rows, _print_generic, cmd_budget, cmd_compare, cmd_run, cmd_subgroups,
                          cmd_validate)
from econ.cli import run as _run


# --------------------------------------------------------------------------------------------
def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The command-line parser: every command, or with ``argv`` only the commands its module needs.

    Given the arguments, only the module that registers the command named in them is imported
    (:func:`command_modules`), so ``run_model.py`` and ``run_model.py run ...`` never import the
    PSA, GSA, data or report modules (start-up time). Help, no command word with options, or an
    unknown command builds the whole parser, so help and error messages list every command.
    """
    parser = argparse.ArgumentParser(
        prog="run_model.py",
        description="peer-econ: cost offset of community peer support (Markov cohort model). "
                    "With no command, runs the default scenario.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    _run.register(sub)

    for register in _extra_commands(COMMAND_MODULES if argv is None else command_modules(argv)):
        register(sub)
    return parser


#: Modules that add subcommands, with the commands each adds: each has ``register(subparsers)``,
#: which adds its parsers and sets ``func`` (a callable taking the parsed args and returning an exit
#: status). tests/test_startup.py checks these names against the parsers the modules build.
MODULE_COMMANDS = {"data": ("data",), "uncertainty": ("psa", "dsa", "twoway", "threshold"), "gsa": ("gsa",),
                   "report": ("report",), "voi": ("voi",), "excel": ("excel",)}
COMMAND_MODULES = tuple(MODULE_COMMANDS)
#: Commands of :mod:`econ.cli.run`, always registered.
RUN_COMMANDS = ("run", "compare", "subgroups", "budget", "validate")


def command_modules(argv: Sequence[str]) -> tuple[str, ...]:
    """The modules of :data:`COMMAND_MODULES` the parser needs for ``argv``.

    The command is the first argument not starting with ``-`` (the only option before it,
    ``--debug``, takes no value). None for no command (the default base case) or a command of
    :mod:`econ.cli.run`; its own module for another known command; every module for help before
    the command or an unknown word.
    """
    for arg in argv:
        if arg in ("-h", "--help"):
            return COMMAND_MODULES
        if not arg.startswith("-"):
            if arg in RUN_COMMANDS:
                return ()
            return tuple(m for m, names in MODULE_COMMANDS.items() if arg in names) or COMMAND_MODULES
    return ()


def _extra_commands(modules: Sequence[str] = COMMAND_MODULES) -> list[Callable]:
    import importlib

    out = []
    for name in modules:
        try:
            module = importlib.import_module(f".{name}", __package__)
        except ModuleNotFoundError as exc:
            if exc.name != f"{__package__}.{name}":
                raise
            continue
        out.append(module.register)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``run_model.py`` and the ``peer-econ`` console script; returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in argv
    from econ.report.files import WRITTEN

    WRITTEN.clear()  # the interruption message lists this command's files only
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C must interrupt even when the parent started us with SIGINT ignored (background jobs)
        signal.signal(signal.SIGINT, signal.default_int_handler)
    parser = build_parser(argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    except EconError as exc:  # an option's own check (e.g. --study-n 0) while the arguments are read
        for line in dict.fromkeys(f"error: {problem}" for problem in exc.problems):
            print(line, file=sys.stderr)
        return EXIT_INPUT
    if args.command is None:
        args = parser.parse_args(["run", str(DEFAULT_SCENARIO)] + (["--debug"] if debug else []))
    try:
        with printed_warnings():
            return int(args.func(args) or 0)
    except EconError as exc:
        if debug:
            traceback.print_exc()
        for line in dict.fromkeys(f"error: {problem}" for problem in exc.problems):  # each problem once
            print(line, file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # the reader went away (e.g. `| head`): say nothing more, as other command-line tools do
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
        except OSError:
            pass
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        from econ.report.files import WRITTEN

        if WRITTEN:
            kept = ", ".join(str(p) for p in WRITTEN)
            print(f"interrupted: kept {len(WRITTEN)} complete file(s): {kept}; nothing partial was written; "
                  "run the command again (add --force to reuse the folder)", file=sys.stderr)
        else:
            print("interrupted: no result files were written; run the command again", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: say so plainly
        if debug:
            traceback.print_exc()
        else:
            print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback; "
                  "please report it)", file=sys.stderr)
        return EXIT_BUG


def entry() -> None:
    """The process entry (``run_model.py``, ``peer-econ``): :func:`main`, then exit with its status.

    A Ctrl-C while Python is still importing the package (before :func:`main` can catch it) exits
    130 with the same message; one that comes after the command has finished (its files all
    written) is ignored while the interpreter shuts down, so it cannot turn a finished run into a
    death by signal.
    """
    try:
        code = main()
    except KeyboardInterrupt:
        print("interrupted: no result files were written; run the command again", file=sys.stderr)
        code = EXIT_INTERRUPTED
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
    exit_without_teardown(code)


#: Set (to anything) to exit through the interpreter's full shutdown instead (e.g. to look for leaks).
FULL_EXIT_ENV = "PEER_ECON_FULL_EXIT"


def exit_without_teardown(code: int) -> None:
    """Exit with ``code`` once everything Python runs at exit has run, skipping the teardown of modules.

    Tearing down the imported modules (pandas' alone is about 90 ms, as long as importing numpy) is
    work for nobody once a command has finished: its files are closed and renamed into place before
    it returns. While a thread that is not a daemon is still running (e.g. a writer), it exits the
    normal way, which waits for that thread. Otherwise it does what else a normal exit does that
    matters: runs the ``atexit`` handlers (coverage data, temporary folders, logging) and flushes
    standard output and error; then it ends the process with :func:`os._exit`. ``PEER_ECON_FULL_EXIT``
    keeps the normal exit (issue 19).
    """
    import atexit

    run_exit_handlers = getattr(atexit, "_run_exitfuncs", None)
    others = [t for t in threading.enumerate() if t is not threading.current_thread() and not t.daemon]
    if (others or run_exit_handlers is None or os.environ.get(FULL_EXIT_ENV)
            or threading.current_thread() is not threading.main_thread()):
        sys.exit(code)
    run_exit_handlers()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe or stream: nothing more can reach it
            pass
    os._exit(code)


if __name__ == "__main__":  # pragma: no cover
    entry()
