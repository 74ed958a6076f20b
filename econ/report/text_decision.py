"""Terminal text of the decision views: the efficiency frontier with net benefit, and the budget impact by
payer (split from econ.report.text, whose formatting helpers they use)."""
from __future__ import annotations

import math
import textwrap

import pandas as pd

from econ.report.text import _fixed, _num, _strategy_labels, money
from econ.report.units import prices_text


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
