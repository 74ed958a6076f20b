"""The ``report`` command: run the standard analyses of scenario files and write an HTML report, tables and plots."""
from __future__ import annotations

import argparse
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from econ.cli.main import EXIT_OK, UsageError, add_common_options, manifest, now_iso, whole_number

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
    p.add_argument("--seed", type=int, default=None, help="random seed (default: the scenario's settings.seed)")
    p.add_argument("--format", dest="formats", type=_formats, default=list(FORMATS), metavar="LIST",
                   help=f"table formats, comma-separated from {','.join(FORMATS)} (default: all)")
    p.add_argument("--perspective", choices=["nhs", "nhs_pss", "public_sector", "societal"],
                   help="perspective of the key findings, plots and sensitivity analysis "
                        "(default: the first of the scenario's cost_offset.perspectives)")
    p.add_argument("--gsa", choices=["sobol", "morris"], default=None,
                   help="add a global sensitivity analysis of the main output (slower)")
    p.add_argument("--gsa-n", type=whole_number(0), default=None, metavar="N",
                   help="GSA sample size (base samples for sobol, trajectories for morris)")
    add_common_options(p)
    p.set_defaults(func=cmd_report)


# --------------------------------------------------------------------------------------------
@dataclass
class Analyses:
    """Tidy results of every analysis the report shows (no formatting)."""

    compiled: object
    compiled_list: list
    labels: list
    perspective: str | None
    primary: str
    outputs: list
    results: object = None
    headline: pd.DataFrame | None = None
    budget: pd.DataFrame | None = None
    comparison: pd.DataFrame | None = None
    psa: object = None
    psa_tables: dict = field(default_factory=dict)
    per_draw: pd.DataFrame | None = None
    band: pd.DataFrame | None = None
    curve: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    gsa: pd.DataFrame | None = None
    gsa_method: str | None = None


def _scenario_labels(compiled_list) -> list[str]:
    names = [c.name for c in compiled_list]
    return [n if names.count(n) == 1 else f"{n} ({c.loaded.path})" for n, c in zip(names, compiled_list)]


def _primary_strategy(compiled) -> str:
    spec = compiled.loaded.spec
    if spec.budget is not None and spec.budget.strategy:
        return spec.budget.strategy
    return next(s for s in compiled.model.strategy_names if s != compiled.reference)


def _outputs(compiled, perspective: str | None) -> list[str]:
    from econ.analysis.outputs import default_outputs

    if compiled.loaded.spec.cost_offset is not None and perspective:
        return [f"net_cost@{perspective}:{s}" for s in compiled.model.strategy_names if s != compiled.reference]
    return default_outputs(compiled)


def check_perspective(compiled, perspective: str | None) -> None:
    """Raise UsageError unless ``perspective`` is None or one of the scenario's cost-offset perspectives."""
    co = compiled.loaded.spec.cost_offset
    if perspective is None:
        return
    if co is None:
        raise UsageError(f"--perspective {perspective}: the scenario has no cost_offset block, so no perspectives")
    if perspective not in co.perspectives:
        raise UsageError(f"--perspective {perspective}: the scenario's perspectives are {', '.join(co.perspectives)}")


