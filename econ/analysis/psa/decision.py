"""PSA decision analysis: cost-effectiveness plane, ICER summary, acceptability curves, EVPI."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from econ.analysis.cea import acceptability as cea_acceptability
from econ.core.errors import EconError, Problem, ScenarioError
from econ.analysis.psa.result import DEFAULT_WTP, PsaResult
from econ.analysis.psa.summaries import _incremental, _population


def _check_icer(result: PsaResult) -> tuple[str, str]:
    if result.compiled.icer is None:
        raise ScenarioError(result.compiled.loaded.problem(
            (), "the cost-effectiveness plane, acceptability curve and EVPI need an 'icer' block (cost, effect)"))
    return result.compiled.icer


def ce_plane(result: PsaResult) -> pd.DataFrame:
    """Points of the cost-effectiveness plane: incremental effect and cost per draw.

    Returns
    -------
    pandas.DataFrame
        Columns ``draw`` (int), ``strategy`` (non-reference), ``inc_effect`` = E_s - E_ref,
        ``inc_cost`` = C_s - C_ref (discounted, per person).

    Raises
    ------
    ScenarioError
        No ``icer`` block.
    """
    cost, effect = _check_icer(result)
    ev = result.evaluation
    parts = []
    for s in ev.strategies:
        if s == result.compiled.reference:
            continue
        d = _incremental(result, s)
        parts.append(pd.DataFrame({"draw": np.arange(result.n_draws), "strategy": s,
                                   "inc_effect": d[effect], "inc_cost": d[cost]}))
    return pd.concat(parts, ignore_index=True)


def summarize_icer(result: PsaResult) -> pd.DataFrame:
    """The PSA estimate of each strategy's ICER against the reference, with its quadrant probabilities.

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy`` (non-reference), ``inc_cost``, ``inc_effect`` (means over draws),
        ``icer`` = mean inc_cost / mean inc_effect (NaN when the mean incremental effect is 0),
        ``prob_dominant`` = P(inc_cost < 0 and inc_effect > 0), ``prob_dominated`` =
        P(inc_cost > 0 and inc_effect < 0).

    Raises
    ------
    ScenarioError
        No ``icer`` block.
    """
    cost, effect = _check_icer(result)
    rows = []
    for s in result.evaluation.strategies:
        if s == result.compiled.reference:
            continue
        d = _incremental(result, s)
        dc, de = d[cost], d[effect]
        mc, me = float(dc.mean()), float(de.mean())
        rows.append({"strategy": s, "inc_cost": mc, "inc_effect": me, "icer": mc / me if me != 0 else np.nan,
                     "prob_dominant": float(np.mean((dc < 0) & (de > 0))),
                     "prob_dominated": float(np.mean((dc > 0) & (de < 0)))})
    return pd.DataFrame(rows, columns=["strategy", "inc_cost", "inc_effect", "icer", "prob_dominant",
                                       "prob_dominated"])


def _nmb_inputs(result: PsaResult, wtp) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cost, effect = _check_icer(result)
    ev = result.evaluation
    wtp = np.atleast_1d(np.asarray(DEFAULT_WTP if wtp is None else wtp, dtype=float))
    if wtp.ndim != 1 or not np.all(np.isfinite(wtp)):
        raise EconError(Problem(f"willingness to pay must be finite numbers (got {wtp})", None, "wtp"))
    return wtp, ev.output(cost), ev.output(effect)


def acceptability(result: PsaResult, wtp: Sequence[float] | None = None) -> pd.DataFrame:
    """Cost-effectiveness acceptability curves over a willingness-to-pay grid.

    Parameters
    ----------
    result : PsaResult
    wtp : sequence of float, optional
        Willingness to pay lambda per unit of the ICER's effect (default :data:`DEFAULT_WTP`).

    Returns
    -------
    pandas.DataFrame
        One row per lambda x strategy. Columns ``wtp``, ``strategy``, ``mean_nmb`` =
        E_i[lambda E_is - C_is], ``prob_optimal`` = share of draws in which the strategy has the
        highest NMB (sums to 1 over strategies at each lambda), ``on_frontier`` (bool: highest
        expected NMB at this lambda: the acceptability frontier).

    Raises
    ------
    ScenarioError
        No ``icer`` block.

    Notes
    -----
    With strategies s, draws i = 1..N, discounted cost C_is and effect E_is per person (the
    scenario's ``icer`` block): NMB_is(lambda) = lambda E_is - C_is, and the probability that s is
    optimal is P_s(lambda) = (1/N) #{i : s = argmax_t NMB_it}, so sum_s P_s(lambda) = 1. Ties
    (exactly equal NMB) go to the first strategy in scenario order, as ``numpy.argmax`` does.
    Computed by :func:`econ.analysis.cea.acceptability` (one implementation of the CEAC).

    References
    ----------
    Fenwick E, Claxton K, Sculpher M (2001) Representing uncertainty: the role of cost-effectiveness
    acceptability curves. Health Economics 10(8):779-787.
    """
    wtp, c, e = _nmb_inputs(result, wtp)
    return cea_acceptability(c, e, wtp, list(result.evaluation.strategies))


def evpi(result: PsaResult, wtp: Sequence[float] | None = None, *, population: float | None = None) -> pd.DataFrame:
    """Expected value of perfect information, per person and for a population.

    Parameters
    ----------
    result : PsaResult
    wtp : sequence of float, optional
        Willingness to pay per unit of effect (default :data:`DEFAULT_WTP`).
    population : float, optional
        People the decision applies to (over the decision's lifetime, discounted if wanted). Default:
        the point value of the scenario's ``cost_offset.population`` parameter, else none (NaN).

    Returns
    -------
    pandas.DataFrame
        Columns ``wtp``, ``evpi_per_person``, ``population``, ``evpi_population`` (money, discounted,
        in the scenario's currency and price year).

    Raises
    ------
    ScenarioError
        No ``icer`` block.

    Notes
    -----
    EVPI(lambda) = E_i[max_s NMB_is] - max_s E_i[NMB_is], with NMB_is = lambda E_is - C_is: the
    expected gain from choosing the best strategy in each draw (with perfect information) over
    choosing the strategy best on average. It is >= 0 (the mean of a maximum is at least the
    maximum of the means) and its estimate from N draws is biased upwards, by less as N grows.

    References
    ----------
    Briggs A, Claxton K, Sculpher M (2006) Decision Modelling for Health Economic Evaluation, OUP,
    chapter 6.
    """
    wtp, c, e = _nmb_inputs(result, wtp)
    pop = _population(result, population)
    values = evpi_values(wtp, c, e)
    return pd.DataFrame({"wtp": wtp, "evpi_per_person": values, "population": pop,
                         "evpi_population": values * pop})


#: Most NMB values (willingness-to-pay points x strategies x draws) held at once by :func:`evpi_values`
#: (2 MB: the computation is memory bound, and blocks that stay in cache were fastest measured).
EVPI_BLOCK_VALUES = 1 << 18


def evpi_values(wtp: np.ndarray, c: np.ndarray, e: np.ndarray, *, block_values: int = EVPI_BLOCK_VALUES) -> np.ndarray:
    """EVPI per person at each willingness to pay, from cost and effect arrays of shape (draws, strategies).

    Vectorised over thresholds and strategies: for a block of thresholds at a time (at most
    ``block_values`` NMB values in memory) NMB[w, s, i] = wtp_w E_is - C_is is one array with
    draws on the contiguous last axis, so every mean is the same pairwise sum over draws in the
    same order as for one threshold at a time, and the values are bit for bit those of a loop
    over thresholds. That shared order also makes E[max] >= max E hold exactly in floating point
    (max_s NMB_is >= NMB_is for every draw and rounded addition is monotone): EVPI is never
    negative by rounding, and exactly 0 when one strategy wins every draw.
    """
    wtp = np.asarray(wtp, dtype=float)
    eT, cT = np.ascontiguousarray(e.T), np.ascontiguousarray(c.T)  # (strategies, draws)
    per_threshold = max(1, eT.size)
    step = max(1, int(block_values) // per_threshold)
    values = np.empty(wtp.size)
    buffer = np.empty((min(step, wtp.size),) + eT.shape)
    for start in range(0, wtp.size, step):
        lam = wtp[start:start + step, None, None]
        nmb = buffer[:lam.shape[0]]
        np.multiply(lam, eT, out=nmb)
        np.subtract(nmb, cT, out=nmb)  # (thresholds, strategies, draws), C-contiguous: lam * E - C
        values[start:start + step] = nmb.max(axis=1).mean(axis=1) - nmb.mean(axis=2).max(axis=1)
    return values
