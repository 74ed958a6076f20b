"""The self-contained HTML report: one file, inline CSS and images, no network resources, all text escaped."""
from __future__ import annotations

import datetime as _dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping, Sequence

import pandas as pd

from econ.report.files import write_atomic
from econ.report.tables import ReportTable, TableContext, display_rows, metadata_rows, numeric_columns, tornado_labels
from econ.report.text import (PERSPECTIVE_LABELS, SYNTHETIC_BANNER, contributors_text, percent, pooled_note,
                              population_note)
from econ.report.units import horizon_words, money_amount, money_unit_text, payback_label, roi_label

#: Content-Security-Policy of the report: nothing may be fetched; images only from data: URIs.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"

#: Tables with more rows than this are folded (a click shows them).
FOLD_ROWS = 25

#: Plain-English explanations printed at the end of the report.
GLOSSARY = (
    ("Programme cost", "What it costs to run peer support for one person referred, including staff, venues, "
                       "online platforms, supervision, a share of fixed and set-up costs, and the referral of "
                       "people who never attend."),
    ("Savings (cost offset)", "The fall in the cost of other services (GP, A&E, hospital, mental health "
                              "teams, social care, and in the societal view unpaid care by family and friends) "
                              "compared with people who do not get peer support."),
    ("Net cost", "Programme cost minus savings. Below zero means the programme saves more than it costs."),
    (roi_label("GBP"), "Savings divided by programme cost: the benefit-cost ratio. Above 1 means "
                                "the programme pays for itself."),
    ("Net return on investment", "Savings minus programme cost, divided by programme cost (the benefit-cost "
                                 "ratio minus 1): what finance officers call the return. Above 0% the "
                                 "programme pays for itself."),
    ("SROI-style ratio", "Savings after removing what would have happened anyway (deadweight), what others "
                         "caused (attribution), what moved elsewhere (displacement) and the fading of the "
                         "saving over the years (drop-off), divided by programme cost."),
    ("Cash-releasing and capacity savings", "A cash-releasing saving lowers what a payer spends; capacity "
                                            "freed (beds, appointments, staff time) is used by other people and "
                                            "releases cash only if a service is cut."),
    ("Attribution", "The share of the change in service use that peer support itself causes. The rest would "
                    "have happened anyway (for example people recovering on their own). With an effect "
                    "estimator it is an extra multiplier of the estimated effect (1: the estimate is taken as "
                    "the effect)."),
    ("Regression to the mean", "People join at a point of need, so their use of services often falls anyway as "
                               "a bad patch passes. The effect estimators take this out (see the README)."),
    ("Share of savings beyond the observed window", "The part of the savings that falls after the months the "
                                                    "data followed people; it rests on the assumption about "
                                                    "how long the effect lasts, not on data."),
    ("Break-even attribution", "The attribution at which savings exactly equal the programme cost. If you "
                               "believe peer support causes more than this share of the change, it pays for "
                               "itself."),
    (payback_label("month"), "The first month at which the savings so far have caught up with the "
                                 "programme cost so far."),
    ("Perspective", "Whose costs are counted: the NHS only, the NHS and social services (the NICE reference "
                    "case), the whole public sector, or society including unpaid carers."),
    ("Discounting", "Costs further in the future count for a little less (3.5% a year in the NICE reference "
                    "case). Budgets by financial year are not discounted."),
    ("Simulations (probabilistic analysis)", "The model is run many times, each time with every uncertain "
                                             "number drawn from its plausible range. The spread of results "
                                             "shows how sure we can be."),
    ("95% interval", "The range that holds 95 of every 100 simulation results."),
    ("One-way sensitivity (tornado)", "Each uncertain number is moved to the low and then the high end of its "
                                      "range while everything else stays at its best estimate."),
)


@dataclass(frozen=True)
class ReportFigure:
    """A figure of the report: ``uri`` is a ``data:`` URI (SVG or PNG) made by :func:`econ.report.plots.data_uri`."""

    name: str
    title: str
    caption: str
    uri: str
    alt: str = ""


@dataclass(frozen=True)
class Finding:
    """One strategy's key result card."""

    strategy: str
    headline: str
    tone: str  # "good" (saves money / cost-effective), "bad" or "neutral"
    facts: tuple = ()  # (label, value) pairs
    caption: str = ""  # what the headline number is, e.g. "net cost per person"


