"""The base-case commands: ``run``, ``compare``, ``subgroups``, ``budget`` and ``validate``.

Each command imports the model and the analyses inside its function, so building the parser stays quick.
"""
from __future__ import annotations

import sys

from econ.core.errors import EconError
from econ.report.units import horizon_words, money_unit_text
from econ.cli.common import (EXIT_OK, UsageError, add_common_options, format_frame, manifest, now_iso, scenario_labels,
                             stage_progress, whole_number, write_table_and_manifest)

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
    from econ.report.text_decision import frontier_text

    front, nb = res.frontier, res.net_benefit()
    print()
    print(frontier_text(compiled, front, nb))
    if folder is None:
        return []
    write_csv(folder / "frontier.csv", front, index=False)
    write_csv(folder / "net_benefit.csv", nb, index=False)
    return ["frontier.csv", "net_benefit.csv"]


def _print_followup(compiled) -> None:
    """The loss-to-follow-up line under the results (nothing when no service-use data were used)."""
    from econ.report.text import followup_text

    text = followup_text(compiled)
    if text:
        print()
        print(text)


def cmd_run(args) -> int:
    from econ.analysis.budget import budget_table
    from econ.analysis.offset import base_case_and_ends, headline
    from econ.analysis.base_case import run
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder, write_csv, write_json
    from econ.report.text import budget_text, headline_text

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = prepare_run_folder(args.out, compiled.name, force=args.force) if args.out else None
    both = base_case_and_ends(compiled)  # one engine run for the base case and the break-even's start
    res = run(compiled, evaluation=both[0] if both else None)
    spec = compiled.loaded.spec
    head = budget = None
    if spec.cost_offset is not None:
        # the base case's evaluation serves the headline and the budget view too
        head = headline(compiled, evaluation=res.evaluation, ends=both[1] if both else None)
        print(headline_text(compiled, head))
        if spec.budget is not None:
            budget = budget_table(compiled, evaluation=res.evaluation)
            print()
            print(budget_text(compiled, budget))
    else:
        _print_generic(compiled, res)
    cea_written = _cost_effectiveness(compiled, res, folder)
    _print_followup(compiled)
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
        if budget is not None:  # the per-perspective view; run_model.py budget writes budget.csv by payer
            write_csv(folder / "budget_by_perspective.csv", budget, index=False)
            written.append("budget_by_perspective.csv")
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




#: Measures ``compare`` and ``subgroups`` show by default, in order.
HEADLINE_MEASURES = ["delivery_cost", "cost_offset", "net_cost", "roi", "net_roi", "break_even_attribution", "payback_month",
                     "share_beyond_window"]


def cmd_compare(args) -> int:
    import pandas as pd

    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import PERSPECTIVE_LABELS, SYNTHETIC_BANNER, offset_columns_text

    started = now_iso()
    with stage_progress(args, 2 * len(args.files), "compare") as step:
        compiled_list = []
        for f in args.files:
            step(f"reading {f}")
            compiled_list.append(compile_path(f, overrides=args.overrides))
        labels = scenario_labels(compiled_list)
        folder = prepare_run_folder(args.out, "compare", force=args.force) if args.out else None
        rows = []
        for c, lab in zip(compiled_list, labels):
            step(f"running {lab}")
            rows.append(_comparison_rows(c, lab))
    table = pd.concat(rows, ignore_index=True)
    if any(c.synthetic for c in compiled_list):
        print(SYNTHETIC_BANNER)
        print()
    offset = {lab: c for c, lab in zip(compiled_list, labels) if c.loaded.spec.cost_offset is not None}
    others = [(c, lab) for c, lab in zip(compiled_list, labels) if c.loaded.spec.cost_offset is None]
    persp = args.perspective or next((p for p in table.perspective if p), "")
    if offset:
        shown = table[(table.discounting == "discounted") & (table.perspective == persp)
                      & table.scenario.isin(list(offset))].rename(columns={"scenario": "column"})
        missing = [lab for lab in offset if lab not in set(shown.column)]
        if missing:
            print(f"not in the table: {', '.join(missing)} (no {persp} perspective in cost_offset.perspectives)")
        columns = {lab: c for lab, c in offset.items() if lab not in missing}
        print(f"Per person, discounted, {PERSPECTIVE_LABELS.get(persp, persp)}; each scenario against its own "
              f"reference strategy.")
        if columns:
            print(offset_columns_text(shown, columns, args.measure or HEADLINE_MEASURES))
    for c, lab in others:
        if offset:
            print(f"\n{lab} ({c.loaded.path}) has no cost_offset block, so it cannot go in the table above; its "
                  f"results against its reference strategy ({c.reference}), per person, discounted:")
        part = table[table.scenario == lab]
        if args.measure:
            part = part[part.measure.isin(args.measure)]
        pivot = part.pivot_table(index="measure", columns="strategy", values="per_participant", sort=False)
        print((f"{lab}:\n" if not offset else "") + format_frame(pivot))
    if folder is not None:
        write_table_and_manifest(folder, "comparison.csv", table, args, compiled_list, started)
    return EXIT_OK


