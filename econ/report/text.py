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
    "share_beyond_window": "Share of savings beyond the observed window",
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
    if measure == "share_beyond_window":
        return percent(value)
    return money(value, currency)


def measure_row_label(measure: str, currency: str, cycle_length: str) -> str:
    """The label ``run`` prints for a headline measure (offset categories: 'of which ...')."""
    return ({"roi": roi_label(currency), "payback_month": payback_label(cycle_length)}.get(measure)
            or MEASURE_LABELS.get(measure) or "of which " + measure.removeprefix("offset_").replace("_", " "))


def offset_columns_text(rows: pd.DataFrame, columns: dict, measures) -> str:
    """Headline measures side by side, labelled and formatted as ``run`` prints them.

    ``rows`` has columns ``column``, ``strategy``, ``measure``, ``per_participant``; ``columns`` maps each
    column (a scenario or subgroup, in display order) to the compiled scenario behind it, whose
    strategy labels, currency and horizon format its cells. Rows: strategy, then the measures in
    the order of ``measures``.
    """
    first = next(iter(columns.values()))
    labels = _strategy_labels(first)
    st = first.loaded.spec.settings
    cell = {(r.column, r.strategy, r.measure): r.per_participant for r in rows.itertuples(index=False)}
    out = []
    for s in dict.fromkeys(rows.strategy):
        for m in measures:
            if not any((col, s, m) in cell for col in columns):
                continue
            row = [labels.get(s, s), measure_row_label(m, st.currency, st.cycle_length)]
            for col, c in columns.items():
                v = cell.get((col, s, m))
                cs = c.loaded.spec.settings
                row.append("" if v is None else _cell(m, float(v), cs.currency, cs.n_cycles))
            out.append(row)
    table = pd.DataFrame(out, columns=["Strategy", "Measure"] + [str(c) for c in columns])
    return table.set_index(["Strategy", "Measure"]).to_string()
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


def followup_text(compiled) -> str:
    """The line printed under every model result on loss to follow-up in the service-use data ('' without
    such data): 'Loss to follow-up: followed up: all 700', or the share missing per arm and the method."""
    from econ.inputs.followup_model import summary_line

    line = summary_line(compiled.followup)
    return f"Loss to follow-up: {line}" if line else ""


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
    if spec.effect is not None:
        lines.append(effect_text(spec, compiled.parameters))
    pop_name = spec.cost_offset.population
    pop = compiled.parameters[pop_name].point if pop_name else None
    first = True
    from econ.analysis.offset import perspective_has_own_costs

    cells = {c: headline[c].tolist() for c in ("perspective", "discounting", "measure", "strategy", "per_participant",
                                                "population")}
    for persp in spec.cost_offset.perspectives:
        pivots = _pivots(cells, persp, discounting)
        if pivots is None:
            continue
        if not perspective_has_own_costs(compiled, persp):
            lines += ["", f"Perspective: {PERSPECTIVE_LABELS.get(persp, persp)}: not shown; the scenario has no costs "
                          f"of the bodies it adds, so its figures would repeat the narrower perspective's."]
            continue
        pivot, pop_pivot = pivots
        lines += ["", f"Perspective: {PERSPECTIVE_LABELS.get(persp, persp)}"]
        categories = sorted(m for m in pivot if m.startswith("offset_"))
        order = ["delivery_cost", "cost_offset"] + (categories if first else []) + [
            "net_cost", "bcr", "net_roi", "sroi_ratio", "break_even_attribution", "payback_month", "share_beyond_window"]
        rows = []
        for m in order:
            if m not in pivot:
                continue
            label = {"roi": roi_label(currency), "bcr": f"{roi_label(currency)} (benefit-cost ratio)",
                     "payback_month": payback_label(st.cycle_length), "share_beyond_window": _beyond_label(spec)}.get(m) or \
                MEASURE_LABELS.get(m) or "  of which " + m.removeprefix("offset_").replace("_", " ")
            rows.append([label] + [_cell(m, pivot[m][s], currency, st.n_cycles) for s in strategies])
        if pop is not None and "net_cost" in pop_pivot:
            rows.append([f"Net cost for {pop:,.0f} people"] + [money(pop_pivot["net_cost"][s], currency)
                                                               for s in strategies])
        rows += _outcome_text_rows(compiled, pivot, strategies, gains=first)
        table = pd.DataFrame(rows, columns=[""] + [labels[s] for s in strategies]).set_index("")
        lines.append(table.to_string())
        first = False
    what = ("estimated effect on service use that must be real" if spec.effect is not None
            and spec.effect.estimator != "pre_post" else "observed change in service use that peer support must cause")
    lines += [""] + textwrap.wrap(
        "Benefit-cost ratio = savings / cost (above 1: the programme pays for itself); net return on investment = "
        "(savings - cost) / cost = benefit-cost ratio - 1; SROI-style ratio = savings after deadweight, attribution "
        "to others, displacement and drop-off, over cost (docs/budget_impact.md). Break-even attribution is the "
        f"share of the {what} for savings to equal its cost; 'never' where that or payback cannot be reached.",
        width=110)
    if spec.effect is not None:
        lines += textwrap.wrap(f"Share of savings beyond the observed window: the part of the savings that falls after "
                               f"the {spec.effect.follow_up_months:g} months the data cover, where it rests on the "
                               f"persistence assumption, not on data.", width=110)
    if spec.cost_offset.outcomes:
        lines += textwrap.wrap(
            "Outcomes are per person against the comparator, discounted like costs; net cost per unit gained "
            "uses each perspective's net cost ('saves money' when the option is cheaper and better). Net "
            "monetary benefit = threshold x QALYs gained - net cost; above 0 means good value at that threshold.",
            width=100)
    if pop is not None:
        lines.append(population_note(compiled))
    if discounting == "discounted":
        lines += contributors_lines(compiled, headline)
    return "\n".join(lines)


