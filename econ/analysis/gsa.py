"""Global sensitivity analysis with SALib (its only importer): problem, designs, chunked evaluation, tidy tables.

Pipeline
--------
::

    ParameterSet --build_problem--> GsaProblem (one design column per uniform; SALib groups)
    GsaProblem --sample--> Design (unit-cube design, or a PSA sample for delta/PAWN)
    Design --evaluate_design--> Y (evaluations x outputs), in chunks, in process or on Dask
    Design + Y --analyze--> tidy DataFrames (sobol_indices, morris_indices, ...)

Inputs are sampled on [0, 1]^d (SALib bounds [0, 1]) and each design column goes through its own
parameter's inverse CDF (:func:`econ.analysis.draws.table_from_uniforms`, after
:func:`econ.uncertainty.distributions.clip_to_open_unit`), so beta, gamma, lognormal and Dirichlet inputs keep
their distributions: the idea of SALib's ``_nonuniform_scale_samples``, with our distributions.
A Dirichlet takes k columns and all parameters drawn from the service-use bootstrap share one
(``service_use_data``); parameters with the same ``group:`` and a Dirichlet's columns form one
SALib group, so Sobol' and Morris report them as one input.

SALib is called through its module functions (not ``ProblemSpec``), with generic names
(``x0, x1, ...``; groups ``g0, g1, ...``) so that no parameter name can clash with SALib's own
keys, and every call that seeds numpy's global random state (``delta``, ``fast``, ``pawn``) runs
with that state saved and restored.
"""
from __future__ import annotations

import contextlib
import difflib
import functools
import sys
import warnings
from dataclasses import dataclass, field
from typing import Literal, Sequence

import numpy as np
import pandas as pd

from econ.analysis.outputs import OutputSpec, default_outputs, output_values, parse_output
from econ.uncertainty.distributions import clip_to_open_unit
from econ.uncertainty.sampling import qmc_module, qmc_rng_keyword
from econ.analysis.draws import (BOOTSTRAP_COLUMN, UncertainInput, draw_input_values, table_from_input_values,
                    table_from_uniforms, uncertain_inputs)
from econ.core.errors import EconError, ModelError, Problem, ScenarioError
from econ.model.evaluate import evaluate
from econ.model.compile import CompiledScenario
from econ.core.parallel import default_threads, run_in_order, threads_for
from econ.model.parameters import ParameterSet, ParameterTable

GsaMethod = Literal["sobol", "morris", "efast", "delta", "pawn"]
METHODS = ("sobol", "morris", "efast", "delta", "pawn")

#: Name of the result table (and CSV file stem) of each method.
TABLE_NAMES = {m: f"{m}_indices" for m in METHODS}

#: Sample size used when none is given: base samples (sobol), trajectories (morris), samples per
#: input (efast) or draws (delta, pawn).
DEFAULT_N = {"sobol": 1024, "morris": 100, "efast": 1024, "delta": 4096, "pawn": 4096}

#: Morris grid levels; SALib's default. With p = 4 the step is p / (2 (p - 1)) = 2/3 of the unit range.
MORRIS_LEVELS = 4
#: Morris grid levels are quantiles in [MORRIS_TAIL, 1 - MORRIS_TAIL] (the 0.5% and 99.5% quantiles
#: at the ends), not [0, 1]: the quantiles 0 and 1 of a normal, lognormal or gamma input are
#: infinite, and the clipped values (8 SD out) can make a transition probability exceed 1. The grid
#: is squeezed linearly, so a step is (1 - 2 MORRIS_TAIL) 2/3 of the probability range.
MORRIS_TAIL = 0.005
#: eFAST interference factor M (harmonics); SALib's default. It requires N > 4 M^2 samples per input.
EFAST_M = 4
#: PAWN conditioning slices; SALib's default.
PAWN_SLICES = 10



class GsaError(EconError, ValueError):
    """A global sensitivity analysis was asked for with an impossible method, size or input."""


# --------------------------------------------------------------------------------------------
# problem
@dataclass(frozen=True)
class GsaProblem:
    """The inputs of a GSA as SALib sees them.

    Attributes
    ----------
    inputs : tuple of UncertainInput
        Varied inputs, in scenario order.
    columns : tuple of str
        One name per design column: the parameter, a Dirichlet's component columns
        (``tA_B``), or ``service_use_data``.
    column_groups : tuple of str
        The group of each column (its parameter's ``group:``, the Dirichlet's name, or its own name).
    groups : tuple of str
        Distinct groups in order of first appearance: the factors of Sobol' and Morris.
    """

    inputs: tuple
    columns: tuple
    column_groups: tuple
    groups: tuple

    @property
    def d(self) -> int:
        """Number of design columns."""
        return len(self.columns)

    @property
    def grouped(self) -> bool:
        """True when some group holds more than one column (SALib then needs ``groups``)."""
        return len(self.groups) < len(self.columns)

    def salib(self, *, grouped: bool = True) -> dict:
        """A fresh SALib problem dict on the unit cube (SALib mutates the dicts it is given)."""
        problem = {"num_vars": self.d, "names": [f"x{j}" for j in range(self.d)], "bounds": [[0.0, 1.0]] * self.d}
        if grouped and self.grouped:
            index = {g: i for i, g in enumerate(self.groups)}
            problem["groups"] = [f"g{index[g]}" for g in self.column_groups]
        return problem

    def factors(self, *, grouped: bool) -> tuple:
        """Names of the factors SALib reports, in its order."""
        return self.groups if grouped and self.grouped else self.columns