def run_analyses(compiled_list, *, n_draws: int, seed: int | None = None, perspective: str | None = None,
                 gsa: str | None = None, gsa_n: int | None = None) -> Analyses:
    """Run every analysis of the report; the first scenario is the main one.

    Parameters
    ----------
    compiled_list : list of CompiledScenario
    n_draws : int
        PSA draws (0: no probabilistic analysis).
    seed : int, optional
        PSA and GSA seed (default: the main scenario's ``settings.seed``).
    perspective : str, optional
        Perspective of the sensitivity analyses and plots (default: the first of the scenario's).
    gsa : {"sobol", "morris"}, optional
    gsa_n : int, optional

    Returns
    -------
    Analyses
    """
    from econ.analysis.budget import budget_table
    from econ.analysis.offset import headline, measures
    from econ.model.run import run
    from econ.cli.main import _comparison_rows

    main = compiled_list[0]
    spec = main.loaded.spec
    co = spec.cost_offset
    check_perspective(main, perspective)
    perspective = perspective or (co.perspectives[0] if co is not None else None)
    labels = _scenario_labels(compiled_list)
    outputs = _outputs(main, perspective)
    primary = _primary_strategy(main)
    a = Analyses(main, list(compiled_list), labels, perspective, primary, outputs)
    a.results = run(main)
    if co is not None:
        a.headline = headline(main)
        if spec.budget is not None and spec.settings.cycle_length == "month":
            a.budget = budget_table(main)
    a.comparison = pd.concat([_comparison_rows(c, lab) for c, lab in zip(compiled_list, labels)], ignore_index=True)
    if n_draws:
        from econ.analysis.psa import psa_tables, run_psa

        a.psa = run_psa(main, n_draws=n_draws, seed=seed, outputs=outputs)
        a.psa_tables = psa_tables(a.psa)
        if co is not None:
            ev = a.psa.evaluation
            m = measures(main, ev, perspective)
            a.per_draw = pd.concat([pd.DataFrame({"draw": np.arange(a.psa.n_draws), "strategy": s,
                                                  "net_cost": m["net_cost"][:, k],
                                                  "delivery_cost": m["delivery_cost"][:, k],
                                                  "cost_offset": m["cost_offset"][:, k]})
                                    for k, s in enumerate(ev.strategies) if s != main.reference], ignore_index=True)
            from econ.analysis.psa import cumulative_band, net_cost_curve

            a.band = cumulative_band(main, a.psa.table, perspective)
            a.curve = net_cost_curve(a.per_draw)
    try:
        from econ.analysis.dsa import oneway
    except ImportError:  # pragma: no cover - dsa ships with the package
        oneway = None
    if oneway is not None:
        a.tornado = pd.concat([oneway(main, o, grouped=True) for o in outputs], ignore_index=True)
    if gsa is not None:
        from econ.analysis.gsa import run_gsa

        out = next((o for o in outputs if o.endswith(f":{primary}")), outputs[0])
        res = run_gsa(main, method=gsa, n=gsa_n, outputs=[out], seed=seed, progress=False)
        a.gsa, a.gsa_method = res.indices, gsa
    return a


# --------------------------------------------------------------------------------------------
def report_tables(a: Analyses) -> list:
    """The labelled tables of the report, in the order of the workbook's sheets."""
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    ctx_all = ctx
    for c in a.compiled_list[1:]:
        ctx_all = ctx_all.merged(T.context_for(c))
    out = []
    if a.headline is not None:
        out.append(T.headline_table(a.headline, ctx))
        out.append(T.headline_detail_table(a.headline, ctx))
    out.append(T.comparison_table(a.comparison, ctx_all))
    if a.budget is not None:
        out.append(T.budget_report_table(a.budget, ctx))
    pt = a.psa_tables
    n = a.psa.n_draws if a.psa is not None else 0
    psa_note = f" Probabilistic analysis: {n:,} draws, seed {a.psa.seed}." if a.psa is not None else ""
    if "cost_saving" in pt:
        out.append(T.make_table("cost_saving", pt["cost_saving"], ctx, title="Chance of saving money",
                                notes=T.standard_notes(ctx) + psa_note))
    if "psa_offset" in pt:
        out.append(T.make_table("psa_offset", pt["psa_offset"], ctx,
                                title="Headline measures across the simulations (mean and 95% interval)",
                                labels={"population_mean": "Whole programme, mean"},
                                notes=T.standard_notes(ctx) + psa_note))
    if "psa_icer" in pt:
        out.append(T.make_table("psa_icer", pt["psa_icer"], ctx, title="Cost-effectiveness across the simulations",
                                notes=T.standard_notes(ctx) + psa_note))
    if "psa_outputs" in pt:
        out.append(T.make_table("psa_outputs", pt["psa_outputs"], ctx, title="Main outputs across the simulations",
                                notes=T.standard_notes(ctx) + psa_note))
    if a.band is not None:
        out.append(T.band_table(a.band, ctx, perspective=a.perspective))
    if a.curve is not None:
        out.append(T.make_table("net_cost_curve", a.curve, ctx,
                                title="Probability that the net cost per person is at most a threshold",
                                labels={"threshold": f"Net cost threshold per person ({ctx.currency})",
                                        "probability": "Probability net cost is at most the threshold"},
                                kinds={"threshold": "money", "probability": "probability"},
                                notes=T.standard_notes(ctx) + psa_note))
    if "ceac" in pt:
        out.append(T.make_table("ceac", pt["ceac"], ctx, title="Acceptability: probability each option is best",
                                notes=T.standard_notes(ctx) + psa_note))
    if "evpi" in pt:
        out.append(T.make_table("evpi", pt["evpi"], ctx, title="Expected value of perfect information",
                                kinds={"population": "integer"}, labels={"population": "People"},
                                notes=T.standard_notes(ctx) + psa_note))
    if a.tornado is not None:
        out.append(T.tornado_table(a.tornado, ctx))
    if a.gsa is not None:
        title = {"sobol": "Global sensitivity: Sobol indices", "morris": "Screening: Morris elementary effects"}
        out.append(T.gsa_table(f"{a.gsa_method}_indices", a.gsa, ctx, title=title[a.gsa_method]))
    res = a.results
    out.append(T.values_table(res.summary, ctx, name="summary", title="Totals per person by option (discounted)",
                              notes=T.standard_notes(ctx, comparative=False)))
    out.append(T.values_table(res.incremental, ctx, name="incremental",
                              title=f"Differences from {ctx.strategy(a.compiled.reference).lower()} per person"))
    out.append(T.occupancy_table(res.trace, ctx))
    out.append(T.assumptions_table(a.compiled.parameters, ctx))
    if "psa_summary" in pt:
        out.append(T.make_table("psa_summary", pt["psa_summary"], ctx,
                                title="Every value across the simulations", notes=T.standard_notes(ctx) + psa_note))
    if "convergence" in pt:
        out.append(T.make_table("convergence", pt["convergence"], ctx,
                                title="Convergence: running mean and Monte Carlo error", notes=psa_note.strip()))
    return out