def _pivots(cells: dict, perspective: str, discounting: str) -> tuple[dict, dict] | None:
    """measure -> strategy -> per participant, and the same for the population, of one perspective and
    discounting of the headline (its columns as lists); measures sorted, a missing cell NaN (as a
    pandas pivot gives them, without its cost: start-up, issue 19). None when there are no rows."""
    per: dict = {}
    pop: dict = {}
    for p, d, m, s, v, w in zip(*cells.values()):
        if p == perspective and d == discounting:
            per.setdefault(m, {})[s] = float(v)
            pop.setdefault(m, {})[s] = float(w)
    if not per:
        return None
    strategies = {s for row in per.values() for s in row}
    nan = float("nan")
    return tuple({m: {s: table[m].get(s, nan) for s in strategies} for m in sorted(table)} for table in (per, pop))


def _outcome_text_rows(compiled, pivot: dict, strategies: list, *, gains: bool) -> list[list[str]]:
    """Rows of the outcomes next to the cost offset (gains only under the first perspective)."""
    spec = compiled.loaded.spec
    currency = spec.settings.currency
    labels = {n: (v.label or n) for n, v in spec.values.items()}
    effect = compiled.icer[1] if compiled.icer is not None else None
    rows = []
    for m in outcome_measure_order(list(pivot), spec.cost_offset.outcomes):
        if m.startswith("gain_") and not gains:
            continue
        cells = []
        for s in strategies:
            x = pivot[m][s]
            if m.startswith("gain_"):
                money_valued = (spec.values[m[5:]].unit if m[5:] in spec.values else "").startswith(currency)
                cells.append(money(x, currency) if money_valued else _num(x))
            elif m.startswith("cost_per_") and pivot["net_cost"][s] <= 0 < pivot[f"gain_{m[9:]}"][s]:
                cells.append("saves money")
            else:
                cells.append("-" if math.isnan(x) else money(x, currency))
        rows.append([outcome_measure_label(m, labels, currency, effect)] + cells)
    return rows


def savings_parts(headline: pd.DataFrame, perspective: str, strategy: str) -> list[tuple[str, float]]:
    """The savings of ``strategy`` under ``perspective`` (discounted) by category, largest first
    (``offset_<category>`` rows of :func:`econ.analysis.offset.headline`; a negative part is a rise in use).
    ``headline`` may also be given as those rows already listed (:func:`_headline_rows`)."""
    rows = headline if isinstance(headline, list) else _headline_rows(headline)
    parts = [(m.removeprefix("offset_").replace("_", " "), float(v)) for p, d, s, m, v in rows
             if p == perspective and d == "discounted" and s == strategy and m.startswith("offset_") and v == v]
    return sorted(parts, key=lambda kv: -kv[1])


def _headline_rows(headline: pd.DataFrame) -> list[tuple]:
    """(perspective, discounting, strategy, measure, per_participant) of each headline row."""
    return list(zip(*(headline[c].tolist() for c in ("perspective", "discounting", "strategy", "measure",
                                                     "per_participant"))))


