"""The base-case commands: ``run``, ``compare``, ``subgroups``, ``budget`` and ``validate``.

Each command imports the model and the analyses inside its function, so building the parser stays quick.
"""
from __future__ import annotations

from econ.core.errors import EconError
from econ.report.units import horizon_words, money_unit_text
from econ.cli.common import (EXIT_OK, UsageError, add_common_options, format_frame, manifest, now_iso, scenario_labels,
                             write_table_and_manifest)

PERSPECTIVES = ["nhs", "nhs_pss", "public_sector", "societal"]


def _print_generic(compiled, res) -> None:
    spec = compiled.loaded.spec
    cur = money_unit_text(spec.settings.currency, spec.settings.price_year)
    print(f"Scenario: {spec.metadata.name} ({compiled.loaded.path})")
    if compiled.synthetic:
        print("SYNTHETIC DATA: results illustrate the method and are not evidence.")
    print(f"Per person, discounted; money in {cur}; over {horizon_words(spec.settings.n_cycles, spec.settings.cycle_length)}"
          f" ({spec.settings.n_cycles} cycles of one {spec.settings.cycle_length}); "
          f"counting: {spec.settings.cycle_correction}")
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
        if spec.effect is not None:
            from econ.analysis.effects import effect_table

            write_csv(folder / "effects.csv", effect_table(compiled), index=False)
            written.append("effects.csv")
        write_json(folder / "manifest.json", manifest(args, [compiled], started))
        print(f"\nWrote {folder}/: {', '.join(written + ['manifest.json'])}")
    return EXIT_OK


def _comparison_rows(compiled, scenario_label: str):
    """Long rows (scenario, strategy, perspective, discounting, measure, per_participant, population)."""
    from econ.analysis.offset import headline
    from econ.analysis.base_case import run

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




def cmd_compare(args) -> int:
    import pandas as pd

    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import PERSPECTIVE_LABELS, SYNTHETIC_BANNER

    started = now_iso()
    compiled_list = [compile_path(f, overrides=args.overrides) for f in args.files]
    labels = scenario_labels(compiled_list)
    folder = prepare_run_folder(args.out, "compare", force=args.force) if args.out else None
    table = pd.concat([_comparison_rows(c, lab) for c, lab in zip(compiled_list, labels)], ignore_index=True)
    if any(c.synthetic for c in compiled_list):
        print(SYNTHETIC_BANNER)
        print()
    persp = args.perspective or next((p for p in table.perspective if p), "")
    shown = table[(table.discounting == "discounted") & (table.perspective == persp)]
    measures = args.measure or (["delivery_cost", "cost_offset", "net_cost", "roi", "break_even_attribution",
                                 "payback_month", "share_beyond_window"] if persp else sorted(set(shown.measure)))
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


def register(sub) -> None:
    """Add ``run``, ``compare``, ``subgroups``, ``budget`` and ``validate`` to the main parser's subparsers."""
    p = sub.add_parser("run", help="base case of a scenario: summary table (and files with --out)")
    p.add_argument("file", help="scenario YAML")
    add_common_options(p)
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("compare", help="scenarios side by side (commissioners' comparison table)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--perspective", choices=PERSPECTIVES,
                   help="perspective shown (default: the first of each scenario's cost_offset.perspectives)")
    p.add_argument("--measure", action="append", help="measure to show (repeatable); default: the headline ones")
    add_common_options(p)
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("subgroups", help="run a scenario per subgroup of the service-use data, side by side")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--by", required=True, choices=["setting", "engagement_band", "area", "bme"])
    p.add_argument("--perspective", choices=PERSPECTIVES)
    add_common_options(p)
    p.set_defaults(func=cmd_subgroups)

    p = sub.add_parser("budget", help="budget view by financial year for the scenario's intake schedule")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--perspective", choices=PERSPECTIVES)
    add_common_options(p)
    p.set_defaults(func=cmd_budget)

    p = sub.add_parser("validate", help="check scenario files; exit 2 with one line per problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    add_common_options(p, out=False)
    p.set_defaults(func=cmd_validate)
