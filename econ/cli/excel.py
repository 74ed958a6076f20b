"""The ``excel`` command: write a scenario as a self-calculating Excel model (live formulas, editable inputs)."""
from __future__ import annotations

import argparse
from pathlib import Path

from econ.cli.main import EXIT_OK, UsageError, add_common_options
from econ.cli.common import stage_progress


def register(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add the ``excel`` command to the main parser's subparsers (see :data:`econ.cli.main.COMMAND_MODULES`)."""
    p = subparsers.add_parser(
        "excel", help="write the scenario as a self-calculating Excel model (inputs, formulas, checks)",
        description="Write a workbook whose cells are live formulas: an Inputs sheet to edit, one sheet per "
                    "strategy (transition matrix per cycle, trace, values, discounting), Results, and Checks "
                    "with the engine's results next to the workbook's. Base case only; PSA stays in Python.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--out", required=True, metavar="FILE.xlsx", help="the workbook to write")
    p.add_argument("--force", action="store_true", help="overwrite an existing workbook")
    add_common_options(p, out=False)
    p.set_defaults(func=cmd_excel)
    return p


def cmd_excel(args) -> int:
    from econ.analysis.offset import headline
    from econ.model.evaluate import evaluate
    from econ.model.run import compile_path
    from econ.report.excel_model import excel_model

    out = Path(args.out)
    if out.suffix.lower() != ".xlsx":
        raise UsageError(f"--out: the workbook needs an .xlsx name (got '{args.out}')")
    if out.is_dir():
        raise UsageError(f"--out: '{args.out}' is a folder; give a file name such as {out / 'model.xlsx'}")
    if out.exists() and not args.force:
        raise UsageError(f"--out: '{args.out}' exists; add --force to overwrite it")
    with stage_progress(args, 3, "excel") as step:
        step(f"reading {args.file}")
        compiled = compile_path(args.file, overrides=args.overrides)
        step("base case")
        ev = evaluate(compiled)
        head = headline(compiled) if compiled.loaded.spec.cost_offset is not None else None
        step(f"writing {out.name}")
        excel_model(compiled, out, evaluation=ev, headline=head)
    spec = compiled.loaded.spec
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if compiled.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    for line in compiled.loaded.overrides:
        print(f"override: {line}")
    print(f"Wrote {out}: Read me, Inputs, {', '.join(compiled.model.strategy_names)}, Results, Checks "
          f"(formulas recalculate when the workbook is opened)")
    return EXIT_OK