def _input_columns(pset: ParameterSet, inp: UncertainInput) -> tuple:
    if inp.name == BOOTSTRAP_COLUMN:
        return (BOOTSTRAP_COLUMN,)
    return tuple(pset[inp.name].components)


def build_problem(pset: ParameterSet, parameters: Sequence[str] | None = None, *, loaded=None) -> GsaProblem:
    """Build the GSA problem from a ParameterSet.

    Parameters
    ----------
    pset : ParameterSet
    parameters : sequence of str, optional
        Parameters to vary: uncertain parameter names, group names (every member), or
        ``service_use_data`` (any bootstrap-derived parameter selects the whole bootstrap group).
        Default: every uncertain parameter. Parameters not chosen stay at their point values.
    loaded : LoadedScenario, optional
        Used to point errors at ``gsa.parameters`` in the scenario file.

    Returns
    -------
    GsaProblem

    Raises
    ------
    GsaError
        Unknown names (with suggestions), names of parameters without a distribution, or nothing
        to vary.
    """
    every = uncertain_inputs(pset)
    names = None
    if parameters:
        by_group: dict[str, list[str]] = {}
        known: set[str] = set()
        for inp in every:
            by_group.setdefault(inp.group, []).append(inp.name)
            known.update(inp.parameters)
            known.add(inp.name)
        problems = []
        names = set()
        for i, name in enumerate(parameters):
            where = ("gsa", "parameters", i)
            if name in known:
                names.add(name)
            elif name in by_group:
                names.update(by_group[name])
            else:
                if name in pset.parameters:
                    p = pset[name]
                    msg = (f"'{name}' is an expression of other parameters; vary the parameters it is computed from"
                           if p.is_derived else
                           f"'{name}' has no distribution, so it cannot be varied; give it one (e.g. dist: gamma)")
                else:
                    close = difflib.get_close_matches(name, sorted(known | set(by_group)), n=2)
                    msg = f"unknown parameter '{name}'" + (f" (did you mean {' or '.join(close)}?)" if close else "")
                problems.append(loaded.problem(where, msg) if loaded is not None else Problem(msg, None, "parameters"))
        if problems:
            raise GsaError(problems)
    inputs = uncertain_inputs(pset, names=names)
    if not inputs:
        raise GsaError(Problem("no uncertain parameters to vary: give some parameters a distribution", None,
                               "parameters"))
    columns, column_groups = [], []
    for inp in inputs:
        for c in _input_columns(pset, inp):
            columns.append(c)
            column_groups.append(inp.group)
    groups = tuple(dict.fromkeys(column_groups))
    return GsaProblem(tuple(inputs), tuple(columns), tuple(column_groups), groups)


# --------------------------------------------------------------------------------------------
# sample sizes
def _powers_of_two_near(n: int) -> tuple[int, int]:
    below = 1 << max(n.bit_length() - 1, 0)
    return below, below * 2


def _check_method(method: str) -> None:
    if method not in METHODS:
        close = difflib.get_close_matches(str(method), METHODS, n=1)
        raise GsaError(Problem(f"unknown method '{method}'" + (f" (did you mean {close[0]}?)" if close else "")
                               + f"; methods: {', '.join(METHODS)}", None, "method"))


