"""The sections of the ``report`` command's output: its tables, figures and the HTML report's content.

Everything here formats the results of :func:`econ.cli.report_analyses.run_analyses`; nothing is computed.
"""
from __future__ import annotations

from econ.cli.report_analyses import Analyses


# --------------------------------------------------------------------------------------------
def report_tables(a: Analyses) -> list:
    """The labelled tables of the report, in the order of the workbook's sheets."""
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    ctx_all = _context_all(a, ctx)
    out = []
    if a.headline is not None:  # a perspective with no costs of its own would repeat a narrower one: left out
        from econ.analysis.offset import perspective_has_own_costs as own
        out.append(T.headline_table(a.headline[[own(a.compiled, p) for p in a.headline.perspective]], ctx))
        out.append(T.headline_detail_table(a.headline, ctx))
    out.append(T.comparison_table(a.comparison, ctx_all))
    if a.budget is not None:
        out.append(T.budget_report_table(a.budget, ctx))
    if a.budget_impact is not None:
        out.append(T.budget_impact_table(a.budget_impact, ctx, n_draws=a.psa.n_draws))
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
    voi_rows = _voi_rows(a)
    if voi_rows is not None:
        out.append(T.make_table("evppi", voi_rows, ctx, title="What finding out is worth (EVPPI)",
                                notes="Expected value of partial perfect information: what removing the uncertainty "
                                      "in each input (or group of inputs) would be worth to the decision, per person "
                                      "and for the population of the intake schedule, by regression on the "
                                      f"simulations (Strong et al. 2014).{psa_note}"))
    if a.tornado is not None:
        out.append(T.tornado_table(a.tornado, ctx, T.parameter_units(a.compiled)))
    if a.gsa is not None:
        title = {"sobol": "Global sensitivity: Sobol indices", "morris": "Screening: Morris elementary effects"}
        out.append(T.gsa_table(f"{a.gsa_method}_indices", a.gsa, ctx, title=title[a.gsa_method]))
    res = a.results
    if a.compiled.icer is not None:
        cost, effect = a.compiled.icer
        out.append(T.frontier_table(res.frontier, res.net_benefit(), ctx, cost=cost, effect=effect))
        out.append(T.cost_consequence_table(res.cost_consequence, ctx))
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


def _context_all(a: Analyses, ctx):
    """The table context of the main scenario merged with those of the other scenarios."""
    from econ.report import tables as T

    ctx_all = ctx
    for c in a.compiled_list[1:]:
        ctx_all = ctx_all.merged(T.context_for(c))
    return ctx_all


def _perspective_text(a: Analyses) -> str:
    from econ.report.text import PERSPECTIVE_LABELS

    return PERSPECTIVE_LABELS.get(a.perspective, a.perspective) if a.perspective else ""


def _main_perspective(a: Analyses, table):
    """Rows of a value-of-information table for the report's perspective (all rows if it has none)."""
    return table[table["perspective"] == a.perspective] if a.perspective in set(table["perspective"]) else table


def _voi_rows(a: Analyses, top: int = 10):
    """EVPPI of the ``top`` inputs for the main decision (the main perspective, or the first threshold)."""
    if a.voi is None:
        return None
    main = _main_perspective(a, a.voi.evppi)
    if "threshold" in main and main["threshold"].notna().any():
        main = main[main["threshold"] == main["threshold"].dropna().iloc[0]]
    person = main[main["per"] == "person"].sort_values("evppi", ascending=False).head(top)
    cols = [c for c in ("parameters", "evppi", "se", "perspective", "per") if c in person.columns]
    pop = main[main["per"] == "population"].set_index("parameters")["evppi"]
    out = person[cols].reset_index(drop=True)
    out["evppi_population"] = out["parameters"].map(pop).to_numpy()
    return out


def _input_label(a: Analyses, name: str) -> str:
    """A reader's name for an input set of the value-of-information tables."""
    if name == "service_use_data":
        return "the service-use data (every observed change in use, together)"
    params = a.compiled.parameters.parameters
    if name in params and params[name].description:
        return f"{params[name].description[0].lower()}{params[name].description[1:]} ({name})"
    return name


