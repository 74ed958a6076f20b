"""PSA summaries: parameters, outputs, cost offset and the chance of saving money."""
from __future__ import annotations

import numpy as np
import pandas as pd

from econ.analysis.psa.quantiles import percentiles
from econ.analysis.psa.result import _STAT_COLUMNS, PERCENTILES, PsaResult


#: Draws per block of :func:`_mean_sd` (a block of every column stays in cache).
MEAN_SD_BLOCK = 8192


def _mean_sd(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``x.mean(axis=0)`` and ``x.std(axis=0, ddof=1)``, the same numbers, in blocks of draws.

    numpy sums over the first axis of a C-ordered array row after row; so do the blocks here (the
    running total carried from block to block), for the sum, then for the squared deviations
    from the mean, with numpy's divisions (sum / n, then squares / (n - 1), square root). A single
    column (numpy then sums pairwise) or a non-C-ordered array goes to numpy itself.
    """
    n = x.shape[0]
    if n < 2 or x.ndim < 2 or int(np.prod(x.shape[1:])) < 2 or not x.flags.c_contiguous or x.dtype != np.float64:
        mean = x.mean(axis=0)
        return mean, (x.std(axis=0, ddof=1) if n > 1 else np.full_like(mean, np.nan))
    step = MEAN_SD_BLOCK
    buf = np.empty((min(step, n) + 1,) + x.shape[1:])

    def running_sum(block_of) -> np.ndarray:
        total = None
        for start in range(0, n, step):
            m = min(step, n - start)
            block_of(start, m, buf[1:m + 1])
            if total is None:
                total = np.add.reduce(buf[1:m + 1], axis=0)
            else:
                buf[0] = total
                total = np.add.reduce(buf[:m + 1], axis=0)
        return total

    def copy(start, m, out):
        out[...] = x[start:start + m]

    mean = np.true_divide(running_sum(copy), n)

    def squared_deviation(start, m, out):
        np.subtract(x[start:start + m], mean, out=out)
        np.multiply(out, out, out=out)

    return mean, np.sqrt(np.true_divide(running_sum(squared_deviation), n - 1))


def _stats(x: np.ndarray, axis: int = 0) -> dict:
    """mean, sd (ddof 1), MCSE and the 2.5/97.5 percentiles along ``axis``."""
    n = x.shape[axis]
    if axis == 0:
        mean, sd = _mean_sd(x)
    else:
        mean = x.mean(axis=axis)
        sd = x.std(axis=axis, ddof=1) if n > 1 else np.full_like(mean, np.nan)
    lo, hi = percentiles(x, PERCENTILES, axis=axis)  # numpy.percentile's values, tails selected faster
    return {"mean": mean, "sd": sd, "mcse": sd / np.sqrt(n), "p2.5": lo, "p97.5": hi}


def summarize(result: PsaResult) -> pd.DataFrame:
    """Mean, SD, Monte Carlo SE and 95% interval of every value and total, per strategy.

    Returns
    -------
    pandas.DataFrame
        One row per strategy x output x basis x discounting. Columns: ``strategy``, ``output`` (value
        or total name), ``basis`` ('absolute', or 'incremental': minus the reference strategy in the
        same draw, reference itself omitted), ``discounting`` ('discounted' | 'undiscounted'),
        ``mean``, ``sd``, ``mcse``, ``p2.5``, ``p97.5`` (float; money per person in the scenario's
        currency and price year, outcomes in their units).

    Notes
    -----
    For N draws x_i: mean = (1/N) sum x_i; sd with divisor N - 1; Monte Carlo standard error of the
    mean MCSE = sd / sqrt(N) (exact for independent draws; for Latin hypercube and Sobol designs it
    overstates the error, which is smaller); p2.5 and p97.5 are percentiles by linear interpolation
    (``numpy.percentile``), a central 95% interval of the output's distribution.
    """
    ev = result.evaluation
    ref = ev.strategies.index(result.compiled.reference)
    K, V = len(ev.strategies), len(ev.outputs)
    others = [k for k in range(K) if k != ref]
    if K * V < 2:  # one column: numpy sums it pairwise, as before
        return _summarize_by_basis(result)
    # every summarised column (strategy x output of each basis) side by side, one discounting at a time
    # (arrays below glibc's 32 MiB mmap threshold at 200,000 draws: their pages are reused, not faulted in)
    blocks = []  # (discounting, basis, strategies, first column of the block)
    parts = []
    at = 0
    width = (K + len(others)) * V
    for label, tot in (("discounted", ev.totals), ("undiscounted", ev.totals_undiscounted)):
        columns = np.empty((result.n_draws, width))
        columns[:, :K * V] = tot.reshape(-1, K * V)
        inc = columns[:, K * V:].reshape(-1, len(others), V)
        np.subtract(tot[:, others], tot[:, ref:ref + 1], out=inc)  # minus the reference, draw by draw
        blocks += [(label, "absolute", list(range(K)), at), (label, "incremental", others, at + K * V)]
        at += width
        parts.append(_stats(columns))  # the numbers of _stats of each (draws, strategies, outputs) array
        del columns, inc
    st = {c: np.concatenate([part[c] for part in parts]) for c in _STAT_COLUMNS}
    frame: dict = {"strategy": [], "output": [], "basis": [], "discounting": []}
    for label, basis, strategies, first in blocks:
        for k in strategies:
            frame["strategy"] += [ev.strategies[k]] * V
            frame["output"] += list(ev.outputs)
            frame["basis"] += [basis] * V
            frame["discounting"] += [label] * V
    picked = np.concatenate([np.arange(first, first + len(strategies) * V) for _, _, strategies, first in blocks])
    out = pd.DataFrame({**frame, **{c: st[c][picked] for c in _STAT_COLUMNS}})
    order = {"absolute": 0, "incremental": 1, "discounted": 0, "undiscounted": 1}
    out = out.sort_values(["discounting", "basis"], key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def _summarize_by_basis(result: PsaResult) -> pd.DataFrame:
    """:func:`summarize` one (draws, strategies, outputs) array at a time (one strategy and one output)."""
    ev = result.evaluation
    ref = ev.strategies.index(result.compiled.reference)
    parts = []
    for label, tot in (("discounted", ev.totals), ("undiscounted", ev.totals_undiscounted)):
        for basis, arr, strategies in (("absolute", tot, list(range(len(ev.strategies)))),
                                       ("incremental", tot - tot[:, ref:ref + 1, :],
                                        [k for k in range(len(ev.strategies)) if k != ref])):
            st = _stats(arr)  # each (strategies, outputs)
            for k in strategies:
                part = pd.DataFrame({"strategy": ev.strategies[k], "output": list(ev.outputs), "basis": basis,
                                     "discounting": label, **{c: st[c][k] for c in _STAT_COLUMNS}})
                parts.append(part)
    out = pd.concat(parts, ignore_index=True)
    order = {"absolute": 0, "incremental": 1, "discounted": 0, "undiscounted": 1}
    out = out.sort_values(["discounting", "basis"], key=lambda s: s.map(order), kind="stable")
    return out.reset_index(drop=True)


def summarize_outputs(result: PsaResult) -> pd.DataFrame:
    """Summary of each named output of the run.

    Returns
    -------
    pandas.DataFrame
        Columns ``output``, ``mean``, ``sd``, ``mcse``, ``p2.5``, ``p97.5``, ``prob_negative``
        (share of draws with the output < 0; for a net cost, the probability of saving money).

    Notes
    -----
    For an ``icer:<strategy>`` output the mean is the ratio of the mean incremental cost to the mean
    incremental effect (the PSA estimate of the ICER), not the mean of per-draw ratios, which is
    undefined when incremental effects near 0 occur; its SD, MCSE, interval and ``prob_negative``
    are NaN (use the CE plane and the acceptability curve instead).
    """
    rows = []
    for spec in result.output_specs:
        x = result.outputs[spec.text].to_numpy()
        if spec.kind == "icer":
            cost, effect = result.compiled.icer
            d = _incremental(result, spec.strategy, discounted=spec.discounted)
            ratio = d[cost].mean() / d[effect].mean() if d[effect].mean() != 0 else np.nan
            rows.append({"output": spec.text, "mean": ratio, "sd": np.nan, "mcse": np.nan, "p2.5": np.nan,
                         "p97.5": np.nan, "prob_negative": np.nan})
            continue
        st = _stats(x)
        rows.append({"output": spec.text, **{c: float(st[c]) for c in _STAT_COLUMNS},
                     "prob_negative": float(np.mean(x < 0))})
    return pd.DataFrame(rows, columns=["output", *_STAT_COLUMNS, "prob_negative"])


def _incremental(result: PsaResult, strategy: str, *, discounted: bool = True) -> dict:
    ev = result.evaluation
    tot = ev.totals if discounted else ev.totals_undiscounted
    k, ref = ev.strategies.index(strategy), ev.strategies.index(result.compiled.reference)
    return {name: tot[:, k, j] - tot[:, ref, j] for j, name in enumerate(ev.outputs)}


# --------------------------------------------------------------------------------------------
def _population(result: PsaResult, population: float | None) -> float:
    """The population for population totals: the argument, else the point value of the scenario's
    ``cost_offset.population`` parameter, else NaN."""
    if population is not None:
        return float(population)
    co = result.compiled.loaded.spec.cost_offset
    if co is not None and co.population is not None:
        return float(np.asarray(result.compiled.parameters[co.population].point))
    return float("nan")


def summarize_offset(result: PsaResult) -> pd.DataFrame:
    """Cost-offset measures per perspective (scenarios with a ``cost_offset`` block).

    Returns
    -------
    pandas.DataFrame
        Columns ``perspective``, ``discounting``, ``strategy`` (non-reference strategies), ``measure``
        (delivery_cost, offset_<category>..., cost_offset, net_cost, roi, bcr, net_roi, then
        ``bcr_of_means`` and ``net_roi_of_means``), ``mean``, ``sd``, ``mcse``, ``p2.5``, ``p97.5``
        (per participant) and ``population_mean`` (mean over draws of the measure x the population
        parameter in the same draw; for ratios, the per-participant mean).

    Raises
    ------
    ScenarioError
        The scenario has no consistent ``cost_offset`` block.

    Notes
    -----
    See :mod:`econ.analysis.offset`: delivery D, offset O = sum of savings, net cost N = D - O,
    BCR (``roi``) = O / D and net ROI = BCR - 1, all per draw before averaging: their ``mean`` is the
    mean of the per-draw ratios, which is not mean O / mean D. ``bcr_of_means`` is the ratio of the
    mean savings to the mean cost, mean O / mean D (the probabilistic estimate of the ratio, as for an
    ICER), and ``net_roi_of_means`` = ``bcr_of_means`` - 1; they have no spread (sd, interval NaN).
    """
    from econ.analysis.offset import RATIO_MEASURES, check_cost_offset, measures

    compiled = result.compiled
    check_cost_offset(compiled)
    co = compiled.loaded.spec.cost_offset
    ev = result.evaluation
    pop = (result.table.columns[co.population] if co.population is not None
           else np.full(result.n_draws, np.nan))
    ref = ev.strategies.index(compiled.reference)
    rows = []
    for persp in co.perspectives:
        for disc in (True, False):
            m = measures(compiled, ev, persp, discounted=disc)
            for k, s in enumerate(ev.strategies):
                if k == ref:
                    continue
                label = "discounted" if disc else "undiscounted"
                for name, arr in m.items():
                    st = _stats(arr[:, k])
                    popmean = float(st["mean"]) if name in RATIO_MEASURES else float(np.mean(arr[:, k] * pop))
                    rows.append({"perspective": persp, "discounting": label,
                                 "strategy": s, "measure": name, **{c: float(st[c]) for c in _STAT_COLUMNS},
                                 "population_mean": popmean})
                d_mean, o_mean = float(m["delivery_cost"][:, k].mean()), float(m["cost_offset"][:, k].mean())
                bcr = o_mean / d_mean if d_mean != 0 else np.nan
                for name, value in (("bcr_of_means", bcr), ("net_roi_of_means", bcr - 1.0)):
                    rows.append({"perspective": persp, "discounting": label, "strategy": s, "measure": name,
                                 **{c: (value if c == "mean" else np.nan) for c in _STAT_COLUMNS},
                                 "population_mean": value})
    return pd.DataFrame(rows, columns=["perspective", "discounting", "strategy", "measure", *_STAT_COLUMNS,
                                       "population_mean"])


def cost_saving(result: PsaResult) -> pd.DataFrame:
    """Probability of saving money and of a return above 1, per perspective and strategy.

    Returns
    -------
    pandas.DataFrame
        Columns ``perspective``, ``discounting``, ``strategy`` (non-reference), ``prob_cost_saving``
        = P(net cost < 0), ``prob_roi_above_1`` = P(ROI > 1), ``mcse_cost_saving`` =
        sqrt(p (1 - p) / N). The two probabilities agree whenever the delivery cost is positive
        (ROI > 1 <=> offset > delivery cost <=> net cost < 0); a draw with ROI undefined (zero
        delivery cost) counts as not above 1.

    Raises
    ------
    ScenarioError
        The scenario has no consistent ``cost_offset`` block.
    """
    from econ.analysis.offset import check_cost_offset, measures

    compiled = result.compiled
    check_cost_offset(compiled)
    ev = result.evaluation
    ref = ev.strategies.index(compiled.reference)
    n = result.n_draws
    rows = []
    for persp in compiled.loaded.spec.cost_offset.perspectives:
        for disc in (True, False):
            m = measures(compiled, ev, persp, discounted=disc)
            for k, s in enumerate(ev.strategies):
                if k == ref:
                    continue
                p = float(np.mean(m["net_cost"][:, k] < 0))
                with np.errstate(invalid="ignore"):
                    roi = float(np.mean(m["roi"][:, k] > 1))
                rows.append({"perspective": persp, "discounting": "discounted" if disc else "undiscounted",
                             "strategy": s, "prob_cost_saving": p, "prob_roi_above_1": roi,
                             "mcse_cost_saving": float(np.sqrt(p * (1 - p) / n))})
    return pd.DataFrame(rows, columns=["perspective", "discounting", "strategy", "prob_cost_saving",
                                       "prob_roi_above_1", "mcse_cost_saving"])
