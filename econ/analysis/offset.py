"""Cost-offset measures of an intervention against the reference strategy, by perspective.

Notes
-----
For strategy s against the reference r, under perspective P (the sectors it counts):

- delivery cost D = sum over the delivery values that count under P (sector ``programme``, or a sector
  of P: volunteer time, sector ``voluntary``, counts in the societal perspective only) of (v_s - v_r);
- offset by category k: O_k = -(sum over non-delivery cost values v of category k and sector in P of
  (v_s - v_r)): a saving is positive;
- cost offset O = sum_k O_k;  net cost N = D - O;
- benefit-cost ratio BCR = O / D (also written ``roi``, its name before issue 16); net return on
  investment net ROI = (O - D) / D, computed as BCR - 1 so that the identity holds exactly;
- SROI-style ratio (with ``cost_offset.sroi``): sum over years y of O_y (1 - deadweight)
  (1 - attribution) (1 - displacement) (1 - drop_off)^(y - 1), over D, where O_y is the saving of the
  cycles in year y (cycle t is in year floor((t - 1) x cycle_years) + 1); needs per-cycle amounts;
- break-even attribution a*: the attribution at which N = 0. N is linear in attribution when
  attribution only scales service use (as in the peer-support model), so a* = N(0) / (N(0) - N(1));
  this is checked by evaluating N(a*) and, if the model is not linear, found by bracketing root
  finding on [0, 1] instead;
- payback month: the first cycle t at which the cumulative net cost sum_{u<=t} N(u) is <= 0;
- for each outcome o of ``cost_offset.outcomes``: the gain G_o = o_s - o_r and the net cost per unit
  gained N / G_o (over several draws, mean N / mean G_o: a ratio of means); with an ``icer`` block whose
  effect e is one of them, the incremental net monetary benefit lambda G_e - N at each default
  threshold lambda (GBP 20,000 and 30,000 per unit).
- share of the saving beyond the observed window: sum_t O(t) (1 - w_t) / sum_t O(t), with O(t) the
  offset in cycle t and w_t the share of cycle t inside the ``effect`` block's follow-up window.

Per-participant figures are per person starting the intervention; population figures multiply
them by the ``population`` parameter.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from econ.core.errors import Problem, ScenarioError
from econ.model.evaluate import Evaluation, evaluate
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterTable
from econ.scenario.schema import PERSPECTIVES, sector_counts

#: |net cost| accepted at the break-even attribution, relative to the delivery cost.
BREAK_EVEN_TOLERANCE = 1e-10
#: Measures that are ratios: their population figure is the per-participant figure.
RATIO_MEASURES = ("roi", "bcr", "net_roi", "sroi_ratio")
#: The word written (in the headline's ``note`` column, the terminal and the report) where break-even
#: cannot be reached.
NEVER = "never"


def check_cost_offset(compiled: CompiledScenario) -> None:
    """Raise ScenarioError unless the scenario's ``cost_offset`` block is consistent."""
    spec = compiled.loaded.spec
    co = spec.cost_offset
    if co is None:
        raise ScenarioError(compiled.loaded.problem((), "this command needs a 'cost_offset' block "
                                                        "(delivery values, attribution, population)"))
    problems = []
    for i, name in enumerate(co.delivery):
        if name not in spec.values:
            problems.append(compiled.loaded.problem(("cost_offset", "delivery", i), f"unknown value '{name}'"))
        elif spec.values[name].kind != "cost":
            problems.append(compiled.loaded.problem(("cost_offset", "delivery", i), f"'{name}' is not a cost"))
    for key in ("attribution", "population"):
        name = getattr(co, key)
        if name is not None and name not in compiled.parameters.columns:
            problems.append(compiled.loaded.problem(("cost_offset", key),
                                                    f"'{name}' must be a parameter with a value (not an expression)"))
    for i, name in enumerate(co.outcomes):
        if name not in compiled.output_names or compiled.kind_of(name) != "outcome":
            problems.append(compiled.loaded.problem(("cost_offset", "outcomes", i),
                                                    f"'{name}' is not a value or total of kind outcome"))
    for vname, v in spec.values.items():
        if v.kind == "cost" and not v.sector:
            problems.append(compiled.loaded.problem(("values", vname), "a cost needs a 'sector' for perspectives "
                                                                       "(nhs, pss, other_public, voluntary, "
                                                                       "informal_care, programme)"))
    if problems:
        raise ScenarioError(problems)