def _voi_summary(a: Analyses, ctx) -> str:
    """One paragraph on EVPI and the inputs most worth finding out about, in plain words."""
    rows = _voi_rows(a, top=3)
    main = _main_perspective(a, a.voi.evpi)
    per = main[main["per"] == "person"]["evpi"]
    pop = main[main["per"] == "population"]["evpi"]
    from econ.report.html import money_text

    cur = ctx.currency
    lead = (f"If every uncertainty were resolved, the decision would be better by about "
            f"{money_text(float(per.iloc[0]), cur)} per person" if len(per) else "")
    if len(pop) and pop.notna().iloc[0]:
        lead += f" (about {money_text(float(pop.iloc[0]), cur)} for everyone in the intake schedule)"
    names = "; ".join(f"{_input_label(a, p)} ({money_text(float(v), cur)} per person)"
                      for p, v in zip(rows["parameters"], rows["evppi"]))
    return (f"{lead}. That is the most any further research could be worth to this decision. The uncertainties "
            f"most worth resolving are {names}. A study costing more than the population figure cannot pay for "
            "itself.")


def report_html(a: Analyses, tables: list, figures: dict, manifest_data: dict):
    """The :class:`econ.report.html.ReportContent` of the report."""
    from econ.report import html as H
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    synthetic = any(c.synthetic for c in a.compiled_list)
    title, findings, messages = _html_findings(a, ctx)
    sections = _html_sections(a, ctx, tables, figures)
    overline, lead, about, glossary = _html_about(a)
    return H.report_content(title=title, overline=overline, lead=lead, synthetic=synthetic,
                            context_line=_html_context_line(a, ctx), findings=findings, messages=messages,
                            sections=sections, scenarios=[H.scenario_facts(c) for c in a.compiled_list], about=about,
                            glossary=glossary, manifest=manifest_data)


def _html_findings(a: Analyses, ctx) -> tuple:
    """The report's title, key findings and messages."""
    from econ.report import html as H

    spec = a.compiled.loaded.spec
    cs = a.psa_tables.get("cost_saving")
    findings, messages = [], []
    if a.headline is not None:
        findings = H.offset_findings(a.headline, ctx, perspective=a.perspective, cost_saving=cs)
        shown = a.tornado[a.tornado.output == a.primary_output] if a.tornado is not None else None
        messages = H.offset_messages(a.headline, ctx, perspective=a.perspective, tornado=shown, cost_saving=cs,
                                     compiled=a.compiled)
        title = "Does peer support pay for itself?" if "peer" in (spec.metadata.description or "").lower() else \
            "Does it pay for itself?"
    elif a.compiled.icer is not None:
        cost, effect = a.compiled.icer
        findings = H.icer_findings(a.psa_tables.get("psa_icer"), a.results.incremental, ctx, cost=cost, effect=effect)
        title = "Costs and effects of the options"
    else:
        title = "Results of the options"
    return title, findings, messages


def _html_context_line(a: Analyses, ctx) -> list[str]:
    """The line under the title: per person, comparator, horizon, money, discounting, perspective, draws."""
    from econ.report import tables as T

    persp_text = _perspective_text(a)
    context_line = [f"Per person, compared with {ctx.strategy(a.compiled.reference).lower()}, {T.horizon_text(ctx)}",
                    ctx.money_note(),
                    T.discount_text(ctx).capitalize()]
    if persp_text:
        context_line.append(persp_text)
    if a.psa is not None:
        context_line.append(f"{a.psa.n_draws:,} simulations")
    return context_line


def _html_views(a: Analyses, ctx) -> tuple:
    """Tables shown in the HTML for the main perspective only: comparison, budget and chance of saving."""
    from econ.report import tables as T

    persp_text = _perspective_text(a)
    cs = a.psa_tables.get("cost_saving")
    ctx_all = _context_all(a, ctx)
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
    return comparison_view, budget_view, saving_view


