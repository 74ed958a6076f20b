"""The ``psa``, ``dsa``, ``twoway`` and ``threshold`` commands of the command line."""
from __future__ import annotations

import argparse
import contextlib

import numpy as np
import pandas as pd

from econ.report.units import money_unit_text
from econ.cli.common import (EXIT_OK, UsageError, add_common_options, finite_number, nonnegative_number, format_frame, manifest, now_iso, whole_number,
                  stage_progress, write_table_and_manifest)

METHODS = ("monte_carlo", "latin_hypercube", "sobol")

#: Tables with a row per draw (written as Parquet by default, CSV with ``--format csv``); the rest are CSV.
PER_DRAW = ("psa_draws", "ce_plane")
PER_DRAW_FORMATS = ("parquet", "csv")

#: Willingness-to-pay values shown on the terminal (per unit of effect); the files hold the whole grid.
SHOWN_WTP = (20_000.0, 30_000.0)

def _header(compiled, what: str) -> None:
    spec = compiled.loaded.spec
    cur = money_unit_text(spec.settings.currency, spec.settings.price_year)
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if compiled.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    print(f"{what}; money per person in {cur}, discounted")
    for line in compiled.loaded.overrides:
        print(f"override: {line}")


@contextlib.contextmanager
def _progress_bar(total: int, unit: str, args=None):
    """A tqdm bar on a terminal, else timed lines with the time left (:mod:`econ.core.progress`); nothing
    with ``--quiet``. Yields the progress callback (or None)."""
    if getattr(args, "quiet", False):
        yield None
        return
    from econ.core.progress import progress_reporter

    with progress_reporter(total, unit, label="psa") as step:
        yield step


def _folder(args, compiled):
    from econ.report.files import prepare_run_folder

    return prepare_run_folder(args.out, compiled.name, force=args.force) if args.out else None


def per_draw_formats(text: str) -> tuple[str, ...]:
    """An argparse type: a comma-separated choice of :data:`PER_DRAW_FORMATS`, in the order given."""
    chosen = tuple(dict.fromkeys(part.strip().lower() for part in text.split(",") if part.strip()))
    wrong = [f for f in chosen if f not in PER_DRAW_FORMATS]
    if wrong or not chosen:
        raise argparse.ArgumentTypeError(f"expected {', '.join(PER_DRAW_FORMATS)} or both separated by a comma "
                                         f"(got {text!r})")
    return chosen


def _write_psa_files(folder, result, tables, formats, step, pending=None) -> list[str]:
    """Write the summary tables, the per-draw tables and the acceptability table; ``step(name)`` is called
    as each file starts (progress). ``pending`` maps file names already being written in the background
    (:func:`_start_per_draw`) to their :class:`econ.report.files.PendingWrite`, committed in turn.
    Returns the names written."""
    from econ.report.files import write_csv

    written = []
    for name, table in tables.items():
        if name in PER_DRAW:
            continue
        step(f"{name}.csv")
        write_csv(folder / f"{name}.csv", table, index=False)
        written.append(f"{name}.csv")
    written += _write_per_draw(folder, result, tables, formats, step, pending or {})
    step("acceptability.csv")
    return written + _write_acceptability(folder, tables)


def _per_draw_columns(name: str, result, tables) -> dict | None:
    """The columns of a per-draw table for Parquet (numpy arrays; text as pyarrow-backed arrays), or None."""
    if name == "psa_draws":
        from econ.analysis.psa import draws_columns

        return draws_columns(result)
    if name in tables:
        table = tables[name]
        return {c: (table[c].array if table[c].dtype.kind not in "biuf" else table[c].to_numpy()) for c in table.columns}
    return None


def _start_per_draw(folder, result, tables, formats, pending: dict) -> None:
    """Start writing, in the background, the Parquet files of the per-draw tables that can be built
    from ``result`` and ``tables`` and are not started yet (into ``pending``, by file name)."""
    from econ.report.files import write_parquet_later

    if folder is None or "parquet" not in formats:
        return
    for name in PER_DRAW:
        columns = None if f"{name}.parquet" in pending else _per_draw_columns(name, result, tables)
        if columns is not None:
            pending[f"{name}.parquet"] = write_parquet_later(folder / f"{name}.parquet", columns)