def report_figures(a: Analyses) -> dict:
    """The report's figures by name: ``name -> (Figure, title, caption)``."""
    from econ.report import plots as P
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    cur = ctx.currency
    sl = dict(ctx.strategies)
    cyc = ctx.cycle_length.capitalize()
    figs = {}
    persp_text = T.PERSPECTIVE_LABELS.get(a.perspective, a.perspective) if a.perspective else ""
    if a.headline is not None:
        figs["cost_and_savings"] = (
            P.plot_cost_and_savings(a.headline, perspective=a.perspective, currency=cur, strategy_labels=sl),
            "Cost and savings per person",
            f"Orange: what the programme costs per person; green: what it saves in other services; black diamond: "
            f"the difference (net cost). Base case, {persp_text}, discounted.")
    if a.budget is not None:
        figs["budget"] = (P.plot_budget(a.budget, perspective=a.perspective, currency=cur, strategy_labels=sl),
                          "Budget by financial year",
                          "Programme cost and savings in each financial year for the intake schedule, and the "
                          "running total of net cost (black line). Cash at today's prices, not discounted.")
    if a.per_draw is not None:
        n = a.psa.n_draws
        figs["net_cost_distribution"] = (
            P.plot_net_cost_distribution(a.per_draw, currency=cur, strategy_labels=sl),
            "Net cost across the simulations",
            f"The model was run {n:,} times with every uncertain number drawn from its plausible range. Each bar "
            f"counts runs with that net cost per person; green bars are runs where the programme saved money.")
        figs["cost_savings_plane"] = (
            P.plot_cost_savings_plane(a.per_draw, currency=cur, strategy_labels=sl),
            "Cost and savings in each simulation",
            "Each dot is one run. Dots above the dashed line (shaded) are runs in which savings exceeded the "
            "programme cost. Large dots are the averages.")
        figs["net_cost_curve"] = (
            P.plot_acceptability(a.curve, x="threshold", y="probability", currency=cur, strategy_labels=sl,
                                 x_label="Net cost per person we are willing to pay",
                                 y_label="Probability the net cost is within it",
                                 title="How likely is the net cost to be affordable?"),
            "Probability the net cost is within what we are willing to pay",
            "Read across from a net cost per person you would accept (0 means the programme must pay for "
            "itself) to the chance that each option stays within it.")
    if a.band is not None:
        figs["cumulative_net_cost"] = (
            P.plot_cumulative_net_cost(a.band, currency=cur, strategy_labels=sl, cycle_label=cyc),
            "Cumulative net cost per person over time",
            "Costs come first and savings build up later. The line is the average over the simulations and the "
            "shaded band holds 95% of them; where a line goes below zero the option has paid for itself.")
    if "ce_plane" in a.psa_tables:
        cost, effect = a.compiled.icer
        figs["ce_plane"] = (
            P.plot_ce_plane(a.psa_tables["ce_plane"], currency=cur, strategy_labels=sl,
                            effect_label=f"Incremental {ctx.values.get(effect, effect).lower()}", wtp=20_000),
            "Cost-effectiveness plane",
            "Each dot is one simulation: extra effect (across) and extra cost (up) against the comparator. "
            "Dots below the dashed line are cost-effective at 20,000 per unit of effect.")
    if "ceac" in a.psa_tables:
        cost, effect = a.compiled.icer
        figs["ceac"] = (
            P.plot_acceptability(a.psa_tables["ceac"], currency=cur, strategy_labels=sl,
                                 x_label=f"Willingness to pay per unit of {ctx.values.get(effect, effect).lower()}"),
            "Acceptability curve",
            "The chance that each option is the best value for money at each willingness to pay.")
    if a.tornado is not None:
        out = next((o for o in a.outputs if o.endswith(f":{a.primary}")), a.outputs[0])
        label = T.output_label(out, ctx)
        short = (f"Net cost per person, {ctx.strategy(a.primary)}" if out.startswith("net_cost") else label)
        plabels = {p: (f"{p}: {d}" if d else p) for p, d in ctx.parameters.items()}
        figs["tornado"] = (
            P.plot_tornado(a.tornado, output=out, output_label=short,
                           currency=cur if T.output_kind(out, ctx) == "money" else None, parameter_labels=plabels),
            f"What drives the result: {label}",
            "Each bar shows how far the result moves when one number goes to the low (light) or high (dark) end "
            "of its plausible range, with everything else at its best estimate. The longest bars matter most.")
    if a.gsa is not None:
        plabels = {p: (f"{p}: {d}" if d else p) for p, d in ctx.parameters.items()}
        if a.gsa_method == "sobol":
            figs["sobol"] = (P.plot_sobol(a.gsa, parameter_labels=plabels), "Sobol indices",
                             "Share of the variance of the result due to each input alone (first order) and "
                             "with its interactions (total order), with 95% intervals.")
        else:
            figs["morris"] = (P.plot_morris(a.gsa, parameter_labels=plabels), "Morris screening",
                              "Inputs far to the right matter most; high inputs act non-linearly or interact.")
    comp = a.comparison
    if len(a.compiled_list) > 1 and a.perspective and "net_cost" in set(comp.measure):
        sel = comp[(comp.measure == "net_cost") & (comp.discounting == "discounted") &
                   (comp.perspective == a.perspective)]
        ctx_all = ctx
        for c in a.compiled_list[1:]:
            ctx_all = ctx_all.merged(T.context_for(c))
        figs["comparison"] = (
            P.plot_comparison(sel.rename(columns={"per_participant": "value"}), currency=cur,
                              strategy_labels=dict(ctx_all.strategies)),
            "Net cost per person in each scenario",
            f"Each bar is one option in one scenario, against that scenario's comparator ({persp_text}, "
            "discounted). Bars left of zero save money.")
    figs["state_occupancy"] = (
        P.plot_state_occupancy(a.results.trace, state_labels=ctx.states, strategy_labels=sl, cycle_label=cyc),
        "Where people are over time",
        "The share of people in each state of the model at each point in time, for each option (base case).")
    return figs