@dataclass(frozen=True)
class Section:
    """A section of the report: an anchor id, a heading, paragraphs, figures and tables."""

    id: str
    title: str
    paragraphs: tuple = ()
    figures: tuple = ()
    tables: tuple = ()


@dataclass(frozen=True)
class ReportContent:
    """Everything the template shows; built by :func:`report_content`."""

    title: str
    overline: str
    lead: str
    synthetic: bool
    context_line: tuple
    findings: tuple
    messages: tuple
    sections: tuple
    scenarios: tuple = ()
    about: tuple = ()
    glossary: tuple = GLOSSARY
    metadata: tuple = ()
    generated: str = field(default_factory=lambda: _dt.datetime.now(_dt.timezone.utc).strftime("%d %B %Y, %H:%M UTC"))
    banner: str = SYNTHETIC_BANNER.strip("* ")


def glossary_for(currency: str, cycle_length: str = "month", glossary: Sequence[tuple] | None = None) -> tuple:
    """The glossary (default :data:`GLOSSARY`) in the scenario's units ('Savings per AUD 1 spent', 'by year')."""
    gbp_roi, by_month = roi_label("GBP"), payback_label("month")
    out = []
    for term, meaning in (GLOSSARY if glossary is None else glossary):
        if term == gbp_roi:
            term = roi_label(currency)
        elif term == by_month:
            term, meaning = payback_label(cycle_length), meaning.replace("first month", f"first {cycle_length}")
        out.append((term, meaning))
    return tuple(out)


# --------------------------------------------------------------------------------------------
def money_text(x: float, currency: str = "GBP") -> str:
    """Money for prose: '£1,234', '-£82' (GBP, EUR, USD symbols; other currencies by code)."""
    return money_amount(x, currency)


def share_text(p: float) -> str:
    """A probability as a whole percentage that never rounds a possibility away: '<1%', '54%', '>99%'."""
    if p != p:
        return "-"
    if 0 < p < 0.005:
        return "<1%"
    if 0.995 <= p < 1:
        return ">99%"
    return f"{p:.0%}"


def _money_pence(x: float, currency: str) -> str:
    """'£1.38' (two decimals, for a return per unit of money spent)."""
    return money_amount(x, currency, decimals=2)


def table_view(table: ReportTable, *, folded: bool | None = None, fold_rows: int = FOLD_ROWS) -> dict:
    """What the template needs to show a table: headers, rounded cells, alignment, notes, folding.

    ``folded`` None folds tables longer than ``fold_rows``. When the table has group columns, the
    first becomes a heading row above each group (``group``) instead of a column.
    """
    rows = display_rows(table, blank_repeats=False)
    headers, numeric = table.labels, numeric_columns(table)
    groups = [None] * len(rows)
    if table.group_columns and len(headers) > 1:
        firsts = [r[0] for r in rows]
        groups = [g if i == 0 or g != firsts[i - 1] else None for i, g in enumerate(firsts)]
        rows, headers, numeric = [r[1:] for r in rows], headers[1:], numeric[1:]
        if table.group_columns > 1:  # blank repeats of the remaining group columns within a group
            previous = None
            for i, r in enumerate(rows):
                current = list(r)
                if previous is not None and groups[i] is None:
                    for j in range(table.group_columns - 1):
                        if current[: j + 1] != previous[: j + 1]:
                            break
                        r[j] = ""
                previous = current
    return {"name": table.name, "title": table.title, "headers": headers, "numeric": numeric,
            "rows": [{"group": g, "cells": r} for g, r in zip(groups, rows)], "notes": table.notes,
            "folded": len(table.frame) > fold_rows if folded is None else folded, "n_rows": len(table.frame)}


def scenario_facts(compiled) -> dict:
    """Name, description, file, time horizon, money and strategies of a compiled scenario (for the summary)."""
    spec = compiled.loaded.spec
    st = spec.settings
    horizon = horizon_words(st.n_cycles, st.cycle_length)
    money = money_unit_text(st.currency, st.price_year)
    strategies = [{"label": s.label or name, "description": s.description or "",
                   "reference": name == compiled.reference} for name, s in spec.strategies.items()]
    co = spec.cost_offset
    return {
        "name": spec.metadata.name, "description": spec.metadata.description, "path": compiled.loaded.path,
        "synthetic": bool(compiled.synthetic), "horizon": horizon, "money": money,
        "discounting": f"costs {st.discount_rate_costs:.1%} a year, outcomes {st.discount_rate_outcomes:.1%} a year",
        "perspectives": [PERSPECTIVE_LABELS.get(p, p) for p in (co.perspectives if co is not None else [])],
        "strategies": strategies, "overrides": list(compiled.loaded.overrides),
    }


