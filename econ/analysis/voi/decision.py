"""The decision a value-of-information analysis values: net benefit per draw and strategy, population, inputs.

Notes
-----
Objectives:

- ``nmb`` (scenarios with an ``icer`` block): NB_ds = lambda E_ds - C_ds at each threshold lambda,
  with C and E the ``icer`` block's discounted cost and effect per person;
- ``net_cost`` (scenarios with a ``cost_offset`` block: "fund it or not"): NB_ds = -(net cost of s
  against the reference) under each perspective, discounted, so the reference (usual care) has
  NB = 0 and a strategy is chosen when it is expected to save money.

Population (people the decision affects, discounted): by default the scenario's budget intake
schedule, sum over months m < 12 H of I_m / (1 + r)^(m / 12), with H the decision horizon in years
(default: the length of the schedule) and r the annual discount rate (default: the scenario's
``discount_rate_costs``). People beyond the schedule are not invented: a horizon longer than the
schedule counts the schedule only. Without a budget block, the point value of
``cost_offset.population`` (undiscounted, all at once); or a number given by the user.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass

import numpy as np

from econ.analysis.draws import BOOTSTRAP_COLUMN, uncertain_inputs
from econ.core.errors import EconError, Problem, ScenarioError

#: Thresholds (money per unit of effect) used when the objective is NMB and none are given.
DEFAULT_THRESHOLDS = (20_000.0, 30_000.0)

OBJECTIVES = ("nmb", "net_cost")


@dataclass(frozen=True)
class Decision:
    """Net benefit per person of each strategy in each draw, under one perspective or threshold."""

    perspective: str  # perspective name, or "icer" for NMB
    objective: str
    threshold: float  # lambda for NMB; NaN for net cost
    strategies: tuple
    nb: np.ndarray  # (draws, strategies), reference first


def decisions(result, *, objective: str | None = None, thresholds=None, perspectives=None) -> list[Decision]:
    """The decisions of a PSA result (see the module notes).

    Parameters
    ----------
    result : econ.analysis.psa.PsaResult
    objective : {"nmb", "net_cost"}, optional
        Default: ``net_cost`` when the scenario has a ``cost_offset`` block (the commissioner's decision,
        also when it declares an ``icer`` block too), else ``nmb`` when it has an ``icer`` block.
    thresholds : sequence of float, optional
        Willingness to pay per unit of effect for ``nmb`` (default :data:`DEFAULT_THRESHOLDS`).
    perspectives : sequence of str, optional
        For ``net_cost`` (default: the scenario's ``cost_offset.perspectives``).

    Returns
    -------
    list of Decision
        Strategies reordered so the reference comes first.

    Raises
    ------
    ScenarioError
        The objective needs a block the scenario lacks.
    """
    from econ.analysis.offset import check_cost_offset, measures

    compiled = result.compiled
    spec = compiled.loaded.spec
    if objective is None:
        objective = "nmb" if compiled.icer is not None and spec.cost_offset is None else "net_cost"
    if objective not in OBJECTIVES:
        raise EconError(Problem(f"objective must be one of {', '.join(OBJECTIVES)} (got {objective!r})", None,
                                "objective"))
    ev = result.evaluation
    ref = ev.strategies.index(compiled.reference)
    order = [ref] + [k for k in range(len(ev.strategies)) if k != ref]
    strategies = tuple(ev.strategies[k] for k in order)
    out = []
    if objective == "nmb":
        if compiled.icer is None:
            raise ScenarioError(compiled.loaded.problem((), "objective 'nmb' needs an 'icer' block (cost, effect)"))
        cost, effect = compiled.icer
        c, e = ev.output(cost)[:, order], ev.output(effect)[:, order]
        lams = np.atleast_1d(np.asarray(DEFAULT_THRESHOLDS if thresholds is None else thresholds, dtype=float))
        if lams.ndim != 1 or lams.size == 0 or not np.all(np.isfinite(lams)):
            raise EconError(Problem(f"thresholds must be finite numbers (got {thresholds!r})", None, "wtp"))
        for lam in lams:
            out.append(Decision("icer", "nmb", float(lam), strategies, lam * e - c))
        return out
    check_cost_offset(compiled)
    for p in perspectives or spec.cost_offset.perspectives:
        net = measures(compiled, ev, p, discounted=True)["net_cost"][:, order]
        out.append(Decision(p, "net_cost", float("nan"), strategies, -net))
    return out


def decision_population(compiled, *, population: float | None = None, horizon_years: float | None = None,
                        discount_rate: float | None = None) -> dict:
    """People affected by the decision (see the module notes).

    Returns
    -------
    dict
        ``population`` (float, NaN if unknown), ``source`` (words), ``horizon_years``, ``discount_rate``.
    """
    spec = compiled.loaded.spec
    rate = spec.settings.discount_rate_costs if discount_rate is None else float(discount_rate)
    if population is not None:
        return {"population": float(population), "source": "given", "horizon_years": horizon_years,
                "discount_rate": discount_rate}
    if horizon_years is not None and not horizon_years > 0:
        raise EconError(Problem(f"decision horizon must be > 0 years (got {horizon_years})", None, "horizon"))
    if not rate > -1:
        raise EconError(Problem(f"discount rate must be > -1 (got {rate})", None, "discount_rate"))
    if spec.budget is not None and spec.settings.cycle_length == "month":
        from econ.analysis.budget import monthly_intake

        intake = monthly_intake(compiled)
        h = len(intake) / 12.0 if horizon_years is None else float(horizon_years)
        months = np.arange(len(intake))
        keep = months < 12.0 * h
        pop = float(np.sum(intake[keep] / (1.0 + rate) ** (months[keep] / 12.0)))
        return {"population": pop, "source": f"budget intake schedule over {h:g} years, discounted at {rate:g}",
                "horizon_years": h, "discount_rate": rate}
    co = spec.cost_offset
    if co is not None and co.population is not None:
        pop = float(np.asarray(compiled.parameters[co.population].point))
        return {"population": pop, "source": f"parameter {co.population} (undiscounted)", "horizon_years": None,
                "discount_rate": None}
    return {"population": float("nan"), "source": "unknown (give --population)", "horizon_years": None,
            "discount_rate": None}


@dataclass(frozen=True)
class InputSet:
    """Parameters whose EVPPI is estimated together, under a label."""

    label: str
    columns: tuple  # ParameterTable columns


def input_columns(compiled, name: str) -> tuple:
    """ParameterTable columns of one uncertain parameter name (or ``service_use_data``).

    Raises
    ------
    EconError
        Unknown name (with suggestions), or a parameter fixed in the PSA or computed from others.
    """
    pset = compiled.parameters
    inputs = uncertain_inputs(pset)
    if name == BOOTSTRAP_COLUMN:
        for inp in inputs:
            if inp.name == BOOTSTRAP_COLUMN:
                return tuple(inp.parameters)
        raise EconError(Problem(f"'{BOOTSTRAP_COLUMN}': the scenario draws no service-use statistics", None,
                                "parameters"))
    if name not in pset.parameters:
        close = difflib.get_close_matches(name, list(pset.parameters) + [BOOTSTRAP_COLUMN], n=2)
        hint = f" (did you mean {' or '.join(close)}?)" if close else ""
        raise EconError(Problem(f"unknown parameter '{name}'{hint}", None, "parameters"))
    p = pset[name]
    if p.is_derived:
        raise EconError(Problem(f"'{name}' is computed from other parameters; name those instead", None,
                                "parameters"))
    if not p.is_uncertain:
        raise EconError(Problem(f"'{name}' has no distribution (fixed in the PSA): its EVPPI is 0", None,
                                "parameters"))
    return tuple(p.components)


def default_input_sets(compiled) -> list[InputSet]:
    """Each uncertain input on its own (a Dirichlet's components together; the service-use statistics,
    drawn jointly from one bootstrap replicate, as the one group ``service_use_data``)."""
    out = []
    for inp in uncertain_inputs(compiled.parameters):
        if inp.name == BOOTSTRAP_COLUMN:
            out.append(InputSet(BOOTSTRAP_COLUMN, tuple(inp.parameters)))
        else:
            out.append(InputSet(inp.name, tuple(compiled.parameters[inp.name].components)))
    return out


def input_sets(compiled, *, parameters=None, groups=None) -> list[InputSet]:
    """Input sets from names and ``label -> names`` groups (default :func:`default_input_sets`)."""
    if parameters is None and not groups:
        return default_input_sets(compiled)
    out = [InputSet(n, input_columns(compiled, n)) for n in (parameters or [])]
    for label, names in (groups or {}).items():
        cols = tuple(dict.fromkeys(c for n in names for c in input_columns(compiled, n)))
        out.append(InputSet(label, cols))
    return out


def input_matrix(table, columns) -> np.ndarray:
    """(draws, len(columns)) values of the given ParameterTable columns."""
    return np.column_stack([np.asarray(table.columns[c], dtype=float) for c in columns])
