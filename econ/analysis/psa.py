"""Probabilistic sensitivity analysis: draw every uncertain parameter, evaluate all draws at once, summarize."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from econ.analysis.cea import acceptability as cea_acceptability
from econ.analysis.draws import draw_table
from econ.core.errors import EconError, Problem, ScenarioError
from econ.model.evaluate import Evaluation, evaluate
from econ.inputs.context import BootstrapStatistic
from econ.model.compile import CompiledScenario
from econ.model.parameters import ParameterTable
from econ.uncertainty.sampling import CorrelationError, check_correlation, spearman_to_pearson
from econ.analysis.outputs import OutputSpec, default_outputs, output_values, parse_output

#: Percentiles reported for every summarised quantity (a central 95% interval).
PERCENTILES = (2.5, 97.5)

#: Default willingness-to-pay grid, money per unit of the ICER's effect: 0 to 100,000 in steps of
#: 1,000 (covers the NICE range of 20,000 to 30,000 per QALY with room either side).
DEFAULT_WTP = np.arange(0.0, 100_001.0, 1_000.0)

#: Draw counts at which convergence is reported (those below N, then N itself).
DEFAULT_CHECKPOINTS = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000,
                       500_000, 1_000_000)

_STAT_COLUMNS = ["mean", "sd", "mcse", "p2.5", "p97.5"]


@dataclass(frozen=True)
class PsaResult:
    """Everything a probabilistic analysis produced.

    Attributes
    ----------
    compiled : CompiledScenario
    table : ParameterTable
        The draws (rows) of every parameter column (uncertain ones drawn, others at point values).
    evaluation : Evaluation
        Totals per draw, strategy and value/total, discounted and undiscounted.
    outputs : pandas.DataFrame
        Named outputs (see :mod:`econ.analysis.outputs`) per draw: index ``draw`` (0..N-1), one float
        column per output name.
    seed : int
        Seed of ``numpy.random.default_rng`` that drew the table.
    method : str
        ``monte_carlo``, ``latin_hypercube`` or ``sobol``.
    correlation : dict
        ``(a, b) -> rho`` normal-score correlations imposed by the Gaussian copula (empty: independent).
    """

    compiled: CompiledScenario
    table: ParameterTable
    evaluation: Evaluation
    outputs: pd.DataFrame
    seed: int
    method: str
    correlation: dict = field(default_factory=dict)

    @property
    def n_draws(self) -> int:
        return self.table.n_draws

    @property
    def output_specs(self) -> list[OutputSpec]:
        return [parse_output(self.compiled, name) for name in self.outputs.columns]


# --------------------------------------------------------------------------------------------
def scenario_correlation(compiled: CompiledScenario) -> dict:
    """The scenario's ``correlations`` block as normal-score correlations, checked against its parameters.

    Parameters
    ----------
    compiled : CompiledScenario

    Returns
    -------
    dict
        ``(a, b) -> rho``: the Pearson correlation of the normal scores of parameters a and b (Spearman
        values are converted with rho = 2 sin(pi rho_s / 6)), ready for
        ``draw_table(..., correlation=..., correlation_kind="normal_scores")``. Empty if no block.

    Raises
    ------
    ScenarioError
        Every problem, located at the file:line of the entry: unknown parameter (with suggestions);
        a derived parameter (an expression), a parameter without a distribution, a Dirichlet or a
        service-use (bootstrap) statistic; a parameter correlated with itself; one pair given twice
        with different values; correlations that together are not positive semi-definite.
    """
    loaded = compiled.loaded
    pset = compiled.parameters
    problems: list[Problem] = []
    values: dict[frozenset, float] = {}
    given: dict[frozenset, float] = {}
    pairs: dict[frozenset, tuple] = {}
    for i, entry in enumerate(loaded.spec.correlations):
        path = ("correlations", i)
        ok = True
        for j, name in enumerate(entry.between):
            message = _correlation_problem(pset, name)
            if message:
                problems.append(loaded.problem(path + ("between", j), message))
                ok = False
        if not ok:
            continue
        a, b = entry.between
        if a == b:
            problems.append(loaded.problem(path + ("between",), f"a parameter cannot be correlated with itself "
                                                                f"(got [{a}, {b}])"))
            continue
        key = frozenset((a, b))
        rho = entry.value if entry.kind == "normal_scores" else float(spearman_to_pearson(entry.value))
        if key in values and values[key] != rho:
            problems.append(loaded.problem(path + ("value",), f"the pair ({a}, {b}) is given twice with different "
                                                              f"values ({given[key]} and {entry.value})"))
            continue
        values[key], given[key], pairs[key] = rho, entry.value, (a, b)
    if problems:
        raise ScenarioError(problems)
    if not values:
        return {}
    names = [n for n in pset.parameters if any(n in k for k in values)]
    index = {n: k for k, n in enumerate(names)}
    matrix = np.eye(len(names))
    for key, rho in values.items():
        a, b = pairs[key]
        matrix[index[a], index[b]] = matrix[index[b], index[a]] = rho
    try:
        check_correlation(matrix, names)
    except CorrelationError as exc:
        raise ScenarioError([loaded.problem(("correlations",), p.message) for p in exc.problems]) from None
    return {pairs[key]: rho for key, rho in values.items()}


def _correlation_problem(pset, name: str) -> str | None:
    if name not in pset.parameters:
        close = difflib.get_close_matches(name, list(pset.parameters), n=2)
        return f"unknown parameter '{name}'" + (f" (did you mean {' or '.join(close)}?)" if close else "")
    p = pset[name]
    if p.is_derived:
        return f"'{name}' is an expression of other parameters; correlate the parameters it is computed from"
    if not p.is_uncertain:
        return f"'{name}' has no distribution (it is fixed in the probabilistic analysis); give it a 'dist' first"
    if isinstance(p.distribution, BootstrapStatistic):
        return (f"'{name}' is a service-use statistic, drawn jointly with the others from one bootstrap "
                "replicate; its correlations come from the data and cannot be set")
    if p.distribution.dimension > 1:
        return (f"'{name}' is a {p.distribution.name} over {p.distribution.dimension} components; only "
                "univariate parameters can be correlated")
    return None


# --------------------------------------------------------------------------------------------
def run_psa(compiled: CompiledScenario, *, n_draws: int, seed: int | None = None, method: str | None = None,
            chunk_draws: int | None = None, outputs: Sequence[str] | None = None, keep_cycles: bool = False,
            progress: Callable[[int], None] | None = None) -> PsaResult:
    """Run a probabilistic sensitivity analysis.

    Parameters
    ----------
    compiled : CompiledScenario
    n_draws : int
        Number of draws N (a power of two for ``sobol``).
    seed : int, optional
        Seed of ``numpy.random.default_rng`` (default: the scenario's ``settings.seed``).
    method : {"monte_carlo", "latin_hypercube", "sobol"}, optional
        Sampling design (default: the scenario's ``settings.sampling``).
    chunk_draws : int, optional
        Most draws evaluated at once (memory only; results do not depend on it).
    outputs : sequence of str, optional
        Named outputs kept per draw (default :func:`econ.analysis.outputs.default_outputs`).
    keep_cycles : bool
        Keep per-cycle amounts in ``evaluation`` (memory: N x strategies x outputs x cycles x 16 bytes).
    progress : callable, optional
        Called with the number of draws finished after each evaluated chunk.

    Returns
    -------
    PsaResult

    Raises
    ------
    ScenarioError
        Bad ``correlations`` block or unknown output names.
    econ.uncertainty.sampling.DesignError
        Bad ``n_draws`` or ``method`` (e.g. sobol with N not a power of two).
    econ.core.errors.ModelError
        A draw gives an invalid transition row (the message names the draw).

    Notes
    -----
    The whole ParameterTable is drawn in one call (:func:`econ.analysis.draws.draw_table`) from
    ``numpy.random.default_rng(seed)`` before any evaluation (Monte Carlo draws as the scenario's
    ``settings.monte_carlo_draws`` says: direct samplers by default, see :mod:`econ.uncertainty.sampling`),
    and :func:`econ.evaluate.evaluate` computes every draw independently, so the results are
    identical whatever ``chunk_draws`` is: chunking bounds memory, never changes numbers. Parameters correlated in the scenario's
    ``correlations`` block are drawn through a Gaussian copula (each keeps its own distribution);
    the service-use statistics are drawn jointly from one bootstrap replicate per draw.
    """
    if isinstance(n_draws, bool) or not isinstance(n_draws, (int, np.integer)) or n_draws < 1:
        raise EconError(Problem(f"number of draws must be a whole number >= 1 (got {n_draws!r})", None, "n_draws"))
    settings = compiled.loaded.spec.settings
    seed = settings.seed if seed is None else int(seed)
    method = settings.sampling if method is None else method
    names = list(outputs) if outputs else default_outputs(compiled)
    specs = [parse_output(compiled, name) for name in names]
    correlation = scenario_correlation(compiled)
    table = draw_table(compiled.parameters, int(n_draws), rng=np.random.default_rng(seed), method=method,
                       correlation=correlation or None,
                       correlation_kind="normal_scores" if correlation else None,
                       monte_carlo_draws=settings.monte_carlo_draws)
    ev = evaluate(compiled, table, chunk_draws=chunk_draws, keep_cycles=keep_cycles, progress=progress)
    frame = pd.DataFrame({spec.text: output_values(compiled, ev, spec) for spec in specs},
                         index=pd.RangeIndex(table.n_draws, name="draw"))
    return PsaResult(compiled, table, ev, frame, seed, method, correlation)


# --------------------------------------------------------------------------------------------
def _stats(x: np.ndarray, axis: int = 0) -> dict:
    """mean, sd (ddof 1), MCSE and the 2.5/97.5 percentiles along ``axis``."""
    n = x.shape[axis]
    mean = x.mean(axis=axis)
    sd = x.std(axis=axis, ddof=1) if n > 1 else np.full_like(mean, np.nan)
    lo, hi = np.percentile(x, PERCENTILES, axis=axis)
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
        (delivery_cost, offset_<category>..., cost_offset, net_cost, roi), ``mean``, ``sd``, ``mcse``,
        ``p2.5``, ``p97.5`` (per participant) and ``population_mean`` (mean over draws of the measure x
        the population parameter in the same draw; for roi, the per-participant mean).

    Raises
    ------
    ScenarioError
        The scenario has no consistent ``cost_offset`` block.

    Notes
    -----
    See :mod:`econ.analysis.offset`: delivery D, offset O = sum of savings, net cost N = D - O,
    ROI = O / D, all per draw before averaging (so mean ROI is not mean O / mean D).
    """
    from econ.analysis.offset import check_cost_offset, measures

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
                for name, arr in m.items():
                    st = _stats(arr[:, k])
                    popmean = float(st["mean"]) if name == "roi" else float(np.mean(arr[:, k] * pop))
                    rows.append({"perspective": persp, "discounting": "discounted" if disc else "undiscounted",
                                 "strategy": s, "measure": name, **{c: float(st[c]) for c in _STAT_COLUMNS},
                                 "population_mean": popmean})
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


# --------------------------------------------------------------------------------------------
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
    (exactly equal NMB) go to the first strategy in scenario order, as ``numpy.argmax`` does. Computed
    for every lambda at once by :func:`econ.analysis.cea.acceptability`.

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
    values = np.empty(wtp.size)
    for i, lam in enumerate(wtp):
        # Strategies as contiguous rows: every mean below is then the same pairwise sum over draws in
        # the same order, and floating-point addition is monotone, so max_s NMB_is >= NMB_is for every
        # draw gives E[max] >= max E exactly (EVPI is never negative by rounding, and exactly 0 when
        # one strategy wins every draw).
        nmb = np.ascontiguousarray((lam * e - c).T)  # (strategies, draws)
        values[i] = nmb.max(axis=0).mean() - nmb.mean(axis=1).max()
    return pd.DataFrame({"wtp": wtp, "evpi_per_person": values, "population": pop,
                         "evpi_population": values * pop})


# --------------------------------------------------------------------------------------------
def convergence(result: PsaResult, checkpoints: Sequence[int] | None = None) -> pd.DataFrame:
    """Running mean of each named output and its Monte Carlo standard error at checkpoints.

    Parameters
    ----------
    result : PsaResult
    checkpoints : sequence of int, optional
        Draw counts n (default: 100, 200, 500, 1,000, ... below N, then N).

    Returns
    -------
    pandas.DataFrame
        Columns ``output``, ``n_draws``, ``mean`` (of the first n draws), ``mcse`` = sd_n / sqrt(n),
        ``rel_mcse`` = mcse / |mean|, ``change`` = |mean_n - mean_N| / mcse_N (how many final
        standard errors the running mean still is from the final one). ICER outputs are left out
        (a ratio of means; see :func:`summarize_outputs`).

    Notes
    -----
    A run has converged for a purpose when mcse is small against the differences that matter
    (e.g. below 1% of the mean, or well below the distance of the mean from a decision threshold).
    For Latin hypercube or Sobol designs the first n draws are not themselves a balanced design and
    the independent-draws MCSE overstates the error of the full run.
    """
    n = result.n_draws
    points = sorted({int(c) for c in (checkpoints if checkpoints is not None else DEFAULT_CHECKPOINTS)
                     if 1 < int(c) < n} | {n})
    rows = []
    for spec in result.output_specs:
        if spec.kind == "icer":
            continue
        x = result.outputs[spec.text].to_numpy()
        final_mean = x.mean()
        final_mcse = x.std(ddof=1) / np.sqrt(n) if n > 1 else np.nan
        for m in points:
            part = x[:m]
            mean = part.mean()
            mcse = part.std(ddof=1) / np.sqrt(m) if m > 1 else np.nan
            with np.errstate(divide="ignore", invalid="ignore"):
                rows.append({"output": spec.text, "n_draws": m, "mean": mean, "mcse": mcse,
                             "rel_mcse": mcse / abs(mean) if mean != 0 else np.nan,
                             "change": abs(mean - final_mean) / final_mcse if final_mcse > 0 else np.nan})
    return pd.DataFrame(rows, columns=["output", "n_draws", "mean", "mcse", "rel_mcse", "change"])


# --------------------------------------------------------------------------------------------
def draws_frame(result: PsaResult) -> pd.DataFrame:
    """Parameter draws and named outputs per draw, one row per draw.

    Returns
    -------
    pandas.DataFrame
        Index ``draw``; a column per uncertain parameter column (Dirichlet components expanded,
        e.g. ``tA_B``; parameters fixed in the PSA are left out), then a column per named output.
    """
    columns = [c for p in result.compiled.parameters.uncertain for c in p.components]
    frame = pd.DataFrame({c: result.table.columns[c] for c in columns},
                         index=pd.RangeIndex(result.n_draws, name="draw"))
    return pd.concat([frame, result.outputs], axis=1)


def psa_tables(result: PsaResult, *, wtp: Sequence[float] | None = None,
               population: float | None = None) -> dict[str, pd.DataFrame]:
    """Every summary table that applies to the scenario, by name.

    Returns
    -------
    dict of str to pandas.DataFrame
        Always ``psa_summary`` (:func:`summarize`), ``psa_outputs`` (:func:`summarize_outputs`) and
        ``convergence``; with a ``cost_offset`` block ``psa_offset`` and ``cost_saving``; with an
        ``icer`` block ``psa_icer``, ``ce_plane``, ``ceac`` (:func:`acceptability`) and ``evpi``.
    """
    tables = {"psa_summary": summarize(result), "psa_outputs": summarize_outputs(result),
              "convergence": convergence(result)}
    if result.compiled.loaded.spec.cost_offset is not None:
        tables["psa_offset"] = summarize_offset(result)
        tables["cost_saving"] = cost_saving(result)
    if result.compiled.icer is not None:
        tables["psa_icer"] = summarize_icer(result)
        tables["ce_plane"] = ce_plane(result)
        tables["ceac"] = acceptability(result, wtp)
        tables["evpi"] = evpi(result, wtp, population=population)
    return tables

#: Points of the curve "probability the net cost is at most x".
CURVE_POINTS = 121

#: Draws evaluated at once when per-cycle amounts are needed (memory: chunk x strategies x values x
#: cycles x 16 bytes, about 55 MB for 1,000 draws of the default model).
CYCLE_CHUNK = 1000


def cumulative_band(compiled, table, perspective: str, *, chunk: int = CYCLE_CHUNK) -> pd.DataFrame:
    """Mean and 95% interval of the cumulative net cost per person by cycle over the draws of ``table``.

    Parameters
    ----------
    compiled : CompiledScenario
    table : ParameterTable
        The PSA draws.
    perspective : str
    chunk : int
        Draws evaluated at once (per-cycle amounts are large; only the cumulative net cost is kept).

    Returns
    -------
    pandas.DataFrame
        Columns ``strategy`` (non-reference), ``cycle`` (1..T), ``mean``, ``lower`` (2.5th percentile),
        ``upper`` (97.5th percentile), money per person, discounted.
    """
    from econ.analysis.offset import cumulative_net_cost

    parts = []
    for start in range(0, table.n_draws, chunk):
        ev = evaluate(compiled, table.slice(start, min(start + chunk, table.n_draws)), keep_cycles=True)
        parts.append(cumulative_net_cost(compiled, ev, perspective))
    cum = np.concatenate(parts, axis=0)  # (draws, strategies, cycles)
    strategies = list(ev.strategies)
    frames = []
    for k, s in enumerate(strategies):
        if s == compiled.reference:
            continue
        lo, hi = np.percentile(cum[:, k, :], [2.5, 97.5], axis=0)
        frames.append(pd.DataFrame({"strategy": s, "cycle": np.arange(1, cum.shape[2] + 1),
                                    "mean": cum[:, k, :].mean(axis=0), "lower": lo, "upper": hi}))
    return pd.concat(frames, ignore_index=True)


def net_cost_curve(per_draw: pd.DataFrame, *, points: int = CURVE_POINTS) -> pd.DataFrame:
    """Probability that the net cost per person is at most x, over a grid of x (the empirical CDF).

    This is the acceptability curve of a cost-offset decision: with a willingness to pay of x per
    person supported, the programme is acceptable in a draw when its net cost is <= x.

    Returns
    -------
    pandas.DataFrame
        Columns ``threshold`` (money per person), ``strategy``, ``probability``.
    """
    x = per_draw["net_cost"].to_numpy(float)
    lo, hi = np.nanpercentile(x, [0.5, 99.5])
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    grid = np.linspace(lo, hi, points)
    frames = []
    for s, part in per_draw.groupby("strategy", sort=False):
        v = np.sort(part["net_cost"].to_numpy(float))
        frames.append(pd.DataFrame({"threshold": grid, "strategy": s,
                                    "probability": np.searchsorted(v, grid, side="right") / v.size}))
    return pd.concat(frames, ignore_index=True)
