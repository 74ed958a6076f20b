"""Command line: argument parsing, error formatting and exit codes.

Exit status: 0 success; 2 bad input (scenario, data, options), one line per problem and no
traceback unless ``--debug``; 1 an internal error (a bug); 130 interrupted.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import os
import signal
import sys
import threading
import traceback
from pathlib import Path
from typing import Callable, Sequence

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
    if out:
        p.add_argument("--out", metavar="DIR", help="write result files into DIR (refused if DIR is not empty)")
        p.add_argument("--force", action="store_true", help="allow writing into a non-empty --out folder")


def now_iso() -> str:
    """The current UTC time, to the second (manifest start and end times)."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


def whole_number(minimum: int) -> Callable[[str], int]:
    """An argparse type: a whole number >= ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number (got {text!r})") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum} (got {value})")
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


# --------------------------------------------------------------------------------------------
def _print_generic(compiled, res) -> None:
    spec = compiled.loaded.spec
    cur = spec.settings.currency + (f" {spec.settings.price_year}" if spec.settings.price_year else "")
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if compiled.synthetic:
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


def _cost_effectiveness(compiled, res, folder) -> list[str]:
    """When the scenario declares an outcome (``icer`` block): print the efficiency frontier with net
    benefit, and write ``frontier.csv`` and ``net_benefit.csv`` into ``folder``. Returns the files written."""
    if compiled.icer is None:
        return []
    from econ.report.files import write_csv
    from econ.report.text import frontier_text

    front, nb = res.frontier, res.net_benefit()
    print()
    print(frontier_text(compiled, front, nb))
    if folder is None:
        return []
    write_csv(folder / "frontier.csv", front, index=False)
    write_csv(folder / "net_benefit.csv", nb, index=False)
    return ["frontier.csv", "net_benefit.csv"]


def cmd_run(args) -> int:
    from econ.analysis.budget import budget_table
    from econ.analysis.offset import headline
    from econ.analysis.base_case import run
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder, write_csv, write_json
    from econ.report.text import budget_text, headline_text

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = prepare_run_folder(args.out, compiled.name, force=args.force) if args.out else None
    res = run(compiled)
    spec = compiled.loaded.spec
    head = budget = None
    if spec.cost_offset is not None:
        head = headline(compiled)
        print(headline_text(compiled, head))
        if spec.budget is not None:
            budget = budget_table(compiled)
            print()
            print(budget_text(compiled, budget))
    else:
        _print_generic(compiled, res)
    cea_written = _cost_effectiveness(compiled, res, folder)
    for line in compiled.loaded.overrides:
        print(f"override: {line}")
    if folder is not None:
        written = ["summary.csv", "incremental.csv", "per_cycle.csv", "trace.csv"] + cea_written
        write_csv(folder / "summary.csv", res.summary)
        write_csv(folder / "incremental.csv", res.incremental)
        write_csv(folder / "per_cycle.csv", res.per_cycle, index=False)
        write_csv(folder / "trace.csv", res.trace, index=False)
        if head is not None:
            write_csv(folder / "headline.csv", head, index=False)
            written.append("headline.csv")
        if budget is not None:
            write_csv(folder / "budget.csv", budget, index=False)
            written.append("budget.csv")
        write_json(folder / "manifest.json", manifest(args, [compiled], started))
        print(f"\nWrote {folder}/: {', '.join(written + ['manifest.json'])}")
    return EXIT_OK


def _comparison_rows(compiled, scenario_label: str):
    """Long rows (scenario, strategy, perspective, discounting, measure, per_participant, population)."""
    from econ.analysis.base_case import run
    from econ.analysis.offset import headline

    if compiled.loaded.spec.cost_offset is not None:
        df = headline(compiled)
    else:
        inc = run(compiled, keep_trace=False, keep_cycles=False).incremental.drop(columns=["reference"])
        inc = inc.drop(columns=[c for c in ("dominance",) if c in inc.columns])
        df = inc.drop(index=compiled.reference).reset_index().melt(id_vars="strategy", var_name="measure",
                                                                     value_name="per_participant")
        df["perspective"] = ""
        df["discounting"] = "discounted"
        df["population"] = float("nan")
    df.insert(0, "scenario", scenario_label)
    return df[["scenario", "strategy", "perspective", "discounting", "measure", "per_participant", "population"]]


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


def cmd_compare(args) -> int:
    import pandas as pd

    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import PERSPECTIVE_LABELS, SYNTHETIC_BANNER

    started = now_iso()
    compiled_list = [compile_path(f, overrides=args.overrides) for f in args.files]
    names = [c.name for c in compiled_list]
    labels = [n if names.count(n) == 1 else f"{n} ({c.loaded.path})" for n, c in zip(names, compiled_list)]
    folder = prepare_run_folder(args.out, "compare", force=args.force) if args.out else None
    table = pd.concat([_comparison_rows(c, lab) for c, lab in zip(compiled_list, labels)], ignore_index=True)
    if any(c.synthetic for c in compiled_list):
        print(SYNTHETIC_BANNER)
        print()
    persp = args.perspective or next((p for p in table.perspective if p), "")
    shown = table[(table.discounting == "discounted") & (table.perspective == persp)]
    measures = args.measure or (["delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution",
                                 "payback_month"] if persp else sorted(set(shown.measure)))
    shown = shown[shown.measure.isin(measures)]
    pivot = shown.pivot_table(index=["strategy", "measure"], columns="scenario", values="per_participant",
                              sort=False)
    pivot = pivot[[lab for lab in labels if lab in pivot.columns]]
    if persp:
        print(f"Per person, discounted, {PERSPECTIVE_LABELS.get(persp, persp)}; each scenario against its own "
              f"reference strategy.")
    print(format_frame(pivot))
    if folder is not None:
        write_table_and_manifest(folder, "comparison.csv", table, args, compiled_list, started)
    return EXIT_OK


def cmd_subgroups(args) -> int:
    import pandas as pd

    from econ.analysis.offset import check_cost_offset, headline
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import PERSPECTIVE_LABELS, SYNTHETIC_BANNER

    started = now_iso()
    base = compile_path(args.file, overrides=args.overrides)
    check_cost_offset(base)
    persons = base.context.service_use.persons
    if args.by not in persons.columns:
        raise UsageError(f"--by {args.by}: not a column of the service-use data (use setting, engagement_band, "
                         f"area or bme)")
    sizes = persons[args.by].astype(str).value_counts()
    values = sorted(sizes.index)
    folder = prepare_run_folder(args.out, f"subgroups-{args.by}", force=args.force) if args.out else None
    frames, compiled_list = [], []
    for v in values:
        c = compile_path(args.file, overrides=args.overrides, subgroup={args.by: v})
        compiled_list.append(c)
        df = headline(c)
        df.insert(0, "subgroup", f"{args.by}={v}")
        df.insert(1, "n_people", int(sizes[v]))
        frames.append(df)
    table = pd.concat(frames, ignore_index=True)
    if base.synthetic:
        print(SYNTHETIC_BANNER)
        print()
    persp = args.perspective or base.loaded.spec.cost_offset.perspectives[0]
    shown = table[(table.discounting == "discounted") & (table.perspective == persp)
                  & table.measure.isin(["delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution"])]
    pivot = shown.pivot_table(index=["strategy", "measure"], columns="subgroup", values="per_participant", sort=False)
    counts = ", ".join(f"{args.by}={v}: {int(sizes[v])} people" for v in values)
    print(f"Subgroups by {args.by} ({counts}); per person, discounted, {PERSPECTIVE_LABELS.get(persp, persp)}.")
    print("Every service-use statistic is re-estimated from the people in the subgroup.")
    print(format_frame(pivot))
    if folder is not None:
        write_table_and_manifest(folder, "subgroups.csv", table, args, compiled_list, started)
    return EXIT_OK


def cmd_budget(args) -> int:
    from econ.analysis.budget import budget_table
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import SYNTHETIC_BANNER, budget_text

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = prepare_run_folder(args.out, f"budget-{compiled.name}", force=args.force) if args.out else None
    table = budget_table(compiled)
    if compiled.synthetic:
        print(SYNTHETIC_BANNER)
        print()
    print(budget_text(compiled, table, perspective=args.perspective))
    if folder is not None:
        write_table_and_manifest(folder, "budget.csv", table, args, [compiled], started)
    return EXIT_OK


def cmd_validate(args) -> int:
    from econ.model.run import compile_path
    from econ.model.evaluate import evaluate

    problems = []
    for f in args.files:
        try:
            compiled = compile_path(f, overrides=args.overrides)
            evaluate(compiled)  # the base case must pass the probability checks too
            if compiled.loaded.spec.correlations:
                from econ.analysis.psa import scenario_correlation

                scenario_correlation(compiled)
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

    p = sub.add_parser("compare", help="scenarios side by side (commissioners' comparison table)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--perspective", choices=["nhs", "nhs_pss", "public_sector", "societal"],
                   help="perspective shown (default: the first of each scenario's cost_offset.perspectives)")
    p.add_argument("--measure", action="append", help="measure to show (repeatable); default: the headline ones")
    add_common_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("subgroups", help="run a scenario per subgroup of the service-use data, side by side")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--by", required=True, choices=["setting", "engagement_band", "area", "bme"])
    p.add_argument("--perspective", choices=["nhs", "nhs_pss", "public_sector", "societal"])
    add_common_options(p)
    p.set_defaults(func=cmd_subgroups)

    p = sub.add_parser("budget", help="budget view by financial year for the scenario's intake schedule")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--perspective", choices=["nhs", "nhs_pss", "public_sector", "societal"])
    add_common_options(p)
    p.set_defaults(func=cmd_budget)

    p = sub.add_parser("validate", help="check scenario files; exit 2 with one line per problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    add_common_options(p, out=False)
    p.set_defaults(func=cmd_validate)

    for register in _extra_commands():
        register(sub)
    return parser


#: Modules that add subcommands: each has ``register(subparsers)``, which adds its parsers and sets
#: ``func`` (a callable taking the parsed args and returning an exit status).
COMMAND_MODULES = ("data", "uncertainty", "gsa", "report")


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
    from econ.report.files import WRITTEN

    WRITTEN.clear()  # the interruption message lists this command's files only
    if threading.current_thread() is threading.main_thread():
        # Ctrl-C must interrupt even when the parent started us with SIGINT ignored (background jobs)
        signal.signal(signal.SIGINT, signal.default_int_handler)
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


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