def _cea_section(tables: tuple):
    """The HTML section of the efficiency frontier and the cost-consequence table."""
    from econ.report import html as H

    return H.Section("cost_effectiveness", "Cost-effectiveness",
                     ("Costs and health effects of every option together: the efficiency frontier with each "
                      "option's incremental cost-effectiveness ratio and net monetary benefit at the usual "
                      "thresholds, and the costs next to every outcome for readers who do not use QALYs.",), (),
                     tuple((t, False) for t in tables))


def _budget_section(a: Analyses, ctx, budget_view, figures: tuple, persp_text: str):
    """The HTML section of the budget: the per-perspective view, then the budget impact by payer."""
    from econ.report import html as H
    from econ.report import tables as T

    impact = () if a.budget_impact is None else (
        (T.budget_impact_view(a.budget_impact, ctx, n_draws=a.psa.n_draws), False),)
    text = ("What the commissioned programme costs and saves in each financial year as people start over the "
            f"intake schedule ({persp_text}; the exported tables hold every perspective).",
            "The budget impact below follows ISPOR practice (Sullivan et al. 2014): who pays and who saves, savings "
            "that release cash apart from capacity freed, set-up apart from running costs, and 95% intervals from "
            "the simulations (budget.csv from run_model.py budget).")
    return H.Section("budget", "Budget by financial year", text[: 2 if impact else 1], figures,
                     ((budget_view, False),) + impact)


def _html_sections(a: Analyses, ctx, tables: list, figures: dict) -> list:
    """The sections of the HTML report, each with its text, figures and tables."""
    from econ.report import html as H
    from econ.report import plots as P

    by_name = {t.name: t for t in tables}

    def fig(name):
        f, title, caption = figures[name]
        return H.ReportFigure(name, title, caption, P.data_uri(f["svg"] if isinstance(f, dict) else f, "svg"),
                              alt=title)

    def figs(*names):
        return tuple(fig(n) for n in names if n in figures)

    def tabs(*names):
        return tuple(by_name[n] for n in names if n in by_name)

    persp_text = _perspective_text(a)
    n_sc = len(a.compiled_list)
    comparison_view, budget_view, saving_view = _html_views(a, ctx)
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
    if "frontier" in by_name:
        sections.append(_cea_section(tabs("frontier", "cost_consequence")))
    if budget_view is not None:
        sections.append(_budget_section(a, ctx, budget_view, figs("budget", "budget_impact"), persp_text))
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
    if a.voi is not None:
        sections.append(H.Section("value_of_information", "Should we fund it now, or find out more first?",
                                  (_voi_summary(a, ctx),), figs("evppi"), tuple((t, False) for t in tabs("evppi"))))
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
    return sections


def _html_about(a: Analyses) -> tuple:
    """The overline, lead paragraph, 'about this report' text and glossary."""
    from econ.report import html as H

    spec = a.compiled.loaded.spec
    overline = "peer-econ report: " + ", ".join(a.labels)
    lead = spec.metadata.description or f"Scenario {spec.metadata.name}."
    cycle = spec.settings.cycle_length
    if a.headline is not None:
        from econ.report.text import effect_text

        about = (f"This report comes from a model that follows a group of people {cycle} by {cycle} and adds up "
                 "what peer support costs and what it saves in other services, compared with people who do not "
                 "get it.",) + ((effect_text(spec, a.compiled.parameters),) if spec.effect is not None else ())
        glossary = H.glossary_for(spec.settings.currency, cycle)
    else:
        about = (f"This report comes from a model that follows a group of people {cycle} by {cycle} through the "
                 "states of the model and adds up the costs and outcomes of each option.",)
        keep = {"Discounting", "Simulations (probabilistic analysis)", "95% interval", "One-way sensitivity (tornado)"}
        glossary = tuple(g for g in H.GLOSSARY if g[0] in keep)
    from econ.report.text import followup_text

    followup = followup_text(a.compiled)
    return overline, lead, about + ((followup,) if followup else ()), glossary
