"""Plain-text tables for the terminal, written for readers who are not economists. No computing here."""
from __future__ import annotations

import math
import textwrap
from typing import Any

import numpy as np
import pandas as pd

from econ.report.units import horizon_words, money_code_amount, money_note, payback_label, prices_text, roi_label

PERSPECTIVE_LABELS = {
    "nhs": "NHS only",
    "nhs_pss": "NHS and personal social services (NICE reference case)",
    "public_sector": "Public sector (NHS, social services, police and other public bodies)",
    "societal": "Societal (public sector plus unpaid care by family and friends)",
}

MEASURE_LABELS = {
    "delivery_cost": "Cost of the programme",
    "cost_offset": "Savings (cost offset)",
    "net_cost": "Net cost (cost minus savings)",
    "roi": "Savings per unit of money spent",  # labelled per currency by measure_label / roi_label
    "bcr": "Benefit-cost ratio (savings / cost)",
    "net_roi": "Net return on investment ((savings - cost) / cost)",
    "sroi_ratio": "SROI-style ratio (adjusted savings / cost)",
    "bcr_of_means": "Benefit-cost ratio, mean savings / mean cost",
    "net_roi_of_means": "Net return on investment, from mean savings and mean cost",
    "break_even_attribution": "Break-even attribution",
    "payback_month": "Pays for itself by month",
}

SYNTHETIC_BANNER = ("*** SYNTHETIC DATA: these results come from made-up data that illustrate the method. "
                    "They are not evidence. ***")


#: Prefixes of the headline measures of outcomes (``econ.analysis.offset``): gain, net cost per unit, NMB.
OUTCOME_MEASURE_PREFIXES = ("gain_", "cost_per_", "nmb_")


def _singular(label: str) -> str:
    """'QALYs' -> 'QALY', 'SWEMWBS point-years' -> 'SWEMWBS point-year' (labels of counted outcomes)."""
    return label[:-1] if label.endswith("s") and not label.endswith("ss") else label


def outcome_measure_label(measure: str, value_labels: dict, currency: str, effect: str | None = None) -> str | None:
    """Plain-English label of an outcome measure of the headline, or None when ``measure`` is not one.

    ``gain_qalys`` -> 'QALYs gained'; ``cost_per_qalys`` -> 'Net cost per QALY gained';
    ``nmb_20000`` -> 'Net monetary benefit at GBP 20,000 per QALY' (``effect``: the ICER's effect).
    """
    for prefix in OUTCOME_MEASURE_PREFIXES:
        if measure.startswith(prefix):
            name = measure[len(prefix):]
            break
    else:
        return None
    if prefix == "nmb_":
        unit = _singular(value_labels.get(effect, effect or "unit of effect"))
        return f"Net monetary benefit at {money_code_amount(float(name), currency)} per {unit}"
    label = value_labels.get(name, name.replace("_", " "))
    if prefix == "gain_":
        head, paren, tail = label.partition(" (")
        return f"{head} gained" + (f" ({tail}" if paren else "")
    return f"Net cost per {_singular(label.partition(' (')[0])} gained"


def outcome_measure_order(measures: list, outcomes) -> list:
    """The outcome measures among ``measures``, in display order: per outcome its gain then its net cost per
    unit gained (in the order of ``cost_offset.outcomes``), then the net monetary benefits by threshold."""
    order = [m for o in outcomes for m in (f"gain_{o}", f"cost_per_{o}") if m in measures]
    nmb = sorted((m for m in measures if m.startswith("nmb_")), key=lambda m: float(m[4:]))
    return order + nmb


def money(x: float, currency: str) -> str:
    """'GBP 1,234' (terminal tables write the currency code; see :mod:`econ.report.units`)."""
    return money_code_amount(x, currency)


def percent(x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{100 * x:.0f}%"


def _num(x: float) -> str:
    """A number for prose: thousands separators, about 3 significant figures."""
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    x = float(x)
    if x == 0:
        return "0"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x) >= 100:
        return f"{x:,.1f}".rstrip("0").rstrip(".")
    return f"{x:.3g}"

def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False

def _fixed(x: float, decimals: int) -> str:
    text = f"{x:,.{decimals}f}"
    # A negative number that rounds to zero prints as "-0": show it as 0.
    if text.startswith("-") and float(text.replace(",", "")) == 0:
        text = text[1:]
    return text