def report_html(a: Analyses, tables: list, figures: dict, manifest_data: dict):
    """The :class:`econ.report.html.ReportContent` of the report."""
    from econ.report import html as H
    from econ.report import plots as P
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    spec = a.compiled.loaded.spec
    by_name = {t.name: t for t in tables}

    def fig(name):
        f, title, caption = figures[name]
        return H.ReportFigure(name, title, caption, P.data_uri(f["svg"] if isinstance(f, dict) else f, "svg"),
                              alt=title)

    def figs(*names):
        return tuple(fig(n) for n in names if n in figures)

    def tabs(*names):
        return tuple(by_name[n] for n in names if n in by_name)

    synthetic = any(c.synthetic for c in a.compiled_list)
    persp_text = T.PERSPECTIVE_LABELS.get(a.perspective, a.perspective) if a.perspective else ""
    cs = a.psa_tables.get("cost_saving")
    findings, messages = [], []
    if a.headline is not None:
        findings = H.offset_findings(a.headline, ctx, perspective=a.perspective, cost_saving=cs)
        messages = H.offset_messages(a.headline, ctx, perspective=a.perspective, tornado=a.tornado, cost_saving=cs)
        title = "Does peer support pay for itself?" if "peer" in (spec.metadata.description or "").lower() else \
            "Does it pay for itself?"
    elif a.compiled.icer is not None:
        cost, effect = a.compiled.icer
        findings = H.icer_findings(a.psa_tables.get("psa_icer"), a.results.incremental, ctx, cost=cost, effect=effect)
        title = "Costs and effects of the options"
    else:
        title = "Results of the options"
    horizon = f"{spec.settings.n_cycles} {spec.settings.cycle_length}s"
    context_line = [f"Per person, compared with {ctx.strategy(a.compiled.reference).lower()}, over {horizon}",
                    ctx.money_note(),
                    T.discount_text(ctx).capitalize()]
    if persp_text:
        context_line.append(persp_text)
    if a.psa is not None:
        context_line.append(f"{a.psa.n_draws:,} simulations")
    n_sc = len(a.compiled_list)
    ctx_all = ctx
    for c in a.compiled_list[1:]:
        ctx_all = ctx_all.merged(T.context_for(c))
    comp = a.comparison
    if a.perspective:
        comp = comp[comp.perspective.isin([a.perspective, ""])]
    comparison_view = T.comparison_table(comp, ctx_all)
    budget_view = None
    if a.budget is not None:
        budget_view = T.budget_report_table(a.budget[a.budget.perspective == a.perspective].drop(columns="perspective"),
                                            ctx)
    saving_view = None
    if cs is not None and a.perspective:
        sel = cs[(cs.perspective == a.perspective) & (cs.discounting == "discounted")]
        saving_view = T.make_table("cost_saving_main", sel, ctx, title=f"Chance of saving money ({persp_text})",
                                   columns=["strategy", "prob_cost_saving", "mcse_cost_saving"],
                                   notes=f"Share of the {a.psa.n_draws:,} simulations in which the net cost per "
                                         "person is below zero (discounted), with its Monte Carlo standard error.")
    sections = [
        H.Section("headline", "Headline results",
                  (("What each option costs and saves per person who starts, compared with "
                    f"{ctx.strategy(a.compiled.reference).lower()}. The table gives every perspective; the first "
                    "is the scenario's main one.") if a.headline is not None else
                   ("Costs and outcomes per person of each option, and their differences from "
                    f"{ctx.strategy(a.compiled.reference).lower()}."),), figs("cost_and_savings"),
                  ((by_name["headline"], False),) if "headline" in by_name else tabs("summary", "incremental")),
        H.Section("comparison", "Scenarios compared",
                  ((f"{n_sc} scenario files side by side, each against its own comparator. A scenario changes some "
                    "assumptions (for example group size or local costs) and keeps the rest." if n_sc > 1 else
                    "Only one scenario file was given; add more files to the command to compare them.") +
                   (f" Perspective: {persp_text}; the exported tables hold every perspective." if persp_text else ""),),
                  figs("comparison"), ((comparison_view, False),)),
    ]
    if budget_view is not None:
        sections.append(H.Section("budget", "Budget by financial year",
                                  ("What the commissioned programme costs and saves in each financial year as "
                                   f"people start over the intake schedule ({persp_text}; the exported tables hold "
                                   "every perspective).",), figs("budget"), ((budget_view, False),)))
    if a.psa is not None:
        sections.append(H.Section(
            "uncertainty", "How sure can we be?",
            (f"Many of the numbers in the model are uncertain. We ran it {a.psa.n_draws:,} times, each time drawing "
             "every uncertain number from its plausible range, to see " +
             ("how often each option saves money." if a.headline is not None else "how sure we can be of the "
              "result."),),
            figs("net_cost_distribution", "cost_savings_plane", "net_cost_curve", "cumulative_net_cost",
                 "ce_plane", "ceac"),
            ((saving_view, False),) * (saving_view is not None) +
            tuple((t, t.name != "psa_icer") for t in tabs("psa_icer", "cost_saving", "psa_outputs", "psa_offset",
                                                           "evpi"))))
    if a.tornado is not None or a.gsa is not None:
        sections.append(H.Section(
            "drivers", "What drives the result",
            ("Which assumptions matter most. If the result changes sign within an assumption's plausible range, "
             "better evidence on that assumption would change the decision.",),
            figs("tornado", "sobol", "morris"), tuple((t, True) for t in tabs("tornado", "sobol_indices",
                                                                                 "morris_indices"))))
    sections.append(H.Section("occupancy", "How people move through the programme" if a.headline is not None
                              else "How people move between states",
                              ("The model follows people between states; costs and savings depend on how long "
                               "they stay in each.",), figs("state_occupancy"), ()))
    sections.append(H.Section("assumptions", "Assumptions",
                              ("Every number the model uses, with its value, how uncertain it is and where it comes "
                               "from. Numbers marked 'assumption' in their source are judgements, not data.",),
                              (), ((by_name["assumptions"], True),)))
    details = tabs("summary", "incremental", "headline_detail", "cumulative_net_cost", "net_cost_curve", "ceac",
                   "state_occupancy", "psa_summary", "convergence") if "headline" in by_name else \
        tabs("headline_detail", "state_occupancy", "ceac", "psa_summary", "convergence")
    sections.append(H.Section("details", "Detailed tables",
                              ("Every table of the report in full. The same tables are in tables.xlsx and, in the "
                               "formats asked for, in the tables folder.",), (), tuple((t, True) for t in details)))
    overline = "peer-econ report: " + ", ".join(a.labels)
    lead = spec.metadata.description or f"Scenario {spec.metadata.name}."
    cycle = spec.settings.cycle_length
    if a.headline is not None:
        about = (f"This report comes from a model that follows a group of people {cycle} by {cycle} and adds up "
                 "what peer support costs and what it saves in other services, compared with people who do not "
                 "get it.",)
        glossary = H.GLOSSARY
    else:
        about = (f"This report comes from a model that follows a group of people {cycle} by {cycle} through the "
                 "states of the model and adds up the costs and outcomes of each option.",)
        keep = {"Discounting", "Simulations (probabilistic analysis)", "95% interval", "One-way sensitivity (tornado)"}
        glossary = tuple(g for g in H.GLOSSARY if g[0] in keep)
    return H.report_content(title=title, overline=overline, lead=lead, synthetic=synthetic,
                            context_line=context_line, findings=findings, messages=messages, sections=sections,
                            scenarios=[H.scenario_facts(c) for c in a.compiled_list], about=about,
                            glossary=glossary, manifest=manifest_data)