def _write_per_draw(folder, result, tables, formats, step=lambda text: None, pending=None) -> list[str]:
    """Write the per-draw tables (psa_draws, and ce_plane with an ICER) in each chosen format; their names."""
    from econ.analysis.psa import draws_frame
    from econ.report.files import write_csv, write_parquet

    pending = {} if pending is None else pending
    written = []
    for name in PER_DRAW:
        if name == "psa_draws":
            frame, index = (lambda: draws_frame(result)), True
        elif name in tables:
            frame, index = (lambda t=tables[name]: t), False
        else:
            continue
        for fmt in formats:
            step(f"{name}.{fmt}")
            if fmt == "parquet" and f"{name}.parquet" in pending:
                pending[f"{name}.parquet"].commit()
            elif fmt == "parquet":
                write_parquet(folder / f"{name}.parquet", _per_draw_columns(name, result, tables))
            else:
                write_csv(folder / f"{name}.csv", frame(), index=index)
            written.append(f"{name}.{fmt}")
    return written


# --------------------------------------------------------------------------------------------
def _write_acceptability(folder, tables: dict) -> list[str]:
    """Write ``acceptability.csv`` (CEAC and CEAF, :func:`econ.analysis.cea.acceptability_table`) when
    the PSA has an acceptability curve. Returns the files written."""
    if "ceac" not in tables:
        return []
    from econ.analysis.cea import acceptability_table
    from econ.report.files import write_csv

    write_csv(folder / "acceptability.csv", acceptability_table(tables["ceac"]), index=False)
    return ["acceptability.csv"]


def _print_bcr(po) -> None:
    """The benefit-cost ratio two ways: mean savings / mean cost, and the mean of the per-draw ratios."""
    po = po[(po.discounting == "discounted") & po.measure.isin(["bcr", "bcr_of_means", "net_roi_of_means"])]
    wide = po.pivot_table(index=["perspective", "strategy"], columns="measure", values="mean", sort=False)
    wide = wide.rename(columns={"bcr": "bcr_mean_of_draw_ratios", "bcr_of_means": "bcr_mean_savings/mean_cost",
                                "net_roi_of_means": "net_roi_from_means"})
    print()
    print("Benefit-cost ratio (savings / cost), discounted: the ratio of mean savings to mean cost (the estimate "
          "to report) and the mean of the per-draw ratios:")
    print(format_frame(wide))


def cmd_psa(args) -> int:
    """Run a probabilistic sensitivity analysis, print the headline tables, write files with --out.

    With ``--out`` the Parquet files of the per-draw tables are encoded and synced by a background
    thread while the summaries are computed and printed (:func:`_start_per_draw`); each is renamed
    into the folder at its turn among the files, so the files and their order are as if written
    one after another, and none appears if the run stops before.
    """
    from econ.analysis.psa import DEFAULT_WTP, psa_tables, run_psa
    from econ.core.allocator import keep_freed_memory
    from econ.model.run import compile_path

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = _folder(args, compiled)
    keep_freed_memory()  # the chunks of the first (and only) run reuse freed pages (issue 19)
    with _progress_bar(args.draws, "draw", args) as progress:
        result = run_psa(compiled, n_draws=args.draws, seed=args.seed, method=args.method, outputs=args.outputs,
                         chunk_draws=args.chunk_draws, progress=progress)
    pending: dict = {}
    try:
        _start_per_draw(folder, result, {}, args.formats, pending)
        wtp = DEFAULT_WTP if args.wtp_max is None else np.linspace(0.0, args.wtp_max, 101)
        with stage_progress(args, 1, "psa") as step:
            step(f"summarising {result.n_draws:,} draws")
            tables = psa_tables(result, wtp=wtp, population=args.population)
        _start_per_draw(folder, result, tables, args.formats, pending)
        _print_psa(compiled, result, tables)
        if folder is not None:
            _write_psa_run(args, folder, compiled, result, tables, wtp, started, pending)
    finally:
        for job in pending.values():
            job.discard()  # nothing once committed; else wait for it and remove its temporary file
    return EXIT_OK