def offset_findings(headline: pd.DataFrame, ctx: TableContext, *, perspective: str,
                    cost_saving: pd.DataFrame | None = None) -> list[Finding]:
    """Key result cards of a cost-offset scenario: one per strategy, for one perspective, discounted.

    Parameters
    ----------
    headline : pandas.DataFrame
        :func:`econ.analysis.offset.headline` output.
    ctx : TableContext
    perspective : str
    cost_saving : pandas.DataFrame, optional
        :func:`econ.analysis.psa.cost_saving` output (adds the chance of saving money).

    Returns
    -------
    list of Finding
        ``headline`` is the net cost or saving per person (e.g. '£82'), ``caption`` says which.
    """
    df = headline[(headline.perspective == perspective) & (headline.discounting == "discounted")]
    per = df.pivot(index="strategy", columns="measure", values="per_participant")
    prob = {}
    if cost_saving is not None and len(cost_saving):
        cs = cost_saving[(cost_saving.perspective == perspective) & (cost_saving.discounting == "discounted")]
        prob = dict(zip(cs.strategy, cs.prob_cost_saving))
    cur = ctx.currency
    out = []
    for s in dict.fromkeys(df.strategy):
        row = per.loc[s]
        net = float(row.get("net_cost", math.nan))
        saves = net < 0
        facts = [("Programme cost", money_text(float(row["delivery_cost"]), cur)),
                 ("Savings", money_text(float(row["cost_offset"]), cur))]
        if "roi" in row and not math.isnan(float(row["roi"])):
            facts.append((f"Savings per {money_text(1, cur)} spent", _money_pence(float(row["roi"]), cur)))
        if "break_even_attribution" in row:
            b = float(row["break_even_attribution"])
            facts.append(("Break-even attribution", "never" if math.isnan(b) or b < 0 or b > 1 else percent(b)))
        if "payback_month" in row:
            p = float(row["payback_month"])
            facts.append(("Pays back by", f"not by {ctx.cycle_length} {ctx.n_cycles}" if math.isnan(p)
                          else f"{ctx.cycle_length} {p:.0f}"))
        if "share_beyond_window" in row and not math.isnan(float(row["share_beyond_window"])):
            facts.append(("Savings beyond the observed window", percent(float(row["share_beyond_window"]))))
        if s in prob:
            facts.append(("Chance of saving money", share_text(prob[s])))
        facts += _outcome_facts(row, ctx, net)
        out.append(Finding(ctx.strategy(s), money_text(abs(net), cur),
                           "good" if saves else "bad", tuple(facts),
                           "net saving per person" if saves else "net cost per person"))
    return out


def _outcome_facts(row: pd.Series, ctx: TableContext, net: float) -> list[tuple[str, str]]:
    """Facts of a strategy's card for the outcomes next to the cost offset: gains, net cost per unit, NMB."""
    from econ.report.text import outcome_measure_label, outcome_measure_order

    cur = ctx.currency
    measures = list(row.index)
    outcomes = [m[5:] for m in measures if m.startswith("gain_")]
    facts = []
    for m in outcome_measure_order(measures, outcomes):
        x = float(row[m])
        label = outcome_measure_label(m, dict(ctx.values), cur, ctx.effect)
        if m.startswith("gain_"):
            value = money_text(x, cur) if ctx.value_kinds.get(m[5:]) == "money" else f"{x:,.3g}"
        elif m.startswith("cost_per_") and net <= 0 < float(row.get(f"gain_{m[9:]}", math.nan)):
            value = "saves money"
        else:
            value = "-" if math.isnan(x) else money_text(x, cur)
        facts.append((label, value))
    return facts


def offset_messages(headline: pd.DataFrame, ctx: TableContext, *, perspective: str,
                    tornado: pd.DataFrame | None = None, cost_saving: pd.DataFrame | None = None,
                    compiled=None) -> list[str]:
    """Plain-English key messages of a cost-offset scenario (no new numbers: they restate the tables).

    With ``compiled``, also where the best option's savings come from (:func:`contributors_messages`),
    which reductions are pooled over settings and where the population totals come from."""
    msgs = _offset_messages(headline, ctx, perspective=perspective, tornado=tornado, cost_saving=cost_saving)
    if compiled is None:
        return msgs
    msgs[1:1] = contributors_messages(headline, ctx, perspective=perspective)
    pooled = pooled_note(compiled)
    if pooled:  # after the best option, its savings and what unpaid care adds
        msgs.insert(min(3, len(msgs)), pooled)
    if compiled.loaded.spec.cost_offset.population:
        msgs.append(population_note(compiled))
    return msgs


