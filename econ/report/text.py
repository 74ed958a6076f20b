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
    "break_even_attribution": "Break-even attribution",
    "payback_month": "Pays for itself by month",
    "share_beyond_window": "Share of savings beyond the observed window",
}

SYNTHETIC_BANNER = ("*** SYNTHETIC DATA: these results come from made-up data that illustrate the method. "
                    "They are not evidence. ***")


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
    except a break-even attribution ("never (no effect)") and a payback month ("not within 36").
    """
    if kind == "text" or isinstance(value, str):
        return "" if _is_missing(value) else str(value)
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if _is_missing(value) or (isinstance(value, (float, np.floating)) and not np.isfinite(value)):
        if kind == "attribution":
            return "never (no effect)"
        if kind == "month" and horizon:
            return f"not within {horizon}"
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
    if measure == "break_even_attribution":
        return format_cell(value, "attribution")
    if measure == "payback_month":
        return format_cell(value, "month", horizon=horizon)
    if measure == "share_beyond_window":
        return percent(value)
    return money(value, currency)


def effect_text(spec, parameters=None) -> str:
    """One paragraph on the ``effect`` block: the estimator used, the window and the persistence after it.

    ``parameters`` (a ParameterSet) gives the point value of a half-life written as a parameter name.
    """
    from econ.model.effect import effect_summary

    e = effect_summary(spec)
    if not e:
        return ""
    half = e.get("half_life_months")
    if isinstance(half, str) and parameters is not None and half in parameters.parameters:
        half = f"{float(parameters[half].point):g} ({half})"
    elif half is not None and not isinstance(half, str):
        half = f"{half:g}"
    after = {"none": "stops (persistence none)", "constant": "lasts as the model's states say (persistence constant)",
             "decay": f"halves every {half} months (persistence decay)"}[e["persistence"]]
    text = (f"Effect estimator: {e['estimator']} ({e['label']}). Observed window: {e['follow_up_months']:g} months "
            f"of follow-up; beyond it the effect {after}.")
    if e["estimator"] == "pre_post":
        text += " No comparison group and no adjustment: the change includes regression to the mean."
    return text


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
    lines.append(f"Per person starting, compared with {labels[compiled.reference].lower()}, over "
                 f"{horizon_words(st.n_cycles, st.cycle_length)}. {money_note(currency, st.price_year)}, {discounting}"
                 + (f" at {st.discount_rate_costs:.1%} a year." if discounting == "discounted" else "."))
    if spec.effect is not None:
        lines.append(effect_text(spec, compiled.parameters))
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
            "net_cost", "roi", "break_even_attribution", "payback_month", "share_beyond_window"]
        rows = []
        for m in order:
            if m not in pivot.index:
                continue
            label = {"roi": roi_label(currency), "payback_month": payback_label(st.cycle_length),
                     "share_beyond_window": _beyond_label(spec)}.get(m) or \
                MEASURE_LABELS.get(m) or "  of which " + m.removeprefix("offset_").replace("_", " ")
            rows.append([label] + [_cell(m, float(pivot.loc[m, s]), currency, st.n_cycles) for s in strategies])
        if pop is not None and "net_cost" in pop_pivot.index:
            rows.append([f"Net cost for {pop:,.0f} people"] + [money(float(pop_pivot.loc["net_cost", s]), currency)
                                                               for s in strategies])
        table = pd.DataFrame(rows, columns=[""] + [labels[s] for s in strategies]).set_index("")
        lines.append(table.to_string())
        first = False
    what = ("estimated effect on service use that must be real" if spec.effect is not None
            and spec.effect.estimator != "pre_post" else "observed change in service use that peer support must cause")
    lines += ["", f"{roi_label(currency)} above 1 means the programme pays for itself. Break-even attribution is the "
                  f"share of the {what} for savings to equal its cost."]
    if spec.effect is not None:
        lines.append(f"Share of savings beyond the observed window: the part of the savings that falls after the "
                     f"{spec.effect.follow_up_months:g} months the data cover, where it rests on the persistence "
                     f"assumption, not on data.")
    return "\n".join(lines)


def _beyond_label(spec) -> str:
    return (f"Share of savings beyond {spec.effect.follow_up_months:g} months observed" if spec.effect is not None
            else MEASURE_LABELS["share_beyond_window"])


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
        effect_label: [_num(x) for x in frontier.effect],
        "Status": frontier.status.tolist(),
        "Compared with": [labels.get(c, c) if c else "-" for c in frontier.comparator],
        f"ICER ({cur})": [amount(x) for x in frontier.icer],
    })
    for lam in nmb.columns:
        table[f"NMB at {amount(lam)}"] = [amount(float(nmb.loc[s, lam])) for s in frontier.strategy]
    lines = [f"Cost-effectiveness: {_value_label(compiled, cost).lower()} and {effect_label.lower()} per person, "
             f"discounted; {cur} at {st.price_year or 'stated'} prices (thresholds in {cur} per unit of "
             f"{effect_label.lower()}).",
             table.to_string(index=False)]
    lines += textwrap.wrap(
             f"Options are ordered by cost. ICER: extra cost per extra unit of {effect_label.lower()} against the "
             f"option it is compared with (the previous non-dominated one; the cheapest is the reference). "
             f"Dominated: another option costs no more and gains no less. Extendedly dominated: a mix of two other "
             f"options would gain more for the same cost. NMB (net monetary benefit) = threshold x "
             f"{effect_label.lower()} - cost; the highest NMB is the best option at that threshold.", width=100)
    return "\n".join(lines)