def _print_psa(compiled, result, tables) -> None:
    """The headline tables of a PSA on the terminal."""
    _header(compiled, f"PSA: {result.n_draws:,} draws, {result.method}, seed {result.seed}")
    if result.correlation:
        pairs = ", ".join(f"{a}~{b} {rho:.3g}" for (a, b), rho in result.correlation.items())
        print(f"correlated (normal scores): {pairs}")
    print()
    print("Outputs (mean, SD, Monte Carlo SE, 95% interval, P(< 0)):")
    print(format_frame(tables["psa_outputs"].set_index("output")))
    if "cost_saving" in tables:
        cs = tables["cost_saving"]
        cs = cs[cs.discounting == "discounted"].drop(columns="discounting")
        print()
        print(f"Probability of saving money against {compiled.reference} (net cost < 0; ROI > 1):")
        print(format_frame(cs.set_index(["perspective", "strategy"])))
    if "psa_offset" in tables:
        _print_bcr(tables["psa_offset"])
    if "psa_icer" in tables:
        print()
        print(f"ICER against {compiled.reference} (ratio of mean incremental cost to mean incremental effect):")
        print(format_frame(tables["psa_icer"].set_index("strategy")))
        ceac, ev = tables["ceac"], tables["evpi"]
        shown = [w for w in SHOWN_WTP if np.isclose(ceac.wtp, w).any()]
        if shown:
            print()
            print("Probability each strategy is optimal, and EVPI:")
            sel = ceac[np.isin(ceac.wtp, shown)].pivot(index="wtp", columns="strategy", values="prob_optimal")
            sel = sel[list(result.evaluation.strategies)]
            sel.columns.name = None
            e = ev.set_index("wtp").loc[shown]
            sel["evpi_per_person"] = e["evpi_per_person"]
            if np.isfinite(e["population"]).all():
                sel["evpi_population"] = e["evpi_population"]
            sel.index = [f"{w:,.0f}" for w in sel.index]
            print(format_frame(sel, index_name="wtp"))
    conv = tables["convergence"]
    if not conv.empty:
        print()
        print("Convergence: running mean of each output after n draws (Monte Carlo SE in psa_outputs):")
        points = sorted(conv.n_draws.unique())[-5:]
        run = conv[conv.n_draws.isin(points)].pivot(index="n_draws", columns="output", values="mean")
        run = run[[c for c in result.outputs.columns if c in run.columns]]
        run.index = [f"{n:,}" for n in run.index]
        print(format_frame(run, index_name="n_draws"))
    from econ.cli.run import _print_followup

    _print_followup(compiled)


def _write_psa_run(args, folder, compiled, result, tables, wtp, started, pending) -> None:
    """Write every file of a PSA and its manifest into ``folder``, and say so."""
    from econ.report.files import write_json

    with stage_progress(args, len(tables) + len(PER_DRAW) * len(args.formats) + 2, "writing files") as step:
        written = _write_psa_files(folder, result, tables, args.formats, step, pending)
        extra = {"analysis": "psa", "method": result.method,
                 "monte_carlo_draws": (compiled.loaded.spec.settings.monte_carlo_draws
                                       if result.method == "monte_carlo" else None),
                 "outputs": list(result.outputs.columns),
                 "correlation": [{"between": list(k), "normal_scores": v} for k, v in result.correlation.items()],
                 "wtp": [float(wtp[0]), float(wtp[-1]), int(len(wtp))], "per_draw_formats": list(args.formats),
                 "files": written + ["manifest.json"]}
        step("manifest.json")
        write_json(folder / "manifest.json",
                   manifest(args, [compiled], started, extra, n_draws=result.n_draws, seed=result.seed))
    print(f"\nWrote {folder}/: {', '.join(written)}, manifest.json")


def cmd_dsa(args) -> int:
    """One-way sensitivity analysis: print the tornado table, write tornado.csv with --out."""
    from econ.analysis.dsa import oneway
    from econ.model.run import compile_path

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = _folder(args, compiled)
    with stage_progress(args, 1, "dsa") as step:
        step("one-way sensitivity analysis")
        table = oneway(compiled, args.output, parameters=args.parameters, level=args.level,
                       grouped=not args.ungrouped)
    _header(compiled, f"One-way sensitivity analysis of {table.output.iat[0] if len(table) else args.output}")
    if table.empty:
        print("no parameter has a distribution or a dsa_range")
        return EXIT_OK
    print(f"base case: {table.base.iat[0]:,.6g}; ranges: the scenario's dsa_range, else a unit cost's table "
          f"low/high, else the {args.level:.0%} interval of the distribution; ordered by swing")
    if not args.ungrouped:
        print("grouped: the members of each dsa_groups group are varied together (--ungrouped: one row each)")
    print()
    shown = table.drop(columns=["output", "base", "members", "n_members"], errors="ignore")  # members: in the CSV
    if args.top:
        shown = shown.head(args.top)
    print(format_frame(shown.set_index("parameter")))
    if folder is not None:
        write_table_and_manifest(folder, "tornado.csv", table, args, [compiled], started,
                                 {"analysis": "dsa", "output": table.output.iat[0], "level": args.level,
                                  "grouped": not args.ungrouped})
    return EXIT_OK


