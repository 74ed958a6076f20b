"""Parameters whose value comes from a table: unit costs, informal-care rates, outcome values, service-use
statistics (SWEMWBS wellbeing among them).

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
        return _unit_cost(context, code, entry)
    if entry.informal_care_rate is not None:
        rate = context.informal_care_rates.get(entry.informal_care_rate)
        value = rate.rate_at(context.price_year, context.indices)
        return value, None, {"source": f"{rate.source} [{rate.status}; {entry.informal_care_rate}]",
                             "unit": f"GBP {context.price_year} per hour"}
    if entry.outcome_value is not None:
        return _outcome_value(context, name, entry.outcome_value)
    ref = entry.service_use
    value = context.service_use_point(name, ref)
    label = "SYNTHETIC data: " if context.service_use.synthetic else ""
    sub = dict(ref.subgroup, **context.subgroup)
    meta = {"source": f"{label}{ref.statistic} of {ref.service} in {context.loaded.spec.data.service_use}"
                      + (f" ({', '.join(f'{k}={v}' for k, v in sub.items())})" if sub else "")
                      + "; person-level bootstrap"}
    return value, BootstrapStatistic(context, name, ref), meta


def _unit_cost(context: DataContext, code: str, entry) -> tuple[float, object, dict]:
    """Value, distribution and metadata of a unit cost (see ``settings.unit_cost_uncertainty``).

    The distribution is a gamma with the table's mean and SE under ``gamma_se``, none (fixed in the PSA)
    under ``fixed``. Unless the scenario writes ``dsa_range``, ``meta`` carries the one-way range: the
    table's ``low``/``high`` (re-based with the cost) when both are given, else the 95% interval of
    that gamma (``range_distribution``: a fixed unit cost is still varied in the one-way analysis), with
    ``range_source``.
    """
    item = context.unit_costs_rebased.get(code)
    mode = context.loaded.spec.settings.unit_cost_uncertainty
    gamma = make_distribution({"dist": "gamma", "mean": item.cost, "se": item.se}) if item.se > 0 else None
    se_basis = "reported" if item.se_basis == "reported" else "default 25%"
    meta = {"source": f"{item.source} [{item.status}; re-based from {context.unit_costs.get(code).price_year} "
                      f"to {item.price_year}; "
                      + (f"SE {se_basis}]" if mode == "gamma_se" else f"fixed in the PSA, SE {se_basis} unused]"),
            "unit": f"GBP {item.price_year} per {item.unit}"}
    if entry.dsa_range is None:
        if item.low is not None and item.high is not None:
            meta.update(low=item.low, high=item.high, range_source="unit-cost table low/high")
        elif mode == "fixed" and gamma is not None:
            # computed when the one-way analysis asks (the gamma's inverse CDF needs scipy, which
            # the base case does not import)
            meta.update(range_distribution=gamma, range_source="95% interval of gamma (table SE)")
    return item.cost, gamma if mode == "gamma_se" else None, meta


def _outcome_value(context: DataContext, name: str, code: str) -> tuple[float, object, dict]:
    """Value and metadata of an outcome value (fixed in the PSA: a policy value, not a sampled input)."""
    from econ.core.errors import DataError

    table = context.outcome_values
    if code not in table:
        close = suggest_codes(code, list(table.values))
        hint = f"; did you mean {', '.join(close)}?" if close else f"; codes: {', '.join(table.values)}"
        raise ScenarioError(context.loaded.problem(("parameters", name, "outcome_value"),
                                                   f"unknown outcome value '{code}' in {table.source_file}{hint}"))
    row = table.get(code)
    try:
        value, year = row.value_at(context.price_year, context.indices)
    except DataError as exc:
        raise ScenarioError(context.loaded.problem(("parameters", name, "outcome_value"), str(exc))) from None
    rebased = (f"re-based from {row.price_year} to {year} ({row.index})" if row.index != "none"
               else f"at {row.price_year} prices, not re-based")
    return value, None, {"source": f"{row.source} [{row.status}; {code}; {rebased}]",
                         "unit": f"GBP {year} prices per {row.unit}"}
