"""Plain-text tables for the terminal, written for readers who are not economists. No computing here."""
from __future__ import annotations

import math

import pandas as pd

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
    "roi": "Savings per GBP 1 spent",
    "break_even_attribution": "Break-even attribution",
    "payback_month": "Pays for itself by month",
}

SYNTHETIC_BANNER = ("*** SYNTHETIC DATA: these results come from made-up data that illustrate the method. "
                    "They are not evidence. ***")


def money(x: float, currency: str = "GBP") -> str:
    if x is None or (isinstance(x, float) and math.isnan(x)):
        return "-"
    sign = "-" if x < 0 else ""
    return f"{sign}{currency} {abs(x):,.0f}"


def percent(x: float) -> str:
    if x is None or math.isnan(x):
        return "-"
    return f"{100 * x:.0f}%"


def _strategy_labels(compiled) -> dict:
    spec = compiled.loaded.spec
    return {name: (s.label or name) for name, s in spec.strategies.items()}


def _cell(measure: str, value: float, currency: str, horizon: int) -> str:
    if measure == "roi":
        return "-" if math.isnan(value) else f"{currency} {value:,.2f}"
    if measure == "break_even_attribution":
        if math.isnan(value):
            return "never (no effect)"
        if value < 0:
            return "never (costs rise with effect)"
        if value > 1:
            return f"never ({percent(value)} needed)"
        return percent(value)
    if measure == "payback_month":
        return f"not within {horizon}" if math.isnan(value) else f"{value:.0f}"
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
    years = st.n_cycles * compiled.model.cycle_years
    lines = []
    if compiled.synthetic:
        lines += [SYNTHETIC_BANNER, ""]
    lines.append(f"{spec.metadata.name}: {spec.metadata.description}".strip())
    lines.append(f"Per person starting, compared with {labels[compiled.reference].lower()}, over "
                 f"{st.n_cycles} {st.cycle_length}s ({years:g} years). Money in {currency} at {st.price_year or 'stated'} "
                 f"prices, {discounting}" + (f" at {st.discount_rate_costs:.1%} a year." if discounting == "discounted"
                                             else "."))
    pop_name = spec.cost_offset.population
    pop = compiled.parameters[pop_name].point if pop_name else None
    first = True
    for persp in spec.cost_offset.perspectives:
        df = headline[(headline.perspective == persp) & (headline.discounting == discounting)]
        if df.empty:
            continue
        pivot = df.pivot(index="measure", columns="strategy", values="per_participant")
        pop_pivot = df.pivot(index="measure", columns="strategy", values="population")
        lines += ["", f"Perspective: {PERSPECTIVE_LABELS.get(persp, persp)}"]
        categories = sorted(m for m in pivot.index if m.startswith("offset_"))
        order = ["delivery_cost", "cost_offset"] + (categories if first else []) + [
            "net_cost", "roi", "break_even_attribution", "payback_month"]
        rows = []
        for m in order:
            if m not in pivot.index:
                continue
            label = MEASURE_LABELS.get(m) or "  of which " + m.removeprefix("offset_").replace("_", " ")
            rows.append([label] + [_cell(m, float(pivot.loc[m, s]), currency, st.n_cycles) for s in strategies])
        if pop is not None and "net_cost" in pop_pivot.index:
            rows.append([f"Net cost for {pop:,.0f} people"] + [money(float(pop_pivot.loc["net_cost", s]), currency)
                                                               for s in strategies])
        table = pd.DataFrame(rows, columns=[""] + [labels[s] for s in strategies]).set_index("")
        lines.append(table.to_string())
        first = False
    lines += ["", "Savings per GBP 1 spent above 1 means the programme pays for itself. Break-even attribution is the "
                  "share of the observed change in service use that peer support must cause for savings to equal its "
                  "cost."]
    return "\n".join(lines)


def budget_text(compiled, budget: pd.DataFrame, *, perspective: str | None = None) -> str:
    """Budget by financial year for one perspective (default: the first), one block per strategy."""
    spec = compiled.loaded.spec
    perspective = perspective or spec.cost_offset.perspectives[0]
    labels = _strategy_labels(compiled)
    currency = spec.settings.currency
    df = budget[budget.perspective == perspective]
    lines = [f"Budget by financial year (April to March), {PERSPECTIVE_LABELS.get(perspective, perspective)}; "
             f"{currency} at {spec.settings.price_year or 'stated'} prices, undiscounted."]
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