def check_sample_size(method: str, n: int, problem: GsaProblem, *, second_order: bool = False) -> int:
    """Check a sample size for a method and return the number of model evaluations it needs.

    Raises
    ------
    GsaError
        Unknown method; ``sobol`` with n not a power of two (the message names the powers of two
        either side); ``efast`` with n <= 4 M^2 = 64; ``morris`` with fewer than 2 trajectories;
        ``delta``/``pawn`` with fewer draws than their estimators need; second order with a method
        other than ``sobol``.

    Notes
    -----
    The Sobol' rule is an error, not a warning: the balance properties of a Sobol' sequence (each
    elementary interval holding its share of points), and so the convergence rate of the
    estimators, hold only for N = 2^m.
    """
    _check_method(method)
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise GsaError(Problem(f"sample size must be a whole number (got {n!r})", None, "n"))
    n = int(n)
    if second_order and method != "sobol":
        raise GsaError(Problem(f"second-order indices are estimated by sobol only (method is {method})", None,
                               "second_order"))
    G = len(problem.groups)
    if method == "sobol":
        if n < 2 or n & (n - 1):
            below, above = _powers_of_two_near(max(n, 1))
            hint = f"use n = {below} or {above}" if n >= 2 else "use n = 2 or more, e.g. 1024"
            raise GsaError(Problem(f"sobol needs n to be a power of two (got {n}); {hint}: the Sobol' sequence keeps "
                                   "its balance properties only at powers of two", None, "n"))
        return n * ((2 * G + 2) if second_order else (G + 2))
    if method == "morris":
        if n < 2:
            raise GsaError(Problem(f"morris needs at least 2 trajectories (got {n}); 20 to 100 is usual", None, "n"))
        return n * (G + 1)
    if method == "efast":
        if n <= 4 * EFAST_M**2:
            raise GsaError(Problem(f"efast needs n > 4 M^2 = {4 * EFAST_M**2} samples per input with M = {EFAST_M} "
                                   f"harmonics (got {n}); use n = {4 * EFAST_M**2 + 1} or more, e.g. 1024", None, "n"))
        return n * problem.d
    # delta and pawn estimate conditional distributions in classes of the sample: SALib's delta
    # keeps classes of at least 10 draws and PAWN compares PAWN_SLICES slices with the whole.
    minimum = 100
    if n < minimum:
        raise GsaError(Problem(f"{method} needs at least {minimum} draws (got {n}); a few thousand is usual",
                               None, "n"))
    return n


# --------------------------------------------------------------------------------------------
# designs and the rows they produce
@dataclass(frozen=True)
class SaltelliRows:
    """Rows of Saltelli's Sobol' design, built on demand from the mapped base matrices A and B.

    Row r = i (k_max) + k of SALib's design is sample i of A (k = 0), of A with group k - 1 taken
    from B (k = 1..G), of B with group k - G - 1 taken from A (second order, k = G + 1..2G), or of
    B (the last k). Every value of a row is therefore a value of A or B, so the inverse CDFs are
    applied to the 2N rows of A and B once, not to all N (G + 2) rows: the same numbers, since
    each ``ppf`` is elementwise (a test checks the table equals mapping SALib's own design).
    """

    a: dict  # column -> (N,) mapped values of A (point values for columns not varied)
    b: dict  # column -> (N,) mapped values of B
    column_group: dict  # table column -> group index (absent: not varied)
    from_b: np.ndarray  # (rows per sample, G) bool: group g of sub-row k comes from B

    @property
    def step(self) -> int:
        return self.from_b.shape[0]

    def table(self, start: int, stop: int) -> ParameterTable:
        r = np.arange(start, stop)
        i, k = np.divmod(r, self.step)
        cols = {}
        for name, a in self.a.items():
            g = self.column_group.get(name)
            cols[name] = a[i] if g is None else np.where(self.from_b[k, g], self.b[name][i], a[i])
        return ParameterTable(cols, stop - start)


@dataclass(frozen=True)
class UniformRows:
    """Rows of a unit-cube design held whole (Morris, eFAST), mapped chunk by chunk."""

    pset: ParameterSet
    inputs: tuple
    uniforms: np.ndarray

    def table(self, start: int, stop: int) -> ParameterTable:
        return table_from_uniforms(self.pset, list(self.inputs), clip_to_open_unit(self.uniforms[start:stop]))


@dataclass(frozen=True)
class TableRows:
    """Rows of an already drawn ParameterTable (the PSA sample of delta and PAWN)."""

    table_: ParameterTable

    def table(self, start: int, stop: int) -> ParameterTable:
        return self.table_.slice(start, stop)


@dataclass(frozen=True)
class Design:
    """A GSA design: what to evaluate and what SALib needs to analyse it.

    Attributes
    ----------
    method : str
    problem : GsaProblem
    n : int
        Sample size as asked (base samples, trajectories, samples per input or draws).
    n_rows : int
        Model evaluations.
    second_order : bool
    rows : SaltelliRows | UniformRows | TableRows
        Produces the ParameterTable of any range of rows.
    X : ndarray or None
        What SALib's analysers read besides Y: the unit-cube design (Morris), or the input values
        of the PSA sample (delta, PAWN: one column per design column; for ``service_use_data`` the
        uniform that picks the bootstrap replicate). None for Sobol' and eFAST.
    base : ndarray or None
        Sobol': the (N, 2d) base sequence [A | B] (unclipped), for :func:`design_uniforms`.
    correlated : bool
        The sample carries the scenario's correlations (delta, PAWN).
    """

    method: str
    problem: GsaProblem
    n: int
    n_rows: int
    second_order: bool
    rows: object
    X: np.ndarray | None = None
    base: np.ndarray | None = None
    correlated: bool = False


