"""Table context: output formats, display kinds, the column vocabulary and the model facts a table is labelled with."""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Mapping

import numpy as np

from econ.report.units import CURRENCY_SYMBOLS as _UNIT_SYMBOLS, money_note as _money_note


#: Output formats of :func:`export_tables`, in the order they are written.
FORMATS = ("csv", "xlsx", "md", "tex")

#: How the numbers of a column are shown. ``row`` means: the kind of each row (see ``ReportTable.row_kinds``).
KINDS = ("text", "money", "percent", "probability", "attribution", "ratio", "index", "number", "integer",
         "month", "row")

#: Kind of each cost-offset measure (``offset_<category>`` measures are money).
MEASURE_KINDS = {
    "delivery_cost": "money",
    "cost_offset": "money",
    "net_cost": "money",
    "roi": "ratio",
    "bcr": "ratio",
    "net_roi": "percent",
    "sroi_ratio": "ratio",
    "bcr_of_means": "ratio",
    "net_roi_of_means": "percent",
    "break_even_attribution": "attribution",
    "payback_month": "month",
    "share_beyond_window": "percent",
}

#: Spreadsheet symbols of currencies (one list for every renderer); others are written after the number
#: (``#,##0 "CHF"``).
CURRENCY_SYMBOLS = _UNIT_SYMBOLS

#: Label and kind of each column of the tidy vocabulary and of the analysis tables.
COLUMNS: dict[str, tuple[str, str]] = {
    "scenario": ("Scenario", "text"),
    "strategy": ("Strategy", "text"),
    "perspective": ("Perspective", "text"),
    "discounting": ("Discounting", "text"),
    "measure": ("Measure", "text"),
    "basis": ("Basis", "text"),
    "output": ("Output", "text"),
    "parameter": ("Parameter", "text"),
    "description": ("Description", "text"),
    "state": ("State", "text"),
    "category": ("Category", "text"),
    "service": ("Service", "text"),
    "value": ("Value", "row"),
    "unit": ("Unit", "text"),
    "distribution": ("Distribution", "text"),
    "source": ("Source", "text"),
    "type": ("Type", "text"),
    "range_source": ("Range from", "text"),
    "draw": ("Draw", "integer"),
    "cycle": ("Cycle", "integer"),
    "per_participant": ("Per person", "row"),
    "population": ("Whole programme", "row"),
    "population_mean": ("Whole programme (mean)", "row"),
    "financial_year": ("Financial year", "text"),
    "people_starting": ("People starting", "integer"),
    "delivery_cost": ("Programme cost", "money"),
    "cost_offset": ("Savings", "money"),
    "net_cost": ("Net cost", "money"),
    "cumulative_net_cost": ("Cumulative net cost", "money"),
    "share": ("Share of people", "percent"),
    "mean": ("Mean", "row"),
    "sd": ("SD", "row"),
    "mcse": ("Monte Carlo SE", "row"),
    "p2.5": ("2.5th percentile", "row"),
    "p97.5": ("97.5th percentile", "row"),
    "lower": ("Lower 95% limit", "row"),
    "upper": ("Upper 95% limit", "row"),
    "prob_negative": ("Probability below 0", "probability"),
    "prob_cost_saving": ("Probability of saving money", "probability"),
    "prob_roi_above_1": ("Probability savings exceed cost", "probability"),
    "mcse_cost_saving": ("Monte Carlo SE of the probability", "probability"),
    "n_draws": ("Draws", "integer"),
    "rel_mcse": ("Monte Carlo SE / mean", "probability"),
    "change": ("Distance from final mean (final SEs)", "ratio"),
    "inc_cost": ("Incremental cost", "money"),
    "inc_effect": ("Incremental effect", "number"),
    "icer": ("Cost per unit of effect (ICER)", "money"),
    "prob_dominant": ("Probability cheaper and more effective", "probability"),
    "prob_dominated": ("Probability dearer and less effective", "probability"),
    "wtp": ("Willingness to pay", "money"),
    "mean_nmb": ("Mean net monetary benefit", "money"),
    "prob_optimal": ("Probability cost-effective", "probability"),
    "on_frontier": ("Best on average", "text"),
    "evpi_per_person": ("EVPI per person", "money"),
    "evpi_population": ("EVPI, whole population", "money"),
    "base_value": ("Base value", "number"),
    "low_value": ("Low value", "number"),
    "high_value": ("High value", "number"),
    "output_low": ("Result at low value", "row"),
    "output_high": ("Result at high value", "row"),
    "swing": ("Swing", "row"),
    "base": ("Base-case result", "row"),
    "S1": ("First-order index", "index"),
    "S1_conf": ("First-order index, 95% half-width", "index"),
    "ST": ("Total-order index", "index"),
    "ST_conf": ("Total-order index, 95% half-width", "index"),
    "mu": ("Mean elementary effect", "row"),
    "mu_star": ("Mean absolute elementary effect (mu*)", "row"),
    "mu_star_conf": ("mu*, 95% half-width", "row"),
    "sigma": ("SD of elementary effects (sigma)", "row"),
}

#: Excel number formats per kind (money formats are built per currency by :func:`xlsx_number_format`).
XLSX_FORMATS = {
    "percent": "0%",
    "attribution": "0%",
    "probability": "0.0%",
    "ratio": "0.00",
    "index": "0.00",
    "number": "#,##0.####",
    "integer": "#,##0",
    "month": "0",
    "text": "@",
}