def _offset_messages(headline: pd.DataFrame, ctx: TableContext, *, perspective: str,
                     tornado: pd.DataFrame | None = None, cost_saving: pd.DataFrame | None = None) -> list[str]:
    df = headline[(headline.perspective == perspective) & (headline.discounting == "discounted")]
    per = df.pivot(index="strategy", columns="measure", values="per_participant")
    cur = ctx.currency
    who = PERSPECTIVE_LABELS.get(perspective, perspective).replace(" (", ", ").rstrip(")")
    msgs = []
    if "net_cost" in per:
        best = per["net_cost"].idxmin()
        net = float(per.loc[best, "net_cost"])
        verb = f"saves the most: {money_text(-net, cur)} per person" if net < 0 else \
            f"has the lowest net cost: {money_text(net, cur)} per person"
        msgs.append(f"{ctx.strategy(best)} {verb} ({who}).")
    if "break_even_attribution" in per:
        be = per["break_even_attribution"].sort_values()
        ok = [f"{ctx.strategy(s)} {percent(float(v))}" for s, v in be.items() if 0 <= float(v) <= 1]
        never = [ctx.strategy(s) for s, v in be.items() if not 0 <= float(v) <= 1]
        if ok or never:
            text = ("For an option to pay for itself, peer support must cause at least this share of the fall in "
                    "service use (the rest would have happened anyway): " + "; ".join(ok) + ".")
            if never:
                text += " " + " and ".join(never) + (" does" if len(never) == 1 else " do") + \
                    " not pay for itself even if peer support caused all of it."
            msgs.append(text + " Nobody knows this share well, so the lower it is, the safer the investment.")
    if "share_beyond_window" in per and per["share_beyond_window"].notna().any():
        shares = per["share_beyond_window"].dropna()
        msgs.append(f"{percent(float(shares.min()))} to {percent(float(shares.max()))} of the savings fall after the "
                    "months the data followed people, where they rest on the assumption about how long the "
                    "effect lasts.")
    if cost_saving is not None and len(cost_saving):
        cs = cost_saving[(cost_saving.perspective == perspective) & (cost_saving.discounting == "discounted")]
        parts = [f"{ctx.strategy(s)} {share_text(p)}" for s, p in zip(cs.strategy, cs.prob_cost_saving)]
        if parts:
            msgs.append("Chance of saving money across the simulations: " + "; ".join(parts) + ".")
    if tornado is not None and len(tornado):
        top = tornado.iloc[0]
        label = tornado_labels(tornado.iloc[:1], ctx)[top["parameter"]]
        grouped = top.get("n_members", 1) == top.get("n_members", 1) and top.get("n_members", 1) > 1
        label = label if label == top["parameter"] else label[:1].lower() + label[1:] + (
            "" if grouped else f" ({top['parameter']})")
        strategy = str(top.get("output", "")).rsplit(":", 1)[-1]
        whose = f" of {ctx.strategy(strategy).lower()}" if strategy in ctx.strategies else ""
        msgs.append(f"In the one-way analysis{whose}, the input that moves the result most is {label}.")
    return msgs


def contributors_messages(headline: pd.DataFrame, ctx: TableContext, *, perspective: str) -> list[str]:
    """Where the best option's savings come from, and what counting unpaid care adds (key messages)."""
    df = headline[(headline.perspective == perspective) & (headline.discounting == "discounted")]
    if df.empty or not (df.measure == "net_cost").any():
        return []
    net = df[df.measure == "net_cost"].set_index("strategy")["per_participant"]
    best = net.idxmin()
    fmt = lambda x: money_text(x, ctx.currency)  # noqa: E731
    who = PERSPECTIVE_LABELS.get(perspective, perspective).replace(" (", ", ").rstrip(")")
    msgs = [f"{ctx.strategy(best)}'s savings per person ({who}): "
            f"{contributors_text(headline, perspective, best, fmt)}."]
    for p in dict.fromkeys(headline.perspective):
        if p != perspective:
            extra = contributors_text(headline, p, best, fmt, first=perspective)
            if extra:
                msgs.append(f"Under the {PERSPECTIVE_LABELS.get(p, p).split(' (')[0].lower()} perspective, "
                            f"{extra} for {ctx.strategy(best).lower()}.")
    return msgs