def cmd_twoway(args) -> int:
    """Two-way grid of an output over two parameters."""
    from econ.analysis.dsa import twoway
    from econ.model.run import compile_path

    for name in ("range1", "range2"):
        ends = getattr(args, name)
        if ends and not ends[0] < ends[1]:  # a grid of one value per side has nothing to show
            raise UsageError(f"--{name} {ends[0]:g} {ends[1]:g}: a grid needs low < high")
    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = _folder(args, compiled)
    with stage_progress(args, 1, "twoway") as step:
        step(f"{args.n} x {args.n} grid of {args.p1} and {args.p2}")
        grid = twoway(compiled, args.p1, args.p2, n=args.n, output=args.output,
                      range1=tuple(args.range1) if args.range1 else None,
                      range2=tuple(args.range2) if args.range2 else None)
    p1, p2, out = grid.parameter_1.iat[0], grid.parameter_2.iat[0], grid.output.iat[0]
    _header(compiled, f"Two-way sensitivity analysis of {out}")
    print(f"rows: {p1}; columns: {p2}")
    print()
    matrix = grid.pivot(index="value_1", columns="value_2", values="value")
    matrix.columns = [f"{c:.4g}" for c in matrix.columns]
    matrix.index = [f"{i:.4g}" for i in matrix.index]
    print(format_frame(matrix, index_name=p1))
    if folder is not None:
        write_table_and_manifest(folder, "twoway.csv", grid, args, [compiled], started,
                                 {"analysis": "twoway", "parameters": [p1, p2], "output": out, "n": args.n})
    return EXIT_OK


#: The output at the threshold is printed as the target when it is within this fraction of the range
#: the output spans over the search (|y - target| <= 1e-9 x max(|y(lo)|, |y(hi)|, |target|)): a root
#: finder's rounding noise (e.g. 1e-13 for 0), not a difference. The CSV keeps the parameter value unrounded.
THRESHOLD_PRINT_TOLERANCE = 1e-9


def _at_target(res) -> float:
    scale = max(abs(res.output_lo), abs(res.output_hi), abs(res.target))
    close = abs(res.output_at_value - res.target) <= THRESHOLD_PRINT_TOLERANCE * scale
    return float(res.target) + 0.0 if close else float(res.output_at_value)


def cmd_threshold(args) -> int:
    """Threshold (break-even) value of a parameter by root finding."""
    from econ.analysis.dsa import threshold
    from econ.model.run import compile_path

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = _folder(args, compiled)
    lo, hi = (args.range if args.range else (None, None))
    res = threshold(compiled, args.parameter, args.output, target=args.target, lo=lo, hi=hi)
    _header(compiled, f"Threshold of {res.parameter} for {res.output} = {res.target:g}")
    print()
    print(f"{res.parameter} = {res.value:.10g} gives {res.output} = {_at_target(res):.6g}")
    print(f"base case: {res.parameter} = {res.base_value:.6g}, {res.output} = {res.base_output:.6g}")
    print(f"searched {res.parameter} from {res.lo:.6g} ({res.output} = {res.output_lo:.6g}) "
          f"to {res.hi:.6g} ({res.output} = {res.output_hi:.6g})")
    if len(res.crossings) > 1:
        print(f"note: the output reaches the target {len(res.crossings)} times in the range, at "
              + ", ".join(f"{x:.6g}" for x in res.crossings) + "; the lowest is shown")
    if folder is not None:
        frame = pd.DataFrame([{"parameter": res.parameter, "output": res.output, "target": res.target,
                               "value": x} for x in res.crossings])
        write_table_and_manifest(folder, "threshold.csv", frame, args, [compiled], started,
                                 {"analysis": "threshold", "parameter": res.parameter, "output": res.output,
                                  "target": res.target, "range": [res.lo, res.hi]})
    return EXIT_OK


