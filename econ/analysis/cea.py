"""Cost-effectiveness analysis: the efficiency frontier, net benefit, acceptability curves and frontier,
and the cost-consequence table.

Every function takes plain numbers (per-strategy costs and effects, or per-draw arrays) and returns a
tidy DataFrame; :class:`econ.analysis.base_case.Results` and the PSA feed them. Terms are defined once
in ``docs/cost_effectiveness.md``.
"""
from __future__ import annotations

from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from econ.core.errors import EconError, Problem

#: Default thresholds (willingness to pay per unit of effect): NICE's GBP 20,000 and 30,000 per QALY
#: (NICE (2022) health technology evaluations: the manual, PMG36).
DEFAULT_THRESHOLDS = (20_000.0, 30_000.0)

#: Statuses on the frontier.
NON_DOMINATED, DOMINATED, EXTENDEDLY_DOMINATED = "non-dominated", "dominated", "extendedly dominated"

#: Most elements (thresholds x draws x strategies) of the net-benefit array built at once by
#: :func:`acceptability` (2 MB); more thresholds than fit are taken in blocks. The work is memory-bound,
#: so bigger blocks are slower, not faster (``bench/bench_ceac.py``); 101 thresholds of 1,000 draws
#: of 2 strategies fit in one block.
MAX_NMB_ELEMENTS = 1 << 18

FRONTIER_COLUMNS = ["strategy", "cost", "effect", "status", "comparator", "inc_cost", "inc_effect", "icer"]