def icer_findings(psa_icer: pd.DataFrame | None, incremental: pd.DataFrame, ctx: TableContext, *, cost: str,
                  effect: str) -> list[Finding]:
    """Key result cards of a cost-effectiveness scenario (incremental cost, effect and ICER per strategy)."""
    cur = ctx.currency
    out = []
    effect_label = ctx.values.get(effect, effect)
    for s, row in incremental.iterrows():
        if s == ctx.reference:
            continue
        dc, de = float(row[cost]), float(row[effect])
        icer = float(row.get("icer", math.nan))
        if dc <= 0 and de >= 0:
            head, tone, caption = "dominant", "good", "cheaper and at least as effective"
        elif dc >= 0 and de <= 0:
            head, tone, caption = "dominated", "bad", "dearer and no more effective"
        else:
            head, tone, caption = money_text(icer, cur), "neutral", f"per unit of effect ({effect_label.lower()})"
        facts = [("Extra cost per person", money_text(dc, cur)), (f"Extra {effect_label.lower()}", f"{de:,.3g}")]
        if psa_icer is not None and len(psa_icer):
            p = psa_icer[psa_icer.strategy == s]
            if len(p):
                facts.append(("Chance cheaper and more effective", share_text(float(p.prob_dominant.iloc[0]))))
        out.append(Finding(ctx.strategy(s), head, tone, tuple(facts), caption))
    return out


def report_content(*, title: str, overline: str, lead: str, synthetic: bool, context_line: Sequence[str],
                   findings: Sequence[Finding], messages: Sequence[str], sections: Sequence[Section],
                   scenarios: Sequence[Mapping] = (), about: Sequence[str] = (),
                   manifest: Mapping | None = None, glossary: Sequence[tuple] = GLOSSARY) -> ReportContent:
    """Assemble the content of a report.

    Parameters
    ----------
    title, overline, lead : str
        Heading, the small line above it and the paragraph below it.
    synthetic : bool
        Show the SYNTHETIC DATA banner at the top.
    context_line : sequence of str
        Short facts under the lead (horizon, money, perspective).
    findings : sequence of Finding
        Key result cards.
    messages : sequence of str
        Key messages in plain English.
    sections : sequence of Section
        Their tables may be ReportTable objects (folded when long) or ``(ReportTable, folded)``
        pairs: they are rounded and labelled here.
    scenarios : sequence of mapping
        :func:`scenario_facts` of each scenario.
    about : sequence of str
        Paragraphs saying what the model does, above the scenario summary.
    manifest : mapping, optional
        The run manifest, shown as the run metadata.
    glossary : sequence of (term, meaning)
        Default :data:`GLOSSARY` (the cost-offset terms).
    """
    shown = []
    for sec in sections:
        views = []
        for t in sec.tables:
            if isinstance(t, ReportTable):
                views.append(table_view(t))
            elif isinstance(t, tuple):
                views.append(table_view(t[0], folded=t[1]))
            else:
                views.append(t)
        shown.append(Section(sec.id, sec.title, tuple(sec.paragraphs), tuple(sec.figures), tuple(views)))
    meta = tuple(r for r in metadata_rows(manifest) if r[0] != "SYNTHETIC DATA")
    return ReportContent(title=title, overline=overline, lead=lead, synthetic=synthetic,
                         context_line=tuple(context_line), findings=tuple(findings), messages=tuple(messages),
                         sections=tuple(shown), scenarios=tuple(dict(s) for s in scenarios), about=tuple(about),
                         glossary=tuple(glossary), metadata=meta)


# --------------------------------------------------------------------------------------------
def _environment():
    import jinja2

    return jinja2.Environment(loader=jinja2.PackageLoader("econ.report", "templates"), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def render_html(content: ReportContent) -> str:
    """The report as one HTML document (jinja2 template ``templates/report.html``, autoescaped)."""
    return _environment().get_template("report.html").render(c=content, csp=CSP)


def write_html(path: str | Path, content: ReportContent) -> Path:
    """Render and write the report atomically."""
    return write_atomic(path, render_html(content))


__all__ = [
    "CSP", "GLOSSARY", "glossary_for", "ReportFigure", "Finding", "Section", "ReportContent", "money_text", "share_text",
    "table_view",
    "scenario_facts", "offset_findings", "offset_messages", "icer_findings", "report_content", "render_html",
    "write_html",
]
