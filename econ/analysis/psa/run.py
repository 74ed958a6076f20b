"""Run a probabilistic sensitivity analysis: the scenario's correlations, the draws, one evaluation."""
from __future__ import annotations

import difflib
from typing import Callable, Sequence

import numpy as np
import pandas as pd

from econ.analysis.draws import draw_table
from econ.core.errors import EconError, Problem, ScenarioError
from econ.core.limits import check_draws, check_work, current_limits
from econ.core.errors import LimitError
from econ.model.evaluate import evaluate, kept_bytes
from econ.inputs.context import BootstrapStatistic
from econ.model.compile import CompiledScenario
from econ.model.tunnels import step_cells
from econ.uncertainty.sampling import CorrelationError, check_correlation, spearman_to_pearson
from econ.analysis.outputs import default_outputs, output_values, parse_output
from econ.analysis.psa.result import PsaResult


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
    _check_memory(compiled, int(n_draws), n_outputs=len(specs), keep_cycles=keep_cycles)
    correlation = scenario_correlation(compiled)
    table = draw_table(compiled.parameters, int(n_draws), rng=np.random.default_rng(seed), method=method,
                       correlation=correlation or None,
                       correlation_kind="normal_scores" if correlation else None,
                       monte_carlo_draws=settings.monte_carlo_draws)
    ev = evaluate(compiled, table, chunk_draws=chunk_draws, keep_cycles=keep_cycles, progress=progress)
    frame = pd.DataFrame({spec.text: output_values(compiled, ev, spec) for spec in specs},
                         index=pd.RangeIndex(table.n_draws, name="draw"))
    from econ.analysis.base_case import warn_if_synthetic

    warn_if_synthetic(compiled)
    return PsaResult(compiled, table, ev, frame, seed, method, correlation)


def _check_memory(compiled: CompiledScenario, n: int, *, n_outputs: int, keep_cycles: bool) -> None:
    """Refuse, before anything is drawn, a PSA whose whole-run arrays would not fit the memory cap.

    Counted: the results kept for every draw (totals, per-cycle amounts when kept), the parameter
    table twice (drawing makes one temporary copy of each column) and the per-draw outputs table.
    """
    check_draws(n)
    m = compiled.model
    check_work(n_states=len(m.states), n_cycles=m.n_cycles, n_strategies=len(m.strategies), n_draws=n,
               step_cells=step_cells(m))
    need = (kept_bytes(compiled, n, keep_cycles=keep_cycles, keep_trace=False)
            + 8.0 * n * (len(compiled.parameters.columns) + n_outputs))
    cap = current_limits().max_memory_mb
    if need > cap * 2**20:
        raise LimitError(Problem(f"{n:,} draws need about {need / 2**20:,.0f} MB for the parameter table and the "
                                 f"results kept whole, more than the limit of {cap:,} MB; use fewer draws or raise "
                                 f"PEER_ECON_MAX_MEMORY_MB if the machine has the memory", None, "draws"))