def _per_strategy(costs, effects, strategies) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Names, costs and effects as float arrays, from mappings (Series, dict) or sequences + names."""
    if isinstance(costs, Mapping) or isinstance(costs, pd.Series):
        names = [str(s) for s in (strategies if strategies is not None else list(costs.keys()))]
        cmap = dict(costs.items())
        emap = dict(effects.items())
        missing = [s for s in names if s not in cmap or s not in emap]
        extra = sorted(set(map(str, cmap)) ^ set(map(str, emap))) if strategies is None else []
        if missing or extra:
            raise EconError(Problem(f"costs and effects must name the same strategies (differ on "
                                    f"{sorted(set(missing) | set(extra))})", None, "strategies"))
        c = np.array([cmap[s] for s in names], dtype=float)
        e = np.array([emap[s] for s in names], dtype=float)
    else:
        c, e = np.asarray(costs, dtype=float), np.asarray(effects, dtype=float)
        names = [str(s) for s in (strategies if strategies is not None else range(c.size))]
        if c.ndim != 1 or c.shape != e.shape or c.size != len(names):
            raise EconError(Problem(f"costs {c.shape}, effects {e.shape} and {len(names)} strategy names "
                                    "must have one entry per strategy", None, "strategies"))
    if not names:
        raise EconError(Problem("no strategies to compare", None, "strategies"))
    if len(set(names)) != len(names):
        raise EconError(Problem(f"strategy names repeat: {names}", None, "strategies"))
    for label, arr in (("cost", c), ("effect", e)):
        bad = [f"{n}={v}" for n, v in zip(names, arr) if not np.isfinite(v)]
        if bad:
            raise EconError(Problem(f"{label} must be a finite number for every strategy (found {', '.join(bad)})",
                                    None, label))
    return names, c, e


def _strongly_dominated(c: np.ndarray, e: np.ndarray) -> np.ndarray:
    """True where another strategy costs no more and gains no less, and differs in at least one."""
    le_c = c[:, None] <= c[None, :]  # [i, j]: i costs no more than j
    ge_e = e[:, None] >= e[None, :]
    strict = (c[:, None] < c[None, :]) | (e[:, None] > e[None, :])
    return np.any(le_c & ge_e & strict, axis=0)


def _bends_down(a: tuple, b: tuple, p: tuple) -> bool:
    """True when ICER(a -> b) > ICER(b -> p), points (cost, effect) with effects increasing a < b < p.

    Compared as cross products, (c_b - c_a)(e_p - e_b) > (c_p - c_b)(e_b - e_a), with no division.
    """
    return (b[0] - a[0]) * (p[1] - b[1]) > (p[0] - b[0]) * (b[1] - a[1])


def frontier(costs, effects, strategies: Sequence[str] | None = None) -> pd.DataFrame:
    """Incremental analysis on the efficiency frontier: sequential ICERs, dominance labelled.

    Parameters
    ----------
    costs, effects : mapping (dict, Series) of strategy to number, or sequences with ``strategies``
        Expected cost and effect of each strategy (finite numbers).
    strategies : sequence of str, optional
        Names for sequences (or the subset and order to read from mappings; order does not matter).

    Returns
    -------
    pandas.DataFrame
        One row per strategy, ordered by cost (then effect, highest first, then name). Columns
        ``strategy``, ``cost``, ``effect``, ``status`` (``non-dominated``, ``dominated`` or
        ``extendedly dominated``), ``comparator`` (the previous non-dominated strategy; empty for the
        reference and for dominated strategies), ``inc_cost`` and ``inc_effect`` (against the
        comparator) and ``icer`` = inc_cost / inc_effect (NaN where there is no comparator).

    Notes
    -----
    1. A strategy is *dominated* (strongly) when another costs no more and gains no less, and is
       cheaper or more effective.
    2. Of the rest, ordered by cost, a strategy is *extendedly dominated* when its ICER against the
       previous one exceeds the ICER of the next one against it (a mix of its neighbours would gain
       more for the same cost); it is removed and the ICERs recomputed until they increase. This is a
       scan with a stack (the lower convex hull of the cost-effect plane), with the comparison made
       as a cross product so no ratio is rounded.
    3. The *reference* is the cheapest non-dominated strategy (of equal cheapest, the most effective).

    Ties: strategies with exactly equal cost and effect are one point: they get the same status,
    comparator and ICER, and a later strategy's comparator is the first of them by name. Three
    non-dominated strategies on one straight line (equal ICERs) are all kept (extended dominance is
    strict). The result does not depend on the order strategies are given in.

    References
    ----------
    Drummond MF et al. (2015) Methods for the Economic Evaluation of Health Care Programmes, 4th ed.,
    OUP, chapter 4 (dominance, extended dominance). Cantor SB (1994) Cost-effectiveness analysis,
    extended dominance, and ethics. Med Decis Making 14(3):259-265.
    """
    names, c, e = _per_strategy(costs, effects, strategies)
    order = sorted(range(len(names)), key=lambda i: (c[i], -e[i], names[i]))
    dominated = _strongly_dominated(c, e)
    # Identical points: one representative (first by name: ``order`` sorts names within a point).
    rep: dict[int, int] = {}
    points: list[int] = []
    for i in order:
        if dominated[i]:
            continue
        same = [j for j in points if c[j] == c[i] and e[j] == e[i]]
        rep[i] = same[0] if same else i
        if not same:
            points.append(i)
    hull: list[int] = []
    extended: set[int] = set()
    for i in points:  # costs and effects strictly increase along ``points``
        while len(hull) >= 2 and _bends_down((c[hull[-2]], e[hull[-2]]), (c[hull[-1]], e[hull[-1]]), (c[i], e[i])):
            extended.add(hull.pop())
        hull.append(i)
    previous = {b: a for a, b in zip(hull, hull[1:])}
    rows = []
    for i in order:
        row = {"strategy": names[i], "cost": float(c[i]), "effect": float(e[i]), "comparator": "",
               "inc_cost": np.nan, "inc_effect": np.nan, "icer": np.nan}
        if dominated[i]:
            row["status"] = DOMINATED
        elif rep[i] in extended:
            row["status"] = EXTENDEDLY_DOMINATED
        else:
            row["status"] = NON_DOMINATED
            before = previous.get(rep[i])
            if before is not None:
                row.update(comparator=names[before], inc_cost=float(c[i] - c[before]),
                           inc_effect=float(e[i] - e[before]))
                row["icer"] = row["inc_cost"] / row["inc_effect"]
        rows.append(row)
    return pd.DataFrame(rows, columns=FRONTIER_COLUMNS)


def _thresholds(values, *, positive: bool) -> np.ndarray:
    lam = np.atleast_1d(np.asarray(DEFAULT_THRESHOLDS if values is None else values, dtype=float))
    if lam.ndim != 1 or lam.size == 0 or not np.all(np.isfinite(lam)) or np.any(lam < 0) or (
            positive and np.any(lam == 0)):
        allowed = "positive" if positive else "non-negative"
        raise EconError(Problem(f"thresholds (willingness to pay) must be finite {allowed} numbers "
                                f"(got {values!r})", None, "wtp"))
    return lam


def net_benefit(costs, effects, thresholds: Sequence[float] | None = None,
                strategies: Sequence[str] | None = None) -> pd.DataFrame:
    """Net monetary and net health benefit of each strategy at stated thresholds.

    Parameters
    ----------
    costs, effects : as :func:`frontier`
    thresholds : sequence of float, optional
        Willingness to pay per unit of effect, > 0 (default :data:`DEFAULT_THRESHOLDS`).

    Returns
    -------
    pandas.DataFrame
        One row per threshold x strategy (strategies in the order given). Columns ``threshold``,
        ``strategy``, ``cost``, ``effect``, ``nmb`` = threshold x effect - cost (money),
        ``nhb`` = effect - cost / threshold (units of effect) and ``optimal`` (True for the
        strategies with the highest NMB at that threshold; all of them if tied).
    """
    names, c, e = _per_strategy(costs, effects, strategies)
    lam = _thresholds(thresholds, positive=True)
    nmb = lam[:, None] * e[None, :] - c[None, :]
    nhb = e[None, :] - c[None, :] / lam[:, None]
    K = len(names)
    return pd.DataFrame({"threshold": np.repeat(lam, K), "strategy": names * lam.size,
                         "cost": np.tile(c, lam.size), "effect": np.tile(e, lam.size),
                         "nmb": nmb.reshape(-1), "nhb": nhb.reshape(-1),
                         "optimal": (nmb == nmb.max(axis=1, keepdims=True)).reshape(-1)})


def acceptability(costs: np.ndarray, effects: np.ndarray, wtp: Sequence[float],
                  strategies: Sequence[str]) -> pd.DataFrame:
    """Acceptability curves (CEAC) and frontier (CEAF) from per-draw costs and effects.

    Parameters
    ----------
    costs, effects : array (draws, strategies)
        Discounted cost and effect per person in each draw.
    wtp : sequence of float
        Thresholds lambda (>= 0).
    strategies : sequence of str
        Names of the columns.

    Returns
    -------
    pandas.DataFrame
        One row per lambda x strategy: ``wtp``, ``strategy``, ``mean_nmb`` = E_i[lambda E_is - C_is],
        ``prob_optimal`` = share of draws in which the strategy has the highest NMB (the CEAC; sums to 1
        at each lambda), ``on_frontier`` (True for the strategy with the highest expected NMB: the
        CEAF).

    Notes
    -----
    Computed at once for every threshold as one array NMB[l, i, s] = lambda_l E_is - C_is (in blocks
    of thresholds when thresholds x draws x strategies exceeds :data:`MAX_NMB_ELEMENTS`; each threshold's
    numbers do not depend on the blocks). Ties (exactly equal NMB, or equal expected NMB) go to the
    first strategy in the order given, as ``numpy.argmax`` does.
    """
    c, e = np.asarray(costs, dtype=float), np.asarray(effects, dtype=float)
    names = list(strategies)
    if c.ndim != 2 or c.shape != e.shape or c.shape[1] != len(names) or c.shape[0] == 0:
        raise EconError(Problem(f"costs {c.shape} and effects {e.shape} must be (draws, strategies) with "
                                f"{len(names)} strategies and at least one draw", None, "draws"))
    lam = _thresholds(wtp, positive=False)
    K = c.shape[1]
    if K > 1 and np.isfinite(c).all() and np.isfinite(e).all():  # (one strategy: numpy sums its column pairwise)
        mean, prob = _ceac_by_draws(c, e, lam)
    else:
        mean, prob = _ceac_by_thresholds(c, e, lam)
    front = np.argmax(mean, axis=1)
    return pd.DataFrame({"wtp": np.repeat(lam, K), "strategy": names * lam.size, "mean_nmb": mean.reshape(-1),
                         "prob_optimal": prob.reshape(-1),
                         "on_frontier": (front[:, None] == np.arange(K)).reshape(-1)})


def _ceac_by_draws(c: np.ndarray, e: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected NMB and probability optimal (thresholds, strategies), every threshold at once, draws in blocks.

    NMB[i, s, l] = lambda_l E_is - C_is for a block of draws, strategies and thresholds on the
    contiguous axes: the sum over draws runs row after row (the running total carried from block to
    block), the same additions in the same order as ``nmb.mean(axis=0)`` over all draws of one
    threshold, so the numbers equal :func:`_ceac_by_thresholds` bit for bit; each draw's winner is the
    first strategy with the highest NMB, as ``numpy.argmax`` (inputs are finite here).
    """
    N, K = c.shape
    T = lam.size
    step = max(1, MAX_NMB_ELEMENTS // (T * K))
    buf = np.empty((min(step, N) + 1, K, T))
    wins = np.zeros((K, T), dtype=np.int64)
    total = None
    for start in range(0, N, step):
        m = min(step, N - start)
        nmb = buf[1:m + 1]
        np.multiply(e[start:start + m, :, None], lam[None, None, :], out=nmb)
        np.subtract(nmb, c[start:start + m, :, None], out=nmb)
        if K == 2:
            second = np.count_nonzero(nmb[:, 1] > nmb[:, 0], axis=0)
            wins[1] += second
            wins[0] += m - second
        else:
            top = nmb[:, 0].copy()
            best = np.zeros(top.shape, dtype=np.intp)
            for k in range(1, K):
                better = nmb[:, k] > top
                best[better] = k
                np.maximum(top, nmb[:, k], out=top)
            for k in range(K):
                wins[k] += np.count_nonzero(best == k, axis=0)
        if total is None:
            total = np.add.reduce(nmb, axis=0)
        else:
            buf[0] = total
            total = np.add.reduce(buf[:m + 1], axis=0)
    return (total / N).T, wins.T / N


def _ceac_by_thresholds(c: np.ndarray, e: np.ndarray, lam: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """As :func:`_ceac_by_draws`, thresholds in blocks (any input, NaN included: ``numpy.argmax`` rules)."""
    N, K = c.shape
    mean = np.empty((lam.size, K))
    prob = np.empty((lam.size, K))
    block = max(1, MAX_NMB_ELEMENTS // (N * K))
    for start in range(0, lam.size, block):  # one pass unless the array would be too big
        part = lam[start:start + block]
        nmb = part[:, None, None] * e[None, :, :] - c[None, :, :]  # (thresholds, draws, strategies)
        best = np.argmax(nmb, axis=2)
        cells = (np.arange(part.size)[:, None] * K + best).ravel()  # (threshold, strategy) of each win
        prob[start:start + part.size] = np.bincount(cells, minlength=part.size * K).reshape(part.size, K) / N
        mean[start:start + part.size] = nmb.mean(axis=1)
    return mean, prob


def frontier_curve(ceac: pd.DataFrame) -> pd.DataFrame:
    """The CEAF: one row per threshold, ``wtp``, ``strategy`` (highest expected NMB), ``mean_nmb``,
    ``prob_optimal`` (its probability of being optimal), from :func:`acceptability` output."""
    return ceac[ceac.on_frontier].drop(columns="on_frontier").reset_index(drop=True)


def acceptability_table(ceac: pd.DataFrame) -> pd.DataFrame:
    """CEAC and CEAF in one long table (``acceptability.csv``).

    Columns ``curve`` (``ceac``: one row per threshold x strategy; ``ceaf``: one row per threshold,
    the strategy with the highest expected NMB), ``wtp``, ``strategy``, ``prob_optimal``, ``mean_nmb``.
    """
    cols = ["curve", "wtp", "strategy", "prob_optimal", "mean_nmb"]
    a = ceac.drop(columns="on_frontier").assign(curve="ceac")
    b = frontier_curve(ceac).assign(curve="ceaf")
    return pd.concat([a[cols], b[cols]], ignore_index=True)


def cost_consequence(summary: pd.DataFrame, costs: Sequence[str], outcomes: Sequence[str],
                     reference: str) -> pd.DataFrame:
    """Costs next to every outcome, per strategy, with each one's difference from the reference.

    Parameters
    ----------
    summary : DataFrame
        Index strategy, one column per value (e.g. :attr:`Results.summary`).
    costs, outcomes : sequences of column names
    reference : str
        The strategy differences are taken against (the scenario's reference).

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy``, each cost, each outcome, then ``<name>_vs_<reference>`` for each of them.
        No outcomes are combined or valued: that is the point of a cost-consequence table.
    """
    cols = list(costs) + list(outcomes)
    missing = [c for c in cols if c not in summary.columns]
    if missing or reference not in summary.index:
        raise EconError(Problem(f"cost-consequence table: unknown values {missing} or reference '{reference}'",
                                None, "cost_consequence"))
    table = summary[cols].astype(float)
    diff = (table - table.loc[reference]).add_suffix(f"_vs_{reference}")
    out = pd.concat([table, diff], axis=1).reset_index()
    out.columns.name = None
    return out.rename(columns={out.columns[0]: "strategy"})