def write_report(folder: Path, a: Analyses, *, formats, manifest_data: dict) -> list[Path]:
    """Write tables, plots, the HTML report and the manifest into ``folder``; returns the paths written."""
    from econ.report.files import write_json
    from econ.report.html import write_html
    from econ.report.plots import render_figure, save_figure
    from econ.report.tables import export_tables

    folder = Path(folder)
    synthetic = any(c.synthetic for c in a.compiled_list)
    tables = report_tables(a)
    written = export_tables(folder, tables, formats=formats, manifest=manifest_data, synthetic=synthetic)
    figures = {}
    for name, (f, title, caption) in report_figures(a).items():
        rendered = render_figure(f)  # drawn once: saved as PNG and SVG, and the SVG embedded
        written.extend(save_figure(rendered, folder / "plots" / name))
        figures[name] = (rendered, title, caption)
    written.append(write_html(folder / "report.html", report_html(a, tables, figures, manifest_data)))
    files = sorted(str(p.relative_to(folder)) for p in written) + ["manifest.json"]
    manifest_data = dict(manifest_data)
    manifest_data.setdefault("report", {})["files"] = files
    written.append(write_json(folder / "manifest.json", manifest_data))
    return written


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
    from econ.model.run import compile_path
    from econ.report.files import prepare_run_folder
    from econ.report.text import SYNTHETIC_BANNER

    started = now_iso()
    compiled_list = [compile_path(f, overrides=args.overrides) for f in args.files]
    check_perspective(compiled_list[0], args.perspective)  # before the folder is made
    folder = prepare_run_folder(args.out, f"report-{compiled_list[0].name}", force=args.force)
    a = run_analyses(compiled_list, n_draws=args.draws, seed=args.seed, perspective=args.perspective,
                     gsa=args.gsa, gsa_n=args.gsa_n)
    seed = a.psa.seed if a.psa is not None else args.seed
    extra = {"report": {"main_scenario": compiled_list[0].name, "draws": args.draws, "seed": seed,
                        "perspective": a.perspective, "formats": list(args.formats), "gsa": args.gsa}}
    data = manifest(args, compiled_list, started, extra, n_draws=max(args.draws, 1), seed=seed)
    written = write_report(folder, a, formats=args.formats, manifest_data=data)
    if any(c.synthetic for c in compiled_list):
        print(SYNTHETIC_BANNER)
    n_tables = sum(1 for p in written if p.parent.name == "tables")
    n_plots = sum(1 for p in written if p.parent.name == "plots")
    print(f"Wrote {folder}/: report.html" + (", tables.xlsx" if "xlsx" in args.formats else "") +
          f", {n_tables} table files, {n_plots} plot files, manifest.json")
    print(f"Open {folder / 'report.html'} in a web browser.")
    return EXIT_OK