def format_cell(value: Any, kind: str, *, horizon: int | None = None) -> str:
    """A cell as rounded text (Markdown, LaTeX and HTML). Money carries no symbol: the header gives the unit.

    Rounding: money to whole units; percentages to whole percent (probabilities to 0.1%); ratios and
    indices to 2 decimals; other numbers to about 3 significant figures. Missing values read "-",
    except a break-even attribution ("never (no effect)") and a payback month ("never (not within 36)").
    """
    if kind == "text" or isinstance(value, str):
        return "" if _is_missing(value) else str(value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if _is_missing(value) or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        if kind == "attribution":
            return "never (no effect)"
        if kind == "month" and horizon:
            return f"never (not within {horizon})"
        return "-"
    x = float(value)
    if kind == "money":
        return _fixed(x, 0)
    if kind == "percent":
        return _fixed(100 * x, 0) + "%"
    if kind == "probability":
        return _fixed(100 * x, 1) + "%"
    if kind == "attribution":
        if x < 0:
            return "never (costs rise with effect)"
        if x > 1:
            return f"never ({_fixed(100 * x, 0)}% needed)"
        return _fixed(100 * x, 0) + "%"
    if kind in ("ratio", "index"):
        return _fixed(x, 2)
    if kind in ("integer", "month"):
        return _fixed(x, 0)
    if abs(x) < 1e-9:  # rounding noise of sums that are zero in exact arithmetic
        return "0"
    if x == int(x) and abs(x) < 1e15:
        return f"{int(x):,}"
    return _num(x)


def _strategy_labels(compiled) -> dict:
    spec = compiled.loaded.spec
    return {name: (s.label or name) for name, s in spec.strategies.items()}


def _cell(measure: str, value: float, currency: str, horizon: int) -> str:
    if measure == "roi":
        return "-" if math.isnan(value) else money_code_amount(value, currency, decimals=2)
    if measure == "bcr":
        return "-" if math.isnan(value) else money_code_amount(value, currency, decimals=2)
    if measure == "sroi_ratio":
        return format_cell(value, "ratio")
    if measure == "net_roi":
        return format_cell(value, "percent")
    if measure == "break_even_attribution":
        return format_cell(value, "attribution")
    if measure == "payback_month":
        return format_cell(value, "month", horizon=horizon)
    return money(value, currency)


def headline_text(compiled, headline: pd.DataFrame, *, discounting: str = "discounted") -> str:
    """The headline table(s) of a cost-offset run as text.

    ``headline`` is :func:`econ.analysis.offset.headline` output.
    """
    spec = compiled.loaded.spec
    st = spec.settings
    currency = st.currency
    labels = _strategy_labels(compiled)
    strategies = [s for s in compiled.model.strategy_names if s != compiled.reference]
    lines = []
    if compiled.synthetic:
        lines += [SYNTHETIC_BANNER, ""]
    lines.append(f"{spec.metadata.name}: {spec.metadata.description}".strip())
    lines.append(f"Per person offered the programme (intention to treat), compared with {labels[compiled.reference].lower()}, over "
                 f"{horizon_words(st.n_cycles, st.cycle_length)}. {money_note(currency, st.price_year)}, {discounting}"
                 + (f" at {st.discount_rate_costs:.1%} a year." if discounting == "discounted" else "."))
    pop_name = spec.cost_offset.population
    pop = compiled.parameters[pop_name].point if pop_name else None
    first = True
    from econ.analysis.offset import perspective_has_own_costs

    for persp in spec.cost_offset.perspectives:
        df = headline[(headline.perspective == persp) & (headline.discounting == discounting)]
        if df.empty:
            continue
        if not perspective_has_own_costs(compiled, persp):
            lines += ["", f"Perspective: {PERSPECTIVE_LABELS.get(persp, persp)}: not shown; the scenario has no costs "
                          f"of the bodies it adds, so its figures would repeat the narrower perspective's."]
            continue
        pivot = df.pivot(index="measure", columns="strategy", values="per_participant")
        pop_pivot = df.pivot(index="measure", columns="strategy", values="population")
        lines += ["", f"Perspective: {PERSPECTIVE_LABELS.get(persp, persp)}"]
        categories = sorted(m for m in pivot.index if m.startswith("offset_"))
        order = ["delivery_cost", "cost_offset"] + (categories if first else []) + [
            "net_cost", "bcr", "net_roi", "sroi_ratio", "break_even_attribution", "payback_month"]
        rows = []
        for m in order:
            if m not in pivot.index:
                continue
            label = {"roi": roi_label(currency), "bcr": f"{roi_label(currency)} (benefit-cost ratio)",
                     "payback_month": payback_label(st.cycle_length)}.get(m) or \
                MEASURE_LABELS.get(m) or "  of which " + m.removeprefix("offset_").replace("_", " ")
            rows.append([label] + [_cell(m, float(pivot.loc[m, s]), currency, st.n_cycles) for s in strategies])
        if pop is not None and "net_cost" in pop_pivot.index:
            rows.append([f"Net cost for {pop:,.0f} people"] + [money(float(pop_pivot.loc["net_cost", s]), currency)
                                                               for s in strategies])
        rows += _outcome_text_rows(compiled, pivot, strategies, gains=first)
        table = pd.DataFrame(rows, columns=[""] + [labels[s] for s in strategies]).set_index("")
        lines.append(table.to_string())
        first = False
    lines += [""] + textwrap.wrap(
        "Benefit-cost ratio = savings / cost (above 1: the programme pays for itself); net return on investment = "
        "(savings - cost) / cost = benefit-cost ratio - 1; SROI-style ratio = savings after deadweight, attribution "
        "to others, displacement and drop-off, over cost (docs/budget_impact.md). Break-even attribution is the "
        "share of the observed change in service use that peer support must cause for savings to equal its cost; "
        "'never' where that or payback cannot be reached.", width=110)
    if spec.cost_offset.outcomes:
        lines += textwrap.wrap(
            "Outcomes are per person against the comparator, discounted like costs; net cost per unit gained "
            "uses each perspective's net cost ('saves money' when the option is cheaper and better). Net "
            "monetary benefit = threshold x QALYs gained - net cost; above 0 means good value at that threshold.",
            width=100)
    return "\n".join(lines)


def _outcome_text_rows(compiled, pivot: pd.DataFrame, strategies: list, *, gains: bool) -> list[list[str]]:
    """Rows of the outcomes next to the cost offset (gains only under the first perspective)."""
    spec = compiled.loaded.spec
    currency = spec.settings.currency
    labels = {n: (v.label or n) for n, v in spec.values.items()}
    effect = compiled.icer[1] if compiled.icer is not None else None
    rows = []
    for m in outcome_measure_order(list(pivot.index), spec.cost_offset.outcomes):
        if m.startswith("gain_") and not gains:
            continue
        cells = []
        for s in strategies:
            x = float(pivot.loc[m, s])
            if m.startswith("gain_"):
                money_valued = (spec.values[m[5:]].unit if m[5:] in spec.values else "").startswith(currency)
                cells.append(money(x, currency) if money_valued else _num(x))
            elif m.startswith("cost_per_") and float(pivot.loc["net_cost", s]) <= 0 < float(pivot.loc[f"gain_{m[9:]}", s]):
                cells.append("saves money")
            else:
                cells.append("-" if math.isnan(x) else money(x, currency))
        rows.append([outcome_measure_label(m, labels, currency, effect)] + cells)
    return rows


def budget_text(compiled, budget: pd.DataFrame, *, perspective: str | None = None) -> str:
    """Budget by financial year for one perspective (default: the first), one block per strategy."""
    spec = compiled.loaded.spec
    perspective = perspective or spec.cost_offset.perspectives[0]
    labels = _strategy_labels(compiled)
    currency = spec.settings.currency
    df = budget[budget.perspective == perspective]
    lines = [f"Budget by financial year (April to March), {PERSPECTIVE_LABELS.get(perspective, perspective)}; "
             f"{currency} {prices_text(spec.settings.price_year)}, undiscounted."]
    for s, part in df.groupby("strategy", sort=False):
        shown = pd.DataFrame({
            "Financial year": part.financial_year,
            "People starting": part.people_starting.map(lambda x: f"{x:,.0f}"),
            "Programme cost": part.delivery_cost.map(lambda x: money(x, currency)),
            "Savings": part.cost_offset.map(lambda x: money(x, currency)),
            "Net cost": part.net_cost.map(lambda x: money(x, currency)),
            "Cumulative net cost": part.cumulative_net_cost.map(lambda x: money(x, currency)),
        }).set_index("Financial year")
        lines += ["", labels.get(s, s), shown.to_string()]
    return "\n".join(lines)


def _value_label(compiled, name: str) -> str:
    spec = compiled.loaded.spec.values.get(name)
    return (spec.label if spec is not None and spec.label else name.replace("_", " ")).strip()


def _lower(label: str) -> str:
    """A label inside a sentence: 'Total cost' -> 'total cost', but 'QALYs' and 'SWEMWBS points' unchanged."""
    return label[:1].lower() + label[1:] if label[1:2].islower() else label


def _effect_text(x: float) -> str:
    """An effect on the frontier: 3 decimals below 1,000 (QALY differences are small), else as _num."""
    return _fixed(x, 3) if abs(x) < 1000 else _num(x)


def frontier_text(compiled, frontier: pd.DataFrame, net_benefit: pd.DataFrame) -> str:
    """The efficiency frontier with net monetary benefit at each threshold, as text.

    ``frontier`` is :attr:`econ.analysis.base_case.Results.frontier`, ``net_benefit`` is
    :meth:`~econ.analysis.base_case.Results.net_benefit` output (same strategies).
    """
    st = compiled.loaded.spec.settings
    cur = st.currency
    cost, effect = compiled.icer
    effect_label = _value_label(compiled, effect)
    labels = _strategy_labels(compiled)
    nmb = net_benefit.pivot(index="strategy", columns="threshold", values="nmb")
    def amount(x: float) -> str:
        return "-" if math.isnan(x) else _fixed(x, 0)

    table = pd.DataFrame({
        "Option": [labels.get(s, s) for s in frontier.strategy],
        f"Cost ({cur})": [amount(x) for x in frontier.cost],
        effect_label: [_effect_text(x) for x in frontier.effect],
        "Status": frontier.status.tolist(),
        "Compared with": [labels.get(c, c) if c else "-" for c in frontier.comparator],
        f"ICER ({cur})": [amount(x) for x in frontier.icer],
    })
    for lam in nmb.columns:
        table[f"NMB at {amount(lam)}"] = [amount(float(nmb.loc[s, lam])) for s in frontier.strategy]
    lines = [f"Cost-effectiveness: {_lower(_value_label(compiled, cost))} and {_lower(effect_label)} per person, "
             f"discounted; {cur} at {st.price_year or 'stated'} prices (thresholds in {cur} per unit of "
             f"{_lower(effect_label)}).",
             table.to_string(index=False)]
    lines += textwrap.wrap(
             f"Options are ordered by cost. ICER: extra cost per extra unit of {_lower(effect_label)} against the "
             f"option it is compared with (the previous non-dominated one; the cheapest is the reference). "
             f"Dominated: another option costs no more and gains no less. Extendedly dominated: a mix of two other "
             f"options would gain more for the same cost. NMB (net monetary benefit) = threshold x "
             f"{_lower(effect_label)} - cost; the highest NMB is the best option at that threshold.", width=100)
    return "\n".join(lines)


PAYER_LABELS = {
    "icb": "NHS integrated care board",
    "local_authority": "Local authority adult social care",
    "other_public": "Other public bodies",
    "voluntary_provider": "Voluntary-sector provider",
    "unpaid_carers": "Unpaid carers",
    "total": "Total",
}


def budget_impact_text(compiled, impact: pd.DataFrame, *, n_draws: int) -> str:
    """The budget impact (:func:`econ.analysis.budget_impact.budget_impact` output) as text: totals by
    financial year with their 95% bands, then the net cash cost by payer."""
    spec = compiled.loaded.spec
    currency = spec.settings.currency
    labels = {**_strategy_labels(compiled), "setting_mix": "Setting mix"}

    def band(row) -> str:
        return f"{_fixed(row['mean'], 0)} ({_fixed(row['low'], 0)} to {_fixed(row['high'], 0)})"

    lines = [f"Budget impact by financial year (April to March); {currency} {prices_text(spec.settings.price_year)}, "
             f"undiscounted; mean and 95% interval over {n_draws:,} probabilistic draws."]
    for option, part in impact.groupby("strategy", sort=False):
        total = part[part.payer == "total"]
        shown = {}
        for title, kind, sub in ((f"Set-up cost ({currency})", "cost", "set-up"),
                                 (f"Running cost ({currency})", "cost", "running"),
                                 (f"Cash-releasing savings ({currency})", "cash saving", "total"),
                                 (f"Capacity freed, not cash ({currency})", "capacity saving", "total"),
                                 (f"Net cash cost ({currency})", "net cash cost", "total")):
            rows = total[(total.kind == kind) & (total.part == sub)].set_index("financial_year")
            shown[title] = [band(rows.loc[fy]) for fy in rows.index]
        years = list(dict.fromkeys(total.financial_year))
        lines += ["", labels.get(option, option), pd.DataFrame(shown, index=pd.Index(years, name="Financial year"))
                  .to_string()]
        net = part[(part.kind == "net cash cost") & (part.payer != "total")]
        pivot = net.pivot(index="financial_year", columns="payer", values="mean")
        payers = [p for p in PAYER_LABELS if p in pivot.columns and (pivot[p].abs() > 0.5).any()]
        by_payer = pd.DataFrame({PAYER_LABELS[p]: pivot[p].map(lambda x: money(x, currency)) for p in payers})
        lines += ["Net cash cost by payer (mean; payers with none are left out):", by_payer.to_string()]
        inkind = part[(part.kind == "cost") & (part.part == "in kind") & (part.payer == "total")]["mean"].sum()
        if inkind > 0.5:
            lines.append(f"Volunteer time given in kind (not cash; societal view): {money(inkind, currency)} in all.")
    lines += [""] + textwrap.wrap(
        "Cash-releasing savings lower a payer's spending; capacity freed (beds, appointments, staff and carers' "
        "time) is used by other people and releases cash only if a service is cut (costs/saving_types.csv). "
        "Net cash cost = set-up + running cost - cash-releasing savings. budget.csv has every payer, kind and "
        "band (docs/budget_impact.md).", width=110)
    return "\n".join(lines)
