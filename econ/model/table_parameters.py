"""Parameters whose value comes from a table: unit costs, informal-care rates, service-use statistics.

This is where the data context (``econ.inputs.context``) meets the parameter set: a table row
becomes a point value, a distribution (``econ.uncertainty``) and the metadata shown in reports.
"""
from __future__ import annotations

from econ.core.errors import ScenarioError
from econ.inputs.context import BootstrapStatistic, DataContext
from econ.inputs.unit_costs import suggest_codes
from econ.uncertainty.distributions import make_distribution


def resolve_table_parameter(context: DataContext, name: str, entry) -> tuple[float, object, dict]:
    """Value, distribution and extra metadata of a parameter that names a table.

    Returns
    -------
    (point, distribution or None, meta)
        ``meta`` may carry ``source`` and ``unit`` when the scenario gave none.
    """
    if entry.unit_cost is not None:
        code = entry.unit_cost
        if code not in context.unit_costs:
            close = suggest_codes(code, context.unit_costs.codes)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise ScenarioError(context.loaded.problem(("parameters", name, "unit_cost"),
                                                       f"unknown unit-cost code '{code}'{hint}"))
        item = context.unit_costs_rebased.get(code)
        dist = make_distribution({"dist": "gamma", "mean": item.cost, "se": item.se}) if item.se > 0 else None
        meta = {"source": f"{item.source} [{item.status}; re-based from {context.unit_costs.get(code).price_year} "
                          f"to {item.price_year}; SE {'reported' if item.se_basis == 'reported' else 'default 25%'}]",
                "unit": f"GBP {item.price_year} per {item.unit}"}
        return item.cost, dist, meta
    if entry.informal_care_rate is not None:
        rate = context.informal_care_rates.get(entry.informal_care_rate)
        value = rate.rate_at(context.price_year, context.indices)
        return value, None, {"source": f"{rate.source} [{rate.status}; {entry.informal_care_rate}]",
                             "unit": f"GBP {context.price_year} per hour"}
    ref = entry.service_use
    value = context.service_use_point(name, ref)
    label = "SYNTHETIC data: " if context.service_use.synthetic else ""
    sub = dict(ref.subgroup, **context.subgroup)
    meta = {"source": f"{label}{ref.statistic} of {ref.service} in {context.loaded.spec.data.service_use}"
                      + (f" ({', '.join(f'{k}={v}' for k, v in sub.items())})" if sub else "")
                      + "; person-level bootstrap"}
    return value, BootstrapStatistic(context, name, ref), meta
