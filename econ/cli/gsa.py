"""The ``gsa`` command: global sensitivity analysis of a scenario, printed and written as tidy CSV tables."""
from __future__ import annotations

import argparse
import datetime as _dt

import pandas as pd

from econ.cli.common import EXIT_OK, add_common_options, show_progress, whole_number
from econ.analysis.gsa import DEFAULT_N, METHODS, GsaResult

#: The column each method's printout is ordered by, its interval half-width, and a label.
_RANKING = {
    "sobol": ("ST", "ST_conf", "total-order index ST"),
    "morris": ("mu_star", "mu_star_conf", "mu* (mean absolute elementary effect per unit of probability)"),
    "efast": ("ST", "ST_conf", "total-order index ST"),
    "delta": ("delta", "delta_conf", "delta (moment-independent)"),
    "pawn": ("median", None, "median KS statistic over conditioning slices"),
}


def register(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add the ``gsa`` command to the main parser's subparsers (see :data:`econ.cli.main.COMMAND_MODULES`)."""
    p = subparsers.add_parser(
        "gsa", help="global sensitivity analysis with SALib (sobol, morris, efast, delta, pawn)",
        description="Global sensitivity analysis of any named output. Options override the scenario's "
                    "'gsa:' block. Inputs are sampled on the unit cube and mapped through each parameter's "
                    "inverse CDF. Writes <method>_indices.csv and manifest.json with --out.")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--method", choices=METHODS, default=None,
                   help="default: the scenario's gsa.method, else sobol")
    p.add_argument("--n", type=whole_number(1), default=None, metavar="N",
                   help="sample size: sobol base samples (a power of two), morris trajectories, efast samples per "
                        "input, delta/pawn draws (defaults: "
                        + ", ".join(f"{m} {n}" for m, n in DEFAULT_N.items()) + ")")
    p.add_argument("--output", dest="outputs", action="append", default=[], metavar="NAME",
                   help="output to analyse, e.g. net_cost:group or inc_total_cost:comb (repeatable; default: the "
                        "scenario's gsa.outputs, else net cost of every strategy)")
    # comma-separated and repeatable rather than nargs="+", which would swallow a FILE given after it
    p.add_argument("--parameters", action="append", default=None, metavar="NAME[,NAME...]",
                   help="parameters (or groups, or service_use_data) to vary, comma-separated, repeatable; "
                        "the rest stay at point values (default: the scenario's gsa.parameters, else all uncertain)")
    p.add_argument("--second-order", action="store_true", default=None,
                   help="sobol: also estimate second-order indices (N (2D + 2) evaluations)")
    p.add_argument("--seed", type=whole_number(0), default=None, help="default: the scenario's settings.seed")
    p.add_argument("--max-memory-mb", type=whole_number(1), default=None, metavar="MB",
                   help="working memory per evaluated chunk (default: gsa.max_memory_mb, else 256)")
    p.add_argument("--resamples", type=whole_number(1), default=100, metavar="R",
                   help="bootstrap resamples for the confidence intervals (default 100)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="evaluate on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' for a "
                        "LocalCluster on this machine; results are identical to an in-process run. "
                        "Needs: pip install -e \".[dask]\"")
    p.add_argument("--top", type=int, default=10, metavar="K", help="parameters printed per output (default 10)")
    add_common_options(p)
    p.set_defaults(func=cmd_gsa)
    return p


def _interval(value: float, half: float | None) -> str:
    if value != value:  # NaN
        return "-"
    if half is None or half != half:
        return f"{value:.3f}"
    return f"{value:.3f} ({value - half:.3f} to {value + half:.3f})"


