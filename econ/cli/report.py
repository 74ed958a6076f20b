"""The ``report`` command: run the standard analyses of scenario files and write an HTML report, tables and plots.

The analyses are run by :mod:`econ.cli.report_analyses`; the tables, figures and HTML sections are
assembled by :mod:`econ.cli.report_sections`.
"""
from __future__ import annotations

import argparse
from pathlib import Path

from econ.cli.common import EXIT_OK, add_common_options, manifest, now_iso, whole_number
# Names importable from this module before the split.
from econ.cli.report_analyses import Analyses, check_perspective, check_strategy, run_analyses
from econ.cli.report_figures import report_figures
from econ.cli.report_sections import report_html, report_tables

#: Draws of the probabilistic analysis when ``--draws`` is not given.
DEFAULT_DRAWS = 1000


def _formats(text: str) -> list[str]:
    from econ.report.tables import parse_formats

    try:
        return parse_formats(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def register(subparsers) -> None:
    """Add the ``report`` command."""
    from econ.report.tables import FORMATS

    p = subparsers.add_parser(
        "report", help="run the standard analyses and write report.html, tables (CSV/XLSX/MD/LaTeX) and plots",
        description="Run the base case, comparison, probabilistic and one-way sensitivity analyses of the "
                    "scenario files and write a self-contained HTML report, tables and plots into one folder. "
                    "The first FILE is the main scenario; all appear in the comparison.")
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario YAML files (the first is the main one)")
    p.add_argument("--draws", type=whole_number(0), default=DEFAULT_DRAWS,
                   help=f"draws of the probabilistic analysis (default {DEFAULT_DRAWS}; 0 skips it)")
    p.add_argument("--seed", type=whole_number(0), default=None, help="random seed (default: the scenario's settings.seed)")
    p.add_argument("--format", dest="formats", type=_formats, default=list(FORMATS), metavar="LIST",
                   help=f"table formats, comma-separated from {','.join(FORMATS)} (default: all)")
    p.add_argument("--perspective", choices=["nhs", "nhs_pss", "public_sector", "societal"],
                   help="perspective of the key findings, plots and sensitivity analysis "
                        "(default: the first of the scenario's cost_offset.perspectives)")
    p.add_argument("--strategy", metavar="NAME", default=None,
                   help="the option the tornado (one-way analysis) and the global analysis are for "
                        "(default: the scenario's budget.strategy, else the first option)")
    p.add_argument("--gsa", choices=["sobol", "morris"], default=None,
                   help="add a global sensitivity analysis of the main output (slower)")
    p.add_argument("--gsa-n", type=whole_number(0), default=None, metavar="N",
                   help="GSA sample size (base samples for sobol, trajectories for morris)")
    add_common_options(p)
    p.set_defaults(func=cmd_report)


#: Steps of :func:`write_report` besides one per plot: tables, HTML, manifest.
WRITE_STAGES = 3


def write_report(folder: Path, a: Analyses, *, formats, manifest_data: dict, args=None) -> list[Path]:
    """Write tables, plots, the HTML report and the manifest into ``folder``; returns the paths written.
    With ``args`` (the command's options), progress through the files is shown on a terminal
    unless ``--quiet`` (:func:`econ.cli.common.stage_progress`)."""
    from econ.cli.common import stage_progress

    figure_specs = report_figures(a)
    with stage_progress(args, WRITE_STAGES + len(figure_specs), "report: writing") as step:
        return _write_report(folder, a, formats=formats, manifest_data=manifest_data, figure_specs=figure_specs,
                             step=step)


def _write_report(folder: Path, a: Analyses, *, formats, manifest_data: dict, figure_specs: dict,
                  step) -> list[Path]:
    from econ.report.files import write_json
    from econ.report.html import write_html
    from econ.report.plots import render_figure, save_figure
    from econ.report.tables import export_tables

    folder = Path(folder)
    synthetic = any(c.synthetic for c in a.compiled_list)
    step(f"tables ({', '.join(formats)})")
    tables = report_tables(a)
    written = export_tables(folder, tables, formats=formats, manifest=manifest_data, synthetic=synthetic)
    figures = {}
    for name, (f, title, caption) in figure_specs.items():
        step(f"plot {name}")
        rendered = render_figure(f)  # drawn once: saved as PNG and SVG, and the SVG embedded
        written.extend(save_figure(rendered, folder / "plots" / name))
        figures[name] = (rendered, title, caption)
    step("report.html")
    written.append(write_html(folder / "report.html", report_html(a, tables, figures, manifest_data)))
    files = sorted(str(p.relative_to(folder)) for p in written) + ["manifest.json"]
    manifest_data = dict(manifest_data)
    manifest_data.setdefault("report", {})["files"] = files
    step("manifest.json")
    written.append(write_json(folder / "manifest.json", manifest_data))
    return written


def build_report(args, scenarios) -> tuple:
    """Compile ``scenarios`` (paths or compiled), run the analyses and write the report folder as
    ``args`` says (out, force, overrides, draws, seed, perspective, gsa, gsa_n, formats).

    Returns ``(folder, compiled scenarios, paths written)``; used by the command and by
    :func:`econ.make_report`.
    """
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder

    started = now_iso()
    compiled_list = [compile_path(f, overrides=args.overrides) for f in scenarios]
    check_perspective(compiled_list[0], args.perspective)  # before the folder is made
    check_strategy(compiled_list[0], getattr(args, "strategy", None))
    folder = prepare_run_folder(args.out, f"report-{compiled_list[0].name}", force=args.force)
    from econ.cli.common import stage_progress
    from econ.cli.report_analyses import ANALYSIS_STAGES

    with stage_progress(args, ANALYSIS_STAGES, "report: analyses") as step:
        a = run_analyses(compiled_list, n_draws=args.draws, seed=args.seed, perspective=args.perspective,
                         gsa=args.gsa, gsa_n=args.gsa_n, step=step, strategy=getattr(args, "strategy", None))
    seed = a.psa.seed if a.psa is not None else args.seed
    extra = {"report": {"main_scenario": compiled_list[0].name, "draws": args.draws, "seed": seed,
                        "perspective": a.perspective, "formats": list(args.formats), "gsa": args.gsa}}
    data = manifest(args, compiled_list, started, extra, n_draws=max(args.draws, 1), seed=seed)
    return folder, compiled_list, write_report(folder, a, formats=args.formats, manifest_data=data, args=args)


def cmd_report(args) -> int:
    """Run the analyses and write the report folder; print where it is.

    The folder (``--out DIR``, or ``runs/<UTC timestamp>-report-<name>/``; a non-empty folder is
    refused without ``--force``) receives::

        report.html          one self-contained file for commissioners (inline CSS and images)
        tables.xlsx          every table, one sheet each, and a metadata sheet   (--format xlsx)
        tables/<name>.csv    the same tables as CSV, Markdown and LaTeX          (--format csv,md,tex)
        plots/<name>.png     every plot as PNG and SVG
        manifest.json        command, scenario and data files with hashes, seed, versions, files written

    The first FILE is the main scenario: it gets the full analysis (base case, budget,
    probabilistic and one-way sensitivity analysis); every FILE appears in the comparison. Every
    file is written atomically, so an interruption never leaves a partial file under its final name.
    """
    from econ.report.text import SYNTHETIC_BANNER

    folder, compiled_list, written = build_report(args, args.files)
    if any(c.synthetic for c in compiled_list):
        print(SYNTHETIC_BANNER)
    from econ.report.text import followup_text

    for c in compiled_list:
        line = followup_text(c)
        if line:
            print(f"{c.name}: {line}" if len(compiled_list) > 1 else line)
    n_tables = sum(1 for p in written if p.parent.name == "tables")
    n_plots = sum(1 for p in written if p.parent.name == "plots")
    print(f"Wrote {folder}/: report.html" + (", tables.xlsx" if "xlsx" in args.formats else "") +
          f", {n_tables} table files, {n_plots} plot files, manifest.json")
    print(f"Open {folder / 'report.html'} in a web browser.")
    return EXIT_OK