def contributors_text(headline: pd.DataFrame, perspective: str, strategy: str, fmt, *, first: str | None = None,
                      top: int = 2) -> str:
    """'GBP 297: largest parts community mental health GBP 208 and acute hospital GBP 61; use of talking therapies
    rises (-GBP 18)'. With ``first`` (an earlier perspective), only the parts it lacks: 'informal care adds
    GBP 1,335 (82% of the GBP 1,632 savings)'. ``fmt`` formats money."""
    parts = savings_parts(headline, perspective, strategy)
    total = sum(v for _, v in parts)
    if first is not None:
        known = {k for k, _ in savings_parts(headline, first, strategy)}
        extra = [(k, v) for k, v in parts if k not in known]
        if not extra:
            return ""
        share = f" ({sum(v for _, v in extra) / total:.0%} of the {fmt(total)} savings)" if total > 0 else ""
        return " and ".join(f"{k} adds {fmt(v)}" for k, v in extra) + share
    gains = [(k, v) for k, v in parts if v > 0][:top]
    rises = [(k, v) for k, v in parts if v < 0]
    text = f"{fmt(total)}"
    if gains:
        text += ": largest parts " + " and ".join(f"{k} {fmt(v)}" for k, v in gains)
    if rises:
        text += "; use of " + " and ".join(k for k, _ in rises) + (" rises" if len(rises) == 1 else " rise") + \
            " (" + ", ".join(fmt(v) for _, v in rises) + ")"
    return text


def contributors_lines(compiled, headline: pd.DataFrame) -> list[str]:
    """Terminal lines naming the largest parts of each option's savings, per perspective."""
    spec = compiled.loaded.spec
    currency = spec.settings.currency
    labels = _strategy_labels(compiled)
    strategies = [s for s in compiled.model.strategy_names if s != compiled.reference]
    perspectives = [p for p in spec.cost_offset.perspectives if (headline.perspective == p).any()]
    if not perspectives:
        return []
    lines = ["", f"Where the savings come from ({PERSPECTIVE_LABELS.get(perspectives[0], perspectives[0])}, per person, "
                 "discounted):"]
    tail = pooled_note(compiled)
    fmt = lambda x: money(x, currency)  # noqa: E731
    # the rows savings_parts reads, picked out once (it is called per option and perspective)
    headline = _headline_rows(headline[(headline.discounting == "discounted")
                                       & headline.measure.str.startswith("offset_")])
    for s in strategies:
        lines.append(f"  {labels.get(s, s)}: {contributors_text(headline, perspectives[0], s, fmt)}")
    for p in perspectives[1:]:
        extra = [(s, contributors_text(headline, p, s, fmt, first=perspectives[0])) for s in strategies]
        extra = [(s, t) for s, t in extra if t]
        if extra:
            lines.append(f"{PERSPECTIVE_LABELS.get(p, p)}:")
            lines += [f"  {labels.get(s, s)}: {t}" for s, t in extra]
    return lines + ([tail] if tail else [])


def pooled_note(compiled) -> str:
    """A note naming the services whose reduction is pooled over settings while others are per setting
    (every option then gets the same pooled reduction, whatever its own data show); '' if none."""
    spec = compiled.loaded.spec
    refs = [getattr(e, "service_use", None) for e in spec.parameters.values()]
    refs = [r for r in refs if r is not None and r.statistic in ("reduction", "relative_change", "effect_reduction")]
    if not any("setting" in r.subgroup for r in refs):
        return ""
    labels = {v.name: (getattr(v, "label", None) or v.name) for v in compiled.values}
    pooled = sorted({labels.get(r.service, r.service) for r in refs if "setting" not in r.subgroup})
    if not pooled:
        return ""
    return ("Pooled over settings (too few events to estimate per setting): " + "; ".join(pooled) +
            ". Every option gets the same reduction in these, whatever its own data show.")


def population_note(compiled) -> str:
    """Where the headline's population comes from (one source: the parameter, equal to the intake schedule)."""
    spec = compiled.loaded.spec
    name = spec.cost_offset.population
    pop = compiled.parameters[name].point
    text = f"Totals for the population are for {pop:,.0f} people (parameter '{name}'"
    budget = spec.budget
    if budget is not None and budget.intake is not None:
        counts = ", ".join(f"{c:,.0f}" for c in budget.intake.counts)
        text += f", the people the intake schedule starts: {counts} a {budget.intake.per}"
    elif budget is not None and budget.eligible is not None and budget.uptake is not None:
        shares = ", ".join(f"{100 * x:.4g}%" for x in budget.uptake.shares)
        eligible = compiled.parameters[budget.eligible].point
        text += (f", the people the budget refers: {eligible:,.0f} eligible ('{budget.eligible}') x uptake of "
                 f"{shares} a {budget.uptake.per}")
    return text + ")."


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