@dataclass(frozen=True)
class OffsetLayout:
    """Which outputs make up delivery, and the offset by category, under one perspective."""

    perspective: str
    delivery: tuple  # output indices
    categories: dict  # category -> tuple of output indices


def layout(compiled: CompiledScenario, perspective: str) -> OffsetLayout:
    spec = compiled.loaded.spec
    names = [v.name for v in compiled.values]
    delivery = tuple(names.index(n) for n in spec.cost_offset.delivery
                     if sector_counts(compiled.values[names.index(n)].sector, perspective))
    all_delivery = {names.index(n) for n in spec.cost_offset.delivery}
    sectors = set(PERSPECTIVES[perspective])
    cats: dict[str, list[int]] = {}
    for i, v in enumerate(compiled.values):
        if v.kind != "cost" or i in all_delivery:
            continue
        if v.sector in sectors:
            cats.setdefault(v.category or v.name, []).append(i)
    return OffsetLayout(perspective, delivery, {k: tuple(v) for k, v in cats.items()})


def measures(compiled: CompiledScenario, ev: Evaluation, perspective: str, *, discounted: bool = True) -> dict:
    """Offset measures per draw and strategy: name -> ndarray (draws, strategies).

    Keys: ``delivery_cost``, ``offset_<category>`` ..., ``cost_offset``, ``net_cost``, ``roi`` (the
    benefit-cost ratio under its old name), ``bcr``, ``net_roi`` and, when the scenario declares
    ``cost_offset.sroi`` and ``ev`` kept per-cycle amounts, ``sroi_ratio``.
    """
    lay = layout(compiled, perspective)
    tot = ev.totals if discounted else ev.totals_undiscounted
    ref = ev.strategies.index(compiled.reference)
    inc = tot - tot[:, ref : ref + 1, :]
    out = {"delivery_cost": inc[:, :, list(lay.delivery)].sum(axis=-1)}
    offset = np.zeros_like(out["delivery_cost"])
    for cat, idx in lay.categories.items():
        o = -inc[:, :, list(idx)].sum(axis=-1)
        out[f"offset_{cat}"] = o
        offset = offset + o
    out["cost_offset"] = offset
    out["net_cost"] = out["delivery_cost"] - offset
    with np.errstate(divide="ignore", invalid="ignore"):
        out["roi"] = np.where(out["delivery_cost"] != 0, offset / out["delivery_cost"], np.nan)
    out["bcr"] = out["roi"]
    out["net_roi"] = out["bcr"] - 1.0
    sroi = compiled.loaded.spec.cost_offset.sroi
    if sroi is not None and ev.per_cycle is not None:
        out["sroi_ratio"] = sroi_ratio(compiled, ev, lay, sroi, discounted=discounted)
    return out


def sroi_weights(sroi, n_cycles: int, cycle_years: float) -> np.ndarray:
    """Weight of each cycle's saving in the SROI-style ratio (see the module notes), shape (cycles,)."""
    year = np.floor(np.arange(n_cycles) * cycle_years + 1e-9)  # 0-based year of cycle t = 1..T
    keep = (1.0 - sroi.deadweight) * (1.0 - sroi.attribution) * (1.0 - sroi.displacement)
    return keep * (1.0 - sroi.drop_off) ** year


