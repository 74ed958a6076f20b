"""Budget impact by financial year and payer, with 95% bands (ISPOR practice, Sullivan et al. 2014).

Notes
-----
**Who is referred.** With an eligible population E (parameter ``budget.eligible``, one value per draw)
and uptake shares u_y per year (or u_m per month), the people referred in month m from ``budget.start``
are I_m = E u_y / 12 for the months of year y (or E u_m); an ``intake`` schedule gives I_m directly.
Each month's referrals are a cohort; cohorts overlap.

**Amounts.** For a value v, A_v(t) is the undiscounted incremental amount per person referred in model
cycle t (t = 1..T months) of the commissioned strategy against the reference (with ``setting_mix``:
the share-weighted sum over the listed strategies, shares w_s per draw). The amount in calendar month
m is sum_s I_s A_v(m - s + 1) (a convolution); months are summed into UK financial years (April to
March). Values listed in ``budget.set_up`` are one-off set-up costs: their whole amount for the intake,
sum_m I_m sum_t A_v(t), falls in month 0 instead. Amounts are undiscounted (a budget is cash).

**Payers and kinds.** Each cost value belongs to a payer through its sector: nhs -> ``icb`` (NHS
integrated care board), pss -> ``local_authority`` (adult social care), other_public ->
``other_public``, voluntary -> ``voluntary_provider``, informal_care -> ``unpaid_carers``; the
programme's own values (sector ``programme``) are split over payers by ``budget.funding``. Rows:

- ``cost``: the delivery values (``cost_offset.delivery``); part ``set-up`` (values in
  ``budget.set_up``), ``running`` (other programme values), ``in kind`` (delivery values of another
  sector, such as volunteer time: no cash changes hands);
- ``cash saving`` / ``capacity saving``: minus the increment of every other cost value, by the
  service's declared saving type (``costs/saving_types.csv``), part ``total``;
- ``net cash cost`` = set-up + running cost - cash saving; ``net cost`` = every cost - every saving.

Every row exists for each payer and for payer ``total``, which is the sum over payers in each draw,
so the payers' means add up to the total's mean. ``mean`` is the mean over the probabilistic draws,
``low`` and ``high`` their 2.5th and 97.5th percentiles (of that row itself: bands do not add up).
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.core.errors import ScenarioError
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterTable, order_derived
from econ.scenario.schema import PAYERS

#: Payer of each sector's costs (the programme's own costs follow ``budget.funding``).
SECTOR_PAYER = {"nhs": "icb", "pss": "local_authority", "other_public": "other_public",
                "voluntary": "voluntary_provider", "informal_care": "unpaid_carers"}
#: Rows of the table: (kind, part), in order.
ROWS = (("cost", "set-up"), ("cost", "running"), ("cost", "in kind"), ("cash saving", "total"),
        ("capacity saving", "total"), ("net cash cost", "total"), ("net cost", "total"))
COLUMNS = ["strategy", "financial_year", "payer", "kind", "part", "mean", "low", "high"]


def parameter_values(compiled: CompiledScenario, table: ParameterTable, name: str | float) -> np.ndarray:
    """Values of a parameter (or a number) in each draw of ``table``, derived parameters included."""
    if not isinstance(name, str):
        return np.full(table.n_draws, float(name))
    if name in table.columns:
        return np.broadcast_to(np.asarray(table.columns[name], dtype=float), (table.n_draws,)).copy()
    derived = {p.name: p.expression for p in compiled.parameters.derived}
    if name not in derived:
        raise KeyError(name)
    env = dict(table.columns)
    for n in order_derived(derived):
        if derived[n].names <= set(env):
            env[n] = derived[n].evaluate(env)
        if n == name:
            break
    if name not in env:
        raise KeyError(name)
    return np.broadcast_to(np.asarray(env[name], dtype=float), (table.n_draws,)).copy()


def _problem(compiled, path, message):
    return ScenarioError(compiled.loaded.problem(path, message))


def monthly_referrals(compiled: CompiledScenario, table: ParameterTable) -> np.ndarray:
    """People referred in each month from ``budget.start``, shape (draws, months)."""
    b = compiled.loaded.spec.budget
    has_pool = b.eligible is not None or b.uptake is not None
    if b.intake is not None and has_pool:
        raise _problem(compiled, ("budget",), "give either 'intake' or 'eligible' with 'uptake', not both")
    if b.intake is not None:
        counts = np.asarray(b.intake.counts, dtype=float)
        months = counts if b.intake.per == "month" else np.repeat(counts / 12.0, 12)
        return np.tile(months, (table.n_draws, 1))
    if b.eligible is None or b.uptake is None:
        raise _problem(compiled, ("budget",), "the budget needs 'intake', or 'eligible' (a parameter) with 'uptake'")
    try:
        pool = parameter_values(compiled, table, b.eligible)
    except KeyError:
        raise _problem(compiled, ("budget", "eligible"), f"unknown parameter '{b.eligible}'") from None
    shares = np.asarray(b.uptake.shares, dtype=float)
    per_month = shares if b.uptake.per == "month" else np.repeat(shares / 12.0, 12)
    return pool[:, None] * per_month[None, :]


def strategy_weights(compiled: CompiledScenario, table: ParameterTable, strategies) -> dict[str, dict[str, np.ndarray]]:
    """Commissioned options -> {strategy: weight per draw}: each strategy alone, or the ``setting_mix``."""
    b = compiled.loaded.spec.budget
    one = np.ones(table.n_draws)
    if b.setting_mix is None:
        if b.strategy is not None:
            if b.strategy not in strategies:
                raise _problem(compiled, ("budget", "strategy"), f"unknown strategy '{b.strategy}'")
            return {b.strategy: {b.strategy: one}}
        return {s: {s: one} for s in strategies if s != compiled.reference}
    if b.strategy is not None:
        raise _problem(compiled, ("budget", "setting_mix"), "give either 'strategy' or 'setting_mix', not both")
    weights = {}
    for s, share in b.setting_mix.items():
        if s not in strategies or s == compiled.reference:
            raise _problem(compiled, ("budget", "setting_mix", s), f"'{s}' is not a non-reference strategy")
        try:
            weights[s] = parameter_values(compiled, table, share)
        except KeyError:
            raise _problem(compiled, ("budget", "setting_mix", s), f"unknown parameter '{share}'") from None
    total = sum(weights.values())
    if not np.all(np.abs(total - 1.0) <= 1e-9):
        d = int(np.argmax(np.abs(total - 1.0)))
        raise _problem(compiled, ("budget", "setting_mix"), f"shares must sum to 1 (got {total[d]!r} in draw {d})")
    return {"setting_mix": weights}


def _check_funding(compiled) -> dict:
    funding = compiled.loaded.spec.budget.funding
    if abs(sum(funding.values()) - 1.0) > 1e-9:
        raise _problem(compiled, ("budget", "funding"), f"shares must sum to 1 (got {sum(funding.values())!r})")
    return funding


def value_rows(compiled: CompiledScenario, saving_types) -> list[tuple[int, str, str, str, float]]:
    """(output index, kind, part, payer, sign) for every cost value: where its increment goes.

    Delivery values are costs (sign +1), split over the funders for programme values; every other cost
    value is a saving (sign -1) of its sector's payer, cash or capacity as ``saving_types`` says.
    """
    spec = compiled.loaded.spec
    b = spec.budget
    funding = _check_funding(compiled)
    for i, n in enumerate(b.set_up):
        if n not in spec.cost_offset.delivery:
            raise _problem(compiled, ("budget", "set_up", i), f"'{n}' is not one of cost_offset.delivery")
    out, missing = [], []
    for k, v in enumerate(compiled.values):
        if v.kind != "cost":
            continue
        if v.name in spec.cost_offset.delivery:
            if v.sector == "programme":
                part = "set-up" if v.name in b.set_up else "running"
                out += [(k, "cost", part, payer, share) for payer, share in funding.items() if share > 0]
            else:
                out.append((k, "cost", "in kind", SECTOR_PAYER[v.sector], 1.0))
        elif v.name not in saving_types:
            missing.append(v.name)
        else:
            kind = f"{saving_types.get(v.name).saving} saving"
            out.append((k, kind, "total", SECTOR_PAYER[v.sector], -1.0))
    if missing:
        raise ScenarioError([compiled.loaded.problem(("values", n), f"no saving type for '{n}' in "
                                                                    f"{saving_types.path} (add a row: cash or capacity)")
                             for n in missing])
    return out


def _convolve(amounts: np.ndarray, referrals: np.ndarray) -> np.ndarray:
    """Month totals of overlapping cohorts: out[d, o, m] = sum_t amounts[d, o, t] referrals[d, m - t]."""
    n_draws, _, T = amounts.shape
    M = referrals.shape[1]
    lag = np.arange(M + T - 1)[:, None] - np.arange(T)[None, :]  # (months, cycles): cohort month m - t
    valid = (lag >= 0) & (lag < M)
    cohorts = np.where(valid[None], referrals[:, np.clip(lag, 0, M - 1)], 0.0)  # (draws, months, cycles)
    return np.einsum("dot,dmt->dom", amounts, cohorts)


def _stats(x: np.ndarray) -> tuple[float, float, float]:
    return float(x.mean()), float(np.percentile(x, 2.5)), float(np.percentile(x, 97.5))


def budget_impact(compiled: CompiledScenario, *, n_draws: int | None = None, seed: int | None = None,
                  table: ParameterTable | None = None) -> pd.DataFrame:
    """Costs and savings by financial year and payer, with 95% bands from the probabilistic draws.

    Parameters
    ----------
    compiled : CompiledScenario
        A scenario with ``cost_offset`` and ``budget`` blocks and monthly cycles.
    n_draws, seed : int, optional
        Draws of the probabilistic analysis behind the bands (default ``budget.draws``) and their seed
        (default ``settings.seed``); ignored when ``table`` is given.
    table : ParameterTable, optional
        The draws to use (e.g. the point table for a deterministic check: then low = mean = high).

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy`` (the commissioned strategy, or ``setting_mix``), ``financial_year``,
        ``payer`` (icb, local_authority, other_public, voluntary_provider, unpaid_carers, total),
        ``kind`` (cost, cash saving, capacity saving, net cash cost, net cost), ``part`` (set-up,
        running, in kind for costs; total otherwise), ``mean``, ``low``, ``high`` (GBP, undiscounted).
        See the module notes.

    Raises
    ------
    ScenarioError
        Missing or inconsistent ``budget``/``cost_offset`` blocks, cycles that are not months, a
        cost value without a saving type.
    """
    from econ.analysis.budget import financial_years
    from econ.analysis.offset import check_cost_offset
    from econ.inputs.saving_types import DEFAULT_SAVING_TYPES, load_saving_types
    from econ.model.evaluate import evaluate

    spec = compiled.loaded.spec
    if spec.budget is None:
        raise _problem(compiled, (), "the budget impact needs a 'budget' block (start, eligible and uptake or intake)")
    if spec.settings.cycle_length != "month":
        raise _problem(compiled, ("settings", "cycle_length"),
                       f"the budget impact needs monthly cycles (got {spec.settings.cycle_length})")
    check_cost_offset(compiled)
    b = spec.budget
    path = (compiled.loaded.resolve_path(("budget", "saving_types"), b.saving_types) if b.saving_types
            else DEFAULT_SAVING_TYPES)
    rows_of_values = value_rows(compiled, load_saving_types(path))
    if table is None:
        from econ.analysis.psa.run import run_psa

        result = run_psa(compiled, n_draws=int(n_draws or b.draws), seed=seed, keep_cycles=True)
        table, ev = result.table, result.evaluation
    else:
        ev = evaluate(compiled, table, keep_cycles=True)
    referrals = monthly_referrals(compiled, table)
    options = strategy_weights(compiled, table, list(ev.strategies))
    ref = ev.strategies.index(compiled.reference)
    T = ev.per_cycle.shape[-1]
    labels = financial_years(b.start, referrals.shape[1] + T - 1)
    years = list(dict.fromkeys(labels))
    to_year = np.zeros((len(labels), len(years)))
    to_year[np.arange(len(labels)), [years.index(y) for y in labels]] = 1.0
    set_up_idx = [k for k, kind, part, _, _ in rows_of_values if part == "set-up"]
    frames = []
    for option, weights in options.items():
        amounts = sum(w[:, None, None] * (ev.per_cycle[:, ev.strategies.index(s)] - ev.per_cycle[:, ref])
                      for s, w in weights.items())  # (draws, outputs, cycles), per person referred
        monthly = _convolve(amounts, referrals)
        if set_up_idx:
            lump = amounts[:, set_up_idx].sum(axis=-1) * referrals.sum(axis=1)[:, None]
            monthly[:, set_up_idx] = 0.0
            monthly[:, set_up_idx, 0] = lump
        by_year = monthly @ to_year  # (draws, outputs, years)
        frames.append(_table(option, years, by_year, rows_of_values))
    return pd.concat(frames, ignore_index=True)


def _table(option: str, years: list, by_year: np.ndarray, rows_of_values) -> pd.DataFrame:
    """Long rows of one commissioned option from the yearly amounts per output."""
    n_draws, _, n_years = by_year.shape
    acc = {(kind, part, payer): np.zeros((n_draws, n_years)) for kind, part in ROWS[:5] for payer in PAYERS}
    for k, kind, part, payer, sign in rows_of_values:
        acc[(kind, part, payer)] += sign * by_year[:, k]
    for payer in PAYERS:
        cash_cost = acc[("cost", "set-up", payer)] + acc[("cost", "running", payer)]
        acc[("net cash cost", "total", payer)] = cash_cost - acc[("cash saving", "total", payer)]
        acc[("net cost", "total", payer)] = (cash_cost + acc[("cost", "in kind", payer)]
                                             - acc[("cash saving", "total", payer)]
                                             - acc[("capacity saving", "total", payer)])
    rows = []
    for y, fy in enumerate(years):
        for kind, part in ROWS:
            per_payer = [acc[(kind, part, payer)][:, y] for payer in PAYERS]
            for payer, x in zip(PAYERS + ("total",), per_payer + [np.sum(per_payer, axis=0)]):
                rows.append((option, fy, payer, kind, part, *_stats(x)))
    return pd.DataFrame(rows, columns=COLUMNS)