def format_drivers(result: GsaResult, *, top: int = 10) -> str:
    """The parameters driving each output, ordered by the method's main index, with 95% intervals."""
    key, conf, label = _RANKING[result.method]
    lines = []
    for output in result.outputs:
        df = result.indices[result.indices["output"] == output]
        df = df.sort_values(key, ascending=False, na_position="last")
        lines.append(f"{output}: parameters by {label}, with 95% intervals")
        if df[key].isna().all():
            lines.append("  output is constant over the design: nothing to apportion")
            lines.append("")
            continue
        shown = df.head(top)
        table = pd.DataFrame({"parameter": shown["parameter"].to_numpy()})
        table[key] = [_interval(v, h) for v, h in zip(shown[key], shown[conf] if conf else [None] * len(shown))]
        if result.method in ("sobol", "efast", "delta"):
            table["S1"] = [_interval(v, h) for v, h in zip(shown["S1"], shown["S1_conf"])]
        if result.method == "morris":
            table["sigma"] = [f"{v:.4g}" for v in shown["sigma"]]
        if result.method == "pawn":
            table["range"] = [f"{a:.3f} to {b:.3f}" for a, b in zip(shown["minimum"], shown["maximum"])]
        text = table.to_string(index=False)
        lines.extend("  " + line for line in text.splitlines())
        if len(df) > top:
            lines.append(f"  ... and {len(df) - top} more (all in the table)")
        lines.append("")
    return "\n".join(lines).rstrip()


def cmd_gsa(args) -> int:
    """Run ``gsa``: analyse, print the drivers of each output, write tables and manifest with --out."""
    from econ.model.run import compile_path
    from econ.cli.common import manifest
    from econ.analysis.gsa import run_gsa
    from econ.report.files import prepare_run_folder, write_csv, write_json

    started = _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")
    compiled = compile_path(args.file, overrides=args.overrides)
    if args.scheduler:
        from econ.core.distributed import import_distributed

        import_distributed()  # fail before any work if the extra is missing
    folder = prepare_run_folder(args.out, compiled.name, force=args.force) if args.out else None
    parameters = [p.strip() for group in args.parameters for p in group.split(",") if p.strip()] \
        if args.parameters else None
    result = run_gsa(compiled, method=args.method, n=args.n, outputs=args.outputs or None,
                     parameters=parameters, second_order=args.second_order, seed=args.seed,
                     max_memory_mb=args.max_memory_mb, scheduler=args.scheduler, num_resamples=args.resamples,
                     progress=show_progress(args))
    spec = compiled.loaded.spec
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if result.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    size = {"sobol": "base samples", "morris": "trajectories", "efast": "samples per input"}.get(result.method, "draws")
    extra = ", second order" if result.second_order is not None else ""
    corr = ", correlated inputs (scenario correlations)" if result.correlated else ""
    print(f"Global sensitivity analysis: {result.method}{extra}, N = {result.n:,} {size}, "
          f"{result.n_evaluations:,} model evaluations, seed {result.seed}{corr}")
    if args.scheduler:
        print(f"Evaluated on Dask ({args.scheduler})")
    for line in compiled.loaded.overrides:
        print(f"override: {line}")
    print()
    print(format_drivers(result, top=args.top))
    if folder is not None:
        written = [f"{result.table_name}.csv"]
        write_csv(folder / f"{result.table_name}.csv", result.indices, index=False)
        if result.second_order is not None:
            write_csv(folder / "sobol_second_order.csv", result.second_order, index=False)
            written.append("sobol_second_order.csv")
        info = {"gsa": {"method": result.method, "n": result.n, "n_evaluations": result.n_evaluations,
                        "second_order": result.second_order is not None, "outputs": list(result.outputs),
                        "factors": list(dict.fromkeys(result.indices["parameter"])), "seed": result.seed,
                        "chunk_draws": result.chunk_draws, "resamples": args.resamples,
                        "scheduler": args.scheduler, "correlated": result.correlated,
                        "synthetic": result.synthetic, "salib_version": _salib_version(), "files": written}}
        write_json(folder / "manifest.json", manifest(args, [compiled], started, info,
                                                      n_draws=result.n_evaluations, seed=result.seed))
        print(f"\nWrote {folder}/" + ", ".join(written + ["manifest.json"]))
    return EXIT_OK


def _salib_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("SALib")
    except PackageNotFoundError:  # pragma: no cover
        return "unknown"
