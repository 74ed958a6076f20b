"""The report's figures: which plots the report carries, built from the analyses (``report_figures``)."""
from __future__ import annotations

from econ.cli.report_analyses import Analyses
from econ.cli.report_sections import _context_all, _main_perspective, _perspective_text

def report_figures(a: Analyses) -> dict:
    """The report's figures by name: ``name -> (Figure, title, caption)``."""
    from econ.report import tables as T

    ctx = T.context_for(a.compiled)
    figs = {}
    for part in (_outcome_figures, _psa_figures, _driver_figures, _scenario_figures):
        figs.update(part(a, ctx))
    if a.voi is not None:
        from econ.report.voi_plots import plot_evppi

        figs["evppi"] = (plot_evppi(_main_perspective(a, a.voi.evppi), currency=ctx.currency, synthetic=a.compiled.synthetic, top=10),
                         "What finding out is worth",
                         "Expected value of partial perfect information per person for the ten inputs worth most; "
                         "whiskers: 2 standard errors.")
    return figs


def _outcome_figures(a: Analyses, ctx) -> dict:
    """Cost and savings per person, and the budget by financial year."""
    from econ.report import plots as P

    cur = ctx.currency
    sl = dict(ctx.strategies)
    figs = {}
    persp_text = _perspective_text(a)
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
    if a.budget_impact is not None:
        figs["budget_impact"] = (
            P.plot_budget_impact(a.budget_impact, currency=cur, strategy_labels=sl),
            "Budget impact by financial year",
            f"All payers together, mean and 95% interval over {a.psa.n_draws:,} simulations: the programme's running "
            "and set-up cost, the savings that release cash and the capacity freed (beds, appointments, staff and "
            "carers' time, which releases cash only if a service is cut); the line is the net cash cost.")
    return figs


def _psa_figures(a: Analyses, ctx) -> dict:
    """Figures of the probabilistic analysis."""
    from econ.report import plots as P

    cur = ctx.currency
    sl = dict(ctx.strategies)
    cyc = ctx.cycle_length.capitalize()
    figs = {}
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
    return figs


def _driver_figures(a: Analyses, ctx) -> dict:
    """What drives the result: tornado (one-way) and GSA figures."""
    from econ.report import plots as P
    from econ.report import tables as T

    cur = ctx.currency
    figs = {}
    if a.tornado is not None:
        out = a.primary_output
        label = T.output_label(out, ctx)
        short = (f"Net cost per person, {ctx.strategy(a.primary)}" if out.startswith("net_cost") else label)
        plabels = T.tornado_labels(a.tornado, ctx, T.parameter_units(a.compiled))
        figs["tornado"] = (
            P.plot_tornado(a.tornado, output=out, output_label=short,
                           currency=cur if T.output_kind(out, ctx) == "money" else None, parameter_labels=plabels,
                           percent_parameters=T.share_parameters(a.compiled)),
            f"What drives the result: {label}",
            f"The one-way analysis of {ctx.strategy(out.rsplit(':', 1)[-1]).lower()} ({a.primary}; "
            f"run_model.py dsa --output {out} gives its table). Each bar shows how far the result moves when one number goes to the low (light) or high (dark) end "
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
    return figs


def _scenario_figures(a: Analyses, ctx) -> dict:
    """The comparison of scenarios (more than one file) and the state occupancy of the main one."""
    from econ.report import plots as P

    cur = ctx.currency
    sl = dict(ctx.strategies)
    cyc = ctx.cycle_length.capitalize()
    figs = {}
    persp_text = _perspective_text(a)
    comp = a.comparison
    if len(a.compiled_list) > 1 and a.perspective and "net_cost" in set(comp.measure):
        sel = comp[(comp.measure == "net_cost") & (comp.discounting == "discounted") &
                   (comp.perspective == a.perspective)]
        ctx_all = _context_all(a, ctx)
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
