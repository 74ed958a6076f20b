"""The whole global sensitivity analysis: options from the scenario, sample, evaluate, analyse."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from econ.analysis.outputs import OutputSpec, default_outputs, parse_output
from econ.core.errors import ScenarioError
from econ.model.compile import CompiledScenario
from econ.analysis.gsa.design import Design, sample
from econ.analysis.gsa.evaluation import design_chunking, evaluate_design, saltelli_plan
from econ.analysis.gsa.methods import analyze
from econ.analysis.gsa.problem import (DEFAULT_N, TABLE_NAMES, GsaError, GsaMethod, _check_method, build_problem,
                                       check_sample_size)


@dataclass(frozen=True)
class GsaResult:
    """A finished global sensitivity analysis.

    Attributes
    ----------
    method : str
    table_name : str
        ``sobol_indices``, ``morris_indices``, ``efast_indices``, ``delta_indices`` or ``pawn_indices``.
    indices : DataFrame
        The tidy index table (columns: see :func:`analyze`).
    second_order : DataFrame or None
        Sobol' second-order indices (output, parameter_1, parameter_2, S2, S2_conf).
    outputs : tuple of str
    n : int
        Sample size as asked.
    n_evaluations : int
    seed : int
    chunk_draws : int
        Rows evaluated at once.
    synthetic : bool
        The scenario uses synthetic data: results illustrate the method, they are not evidence.
    correlated : bool
        delta/PAWN sample drawn with the scenario's correlations.
    values : ndarray, shape (n_evaluations, outputs)
        The model outputs of every row of the design.
    design : Design
    """

    method: str
    table_name: str
    indices: pd.DataFrame
    second_order: pd.DataFrame | None
    outputs: tuple
    n: int
    n_evaluations: int
    seed: int
    chunk_draws: int
    synthetic: bool
    correlated: bool
    values: np.ndarray = field(repr=False)
    design: Design = field(repr=False)

    def __repr__(self) -> str:
        flag = ", SYNTHETIC data" if self.synthetic else ""
        return (f"<GsaResult: {self.method}, n = {self.n:,} ({self.n_evaluations:,} evaluations, seed {self.seed}), "
                f"{len(self.outputs)} output(s), {len(self.indices):,} index rows{flag}; see .indices>")


def _spec_outputs(compiled: CompiledScenario, names: Sequence[str], *, from_yaml: bool) -> list[OutputSpec]:
    specs, problems = [], []
    for i, name in enumerate(names):
        try:
            specs.append(parse_output(compiled, name))
        except ScenarioError as exc:
            for prob in exc.problems:
                problems.append(compiled.loaded.problem(("gsa", "outputs", i), prob.message) if from_yaml else prob)
    if problems:
        raise ScenarioError(problems)
    return specs


def _options(compiled: CompiledScenario, *, method, n, outputs, parameters, second_order, max_memory_mb) -> tuple:
    """The options of :func:`run_gsa`, each falling back to the scenario's ``gsa:`` block, then to the defaults.

    Returns ``(method, n, output specs, problem, second_order, max_memory_mb)``; a bad sample size
    from the ``gsa:`` block is reported at ``gsa.n``.
    """
    spec = getattr(compiled.loaded.spec, "gsa", None)
    method = method or (spec.method if spec is not None else "sobol")
    _check_method(method)
    n_from_yaml = n is None and spec is not None and spec.n is not None and spec.method == method
    if n is None:
        n = spec.n if n_from_yaml else DEFAULT_N[method]
    yaml_outputs = not outputs and spec is not None and bool(spec.outputs)
    names = list(outputs) if outputs else (list(spec.outputs) if yaml_outputs else default_outputs(compiled))
    specs = _spec_outputs(compiled, names, from_yaml=yaml_outputs)
    if parameters is None and spec is not None and spec.parameters:
        problem = build_problem(compiled.parameters, spec.parameters, loaded=compiled.loaded)
    else:
        problem = build_problem(compiled.parameters, parameters)
    if second_order is None:
        second_order = bool(spec.second_order) if spec is not None and method == "sobol" else False
    if max_memory_mb is None:
        max_memory_mb = spec.max_memory_mb if spec is not None else 256
    try:
        check_sample_size(method, n, problem, second_order=second_order)
    except GsaError as exc:
        if not n_from_yaml:
            raise
        raise GsaError([compiled.loaded.problem(("gsa", "n"), p.message) for p in exc.problems]) from None
    return method, n, specs, problem, second_order, max_memory_mb


def run_gsa(compiled: CompiledScenario, *, method: GsaMethod | None = None, n: int | None = None,
            outputs: Sequence[str] | None = None, parameters: Sequence[str] | None = None,
            second_order: bool | None = None, seed: int | None = None, max_memory_mb: float | None = None,
            scheduler=None, progress: bool | None = None, num_resamples: int = 100,
            conf_level: float = 0.95) -> GsaResult:
    """Run a global sensitivity analysis of a compiled scenario.

    Every option falls back to the scenario's ``gsa:`` block, then to the defaults
    (sobol, :data:`DEFAULT_N`, :func:`econ.analysis.outputs.default_outputs`, every uncertain
    parameter, no second order, 256 MiB, the scenario's ``settings.seed``).

    Parameters
    ----------
    compiled : CompiledScenario
    method : {"sobol", "morris", "efast", "delta", "pawn"}, optional
    n : int, optional
        Sample size (see :func:`check_sample_size`).
    outputs : sequence of str, optional
        Output names (``net_cost:group``, ``inc_total_cost:comb``, ...).
    parameters : sequence of str, optional
        Parameters (or groups, or ``service_use_data``) to vary; others stay at point values.
    second_order : bool, optional
        Sobol' second-order indices.
    seed : int, optional
        Seed of the design and of the bootstrap intervals (default: ``settings.seed``). Two child
        streams of ``numpy.random.SeedSequence(seed)`` drive sampling and analysis; delta and PAWN
        draw with ``default_rng(seed)`` itself, so their sample is the PSA sample of that seed.
    max_memory_mb : float, optional
        Working memory per evaluated chunk (MiB).
    scheduler : str or dask.distributed.Client, optional
        Evaluate on Dask (see :func:`evaluate_design`).
    progress : bool, optional
        Progress bar (default: when stderr is a terminal).
    num_resamples, conf_level
        Bootstrap resamples and level of the intervals.

    Returns
    -------
    GsaResult

    Raises
    ------
    GsaError
        Bad method, sample size or parameter names.
    ScenarioError
        Unknown outputs (located in the ``gsa:`` block when they come from it).
    ModelError
        Invalid transition probabilities for some draw, or a non-finite output.
    """
    method, n, specs, problem, second_order, max_memory_mb = _options(
        compiled, method=method, n=n, outputs=outputs, parameters=parameters, second_order=second_order,
        max_memory_mb=max_memory_mb)
    seed = int(compiled.loaded.spec.settings.seed if seed is None else seed)
    sample_ss, analyze_ss = np.random.SeedSequence(seed).spawn(2)
    sample_rng = np.random.default_rng(seed if method in ("delta", "pawn") else sample_ss)
    _check_design_memory(compiled, method, int(n), problem, second_order=second_order, n_outputs=len(specs),
                         num_resamples=int(num_resamples))
    design = sample(compiled.parameters, problem, method, int(n), rng=sample_rng, second_order=second_order,
                    compiled=compiled)
    Y = evaluate_design(compiled, design, specs, max_memory_mb=max_memory_mb, scheduler=scheduler,
                        progress=progress)
    indices, second = analyze(design, Y, [s.text for s in specs], rng=np.random.default_rng(analyze_ss),
                              num_resamples=num_resamples, conf_level=conf_level)
    _plan, step, share = saltelli_plan(compiled, design, specs)
    return GsaResult(method, TABLE_NAMES[method], indices, second, tuple(s.text for s in specs), int(n),
                     design.n_rows, seed,
                     design_chunking(compiled, design.n_rows, max_memory_mb=max_memory_mb, scheduler=scheduler,
                                     step=step, share=share)[0],
                     compiled.synthetic, design.correlated, Y, design)


def sobol_indices(compiled: CompiledScenario, **options) -> pd.DataFrame:
    """Sobol' first- and total-order indices: output, parameter, S1, S1_conf, ST, ST_conf (see :func:`run_gsa`)."""
    return run_gsa(compiled, method="sobol", **options).indices


def morris_indices(compiled: CompiledScenario, **options) -> pd.DataFrame:
    """Morris screening: output, parameter, mu_star, mu_star_conf, mu, sigma (see :func:`run_gsa`)."""
    return run_gsa(compiled, method="morris", **options).indices


def efast_indices(compiled: CompiledScenario, **options) -> pd.DataFrame:
    """eFAST indices: output, parameter, group, S1, S1_conf, ST, ST_conf (see :func:`run_gsa`)."""
    return run_gsa(compiled, method="efast", **options).indices


def delta_indices(compiled: CompiledScenario, **options) -> pd.DataFrame:
    """Delta indices: output, parameter, group, delta, delta_conf, S1, S1_conf (see :func:`run_gsa`)."""
    return run_gsa(compiled, method="delta", **options).indices


def pawn_indices(compiled: CompiledScenario, **options) -> pd.DataFrame:
    """PAWN indices: output, parameter, group, minimum, mean, median, maximum, CV (see :func:`run_gsa`)."""
    return run_gsa(compiled, method="pawn", **options).indices


def _check_design_memory(compiled: CompiledScenario, method: str, n: int, problem, *, second_order: bool,
                         n_outputs: int, num_resamples: int = 100) -> None:
    """Refuse, before the design is built, a GSA whose design and outputs would not fit the memory cap.

    Counted: what the design holds whole (by method, see below) plus one value per evaluation and
    output; the cap is ``PEER_ECON_MAX_MEMORY_MB`` (the same as for PSA). Chunks of parameter
    tables are bounded separately by ``max_memory_mb``. The bootstrap of the confidence intervals
    (about 40 bytes per base sample and resample) and the work (:func:`econ.core.limits.check_work`)
    are checked too.
    """
    from econ.core.errors import LimitError, Problem
    from econ.core.limits import check_draws, check_work, current_limits
    from econ.model.tunnels import step_cells

    evaluations = check_sample_size(method, n, problem, second_order=second_order)
    check_draws(evaluations, what="model evaluations")
    if method == "sobol":  # the (n, 2d) base sequence; rows are made chunk by chunk
        held = n * 2 * problem.d
    elif method in ("delta", "pawn"):  # the whole PSA sample and its input values
        held = evaluations * (problem.d + len(compiled.parameters.columns))
    else:  # the unit-cube design
        held = evaluations * problem.d
    need = 8.0 * (held + evaluations * n_outputs)
    cap = current_limits().max_memory_mb
    if need > cap * 2**20:
        raise LimitError(Problem(f"n = {n:,} means {evaluations:,} model evaluations whose design and outputs need "
                                 f"about {need / 2**20:,.0f} MB, more than the limit of {cap:,} MB; use a smaller "
                                 f"n or raise PEER_ECON_MAX_MEMORY_MB", None, "n"))
    boot = 40.0 * n * num_resamples  # bootstrap of the intervals: an (n, resamples) index array and ~4 gathers
    if boot > cap * 2**20:
        raise LimitError(Problem(f"{num_resamples:,} resamples of n = {n:,} need about {boot / 2**20:,.0f} MB for the "
                                 f"bootstrap confidence intervals, more than the limit of {cap:,} MB; use fewer "
                                 f"resamples or raise PEER_ECON_MAX_MEMORY_MB", None, "resamples"))
    m = compiled.model
    check_work(n_states=len(m.states), n_cycles=m.n_cycles, n_strategies=len(m.strategies), n_draws=evaluations,
               what="model evaluations", step_cells=step_cells(m))