def sroi_ratio(compiled: CompiledScenario, ev: Evaluation, lay: OffsetLayout, sroi, *, discounted: bool) -> np.ndarray:
    """SROI-style ratio per draw and strategy: adjusted savings over the delivery cost."""
    pc = ev.per_cycle_discounted if discounted else ev.per_cycle
    ref = ev.strategies.index(compiled.reference)
    offset_idx = [i for idx in lay.categories.values() for i in idx]
    saving = -(pc[:, :, offset_idx] - pc[:, ref : ref + 1, offset_idx]).sum(axis=2)  # (draws, strategies, cycles)
    w = sroi_weights(sroi, pc.shape[-1], compiled.model.cycle_years)
    tot = ev.totals if discounted else ev.totals_undiscounted
    delivery = (tot[:, :, list(lay.delivery)] - tot[:, ref : ref + 1, list(lay.delivery)]).sum(axis=-1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(delivery != 0, (saving * w).sum(axis=-1) / delivery, np.nan)


def perspective_has_own_costs(compiled: CompiledScenario, perspective: str) -> bool:
    """Whether some cost value of the scenario belongs to a sector that ``perspective`` adds to the next
    narrower perspective (nhs < nhs_pss < public_sector < societal). ``nhs`` always has its own."""
    order = ("nhs", "nhs_pss", "public_sector", "societal")
    k = order.index(perspective)
    if k == 0:
        return True
    added = set(PERSPECTIVES[perspective]) - set(PERSPECTIVES[order[k - 1]])
    return any(v.kind == "cost" and v.sector in added for v in compiled.values)


def _per_cycle_parts(compiled: CompiledScenario, ev: Evaluation, perspective: str, discounted: bool):
    """(layout, per-cycle amounts (draws, strategies, cycles, values), reference index, cost-offset value
    indices) of one perspective."""
    if ev.per_cycle is None:
        raise ValueError("needs per-cycle amounts (evaluate with keep_cycles=True)")
    lay = layout(compiled, perspective)
    pc = ev.per_cycle_discounted if discounted else ev.per_cycle
    offset_idx = [i for idx in lay.categories.values() for i in idx]
    return lay, pc, ev.strategies.index(compiled.reference), offset_idx


def cumulative_net_cost(compiled: CompiledScenario, ev: Evaluation, perspective: str, *,
                        discounted: bool = True) -> np.ndarray:
    """Cumulative net cost per person by cycle, shape (draws, strategies, cycles)."""
    lay, pc, ref, offset_idx = _per_cycle_parts(compiled, ev, perspective, discounted)
    inc = pc - pc[:, ref : ref + 1]
    net = inc[:, :, list(lay.delivery)].sum(axis=2) + inc[:, :, offset_idx].sum(axis=2)
    return np.cumsum(net, axis=-1)


def offset_by_cycle(compiled: CompiledScenario, ev: Evaluation, perspective: str, *,
                    discounted: bool = True) -> np.ndarray:
    """Cost offset (saving) per person in each cycle, shape (draws, strategies, cycles)."""
    _lay, pc, ref, offset_idx = _per_cycle_parts(compiled, ev, perspective, discounted)
    inc = pc[:, :, offset_idx] - pc[:, ref: ref + 1, offset_idx]
    return -inc.sum(axis=2)


def saving_beyond_window(compiled: CompiledScenario, ev: Evaluation, perspective: str, *,
                         discounted: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """(saving beyond the observed window, whole saving) per draw and strategy.

    The window is the ``effect`` block's ``follow_up_months``; a cycle that straddles its end counts
    by its share outside (``econ.model.effect.window_inside``). The share of the saving beyond the
    window is the first over the second (reported by :func:`headline` as ``share_beyond_window``).
    """
    from econ.model.effect import window_inside

    per_cycle = offset_by_cycle(compiled, ev, perspective, discounted=discounted)
    outside = 1.0 - window_inside(compiled.loaded.spec)
    return (per_cycle * outside).sum(axis=-1), per_cycle.sum(axis=-1)


def payback_cycle(cum_net: np.ndarray) -> np.ndarray:
    """First cycle (1-based) with cumulative net cost <= 0; NaN if none within the horizon."""
    hit = cum_net <= 0
    first = np.argmax(hit, axis=-1).astype(float) + 1
    return np.where(hit.any(axis=-1), first, np.nan)


def _stack(table: ParameterTable, name: str, values: list) -> ParameterTable:
    """Copies of ``table`` one after another, with column ``name`` set to each entry of ``values``."""
    n = table.n_draws
    cols = {k: np.tile(v, len(values)) for k, v in table.columns.items()}
    cols[name] = np.concatenate([np.broadcast_to(np.asarray(v, dtype=float), (n,)) for v in values])
    return ParameterTable(cols, n * len(values))


def _rows(ev: Evaluation, start: int, stop: int) -> Evaluation:
    return Evaluation(ev.outputs, ev.strategies, ev.totals[start:stop], ev.totals_undiscounted[start:stop])


def base_case_and_ends(compiled: CompiledScenario) -> tuple[Evaluation, Evaluation] | None:
    """The base case (per-cycle amounts and trace kept) and the evaluation :func:`break_even_attributions`
    starts from (the attribution at 0, then at 1), evaluated in one go: one engine run instead of two
    (start-up, issue 19; the same numbers, each draw being computed on its own). None without
    ``cost_offset.attribution``, or when that evaluation fails (the caller then evaluates each on its
    own, so any error names the draw it always has)."""
    from econ.core.errors import EconError

    spec = compiled.loaded.spec
    name = spec.cost_offset.attribution if spec.cost_offset is not None else None
    if name is None:
        return None
    table = compiled.parameters.point_table()
    if name not in table.columns:
        return None
    try:
        ev = evaluate(compiled, _stack(table, name, [table.columns[name], 0.0, 1.0]), keep_cycles=True,
                      keep_trace=True)
    except EconError:
        return None
    return ev.rows(0, 1), ev.rows(1, 3)


def break_even_attributions(compiled: CompiledScenario, table: ParameterTable, combos, *,
                            ends: Evaluation | None = None) -> dict:
    """Break-even attribution for several (perspective, discounted) pairs, sharing evaluations.

    ``ends``, when given, is that of ``table`` with the attribution at 0, then at 1 (e.g. from
    :func:`base_case_and_ends`); it is used instead of evaluating it again.

    Returns
    -------
    dict
        (perspective, discounted) -> ndarray (draws, strategies). Values outside [0, 1] are kept:
        above 1 means the intervention does not pay back even if all of the observed change were
        caused by it; below 0, that the net cost rises with the effect. NaN where the net cost does
        not depend on attribution.
    """
    name = compiled.loaded.spec.cost_offset.attribution
    if name is None:
        raise ScenarioError(Problem("cost_offset.attribution is not set; no break-even attribution"))
    n = table.n_draws
    ev = ends if ends is not None else evaluate(compiled, _stack(table, name, [0.0, 1.0]))
    if ev.n_draws != 2 * n:
        raise ValueError(f"the evaluation of the attribution ends needs {2 * n} draws (got {ev.n_draws})")
    ev0, ev1 = _rows(ev, 0, n), _rows(ev, n, 2 * n)
    combos = list(combos)
    out, trials = {}, []
    for persp, disc in combos:
        n0 = measures(compiled, ev0, persp, discounted=disc)["net_cost"]
        n1 = measures(compiled, ev1, persp, discounted=disc)["net_cost"]
        slope = n1 - n0
        with np.errstate(divide="ignore", invalid="ignore"):
            a_star = np.where(slope != 0, -n0 / slope, np.nan)
        out[(persp, disc)] = a_star
        for s in range(a_star.shape[1]):
            trials.append((persp, disc, s, np.where(np.isfinite(a_star[:, s]), a_star[:, s], 0.0), n0))
    # Check N(a*) = 0 in one evaluation; where the model is not linear in attribution, root-find.
    ev_check = evaluate(compiled, _stack(table, name, [t[3] for t in trials]))
    for i, (persp, disc, s, _, n0) in enumerate(trials):
        net = measures(compiled, _rows(ev_check, i * n, (i + 1) * n), persp, discounted=disc)["net_cost"][:, s]
        a_star = out[(persp, disc)]
        scale = np.maximum(np.abs(n0[:, s]), 1.0)
        bad = np.isfinite(a_star[:, s]) & (np.abs(net) > BREAK_EVEN_TOLERANCE * scale)
        for d in np.nonzero(bad)[0]:
            one = table.slice(d, d + 1)

            def f(a, one=one, persp=persp, disc=disc, s=s):
                e = evaluate(compiled, one.with_values(**{name: a}))
                return measures(compiled, e, persp, discounted=disc)["net_cost"][0, s]

            a_star[d, s] = _root(f)
    return out


def break_even_attribution(compiled: CompiledScenario, table: ParameterTable, perspective: str, *,
                           discounted: bool = True) -> np.ndarray:
    """Attribution at which the net cost is 0, per draw and strategy (see :func:`break_even_attributions`)."""
    return break_even_attributions(compiled, table, [(perspective, discounted)])[(perspective, discounted)]


def _root(f) -> float:
    from scipy.optimize import brentq

    lo, hi = f(0.0), f(1.0)
    if np.sign(lo) == np.sign(hi):
        return np.nan
    return brentq(f, 0.0, 1.0, xtol=1e-14, rtol=1e-14)


def check_evaluation(ev: Evaluation, table: ParameterTable) -> None:
    """An evaluation passed in must have per-cycle amounts and one row per draw of the table."""
    if ev.per_cycle is None or ev.totals.shape[0] != table.n_draws:
        raise ValueError("the evaluation passed in needs per-cycle amounts (keep_cycles=True) for every draw "
                         f"of the table ({table.n_draws})")


def headline(compiled: CompiledScenario, *, table: ParameterTable | None = None,
             perspectives=None, evaluation: Evaluation | None = None,
             ends: Evaluation | None = None) -> pd.DataFrame:
    """Headline cost-offset table (base case, or the mean over the draws of ``table``).

    Returns
    -------
    pandas.DataFrame
        Long table with columns ``perspective``, ``discounting`` ('discounted' | 'undiscounted'),
        ``strategy``, ``measure``, ``per_participant``, ``population`` (float) and ``note``. Measures:
        delivery_cost, offset_<category>..., cost_offset, net_cost, roi (= bcr), bcr, net_roi,
        sroi_ratio (with ``cost_offset.sroi``), break_even_attribution, payback_month, with an ``effect`` block
        ``share_beyond_window`` (the share of the cost offset that falls beyond the data's follow-up window, a
        ratio of means over the draws), and for
        ``cost_offset.outcomes``: gain_<outcome>, cost_per_<outcome> and nmb_<threshold> (see the module
        notes); strategies exclude the reference. With several draws the ratios are means of the per-draw
        ratios. ``note`` is ``never`` where the measure has no value because break-even is not reached
        (payback_month empty: the cumulative net cost stays above 0 over the horizon) or where it is out
        of reach (a break_even_attribution above 1 is kept as a number, the share that would be needed,
        with note ``never``), else empty.

    ``evaluation``, when given, is an evaluation of ``table`` (default: the base case) with per-cycle
    amounts, e.g. that of :func:`econ.analysis.base_case.run`; it is used instead of evaluating again.
    ``ends``: the evaluation with the attribution at 0 and 1, likewise (see :func:`break_even_attributions`).
    """
    check_cost_offset(compiled)
    spec = compiled.loaded.spec
    table = table if table is not None else compiled.parameters.point_table()
    ev = evaluation if evaluation is not None else evaluate(compiled, table, keep_cycles=True)
    check_evaluation(ev, table)
    perspectives = list(perspectives or spec.cost_offset.perspectives)
    pop_name = spec.cost_offset.population
    pop = table.columns[pop_name] if pop_name else np.full(table.n_draws, np.nan)
    strategies = [s for s in ev.strategies if s != compiled.reference]
    sidx = [ev.strategies.index(s) for s in strategies]
    rows = []
    bea_all = (break_even_attributions(compiled, table, [(p, d) for p in perspectives for d in (True, False)],
                                       ends=ends) if spec.cost_offset.attribution else {})
    for p in perspectives:
        for disc in (True, False):
            bea = bea_all.get((p, disc))
            m = measures(compiled, ev, p, discounted=disc)
            pay = payback_cycle(cumulative_net_cost(compiled, ev, p, discounted=disc))
            label = "discounted" if disc else "undiscounted"
            for name, arr in m.items():
                for s, k in zip(strategies, sidx):
                    per = float(arr[:, k].mean())
                    popv = per if name in RATIO_MEASURES else float((arr[:, k] * pop).mean())
                    rows.append((p, label, s, name, per, popv, ""))
            if spec.effect is not None:
                beyond, whole = saving_beyond_window(compiled, ev, p, discounted=disc)
                for s, k in zip(strategies, sidx):
                    total = float(whole[:, k].mean())
                    share = float(beyond[:, k].mean()) / total if total != 0 else np.nan
                    rows.append((p, label, s, "share_beyond_window", share, share, ""))
            for s, k in zip(strategies, sidx):
                v = float(np.nanmean(pay[:, k])) if np.isfinite(pay[:, k]).any() else np.nan
                rows.append((p, label, s, "payback_month", v, v, NEVER if np.isnan(v) else ""))
                if bea is not None:
                    b = float(np.nanmean(bea[:, k])) if np.isfinite(bea[:, k]).any() else np.nan
                    rows.append((p, label, s, "break_even_attribution", b, b,
                                 NEVER if b > 1 else ""))
            rows += _outcome_rows(compiled, ev, m["net_cost"], pop, (p, label), strategies, sidx, discounted=disc)
    return pd.DataFrame(rows, columns=["perspective", "discounting", "strategy", "measure", "per_participant",
                                       "population", "note"])


def _outcome_rows(compiled: CompiledScenario, ev: Evaluation, net: np.ndarray, pop: np.ndarray, where: tuple,
                  strategies: list, sidx: list, *, discounted: bool) -> list[tuple]:
    """Headline rows of the outcomes reported next to the cost offset (gain, cost per unit gained, NMB)."""
    from econ.analysis.cea import DEFAULT_THRESHOLDS

    outcomes = list(compiled.loaded.spec.cost_offset.outcomes)
    if not outcomes:
        return []
    tot = ev.totals if discounted else ev.totals_undiscounted
    ref = ev.strategies.index(compiled.reference)
    gains = {o: tot[:, :, ev.outputs.index(o)] - tot[:, ref: ref + 1, ev.outputs.index(o)] for o in outcomes}
    spec = compiled.loaded.spec
    rows = []
    for o, gain in gains.items():
        # an outcome valued in money (its unit starts with the currency) gets no 'net cost per unit'
        money = (spec.values[o].unit if o in spec.values else "").startswith(spec.settings.currency)
        for s, k in zip(strategies, sidx):
            g, n = float(gain[:, k].mean()), float(net[:, k].mean())
            rows.append(where + (s, f"gain_{o}", g, float((gain[:, k] * pop).mean()), ""))
            if not money:
                ratio = n / g if g != 0 else np.nan
                rows.append(where + (s, f"cost_per_{o}", ratio, ratio, ""))
    effect = compiled.icer[1] if compiled.icer is not None else None
    if effect in gains:
        for lam in DEFAULT_THRESHOLDS:
            nmb = lam * gains[effect] - net
            for s, k in zip(strategies, sidx):
                rows.append(where + (s, f"nmb_{lam:.0f}", float(nmb[:, k].mean()),
                                     float((nmb[:, k] * pop).mean()), ""))
    return rows