def _saltelli_from_b(G: int, second_order: bool) -> np.ndarray:
    step = 2 * G + 2 if second_order else G + 2
    from_b = np.zeros((step, G), dtype=bool)
    for g in range(G):
        from_b[1 + g, g] = True
        if second_order:
            from_b[G + 1 + g, :] = True
            from_b[G + 1 + g, g] = False
    from_b[step - 1, :] = True
    return from_b


def design_uniforms(design: Design, start: int = 0, stop: int | None = None) -> np.ndarray:
    """The unit-cube rows [start, stop) of a design (unclipped), as SALib's sampler would give them.

    For Sobol' they are assembled from the base sequence; for Morris and eFAST they are the design
    itself. Not defined for delta/PAWN, whose sample is drawn as parameter values.
    """
    stop = design.n_rows if stop is None else stop
    if design.base is not None:
        p = design.problem
        gindex = {g: i for i, g in enumerate(p.groups)}
        col_g = np.array([gindex[g] for g in p.column_groups])
        from_b = _saltelli_from_b(len(p.groups), design.second_order)
        i, k = np.divmod(np.arange(start, stop), from_b.shape[0])
        take_b = from_b[k][:, col_g]
        return np.where(take_b, design.base[i, p.d:], design.base[i, : p.d])
    if isinstance(design.rows, UniformRows):
        return design.rows.uniforms[start:stop]
    raise GsaError(Problem(f"a {design.method} design is a sample of parameter values, not of uniforms", None,
                           "design"))


def _scenario_correlation(compiled: CompiledScenario | None) -> dict:
    """The scenario's ``correlations`` as normal-score correlations (as the PSA uses them), or {}."""
    if compiled is None or not compiled.loaded.spec.correlations:
        return {}
    from econ.analysis.psa import scenario_correlation

    return scenario_correlation(compiled)


def sample(pset: ParameterSet, problem: GsaProblem, method: GsaMethod, n: int, *, rng: np.random.Generator,
           second_order: bool = False, compiled: CompiledScenario | None = None) -> Design:
    """Draw the design of a method.

    Parameters
    ----------
    pset : ParameterSet
    problem : GsaProblem
    method : {"sobol", "morris", "efast", "delta", "pawn"}
    n : int
        Sample size (see :func:`check_sample_size`).
    rng : numpy.random.Generator
        Passed to SALib's samplers (and to scipy's Sobol' engine), so the design follows the seed.
    second_order : bool
        Sobol' only: the N (2G + 2)-row design for second-order indices.
    compiled : CompiledScenario, optional
        For delta/PAWN: the scenario whose ``correlations`` (if any) the PSA sample carries, and
        whose ``settings.sampling`` design it uses.

    Returns
    -------
    Design

    Notes
    -----
    ``sobol``: the base sequence is ``scipy.stats.qmc.Sobol(2d, scramble=True)`` drawn with ``rng``,
    exactly as ``SALib.sample.sobol.sample``; its N (G + 2) rows are assembled on demand (SALib's
    sampler fills them in a Python loop and holds them whole, N (G + 2) d x 8 bytes). ``morris``:
    ``SALib.sample.morris.sample`` on a 4-level grid, whose levels are the quantiles
    ``MORRIS_TAIL + level (1 - 2 MORRIS_TAIL)`` (see :data:`MORRIS_TAIL`). ``efast``: ``SALib.sample.fast_sampler``
    (every column its own factor; eFAST cannot vary groups together). ``delta``/``pawn``: the PSA
    sample of :func:`econ.analysis.draws.draw_input_values` (the table equals ``draw_table``'s for the same
    seed), with the scenario's correlations, since both estimators are valid for dependent inputs.
    """
    n_rows = check_sample_size(method, n, problem, second_order=second_order)
    if method == "sobol":
        base = qmc_module().Sobol(2 * problem.d, scramble=True, **{qmc_rng_keyword(): rng}).random(n)
        a = clip_to_open_unit(base[:, : problem.d])
        b = clip_to_open_unit(base[:, problem.d:])
        inputs = list(problem.inputs)
        ta, tb = table_from_uniforms(pset, inputs, a), table_from_uniforms(pset, inputs, b)
        gindex = {g: i for i, g in enumerate(problem.groups)}
        column_group = {}
        for inp in problem.inputs:
            names = inp.parameters if inp.name == BOOTSTRAP_COLUMN else pset[inp.name].components
            for c in names:
                column_group[c] = gindex[inp.group]
        rows = SaltelliRows(ta.columns, tb.columns, column_group, _saltelli_from_b(len(problem.groups), second_order))
        return Design(method, problem, n, n_rows, second_order, rows, base=base)
    if method == "morris":
        from SALib.sample import morris as morris_sample

        u = morris_sample.sample(problem.salib(), n, num_levels=MORRIS_LEVELS, seed=rng)
        quantiles = MORRIS_TAIL + u * (1.0 - 2.0 * MORRIS_TAIL)
        return Design(method, problem, n, u.shape[0], False, UniformRows(pset, problem.inputs, quantiles), X=u)
    if method == "efast":
        from SALib.sample import fast_sampler

        u = fast_sampler.sample(problem.salib(grouped=False), n, M=EFAST_M, seed=rng)
        return Design(method, problem, n, u.shape[0], False, UniformRows(pset, problem.inputs, u))
    # delta / pawn: the PSA sample (all uncertain inputs drawn as in the PSA; inputs not chosen are
    # then put back at their point values)
    correlation = _scenario_correlation(compiled)
    settings = compiled.loaded.spec.settings if compiled is not None else None
    design_method = getattr(settings, "sampling", "monte_carlo") if settings is not None else "monte_carlo"
    mc_draws = getattr(settings, "monte_carlo_draws", "direct") if settings is not None else "direct"
    every, values = draw_input_values(pset, n, rng=rng, method=design_method, correlation=correlation or None,
                                      correlation_kind="normal_scores" if correlation else None,
                                      monte_carlo_draws=mc_draws)
    table = table_from_input_values(pset, every, values, n)
    chosen = {inp.name for inp in problem.inputs}
    point = pset.point_table().columns
    fixed = {}
    for inp in every:
        if inp.name not in chosen:
            for c in (inp.parameters if inp.name == BOOTSTRAP_COLUMN else pset[inp.name].components):
                fixed[c] = point[c][0]
    if fixed:
        table = table.with_values(**fixed)
    X = np.column_stack([np.asarray(values[inp.name], dtype=float).reshape(n, -1) for inp in problem.inputs])
    return Design(method, problem, n, n, False, TableRows(table), X=X, correlated=bool(correlation))