_NUMERIC_KINDS = frozenset(KINDS) - {"text"}

#: Kinds written with a currency unit in column headers and row labels.
_MONEY = "money"


@dataclass(frozen=True)
class TableContext:
    """Labels and units of one scenario (or several merged), used to label every table.

    Attributes
    ----------
    scenario : str
        Scenario name(s), for captions.
    currency : str
        Currency code, e.g. ``GBP``.
    price_year : str or None
        Price year of all money, e.g. ``2023/24``.
    n_cycles : int or None
        Time horizon in cycles (used in "not within 36 months").
    cycle_length : str
        ``month``, ``year``, ...
    discount_rate : float or None
        Discount rate per year for costs.
    reference : str or None
        Code of the reference strategy.
    strategies, values, states, parameters : dict
        Code -> label (parameters: code -> description).
    value_kinds : dict
        Value or total name -> ``money`` (a cost) or ``number`` (an outcome).
    population : float or None
        People in the commissioned programme (the ``cost_offset.population`` parameter).
    synthetic : bool
        Any input is synthetic data.
    effect : str or None
        The ``icer`` block's effect (value name), which the net monetary benefit is per unit of.
    """

    scenario: str = ""
    currency: str = "GBP"
    price_year: str | None = None
    n_cycles: int | None = None
    cycle_length: str = "cycle"
    discount_rate: float | None = None
    reference: str | None = None
    strategies: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, str] = field(default_factory=dict)
    value_kinds: Mapping[str, str] = field(default_factory=dict)
    states: Mapping[str, str] = field(default_factory=dict)
    parameters: Mapping[str, str] = field(default_factory=dict)
    population: float | None = None
    synthetic: bool = False
    effect: str | None = None

    def strategy(self, code: Any) -> str:
        return self.strategies.get(code, str(code))

    def money_unit(self) -> str:
        return self.currency

    def money_note(self) -> str:
        """'Money in GBP at 2023/24 prices' ('at prices as entered' without a price year)."""
        return _money_note(self.currency, self.price_year)

    def merged(self, other: "TableContext") -> "TableContext":
        """A context whose label dictionaries hold both (this one wins on clashes)."""
        return replace(self, scenario=", ".join(x for x in (self.scenario, other.scenario) if x),
                       strategies={**other.strategies, **self.strategies},
                       values={**other.values, **self.values},
                       value_kinds={**other.value_kinds, **self.value_kinds},
                       states={**other.states, **self.states},
                       parameters={**other.parameters, **self.parameters},
                       synthetic=self.synthetic or other.synthetic)


def context_for(compiled) -> TableContext:
    """The :class:`TableContext` of a compiled scenario (labels as written in its YAML)."""
    spec = compiled.loaded.spec
    st = spec.settings
    values = {v.name: (getattr(v, "label", None) or v.name) for v in compiled.values}
    # a cost, or an outcome valued in money (its unit starts with the currency, e.g. 'GBP 2019 prices')
    kinds = {v.name: ("money" if v.kind == "cost" or (getattr(v, "unit", "") or "").startswith(st.currency)
                      else "number") for v in compiled.values}
    for total, members in compiled.totals.items():
        values.setdefault(total, total.replace("_", " ").capitalize())
        member_kinds = {kinds.get(m) for m in members}
        kinds[total] = "money" if member_kinds == {"money"} else "number"
    population = None
    co = spec.cost_offset
    if co is not None and co.population and co.population in compiled.parameters.parameters:
        point = compiled.parameters[co.population].point
        population = float(point) if point is not None and np.ndim(point) == 0 else None
    return TableContext(
        scenario=spec.metadata.name, currency=st.currency, price_year=st.price_year, n_cycles=st.n_cycles,
        cycle_length=st.cycle_length, discount_rate=st.discount_rate_costs, reference=compiled.reference,
        strategies={name: (s.label or name) for name, s in spec.strategies.items()},
        values=values, value_kinds=kinds,
        states={name: (s.label or name) for name, s in spec.states.items()},
        parameters={p.name: p.description or _describe_parameter(p.name, values)
                    for p in compiled.parameters.parameters.values()},
        population=population, synthetic=bool(compiled.synthetic),
        effect=compiled.icer[1] if compiled.icer is not None else None)


_SETTINGS = {"group": "group", "121": "one-to-one", "online": "online"}
_PREFIXES = {"r": "Fall in use of {v}", "u": "Use of {v} without peer support", "c": "Unit cost of {v}"}


def _describe_parameter(name: str, values: Mapping[str, str]) -> str:
    """A label for a parameter written without a description, from the naming conventions of STYLE.md.

    ``r_<value>[_<setting>]`` is the fall in use of a service, ``u_`` its use without peer support,
    ``c_`` its unit cost; anything else gets no label ('').
    """
    m = re.fullmatch(r"(?P<p>[ruc])_(?P<v>.+?)(?:_(?P<s>group|121|online))?", name)
    if not m or m.group("v") not in values:
        return ""
    label = values[m.group("v")]
    text = _PREFIXES[m.group("p")].format(v=label[:1].lower() + label[1:] if not label[:2].isupper() else label)
    return text + (f" ({_SETTINGS[m.group('s')]})" if m.group("s") else "")