def _interval_text(row) -> str:
    from econ.cli.common import _fmt_number

    if row["measure"] == "delivery_cost" and row["low"] == row["high"]:
        return _fmt_number(row["mean"])
    return f"{_fmt_number(row['mean'])} [{_fmt_number(row['low'])} to {_fmt_number(row['high'])}]"


def cmd_subgroups(args) -> int:
    """The scenario per subgroup with 95% bootstrap intervals, warnings and the interaction test
    (:func:`econ.analysis.subgroups.subgroup_analysis`)."""
    from econ.analysis.subgroups import MEASURES, subgroup_analysis
    from econ.report.files import prepare_run_folder
    from econ.report.text import PERSPECTIVE_LABELS, SYNTHETIC_BANNER, _strategy_labels, measure_row_label

    started = now_iso()
    if args.replicates < 10:
        raise UsageError(f"--replicates must be at least 10 (got {args.replicates})")
    if args.min_n < 1:
        raise UsageError(f"--min-n must be at least 1 (got {args.min_n})")
    overrides = list(args.overrides) + [f"data.bootstrap_replicates={args.replicates}"]
    folder = prepare_run_folder(args.out, f"subgroups-{args.by}", force=args.force) if args.out else None
    with stage_progress(args, None, "subgroups") as step:  # one step per subgroup, named '<by>=<value>'
        result = subgroup_analysis(args.file, args.by, overrides=overrides, perspective=args.perspective,
                                   cluster=args.cluster, min_n=args.min_n, progress=step)
    table = result.table
    clustered = table["design_effect"].notna().any()
    if result.synthetic:
        print(SYNTHETIC_BANNER)
        print()
    persp = table["perspective"].iloc[0]
    resampled = "areas, keeping their people" if clustered else "people within each subgroup"
    print(f"Subgroups by {args.by}; per person, discounted, {PERSPECTIVE_LABELS.get(persp, persp)}; mean [95% interval] "
          f"from {args.replicates} bootstrap replicates of the data ({resampled}; other parameters at their point "
          f"values). interaction p: test that the measure is the same in every subgroup.")
    shown = table.assign(text=table.apply(_interval_text, axis=1))
    settings = result.compiled[0].loaded.spec.settings
    names = {m: measure_row_label(m, settings.currency, settings.cycle_length) for m in MEASURES}  # as run
    strategy_labels = _strategy_labels(result.compiled[0])
    if args.by == "setting":  # one strategy per setting: one table, the settings compared
        shown = shown.assign(strategy="each setting's own strategy")
    for strategy, part in shown.groupby("strategy", sort=False):
        wide = part.pivot_table(index=["value", "n"], columns="measure", values="text", aggfunc="first", sort=False)
        wide = wide[[m for m in MEASURES if m in wide.columns]].rename(columns=names)
        wide.index = wide.index.set_names([args.by, "people"])
        if clustered:  # clustered over person-bootstrap variance of the net cost
            de = part[part.measure == "net_cost"].set_index(["value", "n"])["design_effect"]
            wide["design_effect"] = [f"{de.get(key, float('nan')):.2f}" for key in wide.index]
        p_text = ", ".join(f"{names[m]} {part[part.measure == m]['interaction_p'].iloc[0]:.2g}" for m in MEASURES[1:]
                           if part[part.measure == m]["interaction_p"].notna().any())
        print()
        print(f"{strategy_labels.get(strategy, strategy)} (interaction p: {p_text or 'not testable'})")
        print(wide.reset_index().to_string(index=False))
    warnings = table.drop_duplicates("value")
    warnings = warnings[warnings["warning"] != ""]
    if len(warnings):
        print()
        print("Warnings:")
        for row in warnings.itertuples():
            print(f"  {args.by}={row.value}: {row.warning}")
    for note in result.notes:
        print(note)
    if folder is not None:
        write_table_and_manifest(folder, "subgroups.csv", table, args, list(result.compiled), started)
    return EXIT_OK


def _natural_key(text: str) -> tuple:
    """Sort key putting numbers in number order: '1-5' < '6-11' < '12+' (not as text: '1-5', '12+', '6-11')."""
    import re

    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.findall(r"\d+|\D+", text))