# --------------------------------------------------------------------------------------------
def register(subparsers) -> None:
    """Add ``psa``, ``dsa``, ``twoway`` and ``threshold`` to the main parser (see ``econ.cli.main.COMMAND_MODULES``)."""
    output_help = ("named output, e.g. net_cost:group, net_cost@societal:online, inc_total_cost:comb, "
                   "icer:comb, roi:group (default: net cost or incremental cost of each strategy)")

    p = subparsers.add_parser("psa", help="probabilistic sensitivity analysis (Monte Carlo, Latin hypercube, Sobol)",
                              description="Draw every uncertain parameter, evaluate all draws at once and "
                                          "summarise: means, 95% intervals, probability of saving money, "
                                          "CE plane, acceptability curve and EVPI where an ICER is declared, "
                                          "convergence. Same seed, same results, whatever --chunk-draws.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--draws", type=whole_number(1), default=10_000, metavar="N",
                   help="number of draws (default 10000; a power of two for sobol)")
    p.add_argument("--seed", type=whole_number(0), default=None, metavar="S",
                   help="seed (default: the scenario's settings.seed)")
    p.add_argument("--method", choices=METHODS, default=None,
                   help="sampling design (default: the scenario's settings.sampling)")
    p.add_argument("--output", dest="outputs", action="append", default=None, metavar="NAME",
                   help=output_help + "; repeat the option for several outputs")
    p.add_argument("--chunk-draws", type=whole_number(1), default=None, metavar="N",
                   help="most draws evaluated at once (memory only; results do not change)")
    p.add_argument("--wtp-max", type=finite_number, default=None, metavar="X",
                   help="acceptability curve and EVPI for willingness to pay 0..X per unit of effect, 101 "
                        "points (default 0..100000 in steps of 1000)")
    p.add_argument("--population", type=nonnegative_number, default=None, metavar="N",
                   help="people the decision applies to, for population EVPI (default: the scenario's "
                        "cost_offset.population parameter)")
    p.add_argument("--format", dest="formats", type=per_draw_formats, default=("parquet",), metavar="FMT",
                   help="format of the per-draw tables psa_draws and ce_plane: parquet (default; columnar, "
                        "read with pandas.read_parquet), csv, or parquet,csv for both; summaries are CSV")
    add_common_options(p)
    p.set_defaults(func=cmd_psa)

    p = subparsers.add_parser("dsa", help="one-way sensitivity analysis (tornado table)",
                              description="Each parameter (or group of parameters in the scenario's "
                                          "dsa_groups) at the low and high end of its range (scenario dsa_range, "
                                          "else a unit cost's table low/high, else the distribution's 95% "
                                          "interval), others at base; ordered by swing.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--output", default=None, metavar="NAME", help=output_help)
    p.add_argument("--parameters", nargs="+", default=None, metavar="NAME",
                   help="parameters to vary (default: every parameter with a distribution or dsa_range); "
                        "a Dirichlet component is <parameter>_<component>, e.g. tA_B")
    p.add_argument("--level", type=finite_number, default=0.95, help="interval level for ranges from distributions "
                                                                "(default 0.95)")
    p.add_argument("--top", type=whole_number(1), default=None, metavar="K", help="print only the K largest swings")
    p.add_argument("--ungrouped", action="store_true",
                   help="vary every parameter on its own (default: the scenario's dsa_groups, e.g. all unit "
                        "costs, all service-use statistics, together)")
    add_common_options(p)
    p.set_defaults(func=cmd_dsa)

    p = subparsers.add_parser("twoway", help="two-way sensitivity analysis on a grid",
                              description="An output over an n x n grid of two parameters, others at base.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("p1", metavar="P1", help="first parameter (rows)")
    p.add_argument("p2", metavar="P2", help="second parameter (columns)")
    p.add_argument("--n", type=whole_number(1), default=11, help="points per parameter (default 11)")
    p.add_argument("--output", default=None, metavar="NAME", help=output_help)
    p.add_argument("--range1", type=finite_number, nargs=2, default=None, metavar=("LO", "HI"),
                   help="range of P1 (default: its one-way range)")
    p.add_argument("--range2", type=finite_number, nargs=2, default=None, metavar=("LO", "HI"),
                   help="range of P2 (default: its one-way range)")
    add_common_options(p)
    p.set_defaults(func=cmd_twoway)

    p = subparsers.add_parser("threshold", help="value of a parameter at which an output reaches a target",
                              description="Threshold (break-even) analysis by bracketing root finding "
                                          "(Brent's method) after a vectorised scan of the range.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("parameter", metavar="PARAM", help="parameter varied (e.g. attribution)")
    p.add_argument("--output", default=None, metavar="NAME", help=output_help)
    p.add_argument("--target", type=finite_number, default=0.0, help="value the output should reach (default 0)")
    p.add_argument("--range", type=finite_number, nargs=2, default=None, metavar=("LO", "HI"),
                   help="range searched (default: the parameter's one-way range; e.g. 0 1 for a share)")
    add_common_options(p)
    p.set_defaults(func=cmd_threshold)
