"""The ``data`` command of the command line: summarise a service-use file (use and cost per person per month)."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

import numpy as np
import pandas as pd

from econ.core.errors import DataError, Problem
from econ.inputs.inflation import INDEX_FOR_SECTOR, load_indices, price_year_problem
from econ.inputs.service_use import (GROUP_COLUMNS, PERIODS, ServiceUseData, load_service_use, summarize_cost,
                                     summarize_informal_care, summarize_swemwbs, summarize_use)
from econ.inputs.unit_costs import DEFAULT_UNIT_COSTS, load_unit_costs

DEFAULT_PRICE_YEAR = "2023/24"


def add_data_parser(subparsers: "argparse._SubParsersAction") -> argparse.ArgumentParser:
    """Add the ``data`` command (sub-command ``summary``) to a CLI's subparsers.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From ``parser.add_subparsers()``.

    Returns
    -------
    argparse.ArgumentParser
        The ``data`` parser. Parsed arguments carry ``run=run_data``, so a main CLI can call
        ``args.run(args)``.
    """
    data = subparsers.add_parser("data", help="inspect service-use data",
                                 description="Inspect service-use data (CSV, see docs/data_format.md).")
    commands = data.add_subparsers(dest="data_command", metavar="COMMAND", required=True)
    summary = commands.add_parser(
        "summary", help="mean monthly use and cost per person by service, period and group",
        description="Mean use and cost per person per month by service, period and group.")
    summary.add_argument("file", metavar="FILE", help="service-use CSV")
    summary.add_argument("--costs", default=str(DEFAULT_UNIT_COSTS), metavar="CSV",
                         help="unit-cost table; the price indices are read from the same folder "
                              "(default: the project's costs/unit_costs.csv)")
    summary.add_argument("--price-year", default=DEFAULT_PRICE_YEAR, metavar="YYYY/YY",
                         help=f"price year of the costs (default {DEFAULT_PRICE_YEAR})")
    summary.add_argument("--by", default="setting", choices=(*GROUP_COLUMNS, "none"),
                         help="group persons by this attribute (default setting)")
    summary.add_argument("--informal-care", default=None, metavar="CSV",
                         help="informal-care CSV (default: X_informal_care.csv next to X_service_use.csv, "
                              "when it exists)")
    summary.add_argument("--persons", default=None, metavar="CSV",
                         help="persons CSV with SWEMWBS at baseline and follow-up (default: X_persons.csv next to "
                              "X_service_use.csv, when it exists)")
    from econ.cli.data_effect import add_effect_parser

    add_effect_parser(commands)
    data.set_defaults(run=run_data)
    return data


def _sibling_path(file: Path, given: str | None, suffix: str = "informal_care") -> Path | None:
    """``given``, else ``X_<suffix>.csv`` next to ``X_service_use.csv`` when it exists."""
    if given is not None:
        return Path(given)
    stem = file.stem.removesuffix("_service_use")
    if stem == file.stem:
        return None
    sibling = file.with_name(f"{stem}_{suffix}.csv")
    return sibling if sibling.is_file() else None


def _informal_care_path(file: Path, given: str | None) -> Path | None:
    return _sibling_path(file, given, "informal_care")


def _synthetic_banner(data: ServiceUseData) -> str:
    meta = data.metadata or {}
    detail = ", ".join(f"{key} {meta[key]}" for key in ("generator", "seed") if key in meta)
    return (f"*** SYNTHETIC DATA: {data.source_file} is synthetic"
            f"{f' ({detail})' if detail else ''}; not real Side by Side data, do not cite as evidence ***")


def _format_table(data: ServiceUseData, use: pd.DataFrame, cost: pd.DataFrame, by: tuple[str, ...],
                  price_year: str) -> str:
    keys = [*by, "service"]
    table = use[[*keys, "n_persons", "baseline", "followup"]].merge(
        cost[[*keys, "unit", "baseline", "followup"]], on=keys, suffixes=("_use", "_cost"))
    totals = table.groupby(list(by), sort=False).agg(
        n_persons=("n_persons", "first"), baseline_cost=("baseline_cost", "sum"),
        followup_cost=("followup_cost", "sum")).reset_index() if by else pd.DataFrame({
            "n_persons": [data.n_persons], "baseline_cost": [table["baseline_cost"].sum()],
            "followup_cost": [table["followup_cost"].sum()]})
    totals["service"] = "TOTAL"
    totals["unit"] = ""
    totals["baseline_use"] = np.nan
    totals["followup_use"] = np.nan
    order = {name: k for k, name in enumerate(table[list(by)].drop_duplicates().itertuples(index=False))} if by else {}
    table = pd.concat([table, totals[table.columns]], ignore_index=True)
    if by:
        table["_group"] = [order[tuple(row)] for row in table[list(by)].itertuples(index=False)]
        table = table.sort_values(["_group"], kind="stable").drop(columns="_group")
    with np.errstate(divide="ignore", invalid="ignore"):
        change = np.where(table["baseline_cost"] > 0,
                          100 * (table["followup_cost"] / table["baseline_cost"] - 1), np.nan)
    shown = pd.DataFrame({name: table[name] for name in by})
    shown["service"] = table["service"]
    shown["unit"] = table["unit"]
    shown["n"] = table["n_persons"]
    for period in PERIODS:
        shown[f"use_{period}"] = table[f"{period}_use"].map(lambda x: "" if pd.isna(x) else f"{x:.3f}")
    for period in PERIODS:
        shown[f"cost_{period}"] = table[f"{period}_cost"].map(lambda x: f"{x:,.2f}")
    shown["cost_change_%"] = [("" if np.isnan(x) else f"{x:+.1f}") for x in change]
    return (f"Mean use (units per person per month) and cost (GBP per person per month, {price_year} prices)\n"
            + shown.to_string(index=False))


def run_data(args: argparse.Namespace, *, out: TextIO | None = None) -> int:
    """Run the ``data`` command.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed by the parser of :func:`add_data_parser`.
    out : text stream, optional
        Where to print (default ``sys.stdout``).

    Returns
    -------
    int
        0 on success.

    Raises
    ------
    DataError
        For any bad input (the main CLI prints one line per problem and exits with status 2).
    """
    out = out if out is not None else sys.stdout
    if args.data_command == "effect":
        from econ.cli.data_effect import run_effect

        return run_effect(args, out=out)
    if args.data_command != "summary":  # argparse only offers 'summary' and 'effect'
        raise DataError(f"unknown data command {args.data_command!r}")
    file = Path(args.file)
    costs_path = Path(args.costs)
    unit_costs = load_unit_costs(costs_path)
    informal_path = _informal_care_path(file, args.informal_care)
    data = load_service_use(file, unit_costs=unit_costs, informal_care_path=informal_path,
                            persons_path=_sibling_path(file, args.persons, "persons"))
    indices = load_indices(costs_path.parent)
    # Re-base only the services in the data: unrelated rows must not block the summary.
    outside = price_year_problem(args.price_year, indices)
    if outside:  # once, not once per unit cost
        raise DataError([Problem(outside, None, "--price-year")])
    table = unit_costs.select(data.services).rebased(args.price_year, indices)
    by = () if args.by == "none" else (args.by,)

    lines = []
    if data.synthetic:
        lines.append(_synthetic_banner(data))
    if "followed_up" in data.persons and not data.persons["followed_up"].all():  # the persons file records loss
        from econ.inputs.followup import followed_up_only

        n_all = data.n_persons
        data = followed_up_only(data)
        lines.append(f"Loss to follow-up: {n_all - data.n_persons} of {n_all} persons lost "
                     f"({(n_all - data.n_persons) / n_all:.0%}); the summaries below are of the {data.n_persons} "
                     f"followed up (complete case)")
    n_areas = data.persons["area"].nunique()
    recall = sorted({float(x) for x in np.unique(data.recall_months)})
    lines.append(f"Service use: {data.source_file}: {data.n_persons} persons, {n_areas} areas, "
                 f"{len(data.services)} services, recall {', '.join(f'{r:g}' for r in recall)} months")
    sectors = {name: [s for s, i in INDEX_FOR_SECTOR.items() if i == name] for name in indices}
    lines.append(f"Unit costs: {costs_path} re-based to {args.price_year} with "
                 + "; ".join(f"{name} ({', '.join(sectors[name])})" for name in indices))
    lines.append("")
    lines.append(_format_table(data, summarize_use(data, by=by), summarize_cost(data, table, by=by), by,
                               args.price_year))
    if data.informal_care_monthly is not None:
        care = summarize_informal_care(data, by=by)
        care["relative_change"] = care["relative_change"].map(lambda x: "" if pd.isna(x) else f"{100 * x:+.1f}")
        care = care.rename(columns={"baseline": "hours_baseline", "followup": "hours_followup",
                                    "relative_change": "change_%", "n_persons": "n"})
        lines.append("")
        lines.append(f"Informal care (hours per person per month), from {data.informal_care_file}")
        lines.append(care.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    if data.swemwbs is not None:
        sw = summarize_swemwbs(data, by=by).rename(columns={"n_persons": "n"})
        lines.append("")
        lines.append(f"Wellbeing: mean SWEMWBS score (7-35) per person, from {data.persons_file}; change = "
                     "follow-up - baseline (before-after: includes regression to the mean)")
        lines.append(sw.to_string(index=False, float_format=lambda x: f"{x:.2f}"))
    print("\n".join(lines), file=out)
    return 0


def register(subparsers) -> None:
    """Add the ``data`` command to the main parser (see ``econ.cli.main.COMMAND_MODULES``)."""
    add_data_parser(subparsers)
    subparsers.choices["data"].set_defaults(func=run_data)