def cmd_budget(args) -> int:
    from econ.analysis.budget import budget_table
    from econ.analysis.budget_impact import budget_impact
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder, write_csv
    from econ.report.text import SYNTHETIC_BANNER, budget_text
    from econ.report.text_decision import budget_impact_text

    started = now_iso()
    compiled = compile_path(args.file, overrides=args.overrides)
    folder = prepare_run_folder(args.out, f"budget-{compiled.name}", force=args.force) if args.out else None
    table = budget_table(compiled)
    n_draws = args.draws or compiled.loaded.spec.budget.draws
    impact = budget_impact(compiled, n_draws=n_draws, seed=args.seed)
    if compiled.synthetic:
        print(SYNTHETIC_BANNER)
        print()
    print(budget_text(compiled, table, perspective=args.perspective))
    print()
    print(budget_impact_text(compiled, impact, n_draws=n_draws))
    if folder is not None:
        from econ.report.files import write_json

        write_csv(folder / "budget.csv", impact, index=False)
        write_csv(folder / "budget_by_perspective.csv", table, index=False)
        seed = compiled.loaded.spec.settings.seed if args.seed is None else args.seed
        files = ["budget.csv", "budget_by_perspective.csv", "manifest.json"]
        write_json(folder / "manifest.json", manifest(args, [compiled], started,
                                                      {"draws": n_draws, "seed": seed, "files": files}))
        print(f"\nWrote {folder}/: {', '.join(files)}")
    return EXIT_OK


def cmd_validate(args) -> int:
    import warnings

    from econ.core.errors import ScenarioWarning
    from econ.model.run import compile_path
    from econ.model.evaluate import evaluate

    problems = []
    for f in args.files:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ScenarioWarning)  # reported below, as errors under --strict
                compiled = compile_path(f, overrides=args.overrides)
            evaluate(compiled)  # the base case must pass the probability checks too
            if compiled.loaded.spec.correlations:
                from econ.analysis.psa import scenario_correlation

                scenario_correlation(compiled)
        except EconError as exc:
            problems.extend(exc.problems)
            continue
        loaded = compiled.loaded
        if args.strict:
            problems.extend(loaded.warnings)
        else:
            for caution in loaded.warnings:
                print(f"warning: {caution}", file=sys.stderr)
        if args.strict and loaded.warnings:
            continue
        print(f"{f}: ok ({_names_line(list(compiled.model.strategy_names), 'strategies')}; "
              f"{_names_line(list(loaded.spec.states), 'states')}; {len(compiled.parameters.parameters)} parameters)")
        for removed in loaded.removed:
            print(f"  removed: {removed}")
    if problems:
        raise EconError(problems)
    return EXIT_OK


def _names_line(names: list, what: str, most: int = 8) -> str:
    """'5 states: a, b, c, ...' (at most ``most`` names)."""
    shown = ", ".join(names[:most]) + (f", ... ({len(names) - most} more)" if len(names) > most else "")
    return f"{len(names)} {what}: {shown}"


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

    p = sub.add_parser("subgroups", help="run a scenario per subgroup of the service-use data, with 95%% intervals "
                                         "and the interaction test")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--by", required=True, choices=["setting", "engagement_band", "area", "bme"])
    p.add_argument("--perspective", choices=PERSPECTIVES)
    p.add_argument("--replicates", type=int, default=500,
                   help="bootstrap replicates of the data for the intervals (default 500)")
    p.add_argument("--cluster", choices=["none", "area"], default=None,
                   help="resample clusters (areas) and their people instead of people; reports the design effect "
                        "(default: the scenario's data.bootstrap_clusters, itself default none)")
    p.add_argument("--min-n", type=int, default=30, help="flag subgroups with fewer people (default 30)")
    add_common_options(p)
    p.set_defaults(func=cmd_subgroups)

    p = sub.add_parser("budget", help="budget impact by financial year and payer, with 95%% bands (budget.csv)")
    p.add_argument("file", help="scenario YAML")
    p.add_argument("--perspective", choices=PERSPECTIVES, help="perspective of the per-perspective view")
    p.add_argument("--draws", type=whole_number(10), help="probabilistic draws behind the bands (default budget.draws)")
    p.add_argument("--seed", type=int, help="seed of the draws (default the scenario's settings.seed)")
    add_common_options(p)
    p.set_defaults(func=cmd_budget)

    p = sub.add_parser("validate", help="check scenario files; exit 2 with one line per problem")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--strict", action="store_true",
                   help="treat warnings (e.g. a new parameter in a child scenario that nothing uses) as errors")
    add_common_options(p, out=False)
    p.set_defaults(func=cmd_validate)