# --------------------------------------------------------------------------------------------
# evaluation
def bytes_per_draw(compiled: CompiledScenario) -> float:
    """Estimated working memory of one model evaluation while its chunk is evaluated (bytes).

    Notes
    -----
    The engine's working set per draw (:func:`econ.model.evaluate.working_bytes_per_draw`: the trace of
    every strategy, one strategy's transition matrices, flows, occupancy and totals, doubled for
    temporaries) plus, per row, one float64 per parameter column (the chunk's ParameterTable), one
    per parameter (design row and derived values, an approximation) and 16 for outputs.
    """
    from econ.model.evaluate import working_bytes_per_draw

    extra = 8.0 * (len(compiled.parameters.columns) + len(compiled.parameters.parameters) + 16)
    return float(working_bytes_per_draw(compiled, keep_cycles=False)) + extra


def chunk_draws_for(compiled: CompiledScenario, max_memory_mb: float, n_rows: int) -> int:
    """Rows evaluated at once: floor(max_memory_mb MiB / bytes_per_draw), at most ``settings.chunk_draws``.

    ``settings.chunk_draws`` caps it as in every other evaluation. Results do not depend on the
    chunk size (the engine computes every draw independently).
    """
    by_memory = int(max_memory_mb * 2**20 // bytes_per_draw(compiled))
    return max(1, min(by_memory, int(compiled.loaded.spec.settings.chunk_draws), max(n_rows, 1)))


def design_chunking(compiled: CompiledScenario, n_rows: int, *, max_memory_mb: float, scheduler=None,
                    threads: int | None = None) -> tuple[int, int]:
    """(rows per chunk, threads) for evaluating ``n_rows`` design rows (see :func:`evaluate_design`).

    In process the memory is shared by the chunks in flight, one per thread, and there are at least
    as many chunks as threads; on Dask every task gets the whole ``max_memory_mb``.
    """
    if scheduler is not None:
        return chunk_draws_for(compiled, max_memory_mb, n_rows), 1
    threads = threads_for(n_rows, threads)
    chunk = chunk_draws_for(compiled, max_memory_mb / threads, n_rows)
    if threads > 1:
        chunk = min(chunk, -(-n_rows // threads))
    return chunk, threads


@dataclass(frozen=True)
class EvaluationJob:
    """Everything needed to evaluate any range of design rows (shipped whole to Dask workers)."""

    compiled: CompiledScenario
    outputs: tuple  # OutputSpec
    rows: object  # SaltelliRows | UniformRows | TableRows
    chunk_draws: int


def evaluate_rows(job: EvaluationJob, start: int, stop: int) -> np.ndarray:
    """Evaluate design rows [start, stop): (stop - start, outputs) float64.

    This one function runs both in process and on Dask workers, so the two give identical numbers.
    """
    table = job.rows.table(start, stop)
    ev = evaluate(job.compiled, table, chunk_draws=job.chunk_draws, threads=1)
    out = np.empty((stop - start, len(job.outputs)))
    for j, spec in enumerate(job.outputs):
        out[:, j] = output_values(job.compiled, ev, spec)
    return out


def _stderr_is_terminal() -> bool:
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextlib.contextmanager
def _progress_bar(total: int, enabled: bool | None, desc: str):
    """A tqdm bar on stderr when it is a terminal (or when asked); yields a callable(n_done)."""
    if enabled is None:
        enabled = _stderr_is_terminal()
    if not enabled:
        yield None
        return
    from tqdm import tqdm

    bar = tqdm(total=total, desc=desc, unit="eval", unit_scale=True, file=sys.stderr, leave=False)
    try:
        yield bar.update
    finally:
        bar.close()


def evaluate_design(compiled: CompiledScenario, design: Design, outputs: Sequence[OutputSpec], *,
                    max_memory_mb: float = 256, scheduler=None, progress: bool | None = None,
                    threads: int | None = None) -> np.ndarray:
    """Evaluate every row of a design, in chunks of bounded memory.

    Parameters
    ----------
    compiled : CompiledScenario
    design : Design
    outputs : sequence of OutputSpec
        From :func:`econ.analysis.outputs.parse_output`.
    max_memory_mb : float
        Working memory (MiB) of the chunks evaluated at once in process (shared by the threads),
        or of one chunk on a Dask worker; the chunk size is :func:`chunk_draws_for`.
    scheduler : str or dask.distributed.Client, optional
        Run the chunks on Dask: a scheduler address (``tcp://host:8786``), ``"local"`` (a
        ``LocalCluster`` of one single-threaded process per core), or a Client. Needs the ``dask``
        extra. Results are bit-identical to the in-process run.
    progress : bool, optional
        Show a progress bar; default: only when stderr is a terminal.
    threads : int, optional
        In process, chunks evaluated at once (default :func:`econ.core.parallel.default_threads`).
        Results are bit-identical whatever the threads, the chunk size or the scheduler.

    Returns
    -------
    ndarray, shape (design.n_rows, len(outputs))

    Raises
    ------
    ModelError
        An output is not finite for some rows (e.g. an ICER whose incremental effect is 0).
    """
    chunk, threads = design_chunking(compiled, design.n_rows, max_memory_mb=max_memory_mb, scheduler=scheduler,
                                     threads=threads)
    job = EvaluationJob(compiled, tuple(outputs), design.rows, chunk)
    ranges = [(s, min(s + chunk, design.n_rows)) for s in range(0, design.n_rows, chunk)]
    Y = np.empty((design.n_rows, len(outputs)))
    with _progress_bar(design.n_rows, progress, f"gsa {design.method}") as tick:
        if scheduler is None:
            def rows(s: int, e: int) -> None:
                Y[s:e] = evaluate_rows(job, s, e)

            run_in_order([functools.partial(rows, s, e) for s, e in ranges], threads=threads,
                         done=None if tick is None else lambda i, _: tick(ranges[i][1] - ranges[i][0]))
        else:
            from econ.core.distributed import map_ranges

            for (s, e), part in zip(ranges, map_ranges(scheduler, evaluate_rows, job, ranges, progress=tick)):
                Y[s:e] = part
    bad = ~np.isfinite(Y)
    if bad.any():
        j = int(np.argmax(bad.any(axis=0)))
        rows = np.flatnonzero(bad[:, j])
        raise ModelError(Problem(f"output is not finite in {rows.size} of {design.n_rows} evaluations (first at "
                                 f"row {rows[0]}); variance-based indices need a finite output: analyse the "
                                 "incremental cost and effect (inc_...) instead of a ratio", None,
                                 f"output '{outputs[j].text}'"))
    return Y


# --------------------------------------------------------------------------------------------
# analysis
@contextlib.contextmanager
def _salib_sandbox():
    """Run a SALib call without letting it change global state.

    SALib's delta, fast and pawn analysers call ``np.random.seed`` and draw from numpy's global
    random state; delta also replaces ``warnings.formatwarning`` and sets a filter. All three are
    restored afterwards, and SALib's warnings (e.g. eFAST's note that its bootstrap intervals are
    indicative only, delta's bin merges) are not shown: their content is in our docstrings.
    """
    state = np.random.get_state()
    formatwarning = warnings.formatwarning
    try:
        # record=True collects warnings in a list instead of showing them, even after SALib's own
        # ``simplefilter("once")`` inside the call
        with warnings.catch_warnings(record=True):
            warnings.simplefilter("ignore")
            yield
    finally:
        warnings.formatwarning = formatwarning
        np.random.set_state(state)


def _int_seed(rng: np.random.Generator) -> int:
    # SALib tests ``if seed:``, so 0 would mean "no seed": draw from [1, 2^31 - 1).
    return int(rng.integers(1, 2**31 - 1))


def _frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    df = pd.DataFrame(rows, columns=columns)
    for c in columns:
        if c not in ("output", "parameter", "parameter_1", "parameter_2", "group", "notes"):
            df[c] = df[c].astype(float)
    return df


SOBOL_COLUMNS = ["output", "parameter", "S1", "S1_conf", "ST", "ST_conf"]
SOBOL_S2_COLUMNS = ["output", "parameter_1", "parameter_2", "S2", "S2_conf"]
MORRIS_COLUMNS = ["output", "parameter", "mu_star", "mu_star_conf", "mu", "sigma"]
EFAST_COLUMNS = ["output", "parameter", "group", "S1", "S1_conf", "ST", "ST_conf"]
DELTA_COLUMNS = ["output", "parameter", "group", "delta", "delta_conf", "S1", "S1_conf"]
PAWN_COLUMNS = ["output", "parameter", "group", "minimum", "mean", "median", "maximum", "CV"]


def _sobol_analyses(design: Design, Y: np.ndarray, seeds: Sequence[int], num_resamples: int,
                    conf_level: float) -> list:
    """SALib's Sobol' analysis of every column of Y, on up to :func:`default_threads` threads.

    Each analysis is seeded by its own integer (SALib then draws its bootstrap resamples from
    ``numpy.random.default_rng(seed)``, never from the global state), so the results do not depend
    on the threads. SALib's bootstrap is numpy indexing and reductions, which release the GIL.
    """
    from SALib.analyze import sobol as sobol_analyze

    p = design.problem
    k = len(p.factors(grouped=True))
    problem = p.salib()

    def one(j: int):
        y = np.ascontiguousarray(Y[:, j])
        if np.ptp(y) == 0.0:
            res = {name: np.full(k, np.nan) for name in ("S1", "S1_conf", "ST", "ST_conf")}
            res["S2"] = res["S2_conf"] = np.full((k, k), np.nan)
            return res
        return sobol_analyze.analyze(problem, y, calc_second_order=design.second_order,
                                     num_resamples=num_resamples, conf_level=conf_level, seed=seeds[j])

    with _salib_sandbox():  # one sandbox around all threads: warning filters are process-wide
        return run_in_order([functools.partial(one, j) for j in range(Y.shape[1])], threads=default_threads())


def analyze(design: Design, Y: np.ndarray, outputs: Sequence[str], *, rng: np.random.Generator,
            num_resamples: int = 100, conf_level: float = 0.95) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Estimate sensitivity indices of every output from a design and its evaluations.

    Parameters
    ----------
    design : Design
    Y : ndarray, shape (design.n_rows, len(outputs))
    outputs : sequence of str
        Output names, one per column of Y.
    rng : numpy.random.Generator
        Seeds SALib's bootstrap resampling (one integer seed per output).
    num_resamples : int
        Bootstrap resamples for the confidence intervals.
    conf_level : float
        Level of the intervals; ``*_conf`` columns are half-widths (index +- conf).

    Returns
    -------
    indices : DataFrame
        One row per output and factor. Columns by method:

        - sobol: output, parameter, S1, S1_conf, ST, ST_conf (``parameter`` is the group name for
          grouped inputs and a Dirichlet's name);
        - morris: output, parameter, mu_star, mu_star_conf, mu, sigma: elementary effects in
          output units per unit of probability (each step moves an input by about 2/3 of its
          probability range, between quantiles of a 4-level grid on [0.005, 0.995]);
        - efast: output, parameter, group, S1, S1_conf, ST, ST_conf (one row per design column);
        - delta: output, parameter, group, delta, delta_conf, S1, S1_conf (Borgonovo's delta,
          Plischke et al.'s bias-reduced estimator with plain bootstrap, and the binned S1);
        - pawn: output, parameter, group, minimum, mean, median, maximum, CV of the KS statistic
          over the conditioning slices (no interval: SALib gives none).

        A constant output has no variance to apportion: its rows are NaN.
    second_order : DataFrame or None
        sobol with second order: output, parameter_1, parameter_2, S2, S2_conf.

    References
    ----------
    Saltelli et al. (2010) Comput. Phys. Commun. 181:259-270 (Sobol' estimators); Morris (1991)
    Technometrics 33:161-174 and Campolongo et al. (2007) Environ. Model. Softw. 22:1509-1518
    (mu*); Saltelli et al. (1999) Technometrics 41:39-56 (eFAST); Borgonovo (2007) Reliab. Eng.
    Syst. Saf. 92:771-784 and Plischke et al. (2013) Eur. J. Oper. Res. 226:536-550 (delta);
    Pianosi & Wagener (2015) Environ. Model. Softw. 67:1-11 (PAWN).
    """
    method, p = design.method, design.problem
    grouped = method in ("sobol", "morris")
    factors = p.factors(grouped=grouped)
    group_of = dict(zip(p.columns, p.column_groups))
    rows, rows2 = [], []
    seeds = [_int_seed(rng) for _ in outputs]  # drawn in output order, whatever runs in parallel below
    sobol_results = _sobol_analyses(design, Y, seeds, num_resamples, conf_level) if method == "sobol" else None
    for j, out in enumerate(outputs):
        y = np.ascontiguousarray(Y[:, j])
        seed = seeds[j]
        constant = np.ptp(y) == 0.0
        if method == "sobol":
            res = sobol_results[j]
            for f, name in enumerate(factors):
                rows.append(dict(output=out, parameter=name, S1=res["S1"][f], S1_conf=res["S1_conf"][f],
                                 ST=res["ST"][f], ST_conf=res["ST_conf"][f]))
            if design.second_order:
                for a in range(len(factors)):
                    for b in range(a + 1, len(factors)):
                        rows2.append(dict(output=out, parameter_1=factors[a], parameter_2=factors[b],
                                          S2=res["S2"][a, b], S2_conf=res["S2_conf"][a, b]))
        elif method == "morris":
            if constant:
                res = {k: np.full(len(factors), np.nan) for k in ("mu_star", "mu_star_conf", "mu", "sigma")}
            else:
                from SALib.analyze import morris as morris_analyze

                with _salib_sandbox():
                    res = morris_analyze.analyze(p.salib(), design.X, y, num_resamples=num_resamples,
                                                 conf_level=conf_level, num_levels=MORRIS_LEVELS,
                                                 seed=np.random.default_rng(seed))
            # SALib divides by the step on its [0, 1] grid; the inputs moved by (1 - 2 tail) of that
            # in probability, so rescale to effects per unit of probability.
            per_unit = 1.0 / (1.0 - 2.0 * MORRIS_TAIL)
            for f, name in enumerate(factors):
                rows.append(dict(output=out, parameter=name, mu_star=res["mu_star"][f] * per_unit,
                                 mu_star_conf=res["mu_star_conf"][f] * per_unit, mu=res["mu"][f] * per_unit,
                                 sigma=res["sigma"][f] * per_unit))
        elif method == "efast":
            if constant:
                res = {k: np.full(len(factors), np.nan) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                from SALib.analyze import fast

                with _salib_sandbox():
                    res = fast.analyze(p.salib(grouped=False), y, M=EFAST_M, num_resamples=num_resamples,
                                       conf_level=conf_level, seed=seed)
            for f, name in enumerate(factors):
                rows.append(dict(output=out, parameter=name, group=group_of[name], S1=res["S1"][f],
                                 S1_conf=res["S1_conf"][f], ST=res["ST"][f], ST_conf=res["ST_conf"][f]))
        elif method == "delta":
            if constant:
                res = {k: np.full(len(factors), np.nan) for k in ("delta_raw", "delta_raw_conf", "S1", "S1_conf")}
            else:
                from SALib.analyze import delta

                with _salib_sandbox():
                    res = delta.analyze(p.salib(grouped=False), design.X, y, num_resamples=num_resamples,
                                        conf_level=conf_level, seed=seed, method="all")
            for f, name in enumerate(factors):
                rows.append(dict(output=out, parameter=name, group=group_of[name], delta=res["delta_raw"][f],
                                 delta_conf=res["delta_raw_conf"][f], S1=res["S1"][f], S1_conf=res["S1_conf"][f]))
        else:  # pawn
            if constant:
                res = {k: np.full(len(factors), np.nan) for k in ("minimum", "mean", "median", "maximum", "CV")}
            else:
                from SALib.analyze import pawn

                with _salib_sandbox():
                    res = pawn.analyze(p.salib(grouped=False), design.X, y, S=PAWN_SLICES, seed=seed)
            for f, name in enumerate(factors):
                rows.append(dict(output=out, parameter=name, group=group_of[name], minimum=res["minimum"][f],
                                 mean=res["mean"][f], median=res["median"][f], maximum=res["maximum"][f],
                                 CV=res["CV"][f]))
    columns = {"sobol": SOBOL_COLUMNS, "morris": MORRIS_COLUMNS, "efast": EFAST_COLUMNS, "delta": DELTA_COLUMNS,
               "pawn": PAWN_COLUMNS}[method]
    second = _frame(rows2, SOBOL_S2_COLUMNS) if method == "sobol" and design.second_order else None
    return _frame(rows, columns), second


# --------------------------------------------------------------------------------------------
# the whole analysis
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
    seed = int(compiled.loaded.spec.settings.seed if seed is None else seed)
    sample_ss, analyze_ss = np.random.SeedSequence(seed).spawn(2)
    sample_rng = np.random.default_rng(seed if method in ("delta", "pawn") else sample_ss)
    design = sample(compiled.parameters, problem, method, int(n), rng=sample_rng, second_order=second_order,
                    compiled=compiled)
    Y = evaluate_design(compiled, design, specs, max_memory_mb=max_memory_mb, scheduler=scheduler,
                        progress=progress)
    indices, second = analyze(design, Y, [s.text for s in specs], rng=np.random.default_rng(analyze_ss),
                              num_resamples=num_resamples, conf_level=conf_level)
    return GsaResult(method, TABLE_NAMES[method], indices, second, tuple(s.text for s in specs), int(n),
                     design.n_rows, seed,
                     design_chunking(compiled, design.n_rows, max_memory_mb=max_memory_mb, scheduler=scheduler)[0],
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
