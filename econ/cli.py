"""Command line: argument parsing, error formatting and exit codes.

Exit status: 0 success; 2 bad input (scenario, data, options), one line per problem and no
traceback unless ``--debug``; 1 an internal error (a bug); 130 interrupted.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import sys
import traceback
from pathlib import Path
from typing import Callable, Sequence

from .errors import EconError

#: The scenario run by ``python run_model.py`` with no arguments.
DEFAULT_SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "side_by_side.yaml"

EXIT_OK, EXIT_BUG, EXIT_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class UsageError(EconError):
    """A command-line option is wrong."""


def add_common_options(p: argparse.ArgumentParser, *, out: bool = True) -> None:
    p.add_argument("--set", dest="overrides", action="append", default=[], metavar="KEY=VALUE",
                   help="override a parameter (name=value) or any key (settings.n_cycles=24); "
                        "highest precedence, recorded in the manifest")
    if out:
        p.add_argument("--out", metavar="DIR", help="write result files into DIR (refused if DIR is not empty)")
        p.add_argument("--force", action="store_true", help="allow writing into a non-empty --out folder")


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
    hashes, data files, overrides, seed, versions, price year (see :class:`econ.results.RunMetadata`)."""
    from .results import metadata_for

    metas = [metadata_for(c, n_draws=n_draws, seed=seed if seed is not None else c.loaded.spec.settings.seed,
                          data_files=c.data_files).to_dict() for c in compiled_list]
    out = {
        "command_line": list(sys.argv),
        "command": args.command,
        "started": started,
        "finished": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "scenarios": metas,
    }
    if extra:
        out.update(extra)
    return out


# --------------------------------------------------------------------------------------------
def cmd_run(args) -> int:
    from .api import compile_path, run
    from .report.files import prepare_run_folder, write_csv, write_json

    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = prepare_run_folder(args.out, compiled.name, force=args.force) if args.out else None
    res = run(compiled)
    spec = compiled.loaded.spec
    cur = spec.settings.currency + (f" {spec.settings.price_year}" if spec.settings.price_year else "")
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if spec.metadata.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    print(f"Per person, discounted; money in {cur}; {spec.settings.n_cycles} cycles of one "
          f"{spec.settings.cycle_length}; counting: {spec.settings.cycle_correction}")
    print()
    print(format_frame(res.summary))
    inc = res.incremental
    if len(inc) > 1:
        print()
        print(f"Incremental, against {compiled.reference}:")
        cols = [c for c in inc.columns if c not in ("reference",)]
        print(format_frame(inc.drop(index=compiled.reference)[cols]))
    for line in compiled.loaded.overrides:
        print(f"override: {line}")
    if folder is not None:
        write_csv(folder / "summary.csv", res.summary)
        write_csv(folder / "incremental.csv", inc)
        write_csv(folder / "per_cycle.csv", res.per_cycle, index=False)
        write_csv(folder / "trace.csv", res.trace, index=False)
        write_json(folder / "manifest.json", manifest(args, [compiled], started))
        print(f"\nWrote {folder}/summary.csv, incremental.csv, per_cycle.csv, trace.csv, manifest.json")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .api import compile_path
    from .evaluate import evaluate

    problems = []
    for f in args.files:
        try:
            compiled = compile_path(f, overrides=args.overrides)
            evaluate(compiled)  # the base case must pass the probability checks too
            print(f"{f}: ok ({len(compiled.model.strategies)} strategies, {len(compiled.model.groups)} states, "
                  f"{len(compiled.parameters.parameters)} parameters)")
        except EconError as exc:
            problems.extend(exc.problems)
    if problems:
        raise EconError(problems)
    return EXIT_OK


# --------------------------------------------------------------------------------------------
def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="run_model.py",
        description="peer-econ: cost offset of community peer support (Markov cohort model). "
                    "With no command, runs the default scenario.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("run", help="base case of a scenario: summary table (and files with --out)")
    p.add_argument("file", help="scenario YAML")
    add_common_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("validate", help="check scenario files; exit 2 with one line per problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    add_common_options(p, out=False)
    p.set_defaults(func=cmd_validate)

    for register in _extra_commands():
        register(sub)
    return parser


#: Modules that add subcommands: each has ``register(subparsers)``, which adds its parsers and sets
#: ``func`` (a callable taking the parsed args and returning an exit status).
COMMAND_MODULES = ("cli_data", "cli_uncertainty", "cli_gsa", "cli_report")


def _extra_commands() -> list[Callable]:
    import importlib

    out = []
    for name in COMMAND_MODULES:
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
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits 2 on bad usage, 0 on --help
        return int(exc.code or 0)
    if args.command is None:
        args = parser.parse_args(["run", str(DEFAULT_SCENARIO)] + (["--debug"] if debug else []))
    try:
        return int(args.func(args) or 0)
    except EconError as exc:
        if debug:
            traceback.print_exc()
        for problem in exc.problems:
            print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    except KeyboardInterrupt:
        print("interrupted: files already written are complete; nothing partial was kept", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: say so plainly
        if debug:
            traceback.print_exc()
        else:
            print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback; "
                  "please report it)", file=sys.stderr)
        return EXIT_BUG


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
